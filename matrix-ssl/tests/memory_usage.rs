//! `Session::memory_usage` against a counting allocator (dhat), and the heap a session
//! needs (issue 14's targets, MatrixSSL 3.8.3's figures rounded down): an idle
//! established client or server session at most 6,000 bytes, one full handshake (both
//! sessions, and the in-memory transport between them) at most 20,000 bytes at its peak.
//! Heap sizes are deterministic for a given build, so they are asserted as upper bounds.
//!
//! One test: dhat counts the whole process, so nothing else may run beside it.
// The shared in-memory pair (`support`) needs `std` and both roles.
#![cfg(all(
    feature = "std",
    feature = "client-side-ssl",
    feature = "server-side-ssl"
))]

mod support;

use std::sync::Arc;

use matrix_ssl::{Config, Context, Keys, ProtocolVersion, Received, Session};
use support::{client_keys, server_keys};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

/// The suite: TLS_RSA_WITH_AES_128_CBC_SHA.
const SUITE: u16 = 0x002F;

fn heap_now() -> usize {
    dhat::HeapStats::get().curr_bytes
}

/// Hands `data` to `s` through its read buffer, as a socket would.
fn feed(s: &mut Session, mut data: &[u8]) {
    while !data.is_empty() {
        let buf = s.get_readbuf();
        let n = buf.len().min(data.len());
        buf[..n].copy_from_slice(&data[..n]);
        data = &data[n..];
        let mut r = s.received_data(n).expect("received_data");
        while matches!(r, Received::AppData(_) | Received::Alert { .. }) {
            r = s.processed_data().expect("processed_data");
        }
    }
}

/// Moves everything `from` has to send into `to`.
fn pump(from: &mut Session, to: &mut Session) -> bool {
    let mut moved = false;
    loop {
        let out = from.get_outdata().to_vec();
        if out.is_empty() {
            return moved;
        }
        from.sent_data(out.len()).unwrap();
        feed(to, &out);
        moved = true;
    }
}

struct Pair {
    client: Context,
    server: Context,
    ck: Arc<Keys>,
    sk: Arc<Keys>,
}

impl Pair {
    fn new(config: impl Fn() -> Config) -> Pair {
        Pair {
            client: matrix_ssl::open(config()).unwrap(),
            server: matrix_ssl::open(config()).unwrap(),
            ck: client_keys(),
            sk: server_keys(),
        }
    }

    fn handshake(&self) -> (Session, Session) {
        let mut c = self
            .client
            .new_client_session(Arc::clone(&self.ck), None, SUITE, None, None)
            .unwrap();
        let mut s = self
            .server
            .new_server_session(Arc::clone(&self.sk), None)
            .unwrap();
        for _ in 0..8 {
            pump(&mut c, &mut s);
            pump(&mut s, &mut c);
        }
        assert!(c.is_handshake_complete() && s.is_handshake_complete());
        (c, s)
    }
}

/// The bytes the heap holds for `session`: what dropping it frees.
fn counted(session: Session) -> usize {
    let before = heap_now();
    drop(session);
    before - heap_now()
}

#[test]
fn memory_usage_is_what_the_heap_holds_and_within_the_targets() {
    // The footprint issue's figures are for TLS 1.1 (MatrixSSL 3.2's best): contexts that
    // stop there. TLS 1.2's larger handshake is measured at the end.
    let tls11 = || {
        let mut c = Config::default();
        c.max_version = ProtocolVersion::TLSv1_1;
        c
    };
    let pair = Pair::new(tls11);
    let tls12 = Pair::new(Config::default);
    drop(tls12.handshake());
    let keeping = Pair::new(move || {
        let mut c = tls11();
        c.keep_peer_certificates = true;
        c
    });
    // Lazily built tables exist after a first handshake on each pair.
    drop(pair.handshake());
    drop(keeping.handshake());
    let _profiler = dhat::Profiler::builder().testing().build();

    // A new client: its ClientHello waits, its machine waits for the ServerHello.
    let c = pair
        .client
        .new_client_session(Arc::clone(&pair.ck), None, SUITE, None, None)
        .unwrap();
    let (reported, _) = c.memory_usage();
    assert_eq!(reported, counted(c), "a client waiting for the ServerHello");

    // One full handshake: the peak of both sessions (and the transport's copies).
    let base = heap_now();
    let (mut c, mut s) = pair.handshake();
    let peak = dhat::HeapStats::get().max_bytes - base;
    println!("heap peak of one full handshake: {peak} bytes");
    // 17,876 B measured when the received certificates were first moved into their parsed
    // form instead of copied (19,970 B before); the footprint issue's target is 20,000 B.
    assert!(peak <= 18_500, "handshake peak {peak} bytes");

    // Idle after one message each way.
    c.encode_to_outdata(&[0x5a; 100]).unwrap();
    pump(&mut c, &mut s);
    s.encode_to_outdata(&[0xa5; 100]).unwrap();
    pump(&mut s, &mut c);
    assert!(
        c.peer_certificates().is_none(),
        "the chain is freed by default"
    );
    let (c_now, c_high) = c.memory_usage();
    let (s_now, s_high) = s.memory_usage();
    assert!(c_high >= c_now && s_high >= s_now);
    let (c_heap, s_heap) = (counted(c), counted(s));
    println!(
        "idle client {c_heap} bytes (reported {c_now}), idle server {s_heap} (reported {s_now})"
    );
    assert_eq!(c_now, c_heap, "an idle client's memory_usage");
    assert_eq!(s_now, s_heap, "an idle server's memory_usage");
    assert!(c_heap <= 6_000, "idle client {c_heap} bytes");
    assert!(s_heap <= 6_000, "idle server {s_heap} bytes");

    // Keeping the chain: it is counted too.
    let (c, s) = keeping.handshake();
    assert_eq!(c.peer_certificates().map(|ch| ch.len()), Some(2));
    let (c_now, _) = c.memory_usage();
    drop(s);
    let c_heap = counted(c);
    println!("idle client keeping the server's chain: {c_heap} bytes (reported {c_now})");
    assert_eq!(c_now, c_heap, "a client keeping the chain");

    // A session in the middle of a record: the partial record is counted.
    let (mut c, mut s) = pair.handshake();
    c.encode_to_outdata(&[0x33; 5000]).unwrap();
    let record = c.get_outdata().to_vec();
    let buf = s.get_readbuf();
    buf[..100].copy_from_slice(&record[..100]);
    assert_eq!(s.received_data(100).unwrap(), Received::RequestRecv);
    let (s_now, _) = s.memory_usage();
    drop(c);
    assert_eq!(s_now, counted(s), "a server holding part of a record");

    // TLS 1.2 (the default): the transcript also keeps SHA-256/384/512 until the version is
    // known. Reported, and bounded so that a regression shows.
    let base = heap_now();
    let (c, s) = tls12.handshake();
    let peak = dhat::HeapStats::get().max_bytes - base;
    println!("heap peak of one full TLS 1.2 handshake: {peak} bytes");
    // 19,726 B measured (21,820 B before the certificates were moved instead of copied).
    assert!(peak <= 20_500, "TLS 1.2 handshake peak {peak} bytes");
    drop((c, s));
}
