//! Eight 32-bit limbs (little-endian) and the Montgomery arithmetic that the P-256 field
//! (`field`) and scalar field (`scalar`) share on 32-bit targets, modulo any odd 256-bit
//! `m` given with `m0 = -m^-1 mod 2^32`: the same interface as the 64-bit `limbs`, which
//! 64-bit targets compile instead (this module is then built only for its tests, which
//! check it against that one).
//!
//! Why 32-bit limbs there: a `u64 x u64 -> u128` product is a long multiply sequence on a
//! 32-bit core, while `u32 x u32 -> u64` plus two 32-bit addends is one `UMAAL` on the
//! Cortex-M4. Written for size: every operation is a loop over the limbs, and the field
//! and the scalars share one out-of-line Montgomery multiplication (`mont_mul`; the P-256
//! prime's `m0` is 1), which squares as well.
//!
//! Constant time: the loops run a fixed number of times; carries and borrows are
//! arithmetic, turned into all-ones or all-zero masks for the conditional subtraction and
//! selection, never branches or indices. (The multiply instructions of the Cortex-M4 take
//! a fixed number of cycles; some cores, the Cortex-M3 among them, end `UMULL` early on
//! small operands, which this code cannot prevent.)

/// A limb.
pub(super) type Word = u32;

/// A 256-bit integer, least significant limb first.
pub(super) type Limbs = [u32; 8];

/// 1.
pub(super) const ONE: Limbs = [1, 0, 0, 0, 0, 0, 0, 0];

/// Bits per limb.
pub(super) const WORD_BITS: usize = 32;

/// The limbs of a 256-bit integer written as four 64-bit words, least significant first
/// (how the constants are written for both limb sizes).
pub(super) const fn from_u64s(w: [u64; 4]) -> Limbs {
    let mut out = [0u32; 8];
    let mut i = 0;
    while i < 4 {
        out[2 * i] = w[i] as u32;
        out[2 * i + 1] = (w[i] >> 32) as u32;
        i += 1;
    }
    out
}

/// The four 64-bit words of `a`, least significant first.
// For safegcd, the NAF recoding and the fixed-base table: the feature's code (and tests).
#[cfg_attr(not(feature = "ecc-improve-perf-increase-codesize"), allow(dead_code))]
pub(super) const fn to_u64s(a: &Limbs) -> [u64; 4] {
    let mut out = [0u64; 4];
    let mut i = 0;
    while i < 4 {
        out[i] = a[2 * i] as u64 | (a[2 * i + 1] as u64) << 32;
        i += 1;
    }
    out
}

/// `a + b + carry`: (sum, carry out).
#[inline(always)]
fn adc(a: u32, b: u32, carry: u32) -> (u32, u32) {
    let t = u64::from(a) + u64::from(b) + u64::from(carry);
    (t as u32, (t >> 32) as u32)
}

/// `a + b * c + carry`: (low, high); never overflows 64 bits (one `UMAAL`).
#[inline(always)]
fn mac(a: u32, b: u32, c: u32, carry: u32) -> (u32, u32) {
    let t = u64::from(a) + u64::from(b) * u64::from(c) + u64::from(carry);
    (t as u32, (t >> 32) as u32)
}

/// `mask ? b : a`, where `mask` is all ones or zero.
pub(super) fn select(a: &Limbs, b: &Limbs, mask: u64) -> Limbs {
    let mask = mask as u32;
    let mut out = *a;
    for (o, &bi) in out.iter_mut().zip(b) {
        *o ^= mask & (*o ^ bi);
    }
    out
}

/// `a + b` and the carry (0 or 1).
pub(super) fn add(a: &Limbs, b: &Limbs) -> (Limbs, u64) {
    let mut out = [0u32; 8];
    let mut carry = 0;
    for i in 0..8 {
        (out[i], carry) = adc(a[i], b[i], carry);
    }
    (out, u64::from(carry))
}

/// `a - b` and the borrow (0 or 1).
pub(super) fn sub(a: &Limbs, b: &Limbs) -> (Limbs, u64) {
    let mut out = [0u32; 8];
    let mut borrow = 0u32;
    for i in 0..8 {
        let t = u64::from(a[i])
            .wrapping_sub(u64::from(b[i]))
            .wrapping_sub(u64::from(borrow));
        out[i] = t as u32;
        borrow = (t >> 63) as u32;
    }
    (out, u64::from(borrow))
}

