//! The platform layer MatrixSSL calls `osdep`: where randomness and time come from, and what
//! happens when a debug build wants to stop at the first error.
//!
//! With `std`, [`OsEntropy`] reads the operating system's generator (getrandom) and
//! [`SystemClock`] the wall clock. Without it, a firmware supplies its own [`Entropy`] and
//! [`Clock`]: nothing in matrix reads hardware behind the user's back.

use crate::Error;

/// A source of true randomness (`psGetEntropy`), used to seed matrix-crypto's DRBG.
pub trait Entropy {
    /// Fills `buf` entirely, or fails with [`Error::PlatformFail`].
    fn get_entropy(&mut self, buf: &mut [u8]) -> Result<(), Error>;
}

/// A millisecond clock: session-cache expiry and certificate validity dates.
pub trait Clock {
    /// Milliseconds since the Unix epoch (1970-01-01T00:00:00Z).
    fn now_ms(&self) -> u64;
}

/// Whole seconds of a millisecond time, saturated at `u32::MAX` (a hello random's
/// `gmt_unix_time`, a ticket's age). A long division by 1000 in 16-bit digits: every step
/// divides a 32-bit number, which a 32-bit microcontroller does in hardware, where `ms /
/// 1000` would link the 64-bit division routine (about 0.5 KB on a Cortex-M4). A time whose
/// seconds fit in 32 bits is below `1000 * 2^32`, so its top 32 bits are already the first
/// remainder (less than 1000): two 16-bit steps remain, with a 32-bit quotient.
pub fn secs_of_ms(ms: u64) -> u32 {
    const SATURATED: u64 = 1000 << 32;
    if ms >= SATURATED {
        return u32::MAX;
    }
    // Written out rather than as a loop over the two shifts: with constant shifts no 64-bit
    // shift routine is linked (the loop called `__aeabi_llsr`), and the whole is small
    // enough to inline (-122 B on a Cortex-M4 client).
    // r < 1000, so each dividend below, `r << 16` plus a 16-bit digit, fits in 32 bits.
    let r = (ms >> 32) as u32;
    let cur = (r << 16) | ((ms >> 16) as u32 & 0xffff);
    let (q, r) = (cur / 1000, cur % 1000);
    let cur = (r << 16) | (ms as u32 & 0xffff);
    (q << 16) | (cur / 1000)
}

/// The operating system's random generator.
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
#[derive(Clone, Copy, Debug, Default)]
pub struct OsEntropy;

#[cfg(feature = "std")]
impl Entropy for OsEntropy {
    fn get_entropy(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        getrandom::fill(buf).map_err(|e| {
            crate::trace::traced_error(Error::PlatformFail, format_args!("getrandom: {e}"))
        })
    }
}

/// The system's wall clock.
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

#[cfg(feature = "std")]
impl Clock for SystemClock {
    fn now_ms(&self) -> u64 {
        // A clock set before 1970 reads as the epoch rather than failing: every caller
        // compares times, and "very old" is the conservative answer for expiry.
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            .unwrap_or(0)
    }
}

/// A clock that only moves when told to: for tests, simulations and devices that learn the
/// time from elsewhere.
///
/// It keeps the time in an `AtomicU64` (so it is `Sync` and can be shared with a context),
/// so it exists only on targets with 64-bit atomics: 32-bit microcontrollers such as the
/// Cortex-M4 (`thumbv7em-none-eabihf`) have none, and a firmware there implements [`Clock`]
/// over its own timer (see `firmware/` in the repository).
#[cfg(target_has_atomic = "64")]
#[derive(Debug, Default)]
pub struct ManualClock {
    now: core::sync::atomic::AtomicU64,
}

#[cfg(target_has_atomic = "64")]
impl ManualClock {
    /// A clock reading `now_ms`.
    pub const fn new(now_ms: u64) -> Self {
        ManualClock {
            now: core::sync::atomic::AtomicU64::new(now_ms),
        }
    }

