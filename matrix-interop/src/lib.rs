//! matrix-interop: the harness that runs independent TLS peers against matrix.
//!
//! The peers (see `PEERS.md` of the developers' shared notes, and `peers/` here) are
//! separate processes talking over 127.0.0.1: OpenSSL's `s_server`/`s_client`, GnuTLS's
//! `gnutls-serv`/`gnutls-cli`, and tlslite-ng and nassl driven by the scripts in `peers/`
//! from the virtual environment `cargo xtask peers` builds. A [`Peer`] is one such process:
//! its output is collected line by line, it is killed when dropped, and every wait is
//! bounded, so a peer that hangs fails the test instead of hanging it.
//!
//! A peer that is missing is a test failure with a message naming it, never a skip: CI must
//! not pass because nothing ran.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

/// The repository root.
pub fn repo_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| here.to_path_buf())
}

/// A file of the test PKI, e.g. `testkeys("rsa2048/server.pem")`.
pub fn testkeys(rel: &str) -> String {
    repo_root()
        .join("testkeys")
        .join(rel)
        .to_string_lossy()
        .into_owned()
}

/// A peer script of `peers/`, e.g. `peer_script("tl_peer.py")`.
pub fn peer_script(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("peers")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// The python of the peers' virtual environment: `$MATRIX_PEERS_PYTHON`, or
/// `target/peers-venv/bin/python` as `cargo xtask peers` makes it. Panics, naming the fix,
/// when neither exists.
pub fn peers_python() -> String {
    if let Ok(p) = std::env::var("MATRIX_PEERS_PYTHON") {
        return p;
    }
    let p = repo_root().join("target/peers-venv/bin/python");
    assert!(
        p.exists(),
        "peer missing: {} does not exist; run `cargo xtask peers` to install tlslite-ng, nassl and sslyze",
        p.display()
    );
    p.to_string_lossy().into_owned()
}

/// A free TCP port on 127.0.0.1 (the OS picks it; a tiny race with other processes remains).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("no free port on 127.0.0.1: {e}"))
}

/// One running peer process.
pub struct Peer {
    name: String,
    child: Child,
    lines: Receiver<String>,
    seen: Vec<String>,
    stdin: Option<ChildStdin>,
}

impl Peer {
    /// Starts `program args`, collecting stdout and stderr line by line. A program that
    /// cannot be started panics with its name (a missing peer is a failure).
    pub fn spawn(program: &str, args: &[&str]) -> Peer {
        let mut child = Command::new(program)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("peer missing: cannot start `{program}`: {e}"));
        let (tx, rx) = channel();
        for stream in [
            child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
            child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        let stdin = child.stdin.take();
        Peer {
            name: format!("{program} {}", args.join(" ")),
            child,
            lines: rx,
            seen: Vec::new(),
            stdin,
        }
    }

