//! PKCS#12 files (RFC 7292): the certificates and the private key of a `.p12`/`.pfx`, with
//! the password-based MAC checked first (HMAC keyed by the PKCS#12 KDF, SHA-1 or SHA-256),
//! then the bags decrypted: PBES2 (OpenSSL 3's default) or the PKCS#12 3DES scheme (what
//! `openssl pkcs12 -legacy` and older tools write).
//!
//! The key may be RSA (feature `private-key-parsing`) or (feature `ecc`) EC on P-256 or
//! P-384 (RFC 5915 inside the PKCS#8 bag), as `openssl pkcs12 -export` writes either. A key
//! of a type the build lacks is `PS_UNSUPPORTED_FAIL`: an ECDSA-only build reads EC files
//! without compiling any RSA code.
//!
//! A wrong password fails the MAC: `PS_AUTH_FAIL` before anything is decrypted.

use alloc::vec::Vec;

use matrix_core::{Error, ps_error};
use matrix_crypto::alg::HashAlgorithm;
#[cfg(feature = "ecc-core")]
use matrix_crypto::ec::EcPrivateKey;
use matrix_crypto::hash::{Hash, Sha1, Sha256};
use matrix_crypto::kdf;
use matrix_crypto::mac::Hmac;
#[cfg(feature = "private-key-parsing")]
use matrix_crypto::rsa::RsaPrivateKey;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

use crate::X509Cert;
use crate::der::{Der, tag};
use crate::oid;

/// id-data (1.2.840.113549.1.7.1).
const DATA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01];
/// id-encryptedData (1.2.840.113549.1.7.6).
const ENCRYPTED_DATA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x06];
/// keyBag, pkcs8ShroudedKeyBag, certBag (1.2.840.113549.1.12.10.1.1/.2/.3).
const KEY_BAG: &[u8] = &[
    0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x0A, 0x01, 0x01,
];
const SHROUDED_KEY_BAG: &[u8] = &[
    0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x0A, 0x01, 0x02,
];
const CERT_BAG: &[u8] = &[
    0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x0A, 0x01, 0x03,
];
/// x509Certificate cert type (1.2.840.113549.1.9.22.1).
const X509_CERTIFICATE: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x09, 0x16, 0x01];
/// id-sha1 (1.3.14.3.2.26) and id-sha256 (2.16.840.1.101.3.4.2.1).
const SHA1: &[u8] = &[0x2B, 0x0E, 0x03, 0x02, 0x1A];
const SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];

/// What a PKCS#12 file held.
pub struct Pkcs12 {
    /// The certificates, in file order (OpenSSL writes the end entity first).
    pub certs: Vec<X509Cert>,
    /// The RSA private key, if the file had one (feature `private-key-parsing`).
    #[cfg(feature = "private-key-parsing")]
    #[cfg_attr(docsrs, doc(cfg(feature = "private-key-parsing")))]
    pub key: Option<RsaPrivateKey>,
    /// The EC private key, if the file had one instead of an RSA key (feature `ecc`).
    #[cfg(feature = "ecc-core")]
    #[cfg_attr(docsrs, doc(cfg(feature = "ecc-core")))]
    pub ec_key: Option<EcPrivateKey>,
}

impl Pkcs12 {
    /// Parses a DER PKCS#12 file, checking its MAC with `password` first.
    pub fn from_der(der: &[u8], password: &str) -> Result<Self, Error> {
        Self::from_der_with_mac_password(der, password, password)
    }

