//! Message authentication: HMAC (RFC 2104) over any matrix [`Hash`], the SSL 3.0 record MAC
//! (RFC 6101 section 5.2.3.1) and the TLS 1.0/1.1 record MAC (RFC 2246 and RFC 4346
//! section 6.2.3.1).
//!
//! The record MACs are keyed once per connection state and then compute one MAC per record
//! from clones of the keyed hash states, without heap allocation; both implement
//! [`RecordMac`] so the record layer can hold either. Keys live only inside those keyed hash
//! states, which wipe themselves on drop. Tags are compared in constant time.
//!
//! [`Hmac`] is always compiled because the DRBG is built on HMAC-SHA-256; the `hmac` feature
//! (`USE_HMAC`, required by TLS) adds the TLS record MAC.

use core::fmt;

use matrix_core::{Error, Result};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use crate::hash::{Hash, MAX_BLOCK_LEN};
use crate::hash_compact::{MdAlg, MdState};

/// HMAC (RFC 2104) with the hash `H`: `H((K ^ opad) || H((K ^ ipad) || m))`.
///
/// `Clone` forks the state: key once, clone per message.
#[derive(Clone)]
pub struct Hmac<H: Hash> {
    inner: H,
    outer: H,
}

impl<H: Hash> Hmac<H> {
    /// HMAC keyed with `key`, of any length (keys longer than a block are hashed first).
    pub fn new(key: &[u8]) -> Self {
        // A `Hash` with blocks larger than our buffer, or digests larger than its block,
        // cannot be keyed here: refuse it at compile time rather than panic at run time.
        const {
            assert!(H::BLOCK_LEN <= MAX_BLOCK_LEN && H::OUTPUT_LEN <= H::BLOCK_LEN);
        }
        let mut m = Hmac {
            inner: H::new(),
            outer: H::new(),
        };
        // matrix's compact hashes are keyed by one non-generic body (a build with MD5 and
        // SHA-1 links it once, not once per hash); any other hash by the generic one.
        if let (Some((inner, alg)), Some((outer, _))) =
            (m.inner.compact_state_mut(), m.outer.compact_state_mut())
        {
            compact_key(inner, outer, alg, key);
        } else {
            m.absorb_key(key);
        }
        m
    }

    /// Absorbs `K ^ ipad` into the fresh inner hash and `K ^ opad` into the fresh outer one,
    /// where `K` is `key` padded with zeros to a block, or its digest if it is longer.
    /// Inlined into [`Hmac::new`], its one caller.
    #[inline(always)]
    fn absorb_key(&mut self, key: &[u8]) {
        let mut block = [0u8; MAX_BLOCK_LEN];
        if key.len() > H::BLOCK_LEN {
            let mut d = H::digest(key);
            block[..H::OUTPUT_LEN].copy_from_slice(d.as_ref());
            d.zeroize();
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let block = &mut block[..H::BLOCK_LEN];
        block.iter_mut().for_each(|b| *b ^= 0x36);
        self.inner.update(block);
        block.iter_mut().for_each(|b| *b ^= 0x36 ^ 0x5c);
        self.outer.update(block);
        block.zeroize();
    }

    /// Absorbs `data`.
    pub fn update(&mut self, data: &[u8]) {
        self.inner.update(data);
    }

    /// The tag of everything absorbed.
    pub fn finalize(self) -> H::Output {
        let Hmac { inner, outer } = self;
        outer_tag(inner, outer)
    }

    /// `HMAC(key, data)` in one call.
    pub fn mac(key: &[u8], data: &[u8]) -> H::Output {
        let mut m = Hmac::<H>::new(key);
        m.update(data);
        m.finalize()
    }

    /// Whether `tag` is the full-length tag of everything absorbed so far, compared in
    /// constant time. The state is left as it was.
    pub fn verify(&self, tag: &[u8]) -> bool {
        let mac = self.clone().finalize();
        bool::from(mac.as_ref().ct_eq(tag))
    }

    /// Whether `tag` is the tag truncated to `tag.len()` bytes (RFC 2104 section 5), compared
    /// in constant time. Tags shorter than half the output or than 10 bytes (80 bits) are
    /// refused, as RFC 2104 recommends.
    pub fn verify_truncated(&self, tag: &[u8]) -> bool {
        let min = (H::OUTPUT_LEN / 2).max(10);
        if tag.len() < min || tag.len() > H::OUTPUT_LEN {
            return false;
        }
        let mac = self.clone().finalize();
        bool::from(mac.as_ref()[..tag.len()].ct_eq(tag))
    }
}

/// `H(outer || H(inner))`: the tag from the inner hash of the whole message and the outer
/// hash keyed with `K ^ opad`. Inlined into its two callers, so that [`KeyedMac::mac_into`]
/// (all the PRFs and the DRBG call) does not link [`Hmac::finalize`] for its hash.
#[inline(always)]
fn outer_tag<H: Hash>(inner: H, mut outer: H) -> H::Output {
    let mut ih = inner.finalize();
    outer.update(ih.as_ref());
    ih.zeroize();
    outer.finalize()
}

/// A keyed HMAC as the P_hash expansions (TLS 1.0/1.1 and 1.2 PRFs) and the HMAC_DRBG see
/// it: a trait object, so that their loops are compiled once for every hash (on a Cortex-M4
/// the TLS 1.0 PRF was two inlined copies of the P_hash loop, about 1 KB), and only these
/// small methods per hash, which the DRBG shares with the PRF of the same hash (the DRBG
/// over SHA-1 and P_SHA-1, over SHA-256 and P_SHA256). A dynamic call per HMAC costs
/// nothing next to the HMAC's two or more compressions.
pub(crate) trait KeyedMac {
    /// The tag length in bytes (at most [`crate::hash::MAX_OUTPUT_LEN`]).
    #[cfg_attr(
        not(feature = "hmac"),
        expect(dead_code, reason = "only the PRFs ask; they need `hmac`")
    )]
    fn tag_len(&self) -> usize;
    /// `HMAC(key, [out ||] first || rest[0] || rest[1] ...)` into `out`: its first
    /// `min(out.len(), tag_len())` bytes. With `chain`, the message starts with what `out`
    /// holds, which the tag then replaces: `A(i + 1) = HMAC(secret, A(i))` of P_hash and
    /// `V = HMAC(K, V)` of the DRBG, without a copy of the secret value to wipe.
    fn mac_into(&self, chain: bool, first: &[u8], rest: &[&[u8]], out: &mut [u8]);
}

