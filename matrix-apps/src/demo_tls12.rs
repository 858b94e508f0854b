//! The TLS 1.2 rows of `matrix-demo` against OpenSSL: for every compiled-in suite that only
//! TLS 1.2 has (AES-GCM, RFC 5288 and 5487; AES-CBC with SHA-256/384, RFC 5246 and 5487),
//! in both roles, with OpenSSL's default security settings (no `@SECLEVEL`, no legacy
//! options):
//!
//! - "vs s_server": matrix's client against `openssl s_server -WWW -cipher NAME`, which
//!   serves the demo's 16 KiB answer from a file; the client checks it byte for byte;
//! - "vs s_client": `openssl s_client -tls1_2 -cipher NAME -brief` against a matrix server
//!   (one connection, the demo's little protocol); s_client's report must name TLS 1.2 and
//!   the suite, and its output must be the answer.
//!
//! PSK suites use the demo's pre-shared key (`-psk`, `-psk_identity`). The rows need
//! `openssl` on the PATH: without it they fail, saying so (they are never skipped). The
//! key files OpenSSL reads are the demo's built-in test keys, written to a temporary
//! directory for the run.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use matrix_ssl::suites::{KeyExchange, SUITES, SuiteInfo};
use matrix_ssl::{Config, ProtocolVersion, Stream};

use crate::demo::{ANSWER_LEN, Counting, Outcome, Row};

const TLS12: ProtocolVersion = ProtocolVersion::TLSv1_2;
/// How long a peer may take for anything.
const WAIT: Duration = Duration::from_secs(15);

/// The suites only TLS 1.2 has, compiled in, with OpenSSL's names.
fn suites() -> Vec<(&'static SuiteInfo, &'static str)> {
    let tls12 = matrix_ssl::open(Config::default()).is_ok_and(|c| c.versions().contains(&TLS12));
    if !tls12 {
        return Vec::new();
    }
    SUITES
        .iter()
        .filter(|s| s.allowed_in(TLS12) && !s.allowed_in(ProtocolVersion::TLSv1_1))
        .filter_map(|s| Some((s, crate::names::openssl_name(s.suite.get())?)))
        .collect()
}

/// How many rows [`run`] makes.
pub fn count() -> usize {
    suites().len() * 2
}

/// The rows, numbered on from `done` of `total` for `progress`.
pub fn run(done: usize, total: usize, progress: &mut dyn FnMut(usize, usize)) -> Vec<Row> {
    let plan = suites();
    let mut rows = Vec::new();
    let files = match KeyFiles::write() {
        Ok(f) => Some(f),
        Err(e) => {
            for (s, _) in &plan {
                for kind in ["vs s_server", "vs s_client"] {
                    rows.push(row(s, kind, Err(e.clone())));
                }
            }
            None
        }
    };
    let Some(files) = files else {
        progress(done + rows.len(), total);
        return rows;
    };
    for (s, name) in plan {
        rows.push(row(s, "vs s_server", against_s_server(&files, s, name)));
        progress(done + rows.len(), total);
        rows.push(row(s, "vs s_client", against_s_client(&files, s, name)));
        progress(done + rows.len(), total);
    }
    rows
}

/// What a passing row measured: the handshake's duration and the bytes on the wire.
type Measured = Result<(Duration, usize), String>;

fn row(s: &SuiteInfo, kind: &'static str, r: Measured) -> Row {
    let (outcome, handshake, wire_bytes) = match r {
        Ok((d, b)) => (Outcome::Pass, Some(d), b),
        Err(e) => (Outcome::Fail(e), None, 0),
    };
    Row {
        version: "TLS 1.2".into(),
        suite: s.name.to_string(),
        kind,
        outcome,
        handshake,
        wire_bytes,
    }
}

/// The built-in keys as files for OpenSSL (and for the DTLS rows' server, which takes
/// the EC identity as `--ec-cert`/`--ec-key`), and the answer s_server serves; removed
/// when dropped.
pub(crate) struct KeyFiles {
    dir: PathBuf,
}

impl KeyFiles {
    pub(crate) fn write() -> Result<KeyFiles, String> {
        // One directory per call, not per process: the demo may run on several threads
        // of one process at once (its tests do), and each run removes its own files.
        static RUNS: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "matrix-demo-tls12-{}-{}",
            std::process::id(),
            RUNS.fetch_add(1, Ordering::Relaxed)
        ));
        let files: [(&str, &[u8]); 7] = [
            ("server.pem", crate::demo::SERVER_CERT),
            ("intermediate.pem", crate::demo::INTERMEDIATE),
            ("server.key", crate::demo::SERVER_KEY),
            ("ca.pem", crate::demo::ROOT_CA),
            // The P-256 identity s_server needs for the ECDHE_ECDSA suites (our client
            // trusts its root: `demo::add_ec_identity`).
            (
                "ec-server.pem",
                include_bytes!("../../testkeys/ec-p256/server.pem"),
            ),
            (
                "ec-intermediate.pem",
                include_bytes!("../../testkeys/ec-p256/intermediate.pem"),
            ),
            (
                "ec-server.key",
                include_bytes!("../../testkeys/ec-p256/server.key"),
            ),
        ];
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let kf = KeyFiles { dir };
        for (name, data) in files {
            std::fs::write(kf.path(name), data).map_err(|e| format!("{name}: {e}"))?;
        }
        std::fs::write(kf.path("answer"), crate::demo::answer())
            .map_err(|e| format!("answer: {e}"))?;
        Ok(kf)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub(crate) fn arg(&self, name: &str) -> String {
        self.path(name).to_string_lossy().into_owned()
    }
}

