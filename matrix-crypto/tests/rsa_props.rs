//! Property tests: encryption and signature round trips with the Wycheproof 1024 and
//! 2048-bit keys, and no panic (only errors) on malformed keys, ciphertexts and signatures
//! of any length.

#![cfg(feature = "rsa")]

mod rsa_support;

use matrix_crypto::Error;
use matrix_crypto::alg::HashAlgorithm;
use matrix_crypto::rsa::{
    RsaPrivateKey, RsaPublicKey, decrypt_pkcs1_v15, decrypt_pkcs1_v15_tls, encrypt_pkcs1_v15,
    sign_pkcs1_v15, verify_pkcs1_v15,
};
use proptest::prelude::*;
use rsa_support::*;
use std::sync::OnceLock;

const CASES: u32 = if cfg!(debug_assertions) { 8 } else { 64 };

fn keys() -> &'static [RsaPrivateKey] {
    static KEYS: OnceLock<Vec<RsaPrivateKey>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut out = Vec::new();
        for name in [
            "rsa_pkcs1_1024_sig_gen_test.json",
            "rsa_pkcs1_2048_sig_gen_test.json",
        ] {
            let file = wycheproof(name);
            let der = hex(file["testGroups"][0]["privateKeyPkcs8"].as_str().unwrap());
            out.push(private_key_from_pkcs1(pkcs8_inner(&der)));
        }
        out
    })
}

const HASHES: [HashAlgorithm; 6] = [
    HashAlgorithm::Md5,
    HashAlgorithm::Sha1,
    HashAlgorithm::Sha256,
    HashAlgorithm::Sha384,
    HashAlgorithm::Sha512,
    HashAlgorithm::Md5Sha1,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn encrypt_decrypt_round_trip(which in 0usize..2, seed: u64, raw in prop::collection::vec(any::<u8>(), 0..=245)) {
        let key = &keys()[which];
        let k = key.size();
        let msg = &raw[..raw.len().min(k - 11)];
        let mut rng = TestRng(seed);
        let ct = encrypt_pkcs1_v15(key.public_key(), &mut rng, msg).unwrap();
        prop_assert_eq!(ct.len(), k);
        prop_assert_eq!(decrypt_pkcs1_v15(key, &mut rng, &ct).unwrap(), msg.to_vec());
        let mut out = vec![0u8; msg.len()];
        decrypt_pkcs1_v15_tls(key, &mut rng, &ct, &mut out).unwrap();
        prop_assert_eq!(&out[..], msg);
        // Too long for the key.
        prop_assert_eq!(
            encrypt_pkcs1_v15(key.public_key(), &mut rng, &vec![1u8; k - 10]),
            Err(Error::LimitFail)
        );
    }

    #[test]
    fn sign_verify_round_trip(which in 0usize..2, h in 0usize..6, seed: u64, raw in prop::collection::vec(any::<u8>(), 65), flip in 0usize..1024) {
        let key = &keys()[which];
        let alg = HASHES[h];
        let digest = &raw[..alg.output_len()];
        let mut rng = TestRng(seed);
        let sig = sign_pkcs1_v15(key, &mut rng, alg, digest).unwrap();
        verify_pkcs1_v15(key.public_key(), alg, digest, &sig).unwrap();
        // Any flipped bit of the signature or the digest breaks it.
        let mut bad = sig.clone();
        bad[(flip / 8) % sig.len()] ^= 1 << (flip % 8);
        prop_assert_eq!(verify_pkcs1_v15(key.public_key(), alg, digest, &bad), Err(Error::SignatureMismatch));
        let mut other = digest.to_vec();
        let at = flip % other.len();
        other[at] ^= 0x80;
        prop_assert_eq!(verify_pkcs1_v15(key.public_key(), alg, &other, &sig), Err(Error::SignatureMismatch));
        // A digest of the wrong length is the caller's error.
        prop_assert_eq!(verify_pkcs1_v15(key.public_key(), alg, &raw[..alg.output_len() - 1], &sig), Err(Error::ArgFail));
        prop_assert!(sign_pkcs1_v15(key, &mut rng, alg, &raw[..alg.output_len() + 1]).is_err());
    }

    #[test]
    fn arbitrary_inputs_never_panic(which in 0usize..2, seed: u64, data in prop::collection::vec(any::<u8>(), 0..600), outlen in 0usize..300) {
        let key = &keys()[which];
        let k = key.size();
        let mut rng = TestRng(seed);
        let _ = decrypt_pkcs1_v15(key, &mut rng, &data);
        let mut out = vec![0u8; outlen];
        let r = decrypt_pkcs1_v15_tls(key, &mut rng, &data, &mut out);
        if data.len() != k || outlen + 11 > k {
            prop_assert_eq!(r, Err(Error::ArgFail));
        }
        for alg in HASHES {
            let digest = vec![0u8; alg.output_len()];
            prop_assert!(verify_pkcs1_v15(key.public_key(), alg, &digest, &data).is_err());
        }
        // Random bytes as key material.
        let half = data.len() / 2;
        let _ = RsaPublicKey::new(&data[..half], &data[half..]);
        let _ = RsaPublicKey::new(&data, &[1, 0, 1]);
        let n = key.public_key().n();
        prop_assert!(RsaPrivateKey::from_components(n, &[1, 0, 1], &data, &data[..half], &data[half..], &data, &data, &data).is_err());
    }
}

