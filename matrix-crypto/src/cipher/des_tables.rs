//! Table-driven three-key triple DES (EDE, NIST SP 800-67) built on DES as specified in
//! FIPS 46-3, compiled in by the feature `3des-improve-perf-increase-codesize`
//! (`PS_3DES_IMPROVE_PERF_INCREASE_CODESIZE`) in place of the `des` crate's bit-by-bit
//! implementation.
//!
//! This module owns the DES tables (written from FIPS 46-3), the key schedule and the round
//! function. For speed it trades about 34 KiB of tables, computed at compile time: the
//! initial and final permutations as eight 256-entry byte tables each, and the S-boxes merged
//! with the P permutation (`SP`). Between the three DES operations of EDE the final and initial
//! permutations cancel and are skipped. Like MatrixSSL's table-driven DES, the lookups are not
//! constant-time with respect to cache timing.

use cipher::{
    AlgorithmName, Block, BlockCipherDecBackend, BlockCipherDecClosure, BlockCipherDecrypt,
    BlockCipherEncBackend, BlockCipherEncClosure, BlockCipherEncrypt, BlockSizeUser, InOut, Key,
    KeyInit, KeySizeUser, ParBlocksSizeUser,
    consts::{U1, U8, U24},
};
use core::fmt;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Bit positions in FIPS 46-3 tables count from 1 at the most significant bit.
const IP: [u8; 64] = [
    58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, //
    62, 54, 46, 38, 30, 22, 14, 6, 64, 56, 48, 40, 32, 24, 16, 8, //
    57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, //
    61, 53, 45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];

/// The permutation P applied to the S-box outputs.
const P: [u8; 32] = [
    16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, //
    2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22, 11, 4, 25,
];

/// Permuted choice 1: 64-bit key to C0 || D0 (56 bits; parity bits dropped).
const PC1: [u8; 56] = [
    57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, //
    10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36, //
    63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, //
    14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4,
];

/// Permuted choice 2: Cn || Dn (56 bits) to the 48-bit round key.
const PC2: [u8; 48] = [
    14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, //
    23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, //
    41, 52, 31, 37, 47, 55, 30, 40, 51, 45, 33, 48, //
    44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];

/// Left rotations of C and D before each round.
const SHIFTS: [u32; 16] = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];

/// The eight S-boxes, each as four rows of sixteen.
const S: [[[u8; 16]; 4]; 8] = [
    [
        [14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7],
        [0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8],
        [4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0],
        [15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13],
    ],
    [
        [15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10],
        [3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5],
        [0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15],
        [13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9],
    ],
    [
        [10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8],
        [13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1],
        [13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7],
        [1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12],
    ],
    [
        [7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15],
        [13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9],
        [10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4],
        [3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14],
    ],
    [
        [2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9],
        [14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6],
        [4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14],
        [11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3],
    ],
    [
        [12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11],
        [10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8],
        [9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6],
        [4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13],
    ],
    [
        [4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1],
        [13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6],
        [1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2],
        [6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12],
    ],
    [
        [13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7],
        [1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2],
        [7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8],
        [2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11],
    ],
];

/// Applies a FIPS 46-3 permutation table to the low `in_bits` bits of `input`.
const fn permute(input: u64, in_bits: u32, table: &[u8]) -> u64 {
    let mut out = 0u64;
    let mut i = 0;
    while i < table.len() {
        out = (out << 1) | ((input >> (in_bits - table[i] as u32)) & 1);
        i += 1;
    }
    out
}

/// The inverse of a 64-entry permutation (FP = IP^-1).
const fn invert(table: &[u8; 64]) -> [u8; 64] {
    let mut inv = [0u8; 64];
    let mut i = 0;
    while i < 64 {
        // i < 64, so i + 1 fits in a byte.
        inv[table[i] as usize - 1] = (i + 1) as u8;
        i += 1;
    }
    inv
}

