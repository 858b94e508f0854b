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
//! - [`validator`]: `validator::standard(host)`, a ready certificate callback (chain, dates,
//!   host name, with the RFC's alerts).
//! - `engine` (feature `dtls`): the handshake machines over whole DTLS 1.0 and DTLS 1.2
//!   handshake messages, for matrix-dtls.
//!
//! # The API, as MatrixSSL's
//!
//! A client and a server in memory: each side's `get_outdata` is the other's input. Over a
//! socket the program is the same with `write`/`read` in place of the copies (see the
//! `client` and `server` examples, and [`Stream`] for a blocking `Read + Write`).
//!
//! ```
//! # #[cfg(all(feature = "std", feature = "client-side-ssl", feature = "server-side-ssl",
//! #           feature = "private-key-parsing", feature = "tls-rsa-with-aes-128-cbc-sha"))]
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use matrix_ssl::{Config, Keys, Received, Sent, Session};
//!
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../testkeys/rsa2048");
//! let read = |f: &str| std::fs::read(format!("{dir}/{f}"));
//!
//! let ctx = matrix_ssl::open(Config::default())?;                     // matrixSslOpen
//! let mut server_keys = Keys::new();                                  // matrixSslNewKeys
//! server_keys.load_rsa_keys_mem(                                      // matrixSslLoadRsaKeysMem
//!     Some(&read("server-chain.pem")?), Some(&read("server.key")?), None)?;
//! let mut client_keys = Keys::new();
//! client_keys.load_rsa_keys_mem(None, None, Some(&read("ca.der")?))?;
//!
//! let mut client = ctx.new_client_session(Arc::new(client_keys), None, 0, None, None)?;
//! let mut server = ctx.new_server_session(Arc::new(server_keys), None)?;
//!
//! /// Moves what `from` has to send into `to`, returning the application data `to` got.
//! fn pump(from: &mut Session, to: &mut Session) -> Result<Vec<u8>, matrix_ssl::Error> {
//!     let mut got = Vec::new();
//!     while !from.get_outdata().is_empty() {
//!         let out = from.get_outdata().to_vec();                      // matrixSslGetOutdata
//!         from.sent_data(out.len())?;                                 // matrixSslSentData
//!         let mut rest = &out[..];
//!         while !rest.is_empty() {
//!             let buf = to.get_readbuf();                             // matrixSslGetReadbuf
//!             let n = buf.len().min(rest.len());
//!             buf[..n].copy_from_slice(&rest[..n]);
//!             rest = &rest[n..];
//!             let mut r = to.received_data(n)?;                       // matrixSslReceivedData
//!             loop {
//!                 match r {
//!                     Received::AppData(d) => got.extend_from_slice(d),
//!                     Received::Alert { .. } => {}
//!                     _ => break, // RequestSend, RequestRecv, HandshakeComplete, Success
//!                 }
//!                 r = to.processed_data()?;                           // matrixSslProcessedData
//!             }
//!         }
//!     }
//!     Ok(got)
//! }
//!
//! // The handshake: ClientHello, the server's flight, the client's, the server's Finished.
//! while !(client.is_handshake_complete() && server.is_handshake_complete()) {
//!     pump(&mut client, &mut server)?;
//!     pump(&mut server, &mut client)?;
//! }
//! assert!(client.cipher_suite().is_some());
//!
//! // Application data both ways (matrixSslEncodeToOutdata), then close_notify.
//! client.encode_to_outdata(b"GET / HTTP/1.0\r\n\r\n")?;
//! assert_eq!(pump(&mut client, &mut server)?, b"GET / HTTP/1.0\r\n\r\n");
//! server.encode_to_outdata(b"HTTP/1.0 200 OK\r\n\r\n")?;
//! assert_eq!(pump(&mut server, &mut client)?, b"HTTP/1.0 200 OK\r\n\r\n");
//!
//! client.encode_closure_alert()?;                                     // matrixSslEncodeClosureAlert
//! let n = client.get_outdata().len();
//! let alert = client.get_outdata().to_vec();
//! assert_eq!(client.sent_data(n)?, Sent::RequestClose);
//! server.get_readbuf()[..n].copy_from_slice(&alert);
//! assert!(matches!(server.received_data(n)?, Received::Alert { .. }));
//! assert!(server.peer_closed());
//! # Ok(())
//! # }
//! # #[cfg(not(all(feature = "std", feature = "client-side-ssl", feature = "server-side-ssl",
//! #           feature = "private-key-parsing", feature = "tls-rsa-with-aes-128-cbc-sha")))]
//! # fn main() {}
//! ```
//!
//! [`Config`] holds the numeric defines of `matrixsslConfig.h` as run-time values, plus the
//! version range, the per-session memory cap and record splitting.

#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

