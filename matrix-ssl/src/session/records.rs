//! The buffer API's record handling (RFC 2246 section 6.2, RFC 6101 section 5.2): framing
//! received bytes into records, decrypting them in place, routing their contents to the
//! handshake machine, the alert protocol or the application, and encoding outgoing
//! records. Every failure ends in [`Session::fail`], which queues the fatal alert.

use alloc::vec::Vec;
use core::ops::Range;

use matrix_core::Error;

use super::reneg_limit::Verdict;
use super::{Received, Sent, Session};
use crate::alert::Fatal;
use crate::codec::framing::{Framed, HandshakeFramer};
use crate::codec::record::{MAX_CIPHERTEXT_LEN, MAX_PLAINTEXT_LEN, RecordHeader, TLS_HEADER_LEN};
use crate::codec::{AlertDescription, AlertLevel, ContentType, DecodeError, HandshakeType};
use crate::handshake::Outputs;

/// What `get_readbuf` offers when no record header is buffered: an Ethernet frame's
/// worth, enough for small records and the header of a large one, whose size the next
/// `get_readbuf` then allocates exactly.
const READ_CHUNK: usize = 1500;
/// The most handshake bytes buffered: the largest message the framer accepts
/// (Certificate, 64 KiB) plus a record's worth that may follow it.
const MAX_HS_BUFFER: usize = 64 * 1024 + 4 + MAX_PLAINTEXT_LEN;

/// The most records in a row that carry nothing (warning alerts, empty application-data
/// records) before the session ends with unexpected_message: an honest peer sends a few,
/// a hostile one loops the receiver on them (CVE-2016-8610).
pub(crate) const MAX_IDLE_RECORDS: u32 = 16;

/// What one record turned out to be.
enum Step {
    /// Handled inside (handshake, ChangeCipherSpec, an empty record): go on.
    Continue,
    /// Application data at this range of the read buffer.
    AppData(Range<usize>),
    /// An alert for the application.
    Alert(AlertLevel, AlertDescription),
}

impl Session {
    /// `matrixSslGetReadbuf`: where to put received bytes. The slice is never empty unless
    /// the session's memory budget is exhausted; it is as long as the rest of the record
    /// being read, or 1500 bytes when no record header is buffered.
    ///
    /// The buffer is allocated here, on demand, and released as soon as every record in
    /// it has been processed (see [`Session::memory_usage`]): an idle session holds no
    /// read buffer.
    pub fn get_readbuf(&mut self) -> &mut [u8] {
        if self.in_start > 0 {
            self.inbuf.copy_within(self.in_start..self.in_end, 0);
            self.in_end -= self.in_start;
            self.in_start = 0;
        }
        // The rest of the record being read, or a first chunk: buffers follow the records
        // instead of a fixed worst case (18 KiB per session and direction).
        let need = self.record_need();
        let want = need.max(self.in_end + READ_CHUNK);
        // What must fit at the least: the rest of the current record, or one more byte.
        let least = need.max(self.in_end + 1);
        // All of `want` if the budget allows, else at least `least` if it allows that.
        let len = self.inbuf.len();
        let target = if self.reserve(want.saturating_sub(len)).is_ok() {
            want
        } else {
            least
        };
        if len < target && self.reserve(target - len).is_ok() {
            self.grow_inbuf(target);
        }
        self.recharge();
        let end = self.in_end;
        self.inbuf.get_mut(end..).unwrap_or_default()
    }

    /// `matrixSslGetReadbuf` with its failure told apart: [`Session::get_readbuf`], but
    /// `PS_MEM_FAIL` instead of an empty slice when the session's memory budget
    /// (`Config::session_memory_cap`) leaves no room to read into, as C returns a negative
    /// code there.
    pub fn try_get_readbuf(&mut self) -> Result<&mut [u8], Error> {
        let buf = self.get_readbuf();
        if buf.is_empty() {
            return Err(Error::MemFail);
        }
        Ok(buf)
    }

    /// Grows the read buffer to `len` bytes, allocating exactly that (a doubling would
    /// hold memory the budget did not allow).
    fn grow_inbuf(&mut self, len: usize) {
        self.inbuf
            .reserve_exact(len.saturating_sub(self.inbuf.len()));
        self.inbuf.resize(len, 0);
    }

