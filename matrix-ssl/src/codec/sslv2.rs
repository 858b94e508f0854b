//! The SSL 2.0-format ClientHello of RFC 2246 appendix E.1 (and RFC 4346 appendix E.2):
//! clients that could still fall back to SSL 2.0 open with it, offering SSL 3.0 or TLS, and
//! MatrixSSL servers accepted it. Compiled with `server-side-ssl` only: a client never
//! receives one.
//!
//! The server answers with an ordinary ServerHello, so the hello is converted to a
//! [`ClientHello`]; the handshake hash covers the SSLv2 message bytes, which are kept.

use alloc::vec::Vec;

use super::handshake::ClientHello;
use super::{CipherSuite, Codec, CompressionMethod, DecodeError, ProtocolVersion, Reader};

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
