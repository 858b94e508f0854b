//! TLS 1.2 (RFC 5246) against rustls 0.23 (the `ring` provider), both roles, over 127.0.0.1.
//!
//! rustls is only a test peer here (a dev-dependency of matrix-interop): an independent
//! implementation with a strict TLS 1.2 state machine, webpki certificate checks and
//! `require_ems`, so that each connection also proves RFC 7627.
//!
//! rustls offers TLS 1.2 AES-GCM only with forward-secret key exchanges. Its `ring` provider
//! ships the ECDHE ones; RFC 7919 FFDHE is left to custom providers, so this file builds one:
//! the DHE_RSA AES-GCM suites (RFC 5288) from ring's own AES-GCM and PRF pieces, and the
//! `ffdhe2048` group, whose modular exponentiation uses num-bigint (a test oracle only) and
//! whose exponent comes from ring's random source. matrix's server uses `ffdhe2048` when no
//! DH parameters are loaded, which is what rustls's client requires (it accepts only named
//! groups).
//!
//! | what | our client vs rustls `ServerConnection` | rustls `ClientConnection` vs our server |
//! |---|---|---|
//! | 0x009E DHE_RSA AES-128-GCM, 0x009F DHE_RSA AES-256-GCM, RSA certificates, EMS required | yes | yes |
//! | resumption by session id (rustls keeps TLS 1.2 ids in memory both ways) | yes | yes |
//! | client authentication (CertificateVerify, webpki chain checks) | yes | yes |
//! | with `--features ecc` ([`ecdhe`]): 0xC02B/0xC02C ECDHE_ECDSA (ec-p256 chain) and 0xC02F/0xC030 ECDHE_RSA AES-GCM, each over X25519, P-256 and P-384, resumed | yes | yes |

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use matrix_interop::testkeys;
use matrix_interop::tls::{EchoServer, context_all_suites, run_client_with_keys};
use matrix_ssl::{CipherSuite, Keys, ProtocolVersion, Verdict};
use num_bigint::BigUint;
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{
    ActiveKeyExchange, CipherSuiteCommon, CryptoProvider, SharedSecret, SupportedKxGroup,
};
use rustls::ffdhe_groups::{FFDHE2048, FfdheGroup};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::server::WebPkiClientVerifier;
use rustls::{
    ClientConfig, ClientConnection, HandshakeKind, NamedGroup, RootCertStore, ServerConfig,
    ServerConnection, StreamOwned, SupportedCipherSuite, Tls12CipherSuite,
};

const TLS12: ProtocolVersion = ProtocolVersion::TLSv1_2;

/// The suites both sides have: (IANA value, rustls's DHE suite built from this ECDHE one).
const SUITES: [(u16, SupportedCipherSuite); 2] = [
    (
        0x009E,
        rustls::crypto::ring::cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    ),
    (
        0x009F,
        rustls::crypto::ring::cipher_suite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    ),
];

/// RFC 7919 `ffdhe2048` for rustls (TLS 1.2 DHE, RFC 5246 8.1.2).
#[derive(Debug)]
struct Ffdhe2048;

struct Ffdhe2048Exchange {
    x: BigUint,
    public: Vec<u8>,
}

fn p() -> BigUint {
    BigUint::from_bytes_be(FFDHE2048.p)
}

/// `v` big-endian, left-padded to the modulus length (RFC 7919 section 5 and RFC 8446 7.4.1;
/// rustls strips the zeros itself for TLS 1.2).
fn padded(v: &BigUint) -> Vec<u8> {
    let b = v.to_bytes_be();
    let mut out = vec![0u8; FFDHE2048.p.len().saturating_sub(b.len())];
    out.extend_from_slice(&b);
    out
}

impl SupportedKxGroup for Ffdhe2048 {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, rustls::Error> {
        // RFC 7919 section 5.2: at least 225 bits of exponent for ffdhe2048.
        let mut x = [0u8; 32];
        ring_provider().secure_random.fill(&mut x)?;
        let x = BigUint::from_bytes_be(&x);
        let public = padded(&BigUint::from_bytes_be(FFDHE2048.g).modpow(&x, &p()));
        Ok(Box::new(Ffdhe2048Exchange { x, public }))
    }

