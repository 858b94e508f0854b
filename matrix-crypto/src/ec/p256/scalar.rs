//! Scalars modulo the P-256 group order n (FIPS 186-4 appendix D.1.2.3), in Montgomery form
//! on the limbs of `limbs` (four 64-bit or eight 32-bit limbs, by target): what ECDSA needs (SEC 1 section 4.1, FIPS 186-4 section 6.4).
//!
//! Constant time for secret scalars: range checks, arithmetic and the inversion (Fermat's
//! `a^(n-2)` by a square and multiply over the public exponent, `limbs::mont_pow`; with
//! `ecc-improve-perf-increase-codesize` safegcd) never branch on a value.

use super::limbs::{self, Limbs, Word};
#[cfg(feature = "ecc-improve-perf-increase-codesize")]
use super::safegcd;
use core::ops::{Add, Mul};
use zeroize::Zeroize;

/// The order n.
pub(super) const N: Limbs = limbs::from_u64s([
    0xf3b9_cac2_fc63_2551,
    0xbce6_faad_a717_9e84,
    0xffff_ffff_ffff_ffff,
    0xffff_ffff_0000_0000,
]);
/// `-n^-1` modulo the limb radix: the low limb of `-n^-1 mod 2^64` (the truncation is
/// the point).
#[allow(clippy::cast_possible_truncation)]
const N0: Word = 0xccd1_c8aa_ee00_bc4f_u64 as Word;
/// `R^2 mod n`.
const R2: Limbs = limbs::from_u64s([
    0x8324_4c95_be79_eea2,
    0x4699_799c_49bd_6fa6,
    0x2845_b239_2b6b_ec59,
    0x66e1_2d94_f3d9_5620,
]);

/// A scalar mod n in Montgomery form (`a * 2^256 mod n`, always `< n`). Zeroize it when it
/// holds a secret (keys and nonces do, on drop).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scalar(Limbs);

impl Scalar {
    /// The scalar of a big-endian integer `< n`; `None` otherwise (constant time in the
    /// value, only the verdict shows).
    pub(crate) fn from_bytes(b: &[u8; 32]) -> Option<Scalar> {
        let a = limbs::from_be(b);
        if limbs::lt_mask(&a, &N) == 0 {
            return None;
        }
        Some(Scalar(mont_mul(&a, &R2)))
    }

    /// A digest as an integer mod n (FIPS 186-4 section 6.4, SEC 1 section 4.1.3 step 5):
    /// the leftmost 256 bits of a longer digest, a shorter one as its integer value, then
    /// reduced once (any 256-bit integer is `< 2n`).
    pub(crate) fn from_digest(digest: &[u8]) -> Scalar {
        Scalar(mont_mul(&reduce_digest(digest), &R2))
    }

    /// The canonical integer `< n`.
    pub(crate) fn to_limbs(self) -> Limbs {
        mont_mul(&self.0, &limbs::ONE)
    }

    /// The big-endian 32-octet encoding.
    pub(crate) fn to_bytes(self) -> [u8; 32] {
        limbs::to_be(&self.to_limbs())
    }

    /// All ones when the scalar is 0.
    pub(crate) fn is_zero_mask(&self) -> u64 {
        limbs::is_zero_mask(&self.0)
    }

    /// `self^2` (the tests').
    #[cfg(test)]
    pub(crate) fn square(self) -> Scalar {
        self * self
    }

    /// `self^-1` (0 for 0) by constant-time safegcd (`safegcd`), several times faster
    /// than Fermat's chain (the fixed-base table's feature: more code).
    #[cfg(feature = "ecc-improve-perf-increase-codesize")]
    pub(crate) fn invert(self) -> Scalar {
        const MODULUS: safegcd::Modulus = safegcd::Modulus::new(&limbs::to_u64s(&N));
        let mut a = limbs::to_u64s(&self.to_limbs());
        let mut inv = limbs::from_u64s(safegcd::invert(&a, &MODULUS));
        let out = Scalar(mont_mul(&inv, &R2));
        a.zeroize();
        inv.zeroize();
        out
    }

    /// `self^-1` (0 for 0): `self^(n-2)` by the square and multiply over the public exponent
    /// that the field shares (`limbs::mont_pow`): without
    /// `ecc-improve-perf-increase-codesize`, for size; 254 squarings and 168
    /// multiplications (an addition chain with 4-bit windows needs 255 and 53, in more
    /// code).
    #[cfg(not(feature = "ecc-improve-perf-increase-codesize"))]
    pub(crate) fn invert(self) -> Scalar {
        const N_MINUS_2: Limbs = limbs::from_u64s([
            0xf3b9_cac2_fc63_254f,
            0xbce6_faad_a717_9e84,
            0xffff_ffff_ffff_ffff,
            0xffff_ffff_0000_0000,
        ]);
        Scalar(limbs::mont_pow(&self.0, &N_MINUS_2, &N, N0))
    }
}

