//! Diffie-Hellman agreement with the OpenSSL command line: OpenSSL's key pairs for a
//! generated 1024-bit group and for the RFC 7919 ffdhe2048 group, our key pairs, and
//! `openssl pkeyutl -derive` on both sides. A missing `openssl` fails these tests.

#![cfg(feature = "dh")]

mod rsa_support;

use matrix_crypto::dh::{DhGroup, NamedGroup};
use rsa_support::*;
use std::path::Path;

fn p(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// The hex block after `label` in `openssl ... -text` output.
fn text_field(text: &str, label: &str) -> Vec<u8> {
    let mut lines = text.lines().skip_while(|l| l.trim() != label).skip(1);
    let mut hexs = String::new();
    for l in lines.by_ref() {
        let t = l.trim();
        if t.is_empty() || !t.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
            break;
        }
        hexs.extend(t.chars().filter(|c| *c != ':'));
    }
    assert!(!hexs.is_empty(), "no {label} in {text}");
    hex(&hexs)
}

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(content);
    out
}

fn der_int(be: &[u8]) -> Vec<u8> {
    let mut v: Vec<u8> = be.iter().copied().skip_while(|&b| b == 0).collect();
    if v.is_empty() || v[0] & 0x80 != 0 {
        v.insert(0, 0);
    }
    der(0x02, &v)
}

/// A PKCS #3 SubjectPublicKeyInfo (dhKeyAgreement) for our public value.
fn dh_spki(p_be: &[u8], g_be: &[u8], y_be: &[u8]) -> Vec<u8> {
    let oid = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x03, 0x01,
    ];
    let params = der(0x30, &[der_int(p_be), der_int(g_be)].concat());
    let alg = der(0x30, &[&oid[..], &params].concat());
    let mut bits = vec![0u8];
    bits.extend_from_slice(&der_int(y_be));
    der(0x30, &[alg, der(0x03, &bits)].concat())
}

fn agree_with_openssl(dir: &Path, params: &Path, group: &DhGroup) {
    let key = dir.join("key.pem");
    openssl(&["genpkey", "-paramfile", p(params), "-out", p(&key)], None);
    let text =
        String::from_utf8(openssl(&["pkey", "-in", p(&key), "-text", "-noout"], None)).unwrap();
    let theirs = text_field(&text, "public-key:");

    for seed in 0..4u64 {
        let ours = group.generate_key(&mut TestRng(seed)).unwrap();
        let peer = dir.join("peer.der");
        std::fs::write(&peer, dh_spki(group.p(), group.g(), ours.public_bytes())).unwrap();
        // OpenSSL's default derivation strips leading zeros (like TLS); dh_pad:1 keeps them.
        let stripped = openssl(
            &[
                "pkeyutl",
                "-derive",
                "-inkey",
                p(&key),
                "-peerkey",
                p(&peer),
                "-peerform",
                "DER",
            ],
            None,
        );
        let padded = openssl(
            &[
                "pkeyutl",
                "-derive",
                "-inkey",
                p(&key),
                "-peerkey",
                p(&peer),
                "-peerform",
                "DER",
                "-pkeyopt",
                "dh_pad:1",
            ],
            None,
        );
        assert_eq!(to_hex(&ours.agree_tls(&theirs).unwrap()), to_hex(&stripped));
        assert_eq!(to_hex(&ours.agree(&theirs).unwrap()), to_hex(&padded));
    }
}

#[test]
fn openssl_generated_1024_bit_group() {
    let dir = scratch_dir("dh1024");
    let params = dir.join("params.pem");
    openssl(
        &[
            "genpkey",
            "-genparam",
            "-algorithm",
            "DH",
            "-pkeyopt",
            "dh_paramgen_prime_len:1024",
            "-out",
            p(&params),
        ],
        None,
    );
    let text = String::from_utf8(openssl(
        &["pkeyparam", "-in", p(&params), "-text", "-noout"],
        None,
    ))
    .unwrap();
    let prime = text_field(&text, "P:");
    let g_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("G:"))
        .unwrap();
    let g: u64 = g_line.split_whitespace().nth(1).unwrap().parse().unwrap();
    let group = DhGroup::new(&prime, &g.to_be_bytes()).unwrap();
    assert_eq!(group.private_bits(), 1023);
    agree_with_openssl(&dir, &params, &group);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn openssl_ffdhe2048() {
    let dir = scratch_dir("ffdhe2048");
    let params = dir.join("params.pem");
    openssl(
        &[
            "genpkey",
            "-genparam",
            "-algorithm",
            "DH",
            "-pkeyopt",
            "group:ffdhe2048",
            "-out",
            p(&params),
        ],
        None,
    );
    // OpenSSL's encoding of the group has the same prime as ours.
    let der = openssl(&["dhparam", "-in", p(&params), "-outform", "DER"], None);
    let (_, body, _) = der_tlv(&der);
    let (_, prime, _) = der_tlv(body);
    let group = DhGroup::named(NamedGroup::Ffdhe2048).unwrap();
    assert_eq!(to_hex(group.p()), to_hex(&prime[1..]));
    agree_with_openssl(&dir, &params, &group);
    std::fs::remove_dir_all(&dir).unwrap();
}
