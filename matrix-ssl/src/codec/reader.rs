//! The bounds-checked [`Reader`] every decoder reads through, and [`DecodeError`], the one
//! failure a decoder reports, with the alert that RFC 2246 section 7.2.2, RFC 4346 section
//! 7.2.2 and RFC 6101 section 5.4.2 tell a peer to send for it.
//!
//! All index arithmetic on peer bytes lives here: decoders only ask for a number of bytes or
//! a fixed-width integer, and a short buffer is a [`DecodeError::Truncated`], never a panic.

use core::fmt;

use super::enums::{AlertDescription, ProtocolVersion};

/// Why a wire structure could not be decoded.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DecodeError {
    /// The input ended before the structure (or a length it announced) did.
    Truncated,
    /// Bytes were left over after a structure that must fill its container.
    TrailingBytes,
    /// A length-prefixed vector's length lies outside the `<a..b>` bounds of its
    /// definition (or is not a whole number of elements).
    LengthOverLimit,
    /// A field holds a value the protocol forbids here; the text names the field.
    InvalidValue(&'static str),
    /// One hello carried two extensions of the same type (RFC 4366 section 2.3, RFC 5246
    /// section 7.4.1.4); the value is the extension type.
    DuplicateExtension(u16),
    /// A handshake message announced a length above the configured maximum, so we refuse
    /// to buffer it.
    MessageTooLarge,
    /// A record announced more than 2^14 + 2048 bytes (RFC 2246 section 6.2.3).
    RecordOverflow,
}

impl DecodeError {
    /// The fatal alert to send for this failure to a peer speaking `version`.
    ///
    /// TLS and DTLS report malformed lengths with decode_error(50) and bad values with
    /// illegal_parameter(47); SSL 3.0 has neither decode_error nor record_overflow, so it
    /// gets illegal_parameter for every decoding failure and bad_record_mac for an
    /// oversized record, as OpenSSL's SSLv3 alert mapping does.
    pub fn alert(self, version: ProtocolVersion) -> AlertDescription {
        let ssl3 = version == ProtocolVersion::SSLv3;
        match self {
            DecodeError::RecordOverflow if ssl3 => AlertDescription::BadRecordMac,
            DecodeError::RecordOverflow => AlertDescription::RecordOverflow,
            _ if ssl3 => AlertDescription::IllegalParameter,
            DecodeError::Truncated | DecodeError::TrailingBytes | DecodeError::LengthOverLimit => {
                AlertDescription::DecodeError
            }
            // A duplicate is a field inconsistent with another one, as OpenSSL reports it.
            DecodeError::InvalidValue(_)
            | DecodeError::DuplicateExtension(_)
            | DecodeError::MessageTooLarge => AlertDescription::IllegalParameter,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Truncated => f.write_str("message truncated"),
            DecodeError::TrailingBytes => f.write_str("trailing bytes after message"),
            DecodeError::LengthOverLimit => f.write_str("vector length outside its bounds"),
            DecodeError::InvalidValue(what) => write!(f, "invalid value in {what}"),
            DecodeError::DuplicateExtension(t) => write!(f, "duplicate extension {t:#06x}"),
            DecodeError::MessageTooLarge => f.write_str("handshake message over the size limit"),
            DecodeError::RecordOverflow => f.write_str("record longer than 2^14 + 2048 bytes"),
        }
    }
}

impl core::error::Error for DecodeError {}

impl From<DecodeError> for matrix_core::Error {
    /// MatrixSSL reports both malformed messages and oversized ones as parse/limit failures.
    fn from(e: DecodeError) -> Self {
        match e {
            DecodeError::MessageTooLarge | DecodeError::RecordOverflow => {
                matrix_core::Error::LimitFail
            }
            _ => matrix_core::Error::ParseFail,
        }
    }
}

/// A cursor over peer bytes: every read checks the bounds and advances.
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    buf: &'a [u8],
    consumed: usize,
}

impl<'a> Reader<'a> {
    /// A reader over all of `buf`.
    pub fn new(buf: &'a [u8]) -> Self {
        Reader { buf, consumed: 0 }
    }

    /// The next `n` bytes, or [`DecodeError::Truncated`] (and nothing consumed) if fewer
    /// remain.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        self.take_opt(n).ok_or(DecodeError::Truncated)
    }

    /// [`Reader::take`] with `None` for its one error: an `Option` of a slice comes back
    /// in two registers where the `Result` goes through memory, so the readers chained
    /// inside the codec use this one.
    pub(crate) fn take_opt(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, tail) = self.buf.split_at_checked(n)?;
        self.buf = tail;
        self.consumed += n;
        Some(head)
    }

    /// The next `N` bytes as an array.
    pub fn take_array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        // `take` returned exactly `N` bytes: the conversion cannot fail.
        <[u8; N]>::try_from(self.take(N)?).map_err(|_| DecodeError::Truncated)
    }

    /// The next `n` (at most 4) bytes as a big-endian integer: the one body behind every
    /// fixed-width read up to 32 bits, so that a small build has one copy of it instead of
    /// one `take_array` per width.
    pub(crate) fn be32(&mut self, n: usize) -> Result<u32, DecodeError> {
        self.be32_opt(n).ok_or(DecodeError::Truncated)
    }

    /// [`Reader::be32`] with `None` for its one error (`Truncated`), as [`Reader::take_opt`].
    pub(crate) fn be32_opt(&mut self, n: usize) -> Option<u32> {
        let mut v = 0u32;
        for &b in self.take_opt(n)? {
            v = (v << 8) | u32::from(b);
        }
        Some(v)
    }

    /// One byte.
    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        match self.take(1)? {
            [b] => Ok(*b),
            _ => Err(DecodeError::Truncated),
        }
    }

    /// A big-endian 16-bit integer.
    pub fn u16(&mut self) -> Result<u16, DecodeError> {
        // Two bytes: the value fits.
        Ok(self.be32(2)? as u16)
    }

    /// A big-endian 24-bit integer (handshake lengths and fragment offsets).
    pub fn u24(&mut self) -> Result<u32, DecodeError> {
        self.be32(3)
    }

    /// A big-endian 32-bit integer.
    pub fn u32(&mut self) -> Result<u32, DecodeError> {
        self.be32(4)
    }

    /// A big-endian 48-bit integer (DTLS record sequence numbers).
    pub fn u48(&mut self) -> Result<u64, DecodeError> {
        let mut v = 0u64;
        for &b in self.take(6)? {
            v = (v << 8) | u64::from(b);
        }
        Ok(v)
    }

    /// A reader over the next `len` bytes, which this reader skips.
    pub fn sub(&mut self, len: usize) -> Result<Reader<'a>, DecodeError> {
        self.take(len).map(Reader::new)
    }

    /// All the bytes not read yet; the reader is then empty.
    pub fn rest(&mut self) -> &'a [u8] {
        let rest = self.buf;
        self.consumed += rest.len();
        self.buf = &[];
        rest
    }

    /// The bytes not read yet, without consuming them.
    pub fn peek_rest(&self) -> &'a [u8] {
        self.buf
    }

    /// How many bytes are left.
    pub fn remaining(&self) -> usize {
        self.buf.len()
    }

    /// How many bytes were read since [`Reader::new`].
    pub fn consumed(&self) -> usize {
        self.consumed
    }

    /// Whether every byte was read.
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// [`DecodeError::TrailingBytes`] unless every byte was read: a structure that fills its
    /// container ends with this.
    pub fn expect_empty(&self) -> Result<(), DecodeError> {
        if self.buf.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::TrailingBytes)
        }
    }
}
