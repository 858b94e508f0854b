//! RSA keys and PKCS#1 v1.5 encryption and signatures (RFC 8017).
//!
//! This module owns RSA for matrix: public keys (`n`, `e`) and private keys in the CRT form
//! of a PKCS#1 `RSAPrivateKey` (RFC 8017 appendix A.1.2), the RSA primitives RSAEP/RSAVP1
//! and RSADP/RSASP1 (RFC 8017 sections 5.1 and 5.2), and the PKCS#1 v1.5 schemes on top
//! of them in the `pkcs1` submodule (re-exported here): RSAES-PKCS1-v1_5 (section 7.2), the TLS
//! premaster decryption that never reveals a padding failure (RFC 2246 / RFC 5246 section
//! 7.4.7.1), and RSASSA-PKCS1-v1_5 with EMSA-PKCS1-v1_5 (sections 8.2 and 9.2), including
//! the raw MD5 || SHA-1 signatures of SSL 3.0 and TLS 1.0/1.1.
//!
//! The private operation uses the CRT with two fixed-window, constant-time exponentiations
//! (see [`crate::bignum`]), blinds its input with a random `r` (`c * r^e`, result times
//! `r^-1`; the `blinding` submodule: the pair is refreshed by squaring, a fresh one every
//! 32 operations), and checks its result against the public key before releasing it (a faulty
//! computation would otherwise leak a prime factor); on mismatch it fails with
//! `Error::Failure`. Secret values are zeroized when dropped.
//!
//! Supported modulus sizes: 512 to 4096 bits.

mod blinding;
mod inverse;
mod pkcs1;

pub use pkcs1::{
    decrypt_pkcs1_v15, decrypt_pkcs1_v15_tls, encrypt_pkcs1_v15, sign_pkcs1_v15, verify_pkcs1_v15,
};

use crate::bignum::{
    LIMB_BITS, LIMB_BYTES, Limb, MontCtx, add_assign_plain, bit_len_vartime, ct_eq_limbs,
    ct_lt_limbs, limbs_from_be, limbs_to_be, mul_plain, strip_be,
};
use crate::random::SecureRandom;
use alloc::vec;
use alloc::vec::Vec;
use blinding::Blinding;
use matrix_core::{Error, Result};
use subtle::{Choice, ConstantTimeEq};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Smallest supported modulus, in bits.
pub const MIN_MODULUS_BITS: usize = 512;
/// Largest supported modulus, in bits.
pub const MAX_MODULUS_BITS: usize = 4096;

/// An RSA public key (`n`, `e`).
#[derive(Clone)]
pub struct RsaPublicKey {
    n: MontCtx,
    n_be: Vec<u8>,
    /// The public exponent, big-endian without leading zeros: the exponentiation reads its
    /// bits from the octets.
    e_be: Vec<u8>,
    size: usize,
}

impl RsaPublicKey {
    /// The heap bytes this key holds (memory accounting of the sessions that keep one).
    pub fn heap_bytes(&self) -> usize {
        self.n.heap_bytes() + self.n_be.capacity() + self.e_be.capacity()
    }

    /// A public key from the big-endian modulus and public exponent (leading zero octets
    /// allowed). Fails with `ArgFail` unless `n` is odd with 512 to 4096 bits and
    /// `1 < e < n`.
    pub fn new(n_be: &[u8], e_be: &[u8]) -> Result<Self> {
        let n_be = strip_be(n_be);
        let e_be = strip_be(e_be);
        if n_be.is_empty() || n_be.len() > MAX_MODULUS_BITS / 8 {
            return Err(Error::ArgFail);
        }
        let s = n_be.len().div_ceil(LIMB_BYTES);
        let n = limbs_from_be(n_be, s)?;
        let bits = bit_len_vartime(&n);
        if !(MIN_MODULUS_BITS..=MAX_MODULUS_BITS).contains(&bits) || n[0] & 1 == 0 {
            return Err(Error::ArgFail);
        }
        // 1 < e < n, compared as the stripped big-endian strings (public values): a shorter
        // string is smaller, and strings of one length compare as numbers.
        if e_be.is_empty()
            || e_be == [1]
            || e_be.len() > n_be.len()
            || (e_be.len() == n_be.len() && e_be >= n_be)
        {
            return Err(Error::ArgFail);
        }
        let ctx = MontCtx::new(n)?;
        Ok(RsaPublicKey {
            n: ctx,
            n_be: n_be.to_vec(),
            e_be: e_be.to_vec(),
            size: n_be.len(),
        })
    }

