//! The running hashes of the handshake messages (RFC 2246 section 7.4.9, RFC 5246 sections
//! 7.4.8 and 7.4.9): MD5 and SHA-1 always (SSL 3.0 and TLS 1.0/1.1 Finished and
//! CertificateVerify, TLS 1.2's SHA-1 signatures), and with `tls-1-2` SHA-256, SHA-384 and
//! SHA-512 too, so that the PRF hash and the signature hash, which are known only after the
//! ServerHello or the CertificateRequest, can be taken without keeping the messages:
//! bounded memory whatever the handshake's length.

use alloc::vec::Vec;

use matrix_crypto::alg::HashAlgorithm;
use matrix_crypto::hash::{Hash, Md5Sha1};

/// Every hash of the handshake so far.
#[derive(Clone)]
pub(crate) struct Transcript {
    legacy: Md5Sha1,
    tls12: Tls12Hashes,
}

impl Transcript {
    /// A new transcript; the TLS 1.2 hashes are kept only when `tls12` (the context may
    /// negotiate TLS 1.2): a TLS 1.1 or DTLS 1.0 context does not carry them (about 900
    /// bytes per handshake).
    pub(crate) fn new(tls12: bool) -> Self {
        Transcript {
            legacy: Md5Sha1::new(),
            tls12: Tls12Hashes::new(tls12),
        }
    }

    /// Absorbs a whole handshake message.
    pub(crate) fn update(&mut self, msg: &[u8]) {
        self.legacy.update(msg);
        self.tls12.update(msg);
    }

    /// The heap bytes the transcript holds (the TLS 1.2 hashes' vector): for
    /// `Session::memory_usage`.
    pub(crate) fn heap_bytes(&self) -> usize {
        self.tls12.heap_bytes()
    }

    /// MD5 and SHA-1 of the messages, as the SSL 3.0 and TLS 1.0/1.1 derivations take them.
    pub(crate) fn legacy(&self) -> &Md5Sha1 {
        &self.legacy
    }

    /// The digest of the messages so far with `alg`; `None` for a hash this build does not
    /// keep (SHA-256/384/512 without `tls-1-2`, or MD5 alone).
    pub(crate) fn digest(&self, alg: HashAlgorithm) -> Option<Vec<u8>> {
        match alg {
            HashAlgorithm::Md5Sha1 => Some(self.legacy.clone().finalize().to_vec()),
            HashAlgorithm::Sha1 => Some(self.legacy.sha1().clone().finalize().to_vec()),
            other => self.tls12.digest(other),
        }
    }
}

/// SHA-256, SHA-384 and SHA-512 of the messages.
#[cfg(feature = "tls-1-2")]
#[derive(Clone)]
struct Tls12Hashes(Vec<matrix_crypto::hash::HashContext>);

#[cfg(feature = "tls-1-2")]
impl Tls12Hashes {
    fn new(keep: bool) -> Self {
        use matrix_crypto::hash::HashContext;
        if !keep {
            return Tls12Hashes(Vec::new());
        }
        Tls12Hashes(
            [
                HashAlgorithm::Sha256,
                HashAlgorithm::Sha384,
                HashAlgorithm::Sha512,
            ]
            .into_iter()
            .filter_map(|a| HashContext::new(a).ok())
            .collect(),
        )
    }

    fn update(&mut self, msg: &[u8]) {
        self.0.iter_mut().for_each(|h| h.update(msg));
    }

    fn heap_bytes(&self) -> usize {
        super::heap::vec_bytes(&self.0)
    }

    fn digest(&self, alg: HashAlgorithm) -> Option<Vec<u8>> {
        self.0
            .iter()
            .find(|h| h.algorithm() == alg)
            .map(|h| h.clone().finalize())
    }
}

/// Without TLS 1.2 nothing needs more than MD5 and SHA-1.
#[cfg(not(feature = "tls-1-2"))]
#[derive(Clone)]
struct Tls12Hashes;

#[cfg(not(feature = "tls-1-2"))]
impl Tls12Hashes {
    fn new(_keep: bool) -> Self {
        Tls12Hashes
    }

    fn update(&mut self, _msg: &[u8]) {}

    fn heap_bytes(&self) -> usize {
        0
    }

    fn digest(&self, _alg: HashAlgorithm) -> Option<Vec<u8>> {
        None
    }
}
