//! The client and server handshake state machines: layer 4 of `DESIGN.md`, the handshake
//! protocol of RFC 6101 section 5.6 (SSL 3.0), RFC 2246 section 7.4 (TLS 1.0),
//! RFC 4346 section 7.4 (TLS 1.1) and RFC 5246 section 7.4 (TLS 1.2, feature `tls-1-2`: the
//! differences are data, the suite's PRF over the `transcript` hashes, 12-byte Finished,
//! and `crate::sigalgs` pairs in the signed messages), full and abbreviated (resumed) handshakes with the RSA,
//! DHE_RSA and DH_anon key exchanges (sections 7.4.3 and 7.4.7) and RFC 4279's PSK and
//! DHE_PSK, client authentication (CertificateRequest, Certificate, CertificateVerify),
//! RFC 5746 secure renegotiation (a completed machine answers HelloRequest / ClientHello
//! by handing over to a fresh machine that inherits the verify_data), RFC 7507 fallback
//! signalling, RFC 7627 extended master secret and RFC 7366 encrypt-then-MAC negotiation.
//!
//! Each machine is a closed enum of states, one struct per message it expects next;
//! ChangeCipherSpec is a state of its own. A machine consumes whole handshake messages
//! (with their raw bytes for the transcript) and ChangeCipherSpec events, and produces
//! [`Outputs`]: handshake messages to send, the switch to new write keys, warning alerts.
//! It knows nothing of records, buffers or I/O, so `Session` drives it over TLS records
//! and matrix-dtls can drive it over datagrams. Every failure is a [`Fatal`] carrying the
//! alert to send; `crate::alert` is the one place where failures become alerts.
//!
//! DTLS 1.0 (RFC 4347, feature `dtls`) and DTLS 1.2 (RFC 6347, with `tls-1-2` too) run the
//! same machines when the context's versions
//! are DTLS ones (comparisons go by TLS equivalent): `HsShared::emit` then frames each
//! message with the 12-byte header of an unfragmented message and the next `message_seq`,
//! which is what the transcript hashes (section 4.2.6; received messages come with the
//! `raw` bytes `crate::engine` rebuilds the same way); the client answers
//! HelloVerifyRequest in its `ExpectServerHello` state by resending the ClientHello with
//! the cookie and restarting the transcript (section 4.2.1: neither the first ClientHello
//! nor the HelloVerifyRequest is hashed). ChangeCipherSpec in the [`Outputs`] is where the
//! epoch changes.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;

use matrix_core::Error;
use matrix_crypto::alg::HashAlgorithm;
use matrix_crypto::hash::HashContext;
use matrix_crypto::prf::{MasterSecret, Sender};
use matrix_crypto::random::SecureRandom;
#[cfg(all(feature = "cert-parse", feature = "certificates"))]
use matrix_x509::X509Cert;
use zeroize::Zeroizing;

use crate::alert::Fatal;
use crate::codec::handshake::{
    ServerDhParams, close_dtls_handshake, close_handshake, open_dtls_handshake, open_handshake,
};
use crate::codec::{
    AlertDescription, CipherSuite, HandshakeType, ProtocolVersion, SignatureScheme,
};
use crate::context::ContextInner;
use crate::keys::Keys;
use crate::record::{self, RecordDecrypter, RecordEncrypter, Side};
use crate::sigalgs::SigKind;
use crate::suites::{self, KeyExchange, SuiteInfo};

#[cfg(feature = "client-side-ssl")]
mod client;
#[cfg(feature = "client-side-ssl")]
mod client_hello;
mod ecdhe;
mod heap;
mod kx;
pub(crate) mod signing;
#[cfg(feature = "stateless-session-tickets")]
pub(crate) mod ticket;
mod transcript;

use transcript::Transcript;
#[cfg(feature = "server-side-ssl")]
mod server;
mod version;

#[cfg(feature = "client-side-ssl")]
pub(crate) use client::ClientHandshake;
#[cfg(feature = "server-side-ssl")]
pub(crate) use server::ServerHandshake;

/// What one step of a machine asks its driver to send, in order: a warning alert, then
/// the handshake messages, written back to back into one buffer (no list of owned
/// messages: each is encoded in place, and the driver reads them from there), with at most
/// one switch to new write keys placed between them.
pub(crate) struct Outputs {
    /// A warning alert to send before the messages: no_renegotiation (the step's only
    /// output), or SSL 3.0's no_certificate (where the client's flight would start with
    /// its Certificate).
    pub(crate) alert: Option<AlertDescription>,
    /// Whole handshake messages (4-byte header, or DTLS's unfragmented 12-byte one, and
    /// body), already in the transcript.
    pub(crate) bytes: Vec<u8>,
    /// Send ChangeCipherSpec under the current write state after `ccs_at` bytes of
    /// `bytes`, then protect everything after it with this encrypter (sequence numbers
    /// restart at 0).
    pub(crate) ccs: Option<Box<dyn RecordEncrypter>>,
    /// Where the ChangeCipherSpec goes, when there is one.
    pub(crate) ccs_at: usize,
    /// Where the message that `HsShared::open_message` began starts in `bytes` (only a
    /// client's ClientKeyExchange is written that way).
    #[cfg_attr(not(feature = "client-side-ssl"), allow(dead_code))]
    open: usize,
}

impl Outputs {
    /// Nothing to send yet.
    pub(crate) fn new() -> Self {
        Outputs {
            bytes: Vec::new(),
            alert: None,
            ccs: None,
            ccs_at: 0,
            open: 0,
        }
    }

    /// Queues a warning alert, sent before the messages (no step emits a message before
    /// its alert).
    pub(crate) fn warning_alert(&mut self, d: AlertDescription) {
        self.alert = Some(d);
    }
}

/// What the certificate validation callback decides (its C return value).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// 0: accept the certificate; an alert from the internal authentication is ignored.
    Continue,
    /// A positive value: fail the handshake with this fatal alert (pass the incoming one
    /// through, or bad_certificate, unsupported_certificate, certificate_revoked,
    /// certificate_expired, certificate_unknown, unknown_ca, access_denied).
    Alert(AlertDescription),
    /// A negative value: the callback itself failed; the handshake ends with
    /// internal_error.
    InternalError,
    /// `SSL_ALLOW_ANON_CONNECTION`: continue although the certificate did not
    /// authenticate; the session's `anon_status()` is then true.
    AllowAnon,
}