    /// The modulus length in octets (`k` of RFC 8017): the length of every ciphertext and
    /// signature.
    pub fn size(&self) -> usize {
        self.size
    }

    /// The modulus length in bits.
    pub fn bits(&self) -> usize {
        self.n.bits()
    }

    /// The modulus, big-endian, without leading zeros.
    pub fn n(&self) -> &[u8] {
        &self.n_be
    }

    /// The public exponent, big-endian, without leading zeros.
    pub fn e(&self) -> &[u8] {
        &self.e_be
    }

    /// Parses a `k`-octet big-endian integer that must be less than `n` (public check).
    /// Zeroized on drop: an encryption's input is the padded secret.
    fn parse_input(&self, x: &[u8]) -> Result<Zeroizing<Vec<Limb>>> {
        if x.len() != self.size {
            return Err(Error::ArgFail);
        }
        let v = Zeroizing::new(limbs_from_be(x, self.n.nlimbs())?);
        if !self.n.is_reduced_vartime(&v) {
            return Err(Error::ArgFail);
        }
        Ok(v)
    }

    /// RSAEP / RSAVP1: `x^e mod n` for `x < n`.
    fn raw_public(&self, x: &[Limb]) -> Zeroizing<Vec<Limb>> {
        let xm = self.n.to_mont(x);
        let ym = self.n.pow_vartime_exp(&xm, &self.e_be);
        self.n.mont_to_plain(&ym)
    }

    /// RSAEP / RSAVP1 on octets: the `k`-octet `x^e mod n` of the `k`-octet `x < n`
    /// (`ArgFail` otherwise; see [`RsaPublicKey::parse_input`]). Encryption and
    /// verification share it.
    fn public_octets(&self, x: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let v = self.parse_input(x)?;
        Ok(self.to_octets(&self.raw_public(&v)))
    }

    /// `x` as `k` big-endian octets.
    fn to_octets(&self, x: &[Limb]) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(vec![0u8; self.size]);
        limbs_to_be(x, &mut out);
        out
    }
}

impl core::fmt::Debug for RsaPublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RsaPublicKey")
            .field("bits", &self.bits())
            .field("e", &self.e_be)
            .finish_non_exhaustive()
    }
}

/// An RSA private key in CRT form. Every secret field is zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct RsaPrivateKey {
    #[zeroize(skip)]
    public: RsaPublicKey,
    p: MontCtx,
    q: MontCtx,
    /// `d mod (p-1)`, `p`'s limb count.
    dp: Vec<Limb>,
    /// `d mod (q-1)`, `q`'s limb count.
    dq: Vec<Limb>,
    /// `q^-1 mod p`, `p`'s limb count.
    qinv: Vec<Limb>,
    /// The blinding pair kept between operations (zeroized by its own `Drop`).
    #[zeroize(skip)]
    blinding: Blinding,
}

