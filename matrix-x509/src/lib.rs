//! matrix-x509: certificates, chains and private keys as MatrixSSL loads them.
//!
//! This crate will own (see the X.509 issue and `DESIGN.md`): PEM decoding, including
//! encrypted traditional PEM (`Proc-Type: 4,ENCRYPTED`); the `X509Cert` type with every field
//! of MatrixSSL's `psX509Cert_t` and its `authStatus`; chain parsing and authentication
//! (`PS_CERT_AUTH_PASS`, `_FAIL_BC`, `_FAIL_DN`, `_FAIL_SIG`); RSA private keys in PKCS#1,
//! PKCS#8 (plain and encrypted) and PKCS#12; DH parameters; and the date and host-name checks
//! that MatrixSSL left to its users' callbacks.
//!
//! Until that issue lands the crate holds no public items; its features are declared so that
//! `FEATURES.md` is complete and builds can already select them.

#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
