//! The record MACs as the record layer uses them: the SSL 3.0 MAC (RFC 6101 section
//! 5.2.3.1) and the TLS HMAC (RFC 2246 and RFC 4346 section 6.2.3.1), with the record's own
//! version in the MAC input (the record layer is handed the version with each record, and
//! the MAC must cover the one on the wire).
//!
//! Both are `H(outer prefix || H(inner prefix || header || data))` with keyed prefixes, and
//! both are computed by one function, whose constant-time form serves CBC decryption,
//! [`RecordMac::compute_ct`] (see the parent module's documentation, step 3): the inner
//! hash is run block by block through the raw compression function over every block the
//! longest possible data needs, with the Merkle-Damgard padding of the real (secret)
//! length written in with masks, and the state after the block that ends the real message
//! picked with masks; then the outer hash, whose input has a fixed length, the same way.
//! The sender and the other receivers ([`RecordMac::compute`]) run the same code with a
//! public length: only the last one or two blocks are assembled with masks, the rest is
//! compressed in place. It covers the 64-byte-block hashes (MD5, SHA-1, SHA-256) and
//! SHA-384's 128-byte blocks with their 16-byte length field (RFC 5487's `_SHA384` CBC
//! suites); the tests check both forms against matrix-crypto's buffered HMAC and SSL 3.0
//! MAC. The constant-time mask helpers the CBC check shares live here.

#[cfg(any(all(test, any(feature = "ssl3", feature = "tls")), feature = "ssl3"))]
use alloc::vec::Vec;
#[cfg(any(
    all(test, any(feature = "ssl3", feature = "tls")),
    feature = "md5-record-mac"
))]
use matrix_crypto::hash::Md5;
#[cfg(any(
    all(test, any(feature = "ssl3", feature = "tls")),
    feature = "sha1-record-mac"
))]
use matrix_crypto::hash::Sha1;
#[cfg(any(test, feature = "sha256-record-mac"))]
use matrix_crypto::hash::Sha256;
#[cfg(any(feature = "sha384-record-mac", all(test, feature = "sha512")))]
use matrix_crypto::hash::Sha384;
use matrix_crypto::hash::{BlockCompress, Hash};
#[cfg(any(all(test, any(feature = "ssl3", feature = "tls")), feature = "ssl3"))]
use matrix_crypto::mac::Ssl3Hash;
use zeroize::{Zeroize, Zeroizing};

use crate::codec::{ContentType, ProtocolVersion};
use crate::suites::MacAlgorithm;

/// The longest tag of any suite's MAC (SHA-384).
#[allow(
    dead_code,
    reason = "used by the record ciphers, absent from builds without any suite"
)]
pub(crate) const MAX_MAC_LEN: usize = 48;

/// The most by which the data length `compute_ct` is given can exceed the real one: a TLS
/// padding length byte can say 255.
pub(crate) const MAX_SHORTFALL: usize = 255;

/// The longest per-record MAC header (TLS: `seq || type || version || length`).
const MAX_HEADER_LEN: usize = 13;

/// The longest block of any hash a record MAC uses (SHA-384's).
const MAX_BLOCK: usize = 128;

/// A hash keyed with a prefix: the chaining state after the whole blocks of the prefix
/// (`K ^ ipad` or `K ^ opad` for HMAC, `secret || pad_1` or `secret || pad_2` for SSL 3.0)
/// and the bytes of the prefix after them, kept so that [`digest_ct`] can run the
/// compression function itself.
pub(crate) struct KeyedStart<H: BlockCompress> {
    state: Zeroizing<H::State>,
    rest: Zeroizing<H::Block>,
    rest_len: usize,
    prefix_len: usize,
}

impl<H: BlockCompress> KeyedStart<H> {
    /// `H` after absorbing `prefix`: its whole blocks compressed in place, the rest kept
    /// (the SSL 3.0 MAC's prefixes end inside a block).
    #[cfg(any(all(test, any(feature = "ssl3", feature = "tls")), feature = "ssl3"))]
    fn new(prefix: &[u8]) -> Self {
        const { assert!(H::BLOCK_LEN <= MAX_BLOCK && H::LENGTH_LEN < H::BLOCK_LEN) };
        let whole = prefix.len() / H::BLOCK_LEN * H::BLOCK_LEN;
        let mut state = Zeroizing::new(H::INITIAL_STATE);
        H::compress_bytes(&mut state, prefix.get(..whole).unwrap_or_default());
        let mut rest = Zeroizing::new(H::ZERO_BLOCK);
        let rest_bytes = prefix.get(whole..).unwrap_or_default();
        copy_tag(rest_bytes, AsMut::<[u8]>::as_mut(&mut *rest));
        KeyedStart {
            state,
            rest,
            rest_len: rest_bytes.len(),
            prefix_len: prefix.len(),
        }
    }

