//! The running hashes of the handshake messages (RFC 2246 section 7.4.9, RFC 5246 sections
//! 7.4.8 and 7.4.9): MD5 and SHA-1 in builds with SSL 3.0 or TLS 1.0/1.1 (their Finished,
//! CertificateVerify and extended master secret, TLS 1.2's SHA-1 signatures), and with
//! `tls-1-2` SHA-256 and, where compiled in, SHA-384 and SHA-512 too, so that the PRF hash
//! and the signature hash, which are known only after the ServerHello or the
//! CertificateRequest, can be taken without keeping the messages: bounded memory whatever
//! the handshake's length. A TLS-1.2-only build keeps no MD5 or SHA-1 of the messages; it
//! signs ecdsa_sha1 / rsa_pkcs1_sha1 only when SHA-1 is compiled in, from the TLS 1.2
//! hashes.
//!
//! The SSL 3.0 and TLS 1.0/1.1 computations over MD5 || SHA-1 live here too
//! ([`Transcript::legacy_finished`] and the like), so that the handshake asks for them
//! without naming the MD5 || SHA-1 hash a TLS-1.2-only build does not have.

use alloc::vec::Vec;

use matrix_crypto::alg::HashAlgorithm;
#[cfg(any(feature = "ssl3", feature = "tls"))]
use matrix_crypto::hash::{Hash, Md5Sha1};
use matrix_crypto::prf::{MasterSecret, Sender};

/// Every hash of the handshake so far.
#[derive(Clone)]
pub(crate) struct Transcript {
    legacy: LegacyHashes,
    tls12: Tls12Hashes,
}

