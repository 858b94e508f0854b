//! Padding-oracle statistics for our server's RSA key exchange (Bleichenbacher, ROBOT):
//! prints what a client can observe (the alert, the message it answers, whether the
//! connection closes) and how long the server takes, for each class of ClientKeyExchange:
//!
//! - `bad-padding`: a random ciphertext (PKCS#1 v1.5 padding invalid);
//! - `wrong-version`: valid padding, premaster version not the offered one;
//! - `wrong-length`: valid padding, a 47-byte premaster;
//! - `valid-unknown`: valid padding and version, but a premaster the Finished does not use
//!   (what an attacker's "correct padding" probe looks like: it cannot know the premaster);
//! - `good-bad-finished`: the client knows the premaster and sends a wrong verify_data.
//!
//! The first four must be indistinguishable (RFC 5246 section 7.4.7.1): same alert at the
//! same point, and timings whose distributions overlap. The fifth is a control: the client
//! knows every key, so its different alert (decrypt_error: the Finished decrypts, its
//! verify_data is wrong) reveals nothing about the RSA decryption.
//!
//! A statistics printer, not a test (timings are never asserted, DESIGN.md):
//! `cargo run --release --manifest-path fuzz/Cargo.toml --no-default-features --bin oracle
//! [-- SAMPLES]` (default 2000 per class, interleaved).

#![forbid(unsafe_code)]

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use matrix_crypto::drbg::HmacDrbg;
use matrix_crypto::hash::{Hash, Md5Sha1};
use matrix_crypto::prf::{self, Sender};
use matrix_crypto::random::SecureRandom;
use matrix_crypto::rsa::{RsaPublicKey, encrypt_pkcs1_v15};
use matrix_ssl::codec::handshake::{
    Certificate, ClientHello, ClientKeyExchange, ServerHello, encode_handshake,
};
use matrix_ssl::codec::{Codec, CompressionMethod, ContentType, HandshakeType};
use matrix_ssl::record::{self, Side};
use matrix_ssl::{CipherSuite, Config, Context, Error, Keys, ProtocolVersion, Received, Session};

const CLASSES: [&str; 5] = [
    "bad-padding",
    "wrong-version",
    "wrong-length",
    "valid-unknown",
    "good-bad-finished",
];

fn record(ct: u8, version: u16, body: &[u8]) -> Vec<u8> {
    let mut r = vec![ct];
    r.extend_from_slice(&version.to_be_bytes());
    r.extend_from_slice(&u16::try_from(body.len()).unwrap_or(u16::MAX).to_be_bytes());
    r.extend_from_slice(body);
    r
}

/// What the server did with one flight.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Seen {
    /// What the server queued in answer (and was sent).
    out: Vec<u8>,
    /// The alert in a plaintext alert record, if the answer was one.
    alert: Option<(u8, u8)>,
    /// Whether the session ended (further input refused).
    closed: bool,
}

fn feed(s: &mut Session, bytes: &[u8]) -> Result<Seen, Error> {
    let mut rest = bytes;
    while !rest.is_empty() {
        let buf = s.get_readbuf();
        let n = buf.len().min(rest.len());
        if n == 0 {
            return Err(Error::MemFail);
        }
        let (now, later) = rest.split_at(n);
        for (d, b) in buf.iter_mut().zip(now) {
            *d = *b;
        }
        rest = later;
        let mut r = s.received_data(n)?;
        while matches!(r, Received::Alert { .. } | Received::AppData(_)) {
            r = s.processed_data()?;
        }
    }
    let out = s.get_outdata().to_vec();
    let alert = match out.as_slice() {
        [21, _, _, 0, 2, level, desc] => Some((*level, *desc)),
        _ => None,
    };
    let mut closed = false;
    if !out.is_empty() {
        closed = matches!(s.sent_data(out.len())?, matrix_ssl::Sent::RequestClose);
    }
    Ok(Seen { out, alert, closed })
}

/// The messages of a plaintext flight.
fn messages(flight: &[u8]) -> Vec<Vec<u8>> {
    let mut hs = Vec::new();
    let mut rest = flight;
    while let Some(h) = rest.get(..5) {
        let len = usize::from(u16::from_be_bytes([h[3], h[4]]));
        let Some((rec, tail)) = rest.split_at_checked(5 + len) else {
            break;
        };
        if h[0] == 22 {
            hs.extend_from_slice(rec.get(5..).unwrap_or_default());
        }
        rest = tail;
    }
    let mut out = Vec::new();
    let mut rest = &hs[..];
    while let Some(h) = rest.get(..4) {
        let len = (usize::from(h[1]) << 16) | (usize::from(h[2]) << 8) | usize::from(h[3]);
        let Some((m, tail)) = rest.split_at_checked(4 + len) else {
            break;
        };
        out.push(m.to_vec());
        rest = tail;
    }
    out
}

/// One probe: a server session up to its first flight, and the client's view of it.
struct Probe {
    server: Session,
    client_random: [u8; 32],
    server_random: [u8; 32],
    transcript: Md5Sha1,
}

