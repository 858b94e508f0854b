//! `cargo xtask bench [crypto]`: runs the criterion benchmarks of `benches/` and prints each
//! figure next to `openssl speed` measured in the same run, as a ratio (ours / OpenSSL; above
//! 1 means faster), then the TLS-over-loopback comparison of [`tls`] (matrix-server and
//! matrix-client against OpenSSL's s_server and s_time). Timings are reported, never
//! asserted. The tables are also written to `target/bench/crypto.md` and `tls.md`.
//! `cargo xtask bench tls [--short]` runs only the loopback part.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::cmd;

mod tls;

pub use tls::run as run_tls;

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
    /// `rsaBITS`: private (sign) or public (verify) operations per second.
    Rsa { bits: u32, private: bool },
    /// `ffdhBITS` derivations per second.
    Ffdh(u32),
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
    Pair {
        ours: "rsa1024/sign_sha256",
        openssl: Speed::Rsa {
            bits: 1024,
            private: true,
        },
        what: "RSA-1024 private (sign)",
        target: Some(0.5),
    },
    Pair {
        ours: "rsa2048/sign_sha256",
        openssl: Speed::Rsa {
            bits: 2048,
            private: true,
        },
        what: "RSA-2048 private (sign)",
        target: Some(0.5),
    },
    Pair {
        ours: "rsa2048/private_decrypt_tls",
        openssl: Speed::Rsa {
            bits: 2048,
            private: true,
        },
        what: "RSA-2048 private (TLS decrypt)",
        target: Some(0.5),
    },
    Pair {
        ours: "rsa4096/sign_sha256",
        openssl: Speed::Rsa {
            bits: 4096,
            private: true,
        },
        what: "RSA-4096 private (sign)",
        target: Some(0.5),
    },
    Pair {
        ours: "rsa2048/verify_sha256",
        openssl: Speed::Rsa {
            bits: 2048,
            private: false,
        },
        what: "RSA-2048 public (verify)",
        target: None,
    },
    Pair {
        ours: "dh2048_ffdhe/agree",
        openssl: Speed::Ffdh(2048),
        what: "DH-2048 agree",
        target: Some(0.6),
    },
];

/// `cargo xtask bench [crypto]`.
pub fn run(root: &Path) -> Result<(), String> {
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
            "--bench",
            "pubkey",
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
        let unit = match p.openssl {
            Speed::Rsa { .. } | Speed::Ffdh(_) => "op/s",
            _ => "MB/s",
        };
        let show = |v: Option<f64>| match (v, unit) {
            (Some(v), "MB/s") => format!("{:.1} MB/s", v / 1e6),
            (Some(v), _) => format!("{v:.0} op/s"),
            (None, _) => "not measured".into(),
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
    println!("\n{table}");
    let dir = root.join("target").join("bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let file = dir.join("crypto.md");
    std::fs::write(&file, &table).map_err(|e| format!("{}: {e}", file.display()))?;
    println!("written to {}", file.display());
    tls::run(root, &[])
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
    let mut args: Vec<String> = vec!["speed".into(), "-mr".into(), "-seconds".into(), "1".into()];
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
        Speed::Rsa { bits, .. } => args.push(format!("rsa{bits}")),
        Speed::Ffdh(bits) => args.push(format!("ffdh{bits}")),
    }
    let out = Command::new("openssl").args(&args).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    for line in text.lines() {
        let f: Vec<&str> = line.split(':').collect();
        match (s, f.first().copied()) {
            (Speed::Evp { .. } | Speed::Digest(_) | Speed::Hmac(_), Some("+F")) => {
                return f.get(3)?.parse().ok();
            }
            (Speed::Rsa { private, .. }, Some("+F2")) => {
                return f.get(if *private { 3 } else { 4 })?.parse().ok();
            }
            (Speed::Ffdh(_), Some("+F8")) => return f.get(3)?.parse().ok(),
            _ => {}
        }
    }
    None
}