impl Transcript {
    /// A new transcript; the TLS 1.2 hashes are kept only when `tls12` (the context may
    /// negotiate TLS 1.2): a TLS 1.1 or DTLS 1.0 context does not carry them (about 900
    /// bytes per handshake).
    pub(crate) fn new(tls12: bool) -> Self {
        Transcript {
            legacy: LegacyHashes::new(),
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

    /// The digest of the messages so far with `alg`; `None` for a hash this build does not
    /// keep (SHA-256/384/512 without `tls-1-2`, MD5 and SHA-1 without the versions that
    /// keep them unless compiled in for TLS 1.2, MD5 alone).
    pub(crate) fn digest(&self, alg: HashAlgorithm) -> Option<Vec<u8>> {
        self.legacy.digest(alg).or_else(|| self.tls12.digest(alg))
    }

    /// The SSL 3.0 (`ssl3`) or TLS 1.0/1.1 Finished verify_data of `sender` (RFC 6101
    /// section 5.6.9, RFC 2246 section 7.4.9); `None` in a build without those versions.
    pub(crate) fn legacy_finished(
        &self,
        ssl3: bool,
        master: &MasterSecret,
        sender: Sender,
    ) -> Option<Vec<u8>> {
        self.legacy.finished(ssl3, master, sender)
    }

    /// What an SSL 3.0 (`ssl3`, over `master`) or TLS 1.0/1.1 CertificateVerify signs
    /// (RFC 6101 section 5.6.8, RFC 2246 section 7.4.8); `None` in a build without those
    /// versions, or for SSL 3.0 without a master secret.
    pub(crate) fn legacy_certificate_verify_hash(
        &self,
        ssl3: bool,
        master: Option<&MasterSecret>,
    ) -> Option<Vec<u8>> {
        self.legacy.certificate_verify_hash(ssl3, master)
    }

    /// RFC 7627's extended master secret in TLS 1.0/1.1: the PRF over the session hash
    /// MD5 || SHA-1 of the messages; `None` in a build without those versions.
    pub(crate) fn legacy_extended_master(&self, pms: &[u8]) -> Option<MasterSecret> {
        self.legacy.extended_master(pms)
    }
}

/// MD5 and SHA-1 of the messages, for SSL 3.0 and TLS 1.0/1.1.
#[cfg(any(feature = "ssl3", feature = "tls"))]
#[derive(Clone)]
struct LegacyHashes(Md5Sha1);

#[cfg(any(feature = "ssl3", feature = "tls"))]
impl LegacyHashes {
    fn new() -> Self {
        LegacyHashes(Md5Sha1::new())
    }

    fn update(&mut self, msg: &[u8]) {
        self.0.update(msg);
    }

    fn digest(&self, alg: HashAlgorithm) -> Option<Vec<u8>> {
        match alg {
            HashAlgorithm::Md5Sha1 => Some(self.0.clone().finalize().to_vec()),
            HashAlgorithm::Sha1 => Some(self.0.sha1().clone().finalize().to_vec()),
            _ => None,
        }
    }

    fn finished(&self, ssl3: bool, master: &MasterSecret, sender: Sender) -> Option<Vec<u8>> {
        use matrix_crypto::prf;
        Some(if ssl3 {
            prf::ssl3_finished(master, sender, &self.0).to_vec()
        } else {
            prf::tls_finished(master, sender, &self.0).to_vec()
        })
    }

    fn certificate_verify_hash(
        &self,
        ssl3: bool,
        master: Option<&MasterSecret>,
    ) -> Option<Vec<u8>> {
        use matrix_crypto::prf;
        if ssl3 {
            master.map(|m| prf::ssl3_certificate_verify_hash(m, &self.0).to_vec())
        } else {
            Some(prf::tls_certificate_verify_hash(&self.0).to_vec())
        }
    }

    fn extended_master(&self, pms: &[u8]) -> Option<MasterSecret> {
        use matrix_crypto::prf;
        let session_hash = self.0.clone().finalize();
        let mut ms = MasterSecret::new([0; prf::MASTER_SECRET_LEN]);
        prf::tls_prf(pms, b"extended master secret", &session_hash, &mut ms[..]);
        Some(ms)
    }
}

/// A TLS-1.2-only build (`tls-1-2` without `ssl3` or `tls`) keeps no MD5 or SHA-1 of the
/// messages: none of its handshakes can need them.
#[cfg(not(any(feature = "ssl3", feature = "tls")))]
#[derive(Clone)]
struct LegacyHashes;

#[cfg(not(any(feature = "ssl3", feature = "tls")))]
impl LegacyHashes {
    fn new() -> Self {
        LegacyHashes
    }

    fn update(&mut self, _msg: &[u8]) {}

    fn digest(&self, _alg: HashAlgorithm) -> Option<Vec<u8>> {
        None
    }

    fn finished(&self, _ssl3: bool, _master: &MasterSecret, _sender: Sender) -> Option<Vec<u8>> {
        None
    }

    fn certificate_verify_hash(
        &self,
        _ssl3: bool,
        _master: Option<&MasterSecret>,
    ) -> Option<Vec<u8>> {
        None
    }

    fn extended_master(&self, _pms: &[u8]) -> Option<MasterSecret> {
        None
    }
}

/// The hashes TLS 1.2 may need beside the legacy ones, those not compiled in skipped:
/// SHA-256 (the PRF), SHA-384 (its suites' PRF, signatures), SHA-512 (signatures).
#[cfg(all(feature = "tls-1-2", any(feature = "ssl3", feature = "tls")))]
const TLS12_HASHES: &[HashAlgorithm] = &[
    HashAlgorithm::Sha256,
    HashAlgorithm::Sha384,
    HashAlgorithm::Sha512,
];

/// As above, and SHA-1 for the SHA-1 signature pairs, which the legacy hashes keep in the
/// other builds: a TLS-1.2-only build with SHA-1 compiled in for another reason.
#[cfg(all(feature = "tls-1-2", not(any(feature = "ssl3", feature = "tls"))))]
const TLS12_HASHES: &[HashAlgorithm] = &[
    HashAlgorithm::Sha256,
    HashAlgorithm::Sha384,
    HashAlgorithm::Sha512,
    HashAlgorithm::Sha1,
];

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
        // A plain loop: the iterator chain's collect and extend instances cost about 180 B
        // of a small image. Same capacity as the collect (Vec's first growth).
        let mut hashes = Vec::new();
        for &alg in TLS12_HASHES {
            if !alg.is_compiled() {
                continue;
            }
            if let Ok(h) = HashContext::new(alg) {
                hashes.push(h);
            }
        }
        Tls12Hashes(hashes)
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
