//! The numeric defines of MatrixSSL's configuration headers, as fields of [`Config`] with the
//! C defaults, so that a program sets them at `open()` instead of recompiling.

use alloc::vec::Vec;
use core::time::Duration;

use crate::codec::ProtocolVersion;

/// Run-time configuration of a matrix context (`matrixSslOpen`).
///
/// Every field is a numeric define of MatrixSSL 3.2, with its default.
///
/// Limits that are not fields: a handshake message may be at most 16 KiB (Certificate and
/// CertificateRequest 64 KiB, [`crate::codec::framing::FrameLimits`]). A ClientHello with
/// every suite and extension a real client sends is well under 2 KiB; the limit keeps a
/// peer from making a session wait for and buffer a 24-bit length's 16 MiB. A larger
/// message is refused when its header arrives, before any of it is buffered, with a fatal
/// illegal_parameter alert (and, over TCP, `linger` of feature `std` lets the peer read
/// it).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Config {
    /// `SSL_SESSION_TABLE_SIZE`: how many sessions the server caches for resumption.
    pub session_table_size: usize,
    /// `SSL_SESSION_ENTRY_LIFE`: how long a cached session may be resumed.
    pub session_entry_life: Duration,
    /// `SSL_MAX_DISABLED_CIPHERS`: how many suites one session may disable
    /// (`set_cipher_suite_enabled_status` fails with `PS_LIMIT_FAIL` beyond it).
    pub max_disabled_ciphers: usize,
    /// `DTLS_PMTU`: the largest datagram DTLS sessions produce, in bytes.
    pub dtls_pmtu: usize,
    /// The oldest protocol version sessions of this context accept (matrix; MatrixSSL
    /// decided at compile time). Versions not compiled in are skipped.
    pub min_version: ProtocolVersion,
    /// The newest protocol version sessions of this context offer or accept.
    pub max_version: ProtocolVersion,
    /// The most bytes one session's buffers may hold (matrix; charged to a
    /// `matrix_core::memory::SessionBudget`): a peer that makes a session need more gets
    /// an internal_error alert and the API `PS_MEM_FAIL`.
    pub session_memory_cap: usize,
    /// Whether application data sent under an SSL 3.0 or TLS 1.0 CBC suite is split 1/n-1
    /// (the first byte in a record of its own), which keeps the implicit IV of the next
    /// record unpredictable to an attacker choosing plaintext (BEAST, CVE-2011-3389).
    pub record_splitting: bool,
    /// How many re-handshakes the peer may ask for per minute on one session (matrix;
    /// MatrixSSL 3.2 has no such limit): a token bucket of this size refilled at this
    /// rate by the context's clock. Past it a server answers the client's renegotiating
    /// ClientHello, and a client the server's HelloRequest, with a no_renegotiation
    /// warning (in SSL 3.0: a server ends with handshake_failure, a client ignores the
    /// request); a second request right after a refusal ends the session with
    /// unexpected_message. Re-handshakes this side starts (`encode_rehandshake`) are not
    /// counted. 0 turns the limit off.
    pub rehandshakes_per_minute: u32,
    /// Whether sessions keep the peer's certificate chain after authenticating it, for
    /// `Session::peer_certificates` (later MatrixSSL 3.x releases' `USE_KEEP_PEER_CERTS`). Off by
    /// default: the chain (several KB per session, more than the rest of an idle
    /// session's state) is handshake state, freed as soon as the peer's key is taken
    /// from it; the certificate callback sees it either way and may copy what it needs.
    pub keep_peer_certificates: bool,
    /// Whether client sessions ask for RFC 5077 session tickets (MatrixSSL 3.4's
    /// `ticketResumption` session option): the ClientHello carries the SessionTicket
    /// extension, empty or with the ticket of the offered [`crate::SessionId`], and the
    /// ticket a server issues is kept in the session's `SessionId` for the next
    /// resumption. Off by default, as in MatrixSSL. Servers need no switch: they issue
    /// tickets once a ticket key is loaded (`Context::load_session_ticket_keys`).
    #[cfg(feature = "stateless-session-tickets")]
    #[cfg_attr(docsrs, doc(cfg(feature = "stateless-session-tickets")))]
    pub session_tickets: bool,
    /// The elliptic-curve groups of ECDHE (RFC 8422 `NamedGroup` code points: 29 X25519,
    /// 23 secp256r1, 24 secp384r1), most preferred first: what a client offers in
    /// supported_groups and what a server chooses from (its first one the client lists).
    /// Groups this build did not compile in are skipped. Used with the `ecc` feature only.
    pub ec_groups: Vec<u16>,
}

