//! The buffer API: `matrixSslGetReadbuf`, `ReceivedData`, `ProcessedData`, `GetOutdata`,
//! `SentData`, `GetWritebuf`, `EncodeWritebuf`, `EncodeToOutdata`,
//! `EncodeClosureAlert`, `EncodeRehandshake`.
//!
//! The pointers handed out point into the session's buffers: the read buffer until the
//! next `ReceivedData`, decrypted data (and the two alert bytes) until the next
//! `ProcessedData`, the out data until the next `SentData` or encoding call, the write
//! buffer until `EncodeWritebuf`. Nothing moves them in between: only calls on the
//! session touch its buffers.

use matrix_core::Error;
use matrix_ssl::Received;
use zeroize::Zeroizing;

use crate::cert::{CertCb, SslSlot, cert_validator};
use crate::keys::{SslKeys, keys_ref};
use crate::session::{Conn, Inner, Ssl, on_conn, session_option, with_ssl};
use crate::{PS_ARG_FAIL, PS_SUCCESS, c_count};

/// `matrixSslGetReadbuf`: room for received bytes (> 0), PS_MEM_FAIL when the session's
/// memory budget leaves none.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslGetReadbuf(ssl: *mut Ssl, buf: *mut *mut u8) -> i32 {
    if buf.is_null() {
        return PS_ARG_FAIL;
    }
    let run = |i: &mut Inner| {
        let r = match &mut i.conn {
            Conn::Tls(s) => s.try_get_readbuf(),
            #[cfg(feature = "dtls")]
            Conn::Dtls(s) => Ok(s.get_readbuf()),
        };
        match r {
            Ok(b) => {
                // SAFETY: checked non-NULL out-parameter.
                unsafe { buf.write(b.as_mut_ptr()) };
                c_count(b.len())
            }
            Err(e) => e.code(),
        }
    };
    // SAFETY: the C contract (a live ssl_t or NULL).
    unsafe { with_ssl(ssl, run) }
}

/// A `Received` as C sees it: the code, the plaintext pointer and length, and the alert's
/// two bytes (which `deliver` stores in the session and points at).
type Delivery = (i32, *mut u8, usize, Option<[u8; 2]>);

/// What a `Received` gives C: the code and the plaintext (or alert) pointer and length.
fn deliver(
    inner: &mut Inner,
    r: Result<Delivery, Error>,
    ptbuf: *mut *mut u8,
    ptlen: *mut u32,
) -> i32 {
    let (code, mut p, len, alert) = match r {
        Ok(v) => v,
        Err(e) => (e.code(), std::ptr::null_mut(), 0, None),
    };
    if let Some(a) = alert {
        inner.alert = a;
        p = inner.alert.as_mut_ptr();
    }
    inner.store_session_id();
    // SAFETY: both checked non-NULL by the callers.
    unsafe {
        ptbuf.write(p);
        ptlen.write(u32::try_from(len).unwrap_or(0));
    }
    code
}

/// A `Received` as C values; the borrow of the session ends here.
fn flatten(r: Result<Received<'_>, Error>) -> Result<Delivery, Error> {
    let r = r?;
    Ok(match r {
        Received::AppData(d) => (r.code(), d.as_ptr().cast_mut(), d.len(), None),
        Received::Alert { level, description } => (
            r.code(),
            std::ptr::null_mut(),
            2,
            Some([level.get(), description.get()]),
        ),
        other => (other.code(), std::ptr::null_mut(), 0, None),
    })
}

/// `matrixSslReceivedData`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslReceivedData(
    ssl: *mut Ssl,
    bytes: u32,
    ptbuf: *mut *mut u8,
    ptlen: *mut u32,
) -> i32 {
    if ptbuf.is_null() || ptlen.is_null() {
        return PS_ARG_FAIL;
    }
    let Ok(n) = usize::try_from(bytes) else {
        return PS_ARG_FAIL;
    };
    let run = |i: &mut Inner| {
        let r = flatten(on_conn!(&mut i.conn, s => s.received_data(n)));
        deliver(i, r, ptbuf, ptlen)
    };
    // SAFETY: the C contract (a live ssl_t or NULL).
    unsafe { with_ssl(ssl, run) }
}

/// `matrixSslProcessedData`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslProcessedData(
    ssl: *mut Ssl,
    ptbuf: *mut *mut u8,
    ptlen: *mut u32,
) -> i32 {
    if ptbuf.is_null() || ptlen.is_null() {
        return PS_ARG_FAIL;
    }
    let run = |i: &mut Inner| {
        let r = flatten(on_conn!(&mut i.conn, s => s.processed_data()));
        deliver(i, r, ptbuf, ptlen)
    };
    // SAFETY: the C contract (a live ssl_t or NULL).
    unsafe { with_ssl(ssl, run) }
}

/// `matrixSslGetOutdata`: bytes to send (> 0), or 0.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslGetOutdata(ssl: *mut Ssl, buf: *mut *mut u8) -> i32 {
    if buf.is_null() {
        return PS_ARG_FAIL;
    }
    let run = |i: &mut Inner| {
        let out: &[u8] = on_conn!(&mut i.conn, s => s.get_outdata());
        let p = if out.is_empty() {
            std::ptr::null_mut()
        } else {
            out.as_ptr().cast_mut()
        };
        // SAFETY: checked non-NULL out-parameter.
        unsafe { buf.write(p) };
        c_count(out.len())
    };
    // SAFETY: the C contract (a live ssl_t or NULL).
    unsafe { with_ssl(ssl, run) }
}

