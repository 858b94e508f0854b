//! matrix-ssl benchmarks: record decryption, and the timing of CBC padding and MAC failures.
//!
//! `record/decrypt_16KiB` and `record/decrypt_1KiB`: decrypting a full record (2^14 bytes
//! of data) and a 1 KiB one with TLS_RSA_WITH_AES_128_CBC_SHA and TLS_RSA_WITH_RC4_128_SHA
//! in TLS 1.1, throughput in plaintext bytes.
//!
//! `record/encrypt_16KiB` and `record/encrypt_1KiB`: the sender's side of the same
//! AES-128-CBC-SHA records (MAC, padding, explicit IV, encryption).
//!
//! `record/cbc_failure_timing`: TLS 1.1 AES-128-CBC-SHA records of one length (16 KiB +
//! 32), decrypted to failure: a padding length byte of 0 with a bad MAC, a valid 255-byte
//! padding with a bad MAC, a 255 padding length byte with bad padding bytes, and minimal
//! valid padding with a bad MAC; and the same length decrypted successfully, for scale. A
//! decrypter that leaked the padding (Lucky Thirteen) would show the 255 cases about four
//! SHA-1 compressions (~1 µs) faster than the others; the report should show them equal.
//! `record/cbc_failure_timing_interleaved` measures the same cases round-robin (each
//! iteration decrypts all five and times one), which cancels the drift of a shared machine.
//! Timings are reported, never asserted.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use matrix_crypto::cipher::{BlockAlgorithm, CbcCipher};
use matrix_crypto::hash::Sha1;
use matrix_crypto::mac::TlsRecordMac;
use matrix_crypto::random::SecureRandom;
use matrix_ssl::codec::{CipherSuite, ContentType, ProtocolVersion};
use matrix_ssl::record::{KeyBlock, RecordDecrypter, Side, cipher_states, master_secret};
use matrix_ssl::suites::{SuiteInfo, lookup};
use std::hint::black_box;
use std::time::{Duration, Instant};

const V: ProtocolVersion = ProtocolVersion::TLSv1_1;
const APP: ContentType = ContentType::ApplicationData;
const SEQ: u64 = 42;
const RECORD: usize = 16 * 1024;

struct Counter(u64);

impl SecureRandom for Counter {
    fn fill_bytes(&mut self, dest: &mut [u8]) -> matrix_core::Result<()> {
        for b in dest {
            self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1);
            *b = (self.0 >> 56) as u8;
        }
        Ok(())
    }
}

fn suite(id: CipherSuite) -> &'static SuiteInfo {
    lookup(id).expect("suite compiled into the benches")
}

/// A TLS 1.1 key block from fixed secrets.
fn key_block(s: &SuiteInfo) -> KeyBlock {
    let (cr, sr) = ([1u8; 32], [2u8; 32]);
    let ms = master_secret(V, &[3u8; 48], &cr, &sr);
    matrix_ssl::record::key_block(V, s, &ms, &cr, &sr)
}

fn decrypter(s: &SuiteInfo, kb: &KeyBlock) -> Box<dyn RecordDecrypter> {
    cipher_states(V, s, kb, Side::Server).unwrap().1
}

/// Decrypts a fresh copy of `record` (TLS 1.1 CBC states carry nothing from record to
/// record, so every iteration does the same work).
fn bench_decrypt(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    dec: &mut dyn RecordDecrypter,
    record: &[u8],
    expect_ok: bool,
) {
    let mut buf = record.to_vec();
    assert_eq!(
        dec.decrypt(SEQ, APP, V, &mut buf).is_ok(),
        expect_ok,
        "{name}"
    );
    group.bench_function(name, |b| {
        b.iter(|| {
            buf.copy_from_slice(record);
            black_box(dec.decrypt(SEQ, APP, V, black_box(&mut buf)).is_ok())
        })
    });
}

fn decrypt_16k(c: &mut Criterion) {
    decrypt_sized(c, "record/decrypt_16KiB", RECORD);
}

fn decrypt_1k(c: &mut Criterion) {
    decrypt_sized(c, "record/decrypt_1KiB", 1024);
}

