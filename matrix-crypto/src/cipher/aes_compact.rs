//! A compact, constant-time AES (FIPS 197) for builds without
//! `aes-improve-perf-increase-codesize` (MatrixSSL's `PS_AES_IMPROVE_PERF_INCREASE_CODESIZE`
//! off): a few hundred bytes of code instead of the `aes` crate's fixsliced tables of code.
//!
//! This module owns the key expansion (FIPS 197 section 5.2), the cipher and inverse
//! cipher (sections 5.1 and 5.3), CBC mode over them (SP 800-38A section 6.2: a plain chain
//! loop per direction, shared by every key size, instead of a `cbc` crate instance per
//! direction and key size) and the `cipher` 0.5 block cipher traits.
//!
//! The state is bitsliced: plane `j` (a `u16`) holds bit `j` of each of the 16 state bytes,
//! byte `k` (row `k % 4`, column `k / 4`) at bit `k`. Every step is a fixed sequence of
//! word operations on the planes: ShiftRows and the row rotations of MixColumns are masks
//! and rotations, and the S-box is computed arithmetically, as the inverse in GF(2^8)
//! (`x^254`, four multiplications and seven squarings of bitsliced field elements) followed
//! by the affine map. There is no table and no branch or index that depends on the key
//! or the data, so the code is constant-time on any CPU. The price is speed: about ten
//! times slower than the fixsliced form, which the feature brings back.

use cipher::{
    AlgorithmName, Block, BlockCipherDecBackend, BlockCipherDecClosure, BlockCipherDecrypt,
    BlockCipherEncBackend, BlockCipherEncClosure, BlockCipherEncrypt, BlockSizeUser, InOut, Key,
    KeyInit, KeySizeUser, ParBlocksSizeUser,
    consts::{U1, U16},
};
use core::fmt;
use matrix_core::{Error, Result};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// The eight bit planes of a 16-byte state (or of 4 bytes of a key-schedule word).
type Planes = [u16; 8];

/// Most rounds (AES-256) plus one: the number of round keys kept.
const MAX_ROUND_KEYS: usize = 15;

/// Bitslices 16 bytes: bit `j` of byte `k` goes to bit `k` of plane `j`.
fn to_planes(bytes: &[u8; 16]) -> Planes {
    let mut p = [0u16; 8];
    for (k, &b) in bytes.iter().enumerate() {
        for (j, plane) in p.iter_mut().enumerate() {
            *plane |= u16::from((b >> j) & 1) << k;
        }
    }
    p
}

/// The inverse of [`to_planes`].
fn from_planes(p: &Planes) -> [u8; 16] {
    let mut out = [0u8; 16];
    for (k, byte) in out.iter_mut().enumerate() {
        for (j, plane) in p.iter().enumerate() {
            *byte |= (((plane >> k) & 1) as u8) << j;
        }
    }
    out
}

/// Reduces a product of degree <= 14 modulo the AES polynomial x^8 + x^4 + x^3 + x + 1.
fn reduce(mut p: [u16; 15]) -> Planes {
    for k in (8..15).rev() {
        let t = p[k];
        p[k - 8] ^= t;
        p[k - 7] ^= t;
        p[k - 5] ^= t;
        p[k - 4] ^= t;
    }
    let mut out = [0u16; 8];
    out.copy_from_slice(&p[..8]);
    out
}

/// Multiplies 16 pairs of field elements at once.
fn gf_mul(a: &Planes, b: &Planes) -> Planes {
    let mut p = [0u16; 15];
    for (i, &ai) in a.iter().enumerate() {
        for (j, &bj) in b.iter().enumerate() {
            p[i + j] ^= ai & bj;
        }
    }
    reduce(p)
}

/// Squares 16 field elements at once (squaring is linear: bit `i` moves to `2i`).
fn gf_square(a: &Planes) -> Planes {
    let mut p = [0u16; 15];
    for (i, &ai) in a.iter().enumerate() {
        p[2 * i] = ai;
    }
    reduce(p)
}

/// `x^254`: the multiplicative inverse of each element, with 0 mapped to 0.
fn gf_inverse(x: &Planes) -> Planes {
    let x2 = gf_square(x);
    let x3 = gf_mul(&x2, x);
    let x12 = gf_square(&gf_square(&x3));
    let mut x240 = gf_mul(&x12, &x3); // x^15
    for _ in 0..4 {
        x240 = gf_square(&x240);
    }
    gf_mul(&gf_mul(&x240, &x12), &x2)
}

