//! The CBC padding oracle at session level (Lucky Thirteen, POODLE for TLS): what a client
//! can observe when our server receives a protected record whose padding is bad, against
//! one whose padding is good and whose MAC is bad.
//!
//! A hand-made client (RSA key exchange, AES-128-CBC-SHA, MAC-then-encrypt: it offers
//! neither encrypt-then-MAC nor anything else) completes a handshake with a server session,
//! then sends one application-data record of 512 plaintext bytes (32 blocks, the same
//! ciphertext length in every class) of one of four classes:
//!
//! - `bad-pad-bytes`: correct MAC, padding length 15, one padding byte wrong (what a TLS
//!   server that does not check the padding content accepts: POODLE for TLS);
//! - `bad-pad-length`: correct MAC over 491 bytes, then a padding length byte (200) whose
//!   padding bytes do not match;
//! - `bad-mac-pad0`: valid one-byte padding, wrong MAC (the most data to MAC);
//! - `bad-mac-pad255`: valid 256-byte padding, wrong MAC (the least data to MAC: a
//!   decrypter that MACs only what the padding leaves is fastest here, Lucky Thirteen's
//!   signal).
//!
//! The behaviour is asserted, for every sample: the server answers with one protected
//! fatal bad_record_mac alert, `sent_data` says `RequestClose`, and the session refuses
//! further input; the alert records have the same length in every class. The time the
//! server spends in `received_data` on that record is measured over many interleaved
//! samples and printed per class (median, interquartile range) with two-sample tests of
//! each class against `bad-mac-pad0` (Welch's t on values cropped at the pooled 95th
//! percentile, and the Mann-Whitney U z-score), never asserted (timing asserts are flaky
//! on a shared machine; DESIGN.md). Run it with the figures shown:
//!
//! `MATRIX_ORACLE_SAMPLES=5000 cargo test --release -p matrix-ssl --test oracle_lucky13 --
//! --nocapture` (default 150 samples per class and version).
//!
//! The hand-made peer speaks RSA against an RSA identity loaded from PEM: the file needs
//! `private-key-parsing` (which brings RSA) and `pem-decode`, and a build without them
//! (ECDSA-only, PSK-only) compiles none of it.
#![cfg(all(feature = "private-key-parsing", feature = "pem-decode"))]

mod support;

use std::sync::Arc;
use std::time::Instant;

use matrix_crypto::cipher::{BlockAlgorithm, CbcCipher};
use matrix_crypto::drbg::HmacDrbg;
use matrix_crypto::hash::{Hash, Md5Sha1, Sha1};
use matrix_crypto::mac::Hmac;
use matrix_crypto::prf::{self, Sender};
use matrix_crypto::random::SecureRandom;
use matrix_crypto::rsa::{RsaPublicKey, encrypt_pkcs1_v15};
use matrix_ssl::codec::framing::{Framed, HandshakeFramer};
use matrix_ssl::codec::handshake::{
    Certificate, ClientHello, ClientKeyExchange, ServerHello, encode_handshake,
};
use matrix_ssl::codec::{Codec, CompressionMethod, ContentType, HandshakeType};
use matrix_ssl::record::{self, RecordDecrypter, RecordEncrypter, Side};
use matrix_ssl::{AlertDescription, CipherSuite, Error, Keys, ProtocolVersion, Session};
use support::*;

/// The classes, in the order of the module documentation.
const CLASSES: [&str; 4] = [
    "bad-pad-bytes",
    "bad-pad-length",
    "bad-mac-pad0",
    "bad-mac-pad255",
];
/// The reference class of the two-sample tests.
const REFERENCE: usize = 2;
/// Plaintext bytes of every probe record (data, MAC and padding): 32 AES blocks.
const RECORD_LEN: usize = 512;
const MAC_LEN: usize = 20;

