//! TLS 1.2 (RFC 5246) against independent peers over 127.0.0.1, with the peers' DEFAULT
//! security settings: no `@SECLEVEL`, no legacy provider, no priority string beyond naming
//! a suite.
//!
//! | what | our client vs | our server vs |
//! |---|---|---|
//! | 0x009C/0x009D RSA GCM, 0x009E/0x009F DHE_RSA GCM, 0x003C/0x003D RSA and 0x0067/0x006B DHE_RSA AES-CBC-SHA256 (with encrypt-then-MAC), resumption by id, EMS | `openssl s_server -www` (default options) | `openssl s_client` with only `-CAfile` (and `-cipher` per suite), `-sess_out`/`-sess_in` |
//! | TLS_RSA_WITH_AES_128_CBC_SHA in TLS 1.2 (older suites stay usable) | `openssl s_server` | `openssl s_client` |
//! | 0x00A8/0x00A9 PSK GCM, 0x00AA/0x00AB DHE_PSK GCM, 0x00AE PSK and 0x00B2 DHE_PSK CBC-SHA256, 0x00AF PSK and 0x00B3 DHE_PSK CBC-SHA384, resumption by id, EMS | `openssl s_server -psk` | `openssl s_client -psk` |
//! | client auth (CertificateVerify with a TLS 1.2 pair) | `openssl s_server -Verify` | `openssl s_client -cert` |
//! | RFC 5746 renegotiation | `s_server` `R` | `s_client` `R` |
//! | RFC 7627 EMS, RFC 5746 | checked in s_client's and s_server's reports and in our sessions | |
//! | 0x00AF/0x00B3 PSK and DHE_PSK AES-256-CBC-SHA384 with GnuTLS | `gnutls-serv` (+SHA384) | `gnutls-cli` (only that MAC; 0x00AF) |
//! | GCM, PSK and DHE-PSK with GnuTLS, EMS | `gnutls-serv` default priority (plus PSK/DHE-PSK) | `gnutls-cli` default priority; then only PSK, only DHE-PSK |
//! | RSA and DHE_RSA GCM and CBC-SHA256 (every one), resumption | tlslite-ng server (TLS 1.2) | tlslite-ng client (TLS 1.2) |
//!
//! rustls is the fourth TLS 1.2 peer, in `interop_rustls.rs`.

use std::sync::Arc;
use std::time::Duration;

use matrix_interop::gnutls::GnutlsServ;
use matrix_interop::tls::{EchoServer, context_all_suites, run_client, run_client_with_keys};
use matrix_interop::{Peer, free_port, peer_script, peers_python, testkeys};
use matrix_ssl::{CipherSuite, Keys, ProtocolVersion, Verdict};

const T: Duration = Duration::from_secs(20);
const SSL3: ProtocolVersion = ProtocolVersion::SSLv3;
const TLS12: ProtocolVersion = ProtocolVersion::TLSv1_2;

const PSK_ID: &str = "Client_identity";
const PSK_HEX: &str = "0123456789abcdef00112233445566778899aabbccddeeff";

/// The RSA-certificate suites of TLS 1.2 and OpenSSL's names for them.
const RSA_SUITES: [(u16, &str); 9] = [
    (0x009C, "AES128-GCM-SHA256"),
    (0x009D, "AES256-GCM-SHA384"),
    (0x009E, "DHE-RSA-AES128-GCM-SHA256"),
    (0x009F, "DHE-RSA-AES256-GCM-SHA384"),
    (0x003C, "AES128-SHA256"),
    (0x003D, "AES256-SHA256"),
    (0x0067, "DHE-RSA-AES128-SHA256"),
    (0x006B, "DHE-RSA-AES256-SHA256"),
    (0x002F, "AES128-SHA"),
];

fn psk_bytes() -> Vec<u8> {
    (0..PSK_HEX.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&PSK_HEX[i..i + 2], 16).unwrap())
        .collect()
}

fn ctx() -> matrix_ssl::Context {
    context_all_suites(SSL3, TLS12)
}

/// Our server identity with 2048-bit DH parameters and the PSK.
fn server_keys() -> Arc<Keys> {
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
        Some(&testkeys("rsa2048/ca.pem")),
    )
    .unwrap();
    k.load_dh_params(&testkeys("dh/dh2048.pem")).unwrap();
    k.load_psk(PSK_ID.as_bytes(), &psk_bytes()).unwrap();
    Arc::new(k)
}

