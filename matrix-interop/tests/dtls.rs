//! matrix-dtls (`DtlsSession` on matrix-ssl's handshake engine) against independent DTLS 1.0
//! peers over UDP on 127.0.0.1, in both roles:
//!
//! | suite | our client vs | our server vs |
//! |---|---|---|
//! | 0x002F, 0x0035 AES | `openssl s_server -dtls1` (resumption), `gnutls-serv --udp` (resumption) | `openssl s_client -dtls1` (resumption with `-sess_out`/`-sess_in`), `gnutls-cli --udp` (`--resume`) |
//! | 0x0033, 0x0039 DHE_RSA AES | `openssl s_server -dtls1`, `gnutls-serv --udp` | `openssl s_client -dtls1`, `gnutls-cli --udp` |
//! | 0x008C, 0x008D PSK AES | `openssl s_server -dtls1 -psk`, `gnutls-serv --udp --pskpasswd` | `openssl s_client -dtls1 -psk`, `gnutls-cli --udp --pskkey` |
//! | 0x002F with client authentication | `openssl s_server -dtls1 -Verify 1` | `openssl s_client -dtls1 -cert` |
//!
//! The driver here is what an application over UDP does with the buffer API: send every
//! datagram `get_outdata` holds, hand each received datagram to `received_data`, and on a
//! read timeout call `get_outdata` again (the retransmission timer). Each test checks the
//! version, the suite, resumption and application data both ways. A missing peer is a
//! failure; every wait is bounded.

use std::net::UdpSocket;
use std::sync::Arc;
use std::time::Duration;

use matrix_dtls::DtlsContext;
use matrix_interop::dtls::{self, Outcome, PSK_HEX, PSK_ID, Reply};
use matrix_interop::{Peer, testkeys};
use matrix_ssl::{CertValidator, CipherSuite, Config, Keys, ProtocolVersion, SessionId, Verdict};

const T: Duration = Duration::from_secs(20);
const DTLS: ProtocolVersion = ProtocolVersion::DTLSv1_0;

fn dtls_ctx() -> DtlsContext {
    matrix_dtls::open(Config::dtls()).unwrap()
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(testkeys(rel)).unwrap()
}

/// The rsa2048 server chain and key, and the PSK.
fn server_keys() -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_rsa_keys_mem(
        Some(&read("rsa2048/server-chain.pem")),
        Some(&read("rsa2048/server.key")),
        None,
    )
    .unwrap();
    k.load_psk(PSK_ID.as_bytes(), &dtls::PSK).unwrap();
    Arc::new(k)
}

/// The rsa2048 root, and the PSK.
fn client_keys() -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_rsa_keys_mem(None, None, Some(&read("rsa2048/ca.der")))
        .unwrap();
    k.load_psk(PSK_ID.as_bytes(), &dtls::PSK).unwrap();
    Arc::new(k)
}

/// Our client against a server on `port`: handshake (DTLS 1.0), data both ways,
/// close_notify.
fn run_client(
    ctx: &DtlsContext,
    port: u16,
    suite: u16,
    resume: Option<&SessionId>,
    reply: Reply<'_>,
) -> Result<Outcome, String> {
    run_client_with(ctx, client_keys(), port, suite, resume, reply)
}

/// [`run_client`] with `keys`.
fn run_client_with(
    ctx: &DtlsContext,
    keys: Arc<Keys>,
    port: u16,
    suite: u16,
    resume: Option<&SessionId>,
    reply: Reply<'_>,
) -> Result<Outcome, String> {
    let out = dtls::run_client(ctx, keys, port, suite, resume, reply)?;
    assert_eq!(out.version, DTLS);
    Ok(out)
}

/// Our server on `sock` for the connections of one peer process (see `dtls::serve`), each
/// in DTLS 1.0. Returns, for each, whether it was resumed and its suite.
fn serve(
    sock: &UdpSocket,
    ctx: &DtlsContext,
    sessions: usize,
    peer: &mut Peer,
    ping: &str,
) -> Result<Vec<(bool, Option<CipherSuite>)>, String> {
    serve_with(sock, ctx, sessions, peer, ping, server_keys, || None)
}

/// [`serve`] with the keys and the certificate callback (client authentication) each
/// session gets.
fn serve_with(
    sock: &UdpSocket,
    ctx: &DtlsContext,
    sessions: usize,
    peer: &mut Peer,
    ping: &str,
    keys: impl Fn() -> Arc<Keys>,
    validator: impl Fn() -> Option<CertValidator>,
) -> Result<Vec<(bool, Option<CipherSuite>)>, String> {
    let done = dtls::serve(sock, ctx, sessions, peer, ping, keys, validator)?;
    assert!(done.iter().all(|o| o.version == DTLS), "{done:?}");
    Ok(done.into_iter().map(|o| (o.resumed, o.suite)).collect())
}

