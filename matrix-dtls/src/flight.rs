//! The current outgoing flight (RFC 4347 section 4.2.4): the handshake messages and the
//! ChangeCipherSpec we last sent, kept as messages (not as bytes) so that a
//! retransmission is built afresh.
//!
//! A rebuilt flight is fragmented again for the current PMTU (which may have shrunk) and
//! every record is protected again in the epoch its message had the first time, with the
//! next sequence number of that epoch: section 4.2.4 forbids reusing record sequence
//! numbers, and the replay window of the peer would drop the old ones. Records are packed
//! into as few datagrams as the PMTU allows, or one record per datagram when the caller
//! asks (`DTLS_SEND_RECORDS_INDIVIDUALLY`).
//!
//! Memory: the datagrams are built one at a time ([`Flight::next_datagram`]), and a
//! Certificate message listing exactly the chain of the session's [`Keys`] is kept as a
//! reference to those keys ([`FlightItem::Certificate`]), not as a copy: its bytes are
//! read from the keys, which the session shares anyway, whenever it is (re)sent.

use alloc::sync::Arc;
use alloc::vec::Vec;

use matrix_core::Error;
use matrix_crypto::random::SecureRandom;
use matrix_ssl::Keys;
use matrix_ssl::codec::handshake::DtlsHandshakeHeader;
use matrix_ssl::codec::{Codec, ContentType, HandshakeType};

use crate::fragment::{encode_fragment, fragment_at};
use crate::record::RecordWriter;

/// A fragment smaller than this is not started at the end of a nearly full datagram: the
/// message goes to the next datagram instead of being cut into slivers.
const MIN_TAIL_FRAGMENT: usize = 64;

/// One element of a flight.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FlightItem {
    /// A handshake message, sent in `epoch`.
    Handshake {
        /// The write epoch the message was first sent in.
        epoch: u16,
        /// Its type.
        msg_type: HandshakeType,
        /// Its message_seq.
        message_seq: u16,
        /// Its body (without any header).
        body: Vec<u8>,
    },
    /// A ChangeCipherSpec, sent in `epoch` (the epoch it ends).
    ChangeCipherSpec {
        /// The write epoch before the change.
        epoch: u16,
    },
    /// A Certificate message whose certificate_list is the chain `keys` holds (RFC 5246
    /// section 7.4.2), sent in `epoch`: its body is read from the keys when sent.
    Certificate {
        /// The write epoch the message was first sent in.
        epoch: u16,
        /// Its message_seq.
        message_seq: u16,
        /// The keys whose chain it lists.
        keys: SharedKeys,
        /// The EC identity's chain (else the RSA one's).
        ec: bool,
        /// The body's length.
        len: usize,
    },
}

/// The keys a kept Certificate message reads its chain from; two are equal when they are
/// the same keys.
#[derive(Clone)]
pub struct SharedKeys(pub Arc<Keys>);

impl PartialEq for SharedKeys {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for SharedKeys {}

impl core::fmt::Debug for SharedKeys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("SharedKeys")
    }
}

/// The pieces a Certificate body listing `chain` is made of, in order: the 3-byte length
/// of the list, then each certificate's 3-byte length and DER (the encoding of
/// `matrix_ssl::codec::handshake::Certificate`).
fn certificate_pieces<'a>(chain: &'a [&'a [u8]]) -> impl Iterator<Item = Piece<'a>> + 'a {
    let list: usize = chain.iter().map(|c| 3 + c.len()).sum();
    core::iter::once(Piece::Len(list)).chain(
        chain
            .iter()
            .flat_map(|c| [Piece::Len(c.len()), Piece::Bytes(c)]),
    )
}

/// A piece of an encoded Certificate body.
#[derive(Clone, Copy)]
enum Piece<'a> {
    /// A 3-byte length.
    Len(usize),
    /// Bytes as they are.
    Bytes(&'a [u8]),
}