    /// `H` after absorbing one whole block (HMAC's `K ^ ipad` or `K ^ opad`): nothing is
    /// left over, so HMAC does not need the general `KeyedStart::new`.
    fn whole_block(block: &H::Block) -> Self {
        const { assert!(H::BLOCK_LEN <= MAX_BLOCK && H::LENGTH_LEN < H::BLOCK_LEN) };
        let mut state = Zeroizing::new(H::INITIAL_STATE);
        H::compress(&mut state, core::slice::from_ref(block));
        KeyedStart {
            state,
            rest: Zeroizing::new(H::ZERO_BLOCK),
            rest_len: 0,
            prefix_len: H::BLOCK_LEN,
        }
    }

    /// The prefix bytes not yet compressed.
    fn rest(&self) -> &[u8] {
        AsRef::<[u8]>::as_ref(&*self.rest)
            .get(..self.rest_len)
            .unwrap_or_default()
    }
}

/// A keyed record MAC for one direction: an inner and an outer keyed hash, as HMAC and the
/// SSL 3.0 MAC both are (`H(outer prefix || H(inner prefix || header || data))`).
pub(crate) trait RecordMac: Send + 'static {
    /// The hash the MAC is built on.
    type H: BlockCompress;

    /// The MAC keyed with `secret`.
    #[allow(
        dead_code,
        reason = "used by the record ciphers, absent from builds without any suite"
    )]
    fn new(secret: &[u8]) -> Self;

    /// The keyed inner hash and the keyed outer hash.
    fn keyed(&self) -> (&KeyedStart<Self::H>, &KeyedStart<Self::H>);

    /// Writes the per-record header that the inner hash absorbs before the data, for data of
    /// `len` bytes, to the start of `out`, and returns its length (the same for every
    /// record).
    fn header(
        seq: u64,
        content_type: ContentType,
        version: ProtocolVersion,
        len: u16,
        out: &mut [u8; MAX_HEADER_LEN],
    ) -> usize;

    /// The tag length.
    #[allow(
        dead_code,
        reason = "used by the record ciphers, absent from builds without any suite"
    )]
    fn mac_len(&self) -> usize {
        <Self::H as Hash>::OUTPUT_LEN
    }

    /// Writes the MAC of the record into `out` (of [`RecordMac::mac_len`] bytes). `data` is
    /// at most 2^14 + 2048 bytes, as a record fragment is.
    ///
    /// The same computation as [`RecordMac::compute_ct`] with a length that is public and
    /// whole: one MAC code for the sender and the receiver, whose cost over the data's
    /// whole blocks is the compression function's alone (the last one or two blocks are
    /// assembled with masks).
    #[allow(
        dead_code,
        reason = "used by the record ciphers, absent from builds without any suite"
    )]
    // Inlined: a wrapper of its own would only pass its arguments on.
    #[inline(always)]
    fn compute(
        &self,
        seq: u64,
        content_type: ContentType,
        version: ProtocolVersion,
        data: &[u8],
        out: &mut [u8],
    ) {
        mac_ct(self, (seq, content_type, version), data, data.len(), 0, out);
    }

    /// The MAC of `data[..len]`, where `len` is secret, with a cost and a memory-access
    /// pattern that depend on `data.len()` only: `len` must be at most `data.len()` and
    /// `data.len()` at most [`MAX_SHORTFALL`] more than `len` (outside that range `len` is
    /// clamped into it, with masks, and the tag is merely wrong).
    #[allow(
        dead_code,
        reason = "used by CBC decryption, absent from RC4-only builds"
    )]
    #[inline(always)]
    fn compute_ct(
        &self,
        seq: u64,
        content_type: ContentType,
        version: ProtocolVersion,
        data: &[u8],
        len: usize,
        out: &mut [u8],
    ) {
        mac_ct(
            self,
            (seq, content_type, version),
            data,
            len,
            MAX_SHORTFALL,
            out,
        );
    }
}

