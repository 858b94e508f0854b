//! [`DtlsContext`]: a matrix-ssl [`Context`] opened for DTLS, plus what DTLS adds to it:
//! the PMTU (`matrixDtlsSetPmtu` / `matrixDtlsGetPmtu`, Appendix A of the API reference)
//! and the server's HelloVerifyRequest cookie secrets.
//!
//! MatrixSSL keeps the PMTU in a library global; matrix keeps no process-global mutable
//! state (`DESIGN.md`), so it lives in the context and every session of the context reads
//! it each time it builds a datagram: changing it affects the sessions of that context
//! only, from their next datagram on.

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::sync::atomic::{AtomicUsize, Ordering};

use matrix_core::Error;
use matrix_core::osdep::Clock;
use matrix_core::sync::Lock;
use matrix_ssl::Context;
use matrix_ssl::codec::handshake::ClientHello;
use matrix_ssl::engine::{self, SecureRandom};

use crate::cookie::{COOKIE_LEN, CookieJar};

/// The smallest PMTU [`DtlsContext::set_pmtu`] accepts: a record of the largest expansion
/// (13-byte header, 16-byte explicit IV, a 32-byte HMAC-SHA256 of DTLS 1.2's CBC suites,
/// up to 16 bytes of padding; AES-GCM's 8-byte nonce and 16-byte tag are less) with a
/// 12-byte handshake fragment header still leaves room for some forty bytes of message.
pub const MIN_PMTU: usize = 128;

/// The largest PMTU: the largest UDP payload over IPv4.
pub const MAX_PMTU: usize = 65_507;

struct Cookies {
    jar: CookieJar,
    rotation: Option<Arc<dyn Clock + Send + Sync>>,
}

struct Inner {
    ssl: Context,
    pmtu: AtomicUsize,
    default_pmtu: usize,
    cookies: Lock<Cookies>,
}

/// A DTLS library context (`matrixSslOpen` for DTLS): shared by its sessions, cheap to
/// clone.
#[derive(Clone)]
pub struct DtlsContext {
    inner: Arc<Inner>,
}

impl core::fmt::Debug for DtlsContext {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DtlsContext")
            .field("ssl", &self.inner.ssl)
            .field("pmtu", &self.pmtu())
            .finish_non_exhaustive()
    }
}

/// `matrixSslOpen` for DTLS with the operating system's entropy and clock. `config` must
/// leave only DTLS versions (start from `Config::dtls()`), else `PS_ARG_FAIL`.
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub fn open(config: matrix_ssl::Config) -> Result<DtlsContext, Error> {
    DtlsContext::from_context(matrix_ssl::open(config)?)
}

fn clamp_pmtu(pmtu: usize) -> usize {
    pmtu.clamp(MIN_PMTU, MAX_PMTU)
}

impl DtlsContext {
    /// Wraps a context opened with DTLS versions only (`Config::dtls()`, through
    /// `matrix_ssl::open` or `matrix_ssl::open_with`); `PS_ARG_FAIL` for a TLS context.
    /// The PMTU starts at the configuration's `dtls_pmtu`.
    pub fn from_context(ssl: Context) -> Result<Self, Error> {
        if !ssl.is_dtls() {
            return Err(Error::ArgFail);
        }
        let default_pmtu = clamp_pmtu(ssl.config().dtls_pmtu);
        let mut rng = engine::session_rng(&ssl)?;
        let jar = CookieJar::new(&mut *rng)?;
        // Without matrix-core's `multithreading` the context (like matrix-ssl's) is meant to
        // stay on one thread: the lock is a `RefCell` and the `Arc` only counts references.
        #[allow(clippy::arc_with_non_send_sync)]
        Ok(DtlsContext {
            inner: Arc::new(Inner {
                ssl,
                pmtu: AtomicUsize::new(default_pmtu),
                default_pmtu,
                cookies: Lock::new(Cookies {
                    jar,
                    rotation: None,
                }),
            }),
        })
    }

    /// The matrix-ssl context underneath (configuration, session cache, disabled suites).
    pub fn context(&self) -> &Context {
        &self.inner.ssl
    }

    /// `matrixDtlsSetPmtu`: the largest datagram the sessions of this context produce. A
    /// negative value restores the default (the configuration's `dtls_pmtu`, 1500 unless
    /// changed); others are clamped to [`MIN_PMTU`]..=[`MAX_PMTU`]. Returns the new value.
    pub fn set_pmtu(&self, pmtu: i32) -> usize {
        let v = match usize::try_from(pmtu) {
            Ok(p) => clamp_pmtu(p),
            Err(_) => self.inner.default_pmtu,
        };
        self.inner.pmtu.store(v, Ordering::Relaxed);
        v
    }

    /// `matrixDtlsGetPmtu`: the current PMTU.
    pub fn pmtu(&self) -> usize {
        self.inner.pmtu.load(Ordering::Relaxed)
    }

    /// Replaces the cookie secret now; cookies made with the previous secret stay valid
    /// until the next rotation.
    pub fn rotate_cookie_secret(&self) -> Result<(), Error> {
        let mut rng = engine::session_rng(&self.inner.ssl)?;
        self.inner.cookies.lock().jar.rotate(&mut *rng)
    }

    /// Rotates the cookie secret every `interval_ms` of `clock` (checked whenever a cookie
    /// is made or verified).
    pub fn set_cookie_rotation(
        &self,
        interval_ms: u64,
        clock: Arc<dyn Clock + Send + Sync>,
    ) -> Result<(), Error> {
        let mut rng = engine::session_rng(&self.inner.ssl)?;
        let jar = CookieJar::with_interval(&mut *rng, interval_ms, &*clock)?;
        let mut c = self.inner.cookies.lock();
        c.jar = jar;
        c.rotation = Some(clock);
        Ok(())
    }

    fn tick(&self, c: &mut Cookies) -> Result<(), Error> {
        if let Some(clock) = c.rotation.clone() {
            let mut rng = engine::session_rng(&self.inner.ssl)?;
            c.jar.tick(&*clock, &mut *rng)?;
        }
        Ok(())
    }

    /// The cookie for a client at `client_addr` sending `hello`.
    pub(crate) fn cookie(&self, client_addr: &[u8], hello: &ClientHello) -> [u8; COOKIE_LEN] {
        let mut c = self.inner.cookies.lock();
        // A rotation that fails (no randomness) keeps the current secret: still sound.
        let _ = self.tick(&mut c);
        c.jar.cookie(client_addr, hello)
    }

    /// Whether `hello` carries a valid cookie for `client_addr`.
    pub(crate) fn verify_cookie(&self, client_addr: &[u8], hello: &ClientHello) -> bool {
        let mut c = self.inner.cookies.lock();
        let _ = self.tick(&mut c);
        c.jar.verify(client_addr, hello)
    }

    pub(crate) fn session_rng(&self) -> Result<Box<dyn SecureRandom + Send>, Error> {
        engine::session_rng(&self.inner.ssl)
    }
}