/// A client trusting the rsa2048 root, with the PSK, and optionally its own identity.
fn client_keys(with_cert: bool) -> Arc<Keys> {
    let mut k = Keys::new();
    let (cert, key) = if with_cert {
        (
            Some(testkeys("rsa2048/client.pem")),
            Some(testkeys("rsa2048/client.key")),
        )
    } else {
        (None, None)
    };
    k.load_rsa_keys(
        cert.as_deref(),
        key.as_deref(),
        None,
        Some(&testkeys("rsa2048/ca.pem")),
    )
    .unwrap();
    k.load_psk(PSK_ID.as_bytes(), &psk_bytes()).unwrap();
    Arc::new(k)
}

/// `openssl s_server -www` with its default settings, plus `extra`.
fn s_server(extra: &[&str]) -> (Peer, u16) {
    let port = free_port();
    let accept = format!("127.0.0.1:{port}");
    let key = testkeys("rsa2048/server.key");
    let cert = testkeys("rsa2048/server.pem");
    let chain = testkeys("rsa2048/intermediate.pem");
    let mut args = vec![
        "s_server",
        "-accept",
        &accept,
        "-key",
        &key,
        "-cert",
        &cert,
        "-cert_chain",
        &chain,
    ];
    args.extend_from_slice(extra);
    let mut p = Peer::spawn("openssl", &args);
    p.wait_for("ACCEPT", T).unwrap();
    (p, port)
}

#[test]
fn our_client_against_default_openssl_s_server_with_resumption() {
    let (_server, port) = s_server(&["-www"]);
    let ctx = ctx();
    let get = b"GET / HTTP/1.0\r\n\r\n";
    // Offering everything: OpenSSL picks TLS 1.2 with a GCM suite.
    let (o, _) = run_client(&ctx, port, 0, None, get, None).unwrap();
    assert_eq!(o.version, TLS12);
    let page = String::from_utf8_lossy(&o.received);
    assert!(page.contains("Protocol  : TLSv1.2"), "{page}");
    assert!(page.contains("GCM"), "{page}");
    for (suite, name) in RSA_SUITES {
        let (first, sid) = run_client(&ctx, port, suite, None, get, None).unwrap();
        assert_eq!(first.version, TLS12, "{name}");
        assert_eq!(first.suite, Some(CipherSuite::from(suite)));
        let page = String::from_utf8_lossy(&first.received);
        assert!(page.starts_with("HTTP/1.0 200 ok"), "{page}");
        assert!(
            page.contains(&format!("Cipher    : {name}")),
            "{name}: {page}"
        );
        assert!(!first.resumed);
        assert!(first.extended_master_secret, "{name}: no RFC 7627 EMS");
        let sid = sid.expect("a session id to resume");
        let (second, _) = run_client(&ctx, port, suite, Some(&sid), get, None).unwrap();
        assert!(second.resumed, "{name}: s_server did not resume");
        assert_eq!(second.suite, Some(CipherSuite::from(suite)));
        assert!(String::from_utf8_lossy(&second.received).contains("Reused"));
    }
}

/// The pre-shared-key suites of RFC 5487 and OpenSSL's names for them.
const PSK_SUITES: [(u16, &str); 8] = [
    (0x00A8, "PSK-AES128-GCM-SHA256"),
    (0x00A9, "PSK-AES256-GCM-SHA384"),
    (0x00AA, "DHE-PSK-AES128-GCM-SHA256"),
    (0x00AB, "DHE-PSK-AES256-GCM-SHA384"),
    (0x00AE, "PSK-AES128-CBC-SHA256"),
    (0x00B2, "DHE-PSK-AES128-CBC-SHA256"),
    (0x00AF, "PSK-AES256-CBC-SHA384"),
    (0x00B3, "DHE-PSK-AES256-CBC-SHA384"),
];

