//! matrix's fuzz harnesses: one function per target, shared by the libFuzzer entry points
//! (`fuzz_targets/*.rs`, run with `cargo fuzz` on nightly) and the stable mutation runner
//! (`src/bin/fuzz_stable.rs`, run by `cargo xtask fuzz` when cargo-fuzz is missing, and in
//! CI), so that both execute the same code.
//!
//! Every harness takes arbitrary bytes and must return: a panic is a bug found (either in
//! the library, or a broken invariant the harness checks with `assert!`: a codec that does
//! not re-encode what it decoded, a session whose memory passes its cap, a loop that does
//! not end). The returned `u64` is a digest of what the input made the code do (error
//! codes, events, message types): libFuzzer ignores it; the stable runner keeps inputs that
//! produce a digest it has not seen, a cheap stand-in for coverage feedback.
//!
//! Randomness is deterministic: sessions come from contexts opened with a fixed entropy
//! source and a fixed clock, so an input replays to the same bytes and a crash reproduces.
//! The same determinism lets a recorded handshake (see [`record_handshake`]) replay against
//! a fresh session: the seed corpora are real flights that drive the sessions through a
//! complete handshake.

#![forbid(unsafe_code)]

mod dtls;
#[cfg(feature = "ecc")]
pub mod ecc;
pub mod peer_seed;
mod reassembler;

pub use dtls::{
    DtlsReplay, dtls_client_session, dtls_server_session, harness_input, harness_session,
    harness_step, record_dtls, replay_dtls_client, replay_dtls_server,
};
pub use reassembler::dtls_reassembler;

use std::sync::{Arc, OnceLock};

use matrix_core::Error;
use matrix_core::osdep::{Entropy, ManualClock};
use matrix_ssl::codec::framing::{FrameLimits, Framed, HandshakeFramer};
use matrix_ssl::codec::handshake::{
    DecodeContext, HandshakeHeader, HandshakePayload, KeyExchangeKind,
};
use matrix_ssl::codec::record::{Alert, ChangeCipherSpec, DtlsRecordHeader, RecordHeader};
use matrix_ssl::codec::{Codec, Reader};
use matrix_ssl::suites::{KeyExchange, SUITES};
use matrix_ssl::{
    CertValidator, Config, Context, Keys, ProtocolVersion, Received, Sent, Session, Verdict,
};

/// A harness: arbitrary bytes in, a digest of the behaviour out.
pub type Harness = fn(&[u8]) -> u64;

/// Every target, by name: the names of `fuzz_targets/*.rs` and of `corpus/<target>/`.
pub const TARGETS: &[(&str, Harness)] = &[
    ("record_header", record_header),
    ("handshake_message", handshake_message),
    ("handshake_framer", handshake_framer),
    ("sslv2_hello", sslv2_hello),
    ("server_session", server_session),
    ("server_after_client_hello", server_after_client_hello),
    ("client_session", client_session),
    ("client_after_server_hello", client_after_server_hello),
    ("server_dhe", server_dhe),
    ("client_dhe", client_dhe),
    ("server_psk", server_psk),
    ("client_psk", client_psk),
    ("server_client_auth", server_client_auth),
    ("client_client_auth", client_client_auth),
    ("server_tickets", server_tickets),
    ("client_tickets", client_tickets),
    ("x509_cert", x509_cert),
    ("private_key", private_key),
    ("pkcs12", pkcs12),
    ("dh_params", dh_params),
    ("pem", pem),
    ("dtls_server_session", dtls_server_session),
    ("dtls_client_session", dtls_client_session),
    ("dtls_reassembler", dtls_reassembler),
];

/// The targets this build fuzzes: with the `ecc` feature the ECC targets only ([`ecc`]:
/// an `ecc` build changes bytes the other targets' sessions send, so their seeds would
/// not replay there), else every other one.
#[cfg(not(feature = "ecc"))]
pub const RUN_TARGETS: &[(&str, Harness)] = TARGETS;

/// The targets this build fuzzes: the ECC ones.
#[cfg(feature = "ecc")]
pub const RUN_TARGETS: &[(&str, Harness)] = ecc::TARGETS;

/// A running digest (FNV-1a over 64-bit words).
#[derive(Clone, Copy, Debug)]
struct Digest(u64);

impl Digest {
    fn new() -> Self {
        Digest(0xcbf2_9ce4_8422_2325)
    }

    fn add(&mut self, v: u64) {
        self.0 ^= v;
        self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
    }

    fn add_err(&mut self, e: Error) {
        // Offset so that error codes never collide with the small event codes.
        self.add(0x1000 + u64::from(e.code().unsigned_abs()));
    }
}

// ---------------------------------------------------------------------------------------
// Wire codec
// ---------------------------------------------------------------------------------------

/// Checks that a value decoded from `input` encodes back to exactly `input`.
fn roundtrip<'a, T: Codec<'a>>(input: &'a [u8], d: &mut Digest) {
    match T::read_bytes(input) {
        Ok(v) => {
            let again = v.get_encoding();
            assert!(
                again == input,
                "re-encoding differs: {input:02x?} -> {again:02x?}"
            );
            d.add(1);
        }
        Err(_) => d.add(2),
    }
}

