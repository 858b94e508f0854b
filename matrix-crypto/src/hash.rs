//! Message digests: MD5 (RFC 1321), SHA-1, SHA-256, SHA-384 and SHA-512 (FIPS 180-4).
//!
//! This module owns matrix's [`Hash`] trait and the digest types every other module and
//! crate use; the implementations underneath are RustCrypto's, but no signature here or
//! elsewhere in matrix names them, so they can be replaced (by hardware, or by smaller code)
//! without touching the protocol crates. [`Hash`] values are `Clone`: the handshake forks its
//! running hashes to compute Finished and CertificateVerify while continuing to hash.
//! [`HashContext`] picks the algorithm at run time, for certificate signatures.
//!
//! SHA-256 is always compiled (the DRBG is built on it); MD5, SHA-1 and SHA-384/512 follow
//! the `md5`, `sha1` and `sha512` features. MD5, SHA-1, SHA-256 and SHA-384 also expose
//! their compression function ([`BlockCompress`]) for the record layer's constant-time CBC
//! MAC check.

use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

#[allow(
    unused_imports,
    reason = "the RustCrypto digests' trait: unused in a build where every hash compiled is a compact one"
)]
use digest::Digest as _;
use matrix_core::{Error, Result};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::alg::HashAlgorithm;
use crate::hash_compact::{MdAlg, MdState};

/// The largest [`Hash::BLOCK_LEN`] of any matrix hash (SHA-384/512), so that HMAC and the
/// PKCS#12 KDF can work in fixed stack buffers.
pub const MAX_BLOCK_LEN: usize = 128;

/// The largest [`Hash::OUTPUT_LEN`] of any matrix hash (SHA-512).
pub const MAX_OUTPUT_LEN: usize = 64;

/// An incremental message digest.
///
/// Implementations must wipe their state when dropped ([`ZeroizeOnDrop`]): keyed HMAC states
/// and the running handshake hashes are secrets.
pub trait Hash: Clone + ZeroizeOnDrop {
    /// The algorithm this type computes.
    const ALGORITHM: HashAlgorithm;
    /// The digest length in bytes.
    const OUTPUT_LEN: usize;
    /// The compression function's block length in bytes (HMAC pads keys to it).
    const BLOCK_LEN: usize;
    /// The digest: a byte array of [`Hash::OUTPUT_LEN`] bytes.
    type Output: Copy
        + Eq
        + AsRef<[u8]>
        + AsMut<[u8]>
        + fmt::Debug
        + Zeroize
        + Send
        + Sync
        + 'static;

    /// A fresh hash of the empty message.
    fn new() -> Self;

    /// Absorbs `data`.
    fn update(&mut self, data: &[u8]);

    /// The digest of everything absorbed; clone first to keep hashing.
    fn finalize(self) -> Self::Output;

    /// The digest of `data` in one call.
    fn digest(data: &[u8]) -> Self::Output {
        let mut h = Self::new();
        h.update(data);
        h.finalize()
    }

    /// matrix's compact MD5, SHA-1 and SHA-256: the state under the hash and the hash's
    /// constants, so that HMAC runs one non-generic body for all of them (in a firmware
    /// build, MD5 and SHA-1 for the TLS 1.0/1.1 PRF). `None`, the default, for every other
    /// hash. Not part of the API.
    #[doc(hidden)]
    fn compact_state(&self) -> Option<(&MdState, &'static MdAlg)> {
        None
    }

    /// [`Hash::compact_state`], mutable.
    #[doc(hidden)]
    fn compact_state_mut(&mut self) -> Option<(&mut MdState, &'static MdAlg)> {
        None
    }
}

/// What a wrapped digest offers to [`Hash`]'s hidden hooks: its compact state, if it is one
/// (the compact `MdHash` says so; the RustCrypto digests keep the `None` defaults).
pub(crate) trait InnerState {
    /// The compact state and constants, if any.
    fn state(&self) -> Option<(&MdState, &'static MdAlg)> {
        None
    }

    /// [`InnerState::state`], mutable.
    fn state_mut(&mut self) -> Option<(&mut MdState, &'static MdAlg)> {
        None
    }
}

#[cfg(feature = "md5")]
impl InnerState for md5::Md5 {}
#[cfg(feature = "sha1")]
impl InnerState for sha1::Sha1 {}
impl InnerState for sha2::Sha256 {}
#[cfg(feature = "sha512")]
impl InnerState for sha2::Sha384 {}
#[cfg(feature = "sha512")]
impl InnerState for sha2::Sha512 {}

