//! [`Conn`]: a session over a blocking transport, driven through MatrixSSL's buffer API
//! exactly as the developer's guide describes (send what `get_outdata` holds, read into
//! `get_readbuf`, act on `received_data`), like `matrix_ssl::Stream`, but able to print
//! every state the session reports (`--trace`): each `received_data`, `processed_data`
//! and `sent_data` result with its MatrixSSL name and code.
//!
//! It also starts the re-handshakes of `--rehandshake-after N`
//! (`Session::encode_rehandshake`, RFC 5746) and counts the handshakes that complete, so
//! that the programs can say how many re-handshakes ran and whether each was resumed.
//!
//! When a fatal alert has gone out, the socket given to [`Conn::set_linger_socket`] is
//! ended with `matrix_ssl::linger::linger` (write side shut down, then at most 1 s and
//! 64 KiB of the peer's bytes discarded) before the error is returned, so that closing
//! it sends no reset and the peer reads the alert.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Instant;

use matrix_ssl::{AlertDescription, AlertLevel, Received, Sent, Session, SessionOption};

use crate::conn::ReadWrite;

/// When [`Conn`] starts re-handshakes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rehandshake {
    /// After this many bytes of application data sent since the last handshake.
    pub after: u64,
    /// A full handshake instead of a resumption.
    pub full: bool,
}

/// A session and its transport.
pub struct Conn {
    session: Session,
    io: Box<dyn ReadWrite>,
    trace: bool,
    /// Decrypted application data not yet read: `plain[pos..]`.
    plain: Vec<u8>,
    pos: usize,
    /// The peer sent close_notify or closed the transport.
    eof: bool,
    /// We queued close_notify: a `RequestClose` after it is not a failure.
    closing: bool,
    /// Re-handshakes to start, and the application bytes sent since the last handshake.
    rehandshake: Option<Rehandshake>,
    sent_since: u64,
    /// Handshakes that completed (the first one included), and whether the last one was
    /// complete when we last looked.
    completed: usize,
    was_complete: bool,
    /// Whether each completed re-handshake resumed the session, in order.
    rehandshakes: Vec<bool>,
    /// The peer answered with a no_renegotiation warning.
    refused: bool,
    /// The TCP socket under `io`, to linger on after a fatal alert (taken when used).
    linger_socket: Option<TcpStream>,
}

