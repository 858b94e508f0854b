//! matrix-server and matrix-client as users run them: against each other, against
//! OpenSSL's s_server / s_client (TLS 1.0 and 1.1, AES; TLS 1.2 with OpenSSL's defaults) and tlslite-ng (SSL 3.0), all on
//! 127.0.0.1; resumption with `--reconnect`; the messages for a missing file and bad flags.
//!
//! Every process is a `matrix_interop::Peer`: its output is collected, every wait is
//! bounded, and it is killed when the test ends. A missing peer (openssl, the tlslite-ng
//! virtual environment of `cargo xtask peers`) fails the test, never skips it.

mod common;

use common::{CLIENT, SERVER, T, count, fails, our_client, our_server};
use matrix_interop::{Peer, free_port, peer_script, peers_python, testkeys};

#[test]
fn client_and_server_http_page_and_resumption() {
    let (mut server, port) = our_server(&["--count", "3"]);
    let out = our_client(
        port,
        &["--reconnect", "2", "--server-name", "device.matrix.test"],
    );
    let text = out.join("\n");
    assert_eq!(count(&out, "(full handshake)"), 1, "{text}");
    assert_eq!(count(&out, "(resumed)"), 2, "{text}");
    assert!(text.contains("HTTP/1.0 200 OK"), "{text}");
    assert!(text.contains("protocol: TLS 1.2"), "{text}");
    assert!(text.contains("session: resumed"), "{text}");
    assert!(
        server.wait_exit(T).unwrap(),
        "the server reported a failure"
    );
    let log = server.output().join("\n");
    assert_eq!(count(&server.output(), "(resumed)"), 2, "{log}");
    assert!(log.contains("server name device.matrix.test"), "{log}");
}

#[test]
fn client_and_server_every_version_echo_and_cipher_names() {
    for (version, cipher, name) in [
        ("ssl3", "TLS_RSA_WITH_AES_128_CBC_SHA", "SSL 3.0"),
        ("tls1.0", "0x0035", "TLS 1.0"),
        ("tls1.1", "0x002F", "TLS 1.1"),
    ] {
        let (_server, port) = our_server(&["--count", "1", "--mode", "echo", "--trace"]);
        let out = our_client(
            port,
            &[
                "--min-version",
                version,
                "--max-version",
                version,
                "--cipher",
                cipher,
                "--mode",
                "echo",
                "--message",
                "ping 42",
                "--trace",
            ],
        );
        let text = out.join("\n");
        assert!(
            text.contains(&format!("{name} TLS_RSA_WITH_AES_")),
            "{text}"
        );
        assert!(text.contains("ping 42"), "{text}");
        // The trace names the messages of the handshake and the states the session reports.
        for msg in [
            "ClientHello",
            "ServerHello",
            "Certificate",
            "ChangeCipherSpec",
        ] {
            assert!(text.contains(msg), "{msg} not traced:\n{text}");
        }
    }
}

#[test]
fn client_against_openssl_s_server() {
    for (flag, version, cipher, ours) in [
        ("-tls1", "TLS 1.0", "AES128-SHA", "0x002F"),
        ("-tls1_1", "TLS 1.1", "AES256-SHA", "0x0035"),
    ] {
        let port = free_port();
        let accept = format!("127.0.0.1:{port}");
        let cipher = format!("{cipher}:@SECLEVEL=0");
        let (key, cert, chain) = (
            testkeys("rsa2048/server.key"),
            testkeys("rsa2048/server.pem"),
            testkeys("rsa2048/intermediate.pem"),
        );
        let mut s = Peer::spawn(
            "openssl",
            &[
                "s_server",
                "-accept",
                &accept,
                flag,
                "-cipher",
                &cipher,
                "-www",
                "-key",
                &key,
                "-cert",
                &cert,
                "-cert_chain",
                &chain,
            ],
        );
        s.wait_for("ACCEPT", T).unwrap();
        let ca = testkeys("rsa2048/ca.pem");
        let out = our_client(port, &["--ca", &ca, "--cipher", ours, "--reconnect", "1"]);
        let text = out.join("\n");
        assert!(
            text.contains(&format!("{version} TLS_RSA_WITH_AES_")),
            "{text}"
        );
        assert!(
            text.contains("(resumed)"),
            "s_server did not resume:\n{text}"
        );
        // s_server -www answers with a page describing the session.
        assert!(text.contains("HTTP/1.0 200 ok"), "{text}");
    }
}

