//! The P-256 base field GF(p), p = 2^256 - 2^224 + 2^192 + 2^96 - 1 (FIPS 186-4 appendix
//! D.1.2.3), in Montgomery form (R = 2^256) on the limbs of `limbs` (four 64-bit or eight
//! 32-bit limbs, by target).
//!
//! Constant time throughout: no branch or memory index depends on an element's value.
//! Inversion is Fermat's `a^(p-2)` by a square and multiply over the public exponent
//! (`limbs::mont_pow`, which the scalars share: the smallest code), or with
//! `ecc-improve-perf-increase-codesize` constant-time safegcd (`safegcd`). Squaring has its
//! own code only with that feature on 64-bit limbs.

use super::limbs::{self, Limbs};
#[cfg(feature = "ecc-improve-perf-increase-codesize")]
use super::safegcd;
use core::ops::{Add, Mul, Neg, Sub};
#[cfg(feature = "ecc-improve-perf-increase-codesize")]
use zeroize::Zeroize;

/// The modulus p.
const P: Limbs = limbs::from_u64s([
    0xffff_ffff_ffff_ffff,
    0x0000_0000_ffff_ffff,
    0x0000_0000_0000_0000,
    0xffff_ffff_0000_0001,
]);
/// `R^2 mod p`, to enter Montgomery form.
const R2: Limbs = limbs::from_u64s([
    0x0000_0000_0000_0003,
    0xffff_fffb_ffff_ffff,
    0xffff_ffff_ffff_fffe,
    0x0000_0004_ffff_fffd,
]);

/// An element of GF(p) in Montgomery form: `self.0 = a * 2^256 mod p`, always `< p`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fe(Limbs);

impl Fe {
    /// 0.
    pub(crate) const ZERO: Fe = Fe(limbs::from_u64s([0; 4]));
    /// 1 (that is, `R mod p`).
    pub(crate) const ONE: Fe = Fe(limbs::from_u64s([
        0x0000_0000_0000_0001,
        0xffff_ffff_0000_0000,
        0xffff_ffff_ffff_ffff,
        0x0000_0000_ffff_fffe,
    ]));

    /// An element from its Montgomery-form limbs (constants only).
    pub(crate) const fn from_mont_limbs(l: Limbs) -> Fe {
        Fe(l)
    }

    /// The element of a big-endian 32-octet integer, `None` unless it is `< p`.
    pub(crate) fn from_bytes(b: &[u8; 32]) -> Option<Fe> {
        let a = limbs::from_be(b);
        if limbs::lt_mask(&a, &P) == 0 {
            return None;
        }
        Some(Fe(a) * Fe(R2))
    }

    /// The canonical big-endian 32-octet encoding.
    pub(crate) fn to_bytes(self) -> [u8; 32] {
        limbs::to_be(&(self * Fe(limbs::ONE)).0)
    }

    /// `self^2`: the dedicated squaring (speed).
    #[cfg(all(feature = "ecc-improve-perf-increase-codesize", not(matrix_limb32)))]
    #[inline]
    pub(crate) fn square(self) -> Fe {
        Fe(limbs::mont_sqr_p256(&self.0))
    }

    /// `self^2`: the multiplication, to keep one copy of the Montgomery code (without
    /// `ecc-improve-perf-increase-codesize`, and on 32-bit limbs, which have no squaring).
    #[cfg(any(not(feature = "ecc-improve-perf-increase-codesize"), matrix_limb32))]
    #[inline]
    pub(crate) fn square(self) -> Fe {
        self * self
    }

    /// `self + self`.
    #[inline]
    pub(crate) fn double(self) -> Fe {
        self + self
    }

    /// `self^-1`, or 0 for 0, by constant-time safegcd (`safegcd`; the fixed-base table's
    /// feature: more code, faster than Fermat's chain).
    #[cfg(feature = "ecc-improve-perf-increase-codesize")]
    pub(crate) fn invert(self) -> Fe {
        const MODULUS: safegcd::Modulus = safegcd::Modulus::new(&limbs::to_u64s(&P));
        let mut a = limbs::to_u64s(&(self * Fe(limbs::ONE)).0);
        let mut inv = Fe(limbs::from_u64s(safegcd::invert(&a, &MODULUS)));
        let out = inv * Fe(R2);
        a.zeroize();
        inv.0.zeroize();
        out
    }

