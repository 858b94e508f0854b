//! [`Session`]: MatrixSSL's `ssl_t` and its buffer API (layer 5 of `DESIGN.md`).
//!
//! The application moves bytes; the session never does I/O. Incoming bytes are read into
//! [`Session::get_readbuf`] and announced with [`Session::received_data`]; the answer says
//! what to do next ([`Received`]). Outgoing bytes wait in [`Session::get_outdata`] until
//! [`Session::sent_data`] says how many went out ([`Sent`]). Application data goes out
//! through [`Session::get_writebuf`] + [`Session::encode_writebuf`] or
//! [`Session::encode_to_outdata`]. Dropping a session (or [`Session::delete`]) is
//! `matrixSslDeleteSession`.
//!
//! The record layer's framing (RFC 2246 section 6.2) lives in `records`: whole records are
//! decrypted in place in the read buffer, handshake bytes are collected across records
//! and cut into messages for the handshake machine, and every failure ends in the one
//! place that sends the fatal alert ([`crate::alert`]).

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;

use matrix_core::Error;
use matrix_core::memory::SessionBudget;
use matrix_crypto::prf::MasterSecret;

use crate::codec::{AlertDescription, AlertLevel, CipherSuite, ProtocolVersion};
use crate::codes;
use crate::context::{Context, ContextInner, SharedRng};
#[cfg(feature = "client-side-ssl")]
use crate::handshake::ExtensionCallback;
#[cfg(feature = "client-side-ssl")]
use crate::handshake::HelloExtensions;
#[cfg(any(feature = "client-side-ssl", feature = "server-side-ssl"))]
use crate::handshake::{CertValidator, PeerChain};
use crate::handshake::{Handshake, Outputs};
use crate::keys::Keys;
use crate::record::{self, RecordDecrypter, RecordEncrypter};

#[cfg(all(
    test,
    feature = "std",
    feature = "client-side-ssl",
    feature = "server-side-ssl"
))]
mod legacy_peer_tests;
mod memory;
mod records;
pub(crate) mod reneg_limit;

/// What [`Session::received_data`] and [`Session::processed_data`] found (the positive
/// `MATRIXSSL_*` return codes).
#[non_exhaustive]
#[derive(Debug, PartialEq, Eq)]
pub enum Received<'a> {
    /// `MATRIXSSL_REQUEST_SEND` (1): handshake messages or an alert wait in
    /// [`Session::get_outdata`]; send them. After a fatal alert, `sent_data` then says
    /// `RequestClose`.
    RequestSend,
    /// `MATRIXSSL_REQUEST_RECV` (2): read more bytes into [`Session::get_readbuf`].
    RequestRecv,
    /// `MATRIXSSL_HANDSHAKE_COMPLETE` (5): the handshake finished with this data; no other
    /// complete record is buffered.
    HandshakeComplete,
    /// `MATRIXSSL_RECEIVED_ALERT` (6): the peer sent an alert. A fatal alert (or
    /// close_notify) ends the session. Call [`Session::processed_data`] next.
    Alert {
        /// warning or fatal.
        level: AlertLevel,
        /// What the peer reports.
        description: AlertDescription,
    },
    /// `MATRIXSSL_APP_DATA` (4): one record of application data, decrypted in place. Call
    /// [`Session::processed_data`] when done with it. Also implies a completed handshake
    /// when the data came with the peer's Finished.
    AppData(&'a [u8]),
    /// `PS_SUCCESS` (0), from `processed_data` only: no more records are buffered.
    Success,
}

impl Received<'_> {
    /// The C return value ([`crate::codes`]).
    pub fn code(&self) -> i32 {
        match self {
            Received::Success => codes::MATRIXSSL_SUCCESS,
            Received::RequestSend => codes::MATRIXSSL_REQUEST_SEND,
            Received::RequestRecv => codes::MATRIXSSL_REQUEST_RECV,
            Received::AppData(_) => codes::MATRIXSSL_APP_DATA,
            Received::HandshakeComplete => codes::MATRIXSSL_HANDSHAKE_COMPLETE,
            Received::Alert { .. } => codes::MATRIXSSL_RECEIVED_ALERT,
        }
    }
}

