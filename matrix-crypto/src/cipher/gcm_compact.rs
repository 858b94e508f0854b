//! A compact AES-GCM (NIST SP 800-38D, 96-bit nonces, 128-bit tags) for builds without
//! `aes-improve-perf-increase-codesize` (MatrixSSL's `PS_AES_IMPROVE_PERF_INCREASE_CODESIZE`
//! off): GCTR over the in-tree compact AES (`aes_compact`) and a GHASH written here, so that
//! a GCM build links neither the `aes` crate nor `ghash`/`polyval`.
//!
//! This module owns GHASH (SP 800-38D section 6.4, the multiplication of section 6.3),
//! GCTR with `inc32` (sections 6.2 and 6.5) and the authenticated encryption and decryption
//! functions (sections 7.1 and 7.2) for the one nonce length TLS uses (RFC 5288: 4-byte salt
//! || 8-byte explicit nonce); its API is exactly `gcm.rs`'s, which the feature selects
//! instead.
//!
//! Constant time: the multiplication in GF(2^128) walks all 128 bits of one operand and
//! adds (XORs) the other under a mask made from the bit, and reduces under a mask made from
//! the bit shifted out; there is no table, no branch and no index that depends on the key,
//! the hash key or the data. The price is speed: 128 shift-and-mask steps per 16-byte
//! block (FEATURES.md gives the figures), on top of the compact AES.
//!
//! Decryption checks the tag over the ciphertext first (in constant time) and decrypts only
//! when it matches; a failed check zeroes the buffer, so that no unauthenticated plaintext
//! is ever produced.

use alloc::boxed::Box;
use core::fmt;

use matrix_core::{Error, Result};
use subtle::ConstantTimeEq;
use zeroize::Zeroize;

use super::aes_compact::Schedule;

/// The GCM nonce length in bytes (96 bits).
pub const GCM_NONCE_LEN: usize = 12;
/// The GCM tag length in bytes (128 bits).
pub const GCM_TAG_LEN: usize = 16;

/// The longest plaintext GCM allows (SP 800-38D section 5.2.1.1: 2^39 - 256 bits).
const MAX_TEXT: u64 = (1 << 36) - 32;

/// `x * y` in GF(2^128) with GCM's bit order (SP 800-38D algorithm 1): the block's first bit
/// is the most significant bit of the big-endian `u128`. Both operands may be secret.
fn gf_mul(x: u128, y: u128) -> u128 {
    /// The reduction constant R = 11100001 || 0^120.
    const R: u128 = 0xE1 << 120;
    // x's bits, most significant first, come off the top of its 32-bit words as each
    // shifts left: constant shifts only (`x >> i` made a 32-bit target link the 64-bit
    // shift routines), and one word of x live at a time (fewer registers spilled on a
    // 32-bit core than with all of x shifting).
    let (mut z, mut v) = (0u128, y);
    let mut bytes = x.to_be_bytes();
    for k in 0..4 {
        let mut w = u32::from_be_bytes([
            bytes[4 * k],
            bytes[4 * k + 1],
            bytes[4 * k + 2],
            bytes[4 * k + 3],
        ]);
        for _ in 0..32 {
            z ^= v & u128::from(w >> 31).wrapping_neg();
            w <<= 1;
            v = (v >> 1) ^ (R & (v & 1).wrapping_neg());
        }
    }
    bytes.zeroize();
    z
}

/// The running GHASH of one message: `y` after each block, under the hash key `h`.
struct Ghash<'a> {
    h: &'a u128,
    y: u128,
}

impl Ghash<'_> {
    /// Absorbs `data` zero-padded to whole blocks (the AAD and the ciphertext are each
    /// padded on their own).
    fn update_padded(&mut self, data: &[u8]) {
        for chunk in data.chunks(16) {
            let mut block = [0u8; 16];
            block[..chunk.len()].copy_from_slice(chunk);
            self.y = gf_mul(self.y ^ u128::from_be_bytes(block), *self.h);
            block.zeroize();
        }
    }
}

impl Drop for Ghash<'_> {
    fn drop(&mut self) {
        self.y.zeroize();
    }
}

