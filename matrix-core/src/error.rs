//! The `PS_*` failure codes of MatrixSSL's `coreApi.h` and `cryptoApi.h` as one Rust enum.
//!
//! MatrixSSL returns statuses and failures in one `int32`; matrix keeps them apart: a
//! function returns `Result<T, Error>` and its successful statuses are values of `T`. The C
//! numbers survive behind [`Error::code`], so that a C ABI and logs can speak MatrixSSL.

use core::fmt;

/// A MatrixSSL failure (`PS_*_FAIL`), with the C value behind [`Error::code`].
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Error {
    /// `PS_FAILURE` (-1): a generic failure.
    Failure,
    /// `PS_ARG_FAIL` (-6): a bad function parameter.
    ArgFail,
    /// `PS_PLATFORM_FAIL` (-7): a system call failed (a file could not be opened, the
    /// entropy source failed).
    PlatformFail,
    /// `PS_MEM_FAIL` (-8): memory could not be had, or a budget refused it.
    MemFail,
    /// `PS_LIMIT_FAIL` (-9): a size or sanity limit was exceeded.
    LimitFail,
    /// `PS_UNSUPPORTED_FAIL` (-10): a feature or algorithm this build does not support.
    UnsupportedFail,
    /// `PS_DISABLED_FEATURE_FAIL` (-11): the feature exists but was not compiled in.
    DisabledFeatureFail,
    /// `PS_PROTOCOL_FAIL` (-12): a protocol error, or a session already flagged for closure.
    ProtocolFail,
    /// `PS_TIMEOUT_FAIL` (-13): a timeout occurred.
    TimeoutFail,
    /// `PS_PARSE_FAIL` (-31): a certificate, key or message could not be parsed.
    ParseFail,
    /// `PS_CERT_AUTH_FAIL_BC` (-32): the issuing certificate is not a CA (basicConstraints).
    CertAuthFailBc,
    /// `PS_CERT_AUTH_FAIL_DN` (-33): the issuer's DN does not match the subject's issuer DN.
    CertAuthFailDn,
    /// `PS_CERT_AUTH_FAIL_SIG` (-34): the certificate's signature does not verify.
    CertAuthFailSig,
    /// `PS_CERT_AUTH_FAIL` (-36): a certificate or chain did not authenticate, or a private
    /// key does not belong to its certificate.
    CertAuthFail,
    /// `PS_CERT_AUTH_FAIL_EXTENSION` (-37): a certificate extension forbids this use.
    CertAuthFailExtension,
    /// `PS_CERT_AUTH_FAIL_PATH_LEN` (-38): a chain is longer than a CA's pathLenConstraint.
    CertAuthFailPathLen,
    /// `PS_SIGNATURE_MISMATCH` (-40): the outer signature algorithm differs from the one
    /// inside the certificate, or a signature does not match its data.
    SignatureMismatch,
    /// `PS_AUTH_FAIL` (-41): an integrity check failed: a wrong password, a bad MAC.
    AuthFail,
}

/// The C values of the variants, in their declaration order ([`Error::code`]).
const CODES: [i8; 18] = [
    -1,  // PS_FAILURE
    -6,  // PS_ARG_FAIL
    -7,  // PS_PLATFORM_FAIL
    -8,  // PS_MEM_FAIL
    -9,  // PS_LIMIT_FAIL
    -10, // PS_UNSUPPORTED_FAIL
    -11, // PS_DISABLED_FEATURE_FAIL
    -12, // PS_PROTOCOL_FAIL
    -13, // PS_TIMEOUT_FAIL
    -31, // PS_PARSE_FAIL
    -32, // PS_CERT_AUTH_FAIL_BC
    -33, // PS_CERT_AUTH_FAIL_DN
    -34, // PS_CERT_AUTH_FAIL_SIG
    -36, // PS_CERT_AUTH_FAIL
    -37, // PS_CERT_AUTH_FAIL_EXTENSION
    -38, // PS_CERT_AUTH_FAIL_PATH_LEN
    -40, // PS_SIGNATURE_MISMATCH
    -41, // PS_AUTH_FAIL
];

impl Error {
    /// Every variant, for tables and tests.
    pub const ALL: [Error; 18] = [
        Error::Failure,
        Error::ArgFail,
        Error::PlatformFail,
        Error::MemFail,
        Error::LimitFail,
        Error::UnsupportedFail,
        Error::DisabledFeatureFail,
        Error::ProtocolFail,
        Error::TimeoutFail,
        Error::ParseFail,
        Error::CertAuthFailBc,
        Error::CertAuthFailDn,
        Error::CertAuthFailSig,
        Error::CertAuthFail,
        Error::CertAuthFailExtension,
        Error::CertAuthFailPathLen,
        Error::SignatureMismatch,
        Error::AuthFail,
    ];

    /// The MatrixSSL C value of this failure (always negative).
    pub const fn code(self) -> i32 {
        // One byte a variant, indexed by the variant (declared in the order of `ALL`): the
        // `match` this replaces became a table of 4-byte values (72 B of a firmware
        // image's read-only data, where this is 18 B).
        CODES[self as usize] as i32
    }