fn start(
    ctx: &Context,
    keys: &Arc<Keys>,
    version: ProtocolVersion,
    rng: &mut HmacDrbg,
) -> Result<(Probe, RsaPublicKey), Error> {
    let mut server = ctx.new_server_session(Arc::clone(keys), None)?;
    let mut random = [0u8; 32];
    rng.fill_bytes(&mut random)?;
    let ch = ClientHello {
        client_version: version,
        random,
        session_id: vec![],
        cookie: None,
        cipher_suites: vec![
            CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
            CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV,
        ],
        compression_methods: vec![CompressionMethod::Null],
        extensions: None,
    };
    let mut msg = Vec::new();
    encode_handshake(&mut msg, HandshakeType::ClientHello, |o| ch.encode(o));
    let mut transcript = Md5Sha1::new();
    transcript.update(&msg);
    let flight = feed(&mut server, &record(22, 0x0301, &msg))?.out;
    let mut server_random = [0u8; 32];
    let mut key = None;
    for m in messages(&flight) {
        transcript.update(&m);
        let body = m.get(4..).unwrap_or_default();
        match m.first() {
            Some(2) => {
                server_random = ServerHello::read_bytes(body)
                    .map_err(|_| Error::ParseFail)?
                    .random
            }
            Some(11) => {
                let cert = Certificate::read_bytes(body).map_err(|_| Error::ParseFail)?;
                let leaf = matrix_x509::X509Cert::from_der(
                    cert.certificate_list.first().ok_or(Error::ParseFail)?,
                )?;
                if let matrix_x509::PublicKey::Rsa { n, e } = &leaf.public_key {
                    key = Some(RsaPublicKey::new(n, e)?);
                }
            }
            _ => {}
        }
    }
    Ok((
        Probe {
            server,
            client_random: random,
            server_random,
            transcript,
        },
        key.ok_or(Error::ParseFail)?,
    ))
}

/// The ClientKeyExchange ciphertext of a class, and the premaster the client's Finished
/// is computed from.
fn ciphertext(
    class: usize,
    v: ProtocolVersion,
    key: &RsaPublicKey,
    rng: &mut HmacDrbg,
) -> Result<(Vec<u8>, [u8; 48]), Error> {
    let mut pms = [0u8; 48];
    rng.fill_bytes(&mut pms)?;
    pms[..2].copy_from_slice(&v.get().to_be_bytes());
    let ct = match class {
        0 => {
            // Random bytes below the modulus: the padding check fails (but for a chance
            // of about 2^-16 per try, which the server treats the same way anyway).
            let mut c = vec![0u8; key.size()];
            rng.fill_bytes(&mut c)?;
            if let Some(first) = c.first_mut() {
                *first = key.n().iter().find(|b| **b != 0).map_or(0, |b| b / 2);
            }
            c
        }
        1 => {
            let mut wrong = pms;
            wrong[..2].copy_from_slice(&(v.get() ^ 0x0002).to_be_bytes());
            encrypt_pkcs1_v15(key, rng, &wrong)?
        }
        2 => encrypt_pkcs1_v15(key, rng, &pms[..47])?,
        3 => {
            let mut other = [0u8; 48];
            rng.fill_bytes(&mut other)?;
            other[..2].copy_from_slice(&v.get().to_be_bytes());
            encrypt_pkcs1_v15(key, rng, &other)?
        }
        _ => encrypt_pkcs1_v15(key, rng, &pms)?,
    };
    Ok((ct, pms))
}

/// One sample: the observations after the ClientKeyExchange record, after the CCS and
/// after the Finished, and the time the server spent on the ClientKeyExchange and on the
/// whole flight.
struct Sample {
    seen: [Seen; 3],
    cke_ns: u64,
    total_ns: u64,
}

fn run_one(
    ctx: &Context,
    keys: &Arc<Keys>,
    v: ProtocolVersion,
    class: usize,
    rng: &mut HmacDrbg,
) -> Result<Sample, Error> {
    let (mut p, key) = start(ctx, keys, v, rng)?;
    let (ct, pms) = ciphertext(class, v, &key, rng)?;
    let cke = ClientKeyExchange::Rsa {
        encrypted_pre_master_secret: ct,
    };
    let mut msg = Vec::new();
    encode_handshake(&mut msg, HandshakeType::ClientKeyExchange, |o| {
        cke.encode(o, v)
    });
    p.transcript.update(&msg);
    let master = record::master_secret(v, &pms, &p.client_random, &p.server_random);
    let suite = matrix_ssl::suites::lookup(CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA)
        .ok_or(Error::Failure)?;
    let kb = record::key_block(v, suite, &master, &p.client_random, &p.server_random);
    let (mut enc, _) = record::cipher_states(v, suite, &kb, Side::Client)?;
    let mut vd = if v.is_ssl3() {
        prf::ssl3_finished(&master, Sender::Client, &p.transcript).to_vec()
    } else {
        prf::tls_finished(&master, Sender::Client, &p.transcript).to_vec()
    };
    if class == 4
        && let Some(b) = vd.first_mut()
    {
        *b ^= 1;
    }
    let mut fin = Vec::new();
    encode_handshake(&mut fin, HandshakeType::Finished, |o| {
        o.extend_from_slice(&vd)
    });
    let mut frag = Vec::new();
    enc.encrypt(0, ContentType::Handshake, v, &fin, rng, &mut frag)?;
    let cke_rec = record(22, v.get(), &msg);
    let ccs_rec = record(20, v.get(), &[1]);
    let fin_rec = record(22, v.get(), &frag);
    let t0 = Instant::now();
    let a = feed(&mut p.server, &cke_rec)?;
    let t1 = Instant::now();
    let b = feed(&mut p.server, &ccs_rec)?;
    let c = feed(&mut p.server, &fin_rec)?;
    let t2 = Instant::now();
    Ok(Sample {
        seen: [a, b, c],
        cke_ns: u64::try_from((t1 - t0).as_nanos()).unwrap_or(u64::MAX),
        total_ns: u64::try_from((t2 - t0).as_nanos()).unwrap_or(u64::MAX),
    })
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted.get(i).copied().unwrap_or(0) as f64 / 1000.0
}

