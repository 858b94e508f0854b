//! Password-based decryption of private keys: PBES2 (RFC 8018 6.2: PBKDF2 with HMAC-SHA-1/
//! SHA-2 and AES-CBC or 3DES/DES-CBC) as encrypted PKCS#8 and modern PKCS#12 use it, and the
//! PKCS#12 PBE scheme `pbeWithSHAAnd3-KeyTripleDES-CBC` (RFC 7292 appendix B and C) that
//! OpenSSL's legacy PKCS#12 files use; and (features `pkcs5`, `pem-decode`) traditional
//! encrypted PEM (`Proc-Type: 4,ENCRYPTED`, OpenSSL's EVP_BytesToKey), for RSA and EC keys
//! alike. Nothing here depends on the key's type, so an ECDSA-only build compiles no RSA.
//!
//! Any failure after the key is derived — bad padding, a wrong password — is `PS_AUTH_FAIL`,
//! and the caller must still check the plaintext's structure: PKCS#7 padding alone lets one
//! wrong password in 256 through.

use alloc::vec::Vec;

use matrix_core::Error;
use matrix_crypto::alg::HashAlgorithm;
use matrix_crypto::cipher::{BlockAlgorithm, CbcCipher, pkcs7_unpad};
use matrix_crypto::kdf;
use zeroize::Zeroizing;

use crate::der::{Der, tag};
#[cfg(all(feature = "pkcs5", feature = "pem-decode"))]
use crate::pem::PemBlock;

/// pbes2 (1.2.840.113549.1.5.13).
const PBES2: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x05, 0x0D];
/// id-PBKDF2 (1.2.840.113549.1.5.12).
const PBKDF2: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x05, 0x0C];
/// hmacWithSHA1 (1.2.840.113549.2.7) and the SHA-2 family (.2.9 to .2.11).
const HMAC_SHA1: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x02, 0x07];
const HMAC_SHA256: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x02, 0x09];
const HMAC_SHA384: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x02, 0x0A];
const HMAC_SHA512: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x02, 0x0B];
/// aes128-CBC, aes192-CBC, aes256-CBC (2.16.840.1.101.3.4.1.2/.22/.42).
const AES128_CBC: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x02];
const AES192_CBC: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x16];
const AES256_CBC: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2A];
/// des-ede3-cbc (1.2.840.113549.3.7) and desCBC (1.3.14.3.2.7).
const DES_EDE3_CBC: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x03, 0x07];
const DES_CBC: &[u8] = &[0x2B, 0x0E, 0x03, 0x02, 0x07];
/// pbeWithSHAAnd3-KeyTripleDES-CBC (1.2.840.113549.1.12.1.3).
const PBE_SHA1_3DES: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x0C, 0x01, 0x03];

/// The most PBKDF2 / PKCS#12 iterations a file may ask for: a bound on the work a hostile
/// file can make us do (OpenSSL writes 2048; NIST suggests at least 1000).
pub const MAX_ITERATIONS: u64 = 10_000_000;

/// Decrypts a PKCS#8 `EncryptedPrivateKeyInfo` (RFC 5208 section 6) to the
/// `PrivateKeyInfo` DER inside; the RSA and EC key loaders parse that and answer
/// `PS_AUTH_FAIL` when it is not a key (a wrong password).
#[cfg(feature = "pkcs8")]
#[cfg_attr(
    not(any(
        feature = "private-key-parsing",
        feature = "ecc-core",
        feature = "pkcs12"
    )),
    allow(dead_code, reason = "pkcs8 without a key type has no key to decrypt")
)]
pub(crate) fn decrypt_pkcs8(der: &[u8], password: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut outer = Der::new(der);
    let mut info = outer.sequence()?;
    outer.finish()?;
    let alg = info.read_tlv(tag::SEQUENCE)?;
    let data = info.read(tag::OCTET_STRING)?;
    info.finish()?;
    decrypt(alg.raw, password, data)
}

