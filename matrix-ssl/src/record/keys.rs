//! Key derivation for the record layer: the master secret from the premaster secret, and
//! the key block cut into MAC secrets, keys and IVs.
//!
//! SSL 3.0: RFC 6101 section 6.1 (master secret) and 6.2.2 (key block); TLS 1.0: RFC 2246
//! sections 8.1 and 6.3; TLS 1.1: RFC 4346 section 6.3, whose key block has no IVs (each
//! record carries its own, section 6.2.3.2); DTLS 1.0 derives as TLS 1.1 (RFC 4347 section
//! 4.1.2); TLS 1.2: the suite's PRF (RFC 5246 sections 5 and 6.3), and for GCM a 4-byte
//! implicit nonce per direction in place of the IV (RFC 5288 section 3). The PRFs are
//! matrix-crypto's.

use alloc::vec::Vec;
use core::fmt;

use zeroize::Zeroizing;

use crate::codec::ProtocolVersion;
use crate::suites::SuiteInfo;
#[cfg(any(feature = "ssl3", feature = "tls"))]
use matrix_crypto::prf;
use matrix_crypto::prf::{MasterSecret, RANDOM_LEN};

/// The master secret for `premaster` (RFC 6101 section 6.1 in SSL 3.0, the TLS PRF with
/// "master secret" (RFC 2246 section 8.1) in TLS 1.0/1.1 and DTLS 1.0; in TLS 1.2 the
/// default PRF, P_SHA256, which is right for every suite except the `_SHA384` ones: use
/// [`master_secret_for`] there).
pub fn master_secret(
    version: ProtocolVersion,
    premaster: &[u8],
    client_random: &[u8; RANDOM_LEN],
    server_random: &[u8; RANDOM_LEN],
) -> MasterSecret {
    if version.is_tls12() {
        tls12_master_secret(None, premaster, client_random, server_random)
    } else {
        legacy_master_secret(version, premaster, client_random, server_random)
    }
}

/// The master secret for `premaster` with `suite` in `version`: [`master_secret`], except
/// that TLS 1.2 uses the suite's PRF (RFC 5246 section 5).
pub fn master_secret_for(
    version: ProtocolVersion,
    suite: &SuiteInfo,
    premaster: &[u8],
    client_random: &[u8; RANDOM_LEN],
    server_random: &[u8; RANDOM_LEN],
) -> MasterSecret {
    if version.is_tls12() {
        tls12_master_secret(Some(suite), premaster, client_random, server_random)
    } else {
        master_secret(version, premaster, client_random, server_random)
    }
}

/// The key block of a connection, cut into its six parts, in the order of RFC 2246 section
/// 6.3: `client_write_MAC_secret`, `server_write_MAC_secret`, `client_write_key`,
/// `server_write_key`, `client_write_IV`, `server_write_IV` (the IVs empty in TLS 1.1,
/// DTLS 1.0 and for RC4). Wiped on drop; `Debug` shows only the lengths.
pub struct KeyBlock {
    bytes: Zeroizing<Vec<u8>>,
    mac_len: usize,
    key_len: usize,
    iv_len: usize,
}

impl KeyBlock {
    /// A key block over `bytes` (the PRF output), cut for `mac_len`, `key_len` and `iv_len`
    /// per direction; `None` if `bytes` has not exactly `2 * (mac_len + key_len + iv_len)`.
    pub fn from_bytes(
        bytes: Zeroizing<Vec<u8>>,
        mac_len: usize,
        key_len: usize,
        iv_len: usize,
    ) -> Option<KeyBlock> {
        let half = mac_len.checked_add(key_len)?.checked_add(iv_len)?;
        if bytes.len() != half.checked_mul(2)? {
            return None;
        }
        Some(KeyBlock {
            bytes,
            mac_len,
            key_len,
            iv_len,
        })
    }

    /// The `n`th part of the key block (0 to 5, in the RFC's order).
    fn part(&self, n: usize) -> &[u8] {
        let (mac, key, iv) = self.direction(n.is_multiple_of(2));
        match n / 2 {
            0 => mac,
            1 => key,
            _ => iv,
        }
    }

