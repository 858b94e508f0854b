//! Points of P-256 (y^2 = x^3 - 3x + b over GF(p), prime order n, SEC 2 section 2.4.2) and
//! scalar multiplication.
//!
//! - Projective coordinates `(X : Y : Z)` with the complete addition and doubling formulas
//!   of Renes, Costello and Batina (2016), algorithms 4 and 6 for `a = -3`: one formula
//!   for every pair of inputs, the identity `(0 : 1 : 0)` included, so no input can steer a
//!   branch.
//! - `mul`: `k * P` for a secret `k` (ECDH), a 4-bit fixed window whose table lookups read
//!   all 16 entries and keep one by masks.
//! - `mul_base`: `k * G` for a secret `k` (signing, key generation). With
//!   `ecc-improve-perf-increase-codesize`, a precomputed table of `j * 64^i * G` (43 rows
//!   of 32 affine points, 88 KB, built once per process) and signed 6-bit digits: 43
//!   mixed additions in Jacobian coordinates (`jacobian`; incomplete formulas whose
//!   exceptional cases the digits never meet), every entry of a row read. Without it,
//!   `mul` on `G`.
//! - `u1 * G + u2 * Q` for verification (public inputs): with the feature above
//!   `vartime`'s, in Jacobian coordinates, reading `ODD_G`, 32 odd multiples of G (2 KB)
//!   built once; without it (any limb width), `shamir`'s over `window_table` and the
//!   complete formulas here (size).
//!
//! A peer's point is accepted only in uncompressed SEC 1 form (SEC 1 section 2.3.4) with
//! both coordinates below p and on the curve; the identity has no such encoding.

use super::field::Fe;
use super::limbs;
use super::scalar::Scalar;
use zeroize::Zeroize;

/// The coefficient b, in Montgomery form.
const B: Fe = Fe::from_mont_limbs(limbs::from_u64s([
    0xd89c_df62_29c4_bddf,
    0xacf0_05cd_7884_3090,
    0xe5a2_20ab_f721_2ed6,
    0xdc30_061d_0487_4834,
]));

/// A point in affine coordinates, never the identity.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Affine {
    pub(super) x: Fe,
    pub(super) y: Fe,
}

/// The generator G (SEC 2 section 2.4.2), in Montgomery form.
pub(crate) const GENERATOR: Affine = Affine {
    x: Fe::from_mont_limbs(limbs::from_u64s([
        0x79e7_30d4_18a9_143c,
        0x75ba_95fc_5fed_b601,
        0x79fb_732b_7762_2510,
        0x1890_5f76_a537_55c6,
    ])),
    y: Fe::from_mont_limbs(limbs::from_u64s([
        0xddf2_5357_ce95_560a,
        0x8b4a_b8e4_ba19_e45c,
        0xd2e8_8688_dd21_f325,
        0x8571_ff18_2588_5d85,
    ])),
};

impl Affine {
    /// A point from `04 || X || Y` (SEC 1 section 2.3.4): both coordinates `< p` and
    /// `y^2 = x^3 - 3x + b` (SEC 1 section 3.2.2.1's checks; with a prime-order curve a
    /// point on it is in the group). `None` for anything else, the compressed forms and
    /// the identity's single `00` octet included.
    pub(crate) fn from_uncompressed(point: &[u8]) -> Option<Affine> {
        if point.len() != 65 || point[0] != 0x04 {
            return None;
        }
        let x = Fe::from_bytes(point[1..33].try_into().ok()?)?;
        let y = Fe::from_bytes(point[33..65].try_into().ok()?)?;
        let a = Affine { x, y };
        // Returned where it was built (`then_some` moved it once more).
        if !a.is_on_curve() {
            return None;
        }
        Some(a)
    }

    /// `y^2 == x^3 - 3x + b` (public data).
    fn is_on_curve(&self) -> bool {
        let rhs = (self.x.square() * self.x) - (self.x.double() + self.x) + B;
        self.y.square().eq_vartime(&rhs)
    }

    /// `04 || X || Y`.
    pub(crate) fn to_uncompressed(self) -> [u8; 65] {
        let mut out = [0u8; 65];
        out[0] = 0x04;
        out[1..33].copy_from_slice(&self.x.to_bytes());
        out[33..].copy_from_slice(&self.y.to_bytes());
        out
    }

    /// The big-endian X coordinate.
    pub(crate) fn x_bytes(&self) -> [u8; 32] {
        self.x.to_bytes()
    }

