//! matrix-apps: the programs users meet first.
//!
//! - [`demo`]: `matrix-demo`, the README's main job: a server and a client on 127.0.0.1
//!   with built-in test keys, through every compiled-in protocol version and suite, full
//!   and resumed handshakes, with a table of results.
//! - [`server`] and [`client`]: `matrix-server` and `matrix-client` over TCP, in the spirit
//!   of MatrixSSL's apps and `openssl s_server` / `s_client`; exit codes in [`errors`].
//! - `matrix-size-ref`: the reference binary `cargo xtask matrix` measures; with the
//!   `apps` feature off it is the only program built, with exactly a profile's features.
//!
//! ```text
//! matrix-server --port 4433 [--cert 'server.pem;intermediate.pem' --key server.key]
//!               [--mode http|echo|raw] [--count N] [--cipher 0x002F ...] [--trace]
//!               [--verify | --require-client-cert] [--ca clients-ca.pem]
//!               [--psk HEX [--psk-identity ID]] [--rehandshake-after N [--rehandshake-full]]
//! matrix-client --connect 127.0.0.1:4433 [--ca ca.pem] [--server-name NAME] [--insecure]
//!               [--reconnect N] [--min-version ssl3 --max-version tls1.2] [--mode ...]
//!               [--cert client-chain.pem --key client.key] [--psk HEX [--psk-identity ID]]
//!               [--rehandshake-after N [--rehandshake-full]] [--repeat N]
//! ```
//!
//! The clients check the server's certificate with matrix-ssl's standard validator
//! ([`verify`]): the chain, the dates, and the name `--server-name` gives or else the host of
//! `--connect`; `--insecure` turns the checks off.
//!
//! Without key files both use the built-in rsa2048 test identity (`testkeys/`) and say so
//! on stderr (a server with `--verify` and no `--ca` trusts the built-in test CA for client
//! certificates). The programs compile in client authentication and every suite matrix-ssl
//! has; PSK suites are offered only with `--psk`, DH_anon only when named with `--cipher`.
//! Exit codes: 0 ok, 1 handshake or protocol failure, 2 usage or file error.
//!
//! - [`dtls_server`] and [`dtls_client`] (feature `dtls`): `matrix-dtls-server` and
//!   `matrix-dtls-client`, the same over UDP with DTLS 1.2 and 1.0 (`openssl s_server -dtls`),
//!   plus `--pmtu BYTES`, `--timeout MS` (the retransmission timer the application owns)
//!   and `--retries N`; the same exit codes.
//!
//! Sockets live here, never in the library crates.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "apps")]
pub mod client;
#[cfg(feature = "apps")]
pub mod conn;
#[cfg(feature = "apps")]
pub mod demo;
#[cfg(feature = "apps")]
pub mod demo_dtls;
#[cfg(feature = "apps")]
pub mod demo_tls12;
#[cfg(feature = "apps")]
pub mod driver;
#[cfg(all(feature = "apps", feature = "dtls"))]
pub mod dtls_client;
#[cfg(all(feature = "apps", feature = "dtls"))]
pub mod dtls_link;
#[cfg(all(feature = "apps", feature = "dtls"))]
pub mod dtls_opts;
#[cfg(all(feature = "apps", feature = "dtls"))]
pub mod dtls_server;
#[cfg(all(feature = "apps", feature = "dtls"))]
pub mod dtls_stdin;
#[cfg(feature = "apps")]
pub mod errors;
#[cfg(feature = "apps")]
pub mod keyfiles;
#[cfg(feature = "apps")]
pub mod names;
#[cfg(feature = "apps")]
pub mod opts;
#[cfg(feature = "apps")]
pub mod server;
#[cfg(feature = "apps")]
pub mod trace;
#[cfg(feature = "apps")]
pub mod verify;
