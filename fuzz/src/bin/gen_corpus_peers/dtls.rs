//! DTLS seeds recorded from peers: `openssl s_client -dtls1_2`/`-dtls1` and
//! `gnutls-cli --udp` against the server harness of `dtls_server_session`, `openssl
//! s_server -dtls1_2`/`-dtls1` and `gnutls-serv --udp` against the client harness of
//! `dtls_client_session`, over UDP on 127.0.0.1. Our side is a fresh harness session
//! (`matrix_fuzz::harness_session`, mode 0 or DTLS 1.0 only: no cookie exchange of the
//! harness's own, the peer does it) driven exactly as the harness drives it
//! (`matrix_fuzz::harness_step`: each datagram in, everything out, one timeout), so the
//! datagrams the peer sent, written as a harness input (`matrix_fuzz::harness_input`),
//! take a fresh harness session through the same handshake: each is replayed before it
//! is written, and `tests/replay.rs` replays them all.

use std::io::Write;
use std::net::UdpSocket;
use std::path::Path as FsPath;
use std::process::Child;
use std::time::{Duration, Instant};

use matrix_dtls::DtlsSession;
use matrix_fuzz::{
    DtlsReplay, harness_input, harness_session, harness_step, replay_dtls_client,
    replay_dtls_server,
};
use matrix_ssl::ProtocolVersion;

/// The mode byte of a DTLS 1.0 recording (both ends DTLS 1.0 only).
const DTLS10_ONLY: u8 = 2;

/// One DTLS recording.
pub struct DtlsCase {
    pub peer: &'static str,
    /// Our side is the server (the peer a client).
    pub server: bool,
    pub dtls10: bool,
    /// The program and its arguments; `{port}` is replaced by the port.
    pub argv: Vec<String>,
    /// What the peer client is given on stdin.
    pub stdin: Option<&'static [u8]>,
}

impl DtlsCase {
    /// The fuzz target the recording seeds.
    pub fn target(&self) -> &'static str {
        if self.server {
            "dtls_server_session"
        } else {
            "dtls_client_session"
        }
    }

    fn mode(&self) -> u8 {
        if self.dtls10 { DTLS10_ONLY } else { 0 }
    }
}

/// What a recording gave: the seed's name and bytes.
pub struct DtlsRecorded {
    pub name: String,
    pub seed: Vec<u8>,
    pub datagrams: usize,
}

/// Sends every datagram of `out` to the peer.
fn send_all(sock: &UdpSocket, out: &[Vec<u8>]) -> Result<(), String> {
    for dg in out {
        sock.send(dg).map_err(|e| format!("send: {e}"))?;
    }
    Ok(())
}

/// Runs our harness session against the peer over `sock` (connected to the peer once
/// known) and returns every datagram the peer sent. Our server echoes application data
/// and then closes the peer's stdin; our client sends a line once its handshake
/// completes and close_notify once an answer came or the peer went quiet.
fn converse(
    s: &mut DtlsSession,
    sock: &UdpSocket,
    server: bool,
    child: &mut Child,
) -> Result<Vec<Vec<u8>>, String> {
    let mut stdin = child.stdin.take();
    let start = Instant::now();
    let mut peer = Vec::new();
    let mut buf = vec![0u8; 65_535];
    let mut connected = !server;
    let mut sent_line = false;
    let mut done_at: Option<Instant> = None;
    if !server {
        // The client harness sends its ClientHello before any input; s_server needs a
        // moment to bind its port.
        let hello = harness_step(s, None);
        let until = Instant::now() + Duration::from_secs(5);
        loop {
            // Until the peer listens, the port answers with ICMP errors.
            for dg in &hello {
                match sock.send(dg) {
                    Err(e) if e.kind() != std::io::ErrorKind::ConnectionRefused => {
                        return Err(format!("send: {e}"));
                    }
                    _ => {}
                }
            }
            sock.set_read_timeout(Some(Duration::from_millis(200)))
                .map_err(|e| e.to_string())?;
            match sock.recv(&mut buf) {
                Ok(n) => {
                    peer.push(buf[..n].to_vec());
                    let out = harness_step(s, Some(&buf[..n]));
                    send_all(sock, &out)?;
                    break;
                }
                Err(_) if Instant::now() < until => {
                    if let Ok(Some(st)) = child.try_wait() {
                        return Err(format!("the peer exited: {st}"));
                    }
                }
                Err(e) => return Err(format!("no answer to our ClientHello: {e}")),
            }
        }
    }
    sock.set_read_timeout(Some(Duration::from_millis(50)))
        .map_err(|e| e.to_string())?;
    loop {
        if s.is_handshake_complete() && done_at.is_none() {
            done_at = Some(Instant::now());
        }
        if !server && s.is_handshake_complete() && !sent_line {
            sent_line = true;
            s.encode_to_outdata(b"hello from matrix\n")
                .map_err(|e| format!("encode: {e:?}"))?;
            let out = harness_step(s, None);
            send_all(sock, &out)?;
        }
        if done_at.is_some_and(|t| t.elapsed() > Duration::from_millis(700)) {
            break;
        }
        if start.elapsed() > Duration::from_secs(15) {
            return Err(format!(
                "no end after 15 s ({} datagrams from the peer, handshake complete: {})",
                peer.len(),
                s.is_handshake_complete()
            ));
        }
        let (n, from) = match sock.recv_from(&mut buf) {
            Ok(x) => x,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock
                        | std::io::ErrorKind::TimedOut
                        | std::io::ErrorKind::ConnectionRefused
                ) =>
            {
                continue;
            }
            Err(e) => return Err(format!("recv: {e}")),
        };
        if !connected {
            sock.connect(from).map_err(|e| format!("connect: {e}"))?;
            connected = true;
        }
        let dg = buf[..n].to_vec();
        // What the harness does with the datagram.
        let out = harness_step(s, Some(&dg));
        send_all(sock, &out)?;
        peer.push(dg);
        if server && s.is_handshake_complete() && !sent_line {
            // The peer client sends its line right after the handshake: answer with one,
            // then close its input, which makes it shut down.
            s.encode_to_outdata(b"echo from matrix\n")
                .map_err(|e| format!("echo: {e:?}"))?;
            let out = harness_step(s, None);
            send_all(sock, &out)?;
            sent_line = true;
            stdin = None;
        }
    }
    drop(stdin);
    Ok(peer)
}

