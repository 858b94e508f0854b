//! The SEED block cipher of RFC 4269 (128-bit block, 128-bit key, 16-round Feistel network),
//! written in-tree because no SEED crate of the `cipher` 0.5 generation exists.
//!
//! This module owns the key schedule, the round function and the `cipher` 0.5 block cipher
//! traits, so that [`Seed`] plugs into the `cbc` mode like the AES and DES crates. The S-boxes
//! are not transcribed: they are computed at compile time from their algebraic definition
//! (RFC 4269 section 2: `S1(x) = A1 * x^247 + 169`, `S2(x) = A2 * x^251 + 56` over
//! GF(2^8) modulo `x^8 + x^6 + x^5 + x + 1`), and the tests check them against the RFC's
//! known answers and against OpenSSL.
//!
//! The lookups are table-driven (the four `SS` boxes of 1 KiB each), like the reference; they
//! are not constant-time with respect to cache timing.

use cipher::{
    AlgorithmName, Block, BlockCipherDecBackend, BlockCipherDecClosure, BlockCipherDecrypt,
    BlockCipherEncBackend, BlockCipherEncClosure, BlockCipherEncrypt, BlockSizeUser, InOut, Key,
    KeyInit, KeySizeUser, ParBlocksSizeUser,
    consts::{U1, U16},
};
use core::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Reduction polynomial of SEED's field GF(2^8): x^8 + x^6 + x^5 + x + 1.
const POLY: u16 = 0x163;

/// The 8x8 binary matrices A1 and A2 of RFC 4269, given by their columns: entry `i` is the
/// image of the field element whose only set bit is bit `i`.
const A1_COLUMNS: [u8; 8] = [0x2c, 0xd0, 0x69, 0xc2, 0x41, 0x44, 0x58, 0xe2];
const A2_COLUMNS: [u8; 8] = [0xd0, 0x2a, 0xe1, 0x2c, 0x21, 0x30, 0xa2, 0x6c];

/// The masks m0..m3 of the G function.
const M0: u8 = 0xfc;
const M1: u8 = 0xf3;
const M2: u8 = 0xcf;
const M3: u8 = 0x3f;

/// KC0 of the key schedule: the golden ratio constant; KC(i) is KC0 rotated left by i.
const KC0: u32 = 0x9e37_79b9;

/// Multiplication in GF(2^8) modulo [`POLY`].
const fn gf_mul(mut a: u8, mut b: u8) -> u8 {
    let mut r = 0u8;
    while b != 0 {
        if b & 1 != 0 {
            r ^= a;
        }
        b >>= 1;
        let carry = a & 0x80 != 0;
        a <<= 1;
        if carry {
            // The high bit of POLY (x^8) was shifted out; fold in the rest.
            a ^= (POLY & 0xff) as u8;
        }
    }
    r
}

/// `x^e` in GF(2^8), square and multiply.
const fn gf_pow(x: u8, mut e: u32) -> u8 {
    let mut base = x;
    let mut r = 1u8;
    while e != 0 {
        if e & 1 != 0 {
            r = gf_mul(r, base);
        }
        base = gf_mul(base, base);
        e >>= 1;
    }
    r
}

/// `A * v + c` for a matrix given by its columns.
const fn affine(columns: &[u8; 8], v: u8, c: u8) -> u8 {
    let mut r = c;
    let mut i = 0;
    while i < 8 {
        if (v >> i) & 1 != 0 {
            r ^= columns[i];
        }
        i += 1;
    }
    r
}

const fn s1(x: u8) -> u8 {
    affine(&A1_COLUMNS, gf_pow(x, 247), 169)
}

const fn s2(x: u8) -> u8 {
    affine(&A2_COLUMNS, gf_pow(x, 251), 56)
}

/// Packs the four masked bytes `Z3 || Z2 || Z1 || Z0` into a word.
const fn word(z3: u8, z2: u8, z1: u8, z0: u8) -> u32 {
    u32::from_be_bytes([z3, z2, z1, z0])
}

