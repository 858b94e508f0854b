//! Handshakes and bulk data over a simulated lossy network (see `support`): datagrams are
//! lost (20% each way), duplicated (10%) and reordered (delays of 0 to 3 ticks), from
//! fixed seeds so every run is the same.
//!
//! Application data over DTLS is unreliable by design, so the 1 MiB transfer runs a small
//! reliable protocol of its own on top: the client numbers its chunks and keeps a window
//! of 16 unacknowledged ones, the server acknowledges cumulatively, and on a timeout the
//! client resends every unacknowledged chunk (with a fresh transmission id). The test then
//! checks that the file arrives intact and that DTLS itself never delivered the same
//! record twice (each transmission id is seen at most once although the network
//! duplicates datagrams: the replay window drops the copies).

mod support;

use std::collections::HashSet;

use matrix_dtls::fragment::parse_fragments;
use matrix_dtls::record::records;
use matrix_ssl::codec::{ContentType, HandshakeType};
use support::*;

fn pair(ctx: &matrix_dtls::DtlsContext, suite: u16, params: NetParams, seed: u64) -> Pair {
    let client = ctx
        .new_client_session(client_keys(), None, suite, None, None)
        .unwrap();
    let server = ctx
        .new_server_session(server_keys(), None, CLIENT_ADDR)
        .unwrap();
    Pair::new(client, server, params, seed)
}

#[test]
fn lossless_handshake_reports_completion_once_each_side() {
    let ctx = ctx();
    let mut p = pair(&ctx, 0, NetParams::LOSSLESS, 1);
    p.handshake(100);
    // Full handshake: the client completes on the server's Finished, the server when its
    // Finished flight is sent.
    assert_eq!(p.cev.iter().filter(|e| **e == Ev::Complete).count(), 1);
    assert_eq!(p.sev.iter().filter(|e| **e == Ev::Complete).count(), 1);
    assert_eq!(p.client.cipher_suite(), p.server.cipher_suite());
    assert_eq!(p.client.epochs(), (1, 1));
    assert_eq!(p.server.epochs(), (1, 1));
    assert_eq!(p.timeouts, 0, "no retransmission on a perfect network");
    // One HelloVerifyRequest round: CH, HVR, CH, flight 4, flight 5, flight 6.
    assert!(p.server.handshake_started());
}

#[test]
fn handshakes_complete_at_20_percent_loss() {
    let mut timeouts = 0;
    for seed in 1..=16u64 {
        let ctx = ctx();
        let mut p = pair(&ctx, 0, NetParams::lossy(0.2), seed);
        p.handshake(5_000);
        let lost = p.c2s.lost + p.s2c.lost;
        assert!(
            p.client.is_handshake_complete() && p.server.is_handshake_complete(),
            "seed {seed}"
        );
        eprintln!(
            "seed {seed}: {} ticks, {} timeouts, {} datagrams sent, {lost} lost, {} duplicated",
            p.now,
            p.timeouts,
            p.c2s.sent + p.s2c.sent,
            p.c2s.duplicated + p.s2c.duplicated
        );
        timeouts += p.timeouts;
        // Data flows both ways once the handshake is done (here over the same lossy link,
        // so retry until one copy arrives).
        exchange_one_message(&mut p);
    }
    assert!(timeouts > 0, "the seeds exercise retransmission");
}

/// The client sends "ping" until the server has it, the server "pong" until the client
/// has it.
fn exchange_one_message(p: &mut Pair) {
    for (from_client, msg) in [(true, &b"ping"[..]), (false, &b"pong"[..])] {
        let mut got = false;
        for _ in 0..200 {
            let (s, l) = if from_client {
                (&mut p.client, &mut p.c2s)
            } else {
                (&mut p.server, &mut p.s2c)
            };
            s.encode_to_outdata(msg).unwrap();
            let mut ev = Vec::new();
            for dg in drain(s, &mut ev) {
                l.send(dg, p.now, p.params, &mut p.rng);
            }
            for _ in 0..5 {
                p.tick();
            }
            let ev = if from_client { &mut p.sev } else { &mut p.cev };
            if ev.contains(&Ev::AppData(msg.to_vec())) {
                got = true;
                break;
            }
        }
        assert!(got, "{msg:?} never arrived");
    }
}

