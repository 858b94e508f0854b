//! Jacobian coordinates `(X : Y : Z)`, `x = X/Z^2`, `y = Y/Z^3`, for the fixed-base
//! multiplication `point::mul_base` with the precomputed table: its mixed addition costs 8
//! multiplications and 3 squarings against the complete projective formula's 13
//! multiplications (two of them by b), the bulk of signing.
//!
//! The formula (Hankerson, Menezes, Vanstone, "Guide to Elliptic Curve Cryptography",
//! algorithm 3.22; EFD `madd-2004-hmv`) is not complete: it is wrong when the accumulator is
//! the identity or equals `±` the added point. `mul_base` rules out both without a branch:
//! the identity is tracked by a mask and the sum replaced by a select, and the table's
//! signed-digit sums never meet the other cases (see `mul_base`).

use super::field::Fe;
use super::point::{Affine, Point};

/// A point in Jacobian coordinates; the identity is any `(X : Y : 0)`.
#[derive(Clone, Copy)]
pub(super) struct Jacobian {
    x: Fe,
    y: Fe,
    z: Fe,
}

impl Jacobian {
    /// The identity `(1 : 1 : 0)`.
    pub(super) const IDENTITY: Jacobian = Jacobian {
        x: Fe::ONE,
        y: Fe::ONE,
        z: Fe::ZERO,
    };

    /// The point `(x : y : 1)`.
    pub(super) fn from_affine(a: &Affine) -> Jacobian {
        Jacobian {
            x: a.x,
            y: a.y,
            z: Fe::ONE,
        }
    }

    /// `mask ? b : a` (`mask` all ones or zero).
    pub(super) fn select(a: &Jacobian, b: &Jacobian, mask: u64) -> Jacobian {
        Jacobian {
            x: Fe::select(&a.x, &b.x, mask),
            y: Fe::select(&a.y, &b.y, mask),
            z: Fe::select(&a.z, &b.z, mask),
        }
    }

    /// `self + other`, valid only when `self` is not the identity and `self != ±other`
    /// (the caller's duty; otherwise the result is meaningless).
    pub(super) fn add_affine_distinct(&self, other: &Affine) -> Jacobian {
        let z1z1 = self.z.square();
        let z1z1z1 = z1z1 * self.z;
        let u2 = other.x * z1z1;
        let s2 = other.y * z1z1z1;
        let h = u2 - self.x;
        let r = s2 - self.y;
        let h2 = h.square();
        let h3 = h2 * h;
        let v = self.x * h2;
        let x3 = r.square() - h3 - v.double();
        let y3 = r * (v - x3) - self.y * h3;
        Jacobian {
            x: x3,
            y: y3,
            z: self.z * h,
        }
    }

    /// The same point in projective coordinates: `(X Z : Y : Z^3)` (the identity stays one,
    /// with `Z = 0`).
    pub(super) fn to_projective(self) -> Point {
        Point::from_xyz(self.x * self.z, self.y, self.z.square() * self.z)
    }
}
