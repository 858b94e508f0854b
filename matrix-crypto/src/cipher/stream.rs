//! The RC4 stream cipher (no formal standard; RFC 6229 gives its test vectors), from the `rc4`
//! crate behind our own [`Rc4`] type.

use alloc::boxed::Box;
use cipher::{KeyInit, StreamCipher};
use core::fmt;
use matrix_core::{Error, Result};
use zeroize::ZeroizeOnDrop;

/// Checks at compile time that the RC4 state wipes itself when dropped.
const fn assert_zeroize_on_drop<T: ZeroizeOnDrop>() {}
const _: () = assert_zeroize_on_drop::<rc4::Rc4>();

/// The RC4 stream cipher (`psArc4Init`, `psArc4`), its state carried from call to call.
///
/// The state is boxed once by [`Rc4::new`] and zeroized on drop.
pub struct Rc4 {
    state: Box<rc4::Rc4>,
}

impl Rc4 {
    /// The heap bytes of the boxed key stream state.
    pub fn heap_bytes(&self) -> usize {
        core::mem::size_of_val(&*self.state)
    }

    /// Runs the key schedule on `key` (1 to 256 bytes, else `ArgFail`; TLS uses 16).
    pub fn new(key: &[u8]) -> Result<Self> {
        let state = rc4::Rc4::new_from_slice(key).map_err(|_| Error::ArgFail)?;
        Ok(Rc4 {
            state: Box::new(state),
        })
    }

    /// XORs the next `data.len()` bytes of key stream into `data` (encryption and decryption
    /// are the same operation).
    pub fn apply(&mut self, data: &mut [u8]) {
        self.state.apply_keystream(data);
    }
}

impl fmt::Debug for Rc4 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Rc4 { .. }")
    }
}

/// The RC4 state is zeroized on drop (checked at compile time).
impl ZeroizeOnDrop for Rc4 {}