/// `matrixSslSentData`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslSentData(ssl: *mut Ssl, bytes: u32) -> i32 {
    let Ok(n) = usize::try_from(bytes) else {
        return PS_ARG_FAIL;
    };
    let run = |i: &mut Inner| {
        let r = on_conn!(&mut i.conn, s => s.sent_data(n));
        i.store_session_id();
        r.map_or_else(|e| e.code(), |s| s.code())
    };
    // SAFETY: the C contract (a live ssl_t or NULL).
    unsafe { with_ssl(ssl, run) }
}

/// `matrixSslGetWritebuf`: room for plaintext (> 0, perhaps less than asked).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslGetWritebuf(
    ssl: *mut Ssl,
    buf: *mut *mut u8,
    requested_len: u32,
) -> i32 {
    let (false, Ok(len)) = (buf.is_null(), usize::try_from(requested_len)) else {
        return PS_ARG_FAIL;
    };
    if len == 0 {
        return PS_ARG_FAIL;
    }
    let run = |i: &mut Inner| match on_conn!(&mut i.conn, s => s.get_writebuf(len)) {
        Ok(b) => {
            // SAFETY: checked non-NULL out-parameter.
            unsafe { buf.write(b.as_mut_ptr()) };
            c_count(b.len())
        }
        Err(e) => e.code(),
    };
    // SAFETY: the C contract (a live ssl_t or NULL).
    unsafe { with_ssl(ssl, run) }
}

/// `matrixSslEncodeWritebuf`: the encoded length (> 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslEncodeWritebuf(ssl: *mut Ssl, len: u32) -> i32 {
    let Ok(len) = usize::try_from(len) else {
        return PS_ARG_FAIL;
    };
    let run = |i: &mut Inner| {
        on_conn!(&mut i.conn, s => s.encode_writebuf(len)).map_or_else(|e| e.code(), c_count)
    };
    // SAFETY: the C contract (a live ssl_t or NULL).
    unsafe { with_ssl(ssl, run) }
}

/// `matrixSslEncodeToOutdata`: the encoded length (> 0).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslEncodeToOutdata(ssl: *mut Ssl, pt_buf: *mut u8, len: u32) -> i32 {
    let Ok(len) = i32::try_from(len) else {
        return Error::LimitFail.code();
    };
    // Copied before the session is borrowed: the caller may pass a pointer into the
    // session's own buffers (echoing what ReceivedData returned).
    // SAFETY: the C contract (NULL or `len` readable bytes).
    let Some(Some(data)) = (unsafe { crate::c_bytes(pt_buf, len) }) else {
        return PS_ARG_FAIL;
    };
    let copy = Zeroizing::new(data.to_vec());
    let run = |i: &mut Inner| {
        on_conn!(&mut i.conn, s => s.encode_to_outdata(&copy)).map_or_else(|e| e.code(), c_count)
    };
    // SAFETY: the C contract (a live ssl_t or NULL).
    unsafe { with_ssl(ssl, run) }
}

/// `matrixSslEncodeClosureAlert`: MATRIXSSL_SUCCESS, or MATRIXSSL_ERROR when the session
/// cannot send it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslEncodeClosureAlert(ssl: *mut Ssl) -> i32 {
    let run = |i: &mut Inner| {
        on_conn!(&mut i.conn, s => s.encode_closure_alert())
            .map_or_else(|e| e.code(), |()| PS_SUCCESS)
    };
    // SAFETY: the C contract (a live ssl_t or NULL).
    unsafe { with_ssl(ssl, run) }
}

/// `matrixSslEncodeRehandshake`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslEncodeRehandshake(
    ssl: *mut Ssl,
    keys: *mut SslKeys,
    cert_cb: Option<CertCb>,
    session_option_value: u32,
    cipher_spec: u32,
) -> i32 {
    let option = match session_option_value {
        0 => None,
        v => match i32::try_from(v).ok().and_then(session_option) {
            Some(o @ matrix_ssl::SessionOption::FullHandshake) => Some(o),
            _ => return PS_ARG_FAIL,
        },
    };
    let Ok(suite) = u16::try_from(cipher_spec) else {
        return PS_ARG_FAIL;
    };
    let new_keys = if keys.is_null() {
        None
    } else {
        // SAFETY: the C contract.
        match unsafe { keys_ref(keys) } {
            Some(k) => Some(std::sync::Arc::clone(&k.keys)),
            None => return PS_ARG_FAIL,
        }
    };
    let slot: SslSlot = std::sync::Arc::new(std::sync::atomic::AtomicPtr::new(ssl));
    let validator = cert_validator(cert_cb, &slot);
    let run = |i: &mut Inner| {
        on_conn!(&mut i.conn, s => s.encode_rehandshake(new_keys, validator, option, suite))
            .map_or_else(|e| e.code(), |()| PS_SUCCESS)
    };
    // SAFETY: the C contract (a live ssl_t or NULL).
    unsafe { with_ssl(ssl, run) }
}