    /// The MAC secret, key and IV that the client (`client`) or the server writes with,
    /// borrowed from the block (the parts come in pairs, client then server, of one length
    /// each).
    pub(crate) fn direction(&self, client: bool) -> (&[u8], &[u8], &[u8]) {
        let (m, k, i) = (self.mac_len, self.key_len, self.iv_len);
        let s = usize::from(!client);
        // Cannot fail: `from_bytes` checked that the block has exactly these six parts.
        let at = |start: usize, len: usize| self.bytes.get(start..start + len).unwrap_or(&[]);
        (
            at(s * m, m),
            at(2 * m + s * k, k),
            at(2 * (m + k) + s * i, i),
        )
    }

    /// The lengths of one direction's MAC secret, key and IV.
    pub(crate) fn lens(&self) -> (usize, usize, usize) {
        (self.mac_len, self.key_len, self.iv_len)
    }

    /// client_write_MAC_secret.
    pub fn client_write_mac(&self) -> &[u8] {
        self.part(0)
    }

    /// server_write_MAC_secret.
    pub fn server_write_mac(&self) -> &[u8] {
        self.part(1)
    }

    /// client_write_key.
    pub fn client_write_key(&self) -> &[u8] {
        self.part(2)
    }

    /// server_write_key.
    pub fn server_write_key(&self) -> &[u8] {
        self.part(3)
    }

    /// client_write_IV (empty when the version or cipher derives none).
    pub fn client_write_iv(&self) -> &[u8] {
        self.part(4)
    }

    /// server_write_IV (empty when the version or cipher derives none).
    pub fn server_write_iv(&self) -> &[u8] {
        self.part(5)
    }

    /// The whole key block.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }
}

impl fmt::Debug for KeyBlock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyBlock")
            .field("mac_len", &self.mac_len)
            .field("key_len", &self.key_len)
            .field("iv_len", &self.iv_len)
            .finish_non_exhaustive()
    }
}

/// The key block for `suite` in `version`: RFC 6101 section 6.2.2's expansion in SSL 3.0,
/// `PRF(master, "key expansion", server_random || client_random)` otherwise, of
/// [`SuiteInfo::key_block_len`] bytes.
pub fn key_block(
    version: ProtocolVersion,
    suite: &SuiteInfo,
    master: &MasterSecret,
    client_random: &[u8; RANDOM_LEN],
    server_random: &[u8; RANDOM_LEN],
) -> KeyBlock {
    let (mac_len, key_len, iv_len) = (
        suite.mac_len(),
        suite.key_len(),
        suite.fixed_iv_len(version),
    );
    // `SuiteInfo::key_block_len`, from the three lengths in hand (small table values: no
    // overflow).
    let len = 2 * (mac_len + key_len + iv_len);
    let bytes = if version.is_tls12() {
        tls12_key_block(suite, master, client_random, server_random, len)
    } else {
        legacy_key_block(version, master, client_random, server_random, len)
    };
    if bytes.len() == len {
        return KeyBlock {
            bytes,
            mac_len,
            key_len,
            iv_len,
        };
    }
    // A version this build cannot derive for gives an empty block: with zero lengths,
    // `cipher_states` fails rather than run with short keys.
    KeyBlock {
        bytes: Zeroizing::new(Vec::new()),
        mac_len: 0,
        key_len: 0,
        iv_len: 0,
    }
}

/// The master secret of SSL 3.0 (RFC 6101 section 6.1) or TLS 1.0/1.1 (the MD5/SHA-1 PRF).
#[cfg(any(feature = "ssl3", feature = "tls"))]
fn legacy_master_secret(
    version: ProtocolVersion,
    premaster: &[u8],
    client_random: &[u8; RANDOM_LEN],
    server_random: &[u8; RANDOM_LEN],
) -> MasterSecret {
    if version.is_ssl3() {
        prf::ssl3_master_secret(premaster, client_random, server_random)
    } else {
        prf::tls_master_secret(premaster, client_random, server_random)
    }
}

