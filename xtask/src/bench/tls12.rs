//! `cargo xtask bench tls12 [--quick]`: TLS 1.2's speed (issue 18).
//!
//! - Bulk AES-GCM over the record layer: matrix-benches' `matrix-record-speed` protects and
//!   opens full TLS 1.2 records (2^14 plaintext bytes: RFC 5288's explicit nonce, additional
//!   data and tag included) with TLS_RSA_WITH_AES_128_GCM_SHA256 and
//!   TLS_RSA_WITH_AES_256_GCM_SHA384, next to `openssl speed -bytes 16384 -evp
//!   aes-128-gcm` / `aes-256-gcm` (with `-decrypt` for opening). Both count CPU time. The
//!   target is >= 0.9x for AES-128-GCM.
//! - Handshakes: `matrix-size-ref speed` (the in-memory pair of `bench handshake`,
//!   matrix-ssl's default profile) with TLS_RSA_WITH_AES_128_CBC_SHA capped at TLS 1.1 and
//!   at TLS 1.2, and TLS_RSA_WITH_AES_128_GCM_SHA256 in TLS 1.2: full and resumed
//!   handshakes/s and the pair's bulk MB/s (each byte sealed and opened).
//!
//! Every round measures each figure of each side once, matrix and OpenSSL in turn, so that
//! the load of a shared machine hits both alike; the best of the rounds is kept. Timings
//! are reported, never asserted. The table goes to `target/bench/tls12.md`.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::pubkey::ratio;
use crate::cmd;

/// One record-layer comparison.
struct RecordRow {
    /// What the row measures.
    what: &'static str,
    /// The suite's id for `matrix-record-speed`.
    suite: &'static str,
    /// `encrypt` (seal) or `decrypt` (open).
    op: &'static str,
    /// The `openssl speed -evp` cipher.
    evp: &'static str,
    /// Whether OpenSSL decrypts (`-decrypt`).
    decrypt: bool,
    /// The target ratio, if any.
    target: Option<f64>,
}

const RECORD_ROWS: [RecordRow; 4] = [
    RecordRow {
        what: "AES-128-GCM seal, 16 KiB records",
        suite: "0x009C",
        op: "encrypt",
        evp: "aes-128-gcm",
        decrypt: false,
        target: Some(0.9),
    },
    RecordRow {
        what: "AES-128-GCM open, 16 KiB records",
        suite: "0x009C",
        op: "decrypt",
        evp: "aes-128-gcm",
        decrypt: true,
        target: None,
    },
    RecordRow {
        what: "AES-256-GCM seal, 16 KiB records",
        suite: "0x009D",
        op: "encrypt",
        evp: "aes-256-gcm",
        decrypt: false,
        target: None,
    },
    RecordRow {
        what: "AES-256-GCM open, 16 KiB records",
        suite: "0x009D",
        op: "decrypt",
        evp: "aes-256-gcm",
        decrypt: true,
        target: None,
    },
];

/// The handshake columns: (title, suite, client's highest version).
const HS_COLUMNS: [(&str, &str, &str); 3] = [
    ("TLS 1.1 AES128-SHA", "0x002F", "0x0302"),
    ("TLS 1.2 AES128-SHA", "0x002F", "0x0303"),
    ("TLS 1.2 AES128-GCM-SHA256", "0x009C", "0x0303"),
];

/// The handshake rows: (what, key of the `speed` line).
const HS_ROWS: [(&str, &str); 3] = [
    ("full handshakes/s", "full_hs_per_s"),
    ("resumed handshakes/s", "resumed_hs_per_s"),
    (
        "bulk MB/s (in-memory pair, sealed and opened)",
        "bulk_mb_per_s",
    ),
];

/// Best figures: record rows (matrix, OpenSSL) in bytes/s; handshake [row][column].
struct Best {
    record: [[Option<f64>; 2]; 4],
    handshake: [[Option<f64>; 3]; 3],
}

fn keep_best(slot: &mut Option<f64>, v: f64) {
    *slot = Some(slot.map_or(v, |x| x.max(v)));
}

/// Builds matrix-benches' `matrix-record-speed` (release) and keeps a copy.
fn build_record_speed(root: &Path) -> Result<PathBuf, String> {
    let args = [
        "build",
        "--release",
        "-p",
        "matrix-benches",
        "--bin",
        "matrix-record-speed",
    ];
    cmd::run(root, "cargo", &args)?;
    let dir = root.join("target/bench/bin");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let keep = dir.join("matrix-record-speed");
    std::fs::copy(root.join("target/release/matrix-record-speed"), &keep)
        .map_err(|e| format!("copying matrix-record-speed: {e}"))?;
    Ok(keep)
}