fn describe(s: &Seen) -> String {
    match (s.out.len(), s.alert) {
        (0, _) => "nothing".to_string(),
        (_, Some((level, desc))) => format!(
            "alert {}/{}{}",
            level,
            desc,
            if s.closed { ", close" } else { "" }
        ),
        (n, None) => format!("{n} bytes{}", if s.closed { ", close" } else { "" }),
    }
}

fn run(samples: usize) -> Result<(), Error> {
    let ctx = matrix_ssl::open(Config::default())?;
    let keys = matrix_fuzz::server_keys().ok_or(Error::Failure)?;
    let mut rng = HmacDrbg::from_os_entropy(b"oracle client")?;

    println!("== observable behaviour (server answer after CKE | after CCS | after Finished)");
    for v in ctx.versions().to_vec() {
        for (class, name) in CLASSES.iter().enumerate() {
            let s = run_one(&ctx, &keys, v, class, &mut rng)?;
            println!(
                "{:<8} {:<18} {:<10} | {:<10} | {}",
                format!("{v:?}"),
                name,
                describe(&s.seen[0]),
                describe(&s.seen[1]),
                describe(&s.seen[2])
            );
        }
    }

    let v = ctx.versions().last().copied().ok_or(Error::Failure)?;
    println!("\n== timing, {v:?}, {samples} samples per class, interleaved (microseconds)");
    let mut cke: Vec<Vec<u64>> = vec![Vec::with_capacity(samples); CLASSES.len()];
    let mut total: Vec<Vec<u64>> = vec![Vec::with_capacity(samples); CLASSES.len()];
    let mut answers: Vec<std::collections::BTreeMap<String, usize>> =
        vec![Default::default(); CLASSES.len()];
    // Warm-up, then round-robin over the classes in a shuffled order per round, so that
    // drift (frequency scaling, other load) hits every class alike.
    for _ in 0..20 {
        run_one(&ctx, &keys, v, 0, &mut rng)?;
    }
    let mut order: Vec<usize> = (0..CLASSES.len()).collect();
    for _ in 0..samples {
        for i in (1..order.len()).rev() {
            let mut b = [0u8; 1];
            rng.fill_bytes(&mut b)?;
            order.swap(i, usize::from(b[0]) % (i + 1));
        }
        for &class in &order {
            let s = run_one(&ctx, &keys, v, class, &mut rng)?;
            if let (Some(c), Some(t)) = (cke.get_mut(class), total.get_mut(class)) {
                c.push(s.cke_ns);
                t.push(s.total_ns);
            }
            let key = format!(
                "{} | {} | {}",
                describe(&s.seen[0]),
                describe(&s.seen[1]),
                describe(&s.seen[2])
            );
            if let Some(m) = answers.get_mut(class) {
                *m.entry(key).or_default() += 1;
            }
        }
    }
    println!(
        "{:<18} {:>9} {:>9} {:>9}   {:>9} {:>9} {:>9}",
        "class", "cke p10", "median", "p90", "all p10", "median", "p90"
    );
    for (class, name) in CLASSES.iter().enumerate() {
        let mut c = cke.get(class).cloned().unwrap_or_default();
        let mut t = total.get(class).cloned().unwrap_or_default();
        c.sort_unstable();
        t.sort_unstable();
        println!(
            "{:<18} {:>9.1} {:>9.1} {:>9.1}   {:>9.1} {:>9.1} {:>9.1}",
            name,
            percentile(&c, 0.1),
            percentile(&c, 0.5),
            percentile(&c, 0.9),
            percentile(&t, 0.1),
            percentile(&t, 0.5),
            percentile(&t, 0.9)
        );
    }
    println!("\n== answers over all samples");
    for (class, name) in CLASSES.iter().enumerate() {
        for (k, n) in answers.get(class).cloned().unwrap_or_default() {
            println!("{name:<18} {n:>6} x  {k}");
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let samples = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2000);
    match run(samples) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("oracle: {e:?}");
            ExitCode::FAILURE
        }
    }
}