/// A read that timed out: raw mode polls with short timeouts.
fn retry(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

fn matrix_err(e: matrix_ssl::Error) -> io::Error {
    io::Error::other(e)
}

fn received_name(r: &Received<'_>) -> String {
    let name = match r {
        Received::RequestSend => "MATRIXSSL_REQUEST_SEND".to_string(),
        Received::RequestRecv => "MATRIXSSL_REQUEST_RECV".to_string(),
        Received::HandshakeComplete => "MATRIXSSL_HANDSHAKE_COMPLETE".to_string(),
        Received::Alert { level, description } => {
            format!("MATRIXSSL_RECEIVED_ALERT {level:?} {description:?}")
        }
        Received::AppData(d) => format!("MATRIXSSL_APP_DATA {} bytes", d.len()),
        Received::Success => "MATRIXSSL_SUCCESS".to_string(),
        _ => "another status".to_string(),
    };
    format!("{name} ({})", r.code())
}

fn sent_name(s: Sent) -> String {
    let name = match s {
        Sent::RequestSend => "MATRIXSSL_REQUEST_SEND",
        Sent::Success => "MATRIXSSL_SUCCESS",
        Sent::RequestClose => "MATRIXSSL_REQUEST_CLOSE",
        Sent::HandshakeComplete => "MATRIXSSL_HANDSHAKE_COMPLETE",
        _ => "another status",
    };
    format!("{name} ({})", s.code())
}

impl Conn {
    /// Wraps a new session (client or server) and its transport; `trace` prints the
    /// states.
    pub fn new(session: Session, io: Box<dyn ReadWrite>, trace: bool) -> Self {
        Conn {
            session,
            io,
            trace,
            plain: Vec::new(),
            pos: 0,
            eof: false,
            closing: false,
            rehandshake: None,
            sent_since: 0,
            completed: 0,
            was_complete: false,
            rehandshakes: Vec::new(),
            refused: false,
            linger_socket: None,
        }
    }

    /// The TCP socket under the transport (a clone of its handle): after a fatal alert
    /// goes out, `matrix_ssl::linger::linger` ends it so that the alert reaches the peer.
    pub fn set_linger_socket(&mut self, tcp: TcpStream) {
        self.linger_socket = Some(tcp);
    }

    /// The last record, a fatal alert, went out: shut down our write side and drain the
    /// peer's bytes (bounded) so that closing sends no reset.
    fn linger(&mut self) {
        if let Some(tcp) = self.linger_socket.take() {
            match matrix_ssl::linger::linger(&tcp) {
                Ok(n) => self.state(format_args!("linger: discarded {n} bytes, closing")),
                Err(e) => self.state(format_args!("linger: {e}")),
            }
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

    /// The session.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// Counts a handshake (initial or re-handshake) that has just completed.
    fn note_completion(&mut self) {
        let complete = self.session.is_handshake_complete();
        if complete && !self.was_complete {
            self.completed += 1;
            if self.completed > 1 {
                let resumed = self.session.is_resumed();
                self.rehandshakes.push(resumed);
                self.state(format_args!(
                    "re-handshake {} complete ({})",
                    self.completed - 1,
                    if resumed { "resumed" } else { "full" }
                ));
            }
        }
        self.was_complete = complete;
    }

    /// Starts a re-handshake (`encode_rehandshake`) and runs it to completion. A server's
    /// HelloRequest leaves its session complete until the client's ClientHello arrives,
    /// so completion is counted, not read off `is_handshake_complete`.
    pub fn rehandshake_now(&mut self, full: bool) -> io::Result<()> {
        self.handshake()?;
        let option = full.then_some(SessionOption::FullHandshake);
        self.session
            .encode_rehandshake(None, None, option, 0)
            .map_err(matrix_err)?;
        self.state(format_args!(
            "encode_rehandshake({})",
            if full { "full" } else { "resumed" }
        ));
        self.sent_since = 0;
        self.refused = false;
        let target = self.completed + 1;
        let start = Instant::now();
        loop {
            self.flush_out()?;
            self.note_completion();
            if self.completed >= target {
                return Ok(());
            }
            if self.refused {
                return Err(io::Error::new(
                    io::ErrorKind::ConnectionRefused,
                    "the peer refused the re-handshake (no_renegotiation)",
                ));
            }
            if self.eof {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed during the re-handshake",
                ));
            }
            match self.read_more() {
                Err(e) if retry(&e) && start.elapsed() < crate::conn::IO_TIMEOUT => {}
                other => other?,
            }
            self.note_completion();
        }
    }

    fn state(&self, what: std::fmt::Arguments<'_>) {
        if self.trace {
            eprintln!("state: {what}");
        }
    }

    /// Runs the handshake to completion (a no-op once complete). A transport whose reads
    /// time out quickly (raw mode polls standard input) is read again until
    /// `conn::IO_TIMEOUT` has passed.
    pub fn handshake(&mut self) -> io::Result<()> {
        let start = Instant::now();
        loop {
            self.flush_out()?;
            self.note_completion();
            if self.session.is_handshake_complete() {
                return Ok(());
            }
            if self.eof {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed during the handshake",
                ));
            }
            match self.read_more() {
                Err(e) if retry(&e) && start.elapsed() < crate::conn::IO_TIMEOUT => {}
                other => other?,
            }
        }
    }

    /// Sends close_notify (`encode_closure_alert`).
    pub fn shutdown(&mut self) -> io::Result<()> {
        self.closing = true;
        if self.session.encode_closure_alert().is_ok() {
            self.state(format_args!("encode_closure_alert"));
            self.flush_out()?;
        }
        self.io.flush()
    }

    /// Writes everything `get_outdata` holds; a fatal alert going out ends in
    /// `ConnectionAborted` once it is sent.
    fn flush_out(&mut self) -> io::Result<()> {
        loop {
            let out = self.session.get_outdata();
            if out.is_empty() {
                return Ok(());
            }
            let n = self.io.write(out)?;
            if n == 0 {
                return Err(io::ErrorKind::WriteZero.into());
            }
            let s = self.session.sent_data(n).map_err(matrix_err)?;
            self.state(format_args!("sent_data({n}) -> {}", sent_name(s)));
            match s {
                Sent::RequestSend => {}
                Sent::RequestClose if !self.closing => {
                    self.io.flush()?;
                    self.linger();
                    return Err(io::Error::new(
                        io::ErrorKind::ConnectionAborted,
                        "the session ended with a fatal alert",
                    ));
                }
                _ => {
                    self.io.flush()?;
                    return Ok(());
                }
            }
        }
    }

    /// Reads once from the transport and processes what came.
    fn read_more(&mut self) -> io::Result<()> {
        let buf = self.session.get_readbuf();
        if buf.is_empty() {
            return Err(matrix_err(matrix_ssl::Error::MemFail));
        }
        let n = self.io.read(buf)?;
        if n == 0 {
            self.eof = true;
            self.state(format_args!("the transport closed"));
            return Ok(());
        }
        let mut r = match self.session.received_data(n) {
            Ok(r) => r,
            Err(e) => {
                // Send the alert the session queued before giving up.
                let _ = self.flush_out();
                return Err(matrix_err(e));
            }
        };
        let mut call = format!("received_data({n})");
        loop {
            if self.trace {
                eprintln!("state: {call} -> {}", received_name(&r));
            }
            match r {
                Received::RequestSend => {
                    return self.flush_out();
                }
                Received::AppData(d) => {
                    if self.pos == self.plain.len() {
                        self.plain.clear();
                        self.pos = 0;
                    }
                    self.plain.extend_from_slice(d);
                }
                Received::Alert { level, description } => {
                    if description == AlertDescription::CloseNotify {
                        self.eof = true;
                    } else if description == AlertDescription::NoRenegotiation {
                        self.refused = true;
                    } else if level == AlertLevel::Fatal {
                        return Err(io::Error::new(
                            io::ErrorKind::ConnectionAborted,
                            format!("peer sent a fatal alert: {description:?}"),
                        ));
                    }
                }
                _ => return Ok(()),
            }
            call = "processed_data()".to_string();
            r = self.session.processed_data().map_err(matrix_err)?;
        }
    }
}

