//! An EC identity in [`super::Keys`] (MatrixSSL 3.x `matrixSslLoadEcKeys` /
//! `matrixSslLoadEcKeysMem`, `USE_ECC`): a certificate chain whose leaf holds a P-256 or
//! P-384 key, and that key (SEC 1 `EC PRIVATE KEY`, PKCS#8, encrypted PKCS#8 or encrypted
//! PEM, read by `matrix_x509::ec_key`). It sits beside the RSA identity: a server holding
//! both signs ECDHE_ECDSA suites with this one and every RSA-authenticated suite with the
//! other; a client answers a CertificateRequest with the one the server accepts.

use matrix_core::Error;
use matrix_crypto::ec::EcPrivateKey;

use super::own_chain::OwnChain;

/// A chain and the private key of its leaf (wiped on drop by the curve crate).
pub(crate) struct EcIdentity {
    pub(crate) chain: OwnChain,
    pub(crate) key: EcPrivateKey,
}

impl EcIdentity {
    /// The pair, checked as the RSA loaders check theirs: the chain links and the key
    /// must be the leaf's (`PS_CERT_AUTH_FAIL`).
    pub(crate) fn new(chain: OwnChain, key: EcPrivateKey) -> Result<Self, Error> {
        chain.check_ec_key(&key)?;
        Ok(EcIdentity { chain, key })
    }

    /// The `NamedGroup` of the key's curve.
    pub(crate) fn group(&self) -> u16 {
        self.key.curve().tls_id()
    }
}

/// An EC private key from PEM or DER bytes, with `password` for an encrypted one.
pub(crate) fn key_from_mem(data: &[u8], password: Option<&[u8]>) -> Result<EcPrivateKey, Error> {
    matrix_x509::ec_key::load_ec_private_key(data, password)
}

/// An EC private key from a PEM or DER file.
#[cfg(feature = "file-system")]
pub(crate) fn key_from_file(path: &str, password: Option<&[u8]>) -> Result<EcPrivateKey, Error> {
    matrix_x509::ec_key::load_ec_private_key_file(path, password)
}