#[test]
fn resumption_over_a_lossy_network() {
    let ctx = ctx();
    let mut p = pair(&ctx, 0, NetParams::lossy(0.2), 42);
    p.handshake(5_000);
    let id = p.client.session_id().expect("server gave a session id");
    for seed in [7u64, 8, 9] {
        let client = ctx
            .new_client_session(client_keys(), Some(&id), 0, None, None)
            .unwrap();
        let server = ctx
            .new_server_session(server_keys(), None, CLIENT_ADDR)
            .unwrap();
        let mut p = Pair::new(client, server, NetParams::lossy(0.2), seed);
        p.handshake(5_000);
        assert!(
            p.client.is_resumed() && p.server.is_resumed(),
            "seed {seed}"
        );
        // Resumed: the client's Finished ends it (sent_data says so), the server
        // completes on receiving it.
        assert_eq!(p.cev.iter().filter(|e| **e == Ev::Complete).count(), 1);
        assert_eq!(p.sev.iter().filter(|e| **e == Ev::Complete).count(), 1);
        exchange_one_message(&mut p);
    }
}

#[test]
fn psk_handshake_over_a_lossy_network() {
    let ctx = ctx();
    for seed in [3u64, 4] {
        let mut p = pair(&ctx, 0x008c, NetParams::lossy(0.2), seed);
        p.handshake(5_000);
        assert_eq!(p.client.cipher_suite().map(|s| s.get()), Some(0x008c));
        exchange_one_message(&mut p);
    }
}

#[test]
fn pmtu_256_fragments_the_certificate() {
    let ctx = ctx();
    assert_eq!(ctx.set_pmtu(256), 256);
    assert_eq!(ctx.pmtu(), 256);
    for (seed, params) in [(1u64, NetParams::LOSSLESS), (2, NetParams::lossy(0.2))] {
        let mut p = pair(&ctx, 0, params, seed);
        p.handshake(5_000);
        // drain() asserted every datagram <= 256 bytes; check the Certificate came in
        // several fragments (epoch 0 records are plaintext).
        let mut cert_fragments = HashSet::new();
        let mut cert_len = 0;
        for dg in &p.s2c.log {
            assert!(dg.len() <= 256);
            for (h, range) in records(dg) {
                if h.epoch != 0 || h.content_type != ContentType::Handshake {
                    continue;
                }
                for f in parse_fragments(&dg[range]) {
                    let (fh, _) = f.unwrap();
                    if fh.msg_type == HandshakeType::Certificate {
                        cert_fragments.insert(fh.fragment_offset);
                        cert_len = fh.length;
                    }
                }
            }
        }
        assert!(cert_len > 1000, "the rsa2048 chain is long");
        assert!(cert_fragments.len() >= 5, "{cert_fragments:?}");
        exchange_one_message(&mut p);
    }
    // A negative value resets to DTLS_PMTU.
    assert_eq!(ctx.set_pmtu(-1), 1500);
}

const CHUNK_HEADER: usize = 9;
const WINDOW: usize = 16;

