//! Four 64-bit limbs (little-endian) and the Montgomery arithmetic that the P-256 field
//! (`field`) and scalar field (`scalar`) share, modulo any odd 256-bit `m` given with
//! `m0 = -m^-1 mod 2^64`.
//!
//! Every function here runs in time independent of its operands' values: carries and
//! borrows become all-ones or all-zero masks, never branches or indices.

/// A limb.
pub(super) type Word = u64;

/// A 256-bit integer, least significant limb first.
pub(super) type Limbs = [u64; 4];

/// 1.
pub(super) const ONE: Limbs = [1, 0, 0, 0];

/// Bits per limb.
pub(super) const WORD_BITS: usize = 64;

/// The limbs of a 256-bit integer written as four 64-bit words, least significant first
/// (how the constants are written for both limb sizes; `limbs32` has 32-bit limbs).
pub(super) const fn from_u64s(w: [u64; 4]) -> Limbs {
    w
}

/// The four 64-bit words of `a`, least significant first.
// For safegcd, the NAF recoding and the fixed-base table: the feature's code (and tests).
#[cfg_attr(not(feature = "ecc-improve-perf-increase-codesize"), allow(dead_code))]
pub(super) const fn to_u64s(a: &Limbs) -> [u64; 4] {
    *a
}

/// `a + b + carry`: (sum, carry out).
#[inline(always)]
fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = u128::from(a) + u128::from(b) + u128::from(carry);
    (t as u64, (t >> 64) as u64)
}

/// `a - b - borrow`: (difference, borrow out as 0 or 1).
#[inline(always)]
fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let t = u128::from(a).wrapping_sub(u128::from(b) + u128::from(borrow));
    (t as u64, (t >> 127) as u64)
}

/// `a + b * c + carry`: (low, high); never overflows 128 bits.
#[inline(always)]
fn mac(a: u64, b: u64, c: u64, carry: u64) -> (u64, u64) {
    let t = u128::from(a) + u128::from(b) * u128::from(c) + u128::from(carry);
    (t as u64, (t >> 64) as u64)
}

/// `mask ? b : a`, where `mask` is all ones or zero.
#[inline(always)]
pub(super) fn select(a: &Limbs, b: &Limbs, mask: u64) -> Limbs {
    [
        a[0] ^ (mask & (a[0] ^ b[0])),
        a[1] ^ (mask & (a[1] ^ b[1])),
        a[2] ^ (mask & (a[2] ^ b[2])),
        a[3] ^ (mask & (a[3] ^ b[3])),
    ]
}

/// `a - b` and the borrow (0 or 1).
#[inline(always)]
pub(super) fn sub(a: &Limbs, b: &Limbs) -> (Limbs, u64) {
    let (r0, c) = sbb(a[0], b[0], 0);
    let (r1, c) = sbb(a[1], b[1], c);
    let (r2, c) = sbb(a[2], b[2], c);
    let (r3, c) = sbb(a[3], b[3], c);
    ([r0, r1, r2, r3], c)
}

/// `a + b` and the carry (0 or 1).
pub(super) fn add(a: &Limbs, b: &Limbs) -> (Limbs, u64) {
    let (r0, c) = adc(a[0], b[0], 0);
    let (r1, c) = adc(a[1], b[1], c);
    let (r2, c) = adc(a[2], b[2], c);
    let (r3, c) = adc(a[3], b[3], c);
    ([r0, r1, r2, r3], c)
}

/// All ones when `a == 0`, else zero.
#[inline(always)]
pub(super) fn is_zero_mask(a: &Limbs) -> u64 {
    let t = a[0] | a[1] | a[2] | a[3];
    // The top bit of `t | -t` is set exactly when `t != 0`.
    ((t | t.wrapping_neg()) >> 63).wrapping_sub(1)
}

/// All ones when `a < m`, else zero.
#[inline(always)]
pub(super) fn lt_mask(a: &Limbs, m: &Limbs) -> u64 {
    0u64.wrapping_sub(sub(a, m).1)
}

/// `(a + b) mod m` for `a, b < m`.
#[inline(always)]
pub(super) fn add_mod(a: &Limbs, b: &Limbs, m: &Limbs) -> Limbs {
    let (s0, c) = adc(a[0], b[0], 0);
    let (s1, c) = adc(a[1], b[1], c);
    let (s2, c) = adc(a[2], b[2], c);
    let (s3, carry) = adc(a[3], b[3], c);
    let s = [s0, s1, s2, s3];
    let (r, borrow) = sub(&s, m);
    // Keep the sum when `s < m` as a 257-bit number: a borrow the carry did not cover.
    let (_, keep) = sbb(carry, 0, borrow);
    select(&r, &s, 0u64.wrapping_sub(keep))
}

