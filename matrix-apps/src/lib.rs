//! matrix-apps: the programs users meet first.
//!
//! This crate will hold (see the apps issue): `matrix-demo`, the README's main job (a server
//! and client on 127.0.0.1 with built-in test keys, through every compiled-in protocol version
//! and suite, with a table of results); `matrix-server` and `matrix-client` over TCP and
//! `matrix-dtls-server` / `matrix-dtls-client` over UDP. Sockets live here, never in the
//! library crates.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

/// What the demo can run in this build, one line per missing piece, until the TLS issue lands.
pub fn demo_status() -> &'static [&'static str] {
    &[
        "matrix-ssl has no handshake yet: the TLS core issue (SSL 3.0 / TLS 1.0 / TLS 1.1 client and server) has not landed.",
        "matrix-crypto's algorithms and matrix-x509's key loading are in progress in their own issues.",
        "When they land, this program starts a server on 127.0.0.1, runs a client through every compiled-in version and suite, and prints a table of results.",
    ]
}
