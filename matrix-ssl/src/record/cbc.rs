//! `GenericBlockCipher` (RFC 6101 section 5.2.3.2, RFC 2246 and RFC 4346 section 6.2.3.2):
//! MAC-then-pad-then-encrypt in CBC mode, with the implicit chained IV of SSL 3.0 and TLS 1.0
//! or the explicit per-record IV of TLS 1.1 and DTLS 1.0, and the constant-time padding and
//! MAC check described in the parent module's documentation.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::hint::black_box;
use core::ops::Range;

use matrix_crypto::cipher::{BlockAlgorithm, CbcCipher};
use matrix_crypto::random::SecureRandom;
use zeroize::Zeroize;

use super::mac::{MAX_MAC_LEN, MAX_SHORTFALL, RecordMac, ct_eq, ct_le, ct_lt, len32};
use super::{CipherStates, RecordDecrypter, RecordEncrypter, RecordError};
use crate::codec::record::{MAX_CIPHERTEXT_LEN, MAX_PLAINTEXT_LEN};
use crate::codec::{ContentType, ProtocolVersion};
use crate::suites::{BulkCipher, SuiteInfo, implicit_iv};
use matrix_core::Error;

/// The longest block of any suite's cipher (AES, SEED).
const MAX_BLOCK_LEN: usize = 16;

/// The most padding a TLS record can have (the padding length is one byte).
const MAX_PADDING: usize = 255;
// The constant-time MAC must cover every data length the padding can leave.
const _: () = assert!(MAX_PADDING <= MAX_SHORTFALL);

/// One direction's key, IV and MAC for CBC.
struct Cbc<M: RecordMac> {
    cipher: CbcCipher,
    mac: M,
    /// The chained IV of SSL 3.0 and TLS 1.0: the key block's, then the last ciphertext block
    /// of the previous record. Unused with explicit IVs.
    iv: [u8; MAX_BLOCK_LEN],
    block_len: usize,
    explicit_iv: bool,
    /// SSL 3.0: padding bytes are arbitrary and shorter than a block; only that is checked.
    ssl3: bool,
    /// RFC 7366 encrypt-then-MAC: pad, encrypt, then MAC the IV and ciphertext.
    etm: bool,
}

impl<M: RecordMac> Drop for Cbc<M> {
    fn drop(&mut self) {
        // The cipher and MAC wipe themselves; the IV is ours.
        self.iv.zeroize();
    }
}

impl<M: RecordMac> Cbc<M> {
    /// One direction's state from its MAC secret, key and IV, built in its box (one
    /// function for both directions: the state is moved once, into the heap).
    fn boxed(
        version: ProtocolVersion,
        suite: &SuiteInfo,
        (mac_secret, key, iv): (&[u8], &[u8], &[u8]),
        etm: bool,
    ) -> Result<Box<Self>, Error> {
        let alg = block_algorithm(suite.bulk).ok_or(Error::UnsupportedFail)?;
        let block_len = alg.block_len();
        if block_len > MAX_BLOCK_LEN || block_len != suite.block_len() {
            return Err(Error::UnsupportedFail);
        }
        let explicit_iv = !implicit_iv(version);
        let mut chained = [0u8; MAX_BLOCK_LEN];
        if !explicit_iv {
            chained
                .get_mut(..block_len)
                .filter(|d| d.len() == iv.len())
                .ok_or(Error::ArgFail)?
                .copy_from_slice(iv);
        }
        Ok(Box::new(Cbc {
            cipher: CbcCipher::new(alg, key)?,
            mac: M::new(mac_secret),
            iv: chained,
            block_len,
            explicit_iv,
            ssl3: version.is_ssl3(),
            etm: etm && !version.is_ssl3(),
        }))
    }
}

/// The block cipher of `bulk`, if this build has it. Each answer is found at compile time
/// ([`find_block_algorithm`]), so no cipher is looked up by name at run time (the lookup,
/// which encrypted PEM keys need, is not linked in a build without them).
fn block_algorithm(bulk: BulkCipher) -> Option<BlockAlgorithm> {
    const AES_128: Option<BlockAlgorithm> = find_block_algorithm(BulkCipher::Aes128Cbc);
    const AES_256: Option<BlockAlgorithm> = find_block_algorithm(BulkCipher::Aes256Cbc);
    const TRIPLE_DES: Option<BlockAlgorithm> = find_block_algorithm(BulkCipher::TripleDesCbc);
    const SEED: Option<BlockAlgorithm> = find_block_algorithm(BulkCipher::SeedCbc);
    match bulk {
        BulkCipher::Aes128Cbc => AES_128,
        BulkCipher::Aes256Cbc => AES_256,
        BulkCipher::TripleDesCbc => TRIPLE_DES,
        BulkCipher::SeedCbc => SEED,
        _ => None,
    }
}

