//! `cargo xtask ci`: every check CI runs, in the order that fails fastest.
//!
//! 1. `cargo fmt --all --check`
//! 2. `cargo clippy --workspace --all-targets -- -D warnings`, with default and all features;
//!    then `cargo doc --workspace --all-features --no-deps` with `RUSTDOCFLAGS=-D warnings`
//! 3. the independent peers installed or checked (`cargo xtask peers`), then
//!    `cargo test --workspace`, with default and all features, then matrix-ssl's
//!    renegotiation tests with `insecure-rehandshakes` alone (all features include
//!    `require-secure-rehandshakes`, which overrides it); matrix-ffi's tests run alone
//!    (the C programs against OpenSSL, each other and valgrind), first with the C library's
//!    later features (TLS 1.2, session tickets, ECC: `FFI_LATER_FEATURES`) for the tests
//!    they change, then with its defaults; then `cargo xtask ffi`
//!    installs the C library into `target/ffi-install` and builds a C program against it;
//!    then every example built and the local ones run (`cargo xtask examples`)
//! 4. `cargo xtask features` (the table, then each library crate's builds)
//! 5. minimal feature combinations (the smallest builds users ask for); the server without
//!    certificate and key parsers is also checked to leave matrix-x509's `cert-parse` and
//!    `private-key-parsing` off, and its `keys_components` test runs in that build; the
//!    PSK-only and the ECDSA-only builds are checked to have no RSA in their feature trees
//!    and their `psk_only` / `ecdsa_only` tests run; the DER-only build (no `pem-decode`)
//!    is checked to leave matrix-x509's `pem-decode` off and its `der_only` test runs
//! 6. `cargo xtask matrix --quick`: the quick feature profiles build (min-size and
//!    release) and are measured; a profile that does not build fails CI
//!    then `cargo xtask firmware`: the profiles as Cortex-M4F firmware images (Debian's
//!    rustc-web with -Zbuild-std, arm-none-eabi-gcc), symbol checks and size budgets
//! 7. `cargo tree -d`: no duplicated RustCrypto crate
//! 8. the interop tests against the peers (`matrix-interop`, release mode), the TLS 1.2
//!    and DTLS 1.2 interop tests with matrix-interop's `tls-1-2` feature (OpenSSL, GnuTLS,
//!    tlslite-ng, and rustls 0.23 in `interop_rustls`) and the RFC 5077 ticket tests
//!    (`stateless-session-tickets`, `tests/interop_tickets.rs`) in the same run, the ECC
//!    interop tests with its `ecc` feature (OpenSSL, GnuTLS over TLS and DTLS 1.0/1.2,
//!    rustls's ECDHE suites), then the
//!    legacy-renegotiation interop tests once with each of the two features they need
//! 9. the fuzz crate's tests (every committed seed, ours and the peers', replays), then a
//!    short fuzz pass: every target 5 s on the stable runner (`cargo xtask fuzz`), which
//!    needs no nightly build of the sanitised dependencies; both once more for the ECC
//!    targets, in the fuzz crate's `ecc` build
//! 10. sslyze scans matrix-server (`cargo xtask sslyze`): the versions and suites the build
//!     enables, secure renegotiation, no vulnerability flagged; then the same for an ECC
//!     build holding an RSA and an EC identity, with its ECDHE suites and groups
//! 11. matrix-server, matrix-client and the interop tests under valgrind against the
//!     peers (`cargo xtask valgrind`, under a minute): 0 errors, 0 leaks
//! 12. the quick load test (`cargo xtask load --quick`): 50 concurrent sessions against
//!     matrix-server, no failed handshake, no lost byte, no heap growth
//!
//! "All features" means every feature of every library crate except `halt-on-ps-error`,
//! which aborts on the first traced error and so cannot run a test suite that feeds bad
//! input on purpose; it is still built by step 4.

use std::path::Path;
use std::time::Instant;

use crate::{cmd, examples, features, firmware, fuzz, load, matrix, peers, sslyze, valgrind};

/// The C ABI crate: its tests compile and run C programs (`tests/c_programs.rs`).
const FFI_PACKAGE: &str = "matrix-ffi";

