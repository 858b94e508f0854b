//! What each hello extension's body must be, by the hello that carries it: the rules a
//! decoder can check without session state, applied by `ClientHello::read` and
//! `ServerHello::read` after the extensions block itself has been read.
//!
//! Already enforced by the block's reader (`read_extensions` and `Extension::read_in` in
//! [`super::handshake`] for a ClientHello, `super::server_hello` for a ServerHello, which
//! applies this module's rules to the received bytes through `data_breaks_rule`), in both
//! roles: an extension_data that overruns its block or
//! the block that overruns the message (decode_error), trailing bytes inside a known
//! extension's data (decode_error), two extensions of one type (RFC 5246 section
//! 7.4.1.4 "MUST NOT"; illegal_parameter, RFC 5246 section 7.2.2's alert for "a field ...
//! inconsistent with other fields", as OpenSSL and BoringSSL answer it), and a
//! ServerHello's non-empty server_name (decode_error as soon as it is read, without
//! parsing it as a list: a client-only build has no list parser).
//!
//! Checked here, each a decode_error (RFC 5246 section 7.2.2: "a message could not be
//! decoded because some field was out of the specified range or the length of the
//! message was incorrect"):
//!
//! | extension | ClientHello | ServerHello |
//! |---|---|---|
//! | server_name (RFC 6066 section 3) | `server_name_list<1..2^16-1>`: an empty body or an empty list fails | the extension_data "SHALL be empty" |
//! | encrypt_then_mac (RFC 7366 section 2) | empty | empty |
//! | extended_master_secret (RFC 7627 section 5.1) | empty | empty |
//! | renegotiation_info (RFC 5746 section 3.2) | `renegotiated_connection<0..255>` exactly (read by `Extension::read`) | the same |
//! | SessionTicket (RFC 5077 section 3.2) | any ticket (empty: asks for one) | empty |
//!
//! What the contents must be (renegotiation_info's verify_data, handshake_failure;
//! an extension the client did not offer, unsupported_extension, RFC 5246 section
//! 7.4.1.4) is the handshake machines' business: it depends on the session.

use super::DecodeError;
use super::handshake::Extension;

/// encrypt_then_mac (RFC 7366 section 2).
const ENCRYPT_THEN_MAC: u16 = 22;
/// extended_master_secret (RFC 7627 section 5.1).
const EXTENDED_MASTER_SECRET: u16 = 23;
/// SessionTicket (RFC 5077 section 3.2).
const SESSION_TICKET: u16 = 35;

/// Which hello the extensions came in.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Hello {
    Client,
    Server,
}

/// Checks every extension of a hello against the table of the module documentation.
pub(super) fn check(exts: &[Extension], hello: Hello) -> Result<(), DecodeError> {
    exts.iter().try_for_each(|e| check_one(e, hello))
}

fn check_one(ext: &Extension, hello: Hello) -> Result<(), DecodeError> {
    match ext {
        // The client's list may not be empty (an empty extension_data decodes as an empty
        // list): `server_name_list<1..2^16-1>`.
        Extension::ServerName(names) if hello == Hello::Client && names.is_empty() => {
            Err(DecodeError::LengthOverLimit)
        }
        Extension::Unknown { ext_type, data } if data_breaks_rule(*ext_type, data, hello) => {
            Err(DecodeError::TrailingBytes)
        }
        _ => Ok(()),
    }
}

/// Whether an extension of type `ext_type` whose extension_data is `data` breaks one of
/// the table's "empty" rules in the hello `hello` (each a `TrailingBytes` decode_error):
/// every rule but the ClientHello's server_name list, which needs the parsed list. The
/// ServerHello's reader (`super::server_hello`) applies it to the received bytes.
pub(super) fn data_breaks_rule(ext_type: u16, data: &[u8], hello: Hello) -> bool {
    !data.is_empty()
        && (matches!(ext_type, ENCRYPT_THEN_MAC | EXTENDED_MASTER_SECRET)
            || (ext_type == SESSION_TICKET && hello == Hello::Server))
}