    /// The failure whose C value is `code`, if there is one.
    pub fn from_code(code: i32) -> Option<Error> {
        Error::ALL.into_iter().find(|e| e.code() == code)
    }

    /// The C name of this failure, e.g. `"PS_ARG_FAIL"`.
    pub const fn name(self) -> &'static str {
        match self {
            Error::Failure => "PS_FAILURE",
            Error::ArgFail => "PS_ARG_FAIL",
            Error::PlatformFail => "PS_PLATFORM_FAIL",
            Error::MemFail => "PS_MEM_FAIL",
            Error::LimitFail => "PS_LIMIT_FAIL",
            Error::UnsupportedFail => "PS_UNSUPPORTED_FAIL",
            Error::DisabledFeatureFail => "PS_DISABLED_FEATURE_FAIL",
            Error::ProtocolFail => "PS_PROTOCOL_FAIL",
            Error::TimeoutFail => "PS_TIMEOUT_FAIL",
            Error::ParseFail => "PS_PARSE_FAIL",
            Error::CertAuthFailBc => "PS_CERT_AUTH_FAIL_BC",
            Error::CertAuthFailDn => "PS_CERT_AUTH_FAIL_DN",
            Error::CertAuthFailSig => "PS_CERT_AUTH_FAIL_SIG",
            Error::CertAuthFail => "PS_CERT_AUTH_FAIL",
            Error::CertAuthFailExtension => "PS_CERT_AUTH_FAIL_EXTENSION",
            Error::CertAuthFailPathLen => "PS_CERT_AUTH_FAIL_PATH_LEN",
            Error::SignatureMismatch => "PS_SIGNATURE_MISMATCH",
            Error::AuthFail => "PS_AUTH_FAIL",
        }
    }

    const fn description(self) -> &'static str {
        match self {
            Error::Failure => "operation failed",
            Error::ArgFail => "bad function parameter",
            Error::PlatformFail => "platform call failed",
            Error::MemFail => "memory allocation failed or budget exhausted",
            Error::LimitFail => "size or sanity limit exceeded",
            Error::UnsupportedFail => "unsupported feature or algorithm",
            Error::DisabledFeatureFail => "feature not compiled in",
            Error::ProtocolFail => "protocol error",
            Error::TimeoutFail => "timed out",
            Error::ParseFail => "parse error",
            Error::CertAuthFailBc => "issuer certificate is not a CA",
            Error::CertAuthFailDn => "issuer distinguished name does not match",
            Error::CertAuthFailSig => "certificate signature does not verify",
            Error::CertAuthFail => "certificate authentication failed",
            Error::CertAuthFailExtension => "certificate extension forbids this use",
            Error::CertAuthFailPathLen => "certificate path length constraint exceeded",
            Error::SignatureMismatch => "signature algorithm or value mismatch",
            Error::AuthFail => "integrity check failed (wrong password or bad MAC)",
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.name(),
            self.code(),
            self.description()
        )
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}

/// `Result` with matrix's [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn codes_are_matrixssls() {
        assert_eq!(Error::Failure.code(), -1);
        assert_eq!(Error::ArgFail.code(), -6);
        assert_eq!(Error::PlatformFail.code(), -7);
        assert_eq!(Error::MemFail.code(), -8);
        assert_eq!(Error::LimitFail.code(), -9);
        assert_eq!(Error::UnsupportedFail.code(), -10);
        assert_eq!(Error::ProtocolFail.code(), -12);
        assert_eq!(Error::TimeoutFail.code(), -13);
        assert_eq!(Error::ParseFail.code(), -31);
        assert_eq!(Error::CertAuthFailBc.code(), -32);
        assert_eq!(Error::CertAuthFailDn.code(), -33);
        assert_eq!(Error::CertAuthFailSig.code(), -34);
        assert_eq!(Error::CertAuthFail.code(), -36);
    }

    /// `code`'s table is indexed by the variant: `ALL` lists them in declaration order.
    #[test]
    fn all_is_in_declaration_order() {
        for (i, e) in Error::ALL.iter().enumerate() {
            assert_eq!(*e as usize, i, "{e:?}");
        }
        assert_eq!(Error::DisabledFeatureFail.code(), -11);
        assert_eq!(Error::CertAuthFailExtension.code(), -37);
        assert_eq!(Error::CertAuthFailPathLen.code(), -38);
        assert_eq!(Error::SignatureMismatch.code(), -40);
        assert_eq!(Error::AuthFail.code(), -41);
    }

    #[test]
    fn codes_are_unique_negative_and_round_trip() {
        for (i, a) in Error::ALL.iter().enumerate() {
            assert!(a.code() < 0, "{a:?}");
            assert_eq!(Error::from_code(a.code()), Some(*a));
            for b in &Error::ALL[i + 1..] {
                assert_ne!(a.code(), b.code(), "{a:?} and {b:?} share a code");
                assert_ne!(a.name(), b.name());
            }
        }
        assert_eq!(Error::from_code(0), None);
        assert_eq!(Error::from_code(-2), None);
    }

    #[test]
    fn display_names_the_c_code() {
        let s = format!("{}", Error::MemFail);
        assert!(s.starts_with("PS_MEM_FAIL (-8): "), "{s}");
    }
}
