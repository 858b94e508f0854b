//! [`Stream`]: a blocking `Read + Write` over a [`Session`] and any `Read + Write`
//! transport (a `TcpStream`), for programs that want sockets rather than the buffer API.
//! It runs the shared driving loop of [`crate::drive`] (send what `get_outdata` holds,
//! read into `get_readbuf`, act on `received_data`) over `std::io`; see that module for how
//! reads and writes behave during re-handshakes.

use std::io::{self, Read, Write};

use crate::drive::{self, BlockingIo, DriveError, Driver, Goal, LoopError};
use crate::session::Session;

/// A session over a blocking transport.
#[derive(Debug)]
pub struct Stream<S: Read + Write> {
    driver: Driver,
    io: S,
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

fn loop_error(e: LoopError<io::Error>) -> io::Error {
    match e {
        LoopError::Io(e) => e,
        LoopError::Tls(e) => io_error(e),
    }
}

impl<S: Read + Write> Stream<S> {
    /// Wraps a new session (client or server) and its transport.
    pub fn new(session: Session, io: S) -> Self {
        Stream {
            driver: Driver::new(session),
            io,
        }
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

    fn run(&mut self, goal: Goal) -> io::Result<()> {
        drive::run_blocking(&mut self.driver, &mut StdIo(&mut self.io), goal).map_err(loop_error)
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
        drive::read_blocking(&mut self.driver, &mut StdIo(&mut self.io), buf).map_err(loop_error)
    }
}

impl<S: Read + Write> Write for Stream<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        drive::write_blocking(&mut self.driver, &mut StdIo(&mut self.io), buf).map_err(loop_error)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.run(Goal::Flush)?;
        self.io.flush()
    }
}
