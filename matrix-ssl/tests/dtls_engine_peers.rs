//! The DTLS handshake engine against OpenSSL and GnuTLS over UDP on 127.0.0.1: our client
//! engine against `openssl s_server -dtls1` and `gnutls-serv --udp`, and `openssl s_client
//! -dtls1` and `gnutls-cli --udp` against our server engine behind a HelloVerifyRequest of
//! the test's own. A minimal lossless driver written
//! here frames the records (RFC 4347 section 4.1) and reassembles fragments in order (the
//! loopback neither loses nor reorders; OpenSSL's retransmissions are ignored by
//! message_seq): this checks the engine's messages, transcript and keys against an
//! independent implementation, and application data both ways. matrix-dtls's
//! `DtlsSession` is the real driver. A missing `openssl` or `gnutls-serv` is a failure, never a skip; every
//! child is killed at the end; every wait is bounded.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::UdpSocket;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use matrix_ssl::codec::handshake::{ClientHello, HelloVerifyRequest};
use matrix_ssl::codec::{Codec, ContentType, HandshakeType};
use matrix_ssl::engine::{self, EngineOutput, HandshakeEngine, SecureRandom};
use matrix_ssl::record::{RecordDecrypter, RecordEncrypter};
use matrix_ssl::{Config, Context, Keys, ProtocolVersion, SessionId};

const DTLS: ProtocolVersion = ProtocolVersion::DTLSv1_0;

