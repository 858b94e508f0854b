//! A simulated datagram network between in-memory DTLS peers, driven only through the
//! public buffer API, the way an application over UDP drives them: after every event the
//! peer sends what `get_outdata` holds until it returns nothing; a retransmission timeout
//! is one more `get_outdata` call.
//!
//! The network is seeded and reproducible: each datagram is lost with probability `loss`,
//! duplicated with probability `dup`, and delayed by 0 to `max_delay` ticks, which
//! reorders datagrams sent close together.
#![allow(dead_code)]

use std::sync::Arc;

use matrix_dtls::{DtlsContext, DtlsSession};
use matrix_ssl::{AlertDescription, AlertLevel, Config, Keys, ProtocolVersion, Received, Sent};

pub const PSK_ID: &[u8] = b"dtls-client";
pub const PSK: &[u8] = &[0x5a; 20];
pub const CLIENT_ADDR: &[u8] = b"127.0.0.1:50000";

pub fn read(rel: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../testkeys/{rel}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// A context with both DTLS versions (`Config::dtls()`): DTLS 1.2 between two of them.
pub fn ctx() -> DtlsContext {
    open(Config::dtls())
}

/// A context speaking only `v`.
pub fn ctx_for(v: ProtocolVersion) -> DtlsContext {
    let mut c = Config::dtls();
    c.min_version = v;
    c.max_version = v;
    open(c)
}

fn open(mut c: Config) -> DtlsContext {
    // Some tests inspect the peer's chain after the handshake.
    c.keep_peer_certificates = true;
    matrix_dtls::open(c).unwrap()
}

/// The rsa2048 server chain and key, and the PSK.
pub fn server_keys() -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_rsa_keys_mem(
        Some(&read("rsa2048/server-chain.pem")),
        Some(&read("rsa2048/server.key")),
        None,
    )
    .unwrap();
    k.load_psk(PSK_ID, PSK).unwrap();
    Arc::new(k)
}

/// The rsa2048 root CA, and the PSK.
pub fn client_keys() -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_rsa_keys_mem(None, None, Some(&read("rsa2048/ca.der")))
        .unwrap();
    k.load_psk(PSK_ID, PSK).unwrap();
    Arc::new(k)
}

/// splitmix64: a small seeded generator for the network's decisions.
#[derive(Clone, Debug)]
pub struct SimRng(u64);

impl SimRng {
    pub fn new(seed: u64) -> Self {
        SimRng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        ((self.next_u64() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }
}

/// What a peer saw, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ev {
    Complete,
    SentComplete,
    SentClose,
    Alert(AlertLevel, AlertDescription),
    AppData(Vec<u8>),
    Error(matrix_ssl::Error),
}

/// One direction of the network.
#[derive(Debug, Default)]
pub struct Link {
    /// (tick at which it arrives, datagram)
    queue: Vec<(u64, Vec<u8>)>,
    pub sent: usize,
    pub lost: usize,
    pub duplicated: usize,
    /// Every datagram sent, before loss.
    pub log: Vec<Vec<u8>>,
    /// The first datagram this matches is lost (then the test is forgotten).
    pub drop_once: Option<fn(&[u8]) -> bool>,
}

#[derive(Clone, Copy, Debug)]
pub struct NetParams {
    pub loss: f64,
    pub dup: f64,
    pub max_delay: u64,
}

impl NetParams {
    pub const LOSSLESS: NetParams = NetParams {
        loss: 0.0,
        dup: 0.0,
        max_delay: 0,
    };
    pub fn lossy(loss: f64) -> Self {
        NetParams {
            loss,
            dup: 0.1,
            max_delay: 3,
        }
    }
}

impl Link {
    pub fn send(&mut self, dg: Vec<u8>, now: u64, p: NetParams, rng: &mut SimRng) {
        self.sent += 1;
        self.log.push(dg.clone());
        if self.drop_once.is_some_and(|f| f(&dg)) {
            self.drop_once = None;
            self.lost += 1;
            return;
        }
        let copies = if rng.chance(p.dup) {
            self.duplicated += 1;
            2
        } else {
            1
        };
        for _ in 0..copies {
            if rng.chance(p.loss) {
                self.lost += 1;
                continue;
            }
            let at = now + 1 + rng.below(p.max_delay + 1);
            self.queue.push((at, dg.clone()));
        }
    }

    /// The datagrams due by `now`, in arrival order.
    pub fn due(&mut self, now: u64, rng: &mut SimRng) -> Vec<Vec<u8>> {
        let _ = rng;
        let mut due: Vec<(u64, Vec<u8>)> = Vec::new();
        let mut keep = Vec::new();
        for (at, dg) in self.queue.drain(..) {
            if at <= now {
                due.push((at, dg));
            } else {
                keep.push((at, dg));
            }
        }
        self.queue = keep;
        // Stable: datagrams with the same delay keep their sending order, so only
        // different delays reorder (and a lossless link with no delay is in order).
        due.sort_by_key(|(at, _)| *at);
        due.into_iter().map(|(_, d)| d).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.queue.is_empty()
    }

