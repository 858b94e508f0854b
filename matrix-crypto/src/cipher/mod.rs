//! Symmetric ciphers: AES, 3DES/DES and SEED in CBC mode with a caller-managed IV, the RC4
//! stream cipher, and PKCS#7 padding (MatrixSSL's `symmetric.h`: `psAesInit`,
//! `psDes3Init`, `psSeedInit`, `psArc4Init` and their `Encrypt`/`Decrypt` functions).
//!
//! Algorithms: AES (FIPS-197) from the `aes` crate (AES-NI/ARMv8 detected at run time, else a
//! constant-time bitsliced implementation), DES and 3DES-EDE (FIPS 46-3, SP 800-67) from the
//! `des` crate, SEED (RFC 4269) in-tree, RC4 from the `rc4` crate; CBC (SP 800-38A) from
//! the `cbc` crate. None of those crates' types appear in this module's API.
//!
//! The CBC functions encrypt and decrypt whole blocks in place and leave the last ciphertext
//! block in the caller's IV buffer. SSL 3.0 and TLS 1.0 (implicit IV) pass the same IV
//! buffer record after record; TLS 1.1 and DTLS pass a fresh explicit IV each time. Padding of
//! TLS records is the record layer's business (it must be checked in constant time with the
//! MAC); [`pkcs7_pad`] and [`pkcs7_unpad`] are for encrypted private keys.
//!
//! Key schedules are boxed once by the constructors, never copied afterwards, and zeroized when
//! dropped. The per-record calls do not allocate.

#[cfg(feature = "seed")]
mod seed;

use alloc::boxed::Box;
use alloc::vec::Vec;
use cipher::array::{Array, ArraySize};
use cipher::{
    BlockCipherDecrypt, BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, InnerIvInit,
    IvState, KeyInit,
};
use core::fmt;
use matrix_core::{Error, Result};
use subtle::{ConstantTimeEq, ConstantTimeLess};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A block cipher usable in CBC mode.
///
/// Each variant exists only when its Cargo feature is on (`aes`, `3des`, `seed`).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlockAlgorithm {
    /// AES with a 128-bit key (FIPS-197).
    #[cfg(feature = "aes")]
    Aes128,
    /// AES with a 192-bit key (FIPS-197; encrypted PEM keys only, no TLS suite uses it).
    #[cfg(feature = "aes")]
    Aes192,
    /// AES with a 256-bit key (FIPS-197).
    #[cfg(feature = "aes")]
    Aes256,
    /// Three-key triple DES, EDE (SP 800-67), 24-byte key (parity bits ignored).
    #[cfg(feature = "3des")]
    TripleDes,
    /// Single DES (FIPS 46-3), 8-byte key (parity bits ignored): only for old encrypted PEM
    /// private keys (`DES-CBC`), never for TLS.
    #[cfg(feature = "3des")]
    Des,
    /// SEED (RFC 4269), 128-bit key.
    #[cfg(feature = "seed")]
    Seed,
}

impl BlockAlgorithm {
    /// The key length in bytes.
    pub const fn key_len(self) -> usize {
        match self {
            #[cfg(feature = "aes")]
            BlockAlgorithm::Aes128 => 16,
            #[cfg(feature = "aes")]
            BlockAlgorithm::Aes192 => 24,
            #[cfg(feature = "aes")]
            BlockAlgorithm::Aes256 => 32,
            #[cfg(feature = "3des")]
            BlockAlgorithm::TripleDes => 24,
            #[cfg(feature = "3des")]
            BlockAlgorithm::Des => 8,
            #[cfg(feature = "seed")]
            BlockAlgorithm::Seed => 16,
        }
    }

    /// The block length in bytes (also the IV length in CBC mode).
    pub const fn block_len(self) -> usize {
        match self {
            #[cfg(feature = "aes")]
            BlockAlgorithm::Aes128 | BlockAlgorithm::Aes192 | BlockAlgorithm::Aes256 => 16,
            #[cfg(feature = "3des")]
            BlockAlgorithm::TripleDes | BlockAlgorithm::Des => 8,
            #[cfg(feature = "seed")]
            BlockAlgorithm::Seed => 16,
        }
    }
}

/// The expanded key of one block cipher (boxed so that it stays in one place until dropped;
/// each type zeroizes itself on drop).
enum Schedule {
    #[cfg(feature = "aes")]
    Aes128(Box<aes::Aes128>),
    #[cfg(feature = "aes")]
    Aes192(Box<aes::Aes192>),
    #[cfg(feature = "aes")]
    Aes256(Box<aes::Aes256>),
    #[cfg(feature = "3des")]
    TripleDes(Box<des::TdesEde3>),
    #[cfg(feature = "3des")]
    Des(Box<des::Des>),
    #[cfg(feature = "seed")]
    Seed(Box<seed::Seed>),
}