impl Verdict {
    /// `SSL_ALLOW_ANON_CONNECTION`'s C value.
    pub const SSL_ALLOW_ANON_CONNECTION: i32 = 254;

    /// The verdict of a C-style callback's return value: 0 continue, 254
    /// (`SSL_ALLOW_ANON_CONNECTION`) anonymous, another positive value that alert (values
    /// over 255 are an internal error), a negative value internal_error.
    pub fn from_code(code: i32) -> Verdict {
        match code {
            0 => Verdict::Continue,
            Self::SSL_ALLOW_ANON_CONNECTION => Verdict::AllowAnon,
            c if c < 0 => Verdict::InternalError,
            c => u8::try_from(c).map_or(Verdict::InternalError, |d| {
                Verdict::Alert(AlertDescription::from(d))
            }),
        }
    }

    /// The C return value of this verdict.
    pub fn code(self) -> i32 {
        match self {
            Verdict::Continue => 0,
            Verdict::Alert(d) => i32::from(d.get()),
            Verdict::InternalError => -1,
            Verdict::AllowAnon => Self::SSL_ALLOW_ANON_CONNECTION,
        }
    }
}

/// The certificate validation callback (`certValidator` of `matrixSslNewClientSession`).
///
/// Called once per handshake after the peer's Certificate message has been parsed and
/// authenticated against the trusted CAs of [`Keys`] (each certificate's `auth_status` is
/// set, as `psX509Cert_t.authStatus` is). The second argument is that chain
/// ([`PeerChain`]), the third the alert the internal authentication found: `None` (success), `Some(BadCertificate)` (the chain did not
/// authenticate itself), `Some(UnknownCa)` (no trusted CA issued it) or
/// `Some(UnsupportedCertificate)` (a critical extension matrix does not process). The callback
/// may also check dates (`X509Cert::is_valid_at` with [`HandshakeInfo::now_ms`]) and host
/// names (`X509Cert::matches_host`); `validator::standard(host)` is a ready one that does.
///
/// The first argument stands for the C callback's read-only `ssl_t`: the negotiated
/// version and suite and the peer's hello extensions (`ssl->helloExtIn`, where the
/// reference tells clients to look for the server's extension data). Without a callback,
/// any authentication failure ends the handshake with its alert.
pub type CertValidator = Box<
    dyn FnMut(&HandshakeInfo<'_>, &PeerChain, Option<AlertDescription>) -> Verdict + Send + 'static,
>;

/// The peer's certificate chain as the certificate callback and
/// `Session::peer_certificates` give it: parsed, child first.
#[cfg(all(feature = "cert-parse", feature = "certificates"))]
#[cfg_attr(
    docsrs,
    doc(cfg(all(feature = "cert-parse", feature = "certificates")))
)]
pub type PeerChain = matrix_x509::CertChain;

/// Without `cert-parse` no peer certificate is ever received (only a client or a server
/// doing client authentication receives one, and both need the parser): the type has no
/// value, so a certificate callback can be passed but is never called.
#[cfg(not(all(feature = "cert-parse", feature = "certificates")))]
#[cfg_attr(
    docsrs,
    doc(cfg(not(all(feature = "cert-parse", feature = "certificates"))))
)]
#[non_exhaustive]
#[derive(Debug)]
pub enum PeerChain {}

/// The hello extension callback (`extensionCback` of `matrixSslNewClientSession`): called
/// once per extension of the server's ServerHello (type, extension_data), in order, before
/// the library acts on them. A negative return ends the handshake (handshake_failure).
pub type ExtensionCallback = Box<dyn FnMut(u16, &[u8]) -> i32 + Send + 'static>;

/// What the certificate callback can see of the session being negotiated.
pub struct HandshakeInfo<'a> {
    shared: &'a HsShared,
}

impl core::fmt::Debug for HandshakeInfo<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HandshakeInfo")
            .field("version", &self.protocol_version())
            .field("cipher_suite", &self.cipher_suite())
            .finish_non_exhaustive()
    }
}

impl HandshakeInfo<'_> {
    #[cfg(all(feature = "cert-parse", feature = "certificates"))]
    pub(crate) fn new(shared: &HsShared) -> HandshakeInfo<'_> {
        HandshakeInfo { shared }
    }

    /// The negotiated protocol version.
    pub fn protocol_version(&self) -> ProtocolVersion {
        self.shared.version
    }

    /// The time of the context's `Clock` (milliseconds since the Unix epoch): what the
    /// certificate dates are checked against (`validator::standard` does).
    pub fn now_ms(&self) -> u64 {
        self.shared.ctx.now_ms()
    }

    /// The negotiated cipher suite.
    pub fn cipher_suite(&self) -> Option<CipherSuite> {
        self.shared.suite.map(|s| s.suite)
    }

    /// The peer's hello extensions as (type, extension_data).
    pub fn peer_hello_extensions(&self) -> &[(u16, Vec<u8>)] {
        &self.shared.peer_extensions
    }

    /// On a server: the host_name the client asked for (RFC 6066 server_name), if any.
    pub fn server_name(&self) -> Option<&[u8]> {
        self.shared.server_name()
    }
}

/// ClientHello extensions a client adds (`tlsExtension_t`, `matrixSslNewHelloExtension` /
/// `matrixSslLoadHelloExtension`): each an extension type and its fully encoded
/// extension_data. The library adds only renegotiation_info (in re-handshakes; initial
/// hellos signal RFC 5746 with the SCSV), extended_master_secret and encrypt_then_mac
/// (with their features); it refuses a ServerHello extension of a type not sent. A
/// session's re-handshakes send the same extensions again.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct HelloExtensions {
    list: Vec<(u16, Vec<u8>)>,
}

impl Clone for HelloExtensions {
    /// A plain loop: the derived clone is the standard library's generic slice clone, a
    /// copy of its own for this element type in a small build.
    fn clone(&self) -> Self {
        let mut list = Vec::with_capacity(self.list.len());
        for (ext_type, data) in &self.list {
            list.push((*ext_type, data.clone()));
        }
        HelloExtensions { list }
    }
}

impl HelloExtensions {
    /// An empty list (`matrixSslNewHelloExtension`).
    pub fn new() -> Self {
        HelloExtensions::default()
    }

