//! The DTLS handshake engine (feature `dtls`): matrix-ssl's client and server handshake
//! machines, driven by whole handshake messages instead of TLS records, for matrix-dtls.
//!
//! This module owns the boundary between the machines and a datagram driver: the driver
//! (matrix-dtls's `DtlsSession`) owns the record layer (epochs, 48-bit sequence numbers,
//! the replay window), fragmentation and reassembly, flights and retransmission, and the
//! server's stateless HelloVerifyRequest cookies (RFC 4347 sections 4.1, 4.2.1 to 4.2.4).
//! The engine owns everything else of RFC 4347 section 4.2: the handshake messages, the
//! `message_seq` of the messages it sends, the transcript over each message's 12-byte header
//! as if sent unfragmented (section 4.2.6), the client's answer to a HelloVerifyRequest
//! (the same ClientHello with the cookie, the transcript restarted), and the keys: a
//! [`EngineOutput::ChangeCipherSpec`] hands over the write state of the next epoch,
//! [`HandshakeEngine::handle_ccs`] the read state. DTLS 1.0 uses TLS 1.1's cryptography
//! (TLS PRF, explicit CBC IVs) and no RC4 suite (section 4.1.2.4); DTLS 1.2 (RFC 6347, with
//! `tls-1-2`) uses TLS 1.2's (the suite's PRF, `signature_algorithms`, the GCM and SHA-256
//! suites), no RC4 either. The record states take `(epoch << 48) | seq48` as their sequence
//! number, which is the 8 bytes the DTLS MAC covers (section 4.1.2.1) and, for AES-GCM,
//! the explicit nonce and the additional data's sequence number (RFC 6347 section 4.1.2.1,
//! RFC 5288 section 3), with the record's version (0xFEFF or 0xFEFD). A client's
//! HelloVerifyRequest answer resends the same hello whatever version the request names: the
//! version is negotiated by the ServerHello alone (RFC 6347 section 4.2.1).
//!
//! The engine runs only on a DTLS context (`Config::dtls`); resumption uses the context's
//! session cache as TLS sessions do. A server driver parses the ClientHello itself to check
//! the cookie (`codec::handshake::ClientHello::read_bytes` reads the cookie of a DTLS
//! hello) and creates the engine for the hello that carries a valid one; after a
//! HelloVerifyRequest of its own (message_seq 0), it calls
//! [`HandshakeEngine::set_next_message_seq`] so that the ServerHello answers the second
//! ClientHello with message_seq 1 (section 4.2.2).
//!
//! Re-handshakes (RFC 5746) follow RFC 6347 section 4.2.2, which RFC 4347 leaves implicit
//! and OpenSSL implements: each side numbers the messages of each new handshake from 0,
//! so a server's HelloRequest is 0 and the ServerHello answering the client's ClientHello
//! (0) is 1; in a client-initiated one the ServerHello is 0. The engine also applies the
//! re-handshake rate limit (`Config::rehandshakes_per_minute`) to the peer's requests, as
//! matrix-ssl's TLS sessions do, with one DTLS rule: a retransmission of a refused request
//! is refused again rather than counted as a second request.
//!
//! ```
//! # #[cfg(all(feature = "std", feature = "client-side-ssl", feature = "server-side-ssl"))]
//! # fn main() -> Result<(), matrix_ssl::Error> {
//! use std::sync::Arc;
//! use matrix_ssl::engine::{self, EngineOutput, HandshakeEngine};
//! use matrix_ssl::{Config, Keys};
//!
//! let ctx = matrix_ssl::open(Config::dtls())?;
//! let mut rng = engine::session_rng(&ctx)?;
//! let mut out = Vec::new();
//! let client = HandshakeEngine::new_client(
//!     &ctx, Arc::new(Keys::new()), None, 0, None, None, &mut *rng, &mut out,
//! )?;
//! // The ClientHello, message_seq 0, for the driver to fragment and send.
//! assert!(matches!(out.as_slice(), [EngineOutput::Message { message_seq: 0, .. }]));
//! assert!(!client.is_complete());
//! # Ok(())
//! # }
//! # #[cfg(not(all(feature = "std", feature = "client-side-ssl", feature = "server-side-ssl")))]
//! # fn main() {}
//! ```

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;

