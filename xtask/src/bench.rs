//! `cargo xtask bench [SET] [--quick]`: speed reports as ratios against OpenSSL (or, for the
//! in-memory handshakes, MatrixSSL 3.8.3's published figures), each side measured in the same
//! run. Timings are reported, never asserted; every table is also written to
//! `target/bench/SET.md`. The sets, all run in this order without SET:
//!
//! - `crypto`: the criterion benchmarks of ciphers, hashes and MACs (`benches/`), each next
//!   to `openssl speed` run right after the benchmarks;
//! - `pubkey` ([`pubkey`]): RSA-1024/2048/4096 private and public operations and the
//!   ffdhe2048 agreement vs `openssl speed`, interleaved round by round;
//! - `ecc` ([`ecc`]): ECDSA P-256/P-384 sign/verify, ECDH P-256/P-384 and X25519 vs
//!   `openssl speed ecdsap256 ecdsap384 ecdhp256 ecdhp384 ecdhx25519`, interleaved round by
//!   round, each without and with `ecc-improve-perf-increase-codesize`; full ECDHE
//!   handshakes/s in memory, and over loopback under `openssl s_time` against
//!   matrix-server and `openssl s_server` ([`ecc_tls`]);
//! - `handshake` ([`handshake`]): in-memory full, resumed and DHE handshakes/s and bulk MB/s
//!   (`matrix-size-ref speed`) vs MatrixSSL 3.8.3;
//! - `tls` ([`tls`]): TLS over loopback, matrix-server/matrix-client vs openssl s_server and
//!   s_time (`--short` there is what `--quick` is elsewhere);
//! - `tls12` ([`tls12`]): AES-GCM over the TLS 1.2 record layer vs `openssl speed -evp
//!   aes-128-gcm`, and TLS 1.2 vs TLS 1.1 in-memory handshakes/s.
//!
//! `--quick` runs one short round of each (a smoke run: the figures are rough).
//! `cargo xtask bench NAME` with an unknown NAME lists the sets.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd;

mod ecc;
mod ecc_tls;
mod handshake;
mod pubkey;
mod tls;
mod tls12;

/// The bench sets: (name, what it measures).
pub const SETS: [(&str, &str); 6] = [
    (
        "crypto",
        "ciphers, hashes and MACs (criterion) vs openssl speed",
    ),
    (
        "pubkey",
        "RSA-1024/2048/4096 private and public operations, DH-2048 agreement vs openssl speed",
    ),
    (
        "ecc",
        "ECDSA P-256 sign/verify and X25519 vs openssl speed ecdsap256 ecdhx25519",
    ),
    (
        "handshake",
        "in-memory full, resumed and DHE-2048 handshakes/s and bulk MB/s vs MatrixSSL 3.8.3",
    ),
    (
        "tls",
        "TLS over loopback: matrix-server/matrix-client vs openssl s_server/s_time",
    ),
    (
        "tls12",
        "AES-GCM records vs openssl speed -evp aes-128-gcm; TLS 1.2 vs TLS 1.1 handshakes/s",
    ),
];

/// One comparison: our criterion id, how to measure OpenSSL, the unit, the target.
struct Pair {
    ours: &'static str,
    openssl: Speed,
    what: &'static str,
    target: Option<f64>,
}

