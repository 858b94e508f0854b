//! The inverse `r^-1 mod n` of a blinding pair (see the `blinding` submodule), in one of two
//! ways chosen by the same features that choose the Montgomery kernels (`bignum::mont`).
//!
//! - With a fixed-size kernel feature (`pubkey-fixed-size-kernels`, a default,
//!   `pubkey-improve-perf-increase-codesize` or `1024-key-speed-optimizations`): crypto-bigint's
//!   safegcd (Bernstein-Yang) at the next fixed size, variable time, applied to `r t` for a
//!   second random `t` (the product is uniformly random whatever `r` is, so a variable-time
//!   inversion of it reveals nothing about `r`), then `r^-1 = t (r t)^-1`. Fast: a few
//!   hundredths of a private operation.
//! - Without them (the firmware and minimal builds): Fermat's little theorem in each CRT
//!   half, `r^-1 = r^(p-2) mod p` and `r^(q-2) mod q`, joined by Garner's formula with the
//!   key's `qInv` exactly as the private operation joins its halves. Both exponentiations are
//!   the private operation's own fixed-window constant-time ones (`MontCtx::pow_ct` over
//!   the public bit length of the prime, every table entry read by a masked scan), and
//!   reduction and recombination are branch-free, so the time depends on no secret (neither
//!   `r` nor the primes), with no second random number. The cost is about one private
//!   operation per fresh pair, that is every 32 operations (about 3%), and no code beyond
//!   what RSA already links: crypto-bigint (4.3 KB on a Cortex-M4 at the one 4096-bit size
//!   those builds used) leaves the image. `r` shares a prime with `n` with probability
//!   about `2^-(bits/2)`; the product `r r^-1` is checked against 1 all the same, and such an
//!   `r` fails the operation (`Error::Failure`) as a non-invertible one always did.

use super::RsaPrivateKey;
use crate::bignum::Limb;
use crate::random::SecureRandom;
use alloc::vec::Vec;
use matrix_core::Result;
use zeroize::Zeroizing;

#[cfg(any(
    feature = "pubkey-fixed-size-kernels",
    feature = "pubkey-improve-perf-increase-codesize",
    feature = "1024-key-speed-optimizations"
))]
/// `r^-1 R mod n` (the Montgomery form of `r`'s inverse modulo the key's `n`) for a plain
/// `r < n` whose Montgomery form is `r_m`, by safegcd on `r t` (see the module comment).
pub(super) fn blinding_inverse(
    key: &RsaPrivateKey,
    _r: &[Limb],
    r_m: &[Limb],
    rng: &mut dyn SecureRandom,
) -> Result<Zeroizing<Vec<Limb>>> {
    let n = &key.public.n;
    let t = super::random_below(rng, n)?;
    let u = n.mul(r_m, &t); // r t mod n, plain
    let u_inv = Zeroizing::new(
        safegcd::invert_vartime(&u, n.modulus()).ok_or(matrix_core::Error::Failure)?,
    );
    let t_m = n.to_mont(&t);
    let t_mm = n.to_mont(&t_m); // t R^2
    Ok(n.mul(&u_inv, &t_mm)) // (r t)^-1 t R = r^-1 R
}

#[cfg(not(any(
    feature = "pubkey-fixed-size-kernels",
    feature = "pubkey-improve-perf-increase-codesize",
    feature = "1024-key-speed-optimizations"
)))]
/// `r^-1 R mod n` (the Montgomery form of `r`'s inverse modulo the key's `n`) for a plain
/// `r < n` whose Montgomery form is `r_m`, by Fermat in each CRT half, in constant time
/// (see the module comment).
pub(super) fn blinding_inverse(
    key: &RsaPrivateKey,
    r: &[Limb],
    _r_m: &[Limb],
    _rng: &mut dyn SecureRandom,
) -> Result<Zeroizing<Vec<Limb>>> {
    use crate::bignum::ct_eq_limbs;
    let inv_p = fermat_half(&key.p, r);
    let inv_q = fermat_half(&key.q, r);
    let inv = key.crt_join(inv_p, &inv_q);
    let n = &key.public.n;
    let inv_m = n.to_mont(&inv);
    // r (r^-1 R) R^-1 = 1 unless r shares a prime with n.
    let mut unit = Zeroizing::new(alloc::vec![0 as Limb; n.nlimbs()]);
    unit[0] = 1;
    if !bool::from(ct_eq_limbs(&n.mul(r, &inv_m), &unit)) {
        return Err(matrix_core::Error::Failure);
    }
    Ok(inv_m)
}