fn transfer(p: &mut Pair, data: &[u8]) {
    let chunk = p.client.max_app_data() - CHUNK_HEADER;
    let chunks: Vec<&[u8]> = data.chunks(chunk).collect();
    let n = chunks.len();
    let (mut base, mut next, mut xmit) = (0usize, 0usize, 0u32);
    let mut received: Vec<Option<Vec<u8>>> = vec![None; n];
    let mut recv_next = 0usize;
    let mut seen = HashSet::new();
    let mut duplicates_at_app_layer = 0;
    let send_chunk = |p: &mut Pair, i: usize, xmit: &mut u32| {
        let mut m = vec![b'D'];
        m.extend_from_slice(&(i as u32).to_be_bytes());
        m.extend_from_slice(&xmit.to_be_bytes());
        *xmit += 1;
        m.extend_from_slice(chunks[i]);
        p.client.encode_to_outdata(&m).unwrap();
        p.send_client();
    };
    // The handshake's events are checked elsewhere.
    p.cev.retain(|e| *e != Ev::Complete);
    p.sev.retain(|e| *e != Ev::Complete);
    let mut ticks = 0;
    while base < n {
        ticks += 1;
        assert!(ticks < 200_000, "transfer stalled at {base}/{n}");
        while next < n && next < base + WINDOW {
            send_chunk(p, next, &mut xmit);
            next += 1;
        }
        let idle_before = p.timeouts;
        p.tick();
        for e in std::mem::take(&mut p.sev) {
            let Ev::AppData(m) = e else {
                panic!("server: {e:?}");
            };
            assert_eq!(m[0], b'D');
            let i = u32::from_be_bytes(m[1..5].try_into().unwrap()) as usize;
            let x = u32::from_be_bytes(m[5..9].try_into().unwrap());
            assert!(seen.insert(x), "DTLS delivered transmission {x} twice");
            if received[i].is_some() {
                duplicates_at_app_layer += 1;
            } else {
                received[i] = Some(m[CHUNK_HEADER..].to_vec());
            }
            while recv_next < n && received[recv_next].is_some() {
                recv_next += 1;
            }
            let mut ack = vec![b'A'];
            ack.extend_from_slice(&(recv_next as u32).to_be_bytes());
            p.server.encode_to_outdata(&ack).unwrap();
            p.send_server();
        }
        for e in std::mem::take(&mut p.cev) {
            let Ev::AppData(m) = e else {
                panic!("client: {e:?}");
            };
            assert_eq!(m[0], b'A');
            let acked = u32::from_be_bytes(m[1..5].try_into().unwrap()) as usize;
            base = base.max(acked);
        }
        if p.timeouts > idle_before {
            // The client's timer: resend what is unacknowledged.
            for i in base..next {
                if received_at_sender_unknown(i) {
                    send_chunk(p, i, &mut xmit);
                }
            }
        }
    }
    let joined: Vec<u8> = received.into_iter().flat_map(|c| c.unwrap()).collect();
    assert_eq!(joined.len(), data.len());
    assert!(joined == data, "the data arrived corrupted");
    eprintln!(
        "{n} chunks of {chunk} bytes, {xmit} transmissions, {} resent copies discarded by the application, {ticks} ticks",
        duplicates_at_app_layer
    );
}

/// The sender knows only the cumulative ack: every chunk from it on is resent.
fn received_at_sender_unknown(_i: usize) -> bool {
    true
}

fn mib() -> Vec<u8> {
    let mut rng = SimRng::new(0xda7a);
    (0..1 << 20).map(|_| rng.next_u64() as u8).collect()
}

#[test]
fn one_mib_arrives_intact_and_once_over_20_percent_loss() {
    let ctx = ctx();
    let mut p = pair(&ctx, 0, NetParams::lossy(0.2), 11);
    p.handshake(5_000);
    transfer(&mut p, &mib());
}

#[test]
fn one_mib_at_pmtu_256_lossless_after_lossy_handshake() {
    let ctx = ctx();
    ctx.set_pmtu(256);
    let mut p = pair(&ctx, 0, NetParams::lossy(0.2), 12);
    p.handshake(5_000);
    p.params = NetParams {
        loss: 0.0,
        dup: 0.2,
        max_delay: 2,
    };
    assert!(p.client.max_app_data() < 256);
    transfer(&mut p, &mib());
}

#[test]
fn client_authentication_over_a_lossy_network_at_pmtu_256() {
    use matrix_ssl::{CertValidator, Keys, Verdict};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let ctx = ctx();
    ctx.set_pmtu(256);
    let mut skeys = Keys::new();
    skeys
        .load_rsa_keys_mem(
            Some(&read("rsa2048/server-chain.pem")),
            Some(&read("rsa2048/server.key")),
            Some(&read("rsa2048/ca.pem")),
        )
        .unwrap();
    let mut ckeys = Keys::new();
    ckeys
        .load_rsa_keys_mem(
            Some(&read("rsa2048/client-chain.pem")),
            Some(&read("rsa2048/client.key")),
            Some(&read("rsa2048/ca.der")),
        )
        .unwrap();
    let (skeys, ckeys) = (Arc::new(skeys), Arc::new(ckeys));
    for seed in [21u64, 22] {
        let calls = Arc::new(AtomicUsize::new(0));
        let c2 = calls.clone();
        let cb: CertValidator = Box::new(move |_, chain, alert| {
            c2.fetch_add(1, Ordering::Relaxed);
            assert!(!chain.is_empty());
            assert_eq!(alert, None, "the client chain authenticates");
            Verdict::Continue
        });
        let client = ctx
            .new_client_session(ckeys.clone(), None, 0, None, None)
            .unwrap();
        let server = ctx
            .new_server_session(skeys.clone(), Some(cb), CLIENT_ADDR)
            .unwrap();
        let mut p = Pair::new(client, server, NetParams::lossy(0.2), seed);
        p.handshake(5_000);
        assert_eq!(calls.load(Ordering::Relaxed), 1, "the callback ran once");
        assert!(p.server.peer_certificates().is_some());
        exchange_one_message(&mut p);
    }
}

