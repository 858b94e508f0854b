//! Cuts complete handshake messages (RFC 2246 section 7.4: a 4-byte header and its body)
//! out of the handshake bytes a session has buffered, which may hold several messages from
//! one record or a part of a message that continues in the next record.
//!
//! Nothing is copied: a [`HandshakeFrame`] borrows the caller's buffer, and an incomplete
//! message is reported as [`Framed::NeedMore`] so the caller keeps the bytes and reads
//! more. The announced length is checked against [`FrameLimits`] as soon as the header is
//! in, so a peer cannot make us wait for (and buffer) 16 MiB.

use super::handshake::HandshakeHeader;
use super::{DecodeError, HandshakeType, Reader};

/// Upper bounds on one handshake message's body.
///
/// The defaults: 16 KiB for every message but Certificate and CertificateRequest, which is
/// room for a ClientHello with every suite and extension a real client sends and for 8192-bit
/// DH parameters; 64 KiB for Certificate (a chain of a dozen certificates) and
/// CertificateRequest (a long list of CA names), which have 24-bit and 16-bit lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameLimits {
    /// The largest body accepted for any message but the two below.
    pub max_message_len: usize,
    /// The largest Certificate or CertificateRequest body accepted.
    pub max_certificate_len: usize,
}

impl FrameLimits {
    /// Default for [`FrameLimits::max_message_len`]: 16 KiB.
    pub const DEFAULT_MAX_MESSAGE_LEN: usize = 16 * 1024;
    /// Default for [`FrameLimits::max_certificate_len`]: 64 KiB.
    pub const DEFAULT_MAX_CERTIFICATE_LEN: usize = 64 * 1024;

    /// The limit for a message of type `t`.
    pub fn limit_for(&self, t: HandshakeType) -> usize {
        match t {
            HandshakeType::Certificate | HandshakeType::CertificateRequest => {
                self.max_certificate_len
            }
            _ => self.max_message_len,
        }
    }
}

impl Default for FrameLimits {
    fn default() -> Self {
        FrameLimits {
            max_message_len: Self::DEFAULT_MAX_MESSAGE_LEN,
            max_certificate_len: Self::DEFAULT_MAX_CERTIFICATE_LEN,
        }
    }
}

/// One complete handshake message in the caller's buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandshakeFrame<'a> {
    /// The message type from the header.
    pub msg_type: HandshakeType,
    /// The body, without the header: what the message's `read` takes.
    pub body: &'a [u8],
    /// Header and body: what the handshake hash takes.
    pub raw: &'a [u8],
}

impl<'a> HandshakeFrame<'a> {
    /// A reader over the body.
    pub fn reader(&self) -> Reader<'a> {
        Reader::new(self.body)
    }
}

/// The outcome of looking for one message at the start of a buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Framed<'a> {
    /// A whole message; it takes `frame.raw.len()` bytes of the buffer.
    Message(HandshakeFrame<'a>),
    /// The buffer holds the start of a message only; at least `needed` more bytes must
    /// arrive before it is complete.
    NeedMore {
        /// The minimum number of bytes still missing.
        needed: usize,
    },
}

/// Frames handshake messages under [`FrameLimits`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HandshakeFramer {
    /// The size limits applied.
    pub limits: FrameLimits,
}

impl HandshakeFramer {
    /// A framer with the given limits.
    pub fn new(limits: FrameLimits) -> Self {
        HandshakeFramer { limits }
    }

    /// Looks for one whole message at the start of `buf`.
    ///
    /// Fails with [`DecodeError::MessageTooLarge`] as soon as a header announces a body
    /// over the limit for its type.
    pub fn frame<'a>(&self, buf: &'a [u8]) -> Result<Framed<'a>, DecodeError> {
        // The 4-byte header (type and 24-bit length) read in place, then the body cut out
        // by one bounds check.
        let Some(&[t, l0, l1, l2]) = buf.get(..HandshakeHeader::LEN) else {
            return Ok(Framed::NeedMore {
                needed: HandshakeHeader::LEN - buf.len(),
            });
        };
        let msg_type = HandshakeType::from(t);
        let len = usize::from(l0) << 16 | usize::from(l1) << 8 | usize::from(l2);
        if len > self.limits.limit_for(msg_type) {
            return Err(DecodeError::MessageTooLarge);
        }
        let Some(raw) = buf.get(..HandshakeHeader::LEN + len) else {
            return Ok(Framed::NeedMore {
                needed: HandshakeHeader::LEN + len - buf.len(),
            });
        };
        Ok(Framed::Message(HandshakeFrame {
            msg_type,
            body: raw.get(HandshakeHeader::LEN..).unwrap_or_default(),
            raw,
        }))
    }

    /// Iterates over the whole messages at the start of `buf`; afterwards
    /// [`HandshakeMessages::remainder`] is the incomplete tail to keep.
    pub fn messages<'a>(&self, buf: &'a [u8]) -> HandshakeMessages<'a> {
        HandshakeMessages {
            framer: *self,
            buf,
            needed: 0,
            failed: false,
        }
    }
}

/// The iterator of [`HandshakeFramer::messages`].
#[derive(Clone, Debug)]
pub struct HandshakeMessages<'a> {
    framer: HandshakeFramer,
    buf: &'a [u8],
    needed: usize,
    failed: bool,
}

impl<'a> HandshakeMessages<'a> {
    /// The bytes not yet returned as messages: a partial message, or nothing.
    pub fn remainder(&self) -> &'a [u8] {
        self.buf
    }

    /// How many more bytes the partial message needs at least (0 when none is pending).
    pub fn needed(&self) -> usize {
        self.needed
    }
}

impl<'a> Iterator for HandshakeMessages<'a> {
    type Item = Result<HandshakeFrame<'a>, DecodeError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.buf.is_empty() {
            return None;
        }
        match self.framer.frame(self.buf) {
            Ok(Framed::Message(frame)) => {
                self.buf = self.buf.get(frame.raw.len()..).unwrap_or_default();
                Some(Ok(frame))
            }
            Ok(Framed::NeedMore { needed }) => {
                self.needed = needed;
                None
            }
            Err(e) => {
                // Stop after an error: what follows an oversized header is not framed.
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}