/// The C library's later features (MatrixSSL 3.x's): TLS 1.2, RFC 5077 tickets, ECC and
/// the ECDHE suites the C tests use against OpenSSL. Not in matrix-ffi's default.
const FFI_LATER_FEATURES: &str = "tls-1-2,stateless-session-tickets,ecc,\
    tls-rsa-with-aes-128-gcm-sha256,tls-rsa-with-aes-256-gcm-sha384,\
    tls-ecdhe-rsa-with-aes-128-cbc-sha,tls-ecdhe-rsa-with-aes-256-cbc-sha,\
    tls-ecdhe-ecdsa-with-aes-128-cbc-sha,tls-ecdhe-ecdsa-with-aes-256-cbc-sha,\
    tls-ecdhe-rsa-with-aes-128-gcm-sha256,tls-ecdhe-rsa-with-aes-256-gcm-sha384,\
    tls-ecdhe-ecdsa-with-aes-128-gcm-sha256,tls-ecdhe-ecdsa-with-aes-256-gcm-sha384";

/// The C tests that differ with [`FFI_LATER_FEATURES`] (name filters): the ticket and ECC
/// programs against OpenSSL, the in-memory `later.c` (under valgrind), the header's
/// layouts and exported symbols, and the older programs whose session ids now carry
/// tickets (`misuse`, the guide, C to C under valgrind).
const FFI_LATER_TESTS: &[&str] = &[
    "ticket",
    "ecdhe",
    "later",
    "header_",
    "misuse",
    "developers_guide",
    "c_client_and_server_under_valgrind",
];

/// The smallest server: TLS 1.0, one AES suite, no certificate parser (its chain is sent as
/// opaque DER) and no private-key parser (its key comes from components).
const PARSER_FREE_SERVER: &str = "server-side-ssl,tls,tls-rsa-with-aes-128-cbc-sha";

/// matrix-x509 features the parser-free server must not turn on.
const PARSERS: &[&str] = &["cert-parse", "private-key-parsing"];

/// The `ecdhe-ecdsa-client` profile's library features: its only suite is a TLS 1.2 one,
/// so it speaks TLS 1.2 alone and compiles no MD5, SHA-1 or SHA-384/512
/// (`check_ecdsa_only` checks the feature tree).
const ECDHE_ECDSA_CLIENT: &str =
    "client-side-ssl,secp256r1,tls-ecdhe-ecdsa-with-aes-128-gcm-sha256";

/// Small builds that must keep compiling cleanly: (name, package, features).
const MINIMAL_COMBOS: &[(&str, &str, &str)] = &[
    ("core no_std", "matrix-core", ""),
    (
        "crypto no_std, aes+sha1+hmac",
        "matrix-crypto",
        "aes,sha1,hmac,md5",
    ),
    (
        "minimal-client: TLS 1.1 client, RSA AES-128-CBC-SHA",
        "matrix-ssl",
        "client-side-ssl,tls-1-1,tls-rsa-with-aes-128-cbc-sha",
    ),
    (
        "minimal-server: TLS 1.1 server, RSA AES-128-CBC-SHA",
        "matrix-ssl",
        "server-side-ssl,tls-1-1,tls-rsa-with-aes-128-cbc-sha",
    ),
    (
        "parser-free server: TLS 1.0, RSA AES-128-CBC-SHA, no certificate or key parser",
        "matrix-ssl",
        PARSER_FREE_SERVER,
    ),
    (
        "server with client auth (which brings the certificate parser back)",
        "matrix-ssl",
        "server-side-ssl,tls,tls-rsa-with-aes-128-cbc-sha,client-auth",
    ),
    (
        "psk-only: TLS 1.1, PSK AES-128-CBC-SHA, both roles",
        "matrix-ssl",
        "client-side-ssl,server-side-ssl,tls-1-1,tls-psk-with-aes-128-cbc-sha",
    ),
    (
        "tls12-gcm-client: TLS 1.2 client, RSA AES-128-GCM",
        "matrix-ssl",
        "client-side-ssl,tls-1-2,tls-rsa-with-aes-128-gcm-sha256",
    ),
    (
        "tls12-gcm-server: TLS 1.2 server, PSK AES-128-GCM",
        "matrix-ssl",
        "server-side-ssl,tls-1-2,tls-psk-with-aes-128-gcm-sha256",
    ),
    (
        "ecdhe-ecdsa-client: TLS-1.2-only client, ECDHE_ECDSA AES-128-GCM, P-256, no MD5/SHA-1/SHA-512",
        "matrix-ssl",
        ECDHE_ECDSA_CLIENT,
    ),
    (
        "tickets client: TLS 1.1 client, RSA AES-128-CBC-SHA, RFC 5077 tickets",
        "matrix-ssl",
        "client-side-ssl,tls-1-1,tls-rsa-with-aes-128-cbc-sha,stateless-session-tickets",
    ),
    (
        "tickets server: TLS 1.1 server, RSA AES-128-CBC-SHA, RFC 5077 tickets",
        "matrix-ssl",
        "server-side-ssl,tls-1-1,tls-rsa-with-aes-128-cbc-sha,stateless-session-tickets",
    ),
    (
        "ssl3-only server, RC4-MD5",
        "matrix-ssl",
        "server-side-ssl,ssl3,ssl-rsa-with-rc4-128-md5",
    ),
    (
        "ecdhe-rsa-client: TLS 1.2 client, ECDHE_RSA AES-128-GCM (ecc with rsa), X25519 and P-384",
        "matrix-ssl",
        "client-side-ssl,x25519,secp384r1,tls-ecdhe-rsa-with-aes-128-gcm-sha256",
    ),
    (
        "ecdhe-ecdsa-server: TLS 1.0 server without the certificate parser, ECDHE_ECDSA AES-128-CBC-SHA",
        "matrix-ssl",
        "server-side-ssl,tls,ecc,tls-ecdhe-ecdsa-with-aes-128-cbc-sha",
    ),
];

