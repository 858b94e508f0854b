//! Chain authentication over the test PKI: every authStatus and alert MatrixSSL defines.

#![cfg(all(feature = "cert-parse", feature = "pem-decode"))]

use std::path::{Path, PathBuf};

use matrix_x509::{AuthStatus, CertChain, ChainAlert, X509Cert, authenticate};

fn testkeys() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testkeys")
}

fn chain(rels: &[&str]) -> CertChain {
    let mut c = CertChain::default();
    for rel in rels {
        let data = std::fs::read(testkeys().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        c.extend(CertChain::from_bytes(&data).unwrap());
    }
    c
}

fn cas(rels: &[&str]) -> Vec<X509Cert> {
    chain(rels).certs().to_vec()
}

fn statuses(c: &CertChain) -> Vec<AuthStatus> {
    c.certs().iter().map(|c| c.auth_status).collect()
}

#[test]
fn good_chains_pass() {
    let mut c = chain(&["rsa2048/server-chain.pem"]);
    assert_eq!(authenticate(&mut c, &cas(&["rsa2048/ca.pem"])), None);
    assert_eq!(statuses(&c), [AuthStatus::Pass, AuthStatus::Pass]);
    // The CA list may hold others; the root may be sent too.
    let mut c = chain(&["rsa2048/server-chain.pem", "rsa2048/ca.pem"]);
    assert_eq!(
        authenticate(&mut c, &cas(&["rsa1024/ca.pem", "rsa2048/ca.pem"])),
        None
    );
    for (rel, ca) in [
        ("rsa1024/server.pem", "rsa1024/ca.pem"),
        ("rsa1024/server-md5.pem", "rsa1024/ca.pem"),
        ("rsa4096/server.pem", "rsa4096/ca.pem"),
        ("rsa4096/server-sha512.pem", "rsa4096/ca.pem"),
        ("rsa2048/intermediate.pem", "rsa2048/ca.pem"),
    ] {
        let mut c = chain(&[rel]);
        assert_eq!(authenticate(&mut c, &cas(&[ca])), None, "{rel}");
        assert_eq!(statuses(&c), [AuthStatus::Pass], "{rel}");
    }
}

#[test]
fn unknown_ca() {
    let mut c = chain(&["rsa2048/server-chain.pem"]);
    assert_eq!(
        authenticate(&mut c, &cas(&["rsa1024/ca.pem"])),
        Some(ChainAlert::UnknownCa)
    );
    assert_eq!(statuses(&c), [AuthStatus::Pass, AuthStatus::Untested]);
    assert_eq!(authenticate(&mut c, &[]), Some(ChainAlert::UnknownCa));
    assert_eq!(ChainAlert::UnknownCa.alert(), 48);
}

#[test]
fn issuer_not_a_ca_is_fail_bc() {
    let mut c = chain(&["bad/by-leaf-chain.pem"]);
    assert_eq!(
        authenticate(&mut c, &cas(&["rsa2048/ca.pem"])),
        Some(ChainAlert::BadCertificate)
    );
    assert_eq!(
        statuses(&c),
        [
            AuthStatus::FailBc,
            AuthStatus::Untested,
            AuthStatus::Untested
        ]
    );
}

#[test]
fn broken_signature_is_fail_sig() {
    let mut c = chain(&["bad/bad-signature.pem", "rsa2048/intermediate.pem"]);
    assert_eq!(
        authenticate(&mut c, &cas(&["rsa2048/ca.pem"])),
        Some(ChainAlert::BadCertificate)
    );
    assert_eq!(statuses(&c), [AuthStatus::FailSig, AuthStatus::Untested]);
    assert_eq!(AuthStatus::FailSig.code(), -34);
}

#[test]
fn wrong_issuer_is_fail_dn() {
    let mut c = chain(&["bad/wrong-issuer-chain.pem"]);
    assert_eq!(
        authenticate(&mut c, &cas(&["rsa1024/ca.pem"])),
        Some(ChainAlert::BadCertificate)
    );
    assert_eq!(statuses(&c), [AuthStatus::FailDn, AuthStatus::Untested]);
}

#[test]
fn path_length_is_enforced() {
    let mut c = chain(&["bad/pathlen-chain.pem"]);
    assert_eq!(
        authenticate(&mut c, &cas(&["rsa2048/ca.pem"])),
        Some(ChainAlert::BadCertificate)
    );
    assert_eq!(
        statuses(&c),
        [AuthStatus::Pass, AuthStatus::FailBc, AuthStatus::Untested]
    );
}

#[test]
fn a_top_signed_by_a_ca_with_the_right_name_but_wrong_key_is_bad() {
    // A CA with the right subject DN but another key: found, but the signature fails.
    let mut impostor = cas(&["rsa2048/ca.pem"]);
    let other = cas(&["rsa1024/ca.pem"]);
    impostor[0].public_key = other[0].public_key.clone();
    let mut c = chain(&["rsa2048/intermediate.pem"]);
    assert_eq!(
        authenticate(&mut c, &impostor),
        Some(ChainAlert::BadCertificate)
    );
    assert_eq!(statuses(&c), [AuthStatus::FailSig]);
}