use matrix_core::Error;

use crate::alert::Fatal;
use crate::codec::handshake::{DtlsHandshakeHeader, encode_dtls_handshake};
use crate::codec::{AlertDescription, CipherSuite, Codec, HandshakeType, ProtocolVersion, Reader};
use crate::context::Context;
use crate::handshake::{CertValidator, Handshake, Outputs};
#[cfg(feature = "client-side-ssl")]
use crate::handshake::{ExtensionCallback, HelloExtensions};
use crate::keys::Keys;
use crate::record::{RecordDecrypter, RecordEncrypter};
use crate::session::SessionId;
use crate::session::reneg_limit::{RenegLimit, Verdict};

pub use matrix_crypto::random::SecureRandom;

/// The largest handshake body the engine frames: a 24-bit length (RFC 4347 section 4.2.2).
const MAX_BODY_LEN: usize = 0x00ff_ffff;

/// What the engine asks its driver to do, in order.
#[non_exhaustive]
pub enum EngineOutput {
    /// Send this whole handshake message: its type, its `message_seq` and its body (the
    /// driver fragments it; the transcript already covers it, unfragmented).
    Message {
        /// The message type.
        msg_type: HandshakeType,
        /// The message's sequence number in this handshake.
        message_seq: u16,
        /// The whole body.
        body: Vec<u8>,
    },
    /// Send ChangeCipherSpec under the current write epoch, then protect every later record
    /// with this encrypter: the epoch goes up by one and the record sequence number
    /// restarts at 0 (RFC 4347 section 4.1).
    ChangeCipherSpec(Box<dyn RecordEncrypter>),
    /// Send this warning alert (no_renegotiation, or no_certificate).
    WarningAlert(AlertDescription),
}

impl core::fmt::Debug for EngineOutput {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            EngineOutput::Message {
                msg_type,
                message_seq,
                body,
            } => f
                .debug_struct("Message")
                .field("msg_type", msg_type)
                .field("message_seq", message_seq)
                .field("len", &body.len())
                .finish(),
            EngineOutput::ChangeCipherSpec(_) => f.write_str("ChangeCipherSpec"),
            EngineOutput::WarningAlert(a) => f.debug_tuple("WarningAlert").field(a).finish(),
        }
    }
}

/// A failure that ends the handshake: send `alert` as a fatal alert (RFC 4347 section
/// 4.1.2.7 lets a DTLS driver drop bad records silently, but a failed handshake message is
/// fatal as in TLS) and report `error`. The engine accepts nothing after one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EngineFatal {
    /// The fatal alert to send.
    pub alert: AlertDescription,
    /// The `PS_*` code to report.
    pub error: Error,
}

impl From<Fatal> for EngineFatal {
    fn from(f: Fatal) -> Self {
        EngineFatal {
            alert: f.alert,
            error: f.error,
        }
    }
}

impl core::fmt::Display for EngineFatal {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "handshake failed ({:?}): {:?}", self.alert, self.error)
    }
}

impl core::error::Error for EngineFatal {}

/// A generator for one DTLS session, seeded from the context's (as TLS sessions are): the
/// engine's randoms, keys and the explicit CBC IVs of the records.
pub fn session_rng(ctx: &Context) -> Result<Box<dyn SecureRandom + Send>, Error> {
    Ok(Box::new(ctx.inner.session_rng()?))
}

/// One side of a DTLS handshake: matrix-ssl's client or server machine over whole
/// messages.
pub struct HandshakeEngine {
    hs: Handshake,
    /// The rate limit of the peer's re-handshake requests.
    limit: RenegLimit,
    /// A server sent a HelloRequest: the ClientHello answering it is no request of the
    /// peer's and takes no token.
    hello_requested: bool,
    /// The body of the request last refused: its retransmissions (a lost
    /// no_renegotiation) are refused again without counting as a flood.
    refused: Option<Vec<u8>>,
}

