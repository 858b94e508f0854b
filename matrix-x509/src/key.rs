//! RSA private keys as MatrixSSL loads them (`matrixSslLoadRsaKeys` / `…Mem`): PKCS#1
//! `RSAPrivateKey` (RFC 8017 appendix A.1.2) in DER or PEM; with `pkcs5`, traditional
//! encrypted PEM (`Proc-Type: 4,ENCRYPTED`, `DEK-Info`, key from OpenSSL's EVP_BytesToKey
//! with MD5); with `pkcs8`, PKCS#8 `PrivateKeyInfo` (RFC 5208) plain and encrypted
//! (`EncryptedPrivateKeyInfo` with PBES2 or the PKCS#12 3DES scheme).
//!
//! A wrong password is `PS_AUTH_FAIL`, never a garbage key: after decryption the padding,
//! the DER structure and the key's own consistency (p·q = n, CRT values) are all checked.

use matrix_core::{Error, ps_error};
use matrix_crypto::rsa::RsaPrivateKey;

use crate::der::{Der, tag};
#[cfg(feature = "pkcs8")]
use crate::oid;
use crate::pem;
#[cfg(feature = "pem-decode")]
use crate::pem::PemBlock;

/// Parses a PKCS#1 `RSAPrivateKey` (two-prime only).
pub fn rsa_private_key_from_pkcs1(der: &[u8]) -> Result<RsaPrivateKey, Error> {
    let mut outer = Der::new(der);
    let mut k = outer.sequence()?;
    outer.finish()?;
    if k.small_uint()? != 0 {
        // Version 1 is multi-prime, which neither MatrixSSL nor TLS peers use.
        return Err(Error::UnsupportedFail);
    }
    let n = k.unsigned_integer()?;
    let e = k.unsigned_integer()?;
    let d = k.unsigned_integer()?;
    let p = k.unsigned_integer()?;
    let q = k.unsigned_integer()?;
    let dp = k.unsigned_integer()?;
    let dq = k.unsigned_integer()?;
    let qinv = k.unsigned_integer()?;
    k.finish()?;
    RsaPrivateKey::from_components(n, e, d, p, q, dp, dq, qinv).map_err(|_| Error::ParseFail)
}

/// Parses a PKCS#8 `PrivateKeyInfo` holding an RSA key.
#[cfg(feature = "pkcs8")]
#[cfg_attr(docsrs, doc(cfg(feature = "pkcs8")))]
pub fn rsa_private_key_from_pkcs8(der: &[u8]) -> Result<RsaPrivateKey, Error> {
    let mut outer = Der::new(der);
    let mut info = outer.sequence()?;
    outer.finish()?;
    if info.small_uint()? > 1 {
        return Err(Error::ParseFail);
    }
    let mut alg = info.sequence()?;
    if alg.oid()? != oid::RSA_ENCRYPTION {
        return Err(Error::UnsupportedFail);
    }
    let _ = alg.read_optional(tag::NULL)?;
    alg.finish()?;
    let key = info.read(tag::OCTET_STRING)?;
    // Attributes [0] and, in version 2, the public key [1] may follow: nothing we need.
    rsa_private_key_from_pkcs1(key)
}

/// Decrypts a PKCS#8 `EncryptedPrivateKeyInfo` and parses the RSA key inside.
#[cfg(feature = "pkcs8")]
#[cfg_attr(docsrs, doc(cfg(feature = "pkcs8")))]
pub fn rsa_private_key_from_encrypted_pkcs8(
    der: &[u8],
    password: &[u8],
) -> Result<RsaPrivateKey, Error> {
    let plain = crate::pbe::decrypt_pkcs8(der, password)?;
    rsa_private_key_from_pkcs8(&plain).map_err(|_| Error::AuthFail)
}

/// Decrypts the body of a traditional encrypted PEM key (it lives in [`crate::pbe`], shared
/// with the EC keys; kept here under its old path).
#[cfg(all(feature = "pkcs5", feature = "pem-decode"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "pkcs5", feature = "pem-decode"))))]
pub use crate::pbe::decrypt_traditional_pem;

/// Loads an RSA private key from PEM or DER in any encoding this build supports;
/// `password` is needed for encrypted keys (`PS_ARG_FAIL` without it). PEM in a build
/// without `pem-decode` is `PS_UNSUPPORTED_FAIL`.
pub fn load_rsa_private_key(data: &[u8], password: Option<&[u8]>) -> Result<RsaPrivateKey, Error> {
    if pem::is_pem(data) {
        return from_pem(data, password);
    }
    from_der_any(data, password)
}

#[cfg(feature = "pem-decode")]
fn from_pem(data: &[u8], password: Option<&[u8]>) -> Result<RsaPrivateKey, Error> {
    let blocks = pem::parse_all_bytes(data)?;
    let block = blocks
        .iter()
        .find(|b| b.label.ends_with("PRIVATE KEY"))
        .ok_or_else(|| ps_error!(Error::ParseFail, "no PRIVATE KEY block in PEM data"))?;
    from_pem_block(block, password)
}

