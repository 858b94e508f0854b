//! MatrixSSL's `psTrace*` families as macros over the `log` facade.
//!
//! Each family belongs to one crate and is switched by that crate's feature:
//!
//! | macro | feature | crate | log target |
//! |---|---|---|---|
//! | [`ps_trace_core!`](crate::ps_trace_core) | `core-trace` | matrix-core | `matrix::core` |
//! | [`ps_trace_crypto!`](crate::ps_trace_crypto) | `crypto-trace` | matrix-crypto | `matrix::crypto` |
//! | [`ps_trace_hs_msg!`](crate::ps_trace_hs_msg) | `ssl-handshake-msg-trace` | matrix-ssl | `matrix::ssl::handshake` |
//! | [`ps_trace_info!`](crate::ps_trace_info) | `ssl-informational-trace` | matrix-ssl | `matrix::ssl::info` |
//! | [`ps_trace_dtls!`](crate::ps_trace_dtls) | `dtls-debug-trace` | matrix-dtls | `matrix::dtls` |
//!
//! The macros expand to `if cfg!(feature = "...") { log::debug!(...) }` in the calling
//! crate, so the feature tested is the calling crate's own: with it off the branch is
//! constant-false and the optimiser removes it, while the arguments are still type-checked
//! (a trace line cannot rot in a build that does not print it). Use each family only in the
//! crate that owns its feature.
//!
//! [`ps_error!`](crate::ps_error) is `_psError`: it logs an error at `error` level whenever
//! `log` has a logger, and with matrix-core's `halt-on-ps-error` it then calls
//! [`osdep_break`](crate::osdep::osdep_break).

use crate::Error;

#[doc(hidden)]
pub use log as __log;

/// Whether matrix-core was built with `core-trace`.
pub const CORE_TRACE: bool = cfg!(feature = "core-trace");

/// Whether matrix-core was built with `halt-on-ps-error`.
pub const HALT_ON_PS_ERROR: bool = cfg!(feature = "halt-on-ps-error");

/// Whether [`ps_error!`](crate::ps_error)'s message can be used: `log`'s error level is
/// compiled in (not removed by a `max_level_*` feature), or `halt-on-ps-error` is on.
#[doc(hidden)]
pub const ERROR_MESSAGES_USED: bool =
    HALT_ON_PS_ERROR || !matches!(log::STATIC_MAX_LEVEL, log::LevelFilter::Off);

/// Logs `err` with its context and returns it; halts first under `halt-on-ps-error`.
///
/// The function behind [`ps_error!`](crate::ps_error); call it directly where a macro does
/// not fit (`map_err`).
#[cold]
pub fn traced_error(err: Error, context: core::fmt::Arguments<'_>) -> Error {
    log::error!(target: "matrix::error", "{err}: {context}");
    if HALT_ON_PS_ERROR {
        crate::osdep::osdep_break(err);
    }
    err
}

/// `psTraceCore`: core-module trace, on with matrix-core's `core-trace`.
#[macro_export]
macro_rules! ps_trace_core {
    ($($arg:tt)+) => {
        if cfg!(feature = "core-trace") {
            $crate::trace::__log::debug!(target: "matrix::core", $($arg)+)
        }
    };
}

/// `psTraceCrypto`: crypto-module trace, on with matrix-crypto's `crypto-trace`.
#[macro_export]
macro_rules! ps_trace_crypto {
    ($($arg:tt)+) => {
        if cfg!(feature = "crypto-trace") {
            $crate::trace::__log::debug!(target: "matrix::crypto", $($arg)+)
        }
    };
}

/// Handshake-message trace, on with matrix-ssl's `ssl-handshake-msg-trace`.
#[macro_export]
macro_rules! ps_trace_hs_msg {
    ($($arg:tt)+) => {
        if cfg!(feature = "ssl-handshake-msg-trace") {
            $crate::trace::__log::debug!(target: "matrix::ssl::handshake", $($arg)+)
        }
    };
}

