//! [`TlsStream`]: a session as tokio's `AsyncRead + AsyncWrite` over any tokio transport
//! (a `tokio::net::TcpStream`), for services (feature `tokio`), in the manner of
//! tokio-rustls.
//!
//! The loop is the one of [`crate::drive`]: [`Driver::next`] decides, this adapter performs
//! each step with the transport's `poll_*` functions, so every state survives a
//! `Poll::Pending` (it lives in the session). A write is accepted once everything queued
//! before it is out; the record it makes is pushed at once and, if the transport is busy,
//! by the next write, flush or shutdown.

use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use ::tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::drive::{Driver, Goal, Step};
use crate::session::Session;
use crate::stream::io_error;

/// A session over an async tokio transport.
#[derive(Debug)]
pub struct TlsStream<IO> {
    driver: Driver,
    io: IO,
    /// Bytes went to the transport since it was last flushed.
    needs_flush: bool,
    /// close_notify is queued (`poll_shutdown`).
    closing: bool,
}

impl<IO: AsyncRead + AsyncWrite + Unpin> TlsStream<IO> {
    /// Wraps a new session (client or server) and its transport; the handshake runs on the
    /// first read or write, or on [`TlsStream::handshake`].
    pub fn new(session: Session, io: IO) -> Self {
        TlsStream {
            driver: Driver::new(session),
            io,
            needs_flush: false,
            closing: false,
        }
    }

    /// [`TlsStream::new`], then the handshake.
    pub async fn connect(session: Session, io: IO) -> io::Result<Self> {
        let mut s = TlsStream::new(session, io);
        s.handshake().await?;
        Ok(s)
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
    pub fn get_ref(&self) -> &IO {
        &self.io
    }

    /// The session and the transport.
    pub fn into_inner(self) -> (Session, IO) {
        (self.driver.into_session(), self.io)
    }

    /// Runs the handshake to completion (a no-op once complete). `ConnectionAborted` when
    /// either side sent a fatal alert, `UnexpectedEof` when the transport closed first.
    pub async fn handshake(&mut self) -> io::Result<()> {
        poll_fn(|cx| self.poll_run(cx, Goal::Handshake)).await
    }

    /// [`Driver::next`] to `goal`, each step polled on the transport.
    fn poll_run(&mut self, cx: &mut Context<'_>, goal: Goal) -> Poll<io::Result<()>> {
        loop {
            match self.driver.next(goal).map_err(io_error)? {
                Step::Send => {
                    let n = ready!(Pin::new(&mut self.io).poll_write(cx, self.driver.outgoing()))?;
                    self.needs_flush = true;
                    self.driver.sent(n).map_err(io_error)?;
                }
                // Before waiting for the peer, or when done: what was written goes out.
                _ if self.needs_flush => {
                    ready!(Pin::new(&mut self.io).poll_flush(cx))?;
                    self.needs_flush = false;
                }
                Step::Recv => {
                    let mut buf = ReadBuf::new(self.driver.incoming().map_err(io_error)?);
                    ready!(Pin::new(&mut self.io).poll_read(cx, &mut buf))?;
                    let n = buf.filled().len();
                    self.driver.received(n).map_err(io_error)?;
                }
                _ => return Poll::Ready(Ok(())),
            }
        }
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> AsyncRead for TlsStream<IO> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        ready!(this.poll_run(cx, Goal::Read))?;
        let n = this.driver.read_plain(buf.initialize_unfilled());
        buf.advance(n);
        Poll::Ready(Ok(()))
    }
}

impl<IO: AsyncRead + AsyncWrite + Unpin> AsyncWrite for TlsStream<IO> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        ready!(this.poll_run(cx, Goal::Write))?;
        let n = this.driver.write_plain(buf).map_err(io_error)?;
        // Push the record now; if the transport is busy, the next call finishes the job
        // (the waker is registered).
        if let Poll::Ready(Err(e)) = this.poll_run(cx, Goal::Flush) {
            return Poll::Ready(Err(e));
        }
        Poll::Ready(Ok(n))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_run(cx, Goal::Flush))?;
        Pin::new(&mut this.io).poll_flush(cx)
    }

    /// Sends close_notify, then shuts the transport's write side down.
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if !this.closing {
            this.driver.close();
            this.closing = true;
        }
        ready!(this.poll_run(cx, Goal::Flush))?;
        Pin::new(&mut this.io).poll_shutdown(cx)
    }
}
