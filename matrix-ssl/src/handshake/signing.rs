//! The keys of the signed handshake messages: [`PeerKey`], the public key a peer's
//! authenticated certificate gives (it checks the ServerKeyExchange and CertificateVerify
//! signatures), and [`Signer`], our private key that makes them. RSA PKCS#1 v1.5 (RFC 2246
//! sections 7.4.3 and 7.4.8, RFC 5246 section 4.7) always; ECDSA with a DER
//! `ECDSA-Sig-Value` (RFC 8422 sections 5.4 and 5.8) with the `ecc` feature.

// A one-role build uses one side's half of this module.
#![cfg_attr(
    not(all(feature = "client-side-ssl", feature = "server-side-ssl")),
    allow(dead_code, reason = "a one-role build uses one side's items")
)]

use alloc::vec::Vec;

use crate::rsa::{RsaPrivateKey, RsaPublicKey, sign_pkcs1_v15, verify_pkcs1_v15};
use matrix_crypto::alg::HashAlgorithm;
#[cfg(feature = "ecc-core")]
use matrix_crypto::ec::{EcPrivateKey, EcPublicKey};
use matrix_crypto::random::SecureRandom;

use crate::alert::Fatal;
use crate::codec::AlertDescription;
use crate::sigalgs::SigKind;

/// The public key of the peer's authenticated certificate.
pub(crate) enum PeerKey {
    /// An RSA key. (Without the `rsa` feature `RsaPublicKey` has no values, so nothing
    /// constructs this variant.)
    #[cfg_attr(not(feature = "rsa"), allow(dead_code))]
    Rsa(RsaPublicKey),
    /// An EC key on P-256 or P-384.
    #[cfg(feature = "ecc-core")]
    Ec(EcPublicKey),
}

impl PeerKey {
    /// The key of a certificate: unsupported_certificate for a key type (or curve) this
    /// build cannot use.
    #[cfg(all(feature = "cert-parse", feature = "certificates"))]
    pub(crate) fn from_certificate(key: &matrix_x509::PublicKey) -> Result<PeerKey, Fatal> {
        let unsupported = |_| Fatal::new(AlertDescription::UnsupportedCertificate);
        match key {
            matrix_x509::PublicKey::Rsa { n, e } => RsaPublicKey::new(n, e)
                .map(PeerKey::Rsa)
                .map_err(unsupported),
            #[cfg(feature = "ecc-core")]
            matrix_x509::PublicKey::Ec { curve, point } => EcPublicKey::from_sec1(*curve, point)
                .map(PeerKey::Ec)
                .map_err(unsupported),
            #[allow(unreachable_patterns)]
            _ => Err(Fatal::new(AlertDescription::UnsupportedCertificate)),
        }
    }

    /// The kind of signature the key makes.
    pub(crate) fn kind(&self) -> SigKind {
        match self {
            PeerKey::Rsa(_) => SigKind::Rsa,
            #[cfg(feature = "ecc-core")]
            PeerKey::Ec(_) => SigKind::Ecdsa,
        }
    }

    /// The RSA key, for the RSA key exchange: unsupported_certificate for another key
    /// type (a server must send the certificate its suite names).
    pub(crate) fn into_rsa(self) -> Result<RsaPublicKey, Fatal> {
        match self {
            PeerKey::Rsa(k) => Ok(k),
            #[cfg(feature = "ecc-core")]
            PeerKey::Ec(_) => Err(Fatal::new(AlertDescription::UnsupportedCertificate)),
        }
    }

    /// Checks `signature` over `digest` (a hash of `hash`): decrypt_error when it does not
    /// verify (RFC 5246 section 7.2.2).
    pub(crate) fn verify(
        &self,
        hash: HashAlgorithm,
        digest: &[u8],
        signature: &[u8],
    ) -> Result<(), Fatal> {
        let ok = match self {
            PeerKey::Rsa(k) => verify_pkcs1_v15(k, hash, digest, signature).is_ok(),
            #[cfg(feature = "ecc-core")]
            PeerKey::Ec(k) => k.verify_digest(digest, signature).is_ok(),
        };
        if ok {
            Ok(())
        } else {
            Err(Fatal::new(AlertDescription::DecryptError))
        }
    }

    /// The heap bytes the key holds.
    pub(crate) fn heap_bytes(&self) -> usize {
        match self {
            PeerKey::Rsa(k) => k.heap_bytes(),
            // The curve crates keep points inline.
            #[cfg(feature = "ecc-core")]
            PeerKey::Ec(_) => 0,
        }
    }
}

/// One of our private keys, chosen for a suite or a CertificateRequest.
#[derive(Clone, Copy)]
pub(crate) enum Signer<'a> {
    /// An RSA key.
    Rsa(&'a RsaPrivateKey),
    /// An ECDSA key.
    #[cfg(feature = "ecc-core")]
    Ec(&'a EcPrivateKey),
}

impl Signer<'_> {
    /// The kind of signature the key makes.
    pub(crate) fn kind(&self) -> SigKind {
        match self {
            Signer::Rsa(_) => SigKind::Rsa,
            #[cfg(feature = "ecc-core")]
            Signer::Ec(_) => SigKind::Ecdsa,
        }
    }

    /// Signs `digest` (a hash of `hash`): PKCS#1 v1.5 (blinded, with `rng`), or a
    /// deterministic ECDSA signature (RFC 6979) in DER.
    pub(crate) fn sign(
        &self,
        rng: &mut dyn SecureRandom,
        hash: HashAlgorithm,
        digest: &[u8],
    ) -> Result<Vec<u8>, Fatal> {
        match self {
            Signer::Rsa(k) => Ok(sign_pkcs1_v15(k, rng, hash, digest)?),
            #[cfg(feature = "ecc-core")]
            Signer::Ec(k) => {
                let _ = (rng, hash);
                k.sign_digest(digest).map_err(Fatal::internal)
            }
        }
    }
}
