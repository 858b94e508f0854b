//! EC private keys as MatrixSSL 3.x's `matrixSslLoadEcKeys` loads them (feature `ecc`):
//! SEC 1 `ECPrivateKey` (RFC 5915) in DER or (with `pem-decode`) PEM (`EC PRIVATE KEY`), PKCS#8
//! `PrivateKeyInfo` with id-ecPublicKey (RFC 5208, RFC 5480), and with the `pkcs8` feature
//! encrypted PKCS#8, with `pkcs5` encrypted traditional PEM (`Proc-Type: 4,ENCRYPTED`).
//! Named curves P-256 and P-384 only (RFC 5480 section 2.1.1).
//!
//! The key is checked before it is returned: its scalar lies in `[1, n)` and, when the file
//! carries the public key too (`ECPrivateKey.publicKey`), that point is the scalar's. A
//! decrypted key that fails any check is a wrong password, `PS_AUTH_FAIL`.

use matrix_core::{Error, ps_error};
use matrix_crypto::ec::{EcPrivateKey, NamedCurve};

use crate::der::{Der, tag};
use crate::oid;
use crate::pem;
#[cfg(feature = "pem-decode")]
use crate::pem::PemBlock;

/// Reads `ECParameters` (RFC 5480 section 2.1.1): the curve if it is a `namedCurve` this
/// build has (features `secp256r1`, `secp384r1`), `None` for another named curve, a curve
/// not compiled in, or implicit/explicit parameters (not allowed in PKIX).
pub(crate) fn named_curve(d: &mut Der<'_>) -> Result<Option<NamedCurve>, Error> {
    if d.peek_tag() != Some(tag::OID) {
        let _ = d.read_any()?;
        return Ok(None);
    }
    // Slice comparisons (a `bcmp` call each) rather than a match on the two OIDs, which
    // compares them byte by byte inline.
    let o = d.oid()?;
    let curve = if o == oid::SECP256R1 {
        Some(NamedCurve::Secp256r1)
    } else if o == oid::SECP384R1 {
        Some(NamedCurve::Secp384r1)
    } else {
        None
    };
    Ok(curve.filter(|c| c.is_enabled()))
}

/// Parses a SEC 1 `ECPrivateKey` (RFC 5915 section 3). `curve` is the curve named outside
/// it (PKCS#8's AlgorithmIdentifier), if any; the key's own `parameters`, when present,
/// must agree. `PS_UNSUPPORTED_FAIL` for a curve matrix does not have.
pub fn ec_private_key_from_sec1(
    der: &[u8],
    curve: Option<NamedCurve>,
) -> Result<EcPrivateKey, Error> {
    let mut outer = Der::new(der);
    let mut k = outer.sequence()?;
    outer.finish()?;
    if k.small_uint()? != 1 {
        return Err(Error::ParseFail);
    }
    let scalar = k.read(tag::OCTET_STRING)?;
    let inner_curve = match k.read_optional(tag::context(0))? {
        Some(params) => {
            let mut p = Der::new(params);
            let c = named_curve(&mut p)?.ok_or(Error::UnsupportedFail)?;
            p.finish()?;
            Some(c)
        }
        None => None,
    };
    let public = match k.read_optional(tag::context(1))? {
        Some(bits) => {
            let mut b = Der::new(bits);
            let (unused, point) = b.bit_string()?;
            b.finish()?;
            if unused != 0 {
                return Err(Error::ParseFail);
            }
            Some(point)
        }
        None => None,
    };
    k.finish()?;
    let curve = match (curve, inner_curve) {
        (Some(a), Some(b)) if a != b => return Err(Error::ParseFail),
        (Some(c), _) | (None, Some(c)) => c,
        (None, None) => return Err(ps_error!(Error::ParseFail, "EC key without a curve")),
    };
    if scalar.is_empty() || scalar.len() > curve.field_len() {
        return Err(Error::ParseFail);
    }
    let key = EcPrivateKey::from_scalar(curve, scalar).map_err(|_| Error::ParseFail)?;
    if let Some(point) = public
        && key.public_key().to_sec1() != point
    {
        return Err(ps_error!(
            Error::ParseFail,
            "the EC key's public point is not its private scalar's"
        ));
    }
    Ok(key)
}

/// Parses a PKCS#8 `PrivateKeyInfo` holding an EC key (`PS_UNSUPPORTED_FAIL` for another
/// algorithm).
pub fn ec_private_key_from_pkcs8(der: &[u8]) -> Result<EcPrivateKey, Error> {
    let mut outer = Der::new(der);
    let mut info = outer.sequence()?;
    outer.finish()?;
    if info.small_uint()? > 1 {
        return Err(Error::ParseFail);
    }
    let mut alg = info.sequence()?;
    if alg.oid()? != oid::EC_PUBLIC_KEY {
        return Err(Error::UnsupportedFail);
    }
    let curve = named_curve(&mut alg)?.ok_or(Error::UnsupportedFail)?;
    alg.finish()?;
    let key = info.read(tag::OCTET_STRING)?;
    // Attributes [0] and the version-2 public key [1] may follow: the SEC 1 structure
    // inside carries what we check.
    ec_private_key_from_sec1(key, Some(curve))
}

