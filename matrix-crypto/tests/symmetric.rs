//! Known-answer, Wycheproof, IV-chaining, error and round-trip tests of `matrix_crypto::cipher`.
//!
//! Sources: FIPS-197 Appendix C (AES), NIST SP 800-38A F.2 (CBC-AES), SP 800-67 (3DES
//! example), FIPS 81 / the classic DES example, RFC 4269 Appendix B (SEED), RFC 6229 (RC4),
//! and Project Wycheproof's `aes_cbc_pkcs5_test.json`.

#![cfg(any(feature = "aes", feature = "3des", feature = "seed"))]
#![allow(clippy::unwrap_used)]

use matrix_crypto::Error;
use matrix_crypto::cipher::{BlockAlgorithm, CbcCipher};
#[cfg(feature = "aes")]
use matrix_crypto::cipher::{pkcs7_pad, pkcs7_unpad};
use proptest::prelude::*;

/// Decodes a hex string (whitespace ignored); panics on malformed input (test data only).
fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .map(|b| match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => panic!("not a hex digit: {:?}", b as char),
        })
        .collect();
    assert!(
        digits.len().is_multiple_of(2),
        "odd number of hex digits in {s:?}"
    );
    digits.chunks(2).map(|p| (p[0] << 4) | p[1]).collect()
}

/// Every block algorithm compiled in.
const ALGS: &[BlockAlgorithm] = &[
    #[cfg(feature = "aes")]
    BlockAlgorithm::Aes128,
    #[cfg(feature = "aes")]
    BlockAlgorithm::Aes192,
    #[cfg(feature = "aes")]
    BlockAlgorithm::Aes256,
    #[cfg(feature = "3des")]
    BlockAlgorithm::TripleDes,
    #[cfg(feature = "3des")]
    BlockAlgorithm::Des,
    #[cfg(feature = "seed")]
    BlockAlgorithm::Seed,
];

/// ECB through the CBC interface: each block alone with a zero IV.
fn ecb_encrypt(alg: BlockAlgorithm, key: &[u8], pt: &[u8]) -> Vec<u8> {
    let c = CbcCipher::new(alg, key).unwrap();
    let mut out = pt.to_vec();
    for block in out.chunks_mut(alg.block_len()) {
        let mut iv = vec![0u8; alg.block_len()];
        c.encrypt(&mut iv, block).unwrap();
    }
    out
}

fn ecb_decrypt(alg: BlockAlgorithm, key: &[u8], ct: &[u8]) -> Vec<u8> {
    let c = CbcCipher::new(alg, key).unwrap();
    let mut out = ct.to_vec();
    for block in out.chunks_mut(alg.block_len()) {
        let mut iv = vec![0u8; alg.block_len()];
        c.decrypt(&mut iv, block).unwrap();
    }
    out
}

/// Checks one ECB known answer both ways.
fn ecb_kat(alg: BlockAlgorithm, key: &str, pt: &str, ct: &str) {
    let (key, pt, ct) = (hex(key), hex(pt), hex(ct));
    assert_eq!(ecb_encrypt(alg, &key, &pt), ct, "{alg:?} encrypt");
    assert_eq!(ecb_decrypt(alg, &key, &ct), pt, "{alg:?} decrypt");
}

#[cfg(any(feature = "aes", feature = "3des"))]
/// Checks one CBC known answer both ways, and that the IV ends as the last ciphertext block.
fn cbc_kat(alg: BlockAlgorithm, key: &str, iv: &str, pt: &str, ct: &str) {
    let (key, iv0, pt, ct) = (hex(key), hex(iv), hex(pt), hex(ct));
    let c = CbcCipher::new(alg, &key).unwrap();
    let last = &ct[ct.len() - alg.block_len()..];

    let mut iv = iv0.clone();
    let mut buf = pt.clone();
    c.encrypt(&mut iv, &mut buf).unwrap();
    assert_eq!(buf, ct, "{alg:?} encrypt");
    assert_eq!(iv, last, "{alg:?} encrypt leaves the last block in the IV");

    let mut iv = iv0;
    c.decrypt(&mut iv, &mut buf).unwrap();
    assert_eq!(buf, pt, "{alg:?} decrypt");
    assert_eq!(
        iv, last,
        "{alg:?} decrypt leaves the last ciphertext block in the IV"
    );
}

// ---------------------------------------------------------------------------------------------
// AES

#[cfg(feature = "aes")]
#[test]
fn aes_fips197_appendix_c() {
    let pt = "00112233445566778899aabbccddeeff";
    ecb_kat(
        BlockAlgorithm::Aes128,
        "000102030405060708090a0b0c0d0e0f",
        pt,
        "69c4e0d86a7b0430d8cdb78070b4c55a",
    );
    ecb_kat(
        BlockAlgorithm::Aes192,
        "000102030405060708090a0b0c0d0e0f1011121314151617",
        pt,
        "dda97ca4864cdfe06eaf70a0ec0d7191",
    );
    ecb_kat(
        BlockAlgorithm::Aes256,
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        pt,
        "8ea2b7ca516745bfeafc49904b496089",
    );
}

