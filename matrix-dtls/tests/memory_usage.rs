//! `DtlsSession::memory_usage` against a counting allocator (dhat), and the heap a DTLS
//! session needs beside a TLS session's, both measured here in the same build and the
//! same process: issue 14 asks for a DTLS client "within 1 KB of the TLS figures", so the
//! handshake peak (both sessions) and the idle client and server of DTLS 1.0 are held to
//! TLS 1.1's plus 1,000 bytes, and DTLS 1.2's to TLS 1.2's, all with
//! TLS_RSA_WITH_AES_128_CBC_SHA and the rsa2048 identity (DTLS 1.2 with AES-128-GCM is
//! reported too); and the memory cap (`Config::session_memory_cap`) refusing a read
//! buffer it cannot hold.
//!
//! One test: dhat counts the whole process, so nothing else may run beside it.

mod support;

use std::sync::Arc;

use matrix_core::Error;
use matrix_dtls::{DtlsContext, DtlsSession};
use matrix_ssl::{Config, Keys, ProtocolVersion, Received, Session};
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

/// What issue 14 allows a DTLS figure above its TLS figure.
const WITHIN: usize = 1_000;

/// The TLS side of the comparison: one handshake between matrix-ssl sessions of `max`
/// over the buffer API, then 100 bytes each way; returns the handshake's heap peak (both
/// sessions) and the idle client's and server's heap.
fn tls_figures(max: ProtocolVersion, ck: &Arc<Keys>, sk: &Arc<Keys>) -> (usize, usize, usize) {
    fn feed(s: &mut Session, mut data: &[u8]) {
        while !data.is_empty() {
            let buf = s.get_readbuf();
            let n = buf.len().min(data.len());
            buf[..n].copy_from_slice(&data[..n]);
            data = &data[n..];
            let mut r = s.received_data(n).unwrap();
            while matches!(r, Received::AppData(_) | Received::Alert { .. }) {
                r = s.processed_data().unwrap();
            }
        }
    }
    fn pump(from: &mut Session, to: &mut Session) {
        loop {
            let out = from.get_outdata().to_vec();
            if out.is_empty() {
                return;
            }
            from.sent_data(out.len()).unwrap();
            feed(to, &out);
        }
    }
    let open = || {
        let mut c = Config::default();
        c.max_version = max;
        matrix_ssl::open(c).unwrap()
    };
    let (cc, sc) = (open(), open());
    let handshake = || {
        let mut c = cc
            .new_client_session(Arc::clone(ck), None, SUITE, None, None)
            .unwrap();
        let mut s = sc.new_server_session(Arc::clone(sk), None).unwrap();
        for _ in 0..8 {
            pump(&mut c, &mut s);
            pump(&mut s, &mut c);
        }
        assert!(c.is_handshake_complete() && s.is_handshake_complete());
        assert_eq!(c.protocol_version(), max);
        (c, s)
    };
    drop(handshake());
    let _profiler = dhat::Profiler::builder().testing().build();
    let (mut c, mut s) = handshake();
    let peak = dhat::HeapStats::get().max_bytes;
    c.encode_to_outdata(&[0x5a; 100]).unwrap();
    pump(&mut c, &mut s);
    s.encode_to_outdata(&[0xa5; 100]).unwrap();
    pump(&mut s, &mut c);
    (peak, counted_tls(c), counted_tls(s))
}

/// The same for DTLS sessions of version `v` (`suite`), with the cookie round: the peak,
/// and the idle client and server after 100 bytes each way, each checked against what
/// `memory_usage` reports.
fn dtls_figures(
    v: ProtocolVersion,
    suite: u16,
    ck: &Arc<Keys>,
    sk: &Arc<Keys>,
) -> (usize, usize, usize) {
    let (cc, sc) = (dtls(v), dtls(v));
    drop(handshake_with(&cc, &sc, ck, sk, suite));
    let _profiler = dhat::Profiler::builder().testing().build();
    let (mut c, mut s) = handshake_with(&cc, &sc, ck, sk, suite);
    assert_eq!(c.protocol_version(), v);
    let peak = dhat::HeapStats::get().max_bytes;
    let (_, c_high) = c.memory_usage();
    let (_, s_high) = s.memory_usage();
    // Each session's own high-water mark is within what the heap held at its peak (the
    // sessions' accounting leaves out the scratch of single operations, which dhat sees).
    assert!(
        c_high <= peak && s_high <= peak,
        "highs {c_high}, {s_high}, peak {peak}"
    );
    // The messages prove to each side that its last flight arrived.
    c.encode_to_outdata(&[0x5a; 100]).unwrap();
    pump(&mut c, &mut s);
    s.encode_to_outdata(&[0xa5; 100]).unwrap();
    pump(&mut s, &mut c);
    let (c_now, c_high) = c.memory_usage();
    let (s_now, s_high) = s.memory_usage();
    assert!(c_high >= c_now && s_high >= s_now);
    let (c_heap, s_heap) = (counted(c), counted(s));
    assert_eq!(c_now, c_heap, "an idle {v:?} client's memory_usage");
    assert_eq!(s_now, s_heap, "an idle {v:?} server's memory_usage");
    (peak, c_heap, s_heap)
}

