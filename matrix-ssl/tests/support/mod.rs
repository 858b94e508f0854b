//! In-memory client/server pairs driven through the public buffer API only.
#![allow(dead_code)]

use std::sync::Arc;

use matrix_ssl::{
    AlertDescription, AlertLevel, CertValidator, Config, Context, Keys, Received, Sent, Session,
    SessionId,
};

pub fn testkeys(rel: &str) -> String {
    format!("{}/../testkeys/{rel}", env!("CARGO_MANIFEST_DIR"))
}

pub fn read(rel: &str) -> Vec<u8> {
    std::fs::read(testkeys(rel)).unwrap()
}

/// A context with the defaults, except that sessions keep the peer's chain for the
/// tests that inspect it (`Config::keep_peer_certificates`; `memory_usage.rs` tests the
/// default, which frees it).
pub fn ctx() -> Context {
    ctx_with(|_| {})
}

pub fn ctx_with(f: impl FnOnce(&mut Config)) -> Context {
    let mut c = Config::default();
    c.keep_peer_certificates = true;
    f(&mut c);
    matrix_ssl::open(c).unwrap()
}

/// The rsa2048 server chain and key, from PEM in memory.
pub fn server_keys() -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_rsa_keys_mem(
        Some(&read("rsa2048/server-chain.pem")),
        Some(&read("rsa2048/server.key")),
        None,
    )
    .unwrap();
    Arc::new(k)
}

/// The rsa2048 root CA.
pub fn client_keys() -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_rsa_keys_mem(None, None, Some(&read("rsa2048/ca.der")))
        .unwrap();
    Arc::new(k)
}

/// What one side saw, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ev {
    RequestSend,
    RequestRecv,
    Complete,
    Alert(AlertLevel, AlertDescription),
    AppData(Vec<u8>),
    Success,
    SentComplete,
    SentClose,
}

pub fn to_ev(r: Received<'_>) -> Ev {
    match r {
        Received::RequestSend => Ev::RequestSend,
        Received::RequestRecv => Ev::RequestRecv,
        Received::HandshakeComplete => Ev::Complete,
        Received::Alert { level, description } => Ev::Alert(level, description),
        Received::AppData(d) => Ev::AppData(d.to_vec()),
        Received::Success => Ev::Success,
        _ => unreachable!(),
    }
}

/// Records `first` and every record that follows it in the buffer.
pub fn drain(s: &mut Session, first: Ev, evs: &mut Vec<Ev>) {
    let mut ev = first;
    loop {
        let more = matches!(ev, Ev::AppData(_) | Ev::Alert(..));
        evs.push(ev);
        if !more {
            return;
        }
        ev = to_ev(s.processed_data().expect("processed_data failed"));
    }
}

/// Feeds `bytes` to `to` in chunks of at most `chunk`, collecting what it says.
pub fn feed(to: &mut Session, mut bytes: &[u8], chunk: usize, evs: &mut Vec<Ev>) {
    while !bytes.is_empty() {
        let buf = to.get_readbuf();
        assert!(!buf.is_empty(), "empty read buffer");
        let n = buf.len().min(chunk).min(bytes.len());
        buf[..n].copy_from_slice(&bytes[..n]);
        bytes = &bytes[n..];
        let r = to_ev(to.received_data(n).expect("received_data failed"));
        drain(to, r, evs);
    }
}

/// Takes everything `from` has to send, in pieces of at most `send_chunk` bytes.
pub fn take_out(from: &mut Session, send_chunk: usize, evs: &mut Vec<Ev>) -> Vec<u8> {
    let mut all = Vec::new();
    loop {
        let out = from.get_outdata();
        if out.is_empty() {
            return all;
        }
        let n = out.len().min(send_chunk);
        all.extend_from_slice(&out[..n]);
        match from.sent_data(n).unwrap() {
            Sent::RequestSend => {}
            Sent::Success => {}
            Sent::HandshakeComplete => evs.push(Ev::SentComplete),
            Sent::RequestClose => evs.push(Ev::SentClose),
            _ => unreachable!(),
        }
    }
}

/// Moves `from`'s pending bytes to `to`.
pub fn pump(from: &mut Session, to: &mut Session, chunk: usize) -> (Vec<Ev>, Vec<Ev>) {
    let mut fe = Vec::new();
    let mut te = Vec::new();
    let bytes = take_out(from, chunk, &mut fe);
    feed(to, &bytes, chunk, &mut te);
    (fe, te)
}

/// Runs the handshake to completion on both sides; returns each side's events.
pub fn handshake(c: &mut Session, s: &mut Session, chunk: usize) -> (Vec<Ev>, Vec<Ev>) {
    let mut ce = Vec::new();
    let mut se = Vec::new();
    for _ in 0..10 {
        let (a, b) = pump(c, s, chunk);
        ce.extend(a);
        se.extend(b);
        let (a, b) = pump(s, c, chunk);
        se.extend(a);
        ce.extend(b);
        if c.is_handshake_complete()
            && s.is_handshake_complete()
            && c.get_outdata().is_empty()
            && s.get_outdata().is_empty()
        {
            return (ce, se);
        }
    }
    let tail = |v: &[Ev]| v[v.len().saturating_sub(4)..].to_vec();
    panic!(
        "handshake did not complete: client ..{:?} server ..{:?}",
        tail(&ce),
        tail(&se)
    );
}

pub fn new_pair(
    cctx: &Context,
    sctx: &Context,
    suite: u16,
    sid: Option<&SessionId>,
    validator: Option<CertValidator>,
) -> (Session, Session) {
    let c = cctx
        .new_client_session(client_keys(), sid, suite, validator, None)
        .unwrap();
    let s = sctx.new_server_session(server_keys(), None).unwrap();
    (c, s)
}

/// Sends `data` from `a` to `b` with encode_to_outdata, checking every byte arrives.
pub fn send_all(a: &mut Session, b: &mut Session, data: &[u8], chunk: usize) {
    let mut got = Vec::new();
    for piece in data.chunks(16384) {
        a.encode_to_outdata(piece).unwrap();
        let (_, evs) = pump(a, b, chunk);
        for e in evs {
            match e {
                Ev::AppData(d) => got.extend(d),
                Ev::Success | Ev::RequestRecv => {}
                other => panic!("unexpected {other:?}"),
            }
        }
    }
    assert_eq!(got.len(), data.len());
    assert!(got == data, "data corrupted");
}

/// A deterministic test pattern.
pub fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 + i / 251) as u8).collect()
}