fn testkeys(rel: &str) -> String {
    format!("{}/../testkeys/{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(testkeys(rel)).unwrap()
}

/// Kills the child when dropped, so a failing assertion leaves no process behind.
struct Reaper(Child);

impl Drop for Reaper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The child's stdout lines, read on a thread.
fn lines(child: &mut Child) -> Receiver<String> {
    let out = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits (bounded) for a line containing `needle`.
fn wait_line(rx: &Receiver<String>, needle: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match rx.recv_timeout(left) {
            Ok(l) if l.contains(needle) => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    false
}

/// A partly received handshake message.
struct Partial {
    msg_type: HandshakeType,
    body: Vec<u8>,
    have: Vec<bool>,
}

/// One end of a DTLS connection over a UDP socket, driving an engine.
struct Driver {
    sock: UdpSocket,
    eng: HandshakeEngine,
    rng: Box<dyn SecureRandom + Send>,
    enc: Option<Box<dyn RecordEncrypter>>,
    dec: Option<Box<dyn RecordDecrypter>>,
    write_epoch: u16,
    write_seq: u64,
    read_epoch: u16,
    next_recv_seq: u16,
    partial: BTreeMap<u16, Partial>,
    app_data: Vec<u8>,
    /// Server role: answer the first ClientHello with this HelloVerifyRequest cookie.
    cookie: Option<Vec<u8>>,
    hvr_sent: bool,
    /// Client role: HelloVerifyRequests the peer sent.
    hvr_received: usize,
    /// The datagrams sent before anything was received: resent until the peer answers
    /// (a server that was not listening yet loses them).
    first_flight: Vec<Vec<u8>>,
}

impl Driver {
    fn new(sock: UdpSocket, eng: HandshakeEngine, rng: Box<dyn SecureRandom + Send>) -> Self {
        sock.set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        Driver {
            sock,
            eng,
            rng,
            enc: None,
            dec: None,
            write_epoch: 0,
            write_seq: 0,
            read_epoch: 0,
            next_recv_seq: 0,
            partial: BTreeMap::new(),
            app_data: Vec::new(),
            cookie: None,
            hvr_sent: false,
            hvr_received: 0,
            first_flight: Vec::new(),
        }
    }

    /// Sends one record in its own datagram.
    fn send_record(&mut self, ct: ContentType, data: &[u8]) {
        let seq = (u64::from(self.write_epoch) << 48) | self.write_seq;
        self.write_seq += 1;
        let fragment = match self.enc.as_mut() {
            Some(enc) => {
                let mut out = Vec::new();
                enc.encrypt(seq, ct, DTLS, data, &mut *self.rng, &mut out)
                    .unwrap();
                out
            }
            None => data.to_vec(),
        };
        let mut rec = vec![ct.get(), 0xfe, 0xff];
        rec.extend_from_slice(&seq.to_be_bytes()[..2]);
        rec.extend_from_slice(&seq.to_be_bytes()[2..]);
        rec.extend_from_slice(&u16::try_from(fragment.len()).unwrap().to_be_bytes());
        rec.extend_from_slice(&fragment);
        if self.next_recv_seq == 0 && self.write_epoch == 0 {
            self.first_flight.push(rec.clone());
        }
        let _ = self.sock.send(&rec);
    }

    fn send_message(&mut self, msg_type: HandshakeType, seq: u16, body: &[u8]) {
        let len = u32::try_from(body.len()).unwrap().to_be_bytes();
        let mut m = vec![msg_type.get()];
        m.extend_from_slice(&len[1..]);
        m.extend_from_slice(&seq.to_be_bytes());
        m.extend_from_slice(&[0, 0, 0]);
        m.extend_from_slice(&len[1..]);
        m.extend_from_slice(body);
        self.send_record(ContentType::Handshake, &m);
    }

    fn send_outputs(&mut self, out: Vec<EngineOutput>) {
        for o in out {
            match o {
                EngineOutput::Message {
                    msg_type,
                    message_seq,
                    body,
                } => self.send_message(msg_type, message_seq, &body),
                EngineOutput::ChangeCipherSpec(enc) => {
                    self.send_record(ContentType::ChangeCipherSpec, &[1]);
                    self.enc = Some(enc);
                    self.write_epoch += 1;
                    self.write_seq = 0;
                }
                EngineOutput::WarningAlert(a) => {
                    self.send_record(ContentType::Alert, &[1, a.get()]);
                }
                _ => panic!("unknown output"),
            }
        }
    }

    /// Receives datagrams until `done` holds or the deadline passes.
    fn pump(&mut self, done: impl Fn(&Driver) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(15);
        let mut buf = vec![0u8; 65536];
        while !done(self) {
            assert!(Instant::now() < deadline, "timed out");
            let n = match self.sock.recv(&mut buf) {
                Ok(n) => n,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock
                            | std::io::ErrorKind::TimedOut
                            | std::io::ErrorKind::ConnectionRefused
                    ) =>
                {
                    if self.next_recv_seq == 0 {
                        for dgram in &self.first_flight {
                            let _ = self.sock.send(dgram);
                        }
                    }
                    continue;
                }
                Err(e) => panic!("recv: {e}"),
            };
            let mut d = &buf[..n];
            while d.len() >= 13 {
                let ct = ContentType::from(d[0]);
                let epoch = u16::from_be_bytes([d[3], d[4]]);
                let mut s = [0u8; 8];
                s[2..].copy_from_slice(&d[5..11]);
                let seq = (u64::from(epoch) << 48) | u64::from_be_bytes(s);
                let len = usize::from(u16::from_be_bytes([d[11], d[12]]));
                let mut frag = d[13..13 + len].to_vec();
                d = &d[13 + len..];
                if epoch != self.read_epoch {
                    // A retransmission of an older epoch: already handled.
                    continue;
                }
                let plain = match self.dec.as_mut() {
                    Some(dec) => {
                        let r = dec.decrypt(seq, ct, DTLS, &mut frag).expect("record opens");
                        frag[r].to_vec()
                    }
                    None => frag,
                };
                self.record(ct, &plain);
            }
        }
    }

    fn record(&mut self, ct: ContentType, data: &[u8]) {
        match ct {
            ContentType::ChangeCipherSpec => {
                self.dec = Some(self.eng.handle_ccs().expect("ChangeCipherSpec accepted"));
                self.read_epoch += 1;
            }
            ContentType::Alert => panic!("alert from the peer: {data:?}"),
            ContentType::ApplicationData => self.app_data.extend_from_slice(data),
            ContentType::Handshake => {
                let mut d = data;
                while d.len() >= 12 {
                    let msg_type = HandshakeType::from(d[0]);
                    let len = u32::from_be_bytes([0, d[1], d[2], d[3]]) as usize;
                    let seq = u16::from_be_bytes([d[4], d[5]]);
                    let off = u32::from_be_bytes([0, d[6], d[7], d[8]]) as usize;
                    let flen = u32::from_be_bytes([0, d[9], d[10], d[11]]) as usize;
                    let frag = &d[12..12 + flen];
                    d = &d[12 + flen..];
                    if seq < self.next_recv_seq {
                        continue;
                    }
                    let p = self.partial.entry(seq).or_insert_with(|| Partial {
                        msg_type,
                        body: vec![0; len],
                        have: vec![false; len],
                    });
                    p.body[off..off + flen].copy_from_slice(frag);
                    p.have[off..off + flen].iter_mut().for_each(|h| *h = true);
                }
                self.deliver_ready();
            }
            other => panic!("unexpected record type {other:?}"),
        }
    }

    fn deliver_ready(&mut self) {
        while let Some(p) = self.partial.get(&self.next_recv_seq) {
            if !p.have.iter().all(|h| *h) {
                return;
            }
            let p = self.partial.remove(&self.next_recv_seq).unwrap();
            let seq = self.next_recv_seq;
            self.next_recv_seq += 1;
            if let Some(cookie) = self.cookie.clone()
                && p.msg_type == HandshakeType::ClientHello
            {
                let ch = ClientHello::read_bytes(&p.body).unwrap();
                if !self.hvr_sent {
                    self.hvr_sent = true;
                    let hvr = HelloVerifyRequest {
                        server_version: DTLS,
                        cookie,
                    };
                    self.send_message(HandshakeType::HelloVerifyRequest, seq, &hvr.get_encoding());
                    continue;
                }
                assert_eq!(ch.cookie.as_deref(), Some(&cookie[..]), "cookie echoed");
                self.eng.set_next_message_seq(seq);
            }
            if p.msg_type == HandshakeType::HelloVerifyRequest {
                self.hvr_received += 1;
            }
            let mut out = Vec::new();
            self.eng
                .handle_message(p.msg_type, seq, &p.body, &mut *self.rng, &mut out)
                .unwrap_or_else(|e| panic!("{:?} refused: {e:?}", p.msg_type));
            self.send_outputs(out);
        }
    }
}

fn server_keys() -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_rsa_keys_mem(
        Some(&read("rsa2048/server-chain.pem")),
        Some(&read("rsa2048/server.key")),
        None,
    )
    .unwrap();
    Arc::new(k)
}

fn client_keys() -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_rsa_keys_mem(None, None, Some(&read("rsa2048/ca.der")))
        .unwrap();
    Arc::new(k)
}

fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One client connection: handshake, data both ways (through s_server's stdin and stdout,
/// or echoed without them); returns the session and how many HelloVerifyRequests came.
fn client_connection(
    ctx: &Context,
    keys: Arc<Keys>,
    port: u16,
    suite: u16,
    resume: Option<&SessionId>,
    stdin: Option<&mut ChildStdin>,
    stdout: Option<&Receiver<String>>,
) -> (SessionId, usize) {
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.connect(("127.0.0.1", port)).unwrap();
    let mut rng = engine::session_rng(ctx).unwrap();
    let mut out = Vec::new();
    let eng =
        HandshakeEngine::new_client(ctx, keys, resume, suite, None, None, &mut *rng, &mut out)
            .unwrap();
    let mut d = Driver::new(sock, eng, rng);
    d.send_outputs(out);
    d.pump(|d| d.eng.is_complete());
    assert_eq!(d.eng.protocol_version(), DTLS);
    assert_eq!(d.eng.is_resumed(), resume.is_some(), "resumption");
    // Both peers speak RFC 7627 and RFC 7366 over DTLS: the ServerHello echoes both.
    let exts: Vec<u16> = d.eng.peer_hello_extensions().iter().map(|e| e.0).collect();
    assert!(exts.contains(&23), "extended_master_secret: {exts:?}");
    assert!(exts.contains(&22), "encrypt_then_mac: {exts:?}");
    d.send_record(ContentType::ApplicationData, b"ping from matrix\n");
    match (stdin, stdout) {
        (Some(stdin), Some(stdout)) => {
            assert!(
                wait_line(stdout, "ping from matrix"),
                "s_server got our data"
            );
            stdin.write_all(b"pong from openssl\n").unwrap();
            stdin.flush().unwrap();
            d.pump(|d| d.app_data.ends_with(b"pong from openssl\n"));
        }
        // An echo server.
        _ => d.pump(|d| d.app_data.ends_with(b"ping from matrix\n")),
    }
    // close_notify, so that s_server keeps the session for resumption.
    d.send_record(ContentType::Alert, &[1, 0]);
    let sid = d.eng.session_id().expect("s_server gave a session id");
    (sid, d.hvr_received)
}

/// Our client engine against `openssl s_server -dtls1` with `args`: a full handshake
/// (after s_server's HelloVerifyRequest) nominating `suite`, then a resumed one.
fn against_s_server(name: &str, suite: u16, args: &[&str], keys: Arc<Keys>) {
    let port = free_udp_port();
    let mut child = Command::new("openssl")
        .args([
            "s_server",
            "-dtls1",
            "-accept",
            &format!("127.0.0.1:{port}"),
        ])
        .args(["-cipher", &format!("{name}:@SECLEVEL=0"), "-quiet"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("openssl must be installed for this test");
    let mut stdin = child.stdin.take().unwrap();
    let stdout = lines(&mut child);
    let _reaper = Reaper(child);
    // s_server binds asynchronously: the driver resends its first flight until answered.
    let ctx = matrix_ssl::open(Config::dtls()).unwrap();
    let (sid, hvrs) = client_connection(
        &ctx,
        keys.clone(),
        port,
        suite,
        None,
        Some(&mut stdin),
        Some(&stdout),
    );
    assert_eq!(sid.cipher_suite().get(), suite);
    assert_eq!(hvrs, 1, "s_server -dtls1 exchanges cookies");
    let _ = client_connection(
        &ctx,
        keys,
        port,
        0,
        Some(&sid),
        Some(&mut stdin),
        Some(&stdout),
    );
}

fn rsa_args() -> Vec<String> {
    vec![
        "-key".into(),
        testkeys("rsa2048/server.key"),
        "-cert".into(),
        testkeys("rsa2048/server.pem"),
        "-cert_chain".into(),
        testkeys("rsa2048/intermediate.pem"),
    ]
}

#[test]
fn our_client_engine_against_openssl_s_server_dtls1() {
    let args = rsa_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    against_s_server("AES128-SHA", 0x002f, &args, client_keys());
    against_s_server("AES256-SHA", 0x0035, &args, client_keys());
}

#[cfg(feature = "tls-dhe-rsa-with-aes-128-cbc-sha")]
#[test]
fn our_client_engine_against_openssl_s_server_dtls1_dhe() {
    let mut args = rsa_args();
    args.extend(["-dhparam".into(), testkeys("dh/dh2048.pem")]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    against_s_server("DHE-RSA-AES128-SHA", 0x0033, &args, client_keys());
}

/// s_server's `-psk` accepts the identity "Client_identity".
#[cfg(feature = "tls-psk-with-aes-128-cbc-sha")]
#[test]
fn our_client_engine_against_openssl_s_server_dtls1_psk() {
    let mut keys = Keys::new();
    keys.load_psk(b"Client_identity", &[0x3c; 16]).unwrap();
    let key = "3c".repeat(16);
    against_s_server(
        "PSK-AES128-CBC-SHA",
        0x008c,
        &["-nocert", "-psk", &key],
        Arc::new(keys),
    );
}

#[test]
fn openssl_s_client_dtls1_against_our_server_engine() {
    for cipher in ["AES128-SHA", "AES256-SHA"] {
        let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = sock.local_addr().unwrap().port();
        let mut child = Command::new("openssl")
            .args([
                "s_client",
                "-dtls1",
                "-connect",
                &format!("127.0.0.1:{port}"),
            ])
            .args(["-cipher", &format!("{cipher}:@SECLEVEL=0"), "-quiet"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl must be installed for this test");
        let mut stdin = child.stdin.take().unwrap();
        let stdout = lines(&mut child);
        let _reaper = Reaper(child);
        // The first datagram tells us the client's address.
        sock.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut buf = [0u8; 2048];
        let (_, from) = sock.peek_from(&mut buf).expect("s_client sends a hello");
        sock.connect(from).unwrap();
        let ctx = matrix_ssl::open(Config::dtls()).unwrap();
        let eng = HandshakeEngine::new_server(&ctx, server_keys(), None).unwrap();
        let mut d = Driver::new(sock, eng, engine::session_rng(&ctx).unwrap());
        d.cookie = Some(b"matrix-test-cookie".to_vec());
        d.pump(|d| d.eng.is_complete());
        assert!(d.hvr_sent);
        assert_eq!(d.eng.protocol_version(), DTLS);
        stdin.write_all(b"ping from openssl\n").unwrap();
        stdin.flush().unwrap();
        d.pump(|d| d.app_data.ends_with(b"ping from openssl\n"));
        d.send_record(ContentType::ApplicationData, b"pong from matrix\n");
        assert!(
            wait_line(&stdout, "pong from matrix"),
            "s_client got our data"
        );
    }
}

/// The GnuTLS priority of DTLS 1.0 with the CBC suites over SHA-1.
const GNUTLS_DTLS1: &str = "NORMAL:-VERS-ALL:+VERS-DTLS1.0:-CIPHER-ALL:+AES-128-CBC:+AES-256-CBC:-MAC-ALL:+SHA1:-KX-ALL:+RSA:+DHE-RSA:+PSK";

#[test]
fn our_client_engine_against_gnutls_serv_udp() {
    for suite in [0x002fu16, 0x0035] {
        let port = free_udp_port();
        let child = Command::new("gnutls-serv")
            .args(["--udp", "--echo", "--noticket", "-p", &port.to_string()])
            .args(["--x509certfile", &testkeys("rsa2048/server-chain.pem")])
            .args(["--x509keyfile", &testkeys("rsa2048/server.key")])
            .args(["--priority", GNUTLS_DTLS1])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnutls-serv must be installed for this test");
        let _reaper = Reaper(child);
        let ctx = matrix_ssl::open(Config::dtls()).unwrap();
        let (sid, _) = client_connection(&ctx, client_keys(), port, suite, None, None, None);
        assert_eq!(sid.cipher_suite().get(), suite);
        let _ = client_connection(&ctx, client_keys(), port, 0, Some(&sid), None, None);
    }
}

#[test]
fn gnutls_cli_udp_against_our_server_engine() {
    for cipher in ["+AES-128-CBC", "+AES-256-CBC"] {
        let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = sock.local_addr().unwrap().port();
        let priority = format!(
            "NORMAL:-VERS-ALL:+VERS-DTLS1.0:-CIPHER-ALL:{cipher}:-MAC-ALL:+SHA1:-KX-ALL:+RSA"
        );
        let mut child = Command::new("gnutls-cli")
            .args(["127.0.0.1", "-p", &port.to_string(), "--udp"])
            .args(["--x509cafile", &testkeys("rsa2048/ca.pem")])
            .args(["--verify-hostname", "localhost", "--insecure"])
            .args(["--priority", &priority])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("gnutls-cli must be installed for this test");
        let mut stdin = child.stdin.take().unwrap();
        let stdout = lines(&mut child);
        let _reaper = Reaper(child);
        sock.set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut buf = [0u8; 2048];
        let (_, from) = sock.peek_from(&mut buf).expect("gnutls-cli sends a hello");
        sock.connect(from).unwrap();
        let ctx = matrix_ssl::open(Config::dtls()).unwrap();
        let eng = HandshakeEngine::new_server(&ctx, server_keys(), None).unwrap();
        let mut d = Driver::new(sock, eng, engine::session_rng(&ctx).unwrap());
        d.cookie = Some(b"another-cookie".to_vec());
        d.pump(|d| d.eng.is_complete());
        assert!(d.hvr_sent);
        assert!(
            wait_line(&stdout, "Handshake was completed"),
            "gnutls-cli completed"
        );
        stdin.write_all(b"ping from gnutls\n").unwrap();
        stdin.flush().unwrap();
        d.pump(|d| d.app_data.ends_with(b"ping from gnutls\n"));
        d.send_record(ContentType::ApplicationData, b"pong from matrix\n");
        assert!(
            wait_line(&stdout, "pong from matrix"),
            "gnutls-cli got our data"
        );
    }
}
