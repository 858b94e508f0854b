//! `matrixSslOpen` / `matrixSslClose`: MatrixSSL's process-wide state (the server session
//! cache, the globally disabled suites, the DTLS PMTU) is matrix's context values; the C
//! library keeps one TLS context (and with `dtls` one DTLS context) between the two calls.
//! Sessions hold their context, so closing with sessions alive is safe: they keep working
//! until deleted.

use std::sync::Mutex;
#[cfg(feature = "dtls")]
use std::sync::atomic::{AtomicI32, Ordering};

use matrix_ssl::{Config, Context};

use crate::{PS_FAILURE, PS_SUCCESS, guard, guard_void};

/// The contexts of an open library.
pub(crate) struct Global {
    pub(crate) tls: Context,
    #[cfg(feature = "dtls")]
    pub(crate) dtls: matrix_dtls::DtlsContext,
}

static GLOBAL: Mutex<Option<Global>> = Mutex::new(None);

/// A PMTU set before `matrixSslOpen` (-1: the default), applied when it opens.
#[cfg(feature = "dtls")]
pub(crate) static PMTU_BEFORE_OPEN: AtomicI32 = AtomicI32::new(-1);

fn lock() -> std::sync::MutexGuard<'static, Option<Global>> {
    GLOBAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The TLS context, if the library is open.
pub(crate) fn tls_context() -> Option<Context> {
    lock().as_ref().map(|g| g.tls.clone())
}

/// The DTLS context, if the library is open.
#[cfg(feature = "dtls")]
pub(crate) fn dtls_context() -> Option<matrix_dtls::DtlsContext> {
    lock().as_ref().map(|g| g.dtls.clone())
}

/// `matrixSslOpen`: PS_SUCCESS, also when already open; PS_FAILURE when the contexts
/// cannot be made (no entropy source).
#[unsafe(no_mangle)]
pub extern "C" fn matrixSslOpen() -> i32 {
    guard(|| {
        let mut g = lock();
        if g.is_some() {
            return PS_SUCCESS;
        }
        let Ok(tls) = matrix_ssl::open(Config::default()) else {
            return PS_FAILURE;
        };
        #[cfg(feature = "dtls")]
        let Ok(dtls) = matrix_dtls::open(Config::dtls()) else {
            return PS_FAILURE;
        };
        #[cfg(feature = "dtls")]
        dtls.set_pmtu(PMTU_BEFORE_OPEN.load(Ordering::Relaxed));
        *g = Some(Global {
            tls,
            #[cfg(feature = "dtls")]
            dtls,
        });
        PS_SUCCESS
    })
}

/// `matrixSslClose`: drops the contexts (sessions still alive keep theirs).
#[unsafe(no_mangle)]
pub extern "C" fn matrixSslClose() {
    guard_void(|| {
        let old = lock().take();
        drop(old);
    });
}

/// `matrixSslSetCipherSuiteEnabledStatus(NULL, ...)`: the global setting, on both
/// contexts.
pub(crate) fn set_global_suite_status(id: u16, on: bool) -> Result<(), matrix_core::Error> {
    let g = lock();
    let Some(g) = g.as_ref() else {
        return Err(matrix_core::Error::Failure);
    };
    g.tls.set_cipher_suite_enabled_status(id, on)?;
    #[cfg(feature = "dtls")]
    {
        // RC4 suites do not exist in DTLS: the TLS answer stands for them.
        let _ = g.dtls.context().set_cipher_suite_enabled_status(id, on);
    }
    Ok(())
}
