//! Constant-time modular inversion by Bernstein and Yang's "safegcd" divsteps ("Fast
//! constant-time gcd computation and modular inversion", TCHES 2019), in the form with
//! `zeta = -(delta + 1/2)`, batches of 59 divsteps applied as a 2x2 matrix to 62-bit signed
//! limbs, and the bound of 590 divsteps for 256-bit inputs (10 batches) from Wuille's
//! analysis of that form. Against Fermat's `a^(m-2)` (255 squarings and 13 to 53
//! multiplications), profiled in ECDSA signing: the scalar inversion about 2.5 times faster,
//! the field's about 1.5 times.
//!
//! Every step runs the same instructions whatever the values: conditions become masks, the
//! batch count is fixed, and the products are of 64-bit limbs into 128 bits.

/// A 256-bit integer as four 64-bit words, least significant first, whatever the limbs of
/// `limbs` are on the target (callers convert; free where they are the same).
type Limbs = [u64; 4];
use zeroize::Zeroize;

/// The low 62 bits.
const M62: u64 = u64::MAX >> 2;

/// A 320-bit signed integer as five limbs of 62 bits, `sum v[i] 2^(62 i)`; limbs 0 to 3 in
/// `[0, 2^62)` after each update, the top one signed.
#[derive(Clone, Copy)]
struct Signed62([i64; 5]);

impl Signed62 {
    const fn from_limbs(a: &Limbs) -> Signed62 {
        Signed62([
            (a[0] & M62) as i64,
            ((a[0] >> 62 | a[1] << 2) & M62) as i64,
            ((a[1] >> 60 | a[2] << 4) & M62) as i64,
            ((a[2] >> 58 | a[3] << 6) & M62) as i64,
            (a[3] >> 56) as i64,
        ])
    }

    /// The limbs of a value in `[0, 2^256)`.
    fn to_limbs(self) -> Limbs {
        let v = self.0.map(|x| x as u64);
        [
            v[0] | v[1] << 62,
            v[1] >> 2 | v[2] << 60,
            v[2] >> 4 | v[3] << 58,
            v[3] >> 6 | v[4] << 56,
        ]
    }
}

/// An odd modulus `m < 2^256` and `m^-1 mod 2^62`.
pub(super) struct Modulus {
    m: Signed62,
    inv62: u64,
}

impl Modulus {
    /// The inversion data of an odd `m` (for constants).
    pub(super) const fn new(m: &Limbs) -> Modulus {
        // Newton's iteration x <- x (2 - m x) doubles the correct low bits; x = m is right
        // to 3 bits for odd m, so five rounds give 96 >= 62.
        let m0 = m[0];
        let mut x = m0;
        let mut i = 0;
        while i < 5 {
            x = x.wrapping_mul(2u64.wrapping_sub(m0.wrapping_mul(x)));
            i += 1;
        }
        Modulus {
            m: Signed62::from_limbs(m),
            inv62: x & M62,
        }
    }
}

/// The matrix of 59 divsteps, scaled by 2^62: `[f', g'] = [u v; q r] [f, g] / 2^62`.
struct Trans {
    u: i64,
    v: i64,
    q: i64,
    r: i64,
}