impl core::fmt::Debug for HandshakeEngine {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("HandshakeEngine")
            .field("server", &self.hs.is_server())
            .field("version", &self.protocol_version())
            .field("cipher_suite", &self.cipher_suite())
            .field("complete", &self.is_complete())
            .finish_non_exhaustive()
    }
}

impl HandshakeEngine {
    /// A client whose ClientHello (message_seq 0) is in `out`: `matrixSslNewClientSession`'s
    /// rules for `session_id` (offered for resumption unless `cipher_suite` names another
    /// suite), `cipher_suite` (0 offers every usable suite except DH_anon; a nominated
    /// suite must be compiled in, enabled and allowed in DTLS, so never RC4:
    /// `PS_UNSUPPORTED_FAIL`), `validator` and `extensions`.
    ///
    /// `PS_ARG_FAIL` when `ctx` is not a DTLS context (see `Config::dtls`).
    #[cfg(feature = "client-side-ssl")]
    #[cfg_attr(docsrs, doc(cfg(feature = "client-side-ssl")))]
    #[allow(clippy::too_many_arguments)]
    pub fn new_client(
        ctx: &Context,
        keys: Arc<Keys>,
        session_id: Option<&SessionId>,
        cipher_suite: u16,
        validator: Option<CertValidator>,
        extensions: Option<&HelloExtensions>,
        rng: &mut dyn SecureRandom,
        out: &mut Vec<EngineOutput>,
    ) -> Result<Self, Error> {
        if !ctx.inner.is_dtls() {
            return Err(Error::ArgFail);
        }
        let mut outputs = Outputs::new();
        let hs = crate::handshake::ClientHandshake::start(
            Arc::clone(&ctx.inner),
            keys,
            session_id,
            cipher_suite,
            validator,
            extensions,
            rng,
            &mut outputs,
            None,
        )?;
        convert(outputs, out).map_err(|f| f.error)?;
        Ok(HandshakeEngine::with(ctx, Handshake::Client(hs)))
    }

    /// A server waiting for a ClientHello (`matrixSslNewServerSession`): `validator` asks
    /// for client authentication with the `client-auth` feature, as for TLS sessions.
    ///
    /// `PS_ARG_FAIL` when `ctx` is not a DTLS context.
    #[cfg(feature = "server-side-ssl")]
    #[cfg_attr(docsrs, doc(cfg(feature = "server-side-ssl")))]
    pub fn new_server(
        ctx: &Context,
        keys: Arc<Keys>,
        validator: Option<CertValidator>,
    ) -> Result<Self, Error> {
        if !ctx.inner.is_dtls() {
            return Err(Error::ArgFail);
        }
        let hs = crate::handshake::ServerHandshake::new(Arc::clone(&ctx.inner), keys, validator);
        Ok(HandshakeEngine::with(ctx, Handshake::Server(Box::new(hs))))
    }

    fn with(ctx: &Context, hs: Handshake) -> Self {
        HandshakeEngine {
            hs,
            limit: RenegLimit::new(ctx.inner.config.rehandshakes_per_minute, ctx.inner.now_ms()),
            hello_requested: false,
            refused: None,
        }
    }

    /// Handles one whole, reassembled handshake message the driver received in order:
    /// its type, its `message_seq` (hashed in the rebuilt 12-byte header) and its body.
    /// What to send in answer is appended to `out`.
    ///
    /// On a server, a failure forgets the session from the context's cache (RFC 2246
    /// section 7.2.2). After a failure the engine refuses everything with
    /// unexpected_message.
    pub fn handle_message(
        &mut self,
        msg_type: HandshakeType,
        message_seq: u16,
        body: &[u8],
        rng: &mut dyn SecureRandom,
        out: &mut Vec<EngineOutput>,
    ) -> Result<(), EngineFatal> {
        let result = self.handle(msg_type, message_seq, body, rng, out);
        if result.is_err() {
            self.forget_cached_session();
        }
        result
    }

