//! matrix-speed: one public-key operation of matrix-crypto, timed like `openssl speed`, for
//! `cargo xtask bench pubkey` (which runs it in turn with `openssl speed` on the same keys'
//! sizes, so that the load of a shared machine hits both alike).
//!
//! `matrix-speed OP MILLISECONDS` runs `OP` repeatedly for about that long and prints
//! `OP ops_per_s=N`; `matrix-speed list` prints the operations: `rsaBITS-private` (a
//! PKCS#1 v1.5 SHA-256 signature: `openssl speed rsaBITS`'s "sign"), `rsaBITS-public`
//! (its verification: "verify") for 1024, 2048 and 4096 bits, and `ffdh2048-agree` (an
//! RFC 7919 ffdhe2048 agreement with a 225-bit private exponent: `openssl speed
//! ffdh2048`); and the EC operations (`matrix_benches::ecc`: ECDSA, ECDH and key
//! generation on P-256, P-384 and X25519, against `openssl speed ecdsap256` and the rest)
//! and in-memory ECDHE handshakes (`matrix_benches::ecc_handshake`). Exit codes: 0 ok, 1 an operation failed, 2 bad arguments.
//!
//! Time is the thread's CPU time where Linux reports it (`/proc/thread-self/schedstat`),
//! as `openssl speed` counts user CPU time by default: on a shared, loaded machine wall
//! time would charge us for other processes' turns. Elsewhere it is wall time.

#![forbid(unsafe_code)]

use std::process::ExitCode;
use std::time::{Duration, Instant};

use matrix_benches::{
    BenchRng, RSA1024_DER_HEX, RSA2048_DER_HEX, RSA4096_DER_HEX, cpu_seconds, elapsed, rsa_key,
};
use matrix_crypto::alg::HashAlgorithm;
use matrix_crypto::dh::{DhGroup, NamedGroup};
use matrix_crypto::rsa::{sign_pkcs1_v15, verify_pkcs1_v15};

/// The operations, in the order `list` prints them.
const OPS: &[&str] = &[
    "rsa1024-private",
    "rsa1024-public",
    "rsa2048-private",
    "rsa2048-public",
    "rsa4096-private",
    "rsa4096-public",
    "ffdh2048-agree",
];

/// Runs `f` for about `budget` (at least once); returns runs per second.
fn rate(budget: Duration, mut f: impl FnMut() -> bool) -> Option<f64> {
    let (start, cpu0) = (Instant::now(), cpu_seconds());
    let mut n = 0u32;
    while n == 0 || elapsed(start, cpu0) < budget.as_secs_f64() {
        if !f() {
            return None;
        }
        n += 1;
    }
    Some(f64::from(n) / elapsed(start, cpu0))
}

fn measure(op: &str, budget: Duration) -> Option<f64> {
    // The EC operations (`cargo xtask bench ecc`).
    if let Some(mut f) =
        matrix_benches::ecc::op(op).or_else(|| matrix_benches::ecc_handshake::op(op))
    {
        return rate(budget, &mut f);
    }
    let mut rng = BenchRng(7);
    if op == "ffdh2048-agree" {
        let group = DhGroup::named(NamedGroup::Ffdhe2048).ok()?;
        let peer = group.generate_key(&mut rng).ok()?;
        let ours = group.generate_key(&mut rng).ok()?;
        return rate(budget, || {
            std::hint::black_box(ours.agree(peer.public_bytes())).is_ok()
        });
    }
    let (bits, private) = op.strip_prefix("rsa")?.split_once('-')?;
    let der = match bits {
        "1024" => RSA1024_DER_HEX,
        "2048" => RSA2048_DER_HEX,
        "4096" => RSA4096_DER_HEX,
        _ => return None,
    };
    let key = rsa_key(der);
    let digest = [0x5au8; 32];
    let sig = sign_pkcs1_v15(&key, &mut rng, HashAlgorithm::Sha256, &digest).ok()?;
    match private {
        "private" => rate(budget, || {
            sign_pkcs1_v15(&key, &mut rng, HashAlgorithm::Sha256, &digest).is_ok()
        }),
        "public" => rate(budget, || {
            verify_pkcs1_v15(key.public_key(), HashAlgorithm::Sha256, &digest, &sig).is_ok()
        }),
        _ => None,
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match (args.first().map(String::as_str), args.get(1)) {
        (Some("list"), None) => {
            for op in OPS
                .iter()
                .chain(matrix_benches::ecc::OPS)
                .chain(matrix_benches::ecc_handshake::OPS)
            {
                println!("{op}");
            }
            ExitCode::SUCCESS
        }
        (Some(op), Some(ms))
            if OPS.contains(&op)
                || matrix_benches::ecc::OPS.contains(&op)
                || matrix_benches::ecc_handshake::OPS.contains(&op) =>
        {
            let Ok(ms) = ms.parse::<u64>() else {
                eprintln!("matrix-speed: bad milliseconds `{ms}`");
                return ExitCode::from(2);
            };
            match measure(op, Duration::from_millis(ms)) {
                Some(r) => {
                    println!("{op} ops_per_s={r:.1}");
                    ExitCode::SUCCESS
                }
                None => {
                    eprintln!("matrix-speed: {op} failed");
                    ExitCode::from(1)
                }
            }
        }
        _ => {
            eprintln!("usage: matrix-speed list | matrix-speed OP MILLISECONDS");
            ExitCode::from(2)
        }
    }
}
