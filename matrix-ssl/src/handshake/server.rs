//! The server's machine (RFC 2246 section 7.3): ClientHello, then either the full
//! handshake (our ServerHello, Certificate and ServerHelloDone; the client's
//! ClientKeyExchange, ChangeCipherSpec and Finished; our ChangeCipherSpec and Finished) or,
//! on a session-cache hit, the abbreviated one (our ServerHello, ChangeCipherSpec and
//! Finished; then the client's).
//!
//! Version negotiation picks the highest version both sides speak, answering a
//! client_version above ours (whatever its major) with our highest (RFC 2246 appendix E.1,
//! `super::version`); TLS_FALLBACK_SCSV from a client offering less than our best is
//! refused with inappropriate_fallback (RFC 7507 section 3). A failure while the first
//! ClientHello is handled is reported in the alerts of the version that hello names. The RSA premaster secret is decrypted and
//! its version checked in constant time, a failure of either replaced by a random secret
//! so that it shows only as a Finished that does not verify (RFC 5246 section 7.4.7.1).

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::rsa::{decrypt_pkcs1_v15_tls, sign_pkcs1_v15};
use matrix_core::Error;
use matrix_crypto::prf::Sender;
use matrix_crypto::random::SecureRandom;
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroizing;

use super::ecdhe::{self, ClientEc};
use super::signing::PeerKey;
use super::{
    CertValidator, HsShared, Outputs, dh_params_digest, kx, kx_supported, psk_premaster, version,
};
use crate::alert::Fatal;
use crate::codec::handshake::{
    Certificate, CertificateVerify, ClientHello, ClientKeyExchange, Extension, ServerDhParams,
    ServerHello, ServerHelloDone, ServerKeyExchange,
};
use crate::codec::{
    AlertDescription, CipherSuite, Codec, CompressionMethod, DecodeError, HandshakeType,
    ProtocolVersion, Reader,
};
use crate::context::ContextInner;
use crate::dh::DhKeyPair;
use crate::keys::Keys;
use crate::record::{RecordDecrypter, Side};
use crate::suites::{KeyExchange, SUITES, SuiteInfo};

mod tickets;

/// Waiting for the ClientHello.
struct ExpectClientHello;

/// Waiting for the ClientKeyExchange, remembering the version the client offered (which
/// an RSA premaster secret must carry) and, for the DHE and DH_anon exchanges, our
/// ephemeral key pair (its private exponent is wiped on drop).
struct ExpectClientKeyExchange {
    client_version: ProtocolVersion,
    dh: Option<Box<DhKeyPair>>,
    /// ECDHE: our ephemeral key pair.
    ecdh: Option<ecdhe::Ephemeral>,
    /// The key of the client's authenticated certificate: a CertificateVerify follows
    /// the ClientKeyExchange.
    client_key: Option<Box<PeerKey>>,
}

/// Waiting for the client's Certificate (we sent a CertificateRequest); what the
/// ClientKeyExchange after it needs.
struct ExpectClientCertificate {
    next: ExpectClientKeyExchange,
}

/// Waiting for the client's CertificateVerify, with its certificate's key.
struct ExpectCertificateVerify {
    client_key: Box<PeerKey>,
}

/// Waiting for the client's ChangeCipherSpec.
struct ExpectCcs {
    resumed: bool,
}

/// Waiting for the client's Finished.
struct ExpectFinished {
    resumed: bool,
}

enum State {
    ClientHello(ExpectClientHello),
    ClientCertificate(ExpectClientCertificate),
    ClientKeyExchange(ExpectClientKeyExchange),
    CertificateVerify(ExpectCertificateVerify),
    Ccs(ExpectCcs),
    Finished(ExpectFinished),
    Complete,
    Failed,
}

/// A server handshake.
pub(crate) struct ServerHandshake {
    pub(crate) shared: HsShared,
    state: State,
    /// The certificate callback of `new_server_session`: client authentication.
    validator: Option<CertValidator>,
    /// Whether full handshakes request a client certificate.
    client_auth: bool,
    /// The next re-handshake may not resume (`SSL_OPTION_FULL_HANDSHAKE`).
    no_resume: bool,
    /// RFC 5077: whether this handshake issues a ticket (`tickets`).
    #[cfg(feature = "stateless-session-tickets")]
    ticket: tickets::ServerTicket,
}

impl ServerHandshake {
    pub(crate) fn new(
        ctx: Arc<ContextInner>,
        keys: Arc<Keys>,
        validator: Option<CertValidator>,
    ) -> Self {
        ServerHandshake {
            shared: HsShared::new(ctx, keys),
            state: State::ClientHello(ExpectClientHello),
            client_auth: cfg!(feature = "client-auth") && validator.is_some(),
            validator,
            no_resume: false,
            #[cfg(feature = "stateless-session-tickets")]
            ticket: tickets::ServerTicket::default(),
        }
    }

