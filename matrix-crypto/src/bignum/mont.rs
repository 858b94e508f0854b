//! Montgomery arithmetic modulo an odd number of `s` limbs (R = 2^(LIMB_BITS s); the
//! [`Limb`] is 64 bits on 64-bit targets, 32 bits on 32-bit ones).
//!
//! Multiplication and squaring scan products column by column (FIPS: finely integrated
//! product scanning), the Montgomery reduction interleaved, in three-limb accumulators;
//! squaring computes each column's off-diagonal products once and doubles them, about a
//! quarter fewer limb products. Moduli above 4096 bits multiply by CIOS (coarsely integrated
//! operand scanning) instead, which needs no scratch. All end with one masked conditional
//! subtraction, so that the result is fully reduced without a branch on its value.

use super::{LIMB_BITS, LIMB_BYTES, Limb, WideLimb};
use alloc::vec;
use alloc::vec::Vec;
use matrix_core::{Error, Result};
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// `a + b * c + carry` as (low, high) limbs; cannot overflow a `WideLimb`.
#[inline(always)]
fn mac(a: Limb, b: Limb, c: Limb, carry: Limb) -> (Limb, Limb) {
    let t = WideLimb::from(a) + WideLimb::from(b) * WideLimb::from(c) + WideLimb::from(carry);
    (t as Limb, (t >> LIMB_BITS) as Limb)
}

/// An all-ones mask when `bit` (0 or 1) is 1, zero otherwise, through subtle's optimization
/// barrier so that the compiler does not turn it back into a branch.
#[inline(always)]
fn mask_from_bit(bit: Limb) -> Limb {
    let c = Choice::from((bit & 1) as u8);
    Limb::conditional_select(&0, &Limb::MAX, c)
}

/// `x -= m` when `hi` is 1 or `x >= m`, in constant time. `x` and `m` have the same length;
/// the value is `hi * R + x` with `hi` 0 or 1 and is less than `2m`. Inlined into each
/// kernel where the fixed-size kernels are compiled (speed); one shared copy in the
/// smallest builds (the CIOS kernel, doubling and modular addition call it: about 0.2 KB
/// less on a Cortex-M4).
#[cfg_attr(
    any(
        feature = "pubkey-fixed-size-kernels",
        feature = "pubkey-improve-perf-increase-codesize",
        feature = "1024-key-speed-optimizations"
    ),
    inline(always)
)]
#[cfg_attr(
    not(any(
        feature = "pubkey-fixed-size-kernels",
        feature = "pubkey-improve-perf-increase-codesize",
        feature = "1024-key-speed-optimizations"
    )),
    inline(never)
)]
pub(super) fn cond_sub(x: &mut [Limb], m: &[Limb], hi: Limb) {
    let s = m.len();
    let x = &mut x[..s];
    let mut borrow = 0 as Limb;
    for j in 0..s {
        let (d, b1) = x[j].overflowing_sub(m[j]);
        let (_, b2) = d.overflowing_sub(borrow);
        borrow = Limb::from(b1 | b2);
    }
    // Subtract when the s-limb subtraction did not borrow, or when there is a top limb.
    let mask = mask_from_bit(hi | (borrow ^ 1));
    let mut borrow = 0 as Limb;
    for j in 0..s {
        let mj = m[j] & mask;
        let (d, b1) = x[j].overflowing_sub(mj);
        let (d, b2) = d.overflowing_sub(borrow);
        x[j] = d;
        borrow = Limb::from(b1 | b2);
    }
}

/// Whether 512-bit numbers (8 limbs of 64 bits), the CRT halves of 1024-bit RSA keys, get
/// their own fixed-size kernels (`1024-key-speed-optimizations`); 1024 and 2048-bit numbers
/// (2048 and 4096-bit keys' halves, DH-2048) do with `pubkey-fixed-size-kernels` (a default) or
/// `pubkey-improve-perf-increase-codesize` (unrolled), other sizes use the generic loops.
#[cfg(any(
    feature = "1024-key-speed-optimizations",
    feature = "pubkey-improve-perf-increase-codesize"
))]
const FIXED_8_LIMBS: bool = true;
/// Whether 512-bit numbers get their own fixed-size kernels (see above).
#[cfg(not(any(
    feature = "1024-key-speed-optimizations",
    feature = "pubkey-improve-perf-increase-codesize"
)))]
const FIXED_8_LIMBS: bool = false;