/// The acceptance check of TLS 1.2: matrix-client, with nothing but `--ca`, gets TLS 1.2
/// with an AES-GCM suite from an `openssl s_server` with its default settings, and
/// `openssl s_client` with only `-CAfile` gets the same from matrix-server.
#[test]
fn tls12_with_default_openssl_both_ways() {
    let port = free_port();
    let accept = format!("127.0.0.1:{port}");
    let (key, cert, chain, ca) = (
        testkeys("rsa2048/server.key"),
        testkeys("rsa2048/server.pem"),
        testkeys("rsa2048/intermediate.pem"),
        testkeys("rsa2048/ca.pem"),
    );
    let mut s = Peer::spawn(
        "openssl",
        &[
            "s_server",
            "-accept",
            &accept,
            "-www",
            "-key",
            &key,
            "-cert",
            &cert,
            "-cert_chain",
            &chain,
        ],
    );
    s.wait_for("ACCEPT", T).unwrap();
    let out = our_client(port, &["--ca", &ca]);
    let text = out.join("\n");
    assert!(text.contains("TLS 1.2 TLS_"), "{text}");
    assert!(text.contains("_GCM_"), "{text}");
    assert!(text.contains("Protocol  : TLSv1.2"), "{text}");

    let (mut server, port) = our_server(&["--count", "1", "--mode", "echo"]);
    let connect = format!("127.0.0.1:{port}");
    let mut c = Peer::spawn(
        "openssl",
        &["s_client", "-connect", &connect, "-CAfile", &ca, "-ign_eof"],
    );
    c.send_stdin("ping\n");
    c.wait_for("ping", T).unwrap();
    let out = c.output().join("\n");
    assert!(out.contains("Protocol  : TLSv1.2"), "{out}");
    assert!(out.contains("GCM"), "{out}");
    assert!(out.contains("Secure Renegotiation IS supported"), "{out}");
    assert!(out.contains("Extended master secret: yes"), "{out}");
    drop(c);
    let _ = server.wait_exit(T);
}

/// The TLS 1.2 suites by OpenSSL's and IANA's names, with OpenSSL's `-tls1_2` style flag
/// (`--tls1_2`), in both programs, against OpenSSL's default settings.
#[test]
fn tls12_suites_by_both_names_and_exact_version_flags() {
    let (key, cert, chain, ca) = (
        testkeys("rsa2048/server.key"),
        testkeys("rsa2048/server.pem"),
        testkeys("rsa2048/intermediate.pem"),
        testkeys("rsa2048/ca.pem"),
    );
    for (given, iana, openssl) in [
        (
            "AES256-GCM-SHA384",
            "TLS_RSA_WITH_AES_256_GCM_SHA384",
            "AES256-GCM-SHA384",
        ),
        (
            "tls_dhe_rsa_with_aes_128_cbc_sha256",
            "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
            "DHE-RSA-AES128-SHA256",
        ),
    ] {
        // matrix-client against s_server.
        let port = free_port();
        let accept = format!("127.0.0.1:{port}");
        let mut s = Peer::spawn(
            "openssl",
            &[
                "s_server",
                "-accept",
                &accept,
                "-www",
                "-key",
                &key,
                "-cert",
                &cert,
                "-cert_chain",
                &chain,
            ],
        );
        s.wait_for("ACCEPT", T).unwrap();
        let out = our_client(port, &["--ca", &ca, "--tls1_2", "--cipher", given]);
        let text = out.join("\n");
        assert!(text.contains(&format!("TLS 1.2 {iana}")), "{text}");
        assert!(text.contains(&format!("Cipher    : {openssl}")), "{text}");

        // s_client against matrix-server.
        let (mut server, port) = our_server(&[
            "--count", "1", "--mode", "echo", "--tls1_2", "--cipher", given,
        ]);
        let connect = format!("127.0.0.1:{port}");
        let mut c = Peer::spawn(
            "openssl",
            &["s_client", "-connect", &connect, "-CAfile", &ca, "-ign_eof"],
        );
        c.send_stdin("ping\n");
        c.wait_for("ping", T).unwrap();
        let out = c.output().join("\n");
        assert!(out.contains("Protocol  : TLSv1.2"), "{out}");
        assert!(out.contains(&format!("Cipher    : {openssl}")), "{out}");
        drop(c);
        let _ = server.wait_exit(T);
    }
    // An exact version excludes the range flags, and names the conflict.
    let (code, err) = fails(CLIENT, &["--tls1_2", "--max-version", "tls1.1"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("--tls1_2") && err.contains("--max-version"),
        "{err}"
    );
    // --tls1_1 against a TLS 1.2-only peer fails.
    let (server, port) = our_server(&["--count", "1", "--tls1_2"]);
    let (code, err) = fails(
        CLIENT,
        &["--connect", &format!("127.0.0.1:{port}"), "--tls1_1"],
    );
    assert_eq!(code, Some(1), "{err}");
    drop(server);
    let v = std::process::Command::new(CLIENT)
        .arg("--version")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&v.stdout).starts_with("matrix-client "));
}

