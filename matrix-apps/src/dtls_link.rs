//! [`Link`]: one [`DtlsSession`] and its peer's UDP address, driven as Appendix A of the
//! API reference says an application drives MatrixDTLS: every datagram `get_outdata`
//! holds is sent, every received datagram goes to `received_data`, and the application's
//! retransmission timer (RFC 4347 section 4.2.4.1: a first value, doubled on each expiry,
//! at most 60 s, back to the first value when a datagram arrives) calls `get_outdata`
//! again when it expires. A link gives up after a number of expiries in a row.
//!
//! It also starts the re-handshakes of `--rehandshake-after N`
//! (`DtlsSession::encode_rehandshake`, RFC 5746) with the meaning the TCP programs give
//! it: each time N bytes of application data went out, the next data waits until a
//! re-handshake has completed (here queued in the link, since the session is driven by
//! datagrams and not by blocking calls). Completed re-handshakes are counted, whoever
//! started them, so that the programs can say how many ran and whether each resumed.

use std::net::{SocketAddr, UdpSocket};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use matrix_dtls::{DtlsSession, Received, Sent};
use matrix_ssl::{AlertDescription, AlertLevel, CertValidator, SessionOption, Verdict};

use crate::driver::Rehandshake;
use crate::dtls_opts::{DtlsCommon, MAX_TIMER};
use crate::errors::{AppError, words};
use crate::names::{suite_name, version_name};

/// The largest datagram read from the socket (the UDP maximum).
pub const MAX_DATAGRAM: usize = 65_535;

/// A session, its peer, and the retransmission timer.
pub struct Link {
    sock: UdpSocket,
    peer: SocketAddr,
    sess: DtlsSession,
    who: &'static str,
    trace: bool,
    initial: Duration,
    timer: Duration,
    deadline: Instant,
    expiries: u32,
    max_expiries: u32,
    /// After the handshake, silence is not a failure (raw mode waits for its user).
    patient: bool,
    received: Vec<u8>,
    /// Bytes of datagrams sent and received.
    wire: usize,
    complete: bool,
    peer_closed: bool,
    we_closed: bool,
    /// The certificate callback's reason for refusing the peer's chain.
    rejected: Arc<Mutex<Option<String>>>,
    /// Re-handshakes to start, and the application bytes sent since the last one.
    rehandshake: Option<Rehandshake>,
    sent_since: u64,
    /// A re-handshake we started has not completed yet: data waits in `pending`.
    rehandshaking: bool,
    pending: Vec<u8>,
    /// Handshakes that completed (the first one included).
    handshakes: usize,
    /// Whether each completed re-handshake resumed the session, in order.
    rehandshakes: Vec<bool>,
}

/// A certificate callback that accepts what the library accepts, remembers in `rejected`
/// why it refused a chain and, with `insecure`, accepts any chain (test setups).
pub fn validator(rejected: &Arc<Mutex<Option<String>>>, insecure: bool) -> CertValidator {
    let seen = Arc::clone(rejected);
    Box::new(move |_, _, alert| match alert {
        None => Verdict::Continue,
        Some(_) if insecure => Verdict::AllowAnon,
        Some(a) => {
            if let Ok(mut s) = seen.lock() {
                *s = Some(format!("{a:?}"));
            }
            Verdict::Alert(a)
        }
    })
}

/// Whether a receive error only means that no datagram came: the timeout, an ICMP
/// error an earlier datagram caused (a UDP socket reports it on a later call), or a signal
/// that interrupted the wait (EINTR: `recv_from` does not retry it; the caller's loop
/// waits again, so the timers still decide when to give up).
pub fn no_datagram(e: &std::io::Error) -> bool {
    use std::io::ErrorKind::{
        ConnectionRefused, ConnectionReset, Interrupted, TimedOut, WouldBlock,
    };
    matches!(
        e.kind(),
        WouldBlock | TimedOut | ConnectionRefused | ConnectionReset | Interrupted
    )
}

