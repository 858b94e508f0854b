//! Cross-checks with the OpenSSL command line: keys from `openssl genrsa`, encryption in
//! both directions, signatures byte for byte. A missing `openssl` fails these tests.

#![cfg(all(feature = "rsa", feature = "sha1", feature = "md5"))]

mod rsa_support;

use matrix_crypto::alg::HashAlgorithm;
use matrix_crypto::rsa::{
    RsaPrivateKey, decrypt_pkcs1_v15, decrypt_pkcs1_v15_tls, encrypt_pkcs1_v15, sign_pkcs1_v15,
    verify_pkcs1_v15,
};
use rsa_support::*;
use sha1::Digest as _;
use std::path::Path;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Generates a key with OpenSSL and loads its PKCS#1 components.
fn openssl_key(dir: &Path, bits: usize) -> RsaPrivateKey {
    let key = dir.join("key.pem");
    openssl(&["genrsa", "-out", p(&key), &bits.to_string()], None);
    let der = openssl(
        &["rsa", "-in", p(&key), "-outform", "DER", "-traditional"],
        None,
    );
    openssl(
        &[
            "rsa",
            "-in",
            p(&key),
            "-pubout",
            "-out",
            p(&dir.join("pub.pem")),
        ],
        None,
    );
    let k = private_key_from_pkcs1(&der);
    assert_eq!(k.public_key().bits(), bits);
    k
}

