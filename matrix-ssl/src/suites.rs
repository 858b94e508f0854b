//! The cipher-suite table: layer 3 of matrix-ssl (`DESIGN.md`, "Inside matrix-ssl").
//!
//! One [`SuiteInfo`] per cipher suite MatrixSSL 3.2 implements, each behind the Cargo feature
//! of its `USE_<suite>` define, in [`SUITES`] in preference order (strongest first). The
//! table says what the record layer needs (bulk cipher, MAC, key, block and IV sizes) and
//! what the handshake needs (key exchange, and in which protocol versions a suite may be
//! negotiated).
//!
//! Sources: RFC 2246 appendix A.5 and RFC 4346 appendix A.5 (the RSA, DHE_RSA and DH_anon
//! suites), RFC 3268 (AES), RFC 4162 (SEED), RFC 4279 (PSK and DHE_PSK), RFC 6101 appendix
//! A.6 (the SSL 3.0 names), RFC 5246, RFC 5288 and RFC 5487 (the TLS 1.2 GCM and SHA-256
//! suites); names are those
//! of the IANA registry.

use crate::codec::{CipherSuite, ProtocolVersion};

/// How the premaster secret is agreed and the server authenticated.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyExchange {
    /// RSA key transport, the server authenticated by its RSA certificate.
    Rsa,
    /// Ephemeral Diffie-Hellman signed with the server's RSA key.
    DheRsa,
    /// Anonymous Diffie-Hellman: no authentication at all.
    DhAnon,
    /// A pre-shared key (RFC 4279 section 2).
    Psk,
    /// Ephemeral Diffie-Hellman authenticated by a pre-shared key (RFC 4279 section 3).
    DhePsk,
    /// Ephemeral elliptic-curve Diffie-Hellman signed with the server's RSA key (RFC 8422
    /// section 2.2).
    EcdheRsa,
    /// Ephemeral elliptic-curve Diffie-Hellman signed with the server's ECDSA key (RFC 8422
    /// section 2.1).
    EcdheEcdsa,
}

impl KeyExchange {
    /// Whether the key exchange is ECDHE (RFC 8422): it needs a group both sides have.
    pub const fn is_ecdhe(self) -> bool {
        matches!(self, KeyExchange::EcdheRsa | KeyExchange::EcdheEcdsa)
    }

    /// Whether the server authenticates itself with a certificate (and may then ask for
    /// the client's).
    pub const fn server_certificate(self) -> bool {
        matches!(
            self,
            KeyExchange::Rsa
                | KeyExchange::DheRsa
                | KeyExchange::EcdheRsa
                | KeyExchange::EcdheEcdsa
        )
    }
}

/// The bulk encryption algorithm of a suite.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BulkCipher {
    /// AES with a 128-bit key in CBC mode (RFC 3268).
    Aes128Cbc,
    /// AES with a 256-bit key in CBC mode (RFC 3268).
    Aes256Cbc,
    /// Three-key 3DES-EDE in CBC mode.
    TripleDesCbc,
    /// SEED in CBC mode (RFC 4162).
    SeedCbc,
    /// RC4 with a 128-bit key, a stream cipher.
    Rc4_128,
    /// AES with a 128-bit key in GCM, an AEAD (RFC 5288): TLS 1.2 only.
    Aes128Gcm,
    /// AES with a 256-bit key in GCM, an AEAD (RFC 5288): TLS 1.2 only.
    Aes256Gcm,
}

impl BulkCipher {
    /// The key length in bytes.
    pub const fn key_len(self) -> usize {
        // By variant, in declaration order: one byte each (a `match` compiled to a table
        // of 4-byte values in the small images).
        const KEY_LEN: [u8; 7] = [16, 32, 24, 16, 16, 16, 32];
        KEY_LEN[self as usize] as usize
    }

    /// The block length in bytes; 0 for the stream cipher and the AEADs.
    pub const fn block_len(self) -> usize {
        // By variant, in declaration order, as `key_len`.
        const BLOCK_LEN: [u8; 7] = [16, 16, 8, 16, 0, 0, 0];
        BLOCK_LEN[self as usize] as usize
    }

    /// Whether this is a block cipher in CBC mode.
    pub const fn is_cbc(self) -> bool {
        !matches!(
            self,
            BulkCipher::Rc4_128 | BulkCipher::Aes128Gcm | BulkCipher::Aes256Gcm
        )
    }

