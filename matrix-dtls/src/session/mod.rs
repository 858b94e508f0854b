//! [`DtlsSession`]: one DTLS connection with MatrixSSL's buffer API and the DTLS functions
//! of Appendix A of the API reference.
//!
//! The session never does I/O. One received datagram goes into [`DtlsSession::get_readbuf`]
//! and is announced with [`DtlsSession::received_data`]; its records are then handed out
//! one event at a time ([`DtlsSession::processed_data`] for the next). Outgoing datagrams
//! come one at a time from [`DtlsSession::get_outdata`] (each within the PMTU) and are
//! acknowledged with [`DtlsSession::sent_data`].
//!
//! The application owns the retransmission timer (RFC 4347 section 4.2.4): when it
//! expires it calls `get_outdata` again, and a session in the middle of a handshake whose
//! previous `get_outdata` call found nothing to send (with no datagram received since)
//! rebuilds its last flight. A retransmission of the peer's previous flight, recognised
//! by its old message_seq, makes the session rebuild its last flight by itself. The last
//! flight of the handshake is kept until the peer's application data proves it arrived;
//! until then it goes again whenever the peer retransmits.
//!
//! A server answers ClientHellos without a valid cookie statelessly with a
//! HelloVerifyRequest (section 4.2.1): its handshake engine is created only for a hello
//! whose cookie verifies.
//!
//! The modules: `receive` (records in, events out), `send` (datagrams out, application
//! data in).

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::sync::Arc;
use alloc::vec::Vec;

use matrix_core::Error;
use matrix_core::memory::SessionBudget;
use matrix_ssl::codec::record::DtlsRecordHeader;
use matrix_ssl::codec::{AlertDescription, ContentType, HandshakeType, ProtocolVersion};
use matrix_ssl::engine::{EngineOutput, HandshakeEngine, SecureRandom};
use matrix_ssl::{
    CertValidator, CipherSuite, ExtensionCallback, HelloExtensions, Keys, SessionId, SessionOption,
};

use zeroize::Zeroize;

use crate::context::DtlsContext;
use crate::flight::{Cursor, Flight};
use crate::fragment::Reassembler;
use crate::record::{RecordReader, RecordWriter};

mod memory;
mod receive;
mod send;

/// `DTLS_SEND_RECORDS_INDIVIDUALLY`: every handshake record in a datagram of its own.
#[cfg(feature = "dtls-send-records-individually")]
const SEND_INDIVIDUALLY: bool = true;
#[cfg(not(feature = "dtls-send-records-individually"))]
const SEND_INDIVIDUALLY: bool = false;

/// What a queued datagram carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// Part of the current flight (replaced when the flight is rebuilt).
    Flight,
    /// A warning or fatal alert, a HelloVerifyRequest, application data.
    Other,
}

/// One datagram waiting for `get_outdata`.
#[derive(Debug)]
struct Outgoing {
    kind: Kind,
    bytes: Vec<u8>,
    /// The last datagram of a flight: sending it completes the handshake when the flight
    /// ended it.
    ends_flight: bool,
}

/// What a server keeps before a ClientHello with a valid cookie arrives.
struct PendingServer {
    keys: Arc<Keys>,
    validator: Option<CertValidator>,
    /// A `set_session_option` client-authentication choice, applied to the engine.
    client_auth: Option<bool>,
}

