//! `matrix-demo`: a server and a client of this build talking over 127.0.0.1.
//!
//! Two server threads accept connections on ephemeral ports with the rsa2048 test identity
//! and a pre-shared key compiled into the binary (`testkeys/`, public test material); the
//! second one asks every client for a certificate and verifies it against the test CA.
//! The client runs once per compiled-in protocol version and suite (RSA, DHE_RSA, DH_anon,
//! PSK, DHE_PSK), first a full handshake and then a resumption of that session, sends a
//! request and checks the 16 KiB answer byte for byte. Then, per version, a full
//! handshake with client authentication, a client-initiated (resumed) re-handshake and a
//! server-initiated (full) one, each followed by a checked request. Each row says what
//! was negotiated, how long the handshake (or re-handshake) took and how many bytes
//! crossed the wire.
//!
//! [`crate::demo_tls12`] adds TLS 1.2 rows against OpenSSL's `s_server` and `s_client` for
//! every GCM and SHA-256/384 suite. With the `dtls` feature, [`crate::demo_dtls`] adds DTLS
//! 1.0 and DTLS 1.2 rows (full and resumed, every suite each DTLS version allows) over UDP.
//!
//! Re-handshake rows run in every version: in SSL 3.0 too, RFC 5746 is signalled (the
//! client's SCSV answered by the server's renegotiation_info, as section 4.5 allows).

use std::fmt::Write as _;
use std::io::{IsTerminal, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use std::sync::atomic::{AtomicUsize, Ordering};

use matrix_ssl::suites::{KeyExchange, SUITES, SuiteInfo};
use matrix_ssl::{
    CertValidator, Config, Keys, ProtocolVersion, SessionId, SessionOption, Stream, Verdict,
};

pub(crate) const SERVER_CERT: &[u8] = include_bytes!("../../testkeys/rsa2048/server.pem");
pub(crate) const INTERMEDIATE: &[u8] = include_bytes!("../../testkeys/rsa2048/intermediate.pem");
pub(crate) const SERVER_KEY: &[u8] = include_bytes!("../../testkeys/rsa2048/server.key");
pub(crate) const ROOT_CA: &[u8] = include_bytes!("../../testkeys/rsa2048/ca.pem");
const CLIENT_CHAIN: &[u8] = include_bytes!("../../testkeys/rsa2048/client-chain.pem");
const CLIENT_KEY: &[u8] = include_bytes!("../../testkeys/rsa2048/client.key");
const EC_CHAIN: &[u8] = include_bytes!("../../testkeys/ec-p256/server-chain.pem");
const EC_KEY: &[u8] = include_bytes!("../../testkeys/ec-p256/server.key");
const EC_ROOT_CA: &[u8] = include_bytes!("../../testkeys/ec-p256/ca.pem");

/// The demo's pre-shared key and identity (public test material, like the keys).
pub(crate) const PSK_ID: &[u8] = b"matrix-demo";
pub(crate) const PSK: [u8; 32] = *b"matrix-demo pre-shared key 32 B.";

/// The requests of the demo's little protocol (fixed length, so that reads stay simple):
/// an answer, or a server-initiated re-handshake followed by an answer.
const GET: &[u8; 6] = b"GET /\n";
const RENEG: &[u8; 6] = b"RENEG\n";

/// The size of the answer the server sends to each request.
pub const ANSWER_LEN: usize = 16 * 1024;

/// How one row ended.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The handshake completed and the data arrived intact.
    Pass,
    /// Something failed: the message says what.
    Fail(String),
}

/// One line of the report.
#[derive(Clone, Debug)]
pub struct Row {
    /// The protocol version asked for.
    pub version: String,
    /// The suite's IANA name.
    pub suite: String,
    /// "full", "resumed", "client auth", "re-hs client", "re-hs server".
    pub kind: &'static str,
    /// What happened.
    pub outcome: Outcome,
    /// The handshake's duration.
    pub handshake: Option<Duration>,
    /// Bytes on the wire for the whole connection (both directions).
    pub wire_bytes: usize,
}

/// A transport that counts the bytes it carries.
pub(crate) struct Counting {
    pub(crate) tcp: TcpStream,
    pub(crate) bytes: usize,
}

impl Read for Counting {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.tcp.read(buf)?;
        self.bytes += n;
        Ok(n)
    }
}

impl Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.tcp.write(buf)?;
        self.bytes += n;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.tcp.flush()
    }
}

fn pem_chain() -> Vec<u8> {
    let mut chain = SERVER_CERT.to_vec();
    chain.extend_from_slice(INTERMEDIATE);
    chain
}