/// The package holding the tests against independent peers: run after the peers are
/// installed, in release mode (RSA in debug builds is slow), and excluded from the plain
/// test steps.
const INTEROP_PACKAGE: &str = "matrix-interop";

/// matrix-interop's features for `tests/interop_legacy_reneg.rs`, run one at a time
/// (together, `require-secure-rehandshakes` wins and the other's tests compile out).
const LEGACY_RENEGOTIATION_FEATURES: &[&str] =
    &["insecure-rehandshakes", "require-secure-rehandshakes"];

/// Seconds per fuzz target in CI (every target of `cargo xtask fuzz`).
const FUZZ_SECONDS: u64 = 5;

/// RustCrypto crates that must appear in one version only.
const RUSTCRYPTO: &[&str] = &[
    "aes",
    "des",
    "rc4",
    "cipher",
    "digest",
    "sha1",
    "md-5",
    "sha2",
    "hmac",
    "cbc",
    "crypto-bigint",
    "der",
    "spki",
    "x509-cert",
    "pkcs8",
    "pkcs5",
    "pem-rfc7468",
    "zeroize",
    "subtle",
    "block-buffer",
    "crypto-common",
    "inout",
    "hybrid-array",
    "aes-gcm",
    "aead",
    "ctr",
    "ghash",
    "polyval",
];

/// The parser-free server really leaves the parsers out (no feature of matrix-x509 that
/// compiles them is on), and its test (a handshake with `openssl s_client`, keys from
/// components, the chain as opaque DER) passes in that build.
fn check_parser_free(root: &Path) -> Result<(), String> {
    println!("-- parser-free server: matrix-x509 features and the keys_components test");
    let manifest = root.join("Cargo.toml");
    let manifest = manifest.to_string_lossy();
    let tree = cmd::output(
        "cargo",
        &[
            "tree",
            "--manifest-path",
            &manifest,
            "-p",
            "matrix-ssl",
            "--no-default-features",
            "--features",
            PARSER_FREE_SERVER,
            "-e",
            "features",
            "-i",
            "matrix-x509",
        ],
    )
    .ok_or("cargo tree failed for the parser-free server")?;
    for f in PARSERS {
        if tree.contains(&format!("matrix-x509 feature \"{f}\"")) {
            return Err(format!(
                "the parser-free server ({PARSER_FREE_SERVER}) turns on matrix-x509/{f}"
            ));
        }
    }
    // The test loads PEM chains too (the opaque-DER chain's PEM path).
    let with_std = format!("std,pem-decode,{PARSER_FREE_SERVER}");
    cmd::run(
        root,
        "cargo",
        &[
            "test",
            "-p",
            "matrix-ssl",
            "--no-default-features",
            "--features",
            &with_std,
            "--test",
            "keys_components",
        ],
    )
}

