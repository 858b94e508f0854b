//! The server's side of RFC 5077 (feature `stateless-session-tickets`): resuming from the
//! ticket of a ClientHello (section 3.4, echoing the client's session id), announcing a
//! ticket with an empty SessionTicket extension in the ServerHello (section 3.2) and
//! sending it in a NewSessionTicket before our ChangeCipherSpec (section 3.3), in each full
//! handshake and in a resumption whose ticket an older key sealed. DTLS 1.0 and 1.2 too:
//! the NewSessionTicket is one more message of our last flight, retransmitted with it.
//! Without the feature every hook does nothing.

use alloc::vec::Vec;

use matrix_crypto::random::SecureRandom;

use super::{ServerHandshake, State};
use crate::alert::Fatal;
use crate::codec::ProtocolVersion;
use crate::codec::handshake::{ClientHello, Extension};

/// This handshake's ticket decisions.
#[cfg(feature = "stateless-session-tickets")]
#[derive(Default)]
pub(super) struct ServerTicket {
    /// The client sent the SessionTicket extension (empty or not).
    offered: bool,
    /// We announce and send a NewSessionTicket.
    issue: bool,
    /// When the session was created, in seconds of the context's clock (a renewed ticket
    /// keeps the first creation time, so that renewals never stretch a session past its
    /// lifetime). Seconds in 32 bits keep this state at 8 bytes, within the handshake's
    /// heap budget (`tests/memory_usage.rs`).
    created_s: u32,
}

/// Seconds of a millisecond time, saturated.
#[cfg(feature = "stateless-session-tickets")]
fn secs(ms: u64) -> u32 {
    matrix_core::osdep::secs_of_ms(ms)
}

#[cfg(feature = "stateless-session-tickets")]
impl ServerHandshake {
    /// Resumes from the client's ticket when it opens (authentic, live, our keys) and its
    /// session fits this hello (the same version, a suite offered and usable, the same EMS
    /// state, RFC 7627 section 5.3); `None` (a full handshake, no alert) otherwise. A
    /// ticket with no session id is not resumed: the client could not tell a resumption
    /// from a full handshake (section 3.4).
    pub(super) fn resume_by_ticket(
        &mut self,
        ch: &ClientHello,
        version: ProtocolVersion,
        rng: &mut dyn SecureRandom,
        out: &mut Outputs,
    ) -> Result<Option<State>, Fatal> {
        self.ticket = ServerTicket::default();
        // Not SSL 3.0, which predates hello extensions (RFC 5077 section 3.2 extends
        // TLS's); DTLS is TLS here.
        if version.is_ssl3() {
            return Ok(None);
        }
        let data = match ch.extension(crate::codec::ExtensionType::SessionTicket) {
            Some(Extension::Unknown { data, .. }) => data,
            _ => return Ok(None),
        };
        self.ticket.offered = true;
        if self.no_resume || data.is_empty() || ch.session_id.is_empty() {
            return Ok(None);
        }
        let ctx = alloc::sync::Arc::clone(&self.shared.ctx);
        let life = u64::try_from(ctx.config.session_entry_life.as_millis()).unwrap_or(u64::MAX);
        let opened = {
            let mut keys = ctx.tickets.lock();
            if !keys.can_open() {
                return Ok(None);
            }
            keys.open(data, ctx.now_ms(), life)
        };
        let Some(opened) = opened else {
            matrix_core::ps_trace_hs_msg!("server: ticket refused; full handshake");
            return Ok(None);
        };
        let st = &opened.state;
        let suite = match self.shared.suite_usable(st.suite, version) {
            Some(s)
                if st.version == version
                    && ch.cipher_suites.contains(&st.suite)
                    && st.ems == self.shared.ems =>
            {
                s
            }
            _ => return Ok(None),
        };
        self.shared.suite = Some(suite);
        self.shared.session_id = ch.session_id.clone();
        self.shared.master = Some(st.master.clone());
        self.shared.resumed = true;
        self.ticket.issue = opened.renew;
        self.ticket.created_s = secs(st.created_ms);
        self.emit_server_hello(ch, out);
        self.shared.derive_keys(crate::record::Side::Server)?;
        self.emit_new_session_ticket(rng, out)?;
        self.shared
            .emit_ccs_finished(out, matrix_crypto::prf::Sender::Server)?;
        matrix_core::ps_trace_hs_msg!("server: resuming from a ticket");
        Ok(Some(State::Ccs(super::ExpectCcs { resumed: true })))
    }

    /// A full handshake issues a ticket when the client asked and a key is loaded.
    pub(super) fn plan_ticket(&mut self) {
        let ctx = &self.shared.ctx;
        self.ticket.issue = self.ticket.offered && ctx.tickets.lock().can_issue();
        self.ticket.created_s = secs(ctx.now_ms());
    }

    /// The ServerHello's empty SessionTicket extension, when a ticket follows.
    pub(super) fn ticket_extension(&self, exts: &mut Vec<Extension>) {
        if self.ticket.issue {
            exts.push(Extension::Unknown {
                ext_type: crate::codec::ExtensionType::SessionTicket.get(),
                data: Vec::new(),
            });
        }
    }

    /// NewSessionTicket, when announced: the session sealed under the newest key, valid
    /// for `Config::session_entry_life` from its creation. If the key was deleted since the
    /// ServerHello, the ticket is empty (section 3.3: the server changed its mind).
    pub(super) fn emit_new_session_ticket(
        &mut self,
        rng: &mut dyn SecureRandom,
        out: &mut Outputs,
    ) -> Result<(), Fatal> {
        if !self.ticket.issue {
            return Ok(());
        }
        let sh = &self.shared;
        let (Some(master), Some(suite)) = (sh.master.as_ref(), sh.suite) else {
            return Err(Fatal::internal(matrix_core::Error::Failure));
        };
        let lifetime_s =
            u32::try_from(sh.ctx.config.session_entry_life.as_secs()).unwrap_or(u32::MAX);
        let state = crate::handshake::ticket::TicketState {
            version: sh.version,
            suite: suite.suite,
            ems: sh.ems,
            created_ms: u64::from(self.ticket.created_s) * 1000,
            lifetime_s,
            master: master.clone(),
        };
        let sealed = sh.ctx.tickets.lock().seal(&state, rng);
        let msg = crate::codec::ticket::NewSessionTicket {
            lifetime_hint: lifetime_s,
            ticket: match sealed {
                Ok(t) => t,
                Err(matrix_core::Error::Failure) => Vec::new(),
                Err(e) => return Err(Fatal::internal(e)),
            },
        };
        use crate::codec::Codec;
        self.shared
            .emit(out, crate::codec::HandshakeType::NewSessionTicket, |o| {
                msg.encode(o)
            });
        Ok(())
    }
}

#[cfg(not(feature = "stateless-session-tickets"))]
impl ServerHandshake {
    pub(super) fn resume_by_ticket(
        &mut self,
        _: &ClientHello,
        _: ProtocolVersion,
        _: &mut dyn SecureRandom,
        _: &mut Outputs,
    ) -> Result<Option<State>, Fatal> {
        Ok(None)
    }

    pub(super) fn plan_ticket(&mut self) {}

    pub(super) fn ticket_extension(&self, _: &mut Vec<Extension>) {}

    pub(super) fn emit_new_session_ticket(
        &mut self,
        _: &mut dyn SecureRandom,
        _: &mut Outputs,
    ) -> Result<(), Fatal> {
        Ok(())
    }
}

use crate::handshake::Outputs;
