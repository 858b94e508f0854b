//! `sslSessOpts_t` (MatrixSSL 3.x's session options) for client sessions:
//! `matrixSslNewClientSessionWithOpts`, matrixSslNewClientSession's arguments (3.2's) plus
//! the options MatrixSSL 3.x's constructor takes last.
//!
//! matrix reads `ticketResumption` (RFC 5077 tickets, feature `stateless-session-tickets`)
//! and `ecFlags` (the groups offered in supported_groups, feature `ecc`). The other fields
//! name RFC 6066 extensions and settings matrix does not have, so a value other than their
//! default is `PS_UNSUPPORTED_FAIL` rather than silently ignored; `userPtr` is the caller's.
//! The options of matrix-ssl are per context (`Config::session_tickets`,
//! `Config::ec_groups`), so each distinct option set gets a client context of its own,
//! opened on first use (`global::client_context`).

#[cfg(feature = "client-side-ssl")]
use matrix_core::Error;
#[cfg(feature = "client-side-ssl")]
use matrix_ssl::Config;

#[cfg(feature = "client-side-ssl")]
use crate::cert::{CertCb, ExtCb};
#[cfg(feature = "client-side-ssl")]
use crate::extensions::TlsExtension;
#[cfg(feature = "client-side-ssl")]
use crate::keys::SslKeys;
#[cfg(feature = "client-side-ssl")]
use crate::session::Ssl;
#[cfg(feature = "client-side-ssl")]
use crate::types::{SslSessOpts, SslSessionId};

/// `IS_SECP256R1` (MatrixSSL 3.x's `ecFlags` bit).
pub const IS_SECP256R1: i32 = 0x0000_0004;
/// `IS_SECP384R1`.
pub const IS_SECP384R1: i32 = 0x0000_0008;
/// `IS_X25519` (matrix extension: MatrixSSL 3.x had no X25519; a bit above its 24).
pub const IS_X25519: i32 = 0x0100_0000;

/// The options that select a client context.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ClientOpts {
    /// Ask for and offer tickets.
    tickets: bool,
    /// The groups to offer, preferred first; empty: the library's default.
    groups: Vec<u16>,
}

#[cfg(feature = "client-side-ssl")]
impl ClientOpts {
    /// Whether these are the library context's own settings.
    pub(crate) fn is_default(&self) -> bool {
        *self == ClientOpts::default()
    }

    /// The configuration of a context for these options.
    pub(crate) fn config(&self) -> Config {
        let mut c = Config::default();
        #[cfg(feature = "stateless-session-tickets")]
        {
            c.session_tickets = self.tickets;
        }
        if !self.groups.is_empty() {
            c.ec_groups.clone_from(&self.groups);
        }
        c
    }

    /// Reads a caller's `sslSessOpts_t`: `PS_ARG_FAIL` for a value no MatrixSSL accepts,
    /// `PS_UNSUPPORTED_FAIL` for an option this build does not have.
    pub(crate) fn from_c(o: &SslSessOpts) -> Result<ClientOpts, Error> {
        let tickets = match o.ticket_resumption {
            0 => false,
            1 if cfg!(feature = "stateless-session-tickets") => true,
            1 => return Err(Error::UnsupportedFail),
            _ => return Err(Error::ArgFail),
        };
        if !matches!(o.extended_master_secret, 0 | 1) {
            return Err(Error::UnsupportedFail);
        }
        let others = [
            o.max_frag_len,
            o.trunc_hmac,
            o.trusted_ca_indication,
            o.fallback_scsv,
        ];
        if others.iter().any(|v| *v != 0) || o.version_flag != 0 {
            return Err(Error::UnsupportedFail);
        }
        Ok(ClientOpts {
            tickets,
            groups: groups_of(o.ec_flags)?,
        })
    }
}

/// The groups `ecFlags` selects, in matrix's preference order (X25519, P-256, P-384).
#[cfg(feature = "client-side-ssl")]
fn groups_of(flags: i32) -> Result<Vec<u16>, Error> {
    if flags == 0 {
        return Ok(Vec::new());
    }
    if !cfg!(feature = "ecc") || flags & !(IS_SECP256R1 | IS_SECP384R1 | IS_X25519) != 0 {
        return Err(Error::UnsupportedFail);
    }
    Ok([
        (IS_X25519, Config::X25519),
        (IS_SECP256R1, Config::SECP256R1),
        (IS_SECP384R1, Config::SECP384R1),
    ]
    .iter()
    .filter(|(bit, _)| flags & bit != 0)
    .map(|(_, g)| *g)
    .collect())
}

/// `matrixSslNewClientSessionWithOpts` (matrix extension): `matrixSslNewClientSession` with
/// MatrixSSL 3.x's `sslSessOpts_t *options` (NULL: the defaults). Its returns, and
/// `PS_ARG_FAIL`/`PS_UNSUPPORTED_FAIL` for options as `ClientOpts::from_c` says.
#[cfg(feature = "client-side-ssl")]
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn matrixSslNewClientSessionWithOpts(
    ssl: *mut *mut Ssl,
    keys: *mut SslKeys,
    session_id: *mut SslSessionId,
    cipher_suite: u32,
    cert_validator_cb: Option<CertCb>,
    extensions: *mut TlsExtension,
    extension_cback: Option<ExtCb>,
    options: *const SslSessOpts,
) -> i32 {
    // SAFETY: NULL or the caller's options (the C contract).
    let opts = match unsafe { options.as_ref() }.map(ClientOpts::from_c) {
        None => ClientOpts::default(),
        Some(Ok(o)) => o,
        Some(Err(e)) => {
            if !ssl.is_null() {
                // SAFETY: non-NULL out-parameter: a failure leaves NULL in it.
                unsafe { ssl.write(std::ptr::null_mut()) };
            }
            return e.code();
        }
    };
    // SAFETY: forwarded.
    unsafe {
        crate::session::new_client_session(
            ssl,
            keys,
            session_id,
            cipher_suite,
            cert_validator_cb,
            extensions,
            extension_cback,
            &opts,
        )
    }
}