    /// Waits up to `timeout` for an output line containing `needle` and returns it.
    pub fn wait_for(&mut self, needle: &str, timeout: Duration) -> Result<String, String> {
        if let Some(l) = self.seen.iter().find(|l| l.contains(needle)) {
            return Ok(l.clone());
        }
        let end = Instant::now() + timeout;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return Ok(line);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    return Err(format!(
                        "`{}`: no line with {needle:?} within {timeout:?}; output so far:\n{}",
                        self.name,
                        self.seen.join("\n")
                    ));
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(format!(
                        "`{}` ended without a line with {needle:?}; output:\n{}",
                        self.name,
                        self.seen.join("\n")
                    ));
                }
            }
        }
    }

    /// Waits up to `timeout` for a peer server's `LISTENING port=N` line and returns N: for
    /// `tl_peer.py server --port 0`, which binds a port the OS picks and names it. Unlike a
    /// port from [`free_port`], no other process can take it between the choice and the
    /// server's bind (the peer starts slowly: python imports tlslite-ng first).
    pub fn listening_port(&mut self, timeout: Duration) -> Result<u16, String> {
        let line = self.wait_for("LISTENING port=", timeout)?;
        line.rsplit("port=")
            .next()
            .and_then(|p| p.trim().parse().ok())
            .ok_or_else(|| format!("`{}`: no port in {line:?}", self.name))
    }

    /// Every output line so far (draining what has arrived).
    pub fn output(&mut self) -> Vec<String> {
        while let Ok(l) = self.lines.try_recv() {
            self.seen.push(l);
        }
        self.seen.clone()
    }

    /// Waits up to `timeout` for the process to exit successfully and returns its whole
    /// output. Use it instead of [`Peer::output`] when the lines wanted are printed after
    /// the event the test last waited for (a client reports an echo after our server has
    /// finished with the connection): `output()` returns only what the reader threads
    /// have passed on so far, which on a loaded machine may be nothing.
    pub fn output_at_exit(&mut self, timeout: Duration) -> Result<String, String> {
        let ok = self.wait_exit(timeout)?;
        let output = self.seen.join("\n");
        if ok {
            Ok(output)
        } else {
            Err(format!("`{}` failed; output:\n{output}", self.name))
        }
    }

    /// Writes `text` to the peer's standard input.
    pub fn send_stdin(&mut self, text: &str) {
        if let Some(s) = self.stdin.as_mut() {
            let _ = s.write_all(text.as_bytes());
            let _ = s.flush();
        }
    }

    /// Waits up to `timeout` for the process to exit and returns whether it succeeded.
    pub fn wait_exit(&mut self, timeout: Duration) -> Result<bool, String> {
        let end = Instant::now() + timeout;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    // The reader threads may still hold the last lines: collect until they
                    // end (both pipes closed), so `output()` sees everything.
                    let until = Instant::now() + Duration::from_secs(5);
                    while let Ok(line) = self
                        .lines
                        .recv_timeout(until.saturating_duration_since(Instant::now()))
                    {
                        self.seen.push(line);
                    }
                    return Ok(status.success());
                }
                Ok(None) if Instant::now() < end => std::thread::sleep(Duration::from_millis(20)),
                Ok(None) => {
                    let output = self.output().join("\n");
                    return Err(format!(
                        "`{}` still running after {timeout:?}; output:\n{output}",
                        self.name
                    ));
                }
                Err(e) => return Err(format!("`{}`: {e}", self.name)),
            }
        }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Connects to 127.0.0.1:`port`, retrying for up to `timeout` while the peer starts.
pub fn connect(port: u16, timeout: Duration) -> std::net::TcpStream {
    let end = Instant::now() + timeout;
    loop {
        match std::net::TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => {
                let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
                let _ = s.set_write_timeout(Some(Duration::from_secs(10)));
                return s;
            }
            Err(e) if Instant::now() >= end => panic!("cannot connect to 127.0.0.1:{port}: {e}"),
            Err(_) => std::thread::sleep(Duration::from_millis(25)),
        }
    }
}

/// Every ECDHE suite matrix has (RFC 8422, RFC 5289), with OpenSSL's name and whether the
/// server needs its EC (ECDSA) identity rather than the RSA one: the same twelve in TLS 1.2
/// and DTLS 1.2, so the ECC interop tests of both share this table.
pub const ECDHE_SUITES: [(u16, &str, bool); 12] = [
    (0xc02b, "ECDHE-ECDSA-AES128-GCM-SHA256", true),
    (0xc02c, "ECDHE-ECDSA-AES256-GCM-SHA384", true),
    (0xc02f, "ECDHE-RSA-AES128-GCM-SHA256", false),
    (0xc030, "ECDHE-RSA-AES256-GCM-SHA384", false),
    (0xc023, "ECDHE-ECDSA-AES128-SHA256", true),
    (0xc027, "ECDHE-RSA-AES128-SHA256", false),
    (0xc024, "ECDHE-ECDSA-AES256-SHA384", true),
    (0xc028, "ECDHE-RSA-AES256-SHA384", false),
    (0xc009, "ECDHE-ECDSA-AES128-SHA", true),
    (0xc00a, "ECDHE-ECDSA-AES256-SHA", true),
    (0xc013, "ECDHE-RSA-AES128-SHA", false),
    (0xc014, "ECDHE-RSA-AES256-SHA", false),
];

pub mod dtls;
pub mod gnutls;
pub mod tls;
