//! CBC mode (NIST SP 800-38A) over the compiled-in block ciphers, with the IV kept by the
//! caller: [`CbcCipher`] holds one boxed key schedule and runs the `cbc` crate's encryptor and
//! decryptor over the caller's whole buffer, so that backends with parallel block decryption
//! (AES-NI, ARMv8) use it; the compact AES chains its blocks itself ([`CbcMode`]). No
//! allocation per call.

use super::BlockAlgorithm;
#[cfg(feature = "seed")]
use super::seed;
use alloc::boxed::Box;
use cipher::KeyInit;
use core::fmt;
use matrix_core::{Error, Result};
use zeroize::ZeroizeOnDrop;

#[cfg(all(
    any(feature = "aes-128", feature = "aes-256"),
    not(feature = "aes-improve-perf-increase-codesize")
))]
use super::aes_compact as aes_impl;
/// AES: the `aes` crate when `aes-improve-perf-increase-codesize` asks for speed over size,
/// else the in-tree compact AES (neither in a build with no AES key size).
#[cfg(all(
    any(feature = "aes-128", feature = "aes-256"),
    feature = "aes-improve-perf-increase-codesize"
))]
use aes as aes_impl;

/// Three-key 3DES: the `des` crate, or the table-driven in-tree code when the feature
/// `3des-improve-perf-increase-codesize` asks for speed over size.
#[cfg(all(feature = "3des", not(feature = "3des-improve-perf-increase-codesize")))]
type TripleDes = des::TdesEde3;
#[cfg(all(feature = "3des", feature = "3des-improve-perf-increase-codesize"))]
type TripleDes = super::des_tables::TdesEde3;

/// The expanded key of one block cipher (boxed so that it stays in one place until dropped;
/// each type zeroizes itself on drop).
enum Schedule {
    #[cfg(feature = "aes-128")]
    Aes128(Box<aes_impl::Aes128>),
    #[cfg(feature = "aes")]
    Aes192(Box<aes_impl::Aes192>),
    #[cfg(feature = "aes-256")]
    Aes256(Box<aes_impl::Aes256>),
    #[cfg(feature = "3des")]
    TripleDes(Box<TripleDes>),
    #[cfg(feature = "3des")]
    Des(Box<des::Des>),
    #[cfg(feature = "seed")]
    Seed(Box<seed::Seed>),
}

/// Checks at compile time that every key schedule we hold wipes itself when dropped.
const fn assert_zeroize_on_drop<T: ZeroizeOnDrop>() {}
#[cfg(feature = "aes-128")]
const _: () = assert_zeroize_on_drop::<aes_impl::Aes128>();
#[cfg(feature = "aes")]
const _: () = assert_zeroize_on_drop::<aes_impl::Aes192>();
#[cfg(feature = "aes-256")]
const _: () = assert_zeroize_on_drop::<aes_impl::Aes256>();
#[cfg(feature = "3des")]
const _: () = {
    assert_zeroize_on_drop::<TripleDes>();
    assert_zeroize_on_drop::<des::Des>();
};
#[cfg(feature = "seed")]
const _: () = assert_zeroize_on_drop::<seed::Seed>();

/// Expands `key` for the cipher `C` into a box; the caller has checked the length.
fn expand<C: KeyInit>(key: &[u8]) -> Result<Box<C>> {
    C::new_from_slice(key)
        .map(Box::new)
        .map_err(|_| Error::ArgFail)
}

