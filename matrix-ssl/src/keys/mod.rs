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

//!
//! What needs which feature: certificates are parsed only with `cert-parse` (clients, and
//! servers doing client authentication); without it a server keeps its chain as opaque DER
//! (see `own_chain` for what is then checked) and trusted CAs cannot be loaded. Key files
//! (PKCS#1, PKCS#8, encrypted PEM) need `private-key-parsing`; without it keys come only
//! from their components ([`Keys::load_rsa_keys_components`]). PEM input needs
//! `pem-decode` (on with `file-system` and in the defaults); without it every loader takes
//! DER only and PEM is `PS_UNSUPPORTED_FAIL`. The loading functions exist
//! in every build, so one program compiles against any configuration: material the build
//! cannot read is `PS_UNSUPPORTED_FAIL`, as MatrixSSL answers for what it was compiled
//! without.

#[cfg(feature = "ecc-core")]
mod ec;
mod own_chain;

use alloc::vec::Vec;

use crate::codec::ClientCertificateType;
use crate::dh::DhGroup;
use crate::handshake::signing::Signer;
use crate::rsa::RsaPrivateKey;
use crate::sigalgs::SigKind;
use crate::suites::KeyExchange;
use matrix_core::Error;
use matrix_x509::DhParams;
#[cfg(all(feature = "cert-parse", feature = "certificates"))]
use matrix_x509::{CertChain, X509Cert};
use zeroize::Zeroizing;

use own_chain::OwnChain;

/// The largest pre-shared key [`Keys::load_psk`] accepts, in bytes (`SSL_PSK_MAX_KEY_SIZE`).
pub const SSL_PSK_MAX_KEY_SIZE: usize = 64;
/// The longest PSK identity [`Keys::load_psk`] accepts, in bytes (`SSL_PSK_MAX_ID_SIZE`).
pub const SSL_PSK_MAX_ID_SIZE: usize = 128;

/// One pre-shared key and its identity; the key is wiped on drop.
struct Psk {
    identity: Vec<u8>,
    key: Zeroizing<Vec<u8>>,
}

/// The integers of an RSA private key (PKCS#1 `RSAPrivateKey`, RFC 8017 appendix A.1.2),
/// each big-endian and unsigned (leading zero bytes allowed): what a device without a key
/// parser compiles in, for [`Keys::load_rsa_keys_components`].
#[derive(Clone, Copy)]
pub struct RsaKeyComponents<'a> {
    /// The modulus.
    pub n: &'a [u8],
    /// The public exponent.
    pub e: &'a [u8],
    /// The private exponent.
    pub d: &'a [u8],
    /// The first prime.
    pub p: &'a [u8],
    /// The second prime.
    pub q: &'a [u8],
    /// `d mod (p - 1)`.
    pub dp: &'a [u8],
    /// `d mod (q - 1)`.
    pub dq: &'a [u8],
    /// `q^-1 mod p`.
    pub qinv: &'a [u8],
}

impl core::fmt::Debug for RsaKeyComponents<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Only the public half: the rest is the secret.
        f.debug_struct("RsaKeyComponents")
            .field("modulus_bytes", &self.n.len())
            .finish_non_exhaustive()
    }
}

impl RsaKeyComponents<'_> {
    /// The key; `PS_ARG_FAIL` for components that do not make one (p * q != n, sizes).
    fn to_private_key(self) -> Result<RsaPrivateKey, Error> {
        RsaPrivateKey::from_components(
            self.n, self.e, self.d, self.p, self.q, self.dp, self.dq, self.qinv,
        )
    }
}

/// The trusted CAs (clients; servers doing client authentication).
#[cfg(all(feature = "cert-parse", feature = "certificates"))]
type Cas = Vec<X509Cert>;

/// Without the certificate parser no CA can be loaded.
#[cfg(not(all(feature = "cert-parse", feature = "certificates")))]
#[derive(Default)]
struct Cas;

