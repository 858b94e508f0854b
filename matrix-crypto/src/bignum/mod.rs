//! Constant-time multi-precision arithmetic for RSA and Diffie-Hellman.
//!
//! This module owns the big-number arithmetic under `crate::rsa` and `crate::dh`:
//! fixed-width numbers of `Limb`s (u64, or u32 under `matrix_limb32`; least significant
//! first), Montgomery multiplication and squaring (product scanning with double-width products), modular exponentiation with a
//! fixed window whose table entry is selected by scanning the whole table under masks, and the conversions
//! to and from big-endian octet strings (RFC 8017 section 4, I2OSP / OS2IP).
//!
//! Every operation on secret values runs the same instructions and touches the same memory
//! whatever those values are: lengths (of moduli, exponents, inputs) are public and may
//! steer loops; limb values never steer a branch or an index. The bit length of a modulus
//! is treated as public (it is, for RSA primes and DH groups alike).
//!
//! [`Modulus`] is the small public face of this arithmetic, for tests and for callers that
//! need a modular exponentiation of their own; RSA and DH use the crate-internal `MontCtx`.
//!
//! Window size: with `pubkey-optimize-for-faster-speed` the secret-exponent window is 5
//! bits (6 for exponents of 1536 bits and more), a table of 32 or 64 residues; otherwise
//! (`pubkey-optimize-for-smaller-ram`, the default, or neither feature) it is 4 bits, a
//! table of 16 residues. When both features are on, faster-speed wins. (The table is the
//! exponentiation's only large buffer: 2 KiB for the CRT halves of an RSA-2048 key with a
//! 4-bit window, 16 KiB for an RSA-4096 half with a 6-bit window.)
//!
//! Kernels (limb counts are of 64-bit limbs; twice as many 32-bit ones, see below):
//! multiplication and squaring are product-scanning loops; moduli of 16 and 32
//! limbs (the CRT halves of 2048 and 4096-bit RSA keys, 1024 and 2048-bit DH groups) run
//! instances compiled for that fixed size, which the compiler optimizes better, with
//! `pubkey-fixed-size-kernels` (a default; off in size-first builds). The
//! `1024-key-speed-optimizations` feature adds the 8-limb instance, used by the 512-bit CRT
//! halves of 1024-bit RSA keys (about 10% faster private operations with such keys);
//! without it they run the generic loops. `pubkey-improve-perf-increase-codesize` swaps
//! the looped fixed-size instances for unrolled ones (the `unrolled` module, written by
//! `build.rs`): squaring and multiplication at 8 and 16 limbs, squaring at 32 limbs, about
//! 30% fewer instructions per exponentiation for about 98 KB of code.
//!
//! Limbs: 64 bits with 128-bit products on 64-bit targets; 32 bits with 64-bit products on
//! 32-bit targets (build.rs sets `matrix_limb32` there), where a 64 x 64-bit product is
//! four multiplications and its carries many more instructions: one UMULL/UMLAL per limb
//! product on a Cortex-M, and smaller code (minimal-server's library text 67,444 to
//! 66,060 B). The unrolled kernels exist for 64-bit limbs only (with 32-bit limbs that
//! feature keeps the looped fixed-size kernels). Tests run the 32-bit arithmetic on a 64-bit
//! host with `RUSTFLAGS="--cfg matrix_limb32"` (a step of `cargo xtask ci`).

mod mont;
#[cfg(all(feature = "pubkey-improve-perf-increase-codesize", not(matrix_limb32)))]
mod unrolled;

/// One limb of a number: the target's word (see the module documentation).
#[cfg(not(matrix_limb32))]
pub(crate) type Limb = u64;
/// A double limb: holds any `a + b * c + d` of limbs.
#[cfg(not(matrix_limb32))]
pub(crate) type WideLimb = u128;
/// One limb of a number: the target's word (see the module documentation).
#[cfg(matrix_limb32)]
pub(crate) type Limb = u32;
/// A double limb: holds any `a + b * c + d` of limbs.
#[cfg(matrix_limb32)]
pub(crate) type WideLimb = u64;

/// Bits in a limb.
pub(crate) const LIMB_BITS: usize = Limb::BITS as usize;
/// Octets in a limb.
pub(crate) const LIMB_BYTES: usize = LIMB_BITS / 8;

pub(crate) use mont::{MontCtx, ct_lt_limbs};
#[cfg(feature = "rsa")]
pub(crate) use mont::{add_assign_plain, ct_eq_limbs, mul_plain};

use alloc::vec::Vec;
use matrix_core::{Error, Result};
use zeroize::Zeroizing;

