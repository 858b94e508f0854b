//! Handshake messages: the headers of RFC 2246/4346 section 7.4 and RFC 4347 section 4.2.2,
//! and the bodies of every message SSL 3.0 (RFC 6101 section 5.6), TLS 1.0/1.1 and DTLS 1.0
//! exchange, with the hello extensions matrix understands (server_name of RFC 6066
//! section 3, renegotiation_info of RFC 5746 section 3.2) and the PSK key exchanges of
//! RFC 4279; TLS 1.2's `digitally-signed` signatures and CertificateRequest
//! `supported_signature_algorithms` (RFC 5246 sections 4.7 and 7.4.4) when the decode context's
//! version is TLS 1.2.
//!
//! A body's `read` takes a reader over that body alone (the framing in
//! [`super::framing`] hands out exactly that) and fails unless it uses every byte.
//! Hellos end with optional extensions that are present only if bytes remain, so they
//! must see the end of the body to decode; each extension's body is then held to what its
//! RFC requires of it in that hello (`super::extension_rules`).

use alloc::vec::Vec;

pub use super::ec_extensions::ServerEcdhParams;
use super::extension_rules::Hello;
use super::{
    CipherSuite, ClientCertificateType, Codec, CompressionMethod, DecodeError, ExtensionType,
    HandshakeType, LengthPrefix, ProtocolVersion, Reader, SignatureScheme, close_prefix,
    encode_opaque, encode_vec_u8, encode_vec_u16, encode_with_prefix, open_prefix, put_u24,
    read_opaque, read_prefixed, read_vec_u8, read_vec_u16,
};

/// The bytes of a Finished verify_data in TLS 1.0/1.1/1.2 and DTLS (RFC 2246 section 7.4.9,
/// RFC 5246 section 7.4.9 for every suite matrix has).
pub const TLS_FINISHED_LEN: usize = 12;
/// The bytes of an SSL 3.0 Finished: an MD5 and a SHA-1 hash (RFC 6101 section 5.6.9).
pub const SSL3_FINISHED_LEN: usize = 36;
/// The largest session id (RFC 2246 section 7.4.1.2).
pub const MAX_SESSION_ID_LEN: usize = 32;
/// The largest DTLS cookie (RFC 4347 section 4.2.1).
pub const MAX_COOKIE_LEN: usize = 32;

/// The header of a TLS handshake message (RFC 2246 section 7.4): type and body length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandshakeHeader {
    /// The message type.
    pub msg_type: HandshakeType,
    /// The body's length (24 bits).
    pub length: u32,
}

impl HandshakeHeader {
    /// The header's size on the wire.
    pub const LEN: usize = 4;
}

impl Codec<'_> for HandshakeHeader {
    fn encode(&self, out: &mut Vec<u8>) {
        self.msg_type.encode(out);
        put_u24(out, self.length);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(HandshakeHeader {
            msg_type: HandshakeType::read(r)?,
            length: r.u24()?,
        })
    }
}

/// The header of a DTLS handshake message or fragment (RFC 4347 section 4.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DtlsHandshakeHeader {
    /// The message type.
    pub msg_type: HandshakeType,
    /// The whole message body's length.
    pub length: u32,
    /// The message's sequence number in this handshake.
    pub message_seq: u16,
    /// Where this fragment starts in the body.
    pub fragment_offset: u32,
    /// How many body bytes this fragment carries.
    pub fragment_length: u32,
}

impl DtlsHandshakeHeader {
    /// The header's size on the wire.
    pub const LEN: usize = 12;

    /// Whether the fragment lies within the message (offset + length <= length): the
    /// reassembler must check this before copying, which the decoder leaves to it because
    /// a fragment is not wrong on its own.
    pub fn fragment_in_bounds(&self) -> bool {
        self.fragment_offset
            .checked_add(self.fragment_length)
            .is_some_and(|end| end <= self.length)
    }
}

impl Codec<'_> for DtlsHandshakeHeader {
    fn encode(&self, out: &mut Vec<u8>) {
        self.msg_type.encode(out);
        put_u24(out, self.length);
        self.message_seq.encode(out);
        put_u24(out, self.fragment_offset);
        put_u24(out, self.fragment_length);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(DtlsHandshakeHeader {
            msg_type: HandshakeType::read(r)?,
            length: r.u24()?,
            message_seq: r.u16()?,
            fragment_offset: r.u24()?,
            fragment_length: r.u24()?,
        })
    }
}

/// HelloRequest: an empty body (RFC 2246 section 7.4.1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct HelloRequest;

impl Codec<'_> for HelloRequest {
    fn encode(&self, _out: &mut Vec<u8>) {}

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.expect_empty()?;
        Ok(HelloRequest)
    }
}

/// ServerHelloDone: an empty body (RFC 2246 section 7.4.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct ServerHelloDone;

impl Codec<'_> for ServerHelloDone {
    fn encode(&self, _out: &mut Vec<u8>) {}

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        r.expect_empty()?;
        Ok(ServerHelloDone)
    }
}

/// One entry of a server_name list (RFC 6066 section 3).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerName {
    /// host_name(0): an ASCII DNS name without a trailing dot, `<1..2^16-1>`.
    HostName(Vec<u8>),
    /// Another name type, assumed to carry a 2-byte-length-prefixed name as host_name
    /// does (every name type ever proposed did).
    Unknown {
        /// The NameType.
        name_type: u8,
        /// The name's bytes.
        name: Vec<u8>,
    },
}

impl Codec<'_> for ServerName {
    fn encode(&self, out: &mut Vec<u8>) {
        match self {
            ServerName::HostName(name) => {
                out.push(0);
                encode_opaque(out, LengthPrefix::U16, name);
            }
            ServerName::Unknown { name_type, name } => {
                out.push(*name_type);
                encode_opaque(out, LengthPrefix::U16, name);
            }
        }
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8()? {
            0 => Ok(ServerName::HostName(
                read_opaque(r, LengthPrefix::U16, 1, 0xffff)?.to_vec(),
            )),
            name_type => Ok(ServerName::Unknown {
                name_type,
                name: read_opaque(r, LengthPrefix::U16, 0, 0xffff)?.to_vec(),
            }),
        }
    }
}

/// server_name's wire value (RFC 6066 section 3).
pub(super) const EXT_SERVER_NAME: u16 = 0;
/// renegotiation_info's wire value (RFC 5746 section 3.2).
pub(crate) const EXT_RENEGOTIATION_INFO: u16 = 0xff01;

/// A hello extension (RFC 4366 section 2.3 / RFC 6066 section 2).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Extension {
    /// server_name: the client's list, or (empty) the server's acknowledgement, which has
    /// empty extension_data.
    ServerName(Vec<ServerName>),
    /// renegotiation_info: renegotiated_connection `<0..255>` (RFC 5746 section 3.2); empty
    /// on an initial handshake, the Finished verify_data (client's, then server's) after.
    RenegotiationInfo(Vec<u8>),
    /// Any other extension, kept as received.
    Unknown {
        /// The extension type (never one of the named ones above).
        ext_type: u16,
        /// The extension_data.
        data: Vec<u8>,
    },
}

impl Extension {
    /// The extension's type.
    pub fn ext_type(&self) -> ExtensionType {
        ExtensionType::from(self.code())
    }

    /// The extension's type as its wire value (what [`Extension::ext_type`] names),
    /// without a round trip through [`ExtensionType`].
    pub(crate) fn code(&self) -> u16 {
        match self {
            Extension::ServerName(_) => EXT_SERVER_NAME,
            Extension::RenegotiationInfo(_) => EXT_RENEGOTIATION_INFO,
            Extension::Unknown { ext_type, .. } => *ext_type,
        }
    }
}

impl Extension {
    /// Appends the extension_data (the encoding without the type and length).
    fn encode_data(&self, o: &mut Vec<u8>) {
        match self {
            // The server's acknowledgement is an empty extension_data, not an empty list.
            Extension::ServerName(names) if names.is_empty() => {}
            Extension::ServerName(names) => encode_vec_u16(o, names),
            Extension::RenegotiationInfo(rc) => encode_opaque(o, LengthPrefix::U8, rc),
            Extension::Unknown { data, .. } => o.extend_from_slice(data),
        }
    }

