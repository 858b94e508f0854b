//! RFC 5077 session tickets over DTLS 1.0 and 1.2 (feature `stateless-session-tickets`),
//! in memory over the simulated network of `support`: a server with no session cache
//! issues a ticket in its last flight and resumes from it; the NewSessionTicket is part
//! of that flight, so losing it once (alone, or with the ChangeCipherSpec and Finished
//! after it) costs a retransmission, never the handshake; the ticket renewed in a
//! resumption after a key rotation travels in the server's first flight, lost once too;
//! and random loss, duplication and reordering still resume by ticket.

mod support;

use std::time::Duration;

use matrix_dtls::DtlsContext;
use matrix_dtls::fragment::parse_fragments;
use matrix_dtls::record::records;
use matrix_ssl::codec::{ContentType, HandshakeType};
use matrix_ssl::{Config, ProtocolVersion, SessionId};
use support::*;

const NAME_A: [u8; 16] = [0xa1; 16];
const NAME_B: [u8; 16] = [0xb2; 16];

/// A test run once per DTLS version, as `name::dtls1_0` and `name::dtls1_2`.
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

fn config(v: ProtocolVersion) -> Config {
    let mut c = Config::dtls();
    c.min_version = v;
    c.max_version = v;
    c
}

/// A client context that asks for tickets.
fn client_ctx(v: ProtocolVersion) -> DtlsContext {
    let mut c = config(v);
    c.session_tickets = true;
    matrix_dtls::open(c).unwrap()
}

/// A server context without a session cache, ticket key A loaded.
fn server_ctx(v: ProtocolVersion) -> DtlsContext {
    let mut c = config(v);
    c.session_table_size = 0;
    c.session_entry_life = Duration::from_secs(3600);
    let ctx = matrix_dtls::open(c).unwrap();
    ctx.context()
        .load_session_ticket_keys(&NAME_A, &[1; 16], &[2; 32])
        .unwrap();
    ctx
}

fn pair(
    cctx: &DtlsContext,
    sctx: &DtlsContext,
    sid: Option<&SessionId>,
    params: NetParams,
    seed: u64,
) -> Pair {
    let client = cctx
        .new_client_session(client_keys(), sid, 0, None, None)
        .unwrap();
    let server = sctx
        .new_server_session(server_keys(), None, CLIENT_ADDR)
        .unwrap();
    Pair::new(client, server, params, seed)
}

/// Whether a datagram carries (a fragment of) a NewSessionTicket: it is sent before the
/// ChangeCipherSpec, in the clear of the handshake's first epoch.
fn has_ticket(dg: &[u8]) -> bool {
    records(dg).any(|(h, range)| {
        h.epoch == 0
            && h.content_type == ContentType::Handshake
            && parse_fragments(&dg[range])
                .any(|f| f.is_ok_and(|(fh, _)| fh.msg_type == HandshakeType::NewSessionTicket))
    })
}

fn tickets_sent(p: &Pair) -> usize {
    p.s2c.log.iter().filter(|d| has_ticket(d)).count()
}

/// Runs a handshake to completion and a message each way; returns the client's session.
fn complete(p: &mut Pair) -> SessionId {
    complete_any(p).expect("a resumable session")
}

/// [`complete`], when the session may not be resumable.
fn complete_any(p: &mut Pair) -> Option<SessionId> {
    p.handshake(5_000);
    assert_eq!(p.client.is_resumed(), p.server.is_resumed());
    assert_eq!(p.client.protocol_version(), p.server.protocol_version());
    exchange_one_message(p);
    p.client.session_id()
}

per_version! {
    fn resumes_by_ticket_without_a_server_cache(v) {
        let (cctx, sctx) = (client_ctx(v), server_ctx(v));
        let mut p = pair(&cctx, &sctx, None, NetParams::LOSSLESS, 1);
        p.handshake(5_000);
        assert_eq!(p.timeouts, 0, "no retransmission on a perfect network");
        let sid = complete(&mut p);
        assert!(!p.client.is_resumed());
        assert_eq!(p.client.protocol_version(), v);
        assert_eq!(tickets_sent(&p), 1, "one NewSessionTicket in the last flight");
        assert_eq!(&sid.ticket()[..16], &NAME_A);
        assert_eq!(sid.ticket_lifetime_hint(), 3600);
        // The server kept nothing: only the ticket can resume.
        for seed in [2u64, 3] {
            let mut p = pair(&cctx, &sctx, Some(&sid), NetParams::LOSSLESS, seed);
            let again = complete(&mut p);
            assert!(p.client.is_resumed() && p.server.is_resumed(), "seed {seed}");
            assert_eq!(tickets_sent(&p), 0, "a ticket of the newest key is not renewed");
            assert_eq!(again.ticket(), sid.ticket());
        }
        // Without the key the ticket is refused: a full handshake, no alert.
        sctx.context().delete_session_ticket_key(&NAME_A).unwrap();
        let mut p = pair(&cctx, &sctx, Some(&sid), NetParams::LOSSLESS, 4);
        complete(&mut p);
        assert!(!p.client.is_resumed());
        assert_eq!(tickets_sent(&p), 0, "no key, no ticket");
    }
}

