//! `ssl_t`: the session constructors, `matrixSslDeleteSession`, the options, the anonymous
//! status, the cipher-suite switches and the session-id calls.
//!
//! An `ssl_t` is a [`Ssl`]: a type tag, a busy flag, and the session in an `UnsafeCell`.
//! Every entry point goes through [`with_ssl`], which refuses a call while another one on
//! the same session is running (a callback re-entering), so that the one `&mut` to the
//! session is unique.

use std::cell::{Cell, UnsafeCell};
use std::sync::Arc;
use std::sync::atomic::{AtomicPtr, Ordering};

use matrix_core::Error;
#[cfg(any(feature = "client-side-ssl", feature = "dtls"))]
use matrix_ssl::{CipherSuite, HelloExtensions, ProtocolVersion};
use matrix_ssl::{Session, SessionId, SessionOption};
use zeroize::Zeroize;

use crate::cert::{CertCb, SslSlot, cert_validator};
#[cfg(feature = "client-side-ssl")]
use crate::cert::{ExtCb, extension_callback};
#[cfg(any(feature = "client-side-ssl", feature = "dtls"))]
use crate::extensions::{TlsExtension, ext_ref};
use crate::handle::{SSL_TAG, into_c};
use crate::keys::{SslKeys, keys_ref};
use crate::sid_ticket;
use crate::types::{SID_FLAG_EMS, SslSessionId};
use crate::{PS_ARG_FAIL, PS_FAILURE, PS_SUCCESS, guard, guard_void};

/// The connection behind an `ssl_t` (boxed already: the variants' size difference is moot).
#[allow(clippy::large_enum_variant)]
pub(crate) enum Conn {
    Tls(Session),
    #[cfg(feature = "dtls")]
    Dtls(matrix_dtls::DtlsSession),
}

/// Calls the same method on either kind of session.
macro_rules! on_conn {
    ($conn:expr, $s:ident => $e:expr) => {
        match $conn {
            $crate::session::Conn::Tls($s) => $e,
            #[cfg(feature = "dtls")]
            $crate::session::Conn::Dtls($s) => $e,
        }
    };
}
pub(crate) use on_conn;

/// `ssl_t`. `repr(C)` with the tag first: every handle kind starts with its tag, so a
/// handle of another kind is recognised by reading one `u32`.
#[repr(C)]
pub struct Ssl {
    tag: Cell<u32>,
    busy: Cell<bool>,
    poisoned: Cell<bool>,
    inner: UnsafeCell<Inner>,
}

/// The session and what the C API keeps beside it.
pub(crate) struct Inner {
    pub(crate) conn: Conn,
    /// The caller's `sslSessionId_t`, filled when a handshake completes (NULL: none).
    pub(crate) sid: *mut SslSessionId,
    /// The two bytes `ReceivedData` points at for an alert.
    pub(crate) alert: [u8; 2],
}

impl Inner {
    /// Copies the resumable session into the caller's `sslSessionId_t` once there is one.
    pub(crate) fn store_session_id(&mut self) {
        if self.sid.is_null() {
            return;
        }
        let id = on_conn!(&self.conn, s => s.session_id());
        if let Some(id) = id {
            // SAFETY: the caller gave this storage to matrixSslNewClientSession and must keep
            // it for the session's lifetime (API reference, matrixSslNewClientSession).
            let out = unsafe { &mut *self.sid };
            write_session_id(out, &id);
        }
    }
}

/// Clears busy when a call ends; a call that unwound poisons the session.
struct Busy<'a>(&'a Ssl);

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.poisoned.set(true);
        }
        self.0.busy.set(false);
    }
}

/// The session behind `ssl`, or `None` for NULL, another kind of pointer, a deleted or
/// poisoned session, or a session already inside a call.
///
/// # Safety
/// `ssl` is NULL or a pointer from a session constructor, not yet deleted, used from one
/// thread at a time (the C contract).
pub(crate) unsafe fn ssl_ref<'a>(ssl: *mut Ssl) -> Option<&'a Ssl> {
    if crate::handle::tag_of(ssl.cast()) != Some(SSL_TAG) {
        return None;
    }
    // SAFETY: a live ssl_t (its tag says so); only shared access to the cells.
    let s = unsafe { ssl.as_ref() }?;
    (!s.busy.get() && !s.poisoned.get()).then_some(s)
}