/// One DTLS connection (`ssl_t` of MatrixDTLS): one peer, one transport address.
///
/// As for matrix-ssl's sessions, with matrix-core's `multithreading` feature a session is
/// `Send` (and its [`DtlsContext`] `Send + Sync`), so each peer may be served on its own
/// thread; without it they stay on the context's thread.
pub struct DtlsSession {
    ctx: DtlsContext,
    engine: Option<HandshakeEngine>,
    pending_server: Option<PendingServer>,
    client_addr: Vec<u8>,
    rng: Box<dyn SecureRandom + Send>,
    writer: RecordWriter,
    reader: RecordReader,
    reasm: Reassembler,
    flight: Flight,
    /// The keys of the current handshake: a Certificate message listing their chain is
    /// kept in the flight as a reference to them (`Flight::push_certificate`).
    keys: Option<Arc<Keys>>,
    /// Where the flight's next datagram starts while some are still to be built: one
    /// datagram of the flight is queued at a time, the next built when it was sent.
    flight_next: Option<Cursor>,
    out: VecDeque<Outgoing>,
    /// The last `get_outdata` found nothing to send: the next one is a timeout.
    armed: bool,
    /// The datagram being processed: `inbuf[in_pos..in_end]` is left.
    inbuf: Vec<u8>,
    /// The capacity of `inbuf` while it is lent out to the handshake (`receive`).
    inbuf_lent: usize,
    in_pos: usize,
    in_end: usize,
    /// The plaintext staging buffer of `get_writebuf`.
    wbuf: Vec<u8>,
    /// The peer retransmitted: rebuild our flight at the end of the datagram.
    retransmit_requested: bool,
    /// A handshake record of the next read epoch that came before the ChangeCipherSpec.
    early_record: Option<(DtlsRecordHeader, Vec<u8>)>,
    /// Datagrams were queued since the application last heard `RequestSend`.
    queued: bool,
    /// The handshake completed on a received message, not yet reported.
    just_completed: bool,
    /// Sending the end of the current flight completes the handshake.
    complete_on_send: bool,
    /// The first handshake completed.
    established: bool,
    /// How many handshakes completed (the first and the re-handshakes).
    completed_handshakes: u32,
    /// A fatal alert or close_notify is queued.
    closing: bool,
    /// Nothing more is processed (fatal alert either way, close_notify received).
    failed: bool,
    /// The `Config::session_memory_cap` budget the buffers are charged to (`memory`).
    budget: SessionBudget,
    /// What the buffers were last charged.
    charged: usize,
    /// The most heap bytes the session held when measured.
    heap_high_water: usize,
}

impl Drop for DtlsSession {
    fn drop(&mut self) {
        // Decrypted application data stays in the read buffer, plaintext to be sent in the
        // write buffer.
        self.inbuf.zeroize();
        self.wbuf.zeroize();
    }
}

impl core::fmt::Debug for DtlsSession {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DtlsSession")
            .field("engine", &self.engine)
            .field("write_epoch", &self.writer.epoch())
            .field("read_epoch", &self.reader.epoch())
            .field("queued_datagrams", &self.out.len())
            .finish_non_exhaustive()
    }
}

impl DtlsContext {
    /// `matrixSslNewClientSession` for DTLS: a client whose ClientHello is waiting in
    /// [`DtlsSession::get_outdata`]. The arguments are those of matrix-ssl's
    /// `Context::new_client_session`; RC4 suites do not exist in DTLS (`PS_UNSUPPORTED_FAIL`
    /// when nominated).
    pub fn new_client_session(
        &self,
        keys: Arc<Keys>,
        session_id: Option<&SessionId>,
        cipher_suite: u16,
        cert_validator: Option<CertValidator>,
        extensions: Option<&HelloExtensions>,
    ) -> Result<DtlsSession, Error> {
        let mut rng = self.session_rng()?;
        let mut outs = Vec::new();
        let own = Arc::clone(&keys);
        let engine = HandshakeEngine::new_client(
            self.context(),
            keys,
            session_id,
            cipher_suite,
            cert_validator,
            extensions,
            &mut *rng,
            &mut outs,
        )?;
        let mut s = DtlsSession::new(self.clone(), Some(engine), None, Vec::new(), rng);
        s.keys = Some(own);
        s.apply_outputs(outs)?;
        // The hello is announced by `get_outdata`, not by a `RequestSend`.
        s.queued = false;
        Ok(s)
    }