/// An AES-GCM key: AES-128, AES-192 or AES-256 by the key length.
pub struct AesGcm {
    /// The expanded AES key (boxed so it is not copied when the value moves; it wipes
    /// itself on drop).
    aes: Box<Schedule>,
    /// The hash key H = E(K, 0^128).
    h: u128,
}

impl Drop for AesGcm {
    fn drop(&mut self) {
        self.h.zeroize();
    }
}

impl fmt::Debug for AesGcm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AesGcm")
            .field("key_bits", &self.aes.key_bits())
            .finish_non_exhaustive()
    }
}

/// The 12-byte nonce, or `ArgFail`.
fn nonce(n: &[u8]) -> Result<&[u8; GCM_NONCE_LEN]> {
    n.try_into().map_err(|_| Error::ArgFail)
}

/// `ArgFail` for a text longer than GCM allows.
fn check_len(text: &[u8]) -> Result<()> {
    if text.len() as u64 > MAX_TEXT {
        return Err(Error::ArgFail);
    }
    Ok(())
}

impl AesGcm {
    /// Expands a 16-, 24- or 32-byte key; any other length is `ArgFail`.
    pub fn new(key: &[u8]) -> Result<Self> {
        if !matches!(key.len(), 16 | 24 | 32) {
            return Err(Error::ArgFail);
        }
        let aes = Box::new(Schedule::expand(key));
        let h = u128::from_be_bytes(aes.encrypt(&[0; 16]));
        Ok(AesGcm { aes, h })
    }

    /// The heap bytes the expanded key holds (the boxed key schedule), for a session's
    /// memory accounting.
    pub fn heap_bytes(&self) -> usize {
        core::mem::size_of::<Schedule>()
    }

    /// The counter block `nonce || ctr` (SP 800-38D section 7.1 step 2: J0 is `ctr` 1).
    fn counter_block(n: &[u8; GCM_NONCE_LEN], ctr: u32) -> [u8; 16] {
        let mut block = [0u8; 16];
        block[..GCM_NONCE_LEN].copy_from_slice(n);
        block[GCM_NONCE_LEN..].copy_from_slice(&ctr.to_be_bytes());
        block
    }

    /// GCTR from inc32(J0) over `buf` in place (the counter cannot wrap: [`MAX_TEXT`] is
    /// 2^32 - 2 blocks).
    fn gctr(&self, n: &[u8; GCM_NONCE_LEN], buf: &mut [u8]) {
        let mut ctr = 2u32;
        // By offset and index, not `chunks_mut` and `zip`: the same blocks without the
        // iterator adapters' code.
        let mut done = 0;
        while done < buf.len() {
            let mut stream = self.aes.encrypt(&Self::counter_block(n, ctr));
            let take = (buf.len() - done).min(16);
            for i in 0..take {
                buf[done + i] ^= stream[i];
            }
            stream.zeroize();
            done += take;
            ctr = ctr.wrapping_add(1);
        }
    }

    /// The tag over `aad` and the ciphertext `ct` (SP 800-38D section 7.1 steps 5 and 6).
    fn tag(&self, n: &[u8; GCM_NONCE_LEN], aad: &[u8], ct: &[u8]) -> [u8; GCM_TAG_LEN] {
        let mut g = Ghash { h: &self.h, y: 0 };
        g.update_padded(aad);
        g.update_padded(ct);
        let lengths = (u128::from(aad.len() as u64 * 8) << 64) | u128::from(ct.len() as u64 * 8);
        g.update_padded(&lengths.to_be_bytes());
        let mut mask = self.aes.encrypt(&Self::counter_block(n, 1));
        let tag = (g.y ^ u128::from_be_bytes(mask)).to_be_bytes();
        mask.zeroize();
        tag
    }

    /// Encrypts `buf` in place under the 12-byte `nonce`, authenticating `aad` too, and
    /// returns the 16-byte tag. `ArgFail` for a nonce of another length or a message beyond
    /// GCM's limit (2^36 - 32 bytes).
    pub fn seal_in_place(
        &self,
        nonce_bytes: &[u8],
        aad: &[u8],
        buf: &mut [u8],
    ) -> Result<[u8; GCM_TAG_LEN]> {
        let n = nonce(nonce_bytes)?;
        check_len(buf)?;
        self.gctr(n, buf);
        Ok(self.tag(n, aad, buf))
    }

