//! The demo runs every row it plans, none fails and none is skipped: every compiled-in
//! version and suite (the apps compile in the DHE_RSA, DH_anon, PSK and DHE_PSK suites and
//! client authentication), full and resumed, client authentication and both kinds of
//! re-handshake.

use matrix_apps::demo::{Outcome, run, table};

#[test]
fn every_row_passes_and_none_is_skipped() {
    let mut seen = 0;
    let rows = run(|done, _| seen = done).expect("the demo starts");
    assert_eq!(seen, rows.len(), "progress reached the end");
    let text = table(&rows);
    for r in &rows {
        match &r.outcome {
            Outcome::Pass => assert!(r.handshake.is_some() && r.wire_bytes > 16 * 1024),
            Outcome::Fail(why) => panic!("{} {} {}: {why}\n{text}", r.version, r.suite, r.kind),
            other => panic!("{} {} {}: {other:?}\n{text}", r.version, r.suite, r.kind),
        }
    }
    let has = |kind: &str, suite: &str| {
        rows.iter()
            .any(|r| r.kind == kind && r.suite.contains(suite))
    };
    for suite in ["_RSA_", "DHE_RSA", "DH_anon", "TLS_PSK", "DHE_PSK"] {
        assert!(has("full", suite), "no full {suite} row\n{text}");
        assert!(has("resumed", suite), "no resumed {suite} row\n{text}");
    }
    for kind in ["client auth", "re-hs client", "re-hs server"] {
        assert!(has(kind, "TLS_"), "no {kind} row\n{text}");
    }
    assert!(text.contains(" passed, 0 failed"), "{text}");
}

/// With DTLS compiled in, every suite each DTLS version allows has a full and a resumed
/// row of that version: DTLS 1.0, and DTLS 1.2 (with its GCM and SHA-256 suites) where TLS
/// 1.2 is compiled in (RC4 suites have none: DTLS forbids them). The DTLS server holds
/// the EC identity beside the RSA one, so the ECDHE_ECDSA suites have rows too.
#[cfg(feature = "dtls")]
#[test]
fn dtls_rows_cover_every_dtls_suite() {
    use matrix_ssl::{Config, ProtocolVersion};
    let rows = run(|_, _| {}).expect("the demo starts");
    let versions = matrix_ssl::open(Config::dtls())
        .unwrap()
        .versions()
        .to_vec();
    // The programs' default build has TLS 1.2, so DTLS 1.2 too.
    assert_eq!(
        versions,
        [ProtocolVersion::DTLSv1_0, ProtocolVersion::DTLSv1_2]
    );
    for (v, name) in versions.into_iter().zip(["DTLS 1.0", "DTLS 1.2"]) {
        let dtls: Vec<_> = rows.iter().filter(|r| r.version == name).collect();
        let suites = matrix_ssl::suites::SUITES
            .iter()
            .filter(|s| s.allowed_in(v))
            .collect::<Vec<_>>();
        assert!(!suites.is_empty());
        for s in suites {
            for kind in ["full", "resumed"] {
                assert!(
                    dtls.iter()
                        .any(|r| r.suite == s.name && r.kind == kind && r.outcome == Outcome::Pass),
                    "no passing {name} {kind} row for {}",
                    s.name
                );
            }
        }
        assert!(dtls.iter().all(|r| !r.suite.contains("RC4")));
    }
    assert!(
        rows.iter()
            .any(|r| r.version == "DTLS 1.2" && r.suite.contains("GCM") && r.kind == "full")
    );
}

/// Every suite only TLS 1.2 has (GCM, SHA-256/384 CBC) has a passing row against OpenSSL in
/// both roles: our client vs `openssl s_server`, `openssl s_client` vs our server.
#[test]
fn tls12_rows_against_openssl_cover_every_tls12_suite() {
    let rows = run(|_, _| {}).expect("the demo starts");
    let tls12 = matrix_ssl::ProtocolVersion::TLSv1_2;
    let suites: Vec<_> = matrix_ssl::suites::SUITES
        .iter()
        .filter(|s| s.allowed_in(tls12) && !s.allowed_in(matrix_ssl::ProtocolVersion::TLSv1_1))
        .collect();
    assert!(
        suites.iter().any(|s| s.is_aead()),
        "no GCM suite compiled in"
    );
    for s in suites {
        for kind in ["vs s_server", "vs s_client"] {
            assert!(
                rows.iter().any(|r| r.version == "TLS 1.2"
                    && r.suite == s.name
                    && r.kind == kind
                    && r.outcome == Outcome::Pass),
                "no passing TLS 1.2 {kind} row for {}\n{}",
                s.name,
                table(&rows)
            );
        }
    }
}