    /// The extension_data as it is encoded, in a vector of exactly its length (what the
    /// handshake keeps of a peer's extension for the application).
    #[cfg(feature = "server-side-ssl")]
    pub(crate) fn data_bytes(&self) -> Vec<u8> {
        if let Extension::Unknown { data, .. } = self {
            return data.clone();
        }
        let mut data = Vec::new();
        self.encode_data(&mut data);
        data.as_slice().to_vec()
    }
}

impl Codec<'_> for Extension {
    fn encode(&self, out: &mut Vec<u8>) {
        self.code().encode(out);
        let start = super::open_prefix(out, LengthPrefix::U16);
        self.encode_data(out);
        super::close_prefix(out, LengthPrefix::U16, start);
    }

    /// Reads one extension as a ClientHello carries it (the server_name list parsed).
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Extension::read_in::<true>(r)
    }
}

impl Extension {
    /// Reads one extension of a ClientHello (`CLIENT_HELLO`) or a ServerHello.
    ///
    /// A ServerHello's server_name "SHALL be empty" (RFC 6066 section 3): any extension_data
    /// there is a decode_error at once, without parsing it as a list, so that a client-only
    /// build links no server_name list parser (the ServerHello reader is its only user of
    /// this function; the ClientHello instance, `CLIENT_HELLO = true`, is the server's).
    fn read_in<const CLIENT_HELLO: bool>(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        // The wire value, matched as such (no conversion to `ExtensionType` and back).
        let ext_type = r.u16()?;
        let mut data = read_prefixed(r, LengthPrefix::U16, 0, 0xffff)?;
        let ext = match ext_type {
            EXT_SERVER_NAME if data.is_empty() => Extension::ServerName(Vec::new()),
            EXT_SERVER_NAME if !CLIENT_HELLO => return Err(DecodeError::TrailingBytes),
            EXT_SERVER_NAME => Extension::ServerName(read_server_names(&mut data)?),
            EXT_RENEGOTIATION_INFO => Extension::RenegotiationInfo(
                read_opaque(&mut data, LengthPrefix::U8, 0, 0xff)?.to_vec(),
            ),
            other => Extension::Unknown {
                ext_type: other,
                data: data.rest().to_vec(),
            },
        };
        data.expect_empty()?;
        Ok(ext)
    }
}

/// A ClientHello's `server_name_list<1..2^16-1>` (RFC 6066 section 3), at most one name of
/// each type.
fn read_server_names(data: &mut Reader<'_>) -> Result<Vec<ServerName>, DecodeError> {
    let names: Vec<ServerName> = read_vec_u16(data, 1, 0xffff)?;
    let host_names = names
        .iter()
        .filter(|n| matches!(n, ServerName::HostName(_)))
        .count();
    if host_names > 1 {
        return Err(DecodeError::InvalidValue(
            "server_name: two host_name entries",
        ));
    }
    Ok(names)
}

/// Sorts `v` ascending in O(n log n) with no recursion and no extra memory: a heapsort is
/// a few hundred bytes of code where the standard library's `sort_unstable` (a pattern-
/// defeating quicksort with sorting networks) is about 2 KB on a Cortex-M, and the lists
/// sorted here (extension types) are short in every honest hello.
fn heapsort(v: &mut [u16]) {
    /// Moves `v[root]` down the max-heap `v[..end]` to its place.
    fn sift_down(v: &mut [u16], mut root: usize, end: usize) {
        loop {
            let mut child = 2 * root + 1;
            if child >= end {
                return;
            }
            if child + 1 < end && v[child] < v[child + 1] {
                child += 1;
            }
            if v[root] >= v[child] {
                return;
            }
            v.swap(root, child);
            root = child;
        }
    }
    for start in (0..v.len() / 2).rev() {
        sift_down(v, start, v.len());
    }
    for end in (1..v.len()).rev() {
        v.swap(0, end);
        sift_down(v, 0, end);
    }
}

/// Reads the optional extensions block that ends a ClientHello: absent when the body
/// ends here (SSL 3.0 and pre-RFC 4366 hellos), else `Extension extensions<0..2^16-1>`,
/// which must end the body and may not repeat a type. (A ServerHello's block is checked
/// by `super::server_hello`, in place.)
fn read_extensions<const CLIENT_HELLO: bool>(
    r: &mut Reader<'_>,
) -> Result<Option<Vec<Extension>>, DecodeError> {
    if r.is_empty() {
        return Ok(None);
    }
    let block = read_prefixed(r, LengthPrefix::U16, 0, 0xffff)?;
    let exts = read_extension_list::<CLIENT_HELLO>(block)?;
    r.expect_empty()?;
    match smallest_duplicate_sorted(&exts) {
        Some(t) => Err(DecodeError::DuplicateExtension(t)),
        None => Ok(Some(exts)),
    }
}

/// Every extension of a block (without its length), in order.
fn read_extension_list<const CLIENT_HELLO: bool>(
    mut block: Reader<'_>,
) -> Result<Vec<Extension>, DecodeError> {
    // One loop reads the extensions (no iterator chains: each is a copy of generic code in
    // a small build).
    let mut exts = Vec::new();
    while !block.is_empty() {
        exts.push(Extension::read_in::<CLIENT_HELLO>(&mut block)?);
    }
    Ok(exts)
}

/// The smallest extension type that occurs twice in a ClientHello's `exts`: the types are
/// sorted, which keeps a server's check linear-logarithmic however many empty extensions
/// a client packs into 64 KiB.
fn smallest_duplicate_sorted(exts: &[Extension]) -> Option<u16> {
    let mut types: Vec<u16> = Vec::with_capacity(exts.len());
    for e in exts {
        types.push(e.code());
    }
    heapsort(&mut types);
    let mut i = 1;
    while i < types.len() {
        if types[i - 1] == types[i] {
            return Some(types[i]);
        }
        i += 1;
    }
    None
}

/// The per-extension rules of [`super::extension_rules`] for the hello `hello`.
fn check_extensions(exts: Option<&[Extension]>, hello: Hello) -> Result<(), DecodeError> {
    super::extension_rules::check(exts.unwrap_or_default(), hello)
}

fn encode_extensions(out: &mut Vec<u8>, exts: &Option<Vec<Extension>>) {
    if let Some(exts) = exts {
        encode_vec_u16(out, exts);
    }
}

fn find_extension(exts: &Option<Vec<Extension>>, t: ExtensionType) -> Option<&Extension> {
    let t = t.get();
    exts.as_deref()?.iter().find(|e| e.code() == t)
}

fn read_session_id(r: &mut Reader<'_>) -> Result<Vec<u8>, DecodeError> {
    Ok(read_opaque(r, LengthPrefix::U8, 0, MAX_SESSION_ID_LEN)?.to_vec())
}

/// ClientHello (RFC 2246 section 7.4.1.2, RFC 4347 section 4.2.1 for DTLS's cookie).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClientHello {
    /// The highest version the client supports.
    pub client_version: ProtocolVersion,
    /// gmt_unix_time and 28 random bytes.
    pub random: [u8; 32],
    /// The session to resume, `<0..32>`.
    pub session_id: Vec<u8>,
    /// DTLS only: the cookie `<0..32>`. Decoding sets it exactly when `client_version` is a
    /// DTLS version (or, with [`ClientHello::read_for_transport`], when the transport is
    /// datagrams); encoding writes it (empty if `None`) exactly when the version is DTLS's.
    pub cookie: Option<Vec<u8>>,
    /// The suites and signalling values offered, in the client's order, `<2..2^16-2>`.
    pub cipher_suites: Vec<CipherSuite>,
    /// The compression methods offered, `<1..2^8-1>`.
    pub compression_methods: Vec<CompressionMethod>,
    /// `None` when the hello ends after the compression methods (SSL 3.0 clients and
    /// TLS clients that send no extensions); `Some` (possibly empty) otherwise.
    pub extensions: Option<Vec<Extension>>,
}

impl ClientHello {
    /// Whether TLS_EMPTY_RENEGOTIATION_INFO_SCSV is offered (RFC 5746 section 3.3).
    pub fn has_scsv(&self) -> bool {
        self.cipher_suites
            .contains(&CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV)
    }

    /// Whether TLS_FALLBACK_SCSV is offered (RFC 7507 section 3).
    pub fn has_fallback_scsv(&self) -> bool {
        self.cipher_suites.contains(&CipherSuite::TLS_FALLBACK_SCSV)
    }