/// Records one case: the peer's datagrams as a harness input, replayed before it is
/// returned.
pub fn record(case: &DtlsCase) -> Result<DtlsRecorded, String> {
    let mut s = harness_session(case.server, case.mode()).ok_or("no harness session")?;
    let sock = UdpSocket::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    let port = if case.server {
        sock.local_addr().map_err(|e| e.to_string())?.port()
    } else {
        let free = UdpSocket::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
        let p = free.local_addr().map_err(|e| e.to_string())?.port();
        drop(free);
        sock.connect(("127.0.0.1", p))
            .map_err(|e| format!("connect: {e}"))?;
        p
    };
    let mut child = super::spawn_argv(&case.argv, port)?;
    if let (Some(line), Some(w)) = (case.stdin, child.stdin.as_mut()) {
        w.write_all(line).map_err(|e| format!("stdin: {e}"))?;
    }
    let result = converse(&mut s, &sock, case.server, &mut child);
    let _ = child.kill();
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut stderr);
    }
    let _ = child.wait();
    let peer = result.map_err(|e| super::with_stderr(&e, &stderr))?;
    if !s.is_handshake_complete() {
        return Err(format!(
            "handshake incomplete after {} peer datagrams",
            peer.len()
        ));
    }
    let version = match s.protocol_version() {
        ProtocolVersion::DTLSv1_2 => "dtls12",
        ProtocolVersion::DTLSv1_0 => "dtls10",
        _ => "?",
    };
    let suite = s.cipher_suite().map(|c| c.get()).unwrap_or_default();
    let name = format!("peer-{}-{version}-{}", case.peer, super::suite_name(suite));
    let seed = harness_input(case.mode(), &peer);
    let want = Some(DtlsReplay {
        complete: true,
        version: s.protocol_version(),
    });
    let replay = if case.server {
        replay_dtls_server(&seed)
    } else {
        replay_dtls_client(&seed)
    };
    if replay != want {
        return Err(format!("recorded, but the replay gives {replay:?}"));
    }
    Ok(DtlsRecorded {
        name,
        seed,
        datagrams: peer.len(),
    })
}

/// The DTLS recordings.
pub fn cases(keys: &FsPath) -> Vec<DtlsCase> {
    let key = |rel: &str| keys.join(rel).display().to_string();
    let line: Option<&'static [u8]> = Some(b"hello from the peer\n");
    let s = |v: &[&str]| v.iter().map(|a| (*a).to_string()).collect::<Vec<_>>();
    let s_client = |version: &str, cipher: &str| {
        s(&[
            "openssl",
            "s_client",
            version,
            "-connect",
            "127.0.0.1:{port}",
            "-cipher",
            cipher,
        ])
    };
    let s_server = |version: &str| {
        let mut v = s(&[
            "openssl",
            "s_server",
            version,
            "-accept",
            "127.0.0.1:{port}",
            "-naccept",
            "1",
            "-cipher",
            "ALL:@SECLEVEL=0",
        ]);
        v.extend([
            "-cert".into(),
            key("rsa2048/server.pem"),
            "-cert_chain".into(),
            key("rsa2048/intermediate.pem"),
            "-key".into(),
            key("rsa2048/server.key"),
        ]);
        v
    };
    let gnutls_serv = |priority: &str| {
        let mut v = s(&[
            "gnutls-serv",
            "--udp",
            "-p",
            "{port}",
            "--echo",
            "--priority",
            priority,
        ]);
        v.extend([
            "--x509certfile".into(),
            key("rsa2048/server-chain.pem"),
            "--x509keyfile".into(),
            key("rsa2048/server.key"),
        ]);
        v
    };
    let case = |peer, server, dtls10, argv, stdin| DtlsCase {
        peer,
        server,
        dtls10,
        argv,
        stdin,
    };
    vec![
        // Peer clients against our server (the cookie exchange included).
        case(
            "openssl",
            true,
            false,
            s_client("-dtls1_2", "AES128-GCM-SHA256"),
            line,
        ),
        case(
            "openssl",
            true,
            true,
            s_client("-dtls1", "AES128-SHA:@SECLEVEL=0"),
            line,
        ),
        case(
            "gnutls",
            true,
            false,
            s(&[
                "gnutls-cli",
                "127.0.0.1",
                "--udp",
                "-p",
                "{port}",
                "--insecure",
                "--priority",
                "NORMAL:-VERS-ALL:+VERS-DTLS1.2:-KX-ALL:+RSA",
            ]),
            line,
        ),
        // Peer servers against our client (their HelloVerifyRequest included).
        case("openssl", false, false, s_server("-dtls1_2"), None),
        case("openssl", false, true, s_server("-dtls1"), None),
        case(
            "gnutls",
            false,
            false,
            gnutls_serv("NORMAL:-VERS-ALL:+VERS-DTLS1.2:-KX-ALL:+RSA"),
            None,
        ),
    ]
}
