//! The TLS 1.2 PRF and the key derivations built on it (RFC 5246 section 5): `P_SHA256`
//! for every suite of RFC 5246, RFC 5288 and RFC 5487 except the `_SHA384` ones, which use
//! `P_SHA384` (RFC 5288 section 3, RFC 5487 section 3).
//!
//! The functions here take the transcript digest already computed (the handshake keeps the
//! running hashes and knows which one the suite's PRF uses), so this module needs no
//! knowledge of the handshake. `p_hash_xor` is also the expansion under the TLS 1.0/1.1
//! PRF of [`crate::prf`].

use alloc::vec::Vec;
use zeroize::{Zeroize, Zeroizing};

#[cfg(feature = "sha512")]
use crate::hash::Sha384;
use crate::hash::{Hash, Sha256};
use crate::mac::{Hmac, KeyedMac};

/// The length of a master secret in bytes.
pub const MASTER_SECRET_LEN: usize = 48;
/// The length of a client or server random in bytes.
pub const RANDOM_LEN: usize = 32;
/// The length of TLS 1.2 Finished `verify_data` for every suite (RFC 5246 section 7.4.9).
pub const FINISHED_LEN: usize = 12;

/// XORs `P_hash(secret, seed)` (RFC 2246 section 5, RFC 5246 section 5) into `out`, where
/// the seed is the concatenation of `seed`'s parts (label, then randoms) so no seed buffer is
/// built.
pub(crate) fn p_hash_xor<H: Hash>(secret: &[u8], seed: &[&[u8]], out: &mut [u8]) {
    p_hash_xor_keyed(&Hmac::<H>::new(secret), seed, out);
}

/// The longest digest a P_hash runs on (SHA-384's 48 bytes, rounded up).
const MAX_DIGEST_LEN: usize = 64;

/// [`p_hash_xor`] under a keyed HMAC of any hash.
fn p_hash_xor_keyed(key: &dyn KeyedMac, seed: &[&[u8]], out: &mut [u8]) {
    // Never 0 (every hash has a digest); the bound keeps the loop below finite regardless.
    let n = key.tag_len().clamp(1, MAX_DIGEST_LEN);
    let (mut a, mut block) = ([0u8; MAX_DIGEST_LEN], [0u8; MAX_DIGEST_LEN]);
    // A(1) = HMAC(secret, seed)
    key.mac_into(false, &[], seed, &mut a[..n]);
    // The output is walked by offset, not by `chunks_mut(n).peekable()`: the same blocks,
    // without the iterator adapters' code (about 0.15 KB on a Cortex-M4).
    let mut done = 0;
    while done < out.len() {
        key.mac_into(false, &a[..n], seed, &mut block[..n]);
        let take = (out.len() - done).min(n);
        // An indexed loop: a `zip` links the iterator adapter's constructor for this pair.
        for i in 0..take {
            out[done + i] ^= block[i];
        }
        done += take;
        if done < out.len() {
            // A(i + 1) = HMAC(secret, A(i))
            key.mac_into(true, &[], &[], &mut a[..n]);
        }
    }
    a.zeroize();
    block.zeroize();
}

/// The hash of a TLS 1.2 PRF (and of the handshake digest its Finished and extended master
/// secret take).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PrfHash {
    /// `P_SHA256`, the default of RFC 5246.
    Sha256,
    /// `P_SHA384`, for the `_SHA384` suites (feature `sha512`).
    #[cfg(feature = "sha512")]
    Sha384,
}

impl PrfHash {
    /// The hash algorithm itself (whose digest of the transcript Finished and the extended
    /// master secret take).
    pub const fn hash(self) -> crate::alg::HashAlgorithm {
        match self {
            PrfHash::Sha256 => crate::alg::HashAlgorithm::Sha256,
            #[cfg(feature = "sha512")]
            PrfHash::Sha384 => crate::alg::HashAlgorithm::Sha384,
        }
    }

    /// The digest length of the hash in bytes (32 or 48).
    pub const fn output_len(self) -> usize {
        match self {
            PrfHash::Sha256 => 32,
            #[cfg(feature = "sha512")]
            PrfHash::Sha384 => 48,
        }
    }

    /// Fills `out` with `PRF(secret, label, seed)` = `P_<hash>(secret, label || seed)`,
    /// the seed given as its parts.
    pub fn prf(self, secret: &[u8], label: &[u8], seed: &[&[u8]], out: &mut [u8]) {
        out.fill(0);
        let mut parts: [&[u8]; 4] = [label, &[], &[], &[]];
        for (slot, part) in parts[1..].iter_mut().zip(seed) {
            *slot = part;
        }
        // More than three seed parts is a caller bug; they are ignored rather than panicking.
        match self {
            PrfHash::Sha256 => p_hash_xor::<Sha256>(secret, &parts, out),
            #[cfg(feature = "sha512")]
            PrfHash::Sha384 => p_hash_xor::<Sha384>(secret, &parts, out),
        }
    }

    /// The master secret: `PRF(pre_master_secret, "master secret", ClientHello.random ||
    /// ServerHello.random)[0..48]` (RFC 5246 section 8.1).
    pub fn master_secret(
        self,
        pre_master_secret: &[u8],
        client_random: &[u8; RANDOM_LEN],
        server_random: &[u8; RANDOM_LEN],
    ) -> Zeroizing<[u8; MASTER_SECRET_LEN]> {
        let mut ms = Zeroizing::new([0u8; MASTER_SECRET_LEN]);
        self.prf(
            pre_master_secret,
            b"master secret",
            &[client_random, server_random],
            &mut ms[..],
        );
        ms
    }

    /// The RFC 7627 extended master secret: `PRF(pre_master_secret, "extended master
    /// secret", session_hash)[0..48]`, where `session_hash` is this PRF's hash of the
    /// handshake up to and including the ClientKeyExchange (section 4).
    pub fn extended_master_secret(
        self,
        pre_master_secret: &[u8],
        session_hash: &[u8],
    ) -> Zeroizing<[u8; MASTER_SECRET_LEN]> {
        let mut ms = Zeroizing::new([0u8; MASTER_SECRET_LEN]);
        self.prf(
            pre_master_secret,
            b"extended master secret",
            &[session_hash],
            &mut ms[..],
        );
        ms
    }

    /// The key block of `len` bytes: `PRF(master_secret, "key expansion", server_random ||
    /// client_random)` (RFC 5246 section 6.3). Note the order of the randoms.
    pub fn key_block(
        self,
        master_secret: &[u8; MASTER_SECRET_LEN],
        client_random: &[u8; RANDOM_LEN],
        server_random: &[u8; RANDOM_LEN],
        len: usize,
    ) -> Zeroizing<Vec<u8>> {
        let mut kb = Zeroizing::new(alloc::vec![0u8; len]);
        self.prf(
            master_secret,
            b"key expansion",
            &[server_random, client_random],
            &mut kb[..],
        );
        kb
    }

    /// Finished `verify_data`: `PRF(master_secret, finished_label,
    /// Hash(handshake_messages))[0..12]` (RFC 5246 section 7.4.9), where `handshake_hash`
    /// is this PRF's hash of every handshake message before this Finished and `label` is
    /// `"client finished"` or `"server finished"`.
    pub fn finished(
        self,
        master_secret: &[u8; MASTER_SECRET_LEN],
        label: &[u8],
        handshake_hash: &[u8],
    ) -> [u8; FINISHED_LEN] {
        let mut out = [0u8; FINISHED_LEN];
        self.prf(master_secret, label, &[handshake_hash], &mut out);
        out
    }
}