fn cross_check(bits: usize) {
    let dir = scratch_dir(&format!("rsa{bits}"));
    let key = openssl_key(&dir, bits);
    let public = key.public_key().clone();
    let mut rng = TestRng(bits as u64);
    let k = key.size();

    // OpenSSL encrypts, we decrypt (general and TLS forms); lengths 0, 48 and the maximum.
    for len in [0usize, 48, k - 11] {
        let msg: Vec<u8> = (0..len).map(|i| (i * 7 + bits) as u8).collect();
        let msg_path = dir.join("msg.bin");
        std::fs::write(&msg_path, &msg).unwrap();
        let ct = openssl(
            &[
                "pkeyutl",
                "-encrypt",
                "-pubin",
                "-inkey",
                p(&dir.join("pub.pem")),
                "-pkeyopt",
                "rsa_padding_mode:pkcs1",
                "-in",
                p(&msg_path),
            ],
            None,
        );
        assert_eq!(ct.len(), k);
        assert_eq!(
            decrypt_pkcs1_v15(&key, &mut rng, &ct).unwrap(),
            msg,
            "len {len}"
        );
        let mut out = vec![0u8; len];
        decrypt_pkcs1_v15_tls(&key, &mut rng, &ct, &mut out).unwrap();
        assert_eq!(out, msg, "len {len} (TLS form)");

        // We encrypt, OpenSSL decrypts.
        let ours = encrypt_pkcs1_v15(&public, &mut rng, &msg).unwrap();
        let ct_path = dir.join("ct.bin");
        std::fs::write(&ct_path, &ours).unwrap();
        let back = openssl(
            &[
                "pkeyutl",
                "-decrypt",
                "-inkey",
                p(&dir.join("key.pem")),
                "-pkeyopt",
                "rsa_padding_mode:pkcs1",
                "-in",
                p(&ct_path),
            ],
            None,
        );
        assert_eq!(back, msg, "len {len}: OpenSSL decrypts ours");
    }

    // Signatures: byte-identical to `openssl dgst -sign`, and OpenSSL verifies ours.
    let data = b"matrix signs this for an OpenSSL cross-check".repeat(3);
    let data_path = dir.join("data.bin");
    std::fs::write(&data_path, &data).unwrap();
    let hashes: Vec<(&str, HashAlgorithm, Vec<u8>)> = vec![
        (
            "-sha256",
            HashAlgorithm::Sha256,
            sha2::Sha256::digest(&data).to_vec(),
        ),
        (
            "-sha1",
            HashAlgorithm::Sha1,
            sha1::Sha1::digest(&data).to_vec(),
        ),
        (
            "-sha384",
            HashAlgorithm::Sha384,
            sha2::Sha384::digest(&data).to_vec(),
        ),
        (
            "-sha512",
            HashAlgorithm::Sha512,
            sha2::Sha512::digest(&data).to_vec(),
        ),
        ("-md5", HashAlgorithm::Md5, md5::Md5::digest(&data).to_vec()),
    ];
    for (flag, alg, digest) in hashes {
        let theirs = openssl(
            &[
                "dgst",
                flag,
                "-sign",
                p(&dir.join("key.pem")),
                p(&data_path),
            ],
            None,
        );
        let ours = sign_pkcs1_v15(&key, &mut rng, alg, &digest).unwrap();
        assert_eq!(to_hex(&ours), to_hex(&theirs), "{flag}");
        verify_pkcs1_v15(&public, alg, &digest, &theirs).unwrap();
        let sig_path = dir.join("sig.bin");
        std::fs::write(&sig_path, &ours).unwrap();
        let verdict = openssl(
            &[
                "dgst",
                flag,
                "-verify",
                p(&dir.join("pub.pem")),
                "-signature",
                p(&sig_path),
                p(&data_path),
            ],
            None,
        );
        assert!(
            String::from_utf8_lossy(&verdict).contains("Verified OK"),
            "{flag}"
        );
    }

    // The raw MD5 || SHA-1 signature of TLS 1.0/1.1: PKCS#1 type 1 over the bare 36 octets,
    // what `openssl pkeyutl -sign` does without a digest.
    let mut md5sha1 = md5::Md5::digest(&data).to_vec();
    md5sha1.extend_from_slice(&sha1::Sha1::digest(&data));
    let raw_path = dir.join("raw.bin");
    std::fs::write(&raw_path, &md5sha1).unwrap();
    let theirs = openssl(
        &[
            "pkeyutl",
            "-sign",
            "-inkey",
            p(&dir.join("key.pem")),
            "-pkeyopt",
            "rsa_padding_mode:pkcs1",
            "-in",
            p(&raw_path),
        ],
        None,
    );
    let ours = sign_pkcs1_v15(&key, &mut rng, HashAlgorithm::Md5Sha1, &md5sha1).unwrap();
    assert_eq!(to_hex(&ours), to_hex(&theirs), "MD5||SHA-1");
    verify_pkcs1_v15(&public, HashAlgorithm::Md5Sha1, &md5sha1, &theirs).unwrap();

    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn openssl_rsa_1024() {
    cross_check(1024);
}

#[test]
fn openssl_rsa_2048() {
    cross_check(2048);
}

#[test]
fn openssl_rsa_4096() {
    cross_check(4096);
}

/// Sizes without a fixed-size kernel (generic loops), the smallest supported size, and a
/// modulus whose bit length is not a multiple of 64: encryption both ways and signatures.
#[test]
fn openssl_rsa_other_sizes() {
    for bits in [512usize, 1000, 1536, 3072] {
        let dir = scratch_dir(&format!("rsa{bits}"));
        let key = openssl_key(&dir, bits);
        let mut rng = TestRng(bits as u64 + 1);
        let msg: Vec<u8> = (0..20u8).collect();
        let msg_path = dir.join("msg.bin");
        std::fs::write(&msg_path, &msg).unwrap();
        let ct = openssl(
            &[
                "pkeyutl",
                "-encrypt",
                "-pubin",
                "-inkey",
                p(&dir.join("pub.pem")),
                "-pkeyopt",
                "rsa_padding_mode:pkcs1",
                "-in",
                p(&msg_path),
            ],
            None,
        );
        assert_eq!(
            decrypt_pkcs1_v15(&key, &mut rng, &ct).unwrap(),
            msg,
            "{bits}"
        );
        let ours = encrypt_pkcs1_v15(key.public_key(), &mut rng, &msg).unwrap();
        let ct_path = dir.join("ct.bin");
        std::fs::write(&ct_path, &ours).unwrap();
        let back = openssl(
            &[
                "pkeyutl",
                "-decrypt",
                "-inkey",
                p(&dir.join("key.pem")),
                "-pkeyopt",
                "rsa_padding_mode:pkcs1",
                "-in",
                p(&ct_path),
            ],
            None,
        );
        assert_eq!(back, msg, "{bits}");
        let theirs = openssl(
            &[
                "dgst",
                "-sha1",
                "-sign",
                p(&dir.join("key.pem")),
                p(&msg_path),
            ],
            None,
        );
        let digest = sha1::Sha1::digest(&msg).to_vec();
        let sig = sign_pkcs1_v15(&key, &mut rng, HashAlgorithm::Sha1, &digest).unwrap();
        assert_eq!(to_hex(&sig), to_hex(&theirs), "{bits}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