/// Runs `f` on the session behind `ssl`; `PS_ARG_FAIL` when [`ssl_ref`] refuses it.
///
/// # Safety
/// As [`ssl_ref`].
pub(crate) unsafe fn with_ssl(ssl: *mut Ssl, f: impl FnOnce(&mut Inner) -> i32) -> i32 {
    guard(|| {
        // SAFETY: forwarded.
        let Some(s) = (unsafe { ssl_ref(ssl) }) else {
            return PS_ARG_FAIL;
        };
        s.busy.set(true);
        let _busy = Busy(s);
        // SAFETY: `busy` was false and is now true until `_busy` drops: no other reference
        // to the inner value exists (re-entering calls see busy and are refused).
        let inner = unsafe { &mut *s.inner.get() };
        f(inner)
    })
}

fn new_ssl(conn: Conn, sid: *mut SslSessionId) -> *mut Ssl {
    into_c(Ssl {
        tag: Cell::new(SSL_TAG),
        busy: Cell::new(false),
        poisoned: Cell::new(false),
        inner: UnsafeCell::new(Inner {
            conn,
            sid,
            alert: [0; 2],
        }),
    })
}

/// Hands a new session to C through `out` and to its callbacks through `slot`.
///
/// # Safety
/// `out` is a valid, non-NULL out-parameter.
unsafe fn publish(out: *mut *mut Ssl, slot: &SslSlot, conn: Conn, sid: *mut SslSessionId) {
    let p = new_ssl(conn, sid);
    slot.store(p, Ordering::Release);
    // SAFETY: non-NULL out-parameter (checked by the caller).
    unsafe { out.write(p) };
}

/// The session a caller's `sslSessionId_t` holds, if any.
///
/// # Safety
/// `sid` is NULL or points to an `sslSessionId_t`.
#[cfg(any(feature = "client-side-ssl", feature = "dtls"))]
pub(crate) unsafe fn read_session_id(sid: *const SslSessionId) -> Option<SessionId> {
    // SAFETY: NULL or the caller's storage (the C contract).
    let s = unsafe { sid.as_ref() }?;
    let len = usize::from(s.id_len);
    // A session resumes by its id, or by its RFC 5077 ticket alone.
    if (len == 0 && !sid_ticket::has_ticket(s)) || len > s.id.len() {
        return None;
    }
    let suite = CipherSuite::from(u16::try_from(s.cipher_id).ok()?);
    let version = ProtocolVersion::from(u16::from_be_bytes([s.maj_ver, s.min_ver]));
    let session = SessionId::from_parts(
        &s.id[..len],
        &s.master_secret,
        suite,
        version,
        s.flags & SID_FLAG_EMS != 0,
    )
    .ok()?;
    sid_ticket::attach(s, session)
}

fn write_session_id(out: &mut SslSessionId, id: &SessionId) {
    let bytes = id.id();
    if bytes.len() > out.id.len() {
        return;
    }
    out.id.zeroize();
    out.id[..bytes.len()].copy_from_slice(bytes);
    out.master_secret.copy_from_slice(id.master_secret());
    out.cipher_id = u32::from(id.cipher_suite().get());
    out.id_len = u8::try_from(bytes.len()).unwrap_or(0);
    [out.maj_ver, out.min_ver] = id.protocol_version().get().to_be_bytes();
    out.flags = if id.extended_master_secret() {
        SID_FLAG_EMS
    } else {
        0
    };
    sid_ticket::store(out, id);
}

/// The arguments of a client session, checked.
#[cfg(any(feature = "client-side-ssl", feature = "dtls"))]
pub(crate) struct ClientArgs {
    pub(crate) keys: Arc<matrix_ssl::Keys>,
    pub(crate) session_id: Option<SessionId>,
    pub(crate) suite: u16,
    pub(crate) extensions: Option<HelloExtensions>,
    pub(crate) slot: SslSlot,
    pub(crate) sid: *mut SslSessionId,
}