/// Checks at compile time that every key schedule we hold wipes itself when dropped.
const fn assert_zeroize_on_drop<T: ZeroizeOnDrop>() {}
#[cfg(feature = "aes")]
const _: () = {
    assert_zeroize_on_drop::<aes::Aes128>();
    assert_zeroize_on_drop::<aes::Aes192>();
    assert_zeroize_on_drop::<aes::Aes256>();
};
#[cfg(feature = "3des")]
const _: () = {
    assert_zeroize_on_drop::<des::TdesEde3>();
    assert_zeroize_on_drop::<des::Des>();
};
#[cfg(feature = "seed")]
const _: () = assert_zeroize_on_drop::<seed::Seed>();
#[cfg(feature = "arc4")]
const _: () = assert_zeroize_on_drop::<rc4::Rc4>();

/// Expands `key` for the cipher `C` into a box; the caller has checked the length.
fn expand<C: KeyInit>(key: &[u8]) -> Result<Box<C>> {
    C::new_from_slice(key)
        .map(Box::new)
        .map_err(|_| Error::ArgFail)
}

/// Copies `iv` into the cipher's IV type, or `ArgFail` when its length is not the block's.
fn iv_array<N: ArraySize>(iv: &[u8]) -> Result<Array<u8, N>> {
    Array::try_from(iv).map_err(|_| Error::ArgFail)
}

/// Splits `data` into whole blocks, or `ArgFail` when its length is not a multiple of one.
fn blocks_of<N: ArraySize>(data: &mut [u8]) -> Result<&mut [Array<u8, N>]> {
    let (blocks, rest) = Array::<u8, N>::slice_as_chunks_mut(data);
    if rest.is_empty() {
        Ok(blocks)
    } else {
        Err(Error::ArgFail)
    }
}

/// CBC encryption of whole blocks in place with `C`, leaving the last ciphertext block in `iv`.
fn cbc_encrypt<C: BlockCipherEncrypt>(cipher: &C, iv: &mut [u8], data: &mut [u8]) -> Result<()> {
    let mut start = iv_array::<C::BlockSize>(iv)?;
    let blocks = blocks_of::<C::BlockSize>(data)?;
    let mut mode = cbc::Encryptor::<&C>::inner_iv_init(cipher, &start);
    mode.encrypt_blocks(blocks);
    let mut next = mode.iv_state();
    iv.copy_from_slice(&next);
    start.zeroize();
    next.zeroize();
    Ok(())
}

/// CBC decryption of whole blocks in place with `C` (the backend decrypts several blocks in
/// parallel where it can, e.g. AES-NI), leaving the last ciphertext block in `iv`.
fn cbc_decrypt<C: BlockCipherDecrypt>(cipher: &C, iv: &mut [u8], data: &mut [u8]) -> Result<()> {
    let mut start = iv_array::<C::BlockSize>(iv)?;
    let blocks = blocks_of::<C::BlockSize>(data)?;
    let mut mode = cbc::Decryptor::<&C>::inner_iv_init(cipher, &start);
    mode.decrypt_blocks(blocks);
    let mut next = mode.iv_state();
    iv.copy_from_slice(&next);
    start.zeroize();
    next.zeroize();
    Ok(())
}

/// A block cipher keyed for CBC mode (`psCipherContext_t` with `psAesInit`, `psDes3Init`,
/// `psSeedInit`). The IV is the caller's: see [`CbcCipher::encrypt`].
pub struct CbcCipher {
    alg: BlockAlgorithm,
    schedule: Schedule,
}

impl CbcCipher {
    /// Expands `key` for `alg`; `ArgFail` when `key.len() != alg.key_len()`.
    pub fn new(alg: BlockAlgorithm, key: &[u8]) -> Result<Self> {
        if key.len() != alg.key_len() {
            return Err(Error::ArgFail);
        }
        let schedule = match alg {
            #[cfg(feature = "aes")]
            BlockAlgorithm::Aes128 => Schedule::Aes128(expand(key)?),
            #[cfg(feature = "aes")]
            BlockAlgorithm::Aes192 => Schedule::Aes192(expand(key)?),
            #[cfg(feature = "aes")]
            BlockAlgorithm::Aes256 => Schedule::Aes256(expand(key)?),
            #[cfg(feature = "3des")]
            BlockAlgorithm::TripleDes => Schedule::TripleDes(expand(key)?),
            #[cfg(feature = "3des")]
            BlockAlgorithm::Des => Schedule::Des(expand(key)?),
            #[cfg(feature = "seed")]
            BlockAlgorithm::Seed => Schedule::Seed(expand(key)?),
        };
        Ok(CbcCipher { alg, schedule })
    }

