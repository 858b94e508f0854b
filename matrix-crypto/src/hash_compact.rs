//! Compact MD5 (RFC 1321), SHA-1 (FIPS 180-4 section 6.1) and SHA-256 (FIPS 180-4 section
//! 6.2): rolled round loops, for builds without `md5-improve-perf-increase-codesize` /
//! `sha1-improve-perf-increase-codesize` (MatrixSSL's `PS_MD5_/PS_SHA1_IMPROVE_PERF_INCREASE_CODESIZE`
//! off) and for SHA-256 in builds that ask for the compact SHA-256 rounds
//! (`--cfg sha2_backend_soft="compact"`, which `cargo xtask firmware` and the x86_64 size
//! build pass when `sha256-improve-perf-increase-codesize` is off). The RustCrypto crates
//! unroll every round (about 1.9 KB and 2.4 KB of code on a Cortex-M4); these loops are a
//! few hundred bytes each and slower. None has a secret-dependent branch or index.
//!
//! This module owns the compression functions and a Merkle-Damgard buffer over them
//! ([`MdHash`]): 64-byte blocks, `0x80` padding and a 64-bit bit count, in the hash's byte
//! order. The state and buffer are wiped on drop. The buffering and padding code is one
//! non-generic copy that calls the compression through a pointer, so a build with several
//! compact hashes (the TLS 1.0/1.1 PRF needs MD5 and SHA-1, certificates SHA-256) does not
//! carry it more than once.

#![allow(
    dead_code,
    reason = "a build may use the compact form of one of the two hashes only"
)]

use core::marker::PhantomData;

use zeroize::Zeroize;

use crate::hash::ChainState;

/// A 64-byte-block compression function with its byte order and initial state.
pub(crate) trait Compress {
    /// Big-endian words and length (SHA-1) or little-endian (MD5).
    const BIG_ENDIAN: bool;
    /// The initial chaining state (MD5 uses the first four words, SHA-1 five, SHA-256
    /// all eight; the rest stay zero).
    const INIT: ChainState;
    /// One block.
    fn block(state: &mut ChainState, block: &[u8; 64]);
}

/// Runs `C` over each of `blocks`.
fn blocks<C: Compress>(state: &mut ChainState, blocks: &[[u8; 64]]) {
    for b in blocks {
        C::block(state, b);
    }
}

/// MD5's compression function (RFC 1321 section 3.4).
pub(crate) struct Md5Compress;

/// MD5's per-round additive constants, floor(abs(sin(i + 1)) * 2^32).
const MD5_K: [u32; 64] = [
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
];

/// MD5's rotation amounts: four per round group.
const MD5_S: [[u32; 4]; 4] = [
    [7, 12, 17, 22],
    [5, 9, 14, 20],
    [4, 11, 16, 23],
    [6, 10, 15, 21],
];

impl Compress for Md5Compress {
    const BIG_ENDIAN: bool = false;
    const INIT: ChainState = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0, 0, 0, 0];

    fn block(state: &mut ChainState, block: &[u8; 64]) {
        let mut m = load_words(block, false);
        let [mut a, mut b, mut c, mut d, ..] = *state;
        for i in 0..64 {
            let round = i / 16;
            let (f, g) = match round {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let sum = a.wrapping_add(f).wrapping_add(MD5_K[i]).wrapping_add(m[g]);
            a = d;
            d = c;
            c = b;
            b = b.wrapping_add(sum.rotate_left(MD5_S[round][i % 4]));
        }
        add_words(state, &[a, b, c, d]);
        m.zeroize();
    }
}

/// The 16 message words of a block, little-endian (MD5) or big-endian (SHA-1): one
/// indexed loop for both hashes, where a `zip` over `chunks_exact` links the iterator
/// adapters' specialised constructors and accessors (about 0.2 KB on a Cortex-M4).
fn load_words(block: &[u8; 64], big_endian: bool) -> [u32; 16] {
    let mut words = [0u32; 16];
    for (i, word) in words.iter_mut().enumerate() {
        let b = [
            block[4 * i],
            block[4 * i + 1],
            block[4 * i + 2],
            block[4 * i + 3],
        ];
        *word = if big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        };
    }
    words
}