    /// `matrixSslNewServerSession` for DTLS: a server session for the peer at
    /// `client_addr` (its transport address as bytes, e.g. the `SocketAddr` printed or
    /// serialised: the cookie binds the handshake to it). `cert_validator` asks for client
    /// authentication as in TLS. No handshake state exists until a ClientHello with a
    /// valid cookie arrives.
    pub fn new_server_session(
        &self,
        keys: Arc<Keys>,
        cert_validator: Option<CertValidator>,
        client_addr: &[u8],
    ) -> Result<DtlsSession, Error> {
        let rng = self.session_rng()?;
        let own = Arc::clone(&keys);
        let mut s = DtlsSession::new(
            self.clone(),
            None,
            Some(PendingServer {
                keys,
                validator: cert_validator,
                client_auth: None,
            }),
            client_addr.to_vec(),
            rng,
        );
        s.keys = Some(own);
        Ok(s)
    }
}

impl DtlsSession {
    fn new(
        ctx: DtlsContext,
        engine: Option<HandshakeEngine>,
        pending_server: Option<PendingServer>,
        client_addr: Vec<u8>,
        rng: Box<dyn SecureRandom + Send>,
    ) -> Self {
        let ctx_cap = ctx.context().config().session_memory_cap;
        DtlsSession {
            ctx,
            engine,
            pending_server,
            client_addr,
            rng,
            writer: RecordWriter::new(ProtocolVersion::DTLSv1_0),
            reader: RecordReader::new(),
            reasm: Reassembler::default(),
            flight: Flight::new(),
            keys: None,
            flight_next: None,
            out: VecDeque::new(),
            armed: false,
            inbuf: Vec::new(),
            inbuf_lent: 0,
            in_pos: 0,
            in_end: 0,
            wbuf: Vec::new(),
            retransmit_requested: false,
            early_record: None,
            queued: false,
            just_completed: false,
            complete_on_send: false,
            established: false,
            completed_handshakes: 0,
            closing: false,
            failed: false,
            budget: SessionBudget::new(ctx_cap),
            charged: 0,
            heap_high_water: 0,
        }
    }

    /// The context this session belongs to (its PMTU applies).
    pub fn context(&self) -> &DtlsContext {
        &self.ctx
    }

    /// On a server: whether a ClientHello with a valid cookie arrived, so that handshake
    /// state exists. Always true on a client.
    pub fn handshake_started(&self) -> bool {
        self.engine.is_some()
    }

    /// Whether the handshake has completed.
    pub fn is_handshake_complete(&self) -> bool {
        self.engine.as_ref().is_some_and(|e| e.is_complete())
    }

    /// The protocol version: the negotiated one (DTLS 1.0 or DTLS 1.2), or before the
    /// ServerHello the one a client offers; DTLS 1.0 on a server before the ClientHello.
    pub fn protocol_version(&self) -> ProtocolVersion {
        self.engine
            .as_ref()
            .map_or(ProtocolVersion::DTLSv1_0, |e| e.protocol_version())
    }

    /// The negotiated cipher suite, once chosen.
    pub fn cipher_suite(&self) -> Option<CipherSuite> {
        self.engine.as_ref().and_then(|e| e.cipher_suite())
    }

    /// Whether this handshake resumed a cached session.
    pub fn is_resumed(&self) -> bool {
        self.engine.as_ref().is_some_and(|e| e.is_resumed())
    }

    /// The resumable session after a completed handshake (for the next
    /// `new_client_session`).
    pub fn session_id(&self) -> Option<SessionId> {
        self.engine.as_ref().and_then(|e| e.session_id())
    }

    /// The peer's certificate chain, as received.
    /// Only with `Config::keep_peer_certificates`: by default the chain is freed once
    /// authenticated (the certificate callback sees it), and this is `None`.
    pub fn peer_certificates(&self) -> Option<&matrix_ssl::PeerChain> {
        self.engine.as_ref().and_then(|e| e.peer_certificates())
    }

    /// `matrixSslGetAnonStatus`.
    pub fn anon_status(&self) -> bool {
        self.engine.as_ref().is_some_and(|e| e.anon_status())
    }

    /// On a server: the host_name of the client's server_name extension.
    pub fn server_name(&self) -> Option<&[u8]> {
        self.engine.as_ref().and_then(|e| e.server_name())
    }

