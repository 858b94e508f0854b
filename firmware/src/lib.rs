//! matrix-firmware: the Cortex-M4 image of `cargo xtask firmware`.
//!
//! A `#![no_std]` + `alloc` TLS client or server, the same work as the footprint table of
//! the repository's size report: TLS 1.1 with the profile's suite, one RSA-2048 CA in
//! memory (client) or the server's key from components and its chain as DER (server), a
//! pre-shared key with `psk`, then handshake, send, receive and the close alert. It brings
//! what a `no_std` build of matrix needs from the device:
//!
//! - [`board`]: entropy, a millisecond clock and the byte transport, each one C function
//!   of the board support (`c/board.c` in this crate is a link-only stand-in: the image is
//!   linked to be measured, not run);
//! - [`pool_alloc`]: the `#[global_allocator]` over matrix-core's `BlockPool`;
//! - the C entry points `matrix_fw_client` / `matrix_fw_server`, called by `c/main.c`.
//!
//! `unsafe` is allowed here (and only in this crate and matrix-ffi): the allocator and the
//! C calls, each with a SAFETY comment. The library code itself stays safe.

// `no_std` on the microcontroller; on the host (the allocator's test) the staticlib links
// std, which brings the panic handler a host artifact needs. The code itself uses only
// `core` and `alloc` either way.
#![cfg_attr(target_os = "none", no_std)]
#![deny(unsafe_op_in_unsafe_fn)]

extern crate alloc;

pub mod pool_alloc;
pub mod tls;

#[cfg(target_os = "none")]
pub mod board;

#[cfg(target_os = "none")]
mod image {
    //! What only the linked image has: the global allocator over a static region, the
    //! panic handler and the C entry points.

    use matrix_core::memory::PoolClass;

    use crate::board::{BoardClock, BoardEntropy, BoardLink};
    use crate::pool_alloc::PoolAlloc;

    /// The size classes of the heap: many small blocks (keys, hash states, small vectors),
    /// a few large ones (certificates, record buffers of up to 16 KiB plus overhead). The
    /// host test (`tests/pool_alloc.rs`) prints each class's high-water mark for a client
    /// and a server in one process; these counts cover those peaks (a one-role image needs
    /// about half), and a request whose class is used up takes a block of a larger class.
    static CLASSES: [PoolClass; 8] = [
        PoolClass {
            block_size: 16,
            count: 96,
        },
        PoolClass {
            block_size: 48,
            count: 48,
        },
        PoolClass {
            block_size: 128,
            count: 48,
        },
        PoolClass {
            block_size: 320,
            count: 48,
        },
        PoolClass {
            block_size: 1024,
            count: 24,
        },
        PoolClass {
            block_size: 2048,
            count: 4,
        },
        PoolClass {
            block_size: 4096,
            count: 8,
        },
        PoolClass {
            block_size: 17 * 1024,
            count: 2,
        },
    ];

    /// The heap's region (`.bss`): the classes' bytes plus the worst alignment slack.
    const REGION_BYTES: usize = 16 * 96
        + 48 * 48
        + 128 * 48
        + 320 * 48
        + 1024 * 24
        + 2048 * 4
        + 4096 * 8
        + 17 * 1024 * 2
        + 16;

    static mut REGION: [u8; REGION_BYTES] = [0; REGION_BYTES];

    // SAFETY (of the raw pointer taken here): REGION is handed to the allocator and named
    // nowhere else in the program, so the allocator is its only user.
    #[global_allocator]
    static HEAP: PoolAlloc = PoolAlloc::new(&raw mut REGION, &CLASSES);

    /// A panic (a bug: the library returns errors, it does not panic on input) halts the
    /// core; a real board would reset through its watchdog.
    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
        loop {
            core::hint::spin_loop();
        }
    }

    /// The TLS client: handshake, one message each way, close alert. 0 on success, else
    /// the negative MatrixSSL code of the failure.
    #[cfg(feature = "client")]
    #[unsafe(no_mangle)]
    pub extern "C" fn matrix_fw_client() -> i32 {
        match crate::tls::client(BoardEntropy, BoardClock, &mut BoardLink) {
            Ok(()) => 0,
            Err(e) => e.code(),
        }
    }

    /// The TLS server: one connection, answered the same way.
    #[cfg(feature = "server")]
    #[unsafe(no_mangle)]
    pub extern "C" fn matrix_fw_server() -> i32 {
        match crate::tls::server(BoardEntropy, BoardClock, &mut BoardLink) {
            Ok(()) => 0,
            Err(e) => e.code(),
        }
    }
}
