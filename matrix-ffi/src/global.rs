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
    /// Client contexts for session options other than the defaults (`sslSessOpts_t`:
    /// tickets asked for, other EC groups), opened on first use; at most one per distinct
    /// option set (2 x 8 of them).
    pub(crate) clients: Vec<(crate::options::ClientOpts, Context)>,
    /// Suites disabled globally (`matrixSslSetCipherSuiteEnabledStatus(NULL, ..)`), applied
    /// to the client contexts opened later too.
    pub(crate) disabled: Vec<u16>,
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

/// The TLS context, if the library is open (server sessions and their tickets).
#[cfg(feature = "server-side-ssl")]
pub(crate) fn tls_context() -> Option<Context> {
    lock().as_ref().map(|g| g.tls.clone())
}

/// The TLS context for a client session with options `opts`: the library's own for the
/// defaults, else one opened for those options (with the globally disabled suites).
#[cfg(feature = "client-side-ssl")]
pub(crate) fn client_context(
    opts: &crate::options::ClientOpts,
) -> Result<Context, matrix_core::Error> {
    let mut g = lock();
    let Some(g) = g.as_mut() else {
        return Err(matrix_core::Error::Failure);
    };
    if opts.is_default() {
        return Ok(g.tls.clone());
    }
    if let Some((_, c)) = g.clients.iter().find(|(o, _)| o == opts) {
        return Ok(c.clone());
    }
    let c = matrix_ssl::open(opts.config())?;
    for id in &g.disabled {
        c.set_cipher_suite_enabled_status(*id, false)?;
    }
    g.clients.push((opts.clone(), c.clone()));
    Ok(c)
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
        #[cfg(all(feature = "stateless-session-tickets", feature = "server-side-ssl"))]
        {
            crate::tickets::install(&tls);
            #[cfg(feature = "dtls")]
            crate::tickets::install(dtls.context());
        }
        *g = Some(Global {
            tls,
            #[cfg(feature = "dtls")]
            dtls,
            clients: Vec::new(),
            disabled: Vec::new(),
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
    let mut g = lock();
    let Some(g) = g.as_mut() else {
        return Err(matrix_core::Error::Failure);
    };
    g.tls.set_cipher_suite_enabled_status(id, on)?;
    for (_, c) in &g.clients {
        c.set_cipher_suite_enabled_status(id, on)?;
    }
    g.disabled.retain(|d| *d != id);
    if !on {
        g.disabled.push(id);
    }
    #[cfg(feature = "dtls")]
    {
        // RC4 suites do not exist in DTLS: the TLS answer stands for them.
        let _ = g.dtls.context().set_cipher_suite_enabled_status(id, on);
    }
    Ok(())
}
