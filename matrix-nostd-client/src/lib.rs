//! A `no_std` TLS client: what firmware writes around matrix-ssl when there is no operating
//! system. The library is used with its default features off (no `std`: no OS entropy, no
//! system clock, no files); the board supplies
//!
//! - its entropy source, [`Trng`]: an [`Entropy`] over the board's true random number
//!   generator driver (a function that fills a buffer), seeding the context's DRBG;
//! - its clock, [`TickClock`]: a [`Clock`] counting milliseconds from a timer interrupt
//!   ([`TickClock::tick`]), for the session cache and the re-handshake rate limit;
//! - its transport: anything with the `embedded_io` traits (a UART, a TCP socket of the
//!   network stack), driven by `matrix_ssl::embedded::TlsStream`;
//! - the trusted CA as DER bytes compiled into the image.
//!
//! [`fetch`] runs one request over one connection. The example `in_memory` runs it on the
//! host against a matrix server at the other end of a socket pair.

#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicU64, Ordering};

use embedded_io::{Read, Write};
use matrix_core::Error;
use matrix_core::osdep::{Clock, Entropy};
use matrix_ssl::embedded::TlsStream;
use matrix_ssl::{Config, Keys};

/// The board's true random number generator, as its driver exposes it: a function that
/// fills `buf` with fresh entropy and says whether it could.
pub struct Trng {
    fill: fn(&mut [u8]) -> bool,
}

impl Trng {
    /// Wraps the driver's fill function.
    pub const fn new(fill: fn(&mut [u8]) -> bool) -> Self {
        Trng { fill }
    }
}

impl Entropy for Trng {
    fn get_entropy(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        if (self.fill)(buf) {
            Ok(())
        } else {
            // The reference's psGetEntropy failure.
            Err(Error::PlatformFail)
        }
    }
}

/// Milliseconds since boot, advanced by the timer interrupt.
#[derive(Debug, Default)]
pub struct TickClock {
    ms: AtomicU64,
}

impl TickClock {
    /// A clock at 0 ms.
    pub const fn new() -> Self {
        TickClock {
            ms: AtomicU64::new(0),
        }
    }

    /// Called from the timer interrupt: `ms` milliseconds passed.
    pub fn tick(&self, ms: u64) {
        self.ms.fetch_add(ms, Ordering::Relaxed);
    }
}

impl Clock for TickClock {
    fn now_ms(&self) -> u64 {
        self.ms.load(Ordering::Relaxed)
    }
}

/// Why [`fetch`] failed.
#[derive(Debug)]
pub enum FetchError<E> {
    /// Opening the context, loading the CA or creating the session failed.
    Setup(Error),
    /// The connection failed: the transport or the TLS session.
    Connection(matrix_ssl::drive::LoopError<E>),
}

/// Connects over `transport`, sends `request` once the handshake is complete and appends
/// the server's answer to `response` until the server closes (close_notify or the end of the
/// transport); then sends close_notify.
pub fn fetch<T: Read + Write>(
    transport: T,
    trng: Trng,
    clock: Arc<TickClock>,
    ca_der: &[u8],
    request: &[u8],
    response: &mut Vec<u8>,
) -> Result<(), FetchError<T::Error>> {
    let ctx = matrix_ssl::open_with(Config::default(), Box::new(trng), Box::new(clock))
        .map_err(FetchError::Setup)?;
    let mut keys = Keys::new();
    keys.load_rsa_keys_mem(None, None, Some(ca_der))
        .map_err(FetchError::Setup)?;
    let session = ctx
        .new_client_session(Arc::new(keys), None, 0, None, None)
        .map_err(FetchError::Setup)?;
    let mut tls = TlsStream::new(session, transport);
    tls.write_all(request).map_err(FetchError::Connection)?;
    let mut buf = [0u8; 512];
    loop {
        let n = tls.read(&mut buf).map_err(FetchError::Connection)?;
        if n == 0 {
            break;
        }
        response.extend_from_slice(&buf[..n]);
    }
    tls.close().map_err(FetchError::Connection)
}