    /// [`HandshakeEngine::handle_message`] for a body the driver owns: the 12-byte
    /// header the transcript hashes is written in front of it in place, so a body with
    /// that much spare capacity (a reassembler can allocate it so) is not copied. A
    /// Certificate message is the largest a handshake holds; this keeps one copy of it.
    pub fn handle_message_owned(
        &mut self,
        msg_type: HandshakeType,
        message_seq: u16,
        mut body: Vec<u8>,
        rng: &mut dyn SecureRandom,
        out: &mut Vec<EngineOutput>,
    ) -> Result<(), EngineFatal> {
        if body.len() > MAX_BODY_LEN {
            return Err(Fatal::new(AlertDescription::DecodeError).into());
        }
        // Fits: MAX_BODY_LEN is the 24-bit maximum.
        let len = u32::try_from(body.len()).unwrap_or(0);
        let mut header = Vec::with_capacity(DtlsHandshakeHeader::LEN);
        DtlsHandshakeHeader {
            msg_type,
            length: len,
            message_seq,
            fragment_offset: 0,
            fragment_length: len,
        }
        .encode(&mut header);
        body.splice(0..0, header);
        let result = self.handle_raw(msg_type, &body, rng, out);
        if result.is_err() {
            self.forget_cached_session();
        }
        result
    }

    fn handle(
        &mut self,
        msg_type: HandshakeType,
        message_seq: u16,
        body: &[u8],
        rng: &mut dyn SecureRandom,
        out: &mut Vec<EngineOutput>,
    ) -> Result<(), EngineFatal> {
        if body.len() > MAX_BODY_LEN {
            return Err(Fatal::new(AlertDescription::DecodeError).into());
        }
        let mut raw = Vec::with_capacity(DtlsHandshakeHeader::LEN + body.len());
        encode_dtls_handshake(&mut raw, msg_type, message_seq, |o| {
            o.extend_from_slice(body)
        });
        self.handle_raw(msg_type, &raw, rng, out)
    }

    /// Handles a message given whole: its unfragmented 12-byte header, then its body.
    fn handle_raw(
        &mut self,
        msg_type: HandshakeType,
        raw: &[u8],
        rng: &mut dyn SecureRandom,
        out: &mut Vec<EngineOutput>,
    ) -> Result<(), EngineFatal> {
        let body = raw.get(DtlsHandshakeHeader::LEN..).unwrap_or_default();
        if body.len() > MAX_BODY_LEN {
            return Err(Fatal::new(AlertDescription::DecodeError).into());
        }
        if self.is_peer_request(msg_type) {
            // The ClientHello answering our HelloRequest is no request of the peer's.
            let answer = core::mem::take(&mut self.hello_requested);
            if !answer && !self.rate_limit(body)? {
                out.push(EngineOutput::WarningAlert(
                    AlertDescription::NoRenegotiation,
                ));
                return Ok(());
            }
        }
        let mut outputs = Outputs::new();
        self.hs
            .handle_message(msg_type, body, raw, rng, &mut outputs)?;
        Ok(convert(outputs, out)?)
    }

    /// Whether `msg_type` asks an established connection for a re-handshake this build
    /// would run (a ClientHello to a server that sent no HelloRequest, a HelloRequest to a
    /// client): such requests are rate limited.
    fn is_peer_request(&self, msg_type: HandshakeType) -> bool {
        let request = if self.hs.is_server() {
            HandshakeType::ClientHello
        } else {
            HandshakeType::HelloRequest
        };
        msg_type == request && self.hs.is_complete() && self.hs.shared().renegotiation_allowed()
    }