    /// Adds one extension (`matrixSslLoadHelloExtension`): `data` is the extension_data
    /// as RFC 4366/6066 defines it for `ext_type`. `PS_ARG_FAIL` for data over 65535
    /// bytes, for a type already loaded, or for renegotiation_info, extended_master_secret,
    /// encrypt_then_mac and (with `tls-1-2`) signature_algorithms (the library sends those
    /// itself).
    pub fn load(&mut self, ext_type: u16, data: &[u8]) -> Result<(), Error> {
        if data.len() > 0xffff
            || ext_type == 0xff01
            || ext_type == EXT_EXTENDED_MASTER_SECRET
            || ext_type == EXT_ENCRYPT_THEN_MAC
            || (cfg!(feature = "tls-1-2") && ext_type == EXT_SIGNATURE_ALGORITHMS)
            || self.list.iter().any(|(t, _)| *t == ext_type)
        {
            return Err(Error::ArgFail);
        }
        self.list.push((ext_type, data.to_vec()));
        Ok(())
    }

    /// The extensions loaded, in order.
    pub fn iter(&self) -> impl Iterator<Item = (u16, &[u8])> {
        self.list.iter().map(|(t, d)| (*t, d.as_slice()))
    }

    /// Whether none are loaded.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// Whether a session with these keys can run a key exchange: a server needs its RSA
/// certificate and key for RSA and DHE_RSA; either side needs a pre-shared key for PSK and
/// DHE_PSK; DH_anon needs nothing (a server uses the loaded DH group or the default one).
/// Whether the suite is compiled in and enabled is the suite table's business.
pub(crate) fn kx_supported(kx: KeyExchange, keys: &Keys, server: bool) -> bool {
    kx::compiled(kx)
        && match kx {
            KeyExchange::Rsa | KeyExchange::DheRsa | KeyExchange::EcdheRsa => {
                !server || keys.has_rsa_identity()
            }
            KeyExchange::EcdheEcdsa => !server || keys.has_ec_identity(),
            KeyExchange::DhAnon => true,
            KeyExchange::Psk | KeyExchange::DhePsk => keys.has_psk(),
        }
}

/// What the DHE_RSA ServerKeyExchange signature covers (RFC 2246 section 7.4.3, RFC 6101
/// section 5.6.3, RFC 5246 section 7.4.3): the hash of client_random + server_random +
/// ServerDHParams, MD5 || SHA-1 before TLS 1.2 and the negotiated pair's hash in TLS 1.2.
pub(crate) fn dh_params_digest(
    hash: HashAlgorithm,
    client_random: &[u8; 32],
    server_random: &[u8; 32],
    params: &ServerDhParams,
) -> Result<Vec<u8>, Fatal> {
    use crate::codec::Codec;
    let mut h = HashContext::new(hash).map_err(Fatal::internal)?;
    h.update(client_random);
    h.update(server_random);
    h.update(&params.get_encoding());
    Ok(h.finalize())
}

/// The premaster secret of the PSK suites (RFC 4279 sections 2 and 3): `other_secret` (the
/// DH shared secret for DHE_PSK; `None` for plain PSK, whose other_secret is N zero octets,
/// N the key's length) and the key, each with a 2-byte length. Appended to a buffer of
/// exactly the final capacity (never reallocated, so no copy of the secret is left
/// behind): plain PSK needs no vector of zeros to copy from, no slice of it is indexed,
/// and both exchanges share this one function.
pub(crate) fn psk_premaster(
    other_secret: Option<&[u8]>,
    psk: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Fatal> {
    let len = |n: usize| {
        u16::try_from(n)
            .map(u16::to_be_bytes)
            .map_err(|_| Fatal::internal(Error::LimitFail))
    };
    let other_len = other_secret.map_or(psk.len(), <[u8]>::len);
    let (other_prefix, psk_prefix) = (len(other_len)?, len(psk.len())?);
    let mut pms = Zeroizing::new(Vec::with_capacity(4 + other_len + psk.len()));
    pms.extend_from_slice(&other_prefix);
    match other_secret {
        Some(secret) => pms.extend_from_slice(secret),
        None => pms.resize(2 + other_len, 0),
    }
    pms.extend_from_slice(&psk_prefix);
    pms.extend_from_slice(psk);
    Ok(pms)
}

/// Writes a hello random into `random` (the handshake's `client_random` or
/// `server_random`): gmt_unix_time of `ctx`'s clock then 28 random bytes (RFC 2246 section
/// 7.4.1.2). In place: returned by value, the 32 bytes were copied twice on the way.
pub(crate) fn hello_random(
    random: &mut [u8; 32],
    ctx: &ContextInner,
    rng: &mut dyn SecureRandom,
) -> Result<(), Fatal> {
    rng.fill_bytes(random)?;
    let secs = matrix_core::osdep::secs_of_ms(ctx.now_ms());
    // A fixed-size head of a fixed-size array: four stores, no length check.
    if let Some((t, _)) = random.split_first_chunk_mut::<4>() {
        *t = secs.to_be_bytes();
    }
    Ok(())
}

/// Hello extensions as the application sees them: (type, extension_data), copied once.
/// (The client keeps a ServerHello's from the received bytes: `client.rs`.)
#[cfg(feature = "server-side-ssl")]
pub(crate) fn app_extensions(
    exts: Option<&[crate::codec::handshake::Extension]>,
) -> Vec<(u16, Vec<u8>)> {
    let exts = exts.unwrap_or_default();
    // A plain loop: an iterator chain here is one more copy of `collect`'s generic code.
    let mut kept = Vec::with_capacity(exts.len());
    for e in exts {
        kept.push((e.code(), e.data_bytes()));
    }
    kept
}

/// A kept verify_data as a vector of its own (empty when none was kept).
fn verify_data_copy(kept: &Option<kx::Only<RENEGOTIATION, Vec<u8>>>) -> Vec<u8> {
    kept.as_ref().map_or_else(Vec::new, |v| v.to_vec())
}

/// Whether this build speaks DTLS (feature `dtls`): only then does a client keep a cookie.
const DTLS: bool = cfg!(feature = "dtls");

/// Whether this build has the server's machine: only a server session disables suites
/// of its own (`Session::set_cipher_suite_enabled_status`), so a client-only build never
/// looks at `HsShared::session_disabled`, which stays empty there.
const SERVER: bool = cfg!(feature = "server-side-ssl");

/// Whether this build negotiates RFC 7627's extended master secret (feature
/// `extended-master-secret`): without it neither role ever sets `HsShared::ems`, and the
/// derivation is left out.
const EMS: bool = cfg!(feature = "extended-master-secret");

/// The extended_master_secret extension type (RFC 7627 section 5.1).
pub(crate) const EXT_EXTENDED_MASTER_SECRET: u16 = 23;
/// The signature_algorithms extension type (RFC 5246 section 7.4.1.4.1).
pub(crate) const EXT_SIGNATURE_ALGORITHMS: u16 = 13;
/// The encrypt_then_mac extension type (RFC 7366 section 2).
pub(crate) const EXT_ENCRYPT_THEN_MAC: u16 = 22;

/// What a re-handshake inherits from the handshake it renegotiates (RFC 5746 section 3):
/// whether that one was secure, and both of its Finished verify_data.
#[derive(Clone)]
pub(crate) struct Reneg {
    /// Both sides signalled RFC 5746 in the previous handshake.
    pub secure: bool,
    pub client_verify_data: Zeroizing<Vec<u8>>,
    pub server_verify_data: Zeroizing<Vec<u8>>,
    /// The version of the connection, which a re-handshake may not change.
    pub version: ProtocolVersion,
    /// DTLS: the cookie of the connection's HelloVerifyRequest, which a client's
    /// re-handshake ClientHello carries again (OpenSSL's servers answer a renegotiating
    /// hello without one from stale state instead of a HelloVerifyRequest).
    #[cfg_attr(
        not(feature = "client-side-ssl"),
        allow(dead_code, reason = "only a client repeats its cookie")
    )]
    pub dtls_cookie: Vec<u8>,
}