    /// The extensions of the peer's hello as (type, extension_data), in order.
    pub fn peer_hello_extensions(&self) -> &[(u16, Vec<u8>)] {
        self.engine
            .as_ref()
            .map_or(&[], |e| e.peer_hello_extensions())
    }

    /// Whether the peer signalled RFC 5746 secure renegotiation.
    pub fn secure_renegotiation(&self) -> bool {
        self.engine
            .as_ref()
            .is_some_and(|e| e.secure_renegotiation())
    }

    /// On a client: the hello extension callback (as matrix-ssl's
    /// `Session::set_extension_callback`). `PS_ARG_FAIL` on a server.
    pub fn set_extension_callback(&mut self, cb: ExtensionCallback) -> Result<(), Error> {
        match (&mut self.engine, &self.pending_server) {
            (Some(e), None) => e.set_extension_callback(cb),
            _ => Err(Error::ArgFail),
        }
    }

    /// `matrixSslSetSessionOption`. `FullHandshake` (both roles) deletes the resumption
    /// state as on TLS sessions: the next re-handshake, whoever starts it, is a full one.
    /// The client-auth options (`DisableClientAuth`, `EnableClientAuth`) apply to a
    /// server's next full handshake, including one whose ClientHello has not arrived yet;
    /// `PS_ARG_FAIL` for them on a client, for other options, and as matrix-ssl's sessions
    /// refuse (no `client-auth` feature, or no certificate callback to enable it with).
    pub fn set_session_option(&mut self, option: SessionOption) -> Result<(), Error> {
        let on = match option {
            SessionOption::EnableClientAuth => true,
            SessionOption::DisableClientAuth => false,
            SessionOption::FullHandshake => {
                // A server whose ClientHello has not come has nothing to forget yet.
                if let Some(e) = self.engine.as_mut() {
                    e.forget_session();
                }
                return Ok(());
            }
            _ => return Err(Error::ArgFail),
        };
        if let Some(p) = self.pending_server.as_mut() {
            // Checked now against a throwaway engine, so the error comes from this call.
            let mut probe = HandshakeEngine::new_server(
                self.ctx.context(),
                Arc::clone(&p.keys),
                p.validator.is_some().then(|| -> CertValidator {
                    Box::new(|_, _, _| matrix_ssl::Verdict::Continue)
                }),
            )?;
            probe.set_client_auth(on)?;
            p.client_auth = Some(on);
            return Ok(());
        }
        match &mut self.engine {
            Some(e) if e.is_server() => e.set_client_auth(on),
            _ => Err(Error::ArgFail),
        }
    }

    /// How many bytes of incomplete handshake messages are buffered (bounded by
    /// `fragment::ReassemblyLimits`).
    pub fn handshake_bytes_buffered(&self) -> usize {
        self.reasm.buffered()
    }

    /// The current write and read epochs (for diagnostics and tests).
    pub fn epochs(&self) -> (u16, u16) {
        (self.writer.epoch(), self.reader.epoch())
    }

    /// Queues what the engine produced: messages and ChangeCipherSpecs form the new
    /// flight (which replaces the previous one and is sent at once), warning alerts go out
    /// on their own.
    fn apply_outputs(&mut self, outs: Vec<EngineOutput>) -> Result<bool, Error> {
        self.sync_record_version();
        let mut new_flight = false;
        let flight_len = outs
            .iter()
            .filter(|o| !matches!(o, EngineOutput::WarningAlert(_)))
            .count();
        for o in outs {
            match o {
                EngineOutput::Message {
                    msg_type,
                    message_seq,
                    body,
                } => {
                    if !new_flight {
                        self.flight.clear();
                        self.flight.reserve_exact(flight_len);
                        new_flight = true;
                    }
                    let epoch = self.writer.epoch();
                    if msg_type == HandshakeType::Certificate {
                        self.flight
                            .push_certificate(epoch, message_seq, body, self.keys.as_ref());
                    } else {
                        self.flight.push_message(epoch, msg_type, message_seq, body);
                    }
                }
                EngineOutput::ChangeCipherSpec(enc) => {
                    if !new_flight {
                        self.flight.clear();
                        self.flight.reserve_exact(flight_len);
                        new_flight = true;
                    }
                    self.flight.push_ccs(self.writer.epoch());
                    self.writer.next_epoch(enc)?;
                }
                EngineOutput::WarningAlert(d) => {
                    self.queue_record(ContentType::Alert, &[1, d.get()])?;
                }
                _ => return Err(Error::UnsupportedFail),
            }
        }
        if new_flight {
            self.send_flight()?;
        }
        Ok(new_flight)
    }

