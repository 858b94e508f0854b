//! NIST P-384 over the RustCrypto `p384` crate (constant-time field and scalar arithmetic).
//! A macro writes the small set of functions `ec` needs for a curve crate, so the curve
//! types never leave this file; P-256 has the same set on matrix's own code (`ec/p256`).

/// Writes module `$m` with the operations `ec` needs on curve crate `$c`.
macro_rules! nist_curve {
    ($m:ident, $c:ident, $len:literal) => {
        pub(crate) mod $m {
            use crate::random::SecureRandom;
            use alloc::vec::Vec;
            use matrix_core::{Error, Result};
            use zeroize::{Zeroize as _, Zeroizing};
            use $c::ecdsa::signature::hazmat::{PrehashSigner, PrehashVerifier};
            use $c::ecdsa::{Signature, SigningKey, VerifyingKey};
            use $c::elliptic_curve::point::AffineCoordinates as _;
            use $c::elliptic_curve::sec1::ToSec1Point as _;

            /// Octets in a field element and in a scalar.
            pub(crate) const FIELD_LEN: usize = $len;

            /// The secret scalar of a key (zeroized on drop by the curve crate).
            pub(crate) type Secret = SigningKey;
            /// A validated public point.
            pub(crate) type Public = VerifyingKey;

            /// A uniform secret scalar in `[1, n)` from `rng` (rejection sampling: for
            /// these curves `n` is so close to `2^bits` that a retry is rare; we bound
            /// the loop so that a broken source cannot hang us).
            pub(crate) fn generate(rng: &mut dyn SecureRandom) -> Result<Secret> {
                let mut buf = Zeroizing::new([0u8; FIELD_LEN]);
                for _ in 0..64 {
                    rng.fill_bytes(&mut buf[..])?;
                    if let Ok(k) = SigningKey::from_slice(&buf[..]) {
                        return Ok(k);
                    }
                }
                Err(Error::Failure)
            }

            /// A secret scalar from exactly `FIELD_LEN` big-endian octets, `1 <= d < n`.
            pub(crate) fn secret_from_bytes(d: &[u8]) -> Result<Secret> {
                SigningKey::from_slice(d).map_err(|_| Error::ArgFail)
            }

            /// The uncompressed SEC 1 encoding of the key's public point.
            pub(crate) fn public_of(secret: &Secret) -> Public {
                *secret.verifying_key()
            }

            /// A public point from its uncompressed SEC 1 encoding `04 || X || Y`, on the
            /// curve (the crate checks the equation; the identity has no such encoding).
            pub(crate) fn parse_public(point: &[u8]) -> Result<Public> {
                if point.len() != 1 + 2 * FIELD_LEN || point[0] != 0x04 {
                    return Err(Error::ParseFail);
                }
                VerifyingKey::from_sec1_bytes(point).map_err(|_| Error::ParseFail)
            }

            /// `04 || X || Y`.
            pub(crate) fn encode_public(public: &Public) -> Vec<u8> {
                public.as_affine().to_sec1_point(false).as_bytes().to_vec()
            }

            /// The ECDH shared secret: the X coordinate of `d * Q` (RFC 8422 section 5.10).
            /// With a prime-order curve and a validated `Q != O`, `d * Q` is never the
            /// identity.
            pub(crate) fn agree(secret: &Secret, peer: &Public) -> Zeroizing<Vec<u8>> {
                let scalar: &$c::Scalar = secret.as_nonzero_scalar().as_ref();
                let mut shared =
                    ($c::ProjectivePoint::from(*peer.as_affine()) * scalar).to_affine();
                let mut x = shared.x();
                let out = Zeroizing::new(x.to_vec());
                x.zeroize();
                shared.zeroize();
                out
            }

            /// ECDSA over a prehashed digest, deterministic `k` (RFC 6979), DER encoded.
            pub(crate) fn sign(secret: &Secret, digest: &[u8]) -> Result<Vec<u8>> {
                let sig: Signature = secret.sign_prehash(digest).map_err(|_| Error::Failure)?;
                let rs = sig.to_bytes();
                Ok(super::super::sig_der::encode(&rs[..FIELD_LEN], &rs[FIELD_LEN..]))
            }

            /// Verifies a DER ECDSA signature over a prehashed digest.
            pub(crate) fn verify(public: &Public, digest: &[u8], sig: &[u8]) -> Result<()> {
                let mut rs = [0u8; 2 * FIELD_LEN];
                super::super::sig_der::decode(sig, &mut rs)?;
                let sig = Signature::from_slice(&rs).map_err(|_| Error::SignatureMismatch)?;
                public
                    .verify_prehash(digest, &sig)
                    .map_err(|_| Error::SignatureMismatch)
            }
        }
    };
}

#[cfg(feature = "ecc-p384")]
nist_curve!(p384_ops, p384, 48);
