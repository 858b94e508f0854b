//! Handles: the Rust values behind `ssl_t *`, `sslKeys_t *` and `tlsExtension_t *`.
//!
//! Each is a `Box` given to C as a raw pointer and taken back by its delete call. Each is
//! `repr(C)` and starts with a `u32` type tag, read through the raw pointer (4 bytes, which
//! every handle has) before any reference to the whole value is made, so that passing one
//! kind of handle where another is expected is answered with `PS_ARG_FAIL` rather than
//! reinterpreted. Deleting clears the tag. (A pointer that is no handle at all, or one
//! already freed, cannot be recognised: as in C, that is the caller's bug.)

/// Tags (ASCII in the first word).
pub(crate) const SSL_TAG: u32 = u32::from_be_bytes(*b"mSSL");
pub(crate) const KEYS_TAG: u32 = u32::from_be_bytes(*b"mKEY");
pub(crate) const EXT_TAG: u32 = u32::from_be_bytes(*b"mEXT");

/// Gives a handle to C.
pub(crate) fn into_c<T>(v: T) -> *mut T {
    Box::into_raw(Box::new(v))
}

/// The tag at the start of a handle, `None` for NULL.
pub(crate) fn tag_of(p: *const u32) -> Option<u32> {
    if p.is_null() {
        return None;
    }
    // SAFETY: a non-NULL pointer C passed as a handle: every handle starts with a u32 tag
    // (repr(C)), and the C contract is that the pointer is one of our live handles.
    Some(unsafe { p.read() })
}
