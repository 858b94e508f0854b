//! matrix-x509: certificates, chains and private keys as MatrixSSL loads them.
//!
//! - [`pem`]: PEM blocks, including the RFC 1421 headers of encrypted traditional keys;
//! - [`der`]: the small DER reader everything here is parsed with;
//! - [`X509Cert`]: every field of MatrixSSL's `psX509Cert_t` (version, serial, issuer and
//!   subject [`DistinguishedName`]s, validity [`CertTime`]s, [`PublicKey`], signature
//!   algorithms, unique ids, [`Extensions`], [`AuthStatus`], the unparsed DER), plus the
//!   date and host-name checks MatrixSSL left to its users' callbacks;
//! - [`CertChain`]: chains from PEM, concatenated DER or `;`-separated file lists.
//!
//! Still to come in the X.509 issue: chain authentication (`authStatus`), private keys
//! (PKCS#1, PKCS#8, encrypted PEM, PKCS#12) and DH parameters, which need matrix-crypto's
//! RSA, hashes, ciphers and KDFs.

#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

#[cfg(feature = "cert-parse")]
mod cert;
#[cfg(feature = "cert-parse")]
mod chain;
pub mod der;
#[cfg(feature = "cert-parse")]
mod extensions;
#[cfg(feature = "cert-parse")]
mod name;
pub mod oid;
pub mod pem;
#[cfg(feature = "cert-parse")]
mod time;

#[cfg(feature = "cert-parse")]
pub use cert::{AuthStatus, MAX_CERT_SIZE, PublicKey, SignatureAlgorithm, X509Cert};
#[cfg(feature = "cert-parse")]
pub use chain::CertChain;
#[cfg(feature = "cert-parse")]
pub use extensions::{BasicConstraints, Extensions, KeyUsage, SubjectAltName, UnknownExtension};
#[cfg(feature = "cert-parse")]
pub use name::{AsnStringType, DistinguishedName, DnString};
#[cfg(feature = "cert-parse")]
pub use time::{CertTime, TimeType};