/// Function-level SSL trace, on with matrix-ssl's `ssl-informational-trace`.
#[macro_export]
macro_rules! ps_trace_info {
    ($($arg:tt)+) => {
        if cfg!(feature = "ssl-informational-trace") {
            $crate::trace::__log::debug!(target: "matrix::ssl::info", $($arg)+)
        }
    };
}

/// DTLS debug trace, on with matrix-dtls's `dtls-debug-trace`.
#[macro_export]
macro_rules! ps_trace_dtls {
    ($($arg:tt)+) => {
        if cfg!(feature = "dtls-debug-trace") {
            $crate::trace::__log::debug!(target: "matrix::dtls", $($arg)+)
        }
    };
}

/// `_psError`: evaluates to the [`Error`](crate::Error) after logging it with a message
/// (and halting under `halt-on-ps-error`).
///
/// ```
/// use matrix_core::{ps_error, Error};
/// # if matrix_core::trace::HALT_ON_PS_ERROR { return; } // it would halt this example
/// fn parse(len: usize) -> Result<(), Error> {
///     if len > 16 {
///         return Err(ps_error!(Error::LimitFail, "length {} over 16", len));
///     }
///     Ok(())
/// }
/// assert_eq!(parse(17), Err(Error::LimitFail));
/// ```
#[macro_export]
macro_rules! ps_error {
    ($err:expr, $($arg:tt)+) => {
        // With the `log` levels compiled out (a firmware's `max_level_off`) and no halt, the
        // message is never used: do not build it, so that its formatting code (the
        // arguments' `Display` functions and `core::fmt`) is not linked.
        if $crate::trace::ERROR_MESSAGES_USED {
            $crate::trace::traced_error($err, format_args!($($arg)+))
        } else {
            $err
        }
    };
}

#[cfg(test)]
mod tests {
    // The capturing logger needs std's Mutex.
    #[cfg(feature = "std")]
    mod with_std {
        use super::super::*;
        use std::string::String;
        use std::sync::Mutex;
        use std::vec::Vec;

        /// A logger that keeps every record, so the tests can see what was traced.
        struct Capture(Mutex<Vec<(String, String)>>);

        impl log::Log for Capture {
            fn enabled(&self, _: &log::Metadata<'_>) -> bool {
                true
            }
            fn log(&self, r: &log::Record<'_>) {
                self.0
                    .lock()
                    .unwrap()
                    .push((r.target().into(), std::format!("{}", r.args())));
            }
            fn flush(&self) {}
        }

        static CAPTURE: Capture = Capture(Mutex::new(Vec::new()));

        fn captured() -> Vec<(String, String)> {
            // One logger per process: install it once; tests filter by their own message.
            let _ = log::set_logger(&CAPTURE);
            log::set_max_level(log::LevelFilter::Trace);
            CAPTURE.0.lock().unwrap().clone()
        }

        #[test]
        fn core_trace_follows_the_feature() {
            let _ = captured();
            ps_trace_core!("core trace line {}", 42);
            let seen = captured()
                .iter()
                .any(|(t, m)| t == "matrix::core" && m == "core trace line 42");
            assert_eq!(seen, CORE_TRACE, "traced iff core-trace is on");
        }

        #[test]
        fn errors_are_logged_and_returned() {
            let _ = captured();
            if HALT_ON_PS_ERROR {
                // A traced error would abort this test process.
                return;
            }
            let e = crate::ps_error!(Error::ParseFail, "bad byte at {}", 7);
            assert_eq!(e, Error::ParseFail);
            assert!(captured().iter().any(|(t, m)| t == "matrix::error"
                && m.contains("PS_PARSE_FAIL")
                && m.ends_with("bad byte at 7")));
        }

        #[test]
        fn trace_arguments_are_not_evaluated_when_off() {
            // The branch is constant-false without the feature: side effects do not run.
            let mut evaluated = false;
            ps_trace_core!("{}", {
                evaluated = true;
                1
            });
            assert_eq!(
                evaluated,
                CORE_TRACE && log::log_enabled!(log::Level::Debug)
            );
        }
    }
}
