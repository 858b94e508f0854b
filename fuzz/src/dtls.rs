//! The DTLS harnesses: a `matrix_dtls::DtlsSession` fed arbitrary datagrams, as a server
//! (before and after its stateless cookie exchange) and as a client (before and after the
//! HelloVerifyRequest). The input is a list of datagrams, each a 2-byte length and its
//! bytes; byte 0 is the mode: bit 0 says whether a real peer first takes the session past
//! the cookie exchange, so the fuzzer reaches the handshake proper without a recorded
//! corpus; bit 1 limits both ends to DTLS 1.0 (else they speak DTLS 1.0 and 1.2, and
//! negotiate DTLS 1.2 with its AES-GCM records).
//!
//! [`record_dtls`] records a whole handshake, application data and close_notify from a
//! real peer after the cookie exchange, as such an input: the seeds `dtls10-handshake` and
//! `dtls12-handshake` take the fuzzed session through a complete handshake of each version
//! (`tests/replay.rs` checks that they do).
//!
//! Checked on every input: no panic, every datagram within the PMTU, the reassembler
//! within its bound, and `get_outdata` ending.


use matrix_core::osdep::ManualClock;
use matrix_dtls::fragment::ReassemblyLimits;
use matrix_dtls::{DtlsContext, DtlsSession};
use matrix_ssl::{Config, ProtocolVersion, Received, Sent};

use crate::{
    CLIENT_SEED, Digest, FIXED_TIME_MS, FixedEntropy, SERVER_SEED, client_keys, server_keys,
};

const PEER_ADDR: &[u8] = b"192.0.2.1:4433";

/// Mode bit 0: a real peer takes the session past the cookie exchange first.
const AFTER_COOKIE: u8 = 1;
/// Mode bit 1: both ends speak DTLS 1.0 only.
const DTLS10_ONLY: u8 = 2;

fn dtls_context(seed: u64, mode: u8) -> Option<DtlsContext> {
    let mut config = Config::dtls();
    if mode & DTLS10_ONLY != 0 {
        config.max_version = ProtocolVersion::DTLSv1_0;
    }
    let ctx = matrix_ssl::open_with(
        config,
        Box::new(FixedEntropy::new(seed)),
        Box::new(ManualClock::new(FIXED_TIME_MS)),
    )
    .ok()?;
    DtlsContext::from_context(ctx).ok()
}

/// Everything the session sends, then one more `get_outdata` (a timeout).
fn take_all(s: &mut DtlsSession, d: &mut Digest) -> Vec<Vec<u8>> {
    let pmtu = s.context().pmtu();
    let mut out = Vec::new();
    for _ in 0..2 {
        for _ in 0..10_000 {
            let dg = s.get_outdata();
            if dg.is_empty() {
                break;
            }
            assert!(dg.len() <= pmtu, "datagram over the PMTU");
            let dg = dg.to_vec();
            match s.sent_data(dg.len()) {
                Ok(Sent::HandshakeComplete) => d.add(0x700),
                Ok(Sent::RequestClose) => d.add(0x701),
                Ok(_) => {}
                Err(e) => d.add_err(e),
            }
            out.push(dg);
        }
        assert!(!s.has_outdata(), "get_outdata does not end");
    }
    out
}

fn feed(s: &mut DtlsSession, dg: &[u8], d: &mut Digest) {
    let buf = s.get_readbuf();
    let n = dg.len().min(buf.len());
    if n == 0 {
        return;
    }
    buf[..n].copy_from_slice(&dg[..n]);
    let mut r = s.received_data(n);
    // Each event consumes a record of 13 bytes at least.
    for _ in 0..n / 13 + 4 {
        match r {
            Ok(Received::AppData(data)) => {
                d.add(0x710 + data.len() as u64);
                r = s.processed_data();
            }
            Ok(Received::Alert { level, description }) => {
                d.add(0x720 + u64::from(level.get()) * 256 + u64::from(description.get()));
                r = s.processed_data();
            }
            Ok(other) => {
                d.add(0x730 + u64::try_from(other.code()).unwrap_or(0));
                break;
            }
            Err(e) => {
                d.add_err(e);
                break;
            }
        }
    }
    assert!(
        s.handshake_bytes_buffered() <= ReassemblyLimits::MAX_BUFFERED,
        "reassembly over its bound"
    );
}

