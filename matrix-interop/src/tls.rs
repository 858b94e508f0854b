//! matrix's side of an interop test: a client that connects, sends a line and reads the
//! reply, and a server that accepts connections and echoes one line each, both through the
//! public API (`Context`, `Keys`, `Session` via the blocking `Stream`), reporting what was
//! negotiated so the test can compare it with what the peer printed.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};
use std::thread::JoinHandle;
use std::time::Duration;

use matrix_ssl::{
    CertValidator, CipherSuite, Config, Context, Keys, ProtocolVersion, SessionId, Stream,
};

use crate::{connect, testkeys};

/// What one connection negotiated and carried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// The negotiated protocol version.
    pub version: ProtocolVersion,
    /// The negotiated suite.
    pub suite: Option<CipherSuite>,
    /// Whether the handshake resumed a cached session.
    pub resumed: bool,
    /// The application bytes received.
    pub received: Vec<u8>,
    /// How many certificates the peer presented (0: none, or not asked).
    pub peer_certificates: usize,
    /// Whether the session uses RFC 7627's extended master secret (read from the resumable
    /// session: false when the handshake left no session id).
    pub extended_master_secret: bool,
}

/// Makes the certificate callback of each server session (client authentication).
pub type ValidatorFactory = Arc<dyn Fn() -> Option<CertValidator> + Send + Sync>;

/// A context limited to `min..=max`, with only the RSA key-exchange suites enabled (the
/// suites of `interop_tls.rs`, whose peers would otherwise be offered, and pick, DHE).
pub fn context(min: ProtocolVersion, max: ProtocolVersion) -> Context {
    context_with(min, max, |_| {})
}

/// [`context`] with the rest of its configuration set by `f`.
pub fn context_with(
    min: ProtocolVersion,
    max: ProtocolVersion,
    f: impl FnOnce(&mut Config),
) -> Context {
    let mut c = Config::default();
    c.min_version = min;
    c.max_version = max;
    // The reports count the peer's certificates.
    c.keep_peer_certificates = true;
    f(&mut c);
    let ctx = matrix_ssl::open(c).unwrap_or_else(|e| panic!("open: {e}"));
    for s in matrix_ssl::suites::SUITES {
        if s.kx != matrix_ssl::suites::KeyExchange::Rsa {
            ctx.set_cipher_suite_enabled_status(s.suite.get(), false)
                .unwrap_or_else(|e| panic!("disable {}: {e}", s.name));
        }
    }
    ctx
}

/// A context limited to `min..=max` with every compiled suite enabled (DHE, PSK, DH_anon).
pub fn context_all_suites(min: ProtocolVersion, max: ProtocolVersion) -> Context {
    let mut c = Config::default();
    c.min_version = min;
    c.max_version = max;
    c.keep_peer_certificates = true;
    matrix_ssl::open(c).unwrap_or_else(|e| panic!("open: {e}"))
}

/// The rsa2048 server identity: leaf + intermediate and key.
pub fn server_keys() -> Arc<Keys> {
    let mut k = Keys::new();
    let chain = format!(
        "{};{}",
        testkeys("rsa2048/server.pem"),
        testkeys("rsa2048/intermediate.pem")
    );
    k.load_rsa_keys(
        Some(&chain),
        Some(&testkeys("rsa2048/server.key")),
        None,
        None,
    )
    .unwrap_or_else(|e| panic!("server keys: {e}"));
    Arc::new(k)
}

/// A client trusting the rsa2048 root.
pub fn client_keys() -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_rsa_keys(None, None, None, Some(&testkeys("rsa2048/ca.pem")))
        .unwrap_or_else(|e| panic!("client keys: {e}"));
    Arc::new(k)
}

/// Our client: connects to 127.0.0.1:`port` offering `suite` (0 = all), optionally resuming
/// `session`, sends `request`, reads until the peer closes or `until` appears, and closes
/// with close_notify. Returns what was negotiated and the session to resume later.
pub fn run_client(
    ctx: &Context,
    port: u16,
    suite: u16,
    session: Option<&SessionId>,
    request: &[u8],
    until: Option<&[u8]>,
) -> Result<(Outcome, Option<SessionId>), String> {
    run_client_with_keys(ctx, client_keys(), port, suite, session, request, until)
}

