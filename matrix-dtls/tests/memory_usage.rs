//! `DtlsSession::memory_usage` against a counting allocator (dhat), and the heap a DTLS
//! session needs: issue 14 asks for a DTLS 1.0 client within 1 KB of the TLS figures
//! (an idle TLS session at most 6,000 bytes, a full handshake at most 20,000 bytes at its
//! peak, both sessions), so 7,000 and 21,000 bytes here; DTLS 1.2 with AES-GCM is
//! reported next to them and held to TLS 1.2's bound (matrix-ssl's `memory_usage.rs`);
//! and the memory cap
//! (`Config::session_memory_cap`) refusing a read buffer it cannot hold.
//!
//! One test: dhat counts the whole process, so nothing else may run beside it.

mod support;

use std::sync::Arc;

use matrix_core::Error;
use matrix_dtls::{DtlsContext, DtlsSession};
use matrix_ssl::{Config, Keys, ProtocolVersion, Received};
use support::{client_keys, server_keys};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const SUITE: u16 = 0x002F;
/// TLS_RSA_WITH_AES_128_GCM_SHA256, DTLS 1.2's figure.
const GCM_SUITE: u16 = 0x009C;

/// A context speaking only DTLS 1.0, or only DTLS 1.2.
fn dtls(v: ProtocolVersion) -> DtlsContext {
    let mut c = Config::dtls();
    c.min_version = v;
    c.max_version = v;
    matrix_dtls::open(c).unwrap()
}

fn heap_now() -> usize {
    dhat::HeapStats::get().curr_bytes
}

/// Moves every datagram `from` has queued into `to`, one `received_data` each.
fn pump(from: &mut DtlsSession, to: &mut DtlsSession) {
    loop {
        let dg = from.get_outdata();
        let n = dg.len();
        if n == 0 {
            return;
        }
        to.get_readbuf()[..n].copy_from_slice(dg);
        from.sent_data(n).unwrap();
        let mut r = to.received_data(n).unwrap();
        while matches!(r, Received::AppData(_) | Received::Alert { .. }) {
            r = to.processed_data().unwrap();
        }
    }
}

fn handshake(
    cc: &DtlsContext,
    sc: &DtlsContext,
    ck: &Arc<Keys>,
    sk: &Arc<Keys>,
) -> (DtlsSession, DtlsSession) {
    handshake_with(cc, sc, ck, sk, SUITE)
}

fn handshake_with(
    cc: &DtlsContext,
    sc: &DtlsContext,
    ck: &Arc<Keys>,
    sk: &Arc<Keys>,
    suite: u16,
) -> (DtlsSession, DtlsSession) {
    let mut c = cc
        .new_client_session(Arc::clone(ck), None, suite, None, None)
        .unwrap();
    let mut s = sc
        .new_server_session(Arc::clone(sk), None, b"192.0.2.1:4433")
        .unwrap();
    pump(&mut c, &mut s);
    for _ in 0..8 {
        pump(&mut s, &mut c);
        pump(&mut c, &mut s);
    }
    assert!(c.is_handshake_complete() && s.is_handshake_complete());
    (c, s)
}

fn counted(session: DtlsSession) -> usize {
    let before = heap_now();
    drop(session);
    before - heap_now()
}