/// Whether this build renegotiates at all (`secure-rehandshakes`, or
/// `insecure-rehandshakes` without `require-secure-rehandshakes`). Without it no
/// re-handshake ever starts, so what one keeps (a client's previous handshake state, to
/// go back to when the server refuses) is never set, and the code that restores it is
/// dropped.
pub(crate) const RENEGOTIATION: bool = Reneg::allowed_for(true) || Reneg::allowed_for(false);

impl Reneg {
    /// Whether this build renegotiates a connection whose previous handshake was `secure`
    /// (or not): secure renegotiation with `secure-rehandshakes`, legacy renegotiation
    /// only with `insecure-rehandshakes` (and never with `require-secure-rehandshakes`).
    pub(crate) const fn allowed_for(secure: bool) -> bool {
        if secure {
            cfg!(feature = "secure-rehandshakes")
        } else {
            cfg!(feature = "insecure-rehandshakes")
                && !cfg!(feature = "require-secure-rehandshakes")
        }
    }

    /// The renegotiation_info a server sends: client_verify_data || server_verify_data.
    pub(crate) fn server_info(&self) -> Vec<u8> {
        let mut v = self.client_verify_data.to_vec();
        v.extend_from_slice(&self.server_verify_data);
        v
    }
}

/// State both machines share: the negotiated parameters, the transcript and the secrets.
pub(crate) struct HsShared {
    pub ctx: Arc<ContextInner>,
    pub keys: Arc<Keys>,
    /// The hashes of every handshake message so far (HelloRequest excluded).
    pub transcript: Transcript,
    /// TLS 1.2: the signature_algorithms the peer listed (ClientHello extension, or
    /// CertificateRequest); empty until then.
    /// (Only in a build with `tls-1-2`: elsewhere an uninhabited stand-in, so that a
    /// TLS 1.1 machine carries no drop code for it.)
    pub peer_sig_algs: Option<kx::Only<{ version::TLS12 }, Vec<SignatureScheme>>>,
    pub client_random: [u8; 32],
    pub server_random: [u8; 32],
    /// The negotiated version (the offered one until the ServerHello).
    pub version: ProtocolVersion,
    pub suite: Option<&'static SuiteInfo>,
    pub session_id: Vec<u8>,
    pub master: Option<MasterSecret>,
    pub resumed: bool,
    pub peer_certs: Option<PeerChain>,
    pub anon: bool,
    /// The peer signalled RFC 5746.
    pub secure_renegotiation: bool,
    /// Suites this session disabled (`matrixSslSetCipherSuiteEnabledStatus(ssl, ...)`).
    pub session_disabled: Vec<CipherSuite>,
    /// The read state that takes over at the peer's ChangeCipherSpec.
    pub pending_read: Option<Box<dyn RecordDecrypter>>,
    /// The write state that takes over at our ChangeCipherSpec.
    pub pending_write: Option<Box<dyn RecordEncrypter>>,
    /// The extensions of the peer's hello, as (type, extension_data), in order.
    pub peer_extensions: Vec<(u16, Vec<u8>)>,
    /// Our and the peer's Finished verify_data, which RFC 5746 keeps for a re-handshake:
    /// kept only in a build that renegotiates (kx gate types: elsewhere nothing reads
    /// them, so neither they nor their drop code are kept).
    pub client_verify_data: Option<kx::Only<RENEGOTIATION, Vec<u8>>>,
    pub server_verify_data: Option<kx::Only<RENEGOTIATION, Vec<u8>>>,
    /// Set when this handshake renegotiates an established connection (in a build that
    /// renegotiates: elsewhere an uninhabited stand-in, so no drop code for it).
    pub reneg: Option<kx::Only<RENEGOTIATION, Reneg>>,
    /// Both sides negotiated the RFC 7627 extended master secret.
    pub ems: bool,
    /// Both sides negotiated RFC 7366 encrypt-then-MAC (for the next key change).
    pub etm: bool,
    /// The host_name of the client's server_name extension (servers; a client-only build
    /// has an uninhabited stand-in, and no drop code for it).
    pub server_name: Option<kx::Only<SERVER, Vec<u8>>>,
    /// DTLS: the `message_seq` of the next message we send (RFC 4347 section 4.2.2).
    pub next_message_seq: u16,
    /// DTLS, clients: the cookie the connection's ClientHellos carry (see `Reneg`); none
    /// (an uninhabited stand-in, without drop code) in a build without DTLS.
    pub dtls_cookie: Option<kx::Only<DTLS, Vec<u8>>>,
}

