//! Diffie-Hellman parameters (`matrixSslLoadDhParams`): PKCS#3 `DHParameter`
//! (`SEQUENCE { prime, base, privateValueLength OPTIONAL }`) in DER or PEM
//! (`-----BEGIN DH PARAMETERS-----`, with `pem-decode`), as `openssl dhparam` writes them.

use alloc::vec::Vec;

use matrix_core::Error;

use crate::der::Der;
use crate::pem;

/// DH group parameters: the prime `p` and generator `g`, big-endian.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DhParams {
    /// The prime modulus.
    pub p: Vec<u8>,
    /// The generator.
    pub g: Vec<u8>,
}

impl DhParams {
    /// Parses a DER `DHParameter`.
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        let mut outer = Der::new(der);
        let mut seq = outer.sequence()?;
        outer.finish()?;
        let p = seq.unsigned_integer()?.to_vec();
        let g = seq.unsigned_integer()?.to_vec();
        if !seq.is_empty() {
            let _private_value_length = seq.small_uint()?;
        }
        seq.finish()?;
        if p.is_empty() || g.is_empty() {
            return Err(Error::ParseFail);
        }
        Ok(DhParams { p, g })
    }

    /// Parses PEM (`DH PARAMETERS`) or DER. PEM in a build without `pem-decode` is
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
        let block = pem::parse_label_bytes(data, "DH PARAMETERS")?
            .into_iter()
            .next()
            .ok_or(Error::ParseFail)?;
        Self::from_der(&block.der)
    }

    #[cfg(not(feature = "pem-decode"))]
    fn from_pem_bytes(_: &[u8]) -> Result<Self, Error> {
        Err(pem::refused())
    }
}