#[test]
fn memory_usage_is_what_the_heap_holds_and_near_the_tls_figures() {
    let cc = dtls(ProtocolVersion::DTLSv1_0);
    let sc = dtls(ProtocolVersion::DTLSv1_0);
    let (cc12, sc12) = (
        dtls(ProtocolVersion::DTLSv1_2),
        dtls(ProtocolVersion::DTLSv1_2),
    );
    let (ck, sk) = (client_keys(), server_keys());
    drop(handshake(&cc, &sc, &ck, &sk));
    drop(handshake_with(&cc12, &sc12, &ck, &sk, GCM_SUITE));
    let _profiler = dhat::Profiler::builder().testing().build();

    let base = heap_now();
    let (mut c, mut s) = handshake(&cc, &sc, &ck, &sk);
    let peak = dhat::HeapStats::get().max_bytes - base;
    println!("heap peak of one full DTLS handshake: {peak} bytes");
    // The footprint issue asks for the TLS figure plus at most 1 KB. Moving the received
    // certificates into their parsed form instead of copying them took this from 21,316 B
    // to 19,222 B, and the TLS 1.1 peak from 19,970 B to 17,876 B: the DTLS handshake
    // still costs 1,346 B more than TLS (the PMTU read buffer, the flight kept for
    // retransmission, the reassembly buffer), 322 B over the bound. Bounded here
    // so that it does not grow unnoticed.
    assert!(peak <= 19_500, "handshake peak {peak} bytes");

    // The message proves to the server that its last flight arrived.
    c.encode_to_outdata(&[0x5a; 100]).unwrap();
    pump(&mut c, &mut s);
    let (c_now, c_high) = c.memory_usage();
    let (s_now, s_high) = s.memory_usage();
    assert!(c_high >= c_now && s_high >= s_now);
    let (c_heap, s_heap) = (counted(c), counted(s));
    println!(
        "idle DTLS client {c_heap} bytes (reported {c_now}), server {s_heap} (reported {s_now})"
    );
    assert_eq!(c_now, c_heap, "an idle client's memory_usage");
    assert_eq!(s_now, s_heap, "an idle server's memory_usage");
    assert!(c_heap <= 7_000 && s_heap <= 7_000);

    // DTLS 1.2 with AES-128-GCM: the same figures.
    let base = heap_now();
    let (mut c, mut s) = handshake_with(&cc12, &sc12, &ck, &sk, GCM_SUITE);
    assert_eq!(c.protocol_version(), ProtocolVersion::DTLSv1_2);
    let peak12 = dhat::HeapStats::get().max_bytes - base;
    println!("heap peak of one full DTLS 1.2 (AES-128-GCM) handshake: {peak12} bytes");
    // About 23,100 today, 1.3 KB over TLS 1.2's (about 21,800): held to TLS 1.2's bound
    // (24,000, matrix-ssl's memory_usage.rs) so that it does not grow unnoticed.
    assert!(peak12 <= 24_000, "DTLS 1.2 handshake peak {peak12} bytes");
    c.encode_to_outdata(&[0x5a; 100]).unwrap();
    pump(&mut c, &mut s);
    let (c_now, _) = c.memory_usage();
    let (s_now, _) = s.memory_usage();
    let (c_heap, s_heap) = (counted(c), counted(s));
    println!(
        "idle DTLS 1.2 client {c_heap} bytes (reported {c_now}), server {s_heap} (reported {s_now})"
    );
    assert_eq!(c_now, c_heap, "an idle DTLS 1.2 client's memory_usage");
    assert_eq!(s_now, s_heap, "an idle DTLS 1.2 server's memory_usage");
    assert!(c_heap <= 7_000 && s_heap <= 7_000);

    // A client waiting for the server's answer: its hello is kept for retransmission.
    let mut c = cc
        .new_client_session(Arc::clone(&ck), None, SUITE, None, None)
        .unwrap();
    let hello = c.get_outdata().len();
    c.sent_data(hello).unwrap();
    let (now, _) = c.memory_usage();
    assert_eq!(
        now,
        counted(c),
        "a client waiting for the HelloVerifyRequest"
    );

    // The cap is charged: a session whose cap cannot hold a read buffer gets none.
    let mut config = Config::dtls();
    config.session_memory_cap = 1000;
    let small = matrix_dtls::open(config).unwrap();
    let mut s = small
        .new_server_session(Arc::clone(&sk), None, b"192.0.2.1:4433")
        .unwrap();
    assert!(s.get_readbuf().is_empty(), "a read buffer past the cap");
    assert_eq!(s.received_data(1), Err(Error::ArgFail));

    // A server whose cap holds a datagram but not its flight as well ends the handshake
    // (internal_error) instead of growing past the cap.
    let mut config = Config::dtls();
    config.session_memory_cap = 4000;
    let small = matrix_dtls::open(config).unwrap();
    let mut c = cc
        .new_client_session(Arc::clone(&ck), None, SUITE, None, None)
        .unwrap();
    let mut s = small
        .new_server_session(Arc::clone(&sk), None, b"192.0.2.1:4433")
        .unwrap();
    pump(&mut c, &mut s);
    pump(&mut s, &mut c);
    pump(&mut c, &mut s);
    assert!(!s.is_handshake_complete());
    assert_eq!(
        s.received_data(1),
        Err(Error::ProtocolFail),
        "the server failed"
    );
}
