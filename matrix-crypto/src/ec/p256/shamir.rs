//! `u1 * G + u2 * Q` for ECDSA verification (SEC 1 section 4.1.4 step 5) without
//! `ecc-improve-perf-increase-codesize` (on either limb width), written for size: Shamir's trick over
//! fixed 4-bit windows with the complete projective formulas and window tables of
//! `point` (the ones the constant-time multiplication uses), so the verifier adds no
//! point arithmetic of its own. Every input is public: the tables are indexed by the
//! digits directly.
//!
//! Against `vartime` (Jacobian coordinates, width-5 NAFs; the feature's verifier): 128 table
//! additions where the NAFs need about 86, and the complete formulas' doublings and
//! additions (about 11 and 14 multiplications, the multiplications by b included) where
//! Jacobian ones take 8 and 16: some 5,100 field multiplications per verification against
//! 3,700, about 40% more, for about 1.4 KB less code on the Cortex-M4 and 2.4 KB on
//! x86_64 (of the 5.2 KB that the small ECDSA client's x86_64 image lost to the
//! size-oriented choices).

use super::point::{Affine, GENERATOR, Point};
use super::scalar::Scalar;

/// `u1 * G + u2 * Q` in projective coordinates.
pub(super) fn mul_base_add(u1: &Scalar, u2: &Scalar, q: &Affine) -> Point {
    let tg = Point::from_affine(&GENERATOR).window_table();
    let tq = Point::from_affine(q).window_table();
    let (k1, k2) = (u1.to_limbs(), u2.to_limbs());
    let mut acc = Point::IDENTITY;
    for i in (0..64).rev() {
        acc = acc.double().double().double().double();
        acc = acc.add(&tg[Point::window_digit(&k1, i)]);
        acc = acc.add(&tq[Point::window_digit(&k2, i)]);
    }
    acc
}

/// Whether `x(u1 * G + u2 * Q) mod n == r` (`r` canonical, `1 <= r < n`); false when the
/// sum is the identity. `x = X / Z`: compared as `X == r' Z`.
pub(super) fn check_x(u1: &Scalar, u2: &Scalar, q: &Affine, r: &super::limbs::Limbs) -> bool {
    let (x, _, z) = mul_base_add(u1, u2, q).xyz();
    super::ecdsa::x_matches(&x, &z, r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn scalar(b: &[u8; 32]) -> Scalar {
        // Any 256-bit string reduced mod n, as a digest is.
        Scalar::from_digest(b)
    }

    fn affine(p: &Point) -> Option<[u8; 65]> {
        p.to_affine().map(|a| a.to_uncompressed())
    }

    /// The sum against `u1 * G + u2 * Q` from two constant-time multiplications.
    fn check(u1: &Scalar, u2: &Scalar, q: &Affine) {
        let g = Point::from_affine(&GENERATOR);
        let expect = g.mul(u1).add(&Point::from_affine(q).mul(u2));
        assert_eq!(affine(&mul_base_add(u1, u2, q)), affine(&expect));
    }

    #[test]
    fn edges() {
        let q = Point::from_affine(&GENERATOR)
            .mul(&scalar(&[7; 32]))
            .to_affine()
            .unwrap();
        let mut nm1 = super::super::limbs::to_be(&super::super::scalar::N);
        nm1[31] -= 1;
        for a in [[0u8; 32], [0xff; 32], nm1, [1; 32]] {
            for b in [[0u8; 32], [0xff; 32], nm1, [1; 32]] {
                check(&scalar(&a), &scalar(&b), &q);
                check(&scalar(&a), &scalar(&b), &GENERATOR);
            }
        }
        // 1 * G + (n - 1) * G is the identity: never a match.
        let one = scalar(&{
            let mut b = [0; 32];
            b[31] = 1;
            b
        });
        assert!(
            mul_base_add(&one, &scalar(&nm1), &GENERATOR)
                .to_affine()
                .is_none()
        );
        assert!(!check_x(
            &one,
            &scalar(&nm1),
            &GENERATOR,
            &super::super::limbs::ONE
        ));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(16))]
        #[test]
        fn matches_two_multiplications(a in any::<[u8; 32]>(), b in any::<[u8; 32]>(), c in any::<[u8; 32]>()) {
            let q = Point::from_affine(&GENERATOR).mul(&scalar(&c)).to_affine();
            if let Some(q) = q {
                check(&scalar(&a), &scalar(&b), &q);
            }
        }
    }
}