    /// Our records carry the negotiated version once there is one (RFC 6347 section 4.1:
    /// the server's flight from its ServerHello on, the client's from its answer to the
    /// ServerHello); before, DTLS 1.0's {254,255}, which every DTLS peer reads (the
    /// ClientHello, as OpenSSL and GnuTLS send theirs, and the HelloVerifyRequest).
    fn sync_record_version(&mut self) {
        if let Some(e) = self.engine.as_ref().filter(|e| e.version_negotiated()) {
            self.writer.set_version(e.protocol_version());
        }
    }

    /// Starts sending the current flight again from its first datagram, replacing any of
    /// its datagrams still queued. Only the first datagram is protected now, each next one
    /// when the previous was sent (`queue_next_flight_datagram`).
    fn send_flight(&mut self) -> Result<(), Error> {
        self.drop_flight_datagrams();
        self.flight_next = Some(Cursor::default());
        // A flight just (re)built restarts the timer: the next empty `get_outdata` only
        // arms it (else a flight queued by `encode_rehandshake` after a quiet spell would
        // go twice at once).
        self.armed = false;
        self.queued = true;
        matrix_core::ps_trace_dtls!("flight of {} items", self.flight.items().len());
        self.queue_next_flight_datagram()
    }

    /// Forgets the flight's datagrams: those queued and those still to be built.
    fn drop_flight_datagrams(&mut self) {
        self.out.retain(|o| o.kind != Kind::Flight);
        self.flight_next = None;
    }

    /// Protects the flight's next datagram into the queue, unless one is queued already or
    /// all were built. Past the memory budget the handshake cannot go on (the error).
    fn queue_next_flight_datagram(&mut self) -> Result<(), Error> {
        let Some(mut at) = self.flight_next else {
            return Ok(());
        };
        if self.out.iter().any(|o| o.kind == Kind::Flight) {
            return Ok(());
        }
        let dg = self.flight.next_datagram(
            &mut at,
            &mut self.writer,
            self.ctx.pmtu(),
            SEND_INDIVIDUALLY,
            &mut *self.rng,
        );
        let dg = match dg {
            Ok(d) => d,
            Err(e) => {
                self.flight_next = None;
                return Err(e);
            }
        };
        let done = self.flight.is_done(&at);
        self.flight_next = (!done).then_some(at);
        if let Some(bytes) = dg {
            self.out.push_back(Outgoing {
                kind: Kind::Flight,
                bytes,
                ends_flight: done,
            });
        }
        self.recharge()
    }

    /// Protects the flight's datagrams not built yet into the queue at once: another
    /// datagram is about to be queued behind them, and must not overtake them.
    fn queue_rest_of_flight(&mut self) -> Result<(), Error> {
        while let Some(mut at) = self.flight_next {
            let dg = self.flight.next_datagram(
                &mut at,
                &mut self.writer,
                self.ctx.pmtu(),
                SEND_INDIVIDUALLY,
                &mut *self.rng,
            )?;
            let done = self.flight.is_done(&at);
            self.flight_next = (!done).then_some(at);
            match dg {
                Some(bytes) => self.out.push_back(Outgoing {
                    kind: Kind::Flight,
                    bytes,
                    ends_flight: done,
                }),
                None => self.flight_next = None,
            }
        }
        Ok(())
    }

