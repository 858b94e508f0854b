//! [`TlsStream`]: a session as `embedded_io_async::Read + Write` (embedded-io-async 0.7)
//! over any async `embedded_io_async` transport, for `no_std` firmware with an async
//! executor such as Embassy (feature `embedded-io-async`).
//!
//! The loop is the one of [`crate::drive`]: [`Driver::next`] decides, this adapter
//! performs each step with `.await`. A future of this adapter is not cancel-safe in the
//! middle of a step (as with most `embedded-io-async` writers): dropping it can lose part
//! of a record.

use embedded_io_async::{ErrorType, Read, Write};

use crate::drive::{Driver, Goal, LoopError, Step};
use crate::session::Session;

/// A session over an async `embedded_io_async` transport.
#[derive(Debug)]
pub struct TlsStream<T> {
    driver: Driver,
    io: T,
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

    /// [`Driver::next`] to `goal`, each step awaited on the transport.
    async fn run(&mut self, goal: Goal) -> Result<(), LoopError<T::Error>> {
        loop {
            match self.driver.next(goal)? {
                Step::Send => {
                    let n = self
                        .io
                        .write(self.driver.outgoing())
                        .await
                        .map_err(LoopError::Io)?;
                    match self.driver.sent(n) {
                        Ok(true) => self.io.flush().await.map_err(LoopError::Io)?,
                        Ok(false) => {}
                        Err(e) => {
                            let _ = self.io.flush().await;
                            return Err(e.into());
                        }
                    }
                }
                Step::Recv => {
                    let buf = self.driver.incoming()?;
                    let n = self.io.read(buf).await.map_err(LoopError::Io)?;
                    self.driver.received(n)?;
                }
                _ => return Ok(()),
            }
        }
    }

    /// Runs the handshake to completion (a no-op once complete).
    pub async fn handshake(&mut self) -> Result<(), LoopError<T::Error>> {
        self.run(Goal::Handshake).await
    }

    /// Sends close_notify and flushes it; the transport stays open for the caller.
    pub async fn close(&mut self) -> Result<(), LoopError<T::Error>> {
        self.driver.close();
        self.run(Goal::Flush).await?;
        self.io.flush().await.map_err(LoopError::Io)
    }
}

impl<T: Read + Write> ErrorType for TlsStream<T> {
    type Error = LoopError<T::Error>;
}

impl<T: Read + Write> Read for TlsStream<T> {
    /// Application data: the handshake first if needed, then at least one byte, or 0 once
    /// the peer closed.
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.run(Goal::Read).await?;
        Ok(self.driver.read_plain(buf))
    }
}

impl<T: Read + Write> Write for TlsStream<T> {
    /// Up to one record (16 KiB) of `buf`, encrypted and sent.
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.run(Goal::Write).await?;
        let n = self.driver.write_plain(buf)?;
        self.run(Goal::Flush).await?;
        Ok(n)
    }

    async fn flush(&mut self) -> Result<(), Self::Error> {
        self.run(Goal::Flush).await?;
        self.io.flush().await.map_err(LoopError::Io)
    }
}
