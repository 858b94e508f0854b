//! The client's machine (RFC 2246 section 7.3, figure 1 and 2): ClientHello, then either
//! the full handshake (ServerHello, Certificate, ServerHelloDone; our ClientKeyExchange,
//! ChangeCipherSpec and Finished; the server's ChangeCipherSpec and Finished) or, when the
//! server resumes the session we offered, the abbreviated one (ServerHello, the server's
//! ChangeCipherSpec and Finished, then ours).

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::rsa::{RsaPublicKey, encrypt_pkcs1_v15};
use matrix_core::Error;
use matrix_crypto::prf::Sender;
use matrix_crypto::random::SecureRandom;
use zeroize::Zeroizing;

use super::client_hello::HelloExtWriter;
use super::signing::PeerKey;
use super::{
    CertValidator, HelloExtensions, HsShared, Outputs, Reneg, dh_params_digest, kx_supported,
    psk_premaster,
};
use super::{ecdhe, kx};
use crate::alert::Fatal;
use crate::codec::handshake::EXT_RENEGOTIATION_INFO;
use crate::codec::handshake::{
    Certificate, CertificateRequest, CertificateVerify, ClientHello, ClientHelloParts,
    EcdheServerKeyExchangeView, HelloVerifyRequest, ServerDhParams, ServerKeyExchange,
};
use crate::codec::server_hello::ServerHelloView;
use crate::codec::{
    AlertDescription, CipherSuite, ClientCertificateType, Codec, CompressionMethod, ExtensionType,
    HandshakeType, LengthPrefix, ProtocolVersion, Reader, encode_opaque,
};
use crate::context::ContextInner;
use crate::dh::{DhGroup, MAX_PRIME_BITS, MIN_PRIME_BITS};
use crate::keys::Keys;
use crate::record::{RecordDecrypter, Side};
use crate::session::SessionId;
use crate::suites::KeyExchange;

mod previous;
mod tickets;

use previous::Previous;

/// Whether this build speaks SSL 3.0 (feature `ssl3`), whose alerts differ from TLS's.
const SSL3: bool = cfg!(feature = "ssl3");
/// Whether this build offers RFC 7627's extended_master_secret (feature
/// `extended-master-secret`): without it the ServerHello cannot carry the extension.
const SENDS_EMS: bool = cfg!(feature = "extended-master-secret");
/// Whether this build offers RFC 7366's encrypt_then_mac (feature `encrypt-then-mac`).
const SENDS_ETM: bool = cfg!(feature = "encrypt-then-mac");

/// Waiting for the ServerHello.
struct ExpectServerHello {
    offered_suites: Vec<CipherSuite>,
    offered_version: ProtocolVersion,
    resume: Option<SessionId>,
    /// The extension types a ServerHello may answer (`HelloExtWriter::sent`).
    sent_extensions: Vec<u8>,
    /// DTLS: the ClientHello sent, resent with the cookie of a HelloVerifyRequest (no
    /// such field, nor its drop glue, in a build without DTLS: see [`Kept`]).
    hello: Option<Kept<DTLS, Box<ClientHello>>>,
    /// DTLS: how many HelloVerifyRequests this handshake has answered.
    verify_requests: u8,
}

/// Whether this build speaks DTLS (feature `dtls`).
const DTLS: bool = cfg!(feature = "dtls");
/// Whether this build answers a CertificateRequest with a certificate (`client-auth`).
const CLIENT_AUTH: bool = cfg!(feature = "client-auth");

/// `T` in a build where `ON` holds; elsewhere an uninhabited stand-in, so that an
/// `Option` of it is always `None` and takes no room, no drop glue and no code (the
/// key-exchange gate of `kx`, used for fields a build never fills).
type Kept<const ON: bool, T> = kx::Only<ON, T>;

/// `Some(value)` where `ON` holds, `None` elsewhere.
fn keep<const ON: bool, T>(value: T) -> Option<Kept<ON, T>>
where
    kx::Switch<ON>: kx::Gate,
{
    <kx::Switch<ON> as kx::Gate>::keep(value)
}

/// What a re-handshake's hello inherits ([`Reneg`]), in a build that renegotiates; the
/// first hello has none, and in a build that never renegotiates no hello has one (nor the
/// code that would write it, nor its drop glue).
type HelloReneg = Kept<{ super::RENEGOTIATION }, Reneg>;

/// The most HelloVerifyRequests a DTLS client answers in one handshake: a server asks once
/// (RFC 4347 section 4.2.1), again only when its secret rotated in between; more is a
/// server (or an attacker) keeping us in a loop.
const MAX_HELLO_VERIFY_REQUESTS: u8 = 5;

/// Waiting for the server's Certificate (RSA and DHE_RSA key exchanges).
struct ExpectCertificate {
    offered_version: ProtocolVersion,
    kx: KeyExchange,
}

/// Waiting for the ServerKeyExchange (DHE_RSA, with the server's authenticated RSA key;
/// DH_anon; DHE_PSK; PSK, where the server may skip it and send ServerHelloDone).
struct ExpectServerKeyExchange {
    offered_version: ProtocolVersion,
    kx: KeyExchange,
    server_key: Option<PeerKey>,
}

/// What the client's side of the key exchange needs once ServerHelloDone arrives. Each
/// payload exists only in a build with its exchange (`kx::Only`): elsewhere the variant,
/// its drop glue and its arms are gone. (`RsaPublicKey` has no values without `rsa`.)
enum ClientKx {
    /// RSA: the server's authenticated key, to encrypt the premaster secret to.
    Rsa(RsaPublicKey),
    /// DHE_RSA and DH_anon.
    Dh(kx::Only<{ kx::DH }, Agreed>),
    /// PSK: the server's identity hint (empty if it sent none).
    Psk(kx::Only<{ kx::PSK }, Vec<u8>>),
    /// DHE_PSK: the hint, and the DH agreement.
    DhePsk(kx::Only<{ kx::PSK && kx::DH }, (Vec<u8>, Agreed)>),
    /// ECDHE_RSA and ECDHE_ECDSA (RFC 8422 section 5.10).
    Ecdh(kx::Only<{ kx::ECDHE }, Agreed>),
}

/// Our public value and the agreed secret of a DH or ECDH exchange (DH's with leading
/// zeros stripped).
struct Agreed {
    public: Vec<u8>,
    z: Zeroizing<Vec<u8>>,
}

/// Waiting for ServerHelloDone (or a CertificateRequest first), with what our
/// ClientKeyExchange needs.
struct ExpectServerHelloDone {
    offered_version: ProtocolVersion,
    kx: ClientKx,
    /// The server asked for a certificate.
    cert_requested: bool,
    /// The certificate types of its CertificateRequest (kept with `client-auth` only).
    cert_types: Option<Kept<CLIENT_AUTH, Vec<ClientCertificateType>>>,
}

