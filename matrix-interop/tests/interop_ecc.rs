//! ECDHE and ECDSA (RFC 8422) against independent peers over 127.0.0.1: issue 19's
//! acceptance.
//!
//! | what | our server vs | our client vs |
//! |---|---|---|
//! | ECDHE_ECDSA with the ec-p256 chain and ECDHE_RSA with the rsa2048 chain (one server holding both), TLS 1.0, 1.1 and 1.2, ECDHE over X25519, P-256 and P-384 | `openssl s_client -groups G` | `openssl s_server` with the ec-p256 chain (`-groups G`) |
//! | every ECDHE suite of TLS 1.2 (GCM, CBC-SHA256, CBC-SHA384, CBC-SHA) | `openssl s_client -cipher` | `openssl s_server -cipher` |
//! | ECDSA client authentication (CertificateVerify) | `openssl s_client -cert` (EC key) | `openssl s_server -Verify` |
//! | default priorities | `gnutls-cli` | `gnutls-serv` with the ec-p256 chain |
//!
//! An ECDHE_ECDSA server needs the client to list its certificate's curve (RFC 8422 section
//! 5.6; OpenSSL's servers refuse too): where X25519 or P-384 is the ECDHE group of an
//! ECDSA run, the client lists P-256 after it and our server is configured to agree on the
//! forced group. With the RSA chain each group is the client's only one.

use std::sync::Arc;
use std::time::Duration;

use matrix_interop::tls::{EchoServer, run_client_with_keys};
use matrix_interop::{Peer, free_port, testkeys};
use matrix_ssl::{CipherSuite, Config, Context, Keys, ProtocolVersion, Verdict};

const T: Duration = Duration::from_secs(20);

/// OpenSSL's `-groups` names, our code points and s_client's "Server Temp Key" words.
const GROUPS: [(&str, u16, &str); 3] = [
    ("X25519", 29, "X25519"),
    ("P-256", 23, "prime256v1"),
    ("P-384", 24, "secp384r1"),
];

fn ctx(versions: (ProtocolVersion, ProtocolVersion), groups: &[u16]) -> Context {
    let mut c = Config::default();
    c.min_version = versions.0;
    c.max_version = versions.1;
    c.keep_peer_certificates = true;
    c.ec_groups = groups.to_vec();
    matrix_ssl::open(c).unwrap()
}

fn tls12_only() -> (ProtocolVersion, ProtocolVersion) {
    (ProtocolVersion::TLSv1_2, ProtocolVersion::TLSv1_2)
}

/// Our server: the rsa2048 and the ec-p256 identities, the ec-p384 root for EC clients.
fn server_keys() -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_rsa_keys(
        Some(&testkeys("rsa2048/server-chain.pem")),
        Some(&testkeys("rsa2048/server.key")),
        None,
        None,
    )
    .unwrap();
    k.load_ec_keys(
        Some(&testkeys("ec-p256/server-chain.pem")),
        Some(&testkeys("ec-p256/server.key")),
        None,
        Some(&testkeys("ec-p384/ca.pem")),
    )
    .unwrap();
    Arc::new(k)
}

/// Our client: trusting the ec-p256 and rsa2048 roots, optionally with the ec-p384 leaf
/// as its own identity.
fn client_keys(with_ec_cert: bool) -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_rsa_keys(None, None, None, Some(&testkeys("rsa2048/ca.pem")))
        .unwrap();
    let (cert, key) = if with_ec_cert {
        (
            Some(testkeys("ec-p384/server-chain.pem")),
            Some(testkeys("ec-p384/server.key")),
        )
    } else {
        (None, None)
    };
    k.load_ec_keys(
        cert.as_deref(),
        key.as_deref(),
        None,
        Some(&testkeys("ec-p256/ca.pem")),
    )
    .unwrap();
    Arc::new(k)
}