/// The affine maps of the S-box (FIPS 197 section 5.1.1) and of its inverse (section
/// 5.3.2) as one function: `out_i = XOR of x_(i+k) over the bits k of taps, ^ bit i of c`.
fn affine(x: &Planes, taps: u8, c: u8) -> Planes {
    let mut out = [0u16; 8];
    for (i, o) in out.iter_mut().enumerate() {
        for k in 0..8 {
            if (taps >> k) & 1 == 1 {
                *o ^= x[(i + k) % 8];
            }
        }
        if (c >> i) & 1 == 1 {
            *o = !*o;
        }
    }
    out
}

/// The S-box of every byte (`inverse` false): the field inverse, then the affine map
/// `b_i = x_i ^ x_(i+4) ^ x_(i+5) ^ x_(i+6) ^ x_(i+7) ^ c_i` with `c = 0x63`; or the
/// inverse S-box (`inverse` true): the inverse affine map
/// `x_i = y_(i+2) ^ y_(i+5) ^ y_(i+7) ^ d_i` with `d = 0x05`, then the field inverse.
/// `inverse` is the direction (public); the taps and constants are not data. In place,
/// one field inversion for both directions.
fn sbox(s: &mut Planes, inverse: bool) {
    if inverse {
        *s = affine(s, 0b1010_0100, 0x05);
    }
    *s = gf_inverse(s);
    if !inverse {
        *s = affine(s, 0b1111_0001, 0x63);
    }
}

/// ShiftRows (or its inverse): row `r` of every plane rotated by `r` columns (4 bits each),
/// right for the cipher, left for the inverse (a left rotation by `16 - 4r`).
fn shift_rows(s: &mut Planes, inverse: bool) {
    for p in s.iter_mut() {
        let mut out = *p & 0x1111;
        for row in 1..4u32 {
            let by = if inverse { 4 * row } else { 16 - 4 * row };
            out |= p.rotate_left(by) & (0x1111 << row);
        }
        *p = out;
    }
}

/// Row `r` of each column replaced by row `r + n` (mod 4): `a_(r+n)` for every byte.
fn rotate_rows(x: u16, n: u32) -> u16 {
    let low = 0x1111u16 * ((1u16 << (4 - n)) - 1);
    ((x >> n) & low) | ((x << (4 - n)) & !low)
}

/// Multiplication of every byte by x (`xtime`), in place: bit `j` from bit `j - 1`, and
/// bit 7 folded into bits 0, 1, 3 and 4 (0x1b).
fn xtime(t: &mut Planes) {
    let top = t[7];
    // A descending loop rather than `copy_within` (which links a range check and a
    // `memmove` call for seven words).
    for j in (1..8).rev() {
        t[j] = t[j - 1];
    }
    t[0] = top;
    t[1] ^= top;
    t[3] ^= top;
    t[4] ^= top;
}

/// MixColumns: `b_r = 2(a_r ^ a_(r+1)) ^ a_(r+1) ^ a_(r+2) ^ a_(r+3)` for every column.
fn mix_columns(s: &mut Planes) {
    let mut t = [0u16; 8];
    for j in 0..8 {
        t[j] = s[j] ^ rotate_rows(s[j], 1);
    }
    xtime(&mut t);
    for (j, a) in s.iter_mut().enumerate() {
        *a = t[j] ^ rotate_rows(*a, 1) ^ rotate_rows(*a, 2) ^ rotate_rows(*a, 3);
    }
}

/// InvMixColumns as MixColumns after `a_r ^= 4(a_r ^ a_(r+2))` (the inverse matrix is the
/// MixColumns matrix times `circ(05, 00, 04, 00)`).
fn inv_mix_columns(s: &mut Planes) {
    let mut t = [0u16; 8];
    for j in 0..8 {
        t[j] = s[j] ^ rotate_rows(s[j], 2);
    }
    xtime(&mut t);
    xtime(&mut t);
    for j in 0..8 {
        s[j] ^= t[j];
    }
    mix_columns(s);
}

/// XORs a round key into the state. The loops over the eight planes index the arrays
/// rather than zip their iterators: on a Cortex-M4 a `zip` links the adapter's
/// constructor and length code for each pair of element types.
fn add_round_key(s: &mut Planes, k: &Planes) {
    for j in 0..8 {
        s[j] ^= k[j];
    }
}