fn record(ct: u8, version: u16, body: &[u8]) -> Vec<u8> {
    let mut r = vec![ct];
    r.extend_from_slice(&version.to_be_bytes());
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

/// The rsa1024 server identity: the key exchange is not what is measured, and a smaller
/// key makes each sample's handshake cheaper.
fn keys() -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_rsa_keys_mem(
        Some(&read("rsa1024/server.pem")),
        Some(&read("rsa1024/server.key")),
        None,
    )
    .unwrap();
    Arc::new(k)
}

/// Feeds `bytes`; the events, and the error of a refused call.
fn feed_lenient(s: &mut Session, bytes: &[u8]) -> (Vec<Ev>, Option<Error>) {
    let mut evs = Vec::new();
    let mut left = bytes;
    while !left.is_empty() {
        let buf = s.get_readbuf();
        assert!(!buf.is_empty(), "empty read buffer");
        let n = buf.len().min(left.len());
        buf[..n].copy_from_slice(&left[..n]);
        left = &left[n..];
        match s.received_data(n) {
            Ok(r) => {
                let e = to_ev(r);
                drain(s, e, &mut evs);
            }
            Err(e) => return (evs, Some(e)),
        }
    }
    (evs, None)
}

/// The messages of a plaintext handshake flight.
fn messages(flight: &[u8]) -> Vec<Vec<u8>> {
    let mut hs = Vec::new();
    let mut rest = flight;
    while rest.len() >= 5 {
        let len = u16::from_be_bytes([rest[3], rest[4]]) as usize;
        if rest[0] == 22 {
            hs.extend_from_slice(&rest[5..5 + len]);
        }
        rest = &rest[5 + len..];
    }
    let framer = HandshakeFramer::default();
    let mut out = Vec::new();
    let mut buf = &hs[..];
    while let Ok(Framed::Message(f)) = framer.frame(buf) {
        out.push(f.raw.to_vec());
        buf = &buf[f.raw.len()..];
    }
    out
}

/// A hand-made client with an established session: what it needs to make probe records.
struct Established {
    server: Session,
    version: ProtocolVersion,
    /// The client's write MAC secret and key.
    mac_key: Vec<u8>,
    key: Vec<u8>,
    /// TLS 1.0's chained IV: the last ciphertext block the client sent.
    last_block: Vec<u8>,
    /// Decrypts the server's records (its Finished already read).
    dec: Box<dyn RecordDecrypter>,
}