#[cfg(not(any(
    feature = "pubkey-fixed-size-kernels",
    feature = "pubkey-improve-perf-increase-codesize",
    feature = "1024-key-speed-optimizations"
)))]
/// The Montgomery form, modulo the prime `pr`, of `x^(pr-2)`: `x^-1 mod pr` when `pr` does
/// not divide `x`, zero when it does. Constant time in `x` and `pr` (apart from its length).
fn fermat_half(pr: &crate::bignum::MontCtx, x: &[Limb]) -> Zeroizing<Vec<Limb>> {
    // pr - 2, with the borrow carried through every limb (pr is odd and at least 3).
    let mut exp = Zeroizing::new(pr.modulus().to_vec());
    let mut borrow: Limb = 2;
    for limb in exp.iter_mut() {
        let (d, b) = limb.overflowing_sub(borrow);
        *limb = d;
        borrow = Limb::from(b);
    }
    pr.pow_ct(&pr.reduce_to_mont(x), &exp, pr.bits())
}

#[cfg(any(
    feature = "pubkey-fixed-size-kernels",
    feature = "pubkey-improve-perf-increase-codesize",
    feature = "1024-key-speed-optimizations"
))]
mod safegcd {
    use crate::bignum::{LIMB_BYTES, Limb};
    use alloc::vec;
    use alloc::vec::Vec;
    use zeroize::{Zeroize, Zeroizing};

    /// `x^-1 mod n` (variable time in `x`; call only on blinded values), `n.len()` limbs,
    /// or `None` when `x` is not invertible. Uses crypto-bigint's safegcd at the next fixed
    /// size.
    pub(super) fn invert_vartime(x: &[Limb], n: &[Limb]) -> Option<Vec<Limb>> {
        use crypto_bigint::{U512, U1024, U2048, U4096};
        match n.len() * LIMB_BYTES {
            0..=64 => invert_fixed::<{ U512::LIMBS }>(x, n),
            65..=128 => invert_fixed::<{ U1024::LIMBS }>(x, n),
            129..=256 => invert_fixed::<{ U2048::LIMBS }>(x, n),
            257..=512 => invert_fixed::<{ U4096::LIMBS }>(x, n),
            _ => None,
        }
    }