/// `openssl s_server -dtls1` with `cipher` and `extra` arguments.
fn s_server(cipher: &str, extra: &[&str]) -> (Peer, u16) {
    let port = matrix_interop::free_port();
    let accept = format!("127.0.0.1:{port}");
    let cipher = format!("{cipher}:@SECLEVEL=0");
    let key = testkeys("rsa2048/server.key");
    let cert = testkeys("rsa2048/server.pem");
    let chain = testkeys("rsa2048/intermediate.pem");
    let dh = testkeys("dh/dh2048.pem");
    let mut args = vec!["s_server", "-dtls1", "-accept", &accept, "-cipher", &cipher];
    args.extend_from_slice(&["-key", &key, "-cert", &cert, "-cert_chain", &chain]);
    args.extend_from_slice(&["-dhparam", &dh]);
    args.extend_from_slice(extra);
    let mut p = Peer::spawn("openssl", &args);
    p.wait_for("ACCEPT", T).unwrap();
    (p, port)
}

#[test]
fn our_client_against_openssl_s_server_dtls1() {
    for (suite, name, extra) in [
        (0x002Fu16, "AES128-SHA", &[][..]),
        (0x0035, "AES256-SHA", &[][..]),
        (0x0033, "DHE-RSA-AES128-SHA", &[][..]),
        (0x0039, "DHE-RSA-AES256-SHA", &[][..]),
        (0x008C, "PSK-AES128-CBC-SHA", &["-psk", PSK_HEX][..]),
        (0x008D, "PSK-AES256-CBC-SHA", &["-psk", PSK_HEX][..]),
    ] {
        let (mut server, port) = s_server(name, extra);
        let ctx = dtls_ctx();
        let first = run_client(&ctx, port, suite, None, Reply::Stdio(&mut server))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(first.suite, Some(CipherSuite::from(suite)), "{name}");
        assert!(!first.resumed);
        let sid = first.sid.expect("a session id to resume");
        let second = run_client(&ctx, port, suite, Some(&sid), Reply::Stdio(&mut server))
            .unwrap_or_else(|e| panic!("{name} resumed: {e}"));
        assert!(second.resumed, "{name}: s_server did not resume");
        assert_eq!(second.suite, Some(CipherSuite::from(suite)));
    }
}

/// The GnuTLS priority of DTLS 1.0 with one cipher and key exchange.
fn gnutls_priority(cipher: &str, kx: &str) -> String {
    format!("NORMAL:-VERS-ALL:+VERS-DTLS1.0:-CIPHER-ALL:{cipher}:-MAC-ALL:+SHA1:-KX-ALL:{kx}")
}

fn psk_file() -> String {
    let path = std::env::temp_dir().join(format!("matrix-dtls-psk-{}.txt", std::process::id()));
    std::fs::write(&path, format!("{PSK_ID}:{PSK_HEX}\n")).unwrap();
    path.to_string_lossy().into_owned()
}

#[test]
fn our_client_against_gnutls_serv_udp() {
    let psk_file = psk_file();
    for (suite, cipher, kx) in [
        (0x002Fu16, "+AES-128-CBC", "+RSA"),
        (0x0035, "+AES-256-CBC", "+RSA"),
        (0x0033, "+AES-128-CBC", "+DHE-RSA"),
        (0x0039, "+AES-256-CBC", "+DHE-RSA"),
        (0x008C, "+AES-128-CBC", "+PSK"),
        (0x008D, "+AES-256-CBC", "+PSK"),
    ] {
        let port = matrix_interop::free_port();
        let priority = gnutls_priority(cipher, kx);
        let (chain, key) = (
            testkeys("rsa2048/server-chain.pem"),
            testkeys("rsa2048/server.key"),
        );
        let dh = testkeys("dh/dh2048.pem");
        let port_s = port.to_string();
        let mut server = Peer::spawn(
            "gnutls-serv",
            &[
                "--udp",
                "--echo",
                "--noticket",
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
                "--priority",
                &priority,
            ],
        );
        server.wait_for("listening", T).unwrap();
        let ctx = dtls_ctx();
        let first = run_client(&ctx, port, suite, None, Reply::Echo)
            .unwrap_or_else(|e| panic!("{cipher} {kx}: {e}"));
        assert_eq!(first.suite, Some(CipherSuite::from(suite)));
        let sid = first.sid.expect("a session id to resume");
        let second = run_client(&ctx, port, suite, Some(&sid), Reply::Echo)
            .unwrap_or_else(|e| panic!("{cipher} {kx} resumed: {e}"));
        assert!(second.resumed, "{cipher} {kx}: gnutls-serv did not resume");
    }
    let _ = std::fs::remove_file(psk_file);
}