    /// The renegotiated_connection of a renegotiation_info extension, if one was sent.
    pub fn renegotiation_info(&self) -> Option<&[u8]> {
        match find_extension(&self.extensions, ExtensionType::RenegotiationInfo)? {
            Extension::RenegotiationInfo(rc) => Some(rc),
            _ => None,
        }
    }

    /// The host_name of a server_name extension, if one was sent.
    pub fn server_name(&self) -> Option<&[u8]> {
        match find_extension(&self.extensions, ExtensionType::ServerName)? {
            Extension::ServerName(names) => names.iter().find_map(|n| match n {
                ServerName::HostName(h) => Some(h.as_slice()),
                ServerName::Unknown { .. } => None,
            }),
            _ => None,
        }
    }

    /// The extension of type `t`, if present.
    pub fn extension(&self, t: ExtensionType) -> Option<&Extension> {
        find_extension(&self.extensions, t)
    }
}

/// The fields of a ClientHello body, borrowed: what [`ClientHello::encode_parts`] writes.
/// A client's first hello is written from these straight into its message, without a
/// `ClientHello` value (whose vectors would be copies of the client's own).
pub(crate) struct ClientHelloParts<'a> {
    pub client_version: ProtocolVersion,
    pub random: &'a [u8; 32],
    pub session_id: &'a [u8],
    /// Written (empty if `None`) exactly when `client_version` is a DTLS version.
    pub cookie: Option<&'a [u8]>,
    pub cipher_suites: &'a [CipherSuite],
    pub compression_methods: &'a [CompressionMethod],
    /// The encoded extensions (each type, length, data) without the block's length; `None`
    /// ends the hello after the compression methods.
    pub extensions: Option<&'a [u8]>,
}

impl ClientHello {
    /// Writes a ClientHello body from its parts: the one encoder of the message (the
    /// `Codec` impl calls it with the value's fields), not generic.
    pub(crate) fn encode_parts(p: &ClientHelloParts<'_>, out: &mut Vec<u8>) {
        p.client_version.encode(out);
        out.extend_from_slice(p.random);
        encode_opaque(out, LengthPrefix::U8, p.session_id);
        if p.client_version.is_dtls() {
            encode_opaque(out, LengthPrefix::U8, p.cookie.unwrap_or_default());
        }
        // The two lists as plain loops between the prefix helpers: a client links no
        // `encode_vec` instance per element type for the one message that has them.
        let start = open_prefix(out, LengthPrefix::U16);
        for &suite in p.cipher_suites {
            out.extend_from_slice(&suite.get().to_be_bytes());
        }
        close_prefix(out, LengthPrefix::U16, start);
        let start = open_prefix(out, LengthPrefix::U8);
        for &method in p.compression_methods {
            out.extend_from_slice(&[method.get()]);
        }
        close_prefix(out, LengthPrefix::U8, start);
        if let Some(block) = p.extensions {
            encode_opaque(out, LengthPrefix::U16, block);
        }
    }
}

impl Codec<'_> for ClientHello {
    fn encode(&self, out: &mut Vec<u8>) {
        let block = self.extensions.as_ref().map(|exts| {
            let mut block = Vec::new();
            for e in exts {
                e.encode(&mut block);
            }
            block
        });
        let parts = ClientHelloParts {
            client_version: self.client_version,
            random: &self.random,
            session_id: &self.session_id,
            cookie: self.cookie.as_deref(),
            cipher_suites: &self.cipher_suites,
            compression_methods: &self.compression_methods,
            extensions: block.as_deref(),
        };
        ClientHello::encode_parts(&parts, out);
    }

    /// Reads a whole ClientHello body; the cookie is read when the version is DTLS's (a
    /// server knows its transport: see [`ClientHello::read_for_transport`]).
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        ClientHello::read_fields(r, None)
    }
}

impl ClientHello {
    /// Reads a whole ClientHello body sent over a datagram (`dtls`, with a cookie) or a
    /// stream transport (without one, whatever the version says: RFC 2246 appendix E.1's
    /// version tolerance lets a TLS hello name {254,254}, which only looks like DTLS).
    pub fn read_for_transport(body: &[u8], dtls: bool) -> Result<Self, DecodeError> {
        let r = &mut Reader::new(body);
        let hello = ClientHello::read_fields(r, Some(dtls))?;
        r.expect_empty()?;
        Ok(hello)
    }

    /// The fields, with a cookie when `dtls` says so (when `None`: when the version is a
    /// DTLS one).
    fn read_fields(r: &mut Reader<'_>, dtls: Option<bool>) -> Result<Self, DecodeError> {
        let client_version = ProtocolVersion::read(r)?;
        let random = r.take_array::<32>()?;
        let session_id = read_session_id(r)?;
        let cookie = if dtls.unwrap_or(client_version.is_dtls()) {
            Some(read_opaque(r, LengthPrefix::U8, 0, MAX_COOKIE_LEN)?.to_vec())
        } else {
            None
        };
        let mut suites = read_prefixed(r, LengthPrefix::U16, 2, 0xfffe)?;
        if !suites.remaining().is_multiple_of(2) {
            return Err(DecodeError::LengthOverLimit);
        }
        let mut cipher_suites = Vec::with_capacity(suites.remaining() / 2);
        while !suites.is_empty() {
            cipher_suites.push(CipherSuite::read(&mut suites)?);
        }
        let compression_methods = read_vec_u8(r, 1, 0xff)?;
        let extensions = read_extensions::<true>(r)?;
        check_extensions(extensions.as_deref(), Hello::Client)?;
        Ok(ClientHello {
            client_version,
            random,
            session_id,
            cookie,
            cipher_suites,
            compression_methods,
            extensions,
        })
    }
}

/// ServerHello (RFC 2246 section 7.4.1.3; the same in DTLS).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerHello {
    /// The version chosen.
    pub server_version: ProtocolVersion,
    /// gmt_unix_time and 28 random bytes.
    pub random: [u8; 32],
    /// The session's id, `<0..32>` (empty: not resumable).
    pub session_id: Vec<u8>,
    /// The suite chosen.
    pub cipher_suite: CipherSuite,
    /// The compression method chosen.
    pub compression_method: CompressionMethod,
    /// `None` when the hello ends after the compression method.
    pub extensions: Option<Vec<Extension>>,
}

impl ServerHello {
    /// The renegotiated_connection of a renegotiation_info extension, if one was sent.
    pub fn renegotiation_info(&self) -> Option<&[u8]> {
        match find_extension(&self.extensions, ExtensionType::RenegotiationInfo)? {
            Extension::RenegotiationInfo(rc) => Some(rc),
            _ => None,
        }
    }

    /// The extension of type `t`, if present.
    pub fn extension(&self, t: ExtensionType) -> Option<&Extension> {
        find_extension(&self.extensions, t)
    }
}

impl Codec<'_> for ServerHello {
    fn encode(&self, out: &mut Vec<u8>) {
        self.server_version.encode(out);
        out.extend_from_slice(&self.random);
        encode_opaque(out, LengthPrefix::U8, &self.session_id);
        self.cipher_suite.encode(out);
        self.compression_method.encode(out);
        encode_extensions(out, &self.extensions);
    }

    /// Reads a whole ServerHello body: the optional extensions block must end it, so
    /// this never leaves bytes unread (a caller need not check, as `read_bytes` does).
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        ServerHello::read_fields(r)
    }
}

impl ServerHello {
    /// The fields of [`ServerHello::read`]: the body is checked in place by the reader the
    /// client uses (`super::server_hello`), then its extensions are parsed into values.
    fn read_fields(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let view = super::server_hello::ServerHelloView::read(r)?;
        let mut random = [0u8; 32];
        random.copy_from_slice(view.random);
        let extensions = match view.extensions {
            Some(block) => Some(read_extension_list::<false>(Reader::new(block))?),
            None => None,
        };
        Ok(ServerHello {
            server_version: view.server_version,
            random,
            session_id: view.session_id.to_vec(),
            cipher_suite: view.cipher_suite,
            compression_method: view.compression_method,
            extensions,
        })
    }
}

/// HelloVerifyRequest (DTLS only, RFC 4347 section 4.2.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelloVerifyRequest {
    /// The server's version: 0xFEFF (DTLS 1.0) whatever the server will negotiate (RFC 6347
    /// section 4.2.1); a client does not negotiate from it.
    pub server_version: ProtocolVersion,
    /// The cookie the client must echo, `<0..32>`.
    pub cookie: Vec<u8>,
}

