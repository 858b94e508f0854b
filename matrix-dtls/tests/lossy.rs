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
//!
//! Every network test runs once per DTLS version (`name::dtls1_0`, `name::dtls1_2`), both
//! ends speaking only that version: DTLS 1.0 with its CBC suites, DTLS 1.2 (RFC 6347) with
//! AES-GCM records (RFC 5288; the 8-byte explicit nonce is the record's epoch and sequence
//! number) for the certificate suites and PSK.

mod support;

use std::collections::HashSet;

use matrix_dtls::fragment::parse_fragments;
use matrix_dtls::record::records;
use matrix_ssl::codec::{ContentType, HandshakeType};
use matrix_ssl::{ProtocolVersion, suites};
use support::*;

/// A test run once per DTLS version, as `name::dtls1_0` and `name::dtls1_2`; the body gets
/// the version as `v`.
macro_rules! per_version {
    ($(#[$attr:meta])* fn $name:ident($v:ident) $body:block) => {
        $(#[$attr])*
        mod $name {
            use super::*;

            fn run($v: ProtocolVersion) $body

            #[test]
            fn dtls1_0() {
                run(ProtocolVersion::DTLSv1_0)
            }

            #[test]
            fn dtls1_2() {
                run(ProtocolVersion::DTLSv1_2)
            }
        }
    };
}

/// The PSK suite each version runs: AES-128-CBC-SHA, and in DTLS 1.2 AES-128-GCM-SHA256
/// (RFC 5487).
fn psk_suite(v: ProtocolVersion) -> u16 {
    if v == ProtocolVersion::DTLSv1_2 {
        0x00a8
    } else {
        0x008c
    }
}

/// Both ends negotiated `v`, with an AEAD suite in DTLS 1.2 and a CBC one in DTLS 1.0,
/// and every record the server sent from its ServerHello on carries `v` (RFC 6347 section
/// 4.1); the HelloVerifyRequest before it carries DTLS 1.0's {254,255} (section 4.2.1).
fn check_version(p: &Pair, v: ProtocolVersion) {
    assert_eq!(p.client.protocol_version(), v);
    assert_eq!(p.server.protocol_version(), v);
    let suite = p.client.cipher_suite().and_then(suites::lookup).unwrap();
    assert_eq!(
        suite.is_aead(),
        v == ProtocolVersion::DTLSv1_2,
        "{:?}",
        suite.suite
    );
    let mut seen_hello = false;
    for dg in &p.s2c.log {
        for (h, range) in records(dg) {
            let first = (h.epoch == 0 && h.content_type == ContentType::Handshake)
                .then(|| parse_fragments(&dg[range]).next())
                .flatten()
                .and_then(Result::ok)
                .map(|(fh, _)| fh.msg_type);
            if first == Some(HandshakeType::HelloVerifyRequest) {
                assert_eq!(h.version, ProtocolVersion::DTLSv1_0);
                continue;
            }
            seen_hello |= first == Some(HandshakeType::ServerHello);
            if seen_hello {
                assert_eq!(h.version, v, "epoch {} seq {}", h.epoch, h.sequence_number);
            }
        }
    }
    assert!(seen_hello);
}

fn pair(ctx: &matrix_dtls::DtlsContext, suite: u16, params: NetParams, seed: u64) -> Pair {
    let client = ctx
        .new_client_session(client_keys(), None, suite, None, None)
        .unwrap();
    let server = ctx
        .new_server_session(server_keys(), None, CLIENT_ADDR)
        .unwrap();
    Pair::new(client, server, params, seed)
}

per_version! {
    fn lossless_handshake_reports_completion_once_each_side(v) {
        let ctx = ctx_for(v);
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
        check_version(&p, v);
    }
}

per_version! {
    fn handshakes_complete_at_20_percent_loss(v) {
        let mut timeouts = 0;
        for seed in 1..=16u64 {
            let ctx = ctx_for(v);
            let mut p = pair(&ctx, 0, NetParams::lossy(0.2), seed);
            p.handshake(5_000);
            let lost = p.c2s.lost + p.s2c.lost;
            assert!(
                p.client.is_handshake_complete() && p.server.is_handshake_complete(),
                "seed {seed}"
            );
            check_version(&p, v);
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
}

per_version! {
    fn resumption_over_a_lossy_network(v) {
        let ctx = ctx_for(v);
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
}

per_version! {
    fn psk_handshake_over_a_lossy_network(v) {
        let ctx = ctx_for(v);
        for seed in [3u64, 4] {
            let mut p = pair(&ctx, psk_suite(v), NetParams::lossy(0.2), seed);
            p.handshake(5_000);
            assert_eq!(p.client.cipher_suite().map(|s| s.get()), Some(psk_suite(v)));
            check_version(&p, v);
            exchange_one_message(&mut p);
        }
    }
}

per_version! {
    fn pmtu_256_fragments_the_certificate(v) {
        let ctx = ctx_for(v);
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

per_version! {
    fn one_mib_arrives_intact_and_once_over_20_percent_loss(v) {
        let ctx = ctx_for(v);
        let mut p = pair(&ctx, 0, NetParams::lossy(0.2), 11);
        p.handshake(5_000);
        transfer(&mut p, &mib());
    }
}

per_version! {
    fn one_mib_at_pmtu_256_lossless_after_lossy_handshake(v) {
        let ctx = ctx_for(v);
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
}

per_version! {
    fn client_authentication_over_a_lossy_network_at_pmtu_256(v) {
        use matrix_ssl::{CertValidator, Keys, Verdict};
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};

        let ctx = ctx_for(v);
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

per_version! {
    fn fifty_seeds_at_pmtu_256_and_40_percent_loss(v) {
        let mut max_ticks = 0;
        for seed in 0..50u64 {
            let ctx = ctx_for(v);
            ctx.set_pmtu(256);
            let mut p = pair(&ctx, 0, NetParams::lossy(0.4), seed * 7919 + 1);
            p.handshake(20_000);
            max_ticks = max_ticks.max(p.now);
        }
        eprintln!("slowest handshake: {max_ticks} ticks");
    }
}

per_version! {
    fn lost_final_flight_is_resent_when_the_peer_retransmits_and_dropped_after_data(v) {
        let ctx = ctx_for(v);
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

per_version! {
    /// Two re-handshakes in a row per seed, resumed or full, at PMTU 1500 and 256, with
    /// application data flowing during the first. The second one also meets the first's late
    /// retransmissions, whose message_seq values the new handshake reuses.
    fn rehandshakes_over_a_lossy_network(v) {
        use matrix_ssl::SessionOption;
        for seed in 0..12u64 {
            let full = seed % 2 == 0;
            let ctx = ctx_for(v);
            ctx.set_pmtu(if seed < 6 { 1500 } else { 256 });
            let mut p = pair(&ctx, 0, NetParams::lossy(0.3), 60 + seed);
            p.handshake(5_000);
            exchange_one_message(&mut p);
            for round in 0..2u16 {
                p.cev.clear();
                p.sev.clear();
                p.client
                    .encode_rehandshake(None, None, full.then_some(SessionOption::FullHandshake), 0)
                    .unwrap();
                assert_eq!(
                    p.client.encode_rehandshake(None, None, None, 0),
                    Err(matrix_ssl::Error::ProtocolFail),
                    "one at a time"
                );
                p.send_client();
                if round == 0 {
                    // Application data flows while the re-handshake runs.
                    exchange_one_message(&mut p);
                }
                let start = p.now;
                while !(p.cev.contains(&Ev::Complete) && p.sev.contains(&Ev::Complete)) {
                    assert!(
                        p.now - start < 20_000,
                        "seed {seed}: {:?} {:?}",
                        p.cev,
                        p.sev
                    );
                    assert!(
                        !p.cev
                            .iter()
                            .chain(&p.sev)
                            .any(|e| matches!(e, Ev::Alert(..) | Ev::Error(_))),
                        "seed {seed}: {:?} {:?}",
                        p.cev,
                        p.sev
                    );
                    p.tick();
                }
                assert_eq!(p.client.epochs(), (2 + round, 2 + round), "seed {seed}");
                assert_eq!(p.server.epochs(), (2 + round, 2 + round), "seed {seed}");
                assert_eq!(p.client.is_resumed(), !full, "seed {seed}");
            }
            exchange_one_message(&mut p);
        }
    }
}

/// Ticks until both sides reported `Complete` again, failing on any alert or error.
fn until_both_complete(p: &mut Pair, what: &str) {
    let start = p.now;
    while !(p.cev.contains(&Ev::Complete) && p.sev.contains(&Ev::Complete)) {
        assert!(p.now - start < 20_000, "{what}: {:?} {:?}", p.cev, p.sev);
        assert!(
            !p.cev
                .iter()
                .chain(&p.sev)
                .any(|e| matches!(e, Ev::Alert(..) | Ev::Error(_))),
            "{what}: {:?} {:?}",
            p.cev,
            p.sev
        );
        p.tick();
    }
}

per_version! {
    /// Server-initiated re-handshakes (HelloRequest, RFC 6347 section 4.2.2) at 20% loss, 10%
    /// duplication and reordering: per seed, one started by the server (data flowing during
    /// it), then one by the client, then the server's again, resumed or full; data before and
    /// after. The HelloRequest is retransmitted on the timer until the ClientHello comes.
    fn server_initiated_rehandshakes_at_20_percent_loss(v) {
        use matrix_ssl::SessionOption;
        let mut timeouts = 0;
        for seed in 0..10u64 {
            let full = seed % 2 == 1;
            let ctx = ctx_for(v);
            ctx.set_pmtu(if seed < 5 { 1500 } else { 256 });
            let mut p = pair(&ctx, 0, NetParams::lossy(0.2), 900 + seed);
            p.handshake(5_000);
            exchange_one_message(&mut p);
            let option = full.then_some(SessionOption::FullHandshake);
            for (round, by_server) in [true, false, true].into_iter().enumerate() {
                let what = format!("seed {seed} round {round}");
                p.cev.clear();
                p.sev.clear();
                if by_server {
                    p.server.encode_rehandshake(None, None, option, 0).unwrap();
                    assert_eq!(
                        p.server.encode_rehandshake(None, None, None, 0),
                        Err(matrix_ssl::Error::ProtocolFail),
                        "one at a time"
                    );
                    p.send_server();
                } else {
                    p.client.encode_rehandshake(None, None, option, 0).unwrap();
                    p.send_client();
                }
                if round == 0 {
                    exchange_one_message(&mut p);
                }
                until_both_complete(&mut p, &what);
                let epoch = 2 + round as u16;
                assert_eq!(p.client.epochs(), (epoch, epoch), "{what}");
                assert_eq!(p.server.epochs(), (epoch, epoch), "{what}");
                assert_eq!(p.client.is_resumed(), !full, "{what}");
                exchange_one_message(&mut p);
            }
            timeouts += p.timeouts;
        }
        assert!(timeouts > 0, "the seeds exercise retransmission");
    }
}

per_version! {
    /// A lost HelloRequest goes again on the timer, and the re-handshake it asks for runs.
    fn hello_request_is_retransmitted_until_the_client_hello_comes(v) {
        let ctx = ctx_for(v);
        let mut p = pair(&ctx, 0, NetParams::LOSSLESS, 70);
        p.handshake(100);
        exchange_one_message(&mut p);
        p.server.encode_rehandshake(None, None, None, 0).unwrap();
        let mut ev = Vec::new();
        let first = drain(&mut p.server, &mut ev);
        assert_eq!(first.len(), 1);
        // Lost. `drain` ended on an empty get_outdata (which armed the timer): the next one
        // is the timeout, and sends the request again under a new record sequence number.
        let again = drain(&mut p.server, &mut ev);
        assert_eq!(again.len(), 1);
        assert_ne!(again[0], first[0]);
        assert_eq!(again[0].len(), first[0].len());
        p.s2c.send(again[0].clone(), p.now, p.params, &mut p.rng);
        p.cev.clear();
        p.sev.clear();
        until_both_complete(&mut p, "lossless");
        assert_eq!(p.server.epochs(), (2, 2));
        assert!(p.client.is_resumed());
        exchange_one_message(&mut p);
    }
}

#[test]
fn rehandshakes_need_an_established_session() {
    let ctx = ctx();
    let mut c = ctx
        .new_client_session(client_keys(), None, 0, None, None)
        .unwrap();
    assert_eq!(
        c.encode_rehandshake(None, None, None, 0),
        Err(matrix_ssl::Error::ProtocolFail)
    );
}

/// DTLS 1.2's CBC suites have the largest record expansion (a 32-byte HMAC-SHA256 besides
/// the explicit IV and padding): a handshake and data still fit the smallest PMTU, at 20%
/// loss.
#[test]
fn cbc_sha256_in_dtls1_2_at_the_smallest_pmtu() {
    let ctx = ctx_for(ProtocolVersion::DTLSv1_2);
    assert_eq!(ctx.set_pmtu(0), matrix_dtls::MIN_PMTU);
    for (suite, seed) in [(0x003Cu16, 81u64), (0x003D, 82)] {
        let mut p = pair(&ctx, suite, NetParams::lossy(0.2), seed);
        p.handshake(20_000);
        assert_eq!(p.client.cipher_suite().map(|s| s.get()), Some(suite));
        assert_eq!(p.client.protocol_version(), ProtocolVersion::DTLSv1_2);
        assert!(p.client.max_app_data() > 0);
        exchange_one_message(&mut p);
    }
}