/// Key material for sessions (`sslKeys_t`).
#[derive(Default)]
pub struct Keys {
    /// Our certificate chain, child first (servers; clients with client authentication).
    chain: Option<OwnChain>,
    /// The leaf's private key.
    private_key: Option<RsaPrivateKey>,
    /// The CAs we trust to issue the peer's certificate.
    cas: Cas,
    /// Whether RSA keys were loaded already: the reference allows one load per `Keys`.
    loaded: bool,
    /// The Diffie-Hellman group of the DHE and DH_anon suites (servers).
    dh_group: Option<DhGroup>,
    /// The pre-shared keys, in load order.
    psks: Vec<Psk>,
    /// The EC identity (`matrixSslLoadEcKeys`), beside the RSA one.
    #[cfg(feature = "ecc-core")]
    ec: Option<ec::EcIdentity>,
}

impl core::fmt::Debug for Keys {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Keys")
            .field(
                "certificates",
                &self.chain.as_ref().map_or(0, OwnChain::len),
            )
            .field("private_key", &self.private_key.is_some())
            .field("cas", &ca_count(&self.cas))
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
    /// key is given or keys were loaded already, `PS_UNSUPPORTED_FAIL` for a key file
    /// without `private-key-parsing` or CA files without `cert-parse`.
    #[cfg(feature = "file-system")]
    #[cfg_attr(docsrs, doc(cfg(feature = "file-system")))]
    pub fn load_rsa_keys(
        &mut self,
        cert_files: Option<&str>,
        priv_key_file: Option<&str>,
        password: Option<&str>,
        ca_files: Option<&str>,
    ) -> Result<(), Error> {
        crate::rsa::supported()?;
        self.check_args(cert_files.is_some(), priv_key_file.is_some())?;
        let own = match (cert_files, priv_key_file) {
            (Some(c), Some(k)) => Some((
                OwnChain::from_files(c)?,
                key_from_file(k, password.map(str::as_bytes))?,
            )),
            _ => None,
        };
        let cas = cas_from_files(ca_files)?;
        self.install(own, cas)
    }

    /// `matrixSslLoadRsaKeysMem`: DER material. `cert_der` may hold a chain (child first,
    /// certificates back to back), `key_der` is a PKCS#1 (or PKCS#8) RSA key, `ca_der` one
    /// or more CA certificates back to back. PEM text is accepted too with `pem-decode`
    /// (`PS_UNSUPPORTED_FAIL` without it). Return codes as
    /// `Keys::load_rsa_keys` without the file failures.
    // Inlined so that a call naming neither a certificate nor a key (a client loading its
    // CAs) folds to the CA loader, as `load_ec_keys_mem` does: a client that loads only CAs
    // then links no identity installer (chain check, moves of the chain and key).
    #[inline(always)]
    pub fn load_rsa_keys_mem(
        &mut self,
        cert_der: Option<&[u8]>,
        key_der: Option<&[u8]>,
        ca_der: Option<&[u8]>,
    ) -> Result<(), Error> {
        if cert_der.is_none() && key_der.is_none() {
            self.load_rsa_cas_mem(ca_der)
        } else {
            self.load_rsa_identity_mem(cert_der, key_der, ca_der)
        }
    }

    /// [`Keys::load_rsa_keys_mem`] with CAs only (no certificate, no key): what
    /// [`Keys::install`] does with no identity.
    #[inline(never)]
    fn load_rsa_cas_mem(&mut self, ca_der: Option<&[u8]>) -> Result<(), Error> {
        crate::rsa::supported()?;
        self.check_args(false, false)?;
        self.cas = cas_from_mem(ca_der)?;
        self.loaded = true;
        Ok(())
    }

    /// [`Keys::load_rsa_keys_mem`] with a certificate or a key named.
    #[inline(never)]
    fn load_rsa_identity_mem(
        &mut self,
        cert_der: Option<&[u8]>,
        key_der: Option<&[u8]>,
        ca_der: Option<&[u8]>,
    ) -> Result<(), Error> {
        crate::rsa::supported()?;
        self.check_args(cert_der.is_some(), key_der.is_some())?;
        let own = match (cert_der, key_der) {
            (Some(c), Some(k)) => Some((OwnChain::from_bytes(c)?, key_from_mem(k)?)),
            _ => None,
        };
        let cas = cas_from_mem(ca_der)?;
        self.install(own, cas)
    }

