//! DTLS 1.2 (RFC 6347) against independent peers over UDP on 127.0.0.1, both roles, with
//! the peers' DEFAULT security settings: OpenSSL 3 with no `@SECLEVEL` and no legacy
//! option, GnuTLS with its default priority (plus the PSK key exchanges, which NORMAL
//! leaves out).
//!
//! | what | our client vs | our server vs |
//! |---|---|---|
//! | 0x009C/0x009D RSA GCM, 0x009E/0x009F DHE_RSA GCM, 0x003C/0x003D RSA and 0x0067/0x006B DHE_RSA AES-CBC-SHA256, 0x002F (an older suite in DTLS 1.2); resumption by id | `openssl s_server -dtls1_2 -cipher NAME` | `openssl s_client -dtls1_2 -cipher NAME`, `-sess_out`/`-sess_in` |
//! | 0x00A8/0x00A9 PSK GCM, 0x00AE PSK CBC-SHA256, 0x00AA/0x00AB DHE_PSK GCM, 0x00B2 DHE_PSK CBC-SHA256 | `openssl s_server -dtls1_2 -psk` | `openssl s_client -dtls1_2 -psk` |
//! | client authentication (CertificateVerify with a TLS 1.2 signature pair) | `openssl s_server -dtls1_2 -Verify 1` | `openssl s_client -dtls1_2 -cert` |
//! | RFC 5746 re-handshakes started by either side | `openssl s_server -dtls1_2 -client_renegotiation`, `R` | `openssl s_client -dtls1_2`, `R` |
//! | default priority, resumption; PSK and DHE_PSK | `gnutls-serv --udp` | `gnutls-cli --udp` (`--resume`), PSK (its DHE_PSK client crashes) |
//! | version negotiation | `openssl s_server -dtls` (any version; `@SECLEVEL=0`, without which OpenSSL 3 refuses DTLS 1.0) with our DTLS-1.2 and DTLS-1.0-only clients | `openssl s_client -dtls1 -fallback_scsv` gets inappropriate_fallback (RFC 7507) |
//!
//! (DTLS 1.0 peers against our clients that offer DTLS 1.2 are `tests/dtls.rs`, which
//! needs no TLS 1.2.) A missing peer is a failure; every wait is bounded.

use std::net::UdpSocket;
use std::sync::Arc;
use std::time::Duration;

use matrix_dtls::DtlsContext;
use matrix_interop::dtls::{self, DtlsConn, Outcome, PSK_HEX, PSK_ID, Reply};
use matrix_interop::{Peer, free_port, testkeys};
use matrix_ssl::suites::KeyExchange;
use matrix_ssl::{CertValidator, CipherSuite, Config, Keys, ProtocolVersion, Verdict};

const T: Duration = Duration::from_secs(20);
const DTLS10: ProtocolVersion = ProtocolVersion::DTLSv1_0;
const DTLS12: ProtocolVersion = ProtocolVersion::DTLSv1_2;

/// The RSA-certificate suites in DTLS 1.2 and OpenSSL's names for them.
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

/// The PSK and DHE_PSK suites in DTLS 1.2 (RFC 5487) and OpenSSL's names for them.
const PSK_SUITES: [(u16, &str); 6] = [
    (0x00A8, "PSK-AES128-GCM-SHA256"),
    (0x00A9, "PSK-AES256-GCM-SHA384"),
    (0x00AE, "PSK-AES128-CBC-SHA256"),
    (0x00AA, "DHE-PSK-AES128-GCM-SHA256"),
    (0x00AB, "DHE-PSK-AES256-GCM-SHA384"),
    (0x00B2, "DHE-PSK-AES128-CBC-SHA256"),
];

/// A context with both DTLS versions (`Config::dtls()`): DTLS 1.2 is offered, DTLS 1.0
/// accepted.
fn dtls_ctx() -> DtlsContext {
    matrix_dtls::open(Config::dtls()).unwrap()
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(testkeys(rel)).unwrap()
}

/// The rsa2048 server chain and key (with the root CA for client authentication), 2048-bit
/// DH parameters and the PSK.
fn server_keys() -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_rsa_keys_mem(
        Some(&read("rsa2048/server-chain.pem")),
        Some(&read("rsa2048/server.key")),
        Some(&read("rsa2048/ca.der")),
    )
    .unwrap();
    k.load_dh_params(&testkeys("dh/dh2048.pem")).unwrap();
    k.load_psk(PSK_ID.as_bytes(), &dtls::PSK).unwrap();
    Arc::new(k)
}

