//! PKCS#7 padding (RFC 5652 section 6.3), as used by encrypted PEM and PKCS#8/PKCS#12
//! private keys. TLS record padding is different and belongs to the record layer.

use alloc::vec::Vec;
use matrix_core::{Error, Result};
use subtle::{ConstantTimeEq, ConstantTimeLess};

/// Appends PKCS#7 padding (RFC 5652 section 6.3) to `data`: 1 to `block_len` bytes, each
/// holding the pad length, so that the length becomes a multiple of `block_len`.
///
/// `ArgFail` when `block_len` is 0 or above 255 (the pad length must fit in a byte).
pub fn pkcs7_pad(data: &mut Vec<u8>, block_len: usize) -> Result<()> {
    if block_len == 0 || block_len > 255 {
        return Err(Error::ArgFail);
    }
    let n = block_len - data.len() % block_len;
    // 1 <= n <= block_len <= 255, checked above.
    let byte = u8::try_from(n).map_err(|_| Error::ArgFail)?;
    data.resize(data.len() + n, byte);
    Ok(())
}

/// Checks the PKCS#7 padding at the end of decrypted `data` and returns the length of the
/// message without it.
///
/// `ArgFail` when `block_len` is 0 or above 255, or `data.len()` is not a non-zero multiple of
/// it; `AuthFail` when the padding is malformed (for an encrypted key this usually means a
/// wrong password). The padding bytes are examined without data-dependent branches.
pub fn pkcs7_unpad(data: &[u8], block_len: usize) -> Result<usize> {
    if block_len == 0 || block_len > 255 || data.is_empty() || !data.len().is_multiple_of(block_len)
    {
        return Err(Error::ArgFail);
    }
    let last_block = &data[data.len() - block_len..];
    let pad = last_block[block_len - 1];
    // block_len <= 255 was checked above.
    let bl = u8::try_from(block_len).map_err(|_| Error::ArgFail)?;
    // 1 <= pad <= block_len
    let mut ok = !pad.ct_eq(&0) & !bl.ct_lt(&pad);
    for (i, &b) in last_block.iter().rev().enumerate() {
        // Byte i from the end (0-based) is padding when i < pad; i < block_len <= 255.
        let idx = u8::try_from(i).map_err(|_| Error::ArgFail)?;
        let in_pad = idx.ct_lt(&pad);
        ok &= !in_pad | b.ct_eq(&pad);
    }
    if bool::from(ok) {
        Ok(data.len() - usize::from(pad))
    } else {
        Err(Error::AuthFail)
    }
}