/// Converts a big-endian octet string into `nlimbs` little-endian limbs, or fails with
/// `ArgFail` when the value does not fit. Leading zero octets are allowed.
///
/// Branches only on the length of `be` (public), never on its octets' values, except
/// that an overlong input is rejected by looking at its extra leading octets.
pub(crate) fn limbs_from_be(be: &[u8], nlimbs: usize) -> Result<Vec<Limb>> {
    let mut out = alloc::vec![0 as Limb; nlimbs];
    let cap = nlimbs * LIMB_BYTES;
    let (extra, body) = if be.len() > cap {
        be.split_at(be.len() - cap)
    } else {
        (&[][..], be)
    };
    if extra.iter().fold(0u8, |acc, b| acc | b) != 0 {
        return Err(Error::ArgFail);
    }
    for (i, byte) in body.iter().rev().enumerate() {
        out[i / LIMB_BYTES] |= Limb::from(*byte) << (8 * (i % LIMB_BYTES));
    }
    Ok(out)
}

/// Writes `limbs` as a big-endian octet string of exactly `out.len()` octets. Limbs beyond
/// the output are ignored (callers pass values known to fit).
pub(crate) fn limbs_to_be(limbs: &[Limb], out: &mut [u8]) {
    for (i, o) in out.iter_mut().rev().enumerate() {
        let limb = limbs.get(i / LIMB_BYTES).copied().unwrap_or(0);
        *o = (limb >> (8 * (i % LIMB_BYTES))) as u8;
    }
}

/// The number of significant bits of a limb vector (variable time: for public values and
/// for lengths that are public).
pub(crate) fn bit_len_vartime(limbs: &[Limb]) -> usize {
    for i in (0..limbs.len()).rev() {
        if limbs[i] != 0 {
            return LIMB_BITS * (i + 1) - limbs[i].leading_zeros() as usize;
        }
    }
    0
}

/// Strips leading zero octets (for public values only).
pub(crate) fn strip_be(be: &[u8]) -> &[u8] {
    let first = be.iter().position(|&b| b != 0).unwrap_or(be.len());
    &be[first..]
}

/// An odd modulus prepared for Montgomery arithmetic, with byte-level operations.
///
/// This is the public face of the arithmetic RSA and DH use, for tests and for callers
/// with a modular exponentiation of their own. All inputs and outputs are big-endian
/// octet strings; outputs have the modulus' byte length, leading zeros kept.
pub struct Modulus {
    ctx: MontCtx,
    len: usize,
}

impl Modulus {
    /// Prepares the odd modulus `m` (big-endian, leading zeros allowed), which must be
    /// greater than 1 and at most 16384 bits; `ArgFail` otherwise.
    pub fn from_be_bytes(m: &[u8]) -> Result<Self> {
        let m = strip_be(m);
        if m.is_empty() || m.len() > 2048 {
            return Err(Error::ArgFail);
        }
        let nlimbs = m.len().div_ceil(LIMB_BYTES);
        let limbs = limbs_from_be(m, nlimbs)?;
        let ctx = MontCtx::new(limbs)?;
        Ok(Modulus { ctx, len: m.len() })
    }

    /// The bit length of the modulus.
    pub fn bits(&self) -> usize {
        self.ctx.bits()
    }

    /// The byte length of the modulus (the length of every output).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false: a modulus has at least one byte. (Here for clippy's `len` rule.)
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn residue(&self, x: &[u8]) -> Result<Zeroizing<Vec<Limb>>> {
        let v = Zeroizing::new(limbs_from_be(x, self.ctx.nlimbs())?);
        // Constant-time range check: the operand may be secret.
        if !bool::from(ct_lt_limbs(&v, self.ctx.modulus())) {
            return Err(Error::ArgFail);
        }
        Ok(v)
    }

    fn output(&self, limbs: &[Limb]) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(alloc::vec![0u8; self.len]);
        limbs_to_be(limbs, &mut out);
        out
    }

    /// `a * b mod m`; `a` and `b` must be less than the modulus (`ArgFail` otherwise).
    pub fn mul_mod(&self, a: &[u8], b: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let a = self.residue(a)?;
        let b = self.residue(b)?;
        let am = self.ctx.to_mont(&a);
        let r = self.ctx.mul(&am, &b);
        Ok(self.output(&r))
    }

    /// `base ^ exp mod m` in time independent of the value of `exp` (its length is public)
    /// and of `base`; `base` must be less than the modulus.
    pub fn pow_mod(&self, base: &[u8], exp: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let base = self.residue(base)?;
        let exp_limbs = Zeroizing::new(limbs_from_be(exp, exp.len().div_ceil(LIMB_BYTES))?);
        let bm = self.ctx.to_mont(&base);
        let rm = self.ctx.pow_ct(&bm, &exp_limbs, exp.len() * 8);
        let r = self.ctx.mont_to_plain(&rm);
        Ok(self.output(&r))
    }

    /// `base ^ exp mod m` with a running time that depends on `exp` (for public exponents);
    /// constant-time in `base`.
    pub fn pow_mod_public(&self, base: &[u8], exp: &[u8]) -> Result<Vec<u8>> {
        let base = self.residue(base)?;
        let bm = self.ctx.to_mont(&base);
        let rm = self.ctx.pow_vartime_exp(&bm, exp);
        let r = self.ctx.mont_to_plain(&rm);
        Ok(self.output(&r).to_vec())
    }
}

impl core::fmt::Debug for Modulus {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Modulus")
            .field("bits", &self.bits())
            .finish_non_exhaustive()
    }
}