/// Record layer structures: the TLS record header (5 bytes), the DTLS one (13), the alert
/// and ChangeCipherSpec bodies; then the input as a stream of records, header by header.
pub fn record_header(data: &[u8]) -> u64 {
    let mut d = Digest::new();
    roundtrip::<RecordHeader>(data.get(..5).unwrap_or(data), &mut d);
    roundtrip::<DtlsRecordHeader>(data.get(..13).unwrap_or(data), &mut d);
    roundtrip::<Alert>(data.get(..2).unwrap_or(data), &mut d);
    roundtrip::<ChangeCipherSpec>(data.get(..1).unwrap_or(data), &mut d);
    let mut r = Reader::new(data);
    // Each step consumes at least a header, so the loop ends.
    while !r.is_empty() {
        match RecordHeader::read(&mut r) {
            Ok(h) => {
                d.add(u64::from(u8::from(h.content_type)));
                if r.take(usize::from(h.length)).is_err() {
                    d.add(3);
                    break;
                }
            }
            Err(_) => {
                d.add(4);
                break;
            }
        }
    }
    d.0
}

/// The decode contexts a handshake message may be read in, chosen by the input's first
/// byte: every version (DTLS included) times "key exchange unknown" and every key
/// exchange (ECDHE's ServerKeyExchange and ClientKeyExchange, RFC 8422 section 5.4 and
/// 5.7, are in the codec whether or not `ecc` is built); with the top bit set, TLS 1.2 (signature_algorithms in ServerKeyExchange,
/// CertificateRequest and CertificateVerify) with the key exchange of the other bits.
pub fn decode_context(selector: u8) -> DecodeContext {
    let tls12 = selector & 0x80 != 0;
    let selector = selector & 0x7f;
    const VERSIONS: [ProtocolVersion; 4] = [
        ProtocolVersion::SSLv3,
        ProtocolVersion::TLSv1_0,
        ProtocolVersion::TLSv1_1,
        ProtocolVersion::DTLSv1_0,
    ];
    // ECDHE last, so the earlier indexes (and the seeds made with them) keep their meaning.
    const KEX: [Option<KeyExchangeKind>; 7] = [
        None,
        Some(KeyExchangeKind::Rsa),
        Some(KeyExchangeKind::DheRsa),
        Some(KeyExchangeKind::DhAnon),
        Some(KeyExchangeKind::Psk),
        Some(KeyExchangeKind::DhePsk),
        Some(KeyExchangeKind::Ecdhe),
    ];
    let v = VERSIONS
        .get(usize::from(selector) % VERSIONS.len())
        .copied()
        .unwrap_or(ProtocolVersion::TLSv1_0);
    let k = KEX
        .get(usize::from(selector / 4) % KEX.len())
        .copied()
        .flatten();
    DecodeContext {
        version: if tls12 { ProtocolVersion::TLSv1_2 } else { v },
        key_exchange: k,
    }
}

/// Every handshake message: byte 0 selects the decode context (version and key
/// exchange), the rest is a whole message (4-byte header and body). A message that
/// decodes must re-encode to the same bytes.
pub fn handshake_message(data: &[u8]) -> u64 {
    let mut d = Digest::new();
    let Some((&selector, msg)) = data.split_first() else {
        return 0;
    };
    let ctx = decode_context(selector);
    let mut r = Reader::new(msg);
    let Ok(header) = HandshakeHeader::read(&mut r) else {
        return 1;
    };
    d.add(u64::from(header.msg_type.get()));
    let body = r.rest();
    // The decoder is also run on bodies whose header length is wrong: it must not care.
    match HandshakePayload::read(header.msg_type, body, &ctx) {
        Ok(p) => {
            d.add(0x100);
            assert_eq!(p.msg_type(), header.msg_type, "message type changed");
            let mut again = Vec::new();
            p.encode_body(&mut again, ctx.version);
            assert!(
                again == body,
                "{:?} ({:?}) re-encodes differently:\n in  {body:02x?}\n out {again:02x?}",
                header.msg_type,
                ctx
            );
            // The whole message re-encodes too when its header told the truth.
            if usize::try_from(header.length).ok() == Some(body.len()) {
                let mut whole = Vec::new();
                p.encode_message(&mut whole, ctx.version);
                assert!(whole == msg, "whole-message re-encoding differs");
            }
            if let HandshakePayload::ClientHello(ch) = &p {
                d.add(u64::from(ch.has_scsv()) | u64::from(ch.has_fallback_scsv()) << 1);
                d.add(ch.server_name().map_or(0, <[u8]>::len) as u64);
                d.add(ch.renegotiation_info().map_or(0, <[u8]>::len) as u64);
            }
        }
        Err(e) => d.add(0x200 + e.alert(ProtocolVersion::TLSv1_0).get() as u64),
    }
    d.0
}