/// Whether 1024 and 2048-bit numbers get fixed-size kernels (`pubkey-fixed-size-kernels`, or
/// unrolled ones with `pubkey-improve-perf-increase-codesize`): faster RSA-2048/4096 and DH,
/// about 5 KB more code on a Cortex-M4 for the loops.
const FIXED_16_32_LIMBS: bool = cfg!(any(
    feature = "pubkey-fixed-size-kernels",
    feature = "pubkey-improve-perf-increase-codesize"
));

/// Whether the product-scanning (Comba) kernels are compiled: with any of the fixed-size
/// kernel features. Without them (the smallest builds: `pubkey-fixed-size-kernels`,
/// `pubkey-improve-perf-increase-codesize` and `1024-key-speed-optimizations` all off) every
/// size takes the one CIOS loop ([`mul_n`]) and a squaring is a multiplication of the number
/// by itself: one Montgomery kernel instead of three (about 2 KB less on a Cortex-M4, see
/// FEATURES.md), at the price of slower private-key operations.
const SCANNING: bool = cfg!(any(
    feature = "pubkey-fixed-size-kernels",
    feature = "pubkey-improve-perf-increase-codesize",
    feature = "1024-key-speed-optimizations"
));

/// The limb counts of 512, 1024 and 2048-bit numbers (8, 16, 32 limbs of 64 bits), the
/// sizes of the fixed-size kernels.
const L512: usize = 512 / LIMB_BITS;
/// See [`L512`].
const L1024: usize = 1024 / LIMB_BITS;
/// See [`L512`].
const L2048: usize = 2048 / LIMB_BITS;

/// Up to this many limbs (4096 bits), multiplications of sizes without a fixed-size kernel
/// use product scanning with the reduction multipliers on the stack; larger ones use CIOS.
const GENERIC_COMBA_MAX: usize = 4096 / LIMB_BITS;

/// Calls the fixed-size instance of a kernel when the limb count has one, and returns.
/// Fixed sizes let the compiler unroll the inner loops and drop the bounds checks.
macro_rules! fixed_dispatch {
    ($s:expr, mul_n, ($out:expr, $a:expr, $b:expr, $m:expr, $m0:expr)) => {
        macro_rules! go {
            ($n:expr) => {
                if let (Ok(o), Ok(x), Ok(y), Ok(mm)) = (
                    <&mut [Limb; $n]>::try_from(&mut $out[..$n]),
                    <&[Limb; $n]>::try_from(&$a[..$n]),
                    <&[Limb; $n]>::try_from(&$b[..$n]),
                    <&[Limb; $n]>::try_from(&$m[..$n]),
                ) {
                    mul_fixed::<$n>(o, x, y, mm, $m0);
                    return;
                }
            };
        }
        match $s {
            L512 if FIXED_8_LIMBS => go!(L512),
            L1024 if FIXED_16_32_LIMBS => go!(L1024),
            L2048 if FIXED_16_32_LIMBS => go!(L2048),
            _ => {}
        }
    };
    ($s:expr, sqr_n, ($out:expr, $a:expr, $m:expr, $m0:expr, $scratch:expr)) => {
        macro_rules! go {
            ($n:expr) => {
                if let (Ok(o), Ok(x), Ok(mm)) = (
                    <&mut [Limb; $n]>::try_from(&mut $out[..$n]),
                    <&[Limb; $n]>::try_from(&$a[..$n]),
                    <&[Limb; $n]>::try_from(&$m[..$n]),
                ) {
                    sqr_fixed::<$n>(o, x, mm, $m0, $scratch);
                    return;
                }
            };
        }
        match $s {
            L512 if FIXED_8_LIMBS => go!(L512),
            L1024 if FIXED_16_32_LIMBS => go!(L1024),
            L2048 if FIXED_16_32_LIMBS => go!(L2048),
            _ => {}
        }
    };
}

/// Window size for a secret exponent of `exp_bits` bits (see the module documentation).
#[cfg(feature = "pubkey-optimize-for-faster-speed")]
pub(crate) fn window_for(exp_bits: usize) -> usize {
    if exp_bits >= 1536 {
        6
    } else if exp_bits >= 256 {
        5
    } else {
        4
    }
}