/// The algorithm of [`BlockAlgorithm::ALL`] (the ones this build has) whose CBC name is
/// `bulk`'s, as `BlockAlgorithm::by_cbc_name` finds it, but evaluated by the compiler: the
/// record layer need not know which cipher features matrix-crypto was built with.
const fn find_block_algorithm(bulk: BulkCipher) -> Option<BlockAlgorithm> {
    let Some(name) = bulk.cbc_name() else {
        return None;
    };
    let name = name.as_bytes();
    let mut i = 0;
    while i < BlockAlgorithm::ALL.len() {
        let alg = BlockAlgorithm::ALL[i];
        let candidate = alg.cbc_name().as_bytes();
        if candidate.len() == name.len() {
            let mut j = 0;
            while j < name.len() && candidate[j] == name[j] {
                j += 1;
            }
            if j == name.len() {
                return Some(alg);
            }
        }
        i += 1;
    }
    None
}

impl<M: RecordMac> Cbc<M> {
    /// Whether records are encrypt-then-MAC: never in a build without the feature, which
    /// the compiler sees, so that build links neither ETM path.
    fn uses_etm(&self) -> bool {
        super::ETM && self.etm
    }
}

/// Builds the CBC write state and read state (`M` is the record MAC type).
pub(crate) fn states<M: RecordMac>(
    version: ProtocolVersion,
    suite: &SuiteInfo,
    write: (&[u8], &[u8], &[u8]),
    read: (&[u8], &[u8], &[u8]),
    etm: bool,
) -> Result<CipherStates, Error> {
    let enc = Cbc::<M>::boxed(version, suite, write, etm)?;
    let dec = Cbc::<M>::boxed(version, suite, read, etm)?;
    Ok((enc, dec))
}

impl<M: RecordMac> RecordEncrypter for Cbc<M> {
    fn encrypt(
        &mut self,
        seq: u64,
        content_type: ContentType,
        version: ProtocolVersion,
        plaintext: &[u8],
        rng: &mut dyn SecureRandom,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        if plaintext.len() > MAX_PLAINTEXT_LEN {
            return Err(Error::LimitFail);
        }
        let bs = self.block_len;
        let mac_len = self.mac.mac_len();
        let start = out.len();
        // One allocation, before any plaintext is written, so no copy of it is left behind
        // in a freed buffer.
        out.reserve(self.encrypted_len(plaintext.len()));

        let mut explicit = [0u8; MAX_BLOCK_LEN];
        if self.explicit_iv {
            // TLS 1.1 section 6.2.3.2: a fresh unpredictable IV, sent in clear.
            let iv = explicit.get_mut(..bs).ok_or(Error::ArgFail)?;
            rng.fill_bytes(iv)?;
            out.extend_from_slice(iv);
        }
        let body_start = out.len();
        out.extend_from_slice(plaintext);
        if self.uses_etm() {
            return self.encrypt_etm(seq, content_type, version, start, body_start, out, explicit);
        }
        // The fewest padding bytes that make data || MAC || padding || padding_length a
        // whole number of blocks; each holds the padding length (TLS; SSL 3.0 allows any
        // content, and this one is as good as any).
        let pad = bs - 1 - (plaintext.len() + mac_len) % bs;
        // The MAC is written in place, between the data and the padding (one resize for
        // both, no copy of the tag). `pad` < `bs` <= 16.
        let mac_at = out.len();
        out.resize(mac_at + mac_len + pad + 1, pad as u8);
        let tag = out
            .get_mut(mac_at..mac_at + mac_len)
            .ok_or(Error::ArgFail)?;
        self.mac.compute(seq, content_type, version, plaintext, tag);

        let iv = if self.explicit_iv {
            explicit.get_mut(..bs)
        } else {
            self.iv.get_mut(..bs)
        };
        let result = match (iv, out.get_mut(body_start..)) {
            (Some(iv), Some(body)) => self.cipher.encrypt(iv, body),
            _ => Err(Error::ArgFail),
        };
        if let Err(e) = result {
            // Leave no plaintext behind.
            if let Some(written) = out.get_mut(start..) {
                written.zeroize();
            }
            out.truncate(start);
            return Err(e);
        }
        Ok(())
    }

