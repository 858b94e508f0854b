//! The driving loop every I/O adapter shares, without the I/O (sans-I/O).
//!
//! The buffer API leaves the loop to the application: send what `get_outdata` holds, read
//! into `get_readbuf`, act on what `received_data` and `processed_data` say. [`Driver`]
//! holds that loop's state (the session, decrypted data not yet read, whether the peer
//! closed) and its one decision, [`Driver::next`]: given what the caller wants
//! ([`Goal`]), is the next move to send ([`Step::Send`]), to receive ([`Step::Recv`]), or
//! is the goal reached ([`Step::Done`])? An adapter is then a few lines: perform the step on
//! its transport, report the count with [`Driver::sent`] or [`Driver::received`], ask again.
//! The blocking adapters ([`crate::Stream`] on `std::io`, `embedded::TlsStream` on
//! `embedded-io`) run exactly that loop through [`run_blocking`]; the async ones
//! (`embedded_async`, `tokio`) run the same steps with `.await` or `poll_*` in place of the
//! blocking calls.
//!
//! Re-handshakes: reads and writes wait for the first handshake only. While a re-handshake
//! the peer started runs, application data keeps flowing both ways (RFC 2246 allows it): a
//! read returns data as it arrives and sends the handshake messages the session produces
//! before it blocks on the transport again, and a write goes out at once. A write waits for
//! a re-handshake this side started (`Session::encode_rehandshake`), as it does for the
//! first handshake: some peers (OpenSSL) refuse application data in the middle of their
//! handshake.

use alloc::vec::Vec;

use crate::Error;
use crate::codec::{AlertDescription, AlertLevel};
use crate::session::{Received, Sent, Session};

/// What the caller wants [`Driver::next`] to work towards.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Goal {
    /// The handshake under way is complete and everything it produced is sent.
    Handshake,
    /// Decrypted application data is available ([`Driver::read_plain`]), or the peer closed.
    Read,
    /// Application data may be written: the first handshake, and a re-handshake this side
    /// started, are complete.
    Write,
    /// Everything queued is sent.
    Flush,
}

/// The next move towards a [`Goal`].
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// Write [`Driver::outgoing`] to the transport, then call [`Driver::sent`].
    Send,
    /// Read from the transport into [`Driver::incoming`], then call [`Driver::received`]
    /// (with 0 when the transport reached its end).
    Recv,
    /// The goal is reached.
    Done,
}

/// Why the loop cannot go on.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DriveError {
    /// The session failed (`received_data`, `sent_data`, `encode_to_outdata`, ...).
    Tls(Error),
    /// This side sent a fatal alert (the session found the peer at fault); the alert is out.
    FatalAlertSent,
    /// The peer sent this fatal alert.
    PeerAlert(AlertDescription),
    /// The transport closed before the handshake completed.
    UnexpectedEof,
    /// The transport accepted no bytes.
    WriteZero,
    /// The peer sent close_notify: no more data can be sent (its clean close, not a
    /// protocol failure).
    PeerClosed,
}

impl core::fmt::Display for DriveError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            DriveError::Tls(e) => write!(f, "{e}"),
            DriveError::FatalAlertSent => f.write_str("the session ended with a fatal alert"),
            DriveError::PeerAlert(d) => write!(f, "peer sent a fatal alert: {d:?}"),
            DriveError::UnexpectedEof => f.write_str("connection closed during the handshake"),
            DriveError::WriteZero => f.write_str("the transport accepted no bytes"),
            DriveError::PeerClosed => f.write_str("the peer closed the connection (close_notify)"),
        }
    }
}

impl core::error::Error for DriveError {}

impl From<Error> for DriveError {
    fn from(e: Error) -> Self {
        DriveError::Tls(e)
    }
}

/// A session and the state of the loop that drives it (see the module documentation).
#[derive(Debug)]
pub struct Driver {
    session: Session,
    /// Decrypted application data not yet read: `plain[plain_pos..]`.
    plain: Vec<u8>,
    plain_pos: usize,
    /// The peer sent close_notify (or the transport closed).
    eof: bool,
}

