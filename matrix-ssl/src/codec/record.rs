//! Record headers: the 5-byte TLS/SSL header (RFC 6101 section 5.2, RFC 2246 and RFC 4346
//! section 6.2), the 13-byte DTLS header (RFC 4347 section 4.1), the size limits of
//! RFC 2246 section 6.2 that a record layer applies to the bytes it buffers, and the Alert
//! and ChangeCipherSpec bodies (sections 7.1 and 7.2). The SSL 2.0-format ClientHello is in
//! the `sslv2` module (servers only).

use alloc::vec::Vec;

use super::{
    AlertDescription, AlertLevel, Codec, ContentType, DecodeError, ProtocolVersion, Reader, put_u48,
};

/// TLSPlaintext.fragment may hold at most 2^14 bytes.
pub const MAX_PLAINTEXT_LEN: usize = 1 << 14;
/// TLSCompressed.fragment may hold at most 2^14 + 1024 bytes.
pub const MAX_COMPRESSED_LEN: usize = MAX_PLAINTEXT_LEN + 1024;
/// TLSCiphertext.fragment may hold at most 2^14 + 2048 bytes; a longer record is a
/// record_overflow.
pub const MAX_CIPHERTEXT_LEN: usize = MAX_PLAINTEXT_LEN + 2048;
/// The TLS/SSL record header's size.
pub const TLS_HEADER_LEN: usize = 5;
/// The DTLS record header's size.
pub const DTLS_HEADER_LEN: usize = 13;

/// The header of an SSL 3.0 / TLS record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordHeader {
    /// What the fragment holds.
    pub content_type: ContentType,
    /// The record's version (for a first ClientHello any 3.x is acceptable).
    pub version: ProtocolVersion,
    /// The fragment's length.
    pub length: u16,
}

impl Codec<'_> for RecordHeader {
    fn encode(&self, out: &mut Vec<u8>) {
        self.content_type.encode(out);
        self.version.encode(out);
        self.length.encode(out);
    }

    /// Reads a header and rejects a length over [`MAX_CIPHERTEXT_LEN`] with
    /// [`DecodeError::RecordOverflow`] before any of the fragment is buffered.
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match *r.take(TLS_HEADER_LEN)? {
            [ct, v_hi, v_lo, l_hi, l_lo] => RecordHeader::parse([ct, v_hi, v_lo, l_hi, l_lo]),
            _ => Err(DecodeError::Truncated),
        }
    }
}

impl RecordHeader {
    /// The header in `bytes`: [`RecordHeader::read`] once the five bytes are in hand (a
    /// session's record loop has checked that they are), whose only failure is then
    /// [`DecodeError::RecordOverflow`].
    pub(crate) fn parse(bytes: [u8; TLS_HEADER_LEN]) -> Result<Self, DecodeError> {
        let [ct, v_hi, v_lo, l_hi, l_lo] = bytes;
        let length = u16::from_be_bytes([l_hi, l_lo]);
        if usize::from(length) > MAX_CIPHERTEXT_LEN {
            return Err(DecodeError::RecordOverflow);
        }
        Ok(RecordHeader {
            content_type: ContentType::from(ct),
            version: ProtocolVersion::from(u16::from_be_bytes([v_hi, v_lo])),
            length,
        })
    }
}

/// The header of a DTLS record (RFC 4347 section 4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DtlsRecordHeader {
    /// What the fragment holds.
    pub content_type: ContentType,
    /// The record's version (0xFEFF for DTLS 1.0, 0xFEFD for DTLS 1.2).
    pub version: ProtocolVersion,
    /// The cipher-state epoch, incremented at every ChangeCipherSpec.
    pub epoch: u16,
    /// The 48-bit record sequence number within the epoch.
    pub sequence_number: u64,
    /// The fragment's length.
    pub length: u16,
}

impl DtlsRecordHeader {
    /// The largest sequence number the 48-bit field holds.
    pub const MAX_SEQUENCE: u64 = (1 << 48) - 1;
}

impl Codec<'_> for DtlsRecordHeader {
    fn encode(&self, out: &mut Vec<u8>) {
        self.content_type.encode(out);
        self.version.encode(out);
        self.epoch.encode(out);
        put_u48(out, self.sequence_number);
        self.length.encode(out);
    }

    /// Reads a header; a length over [`MAX_CIPHERTEXT_LEN`] is
    /// [`DecodeError::RecordOverflow`] (a DTLS receiver drops such a record silently).
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let content_type = ContentType::read(r)?;
        let version = ProtocolVersion::read(r)?;
        let epoch = r.u16()?;
        let sequence_number = r.u48()?;
        let length = r.u16()?;
        if usize::from(length) > MAX_CIPHERTEXT_LEN {
            return Err(DecodeError::RecordOverflow);
        }
        Ok(DtlsRecordHeader {
            content_type,
            version,
            epoch,
            sequence_number,
            length,
        })
    }
}

/// The body of an alert record (RFC 2246 section 7.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Alert {
    /// warning or fatal.
    pub level: AlertLevel,
    /// What happened.
    pub description: AlertDescription,
}

impl Codec<'_> for Alert {
    fn encode(&self, out: &mut Vec<u8>) {
        self.level.encode(out);
        self.description.encode(out);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Alert {
            level: AlertLevel::read(r)?,
            description: AlertDescription::read(r)?,
        })
    }
}

/// The body of a change_cipher_spec record: the single byte 1 (RFC 2246 section 7.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ChangeCipherSpec;

impl Codec<'_> for ChangeCipherSpec {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(1);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8()? {
            1 => Ok(ChangeCipherSpec),
            _ => Err(DecodeError::InvalidValue("change_cipher_spec")),
        }
    }
}