/// All ones when `a == 0`, else zero.
pub(super) fn is_zero_mask(a: &Limbs) -> u64 {
    let t = a.iter().fold(0, |acc, &x| acc | x);
    // The top bit of `t | -t` is set exactly when `t != 0`.
    (u64::from((t | t.wrapping_neg()) >> 31)).wrapping_sub(1)
}

/// All ones when `a < m`, else zero.
pub(super) fn lt_mask(a: &Limbs, m: &Limbs) -> u64 {
    0u64.wrapping_sub(sub(a, m).1)
}

/// `t - m` unless that borrows beyond the extra top bit `top` (0 or 1) of `t`: the final
/// conditional subtraction of `add_mod` and `mont_mul`, for `t + top * 2^256 < 2m`.
fn reduce_once(t: &Limbs, top: u64, m: &Limbs) -> Limbs {
    let (r, borrow) = sub(t, m);
    // Keep `t` when `t < m` as a 257-bit number: a borrow the top bit did not cover.
    let keep = borrow & !top;
    select(&r, t, 0u64.wrapping_sub(keep))
}

/// `(a + b) mod m` for `a, b < m`.
pub(super) fn add_mod(a: &Limbs, b: &Limbs, m: &Limbs) -> Limbs {
    let (s, carry) = add(a, b);
    reduce_once(&s, carry, m)
}

/// `(a - b) mod m` for `a, b < m`.
pub(super) fn sub_mod(a: &Limbs, b: &Limbs, m: &Limbs) -> Limbs {
    let (d, borrow) = sub(a, b);
    let m = select(&[0; 8], m, 0u64.wrapping_sub(borrow));
    add(&d, &m).0
}

/// Montgomery multiplication `a * b / 2^256 mod m` for `a, b < m` (coarsely integrated
/// operand scanning, one reduction step per limb of `b`): the one copy that the field and
/// the scalars call.
#[inline(never)]
pub(super) fn mont_mul(a: &Limbs, b: &Limbs, m: &Limbs, m0: u32) -> Limbs {
    let mut t = [0u32; 8];
    let mut top = 0u32;
    for &bi in b {
        // t += a * bi, the carry into t[8] and beyond in (hi, top).
        let mut c = 0;
        for j in 0..8 {
            (t[j], c) = mac(t[j], a[j], bi, c);
        }
        let (hi, c2) = adc(top, c, 0);
        // t += u * m with t[0] + u * m[0] = 0 mod 2^32, then t /= 2^32.
        let u = t[0].wrapping_mul(m0);
        let (_, mut c) = mac(t[0], u, m[0], 0);
        for j in 1..8 {
            (t[j - 1], c) = mac(t[j], u, m[j], c);
        }
        let (x, c3) = adc(hi, c, 0);
        t[7] = x;
        top = c2 + c3;
    }
    // t + top * 2^256 < 2m: one conditional subtraction.
    reduce_once(&t, u64::from(top), m)
}

/// `a^e / 2^(256 (e - 1)) mod m`, that is `a^e` in Montgomery form, for a public exponent
/// `e` whose top bit (255) is set: left-to-right square and multiply, branching on the
/// exponent's bits only (the field's and the scalars' Fermat inversion, `e = m - 2`).
// Unused when the fixed-base table's feature brings safegcd.
#[cfg_attr(feature = "ecc-improve-perf-increase-codesize", allow(dead_code))]
pub(super) fn mont_pow(a: &Limbs, e: &Limbs, m: &Limbs, m0: u32) -> Limbs {
    let mut acc = *a;
    for i in (0..255).rev() {
        acc = mont_mul(&acc, &acc, m, m0);
        if (e[i / 32] >> (i % 32)) & 1 == 1 {
            acc = mont_mul(&acc, a, m, m0);
        }
    }
    acc
}

/// Big-endian 32 octets to limbs (octet by octet: the smallest code).
pub(super) fn from_be(b: &[u8; 32]) -> Limbs {
    let mut out = [0u32; 8];
    for (k, &byte) in b.iter().enumerate() {
        let pos = 31 - k;
        out[pos / 4] |= u32::from(byte) << (8 * (pos % 4));
    }
    out
}