/// The handshake framer under limits chosen by the first two bytes: every whole message
/// it cuts out is a header plus exactly the announced body, messages and remainder add up
/// to the input, and an incomplete message asks for at least one byte.
pub fn handshake_framer(data: &[u8]) -> u64 {
    let mut d = Digest::new();
    let (limits, buf) = match data {
        [a, b, rest @ ..] => (
            FrameLimits {
                max_message_len: usize::from(*a) * 64,
                max_certificate_len: usize::from(*b) * 512,
            },
            rest,
        ),
        _ => (FrameLimits::default(), data),
    };
    let framer = HandshakeFramer::new(limits);
    let mut it = framer.messages(buf);
    let mut used = 0usize;
    let mut failed = false;
    for m in it.by_ref() {
        match m {
            Ok(f) => {
                assert_eq!(f.raw.len(), HandshakeHeader::LEN + f.body.len());
                assert!(f.body.len() <= limits.limit_for(f.msg_type), "over limit");
                assert_eq!(f.raw.get(..1), Some(&[f.msg_type.get()][..]));
                used += f.raw.len();
                d.add(u64::from(f.msg_type.get()));
            }
            Err(e) => {
                failed = true;
                d.add(0x300 + e.alert(ProtocolVersion::TLSv1_0).get() as u64);
            }
        }
    }
    if !failed {
        assert_eq!(
            used + it.remainder().len(),
            buf.len(),
            "bytes lost in framing"
        );
        if !it.remainder().is_empty() {
            assert!(it.needed() > 0, "incomplete message that needs nothing");
            match framer.frame(it.remainder()) {
                Ok(Framed::NeedMore { needed }) => assert_eq!(needed, it.needed()),
                other => panic!("remainder framed as {other:?}"),
            }
        }
    }
    d.0
}

/// The SSL 2.0-format ClientHello of RFC 2246 appendix E.1 (servers only).
pub fn sslv2_hello(data: &[u8]) -> u64 {
    use matrix_ssl::codec::sslv2::{
        Sslv2Detect, detect_sslv2_client_hello, read_sslv2_client_hello,
    };
    let mut d = Digest::new();
    match detect_sslv2_client_hello(data) {
        Sslv2Detect::ClientHello { record_len } => {
            d.add(1);
            assert!(record_len >= 2);
        }
        Sslv2Detect::NotSslv2 => d.add(2),
        _ => d.add(3),
    }
    match read_sslv2_client_hello(data) {
        Ok(v2) => {
            // The hashed bytes are the record minus its 2-byte header.
            assert_eq!(Some(v2.hash_bytes), data.get(2..));
            assert_eq!(v2.hello.random.len(), 32);
            d.add(v2.hello.cipher_suites.len() as u64);
        }
        Err(e) => d.add(0x400 + e.alert(ProtocolVersion::TLSv1_0).get() as u64),
    }
    d.0
}

// ---------------------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------------------

/// The fixed clock of every fuzzed context: 2026-01-01, inside the test certificates'
/// validity.
pub const FIXED_TIME_MS: u64 = 1_767_225_600_000;

/// A deterministic entropy source (SplitMix64 from a seed): the same input always meets
/// the same randoms, so a crash reproduces and a recorded handshake replays.
#[derive(Debug, Clone)]
pub struct FixedEntropy(u64);

impl FixedEntropy {
    /// A source starting from `seed`.
    pub fn new(seed: u64) -> Self {
        FixedEntropy(seed)
    }
}

impl Entropy for FixedEntropy {
    fn get_entropy(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        for chunk in buf.chunks_mut(8) {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            for (b, v) in chunk.iter_mut().zip(z.to_be_bytes()) {
                *b = v;
            }
        }
        Ok(())
    }
}

/// The entropy seed of server contexts.
const SERVER_SEED: u64 = 0x5e7e_5e7e;
/// The entropy seed of client contexts.
const CLIENT_SEED: u64 = 0xc11e_c11e;

/// A context with fixed entropy and clock. `None` only if `open_with` failed, which it
/// does not for the default configuration.
pub fn deterministic_context(seed: u64) -> Option<Context> {
    deterministic_context_with(seed, |_| {})
}

/// [`deterministic_context`] with the rest of its configuration set by `f`.
pub fn deterministic_context_with(seed: u64, f: impl FnOnce(&mut Config)) -> Option<Context> {
    let mut config = Config::default();
    // The replay tests check the client's chain a server received.
    config.keep_peer_certificates = true;
    f(&mut config);
    matrix_ssl::open_with(
        config,
        Box::new(FixedEntropy::new(seed)),
        Box::new(ManualClock::new(FIXED_TIME_MS)),
    )
    .ok()
}

/// The rsa2048 server identity, parsed once (RSA key parsing is slower than most inputs).
pub fn server_keys() -> Option<Arc<Keys>> {
    static KEYS: OnceLock<Option<Arc<Keys>>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut k = Keys::new();
        k.load_rsa_keys_mem(
            Some(include_bytes!("../../testkeys/rsa2048/server-chain.pem")),
            Some(include_bytes!("../../testkeys/rsa2048/server.key")),
            None,
        )
        .ok()?;
        Some(Arc::new(k))
    })
    .clone()
}

