//! `cargo xtask firmware`: the feature profiles built for a Cortex-M4F
//! (`thumbv7em-none-eabihf`) as linked firmware images, sized, checked and held to budgets.
//!
//! For each profile of `profiles.toml` with a `firmware` key, the `firmware/` crate (its
//! own workspace, outside the library crates) is built as a `no_std` + `alloc` staticlib
//! with the profile's library features (a `default` of a library crate is expanded to its
//! features minus `std` and `file-system`), opt-level "z", fat LTO, one codegen unit and
//! panics that abort at once (see [`rustflags`]), then linked with `arm-none-eabi-gcc --gc-sections` to its C `main`
//! (`firmware/c/main.c`) into an image that runs the profile's roles: open a context with
//! the board's entropy and clock, load the keys, handshake, one message each way, the
//! close alert. The same `main` without the TLS call is the empty program; the image's
//! text minus the empty program's is the library's share (the footprint issue's method).
//!
//! The Cortex-M `core` and `alloc` are built from source: Debian's `rustc-web` (rustc
//! 1.96) and `rust-web-src` (its library source) with
//! `-Zbuild-std=core,alloc -Zbuild-std-features=compiler-builtins-mem` under
//! `RUSTC_BOOTSTRAP=1`, for this build only (the workspace builds with the stable
//! toolchain as always). Missing packages are installed with apt when running as root
//! (CI); a toolchain that is still missing fails the command.
//!
//! Checks per profile:
//! - the symbols of the image contain none of a disabled feature's (`FORBIDDEN`): no SSL
//!   3.0 code without `ssl3`, no DH without a DH suite, no MD5 record MAC without an MD5
//!   suite, no certificate parser without a client or `cert-parse` and an RSA suite, no
//!   RSA without an RSA suite or the key parser, no bignum without RSA or DH (so the
//!   PSK-only profile links none of RSA, DH, the bignum or the parser), no PEM decoder or
//!   base64 without `pem-decode` (the images load DER), no compiler-builtins memory
//!   routines (the image links the C library's: `C_LIBRARY_MEMORY_ROUTINES`, and its
//!   `__aeabi_memset` is main.c's call of `memset`: `second_fill`), no formatting code
//!   (`core::fmt`) at all (`KNOWN_GAPS` lists what is reported instead of failed until its
//!   work lands: nothing today);
//! - the library text is within the profile's budget in `firmware/budgets.toml` (raised
//!   only by a commit that says why);
//! - the size orders of `SIZE_ORDER` hold among the profiles built (the ECDHE-ECDSA client
//!   below the RSA minimal client).
//!
//! Then the host-side test of the image's allocator (`firmware/tests/pool_alloc.rs`) runs:
//! the same `PoolAlloc` as the test program's global allocator under a real handshake,
//! printing each block class's high-water mark. Reports: `target/firmware/report.md`,
//! `report.csv`, `report.svg`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::matrix::{Profile, Size, profiles};

/// The target triple of the images.
pub const TARGET: &str = "thumbv7em-none-eabihf";

/// The Debian packages of the toolchain.
const PACKAGES: [&str; 3] = ["rustc-web", "rust-web-src", "gcc-arm-none-eabi"];

/// Flags of every C compile and link (the footprint baseline's).
const GCC_FLAGS: [&str; 12] = [
    "-mcpu=cortex-m4",
    "-mthumb",
    "-mfloat-abi=hard",
    "-mfpu=fpv4-sp-d16",
    "-Os",
    "-ffunction-sections",
    "-fdata-sections",
    "-Wl,--gc-sections",
    "--specs=nano.specs",
    "--specs=nosys.specs",
    "-Wl,--no-warn-rwx-segments",
    "-Wl,-z,noexecstack",
];

/// The memory routines the Rust code calls (the ARM EABI names LLVM emits, and `memcmp`),
/// taken from the C library the image links anyway (newlib nano, as a C firmware takes
/// them) rather than from compiler-builtins: `-Zbuild-std-features=compiler-builtins-mem`
/// still builds compiler-builtins' versions, as weak symbols, for an image without a C
/// library; here they would be a second copy, and larger (its word-wise `memmove` alone is
/// 658 B against newlib nano's 58 B `__aeabi_memmove`; about 0.5 KB per image in all).
/// The image's link names them undefined ahead of the C library, so its strong definitions
/// are pulled in before the Rust archive's weak ones are looked at. Only the images: the
/// empty program links none of them, so they count in the library's share.
const C_LIBRARY_MEMORY_ROUTINES: [&str; 13] = [
    "__aeabi_memcpy",
    "__aeabi_memcpy4",
    "__aeabi_memcpy8",
    "__aeabi_memmove",
    "__aeabi_memmove4",
    "__aeabi_memmove8",
    "__aeabi_memset",
    "__aeabi_memset4",
    "__aeabi_memset8",
    "__aeabi_memclr",
    "__aeabi_memclr4",
    "__aeabi_memclr8",
    "memcmp",
];

/// Size orders that CI keeps (`smaller`, `larger`, why): when both profiles are built in one
/// run, `smaller`'s library text must be below `larger`'s. A budget alone would not see the
/// order flip when the other profile shrinks.
const SIZE_ORDER: &[(&str, &str, &str)] = &[(
    "ecdhe-ecdsa-client",
    "minimal-client",
    "the ECDHE-ECDSA client stays smaller than the RSA minimal client (issue 19's target)",
)];

/// The budgets, compiled in so that the file and the command never disagree.
const BUDGETS: &str = include_str!("../../firmware/budgets.toml");

