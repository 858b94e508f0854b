//! In-memory pairs where one side is a peer from before RFC 5746: it neither sends the
//! SCSV nor renegotiation_info and ignores the other side's signal (the context's
//! `rfc5746` test switch, which no public API exposes). What each renegotiation feature
//! does with such a peer: `insecure-rehandshakes` renegotiates (legacy renegotiation, both
//! sides, resumed and full), `require-secure-rehandshakes` refuses the first handshake
//! with handshake_failure (RFC 5746 section 4.1 / 4.3), and a build with neither refuses
//! to renegotiate (`PS_UNSUPPORTED_FAIL`).

use alloc::sync::Arc;
use alloc::vec::Vec;

use crate::codec::{AlertDescription, AlertLevel, ProtocolVersion};
use crate::{Config, Context, Keys, Received, Session};

fn testkeys(rel: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../testkeys/{rel}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// A context pinned to `v`; `legacy` makes it a peer without RFC 5746.
fn context(v: ProtocolVersion, legacy: bool) -> Context {
    let c = Config {
        min_version: v,
        max_version: v,
        ..Config::default()
    };
    let mut ctx = crate::open(c).unwrap();
    Arc::get_mut(&mut ctx.inner).unwrap().rfc5746 = !legacy;
    ctx
}

/// Client and server sessions; the side named by `legacy_client` is the legacy one.
fn pair(v: ProtocolVersion, legacy_client: bool) -> (Session, Session) {
    let mut sk = Keys::new();
    sk.load_rsa_keys_mem(
        Some(&testkeys("rsa2048/server-chain.pem")),
        Some(&testkeys("rsa2048/server.key")),
        None,
    )
    .unwrap();
    let mut ck = Keys::new();
    ck.load_rsa_keys_mem(None, None, Some(&testkeys("rsa2048/ca.der")))
        .unwrap();
    let c = context(v, legacy_client)
        .new_client_session(Arc::new(ck), None, 0, None, None)
        .unwrap();
    let s = context(v, !legacy_client)
        .new_server_session(Arc::new(sk), None)
        .unwrap();
    (c, s)
}

/// What one side saw.
#[derive(Default, Debug)]
struct Seen {
    data: Vec<u8>,
    alerts: Vec<(AlertLevel, AlertDescription)>,
    completions: usize,
}

/// Moves everything `from` has queued into `to`; returns whether any byte moved. A
/// completion is reported by `sent_data` to the side whose Finished ended the handshake.
fn transfer(
    from: &mut Session,
    from_seen: &mut Seen,
    to: &mut Session,
    to_seen: &mut Seen,
) -> bool {
    let out = from.get_outdata().to_vec();
    if out.is_empty() {
        return false;
    }
    if from.sent_data(out.len()).unwrap() == crate::Sent::HandshakeComplete {
        from_seen.completions += 1;
    }
    let mut rest = out.as_slice();
    while !rest.is_empty() {
        let buf = to.get_readbuf();
        let n = buf.len().min(rest.len());
        buf[..n].copy_from_slice(&rest[..n]);
        rest = &rest[n..];
        let Ok(mut r) = to.received_data(n) else {
            return true;
        };
        loop {
            match r {
                Received::AppData(d) => to_seen.data.extend_from_slice(d),
                Received::Alert { level, description } => to_seen.alerts.push((level, description)),
                Received::HandshakeComplete => {
                    to_seen.completions += 1;
                    break;
                }
                _ => break,
            }
            r = to.processed_data().unwrap();
        }
    }
    true
}

/// Runs both directions until nothing moves.
fn settle(c: &mut Session, cs: &mut Seen, s: &mut Session, ss: &mut Seen) {
    for _ in 0..50 {
        let a = transfer(c, cs, s, ss);
        let b = transfer(s, ss, c, cs);
        if !a && !b {
            return;
        }
    }
    panic!("the pair never settled");
}

/// The compiled-in stream versions (DTLS has its own engine and tests).
fn versions() -> Vec<ProtocolVersion> {
    crate::context::COMPILED_VERSIONS
        .iter()
        .copied()
        .filter(|v| !v.is_dtls())
        .collect()
}

/// `insecure-rehandshakes`: legacy renegotiation with a legacy client and with a legacy
/// server, started by either side, resumed and full, application data flowing before,
/// during and after; neither side ever calls the connection secure.
#[cfg(all(
    feature = "insecure-rehandshakes",
    not(feature = "require-secure-rehandshakes")
))]
#[test]
fn legacy_renegotiation_both_ways() {
    use crate::SessionOption;
    for v in versions() {
        for legacy_client in [true, false] {
            let (mut c, mut s) = pair(v, legacy_client);
            let (mut cs, mut ss) = (Seen::default(), Seen::default());
            settle(&mut c, &mut cs, &mut s, &mut ss);
            assert!(
                c.is_handshake_complete() && s.is_handshake_complete(),
                "{v:?}"
            );
            assert!(!c.secure_renegotiation() && !s.secure_renegotiation());
            let mut rounds = 0;
            for (client_side, full) in [(true, false), (false, false), (true, true), (false, true)]
            {
                let opt = full.then_some(SessionOption::FullHandshake);
                let who = if client_side { &mut c } else { &mut s };
                who.encode_rehandshake(None, None, opt, 0).unwrap();
                // Data from both sides rides along with the re-handshake.
                c.encode_to_outdata(b"c-during").unwrap();
                s.encode_to_outdata(b"s-during").unwrap();
                let before = (cs.completions, ss.completions);
                settle(&mut c, &mut cs, &mut s, &mut ss);
                let ctx = (v, legacy_client, client_side, full);
                assert!(cs.alerts.is_empty() && ss.alerts.is_empty(), "{ctx:?}");
                assert!(cs.completions > before.0, "{ctx:?}");
                assert!(ss.completions > before.1, "{ctx:?}");
                assert!(c.is_handshake_complete() && s.is_handshake_complete());
                assert_eq!(c.is_resumed(), !full, "{ctx:?}");
                assert_eq!(s.is_resumed(), !full, "{ctx:?}");
                assert!(!c.secure_renegotiation() && !s.secure_renegotiation());
                rounds += 1;
            }
            assert_eq!(rounds, 4);
            assert_eq!(cs.data, b"s-during".repeat(4), "{v:?}");
            assert_eq!(ss.data, b"c-during".repeat(4), "{v:?}");
        }
    }
}

