//! PKCS#1 v1.5 padding on top of the RSA primitives (RFC 8017 sections 7.2, 8.2 and 9.2)
//! and the TLS form of RSAES-PKCS1-v1_5 decryption (RFC 2246 / RFC 5246 section 7.4.7.1).

use super::{RsaPrivateKey, RsaPublicKey};
use crate::alg::HashAlgorithm;
use crate::bignum::limbs_from_be;
use crate::random::SecureRandom;
use alloc::vec;
use alloc::vec::Vec;
use matrix_core::{Error, Result};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq, ConstantTimeLess};
use zeroize::Zeroizing;

/// The least padding overhead of PKCS#1 v1.5: `00 || BT || PS (>= 8 octets) || 00`.
const MIN_PAD: usize = 11;

/// RSAES-PKCS1-v1_5-ENCRYPT (RFC 8017 section 7.2.1): `00 || 02 || PS || 00 || msg` with a
/// random PS of nonzero octets, raised to `e`. Fails with `LimitFail` when `msg` is longer
/// than `k - 11` octets.
pub fn encrypt_pkcs1_v15(
    key: &RsaPublicKey,
    rng: &mut dyn SecureRandom,
    msg: &[u8],
) -> Result<Vec<u8>> {
    let k = key.size();
    if msg.len() + MIN_PAD > k {
        return Err(Error::LimitFail);
    }
    let mut em = Zeroizing::new(vec![0u8; k]);
    em[1] = 2;
    let ps_len = k - 3 - msg.len();
    let ps = &mut em[2..2 + ps_len];
    rng.fill_bytes(ps)?;
    for b in ps.iter_mut() {
        // Redraw zero octets (the PS must be nonzero); depends only on random data.
        while *b == 0 {
            let mut one = [0u8; 1];
            rng.fill_bytes(&mut one)?;
            *b = one[0];
        }
    }
    em[k - msg.len()..].copy_from_slice(msg);
    // EM has k octets and starts with 00, so it is less than n: RSAEP cannot refuse it.
    Ok(key.public_octets(&em)?.to_vec())
}

/// Runs RSADP on a `k`-octet ciphertext and returns the encoded message `EM` (`k` octets).
/// `ArgFail` when the ciphertext does not have `k` octets or is not less than `n` (public
/// properties of the ciphertext); `Failure` when the result check fails.
fn decrypt_em(
    key: &RsaPrivateKey,
    rng: &mut dyn SecureRandom,
    ct: &[u8],
) -> Result<Zeroizing<Vec<u8>>> {
    let c = key.public.parse_input(ct)?;
    let m = key.raw_private(rng, &c)?;
    Ok(key.public.to_octets(&m))
}

/// Checks `EM = 00 || 02 || PS || 00 || M` with at least 8 octets of PS, in constant time.
/// Returns whether the padding is good and the index of the first octet of `M` (`k` when
/// there is no separator).
fn check_type2(em: &[u8]) -> (Choice, u32) {
    let k = em.len();
    let mut good = em[0].ct_eq(&0) & em[1].ct_eq(&2);
    let mut found = Choice::from(0);
    let mut sep = 0u32;
    for (i, b) in em.iter().enumerate().skip(2) {
        let is_zero = b.ct_eq(&0);
        sep.conditional_assign(&(i as u32), is_zero & !found);
        found |= is_zero;
    }
    // The separator must come after at least 8 PS octets: index >= 10.
    good &= found & !sep.ct_lt(&10);
    let start = u32::conditional_select(&(k as u32), &(sep + 1), found);
    (good, start)
}

/// RSAES-PKCS1-v1_5-DECRYPT (RFC 8017 section 7.2.2), for general use.
///
/// Every bad padding fails with the same error, `Error::Failure`, after the same work;
/// a ciphertext whose length is not `k` or whose value is not less than `n` fails with
/// `ArgFail`. For the TLS premaster secret use [`decrypt_pkcs1_v15_tls`], which does not
/// reveal a padding failure at all.
pub fn decrypt_pkcs1_v15(
    key: &RsaPrivateKey,
    rng: &mut dyn SecureRandom,
    ct: &[u8],
) -> Result<Vec<u8>> {
    let em = decrypt_em(key, rng, ct)?;
    let (good, start) = check_type2(&em);
    if !bool::from(good) {
        return Err(Error::Failure);
    }
    // `start` is at most k here: the padding is good, so the separator was found.
    Ok(em[(start as usize).min(em.len())..].to_vec())
}