#[test]
fn openssl_s_client_against_server() {
    for (flag, version, cipher) in [
        ("-tls1", "TLSv1", "AES128-SHA"),
        ("-tls1_1", "TLSv1.1", "AES256-SHA"),
    ] {
        let (_server, port) = our_server(&["--count", "2", "--mode", "echo"]);
        let connect = format!("127.0.0.1:{port}");
        let cipher = format!("{cipher}:@SECLEVEL=0");
        let sess = std::env::temp_dir().join(format!("matrix-apps-sess-{port}"));
        let sess = sess.to_string_lossy().into_owned();
        for (i, sflag) in ["-sess_out", "-sess_in"].into_iter().enumerate() {
            let mut c = Peer::spawn(
                "openssl",
                &[
                    "s_client", "-connect", &connect, flag, "-cipher", &cipher, sflag, &sess,
                    "-ign_eof",
                ],
            );
            c.send_stdin("ping from s_client\n");
            c.wait_for("ping from s_client", T).unwrap();
            c.wait_for(&format!("Protocol  : {version}"), T).unwrap();
            c.wait_for(if i == 0 { "New," } else { "Reused," }, T)
                .unwrap();
        }
        let _ = std::fs::remove_file(&sess);
    }
}

#[test]
fn client_against_tlslite_ssl3() {
    let port = free_port();
    let port_s = port.to_string();
    let (cert, key) = (
        testkeys("rsa2048/server-chain.pem"),
        testkeys("rsa2048/server.key"),
    );
    let mut s = Peer::spawn(
        &peers_python(),
        &[
            &peer_script("tl_peer.py"),
            "server",
            "--port",
            &port_s,
            "--min",
            "ssl3",
            "--max",
            "ssl3",
            "--cipher",
            "aes128",
            "--cert",
            &cert,
            "--key",
            &key,
            "--count",
            "2",
        ],
    );
    s.wait_for("LISTENING", T).unwrap();
    let out = our_client(
        port,
        &[
            "--max-version",
            "ssl3",
            "--cipher",
            "TLS_RSA_WITH_AES_128_CBC_SHA",
            "--mode",
            "echo",
            "--message",
            "hi tlslite",
            "--reconnect",
            "1",
        ],
    );
    let text = out.join("\n");
    assert!(
        text.contains("SSL 3.0 TLS_RSA_WITH_AES_128_CBC_SHA (full handshake)"),
        "{text}"
    );
    assert!(
        text.contains("(resumed)"),
        "tlslite-ng did not resume:\n{text}"
    );
    assert!(text.contains("ECHO:hi tlslite"), "{text}");
    s.wait_for("RESULT server version=ssl3", T).unwrap();
}

#[test]
fn tlslite_ssl3_client_against_server() {
    let (mut server, port) = our_server(&[
        "--count",
        "2",
        "--mode",
        "echo",
        "--min-version",
        "ssl3",
        "--max-version",
        "ssl3",
        "--cipher",
        "TLS_RSA_WITH_AES_128_CBC_SHA",
    ]);
    let port_s = port.to_string();
    let mut c = Peer::spawn(
        &peers_python(),
        &[
            &peer_script("tl_peer.py"),
            "client",
            "--port",
            &port_s,
            "--min",
            "ssl3",
            "--max",
            "ssl3",
            "--cipher",
            "aes128",
            "--resume",
        ],
    );
    assert!(c.wait_exit(T).unwrap(), "{}", c.output().join("\n"));
    let out = c.output().join("\n");
    assert!(out.contains("version=ssl3"), "{out}");
    assert!(out.contains("resumed=True"), "{out}");
    assert!(out.contains("hello from tlslite"), "{out}");
    assert!(server.wait_exit(T).unwrap());
    assert_eq!(
        count(
            &server.output(),
            "SSL 3.0 TLS_RSA_WITH_AES_128_CBC_SHA (resumed)"
        ),
        1
    );
}