/// The MAC of `data[..len]` for a secret `len` at most `shortfall` below `data.len()`
/// ([`RecordMac::compute_ct`], or [`RecordMac::compute`] with a shortfall of 0): the inner
/// hash over `header || data[..len]` by [`digest_ct`], then the outer hash over the inner
/// digest, whose length is fixed.
fn mac_ct<M: RecordMac + ?Sized>(
    mac: &M,
    (seq, content_type, version): (u64, ContentType, ProtocolVersion),
    data: &[u8],
    len: usize,
    shortfall: usize,
    out: &mut [u8],
) {
    let (inner_start, outer_start) = mac.keyed();
    let max = len32(data.len());
    let min = len32(data.len().saturating_sub(shortfall));
    // Clamp the secret length into [min, max] with masks.
    let len = core::hint::black_box(len32(len));
    let len = ct_select(ct_lt(max, len), max, len);
    let len = ct_select(ct_lt(len, min), min, len);

    let mut header = [0u8; MAX_HEADER_LEN];
    // `len` <= `max`, a record fragment length: it fits 16 bits.
    let header_len = M::header(seq, content_type, version, len as u16, &mut header);
    let mut inner = [0u8; MAX_MAC_LEN];
    let inner_len = <M::H as Hash>::OUTPUT_LEN.min(MAX_MAC_LEN);
    digest_ct(
        inner_start,
        &header[..header_len],
        data,
        len,
        min as usize,
        &mut inner[..inner_len],
    );
    let inner = &mut inner[..inner_len];
    digest_ct(outer_start, &[], inner, len32(inner_len), inner_len, out);
    inner.zeroize();
    header.zeroize();
}

/// Writes the digest of `start`'s prefix `|| header || data[..len]` to `out` (as much of it
/// as fits), where `len` is secret, at least `min` and at most `data.len()`, with a cost and
/// memory accesses that depend on the public lengths only.
///
/// The stream `rest || header || data` (the prefix's uncompressed bytes, then the header,
/// which already holds the real length) is hashed block by block: the blocks that lie
/// wholly before the shortest possible end of the message are compressed as they are; every
/// later block, up to the last one the longest message needs, has each byte at or past the
/// real end replaced with masks by the padding (`0x80`, then zeros), and the block that ends
/// the padded real message gets the bit length in its last `LENGTH_LEN` bytes. The state
/// after every block is computed, and the one after the real final block is kept with a
/// mask.
fn digest_ct<H: BlockCompress>(
    start: &KeyedStart<H>,
    header: &[u8],
    data: &[u8],
    len: u32,
    min: usize,
    out: &mut [u8],
) {
    // The hash's block and length-field sizes (64 and 8, or 128 and 16 for SHA-384).
    let (bl, ll) = (H::BLOCK_LEN, H::LENGTH_LEN);
    let fixed = start.rest_len + header.len();
    // Where the 0x80 byte goes in the stream (secret), and the block it ends in.
    let end = len32(fixed) + len;
    let end_block = (end + len32(ll)) / len32(bl);
    // The message's length in bits: a record's data is below 2^17 bytes and the prefix and
    // header a few blocks, so it fits 32 bits and the field's bytes past the low four are
    // zero (no 64-bit shifts on 32-bit targets).
    let bits = (len + len32(start.prefix_len + header.len())) * 8;

    let segments = [start.rest(), header, data];
    // Public bounds: the first block the real message can end in and the last one the
    // longest message needs.
    let first = (fixed + min) / bl;
    let last = (fixed + data.len() + ll) / bl;
    let mut state = *start.state;
    let mut block = H::ZERO_BLOCK;
    // The blocks that hold prefix or header bytes are assembled; after them the data lies
    // in whole blocks in `data` itself, compressed in place in one call.
    // The assembled blocks before `first` go through the masked loop below too: every byte
    // of them lies before the real end, so the masks keep them as they are and none of
    // them is the final block (one loop instead of two call sites).
    let assembled = fixed.div_ceil(bl).min(first);
    let mut chosen = H::INITIAL_STATE;
    let mut k = 0;
    while k <= last {
        if k == assembled && k < first {
            let from = assembled * bl - fixed.min(assembled * bl);
            let to = first * bl - fixed.min(first * bl);
            if let Some(whole) = data.get(from..to) {
                H::compress_bytes(&mut state, whole);
            }
            k = first;
            continue;
        }
        let b = AsMut::<[u8]>::as_mut(&mut block);
        fill_block(&segments, k, b);
        // Opaque to the optimiser: knowing the mask is all ones or zero, LLVM turns the
        // masked writes below into a branch on it (seen in x86-64 release builds).
        let is_end = core::hint::black_box(ct_eq(len32(k), end_block));
        let base = len32(k * bl);
        // `enumerate`, not a `zip` with a counter: that links the iterator adapters' code.
        for (j, byte) in b.iter_mut().enumerate() {
            let i = base + len32(j);
            *byte = ((u32::from(*byte) & ct_lt(i, end)) | (0x80 & ct_eq(i, end))) as u8;
        }
        // The length goes in the last `ll` bytes of the final block only, in the hash's
        // byte order.
        for j in 0..ll {
            let shift = if H::BIG_ENDIAN { ll - 1 - j } else { j };
            let l = if shift < 4 {
                (bits >> (8 * shift)) as u8
            } else {
                0
            };
            if let Some(slot) = b.get_mut(bl - ll + j) {
                *slot = ct_select(is_end, u32::from(l), u32::from(*slot)) as u8;
            }
        }
        H::compress(&mut state, core::slice::from_ref(&block));
        H::select(is_end, &state, &mut chosen);
        k += 1;
    }
    H::write_digest(&chosen, out);
    chosen.zeroize();
    state.zeroize();
    block.zeroize();
}

