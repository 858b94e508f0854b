//! The board support a `no_std` matrix needs, as C functions of the firmware (`c/board.c`
//! is a link-only stand-in for a real board's):
//!
//! - `board_entropy(buf, len)`: fill `buf` from the device's true random generator
//!   (0 on success); seeds matrix-crypto's DRBG through [`Entropy`];
//! - `board_millis()`: milliseconds since the Unix epoch (an RTC, or a network time
//!   learnt at boot); certificate dates and session-cache expiry through [`Clock`];
//! - `board_send(buf, len)` / `board_recv(buf, cap)`: the connection's bytes (a UART, a
//!   TCP stack): bytes moved, or negative on failure.

use matrix_core::Error;
use matrix_core::osdep::{Clock, Entropy};

use crate::tls::Link;

unsafe extern "C" {
    fn board_entropy(buf: *mut u8, len: usize) -> i32;
    fn board_millis() -> u64;
    fn board_send(buf: *const u8, len: usize) -> i32;
    fn board_recv(buf: *mut u8, cap: usize) -> i32;
}

/// The board's true random generator.
#[derive(Clone, Copy, Debug)]
pub struct BoardEntropy;

impl Entropy for BoardEntropy {
    fn get_entropy(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        // SAFETY: `buf` is valid for writes of `buf.len()` bytes for the call, which is
        // all the C function is allowed to touch.
        match unsafe { board_entropy(buf.as_mut_ptr(), buf.len()) } {
            0 => Ok(()),
            _ => Err(Error::PlatformFail),
        }
    }
}

/// The board's wall clock.
#[derive(Clone, Copy, Debug)]
pub struct BoardClock;

impl Clock for BoardClock {
    fn now_ms(&self) -> u64 {
        // SAFETY: takes no arguments and only reads the board's clock.
        unsafe { board_millis() }
    }
}

/// The board's one connection.
#[derive(Clone, Copy, Debug)]
pub struct BoardLink;

impl Link for BoardLink {
    fn send(&mut self, data: &[u8]) -> Result<usize, Error> {
        // SAFETY: `data` is valid for reads of `data.len()` bytes for the call.
        let n = unsafe { board_send(data.as_ptr(), data.len()) };
        usize::try_from(n).map_err(|_| Error::PlatformFail)
    }

    fn recv(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        // SAFETY: `buf` is valid for writes of `buf.len()` bytes for the call.
        let n = unsafe { board_recv(buf.as_mut_ptr(), buf.len()) };
        match usize::try_from(n) {
            Ok(n) if n <= buf.len() => Ok(n),
            _ => Err(Error::PlatformFail),
        }
    }
}