/// Waiting for the server's ChangeCipherSpec.
struct ExpectCcs {
    resumed: bool,
}

/// Waiting for the server's Finished (read keys already switched).
struct ExpectFinished {
    resumed: bool,
}

enum State {
    ServerHello(ExpectServerHello),
    Certificate(ExpectCertificate),
    ServerKeyExchange(ExpectServerKeyExchange),
    ServerHelloDone(ExpectServerHelloDone),
    Ccs(ExpectCcs),
    Finished(ExpectFinished),
    Complete,
    /// After a fatal error: nothing more is accepted.
    Failed,
}

/// A client handshake.
pub(crate) struct ClientHandshake {
    pub(crate) shared: HsShared,
    state: State,
    validator: Option<CertValidator>,
    /// During a re-handshake, until the ServerHello: the established handshake's state,
    /// restored if the server refuses with no_renegotiation.
    prev: Previous,
    /// The application's view of every ServerHello extension.
    pub(crate) extension_cb: Option<super::ExtensionCallback>,
    /// The application's hello extensions, sent again in every re-handshake's hello (no
    /// such field in a build that cannot renegotiate).
    extensions: Option<Kept<{ super::RENEGOTIATION }, HelloExtensions>>,
    /// The RFC 5077 ticket of this handshake (`tickets`; boxed: most sessions have none).
    #[cfg(feature = "stateless-session-tickets")]
    ticket: Option<Box<super::ticket::ClientTicket>>,
}