/// What [`Session::sent_data`] says next (`matrixSslSentData`'s return codes).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sent {
    /// `MATRIXSSL_REQUEST_SEND` (1): bytes remain in `get_outdata`.
    RequestSend,
    /// `MATRIXSSL_SUCCESS` (0): everything was sent.
    Success,
    /// `MATRIXSSL_REQUEST_CLOSE` (3): the last bytes carried a fatal alert or
    /// close_notify; close the connection.
    RequestClose,
    /// `MATRIXSSL_HANDSHAKE_COMPLETE` (5): our Finished was the last flight of the
    /// handshake (a server's full handshake, a client's resumed one).
    HandshakeComplete,
}

impl Sent {
    /// The C return value ([`crate::codes`]).
    pub fn code(self) -> i32 {
        match self {
            Sent::Success => codes::MATRIXSSL_SUCCESS,
            Sent::RequestSend => codes::MATRIXSSL_REQUEST_SEND,
            Sent::RequestClose => codes::MATRIXSSL_REQUEST_CLOSE,
            Sent::HandshakeComplete => codes::MATRIXSSL_HANDSHAKE_COMPLETE,
        }
    }
}

/// A client's resumable session (`sslSessionId_t`): the server's session id, the master
/// secret (zeroized on drop), the suite and the version, and (feature
/// `stateless-session-tickets`, MatrixSSL 3.4's `sessionTicket` fields) the server's RFC
/// 5077 ticket.
///
/// The C API passes one `sslSessionId_t*` that the library fills during the handshake and
/// reads at the next `matrixSslNewClientSession`. Here the session hands out a copy when
/// the handshake is complete ([`Session::session_id`]) and the next
/// `new_client_session(.., Some(&id), ..)` offers it. `SessionId::new()` is
/// `matrixSslInitSessionId`: an empty id that asks for a full handshake.
#[derive(Clone)]
pub struct SessionId {
    pub(crate) id: Vec<u8>,
    // Read by the client's handshake only.
    #[cfg_attr(not(feature = "client-side-ssl"), allow(dead_code))]
    pub(crate) master: MasterSecret,
    pub(crate) suite: CipherSuite,
    pub(crate) version: ProtocolVersion,
    /// The master secret is an RFC 7627 extended one (read by the client's handshake only).
    #[cfg_attr(not(feature = "client-side-ssl"), allow(dead_code))]
    pub(crate) ems: bool,
    /// The server's RFC 5077 ticket for this session (empty: none), at most 65535 bytes.
    pub(crate) ticket: Vec<u8>,
    /// The ticket's `ticket_lifetime_hint` in seconds (0: unspecified).
    pub(crate) ticket_lifetime_hint: u32,
}

impl Default for SessionId {
    fn default() -> Self {
        SessionId {
            id: Vec::new(),
            master: MasterSecret::new([0; 48]),
            suite: CipherSuite::TLS_NULL_WITH_NULL_NULL,
            version: ProtocolVersion::TLSv1_0,
            ems: false,
            ticket: Vec::new(),
            ticket_lifetime_hint: 0,
        }
    }
}

impl core::fmt::Debug for SessionId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SessionId")
            .field("id", &self.id)
            .field("suite", &self.suite)
            .field("version", &self.version)
            .field("ticket_len", &self.ticket.len())
            .finish_non_exhaustive()
    }
}

impl SessionId {
    /// An empty id (`matrixSslInitSessionId`): offering it means a full handshake.
    pub fn new() -> Self {
        SessionId::default()
    }

    /// Whether there is nothing to resume (neither a session id nor a ticket).
    pub fn is_empty(&self) -> bool {
        self.id.is_empty() && self.ticket.is_empty()
    }

