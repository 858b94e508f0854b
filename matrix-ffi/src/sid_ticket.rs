//! The RFC 5077 ticket in a caller's `sslSessionId_t` (MatrixSSL 3.4+'s `sessionTicket`,
//! `sessionTicketLen`, `sessionTicketLifetimeHint`; feature `stateless-session-tickets`).
//!
//! The ticket is variable-length, so `sslSessionId_t` (the caller's storage) points at a
//! buffer the library allocates: a boxed slice whose length is `sessionTicketLen`. It is
//! replaced when a later handshake of the session stores a new state, and freed by
//! `matrixSslDeleteSessionId`. `matrixSslInitSessionId` clears the fields without freeing
//! (it may be given uninitialised storage), as MatrixSSL 3.2's clears the structure.
//! Without the feature every function here does nothing.

use matrix_ssl::SessionId;

use crate::types::SslSessionId;

/// `session` with the ticket of `s` attached (unchanged when `s` holds none).
#[cfg(all(
    feature = "stateless-session-tickets",
    any(feature = "client-side-ssl", feature = "dtls")
))]
pub(crate) fn attach(s: &SslSessionId, session: SessionId) -> Option<SessionId> {
    if s.session_ticket.is_null() || s.session_ticket_len == 0 {
        return Some(session);
    }
    // SAFETY: a non-NULL ticket pointer of an initialised sslSessionId_t is the buffer
    // `store` allocated with this length (the header says the fields are the library's).
    let t =
        unsafe { std::slice::from_raw_parts(s.session_ticket, usize::from(s.session_ticket_len)) };
    session.with_ticket(t, s.session_ticket_lifetime_hint).ok()
}

/// Without tickets: the session as it is.
#[cfg(all(
    not(feature = "stateless-session-tickets"),
    any(feature = "client-side-ssl", feature = "dtls")
))]
pub(crate) fn attach(_s: &SslSessionId, session: SessionId) -> Option<SessionId> {
    Some(session)
}

/// Whether `s` holds a ticket (a session resumable by ticket alone).
#[cfg(feature = "stateless-session-tickets")]
pub(crate) fn has_ticket(s: &SslSessionId) -> bool {
    !s.session_ticket.is_null() && s.session_ticket_len != 0
}

/// Without tickets: never.
#[cfg(all(
    not(feature = "stateless-session-tickets"),
    any(feature = "client-side-ssl", feature = "dtls")
))]
pub(crate) fn has_ticket(_s: &SslSessionId) -> bool {
    false
}

/// Frees the ticket buffer of `s` (if any) and clears the ticket fields.
#[cfg(feature = "stateless-session-tickets")]
pub(crate) fn free(s: &mut SslSessionId) {
    if !s.session_ticket.is_null() {
        let len = usize::from(s.session_ticket_len);
        let raw = std::ptr::slice_from_raw_parts_mut(s.session_ticket, len);
        // SAFETY: allocated by `store` as a Box<[u8]> of this length and not yet freed (it
        // is set to NULL right after): rebuilt once and dropped, wiped first.
        let mut b = unsafe { Box::from_raw(raw) };
        zeroize::Zeroize::zeroize(&mut b[..]);
        drop(b);
    }
    clear(s);
}

/// Without tickets: nothing to free.
#[cfg(not(feature = "stateless-session-tickets"))]
pub(crate) fn free(_s: &mut SslSessionId) {}

/// Clears the ticket fields without freeing (storage that may be uninitialised).
#[cfg(feature = "stateless-session-tickets")]
pub(crate) fn clear(s: &mut SslSessionId) {
    s.session_ticket = std::ptr::null_mut();
    s.session_ticket_len = 0;
    s.session_ticket_state = 0;
    s.session_ticket_lifetime_hint = 0;
}

/// Without tickets: no fields.
#[cfg(not(feature = "stateless-session-tickets"))]
pub(crate) fn clear(_s: &mut SslSessionId) {}

/// Stores the ticket of `id` in `out`, replacing (and freeing) the one it held.
#[cfg(feature = "stateless-session-tickets")]
pub(crate) fn store(out: &mut SslSessionId, id: &SessionId) {
    let t = id.ticket();
    if has_ticket(out) {
        // SAFETY: as in `attach`.
        let old = unsafe {
            std::slice::from_raw_parts(out.session_ticket, usize::from(out.session_ticket_len))
        };
        if old == t {
            out.session_ticket_lifetime_hint = id.ticket_lifetime_hint();
            return;
        }
    }
    free(out);
    let Ok(len) = u16::try_from(t.len()) else {
        return;
    };
    if len == 0 {
        return;
    }
    let b: Box<[u8]> = t.into();
    out.session_ticket = Box::into_raw(b).cast::<u8>();
    out.session_ticket_len = len;
    out.session_ticket_state = 1;
    out.session_ticket_lifetime_hint = id.ticket_lifetime_hint();
}

/// Without tickets: nothing to store.
#[cfg(not(feature = "stateless-session-tickets"))]
pub(crate) fn store(_out: &mut SslSessionId, _id: &SessionId) {}