/// The key block of SSL 3.0 (RFC 6101 section 6.2.2) or TLS 1.0/1.1 (RFC 2246 section 6.3).
#[cfg(any(feature = "ssl3", feature = "tls"))]
fn legacy_key_block(
    version: ProtocolVersion,
    master: &MasterSecret,
    client_random: &[u8; RANDOM_LEN],
    server_random: &[u8; RANDOM_LEN],
    len: usize,
) -> Zeroizing<Vec<u8>> {
    if version.is_ssl3() {
        // Cannot fail: the longest key block of the table (AES-256 with SHA-1 and IVs) is
        // 136 bytes, within the 416 bytes SSL 3.0's expansion can give.
        prf::ssl3_key_block(master, client_random, server_random, len)
            .unwrap_or_else(|_| Zeroizing::new(Vec::new()))
    } else {
        prf::tls_key_block(master, client_random, server_random, len)
    }
}

/// A TLS-1.2-only build (`tls-1-2` without `ssl3` or `tls`) has no MD5/SHA-1 PRF: an older
/// version's master secret is derived with TLS 1.2's default PRF instead. No state of that
/// version is ever built (`cipher_states` refuses it, and no handshake negotiates it), so
/// the value is never used, as for TLS 1.2 in a build without it (below).
#[cfg(not(any(feature = "ssl3", feature = "tls")))]
fn legacy_master_secret(
    _version: ProtocolVersion,
    premaster: &[u8],
    client_random: &[u8; RANDOM_LEN],
    server_random: &[u8; RANDOM_LEN],
) -> MasterSecret {
    tls12_master_secret(None, premaster, client_random, server_random)
}

/// A TLS-1.2-only build has no older key block: an empty one, which `cipher_states`
/// refuses.
#[cfg(not(any(feature = "ssl3", feature = "tls")))]
fn legacy_key_block(
    _version: ProtocolVersion,
    _master: &MasterSecret,
    _client_random: &[u8; RANDOM_LEN],
    _server_random: &[u8; RANDOM_LEN],
    _len: usize,
) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(Vec::new())
}

/// TLS 1.2's key block: the suite's PRF (RFC 5246 section 6.3).
#[cfg(feature = "tls-1-2")]
fn tls12_key_block(
    suite: &SuiteInfo,
    master: &MasterSecret,
    client_random: &[u8; RANDOM_LEN],
    server_random: &[u8; RANDOM_LEN],
    len: usize,
) -> Zeroizing<Vec<u8>> {
    suite
        .prf_hash()
        .key_block(master, client_random, server_random, len)
}

/// TLS 1.2's master secret: the suite's PRF, P_SHA256 without a suite.
#[cfg(feature = "tls-1-2")]
fn tls12_master_secret(
    suite: Option<&SuiteInfo>,
    premaster: &[u8],
    client_random: &[u8; RANDOM_LEN],
    server_random: &[u8; RANDOM_LEN],
) -> MasterSecret {
    suite
        .map_or(matrix_crypto::prf12::PrfHash::Sha256, SuiteInfo::prf_hash)
        .master_secret(premaster, client_random, server_random)
}

/// Without `tls-1-2`, TLS 1.2 falls back to the TLS 1.0 PRF: no state of that version is
/// ever built (`cipher_states` refuses it), so the value is never used.
#[cfg(not(feature = "tls-1-2"))]
fn tls12_master_secret(
    _suite: Option<&SuiteInfo>,
    premaster: &[u8],
    client_random: &[u8; RANDOM_LEN],
    server_random: &[u8; RANDOM_LEN],
) -> MasterSecret {
    prf::tls_master_secret(premaster, client_random, server_random)
}

/// Without `tls-1-2` no TLS 1.2 state is ever built (`cipher_states` refuses the version):
/// an empty block.
#[cfg(not(feature = "tls-1-2"))]
fn tls12_key_block(
    _suite: &SuiteInfo,
    _master: &MasterSecret,
    _client_random: &[u8; RANDOM_LEN],
    _server_random: &[u8; RANDOM_LEN],
    _len: usize,
) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(Vec::new())
}