/// Adds a block's working variables into the chaining state (word by word, modulo 2^32).
/// An indexed loop: a `zip` links the iterator adapters' specialised code for it.
fn add_words(state: &mut ChainState, v: &[u32]) {
    for i in 0..v.len().min(8) {
        state[i] = state[i].wrapping_add(v[i]);
    }
}

/// SHA-1's compression function (FIPS 180-4 section 6.1.2), with the 16-word circular
/// message schedule.
pub(crate) struct Sha1Compress;

impl Compress for Sha1Compress {
    const BIG_ENDIAN: bool = true;
    const INIT: ChainState = [
        0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0, 0, 0, 0,
    ];

    fn block(state: &mut ChainState, block: &[u8; 64]) {
        let mut w = load_words(block, true);
        let [mut a, mut b, mut c, mut d, mut e, ..] = *state;
        for t in 0..80 {
            if t >= 16 {
                let x = w[(t + 13) % 16] ^ w[(t + 8) % 16] ^ w[(t + 2) % 16] ^ w[t % 16];
                w[t % 16] = x.rotate_left(1);
            }
            let (f, k) = match t / 20 {
                0 => ((b & c) | (!b & d), 0x5a827999),
                1 => (b ^ c ^ d, 0x6ed9eba1),
                2 => ((b & c) | (b & d) | (c & d), 0x8f1bbcdc),
                _ => (b ^ c ^ d, 0xca62c1d6),
            };
            let tmp = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(w[t % 16]);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = tmp;
        }
        add_words(state, &[a, b, c, d, e]);
        w.zeroize();
    }
}

/// SHA-256's round constants: the first 32 bits of the fractional parts of the cube roots
/// of the first 64 primes (FIPS 180-4 section 4.2.2).
const SHA256_K: [u32; 64] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

/// SHA-256's compression function (FIPS 180-4 section 6.2.2), one rolled loop of 64 rounds
/// with the 16-word circular message schedule.
pub(crate) struct Sha256Compress;

impl Compress for Sha256Compress {
    const BIG_ENDIAN: bool = true;
    // FIPS 180-4 section 5.3.3.
    const INIT: ChainState = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];

    fn block(state: &mut ChainState, block: &[u8; 64]) {
        let mut w = load_words(block, true);
        let mut v = *state;
        for t in 0..64 {
            if t >= 16 {
                // W[t] = s1(W[t-2]) + W[t-7] + s0(W[t-15]) + W[t-16], in place of W[t-16].
                let w2 = w[(t + 14) % 16];
                let w15 = w[(t + 1) % 16];
                let s0 = w15.rotate_right(7) ^ w15.rotate_right(18) ^ (w15 >> 3);
                let s1 = w2.rotate_right(17) ^ w2.rotate_right(19) ^ (w2 >> 10);
                w[t % 16] = w[t % 16]
                    .wrapping_add(s0)
                    .wrapping_add(w[(t + 9) % 16])
                    .wrapping_add(s1);
            }
            let [a, b, c, d, e, f, g, h] = v;
            let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
            let ch = (e & f) ^ (!e & g);
            let t1 = h
                .wrapping_add(s1)
                .wrapping_add(ch)
                .wrapping_add(SHA256_K[t])
                .wrapping_add(w[t % 16]);
            let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
            let maj = (a & b) ^ (a & c) ^ (b & c);
            v = [
                t1.wrapping_add(s0).wrapping_add(maj),
                a,
                b,
                c,
                d.wrapping_add(t1),
                e,
                f,
                g,
            ];
        }
        add_words(state, &v);
        v.zeroize();
        w.zeroize();
    }
}

/// MD5's compression over `blocks`, on the first four words of `state`.
pub(crate) fn md5_compress(state: &mut ChainState, input: &[[u8; 64]]) {
    blocks::<Md5Compress>(state, input);
}

