//! The elliptic-curve operations of `matrix-speed` (issue 19), for `cargo xtask bench ecc`:
//! `p256-sign` (ECDSA P-256 over a SHA-256 digest: `openssl speed ecdsap256`'s "sign"),
//! `p256-verify` (its verification) and `x25519-agree` (one X25519 shared secret with a
//! fixed peer key: `openssl speed ecdhx25519`).

use matrix_crypto::ec::{EcPrivateKey, EcdhKeyPair, NamedCurve};

use crate::BenchRng;

/// The operations, in the order `matrix-speed list` prints them.
pub const OPS: &[&str] = &["p256-sign", "p256-verify", "x25519-agree"];

/// One run of `op`, prepared (keys made once): `None` for an unknown operation or when the
/// preparation fails. The closure returns whether the run succeeded.
pub fn op(name: &str) -> Option<Box<dyn FnMut() -> bool>> {
    let mut rng = BenchRng(11);
    let digest = [0x5au8; 32];
    match name {
        "p256-sign" => {
            let key = EcPrivateKey::generate(NamedCurve::Secp256r1, &mut rng).ok()?;
            Some(Box::new(move || {
                std::hint::black_box(key.sign_digest(&digest)).is_ok()
            }))
        }
        "p256-verify" => {
            let key = EcPrivateKey::generate(NamedCurve::Secp256r1, &mut rng).ok()?;
            let sig = key.sign_digest(&digest).ok()?;
            let public = key.public_key();
            Some(Box::new(move || {
                std::hint::black_box(public.verify_digest(&digest, &sig)).is_ok()
            }))
        }
        "x25519-agree" => {
            let ours = EcdhKeyPair::generate(NamedCurve::X25519, &mut rng).ok()?;
            let peer = EcdhKeyPair::generate(NamedCurve::X25519, &mut rng).ok()?;
            let peer = peer.public_key().to_vec();
            Some(Box::new(move || {
                std::hint::black_box(ours.agree(&peer)).is_ok()
            }))
        }
        _ => None,
    }
}
