//! RFC 5077 stateless session tickets (feature `stateless-session-tickets`) between matrix
//! clients and servers in memory: resumption by ticket with and without a server cache,
//! key rotation and renewal, the fall-backs to a full handshake (unknown key, tampered,
//! expired, deleted key, a suite no longer offered), the session-id echo, the client's
//! rules for the NewSessionTicket message, and the key API's return codes.
#![cfg(all(
    feature = "stateless-session-tickets",
    feature = "client-side-ssl",
    feature = "server-side-ssl",
    feature = "std"
))]

mod support;

use std::sync::Arc;
use std::time::Duration;

use matrix_core::osdep::{ManualClock, OsEntropy};
use matrix_ssl::{
    AlertDescription, AlertLevel, Config, Context, Error, Session, SessionId, SessionTicketKey,
};
use support::*;

const NAME_A: [u8; 16] = [0xa1; 16];
const NAME_B: [u8; 16] = [0xb2; 16];

/// A client context that asks for tickets.
fn client_ctx() -> Context {
    ctx_with(|c| c.session_tickets = true)
}

/// A server context on `clock` with `table` cache entries and ticket key A loaded.
fn server_ctx(clock: &Arc<ManualClock>, table: usize) -> Context {
    let mut cfg = Config::default();
    cfg.session_table_size = table;
    cfg.session_entry_life = Duration::from_secs(3600);
    let ctx = matrix_ssl::open_with(cfg, Box::new(OsEntropy), Box::new(clock.clone())).unwrap();
    ctx.load_session_ticket_keys(&NAME_A, &[1; 16], &[2; 32])
        .unwrap();
    ctx
}

fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(1_700_000_000_000))
}

/// One handshake offering `sid`; returns the client's new session and whether it resumed
/// (both sides must agree), after data both ways.
fn connect(cctx: &Context, sctx: &Context, sid: Option<&SessionId>) -> (SessionId, bool) {
    let (mut c, mut s) = new_pair(cctx, sctx, 0, sid, None);
    handshake(&mut c, &mut s, usize::MAX);
    assert_eq!(c.is_resumed(), s.is_resumed());
    send_all(&mut c, &mut s, b"ping", usize::MAX);
    send_all(&mut s, &mut c, b"pong", usize::MAX);
    (c.session_id().expect("a resumable session"), c.is_resumed())
}

/// The handshake message types of a plaintext-or-not flight: only the first record's
/// messages are readable before ChangeCipherSpec; this returns the record types.
fn record_types(flight: &[u8]) -> Vec<u8> {
    let mut types = Vec::new();
    let mut rest = flight;
    while rest.len() >= 5 {
        let len = u16::from_be_bytes([rest[3], rest[4]]) as usize;
        types.push(rest[0]);
        rest = &rest[5 + len..];
    }
    types
}

#[test]
fn resumes_by_ticket_without_a_server_cache() {
    let clock = clock();
    let sctx = server_ctx(&clock, 0);
    let cctx = client_ctx();
    let (sid, resumed) = connect(&cctx, &sctx, None);
    assert!(!resumed);
    assert!(!sid.ticket().is_empty(), "a ticket was issued");
    assert_eq!(sid.ticket_lifetime_hint(), 3600);
    assert_eq!(&sid.ticket()[..16], &NAME_A);
    assert_eq!(sctx.cached_sessions(), 0);
    // Resumed from the ticket alone, several times; the ticket stays (no renewal needed).
    let (sid2, resumed) = connect(&cctx, &sctx, Some(&sid));
    assert!(resumed);
    assert_eq!(sid2.ticket(), sid.ticket());
    assert_eq!(sid2.master_secret(), sid.master_secret());
    let (_, resumed) = connect(&cctx, &sctx, Some(&sid2));
    assert!(resumed);
}

