//! The re-handshake rate limit (`Config::rehandshakes_per_minute`) on a `ManualClock`: a
//! server refuses the client's renegotiating hellos past the limit with a
//! no_renegotiation warning (SSL 3.0: handshake_failure) and ends the session when the
//! client asks again at once; a client does the same with a HelloRequest flood. Tokens
//! come back at the configured rate; re-handshakes a side starts itself are not counted.
#![cfg(feature = "secure-rehandshakes")]

mod support;

use std::sync::Arc;

use matrix_core::osdep::ManualClock;
use matrix_ssl::{AlertDescription, AlertLevel, Config, Context, ProtocolVersion, Session};
use support::*;

fn limited_ctx(per_minute: u32, v: ProtocolVersion, clock: &Arc<ManualClock>) -> Context {
    let mut cfg = Config::default();
    cfg.rehandshakes_per_minute = per_minute;
    cfg.min_version = v;
    cfg.max_version = v;
    matrix_ssl::open_with(
        cfg,
        Box::new(matrix_core::osdep::OsEntropy),
        Box::new(clock.clone()),
    )
    .unwrap()
}

/// Pumps both ways until nothing moves; every event of each side.
fn settle(c: &mut Session, s: &mut Session) -> (Vec<Ev>, Vec<Ev>) {
    let (mut ce, mut se) = (Vec::new(), Vec::new());
    for _ in 0..20 {
        let (a, b) = pump(c, s, usize::MAX);
        ce.extend(a);
        se.extend(b);
        let (a, b) = pump(s, c, usize::MAX);
        se.extend(a);
        ce.extend(b);
        if c.get_outdata().is_empty() && s.get_outdata().is_empty() {
            break;
        }
    }
    (ce, se)
}

fn completed(evs: &[Ev]) -> bool {
    evs.iter()
        .any(|e| matches!(e, Ev::Complete | Ev::SentComplete))
}

fn alerts(evs: &[Ev]) -> Vec<(AlertLevel, AlertDescription)> {
    evs.iter()
        .filter_map(|e| match e {
            Ev::Alert(l, d) => Some((*l, *d)),
            _ => None,
        })
        .collect()
}

const NO_RENEG: (AlertLevel, AlertDescription) =
    (AlertLevel::Warning, AlertDescription::NoRenegotiation);

#[test]
fn server_limits_client_initiated_rehandshakes() {
    for v in ctx().versions().to_vec() {
        let clock = Arc::new(ManualClock::new(1_000_000));
        let sctx = limited_ctx(3, v, &clock);
        let cctx = ctx_with(|c| {
            c.min_version = v;
            c.max_version = v;
        });
        let (mut c, mut s) = new_pair(&cctx, &sctx, 0, None, None);
        handshake(&mut c, &mut s, usize::MAX);
        for i in 0..3 {
            c.encode_rehandshake(None, None, None, 0).unwrap();
            let (ce, se) = settle(&mut c, &mut s);
            assert!(completed(&ce) && completed(&se), "{v:?} #{i}");
        }
        c.encode_rehandshake(None, None, None, 0).unwrap();
        let (ce, _) = settle(&mut c, &mut s);
        if v.is_ssl3() {
            // No no_renegotiation in SSL 3.0: the server can only end the session.
            assert_eq!(
                alerts(&ce),
                [(AlertLevel::Fatal, AlertDescription::HandshakeFailure)]
            );
            continue;
        }
        assert_eq!(alerts(&ce), [NO_RENEG], "{v:?}");
        // Refused, the connection goes on as it was.
        assert!(c.is_handshake_complete() && s.is_handshake_complete());
        send_all(&mut c, &mut s, &pattern(2000), usize::MAX);
        send_all(&mut s, &mut c, &pattern(2000), usize::MAX);
        // One token comes back every 20 s at 3 a minute.
        clock.advance(20_000);
        c.encode_rehandshake(None, None, None, 0).unwrap();
        let (ce, se) = settle(&mut c, &mut s);
        assert!(completed(&ce) && completed(&se), "{v:?}");
        // Refused again; the client asks again at once: the server ends the session.
        c.encode_rehandshake(None, None, None, 0).unwrap();
        let (ce, _) = settle(&mut c, &mut s);
        assert_eq!(alerts(&ce), [NO_RENEG], "{v:?}");
        c.encode_rehandshake(None, None, None, 0).unwrap();
        let (ce, _) = settle(&mut c, &mut s);
        assert_eq!(
            alerts(&ce),
            [(AlertLevel::Fatal, AlertDescription::UnexpectedMessage)],
            "{v:?}"
        );
    }
}

#[test]
fn client_limits_hello_request_floods() {
    for v in ctx().versions().to_vec() {
        let clock = Arc::new(ManualClock::new(5_000));
        let cctx = limited_ctx(2, v, &clock);
        let (mut c, mut s) = new_pair(&cctx, &ctx(), 0, None, None);
        handshake(&mut c, &mut s, usize::MAX);
        for i in 0..2 {
            s.encode_rehandshake(None, None, None, 0).unwrap();
            let (ce, se) = settle(&mut c, &mut s);
            assert!(completed(&ce) && completed(&se), "{v:?} #{i}");
        }
        s.encode_rehandshake(None, None, None, 0).unwrap();
        let (ce, se) = settle(&mut c, &mut s);
        assert!(!completed(&ce) && !completed(&se), "{v:?}");
        if v.is_ssl3() {
            // SSL 3.0: the request is ignored.
            assert!(alerts(&se).is_empty(), "{se:?}");
        } else {
            assert_eq!(alerts(&se), [NO_RENEG], "{v:?}");
        }
        send_all(&mut s, &mut c, &pattern(100), usize::MAX);
        // The server asks again at once: the client ends the session.
        s.encode_rehandshake(None, None, None, 0).unwrap();
        let (_, se) = settle(&mut c, &mut s);
        assert_eq!(
            alerts(&se),
            [(AlertLevel::Fatal, AlertDescription::UnexpectedMessage)],
            "{v:?}"
        );
    }
}

/// Re-handshakes a side starts itself are never limited, nor anything with the limit off.
#[test]
fn own_rehandshakes_and_a_zero_limit_are_not_limited() {
    let v = *ctx().versions().last().unwrap();
    let clock = Arc::new(ManualClock::new(0));
    // A limited server starting its own re-handshakes (HelloRequest, then the answer).
    // (The client answering them counts them as the peer's: no limit there.)
    let sctx = limited_ctx(1, v, &clock);
    let cctx = limited_ctx(0, v, &clock);
    let (mut c, mut s) = new_pair(&cctx, &sctx, 0, None, None);
    handshake(&mut c, &mut s, usize::MAX);
    for i in 0..12 {
        s.encode_rehandshake(None, None, None, 0).unwrap();
        let (ce, se) = settle(&mut c, &mut s);
        assert!(completed(&ce) && completed(&se), "#{i}");
    }
    // 0: no limit on what the peer asks for.
    let sctx = limited_ctx(0, v, &clock);
    let (mut c, mut s) = new_pair(&ctx(), &sctx, 0, None, None);
    handshake(&mut c, &mut s, usize::MAX);
    for i in 0..30 {
        c.encode_rehandshake(None, None, None, 0).unwrap();
        let (ce, se) = settle(&mut c, &mut s);
        assert!(completed(&ce) && completed(&se), "#{i}");
    }
    assert_eq!(Config::default().rehandshakes_per_minute, 5);
}