    /// [`Keys::load_rsa_keys_mem`] with the private key given as its components: what a
    /// build without `private-key-parsing` loads. `cert` is our chain (child first, PEM or
    /// DER certificates back to back), `ca` the trusted CAs (needs `cert-parse`).
    ///
    /// With `cert-parse` the chain is parsed and checked as the other loaders check it.
    /// Without it the chain is kept and sent as opaque DER: each certificate must be one
    /// DER SEQUENCE and the leaf must contain the key's public half (`PS_CERT_AUTH_FAIL`
    /// otherwise), but the chain's signatures are not checked. `PS_ARG_FAIL` for
    /// components that do not form a key (p * q must be n) or keys loaded already.
    pub fn load_rsa_keys_components(
        &mut self,
        cert: &[u8],
        key: &RsaKeyComponents<'_>,
        ca: Option<&[u8]>,
    ) -> Result<(), Error> {
        crate::rsa::supported()?;
        self.check_args(true, true)?;
        let own = Some((OwnChain::from_bytes(cert)?, key.to_private_key()?));
        let cas = cas_from_mem(ca)?;
        self.install(own, cas)
    }

    /// `matrixSslLoadPkcs12`: our private key and certificate chain from a PKCS#12 file
    /// (DER `.p12`/`.pfx`), see [`Keys::load_pkcs12_mem`].
    #[cfg(feature = "file-system")]
    pub fn load_pkcs12(
        &mut self,
        file: &str,
        import_pass: &[u8],
        mac_pass: Option<&[u8]>,
    ) -> Result<(), Error> {
        let data =
            Zeroizing::new(std::fs::read(file).map_err(|e| {
                matrix_core::ps_error!(Error::PlatformFail, "cannot read {file}: {e}")
            })?);
        self.load_pkcs12_mem(&data, import_pass, mac_pass)
    }

    /// `matrixSslLoadPkcs12` from memory: the private key and the certificates of a DER
    /// PKCS#12 file (RFC 7292) become our key and chain, child first in file order (the
    /// order `openssl pkcs12 -export` writes). `import_pass` decrypts the bags;
    /// `mac_pass` checks the file's MAC first, `None` meaning the import password is the
    /// MAC password too (as in MatrixSSL).
    ///
    /// An RSA key becomes the RSA identity, an EC key (feature `ecc`) the EC identity, as
    /// [`Keys::load_ec_keys_mem`] loads it: a server holding both may take one from a
    /// PKCS#12 file and the other from another file or loader.
    ///
    /// `PS_AUTH_FAIL` when the MAC does not verify (a wrong password), `PS_PARSE_FAIL`
    /// for a malformed file, `PS_CERT_AUTH_FAIL` when the key does not belong to the first
    /// certificate or the chain does not authenticate itself, `PS_ARG_FAIL` for a
    /// password that is not UTF-8, a file without key or certificate, or an identity of
    /// that key's type loaded already, `PS_UNSUPPORTED_FAIL` in a build without the
    /// `pkcs12` feature, for an RSA key without `private-key-parsing` or for an EC key
    /// without `ecc` (an ECDSA-only build reads EC files without compiling RSA).
    pub fn load_pkcs12_mem(
        &mut self,
        data: &[u8],
        import_pass: &[u8],
        mac_pass: Option<&[u8]>,
    ) -> Result<(), Error> {
        match pkcs12_identity(data, import_pass, mac_pass.unwrap_or(import_pass))? {
            P12Identity::Rsa(chain, key) => {
                self.check_args(true, true)?;
                self.install(Some((chain, key)), cas_from_mem(None)?)
            }
            #[cfg(feature = "ecc-core")]
            P12Identity::Ec(chain, key) => {
                self.check_ec_args(true, true)?;
                let id = ec::EcIdentity::new(chain, key)?;
                self.install_ec(Some(id), cas_from_mem(None)?);
                Ok(())
            }
        }
    }