pub(crate) fn server_keys() -> Result<Arc<Keys>, String> {
    let mut k = Keys::new();
    // The test CA verifies client certificates on the client-auth server.
    k.load_rsa_keys_mem(Some(&pem_chain()), Some(SERVER_KEY), Some(ROOT_CA))
        .map_err(|e| format!("loading the built-in server keys: {e}"))?;
    k.load_psk(PSK_ID, &PSK)
        .map_err(|e| format!("loading the built-in PSK: {e}"))?;
    add_ec_identity(&mut k, true)?;
    Ok(Arc::new(k))
}

/// The ECDHE rows (issue 19): in a build with an ECDHE suite, the server also holds the
/// ec-p256 test identity (its ECDHE_ECDSA suites sign with it; every other certificate
/// suite keeps the RSA one) and the client trusts the ec-p256 root. The rows themselves
/// come from the suite table like every other suite's.
fn add_ec_identity(k: &mut Keys, server: bool) -> Result<(), String> {
    if !SUITES.iter().any(|s| s.kx.is_ecdhe()) {
        return Ok(());
    }
    let (chain, key) = if server {
        (Some(EC_CHAIN), Some(EC_KEY))
    } else {
        (None, None)
    };
    k.load_ec_keys_mem(chain, key, None, Some(EC_ROOT_CA))
        .map_err(|e| format!("loading the built-in EC keys: {e}"))
}

/// The client's keys: the trusted test CA and the PSK, and with `cert` the client
/// certificate and key.
pub(crate) fn client_keys(cert: bool) -> Result<Arc<Keys>, String> {
    let mut k = Keys::new();
    let (chain, key) = if cert {
        (Some(CLIENT_CHAIN), Some(CLIENT_KEY))
    } else {
        (None, None)
    };
    k.load_rsa_keys_mem(chain, key, Some(ROOT_CA))
        .map_err(|e| format!("loading the built-in client keys: {e}"))?;
    k.load_psk(PSK_ID, &PSK)
        .map_err(|e| format!("loading the built-in PSK: {e}"))?;
    add_ec_identity(&mut k, false)?;
    Ok(Arc::new(k))
}

/// The library's verdict on the peer's chain, counting the calls (a full re-handshake
/// shows the chain again).
fn counting_validator(calls: &Arc<AtomicUsize>) -> CertValidator {
    let calls = Arc::clone(calls);
    Box::new(move |_, _, alert| {
        calls.fetch_add(1, Ordering::SeqCst);
        match alert {
            None => Verdict::Continue,
            Some(a) => Verdict::Alert(a),
        }
    })
}

/// The deterministic answer: byte i is `i * 31 + 7` (mod 256).
pub(crate) fn answer() -> Vec<u8> {
    (0..ANSWER_LEN).map(|i| (i * 31 + 7) as u8).collect()
}

/// Serves one connection: requests until the client closes.
fn serve(
    ctx: &matrix_ssl::Context,
    keys: &Arc<Keys>,
    tcp: TcpStream,
    client_auth: bool,
    answer: &[u8],
) -> std::io::Result<()> {
    tcp.set_read_timeout(Some(Duration::from_secs(10)))?;
    // Small flights (a HelloRequest, a Finished) go out at once: the handshake times are
    // the protocol's, not Nagle's.
    tcp.set_nodelay(true)?;
    let validator = client_auth.then(|| counting_validator(&Arc::default()));
    let sess = ctx
        .new_server_session(Arc::clone(keys), validator)
        .map_err(std::io::Error::other)?;
    let mut st = Stream::new(sess, tcp);
    st.handshake()?;
    if client_auth && st.session().peer_certificates().is_none() {
        // No answer: the client's row fails.
        return st.shutdown();
    }
    let mut req = [0u8; 6];
    // The client's close_notify ends the loop.
    while st.read_exact(&mut req).is_ok() {
        if &req == RENEG {
            // The HelloRequest goes out before the answer, so the client meets it first.
            st.session_mut()
                .encode_rehandshake(None, None, Some(SessionOption::FullHandshake), 0)
                .map_err(std::io::Error::other)?;
            st.flush()?;
        } else if &req != GET {
            break;
        }
        st.write_all(answer)?;
    }
    st.shutdown()
}

/// Starts a server thread (`client_auth`: it asks for and verifies client certificates);
/// returns its port.
fn start_server(client_auth: bool) -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("local address: {e}"))?
        .port();
    let keys = server_keys()?;
    std::thread::spawn(move || {
        let mut config = Config::default();
        // The demo checks the client's chain after the handshake.
        config.keep_peer_certificates = true;
        let Ok(ctx) = matrix_ssl::open(config) else {
            return;
        };
        let answer = answer();
        for tcp in listener.incoming().map_while(Result::ok) {
            let _ = serve(&ctx, &keys, tcp, client_auth, &answer);
        }
    });
    Ok(port)
}