    fn ffdhe_group(&self) -> Option<FfdheGroup<'static>> {
        Some(FFDHE2048)
    }

    fn name(&self) -> NamedGroup {
        NamedGroup::FFDHE2048
    }
}

impl ActiveKeyExchange for Ffdhe2048Exchange {
    fn complete(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, rustls::Error> {
        let p = p();
        let y = BigUint::from_bytes_be(peer);
        // RFC 7919 section 5.1: 1 < Y < p - 1.
        let one = BigUint::from(1u8);
        if peer.len() > FFDHE2048.p.len() || y <= one || y >= &p - &one {
            return Err(rustls::Error::General("bad FFDHE public value".into()));
        }
        Ok(SharedSecret::from(padded(&y.modpow(&self.x, &p))))
    }

    fn ffdhe_group(&self) -> Option<FfdheGroup<'static>> {
        Some(FFDHE2048)
    }

    fn pub_key(&self) -> &[u8] {
        &self.public
    }

    fn group(&self) -> NamedGroup {
        NamedGroup::FFDHE2048
    }
}

/// rustls's DHE_RSA suite with the AEAD, PRF and signature schemes of `ecdhe` (only the key
/// exchange and the IANA value differ between TLS_ECDHE_RSA_WITH_AES_*_GCM and
/// TLS_DHE_RSA_WITH_AES_*_GCM).
fn dhe_suite(iana: u16, ecdhe: SupportedCipherSuite) -> SupportedCipherSuite {
    let SupportedCipherSuite::Tls12(e) = ecdhe else {
        panic!("{ecdhe:?} is not a TLS 1.2 suite");
    };
    let suite: &'static Tls12CipherSuite = Box::leak(Box::new(Tls12CipherSuite {
        common: CipherSuiteCommon {
            suite: rustls::CipherSuite::from(iana),
            hash_provider: e.common.hash_provider,
            confidentiality_limit: e.common.confidentiality_limit,
        },
        prf_provider: e.prf_provider,
        kx: rustls::crypto::KeyExchangeAlgorithm::DHE,
        sign: e.sign,
        aead_alg: e.aead_alg,
    }));
    SupportedCipherSuite::Tls12(suite)
}

/// ring's provider limited to one DHE_RSA GCM suite and `ffdhe2048`.
fn provider(iana: u16, ecdhe: SupportedCipherSuite) -> Arc<CryptoProvider> {
    static GROUP: Ffdhe2048 = Ffdhe2048;
    Arc::new(CryptoProvider {
        cipher_suites: vec![dhe_suite(iana, ecdhe)],
        kx_groups: vec![&GROUP],
        ..ring_provider()
    })
}

/// rustls's `ring` provider. rustls 0.23.48 deprecates it for lacking post-quantum key
/// exchanges, which exist only in TLS 1.3 and do not concern these TLS 1.2 tests (and the
/// aws-lc-rs provider would bring a C/cmake build to the test run).
#[allow(deprecated)]
fn ring_provider() -> CryptoProvider {
    rustls::crypto::ring::default_provider()
}