/// 59 divsteps on the low bits of `f` (odd) and `g`; returns the new `zeta`.
fn divsteps_59(mut zeta: i64, f0: u64, g0: u64, t: &mut Trans) -> i64 {
    // The matrix starts as 8 times the identity: after 59 doublings it is scaled by 2^62.
    let (mut u, mut v, mut q, mut r) = (8u64, 0u64, 0u64, 8u64);
    let (mut f, mut g) = (f0, g0);
    for _ in 3..62 {
        // Masks: zeta < 0, and g odd.
        let mut c1 = (zeta >> 63) as u64;
        let c2 = 0u64.wrapping_sub(g & 1);
        // x, y, z: f, u, v negated when zeta < 0.
        let x = (f ^ c1).wrapping_sub(c1);
        let y = (u ^ c1).wrapping_sub(c1);
        let z = (v ^ c1).wrapping_sub(c1);
        // When g is odd, add them to g, q, r.
        g = g.wrapping_add(x & c2);
        q = q.wrapping_add(y & c2);
        r = r.wrapping_add(z & c2);
        // When also zeta < 0: zeta becomes -zeta - 2 (else zeta - 1), and f, u, v gain the
        // new g, q, r (which swaps the roles, as a divstep does).
        c1 &= c2;
        zeta = (zeta ^ c1 as i64).wrapping_sub(1);
        f = f.wrapping_add(g & c1);
        u = u.wrapping_add(q & c1);
        v = v.wrapping_add(r & c1);
        g >>= 1;
        u <<= 1;
        v <<= 1;
    }
    *t = Trans {
        u: u as i64,
        v: v as i64,
        q: q as i64,
        r: r as i64,
    };
    zeta
}

#[inline(always)]
fn mul(a: i64, b: i64) -> i128 {
    i128::from(a) * i128::from(b)
}

/// `[d, e] = (t [d, e] + m [md, me]) / 2^62` with `md, me` chosen to make the division exact
/// and keep `d, e` in `(-2m, m)`.
fn update_de(d: &mut Signed62, e: &mut Signed62, t: &Trans, m: &Modulus) {
    let (dv, ev, mv) = (d.0, e.0, m.m.0);
    let (u, v, q, r) = (t.u, t.v, t.q, t.r);
    // md, me start as [u, q] if d < 0, plus [v, r] if e < 0.
    let sd = dv[4] >> 63;
    let se = ev[4] >> 63;
    let mut md = (u & sd) + (v & se);
    let mut me = (q & sd) + (r & se);
    let mut cd = mul(u, dv[0]) + mul(v, ev[0]);
    let mut ce = mul(q, dv[0]) + mul(r, ev[0]);
    // Correct md, me so that the low 62 bits of t [d, e] + m [md, me] are zero.
    md -= (m.inv62.wrapping_mul(cd as u64).wrapping_add(md as u64) & M62) as i64;
    me -= (m.inv62.wrapping_mul(ce as u64).wrapping_add(me as u64) & M62) as i64;
    cd += mul(mv[0], md);
    ce += mul(mv[0], me);
    cd >>= 62;
    ce >>= 62;
    for i in 1..5 {
        cd += mul(u, dv[i]) + mul(v, ev[i]) + mul(mv[i], md);
        ce += mul(q, dv[i]) + mul(r, ev[i]) + mul(mv[i], me);
        d.0[i - 1] = (cd as u64 & M62) as i64;
        e.0[i - 1] = (ce as u64 & M62) as i64;
        cd >>= 62;
        ce >>= 62;
    }
    d.0[4] = cd as i64;
    e.0[4] = ce as i64;
}

/// `[f, g] = t [f, g] / 2^62` (exact).
fn update_fg(f: &mut Signed62, g: &mut Signed62, t: &Trans) {
    let (fv, gv) = (f.0, g.0);
    let (u, v, q, r) = (t.u, t.v, t.q, t.r);
    let mut cf = mul(u, fv[0]) + mul(v, gv[0]);
    let mut cg = mul(q, fv[0]) + mul(r, gv[0]);
    cf >>= 62;
    cg >>= 62;
    for i in 1..5 {
        cf += mul(u, fv[i]) + mul(v, gv[i]);
        cg += mul(q, fv[i]) + mul(r, gv[i]);
        f.0[i - 1] = (cf as u64 & M62) as i64;
        g.0[i - 1] = (cg as u64 & M62) as i64;
        cf >>= 62;
        cg >>= 62;
    }
    f.0[4] = cf as i64;
    g.0[4] = cg as i64;
}