impl Codec<'_> for HelloVerifyRequest {
    fn encode(&self, out: &mut Vec<u8>) {
        self.server_version.encode(out);
        encode_opaque(out, LengthPrefix::U8, &self.cookie);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let server_version = ProtocolVersion::read(r)?;
        let cookie = read_opaque(r, LengthPrefix::U8, 0, MAX_COOKIE_LEN)?.to_vec();
        r.expect_empty()?;
        Ok(HelloVerifyRequest {
            server_version,
            cookie,
        })
    }
}

/// Certificate (RFC 2246 section 7.4.2): DER certificates, sender's first, not parsed here.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Certificate {
    /// `ASN.1Cert certificate_list<0..2^24-1>`, each `<1..2^24-1>`; empty when a client
    /// has no certificate to send (TLS; an SSL 3.0 client sends a no_certificate alert).
    pub certificate_list: Vec<Vec<u8>>,
}

impl Codec<'_> for Certificate {
    fn encode(&self, out: &mut Vec<u8>) {
        // The halves of `encode_with_prefix` around the loop: no closure instance.
        let start = super::open_prefix(out, LengthPrefix::U24);
        for cert in &self.certificate_list {
            encode_opaque(out, LengthPrefix::U24, cert);
        }
        super::close_prefix(out, LengthPrefix::U24, start);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let mut list = read_prefixed(r, LengthPrefix::U24, 0, 0xff_ffff)?;
        let mut certificate_list = Vec::new();
        while !list.is_empty() {
            certificate_list
                .push(read_opaque(&mut list, LengthPrefix::U24, 1, 0xff_ffff)?.to_vec());
        }
        r.expect_empty()?;
        Ok(Certificate { certificate_list })
    }

    /// `read` already consumes the whole body (the list must end it): no second check.
    fn read_bytes(bytes: &[u8]) -> Result<Self, DecodeError> {
        Certificate::read(&mut Reader::new(bytes))
    }
}

/// The key exchange a suite uses, which decides the layout of ServerKeyExchange and
/// ClientKeyExchange (RFC 2246 sections 7.4.3 and 7.4.7, RFC 4279 sections 2 and 3).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyExchangeKind {
    /// RSA: no ServerKeyExchange; the client sends an encrypted premaster secret.
    Rsa,
    /// Ephemeral Diffie-Hellman signed with the server's RSA key.
    DheRsa,
    /// Anonymous Diffie-Hellman: parameters without signature.
    DhAnon,
    /// Plain pre-shared key.
    Psk,
    /// Ephemeral Diffie-Hellman with a pre-shared key.
    DhePsk,
    /// Ephemeral elliptic-curve Diffie-Hellman, signed (RSA or ECDSA; RFC 8422 section 5.4).
    Ecdhe,
}

/// ServerDHParams: p, g and the server's public value Ys, each `<1..2^16-1>` big-endian.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerDhParams {
    /// The prime modulus.
    pub dh_p: Vec<u8>,
    /// The generator.
    pub dh_g: Vec<u8>,
    /// The server's public value g^X mod p.
    pub dh_ys: Vec<u8>,
}

impl Codec<'_> for ServerDhParams {
    /// The encoding is also what a DHE_RSA signature covers after the two randoms.
    fn encode(&self, out: &mut Vec<u8>) {
        encode_opaque(out, LengthPrefix::U16, &self.dh_p);
        encode_opaque(out, LengthPrefix::U16, &self.dh_g);
        encode_opaque(out, LengthPrefix::U16, &self.dh_ys);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(ServerDhParams {
            dh_p: read_opaque(r, LengthPrefix::U16, 1, 0xffff)?.to_vec(),
            dh_g: read_opaque(r, LengthPrefix::U16, 1, 0xffff)?.to_vec(),
            dh_ys: read_opaque(r, LengthPrefix::U16, 1, 0xffff)?.to_vec(),
        })
    }
}

/// ServerKeyExchange (RFC 2246 section 7.4.3, RFC 6101 section 5.6.3, RFC 4279).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerKeyExchange {
    /// DHE_RSA: parameters and an RSA signature over MD5(randoms + params) ||
    /// SHA1(randoms + params), as a `<0..2^16-1>` vector in SSL 3.0 and TLS 1.0/1.1 alike;
    /// in TLS 1.2 a `digitally-signed` struct: the SignatureAndHashAlgorithm first
    /// (RFC 5246 section 4.7), then the signature over the hash it names.
    DheRsa {
        /// The DH parameters.
        params: ServerDhParams,
        /// TLS 1.2: the signature's algorithm; `None` before TLS 1.2.
        sig_alg: Option<SignatureScheme>,
        /// The signature.
        signature: Vec<u8>,
    },
    /// DH_anon: parameters only.
    DhAnon {
        /// The DH parameters.
        params: ServerDhParams,
    },
    /// PSK: `opaque psk_identity_hint<0..2^16-1>`.
    Psk {
        /// The hint.
        identity_hint: Vec<u8>,
    },
    /// DHE_PSK: the hint, then the parameters (RFC 4279 section 3).
    DhePsk {
        /// The hint.
        identity_hint: Vec<u8>,
        /// The DH parameters.
        params: ServerDhParams,
    },
    /// ECDHE_RSA and ECDHE_ECDSA (RFC 8422 section 5.4): the curve and point, then the
    /// signature, framed as DHE_RSA's is in each version.
    Ecdhe {
        /// The curve and the server's ephemeral point.
        params: ServerEcdhParams,
        /// TLS 1.2: the signature's algorithm; `None` before TLS 1.2.
        sig_alg: Option<SignatureScheme>,
        /// The signature (PKCS#1 v1.5, or a DER `ECDSA-Sig-Value`).
        signature: Vec<u8>,
    },
}

/// An ECDHE ServerKeyExchange's fields borrowed from the message (RFC 8422 section 5.4):
/// what the client checks, read in place. The client builds no [`ServerKeyExchange`] for
/// it, so an ECDHE-only client copies neither the point nor the signature and links no
/// drop code for the DH variants.
pub(crate) struct EcdheServerKeyExchangeView<'a> {
    /// The `NamedGroup` of the curve.
    pub(crate) named_group: u16,
    /// The server's ephemeral point.
    pub(crate) point: &'a [u8],
    /// TLS 1.2: the signature's algorithm; `None` before TLS 1.2.
    pub(crate) sig_alg: Option<SignatureScheme>,
    /// The signature.
    pub(crate) signature: &'a [u8],
}

impl<'a> EcdheServerKeyExchangeView<'a> {
    /// The curve and point, then their signature, framed as in `version`.
    pub(crate) fn read(r: &mut Reader<'a>, version: ProtocolVersion) -> Result<Self, DecodeError> {
        let (named_group, point) = super::ec_extensions::read_params_parts(r)?;
        let sig_alg = read_sig_alg(r, version)?;
        let signature = read_opaque(r, LengthPrefix::U16, 0, 0xffff)?;
        Ok(EcdheServerKeyExchangeView {
            named_group,
            point,
            sig_alg,
            signature,
        })
    }
}

impl ServerKeyExchange {
    /// Reads a whole ServerKeyExchange body for the negotiated key exchange in SSL 3.0 to
    /// TLS 1.1 framing; RSA suites have no ServerKeyExchange in matrix (no export suites),
    /// so `Rsa` always fails.
    pub fn read(r: &mut Reader<'_>, kind: KeyExchangeKind) -> Result<Self, DecodeError> {
        Self::read_in(r, kind, ProtocolVersion::TLSv1_1)
    }

    /// [`ServerKeyExchange::read`] in `version`'s framing (TLS 1.2's signatures carry
    /// their algorithm).
    pub fn read_in(
        r: &mut Reader<'_>,
        kind: KeyExchangeKind,
        version: ProtocolVersion,
    ) -> Result<Self, DecodeError> {
        let ske = match kind {
            KeyExchangeKind::Rsa => return Err(Self::RSA_HAS_NONE),
            KeyExchangeKind::DheRsa => Self::read_dhe_rsa(r, version)?,
            KeyExchangeKind::DhAnon => Self::read_dh_anon(r)?,
            KeyExchangeKind::Psk => Self::read_psk(r)?,
            KeyExchangeKind::DhePsk => Self::read_dhe_psk(r)?,
            KeyExchangeKind::Ecdhe => Self::read_ecdhe(r, version)?,
        };
        r.expect_empty()?;
        Ok(ske)
    }

