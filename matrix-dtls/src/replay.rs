//! The anti-replay window of RFC 4347 section 4.1.2.5: which record sequence numbers of
//! the current read epoch have been seen.
//!
//! The window covers the highest sequence number that authenticated and the 63 below it.
//! A record is checked before its MAC ([`ReplayWindow::check`]: cheap, and a replay costs
//! no decryption) and marked only after it authenticated ([`ReplayWindow::mark`]), so a
//! forged record with a future sequence number cannot slide the window and make genuine
//! records look old. Records below the window are refused as replays.

/// How many sequence numbers the window remembers (RFC 4347 section 4.1.2.5: "a minimum
/// window size of 32 MUST be supported, but a window size of 64 is preferred").
pub const WINDOW_SIZE: u64 = 64;

/// The sliding window of one read epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReplayWindow {
    /// The highest sequence number marked, `None` before the first.
    top: Option<u64>,
    /// Bit `i` set: `top - i` was marked (bit 0 is `top` itself).
    bits: u64,
}

impl ReplayWindow {
    /// An empty window, for a new epoch.
    pub const fn new() -> Self {
        ReplayWindow { top: None, bits: 0 }
    }

    /// Whether a record with sequence number `seq` may be processed: not marked yet, and
    /// not below the window.
    pub fn check(&self, seq: u64) -> bool {
        let Some(top) = self.top else {
            return true;
        };
        if seq > top {
            return true;
        }
        let age = top - seq;
        age < WINDOW_SIZE && self.bits & (1u64 << age) == 0
    }

    /// Records that `seq` authenticated; moves the window up when it is the newest.
    pub fn mark(&mut self, seq: u64) {
        match self.top {
            None => {
                self.top = Some(seq);
                self.bits = 1;
            }
            Some(top) if seq > top => {
                let shift = seq - top;
                self.bits = if shift >= WINDOW_SIZE {
                    0
                } else {
                    self.bits << shift
                };
                self.bits |= 1;
                self.top = Some(seq);
            }
            Some(top) => {
                let age = top - seq;
                if age < WINDOW_SIZE {
                    self.bits |= 1u64 << age;
                }
            }
        }
    }

    /// The highest sequence number marked.
    pub fn highest(&self) -> Option<u64> {
        self.top
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_window_accepts_anything() {
        let w = ReplayWindow::new();
        assert!(w.check(0));
        assert!(w.check((1 << 48) - 1));
        assert_eq!(w.highest(), None);
    }

    #[test]
    fn marked_numbers_are_replays() {
        let mut w = ReplayWindow::new();
        for s in [0, 1, 2, 5] {
            assert!(w.check(s));
            w.mark(s);
            assert!(!w.check(s));
        }
        assert!(w.check(3));
        assert!(w.check(4));
        assert!(w.check(6));
        assert_eq!(w.highest(), Some(5));
    }

    #[test]
    fn out_of_order_within_window_accepted_once() {
        let mut w = ReplayWindow::new();
        w.mark(100);
        for s in (37..100).rev() {
            assert!(w.check(s), "{s} is inside the window");
            w.mark(s);
            assert!(!w.check(s));
        }
        // 36 = 100 - 64: just below the window.
        assert!(!w.check(36));
        assert!(!w.check(0));
    }

    #[test]
    fn a_big_jump_clears_the_window() {
        let mut w = ReplayWindow::new();
        for s in 0..64 {
            w.mark(s);
        }
        w.mark(1000);
        assert!(w.check(999));
        assert!(w.check(937));
        assert!(!w.check(936));
        assert!(!w.check(63));
        assert!(!w.check(1000));
    }

    #[test]
    fn check_does_not_mark() {
        let mut w = ReplayWindow::new();
        w.mark(10);
        assert!(w.check(500));
        // An unauthenticated future record must not have moved the window.
        assert!(w.check(9));
        assert_eq!(w.highest(), Some(10));
    }

    #[test]
    fn sliding_by_one_keeps_history() {
        let mut w = ReplayWindow::new();
        w.mark(0);
        w.mark(2);
        w.mark(3);
        assert!(!w.check(0));
        assert!(w.check(1));
        assert!(!w.check(2));
        w.mark(70);
        // 70 - 64 = 6 is the oldest remembered; 2 and 3 fell out and count as old.
        assert!(!w.check(3));
        assert!(w.check(7));
    }
}