    /// `self^-1`, or 0 for 0: `self^(p-2)` by the square and multiply over the public
    /// exponent that the scalars share (`limbs::mont_pow`, the generic Montgomery
    /// multiplication with `-p^-1 = 1` modulo the limb radix): without
    /// `ecc-improve-perf-increase-codesize`, for size; 254 squarings and 127
    /// multiplications (an addition chain needs 255 and 13, in more code).
    #[cfg(not(feature = "ecc-improve-perf-increase-codesize"))]
    pub(crate) fn invert(self) -> Fe {
        const P_MINUS_2: Limbs = limbs::from_u64s([
            0xffff_ffff_ffff_fffd,
            0x0000_0000_ffff_ffff,
            0x0000_0000_0000_0000,
            0xffff_ffff_0000_0001,
        ]);
        Fe(limbs::mont_pow(&self.0, &P_MINUS_2, &P, 1))
    }

    /// All ones when `self == 0`, else zero.
    #[inline]
    pub(crate) fn is_zero_mask(self) -> u64 {
        limbs::is_zero_mask(&self.0)
    }

    /// Whether `self == 0` (for public values).
    pub(crate) fn is_zero(self) -> bool {
        self.is_zero_mask() != 0
    }

    /// `mask ? b : a` (`mask` all ones or zero).
    #[inline]
    pub(crate) fn select(a: &Fe, b: &Fe, mask: u64) -> Fe {
        Fe(limbs::select(&a.0, &b.0, mask))
    }

    /// Whether `self == other` (the representation is canonical).
    pub(crate) fn eq_vartime(&self, other: &Fe) -> bool {
        self.0 == other.0
    }
}

impl Add for Fe {
    type Output = Fe;
    #[inline]
    fn add(self, rhs: Fe) -> Fe {
        Fe(limbs::add_mod(&self.0, &rhs.0, &P))
    }
}

impl Sub for Fe {
    type Output = Fe;
    #[inline]
    fn sub(self, rhs: Fe) -> Fe {
        Fe(limbs::sub_mod(&self.0, &rhs.0, &P))
    }
}

impl Mul for Fe {
    type Output = Fe;
    #[inline]
    fn mul(self, rhs: Fe) -> Fe {
        Fe(limbs::mont_mul_p256(&self.0, &rhs.0))
    }
}

impl Neg for Fe {
    type Output = Fe;
    #[inline]
    fn neg(self) -> Fe {
        Fe::ZERO - self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigUint;
    use proptest::prelude::*;

    fn p() -> BigUint {
        BigUint::from_bytes_be(&limbs::to_be(&P))
    }

    fn big(a: Fe) -> BigUint {
        BigUint::from_bytes_be(&a.to_bytes())
    }

    fn fe(x: &BigUint) -> Fe {
        let mut b = [0u8; 32];
        let v = x.to_bytes_be();
        b[32 - v.len()..].copy_from_slice(&v);
        Fe::from_bytes(&b).unwrap()
    }

    #[test]
    fn constants_and_edges() {
        let one = BigUint::from(1u8);
        assert_eq!(big(Fe::ONE), one);
        assert_eq!(big(Fe::ZERO), BigUint::from(0u8));
        let pm1 = p() - 1u8;
        // (p-1)^2 = 1, (p-1) + 1 = 0, 0 - 1 = p - 1.
        assert_eq!(big(fe(&pm1) * fe(&pm1)), one);
        assert_eq!(big(fe(&pm1).square()), one);
        assert!((fe(&pm1) + Fe::ONE).is_zero());
        assert_eq!(big(Fe::ZERO - Fe::ONE), pm1);
        assert_eq!(big(-Fe::ZERO), BigUint::from(0u8));
        // p and above are not field elements.
        assert!(Fe::from_bytes(&limbs::to_be(&P)).is_none());
        assert!(Fe::from_bytes(&[0xff; 32]).is_none());
        // Inversion: 1^-1 = 1, (p-1)^-1 = p-1, 0^-1 = 0, 2^-1 = (p+1)/2.
        assert_eq!(big(Fe::ONE.invert()), one);
        assert_eq!(big(fe(&pm1).invert()), pm1);
        assert!(Fe::ZERO.invert().is_zero());
        assert_eq!(big(fe(&BigUint::from(2u8)).invert()), (p() + 1u8) / 2u8);
    }

    fn elem() -> impl Strategy<Value = BigUint> {
        any::<[u8; 32]>().prop_map(|b| BigUint::from_bytes_be(&b) % p())
    }

    proptest! {
        #[test]
        fn arithmetic_matches_bigint(a in elem(), b in elem()) {
            let (x, y) = (fe(&a), fe(&b));
            prop_assert_eq!(big(x + y), (&a + &b) % p());
            prop_assert_eq!(big(x - y), (&a + p() - &b) % p());
            prop_assert_eq!(big(x * y), (&a * &b) % p());
            prop_assert_eq!(big(x.square()), (&a * &a) % p());
            prop_assert_eq!(big(-x), (p() - &a) % p());
            let inv = x.invert();
            if a != BigUint::from(0u8) {
                prop_assert_eq!(big(inv * x), BigUint::from(1u8));
            }
        }
    }
}
