//! matrix-dtls: DTLS 1.0 (RFC 4347) on matrix-ssl's handshake state machines.

#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

pub mod context;
pub mod cookie;
pub mod flight;
pub mod fragment;
pub mod record;
pub mod replay;
mod session;

#[cfg(feature = "std")]
pub use context::open;
pub use context::{DtlsContext, MAX_PMTU, MIN_PMTU};
pub use session::DtlsSession;
