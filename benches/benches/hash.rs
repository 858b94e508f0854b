//! matrix-crypto benchmarks: digests, HMAC, the SSLv3 record MAC and the TLS PRF, in bytes
//! per second over a 16 KiB record (the PRF over its 104-byte key block), and the HMAC_DRBG
//! (a 32-byte hello random, 1 KiB).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use matrix_crypto::drbg::HmacDrbg;
use matrix_crypto::hash::{Hash, Md5, Sha1, Sha256};
use matrix_crypto::mac::{Hmac, Ssl3Mac};
use matrix_crypto::prf;
use std::hint::black_box;

const RECORD: usize = 16 * 1024;

fn digests(c: &mut Criterion) {
    let data = vec![0x5au8; RECORD];
    let mut g = c.benchmark_group("hash");
    g.throughput(Throughput::Bytes(RECORD as u64));
    g.bench_function("md5_16k", |b| b.iter(|| Md5::digest(black_box(&data))));
    g.bench_function("sha1_16k", |b| b.iter(|| Sha1::digest(black_box(&data))));
    g.bench_function("sha256_16k", |b| {
        b.iter(|| Sha256::digest(black_box(&data)))
    });
    g.finish();
}

fn macs(c: &mut Criterion) {
    let data = vec![0x5au8; RECORD];
    let mut g = c.benchmark_group("mac");
    g.throughput(Throughput::Bytes(RECORD as u64));
    let hmac_sha1 = Hmac::<Sha1>::new(&[0x0b; 20]);
    g.bench_function("hmac_sha1_16k", |b| {
        b.iter(|| {
            let mut m = hmac_sha1.clone();
            m.update(black_box(&data));
            m.finalize()
        })
    });
    let hmac_md5 = Hmac::<Md5>::new(&[0x0b; 16]);
    g.bench_function("hmac_md5_16k", |b| {
        b.iter(|| {
            let mut m = hmac_md5.clone();
            m.update(black_box(&data));
            m.finalize()
        })
    });
    let ssl3 = Ssl3Mac::<Sha1>::new(&[0x0b; 20]);
    g.bench_function("ssl3_mac_sha1_16k", |b| {
        b.iter(|| ssl3.compute(black_box(7), 23, black_box(&data)).unwrap())
    });
    g.finish();
}

fn tls_prf(c: &mut Criterion) {
    let master = [0x33u8; 48];
    let (cr, sr) = ([0x11u8; 32], [0x22u8; 32]);
    let mut g = c.benchmark_group("prf");
    g.throughput(Throughput::Bytes(104));
    g.bench_function("tls_key_block_104", |b| {
        b.iter(|| prf::tls_key_block(black_box(&master), &cr, &sr, 104))
    });
    g.finish();
}

fn drbg(c: &mut Criterion) {
    let mut d = HmacDrbg::from_seed(&[0x44; 32], &[0x55; 16], b"bench");
    let mut g = c.benchmark_group("drbg");
    for len in [32usize, 1024] {
        let mut out = vec![0u8; len];
        g.throughput(Throughput::Bytes(len as u64));
        g.bench_function(format!("generate_{len}"), |b| {
            b.iter(|| d.generate(black_box(&mut out), &[]).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, digests, macs, tls_prf, drbg);
criterion_main!(benches);
