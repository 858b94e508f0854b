//! matrix-core: what every other matrix crate stands on.
//!
//! This crate owns the pieces of MatrixSSL's `core/` directory that a memory-safe stack still
//! needs:
//!
//! - [`Error`]: the `PS_*` failure codes as one enum, with [`Error::code`] giving the C value;
//! - [`osdep`]: the platform layer: an [`osdep::Entropy`] source (the OS under `std`, yours
//!   otherwise), a millisecond [`osdep::Clock`], and [`osdep::osdep_break`], the hook that
//!   feature `halt-on-ps-error` calls on every traced error;
//! - [`memory`]: per-session byte budgets ([`memory::SessionBudget`]) and, with feature
//!   `peersec-memory-management`, a deterministic fixed-block pool (`memory::BlockPool`);
//! - [`trace`]: the `psTrace*` families as macros over the `log` facade that compile to
//!   nothing when their feature is off;
//! - [`sync`]: the lock type for state shared between sessions ([`sync::Lock`]), a real mutex
//!   with feature `multithreading` and a single-threaded cell without it.
//!
//! It builds `#![no_std]` with `alloc` when the `std` feature is off.

#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

mod error;
pub mod memory;
pub mod osdep;
pub mod sync;
pub mod trace;

pub use error::{Error, Result};

/// `PS_SUCCESS`: the C value of success, for code that maps results back to integers.
pub const PS_SUCCESS: i32 = 0;
