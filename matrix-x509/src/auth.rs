//! Chain authentication as MatrixSSL's `psX509AuthenticateCert` does it: each certificate is
//! checked against the next one in the chain, the last against the trusted CAs, and each
//! gets its `authStatus`; the first failure stops the walk, leaving the rest untested.
//!
//! A certificate passes when its issuer's subject DN equals its issuer DN (byte-exact, as
//! MatrixSSL compares them), the issuer is a CA (basicConstraints cA, keyCertSign when
//! keyUsage is present, and its pathLenConstraint not exceeded — RFC 5280 4.2.1.9), and the
//! signature verifies (RSA PKCS#1 v1.5 with MD5, SHA-1, SHA-256, SHA-384 or SHA-512).
//! A version 1 trusted CA (no extensions, so no basicConstraints) may issue: RFC 5280 6.1
//! takes a trust anchor as given; a version 1 intermediate may not. A chain that ends
//! with a copy of the trusted CA (servers often send their root) uses it as the anchor.
//!
//! Beyond MatrixSSL 3.2 (RFC 5280 4.2 and 4.2.1.10): a certificate with a critical extension
//! matrix does not process fails with `FailExtension` (the trusted CA's count against the
//! top of the chain), unless the feature `allow-unknown-critical-extensions` is on; and once
//! every link has passed, the nameConstraints of each CA (the trusted one included) are
//! applied to every certificate below it (self-issued intermediates excepted, section
//! 6.1.3), a violation failing that certificate with `FailNameConstraints`.
//!
//! Validity dates and host names are not part of it, as in MatrixSSL: the certificate
//! callback decides, with [`X509Cert::is_valid_at`] and [`X509Cert::matches_host`] (matrix-ssl's
//! `validator::standard` does both).

use matrix_crypto::alg::HashAlgorithm;
#[cfg(feature = "ecc-core")]
use matrix_crypto::ec::EcPublicKey;
#[cfg(any(feature = "x509", feature = "ecc-core"))]
use matrix_crypto::hash::HashContext;
#[cfg(feature = "x509")]
use matrix_crypto::rsa::{RsaPublicKey, verify_pkcs1_v15};

use crate::cert::{AuthStatus, X509Cert};
use crate::chain::CertChain;
use crate::extensions::KeyUsage;

/// The alert MatrixSSL passes to the certificate callback when authentication fails.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChainAlert {
    /// `SSL_ALERT_BAD_CERTIFICATE` (42): the chain did not authenticate itself, or the CA
    /// that issued it did not authenticate its top.
    BadCertificate,
    /// `SSL_ALERT_UNKNOWN_CA` (48): the chain is sound but no trusted CA issued its top.
    UnknownCa,
    /// `SSL_ALERT_UNSUPPORTED_CERTIFICATE` (43): a certificate of the chain, or the trusted
    /// CA, has a critical extension matrix does not process.
    UnsupportedCertificate,
}

impl ChainAlert {
    /// The TLS alert description.
    pub const fn alert(self) -> u8 {
        match self {
            ChainAlert::BadCertificate => 42,
            ChainAlert::UnknownCa => 48,
            ChainAlert::UnsupportedCertificate => 43,
        }
    }
}

/// Authenticates `chain` (child first) against `trusted` CAs, setting every certificate's
/// `auth_status`; `None` means every certificate passed.
pub fn authenticate(chain: &mut CertChain, trusted: &[X509Cert]) -> Option<ChainAlert> {
    let certs = chain.certs_mut();
    for c in certs.iter_mut() {
        c.auth_status = AuthStatus::Untested;
    }
    let n = certs.len();
    if n == 0 {
        return Some(ChainAlert::BadCertificate);
    }
    // A chain that ends with a trusted CA itself: that copy is the anchor.
    let sent_anchor = if n > 1 {
        trusted.iter().find(|ca| ca.der == certs[n - 1].der)
    } else {
        None
    };
    let top_is_anchor = sent_anchor.is_some();
    for i in 0..n - 1 {
        // Below the issuer certs[i + 1] lie certs[0..=i]: the leaf and i intermediates.
        let anchor = top_is_anchor && i + 2 == n;
        let status = check(&certs[i], &certs[i + 1], i, anchor);
        certs[i].auth_status = status;
        if status != AuthStatus::Pass {
            return Some(alert_for(status));
        }
    }
    let top = &certs[n - 1];
    let (found, best) = if top_is_anchor {
        // Trusted as it is: the link below it was checked with it as the anchor.
        (sent_anchor, AuthStatus::Pass)
    } else {
        issued_by_trusted(top, trusted, n - 1)
    };
    certs[n - 1].auth_status = best;
    match (found, best) {
        (Some(anchor), AuthStatus::Pass) => name_constraints(certs, anchor),
        (None, _) => Some(ChainAlert::UnknownCa),
        (Some(_), status) => Some(alert_for(status)),
    }
}

/// The trusted CA that issued `top` (which sits above `intermediates` CA certificates) and
/// the status of that link: the first CA with the right subject DN that passes, else the
/// last one tried; `None` when no trusted CA has that DN.
fn issued_by_trusted<'a>(
    top: &X509Cert,
    trusted: &'a [X509Cert],
    intermediates: usize,
) -> (Option<&'a X509Cert>, AuthStatus) {
    let mut last = (None, AuthStatus::Untested);
    // A plain loop: a `filter` closure is a function of its own on a Cortex-M4.
    for ca in trusted {
        if !ca.subject.matches(&top.issuer) {
            continue;
        }
        last = (Some(ca), check(top, ca, intermediates, true));
        if last.1 == AuthStatus::Pass {
            break;
        }
    }
    last
}

