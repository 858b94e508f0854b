//! The record MACs as the record layer uses them: the SSL 3.0 MAC (RFC 6101 section
//! 5.2.3.1, matrix-crypto's [`Ssl3Mac`]) and the TLS HMAC (RFC 2246 and RFC 4346 section
//! 6.2.3.1) over matrix-crypto's [`Hmac`], with the record's own version in the MAC input
//! (matrix-crypto's `TlsRecordMac` fixes the version when keyed; the record layer is handed
//! the version with each record, and the MAC must cover the one on the wire).
//!
//! Each MAC also has a constant-compression form for CBC decryption (see the parent module's
//! documentation, step 3).

use matrix_crypto::hash::{Hash, Md5, Sha1};
use matrix_crypto::mac::{Hmac, Ssl3Hash, Ssl3Mac};
use zeroize::Zeroize;

use crate::codec::{ContentType, ProtocolVersion};
use crate::suites::MacAlgorithm;

/// The longest tag of any suite's MAC (SHA-1).
#[allow(
    dead_code,
    reason = "used by the record ciphers, absent from builds without any suite"
)]
pub(crate) const MAX_MAC_LEN: usize = 20;

/// Zero blocks for the throwaway hash: more than the most compressions a MAC over at most 255
/// fewer bytes can save (`255 / 64` rounded up is 4).
#[allow(
    dead_code,
    reason = "used by CBC decryption, absent from RC4-only builds"
)]
static DUMMY_BLOCKS: [u8; 5 * 64] = [0; 5 * 64];

/// A keyed record MAC for one direction.
pub(crate) trait RecordMac: Send + 'static {
    /// The hash the MAC is built on.
    type H: Hash;
    /// Bytes the inner hash has absorbed at keying, before the per-record header.
    #[allow(
        dead_code,
        reason = "used by CBC decryption, absent from RC4-only builds"
    )]
    const PREFIX_LEN: usize;
    /// Bytes of per-record header before the fragment.
    #[allow(
        dead_code,
        reason = "used by CBC decryption, absent from RC4-only builds"
    )]
    const HEADER_LEN: usize;

    /// The MAC keyed with `secret`.
    #[allow(
        dead_code,
        reason = "used by the record ciphers, absent from builds without any suite"
    )]
    fn new(secret: &[u8]) -> Self;

    /// Writes the MAC of the record into `out` (of [`RecordMac::mac_len`] bytes). `data` is
    /// at most 2^14 + 2048 bytes, as a record fragment is.
    fn compute(
        &self,
        seq: u64,
        content_type: ContentType,
        version: ProtocolVersion,
        data: &[u8],
        out: &mut [u8],
    );

    /// The tag length.
    #[allow(
        dead_code,
        reason = "used by the record ciphers, absent from builds without any suite"
    )]
    fn mac_len(&self) -> usize {
        <Self::H as Hash>::OUTPUT_LEN
    }

    /// The MAC of `data[..len]`, where `len` is secret, at the cost in compression-function
    /// calls of the MAC of all of `data`: the MAC itself, then a throwaway hash of as many
    /// whole blocks as the longer message would have needed beyond the shorter. `len` must
    /// be at most `data.len()` and `data.len()` at most 255 more than `len`.
    #[allow(
        dead_code,
        reason = "used by CBC decryption, absent from RC4-only builds"
    )]
    fn compute_ct(
        &self,
        seq: u64,
        content_type: ContentType,
        version: ProtocolVersion,
        data: &[u8],
        len: usize,
        out: &mut [u8],
    ) {
        // Cannot be out of range (the caller derives `len` from `data.len()` minus the
        // padding); the fallback keeps the cost and merely gives a wrong MAC.
        let real = data.get(..len).unwrap_or(data);
        self.compute(seq, content_type, version, real, out);
        let fixed = Self::PREFIX_LEN + Self::HEADER_LEN;
        let blocks = |n: usize| (fixed + n + 8) / <Self::H as Hash>::BLOCK_LEN;
        let extra = blocks(data.len()).saturating_sub(blocks(len)) * <Self::H as Hash>::BLOCK_LEN;
        let mut dummy = <Self::H as Hash>::new();
        dummy.update(DUMMY_BLOCKS.get(..extra).unwrap_or(&DUMMY_BLOCKS));
        core::hint::black_box(dummy);
    }
}

/// The SSL 3.0 MAC with hash `H`.
pub(crate) struct Ssl3<H: Ssl3Hash>(Ssl3Mac<H>);