    /// Loses everything in flight; returns how many datagrams that was.
    pub fn clear(&mut self) -> usize {
        let n = self.queue.len();
        self.queue.clear();
        n
    }
}

/// Sends everything `get_outdata` holds (until it returns nothing), checking each
/// datagram against the PMTU.
pub fn drain(s: &mut DtlsSession, ev: &mut Vec<Ev>) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let pmtu = s.context().pmtu();
    loop {
        let d = s.get_outdata();
        if d.is_empty() {
            break;
        }
        assert!(
            d.len() <= pmtu,
            "datagram of {} bytes over the PMTU {pmtu}",
            d.len()
        );
        let d = d.to_vec();
        match s.sent_data(d.len()).unwrap() {
            Sent::HandshakeComplete => ev.push(Ev::Complete),
            Sent::RequestClose => ev.push(Ev::SentClose),
            _ => {}
        }
        out.push(d);
        assert!(out.len() < 10_000, "get_outdata never ends");
    }
    out
}

/// Hands one datagram to the session and collects its events.
pub fn feed(s: &mut DtlsSession, dg: &[u8], ev: &mut Vec<Ev>) {
    let buf = s.get_readbuf();
    let n = dg.len().min(buf.len());
    buf[..n].copy_from_slice(&dg[..n]);
    if n == 0 {
        return;
    }
    let mut r = s.received_data(n);
    loop {
        match r {
            Ok(Received::AppData(d)) => {
                ev.push(Ev::AppData(d.to_vec()));
                r = s.processed_data();
            }
            Ok(Received::Alert { level, description }) => {
                ev.push(Ev::Alert(level, description));
                r = s.processed_data();
            }
            Ok(Received::HandshakeComplete) => {
                ev.push(Ev::Complete);
                break;
            }
            Ok(_) => break,
            Err(e) => {
                ev.push(Ev::Error(e));
                break;
            }
        }
    }
}

/// A client and a server over two links.
pub struct Pair {
    pub client: DtlsSession,
    pub server: DtlsSession,
    pub cev: Vec<Ev>,
    pub sev: Vec<Ev>,
    pub c2s: Link,
    pub s2c: Link,
    pub params: NetParams,
    pub rng: SimRng,
    pub now: u64,
    pub timeouts: usize,
}

impl Pair {
    pub fn new(client: DtlsSession, server: DtlsSession, params: NetParams, seed: u64) -> Self {
        Pair {
            client,
            server,
            cev: Vec::new(),
            sev: Vec::new(),
            c2s: Link::default(),
            s2c: Link::default(),
            params,
            rng: SimRng::new(seed),
            now: 0,
            timeouts: 0,
        }
    }

    /// One tick: deliver what is due, let both sides answer; when nothing is in flight,
    /// both sides' timers expire (one more `get_outdata`).
    pub fn tick(&mut self) {
        self.now += 1;
        let to_server = self.c2s.due(self.now, &mut self.rng);
        let to_client = self.s2c.due(self.now, &mut self.rng);
        let idle = to_server.is_empty()
            && to_client.is_empty()
            && self.c2s.is_empty()
            && self.s2c.is_empty();
        if idle {
            self.timeouts += 1;
        }
        for dg in &to_server {
            feed(&mut self.server, dg, &mut self.sev);
        }
        for dg in &to_client {
            feed(&mut self.client, dg, &mut self.cev);
        }
        // A peer sends after it received something, or when its timer expires (nothing
        // in flight any more): only then does it call get_outdata.
        if idle || !to_client.is_empty() || self.client.has_outdata() {
            self.send_client();
        }
        if idle || !to_server.is_empty() || self.server.has_outdata() {
            self.send_server();
        }
    }

    pub fn send_client(&mut self) {
        for dg in drain(&mut self.client, &mut self.cev) {
            self.c2s.send(dg, self.now, self.params, &mut self.rng);
        }
    }

    pub fn send_server(&mut self) {
        for dg in drain(&mut self.server, &mut self.sev) {
            self.s2c.send(dg, self.now, self.params, &mut self.rng);
        }
    }

    /// Ticks until both handshakes completed; panics after `max` ticks.
    pub fn handshake(&mut self, max: u64) {
        self.send_client();
        while !(self.client.is_handshake_complete() && self.server.is_handshake_complete()) {
            assert!(
                self.now < max,
                "no handshake after {max} ticks: {:?} {:?}",
                self.cev,
                self.sev
            );
            assert!(
                !self
                    .cev
                    .iter()
                    .any(|e| matches!(e, Ev::Alert(..) | Ev::Error(_))),
                "client: {:?}",
                self.cev
            );
            assert!(
                !self
                    .sev
                    .iter()
                    .any(|e| matches!(e, Ev::Alert(..) | Ev::Error(_))),
                "server: {:?}",
                self.sev
            );
            self.tick();
        }
    }
}

/// The client sends "ping" until the server has it, the server "pong" until the client
/// has it (application data over DTLS is not retransmitted, so it retries).
pub fn exchange_one_message(p: &mut Pair) {
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