#[test]
fn resumes_by_ticket_with_a_cache_too_and_echoes_the_session_id() {
    let clock = clock();
    let sctx = server_ctx(&clock, 8);
    let cctx = client_ctx();
    let (sid, _) = connect(&cctx, &sctx, None);
    assert!(!sid.id().is_empty() && !sid.ticket().is_empty());
    // A ticket with no session id: the client makes one up and the server echoes it.
    let ticket_only = SessionId::from_parts(
        &[],
        sid.master_secret(),
        sid.cipher_suite(),
        sid.protocol_version(),
        sid.extended_master_secret(),
    )
    .unwrap()
    .with_ticket(sid.ticket(), sid.ticket_lifetime_hint())
    .unwrap();
    assert!(!ticket_only.is_empty());
    let (mut c, mut s) = new_pair(&cctx, &sctx, 0, Some(&ticket_only), None);
    handshake(&mut c, &mut s, usize::MAX);
    assert!(c.is_resumed() && s.is_resumed());
    let echoed = c.session_id().unwrap();
    assert_eq!(echoed.id().len(), 32);
    assert_ne!(echoed.id(), sid.id());
    // The cache does not know the made-up id: the resumption was the ticket's.
    let by_id = SessionId::from_parts(
        echoed.id(),
        sid.master_secret(),
        sid.cipher_suite(),
        sid.protocol_version(),
        sid.extended_master_secret(),
    )
    .unwrap();
    let (_, resumed) = connect(&ctx(), &sctx, Some(&by_id));
    assert!(!resumed);
    // A tampered ticket beside an id the cache holds: the ticket is ignored and the
    // cache resumes; beside an id it does not hold: a full handshake.
    let mut bad = sid.ticket().to_vec();
    let last = bad.len() - 1;
    bad[last] ^= 1;
    let cached_id = SessionId::from_parts(
        sid.id(),
        sid.master_secret(),
        sid.cipher_suite(),
        sid.protocol_version(),
        sid.extended_master_secret(),
    )
    .unwrap()
    .with_ticket(&bad, 0)
    .unwrap();
    assert!(connect(&cctx, &sctx, Some(&cached_id)).1);
    let unknown_id = SessionId::from_parts(
        &[7; 32],
        sid.master_secret(),
        sid.cipher_suite(),
        sid.protocol_version(),
        sid.extended_master_secret(),
    )
    .unwrap()
    .with_ticket(&bad, 0)
    .unwrap();
    assert!(!connect(&cctx, &sctx, Some(&unknown_id)).1);
}

#[test]
fn rotation_renews_tickets_of_older_keys() {
    let clock = clock();
    let sctx = server_ctx(&clock, 0);
    let cctx = client_ctx();
    let (sid_a, _) = connect(&cctx, &sctx, None);
    // Key B now issues; A's ticket still resumes and is replaced by one of B's.
    sctx.load_session_ticket_keys(&NAME_B, &[3; 32], &[4; 32])
        .unwrap();
    let (mut c, mut s) = new_pair(&cctx, &sctx, 0, Some(&sid_a), None);
    pump(&mut c, &mut s, usize::MAX);
    let mut evs = Vec::new();
    let flight = take_out(&mut s, usize::MAX, &mut evs);
    // ServerHello and NewSessionTicket (one handshake record), then CCS and Finished.
    assert_eq!(record_types(&flight), [22, 20, 22]);
    assert_eq!(flight[5], 2);
    let sh_len = u32::from_be_bytes([0, flight[6], flight[7], flight[8]]) as usize;
    assert_eq!(
        flight[9 + sh_len],
        4,
        "NewSessionTicket follows the ServerHello"
    );
    feed(&mut c, &flight, usize::MAX, &mut evs);
    handshake(&mut c, &mut s, usize::MAX);
    assert!(c.is_resumed());
    let sid_b = c.session_id().unwrap();
    assert_eq!(&sid_b.ticket()[..16], &NAME_B);
    // A deleted: its tickets fall back to a full handshake, B's resume.
    sctx.delete_session_ticket_key(&NAME_A).unwrap();
    assert!(!connect(&cctx, &sctx, Some(&sid_a)).1);
    assert!(connect(&cctx, &sctx, Some(&sid_b)).1);
}

#[test]
fn bad_tickets_fall_back_to_a_full_handshake() {
    let clock = clock();
    let sctx = server_ctx(&clock, 0);
    let cctx = client_ctx();
    let (sid, _) = connect(&cctx, &sctx, None);
    let with = |t: &[u8]| {
        SessionId::from_parts(
            sid.id(),
            sid.master_secret(),
            sid.cipher_suite(),
            sid.protocol_version(),
            sid.extended_master_secret(),
        )
        .unwrap()
        .with_ticket(t, 0)
        .unwrap()
    };
    let t = sid.ticket().to_vec();
    let mut cases: Vec<Vec<u8>> = vec![t[..t.len() - 1].to_vec(), t[..20].to_vec(), vec![0; 1]];
    for i in [0, 16, 33, 40, t.len() - 1] {
        let mut bad = t.clone();
        bad[i] ^= 0x80;
        cases.push(bad);
    }
    for bad in cases {
        let (new, resumed) = connect(&cctx, &sctx, Some(&with(&bad)));
        assert!(!resumed, "a bad ticket resumed");
        assert!(
            !new.ticket().is_empty(),
            "the full handshake issues a fresh ticket"
        );
    }
    // Another server's keys: refused (no callback), then supplied by the callback.
    let clock2 = self::clock();
    let other = server_ctx(&clock2, 0);
    other.delete_session_ticket_key(&NAME_A).unwrap();
    other
        .load_session_ticket_keys(&NAME_B, &[9; 16], &[9; 32])
        .unwrap();
    assert!(!connect(&cctx, &other, Some(&sid)).1);
    other.set_session_ticket_callback(Box::new(|name| {
        (name == &NAME_A).then(|| SessionTicketKey::new(&NAME_A, &[1; 16], &[2; 32]).unwrap())
    }));
    assert!(connect(&cctx, &other, Some(&sid)).1);
    // Expired: the lifetime is the context's session_entry_life (one hour).
    clock.advance(3_600_001);
    assert!(!connect(&cctx, &sctx, Some(&sid)).1);
}

