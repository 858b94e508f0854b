//! RFC 5077 session tickets over DTLS 1.2 and 1.0 (feature `stateless-session-tickets`)
//! against OpenSSL 3 over 127.0.0.1, with its default settings (tickets are on by default;
//! DTLS 1.0 needs `@SECLEVEL=0` in OpenSSL 3). Both servers run without a session cache, so
//! a resumption can only be the ticket's.
//!
//! | what | our client vs | our server vs |
//! |---|---|---|
//! | resumption by ticket, DTLS 1.2 and 1.0 | `openssl s_server -dtls1_2`/`-dtls1 -no_cache` ("Reused session-id") | `openssl s_client -dtls1_2`/`-dtls1 -sess_out` / `-sess_in` ("Reused,", "TLS session ticket") |
//! | no ticket when the peer refuses them | `s_server -dtls1_2 -no_cache -no_ticket`: no resumption | `s_client -dtls1_2 -no_ticket`: a full handshake |
//!
//! A missing peer is a failure; every wait is bounded.
#![cfg(all(feature = "tls-1-2", feature = "stateless-session-tickets"))]

use std::net::UdpSocket;
use std::sync::Arc;
use std::time::Duration;

use matrix_dtls::DtlsContext;
use matrix_interop::dtls::{self, Outcome, Reply};
use matrix_interop::{Peer, free_port, testkeys};
use matrix_ssl::{Config, Keys, ProtocolVersion, SessionId};

const T: Duration = Duration::from_secs(20);
const DTLS12: ProtocolVersion = ProtocolVersion::DTLSv1_2;

/// OpenSSL's version options and the version they give: DTLS 1.2 with its defaults, DTLS
/// 1.0 with a suite OpenSSL 3 allows only at security level 0.
const VERSIONS: [(&[&str], ProtocolVersion); 2] = [
    (&["-dtls1_2"], DTLS12),
    (
        &["-dtls1", "-cipher", "AES128-SHA:@SECLEVEL=0"],
        ProtocolVersion::DTLSv1_0,
    ),
];

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(testkeys(rel)).unwrap()
}

/// Our client's context: DTLS 1.2, asking for tickets.
fn client_ctx() -> DtlsContext {
    let mut c = Config::dtls();
    c.session_tickets = true;
    matrix_dtls::open(c).unwrap()
}

/// Our server's context: no session cache, one ticket key.
fn server_ctx() -> DtlsContext {
    let mut c = Config::dtls();
    c.session_table_size = 0;
    let ctx = matrix_dtls::open(c).unwrap();
    ctx.context()
        .load_session_ticket_keys(&[0x31; 16], &[0x30; 32], &[0x33; 32])
        .unwrap();
    ctx
}

fn client_keys() -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_rsa_keys_mem(None, None, Some(&read("rsa2048/ca.der")))
        .unwrap();
    Arc::new(k)
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

/// `openssl s_server -no_cache` with `version`, the rsa2048 identity and `extra`.
fn s_server(version: &[&str], extra: &[&str]) -> (Peer, u16) {
    let port = free_port();
    let accept = format!("127.0.0.1:{port}");
    let key = testkeys("rsa2048/server.key");
    let cert = testkeys("rsa2048/server.pem");
    let chain = testkeys("rsa2048/intermediate.pem");
    let mut args = vec!["s_server", "-no_cache", "-accept", &accept];
    args.extend_from_slice(version);
    args.extend_from_slice(&["-key", &key, "-cert", &cert, "-cert_chain", &chain]);
    args.extend_from_slice(extra);
    let mut p = Peer::spawn("openssl", &args);
    p.wait_for("ACCEPT", T).unwrap();
    (p, port)
}

/// Our client against `server` on `port`, offering `sid`: the handshake and data both
/// ways.
fn connect(ctx: &DtlsContext, port: u16, sid: Option<&SessionId>, server: &mut Peer) -> Outcome {
    dtls::run_client(ctx, client_keys(), port, 0, sid, Reply::Stdio(server))
        .unwrap_or_else(|e| panic!("offering a session: {}: {e}", sid.is_some()))
}

#[test]
fn our_client_resumes_by_ticket_against_openssl_s_server_without_a_cache() {
    for (version, v) in VERSIONS {
        let (mut server, port) = s_server(version, &[]);
        let ctx = client_ctx();
        let first = connect(&ctx, port, None, &mut server);
        assert_eq!(first.version, v);
        assert!(!first.resumed);
        let sid = first.sid.expect("a session to resume");
        assert!(!sid.ticket().is_empty(), "{v:?}: s_server issued no ticket");
        for i in 0..2 {
            let again = connect(&ctx, port, Some(&sid), &mut server);
            assert!(
                again.resumed,
                "{v:?} resumption {i}: s_server did not resume the ticket"
            );
            assert_eq!(again.version, v);
        }
        server
            .wait_for("Reused session-id", T)
            .expect("s_server reports the resumption");
    }
}

#[test]
fn our_client_gets_no_ticket_from_s_server_dtls1_2_no_ticket() {
    let (mut server, port) = s_server(&["-dtls1_2"], &["-no_ticket"]);
    let ctx = client_ctx();
    let first = connect(&ctx, port, None, &mut server);
    assert_eq!(first.version, DTLS12);
    assert!(first.sid.as_ref().is_none_or(|s| s.ticket().is_empty()));
    if let Some(sid) = first.sid {
        let again = connect(&ctx, port, Some(&sid), &mut server);
        assert!(!again.resumed, "resumed without a cache or a ticket");
    }
}

/// `s_client -dtls1_2` and `-dtls1` against our server without a cache: `-sess_out`,
/// then `-sess_in` twice, each resuming by ticket; with `-no_ticket` (DTLS 1.2) every
/// connection is a full one.
#[test]
fn openssl_s_client_resumes_by_ticket_against_our_server_without_a_cache() {
    let plan = VERSIONS
        .iter()
        .map(|&(version, v)| (version, v, false))
        .chain([(VERSIONS[0].0, DTLS12, true)]);
    for (version, v, no_ticket) in plan {
        let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = sock.local_addr().unwrap().port();
        let sess = std::env::temp_dir().join(format!("matrix-dtls-ticket-{port}.pem"));
        let sess = sess.to_string_lossy().into_owned();
        let ctx = server_ctx();
        for (i, flag) in ["-sess_out", "-sess_in", "-sess_in"]
            .into_iter()
            .enumerate()
        {
            let connect = format!("127.0.0.1:{port}");
            let ca = testkeys("rsa2048/ca.pem");
            let mut args = vec![
                "s_client", "-connect", &connect, "-CAfile", &ca, flag, &sess,
            ];
            args.extend_from_slice(version);
            if no_ticket {
                args.push("-no_ticket");
            }
            let mut client = Peer::spawn("openssl", &args);
            let done = dtls::serve(
                &sock,
                &ctx,
                1,
                &mut client,
                "ping from s_client",
                server_keys,
                || None,
            )
            .unwrap_or_else(|e| panic!("connection {i}: {e}"));
            assert_eq!(done[0].version, v);
            let resumed = i > 0 && !no_ticket;
            assert_eq!(
                done[0].resumed, resumed,
                "no_ticket {no_ticket}, connection {i}"
            );
            let line = if resumed { "Reused," } else { "New," };
            client
                .wait_for(line, T)
                .unwrap_or_else(|e| panic!("no_ticket {no_ticket}, connection {i}: {e}"));
            if i == 0 && !no_ticket {
                client
                    .wait_for("TLS session ticket:", T)
                    .expect("s_client shows our ticket");
            }
        }
        let _ = std::fs::remove_file(&sess);
    }
}
