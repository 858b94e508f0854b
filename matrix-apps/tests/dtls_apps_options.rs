//! The options matrix-dtls-server and matrix-dtls-client share with the TCP programs,
//! with the same meaning, over UDP on 127.0.0.1:
//!
//! - RFC 5077 session tickets, on by default: the server without a session cache
//!   (`--session-cache 0`) still resumes, by ticket, for `openssl s_client -dtls1_2`
//!   (`-sess_out` / `-sess_in`) and for matrix-dtls-client (`--reconnect`, which says
//!   that it got a ticket); matrix-dtls-client resumes by ticket with
//!   `openssl s_server -dtls1_2 -no_cache`; `--no-ticket` turns them off;
//! - `--rehandshake-after N` (`--rehandshake-full`): RFC 5746 re-handshakes started by
//!   either program, between our programs (both at once) and with OpenSSL in either role.
//!
//! Every process is a `matrix_interop::Peer` (bounded waits, killed at the end); a missing
//! openssl fails the test.

mod common;

use std::time::{Duration, Instant};

use common::{T, count};
use matrix_interop::{Peer, free_port, testkeys};

const SERVER: &str = env!("CARGO_BIN_EXE_matrix-dtls-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_matrix-dtls-client");
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

/// Runs matrix-dtls-client against 127.0.0.1:`port` with `args` to a successful end;
/// returns its output.
fn client_ok(port: u16, args: &[&str]) -> Vec<String> {
    let connect = format!("127.0.0.1:{port}");
    let mut all = vec!["--connect", connect.as_str()];
    all.extend_from_slice(args);
    let mut c = Peer::spawn(CLIENT, &all);
    let ok = c.wait_exit(T).unwrap();
    let out = c.output();
    assert!(
        ok,
        "matrix-dtls-client {args:?} failed:\n{}",
        out.join("\n")
    );
    out
}

/// Waits until some output line of `p` satisfies `pred` `n` times.
fn wait_lines(p: &mut Peer, n: usize, pred: impl Fn(&str) -> bool) {
    let end = Instant::now() + T;
    while p.output().iter().filter(|l| pred(l)).count() < n {
        assert!(Instant::now() < end, "{}", p.output().join("\n"));
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `openssl s_server -dtls1_2` with the rsa2048 identity on a free port, and `extra`.
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
        "-dtls1_2",
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
    let mut s = Peer::spawn("openssl", &args);
    s.wait_for("ACCEPT", T).unwrap();
    (s, port)
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
    let out = client_ok(port, &["--mode", "echo", "--reconnect", "1"]);
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
    let out = client_ok(port, &["--mode", "echo", "--reconnect", "1"]);
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
        let (mut server, port) = s_server(&["-no_cache"]);
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
            wait_lines(&mut server, i, |l| l.contains(message));
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
    let out = client_ok(
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
    let (mut s, port) = s_server(&["-client_renegotiation", "-state"]);
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
    wait_lines(&mut s, 2, |l| l.contains("read client hello"));
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
    wait_lines(&mut c, 2, |l| l.contains("read finished"));
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