    fn check_args(&self, cert: bool, key: bool) -> Result<(), Error> {
        if self.loaded || cert != key {
            return Err(Error::ArgFail);
        }
        Ok(())
    }

    fn install(&mut self, own: Option<(OwnChain, RsaPrivateKey)>, cas: Cas) -> Result<(), Error> {
        if let Some((chain, key)) = &own {
            chain.check_key(key)?;
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
    #[cfg(all(feature = "cert-parse", feature = "certificates"))]
    #[cfg_attr(
        docsrs,
        doc(cfg(all(feature = "cert-parse", feature = "certificates")))
    )]
    pub fn certificate_chain(&self) -> Option<&CertChain> {
        self.chain.as_ref().map(OwnChain::parsed)
    }

    /// The trusted CA certificates.
    #[cfg(all(feature = "cert-parse", feature = "certificates"))]
    #[cfg_attr(
        docsrs,
        doc(cfg(all(feature = "cert-parse", feature = "certificates")))
    )]
    pub fn trusted_cas(&self) -> &[X509Cert] {
        &self.cas
    }

    /// Whether a certificate and its private key are loaded (what a server needs for the
    /// RSA suites).
    pub fn has_rsa_identity(&self) -> bool {
        self.chain.is_some() && self.private_key.is_some()
    }

    /// The leaf's private key (servers; clients doing client authentication).
    #[cfg_attr(
        not(feature = "server-side-ssl"),
        allow(dead_code, reason = "a client signs through `client_identity`")
    )]
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
    #[cfg_attr(docsrs, doc(cfg(feature = "file-system")))]
    pub fn load_dh_params(&mut self, file: &str) -> Result<(), Error> {
        let data = std::fs::read(file)
            .map_err(|e| matrix_core::ps_error!(Error::PlatformFail, "cannot read {file}: {e}"))?;
        self.load_dh_params_mem(&data)
    }

    /// `matrixSslLoadDhParamsMem`: `Keys::load_dh_params` from memory (PEM or DER).
    pub fn load_dh_params_mem(&mut self, data: &[u8]) -> Result<(), Error> {
        let params = DhParams::from_bytes(data)?;
        self.dh_group = Some(DhGroup::new(&params.p, &params.g)?);
        Ok(())
    }

    /// The group a server uses: the loaded one, else RFC 7919 `ffdhe2048`.
    #[cfg(feature = "server-side-ssl")]
    pub(crate) fn dh_group(&self) -> Result<DhGroup, Error> {
        self.dh_group
            .clone()
            .map_or_else(crate::dh::default_group, Ok)
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

/// EC identities (`USE_ECC`): `matrixSslLoadEcKeys` and `matrixSslLoadEcKeysMem`.
#[cfg(feature = "ecc-core")]
impl Keys {
    /// `matrixSslLoadEcKeys`: an EC certificate chain and its P-256 or P-384 private key
    /// (SEC 1 `EC PRIVATE KEY`, PKCS#8, encrypted PKCS#8 or encrypted PEM with
    /// `password`), PEM or DER files, each argument a `;`-separated list; `ca_files` are
    /// trusted CAs (RSA or ECDSA), added to those loaded already. The identity sits beside
    /// an RSA one loaded by [`Keys::load_rsa_keys`]: a server holding both chooses by the
    /// client's suites and signature algorithms.
    ///
    /// Return codes as [`Keys::load_rsa_keys`]; `PS_ARG_FAIL` when an EC identity is
    /// loaded already, `PS_UNSUPPORTED_FAIL` for a key on a curve matrix does not have.
    #[cfg(feature = "file-system")]
    #[cfg_attr(docsrs, doc(cfg(all(feature = "ecc-core", feature = "file-system"))))]
    pub fn load_ec_keys(
        &mut self,
        cert_files: Option<&str>,
        priv_key_file: Option<&str>,
        password: Option<&str>,
        ca_files: Option<&str>,
    ) -> Result<(), Error> {
        self.check_ec_args(cert_files.is_some(), priv_key_file.is_some())?;
        let own = match (cert_files, priv_key_file) {
            (Some(c), Some(k)) => Some(ec::EcIdentity::new(
                OwnChain::from_files(c)?,
                ec::key_from_file(k, password.map(str::as_bytes))?,
            )?),
            _ => None,
        };
        let cas = cas_from_files(ca_files)?;
        self.install_ec(own, cas);
        Ok(())
    }

    /// `matrixSslLoadEcKeysMem`: [`Keys::load_ec_keys`] from memory: `cert` our chain
    /// (child first, PEM or DER back to back), `key` the private key (PEM or DER; an
    /// encrypted one needs `password`), `ca` trusted CAs.
    #[cfg_attr(docsrs, doc(cfg(feature = "ecc-core")))]
    // Inlined so that a call naming neither a certificate nor a key (a client loading its
    // CAs) folds to the CA loader: a build that never loads an EC identity from memory then
    // links no EC private key parser (about 1.3 KB of a Cortex-M4 client image).
    #[inline(always)]
    pub fn load_ec_keys_mem(
        &mut self,
        cert: Option<&[u8]>,
        key: Option<&[u8]>,
        password: Option<&[u8]>,
        ca: Option<&[u8]>,
    ) -> Result<(), Error> {
        if cert.is_none() && key.is_none() {
            self.load_ec_cas_mem(ca)
        } else {
            self.load_ec_identity_mem(cert, key, password, ca)
        }
    }

    /// [`Keys::load_ec_keys_mem`] with CAs only (no certificate, no key).
    #[inline(never)]
    fn load_ec_cas_mem(&mut self, ca: Option<&[u8]>) -> Result<(), Error> {
        // `install_ec` without an identity: the CAs are added.
        let cas = cas_from_mem(ca)?;
        append_cas(&mut self.cas, cas);
        Ok(())
    }

    /// [`Keys::load_ec_keys_mem`] with a certificate or a key named.
    #[inline(never)]
    fn load_ec_identity_mem(
        &mut self,
        cert: Option<&[u8]>,
        key: Option<&[u8]>,
        password: Option<&[u8]>,
        ca: Option<&[u8]>,
    ) -> Result<(), Error> {
        self.check_ec_args(cert.is_some(), key.is_some())?;
        let own = match (cert, key) {
            (Some(c), Some(k)) => Some(ec::EcIdentity::new(
                OwnChain::from_bytes(c)?,
                ec::key_from_mem(k, password)?,
            )?),
            _ => None,
        };
        let cas = cas_from_mem(ca)?;
        self.install_ec(own, cas);
        Ok(())
    }

    fn check_ec_args(&self, cert: bool, key: bool) -> Result<(), Error> {
        if cert != key || (cert && self.ec.is_some()) {
            return Err(Error::ArgFail);
        }
        Ok(())
    }

    fn install_ec(&mut self, own: Option<ec::EcIdentity>, cas: Cas) {
        if own.is_some() {
            self.ec = own;
        }
        append_cas(&mut self.cas, cas);
    }

    /// Whether an EC certificate and its private key are loaded (what a server needs for
    /// the ECDHE_ECDSA suites).
    pub fn has_ec_identity(&self) -> bool {
        self.ec.is_some()
    }

    /// The `NamedGroup` of our EC key's curve.
    pub(crate) fn ec_group(&self) -> Option<u16> {
        self.ec.as_ref().map(ec::EcIdentity::group)
    }

    /// The EC identity's chain (DER, child first) and signer.
    fn ec_identity(&self) -> Option<(Vec<Vec<u8>>, Signer<'_>)> {
        self.ec
            .as_ref()
            .map(|id| (id.chain.der_list(), Signer::Ec(&id.key)))
    }

    /// The EC identity's chain, borrowed.
    fn ec_identity_ders(&self) -> Option<Vec<&[u8]>> {
        self.ec.as_ref().map(|id| id.chain.ders())
    }
}

/// Without `ecc`: EC material cannot be loaded.
#[cfg(not(feature = "ecc-core"))]
impl Keys {
    /// `matrixSslLoadEcKeys`: `PS_UNSUPPORTED_FAIL`, this build has no `ecc`.
    #[cfg(feature = "file-system")]
    pub fn load_ec_keys(
        &mut self,
        _cert_files: Option<&str>,
        _priv_key_file: Option<&str>,
        _password: Option<&str>,
        _ca_files: Option<&str>,
    ) -> Result<(), Error> {
        Err(no_ecc())
    }

    /// `matrixSslLoadEcKeysMem`: `PS_UNSUPPORTED_FAIL`, this build has no `ecc`.
    pub fn load_ec_keys_mem(
        &mut self,
        _cert: Option<&[u8]>,
        _key: Option<&[u8]>,
        _password: Option<&[u8]>,
        _ca: Option<&[u8]>,
    ) -> Result<(), Error> {
        Err(no_ecc())
    }

    /// Whether an EC identity is loaded: never without `ecc`.
    pub fn has_ec_identity(&self) -> bool {
        false
    }

    /// No EC key, no group.
    pub(crate) fn ec_group(&self) -> Option<u16> {
        None
    }

    fn ec_identity(&self) -> Option<(Vec<Vec<u8>>, Signer<'_>)> {
        None
    }

    fn ec_identity_ders(&self) -> Option<Vec<&[u8]>> {
        None
    }
}

#[cfg(not(feature = "ecc-core"))]
fn no_ecc() -> Error {
    matrix_core::ps_error!(
        Error::UnsupportedFail,
        "built without ecc: cannot load EC keys"
    )
}

/// Which identity signs for what (both roles).
impl Keys {
    /// The DER certificates our Certificate message lists (RFC 5246 section 7.4.2), child
    /// first, borrowed: the EC identity's chain (`ec`, for ECDHE_ECDSA) or the RSA one's.
    /// `None` when no such identity is loaded. matrix-dtls names this chain in the flight
    /// it keeps for retransmission instead of holding a copy of the message.
    pub fn certificate_list_der(&self, ec: bool) -> Option<Vec<&[u8]>> {
        if ec {
            self.ec_identity_ders()
        } else {
            self.chain.as_ref().map(OwnChain::ders)
        }
    }

    /// The RSA identity's chain and signer.
    fn rsa_identity(&self) -> Option<(Vec<Vec<u8>>, Signer<'_>)> {
        match (&self.chain, &self.private_key) {
            (Some(chain), Some(key)) => Some((chain.der_list(), Signer::Rsa(key))),
            _ => None,
        }
    }

    /// A server's chain and signer for a suite's key exchange: the EC identity for
    /// ECDHE_ECDSA, the RSA one for every other suite a certificate authenticates.
    pub(crate) fn identity_for(&self, kx: KeyExchange) -> Option<(Vec<Vec<u8>>, Signer<'_>)> {
        match kx {
            KeyExchange::EcdheEcdsa => self.ec_identity(),
            _ => self.rsa_identity(),
        }
    }

    /// The signer of [`Self::identity_for`].
    #[cfg_attr(
        not(all(feature = "ecc-core", feature = "server-side-ssl")),
        allow(dead_code, reason = "only a server signs an ECDHE ServerKeyExchange")
    )]
    pub(crate) fn signer_for(&self, kx: KeyExchange) -> Option<Signer<'_>> {
        self.identity_for(kx).map(|(_, s)| s)
    }

    /// A client's chain and signer for a CertificateRequest listing `types` and (TLS 1.2)
    /// `sig_ok` telling whether the server accepts a signature of a kind: an EC identity
    /// for ecdsa_sign, else an RSA one for rsa_sign.
    #[cfg_attr(
        not(feature = "client-side-ssl"),
        allow(dead_code, reason = "only a client answers a CertificateRequest")
    )]
    pub(crate) fn client_identity(
        &self,
        types: &[ClientCertificateType],
        sig_ok: impl Fn(SigKind) -> bool,
    ) -> Option<(Vec<Vec<u8>>, Signer<'_>)> {
        let ec = self.ec_identity().filter(|_| {
            types.contains(&ClientCertificateType::EcdsaSign) && sig_ok(SigKind::Ecdsa)
        });
        ec.or_else(|| {
            self.rsa_identity()
                .filter(|_| types.contains(&ClientCertificateType::RsaSign) && sig_ok(SigKind::Rsa))
        })
    }
}