/// The PSK-only build with `std` and files: no RSA or bignum crate in its tree, and the
/// `psk_only` test (the certificate loaders are `PS_UNSUPPORTED_FAIL`, a PSK handshake
/// works).
fn check_psk_only(root: &Path) -> Result<(), String> {
    const PSK_ONLY: &str =
        "file-system,client-side-ssl,server-side-ssl,tls-1-1,tls-psk-with-aes-128-cbc-sha";
    println!("-- PSK-only: no RSA in the feature tree, and the psk_only test");
    // (edges, inverted on, what must not appear)
    let checks = [
        ("features", "matrix-crypto", "matrix-crypto feature \"rsa\""),
        ("features", "matrix-x509", "matrix-x509 feature \"x509\""),
        ("normal", "crypto-bigint", "crypto-bigint"),
    ];
    tree_lacks(root, "PSK-only", PSK_ONLY, &checks)?;
    matrix_ssl_test(root, PSK_ONLY, "psk_only")
}

/// `cargo test -p matrix-ssl --no-default-features --features FEATURES --test TEST`.
fn matrix_ssl_test(root: &Path, features: &str, test: &str) -> Result<(), String> {
    cmd::run(
        root,
        "cargo",
        &[
            "test",
            "-p",
            "matrix-ssl",
            "--no-default-features",
            "--features",
            features,
            "--test",
            test,
        ],
    )
}

/// `cargo tree` of matrix-ssl with `features` shows none of `checks`: (edges, the crate
/// the tree is inverted on, a line that must not appear).
fn tree_lacks(
    root: &Path,
    build: &str,
    features: &str,
    checks: &[(&str, &str, &str)],
) -> Result<(), String> {
    let manifest = root.join("Cargo.toml");
    let manifest = manifest.to_string_lossy();
    for (edges, inverted, bad) in checks {
        // `cargo tree -i` of a crate outside the tree fails: that is the good case.
        let tree = cmd::output(
            "cargo",
            &[
                "tree",
                "--manifest-path",
                &manifest,
                "-p",
                "matrix-ssl",
                "--no-default-features",
                "--features",
                features,
                "-e",
                edges,
                "-i",
                inverted,
            ],
        )
        .unwrap_or_default();
        if tree.contains(bad) {
            return Err(format!("the {build} build ({features}) has {bad}"));
        }
    }
    Ok(())
}

/// The ECDSA-only build with one curve (ECDHE_ECDSA suites, both roles, `std`,
/// `secp256r1`, and `pkcs5`/`pkcs8`/`pkcs12` for encrypted EC keys): no RSA in its feature tree (matrix-crypto `rsa`, which brings matrix's
/// bignum, and `dh`; matrix-x509 `x509` and `private-key-parsing`, the RSA certificate and
/// key code) and no other curve (matrix-crypto `ecc-p384`, `x25519`), and the `ecdsa_only`
/// test (ECDHE_ECDSA handshakes on P-256, RSA loaders and P-384 keys
/// `PS_UNSUPPORTED_FAIL`, encrypted EC keys and EC PKCS#12 files loaded, an RSA link in
/// a chain and a P-384 chain refused (bad_certificate), a ClientHello offering only X25519
/// or P-384 answered with handshake_failure). P-256 is matrix's own code (`ec/p256`), so
/// the tree also lacks crypto-bigint and the RustCrypto curve crates; the firmware symbol
/// check of the `ecdhe-ecdsa-client` profile finds matrix's own bignum by name. The build
/// names no version, so it is TLS-1.2-only: the test also checks that both roles refuse
/// older versions with protocol_version. Then the `ecdhe-ecdsa-client` profile's feature
/// tree: TLS 1.2 alone (no matrix-ssl `tls`), so no MD5 or SHA-1, and no SHA-384/512.
fn check_ecdsa_only(root: &Path) -> Result<(), String> {
    // pkcs5, pkcs8 and pkcs12: encrypted EC keys and EC PKCS#12 files load without RSA.
    const ECDSA_ONLY: &str = "std,pem-decode,pkcs5,pkcs8,pkcs12,client-side-ssl,server-side-ssl,\
        secp256r1,tls-ecdhe-ecdsa-with-aes-128-gcm-sha256,tls-ecdhe-ecdsa-with-aes-128-cbc-sha";
    println!(
        "-- ECDSA-only, P-256 only, with encrypted keys and PKCS#12: no RSA, P-384 or X25519 in the feature tree, and the ecdsa_only test"
    );
    let checks = [
        ("features", "matrix-crypto", "matrix-crypto feature \"rsa\""),
        ("features", "matrix-crypto", "matrix-crypto feature \"dh\""),
        ("features", "matrix-x509", "matrix-x509 feature \"x509\""),
        (
            "features",
            "matrix-x509",
            "matrix-x509 feature \"private-key-parsing\"",
        ),
        (
            "features",
            "matrix-crypto",
            "matrix-crypto feature \"ecc-p384\"",
        ),
        (
            "features",
            "matrix-crypto",
            "matrix-crypto feature \"x25519\"",
        ),
        // `cargo tree -i` of a crate outside the tree prints nothing.
        ("normal", "crypto-bigint", "crypto-bigint v"),
        ("normal", "p256", "p256 v"),
        ("normal", "elliptic-curve", "elliptic-curve v"),
    ];
    tree_lacks(root, "ECDSA-only", ECDSA_ONLY, &checks)?;
    // The TLS-1.2-only ECDSA client (issue 19): none of the older versions' hashes, and no
    // SHA-384/512 without a suite or curve that needs them.
    let tls12_only = [
        ("features", "matrix-ssl", "matrix-ssl feature \"tls\""),
        ("features", "matrix-crypto", "matrix-crypto feature \"md5\""),
        (
            "features",
            "matrix-crypto",
            "matrix-crypto feature \"sha1\"",
        ),
        (
            "features",
            "matrix-crypto",
            "matrix-crypto feature \"sha512\"",
        ),
        ("normal", "md-5", "md-5 v"),
        ("normal", "sha1", "sha1 v"),
    ];
    tree_lacks(
        root,
        "TLS-1.2-only ECDSA client",
        ECDHE_ECDSA_CLIENT,
        &tls12_only,
    )?;
    matrix_ssl_test(root, ECDSA_ONLY, "ecdsa_only")
}

