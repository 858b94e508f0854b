//! ECDSA over P-256 (FIPS 186-4 section 6, SEC 1 section 4.1) with deterministic nonces
//! (RFC 6979 section 3.2, HMAC-SHA-256 whatever the digest: the same choice as the
//! RustCrypto `ecdsa` crate, whose signatures ours equal bit for bit).
//!
//! The digest is used as FIPS 186-4 section 6.4 says: its leftmost 256 bits (SHA-384), or
//! its whole value when shorter (SHA-1). `s` is not normalized to the lower half (TLS does
//! not ask it; the `p256` crate does not either).

use super::field::Fe;
use super::limbs::{self, Limbs};
use super::point::{self, Affine};
use super::scalar::{self, Scalar};
use crate::hash::Sha256;
use crate::mac::Hmac;
use zeroize::{Zeroize, Zeroizing};

/// The RFC 6979 section 3.2 HMAC-DRBG over SHA-256 (steps b to h), seeded with the key and
/// the reduced digest. `keyed` is HMAC keyed with the current K (cloned per use: the key
/// schedule runs once per K); both are wiped on drop.
struct NonceGen {
    keyed: Hmac<Sha256>,
    v: Zeroizing<[u8; 32]>,
    /// Whether a candidate was handed out: the next one first runs step h.3.
    used: bool,
}

impl NonceGen {
    fn new(x: &[u8; 32], h1: &[u8; 32]) -> Self {
        let mut g = NonceGen {
            keyed: Hmac::new(&[0u8; 32]),
            v: Zeroizing::new([1u8; 32]),
            used: false,
        };
        for sep in [0u8, 1] {
            // K = HMAC_K(V || sep || int2octets(x) || bits2octets(h1)); V = HMAC_K(V).
            let mut m = g.keyed.clone();
            m.update(&g.v[..]);
            m.update(&[sep]);
            m.update(x);
            m.update(h1);
            g.rekey(m);
            g.next_v();
        }
        g
    }

    /// K = the tag of `m`.
    fn rekey(&mut self, m: Hmac<Sha256>) {
        let mut k = m.finalize();
        self.keyed = Hmac::new(k.as_ref());
        k.zeroize();
    }

    /// V = HMAC_K(V).
    fn next_v(&mut self) {
        let mut m = self.keyed.clone();
        m.update(&self.v[..]);
        let mut out = m.finalize();
        self.v.copy_from_slice(out.as_ref());
        out.zeroize();
    }

    /// The next candidate `k` in `[1, n)` (step h: retry until one is in range; after a
    /// refused candidate or a signature with r or s zero, K and V move on by step h.3).
    fn next(&mut self) -> Scalar {
        loop {
            if self.used {
                let mut m = self.keyed.clone();
                m.update(&self.v[..]);
                m.update(&[0]);
                self.rekey(m);
                self.next_v();
            }
            self.used = true;
            self.next_v();
            if let Some(k) = Scalar::from_bytes(&self.v).filter(|k| k.is_zero_mask() == 0) {
                return k;
            }
        }
    }
}

/// Signs `digest` with the secret scalar `d` (`1 <= d < n`): `(r, s)` as two big-endian
/// 32-octet integers.
pub(super) fn sign(d: &Scalar, digest: &[u8]) -> ([u8; 32], [u8; 32]) {
    let z = Scalar::from_digest(digest);
    let x = Zeroizing::new(d.to_bytes());
    let h1 = scalar::reduce_digest(digest);
    let mut nonces = NonceGen::new(&x, &super::limbs::to_be(&h1));
    loop {
        let mut k = nonces.next();
        let r_point = point::mul_base_affine(&k);
        let mut k_inv = k.invert();
        k.zeroize();
        // k != 0 and G has prime order: R is never the identity.
        let Some(r_point) = r_point else {
            k_inv.zeroize();
            continue;
        };
        let r = Scalar::from_digest(&r_point.x_bytes());
        let s = k_inv * (z + r * *d);
        k_inv.zeroize();
        if r.is_zero_mask() == 0 && s.is_zero_mask() == 0 {
            return (r.to_bytes(), s.to_bytes());
        }
    }
}

/// Verifies `(r, s)` over `digest` with the public point `q` (SEC 1 section 4.1.4):
/// `r, s` in `[1, n)`, then `x(u1 G + u2 Q) mod n == r`. Variable time: all public.
pub(super) fn verify(q: &Affine, digest: &[u8], r: &[u8; 32], s: &[u8; 32]) -> bool {
    let (Some(r), Some(s)) = (Scalar::from_bytes(r), Scalar::from_bytes(s)) else {
        return false;
    };
    if r.is_zero_mask() != 0 || s.is_zero_mask() != 0 {
        return false;
    }
    let z = Scalar::from_digest(digest);
    let w = s.invert();
    let (u1, u2) = (z * w, r * w);
    super::check_x(&u1, &u2, q, &r.to_limbs())
}

/// Whether `x / zz == r` or `x / zz == r + n` (when `r + n < p`): the verifier's final
/// check `x(R) mod n == r` for `R`'s X coordinate `x / zz` (`zz` is `Z^2` in Jacobian
/// coordinates, `Z` in projective ones), without an inversion. `r < n`; `x(R) < p < 2n`.
pub(super) fn x_matches(x: &Fe, zz: &Fe, r: &Limbs) -> bool {
    if zz.is_zero() {
        return false;
    }
    let candidate =
        |c: &Limbs| Fe::from_bytes(&limbs::to_be(c)).is_some_and(|c| (c * *zz).eq_vartime(x));
    if candidate(r) {
        return true;
    }
    let (rn, carry) = limbs::add(r, &scalar::N);
    carry == 0 && candidate(&rn)
}