/// The rsa2048 root CA, as a client trusts it.
pub fn client_keys() -> Option<Arc<Keys>> {
    static KEYS: OnceLock<Option<Arc<Keys>>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut k = Keys::new();
        k.load_rsa_keys_mem(
            None,
            None,
            Some(include_bytes!("../../testkeys/rsa2048/ca.der")),
        )
        .ok()?;
        Some(Arc::new(k))
    })
    .clone()
}

/// `ctx` with every compiled suite but those of `keep` disabled (a server then accepts,
/// and a client offers, only those).
fn only_suites(ctx: Context, keep: impl Fn(KeyExchange, u16) -> bool) -> Option<Context> {
    for s in SUITES {
        if !keep(s.kx, s.suite.get()) {
            ctx.set_cipher_suite_enabled_status(s.suite.get(), false)
                .ok()?;
        }
    }
    Some(ctx)
}

/// The context of the RSA targets: RSA key exchange only, so that the build's DHE and PSK
/// suites (for the targets below) leave their handshakes, and so their seeds, unchanged.
fn rsa_context(seed: u64) -> Option<Context> {
    only_suites(deterministic_context(seed)?, |kx, _| kx == KeyExchange::Rsa)
}

/// A fresh server session of a fresh deterministic context (RSA key exchange).
pub fn new_server() -> Option<Session> {
    rsa_context(SERVER_SEED)?
        .new_server_session(server_keys()?, None)
        .ok()
}

/// A fresh client session (offering every RSA suite) of a fresh deterministic context;
/// its ClientHello is waiting in `get_outdata`.
pub fn new_client() -> Option<Session> {
    rsa_context(CLIENT_SEED)?
        .new_client_session(client_keys()?, None, 0, None, None)
        .ok()
}

// ---------------------------------------------------------------------------------------
// The advanced key exchanges and client authentication
// ---------------------------------------------------------------------------------------

/// The PSK identity and key both sides of the PSK targets know.
pub const PSK_IDENTITY: &[u8] = b"fuzz-client";
const PSK_KEY: [u8; 16] = [0x5a; 16];

/// The handshakes of the advanced targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Path {
    /// DHE_RSA (RFC 5246 section 7.4.3 signed parameters) with AES-128-CBC-SHA.
    Dhe,
    /// Plain PSK (RFC 4279 section 2) with AES-128-CBC-SHA.
    Psk,
    /// DHE_PSK (RFC 4279 section 3) with AES-128-CBC-SHA.
    DhePsk,
    /// RSA with client authentication: CertificateRequest, the client's Certificate and
    /// CertificateVerify (RFC 4346 section 7.4.4-7.4.8).
    ClientAuth,
    /// RSA with RFC 5077 session tickets: the client asks for one (an empty SessionTicket
    /// extension), the server holds a ticket key, announces the ticket in its ServerHello
    /// and sends a NewSessionTicket before its ChangeCipherSpec; a server fed other bytes
    /// also opens whatever ticket a mutated ClientHello carries.
    Tickets,
}

impl Path {
    /// Every path.
    pub const ALL: [Path; 5] = [
        Path::Dhe,
        Path::Psk,
        Path::DhePsk,
        Path::ClientAuth,
        Path::Tickets,
    ];

    /// The suite the client nominates.
    pub fn suite(self) -> u16 {
        match self {
            Path::Dhe => 0x0033,
            Path::Psk => 0x008c,
            Path::DhePsk => 0x0090,
            Path::ClientAuth | Path::Tickets => 0x002f,
        }
    }

    /// The key exchanges the server accepts on this path (the PSK server takes both).
    fn server_accepts(self, kx: KeyExchange) -> bool {
        match self {
            Path::Dhe => kx == KeyExchange::DheRsa,
            Path::Psk | Path::DhePsk => matches!(kx, KeyExchange::Psk | KeyExchange::DhePsk),
            Path::ClientAuth | Path::Tickets => kx == KeyExchange::Rsa,
        }
    }
}

/// The server identity of the advanced targets: the rsa2048 chain and key, the root as
/// the CA for client certificates, 1024-bit DH parameters (cheaper per execution than the
/// default 2048-bit group) and the PSK.
fn advanced_server_keys() -> Option<Arc<Keys>> {
    static KEYS: OnceLock<Option<Arc<Keys>>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut k = Keys::new();
        k.load_rsa_keys_mem(
            Some(include_bytes!("../../testkeys/rsa2048/server-chain.pem")),
            Some(include_bytes!("../../testkeys/rsa2048/server.key")),
            Some(include_bytes!("../../testkeys/rsa2048/ca.der")),
        )
        .ok()?;
        k.load_dh_params_mem(include_bytes!("../../testkeys/dh/dh1024.pem"))
            .ok()?;
        k.load_psk(PSK_IDENTITY, &PSK_KEY).ok()?;
        Some(Arc::new(k))
    })
    .clone()
}

