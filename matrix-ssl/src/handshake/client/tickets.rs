//! The client's side of RFC 5077 (feature `stateless-session-tickets`, asked for with
//! `Config::session_tickets`): the SessionTicket extension in the ClientHello (section 3.2:
//! empty, or the ticket of the session offered, with a session id of our own when the
//! session has none so that the server's echo tells a resumption apart, section 3.4),
//! the server's announcement in its ServerHello, and its NewSessionTicket before the
//! ChangeCipherSpec (section 3.3). A NewSessionTicket that was not announced is
//! unexpected_message; a malformed one decode_error; an announced one that does not come
//! before the ChangeCipherSpec unexpected_message (over DTLS such a ChangeCipherSpec is
//! dropped as early, `expects_ccs`, since the ticket may be lost and retransmitted). In
//! TLS 1.0 to 1.2 and DTLS 1.0 and 1.2 (RFC 5077 applies to DTLS: NewSessionTicket is one
//! more message of the server's last flight). Without the feature every hook does nothing.

use alloc::vec::Vec;

use matrix_crypto::random::SecureRandom;

use super::ClientHandshake;
use crate::alert::Fatal;
use crate::codec::server_hello::ServerHelloView;
use crate::handshake::HsShared;
use crate::handshake::client_hello::HelloExtWriter;
use crate::session::SessionId;

/// The largest ticket a client sends or keeps: a NewSessionTicket is a handshake message,
/// so no server can give a larger one (`Config`'s 16 KiB message limit).
#[cfg(feature = "stateless-session-tickets")]
pub(crate) const MAX_CLIENT_TICKET_LEN: usize = 16 * 1024;

#[cfg(feature = "stateless-session-tickets")]
impl ClientHandshake {
    /// Adds the SessionTicket extension to a ClientHello being built, when the context
    /// asks for tickets: the ticket of `resume` (then with a random 32-byte session id if
    /// it has none), or empty to ask for one.
    pub(super) fn offer_ticket(
        shared: &HsShared,
        resume: &mut Option<SessionId>,
        exts: &mut HelloExtWriter,
        rng: &mut dyn SecureRandom,
    ) -> Result<(), matrix_core::Error> {
        if !shared.ctx.config.session_tickets {
            return Ok(());
        }
        let mut data: &[u8] = &[];
        if let Some(sid) = resume.as_mut()
            && !sid.ticket.is_empty()
            && sid.ticket.len() <= MAX_CLIENT_TICKET_LEN
        {
            if sid.id.is_empty() {
                let mut id = [0u8; 32];
                rng.fill_bytes(&mut id)?;
                sid.id = id.to_vec();
            }
            data = &sid.ticket;
        }
        let ext_type = crate::codec::ExtensionType::SessionTicket.get();
        exts.push(ext_type, data, true);
        Ok(())
    }

    /// Notes what the ServerHello says of tickets: whether a NewSessionTicket follows,
    /// and on a resumption the ticket that resumed (kept unless a new one comes).
    /// (Still waiting for the ServerHello: the session offered is that state's.)
    pub(super) fn note_server_ticket(&mut self, sh: &ServerHelloView<'_>) {
        let expected = sh
            .extension_data(crate::codec::ExtensionType::SessionTicket.get())
            .is_some();
        let resume = match &self.state {
            super::State::ServerHello(st) => st.resume.as_ref(),
            _ => None,
        };
        let resumed = resume.filter(|s| !sh.session_id.is_empty() && s.id == sh.session_id);
        let (ticket, lifetime_hint) = resumed
            .map(|s| (s.ticket.clone(), s.ticket_lifetime_hint))
            .unwrap_or_default();
        self.ticket = (expected || !ticket.is_empty()).then(|| {
            alloc::boxed::Box::new(crate::handshake::ticket::ClientTicket {
                expected,
                received: false,
                ticket,
                lifetime_hint,
            })
        });
    }

    /// The ticket to keep for `Session::session_id` and its lifetime hint.
    pub(crate) fn kept_ticket(&self) -> (Vec<u8>, u32) {
        self.ticket
            .as_ref()
            .map(|t| (t.ticket.clone(), t.lifetime_hint))
            .unwrap_or_default()
    }

    pub(super) fn ticket_heap_bytes(&self) -> usize {
        self.ticket
            .as_deref()
            .map_or(0, |t| core::mem::size_of_val(t) + t.heap_bytes())
    }

    /// Whether an announced NewSessionTicket has not come yet.
    pub(super) fn ticket_pending(&self) -> bool {
        self.ticket
            .as_ref()
            .is_some_and(|t| t.expected && !t.received)
    }

    /// The server's NewSessionTicket (only while [`Self::ticket_pending`]): kept for
    /// [`crate::Session::session_id`]. An empty ticket (the server changed its mind)
    /// leaves none.
    pub(super) fn new_session_ticket(&mut self, body: &[u8], raw: &[u8]) -> Result<(), Fatal> {
        use crate::codec::Codec;
        let version = self.shared.version;
        let nst = crate::codec::ticket::NewSessionTicket::read_bytes(body)
            .map_err(|e| Fatal::decode(e, version))?;
        if nst.ticket.len() > MAX_CLIENT_TICKET_LEN {
            return Err(Fatal::new(crate::codec::AlertDescription::DecodeError));
        }
        self.shared.transcript_update(raw);
        if let Some(t) = self.ticket.as_mut() {
            t.received = true;
            t.ticket = nst.ticket;
            t.lifetime_hint = nst.lifetime_hint;
        }
        Ok(())
    }
}

#[cfg(not(feature = "stateless-session-tickets"))]
impl ClientHandshake {
    pub(super) fn offer_ticket(
        _: &HsShared,
        _: &mut Option<SessionId>,
        _: &mut HelloExtWriter,
        _: &mut dyn SecureRandom,
    ) -> Result<(), matrix_core::Error> {
        Ok(())
    }

    pub(super) fn note_server_ticket(&mut self, _: &ServerHelloView<'_>) {}

    pub(crate) fn kept_ticket(&self) -> (Vec<u8>, u32) {
        (Vec::new(), 0)
    }

    pub(super) fn ticket_heap_bytes(&self) -> usize {
        0
    }

    pub(super) fn ticket_pending(&self) -> bool {
        false
    }

    pub(super) fn new_session_ticket(&mut self, _: &[u8], _: &[u8]) -> Result<(), Fatal> {
        Err(Fatal::unexpected())
    }
}