/// Runs `bin ARGS` and returns the `key=value` line it prints, which must have `key`.
fn figure(bin: &Path, args: &[&str], key: &str) -> Result<Vec<(String, String)>, String> {
    let out = Command::new(bin)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{} {}: {}",
            bin.display(),
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let kv: Vec<(String, String)> = String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .filter_map(|w| w.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    if kv.iter().any(|(k, _)| k == key) {
        Ok(kv)
    } else {
        Err(format!("{} {}: no {key}", bin.display(), args.join(" ")))
    }
}

/// `openssl speed -mr -seconds S -bytes 16384 [-decrypt] -evp NAME`: bytes per second
/// (CPU time, `openssl speed`'s default).
fn openssl_evp(name: &str, decrypt: bool, seconds: u32) -> Result<f64, String> {
    let secs = seconds.to_string();
    let mut args = vec!["speed", "-mr", "-seconds", &secs, "-bytes", "16384"];
    if decrypt {
        args.push("-decrypt");
    }
    args.extend(["-evp", name]);
    let out = Command::new("openssl")
        .args(&args)
        .output()
        .map_err(|e| format!("cannot run openssl speed: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find(|l| l.starts_with("+F:"))
        .and_then(|l| l.split(':').nth(3)?.parse().ok())
        .ok_or_else(|| format!("openssl {} printed no result", args.join(" ")))
}

/// The number `key` holds on a `key=value` line.
fn number(kv: &[(String, String)], key: &str) -> Option<f64> {
    kv.iter().find(|(k, _)| k == key)?.1.parse().ok()
}

fn measure(
    record_bin: &Path,
    pair_bin: &Path,
    rounds: usize,
    millis: u64,
    errors: &mut Vec<String>,
) -> Best {
    let mut best = Best {
        record: [[None; 2]; 4],
        handshake: [[None; 3]; 3],
    };
    let ms = millis.to_string();
    let secs = u32::try_from(millis.div_ceil(1000)).unwrap_or(1);
    for round in 0..rounds {
        for (r, row) in RECORD_ROWS.iter().enumerate() {
            let what = row.what;
            match figure(record_bin, &[row.suite, row.op, &ms], "bytes_per_s") {
                Ok(kv) => {
                    if let Some(v) = number(&kv, "bytes_per_s") {
                        keep_best(&mut best.record[r][0], v);
                    }
                }
                Err(e) => errors.push(format!("{what}: {e}")),
            }
            match openssl_evp(row.evp, row.decrypt, secs) {
                Ok(v) => keep_best(&mut best.record[r][1], v),
                Err(e) => errors.push(format!("{what}: {e}")),
            }
        }
        for (c, (title, suite, version)) in HS_COLUMNS.iter().enumerate() {
            match figure(pair_bin, &["speed", &ms, suite, version], "full_hs_per_s") {
                Ok(kv) => {
                    for (r, (_, key)) in HS_ROWS.iter().enumerate() {
                        if let Some(v) = number(&kv, key) {
                            keep_best(&mut best.handshake[r][c], v);
                        }
                    }
                    // The pair must have negotiated what the column says.
                    let got = kv.iter().find(|(k, _)| k == "version").map(|(_, v)| v);
                    if got.is_none_or(|g| !g.eq_ignore_ascii_case(version)) {
                        errors.push(format!("{title}: negotiated version {got:?}"));
                    }
                }
                Err(e) => errors.push(format!("{title}: {e}")),
            }
        }
        eprintln!("bench tls12: round {} of {rounds} done", round + 1);
    }
    best
}

fn show(v: Option<f64>, scale: f64) -> String {
    v.map_or_else(|| "-".into(), |v| format!("{:.1}", v / scale))
}

fn report(best: &Best, rounds: usize, millis: u64, errors: &[String]) -> String {
    let mut md = format!(
        "# TLS 1.2: AES-GCM records vs openssl speed, TLS 1.2 vs TLS 1.1 handshakes\n\n\
         Best of {rounds} interleaved round(s) of {millis} ms per figure; CPU time on both \
         sides.\n\n\
         | record layer | matrix MB/s | OpenSSL MB/s | ratio | target |\n|---|---|---|---|---|\n"
    );
    for (r, row) in RECORD_ROWS.iter().enumerate() {
        let [ours, theirs] = best.record[r];
        let flag = if row.decrypt { " -decrypt" } else { "" };
        let (what, evp) = (row.what, row.evp);
        md.push_str(&format!(
            "| {what} (vs `-evp {evp}{flag}`) | {} | {} | {} | {} |\n",
            show(ours, 1e6),
            show(theirs, 1e6),
            ratio(ours, theirs),
            row.target
                .map_or_else(|| "-".into(), |t| format!(">= {t}x")),
        ));
    }
    md.push_str(&format!(
        "\n| in-memory pair (default profile) | {} | {} | {} |\n|---|---|---|---|\n",
        HS_COLUMNS[0].0, HS_COLUMNS[1].0, HS_COLUMNS[2].0
    ));
    for (r, (what, _)) in HS_ROWS.iter().enumerate() {
        let [a, b, c] = best.handshake[r];
        md.push_str(&format!(
            "| {what} | {} | {} | {} |\n",
            show(a, 1.0),
            show(b, 1.0),
            show(c, 1.0)
        ));
    }
    super::push_errors(&mut md, errors);
    md
}

/// `cargo xtask bench tls12 [--quick]`.
pub fn run(root: &Path, quick: bool) -> Result<(), String> {
    eprintln!("bench tls12: building matrix-record-speed");
    let record_bin = build_record_speed(root)?;
    eprintln!("bench tls12: building matrix-size-ref (default)");
    let features: Vec<String> = ["client", "server", "matrix-ssl/default"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let pair_bin = crate::matrix::build(root, "release", &features)?;
    let (rounds, millis) = if quick { (1, 300) } else { (3, 2000) };
    let mut errors = Vec::new();
    let best = measure(&record_bin, &pair_bin, rounds, millis, &mut errors);
    let md = report(&best, rounds, millis, &errors);
    super::finish(root, "tls12", &md, &errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_shows_ratios_and_empty_figures() {
        let mut best = Best {
            record: [[None; 2]; 4],
            handshake: [[None; 3]; 3],
        };
        best.record[0] = [Some(3.6e9), Some(4.0e9)];
        best.handshake[0] = [Some(700.0), Some(650.0), None];
        let md = report(&best, 1, 300, &[]);
        assert!(
            md.contains(
                "| AES-128-GCM seal, 16 KiB records (vs `-evp aes-128-gcm`) | 3600.0 | \
                 4000.0 | 0.90x | >= 0.9x |"
            ),
            "{md}"
        );
        assert!(
            md.contains("| full handshakes/s | 700.0 | 650.0 | - |"),
            "{md}"
        );
    }
}