/// The client identity of the advanced targets: the rsa2048 root, the client certificate
/// chain and key, and the PSK.
fn advanced_client_keys() -> Option<Arc<Keys>> {
    static KEYS: OnceLock<Option<Arc<Keys>>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut k = Keys::new();
        k.load_rsa_keys_mem(
            Some(include_bytes!("../../testkeys/rsa2048/client-chain.pem")),
            Some(include_bytes!("../../testkeys/rsa2048/client.key")),
            Some(include_bytes!("../../testkeys/rsa2048/ca.der")),
        )
        .ok()?;
        k.load_psk(PSK_IDENTITY, &PSK_KEY).ok()?;
        Some(Arc::new(k))
    })
    .clone()
}

/// The server's certificate callback on the client-authentication path: its presence
/// makes the server ask for a certificate; it passes the library's verdict through.
fn client_cert_callback() -> CertValidator {
    Box::new(|_, _, alert| Verdict::from_code(alert.map_or(0, |a| i32::from(a.get()))))
}

/// A fresh server session for `path` of a fresh deterministic context.
pub fn new_server_for(path: Path) -> Option<Session> {
    let ctx = only_suites(deterministic_context(SERVER_SEED)?, |kx, _| {
        path.server_accepts(kx)
    })?;
    if path == Path::Tickets {
        ctx.load_session_ticket_keys(&TICKET_KEY_NAME, &[0x11; 16], &[0x22; 32])
            .ok()?;
    }
    let callback = (path == Path::ClientAuth).then(client_cert_callback);
    ctx.new_server_session(advanced_server_keys()?, callback)
        .ok()
}

/// A fresh client session nominating `path`'s suite, of a fresh deterministic context;
/// its ClientHello is waiting in `get_outdata`.
pub fn new_client_for(path: Path) -> Option<Session> {
    deterministic_context_with(CLIENT_SEED, |c| c.session_tickets = path == Path::Tickets)?
        .new_client_session(advanced_client_keys()?, None, path.suite(), None, None)
        .ok()
}

/// Takes everything the session has to send (the peer in a harness is a sink).
fn flush(s: &mut Session, d: &mut Digest) -> Vec<u8> {
    let mut all = Vec::new();
    // Each round sends everything pending, so two rounds suffice; the bound guards the
    // harness against a session that keeps producing output.
    for _ in 0..4 {
        let out = s.get_outdata();
        if out.is_empty() {
            return all;
        }
        all.extend_from_slice(out);
        let n = out.len();
        match s.sent_data(n) {
            Ok(sent) => d.add(0x500 + sent.code() as u64),
            Err(e) => d.add_err(e),
        }
        if matches!(s.sent_data(0), Ok(Sent::RequestClose)) {
            d.add(0x510);
        }
    }
    panic!("get_outdata keeps refilling");
}

/// Feeds `data` to `s` in chunks of at most `chunk` bytes, acting as the application does
/// on every answer (sending output, echoing application data once the handshake is
/// complete), and checks the session's invariants: every loop ends, memory stays under
/// the configured cap, and a failed session refuses further input.
fn drive(s: &mut Session, data: &[u8], chunk: usize, d: &mut Digest) {
    let cap = Config::default().session_memory_cap;
    let mut rest = data;
    let mut failed = false;
    while !rest.is_empty() {
        flush(s, d);
        let buf = s.get_readbuf();
        if buf.is_empty() {
            // Only an exhausted memory budget empties the read buffer.
            d.add(0x600);
            break;
        }
        let n = buf.len().min(chunk.max(1)).min(rest.len());
        let (now, later) = rest.split_at(n);
        for (dst, src) in buf.iter_mut().zip(now) {
            *dst = *src;
        }
        rest = later;
        let mut answer = match s.received_data(n) {
            Ok(r) => event(r, d),
            Err(e) => {
                d.add_err(e);
                assert!(
                    failed || e != Error::ArgFail,
                    "received_data refused {n} bytes"
                );
                break;
            }
        };
        // Each processed_data call consumes a record (5 bytes at least) or stops: a
        // session asking for more than that many calls is looping.
        let mut budget = data.len() / 5 + 8;
        while matches!(answer, Answer::Again) {
            budget = budget
                .checked_sub(1)
                .unwrap_or_else(|| panic!("processed_data does not drain"));
            answer = match s.processed_data() {
                Ok(r) => event(r, d),
                Err(e) => {
                    d.add_err(e);
                    Answer::Stop
                }
            };
        }
        if matches!(answer, Answer::Complete) || s.is_handshake_complete() {
            // Exercise the write path; refused after a close, which is fine.
            match s.encode_to_outdata(b"ping") {
                Ok(_) => d.add(0x700),
                Err(e) => d.add_err(e),
            }
        }
        let (used, high) = s.memory_usage();
        assert!(high <= cap, "memory high water {high} over the cap {cap}");
        assert!(used <= high);
        let out = flush(s, d);
        // A fatal alert or close leaves the session refusing input.
        if out.first() == Some(&21) && out.len() == 7 && out.get(5) == Some(&2) {
            failed = true;
        }
    }
    flush(s, d);
}

/// What the driver does after one answer.
enum Answer {
    /// Call `processed_data` (application data or an alert was returned).
    Again,
    /// The handshake completed.
    Complete,
    /// Read more, or stop.
    Stop,
}