    /// Whether this is an AEAD cipher (GCM): TLS 1.2's `GenericAEADCipher` records.
    pub const fn is_aead(self) -> bool {
        matches!(self, BulkCipher::Aes128Gcm | BulkCipher::Aes256Gcm)
    }

    /// OpenSSL's name of the block cipher in CBC mode (matrix-crypto's
    /// `BlockAlgorithm::cbc_name`), `None` for RC4: lets the record layer find the cipher
    /// without knowing which algorithm features this build has.
    pub const fn cbc_name(self) -> Option<&'static str> {
        match self {
            BulkCipher::Aes128Cbc => Some("AES-128-CBC"),
            BulkCipher::Aes256Cbc => Some("AES-256-CBC"),
            BulkCipher::TripleDesCbc => Some("DES-EDE3-CBC"),
            BulkCipher::SeedCbc => Some("SEED-CBC"),
            BulkCipher::Rc4_128 | BulkCipher::Aes128Gcm | BulkCipher::Aes256Gcm => None,
        }
    }
}

/// The record MAC hash of a suite: the SSLv3 MAC in SSL 3.0, HMAC in TLS.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MacAlgorithm {
    /// MD5 (16-byte tags).
    Md5,
    /// SHA-1 (20-byte tags).
    Sha1,
    /// SHA-256 (32-byte tags): TLS 1.2's `_SHA256` CBC suites (RFC 5246, RFC 5487).
    Sha256,
    /// SHA-384 (48-byte tags): TLS 1.2's `_CBC_SHA384` PSK suites (RFC 5487).
    Sha384,
    /// No record MAC: the bulk cipher is an AEAD, which authenticates the record itself.
    Aead,
}

impl MacAlgorithm {
    /// The tag length, which is also the MAC secret's length (0 for an AEAD suite).
    pub const fn mac_len(self) -> usize {
        // By variant, in declaration order, as `BulkCipher::key_len`.
        const MAC_LEN: [u8; 5] = [16, 20, 32, 48, 0];
        MAC_LEN[self as usize] as usize
    }
}

/// The description of one cipher suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SuiteInfo {
    /// The suite's code point.
    pub suite: CipherSuite,
    /// The IANA name, e.g. `"TLS_RSA_WITH_AES_128_CBC_SHA"`.
    pub name: &'static str,
    /// The key exchange (and authentication).
    pub kx: KeyExchange,
    /// The bulk cipher.
    pub bulk: BulkCipher,
    /// The record MAC's hash.
    pub mac: MacAlgorithm,
}

impl SuiteInfo {
    /// The bulk cipher key length in bytes.
    pub const fn key_len(&self) -> usize {
        self.bulk.key_len()
    }

    /// The cipher block length in bytes; 0 for RC4.
    pub const fn block_len(&self) -> usize {
        self.bulk.block_len()
    }

    /// The MAC tag (and MAC secret) length in bytes.
    pub const fn mac_len(&self) -> usize {
        self.mac.mac_len()
    }

    /// Whether the bulk cipher is a block cipher in CBC mode.
    pub const fn is_cbc(&self) -> bool {
        self.bulk.is_cbc()
    }

    /// Whether the bulk cipher is an AEAD (GCM).
    pub const fn is_aead(&self) -> bool {
        self.bulk.is_aead()
    }

    /// Whether this suite exists in TLS 1.2 only (RFC 5246's `_SHA256` CBC suites, RFC 5288
    /// and RFC 5487: the GCM, SHA-256 and SHA-384 suites).
    pub const fn tls12_only(&self) -> bool {
        self.bulk.is_aead() || matches!(self.mac, MacAlgorithm::Sha256 | MacAlgorithm::Sha384)
    }

    /// The hash of the suite's TLS 1.2 PRF (RFC 5246 section 5): SHA-384 for the `_SHA384`
    /// suites (the AES-256-GCM ones, RFC 5288 section 3, and RFC 5487 section 3's GCM and
    /// CBC ones), SHA-256 for every other suite.
    #[cfg(all(feature = "tls-1-2", feature = "sha512"))]
    pub const fn prf_hash(&self) -> matrix_crypto::prf12::PrfHash {
        match (self.bulk, self.mac) {
            (BulkCipher::Aes256Gcm, _) | (_, MacAlgorithm::Sha384) => {
                matrix_crypto::prf12::PrfHash::Sha384
            }
            _ => matrix_crypto::prf12::PrfHash::Sha256,
        }
    }

