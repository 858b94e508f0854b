//! [`Stream`]: a blocking `Read + Write` over a [`Session`] and any `Read + Write`
//! transport (a `TcpStream`), for programs that want sockets rather than the buffer API.
//! It drives exactly the buffer API flow of the developer's guide: send what
//! `get_outdata` holds, read into `get_readbuf`, act on `received_data`.
//!
//! Re-handshakes: reads and writes wait for the first handshake only. While a re-handshake
//! the peer started runs, application data keeps flowing both ways (RFC 2246 allows it):
//! a read returns data as it arrives and sends the handshake messages the session
//! produces before it blocks on the transport again, and a write goes out at once. A
//! write waits for a re-handshake this side started (`Session::encode_rehandshake`), as
//! it does for the first handshake: some peers (OpenSSL) refuse application data in the
//! middle of their handshake.
//!
//! After a fatal alert goes out, the transport is ended with [`crate::linger::linger`]
//! (write side shut down, then at most 1 s and 64 KiB of the peer's bytes read and
//! discarded) so that the peer reads the alert rather than a reset: automatically for a
//! `TcpStream`, and for another transport with [`Stream::set_linger`].

use std::any::{Any, TypeId};
use std::io::{self, Read, Write};
use std::net::TcpStream;

use crate::codec::{AlertDescription, AlertLevel};
use crate::session::{Received, Sent, Session};

/// A session over a blocking transport.
#[derive(Debug)]
pub struct Stream<S: Read + Write> {
    session: Session,
    io: S,
    /// Decrypted application data not yet read.
    plain: Vec<u8>,
    plain_pos: usize,
    /// The peer sent close_notify (or closed the transport).
    eof: bool,
    /// How to end the transport after a fatal alert went out (taken when used).
    linger: Option<Linger<S>>,
}

/// How [`Stream`] ends its transport after the last record (see [`Stream::set_linger`]).
type Linger<S> = fn(&mut S) -> io::Result<()>;

/// [`crate::linger::linger`] for a `TcpStream` transport, nothing for another.
fn default_linger<S: 'static>() -> Option<Linger<S>> {
    if TypeId::of::<S>() != TypeId::of::<TcpStream>() {
        return None;
    }
    Some(|io: &mut S| {
        let any: &mut dyn Any = io;
        match any.downcast_mut::<TcpStream>() {
            Some(tcp) => crate::linger::linger(tcp).map(drop),
            None => Ok(()),
        }
    })
}

fn err(e: crate::Error) -> io::Error {
    io::Error::other(e)
}

impl<S: Read + Write> Stream<S> {
    /// Wraps a new session (client or server) and its transport. On a `TcpStream`, a
    /// fatal alert is followed by [`crate::linger::linger`] (see [`Stream::set_linger`]).
    pub fn new(session: Session, io: S) -> Self
    where
        S: 'static,
    {
        Stream {
            session,
            io,
            plain: Vec::new(),
            plain_pos: 0,
            eof: false,
            linger: default_linger::<S>(),
        }
    }

    /// What to do with the transport once a fatal alert has gone out, before the error
    /// is returned: shut down its write side and drain it for a bounded time, as
    /// [`crate::linger::linger`] does for a `TcpStream` (the default for that type), so
    /// that closing it sends no reset that would cost the peer the alert. `None` (the
    /// default for other transports) does nothing.
    pub fn set_linger(&mut self, linger: Option<fn(&mut S) -> io::Result<()>>) {
        self.linger = linger;
    }

    /// The session.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The session, writable.
    pub fn session_mut(&mut self) -> &mut Session {
        &mut self.session
    }

    /// The transport.
    pub fn get_ref(&self) -> &S {
        &self.io
    }

    /// The session and the transport.
    pub fn into_inner(self) -> (Session, S) {
        (self.session, self.io)
    }

    /// Runs the handshake to completion (a no-op once complete). Fails with
    /// `ConnectionAborted` when either side sent a fatal alert, `UnexpectedEof` when the
    /// transport closed first.
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

    /// Sends close_notify (`encode_closure_alert`) and flushes it; the transport stays
    /// open for the caller to close.
    pub fn shutdown(&mut self) -> io::Result<()> {
        if self.session.encode_closure_alert().is_ok() {
            self.flush_out()?;
        }
        self.io.flush()
    }

    /// Writes everything `get_outdata` holds. A fatal alert going out ends in
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
            match self.session.sent_data(n).map_err(err)? {
                Sent::RequestSend => {}
                Sent::RequestClose if self.session.sent_fatal => {
                    self.io.flush()?;
                    // The alert is out: let it reach the peer (a failure to linger
                    // changes nothing about the outcome).
                    if let Some(linger) = self.linger.take() {
                        let _ = linger(&mut self.io);
                    }
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

    /// Sends what the session has queued (handshake messages of a running re-handshake),
    /// then reads once from the transport and processes what came.
    fn read_more(&mut self) -> io::Result<()> {
        self.flush_out()?;
        let buf = self.session.get_readbuf();
        if buf.is_empty() {
            return Err(err(crate::Error::MemFail));
        }
        let n = self.io.read(buf)?;
        if n == 0 {
            self.eof = true;
            return Ok(());
        }
        let mut r = self.session.received_data(n).map_err(err)?;
        loop {
            match r {
                Received::RequestSend => {
                    self.flush_out()?;
                    return Ok(());
                }
                Received::RequestRecv | Received::HandshakeComplete | Received::Success => {
                    return Ok(());
                }
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
                        return Err(io::Error::new(
                            io::ErrorKind::ConnectionAborted,
                            format!("peer sent a fatal alert: {description:?}"),
                        ));
                    }
                }
            }
            r = self.session.processed_data().map_err(err)?;
        }
    }
}

impl<S: Read + Write> Read for Stream<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.session.established {
            self.handshake()?;
        }
        while self.plain_pos == self.plain.len() && !self.eof {
            self.read_more()?;
        }
        let avail = self.plain.get(self.plain_pos..).unwrap_or_default();
        let n = avail.len().min(buf.len());
        if let (Some(dst), Some(src)) = (buf.get_mut(..n), avail.get(..n)) {
            dst.copy_from_slice(src);
        }
        self.plain_pos += n;
        Ok(n)
    }
}

impl<S: Read + Write> Write for Stream<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let own_rehandshake =
            self.session.local_rehandshake && !self.session.is_handshake_complete();
        if !self.session.established || own_rehandshake {
            self.handshake()?;
        }
        if buf.is_empty() {
            return Ok(0);
        }
        let n = buf.len().min(crate::codec::record::MAX_PLAINTEXT_LEN);
        self.session
            .encode_to_outdata(buf.get(..n).unwrap_or_default())
            .map_err(err)?;
        self.flush_out()?;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_out()?;
        self.io.flush()
    }
}
