//! `matrix-client` against `openssl s_server` presenting each hostile chain of
//! `testkeys/hostile/` (its `generate.sh` says what each is): the client refuses every one
//! with the RFC's alert, which s_server reports receiving, and accepts the good ones. This is
//! issue 13's end-to-end check of RFC 5280 (critical extensions, name constraints, version 1
//! certificates, empty subjectAltName, even RSA exponent) and of the standard validator
//! (dates, host name) that `matrix-client` uses by default.
//!
//! A missing `openssl` fails the test; nothing is skipped.

mod common;

use common::{CLIENT, T};
use matrix_interop::{Peer, free_port, testkeys};

/// One chain served by s_server and what matrix-client must make of it.
struct Case {
    /// The leaf (`NAME.pem`, and `NAME-chain.pem` is what is sent).
    name: &'static str,
    /// The trusted CA given with --ca.
    ca: &'static str,
    /// --server-name.
    host: &'static str,
    /// None: accepted; Some((alert number s_server must report, words of our error)).
    refused: Option<(u8, &'static str)>,
}

const fn ok(name: &'static str, ca: &'static str, host: &'static str) -> Case {
    Case {
        name,
        ca,
        host,
        refused: None,
    }
}

const fn no(name: &'static str, host: &'static str, alert: u8, why: &'static str) -> Case {
    Case {
        name,
        ca: "ca.pem",
        host,
        refused: Some((alert, why)),
    }
}

const BAD_CERTIFICATE: u8 = 42;
const UNSUPPORTED_CERTIFICATE: u8 = 43;
const CERTIFICATE_EXPIRED: u8 = 45;
const NAMES: &str = "name constraints forbid";
const CRITICAL: &str = "critical extension";

fn cases() -> Vec<Case> {
    let mut v = vec![
        ok("good", "ca.pem", "localhost"),
        ok("v1-anchor", "v1-ca.pem", "localhost"),
        ok("nc-dns-good", "ca.pem", "ok.matrix.test"),
        ok("nc-ip-good", "ca.pem", "ip.matrix.test"),
        ok("nc-email-good", "ca.pem", "mail.matrix.test"),
        ok("nc-dir-good", "ca.pem", "dir.matrix.test"),
        no("nc-dns-permitted", "evil.org", BAD_CERTIFICATE, NAMES),
        no(
            "nc-dns-excluded",
            "www.evil.matrix.test",
            BAD_CERTIFICATE,
            NAMES,
        ),
        no("nc-dns-cn", "evil.org", BAD_CERTIFICATE, NAMES),
        no("nc-ip-permitted", "ip.matrix.test", BAD_CERTIFICATE, NAMES),
        no("nc-ip-excluded", "ip.matrix.test", BAD_CERTIFICATE, NAMES),
        no(
            "nc-email-permitted",
            "mail.matrix.test",
            BAD_CERTIFICATE,
            NAMES,
        ),
        no(
            "nc-email-excluded",
            "mail.matrix.test",
            BAD_CERTIFICATE,
            NAMES,
        ),
        no(
            "nc-email-subject",
            "mail.matrix.test",
            BAD_CERTIFICATE,
            NAMES,
        ),
        no(
            "nc-dir-permitted",
            "dir.matrix.test",
            BAD_CERTIFICATE,
            NAMES,
        ),
        no("nc-dir-excluded", "dir.matrix.test", BAD_CERTIFICATE, NAMES),
        no("nc-uri", "localhost", UNSUPPORTED_CERTIFICATE, CRITICAL),
        no("v1-intermediate", "localhost", BAD_CERTIFICATE, "no CA"),
        // Refused by the certificate parser: the Certificate message is bad_certificate
        // before any callback.
        no("empty-san", "localhost", BAD_CERTIFICATE, "fatal alert"),
        no("even-exponent", "localhost", BAD_CERTIFICATE, "fatal alert"),
        no("expired-leaf", "localhost", CERTIFICATE_EXPIRED, "expired"),
        no(
            "expired-intermediate",
            "localhost",
            CERTIFICATE_EXPIRED,
            "expired",
        ),
        // The standard validator's host name check, on the control chain.
        no(
            "good",
            "evil.org",
            BAD_CERTIFICATE,
            "does not name the host",
        ),
    ];
    // Unknown critical extensions: refused, unless matrix-x509's
    // `allow-unknown-critical-extensions` is on (as in CI's all-features run), which this
    // test binary shares with matrix-client.
    let strict = matrix_x509::CertChain::from_pem(
        &std::fs::read_to_string(testkeys("hostile/crit-leaf.pem")).unwrap(),
    )
    .unwrap()
    .certs()[0]
        .extensions
        .has_unprocessed_critical();
    for (name, ca) in [
        ("crit-leaf", "ca.pem"),
        ("crit-policies-leaf", "ca.pem"),
        ("crit-ca", "ca.pem"),
        ("crit-root", "crit-root-ca.pem"),
    ] {
        let refused = strict.then_some((UNSUPPORTED_CERTIFICATE, CRITICAL));
        v.push(Case {
            name,
            ca,
            host: "localhost",
            refused,
        });
    }
    v
}

/// s_server on a free port presenting `NAME-chain.pem` with its key.
fn s_server(name: &str) -> (Peer, u16) {
    let port = free_port();
    let accept = format!("127.0.0.1:{port}");
    let key = if name == "even-exponent" {
        "even-exponent.key"
    } else {
        "leaf.key"
    };
    let (key, cert) = (
        testkeys(&format!("hostile/{key}")),
        testkeys(&format!("hostile/{name}.pem")),
    );
    let mut args = vec![
        "s_server",
        "-accept",
        &accept,
        "-tls1_1",
        "-cipher",
        "AES128-SHA:@SECLEVEL=0",
        "-www",
        "-key",
        &key,
        "-cert",
        &cert,
    ];
    // The chain file holds the leaf, then what s_server sends after it.
    let chain = std::fs::read_to_string(testkeys(&format!("hostile/{name}-chain.pem"))).unwrap();
    let rest = chain
        .match_indices("-----BEGIN CERTIFICATE-----")
        .nth(1)
        .map(|(i, _)| &chain[i..]);
    let rest_file = format!(
        "{}/hostile-{name}-intermediates.pem",
        env!("CARGO_TARGET_TMPDIR")
    );
    if let Some(rest) = rest {
        std::fs::write(&rest_file, rest).unwrap();
        args.extend(["-cert_chain", &rest_file]);
    }
    let mut s = Peer::spawn("openssl", &args);
    s.wait_for("ACCEPT", T)
        .unwrap_or_else(|e| panic!("s_server with {name}: {e}"));
    (s, port)
}

#[test]
fn client_refuses_each_hostile_chain_from_openssl_s_server() {
    let mut failures = Vec::new();
    for case in cases() {
        let label = format!("{} (--server-name {})", case.name, case.host);
        let (mut server, port) = s_server(case.name);
        let connect = format!("127.0.0.1:{port}");
        let ca = testkeys(&format!("hostile/{}", case.ca));
        let mut c = Peer::spawn(
            CLIENT,
            &[
                "--connect",
                &connect,
                "--ca",
                &ca,
                "--server-name",
                case.host,
            ],
        );
        let ok = c.wait_exit(T).unwrap();
        let out = c.output().join("\n");
        match case.refused {
            None if !(ok && out.contains("HTTP/1.0 200 ok")) => {
                failures.push(format!("{label}: refused\n{out}"));
            }
            None => {}
            Some(_) if ok => failures.push(format!("{label}: accepted\n{out}")),
            Some((alert, why)) => {
                if !out.contains(why) {
                    failures.push(format!("{label}: no {why:?} in\n{out}"));
                }
                let needle = format!("alert number {alert}");
                if let Err(e) = server.wait_for(&needle, T) {
                    failures.push(format!("{label}: s_server did not see {needle}: {e}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn insecure_accepts_a_hostile_chain() {
    let (_server, port) = s_server("nc-dns-permitted");
    let connect = format!("127.0.0.1:{port}");
    let ca = testkeys("hostile/ca.pem");
    let mut c = Peer::spawn(CLIENT, &["--connect", &connect, "--ca", &ca, "--insecure"]);
    let ok = c.wait_exit(T).unwrap();
    let out = c.output().join("\n");
    assert!(ok && out.contains("HTTP/1.0 200 ok"), "{out}");
}