fn certs(rel: &str) -> Vec<CertificateDer<'static>> {
    CertificateDer::pem_file_iter(testkeys(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn key(rel: &str) -> PrivateKeyDer<'static> {
    PrivateKeyDer::from_pem_file(testkeys(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn roots() -> Arc<RootCertStore> {
    let mut r = RootCertStore::empty();
    for c in certs("rsa2048/ca.pem") {
        r.add(c).unwrap();
    }
    Arc::new(r)
}

fn rustls_client_config(provider: Arc<CryptoProvider>, with_cert: bool) -> Arc<ClientConfig> {
    let verifier = WebPkiServerVerifier::builder_with_provider(roots(), Arc::clone(&provider))
        .build()
        .unwrap();
    let builder = ClientConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap()
        .with_webpki_verifier(verifier);
    let mut config = if with_cert {
        builder
            .with_client_auth_cert(certs("rsa2048/client-chain.pem"), key("rsa2048/client.key"))
            .unwrap()
    } else {
        builder.with_no_client_auth()
    };
    config.require_ems = true;
    Arc::new(config)
}

fn rustls_server_config(provider: Arc<CryptoProvider>, client_auth: bool) -> Arc<ServerConfig> {
    let builder = ServerConfig::builder_with_provider(Arc::clone(&provider))
        .with_protocol_versions(&[&rustls::version::TLS12])
        .unwrap();
    let builder = if client_auth {
        let verifier = WebPkiClientVerifier::builder_with_provider(roots(), provider)
            .build()
            .unwrap();
        builder.with_client_cert_verifier(verifier)
    } else {
        builder.with_no_client_auth()
    };
    let mut config = builder
        .with_single_cert(certs("rsa2048/server-chain.pem"), key("rsa2048/server.key"))
        .unwrap();
    config.require_ems = true;
    Arc::new(config)
}

/// What rustls saw of one connection.
#[derive(Debug)]
struct RustlsOutcome {
    suite: Option<u16>,
    version: Option<rustls::ProtocolVersion>,
    kind: Option<HandshakeKind>,
    received: Vec<u8>,
    peer_certificates: usize,
}

fn outcome(c: &rustls::CommonState, received: Vec<u8>) -> RustlsOutcome {
    RustlsOutcome {
        suite: c.negotiated_cipher_suite().map(|s| u16::from(s.suite())),
        version: c.protocol_version(),
        kind: c.handshake_kind(),
        received,
        peer_certificates: c.peer_certificates().map_or(0, <[_]>::len),
    }
}

/// Reads until `until` has arrived or the peer closes (close_notify is a clean end).
fn read_until<S: Read>(s: &mut S, until: &[u8]) -> Result<Vec<u8>, String> {
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    while !got.windows(until.len()).any(|w| w == until) {
        match s.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) => return Err(format!("read after {got:?}: {e}")),
        }
    }
    Ok(got)
}

/// A rustls client connection to our server: sends `ping\n`, reads the echo.
fn rustls_client(config: &Arc<ClientConfig>, port: u16) -> Result<RustlsOutcome, String> {
    let tcp = matrix_interop::connect(port, Duration::from_secs(10));
    let _ = tcp.set_read_timeout(Some(Duration::from_secs(20)));
    let name = ServerName::try_from("localhost").unwrap();
    let conn = ClientConnection::new(Arc::clone(config), name).map_err(|e| e.to_string())?;
    let mut tls = StreamOwned::new(conn, tcp);
    tls.write_all(b"ping\n")
        .map_err(|e| format!("write: {e}"))?;
    tls.flush().map_err(|e| format!("flush: {e}"))?;
    let got = read_until(&mut tls, b"ECHO:ping\n")?;
    tls.conn.send_close_notify();
    let _ = tls.flush();
    Ok(outcome(&tls.conn, got))
}

/// A rustls server accepting `count` connections; each reads a line and echoes it.
struct RustlsServer {
    port: u16,
    results: Receiver<Result<RustlsOutcome, String>>,
}

impl RustlsServer {
    fn start(config: Arc<ServerConfig>, count: usize) -> RustlsServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for _ in 0..count {
                let Ok((tcp, _)) = listener.accept() else {
                    return;
                };
                if tx.send(serve_one(&config, tcp)).is_err() {
                    return;
                }
            }
        });
        RustlsServer { port, results: rx }
    }

    fn next(&self) -> Result<RustlsOutcome, String> {
        self.results
            .recv_timeout(Duration::from_secs(30))
            .map_err(|e| format!("the rustls server reported nothing: {e}"))?
    }
}

fn serve_one(config: &Arc<ServerConfig>, tcp: TcpStream) -> Result<RustlsOutcome, String> {
    let _ = tcp.set_read_timeout(Some(Duration::from_secs(20)));
    let conn = ServerConnection::new(Arc::clone(config)).map_err(|e| e.to_string())?;
    let mut tls = StreamOwned::new(conn, tcp);
    let line = read_until(&mut tls, b"\n")?;
    let mut reply = b"ECHO:".to_vec();
    reply.extend_from_slice(&line);
    tls.write_all(&reply).map_err(|e| format!("write: {e}"))?;
    tls.conn.send_close_notify();
    tls.flush().map_err(|e| format!("flush: {e}"))?;
    Ok(outcome(&tls.conn, line))
}