    /// The rate limit (see `session::reneg_limit`) for a peer's request: `Ok(true)` to
    /// renegotiate, `Ok(false)` to refuse it with no_renegotiation, unexpected_message
    /// for a new request right after a refusal.
    fn rate_limit(&mut self, body: &[u8]) -> Result<bool, EngineFatal> {
        let repeat = self.refused.as_deref() == Some(body);
        match self.limit.request(self.hs.shared().ctx.now_ms()) {
            Verdict::Allow => {
                self.refused = None;
                Ok(true)
            }
            Verdict::Flood if !repeat => Err(Fatal::unexpected().into()),
            Verdict::Flood | Verdict::Refuse => {
                self.refused = Some(body.to_vec());
                Ok(false)
            }
        }
    }

    /// Handles the peer's ChangeCipherSpec: the read state of the next epoch, to install
    /// for records of epoch + 1. unexpected_message when the machine does not expect one
    /// (the driver may instead drop a ChangeCipherSpec that arrives early, RFC 4347 section
    /// 4.1: it is not a handshake message and has no message_seq).
    pub fn handle_ccs(&mut self) -> Result<Box<dyn RecordDecrypter>, EngineFatal> {
        let result = self.hs.handle_ccs().map_err(EngineFatal::from);
        if result.is_err() {
            self.forget_cached_session();
        }
        result
    }

    /// Sets the `message_seq` of the next message the engine sends: a server that answered
    /// the first ClientHello with a stateless HelloVerifyRequest (message_seq 0) starts its
    /// ServerHello at 1, the sequence number of the client's second ClientHello (RFC 4347
    /// section 4.2.2).
    pub fn set_next_message_seq(&mut self, seq: u16) {
        self.hs.shared_mut().next_message_seq = seq;
    }

    /// The `message_seq` the next message the engine sends will carry.
    pub fn next_message_seq(&self) -> u16 {
        self.hs.shared().next_message_seq
    }

    /// The heap bytes this engine holds: the boxed handshake machine and what it keeps
    /// (negotiated values, pending cipher states, the handshake under way; see
    /// `Session::memory_usage`), for a driver's memory accounting.
    pub fn heap_bytes(&self) -> usize {
        self.hs.heap_bytes() + self.refused.as_ref().map_or(0, Vec::capacity)
    }

    /// Whether this is a server's engine.
    pub fn is_server(&self) -> bool {
        self.hs.is_server()
    }

    /// Whether the handshake has completed (the peer's Finished verified; our last flight
    /// may still need retransmitting, which is the driver's business).
    pub fn is_complete(&self) -> bool {
        self.hs.is_complete()
    }

    /// Whether the peer's ChangeCipherSpec is what the machine expects next: a driver
    /// over datagrams drops a ChangeCipherSpec that arrives earlier (the messages before
    /// it were lost or reordered) instead of calling [`HandshakeEngine::handle_ccs`], which
    /// would fail the handshake.
    pub fn expects_ccs(&self) -> bool {
        self.hs.expects_ccs()
    }

    /// Whether the peer's ChangeCipherSpec came and its Finished has not: application data
    /// of the new epoch may not be accepted yet.
    pub fn awaiting_finished(&self) -> bool {
        self.hs.awaiting_finished()
    }

    /// Whether the version is negotiated (a client saw the ServerHello, a server the
    /// ClientHello).
    pub fn version_negotiated(&self) -> bool {
        self.hs.version_negotiated()
    }

    /// The negotiated version (DTLS 1.0 or DTLS 1.2), or the offered one before the
    /// ServerHello.
    pub fn protocol_version(&self) -> ProtocolVersion {
        self.hs.shared().version
    }

    /// The negotiated cipher suite, once chosen.
    pub fn cipher_suite(&self) -> Option<CipherSuite> {
        self.hs.shared().suite.map(|s| s.suite)
    }

    /// Whether this handshake resumed a cached session.
    pub fn is_resumed(&self) -> bool {
        self.hs.shared().resumed
    }

    /// The resumable session after a completed handshake (a client keeps it for the next
    /// [`HandshakeEngine::new_client`]), or `None` when the server gave neither a session
    /// id nor (feature `stateless-session-tickets`) a ticket.
    pub fn session_id(&self) -> Option<SessionId> {
        self.hs.resumable_session()
    }