/// Wraps a RustCrypto digest in a matrix type whose `Debug` does not print the state.
macro_rules! wrap_hash {
    ($(#[$meta:meta])* $name:ident, $inner:ty, $alg:expr, $out:literal, $block:literal) => {
        $(#[$meta])*
        #[derive(Clone, Default)]
        pub struct $name($inner);

        impl Hash for $name {
            const ALGORITHM: HashAlgorithm = $alg;
            const OUTPUT_LEN: usize = $out;
            const BLOCK_LEN: usize = $block;
            type Output = [u8; $out];

            fn new() -> Self {
                $name(<$inner>::new())
            }

            fn update(&mut self, data: &[u8]) {
                self.0.update(data);
            }

            // The compact hashes finish by reference, in place (their state is wiped when
            // `self` drops); the RustCrypto ones by value, for which `mut` is not needed.
            #[allow(unused_mut, reason = "needed by the compact hashes only")]
            fn finalize(mut self) -> [u8; $out] {
                self.0.finalize().into()
            }

            fn compact_state(&self) -> Option<(&MdState, &'static MdAlg)> {
                InnerState::state(&self.0)
            }

            fn compact_state_mut(&mut self) -> Option<(&mut MdState, &'static MdAlg)> {
                InnerState::state_mut(&mut self.0)
            }
        }

        // The wrapped state is itself `ZeroizeOnDrop` (the `zeroize` feature of the digest
        // crates is always enabled in Cargo.toml).
        impl ZeroizeOnDrop for $name {}

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), " { .. }"))
            }
        }
    };
}

// The implementations under MD5 and SHA-1: RustCrypto's unrolled code with
// `*-improve-perf-increase-codesize` (MatrixSSL's PS_MD5_/PS_SHA1_IMPROVE_PERF_INCREASE_CODESIZE),
// else matrix's compact loops (`hash_compact`).
#[cfg(all(feature = "md5", feature = "md5-improve-perf-increase-codesize"))]
type Md5Inner = md5::Md5;
#[cfg(all(feature = "md5", not(feature = "md5-improve-perf-increase-codesize")))]
type Md5Inner = crate::hash_compact::Md5Compact;
#[cfg(all(feature = "md5", not(feature = "md5-improve-perf-increase-codesize")))]
use crate::hash_compact::md5_compress;
#[cfg(all(feature = "sha1", feature = "sha1-improve-perf-increase-codesize"))]
type Sha1Inner = sha1::Sha1;
#[cfg(all(feature = "sha1", not(feature = "sha1-improve-perf-increase-codesize")))]
type Sha1Inner = crate::hash_compact::Sha1Compact;
#[cfg(all(feature = "sha1", not(feature = "sha1-improve-perf-increase-codesize")))]
use crate::hash_compact::sha1_compress;

/// MD5's compression on the first four words of a [`ChainState`], by the `md-5` crate (the
/// compact form works on the [`ChainState`] itself).
#[cfg(all(feature = "md5", feature = "md5-improve-perf-increase-codesize"))]
fn md5_compress(state: &mut ChainState, blocks: &[[u8; 64]]) {
    let mut s = [state[0], state[1], state[2], state[3]];
    md5::block_api::compress(&mut s, blocks);
    state[..4].copy_from_slice(&s);
    s.zeroize();
}

/// SHA-1's compression on the first five words of a [`ChainState`], by the `sha1` crate.
#[cfg(all(feature = "sha1", feature = "sha1-improve-perf-increase-codesize"))]
fn sha1_compress(state: &mut ChainState, blocks: &[[u8; 64]]) {
    let mut s = [state[0], state[1], state[2], state[3], state[4]];
    sha1::block_api::compress(&mut s, blocks);
    state[..5].copy_from_slice(&s);
    s.zeroize();
}

// SHA-256: the `sha2` crate's, or matrix's compact loop (`hash_compact`) when the build
// asks for the compact SHA-256 rounds (`--cfg sha2_backend_soft="compact"`, which `cargo
// xtask firmware` and the x86_64 size build pass without `sha256-improve-perf-increase-codesize`):
// the compact MD5/SHA-1 buffering code is then shared with it, and no `sha2` wrapper is linked.
#[cfg(not(sha2_backend_soft = "compact"))]
type Sha256Inner = sha2::Sha256;
#[cfg(not(sha2_backend_soft = "compact"))]
use sha2::block_api::compress256 as sha256_compress;
#[cfg(sha2_backend_soft = "compact")]
type Sha256Inner = crate::hash_compact::Sha256Compact;
#[cfg(sha2_backend_soft = "compact")]
use crate::hash_compact::sha256_compress;