/// The SS boxes of RFC 4269: `SS[k][x]` is the contribution of input byte `Xk = x` to the
/// output of G, i.e. `G(X) = SS[0][X0] ^ SS[1][X1] ^ SS[2][X2] ^ SS[3][X3]`.
const SS: [[u32; 256]; 4] = build_ss();

const fn build_ss() -> [[u32; 256]; 4] {
    let mut ss = [[0u32; 256]; 4];
    let mut x = 0usize;
    while x < 256 {
        // x < 256, so the cast is exact.
        let y1 = s1(x as u8);
        let y2 = s2(x as u8);
        // Y0 = S1(X0): Z3 = Y0&m3, Z2 = Y0&m2, Z1 = Y0&m1, Z0 = Y0&m0.
        ss[0][x] = word(y1 & M3, y1 & M2, y1 & M1, y1 & M0);
        // Y1 = S2(X1): Z3 = Y1&m0, Z2 = Y1&m3, Z1 = Y1&m2, Z0 = Y1&m1.
        ss[1][x] = word(y2 & M0, y2 & M3, y2 & M2, y2 & M1);
        // Y2 = S1(X2): Z3 = Y2&m1, Z2 = Y2&m0, Z1 = Y2&m3, Z0 = Y2&m2.
        ss[2][x] = word(y1 & M1, y1 & M0, y1 & M3, y1 & M2);
        // Y3 = S2(X3): Z3 = Y3&m2, Z2 = Y3&m1, Z1 = Y3&m0, Z0 = Y3&m3.
        ss[3][x] = word(y2 & M2, y2 & M1, y2 & M0, y2 & M3);
        x += 1;
    }
    ss
}

/// The G function: four S-box lookups and the mask permutation, through the SS boxes.
#[inline(always)]
fn g(x: u32) -> u32 {
    let [x3, x2, x1, x0] = x.to_be_bytes();
    SS[0][usize::from(x0)]
        ^ SS[1][usize::from(x1)]
        ^ SS[2][usize::from(x2)]
        ^ SS[3][usize::from(x3)]
}

/// The round function F of RFC 4269 on the right half `(c, d)` with round key `(k0, k1)`.
#[inline(always)]
fn f(c: u32, d: u32, k0: u32, k1: u32) -> (u32, u32) {
    let a = c ^ k0;
    let b = d ^ k1;
    let t1 = g(a ^ b);
    let t2 = g(t1.wrapping_add(a));
    let d2 = g(t2.wrapping_add(t1));
    let c2 = d2.wrapping_add(t2);
    (c2, d2)
}

/// The SEED block cipher with its expanded key (32 round-key words), zeroized on drop.
#[derive(Clone)]
pub(crate) struct Seed {
    rk: [u32; 32],
}

impl Seed {
    /// The key schedule of RFC 4269 section 2.
    fn expand(key: &[u8; 16]) -> Self {
        let mut w = [0u32; 4];
        for (wi, chunk) in w.iter_mut().zip(key.chunks_exact(4)) {
            *wi = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
        }
        let mut rk = [0u32; 32];
        let mut kc = KC0;
        for i in 0..16 {
            let [a, b, c, d] = w;
            rk[2 * i] = g(a.wrapping_add(c).wrapping_sub(kc));
            rk[2 * i + 1] = g(b.wrapping_sub(d).wrapping_add(kc));
            if i % 2 == 0 {
                // Rounds 1, 3, ...: A || B rotated right by 8 bits.
                let ab = ((u64::from(a) << 32) | u64::from(b)).rotate_right(8);
                w[0] = (ab >> 32) as u32;
                w[1] = ab as u32;
            } else {
                // Rounds 2, 4, ...: C || D rotated left by 8 bits.
                let cd = ((u64::from(c) << 32) | u64::from(d)).rotate_left(8);
                w[2] = (cd >> 32) as u32;
                w[3] = cd as u32;
            }
            kc = kc.rotate_left(1);
        }
        w.zeroize();
        Seed { rk }
    }