/// SHA-1's compression over `blocks`, on the first five words of `state`.
pub(crate) fn sha1_compress(state: &mut ChainState, input: &[[u8; 64]]) {
    blocks::<Sha1Compress>(state, input);
}

/// SHA-256's compression over `blocks` (the state of `sha2::block_api::compress256`).
pub(crate) fn sha256_compress(state: &mut ChainState, input: &[[u8; 64]]) {
    blocks::<Sha256Compress>(state, input);
}

/// A Merkle-Damgard hash over `C`: the buffered digest behind the compact `Md5`/`Sha1`.
/// Its state and every operation on it are non-generic ([`MdState`]), so that MD5 and SHA-1
/// share them: each instance here only names its compression function and constants.
pub(crate) struct MdHash<C: Compress, const N: usize> {
    core: MdState,
    _alg: PhantomData<C>,
}

/// The chaining state, buffered partial block and length of an [`MdHash`]. Public (hidden)
/// only because [`crate::hash::Hash`]'s hooks for HMAC name it; nothing outside the crate
/// can make or read one.
#[doc(hidden)]
#[derive(Clone)]
pub struct MdState {
    state: ChainState,
    buf: [u8; 64],
    buf_len: usize,
    /// Bytes absorbed (the length field counts bits modulo 2^64).
    total: u64,
}

impl<C: Compress, const N: usize> Clone for MdHash<C, N> {
    fn clone(&self) -> Self {
        MdHash {
            core: self.core.clone(),
            _alg: PhantomData,
        }
    }
}

impl<C: Compress, const N: usize> Default for MdHash<C, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for MdState {
    fn drop(&mut self) {
        self.state.zeroize();
        self.buf.zeroize();
    }
}

/// The constants of one compact hash that the code over its [`MdState`] needs: the
/// compression function, byte order, initial state and digest length. With them, HMAC runs
/// one non-generic body for every compact hash (`mac::Hmac`). Public (hidden) for the same
/// reason as [`MdState`].
#[doc(hidden)]
pub struct MdAlg {
    init: ChainState,
    block: fn(&mut ChainState, &[u8; 64]),
    big_endian: bool,
    out_len: usize,
}

impl MdAlg {
    /// The digest length in bytes.
    pub(crate) fn out_len(&self) -> usize {
        self.out_len
    }
}

/// Only where both compact MD5 and compact SHA-1 are compiled (the TLS 1.0/1.1 PRF's pair)
/// does the compact hash show its state to HMAC: its non-generic body then replaces two
/// generic copies. With one compact hash (SHA-256 in a TLS-1.2-only build) it would replace
/// one copy and cost its own size plus the shims (about 0.1 KB more on a Cortex-M4), so
/// those builds keep the generic HMAC.
#[cfg(all(
    feature = "md5",
    not(feature = "md5-improve-perf-increase-codesize"),
    feature = "sha1",
    not(feature = "sha1-improve-perf-increase-codesize")
))]
impl<C: Compress, const N: usize> crate::hash::InnerState for MdHash<C, N> {
    fn state(&self) -> Option<(&MdState, &'static MdAlg)> {
        Some((&self.core, Self::ALG))
    }

    fn state_mut(&mut self) -> Option<(&mut MdState, &'static MdAlg)> {
        Some((&mut self.core, Self::ALG))
    }
}

/// Without the compact MD5 and SHA-1 pair, the generic HMAC (the `None` defaults).
#[cfg(not(all(
    feature = "md5",
    not(feature = "md5-improve-perf-increase-codesize"),
    feature = "sha1",
    not(feature = "sha1-improve-perf-increase-codesize")
)))]
impl<C: Compress, const N: usize> crate::hash::InnerState for MdHash<C, N> {}

