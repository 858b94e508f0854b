//! The SSL 3.0 and TLS 1.0/1.1 derivations over MD5 and SHA-1 (compiled with the `md5` and
//! `sha1` features; a TLS-1.2-only build has neither and links none of this).

use zeroize::{Zeroize, Zeroizing};

#[cfg(feature = "hmac")]
use super::TLS_FINISHED_LEN;
use super::{
    MASTER_SECRET_LEN, MasterSecret, RANDOM_LEN, SSL3_FINISHED_LEN, SSL3_MAX_KEY_BLOCK_LEN, Sender,
};
use crate::hash::{Hash, Md5, Md5Sha1, Sha1};
use crate::mac::{SSL3_PAD_1, SSL3_PAD_2, Ssl3Hash};
use matrix_core::{Error, Result};

#[cfg(feature = "hmac")]
use crate::prf12::p_hash_xor;
use alloc::vec::Vec;

/// The TLS 1.0/1.1 PRF: fills `out` with `PRF(secret, label, seed)` =
/// `P_MD5(S1, label || seed) xor P_SHA-1(S2, label || seed)`, where S1 and S2 are the first
/// and last `ceil(len/2)` bytes of `secret` (sharing the middle byte when its length is odd).
#[cfg(feature = "hmac")]
#[cfg_attr(docsrs, doc(cfg(feature = "hmac")))]
pub fn tls_prf(secret: &[u8], label: &[u8], seed: &[u8], out: &mut [u8]) {
    tls_prf_parts(secret, &[label, seed], out);
}

#[cfg(feature = "hmac")]
fn tls_prf_parts(secret: &[u8], seed: &[&[u8]], out: &mut [u8]) {
    let half = secret.len().div_ceil(2);
    out.fill(0);
    p_hash_xor::<Md5>(&secret[..half], seed, out);
    p_hash_xor::<Sha1>(&secret[secret.len() - half..], seed, out);
}

/// The TLS master secret: `PRF(pre_master_secret, "master secret", ClientHello.random ||
/// ServerHello.random)[0..48]` (RFC 2246 section 8.1).
#[cfg(feature = "hmac")]
#[cfg_attr(docsrs, doc(cfg(feature = "hmac")))]
pub fn tls_master_secret(
    pre_master_secret: &[u8],
    client_random: &[u8; RANDOM_LEN],
    server_random: &[u8; RANDOM_LEN],
) -> MasterSecret {
    let mut ms = Zeroizing::new([0u8; MASTER_SECRET_LEN]);
    tls_prf_parts(
        pre_master_secret,
        &[b"master secret", client_random, server_random],
        &mut ms[..],
    );
    ms
}

/// The TLS key block of `len` bytes: `PRF(master_secret, "key expansion",
/// server_random || client_random)` (RFC 2246 section 6.3). Note the order of the randoms.
#[cfg(feature = "hmac")]
#[cfg_attr(docsrs, doc(cfg(feature = "hmac")))]
pub fn tls_key_block(
    master_secret: &[u8; MASTER_SECRET_LEN],
    client_random: &[u8; RANDOM_LEN],
    server_random: &[u8; RANDOM_LEN],
    len: usize,
) -> Zeroizing<Vec<u8>> {
    let mut kb = Zeroizing::new(alloc::vec![0u8; len]);
    tls_prf_parts(
        master_secret,
        &[b"key expansion", server_random, client_random],
        &mut kb[..],
    );
    kb
}

/// TLS Finished `verify_data`: `PRF(master_secret, finished_label, MD5(handshake_messages)
/// || SHA-1(handshake_messages))[0..12]` (RFC 2246 section 7.4.9). `handshake` is the
/// running hash of every handshake message before this Finished; it is not consumed.
#[cfg(feature = "hmac")]
#[cfg_attr(docsrs, doc(cfg(feature = "hmac")))]
pub fn tls_finished(
    master_secret: &[u8; MASTER_SECRET_LEN],
    sender: Sender,
    handshake: &Md5Sha1,
) -> [u8; TLS_FINISHED_LEN] {
    let digest = handshake.clone().finalize();
    let mut out = [0u8; TLS_FINISHED_LEN];
    tls_prf_parts(master_secret, &[sender.tls_label(), &digest], &mut out);
    out
}

/// The 36 bytes a TLS 1.0/1.1 client signs in CertificateVerify: `MD5(handshake_messages) ||
/// SHA-1(handshake_messages)` (RFC 2246 section 7.4.8).
pub fn tls_certificate_verify_hash(handshake: &Md5Sha1) -> [u8; 36] {
    handshake.clone().finalize()
}