/// Checks `matrixSslNewClientSession`'s arguments.
///
/// # Safety
/// The C contract of matrixSslNewClientSession.
#[cfg(any(feature = "client-side-ssl", feature = "dtls"))]
pub(crate) unsafe fn client_args(
    ssl: *mut *mut Ssl,
    keys: *mut SslKeys,
    session_id: *mut SslSessionId,
    cipher_suite: u32,
    extensions: *mut TlsExtension,
) -> Result<ClientArgs, i32> {
    if ssl.is_null() {
        return Err(PS_ARG_FAIL);
    }
    // SAFETY: out-parameter checked non-NULL: clear it so that a failure leaves NULL.
    unsafe { ssl.write(std::ptr::null_mut()) };
    // SAFETY: the C contract.
    let keys = unsafe { keys_ref(keys) }.ok_or(PS_ARG_FAIL)?;
    let suite = u16::try_from(cipher_suite).map_err(|_| PS_ARG_FAIL)?;
    let extensions = if extensions.is_null() {
        None
    } else {
        // SAFETY: the C contract; the list is copied.
        Some(
            unsafe { ext_ref(extensions) }
                .ok_or(PS_ARG_FAIL)?
                .list
                .clone(),
        )
    };
    Ok(ClientArgs {
        keys: Arc::clone(&keys.keys),
        // SAFETY: the C contract.
        session_id: unsafe { read_session_id(session_id) },
        suite,
        extensions,
        slot: Arc::new(AtomicPtr::new(std::ptr::null_mut())),
        sid: session_id,
    })
}

/// `matrixSslNewClientSession`: MATRIXSSL_REQUEST_SEND with the ClientHello in
/// matrixSslGetOutdata.
#[cfg(feature = "client-side-ssl")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslNewClientSession(
    ssl: *mut *mut Ssl,
    keys: *mut SslKeys,
    session_id: *mut SslSessionId,
    cipher_suite: u32,
    cert_validator_cb: Option<CertCb>,
    extensions: *mut TlsExtension,
    extension_cback: Option<ExtCb>,
) -> i32 {
    let defaults = crate::options::ClientOpts::default();
    // SAFETY: forwarded.
    unsafe {
        new_client_session(
            ssl,
            keys,
            session_id,
            cipher_suite,
            cert_validator_cb,
            extensions,
            extension_cback,
            &defaults,
        )
    }
}

/// `matrixSslNewClientSession` with session options (`matrixSslNewClientSessionWithOpts`).
///
/// # Safety
/// The C contract of matrixSslNewClientSession.
#[cfg(feature = "client-side-ssl")]
#[allow(clippy::too_many_arguments)]
pub(crate) unsafe fn new_client_session(
    ssl: *mut *mut Ssl,
    keys: *mut SslKeys,
    session_id: *mut SslSessionId,
    cipher_suite: u32,
    cert_validator_cb: Option<CertCb>,
    extensions: *mut TlsExtension,
    extension_cback: Option<ExtCb>,
    opts: &crate::options::ClientOpts,
) -> i32 {
    guard(|| {
        // SAFETY: the C contract.
        let a = match unsafe { client_args(ssl, keys, session_id, cipher_suite, extensions) } {
            Ok(a) => a,
            Err(e) => return e,
        };
        let ctx = match crate::global::client_context(opts) {
            Ok(c) => c,
            Err(e) => return e.code(),
        };
        let r = ctx.new_client_session_with_extension_cb(
            a.keys,
            a.session_id.as_ref(),
            a.suite,
            cert_validator(cert_validator_cb, &a.slot),
            a.extensions.as_ref(),
            extension_callback(extension_cback, &a.slot),
        );
        match r {
            Ok(s) => {
                // SAFETY: `ssl` checked non-NULL in client_args.
                unsafe { publish(ssl, &a.slot, Conn::Tls(s), a.sid) };
                matrix_ssl::codes::MATRIXSSL_REQUEST_SEND
            }
            Err(e) => e.code(),
        }
    })
}

