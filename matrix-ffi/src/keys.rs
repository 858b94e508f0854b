//! `sslKeys_t`: `matrixSslNewKeys`, the loading calls and `matrixSslDeleteKeys`.
//!
//! The handle holds an `Arc<Keys>`: each session takes a reference, so deleting the keys
//! while sessions still use them is safe (MatrixSSL requires the opposite order). Loading
//! needs the only reference: once a session uses the keys, loading more is `PS_ARG_FAIL`.

#[cfg(feature = "file-system")]
use std::ffi::c_char;
use std::sync::Arc;

use matrix_ssl::Keys;

#[cfg(feature = "file-system")]
use crate::c_str;
use crate::handle::{KEYS_TAG, into_c};
use crate::{PS_ARG_FAIL, PS_SUCCESS, c_bytes, guard, guard_void};

/// `sslKeys_t` (`repr(C)`, the tag first: see `handle`).
#[repr(C)]
pub struct SslKeys {
    tag: u32,
    pub(crate) keys: Arc<Keys>,
}

/// The keys behind a handle, or `None` for NULL or something else.
///
/// # Safety
/// `keys` is NULL or a pointer from `matrixSslNewKeys` not yet deleted.
pub(crate) unsafe fn keys_ref<'a>(keys: *mut SslKeys) -> Option<&'a mut SslKeys> {
    if crate::handle::tag_of(keys.cast()) != Some(KEYS_TAG) {
        return None;
    }
    // SAFETY: a live sslKeys_t (its tag says so).
    unsafe { keys.as_mut() }
}

/// Runs `f` on the keys for loading; `PS_ARG_FAIL` for a bad handle or keys in use.
unsafe fn load(
    keys: *mut SslKeys,
    f: impl FnOnce(&mut Keys) -> Result<(), matrix_core::Error>,
) -> i32 {
    guard(|| {
        // SAFETY: forwarded from the caller.
        let Some(k) = (unsafe { keys_ref(keys) }) else {
            return PS_ARG_FAIL;
        };
        let Some(keys) = Arc::get_mut(&mut k.keys) else {
            return PS_ARG_FAIL;
        };
        f(keys).map_or_else(|e| e.code(), |()| PS_SUCCESS)
    })
}

/// `matrixSslNewKeys`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslNewKeys(keys: *mut *mut SslKeys) -> i32 {
    guard(|| {
        if keys.is_null() {
            return PS_ARG_FAIL;
        }
        let h = into_c(SslKeys {
            tag: KEYS_TAG,
            keys: Arc::new(Keys::new()),
        });
        // SAFETY: non-NULL out-parameter (the C contract: it points to a pointer).
        unsafe { keys.write(h) };
        PS_SUCCESS
    })
}

/// `matrixSslDeleteKeys`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslDeleteKeys(keys: *mut SslKeys) {
    guard_void(|| {
        // SAFETY: NULL or a live handle (the C contract).
        if let Some(k) = unsafe { keys_ref(keys) } {
            #[cfg(all(feature = "stateless-session-tickets", feature = "server-side-ssl"))]
            crate::tickets::forget_keys(keys);
            k.tag = 0;
            // SAFETY: made by Box::into_raw in matrixSslNewKeys; the tag was live, so it is
            // freed once.
            drop(unsafe { Box::from_raw(keys) });
        }
    });
}

/// `matrixSslLoadRsaKeys`.
#[cfg(feature = "file-system")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslLoadRsaKeys(
    keys: *mut SslKeys,
    cert_file: *const c_char,
    priv_file: *const c_char,
    priv_pass: *const c_char,
    trusted_ca_files: *const c_char,
) -> i32 {
    // SAFETY: NULL or NUL-terminated strings (the C contract).
    let args = unsafe {
        (
            c_str(cert_file),
            c_str(priv_file),
            c_str(priv_pass),
            c_str(trusted_ca_files),
        )
    };
    let (Some(c), Some(k), Some(p), Some(ca)) = args else {
        return PS_ARG_FAIL;
    };
    // SAFETY: forwarded.
    unsafe { load(keys, |keys| keys.load_rsa_keys(c, k, p, ca)) }
}

/// `matrixSslLoadRsaKeysMem`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslLoadRsaKeysMem(
    keys: *mut SslKeys,
    cert_buf: *mut u8,
    cert_len: i32,
    priv_buf: *mut u8,
    priv_len: i32,
    trusted_ca_buf: *mut u8,
    trusted_ca_len: i32,
) -> i32 {
    // SAFETY: each pointer is NULL or `len` readable bytes (the C contract).
    let args = unsafe {
        (
            c_bytes(cert_buf, cert_len),
            c_bytes(priv_buf, priv_len),
            c_bytes(trusted_ca_buf, trusted_ca_len),
        )
    };
    let (Some(c), Some(k), Some(ca)) = args else {
        return PS_ARG_FAIL;
    };
    // SAFETY: forwarded.
    unsafe { load(keys, |keys| keys.load_rsa_keys_mem(c, k, ca)) }
}

/// `matrixSslLoadEcKeys` (MatrixSSL 3.x, `USE_ECC`): an EC (P-256/P-384) certificate
/// chain and private key (SEC 1, PKCS#8, encrypted PKCS#8 or encrypted PEM with
/// `priv_pass`), PEM or DER files, and trusted CAs. The EC identity sits beside an RSA one
/// loaded into the same keys; `PS_ARG_FAIL` when an EC identity is loaded already,
/// `PS_UNSUPPORTED_FAIL` without `ecc` or for another curve.
#[cfg(feature = "file-system")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslLoadEcKeys(
    keys: *mut SslKeys,
    cert_file: *const c_char,
    priv_file: *const c_char,
    priv_pass: *const c_char,
    trusted_ca_file: *const c_char,
) -> i32 {
    // SAFETY: NULL or NUL-terminated strings (the C contract).
    let args = unsafe {
        (
            c_str(cert_file),
            c_str(priv_file),
            c_str(priv_pass),
            c_str(trusted_ca_file),
        )
    };
    let (Some(c), Some(k), Some(p), Some(ca)) = args else {
        return PS_ARG_FAIL;
    };
    // SAFETY: forwarded.
    unsafe { load(keys, |keys| keys.load_ec_keys(c, k, p, ca)) }
}