    fn invert_fixed<const L: usize>(x: &[Limb], n: &[Limb]) -> Option<Vec<Limb>> {
        use crypto_bigint::{Odd, Uint};
        let bytes = L * (crypto_bigint::Word::BITS as usize / 8);
        let mut xb = Zeroizing::new(vec![0u8; bytes]);
        let mut nb = vec![0u8; bytes];
        for (i, (&xl, &nl)) in x.iter().zip(n).enumerate() {
            let at = LIMB_BYTES * i;
            xb[at..at + LIMB_BYTES].copy_from_slice(&xl.to_le_bytes());
            nb[at..at + LIMB_BYTES].copy_from_slice(&nl.to_le_bytes());
        }
        let mut xu = Uint::<L>::from_le_slice(&xb);
        let nu = Odd::new(Uint::<L>::from_le_slice(&nb)).into_option()?;
        let inv = xu.invert_odd_mod_vartime(&nu).into_option();
        xu.zeroize();
        let mut inv = inv?;
        let mut out_bytes = Zeroizing::new(Vec::with_capacity(bytes));
        for limb in inv.as_limbs() {
            out_bytes.extend_from_slice(&limb.0.to_le_bytes());
        }
        inv.zeroize();
        let mut out = vec![0 as Limb; n.len()];
        for (i, o) in out.iter_mut().enumerate() {
            let mut w = [0u8; LIMB_BYTES];
            w.copy_from_slice(&out_bytes[LIMB_BYTES * i..LIMB_BYTES * (i + 1)]);
            *o = Limb::from_le_bytes(w);
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    //! Known answers against num-bigint (the test oracle): `r^-1 mod n` for random `r` and
    //! the test keys of 1024, 2048 and 4096 bits, whichever way this build computes it.

    use super::*;
    use num_bigint::BigUint;

    /// A deterministic generator (SplitMix64) for the test's random numbers.
    struct TestRng(u64);

    impl SecureRandom for TestRng {
        fn fill_bytes(&mut self, dest: &mut [u8]) -> Result<()> {
            for chunk in dest.chunks_mut(8) {
                self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
                let mut z = self.0;
                z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
                z ^= z >> 31;
                chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
            }
            Ok(())
        }
    }

    /// The contents of a PEM file's base64 body.
    fn pem_body(text: &str) -> Vec<u8> {
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = Vec::new();
        let (mut acc, mut nbits) = (0u32, 0u32);
        for line in text.lines().filter(|l| !l.starts_with("-----")) {
            for c in line.trim().bytes().take_while(|&c| c != b'=') {
                let v = alphabet.iter().position(|&a| a == c).unwrap() as u32;
                acc = (acc << 6) | v;
                nbits += 6;
                if nbits >= 8 {
                    nbits -= 8;
                    out.push((acc >> nbits) as u8);
                }
            }
        }
        out
    }

    /// One DER TLV: (contents, rest).
    fn tlv(buf: &[u8]) -> (&[u8], &[u8]) {
        let (len, hdr) = if buf[1] < 0x80 {
            (usize::from(buf[1]), 2)
        } else {
            let n = usize::from(buf[1] & 0x7f);
            let len = buf[2..2 + n]
                .iter()
                .fold(0usize, |l, &b| (l << 8) | usize::from(b));
            (len, 2 + n)
        };
        (&buf[hdr..hdr + len], &buf[hdr + len..])
    }

    /// The test key `testkeys/rsa{bits}/server.key` (a PKCS#1 RSAPrivateKey in PEM).
    fn key(bits: usize) -> RsaPrivateKey {
        let path = format!(
            "{}/../testkeys/rsa{bits}/server.key",
            env!("CARGO_MANIFEST_DIR")
        );
        let der = pem_body(&std::fs::read_to_string(&path).unwrap());
        let (mut body, _) = tlv(&der);
        let mut ints = Vec::new();
        while !body.is_empty() {
            let (v, rest) = tlv(body);
            ints.push(v);
            body = rest;
        }
        let i = &ints;
        let key =
            RsaPrivateKey::from_components(i[1], i[2], i[3], i[4], i[5], i[6], i[7], i[8]).unwrap();
        assert_eq!(key.public.bits(), bits);
        key
    }

    fn big(limbs: &[Limb]) -> BigUint {
        let mut be = alloc::vec![0u8; limbs.len() * crate::bignum::LIMB_BYTES];
        crate::bignum::limbs_to_be(limbs, &mut be);
        BigUint::from_bytes_be(&be)
    }

    /// `blinding_inverse` of the plain `r`, as a plain number.
    fn inverse_of(key: &RsaPrivateKey, r: &[Limb], rng: &mut TestRng) -> Result<BigUint> {
        let n = &key.public.n;
        let inv_m = blinding_inverse(key, r, &n.to_mont(r), rng)?;
        Ok(big(&n.mont_to_plain(&inv_m)))
    }

    #[test]
    fn random_r_against_num_bigint() {
        let mut rng = TestRng(0x5eed);
        for (bits, count) in [(1024, 24), (2048, 12), (4096, 4)] {
            let key = key(bits);
            let n = big(key.public.n.modulus());
            for i in 0..count {
                let r = super::super::random_below(&mut rng, &key.public.n).unwrap();
                let want = big(&r).modinv(&n).unwrap();
                let got = inverse_of(&key, &r, &mut rng).unwrap();
                assert_eq!(got, want, "RSA-{bits}, r number {i}");
            }
        }
    }

    #[test]
    fn edge_values() {
        let mut rng = TestRng(7);
        let key = key(1024);
        let n_limbs = key.public.n.modulus().to_vec();
        let n = big(&n_limbs);
        let s = n_limbs.len();
        // 1 and n - 1 are their own inverses; 2's is (n + 1) / 2.
        let mut one = alloc::vec![0 as Limb; s];
        one[0] = 1;
        assert_eq!(
            inverse_of(&key, &one, &mut rng).unwrap(),
            BigUint::from(1u8)
        );
        let mut minus_one = n_limbs.clone();
        minus_one[0] -= 1; // n is odd
        assert_eq!(inverse_of(&key, &minus_one, &mut rng).unwrap(), &n - 1u8);
        let mut two = alloc::vec![0 as Limb; s];
        two[0] = 2;
        assert_eq!(inverse_of(&key, &two, &mut rng).unwrap(), (&n + 1u8) / 2u8);
        // A multiple of a prime has no inverse: the operation fails.
        for prime in [key.p.modulus(), key.q.modulus()] {
            let mut r = alloc::vec![0 as Limb; s];
            r[..prime.len()].copy_from_slice(prime);
            assert!(inverse_of(&key, &r, &mut rng).is_err());
        }
    }
}