    fn encrypted_len(&self, len: usize) -> usize {
        let iv = if self.explicit_iv { self.block_len } else { 0 };
        if self.uses_etm() {
            return iv + (len + 1).next_multiple_of(self.block_len) + self.mac.mac_len();
        }
        iv + (len + self.mac.mac_len() + 1).next_multiple_of(self.block_len)
    }

    fn wants_record_splitting(&self) -> bool {
        !self.explicit_iv
    }

    fn heap_bytes(&self) -> usize {
        self.cipher.heap_bytes()
    }
}

impl<M: RecordMac> RecordDecrypter for Cbc<M> {
    fn heap_bytes(&self) -> usize {
        self.cipher.heap_bytes()
    }

    fn decrypt(
        &mut self,
        seq: u64,
        content_type: ContentType,
        version: ProtocolVersion,
        fragment: &mut [u8],
    ) -> Result<Range<usize>, RecordError> {
        if fragment.len() > MAX_CIPHERTEXT_LEN {
            return Err(RecordError::RecordOverflow);
        }
        if self.uses_etm() {
            return self.decrypt_etm(seq, content_type, version, fragment);
        }
        let bs = self.block_len;
        let mac_len = self.mac.mac_len();
        let iv_len = if self.explicit_iv { bs } else { 0 };
        // Checks on public lengths only: whole blocks after the IV, room for the MAC and the
        // padding length byte. A failure here is the same error as every other.
        let body_len = fragment
            .len()
            .checked_sub(iv_len)
            .ok_or(RecordError::BadRecordMac)?;
        if body_len == 0 || !body_len.is_multiple_of(bs) || body_len < mac_len + 1 {
            return Err(RecordError::BadRecordMac);
        }
        let (head, body) = fragment.split_at_mut(iv_len);
        let mut explicit = [0u8; MAX_BLOCK_LEN];
        let iv = if self.explicit_iv {
            let iv = explicit.get_mut(..bs).ok_or(RecordError::DecryptError)?;
            iv.copy_from_slice(head);
            iv
        } else {
            self.iv.get_mut(..bs).ok_or(RecordError::DecryptError)?
        };
        self.cipher
            .decrypt(iv, body)
            .map_err(|_| RecordError::DecryptError)?;

        let (good, len) =
            check_padding_and_mac(&self.mac, self.ssl3, bs, (seq, content_type, version), body);
        // The one branch on the verdict, after all the work.
        if black_box(good) == 0 {
            return Err(RecordError::BadRecordMac);
        }
        if len > MAX_PLAINTEXT_LEN {
            return Err(RecordError::RecordOverflow);
        }
        Ok(iv_len..iv_len + len)
    }
}

impl<M: RecordMac> Cbc<M> {
    /// RFC 7366 section 3: the plaintext (already at `body_start`) is padded and encrypted,
    /// then the MAC covers the IV and ciphertext, with their length in the MAC header.
    #[allow(clippy::too_many_arguments)]
    fn encrypt_etm(
        &mut self,
        seq: u64,
        content_type: ContentType,
        version: ProtocolVersion,
        start: usize,
        body_start: usize,
        out: &mut Vec<u8>,
        mut explicit: [u8; MAX_BLOCK_LEN],
    ) -> Result<(), Error> {
        let bs = self.block_len;
        let data_len = out.len() - body_start;
        let pad = bs - 1 - data_len % bs;
        // `pad` < `bs` <= 16.
        out.resize(out.len() + pad + 1, pad as u8);
        let iv = if self.explicit_iv {
            explicit.get_mut(..bs)
        } else {
            self.iv.get_mut(..bs)
        };
        let result = match (iv, out.get_mut(body_start..)) {
            (Some(iv), Some(body)) => self.cipher.encrypt(iv, body),
            _ => Err(Error::ArgFail),
        };
        if let Err(e) = result {
            if let Some(written) = out.get_mut(start..) {
                written.zeroize();
            }
            out.truncate(start);
            return Err(e);
        }
        let mut tag = [0u8; MAX_MAC_LEN];
        let tag = tag.get_mut(..self.mac.mac_len()).ok_or(Error::ArgFail)?;
        self.mac.compute(
            seq,
            content_type,
            version,
            out.get(start..).unwrap_or_default(),
            tag,
        );
        out.extend_from_slice(tag);
        Ok(())
    }