/// Word `i` of an expanded key held as bitsliced round keys: column `i % 4` of round key
/// `i / 4`, as eight 4-bit planes (bit `r` of plane `j`: bit `j` of the word's byte `r`).
fn key_word(round_keys: &[Planes; MAX_ROUND_KEYS], i: usize) -> Planes {
    let mut w = [0u16; 8];
    for j in 0..8 {
        w[j] = (round_keys[i / 4][j] >> (4 * (i % 4))) & 0xf;
    }
    w
}

/// An expanded AES key of any size, its round keys bitsliced (also the block cipher of the
/// compact AES-GCM, `gcm_compact`).
#[derive(Clone)]
pub(super) struct Schedule {
    round_keys: [Planes; MAX_ROUND_KEYS],
    rounds: usize,
}

impl Schedule {
    /// The key expansion of FIPS 197 section 5.2 for a 16, 24 or 32-byte key, done on the
    /// bitsliced round keys themselves: each word is a column (four bits of each plane), so
    /// SubWord is the state's S-box on those bits and RotWord a rotation of them, and no
    /// byte-order copy of the schedule is built and converted.
    pub(super) fn expand(key: &[u8]) -> Self {
        let nk = (key.len() / 4).clamp(4, 8);
        // Filled where it is returned (no copy of the 240-byte round keys at the end).
        let mut schedule = Schedule {
            round_keys: [[0u16; 8]; MAX_ROUND_KEYS],
            rounds: nk + 6,
        };
        let (round_keys, rounds) = (&mut schedule.round_keys, schedule.rounds);
        // The key's words are the first `nk` columns; the columns after them start zero.
        let mut bytes = [[0u8; 16]; 2];
        bytes.as_flattened_mut()[..4 * nk].copy_from_slice(&key[..4 * nk]);
        round_keys[0] = to_planes(&bytes[0]);
        round_keys[1] = to_planes(&bytes[1]);
        bytes.as_flattened_mut().zeroize();
        let mut rcon = 1u8;
        let (mut temp, mut earlier) = ([0u16; 8], [0u16; 8]);
        for i in nk..4 * (rounds + 1) {
            temp = key_word(round_keys, i - 1);
            if i % nk == 0 {
                // RotWord: byte r takes byte r + 1.
                for p in temp.iter_mut() {
                    *p = (*p >> 1) | (*p << 3);
                }
                sbox(&mut temp, false);
                // The round constant's bits into byte 0 (public, as is its update).
                for (j, p) in temp.iter_mut().enumerate() {
                    *p ^= u16::from((rcon >> j) & 1);
                }
                rcon = (rcon << 1) ^ if rcon & 0x80 != 0 { 0x1b } else { 0 };
            } else if nk > 6 && i % nk == 4 {
                sbox(&mut temp, false);
            }
            earlier = key_word(round_keys, i - nk);
            // Column `i % 4` is still zero: the new word is ORed in (the S-box also
            // filled the planes' unused bits, hence the mask).
            for j in 0..8 {
                round_keys[i / 4][j] |= ((temp[j] ^ earlier[j]) & 0xf) << (4 * (i % 4));
            }
        }
        // As `u16` slices: one zeroize instance for every plane array of this module (a
        // `[u16; 8]` and a `[[u16; 8]; 15]` instance each link their own, with an iterator
        // instance for the nested one).
        temp.as_mut_slice().zeroize();
        earlier.as_mut_slice().zeroize();
        schedule
    }

    /// The key length in bits (128, 192 or 256).
    #[cfg(feature = "aes-gcm")]
    pub(super) fn key_bits(&self) -> usize {
        (self.rounds - 6) * 32
    }

    /// The cipher (FIPS 197 section 5.1) on one block.
    pub(super) fn encrypt(&self, block: &[u8; 16]) -> [u8; 16] {
        self.crypt_in(block, false)
    }

    /// The inverse cipher (FIPS 197 section 5.3) on one block.
    fn decrypt(&self, block: &[u8; 16]) -> [u8; 16] {
        self.crypt_in(block, true)
    }

    /// Without AES-GCM a build encrypts and decrypts (CBC needs both): one out-of-line
    /// body serves both directions.
    #[cfg(not(feature = "aes-gcm"))]
    #[inline(never)]
    fn crypt_in(&self, block: &[u8; 16], inverse: bool) -> [u8; 16] {
        self.crypt(block, inverse)
    }

    /// With AES-GCM a build may never decrypt a block (a GCM-only TLS 1.2 build), and the
    /// optimizer does not drop the inverse steps from a shared body on its own: one
    /// instance per direction, so that such a build carries no inverse S-box or
    /// InvMixColumns.
    #[cfg(feature = "aes-gcm")]
    #[inline(always)]
    fn crypt_in(&self, block: &[u8; 16], inverse: bool) -> [u8; 16] {
        if inverse {
            self.crypt_one::<true>(block)
        } else {
            self.crypt_one::<false>(block)
        }
    }