impl HsShared {
    pub(crate) fn new(ctx: Arc<ContextInner>, keys: Arc<Keys>) -> Self {
        let version = ctx.highest_version();
        HsShared {
            ctx,
            keys,
            transcript: Transcript::new(version.is_tls12()),
            peer_sig_algs: None,
            client_random: [0; 32],
            server_random: [0; 32],
            version,
            suite: None,
            session_id: Vec::new(),
            master: None,
            resumed: false,
            peer_certs: None,
            anon: false,
            secure_renegotiation: false,
            session_disabled: Vec::new(),
            pending_read: None,
            pending_write: None,
            peer_extensions: Vec::new(),
            client_verify_data: None,
            server_verify_data: None,
            reneg: None,
            ems: false,
            etm: false,
            server_name: None,
            next_message_seq: 0,
            dtls_cookie: None,
        }
    }

    /// The master secret of a full handshake from `pms`: RFC 7627's extended one over the
    /// session hash (MD5 || SHA-1 of the transcript up to the ClientKeyExchange, in TLS
    /// 1.0/1.1) when negotiated, the classic one otherwise.
    pub(crate) fn compute_master(&self, pms: &[u8]) -> Result<MasterSecret, Fatal> {
        if version::TLS12 && self.version.is_tls12() {
            return self.tls12_master(pms);
        }
        if EMS && self.ems {
            return self
                .transcript
                .legacy_extended_master(pms)
                .ok_or(Fatal::internal(Error::UnsupportedFail));
        }
        Ok(record::master_secret(
            self.version,
            pms,
            &self.client_random,
            &self.server_random,
        ))
    }

    /// The hash and (TLS 1.2) the signature pair with which we sign with a `kind` key for
    /// this peer: the legacy hash and no pair before TLS 1.2 (`sigalgs::legacy`); in TLS 1.2
    /// our most preferred pair of that kind in the peer's list (SHA-1 if it sent none),
    /// handshake_failure when nothing is common.
    pub(crate) fn sign_spec(
        &self,
        kind: SigKind,
    ) -> Result<(HashAlgorithm, Option<SignatureScheme>), Fatal> {
        if !version::TLS12 || !self.version.is_tls12() {
            return Ok((crate::sigalgs::legacy(kind), None));
        }
        let peer = self
            .peer_sig_algs
            .as_ref()
            .map(|l| -> &[SignatureScheme] { l })
            .filter(|l| !l.is_empty())
            .unwrap_or(crate::sigalgs::DEFAULT_PEER);
        let scheme = crate::sigalgs::choose(kind, peer)
            .ok_or(Fatal::new(AlertDescription::HandshakeFailure))?;
        let hash = crate::sigalgs::hash_of(scheme).ok_or(Fatal::internal(Error::Failure))?;
        Ok((hash, Some(scheme)))
    }

    /// The hash to check a received signature of a `kind` key with (see
    /// `sigalgs::accepted`): illegal_parameter for a pair we did not offer or of another
    /// kind, or one present (absent) when the version says it must not (must) be.
    pub(crate) fn verify_spec(
        &self,
        kind: SigKind,
        got: Option<SignatureScheme>,
    ) -> Result<HashAlgorithm, Fatal> {
        crate::sigalgs::accepted(kind, version::TLS12 && self.version.is_tls12(), got)
            .ok_or(Fatal::new(AlertDescription::IllegalParameter))
    }

    /// Whether this build renegotiates this completed handshake ([`Reneg::allowed_for`]),
    /// without copying what a re-handshake would inherit.
    pub(crate) fn renegotiation_allowed(&self) -> bool {
        Reneg::allowed_for(self.secure_renegotiation)
    }

    /// What the connection this handshake renegotiates left it, if it renegotiates one
    /// (never in a build without renegotiation, which the compiler then sees).
    pub(crate) fn renegotiating(&self) -> Option<&Reneg> {
        self.reneg.as_ref().map(|r| -> &Reneg { r })
    }

    /// What a re-handshake of this completed handshake inherits.
    pub(crate) fn reneg_info(&self) -> Reneg {
        Reneg {
            secure: self.secure_renegotiation,
            client_verify_data: Zeroizing::new(verify_data_copy(&self.client_verify_data)),
            server_verify_data: Zeroizing::new(verify_data_copy(&self.server_verify_data)),
            version: self.version,
            dtls_cookie: self
                .dtls_cookie
                .as_ref()
                .map_or_else(Vec::new, |c| c.to_vec()),
        }
    }

    /// Checks a renegotiation_info against what RFC 5746 expects (`expected`), in constant
    /// time: handshake_failure when it differs or is missing.
    pub(crate) fn check_reneg_info(
        &self,
        got: Option<&[u8]>,
        expected: &[u8],
    ) -> Result<(), Fatal> {
        match got {
            Some(g) if crate::record::ct_eq_bytes(g, expected) != 0 => Ok(()),
            _ => Err(Fatal::new(AlertDescription::HandshakeFailure)),
        }
    }

    /// Keeps the peer's hello extensions for the application, re-encoded.
    #[cfg(feature = "server-side-ssl")]
    pub(crate) fn keep_extensions(&mut self, exts: Option<&[crate::codec::handshake::Extension]>) {
        self.peer_extensions = app_extensions(exts);
    }

    /// Authenticates the peer's Certificate message (RFC 2246 section 7.4.2 / 7.4.6): parses
    /// the chain (bad_certificate), authenticates it against our trusted CAs, lets the
    /// certificate callback decide (without one, any authentication failure is fatal with
    /// its alert), keeps the chain for the application and returns the leaf's key, RSA or
    /// (`ecc`) EC (unsupported_certificate for another key type).
    #[cfg(all(feature = "cert-parse", feature = "certificates"))]
    pub(crate) fn authenticate_peer(
        &mut self,
        validator: Option<&mut CertValidator>,
        cert: crate::codec::handshake::Certificate,
    ) -> Result<signing::PeerKey, Fatal> {
        // Each received certificate is moved into its parsed form, not copied: the chain
        // is held once during authentication (the RAM peak of a handshake).
        let certs = X509Cert::from_der_vecs(cert.certificate_list)
            .map_err(|_| Fatal::new(AlertDescription::BadCertificate))?;
        let mut chain = PeerChain::new(certs);
        let found = matrix_x509::authenticate(&mut chain, self.keys.trusted_cas())
            .map(|a| AlertDescription::from(a.alert()));
        let verdict = match validator {
            Some(cb) => cb(&HandshakeInfo::new(self), &chain, found),
            None => found.map_or(Verdict::Continue, Verdict::Alert),
        };
        match verdict {
            Verdict::Continue => {}
            Verdict::AllowAnon => self.anon = true,
            Verdict::Alert(a) => return Err(Fatal::new(a)),
            Verdict::InternalError => return Err(Fatal::new(AlertDescription::InternalError)),
        }
        let key = match chain.leaf() {
            Some(leaf) => signing::PeerKey::from_certificate(&leaf.public_key)?,
            None => return Err(Fatal::new(AlertDescription::UnsupportedCertificate)),
        };
        // The chain is handshake state: freed here, once the key is out of it, unless the
        // application asked to keep it (`Config::keep_peer_certificates`).
        self.peer_certs = self.ctx.config.keep_peer_certificates.then_some(chain);
        Ok(key)
    }