#[test]
fn a_ticket_resumes_only_a_compatible_session() {
    let clock = clock();
    let sctx = server_ctx(&clock, 0);
    let cctx = client_ctx();
    let (sid, _) = connect(&cctx, &sctx, None);
    // The client nominates another suite: it does not offer the session at all; a server
    // that disabled the session's suite does a full handshake.
    let other_suite = if sid.cipher_suite().get() == 0x002f {
        0x0035
    } else {
        0x002f
    };
    let (mut c, mut s) = new_pair(&cctx, &sctx, other_suite, Some(&sid), None);
    handshake(&mut c, &mut s, usize::MAX);
    assert!(!c.is_resumed());
    let mut c = cctx
        .new_client_session(client_keys(), Some(&sid), 0, None, None)
        .unwrap();
    let mut s = sctx.new_server_session(server_keys(), None).unwrap();
    s.set_cipher_suite_enabled_status(sid.cipher_suite().get(), false)
        .unwrap();
    handshake(&mut c, &mut s, usize::MAX);
    assert!(!c.is_resumed());
    assert_ne!(c.cipher_suite(), Some(sid.cipher_suite()));
}

#[test]
fn no_ticket_unless_both_sides_want_one() {
    let clock = clock();
    let sctx = server_ctx(&clock, 8);
    // A client that does not ask gets none (and resumes by id as before).
    let plain = ctx();
    let (sid, _) = connect(&plain, &sctx, None);
    assert!(sid.ticket().is_empty());
    assert!(connect(&plain, &sctx, Some(&sid)).1);
    // A server without keys issues none; the client still resumes by id.
    let keyless = ctx();
    let cctx = client_ctx();
    let (sid, _) = connect(&cctx, &keyless, None);
    assert!(sid.ticket().is_empty() && !sid.id().is_empty());
    assert!(connect(&cctx, &keyless, Some(&sid)).1);
    // SSL 3.0 has no tickets (RFC 5077 extends TLS): resumption by id only.
    let ssl3 = ctx_with(|c| {
        c.session_tickets = true;
        c.max_version = matrix_ssl::ProtocolVersion::SSLv3;
    });
    let (sid, _) = connect(&ssl3, &sctx, None);
    assert_eq!(sid.protocol_version(), matrix_ssl::ProtocolVersion::SSLv3);
    assert!(sid.ticket().is_empty());
    assert!(connect(&ssl3, &sctx, Some(&sid)).1);
}

/// The server's flight of a full handshake with a ticket: its last handshake flight is
/// NewSessionTicket, ChangeCipherSpec, Finished. Returns the client and that flight.
fn full_handshake_to_last_flight() -> (Session, Session, Vec<u8>) {
    let clock = clock();
    let sctx = server_ctx(&clock, 0);
    let cctx = client_ctx();
    let (mut c, mut s) = new_pair(&cctx, &sctx, 0, None, None);
    let mut evs = Vec::new();
    for _ in 0..2 {
        pump(&mut c, &mut s, usize::MAX);
        let flight = take_out(&mut s, usize::MAX, &mut evs);
        if record_types(&flight) == [22, 20, 22] {
            return (c, s, flight);
        }
        feed(&mut c, &flight, usize::MAX, &mut evs);
    }
    panic!("no NewSessionTicket flight");
}

/// The fatal alert `c` sends after `bytes`, as the server `s` (which holds the client's
/// write keys by then) reads it.
fn alert_after(c: &mut Session, s: &mut Session, bytes: &[u8]) -> Option<AlertDescription> {
    let mut evs = Vec::new();
    feed(c, bytes, usize::MAX, &mut evs);
    let out = take_out(c, usize::MAX, &mut evs);
    let mut sev = Vec::new();
    feed(s, &out, usize::MAX, &mut sev);
    sev.into_iter().find_map(|e| match e {
        Ev::Alert(AlertLevel::Fatal, d) => Some(d),
        _ => None,
    })
}