impl Drop for KeyFiles {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// An OpenSSL process, killed when dropped; its standard output and error arrive line by
/// line (or, for `raw`, the output's bytes) on channels.
struct OpenSsl {
    child: Child,
    out: Receiver<Vec<u8>>,
    err: Receiver<String>,
    err_seen: Vec<String>,
}

impl OpenSsl {
    fn spawn(args: &[&str], dir: &Path) -> Result<OpenSsl, String> {
        let mut child = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start openssl (the TLS 1.2 rows need it): {e}"))?;
        let (tx, out) = channel();
        if let Some(mut o) = child.stdout.take() {
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n) = o.read(&mut buf) {
                    if n == 0 || tx.send(buf[..n].to_vec()).is_err() {
                        break;
                    }
                }
            });
        }
        let (tx, err) = channel();
        if let Some(e) = child.stderr.take() {
            std::thread::spawn(move || {
                use std::io::BufRead;
                for line in std::io::BufReader::new(e).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        Ok(OpenSsl {
            child,
            out,
            err,
            err_seen: Vec::new(),
        })
    }

    /// Standard output until `until` says it is complete, or `WAIT` passes.
    fn read_out(&self, until: impl Fn(&[u8]) -> bool) -> Vec<u8> {
        let end = Instant::now() + WAIT;
        let mut got = Vec::new();
        while !until(&got) {
            let left = end.saturating_duration_since(Instant::now());
            match self.out.recv_timeout(left) {
                Ok(b) => got.extend_from_slice(&b),
                Err(_) => break,
            }
        }
        got
    }

    /// The standard error lines so far.
    fn err_lines(&mut self) -> Vec<String> {
        self.err_seen.extend(self.err.try_iter());
        self.err_seen.clone()
    }

    /// Standard error once a line contains `needle` (or `WAIT` passed), joined.
    fn err_until(&mut self, needle: &str) -> String {
        let end = Instant::now() + WAIT;
        while !self.err_seen.iter().any(|l| l.contains(needle)) {
            let left = end.saturating_duration_since(Instant::now());
            match self.err.recv_timeout(left) {
                Ok(l) => self.err_seen.push(l),
                Err(_) => break,
            }
        }
        self.err_lines().join("\n")
    }
}

impl Drop for OpenSsl {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn psk_args(s: &SuiteInfo) -> Vec<String> {
    if matches!(s.kx, KeyExchange::Psk | KeyExchange::DhePsk) {
        let hex: String = crate::demo::PSK
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let id = String::from_utf8_lossy(crate::demo::PSK_ID).into_owned();
        vec!["-psk".into(), hex, "-psk_identity".into(), id]
    } else {
        Vec::new()
    }
}

/// A free port on 127.0.0.1 for s_server.
fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// matrix's client against `openssl s_server -WWW`, fetching the answer file.
fn against_s_server(files: &KeyFiles, s: &SuiteInfo, name: &str) -> Measured {
    let port = free_port()?.to_string();
    // An ECDHE_ECDSA suite needs s_server to hold an EC certificate.
    let (cert, chain, key) = if s.kx == KeyExchange::EcdheEcdsa {
        (
            files.arg("ec-server.pem"),
            files.arg("ec-intermediate.pem"),
            files.arg("ec-server.key"),
        )
    } else {
        (
            files.arg("server.pem"),
            files.arg("intermediate.pem"),
            files.arg("server.key"),
        )
    };
    let mut args: Vec<String> = [
        "s_server",
        "-accept",
        &port,
        "-naccept",
        "1",
        "-cert",
        &cert,
        "-cert_chain",
        &chain,
        "-key",
        &key,
        "-WWW",
        "-cipher",
        name,
    ]
    .map(String::from)
    .to_vec();
    args.extend(psk_args(s));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut server = OpenSsl::spawn(&args, &files.dir)?;
    let ready = server.read_out(|o| o.windows(6).any(|w| w == b"ACCEPT"));
    if !ready.windows(6).any(|w| w == b"ACCEPT") {
        return Err(format!(
            "s_server did not start: {}",
            server.err_lines().join(" / ")
        ));
    }
    let mut config = Config::default();
    config.min_version = TLS12;
    config.max_version = TLS12;
    let ctx = matrix_ssl::open(config).map_err(|e| format!("open: {e}"))?;
    let tcp = TcpStream::connect(("127.0.0.1", port.parse::<u16>().unwrap_or(0)))
        .map_err(|e| format!("connect: {e}"))?;
    let _ = tcp.set_read_timeout(Some(WAIT));
    let _ = tcp.set_nodelay(true);
    let sess = ctx
        .new_client_session(
            crate::demo::client_keys(false)?,
            None,
            s.suite.get(),
            None,
            None,
        )
        .map_err(|e| format!("new_client_session: {e}"))?;
    let mut st = Stream::new(sess, Counting { tcp, bytes: 0 });
    let start = Instant::now();
    st.handshake().map_err(|e| {
        format!(
            "handshake: {e}; s_server: {}",
            server.err_lines().join(" / ")
        )
    })?;
    let took = start.elapsed();
    let (v, cs) = (st.session().protocol_version(), st.session().cipher_suite());
    if (v, cs) != (TLS12, Some(s.suite)) {
        return Err(format!("negotiated {v:?} {cs:?}"));
    }
    st.write_all(b"GET /answer HTTP/1.0\r\n\r\n")
        .map_err(|e| format!("write: {e}"))?;
    let mut page = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match st.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => page.extend_from_slice(&buf[..n]),
            // s_server -WWW may close without close_notify once it has sent the file.
            Err(_) if page.len() >= ANSWER_LEN => break,
            Err(e) => return Err(format!("read: {e}")),
        }
    }
    let body = page
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| &page[i + 4..]);
    if !page.starts_with(b"HTTP/1.0 200 ok") || body != Some(&crate::demo::answer()[..]) {
        return Err(format!(
            "s_server's answer: {:?}",
            String::from_utf8_lossy(&page[..page.len().min(80)])
        ));
    }
    let _ = st.shutdown();
    let (_, io) = st.into_inner();
    Ok((took, io.bytes))
}

