//! The blinding pair a private key keeps between operations (`rsa::blinding`): signatures
//! stay correct across many operations (squared pairs and the fresh pair every 32
//! operations), from clones of a key, and from threads sharing one key (an operation that
//! finds the pair busy makes its own).

#![cfg(feature = "rsa")]

mod rsa_support;

use matrix_crypto::alg::HashAlgorithm;
use matrix_crypto::rsa::{
    RsaPrivateKey, decrypt_pkcs1_v15, encrypt_pkcs1_v15, sign_pkcs1_v15, verify_pkcs1_v15,
};
use rsa_support::*;
use std::sync::Arc;

fn key(name: &str) -> RsaPrivateKey {
    let file = wycheproof(name);
    let der = hex(file["testGroups"][0]["privateKeyPkcs8"].as_str().unwrap());
    private_key_from_pkcs1(pkcs8_inner(&der))
}

#[test]
fn signatures_stay_correct_across_refreshes() {
    let key = key("rsa_pkcs1_1024_sig_gen_test.json");
    let mut rng = TestRng(1);
    let digest = [0x42u8; 32];
    // PKCS#1 v1.5 signatures are deterministic: every one must be the first one.
    let first = sign_pkcs1_v15(&key, &mut rng, HashAlgorithm::Sha256, &digest).unwrap();
    verify_pkcs1_v15(key.public_key(), HashAlgorithm::Sha256, &digest, &first).unwrap();
    for i in 0..70 {
        let sig = sign_pkcs1_v15(&key, &mut rng, HashAlgorithm::Sha256, &digest).unwrap();
        assert_eq!(sig, first, "signature {i}");
    }
    // A clone starts its own sequence and agrees.
    let clone = key.clone();
    let sig = sign_pkcs1_v15(&clone, &mut rng, HashAlgorithm::Sha256, &digest).unwrap();
    assert_eq!(sig, first);
    // Decryption through the same kept pair.
    for i in 0..40u8 {
        let msg = [i; 20];
        let ct = encrypt_pkcs1_v15(key.public_key(), &mut rng, &msg).unwrap();
        assert_eq!(decrypt_pkcs1_v15(&key, &mut rng, &ct).unwrap(), msg);
    }
}

#[test]
fn threads_sharing_one_key_agree() {
    let key = Arc::new(key("rsa_pkcs1_1024_sig_gen_test.json"));
    let digest = [7u8; 20];
    let want = sign_pkcs1_v15(&key, &mut TestRng(9), HashAlgorithm::Sha1, &digest).unwrap();
    let handles: Vec<_> = (0..4u64)
        .map(|t| {
            let key = Arc::clone(&key);
            std::thread::spawn(move || {
                let mut rng = TestRng(100 + t);
                (0..25)
                    .map(|_| sign_pkcs1_v15(&key, &mut rng, HashAlgorithm::Sha1, &digest).unwrap())
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for h in handles {
        for sig in h.join().unwrap() {
            assert_eq!(sig, want);
        }
    }
}
