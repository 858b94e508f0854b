//! The RSA the handshakes and `Keys` use (the RSA key transport, RFC 5246 section 7.4.7.1;
//! RSA PKCS#1 v1.5 signatures of DHE_RSA, CertificateVerify and TLS 1.2's
//! signature_algorithms, RFC 5246 sections 7.4.3 and 7.4.8): matrix-crypto's when an RSA
//! suite or a feature that loads RSA keys is compiled in (feature `rsa`), else uninhabited
//! stand-ins of the same shape, so that a PSK-only build compiles no RSA, no bignum and no
//! certificate code and the handshake code needs no `cfg` in its bodies: no RSA suite can
//! be negotiated there, and no stand-in key can be made (`PS_UNSUPPORTED_FAIL`, as
//! MatrixSSL answers for what it was compiled without), so no stand-in value ever exists.

#[cfg(feature = "rsa")]
#[allow(unused_imports, reason = "a one-role build uses only its role's part")]
pub(crate) use matrix_crypto::rsa::{
    RsaPrivateKey, RsaPublicKey, decrypt_pkcs1_v15_tls, encrypt_pkcs1_v15, sign_pkcs1_v15,
    verify_pkcs1_v15,
};

#[cfg(not(feature = "rsa"))]
#[allow(unused_imports, reason = "a one-role build uses only its role's part")]
pub(crate) use absent::{
    RsaPrivateKey, RsaPublicKey, decrypt_pkcs1_v15_tls, encrypt_pkcs1_v15, sign_pkcs1_v15,
    verify_pkcs1_v15,
};

#[cfg(not(feature = "rsa"))]
#[allow(dead_code, reason = "a one-role build uses only its role's part")]
mod absent {
    use alloc::vec::Vec;

    use matrix_core::Error;
    use matrix_crypto::alg::HashAlgorithm;
    use matrix_crypto::random::SecureRandom;

    /// A public key of a build without RSA: none can be made (`new` always fails).
    #[derive(Debug)]
    pub(crate) enum RsaPublicKey {}

    /// A private key of a build without RSA: none can be made (`from_components` always
    /// fails).
    #[derive(Debug)]
    pub(crate) enum RsaPrivateKey {}

    impl RsaPublicKey {
        pub(crate) fn new(_n: &[u8], _e: &[u8]) -> Result<Self, Error> {
            Err(Error::UnsupportedFail)
        }
        pub(crate) fn heap_bytes(&self) -> usize {
            match *self {}
        }
        pub(crate) fn n(&self) -> &[u8] {
            match *self {}
        }
        pub(crate) fn e(&self) -> &[u8] {
            match *self {}
        }
    }

    impl RsaPrivateKey {
        #[allow(clippy::too_many_arguments, reason = "the shape of matrix-crypto's")]
        pub(crate) fn from_components(
            _n: &[u8],
            _e: &[u8],
            _d: &[u8],
            _p: &[u8],
            _q: &[u8],
            _dp: &[u8],
            _dq: &[u8],
            _qinv: &[u8],
        ) -> Result<Self, Error> {
            Err(Error::UnsupportedFail)
        }
        pub(crate) fn public_key(&self) -> &RsaPublicKey {
            match *self {}
        }
        pub(crate) fn heap_bytes(&self) -> usize {
            match *self {}
        }
    }

    pub(crate) fn encrypt_pkcs1_v15(
        key: &RsaPublicKey,
        _rng: &mut dyn SecureRandom,
        _msg: &[u8],
    ) -> Result<Vec<u8>, Error> {
        match *key {}
    }

    pub(crate) fn decrypt_pkcs1_v15_tls(
        key: &RsaPrivateKey,
        _rng: &mut dyn SecureRandom,
        _ct: &[u8],
        _out: &mut [u8],
    ) -> Result<(), Error> {
        match *key {}
    }

    pub(crate) fn sign_pkcs1_v15(
        key: &RsaPrivateKey,
        _rng: &mut dyn SecureRandom,
        _hash: HashAlgorithm,
        _digest: &[u8],
    ) -> Result<Vec<u8>, Error> {
        match *key {}
    }

    pub(crate) fn verify_pkcs1_v15(
        key: &RsaPublicKey,
        _hash: HashAlgorithm,
        _digest: &[u8],
        _sig: &[u8],
    ) -> Result<(), Error> {
        match *key {}
    }
}

/// `Ok` in a build with RSA: what the RSA key loaders check first.
#[cfg(feature = "rsa")]
pub(crate) fn supported() -> Result<(), matrix_core::Error> {
    Ok(())
}

/// `PS_UNSUPPORTED_FAIL` in a build without RSA: the RSA key loaders answer it before
/// reading anything, so a PSK-only program learns at load time that certificates are
/// compiled out.
#[cfg(not(feature = "rsa"))]
pub(crate) fn supported() -> Result<(), matrix_core::Error> {
    Err(matrix_core::ps_error!(
        matrix_core::Error::UnsupportedFail,
        "built without an RSA suite: no RSA keys or certificates"
    ))
}