    /// The algorithm this cipher was keyed for.
    pub fn algorithm(&self) -> BlockAlgorithm {
        self.alg
    }

    /// The block length in bytes (also the IV length).
    pub fn block_len(&self) -> usize {
        self.alg.block_len()
    }

    /// Encrypts `data` in place in CBC mode, starting from `iv`, and leaves the last ciphertext
    /// block in `iv` (so the next call continues the chain, as SSL 3.0 and TLS 1.0 require).
    ///
    /// `ArgFail` when `iv.len()` is not the block length or `data.len()` not a multiple of it;
    /// nothing is changed then. Empty `data` leaves `iv` as it was.
    pub fn encrypt(&self, iv: &mut [u8], data: &mut [u8]) -> Result<()> {
        match &self.schedule {
            #[cfg(feature = "aes")]
            Schedule::Aes128(c) => cbc_encrypt(&**c, iv, data),
            #[cfg(feature = "aes")]
            Schedule::Aes192(c) => cbc_encrypt(&**c, iv, data),
            #[cfg(feature = "aes")]
            Schedule::Aes256(c) => cbc_encrypt(&**c, iv, data),
            #[cfg(feature = "3des")]
            Schedule::TripleDes(c) => cbc_encrypt(&**c, iv, data),
            #[cfg(feature = "3des")]
            Schedule::Des(c) => cbc_encrypt(&**c, iv, data),
            #[cfg(feature = "seed")]
            Schedule::Seed(c) => cbc_encrypt(&**c, iv, data),
        }
    }

    /// Decrypts `data` in place in CBC mode, starting from `iv`, and leaves the last
    /// ciphertext block (as it was before decryption) in `iv`.
    ///
    /// `ArgFail` when `iv.len()` is not the block length or `data.len()` not a multiple of it;
    /// nothing is changed then. No padding is checked or removed.
    pub fn decrypt(&self, iv: &mut [u8], data: &mut [u8]) -> Result<()> {
        match &self.schedule {
            #[cfg(feature = "aes")]
            Schedule::Aes128(c) => cbc_decrypt(&**c, iv, data),
            #[cfg(feature = "aes")]
            Schedule::Aes192(c) => cbc_decrypt(&**c, iv, data),
            #[cfg(feature = "aes")]
            Schedule::Aes256(c) => cbc_decrypt(&**c, iv, data),
            #[cfg(feature = "3des")]
            Schedule::TripleDes(c) => cbc_decrypt(&**c, iv, data),
            #[cfg(feature = "3des")]
            Schedule::Des(c) => cbc_decrypt(&**c, iv, data),
            #[cfg(feature = "seed")]
            Schedule::Seed(c) => cbc_decrypt(&**c, iv, data),
        }
    }
}

impl fmt::Debug for CbcCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CbcCipher")
            .field("alg", &self.alg)
            .finish_non_exhaustive()
    }
}

/// Every key schedule a [`CbcCipher`] holds is zeroized on drop (checked at compile time).
impl ZeroizeOnDrop for CbcCipher {}

/// The RC4 stream cipher (`psArc4Init`, `psArc4`), its state carried from call to call.
///
/// The state is boxed once by [`Rc4::new`] and zeroized on drop.
#[cfg(feature = "arc4")]
pub struct Rc4 {
    state: Box<rc4::Rc4>,
}

#[cfg(feature = "arc4")]
impl Rc4 {
    /// Runs the key schedule on `key` (1 to 256 bytes, else `ArgFail`; TLS uses 16).
    pub fn new(key: &[u8]) -> Result<Self> {
        use cipher::KeyInit as _;
        let state = rc4::Rc4::new_from_slice(key).map_err(|_| Error::ArgFail)?;
        Ok(Rc4 {
            state: Box::new(state),
        })
    }

    /// XORs the next `data.len()` bytes of key stream into `data` (encryption and decryption
    /// are the same operation).
    pub fn apply(&mut self, data: &mut [u8]) {
        use cipher::StreamCipher as _;
        self.state.apply_keystream(data);
    }
}

#[cfg(feature = "arc4")]
impl fmt::Debug for Rc4 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Rc4 { .. }")
    }
}

/// The RC4 state is zeroized on drop (checked at compile time).
#[cfg(feature = "arc4")]
impl ZeroizeOnDrop for Rc4 {}

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
    if block_len == 0 || block_len > 255 || data.is_empty() || data.len() % block_len != 0 {
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