impl RsaPrivateKey {
    /// A private key from the components of a PKCS#1 `RSAPrivateKey` (big-endian, leading
    /// zeros allowed): modulus, public and private exponents, the primes `p` and `q`,
    /// `dp = d mod (p-1)`, `dq = d mod (q-1)` and `qinv = q^-1 mod p`.
    ///
    /// Checks, failing with `ArgFail`: the public key is valid ([`RsaPublicKey::new`]),
    /// `p` and `q` are odd and greater than 1, `p * q == n`, `dp < p`, `dq < q`, `qinv < p`
    /// and `q * qinv == 1 mod p`. `d` itself is not used by the CRT computation (only its
    /// length is checked); wrong `dp` or `dq` are caught by the result check of every
    /// private operation.
    #[allow(clippy::too_many_arguments)]
    pub fn from_components(
        n: &[u8],
        e: &[u8],
        d: &[u8],
        p: &[u8],
        q: &[u8],
        dp: &[u8],
        dq: &[u8],
        qinv: &[u8],
    ) -> Result<Self> {
        let public = RsaPublicKey::new(n, e)?;
        if strip_be(d).len() > public.size {
            return Err(Error::ArgFail);
        }
        let p_be = strip_be(p);
        let q_be = strip_be(q);
        if p_be.is_empty() || q_be.is_empty() || p_be.len() + q_be.len() > public.size + 1 {
            return Err(Error::ArgFail);
        }
        let sp = p_be.len().div_ceil(LIMB_BYTES);
        let sq = q_be.len().div_ceil(LIMB_BYTES);
        let pctx = MontCtx::new(limbs_from_be(p_be, sp)?)?;
        let qctx = MontCtx::new(limbs_from_be(q_be, sq)?)?;
        let dp = Zeroizing::new(limbs_from_be(dp, sp)?);
        let dq = Zeroizing::new(limbs_from_be(dq, sq)?);
        let qinv = Zeroizing::new(limbs_from_be(qinv, sp)?);

        // p * q == n, compared in constant time over n's limbs.
        let pq = mul_plain(pctx.modulus(), qctx.modulus());
        let n_limbs = public.n.modulus();
        let mut ok = Choice::from(1);
        for i in 0..pq.len().max(n_limbs.len()) {
            let x = pq.get(i).copied().unwrap_or(0);
            let y = n_limbs.get(i).copied().unwrap_or(0);
            ok &= x.ct_eq(&y);
        }
        ok &= ct_lt_limbs(&dp, pctx.modulus());
        ok &= ct_lt_limbs(&dq, qctx.modulus());
        ok &= ct_lt_limbs(&qinv, pctx.modulus());
        if !bool::from(ok) {
            return Err(Error::ArgFail);
        }
        // q * qinv == 1 mod p: (q R mod p) * qinv * R^-1 == 1.
        let q_m = pctx.reduce_to_mont(qctx.modulus());
        let prod = pctx.mul(&q_m, &qinv);
        let mut unit = vec![0 as Limb; sp];
        unit[0] = 1;
        if !bool::from(ct_eq_limbs(&prod, &unit)) {
            return Err(Error::ArgFail);
        }
        // dp and dq must invert e modulo p-1 and q-1. A wrong one would make every private
        // operation fail its result check; refuse the key now instead, by checking that
        // (2^e)^dp = 2 mod p and (2^e)^dq = 2 mod q. 2 is public, and the exponentiations
        // are the constant-time ones of the private operation.
        let mut two = vec![0 as Limb; public.n.nlimbs()];
        two[0] = 2;
        let two_e = public.raw_public(&two);
        for (ctx, d) in [(&pctx, &dp), (&qctx, &dq)] {
            let r = ctx.mont_to_plain(&ctx.pow_ct(&ctx.reduce_to_mont(&two_e), d, ctx.bits()));
            let mut want = vec![0 as Limb; ctx.nlimbs()];
            want[0] = 2;
            if !bool::from(ct_eq_limbs(&r, &want)) {
                return Err(Error::ArgFail);
            }
        }
        let blinding = Blinding::new(public.n.nlimbs());
        Ok(RsaPrivateKey {
            blinding,
            public,
            p: pctx,
            q: qctx,
            dp: dp.to_vec(),
            dq: dq.to_vec(),
            qinv: qinv.to_vec(),
        })
    }

