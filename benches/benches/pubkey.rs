//! matrix-crypto benchmarks: RSA PKCS#1 v1.5 (1024/2048/4096-bit private decrypt and sign,
//! public encrypt and verify) and Diffie-Hellman (ffdhe2048 key generation and agreement).
//!
//! Each benchmark's throughput is one operation, so criterion reports operations per
//! second. Compare with `openssl speed -seconds 2 rsa1024 rsa2048 rsa4096 ffdh2048` on the
//! same machine (OpenSSL's `ffdh2048` is the RFC 7919 group with a 225-bit exponent, like
//! ours). The secret-exponent window follows the `pubkey-optimize-*` features of
//! matrix-crypto: run with `--features matrix-crypto/pubkey-optimize-for-faster-speed` for
//! the larger window.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use matrix_benches::{BenchRng, RSA1024_DER_HEX, RSA2048_DER_HEX, RSA4096_DER_HEX, rsa_key};
use matrix_crypto::alg::HashAlgorithm;
use matrix_crypto::dh::{DhGroup, NamedGroup};
use matrix_crypto::rsa::{
    decrypt_pkcs1_v15, decrypt_pkcs1_v15_tls, encrypt_pkcs1_v15, sign_pkcs1_v15, verify_pkcs1_v15,
};
use std::hint::black_box;

fn rsa(c: &mut Criterion) {
    let mut rng = BenchRng(7);
    for (bits, der) in [
        (1024, RSA1024_DER_HEX),
        (2048, RSA2048_DER_HEX),
        (4096, RSA4096_DER_HEX),
    ] {
        let key = rsa_key(der);
        let public = key.public_key().clone();
        let premaster = [3u8; 48];
        let ct = encrypt_pkcs1_v15(&public, &mut rng, &premaster).expect("encrypt");
        let digest = [0x5au8; 32];
        let sig = sign_pkcs1_v15(&key, &mut rng, HashAlgorithm::Sha256, &digest).expect("sign");

        let mut g = c.benchmark_group(format!("rsa{bits}"));
        g.throughput(Throughput::Elements(1));
        if bits == 4096 {
            g.sample_size(20);
        }
        g.bench_function("private_decrypt", |b| {
            b.iter(|| decrypt_pkcs1_v15(&key, &mut rng, black_box(&ct)).expect("decrypt"))
        });
        g.bench_function("private_decrypt_tls", |b| {
            let mut out = [0u8; 48];
            b.iter(|| {
                decrypt_pkcs1_v15_tls(&key, &mut rng, black_box(&ct), &mut out).expect("decrypt")
            })
        });
        g.bench_function("sign_sha256", |b| {
            b.iter(|| {
                sign_pkcs1_v15(&key, &mut rng, HashAlgorithm::Sha256, black_box(&digest))
                    .expect("sign")
            })
        });
        g.bench_function("public_encrypt", |b| {
            b.iter(|| encrypt_pkcs1_v15(&public, &mut rng, black_box(&premaster)).expect("enc"))
        });
        g.bench_function("verify_sha256", |b| {
            b.iter(|| {
                verify_pkcs1_v15(&public, HashAlgorithm::Sha256, &digest, black_box(&sig))
                    .expect("verify")
            })
        });
        g.finish();
    }
}

fn dh(c: &mut Criterion) {
    let mut rng = BenchRng(11);
    let group = DhGroup::named(NamedGroup::Ffdhe2048).expect("ffdhe2048");
    let peer = group.generate_key(&mut rng).expect("keygen");
    let ours = group.generate_key(&mut rng).expect("keygen");
    let mut g = c.benchmark_group("dh2048_ffdhe");
    g.throughput(Throughput::Elements(1));
    g.bench_function("generate_key", |b| {
        b.iter(|| group.generate_key(&mut rng).expect("keygen"))
    });
    g.bench_function("agree", |b| {
        b.iter(|| ours.agree(black_box(peer.public_bytes())).expect("agree"))
    });
    g.finish();

    // A group OpenSSL would not recognize: full-length (bits(p) - 1) private exponents.
    let unnamed = DhGroup::new(&NamedGroup::Modp2048.prime()[..], &[5]).expect("group");
    let peer = unnamed.generate_key(&mut rng).expect("keygen");
    let ours = unnamed.generate_key(&mut rng).expect("keygen");
    let mut g = c.benchmark_group("dh2048_full_exponent");
    g.throughput(Throughput::Elements(1));
    g.sample_size(20);
    g.bench_function("agree", |b| {
        b.iter(|| ours.agree(black_box(peer.public_bytes())).expect("agree"))
    });
    g.finish();
}

criterion_group!(benches, rsa, dh);
criterion_main!(benches);