/// `matrixSslNewServerSession`: PS_SUCCESS.
#[cfg(feature = "server-side-ssl")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslNewServerSession(
    ssl: *mut *mut Ssl,
    keys: *mut SslKeys,
    cert_cb: Option<CertCb>,
) -> i32 {
    guard(|| {
        if ssl.is_null() {
            return PS_ARG_FAIL;
        }
        // SAFETY: checked non-NULL.
        unsafe { ssl.write(std::ptr::null_mut()) };
        // SAFETY: the C contract.
        let Some(k) = (unsafe { keys_ref(keys) }) else {
            return PS_ARG_FAIL;
        };
        let Some(ctx) = crate::global::tls_context() else {
            return PS_FAILURE;
        };
        let slot: SslSlot = Arc::new(AtomicPtr::new(std::ptr::null_mut()));
        match ctx.new_server_session(Arc::clone(&k.keys), cert_validator(cert_cb, &slot)) {
            Ok(s) => {
                // SAFETY: checked non-NULL.
                unsafe { publish(ssl, &slot, Conn::Tls(s), std::ptr::null_mut()) };
                PS_SUCCESS
            }
            Err(e) => e.code(),
        }
    })
}

/// Publishes a DTLS session (for the `dtls` module).
///
/// # Safety
/// `out` is a valid, non-NULL out-parameter.
#[cfg(feature = "dtls")]
pub(crate) unsafe fn publish_dtls(
    out: *mut *mut Ssl,
    slot: &SslSlot,
    s: matrix_dtls::DtlsSession,
    sid: *mut SslSessionId,
) {
    // SAFETY: forwarded.
    unsafe { publish(out, slot, Conn::Dtls(s), sid) }
}

/// `matrixSslDeleteSession`. Ignored for NULL, and from inside the session's own
/// callbacks (the session is in use).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslDeleteSession(ssl: *mut Ssl) {
    guard_void(|| {
        if crate::handle::tag_of(ssl.cast()) != Some(SSL_TAG) {
            return;
        }
        // SAFETY: a live ssl_t (its tag says so). A poisoned session may be deleted.
        let Some(s) = (unsafe { ssl.as_ref() }) else {
            return;
        };
        if s.busy.get() {
            return;
        }
        s.tag.set(0);
        // SAFETY: made by Box::into_raw in a constructor; the tag was live and is cleared,
        // and no call is running on it (not busy), so this is the only release.
        drop(unsafe { Box::from_raw(ssl) });
    });
}

/// `matrixSslGetAnonStatus`: `*anon` 1 when the certificate callback allowed an
/// unauthenticated connection, else 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslGetAnonStatus(ssl: *mut Ssl, anon: *mut i32) {
    if anon.is_null() {
        return;
    }
    let run = |i: &mut Inner| {
        let a = on_conn!(&i.conn, s => s.anon_status());
        // SAFETY: checked non-NULL.
        unsafe { anon.write(i32::from(a)) };
        PS_SUCCESS
    };
    // SAFETY: the C contract (a live ssl_t or NULL).
    let _ = unsafe { with_ssl(ssl, run) };
}

/// `SSL_OPTION_*`.
const SSL_OPTION_FULL_HANDSHAKE: i32 = 1;
const SSL_OPTION_DISABLE_CLIENT_AUTH: i32 = 2;
const SSL_OPTION_ENABLE_CLIENT_AUTH: i32 = 3;

/// An `SSL_OPTION_*` value.
pub(crate) fn session_option(option: i32) -> Option<SessionOption> {
    match option {
        SSL_OPTION_FULL_HANDSHAKE => Some(SessionOption::FullHandshake),
        SSL_OPTION_DISABLE_CLIENT_AUTH => Some(SessionOption::DisableClientAuth),
        SSL_OPTION_ENABLE_CLIENT_AUTH => Some(SessionOption::EnableClientAuth),
        _ => None,
    }
}

/// `matrixSslSetSessionOption` (`arg` unused).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslSetSessionOption(
    ssl: *mut Ssl,
    option: i32,
    _arg: *mut std::ffi::c_void,
) -> i32 {
    let Some(opt) = session_option(option) else {
        return PS_ARG_FAIL;
    };
    let run = |i: &mut Inner| {
        on_conn!(&mut i.conn, s => s.set_session_option(opt))
            .map_or_else(|e| e.code(), |()| PS_SUCCESS)
    };
    // SAFETY: the C contract (a live ssl_t or NULL).
    unsafe { with_ssl(ssl, run) }
}