/// The DER-only build (`pem-decode` off, as in the firmware profiles, with RSA, DHE_RSA and
/// ECDHE_ECDSA suites and the key parser): matrix-x509's `pem-decode` is not in its feature
/// tree, and the `der_only` test (every loader takes DER and the handshakes complete; PEM
/// is `PS_UNSUPPORTED_FAIL`) passes.
fn check_der_only(root: &Path) -> Result<(), String> {
    const DER_ONLY: &str = "std,client-side-ssl,server-side-ssl,tls-1-1,private-key-parsing,\
        tls-rsa-with-aes-128-cbc-sha,tls-dhe-rsa-with-aes-128-cbc-sha,\
        secp256r1,tls-ecdhe-ecdsa-with-aes-128-cbc-sha";
    println!("-- DER-only: no pem-decode in the feature tree, and the der_only test");
    let checks = [(
        "features",
        "matrix-x509",
        "matrix-x509 feature \"pem-decode\"",
    )];
    tree_lacks(root, "DER-only", DER_ONLY, &checks)?;
    matrix_ssl_test(root, DER_ONLY, "der_only")
}

/// The compact in-tree AES (`aes-improve-perf-increase-codesize` off, as in the firmware
/// and minimal profiles) passes the AES known answers, SP 800-38A CBC, Wycheproof AES-CBC
/// and the OpenSSL comparison through matrix-crypto's API (the default build tests the
/// `aes` crate's AES); its compact AES-GCM passes Wycheproof AES-GCM and the comparison
/// with the `aes-gcm` crate on random inputs (the `--lib` tests).
fn check_compact_aes(root: &Path) -> Result<(), String> {
    println!(
        "-- compact AES and AES-GCM: matrix-crypto symmetric tests without aes-improve-perf-increase-codesize"
    );
    cmd::run(
        root,
        "cargo",
        &[
            "test",
            "-p",
            "matrix-crypto",
            "--no-default-features",
            "--features",
            "std,aes,aes-gcm",
            "--lib",
            "--test",
            "symmetric",
            "--test",
            "symmetric_openssl",
            "--test",
            "aes_gcm_wycheproof",
        ],
    )
}

