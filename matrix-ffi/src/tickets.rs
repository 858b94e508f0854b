//! RFC 5077 ticket keys from C (MatrixSSL 3.4+, `USE_STATELESS_SESSION_TICKETS`):
//! `matrixSslLoadSessionTicketKeys`, `matrixSslDeleteSessionTicketKey` and
//! `matrixSslSetSessionTicketCallback`.
//!
//! MatrixSSL keeps ticket keys in an `sslKeys_t`; matrix keeps them in the library's
//! contexts (`Context::load_session_ticket_keys`, PORTING.md difference 18), so that a
//! server rotates them while its sessions run. The `sslKeys_t` argument is checked (a
//! valid handle, else `PS_ARG_FAIL`) and stands for "this library": the keys apply to every
//! server session of the open library, TLS and DTLS, whatever keys it was created with.
//! They are loaded after `matrixSslOpen` (`PS_FAILURE` before) and forgotten by
//! `matrixSslClose`.
//!
//! The callback is called for a ticket whose key name is not loaded, with `found` 0. It
//! runs while the library holds its ticket keys, so the key it gives back with
//! `matrixSslLoadSessionTicketKeys(keys, name, ...)` (as MatrixSSL's callbacks do) is
//! collected on this thread and handed to the library when the callback returns >= 0;
//! a return < 0 refuses the ticket (a full handshake follows). Inside the callback,
//! `matrixSslDeleteSessionTicketKey` is `PS_ARG_FAIL` and a new callback is ignored.

use std::cell::RefCell;
use std::sync::Mutex;

use matrix_ssl::{Context, SessionTicketKey, TICKET_KEY_NAME_LEN};

use crate::keys::{SslKeys, keys_ref};
use crate::{PS_ARG_FAIL, PS_FAILURE, PS_SUCCESS, c_bytes, guard, guard_void};

/// The C callback's type: `int32 (*)(void *keys, unsigned char name[16], short found)`.
pub type TicketCb = unsafe extern "C" fn(*mut std::ffi::c_void, *mut u8, i16) -> i32;

/// The registered callback and the `sslKeys_t` it was registered with (as an address:
/// handed back to C only).
static CALLBACK: Mutex<Option<(TicketCb, usize)>> = Mutex::new(None);

thread_local! {
    /// `Some` while this thread runs the C callback: the key it loaded, if any.
    static COLLECTING: RefCell<Option<Option<SessionTicketKey>>> = const { RefCell::new(None) };
}

fn in_callback() -> bool {
    COLLECTING.with(|c| c.borrow().is_some())
}

fn registered() -> Option<(TicketCb, usize)> {
    *CALLBACK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The library side of the callback, installed on every context `matrixSslOpen` makes.
fn dispatch(name: &[u8; TICKET_KEY_NAME_LEN]) -> Option<SessionTicketKey> {
    let (cb, keys) = registered()?;
    let mut n = *name;
    COLLECTING.with(|c| *c.borrow_mut() = Some(None));
    // SAFETY: a C function registered for this purpose, called with the keys handle it
    // was registered with and a 16-byte name that lives across the call.
    let rc = unsafe { cb(keys as *mut std::ffi::c_void, n.as_mut_ptr(), 0) };
    let key = COLLECTING.with(|c| c.borrow_mut().take()).flatten();
    if rc < 0 { None } else { key }
}

/// Installs [`dispatch`] on a context `matrixSslOpen` opened.
pub(crate) fn install(ctx: &Context) {
    ctx.set_session_ticket_callback(Box::new(dispatch));
}

/// Forgets the callback registered with `keys` (it is being deleted).
pub(crate) fn forget_keys(keys: *mut SslKeys) {
    let mut g = CALLBACK
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if g.is_some_and(|(_, k)| k == keys as usize) {
        *g = None;
    }
}

/// A 16-byte key name from C.
///
/// # Safety
/// `name` is NULL or points to 16 readable bytes.
unsafe fn name_of(name: *const u8) -> Option<[u8; TICKET_KEY_NAME_LEN]> {
    if name.is_null() {
        return None;
    }
    let mut n = [0u8; TICKET_KEY_NAME_LEN];
    // SAFETY: non-NULL and 16 bytes (the C contract: `unsigned char name[16]`).
    n.copy_from_slice(unsafe { std::slice::from_raw_parts(name, TICKET_KEY_NAME_LEN) });
    Some(n)
}

/// Runs `f` on the open library's TLS context and (with `dtls`) its DTLS context.
fn on_contexts(f: impl Fn(&Context) -> Result<(), matrix_core::Error>) -> i32 {
    let Some(tls) = crate::global::tls_context() else {
        return PS_FAILURE;
    };
    if let Err(e) = f(&tls) {
        return e.code();
    }
    #[cfg(feature = "dtls")]
    if let Some(d) = crate::global::dtls_context()
        && let Err(e) = f(d.context())
    {
        return e.code();
    }
    PS_SUCCESS
}

/// `matrixSslLoadSessionTicketKeys`: PS_SUCCESS; PS_ARG_FAIL for a bad handle, a NULL
/// name or key, a key that is not AES-128/256 (16 or 32 bytes) with a 32-byte HMAC key,
/// or a name already loaded; PS_LIMIT_FAIL past 32 keys; PS_FAILURE before matrixSslOpen.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslLoadSessionTicketKeys(
    keys: *mut SslKeys,
    name: *const u8,
    symkey: *const u8,
    symkey_len: i16,
    hashkey: *const u8,
    hashkey_len: i16,
) -> i32 {
    guard(|| {
        // SAFETY: the C contract for each argument.
        let args = unsafe {
            (
                keys_ref(keys).is_some(),
                name_of(name),
                c_bytes(symkey, i32::from(symkey_len)),
                c_bytes(hashkey, i32::from(hashkey_len)),
            )
        };
        let (true, Some(name), Some(Some(sym)), Some(Some(hash))) = args else {
            return PS_ARG_FAIL;
        };
        if in_callback() {
            // The callback's answer: collected, handed over when it returns.
            return match SessionTicketKey::new(&name, sym, hash) {
                Ok(k) => {
                    COLLECTING.with(|c| *c.borrow_mut() = Some(Some(k)));
                    PS_SUCCESS
                }
                Err(e) => e.code(),
            };
        }
        on_contexts(|c| c.load_session_ticket_keys(&name, sym, hash))
    })
}

/// `matrixSslDeleteSessionTicketKey`: PS_SUCCESS; PS_FAILURE when no key has that name
/// (or before matrixSslOpen); PS_ARG_FAIL for a bad handle or name, or from the callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslDeleteSessionTicketKey(keys: *mut SslKeys, name: *mut u8) -> i32 {
    guard(|| {
        // SAFETY: the C contract.
        let (ok, name) = unsafe { (keys_ref(keys).is_some(), name_of(name)) };
        let (true, Some(name), false) = (ok, name, in_callback()) else {
            return PS_ARG_FAIL;
        };
        on_contexts(|c| c.delete_session_ticket_key(&name))
    })
}

/// `matrixSslSetSessionTicketCallback`: registers `cb` (NULL: none) for `keys`; ignored
/// for a bad handle or from inside the callback.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslSetSessionTicketCallback(
    keys: *mut SslKeys,
    cb: Option<TicketCb>,
) {
    guard_void(|| {
        // SAFETY: the C contract.
        if unsafe { keys_ref(keys) }.is_none() || in_callback() {
            return;
        }
        *CALLBACK
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = cb.map(|f| (f, keys as usize));
    });
}