    /// Why an RSA suite's ServerKeyExchange is refused.
    pub(crate) const RSA_HAS_NONE: DecodeError =
        DecodeError::InvalidValue("ServerKeyExchange for RSA");

    // One reader per layout (the body's start; the caller checks that nothing follows), so
    // that a build links only the layouts of its key exchanges (`handshake::kx`).

    /// DHE_RSA: the parameters and their signature.
    pub(crate) fn read_dhe_rsa(
        r: &mut Reader<'_>,
        version: ProtocolVersion,
    ) -> Result<Self, DecodeError> {
        Ok(ServerKeyExchange::DheRsa {
            params: ServerDhParams::read(r)?,
            sig_alg: read_sig_alg(r, version)?,
            signature: read_opaque(r, LengthPrefix::U16, 0, 0xffff)?.to_vec(),
        })
    }

    /// DH_anon: the parameters.
    pub(crate) fn read_dh_anon(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(ServerKeyExchange::DhAnon {
            params: ServerDhParams::read(r)?,
        })
    }

    /// PSK: the identity hint.
    pub(crate) fn read_psk(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(ServerKeyExchange::Psk {
            identity_hint: Self::read_psk_hint(r)?.to_vec(),
        })
    }

    /// PSK's whole layout, the identity hint, in place (the client keeps only the hint).
    pub(crate) fn read_psk_hint<'a>(r: &mut Reader<'a>) -> Result<&'a [u8], DecodeError> {
        read_opaque(r, LengthPrefix::U16, 0, 0xffff)
    }

    /// DHE_PSK: the identity hint, then the parameters.
    pub(crate) fn read_dhe_psk(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(ServerKeyExchange::DhePsk {
            identity_hint: read_opaque(r, LengthPrefix::U16, 0, 0xffff)?.to_vec(),
            params: ServerDhParams::read(r)?,
        })
    }

    /// ECDHE: the curve and point, then their signature.
    pub(crate) fn read_ecdhe(
        r: &mut Reader<'_>,
        version: ProtocolVersion,
    ) -> Result<Self, DecodeError> {
        // Every field read (borrowed) before anything is copied: a failure drops nothing.
        let v = EcdheServerKeyExchangeView::read(r, version)?;
        Ok(ServerKeyExchange::Ecdhe {
            params: ServerEcdhParams {
                named_group: v.named_group,
                point: v.point.to_vec(),
            },
            sig_alg: v.sig_alg,
            signature: v.signature.to_vec(),
        })
    }

    /// Appends the body.
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            ServerKeyExchange::DheRsa {
                params,
                sig_alg,
                signature,
            } => {
                params.encode(out);
                if let Some(a) = sig_alg {
                    a.encode(out);
                }
                encode_opaque(out, LengthPrefix::U16, signature);
            }
            ServerKeyExchange::Ecdhe {
                params,
                sig_alg,
                signature,
            } => {
                params.encode(out);
                if let Some(a) = sig_alg {
                    a.encode(out);
                }
                encode_opaque(out, LengthPrefix::U16, signature);
            }
            ServerKeyExchange::DhAnon { params } => params.encode(out),
            ServerKeyExchange::Psk { identity_hint } => {
                encode_opaque(out, LengthPrefix::U16, identity_hint);
            }
            ServerKeyExchange::DhePsk {
                identity_hint,
                params,
            } => {
                encode_opaque(out, LengthPrefix::U16, identity_hint);
                params.encode(out);
            }
        }
    }

    /// The key exchange this message belongs to.
    pub fn kind(&self) -> KeyExchangeKind {
        match self {
            ServerKeyExchange::DheRsa { .. } => KeyExchangeKind::DheRsa,
            ServerKeyExchange::DhAnon { .. } => KeyExchangeKind::DhAnon,
            ServerKeyExchange::Psk { .. } => KeyExchangeKind::Psk,
            ServerKeyExchange::DhePsk { .. } => KeyExchangeKind::DhePsk,
            ServerKeyExchange::Ecdhe { .. } => KeyExchangeKind::Ecdhe,
        }
    }

    /// The DH parameters, if this exchange has them.
    pub fn dh_params(&self) -> Option<&ServerDhParams> {
        match self {
            ServerKeyExchange::DheRsa { params, .. }
            | ServerKeyExchange::DhAnon { params }
            | ServerKeyExchange::DhePsk { params, .. } => Some(params),
            ServerKeyExchange::Psk { .. } | ServerKeyExchange::Ecdhe { .. } => None,
        }
    }
}

/// CertificateRequest (RFC 2246 section 7.4.4).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateRequest {
    /// `certificate_types<1..2^8-1>`.
    pub certificate_types: Vec<ClientCertificateType>,
    /// TLS 1.2: `supported_signature_algorithms<2..2^16-2>` (RFC 5246 section 7.4.4);
    /// `None` before TLS 1.2.
    pub signature_algorithms: Option<Vec<SignatureScheme>>,
    /// `DistinguishedName certificate_authorities<0..2^16-1>`, each DER `<1..2^16-1>`.
    /// RFC 6101 asks for at least one name in SSL 3.0, but an empty list is accepted in
    /// every version (MatrixSSL's SERVER_CAN_SEND_EMPTY_CERT_REQUEST sends one).
    pub certificate_authorities: Vec<Vec<u8>>,
}

impl Codec<'_> for CertificateRequest {
    fn encode(&self, out: &mut Vec<u8>) {
        encode_vec_u8(out, &self.certificate_types);
        if let Some(algs) = &self.signature_algorithms {
            encode_vec_u16(out, algs);
        }
        encode_with_prefix(out, LengthPrefix::U16, |o| {
            for dn in &self.certificate_authorities {
                encode_opaque(o, LengthPrefix::U16, dn);
            }
        });
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Self::read_in(r, ProtocolVersion::TLSv1_1)
    }
}

impl CertificateRequest {
    /// Reads a whole CertificateRequest body in `version`'s framing.
    pub fn read_in(r: &mut Reader<'_>, version: ProtocolVersion) -> Result<Self, DecodeError> {
        let mut certificate_authorities = Vec::new();
        let (types, signature_algorithms) = Self::read_parts(r, version.is_tls12(), |dn| {
            certificate_authorities.push(dn.to_vec())
        })?;
        Ok(CertificateRequest {
            certificate_types: types
                .iter()
                .map(|&t| ClientCertificateType::from(t))
                .collect(),
            signature_algorithms,
            certificate_authorities,
        })
    }

    /// Reads a whole CertificateRequest body without copying it: the certificate_types
    /// bytes (every byte is a type: unknown ones are kept as received), the
    /// signature_algorithms when `tls12` (TLS 1.2's framing), and each CA name handed to
    /// `ca`. The failures of [`CertificateRequest::read_in`]. A client that does not
    /// authenticate itself takes nothing but their form from the types and the names, and
    /// a build without `tls-1-2` passes a constant `false` (inlined: no
    /// signature_algorithms parser is linked).
    #[inline(always)]
    pub(crate) fn read_parts<'a>(
        r: &mut Reader<'a>,
        tls12: bool,
        mut ca: impl FnMut(&'a [u8]),
    ) -> Result<(&'a [u8], Option<Vec<SignatureScheme>>), DecodeError> {
        let types = read_opaque(r, LengthPrefix::U8, 1, 0xff)?;
        let signature_algorithms = if tls12 {
            Some(read_signature_schemes(r)?)
        } else {
            None
        };
        let mut list = read_prefixed(r, LengthPrefix::U16, 0, 0xffff)?;
        while !list.is_empty() {
            ca(read_opaque(&mut list, LengthPrefix::U16, 1, 0xffff)?);
        }
        r.expect_empty()?;
        Ok((types, signature_algorithms))
    }
}