/// What one connection does after its handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// A full handshake, or the resumption of `resume` when given.
    Plain,
    /// A full handshake with a client certificate.
    ClientAuth,
    /// After a first request, the client starts a (resumed) re-handshake.
    RehsClient,
    /// After a first request, the server starts a (full) re-handshake.
    RehsServer,
}

/// Sends a GET and checks the answer.
fn request<S: Read + Write>(st: &mut Stream<S>, req: &[u8; 6]) -> Result<(), String> {
    st.write_all(req).map_err(|e| format!("write: {e}"))?;
    let mut got = vec![0u8; ANSWER_LEN];
    st.read_exact(&mut got).map_err(|e| format!("read: {e}"))?;
    if got != answer() {
        return Err("the answer arrived corrupted".into());
    }
    Ok(())
}

/// One client connection of `kind` (resuming `resume` if given): handshake, request,
/// answer check; the duration is that of the handshake the row is about.
fn connect_once(
    port: u16,
    version: ProtocolVersion,
    suite: &SuiteInfo,
    kind: Kind,
    resume: Option<&SessionId>,
) -> (Outcome, Option<Duration>, usize, Option<SessionId>) {
    let mut config = Config::default();
    config.keep_peer_certificates = true;
    config.min_version = version;
    config.max_version = version;
    let run = || -> Result<(Duration, usize, Option<SessionId>), String> {
        let keys = client_keys(kind == Kind::ClientAuth)?;
        let ctx = matrix_ssl::open(config).map_err(|e| format!("open: {e}"))?;
        let tcp = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
        let _ = tcp.set_read_timeout(Some(Duration::from_secs(10)));
        let _ = tcp.set_nodelay(true);
        let calls = Arc::new(AtomicUsize::new(0));
        let sess = ctx
            .new_client_session(
                keys,
                resume,
                suite.suite.get(),
                Some(counting_validator(&calls)),
                None,
            )
            .map_err(|e| format!("new_client_session: {e}"))?;
        let mut st = Stream::new(sess, Counting { tcp, bytes: 0 });
        let start = Instant::now();
        st.handshake().map_err(|e| format!("handshake: {e}"))?;
        let mut took = start.elapsed();
        let s = st.session();
        if s.protocol_version() != version || s.cipher_suite() != Some(suite.suite) {
            return Err(format!(
                "negotiated {:?} {:?}",
                s.protocol_version(),
                s.cipher_suite()
            ));
        }
        if resume.is_some() && !s.is_resumed() {
            return Err("the server did not resume the session".into());
        }
        let id = s.session_id();
        request(&mut st, GET)?;
        match kind {
            Kind::Plain | Kind::ClientAuth => {}
            Kind::RehsClient => {
                let start = Instant::now();
                st.session_mut()
                    .encode_rehandshake(None, None, None, 0)
                    .map_err(|e| format!("encode_rehandshake: {e}"))?;
                st.flush().map_err(|e| format!("write: {e}"))?;
                // The write waits for the re-handshake to complete.
                st.write_all(GET).map_err(|e| format!("write: {e}"))?;
                took = start.elapsed();
                if !st.session().is_resumed() {
                    return Err("the re-handshake did not resume the session".into());
                }
                let mut got = vec![0u8; ANSWER_LEN];
                st.read_exact(&mut got).map_err(|e| format!("read: {e}"))?;
                if got != answer() {
                    return Err("the answer arrived corrupted".into());
                }
            }
            Kind::RehsServer => {
                // Timed from the request to the end of the re-handshake, the answer's
                // 16 KiB included (the server sends it while the re-handshake runs).
                let start = Instant::now();
                // The answer comes after the HelloRequest: reading it answers that, and
                // the next write waits for the re-handshake to complete.
                request(&mut st, RENEG)?;
                st.handshake().map_err(|e| format!("re-handshake: {e}"))?;
                took = start.elapsed();
                request(&mut st, GET)?;
                if calls.load(Ordering::SeqCst) < 2 || st.session().is_resumed() {
                    return Err("the server's re-handshake did not run in full".into());
                }
            }
        }
        let _ = st.shutdown();
        let (_, io) = st.into_inner();
        Ok((took, io.bytes, id))
    };
    match run() {
        Ok((took, bytes, id)) => (Outcome::Pass, Some(took), bytes, id),
        Err(e) => (Outcome::Fail(e), None, 0, None),
    }
}

fn version_name(v: ProtocolVersion) -> String {
    match v {
        ProtocolVersion::SSLv3 => "SSL 3.0".into(),
        ProtocolVersion::TLSv1_0 => "TLS 1.0".into(),
        ProtocolVersion::TLSv1_1 => "TLS 1.1".into(),
        ProtocolVersion::TLSv1_2 => "TLS 1.2".into(),
        other => format!("{other:?}"),
    }
}