/// A server session and a completed handshake with the hand-made client at `version`.
fn establish(rng: &mut HmacDrbg, keys: &Arc<Keys>, version: ProtocolVersion) -> Established {
    let mut server = ctx().new_server_session(Arc::clone(keys), None).unwrap();
    let mut client_random = [0u8; 32];
    rng.fill_bytes(&mut client_random).unwrap();
    let ch = ClientHello {
        client_version: version,
        random: client_random,
        session_id: vec![],
        cookie: None,
        cipher_suites: vec![
            CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
            CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV,
        ],
        compression_methods: vec![CompressionMethod::Null],
        extensions: None,
    };
    let mut hello = Vec::new();
    encode_handshake(&mut hello, HandshakeType::ClientHello, |o| ch.encode(o));
    let mut transcript = Md5Sha1::new();
    transcript.update(&hello);
    let (evs, err) = feed_lenient(&mut server, &record(22, 0x0301, &hello));
    assert_eq!((evs, err), (vec![Ev::RequestSend], None));
    let flight = take_out(&mut server, usize::MAX, &mut Vec::new());
    let mut server_random = [0u8; 32];
    let mut server_key = None;
    for m in messages(&flight) {
        transcript.update(&m);
        match m[0] {
            2 => server_random = ServerHello::read_bytes(&m[4..]).unwrap().random,
            11 => {
                let cert = Certificate::read_bytes(&m[4..]).unwrap();
                let leaf = matrix_x509::X509Cert::from_der(&cert.certificate_list[0]).unwrap();
                let matrix_x509::PublicKey::Rsa { n, e } = &leaf.public_key else {
                    panic!("not RSA")
                };
                server_key = Some(RsaPublicKey::new(n, e).unwrap());
            }
            _ => {}
        }
    }

    let mut pms = [0u8; 48];
    rng.fill_bytes(&mut pms).unwrap();
    pms[..2].copy_from_slice(&version.get().to_be_bytes());
    let cke = ClientKeyExchange::Rsa {
        encrypted_pre_master_secret: encrypt_pkcs1_v15(server_key.as_ref().unwrap(), rng, &pms)
            .unwrap(),
    };
    let mut cke_msg = Vec::new();
    encode_handshake(&mut cke_msg, HandshakeType::ClientKeyExchange, |o| {
        cke.encode(o, version)
    });
    transcript.update(&cke_msg);
    let master = record::master_secret(version, &pms, &client_random, &server_random);
    let suite = matrix_ssl::suites::lookup(CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA).unwrap();
    let kb = record::key_block(version, suite, &master, &client_random, &server_random);
    let (mut enc, mut dec) = record::cipher_states(version, suite, &kb, Side::Client).unwrap();
    let vd = prf::tls_finished(&master, Sender::Client, &transcript).to_vec();
    let mut fin = Vec::new();
    encode_handshake(&mut fin, HandshakeType::Finished, |o| {
        o.extend_from_slice(&vd)
    });
    let mut frag = Vec::new();
    RecordEncrypter::encrypt(
        enc.as_mut(),
        0,
        ContentType::Handshake,
        version,
        &fin,
        rng,
        &mut frag,
    )
    .unwrap();
    let mut bytes = record(22, version.get(), &cke_msg);
    bytes.extend(record(20, version.get(), &[1]));
    bytes.extend(record(22, version.get(), &frag));
    let (evs, err) = feed_lenient(&mut server, &bytes);
    assert_eq!((evs, err), (vec![Ev::RequestSend], None));
    let mut sent = Vec::new();
    let mut out = take_out(&mut server, usize::MAX, &mut sent);
    assert_eq!(sent, vec![Ev::SentComplete]);
    assert!(server.is_handshake_complete());
    // The server's CCS (6 bytes), then its protected Finished, read to advance `dec`.
    assert_eq!(out[0], 20);
    dec.decrypt(0, ContentType::Handshake, version, &mut out[11..])
        .unwrap();
    Established {
        server,
        version,
        mac_key: kb.client_write_mac().to_vec(),
        key: kb.client_write_key().to_vec(),
        last_block: frag[frag.len() - 16..].to_vec(),
        dec,
    }
}

/// The probe record of `class`: application data, sequence number 1 (the Finished was 0),
/// `RECORD_LEN` plaintext bytes, encrypted by hand so that padding and MAC can be wrong.
fn probe(e: &Established, class: usize, rng: &mut HmacDrbg) -> Vec<u8> {
    let pad_len = match class {
        0 => 15,
        1 | 2 => 0,
        _ => 255,
    };
    let data_len = RECORD_LEN - MAC_LEN - (pad_len + 1);
    // Every class makes allocations of the same sizes: a class-dependent heap layout moves
    // the server's later allocations and shows up as a few nanoseconds between classes
    // (seen: bad-mac-pad255 up to 10 ns slower, |z| 4 to 9, with a constant-time decrypter).
    let mut data = Vec::with_capacity(RECORD_LEN);
    data.resize(data_len, 0u8);
    rng.fill_bytes(&mut data).unwrap();
    let v = e.version.get().to_be_bytes();
    let mut mac = Hmac::<Sha1>::new(&e.mac_key);
    mac.update(&1u64.to_be_bytes());
    mac.update(&[ContentType::ApplicationData.get(), v[0], v[1]]);
    mac.update(&(data_len as u16).to_be_bytes());
    mac.update(&data);
    let mut tag = mac.finalize().as_ref().to_vec();
    if class >= 2 {
        tag[0] ^= 0x80;
    }
    let mut body = data;
    body.extend_from_slice(&tag);
    body.extend(std::iter::repeat_n(pad_len as u8, pad_len + 1));
    match class {
        // One padding byte off, the length byte right.
        0 => body[RECORD_LEN - 8] ^= 0x01,
        // The length byte claims 201 bytes of padding that are not there.
        1 => body[RECORD_LEN - 1] = 200,
        _ => {}
    }
    assert_eq!(body.len(), RECORD_LEN);
    let aes = CbcCipher::new(BlockAlgorithm::Aes128, &e.key).unwrap();
    let frag = if e.version == ProtocolVersion::TLSv1_0 {
        let mut chain = e.last_block.clone();
        aes.encrypt(&mut chain, &mut body).unwrap();
        body
    } else {
        let mut iv = vec![0u8; 16];
        rng.fill_bytes(&mut iv).unwrap();
        let mut chain = iv.clone();
        aes.encrypt(&mut chain, &mut body).unwrap();
        [iv, body].concat()
    };
    record(23, e.version.get(), &frag)
}

