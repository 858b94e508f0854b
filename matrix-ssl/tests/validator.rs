//! `validator::standard`: the chain, every certificate's dates against the context's clock,
//! the leaf's purpose and the host name (RFC 6125), each with its alert; first through
//! `validator::check` over the test PKI, then in whole in-memory handshakes.

#![cfg(all(
    feature = "std",
    feature = "client-side-ssl",
    feature = "server-side-ssl"
))]

mod support;

use std::sync::Arc;

use matrix_core::osdep::ManualClock;
use matrix_ssl::validator::{self, Refusal};
use matrix_ssl::{AlertDescription, AlertLevel, Config, PeerChain};
use matrix_x509::{AuthStatus, CertChain, X509Cert, authenticate};
use support::{Ev, client_keys, pump, read, server_keys};

/// 2030-01-01 and 2050-01-01, in ms.
const Y2030: u64 = 1_893_456_000_000;
const Y2050: u64 = 2_524_608_000_000;

fn authenticated(chain: &str, ca: &str) -> (PeerChain, Option<AlertDescription>) {
    let mut c = CertChain::from_bytes(&read(chain)).unwrap();
    let cas: Vec<X509Cert> = CertChain::from_bytes(&read(ca)).unwrap().certs().to_vec();
    let found = authenticate(&mut c, &cas).map(|a| AlertDescription::from(a.alert()));
    (c, found)
}

#[test]
fn hosts_and_wildcards() {
    let (c, found) = authenticated("rsa2048/server-chain.pem", "rsa2048/ca.pem");
    assert_eq!(found, None);
    for host in [
        "localhost",
        "LOCALHOST.",
        "127.0.0.1",
        "a.matrix.test",
        "www.Matrix.Test",
    ] {
        assert_eq!(validator::check(Y2030, &c, None, host), Ok(()), "{host}");
    }
    // The wildcard is one whole label: not the parent, not two labels, not an IP.
    for host in [
        "matrix.test",
        "a.b.matrix.test",
        "evil.org",
        "127.0.0.2",
        "::1",
        "[::1]",
        "*.matrix.test",
        "",
    ] {
        let r = validator::check(Y2030, &c, None, host);
        assert_eq!(r, Err(Refusal::Host), "{host}");
        assert_eq!(r.unwrap_err().alert(), AlertDescription::BadCertificate);
    }
}

#[test]
fn the_common_name_only_without_a_subject_alt_name() {
    // A leaf without subjectAltName whose CN is a host name (from the hostile set; its
    // chain's name constraints are not at issue here, so no authentication).
    let c = CertChain::from_bytes(&read("hostile/nc-dns-cn.pem")).unwrap();
    assert_eq!(validator::check(Y2030, &c, None, "evil.org"), Ok(()));
    // With a subjectAltName, the CN is not consulted: rsa4096's server has CN localhost
    // and SAN localhost; the md5 server of rsa1024 has CN "md5 signed" and SAN localhost.
    let c = CertChain::from_bytes(&read("rsa1024/server-md5.pem")).unwrap();
    assert_eq!(
        validator::check(Y2030, &c, None, "md5 signed"),
        Err(Refusal::Host)
    );
}

#[test]
fn dates_of_every_certificate() {
    let (c, _) = authenticated("rsa2048/server-chain.pem", "rsa2048/ca.pem");
    assert_eq!(
        validator::check(Y2050, &c, None, "localhost"),
        Err(Refusal::Dates(0))
    );
    let (c, found) = authenticated("bad/expired.pem", "rsa2048/intermediate.pem");
    assert_eq!(found, None);
    let r = validator::check(Y2030, &c, found, "localhost").unwrap_err();
    assert_eq!(r, Refusal::Dates(0));
    assert_eq!(r.alert(), AlertDescription::CertificateExpired);
    let (c, found) = authenticated("bad/notyet.pem", "rsa2048/intermediate.pem");
    assert_eq!(
        validator::check(Y2030, &c, found, "localhost"),
        Err(Refusal::Dates(0))
    );
    let (c, found) = authenticated("hostile/expired-intermediate-chain.pem", "hostile/ca.pem");
    assert_eq!(found, None);
    assert_eq!(
        validator::check(Y2030, &c, found, "localhost"),
        Err(Refusal::Dates(1))
    );
}