#[cfg(feature = "aes")]
const SP800_38A_PT: &str = "6bc1bee22e409f96e93d7e117393172a ae2d8a571e03ac9c9eb76fac45af8e51
                            30c81c46a35ce411e5fbc1191a0a52ef f69f2445df4f9b17ad2b417be66c3710";
#[cfg(feature = "aes")]
const SP800_38A_IV: &str = "000102030405060708090a0b0c0d0e0f";

#[cfg(feature = "aes")]
#[test]
fn aes128_cbc_sp800_38a_f21_f22() {
    cbc_kat(
        BlockAlgorithm::Aes128,
        "2b7e151628aed2a6abf7158809cf4f3c",
        SP800_38A_IV,
        SP800_38A_PT,
        "7649abac8119b246cee98e9b12e9197d 5086cb9b507219ee95db113a917678b2
         73bed6b8e3c1743b7116e69e22229516 3ff1caa1681fac09120eca307586e1a7",
    );
}

#[cfg(feature = "aes")]
#[test]
fn aes192_cbc_sp800_38a_f23_f24() {
    cbc_kat(
        BlockAlgorithm::Aes192,
        "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
        SP800_38A_IV,
        SP800_38A_PT,
        "4f021db243bc633d7178183a9fa071e8 b4d9ada9ad7dedf4e5e738763f69145a
         571b242012fb7ae07fa9baac3df102e0 08b0e27988598881d920a9e64f5615cd",
    );
}

#[cfg(feature = "aes")]
#[test]
fn aes256_cbc_sp800_38a_f25_f26() {
    cbc_kat(
        BlockAlgorithm::Aes256,
        "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
        SP800_38A_IV,
        SP800_38A_PT,
        "f58c4c04d6e5f1ba779eabfb5f7bfbd6 9cfc4e967edb808d679f777bc6702c7d
         39f23369a9d9bacfa530e26304231461 b2eb05e2c39be9fcda6c19078c6a9d1b",
    );
}

// ---------------------------------------------------------------------------------------------
// Wycheproof AES-CBC-PKCS5

#[cfg(feature = "aes")]
fn wycheproof_alg(key_len: usize) -> BlockAlgorithm {
    match key_len {
        16 => BlockAlgorithm::Aes128,
        24 => BlockAlgorithm::Aes192,
        32 => BlockAlgorithm::Aes256,
        n => panic!("unexpected AES key length {n}"),
    }
}

/// Decrypts and unpads, as an encrypted-key reader would.
#[cfg(feature = "aes")]
fn cbc_pkcs7_decrypt(c: &CbcCipher, iv: &[u8], ct: &[u8]) -> Result<Vec<u8>, Error> {
    let mut iv = iv.to_vec();
    let mut buf = ct.to_vec();
    c.decrypt(&mut iv, &mut buf)?;
    let n = pkcs7_unpad(&buf, c.block_len())?;
    buf.truncate(n);
    Ok(buf)
}

#[cfg(feature = "aes")]
#[test]
fn aes_cbc_pkcs5_wycheproof() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/wycheproof/aes_cbc_pkcs5_test.json"
    );
    let text = std::fs::read_to_string(path).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let expected = doc["numberOfTests"].as_u64().unwrap();
    let (mut valid, mut invalid) = (0u64, 0u64);
    for group in doc["testGroups"].as_array().unwrap() {
        for t in group["tests"].as_array().unwrap() {
            let id = t["tcId"].as_u64().unwrap();
            let field = |name: &str| hex(t[name].as_str().unwrap());
            let (key, iv, msg, ct) = (field("key"), field("iv"), field("msg"), field("ct"));
            let c = CbcCipher::new(wycheproof_alg(key.len()), &key).unwrap();
            match t["result"].as_str().unwrap() {
                "valid" => {
                    let mut buf = msg.clone();
                    pkcs7_pad(&mut buf, 16).unwrap();
                    let mut iv2 = iv.clone();
                    c.encrypt(&mut iv2, &mut buf).unwrap();
                    assert_eq!(buf, ct, "tcId {id}: encryption");
                    assert_eq!(
                        cbc_pkcs7_decrypt(&c, &iv, &ct),
                        Ok(msg),
                        "tcId {id}: decryption"
                    );
                    valid += 1;
                }
                "invalid" => {
                    let r = cbc_pkcs7_decrypt(&c, &iv, &ct);
                    assert!(
                        matches!(r, Err(Error::AuthFail | Error::ArgFail)),
                        "tcId {id}: invalid ciphertext accepted: {r:?}"
                    );
                    invalid += 1;
                }
                other => panic!("tcId {id}: unexpected result {other}"),
            }
        }
    }
    assert_eq!(valid + invalid, expected, "every Wycheproof test ran");
    assert!(valid > 0 && invalid > 0);
}

