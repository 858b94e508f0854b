//! Base blinding for the RSA private operation (the defence of Kocher 1996 and Brumley and
//! Boneh 2003, as OpenSSL's `BN_BLINDING` and MatrixSSL apply it).
//!
//! A blinding pair is `(r^e, r^-1) mod n` for a random `r`: the private operation runs on
//! `x r^e`, whose `d`-th power is `x^d r`, and multiplies the result by `r^-1`. A fresh pair
//! costs a modular inversion and an exponentiation; the key keeps its last pair and the
//! next operation squares both halves instead (`(r^2)^e` and `(r^2)^-1`: two squarings
//! modulo `n`), with a fresh pair every [`FRESH_EVERY`] operations, as OpenSSL does.
//!
//! The pair lives in the key behind a try-lock of atomics (no `unsafe`, no `std`): an
//! operation that finds the pair in use by another thread makes a fresh pair of its own
//! instead of waiting. Targets without 32-bit compare-and-swap (`target_has_atomic`)
//! keep no pair and make a fresh one for every operation.

use super::RsaPrivateKey;
use crate::bignum::{Limb, MontCtx};
use crate::random::SecureRandom;
use alloc::vec;
use alloc::vec::Vec;
use matrix_core::Result;
use zeroize::Zeroizing;

/// How many operations reuse squarings of one pair before a fresh one is drawn.
const FRESH_EVERY: u32 = 32;

/// A blinding pair in Montgomery form modulo `n`: `r^e R` and `r^-1 R`.
pub(super) struct Pair {
    /// `r^e R mod n`.
    pub(super) forward: Zeroizing<Vec<Limb>>,
    /// `r^-1 R mod n`.
    pub(super) inverse: Zeroizing<Vec<Limb>>,
}

impl Pair {
    /// A fresh pair for a random `r`: `r^e` by the public exponent, `r^-1` as the
    /// `inverse` submodule computes it for this build.
    pub(super) fn fresh(key: &RsaPrivateKey, rng: &mut dyn SecureRandom) -> Result<Pair> {
        let n = &key.public.n;
        let r = super::random_below(rng, n)?;
        let r_m = n.to_mont(&r);
        let forward = n.pow_vartime_exp(&r_m, &key.public.e_be);
        let inverse = super::inverse::blinding_inverse(key, &r, &r_m, rng)?;
        Ok(Pair { forward, inverse })
    }

    /// The next pair: both halves squared (the pair of `r^2`).
    fn square(&mut self, n: &MontCtx) {
        let s = n.nlimbs();
        let mut tmp = Zeroizing::new(vec![0 as Limb; s]);
        let mut scratch = Zeroizing::new(vec![0 as Limb; 2 * s]);
        n.sqr_into(&mut tmp, &self.forward, &mut scratch);
        self.forward.copy_from_slice(&tmp);
        n.sqr_into(&mut tmp, &self.inverse, &mut scratch);
        self.inverse.copy_from_slice(&tmp);
    }
}

#[cfg(target_has_atomic = "32")]
pub(super) use cached::Blinding;
#[cfg(not(target_has_atomic = "32"))]
pub(super) use uncached::Blinding;

#[cfg(target_has_atomic = "32")]
mod cached {
    use super::{FRESH_EVERY, Pair, RsaPrivateKey};
    use crate::bignum::{LIMB_BYTES, Limb};
    use crate::random::SecureRandom;
    use alloc::vec::Vec;
    use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
    use matrix_core::Result;
    use zeroize::Zeroizing;

    /// 32-bit words per limb.
    const HALVES: usize = LIMB_BYTES / 4;

    /// The key's blinding pair between operations, as 32-bit words of the limbs (64-bit
    /// atomics are missing on some 32-bit targets).
    pub(crate) struct Blinding {
        /// Held by the operation that uses the pair.
        busy: AtomicBool,
        /// Operations left before a fresh pair; 0: no pair yet.
        left: AtomicU32,
        /// `forward` then `inverse`, each `HALVES s` words, least significant first.
        words: Vec<AtomicU32>,
    }

    impl Blinding {
        /// No pair yet, room for one modulo an `s`-limb modulus.
        pub(crate) fn new(s: usize) -> Blinding {
            Blinding {
                busy: AtomicBool::new(false),
                left: AtomicU32::new(0),
                words: (0..2 * HALVES * s).map(|_| AtomicU32::new(0)).collect(),
            }
        }