    /// RFC 7366 section 3: the MAC over the IV and ciphertext is checked first (in constant
    /// time; it covers public bytes only), and only an authentic record is decrypted, so
    /// its padding check can tell nothing to an attacker.
    fn decrypt_etm(
        &mut self,
        seq: u64,
        content_type: ContentType,
        version: ProtocolVersion,
        fragment: &mut [u8],
    ) -> Result<Range<usize>, RecordError> {
        let bs = self.block_len;
        let mac_len = self.mac.mac_len();
        let iv_len = if self.explicit_iv { bs } else { 0 };
        let body_len = fragment
            .len()
            .checked_sub(iv_len + mac_len)
            .ok_or(RecordError::BadRecordMac)?;
        if body_len == 0 || !body_len.is_multiple_of(bs) {
            return Err(RecordError::BadRecordMac);
        }
        let (authed, tag) = fragment.split_at_mut(iv_len + body_len);
        let mut expected = [0u8; MAX_MAC_LEN];
        let expected = expected
            .get_mut(..mac_len)
            .ok_or(RecordError::DecryptError)?;
        self.mac
            .compute(seq, content_type, version, authed, expected);
        if super::ct_eq_bytes(expected, tag) == 0 {
            return Err(RecordError::BadRecordMac);
        }
        let (head, body) = authed.split_at_mut(iv_len);
        let mut explicit = [0u8; MAX_BLOCK_LEN];
        let iv = if self.explicit_iv {
            let iv = explicit.get_mut(..bs).ok_or(RecordError::DecryptError)?;
            iv.copy_from_slice(head);
            iv
        } else {
            self.iv.get_mut(..bs).ok_or(RecordError::DecryptError)?
        };
        self.cipher
            .decrypt(iv, body)
            .map_err(|_| RecordError::DecryptError)?;
        let pad = usize::from(body.last().copied().unwrap_or(0));
        let len = body_len
            .checked_sub(pad + 1)
            .ok_or(RecordError::BadRecordMac)?;
        // Every padding byte holds the padding length (TLS; no SSL 3.0 here).
        if body
            .get(len..)
            .is_none_or(|p| p.iter().any(|&b| usize::from(b) != pad))
        {
            return Err(RecordError::BadRecordMac);
        }
        if len > MAX_PLAINTEXT_LEN {
            return Err(RecordError::RecordOverflow);
        }
        Ok(iv_len..iv_len + len)
    }
}

/// Checks the padding and the MAC of a decrypted `body` (whole blocks, at least MAC + 1 bytes
/// long) in constant time; returns the verdict as a mask (all ones when both are good) and
/// the data length the padding implies (meaningful only when good).
fn check_padding_and_mac<M: RecordMac>(
    mac: &M,
    ssl3: bool,
    block_len: usize,
    (seq, content_type, version): (u64, ContentType, ProtocolVersion),
    body: &[u8],
) -> (u32, usize) {
    let n = body.len();
    let mac_len = mac.mac_len();
    // The data length with no padding at all: the longest the data can be.
    let max_len = n.saturating_sub(mac_len + 1);
    let pad = black_box(u32::from(body.last().copied().unwrap_or(0)));

    // The padding and its length byte fit in front of the MAC.
    let mut good = ct_le(pad, len32(max_len));
    if ssl3 {
        // RFC 6101 section 5.2.3.2: shorter than a block; the content is arbitrary.
        good &= ct_lt(pad, len32(block_len));
    } else {
        // Every byte that the padding length says is padding must equal it: look at the
        // last 256 bytes (or the whole body) whatever the padding length.
        let scan = n.min(MAX_PADDING + 1);
        let mut diff = 0u32;
        // `scan` <= `n`: the slice is in bounds.
        // `enumerate`, not a `zip` with a counter: that links the iterator adapters' code.
        for (i, &b) in body[n - scan..].iter().rev().enumerate() {
            diff |= ct_le(len32(i), pad) & (u32::from(b) ^ pad);
        }
        good &= ct_eq(diff, 0);
    }
    // Bad padding: go on as if there were none, at the same cost.
    let len = max_len - (good & pad) as usize;

    // In bounds: `mac_len` <= MAX_MAC_LEN (checked at compile time in `mac`), and
    // `max_len` < `n`.
    let mut expected = [0u8; MAX_MAC_LEN];
    let mut received = [0u8; MAX_MAC_LEN];
    let (expected, received) = (&mut expected[..mac_len], &mut received[..mac_len]);
    mac.compute_ct(seq, content_type, version, &body[..max_len], len, expected);
    copy_mac(body, len, max_len, received);
    let mac_ok = super::ct_eq_bytes(expected, received);
    // The expected tag authenticates whatever the peer sent; leave no copy of it.
    expected.zeroize();
    (good & mac_ok, len)
}

