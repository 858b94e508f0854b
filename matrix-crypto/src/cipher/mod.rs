//! Symmetric ciphers: AES, 3DES/DES and SEED in CBC mode with a caller-managed IV, AES-GCM
//! (feature `aes-gcm`, `AesGcm`), the RC4 stream cipher, and PKCS#7 padding (MatrixSSL's `symmetric.h`: `psAesInit`,
//! `psDes3Init`, `psSeedInit`, `psArc4Init` and their `Encrypt`/`Decrypt` functions).
//!
//! AES-GCM is the `aes-gcm` crate's with `aes-improve-perf-increase-codesize`, else
//! `gcm_compact`: the same API over the compact AES with a constant-time software GHASH.
//!
//! Algorithms: AES (FIPS-197) from the `aes` crate (AES-NI/ARMv8 detected at run time, else a
//! constant-time bitsliced implementation) with `aes-improve-perf-increase-codesize`, else
//! the in-tree compact constant-time AES of `aes_compact`, DES and 3DES-EDE (FIPS 46-3, SP 800-67) from the
//! `des` crate (3DES from in-tree tables with `3des-improve-perf-increase-codesize`), SEED
//! (RFC 4269) in-tree, RC4 from the `rc4` crate; CBC (SP 800-38A) from the `cbc` crate (the compact AES chains its blocks
//! itself: one loop per direction for every key size). None
//! of those crates' types appear in this module's API.
//!
//! The CBC functions encrypt and decrypt whole blocks in place and leave the last ciphertext
//! block in the caller's IV buffer. SSL 3.0 and TLS 1.0 (implicit IV) pass the same IV
//! buffer record after record; TLS 1.1 and DTLS pass a fresh explicit IV each time. Padding of
//! TLS records is the record layer's business (it must be checked in constant time with the
//! MAC); [`pkcs7_pad`] and [`pkcs7_unpad`] are for encrypted private keys.
//!
//! Key schedules are boxed by the constructors (so they are not copied when a cipher value
//! moves) and zeroized when dropped. The per-record calls do not allocate.

#[cfg(all(
    any(feature = "aes-128", feature = "aes-256"),
    not(feature = "aes-improve-perf-increase-codesize")
))]
mod aes_compact;
#[cfg(any(
    feature = "aes-128",
    feature = "aes-256",
    feature = "3des",
    feature = "seed"
))]
mod block;
#[cfg(all(feature = "3des", feature = "3des-improve-perf-increase-codesize"))]
mod des_tables;
#[cfg(all(feature = "aes-gcm", feature = "aes-improve-perf-increase-codesize"))]
mod gcm;
#[cfg(all(
    feature = "aes-gcm",
    not(feature = "aes-improve-perf-increase-codesize")
))]
mod gcm_compact;
mod padding;
#[cfg(feature = "seed")]
mod seed;
#[cfg(feature = "arc4")]
mod stream;

#[cfg(any(
    feature = "aes-128",
    feature = "aes-256",
    feature = "3des",
    feature = "seed"
))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(feature = "aes", feature = "3des", feature = "seed")))
)]
pub use block::CbcCipher;
#[cfg(all(feature = "aes-gcm", feature = "aes-improve-perf-increase-codesize"))]
pub use gcm::{AesGcm, GCM_NONCE_LEN, GCM_TAG_LEN};
#[cfg(all(
    feature = "aes-gcm",
    not(feature = "aes-improve-perf-increase-codesize")
))]
pub use gcm_compact::{AesGcm, GCM_NONCE_LEN, GCM_TAG_LEN};
pub use padding::{pkcs7_pad, pkcs7_unpad};
#[cfg(feature = "arc4")]
#[cfg_attr(docsrs, doc(cfg(feature = "arc4")))]
pub use stream::Rc4;

