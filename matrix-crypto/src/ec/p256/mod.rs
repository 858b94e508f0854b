//! NIST P-256 (secp256r1) written here in safe Rust: the field (`field`), the scalars mod n
//! (`scalar`), points and constant-time scalar multiplication (`point`), the verifier's
//! variable-time `u1 * G + u2 * Q` (`vartime` with `ecc-improve-perf-increase-codesize`;
//! `shamir`, smaller, without it), ECDSA with RFC 6979 nonces (`ecdsa`), over the limb
//! arithmetic of `limbs` (four 64-bit limbs) or `limbs32` (eight 32-bit limbs, for 32-bit
//! targets); and the small set of operations `ec` needs, the same as `nist` writes for
//! P-384 over the RustCrypto crate.
//!
//! Speed or size is the feature's choice, on either limb width (MatrixSSL's
//! `*_IMPROVE_PERF_INCREASE_CODESIZE` model): with `ecc-improve-perf-increase-codesize`
//! the fixed-base tables, safegcd inversions, a dedicated field squaring (64-bit limbs)
//! and the NAF verifier; without it one out-of-line Montgomery multiplication for the
//! scalars and both inversions (square and multiply over the public exponent), squaring
//! by multiplication and Shamir's verifier over the constant-time window's tables.
//!
//! Standards: SEC 1 v2 (point encoding section 2.3.3/2.3.4, public key validation section
//! 3.2.2, ECDH section 3.3.1, ECDSA section 4.1), SEC 2 section 2.4.2 (the curve), FIPS 186-4
//! section 6.4 and appendix D.1.2.3 (ECDSA, digest truncation, the curve), RFC 6979 (nonces),
//! RFC 8422 section 5.10 (the ECDHE shared secret).
//!
//! Secret scalars are constant time end to end (no branch or table index depends on them)
//! and zeroized on drop; verification is variable time over public data.

mod ecdsa;
mod field;
#[cfg(feature = "ecc-improve-perf-increase-codesize")]
mod jacobian;
// Four 64-bit limbs on 64-bit targets, eight 32-bit ones where `matrix_limb32` is set (by
// build.rs on 32-bit targets such as the firmware, where a 64 x 64-bit product is a long
// multiply sequence; by `--cfg matrix_limb32` in a CI test step on the host); one interface.
#[cfg(not(matrix_limb32))]
mod limbs;
#[cfg(matrix_limb32)]
#[path = "limbs32.rs"]
mod limbs;
// Built with 64-bit limbs too, for its tests against `limbs`.
#[cfg(all(test, not(matrix_limb32)))]
#[allow(dead_code)]
mod limbs32;
mod point;
#[cfg(feature = "ecc-improve-perf-increase-codesize")]
mod safegcd;
mod scalar;
// The verifier's `u1 * G + u2 * Q`: the speed/size feature chooses, on both limb widths
// (MatrixSSL's *_IMPROVE_PERF_INCREASE_CODESIZE model). With it, Jacobian coordinates and
// NAFs (`vartime`); without it, Shamir's trick over `point`'s formulas (`shamir`, the
// smaller code); both built for the tests.
#[cfg(any(test, not(feature = "ecc-improve-perf-increase-codesize")))]
mod shamir;
#[cfg(any(test, feature = "ecc-improve-perf-increase-codesize"))]
mod vartime;

#[cfg(not(feature = "ecc-improve-perf-increase-codesize"))]
use shamir::check_x;
#[cfg(feature = "ecc-improve-perf-increase-codesize")]
use vartime::check_x;

use crate::random::SecureRandom;
use alloc::vec::Vec;
use matrix_core::{Error, Result};
use point::Affine;
use scalar::Scalar;
use zeroize::{Zeroize, Zeroizing};

/// Octets in a field element and in a scalar.
pub(crate) const FIELD_LEN: usize = 32;

/// A secret scalar `1 <= d < n`, zeroized on drop.
pub(crate) struct Secret(Scalar);

impl Drop for Secret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// A validated public point (on the curve, not the identity).
pub(crate) type Public = Affine;

/// The scalar of 32 big-endian octets if `1 <= d < n` (constant time but for the verdict).
fn scalar_in_range(d: &[u8; 32]) -> Option<Secret> {
    let s = Secret(Scalar::from_bytes(d)?);
    if s.0.is_zero_mask() != 0 {
        return None;
    }
    Some(s)
}

/// A uniform secret scalar in `[1, n)` from `rng` by rejection sampling (n is so close to
/// 2^256 that a retry is rare; the loop is bounded so that a broken source cannot hang us).
pub(crate) fn generate(rng: &mut dyn SecureRandom) -> Result<Secret> {
    let mut buf = Zeroizing::new([0u8; FIELD_LEN]);
    for _ in 0..64 {
        rng.fill_bytes(&mut buf[..])?;
        if let Some(k) = scalar_in_range(&buf) {
            return Ok(k);
        }
    }
    Err(Error::Failure)
}

/// A secret scalar from exactly `FIELD_LEN` big-endian octets, `1 <= d < n`.
pub(crate) fn secret_from_bytes(d: &[u8]) -> Result<Secret> {
    let d: &[u8; 32] = d.try_into().map_err(|_| Error::ArgFail)?;
    scalar_in_range(d).ok_or(Error::ArgFail)
}

/// The public point `d * G`.
pub(crate) fn public_of(secret: &Secret) -> Public {
    // d in [1, n) and G of prime order n: never the identity.
    point::mul_base_affine(&secret.0).unwrap_or(point::GENERATOR)
}

/// A public point from its uncompressed SEC 1 encoding `04 || X || Y`, on the curve.
pub(crate) fn parse_public(point: &[u8]) -> Result<Public> {
    Affine::from_uncompressed(point).ok_or(Error::ParseFail)
}

/// `04 || X || Y`.
pub(crate) fn encode_public(public: &Public) -> Vec<u8> {
    public.to_uncompressed().to_vec()
}

/// The ECDH shared secret: the X coordinate of `d * Q` (RFC 8422 section 5.10, SEC 1
/// section 3.3.1). With a prime-order curve, `d != 0` and a validated `Q`, `d * Q` is never
/// the identity; `ProtocolFail` guards it all the same.
pub(crate) fn agree(secret: &Secret, peer: &Public) -> Result<Zeroizing<Vec<u8>>> {
    // Borrowed where `mul_affine` left it (no copy of the point out of the option).
    let product = point::mul_affine(peer, &secret.0);
    let Some(shared) = &product else {
        return Err(Error::ProtocolFail);
    };
    let mut x = shared.x_bytes();
    let out = Zeroizing::new(x.to_vec());
    x.zeroize();
    Ok(out)
}

/// ECDSA over a prehashed digest, deterministic `k` (RFC 6979), DER encoded.
pub(crate) fn sign(secret: &Secret, digest: &[u8]) -> Result<Vec<u8>> {
    let (r, s) = ecdsa::sign(&secret.0, digest);
    Ok(super::sig_der::encode(&r, &s))
}

/// Verifies a DER ECDSA signature over a prehashed digest.
pub(crate) fn verify(public: &Public, digest: &[u8], sig: &[u8]) -> Result<()> {
    let mut rs = [[0u8; FIELD_LEN]; 2];
    super::sig_der::decode(sig, rs.as_flattened_mut())?;
    if ecdsa::verify(public, digest, &rs[0], &rs[1]) {
        Ok(())
    } else {
        Err(Error::SignatureMismatch)
    }
}
