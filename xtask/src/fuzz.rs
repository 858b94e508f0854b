//! `cargo xtask fuzz [--seconds N] [--stable] [TARGET...]`: runs every fuzz target of
//! `fuzz/` for N seconds (default 60).
//!
//! With cargo-fuzz installed and a nightly toolchain, each target runs under libFuzzer
//! (`cargo +nightly fuzz run`), reading the committed seeds of `fuzz/corpus/<target>` and
//! writing what it learns to `fuzz/target/corpus/<target>`, so that the committed corpus
//! stays small. Otherwise, or with `--stable`, the stable runner (`fuzz-stable` in the fuzz
//! crate) runs the same harness functions on mutated seeds. Either way the executions per
//! target are printed, and a crash fails the command with its saved input's path.

use std::path::Path;
use std::process::Command;

use crate::cmd;

/// The targets, as `fuzz/fuzz_targets/*.rs` names them (the same list as the fuzz crate's
/// `TARGETS`, which the stable runner checks).
const TARGETS: &[&str] = &[
    "record_header",
    "handshake_message",
    "handshake_framer",
    "sslv2_hello",
    "server_session",
    "server_after_client_hello",
    "client_session",
    "client_after_server_hello",
    "server_dhe",
    "client_dhe",
    "server_psk",
    "client_psk",
    "server_client_auth",
    "client_client_auth",
    "server_tickets",
    "client_tickets",
    "x509_cert",
    "private_key",
    "pkcs12",
    "dh_params",
    "pem",
    "dtls_server_session",
    "dtls_client_session",
    "dtls_reassembler",
    "server_ecdhe",
    "client_ecdhe",
    "ec_x509_cert",
    "ec_key",
];

/// The targets of the fuzz crate's `ecc` build (`matrix_fuzz::ecc::TARGETS`): built and
/// run apart, with `--features ecc`, because compiling ECC into matrix-ssl changes bytes
/// the other targets' recorded seeds depend on.
const ECC_TARGETS: &[&str] = &["server_ecdhe", "client_ecdhe", "ec_x509_cert", "ec_key"];

/// The fuzz crate's feature arguments for a target (`--features ecc` for the ECC ones).
fn features_of(target: &str) -> &'static [&'static str] {
    if ECC_TARGETS.contains(&target) {
        &["--features", "ecc"]
    } else {
        &[]
    }
}

/// Options of `cargo xtask fuzz`.
#[derive(Debug)]
pub struct Options {
    /// Seconds per target.
    pub seconds: u64,
    /// Use the stable runner even when cargo-fuzz is available.
    pub stable: bool,
    /// Targets to run (all when empty).
    pub targets: Vec<String>,
}

impl Options {
    /// Parses the arguments after `fuzz`.
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut o = Options {
            seconds: 60,
            stable: false,
            targets: Vec::new(),
        };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "--seconds" => {
                    let v = it.next().ok_or("--seconds needs a value")?;
                    o.seconds = v.parse().map_err(|e| format!("--seconds {v}: {e}"))?;
                }
                "--stable" => o.stable = true,
                t if TARGETS.contains(&t) => o.targets.push(t.to_string()),
                other => {
                    return Err(format!(
                        "unknown fuzz option or target `{other}` (targets: {})",
                        TARGETS.join(", ")
                    ));
                }
            }
        }
        Ok(o)
    }

    fn selected(&self) -> Vec<&str> {
        TARGETS
            .iter()
            .copied()
            .filter(|t| self.targets.is_empty() || self.targets.iter().any(|s| s == t))
            .collect()
    }
}

/// Whether `cargo fuzz` and a nightly toolchain are there.
fn cargo_fuzz_available() -> bool {
    cmd::output("cargo", &["fuzz", "--version"]).is_some()
        && cmd::output("rustc", &["+nightly", "--version"]).is_some()
}

/// Runs the selected targets.
pub fn run(root: &Path, opts: &Options) -> Result<(), String> {
    if !opts.stable && cargo_fuzz_available() {
        run_libfuzzer(root, opts)
    } else {
        if !opts.stable {
            println!("cargo-fuzz or nightly missing: running the stable fuzz runner");
        }
        run_stable(root, opts)
    }
}

/// The stable runner, built in the workspace's target directory so that it shares the
/// already compiled dependencies: once for the selected targets of the default build, once
/// (`--features ecc`) for the selected ECC targets.
fn run_stable(root: &Path, opts: &Options) -> Result<(), String> {
    let selected = opts.selected();
    let (ecc, plain): (Vec<&str>, Vec<&str>) =
        selected.iter().partition(|t| ECC_TARGETS.contains(t));
    for (targets, features) in [(plain, &[][..]), (ecc, &["--features", "ecc"][..])] {
        if !targets.is_empty() {
            run_stable_build(root, opts.seconds, features, &targets)?;
        }
    }
    Ok(())
}