/// Adds CAs to those loaded.
#[cfg(all(feature = "ecc-core", feature = "cert-parse"))]
fn append_cas(cas: &mut Cas, mut more: Cas) {
    // `append`, not `extend`: the same move of the values, without the by-value
    // iterator's `spec_extend` instance (about 80 B of an EC client's image).
    cas.append(&mut more);
}

/// Without the parser there are no CAs to add.
#[cfg(all(feature = "ecc-core", not(feature = "cert-parse")))]
fn append_cas(_cas: &mut Cas, _more: Cas) {}

/// The chain and key of a PKCS#12 file.
#[cfg_attr(
    not(feature = "pkcs12"),
    allow(dead_code, reason = "without pkcs12 no file is read")
)]
#[allow(
    clippy::large_enum_variant,
    reason = "one value per load, moved into `Keys` at once"
)]
enum P12Identity {
    /// An RSA key and its chain.
    Rsa(OwnChain, RsaPrivateKey),
    /// An EC key and its chain.
    #[cfg(feature = "ecc-core")]
    Ec(OwnChain, matrix_crypto::ec::EcPrivateKey),
}

/// The chain and key of a PKCS#12 file.
#[cfg(feature = "pkcs12")]
fn pkcs12_identity(data: &[u8], import_pass: &[u8], mac_pass: &[u8]) -> Result<P12Identity, Error> {
    let text = |p: &[u8]| {
        core::str::from_utf8(p)
            .map(str::to_owned)
            .map_err(|_| Error::ArgFail)
    };
    let (import_pass, mac_pass) = (
        Zeroizing::new(text(import_pass)?),
        Zeroizing::new(text(mac_pass)?),
    );
    let mut p12 =
        matrix_x509::pkcs12::Pkcs12::from_der_with_mac_password(data, &import_pass, &mac_pass)?;
    if p12.certs.is_empty() {
        return Err(Error::ArgFail);
    }
    let der: Vec<u8> = p12
        .certs
        .iter()
        .flat_map(|c| c.der.iter().copied())
        .collect();
    let chain = OwnChain::from_bytes(&der)?;
    match pkcs12_rsa_key(&mut p12) {
        Some(key) => Ok(P12Identity::Rsa(chain, key)),
        None => pkcs12_ec_identity(p12, chain),
    }
}