    // Used by the fixed-base table only (and the tests).
    #[cfg_attr(not(feature = "ecc-improve-perf-increase-codesize"), allow(dead_code))]
    fn select(a: &Affine, b: &Affine, mask: u64) -> Affine {
        Affine {
            x: Fe::select(&a.x, &b.x, mask),
            y: Fe::select(&a.y, &b.y, mask),
        }
    }

    // Used by the fixed-base table only (and the tests).
    #[cfg_attr(not(feature = "ecc-improve-perf-increase-codesize"), allow(dead_code))]
    pub(super) fn neg(&self) -> Affine {
        Affine {
            x: self.x,
            y: -self.y,
        }
    }
}

/// A point in projective coordinates `(X : Y : Z)`, `x = X/Z`, `y = Y/Z`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Point {
    x: Fe,
    y: Fe,
    z: Fe,
}

// The register file of `Point::add_by_program`: the inputs (0-5), b (6), the formula's
// temporaries t0-t4 (7-11), the result (12-14) and a scratch register (15). An operation
// is `[kind << 4 | destination, a, b]`.
const X1: u8 = 0;
const Y1: u8 = 1;
const Z1: u8 = 2;
const X2: u8 = 3;
const Y2: u8 = 4;
const Z2: u8 = 5;
const RB: u8 = 6;
const T0: u8 = 7;
const T1: u8 = 8;
const T2: u8 = 9;
const T3: u8 = 10;
const T4: u8 = 11;
const X3: usize = 12;
const Y3: usize = 13;
const Z3: usize = 14;
const TMP: u8 = 15;
const MUL: u8 = 0;
const ADD: u8 = 1;
const SUB: u8 = 2;
const RX3: u8 = X3 as u8;
const RY3: u8 = Y3 as u8;
const RZ3: u8 = Z3 as u8;

/// One operation `dst = a (kind) b`.
const fn op(kind: u8, dst: u8, a: u8, b: u8) -> [u8; 3] {
    [kind << 4 | dst, a, b]
}

/// RCB 2016 algorithm 4 (`a = -3`), line by line as in [`Point::add_straight`] (a
/// doubling `2v` is `v + v`, as `Fe::double` computes it).
#[cfg_attr(feature = "ecc-improve-perf-increase-codesize", allow(dead_code))]
const ADD_PROGRAM: &[[u8; 3]] = &[
    op(MUL, T0, X1, X2),
    op(MUL, T1, Y1, Y2),
    op(MUL, T2, Z1, Z2),
    op(ADD, T3, X1, Y1),
    op(ADD, TMP, X2, Y2),
    op(MUL, T3, T3, TMP),
    op(ADD, T4, T0, T1),
    op(SUB, T3, T3, T4),
    op(ADD, T4, Y1, Z1),
    op(ADD, TMP, Y2, Z2),
    op(MUL, T4, T4, TMP),
    op(ADD, RX3, T1, T2),
    op(SUB, T4, T4, RX3),
    op(ADD, RX3, X1, Z1),
    op(ADD, TMP, X2, Z2),
    op(MUL, RX3, RX3, TMP),
    op(ADD, RY3, T0, T2),
    op(SUB, RY3, RX3, RY3),
    op(MUL, RZ3, RB, T2),
    op(SUB, RX3, RY3, RZ3),
    op(ADD, RZ3, RX3, RX3),
    op(ADD, RX3, RX3, RZ3),
    op(SUB, RZ3, T1, RX3),
    op(ADD, RX3, T1, RX3),
    op(MUL, RY3, RB, RY3),
    op(ADD, T1, T2, T2),
    op(ADD, T2, T1, T2),
    op(SUB, RY3, RY3, T2),
    op(SUB, RY3, RY3, T0),
    op(ADD, T1, RY3, RY3),
    op(ADD, RY3, T1, RY3),
    op(ADD, T1, T0, T0),
    op(ADD, T0, T1, T0),
    op(SUB, T0, T0, T2),
    op(MUL, T1, T4, RY3),
    op(MUL, T2, T0, RY3),
    op(MUL, RY3, RX3, RZ3),
    op(ADD, RY3, RY3, T2),
    op(MUL, RX3, T3, RX3),
    op(SUB, RX3, RX3, T1),
    op(MUL, RZ3, T4, RZ3),
    op(MUL, T1, T3, T0),
    op(ADD, RZ3, RZ3, T1),
];