/// Sends one probe; asserts the behaviour and returns (nanoseconds in `received_data`,
/// length of the alert record).
fn sample(rng: &mut HmacDrbg, keys: &Arc<Keys>, v: ProtocolVersion, class: usize) -> (u64, usize) {
    let mut e = establish(rng, keys, v);
    let rec = probe(&e, class, rng);
    let buf = e.server.get_readbuf();
    assert!(buf.len() >= rec.len());
    buf[..rec.len()].copy_from_slice(&rec);
    let t0 = Instant::now();
    let r = e.server.received_data(rec.len());
    let ns = t0.elapsed().as_nanos() as u64;
    let first = to_ev(r.unwrap_or_else(|err| panic!("{}: received_data {err:?}", CLASSES[class])));
    assert_eq!(first, Ev::RequestSend, "{}", CLASSES[class]);
    let mut sent = Vec::new();
    let mut out = take_out(&mut e.server, usize::MAX, &mut sent);
    assert_eq!(sent, vec![Ev::SentClose], "{}", CLASSES[class]);
    assert_eq!(out[0], 21, "{}: not an alert record", CLASSES[class]);
    let len = out.len();
    let r = e
        .dec
        .decrypt(1, ContentType::Alert, v, &mut out[5..])
        .unwrap();
    assert_eq!(
        out[5..][r].to_vec(),
        vec![2, AlertDescription::BadRecordMac.get()],
        "{}",
        CLASSES[class]
    );
    let buf = e.server.get_readbuf();
    buf[0] = 23;
    assert_eq!(
        e.server.received_data(1).unwrap_err(),
        Error::ProtocolFail,
        "{}: the session goes on after the fatal alert",
        CLASSES[class]
    );
    (ns, len)
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i] as f64
}

fn mean_var(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    let v = x.iter().map(|a| (a - m) * (a - m)).sum::<f64>() / (n - 1.0);
    (m, v)
}

/// Welch's t of `a` against `b`, both cropped at their pooled 95th percentile (the long
/// tail is scheduling noise, not the code under test).
fn welch_t(a: &[u64], b: &[u64]) -> f64 {
    let mut pooled: Vec<u64> = a.iter().chain(b).copied().collect();
    pooled.sort_unstable();
    let crop = percentile(&pooled, 0.95);
    let keep =
        |x: &[u64]| -> Vec<f64> { x.iter().map(|&v| v as f64).filter(|&v| v <= crop).collect() };
    let (a, b) = (keep(a), keep(b));
    let (ma, va) = mean_var(&a);
    let (mb, vb) = mean_var(&b);
    (ma - mb) / (va / a.len() as f64 + vb / b.len() as f64).sqrt()
}