impl Link {
    /// A link for `sess` with `peer` over `sock`; `trace` prints every datagram and event
    /// on stderr, after `who`, the program's name.
    pub fn new(
        sock: UdpSocket,
        peer: SocketAddr,
        sess: DtlsSession,
        opts: &DtlsCommon,
        trace: bool,
        who: &'static str,
        rejected: Arc<Mutex<Option<String>>>,
    ) -> Link {
        let initial = opts.initial_timer();
        Link {
            sock,
            peer,
            sess,
            who,
            trace,
            initial,
            timer: initial,
            deadline: Instant::now() + initial,
            expiries: 0,
            max_expiries: opts.retries,
            patient: false,
            received: Vec::new(),
            wire: 0,
            complete: false,
            peer_closed: false,
            we_closed: false,
            rejected,
            rehandshake: None,
            sent_since: 0,
            rehandshaking: false,
            pending: Vec::new(),
            handshakes: 0,
            rehandshakes: Vec::new(),
        }
    }

    /// Starts a re-handshake each time `r.after` bytes of application data went out.
    pub fn set_rehandshake(&mut self, r: Option<Rehandshake>) {
        self.rehandshake = r;
    }

    /// The completed re-handshakes (the first handshake not counted), each `true` when it
    /// resumed the session.
    pub fn rehandshakes(&self) -> &[bool] {
        &self.rehandshakes
    }

    /// Counts a handshake (the first or a re-handshake) that has just completed.
    fn completed(&mut self) {
        self.complete = true;
        self.handshakes += 1;
        self.rehandshaking = false;
        if self.handshakes > 1 {
            let resumed = self.sess.is_resumed();
            self.rehandshakes.push(resumed);
            self.note(format_args!(
                "re-handshake {} complete ({})",
                self.handshakes - 1,
                if resumed { "resumed" } else { "full" }
            ));
        }
    }

    /// The session.
    pub fn session(&self) -> &DtlsSession {
        &self.sess
    }

    /// The peer's address.
    pub fn peer(&self) -> SocketAddr {
        self.peer
    }

    /// Whether the handshake completed.
    pub fn is_complete(&self) -> bool {
        self.complete
    }

    /// Whether the peer sent close_notify or we sent ours.
    pub fn is_closed(&self) -> bool {
        self.peer_closed || self.we_closed
    }

    /// Whether the peer sent close_notify.
    pub fn peer_closed(&self) -> bool {
        self.peer_closed
    }

    /// Bytes of the datagrams sent and received so far.
    pub fn wire_bytes(&self) -> usize {
        self.wire
    }

    /// The application data received so far.
    pub fn received(&self) -> &[u8] {
        &self.received
    }

