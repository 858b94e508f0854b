//! The DTLS reassembler target (`dtls_reassembler`): arbitrary handshake fragments (RFC
//! 4347 section 4.2.3) into matrix-dtls's `fragment::Reassembler` with limits the input
//! chooses, checking after every step that
//!
//! - nothing panics, and the buffered bytes never pass `max_buffered` (bounded memory);
//! - every message it yields is the one expected (message_seq in order, no gaps, no
//!   repeats), has the type and length its fragments declared (within the frame limit of
//!   its type), and every body byte is a byte an accepted fragment of that message put at
//!   that position;
//! - each verdict fits the state: `Old` only below the expected message_seq,
//!   `TooFarAhead` only beyond the window.
//!
//! Fragments are either honest (their bytes a function of message and position, so that
//! overlapping fragments agree) or carry input bytes (overlaps may disagree: the yielded
//! byte must still come from one of them).

use matrix_dtls::fragment::{Added, FragmentError, Reassembler, ReassemblyLimits};
use matrix_ssl::codec::HandshakeType;
use matrix_ssl::codec::handshake::DtlsHandshakeHeader;

use crate::Digest;

/// Reads the input front to back; zeros once it is used up.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }

    fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.u8(), self.u8()])
    }

    fn bytes(&mut self, n: usize) -> &[u8] {
        let (now, rest) = self.0.split_at(n.min(self.0.len()));
        self.0 = rest;
        now
    }
}

/// An accepted fragment, remembered to check what the reassembler yields.
struct Accepted {
    msg_type: u8,
    length: usize,
    seq: u16,
    offset: usize,
    data: Vec<u8>,
}

/// The honest byte at `pos` of message `seq`.
fn honest(seq: u16, pos: usize) -> u8 {
    (pos as u8).wrapping_mul(31) ^ (seq as u8).wrapping_add(7)
}

/// The limits: the defaults, or a small budget and window so that the input reaches them.
fn limits(choice: u8) -> ReassemblyLimits {
    let mut l = ReassemblyLimits::default();
    if choice & 1 == 1 {
        l.max_buffered = 64 + 64 * usize::from(choice >> 4);
        l.max_ahead = u16::from((choice >> 1) & 7);
    }
    l
}

/// The header of the next fragment, and its data.
fn fragment(inp: &mut Input<'_>, next_seq: u16) -> (DtlsHandshakeHeader, Vec<u8>) {
    let flags = inp.u8();
    let msg_type = HandshakeType::from(inp.u8() % 24);
    // Mostly short messages; sometimes anything a u24 holds (past every frame limit).
    let length = if flags & 1 == 1 {
        u32::from(inp.u16()) << 8 | u32::from(inp.u8())
    } else {
        u32::from(inp.u16() % 512)
    };
    // Mostly near the expected message_seq; sometimes anywhere.
    let message_seq = if flags & 2 == 2 {
        inp.u16()
    } else {
        next_seq
            .wrapping_add(u16::from(inp.u8() % 8))
            .wrapping_sub(2)
    };
    let (raw_off, raw_len) = (u32::from(inp.u16()), u32::from(inp.u16()));
    // Mostly within the message; sometimes out of bounds.
    let (fragment_offset, fragment_length) = if flags & 4 == 4 {
        (raw_off, raw_len)
    } else {
        let off = raw_off % (length + 1);
        (off, raw_len % (length - off + 1))
    };
    let n = fragment_length as usize;
    let data: Vec<u8> = if flags & 8 == 8 {
        inp.bytes(n).to_vec()
    } else {
        (0..n)
            .map(|i| honest(message_seq, fragment_offset as usize + i))
            .collect()
    };
    let h = DtlsHandshakeHeader {
        msg_type,
        length,
        message_seq,
        fragment_offset,
        fragment_length,
    };
    (h, data)
}

/// Checks a yielded message against the fragments accepted for it.
fn check_message(m: &matrix_dtls::fragment::Message, accepted: &[Accepted], expected: u16) {
    assert_eq!(m.message_seq, expected, "messages out of order");
    let mine: Vec<&Accepted> = accepted
        .iter()
        .filter(|a| {
            a.seq == m.message_seq && a.msg_type == m.msg_type.get() && a.length == m.body.len()
        })
        .collect();
    assert!(
        !mine.is_empty(),
        "a message no accepted fragment declared: seq {} type {:?} length {}",
        m.message_seq,
        m.msg_type,
        m.body.len()
    );
    for (pos, b) in m.body.iter().enumerate() {
        let from_a_fragment = mine.iter().any(|a| {
            pos.checked_sub(a.offset)
                .and_then(|i| a.data.get(i))
                .is_some_and(|v| v == b)
        });
        assert!(
            from_a_fragment,
            "body byte {pos} of message {} came from no fragment",
            m.message_seq
        );
    }
}

/// A number per verdict, for the digest.
fn verdict_code(v: Result<Added, FragmentError>) -> u64 {
    match v {
        Ok(Added::Stored) => 2,
        Ok(Added::Old) => 3,
        Err(FragmentError::OutOfBounds) => 4,
        Err(FragmentError::Inconsistent) => 5,
        Err(FragmentError::TooLong) => 6,
        Err(FragmentError::TooFarAhead) => 7,
        Err(FragmentError::OverBudget) => 8,
        _ => 9,
    }
}

/// The `dtls_reassembler` harness.
pub fn dtls_reassembler(data: &[u8]) -> u64 {
    let mut d = Digest::new();
    let mut inp = Input(data);
    let limits = limits(inp.u8());
    let mut r = Reassembler::new(limits);
    let mut accepted: Vec<Accepted> = Vec::new();
    // Every step consumes input, so the loop ends; the step count bounds it anyway.
    for _ in 0..4096 {
        if inp.0.is_empty() {
            break;
        }
        let next = r.next_seq();
        if inp.0.first().is_some_and(|op| op % 16 == 0) {
            inp.u8();
            let seq = inp.u16() % 8;
            r.reset(seq);
            accepted.clear();
            assert_eq!((r.next_seq(), r.buffered()), (seq, 0));
            d.add(1);
            continue;
        }
        let (h, body) = fragment(&mut inp, next);
        let verdict = r.add(&h, &body);
        match verdict {
            Ok(Added::Stored) => {
                accepted.push(Accepted {
                    msg_type: h.msg_type.get(),
                    length: h.length as usize,
                    seq: h.message_seq,
                    offset: h.fragment_offset as usize,
                    data: body,
                });
                assert!(h.length as usize <= limits.frame.limit_for(h.msg_type));
            }
            Ok(Added::Old) => assert!(h.message_seq < next, "Old for a new message"),
            Err(FragmentError::TooFarAhead) => {
                assert!(h.message_seq.wrapping_sub(next) > limits.max_ahead);
            }
            _ => {}
        }
        d.add(verdict_code(verdict));
        assert!(
            r.buffered() <= limits.max_buffered,
            "over the memory budget"
        );
        let mut expected = next;
        while let Some(m) = r.next_message() {
            check_message(&m, &accepted, expected);
            expected = expected.wrapping_add(1);
            assert_eq!(r.next_seq(), expected);
            d.add(u64::from(m.msg_type.get()) << 32 | m.body.len() as u64);
        }
    }
    d.0
}
