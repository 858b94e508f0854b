//! `cargo xtask bench pubkey [--quick]`: RSA-1024/2048/4096 private and public operations
//! and the ffdhe2048 agreement, matrix next to `openssl speed rsaBITS` / `ffdh2048`, as
//! ratios (matrix / OpenSSL; above 1 means matrix is faster).
//!
//! matrix is measured by matrix-benches' `matrix-speed` program, built twice: with
//! matrix-crypto's default features and with `pubkey-improve-perf-increase-codesize` (the
//! unrolled Montgomery kernels). The runs interleave: in every round each operation is
//! measured for both builds and then by `openssl speed`, so that the load of a shared
//! machine hits all sides alike; the best of the rounds is kept for each side. Timings are
//! reported, never asserted. The table goes to `target/bench/pubkey.md`.
//!
//! OpenSSL runs twice: as it is, and with its AVX-512 IFMA code masked off
//! (`OPENSSL_ia32cap=":~0x200000"`, CPUID leaf 7 EBX bit 21), which OpenSSL 3 uses for
//! RSA-2048/3072/4096 on CPUs that have it; the second column is the comparison with
//! OpenSSL's general x86-64 assembler (mulx/adx), the class of code matrix's portable
//! Rust competes with. Both sides count CPU time (`openssl speed`'s default; matrix-speed
//! reads the thread's CPU clock).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd;

/// One `openssl speed` algorithm and the matrix operations it is compared with.
struct Group {
    /// `openssl speed` algorithm name.
    openssl: &'static str,
    /// (matrix-speed operation, what, index of OpenSSL's figure on its `+F` line, target).
    ops: &'static [(&'static str, &'static str, usize, Option<f64>)],
}

const GROUPS: &[Group] = &[
    Group {
        openssl: "rsa1024",
        ops: &[
            ("rsa1024-private", "RSA-1024 private (sign)", 3, Some(0.5)),
            ("rsa1024-public", "RSA-1024 public (verify)", 4, None),
        ],
    },
    Group {
        openssl: "rsa2048",
        ops: &[
            ("rsa2048-private", "RSA-2048 private (sign)", 3, Some(0.5)),
            ("rsa2048-public", "RSA-2048 public (verify)", 4, None),
        ],
    },
    Group {
        openssl: "rsa4096",
        ops: &[
            ("rsa4096-private", "RSA-4096 private (sign)", 3, Some(0.5)),
            ("rsa4096-public", "RSA-4096 public (verify)", 4, None),
        ],
    },
    Group {
        openssl: "ffdh2048",
        ops: &[("ffdh2048-agree", "DH-2048 agree (ffdhe2048)", 3, Some(0.8))],
    },
];

/// The two matrix builds: (column title, extra features of matrix-benches).
const BUILDS: [(&str, &str); 2] = [
    ("matrix default", ""),
    (
        "matrix +unrolled",
        "matrix-crypto/pubkey-improve-perf-increase-codesize",
    ),
];

/// Builds `matrix-speed` with `features` and keeps a copy under `name`.
pub(super) fn build_speed(root: &Path, features: &str, name: &str) -> Result<PathBuf, String> {
    build(root, features, name)
}

fn build(root: &Path, features: &str, name: &str) -> Result<PathBuf, String> {
    let mut args = vec![
        "build",
        "--release",
        "-p",
        "matrix-benches",
        "--bin",
        "matrix-speed",
    ];
    if !features.is_empty() {
        args.extend(["--features", features]);
    }
    cmd::run(root, "cargo", &args)?;
    let dir = root.join("target/bench/bin");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let keep = dir.join(name);
    std::fs::copy(root.join("target/release/matrix-speed"), &keep)
        .map_err(|e| format!("copying matrix-speed: {e}"))?;
    Ok(keep)
}

/// `matrix-speed OP MS`: operations per second.
pub(super) fn ours(bin: &Path, op: &str, millis: u64) -> Result<f64, String> {
    let out = Command::new(bin)
        .args([op, &millis.to_string()])
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace()
        .find_map(|w| w.strip_prefix("ops_per_s="))
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| {
            format!(
                "matrix-speed {op}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )
        })
}

/// The `OPENSSL_ia32cap` value that masks AVX-512 IFMA off.
const NO_IFMA: &str = ":~0x200000";

