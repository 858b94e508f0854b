//! The firmware's allocator on the host: `PoolAlloc` over a static region is this test
//! program's `#[global_allocator]`, and the firmware's own client and server
//! (`tls::client`, `tls::server`) run one full handshake, a message each way and the
//! close alerts over an in-memory link, one thread each. Every allocation of the test,
//! the TLS sessions' included, comes from the pool; the test prints each size class's
//! high-water mark (what the image's classes are sized by) and fails if an allocation
//! was refused or a block was not given back.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};

use matrix_core::Error;
use matrix_core::memory::PoolClass;
use matrix_core::osdep::{Entropy, ManualClock};
use matrix_firmware::pool_alloc::PoolAlloc;
use matrix_firmware::tls::{self, Link};

/// The classes of the image (src/lib.rs) with room for the test harness and a second
/// session on top (the host runs client and server in one process).
static CLASSES: [PoolClass; 8] = [
    PoolClass {
        block_size: 16,
        count: 1024,
    },
    PoolClass {
        block_size: 48,
        count: 1024,
    },
    PoolClass {
        block_size: 128,
        count: 512,
    },
    PoolClass {
        block_size: 320,
        count: 256,
    },
    PoolClass {
        block_size: 1024,
        count: 64,
    },
    PoolClass {
        block_size: 2048,
        count: 32,
    },
    PoolClass {
        block_size: 4096,
        count: 16,
    },
    PoolClass {
        block_size: 17 * 1024,
        count: 16,
    },
];

const REGION_BYTES: usize = 16 * 1024
    + 48 * 1024
    + 128 * 512
    + 320 * 256
    + 1024 * 64
    + 2048 * 32
    + 4096 * 16
    + 17 * 1024 * 16
    + 16;

static mut REGION: [u8; REGION_BYTES] = [0; REGION_BYTES];

// The raw pointer is the only use of REGION: the allocator owns it.
#[global_allocator]
static HEAP: PoolAlloc = PoolAlloc::new(&raw mut REGION, &CLASSES);

/// A deterministic test generator (a test needs no secrecy).
struct TestEntropy(u8);

impl Entropy for TestEntropy {
    fn get_entropy(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        for b in buf {
            self.0 = self.0.wrapping_mul(167).wrapping_add(13);
            *b = self.0;
        }
        Ok(())
    }
}

/// Bytes in flight one way, and whether the writing end is gone. (A mutex and a condition
/// variable rather than std's channels: those over-align their blocks to cache lines,
/// which a pool of 16-byte-aligned blocks refuses, as a firmware heap would.)
#[derive(Default)]
struct Queue {
    bytes: Mutex<(VecDeque<u8>, bool)>,
    ready: Condvar,
}

/// One end of an in-memory byte pipe.
struct Pipe {
    tx: Arc<Queue>,
    rx: Arc<Queue>,
}

impl Pipe {
    /// Two connected ends.
    fn pair() -> (Pipe, Pipe) {
        let (a, b) = (Arc::new(Queue::default()), Arc::new(Queue::default()));
        (
            Pipe {
                tx: Arc::clone(&a),
                rx: Arc::clone(&b),
            },
            Pipe { tx: b, rx: a },
        )
    }
}

impl Drop for Pipe {
    fn drop(&mut self) {
        if let Ok(mut q) = self.tx.bytes.lock() {
            q.1 = true;
        }
        self.tx.ready.notify_all();
    }
}

impl Link for Pipe {
    fn send(&mut self, data: &[u8]) -> Result<usize, Error> {
        let mut q = self.tx.bytes.lock().map_err(|_| Error::PlatformFail)?;
        q.0.extend(data);
        drop(q);
        self.tx.ready.notify_all();
        Ok(data.len())
    }

    fn recv(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        let mut q = self.rx.bytes.lock().map_err(|_| Error::PlatformFail)?;
        while q.0.is_empty() && !q.1 {
            q = self.rx.ready.wait(q).map_err(|_| Error::PlatformFail)?;
        }
        let n = buf.len().min(q.0.len());
        for (b, x) in buf.iter_mut().zip(q.0.drain(..n)) {
            *b = x;
        }
        Ok(n)
    }
}

fn main() {
    // A failure prints its message only: a backtrace's symbol tables need more heap than
    // the pool's largest block.
    std::panic::set_hook(Box::new(|info| eprintln!("pool_alloc: {info}")));
    let (mut link, mut server_link) = Pipe::pair();
    let now = 1_780_000_000_000;
    let server = std::thread::spawn(move || {
        tls::server(TestEntropy(1), ManualClock::new(now), &mut server_link)
    });
    let client = tls::client(TestEntropy(2), ManualClock::new(now), &mut link);
    drop(link);
    let server = server.join().expect("the server thread");
    assert_eq!(client, Ok(()), "client");
    assert_eq!(server, Ok(()), "server");

    let (stats, n, in_use) = HEAP.stats().expect("the pool was made");
    println!(
        "BlockPool high-water marks (client and server of one TLS 1.1 handshake, plus the test harness):"
    );
    println!(
        "{:>10} {:>7} {:>10} {:>12} {:>9}",
        "block", "blocks", "high-water", "allocations", "refusals"
    );
    let mut refused = 0;
    for s in &stats[..n] {
        println!(
            "{:>10} {:>7} {:>10} {:>12} {:>9}",
            s.block_size, s.count, s.high_water, s.allocations, s.refusals
        );
        refused += s.refusals;
    }
    let peak: usize = stats[..n].iter().map(|s| s.high_water * s.block_size).sum();
    println!("bytes in use now: {in_use}; sum of class peaks: {peak}");
    assert_eq!(refused, 0, "an allocation was refused");
    println!("pool_alloc: ok");
}
