//! matrix-ssl: SSL 3.0, TLS 1.0, TLS 1.1 and TLS 1.2 with MatrixSSL 3.2's buffer API.
//!
//! The layers of `DESIGN.md`, each a module:
//!
//! - [`codec`]: the wire codec: record and handshake headers, every handshake message,
//!   alerts, code points, and the handshake-message framing.
//! - [`record`] and [`suites`]: record protection and the cipher-suite table.
//! - `handshake`: the client and server state machines (RSA key exchange, full and resumed
//!   handshakes, RFC 5746 and RFC 7507 signalling).
//! - [`Session`], [`Keys`], [`Context`]: the `matrixSsl*` API.
//! - `engine` (feature `dtls`): the handshake machines over whole DTLS 1.0 handshake
//!   messages, for matrix-dtls.
//!
//! # The API, as MatrixSSL's
//!
//! ```no_run
//! # #[cfg(all(feature = "std", feature = "client-side-ssl"))]
//! # fn main() -> Result<(), matrix_core::Error> {
//! use std::sync::Arc;
//! use matrix_ssl::{Config, Keys, Received, Sent};
//!
//! let ctx = matrix_ssl::open(Config::default())?;              // matrixSslOpen
//! let mut keys = Keys::new();                                  // matrixSslNewKeys
//! keys.load_rsa_keys(None, None, None, Some("ca.pem"))?;       // matrixSslLoadRsaKeys
//! let mut ssl = ctx.new_client_session(Arc::new(keys), None, 0, None, None)?;
//! // Send what get_outdata holds (the ClientHello), then:
//! let n = ssl.get_outdata().len();
//! assert_eq!(ssl.sent_data(n)?, Sent::Success);
//! // Read from the peer into get_readbuf() and hand it over:
//! let buf = ssl.get_readbuf();
//! let got = 0; // ... bytes read into buf
//! # let _ = buf;
//! # if got > 0 {
//! match ssl.received_data(got)? {
//!     Received::RequestSend => { /* send get_outdata() */ }
//!     Received::RequestRecv => { /* read more */ }
//!     Received::HandshakeComplete => { /* encode_to_outdata(b"GET / ...") */ }
//!     Received::AppData(data) => { let _ = data; /* then processed_data() */ }
//!     Received::Alert { .. } => { /* processed_data(); close on fatal */ }
//!     _ => {}
//! }
//! # }
//! # Ok(())
//! # }
//! # #[cfg(not(all(feature = "std", feature = "client-side-ssl")))]
//! # fn main() {}
//! ```
//!
//! [`Config`] holds the numeric defines of `matrixsslConfig.h` as run-time values, plus the
//! version range, the per-session memory cap and record splitting.

#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

pub mod codec;
mod config;
pub mod record;
pub mod suites;

#[cfg(any(feature = "client-side-ssl", feature = "server-side-ssl"))]
mod alert;
#[cfg(any(feature = "client-side-ssl", feature = "server-side-ssl"))]
mod context;
#[cfg(all(
    feature = "dtls",
    any(feature = "client-side-ssl", feature = "server-side-ssl")
))]
pub mod engine;
#[cfg(any(feature = "client-side-ssl", feature = "server-side-ssl"))]
mod handshake;
#[cfg(any(feature = "client-side-ssl", feature = "server-side-ssl"))]
mod keys;
#[cfg(any(feature = "client-side-ssl", feature = "server-side-ssl"))]
mod session;
#[cfg(any(feature = "client-side-ssl", feature = "server-side-ssl"))]
#[cfg_attr(not(feature = "tls-1-2"), allow(dead_code))]
mod sigalgs;
#[cfg(all(
    feature = "std",
    any(feature = "client-side-ssl", feature = "server-side-ssl")
))]
mod stream;

pub use config::Config;

#[cfg(all(
    feature = "std",
    any(feature = "client-side-ssl", feature = "server-side-ssl")
))]
pub use context::open;
#[cfg(any(feature = "client-side-ssl", feature = "server-side-ssl"))]
pub use context::{Context, open_with};
#[cfg(any(feature = "client-side-ssl", feature = "server-side-ssl"))]
pub use handshake::{
    CertValidator, ExtensionCallback, HandshakeInfo, HelloExtensions, PeerChain, Verdict,
};
#[cfg(any(feature = "client-side-ssl", feature = "server-side-ssl"))]
pub use keys::{Keys, RsaKeyComponents, SSL_PSK_MAX_ID_SIZE, SSL_PSK_MAX_KEY_SIZE};
#[cfg(any(feature = "client-side-ssl", feature = "server-side-ssl"))]
pub use session::{Received, Sent, Session, SessionId, SessionOption};
#[cfg(all(
    feature = "std",
    any(feature = "client-side-ssl", feature = "server-side-ssl")
))]
pub use stream::Stream;

/// Re-exported so that users name errors, alerts and versions without another import.
pub use codec::{AlertDescription, AlertLevel, CipherSuite, ProtocolVersion};
pub use matrix_core::Error;