impl Driver {
    /// Drives `session` (a new client or server session, or one already under way).
    pub fn new(session: Session) -> Self {
        Driver {
            session,
            plain: Vec::new(),
            plain_pos: 0,
            eof: false,
        }
    }

    /// The session.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The session, writable (to start a re-handshake, for instance).
    pub fn session_mut(&mut self) -> &mut Session {
        &mut self.session
    }

    /// The session back.
    pub fn into_session(self) -> Session {
        self.session
    }

    /// Whether the peer sent close_notify or its transport reached its end.
    pub fn is_eof(&self) -> bool {
        self.eof
    }

    /// The next move towards `goal`. What is queued goes out first, whatever the goal.
    pub fn next(&self, goal: Goal) -> Result<Step, DriveError> {
        if !self.session.get_outdata().is_empty() {
            return Ok(Step::Send);
        }
        let reached = match goal {
            Goal::Flush => true,
            Goal::Handshake => self.session.is_handshake_complete(),
            Goal::Write => !self.write_waits(),
            Goal::Read => {
                self.session.established && (self.plain_pos < self.plain.len() || self.eof)
            }
        };
        if reached {
            Ok(Step::Done)
        } else if self.eof {
            // Only a handshake can be left waiting here: a read at the end returns 0.
            Err(DriveError::UnexpectedEof)
        } else {
            Ok(Step::Recv)
        }
    }

    /// Writes wait for the first handshake and for a re-handshake this side started.
    fn write_waits(&self) -> bool {
        let own_rehandshake =
            self.session.local_rehandshake && !self.session.is_handshake_complete();
        !self.session.established || own_rehandshake
    }

    /// The bytes to write for [`Step::Send`].
    pub fn outgoing(&self) -> &[u8] {
        self.session.get_outdata()
    }

    /// `n` bytes of [`Driver::outgoing`] were written. `Ok(true)` when nothing is left
    /// queued (flush the transport now); `DriveError::FatalAlertSent` once a fatal alert
    /// this side queued is out.
    pub fn sent(&mut self, n: usize) -> Result<bool, DriveError> {
        if n == 0 {
            return Err(DriveError::WriteZero);
        }
        match self.session.sent_data(n)? {
            Sent::RequestSend => Ok(false),
            Sent::RequestClose if self.session.sent_fatal => Err(DriveError::FatalAlertSent),
            _ => Ok(true),
        }
    }

    /// Where to read for [`Step::Recv`]. `PS_MEM_FAIL` when the session's memory budget is
    /// exhausted.
    pub fn incoming(&mut self) -> Result<&mut [u8], DriveError> {
        Ok(self.session.try_get_readbuf()?)
    }

    /// `n` bytes were read into [`Driver::incoming`] (0: the transport reached its end).
    /// Processes every complete record: application data is kept for
    /// [`Driver::read_plain`], close_notify ends the input, a fatal alert is an error.
    pub fn received(&mut self, n: usize) -> Result<(), DriveError> {
        if n == 0 {
            self.eof = true;
            return Ok(());
        }
        let mut r = self.session.received_data(n)?;
        loop {
            match r {
                Received::AppData(d) => {
                    if self.plain_pos == self.plain.len() {
                        self.plain.clear();
                        self.plain_pos = 0;
                    }
                    self.plain.extend_from_slice(d);
                }
                Received::Alert { level, description } => {
                    if description == AlertDescription::CloseNotify {
                        self.eof = true;
                    } else if level == AlertLevel::Fatal {
                        return Err(DriveError::PeerAlert(description));
                    }
                }
                // RequestSend: `next` sees the queued bytes. RequestRecv, HandshakeComplete,
                // Success: nothing more is buffered.
                _ => return Ok(()),
            }
            r = self.session.processed_data()?;
        }
    }