#[test]
fn public_key_validation() {
    let key = &keys()[1];
    let n = key.public_key().n().to_vec();
    assert!(RsaPublicKey::new(&n, &[1, 0, 1]).is_ok());
    // Leading zeros are fine.
    let mut padded = vec![0u8; 3];
    padded.extend_from_slice(&n);
    assert_eq!(RsaPublicKey::new(&padded, &[0, 3]).unwrap().size(), 256);
    // Even modulus, e = 0, 1, n, n + something, empty inputs.
    let mut even = n.clone();
    *even.last_mut().unwrap() &= 0xfe;
    assert_eq!(RsaPublicKey::new(&even, &[3]).unwrap_err(), Error::ArgFail);
    for e in [
        &[][..],
        &[0][..],
        &[1][..],
        &n[..],
        &[0xff; 256][..],
        &[1; 300][..],
    ] {
        assert_eq!(RsaPublicKey::new(&n, e).unwrap_err(), Error::ArgFail);
    }
    assert!(RsaPublicKey::new(&[], &[3]).is_err());
    // Sizes: 511 bits too small, 4097 bits too large, 512 and 4096 fine.
    let mut m511 = vec![0xffu8; 64];
    m511[0] = 0x7f;
    assert!(RsaPublicKey::new(&m511, &[3]).is_err());
    assert!(RsaPublicKey::new(&[0xff; 64], &[3]).is_ok());
    assert!(RsaPublicKey::new(&[0xff; 512], &[3]).is_ok());
    let mut m4097 = vec![0xffu8; 513];
    m4097[0] = 1;
    assert!(RsaPublicKey::new(&m4097, &[3]).is_err());
}

#[test]
fn private_key_validation() {
    // The Wycheproof 2048 decryption key, then each component spoiled in turn.
    let file = wycheproof("rsa_pkcs1_2048_test.json");
    let k = &file["testGroups"][0]["privateKey"];
    let names = [
        "modulus",
        "publicExponent",
        "privateExponent",
        "prime1",
        "prime2",
        "exponent1",
        "exponent2",
        "coefficient",
    ];
    let parts: Vec<Vec<u8>> = names.iter().map(|n| hex(k[*n].as_str().unwrap())).collect();
    let build = |p: &[Vec<u8>]| {
        RsaPrivateKey::from_components(&p[0], &p[1], &p[2], &p[3], &p[4], &p[5], &p[6], &p[7])
    };
    let key = build(&parts).unwrap();
    assert_eq!(key.size(), 256);
    // Swapped primes without a matching coefficient, a wrong prime, a wrong coefficient.
    let mut swapped = parts.clone();
    swapped.swap(3, 4);
    assert!(build(&swapped).is_err());
    let mut bad = parts.clone();
    *bad[3].last_mut().unwrap() ^= 2;
    assert!(build(&bad).is_err());
    let mut bad = parts.clone();
    *bad[7].last_mut().unwrap() ^= 1;
    assert!(build(&bad).is_err());
    // Tiny or empty primes.
    let mut tiny = parts.clone();
    tiny[3] = vec![3];
    tiny[4] = vec![5];
    assert!(build(&tiny).is_err());
    let mut empty = parts.clone();
    empty[3] = vec![];
    assert!(build(&empty).is_err());
    // A wrong CRT exponent is refused at load (each is checked to invert e), so the
    // result check of every private operation stays a guard against faults alone.
    for i in [5, 6] {
        let mut bad = parts.clone();
        *bad[i].last_mut().unwrap() ^= 2;
        assert_eq!(build(&bad).err(), Some(Error::ArgFail), "component {i}");
    }
    let mut rng = TestRng(5);
    assert!(sign_pkcs1_v15(&key, &mut rng, HashAlgorithm::Sha256, &[0u8; 32]).is_ok());
    // The Debug form shows no secret.
    let dbg = format!("{key:?}");
    assert!(dbg.contains("RsaPrivateKey") && !dbg.contains(k["prime1"].as_str().unwrap()));
}