/// Decrypts `data` with the scheme named by an AlgorithmIdentifier (`alg_id`: its whole
/// DER), given the password as the user typed it.
pub fn decrypt(alg_id: &[u8], password: &[u8], data: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut outer = Der::new(alg_id);
    let mut alg = outer.sequence()?;
    outer.finish()?;
    let oid = alg.oid()?;
    let params = alg.read_any()?;
    alg.finish()?;
    match oid {
        PBES2 => pbes2(params.raw, password, data),
        PBE_SHA1_3DES => pkcs12_pbe_3des(params.raw, password, data),
        _ => Err(Error::UnsupportedFail),
    }
}

fn pbes2(params: &[u8], password: &[u8], data: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut outer = Der::new(params);
    let mut p = outer.sequence()?;
    outer.finish()?;
    let mut kdf_alg = p.sequence()?;
    let mut scheme = p.sequence()?;
    p.finish()?;
    if kdf_alg.oid()? != PBKDF2 {
        return Err(Error::UnsupportedFail);
    }
    let mut kp = kdf_alg.sequence()?;
    kdf_alg.finish()?;
    let salt = kp.read(tag::OCTET_STRING)?;
    let iterations = kp.small_uint()?;
    let key_len = if kp.peek_tag() == Some(tag::INTEGER) {
        Some(kp.small_uint()?)
    } else {
        None
    };
    let prf = if kp.is_empty() {
        HashAlgorithm::Sha1
    } else {
        let mut prf_alg = kp.sequence()?;
        let prf = match prf_alg.oid()? {
            HMAC_SHA1 => HashAlgorithm::Sha1,
            HMAC_SHA256 => HashAlgorithm::Sha256,
            HMAC_SHA384 => HashAlgorithm::Sha384,
            HMAC_SHA512 => HashAlgorithm::Sha512,
            _ => return Err(Error::UnsupportedFail),
        };
        let _ = prf_alg.read_optional(tag::NULL)?;
        prf_alg.finish()?;
        prf
    };
    kp.finish()?;
    let name = match scheme.oid()? {
        AES128_CBC => "AES-128-CBC",
        AES192_CBC => "AES-192-CBC",
        AES256_CBC => "AES-256-CBC",
        DES_EDE3_CBC => "DES-EDE3-CBC",
        DES_CBC => "DES-CBC",
        _ => return Err(Error::UnsupportedFail),
    };
    let cipher = BlockAlgorithm::by_cbc_name(name).ok_or(Error::UnsupportedFail)?;
    let iv = scheme.read(tag::OCTET_STRING)?;
    scheme.finish()?;
    if key_len.is_some_and(|l| l != cipher.key_len() as u64) {
        return Err(Error::ParseFail);
    }
    let iterations = u32::try_from(iterations)
        .ok()
        .filter(|&i| i >= 1 && u64::from(i) <= MAX_ITERATIONS)
        .ok_or(Error::LimitFail)?;
    pbes2_decrypt(prf, cipher, password, salt, iterations, iv, data)
}

/// PBES2 decryption with explicit parameters: the key is PBKDF2-HMAC-`prf`(password, salt,
/// iterations) of the cipher's key length, then CBC with `iv` and PKCS#7 padding.
pub fn pbes2_decrypt(
    prf: HashAlgorithm,
    cipher: BlockAlgorithm,
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    iv: &[u8],
    data: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut key = Zeroizing::new(alloc::vec![0u8; cipher.key_len()]);
    kdf::pbkdf2(prf, password, salt, iterations, &mut key)?;
    cbc_decrypt(cipher, &key, iv, data)
}