    pub(crate) fn awaiting_finished(&self) -> bool {
        matches!(self.state, State::Finished(_))
    }

    #[cfg_attr(not(feature = "dtls"), allow(dead_code))]
    pub(crate) fn expects_ccs(&self) -> bool {
        matches!(self.state, State::Ccs(_))
    }

    /// `matrixSslEncodeRehandshake` on a server: queues a HelloRequest (never part of a
    /// transcript) after which the client's ClientHello starts the re-handshake. `keys`
    /// and `validator` replace the current ones (a validator requests client
    /// authentication); `full` forbids resuming. `Ok(false)` when this build does not
    /// renegotiate this connection (see `Reneg::allowed_for`).
    pub(crate) fn request_renegotiation(
        &mut self,
        keys: Option<Arc<Keys>>,
        validator: Option<CertValidator>,
        full: bool,
        out: &mut Outputs,
    ) -> Result<bool, Fatal> {
        if !self.is_complete() {
            return Err(Fatal::unexpected());
        }
        if !self.shared.renegotiation_allowed() {
            return Ok(false);
        }
        if let Some(k) = keys {
            self.shared.keys = k;
            self.no_resume = true;
        }
        if let Some(v) = validator {
            self.validator = Some(v);
            self.client_auth = cfg!(feature = "client-auth");
            self.no_resume = true;
        }
        self.no_resume |= full;
        let msg = &mut out.bytes;
        if self.shared.is_dtls() {
            // RFC 6347 section 4.2.2: over DTLS the request has the 12-byte header and
            // takes a message_seq (the driver numbers it 0, so the ServerHello gets 1),
            // though, as in TLS, no transcript covers it.
            let seq = self.shared.next_message_seq;
            crate::codec::handshake::encode_dtls_handshake(
                msg,
                HandshakeType::HelloRequest,
                seq,
                |_| {},
            );
            self.shared.next_message_seq = seq.wrapping_add(1);
        } else {
            crate::codec::handshake::encode_handshake(msg, HandshakeType::HelloRequest, |_| {});
        }
        Ok(true)
    }

    /// A ClientHello on an established connection: a new machine takes over, inheriting
    /// the keys, callback, client-auth setting and disabled suites, and the RFC 5746 state.
    fn renegotiation(
        &mut self,
        ch: &ClientHello,
        raw: &[u8],
        rng: &mut dyn SecureRandom,
        out: &mut Outputs,
    ) -> Result<(), Fatal> {
        let mut next = ServerHandshake::new(
            Arc::clone(&self.shared.ctx),
            Arc::clone(&self.shared.keys),
            self.validator.take(),
        );
        next.client_auth = self.client_auth;
        next.no_resume = self.no_resume;
        next.shared.session_disabled = self.shared.session_disabled.clone();
        next.shared.reneg = <super::kx::Switch<{ super::RENEGOTIATION }> as super::kx::Gate>::keep(
            self.shared.reneg_info(),
        );
        // DTLS: the new handshake goes on numbering after our HelloRequest, if we sent one
        // (the driver sets 0 otherwise).
        next.shared.next_message_seq = self.shared.next_message_seq;
        next.shared.transcript_update(raw);
        next.state = next.client_hello(ch, rng, out)?;
        next.no_resume = false;
        *self = next;
        Ok(())
    }

    /// `SSL_OPTION_ENABLE_CLIENT_AUTH` / `SSL_OPTION_DISABLE_CLIENT_AUTH`: `ArgFail`
    /// without the `client-auth` feature, or to enable it without a certificate callback.
    pub(crate) fn set_client_auth(&mut self, on: bool) -> Result<(), Error> {
        if !cfg!(feature = "client-auth") || (on && self.validator.is_none()) {
            return Err(Error::ArgFail);
        }
        self.client_auth = on;
        Ok(())
    }

    pub(crate) fn is_complete(&self) -> bool {
        matches!(self.state, State::Complete)
    }

    pub(crate) fn version_negotiated(&self) -> bool {
        !matches!(self.state, State::ClientHello(_))
    }