    /// The public half of this key.
    pub fn public_key(&self) -> &RsaPublicKey {
        &self.public
    }

    /// The modulus length in octets.
    pub fn size(&self) -> usize {
        self.public.size
    }

    /// Garner's recombination: the value modulo `n` (`n`'s limb count) of the number
    /// whose Montgomery forms modulo `p` and `q` are `m1_m` and `m2_m`:
    /// `h = qinv (m1 - m2) mod p`, `m = m2 + h q`. Constant time.
    fn crt_join(&self, m1_m: Zeroizing<Vec<Limb>>, m2_m: &[Limb]) -> Zeroizing<Vec<Limb>> {
        let s = self.public.n.nlimbs();
        let m2 = self.q.mont_to_plain(m2_m);
        let m2_p = self.p.reduce_to_mont(&m2);
        let mut diff = m1_m;
        self.p.sub_assign_mod(&mut diff, &m2_p);
        let h = self.p.mul(&diff, &self.qinv);
        let mut mm = mul_plain(&h, self.q.modulus());
        add_assign_plain(&mut mm, &m2);
        // The value is below p q = n, so the limbs above n's are zero.
        let mut m = Zeroizing::new(vec![0 as Limb; s]);
        let keep = s.min(mm.len());
        m[..keep].copy_from_slice(&mm[..keep]);
        m
    }

    /// RSADP / RSASP1 with CRT, base blinding and a check of the result: `x^d mod n` for
    /// `x < n` (`n`'s limb count).
    fn raw_private(&self, rng: &mut dyn SecureRandom, x: &[Limb]) -> Result<Zeroizing<Vec<Limb>>> {
        let n = &self.public.n;

        // Blinding: xb = x r^e mod n, and xb^d = x^d r mod n.
        let pair = self.blinding.next(self, rng)?;
        let xb = n.mul(x, &pair.forward);

        // CRT: m1 = xb^dp mod p, m2 = xb^dq mod q, joined into xb^d mod n.
        let m1_m = crt_half(&self.p, &self.dp, &xb);
        let m2_m = crt_half(&self.q, &self.dq, &xb);
        let mb = self.crt_join(m1_m, &m2_m);
        // Unblinding: (x^d r) (r^-1 R) R^-1 = x^d.
        let m = n.mul(&mb, &pair.inverse);

        // Check against the public key before releasing the result.
        let check = self.public.raw_public(&m);
        if !bool::from(ct_eq_limbs(&check, x)) {
            return Err(Error::Failure);
        }
        Ok(m)
    }
}

/// One CRT half of the blinded private operation: the Montgomery form (modulo the prime
/// `pr`) of `xb^d_pr`.
fn crt_half(pr: &MontCtx, d_pr: &[Limb], xb: &[Limb]) -> Zeroizing<Vec<Limb>> {
    pr.pow_ct(&pr.reduce_to_mont(xb), d_pr, pr.bits())
}

impl core::fmt::Debug for RsaPrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("RsaPrivateKey")
            .field("public", &self.public)
            .finish_non_exhaustive()
    }
}

/// A random number below `2^(bits(n) - 1)`, so less than `n`, with `n`'s limb count.
fn random_below(rng: &mut dyn SecureRandom, n: &MontCtx) -> Result<Zeroizing<Vec<Limb>>> {
    let s = n.nlimbs();
    let mut bytes = Zeroizing::new(vec![0u8; s * LIMB_BYTES]);
    rng.fill_bytes(&mut bytes)?;
    let mut v = Zeroizing::new(limbs_from_be(&bytes, s)?);
    let keep = n.bits() - 1;
    for (i, limb) in v.iter_mut().enumerate() {
        let lo = LIMB_BITS * i;
        if lo >= keep {
            *limb = 0;
        } else if keep - lo < LIMB_BITS {
            *limb &= (1 << (keep - lo)) - 1;
        }
    }
    Ok(v)
}
