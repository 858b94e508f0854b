//! The datagram record layer (RFC 4347 section 4.1): cutting a datagram into records,
//! protecting outgoing records under an epoch and a 48-bit sequence number, and
//! unprotecting incoming ones.
//!
//! What it implements:
//!
//! - several records per datagram, each wholly inside it (section 4.1.1: "a record MUST NOT
//!   span multiple datagrams"); a truncated or malformed record ends the datagram, since
//!   nothing after it can be framed ([`records`]);
//! - the sequence number the record MAC covers is `epoch || seq48` (section 4.1.2.1), which
//!   matrix-ssl's cipher states take as one `u64`; the sequence number of each epoch starts
//!   at zero and never wraps (section 4.1: a sender must re-handshake before 2^48);
//! - records from another epoch, replays (section 4.1.2.5) and records that do not
//!   authenticate (section 4.1.2.1) are dropped with a [`DropReason`], never a fatal alert;
//! - the writer keeps the previous epoch's state, so a retransmitted flight can be protected
//!   again with the epochs its messages had (section 4.2.4: same epoch, new sequence number);
//!   the reader keeps the previous epoch too, so a peer's retransmission from before its
//!   ChangeCipherSpec is still recognised as one.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ops::Range;

use matrix_core::Error;
use matrix_crypto::random::SecureRandom;
use matrix_ssl::codec::record::{DTLS_HEADER_LEN, DtlsRecordHeader, MAX_PLAINTEXT_LEN};
use matrix_ssl::codec::{Codec, ContentType, ProtocolVersion, Reader};
use matrix_ssl::record::{RecordDecrypter, RecordEncrypter, null_decrypter, null_encrypter};

use crate::replay::ReplayWindow;

/// The records of one datagram, in order: each header and the range of its fragment.
///
/// Iteration stops at the first record whose header is malformed or whose fragment runs
/// past the datagram's end: the rest of the datagram is dropped silently.
#[derive(Clone, Debug)]
pub struct Records<'a> {
    datagram: &'a [u8],
    pos: usize,
}

/// The records of `datagram`.
pub fn records(datagram: &[u8]) -> Records<'_> {
    Records { datagram, pos: 0 }
}

impl Iterator for Records<'_> {
    type Item = (DtlsRecordHeader, Range<usize>);

    fn next(&mut self) -> Option<Self::Item> {
        let rest = self.datagram.get(self.pos..)?;
        if rest.is_empty() {
            return None;
        }
        let mut r = Reader::new(rest);
        let parsed = DtlsRecordHeader::read(&mut r).ok().and_then(|h| {
            let start = self.pos + DTLS_HEADER_LEN;
            let end = start + usize::from(h.length);
            (end <= self.datagram.len()).then_some((h, start..end))
        });
        match parsed {
            Some((h, range)) => {
                self.pos = range.end;
                Some((h, range))
            }
            None => {
                self.pos = self.datagram.len();
                None
            }
        }
    }
}

/// Why an incoming record was dropped (all silently: RFC 4347 sections 4.1.2.1 and
/// 4.1.2.5).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DropReason {
    /// The record's epoch is neither the current read epoch nor (for handshake records) the
    /// previous one.
    WrongEpoch,
    /// The sequence number was seen already or is below the replay window.
    Replayed,
    /// The record did not authenticate (bad MAC or padding, bad length, overflow).
    BadRecord,
}

/// One epoch's write state.
struct EpochWriter {
    epoch: u16,
    next_seq: u64,
    enc: Box<dyn RecordEncrypter>,
}

/// The write side: the current epoch and the one before it.
pub struct RecordWriter {
    version: ProtocolVersion,
    current: EpochWriter,
    previous: Option<EpochWriter>,
}

impl core::fmt::Debug for RecordWriter {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RecordWriter")
            .field("version", &self.version)
            .field("epoch", &self.current.epoch)
            .field("next_seq", &self.current.next_seq)
            .finish_non_exhaustive()
    }
}

impl RecordWriter {
    /// Epoch 0 with null protection, writing `version` in headers.
    pub fn new(version: ProtocolVersion) -> Self {
        RecordWriter {
            version,
            current: EpochWriter {
                epoch: 0,
                next_seq: 0,
                enc: null_encrypter(),
            },
            previous: None,
        }
    }

    /// The version written in record headers.
    pub fn version(&self) -> ProtocolVersion {
        self.version
    }

    /// Changes the version written in headers (once it is negotiated).
    pub fn set_version(&mut self, version: ProtocolVersion) {
        self.version = version;
    }

    /// The current write epoch.
    pub fn epoch(&self) -> u16 {
        self.current.epoch
    }