    /// Sets the time.
    pub fn set(&self, now_ms: u64) {
        self.now
            .store(now_ms, core::sync::atomic::Ordering::Relaxed);
    }

    /// Moves the time forward by `ms`, saturating.
    pub fn advance(&self, ms: u64) {
        let _ = self.now.fetch_update(
            core::sync::atomic::Ordering::Relaxed,
            core::sync::atomic::Ordering::Relaxed,
            |t| Some(t.saturating_add(ms)),
        );
    }
}

#[cfg(target_has_atomic = "64")]
impl Clock for ManualClock {
    fn now_ms(&self) -> u64 {
        self.now.load(core::sync::atomic::Ordering::Relaxed)
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now_ms(&self) -> u64 {
        (**self).now_ms()
    }
}

/// A clock shared with its owner, who may move it (a test's `ManualClock`): a context
/// takes its clock boxed, and a box of an `Arc` leaves the owner its handle.
impl<C: Clock + ?Sized> Clock for alloc::sync::Arc<C> {
    fn now_ms(&self) -> u64 {
        (**self).now_ms()
    }
}

/// `osdepBreak`: stop here, for a debugger or a crash dump.
///
/// Feature `halt-on-ps-error` makes every traced error ([`crate::ps_error!`]) call it. Under
/// `std` it aborts the process (a debugger stops on the SIGABRT; a core dump holds the
/// stack); without `std` it panics, which a firmware's panic handler turns into a halt.
/// Never enable that feature in production: it turns a peer's malformed record into a halt.
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
#[cold]
pub fn osdep_break(err: Error) -> ! {
    std::eprintln!("osdep_break: {err}");
    std::process::abort()
}

/// `osdepBreak`: stop here (without `std`: a panic, which the firmware's panic handler turns
/// into a halt). See the `std` build's documentation.
#[cfg(not(feature = "std"))]
#[cfg_attr(docsrs, doc(cfg(not(feature = "std"))))]
#[cold]
pub fn osdep_break(err: Error) -> ! {
    panic!("osdep_break: {}", err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let c = ManualClock::new(1_000);
        assert_eq!(c.now_ms(), 1_000);
        c.advance(500);
        assert_eq!(c.now_ms(), 1_500);
        c.advance(u64::MAX);
        assert_eq!(c.now_ms(), u64::MAX);
        c.set(7);
        fn via_ref(c: impl Clock) -> u64 {
            c.now_ms()
        }
        assert_eq!(via_ref(&c), 7);
    }

    #[cfg(feature = "std")]
    #[test]
    fn os_entropy_fills_and_differs() {
        let mut a = [0u8; 32];
        let mut b = [0u8; 32];
        OsEntropy.get_entropy(&mut a).unwrap();
        OsEntropy.get_entropy(&mut b).unwrap();
        assert_ne!(a, b);
        assert_ne!(a, [0u8; 32]);
    }

    #[cfg(feature = "std")]
    #[test]
    fn system_clock_is_after_2024() {
        // 2024-01-01T00:00:00Z
        assert!(SystemClock.now_ms() > 1_704_067_200_000);
    }
}

#[cfg(test)]
mod secs_tests {
    use super::secs_of_ms;

    /// The long division agrees with `/ 1000` around every digit boundary and saturates.
    #[test]
    fn secs_of_ms_is_division_by_1000() {
        let mut samples = alloc::vec![0u64, 1, 999, 1000, 1001, 65_535_999, 1_704_067_200_123];
        for bits in [16u32, 32, 42, 48, 63] {
            for d in [0u64, 1, 999, 1000] {
                samples.push((1u64 << bits).wrapping_sub(d));
                samples.push((1u64 << bits) + d);
            }
        }
        samples.extend([4_294_967_295_999, 4_294_967_296_000, u64::MAX]);
        for ms in samples {
            let expected = u32::try_from(ms / 1000).unwrap_or(u32::MAX);
            assert_eq!(secs_of_ms(ms), expected, "{ms}");
        }
    }
}