/// Window size for a secret exponent of `exp_bits` bits (see the module documentation).
#[cfg(not(feature = "pubkey-optimize-for-faster-speed"))]
pub(crate) fn window_for(exp_bits: usize) -> usize {
    if exp_bits >= 64 { 4 } else { 2 }
}

/// `x = 2x mod m` for `x < m`, constant time.
fn double_mod(x: &mut [Limb], m: &[Limb]) {
    let mut carry = 0 as Limb;
    for limb in x.iter_mut() {
        let nc = *limb >> (LIMB_BITS - 1);
        *limb = (*limb << 1) | carry;
        carry = nc;
    }
    cond_sub(x, m, carry);
}

/// An odd modulus with its Montgomery constants. Zeroized on drop: for RSA the modulus is a
/// secret prime.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub(crate) struct MontCtx {
    /// The modulus, `s` limbs, top limb nonzero.
    m: Vec<Limb>,
    /// `-m^-1 mod 2^64`.
    m0inv: Limb,
    /// `R mod m` (the Montgomery form of 1), then `R^2 mod m`: one vector rather than one
    /// each (one allocation, zeroization and free fewer per context, and smaller drop glue;
    /// a private key holds two contexts, its public key a third).
    consts: Vec<Limb>,
    /// Bit length of `m`.
    bits: usize,
}

impl MontCtx {
    /// Prepares an odd modulus greater than 1 given as limbs (the top limb must be nonzero).
    /// Constant-time in the modulus' value apart from its bit length.
    pub(crate) fn new(m: Vec<Limb>) -> Result<Self> {
        let s = m.len();
        if s == 0 || m[s - 1] == 0 || m[0] & 1 == 0 || (s == 1 && m[0] == 1) {
            return Err(Error::ArgFail);
        }
        let bits = LIMB_BITS * s - m[s - 1].leading_zeros() as usize;
        // Newton iteration for m0^-1 mod 2^LIMB_BITS: each step doubles the correct low bits.
        let m0 = m[0];
        let mut inv: Limb = 1;
        for _ in 0..6 {
            inv = inv.wrapping_mul((2 as Limb).wrapping_sub(m0.wrapping_mul(inv)));
        }
        let m0inv = inv.wrapping_neg();
        let mut ctx = MontCtx {
            m,
            m0inv,
            consts: vec![0; 2 * s],
            bits,
        };
        // one = 2^(LIMB_BITS s) mod m: start from 2^(bits-1) < m and double.
        let half = ctx.consts.len() / 2;
        let one = &mut ctx.consts[..half];
        one[(bits - 1) / LIMB_BITS] = 1 << ((bits - 1) % LIMB_BITS);
        for _ in 0..(LIMB_BITS * s - bits + 1) {
            double_mod(one, &ctx.m);
        }
        // rr = Montgomery form of R: square-and-double over the bits of LIMB_BITS s, in the
        // Montgomery domain (doubling a Montgomery form doubles the value it stands for).
        // One zeroized work area (acc | tmp | the squaring's 2s-limb scratch) rather than a
        // vector each: one allocation and one zeroization (the modulus may be a secret prime).
        let e = LIMB_BITS * s;
        let top = (usize::BITS - 1 - e.leading_zeros()) as usize;
        let mut work = Zeroizing::new(vec![0 as Limb; 4 * s]);
        let (acc, rest) = work.split_at_mut(s);
        let (tmp, scratch) = rest.split_at_mut(s);
        acc.copy_from_slice(ctx.one());
        for i in (0..=top).rev() {
            ctx.sqr_into(tmp, acc, scratch);
            acc.copy_from_slice(tmp);
            if (e >> i) & 1 == 1 {
                double_mod(acc, &ctx.m);
            }
        }
        ctx.consts[half..].copy_from_slice(acc);
        Ok(ctx)
    }

    /// `R mod m` and `R^2 mod m` (the halves of `consts`: split at half its length, a
    /// split that cannot fail, so no bounds check is compiled).
    fn one_rr(&self) -> (&[Limb], &[Limb]) {
        self.consts.split_at(self.consts.len() / 2)
    }

