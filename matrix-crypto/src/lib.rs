//! matrix-crypto: every algorithm MatrixSSL 3.2 needs, behind small traits of our own.
//!
//! The protocol crates name only this crate's types, never a dependency's, so an algorithm
//! can be swapped for a faster or smaller one without touching the TLS code. Each algorithm
//! sits behind the Cargo feature of its MatrixSSL define (see `FEATURES.md`).
//!
//! - [`alg`]: identifiers shared by every module (hash algorithms);
//! - [`random`]: the [`random::SecureRandom`] trait every consumer of randomness takes;
//! - `hash`, `mac`, `prf`, `kdf`, `drbg`: digests, HMAC and the SSLv3 MAC, the SSLv3 and
//!   TLS 1.0/1.1 key derivations and Finished hashes, the TLS 1.2 PRF (`prf12`), PBKDF1/PBKDF2/PKCS#12 KDF, HMAC-DRBG;
//! - [`cipher`]: AES, 3DES/DES, SEED in CBC mode with caller-managed IV, RC4, PKCS#7 padding;
//! - `bignum`, `rsa`, `dh`: constant-time Montgomery arithmetic, RSA PKCS#1 v1.5 and
//!   Diffie-Hellman;
//! - `ec`: ECDH over P-256, P-384 and X25519, ECDSA over P-256 and P-384 (feature `ecc`).

#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

pub mod alg;
#[cfg(any(feature = "rsa", feature = "dh"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "rsa", feature = "dh"))))]
pub mod bignum;
pub mod cipher;
#[cfg(feature = "dh")]
#[cfg_attr(docsrs, doc(cfg(feature = "dh")))]
pub mod dh;
pub mod drbg;
#[cfg(any(feature = "ecc-p256", feature = "ecc-p384", feature = "x25519"))]
pub mod ec;
pub mod hash;
// Compiled in every build: `Hash`'s hidden hooks name its state type (a build whose hashes
// are all RustCrypto's links none of its code).
mod hash_compact;
pub mod kdf;
pub mod mac;
pub mod prf;
#[cfg(feature = "hmac")]
pub mod prf12;
pub mod random;
#[cfg(feature = "rsa")]
#[cfg_attr(docsrs, doc(cfg(feature = "rsa")))]
pub mod rsa;

pub use matrix_core::{Error, Result};
