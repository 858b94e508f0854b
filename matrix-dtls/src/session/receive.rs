//! Incoming datagrams: records are unprotected one by one (bad, replayed and wrong-epoch
//! ones dropped silently, RFC 4347 sections 4.1.2.1 and 4.1.2.5), handshake fragments are
//! reassembled and fed to the engine in order, the server's stateless cookie exchange runs
//! before any engine exists (section 4.2.1), and the peer's retransmissions trigger ours
//! (section 4.2.4).

use core::ops::Range;

use alloc::vec::Vec;
use matrix_core::Error;
use matrix_ssl::Received;
use matrix_ssl::codec::handshake::{ClientHello, DtlsHandshakeHeader, HelloVerifyRequest};
use matrix_ssl::codec::record::Alert;
use matrix_ssl::codec::{
    AlertDescription, AlertLevel, Codec, ContentType, HandshakeType, ProtocolVersion,
};
use matrix_ssl::engine::HandshakeEngine;

use super::{DtlsSession, Kind};
use crate::fragment::{Added, Message, encode_fragment, fragments, parse_fragments};
use crate::record::{DropReason, ReadEpoch, records};

/// The smallest read buffer `get_readbuf` offers, whatever the PMTU: an Ethernet frame,
/// what a peer on the same link may send (see [`DtlsSession::get_readbuf`]).
pub(crate) const MIN_READ_BUFFER: usize = 1500;

/// The largest record of the next epoch kept while its ChangeCipherSpec is missing: room
/// for a Finished and its protection, not for bulk data.
const MAX_EARLY_RECORD: usize = 256;

/// What one record turned out to be.
enum Step {
    Continue,
    AppData(Range<usize>),
    Alert(AlertLevel, AlertDescription),
}

impl DtlsSession {
    /// `matrixSslGetReadbuf`: where to receive the next datagram. Receiving into it
    /// discards what is left of the previous datagram; it is freed again once the
    /// datagram's records are processed.
    ///
    /// It holds the larger of the PMTU and 1500 bytes (an Ethernet frame): a
    /// datagram never exceeds the path's MTU, and a peer on the same link sends no more
    /// than the link's even when our PMTU is set lower. A larger datagram (a peer on a
    /// loopback or jumbo-frame link with a larger PMTU of its own) is cut by the socket;
    /// its last record is then incomplete and dropped as malformed, as RFC 4347 section
    /// 4.1.2.7 allows for invalid records, and the peer's retransmissions fail alike:
    /// give both ends PMTUs their links carry. Empty when the session's memory budget
    /// (`Config::session_memory_cap`) cannot hold it.
    pub fn get_readbuf(&mut self) -> &mut [u8] {
        let cap = self.ctx.pmtu().max(MIN_READ_BUFFER);
        self.in_pos = 0;
        self.in_end = 0;
        if self.inbuf.len() != cap {
            self.inbuf = Vec::new();
            let _ = self.recharge();
            if self.reserve(cap).is_err() {
                return &mut [];
            }
            self.inbuf.reserve_exact(cap);
            self.inbuf.resize(cap, 0);
        }
        let _ = self.recharge();
        &mut self.inbuf[..]
    }