/// Limbs to big-endian 32 octets.
pub(super) fn to_be(a: &Limbs) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (k, byte) in out.iter_mut().enumerate() {
        let pos = 31 - k;
        *byte = (a[pos / 4] >> (8 * (pos % 4))) as u8;
    }
    out
}

/// All ones when `a == b`, else zero (for small table indices).
#[inline(always)]
pub(super) fn eq_mask(a: u64, b: u64) -> u64 {
    let t = a ^ b;
    ((t | t.wrapping_neg()) >> 63).wrapping_sub(1)
}

/// The P-256 prime `2^256 - 2^224 + 2^192 + 2^96 - 1`.
const P256: Limbs = from_u64s([
    0xffff_ffff_ffff_ffff,
    0x0000_0000_ffff_ffff,
    0x0000_0000_0000_0000,
    0xffff_ffff_0000_0001,
]);

/// `a * b / 2^256 mod p` for the P-256 prime (`a, b < p`): the shared Montgomery
/// multiplication with `-p^-1 = 1 mod 2^32` (p's low limb is `2^32 - 1`).
pub(super) fn mont_mul_p256(a: &Limbs, b: &Limbs) -> Limbs {
    mont_mul(a, b, &P256, 1)
}

/// Differential tests against the 64-bit limbs on random and edge operands, for the P-256
/// prime and group order.
#[cfg(all(test, not(matrix_limb32)))]
mod tests {
    use super::super::limbs as l64;
    use super::*;
    use proptest::prelude::*;

    /// The group order n and `-n^-1 mod 2^64`.
    const N: [u64; 4] = [
        0xf3b9_cac2_fc63_2551,
        0xbce6_faad_a717_9e84,
        0xffff_ffff_ffff_ffff,
        0xffff_ffff_0000_0000,
    ];
    const N0: u64 = 0xccd1_c8aa_ee00_bc4f;
    const P: [u64; 4] = [
        0xffff_ffff_ffff_ffff,
        0x0000_0000_ffff_ffff,
        0x0000_0000_0000_0000,
        0xffff_ffff_0000_0001,
    ];

    /// Edge operands below `m`: 0, 1, 2, m - 1, m - 2, 2^255, 2^32 - 1, 2^64 - 1,
    /// 2^224, and words all ones or all zeros in turn.
    fn edges(m: &[u64; 4]) -> Vec<[u64; 4]> {
        let m1 = l64::sub(m, &[1, 0, 0, 0]).0;
        let m2 = l64::sub(m, &[2, 0, 0, 0]).0;
        let mut v = vec![
            [0; 4],
            [1, 0, 0, 0],
            [2, 0, 0, 0],
            m1,
            m2,
            [0, 0, 0, 1 << 63],
            [u32::MAX.into(), 0, 0, 0],
            [u64::MAX, 0, 0, 0],
            [0, 0, 0, 1 << 32],
            [u64::MAX, 0, u64::MAX, 0],
            [0, u64::MAX, 0, 0x7fff_ffff_ffff_ffff],
            [0xffff_ffff_0000_0000; 4],
        ];
        v.retain(|a| l64::lt_mask(a, m) != 0);
        v
    }

    fn check(a: &[u64; 4], b: &[u64; 4], m: &[u64; 4], m0: u64) {
        let (x, y, mm) = (from_u64s(*a), from_u64s(*b), from_u64s(*m));
        assert_eq!(to_u64s(&x), *a);
        assert_eq!(
            to_u64s(&mont_mul(&x, &y, &mm, m0 as u32)),
            l64::mont_mul(a, b, m, m0),
            "mont_mul {a:x?} {b:x?}"
        );
        if *m == P {
            assert_eq!(to_u64s(&mont_mul_p256(&x, &y)), l64::mont_mul_p256(a, b));
        }
        assert_eq!(to_u64s(&add_mod(&x, &y, &mm)), l64::add_mod(a, b, m));
        assert_eq!(to_u64s(&sub_mod(&x, &y, &mm)), l64::sub_mod(a, b, m));
        let (d, bw) = sub(&x, &y);
        assert_eq!((to_u64s(&d), bw), l64::sub(a, b));
        let (s, c) = add(&x, &y);
        assert_eq!((to_u64s(&s), c), l64::add(a, b));
        assert_eq!(is_zero_mask(&x), l64::is_zero_mask(a));
        assert_eq!(lt_mask(&x, &y), l64::lt_mask(a, b));
        for mask in [0, u64::MAX] {
            assert_eq!(to_u64s(&select(&x, &y, mask)), l64::select(a, b, mask));
        }
        assert_eq!(to_be(&x), l64::to_be(a));
        assert_eq!(from_be(&l64::to_be(a)), x);
    }