#[cfg(feature = "md5")]
wrap_hash!(
    /// MD5 (RFC 1321): 16-byte digest, 64-byte blocks. Broken for collisions; kept for the
    /// SSL 3.0/TLS 1.0 key derivations, the SSLv3 MAC and old certificates.
    Md5,
    Md5Inner,
    HashAlgorithm::Md5,
    16,
    64
);

#[cfg(feature = "sha1")]
wrap_hash!(
    /// SHA-1 (FIPS 180-4): 20-byte digest, 64-byte blocks.
    Sha1,
    Sha1Inner,
    HashAlgorithm::Sha1,
    20,
    64
);

wrap_hash!(
    /// SHA-256 (FIPS 180-4): 32-byte digest, 64-byte blocks.
    Sha256,
    Sha256Inner,
    HashAlgorithm::Sha256,
    32,
    64
);

#[cfg(feature = "sha512")]
wrap_hash!(
    /// SHA-384 (FIPS 180-4): 48-byte digest, 128-byte blocks.
    Sha384,
    sha2::Sha384,
    HashAlgorithm::Sha384,
    48,
    128
);

#[cfg(feature = "sha512")]
wrap_hash!(
    /// SHA-512 (FIPS 180-4): 64-byte digest, 128-byte blocks.
    Sha512,
    sha2::Sha512,
    HashAlgorithm::Sha512,
    64,
    128
);

/// The chaining state of a 64-byte-block Merkle-Damgard hash as [`BlockCompress`] exposes it:
/// eight 32-bit words (SHA-256 uses all, SHA-1 the first five, MD5 the first four; the rest
/// stay zero).
pub type ChainState = [u32; 8];

/// The chaining state of SHA-384 (and SHA-512) as [`BlockCompress`] exposes it: eight 64-bit
/// words.
pub type WideChainState = [u64; 8];

/// A hash whose compression function is exposed one block at a time: MD5, SHA-1 and SHA-256
/// (64-byte blocks, 32-bit state words, an 8-byte length field) and SHA-384 (128-byte
/// blocks, 64-bit words, a 16-byte length field).
///
/// For code that must hash a message of secret length at a cost that depends only on a
/// public bound on it (the constant-time CBC record MAC check): it runs the compression
/// function over every block the longest message could need and picks the state after the
/// block that ends the real message with masks, which the buffered [`Hash`] interface cannot
/// do. The caller does the Merkle-Damgard padding itself: `0x80`, zeros, and the message
/// length in bits in the last [`BlockCompress::LENGTH_LEN`] bytes of the final block, in the
/// hash's byte order.
pub trait BlockCompress: Hash {
    /// Whether the length field and the digest words are big-endian (SHA-1) or
    /// little-endian (MD5).
    const BIG_ENDIAN: bool;
    /// The state words the digest is made of (4 for MD5, 5 for SHA-1, 8 for SHA-256, 6 for
    /// SHA-384); the rest stay zero or are dropped.
    const STATE_WORDS: usize;
    /// The length of the bit-length field at the end of the final block: 8, or 16 for
    /// SHA-384 (FIPS 180-4 section 5.1.2).
    const LENGTH_LEN: usize;
    /// The chaining state ([`ChainState`] or [`WideChainState`]).
    type State: Copy + Zeroize + Send + Sync + 'static;
    /// One block, `[u8; BLOCK_LEN]`.
    type Block: Copy + Zeroize + AsRef<[u8]> + AsMut<[u8]> + Send + Sync + 'static;
    /// The chaining state of the empty message.
    const INITIAL_STATE: Self::State;
    /// A block of zeros.
    const ZERO_BLOCK: Self::Block;

    /// Runs the compression function on `state` with each of `blocks` in turn.
    fn compress(state: &mut Self::State, blocks: &[Self::Block]);

    /// Runs the compression function on `state` with each whole block of `bytes` in turn
    /// (a trailing partial block is ignored), without copying them.
    fn compress_bytes(state: &mut Self::State, bytes: &[u8]);

    /// Writes the digest that `state` stands for (the state after the final, padded block)
    /// to the start of `out`: [`Hash::OUTPUT_LEN`] bytes, or fewer if `out` is shorter.
    fn write_digest(state: &Self::State, out: &mut [u8]);