/// A symbol family that must not be linked unless a feature that needs it is on.
struct Forbidden {
    /// What the symbols are, for the failure message.
    what: &'static str,
    /// Substrings of demangled symbol names.
    patterns: &'static [&'static str],
    /// Whether the profile's features (comma-joined, defaults expanded) allow them.
    allowed: fn(&str) -> bool,
}

/// Whether the feature list names a suite with RSA key exchange or authentication.
fn has_rsa_suite(f: &str) -> bool {
    f.contains("-rsa-with-")
}

/// Whether the feature list names a suite with ECDSA authentication (which parses and
/// verifies certificates without RSA).
fn has_ecdsa_suite(f: &str) -> bool {
    f.contains("-ecdsa-with-")
}

/// Whether the feature list names one of matrix-crypto's fixed-size Montgomery kernel
/// features (which also choose crypto-bigint's safegcd for the RSA blinding inverse).
fn has_fixed_size_kernels(f: &str) -> bool {
    f.contains("pubkey-fixed-size-kernels")
        || f.contains("pubkey-improve-perf-increase-codesize")
        || f.contains("1024-key-speed-optimizations")
}

/// Whether the feature list needs matrix's bignum: RSA or Diffie-Hellman.
fn needs_bignum(f: &str) -> bool {
    has_rsa_suite(f)
        || f.contains("private-key-parsing")
        || f.contains("-dhe-")
        || f.contains("-dh-anon-")
}

/// Whether the feature list names a version older than TLS 1.2 (SSL 3.0, TLS 1.0, TLS 1.1,
/// DTLS 1.0), which bring MD5 and SHA-1 (their PRF, Finished and handshake hashes). A
/// build that names only `tls-1-2` or only TLS 1.2 suites speaks TLS 1.2 alone.
fn has_legacy_version(f: &str) -> bool {
    f.split(',').any(|x| {
        matches!(
            x,
            "matrix-ssl/ssl3"
                | "matrix-ssl/tls"
                | "matrix-ssl/tls-1-1"
                | "matrix-ssl/dtls"
                | "dtls"
        )
    })
}

/// Whether the feature list names a suite whose record MAC is HMAC-SHA1 (`..._SHA`).
fn has_sha1_suite(f: &str) -> bool {
    f.split(',')
        .any(|x| x.starts_with("matrix-ssl/") && x.contains("-with-") && x.ends_with("-sha"))
}

/// Whether the feature list compiles SHA-384/512: a `_SHA384` suite, P-384, a TLS 1.2
/// suite authenticated with RSA (matrix-ssl turns `sha512` on for their certificates), or
/// `sha512` by name.
fn has_sha512(f: &str) -> bool {
    has_curve(f, "secp384r1")
        || f.split(',').any(|x| {
            x.ends_with("-sha384")
                || x.ends_with("/sha512")
                || (x.contains("-rsa-with-") && (x.contains("-gcm-") || x.ends_with("-sha256")))
        })
}

/// The symbol families of features (checked against the demangled names of `nm`).
const FORBIDDEN: &[Forbidden] = &[
    Forbidden {
        what: "SSL 3.0",
        patterns: &["Ssl3", "ssl3"],
        allowed: |f| f.contains("matrix-ssl/ssl3"),
    },
    Forbidden {
        what: "Diffie-Hellman",
        patterns: &["matrix_crypto::dh::", "DhGroup"],
        allowed: |f| f.contains("-dhe-") || f.contains("-dh-anon-"),
    },
    Forbidden {
        what: "the MD5 record MAC",
        patterns: &[
            "mac::Tls<matrix_crypto::hash::Md5>",
            "mac::Ssl3<matrix_crypto::hash::Md5>",
        ],
        allowed: |f| f.contains("-md5"),
    },
    Forbidden {
        // MD5 is the hash of SSL 3.0 and TLS 1.0/1.1 (PRF, Finished, MD5 || SHA-1
        // transcript) and of the MD5 suites; a TLS-1.2-only image links none.
        what: "MD5 (SSL 3.0 to TLS 1.1, the MD5 suites)",
        patterns: &["md5::", "Md5"],
        allowed: |f| has_legacy_version(f) || f.contains("-md5"),
    },
    Forbidden {
        // SHA-1: the older versions' hash, the `_SHA` suites' MAC, or the SHA-1 DRBG; a
        // TLS-1.2-only GCM image (ecdhe-ecdsa-client) links none.
        what: "SHA-1 (SSL 3.0 to TLS 1.1, the _SHA suites, drbg-sha1)",
        patterns: &["sha1::", "Sha1"],
        allowed: |f| has_legacy_version(f) || has_sha1_suite(f) || f.contains("drbg-sha1"),
    },
    Forbidden {
        what: "SHA-384/512 (the _SHA384 suites, P-384, TLS 1.2 RSA suites, `sha512`)",
        patterns: &["Sha384", "Sha512", "compress512"],
        allowed: has_sha512,
    },
    Forbidden {
        what: "the X.509 certificate parser",
        patterns: &["matrix_x509::cert::", "matrix_x509::extensions::"],
        allowed: |f| {
            (has_rsa_suite(f) || has_ecdsa_suite(f))
                && (f.contains("client") || f.contains("cert-parse"))
        },
    },
    Forbidden {
        // `pem::is_pem` (a byte search) stays in every build: the loaders refuse PEM with it.
        what: "PEM decoding and base64",
        patterns: &[
            "matrix_x509::pem::parse",
            "matrix_x509::pem::base64",
            "matrix_x509::pem::boundary",
            "PemBlock",
        ],
        allowed: |f| f.contains("pem-decode"),
    },
    Forbidden {
        // The image takes the C library's (`C_LIBRARY_MEMORY_ROUTINES`).
        what: "compiler-builtins' memory routines",
        patterns: &["compiler_builtins::mem::"],
        allowed: |_| false,
    },
    Forbidden {
        what: "formatting (core::fmt)",
        patterns: &["core::fmt::"],
        allowed: |_| false,
    },
    Forbidden {
        what: "RSA",
        patterns: &["matrix_crypto::rsa::", "MontCtx"],
        allowed: |f| has_rsa_suite(f) || f.contains("private-key-parsing"),
    },
    Forbidden {
        what: "the bignum (RSA and DH arithmetic)",
        patterns: &["matrix_crypto::bignum::"],
        allowed: needs_bignum,
    },
    Forbidden {
        // The p384 crate does its field arithmetic with it (P-256 is matrix's own code,
        // `ec/p256`); RSA uses its safegcd for the blinding inverse only with a fixed-size
        // kernel feature (without one, `rsa/inverse.rs` inverts by Fermat over matrix's own
        // Montgomery code), and DH never does. So an RSA image such as minimal-server or
        // minimal-client, and a P-256-only one, links none.
        what: "crypto-bigint (P-384, or RSA's blinding with fixed-size kernels)",
        patterns: &["crypto_bigint::"],
        allowed: links_crypto_bigint,
    },
    Forbidden {
        // matrix-ssl's curve features (issue 19): a P-256-only profile links neither, nor
        // the RustCrypto curve framework that only P-384 still uses.
        what: "the P-384 curve",
        patterns: &["p384::", "primeorder::", "elliptic_curve::"],
        allowed: |f| has_curve(f, "secp384r1"),
    },
    Forbidden {
        what: "the X25519 curve",
        patterns: &["x25519_dalek::", "curve25519_dalek::"],
        allowed: |f| has_curve(f, "x25519"),
    },
];