impl Piece<'_> {
    fn len(&self) -> usize {
        match self {
            Piece::Len(_) => 3,
            Piece::Bytes(b) => b.len(),
        }
    }

    /// The piece's bytes from `from` on (at most 3 for a length, on the stack).
    fn with_bytes<R>(&self, from: usize, f: impl FnOnce(&[u8]) -> R) -> R {
        match self {
            Piece::Len(n) => {
                let n = u32::try_from(*n).unwrap_or(u32::MAX).min(0xff_ffff);
                let b = n.to_be_bytes();
                f(b.get(1 + from.min(3)..).unwrap_or_default())
            }
            Piece::Bytes(b) => f(b.get(from..).unwrap_or_default()),
        }
    }
}

/// Whether `body` is exactly a Certificate body listing `chain`; compared piece by piece,
/// without building it.
fn is_certificate_of(body: &[u8], chain: &[&[u8]]) -> bool {
    let mut rest = body;
    for p in certificate_pieces(chain) {
        let n = p.len();
        let Some((head, tail)) = (rest.len() >= n).then(|| rest.split_at(n)) else {
            return false;
        };
        if !p.with_bytes(0, |b| b == head) {
            return false;
        }
        rest = tail;
    }
    rest.is_empty()
}

/// Appends bytes `offset..offset + take` of the Certificate body listing `chain` to `out`.
fn copy_certificate_range(chain: &[&[u8]], offset: usize, take: usize, out: &mut Vec<u8>) {
    let (mut at, end) = (0usize, offset + take);
    for p in certificate_pieces(chain) {
        let n = p.len();
        if at + n > offset && at < end {
            let from = offset.saturating_sub(at);
            let upto = (end - at).min(n) - from;
            p.with_bytes(from, |b| {
                out.extend_from_slice(b.get(..upto).unwrap_or_default())
            });
        }
        at += n;
        if at >= end {
            break;
        }
    }
}

/// The flight we last sent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Flight {
    items: Vec<FlightItem>,
}