/// How `openssl speed` measures the same thing.
enum Speed {
    /// `-evp NAME` (bytes/s at 16 KiB); `decrypt` adds `-decrypt`; `legacy` loads the legacy
    /// provider (RC4, SEED).
    Evp {
        name: &'static str,
        decrypt: bool,
        legacy: bool,
    },
    /// A digest by name (bytes/s at 16 KiB).
    Digest(&'static str),
    /// `-hmac DIGEST` (bytes/s at 16 KiB).
    Hmac(&'static str),
}

const PAIRS: &[Pair] = &[
    Pair {
        ours: "symmetric/cbc_16KiB/aes128/encrypt",
        openssl: Speed::Evp {
            name: "aes-128-cbc",
            decrypt: false,
            legacy: false,
        },
        what: "AES-128-CBC encrypt",
        target: Some(0.9),
    },
    Pair {
        ours: "symmetric/cbc_16KiB/aes128/decrypt",
        openssl: Speed::Evp {
            name: "aes-128-cbc",
            decrypt: true,
            legacy: false,
        },
        what: "AES-128-CBC decrypt",
        target: Some(0.9),
    },
    Pair {
        ours: "symmetric/cbc_16KiB/aes256/encrypt",
        openssl: Speed::Evp {
            name: "aes-256-cbc",
            decrypt: false,
            legacy: false,
        },
        what: "AES-256-CBC encrypt",
        target: Some(0.9),
    },
    Pair {
        ours: "symmetric/cbc_16KiB/aes256/decrypt",
        openssl: Speed::Evp {
            name: "aes-256-cbc",
            decrypt: true,
            legacy: false,
        },
        what: "AES-256-CBC decrypt",
        target: Some(0.9),
    },
    Pair {
        ours: "symmetric/cbc_16KiB/3des/encrypt",
        openssl: Speed::Evp {
            name: "des-ede3-cbc",
            decrypt: false,
            legacy: false,
        },
        what: "3DES-CBC encrypt",
        target: None,
    },
    Pair {
        ours: "symmetric/cbc_16KiB/seed/encrypt",
        openssl: Speed::Evp {
            name: "seed-cbc",
            decrypt: false,
            legacy: true,
        },
        what: "SEED-CBC encrypt",
        target: None,
    },
    Pair {
        ours: "symmetric/rc4_16KiB/rc4/apply",
        openssl: Speed::Evp {
            name: "rc4",
            decrypt: false,
            legacy: true,
        },
        what: "RC4",
        target: None,
    },
    Pair {
        ours: "hash/md5_16k",
        openssl: Speed::Digest("md5"),
        what: "MD5",
        target: None,
    },
    Pair {
        ours: "hash/sha1_16k",
        openssl: Speed::Digest("sha1"),
        what: "SHA-1",
        target: Some(0.9),
    },
    Pair {
        ours: "hash/sha256_16k",
        openssl: Speed::Digest("sha256"),
        what: "SHA-256",
        target: None,
    },
    Pair {
        ours: "mac/hmac_sha1_16k",
        openssl: Speed::Hmac("sha1"),
        what: "HMAC-SHA1",
        target: Some(0.9),
    },
    Pair {
        ours: "mac/hmac_md5_16k",
        openssl: Speed::Hmac("md5"),
        what: "HMAC-MD5",
        target: None,
    },
];

/// `cargo xtask bench [SET] [--quick]` (`args` follow `bench`).
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--quick" || a == "--short");
    let sets: Vec<&String> = args.iter().filter(|a| !a.starts_with("--")).collect();
    if let Some(other) = args
        .iter()
        .find(|a| a.starts_with("--") && *a != "--quick" && *a != "--short")
    {
        return Err(format!("bench: unknown option `{other}` (known: --quick)"));
    }
    let known = |name: &str| SETS.iter().any(|(n, _)| *n == name);
    if let Some(unknown) = sets.iter().find(|s| !known(s)) {
        let mut msg = format!("unknown bench set `{unknown}`; the sets are:\n");
        for (name, what) in SETS {
            msg.push_str(&format!("  {name:<10} {what}\n"));
        }
        msg.push_str("(no set: all of them, in this order; --quick: one short round each)");
        return Err(msg);
    }
    let all = sets.is_empty();
    let wants = |name: &str| all || sets.iter().any(|s| *s == name);
    // Every set runs even when an earlier one failed; the failures are reported together.
    let mut failed = Vec::new();
    let mut step = |name: &str, r: Result<(), String>| {
        if let Err(e) = r {
            eprintln!("bench {name}: {e}");
            failed.push(name.to_string());
        }
    };
    if wants("crypto") {
        step("crypto", crypto(root, quick));
    }
    if wants("pubkey") {
        step("pubkey", pubkey::run(root, quick));
    }
    if wants("ecc") {
        step("ecc", ecc::run(root, quick));
    }
    if wants("handshake") {
        step("handshake", handshake::run(root, quick));
    }
    if wants("tls") {
        let tls_args = if quick {
            vec!["--short".to_string()]
        } else {
            vec![]
        };
        step("tls", tls::run(root, &tls_args));
    }
    if wants("tls12") {
        step("tls12", tls12::run(root, quick));
    }
    if failed.is_empty() {
        Ok(())
    } else {
        Err(format!("bench: failed: {}", failed.join(", ")))
    }
}

/// Prints a report and writes it to `target/bench/FILE`.
fn publish(root: &Path, file: &str, md: &str) -> Result<(), String> {
    println!("\n{md}");
    let dir = root.join("target").join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = dir.join(file);
    std::fs::write(&path, md).map_err(|e| format!("{}: {e}", path.display()))?;
    println!("written to {}", path.display());
    Ok(())
}

/// Appends a report's failed measurements, if any.
fn push_errors(md: &mut String, errors: &[String]) {
    if !errors.is_empty() {
        md.push_str("\nErrors:\n\n");
        for e in errors {
            md.push_str(&format!("- {e}\n"));
        }
    }
}

/// Publishes set `set`'s report as `target/bench/SET.md`; failed measurements fail the set.
fn finish(root: &Path, set: &str, md: &str, errors: &[String]) -> Result<(), String> {
    publish(root, &format!("{set}.md"), md)?;
    if errors.is_empty() {
        Ok(())
    } else {
        Err(format!("{} measurement(s) failed", errors.len()))
    }
}

/// `cargo xtask bench crypto`: criterion's symmetric and hash benchmarks next to `openssl
/// speed`.
fn crypto(root: &Path, quick: bool) -> Result<(), String> {
    let _ = quick; // criterion already runs in its --quick mode.
    cmd::run(
        root,
        "cargo",
        &[
            "bench",
            "-p",
            "matrix-benches",
            "--bench",
            "symmetric",
            "--bench",
            "hash",
            "--",
            "--quick",
        ],
    )?;
    let criterion = root.join("target").join("criterion");
    let ours = read_criterion(&criterion);
    let mut table = String::from(
        "| measurement | matrix | OpenSSL | ratio | target |\n|---|---|---|---|---|\n",
    );
    for p in PAIRS {
        let mine = ours
            .iter()
            .find(|(id, _, _)| id == p.ours)
            .map(|(_, r, _)| *r);
        let theirs = openssl_speed(&p.openssl);
        let show = |v: Option<f64>| match v {
            Some(v) => format!("{:.1} MB/s", v / 1e6),
            None => "not measured".into(),
        };
        let ratio = match (mine, theirs) {
            (Some(m), Some(t)) if t > 0.0 => format!("{:.2}x", m / t),
            _ => "-".into(),
        };
        let target = p
            .target
            .map(|t| format!(">= {t}x"))
            .unwrap_or_else(|| "-".into());
        table.push_str(&format!(
            "| {} | {} | {} | {ratio} | {target} |\n",
            p.what,
            show(mine),
            show(theirs)
        ));
    }
    publish(root, "crypto.md", &table)
}

/// (full id, rate per second, unit is bytes) for every benchmark criterion has results for.
fn read_criterion(dir: &Path) -> Vec<(String, f64, bool)> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n == "new") {
                    if let Some(r) = read_one(&p) {
                        out.push(r);
                    }
                } else {
                    stack.push(p);
                }
            }
        }
    }
    out
}