    /// Moves to the next epoch with `enc` (our ChangeCipherSpec was just written).
    /// `PS_LIMIT_FAIL` when the 16-bit epoch would wrap.
    pub fn next_epoch(&mut self, enc: Box<dyn RecordEncrypter>) -> Result<(), Error> {
        let epoch = self.current.epoch.checked_add(1).ok_or(Error::LimitFail)?;
        let old = core::mem::replace(
            &mut self.current,
            EpochWriter {
                epoch,
                next_seq: 0,
                enc,
            },
        );
        self.previous = Some(old);
        Ok(())
    }

    fn state(&self, epoch: u16) -> Option<&EpochWriter> {
        if epoch == self.current.epoch {
            Some(&self.current)
        } else {
            self.previous.as_ref().filter(|p| p.epoch == epoch)
        }
    }

    /// The whole record's size (header included) for `len` bytes of plaintext in `epoch`.
    pub fn record_len(&self, epoch: u16, len: usize) -> Option<usize> {
        self.state(epoch)
            .map(|s| DTLS_HEADER_LEN + s.enc.encrypted_len(len))
    }

    /// The most plaintext bytes (at most 2^14) whose record, header included, fits in
    /// `room` bytes in `epoch`; `None` when not even an empty record fits.
    pub fn max_plaintext(&self, epoch: u16, room: usize) -> Option<usize> {
        let s = self.state(epoch)?;
        let fits = |n: usize| DTLS_HEADER_LEN + s.enc.encrypted_len(n) <= room;
        if !fits(0) {
            return None;
        }
        // The expansion is bounded (IV, MAC, padding: well under 300 bytes), so start just
        // below the space and walk down; `encrypted_len` is monotone.
        let mut n = room.saturating_sub(DTLS_HEADER_LEN).min(MAX_PLAINTEXT_LEN);
        while n > 0 && !fits(n) {
            n -= 1;
        }
        Some(n)
    }

    /// Appends one protected record (header and fragment) of `plaintext` in `epoch` (the
    /// current or the previous one) with that epoch's next sequence number.
    ///
    /// `PS_ARG_FAIL` for another epoch, `PS_LIMIT_FAIL` when the epoch's sequence numbers
    /// are exhausted or the plaintext is over 2^14 bytes. `out` is unchanged on failure.
    pub fn protect(
        &mut self,
        epoch: u16,
        content_type: ContentType,
        plaintext: &[u8],
        rng: &mut dyn SecureRandom,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        let version = self.version;
        let state = if epoch == self.current.epoch {
            &mut self.current
        } else {
            match self.previous.as_mut().filter(|p| p.epoch == epoch) {
                Some(p) => p,
                None => return Err(Error::ArgFail),
            }
        };
        if state.next_seq > DtlsRecordHeader::MAX_SEQUENCE {
            return Err(Error::LimitFail);
        }
        if plaintext.len() > MAX_PLAINTEXT_LEN {
            return Err(Error::LimitFail);
        }
        let seq = state.next_seq;
        let start = out.len();
        let mut header = DtlsRecordHeader {
            content_type,
            version,
            epoch,
            sequence_number: seq,
            length: 0,
        };
        header.encode(out);
        let body = out.len();
        let full_seq = (u64::from(epoch) << 48) | seq;
        if let Err(e) = state
            .enc
            .encrypt(full_seq, content_type, version, plaintext, rng, out)
        {
            out.truncate(start);
            return Err(e);
        }
        let Ok(len) = u16::try_from(out.len() - body) else {
            out.truncate(start);
            return Err(Error::LimitFail);
        };
        header.length = len;
        let mut patched = Vec::with_capacity(DTLS_HEADER_LEN);
        header.encode(&mut patched);
        if let Some(slot) = out.get_mut(start..body) {
            slot.copy_from_slice(&patched);
        }
        state.next_seq += 1;
        Ok(())
    }
}

/// One epoch's read state.
struct EpochReader {
    epoch: u16,
    dec: Box<dyn RecordDecrypter>,
    window: ReplayWindow,
}

impl EpochReader {
    fn unprotect(
        &mut self,
        header: &DtlsRecordHeader,
        fragment: &mut [u8],
    ) -> Result<Range<usize>, DropReason> {
        if !self.window.check(header.sequence_number) {
            return Err(DropReason::Replayed);
        }
        let seq = (u64::from(header.epoch) << 48) | header.sequence_number;
        let range = self
            .dec
            .decrypt(seq, header.content_type, header.version, fragment)
            .map_err(|_| DropReason::BadRecord)?;
        self.window.mark(header.sequence_number);
        Ok(range)
    }
}