/// The rsa2048 root and the PSK; with `cert`, the rsa2048 client chain and key too.
fn client_keys(cert: bool) -> Arc<Keys> {
    let mut k = Keys::new();
    if cert {
        k.load_rsa_keys_mem(
            Some(&read("rsa2048/client-chain.pem")),
            Some(&read("rsa2048/client.key")),
            Some(&read("rsa2048/ca.der")),
        )
        .unwrap();
    } else {
        k.load_rsa_keys_mem(None, None, Some(&read("rsa2048/ca.der")))
            .unwrap();
    }
    k.load_psk(PSK_ID.as_bytes(), &dtls::PSK).unwrap();
    Arc::new(k)
}

/// `openssl s_server` with `version` (`-dtls1_2`, `-dtls`), `cipher` (none: OpenSSL's
/// default list) and `extra` arguments: the rsa2048 identity, 2048-bit DH parameters.
fn s_server(version: &str, cipher: Option<&str>, extra: &[&str]) -> (Peer, u16) {
    let port = free_port();
    let accept = format!("127.0.0.1:{port}");
    let key = testkeys("rsa2048/server.key");
    let cert = testkeys("rsa2048/server.pem");
    let chain = testkeys("rsa2048/intermediate.pem");
    let dh = testkeys("dh/dh2048.pem");
    let mut args = vec!["s_server", version, "-accept", &accept];
    if let Some(c) = cipher {
        args.extend_from_slice(&["-cipher", c]);
    }
    args.extend_from_slice(&["-key", &key, "-cert", &cert, "-cert_chain", &chain]);
    args.extend_from_slice(&["-dhparam", &dh]);
    args.extend_from_slice(extra);
    let mut p = Peer::spawn("openssl", &args);
    p.wait_for("ACCEPT", T).unwrap();
    (p, port)
}

/// Checks a connection negotiated DTLS 1.2 with `suite`.
fn assert_dtls12(o: &Outcome, suite: u16, what: &str) {
    assert_eq!(o.version, DTLS12, "{what}");
    assert_eq!(o.suite, Some(CipherSuite::from(suite)), "{what}");
}