/// Decrypts records of `size` plaintext bytes, for each suite.
fn decrypt_sized(c: &mut Criterion, group_name: &str, size: usize) {
    let mut group = c.benchmark_group(group_name);
    group.throughput(Throughput::Bytes(size as u64));
    for (name, id) in [
        ("aes128_cbc_sha", CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA),
        ("rc4_128_sha", CipherSuite::SSL_RSA_WITH_RC4_128_SHA),
    ] {
        let s = suite(id);
        let kb = key_block(s);
        let (mut enc, _) = cipher_states(V, s, &kb, Side::Client).unwrap();
        let data = vec![0xa5u8; size];
        let mut record = Vec::new();
        enc.encrypt(SEQ, APP, V, &data, &mut Counter(1), &mut record)
            .unwrap();
        if s.is_cbc() {
            let mut dec = decrypter(s, &kb);
            bench_decrypt(&mut group, name, dec.as_mut(), &record, true);
        } else {
            // RC4's key stream runs on: a new state per record would measure the key
            // schedule, so encrypt a run of records and decrypt them in order, cycling.
            let mut dec = decrypter(s, &kb);
            let mut rng = Counter(2);
            group.bench_function(name, |b| {
                let mut seq = 0u64;
                b.iter_batched_ref(
                    || {
                        seq += 1;
                        let mut r = Vec::with_capacity(size + 20);
                        enc.encrypt(seq, APP, V, &data, &mut rng, &mut r).unwrap();
                        (seq, r)
                    },
                    |(seq, r)| black_box(dec.decrypt(*seq, APP, V, r).is_ok()),
                    criterion::BatchSize::SmallInput,
                )
            });
        }
    }
    group.finish();
}

fn encrypt_16k(c: &mut Criterion) {
    encrypt_sized(c, "record/encrypt_16KiB", RECORD);
}

fn encrypt_1k(c: &mut Criterion) {
    encrypt_sized(c, "record/encrypt_1KiB", 1024);
}

/// Encrypts records of `size` plaintext bytes with TLS_RSA_WITH_AES_128_CBC_SHA in TLS 1.1
/// (the CBC states carry nothing from record to record there).
fn encrypt_sized(c: &mut Criterion, group_name: &str, size: usize) {
    let mut group = c.benchmark_group(group_name);
    group.throughput(Throughput::Bytes(size as u64));
    let s = suite(CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA);
    let kb = key_block(s);
    let (mut enc, _) = cipher_states(V, s, &kb, Side::Client).unwrap();
    let data = vec![0xa5u8; size];
    let mut rng = Counter(3);
    let mut out = Vec::with_capacity(enc.encrypted_len(size));
    group.bench_function("aes128_cbc_sha", |b| {
        b.iter(|| {
            out.clear();
            enc.encrypt(SEQ, APP, V, black_box(&data), &mut rng, &mut out)
                .unwrap();
            black_box(out.len())
        })
    });
    group.finish();
}

/// A TLS 1.1 AES-128-CBC-SHA record whose decrypted body is `data || mac || padding`.
fn crafted(kb: &KeyBlock, data: &[u8], mac: &[u8], padding: &[u8]) -> Vec<u8> {
    let cipher = CbcCipher::new(BlockAlgorithm::Aes128, kb.client_write_key()).unwrap();
    let iv = [0x3cu8; 16];
    let mut body = [data, mac, padding].concat();
    assert_eq!(body.len() % 16, 0);
    cipher.encrypt(&mut iv.clone(), &mut body).unwrap();
    [&iv[..], &body].concat()
}

