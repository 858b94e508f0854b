//! `u1 * G + u2 * Q` for ECDSA verification (SEC 1 section 4.1.4 step 5), where every
//! input is public: variable time, in Jacobian coordinates (`x = X/Z^2`, `y = Y/Z^3`) with
//! the cheaper incomplete formulas of Bernstein and Lange's Explicit-Formulas Database
//! (`dbl-2001-b` for a = -3, `add-2007-bl`, `madd-2007-bl`), their exceptional cases (an
//! input at infinity, equal or opposite inputs) handled by branches; Straus' interleaving
//! of width-5 NAFs (width 7 for `G` with a table built once under
//! `ecc-improve-perf-increase-codesize`).
//!
//! The result is never brought to affine form: `x(R) mod n == r` is checked as
//! `r * Z^2 == X` (and `(r + n) * Z^2 == X` when `r + n < p`), which saves an inversion.

use super::field::Fe;
use super::limbs::{self, Limbs};
use super::point::Affine;
#[cfg(not(feature = "ecc-improve-perf-increase-codesize"))]
use super::point::GENERATOR;
use super::scalar::Scalar;

/// A point in Jacobian coordinates; `z == 0` is the point at infinity.
#[derive(Clone, Copy)]
struct Jacobian {
    x: Fe,
    y: Fe,
    z: Fe,
}

impl Jacobian {
    const INFINITY: Jacobian = Jacobian {
        x: Fe::ONE,
        y: Fe::ONE,
        z: Fe::ZERO,
    };

    fn from_affine(a: &Affine) -> Jacobian {
        Jacobian {
            x: a.x,
            y: a.y,
            z: Fe::ONE,
        }
    }

    fn neg(&self) -> Jacobian {
        Jacobian {
            x: self.x,
            y: -self.y,
            z: self.z,
        }
    }