/// `(a - b) mod m` for `a, b < m`.
#[inline(always)]
pub(super) fn sub_mod(a: &Limbs, b: &Limbs, m: &Limbs) -> Limbs {
    let (d, borrow) = sub(a, b);
    let mask = 0u64.wrapping_sub(borrow);
    let (r0, c) = adc(d[0], m[0] & mask, 0);
    let (r1, c) = adc(d[1], m[1] & mask, c);
    let (r2, c) = adc(d[2], m[2] & mask, c);
    let (r3, _) = adc(d[3], m[3] & mask, c);
    [r0, r1, r2, r3]
}

/// Montgomery multiplication `a * b / 2^256 mod m` for `a, b < m` (coarsely integrated
/// operand scanning, one reduction step per limb of `b`). With
/// `ecc-improve-perf-increase-codesize` inlined into the scalars' one wrapper; without it
/// one out-of-line copy that the scalars and `mont_pow` (both inversions) share.
#[cfg_attr(feature = "ecc-improve-perf-increase-codesize", inline(always))]
#[cfg_attr(not(feature = "ecc-improve-perf-increase-codesize"), inline(never))]
pub(super) fn mont_mul(a: &Limbs, b: &Limbs, m: &Limbs, m0: u64) -> Limbs {
    let mut t = [0u64; 4];
    let mut t4 = 0u64;
    for &bi in b {
        let (x0, c) = mac(t[0], a[0], bi, 0);
        let (x1, c) = mac(t[1], a[1], bi, c);
        let (x2, c) = mac(t[2], a[2], bi, c);
        let (x3, c) = mac(t[3], a[3], bi, c);
        let (x4, x5) = adc(t4, c, 0);
        let u = x0.wrapping_mul(m0);
        let (_, c) = mac(x0, u, m[0], 0);
        let (y0, c) = mac(x1, u, m[1], c);
        let (y1, c) = mac(x2, u, m[2], c);
        let (y2, c) = mac(x3, u, m[3], c);
        let (y3, c) = adc(x4, c, 0);
        t = [y0, y1, y2, y3];
        t4 = x5 + c;
    }
    // t + t4 * 2^256 < 2m: one conditional subtraction.
    let (r, borrow) = sub(&t, m);
    let (_, keep) = sbb(t4, 0, borrow);
    select(&r, &t, 0u64.wrapping_sub(keep))
}

/// `a^e / 2^(256 (e - 1)) mod m`, that is `a^e` in Montgomery form, for a public exponent
/// `e` whose top bit (255) is set: left-to-right square and multiply, branching on the
/// exponent's bits only (the field's and the scalars' Fermat inversion, `e = m - 2`,
/// without `ecc-improve-perf-increase-codesize`: the smallest code; the feature brings
/// safegcd instead). The same as `limbs32::mont_pow`.
#[cfg(not(feature = "ecc-improve-perf-increase-codesize"))]
pub(super) fn mont_pow(a: &Limbs, e: &Limbs, m: &Limbs, m0: u64) -> Limbs {
    let mut acc = *a;
    for i in (0..255).rev() {
        acc = mont_mul(&acc, &acc, m, m0);
        if (e[i / 64] >> (i % 64)) & 1 == 1 {
            acc = mont_mul(&acc, a, m, m0);
        }
    }
    acc
}

/// Big-endian 32 octets to limbs.
pub(super) fn from_be(b: &[u8; 32]) -> Limbs {
    let mut out = [0u64; 4];
    for (i, limb) in out.iter_mut().enumerate() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[24 - 8 * i..32 - 8 * i]);
        *limb = u64::from_be_bytes(w);
    }
    out
}

/// Limbs to big-endian 32 octets.
pub(super) fn to_be(a: &Limbs) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, limb) in a.iter().enumerate() {
        out[24 - 8 * i..32 - 8 * i].copy_from_slice(&limb.to_be_bytes());
    }
    out
}

/// All ones when `a == b`, else zero (for small table indices).
#[inline(always)]
pub(super) fn eq_mask(a: u64, b: u64) -> u64 {
    let t = a ^ b;
    ((t | t.wrapping_neg()) >> 63).wrapping_sub(1)
}