    /// Frees the read buffer once nothing in it is left to process (MatrixSSL 3.x shrinks
    /// its input buffer when drained): the next `get_readbuf` allocates again.
    fn release_drained_input(&mut self) {
        if self.in_start >= self.in_end && self.inbuf.capacity() > 0 {
            self.inbuf = Vec::new();
            self.in_start = 0;
            self.in_end = 0;
            self.recharge();
        }
    }

    /// `matrixSslReceivedData`: `n` bytes were written at the start of the last
    /// `get_readbuf` slice. Processes every complete record and says what to do next.
    ///
    /// A protocol failure queues a fatal alert and returns `RequestSend` (then
    /// `sent_data` says `RequestClose`); calls after that fail with `PS_PROTOCOL_FAIL`.
    /// More than 16 records in a row that carry nothing (warning alerts, empty
    /// application-data records) are such a failure (unexpected_message).
    /// `PS_ARG_FAIL` when `n` is 0 or more than the slice held.
    pub fn received_data(&mut self, n: usize) -> Result<Received<'_>, Error> {
        // An ended session says so first: its read buffer is gone.
        if self.failed {
            return Err(Error::ProtocolFail);
        }
        if n == 0 || n > self.inbuf.len().saturating_sub(self.in_end) {
            return Err(Error::ArgFail);
        }
        self.in_end += n;
        Ok(self.process_and_answer(false))
    }

    /// `matrixSslProcessedData`: the application is done with the data or alert the last
    /// call returned; processes the next buffered record, if any. `Success` when nothing
    /// is left, `RequestRecv` when part of a record is.
    pub fn processed_data(&mut self) -> Result<Received<'_>, Error> {
        if self.failed && !self.has_outdata() {
            // After a fatal alert both ways there is nothing left to process.
            return Ok(Received::Success);
        }
        Ok(self.process_and_answer(true))
    }

    /// What `received_data` (`processed` false) and `processed_data` share: processes
    /// the buffered records, frees a drained read buffer and says what happened.
    fn process_and_answer(&mut self, processed: bool) -> Received<'_> {
        match self.process(processed) {
            Ok(answer) => answer,
            Err(data) => Received::AppData(self.inbuf.get(data).unwrap_or_default()),
        }
    }

    /// `matrixSslGetOutdata`: the bytes waiting to be sent (empty when none).
    pub fn get_outdata(&self) -> &[u8] {
        self.outbuf.get(self.out_start..).unwrap_or_default()
    }

    /// `matrixSslSentData`: `n` bytes of `get_outdata` went out. `PS_ARG_FAIL` for more
    /// than were waiting.
    pub fn sent_data(&mut self, n: usize) -> Result<Sent, Error> {
        let pending = self.outbuf.len() - self.out_start;
        if n > pending {
            return Err(Error::ArgFail);
        }
        self.out_start += n;
        if self.out_start < self.outbuf.len() {
            return Ok(Sent::RequestSend);
        }
        // Everything went out: the buffer is freed, the next record allocates again.
        self.outbuf = Vec::new();
        self.out_start = 0;
        self.recharge();
        if self.closing {
            return Ok(Sent::RequestClose);
        }
        if self.complete_on_send {
            self.complete_on_send = false;
            self.reported_complete = true;
            return Ok(Sent::HandshakeComplete);
        }
        Ok(Sent::Success)
    }

    /// `matrixSslGetWritebuf`: a buffer for up to `len` bytes of plaintext, at most 16 KiB
    /// (one record); write into it and call [`Session::encode_writebuf`].
    /// `PS_PROTOCOL_FAIL` before the handshake completes or after the session closed,
    /// `PS_ARG_FAIL` for 0, `PS_MEM_FAIL` past the memory budget.
    pub fn get_writebuf(&mut self, len: usize) -> Result<&mut [u8], Error> {
        self.check_can_write()?;
        if len == 0 {
            return Err(Error::ArgFail);
        }
        let n = len.min(MAX_PLAINTEXT_LEN);
        if self.wbuf.len() < n {
            self.reserve(n - self.wbuf.len()).map_err(|f| f.error)?;
        }
        self.wbuf.reserve_exact(n.saturating_sub(self.wbuf.len()));
        self.wbuf.resize(n, 0);
        self.recharge();
        Ok(self.wbuf.as_mut_slice())
    }

    /// `matrixSslEncodeWritebuf`: encrypts the first `len` bytes of the `get_writebuf`
    /// buffer into the outgoing data; returns how many bytes that added.
    pub fn encode_writebuf(&mut self, len: usize) -> Result<usize, Error> {
        self.check_can_write()?;
        if len == 0 || len > self.wbuf.len() {
            return Err(Error::ArgFail);
        }
        // The staging buffer is used up: it is freed (the next `get_writebuf` allocates).
        let data = core::mem::take(&mut self.wbuf);
        let r = self.write_app_data(data.get(..len).unwrap_or_default());
        drop(data);
        self.recharge();
        r
    }

    /// `matrixSslEncodeToOutdata`: encrypts `data` (at most 16 KiB, else `PS_LIMIT_FAIL`)
    /// into the outgoing data, leaving it untouched; returns how many bytes that added.
    pub fn encode_to_outdata(&mut self, data: &[u8]) -> Result<usize, Error> {
        self.check_can_write()?;
        if data.is_empty() {
            return Err(Error::ArgFail);
        }
        if data.len() > MAX_PLAINTEXT_LEN {
            return Err(Error::LimitFail);
        }
        self.write_app_data(data)
    }

    /// `matrixSslEncodeClosureAlert`: queues a close_notify warning; after it is sent,
    /// `sent_data` says `RequestClose`. `PS_PROTOCOL_FAIL` when a fatal alert or close_notify was queued already.
    pub fn encode_closure_alert(&mut self) -> Result<(), Error> {
        if self.closing {
            return Err(Error::ProtocolFail);
        }
        self.write_records(
            ContentType::Alert,
            &[
                AlertLevel::Warning.get(),
                AlertDescription::CloseNotify.get(),
            ],
        )
        .map_err(|f| f.error)?;
        self.closing = true;
        Ok(())
    }

    fn check_can_write(&self) -> Result<(), Error> {
        if self.failed || self.closing || !self.established {
            return Err(Error::ProtocolFail);
        }
        Ok(())
    }

    fn has_outdata(&self) -> bool {
        self.out_start < self.outbuf.len()
    }

    /// Application data, split 1/n-1 under SSL 3.0/TLS 1.0 CBC suites (BEAST).
    fn write_app_data(&mut self, data: &[u8]) -> Result<usize, Error> {
        let before = self.outbuf.len();
        let split =
            self.ctx.config.record_splitting && self.enc.wants_record_splitting() && data.len() > 1;
        // One call site for the records of `data` (the split only moves its first byte
        // ahead in a record of its own).
        let mut rest = data;
        if split && let Some((first, tail)) = data.split_first() {
            self.write_records(ContentType::ApplicationData, core::slice::from_ref(first))
                .map_err(|f| f.error)?;
            rest = tail;
        }
        self.write_records(ContentType::ApplicationData, rest)
            .map_err(|f| f.error)?;
        Ok(self.outbuf.len() - before)
    }

    /// Encodes `data` as records of at most 2^14 bytes under the current write state.
    pub(crate) fn write_records(&mut self, ct: ContentType, data: &[u8]) -> Result<(), Fatal> {
        for chunk in data.chunks(MAX_PLAINTEXT_LEN) {
            let need = TLS_HEADER_LEN + self.enc.encrypted_len(chunk.len());
            if self.outbuf.capacity() - self.outbuf.len() < need {
                self.reserve(need)?;
                self.outbuf.reserve_exact(need);
            }
            let start = self.outbuf.len();
            // The header (RFC 2246 section 6.2.1) in one write; its length is set below.
            let [v_hi, v_lo] = self.version.get().to_be_bytes();
            self.outbuf.extend_from_slice(&[ct.get(), v_hi, v_lo, 0, 0]);
            self.enc.encrypt(
                self.write_seq,
                ct,
                self.version,
                chunk,
                &mut self.rng,
                &mut self.outbuf,
            )?;
            self.write_seq = self.write_seq.wrapping_add(1);
            let len = self.outbuf.len() - start - TLS_HEADER_LEN;
            let len = u16::try_from(len).map_err(|_| Fatal::internal(Error::Failure))?;
            if let Some([hi, lo]) = self.outbuf.get_mut(start + 3..start + 5) {
                [*hi, *lo] = len.to_be_bytes();
            }
        }
        self.recharge();
        Ok(())
    }

    /// Refuses to grow past the session's budget.
    fn reserve(&mut self, extra: usize) -> Result<(), Fatal> {
        if extra > self.budget.available() {
            return Err(Fatal::internal(Error::MemFail));
        }
        Ok(())
    }

    /// Charges the buffers' current sizes to the budget, and notes the session's heap.
    fn recharge(&mut self) {
        let now = self.buffer_bytes();
        self.note_heap(now);
        if self.budget.resize(self.charged, now).is_err() {
            // A growth `reserve` allowed cannot be refused here except by allocator
            // rounding; charge what the cap allows so the accounting stays monotone.
            let _ = self.budget.resize(self.charged, self.budget.cap());
            self.charged = self.budget.used();
            return;
        }
        self.charged = now;
    }

    /// The whole size of the record whose start is buffered (0 when no header is).
    fn record_need(&self) -> usize {
        let head = self
            .inbuf
            .get(self.in_start..self.in_end)
            .unwrap_or_default();
        match head.get(3..5) {
            Some([a, b]) => {
                TLS_HEADER_LEN + (usize::from(*a) << 8 | usize::from(*b)).min(MAX_CIPHERTEXT_LEN)
            }
            _ => 0,
        }
    }

    /// Ends the session with `fatal`: queues the alert, forgets the input, and forbids a
    /// resumption of the session (RFC 2246 section 7.2.2).
    pub(crate) fn fail(&mut self, fatal: Fatal) {
        matrix_core::ps_trace_info!("session failed: {:?}", fatal);
        self.failed = true;
        self.in_start = self.in_end;
        self.hsbuf = Vec::new();
        let alert = fatal.wire_alert(self.version);
        if self
            .write_records(ContentType::Alert, &[AlertLevel::Fatal.get(), alert.get()])
            .is_ok()
        {
            self.closing = true;
            self.sent_fatal = true;
        }
        self.forget_cached_session();
    }

    #[cfg(feature = "server-side-ssl")]
    pub(super) fn forget_cached_session(&self) {
        let id = &self.hs.shared().session_id;
        if !id.is_empty() && self.hs.is_server() {
            self.ctx.cache.lock().remove(id);
        }
    }

    /// Clients keep no cache: the application drops its `SessionId` instead.
    #[cfg(not(feature = "server-side-ssl"))]
    pub(super) fn forget_cached_session(&self) {}

    /// Processes records until one needs the application or the buffer runs out, and
    /// says so: `Err` with the range of a record of application data in the read buffer
    /// (kept for it), else the answer, after a drained read buffer is freed. Out of line:
    /// inlined into its one caller it grows by about 160 B on the Cortex-M4.
    #[inline(never)]
    fn process(&mut self, processed: bool) -> Result<Received<'static>, Range<usize>> {
        let answer = self.process_records(processed)?;
        self.release_drained_input();
        Ok(answer)
    }

    fn process_records(&mut self, processed: bool) -> Result<Received<'static>, Range<usize>> {
        if !self.failed {
            loop {
                match self.next_record() {
                    Ok(Some(Step::Continue)) => {}
                    Ok(Some(Step::AppData(r))) => {
                        if self.hs.is_complete() {
                            self.reported_complete = true;
                        }
                        return Err(r);
                    }
                    Ok(Some(Step::Alert(level, description))) => {
                        return Ok(Received::Alert { level, description });
                    }
                    Ok(None) => break,
                    Err(f) => {
                        self.fail(f);
                        self.flight_pending = false;
                        return Ok(Received::RequestSend);
                    }
                }
            }
            if self.flight_pending {
                self.flight_pending = false;
                if self.hs.is_complete() && !self.reported_complete {
                    self.complete_on_send = true;
                }
                return Ok(Received::RequestSend);
            }
            if self.hs.is_complete() && !self.reported_complete && !self.complete_on_send {
                self.reported_complete = true;
                return Ok(Received::HandshakeComplete);
            }
        }
        // Drained: `Success` only for `processed_data` with no part of a record left.
        if processed && self.in_end <= self.in_start {
            return Ok(Received::Success);
        }
        Ok(Received::RequestRecv)
    }

    /// A server's first record may be an SSL 2.0-format ClientHello (RFC 2246 appendix
    /// E.1): `Some` when it was one (handled, or incomplete), `None` to read a normal
    /// record.
    #[cfg(feature = "server-side-ssl")]
    fn sslv2_hello(&mut self) -> Option<Result<Option<Step>, Fatal>> {
        use crate::codec::sslv2::{
            MAX_SSLV2_HELLO_LEN, Sslv2Detect, detect_sslv2_client_hello, read_sslv2_client_hello,
        };
        let server = self.hs.as_server_mut()?;
        if server.version_negotiated() || self.read_seq != 0 || self.established {
            return None;
        }
        let avail = self
            .inbuf
            .get(self.in_start..self.in_end)
            .unwrap_or_default();
        let record_len = match detect_sslv2_client_hello(avail) {
            Sslv2Detect::NotSslv2 => return None,
            Sslv2Detect::ClientHello { record_len } => record_len,
            _ => return Some(Ok(None)),
        };
        if record_len > MAX_SSLV2_HELLO_LEN + 2 {
            return Some(Err(Fatal::new(AlertDescription::IllegalParameter)));
        }
        if avail.len() < record_len {
            return Some(Ok(None));
        }
        let record = avail.get(..record_len).unwrap_or_default();
        let v2 = match read_sslv2_client_hello(record) {
            Ok(v2) => v2,
            Err(e) => return Some(Err(server.sslv2_hello_failure(record, e))),
        };
        let mut out = Outputs::new();
        if let Err(f) = server.handle_sslv2_hello(&v2.hello, v2.hash_bytes, &mut self.rng, &mut out)
        {
            return Some(Err(f));
        }
        self.in_start += record_len;
        // Counts the hello as the first record, so a second one is never taken for SSLv2.
        self.read_seq = 1;
        self.version = self.hs.shared().version;
        Some(self.apply_outputs(out).map(|()| Some(Step::Continue)))
    }

    #[cfg(not(feature = "server-side-ssl"))]
    fn sslv2_hello(&mut self) -> Option<Result<Option<Step>, Fatal>> {
        None
    }

    /// Reads, decrypts and routes one whole record, if one is buffered.
    fn next_record(&mut self) -> Result<Option<Step>, Fatal> {
        if let Some(r) = self.sslv2_hello() {
            return r;
        }
        let avail = self
            .inbuf
            .get(self.in_start..self.in_end)
            .unwrap_or_default();
        let Some(&[ct, v_hi, v_lo, l_hi, l_lo]) = avail.get(..TLS_HEADER_LEN) else {
            return Ok(None);
        };
        let version = self.version;
        // With the five bytes in hand, a length over the limit is the header's only
        // failure.
        let header = RecordHeader::parse([ct, v_hi, v_lo, l_hi, l_lo])
            .map_err(|_| Fatal::new(AlertDescription::RecordOverflow))?;
        self.check_record_header(&header)?;
        if !self.hs.version_negotiated() && self.hs.is_server() {
            // Until we choose, alerts go out in the client's record version (clamped to
            // ours), which it reads whatever it offered.
            let v = header.version.get().min(self.ctx.highest_version().get());
            self.version = crate::codec::ProtocolVersion::from(v.max(0x0300));
        }
        let total = TLS_HEADER_LEN + usize::from(header.length);
        if avail.len() < total {
            // Make sure the whole record will fit, within the budget.
            let need = self.in_start + total;
            if self.inbuf.len() < need {
                self.reserve(need - self.inbuf.len())?;
            }
            return Ok(None);
        }
        let frag_start = self.in_start + TLS_HEADER_LEN;
        let frag = self
            .inbuf
            .get_mut(frag_start..self.in_start + total)
            .ok_or(Fatal::internal(Error::Failure))?;
        let plain = self
            .dec
            .decrypt(self.read_seq, header.content_type, header.version, frag)
            .map_err(|e| Fatal::new(e.alert(version)))?;
        self.read_seq = self.read_seq.wrapping_add(1);
        self.in_start += total;
        if plain.len() > MAX_PLAINTEXT_LEN || plain.end > total - TLS_HEADER_LEN {
            return Err(Fatal::new(AlertDescription::RecordOverflow));
        }
        let range = frag_start + plain.start..frag_start + plain.end;
        self.route(header.content_type, range)
    }

    /// Record-level checks before any byte of the fragment is used.
    fn check_record_header(&self, h: &RecordHeader) -> Result<(), Fatal> {
        match h.content_type {
            ContentType::ChangeCipherSpec
            | ContentType::Alert
            | ContentType::Handshake
            | ContentType::ApplicationData => {}
            _ => return Err(Fatal::unexpected()),
        }
        // Until the version is agreed any SSL 3.x record is read; after, only that one.
        let ok = if self.hs.version_negotiated() {
            h.version == self.version
        } else {
            h.version.get() >> 8 == 3
        };
        if !ok {
            return Err(Fatal::new(AlertDescription::ProtocolVersion));
        }
        Ok(())
    }

    /// Counts a record that carried nothing: past [`MAX_IDLE_RECORDS`] in a row, fatal.
    fn idle_record(&mut self) -> Result<(), Fatal> {
        self.idle_records = self.idle_records.saturating_add(1);
        if self.idle_records > MAX_IDLE_RECORDS {
            return Err(Fatal::unexpected());
        }
        Ok(())
    }

    fn route(&mut self, ct: ContentType, range: Range<usize>) -> Result<Option<Step>, Fatal> {
        let version = self.version;
        // Handshake bytes, ChangeCipherSpec and application data are progress; warnings
        // and empty records count as idle below.
        if matches!(ct, ContentType::Handshake | ContentType::ChangeCipherSpec)
            || (ct == ContentType::ApplicationData && !range.is_empty())
        {
            self.idle_records = 0;
        }
        match ct {
            ContentType::Handshake => {
                if range.is_empty() {
                    return Err(Fatal::unexpected());
                }
                self.handshake_bytes(range)?;
                Ok(Some(Step::Continue))
            }
            ContentType::ChangeCipherSpec => {
                let body = self.inbuf.get(range).unwrap_or_default();
                if body != [1] {
                    return Err(Fatal::decode(
                        DecodeError::InvalidValue("change_cipher_spec"),
                        version,
                    ));
                }
                // A CCS may not split a handshake message (RFC 2246 section 7.1).
                if !self.hsbuf.is_empty() {
                    return Err(Fatal::unexpected());
                }
                self.dec = self.hs.handle_ccs()?;
                self.read_seq = 0;
                Ok(Some(Step::Continue))
            }
            ContentType::Alert => {
                let body = self.inbuf.get(range).unwrap_or_default();
                let [level, desc] = body else {
                    return Err(Fatal::decode(DecodeError::Truncated, version));
                };
                let level = AlertLevel::from(*level);
                let desc = AlertDescription::from(*desc);
                match level {
                    AlertLevel::Fatal => {
                        self.failed = true;
                        self.forget_cached_session();
                    }
                    AlertLevel::Warning if desc == AlertDescription::CloseNotify => {
                        self.peer_closed = true;
                        self.failed = true;
                    }
                    AlertLevel::Warning if desc == AlertDescription::NoRenegotiation => {
                        self.local_rehandshake = false;
                        self.hs.abandon_renegotiation();
                        if self.hs.is_complete() {
                            self.reported_complete = true;
                        }
                    }
                    AlertLevel::Warning => {}
                    _ => return Err(Fatal::new(AlertDescription::IllegalParameter)),
                }
                if level == AlertLevel::Warning && desc != AlertDescription::CloseNotify {
                    self.idle_record()?;
                }
                Ok(Some(Step::Alert(level, desc)))
            }
            ContentType::ApplicationData => {
                // Also during a re-handshake, except between the peer's ChangeCipherSpec
                // and its Finished, or inside a handshake message.
                if !self.established || self.hs.awaiting_finished() || !self.hsbuf.is_empty() {
                    return Err(Fatal::unexpected());
                }
                if range.is_empty() {
                    self.idle_record()?;
                    return Ok(Some(Step::Continue));
                }
                Ok(Some(Step::AppData(range)))
            }
            _ => Err(Fatal::unexpected()),
        }
    }

    /// The re-handshake rate limit (`Config::rehandshakes_per_minute`, see
    /// `reneg_limit`), applied to the requests the peer makes of an established session
    /// that would renegotiate: `Ok(true)` to go on with `msg_type`, `Ok(false)` when the
    /// request was refused and the message is consumed, `Err` for a flood.
    fn rate_limit(&mut self, msg_type: HandshakeType) -> Result<bool, Fatal> {
        let request = if self.hs.is_server() {
            HandshakeType::ClientHello
        } else {
            HandshakeType::HelloRequest
        };
        if msg_type != request
            || !self.established
            || !self.hs.is_complete()
            || !self.hs.shared().renegotiation_allowed()
        {
            return Ok(true);
        }
        // The ClientHello answering our own HelloRequest.
        if self.local_rehandshake {
            return Ok(true);
        }
        match self.reneg_limit.request(self.ctx.now_ms()) {
            Verdict::Allow => Ok(true),
            Verdict::Flood => Err(Fatal::unexpected()),
            Verdict::Refuse if self.version.is_ssl3() => {
                // SSL 3.0 has no no_renegotiation: a server can only fail, a client
                // ignores the request.
                if self.hs.is_server() {
                    Err(Fatal::new(AlertDescription::HandshakeFailure))
                } else {
                    Ok(false)
                }
            }
            Verdict::Refuse => {
                self.write_records(
                    ContentType::Alert,
                    &[
                        AlertLevel::Warning.get(),
                        AlertDescription::NoRenegotiation.get(),
                    ],
                )?;
                self.flight_pending = true;
                Ok(false)
            }
        }
    }

    /// A record's handshake bytes. With nothing buffered before them, the whole messages
    /// are handed to the machine straight from the read buffer (no copy); after the start
    /// of a message that an earlier record cut, they are appended to the handshake buffer
    /// and the messages are read from there. Either way only a message cut by the record's
    /// end is kept, in a handshake buffer of its own size, for the next record (one tail
    /// for both ways: the size of this driver matters in the small builds).
    fn handshake_bytes(&mut self, range: Range<usize>) -> Result<(), Fatal> {
        let buffered = !self.hsbuf.is_empty();
        let mut range = range;
        if buffered {
            if self.hsbuf.len() + range.len() > MAX_HS_BUFFER {
                return Err(Fatal::new(AlertDescription::IllegalParameter));
            }
            self.reserve(range.len())?;
            let bytes = self.inbuf.get(range).unwrap_or_default();
            self.hsbuf.reserve_exact(bytes.len());
            self.hsbuf.extend_from_slice(bytes);
            range = 0..self.hsbuf.len();
        }
        // The machine and the session's other parts are borrowed mutably while the
        // messages are read: the buffer holding them is lent out for that time (and still
        // counted, as `inbuf_lent`).
        let lent = core::mem::take(if buffered {
            &mut self.hsbuf
        } else {
            &mut self.inbuf
        });
        self.inbuf_lent = lent.capacity();
        self.recharge();
        let bytes = lent.get(range).unwrap_or_default();
        let (result, used) = self.run_handshake(bytes);
        let mut rest = bytes.get(used..).unwrap_or_default();
        let mut result = result;
        if result.is_ok() {
            // A handshake buffer being replaced is freed below: only growth past it is
            // charged.
            let freed = if buffered { lent.capacity() } else { 0 };
            result = self.reserve(rest.len().saturating_sub(freed));
        }
        if result.is_err() {
            rest = &[];
        }
        // Empty (no allocation) unless a message is cut.
        let kept = rest.to_vec();
        if buffered {
            drop(lent);
        } else {
            self.inbuf = lent;
        }
        self.inbuf_lent = 0;
        self.hsbuf = kept;
        self.recharge();
        result
    }

    /// Hands every whole handshake message at the start of `buf` to the machine, in
    /// order; returns how far that went (the bytes used) with the first failure.
    fn run_handshake(&mut self, buf: &[u8]) -> (Result<(), Fatal>, usize) {
        let framer = HandshakeFramer::default();
        let mut used = 0;
        let result = loop {
            let rest = buf.get(used..).unwrap_or_default();
            if rest.is_empty() {
                break Ok(());
            }
            let frame = match framer.frame(rest) {
                Ok(Framed::Message(f)) => f,
                Ok(_) => break Ok(()),
                Err(e) => break Err(Fatal::decode(e, self.version)),
            };
            match self.rate_limit(frame.msg_type) {
                Ok(true) => {}
                Ok(false) => {
                    used += frame.raw.len();
                    continue;
                }
                Err(f) => break Err(f),
            }
            let mut out = Outputs::new();
            if let Err(f) = self.hs.handle_message(
                frame.msg_type,
                frame.body,
                frame.raw,
                &mut self.rng,
                &mut out,
            ) {
                // A client that refuses the ServerHello answers in the version it names
                // (peers drop a record of another version once they have chosen).
                if !self.hs.is_server() && self.hs.version_negotiated() {
                    self.version = self.hs.shared().version;
                }
                break Err(f);
            }
            used += frame.raw.len();
            if self.hs.version_negotiated() {
                self.version = self.hs.shared().version;
            }
            if let Err(f) = self.apply_outputs(out) {
                break Err(f);
            }
            if self.hs.is_complete() {
                self.established = true;
                self.local_rehandshake = false;
            } else if self.established {
                // A re-handshake is running: report its completion too.
                self.reported_complete = false;
            }
        };
        (result, used)
    }
}
