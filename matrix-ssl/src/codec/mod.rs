//! The wire codec: layer 1 of matrix-ssl (`DESIGN.md`, "Inside matrix-ssl").
//!
//! Every structure of the SSL 3.0 (RFC 6101), TLS 1.0 (RFC 2246), TLS 1.1 (RFC 4346) and
//! DTLS 1.0 (RFC 4347) record and handshake protocols, with the RFC 5746, RFC 7507 and
//! RFC 6066 additions, is encoded into a `Vec<u8>` and decoded through a bounds-checked
//! [`Reader`]. Decoding never panics and never allocates more than the input it was given;
//! each failure is a [`DecodeError`] that names the alert to send.
//!
//! Structures that decode the same way in every context implement [`Codec`]; those whose
//! layout depends on the negotiated version or key exchange (`ServerKeyExchange`,
//! `ClientKeyExchange`, `Finished`) have inherent `read`/`encode` functions that take it.

use alloc::vec::Vec;

pub mod ec_extensions;
pub mod enums;
mod extension_rules;
pub mod framing;
pub mod handshake;
pub mod reader;
pub mod record;
pub(crate) mod server_hello;
#[cfg(feature = "server-side-ssl")]
#[cfg_attr(docsrs, doc(cfg(feature = "server-side-ssl")))]
pub mod sslv2;
pub mod ticket;

pub use enums::{
    AlertDescription, AlertLevel, CipherSuite, ClientCertificateType, CompressionMethod,
    ContentType, ExtensionType, HandshakeType, ProtocolVersion, SignatureScheme,
};
pub use reader::{DecodeError, Reader};

/// A wire structure that encodes and decodes without outside context.
pub trait Codec<'a>: Sized {
    /// Appends the wire form of `self` to `out`.
    fn encode(&self, out: &mut Vec<u8>);

    /// Reads one value from `r`, consuming exactly its bytes.
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError>;

    /// The wire form of `self` in a new vector.
    fn get_encoding(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(&mut out);
        out
    }

    /// Decodes `bytes`, which must hold exactly one value.
    fn read_bytes(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(bytes);
        let v = Self::read(&mut r)?;
        r.expect_empty()?;
        Ok(v)
    }
}

/// The width of a vector's length prefix: `<..2^8-1>`, `<..2^16-1>` or `<..2^24-1>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LengthPrefix {
    /// One byte.
    U8,
    /// Two bytes.
    U16,
    /// Three bytes.
    U24,
}

impl LengthPrefix {
    /// How many bytes the prefix takes.
    pub const fn size(self) -> usize {
        match self {
            LengthPrefix::U8 => 1,
            LengthPrefix::U16 => 2,
            LengthPrefix::U24 => 3,
        }
    }

    /// The largest length the prefix can hold.
    pub const fn max(self) -> usize {
        match self {
            LengthPrefix::U8 => 0xff,
            LengthPrefix::U16 => 0xffff,
            LengthPrefix::U24 => 0xff_ffff,
        }
    }

    /// Reads a length of this width.
    pub fn read(self, r: &mut Reader<'_>) -> Result<usize, DecodeError> {
        // One big-endian read of the prefix's width (at most 3 bytes).
        let n = r.be32(self.size())?;
        usize::try_from(n).map_err(|_| DecodeError::LengthOverLimit)
    }
}

/// Appends `v` as a big-endian integer of `n` bytes (the low `n` bytes of `v`).
pub fn put_uint(out: &mut Vec<u8>, v: u64, n: usize) {
    let bytes = v.to_be_bytes();
    out.extend(bytes.iter().skip(8usize.saturating_sub(n)));
}

/// Appends a 24-bit big-endian integer.
pub fn put_u24(out: &mut Vec<u8>, v: u32) {
    put_uint(out, u64::from(v), 3);
}

/// Appends a 48-bit big-endian integer.
pub fn put_u48(out: &mut Vec<u8>, v: u64) {
    put_uint(out, v, 6);
}

/// Writes a `prefix`-wide length followed by whatever `body` appends.
///
/// The prefix is reserved first and patched once the body's size is known, so that nested
/// vectors are encoded in one pass without measuring them twice. A body longer than the
/// prefix can say is a bug in the caller (decoded values never are); it is caught by a debug
/// assertion, and in release builds the length saturates rather than wrapping.
pub fn encode_with_prefix(
    out: &mut Vec<u8>,
    prefix: LengthPrefix,
    body: impl FnOnce(&mut Vec<u8>),
) {
    // Only the body's call is generic: the prefix work lives in two plain functions, so
    // the dozens of bodies share one copy of it instead of one each.
    let start = open_prefix(out, prefix);
    body(out);
    close_prefix(out, prefix, start);
}

/// Reserves a zero `prefix`-wide length at the end of `out`; returns where it starts (the
/// first half of [`encode_with_prefix`]).
pub(crate) fn open_prefix(out: &mut Vec<u8>, prefix: LengthPrefix) -> usize {
    let start = out.len();
    out.resize(start + prefix.size(), 0);
    start
}

