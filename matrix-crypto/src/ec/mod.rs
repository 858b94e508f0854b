//! Elliptic-curve cryptography (MatrixSSL 3.x `USE_ECC`): ECDH over P-256, P-384 and X25519,
//! and ECDSA over P-256 and P-384.
//!
//! This module owns matrix's own small EC API. P-256 is written here (`p256`: field,
//! scalars, points, ECDSA, in safe Rust); P-384 (RustCrypto `p384`, `ecdsa`, in `nist`) and
//! X25519 (`x25519-dalek`, here) stay behind the same functions.
//!
//! - [`EcdhKeyPair`]: an ephemeral key pair drawn from the caller's [`SecureRandom`] (the
//!   library's HMAC-DRBG, never an OS generator directly) and the shared-secret computation
//!   of ECDHE: RFC 8422 section 5.10 (the X coordinate of `d * Q`) and RFC 7748 section 6.1
//!   (X25519).
//! - [`EcPrivateKey`] / [`EcPublicKey`]: ECDSA (FIPS 186-4, SEC 1 section 4.1) over a
//!   digest the caller computed (SHA-1/256/384 as TLS and certificates use them), with the
//!   signature in its DER form (RFC 5480 section 2.2, RFC 8422 section 5.4). Signing is
//!   deterministic (RFC 6979), so it needs no random source and leaks nothing through a
//!   weak one. The nonce's HMAC-DRBG uses the curve's hash (SHA-256 for P-256, SHA-384 for
//!   P-384) whatever the digest: for a SHA-256 digest on P-256 and SHA-384 on P-384 the
//!   signatures are RFC 6979's to the bit; for other pairs (SHA-1 in TLS 1.0/1.1) they
//!   differ from a strict reading of RFC 6979 (which keys it with the message's hash) but
//!   stay deterministic, secret and valid.
//!
//! Public points travel as uncompressed SEC 1 points `04 || X || Y` (RFC 8422 section 5.4.1
//! deprecates the compressed forms; RFC 5480 section 2.2 makes uncompressed mandatory) and
//! X25519 keys as their 32-octet u-coordinate. A peer's point must lie on the curve
//! (RFC 8422 section 5.11): anything else fails with `ProtocolFail` in ECDH (the TLS layer's
//! `illegal_parameter`) and `ParseFail` when parsed as a key. An X25519 result of all zeros
//! (a small-order peer point, RFC 7748 section 6.1) fails with `ProtocolFail`.
//!
//! Speed and size (`cargo xtask bench ecc`): fixed-base multiplication `d * G` (ECDSA
//! signing, key generation, the public half of every ECDHE key pair) is the generic
//! constant-time variable-base code unless `ecc-improve-perf-increase-codesize` is on
//! (matrix-crypto's defaults; it needs `std`): then it reads precomputed multiples of the
//! generator, every table entry touched and chosen by masks, so no memory access depends
//! on the secret (P-256: 43 rows of 32 affine points, 88 KB; P-384: the `p384` crate's
//! table, 56 KB; both built on first use; X25519: 25 KB of constant tables). P-256
//! verification also takes a 2 KB table of odd multiples of G then. ECDH (`d * Q`) is
//! constant time, verification (`u1 * G + u2 * Q`) variable time (public data only).
//!
//! Secret scalars are zeroized on drop (ours, and the curve crates' key types) and every
//! temporary secret buffer is a [`Zeroizing`] one. A curve whose feature is not compiled in
//! fails with `DisabledFeatureFail`.

#[cfg(feature = "ecc-p384")]
mod nist;
#[cfg(feature = "ecc-p256")]
mod p256;
#[cfg(any(feature = "ecc-p256", feature = "ecc-p384"))]
mod sig_der;

use crate::random::SecureRandom;
use alloc::vec::Vec;
use matrix_core::{Error, Result};
use zeroize::Zeroizing;

#[cfg(feature = "ecc-p256")]
use self::p256 as p256_ops;
#[cfg(feature = "ecc-p384")]
use nist::p384_ops;