/// The TLS form of RSAES-PKCS1-v1_5 decryption (RFC 2246 / RFC 5246 section 7.4.7.1).
///
/// Draws a random replacement of `out.len()` octets from `rng` first (it is the first draw
/// of this call), decrypts, and checks the padding and that the message has exactly
/// `out.len()` octets, all in constant time; then writes the message to `out` if every check
/// passed and the replacement otherwise, without a branch on which. The caller (the TLS
/// layer) then checks the premaster version on the result, also in constant time.
///
/// Returns an error only for failures that do not depend on secret data: `ArgFail` when
/// the ciphertext does not have `k` octets, is not less than `n`, or `out` is longer than
/// `k - 11` octets; a failing `rng`'s error; `Failure` when the result check of the private
/// operation fails (a fault).
pub fn decrypt_pkcs1_v15_tls(
    key: &RsaPrivateKey,
    rng: &mut dyn SecureRandom,
    ct: &[u8],
    out: &mut [u8],
) -> Result<()> {
    let k = key.size();
    let len = out.len();
    if len + MIN_PAD > k {
        return Err(Error::ArgFail);
    }
    let mut replacement = Zeroizing::new(vec![0u8; len]);
    rng.fill_bytes(&mut replacement)?;
    let em = decrypt_em(key, rng, ct)?;
    let (good, start) = check_type2(&em);
    let good = good & start.ct_eq(&((k - len) as u32));
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::conditional_select(&replacement[i], &em[k - len + i], good);
    }
    Ok(())
}

/// The DER prefix of `DigestInfo` for `hash` (RFC 8017 section 9.2, note 1), empty for the
/// raw MD5 || SHA-1 of SSL 3.0 and TLS 1.0/1.1.
fn digest_info_prefix(hash: HashAlgorithm) -> Result<&'static [u8]> {
    #[allow(unreachable_patterns)]
    match hash {
        HashAlgorithm::Md5 => Ok(&[
            0x30, 0x20, 0x30, 0x0c, 0x06, 0x08, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x05,
            0x05, 0x00, 0x04, 0x10,
        ]),
        HashAlgorithm::Sha1 => Ok(&[
            0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04,
            0x14,
        ]),
        HashAlgorithm::Sha256 => Ok(&[
            0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x01, 0x05, 0x00, 0x04, 0x20,
        ]),
        HashAlgorithm::Sha384 => Ok(&[
            0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x02, 0x05, 0x00, 0x04, 0x30,
        ]),
        HashAlgorithm::Sha512 => Ok(&[
            0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02,
            0x03, 0x05, 0x00, 0x04, 0x40,
        ]),
        HashAlgorithm::Md5Sha1 => Ok(&[]),
        _ => Err(Error::UnsupportedFail),
    }
}

/// EMSA-PKCS1-v1_5 (RFC 8017 section 9.2): `00 || 01 || FF.. || 00 || DigestInfo` of `k`
/// octets. `ArgFail` when `digest` does not have the hash's length, `LimitFail` when `k`
/// is too small.
fn emsa_pkcs1_v15(hash: HashAlgorithm, digest: &[u8], k: usize) -> Result<Vec<u8>> {
    if digest.len() != hash.output_len() {
        return Err(Error::ArgFail);
    }
    let prefix = digest_info_prefix(hash)?;
    let t_len = prefix.len() + digest.len();
    if t_len + MIN_PAD > k {
        return Err(Error::LimitFail);
    }
    let mut em = vec![0xffu8; k];
    em[0] = 0;
    em[1] = 1;
    em[k - t_len - 1] = 0;
    em[k - t_len..k - digest.len()].copy_from_slice(prefix);
    em[k - digest.len()..].copy_from_slice(digest);
    Ok(em)
}

/// RSASSA-PKCS1-v1_5-SIGN (RFC 8017 section 8.2.1) of an already computed `digest`: a
/// `DigestInfo` for MD5, SHA-1, SHA-256/384/512, the bare 36 octets for
/// [`HashAlgorithm::Md5Sha1`] (SSL 3.0, TLS 1.0/1.1). Returns `k` octets.
///
/// `ArgFail` when `digest` does not have the hash's length, `LimitFail` when the key is
/// too small for the encoding, `Failure` when the result check fails.
pub fn sign_pkcs1_v15(
    key: &RsaPrivateKey,
    rng: &mut dyn SecureRandom,
    hash: HashAlgorithm,
    digest: &[u8],
) -> Result<Vec<u8>> {
    let em = emsa_pkcs1_v15(hash, digest, key.size())?;
    let m = limbs_from_be(&em, key.public.n.nlimbs())?;
    let s = key.raw_private(rng, &m)?;
    Ok(key.public.to_octets(&s).to_vec())
}

/// RSASSA-PKCS1-v1_5-VERIFY (RFC 8017 section 8.2.2): recovers the encoded message from
/// `sig` and compares it in constant time with the encoding of `digest` (the signature is
/// never parsed). `SignatureMismatch` when `sig` does not have `k` octets, is not less than
/// `n`, or does not match; `ArgFail` when `digest` does not have the hash's length.
pub fn verify_pkcs1_v15(
    key: &RsaPublicKey,
    hash: HashAlgorithm,
    digest: &[u8],
    sig: &[u8],
) -> Result<()> {
    // emsa_pkcs1_v15 checks the digest's length first (ArgFail).
    let expected = match emsa_pkcs1_v15(hash, digest, key.size()) {
        Ok(em) => em,
        Err(Error::LimitFail) => return Err(Error::SignatureMismatch),
        Err(e) => return Err(e),
    };
    let em = key
        .public_octets(sig)
        .map_err(|_| Error::SignatureMismatch)?;
    if bool::from(em.as_slice().ct_eq(expected.as_slice())) {
        Ok(())
    } else {
        Err(Error::SignatureMismatch)
    }
}