    /// The RFC 5077 session ticket the server issued for this session (feature
    /// `stateless-session-tickets`), empty when there is none. Opaque: only the server
    /// that issued it (or one sharing its ticket keys) can read it.
    pub fn ticket(&self) -> &[u8] {
        &self.ticket
    }

    /// The ticket's lifetime hint in seconds (0: the server gave none).
    pub fn ticket_lifetime_hint(&self) -> u32 {
        self.ticket_lifetime_hint
    }

    /// This session with `ticket` and its lifetime hint attached: with
    /// [`SessionId::from_parts`], restores a session stored outside the library (MatrixSSL
    /// 3.4's `sessionTicket` fields of `sslSessionId_t`). A session with a ticket and no
    /// id is resumable by ticket alone. `PS_ARG_FAIL` for a ticket over 65535 bytes.
    pub fn with_ticket(mut self, ticket: &[u8], lifetime_hint: u32) -> Result<SessionId, Error> {
        if ticket.len() > crate::codec::ticket::MAX_TICKET_LEN {
            return Err(Error::ArgFail);
        }
        self.ticket = ticket.to_vec();
        self.ticket_lifetime_hint = lifetime_hint;
        Ok(self)
    }

    /// The server's session id bytes.
    pub fn id(&self) -> &[u8] {
        &self.id
    }

    /// The suite of the session.
    pub fn cipher_suite(&self) -> CipherSuite {
        self.suite
    }

    /// The version of the session.
    pub fn protocol_version(&self) -> ProtocolVersion {
        self.version
    }

    /// The session's master secret: what a C caller's `sslSessionId_t` stores
    /// (`masterSecret`) to resume the session later. It is the key to every connection
    /// of the session: keep it as carefully as a private key.
    pub fn master_secret(&self) -> &[u8; 48] {
        &self.master
    }

    /// Whether the master secret is an RFC 7627 extended one (resumption must keep it so).
    pub fn extended_master_secret(&self) -> bool {
        self.ems
    }

    /// A session stored outside the library (a C caller's `sslSessionId_t`) made
    /// resumable again: the inverse of [`SessionId::id`], [`SessionId::master_secret`],
    /// [`SessionId::cipher_suite`], [`SessionId::protocol_version`] and
    /// [`SessionId::extended_master_secret`]. `PS_ARG_FAIL` for an id longer than 32 bytes
    /// (RFC 5246 section 7.4.1.2). An empty `id` gives an empty [`SessionId`] unless a
    /// ticket is attached ([`SessionId::with_ticket`]).
    pub fn from_parts(
        id: &[u8],
        master_secret: &[u8; 48],
        cipher_suite: CipherSuite,
        version: ProtocolVersion,
        extended_master_secret: bool,
    ) -> Result<SessionId, Error> {
        if id.len() > 32 {
            return Err(Error::ArgFail);
        }
        Ok(SessionId {
            id: id.to_vec(),
            master: MasterSecret::new(*master_secret),
            suite: cipher_suite,
            version,
            ems: extended_master_secret,
            ticket: Vec::new(),
            ticket_lifetime_hint: 0,
        })
    }
}

