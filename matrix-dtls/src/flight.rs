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

use alloc::vec::Vec;

use matrix_core::Error;
use matrix_crypto::random::SecureRandom;
use matrix_ssl::codec::handshake::DtlsHandshakeHeader;
use matrix_ssl::codec::{ContentType, HandshakeType};

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
        let mut dg = Vec::new();
        let mut plain = Vec::new();
        for item in &self.items {
            match item {
                FlightItem::Handshake {
                    epoch,
                    msg_type,
                    message_seq,
                    body,
                } => {
                    let mut offset = 0;
                    loop {
                        let left = body.len() - offset;
                        let room = pmtu.saturating_sub(dg.len());
                        let max = writer
                            .max_plaintext(*epoch, room)
                            .and_then(|n| n.checked_sub(DtlsHandshakeHeader::LEN));
                        let usable = match max {
                            Some(m) if left == 0 => Some(m),
                            Some(m)
                                if m >= left
                                    || (m > 0 && (dg.is_empty() || m >= MIN_TAIL_FRAGMENT)) =>
                            {
                                Some(m)
                            }
                            _ => None,
                        };
                        let Some(m) = usable else {
                            if dg.is_empty() {
                                return Err(Error::LimitFail);
                            }
                            out.push(core::mem::take(&mut dg));
                            continue;
                        };
                        let (h, data) = fragment_at(*msg_type, *message_seq, body, offset, m);
                        plain.clear();
                        encode_fragment(&h, data, &mut plain);
                        writer.protect(*epoch, ContentType::Handshake, &plain, rng, &mut dg)?;
                        offset += data.len();
                        if individually {
                            out.push(core::mem::take(&mut dg));
                        }
                        if offset >= body.len() {
                            break;
                        }
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
                        out.push(core::mem::take(&mut dg));
                    }
                    writer.protect(*epoch, ContentType::ChangeCipherSpec, &[1], rng, &mut dg)?;
                    if individually {
                        out.push(core::mem::take(&mut dg));
                    }
                }
            }
        }
        if !dg.is_empty() {
            out.push(dg);
        }
        Ok(())
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