impl Flight {
    /// An empty flight.
    pub fn new() -> Self {
        Flight::default()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Forgets the flight (the peer's answer proved it arrived).
    pub fn clear(&mut self) {
        // Freed, not kept for the next flight: an idle session holds no flight.
        self.items = Vec::new();
    }

    /// Makes room for `n` more elements exactly (a flight's size is known when it is
    /// built; the list's doubling would hold room for elements that never come).
    pub fn reserve_exact(&mut self, n: usize) {
        self.items.reserve_exact(n);
    }

    /// The heap bytes of the kept messages (memory accounting).
    pub fn heap_bytes(&self) -> usize {
        self.items.capacity() * core::mem::size_of::<FlightItem>()
            + self
                .items
                .iter()
                .map(|i| match i {
                    FlightItem::Handshake { body, .. } => body.capacity(),
                    // The keys are the session's anyway.
                    _ => 0,
                })
                .sum::<usize>()
    }

    /// The elements, in order.
    pub fn items(&self) -> &[FlightItem] {
        &self.items
    }

    /// Appends a handshake message sent in `epoch`.
    pub fn push_message(
        &mut self,
        epoch: u16,
        msg_type: HandshakeType,
        message_seq: u16,
        body: Vec<u8>,
    ) {
        self.items.push(FlightItem::Handshake {
            epoch,
            msg_type,
            message_seq,
            body,
        });
    }

    /// Appends a Certificate message sent in `epoch`: as a reference to `keys` when `body`
    /// lists exactly one of their chains (the body is then freed), else as `body`.
    pub fn push_certificate(
        &mut self,
        epoch: u16,
        message_seq: u16,
        body: Vec<u8>,
        keys: Option<&Arc<Keys>>,
    ) {
        let named = keys.and_then(|k| {
            [false, true].into_iter().find_map(|ec| {
                let chain = k.certificate_list_der(ec)?;
                is_certificate_of(&body, &chain).then_some((k, ec))
            })
        });
        match named {
            Some((k, ec)) => self.items.push(FlightItem::Certificate {
                epoch,
                message_seq,
                keys: SharedKeys(Arc::clone(k)),
                ec,
                len: body.len(),
            }),
            None => self.push_message(epoch, HandshakeType::Certificate, message_seq, body),
        }
    }

    /// Appends a ChangeCipherSpec sent in `epoch`.
    pub fn push_ccs(&mut self, epoch: u16) {
        self.items.push(FlightItem::ChangeCipherSpec { epoch });
    }

    /// Protects the whole flight into datagrams of at most `pmtu` bytes, appended to `out`.
    ///
    /// With `individually` every record gets a datagram of its own. `PS_LIMIT_FAIL` when
    /// `pmtu` cannot hold even one record with one byte of a message, and the writer's
    /// errors (an epoch it no longer has, exhausted sequence numbers).
    pub fn build(
        &self,
        writer: &mut RecordWriter,
        pmtu: usize,
        individually: bool,
        rng: &mut dyn SecureRandom,
        out: &mut Vec<Vec<u8>>,
    ) -> Result<(), Error> {
        let mut at = Cursor::default();
        while let Some(dg) = self.next_datagram(&mut at, writer, pmtu, individually, rng)? {
            out.push(dg);
        }
        Ok(())
    }

    /// Whether `at` is past the flight's last record (every datagram was built).
    pub fn is_done(&self, at: &Cursor) -> bool {
        at.item >= self.items.len()
    }

    /// Protects the flight's next datagram (of at most `pmtu` bytes) from `at` on and
    /// moves `at` past it; `None` once the whole flight was built. Building the datagrams
    /// one at a time, when the previous one was sent, keeps one datagram of the flight in
    /// memory beside the messages instead of an encoded copy of the whole flight.
    ///
    /// Errors as [`Flight::build`].
    pub fn next_datagram(
        &self,
        at: &mut Cursor,
        writer: &mut RecordWriter,
        pmtu: usize,
        individually: bool,
        rng: &mut dyn SecureRandom,
    ) -> Result<Option<Vec<u8>>, Error> {
        let mut dg = Vec::new();
        let mut plain = Vec::new();
        while let Some(item) = self.items.get(at.item) {
            match item {
                FlightItem::Handshake {
                    epoch,
                    msg_type,
                    message_seq,
                    body,
                } => {
                    let msg = Message {
                        epoch: *epoch,
                        msg_type: *msg_type,
                        message_seq: *message_seq,
                        len: body.len(),
                        body: Body::Bytes(body),
                    };
                    if !msg.next_fragment(at, writer, pmtu, rng, &mut dg, &mut plain)? {
                        return Ok(Some(dg));
                    }
                }
                FlightItem::Certificate {
                    epoch,
                    message_seq,
                    keys,
                    ec,
                    len,
                } => {
                    let chain = keys.0.certificate_list_der(*ec).ok_or(Error::Failure)?;
                    let msg = Message {
                        epoch: *epoch,
                        msg_type: HandshakeType::Certificate,
                        message_seq: *message_seq,
                        len: *len,
                        body: Body::Chain(&chain),
                    };
                    if !msg.next_fragment(at, writer, pmtu, rng, &mut dg, &mut plain)? {
                        return Ok(Some(dg));
                    }
                }
                FlightItem::ChangeCipherSpec { epoch } => {
                    let fits = writer
                        .record_len(*epoch, 1)
                        .is_some_and(|n| n <= pmtu.saturating_sub(dg.len()));
                    if !fits {
                        if dg.is_empty() {
                            return Err(Error::LimitFail);
                        }
                        return Ok(Some(dg));
                    }
                    writer.protect(*epoch, ContentType::ChangeCipherSpec, &[1], rng, &mut dg)?;
                    at.next_item();
                }
            }
            if individually {
                return Ok(Some(dg));
            }
        }
        Ok((!dg.is_empty()).then_some(dg))
    }
}

/// A handshake message's body: its bytes, or the chain a Certificate body lists.
enum Body<'a> {
    Bytes(&'a [u8]),
    Chain(&'a [&'a [u8]]),
}

/// One handshake message of a flight, being fragmented.
struct Message<'a> {
    epoch: u16,
    msg_type: HandshakeType,
    message_seq: u16,
    len: usize,
    body: Body<'a>,
}