#[cfg(not(feature = "pem-decode"))]
fn from_pem(_: &[u8], _: Option<&[u8]>) -> Result<RsaPrivateKey, Error> {
    Err(pem::refused())
}

/// Loads an RSA private key from a file (PEM or DER).
#[cfg(feature = "file-system")]
#[cfg_attr(docsrs, doc(cfg(feature = "file-system")))]
pub fn load_rsa_private_key_file(
    path: &str,
    password: Option<&[u8]>,
) -> Result<RsaPrivateKey, Error> {
    let data = zeroize::Zeroizing::new(
        std::fs::read(path)
            .map_err(|e| ps_error!(Error::PlatformFail, "cannot read {path}: {e}"))?,
    );
    load_rsa_private_key(&data, password)
        .map_err(|e| ps_error!(e, "cannot load a private key from {path}"))
}

#[cfg(feature = "pem-decode")]
fn from_pem_block(block: &PemBlock, password: Option<&[u8]>) -> Result<RsaPrivateKey, Error> {
    match block.label.as_str() {
        "RSA PRIVATE KEY"
            if block
                .header("Proc-Type")
                .is_some_and(|v| v.contains("ENCRYPTED")) =>
        {
            traditional_encrypted(block, password)
        }
        "RSA PRIVATE KEY" => rsa_private_key_from_pkcs1(&block.der),
        "PRIVATE KEY" => pkcs8_plain(&block.der),
        "ENCRYPTED PRIVATE KEY" => pkcs8_encrypted(&block.der, password),
        other => Err(ps_error!(
            Error::UnsupportedFail,
            "PEM key type {other} is not supported"
        )),
    }
}

fn from_der_any(der: &[u8], password: Option<&[u8]>) -> Result<RsaPrivateKey, Error> {
    // The three DER forms differ in their first element: PKCS#1 and PKCS#8 start with a
    // version INTEGER, encrypted PKCS#8 with an AlgorithmIdentifier SEQUENCE; PKCS#1's
    // second element is an INTEGER (n), PKCS#8's a SEQUENCE.
    let mut outer = Der::new(der);
    let mut top = outer.sequence()?;
    match (top.read_any()?.tag, top.peek_tag()) {
        (tag::INTEGER, Some(tag::INTEGER)) => rsa_private_key_from_pkcs1(der),
        (tag::INTEGER, Some(tag::SEQUENCE)) => pkcs8_plain(der),
        (tag::SEQUENCE, _) => pkcs8_encrypted(der, password),
        _ => Err(Error::ParseFail),
    }
}

#[cfg(all(feature = "pkcs5", feature = "pem-decode"))]
fn traditional_encrypted(
    block: &PemBlock,
    password: Option<&[u8]>,
) -> Result<RsaPrivateKey, Error> {
    let password = password.ok_or_else(|| {
        ps_error!(
            Error::ArgFail,
            "the private key is encrypted: a password is needed"
        )
    })?;
    let plain = decrypt_traditional_pem(block, password)?;
    rsa_private_key_from_pkcs1(&plain).map_err(|_| Error::AuthFail)
}

#[cfg(all(not(feature = "pkcs5"), feature = "pem-decode"))]
fn traditional_encrypted(_: &PemBlock, _: Option<&[u8]>) -> Result<RsaPrivateKey, Error> {
    Err(ps_error!(
        Error::DisabledFeatureFail,
        "encrypted PEM keys need matrix-x509's pkcs5 feature"
    ))
}

#[cfg(feature = "pkcs8")]
fn pkcs8_plain(der: &[u8]) -> Result<RsaPrivateKey, Error> {
    rsa_private_key_from_pkcs8(der)
}

#[cfg(not(feature = "pkcs8"))]
fn pkcs8_plain(_: &[u8]) -> Result<RsaPrivateKey, Error> {
    Err(ps_error!(
        Error::DisabledFeatureFail,
        "PKCS#8 keys need matrix-x509's pkcs8 feature"
    ))
}

#[cfg(feature = "pkcs8")]
fn pkcs8_encrypted(der: &[u8], password: Option<&[u8]>) -> Result<RsaPrivateKey, Error> {
    let password = password.ok_or_else(|| {
        ps_error!(
            Error::ArgFail,
            "the private key is encrypted: a password is needed"
        )
    })?;
    rsa_private_key_from_encrypted_pkcs8(der, password)
}

#[cfg(not(feature = "pkcs8"))]
fn pkcs8_encrypted(_: &[u8], _: Option<&[u8]>) -> Result<RsaPrivateKey, Error> {
    Err(ps_error!(
        Error::DisabledFeatureFail,
        "encrypted PKCS#8 keys need matrix-x509's pkcs8 feature"
    ))
}