#[test]
fn missing_and_bad_files_are_named() {
    let (code, err) = fails(
        SERVER,
        &[
            "--port",
            "0",
            "--cert",
            "/nonexistent/server.pem",
            "--key",
            "/nonexistent/k",
        ],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("cannot read certificate file `/nonexistent/server.pem`"),
        "{err}"
    );
    // A certificate where the key should be.
    let cert = testkeys("rsa2048/server.pem");
    let (code, err) = fails(SERVER, &["--port", "0", "--cert", &cert, "--key", &cert]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains(&format!("`{cert}`")), "{err}");
    let (code, err) = fails(CLIENT, &["--ca", "/nonexistent/ca.pem"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("cannot read CA file `/nonexistent/ca.pem`"),
        "{err}"
    );
    // An encrypted key without its password.
    let enc = testkeys("rsa2048/server-enc-aes-128-cbc.pem");
    let (code, err) = fails(SERVER, &["--port", "0", "--cert", &cert, "--key", &enc]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains(&enc), "{err}");
}

#[test]
fn bad_flags_say_what_is_wrong() {
    let (code, err) = fails(CLIENT, &["--max-version", "tls9"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("unknown protocol version `tls9`"), "{err}");
    // A name that means nothing is unknown, and the compiled suites are listed with both
    // their IANA and OpenSSL names.
    let (code, err) = fails(CLIENT, &["--cipher", "TLS_NOT_A_SUITE"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("unknown cipher suite `TLS_NOT_A_SUITE`")
            && err.contains("TLS_RSA_WITH_AES_128_CBC_SHA or AES128-SHA (0x002F)"),
        "{err}"
    );
    // A PSK suite (by its OpenSSL name) without --psk: the key is missing.
    for (prog, args) in [
        (CLIENT, &["--cipher", "PSK-AES128-CBC-SHA"][..]),
        (
            SERVER,
            &["--port", "0", "--cipher", "PSK-AES128-CBC-SHA"][..],
        ),
    ] {
        let (code, err) = fails(prog, args);
        assert_eq!(code, Some(2), "{err}");
        assert!(
            err.contains("the key is missing") && err.contains("--psk"),
            "{err}"
        );
    }
    // --connect takes HOST:PORT.
    let (code, err) = fails(CLIENT, &["--connect", "nonsense"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("HOST:PORT"), "{err}");
    let (code, err) = fails(SERVER, &["--no-such-flag"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--no-such-flag"), "{err}");
    let (code, err) = fails(
        CLIENT,
        &["--min-version", "tls1.1", "--max-version", "ssl3"],
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--min-version"), "{err}");
    // Nothing listens on a fresh port: a connection failure is exit 1.
    let port = free_port().to_string();
    let (code, err) = fails(CLIENT, &["--connect", &format!("127.0.0.1:{port}")]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("cannot connect") && err.contains("HOST:PORT"),
        "{err}"
    );
}

#[test]
fn curl_against_server() {
    // curl's OpenSSL 3 speaks TLS 1.0 and 1.1 only at security level 0.
    for (flag, max, version) in [
        ("--tlsv1.0", "1.0", "TLS 1.0"),
        ("--tlsv1.1", "1.1", "TLS 1.1"),
    ] {
        let (_server, port) = our_server(&["--count", "1"]);
        let url = format!("https://127.0.0.1:{port}/");
        let ca = testkeys("rsa2048/ca.pem");
        let mut c = Peer::spawn(
            "curl",
            &[
                "-sS",
                "--max-time",
                "20",
                "--cacert",
                &ca,
                flag,
                "--tls-max",
                max,
                "--ciphers",
                "AES128-SHA:@SECLEVEL=0",
                &url,
            ],
        );
        assert!(c.wait_exit(T).unwrap(), "{}", c.output().join("\n"));
        let out = c.output().join("\n");
        assert!(out.contains(&format!("protocol: {version}")), "{out}");
        assert!(out.contains("TLS_RSA_WITH_AES_128_CBC_SHA"), "{out}");
    }
}

#[test]
fn an_untrusted_server_fails_the_handshake_with_exit_1() {
    let (_server, port) = our_server(&["--count", "2"]);
    let connect = format!("127.0.0.1:{port}");
    let other_ca = testkeys("rsa1024/ca.pem");
    let (code, err) = fails(CLIENT, &["--connect", &connect, "--ca", &other_ca]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("was refused") && err.contains("UnknownCa"),
        "{err}"
    );
    // --insecure accepts it.
    let out = our_client(port, &["--ca", &other_ca, "--insecure"]);
    assert!(out.join("\n").contains("HTTP/1.0 200 OK"));
}

#[test]
fn raw_mode_carries_stdin_both_ways() {
    let (mut server, port) = our_server(&["--mode", "raw", "--quiet"]);
    let connect = format!("127.0.0.1:{port}");
    let mut client = Peer::spawn(CLIENT, &["--connect", &connect, "--mode", "raw", "--quiet"]);
    client.send_stdin("from the client\n");
    server.wait_for("from the client", T).unwrap();
    server.send_stdin("from the server\n");
    client.wait_for("from the server", T).unwrap();
}

/// RFC 5077 session tickets, on by default in both programs: matrix-server without a
/// session cache (`--session-cache 0`) still resumes, by ticket, for `openssl s_client`
/// (`-sess_out` / `-sess_in`) and for matrix-client (`--reconnect`); matrix-client resumes
/// by ticket with `openssl s_server -no_cache`; `--no-ticket` turns them off.
#[test]
fn session_tickets_without_a_server_cache() {
    let ca = testkeys("rsa2048/ca.pem");
    // s_client against matrix-server.
    let (mut server, port) =
        our_server(&["--count", "2", "--mode", "echo", "--session-cache", "0"]);
    let connect = format!("127.0.0.1:{port}");
    let sess = std::env::temp_dir().join(format!("matrix-apps-ticket-{port}"));
    let sess = sess.to_string_lossy().into_owned();
    for (i, sflag) in ["-sess_out", "-sess_in"].into_iter().enumerate() {
        let mut c = Peer::spawn(
            "openssl",
            &[
                "s_client", "-connect", &connect, "-CAfile", &ca, sflag, &sess, "-ign_eof",
            ],
        );
        c.send_stdin("ping from s_client\n");
        c.wait_for("ping from s_client", T).unwrap();
        c.wait_for(if i == 0 { "New," } else { "Reused," }, T)
            .unwrap();
    }
    let _ = std::fs::remove_file(&sess);
    assert!(server.wait_exit(T).unwrap());
    assert_eq!(count(&server.output(), "(resumed)"), 1);

    // matrix-client against matrix-server, with and without tickets.
    let (mut server, port) = our_server(&["--count", "2", "--session-cache", "0"]);
    let out = our_client(port, &["--reconnect", "1"]);
    let text = out.join("\n");
    assert_eq!(count(&out, "(resumed)"), 1, "{text}");
    assert!(text.contains("session ticket of"), "{text}");
    assert!(server.wait_exit(T).unwrap());
    let (mut server, port) = our_server(&["--count", "2", "--session-cache", "0", "--no-ticket"]);
    let out = our_client(port, &["--reconnect", "1"]);
    let text = out.join("\n");
    assert_eq!(count(&out, "(full handshake)"), 2, "{text}");
    assert!(!text.contains("session ticket of"), "{text}");
    assert!(server.wait_exit(T).unwrap());

    // matrix-client against s_server without a cache.
    let port = free_port();
    let accept = format!("127.0.0.1:{port}");
    let (key, cert, chain) = (
        testkeys("rsa2048/server.key"),
        testkeys("rsa2048/server.pem"),
        testkeys("rsa2048/intermediate.pem"),
    );
    let mut s = Peer::spawn(
        "openssl",
        &[
            "s_server",
            "-accept",
            &accept,
            "-www",
            "-no_cache",
            "-key",
            &key,
            "-cert",
            &cert,
            "-cert_chain",
            &chain,
        ],
    );
    s.wait_for("ACCEPT", T).unwrap();
    let out = our_client(port, &["--ca", &ca, "--reconnect", "1"]);
    let text = out.join("\n");
    assert_eq!(count(&out, "(resumed)"), 1, "{text}");
    assert!(text.contains("Reused"), "{text}");
}