/// One SSL/TLS connection (`ssl_t`).
///
/// A session shares its [`Context`] (session cache, disabled suites); with matrix-core's
/// `multithreading` feature the context's state is behind a mutex and sessions are `Send`,
/// so each connection may live on its own thread. Without it they stay on the thread of
/// their context.
pub struct Session {
    pub(crate) ctx: Arc<ContextInner>,
    pub(crate) hs: Handshake,
    pub(crate) rng: SharedRng,
    /// The record version we write (and, once negotiated, require).
    pub(crate) version: ProtocolVersion,
    pub(crate) enc: Box<dyn RecordEncrypter>,
    pub(crate) dec: Box<dyn RecordDecrypter>,
    pub(crate) write_seq: u64,
    pub(crate) read_seq: u64,
    /// Received bytes: `inbuf[in_start..in_end]` is unprocessed.
    pub(crate) inbuf: Vec<u8>,
    /// The capacity of `inbuf` while it is lent out to the handshake (`records`).
    pub(crate) inbuf_lent: usize,
    pub(crate) in_start: usize,
    pub(crate) in_end: usize,
    /// Encoded bytes to send: `outbuf[out_start..]`.
    pub(crate) outbuf: Vec<u8>,
    pub(crate) out_start: usize,
    /// Handshake bytes received but not yet a whole message.
    pub(crate) hsbuf: Vec<u8>,
    /// The plaintext staging buffer of `get_writebuf`.
    pub(crate) wbuf: Vec<u8>,
    pub(crate) budget: SessionBudget,
    pub(crate) charged: usize,
    /// The most heap bytes the session held when measured (`memory`).
    pub(crate) heap_high_water: usize,
    /// Handshake output was queued and not yet announced with `RequestSend`.
    pub(crate) flight_pending: bool,
    /// `sent_data` reports `HandshakeComplete` once the queued bytes are out.
    pub(crate) complete_on_send: bool,
    /// The completion was reported (or implied by application data).
    pub(crate) reported_complete: bool,
    /// A fatal alert or close_notify is queued: `sent_data` ends with `RequestClose`.
    pub(crate) closing: bool,
    /// The session failed or received a fatal alert: nothing more is processed.
    pub(crate) failed: bool,
    /// The peer sent close_notify.
    pub(crate) peer_closed: bool,
    /// We queued a fatal alert.
    pub(crate) sent_fatal: bool,
    /// The first handshake completed: application data flows, also during re-handshakes.
    pub(crate) established: bool,
    /// This side started the re-handshake under way (`encode_rehandshake`; on a server,
    /// from its HelloRequest on): it is not counted against the rate limit, and
    /// `Stream`'s writes wait for it as they wait for the first handshake.
    pub(crate) local_rehandshake: bool,
    /// How many re-handshakes the peer may still ask for.
    pub(crate) reneg_limit: reneg_limit::RenegLimit,
    /// Records in a row that carried nothing (`records::MAX_IDLE_RECORDS`).
    pub(crate) idle_records: u32,
}

impl core::fmt::Debug for Session {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Session")
            .field("version", &self.version)
            .field("cipher_suite", &self.cipher_suite())
            .field("complete", &self.is_handshake_complete())
            .finish_non_exhaustive()
    }
}

impl Session {
    /// `matrixSslDeleteSession`: ends the session and frees everything it holds, exactly
    /// as dropping it does (no alert is sent: queue a closure alert first for that).
    ///
    /// For small programs: the drop code of a session is generated in each crate that
    /// drops one; a program that ends its sessions here links the library's one copy
    /// instead of a second one of its own (about 400 B on a Cortex-M4).
    pub fn delete(self) {}
}

impl Context {
    /// `matrixSslNewClientSession`: a client session whose ClientHello is already in
    /// [`Session::get_outdata`].
    ///
    /// `cipher_suite` 0 offers every compiled-in, enabled suite except DH_anon (anonymous:
    /// offered only when nominated); another value offers only that suite, which must be compiled in and enabled (`PS_UNSUPPORTED_FAIL`
    /// otherwise). A non-empty `session_id` is offered for resumption unless
    /// `cipher_suite` names a different suite (the nominated suite takes precedence, as in
    /// the reference). `cert_validator` sees the server's chain (see [`CertValidator`]);
    /// `extensions` are added to the ClientHello. `PS_PLATFORM_FAIL` if the random
    /// generator fails; `PS_ARG_FAIL` on a DTLS context (matrix-dtls runs those).
    #[cfg(feature = "client-side-ssl")]
    #[cfg_attr(docsrs, doc(cfg(feature = "client-side-ssl")))]
    pub fn new_client_session(
        &self,
        keys: Arc<Keys>,
        session_id: Option<&SessionId>,
        cipher_suite: u16,
        cert_validator: Option<CertValidator>,
        extensions: Option<&HelloExtensions>,
    ) -> Result<Session, Error> {
        self.client_session(keys, session_id, cipher_suite, cert_validator, extensions)
    }