fn cbc_failure_timing(c: &mut Criterion) {
    let s = suite(CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA);
    let kb = key_block(s);
    let mac_key = TlsRecordMac::<Sha1>::new(kb.client_write_mac(), V.get().to_be_bytes());
    let mac = |d: &[u8]| mac_key.compute(SEQ, APP.get(), d).unwrap().to_vec();
    let bad = |d: &[u8]| {
        let mut m = mac(d);
        m[7] ^= 0x40;
        m
    };
    // Every body is BODY bytes: data || 20-byte MAC || padding.
    const BODY: usize = RECORD + 32;
    let data_for = |pad_len: usize| vec![0x61u8; BODY - 20 - pad_len - 1];

    let d0 = data_for(0);
    let d255 = data_for(255);
    let d_min = data_for(11);
    let mut bad255 = vec![255u8; 256];
    bad255[100] = 254;
    let cases: [(&str, Vec<u8>, bool); 5] = [
        (
            "pad_len_0_bad_mac",
            crafted(&kb, &d0, &bad(&d0), &[0]),
            false,
        ),
        (
            "pad_len_255_bad_mac",
            crafted(&kb, &d255, &bad(&d255), &[255; 256]),
            false,
        ),
        (
            "pad_len_255_bad_padding",
            crafted(&kb, &d255, &mac(&d255), &bad255),
            false,
        ),
        (
            "pad_len_11_bad_mac",
            crafted(&kb, &d_min, &bad(&d_min), &[11; 12]),
            false,
        ),
        (
            "pad_len_11_valid",
            crafted(&kb, &d_min, &mac(&d_min), &[11; 12]),
            true,
        ),
    ];
    let mut group = c.benchmark_group("record/cbc_failure_timing");
    group.throughput(Throughput::Bytes(BODY as u64));
    let mut dec = decrypter(s, &kb);
    for (name, record, ok) in &cases {
        assert_eq!(record.len(), BODY + 16);
        bench_decrypt(&mut group, name, dec.as_mut(), record, *ok);
    }
    group.finish();

    // A control for the report's resolution: a record 256 bytes shorter, which does take
    // four fewer compressions (and sixteen fewer AES blocks).
    let d_short = vec![0x61u8; BODY - 256 - 20 - 12];
    let control = crafted(&kb, &d_short, &bad(&d_short), &[11; 12]);
    let mut report: Vec<(&str, Vec<u8>, bool)> = cases.to_vec();
    report.push(("control_256_bytes_shorter", control, false));
    interleaved_report(&report, dec.as_mut());

    // The same cases interleaved: each iteration decrypts all of them in turn and times only
    // the one being measured, so that load from other processes and frequency changes fall
    // on every case alike (the machines these run on are shared).
    let mut group = c.benchmark_group("record/cbc_failure_timing_interleaved");
    group.throughput(Throughput::Bytes(BODY as u64));
    let mut bufs: Vec<Vec<u8>> = cases.iter().map(|(_, r, _)| r.clone()).collect();
    for (me, (name, _, _)) in cases.iter().enumerate() {
        group.bench_function(*name, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    for (j, ((_, record, _), buf)) in cases.iter().zip(&mut bufs).enumerate() {
                        buf.copy_from_slice(record);
                        let t = Instant::now();
                        black_box(dec.decrypt(SEQ, APP, V, black_box(buf)).is_ok());
                        let e = t.elapsed();
                        if j == me {
                            total += e;
                        }
                    }
                }
                total
            })
        });
    }
    group.finish();
}

/// Prints the median and the 10th and 90th percentiles of each case's decryption time, from
/// rounds that decrypt every case in turn (so drift hits all cases alike): the report a
/// reader compares. Reported, never asserted.
fn interleaved_report(cases: &[(&str, Vec<u8>, bool)], dec: &mut dyn RecordDecrypter) {
    const ROUNDS: usize = 20_000;
    let mut bufs: Vec<Vec<u8>> = cases.iter().map(|(_, r, _)| r.clone()).collect();
    let mut times = vec![Vec::with_capacity(ROUNDS); cases.len()];
    for round in 0..ROUNDS {
        // Rotate the starting case so no case always follows the same one.
        for k in 0..cases.len() {
            let j = (round + k) % cases.len();
            bufs[j].copy_from_slice(&cases[j].1);
            let t = Instant::now();
            black_box(dec.decrypt(SEQ, APP, V, black_box(&mut bufs[j])).is_ok());
            times[j].push(t.elapsed().as_nanos() as u64);
        }
    }
    println!("record/cbc_failure_timing report ({ROUNDS} interleaved rounds, ns):");
    for ((name, _, _), t) in cases.iter().zip(&mut times) {
        t.sort_unstable();
        let p = |q: usize| t[t.len() * q / 100];
        println!(
            "  {name:<26} p10 {:>7}  median {:>7}  p90 {:>7}",
            p(10),
            p(50),
            p(90)
        );
    }
}

criterion_group!(
    benches,
    decrypt_1k,
    decrypt_16k,
    encrypt_1k,
    encrypt_16k,
    cbc_failure_timing
);
criterion_main!(benches);