/// The RSA key of a PKCS#12 file, if it had one.
#[cfg(all(feature = "pkcs12", feature = "private-key-parsing"))]
fn pkcs12_rsa_key(p12: &mut matrix_x509::pkcs12::Pkcs12) -> Option<RsaPrivateKey> {
    p12.key.take()
}

/// Without `private-key-parsing` no RSA key is taken from a file (matrix-x509 refuses one
/// while reading it, unless another crate turned its key parser on).
#[cfg(all(feature = "pkcs12", not(feature = "private-key-parsing")))]
fn pkcs12_rsa_key(_p12: &mut matrix_x509::pkcs12::Pkcs12) -> Option<RsaPrivateKey> {
    None
}

/// The identity of a PKCS#12 file without an RSA key: its EC key, if any.
#[cfg(all(feature = "pkcs12", feature = "ecc-core"))]
fn pkcs12_ec_identity(
    p12: matrix_x509::pkcs12::Pkcs12,
    chain: OwnChain,
) -> Result<P12Identity, Error> {
    let key = p12.ec_key.ok_or(Error::ArgFail)?;
    Ok(P12Identity::Ec(chain, key))
}

/// Without `ecc` a PKCS#12 file without an RSA key has no key this build can use (an EC
/// key was refused while reading it).
#[cfg(all(feature = "pkcs12", not(feature = "ecc-core")))]
fn pkcs12_ec_identity(
    _p12: matrix_x509::pkcs12::Pkcs12,
    _chain: OwnChain,
) -> Result<P12Identity, Error> {
    Err(Error::ArgFail)
}