    /// Sets `dst` to `src` where `mask` is all ones and leaves it where `mask` is zero,
    /// without a branch on `mask`.
    fn select(mask: u32, src: &Self::State, dst: &mut Self::State);
}

/// The [`BlockCompress`] methods every 64-byte-block hash shares (32-bit state words).
macro_rules! words32_methods {
    () => {
        fn compress_bytes(state: &mut ChainState, bytes: &[u8]) {
            Self::compress(state, bytes.as_chunks::<64>().0);
        }

        fn write_digest(state: &ChainState, out: &mut [u8]) {
            write_words32(state, Self::STATE_WORDS, Self::BIG_ENDIAN, out);
        }

        fn select(mask: u32, src: &ChainState, dst: &mut ChainState) {
            select32(mask, src, dst);
        }
    };
}

/// [`BlockCompress::write_digest`] for 32-bit state words.
fn write_words32(state: &ChainState, words: usize, big_endian: bool, out: &mut [u8]) {
    store_words32(&state[..words], big_endian, out);
}

/// Writes `words` into `out` in the given byte order, as far as `out` goes (its last word
/// may be cut). An indexed loop, shared with the compact MD5/SHA-1: a `zip` over
/// `chunks_mut` links the iterator adapters' specialised code for it.
pub(crate) fn store_words32(words: &[u32], big_endian: bool, out: &mut [u8]) {
    for (i, word) in words.iter().enumerate() {
        let bytes = if big_endian {
            word.to_be_bytes()
        } else {
            word.to_le_bytes()
        };
        let Some(dst) = out.get_mut(4 * i..) else {
            return;
        };
        let n = dst.len().min(4);
        dst[..n].copy_from_slice(&bytes[..n]);
    }
}

/// [`BlockCompress::select`] for 32-bit state words.
fn select32(mask: u32, src: &ChainState, dst: &mut ChainState) {
    for i in 0..src.len() {
        dst[i] = (src[i] & mask) | (dst[i] & !mask);
    }
}

#[cfg(feature = "md5")]
impl BlockCompress for Md5 {
    const BIG_ENDIAN: bool = false;
    const STATE_WORDS: usize = 4;
    const LENGTH_LEN: usize = 8;
    type State = ChainState;
    type Block = [u8; 64];
    // RFC 1321 section 3.3.
    const INITIAL_STATE: ChainState = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0, 0, 0, 0];
    const ZERO_BLOCK: [u8; 64] = [0; 64];

    fn compress(state: &mut ChainState, blocks: &[[u8; 64]]) {
        md5_compress(state, blocks);
    }

    words32_methods!();
}

#[cfg(feature = "sha1")]
impl BlockCompress for Sha1 {
    const BIG_ENDIAN: bool = true;
    const STATE_WORDS: usize = 5;
    const LENGTH_LEN: usize = 8;
    type State = ChainState;
    type Block = [u8; 64];
    // FIPS 180-4 section 5.3.1.
    const INITIAL_STATE: ChainState = [
        0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0, 0, 0, 0,
    ];
    const ZERO_BLOCK: [u8; 64] = [0; 64];

    fn compress(state: &mut ChainState, blocks: &[[u8; 64]]) {
        sha1_compress(state, blocks);
    }

    words32_methods!();
}

impl BlockCompress for Sha256 {
    const BIG_ENDIAN: bool = true;
    const STATE_WORDS: usize = 8;
    const LENGTH_LEN: usize = 8;
    type State = ChainState;
    type Block = [u8; 64];
    // FIPS 180-4 section 5.3.3.
    const INITIAL_STATE: ChainState = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];
    const ZERO_BLOCK: [u8; 64] = [0; 64];

    fn compress(state: &mut ChainState, blocks: &[[u8; 64]]) {
        sha256_compress(state, blocks);
    }

    words32_methods!();
}

/// SHA-384: the SHA-512 compression function from its own initial state, the digest cut to
/// six words (FIPS 180-4 section 6.5). The record MAC of RFC 5487's `_SHA384` CBC suites.
#[cfg(feature = "sha512")]
impl BlockCompress for Sha384 {
    const BIG_ENDIAN: bool = true;
    const STATE_WORDS: usize = 6;
    const LENGTH_LEN: usize = 16;
    type State = WideChainState;
    type Block = [u8; 128];
    // FIPS 180-4 section 5.3.4.
    const INITIAL_STATE: WideChainState = [
        0xcbbb9d5dc1059ed8,
        0x629a292a367cd507,
        0x9159015a3070dd17,
        0x152fecd8f70e5939,
        0x67332667ffc00b31,
        0x8eb44a8768581511,
        0xdb0c2e0d64f98fa7,
        0x47b5481dbefa4fa4,
    ];
    const ZERO_BLOCK: [u8; 128] = [0; 128];