    /// The hash of the suite's TLS 1.2 PRF: SHA-256 in a build without SHA-384 (`sha512`),
    /// which every `_SHA384` suite turns on, so that none of them is compiled in here.
    #[cfg(all(feature = "tls-1-2", not(feature = "sha512")))]
    pub const fn prf_hash(&self) -> matrix_crypto::prf12::PrfHash {
        matrix_crypto::prf12::PrfHash::Sha256
    }

    /// The IV bytes the key block holds per direction in `version`: the block length in
    /// SSL 3.0 (RFC 6101 section 6.2.2) and TLS 1.0 (RFC 2246 section 6.3), where the first
    /// record's CBC IV comes from the key block; 0 in TLS 1.1 (RFC 4346 section 6.3 derives
    /// no IVs: every record carries its own) and DTLS 1.0, which follows TLS 1.1; 0 for RC4.
    /// An AEAD suite has a 4-byte implicit nonce part (the "salt", RFC 5288 section 3).
    pub fn fixed_iv_len(&self, version: ProtocolVersion) -> usize {
        if self.is_aead() {
            GCM_SALT_LEN
        } else if implicit_iv(version) {
            self.block_len()
        } else {
            0
        }
    }

    /// The key block length in `version`: two MAC secrets, two keys and two fixed IVs.
    pub fn key_block_len(&self, version: ProtocolVersion) -> usize {
        2 * (self.mac_len() + self.key_len() + self.fixed_iv_len(version))
    }

    /// Whether this suite may be negotiated in `version`: every suite of the table works in
    /// SSL 3.0, TLS 1.0, TLS 1.1 and DTLS 1.0, except that PSK and DHE_PSK (RFC 4279) and
    /// SEED (RFC 4162) are defined for TLS only, and RC4 is not allowed in DTLS (RFC 4347
    /// section 4.1.2.2, RFC 6347 section 4.1.2.2: a stream cipher cannot survive lost
    /// records). TLS 1.2 allows every suite (RFC 5246 keeps the older suites usable); the
    /// GCM and SHA-256 suites exist in TLS 1.2 and DTLS 1.2 only. DTLS 1.2 allows what TLS
    /// 1.2 does but RC4. No other version (an unknown one) allows any suite.
    pub fn allowed_in(&self, version: ProtocolVersion) -> bool {
        if self.tls12_only() && !version.is_tls12() {
            return false;
        }
        match version {
            // RFC 4279, RFC 4162 and RFC 8422 define their suites for TLS only.
            ProtocolVersion::SSLv3 => {
                !matches!(self.kx, KeyExchange::Psk | KeyExchange::DhePsk)
                    && !self.kx.is_ecdhe()
                    && self.bulk != BulkCipher::SeedCbc
            }
            ProtocolVersion::TLSv1_0 | ProtocolVersion::TLSv1_1 | ProtocolVersion::TLSv1_2 => true,
            ProtocolVersion::DTLSv1_0 | ProtocolVersion::DTLSv1_2 => {
                self.bulk != BulkCipher::Rc4_128
            }
            _ => false,
        }
    }
}

/// The implicit part of a GCM record's nonce, from the key block (RFC 5288 section 3).
pub(crate) const GCM_SALT_LEN: usize = 4;

/// Whether `version` takes its CBC IVs from the key block and chains them across records
/// (SSL 3.0 and TLS 1.0) rather than sending one with every record (TLS 1.1, DTLS 1.0).
pub(crate) fn implicit_iv(version: ProtocolVersion) -> bool {
    matches!(version, ProtocolVersion::SSLv3 | ProtocolVersion::TLSv1_0)
}