impl<H: Ssl3Hash + Send + 'static> RecordMac for Ssl3<H> {
    type H = H;
    // secret || pad_1: 16 + 48 (MD5) or 20 + 40 (SHA-1).
    const PREFIX_LEN: usize = H::OUTPUT_LEN + H::PAD_LEN;
    // seq_num(8) || type(1) || length(2).
    const HEADER_LEN: usize = 11;

    fn new(secret: &[u8]) -> Self {
        const { assert!(H::OUTPUT_LEN <= MAX_MAC_LEN) };
        Ssl3(Ssl3Mac::new(secret))
    }

    fn compute(
        &self,
        seq: u64,
        content_type: ContentType,
        _version: ProtocolVersion,
        data: &[u8],
        out: &mut [u8],
    ) {
        // Ssl3Mac fails only for fragments over 65535 bytes, which no record has; a failure
        // leaves a zero tag, which no check accepts by accident more than any other.
        if let Ok(mut tag) = self.0.compute(seq, content_type.get(), data) {
            copy_tag(tag.as_ref(), out);
            tag.zeroize();
        }
    }
}

/// The TLS 1.0/1.1 HMAC with hash `H`.
pub(crate) struct Tls<H: Hash>(Hmac<H>);

impl<H: Hash + Send + 'static> RecordMac for Tls<H> {
    type H = H;
    // The HMAC key block, K ^ ipad.
    const PREFIX_LEN: usize = H::BLOCK_LEN;
    // seq_num(8) || type(1) || version(2) || length(2).
    const HEADER_LEN: usize = 13;

    fn new(secret: &[u8]) -> Self {
        const { assert!(H::OUTPUT_LEN <= MAX_MAC_LEN) };
        Tls(Hmac::new(secret))
    }

    fn compute(
        &self,
        seq: u64,
        content_type: ContentType,
        version: ProtocolVersion,
        data: &[u8],
        out: &mut [u8],
    ) {
        // Constant ranges into a 13-byte array.
        let mut header = [0u8; 13];
        header[..8].copy_from_slice(&seq.to_be_bytes());
        header[8] = content_type.get();
        header[9..11].copy_from_slice(&version.get().to_be_bytes());
        // A record's data is at most 2^14 + 2048 bytes: the length always fits.
        let len = u16::try_from(data.len()).unwrap_or(u16::MAX);
        header[11..].copy_from_slice(&len.to_be_bytes());
        let mut m = self.0.clone();
        m.update(&header);
        m.update(data);
        let mut tag = m.finalize();
        copy_tag(tag.as_ref(), out);
        tag.zeroize();
    }
}

/// Copies as much of `tag` as fits into `out`.
fn copy_tag(tag: &[u8], out: &mut [u8]) {
    out.iter_mut().zip(tag).for_each(|(o, t)| *o = *t);
}

/// Runs `job` with the record MAC type of `version` and `alg`: the SSL 3.0 MAC in SSL 3.0,
/// HMAC in every other version.
pub(crate) trait MacJob {
    /// What the job makes.
    type Out;
    /// Runs the job with the MAC type `M`.
    fn run<M: RecordMac>(self) -> Self::Out;
}

/// Dispatches `job` on the MAC type for `version` and `alg`.
pub(crate) fn with_mac<J: MacJob>(version: ProtocolVersion, alg: MacAlgorithm, job: J) -> J::Out {
    match (version.is_ssl3(), alg) {
        (true, MacAlgorithm::Md5) => job.run::<Ssl3<Md5>>(),
        (true, MacAlgorithm::Sha1) => job.run::<Ssl3<Sha1>>(),
        (false, MacAlgorithm::Md5) => job.run::<Tls<Md5>>(),
        (false, MacAlgorithm::Sha1) => job.run::<Tls<Sha1>>(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// The throwaway hash never needs more blocks than `DUMMY_BLOCKS` holds, for any data
    /// length and any padding (at most 255 bytes shorter).
    fn dummy_fits<M: RecordMac>() {
        let fixed = M::PREFIX_LEN + M::HEADER_LEN;
        let bl = <M::H as Hash>::BLOCK_LEN;
        let blocks = |n: usize| (fixed + n + 8) / bl;
        for max in 0usize..600 {
            for len in max.saturating_sub(255)..=max {
                assert!((blocks(max) - blocks(len)) * bl <= DUMMY_BLOCKS.len());
            }
        }
    }

    #[test]
    fn dummy_blocks_suffice() {
        dummy_fits::<Ssl3<Md5>>();
        dummy_fits::<Ssl3<Sha1>>();
        dummy_fits::<Tls<Md5>>();
        dummy_fits::<Tls<Sha1>>();
    }

    /// The constant-compression MAC is the MAC of the shorter data.
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
            let (mut a, mut b) = ([0u8; 16], [0u8; 16]);
            s.compute_ct(9, ct, v, &data[..355], len, &mut a);
            s.compute(9, ct, v, &data[..len], &mut b);
            assert_eq!(a, b);
        }
    }
}
