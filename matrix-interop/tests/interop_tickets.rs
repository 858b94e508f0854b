//! RFC 5077 session tickets (feature `stateless-session-tickets`) against independent peers
//! over 127.0.0.1, with their default settings (tickets are on by default in OpenSSL 3 and
//! GnuTLS). Every server side runs without a session cache, so a resumption can only be
//! the ticket's.
//!
//! | what | our client vs | our server vs |
//! |---|---|---|
//! | resumption by ticket, TLS 1.2 | `openssl s_server -www -no_cache` ("Reused") | `openssl s_client -sess_out` / `-sess_in` ("Reused", "TLS session ticket") |
//! | resumption by ticket, TLS 1.1 and 1.0 | `s_server -no_cache` | `s_client` (with `@SECLEVEL=0`, which OpenSSL 3 needs below TLS 1.2) |
//! | key rotation: an old key's ticket resumes and is renewed (the new ticket's key name in s_client's report) | | `s_client -sess_in` |
//! | no ticket when the peer refuses them | `s_server -no_ticket -no_cache`: no resumption | `s_client -no_ticket`: a full handshake |
//! | resumption with a ticket | `gnutls-serv` default priority (which also caches) | `gnutls-cli --resume` |
#![cfg(all(feature = "tls-1-2", feature = "stateless-session-tickets"))]

use std::time::Duration;

use matrix_interop::tls::{EchoServer, context_with, run_client};
use matrix_interop::{Peer, free_port, testkeys};
use matrix_ssl::{Context, ProtocolVersion};

const T: Duration = Duration::from_secs(20);
const TLS12: ProtocolVersion = ProtocolVersion::TLSv1_2;

/// Our client's context: TLS 1.0 to 1.2, RSA suites, asking for tickets.
fn client_ctx() -> Context {
    context_with(ProtocolVersion::TLSv1_0, TLS12, |c| {
        c.session_tickets = true
    })
}

/// Our server's context: no session cache, one ticket key.
fn server_ctx(name: u8) -> Context {
    let ctx = context_with(ProtocolVersion::TLSv1_0, TLS12, |c| {
        c.session_table_size = 0
    });
    ctx.load_session_ticket_keys(&[name; 16], &[name ^ 1; 32], &[name ^ 2; 32])
        .unwrap();
    ctx
}

/// `openssl s_server -www` with its default settings plus `extra`.
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
        "-www",
    ];
    args.extend_from_slice(extra);
    let mut p = Peer::spawn("openssl", &args);
    p.wait_for("ACCEPT", T).unwrap();
    (p, port)
}

/// One `openssl s_client` connection to our echo server on `port`, with `args` added;
/// returns its output once the echo came back and the session line ("New," / "Reused,")
/// was printed.
fn s_client(port: u16, args: &[&str]) -> String {
    let connect = format!("127.0.0.1:{port}");
    let ca = testkeys("rsa2048/ca.pem");
    let mut all = vec!["s_client", "-connect", &connect, "-CAfile", &ca, "-ign_eof"];
    all.extend_from_slice(args);
    let mut c = Peer::spawn("openssl", &all);
    c.send_stdin("ping\n");
    c.wait_for("ECHO:ping", T).unwrap();
    c.wait_for("Verify return code", T).unwrap();
    c.output().join("\n")
}

#[test]
fn our_client_resumes_by_ticket_against_openssl_s_server_without_a_cache() {
    let get = b"GET / HTTP/1.0\r\n\r\n";
    let cases: [(&[&str], u16); 3] = [
        (&[], 0),
        (&["-tls1_1", "-cipher", "AES128-SHA:@SECLEVEL=0"], 0x002f),
        (&["-tls1", "-cipher", "AES256-SHA:@SECLEVEL=0"], 0x0035),
    ];
    for (extra, suite) in cases {
        let mut args = vec!["-no_cache"];
        args.extend_from_slice(extra);
        let (_server, port) = s_server(&args);
        let ctx = client_ctx();
        let (first, sid) = run_client(&ctx, port, suite, None, get, None).unwrap();
        assert!(!first.resumed);
        let sid = sid.expect("a session to resume");
        assert!(
            !sid.ticket().is_empty(),
            "{extra:?}: s_server issued no ticket"
        );
        for _ in 0..2 {
            let (again, _) = run_client(&ctx, port, suite, Some(&sid), get, None).unwrap();
            assert!(
                again.resumed,
                "{extra:?}: s_server did not resume the ticket"
            );
            assert_eq!(again.version, first.version);
            let page = String::from_utf8_lossy(&again.received);
            assert!(page.contains("Reused"), "{page}");
        }
    }
}

#[test]
fn our_client_gets_no_ticket_from_s_server_no_ticket() {
    let (_server, port) = s_server(&["-no_cache", "-no_ticket"]);
    let ctx = client_ctx();
    let get = b"GET / HTTP/1.0\r\n\r\n";
    let (first, sid) = run_client(&ctx, port, 0, None, get, None).unwrap();
    assert_eq!(first.version, TLS12);
    assert!(sid.as_ref().is_none_or(|s| s.ticket().is_empty()));
    if let Some(sid) = sid {
        let (again, _) = run_client(&ctx, port, 0, Some(&sid), get, None).unwrap();
        assert!(!again.resumed, "resumed without a cache or a ticket");
    }
}

