//! The elliptic-curve operations of `matrix-speed` (issue 19), for `cargo xtask bench ecc`,
//! each the work of one `openssl speed` figure:
//! - `p256-sign` / `p384-sign`: one ECDSA signature of a prehashed digest (SHA-256 size for
//!   P-256, SHA-384 size for P-384) with a parsed key (`openssl speed ecdsap256` /
//!   `ecdsap384` "sign"); `p256-verify` / `p384-verify`: its verification ("verify");
//! - `p256-ecdh` / `p384-ecdh` / `x25519-agree`: one shared secret with a fixed peer key
//!   (`openssl speed ecdhp256` / `ecdhp384` / `ecdhx25519`);
//! - `p256-keygen` / `x25519-keygen`: one ephemeral ECDHE key pair (the fixed-base `d * G`
//!   an ECDHE handshake pays on each side; no `openssl speed` counterpart).

use matrix_crypto::ec::{EcPrivateKey, EcdhKeyPair, NamedCurve};

use crate::BenchRng;

/// The operations, in the order `matrix-speed list` prints them.
pub const OPS: &[&str] = &[
    "p256-sign",
    "p256-verify",
    "p256-ecdh",
    "p256-keygen",
    "p384-sign",
    "p384-verify",
    "p384-ecdh",
    "x25519-agree",
    "x25519-keygen",
];

/// One run of `op`, prepared (keys made once): `None` for an unknown operation or when the
/// preparation fails. The closure returns whether the run succeeded.
pub fn op(name: &str) -> Option<Box<dyn FnMut() -> bool>> {
    let (curve, what) = match name.split_once('-')? {
        ("p256", w) => (NamedCurve::Secp256r1, w),
        ("p384", w) => (NamedCurve::Secp384r1, w),
        ("x25519", w) => (NamedCurve::X25519, w),
        _ => return None,
    };
    let mut rng = BenchRng(11);
    let digest = vec![0x5au8; curve.field_len()];
    match what {
        "sign" if curve != NamedCurve::X25519 => {
            let key = EcPrivateKey::generate(curve, &mut rng).ok()?;
            Some(Box::new(move || {
                std::hint::black_box(key.sign_digest(&digest)).is_ok()
            }))
        }
        "verify" if curve != NamedCurve::X25519 => {
            let key = EcPrivateKey::generate(curve, &mut rng).ok()?;
            let sig = key.sign_digest(&digest).ok()?;
            let public = key.public_key();
            Some(Box::new(move || {
                std::hint::black_box(public.verify_digest(&digest, &sig)).is_ok()
            }))
        }
        "ecdh" | "agree" => {
            let ours = EcdhKeyPair::generate(curve, &mut rng).ok()?;
            let peer = EcdhKeyPair::generate(curve, &mut rng).ok()?;
            let peer = peer.public_key().to_vec();
            Some(Box::new(move || {
                std::hint::black_box(ours.agree(&peer)).is_ok()
            }))
        }
        "keygen" => Some(Box::new(move || {
            std::hint::black_box(EcdhKeyPair::generate(curve, &mut rng)).is_ok()
        })),
        _ => None,
    }
}
