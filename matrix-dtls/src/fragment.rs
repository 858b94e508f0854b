//! Handshake message fragmentation and reassembly (RFC 4347 section 4.2.3).
//!
//! Every DTLS handshake message travels as one or more fragments, each with the 12-byte
//! header of section 4.2.2 (type, whole length, message_seq, fragment_offset,
//! fragment_length), sized so that a record holding it fits one datagram. The receiver
//! puts fragments back together whatever their order, duplicates and overlaps
//! ([`Reassembler`]) and hands out whole messages in message_seq order, each once.
//!
//! Memory is bounded whatever the peer sends: a message longer than matrix-ssl's frame
//! limits is refused before anything is allocated, only the next [`ReassemblyLimits::max_ahead`]
//! messages are buffered, and the bodies buffered at once never exceed
//! [`ReassemblyLimits::max_buffered`] bytes (the message the handshake waits for evicts
//! later ones if it must). A fragment that contradicts itself or an earlier one (past the
//! message's end, another total length or type for the same message_seq) is refused with a
//! [`FragmentError`]; the session drops it, or sends decode_error when the record carrying
//! it was authenticated. When two fragments of one message disagree, the partial message
//! is discarded too: in the unauthenticated first epoch either could be forged, and
//! keeping the first would let one forged fragment block the handshake for good.

use alloc::vec;
use alloc::vec::Vec;

use matrix_ssl::codec::framing::FrameLimits;
use matrix_ssl::codec::handshake::DtlsHandshakeHeader;
use matrix_ssl::codec::{Codec, HandshakeType, Reader};

/// The fragment at `offset` of a message: at most `max` body bytes (at least one when any
/// are left, so that fragmentation always progresses).
pub fn fragment_at(
    msg_type: HandshakeType,
    message_seq: u16,
    body: &[u8],
    offset: usize,
    max: usize,
) -> (DtlsHandshakeHeader, &[u8]) {
    let rest = body.get(offset..).unwrap_or_default();
    let take = rest.len().min(max.max(1));
    let data = rest.get(..take).unwrap_or_default();
    // Handshake bodies are below 2^24 (the framer's limits are far below); saturate
    // rather than wrap if a caller ever passes more.
    let u24 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX).min(0xff_ffff);
    (
        DtlsHandshakeHeader {
            msg_type,
            length: u24(body.len()),
            message_seq,
            fragment_offset: u24(offset.min(body.len())),
            fragment_length: u24(take),
        },
        data,
    )
}

/// Cuts a message into fragments of at most `max` body bytes (an empty body is one empty
/// fragment).
pub fn fragments(
    msg_type: HandshakeType,
    message_seq: u16,
    body: &[u8],
    max: usize,
) -> impl Iterator<Item = (DtlsHandshakeHeader, &[u8])> {
    let max = max.max(1);
    let count = body.len().div_ceil(max).max(1);
    (0..count).map(move |i| fragment_at(msg_type, message_seq, body, i * max, max))
}

/// Appends a fragment (header and data) to `out`.
pub fn encode_fragment(header: &DtlsHandshakeHeader, data: &[u8], out: &mut Vec<u8>) {
    header.encode(out);
    out.extend_from_slice(data);
}

/// The fragments in a handshake record's plaintext; `Err(())` (once, then the end) when a
/// header is cut short or announces more data than the record holds.
pub fn parse_fragments(
    plaintext: &[u8],
) -> impl Iterator<Item = Result<(DtlsHandshakeHeader, &[u8]), ()>> {
    let mut r = Reader::new(plaintext);
    let mut failed = false;
    core::iter::from_fn(move || {
        if failed || r.is_empty() {
            return None;
        }
        let parsed = DtlsHandshakeHeader::read(&mut r).and_then(|h| {
            let n = usize::try_from(h.fragment_length).unwrap_or(usize::MAX);
            r.take(n).map(|d| (h, d))
        });
        match parsed {
            Ok(x) => Some(Ok(x)),
            Err(_) => {
                failed = true;
                Some(Err(()))
            }
        }
    })
}