        /// The pair for one operation: the kept pair squared, or a fresh one (the first
        /// time, every `FRESH_EVERY` operations, and when another thread holds the pair).
        pub(crate) fn next(&self, key: &RsaPrivateKey, rng: &mut dyn SecureRandom) -> Result<Pair> {
            if self
                .busy
                .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_err()
            {
                return Pair::fresh(key, rng);
            }
            let pair = self.next_locked(key, rng);
            self.busy.store(false, Ordering::Release);
            pair
        }

        fn next_locked(&self, key: &RsaPrivateKey, rng: &mut dyn SecureRandom) -> Result<Pair> {
            let n = &key.public.n;
            let s = n.nlimbs();
            let left = self.left.load(Ordering::Relaxed);
            let pair = if left == 0 || self.words.len() != 2 * HALVES * s {
                let p = Pair::fresh(key, rng)?;
                self.left.store(FRESH_EVERY, Ordering::Relaxed);
                p
            } else {
                let mut p = Pair {
                    forward: self.load(0, s),
                    inverse: self.load(HALVES * s, s),
                };
                p.square(n);
                self.left.store(left - 1, Ordering::Relaxed);
                p
            };
            self.store(0, &pair.forward);
            self.store(HALVES * s, &pair.inverse);
            Ok(pair)
        }

        /// The `s` limbs kept from word `at` on: two words per 64-bit limb, the low one
        /// first.
        #[cfg(not(matrix_limb32))]
        fn load(&self, at: usize, s: usize) -> Zeroizing<Vec<Limb>> {
            let w = &self.words[at..at + HALVES * s];
            Zeroizing::new(
                w.chunks_exact(2)
                    .map(|h| {
                        Limb::from(h[0].load(Ordering::Relaxed))
                            | (Limb::from(h[1].load(Ordering::Relaxed)) << 32)
                    })
                    .collect(),
            )
        }

        /// Keeps `limbs` from word `at` on (see `load`).
        #[cfg(not(matrix_limb32))]
        fn store(&self, at: usize, limbs: &[Limb]) {
            for (h, &l) in self.words[at..at + HALVES * limbs.len()]
                .chunks_exact(2)
                .zip(limbs)
            {
                h[0].store(l as u32, Ordering::Relaxed);
                h[1].store((l >> 32) as u32, Ordering::Relaxed);
            }
        }

        /// The `s` limbs kept from word `at` on: one word per 32-bit limb.
        #[cfg(matrix_limb32)]
        fn load(&self, at: usize, s: usize) -> Zeroizing<Vec<Limb>> {
            let w = &self.words[at..at + s];
            Zeroizing::new(w.iter().map(|x| x.load(Ordering::Relaxed)).collect())
        }

        /// Keeps `limbs` from word `at` on (see `load`).
        #[cfg(matrix_limb32)]
        fn store(&self, at: usize, limbs: &[Limb]) {
            for (x, &l) in self.words[at..at + limbs.len()].iter().zip(limbs) {
                x.store(l, Ordering::Relaxed);
            }
        }
    }

    impl Clone for Blinding {
        /// A clone starts without a pair: two keys never share a blinding sequence.
        fn clone(&self) -> Blinding {
            Blinding::new(self.words.len() / (2 * HALVES))
        }
    }

    impl Drop for Blinding {
        /// The pair is as secret as the key.
        fn drop(&mut self) {
            self.left.store(0, Ordering::Relaxed);
            for w in &self.words {
                w.store(0, Ordering::Relaxed);
            }
        }
    }
}

#[cfg(not(target_has_atomic = "32"))]
mod uncached {
    use super::{Pair, RsaPrivateKey};
    use crate::random::SecureRandom;
    use matrix_core::Result;

    /// Without compare-and-swap no pair is kept: every operation draws a fresh one.
    #[derive(Clone)]
    pub(crate) struct Blinding;

    impl Blinding {
        pub(crate) fn new(_s: usize) -> Blinding {
            Blinding
        }

        pub(crate) fn next(&self, key: &RsaPrivateKey, rng: &mut dyn SecureRandom) -> Result<Pair> {
            Pair::fresh(key, rng)
        }
    }
}
