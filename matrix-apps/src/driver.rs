//! [`Conn`]: a session over a blocking transport, driven through MatrixSSL's buffer API
//! exactly as the developer's guide describes (send what `get_outdata` holds, read into
//! `get_readbuf`, act on `received_data`), like `matrix_ssl::Stream`, but able to print
//! every state the session reports (`--trace`): each `received_data`, `processed_data`
//! and `sent_data` result with its MatrixSSL name and code.

use std::io::{self, Read, Write};

use matrix_ssl::{AlertDescription, AlertLevel, Received, Sent, Session};

use crate::conn::ReadWrite;

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
        }
    }

    /// The session.
    pub fn session(&self) -> &Session {
        &self.session
    }

    fn state(&self, what: std::fmt::Arguments<'_>) {
        if self.trace {
            eprintln!("state: {what}");
        }
    }

    /// Runs the handshake to completion (a no-op once complete).
    pub fn handshake(&mut self) -> io::Result<()> {
        loop {
            self.flush_out()?;
            if self.session.is_handshake_complete() {
                return Ok(());
            }
            if self.eof {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed during the handshake",
                ));
            }
            self.read_more()?;
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
        // One record's worth at a time (TLS's largest plaintext).
        let n = buf.len().min(16 * 1024);
        self.session
            .encode_to_outdata(buf.get(..n).unwrap_or_default())
            .map_err(matrix_err)?;
        self.flush_out()?;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_out()?;
        self.io.flush()
    }
}
