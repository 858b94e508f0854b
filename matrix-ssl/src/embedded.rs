//! [`TlsStream`]: a session as `embedded_io::Read + Write` (embedded-io 0.7) over any
//! `embedded_io` transport, for `no_std` firmware with blocking I/O (feature
//! `embedded-io`). It runs the driving loop every blocking adapter shares
//! ([`crate::drive::run_blocking`]); [`crate::Stream`] is the same over `std::io`.
//!
//! embedded-io 0.7 rather than 0.6: it is the current release of the traits (0.7.1), its
//! `Error` trait is built on `core::error::Error`, which our [`crate::drive::LoopError`]
//! implements, and embedded-io-async 0.7 shares its error types, so one error type serves
//! both adapters.

use embedded_io::{ErrorKind, ErrorType, Read, Write};

use crate::Error;
use crate::drive::{self, BlockingIo, DriveError, Driver, Goal, LoopError};
use crate::session::Session;

/// The error of the embedded adapters: the transport's (`Io`) or the session's (`Tls`).
pub type TlsError<E> = LoopError<E>;

impl<E: embedded_io::Error> embedded_io::Error for LoopError<E> {
    fn kind(&self) -> ErrorKind {
        match self {
            LoopError::Io(e) => e.kind(),
            LoopError::Tls(e) => drive_error_kind(*e),
        }
    }
}

/// How a session failure reads as an `embedded_io` error kind.
pub(crate) fn drive_error_kind(e: DriveError) -> ErrorKind {
    match e {
        DriveError::FatalAlertSent | DriveError::PeerAlert(_) => ErrorKind::ConnectionAborted,
        DriveError::UnexpectedEof => ErrorKind::ConnectionReset,
        DriveError::WriteZero => ErrorKind::WriteZero,
        DriveError::PeerClosed => ErrorKind::BrokenPipe,
        DriveError::Tls(Error::MemFail) => ErrorKind::OutOfMemory,
        _ => ErrorKind::InvalidData,
    }
}

/// A session over a blocking `embedded_io` transport.
#[derive(Debug)]
pub struct TlsStream<T> {
    driver: Driver,
    io: T,
}

/// `embedded_io` as the blocking loop's transport.
struct EmbeddedIo<'a, T>(&'a mut T);

impl<T: Read + Write> BlockingIo for EmbeddedIo<'_, T> {
    type Error = T::Error;
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, T::Error> {
        self.0.read(buf)
    }
    fn write(&mut self, buf: &[u8]) -> Result<usize, T::Error> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> Result<(), T::Error> {
        self.0.flush()
    }
}

impl<T: Read + Write> TlsStream<T> {
    /// Wraps a new session (client or server) and its transport.
    pub fn new(session: Session, io: T) -> Self {
        TlsStream {
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

    /// The session and the transport.
    pub fn into_inner(self) -> (Session, T) {
        (self.driver.into_session(), self.io)
    }

    fn run(&mut self, goal: Goal) -> Result<(), LoopError<T::Error>> {
        drive::run_blocking(&mut self.driver, &mut EmbeddedIo(&mut self.io), goal)
    }

    /// Runs the handshake to completion (a no-op once complete).
    pub fn handshake(&mut self) -> Result<(), LoopError<T::Error>> {
        self.run(Goal::Handshake)
    }

    /// Sends close_notify and flushes it; the transport stays open for the caller.
    pub fn close(&mut self) -> Result<(), LoopError<T::Error>> {
        self.driver.close();
        self.run(Goal::Flush)?;
        self.io.flush().map_err(LoopError::Io)
    }
}

impl<T: Read + Write> ErrorType for TlsStream<T> {
    type Error = LoopError<T::Error>;
}

impl<T: Read + Write> Read for TlsStream<T> {
    /// Application data: the handshake first if needed, then at least one byte, or 0 once
    /// the peer closed.
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        drive::read_blocking(&mut self.driver, &mut EmbeddedIo(&mut self.io), buf)
    }
}

impl<T: Read + Write> Write for TlsStream<T> {
    /// Up to one record (16 KiB) of `buf`, encrypted and sent.
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        drive::write_blocking(&mut self.driver, &mut EmbeddedIo(&mut self.io), buf)
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.run(Goal::Flush)?;
        self.io.flush().map_err(LoopError::Io)
    }
}
