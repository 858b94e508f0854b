//! The TLS 1.2 PRF (RFC 5246 section 5) and its derivations.
//!
//! Known answers: the P_SHA256 and P_SHA384 "test label" vectors circulated on the IETF TLS
//! list (also in many TLS test suites), and `openssl kdf ... TLS1-PRF` with SHA256/SHA384
//! over several secret, seed and output lengths (the test fails if the `openssl` binary is
//! missing). The master secret, extended master secret, key block and Finished are checked
//! against the PRF with the labels and seed orders of RFC 5246 8.1, 6.3, 7.4.9 and RFC 7627 4,
//! each computed by OpenSSL.
#![cfg(feature = "hmac")]

use matrix_crypto::prf12::PrfHash;
use std::process::Command;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digit"))
        .collect()
}

fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn openssl_prf(digest: &str, secret: &[u8], seed: &[&[u8]], len: usize) -> Vec<u8> {
    let mut cmd = Command::new("openssl");
    cmd.args(["kdf", "-keylen", &len.to_string(), "-kdfopt"]);
    cmd.arg(format!("digest:{digest}"));
    cmd.args(["-kdfopt", &format!("hexsecret:{}", to_hex(secret))]);
    for part in seed {
        cmd.args(["-kdfopt", &format!("hexseed:{}", to_hex(part))]);
    }
    cmd.arg("TLS1-PRF");
    let out = cmd
        .output()
        .expect("the openssl binary is required for this test (it is never skipped)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = hex(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(v.len(), len);
    v
}

fn pattern(len: usize, mul: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(mul).wrapping_add(7))
        .collect()
}

/// The PRF hashes of the build: SHA-384 only with `sha512`.
fn hashes() -> Vec<(PrfHash, &'static str)> {
    vec![
        (PrfHash::Sha256, "SHA256"),
        #[cfg(feature = "sha512")]
        (PrfHash::Sha384, "SHA384"),
    ]
}

#[test]
fn p_sha256_known_answer() {
    let mut out = [0u8; 100];
    PrfHash::Sha256.prf(
        &hex("9bbe436ba940f017b17652849a71db35"),
        b"test label",
        &[&hex("a0ba9f936cda311827a6f796ffd5198c")],
        &mut out,
    );
    assert_eq!(
        to_hex(&out),
        "e3f229ba727be17b8d122620557cd453c2aab21d07c3d495329b52d4e61edb5a6b301791e90d35c9c9a4\
         6b4e14baf9af0fa022f7077def17abfd3797c0564bab4fbc91666e9def9b97fce34f796789baa48082d1\
         22ee42c5a72e5a5110fff70187347b66"
    );
}

#[cfg(feature = "sha512")]
#[test]
fn p_sha384_known_answer() {
    let mut out = [0u8; 148];
    PrfHash::Sha384.prf(
        &hex("b80b733d6ceefcdc71566ea48e5567df"),
        b"test label",
        &[&hex("cd665cf6a8447dd6ff8b27555edb7465")],
        &mut out,
    );
    assert_eq!(
        to_hex(&out),
        "7b0c18e9ced410ed1804f2cfa34a336a1c14dffb4900bb5fd7942107e81c83cde9ca0faa60be9fe34f82\
         b1233c9146a0e534cb400fed2700884f9dc236f80edd8bfa961144c9e8d792eca722a7b32fc3d416d473\
         ebc2c5fd4abfdad05d9184259b5bf8cd4d90fa0d31e2dec479e4f1a26066f2eea9a69236a3e52655c9e9\
         aee691c8f3a26854308d5eaa3be85e0990703d73e56f"
    );
}

#[test]
fn prf_matches_openssl_over_lengths() {
    for (h, name) in hashes() {
        for (slen, seedlen, outlen) in [
            (0, 0, 1),
            (1, 13, 31),
            (48, 64, 32),
            (48, 64, 33),
            (200, 77, 200),
        ] {
            let secret = pattern(slen, 3);
            let seed = pattern(seedlen, 5);
            let mut ours = vec![0u8; outlen];
            h.prf(&secret, b"a label", &[&seed], &mut ours);
            assert_eq!(
                ours,
                openssl_prf(name, &secret, &[b"a label", &seed], outlen),
                "{name} {slen} {seedlen} {outlen}"
            );
        }
    }
}

#[test]
fn derivations_match_openssl() {
    let pms = pattern(48, 11);
    let cr: [u8; 32] = pattern(32, 13).try_into().unwrap();
    let sr: [u8; 32] = pattern(32, 17).try_into().unwrap();
    for (h, name) in hashes() {
        let ms = h.master_secret(&pms, &cr, &sr);
        assert_eq!(
            ms.to_vec(),
            openssl_prf(name, &pms, &[b"master secret", &cr, &sr], 48)
        );

        let session_hash = pattern(h.output_len(), 19);
        let ems = h.extended_master_secret(&pms, &session_hash);
        assert_eq!(
            ems.to_vec(),
            openssl_prf(name, &pms, &[b"extended master secret", &session_hash], 48)
        );

        let kb = h.key_block(&ms, &cr, &sr, 136);
        assert_eq!(
            kb.to_vec(),
            openssl_prf(name, &ms[..], &[b"key expansion", &sr, &cr], 136)
        );

        let fin = h.finished(&ms, b"client finished", &session_hash);
        assert_eq!(
            fin.to_vec(),
            openssl_prf(name, &ms[..], &[b"client finished", &session_hash], 12)
        );
    }
}
