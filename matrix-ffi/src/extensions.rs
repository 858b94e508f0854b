//! `tlsExtension_t`: `matrixSslNewHelloExtension`, `LoadHelloExtension`,
//! `DeleteHelloExtension` over matrix-ssl's `HelloExtensions` (copied into each session
//! that uses it, so deleting right after `matrixSslNewClientSession` is fine).

use matrix_ssl::HelloExtensions;

use crate::handle::{EXT_TAG, into_c};
use crate::{PS_ARG_FAIL, PS_SUCCESS, c_bytes, guard, guard_void};

/// `tlsExtension_t` (`repr(C)`, the tag first: see `handle`).
#[repr(C)]
pub struct TlsExtension {
    tag: u32,
    pub(crate) list: HelloExtensions,
}

/// The list behind a handle, or `None`.
///
/// # Safety
/// `ext` is NULL or a live handle from `matrixSslNewHelloExtension`.
pub(crate) unsafe fn ext_ref<'a>(ext: *mut TlsExtension) -> Option<&'a mut TlsExtension> {
    if crate::handle::tag_of(ext.cast()) != Some(EXT_TAG) {
        return None;
    }
    // SAFETY: a live tlsExtension_t (its tag says so).
    unsafe { ext.as_mut() }
}

/// `matrixSslNewHelloExtension`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslNewHelloExtension(extension: *mut *mut TlsExtension) -> i32 {
    guard(|| {
        if extension.is_null() {
            return PS_ARG_FAIL;
        }
        let h = into_c(TlsExtension {
            tag: EXT_TAG,
            list: HelloExtensions::new(),
        });
        // SAFETY: checked non-NULL out-parameter.
        unsafe { extension.write(h) };
        PS_SUCCESS
    })
}

/// `matrixSslLoadHelloExtension`: `extData` is the extension_data of type `extType`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslLoadHelloExtension(
    extension: *mut TlsExtension,
    ext_data: *mut u8,
    ext_len: u32,
    ext_type: u32,
) -> i32 {
    guard(|| {
        let (Ok(len), Ok(t)) = (i32::try_from(ext_len), u16::try_from(ext_type)) else {
            return PS_ARG_FAIL;
        };
        // SAFETY: the C contract.
        let (Some(e), Some(data)) = (unsafe { ext_ref(extension) }, unsafe {
            c_bytes(ext_data, len)
        }) else {
            return PS_ARG_FAIL;
        };
        e.list
            .load(t, data.unwrap_or_default())
            .map_or_else(|err| err.code(), |()| PS_SUCCESS)
    })
}

/// `matrixSslDeleteHelloExtension`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn matrixSslDeleteHelloExtension(extension: *mut TlsExtension) {
    guard_void(|| {
        // SAFETY: the C contract.
        if let Some(e) = unsafe { ext_ref(extension) } {
            e.tag = 0;
            // SAFETY: made by Box::into_raw; the live tag makes this the one release.
            drop(unsafe { Box::from_raw(extension) });
        }
    });
}
