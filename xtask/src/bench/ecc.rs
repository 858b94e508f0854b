//! `cargo xtask bench ecc [--quick]` (issue 19): ECDSA P-256 sign and verify and the X25519
//! agreement, matrix (`matrix-speed p256-sign`, `p256-verify`, `x25519-agree`, matrix-crypto
//! over the RustCrypto `p256` and `x25519-dalek` crates) next to `openssl speed ecdsap256
//! ecdhx25519`, as ratios (matrix / OpenSSL; above 1 means matrix is faster; the issue's
//! target is 0.5x). As in the `pubkey` set, the two sides interleave round by round, the best
//! round is kept and both count CPU time. The table goes to `target/bench/ecc.md`.

use std::path::Path;
use std::process::Command;

use super::pubkey::{build_speed, openssl_version, ours, ratio};

/// (matrix-speed operation, what, `openssl speed` algorithm, index of OpenSSL's figure on
/// its `+F` line).
const OPS: [(&str, &str, &str, usize); 3] = [
    ("p256-sign", "ECDSA P-256 sign", "ecdsap256", 3),
    ("p256-verify", "ECDSA P-256 verify", "ecdsap256", 4),
    ("x25519-agree", "X25519 agreement", "ecdhx25519", 3),
];

/// The target of every row: at least half of OpenSSL's rate.
const TARGET: f64 = 0.5;

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

/// Best figures per operation: (matrix, OpenSSL).
type Best = [(Option<f64>, Option<f64>); 3];

fn report(best: &Best, rounds: usize, millis: u64, errors: &[String]) -> String {
    let show = |v: Option<f64>| v.map_or_else(|| "not measured".into(), |v| format!("{v:.0} op/s"));
    let mut md = format!(
        "# Elliptic curves: matrix vs openssl speed\n\nBest of {rounds} interleaved round(s) of \
         {millis} ms per figure; OpenSSL {}.\n\n\
         | operation | matrix | OpenSSL | ratio | target |\n|---|---|---|---|---|\n",
        openssl_version()
    );
    for (i, (_, what, ..)) in OPS.iter().enumerate() {
        let (m, o) = best[i];
        md.push_str(&format!(
            "| {what} | {} | {} | {} | >= {TARGET}x |\n",
            show(m),
            show(o),
            ratio(m, o)
        ));
    }
    super::push_errors(&mut md, errors);
    md
}

/// `cargo xtask bench ecc [--quick]`.
pub fn run(root: &Path, quick: bool) -> Result<(), String> {
    let bin = build_speed(root, "", "matrix-speed-ecc")?;
    let (rounds, millis): (usize, u64) = if quick { (1, 300) } else { (3, 1000) };
    let seconds = u32::try_from(millis.div_ceil(1000)).unwrap_or(1).max(1);
    let mut errors = Vec::new();
    let mut best: Best = [(None, None); 3];
    for round in 0..rounds {
        for (i, (op, _, alg, field)) in OPS.iter().enumerate() {
            match ours(&bin, op, millis) {
                Ok(v) => keep(&mut best[i].0, v),
                Err(e) => errors.push(e),
            }
            match openssl(alg, seconds) {
                Ok(f) => match f.get(*field).and_then(|v| v.parse::<f64>().ok()) {
                    Some(v) => keep(&mut best[i].1, v),
                    None => errors.push(format!("openssl speed {alg}: no figure")),
                },
                Err(e) => errors.push(e),
            }
        }
        eprintln!("bench ecc: round {} of {rounds} done", round + 1);
    }
    let md = report(&best, rounds, millis, &errors);
    super::finish(root, "ecc", &md, &errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_has_a_row_per_operation_and_the_missing_figures() {
        let best: Best = [
            (Some(20000.0), Some(40000.0)),
            (None, Some(13000.0)),
            (None, None),
        ];
        let md = report(
            &best,
            1,
            300,
            &["openssl speed ecdhx25519 printed no result".into()],
        );
        assert!(
            md.contains("| ECDSA P-256 sign | 20000 op/s | 40000 op/s | 0.50x | >= 0.5x |"),
            "{md}"
        );
        assert!(
            md.contains("| ECDSA P-256 verify | not measured | 13000 op/s | - |"),
            "{md}"
        );
        assert!(md.contains("ecdhx25519 printed no result"), "{md}");
    }
}