/// The Mann-Whitney U statistic of `a` against `b` as a z-score (normal approximation,
/// ties given their mean rank).
fn mann_whitney_z(a: &[u64], b: &[u64]) -> f64 {
    let mut all: Vec<(u64, bool)> = a
        .iter()
        .map(|&v| (v, true))
        .chain(b.iter().map(|&v| (v, false)))
        .collect();
    all.sort_unstable_by_key(|x| x.0);
    let mut rank_sum_a = 0.0;
    let mut i = 0;
    while i < all.len() {
        let mut j = i;
        while j < all.len() && all[j].0 == all[i].0 {
            j += 1;
        }
        let mean_rank = (i + 1 + j) as f64 / 2.0;
        rank_sum_a += mean_rank * all[i..j].iter().filter(|x| x.1).count() as f64;
        i = j;
    }
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let u = rank_sum_a - na * (na + 1.0) / 2.0;
    (u - na * nb / 2.0) / (na * nb * (na + nb + 1.0) / 12.0).sqrt()
}

#[test]
fn bad_padding_and_bad_mac_look_the_same() {
    let samples: usize = std::env::var("MATRIX_ORACLE_SAMPLES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(150)
        .max(10);
    let keys = keys();
    let mut rng = HmacDrbg::from_seed(b"lucky13 oracle", b"nonce", b"");
    let versions: Vec<ProtocolVersion> = ctx()
        .versions()
        .iter()
        .copied()
        .filter(|v| matches!(v, ProtocolVersion::TLSv1_0 | ProtocolVersion::TLSv1_1))
        .collect();
    for v in versions {
        for c in 0..CLASSES.len() {
            sample(&mut rng, &keys, v, c);
        }
        let mut times: Vec<Vec<u64>> = vec![Vec::with_capacity(samples); CLASSES.len()];
        let mut alert_lens = std::collections::BTreeSet::new();
        let mut order: Vec<usize> = (0..CLASSES.len()).collect();
        for _ in 0..samples {
            // A fresh order each round: drift (other load, frequency) hits every class.
            for i in (1..order.len()).rev() {
                let mut b = [0u8; 1];
                rng.fill_bytes(&mut b).unwrap();
                order.swap(i, usize::from(b[0]) % (i + 1));
            }
            for &c in &order {
                let (ns, len) = sample(&mut rng, &keys, v, c);
                times[c].push(ns);
                alert_lens.insert(len);
            }
        }
        assert_eq!(
            alert_lens.len(),
            1,
            "{v:?}: alert records of different lengths: {alert_lens:?}"
        );
        println!(
            "\n{v:?}, AES-128-CBC-SHA, {RECORD_LEN}-byte records, {samples} samples per class \
             (ns in received_data; t and z against {}); every sample: protected \
             bad_record_mac, close",
            CLASSES[REFERENCE]
        );
        println!(
            "{:<16} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
            "class", "p25", "median", "p75", "IQR", "Welch t", "MW z"
        );
        for (c, name) in CLASSES.iter().enumerate() {
            let mut s = times[c].clone();
            s.sort_unstable();
            let (p25, p50, p75) = (
                percentile(&s, 0.25),
                percentile(&s, 0.5),
                percentile(&s, 0.75),
            );
            let (t, z) = if c == REFERENCE {
                (0.0, 0.0)
            } else {
                (
                    welch_t(&times[c], &times[REFERENCE]),
                    mann_whitney_z(&times[c], &times[REFERENCE]),
                )
            };
            println!(
                "{name:<16} {p25:>9.0} {p50:>9.0} {p75:>9.0} {:>9.0} {t:>9.2} {z:>9.2}",
                p75 - p25
            );
        }
    }
}

/// The statistics themselves, on data whose answer is known.
#[test]
fn the_two_sample_tests_see_a_shift_and_not_its_absence() {
    let a: Vec<u64> = (0..400).map(|i| 1000 + (i * 37) % 100).collect();
    let same: Vec<u64> = (0..400).map(|i| 1000 + (i * 53) % 100).collect();
    let shifted: Vec<u64> = a.iter().map(|v| v + 30).collect();
    assert!(welch_t(&a, &same).abs() < 2.0);
    assert!(mann_whitney_z(&a, &same).abs() < 2.0);
    assert!(welch_t(&shifted, &a) > 10.0);
    assert!(mann_whitney_z(&shifted, &a) > 10.0);
    assert!(mann_whitney_z(&a, &shifted) < -10.0);
}