    fn compress(state: &mut WideChainState, blocks: &[[u8; 128]]) {
        sha2::block_api::compress512(state, blocks);
    }

    fn compress_bytes(state: &mut WideChainState, bytes: &[u8]) {
        Self::compress(state, bytes.as_chunks::<128>().0);
    }

    fn write_digest(state: &WideChainState, out: &mut [u8]) {
        for (word, chunk) in state[..Self::STATE_WORDS].iter().zip(out.chunks_mut(8)) {
            chunk.copy_from_slice(&word.to_be_bytes()[..chunk.len()]);
        }
    }

    fn select(mask: u32, src: &WideChainState, dst: &mut WideChainState) {
        let mask = u64::from(mask) | (u64::from(mask) << 32);
        for (d, &s) in dst.iter_mut().zip(src) {
            *d = (s & mask) | (*d & !mask);
        }
    }
}

/// MD5 and SHA-1 of the same message, run side by side: the handshake hash of SSL 3.0 and
/// TLS 1.0/1.1 and the `MD5 || SHA-1` digest those versions sign without a DigestInfo.
///
/// The digest is the 36 bytes `MD5(m) || SHA-1(m)`. [`Hash::BLOCK_LEN`] is 64, but HMAC
/// over this pair has no meaning in any protocol.
#[cfg(all(feature = "md5", feature = "sha1"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "md5", feature = "sha1"))))]
#[derive(Clone, Default)]
pub struct Md5Sha1 {
    md5: Md5,
    sha1: Sha1,
}

#[cfg(all(feature = "md5", feature = "sha1"))]
impl Md5Sha1 {
    /// The running MD5 half.
    pub fn md5(&self) -> &Md5 {
        &self.md5
    }

    /// The running SHA-1 half.
    pub fn sha1(&self) -> &Sha1 {
        &self.sha1
    }
}

#[cfg(all(feature = "md5", feature = "sha1"))]
impl Hash for Md5Sha1 {
    const ALGORITHM: HashAlgorithm = HashAlgorithm::Md5Sha1;
    const OUTPUT_LEN: usize = 36;
    const BLOCK_LEN: usize = 64;
    type Output = [u8; 36];

    fn new() -> Self {
        Md5Sha1::default()
    }

    fn update(&mut self, data: &[u8]) {
        // The compact pair absorbs into both states directly (no MD5 `update` linked for
        // this alone), as its `finalize` below finishes them.
        if let (Some((md5, md5_alg)), Some((sha1, sha1_alg))) =
            (self.md5.compact_state_mut(), self.sha1.compact_state_mut())
        {
            md5.absorb_as(md5_alg, data);
            sha1.absorb_as(sha1_alg, data);
        } else {
            self.md5.update(data);
            self.sha1.update(data);
        }
    }

    fn finalize(mut self) -> [u8; 36] {
        let mut out = [0u8; 36];
        let (md5_out, sha1_out) = out.split_at_mut(16);
        // The compact pair finishes both halves where they are (no copy of each state moved
        // into its own `finalize`, and no MD5 `finalize` linked for this alone); any other
        // pair through the halves' `finalize`. The states are wiped when `self` drops.
        if let (Some((md5, md5_alg)), Some((sha1, sha1_alg))) =
            (self.md5.compact_state_mut(), self.sha1.compact_state_mut())
        {
            md5.finish_as(md5_alg, md5_out);
            sha1.finish_as(sha1_alg, sha1_out);
        } else {
            md5_out.copy_from_slice(&self.md5.finalize());
            sha1_out.copy_from_slice(&self.sha1.finalize());
        }
        out
    }
}

#[cfg(all(feature = "md5", feature = "sha1"))]
impl ZeroizeOnDrop for Md5Sha1 {}

#[cfg(all(feature = "md5", feature = "sha1"))]
impl fmt::Debug for Md5Sha1 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Md5Sha1 { .. }")
    }
}

// Run-time dispatch without `cfg` in function bodies: every algorithm has a slot type, which
// is the hash when compiled in and the uninhabited `Absent` otherwise. Matches then stay
// exhaustive in every build, and an absent algorithm fails where its value would be made.

