//! The Diffie-Hellman arithmetic the handshakes use (DHE_RSA, DHE_PSK, DH_anon; RFC 2246
//! section 8.1.2, RFC 4279 section 3): matrix-crypto's when a DH suite is compiled in
//! (feature `dh-key-exchange`, turned on by every DH suite), else uninhabited stand-ins of
//! the same shape, so that an RSA- or PSK-only build links no DH arithmetic and the
//! handshake code needs no `cfg` in its bodies: no DH suite can be negotiated there, and
//! the stand-in group cannot be made (`PS_UNSUPPORTED_FAIL`, as MatrixSSL answers for what
//! it was compiled without), so no stand-in value ever exists.

#[cfg(feature = "dh-key-exchange")]
#[allow(unused_imports, reason = "a one-role build uses only its role's part")]
pub(crate) use matrix_crypto::dh::{DhGroup, DhKeyPair, MAX_PRIME_BITS, MIN_PRIME_BITS};

/// The group a server uses without loaded parameters: RFC 7919's `ffdhe2048`.
#[cfg(all(feature = "dh-key-exchange", feature = "server-side-ssl"))]
pub(crate) fn default_group() -> Result<DhGroup, matrix_core::Error> {
    DhGroup::named(matrix_crypto::dh::NamedGroup::Ffdhe2048)
}

#[cfg(not(feature = "dh-key-exchange"))]
#[allow(unused_imports, reason = "a one-role build uses only its role's part")]
pub(crate) use absent::{DhGroup, DhKeyPair, MAX_PRIME_BITS, MIN_PRIME_BITS, default_group};

#[cfg(not(feature = "dh-key-exchange"))]
#[allow(dead_code, reason = "a one-role build uses only its role's part")]
mod absent {
    use alloc::vec::Vec;

    use matrix_core::Error;
    use matrix_crypto::random::SecureRandom;
    use zeroize::Zeroizing;

    /// matrix-crypto's bounds, for the same checks of a peer's group.
    pub(crate) const MIN_PRIME_BITS: usize = 1024;
    pub(crate) const MAX_PRIME_BITS: usize = 4096;

    /// A group of a build without DH: none can be made (`new` always fails), so none
    /// exists, and the compiler knows it: code that needs a group is removed.
    #[derive(Clone, Debug)]
    pub(crate) enum DhGroup {}

    /// A key pair of a build without DH: none exists (no group makes one).
    #[derive(Debug)]
    pub(crate) enum DhKeyPair {}

    /// No default group either.
    pub(crate) fn default_group() -> Result<DhGroup, Error> {
        Err(Error::UnsupportedFail)
    }

    impl DhGroup {
        pub(crate) fn new(_p: &[u8], _g: &[u8]) -> Result<Self, Error> {
            Err(Error::UnsupportedFail)
        }
        pub(crate) fn p(&self) -> &[u8] {
            match *self {}
        }
        pub(crate) fn g(&self) -> &[u8] {
            match *self {}
        }
        pub(crate) fn generate_key(&self, _rng: &mut dyn SecureRandom) -> Result<DhKeyPair, Error> {
            match *self {}
        }
    }

    impl DhKeyPair {
        pub(crate) fn public_bytes(&self) -> &[u8] {
            match *self {}
        }
        pub(crate) fn agree_tls(&self, _peer: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
            match *self {}
        }
        pub(crate) fn heap_bytes(&self) -> usize {
            match *self {}
        }
    }
}