/// Runs `openssl s_client` with `args` against `server`, exchanges a line and returns its
/// output and our server's outcome.
fn s_client(server: &EchoServer, args: &[&str]) -> (String, matrix_interop::tls::Outcome) {
    let connect = format!("127.0.0.1:{}", server.port);
    let mut all = vec!["s_client", "-connect", &connect, "-ign_eof"];
    all.extend_from_slice(args);
    let mut c = Peer::spawn("openssl", &all);
    c.send_stdin("ping\n");
    c.wait_for("ECHO:ping", T)
        .unwrap_or_else(|e| panic!("{args:?}: {e}"));
    let out = c.output().join("\n");
    let o = server.next().unwrap();
    assert_eq!(o.received, b"ping\n");
    (out, o)
}

/// The acceptance: `openssl s_client -groups G` completes ECDHE_ECDSA against our server
/// holding the P-256 chain, and ECDHE_RSA with the RSA chain, in TLS 1.0, 1.1 and 1.2.
#[test]
fn openssl_s_client_each_group_each_version_ecdsa_and_rsa() {
    let ca = testkeys("ec-p256/ca.pem");
    let rsa_ca = testkeys("rsa2048/ca.pem");
    for (flag, version, ecdsa_cipher, rsa_cipher) in [
        (
            "-tls1_2",
            ProtocolVersion::TLSv1_2,
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            "ECDHE-RSA-AES256-GCM-SHA384",
        ),
        (
            "-tls1_1",
            ProtocolVersion::TLSv1_1,
            "ECDHE-ECDSA-AES256-SHA:@SECLEVEL=0",
            "ECDHE-RSA-AES128-SHA:@SECLEVEL=0",
        ),
        (
            "-tls1",
            ProtocolVersion::TLSv1_0,
            "ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0",
            "ECDHE-RSA-AES256-SHA:@SECLEVEL=0",
        ),
    ] {
        for (name, id, temp) in GROUPS {
            let versions = (ProtocolVersion::TLSv1_0, ProtocolVersion::TLSv1_2);
            // ECDHE_ECDSA: the forced group, then P-256 for the certificate.
            let ecdsa_groups = if id == 23 {
                name.to_string()
            } else {
                format!("{name}:P-256")
            };
            let server = EchoServer::start_with_keys(ctx(versions, &[id]), server_keys(), 2);
            let (out, o) = s_client(
                &server,
                &[
                    flag,
                    "-groups",
                    &ecdsa_groups,
                    "-cipher",
                    ecdsa_cipher,
                    "-CAfile",
                    &ca,
                ],
            );
            let what = format!("{flag} {name} ECDSA");
            assert_eq!(o.version, version, "{what}");
            assert!(
                o.suite
                    .is_some_and(|s| matches!(s.get(), 0xc009 | 0xc00a | 0xc02b)),
                "{what}: {o:?}"
            );
            assert!(
                out.contains(&format!("Server Temp Key: {}", temp_key(temp))),
                "{what}: {out}"
            );
            assert!(out.contains("Verify return code: 0 (ok)"), "{what}: {out}");
            assert!(
                out.contains("Peer signature type: ECDSA") || version != ProtocolVersion::TLSv1_2,
                "{what}: {out}"
            );
            // ECDHE_RSA: the group alone.
            let (out, o) = s_client(
                &server,
                &[
                    flag, "-groups", name, "-cipher", rsa_cipher, "-CAfile", &rsa_ca,
                ],
            );
            let what = format!("{flag} {name} RSA");
            assert_eq!(o.version, version, "{what}");
            assert!(
                o.suite
                    .is_some_and(|s| matches!(s.get(), 0xc013 | 0xc014 | 0xc030)),
                "{what}: {o:?}"
            );
            assert!(
                out.contains(&format!("Server Temp Key: {}", temp_key(temp))),
                "{what}: {out}"
            );
            assert!(out.contains("Verify return code: 0 (ok)"), "{what}: {out}");
        }
    }
}

/// s_client prints "X25519" for X25519 and "ECDH, <curve>" for the NIST curves.
fn temp_key(word: &str) -> String {
    if word == "X25519" {
        "X25519, 253 bits".to_string()
    } else {
        format!("ECDH, {word}")
    }
}