    /// Checks `tag` over `aad` and the ciphertext `buf` under the 12-byte `nonce` (in
    /// constant time) and decrypts `buf` in place. `AuthFail` when the tag does not match
    /// (the buffer is then zeroed); `ArgFail` for a nonce or tag of the wrong length.
    pub fn open_in_place(
        &self,
        nonce_bytes: &[u8],
        aad: &[u8],
        buf: &mut [u8],
        tag: &[u8],
    ) -> Result<()> {
        let n = nonce(nonce_bytes)?;
        if tag.len() != GCM_TAG_LEN {
            return Err(Error::ArgFail);
        }
        check_len(buf)?;
        let expected = self.tag(n, aad, buf);
        if !bool::from(expected.ct_eq(tag)) {
            buf.zeroize();
            return Err(Error::AuthFail);
        }
        self.gctr(n, buf);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes_gcm::aead::array::Array;
    use aes_gcm::aead::{AeadInOut, KeyInit};
    use proptest::prelude::*;

    /// The crate's AES-GCM (the default build's), for the comparison.
    fn crate_seal(key: &[u8], n: &[u8; 12], aad: &[u8], buf: &mut [u8]) -> [u8; 16] {
        let nonce = Array::from(*n);
        let tag = match key.len() {
            16 => aes_gcm::Aes128Gcm::new_from_slice(key)
                .unwrap()
                .encrypt_inout_detached(&nonce, aad, buf.into()),
            24 => aes_gcm::AesGcm::<aes::Aes192, aes_gcm::aead::consts::U12>::new_from_slice(key)
                .unwrap()
                .encrypt_inout_detached(&nonce, aad, buf.into()),
            _ => aes_gcm::Aes256Gcm::new_from_slice(key)
                .unwrap()
                .encrypt_inout_detached(&nonce, aad, buf.into()),
        };
        tag.unwrap().into()
    }

    /// The multiplication agrees with SP 800-38D's example: the test case 2 of the GCM
    /// specification (McGrew and Viega), H = 66e94bd4ef8a2c3b884cfa59ca342b2e, one block of
    /// ciphertext 0388dace60b6a392f328c2b971b2fe78 hashes to f38cbb1ad69223dcc3457ae5b6b0f885.
    #[test]
    fn ghash_known_answer() {
        let h = 0x66e94bd4ef8a2c3b884cfa59ca342b2e_u128;
        let mut g = Ghash { h: &h, y: 0 };
        g.update_padded(&0x0388dace60b6a392f328c2b971b2fe78_u128.to_be_bytes());
        g.update_padded(&128u128.to_be_bytes());
        assert_eq!(g.y, 0xf38cbb1ad69223dcc3457ae5b6b0f885);
    }

    proptest! {
        /// Random keys of each size, nonces, AAD and messages (partial blocks included):
        /// the same ciphertext and tag as the `aes-gcm` crate, and opening undoes sealing.
        #[test]
        fn matches_the_aes_gcm_crate(
            key_len in prop::sample::select(vec![16usize, 24, 32]),
            key in prop::collection::vec(any::<u8>(), 32),
            n in any::<[u8; 12]>(),
            aad in prop::collection::vec(any::<u8>(), 0..40),
            msg in prop::collection::vec(any::<u8>(), 0..100),
        ) {
            let key = &key[..key_len];
            let ours = AesGcm::new(key).unwrap();
            let mut a = msg.clone();
            let tag = ours.seal_in_place(&n, &aad, &mut a).unwrap();
            let mut b = msg.clone();
            let expected = crate_seal(key, &n, &aad, &mut b);
            prop_assert_eq!(&a, &b);
            prop_assert_eq!(tag, expected);
            ours.open_in_place(&n, &aad, &mut a, &tag).unwrap();
            prop_assert_eq!(a, msg);
        }
    }
}