/// [`run_client`] with the client's own `keys` (PSKs, say).
pub fn run_client_with_keys(
    ctx: &Context,
    keys: Arc<Keys>,
    port: u16,
    suite: u16,
    session: Option<&SessionId>,
    request: &[u8],
    until: Option<&[u8]>,
) -> Result<(Outcome, Option<SessionId>), String> {
    let tcp = connect(port, Duration::from_secs(10));
    let sess = ctx
        .new_client_session(keys, session, suite, None, None)
        .map_err(|e| format!("new_client_session: {e}"))?;
    let mut st = Stream::new(sess, tcp);
    st.handshake().map_err(|e| format!("handshake: {e}"))?;
    st.write_all(request).map_err(|e| format!("write: {e}"))?;
    st.flush().map_err(|e| format!("flush: {e}"))?;
    let mut received = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if until.is_some_and(|u| received.windows(u.len()).any(|w| w == u)) {
            break;
        }
        match st.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => received.extend_from_slice(&buf[..n]),
            Err(e) if received.is_empty() => return Err(format!("read: {e}")),
            Err(_) => break,
        }
    }
    let s = st.session();
    let outcome = Outcome {
        version: s.protocol_version(),
        suite: s.cipher_suite(),
        resumed: s.is_resumed(),
        received,
        peer_certificates: s.peer_certificates().map_or(0, |c| c.len()),
        extended_master_secret: s.session_id().is_some_and(|id| id.extended_master_secret()),
    };
    let id = s.session_id();
    let _ = st.shutdown();
    Ok((outcome, id))
}

/// Our server: accepts `count` connections on an ephemeral port, one at a time; each
/// handshakes, reads one line, answers `ECHO:` + the line and closes with close_notify.
pub struct EchoServer {
    /// The port it listens on.
    pub port: u16,
    results: Receiver<Result<Outcome, String>>,
    _thread: JoinHandle<()>,
}

impl EchoServer {
    /// Starts the server with its own context.
    pub fn start(ctx: Context, count: usize) -> EchoServer {
        EchoServer::start_with_keys(ctx, server_keys(), count)
    }

    /// Starts the server with its own context and `keys` (DH parameters, PSKs).
    pub fn start_with_keys(ctx: Context, keys: Arc<Keys>, count: usize) -> EchoServer {
        EchoServer::start_with_validator(ctx, keys, Arc::new(|| None), count)
    }

    /// Starts the server with `keys` and a certificate callback from `validator` for each
    /// session (which requests client authentication).
    pub fn start_with_validator(
        ctx: Context,
        keys: Arc<Keys>,
        validator: ValidatorFactory,
        count: usize,
    ) -> EchoServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
        let (tx, rx) = channel();
        let thread = std::thread::spawn(move || {
            for _ in 0..count {
                let Ok((tcp, _)) = listener.accept() else {
                    return;
                };
                let r = serve_one(&ctx, &keys, validator(), tcp);
                if tx.send(r).is_err() {
                    return;
                }
            }
        });
        EchoServer {
            port,
            results: rx,
            _thread: thread,
        }
    }

    /// The outcome of the next connection, waiting up to 30 s.
    pub fn next(&self) -> Result<Outcome, String> {
        self.results
            .recv_timeout(Duration::from_secs(30))
            .map_err(|e| format!("our server reported nothing: {e}"))?
    }
}

fn serve_one(
    ctx: &Context,
    keys: &Arc<Keys>,
    validator: Option<CertValidator>,
    tcp: TcpStream,
) -> Result<Outcome, String> {
    let _ = tcp.set_read_timeout(Some(Duration::from_secs(15)));
    let _ = tcp.set_write_timeout(Some(Duration::from_secs(15)));
    let sess = ctx
        .new_server_session(Arc::clone(keys), validator)
        .map_err(|e| format!("new_server_session: {e}"))?;
    let mut st = Stream::new(sess, tcp);
    st.handshake().map_err(|e| format!("handshake: {e}"))?;
    let mut line = Vec::new();
    let mut b = [0u8; 1];
    while !line.ends_with(b"\n") {
        match st.read(&mut b) {
            Ok(1) => line.push(b[0]),
            _ => break,
        }
    }
    let mut reply = b"ECHO:".to_vec();
    reply.extend_from_slice(&line);
    st.write_all(&reply).map_err(|e| format!("write: {e}"))?;
    let _ = st.flush();
    let _ = st.shutdown();
    let s = st.session();
    Ok(Outcome {
        version: s.protocol_version(),
        suite: s.cipher_suite(),
        resumed: s.is_resumed(),
        received: line,
        peer_certificates: s.peer_certificates().map_or(0, |c| c.len()),
        extended_master_secret: s.session_id().is_some_and(|id| id.extended_master_secret()),
    })
}