/// The curves matrix knows, with their TLS `NamedGroup` code points (RFC 8422 section
/// 5.1.1, RFC 7748).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NamedCurve {
    /// NIST P-256 (secp256r1, prime256v1), TLS group 23.
    Secp256r1,
    /// NIST P-384 (secp384r1), TLS group 24.
    Secp384r1,
    /// Curve25519 for key agreement (X25519), TLS group 29.
    X25519,
}

impl NamedCurve {
    /// The TLS `NamedGroup` code point.
    pub const fn tls_id(self) -> u16 {
        match self {
            NamedCurve::Secp256r1 => 23,
            NamedCurve::Secp384r1 => 24,
            NamedCurve::X25519 => 29,
        }
    }

    /// The curve of a TLS `NamedGroup` code point, if matrix knows it.
    pub const fn from_tls_id(id: u16) -> Option<Self> {
        match id {
            23 => Some(NamedCurve::Secp256r1),
            24 => Some(NamedCurve::Secp384r1),
            29 => Some(NamedCurve::X25519),
            _ => None,
        }
    }

    /// Octets in a scalar, a field element and the shared secret.
    pub const fn field_len(self) -> usize {
        match self {
            NamedCurve::Secp256r1 | NamedCurve::X25519 => 32,
            NamedCurve::Secp384r1 => 48,
        }
    }

    /// Octets in an encoded public key (uncompressed SEC 1 point, or the X25519 u-coordinate).
    pub const fn public_len(self) -> usize {
        match self {
            NamedCurve::Secp256r1 => 65,
            NamedCurve::Secp384r1 => 97,
            NamedCurve::X25519 => 32,
        }
    }

    /// Whether this build compiled the curve in.
    pub const fn is_enabled(self) -> bool {
        match self {
            NamedCurve::Secp256r1 => cfg!(feature = "ecc-p256"),
            NamedCurve::Secp384r1 => cfg!(feature = "ecc-p384"),
            NamedCurve::X25519 => cfg!(feature = "x25519"),
        }
    }
}

/// The secret half of a key, per curve (each type zeroizes itself on drop).
enum Secret {
    #[cfg(feature = "ecc-p256")]
    P256(p256_ops::Secret),
    #[cfg(feature = "ecc-p384")]
    P384(p384_ops::Secret),
    #[cfg(feature = "x25519")]
    X25519(x25519_dalek::StaticSecret),
}

/// Strips leading zero octets and left-pads to `width`: a scalar given as a DER INTEGER's
/// magnitude or a SEC 1 octet string of any length becomes the curve's fixed-size form.
#[cfg(any(feature = "ecc-p256", feature = "ecc-p384"))]
fn fixed_width(d: &[u8], width: usize) -> Result<Zeroizing<Vec<u8>>> {
    let start = d.iter().position(|&b| b != 0).unwrap_or(d.len());
    let d = &d[start..];
    if d.len() > width {
        return Err(Error::ArgFail);
    }
    let mut out = Zeroizing::new(alloc::vec![0u8; width]);
    out[width - d.len()..].copy_from_slice(d);
    Ok(out)
}

impl Secret {
    #[allow(unused_variables, unreachable_patterns)]
    fn generate(curve: NamedCurve, rng: &mut dyn SecureRandom) -> Result<Self> {
        match curve {
            #[cfg(feature = "ecc-p256")]
            NamedCurve::Secp256r1 => p256_ops::generate(rng).map(Secret::P256),
            #[cfg(feature = "ecc-p384")]
            NamedCurve::Secp384r1 => Ok(Secret::P384(p384_ops::generate(rng)?)),
            #[cfg(feature = "x25519")]
            NamedCurve::X25519 => {
                // Every 32-octet string is an X25519 private key (RFC 7748 section 5:
                // the scalar is clamped when used).
                let mut k = Zeroizing::new([0u8; 32]);
                rng.fill_bytes(&mut k[..])?;
                Ok(Secret::X25519(x25519_dalek::StaticSecret::from(*k)))
            }
            _ => Err(Error::DisabledFeatureFail),
        }
    }