#[test]
fn openssl_s_client_every_tls12_ecdhe_suite_with_resumption() {
    let ctx12 = ctx(tls12_only(), &[29, 23, 24]);
    for (suite, name, ecdsa) in matrix_interop::ECDHE_SUITES {
        let server = EchoServer::start_with_keys(ctx12.clone(), server_keys(), 2);
        let ca = testkeys(if ecdsa {
            "ec-p256/ca.pem"
        } else {
            "rsa2048/ca.pem"
        });
        let sess = std::env::temp_dir().join(format!("matrix-ecc-{}-{suite}", server.port));
        let sess = sess.to_string_lossy().into_owned();
        for (i, flag) in ["-sess_out", "-sess_in"].into_iter().enumerate() {
            let (out, o) = s_client(&server, &["-cipher", name, "-CAfile", &ca, flag, &sess]);
            assert_eq!(o.suite, Some(CipherSuite::from(suite)), "{name}");
            assert_eq!(o.resumed, i == 1, "{name}");
            assert!(
                out.contains(if i == 0 { "New," } else { "Reused," }),
                "{out}"
            );
        }
        let _ = std::fs::remove_file(&sess);
    }
}

#[test]
fn openssl_s_client_with_an_ec_client_certificate() {
    let validator: matrix_interop::tls::ValidatorFactory = Arc::new(|| {
        Some(Box::new(|_, _, alert| {
            alert.map_or(Verdict::Continue, Verdict::Alert)
        }))
    });
    for flag in ["-tls1_2", "-tls1"] {
        let server = EchoServer::start_with_validator(
            ctx((ProtocolVersion::TLSv1_0, ProtocolVersion::TLSv1_2), &[23]),
            server_keys(),
            validator.clone(),
            1,
        );
        let (out, o) = s_client(
            &server,
            &[
                flag,
                "-cipher",
                "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES128-GCM-SHA256:@SECLEVEL=0",
                "-CAfile",
                &testkeys("ec-p256/ca.pem"),
                "-cert",
                &testkeys("ec-p384/server.pem"),
                "-cert_chain",
                &testkeys("ec-p384/intermediate.pem"),
                "-key",
                &testkeys("ec-p384/server.key"),
                "-groups",
                "P-256:P-384",
            ],
        );
        assert_eq!(o.peer_certificates, 2, "{flag}: {out}");
    }
}

/// `openssl s_server` with the ec-p256 chain, `-groups groups` and `extra`.
fn s_server(groups: &str, extra: &[&str]) -> (Peer, u16) {
    let port = free_port();
    let accept = format!("127.0.0.1:{port}");
    let (key, cert, chain) = (
        testkeys("ec-p256/server.key"),
        testkeys("ec-p256/server.pem"),
        testkeys("ec-p256/intermediate.pem"),
    );
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
        "-groups",
        groups,
        "-www",
    ];
    args.extend_from_slice(extra);
    let mut p = Peer::spawn("openssl", &args);
    p.wait_for("ACCEPT", T).unwrap();
    (p, port)
}

/// The acceptance: our client completes ECDHE_ECDSA against `openssl s_server` with the
/// P-256 chain, each group forced at the server, in TLS 1.0 to 1.2, and resumes.
#[test]
fn our_client_against_openssl_s_server_with_the_p256_chain() {
    let get = b"GET / HTTP/1.0\r\n\r\n";
    for (name, id, _) in GROUPS {
        // The server's certificate curve must be in our list too (RFC 8422 section 5.6).
        let groups = if id == 23 { vec![23] } else { vec![id, 23] };
        let (_server, port) = s_server(name, &["-cipher", "ALL:@SECLEVEL=0"]);
        for version in [
            ProtocolVersion::TLSv1_2,
            ProtocolVersion::TLSv1_1,
            ProtocolVersion::TLSv1_0,
        ] {
            let c = ctx((version, version), &groups);
            let (o, sid) = run_client_with_keys(&c, client_keys(false), port, 0, None, get, None)
                .unwrap_or_else(|e| panic!("{name} {version:?}: {e}"));
            assert_eq!(o.version, version);
            assert!(
                o.suite
                    .is_some_and(|s| matches!(s.get(), 0xc009 | 0xc00a | 0xc02b | 0xc02c)),
                "{name} {version:?}: {o:?}"
            );
            let page = String::from_utf8_lossy(&o.received);
            assert!(page.contains("ECDHE-ECDSA"), "{page}");
            let (again, _) =
                run_client_with_keys(&c, client_keys(false), port, 0, sid.as_ref(), get, None)
                    .unwrap();
            assert!(again.resumed, "{name} {version:?}");
        }
    }
}