#[test]
fn our_client_against_openssl_s_server_psk_suites_with_resumption() {
    for (suite, name) in PSK_SUITES {
        let (_server, port) = s_server(&["-www", "-psk", PSK_HEX, "-cipher", name]);
        let get = b"GET / HTTP/1.0\r\n\r\n";
        let (o, sid) =
            run_client_with_keys(&ctx(), client_keys(false), port, suite, None, get, None)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            (o.version, o.suite),
            (TLS12, Some(CipherSuite::from(suite)))
        );
        assert!(o.extended_master_secret, "{name}: no RFC 7627 EMS");
        let page = String::from_utf8_lossy(&o.received);
        assert!(page.contains(&format!("Cipher    : {name}")), "{page}");
        let sid = sid.expect("a session id to resume");
        let (again, _) = run_client_with_keys(
            &ctx(),
            client_keys(false),
            port,
            suite,
            Some(&sid),
            get,
            None,
        )
        .unwrap_or_else(|e| panic!("{name} resumed: {e}"));
        assert!(again.resumed, "{name}: s_server did not resume");
    }
}

/// The acceptance check: `openssl s_client -connect` with nothing but `-CAfile` gets TLS 1.2
/// with AES-GCM from our server, secure renegotiation and the extended master secret.
#[test]
fn default_openssl_s_client_gets_tls12_gcm_ems_and_secure_renegotiation() {
    let server = EchoServer::start_with_keys(ctx(), server_keys(), 1);
    let connect = format!("127.0.0.1:{}", server.port);
    let ca = testkeys("rsa2048/ca.pem");
    let mut c = Peer::spawn(
        "openssl",
        &["s_client", "-connect", &connect, "-CAfile", &ca, "-ign_eof"],
    );
    c.send_stdin("ping\n");
    c.wait_for("ECHO:ping", T).unwrap();
    let out = c.output().join("\n");
    assert!(
        out.contains("Protocol  : TLSv1.2") || out.contains("Protocol: TLSv1.2"),
        "{out}"
    );
    assert!(out.contains("GCM"), "{out}");
    assert!(out.contains("Secure Renegotiation IS supported"), "{out}");
    assert!(out.contains("Extended master secret: yes"), "{out}");
    assert!(out.contains("Verify return code: 0 (ok)"), "{out}");
    let o = server.next().unwrap();
    assert_eq!(o.version, TLS12);
    assert_eq!(o.received, b"ping\n");
    assert!(
        o.suite.is_some_and(|s| matches!(s.get(), 0x009C..=0x009F)),
        "{o:?}"
    );
}

#[test]
fn openssl_s_client_against_our_server_every_suite_with_resumption() {
    let mut cases: Vec<(u16, &str, bool)> =
        RSA_SUITES.iter().map(|&(s, n)| (s, n, false)).collect();
    cases.extend(PSK_SUITES.iter().map(|&(s, n)| (s, n, true)));
    let ca = testkeys("rsa2048/ca.pem");
    for (suite, name, psk) in cases {
        let server = EchoServer::start_with_keys(ctx(), server_keys(), 2);
        let connect = format!("127.0.0.1:{}", server.port);
        let sess = std::env::temp_dir().join(format!("matrix-sess12-{}-{suite}", server.port));
        let sess = sess.to_string_lossy().into_owned();
        for (i, flag) in ["-sess_out", "-sess_in"].into_iter().enumerate() {
            let mut args = vec![
                "s_client", "-connect", &connect, "-CAfile", &ca, "-tls1_2", "-cipher", name, flag,
                &sess, "-ign_eof",
            ];
            if psk {
                args.extend_from_slice(&["-psk", PSK_HEX, "-psk_identity", PSK_ID]);
            }
            let mut c = Peer::spawn("openssl", &args);
            c.send_stdin("ping\n");
            c.wait_for("ECHO:ping", T).unwrap();
            let line = if i == 0 { "New," } else { "Reused," };
            c.wait_for(line, T).unwrap();
            let o = server.next().unwrap();
            assert_eq!(o.version, TLS12, "{name}");
            assert_eq!(o.suite, Some(CipherSuite::from(suite)), "{name}");
            assert_eq!(o.received, b"ping\n");
            assert_eq!(o.resumed, i == 1, "{name} connection {i}");
        }
        let _ = std::fs::remove_file(&sess);
    }
}