    /// Protects one record in the current write epoch as a datagram of its own.
    fn queue_record(&mut self, content_type: ContentType, data: &[u8]) -> Result<(), Error> {
        if self.queue_rest_of_flight().is_err() {
            self.flight_next = None;
        }
        let mut dg = Vec::new();
        self.writer.protect(
            self.writer.epoch(),
            content_type,
            data,
            &mut *self.rng,
            &mut dg,
        )?;
        self.out.push_back(Outgoing {
            kind: Kind::Other,
            bytes: dg,
            ends_flight: false,
        });
        self.queued = true;
        Ok(())
    }

    /// Ends the session with a fatal alert (queued for sending).
    fn fail(&mut self, alert: AlertDescription) {
        if self.failed {
            return;
        }
        matrix_core::ps_trace_dtls!("fatal alert {alert:?}");
        self.failed = true;
        self.closing = true;
        self.flight.clear();
        self.drop_flight_datagrams();
        let _ = self.queue_record(ContentType::Alert, &[2, alert.get()]);
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    //! What needs the session's own keys: records a peer really protected (an attacker
    //! cannot make them) carrying malformed handshake data.
    use super::*;
    use matrix_ssl::codec::Codec;
    use matrix_ssl::{AlertLevel, Config, Received};

    fn read(rel: &str) -> Vec<u8> {
        std::fs::read(format!("{}/../testkeys/{rel}", env!("CARGO_MANIFEST_DIR"))).unwrap()
    }

    fn take(s: &mut DtlsSession) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        loop {
            let d = s.get_outdata().to_vec();
            if d.is_empty() {
                return out;
            }
            s.sent_data(d.len()).unwrap();
            out.push(d);
        }
    }

    /// Feeds a datagram and processes all of it.
    fn give(s: &mut DtlsSession, dg: &[u8]) {
        let buf = s.get_readbuf();
        buf[..dg.len()].copy_from_slice(dg);
        let mut r = s.received_data(dg.len());
        while let Ok(Received::AppData(_)) | Ok(Received::Alert { .. }) = r {
            r = s.processed_data();
        }
    }

    fn established() -> (DtlsSession, DtlsSession) {
        let ctx = crate::open(Config::dtls()).unwrap();
        let mut sk = Keys::new();
        sk.load_rsa_keys_mem(
            Some(&read("rsa2048/server-chain.pem")),
            Some(&read("rsa2048/server.key")),
            None,
        )
        .unwrap();
        let mut ck = Keys::new();
        ck.load_rsa_keys_mem(None, None, Some(&read("rsa2048/ca.der")))
            .unwrap();
        let mut c = ctx
            .new_client_session(Arc::new(ck), None, 0, None, None)
            .unwrap();
        let mut s = ctx.new_server_session(Arc::new(sk), None, b"peer").unwrap();
        for _ in 0..10 {
            for dg in take(&mut c) {
                give(&mut s, &dg);
            }
            for dg in take(&mut s) {
                give(&mut c, &dg);
            }
        }
        assert!(c.is_handshake_complete() && s.is_handshake_complete());
        (c, s)
    }

    /// The client protects `plaintext` as a handshake record of its current epoch.
    fn authenticated_handshake_record(c: &mut DtlsSession, plaintext: &[u8]) -> Vec<u8> {
        let mut dg = Vec::new();
        c.writer
            .protect(
                c.writer.epoch(),
                ContentType::Handshake,
                plaintext,
                &mut *c.rng,
                &mut dg,
            )
            .unwrap();
        dg
    }

    /// What the client hears from the server after it took `dg`.
    fn answer(c: &mut DtlsSession, s: &mut DtlsSession) -> Option<(AlertLevel, AlertDescription)> {
        let mut alert = None;
        for dg in take(s) {
            let buf = c.get_readbuf();
            buf[..dg.len()].copy_from_slice(&dg);
            if let Ok(Received::Alert { level, description }) = c.received_data(dg.len()) {
                alert = Some((level, description));
            }
        }
        alert
    }