impl ClientHandshake {
    /// Builds the ClientHello (queued in `out`) with the reference's rules: a nominated
    /// suite must be compiled in and enabled (`PS_UNSUPPORTED_FAIL`), and a cached session
    /// is offered unless a different suite was nominated.
    // The arguments of `matrixSslNewClientSession`, plus the generator and the output.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn start(
        ctx: Arc<ContextInner>,
        keys: Arc<Keys>,
        session_id: Option<&SessionId>,
        cipher_suite: u16,
        validator: Option<CertValidator>,
        extensions: Option<&HelloExtensions>,
        rng: &mut dyn SecureRandom,
        out: &mut Outputs,
        reneg: Option<HelloReneg>,
    ) -> Result<Box<Self>, Error> {
        // Built once, in its box, and filled in place: the machine is large, and each move
        // of it is a copy (the sessions and the engine keep it boxed).
        // The state waiting for the ServerHello too: `send_hello` fills it where it stays
        // (no copy of it on the way, and one drop of the whole machine on an error).
        let offered_version = ctx.highest_version();
        let mut hs = Box::new(ClientHandshake {
            shared: HsShared::new(ctx, keys),
            state: State::ServerHello(ExpectServerHello {
                offered_suites: Vec::new(),
                offered_version,
                resume: None,
                sent_extensions: Vec::new(),
                hello: None,
                verify_requests: 0,
            }),
            validator,
            prev: Previous::new(),
            extension_cb: None,
            // Kept for the re-handshakes' hellos only: a build that cannot renegotiate
            // neither copies nor keeps them.
            // (The filter first: `keep` drops what it is given there, and a clone it drops
            // is still made.)
            extensions: extensions
                .filter(|_| super::RENEGOTIATION)
                .and_then(|e| keep::<{ super::RENEGOTIATION }, _>(e.clone())),
            #[cfg(feature = "stateless-session-tickets")]
            ticket: None,
        });
        if let ClientHandshake {
            shared,
            state: State::ServerHello(st),
            ..
        } = &mut *hs
        {
            Self::send_hello(
                shared,
                st,
                session_id,
                cipher_suite,
                extensions,
                rng,
                out,
                reneg,
            )?;
        }
        Ok(hs)
    }

    /// The ClientHello of [`ClientHandshake::start`], queued in `out`, and what the state
    /// `st` that waits for the ServerHello keeps of it.
    #[allow(clippy::too_many_arguments)]
    fn send_hello(
        shared: &mut HsShared,
        st: &mut ExpectServerHello,
        session_id: Option<&SessionId>,
        cipher_suite: u16,
        extensions: Option<&HelloExtensions>,
        rng: &mut dyn SecureRandom,
        out: &mut Outputs,
        reneg: Option<HelloReneg>,
    ) -> Result<(), Error> {
        let offered_version = st.offered_version;
        let usable = |s: &HsShared, suite: CipherSuite| {
            s.ctx
                .versions
                .iter()
                .any(|v| s.suite_usable(suite, *v).is_some())
                && crate::suites::lookup(suite).is_some_and(|i| {
                    kx_supported(i.kx, &s.keys, false)
                        && (!i.kx.is_ecdhe() || ecdhe::have_group(&s.ctx))
                })
        };
        // The offered list is written where the next state keeps it.
        let suites = &mut st.offered_suites;
        *suites = if cipher_suite != 0 {
            let nominated = CipherSuite::from(cipher_suite);
            if !usable(shared, nominated) {
                return Err(Error::UnsupportedFail);
            }
            alloc::vec![nominated]
        } else {
            // DH_anon authenticates nobody: offered only when nominated, so that a client
            // built with it cannot be talked into an anonymous connection by whoever
            // answers its hello.
            crate::suites::offerable(|s| usable(shared, s))
        };
        if suites.is_empty() {
            return Err(Error::UnsupportedFail);
        }
        // A cached session is offered when its suite is still offered and its version
        // still spoken; an explicit different suite clears it (API reference).
        // Copied field by field into the state, where it stays (`Option::cloned` built it
        // on the stack and copied it over).
        let resume = &mut st.resume;
        if let Some(sid) = session_id.filter(|sid| {
            !sid.is_empty() && suites.contains(&sid.suite) && shared.ctx.speaks(sid.version)
        }) {
            *resume = Some(SessionId {
                id: sid.id.clone(),
                master: sid.master.clone(),
                suite: sid.suite,
                version: sid.version,
                ems: sid.ems,
                ticket: sid.ticket.clone(),
                ticket_lifetime_hint: sid.ticket_lifetime_hint,
            });
        }
        // RFC 5746 section 3.4: every initial ClientHello carries the SCSV; section 3.5: a
        // secure renegotiation carries renegotiation_info with our previous verify_data
        // instead, a legacy one neither.
        // The application's extensions first, then ours, as wire bytes (`client_hello`).
        let mut exts = HelloExtWriter::new(extensions);
        // RFC 7627: offered whenever we speak TLS.
        if SENDS_EMS && shared.ctx.versions.iter().any(|v| !v.is_ssl3()) {
            exts.push(super::EXT_EXTENDED_MASTER_SECRET, &[], true);
        }
        // RFC 8422 section 5.1: our groups and point formats, with an ECDHE suite (which
        // only an ECC build has).
        if kx::ECDHE {
            ecdhe::client_hello_extensions(&shared.ctx, suites, &mut exts);
        }
        // RFC 5246 section 7.4.1.4.1: the pairs we accept, when offering TLS 1.2.
        if super::version::TLS12 && offered_version.is_tls12() {
            exts.push(
                ExtensionType::SignatureAlgorithms.get(),
                &crate::sigalgs::extension_data(),
                false,
            );
        }
        // RFC 7366: offered whenever we speak TLS and offer a CBC suite.
        if SENDS_ETM
            && shared.ctx.versions.iter().any(|v| !v.is_ssl3())
            && suites
                .iter()
                .any(|s| crate::suites::lookup(*s).is_some_and(|i| i.is_cbc()))
        {
            exts.push(super::EXT_ENCRYPT_THEN_MAC, &[], true);
        }
        // RFC 5077: the ticket of the session offered, or an empty extension asking for one.
        Self::offer_ticket(shared, resume, &mut exts, rng)?;
        match &reneg {
            None if shared.ctx.rfc5746 => {
                suites.push(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV)
            }
            Some(r) if r.secure => {
                // renegotiated_connection<0..255> (RFC 5746 section 3.2).
                let mut data = Vec::new();
                encode_opaque(&mut data, LengthPrefix::U8, &r.client_verify_data);
                exts.push(EXT_RENEGOTIATION_INFO, &data, false);
            }
            _ => {}
        }
        // DTLS: a re-handshake's hello carries the connection's cookie again (over TLS
        // there is none to carry). Only a build that renegotiates has one to keep.
        if let Some(r) = reneg {
            if shared.is_dtls() {
                shared.dtls_cookie = keep::<DTLS, _>(r.dtls_cookie.clone());
            }
            shared.reneg = Some(r);
        }
        super::hello_random(&mut shared.client_random, &shared.ctx, rng).map_err(|f| f.error)?;
        // The hello is written from its parts straight into the message; only DTLS keeps a
        // `ClientHello` value (built below), to resend it with a cookie. The cookie is
        // lent out of `shared` while `emit` borrows it (a build without DTLS has none: a
        // kx gate type, with no code to test or drop it there).
        let cookie = shared.dtls_cookie.take();
        let cookie_bytes = cookie
            .as_ref()
            .map(|c| -> &[u8] { c })
            .filter(|c| !c.is_empty());
        let random = shared.client_random;
        let session_id: &[u8] = resume.as_ref().map_or(&[], |s| &s.id);
        let parts = ClientHelloParts {
            client_version: offered_version,
            random: &random,
            session_id,
            cookie: cookie_bytes,
            cipher_suites: suites,
            compression_methods: &[CompressionMethod::Null],
            extensions: (!exts.block.is_empty()).then_some(&exts.block[..]),
        };
        shared.emit(out, HandshakeType::ClientHello, |o| {
            ClientHello::encode_parts(&parts, o)
        });
        matrix_core::ps_trace_hs_msg!("client: sent ClientHello {:?}", offered_version);
        // Only DTLS keeps the hello, to resend it with a cookie.
        let hello = if shared.is_dtls() {
            keep::<DTLS, _>(Box::new(ClientHello {
                client_version: offered_version,
                random,
                session_id: session_id.to_vec(),
                cookie: cookie_bytes.map(<[u8]>::to_vec),
                cipher_suites: suites.clone(),
                compression_methods: alloc::vec![CompressionMethod::Null],
                extensions: (!exts.block.is_empty()).then(|| exts.to_extensions()),
            }))
        } else {
            None
        };
        shared.dtls_cookie = cookie;
        st.sent_extensions = exts.sent;
        st.hello = hello;
        Ok(())
    }

    pub(crate) fn is_complete(&self) -> bool {
        matches!(self.state, State::Complete)
    }

    pub(crate) fn awaiting_finished(&self) -> bool {
        matches!(self.state, State::Finished(_))
    }

    #[cfg_attr(not(feature = "dtls"), allow(dead_code))]
    pub(crate) fn expects_ccs(&self) -> bool {
        // An announced NewSessionTicket comes first: over DTLS a ChangeCipherSpec that
        // overtook a lost ticket is dropped, and the server's retransmission brings both.
        matches!(self.state, State::Ccs(_)) && !self.ticket_pending()
    }

    /// Starts a re-handshake of the completed connection (`matrixSslEncodeRehandshake`,
    /// or the answer to a HelloRequest): a new ClientHello, encrypted under the current
    /// keys by the driver, offering the current session for resumption unless `full`, a
    /// different suite is nominated or other keys are given. `keys` and `validator`
    /// replace the current ones when given. Refused (`Ok(false)`) when this build does not
    /// renegotiate such a connection (see `Reneg::allowed_for`).
    pub(crate) fn renegotiate(
        &mut self,
        keys: Option<Arc<Keys>>,
        validator: Option<CertValidator>,
        full: bool,
        cipher_suite: u16,
        rng: &mut dyn SecureRandom,
        out: &mut Outputs,
    ) -> Result<bool, Fatal> {
        if !self.is_complete() {
            return Err(Fatal::unexpected());
        }
        if !self.shared.renegotiation_allowed() {
            return Ok(false);
        }
        let reneg = self.shared.reneg_info();
        let resume = match (&self.shared.master, self.shared.suite) {
            (Some(master), Some(suite)) if !full && keys.is_none() => {
                Some(crate::session::SessionId {
                    id: self.shared.session_id.clone(),
                    master: master.clone(),
                    suite: suite.suite,
                    version: self.shared.version,
                    ems: self.shared.ems,
                    ticket: self.kept_ticket().0,
                    ticket_lifetime_hint: self.kept_ticket().1,
                })
            }
            _ => None,
        };
        let keys = keys.unwrap_or_else(|| Arc::clone(&self.shared.keys));
        let validator = validator.or_else(|| self.validator.take());
        let next = ClientHandshake::start(
            Arc::clone(&self.shared.ctx),
            keys,
            resume.as_ref(),
            cipher_suite,
            validator,
            self.extensions.as_ref().map(|e| -> &HelloExtensions { e }),
            rng,
            out,
            keep::<{ super::RENEGOTIATION }, _>(reneg),
        )
        .map_err(Fatal::internal)?;
        let mut old = core::mem::replace(self, *next);
        self.extension_cb = old.extension_cb.take();
        self.prev.keep(Box::new(old.shared));
        Ok(true)
    }

    /// The server answered our renegotiating ClientHello with no_renegotiation (RFC 2246
    /// section 7.2.2): the connection goes on as it was.
    pub(crate) fn abandon_renegotiation(&mut self) {
        if matches!(self.state, State::ServerHello(_))
            && let Some(prev) = self.prev.take()
        {
            self.shared = *prev;
            self.state = State::Complete;
        }
    }

    pub(crate) fn version_negotiated(&self) -> bool {
        !matches!(self.state, State::ServerHello(_))
    }

    pub(crate) fn handle_message(
        &mut self,
        msg_type: HandshakeType,
        body: &[u8],
        raw: &[u8],
        rng: &mut dyn SecureRandom,
        out: &mut Outputs,
    ) -> Result<(), Fatal> {
        // RFC 2246 section 7.4.1.1: a HelloRequest during a handshake is ignored (and
        // never hashed); after one, we renegotiate if this build and the connection allow
        // it (RFC 5746), else refuse with no_renegotiation (SSL 3.0 has no such alert:
        // the request is ignored). The state stays in place (it is large: a move is a copy).
        if msg_type == HandshakeType::HelloRequest && !matches!(self.state, State::Failed) {
            if !body.is_empty() {
                self.state = State::Failed;
                return Err(Fatal::decode(
                    crate::codec::DecodeError::TrailingBytes,
                    self.shared.version,
                ));
            }
            let complete = matches!(self.state, State::Complete);
            // A build without renegotiation refuses without the call (`renegotiate` would
            // answer `Ok(false)` there), so it links no `renegotiate` at all.
            if complete
                && !(super::RENEGOTIATION && self.renegotiate(None, None, false, 0, rng, out)?)
                && !self.shared.version.is_ssl3()
            {
                out.warning_alert(AlertDescription::NoRenegotiation);
            }
            return Ok(());
        }
        // Any failure ends the machine: nothing more is accepted.
        let result = self.step(msg_type, body, raw, rng, out);
        if result.is_err() {
            self.state = State::Failed;
        }
        result
    }

    /// One message in the current state. The states are large (a move is a copy): each
    /// step reads its state where it is, and sets the next one in place.
    // This and the steps marked `#[inline(never)]` below are kept out of line: inlined
    // into the session's `run_handshake` they came to more than their sum (Cortex-M4:
    // the minimal client 136 B, the PSK client 196 B more; this one alone 148 and 260 B).
    // `handle_message` (one caller) is smaller inlined. `server_hello` is out of line
    // with `server_hello_rest` inlined into it (one caller each): once a failure came
    // back in a register (`Fatal` in four bytes), that measured 64 B smaller in the PSK
    // client than `server_hello` in `step` and `server_hello_rest` on its own.
    #[inline(never)]
    fn step(
        &mut self,
        msg_type: HandshakeType,
        body: &[u8],
        raw: &[u8],
        rng: &mut dyn SecureRandom,
        out: &mut Outputs,
    ) -> Result<(), Fatal> {
        let version = self.shared.version;
        let decode = |e| Fatal::decode(e, version);
        match (&mut self.state, msg_type) {
            (State::ServerHello(_), HandshakeType::ServerHello) => {
                // The renegotiation is accepted: the previous state goes.
                self.prev.clear();
                // As at the server, a malformed hello is answered in the alerts of the
                // version it names (an SSL 3.0 ServerHello gets SSL 3.0's).
                // `read` consumes the whole body or fails (its extensions block must end
                // it): no trailing-bytes check of `read_bytes` on top. Only SSL 3.0's
                // alerts differ from the others', and a build without `ssl3` neither speaks
                // it nor picks its table (`hello_alert_table`): there the session's alerts
                // are the same, and the table is not looked up.
                // The view is used where `read` returned it (moved out, it was copied).
                let read = ServerHelloView::read(&mut Reader::new(body));
                let sh = match &read {
                    Ok(sh) => sh,
                    Err(e) => {
                        return Err(
                            match super::version::peek_hello_version(body).filter(|_| SSL3) {
                                Some(sv) => {
                                    let table = super::version::hello_alert_table(
                                        sv,
                                        &self.shared.ctx.versions,
                                    );
                                    Fatal::decode(*e, table).in_table(table)
                                }
                                None => decode(*e),
                            },
                        );
                    }
                };
                self.shared.transcript_update(raw);
                self.server_hello(sh)
            }
            (State::ServerHello(_), HandshakeType::HelloVerifyRequest) if self.shared.is_dtls() => {
                let hvr = HelloVerifyRequest::read_bytes(body).map_err(decode)?;
                self.hello_verify_request(hvr, out)
            }
            (State::Certificate(_), HandshakeType::Certificate) if kx::CERTIFICATE => {
                let cert = Certificate::read_bytes(body).map_err(decode)?;
                self.shared.transcript_update(raw);
                self.certificate(cert)
            }
            // RFC 4279 section 2: PSK's is the identity hint alone, read straight into the
            // next state (a PSK-only client builds no `ServerKeyExchange` value, nor links
            // its drop glue).
            (State::ServerKeyExchange(st), HandshakeType::ServerKeyExchange)
                if kx::PSK && st.kx == KeyExchange::Psk =>
            {
                let offered_version = st.offered_version;
                let hint = kx::read_psk_identity_hint(body).map_err(decode)?;
                self.shared.transcript_update(raw);
                self.state = State::ServerHelloDone(psk_wait_done(offered_version, hint.to_vec())?);
                Ok(())
            }
            // ECDHE's is read in place (no `ServerKeyExchange` value: an ECDHE-only client
            // copies neither the point nor the signature, nor links the DH variants' drop
            // code).
            (State::ServerKeyExchange(st), HandshakeType::ServerKeyExchange)
                if kx::ECDHE && st.kx.is_ecdhe() =>
            {
                let ske = kx::read_ecdhe_server_key_exchange(body, version).map_err(decode)?;
                self.shared.transcript_update(raw);
                self.ecdhe_server_key_exchange(&ske, rng)
            }
            (State::ServerKeyExchange(st), HandshakeType::ServerKeyExchange) if kx::DH => {
                let ske = kx::read_server_key_exchange(st.kx, body, version).map_err(decode)?;
                self.shared.transcript_update(raw);
                self.server_key_exchange(&ske, rng)
            }
            // RFC 4279 section 2: a PSK server without an identity hint may skip the
            // ServerKeyExchange.
            (State::ServerKeyExchange(st), HandshakeType::ServerHelloDone)
                if kx::PSK && st.kx == KeyExchange::Psk =>
            {
                let offered_version = st.offered_version;
                self.state = State::ServerHelloDone(psk_wait_done(offered_version, Vec::new())?);
                self.server_hello_done(body, raw, rng, out)
            }
            // Remember the request: we answer it at ServerHelloDone with our chain (feature
            // `client-auth`, with a certificate and key loaded), or with no certificate
            // (RFC 2246 section 7.4.6, RFC 6101 section 5.6.6). Only a server that authenticated itself with a certificate may ask (RFC 2246
            // section 7.4.4: an anonymous server asking is a handshake_failure).
            (State::ServerHelloDone(st), HandshakeType::CertificateRequest)
                if !st.cert_requested =>
            {
                if !kx::CERTIFICATE || !self.shared.suite.is_some_and(|s| s.kx.server_certificate())
                {
                    return Err(Fatal::new(AlertDescription::HandshakeFailure));
                }
                // The CA names are only checked for form: the chain goes whatever they are.
                let (types, sig_algs) = CertificateRequest::read_parts(
                    &mut Reader::new(body),
                    super::version::TLS12 && version.is_tls12(),
                    |_| {},
                )
                .map_err(decode)?;
                self.shared.peer_sig_algs =
                    keep::<{ super::version::TLS12 }, _>(sig_algs.unwrap_or_default());
                self.shared.transcript_update(raw);
                st.cert_requested = true;
                // The types choose our identity; without `client-auth` we have none.
                if CLIENT_AUTH {
                    st.cert_types = keep::<CLIENT_AUTH, _>(
                        types
                            .iter()
                            .map(|&t| ClientCertificateType::from(t))
                            .collect(),
                    );
                }
                Ok(())
            }
            (State::ServerHelloDone(_), HandshakeType::ServerHelloDone) => {
                self.server_hello_done(body, raw, rng, out)
            }
            // RFC 5077 section 3.3: announced in the ServerHello, before the server's CCS.
            // (Unannounced: unexpected, as any message out of place.)
            (State::Ccs(_), HandshakeType::NewSessionTicket) => {
                if !self.ticket_pending() {
                    return Err(Fatal::unexpected());
                }
                self.new_session_ticket(body, raw)
            }
            (State::Finished(st), HandshakeType::Finished) => {
                let resumed = st.resumed;
                self.shared.verify_finished(Sender::Server, body, raw)?;
                if resumed {
                    self.shared.emit_ccs_finished(out, Sender::Client)?;
                }
                matrix_core::ps_trace_hs_msg!("client: handshake complete");
                self.state = State::Complete;
                Ok(())
            }
            _ => Err(Fatal::unexpected()),
        }
    }

    pub(crate) fn handle_ccs(&mut self) -> Result<Box<dyn RecordDecrypter>, Fatal> {
        // An announced NewSessionTicket must come first (RFC 5077 section 3.3).
        // Every failure is unexpected_message and leaves the machine failed; the state is
        // replaced in place (no move of the whole state out and back).
        let next = match self.state {
            State::Ccs(ExpectCcs { resumed }) if !self.ticket_pending() => self
                .shared
                .take_pending_read()
                .ok()
                .map(|dec| (dec, resumed)),
            _ => None,
        };
        match next {
            Some((dec, resumed)) => {
                self.state = State::Finished(ExpectFinished { resumed });
                Ok(dec)
            }
            None => {
                self.state = State::Failed;
                Err(Fatal::unexpected())
            }
        }
    }

    /// DTLS HelloVerifyRequest (RFC 4347 section 4.2.1): the same ClientHello again, with
    /// the server's cookie and the next `message_seq`; the transcript starts over with it.
    /// A server version that is not DTLS is protocol_version; more than
    /// [`MAX_HELLO_VERIFY_REQUESTS`] is handshake_failure.
    #[inline(never)]
    fn hello_verify_request(
        &mut self,
        hvr: HelloVerifyRequest,
        out: &mut Outputs,
    ) -> Result<(), Fatal> {
        let State::ServerHello(st) = &mut self.state else {
            return Err(Fatal::unexpected());
        };
        if !hvr.server_version.is_dtls() {
            return Err(Fatal::new(AlertDescription::ProtocolVersion));
        }
        if st.verify_requests >= MAX_HELLO_VERIFY_REQUESTS {
            return Err(Fatal::new(AlertDescription::HandshakeFailure));
        }
        st.verify_requests += 1;
        let hello = st.hello.as_mut().ok_or(Fatal::unexpected())?;
        self.shared.dtls_cookie = keep::<DTLS, _>(hvr.cookie.clone());
        hello.cookie = Some(hvr.cookie);
        self.shared.restart_transcript();
        self.shared
            .emit(out, HandshakeType::ClientHello, |o| hello.encode(o));
        matrix_core::ps_trace_hs_msg!("client: resent ClientHello with a cookie");
        Ok(())
    }

    #[inline(never)]
    fn server_hello(&mut self, sh: &ServerHelloView<'_>) -> Result<(), Fatal> {
        let State::ServerHello(st) = &self.state else {
            return Err(Fatal::unexpected());
        };
        let sv = sh.server_version;
        // A version we did not offer, or do not speak.
        if !st.offered_version.is_at_least(sv) || !self.shared.ctx.speaks(sv) {
            return Err(Fatal::new(AlertDescription::ProtocolVersion));
        }
        self.shared.version = sv;
        if sh.compression_method != CompressionMethod::Null
            || sh.cipher_suite.is_scsv()
            || !st.offered_suites.contains(&sh.cipher_suite)
        {
            return Err(Fatal::new(AlertDescription::IllegalParameter));
        }
        let suite = self
            .shared
            .suite_usable(sh.cipher_suite, sv)
            .ok_or(Fatal::new(AlertDescription::IllegalParameter))?;
        // The extensions as the application sees them: given to its callback here, and
        // kept for it (`server_hello_rest`) once the hello is accepted.
        // Only extensions we asked for, and renegotiation_info (we sent the SCSV): looked
        // for in the walk that sizes the copy, refused after the callback has seen them.
        let (peer_extensions, unsolicited) = peer_extensions(sh, &st.sent_extensions);
        if let Some(cb) = self.extension_cb.as_mut() {
            for (ext_type, data) in &peer_extensions {
                if cb(*ext_type, data) < 0 {
                    return Err(Fatal::new(AlertDescription::HandshakeFailure));
                }
            }
        }
        if unsolicited {
            return Err(Fatal::new(AlertDescription::UnsupportedExtension));
        }
        // RFC 5746 section 3.5: a renegotiation keeps the version; a secure one must echo
        // both verify_data, a legacy one may not carry the extension.
        if let Some(r) = self.shared.renegotiating() {
            if sv != r.version {
                return Err(Fatal::new(AlertDescription::HandshakeFailure));
            }
            if r.secure {
                self.shared
                    .check_reneg_info(sh.renegotiation_info(), &r.server_info())?;
                self.shared.secure_renegotiation = true;
            } else if sh.renegotiation_info().is_some() {
                return Err(Fatal::new(AlertDescription::HandshakeFailure));
            }
        } else {
            check_initial_reneg_info(&mut self.shared, sh)?;
        }
        self.server_hello_rest(sh, suite, peer_extensions)
    }

    fn server_hello_rest(
        &mut self,
        sh: &ServerHelloView<'_>,
        suite: &'static crate::suites::SuiteInfo,
        peer_extensions: Vec<(u16, Vec<u8>)>,
    ) -> Result<(), Fatal> {
        let sv = sh.server_version;
        self.shared.peer_extensions = peer_extensions;
        // The server may only answer extensions we sent (`server_hello` refused the
        // others): a build without a feature never sent its extension, so the lookups
        // below are compiled only with it (the answer would be the same: none).
        self.shared.ems = SENDS_EMS
            && !sv.is_ssl3()
            && sh
                .extension_data(super::EXT_EXTENDED_MASTER_SECRET)
                .is_some();
        // RFC 7366 section 3: only for a CBC suite in TLS.
        let etm = SENDS_ETM && sh.extension_data(super::EXT_ENCRYPT_THEN_MAC).is_some();
        if etm && (sv.is_ssl3() || !suite.is_cbc()) {
            return Err(Fatal::new(AlertDescription::IllegalParameter));
        }
        self.shared.etm = etm;
        self.note_server_ticket(sh);
        let State::ServerHello(st) = &self.state else {
            return Err(Fatal::unexpected());
        };
        // RFC 8422 section 5.2: the server's point formats must include uncompressed.
        // (Also without ECC: the application may have sent ec_point_formats itself.)
        let formats = sh.extension_data(ecdhe::EXT_EC_POINT_FORMATS);
        ecdhe::check_server_point_formats(formats, sv)?;
        self.shared.server_random.copy_from_slice(sh.random);
        self.shared.suite = Some(suite);
        self.shared.session_id = sh.session_id.to_vec();
        if let Some(sid) = st
            .resume
            .as_ref()
            .filter(|s| !sh.session_id.is_empty() && s.id == sh.session_id)
        {
            // The server resumes: the same version and suite, or it is lying.
            if sid.version != sv || sid.suite != sh.cipher_suite {
                return Err(Fatal::new(AlertDescription::IllegalParameter));
            }
            // RFC 7627 section 5.3: and the same EMS state.
            if sid.ems != self.shared.ems {
                return Err(Fatal::new(AlertDescription::HandshakeFailure));
            }
            self.shared.master = Some(sid.master.clone());
            self.shared.resumed = true;
            self.shared.derive_keys(Side::Client)?;
            matrix_core::ps_trace_hs_msg!("client: server resumes the session");
            self.state = State::Ccs(ExpectCcs { resumed: true });
            return Ok(());
        }
        let offered_version = st.offered_version;
        self.state = match suite.kx {
            KeyExchange::Rsa
            | KeyExchange::DheRsa
            | KeyExchange::EcdheRsa
            | KeyExchange::EcdheEcdsa => State::Certificate(ExpectCertificate {
                offered_version,
                kx: suite.kx,
            }),
            KeyExchange::DhAnon | KeyExchange::Psk | KeyExchange::DhePsk => {
                // Nobody authenticates the server of DH_anon.
                self.shared.anon = suite.kx == KeyExchange::DhAnon;
                State::ServerKeyExchange(ExpectServerKeyExchange {
                    offered_version,
                    kx: suite.kx,
                    server_key: None,
                })
            }
        };
        Ok(())
    }

    /// Checks the ServerKeyExchange (PSK's, only a hint, is read by `handle_message`): the DHE_RSA signature (MD5+SHA-1 over both randoms
    /// and the parameters, with the certificate's key: decrypt_error when it does not
    /// verify), the group (1024 to 4096 bits: insufficient_security otherwise), the
    /// server's public value (1 < Ys < p - 1: illegal_parameter otherwise), then agrees on
    /// the shared secret with a fresh key pair of ours.
    #[inline(never)]
    fn server_key_exchange(
        &mut self,
        ske: &ServerKeyExchange,
        rng: &mut dyn SecureRandom,
    ) -> Result<(), Fatal> {
        let State::ServerKeyExchange(st) = &self.state else {
            return Err(Fatal::unexpected());
        };
        // Each arm only in a build with its key exchange (`kx`); the reader refused the
        // others already. (Taking the message by value to move the hint instead of copying
        // it made the PSK client 88 B larger: the whole message is then moved.)
        let kx = match ske {
            ServerKeyExchange::DheRsa {
                params,
                sig_alg,
                signature,
            } if kx::RSA && kx::DH => {
                self.verify_dh_params(st, params, *sig_alg, signature)?;
                let (public, z) = dh_agree(params, rng)?;
                ClientKx::Dh(kx::only::<{ kx::DH }, _>(Agreed { public, z })?)
            }
            ServerKeyExchange::DhAnon { params } if kx::DH => {
                let (public, z) = dh_agree(params, rng)?;
                ClientKx::Dh(kx::only::<{ kx::DH }, _>(Agreed { public, z })?)
            }
            ServerKeyExchange::DhePsk {
                identity_hint,
                params,
            } if kx::PSK && kx::DH => {
                let (public, z) = dh_agree(params, rng)?;
                ClientKx::DhePsk(kx::only::<{ kx::PSK && kx::DH }, _>((
                    identity_hint.clone(),
                    Agreed { public, z },
                ))?)
            }
            // ECDHE's is `ecdhe_server_key_exchange`'s.
            _ => return Err(Fatal::unexpected()),
        };
        self.state = State::ServerHelloDone(ExpectServerHelloDone {
            offered_version: st.offered_version,
            kx,
            cert_requested: false,
            cert_types: None,
        });
        Ok(())
    }

    /// Checks an ECDHE ServerKeyExchange (its group, point and signature with the
    /// certificate's key: `ecdhe::client_agree`) and agrees on the premaster secret with a
    /// fresh key pair of ours.
    #[inline(never)]
    fn ecdhe_server_key_exchange(
        &mut self,
        ske: &EcdheServerKeyExchangeView<'_>,
        rng: &mut dyn SecureRandom,
    ) -> Result<(), Fatal> {
        let State::ServerKeyExchange(st) = &self.state else {
            return Err(Fatal::unexpected());
        };
        let key = st
            .server_key
            .as_ref()
            .ok_or(Fatal::internal(Error::Failure))?;
        let (public, z) = ecdhe::client_agree(&self.shared, key, ske, rng)?;
        self.state = State::ServerHelloDone(ExpectServerHelloDone {
            offered_version: st.offered_version,
            kx: ClientKx::Ecdh(kx::only::<{ kx::ECDHE }, _>(Agreed { public, z })?),
            cert_requested: false,
            cert_types: None,
        });
        Ok(())
    }

    /// The DHE_RSA signature: the hash of both randoms and the parameters, verified with
    /// the certificate's key (decrypt_error when it does not verify).
    fn verify_dh_params(
        &self,
        st: &ExpectServerKeyExchange,
        params: &ServerDhParams,
        sig_alg: Option<crate::codec::SignatureScheme>,
        signature: &[u8],
    ) -> Result<(), Fatal> {
        let key = st
            .server_key
            .as_ref()
            .ok_or(Fatal::internal(Error::Failure))?;
        // TLS 1.2: the pair must be one our signature_algorithms listed.
        let hash = self.shared.verify_spec(key.kind(), sig_alg)?;
        let digest = dh_params_digest(
            hash,
            &self.shared.client_random,
            &self.shared.server_random,
            params,
        )?;
        key.verify(hash, &digest, signature)
    }

    #[inline(never)]
    fn certificate(&mut self, cert: Certificate) -> Result<(), Fatal> {
        let State::Certificate(st) = &self.state else {
            return Err(Fatal::unexpected());
        };
        let (offered_version, kx) = (st.offered_version, st.kx);
        if cert.certificate_list.is_empty() {
            return Err(Fatal::new(AlertDescription::BadCertificate));
        }
        let server_key = self
            .shared
            .authenticate_peer(self.validator.as_mut(), cert)?;
        // The certificate's key must be the one the suite names (RFC 8422 section 2).
        let wanted = if kx == KeyExchange::EcdheEcdsa {
            crate::sigalgs::SigKind::Ecdsa
        } else {
            crate::sigalgs::SigKind::Rsa
        };
        if server_key.kind() != wanted {
            return Err(Fatal::new(AlertDescription::UnsupportedCertificate));
        }
        self.state = if kx != KeyExchange::Rsa && (kx::DH || kx::ECDHE) {
            State::ServerKeyExchange(ExpectServerKeyExchange {
                offered_version,
                kx,
                server_key: Some(server_key),
            })
        } else {
            State::ServerHelloDone(ExpectServerHelloDone {
                offered_version,
                kx: ClientKx::Rsa(server_key.into_rsa()?),
                cert_requested: false,
                cert_types: None,
            })
        };
        Ok(())
    }

    /// ServerHelloDone (`body` and the whole message `raw`), then our flight. (A PSK
    /// server that skipped its ServerKeyExchange comes here too: `step` set the waiting
    /// state first, which a failure replaces.)
    // The waiting state by reference (it is large: a move is a copy); what the
    // ClientKeyExchange takes from it is taken out.
    #[inline(never)]
    fn server_hello_done(
        &mut self,
        body: &[u8],
        raw: &[u8],
        rng: &mut dyn SecureRandom,
        out: &mut Outputs,
    ) -> Result<(), Fatal> {
        let State::ServerHelloDone(st) = &mut self.state else {
            return Err(Fatal::unexpected());
        };
        // An empty body (RFC 2246 section 7.4.5).
        if !body.is_empty() {
            return Err(Fatal::decode(
                crate::codec::DecodeError::TrailingBytes,
                self.shared.version,
            ));
        }
        self.shared.transcript_update(raw);
        // Client authentication: our chain now, a CertificateVerify after the
        // ClientKeyExchange. The chain is sent whatever CAs the server named (the server
        // decides, as MatrixSSL's client does).
        // The identity answers the request's certificate types and (TLS 1.2) signature
        // pairs: an EC one for ecdsa_sign, an RSA one for rsa_sign. Its signer borrows the
        // keys across the messages emitted below, so it holds a reference of its own to
        // them, taken only when a certificate was asked for (a kx gate type: without
        // `client-auth` there is no such reference, nor code to drop one).
        let auth_keys = (CLIENT_AUTH && st.cert_requested)
            .then(|| Arc::clone(&self.shared.keys))
            .and_then(keep::<CLIENT_AUTH, _>);
        let identity = auth_keys.as_deref().and_then(|keys| {
            let types: &[ClientCertificateType] = st.cert_types.as_ref().map_or(&[], |t| t);
            keys.client_identity(types, |k| self.shared.sign_spec(k).is_ok())
        });
        let signer = match identity {
            Some((certificate_list, signer)) => {
                let cert = Certificate { certificate_list };
                self.shared
                    .emit(out, HandshakeType::Certificate, |o| cert.encode(o));
                Some(signer)
            }
            None => None,
        };
        if kx::CERTIFICATE && st.cert_requested && signer.is_none() {
            // TLS: an empty Certificate; SSL 3.0: a no_certificate warning instead.
            if self.shared.version.is_ssl3() {
                out.warning_alert(AlertDescription::NoCertificate);
            } else {
                let empty = Certificate::default();
                self.shared
                    .emit(out, HandshakeType::Certificate, |o| empty.encode(o));
            }
        }
        let version = self.shared.version;
        let mut msg = self
            .shared
            .open_message(out, HandshakeType::ClientKeyExchange);
        let psk = |hint: &[u8]| {
            self.shared
                .keys
                .psk_choice(hint)
                .ok_or(Fatal::new(AlertDescription::HandshakeFailure))
        };
        // The ClientKeyExchange is written straight into its message from the values in
        // hand (no `ClientKeyExchange` value with copies of them): each body is one or two
        // length-prefixed vectors (RFC 2246 section 7.4.7, RFC 4279 sections 2 and 3,
        // RFC 8422 section 5.7), SSL 3.0's RSA secret bare.
        let pms: Zeroizing<Vec<u8>> = match &mut st.kx {
            ClientKx::Rsa(server_key) if kx::RSA => {
                // RFC 2246 section 7.4.7.1: the premaster secret starts with the version
                // we offered (not the negotiated one), which defeats version rollback.
                let mut pms = Zeroizing::new(alloc::vec![0u8; 48]);
                rng.fill_bytes(&mut pms[2..])?;
                pms[..2].copy_from_slice(&st.offered_version.get().to_be_bytes());
                let encrypted = encrypt_pkcs1_v15(server_key, rng, &pms[..])?;
                if version.is_ssl3() {
                    msg.extend_from_slice(&encrypted);
                } else {
                    encode_opaque(&mut msg, LengthPrefix::U16, &encrypted);
                }
                pms
            }
            ClientKx::Dh(dh) if kx::DH => {
                encode_opaque(&mut msg, LengthPrefix::U16, &dh.public);
                core::mem::take(&mut dh.z)
            }
            ClientKx::Psk(hint) if kx::PSK => {
                let (identity, key) = psk(hint)?;
                encode_opaque(&mut msg, LengthPrefix::U16, identity);
                psk_premaster(None, key)?
            }
            ClientKx::DhePsk(hint_dh) if kx::PSK && kx::DH => {
                // Fields, not a pattern: the payload may be `kx::Absent` (which derefs).
                let (identity, key) = psk(&hint_dh.0)?;
                encode_opaque(&mut msg, LengthPrefix::U16, identity);
                encode_opaque(&mut msg, LengthPrefix::U16, &hint_dh.1.public);
                psk_premaster(Some(&hint_dh.1.z[..]), key)?
            }
            ClientKx::Ecdh(ecdh) if kx::ECDHE => {
                crate::codec::ec_extensions::encode_ec_point(&mut msg, &ecdh.public);
                core::mem::take(&mut ecdh.z)
            }
            // No such exchange in this build (`kx`): never reached.
            _ => return Err(Fatal::internal(Error::Failure)),
        };
        self.shared.close_message(msg, out);
        self.shared.master = Some(self.shared.compute_master(&pms[..])?);
        if let Some(signer) = signer {
            // RFC 2246 section 7.4.8: MD5 || SHA-1 of every message so far, signed (SHA-1
            // for ECDSA, RFC 4492 section 5.8); RFC 5246 section 7.4.8: the hash of a pair
            // the CertificateRequest listed.
            let (alg, sig_alg) = self.shared.sign_spec(signer.kind())?;
            let hash = self.shared.certificate_verify_hash(alg)?;
            let cv = CertificateVerify {
                sig_alg,
                signature: signer.sign(rng, alg, &hash)?,
            };
            self.shared
                .emit(out, HandshakeType::CertificateVerify, |o| cv.encode(o));
        }
        self.shared.derive_keys(Side::Client)?;
        self.shared.emit_ccs_finished(out, Sender::Client)?;
        self.state = State::Ccs(ExpectCcs { resumed: false });
        Ok(())
    }
}