/// Decrypts a PKCS#8 `EncryptedPrivateKeyInfo` (PBES2 or the PKCS#12 3DES scheme) and
/// parses the EC key inside. A wrong password is `PS_AUTH_FAIL`.
#[cfg(feature = "pkcs8")]
pub fn ec_private_key_from_encrypted_pkcs8(
    der: &[u8],
    password: &[u8],
) -> Result<EcPrivateKey, Error> {
    let plain = crate::pbe::decrypt_pkcs8(der, password)?;
    ec_private_key_from_pkcs8(&plain).map_err(|_| Error::AuthFail)
}

/// Loads an EC private key from PEM or DER in any encoding this build supports;
/// `password` is needed for encrypted keys (`PS_ARG_FAIL` without it).
pub fn load_ec_private_key(data: &[u8], password: Option<&[u8]>) -> Result<EcPrivateKey, Error> {
    if pem::is_pem(data) {
        return from_pem(data, password);
    }
    // SEC 1 starts with INTEGER 1 then an OCTET STRING, PKCS#8 with INTEGER 0 then a
    // SEQUENCE, encrypted PKCS#8 with a SEQUENCE.
    let mut outer = Der::new(data);
    let mut top = outer.sequence()?;
    match (top.read_any()?.tag, top.peek_tag()) {
        (tag::INTEGER, Some(tag::OCTET_STRING)) => ec_private_key_from_sec1(data, None),
        (tag::INTEGER, Some(tag::SEQUENCE)) => ec_private_key_from_pkcs8(data),
        (tag::SEQUENCE, _) => pkcs8_encrypted(data, need(password)?),
        _ => Err(Error::ParseFail),
    }
}

#[cfg(feature = "pem-decode")]
fn from_pem(data: &[u8], password: Option<&[u8]>) -> Result<EcPrivateKey, Error> {
    // `openssl ecparam -genkey` writes an `EC PARAMETERS` block before the key.
    let blocks = pem::parse_all_bytes(data)?;
    let block = blocks
        .iter()
        .find(|b| b.label.ends_with("PRIVATE KEY"))
        .ok_or_else(|| ps_error!(Error::ParseFail, "no PRIVATE KEY block in PEM data"))?;
    match block.label.as_str() {
        "EC PRIVATE KEY"
            if block
                .header("Proc-Type")
                .is_some_and(|v| v.contains("ENCRYPTED")) =>
        {
            traditional_encrypted(block, password)
        }
        "EC PRIVATE KEY" => ec_private_key_from_sec1(&block.der, None),
        "PRIVATE KEY" => ec_private_key_from_pkcs8(&block.der),
        "ENCRYPTED PRIVATE KEY" => pkcs8_encrypted(&block.der, need(password)?),
        other => Err(ps_error!(
            Error::UnsupportedFail,
            "PEM key type {other} is not an EC key"
        )),
    }
}

#[cfg(not(feature = "pem-decode"))]
fn from_pem(_: &[u8], _: Option<&[u8]>) -> Result<EcPrivateKey, Error> {
    Err(pem::refused())
}

/// Loads an EC private key from a file (PEM or DER).
#[cfg(feature = "file-system")]
pub fn load_ec_private_key_file(
    path: &str,
    password: Option<&[u8]>,
) -> Result<EcPrivateKey, Error> {
    let data = zeroize::Zeroizing::new(
        std::fs::read(path)
            .map_err(|e| ps_error!(Error::PlatformFail, "cannot read {path}: {e}"))?,
    );
    load_ec_private_key(&data, password)
        .map_err(|e| ps_error!(e, "cannot load an EC private key from {path}"))
}

fn need(password: Option<&[u8]>) -> Result<&[u8], Error> {
    password.ok_or_else(|| {
        ps_error!(
            Error::ArgFail,
            "the private key is encrypted: a password is needed"
        )
    })
}

#[cfg(all(feature = "pkcs5", feature = "pem-decode"))]
fn traditional_encrypted(block: &PemBlock, password: Option<&[u8]>) -> Result<EcPrivateKey, Error> {
    let plain = crate::pbe::decrypt_traditional_pem(block, need(password)?)?;
    ec_private_key_from_sec1(&plain, None).map_err(|_| Error::AuthFail)
}

#[cfg(all(not(feature = "pkcs5"), feature = "pem-decode"))]
fn traditional_encrypted(_: &PemBlock, _: Option<&[u8]>) -> Result<EcPrivateKey, Error> {
    Err(ps_error!(
        Error::DisabledFeatureFail,
        "encrypted PEM keys need matrix-x509's pkcs5 feature"
    ))
}

#[cfg(feature = "pkcs8")]
fn pkcs8_encrypted(der: &[u8], password: &[u8]) -> Result<EcPrivateKey, Error> {
    ec_private_key_from_encrypted_pkcs8(der, password)
}

#[cfg(not(feature = "pkcs8"))]
fn pkcs8_encrypted(_: &[u8], _: &[u8]) -> Result<EcPrivateKey, Error> {
    Err(ps_error!(
        Error::DisabledFeatureFail,
        "encrypted PKCS#8 keys need matrix-x509's pkcs8 feature"
    ))
}