impl Point {
    /// The identity `(0 : 1 : 0)`.
    pub(crate) const IDENTITY: Point = Point {
        x: Fe::ZERO,
        y: Fe::ONE,
        z: Fe::ZERO,
    };

    /// The point `(x : y : 1)`.
    pub(crate) fn from_affine(a: &Affine) -> Point {
        Point {
            x: a.x,
            y: a.y,
            z: Fe::ONE,
        }
    }

    /// The affine form; `None` for the identity. Constant time but for that verdict.
    pub(crate) fn to_affine(self) -> Option<Affine> {
        if self.z.is_zero() {
            return None;
        }
        let zi = self.z.invert();
        Some(Affine {
            x: self.x * zi,
            y: self.y * zi,
        })
    }

    /// The point `(x : y : z)` (the fixed-base multiplication's result, tests).
    #[cfg(any(test, feature = "ecc-improve-perf-increase-codesize"))]
    pub(super) fn from_xyz(x: Fe, y: Fe, z: Fe) -> Point {
        Point { x, y, z }
    }

    /// `mask ? b : a`.
    fn select(a: &Point, b: &Point, mask: u64) -> Point {
        Point {
            x: Fe::select(&a.x, &b.x, mask),
            y: Fe::select(&a.y, &b.y, mask),
            z: Fe::select(&a.z, &b.z, mask),
        }
    }

    /// `self + other`: RCB 2016 algorithm 4 (complete, `a = -3`), in the small build
    /// (`ecc-improve-perf-increase-codesize` off) run from [`ADD_PROGRAM`] over a register
    /// file: the 43 field operations as 129 bytes of table and one loop instead of
    /// straight-line calls (about 0.4 KB less on a Cortex-M4, some copying of field
    /// elements more per addition). The program and the registers it names are constants:
    /// no secret reaches a branch or an index.
    #[cfg(not(feature = "ecc-improve-perf-increase-codesize"))]
    pub(crate) fn add(&self, other: &Point) -> Point {
        self.add_by_program(other)
    }

    /// [`Point::add`] by [`ADD_PROGRAM`].
    #[cfg_attr(feature = "ecc-improve-perf-increase-codesize", allow(dead_code))]
    fn add_by_program(&self, other: &Point) -> Point {
        let mut r = [Fe::ZERO; 16];
        r[0] = self.x;
        r[1] = self.y;
        r[2] = self.z;
        r[3] = other.x;
        r[4] = other.y;
        r[5] = other.z;
        r[6] = B;
        for &[op, a, b] in ADD_PROGRAM {
            let (x, y) = (r[usize::from(a & 15)], r[usize::from(b & 15)]);
            r[usize::from(op & 15)] = match op >> 4 {
                MUL => x * y,
                ADD => x + y,
                _ => x - y,
            };
        }
        Point {
            x: r[X3],
            y: r[Y3],
            z: r[Z3],
        }
    }