impl Config {
    /// `SSL_SESSION_TABLE_SIZE`'s C default.
    pub const SSL_SESSION_TABLE_SIZE: usize = 32;
    /// `SSL_SESSION_ENTRY_LIFE`'s C default: one day (86 400 000 ms).
    pub const SSL_SESSION_ENTRY_LIFE: Duration = Duration::from_secs(86_400);
    /// `SSL_MAX_DISABLED_CIPHERS`'s C default.
    pub const SSL_MAX_DISABLED_CIPHERS: usize = 8;
    /// `DTLS_PMTU`'s C default.
    pub const DTLS_PMTU: usize = 1500;
    /// The default of [`Config::session_memory_cap`]: 256 KiB.
    pub const SESSION_MEMORY_CAP: usize = 256 * 1024;
    /// The X25519 group (RFC 8422 section 5.1.1, RFC 7748).
    pub const X25519: u16 = 29;
    /// The secp256r1 (NIST P-256) group.
    pub const SECP256R1: u16 = 23;
    /// The secp384r1 (NIST P-384) group.
    pub const SECP384R1: u16 = 24;
    /// The default of [`Config::rehandshakes_per_minute`].
    pub const REHANDSHAKES_PER_MINUTE: u32 = 5;

    /// The defaults for a DTLS context: DTLS 1.0 (0xFEFF) to DTLS 1.2 (0xFEFD, with
    /// `tls-1-2`) are the versions (`min_version` and `max_version`), so a context opened
    /// with it speaks over datagrams only (matrix-dtls drives its handshakes). A client
    /// offers DTLS 1.2 and accepts DTLS 1.0; set both bounds to one version to speak only
    /// that one.
    #[cfg(feature = "dtls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "dtls")))]
    pub fn dtls() -> Config {
        Config {
            min_version: ProtocolVersion::DTLSv1_0,
            // The newest this build has (DTLS 1.2 is skipped without `tls-1-2`).
            max_version: ProtocolVersion::DTLSv1_2,
            ..Config::default()
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            session_table_size: Self::SSL_SESSION_TABLE_SIZE,
            session_entry_life: Self::SSL_SESSION_ENTRY_LIFE,
            max_disabled_ciphers: Self::SSL_MAX_DISABLED_CIPHERS,
            dtls_pmtu: Self::DTLS_PMTU,
            min_version: ProtocolVersion::SSLv3,
            // The newest this build has (versions not compiled in are skipped).
            max_version: ProtocolVersion::TLSv1_2,
            session_memory_cap: Self::SESSION_MEMORY_CAP,
            record_splitting: true,
            rehandshakes_per_minute: Self::REHANDSHAKES_PER_MINUTE,
            keep_peer_certificates: false,
            #[cfg(feature = "stateless-session-tickets")]
            session_tickets: false,
            ec_groups: alloc::vec![Self::X25519, Self::SECP256R1, Self::SECP384R1],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_matrixssls() {
        let c = Config::default();
        assert_eq!(c.session_table_size, 32);
        assert_eq!(c.session_entry_life, Duration::from_secs(24 * 60 * 60));
        assert_eq!(c.max_disabled_ciphers, 8);
        assert_eq!(c.dtls_pmtu, 1500);
    }
}