/// Runs every row; `progress` is told (done, total) as rows finish.
pub fn run(mut progress: impl FnMut(usize, usize)) -> Result<Vec<Row>, String> {
    let port = start_server(false)?;
    let auth_port = start_server(true)?;
    let versions = matrix_ssl::open(Config::default())
        .map_err(|e| format!("open: {e}"))?
        .versions()
        .to_vec();
    let plan: Vec<(ProtocolVersion, &SuiteInfo)> = versions
        .iter()
        .flat_map(|&v| {
            SUITES
                .iter()
                .filter(move |s| s.allowed_in(v))
                .map(move |s| (v, s))
        })
        .collect();
    // Per version, client authentication and the two re-handshakes run with the first
    // RSA suite (the certificate key exchange every build has).
    let extras: Vec<(ProtocolVersion, &SuiteInfo, Kind)> = versions
        .iter()
        .filter_map(|&v| {
            SUITES
                .iter()
                .find(|s| s.kx == KeyExchange::Rsa && s.allowed_in(v))
                .map(|s| (v, s))
        })
        .flat_map(|(v, s)| {
            std::iter::once(Kind::ClientAuth)
                .chain([Kind::RehsClient, Kind::RehsServer])
                .map(move |k| (v, s, k))
        })
        .collect();
    let total =
        plan.len() * 2 + extras.len() + crate::demo_tls12::count() + crate::demo_dtls::count();
    let mut rows = Vec::new();
    let row = |v, s: &SuiteInfo, kind, (outcome, handshake, wire_bytes): (Outcome, _, _)| Row {
        version: version_name(v),
        suite: s.name.to_string(),
        kind,
        outcome,
        handshake,
        wire_bytes,
    };
    for (v, s) in plan {
        let (outcome, took, bytes, id) = connect_once(port, v, s, Kind::Plain, None);
        rows.push(row(v, s, "full", (outcome, took, bytes)));
        progress(rows.len(), total);
        let resumed = match id {
            Some(id) => {
                let (o, t, b, _) = connect_once(port, v, s, Kind::Plain, Some(&id));
                (o, t, b)
            }
            None => (
                Outcome::Fail("the full handshake left no session to resume".into()),
                None,
                0,
            ),
        };
        rows.push(row(v, s, "resumed", resumed));
        progress(rows.len(), total);
    }
    for (v, s, kind) in extras {
        let (p, name) = match kind {
            Kind::ClientAuth => (auth_port, "client auth"),
            Kind::RehsClient => (port, "re-hs client"),
            _ => (port, "re-hs server"),
        };
        let (o, t, b, _) = connect_once(p, v, s, kind, None);
        rows.push(row(v, s, name, (o, t, b)));
        progress(rows.len(), total);
    }
    let openssl = crate::demo_tls12::run(rows.len(), total, &mut progress);
    rows.extend(openssl);
    let dtls = crate::demo_dtls::run(rows.len(), total, &mut progress)?;
    rows.extend(dtls);
    Ok(rows)
}

/// The report as a text table.
pub fn table(rows: &[Row]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<8} {:<34} {:<12} {:<8} {:>10} {:>8}  note",
        "version", "suite", "handshake", "result", "time (ms)", "bytes"
    );
    for r in rows {
        let (result, note) = match &r.outcome {
            Outcome::Pass => ("pass", String::new()),
            Outcome::Fail(m) => ("FAIL", m.clone()),
        };
        let time = r
            .handshake
            .map(|d| format!("{:.2}", d.as_secs_f64() * 1000.0))
            .unwrap_or_else(|| "-".into());
        let bytes = if r.wire_bytes > 0 {
            r.wire_bytes.to_string()
        } else {
            "-".into()
        };
        let _ = writeln!(
            out,
            "{:<8} {:<34} {:<12} {:<8} {:>10} {:>8}  {}",
            r.version, r.suite, r.kind, result, time, bytes, note
        );
    }
    let passed = rows.iter().filter(|r| r.outcome == Outcome::Pass).count();
    let failed = rows.len() - passed;
    let _ = writeln!(out, "{passed} passed, {failed} failed");
    out
}

/// A one-line progress bar on standard error, when it is a terminal.
pub fn progress_bar() -> impl FnMut(usize, usize) {
    let tty = std::io::stderr().is_terminal();
    move |done, total| {
        if tty {
            let width = 30;
            let filled = done * width / total.max(1);
            eprint!(
                "\r[{}{}] {done}/{total}",
                "#".repeat(filled),
                ".".repeat(width - filled)
            );
            if done == total {
                eprintln!();
            }
        }
    }
}