    /// Takes the application data received so far.
    pub fn take_received(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.received)
    }

    /// When the retransmission timer expires.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// One line describing the negotiated session.
    pub fn summary(&self) -> String {
        let suite = self
            .sess
            .cipher_suite()
            .map(|c| suite_name(c.get()))
            .unwrap_or_else(|| "-".into());
        let kind = if self.sess.is_resumed() {
            "resumed"
        } else {
            "full handshake"
        };
        format!(
            "{} {suite} ({kind})",
            version_name(self.sess.protocol_version())
        )
    }

    fn note(&self, what: std::fmt::Arguments<'_>) {
        if self.trace {
            eprintln!("{}: [{}] {what}", self.who, self.peer);
        }
    }

    /// Sends every datagram the session holds.
    pub fn flush(&mut self) -> Result<(), AppError> {
        loop {
            let dg = self.sess.get_outdata();
            if dg.is_empty() {
                return Ok(());
            }
            let n = dg.len();
            self.sock
                .send_to(dg, self.peer)
                .map_err(|e| AppError::protocol(format!("sending to {}: {e}", self.peer)))?;
            self.wire += n;
            let sent = self
                .sess
                .sent_data(n)
                .map_err(|e| AppError::protocol(format!("sent_data: {}", words(e))))?;
            self.note(format_args!("sent a datagram of {n} bytes: {sent:?}"));
            match sent {
                Sent::HandshakeComplete => self.completed(),
                Sent::RequestClose => {
                    self.we_closed = true;
                    // Before the handshake completed, that was our fatal alert.
                    return if self.complete {
                        Ok(())
                    } else {
                        Err(self.failure(None))
                    };
                }
                _ => {}
            }
        }
    }

    /// The failure of a handshake that ended with our fatal alert: the certificate
    /// callback's reason when it refused the peer's chain, else the session's error.
    fn failure(&self, e: Option<matrix_ssl::Error>) -> AppError {
        match (self.rejected.lock().ok().and_then(|r| r.clone()), e) {
            (Some(why), _) => AppError::protocol(format!(
                "handshake failed: the peer's certificate was refused: {why} (--ca names the \
                 trusted CA)"
            )),
            (None, Some(e)) => AppError::protocol(format!("the session failed: {}", words(e))),
            (None, None) => AppError::protocol(
                "handshake failed: we ended it with a fatal alert (the peer's messages were \
                 refused; --trace shows them)",
            ),
        }
    }

    /// Hands one received datagram to the session, acts on its events and sends what it
    /// queued. A datagram resets the retransmission timer.
    pub fn feed(&mut self, dg: &[u8]) -> Result<(), AppError> {
        self.expiries = 0;
        self.timer = self.initial;
        self.deadline = Instant::now() + self.timer;
        self.wire += dg.len();
        self.note(format_args!("received a datagram of {} bytes", dg.len()));
        if self.peer_closed {
            return Ok(());
        }
        let buf = self.sess.get_readbuf();
        let Some(dst) = buf.get_mut(..dg.len()) else {
            return Ok(()); // larger than any record: not DTLS, dropped like a bad record
        };
        dst.copy_from_slice(dg);
        let mut r = self.sess.received_data(dg.len());
        loop {
            let event = match r {
                Ok(ev) => ev,
                Err(e) => {
                    // The fatal alert the session queued still goes out.
                    let _ = self.flush();
                    return Err(self.failure(Some(e)));
                }
            };
            if self.trace {
                eprintln!("{}: [{}] {event:?}", self.who, self.peer);
            }
            match event {
                Received::AppData(d) => self.received.extend_from_slice(d),
                Received::Alert { level, description } => {
                    if description == AlertDescription::CloseNotify {
                        self.peer_closed = true;
                    } else if level == AlertLevel::Fatal {
                        return Err(AppError::protocol(format!(
                            "the peer sent a fatal alert: {description:?}"
                        )));
                    } else if description == AlertDescription::NoRenegotiation && self.rehandshaking
                    {
                        return Err(AppError::protocol(
                            "the peer refused the re-handshake (no_renegotiation)",
                        ));
                    }
                }
                Received::HandshakeComplete => self.completed(),
                _ => break,
            }
            r = self.sess.processed_data();
        }
        if self.sess.has_outdata() {
            self.flush()?;
        }
        self.send_pending()
    }

    /// Sends the data that waited for a re-handshake, once it completed.
    fn send_pending(&mut self) -> Result<(), AppError> {
        if self.rehandshaking || self.pending.is_empty() {
            return Ok(());
        }
        let data = std::mem::take(&mut self.pending);
        self.send(&data)
    }

    /// Once the handshake is complete, never give up on a silent peer.
    pub fn wait_forever(&mut self) {
        self.patient = true;
    }

    /// The timer expired: `get_outdata` again (a retransmission during a handshake) and
    /// the timer doubles. Fails after the allowed number of expiries in a row.
    pub fn expire(&mut self) -> Result<(), AppError> {
        if !(self.patient && self.complete) {
            self.expiries += 1;
        }
        if self.expiries > self.max_expiries {
            let what = if self.complete {
                "data"
            } else {
                "the handshake"
            };
            return Err(AppError::protocol(format!(
                "{} did not answer ({what}): gave up after {} retransmission timeouts",
                self.peer, self.max_expiries
            )));
        }
        self.note(format_args!("timer expired after {:?}", self.timer));
        self.timer = (self.timer * 2).min(MAX_TIMER);
        self.deadline = Instant::now() + self.timer;
        self.flush()?;
        self.send_pending()
    }

    /// Sends `data` as application data, one record per datagram of at most
    /// `max_app_data` bytes.
    pub fn send(&mut self, data: &[u8]) -> Result<(), AppError> {
        // After the peer's close_notify no one reads what we would send (the session
        // refuses it with PS_PROTOCOL_FAIL): the peer closed cleanly, nothing failed.
        if self.peer_closed {
            self.note(format_args!(
                "not sending {} bytes: the peer closed the connection (close_notify)",
                data.len()
            ));
            return Ok(());
        }
        if self.rehandshaking {
            self.pending.extend_from_slice(data);
            return Ok(());
        }
        // Before the data, not after it: a re-handshake started after the last data of a
        // conversation would race the peer's close.
        if let Some(r) = self.rehandshake.filter(|r| self.sent_since >= r.after) {
            self.start_rehandshake(r.full)?;
            self.pending.extend_from_slice(data);
            return Ok(());
        }
        let max = self.sess.max_app_data().max(1);
        for chunk in data.chunks(max) {
            self.sess
                .encode_to_outdata(chunk)
                .map_err(|e| AppError::protocol(format!("sending data: {}", words(e))))?;
            self.flush()?;
            self.sent_since = self.sent_since.saturating_add(chunk.len() as u64);
        }
        Ok(())
    }

    /// Starts a re-handshake (`encode_rehandshake`, a resumption unless `full`) and sends
    /// its first flight; the retransmission timer runs again until it completes.
    fn start_rehandshake(&mut self, full: bool) -> Result<(), AppError> {
        let option = full.then_some(SessionOption::FullHandshake);
        self.sess
            .encode_rehandshake(None, None, option, 0)
            .map_err(|e| AppError::protocol(format!("encode_rehandshake: {}", words(e))))?;
        self.note(format_args!(
            "encode_rehandshake({})",
            if full { "full" } else { "resumed" }
        ));
        self.sent_since = 0;
        self.rehandshaking = true;
        self.expiries = 0;
        self.timer = self.initial;
        self.deadline = Instant::now() + self.timer;
        self.flush()
    }

    /// Sends close_notify (once).
    pub fn close(&mut self) {
        if !self.we_closed && self.sess.encode_closure_alert().is_ok() {
            let _ = self.flush();
        }
        self.we_closed = true;
    }

    /// Waits at most `max_wait` (and at most until the timer expires) for one datagram
    /// from the peer (others are ignored) and runs the timer.
    pub fn poll(&mut self, max_wait: Duration) -> Result<(), AppError> {
        let wait = self
            .deadline
            .saturating_duration_since(Instant::now())
            .clamp(
                Duration::from_millis(1),
                max_wait.max(Duration::from_millis(1)),
            );
        self.sock
            .set_read_timeout(Some(wait))
            .map_err(|e| AppError::protocol(format!("socket: {e}")))?;
        let mut buf = vec![0u8; MAX_DATAGRAM];
        match self.sock.recv_from(&mut buf) {
            Ok((n, from)) if from == self.peer => {
                self.feed(buf.get(..n).unwrap_or_default())?;
            }
            Ok(_) => {}
            // An ICMP port unreachable from an earlier datagram: nobody listens (yet); the
            // timer decides when to give up.
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                std::thread::sleep(wait.min(Duration::from_millis(50)));
            }
            Err(e) if no_datagram(&e) => {}
            Err(e) => return Err(AppError::protocol(format!("receiving: {e}"))),
        }
        if Instant::now() >= self.deadline {
            self.expire()?;
        }
        Ok(())
    }

    /// Runs until `done` holds: datagrams in, ours out, the timer running.
    pub fn pump(&mut self, done: impl Fn(&Link) -> bool) -> Result<(), AppError> {
        self.flush()?;
        while !done(self) {
            self.poll(MAX_TIMER)?;
        }
        Ok(())
    }
}