/// A 64-bit permutation as eight byte tables: `T[b][v]` is the image of byte `b` (0 the most
/// significant) holding `v`, every other byte zero; the image of a block is the XOR of eight.
const fn byte_tables(table: &[u8; 64]) -> [[u64; 256]; 8] {
    let mut t = [[0u64; 256]; 8];
    let mut b = 0;
    while b < 8 {
        let mut v = 0;
        while v < 256 {
            t[b][v] = permute((v as u64) << (56 - 8 * b), 64, table);
            v += 1;
        }
        b += 1;
    }
    t
}

const IP_T: [[u64; 256]; 8] = byte_tables(&IP);
const FP_T: [[u64; 256]; 8] = byte_tables(&invert(&IP));

/// `SP[j][x]`: S-box `j + 1` on the 6-bit input `x`, placed in its nibble and permuted by P.
const SP: [[u32; 64]; 8] = build_sp();

const fn build_sp() -> [[u32; 64]; 8] {
    let mut sp = [[0u32; 64]; 8];
    let mut j = 0;
    while j < 8 {
        let mut x = 0;
        while x < 64 {
            let row = ((x >> 4) & 2) | (x & 1);
            let col = (x >> 1) & 0xf;
            let nibble = S[j][row][col] as u64;
            sp[j][x] = permute(nibble << (28 - 4 * j), 32, &P) as u32;
            x += 1;
        }
        j += 1;
    }
    sp
}

#[inline(always)]
fn apply_byte_tables(t: &[[u64; 256]; 8], x: u64) -> u64 {
    let b = x.to_be_bytes();
    let mut out = 0;
    for (table, byte) in t.iter().zip(b) {
        out ^= table[usize::from(byte)];
    }
    out
}

/// One DES key: sixteen 48-bit round keys as eight 6-bit groups each.
#[derive(Clone)]
struct DesKey {
    rounds: [[u8; 8]; 16],
}

impl DesKey {
    /// The FIPS 46-3 key schedule.
    fn new(key: u64) -> Self {
        let cd = permute(key, 64, &PC1);
        let mut c = (cd >> 28) as u32 & 0x0fff_ffff;
        let mut d = cd as u32 & 0x0fff_ffff;
        let mut rounds = [[0u8; 8]; 16];
        for (round, &shift) in rounds.iter_mut().zip(&SHIFTS) {
            c = ((c << shift) | (c >> (28 - shift))) & 0x0fff_ffff;
            d = ((d << shift) | (d >> (28 - shift))) & 0x0fff_ffff;
            let mut k = permute((u64::from(c) << 28) | u64::from(d), 56, &PC2);
            for (j, group) in round.iter_mut().enumerate() {
                // Six bits per group, the first group most significant.
                *group = ((k >> (42 - 6 * j)) & 0x3f) as u8;
            }
            k.zeroize();
        }
        c.zeroize();
        d.zeroize();
        DesKey { rounds }
    }

    /// The cipher function f(R, K).
    #[inline(always)]
    fn f(r: u32, k: &[u8; 8]) -> u32 {
        // E(R) in 6-bit groups: group j is bits 4j .. 4j+5 of R (1-based, cyclic).
        let r = r.rotate_right(1);
        let mut out = 0;
        for (j, (&kj, sp)) in k.iter().zip(&SP).enumerate() {
            let group = (r.rotate_left(4 * j as u32) >> 26) as u8 ^ kj;
            out ^= sp[usize::from(group & 0x3f)];
        }
        out
    }

    /// The sixteen rounds on the permuted block `(L0, R0)`, giving the preoutput
    /// `(R16, L16)`; `decrypt` runs the round keys backwards.
    #[inline(always)]
    fn rounds(&self, (mut l, mut r): (u32, u32), decrypt: bool) -> (u32, u32) {
        for i in 0..16 {
            let k = &self.rounds[if decrypt { 15 - i } else { i }];
            let next = l ^ Self::f(r, k);
            l = r;
            r = next;
        }
        (r, l)
    }
}

impl Drop for DesKey {
    fn drop(&mut self) {
        self.rounds.zeroize();
    }
}

/// Three-key triple DES, EDE, table-driven; key schedules zeroized on drop.
#[derive(Clone)]
pub(crate) struct TdesEde3 {
    keys: [DesKey; 3],
}