impl Message<'_> {
    /// Protects the fragment at `at` into `dg` if it fits (moving `at` on); `Ok(false)`
    /// when `dg` is full and must be sent first. `PS_LIMIT_FAIL` when not even an empty
    /// datagram holds a record with a byte of the message.
    fn next_fragment(
        &self,
        at: &mut Cursor,
        writer: &mut RecordWriter,
        pmtu: usize,
        rng: &mut dyn SecureRandom,
        dg: &mut Vec<u8>,
        plain: &mut Vec<u8>,
    ) -> Result<bool, Error> {
        let left = self.len.saturating_sub(at.offset);
        let room = pmtu.saturating_sub(dg.len());
        let max = writer
            .max_plaintext(self.epoch, room)
            .and_then(|n| n.checked_sub(DtlsHandshakeHeader::LEN));
        let usable = match max {
            Some(m) if left == 0 => Some(m),
            Some(m) if m >= left || (m > 0 && (dg.is_empty() || m >= MIN_TAIL_FRAGMENT)) => Some(m),
            _ => None,
        };
        let Some(m) = usable else {
            return if dg.is_empty() {
                Err(Error::LimitFail)
            } else {
                Ok(false)
            };
        };
        plain.clear();
        let taken = match self.body {
            Body::Bytes(body) => {
                let (h, data) = fragment_at(self.msg_type, self.message_seq, body, at.offset, m);
                encode_fragment(&h, data, plain);
                data.len()
            }
            Body::Chain(chain) => {
                let take = left.min(m.max(1));
                let u24 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX).min(0xff_ffff);
                DtlsHandshakeHeader {
                    msg_type: self.msg_type,
                    length: u24(self.len),
                    message_seq: self.message_seq,
                    fragment_offset: u24(at.offset.min(self.len)),
                    fragment_length: u24(take),
                }
                .encode(plain);
                copy_certificate_range(chain, at.offset, take, plain);
                take
            }
        };
        writer.protect(self.epoch, ContentType::Handshake, plain, rng, dg)?;
        at.offset += taken;
        if at.offset >= self.len {
            at.next_item();
        }
        Ok(true)
    }
}

/// Where the next datagram of a [`Flight`] starts: a message and an offset in its body.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cursor {
    item: usize,
    offset: usize,
}