#[cfg(any(
    feature = "aes-improve-perf-increase-codesize",
    feature = "3des",
    feature = "seed"
))]
mod via_cbc_crate {
    use cipher::array::{Array, ArraySize};
    use cipher::{
        BlockCipherDecrypt, BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, InnerIvInit,
        IvState,
    };
    use matrix_core::{Error, Result};
    use zeroize::Zeroize;

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
    #[inline(always)]
    pub(super) fn cbc_encrypt<C: BlockCipherEncrypt>(
        cipher: &C,
        iv: &mut [u8],
        data: &mut [u8],
    ) -> Result<()> {
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
    #[inline(always)]
    pub(super) fn cbc_decrypt<C: BlockCipherDecrypt>(
        cipher: &C,
        iv: &mut [u8],
        data: &mut [u8],
    ) -> Result<()> {
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
}

/// CBC mode over one block cipher type: the `cbc` crate's encryptor and decryptor for the
/// crates' ciphers (their backends decrypt several blocks in parallel where they can), the
/// compact AES's own chain loop (`aes_compact`: one copy for every key size, without the
/// `cbc` crate's generic machinery around a 16-byte XOR chain).
pub(super) trait CbcMode {
    /// CBC encryption of whole blocks in place, leaving the last ciphertext block in `iv`;
    /// `ArgFail` (nothing changed) for a wrong IV length or a partial block.
    fn cbc_encrypt(&self, iv: &mut [u8], data: &mut [u8]) -> Result<()>;
    /// CBC decryption of whole blocks in place, leaving the last ciphertext block in `iv`;
    /// `ArgFail` (nothing changed) for a wrong IV length or a partial block.
    fn cbc_decrypt(&self, iv: &mut [u8], data: &mut [u8]) -> Result<()>;
}

/// [`CbcMode`] through the `cbc` crate for each of the given cipher types.
macro_rules! cbc_crate_mode {
    ($($(#[$meta:meta])* $ty:ty;)*) => {
        $(
            $(#[$meta])*
            impl CbcMode for $ty {
                // Inlined into `CbcCipher`'s arms (with the mode code below them), as the
                // generic mode code was before: out of line, each cipher's pair cost about
                // 0.2 KB (a default firmware image has five ciphers).
                #[inline(always)]
                fn cbc_encrypt(&self, iv: &mut [u8], data: &mut [u8]) -> Result<()> {
                    via_cbc_crate::cbc_encrypt(self, iv, data)
                }

                #[inline(always)]
                fn cbc_decrypt(&self, iv: &mut [u8], data: &mut [u8]) -> Result<()> {
                    via_cbc_crate::cbc_decrypt(self, iv, data)
                }
            }
        )*
    };
}

cbc_crate_mode! {
    #[cfg(all(feature = "aes-128", feature = "aes-improve-perf-increase-codesize"))]
    aes::Aes128;
    #[cfg(all(feature = "aes", feature = "aes-improve-perf-increase-codesize"))]
    aes::Aes192;
    #[cfg(all(feature = "aes-256", feature = "aes-improve-perf-increase-codesize"))]
    aes::Aes256;
    #[cfg(feature = "3des")]
    TripleDes;
    #[cfg(feature = "3des")]
    des::Des;
    #[cfg(feature = "seed")]
    seed::Seed;
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
            #[cfg(feature = "aes-128")]
            BlockAlgorithm::Aes128 => Schedule::Aes128(expand(key)?),
            #[cfg(feature = "aes")]
            BlockAlgorithm::Aes192 => Schedule::Aes192(expand(key)?),
            #[cfg(feature = "aes-256")]
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

    /// The heap bytes the key schedule occupies (it is boxed once by [`CbcCipher::new`]):
    /// what a TLS session's memory accounting adds for each direction.
    pub fn heap_bytes(&self) -> usize {
        match &self.schedule {
            #[cfg(feature = "aes-128")]
            Schedule::Aes128(c) => core::mem::size_of_val(&**c),
            #[cfg(feature = "aes")]
            Schedule::Aes192(c) => core::mem::size_of_val(&**c),
            #[cfg(feature = "aes-256")]
            Schedule::Aes256(c) => core::mem::size_of_val(&**c),
            #[cfg(feature = "3des")]
            Schedule::TripleDes(c) => core::mem::size_of_val(&**c),
            #[cfg(feature = "3des")]
            Schedule::Des(c) => core::mem::size_of_val(&**c),
            #[cfg(feature = "seed")]
            Schedule::Seed(c) => core::mem::size_of_val(&**c),
        }
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
            #[cfg(feature = "aes-128")]
            Schedule::Aes128(c) => c.cbc_encrypt(iv, data),
            #[cfg(feature = "aes")]
            Schedule::Aes192(c) => c.cbc_encrypt(iv, data),
            #[cfg(feature = "aes-256")]
            Schedule::Aes256(c) => c.cbc_encrypt(iv, data),
            #[cfg(feature = "3des")]
            Schedule::TripleDes(c) => c.cbc_encrypt(iv, data),
            #[cfg(feature = "3des")]
            Schedule::Des(c) => c.cbc_encrypt(iv, data),
            #[cfg(feature = "seed")]
            Schedule::Seed(c) => c.cbc_encrypt(iv, data),
        }
    }

    /// Decrypts `data` in place in CBC mode, starting from `iv`, and leaves the last
    /// ciphertext block (as it was before decryption) in `iv`.
    ///
    /// `ArgFail` when `iv.len()` is not the block length or `data.len()` not a multiple of it;
    /// nothing is changed then. No padding is checked or removed.
    pub fn decrypt(&self, iv: &mut [u8], data: &mut [u8]) -> Result<()> {
        match &self.schedule {
            #[cfg(feature = "aes-128")]
            Schedule::Aes128(c) => c.cbc_decrypt(iv, data),
            #[cfg(feature = "aes")]
            Schedule::Aes192(c) => c.cbc_decrypt(iv, data),
            #[cfg(feature = "aes-256")]
            Schedule::Aes256(c) => c.cbc_decrypt(iv, data),
            #[cfg(feature = "3des")]
            Schedule::TripleDes(c) => c.cbc_decrypt(iv, data),
            #[cfg(feature = "3des")]
            Schedule::Des(c) => c.cbc_decrypt(iv, data),
            #[cfg(feature = "seed")]
            Schedule::Seed(c) => c.cbc_decrypt(iv, data),
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