fn event(r: Received<'_>, d: &mut Digest) -> Answer {
    d.add(0x800 + r.code() as u64);
    match r {
        Received::AppData(data) => {
            d.add(data.len() as u64);
            Answer::Again
        }
        Received::Alert { level, description } => {
            d.add(u64::from(level.get()) << 8 | u64::from(description.get()));
            Answer::Again
        }
        Received::HandshakeComplete => Answer::Complete,
        _ => Answer::Stop,
    }
}

/// The chunk size a session input's first byte selects: 0 delivers everything at once,
/// `n` delivers `n` bytes per `received_data` call.
fn split_mode(data: &[u8]) -> (usize, &[u8]) {
    match data.split_first() {
        Some((0, rest)) => (usize::MAX, rest),
        Some((&n, rest)) => (usize::from(n), rest),
        None => (usize::MAX, data),
    }
}

/// A server session fed arbitrary client bytes (byte 0: the delivery chunk size).
pub fn server_session(data: &[u8]) -> u64 {
    let mut d = Digest::new();
    let Some(mut s) = new_server() else {
        return 0;
    };
    let (chunk, bytes) = split_mode(data);
    drive(&mut s, bytes, chunk, &mut d);
    d.0
}

/// A client session, its ClientHello sent, fed arbitrary server bytes (byte 0: the chunk
/// size).
pub fn client_session(data: &[u8]) -> u64 {
    let mut d = Digest::new();
    let Some(mut c) = new_client() else {
        return 0;
    };
    flush(&mut c, &mut d);
    let (chunk, bytes) = split_mode(data);
    drive(&mut c, bytes, chunk, &mut d);
    d.0
}

/// A server session that has received a valid ClientHello (our client's), then arbitrary
/// bytes: the fuzzer starts in the state expecting the ClientKeyExchange.
pub fn server_after_client_hello(data: &[u8]) -> u64 {
    let mut d = Digest::new();
    let (Some(mut s), Some(t)) = (new_server(), recorded()) else {
        return 0;
    };
    let Some(hello) = t.client_flights.first() else {
        return 0;
    };
    drive(&mut s, hello, usize::MAX, &mut d);
    let (chunk, bytes) = split_mode(data);
    drive(&mut s, bytes, chunk, &mut d);
    d.0
}

/// A client session that has received the server's valid first flight (ServerHello,
/// Certificate, ServerHelloDone) and sent its key exchange, then arbitrary bytes: the
/// fuzzer starts where the server's ChangeCipherSpec and Finished are expected.
pub fn client_after_server_hello(data: &[u8]) -> u64 {
    let mut d = Digest::new();
    let (Some(mut c), Some(t)) = (new_client(), recorded()) else {
        return 0;
    };
    flush(&mut c, &mut d);
    let Some(first) = t.server_flights.first() else {
        return 0;
    };
    drive(&mut c, first, usize::MAX, &mut d);
    let (chunk, bytes) = split_mode(data);
    drive(&mut c, bytes, chunk, &mut d);
    d.0
}

/// A server session for `path` fed arbitrary client bytes (byte 0: the chunk size).
fn server_path(path: Path, data: &[u8]) -> u64 {
    let mut d = Digest::new();
    let Some(mut s) = new_server_for(path) else {
        return 0;
    };
    let (chunk, bytes) = split_mode(data);
    drive(&mut s, bytes, chunk, &mut d);
    d.0
}

/// A client session for `path`, its ClientHello sent, fed arbitrary server bytes (byte 0:
/// the chunk size).
fn client_path(path: Path, data: &[u8]) -> u64 {
    let mut d = Digest::new();
    let Some(mut c) = new_client_for(path) else {
        return 0;
    };
    flush(&mut c, &mut d);
    let (chunk, bytes) = split_mode(data);
    drive(&mut c, bytes, chunk, &mut d);
    d.0
}

/// A DHE_RSA server (1024-bit group) fed arbitrary client bytes: the client's DH public
/// value and everything after it.
pub fn server_dhe(data: &[u8]) -> u64 {
    server_path(Path::Dhe, data)
}

/// A DHE_RSA client fed arbitrary server bytes: ServerKeyExchange parameters, their
/// signature and the peer checks.
pub fn client_dhe(data: &[u8]) -> u64 {
    client_path(Path::Dhe, data)
}

/// A server accepting PSK and DHE_PSK fed arbitrary client bytes: identities, DH values.
pub fn server_psk(data: &[u8]) -> u64 {
    server_path(Path::Psk, data)
}

/// A PSK client fed arbitrary server bytes; byte 0 picks the suite (even: PSK, odd:
/// DHE_PSK), the rest is as in the other session targets.
pub fn client_psk(data: &[u8]) -> u64 {
    match data.split_first() {
        Some((sel, rest)) if sel % 2 == 1 => client_path(Path::DhePsk, rest),
        Some((_, rest)) => client_path(Path::Psk, rest),
        None => 0,
    }
}

