//! Every vector of the Wycheproof EC files through matrix's own `ec` API: ECDH over P-256
//! and P-384 (public keys as DER SubjectPublicKeyInfo), X25519, ECDSA verification over
//! P-256/SHA-256 and P-384/SHA-384; and ECDSA signing against known answers.

#![cfg(all(feature = "ecc-p256", feature = "ecc-p384", feature = "x25519"))]

mod rsa_support;

use matrix_crypto::Error;
use matrix_crypto::ec::{EcPrivateKey, EcPublicKey, EcdhKeyPair, NamedCurve};
use rsa_support::{TestRng, hex, wycheproof};
use serde_json::Value;
use sha2::Digest as _;

fn s<'a>(v: &'a Value, k: &str) -> &'a str {
    v[k].as_str().unwrap_or_else(|| panic!("missing {k}"))
}

/// One DER TLV from the front of `buf`: (tag, contents, rest); `None` if malformed.
fn tlv(buf: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = buf.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (first as usize, rest)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 2 || rest.len() < n {
            return None;
        }
        (
            rest[..n].iter().fold(0usize, |a, &b| (a << 8) | b as usize),
            &rest[n..],
        )
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

const ID_EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const SECP256R1: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const SECP384R1: &[u8] = &[0x2b, 0x81, 0x04, 0x00, 0x22];

/// The point of a SubjectPublicKeyInfo naming `curve_oid`, as a certificate carries it
/// (RFC 5480: named curves only); `None` for anything else.
fn spki_point<'a>(spki: &'a [u8], curve_oid: &[u8]) -> Option<&'a [u8]> {
    let (0x30, body, []) = tlv(spki)? else {
        return None;
    };
    let (0x30, alg, rest) = tlv(body)? else {
        return None;
    };
    let (0x03, bits, []) = tlv(rest)? else {
        return None;
    };
    let (0x06, oid, params) = tlv(alg)? else {
        return None;
    };
    let (0x06, named, []) = tlv(params)? else {
        return None;
    };
    if oid != ID_EC_PUBLIC_KEY || named != curve_oid {
        return None;
    }
    let (0, point) = bits.split_first()? else {
        return None;
    };
    Some(point)
}

/// Counts of (valid, acceptable-accepted, acceptable-rejected, invalid).
#[derive(Debug, Default)]
struct Tally(usize, usize, usize, usize);

fn ecdh_file(name: &str, curve: NamedCurve, oid: &[u8]) -> Tally {
    let file = wycheproof(name);
    let mut tally = Tally::default();
    for group in file["testGroups"].as_array().unwrap() {
        assert_eq!(s(group, "encoding"), "asn");
        for t in group["tests"].as_array().unwrap() {
            let id = t["tcId"].as_u64().unwrap();
            let public = hex(s(t, "public"));
            let private = hex(s(t, "private"));
            let shared = hex(s(t, "shared"));
            let result = s(t, "result");
            let outcome = spki_point(&public, oid)
                .ok_or(Error::ParseFail)
                .and_then(|q| {
                    EcdhKeyPair::from_private(curve, &private)
                        .unwrap_or_else(|e| panic!("{name} tc {id}: private key: {e:?}"))
                        .agree(q)
                });
            match (result, outcome) {
                ("valid", Ok(z)) => {
                    assert_eq!(*z, shared, "{name} tc {id}");
                    tally.0 += 1;
                }
                ("acceptable", Ok(z)) => {
                    assert_eq!(*z, shared, "{name} tc {id}");
                    tally.1 += 1;
                }
                ("acceptable", Err(_)) => tally.2 += 1,
                ("invalid", Err(_)) => tally.3 += 1,
                (r, o) => panic!(
                    "{name} tc {id} ({r}, {:?}): got {:?}",
                    t["comment"],
                    o.map(|_| ())
                ),
            }
        }
    }
    tally
}

#[test]
fn ecdh_secp256r1() {
    let t = ecdh_file("ecdh_secp256r1_test.json", NamedCurve::Secp256r1, SECP256R1);
    eprintln!("{t:?}");
    assert!(t.0 > 0 && t.3 > 0);
}

#[test]
fn ecdh_secp384r1() {
    let t = ecdh_file("ecdh_secp384r1_test.json", NamedCurve::Secp384r1, SECP384R1);
    eprintln!("{t:?}");
    assert!(t.0 > 0 && t.3 > 0);
}

