//! Record headers: the 5-byte TLS/SSL header (RFC 6101 section 5.2, RFC 2246 and RFC 4346
//! section 6.2), the 13-byte DTLS header (RFC 4347 section 4.1), the size limits of
//! RFC 2246 section 6.2, the Alert and ChangeCipherSpec bodies (sections 7.1 and 7.2), and
//! the SSL 2.0-format ClientHello of RFC 2246 appendix E.1 that SSL 3.0/TLS servers accept
//! from clients that still speak both.

use alloc::vec::Vec;

use super::handshake::ClientHello;
use super::{
    AlertDescription, AlertLevel, CipherSuite, Codec, CompressionMethod, ContentType, DecodeError,
    ProtocolVersion, Reader, put_u48,
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
        let content_type = ContentType::read(r)?;
        let version = ProtocolVersion::read(r)?;
        let length = r.u16()?;
        if usize::from(length) > MAX_CIPHERTEXT_LEN {
            return Err(DecodeError::RecordOverflow);
        }
        Ok(RecordHeader {
            content_type,
            version,
            length,
        })
    }
}

/// The header of a DTLS record (RFC 4347 section 4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DtlsRecordHeader {
    /// What the fragment holds.
    pub content_type: ContentType,
    /// The record's version (0xFEFF for DTLS 1.0).
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

/// The SSL 2.0 message type of a CLIENT-HELLO.
const SSL2_MT_CLIENT_HELLO: u8 = 1;
/// The largest SSLv2 ClientHello we accept: the 15-bit record length allows 32767, but a
/// hello with a few hundred cipher specs fits in far less; OpenSSL's limit is the same order.
pub const MAX_SSLV2_HELLO_LEN: usize = 4096;

/// What the first bytes of a connection say about an SSL 2.0-format ClientHello.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Sslv2Detect {
    /// Fewer than three bytes: cannot tell yet.
    NeedMore,
    /// An SSL 2.0 record carrying a CLIENT-HELLO; `record_len` counts the 2-byte header
    /// and the message.
    ClientHello {
        /// Bytes in the whole record, header included.
        record_len: usize,
    },
    /// An SSL 3.0/TLS record (or anything else that is not an SSLv2 hello).
    NotSslv2,
}

/// Looks at the start of the first record of a connection: an SSLv2 record with a 2-byte
/// header has the high bit of its first byte set, which no SSL 3.0/TLS content type has.
pub fn detect_sslv2_client_hello(buf: &[u8]) -> Sslv2Detect {
    match buf {
        [b0, b1, mt, ..] if b0 & 0x80 != 0 && *mt == SSL2_MT_CLIENT_HELLO => {
            let len = (usize::from(b0 & 0x7f) << 8) | usize::from(*b1);
            Sslv2Detect::ClientHello {
                record_len: len + 2,
            }
        }
        [b0, ..] if b0 & 0x80 == 0 => Sslv2Detect::NotSslv2,
        [_, _, _, ..] => Sslv2Detect::NotSslv2,
        _ => Sslv2Detect::NeedMore,
    }
}

/// An SSL 2.0-format ClientHello, converted, with the bytes the handshake hash covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sslv2ClientHello<'a> {
    /// The equivalent SSL 3.0/TLS hello: the challenge right-aligned into a zero-padded
    /// 32-byte random, only the cipher specs whose first byte is 0 (the others are SSL 2.0
    /// kinds), the null compression method and no extensions.
    pub hello: ClientHello,
    /// The bytes from msg_type to the end of the challenge, without the 2-byte record
    /// header: what RFC 2246 appendix E.1 says the Finished hashes include.
    pub hash_bytes: &'a [u8],
}

/// Parses one whole SSLv2 record (2-byte header included) holding a CLIENT-HELLO
/// (RFC 2246 appendix E.1).
pub fn read_sslv2_client_hello(record: &[u8]) -> Result<Sslv2ClientHello<'_>, DecodeError> {
    let mut r = Reader::new(record);
    let header = r.u16()?;
    if header & 0x8000 == 0 {
        return Err(DecodeError::InvalidValue("SSLv2 record header"));
    }
    let len = usize::from(header & 0x7fff);
    if len > MAX_SSLV2_HELLO_LEN {
        return Err(DecodeError::MessageTooLarge);
    }
    let hash_bytes = r.peek_rest();
    let mut m = r.sub(len)?;
    r.expect_empty()?;
    let hash_bytes = hash_bytes.get(..len).ok_or(DecodeError::Truncated)?;
    if m.u8()? != SSL2_MT_CLIENT_HELLO {
        return Err(DecodeError::InvalidValue("SSLv2 msg_type"));
    }
    let client_version = ProtocolVersion::read(&mut m)?;
    if client_version.get() < ProtocolVersion::SSLv3.get() || client_version.is_dtls() {
        return Err(DecodeError::InvalidValue("SSLv2 hello version"));
    }
    let cipher_spec_length = usize::from(m.u16()?);
    let session_id_length = usize::from(m.u16()?);
    let challenge_length = usize::from(m.u16()?);
    if cipher_spec_length == 0 || !cipher_spec_length.is_multiple_of(3) {
        return Err(DecodeError::LengthOverLimit);
    }
    // RFC 2246 says 0 or 16; SSL 2.0 allowed any session id up to 16 bytes, and a TLS
    // session id may have 32.
    if session_id_length > 32 {
        return Err(DecodeError::LengthOverLimit);
    }
    // RFC 2246 asks for 32, but SSL 2.0 clients send 16 to 32 bytes.
    if !(16..=32).contains(&challenge_length) {
        return Err(DecodeError::LengthOverLimit);
    }
    let mut specs = m.sub(cipher_spec_length)?;
    let session_id = m.take(session_id_length)?.to_vec();
    let challenge = m.take(challenge_length)?;
    m.expect_empty()?;

    let mut cipher_suites = Vec::with_capacity(cipher_spec_length / 3);
    while !specs.is_empty() {
        let [kind, hi, lo] = specs.take_array::<3>()?;
        if kind == 0 {
            cipher_suites.push(CipherSuite::from(u16::from_be_bytes([hi, lo])));
        }
    }
    let mut random = [0u8; 32];
    let offset = 32 - challenge.len();
    if let Some(dst) = random.get_mut(offset..) {
        dst.copy_from_slice(challenge);
    }
    Ok(Sslv2ClientHello {
        hello: ClientHello {
            client_version,
            random,
            session_id,
            cookie: None,
            cipher_suites,
            compression_methods: alloc::vec![CompressionMethod::Null],
            extensions: None,
        },
        hash_bytes,
    })
}
