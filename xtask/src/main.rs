//! `cargo xtask`: matrix's task runner.
//!
//! - `cargo xtask ci`: everything CI runs (see [`ci`]);
//! - `cargo xtask features [--no-build]`: FEATURES.md against the Cargo.toml files, then
//!   builds of every library crate with no default features, defaults and all features;
//! - `cargo xtask peers`: installs or checks the independent TLS peers the interop tests use;
//! - `cargo xtask bench [SET] [--quick]`: speed as ratios against OpenSSL and MatrixSSL 3.8.3
//!   (see [`mod@bench`]);
//! - `cargo xtask matrix [--quick]`: size and speed of the feature profiles of
//!   `profiles.toml` (see [`matrix`]); `cargo xtask matrix size [PROFILE...]`: their size
//!   builds only.
//! - `cargo xtask firmware`: the profiles as Cortex-M4F firmware images, sized and checked
//!   (see [`firmware`]).
//! - `cargo xtask fuzz [--seconds N] [--stable] [TARGET...]`: every fuzz target for N seconds
//!   (see [`fuzz`]).
//! - `cargo xtask examples`: builds every example and runs the local ones (see
//!   [`examples`]).
//! - `cargo xtask sslyze`: sslyze scans matrix-server (see [`sslyze`]).
//! - `cargo xtask valgrind`: matrix-server and matrix-client under valgrind against OpenSSL
//!   and GnuTLS (see [`valgrind`]).
//! - `cargo xtask load [--quick] [--sessions N]`: the load test against matrix-server (see
//!   [`load`]).
//! - `cargo xtask ffi --prefix DIR`: builds and installs the C library (see [`ffi`]).

#![forbid(unsafe_code)]

mod bench;
mod ci;
mod cmd;
mod examples;
mod features;
mod ffi;
mod firmware;
mod fuzz;
mod load;
mod matrix;
mod peers;
mod sslyze;
mod valgrind;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  ci                     fmt, clippy, tests (default and all features), the feature table,
                         minimal feature combinations, peers and interop tests
  features [--no-build]  check FEATURES.md against the Cargo.toml files, then build every
                         library crate with no default features, defaults and all features
  peers                  install (or check) OpenSSL, GnuTLS, tlslite-ng, nassl and sslyze
  bench [SET] [--quick]  speed ratios, one run, reports in target/bench/; SET is one of
                         crypto (ciphers, hashes vs openssl speed), pubkey (RSA, DH vs
                         openssl speed), handshake (in-memory full/resumed/DHE vs
                         MatrixSSL 3.8.3), tls (loopback vs s_server/s_time); none: all;
                         `bench foo` lists the sets
  matrix [--quick]       size and speed of the feature profiles (xtask/src/profiles.toml),
                         reports in target/matrix/; --quick: the CI subset
  matrix size [--sections] [PROFILE...]
                         only the size builds of the named profiles (all when none)
                         and the baseline; --sections: the library's share per section
  firmware [PROFILE...]  the profiles as Cortex-M4F firmware images (thumbv7em-none-eabihf,
                         Debian rustc-web + -Zbuild-std, arm-none-eabi-gcc): sizes, symbol
                         checks, budgets (firmware/budgets.toml); reports in target/firmware/
  fuzz [--seconds N] [--stable] [TARGET...]
                         run every fuzz target N seconds (default 60): cargo-fuzz on nightly
                         when installed, else (or with --stable) the stable runner
  examples               build every example; run the in-memory ones and the TLS and DTLS
                         client examples against the server examples on 127.0.0.1
  sslyze                 sslyze scans matrix-server: versions and suites as built, no
                         vulnerability flagged; then an ECC build with an RSA and an EC
                         identity: the ECDHE suites and X25519, P-256, P-384 only
  valgrind               matrix-server, matrix-client and the interop tests under
                         valgrind against the peers: 0 errors, 0 leaks
  load [--quick] [--sessions N]
                         N (default 500, --quick 50) concurrent sessions against
                         matrix-server: handshake, resumption, 64 KiB echo; heap growth
  ffi --prefix DIR [--features LIST] [--no-default-features] [--debug]
                         build the C library (libmatrixssl.a/.so) and install it with
                         matrixsslApi.h, matrixsslConfig.h and a pkg-config file
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
        Some("bench") => bench::run(&root, &args[1..]),
        Some("matrix") if args.get(1).is_some_and(|a| a == "size") => {
            matrix::size_only(&root, &args[2..])
        }
        Some("matrix") => {
            let quick = args.iter().skip(1).any(|a| a == "--quick");
            match args.iter().skip(1).find(|a| *a != "--quick") {
                Some(other) => Err(format!(
                    "matrix: unknown argument `{other}` (known: --quick)"
                )),
                None => matrix::run(&root, quick),
            }
        }
        Some("examples") => examples::run(&root),
        Some("firmware") => firmware::run(&root, &args[1..]),
        Some("sslyze") => peers::ensure(&root).and_then(|p| {
            sslyze::run(&root, &p.python)?;
            sslyze::run_ecc(&root, &p.python)
        }),
        Some("valgrind") => peers::ensure(&root).and_then(|p| valgrind::run(&root, &p.python)),
        Some("load") => load::Options::parse(&args[1..]).and_then(|o| load::run(&root, &o)),
        Some("fuzz") => fuzz::Options::parse(&args[1..]).and_then(|o| fuzz::run(&root, &o)),
        Some("ffi") => ffi::Options::parse(&args[1..]).and_then(|o| ffi::run(&root, &o)),
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