/// Without the `pkcs12` feature no PKCS#12 file can be read.
#[cfg(not(feature = "pkcs12"))]
fn pkcs12_identity(
    _data: &[u8],
    _import_pass: &[u8],
    _mac_pass: &[u8],
) -> Result<P12Identity, Error> {
    Err(matrix_core::ps_error!(
        Error::UnsupportedFail,
        "built without pkcs12: cannot read a PKCS#12 file"
    ))
}

/// A private key from a PEM or DER key file (PKCS#1, PKCS#8, encrypted).
#[cfg(all(feature = "file-system", feature = "private-key-parsing"))]
fn key_from_file(path: &str, password: Option<&[u8]>) -> Result<RsaPrivateKey, Error> {
    matrix_x509::key::load_rsa_private_key_file(path, password)
}

/// Without the key parser a key file cannot be read.
#[cfg(all(feature = "file-system", not(feature = "private-key-parsing")))]
fn key_from_file(path: &str, _password: Option<&[u8]>) -> Result<RsaPrivateKey, Error> {
    Err(matrix_core::ps_error!(
        Error::UnsupportedFail,
        "cannot read key file {path}: built without private-key-parsing"
    ))
}

/// A private key from PEM or DER bytes.
#[cfg(feature = "private-key-parsing")]
fn key_from_mem(data: &[u8]) -> Result<RsaPrivateKey, Error> {
    matrix_x509::key::load_rsa_private_key(data, None)
}

