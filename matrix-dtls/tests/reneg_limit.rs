//! The re-handshake rate limit (`Config::rehandshakes_per_minute`) on DTLS sessions, as on
//! matrix-ssl's TLS sessions: past the limit the peer's request (a client's ClientHello, a
//! server's HelloRequest) is refused with a no_renegotiation warning and the connection
//! goes on under its current keys; a new request right after a refusal ends the session
//! with unexpected_message. Over datagrams a refused request may come again because the
//! warning was lost: such a retransmission is refused again, not taken for a flood.

mod support;

use matrix_dtls::DtlsContext;
use matrix_ssl::{AlertDescription, AlertLevel, Config, Error};
use support::*;

fn ctx_limited(per_minute: u32) -> DtlsContext {
    let mut c = Config::dtls();
    c.rehandshakes_per_minute = per_minute;
    matrix_dtls::open(c).unwrap()
}

fn pair_with(
    client_ctx: &DtlsContext,
    server_ctx: &DtlsContext,
    params: NetParams,
    seed: u64,
) -> Pair {
    let client = client_ctx
        .new_client_session(client_keys(), None, 0, None, None)
        .unwrap();
    let server = server_ctx
        .new_server_session(server_keys(), None, CLIENT_ADDR)
        .unwrap();
    let mut p = Pair::new(client, server, params, seed);
    p.handshake(5_000);
    p
}

/// Ticks until `done` holds, at most `max` ticks.
fn run_until(p: &mut Pair, max: u64, done: impl Fn(&Pair) -> bool) {
    let start = p.now;
    while !done(p) {
        assert!(p.now - start < max, "{:?} {:?}", p.cev, p.sev);
        p.tick();
    }
}

/// Sends `msg` from one side until the other has it.
fn deliver(p: &mut Pair, from_client: bool, msg: &[u8]) {
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
        let ev = if from_client { &p.sev } else { &p.cev };
        if ev.contains(&Ev::AppData(msg.to_vec())) {
            return;
        }
    }
    panic!("{msg:?} never arrived");
}

const REFUSED: Ev = Ev::Alert(AlertLevel::Warning, AlertDescription::NoRenegotiation);

#[test]
fn a_server_refuses_the_client_past_the_limit_then_ends_a_flood() {
    let server_ctx = ctx_limited(1);
    let mut p = pair_with(&ctx(), &server_ctx, NetParams::LOSSLESS, 1);
    // The bucket holds one re-handshake.
    p.client.encode_rehandshake(None, None, None, 0).unwrap();
    p.send_client();
    run_until(&mut p, 100, |p| {
        p.cev.iter().filter(|e| **e == Ev::Complete).count() == 2
            && p.sev.iter().filter(|e| **e == Ev::Complete).count() == 2
    });
    assert_eq!(p.client.epochs(), (2, 2));
    // The second is refused: the client hears no_renegotiation, gives up its attempt and
    // the connection goes on in epoch 2.
    p.client.encode_rehandshake(None, None, None, 0).unwrap();
    p.send_client();
    run_until(&mut p, 100, |p| p.cev.contains(&REFUSED));
    assert!(p.client.is_handshake_complete());
    assert!(
        !p.sev
            .iter()
            .any(|e| matches!(e, Ev::Alert(..) | Ev::Error(_)))
    );
    deliver(&mut p, true, b"after the refusal");
    deliver(&mut p, false, b"still here");
    assert_eq!(p.client.epochs(), (2, 2));
    assert_eq!(p.server.epochs(), (2, 2));
    // A new request right away is a flood: unexpected_message ends the session.
    p.cev.clear();
    p.client.encode_rehandshake(None, None, None, 0).unwrap();
    p.send_client();
    run_until(&mut p, 100, |p| {
        p.cev.contains(&Ev::Alert(
            AlertLevel::Fatal,
            AlertDescription::UnexpectedMessage,
        ))
    });
    assert_eq!(
        p.server.encode_to_outdata(b"x"),
        Err(Error::ProtocolFail),
        "the server session ended"
    );
}

#[test]
fn a_client_refuses_the_server_past_the_limit() {
    let client_ctx = ctx_limited(1);
    let mut p = pair_with(&client_ctx, &ctx(), NetParams::LOSSLESS, 2);
    deliver(&mut p, true, b"before");
    p.server.encode_rehandshake(None, None, None, 0).unwrap();
    p.send_server();
    run_until(&mut p, 100, |p| {
        p.cev.iter().filter(|e| **e == Ev::Complete).count() == 2
            && p.sev.iter().filter(|e| **e == Ev::Complete).count() == 2
    });
    assert_eq!(p.server.epochs(), (2, 2));
    deliver(&mut p, true, b"between");
    // The second HelloRequest is refused: the server stops sending it, and both go on.
    p.server.encode_rehandshake(None, None, None, 0).unwrap();
    p.send_server();
    run_until(&mut p, 100, |p| p.sev.contains(&REFUSED));
    for _ in 0..20 {
        p.tick();
    }
    assert!(
        p.s2c.is_empty() && p.c2s.is_empty(),
        "the refused HelloRequest is not retransmitted"
    );
    assert!(
        !p.cev
            .iter()
            .any(|e| matches!(e, Ev::Alert(..) | Ev::Error(_)))
    );
    deliver(&mut p, false, b"after the refusal");
    deliver(&mut p, true, b"still here");
    assert_eq!(p.client.epochs(), (2, 2));
    assert_eq!(p.server.epochs(), (2, 2));
    // The server may ask again (and is refused again, its bucket not yet refilled: a
    // client does not end the session over HelloRequests, each answered alike).
    p.sev.clear();
    p.server.encode_rehandshake(None, None, None, 0).unwrap();
    p.send_server();
    run_until(&mut p, 100, |p| p.sev.contains(&REFUSED));
    deliver(&mut p, true, b"and on");
}

/// At 30% loss the refusal is often lost and the client retransmits its ClientHello:
/// each copy is refused again and none counts as a flood.
#[test]
fn retransmitted_refused_requests_are_not_a_flood() {
    let mut refusals_resent = 0;
    for seed in 0..8u64 {
        let server_ctx = ctx_limited(1);
        let mut p = pair_with(&ctx(), &server_ctx, NetParams::lossy(0.3), 300 + seed);
        p.cev.clear();
        p.sev.clear();
        p.client.encode_rehandshake(None, None, None, 0).unwrap();
        p.send_client();
        run_until(&mut p, 20_000, |p| {
            p.cev.contains(&Ev::Complete) && p.sev.contains(&Ev::Complete)
        });
        p.cev.clear();
        p.sev.clear();
        let sent_before = p.s2c.sent;
        p.client.encode_rehandshake(None, None, None, 0).unwrap();
        p.send_client();
        run_until(&mut p, 20_000, |p| p.cev.contains(&REFUSED));
        assert!(
            !p.cev
                .iter()
                .chain(&p.sev)
                .any(|e| matches!(e, Ev::Alert(AlertLevel::Fatal, _) | Ev::Error(_))),
            "seed {seed}: {:?} {:?}",
            p.cev,
            p.sev
        );
        refusals_resent += p.s2c.sent - sent_before - 1;
        deliver(&mut p, true, b"after");
        deliver(&mut p, false, b"after");
    }
    eprintln!("{refusals_resent} refusals sent again");
    assert!(refusals_resent > 0, "the seeds exercise a lost refusal");
}