/// The type standing in for an algorithm that is not compiled in: it has no values.
#[cfg(not(all(feature = "md5", feature = "sha1", feature = "sha512")))]
#[derive(Clone, Debug)]
pub(crate) enum Absent {}

#[cfg(feature = "md5")]
type Md5Slot = Md5;
#[cfg(not(feature = "md5"))]
type Md5Slot = Absent;
#[cfg(feature = "sha1")]
type Sha1Slot = Sha1;
#[cfg(not(feature = "sha1"))]
type Sha1Slot = Absent;
#[cfg(feature = "sha512")]
type Sha384Slot = Sha384;
#[cfg(not(feature = "sha512"))]
type Sha384Slot = Absent;
#[cfg(feature = "sha512")]
type Sha512Slot = Sha512;
#[cfg(not(feature = "sha512"))]
type Sha512Slot = Absent;
#[cfg(all(feature = "md5", feature = "sha1"))]
type Md5Sha1Slot = Md5Sha1;
#[cfg(not(all(feature = "md5", feature = "sha1")))]
type Md5Sha1Slot = Absent;

/// Work to do with a hash type chosen at run time (see [`dispatch`]).
pub(crate) trait HashJob {
    /// What the job produces.
    type Out;
    /// Runs the job with `H`.
    fn run<H: Hash>(self) -> Self::Out;
}

/// What a slot type can do: be made, hash, finish, or run a job with its hash type.
pub(crate) trait Slot: Sized {
    fn make() -> Result<Self>;
    fn absorb(&mut self, data: &[u8]);
    fn finish_into(self, out: &mut [u8]);
    fn job<J: HashJob>(job: J) -> Result<J::Out>;
}

impl<H: Hash> Slot for H {
    fn make() -> Result<Self> {
        Ok(H::new())
    }

    fn absorb(&mut self, data: &[u8]) {
        self.update(data);
    }

    fn finish_into(self, out: &mut [u8]) {
        out.copy_from_slice(self.finalize().as_ref());
    }

    fn job<J: HashJob>(job: J) -> Result<J::Out> {
        Ok(job.run::<H>())
    }
}

#[cfg(not(all(feature = "md5", feature = "sha1", feature = "sha512")))]
impl Slot for Absent {
    fn make() -> Result<Self> {
        Err(Error::UnsupportedFail)
    }

    fn absorb(&mut self, _data: &[u8]) {
        match *self {}
    }

    fn finish_into(self, _out: &mut [u8]) {
        match self {}
    }

    fn job<J: HashJob>(_job: J) -> Result<J::Out> {
        Err(Error::UnsupportedFail)
    }
}

/// Runs `job` with the hash type of `alg`, or fails with `UnsupportedFail` when that
/// algorithm is not compiled in.
pub(crate) fn dispatch<J: HashJob>(alg: HashAlgorithm, job: J) -> Result<J::Out> {
    match alg {
        HashAlgorithm::Md5 => Md5Slot::job(job),
        HashAlgorithm::Sha1 => Sha1Slot::job(job),
        HashAlgorithm::Sha256 => Sha256::job(job),
        HashAlgorithm::Sha384 => Sha384Slot::job(job),
        HashAlgorithm::Sha512 => Sha512Slot::job(job),
        HashAlgorithm::Md5Sha1 => Md5Sha1Slot::job(job),
    }
}

#[derive(Clone, Debug)]
enum Ctx {
    Md5(Md5Slot),
    Sha1(Sha1Slot),
    Sha256(Sha256),
    Sha384(Sha384Slot),
    Sha512(Sha512Slot),
    Md5Sha1(Md5Sha1Slot),
}

/// A hash whose algorithm is chosen at run time (`psDigestContext_t`): for certificate and
/// ServerKeyExchange signatures, whose algorithm comes from the peer.
///
/// ```
/// use matrix_crypto::{alg::HashAlgorithm, hash::HashContext};
/// let mut h = HashContext::new(HashAlgorithm::Sha256)?;
/// h.update(b"abc");
/// assert_eq!(h.finalize()[..4], [0xba, 0x78, 0x16, 0xbf]);
/// # Ok::<(), matrix_crypto::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct HashContext(Ctx);