    /// A Certificate listing the keys' chain is kept as a reference to the keys, and
    /// goes out byte for byte as the message itself would; another body is kept as it is.
    #[test]
    fn a_kept_certificate_names_the_keys_and_is_sent_unchanged() {
        use crate::flight::FlightItem;
        use crate::record::tests::ZeroRng;
        use matrix_ssl::codec::handshake::Certificate;
        let mut k = Keys::new();
        k.load_rsa_keys_mem(
            Some(&read("rsa2048/server-chain.pem")),
            Some(&read("rsa2048/server.key")),
            None,
        )
        .unwrap();
        let keys = Arc::new(k);
        let list: Vec<Vec<u8>> = keys
            .certificate_list_der(false)
            .unwrap()
            .into_iter()
            .map(<[u8]>::to_vec)
            .collect();
        let body = Certificate {
            certificate_list: list,
        }
        .get_encoding();
        let (mut named, mut copied) = (Flight::new(), Flight::new());
        named.push_certificate(0, 1, body.clone(), Some(&keys));
        copied.push_message(0, HandshakeType::Certificate, 1, body.clone());
        assert!(matches!(named.items(), [FlightItem::Certificate { .. }]));
        // The list's own room only, against the copy's ~2 KB.
        assert!(named.heap_bytes() <= 4 * core::mem::size_of::<FlightItem>());
        assert!(copied.heap_bytes() > body.len());
        for pmtu in [200, 1400] {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            let mut w = RecordWriter::new(ProtocolVersion::DTLSv1_0);
            named
                .build(&mut w, pmtu, false, &mut ZeroRng, &mut a)
                .unwrap();
            let mut w = RecordWriter::new(ProtocolVersion::DTLSv1_0);
            copied
                .build(&mut w, pmtu, false, &mut ZeroRng, &mut b)
                .unwrap();
            assert_eq!(a, b, "pmtu {pmtu}");
        }
        let mut other = body;
        other.push(0);
        let mut f = Flight::new();
        f.push_certificate(0, 1, other, Some(&keys));
        assert!(matches!(f.items(), [FlightItem::Handshake { .. }]));
    }

    #[test]
    fn authenticated_fragment_past_its_length_is_decode_error() {
        let (mut c, mut s) = established();
        // A Finished-typed fragment at offset 10 of a 12-byte message, 5 bytes long.
        let mut frag = Vec::new();
        matrix_ssl::codec::handshake::DtlsHandshakeHeader {
            msg_type: matrix_ssl::codec::HandshakeType::Finished,
            length: 12,
            message_seq: 9,
            fragment_offset: 10,
            fragment_length: 5,
        }
        .encode(&mut frag);
        frag.extend_from_slice(&[0; 5]);
        let dg = authenticated_handshake_record(&mut c, &frag);
        give(&mut s, &dg);
        assert!(s.failed);
        assert_eq!(
            answer(&mut c, &mut s),
            Some((AlertLevel::Fatal, AlertDescription::DecodeError))
        );
    }

    #[test]
    fn authenticated_truncated_fragment_is_decode_error() {
        let (mut c, mut s) = established();
        // A header announcing 40 bytes with 3 behind it.
        let dg = authenticated_handshake_record(
            &mut c,
            &[20, 0, 0, 40, 0, 9, 0, 0, 0, 0, 0, 40, 1, 2, 3],
        );
        give(&mut s, &dg);
        assert_eq!(
            answer(&mut c, &mut s),
            Some((AlertLevel::Fatal, AlertDescription::DecodeError))
        );
    }

    #[test]
    fn the_same_in_the_clear_epoch_is_only_dropped() {
        let (_, mut s) = established();
        let mut w = RecordWriter::new(ProtocolVersion::DTLSv1_0);
        let mut dg = Vec::new();
        struct R;
        impl SecureRandom for R {
            fn fill_bytes(&mut self, d: &mut [u8]) -> Result<(), Error> {
                d.fill(1);
                Ok(())
            }
        }
        w.protect(
            0,
            ContentType::Handshake,
            &[20, 0, 0, 40, 0, 9, 0, 0, 0, 0, 0, 40, 1, 2, 3],
            &mut R,
            &mut dg,
        )
        .unwrap();
        give(&mut s, &dg);
        assert!(!s.failed);
        assert!(take(&mut s).is_empty());
    }
}
