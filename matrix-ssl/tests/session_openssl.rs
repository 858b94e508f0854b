//! Smoke checks against OpenSSL over 127.0.0.1: our client through `Stream` against
//! `openssl s_server`, and `openssl s_client` against our server. A missing `openssl` is a
//! failure, never a skip. Every child is killed at the end; every wait is bounded.
// The shared in-memory pair (`support`) needs `std` and both roles.
#![cfg(all(
    feature = "std",
    feature = "client-side-ssl",
    feature = "server-side-ssl"
))]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use matrix_ssl::{ProtocolVersion, Stream};
use support::*;

/// Kills the child when dropped, so a failing assertion leaves no process behind.
struct Reaper(Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn connect_retry(port: u16) -> TcpStream {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => return s,
            Err(e) if Instant::now() < deadline => {
                let _ = e;
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => panic!("cannot connect to openssl s_server: {e}"),
        }
    }
}

#[test]
fn our_client_against_openssl_s_server() {
    // The last run asks for a client certificate (`-verify`): we answer with none.
    for (flag, version, extra) in [
        ("-tls1_1", ProtocolVersion::TLSv1_1, &[][..]),
        ("-tls1", ProtocolVersion::TLSv1_0, &[][..]),
        ("-tls1_1", ProtocolVersion::TLSv1_1, &["-verify", "1"][..]),
    ] {
        let port = free_port();
        let child = Command::new("openssl")
            .args(["s_server", "-accept", &format!("127.0.0.1:{port}"), flag])
            .args(["-cipher", "AES128-SHA:@SECLEVEL=0", "-www", "-quiet"])
            .args(["-key", &testkeys("rsa2048/server.key")])
            .args(["-cert", &testkeys("rsa2048/server.pem")])
            .args(["-cert_chain", &testkeys("rsa2048/intermediate.pem")])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl must be installed for this test");
        let _reaper = Reaper(child);
        let tcp = connect_retry(port);
        tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        tcp.set_write_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let ctx = ctx();
        let sess = ctx
            .new_client_session(client_keys(), None, 0x002f, None, None)
            .unwrap();
        let mut st = Stream::new(sess, tcp);
        st.handshake().expect("handshake with openssl s_server");
        assert_eq!(st.session().protocol_version(), version);
        st.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
        let mut page = Vec::new();
        let _ = st.read_to_end(&mut page);
        let text = String::from_utf8_lossy(&page);
        assert!(text.starts_with("HTTP/1.0 200 ok"), "{text}");
        assert!(text.contains("AES128-SHA"), "{text}");
        // Resume the session on a new connection, after closing this one properly.
        let sid = st
            .session()
            .session_id()
            .expect("s_server gave a session id");
        let _ = st.shutdown();
        drop(st);
        let tcp = connect_retry(port);
        tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let sess = ctx
            .new_client_session(client_keys(), Some(&sid), 0, None, None)
            .unwrap();
        let mut st = Stream::new(sess, tcp);
        st.handshake()
            .expect("resumed handshake with openssl s_server");
        assert!(st.session().is_resumed(), "{flag}: s_server did not resume");
        st.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
        let mut page = Vec::new();
        let _ = st.read_to_end(&mut page);
        assert!(String::from_utf8_lossy(&page).contains("Reused"));
    }
}

#[test]
fn openssl_s_client_resumes_with_our_server() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    let server = std::thread::spawn(move || {
        let ctx = ctx();
        let keys = server_keys();
        for _client in 0..2 {
            let mut resumed = 0;
            for _ in 0..6 {
                let Ok((tcp, _)) = listener.accept() else {
                    break;
                };
                tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                let sess = ctx.new_server_session(keys.clone(), None).unwrap();
                let mut st = Stream::new(sess, tcp);
                if st.handshake().is_ok() && st.session().is_resumed() {
                    resumed += 1;
                }
                let mut sink = Vec::new();
                let _ = st.read_to_end(&mut sink);
            }
            tx.send(resumed).unwrap();
        }
    });
    for (flag, cipher) in [
        ("-tls1_1", "AES256-SHA:@SECLEVEL=0"),
        ("-tls1", "AES128-SHA:@SECLEVEL=0"),
    ] {
        let child = Command::new("openssl")
            .args(["s_client", "-connect", &format!("127.0.0.1:{port}"), flag])
            .args(["-cipher", cipher, "-reconnect"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl must be installed for this test");
        let _reaper = Reaper(child);
        let resumed = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("our server did not finish in time");
        assert_eq!(resumed, 5, "s_client -reconnect resumes five times");
    }
    server.join().unwrap();
}

#[test]
fn openssl_s_client_against_our_server() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    let server = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let ctx = ctx();
        let sess = ctx.new_server_session(server_keys(), None).unwrap();
        let mut st = Stream::new(sess, tcp);
        let r = st.handshake();
        let version = st.session().protocol_version();
        let mut line = Vec::new();
        let mut b = [0u8; 1];
        while r.is_ok() && st.read(&mut b).unwrap_or(0) == 1 {
            line.push(b[0]);
            if b[0] == b'\n' {
                break;
            }
        }
        let _ = st.write_all(b"pong\n");
        let _ = st.shutdown();
        tx.send((r.map_err(|e| e.to_string()), version, line))
            .unwrap();
    });
    let mut child = Command::new("openssl")
        .args([
            "s_client",
            "-connect",
            &format!("127.0.0.1:{port}"),
            "-tls1",
        ])
        .args(["-cipher", "AES128-SHA:@SECLEVEL=0", "-quiet", "-ign_eof"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("openssl must be installed for this test");
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let reaper = Reaper(child);
    stdin.write_all(b"ping\n").unwrap();
    stdin.flush().unwrap();
    let (r, version, line) = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("our server did not finish in time");
    r.expect("our server's handshake with s_client");
    assert_eq!(version, ProtocolVersion::TLSv1_0);
    assert_eq!(line, b"ping\n");
    // Read s_client's output on a thread, so a silent s_client cannot hang the test.
    let (ltx, lrx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reply = String::new();
        let _ = BufReader::new(stdout).read_line(&mut reply);
        let _ = ltx.send(reply);
    });
    let reply = lrx
        .recv_timeout(Duration::from_secs(30))
        .expect("s_client printed nothing");
    assert_eq!(reply, "pong\n");
    drop(stdin);
    drop(reaper);
    server.join().unwrap();
}