impl<H: Hash> KeyedMac for Hmac<H> {
    fn tag_len(&self) -> usize {
        H::OUTPUT_LEN
    }

    fn mac_into(&self, chain: bool, first: &[u8], rest: &[&[u8]], out: &mut [u8]) {
        // One non-generic body for matrix's compact hashes, as for the keying.
        if let (Some((inner, alg)), Some((outer, _))) =
            (self.inner.compact_state(), self.outer.compact_state())
        {
            return compact_mac_into(inner, outer, alg, chain, first, rest, out);
        }
        // The inner state is cloned to hash the message, the outer one only for its final
        // step (no clone of the whole `Hmac` moved into `finalize`).
        let mut inner = self.inner.clone();
        if chain {
            inner.update(out);
        }
        inner.update(first);
        for p in rest {
            inner.update(p);
        }
        let mut d = outer_tag(inner, self.outer.clone());
        let k = out.len().min(H::OUTPUT_LEN);
        out[..k].copy_from_slice(&d.as_ref()[..k]);
        d.zeroize();
    }
}

/// [`Hmac::new`]'s keying for a compact hash: `K ^ ipad` into the fresh `inner`, `K ^ opad`
/// into the fresh `outer` (every compact hash has 64-byte blocks).
#[inline(never)]
fn compact_key(inner: &mut MdState, outer: &mut MdState, alg: &MdAlg, key: &[u8]) {
    let mut block = [0u8; 64];
    if key.len() > block.len() {
        // K = H(key); the state is wiped when it drops.
        let mut h = MdState::of(alg);
        h.absorb_as(alg, key);
        let n = alg.out_len().min(block.len());
        h.finish_as(alg, &mut block[..n]);
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    absorb_padded(inner, alg, &mut block, 0x36);
    absorb_padded(outer, alg, &mut block, 0x36 ^ 0x5c);
    block.as_mut_slice().zeroize();
}

/// XORs `pad` into every byte of `block` and absorbs it into `h` (the key block XOR ipad,
/// then, XORed again, XOR opad).
fn absorb_padded(h: &mut MdState, alg: &MdAlg, block: &mut [u8; 64], pad: u8) {
    for b in block.iter_mut() {
        *b ^= pad;
    }
    h.absorb_as(alg, block);
}

/// [`KeyedMac::mac_into`] for a compact hash, from the keyed `inner` and `outer` states:
/// `H(K ^ opad || H(K ^ ipad || [out ||] first || rest...))`, its first
/// `min(out.len(), digest length)` bytes into `out`.
#[inline(never)]
fn compact_mac_into(
    inner: &MdState,
    outer: &MdState,
    alg: &MdAlg,
    chain: bool,
    first: &[u8],
    rest: &[&[u8]],
    out: &mut [u8],
) {
    let mut h = inner.clone();
    if chain {
        h.absorb_as(alg, out);
    }
    h.absorb_as(alg, first);
    for p in rest {
        h.absorb_as(alg, p);
    }
    // The longest compact digest (SHA-256).
    let mut d = [0u8; 32];
    let n = alg.out_len().min(d.len());
    h.finish_as(alg, &mut d[..n]);
    // The inner state is wiped as it is replaced by the outer one's copy, that one on drop.
    h = outer.clone();
    h.absorb_as(alg, &d[..n]);
    h.finish_as(alg, &mut d[..n]);
    let k = out.len().min(n);
    out[..k].copy_from_slice(&d[..k]);
    d.as_mut_slice().zeroize();
}

impl<H: Hash> fmt::Debug for Hmac<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hmac<{:?}> {{ .. }}", H::ALGORITHM)
    }
}