    /// `R mod m` (the Montgomery form of 1).
    fn one(&self) -> &[Limb] {
        self.one_rr().0
    }

    /// `R^2 mod m`.
    fn rr(&self) -> &[Limb] {
        self.one_rr().1
    }

    /// Number of limbs.
    pub(crate) fn nlimbs(&self) -> usize {
        self.m.len()
    }

    /// Bit length of the modulus.
    pub(crate) fn bits(&self) -> usize {
        self.bits
    }

    /// The modulus' limbs.
    pub(crate) fn modulus(&self) -> &[Limb] {
        &self.m
    }

    #[cfg(feature = "rsa")]
    /// Whether `x` (`s` limbs) is less than the modulus; variable time (public values).
    pub(crate) fn is_reduced_vartime(&self, x: &[Limb]) -> bool {
        if x.len() != self.m.len() {
            return false;
        }
        for i in (0..x.len()).rev() {
            if x[i] != self.m[i] {
                return x[i] < self.m[i];
            }
        }
        false
    }

    #[cfg(feature = "rsa")]
    /// `a = a + b mod m` for `a, b < m`, constant time.
    pub(crate) fn add_assign_mod(&self, a: &mut [Limb], b: &[Limb]) {
        let mut carry = 0 as Limb;
        for (x, y) in a.iter_mut().zip(b) {
            let t = WideLimb::from(*x) + WideLimb::from(*y) + WideLimb::from(carry);
            *x = t as Limb;
            carry = (t >> LIMB_BITS) as Limb;
        }
        cond_sub(a, &self.m, carry);
    }

    #[cfg(feature = "rsa")]
    /// `a = a - b mod m` for `a, b < m`, constant time.
    pub(crate) fn sub_assign_mod(&self, a: &mut [Limb], b: &[Limb]) {
        let mut borrow = 0 as Limb;
        for (x, y) in a.iter_mut().zip(b) {
            let (d, b1) = x.overflowing_sub(*y);
            let (d, b2) = d.overflowing_sub(borrow);
            *x = d;
            borrow = Limb::from(b1 | b2);
        }
        let mask = mask_from_bit(borrow);
        let mut carry = 0 as Limb;
        for (x, mj) in a.iter_mut().zip(&self.m) {
            let t = WideLimb::from(*x) + WideLimb::from(mj & mask) + WideLimb::from(carry);
            *x = t as Limb;
            carry = (t >> LIMB_BITS) as Limb;
        }
    }

    /// `out = a * b * R^-1 mod m` (CIOS). Needs `a < R` and `b < m`; `out`, `a`, `b` have
    /// `s` limbs. The result is fully reduced.
    pub(crate) fn mul_into(&self, out: &mut [Limb], a: &[Limb], b: &[Limb]) {
        let s = self.m.len();
        fixed_dispatch!(s, mul_n, (out, a, b, &self.m, self.m0inv));
        if SCANNING && s <= GENERIC_COMBA_MAX {
            let mut q = [0 as Limb; GENERIC_COMBA_MAX];
            mul_comba(out, a, b, &self.m, self.m0inv, &mut q[..s]);
            q.zeroize();
        } else {
            mul_n(out, a, b, &self.m, self.m0inv);
        }
    }

    /// `out = a^2 * R^-1 mod m` for `a < m`; `scratch` has `2 s` limbs.
    pub(crate) fn sqr_into(&self, out: &mut [Limb], a: &[Limb], scratch: &mut [Limb]) {
        if !SCANNING {
            self.mul_into(out, a, a);
            return;
        }
        let s = self.m.len();
        fixed_dispatch!(s, sqr_n, (out, a, &self.m, self.m0inv, scratch));
        sqr_comba(out, a, &self.m, self.m0inv, &mut scratch[..s]);
    }

    /// `a * b * R^-1 mod m` into a new (zeroizing) vector.
    pub(crate) fn mul(&self, a: &[Limb], b: &[Limb]) -> Zeroizing<Vec<Limb>> {
        let mut out = Zeroizing::new(vec![0 as Limb; self.m.len()]);
        self.mul_into(&mut out, a, b);
        out
    }