#[test]
fn our_client_against_openssl_s_server_dtls1_2() {
    let psk_args = ["-psk", PSK_HEX];
    let plan = RSA_SUITES
        .iter()
        .map(|&(s, n)| (s, n, &[][..]))
        .chain(PSK_SUITES.iter().map(|&(s, n)| (s, n, &psk_args[..])));
    for (suite, name, extra) in plan {
        let (mut server, port) = s_server("-dtls1_2", Some(name), extra);
        let ctx = dtls_ctx();
        let first = dtls::run_client(
            &ctx,
            client_keys(false),
            port,
            suite,
            None,
            Reply::Stdio(&mut server),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_dtls12(&first, suite, name);
        assert!(!first.resumed);
        let sid = first.sid.expect("a session id to resume");
        let second = dtls::run_client(
            &ctx,
            client_keys(false),
            port,
            suite,
            Some(&sid),
            Reply::Stdio(&mut server),
        )
        .unwrap_or_else(|e| panic!("{name} resumed: {e}"));
        assert!(second.resumed, "{name}: s_server did not resume");
        assert_dtls12(&second, suite, name);
    }
}

#[test]
fn openssl_s_client_dtls1_2_against_our_server() {
    let sess_file =
        std::env::temp_dir().join(format!("matrix-dtls12-sess-{}.pem", std::process::id()));
    let sess_file = sess_file.to_string_lossy().into_owned();
    let plan = RSA_SUITES
        .iter()
        .map(|&(s, n)| (s, n, false))
        .chain(PSK_SUITES.iter().map(|&(s, n)| (s, n, true)));
    for (suite, name, psk) in plan {
        let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = sock.local_addr().unwrap().port();
        let ctx = dtls_ctx();
        for resume in [false, true] {
            let connect = format!("127.0.0.1:{port}");
            let ca = testkeys("rsa2048/ca.pem");
            let mut args = vec![
                "s_client", "-dtls1_2", "-connect", &connect, "-cipher", name, "-CAfile", &ca,
            ];
            args.push(if resume { "-sess_in" } else { "-sess_out" });
            args.push(&sess_file);
            if psk {
                args.extend_from_slice(&["-psk", PSK_HEX, "-psk_identity", PSK_ID]);
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
            .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_dtls12(&done[0], suite, name);
            assert_eq!(done[0].resumed, resume, "{name}");
            if !psk {
                client
                    .wait_for("Verify return code: 0 (ok)", T)
                    .unwrap_or_else(|e| panic!("{name}: s_client verified our chain: {e}"));
            }
        }
    }
    let _ = std::fs::remove_file(sess_file);
}

/// Client authentication both ways: our client with the rsa2048 client chain against
/// `s_server -dtls1_2 -Verify 1`, and `s_client -dtls1_2 -cert` against our server with a
/// certificate callback (CertificateRequest with signature_algorithms, CertificateVerify
/// signed with a TLS 1.2 pair over the DTLS transcript).
#[test]
fn client_authentication_with_openssl_dtls1_2() {
    let ca = testkeys("rsa2048/ca.pem");
    for (suite, name) in [
        (0x009C, "AES128-GCM-SHA256"),
        (0x0067, "DHE-RSA-AES128-SHA256"),
    ] {
        let (mut server, port) =
            s_server("-dtls1_2", Some(name), &["-Verify", "1", "-CAfile", &ca]);
        let out = dtls::run_client(
            &dtls_ctx(),
            client_keys(true),
            port,
            suite,
            None,
            Reply::Stdio(&mut server),
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_dtls12(&out, suite, name);
        server
            .wait_for("verify return:1", T)
            .expect("s_server verified our certificate");

        let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
        let connect = format!("127.0.0.1:{}", sock.local_addr().unwrap().port());
        let (cert, key, chain) = (
            testkeys("rsa2048/client.pem"),
            testkeys("rsa2048/client.key"),
            testkeys("rsa2048/intermediate.pem"),
        );
        let mut client = Peer::spawn(
            "openssl",
            &[
                "s_client",
                "-dtls1_2",
                "-connect",
                &connect,
                "-cipher",
                name,
                "-cert",
                &cert,
                "-key",
                &key,
                "-cert_chain",
                &chain,
            ],
        );
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let validator = || {
            let seen = Arc::clone(&seen);
            let cb: CertValidator = Box::new(move |_, chain, alert| {
                seen.lock().unwrap().push((chain.certs().len(), alert));
                Verdict::from_code(alert.map_or(0, |a| i32::from(a.get())))
            });
            Some(cb)
        };
        let done = dtls::serve(
            &sock,
            &dtls_ctx(),
            1,
            &mut client,
            "ping with a certificate",
            server_keys,
            validator,
        )
        .unwrap_or_else(|e| panic!("{name} server: {e}"));
        assert_dtls12(&done[0], suite, name);
        assert_eq!(
            seen.lock().unwrap().as_slice(),
            [(2, None)],
            "{name}: one authenticated chain"
        );
    }
}

/// A file of `gnutls-serv --pskpasswd`.
fn psk_file() -> String {
    let path = std::env::temp_dir().join(format!("matrix-dtls12-psk-{}.txt", std::process::id()));
    std::fs::write(&path, format!("{PSK_ID}:{PSK_HEX}\n")).unwrap();
    path.to_string_lossy().into_owned()
}

/// Our client against `gnutls-serv --udp` with its default priority plus the PSK key
/// exchanges: every suite it would pick from ours, and the PSK and DHE_PSK ones named;
/// each resumed once.
#[test]
fn our_client_against_gnutls_serv_udp_default_priority() {
    let psk_file = psk_file();
    let port = free_port();
    let port_s = port.to_string();
    let (chain, key, dh) = (
        testkeys("rsa2048/server-chain.pem"),
        testkeys("rsa2048/server.key"),
        testkeys("dh/dh2048.pem"),
    );
    let mut server = Peer::spawn(
        "gnutls-serv",
        &[
            "--udp",
            "--echo",
            "-p",
            &port_s,
            "--x509certfile",
            &chain,
            "--x509keyfile",
            &key,
            "--dhparams",
            &dh,
            "--pskpasswd",
            &psk_file,
            // The default priority plus the PSK key exchanges, which NORMAL leaves out.
            "--priority",
            "NORMAL:+PSK:+DHE-PSK",
        ],
    );
    server.wait_for("listening", T).unwrap();
    // 0: our whole list, GnuTLS's choice (an AEAD suite: no ECDHE here, so RSA or DHE_RSA
    // with AES-GCM).
    for suite in [0u16, 0x009C, 0x009F, 0x00A8, 0x00AA, 0x00AB] {
        let ctx = dtls_ctx();
        let first = dtls::run_client(&ctx, client_keys(false), port, suite, None, Reply::Echo)
            .unwrap_or_else(|e| panic!("{suite:#06x}: {e}"));
        assert_eq!(first.version, DTLS12, "{suite:#06x}");
        let chosen = first.suite.expect("a suite").get();
        if suite == 0 {
            let info = matrix_ssl::suites::lookup(CipherSuite::from(chosen)).unwrap();
            assert!(info.is_aead(), "GnuTLS chose {chosen:#06x}");
        } else {
            assert_eq!(chosen, suite);
        }
        let sid = first.sid.expect("a session id to resume");
        let second = dtls::run_client(
            &ctx,
            client_keys(false),
            port,
            chosen,
            Some(&sid),
            Reply::Echo,
        )
        .unwrap_or_else(|e| panic!("{suite:#06x} resumed: {e}"));
        assert!(second.resumed, "{suite:#06x}: gnutls-serv did not resume");
        assert_dtls12(&second, chosen, "resumed");
    }
    let _ = std::fs::remove_file(psk_file);
}

/// `gnutls-cli --udp` with its default priority against our server, resuming once; then
/// with PSK.
#[test]
fn gnutls_cli_udp_default_priority_against_our_server() {
    let ca = testkeys("rsa2048/ca.pem");
    // gnutls-cli's DHE_PSK client crashes (PEERS.md): OpenSSL covers our DHE_PSK server.
    for kx in [None, Some("NORMAL:-KX-ALL:+PSK")] {
        let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = sock.local_addr().unwrap().port().to_string();
        let ctx = dtls_ctx();
        let mut args = vec![
            "127.0.0.1",
            "-p",
            &port,
            "--udp",
            "--resume",
            "--x509cafile",
            &ca,
            "--verify-hostname",
            "localhost",
        ];
        if let Some(priority) = kx {
            args.extend_from_slice(&[
                "--pskusername",
                PSK_ID,
                "--pskkey",
                PSK_HEX,
                "--priority",
                priority,
            ]);
        }
        let mut client = Peer::spawn("gnutls-cli", &args);
        let done = dtls::serve(
            &sock,
            &ctx,
            2,
            &mut client,
            "ping from gnutls-cli",
            server_keys,
            || None,
        )
        .unwrap_or_else(|e| panic!("{kx:?}: {e}"));
        let what = format!("{kx:?}: {done:?}");
        assert!(done.iter().all(|o| o.version == DTLS12), "{what}");
        assert_eq!(done[0].suite, done[1].suite, "{what}");
        assert_eq!((done[0].resumed, done[1].resumed), (false, true), "{what}");
        let info = matrix_ssl::suites::lookup(done[0].suite.unwrap()).unwrap();
        assert!(info.is_aead(), "{what}");
        let want = match kx {
            None => [KeyExchange::Rsa, KeyExchange::DheRsa],
            Some(_) => [KeyExchange::Psk; 2],
        };
        assert!(want.contains(&info.kx), "{what}");
    }
}

/// Version negotiation against `openssl s_server -dtls` (DTLS 1.0 and 1.2): our default
/// client gets DTLS 1.2, a client allowed only DTLS 1.0 gets DTLS 1.0 (and resumes it).
/// Then RFC 7507 over DTLS: `s_client -dtls1 -fallback_scsv` is refused with
/// inappropriate_fallback by our server, which speaks DTLS 1.2, and accepted by one that
/// speaks only DTLS 1.0. (OpenSSL 3 speaks DTLS 1.0 only at `@SECLEVEL=0`: these peers,
/// which must speak it, have it.)
#[test]
fn version_negotiation_and_the_fallback_scsv() {
    let (mut server, port) = s_server("-dtls", Some("ALL:@SECLEVEL=0"), &[]);
    let o = dtls::run_client(
        &dtls_ctx(),
        client_keys(false),
        port,
        0,
        None,
        Reply::Stdio(&mut server),
    )
    .unwrap();
    assert_eq!(o.version, DTLS12);
    let mut only10 = Config::dtls();
    only10.max_version = DTLS10;
    let only10 = matrix_dtls::open(only10).unwrap();
    let o = dtls::run_client(
        &only10,
        client_keys(false),
        port,
        0,
        None,
        Reply::Stdio(&mut server),
    )
    .unwrap();
    assert_eq!(o.version, DTLS10);
    let sid = o.sid.expect("a session id");
    let o = dtls::run_client(
        &only10,
        client_keys(false),
        port,
        0,
        Some(&sid),
        Reply::Stdio(&mut server),
    )
    .unwrap();
    assert_eq!((o.version, o.resumed), (DTLS10, true));
    drop(server);

    // s_client falling back to DTLS 1.0 against our DTLS 1.2 server.
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let connect = format!("127.0.0.1:{}", sock.local_addr().unwrap().port());
    let args = [
        "s_client",
        "-dtls1",
        "-fallback_scsv",
        "-cipher",
        "ALL:@SECLEVEL=0",
        "-connect",
        &connect,
    ];
    let mut client = Peer::spawn("openssl", &args);
    let mut c = DtlsConn::accept(&sock, &dtls_ctx(), server_keys(), None, T).unwrap();
    c.pump("the refusal", T, |c| c.closed || c.completions > 0)
        .unwrap();
    assert_eq!(c.completions, 0, "a fallback below our best is refused");
    client
        .wait_for("inappropriate fallback", T)
        .expect("s_client received inappropriate_fallback");

    // The same against a server whose best is DTLS 1.0: no fallback there.
    let mut only10 = Config::dtls();
    only10.max_version = DTLS10;
    let only10 = matrix_dtls::open(only10).unwrap();
    let mut client = Peer::spawn("openssl", &args);
    let done = dtls::serve(
        &sock,
        &only10,
        1,
        &mut client,
        "after fallback",
        server_keys,
        || None,
    )
    .unwrap();
    assert_eq!(done[0].version, DTLS10);
}

/// RFC 5746 re-handshakes over DTLS 1.2 with OpenSSL's defaults (AES-GCM), each side
/// starting one: our client's (resumed) and s_server's `R` (a HelloRequest) against
/// `s_server -dtls1_2 -client_renegotiation`; our server's HelloRequest and s_client's `R`
/// against `s_client -dtls1_2`. Data flows before and after each; the epochs show the new
/// keys.
#[test]
fn renegotiation_both_ways_with_openssl_dtls1_2() {
    let line = |c: &mut DtlsConn, peer: &mut Peer, tag: &str| {
        let ours = format!("{tag} from matrix-dtls\n");
        c.send_app(ours.as_bytes()).unwrap();
        peer.wait_for(ours.trim_end(), T).unwrap();
        let theirs = format!("{tag} from openssl\n");
        peer.send_stdin(&theirs);
        c.pump(&theirs, T, |c| c.got(theirs.as_bytes())).unwrap();
    };
    // Our client against s_server.
    let (mut server, port) = s_server("-dtls1_2", None, &["-client_renegotiation"]);
    let mut c = DtlsConn::client(&dtls_ctx(), client_keys(false), port);
    c.pump("the handshake", T, |c| c.completions == 1).unwrap();
    assert_eq!(c.sess.protocol_version(), DTLS12);
    assert!(c.sess.secure_renegotiation());
    line(&mut c, &mut server, "before");
    c.sess.encode_rehandshake(None, None, None, 0).unwrap();
    c.pump("our re-handshake", T, |c| c.completions == 2)
        .unwrap_or_else(|e| panic!("{e}\n{}", server.output().join("\n")));
    assert!(c.sess.is_resumed());
    assert_eq!(c.sess.epochs(), (2, 2));
    line(&mut c, &mut server, "between");
    server.send_stdin("R\n");
    c.pump("s_server's re-handshake", T, |c| c.completions == 3)
        .unwrap_or_else(|e| panic!("{e}\n{}", server.output().join("\n")));
    assert_eq!(c.sess.epochs(), (3, 3));
    line(&mut c, &mut server, "after");
    c.close();
    drop(server);

    // Our server against s_client.
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let connect = format!("127.0.0.1:{}", sock.local_addr().unwrap().port());
    let mut client = Peer::spawn("openssl", &["s_client", "-dtls1_2", "-connect", &connect]);
    let mut s = DtlsConn::accept(&sock, &dtls_ctx(), server_keys(), None, T).unwrap();
    s.pump("the handshake", T, |s| s.completions == 1).unwrap();
    assert_eq!(s.sess.protocol_version(), DTLS12);
    client
        .wait_for("Secure Renegotiation IS supported", T)
        .unwrap();
    line(&mut s, &mut client, "before");
    s.sess.encode_rehandshake(None, None, None, 0).unwrap();
    s.pump("our re-handshake", T, |s| s.completions == 2)
        .unwrap_or_else(|e| panic!("{e}\n{}", client.output().join("\n")));
    assert_eq!(s.sess.epochs(), (2, 2));
    line(&mut s, &mut client, "between");
    client.send_stdin("R\n");
    client.wait_for("RENEGOTIATING", T).unwrap();
    s.pump("s_client's re-handshake", T, |s| s.completions == 3)
        .unwrap_or_else(|e| panic!("{e}\n{}", client.output().join("\n")));
    assert_eq!(s.sess.epochs(), (3, 3));
    line(&mut s, &mut client, "after");
}
