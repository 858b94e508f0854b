//! [`Stream`]: a blocking `Read + Write` over a [`Session`] and any `Read + Write`
//! transport (a `TcpStream`), for programs that want sockets rather than the buffer API.
//! It runs the shared driving loop of [`crate::drive`] (send what `get_outdata` holds,
//! read into `get_readbuf`, act on `received_data`) over `std::io`; see that module for how
//! reads and writes behave during re-handshakes.
//!
//! After a fatal alert goes out, the transport is ended with [`crate::linger::linger`]
//! (write side shut down, then at most 1 s and 64 KiB of the peer's bytes read and
//! discarded) so that the peer reads the alert rather than a reset: automatically for a
//! `TcpStream`, and for another transport with [`Stream::set_linger`].

use std::any::{Any, TypeId};
use std::io::{self, Read, Write};
use std::net::TcpStream;

use crate::drive::{self, BlockingIo, DriveError, Driver, Goal, LoopError};
use crate::session::Session;

/// A session over a blocking transport.
#[derive(Debug)]
pub struct Stream<S: Read + Write> {
    driver: Driver,
    io: S,
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

/// `std::io` as the blocking loop's transport.
struct StdIo<'a, S>(&'a mut S);

impl<S: Read + Write> BlockingIo for StdIo<'_, S> {
    type Error = io::Error;
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// The session's and the loop's failures as `io::Error`s: a fatal alert either way is
/// `ConnectionAborted`, a transport closed during the handshake `UnexpectedEof`.
pub(crate) fn io_error(e: DriveError) -> io::Error {
    let kind = match e {
        DriveError::FatalAlertSent | DriveError::PeerAlert(_) => io::ErrorKind::ConnectionAborted,
        DriveError::UnexpectedEof => io::ErrorKind::UnexpectedEof,
        DriveError::WriteZero => io::ErrorKind::WriteZero,
        DriveError::PeerClosed => io::ErrorKind::BrokenPipe,
        _ => io::ErrorKind::Other,
    };
    io::Error::new(kind, e)
}

impl<S: Read + Write> Stream<S> {
    /// Wraps a new session (client or server) and its transport. On a `TcpStream`, a
    /// fatal alert is followed by [`crate::linger::linger`] (see [`Stream::set_linger`]).
    pub fn new(session: Session, io: S) -> Self
    where
        S: 'static,
    {
        Stream {
            driver: Driver::new(session),
            io,
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
        self.driver.session()
    }

    /// The session, writable.
    pub fn session_mut(&mut self) -> &mut Session {
        self.driver.session_mut()
    }

    /// The transport.
    pub fn get_ref(&self) -> &S {
        &self.io
    }

    /// The session and the transport.
    pub fn into_inner(self) -> (Session, S) {
        (self.driver.into_session(), self.io)
    }

    /// A loop's result as `std::io`'s; once our fatal alert is out (the loop flushed it),
    /// the transport lingers so that the peer reads it (a failure to linger changes
    /// nothing about the outcome).
    fn finish<T>(&mut self, r: Result<T, LoopError<io::Error>>) -> io::Result<T> {
        match r {
            Ok(v) => Ok(v),
            Err(LoopError::Io(e)) => Err(e),
            Err(LoopError::Tls(e)) => {
                if e == DriveError::FatalAlertSent
                    && let Some(linger) = self.linger.take()
                {
                    let _ = linger(&mut self.io);
                }
                Err(io_error(e))
            }
        }
    }

    fn run(&mut self, goal: Goal) -> io::Result<()> {
        let r = drive::run_blocking(&mut self.driver, &mut StdIo(&mut self.io), goal);
        self.finish(r)
    }

    /// Runs the handshake to completion (a no-op once complete). Fails with
    /// `ConnectionAborted` when either side sent a fatal alert, `UnexpectedEof` when the
    /// transport closed first.
    pub fn handshake(&mut self) -> io::Result<()> {
        self.run(Goal::Handshake)
    }

    /// Sends close_notify (`encode_closure_alert`) and flushes it; the transport stays
    /// open for the caller to close.
    pub fn shutdown(&mut self) -> io::Result<()> {
        self.driver.close();
        self.run(Goal::Flush)?;
        self.io.flush()
    }
}

impl<S: Read + Write> Read for Stream<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let r = drive::read_blocking(&mut self.driver, &mut StdIo(&mut self.io), buf);
        self.finish(r)
    }
}

impl<S: Read + Write> Write for Stream<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let r = drive::write_blocking(&mut self.driver, &mut StdIo(&mut self.io), buf);
        self.finish(r)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.run(Goal::Flush)?;
        self.io.flush()
    }
}
