//! Live handshakes with OpenSSL's s_server and s_client over 127.0.0.1: every handshake
//! message `s_client -msg` prints (both directions) must decode with the context a state
//! machine would have and re-encode to the same bytes.
//!
//! The test needs the `openssl` command; without it the test fails, it never skips.

#[path = "codec_data/support.rs"]
mod support;

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use matrix_ssl::codec::handshake::{DtlsHandshakeHeader, HandshakePayload, KeyExchangeKind};
use matrix_ssl::codec::{CipherSuite, Codec, HandshakeType, ProtocolVersion, Reader};
use support::{hex, kex_of, reencode};

static DIRS: AtomicUsize = AtomicUsize::new(0);

/// A scratch directory with a throwaway RSA key and self-signed certificate.
fn scratch() -> PathBuf {
    let n = DIRS.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("matrix-codec-openssl-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let out = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
        ])
        .args(["-days", "2", "-keyout"])
        .arg(dir.join("key.pem"))
        .arg("-out")
        .arg(dir.join("cert.pem"))
        .output()
        .expect("the openssl command is required by this test");
    assert!(
        out.status.success(),
        "openssl req: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    dir
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_server(dir: &Path, port: u16, args: &[&str]) -> Server {
    let mut child = Command::new("openssl")
        .arg("s_server")
        .arg("-accept")
        .arg(format!("127.0.0.1:{port}"))
        .args(["-naccept", "1", "-cipher", "ALL:@SECLEVEL=0", "-key"])
        .arg(dir.join("key.pem"))
        .arg("-cert")
        .arg(dir.join("cert.pem"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the openssl command is required by this test");
    let stdout = child.stdout.take().expect("piped");
    let mut lines = BufReader::new(stdout).lines();
    loop {
        match lines.next() {
            Some(Ok(l)) if l.starts_with("ACCEPT") => break,
            Some(Ok(_)) => {}
            _ => panic!("s_server did not start"),
        }
    }
    // Keep draining so that s_server never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Server(child)
}

fn run_client(dir: &Path, port: u16, args: &[&str]) -> String {
    let log = dir.join(format!("client-{port}.log"));
    let mut child = Command::new("openssl")
        .arg("s_client")
        .arg("-connect")
        .arg(format!("127.0.0.1:{port}"))
        .arg("-msg")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::from(File::create(&log).unwrap()))
        .stderr(Stdio::null())
        .spawn()
        .expect("the openssl command is required by this test");
    let deadline = Instant::now() + Duration::from_secs(30);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("s_client hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    std::fs::read_to_string(&log).unwrap()
}

/// The handshake messages of a `-msg` dump: (sent by the client, bytes).
fn handshake_messages(dump: &str) -> Vec<(bool, Vec<u8>)> {
    let mut out: Vec<(bool, String)> = Vec::new();
    let mut collecting = false;
    for line in dump.lines() {
        if let Some(rest) = line
            .strip_prefix(">>> ")
            .or_else(|| line.strip_prefix("<<< "))
        {
            collecting = rest.contains(", Handshake [length");
            if collecting {
                out.push((line.starts_with(">>>"), String::new()));
            }
        } else if collecting && line.starts_with("    ") {
            if let Some(last) = out.last_mut() {
                last.1.extend(line.split_whitespace());
            }
        } else {
            collecting = false;
        }
    }
    out.into_iter().map(|(c, h)| (c, hex(&h))).collect()
}

/// Decodes and re-encodes every message; returns the message types seen in order.
fn check_dump(dump: &str, dtls: bool, kex_override: Option<KeyExchangeKind>) -> Vec<HandshakeType> {
    let msgs = handshake_messages(dump);
    assert!(msgs.len() >= 4, "too few handshake messages:\n{dump}");
    let mut version = if dtls {
        ProtocolVersion::DTLSv1_0
    } else {
        ProtocolVersion::TLSv1_0
    };
    let mut kex = None;
    let mut types = Vec::new();
    for (i, (_, msg)) in msgs.iter().enumerate() {
        let (t, body) = if dtls {
            let mut r = Reader::new(msg);
            let h = DtlsHandshakeHeader::read(&mut r).expect("DTLS header");
            assert!(
                h.fragment_offset == 0 && h.fragment_length == h.length,
                "fragmented"
            );
            (h.msg_type, r.rest())
        } else {
            let mut r = Reader::new(msg);
            let t = HandshakeType::read(&mut r).unwrap();
            let len = r.u24().unwrap() as usize;
            let body = r.rest();
            assert_eq!(body.len(), len);
            (t, body)
        };
        let (p, enc) = reencode(t, body, version, kex)
            .unwrap_or_else(|e| panic!("message {i} ({t:?}) failed: {e:?}\n{dump}"));
        assert_eq!(enc, body, "message {i} ({t:?}) re-encodes differently");
        if let HandshakePayload::ServerHello(sh) = &p {
            version = sh.server_version;
            kex = kex_override.or(kex_of(sh.cipher_suite));
            assert!(kex.is_some(), "no key exchange for {:?}", sh.cipher_suite);
        }
        types.push(t);
    }
    types
}

fn tls_case(
    server_args: &[&str],
    client_args: &[&str],
    client_cert: bool,
    kex_override: Option<KeyExchangeKind>,
) -> Vec<HandshakeType> {
    let dir = scratch();
    let port = free_port();
    let _server = start_server(&dir, port, server_args);
    let mut args: Vec<String> = client_args.iter().map(|s| s.to_string()).collect();
    if client_cert {
        args.push("-cert".into());
        args.push(dir.join("cert.pem").display().to_string());
        args.push("-key".into());
        args.push(dir.join("key.pem").display().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let dump = run_client(&dir, port, &args);
    let types = check_dump(&dump, server_args.contains(&"-dtls1"), kex_override);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        types
            .iter()
            .filter(|t| **t == HandshakeType::Finished)
            .count()
            == 2,
        "{types:?}"
    );
    types
}

#[test]
fn tls10_dhe_rsa_with_client_auth() {
    let types = tls_case(
        &["-tls1", "-verify", "1"],
        &[
            "-tls1",
            "-cipher",
            "DHE-RSA-AES128-SHA:@SECLEVEL=0",
            "-servername",
            "localhost",
        ],
        true,
        None,
    );
    for t in [
        HandshakeType::ServerKeyExchange,
        HandshakeType::CertificateRequest,
        HandshakeType::CertificateVerify,
    ] {
        assert!(types.contains(&t), "{t:?} missing from {types:?}");
    }
}

#[test]
fn tls11_rsa_aes256() {
    let types = tls_case(
        &["-tls1_1"],
        &["-tls1_1", "-cipher", "AES256-SHA:@SECLEVEL=0", "-no_ticket"],
        false,
        None,
    );
    assert!(!types.contains(&HandshakeType::ServerKeyExchange));
    assert!(types.contains(&HandshakeType::ClientKeyExchange));
}

#[test]
fn tls11_dhe_rsa_aes256_with_client_auth() {
    let types = tls_case(
        &["-tls1_1", "-verify", "1"],
        &["-tls1_1", "-cipher", "DHE-RSA-AES256-SHA:@SECLEVEL=0"],
        true,
        None,
    );
    assert!(types.contains(&HandshakeType::CertificateVerify));
}

#[test]
fn tls10_psk_and_dhe_psk() {
    let psk = ["-psk", "0102030405060708090a0b0c0d0e0f10"];
    for cipher in ["PSK-AES128-CBC-SHA", "DHE-PSK-AES256-CBC-SHA"] {
        let mut server = vec!["-tls1", "-psk_hint", "matrix hint", "-nocert"];
        server.extend(psk);
        let client_cipher = format!("{cipher}:@SECLEVEL=0");
        let mut client = vec![
            "-tls1",
            "-psk_identity",
            "client1",
            "-cipher",
            &client_cipher,
        ];
        client.extend(psk);
        let types = tls_case(&server, &client, false, None);
        assert!(
            types.contains(&HandshakeType::ServerKeyExchange),
            "{cipher}: {types:?}"
        );
    }
}

#[test]
fn tls10_dh_anon() {
    // TLS_DH_anon_WITH_AES_128_CBC_SHA (0x0034) is not a matrix suite, but it exercises the
    // anonymous ServerKeyExchange framing matrix's SSL_DH_anon_WITH_RC4_128_MD5 uses.
    let types = tls_case(
        &["-tls1", "-nocert", "-cipher", "ADH-AES128-SHA:@SECLEVEL=0"],
        &["-tls1", "-cipher", "ADH-AES128-SHA:@SECLEVEL=0"],
        false,
        Some(KeyExchangeKind::DhAnon),
    );
    assert!(types.contains(&HandshakeType::ServerKeyExchange));
    assert!(!types.contains(&HandshakeType::Certificate));
}

#[test]
fn dtls10_rsa_with_cookie() {
    let types = tls_case(
        &["-dtls1"],
        &["-dtls1", "-cipher", "AES128-SHA:@SECLEVEL=0"],
        false,
        None,
    );
    assert!(
        types.contains(&HandshakeType::HelloVerifyRequest),
        "{types:?}"
    );
    assert_eq!(
        types
            .iter()
            .filter(|t| **t == HandshakeType::ClientHello)
            .count(),
        2
    );
    assert_eq!(
        kex_of(CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA),
        Some(KeyExchangeKind::Rsa)
    );
}