/// Montgomery multiplication mod n: the one copy of the (inlined) limb code that every
/// scalar operation calls.
fn mont_mul(a: &Limbs, b: &Limbs) -> Limbs {
    limbs::mont_mul(a, b, &N, N0)
}

/// The integer of a digest mod n, as limbs (not Montgomery): RFC 6979 section 2.3.4's
/// `bits2octets` as well, since qlen = 256.
pub(super) fn reduce_digest(digest: &[u8]) -> Limbs {
    let take = digest.len().min(32);
    let mut b = [0u8; 32];
    b[32 - take..].copy_from_slice(&digest[..take]);
    let a = limbs::from_be(&b);
    let (r, borrow) = limbs::sub(&a, &N);
    limbs::select(&r, &a, 0u64.wrapping_sub(borrow))
}

impl Add for Scalar {
    type Output = Scalar;
    #[inline]
    fn add(self, rhs: Scalar) -> Scalar {
        Scalar(limbs::add_mod(&self.0, &rhs.0, &N))
    }
}

impl Mul for Scalar {
    type Output = Scalar;
    #[inline]
    fn mul(self, rhs: Scalar) -> Scalar {
        Scalar(mont_mul(&self.0, &rhs.0))
    }
}

impl Zeroize for Scalar {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigUint;
    use proptest::prelude::*;

    fn n() -> BigUint {
        BigUint::from_bytes_be(&limbs::to_be(&N))
    }

    fn big(a: Scalar) -> BigUint {
        BigUint::from_bytes_be(&a.to_bytes())
    }

    fn sc(x: &BigUint) -> Scalar {
        let mut b = [0u8; 32];
        let v = x.to_bytes_be();
        b[32 - v.len()..].copy_from_slice(&v);
        Scalar::from_bytes(&b).unwrap()
    }

    #[test]
    fn edges() {
        let nm1 = n() - 1u8;
        assert!(Scalar::from_bytes(&limbs::to_be(&N)).is_none());
        assert!(Scalar::from_bytes(&[0xff; 32]).is_none());
        assert_eq!(big(sc(&nm1) * sc(&nm1)), BigUint::from(1u8));
        assert_eq!(big(sc(&nm1).square()), BigUint::from(1u8));
        assert_eq!(big(sc(&nm1) + sc(&BigUint::from(1u8))), BigUint::from(0u8));
        assert_eq!(big(sc(&nm1).invert()), nm1);
        assert_eq!(big(sc(&BigUint::from(1u8)).invert()), BigUint::from(1u8));
        assert_ne!(sc(&BigUint::from(0u8)).is_zero_mask(), 0);
        assert_eq!(sc(&BigUint::from(0u8)).invert().is_zero_mask(), u64::MAX);
        // Digests: n itself reduces to 0, all ones to 2^256 - 1 - n; a SHA-384 digest
        // keeps its leftmost 32 octets; a SHA-1 digest is its integer value.
        assert_eq!(
            big(Scalar::from_digest(&limbs::to_be(&N))),
            BigUint::from(0u8)
        );
        let ones = (BigUint::from(1u8) << 256usize) - 1u8;
        assert_eq!(big(Scalar::from_digest(&[0xff; 32])), ones - n());
        let mut d48 = [7u8; 48];
        d48[0] = 1;
        assert_eq!(
            big(Scalar::from_digest(&d48)),
            BigUint::from_bytes_be(&d48[..32])
        );
        assert_eq!(
            big(Scalar::from_digest(&[0xab; 20])),
            BigUint::from_bytes_be(&[0xab; 20])
        );
    }

    proptest! {
        #[test]
        fn arithmetic_matches_bigint(a in any::<[u8; 32]>(), b in any::<[u8; 32]>()) {
            let (a, b) = (BigUint::from_bytes_be(&a) % n(), BigUint::from_bytes_be(&b) % n());
            let (x, y) = (sc(&a), sc(&b));
            prop_assert_eq!(big(x + y), (&a + &b) % n());
            prop_assert_eq!(big(x * y), (&a * &b) % n());
            prop_assert_eq!(big(x.square()), (&a * &a) % n());
            if a != BigUint::from(0u8) {
                prop_assert_eq!(big(x.invert() * x), BigUint::from(1u8));
            }
        }
    }
}
