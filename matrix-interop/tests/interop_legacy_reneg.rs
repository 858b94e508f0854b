//! Peers without RFC 5746 (GnuTLS with `%DISABLE_SAFE_RENEGOTIATION`, which neither sends
//! nor answers the signalling) against the two non-default renegotiation features:
//!
//! | feature | our client vs gnutls-serv | our server vs gnutls-cli |
//! |---|---|---|
//! | `insecure-rehandshakes` | legacy re-handshakes we start (resumed, full), data after | legacy re-handshake the peer starts (`--rehandshake`), data after |
//! | `require-secure-rehandshakes` | the ServerHello is refused: handshake_failure | the ClientHello is refused: handshake_failure |
//!
//! These tests run only with matrix-interop's feature of the same name (which turns on
//! matrix-ssl's); `cargo xtask ci` runs this file once with each. Without either feature,
//! `interop_advanced.rs` checks that a legacy server is never renegotiated with.
#![cfg(any(
    feature = "insecure-rehandshakes",
    feature = "require-secure-rehandshakes"
))]

use matrix_interop::gnutls::GnutlsServ;
use std::time::Duration;

use matrix_interop::tls::{EchoServer, client_keys, context};
use matrix_interop::{Peer, connect};
use matrix_ssl::ProtocolVersion;

const T: Duration = Duration::from_secs(20);
const SSL3: ProtocolVersion = ProtocolVersion::SSLv3;
const TLS10: ProtocolVersion = ProtocolVersion::TLSv1_0;
const TLS11: ProtocolVersion = ProtocolVersion::TLSv1_1;

fn gnutls_version(v: ProtocolVersion) -> &'static str {
    if v == TLS11 {
        "VERS-TLS1.1"
    } else {
        "VERS-TLS1.0"
    }
}

/// A GnuTLS priority string for `v`, RSA AES-128-CBC-SHA, without RFC 5746.
fn legacy_priority(v: ProtocolVersion) -> String {
    format!(
        "NONE:+{}:+RSA:+AES-128-CBC:+SHA1:+COMP-NULL:+SIGN-ALL:+GROUP-ALL:%DISABLE_SAFE_RENEGOTIATION",
        gnutls_version(v)
    )
}

/// `gnutls-serv --echo` without RFC 5746 for `v`, logging records (`-d 5`) so that the
/// alerts it receives show as `Alert[level|description]`.
fn legacy_gnutls_serv(v: ProtocolVersion) -> (Peer, u16) {
    let s = GnutlsServ::start(&legacy_priority(v), None, &["-d", "5"]);
    (s.peer, s.port)
}

/// `gnutls-cli` without RFC 5746 for `v` against 127.0.0.1:`port`, with `extra` flags.
fn legacy_gnutls_cli(v: ProtocolVersion, port: u16, extra: &[&str]) -> Peer {
    let port_s = port.to_string();
    let prio = legacy_priority(v);
    let mut args = vec![
        "127.0.0.1",
        "-p",
        &port_s,
        "--insecure",
        "--priority",
        &prio,
    ];
    args.extend_from_slice(extra);
    Peer::spawn("gnutls-cli", &args)
}

/// Reads from `st` until `want` has arrived.
#[cfg(all(
    feature = "insecure-rehandshakes",
    not(feature = "require-secure-rehandshakes")
))]
fn read_until<S: std::io::Read + std::io::Write>(st: &mut matrix_ssl::Stream<S>, want: &[u8]) {
    use std::io::Read;
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    while !got.windows(want.len()).any(|w| w == want) {
        let n = st.read(&mut buf).expect("read");
        assert!(n > 0, "closed before {want:?}; got {got:?}");
        got.extend_from_slice(&buf[..n]);
    }
}