/// A block cipher usable in CBC mode.
///
/// Each variant exists only when its Cargo feature is on (`aes-128`, `aes` for AES-192,
/// `aes-256`, `3des`, `seed`).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlockAlgorithm {
    /// AES with a 128-bit key (FIPS-197).
    #[cfg(feature = "aes-128")]
    Aes128,
    /// AES with a 192-bit key (FIPS-197; encrypted PEM keys only, no TLS suite uses it).
    #[cfg(feature = "aes")]
    Aes192,
    /// AES with a 256-bit key (FIPS-197).
    #[cfg(feature = "aes-256")]
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
            #[cfg(feature = "aes-128")]
            BlockAlgorithm::Aes128 => 16,
            #[cfg(feature = "aes")]
            BlockAlgorithm::Aes192 => 24,
            #[cfg(feature = "aes-256")]
            BlockAlgorithm::Aes256 => 32,
            #[cfg(feature = "3des")]
            BlockAlgorithm::TripleDes => 24,
            #[cfg(feature = "3des")]
            BlockAlgorithm::Des => 8,
            #[cfg(feature = "seed")]
            BlockAlgorithm::Seed => 16,
        }
    }

    /// Every block algorithm this build has.
    pub const ALL: &'static [BlockAlgorithm] = &[
        #[cfg(feature = "aes-128")]
        BlockAlgorithm::Aes128,
        #[cfg(feature = "aes")]
        BlockAlgorithm::Aes192,
        #[cfg(feature = "aes-256")]
        BlockAlgorithm::Aes256,
        #[cfg(feature = "3des")]
        BlockAlgorithm::TripleDes,
        #[cfg(feature = "3des")]
        BlockAlgorithm::Des,
        #[cfg(feature = "seed")]
        BlockAlgorithm::Seed,
    ];

    /// OpenSSL's name for the algorithm in CBC mode, as encrypted PEM keys write it in
    /// `DEK-Info` (`AES-128-CBC`, `DES-EDE3-CBC`, `DES-CBC`, `SEED-CBC`, …).
    pub const fn cbc_name(self) -> &'static str {
        match self {
            #[cfg(feature = "aes-128")]
            BlockAlgorithm::Aes128 => "AES-128-CBC",
            #[cfg(feature = "aes")]
            BlockAlgorithm::Aes192 => "AES-192-CBC",
            #[cfg(feature = "aes-256")]
            BlockAlgorithm::Aes256 => "AES-256-CBC",
            #[cfg(feature = "3des")]
            BlockAlgorithm::TripleDes => "DES-EDE3-CBC",
            #[cfg(feature = "3des")]
            BlockAlgorithm::Des => "DES-CBC",
            #[cfg(feature = "seed")]
            BlockAlgorithm::Seed => "SEED-CBC",
        }
    }

    /// The algorithm whose [`cbc_name`](Self::cbc_name) is `name` (ASCII case-insensitive),
    /// if this build has it: lets key loaders name algorithms without knowing which cipher
    /// features are on.
    pub fn by_cbc_name(name: &str) -> Option<Self> {
        // The slice iterator's own `find` (a plain loop); `copied()` before it would go
        // through the adapter's `try_fold` instead (0.1 KB more on a Cortex-M4).
        Self::ALL
            .iter()
            .find(|a| a.cbc_name().eq_ignore_ascii_case(name))
            .copied()
    }

    /// The block length in bytes (also the IV length in CBC mode).
    pub const fn block_len(self) -> usize {
        match self {
            #[cfg(feature = "aes-128")]
            BlockAlgorithm::Aes128 => 16,
            #[cfg(feature = "aes")]
            BlockAlgorithm::Aes192 => 16,
            #[cfg(feature = "aes-256")]
            BlockAlgorithm::Aes256 => 16,
            #[cfg(feature = "3des")]
            BlockAlgorithm::TripleDes | BlockAlgorithm::Des => 8,
            #[cfg(feature = "seed")]
            BlockAlgorithm::Seed => 16,
        }
    }
}
