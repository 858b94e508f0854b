//! matrix-ffi: MatrixSSL 3.2's C API (`include/matrixsslApi.h`) over matrix-ssl and
//! matrix-dtls, built as `libmatrixssl.a` and `libmatrixssl.so`.
//!
//! This crate maps C pointers and callbacks onto the Rust API and nothing more: the
//! behaviour (return codes included) is matrix-ssl's, so C and Rust users get the same
//! library. It is the one crate of matrix with `unsafe` code, each block with a SAFETY
//! comment. What every entry point guarantees:
//!
//! - a NULL or otherwise unusable argument answers `PS_ARG_FAIL` (void functions do
//!   nothing): handles carry a type tag that is checked, sizes are checked against
//!   `int32`, strings must be UTF-8;
//! - no panic crosses into C: every call runs under `catch_unwind` and answers `PS_FAILURE`
//!   (a session that panicked is refused from then on; with `panic = "abort"` the process
//!   aborts instead, as it would in C);
//! - the pointers `matrixSslGetReadbuf`, `GetOutdata`, `GetWritebuf`, `ReceivedData` and
//!   `ProcessedData` hand out point into the session's own buffers and stay valid exactly
//!   until the next call on that session that the API reference says consumes them;
//! - a call on a session from inside one of its own callbacks is refused (`PS_ARG_FAIL`),
//!   so the callback's `ssl_t *` can be compared and passed on but not used to re-enter.
//!
//! Modules: [`types`] (the C structures), `global` (`matrixSslOpen`/`Close`, DTLS PMTU),
//! `keys`, `session` (constructors, options, session ids), `buffers` (the buffer API),
//! `cert` (the certificate and extension callbacks), `extensions`, `dtls`, `options`
//! (`sslSessOpts_t`), `tickets` (RFC 5077 ticket keys) and `sid_ticket` (the ticket in
//! `sslSessionId_t`).

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(missing_docs)]
// The exported functions are the C API: their documentation is matrixsslApi.h and the
// API reference; the safety contract of each is the C one (valid pointers or NULL).
#![allow(clippy::missing_safety_doc)]

mod buffers;
mod cert;
#[cfg(feature = "dtls")]
mod dtls;
mod extensions;
mod global;
mod handle;
mod keys;
mod options;
mod session;
mod sid_ticket;
#[cfg(all(feature = "stateless-session-tickets", feature = "server-side-ssl"))]
mod tickets;
pub mod types;

pub use buffers::*;
#[cfg(feature = "dtls")]
pub use dtls::*;
pub use extensions::*;
pub use global::*;
pub use keys::*;
pub use options::*;
pub use session::*;
#[cfg(all(feature = "stateless-session-tickets", feature = "server-side-ssl"))]
pub use tickets::*;

/// The `matrixsslConfig.h` of this build: the `USE_*` defines of its features.
pub const CONFIG_HEADER: &str = include_str!(concat!(env!("OUT_DIR"), "/matrixsslConfig.h"));

/// `matrixsslApi.h`, the header C programs include.
pub const API_HEADER: &str = include_str!("../include/matrixsslApi.h");

/// `PS_SUCCESS`.
pub const PS_SUCCESS: i32 = 0;
/// `PS_FAILURE`.
pub const PS_FAILURE: i32 = matrix_core::Error::Failure.code();
/// `PS_ARG_FAIL`.
pub const PS_ARG_FAIL: i32 = matrix_core::Error::ArgFail.code();

/// Runs one entry point: a panic becomes `PS_FAILURE`.
pub(crate) fn guard(f: impl FnOnce() -> i32) -> i32 {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or(PS_FAILURE)
}

/// Runs a `void` entry point: a panic is swallowed.
pub(crate) fn guard_void(f: impl FnOnce()) {
    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
}

/// An `int32` length from C as a `usize`; negative lengths are `None`.
pub(crate) fn c_len(len: i32) -> Option<usize> {
    usize::try_from(len).ok()
}

/// A count for C's `int32` return value (buffers never approach 2 GiB; clamp anyway).
pub(crate) fn c_count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// `(pointer, length)` from C as a byte slice: NULL is `Some(None)` (argument not given),
/// a negative length or NULL with a length `None` (an argument error).
///
/// # Safety
/// A non-NULL `ptr` must point to `len` readable bytes that stay unchanged during the
/// returned borrow.
pub(crate) unsafe fn c_bytes<'a>(ptr: *const u8, len: i32) -> Option<Option<&'a [u8]>> {
    let len = c_len(len)?;
    if ptr.is_null() {
        return (len == 0).then_some(None);
    }
    // SAFETY: non-NULL, and the caller promises `len` readable bytes (the C contract).
    Some(Some(unsafe { std::slice::from_raw_parts(ptr, len) }))
}

/// A C string as UTF-8 (the file names of the loaders): NULL is `Some(None)`, non-UTF-8
/// text `None`.
///
/// # Safety
/// A non-NULL `ptr` must point to a NUL-terminated string.
#[cfg(feature = "file-system")]
pub(crate) unsafe fn c_str<'a>(ptr: *const std::ffi::c_char) -> Option<Option<&'a str>> {
    if ptr.is_null() {
        return Some(None);
    }
    // SAFETY: non-NULL and NUL-terminated (the C contract).
    let s = unsafe { std::ffi::CStr::from_ptr(ptr) };
    s.to_str().ok().map(Some)
}
