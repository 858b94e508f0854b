//! A `#[global_allocator]` over matrix-core's `BlockPool` (MatrixSSL's
//! `USE_PEERSEC_MEMORY_MANAGEMENT`): every `Box`, `Vec` and `Arc` of the library comes from
//! fixed-size blocks carved once from a static region, so the heap never fragments and its
//! worst case is known at link time.
//!
//! The pool itself is safe code working in offsets; this adapter turns its blocks into the
//! raw pointers `GlobalAlloc` deals in, which needs `unsafe` (the library crates forbid it,
//! so the adapter lives here, in the firmware, as the developer's guide's memory chapter
//! says a port does). A spin lock guards the pool: a Cortex-M4 has 32-bit
//! compare-and-swap, and the firmware allocates from one thread (an interrupt handler that
//! allocated while the main loop held the lock would spin forever, so handlers must not
//! allocate, the usual rule for a firmware heap).
//!
//! The same code is the global allocator of the host-side test (`tests/pool_alloc.rs`),
//! which runs a real handshake over it and prints the high-water mark of each class.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::ptr::null_mut;
use core::sync::atomic::{AtomicBool, Ordering};

use matrix_core::memory::{BlockPool, ClassStats, MAX_CLASSES, PoolClass};

/// The pool's state: made on first use from the region and the classes.
struct State {
    /// The region's first byte, kept as a raw pointer: blocks are handed out as
    /// `base + offset`, so user pointers never derive from the pool's slice borrow.
    base: *mut u8,
    pool: Option<BlockPool<'static>>,
}

/// A global allocator over a `BlockPool` in a `'static` region.
///
/// `PoolAlloc::new(REGION, CLASSES)` is `const`, so it can be a `static`. The region's
/// size must hold the classes ([`BlockPool::region_size`]); if it does not, every
/// allocation fails (null), which a firmware's allocation-error handler reports.
pub struct PoolAlloc {
    region: *mut [u8],
    classes: &'static [PoolClass],
    lock: AtomicBool,
    state: UnsafeCell<State>,
}

// SAFETY: every access to `state` (and through it to the region) happens with `lock` held
// (acquired with compare-and-swap, released with a Release store), so the allocator is
// used by one thread at a time; the raw pointers name a `'static` region only this
// allocator touches (the caller of `new` hands it over exclusively).
unsafe impl Sync for PoolAlloc {}

impl PoolAlloc {
    /// An allocator over `region` (which it owns from now on: nothing else may touch it)
    /// with the given size classes.
    pub const fn new(region: *mut [u8], classes: &'static [PoolClass]) -> Self {
        PoolAlloc {
            region,
            classes,
            lock: AtomicBool::new(false),
            state: UnsafeCell::new(State {
                base: null_mut(),
                pool: None,
            }),
        }
    }

    /// Runs `f` on the pool with the lock held, making the pool first if needed. `None`
    /// when the region cannot hold the classes.
    fn with_pool<R>(&self, f: impl FnOnce(&mut BlockPool<'static>, *mut u8) -> R) -> Option<R> {
        while self
            .lock
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            core::hint::spin_loop();
        }
        // SAFETY: the lock is held (above) until the Release store below, so this is the
        // only reference to the state.
        let state = unsafe { &mut *self.state.get() };
        if state.pool.is_none() {
            self.make_pool(state);
        }
        let base = state.base;
        let out = state.pool.as_mut().map(|p| f(p, base));
        self.lock.store(false, Ordering::Release);
        out
    }

    /// `alloc` and `dealloc` in one function, so that the image carries one copy of the
    /// lock, the first-use check and the pool's calls: a block of `layout` when `ptr` is
    /// null (null when none is free), else `ptr` given back (null returned).
    #[inline(never)]
    fn alloc_or_free(&self, ptr: *mut u8, layout: Layout) -> *mut u8 {
        self.with_pool(|pool, base| {
            if ptr.is_null() {
                match pool.alloc(layout.size(), layout.align()) {
                    // The block stays handed out until `dealloc` turns the pointer back
                    // into it (by offset): `Block` is only a name, dropping it frees
                    // nothing.
                    //
                    // SAFETY: the offset is a block's start inside the region (the pool
                    // only hands out blocks it carved from it), so the result stays in
                    // bounds.
                    Ok(block) => return unsafe { base.add(pool.offset(&block)) },
                    Err(_) => return null_mut(),
                }
            }
            // `ptr` came from `alloc` (GlobalAlloc's contract), so it is a block's start in
            // the region and the block is handed out.
            let offset = (ptr as usize).wrapping_sub(base as usize);
            if let Some(block) = pool.block_at(offset) {
                pool.free(block);
            }
            null_mut()
        })
        .unwrap_or(null_mut())
    }

    /// Makes the pool, on first use (with the lock held: `state` is the caller's exclusive
    /// reference). Out of line: it runs once, and keeps the hot path short.
    #[inline(never)]
    fn make_pool(&self, state: &mut State) {
        let base = self.region as *mut u8;
        // SAFETY: `new`'s caller gave this allocator the region for good: it is valid for its
        // length for 'static, and nothing else references it. The pool made here is the
        // only slice over it, and it is made once (`with_pool` calls this only while
        // `state.pool` is `None`, and a failed `new` drops the slice it was given).
        let region: &'static mut [u8] = unsafe { &mut *self.region };
        state.pool = BlockPool::new(region, self.classes).ok();
        state.base = base;
    }

    /// The statistics of each class (smallest first) and the bytes in use now; `None`
    /// before the first allocation or when the region is too small.
    pub fn stats(&self) -> Option<([ClassStats; MAX_CLASSES], usize, usize)> {
        self.with_pool(|p, _| {
            let mut out = [ClassStats::default(); MAX_CLASSES];
            let mut n = 0;
            for (slot, s) in out.iter_mut().zip(p.stats()) {
                *slot = s;
                n += 1;
            }
            (out, n, p.bytes_in_use())
        })
    }
}

// SAFETY: `alloc` returns either null or the start of a block the pool has just marked as
// handed out: at least `layout.size()` bytes (the pool picks a class at least that large),
// aligned to `layout.align()` (the pool refuses alignments over its block alignment, and
// every block starts at a multiple of it), and inside the region, which lives for
// 'static. No other live allocation overlaps it until `dealloc` gives it back.
unsafe impl GlobalAlloc for PoolAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.alloc_or_free(null_mut(), layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // A null `ptr` never comes here (GlobalAlloc's contract: it came from `alloc`).
        self.alloc_or_free(ptr, layout);
    }
}