fn pkcs12_pbe_3des(
    params: &[u8],
    password: &[u8],
    data: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let cipher = BlockAlgorithm::by_cbc_name("DES-EDE3-CBC").ok_or(Error::UnsupportedFail)?;
    let mut outer = Der::new(params);
    let mut p = outer.sequence()?;
    outer.finish()?;
    let salt = p.read(tag::OCTET_STRING)?;
    let iterations = p.small_uint()?;
    p.finish()?;
    let iterations = u32::try_from(iterations)
        .ok()
        .filter(|&i| i >= 1 && u64::from(i) <= MAX_ITERATIONS)
        .ok_or(Error::LimitFail)?;
    let text = core::str::from_utf8(password).map_err(|_| Error::ArgFail)?;
    let bmp = kdf::pkcs12_password(text);
    let mut key = Zeroizing::new([0u8; 24]);
    let mut iv = [0u8; 8];
    kdf::pkcs12_kdf(
        HashAlgorithm::Sha1,
        &bmp,
        salt,
        kdf::Pkcs12KeyId::Key,
        iterations,
        &mut key[..],
    )?;
    kdf::pkcs12_kdf(
        HashAlgorithm::Sha1,
        &bmp,
        salt,
        kdf::Pkcs12KeyId::Iv,
        iterations,
        &mut iv,
    )?;
    cbc_decrypt(cipher, &key[..], &iv, data)
}

/// CBC-decrypts `data` and strips its PKCS#7 padding; padding errors are `PS_AUTH_FAIL`.
pub fn cbc_decrypt(
    cipher: BlockAlgorithm,
    key: &[u8],
    iv: &[u8],
    data: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let c = CbcCipher::new(cipher, key)?;
    if iv.len() != cipher.block_len()
        || data.is_empty()
        || !data.len().is_multiple_of(cipher.block_len())
    {
        return Err(Error::ParseFail);
    }
    let mut iv = Zeroizing::new(iv.to_vec());
    let mut plain = Zeroizing::new(data.to_vec());
    c.decrypt(&mut iv, &mut plain)?;
    let len = pkcs7_unpad(&plain, cipher.block_len()).map_err(|_| Error::AuthFail)?;
    plain.truncate(len);
    Ok(plain)
}

/// Decrypts the body of a traditional encrypted PEM key (`DEK-Info: ALG,IV-hex`): the key
/// is EVP_BytesToKey(MD5, password, first 8 bytes of the IV, 1 round).
#[cfg(all(feature = "pkcs5", feature = "pem-decode"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "pkcs5", feature = "pem-decode"))))]
pub fn decrypt_traditional_pem(
    block: &PemBlock,
    password: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let info = block.header("DEK-Info").ok_or(Error::ParseFail)?;
    let (name, iv_hex) = info.split_once(',').ok_or(Error::ParseFail)?;
    let cipher = BlockAlgorithm::by_cbc_name(name.trim()).ok_or_else(|| {
        matrix_core::ps_error!(
            Error::UnsupportedFail,
            "encrypted PEM key uses {name}, not compiled in"
        )
    })?;
    let iv = hex_decode(iv_hex.trim())?;
    if iv.len() != cipher.block_len() || iv.len() < 8 {
        return Err(Error::ParseFail);
    }
    let mut key = Zeroizing::new(alloc::vec![0u8; cipher.key_len()]);
    kdf::pbkdf1_md5(password, &iv[..8], &mut key);
    cbc_decrypt(cipher, &key, &iv, &block.der)
}

/// Decodes hex (either case), as in `DEK-Info`.
#[cfg(all(feature = "pkcs5", feature = "pem-decode"))]
fn hex_decode(s: &str) -> Result<Vec<u8>, Error> {
    if !s.len().is_multiple_of(2) {
        return Err(Error::ParseFail);
    }
    s.as_bytes()
        .chunks(2)
        .map(|p| {
            let hi = (p[0] as char).to_digit(16).ok_or(Error::ParseFail)?;
            let lo = (p[1] as char).to_digit(16).ok_or(Error::ParseFail)?;
            Ok((hi * 16 + lo) as u8)
        })
        .collect()
}