/// `matrixSslSetCipherSuiteEnabledStatus`: `ssl` NULL for the global setting. A suite not
/// compiled in is MATRIXSSL_ERROR, as the reference says.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslSetCipherSuiteEnabledStatus(
    ssl: *mut Ssl,
    cipher_id: u16,
    status: u32,
) -> i32 {
    let on = match status {
        0 => false,
        1 => true,
        _ => return PS_ARG_FAIL,
    };
    let code = |r: Result<(), Error>| match r {
        Ok(()) => PS_SUCCESS,
        Err(Error::Failure) => matrix_ssl::codes::MATRIXSSL_ERROR,
        Err(e) => e.code(),
    };
    if ssl.is_null() {
        return guard(|| code(crate::global::set_global_suite_status(cipher_id, on)));
    }
    let run = |i: &mut Inner| match &mut i.conn {
        Conn::Tls(s) => code(s.set_cipher_suite_enabled_status(cipher_id, on)),
        #[cfg(feature = "dtls")]
        Conn::Dtls(_) => Error::UnsupportedFail.code(),
    };
    // SAFETY: the C contract (a live ssl_t or NULL).
    unsafe { with_ssl(ssl, run) }
}

/// `matrixSslInitSessionId`: clears the caller's `sslSessionId_t` (a full handshake
/// follows).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslInitSessionId(session_id: *mut SslSessionId) {
    guard_void(|| {
        // SAFETY: NULL or the caller's storage (the C contract).
        if let Some(s) = unsafe { session_id.as_mut() } {
            wipe(s);
        }
    });
}

/// `matrixSslDeleteSessionId`: wipes the caller's `sslSessionId_t` and frees the ticket
/// the library allocated in it (the storage stays the caller's).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslDeleteSessionId(session_id: *mut SslSessionId) {
    guard_void(|| {
        // SAFETY: NULL or the caller's storage, initialised (the C contract).
        if let Some(s) = unsafe { session_id.as_mut() } {
            sid_ticket::free(s);
            wipe(s);
        }
    });
}

fn wipe(s: &mut SslSessionId) {
    s.id.zeroize();
    s.master_secret.zeroize();
    s.cipher_id.zeroize();
    s.id_len = 0;
    s.maj_ver = 0;
    s.min_ver = 0;
    s.flags = 0;
    sid_ticket::clear(s);
}

/// `matrixSslGetSessionId`: copies the session's resumable state out: PS_SUCCESS, or
/// PS_FAILURE before a handshake completed with a session id.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslGetSessionId(
    ssl: *mut Ssl,
    session_id: *mut SslSessionId,
) -> i32 {
    if session_id.is_null() {
        return PS_ARG_FAIL;
    }
    let run = |i: &mut Inner| match on_conn!(&i.conn, s => s.session_id()) {
        Some(id) => {
            // SAFETY: checked non-NULL; the caller's storage.
            write_session_id(unsafe { &mut *session_id }, &id);
            PS_SUCCESS
        }
        None => PS_FAILURE,
    };
    // SAFETY: the C contract (a live ssl_t or NULL).
    unsafe { with_ssl(ssl, run) }
}

#[cfg(all(test, feature = "server-side-ssl"))]
mod tests {
    use super::*;
    use crate::buffers::matrixSslGetReadbuf;
    use crate::keys::{matrixSslDeleteKeys, matrixSslNewKeys};

    #[test]
    fn a_panic_is_ps_failure_and_poisons_the_session() {
        assert_eq!(crate::matrixSslOpen(), PS_SUCCESS);
        let mut keys = std::ptr::null_mut();
        let mut ssl = std::ptr::null_mut();
        let mut buf = std::ptr::null_mut();
        // SAFETY: valid out-parameters; the handles are used as the C API prescribes.
        unsafe {
            assert_eq!(matrixSslNewKeys(&mut keys), PS_SUCCESS);
            assert_eq!(matrixSslNewServerSession(&mut ssl, keys, None), PS_SUCCESS);
            assert!(matrixSslGetReadbuf(ssl, &mut buf) > 0);
            assert_eq!(with_ssl(ssl, |_| panic!("a bug")), PS_FAILURE);
            // The session that unwound is refused from then on, and can still be deleted.
            assert_eq!(matrixSslGetReadbuf(ssl, &mut buf), PS_ARG_FAIL);
            matrixSslDeleteSession(ssl);
            matrixSslDeleteKeys(keys);
        }
    }
}
