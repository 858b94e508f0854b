//! matrix-dtls-server and matrix-dtls-client as users run them, over UDP on 127.0.0.1:
//! against each other (echo and HTTP-like modes, resumption with `--reconnect`, PSK with
//! a small `--pmtu` so that the handshake is fragmented, client authentication), against
//! `openssl s_server -dtls1` and `openssl s_client -dtls1` (AES and PSK suites, full and
//! resumed handshakes, data both ways; a server name its certificate does not carry refused,
//! `--insecure` accepted) and their `-dtls1_2` with OpenSSL's defaults (AES-GCM), the DTLS
//! version chosen with `--min-version`/`--max-version`, through a relay that drops the server's flight (the
//! retransmission timer), and the messages and exit codes of bad flags,
//! missing files and a server that does not answer. The options shared with the TCP
//! programs, with the same meaning: RFC 5077 session tickets (on by default; resumption by
//! ticket with no server cache for `s_client -dtls1_2 -sess_out/-sess_in` and our client,
//! our client against `s_server -dtls1_2 -no_cache`, `--no-ticket`) and
//! `--rehandshake-after` (both programs at once, our client with `s_server -dtls1_2`, our
//! server with `s_client -dtls1_2`).
//!
//! Every process is a `matrix_interop::Peer`: its output is collected, every wait is
//! bounded, and it is killed when the test ends. A missing openssl fails the test.

mod common;

use std::time::{Duration, Instant};

use common::{T, count, fails};
use matrix_interop::{Peer, free_port, testkeys};

const SERVER: &str = env!("CARGO_BIN_EXE_matrix-dtls-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_matrix-dtls-client");
const PSK_HEX: &str = "1a2b3c4d5e6f708192a3b4c5d6e7f801";
/// A short retransmission timer, so that a peer that went away is given up quickly.
const FAST: [&str; 4] = ["--timeout", "100", "--retries", "3"];

/// Starts matrix-dtls-server on a free UDP port with `args`; returns it and the port.
fn our_server(args: &[&str]) -> (Peer, u16) {
    let mut all = vec!["--port", "0"];
    all.extend_from_slice(&FAST);
    all.extend_from_slice(args);
    let mut p = Peer::spawn(SERVER, &all);
    let line = p.wait_for("listening on", T).unwrap();
    let port = line
        .split_whitespace()
        .find_map(|w| w.rsplit(':').next().and_then(|p| p.parse().ok()))
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    (p, port)
}

/// Starts matrix-dtls-client against 127.0.0.1:`port` with `args`.
fn our_client(port: u16, args: &[&str]) -> Peer {
    let connect = format!("127.0.0.1:{port}");
    let mut all = vec!["--connect", connect.as_str()];
    all.extend_from_slice(args);
    Peer::spawn(CLIENT, &all)
}

/// Runs matrix-dtls-client to a successful end; returns its output.
fn client_ok(port: u16, args: &[&str]) -> String {
    let mut c = our_client(port, args);
    let ok = c.wait_exit(T).unwrap();
    let out = c.output().join("\n");
    assert!(ok, "matrix-dtls-client {args:?} failed:\n{out}");
    out
}

/// [`client_ok`]'s output as lines.
fn client_lines(port: u16, args: &[&str]) -> Vec<String> {
    client_ok(port, args).lines().map(str::to_string).collect()
}