    pub(crate) fn handle_message(
        &mut self,
        msg_type: HandshakeType,
        body: &[u8],
        raw: &[u8],
        rng: &mut dyn SecureRandom,
        out: &mut Outputs,
    ) -> Result<(), Fatal> {
        let state = core::mem::replace(&mut self.state, State::Failed);
        let version = self.shared.version;
        let decode = |e| Fatal::decode(e, version);
        self.state = match (state, msg_type) {
            (State::ClientHello(_), HandshakeType::ClientHello) => {
                self.first_client_hello(body, raw, rng, out)?
            }
            (State::ClientCertificate(st), HandshakeType::Certificate) => {
                let cert = Certificate::read_bytes(body).map_err(decode)?;
                self.shared.transcript_update(raw);
                self.client_certificate(st, cert)?
            }
            // SSL 3.0 (RFC 6101 section 5.6.6): a client without a certificate sends a
            // no_certificate warning instead of the message.
            (State::ClientCertificate(st), HandshakeType::ClientKeyExchange)
                if self.shared.version.is_ssl3() =>
            {
                self.no_client_certificate()?;
                self.read_client_key_exchange(st.next, body, raw, rng)?
            }
            (State::ClientKeyExchange(st), HandshakeType::ClientKeyExchange) => {
                self.read_client_key_exchange(st, body, raw, rng)?
            }
            (State::CertificateVerify(st), HandshakeType::CertificateVerify) => {
                let cv =
                    CertificateVerify::read_in(&mut Reader::new(body), version).map_err(decode)?;
                // The signature covers every message before this one, with the hash of the
                // pair it names in TLS 1.2 (one of those our CertificateRequest listed).
                let alg = self.shared.verify_spec(st.client_key.kind(), cv.sig_alg)?;
                let hash = self.shared.certificate_verify_hash(alg)?;
                st.client_key.verify(alg, &hash, &cv.signature)?;
                self.shared.transcript_update(raw);
                State::Ccs(ExpectCcs { resumed: false })
            }
            (State::Finished(st), HandshakeType::Finished) => {
                self.shared.verify_finished(Sender::Client, body, raw)?;
                if !st.resumed {
                    self.emit_new_session_ticket(rng, out)?;
                    self.shared.emit_ccs_finished(out, Sender::Server)?;
                    self.cache_session();
                }
                matrix_core::ps_trace_hs_msg!("server: handshake complete");
                State::Complete
            }
            // RFC 5746 / the reference: renegotiation is refused for now with a warning
            // (SSL 3.0 has no no_renegotiation alert: a fatal handshake_failure).
            (State::Complete, HandshakeType::ClientHello) => {
                let ch =
                    ClientHello::read_for_transport(body, self.shared.is_dtls()).map_err(decode)?;
                if self.shared.renegotiation_allowed() {
                    self.state = State::Complete;
                    return self.renegotiation(&ch, raw, rng, out);
                }
                if self.shared.version.is_ssl3() {
                    return Err(Fatal::new(AlertDescription::HandshakeFailure));
                }
                out.warning_alert(AlertDescription::NoRenegotiation);
                State::Complete
            }
            _ => return Err(Fatal::unexpected()),
        };
        Ok(())
    }

    /// The ClientHello that starts the connection. Every failure is reported in the
    /// alerts of the version the hello names (see `version::hello_alert_table`), not of
    /// the record that carried it; a version we can never speak is refused with
    /// protocol_version before the rest of the hello is read.
    fn first_client_hello(
        &mut self,
        body: &[u8],
        raw: &[u8],
        rng: &mut dyn SecureRandom,
        out: &mut Outputs,
    ) -> Result<State, Fatal> {
        let ours = &self.shared.ctx.versions;
        let Some(client_version) = version::peek_hello_version(body) else {
            // Too short to name a version: the record's table (the session's) applies.
            return Err(Fatal::decode(DecodeError::Truncated, self.shared.version));
        };
        let table = version::hello_alert_table(client_version, ours);
        let read = || {
            version::negotiate(client_version, ours)?;
            ClientHello::read_for_transport(body, self.shared.is_dtls())
                .map_err(|e| Fatal::decode(e, table))
        };
        let ch = read().map_err(|f| f.in_table(table))?;
        self.shared.transcript_update(raw);
        self.client_hello(&ch, rng, out)
            .map_err(|f| f.in_table(table))
    }

    fn read_client_key_exchange(
        &mut self,
        st: ExpectClientKeyExchange,
        body: &[u8],
        raw: &[u8],
        rng: &mut dyn SecureRandom,
    ) -> Result<State, Fatal> {
        let suite = self.shared.suite.ok_or(Fatal::internal(Error::Failure))?;
        let cke = kx::read_client_key_exchange(suite.kx, body, self.shared.version)
            .map_err(|e| Fatal::decode(e, self.shared.version))?;
        self.shared.transcript_update(raw);
        self.client_key_exchange(st, &cke, rng)
    }

    /// The client's Certificate: an empty one is [`Self::no_client_certificate`]; otherwise
    /// the chain is authenticated (trusted CAs, then the certificate callback) and its key
    /// awaits the CertificateVerify.
    #[cfg(all(feature = "cert-parse", feature = "certificates"))]
    fn client_certificate(
        &mut self,
        st: ExpectClientCertificate,
        cert: Certificate,
    ) -> Result<State, Fatal> {
        let mut next = st.next;
        if cert.certificate_list.is_empty() {
            self.no_client_certificate()?;
        } else {
            let key = self
                .shared
                .authenticate_peer(self.validator.as_mut(), cert)?;
            next.client_key = Some(Box::new(key));
        }
        Ok(State::ClientKeyExchange(next))
    }

