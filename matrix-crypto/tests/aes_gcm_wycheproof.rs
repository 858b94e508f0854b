//! AES-GCM against Wycheproof's `aes_gcm_test.json` (copied into
//! `vectors/wycheproof/`, Apache-2.0, see its LICENSE) through matrix-crypto's API only.
//!
//! Every test with a 96-bit IV (the TLS nonce; 197 of the file's tests: 116 valid, 81 invalid)
//! must give Wycheproof's answer: the ciphertext and tag for valid tests, `AuthFail` (with a
//! zeroed buffer) for invalid ones. Tests with other IV lengths must be refused with
//! `ArgFail`: [`AesGcm`] takes only 12-byte nonces, by design.
#![cfg(feature = "aes-gcm")]

use matrix_crypto::Error;
use matrix_crypto::cipher::AesGcm;
use serde_json::Value;

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digit"))
        .collect()
}

fn vectors() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../vectors/wycheproof/aes_gcm_test.json"
    );
    let text = std::fs::read_to_string(path).expect("the Wycheproof AES-GCM file is required");
    serde_json::from_str(&text).unwrap()
}

#[test]
fn wycheproof_aes_gcm() {
    let v = vectors();
    let (mut checked, mut refused) = (0, 0);
    for g in v["testGroups"].as_array().unwrap() {
        assert_eq!(g["tagSize"].as_u64(), Some(128));
        for t in g["tests"].as_array().unwrap() {
            let id = t["tcId"].as_u64().unwrap();
            let key = hex(t["key"].as_str().unwrap());
            let iv = hex(t["iv"].as_str().unwrap());
            let aad = hex(t["aad"].as_str().unwrap());
            let msg = hex(t["msg"].as_str().unwrap());
            let ct = hex(t["ct"].as_str().unwrap());
            let tag = hex(t["tag"].as_str().unwrap());
            let valid = t["result"].as_str().unwrap() == "valid";
            let gcm = AesGcm::new(&key).unwrap();
            if iv.len() != 12 {
                let mut b = msg.clone();
                assert_eq!(
                    gcm.seal_in_place(&iv, &aad, &mut b),
                    Err(Error::ArgFail),
                    "tc {id}"
                );
                assert_eq!(
                    gcm.open_in_place(&iv, &aad, &mut b, &tag),
                    Err(Error::ArgFail),
                    "tc {id}"
                );
                refused += 1;
                continue;
            }
            let mut b = ct.clone();
            let opened = gcm.open_in_place(&iv, &aad, &mut b, &tag);
            if valid {
                assert_eq!(opened, Ok(()), "tc {id}");
                assert_eq!(b, msg, "tc {id}");
                let mut e = msg.clone();
                let t2 = gcm.seal_in_place(&iv, &aad, &mut e).unwrap();
                assert_eq!(e, ct, "tc {id}");
                assert_eq!(t2.to_vec(), tag, "tc {id}");
            } else {
                assert_eq!(opened, Err(Error::AuthFail), "tc {id}");
                assert!(
                    b.iter().all(|&x| x == 0),
                    "tc {id}: plaintext left after a failed tag"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 197);
    assert_eq!(refused, v["numberOfTests"].as_u64().unwrap() as usize - 197);
}

#[test]
fn bad_lengths_are_arg_fail() {
    assert_eq!(AesGcm::new(&[0; 15]).err(), Some(Error::ArgFail));
    let g = AesGcm::new(&[0; 16]).unwrap();
    let mut b = [0u8; 4];
    assert_eq!(
        g.open_in_place(&[0; 12], &[], &mut b, &[0; 15]),
        Err(Error::ArgFail)
    );
    assert!(format!("{g:?}").contains("128"));
}

/// Flipping any bit of the tag, the AAD or the ciphertext fails authentication.
#[test]
fn any_flip_fails() {
    let g = AesGcm::new(&[7; 32]).unwrap();
    let nonce = [1u8; 12];
    let aad = [2u8; 13];
    let mut ct = *b"twenty-one byte text!";
    let tag = g.seal_in_place(&nonce, &aad, &mut ct).unwrap();
    for i in 0..(ct.len() + aad.len() + tag.len()) * 8 {
        let (mut c, mut a, mut t) = (ct, aad, tag);
        let byte = i / 8;
        let bit = 1u8 << (i % 8);
        if byte < c.len() {
            c[byte] ^= bit;
        } else if byte < c.len() + a.len() {
            a[byte - c.len()] ^= bit;
        } else {
            t[byte - c.len() - a.len()] ^= bit;
        }
        assert_eq!(
            g.open_in_place(&nonce, &a, &mut c, &t),
            Err(Error::AuthFail)
        );
    }
    let mut c = ct;
    g.open_in_place(&nonce, &aad, &mut c, &tag).unwrap();
    assert_eq!(&c, b"twenty-one byte text!");
}