    /// `matrixSslNewClientSession` with all of its arguments: [`Context::new_client_session`]
    /// plus the hello extension callback (`extensionCback`), registered before any
    /// ServerHello can arrive (as [`Session::set_extension_callback`] would).
    #[cfg(feature = "client-side-ssl")]
    pub fn new_client_session_with_extension_cb(
        &self,
        keys: Arc<Keys>,
        session_id: Option<&SessionId>,
        cipher_suite: u16,
        cert_validator: Option<CertValidator>,
        extensions: Option<&HelloExtensions>,
        extension_cb: Option<ExtensionCallback>,
    ) -> Result<Session, Error> {
        let mut s =
            self.client_session(keys, session_id, cipher_suite, cert_validator, extensions)?;
        // Set before the session is handed out, so before any ServerHello can arrive (on
        // a client session this cannot fail).
        if let Some(cb) = extension_cb {
            s.set_extension_callback(cb)?;
        }
        Ok(s)
    }

    /// The client session of both constructors above, without the callback: a program
    /// that never registers one links no code that moves or drops it here.
    #[cfg(feature = "client-side-ssl")]
    fn client_session(
        &self,
        keys: Arc<Keys>,
        session_id: Option<&SessionId>,
        cipher_suite: u16,
        cert_validator: Option<CertValidator>,
        extensions: Option<&HelloExtensions>,
    ) -> Result<Session, Error> {
        let ctx = Arc::clone(&self.inner);
        // A DTLS context's handshakes run over datagrams (matrix-dtls), not TLS records.
        if ctx.is_dtls() {
            return Err(Error::ArgFail);
        }
        let mut rng = ctx.shared_rng();
        let mut out = Outputs::new();
        let hs = crate::handshake::ClientHandshake::start(
            Arc::clone(&ctx),
            keys,
            session_id,
            cipher_suite,
            cert_validator,
            extensions,
            &mut rng,
            &mut out,
            None,
        )?;
        let record_version = hello_record_version(&ctx.versions);
        let mut s = Session::new(ctx, Handshake::Client(hs), rng, record_version);
        s.apply_outputs(out).map_err(|f| f.error)?;
        // The hello is announced by `get_outdata`, not by a `RequestSend`.
        s.flight_pending = false;
        Ok(s)
    }

    /// `matrixSslNewServerSession`: a server session waiting for a ClientHello.
    ///
    /// `cert_validator` asks for client authentication (feature `client-auth`; without
    /// it the callback is kept and never called): the server sends a CertificateRequest
    /// in every full handshake with a certificate-based key exchange (RSA, DHE_RSA),
    /// authenticates the client's chain against the trusted CAs of `keys` and calls the
    /// callback as a client does for the server's chain. See
    /// [`Session::set_session_option`] to request it later instead.
    #[cfg(feature = "server-side-ssl")]
    #[cfg_attr(docsrs, doc(cfg(feature = "server-side-ssl")))]
    pub fn new_server_session(
        &self,
        keys: Arc<Keys>,
        cert_validator: Option<CertValidator>,
    ) -> Result<Session, Error> {
        let ctx = Arc::clone(&self.inner);
        if ctx.is_dtls() {
            return Err(Error::ArgFail);
        }
        let rng = ctx.shared_rng();
        let hs = crate::handshake::ServerHandshake::new(Arc::clone(&ctx), keys, cert_validator);
        let v = ctx.highest_version();
        Ok(Session::new(ctx, Handshake::Server(Box::new(hs)), rng, v))
    }
}

/// The record version of a ClientHello: TLS 1.0 whenever we speak TLS, since servers that
/// never heard of a newer version still read it (RFC 5246 appendix E.1); SSL 3.0 otherwise.
#[cfg(feature = "client-side-ssl")]
fn hello_record_version(versions: &[ProtocolVersion]) -> ProtocolVersion {
    for v in versions {
        if !v.is_ssl3() {
            return *v;
        }
    }
    ProtocolVersion::SSLv3
}