impl TdesEde3 {
    #[inline(always)]
    fn crypt(&self, block: [u8; 8], decrypt: bool) -> [u8; 8] {
        let x = apply_byte_tables(&IP_T, u64::from_be_bytes(block));
        let mut lr = ((x >> 32) as u32, x as u32);
        // FP then IP between the stages is the identity and is skipped.
        if decrypt {
            lr = self.keys[2].rounds(lr, true);
            lr = self.keys[1].rounds(lr, false);
            lr = self.keys[0].rounds(lr, true);
        } else {
            lr = self.keys[0].rounds(lr, false);
            lr = self.keys[1].rounds(lr, true);
            lr = self.keys[2].rounds(lr, false);
        }
        let y = (u64::from(lr.0) << 32) | u64::from(lr.1);
        apply_byte_tables(&FP_T, y).to_be_bytes()
    }
}

impl KeySizeUser for TdesEde3 {
    type KeySize = U24;
}

impl KeyInit for TdesEde3 {
    fn new(key: &Key<Self>) -> Self {
        let k = |i: usize| {
            let mut b = [0u8; 8];
            b.copy_from_slice(&key[8 * i..8 * i + 8]);
            let v = u64::from_be_bytes(b);
            b.zeroize();
            v
        };
        TdesEde3 {
            keys: [DesKey::new(k(0)), DesKey::new(k(1)), DesKey::new(k(2))],
        }
    }
}

impl BlockSizeUser for TdesEde3 {
    type BlockSize = U8;
}

impl ParBlocksSizeUser for TdesEde3 {
    type ParBlocksSize = U1;
}

impl BlockCipherEncrypt for TdesEde3 {
    #[inline]
    fn encrypt_with_backend(&self, f: impl BlockCipherEncClosure<BlockSize = Self::BlockSize>) {
        f.call(self);
    }
}

impl BlockCipherEncBackend for TdesEde3 {
    #[inline]
    fn encrypt_block(&self, mut block: InOut<'_, '_, Block<Self>>) {
        let out = self.crypt(block.clone_in().0, false);
        block.get_out().0 = out;
    }
}

impl BlockCipherDecrypt for TdesEde3 {
    #[inline]
    fn decrypt_with_backend(&self, f: impl BlockCipherDecClosure<BlockSize = Self::BlockSize>) {
        f.call(self);
    }
}

impl BlockCipherDecBackend for TdesEde3 {
    #[inline]
    fn decrypt_block(&self, mut block: InOut<'_, '_, Block<Self>>) {
        let out = self.crypt(block.clone_in().0, true);
        block.get_out().0 = out;
    }
}

impl AlgorithmName for TdesEde3 {
    fn write_alg_name(f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TdesEde3 (tables)")
    }
}

impl fmt::Debug for TdesEde3 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TdesEde3 { .. }")
    }
}

/// Each [`DesKey`] zeroizes its round keys when dropped.
impl ZeroizeOnDrop for TdesEde3 {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sbox_rows_are_permutations_of_0_to_15() {
        for sbox in &S {
            for row in sbox {
                let mut seen = [false; 16];
                for &v in row {
                    seen[usize::from(v)] = true;
                }
                assert!(seen.iter().all(|&b| b));
            }
        }
    }

    #[test]
    fn fp_undoes_ip() {
        for x in [
            0u64,
            1,
            0x0123_4567_89ab_cdef,
            u64::MAX,
            0x8000_0000_0000_0001,
        ] {
            assert_eq!(apply_byte_tables(&FP_T, apply_byte_tables(&IP_T, x)), x);
            assert_eq!(apply_byte_tables(&IP_T, x), permute(x, 64, &IP));
        }
    }

    #[test]
    fn single_des_known_answer() {
        // EDE with three equal keys is single DES: "Now is t" under 0123456789ABCDEF.
        let key = Key::<TdesEde3>::from([
            0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab,
            0xcd, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
        ]);
        let c = TdesEde3::new(&key);
        let ct = c.crypt(*b"Now is t", false);
        assert_eq!(ct, [0x3f, 0xa4, 0x0e, 0x8a, 0x98, 0x4d, 0x48, 0x15]);
        assert_eq!(&c.crypt(ct, true), b"Now is t");
    }
}
