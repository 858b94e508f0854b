//! matrix-dtls: DTLS 1.0 (RFC 4347) on matrix-ssl's handshake state machines.

#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

pub mod cookie;
pub mod flight;
pub mod fragment;
pub mod record;
pub mod replay;