#[test]
fn our_client_every_tls12_ecdhe_suite_and_ec_client_auth_against_s_server() {
    let get = b"GET / HTTP/1.0\r\n\r\n";
    let c = ctx(tls12_only(), &[29, 23, 24]);
    let (_ec, ec_port) = s_server("X25519:P-256:P-384", &[]);
    // The RSA identity's s_server.
    let port = free_port();
    let accept = format!("127.0.0.1:{port}");
    let (key, cert, chain) = (
        testkeys("rsa2048/server.key"),
        testkeys("rsa2048/server.pem"),
        testkeys("rsa2048/intermediate.pem"),
    );
    let mut rsa = Peer::spawn(
        "openssl",
        &[
            "s_server",
            "-accept",
            &accept,
            "-key",
            &key,
            "-cert",
            &cert,
            "-cert_chain",
            &chain,
            "-www",
        ],
    );
    rsa.wait_for("ACCEPT", T).unwrap();
    for (suite, name, ecdsa) in matrix_interop::ECDHE_SUITES {
        let p = if ecdsa { ec_port } else { port };
        let (o, _) = run_client_with_keys(&c, client_keys(false), p, suite, None, get, None)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(o.suite, Some(CipherSuite::from(suite)), "{name}");
        let page = String::from_utf8_lossy(&o.received);
        assert!(
            page.contains(&format!("Cipher    : {name}")),
            "{name}: {page}"
        );
    }
    // Client authentication with our EC identity: s_server -Verify asks and checks it.
    let (_v, vport) = s_server(
        "P-256:P-384",
        &[
            "-Verify",
            "1",
            "-CAfile",
            &testkeys("ec-p384/ca.pem"),
            // TLS 1.0's CertificateVerify is ECDSA over SHA-1 (RFC 4492 section 5.8), which
            // OpenSSL 3's default security level refuses.
            "-cipher",
            "ALL:@SECLEVEL=0",
        ],
    );
    for version in [ProtocolVersion::TLSv1_2, ProtocolVersion::TLSv1_0] {
        let c = ctx((version, version), &[23, 24]);
        let (o, _) = run_client_with_keys(&c, client_keys(true), vport, 0, None, get, None)
            .unwrap_or_else(|e| panic!("client auth {version:?}: {e}"));
        let page = String::from_utf8_lossy(&o.received);
        assert!(page.contains("Client certificate"), "{version:?}: {page}");
    }
}