    /// Without `cert-parse` (and so without `client-auth`) no CertificateRequest is ever
    /// sent, so this state is never entered; a Certificate there would be unexpected.
    #[cfg(not(all(feature = "cert-parse", feature = "certificates")))]
    fn client_certificate(
        &mut self,
        _: ExpectClientCertificate,
        _: Certificate,
    ) -> Result<State, Fatal> {
        Err(Fatal::unexpected())
    }

    /// A client that has no certificate: with `server-will-accept-empty-client-cert-msg`
    /// the handshake goes on with the client unauthenticated; otherwise it fails with
    /// handshake_failure (RFC 2246 section 7.4.6, RFC 6101 section 5.6.6).
    fn no_client_certificate(&mut self) -> Result<(), Fatal> {
        if cfg!(feature = "server-will-accept-empty-client-cert-msg") {
            matrix_core::ps_trace_hs_msg!("server: client sent no certificate; downgraded");
            Ok(())
        } else {
            Err(Fatal::new(AlertDescription::HandshakeFailure))
        }
    }

    /// CertificateRequest (RFC 2246 section 7.4.4): rsa_sign, and the subject names of our
    /// trusted CAs. With none loaded, an empty list needs
    /// `server-can-send-empty-cert-request`; without it the handshake fails with
    /// internal_error (`PS_ARG_FAIL`: nothing could authenticate the client).
    #[cfg(all(feature = "cert-parse", feature = "certificates"))]
    fn emit_certificate_request(&mut self, out: &mut Outputs) -> Result<(), Fatal> {
        let names: Vec<Vec<u8>> = self
            .shared
            .keys
            .trusted_cas()
            .iter()
            .map(|c| c.subject.der.clone())
            .collect();
        if names.is_empty() && !cfg!(feature = "server-can-send-empty-cert-request") {
            return Err(Fatal::internal(Error::ArgFail));
        }
        // RFC 8422 section 5.5: ecdsa_sign too when we verify ECDSA.
        let mut certificate_types = alloc::vec![crate::codec::ClientCertificateType::RsaSign];
        if cfg!(feature = "ecc-core") {
            certificate_types.push(crate::codec::ClientCertificateType::EcdsaSign);
        }
        let req = crate::codec::handshake::CertificateRequest {
            certificate_types,
            signature_algorithms: self
                .shared
                .version
                .is_tls12()
                .then(|| crate::sigalgs::SUPPORTED.to_vec()),
            certificate_authorities: names,
        };
        self.shared
            .emit(out, HandshakeType::CertificateRequest, |o| req.encode(o));
        Ok(())
    }

    /// Without `cert-parse` (and so without `client-auth`) client authentication is never
    /// on, so no request is made: asking for one would be a bug of ours.
    #[cfg(not(all(feature = "cert-parse", feature = "certificates")))]
    fn emit_certificate_request(&mut self, _: &mut Outputs) -> Result<(), Fatal> {
        Err(Fatal::internal(Error::UnsupportedFail))
    }

    /// Handles an SSL 2.0-format ClientHello (RFC 2246 appendix E.1), already converted;
    /// `hash_bytes` is what the transcript covers in its place.
    pub(crate) fn handle_sslv2_hello(
        &mut self,
        hello: &ClientHello,
        hash_bytes: &[u8],
        rng: &mut dyn SecureRandom,
        out: &mut Outputs,
    ) -> Result<(), Fatal> {
        match core::mem::replace(&mut self.state, State::Failed) {
            State::ClientHello(_) => {
                let table =
                    version::hello_alert_table(hello.client_version, &self.shared.ctx.versions);
                self.shared.transcript_update(hash_bytes);
                self.state = self
                    .client_hello(hello, rng, out)
                    .map_err(|f| f.in_table(table))?;
                Ok(())
            }
            _ => Err(Fatal::unexpected()),
        }
    }

    /// The failure `e` of an SSLv2-format hello `record` (2-byte header, msg_type, then
    /// the version): protocol_version when the version it names is one we never speak
    /// (SSL 2.0's {0,2} among them), else the decoding failure in that version's alerts.
    pub(crate) fn sslv2_hello_failure(&self, record: &[u8], e: DecodeError) -> Fatal {
        let ours = &self.shared.ctx.versions;
        let Some(client_version) = record.get(3..).and_then(version::peek_hello_version) else {
            return Fatal::decode(e, self.shared.version);
        };
        let table = version::hello_alert_table(client_version, ours);
        let failure = match version::negotiate(client_version, ours) {
            Err(refused) => refused,
            Ok(_) => Fatal::decode(e, table),
        };
        failure.in_table(table)
    }