#[test]
fn the_client_checks_the_new_session_ticket_message() {
    let (_, _, flight) = full_handshake_to_last_flight();
    let rec_len = u16::from_be_bytes([flight[3], flight[4]]) as usize;
    let first = flight[..5 + rec_len].to_vec();
    let rest = flight[5 + rec_len..].to_vec();
    let record = |body: &[u8]| {
        let mut r = vec![22, flight[1], flight[2]];
        r.extend_from_slice(&(body.len() as u16).to_be_bytes());
        r.extend_from_slice(body);
        r
    };
    // Malformed: a ticket length past the message, trailing bytes, a short lifetime.
    for body in [
        &[4, 0, 0, 8, 0, 0, 0, 1, 0, 9, 1, 2][..],
        &[4, 0, 0, 7, 0, 0, 0, 1, 0, 0, 7][..],
        &[4, 0, 0, 3, 0, 0, 0][..],
    ] {
        let (mut c, mut s, _) = full_handshake_to_last_flight();
        let mut bytes = record(body);
        bytes.extend_from_slice(&rest);
        assert_eq!(
            alert_after(&mut c, &mut s, &bytes),
            Some(AlertDescription::DecodeError),
            "{body:?}"
        );
    }
    // Missing: the CCS comes without the announced NewSessionTicket.
    let (mut c, mut s, _) = full_handshake_to_last_flight();
    assert_eq!(
        alert_after(&mut c, &mut s, &rest),
        Some(AlertDescription::UnexpectedMessage)
    );
    // Twice: the second is unexpected.
    let (mut c, mut s, _) = full_handshake_to_last_flight();
    let mut twice = first.clone();
    twice.extend_from_slice(&first);
    assert_eq!(
        alert_after(&mut c, &mut s, &twice),
        Some(AlertDescription::UnexpectedMessage)
    );
    // The genuine flight completes the handshake, and the ticket is kept.
    let (mut c, _, flight) = full_handshake_to_last_flight();
    let mut evs = Vec::new();
    feed(&mut c, &flight, usize::MAX, &mut evs);
    assert!(c.is_handshake_complete(), "{evs:?}");
    assert!(!c.session_id().unwrap().ticket().is_empty());
}

#[test]
fn an_unannounced_new_session_ticket_is_unexpected() {
    // A server that issues no ticket; the client asked. A NewSessionTicket injected
    // before the server's CCS is unexpected_message.
    let cctx = client_ctx();
    let sctx = ctx();
    let (mut c, mut s) = new_pair(&cctx, &sctx, 0, None, None);
    let mut evs = Vec::new();
    for _ in 0..2 {
        pump(&mut c, &mut s, usize::MAX);
        let flight = take_out(&mut s, usize::MAX, &mut evs);
        if record_types(&flight) == [20, 22] {
            let mut bad = vec![22, flight[1], flight[2], 0, 10];
            bad.extend_from_slice(&[4, 0, 0, 6, 0, 0, 0, 1, 0, 0]);
            bad.extend_from_slice(&flight);
            assert_eq!(
                alert_after(&mut c, &mut s, &bad),
                Some(AlertDescription::UnexpectedMessage)
            );
            return;
        }
        feed(&mut c, &flight, usize::MAX, &mut evs);
    }
    panic!("no final flight");
}

#[test]
fn ticket_key_api_return_codes() {
    let sctx = ctx();
    assert_eq!(
        sctx.load_session_ticket_keys(&NAME_A, &[0; 24], &[0; 32]),
        Err(Error::ArgFail)
    );
    assert_eq!(
        sctx.load_session_ticket_keys(&NAME_A, &[0; 16], &[0; 16]),
        Err(Error::ArgFail)
    );
    sctx.load_session_ticket_keys(&NAME_A, &[0; 16], &[0; 32])
        .unwrap();
    assert_eq!(
        sctx.load_session_ticket_keys(&NAME_A, &[0; 32], &[0; 32]),
        Err(Error::ArgFail)
    );
    for i in 1..matrix_ssl::MAX_TICKET_KEYS {
        sctx.load_session_ticket_keys(&[i as u8; 16], &[0; 16], &[0; 32])
            .unwrap();
    }
    assert_eq!(
        sctx.load_session_ticket_keys(&[0xee; 16], &[0; 16], &[0; 32]),
        Err(Error::LimitFail)
    );
    assert_eq!(
        sctx.delete_session_ticket_key(&[0xee; 16]),
        Err(Error::Failure)
    );
    sctx.delete_session_ticket_key(&NAME_A).unwrap();
    assert_eq!(
        SessionId::new().with_ticket(&vec![0; 70_000], 0).err(),
        Some(Error::ArgFail)
    );
}
