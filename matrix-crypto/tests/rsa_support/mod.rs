//! Helpers shared by the RSA and DH integration tests: hex, a deterministic random source,
//! a minimal DER reader for RSA private keys, Wycheproof file loading, OpenSSL runs.

#![allow(dead_code)]

use matrix_crypto::Result;
use matrix_crypto::random::SecureRandom;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

pub fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

pub fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A deterministic random source (SplitMix64): reproducible tests, cloneable to predict
/// what a function will draw.
#[derive(Clone)]
pub struct TestRng(pub u64);

impl TestRng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

impl SecureRandom for TestRng {
    fn fill_bytes(&mut self, dest: &mut [u8]) -> Result<()> {
        for chunk in dest.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}

/// One DER TLV: (tag, contents, rest).
pub fn der_tlv(buf: &[u8]) -> (u8, &[u8], &[u8]) {
    let tag = buf[0];
    let (len, hdr) = if buf[1] < 0x80 {
        (buf[1] as usize, 2)
    } else {
        let n = (buf[1] & 0x7f) as usize;
        let mut len = 0usize;
        for &b in &buf[2..2 + n] {
            len = (len << 8) | b as usize;
        }
        (len, 2 + n)
    };
    (tag, &buf[hdr..hdr + len], &buf[hdr + len..])
}

/// The nine INTEGERs of a PKCS#1 RSAPrivateKey (version, n, e, d, p, q, dp, dq, qinv).
pub fn rsa_private_key_integers(der: &[u8]) -> Vec<Vec<u8>> {
    let (tag, mut body, _) = der_tlv(der);
    assert_eq!(tag, 0x30);
    let mut out = Vec::new();
    while !body.is_empty() {
        let (tag, v, rest) = der_tlv(body);
        assert_eq!(tag, 0x02);
        out.push(v.to_vec());
        body = rest;
    }
    assert_eq!(out.len(), 9, "RSAPrivateKey has nine INTEGERs");
    out
}

/// The RSAPrivateKey inside a PKCS#8 PrivateKeyInfo.
pub fn pkcs8_inner(der: &[u8]) -> &[u8] {
    let (tag, body, _) = der_tlv(der);
    assert_eq!(tag, 0x30);
    let (_, _version, rest) = der_tlv(body);
    let (_, _alg, rest) = der_tlv(rest);
    let (tag, key, _) = der_tlv(rest);
    assert_eq!(tag, 0x04);
    key
}

#[cfg(feature = "rsa")]
pub fn private_key_from_pkcs1(der: &[u8]) -> matrix_crypto::rsa::RsaPrivateKey {
    let i = rsa_private_key_integers(der);
    matrix_crypto::rsa::RsaPrivateKey::from_components(
        &i[1], &i[2], &i[3], &i[4], &i[5], &i[6], &i[7], &i[8],
    )
    .unwrap()
}

pub fn wycheproof(name: &str) -> serde_json::Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../vectors/wycheproof")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    serde_json::from_str(&text).unwrap()
}

/// A fresh scratch directory for OpenSSL files.
pub fn scratch_dir(tag: &str) -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "matrix-pk-{tag}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `openssl` with `args` (and optional stdin), panicking - failing the test - when it
/// is missing or fails: these cross-checks never skip.
pub fn openssl(args: &[&str], stdin: Option<&[u8]>) -> Vec<u8> {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("the openssl command line is required for this test: {e}"));
    {
        let mut pipe = child.stdin.take().unwrap();
        if let Some(input) = stdin {
            pipe.write_all(input).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}