/// RSA as the firmware and minimal profiles build it (no fixed-size kernel feature: one
/// CIOS Montgomery kernel and the constant-time Fermat blinding inverse of `rsa/inverse.rs`
/// instead of crypto-bigint's safegcd) passes the RSA Wycheproof tests, the OpenSSL
/// comparison, the blinding and property tests and the inverse's known answers against
/// num-bigint (the `--lib` tests); the default build tests the other code.
fn check_compact_rsa(root: &Path) -> Result<(), String> {
    println!("-- compact RSA: matrix-crypto RSA tests without the fixed-size kernel features");
    cmd::run(
        root,
        "cargo",
        &[
            "test",
            "-p",
            "matrix-crypto",
            "--no-default-features",
            "--features",
            "std,rsa,md5,sha1",
            "--lib",
            "--test",
            "rsa_wycheproof",
            "--test",
            "rsa_openssl",
            "--test",
            "rsa_blinding",
            "--test",
            "rsa_props",
        ],
    )
}

/// The bignum with 32-bit limbs, as 32-bit targets (the firmware images) build it, on this
/// 64-bit host (`--cfg matrix_limb32`, in a target directory of its own so that the other
/// steps' builds stay valid): RSA as the firmware builds it (one CIOS kernel, the Fermat
/// blinding inverse) and with the default features (product scanning, the fixed-size
/// kernels, crypto-bigint's safegcd), through the RSA Wycheproof, OpenSSL, blinding and
/// property tests, the bignum and DH property tests against num-bigint, and the `--lib`
/// tests (the inverse's known answers). Both builds add `ecc`: P-256 on eight 32-bit limbs
/// (`ec/p256/limbs32.rs`) through the `p256` crate oracle and the Wycheproof ECDH/ECDSA
/// files, with the firmware's small code (Shamir's verifier, square-and-multiply
/// inversions) and with the default build's `ecc-improve-perf-increase-codesize`.
/// Both also compile SHA-256 as the firmware does (`--cfg sha2_backend_soft="compact"`:
/// matrix's compact SHA-256 on the MD5/SHA-1 buffer code), which the first build puts
/// through the FIPS 180 known answers, HMAC's Wycheproof files and the DRBG's CAVP vectors.
fn check_limb32(root: &Path) -> Result<(), String> {
    println!(
        "-- 32-bit limbs: matrix-crypto bignum, RSA, DH and P-256 tests with --cfg matrix_limb32"
    );
    let target = root.join("target/limb32");
    let target = target.to_string_lossy();
    let env = [(
        "RUSTFLAGS",
        "--cfg matrix_limb32 --cfg sha2_backend_soft=\"compact\"",
    )];
    for features in ["std,rsa,dh,md5,sha1,ecc", "dh,ecc"] {
        let mut args = vec!["test", "-p", "matrix-crypto", "--target-dir", &target];
        if features != "dh,ecc" {
            args.push("--no-default-features");
        }
        args.extend(["--features", features, "--lib"]);
        for t in [
            "bignum_props",
            "dh_props",
            "rsa_wycheproof",
            "rsa_openssl",
            "rsa_blinding",
            "rsa_props",
            "p256_oracle",
            "ec_wycheproof",
        ] {
            args.extend(["--test", t]);
        }
        if features != "dh,ecc" {
            args.extend([
                "--test",
                "hash_kat",
                "--test",
                "mac_wycheproof",
                "--test",
                "drbg_kat",
            ]);
        }
        cmd::run_env(root, "cargo", &args, &env)?;
    }
    Ok(())
}

/// Every feature of the library crates except `halt-on-ps-error`, as `crate/feature,...`.
pub fn all_test_features(root: &Path) -> Result<String, String> {
    let inputs = features::Inputs::read(root)?;
    let mut list = Vec::new();
    for (c, fs) in &inputs.manifests {
        for f in fs.keys() {
            if f != "default" && f != "halt-on-ps-error" {
                list.push(format!("{c}/{f}"));
            }
        }
    }
    Ok(list.join(","))
}