/// RFC 5746 section 3.4: on an initial handshake the extension must be empty; section
/// 4.5: also in SSL 3.0, whose servers answer the SCSV with it too.
fn check_initial_reneg_info(shared: &mut HsShared, sh: &ServerHelloView<'_>) -> Result<(), Fatal> {
    match sh.renegotiation_info() {
        Some([]) => shared.secure_renegotiation = true,
        Some(_) => return Err(Fatal::new(AlertDescription::HandshakeFailure)),
        None if cfg!(feature = "require-secure-rehandshakes") => {
            return Err(Fatal::new(AlertDescription::HandshakeFailure));
        }
        None => {}
    }
    Ok(())
}

/// A ServerHello's extensions as the application sees them (type, extension_data, in
/// order: what `HsShared::peer_extensions` holds), copied from the received bytes, and
/// whether one of them is neither in `sent` nor renegotiation_info. The list is sized
/// first, exactly, as the server's `app_extensions` sizes its own (the same walk looks
/// for an unsolicited type).
fn peer_extensions(sh: &ServerHelloView<'_>, sent: &[u8]) -> (Vec<(u16, Vec<u8>)>, bool) {
    let mut n = 0;
    let mut unsolicited = false;
    for (t, _) in sh.extensions() {
        n += 1;
        unsolicited |= t != crate::codec::handshake::EXT_RENEGOTIATION_INFO
            && !super::client_hello::sent_includes(sent, t);
    }
    let mut kept = Vec::with_capacity(n);
    for (t, data) in sh.extensions() {
        kept.push((t, data.to_vec()));
    }
    (kept, unsolicited)
}

