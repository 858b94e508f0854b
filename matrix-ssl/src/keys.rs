//! [`Keys`]: MatrixSSL's `sslKeys_t`, the certificate material sessions share
//! (`matrixSslNewKeys`, `matrixSslLoadRsaKeys`, `matrixSslLoadRsaKeysMem`,
//! `matrixSslDeleteKeys` = drop).
//!
//! A server loads its certificate chain (child first) and the RSA private key of the leaf;
//! a client loads the CA certificates it trusts. Loading checks what MatrixSSL checks: the
//! chain authenticates itself link by link and the private key belongs to the leaf
//! (`PS_CERT_AUTH_FAIL` otherwise). A client doing client authentication loads its own
//! chain and key too; a server doing it loads the CAs it trusts for client certificates.
//! Diffie-Hellman parameters (`matrixSslLoadDhParams`) and pre-shared keys
//! (`matrixSslLoadPsk`) are loaded the same way. Sessions hold the keys as `Arc<Keys>`.

use alloc::vec::Vec;

use matrix_core::Error;
use matrix_crypto::dh::DhGroup;
use matrix_crypto::rsa::RsaPrivateKey;
use matrix_x509::{CertChain, DhParams, PublicKey, X509Cert};
use zeroize::Zeroizing;

/// The largest pre-shared key [`Keys::load_psk`] accepts, in bytes (`SSL_PSK_MAX_KEY_SIZE`).
pub const SSL_PSK_MAX_KEY_SIZE: usize = 64;
/// The longest PSK identity [`Keys::load_psk`] accepts, in bytes (`SSL_PSK_MAX_ID_SIZE`).
pub const SSL_PSK_MAX_ID_SIZE: usize = 128;

/// One pre-shared key and its identity; the key is wiped on drop.
struct Psk {
    identity: Vec<u8>,
    key: Zeroizing<Vec<u8>>,
}

/// Key material for sessions (`sslKeys_t`).
#[derive(Default)]
pub struct Keys {
    /// Our certificate chain, child first (servers; clients with client authentication).
    chain: Option<CertChain>,
    /// The leaf's private key.
    private_key: Option<RsaPrivateKey>,
    /// The CAs we trust to issue the peer's certificate (clients).
    cas: Vec<X509Cert>,
    /// Whether RSA keys were loaded already: the reference allows one load per `Keys`.
    loaded: bool,
    /// The Diffie-Hellman group of the DHE and DH_anon suites (servers).
    dh_group: Option<DhGroup>,
    /// The pre-shared keys, in load order.
    psks: Vec<Psk>,
}

impl core::fmt::Debug for Keys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Keys")
            .field(
                "certificates",
                &self.chain.as_ref().map_or(0, CertChain::len),
            )
            .field("private_key", &self.private_key.is_some())
            .field("cas", &self.cas.len())
            .field("dh_params", &self.dh_group.is_some())
            .field("psks", &self.psks.len())
            .finish()
    }
}

impl Keys {
    /// Empty key material (`matrixSslNewKeys`).
    pub fn new() -> Self {
        Keys::default()
    }

    /// `matrixSslLoadRsaKeys`: PEM (or DER) files, each argument a `;`-separated list.
    ///
    /// `cert_files` and `priv_key_file` go together (servers, or clients doing client
    /// authentication); `password` decrypts an encrypted key; `ca_files` are the trusted
    /// CAs (clients). Fails with `PS_PLATFORM_FAIL` for a file that cannot be read,
    /// `PS_PARSE_FAIL` for material that cannot be parsed, `PS_CERT_AUTH_FAIL` when the
    /// chain does not authenticate itself or the key does not belong to the certificate,
    /// `PS_AUTH_FAIL` for a wrong password, `PS_ARG_FAIL` when only one of certificate and
    /// key is given or keys were loaded already.
    #[cfg(feature = "file-system")]
    pub fn load_rsa_keys(
        &mut self,
        cert_files: Option<&str>,
        priv_key_file: Option<&str>,
        password: Option<&str>,
        ca_files: Option<&str>,
    ) -> Result<(), Error> {
        self.check_args(cert_files.is_some(), priv_key_file.is_some())?;
        let own = match (cert_files, priv_key_file) {
            (Some(c), Some(k)) => {
                let chain = CertChain::from_files(c)?;
                let key =
                    matrix_x509::key::load_rsa_private_key_file(k, password.map(str::as_bytes))?;
                Some((chain, key))
            }
            _ => None,
        };
        let cas = match ca_files {
            Some(list) => CertChain::from_files(list)?.certs().to_vec(),
            None => Vec::new(),
        };
        self.install(own, cas)
    }