    /// `dbl-2001-b` (a = -3): 3M + 5S.
    fn double(&self) -> Jacobian {
        if self.z.is_zero() || self.y.is_zero() {
            return Jacobian::INFINITY;
        }
        let delta = self.z.square();
        let gamma = self.y.square();
        let beta = self.x * gamma;
        let t = (self.x - delta) * (self.x + delta);
        let alpha = t.double() + t;
        let beta4 = beta.double().double();
        let x3 = alpha.square() - beta4.double();
        let z3 = (self.y + self.z).square() - gamma - delta;
        let g2 = gamma.square().double();
        let y3 = alpha * (beta4 - x3) - g2.double().double();
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `add-2007-bl`: 11M + 5S.
    fn add(&self, o: &Jacobian) -> Jacobian {
        if self.z.is_zero() {
            return *o;
        }
        if o.z.is_zero() {
            return *self;
        }
        let z1z1 = self.z.square();
        let z2z2 = o.z.square();
        let u1 = self.x * z2z2;
        let u2 = o.x * z1z1;
        let s1 = self.y * o.z * z2z2;
        let s2 = o.y * self.z * z1z1;
        let h = u2 - u1;
        let r = (s2 - s1).double();
        if h.is_zero() {
            return if r.is_zero() {
                self.double()
            } else {
                Jacobian::INFINITY
            };
        }
        let i = h.double().square();
        let j = h * i;
        let v = u1 * i;
        let x3 = r.square() - j - v.double();
        let y3 = r * (v - x3) - (s1 * j).double();
        let z3 = ((self.z + o.z).square() - z1z1 - z2z2) * h;
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `madd-2007-bl` (`o` affine): 7M + 4S.
    #[cfg_attr(not(feature = "ecc-improve-perf-increase-codesize"), allow(dead_code))]
    fn add_affine(&self, o: &Affine) -> Jacobian {
        if self.z.is_zero() {
            return Jacobian::from_affine(o);
        }
        let z1z1 = self.z.square();
        let u2 = o.x * z1z1;
        let s2 = o.y * self.z * z1z1;
        let h = u2 - self.x;
        let r = (s2 - self.y).double();
        if h.is_zero() {
            return if r.is_zero() {
                self.double()
            } else {
                Jacobian::INFINITY
            };
        }
        let hh = h.square();
        let i = hh.double().double();
        let j = h * i;
        let v = self.x * i;
        let x3 = r.square() - j - v.double();
        let y3 = r * (v - x3) - (self.y * j).double();
        let z3 = (self.z + h).square() - z1z1 - hh;
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }
}

/// The width-`w` non-adjacent form of `k` (least significant digit first): every nonzero
/// digit odd and below `2^(w-1)` in magnitude.
fn wnaf(k: &Limbs, w: u32) -> [i8; 257] {
    let k = limbs::to_u64s(k);
    let mut x = [k[0], k[1], k[2], k[3], 0u64];
    let mut out = [0i8; 257];
    let full = 1i64 << w;
    for digit in out.iter_mut() {
        if x[0] & 1 == 1 {
            let mut d = (x[0] & (full as u64 - 1)) as i64;
            if d >= full / 2 {
                d -= full;
            }
            *digit = d as i8;
            // x -= d: x's low w bits were d's, so this clears them (d < 0 carries up).
            if d >= 0 {
                x[0] -= d as u64;
            } else {
                let (lo, mut carry) = x[0].overflowing_add(d.unsigned_abs());
                x[0] = lo;
                for limb in x.iter_mut().skip(1) {
                    if !carry {
                        break;
                    }
                    (*limb, carry) = limb.overflowing_add(1);
                }
            }
        }
        for i in 0..4 {
            x[i] = (x[i] >> 1) | (x[i + 1] << 63);
        }
        x[4] >>= 1;
    }
    out
}

/// A table of odd multiples that a NAF digit indexes.
trait OddMultiples {
    /// `acc + d * P` for an odd digit `d`.
    fn add_digit(&self, acc: &Jacobian, d: i8) -> Jacobian;
}

impl OddMultiples for [Jacobian; 8] {
    fn add_digit(&self, acc: &Jacobian, d: i8) -> Jacobian {
        let e = &self[usize::from(d.unsigned_abs() / 2)];
        if d > 0 { acc.add(e) } else { acc.add(&e.neg()) }
    }
}

#[cfg(feature = "ecc-improve-perf-increase-codesize")]
impl OddMultiples for [Affine; 32] {
    fn add_digit(&self, acc: &Jacobian, d: i8) -> Jacobian {
        let e = &self[usize::from(d.unsigned_abs() / 2)];
        if d > 0 {
            acc.add_affine(e)
        } else {
            acc.add_affine(&e.neg())
        }
    }
}

/// `P, 3P, ..., 15P`.
fn odd_multiples(p: &Affine) -> [Jacobian; 8] {
    let p1 = Jacobian::from_affine(p);
    let p2 = p1.double();
    let mut out = [p1; 8];
    for i in 1..8 {
        out[i] = out[i - 1].add(&p2);
    }
    out
}

fn straus(ng: &[i8; 257], tg: &impl OddMultiples, nq: &[i8; 257], tq: &[Jacobian; 8]) -> Jacobian {
    let mut acc = Jacobian::INFINITY;
    for i in (0..257).rev() {
        acc = acc.double();
        if ng[i] != 0 {
            acc = tg.add_digit(&acc, ng[i]);
        }
        if nq[i] != 0 {
            acc = tq.add_digit(&acc, nq[i]);
        }
    }
    acc
}

/// `u1 * G + u2 * Q` in Jacobian coordinates.
fn mul_base_add(u1: &Scalar, u2: &Scalar, q: &Affine) -> Jacobian {
    let nq = wnaf(&u2.to_limbs(), 5);
    let tq = odd_multiples(q);
    #[cfg(feature = "ecc-improve-perf-increase-codesize")]
    let (ng, tg) = (wnaf(&u1.to_limbs(), 7), &*super::point::ODD_G);
    #[cfg(not(feature = "ecc-improve-perf-increase-codesize"))]
    let (ng, tg) = (wnaf(&u1.to_limbs(), 5), &odd_multiples(&GENERATOR));
    straus(&ng, tg, &nq, &tq)
}

/// Whether `x(u1 * G + u2 * Q) mod n == r` (`r` canonical, `1 <= r < n`); false when the
/// sum is the point at infinity.
// Without the feature the verifier is `shamir`'s; this module is then built for its tests.
#[cfg_attr(not(feature = "ecc-improve-perf-increase-codesize"), allow(dead_code))]
pub(super) fn check_x(u1: &Scalar, u2: &Scalar, q: &Affine, r: &Limbs) -> bool {
    let sum = mul_base_add(u1, u2, q);
    // x = X / Z^2 (a zero Z, the point at infinity, never matches).
    super::ecdsa::x_matches(&sum.x, &sum.z.square(), r)
}

#[cfg(test)]
mod tests {
    use super::super::point::{GENERATOR, Point};
    use super::*;

    fn scalar(v: u64) -> Scalar {
        let mut b = [0u8; 32];
        b[24..].copy_from_slice(&v.to_be_bytes());
        Scalar::from_bytes(&b).unwrap()
    }

    fn affine(j: &Jacobian) -> Option<[u8; 65]> {
        if j.z.is_zero() {
            return None;
        }
        let zi = j.z.invert();
        let zi2 = zi.square();
        let p = Point::from_xyz(j.x * zi2, j.y * zi2 * zi, Fe::ONE);
        p.to_affine().map(|a| a.to_uncompressed())
    }

    fn ct(k: u64) -> Option<[u8; 65]> {
        Point::from_affine(&GENERATOR)
            .mul(&scalar(k))
            .to_affine()
            .map(|a| a.to_uncompressed())
    }

    #[test]
    fn formulas_and_exceptional_cases() {
        let g = Jacobian::from_affine(&GENERATOR);
        let inf = Jacobian::INFINITY;
        assert_eq!(affine(&g.double()), ct(2));
        assert_eq!(affine(&g.add(&g)), ct(2));
        assert_eq!(affine(&g.add_affine(&GENERATOR)), ct(2));
        assert_eq!(affine(&g.double().add(&g)), ct(3));
        assert_eq!(affine(&g.double().add_affine(&GENERATOR)), ct(3));
        assert!(affine(&g.add(&g.neg())).is_none());
        assert!(affine(&g.add_affine(&GENERATOR.neg())).is_none());
        assert_eq!(affine(&inf.add(&g)), ct(1));
        assert_eq!(affine(&g.add(&inf)), ct(1));
        assert_eq!(affine(&inf.add_affine(&GENERATOR)), ct(1));
        assert!(affine(&inf.double()).is_none());
        // u1 G + u2 Q with Q = 5G: 7 + 2*5 = 17; and 1*G + (n-1)*G = O.
        let q = Point::from_affine(&GENERATOR)
            .mul(&scalar(5))
            .to_affine()
            .unwrap();
        assert_eq!(affine(&mul_base_add(&scalar(7), &scalar(2), &q)), ct(17));
        let nm1 = Scalar::from_bytes(&limbs::to_be(
            &limbs::sub(&super::super::scalar::N, &limbs::ONE).0,
        ))
        .unwrap();
        assert!(affine(&mul_base_add(&scalar(1), &nm1, &GENERATOR)).is_none());
        // G + G through the Q table (doubling inside an addition).
        assert_eq!(
            affine(&mul_base_add(&scalar(1), &scalar(1), &GENERATOR)),
            ct(2)
        );
    }

    #[test]
    fn naf_digits_rebuild_the_scalar() {
        for k in [1u64, 2, 15, 16, 31, 0xdead_beef, u64::MAX] {
            let limbs = limbs::from_u64s([k, k.rotate_left(7), k, k >> 1]);
            for w in [5, 7] {
                let naf = wnaf(&limbs, w);
                let mut acc = Jacobian::INFINITY;
                let g = Jacobian::from_affine(&GENERATOR);
                for &d in naf.iter().rev() {
                    acc = acc.double();
                    if d != 0 {
                        assert!(d % 2 != 0 && i32::from(d).abs() < (1 << (w - 1)));
                        let mut m = Jacobian::INFINITY;
                        for _ in 0..d.unsigned_abs() {
                            m = m.add(&g);
                        }
                        acc = if d > 0 {
                            acc.add(&m)
                        } else {
                            acc.add(&m.neg())
                        };
                    }
                }
                let s = Scalar::from_bytes(&limbs::to_be(&limbs)).unwrap();
                let expect = Point::from_affine(&GENERATOR)
                    .mul(&s)
                    .to_affine()
                    .map(|a| a.to_uncompressed());
                assert_eq!(affine(&acc), expect);
            }
        }
    }
}
