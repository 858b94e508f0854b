//! The source of randomness every consumer takes: client and server randoms, IVs, premaster
//! secrets, RSA blinding and padding, DH private exponents.
//!
//! The library's generator is the HMAC-DRBG in `drbg`, seeded from matrix-core's
//! [`matrix_core::osdep::Entropy`]; tests may pass a deterministic source.

use matrix_core::Result;

/// A cryptographically secure random byte source.
pub trait SecureRandom {
    /// Fills `dest` entirely with random bytes, or fails (`PS_PLATFORM_FAIL` when the
    /// underlying entropy source failed).
    fn fill_bytes(&mut self, dest: &mut [u8]) -> Result<()>;
}

impl<R: SecureRandom + ?Sized> SecureRandom for &mut R {
    fn fill_bytes(&mut self, dest: &mut [u8]) -> Result<()> {
        (**self).fill_bytes(dest)
    }
}