    /// Encrypts (`rounds` in order) or decrypts (reverse order) one block.
    #[inline(always)]
    fn crypt(&self, block: &[u8; 16], decrypt: bool) -> [u8; 16] {
        let word_at =
            |i: usize| u32::from_be_bytes([block[i], block[i + 1], block[i + 2], block[i + 3]]);
        let (mut l0, mut l1, mut r0, mut r1) = (word_at(0), word_at(4), word_at(8), word_at(12));
        for round in 0..16 {
            let k = if decrypt { 15 - round } else { round };
            let (f0, f1) = f(r0, r1, self.rk[2 * k], self.rk[2 * k + 1]);
            let (n0, n1) = (l0 ^ f0, l1 ^ f1);
            l0 = r0;
            l1 = r1;
            r0 = n0;
            r1 = n1;
        }
        // No swap after the last round: the output is R16 || L16.
        let mut out = [0u8; 16];
        out[0..4].copy_from_slice(&r0.to_be_bytes());
        out[4..8].copy_from_slice(&r1.to_be_bytes());
        out[8..12].copy_from_slice(&l0.to_be_bytes());
        out[12..16].copy_from_slice(&l1.to_be_bytes());
        out
    }
}

impl KeySizeUser for Seed {
    type KeySize = U16;
}

impl KeyInit for Seed {
    fn new(key: &Key<Self>) -> Self {
        Seed::expand(&key.0)
    }
}

impl BlockSizeUser for Seed {
    type BlockSize = U16;
}

impl ParBlocksSizeUser for Seed {
    type ParBlocksSize = U1;
}

impl BlockCipherEncrypt for Seed {
    #[inline]
    fn encrypt_with_backend(&self, f: impl BlockCipherEncClosure<BlockSize = Self::BlockSize>) {
        f.call(self);
    }
}

impl BlockCipherEncBackend for Seed {
    #[inline]
    fn encrypt_block(&self, mut block: InOut<'_, '_, Block<Self>>) {
        let out = self.crypt(&block.clone_in().0, false);
        block.get_out().0 = out;
    }
}

impl BlockCipherDecrypt for Seed {
    #[inline]
    fn decrypt_with_backend(&self, f: impl BlockCipherDecClosure<BlockSize = Self::BlockSize>) {
        f.call(self);
    }
}

impl BlockCipherDecBackend for Seed {
    #[inline]
    fn decrypt_block(&self, mut block: InOut<'_, '_, Block<Self>>) {
        let out = self.crypt(&block.clone_in().0, true);
        block.get_out().0 = out;
    }
}

impl AlgorithmName for Seed {
    fn write_alg_name(f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Seed")
    }
}

impl fmt::Debug for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Seed { .. }")
    }
}

impl Drop for Seed {
    fn drop(&mut self) {
        self.rk.zeroize();
    }
}

impl ZeroizeOnDrop for Seed {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sboxes_match_rfc_appendix_a_openings() {
        // The first entries of SS0 and SS1 in RFC 4269 Appendix A.
        assert_eq!(
            &SS[0][..4],
            &[0x2989a1a8, 0x05858184, 0x16c6d2d4, 0x13c3d3d0]
        );
        assert_eq!(
            &SS[1][..4],
            &[0x38380830, 0xe828c8e0, 0x2c2d0d21, 0xa42686a2]
        );
    }

    #[test]
    fn sboxes_are_permutations() {
        let mut seen1 = [false; 256];
        let mut seen2 = [false; 256];
        for x in 0..=255u8 {
            seen1[usize::from(s1(x))] = true;
            seen2[usize::from(s2(x))] = true;
        }
        assert!(seen1.iter().all(|&b| b));
        assert!(seen2.iter().all(|&b| b));
    }
}
