//! Our own certificate chain (a server's, or a client's doing client authentication), as
//! the Certificate message of RFC 2246 section 7.4.2 / 7.4.6 sends it: child first.
//!
//! With `cert-parse` the chain is parsed, each link's signature is checked and the key must
//! be the leaf's, as `matrixSslLoadRsaKeys` does. Without it (a server that never parses a
//! certificate) the chain is kept as opaque DER: each certificate must be one DER SEQUENCE,
//! and the leaf must contain the key's public half, encoded as the `RSAPublicKey` that a
//! certificate's subjectPublicKeyInfo carries (RFC 3279 section 2.3.1) - a byte search, not
//! a parse. Not checked without the parser: the chain's signatures and that the match lies
//! inside the subjectPublicKeyInfo.

use alloc::vec::Vec;

use crate::rsa::RsaPrivateKey;
use matrix_core::Error;
#[cfg(all(feature = "cert-parse", feature = "certificates"))]
use matrix_x509::{CertChain, PublicKey};
#[cfg(not(all(feature = "cert-parse", feature = "certificates")))]
use matrix_x509::{der, pem};

/// The most a Certificate message's certificate_list can hold (a 3-byte length).
#[cfg(not(all(feature = "cert-parse", feature = "certificates")))]
const MAX_LIST: usize = 0xFF_FFFF;

/// Our chain, child first: parsed.
#[cfg(all(feature = "cert-parse", feature = "certificates"))]
pub(crate) struct OwnChain(CertChain);

/// Our chain, child first: each certificate's DER, unparsed.
#[cfg(not(all(feature = "cert-parse", feature = "certificates")))]
pub(crate) struct OwnChain(Vec<Vec<u8>>);

#[cfg(all(feature = "cert-parse", feature = "certificates"))]
impl OwnChain {
    /// PEM (`CERTIFICATE` blocks) or DER certificates back to back; `PS_PARSE_FAIL` for
    /// none or a certificate that does not parse.
    pub(crate) fn from_bytes(data: &[u8]) -> Result<Self, Error> {
        CertChain::from_bytes(data).map(OwnChain)
    }

    /// Appends the certificates of `other`.
    #[cfg(feature = "file-system")]
    fn extend(&mut self, other: OwnChain) {
        self.0.extend(other.0);
    }

    /// The certificates' DER, child first.
    pub(crate) fn der_list(&self) -> Vec<Vec<u8>> {
        self.0.certs().iter().map(|c| c.der.clone()).collect()
    }

    /// The certificates' DER, child first, borrowed.
    pub(crate) fn ders(&self) -> Vec<&[u8]> {
        self.0.certs().iter().map(|c| c.der.as_slice()).collect()
    }

    /// The number of certificates.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// The parsed chain.
    pub(crate) fn parsed(&self) -> &CertChain {
        &self.0
    }

    /// Each certificate must be signed by the next one, and the key must be the leaf's
    /// (`PS_CERT_AUTH_FAIL`): a server that sent a mismatched pair would fail every
    /// handshake at Finished.
    pub(crate) fn check_key(&self, key: &RsaPrivateKey) -> Result<(), Error> {
        self.check_links()?;
        let leaf = self.0.leaf().ok_or(Error::ParseFail)?;
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

    /// Each certificate must be signed by the next one (`PS_CERT_AUTH_FAIL`).
    fn check_links(&self) -> Result<(), Error> {
        for pair in self.0.certs().windows(2) {
            if let [child, parent] = pair
                && !matrix_x509::verify_signature(child, parent)
            {
                return Err(Error::CertAuthFail);
            }
        }
        Ok(())
    }

    /// [`Self::check_key`] for an EC key: the leaf's key must be the same point on the
    /// same curve.
    #[cfg(feature = "ecc-core")]
    pub(crate) fn check_ec_key(&self, key: &matrix_crypto::ec::EcPrivateKey) -> Result<(), Error> {
        self.check_links()?;
        let leaf = self.0.leaf().ok_or(Error::ParseFail)?;
        match &leaf.public_key {
            PublicKey::Ec { curve, point } => {
                let ours = key.public_key();
                if *curve == ours.curve() && *point == ours.to_sec1() {
                    Ok(())
                } else {
                    Err(Error::CertAuthFail)
                }
            }
            _ => Err(Error::CertAuthFail),
        }
    }
}

/// The `CERTIFICATE` blocks of PEM text, each one whole DER SEQUENCE.
#[cfg(all(
    not(all(feature = "cert-parse", feature = "certificates")),
    feature = "pem-decode"
))]
fn pem_certificates(data: &[u8]) -> Result<Vec<Vec<u8>>, Error> {
    let mut certs = Vec::new();
    for block in pem::parse_label_bytes(data, "CERTIFICATE")? {
        der_certificate(&block.der)?;
        certs.push(block.der.clone());
    }
    Ok(certs)
}

/// PEM without `pem-decode`: `PS_UNSUPPORTED_FAIL`.
#[cfg(all(
    not(all(feature = "cert-parse", feature = "certificates")),
    not(feature = "pem-decode")
))]
fn pem_certificates(_: &[u8]) -> Result<Vec<Vec<u8>>, Error> {
    Err(pem::refused())
}

