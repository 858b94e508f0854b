//! Private keys in every encoding of the test PKI, PKCS#12 files, DH parameters and the
//! PBES2 Wycheproof vectors; wrong passwords and damaged files give clear errors.

#![cfg(all(feature = "private-key-parsing", feature = "pem-decode"))]

use std::path::{Path, PathBuf};

use matrix_crypto::alg::HashAlgorithm;
use matrix_crypto::hash::HashContext;
use matrix_crypto::random::SecureRandom;
use matrix_crypto::rsa::{RsaPrivateKey, sign_pkcs1_v15, verify_pkcs1_v15};
use matrix_x509::key::load_rsa_private_key;

fn testkeys() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testkeys")
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(testkeys().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// A deterministic source: tests need no entropy, only distinct bytes.
struct Counter(u8);
impl SecureRandom for Counter {
    fn fill_bytes(&mut self, dest: &mut [u8]) -> matrix_core::Result<()> {
        for b in dest {
            self.0 = self.0.wrapping_mul(31).wrapping_add(7);
            *b = self.0;
        }
        Ok(())
    }
}

/// The key's public half is the server certificate's, and it signs verifiably.
fn assert_is_server_key(key: &RsaPrivateKey, what: &str) {
    let cert = std::fs::read_to_string(testkeys().join("rsa2048/server.pem")).unwrap();
    #[cfg(feature = "cert-parse")]
    {
        let chain = matrix_x509::CertChain::from_pem(&cert).unwrap();
        let matrix_x509::PublicKey::Rsa { n, .. } = &chain.leaf().unwrap().public_key else {
            panic!()
        };
        assert_eq!(key.public_key().n(), &n[..], "{what}: modulus");
    }
    let _ = cert;
    let digest = HashContext::digest(HashAlgorithm::Sha256, b"matrix").unwrap();
    let sig = sign_pkcs1_v15(key, &mut Counter(1), HashAlgorithm::Sha256, &digest).unwrap();
    verify_pkcs1_v15(key.public_key(), HashAlgorithm::Sha256, &digest, &sig)
        .unwrap_or_else(|e| panic!("{what}: {e}"));
}

#[test]
fn pkcs1_pem_and_der() {
    for rel in ["rsa2048/server.key", "rsa2048/server-pkcs1.der"] {
        let k = load_rsa_private_key(&read(rel), None).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_is_server_key(&k, rel);
    }
}

#[cfg(feature = "pkcs5")]
#[test]
fn encrypted_traditional_pem() {
    for alg in ["des-ede3-cbc", "des-cbc", "aes-128-cbc", "aes-256-cbc"] {
        let rel = format!("rsa2048/server-enc-{alg}.pem");
        let data = read(&rel);
        let k =
            load_rsa_private_key(&data, Some(b"matrix")).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_is_server_key(&k, &rel);
        assert_eq!(
            load_rsa_private_key(&data, Some(b"wrong")).err(),
            Some(matrix_core::Error::AuthFail),
            "{rel}"
        );
        assert_eq!(
            load_rsa_private_key(&data, None).err(),
            Some(matrix_core::Error::ArgFail),
            "{rel}"
        );
    }
}

#[cfg(feature = "pkcs8")]
#[test]
fn pkcs8_plain_and_encrypted() {
    for rel in ["rsa2048/server-pkcs8.pem", "rsa2048/server-pkcs8.der"] {
        let k = load_rsa_private_key(&read(rel), None).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_is_server_key(&k, rel);
    }
    for rel in [
        "rsa2048/server-pkcs8-aes256.pem",
        "rsa2048/server-pkcs8-aes128.pem",
        "rsa2048/server-pkcs8-des3.der",
    ] {
        let data = read(rel);
        let k =
            load_rsa_private_key(&data, Some(b"matrix")).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_is_server_key(&k, rel);
        assert_eq!(
            load_rsa_private_key(&data, Some(b"matrix2")).err(),
            Some(matrix_core::Error::AuthFail),
            "{rel}"
        );
        assert_eq!(
            load_rsa_private_key(&data, None).err(),
            Some(matrix_core::Error::ArgFail),
            "{rel}"
        );
    }
}

#[cfg(feature = "pkcs12")]
#[test]
fn pkcs12_modern_and_legacy() {
    use matrix_x509::pkcs12::Pkcs12;
    for rel in ["pkcs12/server-modern.p12", "pkcs12/server-legacy.p12"] {
        let data = read(rel);
        let p = Pkcs12::from_der(&data, "matrix").unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!(p.certs.len(), 2, "{rel}");
        let names: Vec<String> = p
            .certs
            .iter()
            .map(|c| c.subject.common_name.as_ref().unwrap().to_text())
            .collect();
        assert!(names.contains(&"localhost".to_string()), "{rel}: {names:?}");
        assert_is_server_key(p.key.as_ref().expect("a key"), rel);
        assert_eq!(
            Pkcs12::from_der(&data, "wrong").err(),
            Some(matrix_core::Error::AuthFail),
            "{rel}"
        );
        for cut in (0..data.len()).step_by(37) {
            assert!(
                Pkcs12::from_der(&data[..cut], "matrix").is_err(),
                "{rel} cut {cut}"
            );
        }
    }
}

#[test]
fn damaged_keys_never_panic_or_load() {
    let der = read("rsa2048/server-pkcs1.der");
    for cut in 0..der.len() {
        assert!(
            load_rsa_private_key(&der[..cut], None).is_err(),
            "cut {cut}"
        );
    }
    for i in 0..der.len() {
        let mut g = der.clone();
        g[i] ^= 0x55;
        // A structural error or an inconsistent key (p·q, qinv, dp and dq are all checked
        // at load): never a key that differs from the server's.
        if let Ok(k) = load_rsa_private_key(&g, None) {
            assert_is_server_key(&k, &format!("garbled at {i} but loaded"));
        }
    }
    assert!(
        load_rsa_private_key(
            b"-----BEGIN CERTIFICATE-----\nZg==\n-----END CERTIFICATE-----\n",
            None
        )
        .is_err()
    );
}

#[test]
fn dh_parameters_match_openssl() {
    use matrix_x509::DhParams;
    for (rel, bits) in [("dh/dh1024.pem", 1024), ("dh/dh2048.pem", 2048)] {
        let p = DhParams::from_bytes(&read(rel)).unwrap();
        assert_eq!(p.p.len() * 8, bits, "{rel}");
        assert_eq!(p.g, [2], "{rel}");
        let out = std::process::Command::new("openssl")
            .args([
                "dhparam",
                "-in",
                testkeys().join(rel).to_str().unwrap(),
                "-noout",
                "-text",
            ])
            .output()
            .expect("the openssl command line is required by these tests");
        let text = String::from_utf8(out.stdout).unwrap();
        let hex: String = text
            .lines()
            .skip_while(|l| !l.trim_start().starts_with("P:"))
            .skip(1)
            .take_while(|l| l.starts_with("        "))
            .flat_map(|l| {
                l.trim()
                    .split(':')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
            })
            .collect::<Vec<_>>()
            .join("");
        let ours: String = p.p.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex.trim_start_matches("00"), ours, "{rel}");
    }
    assert!(DhParams::from_bytes(b"garbage").is_err());
}

