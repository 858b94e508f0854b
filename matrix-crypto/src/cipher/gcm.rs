//! AES-GCM (NIST SP 800-38D) with 96-bit nonces and 128-bit tags: the AEAD of the TLS 1.2
//! GCM suites (RFC 5288) and MatrixSSL's `psAesInitGCM`/`psAesEncryptGCM`/`psAesDecryptGCM`.
//!
//! The implementation underneath is RustCrypto's `aes-gcm` (AES-NI and PCLMULQDQ, or ARMv8
//! AES and PMULL, detected at run time; otherwise the constant-time bitsliced AES and the
//! constant-time software GHASH of `polyval`); no type of that crate appears in this API.
//! Only the 12-byte nonce is offered: it is the one TLS uses (4-byte salt || 8-byte explicit
//! nonce) and the one SP 800-38D recommends; other lengths are `ArgFail`.
//!
//! Encryption and decryption work in place and do not allocate per call. A failed tag check
//! leaves the buffer zeroed, so that no unauthenticated plaintext escapes.

use alloc::boxed::Box;
use core::fmt;

use aes_gcm::aead::array::Array;
use aes_gcm::aead::{AeadInOut, KeyInit};
use matrix_core::{Error, Result};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// The GCM nonce length in bytes (96 bits).
pub const GCM_NONCE_LEN: usize = 12;
/// The GCM tag length in bytes (128 bits).
pub const GCM_TAG_LEN: usize = 16;

type Aes192Gcm = aes_gcm::AesGcm<aes::Aes192, aes_gcm::aead::consts::U12>;

/// The keyed cipher of one key length (boxed so the key schedule and hash key stay in one
/// place until dropped; each wipes itself on drop through the `zeroize` feature).
enum Keyed {
    Aes128(Box<aes_gcm::Aes128Gcm>),
    Aes192(Box<Aes192Gcm>),
    Aes256(Box<aes_gcm::Aes256Gcm>),
}

const fn assert_zeroize_on_drop<T: ZeroizeOnDrop>() {}
const _: () = {
    assert_zeroize_on_drop::<aes_gcm::Aes128Gcm>();
    assert_zeroize_on_drop::<Aes192Gcm>();
    assert_zeroize_on_drop::<aes_gcm::Aes256Gcm>();
};

/// An AES-GCM key: AES-128, AES-192 or AES-256 by the key length.
pub struct AesGcm(Keyed);

impl fmt::Debug for AesGcm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bits = match self.0 {
            Keyed::Aes128(_) => 128,
            Keyed::Aes192(_) => 192,
            Keyed::Aes256(_) => 256,
        };
        write!(f, "AesGcm {{ key_bits: {bits}, .. }}")
    }
}

fn keyed<C: KeyInit>(key: &[u8]) -> Result<Box<C>> {
    C::new_from_slice(key)
        .map(Box::new)
        .map_err(|_| Error::ArgFail)
}

fn nonce(n: &[u8]) -> Result<&Array<u8, aes_gcm::aead::consts::U12>> {
    <&Array<u8, aes_gcm::aead::consts::U12>>::try_from(n).map_err(|_| Error::ArgFail)
}

impl AesGcm {
    /// Expands a 16-, 24- or 32-byte key; any other length is `ArgFail`.
    pub fn new(key: &[u8]) -> Result<Self> {
        let k = match key.len() {
            16 => Keyed::Aes128(keyed(key)?),
            24 => Keyed::Aes192(keyed(key)?),
            32 => Keyed::Aes256(keyed(key)?),
            _ => return Err(Error::ArgFail),
        };
        Ok(AesGcm(k))
    }

    /// The heap bytes the expanded key holds (the boxed key schedule and hash key), for a
    /// session's memory accounting.
    pub fn heap_bytes(&self) -> usize {
        match &self.0 {
            Keyed::Aes128(c) => core::mem::size_of_val(&**c),
            Keyed::Aes192(c) => core::mem::size_of_val(&**c),
            Keyed::Aes256(c) => core::mem::size_of_val(&**c),
        }
    }

    /// Encrypts `buf` in place under the 12-byte `nonce`, authenticating `aad` too, and
    /// returns the 16-byte tag. `ArgFail` for a nonce of another length or a message beyond
    /// GCM's limit (2^36 - 32 bytes).
    pub fn seal_in_place(
        &self,
        nonce_bytes: &[u8],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; GCM_TAG_LEN]> {
        let n = nonce(nonce_bytes)?;
        let tag = match &self.0 {
            Keyed::Aes128(c) => c.encrypt_inout_detached(n, aad, buf.into()),
            Keyed::Aes192(c) => c.encrypt_inout_detached(n, aad, buf.into()),
            Keyed::Aes256(c) => c.encrypt_inout_detached(n, aad, buf.into()),
        }
        .map_err(|_| Error::ArgFail)?;
        Ok(tag.into())
    }

    /// Checks `tag` over `aad` and the ciphertext `buf` under the 12-byte `nonce` (in
    /// constant time) and decrypts `buf` in place. `AuthFail` when the tag does not match
    /// (the buffer is then zeroed); `ArgFail` for a nonce or tag of the wrong length.
    pub fn open_in_place(
        &self,
        nonce_bytes: &[u8],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8],
    ) -> Result<()> {
        let n = nonce(nonce_bytes)?;
        let t =
            <&Array<u8, aes_gcm::aead::consts::U16>>::try_from(tag).map_err(|_| Error::ArgFail)?;
        let r = match &self.0 {
            Keyed::Aes128(c) => c.decrypt_inout_detached(n, aad, buf.into(), t),
            Keyed::Aes192(c) => c.decrypt_inout_detached(n, aad, buf.into(), t),
            Keyed::Aes256(c) => c.decrypt_inout_detached(n, aad, buf.into(), t),
        };
        r.map_err(|_| {
            buf.zeroize();
            Error::AuthFail
        })
    }
}
