//! The SSL 3.0 and TLS 1.0/1.1 key derivations and handshake hashes.
//!
//! This module owns the master secret and key block derivations, the Finished values and
//! the hashes CertificateVerify signs, for both protocol families:
//!
//! - SSL 3.0 (RFC 6101): master secret (section 6.1), key block (section 6.2.2), Finished
//!   (section 5.6.9) and CertificateVerify (section 5.6.8);
//! - TLS 1.0/1.1 (RFC 2246 / RFC 4346): the PRF `P_MD5(S1) xor P_SHA-1(S2)` (section 5),
//!   master secret (section 8.1), key block (section 6.3), Finished (section 7.4.9) and the
//!   CertificateVerify hash `MD5 || SHA-1` (section 7.4.8).
//!
//! The handshake keeps one running [`Md5Sha1`](crate::hash::Md5Sha1) over its messages;
//! the functions here clone it, so the handshake can go on hashing. Master secrets and key
//! blocks are returned in [`Zeroizing`] buffers. The TLS functions need the `hmac` feature.
//!
//! The lengths, [`MasterSecret`] and [`Sender`] are shared with TLS 1.2 (`prf12`) and
//! always compiled; the derivations themselves run over MD5 and SHA-1 and exist only with
//! the `md5` and `sha1` features (`legacy`), so that a TLS-1.2-only build links neither.

use zeroize::Zeroizing;

#[cfg(all(feature = "md5", feature = "sha1"))]
mod legacy;
#[cfg(all(feature = "md5", feature = "sha1"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "md5", feature = "sha1"))))]
pub use legacy::{
    ssl3_certificate_verify_hash, ssl3_finished, ssl3_key_block, ssl3_master_secret,
    tls_certificate_verify_hash,
};
#[cfg(all(feature = "md5", feature = "sha1", feature = "hmac"))]
#[cfg_attr(
    docsrs,
    doc(cfg(all(feature = "md5", feature = "sha1", feature = "hmac")))
)]
pub use legacy::{tls_finished, tls_key_block, tls_master_secret, tls_prf};

/// The length of a master secret in bytes.
pub const MASTER_SECRET_LEN: usize = 48;
/// The length of a client or server random in bytes.
pub const RANDOM_LEN: usize = 32;
/// The length of TLS 1.0/1.1 Finished `verify_data`.
pub const TLS_FINISHED_LEN: usize = 12;
/// The length of SSL 3.0 Finished (`md5_hash || sha_hash`).
pub const SSL3_FINISHED_LEN: usize = 36;
/// The longest SSL 3.0 key block: 26 MD5 outputs, for the salts 'A' to 'Z' (RFC 6101
/// section 6.2.2 has no salt beyond them).
pub const SSL3_MAX_KEY_BLOCK_LEN: usize = 26 * 16;

/// A master secret, wiped on drop.
pub type MasterSecret = Zeroizing<[u8; MASTER_SECRET_LEN]>;

/// Which side sends a Finished message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sender {
    /// The client: SSL 3.0 sender `"CLNT"`, TLS label `"client finished"`.
    Client,
    /// The server: SSL 3.0 sender `"SRVR"`, TLS label `"server finished"`.
    Server,
}

impl Sender {
    /// The SSL 3.0 `Sender` constant (0x434C4E54 or 0x53525652).
    pub const fn ssl3_sender(self) -> &'static [u8; 4] {
        match self {
            Sender::Client => b"CLNT",
            Sender::Server => b"SRVR",
        }
    }

    /// The TLS Finished label.
    pub const fn tls_label(self) -> &'static [u8] {
        match self {
            Sender::Client => b"client finished",
            Sender::Server => b"server finished",
        }
    }
}