#[test]
fn client_auth_both_ways() {
    // Our server asks (a certificate callback turns client authentication on); s_client
    // signs CertificateVerify with a TLS 1.2 pair.
    let validator: matrix_interop::tls::ValidatorFactory = Arc::new(|| {
        Some(Box::new(|_, _, alert| {
            alert.map_or(Verdict::Continue, Verdict::Alert)
        }))
    });
    let server = EchoServer::start_with_validator(ctx(), server_keys(), validator, 1);
    let connect = format!("127.0.0.1:{}", server.port);
    let (ca, cert, key, chain) = (
        testkeys("rsa2048/ca.pem"),
        testkeys("rsa2048/client.pem"),
        testkeys("rsa2048/client.key"),
        testkeys("rsa2048/intermediate.pem"),
    );
    let mut c = Peer::spawn(
        "openssl",
        &[
            "s_client",
            "-connect",
            &connect,
            "-CAfile",
            &ca,
            "-cert",
            &cert,
            "-key",
            &key,
            "-cert_chain",
            &chain,
            "-ign_eof",
        ],
    );
    c.send_stdin("ping\n");
    c.wait_for("ECHO:ping", T).unwrap();
    let o = server.next().unwrap();
    assert_eq!(o.version, TLS12);
    assert_eq!(
        o.peer_certificates, 2,
        "client certificate and intermediate"
    );

    // s_server requires a certificate; our client signs CertificateVerify.
    let (mut s, port) = s_server(&["-www", "-Verify", "2", "-CAfile", &ca]);
    let get = b"GET / HTTP/1.0\r\n\r\n";
    let (o, _) = run_client_with_keys(&ctx(), client_keys(true), port, 0x009C, None, get, None)
        .unwrap_or_else(|e| panic!("{e}\n{}", s.output().join("\n")));
    assert_eq!(o.version, TLS12);
    let page = String::from_utf8_lossy(&o.received);
    assert!(page.contains("Client certificate"), "{page}");
}

#[test]
fn renegotiation_both_ways() {
    use std::io::{Read, Write};
    // s_client's R renegotiates with our server.
    let server = EchoServer::start_with_keys(ctx(), server_keys(), 1);
    let connect = format!("127.0.0.1:{}", server.port);
    let ca = testkeys("rsa2048/ca.pem");
    let mut c = Peer::spawn(
        "openssl",
        // No -ign_eof: with it s_client sends command letters as data.
        &["s_client", "-connect", &connect, "-CAfile", &ca, "-tls1_2"],
    );
    c.wait_for("Secure Renegotiation IS supported", T).unwrap();
    c.send_stdin("R\n");
    c.wait_for("RENEGOTIATING", T).unwrap();
    c.send_stdin("after\n");
    c.wait_for("ECHO:after", T).unwrap();
    let o = server.next().unwrap();
    assert_eq!(o.version, TLS12);
    assert_eq!(o.received, b"after\n");

    // s_server's R: a HelloRequest our client answers.
    let (mut s, port) = s_server(&["-state"]);
    let sess = ctx()
        .new_client_session(client_keys(false), None, 0, None, None)
        .unwrap();
    let mut st = matrix_ssl::Stream::new(sess, matrix_interop::connect(port, T));
    st.handshake().unwrap();
    assert_eq!(st.session().protocol_version(), TLS12);
    st.write_all(b"before\n").unwrap();
    s.wait_for("before", T).unwrap();
    s.send_stdin("R\n");
    std::thread::scope(|scope| {
        let reader = scope.spawn(|| {
            let mut got = Vec::new();
            let mut buf = [0u8; 256];
            while !got.windows(6).any(|w| w == b"after\n") {
                let n = st.read(&mut buf).expect("read");
                assert!(n > 0);
                got.extend_from_slice(&buf[..n]);
            }
        });
        let end = std::time::Instant::now() + T;
        while s
            .output()
            .iter()
            .filter(|l| l.contains("SSL_accept:SSLv3/TLS write finished"))
            .count()
            < 2
        {
            assert!(std::time::Instant::now() < end, "{}", s.output().join("\n"));
            std::thread::sleep(Duration::from_millis(20));
        }
        s.send_stdin("after\n");
        reader.join().unwrap();
    });
    assert!(st.session().secure_renegotiation());
}