    /// The peer's certificate chain as received, with each certificate's `auth_status`.
    /// Only with `Config::keep_peer_certificates`: by default the chain is freed once
    /// authenticated (the certificate callback sees it), and this is `None`.
    pub fn peer_certificates(&self) -> Option<&crate::handshake::PeerChain> {
        self.hs.shared().peer_certs.as_ref()
    }

    /// `matrixSslGetAnonStatus`: whether the certificate callback allowed the connection
    /// without authentication.
    pub fn anon_status(&self) -> bool {
        self.hs.shared().anon
    }

    /// On a server: the host_name of the client's server_name extension, if any.
    pub fn server_name(&self) -> Option<&[u8]> {
        self.hs.shared().server_name()
    }

    /// The peer's hello extensions as (type, extension_data), in order.
    pub fn peer_hello_extensions(&self) -> &[(u16, Vec<u8>)] {
        &self.hs.shared().peer_extensions
    }

    /// Whether the peer signalled RFC 5746 secure renegotiation.
    pub fn secure_renegotiation(&self) -> bool {
        self.hs.shared().secure_renegotiation
    }

    /// On a client: the hello extension callback (see [`ExtensionCallback`]), called for
    /// each extension of the ServerHello. `PS_ARG_FAIL` on a server.
    #[cfg(feature = "client-side-ssl")]
    #[cfg_attr(docsrs, doc(cfg(feature = "client-side-ssl")))]
    pub fn set_extension_callback(&mut self, cb: ExtensionCallback) -> Result<(), Error> {
        match &mut self.hs {
            Handshake::Client(c) => {
                c.extension_cb = Some(cb);
                Ok(())
            }
            #[cfg(feature = "server-side-ssl")]
            Handshake::Server(_) => Err(Error::ArgFail),
        }
    }

    /// `SSL_OPTION_FULL_HANDSHAKE` given to `matrixSslSetSessionOption` (as
    /// `Session::set_session_option`): forgets the session id (a server also removes it
    /// from its context's session cache), so that the next re-handshake, whoever starts
    /// it, is a full one.
    pub fn forget_session(&mut self) {
        self.forget_cached_session();
        self.hs.shared_mut().session_id.clear();
    }

    /// On a server: whether full handshakes request a client certificate
    /// (`SSL_OPTION_ENABLE_CLIENT_AUTH` / `SSL_OPTION_DISABLE_CLIENT_AUTH`). `PS_ARG_FAIL`
    /// on a client, without the `client-auth` feature, or to enable it without a
    /// certificate callback.
    #[cfg(feature = "server-side-ssl")]
    #[cfg_attr(docsrs, doc(cfg(feature = "server-side-ssl")))]
    pub fn set_client_auth(&mut self, on: bool) -> Result<(), Error> {
        self.hs
            .as_server_mut()
            .ok_or(Error::ArgFail)?
            .set_client_auth(on)
    }

    /// Starts a re-handshake of the completed handshake (RFC 5746, as
    /// `Session::encode_rehandshake`), sent under the current epoch. A client sends a new
    /// ClientHello with message_seq 0 (RFC 4347 section 4.2.2: each handshake numbers its
    /// messages from 0); it offers the current session for resumption unless `full`,
    /// another `cipher_suite` is nominated or other `keys` are given. A server sends a
    /// HelloRequest with message_seq 0 (a flight of its own, for the driver to retransmit
    /// until the client's ClientHello comes; RFC 6347 section 4.2.2) and numbers its
    /// answer to that ClientHello from 1; `full` or other `keys` forbid resuming, a
    /// `validator` requests client authentication. `keys` and `validator` replace the
    /// current ones when given. `Ok(false)` when this build does not renegotiate this
    /// connection (see the `secure-rehandshakes` and `insecure-rehandshakes` features).
    /// unexpected_message before the handshake completed. A client answers a server's
    /// HelloRequest by itself.
    #[allow(clippy::too_many_arguments)]
    pub fn renegotiate(
        &mut self,
        keys: Option<Arc<Keys>>,
        validator: Option<CertValidator>,
        full: bool,
        cipher_suite: u16,
        rng: &mut dyn SecureRandom,
        out: &mut Vec<EngineOutput>,
    ) -> Result<bool, EngineFatal> {
        let server = self.hs.is_server();
        let seq = self.next_message_seq();
        if server {
            self.set_next_message_seq(0);
        }
        let mut outputs = Outputs::new();
        let started = self
            .hs
            .renegotiate(keys, validator, full, cipher_suite, rng, &mut outputs);
        if !matches!(started, Ok(true)) && server {
            self.set_next_message_seq(seq);
        }
        let started = started?;
        convert(outputs, out)?;
        self.hello_requested = server && started;
        Ok(started)
    }