    /// [`Pkcs12::from_der`] with a separate integrity password (`matrixSslLoadPkcs12`'s
    /// `macPass`): the MAC is checked with `mac_password`, the bags are decrypted with
    /// `password` (the import password).
    pub fn from_der_with_mac_password(
        der: &[u8],
        password: &str,
        mac_password: &str,
    ) -> Result<Self, Error> {
        let mut outer = Der::new(der);
        let mut pfx = outer.sequence()?;
        outer.finish()?;
        if pfx.small_uint()? != 3 {
            return Err(Error::UnsupportedFail);
        }
        let auth_safe = data_content(&mut pfx)?;
        if pfx.is_empty() {
            // RFC 7292 allows no MAC for public-key integrity mode, which matrix does not
            // support: a password file without a MAC cannot prove the password right.
            return Err(ps_error!(
                Error::UnsupportedFail,
                "PKCS#12 file without a MAC"
            ));
        }
        check_mac(&mut pfx, auth_safe, mac_password)?;
        pfx.finish()?;

        let mut out = Pkcs12 {
            certs: Vec::new(),
            #[cfg(feature = "private-key-parsing")]
            key: None,
            #[cfg(feature = "ecc-core")]
            ec_key: None,
        };
        let mut outer = Der::new(auth_safe);
        let mut safes = outer.sequence()?;
        outer.finish()?;
        while !safes.is_empty() {
            let mut ci = safes.sequence()?;
            match ci.oid()? {
                DATA => {
                    let mut explicit = ci.constructed(tag::context(0))?;
                    let contents = explicit.read(tag::OCTET_STRING)?;
                    explicit.finish()?;
                    out.read_bags(contents, password)?;
                }
                ENCRYPTED_DATA => {
                    let mut explicit = ci.constructed(tag::context(0))?;
                    let mut ed = explicit.sequence()?;
                    explicit.finish()?;
                    let _version = ed.small_uint()?;
                    let mut eci = ed.sequence()?;
                    ed.finish()?;
                    if eci.oid()? != DATA {
                        return Err(Error::ParseFail);
                    }
                    let alg = eci.read_tlv(tag::SEQUENCE)?;
                    let data = eci.read(tag::context_primitive(0))?;
                    eci.finish()?;
                    let plain = crate::pbe::decrypt(alg.raw, password.as_bytes(), data)?;
                    out.read_bags(&plain, password)?;
                }
                _ => return Err(Error::UnsupportedFail),
            }
            ci.finish()?;
        }
        Ok(out)
    }

