//! ECDHE (RFC 8422) over DTLS 1.2 (RFC 6347) and DTLS 1.0 (RFC 4347) against independent
//! peers over UDP on 127.0.0.1, both roles, ECDSA (ec-p256) and RSA (rsa2048) identities.
//!
//! | what | our client vs | our server vs |
//! |---|---|---|
//! | every ECDHE suite DTLS 1.2 allows (GCM, CBC-SHA256, CBC-SHA384, CBC-SHA), X25519, P-256 and P-384 each forced in turn, resumed by id | `openssl s_server -dtls1_2 -cipher NAME -groups G` | `openssl s_client -dtls1_2 -cipher NAME -groups G` (`-sess_out`/`-sess_in`) |
//! | the ECDHE CBC-SHA suites in DTLS 1.0 | (`tests/interop_ecc.rs`) | `openssl s_client -dtls1` (`@SECLEVEL=0`: OpenSSL 3 refuses DTLS 1.0 otherwise) |
//! | default priority, resumption | `gnutls-serv --udp` with the ec-p256 chain, then the rsa2048 one | `gnutls-cli --udp --resume`, trusting the EC root, then the RSA one |
//! | DTLS 1.0, the four ECDHE CBC-SHA suites, X25519, P-256 and P-384, resumed | `gnutls-serv --udp --priority NORMAL:-VERS-ALL:+VERS-DTLS1.0:...` | `gnutls-cli --udp --resume --priority` likewise |
//!
//! An ECDHE_ECDSA handshake needs the client to list the certificate's curve (RFC 8422
//! section 5.6): where X25519 or P-384 is the forced group of an ECDSA run, the client
//! lists P-256 after it, and the server has only the forced group. A missing peer is a
//! failure; every wait is bounded.

use std::net::UdpSocket;
use std::sync::Arc;
use std::time::Duration;

use matrix_dtls::DtlsContext;
use matrix_interop::dtls::{self, Outcome, Reply};
use matrix_interop::{Peer, free_port, testkeys};
use matrix_ssl::suites::KeyExchange;
use matrix_ssl::{CipherSuite, Config, Keys, ProtocolVersion};

const T: Duration = Duration::from_secs(20);

/// OpenSSL's `-groups` names, our code points and s_client's "Server Temp Key" text.
const GROUPS: [(&str, u16, &str); 3] = [
    ("X25519", 29, "X25519"),
    ("P-256", 23, "ECDH, prime256v1"),
    ("P-384", 24, "ECDH, secp384r1"),
];

/// The group forced for the `i`-th suite: each group comes round once per three suites,
/// so every group meets both identities, GCM and CBC.
fn group_for(i: usize) -> (&'static str, u16, &'static str) {
    GROUPS[i % GROUPS.len()]
}

/// The groups a client lists when `id` is forced: for ECDSA, P-256 (the certificate's
/// curve) after it.
fn client_groups(id: u16, ecdsa: bool) -> Vec<u16> {
    if ecdsa && id != 23 {
        vec![id, 23]
    } else {
        vec![id]
    }
}

/// The same for OpenSSL's `-groups`.
fn openssl_groups(name: &str, id: u16, ecdsa: bool) -> String {
    if ecdsa && id != 23 {
        format!("{name}:P-256")
    } else {
        name.to_string()
    }
}

/// A DTLS context (DTLS 1.0 and 1.2) with `groups`.
fn dtls_ctx(groups: &[u16]) -> DtlsContext {
    let mut c = Config::dtls();
    c.ec_groups = groups.to_vec();
    c.keep_peer_certificates = true;
    matrix_dtls::open(c).unwrap()
}

/// A DTLS context speaking DTLS 1.0 only.
fn dtls10_ctx(groups: &[u16]) -> DtlsContext {
    let mut c = Config::dtls();
    c.min_version = ProtocolVersion::DTLSv1_0;
    c.max_version = ProtocolVersion::DTLSv1_0;
    c.ec_groups = groups.to_vec();
    matrix_dtls::open(c).unwrap()
}

/// Our server: the rsa2048 and the ec-p256 identities at once (chosen per suite).
fn dual_server_keys() -> Arc<Keys> {
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
        None,
    )
    .unwrap();
    Arc::new(k)
}