    /// Without the certificate parser (a PSK-only build: no suite that uses certificates
    /// is compiled in) no Certificate message is ever expected; one that reached here
    /// could not be read: unsupported_certificate. (A server asks for certificates only
    /// with `client-auth`, which brings the parser.)
    #[cfg(all(
        feature = "client-side-ssl",
        not(all(feature = "cert-parse", feature = "certificates"))
    ))]
    pub(crate) fn authenticate_peer(
        &mut self,
        _validator: Option<&mut CertValidator>,
        _cert: crate::codec::handshake::Certificate,
    ) -> Result<signing::PeerKey, Fatal> {
        Err(Fatal::new(AlertDescription::UnsupportedCertificate))
    }

    /// What a CertificateVerify signs over the transcript so far with `hash` (RFC 2246
    /// section 7.4.8: MD5 || SHA-1 of the messages; RFC 6101 section 5.6.8: SSL 3.0's
    /// construction with the master secret and pads; RFC 5246 section 7.4.8: the pair's
    /// hash of the messages).
    pub(crate) fn certificate_verify_hash(&self, hash: HashAlgorithm) -> Result<Vec<u8>, Fatal> {
        if self.version.is_ssl3() || hash == HashAlgorithm::Md5Sha1 {
            self.transcript
                .legacy_certificate_verify_hash(self.version.is_ssl3(), self.master.as_ref())
                .ok_or(Fatal::internal(Error::Failure))
        } else {
            self.transcript
                .digest(hash)
                .ok_or(Fatal::internal(Error::UnsupportedFail))
        }
    }

    /// Forgets every message hashed so far (a DTLS client after a HelloVerifyRequest).
    #[cfg(feature = "client-side-ssl")]
    pub(crate) fn restart_transcript(&mut self) {
        self.transcript = Transcript::new(self.ctx.highest_version().is_tls12());
    }

    /// Adds a received message to the transcript.
    pub(crate) fn transcript_update(&mut self, raw: &[u8]) {
        self.transcript.update(raw);
    }

    /// Whether `suite` is compiled in, enabled for this context and session, and usable
    /// in `version`.
    pub(crate) fn suite_usable(
        &self,
        suite: CipherSuite,
        version: ProtocolVersion,
    ) -> Option<&'static SuiteInfo> {
        suites::lookup(suite).filter(|s| {
            s.allowed_in(version)
                && !self.ctx.is_disabled(suite)
                && !(SERVER && self.session_disabled.contains(&suite))
        })
    }

    /// The host_name of the client's server_name extension (on a server), if any.
    pub(crate) fn server_name(&self) -> Option<&[u8]> {
        self.server_name.as_ref().map(|n| -> &[u8] { n })
    }

    /// Whether this handshake runs over DTLS (the context speaks only DTLS versions).
    pub(crate) fn is_dtls(&self) -> bool {
        cfg!(feature = "dtls") && self.ctx.is_dtls()
    }

    /// Encodes a handshake message (with the unfragmented DTLS header and the next
    /// `message_seq` over DTLS) straight into `out`, and adds it to the transcript.
    pub(crate) fn emit(
        &mut self,
        out: &mut Outputs,
        msg_type: HandshakeType,
        body: impl FnOnce(&mut Vec<u8>),
    ) {
        // Only the body's call is generic; the framing and hashing are shared by every
        // message (one copy in the image instead of one per message type).
        let start = self.open_into(&mut out.bytes, msg_type);
        body(&mut out.bytes);
        self.finish_message(out, start);
    }

    /// A new message's header, with its lengths still zero, for a message written piece
    /// by piece: the buffer of `out`, taken until [`Self::close_message`] gives it back
    /// (the message is written in place, after the messages before it).
    #[cfg(feature = "client-side-ssl")]
    fn open_message(&mut self, out: &mut Outputs, msg_type: HandshakeType) -> Vec<u8> {
        let mut msg = core::mem::take(&mut out.bytes);
        out.open = self.open_into(&mut msg, msg_type);
        msg
    }

    /// Appends a new message's header, with its lengths still zero, to `buf`; returns
    /// where the message starts.
    fn open_into(&mut self, buf: &mut Vec<u8>, msg_type: HandshakeType) -> usize {
        let start = buf.len();
        if self.is_dtls() {
            open_dtls_handshake(buf, msg_type, self.next_message_seq);
            self.next_message_seq = self.next_message_seq.wrapping_add(1);
        } else {
            open_handshake(buf, msg_type);
        }
        start
    }

    /// Gives back the buffer [`Self::open_message`] took, with its message written:
    /// patches the message's lengths and hashes it.
    #[cfg(feature = "client-side-ssl")]
    fn close_message(&mut self, msg: Vec<u8>, out: &mut Outputs) {
        out.bytes = msg;
        self.finish_message(out, out.open);
    }

    /// Patches the lengths of the last message of `out` (from `start` on) and hashes it.
    fn finish_message(&mut self, out: &mut Outputs, start: usize) {
        if self.is_dtls() {
            close_dtls_handshake(&mut out.bytes, start);
        } else {
            close_handshake(&mut out.bytes, start + 1);
        }
        self.transcript
            .update(out.bytes.get(start..).unwrap_or_default());
    }

    /// Computes the key block and both cipher states for `side`, keeping the read state
    /// for the peer's ChangeCipherSpec and the write state for ours.
    pub(crate) fn derive_keys(&mut self, side: Side) -> Result<(), Fatal> {
        let (Some(master), Some(suite)) = (self.master.as_ref(), self.suite) else {
            return Err(Fatal::internal(Error::Failure));
        };
        let kb = record::key_block(
            self.version,
            suite,
            master,
            &self.client_random,
            &self.server_random,
        );
        let (enc, dec) = record::cipher_states_etm(self.version, suite, &kb, side, self.etm)?;
        self.pending_read = Some(dec);
        self.pending_write = Some(enc);
        Ok(())
    }

    /// The verify_data `sender` sends over the transcript so far (RFC 2246 section 7.4.9,
    /// RFC 6101 section 5.6.9).
    pub(crate) fn finished_data(&self, sender: Sender) -> Result<Vec<u8>, Fatal> {
        let master = self
            .master
            .as_ref()
            .ok_or(Fatal::internal(Error::Failure))?;
        if version::TLS12 && self.version.is_tls12() {
            return self.tls12_finished(master, sender);
        }
        self.transcript
            .legacy_finished(self.version.is_ssl3(), master, sender)
            .ok_or(Fatal::internal(Error::UnsupportedFail))
    }

    /// Checks the peer's Finished (body `body`, whole message `raw`) in constant time and
    /// adds it to the transcript: decrypt_error in TLS, handshake_failure in SSL 3.0.
    pub(crate) fn verify_finished(
        &mut self,
        sender: Sender,
        body: &[u8],
        raw: &[u8],
    ) -> Result<(), Fatal> {
        let got = crate::codec::handshake::Finished::read_in_place(
            &mut crate::codec::Reader::new(body),
            self.version,
        )
        .map_err(|e| Fatal::decode(e, self.version))?;
        let expected = self.finished_data(sender)?;
        if crate::record::ct_eq_bytes(&expected, got) == 0 {
            return Err(Fatal::new(if self.version.is_ssl3() {
                AlertDescription::HandshakeFailure
            } else {
                AlertDescription::DecryptError
            }));
        }
        let kept = <kx::Switch<RENEGOTIATION> as kx::Gate>::keep(expected);
        match sender {
            Sender::Client => self.client_verify_data = kept,
            Sender::Server => self.server_verify_data = kept,
        }
        self.transcript.update(raw);
        Ok(())
    }

    /// Emits ChangeCipherSpec (switching to the pending write state) and our Finished.
    pub(crate) fn emit_ccs_finished(
        &mut self,
        out: &mut Outputs,
        sender: Sender,
    ) -> Result<(), Fatal> {
        let enc = self
            .pending_write
            .take()
            .ok_or(Fatal::internal(Error::Failure))?;
        out.ccs = Some(enc);
        out.ccs_at = out.bytes.len();
        let vd = self.finished_data(sender)?;
        self.emit(out, HandshakeType::Finished, |o| o.extend_from_slice(&vd));
        let kept = <kx::Switch<RENEGOTIATION> as kx::Gate>::keep(vd);
        match sender {
            Sender::Client => self.client_verify_data = kept,
            Sender::Server => self.server_verify_data = kept,
        }
        Ok(())
    }

    /// The read state to install at the peer's ChangeCipherSpec.
    pub(crate) fn take_pending_read(&mut self) -> Result<Box<dyn RecordDecrypter>, Fatal> {
        self.pending_read.take().ok_or(Fatal::unexpected())
    }
}