/// Carries each limb's excess into the next: limbs 0 to 3 in `[0, 2^62)`.
fn propagate(r: &mut [i64; 5]) {
    for i in 0..4 {
        r[i + 1] += r[i] >> 62;
        r[i] &= M62 as i64;
    }
}

/// `r` in `(-2m, m)`, negated when `sign < 0`, brought to `[0, m)`.
fn normalize(d: &mut Signed62, sign: i64, m: &Modulus) {
    let r = &mut d.0;
    let add = r[4] >> 63;
    for (x, mi) in r.iter_mut().zip(m.m.0) {
        *x += mi & add;
    }
    let neg = sign >> 63;
    for x in r.iter_mut() {
        *x = (*x ^ neg) - neg;
    }
    propagate(r);
    let add = r[4] >> 63;
    for (x, mi) in r.iter_mut().zip(m.m.0) {
        *x += mi & add;
    }
    propagate(r);
}

/// `a^-1 mod m` for `a < m` (0 for 0), `m` odd and below 2^256, in constant time.
pub(super) fn invert(a: &Limbs, m: &Modulus) -> Limbs {
    let mut d = Signed62([0; 5]);
    let mut e = Signed62([1, 0, 0, 0, 0]);
    let mut f = m.m;
    let mut g = Signed62::from_limbs(a);
    let mut zeta = -1i64;
    let mut t = Trans {
        u: 0,
        v: 0,
        q: 0,
        r: 0,
    };
    for _ in 0..10 {
        zeta = divsteps_59(zeta, f.0[0] as u64, g.0[0] as u64, &mut t);
        update_de(&mut d, &mut e, &t, m);
        update_fg(&mut f, &mut g, &t);
    }
    // g is now 0 and f = ±gcd = ±1 (for a != 0): d holds ±a^-1.
    normalize(&mut d, f.0[4], m);
    let out = d.to_limbs();
    // Wipe the intermediates, which derive from a secret.
    for s in [&mut d, &mut e, &mut f, &mut g] {
        s.0.zeroize();
    }
    for x in [&mut t.u, &mut t.v, &mut t.q, &mut t.r] {
        x.zeroize();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use num_bigint::BigUint;
    use proptest::prelude::*;

    /// The P-256 field prime and group order.
    const MODULI: [Limbs; 2] = [
        [
            0xffff_ffff_ffff_ffff,
            0x0000_0000_ffff_ffff,
            0,
            0xffff_ffff_0000_0001,
        ],
        super::super::limbs::to_u64s(&super::super::scalar::N),
    ];

    fn big(a: &Limbs) -> BigUint {
        BigUint::from_bytes_be(&super::super::limbs::to_be(
            &super::super::limbs::from_u64s(*a),
        ))
    }

    fn limbs(x: &BigUint) -> Limbs {
        let mut b = [0u8; 32];
        let v = x.to_bytes_be();
        b[32 - v.len()..].copy_from_slice(&v);
        super::super::limbs::to_u64s(&super::super::limbs::from_be(&b))
    }

    fn check(a: &BigUint, m: &Limbs) {
        let inv = big(&invert(&limbs(a), &Modulus::new(m)));
        if a == &BigUint::from(0u8) {
            assert_eq!(inv, BigUint::from(0u8));
        } else {
            assert!(inv < big(m));
            assert_eq!(inv * a % big(m), BigUint::from(1u8));
        }
    }

    #[test]
    fn edges() {
        for m in &MODULI {
            let mb = big(m);
            for a in [
                BigUint::from(0u8),
                BigUint::from(1u8),
                BigUint::from(2u8),
                &mb - 1u8,
                &mb - 2u8,
                &mb >> 1usize,
                BigUint::from(1u8) << 255usize,
            ] {
                check(&a, m);
            }
        }
    }

    proptest! {
        #[test]
        fn inverts_mod_p_and_n(a in any::<[u8; 32]>()) {
            for m in &MODULI {
                check(&(BigUint::from_bytes_be(&a) % big(m)), m);
            }
        }
    }
}