/// Writes the length of everything after the `prefix`-wide slot at `start` into that slot
/// (the second half of [`encode_with_prefix`]).
pub(crate) fn close_prefix(out: &mut [u8], prefix: LengthPrefix, start: usize) {
    let size = prefix.size();
    let len = out.len().saturating_sub(start + size);
    debug_assert!(
        len <= prefix.max(),
        "vector body too long for its length prefix"
    );
    // At most 2^24 - 1, written big-endian into the slot from its last byte (no copy of
    // a byte array's tail, with its length checks).
    let mut len = len.min(prefix.max());
    if let Some(slot) = out.get_mut(start..start + size) {
        for b in slot.iter_mut().rev() {
            *b = len as u8;
            len >>= 8;
        }
    }
}

/// Reads a `prefix`-length vector whose byte length must lie in `min..=max`, and returns a
/// reader over its body.
pub fn read_prefixed<'a>(
    r: &mut Reader<'a>,
    prefix: LengthPrefix,
    min: usize,
    max: usize,
) -> Result<Reader<'a>, DecodeError> {
    // The length and the body through the `Option` readers (`Reader::take_opt`): only the
    // errors are made here, `Truncated` for a short prefix or body as `LengthPrefix::read`
    // and `Reader::sub` report it.
    let len = r.be32_opt(prefix.size()).ok_or(DecodeError::Truncated)?;
    let len = usize::try_from(len).map_err(|_| DecodeError::LengthOverLimit)?;
    if len < min || len > max {
        return Err(DecodeError::LengthOverLimit);
    }
    r.take_opt(len)
        .map(Reader::new)
        .ok_or(DecodeError::Truncated)
}

/// Reads an opaque vector `opaque x<min..max>` with a `prefix`-wide length.
pub fn read_opaque<'a>(
    r: &mut Reader<'a>,
    prefix: LengthPrefix,
    min: usize,
    max: usize,
) -> Result<&'a [u8], DecodeError> {
    Ok(read_prefixed(r, prefix, min, max)?.rest())
}

/// Writes an opaque vector with a `prefix`-wide length.
pub fn encode_opaque(out: &mut Vec<u8>, prefix: LengthPrefix, bytes: &[u8]) {
    encode_with_prefix(out, prefix, |o| o.extend_from_slice(bytes));
}

fn read_vec<'a, T: Codec<'a>>(
    r: &mut Reader<'a>,
    prefix: LengthPrefix,
    min: usize,
    max: usize,
) -> Result<Vec<T>, DecodeError> {
    let mut sub = read_prefixed(r, prefix, min, max)?;
    let mut items = Vec::new();
    while !sub.is_empty() {
        items.push(T::read(&mut sub)?);
    }
    Ok(items)
}

fn encode_vec<'a, T: Codec<'a>>(out: &mut Vec<u8>, prefix: LengthPrefix, items: &[T]) {
    // The two halves of `encode_with_prefix` around a plain loop: one function per element
    // type instead of two (the closure's and `encode_with_prefix`'s).
    let start = open_prefix(out, prefix);
    for item in items {
        item.encode(out);
    }
    close_prefix(out, prefix, start);
}

/// Reads `T items<min..max>` with a one-byte length; `min` and `max` count bytes, as the
/// RFCs' vector bounds do.
pub fn read_vec_u8<'a, T: Codec<'a>>(
    r: &mut Reader<'a>,
    min: usize,
    max: usize,
) -> Result<Vec<T>, DecodeError> {
    read_vec(r, LengthPrefix::U8, min, max)
}

/// Reads `T items<min..max>` with a two-byte length (bounds in bytes).
pub fn read_vec_u16<'a, T: Codec<'a>>(
    r: &mut Reader<'a>,
    min: usize,
    max: usize,
) -> Result<Vec<T>, DecodeError> {
    read_vec(r, LengthPrefix::U16, min, max)
}

/// Reads `T items<min..max>` with a three-byte length (bounds in bytes).
pub fn read_vec_u24<'a, T: Codec<'a>>(
    r: &mut Reader<'a>,
    min: usize,
    max: usize,
) -> Result<Vec<T>, DecodeError> {
    read_vec(r, LengthPrefix::U24, min, max)
}

/// Writes a list with a one-byte length.
pub fn encode_vec_u8<'a, T: Codec<'a>>(out: &mut Vec<u8>, items: &[T]) {
    encode_vec(out, LengthPrefix::U8, items);
}

/// Writes a list with a two-byte length.
pub fn encode_vec_u16<'a, T: Codec<'a>>(out: &mut Vec<u8>, items: &[T]) {
    encode_vec(out, LengthPrefix::U16, items);
}

/// Writes a list with a three-byte length.
pub fn encode_vec_u24<'a, T: Codec<'a>>(out: &mut Vec<u8>, items: &[T]) {
    encode_vec(out, LengthPrefix::U24, items);
}

impl Codec<'_> for u8 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(*self);
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.u8()
    }
}

impl Codec<'_> for u16 {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_be_bytes());
    }
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.u16()
    }
}
