//! Where every failure of a session becomes the alert it sends: the one mapping of
//! `DESIGN.md` ("errors map to alerts in one place").
//!
//! The handshake machines and the record processing report a [`Fatal`]: the alert
//! description RFC 2246/4346 section 7.2.2 (RFC 6101 section 5.4.2 for SSL 3.0) names for
//! the failure, and the `PS_*` code the API reports. [`Fatal::for_version`] then replaces
//! descriptions SSL 3.0 does not have with the nearest one it does, so an SSL 3.0 peer
//! never sees an alert it cannot decode.
//!
//! Which table applies is normally the session's version; a failure while a hello is read
//! uses the version the hello itself names instead ([`Fatal::in_table`]): the record
//! version of a first flight may legally be {3,0} for a TLS hello (RFC 5246 appendix
//! E.1), so the record cannot tell a TLS client from an SSL 3.0 one.

use matrix_core::Error;

use crate::codec::{AlertDescription, DecodeError, ProtocolVersion};

/// A failure that ends the session with a fatal alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Fatal {
    /// The alert to send.
    pub alert: AlertDescription,
    /// The code the API reports if it reports one.
    pub error: Error,
    /// Whether `alert` follows SSL 3.0's table, when the table is not the session's (a
    /// hello's failures follow the hello's version, see [`Fatal::in_table`]): all that
    /// [`Fatal::wire_alert`] asks of that version. One byte instead of a version, so that a
    /// `Fatal` is four bytes and a `Result<(), Fatal>` comes back in a register instead of
    /// through memory at every call of every step that can fail.
    pub table_ssl3: Option<bool>,
}

impl Fatal {
    /// A protocol failure sending `alert`.
    pub(crate) const fn new(alert: AlertDescription) -> Self {
        Fatal {
            alert,
            error: Error::ProtocolFail,
            table_ssl3: None,
        }
    }

    /// unexpected_message(10): a message or record not allowed in this state.
    pub(crate) const fn unexpected() -> Self {
        Fatal::new(AlertDescription::UnexpectedMessage)
    }

    /// A malformed message, with the alert `DecodeError::alert` gives for `version`.
    pub(crate) fn decode(e: DecodeError, version: ProtocolVersion) -> Self {
        Fatal {
            alert: e.alert(version),
            error: Error::ProtocolFail,
            table_ssl3: None,
        }
    }

    /// internal_error(80) for a local failure (entropy, memory) with its code.
    pub(crate) fn internal(error: Error) -> Self {
        Fatal {
            alert: AlertDescription::InternalError,
            error,
            table_ssl3: None,
        }
    }

    /// This failure reported in `table`'s alerts whatever the session's record version
    /// (a failure already placed in a table keeps it). [`Fatal::wire_alert`] then maps it
    /// as for a session of that version (decode_error becomes SSL 3.0's
    /// illegal_parameter, and so on).
    pub(crate) fn in_table(self, table: ProtocolVersion) -> Self {
        if self.table_ssl3.is_some() {
            return self;
        }
        Fatal {
            table_ssl3: Some(table.is_ssl3()),
            ..self
        }
    }

    /// The description to put on the wire to a peer speaking `version`: SSL 3.0 knows
    /// only close_notify, unexpected_message, bad_record_mac, decompression_failure,
    /// handshake_failure, no_certificate, bad/unsupported/revoked/expired/unknown
    /// certificate and illegal_parameter (RFC 6101 section 5.4.2); the TLS additions map to
    /// the nearest of those, as OpenSSL's SSLv3 alert mapping does.
    pub(crate) fn wire_alert(&self, version: ProtocolVersion) -> AlertDescription {
        if !self.table_ssl3.unwrap_or_else(|| version.is_ssl3()) {
            return self.alert;
        }
        use AlertDescription as A;
        match self.alert {
            A::DecryptionFailed | A::RecordOverflow => A::BadRecordMac,
            A::DecodeError | A::ProtocolVersion => A::IllegalParameter,
            A::UnknownCa | A::AccessDenied => A::BadCertificate,
            A::DecryptError
            | A::InsufficientSecurity
            | A::InternalError
            | A::InappropriateFallback
            | A::UserCanceled
            | A::NoRenegotiation
            | A::UnsupportedExtension
            | A::ExportRestriction
            | A::UnrecognizedName
            | A::UnknownPskIdentity => A::HandshakeFailure,
            other => other,
        }
    }
}

impl From<Error> for Fatal {
    fn from(e: Error) -> Self {
        Fatal::internal(e)
    }
}