/// Whether a profile may link crypto-bigint: with P-384, or RSA/DH with fixed-size kernels.
fn links_crypto_bigint(f: &str) -> bool {
    has_curve(f, "secp384r1") || (needs_bignum(f) && has_fixed_size_kernels(f))
}

/// Whether the feature list turns on matrix-ssl's curve `curve` (by name, or all curves
/// with `ecc`).
fn has_curve(f: &str, curve: &str) -> bool {
    f.split(',')
        .any(|x| x == "matrix-ssl/ecc" || x == format!("matrix-ssl/{curve}"))
}

/// Symbol families a profile still links although its features do not name them, until
/// the work that removes them lands: (profile, family). Reported in the report's notes,
/// not failed; remove an entry when its symbols are gone (then they fail again).
const KNOWN_GAPS: &[(&str, &str)] = &[];

/// What one profile's image measured.
#[derive(Debug, Default)]
pub struct FwRow {
    /// The profile's name.
    pub name: String,
    /// The image's sections.
    pub image: Size,
    /// Text minus the empty program's.
    pub library_text: u64,
    /// The budget of the library text, if any.
    pub budget: Option<u64>,
    /// Largest symbols' crates: (crate, bytes).
    pub crates: Vec<(String, u64)>,
    /// Known gaps of the symbol check (`KNOWN_GAPS`) this image shows.
    pub gaps: Vec<String>,
    /// The same profile's x86_64 library text from the last `cargo xtask matrix` report
    /// (`target/matrix/report.csv`), when there is one.
    pub x86_64_text: Option<u64>,
}

/// The x86_64 library text of `profile` in `cargo xtask matrix`'s last CSV report.
fn x86_64_library_text(root: &Path, profile: &str) -> Option<u64> {
    let csv = std::fs::read_to_string(root.join("target/matrix/report.csv")).ok()?;
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next()?.split(',').collect();
    let col = header.iter().position(|h| *h == "library_text")?;
    lines
        .map(|l| l.split(',').collect::<Vec<_>>())
        .find(|f| f.first() == Some(&profile))?
        .get(col)?
        .parse()
        .ok()
}

/// The Debian rustc: its path, if installed with its library source.
fn debian_rustc() -> Option<PathBuf> {
    ["/usr/lib/rust-web/bin/rustc", "/usr/bin/rustc"]
        .iter()
        .map(PathBuf::from)
        .find(|p| {
            let sysroot = Command::new(p)
                .args(["--print", "sysroot"])
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
            sysroot.is_some_and(|s| {
                Path::new(&s)
                    .join("lib/rustlib/src/rust/library/core")
                    .is_dir()
            })
        })
}

/// Whether `arm-none-eabi-gcc` runs.
fn have_gcc() -> bool {
    crate::cmd::output("arm-none-eabi-gcc", &["--version"]).is_some()
}

/// Finds the toolchain, installing the Debian packages first when missing and root.
fn toolchain() -> Result<PathBuf, String> {
    if let (Some(rustc), true) = (debian_rustc(), have_gcc()) {
        return Ok(rustc);
    }
    let root = crate::cmd::output("id", &["-u"]).is_some_and(|u| u.trim() == "0");
    if root {
        let here = Path::new("/");
        crate::cmd::run(
            here,
            "apt-get",
            &["-o", "DPkg::Lock::Timeout=600", "update"],
        )?;
        let mut args = vec!["-o", "DPkg::Lock::Timeout=600", "install", "-y"];
        args.extend(PACKAGES);
        crate::cmd::run(here, "apt-get", &args)?;
    }
    match (debian_rustc(), have_gcc()) {
        (Some(rustc), true) => Ok(rustc),
        _ => Err(format!(
            "the firmware toolchain is missing: `apt-get install -y {}` (as root) gives \
             Debian's rustc with its library source and arm-none-eabi-gcc",
            PACKAGES.join(" ")
        )),
    }
}