fn read_one(new: &Path) -> Option<(String, f64, bool)> {
    let bench: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(new.join("benchmark.json")).ok()?).ok()?;
    let est: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(new.join("estimates.json")).ok()?).ok()?;
    let id = bench["full_id"].as_str()?.to_string();
    let ns = est["mean"]["point_estimate"].as_f64()?;
    if ns <= 0.0 {
        return None;
    }
    match bench["throughput"]["Bytes"].as_u64() {
        Some(bytes) => Some((id, bytes as f64 / (ns / 1e9), true)),
        None => Some((id, 1e9 / ns, false)),
    }
}

/// Runs `openssl speed -mr` for one measurement and returns bytes/s or operations/s.
fn openssl_speed(s: &Speed) -> Option<f64> {
    // `-elapsed`: wall time, as criterion counts (`openssl speed` counts CPU time by
    // default, which a loaded machine would turn into a bias against matrix).
    let mut args: Vec<String> = vec![
        "speed".into(),
        "-mr".into(),
        "-elapsed".into(),
        "-seconds".into(),
        "1".into(),
    ];
    match s {
        Speed::Evp {
            name,
            decrypt,
            legacy,
        } => {
            args.extend(["-bytes".into(), "16384".into()]);
            if *legacy {
                args.extend(["-provider", "legacy", "-provider", "default"].map(String::from));
            }
            if *decrypt {
                args.push("-decrypt".into());
            }
            args.extend(["-evp".into(), (*name).into()]);
        }
        Speed::Digest(d) => args.extend(["-bytes".into(), "16384".into(), (*d).into()]),
        Speed::Hmac(d) => {
            args.extend(["-bytes".into(), "16384".into(), "-hmac".into(), (*d).into()])
        }
    }
    let out = Command::new("openssl").args(&args).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text.lines() {
        let f: Vec<&str> = line.split(':').collect();
        // `+F:index:name:bytes-per-second` for the 16 KiB size asked for.
        if f.first() == Some(&"+F") {
            return f.get(3)?.parse().ok();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_set_lists_every_set_and_runs_nothing() {
        let err = run(Path::new("/nonexistent"), &["foo".to_string()]).unwrap_err();
        assert!(err.contains("unknown bench set `foo`"), "{err}");
        for (name, _) in SETS {
            assert!(err.contains(&format!("  {name} ")), "{name} missing: {err}");
        }
        let err = run(Path::new("/nonexistent"), &["--fast".to_string()]).unwrap_err();
        assert!(err.contains("unknown option `--fast`"), "{err}");
    }
}