/// Our server's identity: leaf + intermediate, no DH parameters (so RFC 7919 ffdhe2048),
/// trusting the rsa2048 root for client certificates.
fn our_server_keys() -> Arc<Keys> {
    let mut k = Keys::new();
    let chain = format!(
        "{};{}",
        testkeys("rsa2048/server.pem"),
        testkeys("rsa2048/intermediate.pem")
    );
    k.load_rsa_keys(
        Some(&chain),
        Some(&testkeys("rsa2048/server.key")),
        None,
        Some(&testkeys("rsa2048/ca.pem")),
    )
    .unwrap();
    Arc::new(k)
}

/// Our client trusting the rsa2048 root, optionally with its certificate and intermediate.
fn our_client_keys(with_cert: bool) -> Arc<Keys> {
    let mut k = Keys::new();
    let chain = format!(
        "{};{}",
        testkeys("rsa2048/client.pem"),
        testkeys("rsa2048/intermediate.pem")
    );
    let key = testkeys("rsa2048/client.key");
    let (cert, key) = if with_cert {
        (Some(chain.as_str()), Some(key.as_str()))
    } else {
        (None, None)
    };
    k.load_rsa_keys(cert, key, None, Some(&testkeys("rsa2048/ca.pem")))
        .unwrap();
    Arc::new(k)
}

fn ctx() -> matrix_ssl::Context {
    context_all_suites(ProtocolVersion::SSLv3, TLS12)
}

#[test]
fn rustls_client_against_our_server_with_resumption() {
    for (iana, ecdhe) in SUITES {
        let config = rustls_client_config(provider(iana, ecdhe), false);
        let server = EchoServer::start_with_keys(ctx(), our_server_keys(), 2);
        for i in 0..2 {
            let r = rustls_client(&config, server.port)
                .unwrap_or_else(|e| panic!("{iana:#06x} connection {i}: {e}"));
            let o = server.next().unwrap();
            assert_eq!(r.received, b"ECHO:ping\n", "{iana:#06x}");
            assert_eq!(r.version, Some(rustls::ProtocolVersion::TLSv1_2));
            assert_eq!(r.suite, Some(iana));
            assert_eq!((o.version, o.suite), (TLS12, Some(CipherSuite::from(iana))));
            assert_eq!(o.received, b"ping\n");
            // The second connection resumes by session id, and both sides say so.
            let resumed = i == 1;
            assert_eq!(o.resumed, resumed, "{iana:#06x} connection {i}");
            let kind = if resumed {
                HandshakeKind::Resumed
            } else {
                HandshakeKind::Full
            };
            assert_eq!(r.kind, Some(kind), "{iana:#06x} connection {i}");
        }
    }
}

#[test]
fn our_client_against_rustls_server_with_resumption() {
    for (iana, ecdhe) in SUITES {
        let server = RustlsServer::start(rustls_server_config(provider(iana, ecdhe), false), 2);
        let (first, sid) = run_client_with_keys(
            &ctx(),
            our_client_keys(false),
            server.port,
            iana,
            None,
            b"hello rustls\n",
            Some(b"ECHO:hello rustls\n"),
        )
        .unwrap_or_else(|e| panic!("{iana:#06x}: {e}"));
        let r = server.next().unwrap();
        assert_eq!(
            (first.version, first.suite),
            (TLS12, Some(CipherSuite::from(iana)))
        );
        assert_eq!(first.received, b"ECHO:hello rustls\n");
        assert!(!first.resumed);
        assert_eq!((r.suite, r.kind), (Some(iana), Some(HandshakeKind::Full)));
        assert_eq!(r.received, b"hello rustls\n");

        let sid = sid.expect("rustls gave a session id");
        let (second, _) = run_client_with_keys(
            &ctx(),
            our_client_keys(false),
            server.port,
            iana,
            Some(&sid),
            b"again\n",
            Some(b"ECHO:again\n"),
        )
        .unwrap_or_else(|e| panic!("{iana:#06x} resumed: {e}"));
        let r = server.next().unwrap();
        assert!(second.resumed, "{iana:#06x}: rustls did not resume");
        assert_eq!(second.received, b"ECHO:again\n");
        assert_eq!(r.kind, Some(HandshakeKind::Resumed));
    }
}