/// A library crate's `default` features for a firmware: `std` and `file-system` dropped,
/// and so is every default that turns `std` on itself (matrix-crypto's
/// `ecc-improve-perf-increase-codesize`: its tables live in a `std` `LazyLock`); a lower
/// crate's `default` expanded the same way, each prefixed with its crate.
fn no_std_defaults(root: &Path, krate: &str) -> Result<Vec<String>, String> {
    let path = root.join(krate).join("Cargo.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let doc: toml::Table = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let list = doc
        .get("features")
        .and_then(|f| f.get("default"))
        .and_then(toml::Value::as_array)
        .ok_or(format!("{}: no default feature", path.display()))?;
    let needs_std = |f: &str| {
        doc.get("features")
            .and_then(|t| t.get(f))
            .and_then(toml::Value::as_array)
            .is_some_and(|l| l.iter().any(|v| v.as_str() == Some("std")))
    };
    let mut out = Vec::new();
    for f in list.iter().filter_map(toml::Value::as_str) {
        match f.split_once('/') {
            Some((lower, "default")) => out.extend(no_std_defaults(root, lower)?),
            Some(_) => out.push(f.to_string()),
            None if f == "std" || f == "file-system" || needs_std(f) => {}
            None => out.push(format!("{krate}/{f}")),
        }
    }
    Ok(out)
}

/// The firmware crate's features for a profile: the roles, the image's own features
/// (`firmware` in profiles.toml), and the library features with defaults expanded.
pub fn firmware_features(root: &Path, p: &Profile) -> Result<Vec<String>, String> {
    let mut out: Vec<String> = p.firmware.clone().unwrap_or_default();
    for f in &p.features {
        match f.split_once('/') {
            Some((krate, "default")) => out.extend(no_std_defaults(root, krate)?),
            _ => out.push(f.clone()),
        }
    }
    out.dedup();
    Ok(out)
}

/// text/data/bss of an ELF by `arm-none-eabi-size`.
fn size_of(elf: &Path) -> Result<Size, String> {
    crate::matrix::size_by("arm-none-eabi-size", elf)
}

/// Links `main.c` (with `defines`) and `lib` (if any) into `elf`.
fn link(root: &Path, defines: &[&str], lib: Option<&Path>, elf: &Path) -> Result<(), String> {
    let main = root.join("firmware/c/main.c");
    let mut args: Vec<String> = GCC_FLAGS.iter().map(|s| (*s).to_string()).collect();
    args.extend(defines.iter().map(|d| format!("-D{d}")));
    args.push(main.to_string_lossy().into_owned());
    if let Some(lib) = lib {
        args.extend(C_LIBRARY_MEMORY_ROUTINES.map(|s| format!("-Wl,--undefined={s}")));
        args.push("-lc_nano".into());
        args.push(lib.to_string_lossy().into_owned());
    }
    args.extend(["-o".into(), elf.to_string_lossy().into_owned()]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = Command::new("arm-none-eabi-gcc")
        .args(&refs)
        .output()
        .map_err(|e| format!("cannot run arm-none-eabi-gcc: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "linking {} failed:\n{}",
            elf.display(),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// The demangled text and read-only symbols of an image: (bytes, name).
pub fn symbols(elf: &Path) -> Result<Vec<(u64, String)>, String> {
    let out = crate::cmd::output(
        "arm-none-eabi-nm",
        &["--size-sort", "-S", "-C", &elf.to_string_lossy()],
    )
    .ok_or(format!("arm-none-eabi-nm {} failed", elf.display()))?;
    Ok(out
        .lines()
        .filter_map(|l| {
            let mut it = l.splitn(4, ' ');
            let (_addr, size, kind, name) = (it.next()?, it.next()?, it.next()?, it.next()?);
            matches!(kind, "t" | "T" | "r" | "R" | "W" | "w").then_some(())?;
            Some((u64::from_str_radix(size, 16).ok()?, name.to_string()))
        })
        .collect())
}

/// The crate a demangled symbol belongs to: the first path segment of its name (after
/// `<`, `&` and `dyn `); for `<T as Trait>::f` with a primitive `T`, the trait's crate; for
/// a primitive's own method (`<[u8]>::to_vec`, `<str>::trim`), "core"; else "C".
pub fn crate_of(name: &str) -> String {
    let first = |s: &str| -> Option<String> {
        let s = s.trim_start_matches(['<', '&', '*', '(', ' ']);
        let s = s.strip_prefix("dyn ").unwrap_or(s);
        let s = s.strip_prefix("mut ").unwrap_or(s);
        let (head, _) = s.split_once("::")?;
        (!head.is_empty() && head.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            .then(|| head.to_string())
    };
    if let Some(c) = first(name) {
        return c;
    }
    if let Some((_, tr)) = name.split_once(" as ")
        && let Some(c) = first(tr)
    {
        return c;
    }
    if name.starts_with("<[") || name.starts_with("<str>") || name.starts_with("<char") {
        return "core".to_string();
    }
    if let Some((prim, _)) = name.strip_prefix('<').and_then(|n| n.split_once('>'))
        && prim.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return "core".to_string();
    }
    "C".to_string()
}

/// Sums symbol sizes per crate, largest first.
fn per_crate(syms: &[(u64, String)]) -> Vec<(String, u64)> {
    let mut sums: Vec<(String, u64)> = Vec::new();
    for (size, name) in syms {
        let c = crate_of(name);
        match sums.iter_mut().find(|(k, _)| *k == c) {
            Some((_, s)) => *s += size,
            None => sums.push((c, *size)),
        }
    }
    sums.sort_by_key(|s| std::cmp::Reverse(s.1));
    sums
}

/// The symbol families linked although no feature of `features` allows them: (family,
/// "family: first symbols").
fn forbidden_found(features: &[String], syms: &[(u64, String)]) -> Vec<(&'static str, String)> {
    let joined = features.join(",");
    FORBIDDEN
        .iter()
        .filter(|f| !(f.allowed)(&joined))
        .filter_map(|f| {
            let hits: Vec<&str> = syms
                .iter()
                .map(|(_, n)| n.as_str())
                .filter(|n| f.patterns.iter().any(|p| n.contains(p)))
                .take(3)
                .collect();
            (!hits.is_empty()).then(|| (f.what, format!("{}: {}", f.what, hits.join(", "))))
        })
        .collect()
}

/// The most bytes `__aeabi_memset` may have: main.c's thin call of `memset` (8 B
/// measured); the C library's own routine is 154 B.
const THIN_FILL_MAX: u64 = 32;

/// Why the image links a second fill routine, if it does: `__aeabi_memset` must be main.c's
/// call of `memset` (which the C start-up links anyway), not the C library's separate copy.
fn second_fill(syms: &[(u64, String)]) -> Option<String> {
    syms.iter()
        .find(|(size, name)| name == "__aeabi_memset" && *size > THIN_FILL_MAX)
        .map(|(size, _)| {
            format!(
                "`__aeabi_memset` is {size} B, not firmware/c/main.c's call of `memset` \
                 (the C library's separate fill was linked)"
            )
        })
}

/// The budget of each profile's library text.
pub fn budgets() -> Result<Vec<(String, u64)>, String> {
    let doc: toml::Table = toml::from_str(BUDGETS).map_err(|e| format!("budgets.toml: {e}"))?;
    let table = doc
        .get("library_text")
        .and_then(toml::Value::as_table)
        .ok_or("firmware/budgets.toml: no [library_text] table")?;
    table
        .iter()
        .map(|(k, v)| {
            v.as_integer()
                .and_then(|n| u64::try_from(n).ok())
                .map(|n| (k.clone(), n))
                .ok_or(format!("firmware/budgets.toml: `{k}` is not a byte count"))
        })
        .collect()
}

/// The compiler flags of a firmware build. The RustCrypto crates choose their smaller
/// code by `--cfg` flags, not features, so the speed-versus-size features of matrix-crypto
/// (MatrixSSL's `PS_*_IMPROVE_PERF_INCREASE_CODESIZE`) decide them here: off (MatrixSSL's
/// default), the compact AES ("semi-fixsliced", still constant-time) and the compact
/// SHA-256 rounds; on, the crates' fast forms. No unwind tables: with panic=abort nothing
/// unwinds. And panics abort at once (`-Cpanic=immediate-abort`, unstable like build-std
/// itself): the image's panic handler halts without reading the message, so the panic
/// messages, locations and the formatting code behind them (about 19 KB of the
/// minimal-client image) are left out. A panic is a bug either way: the library returns
/// errors on every input. `root` is the workspace root, for the path remapping.
pub fn rustflags(root: &Path, features: &[String]) -> Vec<String> {
    let mut flags: Vec<String> = [
        "-Cforce-unwind-tables=no",
        "-Zunstable-options",
        "-Cpanic=immediate-abort",
        // A panic aborts without a message, so the file, line and column that
        // `#[track_caller]` records for every bounds check and `unwrap` are dead weight
        // (about 3 KB in the minimal client). They also made the size depend on where the
        // checkout is: CI's paths are longer than a session's, so the same commit was 96 B
        // larger there and failed its budget.
        "-Zlocation-detail=none",
    ]
    .map(str::to_string)
    .to_vec();
    // The stable part is the x86_64 size build's: the RustCrypto backends chosen by the
    // speed-versus-size features, and every remaining embedded path (a `file!()`, a
    // dependency's message) remapped, so a budget measured here holds in CI.
    flags.extend(crate::matrix::size_rustflags(root, features));
    flags
}

/// Builds one profile's staticlib; returns a copy of it.
fn build(root: &Path, rustc: &Path, p: &Profile, features: &[String]) -> Result<PathBuf, String> {
    let target_dir = root.join("target/firmware");
    let joined = features.join(",");
    let manifest = root.join("firmware/Cargo.toml");
    // `cargo rustc --crate-type staticlib`, not `cargo build`: the crate is also an rlib
    // (for the host test), and cargo runs LTO only for a target whose crate types all allow
    // it, so a plain build ignored the profile's `lto = true` and bundled each crate's
    // objects as compiled (dead code and constants of every crate in the archive, no
    // inlining across crates: 6.4 KB more in psk-client).
    let args = [
        "rustc",
        "--quiet",
        "--release",
        "--lib",
        "--crate-type",
        "staticlib",
        "--manifest-path",
        &manifest.to_string_lossy(),
        "--target",
        TARGET,
        "-Zbuild-std=core,alloc",
        "-Zbuild-std-features=compiler-builtins-mem",
        "--features",
        &joined,
        "--target-dir",
        &target_dir.to_string_lossy(),
    ]
    .map(str::to_string);
    let out = Command::new("cargo")
        .args(&args)
        .env("RUSTC", rustc)
        .env("RUSTC_BOOTSTRAP", "1")
        .env_remove("RUSTFLAGS")
        .env(
            "CARGO_ENCODED_RUSTFLAGS",
            rustflags(root, features).join("\x1f"),
        )
        .current_dir(root.join("firmware"))
        .output()
        .map_err(|e| format!("cannot start cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "profile `{}`: `cargo {}` failed:\n{}",
            p.name,
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let lib = target_dir.join(TARGET).join("release/libmatrix_firmware.a");
    let keep = target_dir.join("lib").join(format!("{}.a", p.name));
    std::fs::create_dir_all(target_dir.join("lib"))
        .and_then(|()| std::fs::copy(&lib, &keep))
        .map_err(|e| format!("copying {}: {e}", lib.display()))?;
    Ok(keep)
}

/// Runs the host-side test of the image's allocator.
fn host_allocator_test(root: &Path) -> Result<(), String> {
    let manifest = root.join("firmware/Cargo.toml");
    let target_dir = root.join("target/firmware");
    crate::cmd::run(
        &root.join("firmware"),
        "cargo",
        &[
            "test",
            "--release",
            "--manifest-path",
            &manifest.to_string_lossy(),
            "--target-dir",
            &target_dir.to_string_lossy(),
            "--features",
            "client,server,ca,matrix-ssl/tls-1-1,matrix-ssl/tls-rsa-with-aes-128-cbc-sha",
            "--test",
            "pool_alloc",
        ],
    )
}

/// Builds, links, sizes and checks every firmware profile (or those named in `only`);
/// writes the reports.
pub fn run(root: &Path, only: &[String]) -> Result<(), String> {
    let start = Instant::now();
    let rustc = toolchain()?;
    println!("firmware: Debian rustc {} for {TARGET}", rustc.display());
    let img = root.join("target/firmware/img");
    std::fs::create_dir_all(&img).map_err(|e| format!("{}: {e}", img.display()))?;
    let empty_elf = img.join("empty.elf");
    link(root, &[], None, &empty_elf)?;
    let empty = size_of(&empty_elf)?;
    let budgets = budgets()?;
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    let chosen: Vec<Profile> = profiles()?
        .into_iter()
        .filter(|p| p.firmware.is_some() && (only.is_empty() || only.contains(&p.name)))
        .collect();
    if chosen.is_empty() {
        return Err(format!("no firmware profile named {}", only.join(", ")));
    }
    for p in &chosen {
        let features = firmware_features(root, p)?;
        println!("firmware: {} ({})", p.name, features.join(","));
        let lib = build(root, &rustc, p, &features)?;
        let mut defines = Vec::new();
        if features.iter().any(|f| f == "client") {
            defines.push("FW_CLIENT");
        }
        if features.iter().any(|f| f == "server") {
            defines.push("FW_SERVER");
        }
        let elf = img.join(format!("{}.elf", p.name));
        link(root, &defines, Some(&lib), &elf)?;
        let image = size_of(&elf)?;
        let syms = symbols(&elf)?;
        let mut gaps = Vec::new();
        for (what, bad) in forbidden_found(&features, &syms) {
            if KNOWN_GAPS.contains(&(p.name.as_str(), what)) {
                gaps.push(what.to_string());
            } else {
                failures.push(format!("profile `{}` links {bad}", p.name));
            }
        }
        if let Some(bad) = second_fill(&syms) {
            failures.push(format!("profile `{}`: {bad}", p.name));
        }
        let library_text = image.text.saturating_sub(empty.text);
        let budget = budgets.iter().find(|(k, _)| *k == p.name).map(|(_, v)| *v);
        match budget {
            Some(b) if library_text > b => failures.push(format!(
                "profile `{}`: library text {library_text} B is over its budget of {b} B \
                 (firmware/budgets.toml)",
                p.name
            )),
            Some(_) => {}
            None => failures.push(format!(
                "profile `{}` has no budget in firmware/budgets.toml",
                p.name
            )),
        }
        rows.push(FwRow {
            name: p.name.clone(),
            image,
            library_text,
            budget,
            crates: per_crate(&syms),
            gaps,
            x86_64_text: x86_64_library_text(root, &p.name),
        });
    }
    failures.extend(order_failures(&rows));
    host_allocator_test(root)?;

    let dir = root.join("target/firmware");
    let md = markdown(&rows, empty);
    for (file, text) in [
        ("report.md", md.clone()),
        ("report.csv", csv(&rows)),
        ("report.svg", svg(&rows)),
    ] {
        let path = dir.join(file);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    print!("{md}");
    println!(
        "cargo xtask firmware: {} images in {:.1} s; reports in {}",
        rows.len(),
        start.elapsed().as_secs_f64(),
        dir.display()
    );
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

/// The [`SIZE_ORDER`] pairs that this run built and that are out of order.
fn order_failures(rows: &[FwRow]) -> Vec<String> {
    let text = |name: &str| rows.iter().find(|r| r.name == name).map(|r| r.library_text);
    let mut failures = Vec::new();
    for &(smaller, larger, why) in SIZE_ORDER {
        if let (Some(s), Some(l)) = (text(smaller), text(larger))
            && s >= l
        {
            failures.push(format!(
                "profile `{smaller}` ({s} B) is not smaller than `{larger}` ({l} B): {why}"
            ));
        }
    }
    failures
}

/// The markdown report.
fn markdown(rows: &[FwRow], empty: Size) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Firmware images ({TARGET}, opt-level z, LTO, panic=abort, arm-none-eabi-gcc -Os \
         --gc-sections)\n\nThe empty program: text {} B, data {} B, bss {} B. Library text = \
         image text minus the empty program's. bss holds the image's heap region (the \
         BlockPool allocator's blocks). The x86_64 column is the same profile's library text \
         in the last `cargo xtask matrix` report (target/matrix/report.csv), if any.\n",
        empty.text, empty.data, empty.bss
    );
    let _ = writeln!(
        s,
        "| profile | text | data | bss | library text | budget | x86_64 library text | largest crates | known gaps |\n|---|---:|---:|---:|---:|---:|---:|---|---|"
    );
    for r in rows {
        let crates: Vec<String> = r
            .crates
            .iter()
            .take(6)
            .map(|(c, b)| format!("{c} {b}"))
            .collect();
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.name,
            r.image.text,
            r.image.data,
            r.image.bss,
            r.library_text,
            r.budget.map_or("-".into(), |b| b.to_string()),
            r.x86_64_text.map_or("-".into(), |b| b.to_string()),
            crates.join(", "),
            if r.gaps.is_empty() {
                "-".to_string()
            } else {
                r.gaps.join("; ")
            }
        );
    }
    s
}

/// The CSV report.
fn csv(rows: &[FwRow]) -> String {
    let mut s = String::from("profile,text,data,bss,library_text,budget,x86_64_library_text\n");
    for r in rows {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{}",
            r.name,
            r.image.text,
            r.image.data,
            r.image.bss,
            r.library_text,
            r.budget.map_or(String::new(), |b| b.to_string()),
            r.x86_64_text.map_or(String::new(), |b| b.to_string())
        );
    }
    s
}

/// A bar chart of the library text per profile, the budget marked.
fn svg(rows: &[FwRow]) -> String {
    let max = rows
        .iter()
        .map(|r| r.library_text.max(r.budget.unwrap_or(0)))
        .max()
        .unwrap_or(1)
        .max(1);
    let (w, bar_h, left) = (640u64, 24u64, 140u64);
    let h = 40 + rows.len() as u64 * (bar_h + 8);
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
         font-family=\"sans-serif\" font-size=\"12\">\n<text x=\"4\" y=\"16\">library text \
         on {TARGET} (bytes; line: budget)</text>\n"
    );
    for (i, r) in rows.iter().enumerate() {
        let y = 28 + i as u64 * (bar_h + 8);
        let len = r.library_text * (w - left - 80) / max;
        let _ = writeln!(
            s,
            "<text x=\"4\" y=\"{}\">{}</text><rect x=\"{left}\" y=\"{y}\" width=\"{len}\" \
             height=\"{bar_h}\" fill=\"#4a7ebb\"/><text x=\"{}\" y=\"{}\">{}</text>",
            y + 16,
            r.name,
            left + len + 4,
            y + 16,
            r.library_text
        );
        if let Some(b) = r.budget {
            let x = left + b * (w - left - 80) / max;
            let _ = writeln!(
                s,
                "<line x1=\"{x}\" y1=\"{y}\" x2=\"{x}\" y2=\"{}\" stroke=\"#c00\"/>",
                y + bar_h
            );
        }
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crates_are_read_from_demangled_names() {
        assert_eq!(
            crate_of("<matrix_ssl::session::Session>::process"),
            "matrix_ssl"
        );
        assert_eq!(crate_of("sha1::block_api::compress"), "sha1");
        assert_eq!(crate_of("memcpy"), "C");
        assert_eq!(crate_of("<u64 as aes::soft::Word>::bitslice"), "aes");
        assert_eq!(crate_of("<[u8]>::to_vec"), "core");
        assert_eq!(crate_of("<u32>::_fmt_inner"), "core");
    }

    #[test]
    fn a_tls_1_2_only_gcm_image_links_no_md5_sha1_or_sha512() {
        let syms = vec![
            (10, "sha2::sha512::compress512".into()),
            (
                10,
                "<matrix_crypto::hash_compact::Sha1Compress>::block".into(),
            ),
            (10, "<matrix_crypto::hash::Md5Sha1>::new".into()),
            (10, "sha2::sha256::compress256".into()),
        ];
        let ecdsa: Vec<String> = [
            "client",
            "ec-ca",
            "matrix-ssl/secp256r1",
            "matrix-ssl/tls-ecdhe-ecdsa-with-aes-128-gcm-sha256",
        ]
        .map(String::from)
        .to_vec();
        let found: Vec<_> = forbidden_found(&ecdsa, &syms)
            .into_iter()
            .map(|f| f.0)
            .collect();
        assert_eq!(found.len(), 3, "{found:?}");
        // TLS 1.1 beside it brings MD5 and SHA-1 back, P-384 SHA-384/512.
        let mut older = ecdsa.clone();
        older.push("matrix-ssl/tls-1-1".into());
        assert_eq!(forbidden_found(&older, &syms).len(), 1);
        older.push("matrix-ssl/secp384r1".into());
        assert!(forbidden_found(&older, &syms).is_empty());
        // An RSA GCM suite of TLS 1.2 brings SHA-384/512; a CBC-SHA suite SHA-1 only.
        let rsa = [
            "matrix-ssl/tls-1-2",
            "matrix-ssl/tls-rsa-with-aes-128-gcm-sha256",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(forbidden_found(&rsa, &syms).len(), 2);
        let cbc = [
            "matrix-ssl/tls-1-2",
            "matrix-ssl/tls-ecdhe-ecdsa-with-aes-128-cbc-sha",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(forbidden_found(&cbc, &syms).len(), 2);
    }

    #[test]
    fn a_disabled_feature_symbol_is_found_and_an_enabled_one_is_not() {
        let syms = vec![
            (
                10,
                "<matrix_ssl::record::mac::Ssl3<matrix_crypto::hash::Sha1>>::compute".into(),
            ),
            (10, "sha1::compress".into()),
        ];
        let minimal = vec!["client".to_string(), "matrix-ssl/tls-1-1".into()];
        let found = forbidden_found(&minimal, &syms);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "SSL 3.0");
        let with_ssl3 = vec!["client".to_string(), "matrix-ssl/ssl3".into()];
        assert!(forbidden_found(&with_ssl3, &syms).is_empty());
    }

    #[test]
    fn a_curve_not_named_is_forbidden() {
        let syms = vec![
            (10, "p384::arithmetic::field::FieldElement::mul".into()),
            (
                10,
                "<x25519_dalek::x25519::StaticSecret>::diffie_hellman".into(),
            ),
            (10, "matrix_crypto::ec::p256::field::Fe::invert".into()),
            (10, "crypto_bigint::Uint<4>::wrapping_mul".into()),
        ];
        let ecdhe = "matrix-ssl/tls-ecdhe-ecdsa-with-aes-128-gcm-sha256";
        let p256 = vec![ecdhe.to_string(), "matrix-ssl/secp256r1".into()];
        let found: Vec<_> = forbidden_found(&p256, &syms)
            .into_iter()
            .map(|(what, _)| what)
            .collect();
        // P-256 is matrix's own code: crypto-bigint comes only with P-384.
        assert_eq!(
            found,
            [
                "crypto-bigint (P-384, or RSA's blinding with fixed-size kernels)",
                "the P-384 curve",
                "the X25519 curve"
            ]
        );
        let all = vec![ecdhe.to_string(), "matrix-ssl/ecc".into()];
        assert!(forbidden_found(&all, &syms).is_empty());
    }

    #[test]
    fn an_rsa_image_without_fixed_size_kernels_links_no_crypto_bigint() {
        let syms = vec![(
            10,
            "crypto_bigint::uint::Uint<64>::invert_odd_mod_vartime".into(),
        )];
        let server = vec![
            "server".to_string(),
            "matrix-ssl/tls-1-1".into(),
            "matrix-ssl/tls-rsa-with-aes-128-cbc-sha".into(),
        ];
        let found = forbidden_found(&server, &syms);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].0.starts_with("crypto-bigint"));
        let mut fast = server.clone();
        fast.push("matrix-crypto/pubkey-fixed-size-kernels".into());
        assert!(forbidden_found(&fast, &syms).is_empty());
        // P-384 (the p384 crate) brings it; P-256 alone (matrix's own code) does not.
        let mut ecdhe = vec![
            "client".to_string(),
            "matrix-ssl/tls-ecdhe-ecdsa-with-aes-128-gcm-sha256".into(),
            "matrix-ssl/secp256r1".into(),
        ];
        assert_eq!(forbidden_found(&ecdhe, &syms).len(), 1);
        ecdhe.push("matrix-ssl/secp384r1".into());
        assert!(forbidden_found(&ecdhe, &syms).is_empty());
    }

    #[test]
    fn pem_symbols_need_pem_decode() {
        let syms = vec![
            (10, "matrix_x509::pem::is_pem".into()),
            (10, "matrix_x509::pem::base64_decode".into()),
        ];
        let minimal = vec!["client".to_string(), "matrix-ssl/tls-1-1".into()];
        let found = forbidden_found(&minimal, &syms);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "PEM decoding and base64");
        let with_pem = vec!["client".to_string(), "matrix-ssl/pem-decode".into()];
        assert!(forbidden_found(&with_pem, &syms).is_empty());
        let is_pem_only = vec![(10, "matrix_x509::pem::is_pem".to_string())];
        assert!(forbidden_found(&minimal, &is_pem_only).is_empty());
    }

    #[test]
    fn the_c_library_fill_is_a_second_fill() {
        let thin = vec![(8, "__aeabi_memset".to_string()), (162, "memset".into())];
        assert!(second_fill(&thin).is_none());
        let libc = vec![(154, "__aeabi_memset".to_string()), (162, "memset".into())];
        assert!(second_fill(&libc).is_some());
        assert!(second_fill(&[]).is_none());
    }

    #[test]
    fn size_order_names_firmware_profiles() {
        let names: Vec<String> = profiles()
            .expect("profiles")
            .into_iter()
            .filter(|p| p.firmware.is_some())
            .map(|p| p.name)
            .collect();
        for (smaller, larger, _) in SIZE_ORDER {
            assert!(
                names.iter().any(|n| n == smaller),
                "{smaller} is no firmware profile"
            );
            assert!(
                names.iter().any(|n| n == larger),
                "{larger} is no firmware profile"
            );
        }
    }

    #[test]
    fn order_failures_flags_a_flipped_pair() {
        let row = |name: &str, library_text: u64| FwRow {
            name: name.into(),
            image: Size {
                text: 0,
                data: 0,
                bss: 0,
            },
            library_text,
            budget: None,
            crates: Vec::new(),
            gaps: Vec::new(),
            x86_64_text: None,
        };
        let (smaller, larger, _) = SIZE_ORDER[0];
        assert!(order_failures(&[row(smaller, 10), row(larger, 11)]).is_empty());
        assert_eq!(
            order_failures(&[row(smaller, 11), row(larger, 11)]).len(),
            1
        );
        assert!(
            order_failures(&[row(smaller, 12)]).is_empty(),
            "one of the pair not built"
        );
    }

    #[test]
    fn every_firmware_profile_has_a_budget() {
        let b = budgets().expect("budgets.toml parses");
        for p in profiles().expect("profiles parse") {
            if p.firmware.is_some() {
                assert!(
                    b.iter().any(|(k, _)| *k == p.name),
                    "{} has no budget",
                    p.name
                );
            }
        }
    }
}
