//! Appendix A, MatrixDTLS: `matrixDtlsGetOutdata`, `SentData`, `SetPmtu`, `GetPmtu`, and
//! the DTLS session constructors (matrix extensions: a C program says which sessions are
//! datagram ones; the server's takes the client's address, which matrix-dtls binds its
//! HelloVerifyRequest cookie to). Every other `matrixSsl*` call works on DTLS sessions.

use std::sync::Arc;
use std::sync::atomic::{AtomicPtr, Ordering};

use crate::cert::{CertCb, ExtCb, SslSlot, cert_validator, extension_callback};
use crate::extensions::TlsExtension;
use crate::global::{PMTU_BEFORE_OPEN, dtls_context};
use crate::keys::{SslKeys, keys_ref};
use crate::session::{Conn, Inner, Ssl, client_args, publish_dtls, with_ssl};
use crate::types::SslSessionId;
use crate::{PS_ARG_FAIL, PS_FAILURE, PS_SUCCESS, c_count, guard};

/// `matrixDtlsNewClientSession` (matrix extension): `matrixSslNewClientSession` for DTLS.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixDtlsNewClientSession(
    ssl: *mut *mut Ssl,
    keys: *mut SslKeys,
    session_id: *mut SslSessionId,
    cipher_suite: u32,
    cert_validator_cb: Option<CertCb>,
    extensions: *mut TlsExtension,
    extension_cback: Option<ExtCb>,
) -> i32 {
    guard(|| {
        // SAFETY: the C contract.
        let a = match unsafe { client_args(ssl, keys, session_id, cipher_suite, extensions) } {
            Ok(a) => a,
            Err(e) => return e,
        };
        let Some(ctx) = dtls_context() else {
            return PS_FAILURE;
        };
        let r = ctx.new_client_session(
            a.keys,
            a.session_id.as_ref(),
            a.suite,
            cert_validator(cert_validator_cb, &a.slot),
            a.extensions.as_ref(),
        );
        let mut s = match r {
            Ok(s) => s,
            Err(e) => return e.code(),
        };
        if let Some(cb) = extension_callback(extension_cback, &a.slot)
            && let Err(e) = s.set_extension_callback(cb)
        {
            return e.code();
        }
        // SAFETY: `ssl` checked non-NULL in client_args.
        unsafe { publish_dtls(ssl, &a.slot, s, a.sid) };
        matrix_ssl::codes::MATRIXSSL_REQUEST_SEND
    })
}

/// `matrixDtlsNewServerSession` (matrix extension): a DTLS server session for the client
/// at `clientAddr` (`addrLen` bytes, e.g. its `struct sockaddr_in`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixDtlsNewServerSession(
    ssl: *mut *mut Ssl,
    keys: *mut SslKeys,
    cert_cb: Option<CertCb>,
    client_addr: *const u8,
    addr_len: u32,
) -> i32 {
    guard(|| {
        if ssl.is_null() {
            return PS_ARG_FAIL;
        }
        // SAFETY: checked non-NULL.
        unsafe { ssl.write(std::ptr::null_mut()) };
        let Ok(len) = i32::try_from(addr_len) else {
            return PS_ARG_FAIL;
        };
        // SAFETY: the C contract (NULL or `addrLen` readable bytes).
        let (Some(k), Some(Some(addr))) = (unsafe { keys_ref(keys) }, unsafe {
            crate::c_bytes(client_addr, len)
        }) else {
            return PS_ARG_FAIL;
        };
        let Some(ctx) = dtls_context() else {
            return PS_FAILURE;
        };
        let slot: SslSlot = Arc::new(AtomicPtr::new(std::ptr::null_mut()));
        match ctx.new_server_session(Arc::clone(&k.keys), cert_validator(cert_cb, &slot), addr) {
            Ok(s) => {
                // SAFETY: checked non-NULL.
                unsafe { publish_dtls(ssl, &slot, s, std::ptr::null_mut()) };
                PS_SUCCESS
            }
            Err(e) => e.code(),
        }
    })
}

/// Whether `ssl` is a live DTLS session.
///
/// # Safety
/// The C contract (a live ssl_t or NULL).
unsafe fn is_dtls(ssl: *mut Ssl) -> bool {
    let run = |i: &mut Inner| i32::from(matches!(i.conn, Conn::Dtls(_)));
    // SAFETY: forwarded.
    unsafe { with_ssl(ssl, run) == 1 }
}

/// `matrixDtlsGetOutdata`: one datagram (> 0), or 0; after a receive timeout, the last
/// flight again. PS_ARG_FAIL on a TLS session.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixDtlsGetOutdata(ssl: *mut Ssl, buf: *mut *mut u8) -> i32 {
    // SAFETY: the C contract, forwarded.
    unsafe {
        if !is_dtls(ssl) {
            return PS_ARG_FAIL;
        }
        crate::buffers::matrixSslGetOutdata(ssl, buf)
    }
}

/// `matrixDtlsSentData`. PS_ARG_FAIL on a TLS session.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixDtlsSentData(ssl: *mut Ssl, bytes: u32) -> i32 {
    // SAFETY: the C contract, forwarded.
    unsafe {
        if !is_dtls(ssl) {
            return PS_ARG_FAIL;
        }
        crate::buffers::matrixSslSentData(ssl, bytes)
    }
}

/// `matrixDtlsSetPmtu`: the new PMTU (< 0 restores `DTLS_PMTU`; others are clamped to
/// what matrix-dtls supports).
#[unsafe(no_mangle)]
pub extern "C" fn matrixDtlsSetPmtu(pmtu: i32) -> i32 {
    guard(|| match dtls_context() {
        Some(ctx) => c_count(ctx.set_pmtu(pmtu)),
        None => {
            let v = if pmtu < 0 {
                -1
            } else {
                let clamped = usize::try_from(pmtu)
                    .unwrap_or(0)
                    .clamp(matrix_dtls::MIN_PMTU, matrix_dtls::MAX_PMTU);
                c_count(clamped)
            };
            PMTU_BEFORE_OPEN.store(v, Ordering::Relaxed);
            if v < 0 {
                c_count(matrix_ssl::Config::dtls().dtls_pmtu)
            } else {
                v
            }
        }
    })
}

/// `matrixDtlsGetPmtu`: the current PMTU.
#[unsafe(no_mangle)]
pub extern "C" fn matrixDtlsGetPmtu() -> i32 {
    guard(|| match dtls_context() {
        Some(ctx) => c_count(ctx.pmtu()),
        None => match PMTU_BEFORE_OPEN.load(Ordering::Relaxed) {
            v if v > 0 => v,
            _ => c_count(matrix_ssl::Config::dtls().dtls_pmtu),
        },
    })
}