/// ClientKeyExchange (RFC 2246 section 7.4.7, RFC 6101 section 5.6.7, RFC 4279).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClientKeyExchange {
    /// RSA: the PKCS#1-encrypted premaster secret. TLS prefixes it with a 2-byte length;
    /// SSL 3.0 implementations (Netscape's, OpenSSL's, MatrixSSL's) send it bare, filling
    /// the body.
    Rsa {
        /// The encrypted premaster secret.
        encrypted_pre_master_secret: Vec<u8>,
    },
    /// DHE_RSA and DH_anon: the client's explicit public value Yc `<1..2^16-1>`.
    Dh {
        /// g^Xc mod p.
        dh_yc: Vec<u8>,
    },
    /// PSK: `opaque psk_identity<0..2^16-1>`.
    Psk {
        /// The identity.
        identity: Vec<u8>,
    },
    /// DHE_PSK: the identity, then Yc.
    DhePsk {
        /// The identity.
        identity: Vec<u8>,
        /// g^Xc mod p.
        dh_yc: Vec<u8>,
    },
    /// ECDHE: the client's ephemeral point, `ECPoint.point<1..2^8-1>` (RFC 8422 section 5.7).
    Ecdh {
        /// The uncompressed SEC 1 point, or the X25519 u-coordinate.
        point: Vec<u8>,
    },
}

impl ClientKeyExchange {
    /// Reads a whole ClientKeyExchange body for the negotiated key exchange and version
    /// (only RSA's framing depends on the version).
    pub fn read(
        r: &mut Reader<'_>,
        kind: KeyExchangeKind,
        version: ProtocolVersion,
    ) -> Result<Self, DecodeError> {
        let cke = match kind {
            KeyExchangeKind::Rsa => Self::read_rsa(r, version)?,
            KeyExchangeKind::DheRsa | KeyExchangeKind::DhAnon => Self::read_dh(r)?,
            KeyExchangeKind::Psk => Self::read_psk(r)?,
            KeyExchangeKind::DhePsk => Self::read_dhe_psk(r)?,
            KeyExchangeKind::Ecdhe => Self::read_ecdh(r)?,
        };
        r.expect_empty()?;
        Ok(cke)
    }

    // One reader per layout, as for ServerKeyExchange.

    /// RSA: the encrypted premaster secret, bare in SSL 3.0.
    pub(crate) fn read_rsa(
        r: &mut Reader<'_>,
        version: ProtocolVersion,
    ) -> Result<Self, DecodeError> {
        let secret = if version.is_ssl3() {
            let secret = r.rest();
            if secret.is_empty() {
                return Err(DecodeError::Truncated);
            }
            secret
        } else {
            read_opaque(r, LengthPrefix::U16, 0, 0xffff)?
        };
        Ok(ClientKeyExchange::Rsa {
            encrypted_pre_master_secret: secret.to_vec(),
        })
    }

    /// DHE_RSA and DH_anon: Yc.
    pub(crate) fn read_dh(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(ClientKeyExchange::Dh {
            dh_yc: read_opaque(r, LengthPrefix::U16, 1, 0xffff)?.to_vec(),
        })
    }

    /// PSK: the identity.
    pub(crate) fn read_psk(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(ClientKeyExchange::Psk {
            identity: read_opaque(r, LengthPrefix::U16, 0, 0xffff)?.to_vec(),
        })
    }

    /// DHE_PSK: the identity, then Yc.
    pub(crate) fn read_dhe_psk(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(ClientKeyExchange::DhePsk {
            identity: read_opaque(r, LengthPrefix::U16, 0, 0xffff)?.to_vec(),
            dh_yc: read_opaque(r, LengthPrefix::U16, 1, 0xffff)?.to_vec(),
        })
    }

    /// ECDHE: the point.
    pub(crate) fn read_ecdh(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(ClientKeyExchange::Ecdh {
            point: super::ec_extensions::read_ec_point(r)?.to_vec(),
        })
    }

    /// Appends the body in `version`'s framing.
    pub fn encode(&self, out: &mut Vec<u8>, version: ProtocolVersion) {
        match self {
            ClientKeyExchange::Rsa {
                encrypted_pre_master_secret,
            } if version.is_ssl3() => {
                out.extend_from_slice(encrypted_pre_master_secret);
            }
            ClientKeyExchange::Rsa {
                encrypted_pre_master_secret,
            } => {
                encode_opaque(out, LengthPrefix::U16, encrypted_pre_master_secret);
            }
            ClientKeyExchange::Dh { dh_yc } => encode_opaque(out, LengthPrefix::U16, dh_yc),
            ClientKeyExchange::Psk { identity } => encode_opaque(out, LengthPrefix::U16, identity),
            ClientKeyExchange::DhePsk { identity, dh_yc } => {
                encode_opaque(out, LengthPrefix::U16, identity);
                encode_opaque(out, LengthPrefix::U16, dh_yc);
            }
            ClientKeyExchange::Ecdh { point } => super::ec_extensions::encode_ec_point(out, point),
        }
    }
}

/// CertificateVerify (RFC 2246 section 7.4.8, RFC 6101 section 5.6.8): an RSA signature
/// over MD5 || SHA-1 of the handshake messages, as `<0..2^16-1>` in every version: unlike
/// the RSA premaster secret, SSL 3.0 implementations (OpenSSL's, MatrixSSL's) prefix the
/// signature with its length, as they do the ServerKeyExchange signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificateVerify {
    /// TLS 1.2: the signature's algorithm (RFC 5246 section 7.4.8); `None` before.
    pub sig_alg: Option<SignatureScheme>,
    /// The signature.
    pub signature: Vec<u8>,
}

impl Codec<'_> for CertificateVerify {
    fn encode(&self, out: &mut Vec<u8>) {
        if let Some(a) = self.sig_alg {
            a.encode(out);
        }
        encode_opaque(out, LengthPrefix::U16, &self.signature);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Self::read_in(r, ProtocolVersion::TLSv1_1)
    }
}

impl CertificateVerify {
    /// Reads a whole CertificateVerify body in `version`'s framing.
    pub fn read_in(r: &mut Reader<'_>, version: ProtocolVersion) -> Result<Self, DecodeError> {
        let sig_alg = read_sig_alg(r, version)?;
        let signature = read_opaque(r, LengthPrefix::U16, 0, 0xffff)?.to_vec();
        r.expect_empty()?;
        Ok(CertificateVerify { sig_alg, signature })
    }
}

/// A `SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>` list (RFC 5246
/// sections 7.4.1.4.1 and 7.4.4): `read_vec_u16`'s result and failures (an odd length is
/// [`DecodeError::Truncated`] at the last entry) without an instance of the generic vector
/// reader.
#[inline(always)]
pub(crate) fn read_signature_schemes(
    r: &mut Reader<'_>,
) -> Result<Vec<SignatureScheme>, DecodeError> {
    let mut list = read_prefixed(r, LengthPrefix::U16, 2, 0xfffe)?;
    let mut schemes = Vec::new();
    while !list.is_empty() {
        schemes.push(SignatureScheme::from(list.u16()?));
    }
    Ok(schemes)
}

/// The SignatureAndHashAlgorithm that starts a TLS 1.2 `digitally-signed` struct; none
/// before TLS 1.2.
#[inline(always)]
fn read_sig_alg(
    r: &mut Reader<'_>,
    version: ProtocolVersion,
) -> Result<Option<SignatureScheme>, DecodeError> {
    if version.is_tls12() {
        Ok(Some(SignatureScheme::from(r.u16()?)))
    } else {
        Ok(None)
    }
}

/// Finished (RFC 2246 section 7.4.9, RFC 6101 section 5.6.9): the verify data fills the
/// body, 12 bytes in TLS and DTLS, 36 in SSL 3.0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finished {
    /// The verify data (compare it in constant time).
    pub verify_data: Vec<u8>,
}

impl Finished {
    /// The verify data's length in `version`.
    pub fn len_for(version: ProtocolVersion) -> usize {
        if version.is_ssl3() {
            SSL3_FINISHED_LEN
        } else {
            TLS_FINISHED_LEN
        }
    }

    /// Reads a whole Finished body of `version`'s length.
    pub fn read(r: &mut Reader<'_>, version: ProtocolVersion) -> Result<Self, DecodeError> {
        Ok(Finished {
            verify_data: Self::read_in_place(r, version)?.to_vec(),
        })
    }

    /// [`Finished::read`] without the copy: the verify data borrowed from the body (what
    /// the handshakes compare, with the same checks and errors).
    pub(crate) fn read_in_place<'a>(
        r: &mut Reader<'a>,
        version: ProtocolVersion,
    ) -> Result<&'a [u8], DecodeError> {
        let verify_data = r.take(Self::len_for(version))?;
        r.expect_empty()?;
        Ok(verify_data)
    }

    /// Appends the body.
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.verify_data);
    }
}