/// Waits until `n` output lines of `p` contain `needle`.
fn wait_count(p: &mut Peer, needle: &str, n: usize) {
    let end = Instant::now() + T;
    while count(&p.output(), needle) < n {
        assert!(
            Instant::now() < end,
            "no {n} lines with {needle:?}:\n{}",
            p.output().join("\n")
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn client_and_server_echo_with_resumption() {
    let (mut server, port) = our_server(&["--count", "3", "--mode", "echo"]);
    let out = client_ok(
        port,
        &["--mode", "echo", "--message", "ping 7", "--reconnect", "2"],
    );
    let lines: Vec<String> = out.lines().map(str::to_string).collect();
    // Both programs offer DTLS 1.2 by default.
    assert_eq!(count(&lines, "DTLS 1.2 TLS_"), 3, "{out}");
    assert_eq!(count(&lines, "(full handshake)"), 1, "{out}");
    assert_eq!(count(&lines, "(resumed)"), 2, "{out}");
    assert_eq!(count(&lines, "ping 7"), 3, "{out}");
    assert!(
        server.wait_exit(T).unwrap(),
        "the server reported a failure"
    );
    assert_eq!(count(&server.output(), "(resumed)"), 2);
}

#[test]
fn client_and_server_http_page_psk_fragmented_by_a_small_pmtu() {
    let psk = ["--psk", PSK_HEX, "--psk-identity", "device-7"];
    let mut sargs = vec!["--count", "1", "--pmtu", "200", "--trace"];
    sargs.extend_from_slice(&psk);
    let (mut server, port) = our_server(&sargs);
    let mut cargs = vec!["--cipher", "TLS_PSK_WITH_AES_128_CBC_SHA", "--pmtu", "200"];
    cargs.extend_from_slice(&psk);
    let out = client_ok(port, &cargs);
    assert!(out.contains("HTTP/1.0 200 OK"), "{out}");
    assert!(
        out.contains("DTLS 1.2 TLS_PSK_WITH_AES_128_CBC_SHA (full handshake)"),
        "{out}"
    );
    assert!(server.wait_exit(T).unwrap());
    // Every datagram the server sent fits the PMTU.
    let log = server.output();
    let sizes: Vec<usize> = log
        .iter()
        .filter_map(|l| l.split("sent a datagram of ").nth(1))
        .filter_map(|r| r.split_whitespace().next()?.parse().ok())
        .collect();
    assert!(sizes.len() > 3, "{}", log.join("\n"));
    assert!(sizes.iter().all(|n| *n <= 200), "{sizes:?}");
}

#[test]
fn client_authentication_between_our_programs() {
    let (mut server, port) = our_server(&["--count", "1", "--verify", "--mode", "echo"]);
    let (cert, key) = (
        testkeys("rsa2048/client-chain.pem"),
        testkeys("rsa2048/client.key"),
    );
    let out = client_ok(port, &["--mode", "echo", "--cert", &cert, "--key", &key]);
    assert!(out.contains("hello from matrix-client"), "{out}");
    assert!(server.wait_exit(T).unwrap());
    let log = server.output().join("\n");
    assert!(log.contains("client certificate CN="), "{log}");

    // Without a certificate the server refuses the client.
    let (mut server, port) = our_server(&["--count", "1", "--require-client-cert"]);
    let mut c = our_client(port, &FAST);
    assert!(!c.wait_exit(T).unwrap(), "{}", c.output().join("\n"));
    assert!(
        !server.wait_exit(T).unwrap(),
        "the server reported no failure"
    );
}

/// `openssl s_server -dtls1` with the rsa2048 identity, the PSK and `cipher`.
fn s_server(cipher: &str) -> (Peer, u16) {
    let cipher = format!("{cipher}:@SECLEVEL=0");
    s_server_with("-dtls1", &["-cipher", &cipher, "-psk", PSK_HEX])
}

/// `openssl s_server` speaking `version` (`-dtls1`, `-dtls1_2`) with the rsa2048 identity
/// on a free port, and `extra`.
fn s_server_with(version: &str, extra: &[&str]) -> (Peer, u16) {
    let port = free_port();
    let accept = format!("127.0.0.1:{port}");
    let (key, cert, chain) = (
        testkeys("rsa2048/server.key"),
        testkeys("rsa2048/server.pem"),
        testkeys("rsa2048/intermediate.pem"),
    );
    let mut args = vec![
        "s_server",
        version,
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
fn our_client_against_openssl_s_server_dtls1() {
    for (openssl, ours) in [
        ("AES128-SHA", "TLS_RSA_WITH_AES_128_CBC_SHA"),
        ("AES256-SHA", "TLS_RSA_WITH_AES_256_CBC_SHA"),
        ("PSK-AES128-CBC-SHA", "TLS_PSK_WITH_AES_128_CBC_SHA"),
    ] {
        let (mut server, port) = s_server(openssl);
        let ca = testkeys("rsa2048/ca.pem");
        let message = format!("ping over {openssl}");
        let mut client = our_client(
            port,
            &[
                "--ca",
                &ca,
                "--cipher",
                ours,
                "--psk",
                PSK_HEX,
                "--mode",
                "echo",
                "--message",
                &message,
                "--reconnect",
                "1",
            ],
        );
        // s_server prints what it receives; we type it back as its user (an echo), and
        // the client reconnects after the first echo.
        for i in 1..=2 {
            wait_count(&mut server, &message, i);
            server.send_stdin(&format!("{message}\n"));
        }
        assert!(
            client.wait_exit(T).unwrap(),
            "{openssl}: {}",
            client.output().join("\n")
        );
        let out = client.output();
        let text = out.join("\n");
        assert_eq!(
            count(&out, &format!("DTLS 1.0 {ours} (full handshake)")),
            1,
            "{text}"
        );
        assert_eq!(
            count(&out, &format!("DTLS 1.0 {ours} (resumed)")),
            1,
            "s_server did not resume: {text}"
        );
    }
}

/// The DTLS client checks the server's certificate with the standard validator by default:
/// a name the certificate does not carry is refused (bad_certificate, which s_server
/// reports), `--insecure` turns the check off.
#[test]
fn our_client_refuses_a_wrong_name_from_openssl_s_server_dtls1() {
    let ca = testkeys("rsa2048/ca.pem");
    let (mut server, port) = s_server("AES128-SHA");
    let mut client = our_client(
        port,
        &["--ca", &ca, "--server-name", "evil.org", "--mode", "echo"],
    );
    assert!(!client.wait_exit(T).unwrap());
    let out = client.output().join("\n");
    assert!(out.contains("does not name the host"), "{out}");
    server.wait_for("alert number 42", T).unwrap();
    drop(server);
    let (mut server, port) = s_server("AES128-SHA");
    let message = "ping with --insecure";
    let mut client = our_client(
        port,
        &[
            "--ca",
            &ca,
            "--server-name",
            "evil.org",
            "--insecure",
            "--mode",
            "echo",
            "--message",
            message,
        ],
    );
    wait_count(&mut server, message, 1);
    server.send_stdin(&format!("{message}\n"));
    assert!(
        client.wait_exit(T).unwrap(),
        "{}",
        client.output().join("\n")
    );
}

#[test]
fn openssl_s_client_dtls1_against_our_server() {
    for (openssl, ours, psk) in [
        ("AES128-SHA", "TLS_RSA_WITH_AES_128_CBC_SHA", false),
        ("AES256-SHA", "TLS_RSA_WITH_AES_256_CBC_SHA", false),
        ("PSK-AES256-CBC-SHA", "TLS_PSK_WITH_AES_256_CBC_SHA", true),
    ] {
        let (mut server, port) = our_server(&["--count", "2", "--mode", "echo", "--psk", PSK_HEX]);
        let connect = format!("127.0.0.1:{port}");
        let cipher = format!("{openssl}:@SECLEVEL=0");
        let sess = std::env::temp_dir().join(format!("matrix-dtls-apps-sess-{port}"));
        let sess = sess.to_string_lossy().into_owned();
        for sflag in ["-sess_out", "-sess_in"] {
            let mut args = vec![
                "s_client", "-dtls1", "-connect", &connect, "-cipher", &cipher, sflag, &sess,
            ];
            if psk {
                args.extend_from_slice(&["-psk", PSK_HEX, "-psk_identity", "Client_identity"]);
            }
            let mut c = Peer::spawn("openssl", &args);
            // Data both ways: s_client sends its input line, our server echoes it.
            c.wait_for("CONNECTED", T).unwrap();
            let line = format!("line from s_client {sflag}");
            std::thread::sleep(Duration::from_millis(300));
            c.send_stdin(&format!("{line}\n"));
            c.wait_for(&line, T).unwrap();
            // Q: s_client sends close_notify and exits.
            c.send_stdin("Q\n");
            let _ = c.wait_exit(T);
        }
        let _ = std::fs::remove_file(&sess);
        assert!(
            server.wait_exit(T).unwrap(),
            "{}",
            server.output().join("\n")
        );
        let log = server.output();
        let text = log.join("\n");
        assert_eq!(
            count(&log, &format!("DTLS 1.0 {ours} (full handshake)")),
            1,
            "{text}"
        );
        assert_eq!(
            count(&log, &format!("DTLS 1.0 {ours} (resumed)")),
            1,
            "{text}"
        );
    }
}

#[test]
fn bad_flags_and_files_give_the_documented_errors() {
    for (program, args, code, needle) in [
        (
            CLIENT,
            &["--cipher", "SSL_RSA_WITH_RC4_128_MD5"][..],
            2,
            "RC4 suites do not exist in DTLS",
        ),
        (
            SERVER,
            &["--max-version", "tls1.0"][..],
            2,
            "the DTLS programs speak dtls1.0 (RFC 4347) and dtls1.2 (RFC 6347)",
        ),
        (
            CLIENT,
            &["--min-version", "dtls1.2", "--max-version", "dtls1.0"][..],
            2,
            "--min-version is newer than --max-version",
        ),
        (
            CLIENT,
            &["--max-version", "dtls1.3"][..],
            2,
            "unknown protocol version",
        ),
        (
            CLIENT,
            &["--max-version", "dtls1.0", "--cipher", "AES128-GCM-SHA256"][..],
            2,
            "a DTLS 1.2 suite, outside --min-version/--max-version",
        ),
        (
            CLIENT,
            &["--rehandshake-full"][..],
            2,
            "--rehandshake-after",
        ),
        (SERVER, &["--pmtu", "50"][..], 2, "--pmtu"),
        (
            CLIENT,
            &["--cipher", "NO_SUCH_SUITE"][..],
            2,
            "NO_SUCH_SUITE",
        ),
        (CLIENT, &["--psk", "abc"][..], 2, "not a key in hex"),
        (
            SERVER,
            &[
                "--cert",
                "/nonexistent/cert.pem",
                "--key",
                "/nonexistent/key.pem",
            ][..],
            2,
            "cannot read certificate file `/nonexistent/cert.pem`",
        ),
        (
            CLIENT,
            &["--ca", "/nonexistent/ca.pem"][..],
            2,
            "/nonexistent/ca.pem",
        ),
        (
            CLIENT,
            &["--mode", "raw", "--reconnect", "1"][..],
            2,
            "--reconnect does not go with --mode raw",
        ),
    ] {
        let (got, stderr) = fails(program, args);
        assert_eq!(got, Some(code), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
    }
    // Nobody answers: the retransmission timer gives up (exit 1).
    let port = free_port().to_string();
    let connect = format!("127.0.0.1:{port}");
    let (got, stderr) = fails(
        CLIENT,
        &["--connect", &connect, "--timeout", "50", "--retries", "2"],
    );
    assert_eq!(got, Some(1), "{stderr}");
    assert!(
        stderr.contains("gave up after 2 retransmission timeouts"),
        "{stderr}"
    );
    // --help documents the DTLS flags (the versions as DTLS ones) and the exit codes, not
    // the TCP-only ones.
    let help = std::process::Command::new(CLIENT)
        .arg("--help")
        .output()
        .unwrap();
    assert_eq!(help.status.code(), Some(0));
    let help = String::from_utf8_lossy(&help.stdout);
    for flag in [
        "--pmtu",
        "--timeout",
        "--retries",
        "--reconnect",
        "--psk",
        "--min-version",
        "dtls1.2",
        "--rehandshake-after",
        "--no-ticket",
        "Exit codes",
    ] {
        assert!(help.contains(flag), "{flag} missing from --help:\n{help}");
    }
    assert!(!help.contains("tls1.1"), "{help}");
}

/// `--min-version`/`--max-version` choose the DTLS version: a client allowed only DTLS 1.0
/// gets DTLS 1.0 from our server (which speaks both), and a server that requires DTLS 1.2
/// refuses it.
#[test]
fn the_dtls_version_is_chosen_with_min_and_max_version() {
    let (mut server, port) = our_server(&["--count", "1", "--mode", "echo"]);
    let out = client_ok(port, &["--mode", "echo", "--max-version", "dtls1.0"]);
    assert_eq!(
        count(
            &out.lines().map(str::to_string).collect::<Vec<_>>(),
            "DTLS 1.0 TLS_"
        ),
        1,
        "{out}"
    );
    assert!(server.wait_exit(T).unwrap());
    assert_eq!(count(&server.output(), "DTLS 1.0 TLS_"), 1);

    let (mut server, port) = our_server(&["--count", "1", "--min-version", "dtls1.2"]);
    let mut args = vec!["--max-version", "dtls1.0"];
    args.extend_from_slice(&FAST);
    let mut c = our_client(port, &args);
    assert!(!c.wait_exit(T).unwrap(), "{}", c.output().join("\n"));
    assert!(
        !server.wait_exit(T).unwrap(),
        "the server reported no failure"
    );
    let log = server.output().join("\n");
    assert!(log.contains("handshake failed"), "{log}");
}

/// DTLS 1.2 with OpenSSL 3's defaults (no `@SECLEVEL`): matrix-dtls-client against
/// `openssl s_server -dtls1_2` (AES-GCM, resumed once), and `openssl s_client -dtls1_2`
/// against matrix-dtls-server (its default suite choice, an AES-GCM one).
#[test]
fn dtls1_2_with_openssl_defaults_both_ways() {
    let ca = testkeys("rsa2048/ca.pem");
    let (mut server, port) = s_server_with("-dtls1_2", &[]);
    let message = "ping over DTLS 1.2";
    let mut client = our_client(
        port,
        &[
            "--ca",
            &ca,
            "--cipher",
            "AES128-GCM-SHA256",
            "--mode",
            "echo",
            "--message",
            message,
            "--reconnect",
            "1",
        ],
    );
    for i in 1..=2 {
        wait_count(&mut server, message, i);
        server.send_stdin(&format!("{message}\n"));
    }
    assert!(
        client.wait_exit(T).unwrap(),
        "{}",
        client.output().join("\n")
    );
    let out = client.output();
    let text = out.join("\n");
    let suite = "TLS_RSA_WITH_AES_128_GCM_SHA256";
    assert_eq!(
        count(&out, &format!("DTLS 1.2 {suite} (full handshake)")),
        1,
        "{text}"
    );
    assert_eq!(
        count(&out, &format!("DTLS 1.2 {suite} (resumed)")),
        1,
        "{text}"
    );
    drop(server);

    let (mut server, port) = our_server(&["--count", "1", "--mode", "echo"]);
    let connect = format!("127.0.0.1:{port}");
    let mut c = Peer::spawn(
        "openssl",
        &["s_client", "-dtls1_2", "-connect", &connect, "-CAfile", &ca],
    );
    c.wait_for("Verify return code: 0 (ok)", T).unwrap();
    let line = "line from s_client -dtls1_2";
    std::thread::sleep(Duration::from_millis(300));
    c.send_stdin(&format!("{line}\n"));
    c.wait_for(line, T).unwrap();
    c.send_stdin("Q\n");
    let _ = c.wait_exit(T);
    assert!(
        server.wait_exit(T).unwrap(),
        "{}",
        server.output().join("\n")
    );
    let log = server.output();
    assert!(
        log.iter()
            .any(|l| l.contains("DTLS 1.2 TLS_") && l.contains("GCM")),
        "{}",
        log.join("\n")
    );
}

/// A UDP relay between a client and `server` that drops every datagram of the server
/// after its first (the HelloVerifyRequest) until the client has sent
/// `client_datagrams_before` datagrams: the server's flight is lost, however many
/// datagrams it takes (one per record with `dtls-send-records-individually`), until the
/// client's timer resends its ClientHello. Returns the relay's port and the count of drops.
/// The relay thread ends when nothing arrives for `T`.
fn lossy_relay(
    server: u16,
    client_datagrams_before: usize,
) -> (u16, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::net::{SocketAddr, UdpSocket};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = sock.local_addr().unwrap().port();
    let dropped = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&dropped);
    sock.set_read_timeout(Some(T)).unwrap();
    std::thread::spawn(move || {
        let server: SocketAddr = ([127, 0, 0, 1], server).into();
        let mut client: Option<SocketAddr> = None;
        let (mut from_server, mut from_client) = (0usize, 0usize);
        let mut buf = vec![0u8; 65536];
        while let Ok((n, from)) = sock.recv_from(&mut buf) {
            if from == server {
                from_server += 1;
                if from_server > 1 && from_client < client_datagrams_before {
                    seen.fetch_add(1, Ordering::SeqCst);
                } else if let Some(c) = client {
                    let _ = sock.send_to(&buf[..n], c);
                }
            } else {
                from_client += 1;
                client = Some(from);
                let _ = sock.send_to(&buf[..n], server);
            }
        }
    });
    (port, dropped)
}

/// The server's first flight after the cookie exchange is lost: the client's timer
/// (`--timeout`) sends its ClientHello again, the server rebuilds its flight, and the
/// handshake completes.
#[test]
fn the_retransmission_timer_recovers_lost_flights() {
    let (mut server, port) = our_server(&["--count", "1", "--mode", "echo"]);
    // The client sends ClientHello, ClientHello with the cookie, then (its timer) the
    // latter again: the server's flight is lost until that third datagram.
    let (relay, dropped) = lossy_relay(port, 3);
    let out = client_ok(
        relay,
        &[
            "--mode",
            "echo",
            "--message",
            "after loss",
            "--timeout",
            "200",
            "--trace",
        ],
    );
    assert!(out.contains("after loss"), "{out}");
    assert!(
        out.contains("timer expired"),
        "the client's timer never fired:\n{out}"
    );
    assert!(dropped.load(std::sync::atomic::Ordering::SeqCst) >= 1);
    assert!(server.wait_exit(T).unwrap());
}

/// Tickets against our server without a cache: `s_client -dtls1_2` resumes with the
/// ticket it saved, and so does matrix-dtls-client, which says it got one; with
/// `--no-ticket` nothing resumes.
#[test]
fn session_tickets_resume_without_a_server_cache() {
    let ca = testkeys("rsa2048/ca.pem");
    let (mut server, port) =
        our_server(&["--count", "2", "--mode", "echo", "--session-cache", "0"]);
    let connect = format!("127.0.0.1:{port}");
    let sess = std::env::temp_dir().join(format!("matrix-dtls-ticket-{port}"));
    let sess = sess.to_string_lossy().into_owned();
    for (i, sflag) in ["-sess_out", "-sess_in"].into_iter().enumerate() {
        let mut c = Peer::spawn(
            "openssl",
            &[
                "s_client", "-dtls1_2", "-connect", &connect, "-CAfile", &ca, sflag, &sess,
            ],
        );
        c.wait_for(if i == 0 { "New," } else { "Reused," }, T)
            .unwrap();
        let line = format!("line from s_client {sflag}");
        std::thread::sleep(Duration::from_millis(300));
        c.send_stdin(&format!("{line}\n"));
        c.wait_for(&line, T).unwrap();
        c.send_stdin("Q\n");
        let _ = c.wait_exit(T);
    }
    let _ = std::fs::remove_file(&sess);
    assert!(
        server.wait_exit(T).unwrap(),
        "{}",
        server.output().join("\n")
    );
    let log = server.output();
    assert_eq!(count(&log, "(resumed)"), 1, "{}", log.join("\n"));

    // Our client against our server, with and without tickets.
    let (mut server, port) =
        our_server(&["--count", "2", "--mode", "echo", "--session-cache", "0"]);
    let out = client_lines(port, &["--mode", "echo", "--reconnect", "1"]);
    let text = out.join("\n");
    assert_eq!(count(&out, "(resumed)"), 1, "{text}");
    assert!(text.contains("session ticket of"), "{text}");
    assert!(server.wait_exit(T).unwrap());
    let (mut server, port) = our_server(&[
        "--count",
        "2",
        "--mode",
        "echo",
        "--session-cache",
        "0",
        "--no-ticket",
    ]);
    let out = client_lines(port, &["--mode", "echo", "--reconnect", "1"]);
    let text = out.join("\n");
    assert_eq!(count(&out, "(full handshake)"), 2, "{text}");
    assert!(!text.contains("session ticket of"), "{text}");
    assert!(server.wait_exit(T).unwrap());
}

/// Our client resumes by ticket with `openssl s_server -dtls1_2 -no_cache`; with
/// `--no-ticket` the server gives it nothing to resume (no cache, so no session id).
#[test]
fn client_resumes_by_ticket_with_openssl_s_server_without_a_cache() {
    let ca = testkeys("rsa2048/ca.pem");
    let message = "ping over DTLS 1.2";
    for ticket in [true, false] {
        let (mut server, port) = s_server_with("-dtls1_2", &["-no_cache"]);
        let connect = format!("127.0.0.1:{port}");
        let mut args = vec![
            "--connect",
            connect.as_str(),
            "--ca",
            ca.as_str(),
            "--mode",
            "echo",
            "--message",
            message,
            "--reconnect",
            "1",
        ];
        if !ticket {
            args.push("--no-ticket");
        }
        let mut client = Peer::spawn(CLIENT, &args);
        let connections = if ticket { 2 } else { 1 };
        for i in 1..=connections {
            wait_count(&mut server, message, i);
            server.send_stdin(&format!("{message}\n"));
        }
        let ok = client.wait_exit(T).unwrap();
        let out = client.output();
        let text = out.join("\n");
        assert_eq!(ok, ticket, "{text}");
        assert_eq!(text.contains("session ticket of"), ticket, "{text}");
        if ticket {
            assert_eq!(count(&out, "(resumed)"), 1, "{text}");
        } else {
            assert!(text.contains("no session id and no ticket"), "{text}");
        }
    }
}

/// Both programs re-handshake at once: the server every 20 bytes it sends, the client
/// every 10 (full ones); every echo comes back and both say how many ran.
#[test]
fn rehandshakes_between_our_programs_both_directions() {
    let (mut server, port) = our_server(&[
        "--count",
        "1",
        "--mode",
        "echo",
        "--rehandshake-after",
        "20",
    ]);
    let out = client_lines(
        port,
        &[
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
        ],
    );
    let text = out.join("\n");
    assert_eq!(count(&out, "0123456789"), 4, "{text}");
    assert!(text.contains("encode_rehandshake(full)"), "{text}");
    assert!(text.contains("re-handshake(s) completed"), "{text}");
    assert!(
        server.wait_exit(T).unwrap(),
        "{}",
        server.output().join("\n")
    );
    let log = server.output().join("\n");
    assert!(log.contains("re-handshake(s) completed"), "{log}");
}

/// Our client re-handshakes with `openssl s_server -dtls1_2` (which must allow
/// client-initiated renegotiation); our server re-handshakes `openssl s_client -dtls1_2`.
#[test]
fn rehandshakes_with_openssl_dtls1_2_both_roles() {
    let (mut s, port) = s_server_with("-dtls1_2", &["-client_renegotiation", "-state"]);
    let ca = testkeys("rsa2048/ca.pem");
    let connect = format!("127.0.0.1:{port}");
    let mut c = Peer::spawn(
        CLIENT,
        &[
            "--connect",
            &connect,
            "--ca",
            &ca,
            "--mode",
            "raw",
            "--rehandshake-after",
            "11",
            "--trace",
        ],
    );
    c.wait_for("(full handshake)", T).unwrap();
    // Words that s_server's own lines never contain.
    c.send_stdin("alpha-line\n");
    s.wait_for("alpha-line", T).unwrap();
    // The second line waits for the client's re-handshake.
    c.send_stdin("bravo-line\n");
    s.wait_for("bravo-line", T).unwrap();
    c.wait_for("re-handshake 1 complete (resumed)", T).unwrap();
    wait_count(&mut s, "read client hello", 2);
    drop(c);
    drop(s);

    let (mut server, port) =
        our_server(&["--count", "1", "--mode", "echo", "--rehandshake-after", "5"]);
    let connect = format!("127.0.0.1:{port}");
    let mut c = Peer::spawn(
        "openssl",
        &[
            "s_client", "-dtls1_2", "-connect", &connect, "-CAfile", &ca, "-state",
        ],
    );
    c.wait_for("Verify return code: 0 (ok)", T).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    c.send_stdin("first line\n");
    c.wait_for("first line", T).unwrap();
    // The next echo starts with our HelloRequest: s_client renegotiates, then gets it.
    c.send_stdin("second line\n");
    c.wait_for("second line", T).unwrap();
    wait_count(&mut c, "read finished", 2);
    c.send_stdin("Q\n");
    let _ = c.wait_exit(T);
    assert!(
        server.wait_exit(T).unwrap(),
        "{}",
        server.output().join("\n")
    );
    // OpenSSL's DTLS client answers a HelloRequest with a new session (a full
    // handshake), where its TLS client resumes.
    let log = server.output().join("\n");
    assert!(log.contains("1 re-handshake(s) completed"), "{log}");
}