/// Our server with the rsa2048 identity alone (so that a default-priority peer gets
/// ECDHE_RSA).
fn rsa_server_keys() -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_rsa_keys(
        Some(&testkeys("rsa2048/server-chain.pem")),
        Some(&testkeys("rsa2048/server.key")),
        None,
        None,
    )
    .unwrap();
    Arc::new(k)
}

/// Our client: trusting the rsa2048 and ec-p256 roots.
fn client_keys() -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_rsa_keys(None, None, None, Some(&testkeys("rsa2048/ca.pem")))
        .unwrap();
    k.load_ec_keys(None, None, None, Some(&testkeys("ec-p256/ca.pem")))
        .unwrap();
    Arc::new(k)
}

/// The identity directory of a suite.
fn identity(ecdsa: bool) -> &'static str {
    if ecdsa { "ec-p256" } else { "rsa2048" }
}

/// `openssl s_server -dtls1_2` with the identity a suite needs, `-cipher name` and
/// `-groups groups`.
fn s_server(name: &str, ecdsa: bool, groups: &str) -> (Peer, u16) {
    let port = free_port();
    let accept = format!("127.0.0.1:{port}");
    let dir = identity(ecdsa);
    let (key, cert, chain) = (
        testkeys(&format!("{dir}/server.key")),
        testkeys(&format!("{dir}/server.pem")),
        testkeys(&format!("{dir}/intermediate.pem")),
    );
    let mut p = Peer::spawn(
        "openssl",
        &[
            "s_server",
            "-dtls1_2",
            "-accept",
            &accept,
            "-cipher",
            name,
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
    p.wait_for("ACCEPT", T).unwrap();
    (p, port)
}

fn assert_negotiated(o: &Outcome, version: ProtocolVersion, suite: u16, what: &str) {
    assert_eq!(o.version, version, "{what}");
    assert_eq!(o.suite, Some(CipherSuite::from(suite)), "{what}");
}

#[test]
fn our_client_against_openssl_s_server_dtls1_2_every_ecdhe_suite_each_group() {
    for (i, (suite, name, ecdsa)) in matrix_interop::ECDHE_SUITES.into_iter().enumerate() {
        let (gname, gid, _) = group_for(i);
        let what = format!("{name} {gname}");
        // s_server has only the forced group: the handshake can use no other.
        let (mut server, port) = s_server(name, ecdsa, gname);
        let ctx = dtls_ctx(&client_groups(gid, ecdsa));
        let first = dtls::run_client(
            &ctx,
            client_keys(),
            port,
            suite,
            None,
            Reply::Stdio(&mut server),
        )
        .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_negotiated(&first, ProtocolVersion::DTLSv1_2, suite, &what);
        assert!(!first.resumed, "{what}");
        let sid = first.sid.expect("a session id to resume");
        let second = dtls::run_client(
            &ctx,
            client_keys(),
            port,
            suite,
            Some(&sid),
            Reply::Stdio(&mut server),
        )
        .unwrap_or_else(|e| panic!("{what} resumed: {e}"));
        assert!(second.resumed, "{what}: s_server did not resume");
        assert_negotiated(&second, ProtocolVersion::DTLSv1_2, suite, &what);
    }
}

/// `openssl s_client` (`version`: `-dtls1_2`, `-dtls1`) with `cipher` and `groups`
/// against our server on `sock` holding both identities and agreeing only on `server_group`:
/// a full handshake and a resumption. Returns s_client's output of the full one.
fn s_client_against_our_server(
    version: &str,
    cipher: &str,
    groups: &str,
    ecdsa: bool,
    ctx: &DtlsContext,
) -> (Vec<Outcome>, String) {
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = sock.local_addr().unwrap().port();
    let sess_file = std::env::temp_dir().join(format!(
        "matrix-dtls-ecc-sess-{}-{port}.pem",
        std::process::id()
    ));
    let sess_file = sess_file.to_string_lossy().into_owned();
    let connect = format!("127.0.0.1:{port}");
    let ca = testkeys(&format!("{}/ca.pem", identity(ecdsa)));
    let mut done = Vec::new();
    let mut first_out = String::new();
    for resume in [false, true] {
        let mut args = vec![
            "s_client", version, "-connect", &connect, "-cipher", cipher, "-groups", groups,
            "-CAfile", &ca,
        ];
        args.push(if resume { "-sess_in" } else { "-sess_out" });
        args.push(&sess_file);
        let mut client = Peer::spawn("openssl", &args);
        let o = dtls::serve(
            &sock,
            ctx,
            1,
            &mut client,
            "ping from s_client",
            dual_server_keys,
            || None,
        )
        .unwrap_or_else(|e| panic!("{version} {cipher} {groups}: {e}"));
        client
            .wait_for("Verify return code: 0 (ok)", T)
            .unwrap_or_else(|e| panic!("{cipher}: s_client verified our chain: {e}"));
        if !resume {
            first_out = client.output().join("\n");
        }
        done.extend(o);
    }
    let _ = std::fs::remove_file(sess_file);
    (done, first_out)
}

#[test]
fn openssl_s_client_dtls1_2_every_ecdhe_suite_each_group_against_our_server() {
    for (i, (suite, name, ecdsa)) in matrix_interop::ECDHE_SUITES.into_iter().enumerate() {
        let (gname, gid, temp) = group_for(i);
        let what = format!("{name} {gname}");
        let ctx = dtls_ctx(&[gid]);
        let groups = openssl_groups(gname, gid, ecdsa);
        let (done, out) = s_client_against_our_server("-dtls1_2", name, &groups, ecdsa, &ctx);
        assert_negotiated(&done[0], ProtocolVersion::DTLSv1_2, suite, &what);
        assert_negotiated(&done[1], ProtocolVersion::DTLSv1_2, suite, &what);
        assert_eq!((done[0].resumed, done[1].resumed), (false, true), "{what}");
        assert!(
            out.contains(&format!("Server Temp Key: {temp}")),
            "{what}: {out}"
        );
    }
}

/// DTLS 1.0 (RFC 4347, RFC 8422's CBC-SHA suites) with our server: s_client -dtls1 with
/// the ECDSA and the RSA suites, on two groups.
#[test]
fn openssl_s_client_dtls1_against_our_server() {
    for (suite, name, ecdsa, (gname, gid, temp)) in [
        (0xc009u16, "ECDHE-ECDSA-AES128-SHA", true, GROUPS[0]),
        (0xc00a, "ECDHE-ECDSA-AES256-SHA", true, GROUPS[2]),
        (0xc013, "ECDHE-RSA-AES128-SHA", false, GROUPS[1]),
        (0xc014, "ECDHE-RSA-AES256-SHA", false, GROUPS[0]),
    ] {
        let what = format!("{name} {gname}");
        let ctx = dtls10_ctx(&[gid]);
        let cipher = format!("{name}:@SECLEVEL=0");
        let groups = openssl_groups(gname, gid, ecdsa);
        let (done, out) = s_client_against_our_server("-dtls1", &cipher, &groups, ecdsa, &ctx);
        assert_negotiated(&done[0], ProtocolVersion::DTLSv1_0, suite, &what);
        assert_eq!((done[0].resumed, done[1].resumed), (false, true), "{what}");
        assert!(
            out.contains(&format!("Server Temp Key: {temp}")),
            "{what}: {out}"
        );
    }
}

/// Our client against `gnutls-serv --udp` with its default priority, with the ec-p256
/// chain (ECDHE_ECDSA) and with the rsa2048 chain (ECDHE_RSA): AES-GCM in DTLS 1.2,
/// resumed.
#[test]
fn our_client_against_gnutls_serv_udp_default_priority() {
    for (dir, want) in [("ec-p256", [0xc02b, 0xc02c]), ("rsa2048", [0xc02f, 0xc030])] {
        let port = free_port();
        let port_s = port.to_string();
        let mut server = Peer::spawn(
            "gnutls-serv",
            &[
                "--udp",
                "--echo",
                "-p",
                &port_s,
                "--disable-client-cert",
                "--x509certfile",
                &testkeys(&format!("{dir}/server-chain.pem")),
                "--x509keyfile",
                &testkeys(&format!("{dir}/server.key")),
            ],
        );
        server.wait_for("listening", T).unwrap();
        let ctx = dtls_ctx(&[29, 23, 24]);
        let first = dtls::run_client(&ctx, client_keys(), port, 0, None, Reply::Echo)
            .unwrap_or_else(|e| panic!("gnutls-serv {dir}: {e}"));
        assert_eq!(first.version, ProtocolVersion::DTLSv1_2, "{dir}");
        let chosen = first.suite.expect("a suite").get();
        assert!(want.contains(&chosen), "{dir}: {chosen:#06x}");
        let sid = first.sid.expect("a session id to resume");
        let second = dtls::run_client(&ctx, client_keys(), port, chosen, Some(&sid), Reply::Echo)
            .unwrap_or_else(|e| panic!("gnutls-serv {dir} resumed: {e}"));
        assert!(second.resumed, "{dir}: gnutls-serv did not resume");
        assert_negotiated(&second, ProtocolVersion::DTLSv1_2, chosen, dir);
    }
}

/// `gnutls-cli --udp` with its default priority against our server: with both identities
/// and the EC root it gets ECDHE_ECDSA, with the RSA identity alone ECDHE_RSA; AES-GCM,
/// DTLS 1.2, resumed once.
#[test]
fn gnutls_cli_udp_default_priority_against_our_server() {
    for (ca, ecdsa) in [("ec-p256/ca.pem", true), ("rsa2048/ca.pem", false)] {
        let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = sock.local_addr().unwrap().port().to_string();
        let ctx = dtls_ctx(&[29, 23, 24]);
        let ca = testkeys(ca);
        let mut client = Peer::spawn(
            "gnutls-cli",
            &[
                "127.0.0.1",
                "-p",
                &port,
                "--udp",
                "--resume",
                "--x509cafile",
                &ca,
                "--verify-hostname",
                "localhost",
            ],
        );
        let keys = if ecdsa {
            dual_server_keys
        } else {
            rsa_server_keys
        };
        let done = dtls::serve(
            &sock,
            &ctx,
            2,
            &mut client,
            "ping from gnutls-cli",
            keys,
            || None,
        )
        .unwrap_or_else(|e| panic!("{ca}: {e}"));
        let what = format!("{ca}: {done:?}");
        assert!(
            done.iter().all(|o| o.version == ProtocolVersion::DTLSv1_2),
            "{what}"
        );
        assert_eq!(done[0].suite, done[1].suite, "{what}");
        assert_eq!((done[0].resumed, done[1].resumed), (false, true), "{what}");
        let info = matrix_ssl::suites::lookup(done[0].suite.unwrap()).unwrap();
        let want = if ecdsa {
            KeyExchange::EcdheEcdsa
        } else {
            KeyExchange::EcdheRsa
        };
        assert!(info.is_aead() && info.kx == want, "{what}");
    }
}

/// GnuTLS's name of a group (`+GROUP-NAME`) and its code point.
type GnutlsGroup = (&'static str, u16);

/// The DTLS 1.0 ECDHE suites (RFC 8422's CBC-SHA ones) with GnuTLS's names for their
/// cipher and key exchange, and the group forced for each: every group meets both
/// identities.
const GNUTLS_DTLS1_ECDHE: [(u16, &str, &str, bool, GnutlsGroup); 4] = [
    (0xc009, "+AES-128-CBC", "+ECDHE-ECDSA", true, ("X25519", 29)),
    (
        0xc00a,
        "+AES-256-CBC",
        "+ECDHE-ECDSA",
        true,
        ("SECP384R1", 24),
    ),
    (
        0xc013,
        "+AES-128-CBC",
        "+ECDHE-RSA",
        false,
        ("SECP256R1", 23),
    ),
    (0xc014, "+AES-256-CBC", "+ECDHE-RSA", false, ("X25519", 29)),
];

/// GnuTLS's priority for DTLS 1.0 with one cipher, HMAC-SHA1, one key exchange and the
/// forced group (and for ECDSA, P-256, the certificate's curve, after it: RFC 8422
/// section 5.6).
fn gnutls_dtls1_priority(cipher: &str, kx: &str, group: &str, ecdsa: bool) -> String {
    let mut groups = format!("+GROUP-{group}");
    if ecdsa && group != "SECP256R1" {
        groups.push_str(":+GROUP-SECP256R1");
    }
    format!(
        "NORMAL:-VERS-ALL:+VERS-DTLS1.0:-CIPHER-ALL:{cipher}:-MAC-ALL:+SHA1:-KX-ALL:{kx}:-GROUP-ALL:{groups}"
    )
}

/// Our client (DTLS 1.0 only) against `gnutls-serv --udp` forced to DTLS 1.0, each ECDHE
/// CBC-SHA suite with the identity it needs and one forced group, resumed by id.
#[test]
fn our_client_against_gnutls_serv_udp_dtls1_ecdhe() {
    for (suite, cipher, kx, ecdsa, (gname, gid)) in GNUTLS_DTLS1_ECDHE {
        let what = format!("{cipher} {kx} {gname}");
        let port = free_port();
        let port_s = port.to_string();
        let dir = identity(ecdsa);
        let priority = gnutls_dtls1_priority(cipher, kx, gname, ecdsa);
        let mut server = Peer::spawn(
            "gnutls-serv",
            &[
                "--udp",
                "--echo",
                "-p",
                &port_s,
                "--disable-client-cert",
                "--x509certfile",
                &testkeys(&format!("{dir}/server-chain.pem")),
                "--x509keyfile",
                &testkeys(&format!("{dir}/server.key")),
                "--priority",
                &priority,
            ],
        );
        server.wait_for("listening", T).unwrap();
        let ctx = dtls10_ctx(&client_groups(gid, ecdsa));
        let first = dtls::run_client(&ctx, client_keys(), port, suite, None, Reply::Echo)
            .unwrap_or_else(|e| panic!("gnutls-serv {what}: {e}"));
        assert_negotiated(&first, ProtocolVersion::DTLSv1_0, suite, &what);
        assert!(!first.resumed, "{what}");
        let sid = first.sid.expect("a session id to resume");
        let second = dtls::run_client(&ctx, client_keys(), port, suite, Some(&sid), Reply::Echo)
            .unwrap_or_else(|e| panic!("gnutls-serv {what} resumed: {e}"));
        assert!(second.resumed, "{what}: gnutls-serv did not resume");
        assert_negotiated(&second, ProtocolVersion::DTLSv1_0, suite, &what);
    }
}

/// `gnutls-cli --udp --resume` forced to DTLS 1.0 against our server (DTLS 1.0 only, with
/// both identities and only the forced group), each ECDHE CBC-SHA suite: GnuTLS verifies
/// our chain, and the second connection resumes.
#[test]
fn gnutls_cli_udp_dtls1_ecdhe_against_our_server() {
    for (suite, cipher, kx, ecdsa, (gname, gid)) in GNUTLS_DTLS1_ECDHE {
        let what = format!("{cipher} {kx} {gname}");
        let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = sock.local_addr().unwrap().port().to_string();
        let ctx = dtls10_ctx(&[gid]);
        let ca = testkeys(&format!("{}/ca.pem", identity(ecdsa)));
        let priority = gnutls_dtls1_priority(cipher, kx, gname, ecdsa);
        let mut client = Peer::spawn(
            "gnutls-cli",
            &[
                "127.0.0.1",
                "-p",
                &port,
                "--udp",
                "--resume",
                "--x509cafile",
                &ca,
                "--verify-hostname",
                "localhost",
                "--priority",
                &priority,
            ],
        );
        let done = dtls::serve(
            &sock,
            &ctx,
            2,
            &mut client,
            "ping from gnutls-cli",
            dual_server_keys,
            || None,
        )
        .unwrap_or_else(|e| panic!("{what}: {e}"));
        let what = format!("{what}: {done:?}");
        for o in &done {
            assert_negotiated(o, ProtocolVersion::DTLSv1_0, suite, &what);
        }
        assert_eq!((done[0].resumed, done[1].resumed), (false, true), "{what}");
        let out = client.output().join("\n");
        assert!(
            out.contains(&format!("(DTLS1.0-X.509)-(ECDHE-{gname})")),
            "{what}: {out}"
        );
    }
}
