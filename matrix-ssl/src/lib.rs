//! matrix-ssl: SSL 3.0, TLS 1.0 and TLS 1.1 with MatrixSSL 3.2's buffer API.
//!
//! This crate will own (see the TLS core and advanced issues and `DESIGN.md`): the wire
//! codec, the record layer (SSLv3 MAC, TLS HMAC, CBC with implicit and explicit IV, RC4,
//! constant-time padding and MAC checks), the cipher-suite table, the client and server
//! handshake state machines, the session cache, `Keys`, and `Session` with the
//! `get_readbuf` / `received_data` / `processed_data` / `get_outdata` / `sent_data` buffer
//! API of `matrixSsl*`.
//!
//! Today it holds [`Config`], the numeric defines of `matrixsslConfig.h` as run-time values,
//! and:
//!
//! - [`codec`]: the wire codec (layer 1 of `DESIGN.md`): record and handshake headers, every
//!   handshake message, alerts, code points, and the handshake-message framing.

#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

pub mod codec;
mod config;
pub mod record;
pub mod suites;

pub use config::Config;