    /// `matrixSslLoadRsaKeysMem`: DER material. `cert_der` may hold a chain (child first,
    /// certificates back to back), `key_der` is a PKCS#1 (or PKCS#8) RSA key, `ca_der` one
    /// or more CA certificates back to back. PEM text is accepted too. Return codes as
    /// [`Keys::load_rsa_keys`] without the file failures.
    pub fn load_rsa_keys_mem(
        &mut self,
        cert_der: Option<&[u8]>,
        key_der: Option<&[u8]>,
        ca_der: Option<&[u8]>,
    ) -> Result<(), Error> {
        self.check_args(cert_der.is_some(), key_der.is_some())?;
        let own = match (cert_der, key_der) {
            (Some(c), Some(k)) => Some((
                CertChain::from_bytes(c)?,
                matrix_x509::key::load_rsa_private_key(k, None)?,
            )),
            _ => None,
        };
        let cas = match ca_der {
            Some(der) => CertChain::from_bytes(der)?.certs().to_vec(),
            None => Vec::new(),
        };
        self.install(own, cas)
    }

    fn check_args(&self, cert: bool, key: bool) -> Result<(), Error> {
        if self.loaded || cert != key {
            return Err(Error::ArgFail);
        }
        Ok(())
    }

    fn install(
        &mut self,
        own: Option<(CertChain, RsaPrivateKey)>,
        cas: Vec<X509Cert>,
    ) -> Result<(), Error> {
        if let Some((chain, key)) = &own {
            check_chain_and_key(chain, key)?;
        }
        if let Some((chain, key)) = own {
            self.chain = Some(chain);
            self.private_key = Some(key);
        }
        self.cas = cas;
        self.loaded = true;
        Ok(())
    }

    /// Our certificate chain, child first.
    pub fn certificate_chain(&self) -> Option<&CertChain> {
        self.chain.as_ref()
    }

    /// The trusted CA certificates.
    pub fn trusted_cas(&self) -> &[X509Cert] {
        &self.cas
    }

    /// Whether a certificate and its private key are loaded (what a server needs for the
    /// RSA suites).
    pub fn has_rsa_identity(&self) -> bool {
        self.chain.is_some() && self.private_key.is_some()
    }

    /// The leaf's private key (servers; clients doing client authentication).
    pub(crate) fn private_key(&self) -> Option<&RsaPrivateKey> {
        self.private_key.as_ref()
    }

    /// `matrixSslLoadDhParams`: the Diffie-Hellman group a server uses for the DHE_RSA,
    /// DHE_PSK and DH_anon suites, from a PKCS#3 `DH PARAMETERS` file (PEM or DER, as
    /// `openssl dhparam` writes it). `PS_PLATFORM_FAIL` for a file that cannot be read,
    /// `PS_PARSE_FAIL` for one that does not parse, `PS_ARG_FAIL` for a group matrix
    /// refuses (a prime of fewer than 1024 or more than 4096 bits, an even prime, a
    /// generator outside `1 < g < p - 1`). Loading again replaces the group.
    ///
    /// Without a loaded group a server uses RFC 7919's `ffdhe2048` (2048-bit safe prime,
    /// generator 2).
    #[cfg(feature = "file-system")]
    pub fn load_dh_params(&mut self, file: &str) -> Result<(), Error> {
        let data = std::fs::read(file)
            .map_err(|e| matrix_core::ps_error!(Error::PlatformFail, "cannot read {file}: {e}"))?;
        self.load_dh_params_mem(&data)
    }

