//! The flags of the advanced key exchanges and options, each against the other program and
//! against OpenSSL on 127.0.0.1: `--psk` / `--psk-identity` (PSK and DHE_PSK, RFC 4279),
//! client authentication (server `--verify` / `--require-client-cert` with `--ca`, client
//! `--cert` / `--key`), `--rehandshake-after N` (RFC 5746, both directions), and the
//! messages for their bad values.

mod common;

use std::time::Duration;

use common::{CLIENT, SERVER, T, count, fails, our_client, our_server};
use matrix_interop::{Peer, free_port, testkeys};

/// OpenSSL's default PSK identity, which is also ours.
const PSK_ID: &str = "Client_identity";
const PSK_HEX: &str = "0123456789abcdef00112233445566778899aabbccddeeff";

fn client_cert_args() -> Vec<String> {
    vec![
        "--cert".into(),
        testkeys("rsa2048/client-chain.pem"),
        "--key".into(),
        testkeys("rsa2048/client.key"),
    ]
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// openssl s_server on a free port with the rsa2048 server identity and `extra` flags.
fn s_server(extra: &[&str]) -> (Peer, u16) {
    let port = free_port();
    let accept = format!("127.0.0.1:{port}");
    let (key, cert, chain) = (
        testkeys("rsa2048/server.key"),
        testkeys("rsa2048/server.pem"),
        testkeys("rsa2048/intermediate.pem"),
    );
    let mut args = vec![
        "s_server",
        "-accept",
        &accept,
        "-tls1_1",
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

/// openssl s_client to `port` with `extra` flags, its stdin kept open.
fn s_client(port: u16, extra: &[&str]) -> Peer {
    let connect = format!("127.0.0.1:{port}");
    let mut args = vec!["s_client", "-connect", &connect, "-tls1_1", "-ign_eof"];
    args.extend_from_slice(extra);
    Peer::spawn("openssl", &args)
}

#[test]
fn psk_and_dhe_psk_between_client_and_server() {
    let (mut server, port) = our_server(&[
        "--count",
        "2",
        "--mode",
        "echo",
        "--psk",
        PSK_HEX,
        "--psk-identity",
        "device-7",
    ]);
    for suite in [
        "TLS_PSK_WITH_AES_128_CBC_SHA",
        "TLS_DHE_PSK_WITH_AES_256_CBC_SHA",
    ] {
        let out = our_client(
            port,
            &[
                "--psk",
                PSK_HEX,
                "--psk-identity",
                "device-7",
                "--cipher",
                suite,
                "--mode",
                "echo",
                "--message",
                "psk ping",
            ],
        );
        let text = out.join("\n");
        assert!(text.contains(&format!("TLS 1.2 {suite}")), "{text}");
        assert!(text.contains("psk ping"), "{text}");
    }
    assert!(
        server.wait_exit(T).unwrap(),
        "{}",
        server.output().join("\n")
    );
}

#[test]
fn a_wrong_psk_identity_or_key_fails_with_exit_1() {
    let (_server, port) = our_server(&["--count", "2", "--psk", PSK_HEX]);
    let connect = format!("127.0.0.1:{port}");
    for (id, key) in [("someone-else", PSK_HEX), (PSK_ID, "00112233")] {
        let (code, err) = fails(
            CLIENT,
            &[
                "--connect",
                &connect,
                "--psk",
                key,
                "--psk-identity",
                id,
                "--cipher",
                "TLS_PSK_WITH_AES_128_CBC_SHA",
            ],
        );
        assert_eq!(code, Some(1), "{id}: {err}");
        assert!(err.contains("handshake failed"), "{id}: {err}");
    }
}

#[test]
fn psk_client_against_openssl_s_server() {
    for (name, ours) in [
        ("PSK-AES128-CBC-SHA", "TLS_PSK_WITH_AES_128_CBC_SHA"),
        ("DHE-PSK-AES256-CBC-SHA", "TLS_DHE_PSK_WITH_AES_256_CBC_SHA"),
    ] {
        let cipher = format!("{name}:@SECLEVEL=0");
        let (_s, port) = s_server(&["-www", "-cipher", &cipher, "-psk", PSK_HEX]);
        let out = our_client(port, &["--psk", PSK_HEX, "--cipher", ours]);
        let text = out.join("\n");
        assert!(text.contains(&format!("TLS 1.1 {ours}")), "{text}");
        assert!(text.contains("HTTP/1.0 200 ok"), "{text}");
    }
}

#[test]
fn openssl_s_client_psk_against_server() {
    for (name, ours) in [
        ("PSK-AES256-CBC-SHA", "TLS_PSK_WITH_AES_256_CBC_SHA"),
        ("DHE-PSK-AES128-CBC-SHA", "TLS_DHE_PSK_WITH_AES_128_CBC_SHA"),
    ] {
        let (mut server, port) = our_server(&[
            "--count",
            "1",
            "--mode",
            "echo",
            "--psk",
            PSK_HEX,
            "--psk-identity",
            PSK_ID,
        ]);
        let cipher = format!("{name}:@SECLEVEL=0");
        let mut c = s_client(
            port,
            &["-cipher", &cipher, "-psk", PSK_HEX, "-psk_identity", PSK_ID],
        );
        c.send_stdin("ping over psk\n");
        c.wait_for("ping over psk", T).unwrap();
        server.wait_for(&format!("TLS 1.1 {ours}"), T).unwrap();
    }
}

#[test]
fn client_auth_between_client_and_server() {
    let ca = testkeys("rsa2048/ca.pem");
    let (mut server, port) = our_server(&["--count", "2", "--require-client-cert", "--ca", &ca]);
    // With its certificate the client gets the page; the server names it.
    let mut args = client_cert_args();
    args.extend(["--ca".into(), ca.clone()]);
    let out = our_client(port, &strs(&args));
    assert!(out.join("\n").contains("HTTP/1.0 200 OK"));
    server
        .wait_for("client certificate CN=matrix test client", T)
        .unwrap();
    // Without one the connection fails on both sides: in the handshake, or (in builds
    // with `server-will-accept-empty-client-cert-msg`) when the server checks afterwards.
    let connect = format!("127.0.0.1:{port}");
    let (code, err) = fails(CLIENT, &["--connect", &connect, "--ca", &ca]);
    assert_eq!(code, Some(1), "{err}");
    assert!(!server.wait_exit(T).unwrap(), "the server reported success");
    let log = server.output().join("\n");
    assert!(
        log.contains("handshake failed") || log.contains("presented no certificate"),
        "{log}"
    );
}

#[test]
fn a_client_certificate_from_another_ca_is_refused() {
    // The server trusts the rsa1024 CA only.
    let other = testkeys("rsa1024/ca.pem");
    let (mut server, port) = our_server(&["--count", "1", "--verify", "--ca", &other]);
    let connect = format!("127.0.0.1:{port}");
    let mut args = vec!["--connect".to_string(), connect];
    args.extend(client_cert_args());
    let (code, err) = fails(CLIENT, &strs(&args));
    assert_eq!(code, Some(1), "{err}");
    server
        .wait_for("the client's certificate does not verify", T)
        .unwrap();
}

#[test]
fn client_certificate_against_openssl_s_server_verify() {
    let ca = testkeys("rsa2048/ca.pem");
    let (mut s, port) = s_server(&[
        "-www",
        "-cipher",
        "AES128-SHA:@SECLEVEL=0",
        "-Verify",
        "1",
        "-CAfile",
        &ca,
    ]);
    let out = our_client(port, &strs(&client_cert_args()));
    let text = out.join("\n");
    assert!(text.contains("HTTP/1.0 200 ok"), "{text}");
    // s_server -www describes the session; -Verify logged the client's chain.
    s.wait_for("matrix test client", T).unwrap();
    // Without a certificate, s_server -Verify refuses.
    let connect = format!("127.0.0.1:{port}");
    let (code, err) = fails(CLIENT, &["--connect", &connect]);
    assert_eq!(code, Some(1), "{err}");
}

#[test]
fn openssl_s_client_certificate_against_server_require_client_cert() {
    let ca = testkeys("rsa2048/ca.pem");
    let (mut server, port) = our_server(&[
        "--count",
        "1",
        "--mode",
        "echo",
        "--require-client-cert",
        "--ca",
        &ca,
    ]);
    let (cert, key, chain) = (
        testkeys("rsa2048/client.pem"),
        testkeys("rsa2048/client.key"),
        testkeys("rsa2048/intermediate.pem"),
    );
    let mut c = s_client(
        port,
        &[
            "-cipher",
            "AES256-SHA:@SECLEVEL=0",
            "-cert",
            &cert,
            "-key",
            &key,
            "-cert_chain",
            &chain,
        ],
    );
    c.send_stdin("ping with a certificate\n");
    c.wait_for("ping with a certificate", T).unwrap();
    server
        .wait_for("client certificate CN=matrix test client", T)
        .unwrap();
}

#[test]
fn rehandshakes_between_client_and_server_both_directions() {
    // The server re-handshakes every 20 bytes it sends, the client every 10 (full ones):
    // each echo after the first starts with one from each side or a shared one.
    let (mut server, port) = our_server(&[
        "--count",
        "1",
        "--mode",
        "echo",
        "--rehandshake-after",
        "20",
        "--verify",
    ]);
    let mut args = client_cert_args();
    args.extend(
        [
            "--mode",
            "echo",
            "--message",
            "0123456789",
            "--repeat",
            "4",
            "--rehandshake-after",
            "10",
            "--rehandshake-full",
            "--trace",
        ]
        .map(String::from),
    );
    let out = our_client(port, &strs(&args));
    let text = out.join("\n");
    assert_eq!(count(&out, "0123456789"), 4, "{text}");
    assert!(text.contains("re-handshake(s) completed"), "{text}");
    assert!(text.contains("state: encode_rehandshake(full)"), "{text}");
    assert!(
        server.wait_exit(T).unwrap(),
        "{}",
        server.output().join("\n")
    );
    let log = server.output().join("\n");
    assert!(log.contains("re-handshake(s) completed"), "{log}");
}

/// How many handshakes openssl's `-state` output shows as finished by the client.
fn client_handshakes(p: &mut Peer) -> usize {
    p.output()
        .iter()
        .filter(|l| l.contains("SSL_connect:SSLv3/TLS read finished"))
        .count()
}

#[test]
fn server_rehandshakes_openssl_s_client() {
    let (mut server, port) =
        our_server(&["--count", "1", "--mode", "echo", "--rehandshake-after", "5"]);
    let mut c = s_client(port, &["-cipher", "AES128-SHA:@SECLEVEL=0", "-state"]);
    c.send_stdin("first line\n");
    c.wait_for("first line", T).unwrap();
    // The next echo starts with our HelloRequest: s_client renegotiates, then gets it.
    c.send_stdin("second line\n");
    c.wait_for("second line", T).unwrap();
    let end = std::time::Instant::now() + T;
    while client_handshakes(&mut c) < 2 {
        assert!(std::time::Instant::now() < end, "{}", c.output().join("\n"));
        std::thread::sleep(Duration::from_millis(20));
    }
    // The server's summary comes when the connection ends: end it.
    drop(c);
    server
        .wait_for("1 re-handshake(s) completed (resumed)", T)
        .unwrap();
}

#[test]
fn client_rehandshakes_with_openssl_s_server() {
    let (mut s, port) = s_server(&[
        "-cipher",
        "AES128-SHA:@SECLEVEL=0",
        "-client_renegotiation",
        "-state",
    ]);
    let connect = format!("127.0.0.1:{port}");
    let mut c = Peer::spawn(
        CLIENT,
        &[
            "--connect",
            &connect,
            "--mode",
            "raw",
            "--rehandshake-after",
            "11",
            "--trace",
        ],
    );
    // Words that s_server's own lines never contain ("done" holds "one").
    c.send_stdin("alpha-line\n");
    s.wait_for("alpha-line", T).unwrap();
    // The second line waits for the client's re-handshake.
    c.send_stdin("bravo-line\n");
    s.wait_for("bravo-line", T).unwrap();
    c.wait_for("re-handshake 1 complete (resumed)", T).unwrap();
    // s_server's state lines (stderr) and data (stdout) come through separate pipes: wait
    // for the second ClientHello's line rather than expect it before the data.
    let hellos = |s: &mut Peer| {
        s.output()
            .iter()
            .filter(|l| l.contains("SSL_accept:SSLv3/TLS read client hello"))
            .count()
    };
    let end = std::time::Instant::now() + T;
    while hellos(&mut s) < 2 {
        assert!(std::time::Instant::now() < end, "{}", s.output().join("\n"));
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(hellos(&mut s), 2, "{}", s.output().join("\n"));
}

#[test]
fn bad_values_of_the_new_flags_say_what_is_wrong() {
    let (code, err) = fails(CLIENT, &["--psk", "xyz1"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("xyz1") && err.contains("hex"), "{err}");
    let (code, err) = fails(CLIENT, &["--psk", "abc"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("even number"), "{err}");
    let long = "00".repeat(65);
    let (code, err) = fails(CLIENT, &["--psk", &long]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("65 bytes"), "{err}");
    let (code, err) = fails(CLIENT, &["--psk-identity", "x"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--psk"), "{err}");
    let id = "i".repeat(129);
    let (code, err) = fails(
        SERVER,
        &["--port", "0", "--psk", "00", "--psk-identity", &id],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--psk-identity"), "{err}");
    let (code, err) = fails(CLIENT, &["--rehandshake-after", "0"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--rehandshake-after"), "{err}");
    let ca = testkeys("rsa2048/ca.pem");
    let (code, err) = fails(SERVER, &["--port", "0", "--ca", &ca]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--verify"), "{err}");
    let (code, err) = fails(
        SERVER,
        &[
            "--port",
            "0",
            "--verify",
            "--ca",
            "/nonexistent/clients-ca.pem",
        ],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("cannot read CA file `/nonexistent/clients-ca.pem`"),
        "{err}"
    );
    let cert = testkeys("rsa2048/server.pem");
    let key = testkeys("rsa2048/server.key");
    let (code, err) = fails(
        SERVER,
        &["--port", "0", "--cert", &cert, "--key", &key, "--verify"],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--ca"), "{err}");
}

#[test]
fn quiet_prints_only_the_data() {
    let (mut server, port) = our_server(&["--count", "1", "--mode", "echo", "--quiet"]);
    let out = our_client(
        port,
        &["--mode", "echo", "--message", "just this", "--quiet"],
    );
    assert_eq!(out, vec!["just this".to_string()]);
    assert!(server.wait_exit(T).unwrap());
    let log = server.output();
    // Only the port announcement, which scripts need to find the server.
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(log[0].contains("listening on"), "{log:?}");
}

#[test]
fn a_der_client_identity_loads_next_to_the_built_in_ca() {
    // DER files read into memory (the built-in CA is in memory too) must not be separated
    // the way PEM files are.
    let (_server, port) = our_server(&["--count", "1"]);
    let chain = format!(
        "{};{}",
        testkeys("rsa2048/server.der"),
        testkeys("rsa2048/intermediate.der")
    );
    let key = testkeys("rsa2048/server-pkcs1.der");
    let out = our_client(port, &["--cert", &chain, "--key", &key]);
    assert!(out.join("\n").contains("HTTP/1.0 200 OK"));
}
