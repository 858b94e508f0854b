//! matrix-apps: the programs users meet first.
//!
//! - [`demo`]: `matrix-demo`, the README's main job: a server and a client on 127.0.0.1
//!   with built-in test keys, through every compiled-in protocol version and suite, full
//!   and resumed handshakes, with a table of results.
//!
//! Still to come in the apps issue: `matrix-server` and `matrix-client` over TCP and
//! `matrix-dtls-server` / `matrix-dtls-client` over UDP. Sockets live here, never in the
//! library crates.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "apps")]
pub mod demo;
