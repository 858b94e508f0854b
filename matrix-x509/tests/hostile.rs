//! The hostile certificates of `testkeys/hostile/` (made by its `generate.sh`): RFC 5280
//! critical extensions (4.2), name constraints of every form (4.2.1.10), version 1 anchors
//! and intermediates, an empty subjectAltName, an even RSA exponent, expired certificates.
//! Each chain is authenticated against the trusted CA the script says, and every
//! certificate's authStatus and the alert are checked.

#![cfg(all(feature = "cert-parse", feature = "pem-decode"))]

use std::path::{Path, PathBuf};

use matrix_core::Error;
use matrix_x509::{AuthStatus, CertChain, ChainAlert, X509Cert, authenticate};

#[cfg(feature = "name-constraints")]
use AuthStatus::FailNameConstraints;
use AuthStatus::{FailBc, FailExtension, Pass, Untested};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testkeys/hostile")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn chain(name: &str) -> CertChain {
    CertChain::from_bytes(&read(&format!("{name}-chain.pem"))).unwrap()
}

fn ca(name: &str) -> Vec<X509Cert> {
    CertChain::from_bytes(&read(name)).unwrap().certs().to_vec()
}

/// Authenticates `name`-chain.pem against `anchor`; returns the alert and the statuses.
fn run(name: &str, anchor: &str) -> (Option<ChainAlert>, Vec<AuthStatus>) {
    let mut c = chain(name);
    let alert = authenticate(&mut c, &ca(anchor));
    (alert, c.certs().iter().map(|c| c.auth_status).collect())
}

#[test]
fn the_control_chain_passes() {
    assert_eq!(run("good", "ca.pem"), (None, vec![Pass]));
}

#[cfg(not(feature = "allow-unknown-critical-extensions"))]
#[test]
fn unknown_critical_extensions_are_refused() {
    let unsupported = Some(ChainAlert::UnsupportedCertificate);
    assert_eq!(
        run("crit-leaf", "ca.pem"),
        (unsupported, vec![FailExtension])
    );
    assert_eq!(
        run("crit-policies-leaf", "ca.pem"),
        (unsupported, vec![FailExtension])
    );
    // The intermediate's own link fails; the leaf below it passed its link.
    assert_eq!(
        run("crit-ca", "ca.pem"),
        (unsupported, vec![Pass, FailExtension])
    );
    // A trusted root with one: the link it issued fails.
    assert_eq!(
        run("crit-root", "crit-root-ca.pem"),
        (unsupported, vec![FailExtension])
    );
    assert_eq!(ChainAlert::UnsupportedCertificate.alert(), 43);
    assert_eq!(FailExtension.code(), Error::CertAuthFailExtension.code());
    // The leaf still parses, and says which extension it is.
    let c = chain("crit-leaf");
    let leaf = &c.certs()[0];
    assert!(leaf.extensions.unknown.iter().any(|u| u.critical));
    assert!(leaf.extensions.has_unprocessed_critical());
}

#[cfg(feature = "allow-unknown-critical-extensions")]
#[test]
fn unknown_critical_extensions_pass_with_the_feature() {
    for (name, anchor, n) in [
        ("crit-leaf", "ca.pem", 1),
        ("crit-policies-leaf", "ca.pem", 1),
        ("crit-ca", "ca.pem", 2),
        ("crit-root", "crit-root-ca.pem", 1),
    ] {
        assert_eq!(run(name, anchor), (None, vec![Pass; n]), "{name}");
    }
    // A name form matrix cannot check stays refused in a critical nameConstraints.
    assert_eq!(
        run("nc-uri", "ca.pem"),
        (
            Some(ChainAlert::UnsupportedCertificate),
            vec![Pass, FailExtension]
        )
    );
}