/// Writes block `k` of the concatenation of `segments` into `block` (one hash block), zeros
/// past its end. Every index here is public (block number and segment lengths), so the
/// copy's memory accesses are too.
fn fill_block(segments: &[&[u8]; 3], k: usize, block: &mut [u8]) {
    block.fill(0);
    let lo = k * block.len();
    let hi = lo + block.len();
    let mut pos = 0;
    for seg in segments {
        let (from, to) = (lo.max(pos), hi.min(pos + seg.len()));
        if from < to {
            block[from - lo..to - lo].copy_from_slice(&seg[from - pos..to - pos]);
        }
        pos += seg.len();
    }
}

/// The SSL 3.0 MAC with hash `H` (built only with `ssl3`; the tests check it always).
#[cfg(any(all(test, any(feature = "ssl3", feature = "tls")), feature = "ssl3"))]
pub(crate) struct Ssl3<H: Ssl3Hash + BlockCompress> {
    inner: KeyedStart<H>,
    outer: KeyedStart<H>,
}

#[cfg(any(all(test, any(feature = "ssl3", feature = "tls")), feature = "ssl3"))]
impl<H: Ssl3Hash + BlockCompress + Send + 'static> RecordMac for Ssl3<H> {
    type H = H;

    fn new(secret: &[u8]) -> Self {
        const { assert!(H::OUTPUT_LEN <= MAX_MAC_LEN) };
        // RFC 6101 section 5.2.3.1: hash(secret || pad_2 || hash(secret || pad_1 || ...)).
        let mut prefix = Zeroizing::new(Vec::with_capacity(secret.len() + H::PAD_LEN));
        prefix.extend_from_slice(secret);
        prefix.resize(secret.len() + H::PAD_LEN, 0x36);
        let inner = KeyedStart::new(&prefix);
        prefix.truncate(secret.len());
        prefix.resize(secret.len() + H::PAD_LEN, 0x5c);
        Ssl3 {
            inner,
            outer: KeyedStart::new(&prefix),
        }
    }

    fn keyed(&self) -> (&KeyedStart<H>, &KeyedStart<H>) {
        (&self.inner, &self.outer)
    }

    fn header(
        seq: u64,
        content_type: ContentType,
        _version: ProtocolVersion,
        len: u16,
        out: &mut [u8; MAX_HEADER_LEN],
    ) -> usize {
        // seq_num(8) || type(1) || length(2).
        out[..8].copy_from_slice(&seq.to_be_bytes());
        out[8] = content_type.get();
        out[9..11].copy_from_slice(&len.to_be_bytes());
        11
    }
}