impl Session {
    fn new(
        ctx: Arc<ContextInner>,
        hs: Handshake,
        rng: SharedRng,
        version: ProtocolVersion,
    ) -> Self {
        let budget = SessionBudget::new(ctx.config.session_memory_cap);
        // The limit is consulted only in builds that renegotiate (`rate_limit`): elsewhere
        // neither the clock nor the configuration is read for it (an empty bucket, never
        // asked, is folded to constants).
        let (per_minute, now_ms) = if crate::handshake::RENEGOTIATION {
            (ctx.config.rehandshakes_per_minute, ctx.now_ms())
        } else {
            (0, 0)
        };
        let reneg_limit = reneg_limit::RenegLimit::new(per_minute, now_ms);
        Session {
            ctx,
            hs,
            rng,
            version,
            enc: record::null_encrypter(),
            dec: record::null_decrypter(),
            write_seq: 0,
            read_seq: 0,
            inbuf: Vec::new(),
            inbuf_lent: 0,
            in_start: 0,
            in_end: 0,
            outbuf: Vec::new(),
            out_start: 0,
            hsbuf: Vec::new(),
            wbuf: Vec::new(),
            budget,
            charged: 0,
            heap_high_water: 0,
            flight_pending: false,
            complete_on_send: false,
            reported_complete: false,
            closing: false,
            failed: false,
            peer_closed: false,
            sent_fatal: false,
            established: false,
            local_rehandshake: false,
            reneg_limit,
            idle_records: 0,
        }
    }

    /// The negotiated protocol version (before the ServerHello: the version offered or
    /// expected).
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

    /// `matrixSslGetAnonStatus`: whether the certificate callback allowed the connection
    /// without authentication (`SSL_ALLOW_ANON_CONNECTION`).
    pub fn anon_status(&self) -> bool {
        self.hs.shared().anon
    }

    /// Whether the handshake has completed.
    pub fn is_handshake_complete(&self) -> bool {
        self.hs.is_complete()
    }

    /// Whether the peer signalled RFC 5746 secure renegotiation.
    pub fn secure_renegotiation(&self) -> bool {
        self.hs.shared().secure_renegotiation
    }

    /// The extensions of the peer's hello (ServerHello for a client, ClientHello for a
    /// server) as (extension type, extension_data), in the order received: what
    /// MatrixSSL's extension callback and `ssl->helloExtIn` exposed (the certificate
    /// callback sees them through [`crate::HandshakeInfo`]).
    pub fn peer_hello_extensions(&self) -> &[(u16, Vec<u8>)] {
        &self.hs.shared().peer_extensions
    }

    /// The peer's certificate chain as received, with each certificate's `auth_status`.
    /// Only with `Config::keep_peer_certificates`: by default the chain is freed once
    /// authenticated (the certificate callback sees it), and this is `None`.
    pub fn peer_certificates(&self) -> Option<&PeerChain> {
        self.hs.shared().peer_certs.as_ref()
    }

    /// The resumable session after a completed handshake (clients keep it for the next
    /// `new_client_session`), or `None` when the server gave neither a session id nor
    /// (feature `stateless-session-tickets`) a ticket.
    pub fn session_id(&self) -> Option<SessionId> {
        self.hs.resumable_session()
    }

    /// Whether the peer sent close_notify.
    pub fn peer_closed(&self) -> bool {
        self.peer_closed
    }