#[test]
fn client_auth_both_ways() {
    let (iana, ecdhe) = SUITES[1];
    // rustls presents client.pem and its intermediate to our server, which asks for them (a
    // certificate callback turns client authentication on) and checks the chain.
    let validator: matrix_interop::tls::ValidatorFactory = Arc::new(|| {
        Some(Box::new(|_, _, alert| {
            alert.map_or(Verdict::Continue, Verdict::Alert)
        }))
    });
    let server = EchoServer::start_with_validator(ctx(), our_server_keys(), validator, 1);
    let config = rustls_client_config(provider(iana, ecdhe), true);
    let r = rustls_client(&config, server.port).unwrap();
    let o = server.next().unwrap();
    assert_eq!(r.received, b"ECHO:ping\n");
    assert_eq!((o.version, o.peer_certificates), (TLS12, 2));

    // rustls's server requires a client certificate and verifies it with webpki; our client
    // signs CertificateVerify.
    let server = RustlsServer::start(rustls_server_config(provider(iana, ecdhe), true), 2);
    let (o, _) = run_client_with_keys(
        &ctx(),
        our_client_keys(true),
        server.port,
        iana,
        None,
        b"with cert\n",
        Some(b"ECHO:with cert\n"),
    )
    .unwrap();
    let r = server.next().unwrap();
    assert_eq!(o.version, TLS12);
    assert_eq!(
        r.peer_certificates, 2,
        "client certificate and intermediate"
    );
    assert_eq!(r.received, b"with cert\n");

    // Without a certificate, rustls refuses our client.
    let refused = run_client_with_keys(
        &ctx(),
        our_client_keys(false),
        server.port,
        iana,
        None,
        b"no cert\n",
        Some(b"ECHO:no cert\n"),
    );
    assert!(refused.is_err(), "{refused:?}");
    assert!(server.next().is_err());
}

/// ECDHE_ECDSA and ECDHE_RSA with AES-GCM (RFC 8422, RFC 5289) against rustls's own ECDHE
/// suites, both roles, with the ec-p256 chain and the rsa2048 chain; each suite over
/// X25519, P-256 and P-384 (rustls offers or accepts that group alone), resumed by id.
/// With matrix-ssl's `ecc` (`--features ecc`).
#[cfg(feature = "ecc")]
mod ecdhe {
    use super::*;
    use rustls::crypto::ring::cipher_suite as rs;
    use rustls::crypto::ring::kx_group;

    /// (IANA value, rustls's suite, whether it needs the EC identity).
    const SUITES: [(u16, SupportedCipherSuite, bool); 4] = [
        (0xC02B, rs::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, true),
        (0xC02C, rs::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, true),
        (0xC02F, rs::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, false),
        (0xC030, rs::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, false),
    ];

    /// The groups: rustls's, our code point.
    const GROUPS: [(&dyn SupportedKxGroup, u16); 3] = [
        (kx_group::X25519, 29),
        (kx_group::SECP256R1, 23),
        (kx_group::SECP384R1, 24),
    ];

    /// ring's provider limited to `suite` and `groups`.
    fn provider(
        suite: SupportedCipherSuite,
        groups: Vec<&'static dyn SupportedKxGroup>,
    ) -> Arc<CryptoProvider> {
        Arc::new(CryptoProvider {
            cipher_suites: vec![suite],
            kx_groups: groups,
            ..ring_provider()
        })
    }

