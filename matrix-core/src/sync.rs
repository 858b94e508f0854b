//! The lock for state that sessions share (`USE_MULTITHREADING`): the server's session cache
//! and the globally disabled cipher suites.
//!
//! With feature `multithreading`, [`Lock`] is a `std::sync::Mutex`, so a context holding one
//! is `Send + Sync` and may serve sessions on many threads. Without it, [`Lock`] is a
//! `RefCell`: no atomic instructions, no OS mutex, and the compiler refuses to share the
//! context across threads (it is `Send` but not `Sync`), which is what a single-threaded
//! firmware wants.

#[cfg(feature = "multithreading")]
mod imp {
    /// Exclusive access to a `T` shared between sessions (a mutex in this build).
    #[derive(Debug, Default)]
    pub struct Lock<T>(std::sync::Mutex<T>);

    /// The guard of a held [`Lock`]; the lock is released when it is dropped.
    pub type LockGuard<'a, T> = std::sync::MutexGuard<'a, T>;

    impl<T> Lock<T> {
        /// A lock around `value`.
        pub const fn new(value: T) -> Self {
            Lock(std::sync::Mutex::new(value))
        }

        /// Takes the lock, waiting for another thread to release it.
        ///
        /// A thread that panicked while holding the lock does not poison it for the others:
        /// the data it guards (caches, tables) stays usable, and matrix never panics while
        /// holding it.
        pub fn lock(&self) -> LockGuard<'_, T> {
            self.0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        }

        /// The value, consuming the lock.
        pub fn into_inner(self) -> T {
            self.0
                .into_inner()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
        }
    }
}

#[cfg(not(feature = "multithreading"))]
mod imp {
    /// Exclusive access to a `T` shared between sessions (a `RefCell` in this build:
    /// single-threaded).
    #[derive(Debug, Default)]
    pub struct Lock<T>(core::cell::RefCell<T>);

    /// The guard of a held [`Lock`]; the lock is released when it is dropped.
    pub type LockGuard<'a, T> = core::cell::RefMut<'a, T>;

    impl<T> Lock<T> {
        /// A lock around `value`.
        pub const fn new(value: T) -> Self {
            Lock(core::cell::RefCell::new(value))
        }

        /// Takes the lock. Taking it again while a guard is alive is a bug in matrix (the
        /// library never nests them) and panics, as `RefCell` does.
        // Inlined: a flag test at each (usually single) call site, where an out-of-line
        // copy per locked type was 32 B each on a Cortex-M4.
        #[inline]
        pub fn lock(&self) -> LockGuard<'_, T> {
            self.0.borrow_mut()
        }

        /// The value, consuming the lock.
        pub fn into_inner(self) -> T {
            self.0.into_inner()
        }
    }
}

pub use imp::{Lock, LockGuard};

/// Whether this build's [`Lock`] may be shared between threads.
pub const MULTITHREADING: bool = cfg!(feature = "multithreading");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_guards_mutation() {
        let l = Lock::new(1u32);
        *l.lock() += 41;
        assert_eq!(*l.lock(), 42);
        assert_eq!(l.into_inner(), 42);
    }

    /// `Probe::is_sync` resolves to the inherent method when `T: Sync` and to the trait's
    /// otherwise, which lets a test see whether a type is `Sync` without failing to compile.
    struct Probe<T>(core::marker::PhantomData<T>);
    #[allow(dead_code)] // unused in builds where the type is Sync
    trait NotSync {
        fn is_sync(&self) -> bool {
            false
        }
    }
    impl<T> NotSync for Probe<T> {}
    #[allow(dead_code)] // unused in builds where the type is not Sync
    impl<T: Sync> Probe<T> {
        fn is_sync(&self) -> bool {
            true
        }
    }

    #[test]
    fn lock_is_sync_exactly_with_multithreading() {
        fn send<T: Send>() {}
        send::<Lock<u32>>();
        assert_eq!(
            Probe::<Lock<u32>>(core::marker::PhantomData).is_sync(),
            MULTITHREADING
        );
    }

    #[cfg(feature = "multithreading")]
    #[test]
    fn lock_is_send_and_sync_with_multithreading() {
        fn both<T: Send + Sync>() {}
        both::<Lock<u32>>();
        let l = std::sync::Arc::new(Lock::new(0u32));
        let hs: std::vec::Vec<_> = (0..4)
            .map(|_| {
                let l = l.clone();
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        *l.lock() += 1;
                    }
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(*l.lock(), 4000);
    }
}