per_version! {
    fn lost_ticket_flight_is_retransmitted(v) {
        // At PMTU 1500 the ticket, ChangeCipherSpec and Finished share a datagram; at 128
        // the ticket is cut in two and only its first fragment is lost, so the client
        // sees the ChangeCipherSpec while the ticket is incomplete and must wait for the
        // retransmission instead of failing (RFC 5077 section 3.3's order).
        for pmtu in [1500, 128] {
            let (cctx, sctx) = (client_ctx(v), server_ctx(v));
            cctx.set_pmtu(pmtu);
            sctx.set_pmtu(pmtu);
            let mut p = pair(&cctx, &sctx, None, NetParams::LOSSLESS, 5);
            p.s2c.drop_once = Some(has_ticket);
            p.handshake(5_000);
            assert!(p.timeouts > 0, "pmtu {pmtu}: recovered by retransmission");
            let sid = complete(&mut p);
            assert_eq!(p.s2c.lost, 1, "pmtu {pmtu}");
            assert!(tickets_sent(&p) >= 2, "pmtu {pmtu}: the ticket was sent again");
            assert!(!sid.ticket().is_empty());
            let mut p = pair(&cctx, &sctx, Some(&sid), NetParams::LOSSLESS, 6);
            complete(&mut p);
            assert!(p.client.is_resumed() && p.server.is_resumed(), "pmtu {pmtu}");
        }
    }
}

per_version! {
    fn renewed_ticket_lost_in_a_resumption(v) {
        let (cctx, sctx) = (client_ctx(v), server_ctx(v));
        let mut p = pair(&cctx, &sctx, None, NetParams::LOSSLESS, 7);
        let old = complete(&mut p);
        // Key B now issues; A still opens, and its tickets are renewed in the server's
        // resumption flight (ServerHello, NewSessionTicket, ChangeCipherSpec, Finished).
        sctx.context()
            .load_session_ticket_keys(&NAME_B, &[3; 16], &[4; 32])
            .unwrap();
        let mut p = pair(&cctx, &sctx, Some(&old), NetParams::LOSSLESS, 8);
        p.s2c.drop_once = Some(has_ticket);
        let renewed = complete(&mut p);
        assert!(p.client.is_resumed() && p.server.is_resumed());
        assert_eq!(p.s2c.lost, 1);
        assert_eq!(&renewed.ticket()[..16], &NAME_B);
        sctx.context().delete_session_ticket_key(&NAME_A).unwrap();
        let mut p = pair(&cctx, &sctx, Some(&renewed), NetParams::LOSSLESS, 9);
        complete(&mut p);
        assert!(p.client.is_resumed(), "the renewed ticket resumes under key B");
    }
}

per_version! {
    fn resumes_by_ticket_over_a_lossy_network(v) {
        let (cctx, sctx) = (client_ctx(v), server_ctx(v));
        let mut p = pair(&cctx, &sctx, None, NetParams::lossy(0.2), 42);
        let sid = complete(&mut p);
        assert!(!sid.ticket().is_empty());
        for seed in [7u64, 8, 9] {
            let mut p = pair(&cctx, &sctx, Some(&sid), NetParams::lossy(0.2), seed);
            complete(&mut p);
            assert!(p.client.is_resumed() && p.server.is_resumed(), "seed {seed}");
        }
    }
}

/// A client that does not ask gets no ticket, and without a cache nothing resumes.
#[test]
fn no_ticket_unless_asked() {
    let v = ProtocolVersion::DTLSv1_2;
    let cctx = matrix_dtls::open(config(v)).unwrap();
    let sctx = server_ctx(v);
    let mut p = pair(&cctx, &sctx, None, NetParams::LOSSLESS, 10);
    let sid = complete_any(&mut p);
    assert!(sid.as_ref().is_none_or(|s| s.ticket().is_empty()));
    assert_eq!(tickets_sent(&p), 0);
    let mut p = pair(&cctx, &sctx, sid.as_ref(), NetParams::LOSSLESS, 11);
    complete_any(&mut p);
    assert!(!p.client.is_resumed());
}