#[cfg(not(all(feature = "cert-parse", feature = "certificates")))]
impl OwnChain {
    /// PEM (`CERTIFICATE` blocks; `PS_UNSUPPORTED_FAIL` without `pem-decode`) or DER
    /// certificates back to back, each kept as it is; `PS_PARSE_FAIL` for none, bad PEM, or an element that is not one whole DER
    /// SEQUENCE; `PS_LIMIT_FAIL` for more than a Certificate message can carry.
    pub(crate) fn from_bytes(data: &[u8]) -> Result<Self, Error> {
        let certs = if pem::is_pem(data) {
            pem_certificates(data)?
        } else {
            let mut certs = Vec::new();
            let mut rest = data;
            while !rest.is_empty() {
                let mut d = der::Der::new(rest);
                let one = d.read_tlv(der::tag::SEQUENCE)?.raw;
                certs.push(one.to_vec());
                rest = d.rest();
            }
            certs
        };
        let total: usize = certs.iter().map(|c| c.len() + 3).sum();
        if certs.is_empty() {
            return Err(Error::ParseFail);
        }
        if total > MAX_LIST {
            return Err(Error::LimitFail);
        }
        Ok(OwnChain(certs))
    }

    /// Appends the certificates of `other`.
    #[cfg(feature = "file-system")]
    fn extend(&mut self, other: OwnChain) {
        self.0.extend(other.0);
    }

    /// The certificates' DER, child first.
    pub(crate) fn der_list(&self) -> Vec<Vec<u8>> {
        self.0.clone()
    }

    /// The certificates' DER, child first, borrowed.
    pub(crate) fn ders(&self) -> Vec<&[u8]> {
        self.0.iter().map(Vec::as_slice).collect()
    }

    /// The number of certificates.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// The leaf must contain the key's `RSAPublicKey` encoding (`PS_CERT_AUTH_FAIL`
    /// otherwise): DER is canonical, so the leaf's subjectPublicKeyInfo holds exactly
    /// these bytes when the key is the leaf's.
    pub(crate) fn check_key(&self, key: &RsaPrivateKey) -> Result<(), Error> {
        let leaf = self.0.first().ok_or(Error::ParseFail)?;
        let pk = key.public_key();
        let mut body = der_integer(pk.n());
        body.extend_from_slice(&der_integer(pk.e()));
        let mut spk = Vec::with_capacity(body.len() + 6);
        spk.push(der::tag::SEQUENCE);
        push_len(&mut spk, body.len());
        spk.extend_from_slice(&body);
        if leaf.windows(spk.len()).any(|w| w == spk.as_slice()) {
            Ok(())
        } else {
            Err(Error::CertAuthFail)
        }
    }
}

#[cfg(all(feature = "ecc-core", not(feature = "cert-parse")))]
impl OwnChain {
    /// Without the parser: the leaf must contain the key's uncompressed point (the
    /// subjectPublicKey of RFC 5480 section 2.2), a byte search as for RSA keys.
    pub(crate) fn check_ec_key(&self, key: &matrix_crypto::ec::EcPrivateKey) -> Result<(), Error> {
        let leaf = self.0.first().ok_or(Error::ParseFail)?;
        let point = key.public_key().to_sec1();
        if leaf.windows(point.len()).any(|w| w == point.as_slice()) {
            Ok(())
        } else {
            Err(Error::CertAuthFail)
        }
    }
}

/// `der` must be exactly one DER SEQUENCE.
#[cfg(all(
    not(all(feature = "cert-parse", feature = "certificates")),
    feature = "pem-decode"
))]
fn der_certificate(data: &[u8]) -> Result<(), Error> {
    let mut d = der::Der::new(data);
    d.read(der::tag::SEQUENCE)?;
    d.finish()
}

/// The DER INTEGER of an unsigned big-endian number.
#[cfg(not(all(feature = "cert-parse", feature = "certificates")))]
fn der_integer(be: &[u8]) -> Vec<u8> {
    let v = strip(be);
    let pad = v.first().is_none_or(|&b| b & 0x80 != 0);
    let len = v.len() + usize::from(pad);
    let mut out = Vec::with_capacity(len + 6);
    out.push(der::tag::INTEGER);
    push_len(&mut out, len);
    if pad {
        out.push(0);
    }
    out.extend_from_slice(v);
    out
}

/// A DER definite length.
#[cfg(not(all(feature = "cert-parse", feature = "certificates")))]
fn push_len(out: &mut Vec<u8>, len: usize) {
    if let Ok(short @ 0..=0x7F) = u8::try_from(len) {
        out.push(short);
        return;
    }
    let bytes = len.to_be_bytes();
    let significant = strip(&bytes);
    // At most size_of::<usize>() bytes, so the count fits the low seven bits.
    out.push(0x80 | u8::try_from(significant.len()).unwrap_or(0x7F));
    out.extend_from_slice(significant);
}

impl OwnChain {
    /// The certificates of every file of a `;`-separated list, in order (PEM or DER each):
    /// `PS_PLATFORM_FAIL` for a file that cannot be read.
    #[cfg(feature = "file-system")]
    pub(crate) fn from_files(list: &str) -> Result<Self, Error> {
        let mut chain: Option<OwnChain> = None;
        for path in list.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let data = std::fs::read(path).map_err(|e| {
                matrix_core::ps_error!(Error::PlatformFail, "cannot read {path}: {e}")
            })?;
            let more = Self::from_bytes(&data).map_err(|e| {
                matrix_core::ps_error!(e, "no certificate could be read from {path}")
            })?;
            match &mut chain {
                Some(c) => c.extend(more),
                None => chain = Some(more),
            }
        }
        chain.ok_or(Error::ParseFail)
    }
}

/// `b` without its leading zero bytes.
fn strip(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|&x| x != 0).unwrap_or(b.len());
    b.get(start..).unwrap_or_default()
}