/// Every cipher suite this build has, most preferred first (the server picks the first of
/// these the client offers, and a client offers them in this order).
///
/// The order, strongest first: ephemeral DH with AES-256, then RSA with AES-256, the same
/// two with AES-128 (forward secrecy before key transport at each strength), 3DES, SEED, the
/// RC4 suites (SHA-1 before MD5); then the suites a peer must be configured for rather than
/// merely offered: PSK (DHE_PSK before PSK, AES-256 before AES-128) and, last, anonymous DH,
/// which authenticates nobody.
pub static SUITES: &[SuiteInfo] = &[
    // The AEAD suites first (TLS 1.2 only; a TLS 1.0/1.1 handshake skips them): forward
    // secrecy before key transport, AES-256 before AES-128.
    // ECDHE first at each strength (RFC 8422: forward secrecy at a fraction of DHE's cost).
    // ECDHE_ECDSA, AES_256_GCM, SHA384.
    #[cfg(feature = "tls-ecdhe-ecdsa-with-aes-256-gcm-sha384")]
    SuiteInfo {
        suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        name: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        kx: KeyExchange::EcdheEcdsa,
        bulk: BulkCipher::Aes256Gcm,
        mac: MacAlgorithm::Aead,
    },
    // ECDHE_RSA, AES_256_GCM, SHA384.
    #[cfg(feature = "tls-ecdhe-rsa-with-aes-256-gcm-sha384")]
    SuiteInfo {
        suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        name: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        kx: KeyExchange::EcdheRsa,
        bulk: BulkCipher::Aes256Gcm,
        mac: MacAlgorithm::Aead,
    },
    // ECDHE_ECDSA, AES_128_GCM, SHA256.
    #[cfg(feature = "tls-ecdhe-ecdsa-with-aes-128-gcm-sha256")]
    SuiteInfo {
        suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        name: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        kx: KeyExchange::EcdheEcdsa,
        bulk: BulkCipher::Aes128Gcm,
        mac: MacAlgorithm::Aead,
    },
    // ECDHE_RSA, AES_128_GCM, SHA256.
    #[cfg(feature = "tls-ecdhe-rsa-with-aes-128-gcm-sha256")]
    SuiteInfo {
        suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        name: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        kx: KeyExchange::EcdheRsa,
        bulk: BulkCipher::Aes128Gcm,
        mac: MacAlgorithm::Aead,
    },
    // 0x009F: TLS 1.2, DheRsa, Aes256Gcm.
    #[cfg(feature = "tls-dhe-rsa-with-aes-256-gcm-sha384")]
    SuiteInfo {
        suite: CipherSuite::TLS_DHE_RSA_WITH_AES_256_GCM_SHA384,
        name: "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        kx: KeyExchange::DheRsa,
        bulk: BulkCipher::Aes256Gcm,
        mac: MacAlgorithm::Aead,
    },
    // 0x009D: TLS 1.2, Rsa, Aes256Gcm.
    #[cfg(feature = "tls-rsa-with-aes-256-gcm-sha384")]
    SuiteInfo {
        suite: CipherSuite::TLS_RSA_WITH_AES_256_GCM_SHA384,
        name: "TLS_RSA_WITH_AES_256_GCM_SHA384",
        kx: KeyExchange::Rsa,
        bulk: BulkCipher::Aes256Gcm,
        mac: MacAlgorithm::Aead,
    },
    // 0x009E: TLS 1.2, DheRsa, Aes128Gcm.
    #[cfg(feature = "tls-dhe-rsa-with-aes-128-gcm-sha256")]
    SuiteInfo {
        suite: CipherSuite::TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,
        name: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        kx: KeyExchange::DheRsa,
        bulk: BulkCipher::Aes128Gcm,
        mac: MacAlgorithm::Aead,
    },
    // 0x009C: TLS 1.2, Rsa, Aes128Gcm.
    #[cfg(feature = "tls-rsa-with-aes-128-gcm-sha256")]
    SuiteInfo {
        suite: CipherSuite::TLS_RSA_WITH_AES_128_GCM_SHA256,
        name: "TLS_RSA_WITH_AES_128_GCM_SHA256",
        kx: KeyExchange::Rsa,
        bulk: BulkCipher::Aes128Gcm,
        mac: MacAlgorithm::Aead,
    },
    // ECDHE_ECDSA, AES_256_CBC, SHA384 (RFC 5289: the SHA-384 PRF and HMAC-SHA384).
    #[cfg(feature = "tls-ecdhe-ecdsa-with-aes-256-cbc-sha384")]
    SuiteInfo {
        suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384,
        name: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
        kx: KeyExchange::EcdheEcdsa,
        bulk: BulkCipher::Aes256Cbc,
        mac: MacAlgorithm::Sha384,
    },
    // ECDHE_RSA, AES_256_CBC, SHA384.
    #[cfg(feature = "tls-ecdhe-rsa-with-aes-256-cbc-sha384")]
    SuiteInfo {
        suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,
        name: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        kx: KeyExchange::EcdheRsa,
        bulk: BulkCipher::Aes256Cbc,
        mac: MacAlgorithm::Sha384,
    },
    // ECDHE_ECDSA, AES_128_CBC, SHA256.
    #[cfg(feature = "tls-ecdhe-ecdsa-with-aes-128-cbc-sha256")]
    SuiteInfo {
        suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
        name: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
        kx: KeyExchange::EcdheEcdsa,
        bulk: BulkCipher::Aes128Cbc,
        mac: MacAlgorithm::Sha256,
    },
    // ECDHE_RSA, AES_128_CBC, SHA256.
    #[cfg(feature = "tls-ecdhe-rsa-with-aes-128-cbc-sha256")]
    SuiteInfo {
        suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,
        name: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        kx: KeyExchange::EcdheRsa,
        bulk: BulkCipher::Aes128Cbc,
        mac: MacAlgorithm::Sha256,
    },
    // 0x006B: TLS 1.2, forward secrecy, AES-256-CBC with HMAC-SHA256.
    #[cfg(feature = "tls-dhe-rsa-with-aes-256-cbc-sha256")]
    SuiteInfo {
        suite: CipherSuite::TLS_DHE_RSA_WITH_AES_256_CBC_SHA256,
        name: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
        kx: KeyExchange::DheRsa,
        bulk: BulkCipher::Aes256Cbc,
        mac: MacAlgorithm::Sha256,
    },
    // 0x003D: TLS 1.2, RSA, AES-256-CBC with HMAC-SHA256.
    #[cfg(feature = "tls-rsa-with-aes-256-cbc-sha256")]
    SuiteInfo {
        suite: CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA256,
        name: "TLS_RSA_WITH_AES_256_CBC_SHA256",
        kx: KeyExchange::Rsa,
        bulk: BulkCipher::Aes256Cbc,
        mac: MacAlgorithm::Sha256,
    },
    // 0x0067: TLS 1.2, forward secrecy, AES-128-CBC with HMAC-SHA256.
    #[cfg(feature = "tls-dhe-rsa-with-aes-128-cbc-sha256")]
    SuiteInfo {
        suite: CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA256,
        name: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
        kx: KeyExchange::DheRsa,
        bulk: BulkCipher::Aes128Cbc,
        mac: MacAlgorithm::Sha256,
    },
    // 0x003C: TLS 1.2, RSA, AES-128-CBC with HMAC-SHA256.
    #[cfg(feature = "tls-rsa-with-aes-128-cbc-sha256")]
    SuiteInfo {
        suite: CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA256,
        name: "TLS_RSA_WITH_AES_128_CBC_SHA256",
        kx: KeyExchange::Rsa,
        bulk: BulkCipher::Aes128Cbc,
        mac: MacAlgorithm::Sha256,
    },
    // ECDHE_ECDSA, AES_256_CBC, SHA.
    #[cfg(feature = "tls-ecdhe-ecdsa-with-aes-256-cbc-sha")]
    SuiteInfo {
        suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA,
        name: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        kx: KeyExchange::EcdheEcdsa,
        bulk: BulkCipher::Aes256Cbc,
        mac: MacAlgorithm::Sha1,
    },
    // ECDHE_RSA, AES_256_CBC, SHA.
    #[cfg(feature = "tls-ecdhe-rsa-with-aes-256-cbc-sha")]
    SuiteInfo {
        suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA,
        name: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        kx: KeyExchange::EcdheRsa,
        bulk: BulkCipher::Aes256Cbc,
        mac: MacAlgorithm::Sha1,
    },
    // ECDHE_ECDSA, AES_128_CBC, SHA.
    #[cfg(feature = "tls-ecdhe-ecdsa-with-aes-128-cbc-sha")]
    SuiteInfo {
        suite: CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA,
        name: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        kx: KeyExchange::EcdheEcdsa,
        bulk: BulkCipher::Aes128Cbc,
        mac: MacAlgorithm::Sha1,
    },
    // ECDHE_RSA, AES_128_CBC, SHA.
    #[cfg(feature = "tls-ecdhe-rsa-with-aes-128-cbc-sha")]
    SuiteInfo {
        suite: CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA,
        name: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        kx: KeyExchange::EcdheRsa,
        bulk: BulkCipher::Aes128Cbc,
        mac: MacAlgorithm::Sha1,
    },
    // 0x0039: forward secrecy, AES-256.
    #[cfg(feature = "tls-dhe-rsa-with-aes-256-cbc-sha")]
    SuiteInfo {
        suite: CipherSuite::TLS_DHE_RSA_WITH_AES_256_CBC_SHA,
        name: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
        kx: KeyExchange::DheRsa,
        bulk: BulkCipher::Aes256Cbc,
        mac: MacAlgorithm::Sha1,
    },
    // 0x0035: RSA key transport, AES-256.
    #[cfg(feature = "tls-rsa-with-aes-256-cbc-sha")]
    SuiteInfo {
        suite: CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA,
        name: "TLS_RSA_WITH_AES_256_CBC_SHA",
        kx: KeyExchange::Rsa,
        bulk: BulkCipher::Aes256Cbc,
        mac: MacAlgorithm::Sha1,
    },
    // 0x0033: forward secrecy, AES-128.
    #[cfg(feature = "tls-dhe-rsa-with-aes-128-cbc-sha")]
    SuiteInfo {
        suite: CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA,
        name: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
        kx: KeyExchange::DheRsa,
        bulk: BulkCipher::Aes128Cbc,
        mac: MacAlgorithm::Sha1,
    },
    // 0x002F: RSA key transport, AES-128 (the suite every TLS 1.x peer has).
    #[cfg(feature = "tls-rsa-with-aes-128-cbc-sha")]
    SuiteInfo {
        suite: CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
        name: "TLS_RSA_WITH_AES_128_CBC_SHA",
        kx: KeyExchange::Rsa,
        bulk: BulkCipher::Aes128Cbc,
        mac: MacAlgorithm::Sha1,
    },
    // 0x0016: forward secrecy, 3DES (112-bit strength, 64-bit blocks).
    #[cfg(feature = "ssl-dhe-rsa-with-3des-ede-cbc-sha")]
    SuiteInfo {
        suite: CipherSuite::SSL_DHE_RSA_WITH_3DES_EDE_CBC_SHA,
        name: "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
        kx: KeyExchange::DheRsa,
        bulk: BulkCipher::TripleDesCbc,
        mac: MacAlgorithm::Sha1,
    },
    // 0x000A: RSA, 3DES (the suite every SSL 3.0 peer has).
    #[cfg(feature = "ssl-rsa-with-3des-ede-cbc-sha")]
    SuiteInfo {
        suite: CipherSuite::SSL_RSA_WITH_3DES_EDE_CBC_SHA,
        name: "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
        kx: KeyExchange::Rsa,
        bulk: BulkCipher::TripleDesCbc,
        mac: MacAlgorithm::Sha1,
    },
    // 0x0096: RSA, SEED (128-bit, less scrutinised than AES).
    #[cfg(feature = "tls-rsa-with-seed-cbc-sha")]
    SuiteInfo {
        suite: CipherSuite::TLS_RSA_WITH_SEED_CBC_SHA,
        name: "TLS_RSA_WITH_SEED_CBC_SHA",
        kx: KeyExchange::Rsa,
        bulk: BulkCipher::SeedCbc,
        mac: MacAlgorithm::Sha1,
    },
    // 0x0005: RC4 (keystream biases; kept for legacy peers), SHA-1.
    #[cfg(feature = "ssl-rsa-with-rc4-128-sha")]
    SuiteInfo {
        suite: CipherSuite::SSL_RSA_WITH_RC4_128_SHA,
        name: "TLS_RSA_WITH_RC4_128_SHA",
        kx: KeyExchange::Rsa,
        bulk: BulkCipher::Rc4_128,
        mac: MacAlgorithm::Sha1,
    },
    // 0x0004: RC4 with an MD5 MAC, the weakest authenticated suite.
    #[cfg(feature = "ssl-rsa-with-rc4-128-md5")]
    SuiteInfo {
        suite: CipherSuite::SSL_RSA_WITH_RC4_128_MD5,
        name: "TLS_RSA_WITH_RC4_128_MD5",
        kx: KeyExchange::Rsa,
        bulk: BulkCipher::Rc4_128,
        mac: MacAlgorithm::Md5,
    },
    // 0x00AB: TLS 1.2, DhePsk, Aes256Gcm.
    #[cfg(feature = "tls-dhe-psk-with-aes-256-gcm-sha384")]
    SuiteInfo {
        suite: CipherSuite::TLS_DHE_PSK_WITH_AES_256_GCM_SHA384,
        name: "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384",
        kx: KeyExchange::DhePsk,
        bulk: BulkCipher::Aes256Gcm,
        mac: MacAlgorithm::Aead,
    },
    // 0x00AA: TLS 1.2, DhePsk, Aes128Gcm.
    #[cfg(feature = "tls-dhe-psk-with-aes-128-gcm-sha256")]
    SuiteInfo {
        suite: CipherSuite::TLS_DHE_PSK_WITH_AES_128_GCM_SHA256,
        name: "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256",
        kx: KeyExchange::DhePsk,
        bulk: BulkCipher::Aes128Gcm,
        mac: MacAlgorithm::Aead,
    },
    // 0x00A9: TLS 1.2, Psk, Aes256Gcm.
    #[cfg(feature = "tls-psk-with-aes-256-gcm-sha384")]
    SuiteInfo {
        suite: CipherSuite::TLS_PSK_WITH_AES_256_GCM_SHA384,
        name: "TLS_PSK_WITH_AES_256_GCM_SHA384",
        kx: KeyExchange::Psk,
        bulk: BulkCipher::Aes256Gcm,
        mac: MacAlgorithm::Aead,
    },
    // 0x00A8: TLS 1.2, Psk, Aes128Gcm.
    #[cfg(feature = "tls-psk-with-aes-128-gcm-sha256")]
    SuiteInfo {
        suite: CipherSuite::TLS_PSK_WITH_AES_128_GCM_SHA256,
        name: "TLS_PSK_WITH_AES_128_GCM_SHA256",
        kx: KeyExchange::Psk,
        bulk: BulkCipher::Aes128Gcm,
        mac: MacAlgorithm::Aead,
    },
    // 0x00B3: TLS 1.2, PSK with forward secrecy, AES-256-CBC with HMAC-SHA384 (RFC 5487).
    #[cfg(feature = "tls-dhe-psk-with-aes-256-cbc-sha384")]
    SuiteInfo {
        suite: CipherSuite::TLS_DHE_PSK_WITH_AES_256_CBC_SHA384,
        name: "TLS_DHE_PSK_WITH_AES_256_CBC_SHA384",
        kx: KeyExchange::DhePsk,
        bulk: BulkCipher::Aes256Cbc,
        mac: MacAlgorithm::Sha384,
    },
    // 0x00AF: TLS 1.2, plain PSK, AES-256-CBC with HMAC-SHA384 (RFC 5487).
    #[cfg(feature = "tls-psk-with-aes-256-cbc-sha384")]
    SuiteInfo {
        suite: CipherSuite::TLS_PSK_WITH_AES_256_CBC_SHA384,
        name: "TLS_PSK_WITH_AES_256_CBC_SHA384",
        kx: KeyExchange::Psk,
        bulk: BulkCipher::Aes256Cbc,
        mac: MacAlgorithm::Sha384,
    },
    // 0x00B2: TLS 1.2, PSK with forward secrecy, AES-128-CBC with HMAC-SHA256 (RFC 5487).
    #[cfg(feature = "tls-dhe-psk-with-aes-128-cbc-sha256")]
    SuiteInfo {
        suite: CipherSuite::TLS_DHE_PSK_WITH_AES_128_CBC_SHA256,
        name: "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256",
        kx: KeyExchange::DhePsk,
        bulk: BulkCipher::Aes128Cbc,
        mac: MacAlgorithm::Sha256,
    },
    // 0x00AE: TLS 1.2, plain PSK, AES-128-CBC with HMAC-SHA256 (RFC 5487).
    #[cfg(feature = "tls-psk-with-aes-128-cbc-sha256")]
    SuiteInfo {
        suite: CipherSuite::TLS_PSK_WITH_AES_128_CBC_SHA256,
        name: "TLS_PSK_WITH_AES_128_CBC_SHA256",
        kx: KeyExchange::Psk,
        bulk: BulkCipher::Aes128Cbc,
        mac: MacAlgorithm::Sha256,
    },
    // 0x0091: PSK with forward secrecy, AES-256.
    #[cfg(feature = "tls-dhe-psk-with-aes-256-cbc-sha")]
    SuiteInfo {
        suite: CipherSuite::TLS_DHE_PSK_WITH_AES_256_CBC_SHA,
        name: "TLS_DHE_PSK_WITH_AES_256_CBC_SHA",
        kx: KeyExchange::DhePsk,
        bulk: BulkCipher::Aes256Cbc,
        mac: MacAlgorithm::Sha1,
    },
    // 0x0090: PSK with forward secrecy, AES-128.
    #[cfg(feature = "tls-dhe-psk-with-aes-128-cbc-sha")]
    SuiteInfo {
        suite: CipherSuite::TLS_DHE_PSK_WITH_AES_128_CBC_SHA,
        name: "TLS_DHE_PSK_WITH_AES_128_CBC_SHA",
        kx: KeyExchange::DhePsk,
        bulk: BulkCipher::Aes128Cbc,
        mac: MacAlgorithm::Sha1,
    },
    // 0x008D: plain PSK, AES-256.
    #[cfg(feature = "tls-psk-with-aes-256-cbc-sha")]
    SuiteInfo {
        suite: CipherSuite::TLS_PSK_WITH_AES_256_CBC_SHA,
        name: "TLS_PSK_WITH_AES_256_CBC_SHA",
        kx: KeyExchange::Psk,
        bulk: BulkCipher::Aes256Cbc,
        mac: MacAlgorithm::Sha1,
    },
    // 0x008C: plain PSK, AES-128.
    #[cfg(feature = "tls-psk-with-aes-128-cbc-sha")]
    SuiteInfo {
        suite: CipherSuite::TLS_PSK_WITH_AES_128_CBC_SHA,
        name: "TLS_PSK_WITH_AES_128_CBC_SHA",
        kx: KeyExchange::Psk,
        bulk: BulkCipher::Aes128Cbc,
        mac: MacAlgorithm::Sha1,
    },
    // 0x0018: anonymous DH, RC4-MD5: no authentication, last resort.
    #[cfg(feature = "ssl-dh-anon-with-rc4-128-md5")]
    SuiteInfo {
        suite: CipherSuite::SSL_DH_anon_WITH_RC4_128_MD5,
        name: "TLS_DH_anon_WITH_RC4_128_MD5",
        kx: KeyExchange::DhAnon,
        bulk: BulkCipher::Rc4_128,
        mac: MacAlgorithm::Md5,
    },
];