impl HashContext {
    /// A fresh context for `alg`; `UnsupportedFail` if `alg` is not compiled in.
    pub fn new(alg: HashAlgorithm) -> Result<Self> {
        let ctx = match alg {
            HashAlgorithm::Md5 => Ctx::Md5(Slot::make()?),
            HashAlgorithm::Sha1 => Ctx::Sha1(Slot::make()?),
            HashAlgorithm::Sha256 => Ctx::Sha256(Slot::make()?),
            HashAlgorithm::Sha384 => Ctx::Sha384(Slot::make()?),
            HashAlgorithm::Sha512 => Ctx::Sha512(Slot::make()?),
            HashAlgorithm::Md5Sha1 => Ctx::Md5Sha1(Slot::make()?),
        };
        Ok(HashContext(ctx))
    }

    /// Whether `alg` is compiled into this build.
    pub fn is_supported(alg: HashAlgorithm) -> bool {
        HashContext::new(alg).is_ok()
    }

    /// The algorithm of this context.
    pub fn algorithm(&self) -> HashAlgorithm {
        match self.0 {
            Ctx::Md5(_) => HashAlgorithm::Md5,
            Ctx::Sha1(_) => HashAlgorithm::Sha1,
            Ctx::Sha256(_) => HashAlgorithm::Sha256,
            Ctx::Sha384(_) => HashAlgorithm::Sha384,
            Ctx::Sha512(_) => HashAlgorithm::Sha512,
            Ctx::Md5Sha1(_) => HashAlgorithm::Md5Sha1,
        }
    }

    /// The digest length in bytes.
    pub fn output_len(&self) -> usize {
        self.algorithm().output_len()
    }

    /// Absorbs `data`.
    pub fn update(&mut self, data: &[u8]) {
        match &mut self.0 {
            Ctx::Md5(h) => h.absorb(data),
            Ctx::Sha1(h) => h.absorb(data),
            Ctx::Sha256(h) => h.absorb(data),
            Ctx::Sha384(h) => h.absorb(data),
            Ctx::Sha512(h) => h.absorb(data),
            Ctx::Md5Sha1(h) => h.absorb(data),
        }
    }

    /// Writes the digest to the start of `out` and returns its length; `ArgFail` if `out`
    /// is shorter than [`HashContext::output_len`].
    pub fn finalize_into(self, out: &mut [u8]) -> Result<usize> {
        let n = self.output_len();
        let dst = out.get_mut(..n).ok_or(Error::ArgFail)?;
        match self.0 {
            Ctx::Md5(h) => h.finish_into(dst),
            Ctx::Sha1(h) => h.finish_into(dst),
            Ctx::Sha256(h) => h.finish_into(dst),
            Ctx::Sha384(h) => h.finish_into(dst),
            Ctx::Sha512(h) => h.finish_into(dst),
            Ctx::Md5Sha1(h) => h.finish_into(dst),
        }
        Ok(n)
    }

    /// The digest, as a vector of [`HashContext::output_len`] bytes.
    pub fn finalize(self) -> Vec<u8> {
        let mut out = vec![0u8; self.output_len()];
        // Cannot fail: `out` has exactly the output length.
        let _ = self.finalize_into(&mut out);
        out
    }

    /// The digest of `data` under `alg` in one call.
    ///
    /// Runs the typed hash through the crate's `dispatch` rather than a context: a build that only
    /// ever hashes whole messages at run time (the certificate signatures of a client)
    /// then links no `HashContext` constructor, state enum or finish dispatch. (A build
    /// with every hash compiled in takes the context instead, below.)
    #[cfg(not(all(feature = "md5", feature = "sha1", feature = "sha512")))]
    pub fn digest(alg: HashAlgorithm, data: &[u8]) -> Result<Vec<u8>> {
        dispatch(alg, DigestJob(data))
    }

    /// The digest of `data` under `alg` in one call.
    ///
    /// Through a context: a build with every hash compiled in (MD5, SHA-1 and SHA-384/512)
    /// links `HashContext` for its TLS 1.2 transcript anyway, and the typed `dispatch` would add a
    /// one-call digest for each of its six algorithms (about 310 B more on a Cortex-M4).
    #[cfg(all(feature = "md5", feature = "sha1", feature = "sha512"))]
    pub fn digest(alg: HashAlgorithm, data: &[u8]) -> Result<Vec<u8>> {
        let mut h = HashContext::new(alg)?;
        h.update(data);
        Ok(h.finalize())
    }
}

/// [`HashContext::digest`]'s work: the typed one-call digest, as a vector.
#[cfg(not(all(feature = "md5", feature = "sha1", feature = "sha512")))]
struct DigestJob<'a>(&'a [u8]);