    /// The Montgomery form `x R mod m` of any `x < R` (`s` limbs; need not be reduced).
    pub(crate) fn to_mont(&self, x: &[Limb]) -> Zeroizing<Vec<Limb>> {
        self.mul(x, self.rr())
    }

    /// The ordinary value of a Montgomery form.
    pub(crate) fn mont_to_plain(&self, x: &[Limb]) -> Zeroizing<Vec<Limb>> {
        let mut unit = vec![0 as Limb; self.m.len()];
        unit[0] = 1;
        self.mul(x, &unit)
    }

    #[cfg(feature = "rsa")]
    /// The Montgomery form of `x mod m` for `x` of any number of limbs, in time that
    /// depends only on the lengths (Horner's rule over `s`-limb chunks).
    pub(crate) fn reduce_to_mont(&self, x: &[Limb]) -> Zeroizing<Vec<Limb>> {
        let s = self.m.len();
        let nchunks = x.len().div_ceil(s).max(1);
        let mut chunk = Zeroizing::new(vec![0 as Limb; s]);
        let mut acc = Zeroizing::new(vec![0 as Limb; s]);
        let mut tmp = Zeroizing::new(vec![0 as Limb; s]);
        for c in (0..nchunks).rev() {
            chunk.fill(0);
            let start = c * s;
            let end = (start + s).min(x.len());
            if start < end {
                chunk[..end - start].copy_from_slice(&x[start..end]);
            }
            // chunk R mod m (chunk < R, rr < m).
            self.mul_into(&mut tmp, &chunk, self.rr());
            if c == nchunks - 1 {
                acc.copy_from_slice(&tmp);
            } else {
                // acc <- acc * R (Montgomery form of value * R) + chunk.
                let mut shifted = self.mul(&acc, self.rr());
                self.add_assign_mod(&mut shifted, &tmp);
                acc.copy_from_slice(&shifted);
            }
        }
        acc
    }

    /// `base^exp` in the Montgomery domain (`base_m` a Montgomery form), constant-time in
    /// `exp` and `base_m`: a fixed window over `exp_bits` bits (a public length; bits of
    /// `exp` above it must be zero), each table entry chosen by a masked scan of the whole
    /// table.
    pub(crate) fn pow_ct(
        &self,
        base_m: &[Limb],
        exp: &[Limb],
        exp_bits: usize,
    ) -> Zeroizing<Vec<Limb>> {
        let s = self.m.len();
        let w = window_for(exp_bits);
        let entries = 1usize << w;
        let mut table = Zeroizing::new(vec![0 as Limb; entries * s]);
        table[..s].copy_from_slice(self.one());
        table[s..2 * s].copy_from_slice(&base_m[..s]);
        for k in 2..entries {
            let (done, rest) = table.split_at_mut(k * s);
            let prev = &done[(k - 1) * s..];
            self.mul_into(&mut rest[..s], prev, &base_m[..s]);
        }
        let mut acc = Zeroizing::new(self.one().to_vec());
        let mut tmp = Zeroizing::new(vec![0 as Limb; s]);
        let mut sel = Zeroizing::new(vec![0 as Limb; s]);
        let mut scratch = Zeroizing::new(vec![0 as Limb; 2 * s]);
        let nwin = exp_bits.div_ceil(w);
        for win in (0..nwin).rev() {
            let idx = window_bits(exp, win * w, w);
            select_entry(&mut sel, &table, s, idx);
            if win == nwin - 1 {
                acc.copy_from_slice(&sel);
                continue;
            }
            for _ in 0..w {
                self.sqr_into(&mut tmp, &acc, &mut scratch);
                core::mem::swap(&mut *acc, &mut *tmp);
            }
            self.mul_into(&mut tmp, &acc, &sel);
            core::mem::swap(&mut *acc, &mut *tmp);
        }
        acc
    }