/// PSK: waiting for ServerHelloDone with the server's identity `hint` (empty: none).
fn psk_wait_done(
    offered_version: ProtocolVersion,
    hint: Vec<u8>,
) -> Result<ExpectServerHelloDone, Fatal> {
    Ok(ExpectServerHelloDone {
        offered_version,
        kx: ClientKx::Psk(kx::only::<{ kx::PSK }, _>(hint)?),
        cert_requested: false,
        cert_types: None,
    })
}

/// The group of a ServerKeyExchange: insufficient_security for a prime outside 1024 to 4096
/// bits, illegal_parameter for a group that is otherwise unusable (an even prime, a
/// generator outside 1 < g < p - 1).
/// Our side of a DH exchange with the server's parameters: a fresh key pair on its group,
/// the agreed secret (illegal_parameter for a bad Ys) and our public value.
fn dh_agree(
    params: &ServerDhParams,
    rng: &mut dyn SecureRandom,
) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), Fatal> {
    let group = dh_group(params)?;
    let pair = group.generate_key(rng)?;
    let z = pair
        .agree_tls(&params.dh_ys)
        .map_err(|_| Fatal::new(AlertDescription::IllegalParameter))?;
    Ok((pair.public_bytes().to_vec(), z))
}

fn dh_group(params: &ServerDhParams) -> Result<DhGroup, Fatal> {
    let p = &params.dh_p;
    let start = p.iter().position(|&b| b != 0).unwrap_or(p.len());
    let bits = p.get(start).map_or(0, |&top| {
        (p.len() - start) * 8 - usize::try_from(top.leading_zeros()).unwrap_or(0)
    });
    if !(MIN_PRIME_BITS..=MAX_PRIME_BITS).contains(&bits) {
        return Err(Fatal::new(AlertDescription::InsufficientSecurity));
    }
    DhGroup::new(p, &params.dh_g).map_err(|_| Fatal::new(AlertDescription::IllegalParameter))
}