/// `insecure-rehandshakes`: our client renegotiates with a legacy GnuTLS server, resumed
/// then full, and the echo goes on after each.
#[cfg(all(
    feature = "insecure-rehandshakes",
    not(feature = "require-secure-rehandshakes")
))]
#[test]
fn our_client_renegotiates_with_a_legacy_gnutls_server() {
    use std::io::Write;
    for version in [TLS10, TLS11] {
        let (_server, port) = legacy_gnutls_serv(version);
        let ctx = context(SSL3, TLS11);
        let sess = ctx
            .new_client_session(client_keys(), None, 0x002F, None, None)
            .unwrap();
        let mut st = matrix_ssl::Stream::new(sess, connect(port, T));
        st.handshake().unwrap();
        assert!(!st.session().secure_renegotiation(), "{version:?}");
        st.write_all(b"first\n").unwrap();
        read_until(&mut st, b"first\n");
        for full in [false, true] {
            let opt = full.then_some(matrix_ssl::SessionOption::FullHandshake);
            st.session_mut()
                .encode_rehandshake(None, None, opt, 0)
                .unwrap_or_else(|e| panic!("{version:?}: {e}"));
            // Our own re-handshake: the Stream's write waits for it to complete.
            st.write_all(b"after\n").unwrap();
            assert!(st.session().is_handshake_complete());
            assert_eq!(st.session().is_resumed(), !full, "{version:?}");
            assert!(!st.session().secure_renegotiation());
            read_until(&mut st, b"after\n");
        }
        let _ = st.shutdown();
    }
}

/// `insecure-rehandshakes`: a legacy GnuTLS client renegotiates (`--rehandshake`) with our
/// server, then sends a line that our server echoes.
#[cfg(all(
    feature = "insecure-rehandshakes",
    not(feature = "require-secure-rehandshakes")
))]
#[test]
fn legacy_gnutls_client_renegotiates_with_our_server() {
    for version in [TLS10, TLS11] {
        let server = EchoServer::start(context(SSL3, TLS11), 1);
        let mut c = legacy_gnutls_cli(version, server.port, &["--rehandshake"]);
        c.wait_for("ReHandshake was completed", T)
            .unwrap_or_else(|e| panic!("{version:?}: {e}"));
        // GnuTLS lists "safe renegotiation" among the options when RFC 5746 is on.
        let options = c.wait_for("- Options:", T).unwrap();
        assert!(!options.contains("safe renegotiation"), "{options}");
        c.send_stdin("legacy ping\n");
        c.wait_for("legacy ping", T).unwrap();
        let o = server.next().unwrap();
        assert_eq!(o.received, b"legacy ping\n");
        assert_eq!(o.version, version);
    }
}

/// `require-secure-rehandshakes`: our client refuses the ServerHello of a legacy GnuTLS
/// server with a fatal handshake_failure, which gnutls-serv reports.
#[cfg(feature = "require-secure-rehandshakes")]
#[test]
fn our_client_refuses_a_legacy_gnutls_server() {
    for version in [TLS10, TLS11] {
        let (mut server, port) = legacy_gnutls_serv(version);
        let ctx = context(SSL3, TLS11);
        let sess = ctx
            .new_client_session(client_keys(), None, 0x002F, None, None)
            .unwrap();
        let mut st = matrix_ssl::Stream::new(sess, connect(port, T));
        let e = st.handshake().unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::ConnectionAborted, "{e}");
        assert!(!st.session().is_handshake_complete());
        server
            .wait_for("Alert[2|40]", T)
            .unwrap_or_else(|e| panic!("{version:?}: {e}"));
    }
}

/// `require-secure-rehandshakes`: our server refuses the ClientHello of a legacy GnuTLS
/// client with a fatal handshake_failure, which gnutls-cli reports.
#[cfg(feature = "require-secure-rehandshakes")]
#[test]
fn our_server_refuses_a_legacy_gnutls_client() {
    for version in [TLS10, TLS11] {
        let server = EchoServer::start(context(SSL3, TLS11), 1);
        let mut c = legacy_gnutls_cli(version, server.port, &[]);
        let r = server.next();
        assert!(
            r.as_ref().is_err_and(|e| e.contains("handshake")),
            "{version:?}: {r:?}"
        );
        // gnutls-cli names the alert: "*** Received alert [40]: Handshake failed".
        c.wait_for("Received alert [40]", T)
            .unwrap_or_else(|e| panic!("{version:?}: {e}"));
    }
}