    /// `matrixSslLoadDhParamsMem`: [`Keys::load_dh_params`] from memory (PEM or DER).
    pub fn load_dh_params_mem(&mut self, data: &[u8]) -> Result<(), Error> {
        let params = DhParams::from_bytes(data)?;
        self.dh_group = Some(DhGroup::new(&params.p, &params.g)?);
        Ok(())
    }

    /// The group a server uses: the loaded one, else RFC 7919 `ffdhe2048`.
    #[cfg(feature = "server-side-ssl")]
    pub(crate) fn dh_group(&self) -> Result<DhGroup, Error> {
        match &self.dh_group {
            Some(g) => Ok(g.clone()),
            None => DhGroup::named(matrix_crypto::dh::NamedGroup::Ffdhe2048),
        }
    }

    /// `matrixSslLoadPsk`: adds a pre-shared key and its identity for the PSK and DHE_PSK
    /// suites (RFC 4279). A server accepts any identity loaded; a client uses the key whose
    /// identity equals the server's identity hint, else the first one loaded. `PS_ARG_FAIL`
    /// for an empty or too long key (over [`SSL_PSK_MAX_KEY_SIZE`] bytes) or identity
    /// (over [`SSL_PSK_MAX_ID_SIZE`] bytes), or an identity already loaded. The key is
    /// copied and wiped when the `Keys` is dropped.
    pub fn load_psk(&mut self, identity: &[u8], key: &[u8]) -> Result<(), Error> {
        if key.is_empty()
            || key.len() > SSL_PSK_MAX_KEY_SIZE
            || identity.is_empty()
            || identity.len() > SSL_PSK_MAX_ID_SIZE
            || self.psks.iter().any(|p| p.identity == identity)
        {
            return Err(Error::ArgFail);
        }
        self.psks.push(Psk {
            identity: identity.to_vec(),
            key: Zeroizing::new(key.to_vec()),
        });
        Ok(())
    }

    /// Whether any pre-shared key is loaded.
    pub fn has_psk(&self) -> bool {
        !self.psks.is_empty()
    }

    /// The key of `identity` (servers).
    #[cfg(feature = "server-side-ssl")]
    pub(crate) fn psk_for(&self, identity: &[u8]) -> Option<&[u8]> {
        self.psks
            .iter()
            .find(|p| p.identity == identity)
            .map(|p| p.key.as_slice())
    }

    /// The identity and key a client uses after the server's `hint` (clients).
    #[cfg(feature = "client-side-ssl")]
    pub(crate) fn psk_choice(&self, hint: &[u8]) -> Option<(&[u8], &[u8])> {
        self.psks
            .iter()
            .find(|p| !hint.is_empty() && p.identity == hint)
            .or_else(|| self.psks.first())
            .map(|p| (p.identity.as_slice(), p.key.as_slice()))
    }
}

/// Each certificate of our chain must be signed by the next one, and the key must be the
/// leaf's: a server that sent a mismatched pair would fail every handshake at Finished.
fn check_chain_and_key(chain: &CertChain, key: &RsaPrivateKey) -> Result<(), Error> {
    let certs = chain.certs();
    for pair in certs.windows(2) {
        if let [child, parent] = pair
            && !matrix_x509::verify_signature(child, parent)
        {
            return Err(Error::CertAuthFail);
        }
    }
    let leaf = chain.leaf().ok_or(Error::ParseFail)?;
    match &leaf.public_key {
        PublicKey::Rsa { n, e } => {
            let pk = key.public_key();
            if strip(n) == strip(pk.n()) && strip(e) == strip(pk.e()) {
                Ok(())
            } else {
                Err(Error::CertAuthFail)
            }
        }
        _ => Err(Error::UnsupportedFail),
    }
}

fn strip(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    b.get(start..).unwrap_or_default()
}