impl Agreed {
    /// The heap bytes of the two values (see `super::heap`).
    fn heap_bytes(&self) -> usize {
        super::heap::vec_bytes(&self.public) + self.z.capacity()
    }
}

impl ClientHandshake {
    /// The heap bytes this machine holds besides itself (see `super::heap`).
    pub(crate) fn heap_bytes(&self) -> usize {
        use super::heap::{extension_cb_bytes, validator_bytes, vec_bytes};
        let state = match &self.state {
            State::ServerHello(st) => {
                // Only a DTLS client keeps its hello.
                let hello = st.hello.as_ref().map(|h| -> &ClientHello { h });
                let hello = hello.map_or(0, |h| {
                    core::mem::size_of_val(h)
                        + vec_bytes(&h.session_id)
                        + h.cookie.as_ref().map_or(0, vec_bytes)
                        + vec_bytes(&h.cipher_suites)
                        + vec_bytes(&h.compression_methods)
                        + h.extensions.as_ref().map_or(0, vec_bytes)
                });
                vec_bytes(&st.offered_suites)
                    + st.resume
                        .as_ref()
                        .map_or(0, |r| vec_bytes(&r.id) + vec_bytes(&r.ticket))
                    + vec_bytes(&st.sent_extensions)
                    + hello
            }
            State::ServerKeyExchange(st) => st.server_key.as_ref().map_or(0, |k| k.heap_bytes()),
            // Each exchange only in a build with it (`kx`): no other is ever made.
            State::ServerHelloDone(st) => match &st.kx {
                ClientKx::Rsa(k) if kx::RSA => k.heap_bytes(),
                ClientKx::Dh(dh) if kx::DH => dh.heap_bytes(),
                ClientKx::Psk(hint) if kx::PSK => vec_bytes(hint),
                ClientKx::DhePsk(hint_dh) if kx::PSK && kx::DH => {
                    vec_bytes(&hint_dh.0) + hint_dh.1.heap_bytes()
                }
                ClientKx::Ecdh(ecdh) if kx::ECDHE => ecdh.heap_bytes(),
                _ => 0,
            },
            _ => 0,
        };
        self.shared.heap_bytes()
            + state
            + self
                .prev
                .get()
                .map_or(0, |p| core::mem::size_of_val(p) + p.heap_bytes())
            + validator_bytes(self.validator.as_ref())
            + extension_cb_bytes(self.extension_cb.as_ref())
            + self.extensions.as_ref().map_or(0, |e| e.heap_bytes())
            + self.ticket_heap_bytes()
    }
}
