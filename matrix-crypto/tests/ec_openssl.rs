//! The `ec` module against the OpenSSL command line, an independent implementation: our
//! public keys equal OpenSSL's for the same private key, our ECDSA signatures (SHA-1,
//! SHA-256, SHA-384 digests) pass `openssl dgst -verify` and OpenSSL's pass ours, and ECDH
//! over P-256, P-384 and X25519 gives the secret `openssl pkeyutl -derive` gives. A missing
//! `openssl` fails these tests.

#![cfg(all(feature = "ecc-p256", feature = "ecc-p384", feature = "x25519"))]

mod rsa_support;

use matrix_crypto::ec::{EcPrivateKey, EcPublicKey, EcdhKeyPair, NamedCurve};
use matrix_crypto::random::SecureRandom;
use rsa_support::{TestRng, hex, openssl, scratch_dir};
use sha2::Digest as _;
use std::path::Path;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// (SubjectPublicKeyInfo prefix before the key bits, named-curve OID TLV) per curve.
fn spki_prefix(curve: NamedCurve) -> Vec<u8> {
    hex(match curve {
        NamedCurve::Secp256r1 => "3059301306072a8648ce3d020106082a8648ce3d030107034200",
        NamedCurve::Secp384r1 => "3076301006072a8648ce3d020106052b81040022036200",
        _ => "302a300506032b656e032100",
    })
}

/// A SEC 1 `ECPrivateKey` with `d` and the curve named, without the public key (OpenSSL
/// computes it).
fn sec1_der(curve: NamedCurve, d: &[u8]) -> Vec<u8> {
    let oid = match curve {
        NamedCurve::Secp256r1 => hex("06082a8648ce3d030107"),
        _ => hex("06052b81040022"),
    };
    let mut body = vec![2, 1, 1, 4, d.len() as u8];
    body.extend_from_slice(d);
    body.extend([0xa0, oid.len() as u8]);
    body.extend(oid);
    let mut out = vec![0x30, body.len() as u8];
    out.extend(body);
    out
}

/// The key bits at the end of an SPKI in DER.
fn spki_key(der: &[u8], curve: NamedCurve) -> Vec<u8> {
    let prefix = spki_prefix(curve);
    assert_eq!(
        &der[..prefix.len()],
        &prefix[..],
        "unexpected SPKI from openssl"
    );
    der[prefix.len()..].to_vec()
}

fn write(dir: &Path, name: &str, data: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, data).unwrap();
    p(&path).to_string()
}

#[test]
fn ecdsa_against_openssl() {
    let mut rng = TestRng(0xec);
    let msg = b"matrix ECDSA interop message";
    for curve in [NamedCurve::Secp256r1, NamedCurve::Secp384r1] {
        let dir = scratch_dir("ecdsa");
        let mut d = vec![0u8; curve.field_len()];
        rng.fill_bytes(&mut d).unwrap();
        d[0] &= 0x7f; // below n for both curves
        let key = EcPrivateKey::from_scalar(curve, &d).unwrap();
        let key_file = write(&dir, "key.der", &sec1_der(curve, &d));
        let msg_file = write(&dir, "msg", msg);
        // Same public key.
        let pub_der = openssl(
            &[
                "ec", "-inform", "DER", "-in", &key_file, "-pubout", "-outform", "DER",
            ],
            None,
        );
        assert_eq!(spki_key(&pub_der, curve), key.public_key().to_sec1());
        let pub_file = write(&dir, "pub.der", &pub_der);
        let key_pem = openssl(&["ec", "-inform", "DER", "-in", &key_file], None);
        let key_pem_file = write(&dir, "key.pem", &key_pem);
        for (name, digest) in [
            ("-sha1", sha1::Sha1::digest(msg).to_vec()),
            ("-sha256", sha2::Sha256::digest(msg).to_vec()),
            ("-sha384", sha2::Sha384::digest(msg).to_vec()),
        ] {
            // Ours, verified by OpenSSL.
            let sig_file = write(&dir, "sig", &key.sign_digest(&digest).unwrap());
            let out = openssl(
                &[
                    "dgst",
                    name,
                    "-verify",
                    &pub_file,
                    "-keyform",
                    "DER",
                    "-signature",
                    &sig_file,
                    &msg_file,
                ],
                None,
            );
            assert_eq!(String::from_utf8_lossy(&out).trim(), "Verified OK");
            // OpenSSL's (random nonce), verified by us.
            let sig = openssl(&["dgst", name, "-sign", &key_pem_file, &msg_file], None);
            key.public_key().verify_digest(&digest, &sig).unwrap();
            let other = EcPublicKey::from_sec1(
                curve,
                &EcPrivateKey::generate(curve, &mut rng)
                    .unwrap()
                    .public_key()
                    .to_sec1(),
            )
            .unwrap();
            assert!(other.verify_digest(&digest, &sig).is_err());
        }
        std::fs::remove_dir_all(&dir).ok();
    }
}

#[test]
fn ecdh_against_openssl() {
    let mut rng = TestRng(0xd4);
    for (curve, genpkey) in [
        (
            NamedCurve::Secp256r1,
            &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"][..],
        ),
        (
            NamedCurve::Secp384r1,
            &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"][..],
        ),
        (NamedCurve::X25519, &["-algorithm", "X25519"][..]),
    ] {
        let dir = scratch_dir("ecdh");
        let peer_key = dir.join("peer.pem");
        let mut args = vec!["genpkey"];
        args.extend_from_slice(genpkey);
        args.extend(["-out", p(&peer_key)]);
        openssl(&args, None);
        let peer_pub = openssl(
            &["pkey", "-in", p(&peer_key), "-pubout", "-outform", "DER"],
            None,
        );
        let ours = EcdhKeyPair::generate(curve, &mut rng).unwrap();
        let mut our_spki = spki_prefix(curve);
        our_spki.extend_from_slice(ours.public_key());
        let our_pub_file = write(&dir, "ours.der", &our_spki);
        let theirs = openssl(
            &[
                "pkeyutl",
                "-derive",
                "-inkey",
                p(&peer_key),
                "-peerkey",
                &our_pub_file,
                "-peerform",
                "DER",
            ],
            None,
        );
        let shared = ours.agree(&spki_key(&peer_pub, curve)).unwrap();
        assert_eq!(*shared, theirs, "{curve:?}");
        std::fs::remove_dir_all(&dir).ok();
    }
}