/// Which read state a record authenticated under.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReadEpoch {
    /// The current read epoch.
    Current,
    /// The epoch before it (only handshake records are read there: retransmissions).
    Previous,
}

/// The read side: the current epoch, and the previous one for the peer's retransmissions.
pub struct RecordReader {
    current: EpochReader,
    previous: Option<EpochReader>,
}

impl core::fmt::Debug for RecordReader {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RecordReader")
            .field("epoch", &self.current.epoch)
            .field("window", &self.current.window)
            .finish_non_exhaustive()
    }
}

impl Default for RecordReader {
    fn default() -> Self {
        Self::new()
    }
}

impl RecordReader {
    /// Epoch 0 with null protection.
    pub fn new() -> Self {
        RecordReader {
            current: EpochReader {
                epoch: 0,
                dec: null_decrypter(),
                window: ReplayWindow::new(),
            },
            previous: None,
        }
    }

    /// The current read epoch.
    pub fn epoch(&self) -> u16 {
        self.current.epoch
    }

    /// Moves to the next epoch with `dec` (the peer's ChangeCipherSpec arrived).
    /// `PS_LIMIT_FAIL` when the epoch would wrap.
    pub fn next_epoch(&mut self, dec: Box<dyn RecordDecrypter>) -> Result<(), Error> {
        let epoch = self.current.epoch.checked_add(1).ok_or(Error::LimitFail)?;
        let old = core::mem::replace(
            &mut self.current,
            EpochReader {
                epoch,
                dec,
                window: ReplayWindow::new(),
            },
        );
        self.previous = Some(old);
        Ok(())
    }

    /// Forgets the previous epoch (the peer has shown it moved on).
    pub fn drop_previous(&mut self) {
        self.previous = None;
    }

    /// Authenticates and decrypts the record in place, returning its plaintext's range
    /// within `fragment` and the epoch it belongs to. Replays are refused before the MAC
    /// is computed; the window is moved only by records that authenticated.
    ///
    /// Records of the previous epoch are read only when they carry handshake messages
    /// (retransmissions, whose only effect is to make us retransmit).
    pub fn unprotect(
        &mut self,
        header: &DtlsRecordHeader,
        fragment: &mut [u8],
    ) -> Result<(Range<usize>, ReadEpoch), DropReason> {
        if header.epoch == self.current.epoch {
            return Ok((
                self.current.unprotect(header, fragment)?,
                ReadEpoch::Current,
            ));
        }
        match self.previous.as_mut() {
            Some(p) if p.epoch == header.epoch && header.content_type == ContentType::Handshake => {
                Ok((p.unprotect(header, fragment)?, ReadEpoch::Previous))
            }
            _ => Err(DropReason::WrongEpoch),
        }
    }
}

fn writer_bytes(w: &EpochWriter) -> usize {
    core::mem::size_of_val(&*w.enc) + w.enc.heap_bytes()
}

fn reader_bytes(r: &EpochReader) -> usize {
    core::mem::size_of_val(&*r.dec) + r.dec.heap_bytes()
}

impl RecordWriter {
    /// The heap bytes of the epochs' cipher states (memory accounting).
    pub fn heap_bytes(&self) -> usize {
        writer_bytes(&self.current) + self.previous.as_ref().map_or(0, writer_bytes)
    }
}