// The ECDHE suites turn on `ecc-core` but choose no curve: the build names its curves, and
// ECDSA keys and certificates need a NIST one.
#[cfg(all(
    feature = "ecc-core",
    not(any(feature = "secp256r1", feature = "secp384r1"))
))]
compile_error!(
    "an ECDHE suite needs its curves: add the feature `ecc` (all), or `secp256r1` and/or \
     `secp384r1` (with `x25519` if wanted)"
);

pub mod codec;
pub mod codes;
mod config;
pub mod record;
pub mod suites;

#[cfg(any(feature = "client-side-ssl", feature = "server-side-ssl"))]
mod alert;
#[cfg(any(feature = "client-side-ssl", feature = "server-side-ssl"))]
mod context;
#[cfg(any(feature = "client-side-ssl", feature = "server-side-ssl"))]
mod dh;
#[cfg(any(feature = "client-side-ssl", feature = "server-side-ssl"))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(feature = "client-side-ssl", feature = "server-side-ssl")))
)]
pub mod drive;
#[cfg(all(
    feature = "dtls",
    any(feature = "client-side-ssl", feature = "server-side-ssl")
))]
#[cfg_attr(
    docsrs,
    doc(cfg(all(
        feature = "dtls",
        any(feature = "client-side-ssl", feature = "server-side-ssl")
    )))
)]
pub mod engine;
#[cfg(any(feature = "client-side-ssl", feature = "server-side-ssl"))]
mod handshake;
#[cfg(any(feature = "client-side-ssl", feature = "server-side-ssl"))]
mod keys;
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub mod linger;
#[cfg(any(feature = "client-side-ssl", feature = "server-side-ssl"))]
mod rsa;
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
#[cfg(all(
    all(feature = "cert-parse", feature = "certificates"),
    any(feature = "client-side-ssl", feature = "server-side-ssl")
))]
#[cfg_attr(
    docsrs,
    doc(cfg(all(
        all(feature = "cert-parse", feature = "certificates"),
        any(feature = "client-side-ssl", feature = "server-side-ssl")
    )))
)]
pub mod validator;

#[cfg(all(
    feature = "embedded-io",
    any(feature = "client-side-ssl", feature = "server-side-ssl")
))]
#[cfg_attr(docsrs, doc(cfg(feature = "embedded-io")))]
pub mod embedded;
#[cfg(all(
    feature = "embedded-io-async",
    any(feature = "client-side-ssl", feature = "server-side-ssl")
))]
#[cfg_attr(docsrs, doc(cfg(feature = "embedded-io-async")))]
pub mod embedded_async;
#[cfg(all(
    feature = "tokio",
    any(feature = "client-side-ssl", feature = "server-side-ssl")
))]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod tokio;

pub use config::Config;

#[cfg(all(
    feature = "std",
    any(feature = "client-side-ssl", feature = "server-side-ssl")
))]
#[cfg_attr(
    docsrs,
    doc(cfg(all(
        feature = "std",
        any(feature = "client-side-ssl", feature = "server-side-ssl")
    )))
)]
pub use context::open;
#[cfg(any(feature = "client-side-ssl", feature = "server-side-ssl"))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(feature = "client-side-ssl", feature = "server-side-ssl")))
)]
pub use context::{Context, open_with};
#[cfg(all(feature = "stateless-session-tickets", feature = "server-side-ssl"))]
#[cfg_attr(
    docsrs,
    doc(cfg(all(feature = "stateless-session-tickets", feature = "server-side-ssl")))
)]
pub use handshake::ticket::{
    MAX_TICKET_KEYS, SessionTicketCallback, SessionTicketKey, TICKET_KEY_NAME_LEN,
};
#[cfg(any(feature = "client-side-ssl", feature = "server-side-ssl"))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(feature = "client-side-ssl", feature = "server-side-ssl")))
)]
pub use handshake::{
    CertValidator, ExtensionCallback, HandshakeInfo, HelloExtensions, PeerChain, Verdict,
};
#[cfg(any(feature = "client-side-ssl", feature = "server-side-ssl"))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(feature = "client-side-ssl", feature = "server-side-ssl")))
)]
pub use keys::{Keys, RsaKeyComponents, SSL_PSK_MAX_ID_SIZE, SSL_PSK_MAX_KEY_SIZE};
#[cfg(any(feature = "client-side-ssl", feature = "server-side-ssl"))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(feature = "client-side-ssl", feature = "server-side-ssl")))
)]
pub use session::{Received, Sent, Session, SessionId, SessionOption};
#[cfg(all(
    feature = "std",
    any(feature = "client-side-ssl", feature = "server-side-ssl")
))]
#[cfg_attr(
    docsrs,
    doc(cfg(all(
        feature = "std",
        any(feature = "client-side-ssl", feature = "server-side-ssl")
    )))
)]
pub use stream::Stream;

/// Re-exported so that users name errors, alerts and versions without another import.
pub use codec::{AlertDescription, AlertLevel, CipherSuite, ProtocolVersion};
pub use matrix_core::Error;