/// A record-layer MAC, keyed for one direction of one connection state.
///
/// `seq` is the 64-bit record sequence number (for DTLS, epoch and sequence together), and
/// `content_type` the record's ContentType byte.
pub trait RecordMac {
    /// The tag length in bytes.
    fn mac_len(&self) -> usize;

    /// Writes the MAC of the record to `out[..mac_len()]`; `ArgFail` if `out` is shorter or
    /// the fragment longer than a record length field can say (65535 bytes).
    fn compute_into(
        &self,
        seq: u64,
        content_type: u8,
        fragment: &[u8],
        out: &mut [u8],
    ) -> Result<()>;

    /// Whether `tag` is the record's MAC, compared in constant time (`false` as well for a
    /// fragment longer than 65535 bytes).
    fn verify(&self, seq: u64, content_type: u8, fragment: &[u8], tag: &[u8]) -> bool;
}

/// The record length field, or `ArgFail` for a fragment no record can carry.
fn record_len(fragment: &[u8]) -> Result<[u8; 2]> {
    u16::try_from(fragment.len())
        .map(u16::to_be_bytes)
        .map_err(|_| Error::ArgFail)
}

fn verify_with<M: RecordMac + ?Sized>(
    mac: &M,
    seq: u64,
    content_type: u8,
    fragment: &[u8],
    tag: &[u8],
) -> bool {
    let mut buf = [0u8; crate::hash::MAX_OUTPUT_LEN];
    let n = mac.mac_len();
    let ok = match buf.get_mut(..n) {
        Some(out) => mac.compute_into(seq, content_type, fragment, out).is_ok(),
        None => false,
    };
    ok & bool::from(buf[..n].ct_eq(tag))
}

mod sealed {
    pub trait Sealed {}
}

/// A hash the SSL 3.0 MAC and Finished constructions are defined for (MD5 and SHA-1), with
/// the length of its `pad_1`/`pad_2` (RFC 6101 section 5.2.3.1).
pub trait Ssl3Hash: Hash + sealed::Sealed {
    /// 48 for MD5, 40 for SHA-1: as many pad bytes as fit a 64-byte block after the secret,
    /// rounded down to a multiple of 8, as the RFC fixes them.
    const PAD_LEN: usize;
}

#[cfg(feature = "md5")]
impl sealed::Sealed for crate::hash::Md5 {}
#[cfg(feature = "md5")]
impl Ssl3Hash for crate::hash::Md5 {
    const PAD_LEN: usize = 48;
}

#[cfg(feature = "sha1")]
impl sealed::Sealed for crate::hash::Sha1 {}
#[cfg(feature = "sha1")]
impl Ssl3Hash for crate::hash::Sha1 {
    const PAD_LEN: usize = 40;
}

/// SSL 3.0 `pad_1`: 0x36 repeated (only the first [`Ssl3Hash::PAD_LEN`] bytes are used).
pub(crate) const SSL3_PAD_1: [u8; 48] = [0x36; 48];
/// SSL 3.0 `pad_2`: 0x5c repeated.
pub(crate) const SSL3_PAD_2: [u8; 48] = [0x5c; 48];

/// The SSL 3.0 record MAC (RFC 6101 section 5.2.3.1):
/// `hash(secret || pad_2 || hash(secret || pad_1 || seq_num || type || length || fragment))`.
///
/// The two hashes are primed with `secret || pad` once, at keying; each record then costs
/// two clones and no allocation.
#[derive(Clone)]
pub struct Ssl3Mac<H: Ssl3Hash> {
    inner: H,
    outer: H,
}