    /// `Schedule::crypt` for one direction.
    #[cfg(feature = "aes-gcm")]
    #[inline(never)]
    fn crypt_one<const INVERSE: bool>(&self, block: &[u8; 16]) -> [u8; 16] {
        self.crypt(block, INVERSE)
    }

    /// The cipher (`inverse` false) or the inverse cipher (`inverse` true), one loop
    /// written for both: SubBytes and ShiftRows commute (one is bytewise, the other moves
    /// bytes), so a round of either direction is the S-box, the row shift, then the round
    /// key and the column mix in the direction's order (the last round without the mix).
    /// Branches only on the direction and the round number, which are public.
    #[inline(always)]
    fn crypt(&self, block: &[u8; 16], inverse: bool) -> [u8; 16] {
        let n = self.rounds;
        let key = |r: usize| &self.round_keys[if inverse { n - r } else { r }];
        let mut s = to_planes(block);
        add_round_key(&mut s, key(0));
        // `1..n + 1` rather than `1..=n`: an inclusive range links its own `next`.
        for r in 1..n + 1 {
            sbox(&mut s, inverse);
            shift_rows(&mut s, inverse);
            if inverse {
                add_round_key(&mut s, key(r));
                if r != n {
                    inv_mix_columns(&mut s);
                }
            } else {
                if r != n {
                    mix_columns(&mut s);
                }
                add_round_key(&mut s, key(r));
            }
        }
        let out = from_planes(&s);
        s.as_mut_slice().zeroize();
        out
    }
}

impl Schedule {
    /// CBC encryption (SP 800-38A section 6.2) of whole blocks in place, leaving the last
    /// ciphertext block in `iv`: the chain written over the cipher directly, one copy for
    /// every key size. `ArgFail` (nothing changed) for an IV that is not 16 bytes or a
    /// partial block.
    pub(super) fn cbc_encrypt(&self, iv: &mut [u8], data: &mut [u8]) -> Result<()> {
        let (Ok(chain), (blocks, [])) = (<&mut [u8; 16]>::try_from(iv), data.as_chunks_mut::<16>())
        else {
            return Err(Error::ArgFail);
        };
        for block in blocks {
            for i in 0..16 {
                block[i] ^= chain[i];
            }
            *block = self.encrypt(block);
            *chain = *block;
        }
        Ok(())
    }

    /// CBC decryption (SP 800-38A section 6.2) of whole blocks in place, leaving the last
    /// ciphertext block in `iv`; errors as [`Schedule::cbc_encrypt`].
    pub(super) fn cbc_decrypt(&self, iv: &mut [u8], data: &mut [u8]) -> Result<()> {
        let (Ok(chain), (blocks, [])) = (<&mut [u8; 16]>::try_from(iv), data.as_chunks_mut::<16>())
        else {
            return Err(Error::ArgFail);
        };
        for block in blocks {
            let mut plain = self.decrypt(block);
            for i in 0..16 {
                plain[i] ^= chain[i];
            }
            *chain = *block;
            *block = plain;
            plain.zeroize();
        }
        Ok(())
    }
}

impl Drop for Schedule {
    fn drop(&mut self) {
        self.round_keys.as_flattened_mut().zeroize();
    }
}