#[test]
fn gnutls_default_priority_both_ways_with_psk() {
    // Our client against gnutls-serv with its default priority plus the PSK key exchanges,
    // which NORMAL leaves out.
    let serv = GnutlsServ::start("NORMAL:+PSK:+DHE-PSK", Some((PSK_ID, PSK_HEX)), &[]);
    let port = serv.port;
    for suite in [0x009C, 0x009F, 0x00A8, 0x00AA, 0x00AB] {
        let (o, _) = run_client_with_keys(
            &ctx(),
            client_keys(false),
            port,
            suite,
            None,
            b"hello\n",
            Some(b"hello\n"),
        )
        .unwrap_or_else(|e| panic!("{suite:#x}: {e}"));
        assert_eq!(
            (o.version, o.suite),
            (TLS12, Some(CipherSuite::from(suite)))
        );
        assert_eq!(o.received, b"hello\n");
        assert!(o.extended_master_secret, "{suite:#x}: no RFC 7627 EMS");
    }
    drop(serv);

    // gnutls-cli with its default priority against our server, then with only PSK and only
    // DHE-PSK added to its key exchanges.
    use matrix_ssl::suites::KeyExchange;
    for (priority, kx) in [
        (None, None),
        (Some("NORMAL:-KX-ALL:+PSK"), Some(KeyExchange::Psk)),
        (Some("NORMAL:-KX-ALL:+DHE-PSK"), Some(KeyExchange::DhePsk)),
    ] {
        let server = EchoServer::start_with_keys(ctx(), server_keys(), 1);
        let port_s = server.port.to_string();
        let ca = testkeys("rsa2048/ca.pem");
        let mut args = vec!["-p", &port_s, "--x509cafile", &ca, "127.0.0.1"];
        if let Some(p) = priority {
            args.extend_from_slice(&[
                "--pskusername",
                PSK_ID,
                "--pskkey",
                PSK_HEX,
                "--priority",
                p,
            ]);
        }
        let mut c = Peer::spawn("gnutls-cli", &args);
        c.wait_for("Handshake was completed", T).unwrap();
        c.send_stdin("ping\n");
        c.wait_for("ECHO:ping", T).unwrap();
        let o = server.next().unwrap();
        assert_eq!(o.version, TLS12, "{priority:?}");
        assert!(o.extended_master_secret, "{priority:?}: no RFC 7627 EMS");
        let info = o
            .suite
            .and_then(matrix_ssl::suites::lookup)
            .unwrap_or_else(|| panic!("{o:?}"));
        assert!(info.is_aead(), "{priority:?}: {}", info.name);
        if let Some(kx) = kx {
            assert_eq!(info.kx, kx, "{priority:?}: {}", info.name);
        }
    }
}

/// RFC 5487's AES-256-CBC-SHA384 PSK suites (HMAC-SHA384 records, the SHA-384 PRF) with
/// GnuTLS both ways. GnuTLS's default priority leaves the SHA-384 MAC out, so both sides
/// name it.
#[test]
fn gnutls_psk_cbc_sha384_both_ways() {
    let serv = GnutlsServ::start(
        "NORMAL:+PSK:+DHE-PSK:+AES-256-CBC:+SHA384",
        Some((PSK_ID, PSK_HEX)),
        &[],
    );
    let port = serv.port;
    for suite in [0x00AF, 0x00B3] {
        let (o, _) = run_client_with_keys(
            &ctx(),
            client_keys(false),
            port,
            suite,
            None,
            b"hello\n",
            Some(b"hello\n"),
        )
        .unwrap_or_else(|e| panic!("{suite:#x}: {e}"));
        assert_eq!(
            (o.version, o.suite),
            (TLS12, Some(CipherSuite::from(suite)))
        );
        assert_eq!(o.received, b"hello\n");
    }
    drop(serv);

    // gnutls-cli 3.7.9 itself crashes (SIGSEGV, after our Finished arrived and our server
    // logged the handshake complete) in DHE-PSK sessions with this priority string, GCM as
    // well; 0x00B3 with our server is covered by OpenSSL's s_client, and with GnuTLS in the
    // other role above.
    {
        let (kx, suite) = ("PSK", 0x00AF);
        let server = EchoServer::start_with_keys(ctx(), server_keys(), 1);
        let port_s = server.port.to_string();
        let priority = format!(
            "NORMAL:-KX-ALL:+{kx}:-CIPHER-ALL:+AES-256-CBC:-MAC-ALL:+SHA384:-VERS-ALL:+VERS-TLS1.2"
        );
        let mut c = Peer::spawn(
            "gnutls-cli",
            &[
                "-p",
                &port_s,
                "--pskusername",
                PSK_ID,
                "--pskkey",
                PSK_HEX,
                "--priority",
                &priority,
                "127.0.0.1",
            ],
        );
        c.wait_for("Handshake was completed", T).unwrap();
        c.send_stdin("ping\n");
        c.wait_for("ECHO:ping", T).unwrap();
        let o = server.next().unwrap();
        assert_eq!(
            (o.version, o.suite),
            (TLS12, Some(CipherSuite::from(suite))),
            "{kx}"
        );
    }
}