/// Runs every step, stopping at the first failure.
pub fn run(root: &Path) -> Result<(), String> {
    let start = Instant::now();
    let all = all_test_features(root)?;
    let mut timings: Vec<(String, f64)> = Vec::new();
    let mut step = |name: &str, f: &mut dyn FnMut() -> Result<(), String>| {
        println!("\n######## {name}");
        let t = Instant::now();
        let r = f();
        timings.push((name.to_string(), t.elapsed().as_secs_f64()));
        r.map_err(|e| format!("step `{name}` failed: {e}"))
    };

    step("format", &mut || {
        cmd::run(root, "cargo", &["fmt", "--all", "--check"])
    })?;
    step("clippy (default features)", &mut || {
        cmd::run(
            root,
            "cargo",
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        )
    })?;
    step("clippy (all features)", &mut || {
        cmd::run(
            root,
            "cargo",
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--features",
                &all,
                "--",
                "-D",
                "warnings",
            ],
        )
    })?;
    // Both ends of the feature range: an intra-doc link to an item that exists only with
    // some feature breaks one of the two builds (it happened with BlockPool and pkcs12).
    step("docs (rustdoc -D warnings)", &mut || {
        cmd::run_env(
            root,
            "cargo",
            &["doc", "--workspace", "--all-features", "--no-deps"],
            &[("RUSTDOCFLAGS", "-D warnings")],
        )?;
        cmd::run_env(
            root,
            "cargo",
            &["doc", "--workspace", "--no-deps"],
            &[("RUSTDOCFLAGS", "-D warnings")],
        )
    })?;
    // The peers come first: the apps' tests and the interop tests both talk to them.
    let mut python = String::new();
    step("peers (installed or checked)", &mut || {
        let p = peers::ensure(root)?;
        println!("peers ready: {}", p.summary());
        python = p.python.to_string_lossy().into_owned();
        Ok(())
    })?;
    let peers_env = [("MATRIX_PEERS_PYTHON", python.as_str())];
    step("tests (default features)", &mut || {
        cmd::run_env(
            root,
            "cargo",
            &[
                "test",
                "--workspace",
                "--exclude",
                INTEROP_PACKAGE,
                "--exclude",
                FFI_PACKAGE,
            ],
            &peers_env,
        )
    })?;
    step(
        "C API: matrix-ffi's C programs, then `cargo xtask ffi` installs",
        &mut || {
            // Alone, so that its features (client-auth, pkcs12, DTLS...) do not unify into the
            // default-features test run above. It needs cc, pkg-config and valgrind.
            crate::ffi::ensure_test_tools(root)?;
            // The later features first: libmatrixssl.a/.so have no hash in their names, so
            // the build that runs last leaves its own for `cargo xtask ffi` below.
            let mut later = vec![
                "test",
                "-p",
                FFI_PACKAGE,
                "--features",
                FFI_LATER_FEATURES,
                "--test",
                "c_programs",
                "--",
            ];
            later.extend_from_slice(FFI_LATER_TESTS);
            cmd::run(root, "cargo", &later)?;
            cmd::run(root, "cargo", &["test", "-p", FFI_PACKAGE])?;
            crate::ffi::run(
                root,
                &crate::ffi::Options::parse(&[
                    "--prefix".into(),
                    root.join("target/ffi-install").display().to_string(),
                    "--debug".into(),
                ])?,
            )
        },
    )?;
    step("tests (all features)", &mut || {
        cmd::run_env(
            root,
            "cargo",
            &[
                "test",
                "--workspace",
                "--exclude",
                INTEROP_PACKAGE,
                "--exclude",
                FFI_PACKAGE,
                "--features",
                &all,
            ],
            &peers_env,
        )
    })?;
    step("tests (insecure-rehandshakes alone)", &mut || {
        cmd::run(
            root,
            "cargo",
            &[
                "test",
                "-p",
                "matrix-ssl",
                "--features",
                "insecure-rehandshakes",
                "--lib",
                "--test",
                "rehandshake",
                "--test",
                "rehandshake_limit",
                "--test",
                "hostile",
            ],
        )
    })?;
    step("examples (built; the local ones run)", &mut || {
        examples::run(root)
    })?;
    step("feature table", &mut || features::run(root, true))?;
    step("minimal feature combinations", &mut || {
        for (name, package, feats) in MINIMAL_COMBOS {
            println!("-- {name}");
            let mut args = vec!["clippy", "--quiet", "-p", package, "--no-default-features"];
            if !feats.is_empty() {
                args.extend_from_slice(&["--features", feats]);
            }
            args.extend_from_slice(&["--", "-D", "warnings"]);
            cmd::run(root, "cargo", &args)?;
        }
        check_parser_free(root)?;
        check_psk_only(root)?;
        check_ecdsa_only(root)?;
        check_der_only(root)?;
        check_compact_aes(root)?;
        check_compact_rsa(root)?;
        check_limb32(root)
    })?;
    step("feature profiles (cargo xtask matrix --quick)", &mut || {
        matrix::run(root, true)
    })?;
    step("firmware images (cargo xtask firmware)", &mut || {
        firmware::run(root, &[])
    })?;
    step("no duplicated RustCrypto crates", &mut || {
        let out = cmd::output(
            "cargo",
            &[
                "tree",
                "-d",
                "--workspace",
                "--features",
                &all,
                "-e",
                "normal",
                // Only the duplicated packages themselves, not the trees that use them.
                "--depth",
                "0",
                "--prefix",
                "none",
                "--format",
                "{p}",
            ],
        )
        .ok_or("cargo tree failed")?;
        let dups: Vec<&str> = out
            .lines()
            .filter(|l| {
                let name = l.split_whitespace().next().unwrap_or_default();
                RUSTCRYPTO.contains(&name)
            })
            .collect();
        if dups.is_empty() {
            println!("no RustCrypto crate appears twice");
            Ok(())
        } else {
            Err(format!("duplicated RustCrypto crates: {}", dups.join(", ")))
        }
    })?;
    step("interop against independent peers", &mut || {
        cmd::run_env(
            root,
            "cargo",
            &["test", "--release", "-p", INTEROP_PACKAGE],
            &peers_env,
        )
    })?;
    // TLS 1.2 and DTLS 1.2 against default OpenSSL 3 and GnuTLS, while `tls-1-2` is not a
    // default of matrix-interop's matrix-ssl, and RFC 5077 session tickets (one build for all).
    step("interop TLS 1.2, DTLS 1.2 and session tickets", &mut || {
        cmd::run_env(
            root,
            "cargo",
            &[
                "test",
                "--release",
                "-p",
                INTEROP_PACKAGE,
                "--features",
                "tls-1-2,stateless-session-tickets",
                "--test",
                "interop_tls12",
                "--test",
                "interop_tickets",
                "--test",
                "dtls12",
                "--test",
                "dtls_tickets",
                "--test",
                "interop_rustls",
            ],
            &peers_env,
        )
    })?;
    // ECDHE and ECDSA (issue 19's acceptance) against OpenSSL 3 and GnuTLS, while `ecc` is
    // not a default.
    step("interop ECC (ecc)", &mut || {
        cmd::run_env(
            root,
            "cargo",
            &[
                "test",
                "--release",
                "-p",
                INTEROP_PACKAGE,
                "--features",
                "ecc",
                "--test",
                "interop_ecc",
                "--test",
                "dtls_ecc",
                "--test",
                "interop_rustls",
            ],
            &peers_env,
        )
    })?;
    // Peers without RFC 5746 against each non-default renegotiation feature (the file
    // compiles to no test without one of them).
    for feature in LEGACY_RENEGOTIATION_FEATURES {
        step(&format!("interop with {feature}"), &mut || {
            cmd::run_env(
                root,
                "cargo",
                &[
                    "test",
                    "--release",
                    "-p",
                    INTEROP_PACKAGE,
                    "--features",
                    feature,
                    "--test",
                    "interop_legacy_reneg",
                ],
                &peers_env,
            )
        })?;
    }
    step("fuzz seeds replay (fuzz crate tests)", &mut || {
        fuzz::test(root)
    })?;
    step("short fuzz pass (stable runner)", &mut || {
        fuzz::run(
            root,
            &fuzz::Options {
                seconds: FUZZ_SECONDS,
                stable: true,
                targets: Vec::new(),
            },
        )
    })?;
    step("sslyze scan of matrix-server", &mut || {
        sslyze::run(root, std::path::Path::new(&python))
    })?;
    // The same scan of an ECC build (matrix-apps' `ecc`) holding an RSA and an EC identity.
    step("sslyze scan of matrix-server (ecc)", &mut || {
        sslyze::run_ecc(root, std::path::Path::new(&python))
    })?;
    step(
        "valgrind (matrix-server, matrix-client, interop tests)",
        &mut || valgrind::run(root, std::path::Path::new(&python)),
    )?;
    step("quick load test (cargo xtask load --quick)", &mut || {
        load::run(root, &load::Options::parse(&["--quick".to_string()])?)
    })?;

    println!("\n######## summary");
    for (name, secs) in &timings {
        println!("{secs:>8.1} s  {name}");
    }
    println!(
        "cargo xtask ci: all steps passed in {:.1} s",
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
