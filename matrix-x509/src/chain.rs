//! Certificate chains: parsed child-to-parent from PEM (one or many certificates per file),
//! from concatenated DER, or (feature `file-system`) from a `;`-separated list of files, as
//! `matrixSslLoadRsaKeys` takes them.

use alloc::vec::Vec;

use matrix_core::Error;

use crate::cert::X509Cert;
use crate::der::Der;
use crate::pem;

/// A certificate chain, first the end entity, then each issuer in turn.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CertChain {
    certs: Vec<X509Cert>,
}

impl CertChain {
    /// The heap bytes the chain holds: its certificates and what each holds.
    pub fn heap_bytes(&self) -> usize {
        let mut total = crate::heap::bytes(&self.certs);
        for c in &self.certs {
            total += c.heap_bytes();
        }
        total
    }

    /// A chain of the given certificates (child first).
    pub fn new(certs: Vec<X509Cert>) -> Self {
        CertChain { certs }
    }

    /// Every `CERTIFICATE` block of a PEM text, in order. No certificate is `PS_PARSE_FAIL`.
    #[cfg(feature = "pem-decode")]
    #[cfg_attr(docsrs, doc(cfg(feature = "pem-decode")))]
    pub fn from_pem(text: &str) -> Result<Self, Error> {
        let certs = pem::parse_label(text, "CERTIFICATE")?
            .iter()
            .map(|b| X509Cert::from_der(&b.der))
            .collect::<Result<Vec<_>, _>>()?;
        Self::non_empty(certs)
    }

    /// One or more DER certificates back to back.
    pub fn from_der(mut der: &[u8]) -> Result<Self, Error> {
        let mut certs = Vec::new();
        while !der.is_empty() {
            let mut d = Der::new(der);
            let one = d.read_any()?.raw;
            // Refused before the copy, as `X509Cert::from_der` does.
            if one.len() > crate::cert::MAX_CERT_SIZE {
                return Err(Error::LimitFail);
            }
            X509Cert::parse_into(&mut certs, one.to_vec())?;
            der = d.rest();
        }
        Self::non_empty(certs)
    }

    /// PEM or DER, whichever `data` holds. PEM in a build without `pem-decode` is
    /// `PS_UNSUPPORTED_FAIL`.
    pub fn from_bytes(data: &[u8]) -> Result<Self, Error> {
        if pem::is_pem(data) {
            Self::from_pem_bytes(data)
        } else {
            Self::from_der(data)
        }
    }

    #[cfg(feature = "pem-decode")]
    fn from_pem_bytes(data: &[u8]) -> Result<Self, Error> {
        Self::from_pem(core::str::from_utf8(data).map_err(|_| Error::ParseFail)?)
    }

    #[cfg(not(feature = "pem-decode"))]
    fn from_pem_bytes(_: &[u8]) -> Result<Self, Error> {
        Err(pem::refused())
    }

    /// The certificates of every file in a `;`-separated list, in order (PEM or DER each).
    /// A file that cannot be read is `PS_PLATFORM_FAIL`.
    #[cfg(feature = "file-system")]
    #[cfg_attr(docsrs, doc(cfg(feature = "file-system")))]
    pub fn from_files(list: &str) -> Result<Self, Error> {
        let mut certs = Vec::new();
        for path in list.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let data = std::fs::read(path).map_err(|e| {
                matrix_core::ps_error!(Error::PlatformFail, "cannot read {path}: {e}")
            })?;
            let chain = Self::from_bytes(&data).map_err(|e| {
                matrix_core::ps_error!(e, "no certificate could be parsed from {path}")
            })?;
            certs.extend(chain.certs);
        }
        Self::non_empty(certs)
    }

    fn non_empty(certs: Vec<X509Cert>) -> Result<Self, Error> {
        if certs.is_empty() {
            Err(Error::ParseFail)
        } else {
            Ok(CertChain { certs })
        }
    }

    /// The certificates, child first.
    pub fn certs(&self) -> &[X509Cert] {
        &self.certs
    }

    /// The certificates, moved out of the chain (no copy).
    pub fn into_certs(self) -> Vec<X509Cert> {
        self.certs
    }

    /// The certificates, writable (authentication sets their `auth_status`).
    pub fn certs_mut(&mut self) -> &mut [X509Cert] {
        &mut self.certs
    }

    /// The end-entity certificate.
    pub fn leaf(&self) -> Option<&X509Cert> {
        self.certs.first()
    }

    /// The number of certificates.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    /// Whether the chain is empty.
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }

    /// Appends the certificates of `other`.
    pub fn extend(&mut self, mut other: CertChain) {
        // `append` moves the certificates with one copy (`extend` from the vector's
        // iterator instantiates its own path for the certificate type).
        self.certs.append(&mut other.certs);
    }
}