    /// The peer refused our re-handshake with a no_renegotiation warning (RFC 5746 section
    /// 4.2): a client waiting for the ServerHello of its re-handshake goes back to the
    /// completed handshake, a server stops waiting for the answer to its HelloRequest.
    /// Returns whether a re-handshake of ours was abandoned (the driver then stops
    /// retransmitting its hello); the connection goes on under the current keys.
    pub fn abandon_renegotiation(&mut self) -> bool {
        if self.hs.is_server() {
            return core::mem::take(&mut self.hello_requested);
        }
        let before = self.hs.is_complete();
        self.hs.abandon_renegotiation();
        !before && self.hs.is_complete()
    }

    /// On a server: whether a HelloRequest of ours waits for the client's ClientHello.
    pub fn hello_request_pending(&self) -> bool {
        self.hello_requested
    }

    /// A server that failed may not resume the session it was negotiating (nor one whose
    /// resumption state `forget_session` deletes).
    fn forget_cached_session(&self) {
        let s = self.hs.shared();
        if self.hs.is_server() && !s.session_id.is_empty() {
            forget(&s.ctx, &s.session_id);
        }
    }
}

#[cfg(feature = "server-side-ssl")]
fn forget(ctx: &crate::context::ContextInner, id: &[u8]) {
    ctx.cache.lock().remove(id);
}

#[cfg(not(feature = "server-side-ssl"))]
fn forget(_ctx: &crate::context::ContextInner, _id: &[u8]) {}

/// The machine's outputs as the driver's: its messages cut apart at their 12-byte
/// headers, each body copied out (the driver keeps its flight for retransmission), after
/// the alert and with the ChangeCipherSpec where the machine placed it.
fn convert(outputs: Outputs, out: &mut Vec<EngineOutput>) -> Result<(), Fatal> {
    let Outputs {
        alert,
        bytes,
        mut ccs,
        ccs_at,
        ..
    } = outputs;
    if let Some(a) = alert {
        out.push(EngineOutput::WarningAlert(a));
    }
    let mut at = 0;
    loop {
        if ccs_at <= at
            && let Some(enc) = ccs.take()
        {
            out.push(EngineOutput::ChangeCipherSpec(enc));
        }
        let rest = bytes.get(at..).unwrap_or_default();
        if rest.is_empty() {
            return Ok(());
        }
        // Cannot fail over DTLS, where `HsShared::emit` frames every message.
        let header = DtlsHandshakeHeader::read(&mut Reader::new(rest))
            .map_err(|_| Fatal::internal(Error::Failure))?;
        let end = usize::try_from(header.length)
            .ok()
            .and_then(|len| len.checked_add(DtlsHandshakeHeader::LEN))
            .ok_or(Fatal::internal(Error::Failure))?;
        let body = rest
            .get(DtlsHandshakeHeader::LEN..end)
            .ok_or(Fatal::internal(Error::Failure))?;
        out.push(EngineOutput::Message {
            msg_type: header.msg_type,
            message_seq: header.message_seq,
            body: body.to_vec(),
        });
        at += end;
    }
}