impl<C: Compress, const N: usize> MdHash<C, N> {
    /// This hash's constants.
    const ALG: &'static MdAlg = &MdAlg {
        init: C::INIT,
        block: C::block,
        big_endian: C::BIG_ENDIAN,
        out_len: N,
    };

    /// The hash of the empty message.
    pub(crate) fn new() -> Self {
        MdHash {
            core: MdState::new(&C::INIT),
            _alg: PhantomData,
        }
    }

    /// Absorbs `data`.
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.core.absorb_as(Self::ALG, data);
    }

    /// The digest: `N` bytes (16 for MD5, 20 for SHA-1, 32 for SHA-256). By reference (the
    /// state is spent; its owner wipes it when it drops): the `Hash` wrappers call it on
    /// their field in place instead of moving the state out first.
    pub(crate) fn finalize(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        self.core.finish_as(Self::ALG, &mut out);
        out
    }
}

impl MdState {
    /// A fresh state of the hash `alg`.
    pub(crate) fn of(alg: &MdAlg) -> Self {
        Self::new(&alg.init)
    }

    /// A fresh state from the hash's initial chaining words: one out-of-line copy for
    /// every hash (each `new` of MD5, SHA-1, their HMACs and `Md5Sha1` calls it).
    #[inline(never)]
    fn new(init: &ChainState) -> Self {
        MdState {
            state: *init,
            buf: [0; 64],
            buf_len: 0,
            total: 0,
        }
    }

    /// [`MdHash::update`] for every compression function: one copy of the buffering code in
    /// a build with both compact hashes (the compression is called through a pointer, read
    /// from the hash's constants `alg`, which the compact HMAC also passes).
    #[inline(never)]
    pub(crate) fn absorb_as(&mut self, alg: &MdAlg, mut data: &[u8]) {
        let block = alg.block;
        self.total = self.total.wrapping_add(data.len() as u64);
        while !data.is_empty() {
            let take = (64 - self.buf_len).min(data.len());
            self.buf[self.buf_len..self.buf_len + take].copy_from_slice(&data[..take]);
            self.buf_len += take;
            data = &data[take..];
            if self.buf_len == 64 {
                block(&mut self.state, &self.buf);
                self.buf_len = 0;
            }
        }
    }

    /// [`MdHash::finalize`] for every compression function: the `0x80` padding and the
    /// 64-bit bit count of the bytes absorbed, in the byte order of the hash `alg`, then the
    /// state words into `out`, as far as it goes (at most `alg`'s digest length is
    /// meaningful).
    #[inline(never)]
    pub(crate) fn finish_as(&mut self, alg: &MdAlg, out: &mut [u8]) {
        let (big_endian, block) = (alg.big_endian, alg.block);
        let bits = self.total.wrapping_mul(8);
        let len = if big_endian {
            bits.to_be_bytes()
        } else {
            bits.to_le_bytes()
        };
        let buf_len = self.buf_len.min(63);
        self.buf[buf_len] = 0x80;
        self.buf[buf_len + 1..].fill(0);
        if buf_len >= 56 {
            block(&mut self.state, &self.buf);
            self.buf.fill(0);
        }
        self.buf[56..].copy_from_slice(&len);
        block(&mut self.state, &self.buf);
        crate::hash::store_words32(&self.state, big_endian, out);
    }
}

/// The compact MD5.
pub(crate) type Md5Compact = MdHash<Md5Compress, 16>;
/// The compact SHA-1.
pub(crate) type Sha1Compact = MdHash<Sha1Compress, 20>;
/// The compact SHA-256.
pub(crate) type Sha256Compact = MdHash<Sha256Compress, 32>;

#[cfg(all(test, feature = "md5", feature = "sha1"))]
mod tests {
    use super::*;
    use digest::Digest as _;

    /// A message of `len` bytes that varies with `len`.
    fn message(len: usize) -> alloc::vec::Vec<u8> {
        (0..len).map(|i| (i * 31 + len * 7) as u8).collect()
    }