/// Appends a whole handshake message: the 4-byte header, then what `body` appends, with
/// the length patched in afterwards.
pub fn encode_handshake(
    out: &mut Vec<u8>,
    msg_type: HandshakeType,
    body: impl FnOnce(&mut Vec<u8>),
) {
    let start = open_handshake(out, msg_type);
    body(out);
    close_handshake(out, start);
}

/// Appends the 4-byte header of a handshake message with a zero length; returns where the
/// length starts (the first half of [`encode_handshake`], shared by every message).
pub(crate) fn open_handshake(out: &mut Vec<u8>, msg_type: HandshakeType) -> usize {
    msg_type.encode(out);
    super::open_prefix(out, LengthPrefix::U24)
}

/// Patches the length that [`open_handshake`] left at `start`.
pub(crate) fn close_handshake(out: &mut [u8], start: usize) {
    super::close_prefix(out, LengthPrefix::U24, start);
}

/// Appends a whole DTLS handshake message as the transcript hashes it (RFC 4347 section
/// 4.2.6): the 12-byte header of an unfragmented message (`fragment_offset` 0,
/// `fragment_length` equal to `length`) with `message_seq`, then what `body` appends, with
/// both lengths patched in afterwards.
pub fn encode_dtls_handshake(
    out: &mut Vec<u8>,
    msg_type: HandshakeType,
    message_seq: u16,
    body: impl FnOnce(&mut Vec<u8>),
) {
    let start = open_dtls_handshake(out, msg_type, message_seq);
    body(out);
    close_dtls_handshake(out, start);
}

/// Appends the 12-byte header of an unfragmented DTLS message with zero lengths; returns
/// where it starts (the first half of [`encode_dtls_handshake`]).
pub(crate) fn open_dtls_handshake(
    out: &mut Vec<u8>,
    msg_type: HandshakeType,
    message_seq: u16,
) -> usize {
    let start = out.len();
    DtlsHandshakeHeader {
        msg_type,
        length: 0,
        message_seq,
        fragment_offset: 0,
        fragment_length: 0,
    }
    .encode(out);
    start
}

/// Patches both lengths of the DTLS header that [`open_dtls_handshake`] left at `start`.
pub(crate) fn close_dtls_handshake(out: &mut [u8], start: usize) {
    let len = out.len().saturating_sub(start + DtlsHandshakeHeader::LEN);
    // A body over 2^24 - 1 bytes cannot be framed; no message of ours comes near it (the
    // largest is a certificate chain, which `Keys` bounds), so saturate rather than panic.
    let len = u32::try_from(len).unwrap_or(u32::MAX).min(0x00ff_ffff);
    let [_, a, b, c] = len.to_be_bytes();
    for at in [start + 1, start + 9] {
        if let Some(dst) = out.get_mut(at..at + 3) {
            dst.copy_from_slice(&[a, b, c]);
        }
    }
}

/// What a message body's layout depends on: the negotiated version (for RSA
/// ClientKeyExchange and Finished) and the key exchange (for both key-exchange messages),
/// which is unknown until the ServerHello has been processed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecodeContext {
    /// The version in use (the record version before a ServerHello).
    pub version: ProtocolVersion,
    /// The negotiated suite's key exchange, once known.
    pub key_exchange: Option<KeyExchangeKind>,
}

/// Any handshake message body, decoded by its type.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HandshakePayload {
    /// hello_request.
    HelloRequest(HelloRequest),
    /// client_hello.
    ClientHello(ClientHello),
    /// server_hello.
    ServerHello(ServerHello),
    /// hello_verify_request (DTLS).
    HelloVerifyRequest(HelloVerifyRequest),
    /// certificate.
    Certificate(Certificate),
    /// server_key_exchange.
    ServerKeyExchange(ServerKeyExchange),
    /// certificate_request.
    CertificateRequest(CertificateRequest),
    /// server_hello_done.
    ServerHelloDone(ServerHelloDone),
    /// certificate_verify.
    CertificateVerify(CertificateVerify),
    /// client_key_exchange.
    ClientKeyExchange(ClientKeyExchange),
    /// finished.
    Finished(Finished),
    /// A type matrix does not implement (NewSessionTicket, TLS 1.2's messages...), kept so
    /// that the state machine can answer unexpected_message.
    Unknown {
        /// The message type.
        msg_type: u8,
        /// The body.
        body: Vec<u8>,
    },
}

impl HandshakePayload {
    /// Decodes the whole `body` of a message of type `msg_type`. A key-exchange message
    /// before the key exchange is known fails with [`DecodeError::InvalidValue`].
    pub fn read(
        msg_type: HandshakeType,
        body: &[u8],
        ctx: &DecodeContext,
    ) -> Result<Self, DecodeError> {
        let r = &mut Reader::new(body);
        let kex = || {
            ctx.key_exchange
                .ok_or(DecodeError::InvalidValue("key exchange not negotiated"))
        };
        let p = match msg_type {
            HandshakeType::HelloRequest => HandshakePayload::HelloRequest(HelloRequest::read(r)?),
            HandshakeType::ClientHello => HandshakePayload::ClientHello(ClientHello::read(r)?),
            HandshakeType::ServerHello => HandshakePayload::ServerHello(ServerHello::read(r)?),
            HandshakeType::HelloVerifyRequest => {
                HandshakePayload::HelloVerifyRequest(HelloVerifyRequest::read(r)?)
            }
            HandshakeType::Certificate => HandshakePayload::Certificate(Certificate::read(r)?),
            HandshakeType::ServerKeyExchange => HandshakePayload::ServerKeyExchange(
                ServerKeyExchange::read_in(r, kex()?, ctx.version)?,
            ),
            HandshakeType::CertificateRequest => {
                HandshakePayload::CertificateRequest(CertificateRequest::read_in(r, ctx.version)?)
            }
            HandshakeType::ServerHelloDone => {
                HandshakePayload::ServerHelloDone(ServerHelloDone::read(r)?)
            }
            HandshakeType::CertificateVerify => {
                HandshakePayload::CertificateVerify(CertificateVerify::read_in(r, ctx.version)?)
            }
            HandshakeType::ClientKeyExchange => HandshakePayload::ClientKeyExchange(
                ClientKeyExchange::read(r, kex()?, ctx.version)?,
            ),
            HandshakeType::Finished => HandshakePayload::Finished(Finished::read(r, ctx.version)?),
            other => HandshakePayload::Unknown {
                msg_type: other.get(),
                body: r.rest().to_vec(),
            },
        };
        r.expect_empty()?;
        Ok(p)
    }

    /// The message type.
    pub fn msg_type(&self) -> HandshakeType {
        match self {
            HandshakePayload::HelloRequest(_) => HandshakeType::HelloRequest,
            HandshakePayload::ClientHello(_) => HandshakeType::ClientHello,
            HandshakePayload::ServerHello(_) => HandshakeType::ServerHello,
            HandshakePayload::HelloVerifyRequest(_) => HandshakeType::HelloVerifyRequest,
            HandshakePayload::Certificate(_) => HandshakeType::Certificate,
            HandshakePayload::ServerKeyExchange(_) => HandshakeType::ServerKeyExchange,
            HandshakePayload::CertificateRequest(_) => HandshakeType::CertificateRequest,
            HandshakePayload::ServerHelloDone(_) => HandshakeType::ServerHelloDone,
            HandshakePayload::CertificateVerify(_) => HandshakeType::CertificateVerify,
            HandshakePayload::ClientKeyExchange(_) => HandshakeType::ClientKeyExchange,
            HandshakePayload::Finished(_) => HandshakeType::Finished,
            HandshakePayload::Unknown { msg_type, .. } => HandshakeType::from(*msg_type),
        }
    }

    /// Appends the body in `version`'s framing.
    pub fn encode_body(&self, out: &mut Vec<u8>, version: ProtocolVersion) {
        match self {
            HandshakePayload::HelloRequest(m) => m.encode(out),
            HandshakePayload::ClientHello(m) => m.encode(out),
            HandshakePayload::ServerHello(m) => m.encode(out),
            HandshakePayload::HelloVerifyRequest(m) => m.encode(out),
            HandshakePayload::Certificate(m) => m.encode(out),
            HandshakePayload::ServerKeyExchange(m) => m.encode(out),
            HandshakePayload::CertificateRequest(m) => m.encode(out),
            HandshakePayload::ServerHelloDone(m) => m.encode(out),
            HandshakePayload::CertificateVerify(m) => m.encode(out),
            HandshakePayload::ClientKeyExchange(m) => m.encode(out, version),
            HandshakePayload::Finished(m) => m.encode(out),
            HandshakePayload::Unknown { body, .. } => out.extend_from_slice(body),
        }
    }