    fn read_bags(&mut self, safe_contents: &[u8], password: &str) -> Result<(), Error> {
        let mut outer = Der::new(safe_contents);
        let mut bags = outer.sequence()?;
        outer.finish()?;
        while !bags.is_empty() {
            let mut bag = bags.sequence()?;
            let id = bag.oid()?;
            let mut value = bag.constructed(tag::context(0))?;
            // bagAttributes (friendlyName, localKeyId) follow: not needed.
            match id {
                CERT_BAG => {
                    let mut cb = value.sequence()?;
                    if cb.oid()? != X509_CERTIFICATE {
                        continue;
                    }
                    let mut explicit = cb.constructed(tag::context(0))?;
                    let der = explicit.read(tag::OCTET_STRING)?;
                    self.certs.push(X509Cert::from_der(der)?);
                }
                KEY_BAG => {
                    let info = value.read_tlv(tag::SEQUENCE)?;
                    self.add_key(info.raw)?;
                }
                SHROUDED_KEY_BAG => {
                    let info = value.read_tlv(tag::SEQUENCE)?;
                    let plain = crate::pbe::decrypt_pkcs8(info.raw, password.as_bytes())?;
                    // Garbage from a wrong import password (its padding passes one time in
                    // 256) does not parse: a wrong password, not a malformed file.
                    self.add_key(&plain).map_err(|e| match e {
                        Error::ParseFail => Error::AuthFail,
                        other => other,
                    })?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Adds the key of a PKCS#8 `PrivateKeyInfo`, RSA or EC by its algorithm.
    fn add_key(&mut self, info: &[u8]) -> Result<(), Error> {
        if self.has_rsa_key() || self.has_ec_key() {
            return Err(ps_error!(
                Error::UnsupportedFail,
                "PKCS#12 file with several keys"
            ));
        }
        match pkcs8_algorithm(info)? {
            oid::RSA_ENCRYPTION => self.add_rsa_key(info)?,
            oid::EC_PUBLIC_KEY => self.add_ec_key(info)?,
            _ => {
                return Err(ps_error!(
                    Error::UnsupportedFail,
                    "PKCS#12 key of an algorithm matrix does not have"
                ));
            }
        }
        Ok(())
    }

    #[cfg(feature = "private-key-parsing")]
    fn add_rsa_key(&mut self, info: &[u8]) -> Result<(), Error> {
        self.key = Some(crate::key::rsa_private_key_from_pkcs8(info)?);
        Ok(())
    }

    /// Without `private-key-parsing` an RSA key cannot be used: `PS_UNSUPPORTED_FAIL`.
    #[cfg(not(feature = "private-key-parsing"))]
    fn add_rsa_key(&mut self, _info: &[u8]) -> Result<(), Error> {
        Err(ps_error!(
            Error::UnsupportedFail,
            "PKCS#12 file with an RSA key: built without private-key-parsing"
        ))
    }

    #[cfg(feature = "private-key-parsing")]
    fn has_rsa_key(&self) -> bool {
        self.key.is_some()
    }

    #[cfg(not(feature = "private-key-parsing"))]
    fn has_rsa_key(&self) -> bool {
        false
    }

    #[cfg(feature = "ecc-core")]
    fn add_ec_key(&mut self, info: &[u8]) -> Result<(), Error> {
        self.ec_key = Some(crate::ec_key::ec_private_key_from_pkcs8(info)?);
        Ok(())
    }

    /// Without `ecc` an EC key cannot be used: `PS_UNSUPPORTED_FAIL`.
    #[cfg(not(feature = "ecc-core"))]
    fn add_ec_key(&mut self, _info: &[u8]) -> Result<(), Error> {
        Err(ps_error!(
            Error::UnsupportedFail,
            "PKCS#12 file with an EC key: built without ecc"
        ))
    }

    #[cfg(feature = "ecc-core")]
    fn has_ec_key(&self) -> bool {
        self.ec_key.is_some()
    }

    #[cfg(not(feature = "ecc-core"))]
    fn has_ec_key(&self) -> bool {
        false
    }
}

/// The algorithm OID of a PKCS#8 `PrivateKeyInfo` (RFC 5208 section 5).
fn pkcs8_algorithm(info: &[u8]) -> Result<&[u8], Error> {
    let mut outer = Der::new(info);
    let mut pki = outer.sequence()?;
    outer.finish()?;
    let _version = pki.small_uint()?;
    let mut alg = pki.sequence()?;
    alg.oid()
}

/// Reads a ContentInfo of type data and returns the OCTET STRING inside.
fn data_content<'a>(d: &mut Der<'a>) -> Result<&'a [u8], Error> {
    let mut ci = d.sequence()?;
    if ci.oid()? != DATA {
        return Err(Error::UnsupportedFail);
    }
    let mut explicit = ci.constructed(tag::context(0))?;
    let content = explicit.read(tag::OCTET_STRING)?;
    explicit.finish()?;
    ci.finish()?;
    Ok(content)
}

fn check_mac(pfx: &mut Der<'_>, auth_safe: &[u8], password: &str) -> Result<(), Error> {
    let mut mac_data = pfx.sequence()?;
    let mut digest_info = mac_data.sequence()?;
    let mut alg = digest_info.sequence()?;
    let hash = match alg.oid()? {
        SHA1 => HashAlgorithm::Sha1,
        SHA256 => HashAlgorithm::Sha256,
        _ => return Err(Error::UnsupportedFail),
    };
    let _ = alg.read_optional(tag::NULL)?;
    alg.finish()?;
    let expected = digest_info.read(tag::OCTET_STRING)?;
    digest_info.finish()?;
    let salt = mac_data.read(tag::OCTET_STRING)?;
    let iterations = if mac_data.is_empty() {
        1
    } else {
        mac_data.small_uint()?
    };
    mac_data.finish()?;
    let iterations = u32::try_from(iterations)
        .ok()
        .filter(|&i| i >= 1 && u64::from(i) <= crate::pbe::MAX_ITERATIONS)
        .ok_or(Error::LimitFail)?;
    let bmp = kdf::pkcs12_password(password);
    let mut key = Zeroizing::new(alloc::vec![0u8; hash.output_len()]);
    kdf::pkcs12_kdf(
        hash,
        &bmp,
        salt,
        kdf::Pkcs12KeyId::Mac,
        iterations,
        &mut key,
    )?;
    let tag = match hash {
        HashAlgorithm::Sha1 => mac::<Sha1>(&key, auth_safe),
        _ => mac::<Sha256>(&key, auth_safe),
    };
    if bool::from(tag.ct_eq(expected)) {
        Ok(())
    } else {
        Err(ps_error!(
            Error::AuthFail,
            "PKCS#12 MAC does not verify: wrong password?"
        ))
    }
}

fn mac<H: Hash>(key: &[u8], data: &[u8]) -> Vec<u8> {
    Hmac::<H>::mac(key, data).as_ref().to_vec()
}