/// `openssl speed -mr -seconds S ALG` (with `ia32cap` as `OPENSSL_ia32cap` if given): the
/// fields of its `+F` result line.
fn openssl(alg: &str, seconds: u32, ia32cap: Option<&str>) -> Result<Vec<String>, String> {
    let mut c = Command::new("openssl");
    c.args(["speed", "-mr", "-seconds", &seconds.to_string(), alg]);
    if let Some(cap) = ia32cap {
        c.env("OPENSSL_ia32cap", cap);
    }
    let out = c
        .output()
        .map_err(|e| format!("cannot run openssl speed: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find(|l| l.starts_with("+F"))
        .map(|l| l.split(':').map(String::from).collect())
        .ok_or_else(|| format!("openssl speed {alg} printed no result"))
}

/// Best figures: [op index across groups][0: default, 1: unrolled, 2: OpenSSL, 3: OpenSSL
/// without IFMA].
type Best = Vec<[Option<f64>; 4]>;

fn keep(slot: &mut Option<f64>, v: f64) {
    *slot = Some(slot.map_or(v, |b: f64| b.max(v)));
}

fn measure(bins: &[PathBuf; 2], rounds: usize, millis: u64, errors: &mut Vec<String>) -> Best {
    let n: usize = GROUPS.iter().map(|g| g.ops.len()).sum();
    let mut best: Best = vec![[None; 4]; n];
    for round in 0..rounds {
        let mut i = 0;
        for g in GROUPS {
            for (k, (op, ..)) in g.ops.iter().enumerate() {
                // Alternate which build goes first, round by round.
                for b in [round % 2, 1 - round % 2] {
                    match ours(&bins[b], op, millis) {
                        Ok(v) => keep(&mut best[i + k][b], v),
                        Err(e) => errors.push(e),
                    }
                }
            }
            let seconds = u32::try_from(millis.div_ceil(1000)).unwrap_or(1).max(1);
            for (col, cap) in [(2, None), (3, Some(NO_IFMA))] {
                match openssl(g.openssl, seconds, cap) {
                    Ok(fields) => {
                        for (k, (.., field, _)) in g.ops.iter().enumerate() {
                            match fields.get(*field).and_then(|f| f.parse::<f64>().ok()) {
                                Some(v) => keep(&mut best[i + k][col], v),
                                None => {
                                    errors.push(format!("openssl speed {}: no figure", g.openssl))
                                }
                            }
                        }
                    }
                    Err(e) => errors.push(e),
                }
            }
            i += g.ops.len();
        }
        eprintln!("bench pubkey: round {} of {rounds} done", round + 1);
    }
    best
}

fn show(v: Option<f64>) -> String {
    v.map_or_else(|| "not measured".into(), |v| format!("{v:.0} op/s"))
}

pub(super) fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}x", a / b),
        _ => "-".into(),
    }
}

fn report(best: &Best, rounds: usize, millis: u64, errors: &[String]) -> String {
    let mut md = format!(
        "# Public-key operations: matrix vs openssl speed\n\nBest of {rounds} interleaved \
         round(s) of {millis} ms per figure; OpenSSL {}. `matrix +unrolled`: matrix-crypto \
         with `pubkey-improve-perf-increase-codesize`.\n\n\
         | operation | {} | {} | OpenSSL | ratio default | ratio +unrolled | OpenSSL no IFMA \
         | ratio default | ratio +unrolled | target |\n\
         |---|---|---|---|---|---|---|---|---|---|\n",
        openssl_version(),
        BUILDS[0].0,
        BUILDS[1].0,
    );
    let mut i = 0;
    for g in GROUPS {
        for &(_, what, _, target) in g.ops {
            let [d, u, o, x] = best[i];
            md.push_str(&format!(
                "| {what} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                show(d),
                show(u),
                show(o),
                ratio(d, o),
                ratio(u, o),
                show(x),
                ratio(d, x),
                ratio(u, x),
                target.map_or_else(|| "-".into(), |t| format!(">= {t}x"))
            ));
            i += 1;
        }
    }
    super::push_errors(&mut md, errors);
    md
}

/// `openssl version`, for the report.
pub(super) fn openssl_version() -> String {
    Command::new("openssl")
        .arg("version")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|_| "(openssl version failed)".into())
}

/// `cargo xtask bench pubkey [--quick]`.
pub fn run(root: &Path, quick: bool) -> Result<(), String> {
    let bins = [
        build(root, BUILDS[0].1, "matrix-speed-default")?,
        build(root, BUILDS[1].1, "matrix-speed-unrolled")?,
    ];
    let (rounds, millis) = if quick { (1, 300) } else { (3, 1000) };
    let mut errors = Vec::new();
    let best = measure(&bins, rounds, millis, &mut errors);
    let md = report(&best, rounds, millis, &errors);
    super::finish(root, "pubkey", &md, &errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_shows_both_openssl_references_and_missing_figures() {
        let n: usize = GROUPS.iter().map(|g| g.ops.len()).sum();
        let mut best: Best = vec![[None; 4]; n];
        // RSA-2048 private is the third operation.
        best[2] = [Some(900.0), Some(1200.0), Some(4000.0), Some(1600.0)];
        let md = report(
            &best,
            1,
            300,
            &["openssl speed rsa4096 printed no result".into()],
        );
        assert!(
            md.contains(
                "| RSA-2048 private (sign) | 900 op/s | 1200 op/s | 4000 op/s | 0.23x | 0.30x \
                 | 1600 op/s | 0.56x | 0.75x | >= 0.5x |"
            ),
            "{md}"
        );
        assert!(
            md.contains("| DH-2048 agree (ffdhe2048) | not measured | not measured |"),
            "{md}"
        );
        assert!(md.contains("rsa4096 printed no result"), "{md}");
    }
}