    /// `self + other`: RCB 2016 algorithm 4 (complete, `a = -3`).
    #[cfg(any(test, feature = "ecc-improve-perf-increase-codesize"))]
    fn add_straight(&self, other: &Point) -> Point {
        let (x1, y1, z1) = (self.x, self.y, self.z);
        let (x2, y2, z2) = (other.x, other.y, other.z);
        let mut t0 = x1 * x2;
        let mut t1 = y1 * y2;
        let mut t2 = z1 * z2;
        let mut t3 = (x1 + y1) * (x2 + y2);
        let mut t4 = t0 + t1;
        t3 = t3 - t4;
        t4 = (y1 + z1) * (y2 + z2);
        let mut x3 = t1 + t2;
        t4 = t4 - x3;
        x3 = (x1 + z1) * (x2 + z2);
        let mut y3 = t0 + t2;
        y3 = x3 - y3;
        let mut z3 = B * t2;
        x3 = y3 - z3;
        z3 = x3.double();
        x3 = x3 + z3;
        z3 = t1 - x3;
        x3 = t1 + x3;
        y3 = B * y3;
        t1 = t2.double();
        t2 = t1 + t2;
        y3 = y3 - t2;
        y3 = y3 - t0;
        t1 = y3.double();
        y3 = t1 + y3;
        t1 = t0.double();
        t0 = t1 + t0;
        t0 = t0 - t2;
        t1 = t4 * y3;
        t2 = t0 * y3;
        y3 = x3 * z3;
        y3 = y3 + t2;
        x3 = t3 * x3;
        x3 = x3 - t1;
        z3 = t4 * z3;
        t1 = t3 * t0;
        z3 = z3 + t1;
        Point {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `self + other`: RCB 2016 algorithm 4 (complete, `a = -3`), straight-line.
    #[cfg(feature = "ecc-improve-perf-increase-codesize")]
    pub(crate) fn add(&self, other: &Point) -> Point {
        self.add_straight(other)
    }

    /// `2 * self` in the small build (`ecc-improve-perf-increase-codesize` off): the
    /// complete addition above with both inputs `self` (algorithm 4 is complete, so right
    /// for `P + P` and the identity too). About 40% more field work per doubling than
    /// algorithm 6 below, whose own 0.5 KB of code (Cortex-M4) this build then drops.
    #[cfg(not(feature = "ecc-improve-perf-increase-codesize"))]
    pub(crate) fn double(&self) -> Point {
        self.add(self)
    }

    /// `2 * self`: RCB 2016 algorithm 6 (`a = -3`).
    #[cfg(feature = "ecc-improve-perf-increase-codesize")]
    pub(crate) fn double(&self) -> Point {
        let (x, y, z) = (self.x, self.y, self.z);
        let mut t0 = x.square();
        let t1 = y.square();
        let mut t2 = z.square();
        let mut t3 = (x * y).double();
        let mut z3 = (x * z).double();
        let mut y3 = B * t2;
        y3 = y3 - z3;
        let mut x3 = y3.double();
        y3 = x3 + y3;
        x3 = t1 - y3;
        y3 = t1 + y3;
        y3 = x3 * y3;
        x3 = x3 * t3;
        t3 = t2.double();
        t2 = t2 + t3;
        z3 = B * z3;
        z3 = z3 - t2;
        z3 = z3 - t0;
        t3 = z3.double();
        z3 = z3 + t3;
        t3 = t0.double();
        t0 = t3 + t0;
        t0 = t0 - t2;
        t0 = t0 * z3;
        y3 = y3 + t0;
        t0 = (y * z).double();
        z3 = t0 * z3;
        x3 = x3 - z3;
        z3 = (t0 * t1).double().double();
        Point {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `j * self` for `j = 0..16` (`mul`'s window table; the small build's verifier's).
    pub(super) fn window_table(&self) -> [Point; 16] {
        let mut table = [Point::IDENTITY; 16];
        table[1] = *self;
        for i in 2..16 {
            table[i] = if i % 2 == 0 {
                table[i / 2].double()
            } else {
                table[i - 1].add(self)
            };
        }
        table
    }

    /// Digit `i` (bits `4i` to `4i + 3`, within one limb) of `k`; `i` is public, `k` may be
    /// secret (a shift and a mask).
    #[inline]
    pub(super) fn window_digit(k: &limbs::Limbs, i: usize) -> usize {
        const PER_LIMB: usize = limbs::WORD_BITS / 4;
        ((k[i / PER_LIMB] >> ((i % PER_LIMB) * 4)) & 0xf) as usize
    }

    /// `k * self` in constant time: 4-bit fixed window, 64 windows of 4 doublings and one
    /// addition of a masked table entry.
    pub(crate) fn mul(&self, k: &Scalar) -> Point {
        let table = self.window_table();
        let mut kl = k.to_limbs();
        let mut acc = Point::IDENTITY;
        for i in (0..64).rev() {
            if i != 63 {
                acc = acc.double().double().double().double();
            }
            let digit = Point::window_digit(&kl, i) as u64;
            let mut e = Point::IDENTITY;
            for (j, t) in table.iter().enumerate() {
                e = Point::select(&e, t, limbs::eq_mask(j as u64, digit));
            }
            acc = acc.add(&e);
        }
        kl.zeroize();
        acc
    }

    /// The coordinates `(X, Y, Z)` (the small build's verifier's check, `shamir`).
    #[cfg_attr(feature = "ecc-improve-perf-increase-codesize", allow(dead_code))]
    pub(super) fn xyz(&self) -> (Fe, Fe, Fe) {
        (self.x, self.y, self.z)
    }
}

/// `k * G` for a secret `k`: the precomputed table (see the module docs), accumulated in
/// Jacobian coordinates with the incomplete mixed addition (`jacobian`).
///
/// Why its exceptional cases (`acc = ±e`, or `acc` the identity) never go wrong (written
/// for 6-bit windows, which `tables` asserts): with `k < n` canonical, the signed digits
/// before row `i` sum to an integer `S` with `|S| <= 32 (64^i - 1) / 63 < 0.51 * 64^i`, and
/// row `i` adds `e = d 64^i G` with `1 <= |d| <= 32`. For `i < 42`,
/// `0 < |S ± d 64^i| < 32.51 * 2^246 < n`: `acc` is never `±e`. The last row holds bits
/// 252 to 255 and the carry, so `0 <= d <= 16`, and `S ± d 2^252` would have to be `0` or
/// `±n`: `|S| < 0.51 * 2^252` rules out 0, and `S + d 2^252 = k` is in `(0, n)`, which
/// leaves `S = d 2^252 - n`, that is `k = d 2^253 - n < n`, so `d <= 15` and
/// `|S| >= n - 15 * 2^252 > 0.99 * 2^252`: excluded. `S = 0` (the identity) exactly while
/// every digit so far was 0 (the top nonzero digit outweighs the rest): a mask tracks it
/// and the sum is then the entry itself.
#[cfg(feature = "ecc-improve-perf-increase-codesize")]
pub(crate) fn mul_base(k: &Scalar) -> Point {
    use super::jacobian::Jacobian;
    use tables::{ENTRIES, WINDOW};
    let table = &*tables::BASE;
    let mut kl = limbs::to_u64s(&k.to_limbs());
    let mut acc = Jacobian::IDENTITY;
    // All ones while `acc` is the identity.
    let mut at_identity = u64::MAX;
    let mut carry = 0u64;
    for (i, row) in table.iter().enumerate() {
        // Signed digit in [-32, 32): v = the window's bits + carry, in [0, 64]; v >= 32
        // borrows 64 from the next digit. The top window holds bits 252 to 255 alone, so
        // the last carry is always 0.
        let v = window(&kl, i * WINDOW) + carry;
        carry = (v + ENTRIES as u64) >> WINDOW;
        let d = v.wrapping_sub(carry << WINDOW); // two's complement of a value in [-32, 32)
        let neg = 0u64.wrapping_sub(d >> 63);
        let abs = (d ^ neg).wrapping_sub(neg);
        let mut e = GENERATOR;
        for (j, t) in row.iter().enumerate() {
            e = Affine::select(&e, t, limbs::eq_mask(j as u64 + 1, abs));
        }
        e = Affine::select(&e, &e.neg(), neg);
        let sum = Jacobian::select(
            &acc.add_affine_distinct(&e),
            &Jacobian::from_affine(&e),
            at_identity,
        );
        let zero = limbs::eq_mask(abs, 0);
        acc = Jacobian::select(&sum, &acc, zero);
        at_identity &= zero;
    }
    kl.zeroize();
    Point::select(&acc.to_projective(), &Point::IDENTITY, at_identity)
}

/// Bits `start .. start + WINDOW` of `k` (zero above bit 255). `start` is public.
#[cfg(feature = "ecc-improve-perf-increase-codesize")]
fn window(k: &[u64; 4], start: usize) -> u64 {
    let (limb, off) = (start / 64, start % 64);
    let mut v = k.get(limb).map_or(0, |l| l >> off);
    if off + tables::WINDOW > 64 {
        v |= k.get(limb + 1).map_or(0, |l| l << (64 - off));
    }
    v & ((1 << tables::WINDOW) - 1)
}

/// `k * G` for a secret `k`: the constant-time window of [`Point::mul`] (no table). The
/// library goes through [`mul_base_affine`]; the tests compare the projective result.
#[cfg(all(test, not(feature = "ecc-improve-perf-increase-codesize")))]
pub(crate) fn mul_base(k: &Scalar) -> Point {
    Point::from_affine(&GENERATOR).mul(k)
}

/// `k * P` for a secret `k`, in affine form; `None` for the identity. Out of line: ECDH's
/// `d * Q` and, without the fixed-base tables, the key generation's `d * G` share this one
/// body instead of each inlining its own call sequence (an ECDHE client does both).
#[inline(never)]
pub(crate) fn mul_affine(p: &Affine, k: &Scalar) -> Option<Affine> {
    Point::from_affine(p).mul(k).to_affine()
}

/// `k * G` for a secret `k`, in affine form; `None` for the identity: by the tables.
#[cfg(feature = "ecc-improve-perf-increase-codesize")]
pub(crate) fn mul_base_affine(k: &Scalar) -> Option<Affine> {
    mul_base(k).to_affine()
}

/// `k * G` for a secret `k`, in affine form; `None` for the identity: by [`mul_affine`].
#[cfg(not(feature = "ecc-improve-perf-increase-codesize"))]
pub(crate) fn mul_base_affine(k: &Scalar) -> Option<Affine> {
    mul_affine(&GENERATOR, k)
}

#[cfg(feature = "ecc-improve-perf-increase-codesize")]
pub(super) use tables::ODD as ODD_G;

#[cfg(feature = "ecc-improve-perf-increase-codesize")]
mod tables {
    use super::{Affine, GENERATOR, Point};
    use alloc::vec::Vec;
    use std::sync::LazyLock;

    /// Bits per signed digit. 6 (43 rows of 32 points, 88 KB) signs about 8% faster than 5
    /// (52 rows of 16, 53 KB); 7 (37 rows of 64, 151 KB) only some 3% faster again.
    pub(super) const WINDOW: usize = 6;
    // `mul_base`'s argument that its additions are never exceptional is written for 6.
    const _: () = assert!(WINDOW == 6);
    /// Digits of a scalar below 2^256: 43 windows of 6 bits.
    const ROWS: usize = 256_usize.div_ceil(WINDOW);
    /// Entries per row: the digit magnitudes 1 to 32.
    pub(super) const ENTRIES: usize = 1 << (WINDOW - 1);

    /// Row `i` holds `j * 64^i * G` for `j = 1..=32`, `i = 0..43`.
    pub(super) static BASE: LazyLock<Vec<[Affine; ENTRIES]>> = LazyLock::new(|| {
        let mut rows = Vec::with_capacity(ROWS);
        let mut base = Point::from_affine(&GENERATOR);
        for _ in 0..ROWS {
            let mut row = [GENERATOR; ENTRIES];
            let mut p = base;
            for entry in row.iter_mut() {
                // No multiple j * 64^i * G with 1 <= j <= 32, i < 43 is the identity.
                *entry = p.to_affine().unwrap_or(GENERATOR);
                p = p.add(&base);
            }
            rows.push(row);
            for _ in 0..WINDOW {
                base = base.double();
            }
        }
        rows
    });

    /// The odd multiples `G, 3G, ..., 63G` for width-7 NAF digits (`vartime`).
    pub(crate) static ODD: LazyLock<[Affine; 32]> = LazyLock::new(|| {
        let g = Point::from_affine(&GENERATOR);
        let g2 = g.double();
        let mut out = [GENERATOR; 32];
        let mut p = g;
        for entry in out.iter_mut() {
            *entry = p.to_affine().unwrap_or(GENERATOR);
            p = p.add(&g2);
        }
        out
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(v: u64) -> Scalar {
        let mut b = [0u8; 32];
        b[24..].copy_from_slice(&v.to_be_bytes());
        Scalar::from_bytes(&b).unwrap()
    }

    /// `a - b` on 64-bit words, whatever the target's limbs.
    fn sub64(a: &[u64; 4], b: &[u64; 4]) -> [u64; 4] {
        limbs::to_u64s(&limbs::sub(&limbs::from_u64s(*a), &limbs::from_u64s(*b)).0)
    }

    fn enc(p: &Point) -> Option<[u8; 65]> {
        p.to_affine().map(|a| a.to_uncompressed())
    }

    /// The small build's table-driven addition computes exactly the straight-line
    /// formula's coordinates (not only the same point), on inputs with assorted `Z`, the
    /// identity, equal and opposite points included.
    #[test]
    fn add_program_is_the_straight_line_formula() {
        let g = Point::from_affine(&GENERATOR);
        let mut points = vec![Point::IDENTITY, g, Point::from_affine(&GENERATOR.neg())];
        let mut p = g;
        for _ in 0..12 {
            p = p.add_straight(&g).add_straight(&p);
            points.push(p);
        }
        for a in &points {
            for b in &points {
                let (x, y) = (a.add_by_program(b), a.add_straight(b));
                assert_eq!(x.x.to_bytes(), y.x.to_bytes());
                assert_eq!(x.y.to_bytes(), y.y.to_bytes());
                assert_eq!(x.z.to_bytes(), y.z.to_bytes());
            }
        }
    }

    #[test]
    fn generator_is_on_curve_and_group_laws_hold() {
        let g = Point::from_affine(&GENERATOR);
        assert!(GENERATOR.is_on_curve());
        let id = Point::IDENTITY;
        // The identity is neutral on both sides and doubles to itself.
        assert_eq!(enc(&g.add(&id)), enc(&g));
        assert_eq!(enc(&id.add(&g)), enc(&g));
        assert!(id.double().to_affine().is_none());
        assert!(id.add(&id).to_affine().is_none());
        // P + P = 2P through every formula; P - P = O.
        assert_eq!(enc(&g.add(&g)), enc(&g.double()));
        assert!(
            g.add(&Point::from_affine(&GENERATOR.neg()))
                .to_affine()
                .is_none()
        );
        // 3G three ways.
        let g3 = g.double().add(&g);
        assert_eq!(enc(&g.mul(&scalar(3))), enc(&g3));
        assert_eq!(enc(&mul_base(&scalar(3))), enc(&g3));
        // (n - 1) G = -G, 0 * G = O.
        let nm1 = Scalar::from_bytes(&limbs::to_be(
            &limbs::sub(&super::super::scalar::N, &limbs::ONE).0,
        ))
        .unwrap();
        assert_eq!(
            enc(&g.mul(&nm1)),
            enc(&Point::from_affine(&GENERATOR.neg()))
        );
        assert_eq!(
            enc(&mul_base(&nm1)),
            enc(&Point::from_affine(&GENERATOR.neg()))
        );
        assert!(g.mul(&scalar(0)).to_affine().is_none());
        assert!(mul_base(&scalar(0)).to_affine().is_none());
    }

    /// The fixed-base table against the generic window on scalars whose signed digits
    /// carry and borrow at every row, or stop just below a row or the top.
    #[test]
    fn mul_base_matches_mul_on_digit_edges() {
        let g = Point::from_affine(&GENERATOR);
        let n = limbs::to_u64s(&super::super::scalar::N);
        let mut ks: Vec<[u64; 4]> = Vec::new();
        for v in [1u64, 2, 31, 32, 33, 63, 64, 65, u64::MAX] {
            ks.push([v, 0, 0, 0]);
        }
        // 2^252, 15 * 2^252, 2^255, every window 31, 32 or 63 (0x7df7df..., 0x820820...).
        ks.push([0, 0, 0, 1 << 60]);
        ks.push([0, 0, 0, 15 << 60]);
        ks.push([0, 0, 0, 1 << 63]);
        for pattern in [0x7df7_df7d_f7df_7df7u64, 0x8208_2082_0820_8208, u64::MAX] {
            ks.push([pattern, pattern, pattern, pattern >> 4]);
        }
        for d in [1u64, 2, 3] {
            ks.push(sub64(&n, &[d, 0, 0, 0]));
        }
        // (n - 1) / 2 and (n + 1) / 2.
        let half = sub64(&n, &[1, 0, 0, 0]);
        let half = [
            half[0] >> 1 | half[1] << 63,
            half[1] >> 1 | half[2] << 63,
            half[2] >> 1 | half[3] << 63,
            half[3] >> 1,
        ];
        ks.push(half);
        ks.push([half[0] + 1, half[1], half[2], half[3]]);
        for k in ks {
            let k = Scalar::from_bytes(&limbs::to_be(&limbs::from_u64s(k))).unwrap();
            assert_eq!(enc(&mul_base(&k)), enc(&g.mul(&k)));
        }
    }

    #[test]
    fn invalid_points_are_refused() {
        let good = GENERATOR.to_uncompressed();
        assert!(Affine::from_uncompressed(&good).is_some());
        let mut off = good;
        off[64] ^= 1;
        assert!(Affine::from_uncompressed(&off).is_none());
        let mut compressed = good;
        compressed[0] = 0x02;
        assert!(Affine::from_uncompressed(&compressed).is_none());
        assert!(Affine::from_uncompressed(&good[..33]).is_none());
        assert!(Affine::from_uncompressed(&[0]).is_none());
        assert!(Affine::from_uncompressed(&[0x04; 1]).is_none());
        // (0, 0), and x = p (not reduced).
        let mut zero = [0u8; 65];
        zero[0] = 4;
        assert!(Affine::from_uncompressed(&zero).is_none());
        let mut big = good;
        big[1..33].copy_from_slice(&[0xff; 32]);
        assert!(Affine::from_uncompressed(&big).is_none());
    }
}