/// The name of the fuzz servers' session-ticket key.
pub const TICKET_KEY_NAME: [u8; 16] = [0x5e; 16];

/// A server holding a session-ticket key fed arbitrary client bytes: the SessionTicket
/// extension and the tickets in it (RFC 5077).
pub fn server_tickets(data: &[u8]) -> u64 {
    server_path(Path::Tickets, data)
}

/// A client asking for a session ticket fed arbitrary server bytes: the ServerHello's
/// SessionTicket extension and the NewSessionTicket message (RFC 5077).
pub fn client_tickets(data: &[u8]) -> u64 {
    client_path(Path::Tickets, data)
}

/// A server asking for a client certificate (RSA) fed arbitrary client bytes: the
/// client's Certificate, its chain authentication and the CertificateVerify.
pub fn server_client_auth(data: &[u8]) -> u64 {
    server_path(Path::ClientAuth, data)
}

/// A client with a certificate fed arbitrary server bytes: CertificateRequest and what
/// follows.
pub fn client_client_auth(data: &[u8]) -> u64 {
    client_path(Path::ClientAuth, data)
}

/// A recorded handshake between [`new_client`] and [`new_server`]: each side's flights
/// in order (after the handshake: the client's application data, the server's echo, the
/// client's close_notify).
#[derive(Clone, Debug, Default)]
pub struct Transcript {
    /// What the client sent, flight by flight.
    pub client_flights: Vec<Vec<u8>>,
    /// What the server sent, flight by flight.
    pub server_flights: Vec<Vec<u8>>,
}

/// Hands `bytes` to `to`, answering application data with an echo of it when `echo`.
fn deliver(to: &mut Session, bytes: &[u8], echo_back: bool) -> Result<(), Error> {
    let mut rest = bytes;
    while !rest.is_empty() {
        let buf = to.get_readbuf();
        let n = buf.len().min(rest.len());
        if n == 0 {
            return Err(Error::MemFail);
        }
        let (now, later) = rest.split_at(n);
        for (dst, src) in buf.iter_mut().zip(now) {
            *dst = *src;
        }
        rest = later;
        let mut echo = Vec::new();
        let mut r = to.received_data(n)?;
        loop {
            match r {
                Received::AppData(data) => echo.extend_from_slice(data),
                Received::Alert { .. } => {}
                _ => break,
            }
            r = to.processed_data()?;
        }
        if echo_back && !echo.is_empty() && !to.peer_closed() {
            to.encode_to_outdata(&echo)?;
        }
    }
    Ok(())
}

fn take(s: &mut Session) -> Result<Vec<u8>, Error> {
    let out = s.get_outdata().to_vec();
    if !out.is_empty() {
        s.sent_data(out.len())?;
    }
    Ok(out)
}

/// Runs the deterministic client against the deterministic server over memory and records
/// every flight; `app_data` goes from client to server after the handshake, the server
/// echoes it, then the client sends close_notify.
pub fn record_handshake(app_data: &[u8]) -> Result<Transcript, Error> {
    record_pair(
        new_client().ok_or(Error::Failure)?,
        new_server().ok_or(Error::Failure)?,
        app_data,
    )
}

/// [`record_handshake`] between [`new_client_for`] and [`new_server_for`] `path`.
pub fn record_handshake_for(path: Path, app_data: &[u8]) -> Result<Transcript, Error> {
    record_pair(
        new_client_for(path).ok_or(Error::Failure)?,
        new_server_for(path).ok_or(Error::Failure)?,
        app_data,
    )
}

fn record_pair(mut c: Session, mut s: Session, app_data: &[u8]) -> Result<Transcript, Error> {
    let mut t = Transcript::default();
    // 0: handshaking; 1: application data sent; 2: echo received, close_notify sent.
    let mut phase = 0;
    for _ in 0..12 {
        let cf = take(&mut c)?;
        if !cf.is_empty() {
            deliver(&mut s, &cf, true)?;
            t.client_flights.push(cf);
        }
        let sf = take(&mut s)?;
        if !sf.is_empty() {
            deliver(&mut c, &sf, false)?;
            t.server_flights.push(sf);
        }
        let idle = c.get_outdata().is_empty() && s.get_outdata().is_empty();
        let complete = c.is_handshake_complete() && s.is_handshake_complete();
        match phase {
            0 if complete && idle => {
                phase = 1;
                if !app_data.is_empty() {
                    c.encode_to_outdata(app_data)?;
                }
            }
            1 if idle => {
                phase = 2;
                c.encode_closure_alert()?;
            }
            2 if idle => return Ok(t),
            _ => {}
        }
    }
    Err(Error::Failure)
}

/// The handshake the `*_after_*` targets start from, recorded once.
pub fn recorded() -> Option<&'static Transcript> {
    static T: OnceLock<Option<Transcript>> = OnceLock::new();
    T.get_or_init(|| record_handshake(b"GET / HTTP/1.0\r\n\r\n").ok())
        .as_ref()
}

// ---------------------------------------------------------------------------------------
// X.509 and keys
// ---------------------------------------------------------------------------------------