/// The SSL 3.0 expansion of RFC 6101 sections 6.1 and 6.2.2: block `i` (from 0) is
/// `MD5(secret || SHA-1(salt_i || secret || r1 || r2))`, with salt_i the letter `'A' + i`
/// repeated `i + 1` times.
fn ssl3_expand(secret: &[u8], r1: &[u8], r2: &[u8], out: &mut [u8]) -> Result<()> {
    if out.len() > SSL3_MAX_KEY_BLOCK_LEN {
        return Err(Error::LimitFail);
    }
    let mut salt = [0u8; 26];
    for (i, chunk) in (0u8..).zip(out.chunks_mut(16)) {
        let salt = &mut salt[..=usize::from(i)];
        salt.fill(b'A' + i);
        let mut sha = Sha1::new();
        sha.update(salt);
        sha.update(secret);
        sha.update(r1);
        sha.update(r2);
        let mut inner = sha.finalize();
        let mut md5 = Md5::new();
        md5.update(secret);
        md5.update(&inner);
        inner.zeroize();
        let mut block = md5.finalize();
        chunk.copy_from_slice(&block[..chunk.len()]);
        block.zeroize();
    }
    Ok(())
}

/// The SSL 3.0 master secret (RFC 6101 section 6.1):
/// `MD5(pre || SHA('A' || pre || CR || SR)) || MD5(pre || SHA('BB' || ...)) ||
/// MD5(pre || SHA('CCC' || ...))`.
pub fn ssl3_master_secret(
    pre_master_secret: &[u8],
    client_random: &[u8; RANDOM_LEN],
    server_random: &[u8; RANDOM_LEN],
) -> MasterSecret {
    let mut ms = Zeroizing::new([0u8; MASTER_SECRET_LEN]);
    // Cannot fail: 48 bytes is within the 416-byte expansion limit.
    let _ = ssl3_expand(pre_master_secret, client_random, server_random, &mut ms[..]);
    ms
}

/// The SSL 3.0 key block of `len` bytes (RFC 6101 section 6.2.2): the same expansion over
/// the master secret, with `server_random || client_random`. `LimitFail` beyond
/// [`SSL3_MAX_KEY_BLOCK_LEN`] bytes.
pub fn ssl3_key_block(
    master_secret: &[u8; MASTER_SECRET_LEN],
    client_random: &[u8; RANDOM_LEN],
    server_random: &[u8; RANDOM_LEN],
    len: usize,
) -> Result<Zeroizing<Vec<u8>>> {
    if len > SSL3_MAX_KEY_BLOCK_LEN {
        return Err(Error::LimitFail);
    }
    let mut kb = Zeroizing::new(alloc::vec![0u8; len]);
    ssl3_expand(master_secret, server_random, client_random, &mut kb[..])?;
    Ok(kb)
}

/// `hash(master || pad_2 || hash(handshake || sender || master || pad_1))`, continuing the
/// running `handshake` hash (a clone of it).
fn ssl3_handshake_hash<H: Ssl3Hash>(handshake: &H, sender: &[u8], master: &[u8]) -> H::Output {
    let mut inner = handshake.clone();
    inner.update(sender);
    inner.update(master);
    inner.update(&SSL3_PAD_1[..H::PAD_LEN]);
    let ih = inner.finalize();
    let mut outer = H::new();
    outer.update(master);
    outer.update(&SSL3_PAD_2[..H::PAD_LEN]);
    outer.update(ih.as_ref());
    outer.finalize()
}

fn ssl3_pair(handshake: &Md5Sha1, sender: &[u8], master: &[u8]) -> [u8; 36] {
    let mut out = [0u8; 36];
    out[..16].copy_from_slice(&ssl3_handshake_hash(handshake.md5(), sender, master));
    out[16..].copy_from_slice(&ssl3_handshake_hash(handshake.sha1(), sender, master));
    out
}

/// SSL 3.0 Finished (RFC 6101 section 5.6.9): `md5_hash || sha_hash`, where
/// `md5_hash = MD5(master || pad_2 || MD5(handshake_messages || Sender || master || pad_1))`
/// and `sha_hash` likewise with SHA-1. `handshake` is not consumed.
pub fn ssl3_finished(
    master_secret: &[u8; MASTER_SECRET_LEN],
    sender: Sender,
    handshake: &Md5Sha1,
) -> [u8; SSL3_FINISHED_LEN] {
    ssl3_pair(handshake, sender.ssl3_sender(), master_secret)
}

/// The 36 bytes an SSL 3.0 client signs in CertificateVerify (RFC 6101 section 5.6.8): the
/// Finished construction without a Sender, `MD5(master || pad_2 || MD5(handshake_messages ||
/// master || pad_1)) || SHA(...)`.
pub fn ssl3_certificate_verify_hash(
    master_secret: &[u8; MASTER_SECRET_LEN],
    handshake: &Md5Sha1,
) -> [u8; 36] {
    ssl3_pair(handshake, &[], master_secret)
}