    #[test]
    fn compact_md5_and_sha1_match_the_rustcrypto_crates_at_every_length() {
        for len in 0..300 {
            let m = message(len);
            let mut h = Md5Compact::new();
            // Split updates exercise the buffer.
            let (x, y) = m.split_at(len / 3);
            h.update(x);
            h.update(y);
            assert_eq!(
                h.finalize(),
                <[u8; 16]>::from(md5::Md5::digest(&m)),
                "MD5 {len}"
            );
            let mut h = Sha1Compact::new();
            h.update(x);
            h.update(y);
            assert_eq!(
                h.finalize(),
                <[u8; 20]>::from(sha1::Sha1::digest(&m)),
                "SHA-1 {len}"
            );
        }
    }

    #[test]
    fn compact_compression_matches_the_crates_block_functions() {
        let blocks: alloc::vec::Vec<[u8; 64]> =
            (0..3u8).map(|i| [i.wrapping_mul(91); 64]).collect();
        let mut a = Md5Compress::INIT;
        let mut b = [a[0], a[1], a[2], a[3]];
        md5_compress(&mut a, &blocks);
        md5::block_api::compress(&mut b, &blocks);
        assert_eq!(a[..4], b);
        let mut a = Sha1Compress::INIT;
        let mut b = [a[0], a[1], a[2], a[3], a[4]];
        sha1_compress(&mut a, &blocks);
        sha1::block_api::compress(&mut b, &blocks);
        assert_eq!(a[..5], b);
    }
}

#[cfg(test)]
mod sha256_tests {
    use super::*;
    use alloc::vec::Vec;
    use digest::Digest as _;
    use proptest::prelude::*;

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    fn compact(parts: &[&[u8]]) -> [u8; 32] {
        let mut h = Sha256Compact::new();
        for p in parts {
            h.update(p);
        }
        h.finalize()
    }

    /// FIPS 180-4's examples (NIST's "SHA256.pdf": "abc", the 448-bit message), the empty
    /// message and a million 'a' (NIST CAVP / FIPS 180-2 appendix B.3).
    #[test]
    fn compact_sha256_known_answers() {
        let cases: [(&[u8], &str); 3] = [
            (
                b"",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ),
            (
                b"abc",
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ),
            (
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
            ),
        ];
        for (msg, want) in cases {
            assert_eq!(compact(&[msg]).to_vec(), hex(want));
        }
        let mut h = Sha256Compact::new();
        let chunk = [b'a'; 1000];
        for _ in 0..1000 {
            h.update(&chunk);
        }
        assert_eq!(
            h.finalize().to_vec(),
            hex("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        );
    }

    #[test]
    fn compact_sha256_matches_sha2_at_every_length_and_split() {
        for len in 0..300usize {
            let m: Vec<u8> = (0..len).map(|i| (i * 31 + len * 7) as u8).collect();
            let want: [u8; 32] = sha2::Sha256::digest(&m).into();
            let (x, y) = m.split_at(len / 3);
            assert_eq!(compact(&[x, y]), want, "{len}");
            assert_eq!(compact(&[&m]), want, "{len}");
        }
    }

    #[test]
    fn compact_sha256_compression_matches_sha2s() {
        let blocks: Vec<[u8; 64]> = (0..3u8).map(|i| [i.wrapping_mul(91); 64]).collect();
        let mut a = Sha256Compress::INIT;
        let mut b = a;
        sha256_compress(&mut a, &blocks);
        sha2::block_api::compress256(&mut b, &blocks);
        assert_eq!(a, b);
    }

    proptest! {
        #[test]
        fn compact_sha256_equals_sha2(
            data in proptest::collection::vec(any::<u8>(), 0..600),
            cut1 in 0usize..600,
            cut2 in 0usize..600,
        ) {
            let (c1, c2) = (cut1.min(data.len()), cut2.min(data.len()));
            let (c1, c2) = (c1.min(c2), c1.max(c2));
            let want: [u8; 32] = sha2::Sha256::digest(&data).into();
            prop_assert_eq!(compact(&[&data[..c1], &data[c1..c2], &data[c2..]]), want);
        }
    }
}