/// Bounds on what a [`Reassembler`] buffers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReassemblyLimits {
    /// The longest message accepted, by type (matrix-ssl's limits: 16 KiB, 64 KiB for
    /// Certificate and CertificateRequest).
    pub frame: FrameLimits,
    /// How many messages beyond the one expected are buffered.
    pub max_ahead: u16,
    /// The most body bytes buffered at once, across all incomplete messages.
    pub max_buffered: usize,
}

impl ReassemblyLimits {
    /// Default for [`ReassemblyLimits::max_ahead`].
    pub const MAX_AHEAD: u16 = 4;
    /// Default for [`ReassemblyLimits::max_buffered`]: one largest Certificate and one
    /// largest other message.
    pub const MAX_BUFFERED: usize =
        FrameLimits::DEFAULT_MAX_CERTIFICATE_LEN + FrameLimits::DEFAULT_MAX_MESSAGE_LEN;
}

impl Default for ReassemblyLimits {
    fn default() -> Self {
        ReassemblyLimits {
            frame: FrameLimits::default(),
            max_ahead: Self::MAX_AHEAD,
            max_buffered: Self::MAX_BUFFERED,
        }
    }
}

/// Why a fragment was refused.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FragmentError {
    /// fragment_offset + fragment_length is past the message's length.
    OutOfBounds,
    /// The message's length or type differs from an earlier fragment of the same
    /// message_seq.
    Inconsistent,
    /// The message is longer than the frame limits allow for its type.
    TooLong,
    /// The message_seq is more than `max_ahead` beyond the one expected (dropped).
    TooFarAhead,
    /// Buffering it would exceed `max_buffered` (dropped).
    OverBudget,
}

impl FragmentError {
    /// Whether the fragment is malformed in itself (a peer that authenticated it is broken:
    /// decode_error), rather than merely unwelcome now.
    pub fn is_malformed(self) -> bool {
        matches!(
            self,
            FragmentError::OutOfBounds | FragmentError::Inconsistent | FragmentError::TooLong
        )
    }
}

/// What [`Reassembler::add`] did with a fragment.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Added {
    /// Stored (possibly completing a message, which [`Reassembler::next_message`] yields).
    Stored,
    /// The message_seq is below the one expected: a retransmission of a message already
    /// delivered (RFC 4347 section 4.2.4: the peer lost our answer).
    Old,
}

/// A whole handshake message out of the reassembler.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    /// Its type.
    pub msg_type: HandshakeType,
    /// Its message_seq.
    pub message_seq: u16,
    /// Its body.
    pub body: Vec<u8>,
}

/// A zeroed body of `length` bytes with room for the 12-byte DTLS handshake header in
/// front, which `HandshakeEngine::handle_message_owned` writes there without a copy.
fn with_header_room(length: usize) -> Vec<u8> {
    let mut body = Vec::with_capacity(length + DtlsHandshakeHeader::LEN);
    body.resize(length, 0);
    body
}

/// A message being put together.
#[derive(Debug)]
struct Partial {
    msg_type: HandshakeType,
    seq: u16,
    body: Vec<u8>,
    /// One bit per body byte received.
    have: Vec<u8>,
    missing: usize,
}

impl Partial {
    fn add(&mut self, offset: usize, data: &[u8]) {
        for (i, b) in data.iter().enumerate() {
            let pos = offset + i;
            let (byte, bit) = (pos / 8, 1u8 << (pos % 8));
            if let (Some(h), Some(slot)) = (self.have.get_mut(byte), self.body.get_mut(pos))
                && *h & bit == 0
            {
                *h |= bit;
                *slot = *b;
                self.missing -= 1;
            }
        }
    }
}

/// Puts handshake messages back together from fragments (RFC 4347 section 4.2.3).
#[derive(Debug)]
pub struct Reassembler {
    limits: ReassemblyLimits,
    next_seq: u16,
    pending: Vec<Partial>,
    buffered: usize,
}