#[test]
fn the_chain_and_the_purpose() {
    // The authentication's alert comes first, with the certificate that failed.
    let (c, found) = authenticated("rsa2048/server-chain.pem", "rsa1024/ca.pem");
    let r = validator::check(Y2030, &c, found, "localhost").unwrap_err();
    assert_eq!(r.alert(), AlertDescription::UnknownCa);
    let (c, found) = authenticated("hostile/nc-dns-permitted-chain.pem", "hostile/ca.pem");
    let r = validator::check(Y2030, &c, found, "evil.org").unwrap_err();
    assert_eq!(
        r,
        Refusal::Chain(
            AlertDescription::BadCertificate,
            Some((0, AuthStatus::FailNameConstraints))
        )
    );
    assert!(r.to_string().contains("name constraints"), "{r}");
    // A client certificate (extendedKeyUsage clientAuth) is no server's.
    let (c, found) = authenticated("rsa2048/client-chain.pem", "rsa2048/ca.pem");
    assert_eq!(found, None);
    let r = validator::check(Y2030, &c, found, "matrix test client").unwrap_err();
    assert_eq!(r, Refusal::Purpose);
    assert_eq!(r.alert(), AlertDescription::UnsupportedCertificate);
    let empty = CertChain::default();
    assert_eq!(
        validator::check(Y2030, &empty, None, "localhost"),
        Err(Refusal::Empty)
    );
}

/// A handshake of a client with `validator::standard(host)` at `now_ms` against the rsa2048
/// server; returns whether the client completed and what the server received.
fn handshake(host: &str, now_ms: u64) -> (bool, Vec<Ev>) {
    let ctx = matrix_ssl::open_with(
        Config::default(),
        Box::new(matrix_core::osdep::OsEntropy),
        Box::new(ManualClock::new(now_ms)),
    )
    .unwrap();
    let mut c = ctx
        .new_client_session(
            client_keys(),
            None,
            0,
            Some(validator::standard(host)),
            None,
        )
        .unwrap();
    let mut s = ctx.new_server_session(server_keys(), None).unwrap();
    let mut seen = Vec::new();
    for _ in 0..4 {
        let (_, se) = pump(&mut c, &mut s, usize::MAX);
        seen.extend(se);
        pump(&mut s, &mut c, usize::MAX);
    }
    (c.is_handshake_complete(), seen)
}

#[test]
fn standard_in_a_handshake() {
    for host in ["localhost", "127.0.0.1", "device.matrix.test"] {
        let (done, seen) = handshake(host, Y2030);
        assert!(done, "{host}: {seen:?}");
    }
    for (host, now, alert) in [
        ("evil.org", Y2030, AlertDescription::BadCertificate),
        ("localhost", Y2050, AlertDescription::CertificateExpired),
    ] {
        let (done, seen) = handshake(host, now);
        assert!(!done, "{host}");
        assert!(
            seen.contains(&Ev::Alert(AlertLevel::Fatal, alert)),
            "{host}: {seen:?}"
        );
    }
}

/// Without a callback, the authentication's own alert ends the handshake: a server whose
/// leaf carries an unknown critical extension gets unsupported_certificate (RFC 5280 4.2),
/// one whose CA's name constraints exclude its name bad_certificate.
#[test]
fn hostile_chains_without_a_callback() {
    let keys = |chain: &str| {
        let mut k = matrix_ssl::Keys::new();
        k.load_rsa_keys_mem(Some(&read(chain)), Some(&read("hostile/leaf.key")), None)
            .unwrap();
        Arc::new(k)
    };
    let mut trusted = matrix_ssl::Keys::new();
    trusted
        .load_rsa_keys_mem(None, None, Some(&read("hostile/ca.pem")))
        .unwrap();
    let trusted = Arc::new(trusted);
    let strict = !cfg!(feature = "allow-unknown-critical-extensions");
    for (chain, alert) in [
        ("hostile/good-chain.pem", None),
        (
            "hostile/crit-leaf-chain.pem",
            strict.then_some(AlertDescription::UnsupportedCertificate),
        ),
        (
            "hostile/nc-dns-excluded-chain.pem",
            Some(AlertDescription::BadCertificate),
        ),
    ] {
        let ctx = support::ctx();
        let mut c = ctx
            .new_client_session(Arc::clone(&trusted), None, 0, None, None)
            .unwrap();
        let mut s = ctx.new_server_session(keys(chain), None).unwrap();
        let mut seen = Vec::new();
        for _ in 0..4 {
            let (_, se) = pump(&mut c, &mut s, usize::MAX);
            seen.extend(se);
            pump(&mut s, &mut c, usize::MAX);
        }
        match alert {
            None => assert!(c.is_handshake_complete(), "{chain}: {seen:?}"),
            Some(a) => assert!(
                seen.contains(&Ev::Alert(AlertLevel::Fatal, a)),
                "{chain}: {seen:?}"
            ),
        }
    }
}