/// The TLS HMAC with hash `H`.
pub(crate) struct Tls<H: BlockCompress> {
    inner: KeyedStart<H>,
    outer: KeyedStart<H>,
}

impl<H: BlockCompress + Send + 'static> RecordMac for Tls<H> {
    type H = H;

    fn new(secret: &[u8]) -> Self {
        const { assert!(H::OUTPUT_LEN <= MAX_MAC_LEN) };
        // The HMAC key block (RFC 2104): the key, hashed first if longer than a block.
        let mut key = Zeroizing::new(H::ZERO_BLOCK);
        if secret.len() > H::BLOCK_LEN {
            let mut d = H::digest(secret);
            copy_tag(d.as_ref(), (*key).as_mut());
            d.zeroize();
        } else {
            copy_tag(secret, (*key).as_mut());
        }
        (*key).as_mut().iter_mut().for_each(|b| *b ^= 0x36);
        let inner = KeyedStart::whole_block(&*key);
        (*key).as_mut().iter_mut().for_each(|b| *b ^= 0x36 ^ 0x5c);
        let outer = KeyedStart::whole_block(&*key);
        Tls { inner, outer }
    }

    fn keyed(&self) -> (&KeyedStart<H>, &KeyedStart<H>) {
        (&self.inner, &self.outer)
    }

    fn header(
        seq: u64,
        content_type: ContentType,
        version: ProtocolVersion,
        len: u16,
        out: &mut [u8; MAX_HEADER_LEN],
    ) -> usize {
        tls_header(seq, content_type, version, len, out);
        MAX_HEADER_LEN
    }
}

/// Writes `seq_num(8) || type(1) || version(2) || length(2)` to `out`: the TLS MAC header
/// (RFC 2246 section 6.2.3.1). One copy for every hash's HMAC, hence not inlined (GCM's
/// additional data, the same bytes, keeps its own: an AEAD-only build would link this and a
/// wrapper instead of one function).
#[inline(never)]
fn tls_header(
    seq: u64,
    content_type: ContentType,
    version: ProtocolVersion,
    len: u16,
    out: &mut [u8; MAX_HEADER_LEN],
) {
    // Written as one array (no slice copies, which are calls at opt-level "z").
    let [s0, s1, s2, s3, s4, s5, s6, s7] = seq.to_be_bytes();
    let [v0, v1] = version.get().to_be_bytes();
    let [l0, l1] = len.to_be_bytes();
    *out = [
        s0,
        s1,
        s2,
        s3,
        s4,
        s5,
        s6,
        s7,
        content_type.get(),
        v0,
        v1,
        l0,
        l1,
    ];
}

/// Copies as much of `tag` as fits into `out`.
fn copy_tag(tag: &[u8], out: &mut [u8]) {
    let n = out.len().min(tag.len());
    out[..n].copy_from_slice(&tag[..n]);
}

/// Runs `job` with the record MAC type of `version` and `alg`: the SSL 3.0 MAC in SSL 3.0,
/// HMAC in every other version.
pub(crate) trait MacJob {
    /// What the job makes.
    type Out;
    /// Runs the job with the MAC type `M`.
    #[cfg_attr(
        not(feature = "record-mac"),
        allow(dead_code, reason = "an AEAD-only build has no record MAC")
    )]
    fn run<M: RecordMac>(self) -> Self::Out;
    /// What the job makes for a MAC this build does not have, or for a suite without a
    /// record MAC (an AEAD suite).
    fn unsupported(self) -> Self::Out;
}