/// TLS 1.2's derivations (RFC 5246 sections 5, 7.4.9 and 8.1; RFC 7627 section 4): the
/// negotiated suite's PRF, over its hash of the transcript.
#[cfg(feature = "tls-1-2")]
impl HsShared {
    /// The suite's PRF and the transcript digest of its hash.
    fn prf_and_hash(&self) -> Result<(matrix_crypto::prf12::PrfHash, Vec<u8>), Fatal> {
        let suite = self.suite.ok_or(Fatal::internal(Error::Failure))?;
        let prf = suite.prf_hash();
        let digest = self
            .transcript
            .digest(prf.hash())
            .ok_or(Fatal::internal(Error::UnsupportedFail))?;
        Ok((prf, digest))
    }

    fn tls12_master(&self, pms: &[u8]) -> Result<MasterSecret, Fatal> {
        let (prf, session_hash) = self.prf_and_hash()?;
        Ok(if EMS && self.ems {
            prf.extended_master_secret(pms, &session_hash)
        } else {
            prf.master_secret(pms, &self.client_random, &self.server_random)
        })
    }

    fn tls12_finished(&self, master: &MasterSecret, sender: Sender) -> Result<Vec<u8>, Fatal> {
        let (prf, hash) = self.prf_and_hash()?;
        Ok(prf.finished(master, sender.tls_label(), &hash).to_vec())
    }
}

/// Without `tls-1-2` the version is never negotiated (it is not in any context's list).
#[cfg(not(feature = "tls-1-2"))]
impl HsShared {
    fn tls12_master(&self, _pms: &[u8]) -> Result<MasterSecret, Fatal> {
        Err(Fatal::internal(Error::UnsupportedFail))
    }

    fn tls12_finished(&self, _master: &MasterSecret, _sender: Sender) -> Result<Vec<u8>, Fatal> {
        Err(Fatal::internal(Error::UnsupportedFail))
    }
}

/// One side's machine, as the session drives it.
pub(crate) enum Handshake {
    /// A client.
    #[cfg(feature = "client-side-ssl")]
    Client(Box<ClientHandshake>),
    /// A server.
    #[cfg(feature = "server-side-ssl")]
    Server(Box<ServerHandshake>),
}

impl Handshake {
    /// Handles one whole handshake message.
    pub(crate) fn handle_message(
        &mut self,
        msg_type: HandshakeType,
        body: &[u8],
        raw: &[u8],
        rng: &mut dyn SecureRandom,
        out: &mut Outputs,
    ) -> Result<(), Fatal> {
        match self {
            #[cfg(feature = "client-side-ssl")]
            Handshake::Client(c) => c.handle_message(msg_type, body, raw, rng, out),
            #[cfg(feature = "server-side-ssl")]
            Handshake::Server(s) => s.handle_message(msg_type, body, raw, rng, out),
        }
    }

    /// Handles the peer's ChangeCipherSpec: the read state to switch to.
    pub(crate) fn handle_ccs(&mut self) -> Result<Box<dyn RecordDecrypter>, Fatal> {
        match self {
            #[cfg(feature = "client-side-ssl")]
            Handshake::Client(c) => c.handle_ccs(),
            #[cfg(feature = "server-side-ssl")]
            Handshake::Server(s) => s.handle_ccs(),
        }
    }