impl Default for Reassembler {
    fn default() -> Self {
        Self::new(ReassemblyLimits::default())
    }
}

impl Reassembler {
    /// An empty reassembler expecting message_seq 0.
    pub fn new(limits: ReassemblyLimits) -> Self {
        Reassembler {
            limits,
            next_seq: 0,
            pending: Vec::new(),
            buffered: 0,
        }
    }

    /// The message_seq expected next.
    pub fn next_seq(&self) -> u16 {
        self.next_seq
    }

    /// Expects `seq` next and forgets everything buffered (a server that answered a
    /// ClientHello statelessly; a new handshake, whose messages count from 0 again).
    pub fn reset(&mut self, seq: u16) {
        self.next_seq = seq;
        self.pending = Vec::new();
        self.buffered = 0;
    }

    /// How many body bytes are buffered now.
    pub fn buffered(&self) -> usize {
        self.buffered
    }

    /// Takes one fragment.
    pub fn add(&mut self, h: &DtlsHandshakeHeader, data: &[u8]) -> Result<Added, FragmentError> {
        if !h.fragment_in_bounds() || usize::try_from(h.fragment_length).ok() != Some(data.len()) {
            return Err(FragmentError::OutOfBounds);
        }
        let length = usize::try_from(h.length).map_err(|_| FragmentError::TooLong)?;
        if length > self.limits.frame.limit_for(h.msg_type) {
            return Err(FragmentError::TooLong);
        }
        if h.message_seq < self.next_seq {
            return Ok(Added::Old);
        }
        if h.message_seq - self.next_seq > self.limits.max_ahead {
            return Err(FragmentError::TooFarAhead);
        }
        let offset = usize::try_from(h.fragment_offset).map_err(|_| FragmentError::OutOfBounds)?;
        if let Some(i) = self.pending.iter().position(|p| p.seq == h.message_seq) {
            let p = &mut self.pending[i];
            if p.msg_type != h.msg_type || p.body.len() != length {
                // Which of the two is genuine cannot be told: keep neither, so that a
                // forged fragment cannot wedge the message (the peer's retransmission
                // brings the genuine fragments again).
                let dropped = self.pending.swap_remove(i);
                self.buffered -= dropped.body.len();
                return Err(FragmentError::Inconsistent);
            }
            p.add(offset, data);
            return Ok(Added::Stored);
        }
        self.make_room(length, h.message_seq)?;
        let mut p = Partial {
            msg_type: h.msg_type,
            seq: h.message_seq,
            body: with_header_room(length),
            have: vec![0; length.div_ceil(8)],
            missing: length,
        };
        p.add(offset, data);
        self.buffered += length;
        self.pending.push(p);
        Ok(Added::Stored)
    }

    /// Frees room for `length` more bytes of message `seq`: the expected message evicts
    /// later ones (highest first); any other is refused when the budget is spent.
    fn make_room(&mut self, length: usize, seq: u16) -> Result<(), FragmentError> {
        if length > self.limits.max_buffered {
            return Err(FragmentError::OverBudget);
        }
        while self.buffered + length > self.limits.max_buffered {
            if seq != self.next_seq {
                return Err(FragmentError::OverBudget);
            }
            let Some((i, _)) = self.pending.iter().enumerate().max_by_key(|(_, p)| p.seq) else {
                return Err(FragmentError::OverBudget);
            };
            let evicted = self.pending.swap_remove(i);
            self.buffered -= evicted.body.len();
        }
        Ok(())
    }

    /// The next message in message_seq order, if it is complete.
    pub fn next_message(&mut self) -> Option<Message> {
        let i = self
            .pending
            .iter()
            .position(|p| p.seq == self.next_seq && p.missing == 0)?;
        let p = self.pending.swap_remove(i);
        if self.pending.is_empty() {
            // Nothing partial is left: the list's buffer goes too.
            self.pending = Vec::new();
        }
        self.buffered -= p.body.len();
        self.next_seq = self.next_seq.wrapping_add(1);
        Some(Message {
            msg_type: p.msg_type,
            message_seq: p.seq,
            body: p.body,
        })
    }
}