    /// A client offering `group`, and P-256 after it for an ECDSA suite (RFC 8422 section
    /// 5.6: the server's certificate curve must be among the client's groups).
    fn client_groups(
        group: &'static dyn SupportedKxGroup,
        id: u16,
        ecdsa: bool,
    ) -> Vec<&'static dyn SupportedKxGroup> {
        if ecdsa && id != 23 {
            vec![group, kx_group::SECP256R1]
        } else {
            vec![group]
        }
    }

    /// The rsa2048 and ec-p256 roots.
    fn both_roots() -> Arc<RootCertStore> {
        let mut r = RootCertStore::empty();
        for c in certs("rsa2048/ca.pem")
            .into_iter()
            .chain(certs("ec-p256/ca.pem"))
        {
            r.add(c).unwrap();
        }
        Arc::new(r)
    }

    fn client_config(provider: Arc<CryptoProvider>) -> Arc<ClientConfig> {
        let verifier =
            WebPkiServerVerifier::builder_with_provider(both_roots(), Arc::clone(&provider))
                .build()
                .unwrap();
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS12])
            .unwrap()
            .with_webpki_verifier(verifier)
            .with_no_client_auth();
        config.require_ems = true;
        Arc::new(config)
    }

    /// A rustls server with the ec-p256 chain (`ecdsa`) or the rsa2048 one.
    fn server_config(provider: Arc<CryptoProvider>, ecdsa: bool) -> Arc<ServerConfig> {
        let dir = if ecdsa { "ec-p256" } else { "rsa2048" };
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS12])
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                certs(&format!("{dir}/server-chain.pem")),
                key(&format!("{dir}/server.key")),
            )
            .unwrap();
        config.require_ems = true;
        Arc::new(config)
    }

    /// Our server holding both identities (chosen per suite), agreeing on `group` only.
    fn our_server(group: u16) -> EchoServer {
        let mut c = matrix_ssl::Config::default();
        c.min_version = TLS12;
        c.max_version = TLS12;
        c.ec_groups = vec![group];
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
        EchoServer::start_with_keys(matrix_ssl::open(c).unwrap(), Arc::new(k), 2)
    }

    /// Our client trusting both roots, offering X25519, P-256 and P-384.
    fn our_client_keys() -> Arc<Keys> {
        let mut k = Keys::new();
        k.load_rsa_keys(None, None, None, Some(&testkeys("rsa2048/ca.pem")))
            .unwrap();
        k.load_ec_keys(None, None, None, Some(&testkeys("ec-p256/ca.pem")))
            .unwrap();
        Arc::new(k)
    }

    #[test]
    fn rustls_client_ecdhe_each_suite_each_group_against_our_server_with_resumption() {
        for (iana, suite, ecdsa) in SUITES {
            for (group, id) in GROUPS {
                let what = format!("{iana:#06x} group {id}");
                let config = client_config(provider(suite, client_groups(group, id, ecdsa)));
                let server = our_server(id);
                for i in 0..2 {
                    let r = rustls_client(&config, server.port)
                        .unwrap_or_else(|e| panic!("{what} connection {i}: {e}"));
                    let o = server.next().unwrap();
                    assert_eq!(r.received, b"ECHO:ping\n", "{what}");
                    assert_eq!(r.suite, Some(iana), "{what}");
                    assert_eq!((o.version, o.suite), (TLS12, Some(CipherSuite::from(iana))));
                    let kind = if i == 1 {
                        HandshakeKind::Resumed
                    } else {
                        HandshakeKind::Full
                    };
                    assert_eq!(r.kind, Some(kind), "{what} connection {i}");
                    assert_eq!(o.resumed, i == 1, "{what} connection {i}");
                    // rustls checked our chain with webpki: the leaf and the intermediate.
                    assert!(i == 1 || r.peer_certificates == 2, "{what}");
                }
            }
        }
    }

    #[test]
    fn our_client_ecdhe_each_suite_each_group_against_rustls_server_with_resumption() {
        let ctx = context_all_suites(TLS12, TLS12);
        for (iana, suite, ecdsa) in SUITES {
            for (group, id) in GROUPS {
                let what = format!("{iana:#06x} group {id}");
                let server =
                    RustlsServer::start(server_config(provider(suite, vec![group]), ecdsa), 2);
                let (first, sid) = run_client_with_keys(
                    &ctx,
                    our_client_keys(),
                    server.port,
                    iana,
                    None,
                    b"hello rustls\n",
                    Some(b"ECHO:hello rustls\n"),
                )
                .unwrap_or_else(|e| panic!("{what}: {e}"));
                let r = server.next().unwrap();
                assert_eq!(
                    (first.version, first.suite),
                    (TLS12, Some(CipherSuite::from(iana)))
                );
                assert!(!first.resumed, "{what}");
                assert_eq!((r.suite, r.kind), (Some(iana), Some(HandshakeKind::Full)));
                let sid = sid.expect("rustls gave a session id");
                let (second, _) = run_client_with_keys(
                    &ctx,
                    our_client_keys(),
                    server.port,
                    iana,
                    Some(&sid),
                    b"again\n",
                    Some(b"ECHO:again\n"),
                )
                .unwrap_or_else(|e| panic!("{what} resumed: {e}"));
                let r = server.next().unwrap();
                assert!(second.resumed, "{what}: rustls did not resume");
                assert_eq!(r.kind, Some(HandshakeKind::Resumed), "{what}");
            }
        }
    }
}