/// The trusted root for chain authentication.
fn trusted_root() -> &'static [matrix_x509::X509Cert] {
    static ROOT: OnceLock<Vec<matrix_x509::X509Cert>> = OnceLock::new();
    ROOT.get_or_init(|| {
        matrix_x509::X509Cert::from_der(include_bytes!("../../testkeys/rsa2048/ca.der"))
            .map(|c| vec![c])
            .unwrap_or_default()
    })
}

/// X.509: one DER certificate, then the input as a chain (DER back to back, or PEM),
/// authenticated against the rsa2048 root; every accessor of a parsed certificate runs.
pub fn x509_cert(data: &[u8]) -> u64 {
    x509_against(data, trusted_root(), |c, d| {
        d.add(c.public_key.rsa_bits().unwrap_or(0) as u64);
    })
}

/// The body of the certificate targets: `data` as one certificate (every accessor, and
/// `key` for what the target adds about its key), then as a chain authenticated against
/// `roots`.
fn x509_against(
    data: &[u8],
    roots: &[matrix_x509::X509Cert],
    key: impl Fn(&matrix_x509::X509Cert, &mut Digest),
) -> u64 {
    let mut d = Digest::new();
    match matrix_x509::X509Cert::from_der(data) {
        Ok(c) => {
            d.add(1);
            d.add(u64::from(c.is_ca()));
            d.add(u64::from(c.is_valid_at(FIXED_TIME_MS)));
            d.add(u64::from(c.matches_host("localhost")));
            d.add(u64::from(c.matches_host("a.matrix.test")));
            key(&c, &mut d);
            assert!(
                c.tbs_der().len() < data.len(),
                "tbs not inside the certificate"
            );
            d.add(u64::from(matrix_x509::verify_signature(&c, &c)));
        }
        Err(e) => d.add_err(e),
    }
    match matrix_x509::CertChain::from_bytes(data) {
        Ok(mut chain) => {
            d.add(chain.len() as u64);
            let alert = matrix_x509::authenticate(&mut chain, roots);
            d.add(u64::from(alert.is_some()));
        }
        Err(e) => d.add_err(e),
    }
    d.0
}

/// Private keys: byte 0 chooses the password (none, the right one `matrix`, a wrong
/// one); the rest is PEM or DER in any format (PKCS#1, PKCS#8, encrypted PEM, encrypted
/// PKCS#8), also tried with the format-specific loaders.
pub fn private_key(data: &[u8]) -> u64 {
    let mut d = Digest::new();
    let Some((&mode, key)) = data.split_first() else {
        return 0;
    };
    let password: Option<&[u8]> = match mode % 3 {
        0 => None,
        1 => Some(b"matrix"),
        _ => Some(b"wrong password"),
    };
    match matrix_x509::key::load_rsa_private_key(key, password) {
        Ok(k) => {
            d.add(1);
            d.add(k.public_key().size() as u64);
        }
        Err(e) => d.add_err(e),
    }
    if password.is_none() {
        match matrix_x509::key::rsa_private_key_from_pkcs1(key) {
            Ok(_) => d.add(2),
            Err(e) => d.add_err(e),
        }
        match matrix_x509::key::rsa_private_key_from_pkcs8(key) {
            Ok(_) => d.add(3),
            Err(e) => d.add_err(e),
        }
    }
    d.0
}

/// PKCS#12 files, opened with the right password.
pub fn pkcs12(data: &[u8]) -> u64 {
    let mut d = Digest::new();
    match matrix_x509::pkcs12::Pkcs12::from_der(data, "matrix") {
        Ok(_) => d.add(1),
        Err(e) => d.add_err(e),
    }
    d.0
}

/// DH parameters (PKCS#3 DER or PEM).
pub fn dh_params(data: &[u8]) -> u64 {
    let mut d = Digest::new();
    match matrix_x509::DhParams::from_bytes(data) {
        Ok(_) => d.add(1),
        Err(e) => d.add_err(e),
    }
    d.0
}

/// PEM text (invalid UTF-8 replaced): every block, the CERTIFICATE blocks, and the input
/// as bare base64.
pub fn pem(data: &[u8]) -> u64 {
    let mut d = Digest::new();
    let text = String::from_utf8_lossy(data);
    d.add(u64::from(matrix_x509::pem::is_pem(data)));
    match matrix_x509::pem::parse_all(&text) {
        Ok(blocks) => {
            d.add(blocks.len() as u64);
            for b in &blocks {
                d.add(b.der.len() as u64);
                d.add(u64::from(b.header("DEK-Info").is_some()));
            }
        }
        Err(e) => d.add_err(e),
    }
    match matrix_x509::pem::parse_label(&text, "CERTIFICATE") {
        Ok(blocks) => d.add(blocks.len() as u64),
        Err(e) => d.add_err(e),
    }
    match matrix_x509::pem::base64_decode(&text) {
        Ok(bytes) => {
            // Four base64 characters make three bytes: never more out than in.
            assert!(bytes.len() <= text.len());
            d.add(bytes.len() as u64);
        }
        Err(e) => d.add_err(e),
    }
    d.0
}
