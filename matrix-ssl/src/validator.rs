//! A ready certificate validator (beyond MatrixSSL, which leaves dates and host names to the
//! application's callback): [`standard`] checks what a TLS client must check of a server's
//! chain, and answers with the alert of RFC 5246 section 7.2.2.
//!
//! In order:
//! 1. the chain's authentication against the trusted CAs (`matrix_x509::authenticate`,
//!    which also refuses unknown critical extensions and applies name constraints): its
//!    alert (bad_certificate, unknown_ca, unsupported_certificate);
//! 2. the validity dates of every certificate of the chain against the context's `Clock`
//!    (`HandshakeInfo::now_ms`; `Config`'s clock, the system clock with `std`):
//!    certificate_expired ("expired or not currently valid");
//! 3. the leaf's extendedKeyUsage, when present, must allow serverAuth (RFC 5280 4.2.1.12):
//!    unsupported_certificate;
//! 4. the host name (RFC 6125): an IP address literal against subjectAltName iPAddress
//!    entries only; a DNS name against subjectAltName dNSName entries, or the subject's
//!    commonName only when the certificate has no subjectAltName; a wildcard only as the whole
//!    left-most label and only above two labels or more (`*.example.com`, never `*.com`,
//!    `f*.example.com` or `www.*.com`): bad_certificate.
//!
//! The trusted CA itself is configuration, not checked for dates. [`check`] gives the reason
//! as a [`Refusal`] for programs that report it (matrix-client does).

use alloc::boxed::Box;
use alloc::string::String;
use core::fmt;

use matrix_x509::{AuthStatus, X509Cert, oid};

use crate::codec::AlertDescription;
use crate::handshake::{CertValidator, PeerChain, Verdict};

/// Why [`check`] refused a chain.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The chain did not authenticate: the alert authentication gave, and the first
    /// certificate (0 is the leaf) that failed with its status, if one did.
    Chain(AlertDescription, Option<(usize, AuthStatus)>),
    /// The peer sent no certificate.
    Empty,
    /// Certificate `index` (0 is the leaf) is expired or not yet valid.
    Dates(usize),
    /// The leaf's extendedKeyUsage does not allow TLS server authentication.
    Purpose,
    /// The leaf does not name the host.
    Host,
}

impl Refusal {
    /// The fatal alert to send.
    pub fn alert(&self) -> AlertDescription {
        match self {
            Refusal::Chain(a, _) => *a,
            Refusal::Empty | Refusal::Host => AlertDescription::BadCertificate,
            Refusal::Dates(_) => AlertDescription::CertificateExpired,
            Refusal::Purpose => AlertDescription::UnsupportedCertificate,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Chain(a, Some((i, status))) => write!(
                f,
                "the chain does not authenticate ({a:?}): certificate {i} {}",
                status_words(*status)
            ),
            Refusal::Chain(a, None) => write!(f, "the chain does not authenticate ({a:?})"),
            Refusal::Empty => f.write_str("no certificate"),
            Refusal::Dates(0) => f.write_str("the certificate is expired or not yet valid"),
            Refusal::Dates(i) => write!(
                f,
                "certificate {i} of the chain is expired or not yet valid"
            ),
            Refusal::Purpose => {
                f.write_str("the certificate is not for TLS servers (extendedKeyUsage)")
            }
            Refusal::Host => f.write_str("the certificate does not name the host"),
        }
    }
}

fn status_words(s: AuthStatus) -> &'static str {
    match s {
        AuthStatus::FailBc => "has an issuer that is no CA (basicConstraints)",
        AuthStatus::FailDn => "names an issuer that does not follow it",
        AuthStatus::FailSig => "has a signature that does not verify",
        AuthStatus::FailExtension => "has a critical extension matrix does not process",
        AuthStatus::FailNameConstraints => "has a name its CA's name constraints forbid",
        _ => "is not issued by a trusted CA",
    }
}

/// Checks `chain` as the module says, at `now_ms` (milliseconds since the Unix epoch) for
/// `host`; `found` is the alert authentication gave (the callback's third argument).
pub fn check(
    now_ms: u64,
    chain: &PeerChain,
    found: Option<AlertDescription>,
    host: &str,
) -> Result<(), Refusal> {
    if let Some(a) = found {
        let failed = chain
            .certs()
            .iter()
            .position(|c| c.auth_status != AuthStatus::Pass)
            .map(|i| (i, chain.certs()[i].auth_status));
        return Err(Refusal::Chain(a, failed));
    }
    let leaf = chain.leaf().ok_or(Refusal::Empty)?;
    if let Some(i) = chain.certs().iter().position(|c| !c.is_valid_at(now_ms)) {
        return Err(Refusal::Dates(i));
    }
    if !leaf.extensions.allows_purpose(oid::KP_SERVER_AUTH) {
        return Err(Refusal::Purpose);
    }
    if !names_host(leaf, host) {
        return Err(Refusal::Host);
    }
    Ok(())
}

/// `host` as `X509Cert::matches_host` takes it: brackets of an IPv6 literal dropped.
fn names_host(leaf: &X509Cert, host: &str) -> bool {
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    leaf.matches_host(host)
}

/// The standard validator for a client connecting to `host` (a DNS name or an IP address
/// literal): [`check`] at the context clock's time, its refusal's alert, else continue.
pub fn standard(host: &str) -> CertValidator {
    let host = String::from(host);
    Box::new(
        move |info, chain, found| match check(info.now_ms(), chain, found, &host) {
            Ok(()) => Verdict::Continue,
            Err(r) => Verdict::Alert(r.alert()),
        },
    )
}
