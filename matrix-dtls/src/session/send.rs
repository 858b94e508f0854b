//! Outgoing datagrams with the semantics of `matrixDtlsGetOutdata` / `matrixDtlsSentData`
//! (Appendix A of the API reference), and application data and closure alerts in.

use alloc::sync::Arc;
use alloc::vec::Vec;

use matrix_core::Error;
use matrix_ssl::codec::{AlertDescription, AlertLevel, ContentType};
use matrix_ssl::{CertValidator, Keys, Sent, SessionOption};
use zeroize::Zeroize;

use super::{DtlsSession, Kind, Outgoing};

impl DtlsSession {
    /// `matrixDtlsGetOutdata`: the next datagram to send (at most the PMTU), or an empty
    /// slice when there is none. Call it in a loop, each time followed by
    /// [`DtlsSession::sent_data`], until it returns nothing.
    ///
    /// Retransmission (case 7 of Appendix A): during the handshake, when nothing is queued
    /// and the previous call already returned nothing, with no datagram received since, the
    /// call is taken as the application's retransmission timer expiring: the last flight
    /// is rebuilt (new record sequence numbers, the current PMTU) and its first datagram
    /// returned. A server's HelloRequest is such a flight too, until the client's
    /// ClientHello (or its no_renegotiation) arrives. Once the handshake is complete the
    /// timer no longer applies: our final flight, if we sent it, goes again only when the
    /// peer retransmits its own (RFC 4347 section 4.2.4, the FINISHED state).
    pub fn get_outdata(&mut self) -> &[u8] {
        if self.out.is_empty() && self.queue_next_flight_datagram().is_err() {
            self.fail(AlertDescription::InternalError);
        }
        if self.out.is_empty() {
            let in_handshake = self
                .engine
                .as_ref()
                .is_none_or(|e| !e.is_complete() || e.hello_request_pending());
            if self.armed && in_handshake && !self.flight.is_empty() && !self.failed {
                matrix_core::ps_trace_dtls!("timeout: rebuilding the last flight");
                self.armed = false;
                if self.send_flight().is_err() {
                    self.fail(AlertDescription::InternalError);
                }
                self.queued = false;
            } else {
                self.armed = true;
            }
        }
        self.out.front().map_or(&[], |o| o.bytes.as_slice())
    }

    /// Whether datagrams are queued.
    pub fn has_outdata(&self) -> bool {
        !self.out.is_empty()
    }

    /// `matrixDtlsSentData`: the datagram `get_outdata` returned was sent (`n` is its
    /// length; 0 means it was not sent and stays queued). `RequestSend`: more datagrams
    /// wait; `Success`: none; `RequestClose`: the last one carried a fatal alert or
    /// close_notify; `HandshakeComplete`: it ended the flight with our Finished that
    /// completed the handshake. `PS_ARG_FAIL` for another length (a datagram is sent
    /// whole or not at all).
    pub fn sent_data(&mut self, n: usize) -> Result<Sent, Error> {
        let Some(front) = self.out.front() else {
            return if n == 0 {
                Ok(Sent::Success)
            } else {
                Err(Error::ArgFail)
            };
        };
        if n == 0 {
            return Ok(Sent::RequestSend);
        }
        if n != front.bytes.len() {
            return Err(Error::ArgFail);
        }
        let sent = self.out.pop_front();
        // Freed before the next datagram of the flight is protected, so that only one is
        // held at a time.
        let ended = sent.is_some_and(|o| o.kind == Kind::Flight && o.ends_flight);
        if self.out.is_empty() {
            // Everything went out: the queue's buffer goes too.
            self.out = alloc::collections::VecDeque::new();
        }
        if self.queue_next_flight_datagram().is_err() {
            self.fail(AlertDescription::InternalError);
        }
        let _ = self.recharge();
        if ended && self.complete_on_send {
            self.complete_on_send = false;
            return Ok(Sent::HandshakeComplete);
        }
        if !self.out.is_empty() {
            return Ok(Sent::RequestSend);
        }
        if self.closing {
            return Ok(Sent::RequestClose);
        }
        Ok(Sent::Success)
    }

    /// The most application data one record (one datagram) can carry at the current PMTU.
    pub fn max_app_data(&self) -> usize {
        self.writer
            .max_plaintext(self.writer.epoch(), self.ctx.pmtu())
            .unwrap_or(0)
    }

    fn check_can_write(&self) -> Result<(), Error> {
        if self.failed || self.closing || !self.established {
            return Err(Error::ProtocolFail);
        }
        Ok(())
    }

    /// `matrixSslGetWritebuf`: a buffer for up to `len` bytes of plaintext, shorter when a
    /// record of `len` bytes would not fit the PMTU. `PS_PROTOCOL_FAIL` before the
    /// handshake completes or after the session ended, `PS_ARG_FAIL` for 0.
    pub fn get_writebuf(&mut self, len: usize) -> Result<&mut [u8], Error> {
        self.check_can_write()?;
        if len == 0 {
            return Err(Error::ArgFail);
        }
        let n = len.min(self.max_app_data());
        if n == 0 {
            return Err(Error::LimitFail);
        }
        self.reserve(n.saturating_sub(self.wbuf.capacity()))?;
        self.wbuf.reserve_exact(n.saturating_sub(self.wbuf.len()));
        self.wbuf.resize(n, 0);
        self.recharge()?;
        Ok(self.wbuf.as_mut_slice())
    }