/// Copies the MAC that starts at the secret offset `start` of `body` into `out` without a
/// memory access that depends on `start`: every byte where a MAC can start (`start` is at
/// most 255 before `max_start`, its place with no padding) is read, masked into a rotating
/// buffer, and the buffer is then rotated into place with masks (as OpenSSL's
/// `ssl3_cbc_copy_mac`).
fn copy_mac(body: &[u8], start: usize, max_start: usize, out: &mut [u8]) {
    let mac_len = out.len();
    let scan_start = max_start.saturating_sub(MAX_PADDING);
    let scan_end = (max_start + mac_len).min(body.len());
    let (start32, end32) = (len32(start), len32(start + mac_len));
    // In bounds: `mac_len` <= MAX_MAC_LEN, and `scan_start` <= `max_start` <= `scan_end`
    // <= `body.len()` since `max_start + mac_len` = `body.len() - 1`.
    let mut rotated = [0u8; MAX_MAC_LEN];
    let rotated = &mut rotated[..mac_len];
    let mut offset = 0u32;
    let mut j = 0usize;
    for (p, &b) in body[scan_start..scan_end].iter().enumerate() {
        let i = len32(scan_start + p);
        let in_mac = !ct_lt(i, start32) & ct_lt(i, end32);
        // `j` < `mac_len`: it wraps below.
        rotated[j] |= (u32::from(b) & in_mac) as u8;
        offset |= len32(j) & ct_eq(i, start32);
        j += 1;
        if j == mac_len {
            j = 0;
        }
    }
    // The MAC's byte k is at rotated[(offset + k) % mac_len].
    let m32 = len32(mac_len);
    for (k, o) in out.iter_mut().enumerate() {
        let mut idx = offset + len32(k);
        idx -= m32 & !ct_lt(idx, m32);
        let mut v = 0u32;
        for (m, &r) in rotated.iter().enumerate() {
            v |= u32::from(r) & ct_eq(len32(m), idx);
        }
        *o = v as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// The cipher chosen at compile time is the one the run-time lookup by name finds,
    /// for every CBC bulk cipher (`None` for those this build lacks, and for RC4 and GCM).
    #[test]
    fn block_algorithm_is_the_one_named() {
        for bulk in [
            BulkCipher::Aes128Cbc,
            BulkCipher::Aes256Cbc,
            BulkCipher::TripleDesCbc,
            BulkCipher::SeedCbc,
            BulkCipher::Rc4_128,
            BulkCipher::Aes128Gcm,
            BulkCipher::Aes256Gcm,
        ] {
            let named = bulk.cbc_name().and_then(BlockAlgorithm::by_cbc_name);
            assert_eq!(block_algorithm(bulk), named, "{bulk:?}");
        }
        assert_eq!(
            block_algorithm(BulkCipher::Aes128Cbc),
            Some(BlockAlgorithm::Aes128)
        );
    }

    #[test]
    fn ct_eq_bytes_is_equality() {
        let a = [7u8; 20];
        assert_eq!(super::super::ct_eq_bytes(&a, &a), u32::MAX);
        for i in 0..20 {
            for bit in 0..8 {
                let mut b = a;
                b[i] ^= 1 << bit;
                assert_eq!(super::super::ct_eq_bytes(&a, &b), 0, "{i} {bit}");
            }
        }
        assert_eq!(super::super::ct_eq_bytes(&a, &a[..19]), 0);
        assert_eq!(super::super::ct_eq_bytes(&a[..19], &a), 0);
        assert_eq!(super::super::ct_eq_bytes(&[], &[]), u32::MAX);
    }

    #[test]
    fn copy_mac_finds_the_mac_wherever_it_starts() {
        let body: Vec<u8> = (0..600u32).map(|i| (i * 7 + 1) as u8).collect();
        for mac_len in [16usize, 20] {
            let max_start = body.len() - 1 - mac_len;
            for start in max_start - 255..=max_start {
                let mut out = vec![0u8; mac_len];
                copy_mac(&body, start, max_start, &mut out);
                assert_eq!(out, &body[start..start + mac_len], "{mac_len} {start}");
            }
        }
        // A body shorter than the scan window.
        let short = &body[..40];
        let max_start = short.len() - 1 - 20;
        for start in 0..=max_start {
            let mut out = [0u8; 20];
            copy_mac(short, start, max_start, &mut out);
            assert_eq!(&out[..], &short[start..start + 20]);
        }
    }
}