fn alert_for(status: AuthStatus) -> ChainAlert {
    match status {
        AuthStatus::FailExtension => ChainAlert::UnsupportedCertificate,
        _ => ChainAlert::BadCertificate,
    }
}

/// Applies each CA's nameConstraints (`certs[1..]`, then the trusted `anchor`) to every
/// certificate below it; the first violation fails that certificate.
#[cfg(feature = "name-constraints")]
fn name_constraints(certs: &mut [X509Cert], anchor: &X509Cert) -> Option<ChainAlert> {
    let n = certs.len();
    for k in (1..=n).rev() {
        let ca = if k == n { anchor } else { &certs[k] };
        let Some(nc) = ca.extensions.name_constraints.clone() else {
            continue;
        };
        for j in (0..k).rev() {
            let c = &certs[j];
            // RFC 5280 6.1.3 (b): a self-issued intermediate is not checked.
            if j > 0 && c.subject.matches(&c.issuer) {
                continue;
            }
            if !nc.allows(&c.subject.der, &c.extensions.subject_alt_names) {
                certs[j].auth_status = AuthStatus::FailNameConstraints;
                return Some(ChainAlert::BadCertificate);
            }
        }
    }
    None
}

/// Without `name-constraints` nothing is applied: a critical nameConstraints already
/// failed the chain as an unprocessed critical extension.
#[cfg(not(feature = "name-constraints"))]
fn name_constraints(_certs: &mut [X509Cert], _anchor: &X509Cert) -> Option<ChainAlert> {
    None
}

/// Checks `subject` against `issuer`, which sits above `intermediates` CA certificates of
/// the path (the leaf not counted): the number its pathLenConstraint limits. `anchor`: the
/// issuer is a trusted CA, which may be a version 1 certificate.
fn check(subject: &X509Cert, issuer: &X509Cert, intermediates: usize, anchor: bool) -> AuthStatus {
    if !subject.issuer.matches(&issuer.subject) {
        return AuthStatus::FailDn;
    }
    if !(anchor && issuer.version == 0) {
        let Some(bc) = issuer.extensions.basic_constraints.filter(|bc| bc.ca) else {
            return AuthStatus::FailBc;
        };
        if issuer
            .extensions
            .key_usage
            .is_some_and(|ku| !ku.allows(KeyUsage::KEY_CERT_SIGN))
        {
            return AuthStatus::FailBc;
        }
        if bc
            .path_len_constraint
            .is_some_and(|max| intermediates > max as usize)
        {
            return AuthStatus::FailBc;
        }
    }
    if !verify_signature(subject, issuer) {
        return AuthStatus::FailSig;
    }
    if subject.extensions.has_unprocessed_critical()
        || anchor && issuer.extensions.has_unprocessed_critical()
    {
        return AuthStatus::FailExtension;
    }
    AuthStatus::Pass
}

/// Whether `issuer`'s key verifies `subject`'s signature: RSA PKCS#1 v1.5 with an RSA key,
/// ECDSA with an EC key (feature `ecc`), so RSA and ECDSA links mix freely in one chain.
pub fn verify_signature(subject: &X509Cert, issuer: &X509Cert) -> bool {
    let Some(hash) = subject.sig_algorithm.hash() else {
        return false;
    };
    if subject.sig_algorithm.is_ecdsa() {
        return verify_ecdsa(subject, issuer, hash);
    }
    verify_rsa(subject, issuer, hash)
}

/// RSA PKCS#1 v1.5 (RFC 8017 section 8.2.2) with the issuer's RSA key.
#[cfg(feature = "x509")]
fn verify_rsa(subject: &X509Cert, issuer: &X509Cert, hash: HashAlgorithm) -> bool {
    let crate::cert::PublicKey::Rsa { n, e } = &issuer.public_key else {
        return false;
    };
    let Ok(digest) = HashContext::digest(hash, subject.tbs_der()) else {
        return false;
    };
    // The key borrowed where `new` left it (no copy out of the `Result`; 28 B less on a
    // Cortex-M4); a bad key or a hash the build lacks is `false` either way, so the order
    // of the two does not matter.
    match &RsaPublicKey::new(n, e) {
        Ok(key) => verify_pkcs1_v15(key, hash, &digest, &subject.signature).is_ok(),
        Err(_) => false,
    }
}

/// Without `x509` (an ECDSA-only build: `ecc` alone), no RSA code is compiled and an RSA
/// signature never verifies (`PS_CERT_AUTH_FAIL_SIG`).
#[cfg(not(feature = "x509"))]
fn verify_rsa(_: &X509Cert, _: &X509Cert, _: HashAlgorithm) -> bool {
    false
}

/// ECDSA (RFC 5758 section 3.2): the signature BIT STRING holds a DER `ECDSA-Sig-Value`.
#[cfg(feature = "ecc-core")]
fn verify_ecdsa(subject: &X509Cert, issuer: &X509Cert, hash: HashAlgorithm) -> bool {
    let crate::cert::PublicKey::Ec { curve, point } = &issuer.public_key else {
        return false;
    };
    let Ok(digest) = HashContext::digest(hash, subject.tbs_der()) else {
        return false;
    };
    // `PublicKey::ec_key`'s key, borrowed where `from_sec1` left it (no copy out of the
    // `Result`), as the RSA key above.
    match &EcPublicKey::from_sec1(*curve, point) {
        Ok(key) => key.verify_digest(&digest, &subject.signature).is_ok(),
        Err(_) => false,
    }
}

/// Without `ecc`, an ECDSA signature never verifies (`PS_CERT_AUTH_FAIL_SIG`).
#[cfg(not(feature = "ecc-core"))]
fn verify_ecdsa(_: &X509Cert, _: &X509Cert, _: HashAlgorithm) -> bool {
    false
}