    /// `matrixSslReceivedData`: one datagram of `n` bytes was received at the start of the
    /// `get_readbuf` buffer. Processes its records up to the first event for the
    /// application.
    ///
    /// `RequestSend`: datagrams wait in `get_outdata` (a reply, a retransmission, or a
    /// fatal alert, after which `sent_data` says `RequestClose`); `RequestRecv`: nothing to
    /// do but wait for the next datagram; `HandshakeComplete`; `AppData` and `Alert`: call
    /// [`DtlsSession::processed_data`] when done with them. `PS_ARG_FAIL` for 0 or more
    /// bytes than the buffer holds, `PS_PROTOCOL_FAIL` after the session ended.
    pub fn received_data(&mut self, n: usize) -> Result<Received<'_>, Error> {
        // An ended session says so first: its read buffer is gone.
        if self.failed {
            return Err(Error::ProtocolFail);
        }
        if n == 0 || n > self.inbuf.len() {
            return Err(Error::ArgFail);
        }
        self.in_pos = 0;
        self.in_end = n;
        // A datagram arrived: the next empty `get_outdata` is not a timeout.
        self.armed = false;
        let step = self.process();
        if !matches!(step, Step::AppData(_)) {
            self.release_drained_input();
        }
        Ok(self.outcome(step, false))
    }

    /// `matrixSslProcessedData`: goes on with the rest of the datagram. `Success` when it
    /// is used up and there is nothing to send.
    pub fn processed_data(&mut self) -> Result<Received<'_>, Error> {
        let step = self.process();
        if !matches!(step, Step::AppData(_)) {
            self.release_drained_input();
        }
        Ok(self.outcome(step, true))
    }

    fn outcome(&mut self, step: Step, processed: bool) -> Received<'_> {
        match step {
            Step::AppData(r) => Received::AppData(self.inbuf.get(r).unwrap_or_default()),
            Step::Alert(level, description) => Received::Alert { level, description },
            Step::Continue => {
                if self.just_completed && !self.failed {
                    self.just_completed = false;
                    Received::HandshakeComplete
                } else if self.queued {
                    self.queued = false;
                    Received::RequestSend
                } else if processed {
                    Received::Success
                } else {
                    Received::RequestRecv
                }
            }
        }
    }

    /// Processes records until one has something for the application or the datagram
    /// ends; then answers a retransmission of the peer's, if one came.
    fn process(&mut self) -> Step {
        while !self.failed {
            let start = self.in_pos;
            let Some(rest) = self.inbuf.get(start..self.in_end) else {
                break;
            };
            let Some((h, range)) = records(rest).next() else {
                // Used up, or malformed: the rest of the datagram is dropped.
                self.in_pos = self.in_end;
                break;
            };
            let range = start + range.start..start + range.end;
            self.in_pos = range.end;
            match self.handle_record(&h, range) {
                Step::Continue => {}
                other => return other,
            }
        }
        if self.retransmit_requested {
            self.retransmit_requested = false;
            if !self.failed
                && !self.flight.is_empty()
                && !self.out.iter().any(|o| o.kind == Kind::Flight)
            {
                matrix_core::ps_trace_dtls!("peer retransmitted: resending our flight");
                if self.send_flight().is_err() {
                    self.fail(AlertDescription::InternalError);
                }
            }
        }
        Step::Continue
    }

    fn handle_record(
        &mut self,
        h: &matrix_ssl::codec::record::DtlsRecordHeader,
        range: Range<usize>,
    ) -> Step {
        if !h.version.is_dtls() {
            matrix_core::ps_trace_dtls!("dropped a record of version {:?}", h.version);
            return Step::Continue;
        }
        let Some(fragment) = self.inbuf.get_mut(range.clone()) else {
            return Step::Continue;
        };
        let (pt, epoch) = match self.reader.unprotect(h, fragment) {
            Ok(x) => x,
            Err(DropReason::WrongEpoch)
                if h.content_type == ContentType::Handshake
                    && Some(h.epoch) == self.reader.epoch().checked_add(1)
                    && range.len() <= MAX_EARLY_RECORD =>
            {
                // Probably the Finished that overtook its ChangeCipherSpec: kept (one
                // record, unauthenticated until the CCS gives the keys) so that the
                // reordering costs no retransmission (RFC 4347 section 4.1 allows it).
                let raw = self.inbuf.get(range).unwrap_or_default().to_vec();
                self.early_record = Some((*h, raw));
                return Step::Continue;
            }
            Err(_reason) => {
                matrix_core::ps_trace_dtls!(
                    "dropped record epoch {} seq {}: {_reason:?}",
                    h.epoch,
                    h.sequence_number
                );
                return Step::Continue;
            }
        };
        let pt = range.start + pt.start..range.start + pt.end;
        match h.content_type {
            ContentType::Handshake => {
                // The datagram is lent out while its fragments are handled (no copy of
                // the record); nothing in that path reads the read buffer.
                let inbuf = core::mem::take(&mut self.inbuf);
                self.inbuf_lent = inbuf.capacity();
                self.handle_handshake(inbuf.get(pt).unwrap_or_default(), epoch);
                self.inbuf = inbuf;
                self.inbuf_lent = 0;
                Step::Continue
            }
            ContentType::ChangeCipherSpec => {
                let ok = self.inbuf.get(pt).is_some_and(|d| d == [1]);
                if ok {
                    self.handle_ccs();
                }
                Step::Continue
            }
            ContentType::Alert => self.handle_alert(pt),
            ContentType::ApplicationData => self.handle_app_data(pt),
            _ => Step::Continue,
        }
    }

    /// Whether the current read epoch is authenticated (after the first ChangeCipherSpec):
    /// a malformed message there is the peer's own, and fatal.
    fn authenticated(&self) -> bool {
        self.reader.epoch() > 0
    }

    fn handle_handshake(&mut self, data: &[u8], epoch: ReadEpoch) {
        if epoch == ReadEpoch::Previous {
            // Only a retransmission can still come in the old epoch.
            if parse_fragments(data).any(|f| f.is_ok_and(|(h, _)| self.ends_peer_flight(&h))) {
                self.retransmit_requested = true;
            }
            return;
        }
        if self.engine.is_none() {
            self.stateless_hello(data);
            return;
        }
        for f in parse_fragments(data) {
            let Ok((h, d)) = f else {
                if self.authenticated() {
                    self.fail(AlertDescription::DecodeError);
                    return;
                }
                break;
            };
            if self.starts_new_handshake(&h) {
                self.begin_peer_handshake();
            }
            match self.reasm.add(&h, d) {
                Ok(Added::Old) if self.ends_peer_flight(&h) => self.retransmit_requested = true,
                Ok(Added::Old) => {}
                Ok(_) => {}
                Err(e) if e.is_malformed() && self.authenticated() => {
                    self.fail(AlertDescription::DecodeError);
                    return;
                }
                Err(_e) => {
                    matrix_core::ps_trace_dtls!("dropped fragment seq {}: {_e:?}", h.message_seq);
                }
            }
        }
        // Partial messages are charged to the budget like every other buffer.
        if self.recharge().is_err() {
            self.fail(AlertDescription::InternalError);
            return;
        }
        self.deliver_messages();
    }

    /// Whether `h` starts the last message the peer sent before its current flight: the
    /// peer retransmitted its previous flight, so it lost (part of) ours. Answering only
    /// that message, not every old fragment, sends our flight once per retransmission of
    /// the peer's instead of once per datagram of it.
    fn ends_peer_flight(&self, h: &DtlsHandshakeHeader) -> bool {
        h.fragment_offset == 0 && h.message_seq.wrapping_add(1) == self.reasm.next_seq()
    }

    /// Whether `h` starts a new handshake on an established connection (a re-handshake):
    /// a HelloRequest to a client or a ClientHello to a server, with message_seq 0 (RFC
    /// 4347 section 4.2.2: every handshake counts from 0), under the keys of the handshake
    /// that completed. A retransmission of the hello that started the previous
    /// re-handshake comes in the previous epoch and never gets here.
    fn starts_new_handshake(&self, h: &DtlsHandshakeHeader) -> bool {
        let Some(engine) = self.engine.as_ref() else {
            return false;
        };
        let opening = if engine.is_server() {
            HandshakeType::ClientHello
        } else {
            HandshakeType::HelloRequest
        };
        self.authenticated()
            && self.established
            && engine.is_complete()
            && h.msg_type == opening
            && h.message_seq == 0
            && h.fragment_offset == 0
            && self.reasm.next_seq() > 0
    }

    /// The peer starts a re-handshake: its messages count from 0 again, and so do ours
    /// (a server's ServerHello answers the ClientHello with message_seq 0, or 1 after our
    /// HelloRequest took 0, RFC 6347 section 4.2.2; a client's ClientHello after a
    /// HelloRequest is its first message, 0, which the engine numbers).
    fn begin_peer_handshake(&mut self) {
        matrix_core::ps_trace_dtls!("the peer starts a re-handshake");
        self.reasm.reset(0);
        if let Some(e) = self.engine.as_mut()
            && e.is_server()
            && !e.hello_request_pending()
        {
            e.set_next_message_seq(0);
        }
    }

    fn deliver_messages(&mut self) {
        while !self.failed {
            let Some(m) = self.reasm.next_message() else {
                break;
            };
            let awaiting = self.engine.as_ref().is_some_and(|e| e.awaiting_finished());
            if m.msg_type == HandshakeType::Finished && !awaiting {
                // A Finished is valid only in the epoch the peer's ChangeCipherSpec opened.
                // One in the current epoch before that is the previous handshake's,
                // retransmitted late, whose message_seq the new handshake reuses (every
                // handshake counts from 0): it is dropped, and its number expected again.
                matrix_core::ps_trace_dtls!("dropped a stale Finished seq {}", m.message_seq);
                self.reasm.reset(m.message_seq);
                break;
            }
            self.deliver(m);
        }
    }

    /// Hands one whole message to the engine and queues its answer.
    fn deliver(&mut self, m: Message) {
        let Some(engine) = self.engine.as_mut() else {
            return;
        };
        matrix_core::ps_trace_dtls!("received {:?} seq {}", m.msg_type, m.message_seq);
        let was_complete = engine.is_complete();
        let mut outs = Vec::new();
        if let Err(f) = engine.handle_message_owned(
            m.msg_type,
            m.message_seq,
            m.body,
            &mut *self.rng,
            &mut outs,
        ) {
            self.fail(f.alert);
            return;
        }
        let now_complete = engine.is_complete();
        let flight = match self.apply_outputs(outs) {
            Ok(f) => f,
            Err(_) => {
                self.fail(AlertDescription::InternalError);
                return;
            }
        };
        if !was_complete && now_complete {
            self.established = true;
            self.completed_handshakes = self.completed_handshakes.saturating_add(1);
            if flight {
                // Our Finished ends the handshake: keep the flight until the peer's data
                // shows it arrived.
                self.complete_on_send = true;
            } else {
                // The peer's Finished ended it: its final flight proves ours arrived.
                self.flight.clear();
                self.just_completed = true;
            }
        }
    }

    /// A server without handshake state: collects a ClientHello, answers it with a
    /// HelloVerifyRequest unless its cookie verifies, and creates the engine when it does.
    fn stateless_hello(&mut self, data: &[u8]) {
        for f in parse_fragments(data) {
            let Ok((h, d)) = f else {
                break;
            };
            if h.msg_type != HandshakeType::ClientHello {
                continue;
            }
            if h.message_seq != self.reasm.next_seq() {
                // Without state, any message_seq is the one expected: a client that lost
                // our HelloVerifyRequest sends its hello again, a second hello carries the
                // next number (or any, after a client restart).
                self.reasm.reset(h.message_seq);
            }
            let _ = self.reasm.add(&h, d);
        }
        while let Some(m) = self.reasm.next_message() {
            if self.engine.is_some() {
                self.deliver(m);
                continue;
            }
            self.check_hello(m);
            if self.failed {
                return;
            }
        }
    }

    fn check_hello(&mut self, m: Message) {
        let Ok(hello) = ClientHello::read_bytes(&m.body) else {
            matrix_core::ps_trace_dtls!("dropped an undecodable ClientHello");
            return;
        };
        if !hello.client_version.is_dtls() {
            return;
        }
        if !self.ctx.verify_cookie(&self.client_addr, &hello) {
            if !self.out.is_empty() {
                // A HelloVerifyRequest is still waiting to be sent: one is enough, and a
                // peer cannot make the queue grow while the application does not send.
                return;
            }
            let cookie = self.ctx.cookie(&self.client_addr, &hello);
            let hvr = HelloVerifyRequest {
                server_version: ProtocolVersion::DTLSv1_0,
                cookie: cookie.to_vec(),
            }
            .get_encoding();
            let mut plain = Vec::new();
            for (h, d) in fragments(
                HandshakeType::HelloVerifyRequest,
                m.message_seq,
                &hvr,
                usize::MAX,
            ) {
                encode_fragment(&h, d, &mut plain);
            }
            matrix_core::ps_trace_dtls!("HelloVerifyRequest for ClientHello seq {}", m.message_seq);
            if self.queue_record(ContentType::Handshake, &plain).is_err() {
                self.fail(AlertDescription::InternalError);
            }
            return;
        }
        let Some(p) = self.pending_server.take() else {
            return;
        };
        let mut engine = match HandshakeEngine::new_server(self.ctx.context(), p.keys, p.validator)
        {
            Ok(e) => e,
            Err(_) => {
                self.fail(AlertDescription::InternalError);
                return;
            }
        };
        if let Some(on) = p.client_auth {
            // Accepted when the option was set (same keys and callback).
            let _ = engine.set_client_auth(on);
        }
        engine.set_next_message_seq(m.message_seq);
        self.engine = Some(engine);
        matrix_core::ps_trace_dtls!("cookie verified: handshake starts");
        self.deliver(m);
    }

    fn handle_ccs(&mut self) {
        let Some(engine) = self.engine.as_mut() else {
            return;
        };
        if !engine.expects_ccs() {
            // Early (the messages before it were lost) or a duplicate: the peer's
            // retransmission brings it again (RFC 4347 section 4.1).
            matrix_core::ps_trace_dtls!("dropped an unexpected ChangeCipherSpec");
            return;
        }
        match engine.handle_ccs() {
            Ok(dec) => {
                if self.reader.next_epoch(dec).is_err() {
                    self.fail(AlertDescription::InternalError);
                    return;
                }
            }
            Err(f) => {
                self.fail(f.alert);
                return;
            }
        }
        if let Some((h, mut raw)) = self.early_record.take()
            && let Ok((pt, ReadEpoch::Current)) = self.reader.unprotect(&h, &mut raw)
        {
            let data = raw.get(pt).unwrap_or_default().to_vec();
            self.handle_handshake(&data, ReadEpoch::Current);
        }
    }

    fn handle_alert(&mut self, pt: Range<usize>) -> Step {
        let Ok(alert) = Alert::read_bytes(self.inbuf.get(pt).unwrap_or_default()) else {
            return Step::Continue;
        };
        if alert.level == AlertLevel::Fatal || alert.description == AlertDescription::CloseNotify {
            self.failed = true;
            self.drop_flight_datagrams();
            self.flight.clear();
        } else if alert.description == AlertDescription::NoRenegotiation
            && self
                .engine
                .as_mut()
                .is_some_and(|e| e.abandon_renegotiation())
        {
            // The peer refused our re-handshake: stop sending its hello.
            matrix_core::ps_trace_dtls!("the peer refused the re-handshake");
            self.drop_flight_datagrams();
            self.flight.clear();
        }
        Step::Alert(alert.level, alert.description)
    }

    fn handle_app_data(&mut self, pt: Range<usize>) -> Step {
        let Some(engine) = self.engine.as_ref() else {
            return Step::Continue;
        };
        // Application data flows during a re-handshake too, but not between the peer's
        // ChangeCipherSpec and its Finished (the new keys are not confirmed yet).
        if !self.established || engine.awaiting_finished() || !self.authenticated() {
            return Step::Continue;
        }
        if engine.is_complete() && !engine.hello_request_pending() && self.completed_handshakes == 1
        {
            // A peer sends application data only once its first handshake is complete:
            // our final flight arrived, and nothing of the (unauthenticated) epoch 0 is of
            // use any more. Not so in a re-handshake, where data flows throughout: the
            // final flight is then kept, for the peer's retransmissions, until the next
            // one.
            self.flight.clear();
            self.reader.drop_previous();
        }
        if pt.is_empty() {
            return Step::Continue;
        }
        Step::AppData(pt)
    }
}