impl Reassembler {
    /// The heap bytes of the messages being put together (memory accounting).
    pub fn heap_bytes(&self) -> usize {
        self.pending.capacity() * core::mem::size_of::<Partial>()
            + self
                .pending
                .iter()
                .map(|p| p.body.capacity() + p.have.capacity())
                .sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 + 3) as u8).collect()
    }

    fn cut(body: &[u8], seq: u16, max: usize) -> Vec<(DtlsHandshakeHeader, Vec<u8>)> {
        fragments(HandshakeType::Certificate, seq, body, max)
            .map(|(h, d)| (h, d.to_vec()))
            .collect()
    }

    #[test]
    fn fragments_cover_the_body() {
        let body = msg(1000);
        let f = cut(&body, 3, 300);
        assert_eq!(f.len(), 4);
        assert_eq!(f[3].0.fragment_offset, 900);
        assert_eq!(f[3].0.fragment_length, 100);
        assert!(
            f.iter()
                .all(|(h, _)| h.length == 1000 && h.message_seq == 3)
        );
        let joined: Vec<u8> = f.iter().flat_map(|(_, d)| d.clone()).collect();
        assert_eq!(joined, body);
        let empty = cut(&[], 0, 10);
        assert_eq!(empty.len(), 1);
        assert_eq!(empty[0].0.fragment_length, 0);
    }

    #[test]
    fn encoded_fragments_parse_back() {
        let body = msg(50);
        let mut rec = Vec::new();
        for (h, d) in fragments(HandshakeType::ClientHello, 0, &body, 20) {
            encode_fragment(&h, d, &mut rec);
        }
        let parsed: Vec<_> = parse_fragments(&rec).collect();
        assert_eq!(parsed.len(), 3);
        assert!(parsed.iter().all(|p| p.is_ok()));
        // Cut short: the good ones, then one error, then nothing.
        let parsed: Vec<_> = parse_fragments(&rec[..rec.len() - 1]).collect();
        assert_eq!(parsed.len(), 3);
        assert!(parsed[2].is_err());
    }

    #[test]
    fn any_order_with_duplicates_and_overlaps() {
        let body = msg(1000);
        let mut frags = cut(&body, 0, 128);
        frags.reverse();
        // Overlapping fragments at odd offsets, and duplicates.
        let (h, _) = fragment_at(HandshakeType::Certificate, 0, &body, 100, 300);
        frags.insert(2, (h, body[100..400].to_vec()));
        frags.push(frags[0].clone());
        let mut r = Reassembler::default();
        for (i, (h, d)) in frags.iter().enumerate() {
            assert_eq!(r.add(h, d), Ok(Added::Stored));
            if i + 2 < frags.len() {
                assert_eq!(r.next_message(), None, "complete too early at {i}");
            }
        }
        let m = r.next_message().unwrap();
        assert_eq!(m.body, body);
        assert_eq!(m.message_seq, 0);
        assert_eq!(r.next_message(), None);
        assert_eq!(r.buffered(), 0);
        // Delivered once: the same fragments now are retransmissions.
        assert_eq!(r.add(&frags[0].0, &frags[0].1), Ok(Added::Old));
        assert_eq!(r.next_message(), None);
    }

    #[test]
    fn messages_come_out_in_sequence() {
        let mut r = Reassembler::default();
        let a = cut(&msg(10), 0, 100);
        let b = cut(&msg(20), 1, 100);
        let c = cut(&[], 2, 100);
        assert_eq!(r.add(&c[0].0, &c[0].1), Ok(Added::Stored));
        assert_eq!(r.add(&b[0].0, &b[0].1), Ok(Added::Stored));
        assert_eq!(r.next_message(), None);
        assert_eq!(r.add(&a[0].0, &a[0].1), Ok(Added::Stored));
        let seqs: Vec<u16> = core::iter::from_fn(|| r.next_message())
            .map(|m| m.message_seq)
            .collect();
        assert_eq!(seqs, [0, 1, 2]);
        assert_eq!(r.next_seq(), 3);
    }

    #[test]
    fn inconsistent_fragments_refused() {
        let mut r = Reassembler::default();
        let body = msg(100);
        let f = cut(&body, 0, 40);
        r.add(&f[0].0, &f[0].1).unwrap();
        // Another total length for the same message: refused, and the partial message
        // with it (either could be the forged one).
        let mut h = f[1].0;
        h.length = 120;
        assert_eq!(r.add(&h, &f[1].1), Err(FragmentError::Inconsistent));
        assert_eq!(r.buffered(), 0);
        // Another type.
        r.add(&f[0].0, &f[0].1).unwrap();
        let mut h = f[1].0;
        h.msg_type = HandshakeType::Finished;
        assert_eq!(r.add(&h, &f[1].1), Err(FragmentError::Inconsistent));
        assert!(FragmentError::Inconsistent.is_malformed());
        // Past the end.
        let mut h = f[2].0;
        h.fragment_offset = 90;
        assert_eq!(r.add(&h, &f[2].1), Err(FragmentError::OutOfBounds));
        assert!(FragmentError::OutOfBounds.is_malformed());
        // fragment_length disagreeing with the data given.
        assert_eq!(
            r.add(&f[2].0, &f[2].1[1..]),
            Err(FragmentError::OutOfBounds)
        );
        assert_eq!(r.next_message(), None);
        // The genuine fragments, sent again, complete the message.
        for (h, d) in &f {
            r.add(h, d).unwrap();
        }
        assert_eq!(r.next_message().unwrap().body, body);
    }

    #[test]
    fn memory_is_bounded() {
        let mut r = Reassembler::default();
        // Too long for its type: nothing allocated.
        let h = DtlsHandshakeHeader {
            msg_type: HandshakeType::ClientKeyExchange,
            length: 0xff_ffff,
            message_seq: 0,
            fragment_offset: 0,
            fragment_length: 1,
        };
        assert_eq!(r.add(&h, &[0]), Err(FragmentError::TooLong));
        assert_eq!(r.buffered(), 0);
        // Too far ahead.
        let h = DtlsHandshakeHeader {
            msg_type: HandshakeType::Finished,
            length: 1,
            message_seq: 5,
            fragment_offset: 0,
            fragment_length: 1,
        };
        assert_eq!(r.add(&h, &[0]), Err(FragmentError::TooFarAhead));
        // Four future Certificates of 64 KiB each: the budget stops the second.
        let mut refused = 0;
        for seq in 1..=4 {
            let h = DtlsHandshakeHeader {
                msg_type: HandshakeType::Certificate,
                length: 64 * 1024,
                message_seq: seq,
                fragment_offset: 0,
                fragment_length: 1,
            };
            if r.add(&h, &[0]) == Err(FragmentError::OverBudget) {
                refused += 1;
            }
            assert!(r.buffered() <= ReassemblyLimits::MAX_BUFFERED);
        }
        assert_eq!(refused, 3);
        // The expected message still gets in, evicting the future one.
        let h = DtlsHandshakeHeader {
            msg_type: HandshakeType::Certificate,
            length: 64 * 1024,
            message_seq: 0,
            fragment_offset: 0,
            fragment_length: 1,
        };
        assert_eq!(r.add(&h, &[0]), Ok(Added::Stored));
        assert!(r.buffered() <= ReassemblyLimits::MAX_BUFFERED);
    }

    #[test]
    fn reset_expects_a_new_sequence() {
        let mut r = Reassembler::default();
        let f = cut(&msg(10), 1, 100);
        r.reset(1);
        r.add(&f[0].0, &f[0].1).unwrap();
        assert_eq!(r.next_message().unwrap().message_seq, 1);
        r.reset(0);
        assert_eq!(r.next_seq(), 0);
        assert_eq!(r.buffered(), 0);
    }
}