/// Dispatches `job` on the MAC type for `version` and `alg`.
///
/// Only what the build's features name is compiled: the MD5 record MAC only with a suite
/// that uses it (`md5-record-mac`), HMAC-SHA256 only with a CBC-SHA256 suite
/// (`sha256-record-mac`), the SSL 3.0 MAC only with `ssl3`. None of those suites or SSL 3.0
/// can be negotiated in a build without it, so the last arm is only a typed refusal there
/// (and unreachable in a build with all of them).
pub(crate) fn with_mac<J: MacJob>(version: ProtocolVersion, alg: MacAlgorithm, job: J) -> J::Out {
    match (version.is_ssl3(), alg) {
        #[cfg(all(feature = "ssl3", feature = "md5-record-mac"))]
        (true, MacAlgorithm::Md5) => job.run::<Ssl3<Md5>>(),
        #[cfg(all(feature = "ssl3", feature = "sha1-record-mac"))]
        (true, MacAlgorithm::Sha1) => job.run::<Ssl3<Sha1>>(),
        #[cfg(feature = "md5-record-mac")]
        (false, MacAlgorithm::Md5) => job.run::<Tls<Md5>>(),
        #[cfg(feature = "sha1-record-mac")]
        (false, MacAlgorithm::Sha1) => job.run::<Tls<Sha1>>(),
        // HMAC-SHA256 exists in TLS 1.2 only (RFC 5246); `allowed_in` keeps its suites there.
        #[cfg(feature = "sha256-record-mac")]
        (_, MacAlgorithm::Sha256) => job.run::<Tls<Sha256>>(),
        // HMAC-SHA384 likewise (RFC 5487's `_CBC_SHA384` suites), only in builds with one:
        // it is 4 KB of code a build without those suites would link for nothing.
        #[cfg(feature = "sha384-record-mac")]
        (_, MacAlgorithm::Sha384) => job.run::<Tls<Sha384>>(),
        (_, MacAlgorithm::Aead) => job.unsupported(),
        #[allow(
            unreachable_patterns,
            reason = "reached only in builds without SSL 3.0, the MD5 or the SHA-256 record MAC"
        )]
        _ => job.unsupported(),
    }
}

// Constant-time helpers on 32-bit masks (all ones for true, zero for false). Every value
// compared here is below 2^17 (record lengths and offsets), so the top bit of a difference
// is its sign.

/// `a < b` as a mask, for `a`, `b` < 2^31.
pub(super) fn ct_lt(a: u32, b: u32) -> u32 {
    0u32.wrapping_sub(a.wrapping_sub(b) >> 31)
}

/// `a <= b` as a mask, for `a`, `b` < 2^31.
#[allow(
    dead_code,
    reason = "used by CBC decryption, absent from RC4-only builds"
)]
pub(super) fn ct_le(a: u32, b: u32) -> u32 {
    !ct_lt(b, a)
}

/// `a == b` as a mask.
pub(super) fn ct_eq(a: u32, b: u32) -> u32 {
    let x = a ^ b;
    // x | -x has its top bit set exactly when x is not zero.
    0u32.wrapping_sub(((x | x.wrapping_neg()) >> 31) ^ 1)
}

/// `a` where `mask` is all ones, `b` where it is zero.
fn ct_select(mask: u32, a: u32, b: u32) -> u32 {
    (a & mask) | (b & !mask)
}

/// A record length as a `u32` (they are all below 2^17, so this never saturates).
pub(super) fn len32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