    pub(crate) fn handle_ccs(&mut self) -> Result<Box<dyn RecordDecrypter>, Fatal> {
        match core::mem::replace(&mut self.state, State::Failed) {
            State::Ccs(ExpectCcs { resumed }) => {
                let dec = self.shared.take_pending_read()?;
                self.state = State::Finished(ExpectFinished { resumed });
                Ok(dec)
            }
            _ => Err(Fatal::unexpected()),
        }
    }

    /// The highest version we speak that is not above the client's, with RFC 2246
    /// appendix E.1's tolerance of versions above ours (see [`version::negotiate`]).
    fn choose_version(&self, client: ProtocolVersion) -> Result<ProtocolVersion, Fatal> {
        version::negotiate(client, &self.shared.ctx.versions)
    }

    /// Our most preferred suite the client offered and we can run (an ECDHE one only with
    /// a common group, see `ecdhe::server_can_run`).
    fn choose_suite(
        &self,
        ch: &ClientHello,
        version: ProtocolVersion,
        client_ec: &ClientEc,
    ) -> Option<&'static SuiteInfo> {
        SUITES.iter().find(|s| {
            ch.cipher_suites.contains(&s.suite)
                && self.shared.suite_usable(s.suite, version).is_some()
                && kx_supported(s.kx, &self.shared.keys, true)
                && ecdhe::server_can_run(s.kx, client_ec, &self.shared)
        })
    }

    fn client_hello(
        &mut self,
        ch: &ClientHello,
        rng: &mut dyn SecureRandom,
        out: &mut Outputs,
    ) -> Result<State, Fatal> {
        let version = self.choose_version(ch.client_version)?;
        self.shared.version = version;
        // RFC 7507 section 3: a fallback hello below our best is an attack or a bug.
        if ch.has_fallback_scsv()
            && !version::offers_at_least(ch.client_version, self.shared.ctx.highest_version())
        {
            return Err(Fatal::new(AlertDescription::InappropriateFallback));
        }
        if !ch.compression_methods.contains(&CompressionMethod::Null) {
            return Err(Fatal::new(AlertDescription::IllegalParameter));
        }
        if let Some(r) = self.shared.renegotiating() {
            // RFC 5746 section 3.7: a renegotiation keeps the version; a secure one carries
            // our previous client_verify_data and no SCSV, a legacy one neither.
            if version != r.version || ch.has_scsv() {
                return Err(Fatal::new(AlertDescription::HandshakeFailure));
            }
            if r.secure {
                self.shared
                    .check_reneg_info(ch.renegotiation_info(), &r.client_verify_data)?;
                self.shared.secure_renegotiation = true;
            } else if ch.renegotiation_info().is_some() {
                return Err(Fatal::new(AlertDescription::HandshakeFailure));
            }
        } else {
            // RFC 5746 section 3.6: the SCSV or an empty extension; anything else on an
            // initial handshake is a handshake_failure.
            match ch.renegotiation_info() {
                _ if !self.shared.ctx.rfc5746 => {}
                Some([]) => self.shared.secure_renegotiation = true,
                Some(_) => return Err(Fatal::new(AlertDescription::HandshakeFailure)),
                None => self.shared.secure_renegotiation = ch.has_scsv(),
            }
            if cfg!(feature = "require-secure-rehandshakes")
                && !self.shared.secure_renegotiation
                && self.shared.ctx.rfc5746
            {
                return Err(Fatal::new(AlertDescription::HandshakeFailure));
            }
        }
        self.shared.keep_extensions(ch.extensions.as_deref());
        self.shared.server_name = ch.server_name().map(<[u8]>::to_vec);
        // RFC 5246 section 7.4.1.4.1: the pairs the client accepts, in TLS 1.2 (none listed
        // means SHA-1, which `HsShared::sign_spec` applies).
        self.shared.peer_sig_algs =
            <super::kx::Switch<{ super::version::TLS12 }> as super::kx::Gate>::keep(
                match ch.extension(crate::codec::ExtensionType::SignatureAlgorithms) {
                    Some(Extension::Unknown { data, .. }) if version.is_tls12() => {
                        crate::sigalgs::parse_extension(data)
                            .map_err(|e| Fatal::decode(e, version))?
                    }
                    _ => Vec::new(),
                },
            );
        // RFC 8422 sections 5.1.1 and 5.1.2: the client's groups and point formats.
        let client_ec = ClientEc::read(ch, version)?;
        // RFC 7627: echoed in TLS when the client offers it.
        self.shared.ems = cfg!(feature = "extended-master-secret")
            && !version.is_ssl3()
            && ch
                .extension(super::EXT_EXTENDED_MASTER_SECRET.into())
                .is_some();
        self.shared.client_random = ch.random;
        super::hello_random(&mut self.shared.server_random, &self.shared.ctx, rng)?;

        // RFC 5077 section 3.4: a ticket first; then the session cache.
        if let Some(state) = self.resume_by_ticket(ch, version, rng, out)? {
            return Ok(state);
        }
        if !self.no_resume
            && let Some(state) = self.try_resume(ch, version, out)?
        {
            return Ok(state);
        }
        self.plan_ticket();

        let suite = self
            .choose_suite(ch, version, &client_ec)
            .ok_or(Fatal::new(AlertDescription::HandshakeFailure))?;
        self.shared.suite = Some(suite);
        let mut id = [0u8; 32];
        rng.fill_bytes(&mut id)?;
        self.shared.session_id = id.to_vec();
        self.emit_server_hello(ch, out);
        if suite.kx.server_certificate() {
            self.emit_certificate(suite.kx, out)?;
        }
        let (dh, ecdh) = if kx::ECDHE && suite.kx.is_ecdhe() {
            let group = client_ec
                .choose_group(&self.shared.ctx)
                .ok_or(Fatal::new(AlertDescription::HandshakeFailure))?;
            let (ske, pair) = ecdhe::server_key_exchange(&self.shared, suite.kx, group, rng)?;
            self.shared
                .emit(out, HandshakeType::ServerKeyExchange, |o| ske.encode(o));
            (None, Some(pair))
        } else {
            (self.emit_server_key_exchange(suite.kx, rng, out)?, None)
        };
        // Only a server that authenticates itself with a certificate may ask for one
        // (RFC 2246 section 7.4.4; RFC 4279 section 2 for the PSK suites).
        let request = self.client_auth && suite.kx.server_certificate();
        if request {
            self.emit_certificate_request(out)?;
        }
        self.shared.emit(out, HandshakeType::ServerHelloDone, |o| {
            ServerHelloDone.encode(o)
        });
        matrix_core::ps_trace_hs_msg!("server: full handshake, {:?} {:?}", version, suite.suite);
        let next = ExpectClientKeyExchange {
            client_version: ch.client_version,
            dh,
            ecdh,
            client_key: None,
        };
        Ok(if request {
            State::ClientCertificate(ExpectClientCertificate { next })
        } else {
            State::ClientKeyExchange(next)
        })
    }

    /// Our Certificate: the chain of the identity the key exchange `kx` signs with (the EC
    /// one for ECDHE_ECDSA, the RSA one otherwise), child first.
    fn emit_certificate(&mut self, kx: KeyExchange, out: &mut Outputs) -> Result<(), Fatal> {
        let (certificate_list, _) = self
            .shared
            .keys
            .identity_for(kx)
            .ok_or(Fatal::new(AlertDescription::HandshakeFailure))?;
        let cert = Certificate { certificate_list };
        self.shared
            .emit(out, HandshakeType::Certificate, |o| cert.encode(o));
        Ok(())
    }

    /// The ServerKeyExchange of `kx`, if it has one (RFC 2246 section 7.4.3, RFC 4279):
    /// DHE_RSA signs fresh parameters with MD5+SHA-1 over both randoms; DH_anon sends them
    /// bare; DHE_PSK sends an empty identity hint and the parameters; PSK has no hint to
    /// send, so no ServerKeyExchange (RFC 4279 section 2 lets the server omit it). Returns
    /// the ephemeral key pair of the DH exchanges.
    fn emit_server_key_exchange(
        &mut self,
        kx: KeyExchange,
        rng: &mut dyn SecureRandom,
        out: &mut Outputs,
    ) -> Result<Option<Box<DhKeyPair>>, Fatal> {
        if !kx::DH || matches!(kx, KeyExchange::Rsa | KeyExchange::Psk) {
            return Ok(None);
        }
        let group = self.shared.keys.dh_group()?;
        let pair = group.generate_key(rng)?;
        let params = ServerDhParams {
            dh_p: group.p().to_vec(),
            dh_g: group.g().to_vec(),
            dh_ys: pair.public_bytes().to_vec(),
        };
        let ske = match kx {
            KeyExchange::DheRsa => {
                let key = self
                    .shared
                    .keys
                    .private_key()
                    .ok_or(Fatal::new(AlertDescription::HandshakeFailure))?;
                let (hash, sig_alg) = self.shared.sign_spec(crate::sigalgs::SigKind::Rsa)?;
                let digest = dh_params_digest(
                    hash,
                    &self.shared.client_random,
                    &self.shared.server_random,
                    &params,
                )?;
                let signature = sign_pkcs1_v15(key, rng, hash, &digest)?;
                ServerKeyExchange::DheRsa {
                    params,
                    sig_alg,
                    signature,
                }
            }
            KeyExchange::DhePsk => ServerKeyExchange::DhePsk {
                identity_hint: Vec::new(),
                params,
            },
            _ => ServerKeyExchange::DhAnon { params },
        };
        self.shared
            .emit(out, HandshakeType::ServerKeyExchange, |o| ske.encode(o));
        Ok(Some(Box::new(pair)))
    }

    /// A cache hit on the offered session id, for the same version and a suite still
    /// offered and enabled, resumes it: ServerHello, ChangeCipherSpec and Finished.
    fn try_resume(
        &mut self,
        ch: &ClientHello,
        version: ProtocolVersion,
        out: &mut Outputs,
    ) -> Result<Option<State>, Fatal> {
        if ch.session_id.is_empty() {
            return Ok(None);
        }
        let ctx = Arc::clone(&self.shared.ctx);
        let life = u64::try_from(ctx.config.session_entry_life.as_millis()).unwrap_or(u64::MAX);
        let Some(hit) = ctx.cache.lock().lookup(&ch.session_id, ctx.now_ms(), life) else {
            return Ok(None);
        };
        // RFC 7627 section 5.3: a session is resumed only with the same EMS state (a
        // mismatch falls back to a full handshake).
        let suite = match self.shared.suite_usable(hit.suite, version) {
            Some(s)
                if hit.version == version
                    && ch.cipher_suites.contains(&hit.suite)
                    && hit.ems == self.shared.ems =>
            {
                s
            }
            _ => return Ok(None),
        };
        self.shared.suite = Some(suite);
        self.shared.session_id = ch.session_id.clone();
        self.shared.master = Some(hit.master);
        self.shared.resumed = true;
        self.emit_server_hello(ch, out);
        self.shared.derive_keys(Side::Server)?;
        self.shared.emit_ccs_finished(out, Sender::Server)?;
        matrix_core::ps_trace_hs_msg!("server: resuming a cached session");
        Ok(Some(State::Ccs(ExpectCcs { resumed: true })))
    }

    fn emit_server_hello(&mut self, ch: &ClientHello, out: &mut Outputs) {
        let version = self.shared.version;
        // RFC 5746 sections 3.6 and 4.5: answer the signal with renegotiation_info, in
        // SSL 3.0 too (a client that sent only the SCSV still reads the extension).
        let info = match self.shared.renegotiating() {
            Some(r) => r.server_info(),
            None => Vec::new(),
        };
        let mut exts = Vec::new();
        if self.shared.secure_renegotiation {
            exts.push(Extension::RenegotiationInfo(info));
        }
        if self.shared.ems {
            exts.push(Extension::Unknown {
                ext_type: super::EXT_EXTENDED_MASTER_SECRET,
                data: Vec::new(),
            });
        }
        // RFC 7366: accepted for a CBC suite in TLS.
        self.shared.etm = cfg!(feature = "encrypt-then-mac")
            && !version.is_ssl3()
            && self.shared.suite.is_some_and(|s| s.is_cbc())
            && ch.extension(super::EXT_ENCRYPT_THEN_MAC.into()).is_some();
        if self.shared.etm {
            exts.push(Extension::Unknown {
                ext_type: super::EXT_ENCRYPT_THEN_MAC,
                data: Vec::new(),
            });
        }
        self.ticket_extension(&mut exts);
        // RFC 8422 section 5.2: our point formats, for an ECC suite and a client that sent
        // its own.
        if self.shared.suite.is_some_and(|s| s.kx.is_ecdhe())
            && ch.extension(ecdhe::EXT_EC_POINT_FORMATS.into()).is_some()
        {
            exts.push(Extension::Unknown {
                ext_type: ecdhe::EXT_EC_POINT_FORMATS,
                data: crate::codec::ec_extensions::point_formats_data(),
            });
        }
        let extensions = (!exts.is_empty()).then_some(exts);
        let sh = ServerHello {
            server_version: version,
            random: self.shared.server_random,
            session_id: self.shared.session_id.clone(),
            cipher_suite: self
                .shared
                .suite
                .map_or(CipherSuite::TLS_NULL_WITH_NULL_NULL, |s| s.suite),
            compression_method: CompressionMethod::Null,
            extensions,
        };
        self.shared
            .emit(out, HandshakeType::ServerHello, |o| sh.encode(o));
    }

    fn client_key_exchange(
        &mut self,
        st: ExpectClientKeyExchange,
        cke: &ClientKeyExchange,
        rng: &mut dyn SecureRandom,
    ) -> Result<State, Fatal> {
        let keys = Arc::clone(&self.shared.keys);
        // RFC 4279 section 2: an identity we do not know is unknown_psk_identity.
        let psk = |identity: &[u8]| {
            keys.psk_for(identity)
                .ok_or(Fatal::new(AlertDescription::UnknownPskIdentity))
        };
        // The peer's DH public value must satisfy 1 < Yc < p - 1: illegal_parameter.
        let agree = |yc: &[u8]| {
            st.dh
                .as_ref()
                .ok_or(Fatal::internal(Error::Failure))?
                .agree_tls(yc)
                .map_err(|_| Fatal::new(AlertDescription::IllegalParameter))
        };
        // Each arm only in a build with its key exchange (`kx`); the reader refused the
        // others already.
        let pms: Zeroizing<Vec<u8>> = match cke {
            ClientKeyExchange::Rsa {
                encrypted_pre_master_secret,
            } if kx::RSA => {
                let key = keys.private_key().ok_or(Fatal::internal(Error::Failure))?;
                let pms = rsa_premaster(key, encrypted_pre_master_secret, st.client_version, rng)?;
                Zeroizing::new(pms.to_vec())
            }
            ClientKeyExchange::Dh { dh_yc } if kx::DH => agree(dh_yc)?,
            ClientKeyExchange::Psk { identity } if kx::PSK => {
                let key = psk(identity)?;
                psk_premaster(None, key)?
            }
            ClientKeyExchange::DhePsk { identity, dh_yc } if kx::PSK && kx::DH => {
                let key = psk(identity)?;
                let z = agree(dh_yc)?;
                psk_premaster(Some(&z), key)?
            }
            // RFC 8422 section 5.10: the shared secret is the premaster secret.
            ClientKeyExchange::Ecdh { point } if kx::ECDHE => {
                let pair = st.ecdh.as_ref().ok_or(Fatal::internal(Error::Failure))?;
                ecdhe::server_agree(pair, point)?
            }
            _ => return Err(Fatal::unexpected()),
        };
        self.shared.master = Some(self.shared.compute_master(&pms[..])?);
        self.shared.derive_keys(Side::Server)?;
        Ok(match st.client_key {
            Some(client_key) => State::CertificateVerify(ExpectCertificateVerify { client_key }),
            None => State::Ccs(ExpectCcs { resumed: false }),
        })
    }

    fn cache_session(&self) {
        let (Some(master), Some(suite)) = (self.shared.master.as_ref(), self.shared.suite) else {
            return;
        };
        let ctx = &self.shared.ctx;
        let life = u64::try_from(ctx.config.session_entry_life.as_millis()).unwrap_or(u64::MAX);
        ctx.cache.lock().insert(
            &self.shared.session_id,
            master,
            suite.suite,
            self.shared.version,
            self.shared.ems,
            ctx.now_ms(),
            life,
        );
    }
}