fn datagrams(mut data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    while let [hi, lo, rest @ ..] = data {
        let n = (usize::from(*hi) << 8 | usize::from(*lo)).min(rest.len());
        let (dg, later) = rest.split_at(n);
        out.push(dg);
        data = later;
    }
    out
}

/// Runs the real cookie exchange between `client` and `server` until the server has
/// handshake state (the client's second ClientHello verified).
fn cookie_exchange(client: &mut DtlsSession, server: &mut DtlsSession, d: &mut Digest) {
    for _ in 0..3 {
        for dg in take_all(client, d) {
            feed(server, &dg, d);
        }
        if server.handshake_started() {
            return;
        }
        for dg in take_all(server, d) {
            feed(client, &dg, d);
        }
    }
}

/// A DTLS server session fed arbitrary datagrams (mode bit 0: after a real client's
/// cookie exchange; bit 1: DTLS 1.0 only).
pub fn dtls_server_session(data: &[u8]) -> u64 {
    run_server(data).map_or(0, |(_, d)| d.0)
}

fn run_server(data: &[u8]) -> Option<(DtlsSession, Digest)> {
    let mut d = Digest::new();
    let (mode, rest) = data.split_first()?;
    let sctx = dtls_context(SERVER_SEED, *mode)?;
    let mut s = sctx
        .new_server_session(server_keys()?, None, PEER_ADDR)
        .ok()?;
    if mode & AFTER_COOKIE != 0 {
        let cctx = dtls_context(CLIENT_SEED, *mode)?;
        let mut c = cctx
            .new_client_session(client_keys()?, None, 0, None, None)
            .ok()?;
        cookie_exchange(&mut c, &mut s, &mut d);
        take_all(&mut s, &mut d);
    }
    for dg in datagrams(rest) {
        feed(&mut s, dg, &mut d);
        take_all(&mut s, &mut d);
    }
    Some((s, d))
}

/// A DTLS client session fed arbitrary datagrams (mode bit 0: after a real server's
/// HelloVerifyRequest, waiting for the server's flight; bit 1: DTLS 1.0 only).
pub fn dtls_client_session(data: &[u8]) -> u64 {
    run_client(data).map_or(0, |(_, d)| d.0)
}

fn run_client(data: &[u8]) -> Option<(DtlsSession, Digest)> {
    let mut d = Digest::new();
    let (mode, rest) = data.split_first()?;
    let cctx = dtls_context(CLIENT_SEED, *mode)?;
    let mut c = cctx
        .new_client_session(client_keys()?, None, 0, None, None)
        .ok()?;
    if mode & AFTER_COOKIE != 0 {
        let sctx = dtls_context(SERVER_SEED, *mode)?;
        let mut s = sctx
            .new_server_session(server_keys()?, None, PEER_ADDR)
            .ok()?;
        cookie_exchange(&mut c, &mut s, &mut d);
    }
    take_all(&mut c, &mut d);
    for dg in datagrams(rest) {
        feed(&mut c, dg, &mut d);
        take_all(&mut c, &mut d);
    }
    Some((c, d))
}

/// A fresh session of the server harness (`server`) or the client harness for `mode`
/// (bit 1: DTLS 1.0 only; bit 0 is the harness's own cookie exchange, which a recording
/// from a real peer does not use): the session `src/bin/gen_corpus_peers.rs` drives
/// against a peer, so that the peer's datagrams replay against the harness.
pub fn harness_session(server: bool, mode: u8) -> Option<DtlsSession> {
    if server {
        dtls_context(SERVER_SEED, mode)?
            .new_server_session(server_keys()?, None, PEER_ADDR)
            .ok()
    } else {
        dtls_context(CLIENT_SEED, mode)?
            .new_client_session(client_keys()?, None, 0, None, None)
            .ok()
    }
}

/// What the harnesses do with each input datagram, for a live peer: `dg` (if any) goes to
/// the session, then everything it sends (with one more `get_outdata`: a timeout) is
/// returned. A client harness starts with `harness_step(c, None)`.
pub fn harness_step(s: &mut DtlsSession, dg: Option<&[u8]>) -> Vec<Vec<u8>> {
    let mut d = Digest::new();
    if let Some(dg) = dg {
        feed(s, dg, &mut d);
    }
    take_all(s, &mut d)
}