// ---------------------------------------------------------------------------------------------
// DES and 3DES

#[cfg(feature = "3des")]
#[test]
fn tdes_sp800_67_example() {
    // SP 800-67 Rev. 1, Appendix B: "The qufck brown fox jump" under three distinct keys.
    ecb_kat(
        BlockAlgorithm::TripleDes,
        "0123456789ABCDEF 23456789ABCDEF01 456789ABCDEF0123",
        "5468652071756663 6B2062726F776E20 666F78206A756D70",
        "A826FD8CE53B855F CCE21C8112256FE6 68D5C05DD9B6B900",
    );
}

#[cfg(feature = "3des")]
#[test]
fn tdes_with_equal_keys_is_des() {
    // EDE with K1 = K2 = K3 degenerates to single DES (the classic "Now is t" example).
    ecb_kat(
        BlockAlgorithm::TripleDes,
        "0123456789ABCDEF 0123456789ABCDEF 0123456789ABCDEF",
        "4E6F772069732074",
        "3FA40E8A984D4815",
    );
}

#[cfg(feature = "3des")]
#[test]
fn des_known_answers() {
    ecb_kat(
        BlockAlgorithm::Des,
        "0123456789ABCDEF",
        "4E6F772069732074",
        "3FA40E8A984D4815",
    );
    // FIPS 81 Appendix C, CBC: "Now is the time for all ".
    cbc_kat(
        BlockAlgorithm::Des,
        "0123456789abcdef",
        "1234567890abcdef",
        "4e6f772069732074 68652074696d6520 666f7220616c6c20",
        "e5c7cdde872bf27c 43e934008c389c0f 683788499a7c05f6",
    );
}

// ---------------------------------------------------------------------------------------------
// SEED

#[cfg(feature = "seed")]
#[test]
fn seed_rfc4269_appendix_b() {
    let a = BlockAlgorithm::Seed;
    ecb_kat(
        a,
        "00000000000000000000000000000000",
        "000102030405060708090A0B0C0D0E0F",
        "5EBAC6E0054E166819AFF1CC6D346CDB",
    );
    ecb_kat(
        a,
        "000102030405060708090A0B0C0D0E0F",
        "00000000000000000000000000000000",
        "C11F22F20140505084483597E4370F43",
    );
    ecb_kat(
        a,
        "4706480851E61BE85D74BFB3FD956185",
        "83A2F8A288641FB9A4E9A5CC2F131C7D",
        "EE54D13EBCAE706D226BC3142CD40D4A",
    );
    ecb_kat(
        a,
        "28DBC3BC49FFD87DCFA509B11D422BE7",
        "B41E6BE2EBA84A148E2EED84593C5EC7",
        "9B9B7BFCD1813CB95D0B3618F40F5122",
    );
}

// ---------------------------------------------------------------------------------------------
// The CBC interface: lengths, errors, IV chaining

#[test]
fn key_and_block_lengths() {
    for &alg in ALGS {
        let expected = match format!("{alg:?}").as_str() {
            "Aes128" => (16, 16),
            "Aes192" => (24, 16),
            "Aes256" => (32, 16),
            "TripleDes" => (24, 8),
            "Des" => (8, 8),
            "Seed" => (16, 16),
            other => panic!("unknown algorithm {other}"),
        };
        assert_eq!((alg.key_len(), alg.block_len()), expected, "{alg:?}");
        let c = CbcCipher::new(alg, &vec![1u8; alg.key_len()]).unwrap();
        assert_eq!(c.algorithm(), alg);
        assert_eq!(c.block_len(), alg.block_len());
    }
}

#[test]
fn wrong_lengths_are_arg_fail_and_change_nothing() {
    for &alg in ALGS {
        let (kl, bl) = (alg.key_len(), alg.block_len());
        for bad in [0, kl - 1, kl + 1, 2 * kl] {
            assert_eq!(
                CbcCipher::new(alg, &vec![0u8; bad]).unwrap_err(),
                Error::ArgFail
            );
        }
        let c = CbcCipher::new(alg, &vec![3u8; kl]).unwrap();
        for (iv_len, data_len) in [
            (bl, 1),
            (bl, bl + 1),
            (bl, 2 * bl - 1),
            (bl - 1, bl),
            (bl + 1, bl),
            (0, 0),
        ] {
            let mut iv = vec![5u8; iv_len];
            let mut data = vec![9u8; data_len];
            assert_eq!(
                c.encrypt(&mut iv, &mut data),
                Err(Error::ArgFail),
                "{alg:?}"
            );
            assert_eq!(
                c.decrypt(&mut iv, &mut data),
                Err(Error::ArgFail),
                "{alg:?}"
            );
            assert!(iv.iter().all(|&b| b == 5) && data.iter().all(|&b| b == 9));
        }
        // Empty data is fine and leaves the IV alone.
        let mut iv = vec![5u8; bl];
        c.encrypt(&mut iv, &mut []).unwrap();
        c.decrypt(&mut iv, &mut []).unwrap();
        assert!(iv.iter().all(|&b| b == 5));
    }
}