#[cfg(not(all(feature = "md5", feature = "sha1", feature = "sha512")))]
impl HashJob for DigestJob<'_> {
    type Out = Vec<u8>;

    fn run<H: Hash>(self) -> Vec<u8> {
        // The digest is the caller's result (as from `HashContext::finalize_into`); the
        // hash state is wiped when `H::digest` drops it.
        H::digest(self.0).as_ref().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-call digest (through `dispatch` or a context, by the build) equals the
    /// context's, and fails like `HashContext::new` for a hash not compiled in.
    #[test]
    fn one_call_digest_matches_context() {
        let mut c = HashContext::new(HashAlgorithm::Sha256).unwrap();
        c.update(b"abc");
        assert_eq!(
            HashContext::digest(HashAlgorithm::Sha256, b"abc").unwrap(),
            c.finalize()
        );
        #[cfg(not(feature = "sha512"))]
        assert_eq!(
            HashContext::digest(HashAlgorithm::Sha384, b"abc"),
            Err(Error::UnsupportedFail)
        );
    }

    #[test]
    fn context_matches_typed_hash() {
        let mut c = HashContext::new(HashAlgorithm::Sha256).unwrap();
        c.update(b"ab");
        c.update(b"c");
        assert_eq!(c.algorithm(), HashAlgorithm::Sha256);
        assert_eq!(c.finalize(), Sha256::digest(b"abc").to_vec());
        let mut short = [0u8; 31];
        let c = HashContext::new(HashAlgorithm::Sha256).unwrap();
        assert_eq!(c.finalize_into(&mut short), Err(Error::ArgFail));
    }

    /// Pads `msg` by hand and runs it through [`BlockCompress`]: the digest must be the
    /// hash's own, for lengths around every padding boundary.
    fn block_compress_matches<H: BlockCompress>() {
        let block = H::BLOCK_LEN;
        let msg: Vec<u8> = (0..3 * block as u32).map(|i| (i * 31 + 7) as u8).collect();
        for n in 0..msg.len() {
            let mut padded = msg[..n].to_vec();
            padded.push(0x80);
            while padded.len() % block != block - H::LENGTH_LEN {
                padded.push(0);
            }
            let bits = (n as u128) * 8;
            if H::BIG_ENDIAN {
                padded.extend_from_slice(&bits.to_be_bytes()[16 - H::LENGTH_LEN..]);
            } else {
                padded.extend_from_slice(&bits.to_le_bytes()[..H::LENGTH_LEN]);
            }
            // Half the blocks one call at a time, the rest in one call.
            let blocks = padded.len() / block;
            let split = blocks / 2;
            let mut state = H::INITIAL_STATE;
            for k in 0..split {
                let mut b = H::ZERO_BLOCK;
                b.as_mut()
                    .copy_from_slice(&padded[k * block..(k + 1) * block]);
                H::compress(&mut state, core::slice::from_ref(&b));
            }
            H::compress_bytes(&mut state, &padded[split * block..]);
            let mut out = [0u8; MAX_OUTPUT_LEN];
            H::write_digest(&state, &mut out[..H::OUTPUT_LEN]);
            assert_eq!(&out[..H::OUTPUT_LEN], H::digest(&msg[..n]).as_ref(), "{n}");
            // The selection copies a state, or keeps the other.
            let mut other = H::INITIAL_STATE;
            H::select(0, &state, &mut other);
            let mut kept = [0u8; MAX_OUTPUT_LEN];
            H::write_digest(&other, &mut kept[..H::OUTPUT_LEN]);
            H::select(u32::MAX, &state, &mut other);
            H::write_digest(&other, &mut kept[..H::OUTPUT_LEN]);
            assert_eq!(kept[..H::OUTPUT_LEN], out[..H::OUTPUT_LEN]);
        }
    }

    #[cfg(feature = "md5")]
    #[test]
    fn md5_block_compress_is_md5() {
        block_compress_matches::<Md5>();
    }

    #[cfg(feature = "sha1")]
    #[test]
    fn sha1_block_compress_is_sha1() {
        block_compress_matches::<Sha1>();
    }

    #[test]
    fn sha256_block_compress_is_sha256() {
        block_compress_matches::<Sha256>();
    }

    #[cfg(feature = "sha512")]
    #[test]
    fn sha384_block_compress_is_sha384() {
        block_compress_matches::<Sha384>();
    }

    #[cfg(not(feature = "md5"))]
    #[test]
    fn absent_algorithm_is_unsupported() {
        assert_eq!(
            HashContext::new(HashAlgorithm::Md5).err(),
            Some(Error::UnsupportedFail)
        );
    }
}