/// tlslite-ng's names for the TLS 1.2 suites it shares with us: (suite, cipher, mac, kex).
const TLSLITE_SUITES: [(u16, &str, &str, &str); 9] = [
    (0x009C, "aes128gcm", "aead", "rsa"),
    (0x009D, "aes256gcm", "aead", "rsa"),
    (0x009E, "aes128gcm", "aead", "dhe_rsa"),
    (0x009F, "aes256gcm", "aead", "dhe_rsa"),
    (0x003C, "aes128", "sha256", "rsa"),
    (0x003D, "aes256", "sha256", "rsa"),
    (0x0067, "aes128", "sha256", "dhe_rsa"),
    (0x006B, "aes256", "sha256", "dhe_rsa"),
    (0x002F, "aes128", "sha", "rsa"),
];

#[test]
fn tlslite_tls12_both_roles_with_resumption() {
    let python = peers_python();
    for (suite, cipher, mac, kex) in TLSLITE_SUITES {
        // tlslite-ng as the client, resuming once.
        let server = EchoServer::start_with_keys(ctx(), server_keys(), 2);
        let port = server.port.to_string();
        let mut c = Peer::spawn(
            &python,
            &[
                &peer_script("tl_peer.py"),
                "client",
                "--port",
                &port,
                "--min",
                "tls1.2",
                "--max",
                "tls1.2",
                "--cipher",
                cipher,
                "--mac",
                mac,
                "--kex",
                kex,
                "--resume",
            ],
        );
        for i in 0..2 {
            let o = server
                .next()
                .unwrap_or_else(|e| panic!("0x{suite:04X} connection {i}: {e}\n{:?}", c.output()));
            assert_eq!(
                (o.version, o.suite),
                (TLS12, Some(CipherSuite::from(suite)))
            );
            assert_eq!(o.received, b"hello from tlslite\n");
            assert_eq!(o.resumed, i == 1, "0x{suite:04X} connection {i}");
        }
        // tlslite-ng prints the second echo after our server has finished with the
        // connection: collect its output once it has exited, not what has arrived so far.
        let out = c
            .output_at_exit(T)
            .unwrap_or_else(|e| panic!("0x{suite:04X}: {e}"));
        assert_eq!(out.matches("ECHO:hello from tlslite").count(), 2, "{out}");
        assert_eq!(out.matches("version=tls1.2").count(), 2, "{out}");

        // tlslite-ng as the server.
        let mut server = Peer::spawn(
            &python,
            &[
                &peer_script("tl_peer.py"),
                "server",
                "--port",
                "0",
                "--min",
                "tls1.2",
                "--max",
                "tls1.2",
                "--cipher",
                cipher,
                "--mac",
                mac,
                "--kex",
                kex,
                "--cert",
                &testkeys("rsa2048/server-chain.pem"),
                "--key",
                &testkeys("rsa2048/server.key"),
            ],
        );
        let port = server.listening_port(T).unwrap();
        let (o, _) = run_client(&ctx(), port, suite, None, b"hello tlslite\n", None)
            .unwrap_or_else(|e| panic!("0x{suite:04X}: {e}\n{:?}", server.output()));
        assert_eq!(
            (o.version, o.suite),
            (TLS12, Some(CipherSuite::from(suite)))
        );
        assert_eq!(o.received, b"ECHO:hello tlslite\n");
        let r = server.wait_for("RESULT", T).unwrap();
        assert!(
            r.contains("version=tls1.2") && r.contains(&format!("0x{suite:04X}")),
            "{r}"
        );
    }
}
