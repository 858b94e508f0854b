//! matrix-x509: certificates, chains and private keys as MatrixSSL loads them.
//!
//! - [`pem`]: PEM blocks, including the RFC 1421 headers of encrypted traditional keys
//!   (feature `pem-decode`; without it PEM input is `PS_UNSUPPORTED_FAIL` everywhere);
//! - [`der`]: the small DER reader everything here is parsed with;
//! - [`X509Cert`]: every field of MatrixSSL's `psX509Cert_t` (version, serial, issuer and
//!   subject [`DistinguishedName`]s, validity [`CertTime`]s, [`PublicKey`], signature
//!   algorithms, unique ids, [`Extensions`], [`AuthStatus`], the unparsed DER), plus the
//!   date and host-name checks MatrixSSL left to its users' callbacks;
//! - [`CertChain`]: chains from PEM, concatenated DER or `;`-separated file lists, and
//!   [`authenticate`], which sets each certificate's `authStatus` against trusted CAs and
//!   gives the alert MatrixSSL passes to the certificate callback; beyond MatrixSSL 3.2 it
//!   refuses unknown critical extensions (RFC 5280 4.2; feature
//!   `allow-unknown-critical-extensions` for the old behaviour) and applies
//!   [`NameConstraints`] (4.2.1.10);
//! - [`key`]: RSA private keys from PKCS#1, PKCS#8 (plain and encrypted) and encrypted
//!   traditional PEM; `pkcs12` (feature `pkcs12`): PKCS#12 files; [`pbe`]: the password-based schemes;
//! - `ec_key` (feature `ecc`): EC private keys (SEC 1, PKCS#8, encrypted); with it,
//!   certificates carry `PublicKey::Ec` keys on P-256 and P-384 and chains verify
//!   ECDSA signatures, mixed with RSA ones;
//! - [`DhParams`]: Diffie-Hellman parameters.

#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

// `ecc-core` is the code the curve features share: it needs one of them.
#[cfg(all(
    feature = "ecc-core",
    not(any(feature = "secp256r1", feature = "secp384r1"))
))]
compile_error!("`ecc-core` needs a curve: add `ecc`, `secp256r1` or `secp384r1`");

#[cfg(all(feature = "certificates", feature = "cert-parse-with-x509"))]
mod auth;
#[cfg(all(feature = "certificates", feature = "cert-parse-with-x509"))]
mod cert;
#[cfg(all(feature = "certificates", feature = "cert-parse-with-x509"))]
mod chain;
pub mod der;
mod dhparams;
#[cfg(feature = "ecc-core")]
pub mod ec_key;
#[cfg(all(feature = "certificates", feature = "cert-parse-with-x509"))]
mod extensions;
#[cfg(all(feature = "certificates", feature = "cert-parse-with-x509"))]
mod heap;
#[cfg(feature = "private-key-parsing")]
#[cfg_attr(docsrs, doc(cfg(feature = "private-key-parsing")))]
pub mod key;
#[cfg(all(feature = "certificates", feature = "cert-parse-with-x509"))]
mod name;
#[cfg(feature = "name-constraints")]
mod name_constraints;
pub mod oid;
#[cfg(any(feature = "pkcs5", feature = "pkcs8"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "pkcs5", feature = "pkcs8"))))]
pub mod pbe;
pub mod pem;
#[cfg(feature = "pkcs12")]
#[cfg_attr(docsrs, doc(cfg(feature = "pkcs12")))]
pub mod pkcs12;
#[cfg(all(feature = "certificates", feature = "cert-parse-with-x509"))]
mod time;

#[cfg(all(feature = "certificates", feature = "cert-parse-with-x509"))]
#[cfg_attr(
    docsrs,
    doc(cfg(all(feature = "certificates", feature = "cert-parse-with-x509")))
)]
pub use auth::{ChainAlert, authenticate, verify_signature};
#[cfg(all(feature = "certificates", feature = "cert-parse-with-x509"))]
#[cfg_attr(
    docsrs,
    doc(cfg(all(feature = "certificates", feature = "cert-parse-with-x509")))
)]
pub use cert::{AuthStatus, MAX_CERT_SIZE, PublicKey, SignatureAlgorithm, X509Cert};
#[cfg(all(feature = "certificates", feature = "cert-parse-with-x509"))]
#[cfg_attr(
    docsrs,
    doc(cfg(all(feature = "certificates", feature = "cert-parse-with-x509")))
)]
pub use chain::CertChain;
pub use dhparams::DhParams;
#[cfg(all(feature = "certificates", feature = "cert-parse-with-x509"))]
#[cfg_attr(
    docsrs,
    doc(cfg(all(feature = "certificates", feature = "cert-parse-with-x509")))
)]
pub use extensions::{BasicConstraints, Extensions, KeyUsage, SubjectAltName, UnknownExtension};
#[cfg(all(feature = "certificates", feature = "cert-parse-with-x509"))]
#[cfg_attr(
    docsrs,
    doc(cfg(all(feature = "certificates", feature = "cert-parse-with-x509")))
)]
pub use name::{AsnStringType, DistinguishedName, DnString};
#[cfg(feature = "name-constraints")]
#[cfg_attr(docsrs, doc(cfg(feature = "name-constraints")))]
pub use name_constraints::{MAX_NAME_CHECKS, NameConstraints};
#[cfg(all(feature = "certificates", feature = "cert-parse-with-x509"))]
#[cfg_attr(
    docsrs,
    doc(cfg(all(feature = "certificates", feature = "cert-parse-with-x509")))
)]
pub use time::{CertTime, TimeType};
