//! Unrolled Montgomery kernels (`pubkey-improve-perf-increase-codesize`): the product-scanning
//! multiplication and squaring of `mont.rs` written out by `build.rs` for 8, 16 and 32
//! limbs (the CRT halves of 1024, 2048 and 4096-bit RSA keys; 32 limbs is also DH-2048),
//! multiplication for 8 and 16 limbs only. Straight-line code with constant indices: no
//! branch and no index depends on the operands' values, as in the looped kernels.

use super::mont::cond_sub;
use zeroize::Zeroize;

/// `c += x * y` on a three-limb column accumulator.
#[inline(always)]
fn mac3(c: &mut [u64; 3], x: u64, y: u64) {
    let p = u128::from(x) * u128::from(y);
    let s = u128::from(c[0]) + u128::from(p as u64);
    c[0] = s as u64;
    let s2 = u128::from(c[1]) + (p >> 64) + (s >> 64);
    c[1] = s2 as u64;
    c[2] = c[2].wrapping_add((s2 >> 64) as u64);
}

/// `c += 2 d` (the doubled off-diagonal products of a squaring's column).
#[inline(always)]
fn add_doubled(c: &mut [u64; 3], d: &[u64; 3]) {
    let d2 = (d[2] << 1) | (d[1] >> 63);
    let d1 = (d[1] << 1) | (d[0] >> 63);
    let d0 = d[0] << 1;
    let s = u128::from(c[0]) + u128::from(d0);
    c[0] = s as u64;
    let s2 = u128::from(c[1]) + u128::from(d1) + (s >> 64);
    c[1] = s2 as u64;
    c[2] = c[2].wrapping_add(d2).wrapping_add((s2 >> 64) as u64);
}

include!(concat!(env!("OUT_DIR"), "/mont_unrolled.rs"));

/// Runs the unrolled multiplication for `N` limbs when there is one (`N` is public: the
/// choice is made at compile time); returns whether it did.
#[inline(always)]
pub(super) fn mul<const N: usize>(
    out: &mut [u64; N],
    a: &[u64; N],
    b: &[u64; N],
    m: &[u64; N],
    m0inv: u64,
) -> bool {
    macro_rules! go {
        ($n:literal, $f:ident) => {
            if let (Ok(o), Ok(x), Ok(y), Ok(mm)) = (
                <&mut [u64; $n]>::try_from(&mut out[..]),
                <&[u64; $n]>::try_from(&a[..]),
                <&[u64; $n]>::try_from(&b[..]),
                <&[u64; $n]>::try_from(&m[..]),
            ) {
                $f(o, x, y, mm, m0inv);
                return true;
            }
        };
    }
    match N {
        8 => go!(8, mul_8),
        16 => go!(16, mul_16),
        _ => {}
    }
    false
}

/// Runs the unrolled squaring for `N` limbs when there is one; returns whether it did.
#[inline(always)]
pub(super) fn sqr<const N: usize>(
    out: &mut [u64; N],
    a: &[u64; N],
    m: &[u64; N],
    m0inv: u64,
) -> bool {
    macro_rules! go {
        ($n:literal, $f:ident) => {
            if let (Ok(o), Ok(x), Ok(mm)) = (
                <&mut [u64; $n]>::try_from(&mut out[..]),
                <&[u64; $n]>::try_from(&a[..]),
                <&[u64; $n]>::try_from(&m[..]),
            ) {
                $f(o, x, mm, m0inv);
                return true;
            }
        };
    }
    match N {
        8 => go!(8, sqr_8),
        16 => go!(16, sqr_16),
        32 => go!(32, sqr_32),
        _ => {}
    }
    false
}