    /// Appends the whole TLS message: the 4-byte header and the body. (DTLS adds its
    /// 12-byte header and fragments in matrix-dtls.)
    pub fn encode_message(&self, out: &mut Vec<u8>, version: ProtocolVersion) {
        encode_handshake(out, self.msg_type(), |o| self.encode_body(o, version));
    }
}

#[cfg(test)]
mod heapsort_tests {
    use super::heapsort;
    use alloc::vec::Vec;

    #[test]
    fn heapsort_sorts_like_the_standard_sort() {
        let mut x: u32 = 0x1234_5678;
        for len in [0usize, 1, 2, 3, 7, 8, 33, 100, 1000] {
            let mut v: Vec<u16> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    (x % 50) as u16
                })
                .collect();
            let mut want = v.clone();
            want.sort_unstable();
            heapsort(&mut v);
            assert_eq!(v, want, "length {len}");
        }
    }

    /// The ServerHello's scan (in `super::server_hello`) and the ClientHello's sort find
    /// the same duplicate (the smallest type that occurs twice) in lists with and without
    /// repeats: a ServerHello with those extensions fails with that type, or reads.
    #[test]
    fn duplicate_scan_finds_what_the_sort_finds() {
        use super::{Extension, ServerHello, smallest_duplicate_sorted};
        use crate::codec::{Codec, DecodeError};
        fn hello_with(exts: &[Extension]) -> Vec<u8> {
            let sh = ServerHello {
                server_version: crate::codec::ProtocolVersion::TLSv1_1,
                random: [7; 32],
                session_id: alloc::vec![1; 32],
                cipher_suite: crate::codec::CipherSuite::from(0x002f),
                compression_method: crate::codec::CompressionMethod::Null,
                extensions: Some(exts.to_vec()),
            };
            sh.get_encoding()
        }
        fn scan(exts: &[Extension]) -> Option<u16> {
            match ServerHello::read_bytes(&hello_with(exts)) {
                Ok(_) => None,
                Err(DecodeError::DuplicateExtension(t)) => Some(t),
                Err(e) => panic!("{e:?}"),
            }
        }
        let mut x: u32 = 0x9e37_79b9;
        for len in [0usize, 1, 2, 3, 5, 8, 17, 40, 200] {
            for modulus in [3u32, 16, 64, 1000, 70_000] {
                let exts: Vec<Extension> = (0..len)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 17;
                        x ^= x << 5;
                        // Not the types whose ServerHello rules want a value (empty is
                        // right for all the others).
                        let t = (x % modulus) as u16;
                        match t {
                            0 => Extension::ServerName(Vec::new()),
                            0xff01 => Extension::RenegotiationInfo(Vec::new()),
                            ext_type => Extension::Unknown {
                                ext_type,
                                data: Vec::new(),
                            },
                        }
                    })
                    .collect();
                let want = smallest_duplicate_sorted(&exts);
                assert_eq!(scan(&exts), want, "{len} {modulus}");
            }
        }
        let renego = Extension::RenegotiationInfo(Vec::new());
        let sni = Extension::ServerName(Vec::new());
        let exts = [renego.clone(), sni.clone(), renego, sni];
        assert_eq!(scan(&exts), Some(0));
    }

    /// The in-place ServerHello reader (`super::server_hello`, which `ServerHello::read`
    /// now goes through) accepts and refuses what the value reader it replaced did, with
    /// the same error: that reader is kept here as the reference (extensions parsed into
    /// values, the sorted duplicate check, then the rules), and both read hellos with
    /// every extension kind, whole, cut short and with bytes flipped.
    #[test]
    fn in_place_server_hello_reader_matches_the_value_reader() {
        use super::{
            Extension, Hello, LengthPrefix, ServerHello, check_extensions, read_extension_list,
            read_prefixed, read_session_id, smallest_duplicate_sorted,
        };
        use crate::codec::{Codec, DecodeError, Reader};
        fn reference(body: &[u8]) -> Result<ServerHello, DecodeError> {
            let r = &mut Reader::new(body);
            let server_version = crate::codec::ProtocolVersion::read(r)?;
            let random = r.take_array::<32>()?;
            let session_id = read_session_id(r)?;
            let cipher_suite = crate::codec::CipherSuite::read(r)?;
            let compression_method = crate::codec::CompressionMethod::read(r)?;
            let extensions = if r.is_empty() {
                None
            } else {
                let block = read_prefixed(r, LengthPrefix::U16, 0, 0xffff)?;
                let exts = read_extension_list::<false>(block)?;
                r.expect_empty()?;
                if let Some(t) = smallest_duplicate_sorted(&exts) {
                    return Err(DecodeError::DuplicateExtension(t));
                }
                Some(exts)
            };
            check_extensions(extensions.as_deref(), Hello::Server)?;
            Ok(ServerHello {
                server_version,
                random,
                session_id,
                cipher_suite,
                compression_method,
                extensions,
            })
        }
        let unknown = |ext_type: u16, data: &[u8]| Extension::Unknown {
            ext_type,
            data: data.to_vec(),
        };
        let lists: Vec<Option<Vec<Extension>>> = alloc::vec![
            None,
            Some(Vec::new()),
            Some(alloc::vec![
                Extension::RenegotiationInfo(Vec::new()),
                unknown(23, &[]),
                unknown(22, &[]),
                unknown(35, &[]),
                unknown(11, &[1, 0]),
                Extension::ServerName(Vec::new()),
            ]),
            Some(alloc::vec![
                Extension::RenegotiationInfo(alloc::vec![9; 24]),
                unknown(23, &[1]),
                unknown(35, &[1, 2]),
                unknown(22, &[3]),
                unknown(23, &[]),
                unknown(0x1234, &[5; 40]),
            ]),
        ];
        let mut x: u32 = 0x2545_f491;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        let mut checked = 0;
        // Which outcomes the mutations reached: each of the reader's errors.
        let mut seen = [false; 6];
        for (i, extensions) in lists.into_iter().enumerate() {
            let sh = ServerHello {
                server_version: crate::codec::ProtocolVersion::TLSv1_1,
                random: [7; 32],
                session_id: alloc::vec![1; i * 10],
                cipher_suite: crate::codec::CipherSuite::from(0x008c),
                compression_method: crate::codec::CompressionMethod::Null,
                extensions,
            };
            let body = sh.get_encoding();
            // The last list breaks rules (and repeats a type): refused, by both.
            if i < 3 {
                assert_eq!(ServerHello::read_bytes(&body).as_ref(), Ok(&sh));
            } else {
                assert_eq!(
                    ServerHello::read_bytes(&body),
                    Err(DecodeError::DuplicateExtension(23))
                );
            }
            for cut in 0..=body.len() {
                let part = &body[..cut];
                assert_eq!(ServerHello::read_bytes(part), reference(part), "cut {cut}");
                checked += 1;
            }
            for _ in 0..3000 {
                let mut m = body.clone();
                for _ in 0..1 + next() % 3 {
                    let at = (next() as usize) % m.len();
                    // Mostly small values: lengths and types that still frame.
                    m[at] = match next() % 4 {
                        0 => 0,
                        1 => m[at].wrapping_add(1),
                        2 => m[at].wrapping_sub(1),
                        _ => next() as u8,
                    };
                }
                let got = ServerHello::read_bytes(&m);
                assert_eq!(got, reference(&m), "{m:?}");
                seen[match got {
                    Ok(_) => 0,
                    Err(DecodeError::Truncated) => 1,
                    Err(DecodeError::TrailingBytes) => 2,
                    Err(DecodeError::DuplicateExtension(_)) => 3,
                    Err(DecodeError::LengthOverLimit) => 4,
                    Err(_) => 5,
                }] = true;
                checked += 1;
            }
        }
        assert!(checked > 12_000);
        assert_eq!(seen[..5], [true; 5], "{seen:?}");
    }
}