#[cfg(feature = "name-constraints")]
#[test]
fn name_constraints_of_every_form() {
    let bad = Some(ChainAlert::BadCertificate);
    for form in ["dns", "ip", "email", "dir"] {
        let good = format!("nc-{form}-good");
        assert_eq!(run(&good, "ca.pem"), (None, vec![Pass, Pass]), "{good}");
        for case in ["permitted", "excluded"] {
            let name = format!("nc-{form}-{case}");
            assert_eq!(
                run(&name, "ca.pem"),
                (bad, vec![FailNameConstraints, Pass]),
                "{name}"
            );
        }
    }
    // No subjectAltName email: the subject's emailAddress is checked; no subjectAltName
    // dNSName: a host-like commonName is.
    for name in ["nc-email-subject", "nc-dns-cn"] {
        assert_eq!(
            run(name, "ca.pem"),
            (bad, vec![FailNameConstraints, Pass]),
            "{name}"
        );
    }
    // matches_host alone would have said yes.
    assert!(chain("nc-dns-permitted").certs()[0].matches_host("evil.org"));
    // A critical nameConstraints with a URI subtree: the CA is refused.
    assert_eq!(
        run("nc-uri", "ca.pem"),
        (
            Some(ChainAlert::UnsupportedCertificate),
            vec![Pass, FailExtension]
        )
    );
    let nc = ca("nc-dns-ca.pem")[0].extensions.name_constraints.clone();
    let nc = nc.expect("nameConstraints parsed");
    assert!(nc.critical);
    assert_eq!(nc.permitted[0].data, b"matrix.test");
    assert_eq!(nc.excluded[0].data, b"evil.matrix.test");
}

#[cfg(feature = "name-constraints")]
#[test]
fn name_constraints_of_the_trusted_ca_apply_too() {
    // The constrained intermediate as the trusted CA, the leaf alone in the chain.
    let mut c = CertChain::from_bytes(&read("nc-dns-permitted.pem")).unwrap();
    let alert = authenticate(&mut c, &ca("nc-dns-ca.pem"));
    assert_eq!(alert, Some(ChainAlert::BadCertificate));
    assert_eq!(c.certs()[0].auth_status, FailNameConstraints);
    let mut c = CertChain::from_bytes(&read("nc-dns-good.pem")).unwrap();
    assert_eq!(authenticate(&mut c, &ca("nc-dns-ca.pem")), None);
}

/// Without `name-constraints` a CA's critical nameConstraints is an unprocessed critical
/// extension: the chain fails even where the constraints would have allowed the leaf.
#[cfg(all(
    not(feature = "name-constraints"),
    not(feature = "allow-unknown-critical-extensions")
))]
#[test]
fn critical_name_constraints_are_refused_without_the_feature() {
    for form in ["dns", "ip", "email", "dir"] {
        let good = format!("nc-{form}-good");
        assert_eq!(
            run(&good, "ca.pem"),
            (
                Some(ChainAlert::UnsupportedCertificate),
                vec![Pass, FailExtension]
            ),
            "{good}"
        );
    }
    let mut c = CertChain::from_bytes(&read("nc-dns-good.pem")).unwrap();
    assert_eq!(
        authenticate(&mut c, &ca("nc-dns-ca.pem")),
        Some(ChainAlert::UnsupportedCertificate)
    );
}

#[test]
fn version_1_anchors_pass_and_version_1_intermediates_do_not() {
    assert_eq!(ca("v1-ca.pem")[0].version, 0);
    assert_eq!(run("v1-anchor", "v1-ca.pem"), (None, vec![Pass]));
    // The anchor sent along by the server is taken as the anchor.
    let mut c = chain("v1-anchor");
    c.extend(CertChain::from_bytes(&read("v1-ca.pem")).unwrap());
    assert_eq!(authenticate(&mut c, &ca("v1-ca.pem")), None);
    assert_eq!(
        run("v1-intermediate", "ca.pem"),
        (Some(ChainAlert::BadCertificate), vec![FailBc, Untested])
    );
    // A version 1 root that is not trusted is no CA for what it issued.
    let mut c = chain("v1-anchor");
    c.extend(CertChain::from_bytes(&read("v1-ca.pem")).unwrap());
    assert_eq!(
        authenticate(&mut c, &ca("ca.pem")),
        Some(ChainAlert::BadCertificate)
    );
    assert_eq!(c.certs()[0].auth_status, FailBc);
}

#[test]
fn an_empty_subject_alt_name_and_an_even_exponent_do_not_parse() {
    for name in ["empty-san.pem", "even-exponent.pem"] {
        assert_eq!(
            CertChain::from_bytes(&read(name)),
            Err(Error::ParseFail),
            "{name}"
        );
    }
}

#[test]
fn expired_certificates_authenticate_but_are_not_valid_now() {
    // Dates are the validator's (matrix-ssl's validator::standard), not the chain's.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let (alert, _) = run("expired-leaf", "ca.pem");
    assert_eq!(alert, None);
    assert!(!chain("expired-leaf").certs()[0].is_valid_at(now));
    let (alert, _) = run("expired-intermediate", "ca.pem");
    assert_eq!(alert, None);
    let c = chain("expired-intermediate");
    assert!(c.certs()[0].is_valid_at(now));
    assert!(!c.certs()[1].is_valid_at(now));
}