    /// `base^exp` in the Montgomery domain by left-to-right square-and-multiply. The
    /// sequence of operations depends on `exp` (use for public exponents only); the
    /// arithmetic itself is constant-time in `base_m`.
    pub(crate) fn pow_vartime_exp(&self, base_m: &[Limb], exp_be: &[u8]) -> Zeroizing<Vec<Limb>> {
        let s = self.m.len();
        // The exponent's bits straight from its big-endian octets (public): no limb vector
        // of it to make, keep or free.
        let exp = super::strip_be(exp_be);
        let Some(&top) = exp.first() else {
            return Zeroizing::new(self.one().to_vec());
        };
        let bits = 8 * exp.len() - top.leading_zeros() as usize;
        let mut acc = Zeroizing::new(base_m[..s].to_vec());
        let mut tmp = Zeroizing::new(vec![0 as Limb; s]);
        let mut scratch = Zeroizing::new(vec![0 as Limb; 2 * s]);
        for i in (0..bits - 1).rev() {
            self.sqr_into(&mut tmp, &acc, &mut scratch);
            core::mem::swap(&mut *acc, &mut *tmp);
            if (exp[exp.len() - 1 - i / 8] >> (i % 8)) & 1 == 1 {
                self.mul_into(&mut tmp, &acc, base_m);
                core::mem::swap(&mut *acc, &mut *tmp);
            }
        }
        acc
    }
}

/// The `w` bits of `exp` starting at bit `pos` (a public position); bits past the end of
/// `exp` read as zero.
#[inline(always)]
fn window_bits(exp: &[Limb], pos: usize, w: usize) -> Limb {
    let limb = pos / LIMB_BITS;
    let off = pos % LIMB_BITS;
    let mut v = exp.get(limb).copied().unwrap_or(0) >> off;
    if off + w > LIMB_BITS {
        v |= exp.get(limb + 1).copied().unwrap_or(0) << (LIMB_BITS - off);
    }
    v & ((1 << w) - 1)
}

/// `out = table[idx]`, reading every entry and keeping the wanted one under a mask.
#[inline(always)]
fn select_entry(out: &mut [Limb], table: &[Limb], s: usize, idx: Limb) {
    out.fill(0);
    for (k, entry) in table.chunks_exact(s).enumerate() {
        let mask = Limb::conditional_select(&0, &Limb::MAX, (k as Limb).ct_eq(&idx));
        for (o, e) in out.iter_mut().zip(entry) {
            *o |= e & mask;
        }
    }
}

#[cfg(feature = "rsa")]
/// The schoolbook product of `a` and `b` (`a.len() + b.len()` limbs), constant time.
pub(crate) fn mul_plain(a: &[Limb], b: &[Limb]) -> Zeroizing<Vec<Limb>> {
    let mut out = Zeroizing::new(vec![0 as Limb; a.len() + b.len()]);
    for (i, &ai) in a.iter().enumerate() {
        let mut carry = 0 as Limb;
        for (j, &bj) in b.iter().enumerate() {
            let (lo, hi) = mac(out[i + j], ai, bj, carry);
            out[i + j] = lo;
            carry = hi;
        }
        out[i + b.len()] = carry;
    }
    out
}

#[cfg(feature = "rsa")]
/// `a += b` over `a.len()` limbs (`b` no longer than `a`), returning the carry out.
pub(crate) fn add_assign_plain(a: &mut [Limb], b: &[Limb]) -> Limb {
    let mut carry = 0 as Limb;
    for (i, x) in a.iter_mut().enumerate() {
        let y = b.get(i).copied().unwrap_or(0);
        let t = WideLimb::from(*x) + WideLimb::from(y) + WideLimb::from(carry);
        *x = t as Limb;
        carry = (t >> LIMB_BITS) as Limb;
    }
    carry
}

#[cfg(feature = "rsa")]
/// Constant-time equality of two limb vectors of the same (public) length.
pub(crate) fn ct_eq_limbs(a: &[Limb], b: &[Limb]) -> Choice {
    let mut acc = 0 as Limb;
    for (x, y) in a.iter().zip(b) {
        acc |= x ^ y;
    }
    acc.ct_eq(&0) & Choice::from(u8::from(a.len() == b.len()))
}

/// Constant-time `a < b` for limb vectors (the shorter one read as zero-extended).
pub(crate) fn ct_lt_limbs(a: &[Limb], b: &[Limb]) -> Choice {
    let len = a.len().max(b.len());
    let mut borrow = 0 as Limb;
    for i in 0..len {
        let x = a.get(i).copied().unwrap_or(0);
        let y = b.get(i).copied().unwrap_or(0);
        let (d, b1) = x.overflowing_sub(y);
        let (_, b2) = d.overflowing_sub(borrow);
        borrow = Limb::from(b1 | b2);
    }
    Choice::from(borrow as u8)
}