impl Read for Conn {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.handshake()?;
        while self.pos == self.plain.len() && !self.eof {
            self.read_more()?;
            // A re-handshake the peer started may have completed.
            self.note_completion();
        }
        let avail = self.plain.get(self.pos..).unwrap_or_default();
        let n = avail.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), avail.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.pos += n;
        Ok(n)
    }
}

impl Write for Conn {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.handshake()?;
        if buf.is_empty() {
            return Ok(0);
        }
        // After the peer's close_notify the session refuses data (PS_PROTOCOL_FAIL); that
        // is the peer's clean close, not a protocol failure.
        if self.session.peer_closed() {
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "the peer closed the connection (close_notify)",
            ));
        }
        // Before the write, not after it: a re-handshake started after the last write of
        // a conversation would race the peer's close.
        if let Some(r) = self.rehandshake.filter(|r| self.sent_since >= r.after) {
            self.rehandshake_now(r.full)?;
        }
        // One record's worth at a time (TLS's largest plaintext).
        let n = buf.len().min(16 * 1024);
        self.session
            .encode_to_outdata(buf.get(..n).unwrap_or_default())
            .map_err(matrix_err)?;
        self.flush_out()?;
        self.sent_since = self.sent_since.saturating_add(n as u64);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_out()?;
        self.io.flush()
    }
}
