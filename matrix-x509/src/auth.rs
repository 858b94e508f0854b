//! Chain authentication as MatrixSSL's `psX509AuthenticateCert` does it: each certificate is
//! checked against the next one in the chain, the last against the trusted CAs, and each
//! gets its `authStatus`; the first failure stops the walk, leaving the rest untested.
//!
//! A certificate passes when its issuer's subject DN equals its issuer DN (byte-exact, as
//! MatrixSSL compares them), the issuer is a CA (basicConstraints cA, keyCertSign when
//! keyUsage is present, and its pathLenConstraint not exceeded — RFC 5280 4.2.1.9), and the
//! signature verifies (RSA PKCS#1 v1.5 with MD5, SHA-1, SHA-256, SHA-384 or SHA-512).
//!
//! Validity dates and host names are not part of it, as in MatrixSSL: the certificate
//! callback decides, with [`X509Cert::is_valid_at`] and [`X509Cert::matches_host`].

use matrix_crypto::hash::HashContext;
use matrix_crypto::rsa::{RsaPublicKey, verify_pkcs1_v15};

use crate::cert::{AuthStatus, PublicKey, X509Cert};
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
}

impl ChainAlert {
    /// The TLS alert description.
    pub const fn alert(self) -> u8 {
        match self {
            ChainAlert::BadCertificate => 42,
            ChainAlert::UnknownCa => 48,
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
    for i in 0..n - 1 {
        // Below the issuer certs[i + 1] lie certs[0..=i]: the leaf and i intermediates.
        let status = check(&certs[i], &certs[i + 1], i);
        certs[i].auth_status = status;
        if status != AuthStatus::Pass {
            return Some(ChainAlert::BadCertificate);
        }
    }
    let top = &certs[n - 1];
    let mut found = false;
    let mut best = AuthStatus::Untested;
    for ca in trusted.iter().filter(|ca| ca.subject.matches(&top.issuer)) {
        found = true;
        best = check(top, ca, n - 1);
        if best == AuthStatus::Pass {
            break;
        }
    }
    certs[n - 1].auth_status = best;
    match (found, best) {
        (_, AuthStatus::Pass) => None,
        (false, _) => Some(ChainAlert::UnknownCa),
        (true, _) => Some(ChainAlert::BadCertificate),
    }
}

/// Checks `subject` against `issuer`, which sits above `intermediates` CA certificates of
/// the path (the leaf not counted): the number its pathLenConstraint limits.
fn check(subject: &X509Cert, issuer: &X509Cert, intermediates: usize) -> AuthStatus {
    if !subject.issuer.matches(&issuer.subject) {
        return AuthStatus::FailDn;
    }
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
    if verify_signature(subject, issuer) {
        AuthStatus::Pass
    } else {
        AuthStatus::FailSig
    }
}

/// Whether `issuer`'s key verifies `subject`'s signature.
pub fn verify_signature(subject: &X509Cert, issuer: &X509Cert) -> bool {
    let Some(hash) = subject.sig_algorithm.hash() else {
        return false;
    };
    let PublicKey::Rsa { n, e } = &issuer.public_key else {
        return false;
    };
    let Ok(key) = RsaPublicKey::new(n, e) else {
        return false;
    };
    let Ok(digest) = HashContext::digest(hash, subject.tbs_der()) else {
        return false;
    };
    verify_pkcs1_v15(&key, hash, &digest, &subject.signature).is_ok()
}