/// CIOS Montgomery multiplication on slices of one length (see [`MontCtx::mul_into`]).
#[inline(always)]
fn mul_n(out: &mut [Limb], a: &[Limb], b: &[Limb], m: &[Limb], m0inv: Limb) {
    let s = m.len();
    let (a, b, out) = (&a[..s], &b[..s], &mut out[..s]);
    out.fill(0);
    let mut hi = 0 as Limb;
    for &ai in a {
        let (t0, mut c1) = mac(out[0], ai, b[0], 0);
        let q = t0.wrapping_mul(m0inv);
        let (_, mut c2) = mac(t0, q, m[0], 0);
        for j in 1..s {
            let (x, c) = mac(out[j], ai, b[j], c1);
            c1 = c;
            let (y, c) = mac(x, q, m[j], c2);
            c2 = c;
            out[j - 1] = y;
        }
        let sum = WideLimb::from(hi) + WideLimb::from(c1) + WideLimb::from(c2);
        out[s - 1] = sum as Limb;
        hi = (sum >> LIMB_BITS) as Limb;
    }
    cond_sub(out, m, hi);
}

/// `mul_n` at a fixed size: the unrolled kernel where there is one
/// (`pubkey-improve-perf-increase-codesize`), else the product-scanning loops.
fn mul_fixed<const N: usize>(
    out: &mut [Limb; N],
    a: &[Limb; N],
    b: &[Limb; N],
    m: &[Limb; N],
    m0inv: Limb,
) {
    if !unrolled_mul(out, a, b, m, m0inv) {
        let mut q = [0 as Limb; N];
        mul_comba(out, a, b, m, m0inv, &mut q);
        q.zeroize();
    }
}

/// [`sqr_n`] at a fixed size: the unrolled kernel where there is one, else the loops.
fn sqr_fixed<const N: usize>(
    out: &mut [Limb; N],
    a: &[Limb; N],
    m: &[Limb; N],
    m0inv: Limb,
    scratch: &mut [Limb],
) {
    if !unrolled_sqr(out, a, m, m0inv) {
        sqr_comba(out, a, m, m0inv, &mut scratch[..N]);
    }
}

#[cfg(all(feature = "pubkey-improve-perf-increase-codesize", not(matrix_limb32)))]
use super::unrolled::{mul as unrolled_mul, sqr as unrolled_sqr};

/// Without `pubkey-improve-perf-increase-codesize` (or with 32-bit limbs) there is no
/// unrolled multiplication.
#[cfg(any(not(feature = "pubkey-improve-perf-increase-codesize"), matrix_limb32))]
#[inline(always)]
fn unrolled_mul<const N: usize>(
    _: &mut [Limb; N],
    _: &[Limb; N],
    _: &[Limb; N],
    _: &[Limb; N],
    _: Limb,
) -> bool {
    false
}

/// Without `pubkey-improve-perf-increase-codesize` (or with 32-bit limbs) there is no
/// unrolled squaring.
#[cfg(any(not(feature = "pubkey-improve-perf-increase-codesize"), matrix_limb32))]
#[inline(always)]
fn unrolled_sqr<const N: usize>(_: &mut [Limb; N], _: &[Limb; N], _: &[Limb; N], _: Limb) -> bool {
    false
}

/// `(lo, hi) += x * y` on a three-limb column accumulator.
#[inline(always)]
fn acc_mac(lo: &mut WideLimb, hi: &mut Limb, x: Limb, y: Limb) {
    let (s, c) = lo.overflowing_add(WideLimb::from(x) * WideLimb::from(y));
    *lo = s;
    *hi += Limb::from(c);
}

/// Shifts the accumulator down one limb.
#[inline(always)]
fn acc_shift(lo: &mut WideLimb, hi: &mut Limb) {
    *lo = (*lo >> LIMB_BITS) | (WideLimb::from(*hi) << LIMB_BITS);
    *hi = 0;
}

/// Adds the accumulator `(xlo, xhi)` into `(lo, hi)`.
#[inline(always)]
fn acc_add(lo: &mut WideLimb, hi: &mut Limb, xlo: WideLimb, xhi: Limb) {
    let (sum, c) = lo.overflowing_add(xlo);
    *lo = sum;
    *hi += xhi + Limb::from(c);
}