/// `require-secure-rehandshakes`: a legacy client is refused by our server, and a legacy
/// server by our client, with a fatal handshake_failure on the first handshake (also in
/// SSL 3.0, whose servers answer the SCSV too: RFC 5746 section 4.5).
#[cfg(feature = "require-secure-rehandshakes")]
#[test]
fn legacy_peers_are_refused() {
    let fatal = (AlertLevel::Fatal, AlertDescription::HandshakeFailure);
    for v in versions() {
        // A legacy client: our server refuses its hello.
        let (mut c, mut s) = pair(v, true);
        let (mut cs, mut ss) = (Seen::default(), Seen::default());
        settle(&mut c, &mut cs, &mut s, &mut ss);
        assert_eq!(cs.alerts, [fatal], "{v:?}");
        assert!(!s.is_handshake_complete() && !c.is_handshake_complete());
        // A legacy server: our client refuses its ServerHello.
        let (mut c, mut s) = pair(v, false);
        let (mut cs, mut ss) = (Seen::default(), Seen::default());
        settle(&mut c, &mut cs, &mut s, &mut ss);
        assert_eq!(ss.alerts, [fatal], "{v:?}");
        assert!(cs.alerts.is_empty(), "{v:?}: {cs:?}");
        assert!(!c.is_handshake_complete());
    }
}

/// Neither `insecure-rehandshakes` nor `require-secure-rehandshakes`: a legacy peer
/// connects and exchanges data, but neither side renegotiates with it.
#[cfg(not(any(
    feature = "insecure-rehandshakes",
    feature = "require-secure-rehandshakes"
)))]
#[test]
fn no_renegotiation_with_legacy_peers() {
    use matrix_core::Error;
    for v in versions() {
        for legacy_client in [true, false] {
            let (mut c, mut s) = pair(v, legacy_client);
            let (mut cs, mut ss) = (Seen::default(), Seen::default());
            settle(&mut c, &mut cs, &mut s, &mut ss);
            assert!(
                c.is_handshake_complete() && s.is_handshake_complete(),
                "{v:?}"
            );
            assert!(!c.secure_renegotiation() && !s.secure_renegotiation());
            for who in [&mut c, &mut s] {
                assert_eq!(
                    who.encode_rehandshake(None, None, None, 0),
                    Err(Error::UnsupportedFail)
                );
            }
            c.encode_to_outdata(b"still up").unwrap();
            settle(&mut c, &mut cs, &mut s, &mut ss);
            assert_eq!(ss.data, b"still up");
        }
    }
}
