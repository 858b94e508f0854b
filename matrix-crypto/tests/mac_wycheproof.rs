//! Every test of Wycheproof's HMAC-SHA1 and HMAC-SHA256 files, valid and invalid, including
//! the groups with tags truncated to half length.

use matrix_crypto::hash::{Hash, Sha256};
use matrix_crypto::mac::Hmac;
use serde_json::Value;

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digit"))
        .collect()
}

fn load(name: &str) -> Value {
    let path = format!(
        "{}/../vectors/wycheproof/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).expect("valid JSON")
}

fn run<H: Hash>(file: &str) {
    let doc = load(file);
    let mut count = 0;
    for group in doc["testGroups"].as_array().unwrap() {
        let tag_bytes = group["tagSize"].as_u64().unwrap() as usize / 8;
        for t in group["tests"].as_array().unwrap() {
            let id = t["tcId"].as_u64().unwrap();
            let key = hex(t["key"].as_str().unwrap());
            let msg = hex(t["msg"].as_str().unwrap());
            let tag = hex(t["tag"].as_str().unwrap());
            let valid = match t["result"].as_str().unwrap() {
                "valid" => true,
                "invalid" => false,
                other => panic!("tcId {id}: unexpected result {other}"),
            };
            let mut m = Hmac::<H>::new(&key);
            m.update(&msg);
            let ok = if tag_bytes == H::OUTPUT_LEN {
                m.verify(&tag)
            } else {
                m.verify_truncated(&tag)
            };
            assert_eq!(ok, valid, "{file} tcId {id}: {}", t["comment"]);
            if valid {
                assert_eq!(
                    &m.finalize().as_ref()[..tag_bytes],
                    &tag[..],
                    "{file} tcId {id}"
                );
            }
            count += 1;
        }
    }
    assert_eq!(count, doc["numberOfTests"].as_u64().unwrap());
}

#[cfg(feature = "sha1")]
#[test]
fn wycheproof_hmac_sha1() {
    run::<matrix_crypto::hash::Sha1>("hmac_sha1_test.json");
}

#[test]
fn wycheproof_hmac_sha256() {
    run::<Sha256>("hmac_sha256_test.json");
}
