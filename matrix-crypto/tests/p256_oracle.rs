//! matrix's own P-256 (`ec/p256`) against the RustCrypto `p256` crate as an oracle: the same
//! public keys, the same RFC 6979 signatures bit for bit (SHA-1, SHA-256 and SHA-384 sized
//! digests), the same ECDH secrets; each verifies the other's signatures and refuses a
//! altered one.

#![cfg(feature = "ecc-p256")]

use matrix_crypto::ec::{EcPrivateKey, EcPublicKey, EcdhKeyPair, NamedCurve};
use num_bigint::BigUint;
use p256::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
use p256::ecdsa::{Signature, SigningKey, VerifyingKey};
use p256::elliptic_curve::sec1::ToSec1Point as _;
use proptest::prelude::*;

const N: &str = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

fn order() -> BigUint {
    BigUint::parse_bytes(N.as_bytes(), 16).unwrap()
}

/// 32 big-endian octets of `v` (< 2^256).
fn be32(v: &BigUint) -> [u8; 32] {
    let b = v.to_bytes_be();
    let mut out = [0u8; 32];
    out[32 - b.len()..].copy_from_slice(&b);
    out
}

/// A scalar in [1, n) from arbitrary octets.
fn scalar(seed: &[u8; 32]) -> [u8; 32] {
    be32(&(BigUint::from_bytes_be(seed) % (order() - 1u8) + 1u8))
}

/// DER `ECDSA-Sig-Value` of the oracle's fixed-size `r || s`.
fn der(rs: &[u8]) -> Vec<u8> {
    fn int(v: &[u8]) -> Vec<u8> {
        let start = v.iter().position(|&b| b != 0).unwrap_or(v.len() - 1);
        let mut v = v[start..].to_vec();
        if v[0] & 0x80 != 0 {
            v.insert(0, 0);
        }
        let mut out = vec![0x02, v.len() as u8];
        out.extend(v);
        out
    }
    let body = [int(&rs[..32]), int(&rs[32..])].concat();
    let mut out = vec![0x30, body.len() as u8];
    out.extend(body);
    out
}

fn oracle_public(d: &[u8; 32]) -> Vec<u8> {
    let sk = SigningKey::from_slice(d).unwrap();
    sk.verifying_key()
        .as_affine()
        .to_sec1_point(false)
        .as_bytes()
        .to_vec()
}

fn check_sign(d: &[u8; 32], digest: &[u8]) -> Result<(), TestCaseError> {
    let ours = EcPrivateKey::from_scalar(NamedCurve::Secp256r1, d).unwrap();
    let sk = SigningKey::from_slice(d).unwrap();
    let theirs: Signature = sk.sign_prehash(digest).unwrap();
    let sig = ours.sign_digest(digest).unwrap();
    prop_assert_eq!(&sig, &der(&theirs.to_bytes()));
    // Each verifies the other; a flipped digest bit fails ours.
    let public = ours.public_key();
    prop_assert!(
        public
            .verify_digest(digest, &der(&theirs.to_bytes()))
            .is_ok()
    );
    sk.verifying_key().verify_prehash(digest, &theirs).unwrap();
    let mut bad = digest.to_vec();
    bad[0] ^= 0x80;
    prop_assert!(public.verify_digest(&bad, &sig).is_err());
    Ok(())
}

proptest! {
    #[test]
    fn keys_signatures_and_secrets_match_the_p256_crate(
        a in any::<[u8; 32]>(),
        b in any::<[u8; 32]>(),
        digest in prop::collection::vec(any::<u8>(), 48),
    ) {
        let (da, db) = (scalar(&a), scalar(&b));
        let ka = EcdhKeyPair::from_private(NamedCurve::Secp256r1, &da).unwrap();
        let kb = EcdhKeyPair::from_private(NamedCurve::Secp256r1, &db).unwrap();
        prop_assert_eq!(ka.public_key(), &oracle_public(&da)[..]);
        prop_assert_eq!(
            EcPrivateKey::from_scalar(NamedCurve::Secp256r1, &da).unwrap().public_key().to_sec1(),
            oracle_public(&da)
        );
        // ECDH: x((da * db) G), with the product taken by num-bigint and the point by p256.
        let prod = be32(&(BigUint::from_bytes_be(&da) * BigUint::from_bytes_be(&db) % order()));
        let shared = ka.agree(kb.public_key()).unwrap();
        prop_assert_eq!(&shared[..], &oracle_public(&prod)[1..33]);
        prop_assert_eq!(&kb.agree(ka.public_key()).unwrap()[..], &shared[..]);
        for len in [20, 32, 48] {
            check_sign(&da, &digest[..len])?;
        }
    }
}

#[test]
fn edge_scalars_and_points() {
    let n = order();
    // d = 1, 2, n - 1: public keys match the oracle; d = 0 and d = n are refused.
    for d in [BigUint::from(1u8), BigUint::from(2u8), &n - 1u8] {
        let d = be32(&d);
        let k = EcdhKeyPair::from_private(NamedCurve::Secp256r1, &d).unwrap();
        assert_eq!(k.public_key(), &oracle_public(&d)[..]);
        check_sign(&d, &[0x5a; 32]).unwrap();
    }
    for d in [BigUint::from(0u8), n.clone()] {
        assert!(EcdhKeyPair::from_private(NamedCurve::Secp256r1, &be32(&d)).is_err());
        assert!(EcPrivateKey::from_scalar(NamedCurve::Secp256r1, &be32(&d)).is_err());
    }
    // ECDH with the peer's point negated gives the same X; an off-curve peer is refused.
    let k = EcdhKeyPair::from_private(NamedCurve::Secp256r1, &be32(&BigUint::from(7u8))).unwrap();
    let g = oracle_public(&be32(&BigUint::from(1u8)));
    let neg_g = oracle_public(&be32(&(&n - 1u8)));
    assert_eq!(&k.agree(&g).unwrap()[..], &k.agree(&neg_g).unwrap()[..]);
    let mut off = g.clone();
    off[64] ^= 1;
    assert!(k.agree(&off).is_err());
    assert!(k.agree(&[0]).is_err());
    assert!(EcPublicKey::from_sec1(NamedCurve::Secp256r1, &off).is_err());
    // r or s of 0 or n, and r = n + r', never verify.
    let key = EcPrivateKey::from_scalar(NamedCurve::Secp256r1, &be32(&BigUint::from(9u8))).unwrap();
    let digest = [0x11u8; 32];
    let sig = key.sign_digest(&digest).unwrap();
    let public = key.public_key();
    assert!(public.verify_digest(&digest, &sig).is_ok());
    let zero = [0u8; 32];
    let nb = be32(&n);
    let rs = [
        [zero, [1; 32]].concat(),
        [[1; 32], zero].concat(),
        [nb, [1; 32]].concat(),
    ];
    for rs in rs {
        assert!(public.verify_digest(&digest, &der(&rs)).is_err());
    }
    let _ = VerifyingKey::from_sec1_bytes(&g).unwrap();
}
