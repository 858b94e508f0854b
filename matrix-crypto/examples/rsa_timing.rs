//! A dudect-style timing check of the TLS form of PKCS#1 v1.5 decryption
//! (`decrypt_pkcs1_v15_tls`): Welch's t-test between ciphertexts with valid padding (and
//! the expected 48-octet length) and ciphertexts with invalid padding, measured in random
//! interleaved order. Timings are reported, never asserted.
//!
//! `cargo run --release -p matrix-crypto --example rsa_timing -- [samples]`
//!
//! |t| below 4.5 is no evidence of a difference; above 10 is a clear leak (the thresholds of
//! dudect, Reparaz et al. 2017). The key is the Wycheproof 2048-bit decryption key.

#[cfg(feature = "rsa")]
mod timing {
    use matrix_crypto::bignum::Modulus;
    use matrix_crypto::random::SecureRandom;
    use matrix_crypto::rsa::{RsaPrivateKey, decrypt_pkcs1_v15_tls, encrypt_pkcs1_v15};
    use std::time::Instant;

    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
    }

    impl SecureRandom for Rng {
        fn fill_bytes(&mut self, dest: &mut [u8]) -> matrix_crypto::Result<()> {
            for chunk in dest.chunks_mut(8) {
                let v = self.next().to_le_bytes();
                chunk.copy_from_slice(&v[..chunk.len()]);
            }
            Ok(())
        }
    }

    fn hex(s: &str) -> Result<Vec<u8>, String> {
        (0..s.len())
            .step_by(2)
            .map(|i| {
                s.get(i..i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| format!("bad hex in the vector file: {s}"))
            })
            .collect()
    }

    /// Mean and variance of a sample.
    fn stats(x: &[f64]) -> (f64, f64) {
        let n = x.len() as f64;
        let mean = x.iter().sum::<f64>() / n;
        let var = x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1.0);
        (mean, var)
    }

    fn welch_t(a: &[f64], b: &[f64]) -> f64 {
        let (ma, va) = stats(a);
        let (mb, vb) = stats(b);
        (ma - mb) / (va / a.len() as f64 + vb / b.len() as f64).sqrt()
    }

    /// Errors name what failed; the tool has nothing to recover.
    fn fail<E: std::fmt::Debug>(what: &'static str) -> impl Fn(E) -> String {
        move |e| format!("{what}: {e:?}")
    }

    pub fn main() -> Result<(), String> {
        let samples: usize = match std::env::args().nth(1) {
            Some(s) => s.parse().map_err(fail("the sample count"))?,
            None => 20_000,
        };
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../vectors/wycheproof/rsa_pkcs1_2048_test.json"
        );
        let text = std::fs::read_to_string(path).map_err(fail("reading the vectors"))?;
        let json: serde_json::Value =
            serde_json::from_str(&text).map_err(fail("parsing the vectors"))?;
        let k = &json["testGroups"][0]["privateKey"];
        let f = |name: &str| -> Result<Vec<u8>, String> {
            hex(k[name]
                .as_str()
                .ok_or_else(|| format!("no {name} in the key"))?)
        };
        let key = RsaPrivateKey::from_components(
            &f("modulus")?,
            &f("publicExponent")?,
            &f("privateExponent")?,
            &f("prime1")?,
            &f("prime2")?,
            &f("exponent1")?,
            &f("exponent2")?,
            &f("coefficient")?,
        )
        .map_err(fail("the key"))?;
        let size = key.size();
        let modulus = Modulus::from_be_bytes(key.public_key().n()).map_err(fail("the modulus"))?;
        let mut rng = Rng(0x5eed);

        // Class 0: valid 48-octet premaster encryptions. Class 1: invalid paddings of several
        // kinds (no separator, wrong block type, separator too early, wrong length), raised to e.
        let pool = 64;
        let mut valid = Vec::new();
        let mut invalid = Vec::new();
        for i in 0..pool {
            let mut pms = [0u8; 48];
            rng.fill_bytes(&mut pms).map_err(fail("rng"))?;
            valid.push(
                encrypt_pkcs1_v15(key.public_key(), &mut rng, &pms).map_err(fail("encrypt"))?,
            );
            let mut em = vec![0u8; size];
            rng.fill_bytes(&mut em).map_err(fail("rng"))?;
            for b in em.iter_mut() {
                *b |= 1;
            }
            em[0] = 0;
            em[1] = 2;
            // Nonzero padding everywhere so far: no separator at all.
            match i % 4 {
                0 => {}
                // Block type 1, with a separator before a 48-octet message.
                1 => {
                    em[1] = 1;
                    em[size - 49] = 0;
                }
                // A separator after only 3 octets of padding.
                2 => em[5] = 0,
                // Good padding, but a 39-octet message instead of 48.
                _ => em[size - 40] = 0,
            }
            let ct = modulus
                .pow_mod_public(&em, key.public_key().e())
                .map_err(fail("raw encrypt"))?;
            invalid.push(ct);
        }

        let mut times: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
        let mut out = [0u8; 48];
        // Warm up.
        for ct in valid.iter().chain(&invalid).take(32) {
            decrypt_pkcs1_v15_tls(&key, &mut rng, ct, &mut out).map_err(fail("decrypt"))?;
        }
        for _ in 0..samples {
            let r = rng.next();
            let class = (r & 1) as usize;
            let idx = ((r >> 8) % pool as u64) as usize;
            let ct = if class == 0 {
                &valid[idx]
            } else {
                &invalid[idx]
            };
            let start = Instant::now();
            decrypt_pkcs1_v15_tls(&key, &mut rng, std::hint::black_box(ct), &mut out)
                .map_err(fail("decrypt"))?;
            let ns = start.elapsed().as_nanos() as f64;
            times[class].push(ns);
        }

        let (m0, _) = stats(&times[0]);
        let (m1, _) = stats(&times[1]);
        println!(
            "samples: {} valid, {} invalid; mean {:.1} us vs {:.1} us",
            times[0].len(),
            times[1].len(),
            m0 / 1000.0,
            m1 / 1000.0
        );
        println!("t (all samples): {:.2}", welch_t(&times[0], &times[1]));
        // dudect also tests samples below several percentiles of the whole distribution, which
        // removes the heavy upper tail that scheduling noise adds.
        let mut all: Vec<f64> = times[0].iter().chain(&times[1]).copied().collect();
        all.sort_by(|a, b| a.total_cmp(b));
        for pct in [50usize, 75, 90, 99] {
            let cut = all[(all.len() * pct / 100).min(all.len() - 1)];
            let a: Vec<f64> = times[0].iter().copied().filter(|&t| t <= cut).collect();
            let b: Vec<f64> = times[1].iter().copied().filter(|&t| t <= cut).collect();
            if a.len() > 2 && b.len() > 2 {
                println!("t (below the {pct}th percentile): {:.2}", welch_t(&a, &b));
            }
        }
        Ok(())
    }
}

#[cfg(feature = "rsa")]
fn main() {
    if let Err(e) = timing::main() {
        eprintln!("rsa_timing: {e}");
        std::process::exit(1);
    }
}

#[cfg(not(feature = "rsa"))]
fn main() {
    eprintln!("rsa_timing needs the `rsa` feature of matrix-crypto");
}
