//! `cargo xtask bench ecc [--quick]` (issue 19): the elliptic-curve operations of
//! matrix-crypto next to `openssl speed`, as ratios (matrix / OpenSSL; above 1 means matrix
//! is faster; the target is 0.5x for P-256 sign/verify and X25519), full ECDHE
//! handshakes in memory (`matrix_benches::ecc_handshake`: ECDHE-ECDSA P-256 and P-384,
//! ECDHE-RSA X25519, client and server in one process) and over loopback against `openssl
//! s_time` ([`super::ecc_tls`]).
//!
//! matrix is measured by `matrix-speed` (`matrix_benches::ecc`), built twice: without and
//! with matrix-crypto's `ecc-improve-perf-increase-codesize` (the precomputed fixed-base
//! tables), so that one run shows both and the feature's gain. As in the `pubkey` set, the
//! sides interleave round by round, the best round is kept and all count CPU time. The
//! table goes to `target/bench/ecc.md`.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::pubkey::{build_speed, openssl_version, ours, ratio};

/// One row: (matrix-speed operation, what, `openssl speed` algorithm and the index of its
/// figure on the `+F` line (None: no OpenSSL counterpart), target).
type Op = (
    &'static str,
    &'static str,
    Option<(&'static str, usize)>,
    Option<f64>,
);

const OPS: [Op; 12] = [
    (
        "p256-sign",
        "ECDSA P-256 sign",
        Some(("ecdsap256", 3)),
        Some(0.5),
    ),
    (
        "p256-verify",
        "ECDSA P-256 verify",
        Some(("ecdsap256", 4)),
        Some(0.5),
    ),
    (
        "p256-ecdh",
        "ECDH P-256 agreement",
        Some(("ecdhp256", 3)),
        None,
    ),
    ("p256-keygen", "P-256 ephemeral key pair", None, None),
    (
        "p384-sign",
        "ECDSA P-384 sign",
        Some(("ecdsap384", 3)),
        None,
    ),
    (
        "p384-verify",
        "ECDSA P-384 verify",
        Some(("ecdsap384", 4)),
        None,
    ),
    (
        "p384-ecdh",
        "ECDH P-384 agreement",
        Some(("ecdhp384", 3)),
        None,
    ),
    (
        "x25519-agree",
        "X25519 agreement",
        Some(("ecdhx25519", 3)),
        Some(0.5),
    ),
    ("x25519-keygen", "X25519 ephemeral key pair", None, None),
    (
        "hs-ecdhe-ecdsa-p256",
        "full ECDHE-ECDSA P-256 handshakes (in memory, both sides)",
        None,
        None,
    ),
    (
        "hs-ecdhe-rsa-x25519",
        "full ECDHE-RSA X25519 handshakes (in memory, both sides)",
        None,
        None,
    ),
    (
        "hs-ecdhe-ecdsa-p384",
        "full ECDHE-ECDSA P-384 handshakes (in memory, both sides)",
        None,
        None,
    ),
];

/// The two matrix builds: (column title, extra features of matrix-benches, binary name).
const BUILDS: [(&str, &str, &str); 2] = [
    ("matrix small", "", "matrix-speed-ecc-small"),
    (
        "matrix +tables",
        "matrix-crypto/ecc-improve-perf-increase-codesize",
        "matrix-speed-ecc-tables",
    ),
];

/// `openssl speed -mr -seconds S ALG`: the fields of its `+F` line.
fn openssl(alg: &str, seconds: u32) -> Result<Vec<String>, String> {
    let out = Command::new("openssl")
        .args(["speed", "-mr", "-seconds", &seconds.to_string(), alg])
        .output()
        .map_err(|e| format!("cannot run openssl speed: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find(|l| l.starts_with("+F"))
        .map(|l| l.split(':').map(String::from).collect())
        .ok_or_else(|| format!("openssl speed {alg} printed no result"))
}

fn keep(slot: &mut Option<f64>, v: f64) {
    *slot = Some(slot.map_or(v, |b: f64| b.max(v)));
}

/// Best figures per operation: [small, +tables, OpenSSL].
type Best = [[Option<f64>; 3]; OPS.len()];

fn measure(bins: &[PathBuf; 2], rounds: usize, millis: u64, errors: &mut Vec<String>) -> Best {
    let seconds = u32::try_from(millis.div_ceil(1000)).unwrap_or(1).max(1);
    let mut best: Best = [[None; 3]; OPS.len()];
    for round in 0..rounds {
        for (i, (op, _, openssl_fig, _)) in OPS.iter().enumerate() {
            // Alternate which build goes first, round by round.
            for b in [round % 2, 1 - round % 2] {
                match ours(&bins[b], op, millis) {
                    Ok(v) => keep(&mut best[i][b], v),
                    Err(e) => errors.push(e),
                }
            }
            let Some((alg, field)) = openssl_fig else {
                continue;
            };
            match openssl(alg, seconds) {
                Ok(f) => match f.get(*field).and_then(|v| v.parse::<f64>().ok()) {
                    Some(v) => keep(&mut best[i][2], v),
                    None => errors.push(format!("openssl speed {alg}: no figure")),
                },
                Err(e) => errors.push(e),
            }
        }
        eprintln!("bench ecc: round {} of {rounds} done", round + 1);
    }
    best
}

fn report(best: &Best, rounds: usize, millis: u64, errors: &[String]) -> String {
    let show = |v: Option<f64>| v.map_or_else(|| "-".into(), |v| format!("{v:.0} op/s"));
    let mut md = format!(
        "# Elliptic curves: matrix vs openssl speed\n\nBest of {rounds} interleaved round(s) of \
         {millis} ms per figure; OpenSSL {}. `{}`: matrix-crypto's `ecc` alone (the firmware \
         code); `{}`: with `ecc-improve-perf-increase-codesize` (precomputed fixed-base \
         tables; in matrix-crypto's defaults).\n\n\
         | operation | {} | {} | OpenSSL | ratio small | ratio +tables | target |\n\
         |---|---|---|---|---|---|---|\n",
        openssl_version(),
        BUILDS[0].0,
        BUILDS[1].0,
        BUILDS[0].0,
        BUILDS[1].0,
    );
    for (i, (_, what, _, target)) in OPS.iter().enumerate() {
        let [s, t, o] = best[i];
        md.push_str(&format!(
            "| {what} | {} | {} | {} | {} | {} | {} |\n",
            show(s),
            show(t),
            show(o),
            ratio(s, o),
            ratio(t, o),
            target.map_or_else(|| "-".into(), |t| format!(">= {t}x")),
        ));
    }
    super::push_errors(&mut md, errors);
    md
}

/// `cargo xtask bench ecc [--quick]`: the operations, then the handshakes.
pub fn run(root: &Path, quick: bool) -> Result<(), String> {
    let mut bins = Vec::new();
    for (_, features, name) in BUILDS {
        bins.push(build_speed(root, features, name)?);
    }
    let bins: [PathBuf; 2] = bins
        .try_into()
        .map_err(|_| "bench ecc: two builds expected".to_string())?;
    let (rounds, millis): (usize, u64) = if quick { (1, 300) } else { (3, 1000) };
    let mut errors = Vec::new();
    let best = measure(&bins, rounds, millis, &mut errors);
    let loopback = super::ecc_tls::run(root, quick, &mut errors);
    let mut md = report(&best, rounds, millis, &errors);
    md.push_str(&loopback);
    super::finish(root, "ecc", &md, &errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_has_a_row_per_operation_and_the_missing_figures() {
        let mut best: Best = [[None; 3]; OPS.len()];
        best[0] = [Some(4000.0), Some(20000.0), Some(40000.0)];
        best[1] = [None, None, Some(13000.0)];
        let md = report(
            &best,
            1,
            300,
            &["openssl speed ecdhx25519 printed no result".into()],
        );
        assert!(
            md.contains(
                "| ECDSA P-256 sign | 4000 op/s | 20000 op/s | 40000 op/s | 0.10x | 0.50x | >= 0.5x |"
            ),
            "{md}"
        );
        assert!(
            md.contains("| ECDSA P-256 verify | - | - | 13000 op/s | - | - | >= 0.5x |"),
            "{md}"
        );
        assert!(
            md.contains("| P-256 ephemeral key pair | - | - | - | - | - | - |"),
            "{md}"
        );
        assert!(md.contains("ecdhx25519 printed no result"), "{md}");
    }
}
