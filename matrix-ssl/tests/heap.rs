//! Heap per idle established session and the peak heap of a full handshake, measured with a
//! counting allocator (dhat) — the figures a firmware sizes its memory by.
// The shared in-memory pair (`support`) needs `std` and both roles.
#![cfg(all(
    feature = "std",
    feature = "client-side-ssl",
    feature = "server-side-ssl"
))]

mod support;

use support::*;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const PAIRS: usize = 8;

#[test]
fn heap_per_idle_established_session() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let cctx = ctx();
    let sctx = ctx();
    // Keys are shared by every session (Arc), so load them before measuring.
    let (ck, sk) = (client_keys(), server_keys());
    let _ = (&ck, &sk);
    let mut pairs = Vec::new();
    let base = dhat::HeapStats::get();
    for _ in 0..PAIRS {
        let (mut c, mut s) = new_pair(&cctx, &sctx, 0x002F, None, None);
        handshake(&mut c, &mut s, usize::MAX);
        send_all(&mut c, &mut s, &pattern(100), usize::MAX);
        pairs.push((c, s));
    }
    let after = dhat::HeapStats::get();
    let per_pair = (after.curr_bytes - base.curr_bytes) / PAIRS;
    let peak = after.max_bytes.saturating_sub(base.curr_bytes);
    println!(
        "heap per idle established TLS session pair (client + server, AES-128-CBC-SHA): {per_pair} bytes; \
         peak while {PAIRS} pairs were set up: {peak} bytes"
    );
    // An idle session keeps its keys, hashes and small buffers, not a 16 KiB record
    // buffer per direction: buffers shrink back after use.
    assert!(per_pair < 64 * 1024, "{per_pair} bytes per idle pair");
    let (c, _) = &pairs[0];
    let (used, _cap) = c.memory_usage();
    assert!(
        used <= per_pair,
        "the budget ({used}) counts at most what the heap holds"
    );
    // Split the figure by role: drop the servers, then the clients.
    let (clients, servers): (Vec<_>, Vec<_>) = pairs.into_iter().unzip();
    drop(servers);
    let only_clients = dhat::HeapStats::get().curr_bytes - base.curr_bytes;
    drop(clients);
    let none = dhat::HeapStats::get()
        .curr_bytes
        .saturating_sub(base.curr_bytes);
    println!(
        "per idle session: client {} bytes, server {} bytes; left after dropping all: {none} bytes",
        only_clients / PAIRS,
        per_pair - only_clients / PAIRS
    );
    // Everything a session allocated is freed with it (the server cache keeps its small
    // entries for resumption, which is what `none` is).
    assert!(none < 4 * 1024 * PAIRS / 4, "{none} bytes left behind");
}