// The tests run the MD5 and SHA-1 MACs, which a TLS-1.2-only build does not have.
#[cfg(all(test, any(feature = "ssl3", feature = "tls")))]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use matrix_crypto::mac::{Hmac, Ssl3Mac};
    use proptest::prelude::*;

    /// The record MAC computed by matrix-crypto's buffered HMAC and SSL 3.0 MAC: the
    /// independent oracle for both of `RecordMac`'s forms.
    trait Oracle: RecordMac {
        fn reference(
            secret: &[u8],
            seq: u64,
            ct: ContentType,
            v: ProtocolVersion,
            data: &[u8],
        ) -> Vec<u8>;
    }

    impl<H: BlockCompress + Send + 'static> Oracle for Tls<H> {
        fn reference(
            secret: &[u8],
            seq: u64,
            ct: ContentType,
            v: ProtocolVersion,
            data: &[u8],
        ) -> Vec<u8> {
            let mut h = Hmac::<H>::new(secret);
            h.update(&seq.to_be_bytes());
            h.update(&[ct.get()]);
            h.update(&v.get().to_be_bytes());
            h.update(&u16::try_from(data.len()).unwrap().to_be_bytes());
            h.update(data);
            h.finalize().as_ref().to_vec()
        }
    }

    impl<H: Ssl3Hash + BlockCompress + Send + 'static> Oracle for Ssl3<H> {
        fn reference(
            secret: &[u8],
            seq: u64,
            ct: ContentType,
            _v: ProtocolVersion,
            data: &[u8],
        ) -> Vec<u8> {
            let m = Ssl3Mac::<H>::new(secret);
            m.compute(seq, ct.get(), data).unwrap().as_ref().to_vec()
        }
    }

    #[test]
    fn masks() {
        for a in [0u32, 1, 2, 15, 16, 255, 256, 1 << 16, (1 << 17) + 5] {
            for b in [0u32, 1, 2, 15, 16, 255, 256, 1 << 16, (1 << 17) + 5] {
                assert_eq!(ct_lt(a, b), if a < b { u32::MAX } else { 0 });
                assert_eq!(ct_le(a, b), if a <= b { u32::MAX } else { 0 });
                assert_eq!(ct_eq(a, b), if a == b { u32::MAX } else { 0 });
                assert_eq!(ct_select(ct_lt(a, b), a, b), a.min(b));
            }
        }
    }

    /// The constant-time MAC is the MAC of the shorter data.
    #[test]
    fn compute_ct_is_the_mac_of_the_prefix() {
        let data: Vec<u8> = (0..400u32).map(|i| i as u8).collect();
        let m = Tls::<Sha1>::new(b"secret");
        let s = Ssl3::<Md5>::new(&[7; 16]);
        for len in 100..=355 {
            let v = ProtocolVersion::TLSv1_0;
            let ct = ContentType::ApplicationData;
            let (mut a, mut b) = ([0u8; 20], [0u8; 20]);
            m.compute_ct(9, ct, v, &data[..355], len, &mut a);
            m.compute(9, ct, v, &data[..len], &mut b);
            assert_eq!(a, b);
            assert_eq!(
                a[..],
                Tls::<Sha1>::reference(b"secret", 9, ct, v, &data[..len])[..]
            );
            let (mut a, mut b) = ([0u8; 16], [0u8; 16]);
            s.compute_ct(9, ct, v, &data[..355], len, &mut a);
            s.compute(9, ct, v, &data[..len], &mut b);
            assert_eq!(a, b);
            assert_eq!(
                a[..],
                Ssl3::<Md5>::reference(&[7; 16], 9, ct, v, &data[..len])[..]
            );
        }
    }

    /// Where the real inner message (key prefix, header, `len` bytes of data) ends within
    /// its last block: in the last `LENGTH_LEN` bytes (56 to 63 of a 64-byte block, 112 to
    /// 127 of SHA-384's 128) means the length field spills into the next block.
    fn end_in_block<M: RecordMac>(mac: &M, len: usize) -> usize {
        let mut header = [0u8; MAX_HEADER_LEN];
        let header_len = M::header(0, ContentType::ApplicationData, V, 0, &mut header);
        (mac.keyed().0.prefix_len + header_len + len) % M::H::BLOCK_LEN
    }

    const V: ProtocolVersion = ProtocolVersion::TLSv1_1;

    /// Checks `compute_ct` and `compute` against the oracle for every `len` that `data`
    /// allows; returns how many of them put the length field in the block after the real
    /// data's end.
    fn every_len<M: Oracle>(secret: &[u8], seq: u64, ct: u8, data: &[u8]) -> usize {
        let mac = M::new(secret);
        let content_type = ContentType::from(ct);
        let mut spills = 0;
        for len in data.len().saturating_sub(MAX_SHORTFALL)..=data.len() {
            let (mut a, mut b) = ([0u8; MAX_MAC_LEN], [0xffu8; MAX_MAC_LEN]);
            mac.compute_ct(seq, content_type, V, data, len, &mut a);
            mac.compute(seq, content_type, V, &data[..len], &mut b);
            let n = mac.mac_len();
            assert_eq!(a[..n], b[..n], "len {len} of {}", data.len());
            let oracle = M::reference(secret, seq, content_type, V, &data[..len]);
            assert_eq!(a[..n], oracle[..], "len {len} of {}", data.len());
            if end_in_block(&mac, len) >= M::H::BLOCK_LEN - M::H::LENGTH_LEN {
                spills += 1;
            }
        }
        spills
    }

    proptest! {
        /// The constant-time MAC equals the plain MAC of the prefix, and both equal
    /// matrix-crypto's HMAC or SSL 3.0 MAC, for random keys, data and
        /// headers, at every length the padding allows, for both hashes and both MACs.
        #[test]
        fn compute_ct_equals_the_plain_mac(
            secret in proptest::collection::vec(any::<u8>(), 0..80),
            data in proptest::collection::vec(any::<u8>(), 0..700),
            seq in any::<u64>(),
            ct in any::<u8>(),
        ) {
            let spills = every_len::<Tls<Sha1>>(&secret, seq, ct, &data)
                + every_len::<Tls<Sha256>>(&secret, seq, ct, &data)
                + every_len::<Tls<Md5>>(&secret, seq, ct, &data)
                + every_len::<Ssl3<Sha1>>(&secret, seq, ct, &data)
                + every_len::<Ssl3<Md5>>(&secret, seq, ct, &data);
            #[cfg(feature = "sha512")]
            let wide = every_len::<Tls<Sha384>>(&secret, seq, ct, &data);
            // With 64 (128) or more lengths in range each MAC meets every end position in a
            // block, the spilling ones included.
            if data.len() >= 64 {
                prop_assert!(spills >= 5 * 8);
            }
            #[cfg(feature = "sha512")]
            if data.len() >= 128 {
                prop_assert!(wide >= 16);
            }
        }
    }

    /// The lengths at which the bit length spills into the next block, for the record
    /// layer's own secret lengths, at a full record's size as well as a short one.
    #[test]
    fn compute_ct_when_the_length_spills() {
        let data: Vec<u8> = (0..(1usize << 14) + 300).map(|i| (i * 13) as u8).collect();
        for n in [300, data.len()] {
            assert!(every_len::<Tls<Sha1>>(&[1; 20], 5, 23, &data[..n]) >= 8);
            assert!(every_len::<Tls<Sha256>>(&[5; 32], 5, 23, &data[..n]) >= 8);
            #[cfg(feature = "sha512")]
            assert!(every_len::<Tls<Sha384>>(&[6; 48], 5, 23, &data[..n]) >= 16);
            assert!(every_len::<Tls<Md5>>(&[2; 16], 5, 23, &data[..n]) >= 8);
            assert!(every_len::<Ssl3<Sha1>>(&[3; 20], 5, 23, &data[..n]) >= 8);
            assert!(every_len::<Ssl3<Md5>>(&[4; 16], 5, 23, &data[..n]) >= 8);
        }
    }

    /// HMAC-SHA384 as the record MAC: the plain MAC is matrix-crypto's HMAC over the TLS
    /// MAC input, and the constant-time form equals the plain one at a full record's size.
    #[cfg(feature = "sha512")]
    #[test]
    fn sha384_record_mac_is_hmac_sha384() {
        let data: Vec<u8> = (0..(1usize << 14) + 64).map(|i| (i * 7) as u8).collect();
        let m = Tls::<Sha384>::new(&[9; 48]);
        let ct = ContentType::ApplicationData;
        let v = ProtocolVersion::TLSv1_2;
        let mut plain = [0u8; 48];
        m.compute(3, ct, v, &data, &mut plain);
        let mut h = Hmac::<Sha384>::new(&[9; 48]);
        h.update(&3u64.to_be_bytes());
        h.update(&[23, 3, 3]);
        h.update(&u16::try_from(data.len()).unwrap().to_be_bytes());
        h.update(&data);
        assert_eq!(plain[..], h.finalize().as_ref()[..]);
        for cut in [0, 1, 48, 255] {
            let mut ct_tag = [0u8; 48];
            m.compute_ct(3, ct, v, &data, data.len() - cut, &mut ct_tag);
            m.compute(3, ct, v, &data[..data.len() - cut], &mut plain);
            assert_eq!(ct_tag, plain, "{cut}");
        }
    }

    /// Out-of-contract lengths are clamped: the result is the MAC of the clamped prefix.
    #[test]
    fn compute_ct_clamps_len() {
        let data = [0x5au8; 400];
        let m = Tls::<Sha1>::new(b"k");
        let ct = ContentType::ApplicationData;
        let (mut a, mut b) = ([0u8; 20], [0u8; 20]);
        m.compute_ct(1, ct, V, &data, 401, &mut a);
        m.compute(1, ct, V, &data, &mut b);
        assert_eq!(a, b);
        m.compute_ct(1, ct, V, &data, 3, &mut a);
        m.compute(1, ct, V, &data[..400 - MAX_SHORTFALL], &mut b);
        assert_eq!(a, b);
    }
}
