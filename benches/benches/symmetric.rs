//! matrix-crypto benchmarks: symmetric ciphers on a full 16 KiB TLS record.
//!
//! CBC encryption and decryption (in place, one keyed cipher, the IV buffer carried from
//! call to call as in TLS 1.0) for AES-128, AES-256, 3DES and SEED, and RC4; throughput in
//! bytes.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use matrix_crypto::cipher::{BlockAlgorithm, CbcCipher, Rc4};
use std::hint::black_box;

/// The largest TLS record plaintext (2^14 bytes), a multiple of every block length.
const RECORD: usize = 16 * 1024;

fn cbc(c: &mut Criterion) {
    let mut group = c.benchmark_group("symmetric/cbc_16KiB");
    group.throughput(Throughput::Bytes(RECORD as u64));
    for (name, alg) in [
        ("aes128", BlockAlgorithm::Aes128),
        ("aes256", BlockAlgorithm::Aes256),
        ("3des", BlockAlgorithm::TripleDes),
        ("seed", BlockAlgorithm::Seed),
    ] {
        let key = vec![0x5a; alg.key_len()];
        let cipher = CbcCipher::new(alg, &key).unwrap();
        let mut iv = vec![0x11; alg.block_len()];
        let mut buf = vec![0xa5u8; RECORD];
        group.bench_function(format!("{name}/encrypt"), |b| {
            b.iter(|| {
                cipher
                    .encrypt(black_box(&mut iv), black_box(&mut buf))
                    .unwrap()
            })
        });
        group.bench_function(format!("{name}/decrypt"), |b| {
            b.iter(|| {
                cipher
                    .decrypt(black_box(&mut iv), black_box(&mut buf))
                    .unwrap()
            })
        });
    }
    group.finish();
}

fn rc4(c: &mut Criterion) {
    let mut group = c.benchmark_group("symmetric/rc4_16KiB");
    group.throughput(Throughput::Bytes(RECORD as u64));
    let mut rc4 = Rc4::new(&[0x5a; 16]).unwrap();
    let mut buf = vec![0xa5u8; RECORD];
    group.bench_function("rc4/apply", |b| b.iter(|| rc4.apply(black_box(&mut buf))));
    group.finish();
}

criterion_group!(benches, cbc, rc4);
criterion_main!(benches);