impl RecordReader {
    /// The heap bytes of the epochs' cipher states (memory accounting).
    pub fn heap_bytes(&self) -> usize {
        reader_bytes(&self.current) + self.previous.as_ref().map_or(0, reader_bytes)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use matrix_ssl::record::{
        CipherStates, RecordError, Side, cipher_states, key_block, master_secret,
    };
    use matrix_ssl::suites;

    pub(crate) struct ZeroRng;
    impl SecureRandom for ZeroRng {
        fn fill_bytes(&mut self, out: &mut [u8]) -> Result<(), Error> {
            out.fill(0x5a);
            Ok(())
        }
    }

    /// Real AES-128-CBC-SHA states of DTLS 1.0 for (client, server).
    pub(crate) fn aes_states() -> (CipherStates, CipherStates) {
        let suite = suites::lookup(matrix_ssl::CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA).unwrap();
        let v = ProtocolVersion::DTLSv1_0;
        let ms = master_secret(v, &[7u8; 48], &[1u8; 32], &[2u8; 32]);
        let kb = key_block(v, suite, &ms, &[1u8; 32], &[2u8; 32]);
        let c = cipher_states(v, suite, &kb, Side::Client).unwrap();
        let s = cipher_states(v, suite, &kb, Side::Server).unwrap();
        (c, s)
    }

    /// Real AES-128-GCM states of DTLS 1.2 for (client, server).
    #[cfg(feature = "std")]
    fn gcm_states() -> (CipherStates, CipherStates) {
        let suite =
            suites::lookup(matrix_ssl::CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256).unwrap();
        let v = ProtocolVersion::DTLSv1_2;
        let ms = master_secret(v, &[7u8; 48], &[1u8; 32], &[2u8; 32]);
        let kb = key_block(v, suite, &ms, &[1u8; 32], &[2u8; 32]);
        let c = cipher_states(v, suite, &kb, Side::Client).unwrap();
        let s = cipher_states(v, suite, &kb, Side::Server).unwrap();
        (c, s)
    }

    /// RFC 6347 section 4.1.2.1 with RFC 5288: a DTLS 1.2 GCM record's 8-byte explicit
    /// nonce is its epoch and 48-bit sequence number, and the additional data covers the
    /// epoch, the sequence number and the version (a record moved to another number or
    /// version does not open).
    #[cfg(feature = "std")]
    #[test]
    fn gcm_records_carry_epoch_and_sequence_as_their_explicit_nonce() {
        let ((cenc, _), (_, sdec)) = gcm_states();
        let mut w = RecordWriter::new(ProtocolVersion::DTLSv1_2);
        w.next_epoch(cenc).unwrap();
        for _ in 0..3 {
            w.protect(
                1,
                ContentType::ApplicationData,
                b"x",
                &mut ZeroRng,
                &mut Vec::new(),
            )
            .unwrap();
        }
        let mut dg = Vec::new();
        w.protect(
            1,
            ContentType::ApplicationData,
            b"secret data",
            &mut ZeroRng,
            &mut dg,
        )
        .unwrap();
        let (h, range) = records(&dg).next().unwrap();
        assert_eq!(
            (h.version, h.epoch, h.sequence_number),
            (ProtocolVersion::DTLSv1_2, 1, 3)
        );
        assert_eq!(dg[range.clone()][..8], [0, 1, 0, 0, 0, 0, 0, 3]);
        assert_eq!(range.len(), 8 + 11 + 16, "explicit nonce, ciphertext, tag");
        assert_eq!(w.record_len(1, 11), Some(dg.len()));
        let mut r = RecordReader::new();
        r.next_epoch(sdec).unwrap();
        let mut moved = h;
        moved.sequence_number = 4;
        let mut frag = dg[range.clone()].to_vec();
        assert_eq!(r.unprotect(&moved, &mut frag), Err(DropReason::BadRecord));
        let mut other_version = h;
        other_version.version = ProtocolVersion::DTLSv1_0;
        let mut frag = dg[range.clone()].to_vec();
        assert_eq!(
            r.unprotect(&other_version, &mut frag),
            Err(DropReason::BadRecord)
        );
        let mut frag = dg[range].to_vec();
        let (pt, _) = r.unprotect(&h, &mut frag).unwrap();
        assert_eq!(&frag[pt], b"secret data");
    }

    #[test]
    fn null_epoch_round_trip_and_several_records_per_datagram() {
        let mut w = RecordWriter::new(ProtocolVersion::DTLSv1_0);
        let mut dg = Vec::new();
        w.protect(0, ContentType::Handshake, b"hello", &mut ZeroRng, &mut dg)
            .unwrap();
        w.protect(0, ContentType::Alert, &[1, 0], &mut ZeroRng, &mut dg)
            .unwrap();
        let recs: Vec<_> = records(&dg).collect();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].0.sequence_number, 0);
        assert_eq!(recs[1].0.sequence_number, 1);
        assert_eq!(recs[1].0.content_type, ContentType::Alert);
        let mut r = RecordReader::new();
        let (h, range) = recs[0].clone();
        let mut frag = dg[range].to_vec();
        let (pt, e) = r.unprotect(&h, &mut frag).unwrap();
        assert_eq!(e, ReadEpoch::Current);
        assert_eq!(&frag[pt], b"hello");
        // The same record again is a replay.
        let mut frag = dg[recs[0].1.clone()].to_vec();
        assert_eq!(r.unprotect(&h, &mut frag), Err(DropReason::Replayed));
    }

    #[test]
    fn truncated_record_drops_rest_of_datagram() {
        let mut w = RecordWriter::new(ProtocolVersion::DTLSv1_0);
        let mut dg = Vec::new();
        w.protect(0, ContentType::Handshake, b"one", &mut ZeroRng, &mut dg)
            .unwrap();
        w.protect(0, ContentType::Handshake, b"two", &mut ZeroRng, &mut dg)
            .unwrap();
        dg.pop();
        assert_eq!(records(&dg).count(), 1);
        // A header that is cut short.
        assert_eq!(records(&dg[..5]).count(), 0);
        assert_eq!(records(&[]).count(), 0);
        // A length over the limit ends the datagram even if bytes follow.
        let mut bad = dg[..13].to_vec();
        bad[11] = 0xff;
        bad[12] = 0xff;
        bad.extend_from_slice(&[0u8; 100]);
        assert_eq!(records(&bad).count(), 0);
    }

    #[test]
    fn encrypted_epoch_mac_failure_and_wrong_epoch_are_dropped() {
        let ((cenc, _cdec), (_senc, sdec)) = aes_states();
        let mut w = RecordWriter::new(ProtocolVersion::DTLSv1_0);
        w.next_epoch(cenc).unwrap();
        assert_eq!(w.epoch(), 1);
        let mut r = RecordReader::new();
        r.next_epoch(sdec).unwrap();
        let mut dg = Vec::new();
        w.protect(
            1,
            ContentType::ApplicationData,
            b"secret data",
            &mut ZeroRng,
            &mut dg,
        )
        .unwrap();
        assert_eq!(Some(dg.len()), w.record_len(1, 11));
        let (h, range) = records(&dg).next().unwrap();
        assert_eq!(h.epoch, 1);
        // A flipped bit fails the MAC: dropped, and the window did not move.
        let mut frag = dg[range.clone()].to_vec();
        let last = frag.len() - 1;
        frag[last] ^= 1;
        assert_eq!(r.unprotect(&h, &mut frag), Err(DropReason::BadRecord));
        let mut frag = dg[range.clone()].to_vec();
        let (pt, _) = r.unprotect(&h, &mut frag).unwrap();
        assert_eq!(&frag[pt], b"secret data");
        // The same bytes claiming epoch 2 are dropped without decryption.
        let mut h2 = h;
        h2.epoch = 2;
        let mut frag = dg[range].to_vec();
        assert_eq!(r.unprotect(&h2, &mut frag), Err(DropReason::WrongEpoch));
    }

    #[test]
    fn previous_epoch_only_for_handshake() {
        let ((cenc, _), (_, sdec)) = aes_states();
        let mut w = RecordWriter::new(ProtocolVersion::DTLSv1_0);
        let mut hs = Vec::new();
        w.protect(0, ContentType::Handshake, b"old", &mut ZeroRng, &mut hs)
            .unwrap();
        let mut alert = Vec::new();
        w.protect(0, ContentType::Alert, &[2, 40], &mut ZeroRng, &mut alert)
            .unwrap();
        w.next_epoch(cenc).unwrap();
        // The writer still protects in epoch 0 for retransmissions, with new numbers.
        let mut again = Vec::new();
        w.protect(0, ContentType::Handshake, b"old", &mut ZeroRng, &mut again)
            .unwrap();
        assert_eq!(records(&again).next().unwrap().0.sequence_number, 2);
        assert_eq!(
            w.protect(5, ContentType::Handshake, b"x", &mut ZeroRng, &mut again),
            Err(Error::ArgFail)
        );
        let mut r = RecordReader::new();
        r.next_epoch(sdec).unwrap();
        let (h, range) = records(&hs).next().unwrap();
        let mut frag = hs[range].to_vec();
        assert_eq!(r.unprotect(&h, &mut frag).unwrap().1, ReadEpoch::Previous);
        let (h, range) = records(&alert).next().unwrap();
        let mut frag = alert[range].to_vec();
        assert_eq!(r.unprotect(&h, &mut frag), Err(DropReason::WrongEpoch));
        r.drop_previous();
        let (h, range) = records(&again).next().unwrap();
        let mut frag = again[range].to_vec();
        assert_eq!(r.unprotect(&h, &mut frag), Err(DropReason::WrongEpoch));
    }

    #[test]
    fn max_plaintext_fits_exactly() {
        let ((cenc, _), _) = aes_states();
        let mut w = RecordWriter::new(ProtocolVersion::DTLSv1_0);
        assert_eq!(w.max_plaintext(0, 100), Some(87));
        assert_eq!(w.max_plaintext(0, 12), None);
        w.next_epoch(cenc).unwrap();
        for room in [60usize, 77, 100, 256, 1500] {
            let Some(n) = w.max_plaintext(1, room) else {
                assert!(w.record_len(1, 0).unwrap() > room);
                continue;
            };
            assert!(w.record_len(1, n).unwrap() <= room);
            assert!(n == MAX_PLAINTEXT_LEN || w.record_len(1, n + 1).unwrap() > room);
        }
        let _ = RecordError::BadRecordMac;
    }
}
