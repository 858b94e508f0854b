//! Password-based key derivation for encrypted private keys.
//!
//! This module owns the three password KDFs MatrixSSL's key loaders meet:
//!
//! - PBKDF1 with MD5 in the form of OpenSSL's `EVP_BytesToKey(MD5, count = 1)`, which
//!   traditional encrypted PEM keys (`Proc-Type: 4,ENCRYPTED`, `DEK-Info`) use: it extends
//!   RFC 8018 section 5.1 past one digest by chaining `D_i = MD5(D_{i-1} || P || S)`;
//! - PBKDF2 (RFC 8018 section 5.2) with HMAC-SHA-1 or HMAC-SHA-256 (and SHA-384/512 when
//!   compiled), for PKCS#8 PBES2 keys; it needs the `hmac` feature;
//! - the PKCS#12 KDF (RFC 7292 appendix B.2), for PKCS#12 files and their PBE schemes.
//!
//! Every function writes into a caller buffer that the caller owns and wipes; intermediate
//! values are wiped here.

use alloc::vec::Vec;

use matrix_core::{Error, Result};
use zeroize::{Zeroize, Zeroizing};

use crate::alg::HashAlgorithm;
use crate::hash::{Hash, HashJob, MAX_BLOCK_LEN, dispatch};

#[cfg(feature = "hmac")]
use crate::mac::Hmac;

/// OpenSSL's `EVP_BytesToKey` with MD5 and one iteration: fills `out` (key, then IV) with
/// `D_1 || D_2 || ...`, where `D_1 = MD5(password || salt)` and
/// `D_i = MD5(D_{i-1} || password || salt)`.
///
/// For encrypted PEM keys the salt is the first 8 bytes of the `DEK-Info` IV, and only the
/// key is taken from `out`.
#[cfg(feature = "md5")]
#[cfg_attr(docsrs, doc(cfg(feature = "md5")))]
pub fn pbkdf1_md5(password: &[u8], salt: &[u8], out: &mut [u8]) {
    use crate::hash::Md5;
    let mut prev = [0u8; 16];
    for (i, chunk) in out.chunks_mut(16).enumerate() {
        let mut h = Md5::new();
        if i > 0 {
            h.update(&prev);
        }
        h.update(password);
        h.update(salt);
        prev = h.finalize();
        chunk.copy_from_slice(&prev[..chunk.len()]);
    }
    prev.zeroize();
}

/// PBKDF2 (RFC 8018 section 5.2) with HMAC over the hash `alg`: fills `out` with the derived
/// key.
///
/// `ArgFail` for zero iterations or an empty `out`, `LimitFail` for an output longer than
/// `(2^32 - 1) * hLen`, `UnsupportedFail` for MD5, MD5+SHA-1 or a hash not compiled in.
#[cfg(feature = "hmac")]
#[cfg_attr(docsrs, doc(cfg(feature = "hmac")))]
pub fn pbkdf2(
    alg: HashAlgorithm,
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    out: &mut [u8],
) -> Result<()> {
    match alg {
        HashAlgorithm::Md5 | HashAlgorithm::Md5Sha1 => Err(Error::UnsupportedFail),
        HashAlgorithm::Sha1
        | HashAlgorithm::Sha256
        | HashAlgorithm::Sha384
        | HashAlgorithm::Sha512 => dispatch(
            alg,
            Pbkdf2Job {
                password,
                salt,
                iterations,
                out,
            },
        )?,
    }
}

#[cfg(feature = "hmac")]
struct Pbkdf2Job<'a> {
    password: &'a [u8],
    salt: &'a [u8],
    iterations: u32,
    out: &'a mut [u8],
}

#[cfg(feature = "hmac")]
impl HashJob for Pbkdf2Job<'_> {
    type Out = Result<()>;

    fn run<H: Hash>(self) -> Result<()> {
        pbkdf2_hmac::<H>(self.password, self.salt, self.iterations, self.out)
    }
}

/// PBKDF2 (RFC 8018 section 5.2) with HMAC over the matrix hash `H`; see [`pbkdf2`].
#[cfg(feature = "hmac")]
#[cfg_attr(docsrs, doc(cfg(feature = "hmac")))]
pub fn pbkdf2_hmac<H: Hash>(
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    out: &mut [u8],
) -> Result<()> {
    if iterations == 0 || out.is_empty() {
        return Err(Error::ArgFail);
    }
    if u32::try_from(out.len().div_ceil(H::OUTPUT_LEN)).is_err() {
        return Err(Error::LimitFail);
    }
    let prf = Hmac::<H>::new(password);
    for (index, chunk) in (1u32..).zip(out.chunks_mut(H::OUTPUT_LEN)) {
        let mut m = prf.clone();
        m.update(salt);
        m.update(&index.to_be_bytes());
        let mut u = m.finalize();
        let mut t = u;
        for _ in 1..iterations {
            let mut m = prf.clone();
            m.update(u.as_ref());
            u = m.finalize();
            t.as_mut()
                .iter_mut()
                .zip(u.as_ref())
                .for_each(|(t, u)| *t ^= u);
        }
        chunk.copy_from_slice(&t.as_ref()[..chunk.len()]);
        u.zeroize();
        t.zeroize();
    }
    Ok(())
}