    /// `matrixSslEncodeWritebuf`: protects the first `len` bytes of the `get_writebuf`
    /// buffer into one datagram; returns its size.
    pub fn encode_writebuf(&mut self, len: usize) -> Result<usize, Error> {
        self.check_can_write()?;
        if len == 0 || len > self.wbuf.len() {
            return Err(Error::ArgFail);
        }
        // The staging buffer is used up: freed (wiped first: it held plaintext), the next
        // `get_writebuf` allocates again.
        let mut data = core::mem::take(&mut self.wbuf);
        let r = self.write_app_data(data.get(..len).unwrap_or_default());
        data.zeroize();
        drop(data);
        let _ = self.recharge();
        r
    }

    /// `matrixSslEncodeToOutdata`: protects `data` into one datagram; returns its size.
    /// `PS_LIMIT_FAIL` when the record would exceed the PMTU (see
    /// [`DtlsSession::max_app_data`]).
    pub fn encode_to_outdata(&mut self, data: &[u8]) -> Result<usize, Error> {
        self.check_can_write()?;
        if data.is_empty() {
            return Err(Error::ArgFail);
        }
        if data.len() > self.max_app_data() {
            return Err(Error::LimitFail);
        }
        self.write_app_data(data)
    }

    fn write_app_data(&mut self, data: &[u8]) -> Result<usize, Error> {
        let before = self.out.len();
        // The datagram is about as long as the data plus its protection.
        self.reserve(data.len() + 64)?;
        self.queue_record(ContentType::ApplicationData, data)?;
        let _ = self.recharge();
        self.queued = false;
        Ok(self.out.get(before).map_or(0, |o: &Outgoing| o.bytes.len()))
    }

    /// `matrixSslEncodeRehandshake`: starts a re-handshake of the established connection
    /// (RFC 5746; features `secure-rehandshakes` / `insecure-rehandshakes` of matrix-ssl)
    /// under the current keys, waiting in `get_outdata`: a client's new ClientHello, or a
    /// server's HelloRequest (message_seq 0, RFC 6347 section 4.2.2), each retransmitted
    /// on the timer like any flight until the peer answers. Application data keeps flowing
    /// both ways meanwhile; `received_data` (or `sent_data`) reports `HandshakeComplete`
    /// again when it ends. A peer that refuses with a no_renegotiation warning (reported as
    /// an `Alert`) ends the attempt; the connection goes on under the current keys. The
    /// arguments are those of matrix-ssl's `Session::encode_rehandshake`.
    ///
    /// A server should start one only once the peer's data showed that the previous
    /// handshake ended on both sides: the HelloRequest replaces our final flight, which a
    /// client that lost it could no longer get.
    ///
    /// `PS_PROTOCOL_FAIL` before the first handshake completes, during a re-handshake
    /// (a server's HelloRequest included) or after the session ended;
    /// `PS_UNSUPPORTED_FAIL` when this build does not renegotiate this connection;
    /// `PS_ARG_FAIL` for an option other than `FullHandshake`.
    pub fn encode_rehandshake(
        &mut self,
        keys: Option<Arc<Keys>>,
        cert_validator: Option<CertValidator>,
        option: Option<SessionOption>,
        cipher_suite: u16,
    ) -> Result<(), Error> {
        let full = match option {
            None => false,
            Some(SessionOption::FullHandshake) => true,
            Some(_) => return Err(Error::ArgFail),
        };
        let complete = self
            .engine
            .as_ref()
            .is_some_and(|e| e.is_complete() && !e.hello_request_pending());
        if self.failed || self.closing || !self.established || !complete {
            return Err(Error::ProtocolFail);
        }
        let Some(engine) = self.engine.as_mut() else {
            return Err(Error::ProtocolFail);
        };
        if let Some(k) = &keys {
            self.keys = Some(Arc::clone(k));
        }
        let mut outs = Vec::new();
        let started = engine
            .renegotiate(
                keys,
                cert_validator,
                full,
                cipher_suite,
                &mut *self.rng,
                &mut outs,
            )
            .map_err(|f| f.error)?;
        if !started {
            return Err(Error::UnsupportedFail);
        }
        if !engine.is_server() {
            // The server's answer counts from 0 (RFC 4347 section 4.2.2). A server's
            // HelloRequest is answered by a ClientHello that starts a new handshake (see
            // `starts_new_handshake`).
            self.reasm.reset(0);
        }
        self.apply_outputs(outs)?;
        // The hello is announced by `get_outdata`, not by a `RequestSend`.
        self.queued = false;
        Ok(())
    }

    /// `matrixSslEncodeClosureAlert`: queues close_notify; after it is sent `sent_data`
    /// says `RequestClose`. `PS_PROTOCOL_FAIL` when one or a fatal alert was queued
    /// already.
    pub fn encode_closure_alert(&mut self) -> Result<(), Error> {
        if self.closing {
            return Err(Error::ProtocolFail);
        }
        self.queue_record(
            ContentType::Alert,
            &[
                AlertLevel::Warning.get(),
                AlertDescription::CloseNotify.get(),
            ],
        )?;
        self.queued = false;
        self.closing = true;
        self.flight.clear();
        Ok(())
    }
}