    /// The server's machine, if this is one.
    #[cfg(feature = "server-side-ssl")]
    pub(crate) fn as_server_mut(&mut self) -> Option<&mut ServerHandshake> {
        match self {
            #[cfg(feature = "client-side-ssl")]
            Handshake::Client(_) => None,
            Handshake::Server(s) => Some(s),
        }
    }

    /// Whether this is a server's machine.
    pub(crate) fn is_server(&self) -> bool {
        match self {
            #[cfg(feature = "client-side-ssl")]
            Handshake::Client(_) => false,
            #[cfg(feature = "server-side-ssl")]
            Handshake::Server(_) => true,
        }
    }

    /// Starts a re-handshake of a completed handshake (see
    /// `ClientHandshake::renegotiate` and `ServerHandshake::request_renegotiation`):
    /// `Ok(false)` when this build does not renegotiate this connection.
    pub(crate) fn renegotiate(
        &mut self,
        keys: Option<Arc<Keys>>,
        validator: Option<CertValidator>,
        full: bool,
        cipher_suite: u16,
        rng: &mut dyn SecureRandom,
        out: &mut Outputs,
    ) -> Result<bool, Fatal> {
        match self {
            #[cfg(feature = "client-side-ssl")]
            Handshake::Client(c) => c.renegotiate(keys, validator, full, cipher_suite, rng, out),
            #[cfg(feature = "server-side-ssl")]
            Handshake::Server(s) => {
                let _ = (cipher_suite, rng);
                s.request_renegotiation(keys, validator, full, out)
            }
        }
    }

    /// The peer refused our re-handshake with no_renegotiation: a client waiting for the
    /// ServerHello of its re-handshake goes back to the established state.
    pub(crate) fn abandon_renegotiation(&mut self) {
        match self {
            #[cfg(feature = "client-side-ssl")]
            Handshake::Client(c) => c.abandon_renegotiation(),
            #[cfg(feature = "server-side-ssl")]
            Handshake::Server(_) => {}
        }
    }

    /// Whether the next thing the machine accepts is the peer's ChangeCipherSpec.
    #[cfg_attr(not(feature = "dtls"), allow(dead_code))]
    pub(crate) fn expects_ccs(&self) -> bool {
        match self {
            #[cfg(feature = "client-side-ssl")]
            Handshake::Client(c) => c.expects_ccs(),
            #[cfg(feature = "server-side-ssl")]
            Handshake::Server(s) => s.expects_ccs(),
        }
    }

    /// Whether the peer's ChangeCipherSpec came and its Finished has not: application
    /// data may not arrive in between (RFC 2246 section 7.4.9).
    pub(crate) fn awaiting_finished(&self) -> bool {
        match self {
            #[cfg(feature = "client-side-ssl")]
            Handshake::Client(c) => c.awaiting_finished(),
            #[cfg(feature = "server-side-ssl")]
            Handshake::Server(s) => s.awaiting_finished(),
        }
    }

    /// Whether the handshake has completed.
    pub(crate) fn is_complete(&self) -> bool {
        match self {
            #[cfg(feature = "client-side-ssl")]
            Handshake::Client(c) => c.is_complete(),
            #[cfg(feature = "server-side-ssl")]
            Handshake::Server(s) => s.is_complete(),
        }
    }

    /// Whether the peer may still send a message in the clear version-wise: until the
    /// version is negotiated, records of any 3.x version are accepted.
    pub(crate) fn version_negotiated(&self) -> bool {
        match self {
            #[cfg(feature = "client-side-ssl")]
            Handshake::Client(c) => c.version_negotiated(),
            #[cfg(feature = "server-side-ssl")]
            Handshake::Server(s) => s.version_negotiated(),
        }
    }

    /// The resumable session of a completed handshake (TLS's `Session::session_id` and
    /// the DTLS engine's): `None` when the server gave neither a session id nor a ticket.
    pub(crate) fn resumable_session(&self) -> Option<crate::session::SessionId> {
        let s = self.shared();
        let (true, Some(master), Some(suite)) = (self.is_complete(), &s.master, s.suite) else {
            return None;
        };
        let (ticket, ticket_lifetime_hint) = self.kept_ticket();
        (!s.session_id.is_empty() || !ticket.is_empty()).then(|| crate::session::SessionId {
            id: s.session_id.clone(),
            master: master.clone(),
            suite: suite.suite,
            version: s.version,
            ems: s.ems,
            ticket,
            ticket_lifetime_hint,
        })
    }

    /// The RFC 5077 ticket a client keeps for `Session::session_id`, with its lifetime
    /// hint (empty on a server and without one).
    pub(crate) fn kept_ticket(&self) -> (Vec<u8>, u32) {
        match self {
            #[cfg(feature = "client-side-ssl")]
            Handshake::Client(c) => c.kept_ticket(),
            #[cfg(feature = "server-side-ssl")]
            Handshake::Server(_) => (Vec::new(), 0),
        }
    }

    pub(crate) fn shared(&self) -> &HsShared {
        match self {
            #[cfg(feature = "client-side-ssl")]
            Handshake::Client(c) => &c.shared,
            #[cfg(feature = "server-side-ssl")]
            Handshake::Server(s) => &s.shared,
        }
    }

    pub(crate) fn shared_mut(&mut self) -> &mut HsShared {
        match self {
            #[cfg(feature = "client-side-ssl")]
            Handshake::Client(c) => &mut c.shared,
            #[cfg(feature = "server-side-ssl")]
            Handshake::Server(s) => &mut s.shared,
        }
    }
}

#[cfg(test)]
mod tests {
    /// The PSK premaster secret is RFC 4279's layout, written out here byte by byte: plain
    /// PSK's N zero octets and DHE_PSK's shared secret, for key lengths around the length
    /// bytes' edges.
    #[test]
    fn psk_premaster_is_rfc_4279s() {
        use alloc::vec::Vec;
        for len in [1usize, 2, 16, 255, 256, 300] {
            let key: Vec<u8> = (0..len).map(|i| (i * 7 + 1) as u8).collect();
            let z = [0x5au8; 3];
            let n = (len as u16).to_be_bytes();
            let plain = [&n[..], &alloc::vec![0u8; len], &n, &key].concat();
            assert_eq!(super::psk_premaster(None, &key).unwrap().as_slice(), plain);
            let dhe = [&[0, 3][..], &z, &n, &key].concat();
            assert_eq!(
                super::psk_premaster(Some(&z), &key).unwrap().as_slice(),
                dhe
            );
        }
    }
}