/// Montgomery multiplication by product scanning (FIPS: the product and the reduction
/// interleaved column by column, in three-limb accumulators: one for the product terms and
/// one for the reduction terms, two independent carry chains). `q` holds `s` limbs of
/// scratch (the reduction multipliers).
#[inline(always)]
fn mul_comba(out: &mut [Limb], a: &[Limb], b: &[Limb], m: &[Limb], m0inv: Limb, q: &mut [Limb]) {
    let s = m.len();
    let (a, b, out, q) = (&a[..s], &b[..s], &mut out[..s], &mut q[..s]);
    let (mut lo, mut hi) = (0 as WideLimb, 0 as Limb);
    for i in 0..s {
        let (mut rlo, mut rhi) = (0 as WideLimb, 0 as Limb);
        for j in 0..i {
            acc_mac(&mut lo, &mut hi, a[j], b[i - j]);
            acc_mac(&mut rlo, &mut rhi, q[j], m[i - j]);
        }
        acc_mac(&mut lo, &mut hi, a[i], b[0]);
        acc_add(&mut lo, &mut hi, rlo, rhi);
        let qi = (lo as Limb).wrapping_mul(m0inv);
        q[i] = qi;
        acc_mac(&mut lo, &mut hi, qi, m[0]);
        acc_shift(&mut lo, &mut hi);
    }
    for i in s..2 * s {
        let (mut rlo, mut rhi) = (0 as WideLimb, 0 as Limb);
        for j in (i - s + 1)..s {
            acc_mac(&mut lo, &mut hi, a[j], b[i - j]);
            acc_mac(&mut rlo, &mut rhi, q[j], m[i - j]);
        }
        acc_add(&mut lo, &mut hi, rlo, rhi);
        out[i - s] = lo as Limb;
        acc_shift(&mut lo, &mut hi);
    }
    cond_sub(out, m, lo as Limb);
}

/// Montgomery squaring by product scanning: each column's off-diagonal products once,
/// doubled, plus the diagonal square, plus the reduction terms.
#[inline(always)]
fn sqr_comba(out: &mut [Limb], a: &[Limb], m: &[Limb], m0inv: Limb, q: &mut [Limb]) {
    let s = m.len();
    let (a, out, q) = (&a[..s], &mut out[..s], &mut q[..s]);
    let (mut lo, mut hi) = (0 as WideLimb, 0 as Limb);
    for k in 0..2 * s - 1 {
        // Off-diagonal pairs a[i] a[k-i] with i < k - i, doubled.
        let (mut dlo, mut dhi) = (0 as WideLimb, 0 as Limb);
        let mut i = k.saturating_sub(s - 1);
        while 2 * i < k {
            acc_mac(&mut dlo, &mut dhi, a[i], a[k - i]);
            i += 1;
        }
        dhi = (dhi << 1) | (dlo >> (2 * LIMB_BITS - 1)) as Limb;
        dlo <<= 1;
        acc_add(&mut lo, &mut hi, dlo, dhi);
        if k % 2 == 0 {
            acc_mac(&mut lo, &mut hi, a[k / 2], a[k / 2]);
        }
        if k < s {
            for j in 0..k {
                acc_mac(&mut lo, &mut hi, q[j], m[k - j]);
            }
            let qk = (lo as Limb).wrapping_mul(m0inv);
            q[k] = qk;
            acc_mac(&mut lo, &mut hi, qk, m[0]);
        } else {
            for j in (k - s + 1)..s {
                acc_mac(&mut lo, &mut hi, q[j], m[k - j]);
            }
            out[k - s] = lo as Limb;
        }
        acc_shift(&mut lo, &mut hi);
    }
    out[s - 1] = lo as Limb;
    acc_shift(&mut lo, &mut hi);
    cond_sub(out, m, lo as Limb);
}

impl MontCtx {
    /// The heap bytes of the modulus and its precomputed values (memory accounting).
    pub(crate) fn heap_bytes(&self) -> usize {
        (self.m.capacity() + self.consts.capacity()) * LIMB_BYTES
    }
}