    #[allow(unused_variables, unreachable_patterns)]
    fn from_bytes(curve: NamedCurve, d: &[u8]) -> Result<Self> {
        match curve {
            #[cfg(feature = "ecc-p256")]
            NamedCurve::Secp256r1 => Ok(Secret::P256(p256_ops::secret_from_bytes(&fixed_width(
                d, 32,
            )?)?)),
            #[cfg(feature = "ecc-p384")]
            NamedCurve::Secp384r1 => Ok(Secret::P384(p384_ops::secret_from_bytes(&fixed_width(
                d, 48,
            )?)?)),
            #[cfg(feature = "x25519")]
            NamedCurve::X25519 => {
                // X25519 keys are octet strings, not integers: exactly 32 octets.
                let k: [u8; 32] = d.try_into().map_err(|_| Error::ArgFail)?;
                let k = Zeroizing::new(k);
                Ok(Secret::X25519(x25519_dalek::StaticSecret::from(*k)))
            }
            _ => Err(Error::DisabledFeatureFail),
        }
    }

    fn curve(&self) -> NamedCurve {
        match self {
            #[cfg(feature = "ecc-p256")]
            Secret::P256(_) => NamedCurve::Secp256r1,
            #[cfg(feature = "ecc-p384")]
            Secret::P384(_) => NamedCurve::Secp384r1,
            #[cfg(feature = "x25519")]
            Secret::X25519(_) => NamedCurve::X25519,
        }
    }
}

/// A validated public key, per curve.
#[derive(Clone)]
enum Public {
    #[cfg(feature = "ecc-p256")]
    P256(p256_ops::Public),
    #[cfg(feature = "ecc-p384")]
    P384(p384_ops::Public),
    #[cfg(feature = "x25519")]
    X25519(x25519_dalek::PublicKey),
}

impl Public {
    #[allow(unused_variables, unreachable_patterns)]
    fn parse(curve: NamedCurve, point: &[u8]) -> Result<Self> {
        match curve {
            #[cfg(feature = "ecc-p256")]
            NamedCurve::Secp256r1 => p256_ops::parse_public(point).map(Public::P256),
            #[cfg(feature = "ecc-p384")]
            NamedCurve::Secp384r1 => Ok(Public::P384(p384_ops::parse_public(point)?)),
            #[cfg(feature = "x25519")]
            NamedCurve::X25519 => {
                let u: [u8; 32] = point.try_into().map_err(|_| Error::ParseFail)?;
                Ok(Public::X25519(x25519_dalek::PublicKey::from(u)))
            }
            _ => Err(Error::DisabledFeatureFail),
        }
    }

    fn of(secret: &Secret) -> Self {
        match secret {
            #[cfg(feature = "ecc-p256")]
            Secret::P256(d) => Public::P256(p256_ops::public_of(d)),
            #[cfg(feature = "ecc-p384")]
            Secret::P384(d) => Public::P384(p384_ops::public_of(d)),
            #[cfg(feature = "x25519")]
            Secret::X25519(k) => Public::X25519(x25519_dalek::PublicKey::from(k)),
        }
    }

    fn encode(&self) -> Vec<u8> {
        match self {
            #[cfg(feature = "ecc-p256")]
            Public::P256(q) => p256_ops::encode_public(q),
            #[cfg(feature = "ecc-p384")]
            Public::P384(q) => p384_ops::encode_public(q),
            #[cfg(feature = "x25519")]
            Public::X25519(u) => u.as_bytes().to_vec(),
        }
    }
}

/// An ECDH key pair for one key exchange (ECDHE): the secret is zeroized on drop.
pub struct EcdhKeyPair {
    secret: Secret,
    public: Vec<u8>,
}

impl EcdhKeyPair {
    /// Draws a fresh key pair on `curve` from `rng`.
    // Out of line: inlined into the ECDHE client's key exchange, the secret scalar was
    // copied through each `Result` layer there (about 12 B more on a Cortex-M4).
    #[inline(never)]
    pub fn generate(curve: NamedCurve, rng: &mut dyn SecureRandom) -> Result<Self> {
        Secret::generate(curve, rng).and_then(Self::from_secret)
    }

