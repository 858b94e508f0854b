//! Every test of Wycheproof's PBKDF2-HMACSHA1 and PBKDF2-HMACSHA256 files (all are valid
//! derivations; the SHA-1 file includes RFC 6070's 16777216-iteration case).
#![cfg(feature = "hmac")]

use matrix_crypto::alg::HashAlgorithm;
use matrix_crypto::kdf;
use serde_json::Value;

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digit"))
        .collect()
}

fn run(file: &str, alg: HashAlgorithm) {
    let path = format!(
        "{}/../vectors/wycheproof/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: Value = serde_json::from_str(&text).expect("valid JSON");
    let mut count = 0;
    for group in doc["testGroups"].as_array().unwrap() {
        for t in group["tests"].as_array().unwrap() {
            let id = t["tcId"].as_u64().unwrap();
            let password = hex(t["password"].as_str().unwrap());
            let salt = hex(t["salt"].as_str().unwrap());
            let iterations = u32::try_from(t["iterationCount"].as_u64().unwrap()).unwrap();
            let want = hex(t["dk"].as_str().unwrap());
            assert_eq!(want.len() as u64, t["dkLen"].as_u64().unwrap());
            let mut out = vec![0u8; want.len()];
            let res = kdf::pbkdf2(alg, &password, &salt, iterations, &mut out);
            match t["result"].as_str().unwrap() {
                "valid" | "acceptable" => {
                    res.unwrap_or_else(|e| panic!("{file} tcId {id}: {e}"));
                    assert_eq!(out, want, "{file} tcId {id}: {}", t["comment"]);
                }
                _ => assert!(res.is_err() || out != want, "{file} tcId {id}"),
            }
            count += 1;
        }
    }
    assert_eq!(count, doc["numberOfTests"].as_u64().unwrap());
}

#[cfg(feature = "sha1")]
#[test]
fn wycheproof_pbkdf2_hmacsha1() {
    run("pbkdf2_hmacsha1_test.json", HashAlgorithm::Sha1);
}

#[test]
fn wycheproof_pbkdf2_hmacsha256() {
    run("pbkdf2_hmacsha256_test.json", HashAlgorithm::Sha256);
}