/// RFC 5246 section 7.4.7.1: decrypts the premaster secret and checks that it carries
/// `client_version`, both in constant time; on any failure (bad padding, wrong length,
/// wrong version, a ciphertext of the wrong size) the result is a random secret, so the
/// handshake fails at Finished exactly as it does for a wrong key, and the client learns
/// nothing about which check failed (no Bleichenbacher oracle).
fn rsa_premaster(
    key: &crate::rsa::RsaPrivateKey,
    ciphertext: &[u8],
    client_version: ProtocolVersion,
    rng: &mut dyn SecureRandom,
) -> Result<Zeroizing<[u8; 48]>, Fatal> {
    let mut random = Zeroizing::new([0u8; 48]);
    rng.fill_bytes(&mut random[..])?;
    let mut pms = Zeroizing::new([0u8; 48]);
    let decrypted = match decrypt_pkcs1_v15_tls(key, rng, ciphertext, &mut pms[..]) {
        Ok(()) => Choice::from(1),
        // The ciphertext's size or range: public facts, handled like bad padding anyway.
        Err(Error::ArgFail) => Choice::from(0),
        // A failing generator or a fault in the private operation.
        Err(e) => return Err(Fatal::internal(e)),
    };
    let [major, minor] = client_version.get().to_be_bytes();
    let good = decrypted & pms[0].ct_eq(&major) & pms[1].ct_eq(&minor);
    for (p, r) in pms.iter_mut().zip(random.iter()) {
        *p = u8::conditional_select(r, p, good);
    }
    Ok(pms)
}

impl ServerHandshake {
    /// The heap bytes this machine holds besides itself (see `super::heap`).
    pub(crate) fn heap_bytes(&self) -> usize {
        let kx = |st: &ExpectClientKeyExchange| {
            st.dh
                .as_deref()
                .map_or(0, |d| core::mem::size_of_val(d) + d.heap_bytes())
                + st.client_key
                    .as_deref()
                    .map_or(0, |k| core::mem::size_of_val(k) + k.heap_bytes())
                + st.ecdh.as_ref().map_or(0, ecdhe::ephemeral_bytes)
        };
        let state = match &self.state {
            State::ClientKeyExchange(st) => kx(st),
            State::ClientCertificate(st) => kx(&st.next),
            State::CertificateVerify(st) => {
                core::mem::size_of_val(&*st.client_key) + st.client_key.heap_bytes()
            }
            _ => 0,
        };
        self.shared.heap_bytes() + state + super::heap::validator_bytes(self.validator.as_ref())
    }
}