/// The 512-bit square `a^2`: the six cross products once and doubled, plus the squares (a
/// quarter fewer multiplications than `mul_wide`).
// Squaring has its own code with `ecc-improve-perf-increase-codesize` only (speed); without
// it (and on 32-bit limbs) the field multiplies.
#[cfg(feature = "ecc-improve-perf-increase-codesize")]
#[inline(always)]
fn sqr_wide(a: &Limbs) -> [u64; 8] {
    // Cross products a_i * a_j, i < j.
    let (t1, c) = mac(0, a[0], a[1], 0);
    let (t2, c) = mac(0, a[0], a[2], c);
    let (t3, t4) = mac(0, a[0], a[3], c);
    let (t3, c) = mac(t3, a[1], a[2], 0);
    let (t4, t5) = mac(t4, a[1], a[3], c);
    let (t5, t6) = mac(t5, a[2], a[3], 0);
    // Doubled.
    let t7 = t6 >> 63;
    let t6 = (t6 << 1) | (t5 >> 63);
    let t5 = (t5 << 1) | (t4 >> 63);
    let t4 = (t4 << 1) | (t3 >> 63);
    let t3 = (t3 << 1) | (t2 >> 63);
    let t2 = (t2 << 1) | (t1 >> 63);
    let t1 = t1 << 1;
    // Plus the squares a_i^2 at 2i.
    let (t0, hi) = mac(0, a[0], a[0], 0);
    let (t1, c) = adc(t1, hi, 0);
    let (lo, hi) = mac(0, a[1], a[1], 0);
    let (t2, c) = adc(t2, lo, c);
    let (t3, c) = adc(t3, hi, c);
    let (lo, hi) = mac(0, a[2], a[2], 0);
    let (t4, c) = adc(t4, lo, c);
    let (t5, c) = adc(t5, hi, c);
    let (lo, hi) = mac(0, a[3], a[3], 0);
    let (t6, c) = adc(t6, lo, c);
    let (t7, _) = adc(t7, hi, c);
    [t0, t1, t2, t3, t4, t5, t6, t7]
}

/// The 512-bit product `a * b` (schoolbook).
#[inline(always)]
fn mul_wide(a: &Limbs, b: &Limbs) -> [u64; 8] {
    let mut t = [0u64; 8];
    for (i, &bi) in b.iter().enumerate() {
        let mut c = 0;
        for (j, &aj) in a.iter().enumerate() {
            (t[i + j], c) = mac(t[i + j], aj, bi, c);
        }
        t[i + 4] = c;
    }
    t
}

/// The P-256 field prime's top limb, `2^64 - 2^32 + 1`.
const P256_TOP: u64 = 0xffff_ffff_0000_0001;

/// Montgomery reduction `t / 2^256 mod p` of a 512-bit `t < p * 2^256` for the P-256 prime
/// p = 2^256 - 2^224 + 2^192 + 2^96 - 1, whose form saves three of the four multiplications
/// of each step: with `-p^-1 = 1 mod 2^64` the step's multiplier is the low limb `u`
/// itself, `t_i + u (2^64 - 1)` leaves `u` as the carry, the next limb gains `u * 2^32`
/// (`u (2^32 - 1) + u`), and p's third limb is zero.
#[inline(always)]
fn reduce_p256(mut t: [u64; 8]) -> Limbs {
    let mut top = 0u64;
    for i in 0..4 {
        let u = t[i];
        let s = u128::from(t[i + 1]) + (u128::from(u) << 32);
        t[i + 1] = s as u64;
        let (x, c) = adc(t[i + 2], (s >> 64) as u64, 0);
        t[i + 2] = x;
        let (x, c) = mac(t[i + 3], u, P256_TOP, c);
        t[i + 3] = x;
        let (x, c) = adc(t[i + 4], c, top);
        t[i + 4] = x;
        top = c;
    }
    let r = [t[4], t[5], t[6], t[7]];
    let p = [0xffff_ffff_ffff_ffff, 0x0000_0000_ffff_ffff, 0, P256_TOP];
    let (s, borrow) = sub(&r, &p);
    let (_, keep) = sbb(top, 0, borrow);
    select(&s, &r, 0u64.wrapping_sub(keep))
}

/// `a * b / 2^256 mod p` for the P-256 prime (`a, b < p`).
#[inline(always)]
pub(super) fn mont_mul_p256(a: &Limbs, b: &Limbs) -> Limbs {
    reduce_p256(mul_wide(a, b))
}

/// `a^2 / 2^256 mod p` for the P-256 prime (`a < p`).
// Squaring has its own code with `ecc-improve-perf-increase-codesize` only (speed).
#[cfg(feature = "ecc-improve-perf-increase-codesize")]
#[inline(always)]
pub(super) fn mont_sqr_p256(a: &Limbs) -> Limbs {
    reduce_p256(sqr_wide(a))
}