    /// Copies decrypted application data into `buf`; 0 when none is waiting.
    pub fn read_plain(&mut self, buf: &mut [u8]) -> usize {
        let avail = self.plain.get(self.plain_pos..).unwrap_or_default();
        let n = avail.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), avail.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.plain_pos += n;
        n
    }

    /// Encrypts up to one record of `buf` (16 KiB) into the output queue; returns how many
    /// bytes it took. Call it once [`Goal::Write`] is reached, then flush ([`Goal::Flush`]).
    pub fn write_plain(&mut self, buf: &[u8]) -> Result<usize, DriveError> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.session.peer_closed() {
            return Err(DriveError::PeerClosed);
        }
        let n = buf.len().min(crate::codec::record::MAX_PLAINTEXT_LEN);
        self.session
            .encode_to_outdata(buf.get(..n).unwrap_or_default())?;
        Ok(n)
    }

    /// Queues close_notify (`encode_closure_alert`); then flush ([`Goal::Flush`]). A
    /// session that can no longer send one (it failed, or closed already) queues nothing.
    pub fn close(&mut self) {
        let _ = self.session.encode_closure_alert();
    }
}

/// Why an adapter's loop stopped: the transport's error or the session's.
#[non_exhaustive]
#[derive(Debug)]
pub enum LoopError<E> {
    /// The transport failed.
    Io(E),
    /// The session or the peer ended the connection.
    Tls(DriveError),
}

impl<E: core::fmt::Display> core::fmt::Display for LoopError<E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            LoopError::Io(e) => write!(f, "transport: {e}"),
            LoopError::Tls(e) => write!(f, "{e}"),
        }
    }
}

impl<E: core::error::Error> core::error::Error for LoopError<E> {}

impl<E> From<DriveError> for LoopError<E> {
    fn from(e: DriveError) -> Self {
        LoopError::Tls(e)
    }
}

/// A blocking transport, as the blocking adapters see it (`std::io` and `embedded-io`
/// implement it in their modules).
pub trait BlockingIo {
    /// The transport's error.
    type Error;
    /// Reads some bytes (0 at the end of the input), blocking until at least one arrives.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error>;
    /// Writes some bytes, blocking until at least one is taken.
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error>;
    /// Pushes buffered bytes out.
    fn flush(&mut self) -> Result<(), Self::Error>;
}

/// Runs [`Driver::next`] to `goal` over a blocking transport: the one loop of the blocking
/// adapters.
pub fn run_blocking<T: BlockingIo>(
    driver: &mut Driver,
    io: &mut T,
    goal: Goal,
) -> Result<(), LoopError<T::Error>> {
    loop {
        match driver.next(goal)? {
            Step::Send => {
                let n = io.write(driver.outgoing()).map_err(LoopError::Io)?;
                match driver.sent(n) {
                    Ok(true) => io.flush().map_err(LoopError::Io)?,
                    Ok(false) => {}
                    Err(e) => {
                        // The fatal alert is out: push it to the peer before reporting.
                        let _ = io.flush();
                        return Err(e.into());
                    }
                }
            }
            Step::Recv => {
                let n = io.read(driver.incoming()?).map_err(LoopError::Io)?;
                driver.received(n)?;
            }
            _ => return Ok(()),
        }
    }
}

/// Reads application data over a blocking transport: the handshake first if needed, then
/// at least one byte, or 0 once the peer closed.
pub fn read_blocking<T: BlockingIo>(
    driver: &mut Driver,
    io: &mut T,
    buf: &mut [u8],
) -> Result<usize, LoopError<T::Error>> {
    if buf.is_empty() {
        return Ok(0);
    }
    run_blocking(driver, io, Goal::Read)?;
    Ok(driver.read_plain(buf))
}

/// Writes up to one record of application data over a blocking transport (the handshake
/// first if needed) and sends it.
pub fn write_blocking<T: BlockingIo>(
    driver: &mut Driver,
    io: &mut T,
    buf: &[u8],
) -> Result<usize, LoopError<T::Error>> {
    run_blocking(driver, io, Goal::Write)?;
    let n = driver.write_plain(buf)?;
    run_blocking(driver, io, Goal::Flush)?;
    Ok(n)
}