#[cfg(feature = "pkcs8")]
#[test]
fn wycheproof_pbes2() {
    use matrix_crypto::cipher::BlockAlgorithm;
    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../vectors/wycheproof");
    let mut count = 0;
    for (file, alg) in [
        ("pbes2_hmacsha1_aes_128_test.json", "AES-128-CBC"),
        ("pbes2_hmacsha1_aes_256_test.json", "AES-256-CBC"),
    ] {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join(file)).unwrap()).unwrap();
        let cipher = BlockAlgorithm::by_cbc_name(alg).unwrap();
        for g in v["testGroups"].as_array().unwrap() {
            for t in g["tests"].as_array().unwrap() {
                let got = matrix_x509::pbe::pbes2_decrypt(
                    HashAlgorithm::Sha1,
                    cipher,
                    &hex(t["password"].as_str().unwrap()),
                    &hex(t["salt"].as_str().unwrap()),
                    t["iterationCount"].as_u64().unwrap() as u32,
                    &hex(t["iv"].as_str().unwrap()),
                    &hex(t["ct"].as_str().unwrap()),
                );
                let valid = t["result"] == "valid";
                match got {
                    Ok(m) => assert!(
                        valid && m[..] == hex(t["msg"].as_str().unwrap())[..],
                        "tc {}",
                        t["tcId"]
                    ),
                    Err(_) => assert!(!valid, "tc {}", t["tcId"]),
                }
                count += 1;
            }
        }
    }
    assert_eq!(count, 168);
}