    /// `matrixSslSetCipherSuiteEnabledStatus(ssl, id, status)`: disables or re-enables a
    /// suite for this server session, before its handshake starts. `PS_FAILURE` for a
    /// suite not compiled in, `PS_LIMIT_FAIL` past `Config::max_disabled_ciphers`,
    /// `PS_UNSUPPORTED_FAIL` on a client session (a client nominates its suite instead).
    pub fn set_cipher_suite_enabled_status(&mut self, id: u16, enabled: bool) -> Result<(), Error> {
        if self.hs.is_server() {
            let suite = CipherSuite::from(id);
            if crate::suites::lookup(suite).is_none() {
                return Err(Error::Failure);
            }
            let max = self.ctx.config.max_disabled_ciphers;
            let list = &mut self.hs.shared_mut().session_disabled;
            list.retain(|s| *s != suite);
            if !enabled {
                if list.len() >= max {
                    return Err(Error::LimitFail);
                }
                list.push(suite);
            }
            return Ok(());
        }
        Err(Error::UnsupportedFail)
    }

    /// Queues what the handshake machine produced, in order, as records: the alert, the
    /// messages in as few records as fit, cut by the ChangeCipherSpec (a record of its
    /// own) where the machine placed it. Empty messages write no record. The flight is
    /// pending from its first message on, or once its alert or ChangeCipherSpec is
    /// written, also when a later record fails.
    pub(crate) fn apply_outputs(
        &mut self,
        mut outputs: Outputs,
    ) -> Result<(), crate::alert::Fatal> {
        use crate::codec::ContentType;
        if let Some(d) = outputs.alert {
            self.write_records(ContentType::Alert, &[1, d.get()])?;
            self.flight_pending = true;
        }
        let at = if outputs.ccs.is_some() {
            outputs.ccs_at
        } else {
            outputs.bytes.len()
        };
        self.write_messages(outputs.bytes.get(..at))?;
        // The new write state is taken only once the ChangeCipherSpec is written under
        // the current one.
        if outputs.ccs.is_some() {
            self.write_records(ContentType::ChangeCipherSpec, &[1])?;
            self.flight_pending = true;
            if let Some(enc) = outputs.ccs.take() {
                self.enc = enc;
                self.write_seq = 0;
            }
            self.write_messages(outputs.bytes.get(at..))?;
        }
        Ok(())
    }

    /// Handshake messages as records (none for none).
    fn write_messages(&mut self, bytes: Option<&[u8]>) -> Result<(), crate::alert::Fatal> {
        let bytes = bytes.unwrap_or_default();
        if !bytes.is_empty() {
            self.flight_pending = true;
        }
        self.write_records(crate::codec::ContentType::Handshake, bytes)
    }
}

/// The options of `matrixSslSetSessionOption`.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SessionOption {
    /// `SSL_OPTION_DISABLE_CLIENT_AUTH`: a server session created with a certificate
    /// callback does not request client certificates (call it right after
    /// `new_server_session` to enable client authentication only later).
    DisableClientAuth,
    /// `SSL_OPTION_ENABLE_CLIENT_AUTH`: a server session requests a client certificate in
    /// its next full handshake; needs the certificate callback given to
    /// `new_server_session`.
    EnableClientAuth,
    /// `SSL_OPTION_FULL_HANDSHAKE`: for [`Session::encode_rehandshake`], a full
    /// re-handshake instead of a resumed one; given to [`Session::set_session_option`], it
    /// deletes the session's resumption state, so that the next handshake on this
    /// connection (started by either side) is a full one.
    FullHandshake,
}

impl Session {
    /// `matrixSslSetSessionOption`.
    ///
    /// [`SessionOption::FullHandshake`] (both roles) deletes the resumption state as
    /// MatrixSSL does: the session id is forgotten (a server also removes it from the
    /// context's session cache), so the next re-handshake, whoever starts it, is a full
    /// one and [`Session::session_id`] returns `None` until a handshake completes again.
    ///
    /// The client-auth options: `PS_ARG_FAIL` for a client session, for
    /// [`SessionOption::EnableClientAuth`] on a session without a certificate callback,
    /// and, in a build without the `client-auth` feature, for both client-auth options.
    /// The option applies to the next full handshake the server starts (the one waiting
    /// for its ClientHello, if it has not arrived yet).
    pub fn set_session_option(&mut self, option: SessionOption) -> Result<(), Error> {
        if option == SessionOption::FullHandshake {
            self.forget_cached_session();
            self.hs.shared_mut().session_id.clear();
            return Ok(());
        }
        match (option, self.server_handshake_mut()) {
            (SessionOption::DisableClientAuth, Some(s)) => s.set_client_auth(false),
            (SessionOption::EnableClientAuth, Some(s)) => s.set_client_auth(true),
            _ => Err(Error::ArgFail),
        }
    }

