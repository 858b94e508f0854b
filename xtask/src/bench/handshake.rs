//! `cargo xtask bench handshake [--quick]`: in-memory handshakes per second, in the shape
//! of MatrixSSL's own benchmark (client and server sessions in one process, TLS 1.1,
//! rsa2048 identity with an intermediate, a new session for every full handshake): full
//! and resumed RSA handshakes (TLS_RSA_WITH_AES_128_CBC_SHA), full and resumed DHE-2048
//! handshakes (TLS_DHE_RSA_WITH_AES_128_CBC_SHA, RFC 7919 ffdhe2048), and bulk MB/s.
//!
//! The figures are `matrix-size-ref speed` runs (the binary of `cargo xtask matrix`) of
//! three release builds: the `default` profile (matrix-ssl's defaults, as issue 17
//! measures), the default profile plus the DHE suite, and the same plus matrix-crypto's
//! `pubkey-improve-perf-increase-codesize`. MatrixSSL 3.8.3 cannot be built here: its
//! figures are the ones issue 17 measured on this machine (821 full and 15,617 resumed
//! handshakes/s), shown as a reference, not measured in this run. The builds' runs
//! interleave round by round and the best of the rounds is kept. The table goes to
//! `target/bench/handshake.md`. Timings are reported, never asserted.

use std::path::{Path, PathBuf};

use super::pubkey::ratio;
use crate::matrix::{build, speed_of};

/// MatrixSSL 3.8.3's figures from issue 17 (same benchmark shape, same machine, -O3 with
/// its x86-64 assembler bignum): full and resumed handshakes/s.
const MATRIXSSL_FULL: f64 = 821.0;
const MATRIXSSL_RESUMED: f64 = 15_617.0;

const RSA_SUITE: &str = "0x002F";
const DHE_SUITE: &str = "0x0033";

/// The builds: (column title, features of matrix-apps).
const BUILDS: [(&str, &[&str]); 3] = [
    ("default", &["client", "server", "matrix-ssl/default"]),
    (
        "default +DHE",
        &[
            "client",
            "server",
            "matrix-ssl/default",
            "matrix-ssl/tls-dhe-rsa-with-aes-128-cbc-sha",
        ],
    ),
    (
        "default +DHE +unrolled",
        &[
            "client",
            "server",
            "matrix-ssl/default",
            "matrix-ssl/tls-dhe-rsa-with-aes-128-cbc-sha",
            "pubkey-improve-perf-increase-codesize",
        ],
    ),
];

/// The rows: (what, suite, key of the `speed` line, MatrixSSL's figure).
const ROWS: [(&str, &str, &str, Option<f64>); 5] = [
    (
        "RSA full handshakes/s",
        RSA_SUITE,
        "full_hs_per_s",
        Some(MATRIXSSL_FULL),
    ),
    (
        "RSA resumed handshakes/s",
        RSA_SUITE,
        "resumed_hs_per_s",
        Some(MATRIXSSL_RESUMED),
    ),
    (
        "bulk MB/s (AES-128-CBC-SHA)",
        RSA_SUITE,
        "bulk_mb_per_s",
        None,
    ),
    (
        "DHE-2048 full handshakes/s",
        DHE_SUITE,
        "full_hs_per_s",
        None,
    ),
    (
        "DHE-2048 resumed handshakes/s",
        DHE_SUITE,
        "resumed_hs_per_s",
        None,
    ),
];

/// Best figure per [row][build].
type Best = [[Option<f64>; 3]; 5];

fn measure(bins: &[PathBuf; 3], rounds: usize, millis: u64, errors: &mut Vec<String>) -> Best {
    let mut best: Best = [[None; 3]; 5];
    for round in 0..rounds {
        for k in 0..3 {
            let b = (k + round) % 3;
            // The default profile has no DHE suite: its DHE rows stay empty.
            let suites: &[&str] = if b == 0 {
                &[RSA_SUITE]
            } else {
                &[RSA_SUITE, DHE_SUITE]
            };
            for suite in suites {
                match speed_of(&bins[b], millis, suite) {
                    Ok(kv) => {
                        for (r, row) in ROWS.iter().enumerate() {
                            if row.1 != *suite {
                                continue;
                            }
                            let v = kv
                                .iter()
                                .find(|(k, _)| k == row.2)
                                .and_then(|(_, v)| v.parse::<f64>().ok());
                            if let Some(v) = v {
                                let slot = &mut best[r][b];
                                *slot = Some(slot.map_or(v, |x: f64| x.max(v)));
                            }
                        }
                    }
                    Err(e) => errors.push(format!("{} suite {suite}: {e}", BUILDS[b].0)),
                }
            }
        }
        eprintln!("bench handshake: round {} of {rounds} done", round + 1);
    }
    best
}

fn show(v: Option<f64>) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{v:.1}"))
}

fn report(best: &Best, rounds: usize, millis: u64, errors: &[String]) -> String {
    let mut md = format!(
        "# In-memory handshakes: matrix vs MatrixSSL 3.8.3\n\nTLS 1.1, rsa2048 identity with an \
         intermediate, client and server in one process; best of {rounds} interleaved \
         round(s) of {millis} ms per figure. MatrixSSL 3.8.3: issue 17's figures (not \
         buildable here, not measured in this run). Ratios are matrix / MatrixSSL.\n\n\
         | figure | MatrixSSL 3.8.3 | {} | ratio | {} | {} | ratio |\n\
         |---|---|---|---|---|---|---|\n",
        BUILDS[0].0, BUILDS[1].0, BUILDS[2].0
    );
    for (r, (what, _, _, reference)) in ROWS.iter().enumerate() {
        let [d, dhe, fast] = best[r];
        md.push_str(&format!(
            "| {what} | {} | {} | {} | {} | {} | {} |\n",
            show(*reference),
            show(d),
            ratio(d, *reference),
            show(dhe),
            show(fast),
            ratio(fast, *reference),
        ));
    }
    md.push_str(
        "\nTargets (issue 17): full handshakes >= 2.0x, resumed >= 2.5x MatrixSSL 3.8.3.\n",
    );
    super::push_errors(&mut md, errors);
    md
}

/// `cargo xtask bench handshake [--quick]`.
pub fn run(root: &Path, quick: bool) -> Result<(), String> {
    let mut bins = Vec::new();
    for (name, features) in BUILDS {
        eprintln!("bench handshake: building matrix-size-ref ({name})");
        let f: Vec<String> = features.iter().map(|s| s.to_string()).collect();
        bins.push(build(root, "release", &f)?);
    }
    let bins: [PathBuf; 3] = bins
        .try_into()
        .map_err(|_| "bench handshake: three builds expected".to_string())?;
    let (rounds, millis) = if quick { (1, 300) } else { (3, 2000) };
    let mut errors = Vec::new();
    let best = measure(&bins, rounds, millis, &mut errors);
    let md = report(&best, rounds, millis, &errors);
    super::finish(root, "handshake", &md, &errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_shows_reference_ratios_and_missing_rows() {
        let mut best: Best = [[None; 3]; 5];
        best[0] = [Some(1642.0), Some(1600.0), Some(2463.0)];
        let md = report(&best, 1, 300, &[]);
        assert!(
            md.contains(
                "| RSA full handshakes/s | 821.0 | 1642.0 | 2.00x | 1600.0 | 2463.0 | 3.00x |"
            ),
            "{md}"
        );
        assert!(
            md.contains("| DHE-2048 full handshakes/s | - | - | - | - | - | - |"),
            "{md}"
        );
    }
}
