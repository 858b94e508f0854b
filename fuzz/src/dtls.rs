//! The DTLS harnesses: a `matrix_dtls::DtlsSession` fed arbitrary datagrams, as a server
//! (before and after its stateless cookie exchange) and as a client (before and after the
//! HelloVerifyRequest). The input is a list of datagrams, each a 2-byte length and its
//! bytes; byte 0 says whether a real peer first takes the session past the cookie
//! exchange, so the fuzzer reaches the handshake proper without a recorded corpus.
//!
//! Checked on every input: no panic, every datagram within the PMTU, the reassembler
//! within its bound, and `get_outdata` ending.

use std::sync::Arc;

use matrix_core::osdep::ManualClock;
use matrix_dtls::fragment::ReassemblyLimits;
use matrix_dtls::{DtlsContext, DtlsSession};
use matrix_ssl::{Config, Received, Sent};

use crate::{
    CLIENT_SEED, Digest, FIXED_TIME_MS, FixedEntropy, SERVER_SEED, client_keys, server_keys,
};

const PEER_ADDR: &[u8] = b"192.0.2.1:4433";

fn dtls_context(seed: u64) -> Option<DtlsContext> {
    let ctx = matrix_ssl::open_with(
        Config::dtls(),
        Box::new(FixedEntropy::new(seed)),
        Arc::new(ManualClock::new(FIXED_TIME_MS)),
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

/// A DTLS server session fed arbitrary datagrams (byte 0 odd: after a real client's
/// cookie exchange).
pub fn dtls_server_session(data: &[u8]) -> u64 {
    let mut d = Digest::new();
    let Some((mode, rest)) = data.split_first() else {
        return 0;
    };
    let (Some(sctx), Some(cctx), Some(skeys), Some(ckeys)) = (
        dtls_context(SERVER_SEED),
        dtls_context(CLIENT_SEED),
        server_keys(),
        client_keys(),
    ) else {
        return 0;
    };
    let Ok(mut s) = sctx.new_server_session(skeys, None, PEER_ADDR) else {
        return 0;
    };
    if mode & 1 == 1 {
        let Ok(mut c) = cctx.new_client_session(ckeys, None, 0, None, None) else {
            return 0;
        };
        cookie_exchange(&mut c, &mut s, &mut d);
        take_all(&mut s, &mut d);
    }
    for dg in datagrams(rest) {
        feed(&mut s, dg, &mut d);
        take_all(&mut s, &mut d);
    }
    d.0
}

/// A DTLS client session fed arbitrary datagrams (byte 0 odd: after a real server's
/// HelloVerifyRequest, waiting for the server's flight).
pub fn dtls_client_session(data: &[u8]) -> u64 {
    let mut d = Digest::new();
    let Some((mode, rest)) = data.split_first() else {
        return 0;
    };
    let (Some(sctx), Some(cctx), Some(skeys), Some(ckeys)) = (
        dtls_context(SERVER_SEED),
        dtls_context(CLIENT_SEED),
        server_keys(),
        client_keys(),
    ) else {
        return 0;
    };
    let Ok(mut c) = cctx.new_client_session(ckeys, None, 0, None, None) else {
        return 0;
    };
    if mode & 1 == 1 {
        let Ok(mut s) = sctx.new_server_session(skeys, None, PEER_ADDR) else {
            return 0;
        };
        cookie_exchange(&mut c, &mut s, &mut d);
    }
    take_all(&mut c, &mut d);
    for dg in datagrams(rest) {
        feed(&mut c, dg, &mut d);
        take_all(&mut c, &mut d);
    }
    d.0
}