    /// The key pair of a known private key: a big-endian scalar `1 <= d < n` for the NIST
    /// curves (leading zeros allowed), 32 octets for X25519. `ArgFail` if out of range.
    /// For tests and static ECDH keys; an ephemeral key comes from [`Self::generate`].
    pub fn from_private(curve: NamedCurve, d: &[u8]) -> Result<Self> {
        Self::from_secret(Secret::from_bytes(curve, d)?)
    }

    fn from_secret(secret: Secret) -> Result<Self> {
        let public = Public::of(&secret).encode();
        Ok(EcdhKeyPair { secret, public })
    }

    /// The curve.
    pub fn curve(&self) -> NamedCurve {
        self.secret.curve()
    }

    /// The public key to send: an uncompressed SEC 1 point, or the X25519 u-coordinate.
    pub fn public_key(&self) -> &[u8] {
        &self.public
    }

    /// [`Self::public_key`], taken out of a pair no longer needed (the secret is zeroized
    /// as it drops): no copy of the point.
    pub fn into_public_key(self) -> Vec<u8> {
        self.public
    }

    /// The shared secret with the peer's public key (same encoding as
    /// [`Self::public_key`]): the X coordinate of `d * Q` (RFC 8422 section 5.10), or the
    /// X25519 output (RFC 7748 section 5). `ProtocolFail` when the peer's point is not a
    /// valid point on this curve, or when the X25519 result is all zeros.
    pub fn agree(&self, peer_public: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        // Borrowed where `parse` left it: `map_err` and `?` each moved the point.
        let parsed = Public::parse(self.curve(), peer_public);
        let Ok(peer) = &parsed else {
            return Err(Error::ProtocolFail);
        };
        match (&self.secret, peer) {
            #[cfg(feature = "ecc-p256")]
            (Secret::P256(d), Public::P256(q)) => p256_ops::agree(d, q),
            #[cfg(feature = "ecc-p384")]
            (Secret::P384(d), Public::P384(q)) => Ok(p384_ops::agree(d, q)),
            #[cfg(feature = "x25519")]
            (Secret::X25519(k), Public::X25519(u)) => x25519_agree(k, u),
            #[allow(unreachable_patterns)]
            _ => Err(Error::ProtocolFail),
        }
    }
}

/// X25519 with the all-zero check of RFC 7748 section 6.1, in constant time.
#[cfg(feature = "x25519")]
fn x25519_agree(
    k: &x25519_dalek::StaticSecret,
    u: &x25519_dalek::PublicKey,
) -> Result<Zeroizing<Vec<u8>>> {
    use subtle::ConstantTimeEq;
    let shared = k.diffie_hellman(u);
    if bool::from(shared.as_bytes().ct_eq(&[0u8; 32])) {
        return Err(Error::ProtocolFail);
    }
    Ok(Zeroizing::new(shared.as_bytes().to_vec()))
}

impl core::fmt::Debug for EcdhKeyPair {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EcdhKeyPair")
            .field("curve", &self.curve())
            .finish_non_exhaustive()
    }
}

/// An ECDSA private key on P-256 or P-384 (the scalar is zeroized on drop).
pub struct EcPrivateKey {
    secret: Secret,
}

impl EcPrivateKey {
    /// The key with secret scalar `d` (big-endian, leading zeros allowed, `1 <= d < n`), as
    /// SEC 1 `ECPrivateKey.privateKey` carries it. `ArgFail` if out of range or not an
    /// ECDSA curve.
    pub fn from_scalar(curve: NamedCurve, d: &[u8]) -> Result<Self> {
        Self::ecdsa_curve(curve)?;
        Ok(EcPrivateKey {
            secret: Secret::from_bytes(curve, d)?,
        })
    }