/// Without the key parser a key cannot be read.
#[cfg(not(feature = "private-key-parsing"))]
fn key_from_mem(_data: &[u8]) -> Result<RsaPrivateKey, Error> {
    Err(matrix_core::ps_error!(
        Error::UnsupportedFail,
        "built without private-key-parsing: load the key's components"
    ))
}

/// Trusted CAs from a `;`-separated file list, if given.
#[cfg(all(
    feature = "file-system",
    all(feature = "cert-parse", feature = "certificates")
))]
fn cas_from_files(list: Option<&str>) -> Result<Cas, Error> {
    match list {
        Some(l) => Ok(owned_cas(CertChain::from_files(l)?)),
        None => Ok(Cas::new()),
    }
}

/// Without the certificate parser no CA can be loaded.
#[cfg(all(
    feature = "file-system",
    not(all(feature = "cert-parse", feature = "certificates"))
))]
fn cas_from_files(list: Option<&str>) -> Result<Cas, Error> {
    match list {
        Some(l) => Err(matrix_core::ps_error!(
            Error::UnsupportedFail,
            "cannot load CA files {l}: built without cert-parse"
        )),
        None => Ok(Cas),
    }
}

/// The certificates of a parsed chain as the trusted CAs: moved out, not cloned (a clone
/// of every certificate field is code a firmware need not carry), the list trimmed to its
/// length.
#[cfg(all(feature = "cert-parse", feature = "certificates"))]
fn owned_cas(chain: CertChain) -> Cas {
    let mut cas = chain.into_certs();
    cas.shrink_to_fit();
    cas
}

/// Trusted CAs from PEM or concatenated DER, if given.
#[cfg(all(feature = "cert-parse", feature = "certificates"))]
fn cas_from_mem(data: Option<&[u8]>) -> Result<Cas, Error> {
    match data {
        Some(d) => Ok(owned_cas(CertChain::from_bytes(d)?)),
        None => Ok(Cas::new()),
    }
}

/// Without the certificate parser no CA can be loaded.
#[cfg(not(all(feature = "cert-parse", feature = "certificates")))]
fn cas_from_mem(data: Option<&[u8]>) -> Result<Cas, Error> {
    match data {
        Some(_) => Err(matrix_core::ps_error!(
            Error::UnsupportedFail,
            "cannot load CAs: built without cert-parse"
        )),
        None => Ok(Cas),
    }
}

/// How many CAs are loaded (for `Debug`).
#[cfg(all(feature = "cert-parse", feature = "certificates"))]
fn ca_count(cas: &Cas) -> usize {
    cas.len()
}

/// How many CAs are loaded: none without the parser.
#[cfg(not(all(feature = "cert-parse", feature = "certificates")))]
fn ca_count(_: &Cas) -> usize {
    0
}