/// The description of `suite`, if this build has it.
pub fn lookup(suite: CipherSuite) -> Option<&'static SuiteInfo> {
    SUITES.iter().find(|s| s.suite == suite)
}

/// The suites a client offers when none is nominated: every suite of [`SUITES`] but
/// anonymous DH (which authenticates nobody: offered only when nominated, so that a client
/// built with it cannot be talked into an anonymous connection by whoever answers its
/// hello) for which `usable` holds, in preference order. A plain loop: an iterator chain
/// is a copy of `collect`'s generic code in a small build.
#[cfg(feature = "client-side-ssl")]
pub(crate) fn offerable(
    mut usable: impl FnMut(CipherSuite) -> bool,
) -> alloc::vec::Vec<CipherSuite> {
    let mut offered = alloc::vec::Vec::new();
    for s in SUITES {
        if s.kx != KeyExchange::DhAnon && usable(s.suite) {
            offered.push(s.suite);
        }
    }
    offered
}

#[cfg(test)]
mod tests {
    use super::{BulkCipher as B, MacAlgorithm as M};

    /// The one-byte tables give each variant its length (they are indexed by the variant).
    #[test]
    fn lengths_follow_the_variants() {
        let bulk = [
            (B::Aes128Cbc, 16, 16),
            (B::Aes256Cbc, 32, 16),
            (B::TripleDesCbc, 24, 8),
            (B::SeedCbc, 16, 16),
            (B::Rc4_128, 16, 0),
            (B::Aes128Gcm, 16, 0),
            (B::Aes256Gcm, 32, 0),
        ];
        for (b, key, block) in bulk {
            assert_eq!((b.key_len(), b.block_len()), (key, block), "{b:?}");
        }
        let macs = [
            (M::Md5, 16),
            (M::Sha1, 20),
            (M::Sha256, 32),
            (M::Sha384, 48),
            (M::Aead, 0),
        ];
        for (m, len) in macs {
            assert_eq!(m.mac_len(), len, "{m:?}");
        }
    }
}
