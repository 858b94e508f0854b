//! `cargo xtask`: matrix's task runner.
//!
//! - `cargo xtask ci`: everything CI runs (see [`ci`]);
//! - `cargo xtask features [--no-build]`: FEATURES.md against the Cargo.toml files, then
//!   builds of every library crate with no default features, defaults and all features;
//! - `cargo xtask peers`: installs or checks the independent TLS peers the interop tests use;
//! - `cargo xtask bench [crypto]`: the crypto benchmarks next to `openssl speed`, as ratios;
//! - `cargo xtask matrix [--quick]`: size and speed of the feature profiles of
//!   `profiles.toml` (see [`matrix`]).
//! - `cargo xtask fuzz [--seconds N] [--stable] [TARGET...]`: every fuzz target for N seconds
//!   (see [`fuzz`]).

#![forbid(unsafe_code)]

mod bench;
mod ci;
mod cmd;
mod features;
mod fuzz;
mod matrix;
mod peers;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  ci                     fmt, clippy, tests (default and all features), the feature table,
                         minimal feature combinations, peers and interop tests
  features [--no-build]  check FEATURES.md against the Cargo.toml files, then build every
                         library crate with no default features, defaults and all features
  peers                  install (or check) OpenSSL, GnuTLS, tlslite-ng, nassl and sslyze
  bench [crypto]         run the crypto benchmarks and print them next to `openssl speed`
  bench tls [--short]    loopback handshakes/s and MB/s, matrix vs openssl s_server/s_time
  matrix [--quick]       size and speed of the feature profiles (xtask/src/profiles.toml),
                         reports in target/matrix/; --quick: the CI subset
  fuzz [--seconds N] [--stable] [TARGET...]
                         run every fuzz target N seconds (default 60): cargo-fuzz on nightly
                         when installed, else (or with --stable) the stable runner
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let result = match args.first().map(String::as_str) {
        Some("ci") => ci::run(&root),
        Some("features") => {
            let build = !args.iter().any(|a| a == "--no-build");
            features::run(&root, build)
        }
        Some("peers") => peers::ensure(&root).map(|p| {
            println!("peers ready: {}", p.summary());
        }),
        Some("bench") => match args.get(1).map(String::as_str) {
            None | Some("crypto") => bench::run(&root),
            Some("tls") => bench::run_tls(&root, &args[2..]),
            Some(other) => Err(format!("unknown bench set `{other}` (known: crypto)")),
        },
        Some("matrix") => {
            let quick = args.iter().skip(1).any(|a| a == "--quick");
            match args.iter().skip(1).find(|a| *a != "--quick") {
                Some(other) => Err(format!(
                    "matrix: unknown argument `{other}` (known: --quick)"
                )),
                None => matrix::run(&root, quick),
            }
        }
        Some("fuzz") => fuzz::Options::parse(&args[1..]).and_then(|o| fuzz::run(&root, &o)),
        Some("-h" | "--help" | "help") => {
            print!("{USAGE}");
            Ok(())
        }
        _ => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: xtask's manifest directory's parent.
fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}