/// A harness input: the mode byte, then each datagram behind its 2-byte length.
pub fn harness_input(mode: u8, datagrams: &[Vec<u8>]) -> Vec<u8> {
    let mut seed = vec![mode];
    for dg in datagrams {
        push_datagram(&mut seed, dg);
    }
    seed
}

/// What a fuzzed session reached on an input: whether its handshake completed, and the
/// version it negotiated (for the replay tests of the recorded seeds).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DtlsReplay {
    /// The handshake completed.
    pub complete: bool,
    /// The session's version.
    pub version: ProtocolVersion,
}

/// Runs the server harness on `data` and says what the session reached.
pub fn replay_dtls_server(data: &[u8]) -> Option<DtlsReplay> {
    run_server(data).map(|(s, _)| DtlsReplay {
        complete: s.is_handshake_complete(),
        version: s.protocol_version(),
    })
}

/// Runs the client harness on `data` and says what the session reached.
pub fn replay_dtls_client(data: &[u8]) -> Option<DtlsReplay> {
    run_client(data).map(|(c, _)| DtlsReplay {
        complete: c.is_handshake_complete(),
        version: c.protocol_version(),
    })
}

/// Appends `dg` to a harness input: its 2-byte length, then its bytes.
fn push_datagram(seed: &mut Vec<u8>, dg: &[u8]) {
    let n = u16::try_from(dg.len()).unwrap_or(u16::MAX);
    seed.extend_from_slice(&n.to_be_bytes());
    seed.extend_from_slice(dg.get(..usize::from(n)).unwrap_or_default());
}

/// Records a full handshake between the harnesses' own client and server (deterministic:
/// the same contexts, keys and cookie exchange), then `app_data` and close_notify from
/// each: returns the inputs (mode byte, then datagrams) that drive a fresh server harness
/// with the client's datagrams, and a fresh client harness with the server's, through the
/// same conversation. `dtls10` limits both to DTLS 1.0. `None` if the handshake does not
/// complete.
pub fn record_dtls(dtls10: bool, app_data: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let mode = AFTER_COOKIE | if dtls10 { DTLS10_ONLY } else { 0 };
    let mut d = Digest::new();
    let cctx = dtls_context(CLIENT_SEED, mode)?;
    let sctx = dtls_context(SERVER_SEED, mode)?;
    let mut c = cctx
        .new_client_session(client_keys()?, None, 0, None, None)
        .ok()?;
    let mut s = sctx
        .new_server_session(server_keys()?, None, PEER_ADDR)
        .ok()?;
    cookie_exchange(&mut c, &mut s, &mut d);
    let (mut to_server, mut to_client) = (vec![mode], vec![mode]);
    // The harnesses: the server takes its flight after the exchange, the client has sent
    // its second ClientHello.
    let mut from_server = take_all(&mut s, &mut d);
    take_all(&mut c, &mut d);
    let mut sent_data = false;
    for _ in 0..8 {
        let mut from_client = Vec::new();
        for dg in from_server.drain(..) {
            push_datagram(&mut to_client, &dg);
            feed(&mut c, &dg, &mut d);
            from_client.extend(take_all(&mut c, &mut d));
        }
        if c.is_handshake_complete() && s.is_handshake_complete() && !sent_data {
            sent_data = true;
            c.encode_to_outdata(app_data).ok()?;
            c.encode_closure_alert().ok()?;
            from_client.extend(take_all(&mut c, &mut d));
            s.encode_to_outdata(app_data).ok()?;
            s.encode_closure_alert().ok()?;
            from_server.extend(take_all(&mut s, &mut d));
        }
        for dg in from_client {
            push_datagram(&mut to_server, &dg);
            feed(&mut s, &dg, &mut d);
            from_server.extend(take_all(&mut s, &mut d));
        }
        if sent_data && from_server.is_empty() {
            break;
        }
    }
    (c.is_handshake_complete() && s.is_handshake_complete()).then_some((to_server, to_client))
}