/// One AES type per key size, with the `cipher` traits the `cbc` mode needs.
macro_rules! compact_aes {
    ($name:ident, $key_size:ty, $doc:literal) => {
        #[doc = $doc]
        #[derive(Clone)]
        pub struct $name(Schedule);

        impl KeySizeUser for $name {
            type KeySize = $key_size;
        }

        impl KeyInit for $name {
            fn new(key: &Key<Self>) -> Self {
                $name(Schedule::expand(key.as_slice()))
            }
        }

        impl BlockSizeUser for $name {
            type BlockSize = U16;
        }

        impl ParBlocksSizeUser for $name {
            type ParBlocksSize = U1;
        }

        impl BlockCipherEncrypt for $name {
            fn encrypt_with_backend(
                &self,
                f: impl BlockCipherEncClosure<BlockSize = Self::BlockSize>,
            ) {
                f.call(self);
            }
        }

        impl BlockCipherEncBackend for $name {
            fn encrypt_block(&self, mut block: InOut<'_, '_, Block<Self>>) {
                let out = self.0.encrypt(&block.clone_in().0);
                block.get_out().0 = out;
            }
        }

        impl BlockCipherDecrypt for $name {
            fn decrypt_with_backend(
                &self,
                f: impl BlockCipherDecClosure<BlockSize = Self::BlockSize>,
            ) {
                f.call(self);
            }
        }

        impl BlockCipherDecBackend for $name {
            fn decrypt_block(&self, mut block: InOut<'_, '_, Block<Self>>) {
                let out = self.0.decrypt(&block.clone_in().0);
                block.get_out().0 = out;
            }
        }

        impl AlgorithmName for $name {
            fn write_alg_name(f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(stringify!($name))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), " { .. }"))
            }
        }

        /// The round keys are zeroized when the schedule drops.
        impl ZeroizeOnDrop for $name {}

        impl super::block::CbcMode for $name {
            fn cbc_encrypt(&self, iv: &mut [u8], data: &mut [u8]) -> Result<()> {
                self.0.cbc_encrypt(iv, data)
            }

            fn cbc_decrypt(&self, iv: &mut [u8], data: &mut [u8]) -> Result<()> {
                self.0.cbc_decrypt(iv, data)
            }
        }
    };
}

#[cfg(feature = "aes-128")]
compact_aes!(
    Aes128,
    U16,
    "AES with a 128-bit key (10 rounds), compact and constant-time."
);
#[cfg(feature = "aes")]
compact_aes!(
    Aes192,
    cipher::consts::U24,
    "AES with a 192-bit key (12 rounds), compact and constant-time."
);
#[cfg(feature = "aes-256")]
compact_aes!(
    Aes256,
    cipher::consts::U32,
    "AES with a 256-bit key (14 rounds), compact and constant-time."
);

#[cfg(test)]
mod tests {
    use super::*;

    /// The S-box of FIPS 197 figure 7, computed by the scalar definition: the first row and
    /// a few entries, and the inverse S-box undoes it for every byte.
    #[test]
    fn sbox_matches_fips_197_and_inverts() {
        let mut all = [[0u8; 16]; 16];
        for (hi, row) in all.iter_mut().enumerate() {
            for (lo, b) in row.iter_mut().enumerate() {
                *b = (hi * 16 + lo) as u8;
            }
        }
        let first_row = [
            0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b, 0xfe, 0xd7,
            0xab, 0x76,
        ];
        let sub = |bytes: &[u8; 16], inverse: bool| {
            let mut p = to_planes(bytes);
            sbox(&mut p, inverse);
            from_planes(&p)
        };
        assert_eq!(sub(&all[0], false), first_row);
        let last = sub(&all[15], false);
        assert_eq!(last[15], 0x16);
        assert_eq!(last[0], 0x8c);
        let mut seen = [false; 256];
        for row in &all {
            let s = sub(row, false);
            for &b in &s {
                seen[usize::from(b)] = true;
            }
            assert_eq!(sub(&s, true), *row);
        }
        assert!(seen.iter().all(|&x| x), "the S-box is a permutation");
    }

    /// FIPS 197 appendix C: the example vectors of the three key sizes.
    #[test]
    fn fips_197_appendix_c() {
        let plain: [u8; 16] = core::array::from_fn(|i| (i as u8) * 0x11);
        let key: [u8; 32] = core::array::from_fn(|i| i as u8);
        let cases: [(usize, [u8; 16]); 3] = [
            (
                16,
                [
                    0x69, 0xc4, 0xe0, 0xd8, 0x6a, 0x7b, 0x04, 0x30, 0xd8, 0xcd, 0xb7, 0x80, 0x70,
                    0xb4, 0xc5, 0x5a,
                ],
            ),
            (
                24,
                [
                    0xdd, 0xa9, 0x7c, 0xa4, 0x86, 0x4c, 0xdf, 0xe0, 0x6e, 0xaf, 0x70, 0xa0, 0xec,
                    0x0d, 0x71, 0x91,
                ],
            ),
            (
                32,
                [
                    0x8e, 0xa2, 0xb7, 0xca, 0x51, 0x67, 0x45, 0xbf, 0xea, 0xfc, 0x49, 0x90, 0x4b,
                    0x49, 0x60, 0x89,
                ],
            ),
        ];
        for (len, expected) in cases {
            let s = Schedule::expand(&key[..len]);
            assert_eq!(s.encrypt(&plain), expected, "AES-{}", len * 8);
            assert_eq!(s.decrypt(&expected), plain, "AES-{}", len * 8);
        }
    }
}