#[test]
fn openssl_s_client_resumes_by_ticket_against_our_server_without_a_cache() {
    let versions: [(&[&str], ProtocolVersion); 3] = [
        (&[], TLS12),
        (
            &["-tls1_1", "-cipher", "AES128-SHA:@SECLEVEL=0"],
            ProtocolVersion::TLSv1_1,
        ),
        (
            &["-tls1", "-cipher", "AES128-SHA:@SECLEVEL=0"],
            ProtocolVersion::TLSv1_0,
        ),
    ];
    for (extra, version) in versions {
        let ctx = server_ctx(0x11);
        let server = EchoServer::start(ctx, 3);
        let sess = std::env::temp_dir().join(format!("matrix-ticket-{}", server.port));
        let sess = sess.to_string_lossy().into_owned();
        for (i, flag) in ["-sess_out", "-sess_in", "-sess_in"]
            .into_iter()
            .enumerate()
        {
            let mut args = vec![flag, sess.as_str()];
            args.extend_from_slice(extra);
            let out = s_client(server.port, &args);
            let o = server.next().unwrap();
            assert_eq!(o.version, version);
            assert_eq!(o.resumed, i > 0, "{extra:?} connection {i}: {out}");
            let line = if i == 0 { "New," } else { "Reused," };
            assert!(out.contains(line), "{extra:?} connection {i}: {out}");
            if i == 0 {
                assert!(out.contains("TLS session ticket:"), "{out}");
            }
        }
        let _ = std::fs::remove_file(&sess);
    }
}

#[test]
fn key_rotation_renews_the_ticket_of_openssl_s_client() {
    let ctx = server_ctx(0x21);
    let server = EchoServer::start(ctx.clone(), 3);
    let sess = std::env::temp_dir().join(format!("matrix-ticket-rot-{}", server.port));
    let sess = sess.to_string_lossy().into_owned();
    // A ticket under key 0x21 (s_client prints the ticket: its first 16 bytes are the
    // key name).
    let out = s_client(server.port, &["-sess_out", &sess]);
    assert!(out.contains("New,"), "{out}");
    assert!(
        out.contains("0000 - 21 21 21 21 21 21 21 21-21 21"),
        "{out}"
    );
    assert!(!server.next().unwrap().resumed);
    // Key 0x22 now issues: the old ticket resumes, and a renewed one under 0x22 comes back.
    ctx.load_session_ticket_keys(&[0x22; 16], &[1; 16], &[2; 32])
        .unwrap();
    let out = s_client(server.port, &["-sess_in", &sess]);
    assert!(out.contains("Reused,"), "{out}");
    assert!(
        out.contains("0000 - 22 22 22 22 22 22 22 22-22 22"),
        "renewed: {out}"
    );
    assert!(server.next().unwrap().resumed);
    // With the old key deleted, its ticket gets a full handshake (and a new ticket).
    ctx.delete_session_ticket_key(&[0x21; 16]).unwrap();
    let out = s_client(server.port, &["-sess_in", &sess]);
    assert!(
        out.contains("New,"),
        "old ticket after its key was deleted: {out}"
    );
    assert!(
        out.contains("0000 - 22 22 22 22 22 22 22 22-22 22"),
        "{out}"
    );
    assert!(!server.next().unwrap().resumed);
    let _ = std::fs::remove_file(&sess);
}

#[test]
fn s_client_no_ticket_gets_a_full_handshake_from_our_cacheless_server() {
    let server = EchoServer::start(server_ctx(0x31), 2);
    let sess = std::env::temp_dir().join(format!("matrix-noticket-{}", server.port));
    let sess = sess.to_string_lossy().into_owned();
    let out = s_client(server.port, &["-no_ticket", "-sess_out", &sess]);
    assert!(!out.contains("TLS session ticket:"), "{out}");
    server.next().unwrap();
    let out = s_client(server.port, &["-no_ticket", "-sess_in", &sess]);
    assert!(out.contains("New,"), "{out}");
    assert!(!server.next().unwrap().resumed);
    let _ = std::fs::remove_file(&sess);
}

#[test]
fn gnutls_resumes_by_ticket_both_ways() {
    // gnutls-cli --resume against our cache-less server.
    let server = EchoServer::start(server_ctx(0x41), 2);
    let port_s = server.port.to_string();
    let ca = testkeys("rsa2048/ca.pem");
    let mut c = Peer::spawn(
        "gnutls-cli",
        &["-p", &port_s, "--x509cafile", &ca, "--resume", "127.0.0.1"],
    );
    c.wait_for("This is a resumed session", T).unwrap();
    c.send_stdin("ping\n");
    c.wait_for("ECHO:ping", T).unwrap();
    // The first connection: gnutls-cli closes it right after the handshake, so our echo
    // may fail; only the handshake matters.
    let _ = server.next();
    let o = server.next().unwrap();
    assert!(o.resumed, "{o:?}");
    assert_eq!(o.version, TLS12);
    drop(c);

    // Our client against gnutls-serv (its default priority issues tickets).
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
            &testkeys("rsa2048/server-chain.pem"),
            "--x509keyfile",
            &testkeys("rsa2048/server.key"),
        ],
    );
    serv.wait_for("listening", T).unwrap();
    let ctx = client_ctx();
    let (first, sid) = run_client(&ctx, port, 0, None, b"hello\n", Some(b"hello\n")).unwrap();
    assert_eq!(first.version, TLS12);
    let sid = sid.expect("a session");
    assert!(!sid.ticket().is_empty(), "gnutls-serv issued no ticket");
    let (again, _) = run_client(&ctx, port, 0, Some(&sid), b"hello\n", Some(b"hello\n")).unwrap();
    assert!(again.resumed);
    assert_eq!(again.received, b"hello\n");
}