/// One run of the stable runner built with `features`, over `targets`.
fn run_stable_build(
    root: &Path,
    seconds: u64,
    features: &[&str],
    targets: &[&str],
) -> Result<(), String> {
    let manifest = root.join("fuzz").join("Cargo.toml");
    let manifest = manifest.to_string_lossy();
    let target_dir = root.join("target");
    let target_dir = target_dir.to_string_lossy();
    let seconds = seconds.to_string();
    let mut args = vec![
        "run",
        "--quiet",
        "--manifest-path",
        &manifest,
        "--no-default-features",
    ];
    args.extend_from_slice(features);
    args.extend_from_slice(&["--bin", "fuzz-stable", "--", "--seconds", &seconds]);
    args.extend_from_slice(targets);
    cmd::run_env(root, "cargo", &args, &[("CARGO_TARGET_DIR", &target_dir)])
}

/// The fuzz crate's own tests (`fuzz/tests/`): every committed seed, ours and the ones
/// recorded from OpenSSL, GnuTLS and tlslite-ng, still replays through its target to a
/// completed handshake, and the harnesses keep their invariants; then the same for the ECC
/// targets in the `ecc` build (`tests/replay_ecc.rs`). Built like the stable runner, in
/// the workspace's target directory.
pub fn test(root: &Path) -> Result<(), String> {
    let manifest = root.join("fuzz").join("Cargo.toml");
    let manifest = manifest.to_string_lossy();
    let target_dir = root.join("target");
    let target_dir = target_dir.to_string_lossy();
    for features in [&[][..], &["--features", "ecc"][..]] {
        let mut args = vec![
            "test",
            "--quiet",
            "--manifest-path",
            &manifest,
            "--no-default-features",
        ];
        args.extend_from_slice(features);
        cmd::run_env(root, "cargo", &args, &[("CARGO_TARGET_DIR", &target_dir)])?;
    }
    Ok(())
}

/// libFuzzer through cargo-fuzz, one target after the other.
fn run_libfuzzer(root: &Path, opts: &Options) -> Result<(), String> {
    let fuzz = root.join("fuzz");
    let max_time = format!("-max_total_time={}", opts.seconds);
    let mut table = Vec::new();
    let mut failures = Vec::new();
    for t in opts.selected() {
        let work = fuzz.join("target").join("corpus").join(t);
        std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
        let seeds = fuzz.join("corpus").join(t);
        let artifacts = format!(
            "-artifact_prefix={}/",
            fuzz.join("artifacts").join(t).display()
        );
        std::fs::create_dir_all(fuzz.join("artifacts").join(t))
            .map_err(|e| format!("artifacts: {e}"))?;
        let work_s = work.to_string_lossy().into_owned();
        let seeds_s = seeds.to_string_lossy().into_owned();
        let mut args = vec!["+nightly", "fuzz", "run", "-O"];
        args.extend_from_slice(features_of(t));
        args.extend_from_slice(&[
            t,
            &work_s,
            &seeds_s,
            "--",
            &max_time,
            "-print_final_stats=1",
            "-rss_limit_mb=2048",
            "-timeout=30",
            &artifacts,
        ]);
        println!("\n==> cargo {}", args.join(" "));
        let out = Command::new("cargo")
            .args(args)
            .current_dir(root)
            .output()
            .map_err(|e| format!("cannot start cargo fuzz: {e}"))?;
        let log = String::from_utf8_lossy(&out.stderr);
        let log_path = fuzz.join("target").join(format!("{t}.log"));
        let _ = std::fs::write(&log_path, log.as_bytes());
        let execs = log
            .lines()
            .find_map(|l| l.strip_prefix("stat::number_of_executed_units:"))
            .map(|v| v.trim().to_string())
            .unwrap_or_else(|| "?".to_string());
        let status = if out.status.success() {
            "ok".to_string()
        } else {
            let what = log
                .lines()
                .filter(|l| {
                    l.contains("ERROR:") || l.contains("panicked") || l.contains("artifact")
                })
                .collect::<Vec<_>>()
                .join("\n    ");
            failures.push(format!("{t}: {}\n    {what}", out.status));
            "FAILED".to_string()
        };
        println!(
            "{t}: {execs} executions, {status} (log: {})",
            log_path.display()
        );
        table.push((t, execs, status));
    }
    println!("\n{:<28} {:>12}  result", "target", "executions");
    for (t, e, s) in &table {
        println!("{t:<28} {e:>12}  {s}");
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("fuzzing found problems:\n{}", failures.join("\n")))
    }
}