fn counted_tls(session: Session) -> usize {
    let before = heap_now();
    drop(session);
    before - heap_now()
}

#[test]
fn memory_usage_is_what_the_heap_holds_and_near_the_tls_figures() {
    let (ck, sk) = (client_keys(), server_keys());
    let mut over = Vec::new();
    for (tls, dtls_v) in [
        (ProtocolVersion::TLSv1_1, ProtocolVersion::DTLSv1_0),
        (ProtocolVersion::TLSv1_2, ProtocolVersion::DTLSv1_2),
    ] {
        let t = tls_figures(tls, &ck, &sk);
        let d = dtls_figures(dtls_v, SUITE, &ck, &sk);
        println!(
            "{tls:?} / {dtls_v:?} (AES-128-CBC-SHA): handshake peak {} / {} bytes, idle client {} / \
             {}, idle server {} / {}",
            t.0, d.0, t.1, d.1, t.2, d.2
        );
        for (what, t, d) in [
            ("handshake peak", t.0, d.0),
            ("idle client", t.1, d.1),
            ("idle server", t.2, d.2),
        ] {
            if d > t + WITHIN {
                over.push(format!("{dtls_v:?} {what}: {d} bytes, {tls:?} {t}"));
            }
        }
    }
    let g = dtls_figures(ProtocolVersion::DTLSv1_2, GCM_SUITE, &ck, &sk);
    println!(
        "DTLSv1_2 (AES-128-GCM): handshake peak {} bytes, idle client {}, idle server {}",
        g.0, g.1, g.2
    );
    assert!(
        over.is_empty(),
        "more than {WITHIN} bytes over TLS: {over:?}"
    );

    let cc = dtls(ProtocolVersion::DTLSv1_0);
    let _profiler = dhat::Profiler::builder().testing().build();
    // A server in the middle of sending its flight (one datagram of it is built at a
    // time): what it reports is what it holds.
    let mut c = cc
        .new_client_session(Arc::clone(&ck), None, SUITE, None, None)
        .unwrap();
    let mut s = cc
        .new_server_session(Arc::clone(&sk), None, b"192.0.2.1:4433")
        .unwrap();
    pump(&mut c, &mut s);
    pump(&mut s, &mut c);
    pump(&mut c, &mut s);
    let first = s.get_outdata().len();
    assert!(first > 0);
    s.sent_data(first).unwrap();
    assert!(s.has_outdata(), "the flight has more datagrams");
    let (now, _) = s.memory_usage();
    assert_eq!(now, counted(s), "a server sending its flight");
    drop(c);

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

    // A server whose cap holds a received datagram (the read buffer is one PMTU, 1500 B)
    // but not a full datagram of its flight together with the flight kept for
    // retransmission ends the handshake (internal_error) instead of growing past the cap.
    // (How the flight splits into datagrams depends on the features compiled in: with
    // ECC and tickets the ServerHello datagram alone is small, so the cap must be met by
    // the full-size Certificate datagram that follows.)
    let mut config = Config::dtls();
    config.session_memory_cap = 1600;
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
    // Send what fits: the flight is built one datagram at a time, the cap is met at the
    // first datagram that does not fit.
    for _ in 0..16 {
        let n = s.get_outdata().len();
        if n == 0 || s.sent_data(n).is_err() {
            break;
        }
    }
    assert!(!s.is_handshake_complete());
    assert_eq!(
        s.received_data(1),
        Err(Error::ProtocolFail),
        "the server failed"
    );
}
