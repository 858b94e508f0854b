//! EC keys and ECDSA chains (feature `ecc`): the P-256, P-384 and mixed RSA/ECDSA chains of
//! `testkeys/ecdsa.sh` parse and authenticate, tampering and wrong keys fail, and the EC
//! private keys load from every encoding and sign what their certificates verify.

#![cfg(all(feature = "ecc", feature = "cert-parse", feature = "pem-decode"))]

use std::path::{Path, PathBuf};

use matrix_crypto::alg::HashAlgorithm;
use matrix_crypto::ec::NamedCurve;
use matrix_crypto::hash::HashContext;
use matrix_x509::ec_key::{
    ec_private_key_from_pkcs8, ec_private_key_from_sec1, load_ec_private_key,
};
use matrix_x509::{
    AuthStatus, CertChain, ChainAlert, PublicKey, SignatureAlgorithm, X509Cert, authenticate,
};

fn testkeys() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testkeys")
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(testkeys().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn chain(rels: &[&str]) -> CertChain {
    let mut c = CertChain::default();
    for rel in rels {
        c.extend(CertChain::from_bytes(&read(rel)).unwrap());
    }
    c
}

fn cas(rels: &[&str]) -> Vec<X509Cert> {
    chain(rels).certs().to_vec()
}

fn statuses(c: &CertChain) -> Vec<AuthStatus> {
    c.certs().iter().map(|c| c.auth_status).collect()
}

fn curve_of(c: &X509Cert) -> NamedCurve {
    match &c.public_key {
        PublicKey::Ec { curve, point } => {
            assert_eq!(point.len(), curve.public_len());
            assert_eq!(point[0], 4);
            *curve
        }
        other => panic!("not an EC key: {other:?}"),
    }
}

#[test]
fn ecdsa_chains_parse_and_authenticate() {
    for (dir, curve, alg) in [
        (
            "ec-p256",
            NamedCurve::Secp256r1,
            SignatureAlgorithm::EcdsaWithSha256,
        ),
        (
            "ec-p384",
            NamedCurve::Secp384r1,
            SignatureAlgorithm::EcdsaWithSha384,
        ),
    ] {
        let mut c = chain(&[&format!("{dir}/server-chain.pem")]);
        for cert in c.certs() {
            assert_eq!(curve_of(cert), curve, "{dir}");
            assert_eq!(cert.sig_algorithm, alg, "{dir}");
            assert_eq!(cert.cert_algorithm, alg, "{dir}");
            assert_eq!(cert.public_key.rsa_bits(), None);
        }
        assert!(c.certs()[0].matches_host("localhost"));
        let root = cas(&[&format!("{dir}/ca.pem")]);
        assert_eq!(curve_of(&root[0]), curve);
        assert_eq!(authenticate(&mut c, &root), None, "{dir}");
        assert_eq!(statuses(&c), [AuthStatus::Pass, AuthStatus::Pass], "{dir}");
        // The other curve's root is not the issuer.
        let other = if dir == "ec-p256" {
            "ec-p384"
        } else {
            "ec-p256"
        };
        let mut c = chain(&[&format!("{dir}/server-chain.pem")]);
        assert_eq!(
            authenticate(&mut c, &cas(&[&format!("{other}/ca.pem")])),
            Some(ChainAlert::UnknownCa)
        );
    }
    // ecdsa-with-SHA1 on P-384: a digest shorter than the order.
    let mut c = chain(&["ec-p384/server-sha1.pem", "ec-p384/intermediate.pem"]);
    assert_eq!(
        c.certs()[0].sig_algorithm,
        SignatureAlgorithm::EcdsaWithSha1
    );
    assert_eq!(c.certs()[0].sig_algorithm.hash(), Some(HashAlgorithm::Sha1));
    assert_eq!(authenticate(&mut c, &cas(&["ec-p384/ca.pem"])), None);
    // The self-signed P-256 certificate of ec.sh, trusted as its own anchor.
    let mut own = chain(&["ec/self-p256.pem"]);
    let anchor = own.certs().to_vec();
    assert_eq!(authenticate(&mut own, &anchor), None);
    // ec/server-p256.pem: a P-256 key certified by the RSA root.
    let mut c = chain(&["ec/server-p256.pem"]);
    assert_eq!(curve_of(&c.certs()[0]), NamedCurve::Secp256r1);
    assert_eq!(authenticate(&mut c, &cas(&["rsa2048/ca.pem"])), None);
}

#[test]
fn mixed_rsa_and_ecdsa_chains() {
    // P-256 leaf (ecdsa-with-SHA384) <- P-384 intermediate (sha256WithRSA) <- RSA root.
    let mut c = chain(&["ec-mixed/rsa-root-chain.pem"]);
    assert_eq!(
        c.certs()[0].sig_algorithm,
        SignatureAlgorithm::EcdsaWithSha384
    );
    assert_eq!(curve_of(&c.certs()[0]), NamedCurve::Secp256r1);
    assert_eq!(
        c.certs()[1].sig_algorithm,
        SignatureAlgorithm::Sha256WithRsa
    );
    assert_eq!(curve_of(&c.certs()[1]), NamedCurve::Secp384r1);
    assert_eq!(authenticate(&mut c, &cas(&["rsa2048/ca.pem"])), None);
    assert_eq!(statuses(&c), [AuthStatus::Pass, AuthStatus::Pass]);
    // RSA leaf signed by the P-256 root with ecdsa-with-SHA256.
    let mut c = chain(&["ec-mixed/ecdsa-root-rsa-leaf-chain.pem"]);
    assert_eq!(c.certs()[0].public_key.rsa_bits(), Some(2048));
    assert_eq!(
        c.certs()[0].sig_algorithm,
        SignatureAlgorithm::EcdsaWithSha256
    );
    assert_eq!(authenticate(&mut c, &cas(&["ec-p256/ca.pem"])), None);
    // An RSA key cannot verify an ECDSA signature, nor an EC key an RSA one.
    let rsa_root = cas(&["rsa2048/ca.pem"]);
    let ec_root = cas(&["ec-p256/ca.pem"]);
    let leaf = &chain(&["ec-mixed/ecdsa-root-rsa-leaf-chain.pem"]).certs()[0].clone();
    assert!(!matrix_x509::verify_signature(leaf, &rsa_root[0]));
    let ec_signed_by_rsa = &chain(&["ec/server-p256.pem"]).certs()[0].clone();
    assert!(!matrix_x509::verify_signature(
        ec_signed_by_rsa,
        &ec_root[0]
    ));
}

/// A flipped bit in the signed part or the signature fails the link with `FailSig`.
#[test]
fn tampered_ecdsa_certificates_fail() {
    let pem = read("ec-p256/server.pem");
    let der = CertChain::from_bytes(&pem).unwrap().certs()[0].der.clone();
    let issuer = cas(&["ec-p256/intermediate.pem"]);
    let good = X509Cert::from_der(&der).unwrap();
    assert!(matrix_x509::verify_signature(&good, &issuer[0]));
    let mut failures = 0;
    // Last byte: inside the signature's s; and a byte of the serial number in the TBS.
    for pos in [der.len() - 1, 15] {
        let mut bad = der.clone();
        bad[pos] ^= 0x01;
        if let Ok(cert) = X509Cert::from_der(&bad) {
            assert!(
                !matrix_x509::verify_signature(&cert, &issuer[0]),
                "byte {pos}"
            );
            let mut c = CertChain::default();
            c.extend(CertChain::from_bytes(&bad).unwrap());
            assert_eq!(
                authenticate(&mut c, &issuer),
                Some(ChainAlert::BadCertificate)
            );
            assert_eq!(c.certs()[0].auth_status, AuthStatus::FailSig);
            failures += 1;
        }
    }
    assert_eq!(failures, 2);
}

/// Every encoding of each server key loads to the key its certificate holds, and signs
/// what the certificate's key verifies.
#[test]
fn ec_private_keys_in_every_encoding() {
    for (dir, curve) in [
        ("ec-p256", NamedCurve::Secp256r1),
        ("ec-p384", NamedCurve::Secp384r1),
    ] {
        let cert = chain(&[&format!("{dir}/server.pem")]).certs()[0].clone();
        let PublicKey::Ec { point, .. } = &cert.public_key else {
            panic!("{dir}: not EC");
        };
        let verify_key = cert.public_key.ec_key().unwrap();
        let mut files = vec![
            ("server.key", None),
            ("server.der", None),
            ("server-pkcs8.pem", None),
            ("server-pkcs8.der", None),
            ("server-params.key", None),
        ];
        if cfg!(feature = "pkcs8") {
            files.push(("server-pkcs8-aes256.pem", Some(&b"matrix"[..])));
        }
        if cfg!(feature = "pkcs5") {
            files.push(("server-enc-aes-128-cbc.pem", Some(&b"matrix"[..])));
        }
        for (file, pw) in files {
            let key = load_ec_private_key(&read(&format!("{dir}/{file}")), pw)
                .unwrap_or_else(|e| panic!("{dir}/{file}: {e:?}"));
            assert_eq!(key.curve(), curve, "{dir}/{file}");
            assert_eq!(&key.public_key().to_sec1(), point, "{dir}/{file}");
            let digest = HashContext::digest(HashAlgorithm::Sha256, file.as_bytes()).unwrap();
            let sig = key.sign_digest(&digest).unwrap();
            verify_key.verify_digest(&digest, &sig).unwrap();
        }
        // Encrypted forms: no password is ArgFail, a wrong one AuthFail.
        if cfg!(feature = "pkcs8") {
            let enc = read(&format!("{dir}/server-pkcs8-aes256.pem"));
            assert_eq!(
                load_ec_private_key(&enc, None).unwrap_err(),
                matrix_core::Error::ArgFail
            );
            assert_eq!(
                load_ec_private_key(&enc, Some(b"wrong")).unwrap_err(),
                matrix_core::Error::AuthFail
            );
        }
        if cfg!(feature = "pkcs5") {
            let enc = read(&format!("{dir}/server-enc-aes-128-cbc.pem"));
            assert_eq!(
                load_ec_private_key(&enc, Some(b"wrong")).unwrap_err(),
                matrix_core::Error::AuthFail
            );
        }
    }
}

/// SEC 1 structure checks: the curve must be named somewhere and agree, the embedded
/// public point must be the scalar's, truncations fail cleanly, RSA keys are not EC keys.
#[test]
fn malformed_ec_private_keys_fail() {
    let der = read("ec-p256/server.der");
    // Named in the key; an outer PKCS#8 curve that disagrees is refused.
    assert!(ec_private_key_from_sec1(&der, None).is_ok());
    assert!(ec_private_key_from_sec1(&der, Some(NamedCurve::Secp256r1)).is_ok());
    assert!(ec_private_key_from_sec1(&der, Some(NamedCurve::Secp384r1)).is_err());
    // Change a byte of the embedded public point (the last byte of the DER).
    let mut bad = der.clone();
    *bad.last_mut().unwrap() ^= 1;
    assert!(ec_private_key_from_sec1(&bad, None).is_err());
    // Every truncation fails without a panic.
    for n in 0..der.len() {
        assert!(load_ec_private_key(&der[..n], None).is_err(), "len {n}");
    }
    let p8 = read("ec-p384/server-pkcs8.der");
    for n in 0..p8.len() {
        assert!(ec_private_key_from_pkcs8(&p8[..n]).is_err(), "len {n}");
    }
    // An RSA key is not an EC key.
    assert_eq!(
        ec_private_key_from_pkcs8(&read("rsa2048/server-pkcs8.der")).unwrap_err(),
        matrix_core::Error::UnsupportedFail
    );
    assert!(load_ec_private_key(&read("rsa2048/server.key"), None).is_err());
}

/// A point off the curve in a certificate is a parse failure, not a key.
#[test]
fn off_curve_certificate_key_fails_to_parse() {
    let der = CertChain::from_bytes(&read("ec-p256/server.pem"))
        .unwrap()
        .certs()[0]
        .der
        .clone();
    let PublicKey::Ec { point, .. } = &X509Cert::from_der(&der).unwrap().public_key else {
        panic!()
    };
    let at = der
        .windows(point.len())
        .position(|w| w == point.as_slice())
        .unwrap();
    let mut bad = der.clone();
    bad[at + point.len() - 1] ^= 1;
    assert_eq!(
        X509Cert::from_der(&bad).unwrap_err(),
        matrix_core::Error::ParseFail
    );
}