/// What our one-connection server reports: handshake duration, negotiated version and
/// suite, bytes on the wire.
type Served = Result<(Duration, ProtocolVersion, Option<u16>, usize), String>;

/// A matrix server for one connection of the demo's protocol (a 6-byte request, the
/// 16 KiB answer).
fn serve_once() -> Result<(u16, Receiver<Served>), String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("local address: {e}"))?
        .port();
    let keys = crate::demo::server_keys()?;
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let r = (|| -> Served {
            let ctx = matrix_ssl::open(Config::default()).map_err(|e| format!("open: {e}"))?;
            let (tcp, _) = listener.accept().map_err(|e| format!("accept: {e}"))?;
            let _ = tcp.set_read_timeout(Some(WAIT));
            let _ = tcp.set_nodelay(true);
            let sess = ctx
                .new_server_session(Arc::clone(&keys), None)
                .map_err(|e| format!("new_server_session: {e}"))?;
            let mut st = Stream::new(sess, Counting { tcp, bytes: 0 });
            let start = Instant::now();
            st.handshake().map_err(|e| format!("handshake: {e}"))?;
            let took = start.elapsed();
            let mut req = [0u8; 6];
            st.read_exact(&mut req)
                .map_err(|e| format!("read the request: {e}"))?;
            st.write_all(&crate::demo::answer())
                .map_err(|e| format!("write: {e}"))?;
            st.flush().map_err(|e| format!("write: {e}"))?;
            let s = st.session();
            let got = (s.protocol_version(), s.cipher_suite().map(|c| c.get()));
            let _ = st.shutdown();
            let (_, io) = st.into_inner();
            Ok((took, got.0, got.1, io.bytes))
        })();
        let _ = tx.send(r);
    });
    Ok((port, rx))
}

/// `openssl s_client -brief` against a matrix server.
fn against_s_client(files: &KeyFiles, s: &SuiteInfo, name: &str) -> Measured {
    let (port, served) = serve_once()?;
    let connect = format!("127.0.0.1:{port}");
    let ca = files.arg("ca.pem");
    let mut args: Vec<String> = [
        "s_client", "-connect", &connect, "-CAfile", &ca, "-tls1_2", "-cipher", name, "-brief",
    ]
    .map(String::from)
    .to_vec();
    args.extend(psk_args(s));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut client = OpenSsl::spawn(&args, &files.dir)?;
    if let Some(stdin) = client.child.stdin.as_mut() {
        stdin
            .write_all(b"GET /\n")
            .map_err(|e| format!("s_client's input: {e}"))?;
    }
    let out = client.read_out(|o| o.len() >= ANSWER_LEN);
    let (took, version, suite, bytes) = served
        .recv_timeout(WAIT)
        .map_err(|_| "our server reported nothing".to_string())??;
    let report = client.err_until("Ciphersuite:");
    if out != crate::demo::answer() {
        return Err(format!(
            "s_client received {} bytes, not the answer; it said: {report}",
            out.len()
        ));
    }
    if (version, suite) != (TLS12, Some(s.suite.get())) {
        return Err(format!("negotiated {version:?} {suite:?}"));
    }
    if !report.contains("Protocol version: TLSv1.2")
        || !report.contains(&format!("Ciphersuite: {name}"))
    {
        return Err(format!("s_client reported: {report}"));
    }
    Ok((took, bytes))
}