#[test]
fn x25519() {
    let file = wycheproof("x25519_test.json");
    let mut tally = Tally::default();
    for group in file["testGroups"].as_array().unwrap() {
        for t in group["tests"].as_array().unwrap() {
            let id = t["tcId"].as_u64().unwrap();
            let shared = hex(s(t, "shared"));
            let key = EcdhKeyPair::from_private(NamedCurve::X25519, &hex(s(t, "private"))).unwrap();
            let outcome = key.agree(&hex(s(t, "public")));
            if shared.iter().all(|&b| b == 0) {
                // RFC 7748 section 6.1: an all-zero output must be refused.
                assert_eq!(outcome.unwrap_err(), Error::ProtocolFail, "tc {id}");
                tally.2 += 1;
                continue;
            }
            match (s(t, "result"), outcome) {
                ("valid", Ok(z)) => {
                    assert_eq!(*z, shared, "tc {id}");
                    tally.0 += 1;
                }
                ("acceptable", Ok(z)) => {
                    assert_eq!(*z, shared, "tc {id}");
                    tally.1 += 1;
                }
                (r, o) => panic!("tc {id} ({r}): got {:?}", o.map(|_| ())),
            }
        }
    }
    eprintln!("{tally:?}");
    assert!(tally.0 > 0 && tally.2 > 0);
}

fn ecdsa_file(name: &str, curve: NamedCurve, hash: fn(&[u8]) -> Vec<u8>) -> Tally {
    let file = wycheproof(name);
    let mut tally = Tally::default();
    for group in file["testGroups"].as_array().unwrap() {
        let key = EcPublicKey::from_sec1(curve, &hex(s(&group["publicKey"], "uncompressed")))
            .unwrap_or_else(|e| panic!("{name}: public key: {e:?}"));
        for t in group["tests"].as_array().unwrap() {
            let id = t["tcId"].as_u64().unwrap();
            let digest = hash(&hex(s(t, "msg")));
            let outcome = key.verify_digest(&digest, &hex(s(t, "sig")));
            match (s(t, "result"), outcome) {
                ("valid", Ok(())) => tally.0 += 1,
                ("acceptable", Ok(())) => tally.1 += 1,
                ("acceptable", Err(_)) => tally.2 += 1,
                ("invalid", Err(e)) => {
                    assert_eq!(e, Error::SignatureMismatch, "{name} tc {id}");
                    tally.3 += 1
                }
                (r, o) => panic!("{name} tc {id} ({r}, {:?}): got {o:?}", t["comment"]),
            }
        }
    }
    tally
}

#[test]
fn ecdsa_secp256r1_sha256() {
    let t = ecdsa_file(
        "ecdsa_secp256r1_sha256_test.json",
        NamedCurve::Secp256r1,
        |m| sha2::Sha256::digest(m).to_vec(),
    );
    eprintln!("{t:?}");
    assert!(t.0 > 0 && t.3 > 0);
}

#[test]
fn ecdsa_secp384r1_sha384() {
    let t = ecdsa_file(
        "ecdsa_secp384r1_sha384_test.json",
        NamedCurve::Secp384r1,
        |m| sha2::Sha384::digest(m).to_vec(),
    );
    eprintln!("{t:?}");
    assert!(t.0 > 0 && t.3 > 0);
}

fn der_sig(r: &str, s: &str) -> Vec<u8> {
    fn int(v: &[u8]) -> Vec<u8> {
        let mut v = v.to_vec();
        if v[0] & 0x80 != 0 {
            v.insert(0, 0);
        }
        let mut out = vec![0x02, v.len() as u8];
        out.extend(v);
        out
    }
    let body = [int(&hex(r)), int(&hex(s))].concat();
    let mut out = vec![0x30];
    if body.len() >= 0x80 {
        out.push(0x81);
    }
    out.push(body.len() as u8);
    out.extend(body);
    out
}