impl Cursor {
    fn next_item(&mut self) {
        self.item += 1;
        self.offset = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fragment::{Reassembler, parse_fragments};
    use crate::record::tests::{ZeroRng, aes_states};
    use crate::record::{RecordReader, records};
    use matrix_ssl::codec::ProtocolVersion;

    fn sample() -> (Flight, Vec<u8>) {
        let cert: Vec<u8> = (0..1500u32).map(|i| (i % 251) as u8).collect();
        let mut f = Flight::new();
        f.push_message(0, HandshakeType::ServerHello, 1, alloc::vec![1; 70]);
        f.push_message(0, HandshakeType::Certificate, 2, cert.clone());
        f.push_message(0, HandshakeType::ServerHelloDone, 3, Vec::new());
        (f, cert)
    }

    /// Reads every datagram back and returns the messages and CCS count.
    fn read_back(dgs: &[Vec<u8>], reader: &mut RecordReader, r: &mut Reassembler) -> usize {
        let mut ccs = 0;
        for dg in dgs {
            for (h, range) in records(dg) {
                let mut frag = dg[range].to_vec();
                let (pt, _) = reader.unprotect(&h, &mut frag).unwrap();
                match h.content_type {
                    ContentType::Handshake => {
                        for f in parse_fragments(&frag[pt]) {
                            let (fh, d) = f.unwrap();
                            r.add(&fh, d).unwrap();
                        }
                    }
                    ContentType::ChangeCipherSpec => ccs += 1,
                    other => panic!("unexpected {other:?}"),
                }
            }
        }
        ccs
    }

    #[test]
    fn flight_fits_pmtu_and_reassembles() {
        let (f, cert) = sample();
        for (pmtu, individually) in [(256, false), (256, true), (1500, false), (100, false)] {
            let mut w = RecordWriter::new(ProtocolVersion::DTLSv1_0);
            let mut out = Vec::new();
            f.build(&mut w, pmtu, individually, &mut ZeroRng, &mut out)
                .unwrap();
            assert!(out.iter().all(|d| d.len() <= pmtu && !d.is_empty()));
            if individually {
                assert!(out.iter().all(|d| records(d).count() == 1));
            }
            if pmtu == 1500 {
                assert_eq!(out.len(), 2, "1500 bytes hold all but the tail");
            }
            let mut reader = RecordReader::new();
            let mut r = Reassembler::default();
            r.reset(1);
            read_back(&out, &mut reader, &mut r);
            let msgs: Vec<_> = core::iter::from_fn(|| r.next_message()).collect();
            assert_eq!(msgs.len(), 3, "pmtu {pmtu}");
            assert_eq!(msgs[1].body, cert);
            assert!(msgs[2].body.is_empty());
        }
    }

    #[test]
    fn rebuild_uses_new_sequence_numbers_and_old_epochs() {
        let ((cenc, _), (_, sdec)) = aes_states();
        let mut f = Flight::new();
        f.push_message(0, HandshakeType::ClientKeyExchange, 2, alloc::vec![7; 130]);
        f.push_ccs(0);
        f.push_message(1, HandshakeType::Finished, 3, alloc::vec![8; 12]);
        let mut w = RecordWriter::new(ProtocolVersion::DTLSv1_0);
        w.next_epoch(cenc).unwrap();
        let mut first = Vec::new();
        f.build(&mut w, 1500, false, &mut ZeroRng, &mut first)
            .unwrap();
        let mut again = Vec::new();
        f.build(&mut w, 1500, false, &mut ZeroRng, &mut again)
            .unwrap();
        let hdrs = |d: &Vec<Vec<u8>>| -> Vec<(u16, u64)> {
            d.iter()
                .flat_map(|dg| records(dg).map(|(h, _)| (h.epoch, h.sequence_number)))
                .collect()
        };
        assert_eq!(hdrs(&first), [(0, 0), (0, 1), (1, 0)]);
        assert_eq!(hdrs(&again), [(0, 2), (0, 3), (1, 1)]);
        // The receiver (which moved to epoch 1 after the CCS) takes both copies' records
        // of epoch 1 once each.
        let mut reader = RecordReader::new();
        let mut r = Reassembler::default();
        r.reset(2);
        let dg = &first[0];
        let mut it = records(dg);
        for _ in 0..2 {
            let (h, range) = it.next().unwrap();
            let mut frag = dg[range].to_vec();
            reader.unprotect(&h, &mut frag).unwrap();
        }
        reader.next_epoch(sdec).unwrap();
        let (h, range) = it.next().unwrap();
        let mut frag = dg[range].to_vec();
        let (pt, _) = reader.unprotect(&h, &mut frag).unwrap();
        let (fh, d) = parse_fragments(&frag[pt]).next().unwrap().unwrap();
        assert_eq!(fh.msg_type, HandshakeType::Finished);
        assert_eq!(d, &[8; 12]);
    }

    #[test]
    fn a_certificate_body_is_recognised_and_rebuilt_from_its_chain() {
        use matrix_ssl::codec::Codec;
        use matrix_ssl::codec::handshake::Certificate;
        let (a, b): (Vec<u8>, Vec<u8>) =
            ((0..700u32).map(|i| i as u8).collect(), alloc::vec![9; 300]);
        let chain: [&[u8]; 2] = [&a, &b];
        let body = Certificate {
            certificate_list: alloc::vec![a.clone(), b.clone()],
        }
        .get_encoding();
        assert!(is_certificate_of(&body, &chain));
        assert!(!is_certificate_of(&body, &chain[..1]));
        assert!(!is_certificate_of(&body[..body.len() - 1], &chain));
        let mut other = body.clone();
        other[500] ^= 1;
        assert!(!is_certificate_of(&other, &chain));
        for offset in (0..body.len())
            .step_by(7)
            .chain([0, 1, 2, 3, 4, 5, 6, 703, 704])
        {
            for take in [0, 1, 2, 3, 5, 64, 699, 2000] {
                let take = take.min(body.len() - offset);
                let mut out = Vec::new();
                copy_certificate_range(&chain, offset, take, &mut out);
                assert_eq!(out, &body[offset..offset + take], "{offset} {take}");
            }
        }
    }

    #[test]
    fn pmtu_too_small_is_an_error() {
        let (f, _) = sample();
        let mut w = RecordWriter::new(ProtocolVersion::DTLSv1_0);
        let mut out = Vec::new();
        assert_eq!(
            f.build(&mut w, 25, false, &mut ZeroRng, &mut out),
            Err(Error::LimitFail)
        );
        assert!(Flight::new().is_empty());
    }
}