/// How many records each datagram of the server's handshake flights holds.
fn records_per_server_datagram() -> Vec<usize> {
    let ctx = ctx();
    let mut p = pair(&ctx, 0, NetParams::LOSSLESS, 30);
    p.handshake(100);
    p.s2c.log.iter().map(|d| records(d).count()).collect()
}

#[cfg(feature = "dtls-send-records-individually")]
#[test]
fn each_handshake_record_in_its_own_datagram() {
    let counts = records_per_server_datagram();
    assert!(counts.iter().all(|&n| n == 1), "{counts:?}");
}

#[cfg(not(feature = "dtls-send-records-individually"))]
#[test]
fn handshake_records_share_datagrams() {
    let counts = records_per_server_datagram();
    // Flight 4 (ServerHello, Certificate fragments, ServerHelloDone) and flight 6
    // (ChangeCipherSpec, Finished) pack several records per datagram.
    assert!(counts.iter().any(|&n| n > 1), "{counts:?}");
}

#[test]
fn fifty_seeds_at_pmtu_256_and_40_percent_loss() {
    let mut max_ticks = 0;
    for seed in 0..50u64 {
        let ctx = ctx();
        ctx.set_pmtu(256);
        let mut p = pair(&ctx, 0, NetParams::lossy(0.4), seed * 7919 + 1);
        p.handshake(20_000);
        max_ticks = max_ticks.max(p.now);
    }
    eprintln!("slowest handshake: {max_ticks} ticks");
}

#[test]
fn lost_final_flight_is_resent_when_the_peer_retransmits_and_dropped_after_data() {
    let ctx = ctx();
    let mut p = pair(&ctx, 0, NetParams::LOSSLESS, 40);
    p.send_client();
    while !p.server.is_handshake_complete() {
        assert!(p.now < 100);
        p.tick();
    }
    // The server's ChangeCipherSpec and Finished are lost.
    assert!(p.s2c.clear() > 0);
    let sent_before = p.s2c.sent;
    // The server is complete: its own timer no longer resends anything.
    let mut ev = Vec::new();
    assert!(drain(&mut p.server, &mut ev).is_empty());
    assert!(drain(&mut p.server, &mut ev).is_empty());
    // The client's timer resends its flight; the server answers with its final flight.
    while !p.client.is_handshake_complete() {
        assert!(p.now < 200, "{:?} {:?}", p.cev, p.sev);
        p.tick();
    }
    assert!(p.timeouts > 0);
    assert!(p.s2c.sent > sent_before, "the final flight went again");
    // Data from the client proves the final flight arrived: the server forgets it, and a
    // late copy of the client's flight no longer makes it resend.
    exchange_one_message(&mut p);
    let old: Vec<Vec<u8>> = p.c2s.log.clone();
    for dg in &old {
        feed(&mut p.server, dg, &mut p.sev);
    }
    assert!(!p.server.has_outdata());
    assert!(drain(&mut p.server, &mut ev).is_empty());
}

#[test]
fn client_auth_session_options() {
    use matrix_ssl::{CertValidator, Error, SessionOption};
    let ctx = ctx();
    // No callback: client authentication cannot be enabled; a client has no such option.
    let mut s = ctx
        .new_server_session(server_keys(), None, CLIENT_ADDR)
        .unwrap();
    assert_eq!(
        s.set_session_option(SessionOption::EnableClientAuth),
        Err(Error::ArgFail)
    );
    let mut c = ctx
        .new_client_session(client_keys(), None, 0, None, None)
        .unwrap();
    assert_eq!(
        c.set_session_option(SessionOption::DisableClientAuth),
        Err(Error::ArgFail)
    );
    // A callback, disabled before the ClientHello: a client without a certificate gets in
    // and the callback never runs.
    let cb: CertValidator = Box::new(|_, _, _| panic!("client auth was disabled"));
    let mut s = ctx
        .new_server_session(server_keys(), Some(cb), CLIENT_ADDR)
        .unwrap();
    s.set_session_option(SessionOption::DisableClientAuth)
        .unwrap();
    let mut p = Pair::new(c, s, NetParams::lossy(0.2), 50);
    p.handshake(5_000);
    assert!(p.server.peer_certificates().is_none());
}