/// Encrypting (or decrypting) a buffer in pieces with the same IV buffer equals one call:
/// the SSL 3.0 / TLS 1.0 implicit IV.
fn check_chaining(alg: BlockAlgorithm, key: &[u8], iv0: &[u8], data: &[u8], cut_blocks: usize) {
    let bl = alg.block_len();
    let cut = cut_blocks * bl;
    let c = CbcCipher::new(alg, key).unwrap();

    let mut iv_one = iv0.to_vec();
    let mut one = data.to_vec();
    c.encrypt(&mut iv_one, &mut one).unwrap();

    let mut iv_two = iv0.to_vec();
    let mut two = data.to_vec();
    let (a, b) = two.split_at_mut(cut);
    c.encrypt(&mut iv_two, a).unwrap();
    c.encrypt(&mut iv_two, b).unwrap();
    assert_eq!(one, two, "{alg:?}: chained encryption");
    assert_eq!(iv_one, iv_two);

    let mut iv_dec = iv0.to_vec();
    let (a, b) = two.split_at_mut(cut);
    c.decrypt(&mut iv_dec, a).unwrap();
    c.decrypt(&mut iv_dec, b).unwrap();
    assert_eq!(two, data, "{alg:?}: chained decryption");
    assert_eq!(iv_dec, iv_one);
}

#[test]
fn implicit_iv_chaining() {
    for &alg in ALGS {
        let bl = alg.block_len();
        let key: Vec<u8> = (0..alg.key_len() as u8).collect();
        let iv: Vec<u8> = (100..100 + bl as u8).collect();
        let data: Vec<u8> = (0..40 * bl).map(|i| (i * 7 + 3) as u8).collect();
        for cut in [0, 1, 7, 8, 9, 39, 40] {
            check_chaining(alg, &key, &iv, &data, cut);
        }
    }
}

#[test]
fn cipher_is_reusable_with_fresh_explicit_ivs() {
    // TLS 1.1 / DTLS: one keyed cipher, a new IV per record.
    for &alg in ALGS {
        let bl = alg.block_len();
        let c = CbcCipher::new(alg, &vec![0x42; alg.key_len()]).unwrap();
        let record = vec![0x17u8; 4 * bl];
        let mut outs = Vec::new();
        for n in 0..3u8 {
            let mut iv = vec![n; bl];
            let mut buf = record.clone();
            c.encrypt(&mut iv, &mut buf).unwrap();
            let mut iv = vec![n; bl];
            let mut back = buf.clone();
            c.decrypt(&mut iv, &mut back).unwrap();
            assert_eq!(back, record);
            outs.push(buf);
        }
        assert_ne!(outs[0], outs[1]);
        assert_ne!(outs[1], outs[2]);
    }
}

// ---------------------------------------------------------------------------------------------
// Property tests

proptest! {
    #[test]
    fn cbc_round_trip(
        alg_index in 0..ALGS.len(),
        key in prop::collection::vec(any::<u8>(), 32),
        iv in prop::collection::vec(any::<u8>(), 16),
        blocks in 0usize..40,
        fill in any::<u64>(),
        cut in 0usize..40,
    ) {
        let alg = ALGS[alg_index];
        let bl = alg.block_len();
        let key = &key[..alg.key_len()];
        let iv = &iv[..bl];
        let data: Vec<u8> = (0..blocks * bl)
            .map(|i| (fill.rotate_left((i % 64) as u32) as u8) ^ (i as u8))
            .collect();
        let c = CbcCipher::new(alg, key).unwrap();
        let mut buf = data.clone();
        let mut iv_e = iv.to_vec();
        c.encrypt(&mut iv_e, &mut buf).unwrap();
        if blocks > 0 {
            prop_assert_ne!(&buf, &data);
        }
        let mut iv_d = iv.to_vec();
        c.decrypt(&mut iv_d, &mut buf).unwrap();
        prop_assert_eq!(&buf, &data);
        prop_assert_eq!(&iv_e, &iv_d);
        check_chaining(alg, key, iv, &data, cut.min(blocks));
    }
}