    /// On a server: the host_name of the client's server_name extension (RFC 6066), parsed
    /// from its ClientHello; `None` when it sent none, and on a client.
    pub fn server_name(&self) -> Option<&[u8]> {
        self.hs.shared().server_name()
    }

    /// Registers the hello extension callback (`extensionCback` of
    /// `matrixSslNewClientSession`; set it right after `new_client_session`, before the
    /// ServerHello arrives): it sees every ServerHello extension, in this handshake and in
    /// re-handshakes, and ends the handshake with a negative return. `PS_ARG_FAIL` on a
    /// server session.
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

    /// `matrixSslEncodeRehandshake`: starts a re-handshake of the established connection
    /// (features `secure-rehandshakes` for RFC 5746 peers, `insecure-rehandshakes` for
    /// legacy ones). A server queues a HelloRequest; a client queues a new ClientHello,
    /// both encrypted under the current keys: send [`Session::get_outdata`]. Application
    /// data keeps flowing both ways while it runs; `received_data` reports
    /// `HandshakeComplete` again when it ends.
    ///
    /// The re-handshake resumes the current session unless `option` is
    /// [`SessionOption::FullHandshake`], `keys` are given (they replace the current ones),
    /// a server gives a `cert_validator` (which requests client authentication), or a
    /// client nominates another `cipher_suite` (0: every enabled suite, as
    /// `new_client_session`; ignored by servers). `PS_PROTOCOL_FAIL` before the first
    /// handshake completes, during a re-handshake or after a fatal alert,
    /// `PS_UNSUPPORTED_FAIL` when this build does not renegotiate this connection (e.g.
    /// the peer did not signal RFC 5746 and `insecure-rehandshakes` is off),
    /// `PS_ARG_FAIL` for another option.
    pub fn encode_rehandshake(
        &mut self,
        keys: Option<Arc<Keys>>,
        cert_validator: Option<CertValidator>,
        option: Option<SessionOption>,
        cipher_suite: u16,
    ) -> Result<(), Error> {
        let full = match option {
            None => false,
            Some(SessionOption::FullHandshake) => true,
            Some(_) => return Err(Error::ArgFail),
        };
        if self.failed || self.closing || !self.established || !self.hs.is_complete() {
            return Err(Error::ProtocolFail);
        }
        let mut out = Outputs::new();
        let started = self
            .hs
            .renegotiate(
                keys,
                cert_validator,
                full,
                cipher_suite,
                &mut self.rng,
                &mut out,
            )
            .map_err(|f| f.error)?;
        if !started {
            return Err(Error::UnsupportedFail);
        }
        self.apply_outputs(out).map_err(|f| f.error)?;
        // The message is announced by `get_outdata`, not by a `RequestSend`.
        self.flight_pending = false;
        self.reported_complete = false;
        self.local_rehandshake = true;
        Ok(())
    }

    #[cfg(feature = "server-side-ssl")]
    fn server_handshake_mut(&mut self) -> Option<&mut crate::handshake::ServerHandshake> {
        self.hs.as_server_mut()
    }

    #[cfg(not(feature = "server-side-ssl"))]
    fn server_handshake_mut(&mut self) -> Option<&mut NoServer> {
        None
    }
}

/// Stands for the server machine in a client-only build.
#[cfg(not(feature = "server-side-ssl"))]
struct NoServer;

#[cfg(not(feature = "server-side-ssl"))]
impl NoServer {
    fn set_client_auth(&mut self, _on: bool) -> Result<(), Error> {
        Err(Error::ArgFail)
    }
}