impl<H: Ssl3Hash> Ssl3Mac<H> {
    /// The MAC keyed with the MAC write secret (as long as the hash output in SSL 3.0).
    pub fn new(secret: &[u8]) -> Self {
        let mut inner = H::new();
        inner.update(secret);
        inner.update(&SSL3_PAD_1[..H::PAD_LEN]);
        let mut outer = H::new();
        outer.update(secret);
        outer.update(&SSL3_PAD_2[..H::PAD_LEN]);
        Ssl3Mac { inner, outer }
    }

    /// The MAC of one record; `ArgFail` for a fragment longer than 65535 bytes.
    pub fn compute(&self, seq: u64, content_type: u8, fragment: &[u8]) -> Result<H::Output> {
        let len = record_len(fragment)?;
        let mut inner = self.inner.clone();
        inner.update(&seq.to_be_bytes());
        inner.update(&[content_type]);
        inner.update(&len);
        inner.update(fragment);
        let mut ih = inner.finalize();
        let mut outer = self.outer.clone();
        outer.update(ih.as_ref());
        ih.zeroize();
        Ok(outer.finalize())
    }
}

impl<H: Ssl3Hash> RecordMac for Ssl3Mac<H> {
    fn mac_len(&self) -> usize {
        H::OUTPUT_LEN
    }

    fn compute_into(
        &self,
        seq: u64,
        content_type: u8,
        fragment: &[u8],
        out: &mut [u8],
    ) -> Result<()> {
        let dst = out.get_mut(..H::OUTPUT_LEN).ok_or(Error::ArgFail)?;
        dst.copy_from_slice(self.compute(seq, content_type, fragment)?.as_ref());
        Ok(())
    }

    fn verify(&self, seq: u64, content_type: u8, fragment: &[u8], tag: &[u8]) -> bool {
        verify_with(self, seq, content_type, fragment, tag)
    }
}

impl<H: Ssl3Hash> fmt::Debug for Ssl3Mac<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Ssl3Mac<{:?}> {{ .. }}", H::ALGORITHM)
    }
}

/// The TLS 1.0/1.1 (and DTLS 1.0) record MAC: `HMAC(MAC_write_secret, seq_num(8) || type(1)
/// || version(2) || length(2) || fragment)` (RFC 2246 and RFC 4346 section 6.2.3.1).
///
/// The protocol version is fixed at keying: it does not change within a connection state.
#[cfg(feature = "hmac")]
#[cfg_attr(docsrs, doc(cfg(feature = "hmac")))]
#[derive(Clone)]
pub struct TlsRecordMac<H: Hash> {
    hmac: Hmac<H>,
    version: [u8; 2],
}

#[cfg(feature = "hmac")]
impl<H: Hash> TlsRecordMac<H> {
    /// The MAC keyed with the MAC write secret, for records of `version` (major, minor:
    /// `[3, 1]` for TLS 1.0, `[3, 2]` for TLS 1.1, `[254, 255]` for DTLS 1.0).
    pub fn new(secret: &[u8], version: [u8; 2]) -> Self {
        TlsRecordMac {
            hmac: Hmac::new(secret),
            version,
        }
    }

    /// The MAC of one record; `ArgFail` for a fragment longer than 65535 bytes.
    pub fn compute(&self, seq: u64, content_type: u8, fragment: &[u8]) -> Result<H::Output> {
        let len = record_len(fragment)?;
        let mut m = self.hmac.clone();
        let mut header = [0u8; 13];
        header[..8].copy_from_slice(&seq.to_be_bytes());
        header[8] = content_type;
        header[9..11].copy_from_slice(&self.version);
        header[11..].copy_from_slice(&len);
        m.update(&header);
        m.update(fragment);
        Ok(m.finalize())
    }
}

#[cfg(feature = "hmac")]
impl<H: Hash> RecordMac for TlsRecordMac<H> {
    fn mac_len(&self) -> usize {
        H::OUTPUT_LEN
    }

    fn compute_into(
        &self,
        seq: u64,
        content_type: u8,
        fragment: &[u8],
        out: &mut [u8],
    ) -> Result<()> {
        let dst = out.get_mut(..H::OUTPUT_LEN).ok_or(Error::ArgFail)?;
        dst.copy_from_slice(self.compute(seq, content_type, fragment)?.as_ref());
        Ok(())
    }

    fn verify(&self, seq: u64, content_type: u8, fragment: &[u8], tag: &[u8]) -> bool {
        verify_with(self, seq, content_type, fragment, tag)
    }
}

#[cfg(feature = "hmac")]
impl<H: Hash> fmt::Debug for TlsRecordMac<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "TlsRecordMac<{:?}> {{ version: {:?}, .. }}",
            H::ALGORITHM,
            self.version
        )
    }
}