    #[test]
    fn m0_constants() {
        // -m^-1 mod 2^32 is the low half of -m^-1 mod 2^64: 1 for p, N0's low word for n.
        assert_eq!((P[0] as u32).wrapping_mul(1), u32::MAX);
        assert_eq!((N[0] as u32).wrapping_mul(N0 as u32), u32::MAX);
        assert_eq!(from_u64s(P), P256);
    }

    /// `a^e` by repeated 64-bit Montgomery multiplication, for small `e`.
    fn pow64(a: &[u64; 4], e: u32, m: &[u64; 4], m0: u64) -> [u64; 4] {
        let mut acc = *a;
        for _ in 1..e {
            acc = l64::mont_mul(&acc, a, m, m0);
        }
        acc
    }

    #[test]
    fn mont_pow_matches_repeated_multiplication() {
        for (m, m0) in [(P, 1), (N, N0)] {
            for a in edges(&m) {
                // e = 2^255 + 5 = (2^255 + 5): check against a^(2^255) a^5 built by squaring.
                let mut e = [5u64, 0, 0, 1 << 63];
                let mut expect = pow64(&a, 5, &m, m0);
                let mut sq = a;
                for _ in 0..255 {
                    sq = l64::mont_mul(&sq, &sq, &m, m0);
                }
                expect = l64::mont_mul(&expect, &sq, &m, m0);
                let (x, mm) = (from_u64s(a), from_u64s(m));
                assert_eq!(
                    to_u64s(&mont_pow(&x, &from_u64s(e), &mm, m0 as u32)),
                    expect
                );
                // Fermat: a^(m-2) a = 1 for a != 0 (Montgomery form: R).
                e = l64::sub(&m, &[2, 0, 0, 0]).0;
                let inv = mont_pow(&x, &from_u64s(e), &mm, m0 as u32);
                let one_mont = l64::sub(&[0; 4], &m).0;
                let prod = to_u64s(&mont_mul(&inv, &x, &mm, m0 as u32));
                if l64::is_zero_mask(&a) == 0 {
                    assert_eq!(prod, one_mont);
                } else {
                    assert_eq!(l64::is_zero_mask(&prod), u64::MAX);
                }
            }
        }
    }

    /// The 64-bit `mont_pow` (the small build's inversions on 64-bit targets) against this
    /// one, on the inversion exponents and edge operands.
    #[cfg(not(feature = "ecc-improve-perf-increase-codesize"))]
    #[test]
    fn mont_pow_matches_64_bit_limbs() {
        for (m, m0) in [(P, 1), (N, N0)] {
            let e = l64::sub(&m, &[2, 0, 0, 0]).0;
            for a in edges(&m) {
                assert_eq!(
                    to_u64s(&mont_pow(
                        &from_u64s(a),
                        &from_u64s(e),
                        &from_u64s(m),
                        m0 as u32
                    )),
                    l64::mont_pow(&a, &e, &m, m0)
                );
            }
        }
    }

    #[test]
    fn edges_match_64_bit_limbs() {
        for (m, m0) in [(P, 1), (N, N0)] {
            let e = edges(&m);
            for a in &e {
                for b in &e {
                    check(a, b, &m, m0);
                }
            }
        }
    }

    fn below(m: [u64; 4]) -> impl Strategy<Value = [u64; 4]> {
        any::<[u64; 4]>().prop_map(move |a| {
            // Into [0, m) by one subtraction (m > 2^255 for both moduli).
            let (r, borrow) = l64::sub(&a, &m);
            if borrow == 0 { r } else { a }
        })
    }

    proptest! {
        #[test]
        fn random_operands_match_64_bit_limbs(a in below(P), b in below(P), c in below(N), d in below(N)) {
            check(&a, &b, &P, 1);
            check(&c, &d, &N, N0);
        }
    }
}