#[test]
fn openssl_s_client_dtls1_against_our_server() {
    let sess_file =
        std::env::temp_dir().join(format!("matrix-dtls-sess-{}.pem", std::process::id()));
    let sess_file = sess_file.to_string_lossy().into_owned();
    for (suite, name, psk) in [
        (0x002Fu16, "AES128-SHA", false),
        (0x0035, "AES256-SHA", false),
        (0x0033, "DHE-RSA-AES128-SHA", false),
        (0x0039, "DHE-RSA-AES256-SHA", false),
        (0x008C, "PSK-AES128-CBC-SHA", true),
        (0x008D, "PSK-AES256-CBC-SHA", true),
    ] {
        let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = sock.local_addr().unwrap().port();
        let ctx = dtls_ctx();
        for resume in [false, true] {
            let connect = format!("127.0.0.1:{port}");
            let cipher = format!("{name}:@SECLEVEL=0");
            let mut args = vec![
                "s_client", "-dtls1", "-connect", &connect, "-cipher", &cipher,
            ];
            args.push(if resume { "-sess_in" } else { "-sess_out" });
            args.push(&sess_file);
            if psk {
                args.extend_from_slice(&["-psk", PSK_HEX, "-psk_identity", PSK_ID]);
            }
            let mut client = Peer::spawn("openssl", &args);
            let resumed = serve(&sock, &ctx, 1, &mut client, "ping from s_client")
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(
                resumed,
                [(resume, Some(CipherSuite::from(suite)))],
                "{name}"
            );
        }
    }
    let _ = std::fs::remove_file(sess_file);
}

#[test]
fn gnutls_cli_udp_against_our_server_with_resumption() {
    for (suite, cipher, kx, psk) in [
        (0x002Fu16, "+AES-128-CBC", "+RSA", false),
        (0x0035, "+AES-256-CBC", "+RSA", false),
        (0x0033, "+AES-128-CBC", "+DHE-RSA", false),
        (0x008D, "+AES-256-CBC", "+PSK", true),
    ] {
        let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = sock.local_addr().unwrap().port().to_string();
        let ctx = dtls_ctx();
        let priority = gnutls_priority(cipher, kx);
        let ca = testkeys("rsa2048/ca.pem");
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
            "--priority",
            &priority,
        ];
        if psk {
            args.extend_from_slice(&["--pskusername", PSK_ID, "--pskkey", PSK_HEX]);
        }
        let mut client = Peer::spawn("gnutls-cli", &args);
        let resumed = serve(&sock, &ctx, 2, &mut client, "ping from gnutls-cli")
            .unwrap_or_else(|e| panic!("{cipher} {kx}: {e}"));
        let suite = Some(CipherSuite::from(suite));
        assert_eq!(resumed, [(false, suite), (true, suite)], "{cipher} {kx}");
    }
}

/// Client authentication both ways with OpenSSL: our client with the rsa2048 client chain
/// against `s_server -dtls1 -Verify 1`, and `s_client -dtls1 -cert` against our server
/// with a certificate callback (CertificateRequest, Certificate, CertificateVerify over
/// the DTLS transcript).
#[test]
fn client_authentication_with_openssl_dtls1() {
    let ca = testkeys("rsa2048/ca.pem");
    let (mut server, port) = s_server("AES128-SHA", &["-Verify", "1", "-CAfile", &ca]);
    let mut k = Keys::new();
    k.load_rsa_keys_mem(
        Some(&read("rsa2048/client-chain.pem")),
        Some(&read("rsa2048/client.key")),
        Some(&read("rsa2048/ca.der")),
    )
    .unwrap();
    let ctx = dtls_ctx();
    let out = run_client_with(
        &ctx,
        Arc::new(k),
        port,
        0x002F,
        None,
        Reply::Stdio(&mut server),
    )
    .unwrap();
    assert_eq!(out.suite, Some(CipherSuite::from(0x002F)));
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
            "-dtls1",
            "-connect",
            &connect,
            "-cipher",
            "AES128-SHA:@SECLEVEL=0",
            "-cert",
            &cert,
            "-key",
            &key,
            "-cert_chain",
            &chain,
        ],
    );
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let keys = || {
        let mut k = Keys::new();
        k.load_rsa_keys_mem(
            Some(&read("rsa2048/server-chain.pem")),
            Some(&read("rsa2048/server.key")),
            Some(&read("rsa2048/ca.der")),
        )
        .unwrap();
        Arc::new(k)
    };
    let validator = || {
        let seen = Arc::clone(&seen);
        let cb: CertValidator = Box::new(move |_, chain, alert| {
            seen.lock().unwrap().push((chain.certs().len(), alert));
            Verdict::from_code(alert.map_or(0, |a| i32::from(a.get())))
        });
        Some(cb)
    };
    let r = serve_with(
        &sock,
        &ctx,
        1,
        &mut client,
        "ping with a certificate",
        keys,
        validator,
    )
    .unwrap();
    assert_eq!(r, [(false, Some(CipherSuite::from(0x002F)))]);
    assert_eq!(
        seen.lock().unwrap().as_slice(),
        [(2, None)],
        "one authenticated chain"
    );
}