/// The purpose byte `ID` of the PKCS#12 KDF (RFC 7292 appendix B.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pkcs12KeyId {
    /// 1: key material for encryption or decryption.
    Key = 1,
    /// 2: an initialization vector.
    Iv = 2,
    /// 3: an integrity (MAC) key.
    Mac = 3,
}

/// The PKCS#12 form of a password (RFC 7292 appendix B.1): its UTF-16 big-endian code units
/// (a BMPString for BMP characters) followed by two zero bytes.
pub fn pkcs12_password(password: &str) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(2 * password.len() + 2));
    for unit in password.encode_utf16() {
        out.extend_from_slice(&unit.to_be_bytes());
    }
    out.extend_from_slice(&[0, 0]);
    out
}

/// The PKCS#12 KDF (RFC 7292 appendix B.2) with the hash `alg`: fills `out` with key
/// material of purpose `id`.
///
/// `password` is already in PKCS#12 form (see [`pkcs12_password`]; an absent password is
/// the empty slice). `ArgFail` for zero iterations, `UnsupportedFail` for MD5+SHA-1 or a
/// hash not compiled in.
pub fn pkcs12_kdf(
    alg: HashAlgorithm,
    password: &[u8],
    salt: &[u8],
    id: Pkcs12KeyId,
    iterations: u32,
    out: &mut [u8],
) -> Result<()> {
    if alg == HashAlgorithm::Md5Sha1 {
        return Err(Error::UnsupportedFail);
    }
    dispatch(
        alg,
        Pkcs12Job {
            password,
            salt,
            id,
            iterations,
            out,
        },
    )?
}

struct Pkcs12Job<'a> {
    password: &'a [u8],
    salt: &'a [u8],
    id: Pkcs12KeyId,
    iterations: u32,
    out: &'a mut [u8],
}

impl HashJob for Pkcs12Job<'_> {
    type Out = Result<()>;

    fn run<H: Hash>(self) -> Result<()> {
        pkcs12_kdf_with::<H>(self)
    }
}

/// Fills `dst` with `src` repeated; `src` is not empty.
fn fill_repeated(dst: &mut [u8], src: &[u8]) {
    dst.iter_mut()
        .zip(src.iter().cycle())
        .for_each(|(d, s)| *d = *s);
}

fn pkcs12_kdf_with<H: Hash>(job: Pkcs12Job<'_>) -> Result<()> {
    if job.iterations == 0 {
        return Err(Error::ArgFail);
    }
    let v = H::BLOCK_LEN;
    let diversifier = [job.id as u8; MAX_BLOCK_LEN];
    let s_len = job.salt.len().div_ceil(v) * v;
    let p_len = job.password.len().div_ceil(v) * v;
    // I = S || P, each the input repeated to a whole number of v-byte blocks.
    let mut i_buf = Zeroizing::new(alloc::vec![0u8; s_len + p_len]);
    fill_repeated(&mut i_buf[..s_len], job.salt);
    fill_repeated(&mut i_buf[s_len..], job.password);

    let mut b = [0u8; MAX_BLOCK_LEN];
    let mut chunks = job.out.chunks_mut(H::OUTPUT_LEN).peekable();
    while let Some(chunk) = chunks.next() {
        let mut h = H::new();
        h.update(&diversifier[..v]);
        h.update(&i_buf);
        let mut a = h.finalize();
        for _ in 1..job.iterations {
            let next = H::digest(a.as_ref());
            a = next;
        }
        chunk.copy_from_slice(&a.as_ref()[..chunk.len()]);
        if chunks.peek().is_some() {
            // I_j = (I_j + B + 1) mod 2^(8v) for every v-byte block I_j, B = A repeated.
            fill_repeated(&mut b[..v], a.as_ref());
            for block in i_buf.chunks_mut(v) {
                let mut carry = 1u16;
                for (x, y) in block.iter_mut().rev().zip(b[..v].iter().rev()) {
                    let sum = u16::from(*x) + u16::from(*y) + carry;
                    *x = sum.to_le_bytes()[0];
                    carry = sum >> 8;
                }
            }
        }
        a.zeroize();
    }
    b.zeroize();
    Ok(())
}
