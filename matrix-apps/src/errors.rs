//! What the programs say when something goes wrong, and the exit codes they say it with.
//!
//! | exit code | meaning |
//! |---|---|
//! | 0 | every connection completed |
//! | 1 | a handshake or the protocol failed (bad certificate, alert, closed connection) |
//! | 2 | usage or file error: a bad flag, a file that cannot be read or parsed |

use std::fmt;
use std::io;

use matrix_ssl::Error;

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: a handshake or protocol failure.
pub const EXIT_PROTOCOL: u8 = 1;
/// Exit code: a usage or file error.
pub const EXIT_USAGE: u8 = 2;

/// The exit-code table, for `--help`.
pub const EXIT_CODES_HELP: &str = "Exit codes: 0 ok, 1 handshake or protocol failure, \
2 usage or file error (bad flag, unreadable or unparsable file).";

/// A failure with the exit code it ends the program with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppError {
    /// [`EXIT_PROTOCOL`] or [`EXIT_USAGE`].
    pub code: u8,
    /// One sentence: what failed and why.
    pub message: String,
}

impl AppError {
    /// A usage or file error (exit 2).
    pub fn usage(message: impl Into<String>) -> Self {
        AppError {
            code: EXIT_USAGE,
            message: message.into(),
        }
    }

    /// A handshake or protocol failure (exit 1).
    pub fn protocol(message: impl Into<String>) -> Self {
        AppError {
            code: EXIT_PROTOCOL,
            message: message.into(),
        }
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A matrix error in the words of someone running the program (the C name follows, for
/// those who know MatrixSSL).
pub fn words(e: Error) -> String {
    let plain = match e {
        Error::PlatformFail => "a file or the system could not be used",
        Error::ArgFail => "the arguments do not fit together",
        Error::MemFail => "the session's memory budget is exhausted",
        Error::LimitFail => "a size limit was exceeded",
        Error::UnsupportedFail => "this build does not support it",
        Error::DisabledFeatureFail => "the feature is not compiled into this build",
        Error::ProtocolFail => "the peer broke the protocol or the session was closed",
        Error::TimeoutFail => "timed out",
        Error::ParseFail => "the data could not be parsed",
        Error::CertAuthFailBc => "an issuing certificate is not a CA",
        Error::CertAuthFailDn => "an issuer name does not match",
        Error::CertAuthFailSig => "a certificate signature does not verify",
        Error::CertAuthFail => "the certificate chain or key does not authenticate",
        Error::CertAuthFailExtension => "a certificate extension forbids this use",
        Error::CertAuthFailPathLen => "the chain is longer than a CA allows",
        Error::SignatureMismatch => "a signature does not match",
        Error::AuthFail => "an integrity check failed (wrong password or bad MAC)",
        _ => "the operation failed",
    };
    format!("{plain} [{}]", e.name())
}

/// An I/O error from a `Stream`, with the matrix error inside it in words.
pub fn io_words(e: &io::Error) -> String {
    let inner = e.get_ref().and_then(|i| i.downcast_ref::<Error>());
    match (inner, e.kind()) {
        (Some(m), _) => words(*m),
        (None, io::ErrorKind::UnexpectedEof) => "the peer closed the connection".into(),
        (None, io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
            "the peer did not answer in time".into()
        }
        _ => e.to_string(),
    }
}
