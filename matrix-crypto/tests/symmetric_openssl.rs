//! Cross-checks `matrix_crypto::cipher` against the OpenSSL command line (`openssl enc`).
//!
//! OpenSSL is an independent implementation; a missing `openssl` binary (or a missing legacy
//! provider for DES, RC4 and SEED) makes these tests fail, never skip.

#![cfg(any(feature = "aes", feature = "3des", feature = "seed", feature = "arc4"))]
#![allow(clippy::unwrap_used)]

#[cfg(feature = "arc4")]
use matrix_crypto::cipher::Rc4;
#[cfg(any(feature = "aes", feature = "3des", feature = "seed"))]
use matrix_crypto::cipher::{BlockAlgorithm, CbcCipher};
use std::io::Write;
use std::process::{Command, Stdio};

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Deterministic test bytes (xorshift64), different for each `seed`.
fn bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut s = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 32) as u8
        })
        .collect()
}

/// Runs `openssl enc <args>` on `input` and returns its standard output; panics (fails the
/// test) when openssl cannot be run or reports an error.
fn openssl_enc(args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut child = Command::new("openssl")
        .arg("enc")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run `openssl` (required by this test): {e}"));
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "openssl enc {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[cfg(any(feature = "aes", feature = "3des", feature = "seed"))]
/// The `openssl enc` cipher name and whether it needs the legacy provider.
fn openssl_name(alg: BlockAlgorithm) -> (&'static str, bool) {
    match format!("{alg:?}").as_str() {
        "Aes128" => ("-aes-128-cbc", false),
        "Aes192" => ("-aes-192-cbc", false),
        "Aes256" => ("-aes-256-cbc", false),
        "TripleDes" => ("-des-ede3-cbc", false),
        "Des" => ("-des-cbc", true),
        "Seed" => ("-seed-cbc", true),
        other => panic!("no openssl name for {other}"),
    }
}

const LEGACY: [&str; 4] = ["-provider", "legacy", "-provider", "default"];

#[cfg(any(feature = "aes", feature = "3des", feature = "seed"))]
fn cross_check_cbc(alg: BlockAlgorithm) {
    let (name, legacy) = openssl_name(alg);
    let bl = alg.block_len();
    for (n, blocks) in [1usize, 2, 7, 64, 1024].into_iter().enumerate() {
        let seed = n as u64 * 1000 + alg.key_len() as u64;
        let key = bytes(seed, alg.key_len());
        let iv = bytes(seed + 1, bl);
        let pt = bytes(seed + 2, blocks * bl);
        let (key_hex, iv_hex) = (to_hex(&key), to_hex(&iv));
        let mut args = vec![name, "-K", &key_hex, "-iv", &iv_hex, "-nopad"];
        if legacy {
            args.extend(LEGACY);
        }

        let expected = openssl_enc(&args, &pt);
        let c = CbcCipher::new(alg, &key).unwrap();
        let mut buf = pt.clone();
        let mut iv_e = iv.clone();
        c.encrypt(&mut iv_e, &mut buf).unwrap();
        assert_eq!(
            buf, expected,
            "{alg:?}, {blocks} blocks: encryption differs from OpenSSL"
        );

        // OpenSSL decrypts ours, and we decrypt OpenSSL's.
        args.push("-d");
        assert_eq!(
            openssl_enc(&args, &buf),
            pt,
            "{alg:?}: OpenSSL cannot decrypt ours"
        );
        let mut iv_d = iv.clone();
        c.decrypt(&mut iv_d, &mut buf).unwrap();
        assert_eq!(buf, pt, "{alg:?}, {blocks} blocks: decryption differs");
    }
}

#[cfg(feature = "aes")]
#[test]
fn aes_cbc_matches_openssl() {
    cross_check_cbc(BlockAlgorithm::Aes128);
    cross_check_cbc(BlockAlgorithm::Aes192);
    cross_check_cbc(BlockAlgorithm::Aes256);
}

#[cfg(feature = "3des")]
#[test]
fn tdes_cbc_matches_openssl() {
    cross_check_cbc(BlockAlgorithm::TripleDes);
}

#[cfg(feature = "3des")]
#[test]
fn des_cbc_matches_openssl() {
    cross_check_cbc(BlockAlgorithm::Des);
}

#[cfg(feature = "seed")]
#[test]
fn seed_cbc_matches_openssl() {
    cross_check_cbc(BlockAlgorithm::Seed);
}

#[cfg(feature = "arc4")]
#[test]
fn rc4_matches_openssl() {
    for (n, len) in [1usize, 15, 16, 1000, 16384].into_iter().enumerate() {
        let key = bytes(7000 + n as u64, 16);
        let pt = bytes(8000 + n as u64, len);
        let key_hex = to_hex(&key);
        let mut args = vec!["-rc4", "-K", &key_hex, "-nopad"];
        args.extend(LEGACY);
        let expected = openssl_enc(&args, &pt);
        let mut rc4 = Rc4::new(&key).unwrap();
        let mut buf = pt.clone();
        // In uneven pieces, as records would arrive.
        for chunk in buf.chunks_mut(333) {
            rc4.apply(chunk);
        }
        assert_eq!(buf, expected, "RC4, {len} bytes: differs from OpenSSL");
    }
}
