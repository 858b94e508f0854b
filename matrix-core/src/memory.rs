//! Deterministic memory (`USE_PEERSEC_MEMORY_MANAGEMENT`).
//!
//! Two tools for devices that must never run out of memory by surprise:
//!
//! - [`SessionBudget`]: a byte cap that a session charges its buffers to. A peer that sends
//!   ever-larger records meets `PS_MEM_FAIL` at the cap instead of growing the heap. Always
//!   compiled: it costs two words per session.
//! - `BlockPool` (feature `peersec-memory-management`): fixed-size blocks carved once from a
//!   caller-provided region (a `static` array on a device with no heap). Each size class has
//!   its own free list, threaded through the free blocks themselves, so the pool needs no
//!   memory of its own, allocates and frees in constant time, and cannot fragment: a block
//!   freed is exactly a block that can be handed out again. It counts blocks in use, their
//!   high-water mark and refusals per class, which is how a firmware sizes its classes.
//!
//! The pool works in offsets and slices, so it is safe code. Installing it as the process's
//! `#[global_allocator]` takes an implementation of the (unsafe) `GlobalAlloc` trait, a few
//! lines that convert offsets to pointers; that adapter belongs in the firmware binary (or a
//! future C-ABI crate), since every matrix library crate forbids unsafe code.

use crate::Error;

/// A per-session memory cap in bytes.
///
/// The session charges each buffer before growing it and releases what it frees; the budget
/// refuses with [`Error::MemFail`] any charge that would pass the cap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionBudget {
    cap: usize,
    used: usize,
    high_water: usize,
}

impl SessionBudget {
    /// A budget of `cap` bytes.
    pub const fn new(cap: usize) -> Self {
        SessionBudget {
            cap,
            used: 0,
            high_water: 0,
        }
    }

    /// A budget that never refuses (it still keeps statistics).
    pub const fn unlimited() -> Self {
        Self::new(usize::MAX)
    }

    /// Reserves `bytes` more, or fails with [`Error::MemFail`] leaving the budget unchanged.
    pub fn charge(&mut self, bytes: usize) -> Result<(), Error> {
        let used = self
            .used
            .checked_add(bytes)
            .filter(|&u| u <= self.cap)
            .ok_or(Error::MemFail)?;
        self.used = used;
        self.high_water = self.high_water.max(used);
        Ok(())
    }

    /// Returns `bytes` to the budget. Releasing more than was charged clamps at zero.
    pub fn release(&mut self, bytes: usize) {
        self.used = self.used.saturating_sub(bytes);
    }

    /// Moves a buffer's charge from `old` to `new` bytes: a grow is charged (and may fail,
    /// leaving the old charge in place), a shrink released.
    pub fn resize(&mut self, old: usize, new: usize) -> Result<(), Error> {
        if new >= old {
            self.charge(new - old)
        } else {
            self.release(old - new);
            Ok(())
        }
    }

    /// The cap in bytes.
    pub const fn cap(&self) -> usize {
        self.cap
    }

    /// Bytes charged now.
    pub const fn used(&self) -> usize {
        self.used
    }

    /// Bytes that can still be charged.
    pub const fn available(&self) -> usize {
        self.cap - self.used
    }

    /// The most bytes ever charged at once.
    pub const fn high_water(&self) -> usize {
        self.high_water
    }
}

impl Default for SessionBudget {
    fn default() -> Self {
        Self::unlimited()
    }
}

#[cfg(feature = "peersec-memory-management")]
mod pool;
#[cfg(feature = "peersec-memory-management")]
#[cfg_attr(docsrs, doc(cfg(feature = "peersec-memory-management")))]
pub use pool::{BLOCK_ALIGN, Block, BlockPool, ClassStats, MAX_CLASSES, PoolClass};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_refuses_past_its_cap_and_keeps_state() {
        let mut b = SessionBudget::new(100);
        b.charge(60).unwrap();
        assert_eq!(b.charge(41), Err(Error::MemFail));
        assert_eq!(b.used(), 60, "a refused charge changes nothing");
        b.charge(40).unwrap();
        assert_eq!(b.available(), 0);
        assert_eq!(b.charge(1), Err(Error::MemFail));
        b.release(70);
        assert_eq!(b.used(), 30);
        assert_eq!(b.high_water(), 100);
        b.release(1_000);
        assert_eq!(b.used(), 0);
    }

    #[test]
    fn budget_resize_grows_and_shrinks() {
        let mut b = SessionBudget::new(20_000);
        b.resize(0, 16_384).unwrap();
        assert_eq!(b.resize(16_384, 20_001), Err(Error::MemFail));
        assert_eq!(b.used(), 16_384);
        b.resize(16_384, 1_024).unwrap();
        assert_eq!(b.used(), 1_024);
        assert_eq!(b.high_water(), 16_384);
    }

    #[test]
    fn budget_overflow_is_a_refusal() {
        let mut b = SessionBudget::unlimited();
        b.charge(usize::MAX - 1).unwrap();
        assert_eq!(b.charge(2), Err(Error::MemFail));
    }
}