/// RFC 6979 section A.2.5 (P-256, SHA-256, "sample"); the P-384 signatures (SHA-384, and
/// SHA-1: a digest shorter than the order) are OpenSSL 3's deterministic ECDSA (through
/// Python `cryptography` 48, `deterministic_signing=True`) for the same key and message.
#[test]
fn ecdsa_deterministic_known_answers() {
    let cases: [(NamedCurve, &str, Vec<u8>, &str, &str); 3] = [
        (
            NamedCurve::Secp256r1,
            "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721",
            sha2::Sha256::digest(b"sample").to_vec(),
            "efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716",
            "f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8",
        ),
        (
            NamedCurve::Secp384r1,
            "6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D896D5724E4C70A825F872C9EA60D2EDF5",
            sha2::Sha384::digest(b"sample").to_vec(),
            "94edbb92a5ecb8aad4736e56c691916b3f88140666ce9fa73d64c4ea95ad133c81a648152e44acf96e36dd1e80fabe46",
            "99ef4aeb15f178cea1fe40db2603138f130e740a19624526203b6351d0a3a94fa329c145786e679e7b82c71a38628ac8",
        ),
        (
            NamedCurve::Secp384r1,
            "6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D896D5724E4C70A825F872C9EA60D2EDF5",
            sha1::Sha1::digest(b"sample").to_vec(),
            "ec748d839243d6fbef4fc5c4859a7dffd7f3abddf72014540c16d73309834fa37b9ba002899f6fda3a4a9386790d4eb2",
            "a3bcfa947beef4732bf247ac17f71676cb31a847b9ff0cbc9c9ed4c1a5b3facf26f49ca031d4857570ccb5ca4424a443",
        ),
    ];
    for (i, (curve, d, digest, r, s)) in cases.into_iter().enumerate() {
        let key = EcPrivateKey::from_scalar(curve, &hex(d)).unwrap();
        let sig = key.sign_digest(&digest).unwrap();
        let openssl_sig = der_sig(r, s);
        if i < 2 {
            assert_eq!(sig, openssl_sig, "{curve:?}");
        } else {
            // A SHA-1 digest on P-384: RFC 6979 keys its HMAC-DRBG with the message's hash,
            // the curve crate with the curve's (SHA-384), so the nonces differ; both
            // signatures must verify.
            assert_ne!(sig, openssl_sig);
            key.public_key()
                .verify_digest(&digest, &openssl_sig)
                .unwrap();
        }
        key.public_key().verify_digest(&digest, &sig).unwrap();
        let mut bad = digest.clone();
        bad[0] ^= 1;
        assert_eq!(
            key.public_key().verify_digest(&bad, &sig),
            Err(Error::SignatureMismatch)
        );
    }
}

/// Keys drawn from our random source: sign/verify and ECDH agree both ways, on each curve;
/// scalar range checks; X25519 keys refused for ECDSA.
#[test]
fn generated_keys_round_trip() {
    let mut rng = TestRng(7);
    for curve in [
        NamedCurve::Secp256r1,
        NamedCurve::Secp384r1,
        NamedCurve::X25519,
    ] {
        let a = EcdhKeyPair::generate(curve, &mut rng).unwrap();
        let b = EcdhKeyPair::generate(curve, &mut rng).unwrap();
        assert_eq!(a.public_key().len(), curve.public_len());
        let z = a.agree(b.public_key()).unwrap();
        assert_eq!(*z, *b.agree(a.public_key()).unwrap());
        assert_eq!(z.len(), curve.field_len());
        // A truncated or altered point is refused as the peer's error.
        let pk = a.public_key();
        assert_eq!(
            b.agree(&pk[..pk.len() - 1]).unwrap_err(),
            Error::ProtocolFail
        );
        if curve != NamedCurve::X25519 {
            let mut off = pk.to_vec();
            off[pk.len() - 1] ^= 1;
            assert_eq!(b.agree(&off).unwrap_err(), Error::ProtocolFail);
            let mut compressed = pk[..1 + curve.field_len()].to_vec();
            compressed[0] = 2 + (pk[pk.len() - 1] & 1);
            assert_eq!(b.agree(&compressed).unwrap_err(), Error::ProtocolFail);
            let k = EcPrivateKey::generate(curve, &mut rng).unwrap();
            for len in [20, 32, 48] {
                let digest = vec![0x5a; len];
                let sig = k.sign_digest(&digest).unwrap();
                k.public_key().verify_digest(&digest, &sig).unwrap();
                let other = EcPrivateKey::generate(curve, &mut rng).unwrap();
                assert_eq!(
                    other.public_key().verify_digest(&digest, &sig),
                    Err(Error::SignatureMismatch)
                );
            }
            assert_eq!(
                EcPrivateKey::from_scalar(curve, &[0]).unwrap_err(),
                Error::ArgFail
            );
            assert_eq!(
                EcPrivateKey::from_scalar(curve, &vec![0xff; curve.field_len()]).unwrap_err(),
                Error::ArgFail
            );
        } else {
            assert_eq!(
                EcPrivateKey::generate(curve, &mut rng).unwrap_err(),
                Error::ArgFail
            );
        }
    }
}

mod props {
    use super::*;
    use proptest::collection::vec;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Arbitrary bytes as a peer's point, a public key or a signature: an error, never
        /// a panic, and never a verified signature.
        #[test]
        fn arbitrary_points_and_signatures_are_refused(data in vec(any::<u8>(), 0..120)) {
            let mut rng = TestRng(data.len() as u64);
            for curve in [NamedCurve::Secp256r1, NamedCurve::Secp384r1] {
                let k = EcPrivateKey::generate(curve, &mut rng).unwrap();
                prop_assert!(k.public_key().verify_digest(&[1; 32], &data).is_err());
                let _ = EcPublicKey::from_sec1(curve, &data);
                let e = EcdhKeyPair::generate(curve, &mut rng).unwrap();
                prop_assert!(e.agree(&data).is_err());
            }
        }
    }
}