/// `matrixSslLoadEcKeysMem` (MatrixSSL 3.x): [`matrixSslLoadEcKeys`] from memory (PEM or
/// DER); an encrypted key cannot be given here (3.x's prototype has no password).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslLoadEcKeysMem(
    keys: *mut SslKeys,
    cert_buf: *const u8,
    cert_len: i32,
    priv_buf: *const u8,
    priv_len: i32,
    trusted_ca_buf: *const u8,
    trusted_ca_len: i32,
) -> i32 {
    // SAFETY: each pointer is NULL or `len` readable bytes (the C contract).
    let args = unsafe {
        (
            c_bytes(cert_buf, cert_len),
            c_bytes(priv_buf, priv_len),
            c_bytes(trusted_ca_buf, trusted_ca_len),
        )
    };
    let (Some(c), Some(k), Some(ca)) = args else {
        return PS_ARG_FAIL;
    };
    // SAFETY: forwarded.
    unsafe { load(keys, |keys| keys.load_ec_keys_mem(c, k, None, ca)) }
}

/// The passwords of `matrixSslLoadPkcs12`: the import password (NULL: empty) and the MAC
/// password (NULL: the import password).
///
/// # Safety
/// Pointers NULL or readable for their lengths.
unsafe fn p12_passwords<'a>(
    import: *mut u8,
    ilen: i32,
    mac: *mut u8,
    mlen: i32,
) -> Option<(&'a [u8], Option<&'a [u8]>)> {
    // SAFETY: forwarded.
    let import = unsafe { c_bytes(import, ilen) }?.unwrap_or_default();
    // SAFETY: forwarded.
    let mac = unsafe { c_bytes(mac, mlen) }?;
    Some((import, mac))
}

/// `matrixSslLoadPkcs12` (MatrixSSL 3.x's prototype; `flags` must be 0).
#[cfg(feature = "file-system")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslLoadPkcs12(
    keys: *mut SslKeys,
    p12_file: *mut u8,
    import_pass: *mut u8,
    ipasslen: i32,
    mac_pass: *mut u8,
    mpasslen: i32,
    flags: i32,
) -> i32 {
    // SAFETY: the C contract for each argument.
    let (file, pw) = unsafe {
        (
            c_str(p12_file.cast::<c_char>().cast_const()),
            p12_passwords(import_pass, ipasslen, mac_pass, mpasslen),
        )
    };
    let (Some(Some(file)), Some((import, mac)), 0) = (file, pw, flags) else {
        return PS_ARG_FAIL;
    };
    // SAFETY: forwarded.
    unsafe { load(keys, |keys| keys.load_pkcs12(file, import, mac)) }
}

/// `matrixSslLoadPkcs12Mem` (matrix extension).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslLoadPkcs12Mem(
    keys: *mut SslKeys,
    p12_buf: *mut u8,
    p12_len: i32,
    import_pass: *mut u8,
    ipasslen: i32,
    mac_pass: *mut u8,
    mpasslen: i32,
    flags: i32,
) -> i32 {
    // SAFETY: the C contract for each argument.
    let (data, pw) = unsafe {
        (
            c_bytes(p12_buf, p12_len),
            p12_passwords(import_pass, ipasslen, mac_pass, mpasslen),
        )
    };
    let (Some(Some(data)), Some((import, mac)), 0) = (data, pw, flags) else {
        return PS_ARG_FAIL;
    };
    // SAFETY: forwarded.
    unsafe { load(keys, |keys| keys.load_pkcs12_mem(data, import, mac)) }
}

/// `matrixSslLoadDhParams`.
#[cfg(feature = "file-system")]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslLoadDhParams(
    keys: *mut SslKeys,
    param_file: *const c_char,
) -> i32 {
    // SAFETY: the C contract.
    let Some(Some(file)) = (unsafe { c_str(param_file) }) else {
        return PS_ARG_FAIL;
    };
    // SAFETY: forwarded.
    unsafe { load(keys, |keys| keys.load_dh_params(file)) }
}

/// `matrixSslLoadDhParamsMem`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslLoadDhParamsMem(
    keys: *mut SslKeys,
    dh_bin: *mut u8,
    dh_bin_len: i32,
) -> i32 {
    // SAFETY: the C contract.
    let Some(Some(data)) = (unsafe { c_bytes(dh_bin, dh_bin_len) }) else {
        return PS_ARG_FAIL;
    };
    // SAFETY: forwarded.
    unsafe { load(keys, |keys| keys.load_dh_params_mem(data)) }
}

/// `matrixSslLoadPsk`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslLoadPsk(
    keys: *mut SslKeys,
    key: *mut u8,
    key_len: u32,
    id: *mut u8,
    id_len: u32,
) -> i32 {
    let (Ok(kl), Ok(il)) = (i32::try_from(key_len), i32::try_from(id_len)) else {
        return PS_ARG_FAIL;
    };
    // SAFETY: the C contract.
    let (Some(Some(k)), Some(Some(i))) = (unsafe { c_bytes(key, kl) }, unsafe { c_bytes(id, il) })
    else {
        return PS_ARG_FAIL;
    };
    // SAFETY: forwarded.
    unsafe { load(keys, |keys| keys.load_psk(i, k)) }
}