#[test]
fn gnutls_default_priority_both_roles() {
    // gnutls-serv with the ec-p256 chain: our client gets ECDHE_ECDSA.
    let port = free_port();
    let port_s = port.to_string();
    let mut serv = Peer::spawn(
        "gnutls-serv",
        &[
            "-p",
            &port_s,
            "--echo",
            "--disable-client-cert",
            "--x509certfile",
            &testkeys("ec-p256/server-chain.pem"),
            "--x509keyfile",
            &testkeys("ec-p256/server.key"),
        ],
    );
    serv.wait_for("listening", T).unwrap();
    let c = ctx(tls12_only(), &[29, 23, 24]);
    let (o, _) = run_client_with_keys(
        &c,
        client_keys(false),
        port,
        0,
        None,
        b"hello\n",
        Some(b"hello\n"),
    )
    .unwrap();
    assert!(
        o.suite.is_some_and(|s| matches!(s.get(), 0xc02b | 0xc02c)),
        "{o:?}"
    );
    assert_eq!(o.received, b"hello\n");
    drop(serv);

    // gnutls-cli with its default priority against our server holding both identities,
    // trusting each root in turn.
    for (ca, ecdsa) in [("ec-p256/ca.pem", true), ("rsa2048/ca.pem", false)] {
        let sctx = ctx(
            (ProtocolVersion::TLSv1_0, ProtocolVersion::TLSv1_2),
            &[29, 23, 24],
        );
        // Both identities for the EC root; the RSA identity alone for the RSA root, so
        // that our server picks ECDHE_RSA.
        let keys = if ecdsa {
            server_keys()
        } else {
            let mut k = Keys::new();
            k.load_rsa_keys(
                Some(&testkeys("rsa2048/server-chain.pem")),
                Some(&testkeys("rsa2048/server.key")),
                None,
                None,
            )
            .unwrap();
            Arc::new(k)
        };
        let server = EchoServer::start_with_keys(sctx, keys, 1);
        let port_s = server.port.to_string();
        let ca = testkeys(ca);
        let mut cli = Peer::spawn(
            "gnutls-cli",
            &["-p", &port_s, "--x509cafile", &ca, "127.0.0.1"],
        );
        cli.wait_for("Handshake was completed", T).unwrap();
        cli.send_stdin("ping\n");
        cli.wait_for("ECHO:ping", T).unwrap();
        let o = server.next().unwrap();
        let want: &[u16] = if ecdsa {
            &[0xc02b, 0xc02c]
        } else {
            &[0xc02f, 0xc030]
        };
        assert!(o.suite.is_some_and(|s| want.contains(&s.get())), "{o:?}");
    }
}

/// DTLS 1.0 runs the same handshake code: our DTLS client completes ECDHE_ECDSA and
/// ECDHE_RSA against `openssl s_server -dtls1`, on X25519 and P-256, and exchanges data.
#[test]
fn our_dtls_client_against_openssl_s_server_dtls1() {
    use matrix_interop::dtls::DtlsConn;
    for (suite, name, ecdsa, groups) in [
        (0xc009u16, "ECDHE-ECDSA-AES128-SHA", true, "X25519:P-256"),
        (0xc00a, "ECDHE-ECDSA-AES256-SHA", true, "P-256"),
        (0xc013, "ECDHE-RSA-AES128-SHA", false, "X25519"),
        (0xc014, "ECDHE-RSA-AES256-SHA", false, "P-384"),
    ] {
        let port = free_port();
        let accept = format!("127.0.0.1:{port}");
        let dir = if ecdsa { "ec-p256" } else { "rsa2048" };
        let (key, cert, chain) = (
            testkeys(&format!("{dir}/server.key")),
            testkeys(&format!("{dir}/server.pem")),
            testkeys(&format!("{dir}/intermediate.pem")),
        );
        let cipher = format!("{name}:@SECLEVEL=0");
        let mut server = Peer::spawn(
            "openssl",
            &[
                "s_server",
                "-dtls1",
                "-accept",
                &accept,
                "-cipher",
                &cipher,
                "-key",
                &key,
                "-cert",
                &cert,
                "-cert_chain",
                &chain,
                "-groups",
                groups,
            ],
        );
        server.wait_for("ACCEPT", T).unwrap();
        let mut config = Config::dtls();
        config.ec_groups = vec![29, 23, 24];
        let ctx = matrix_dtls::open(config).unwrap();
        let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let sess = ctx
            .new_client_session(client_keys(false), None, suite, None, None)
            .unwrap();
        let mut c = DtlsConn::new(sock, ([127, 0, 0, 1], port).into(), sess);
        c.pump("the handshake", T, |c| c.completions > 0)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(c.sess.cipher_suite(), Some(CipherSuite::from(suite)));
        c.send_app(b"ping over dtls\n").unwrap();
        server.wait_for("ping over dtls", T).unwrap();
        server.send_stdin("pong\n");
        c.pump("the reply", T, |c| c.received.ends_with(b"pong\n"))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        c.close();
    }
}