    /// Draws a fresh key from `rng`.
    pub fn generate(curve: NamedCurve, rng: &mut dyn SecureRandom) -> Result<Self> {
        Self::ecdsa_curve(curve)?;
        Ok(EcPrivateKey {
            secret: Secret::generate(curve, rng)?,
        })
    }

    fn ecdsa_curve(curve: NamedCurve) -> Result<()> {
        match curve {
            NamedCurve::X25519 => Err(Error::ArgFail),
            _ => Ok(()),
        }
    }

    /// The curve.
    pub fn curve(&self) -> NamedCurve {
        self.secret.curve()
    }

    /// The matching public key.
    pub fn public_key(&self) -> EcPublicKey {
        EcPublicKey {
            key: Public::of(&self.secret),
        }
    }

    /// Signs `digest` (the hash of the message, computed by the caller; SHA-1, SHA-256 or
    /// SHA-384 in TLS, truncated or zero-extended to the order's size as FIPS 186-4 section
    /// 6.4 says) with a deterministic nonce (RFC 6979). Returns the DER `ECDSA-Sig-Value`.
    /// `ArgFail` for an empty digest.
    pub fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>> {
        if digest.is_empty() {
            return Err(Error::ArgFail);
        }
        match &self.secret {
            #[cfg(feature = "ecc-p256")]
            Secret::P256(d) => p256_ops::sign(d, digest),
            #[cfg(feature = "ecc-p384")]
            Secret::P384(d) => p384_ops::sign(d, digest),
            #[allow(unreachable_patterns)]
            _ => Err(Error::ArgFail),
        }
    }
}

impl core::fmt::Debug for EcPrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EcPrivateKey")
            .field("curve", &self.curve())
            .finish_non_exhaustive()
    }
}

/// An EC public key: a validated point on P-256 or P-384 (ECDSA), or an X25519 key.
#[derive(Clone)]
pub struct EcPublicKey {
    key: Public,
}

impl EcPublicKey {
    /// Parses an uncompressed SEC 1 point (the X25519 u-coordinate for X25519) and checks
    /// that it lies on `curve`. `ParseFail` otherwise, `DisabledFeatureFail` for a curve
    /// not compiled in.
    pub fn from_sec1(curve: NamedCurve, point: &[u8]) -> Result<Self> {
        Public::parse(curve, point).map(|key| EcPublicKey { key })
    }

    /// The curve.
    pub fn curve(&self) -> NamedCurve {
        match &self.key {
            #[cfg(feature = "ecc-p256")]
            Public::P256(_) => NamedCurve::Secp256r1,
            #[cfg(feature = "ecc-p384")]
            Public::P384(_) => NamedCurve::Secp384r1,
            #[cfg(feature = "x25519")]
            Public::X25519(_) => NamedCurve::X25519,
        }
    }

    /// The uncompressed SEC 1 encoding (the u-coordinate for X25519).
    pub fn to_sec1(&self) -> Vec<u8> {
        self.key.encode()
    }

    /// Verifies the DER ECDSA signature `sig` over `digest` (see
    /// [`EcPrivateKey::sign_digest`]). `SignatureMismatch` when the signature is not strict
    /// DER, out of range or wrong, or when the key is an X25519 key.
    #[allow(unused_variables)] // in a build with X25519 alone
    pub fn verify_digest(&self, digest: &[u8], sig: &[u8]) -> Result<()> {
        match &self.key {
            #[cfg(feature = "ecc-p256")]
            Public::P256(q) => p256_ops::verify(q, digest, sig),
            #[cfg(feature = "ecc-p384")]
            Public::P384(q) => p384_ops::verify(q, digest, sig),
            #[allow(unreachable_patterns)]
            _ => Err(Error::SignatureMismatch),
        }
    }
}

impl core::fmt::Debug for EcPublicKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EcPublicKey")
            .field("curve", &self.curve())
            .finish_non_exhaustive()
    }
}

impl PartialEq for EcPublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.curve() == other.curve() && self.to_sec1() == other.to_sec1()
    }
}

impl Eq for EcPublicKey {}
