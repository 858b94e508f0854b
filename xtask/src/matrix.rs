//! `cargo xtask matrix [--quick]`: size and speed of the feature profiles of
//! `profiles.toml`.
//!
//! For each profile, `matrix-apps`' reference binary `matrix-size-ref` is built twice:
//!
//! - with the `min-size` profile (opt-level "z", LTO, panic=abort, stripped), the stable
//!   size flags of [`size_rustflags`] and [`host_size_rustflags`] and exactly the
//!   profile's features: its text/data/bss (binutils' `size`) are the profile's size,
//!   and the same binary built with no role at all is the baseline, so text minus the
//!   baseline's text is the library's own share (and the `.text` section minus the
//!   baseline's, its code alone)
//!   (`cargo xtask matrix size [--sections] [PROFILE...]` builds only these);
//! - in release mode with both roles added (speed needs a peer in memory) and the
//!   `heap-count` feature: `speed` prints full and resumed handshakes per second, bulk MB/s
//!   for the profile's suite and the bytes an established session holds (its
//!   `memory_usage`); `heap`
//!   prints the heap an idle established client and server session hold and the peak heap
//!   of a full handshake, counted by dhat's allocator. A profile with matrix-apps' `dtls`
//!   feature measures a DTLS 1.0 client and server (matrix-dtls' `DtlsSession`) over an
//!   in-memory datagram loop instead of TLS sessions: every handshake with the server's
//!   HelloVerifyRequest cookie round, bulk data in records as large as the PMTU allows
//!   (the row's note says how large). The counting allocator stays in this build (the
//!   size build never has it): without a running profiler it only takes an uncontended
//!   lock per allocation, which is within the noise of the speed figures (checked by
//!   hand: the same profile with and without it measured alike within the run-to-run
//!   spread of this shared machine).
//!
//! A profile that does not build fails the command (CI runs `--quick`); a profile that
//! builds but cannot complete a handshake (a key exchange still in progress elsewhere) is
//! reported as "not supported yet" with the reason; a profile needing a crate that has no
//! content yet (`needs`) is reported as missing. The results go to `target/matrix/`:
//! `report.md`, `report.csv` and `report.svg`.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

mod report;

/// The profiles, compiled into xtask so the file and the command never disagree.
const PROFILES: &str = include_str!("profiles.toml");

/// One profile of `profiles.toml`.
#[derive(Debug)]
pub struct Profile {
    /// The row's name.
    pub name: String,
    /// What the configuration is for.
    pub about: String,
    /// matrix-apps features for `--features`.
    pub features: Vec<String>,
    /// The suite of the bulk figure.
    pub suite: String,
    /// Part of `--quick`.
    pub quick: bool,
    /// A crate that must have content first.
    pub needs: Option<String>,
    /// The firmware image's own features (`cargo xtask firmware`); `None`: no image.
    pub firmware: Option<Vec<String>>,
}

/// Text, data and bss of a binary, in bytes.
#[derive(Clone, Copy, Debug, Default)]
pub struct Size {
    /// Code and read-only data.
    pub text: u64,
    /// Initialised data.
    pub data: u64,
    /// Zeroed data.
    pub bss: u64,
}

/// What one profile measured.
#[derive(Debug, Default)]
pub struct Row {
    /// The profile's name.
    pub name: String,
    /// The profile's description.
    pub about: String,
    /// "ok", "not supported yet", "missing".
    pub status: String,
    /// The size build's sections.
    pub size: Option<Size>,
    /// Text minus the baseline's text.
    pub library_text: Option<u64>,
    /// The `.text` section (code alone: no read-only data, unwind tables or relocations)
    /// minus the baseline's: the figure issue 14 compares with MatrixSSL's library `.text`.
    pub library_code: Option<u64>,
    /// The `speed` line's values by key.
    pub speed: Vec<(String, String)>,
    /// Why speed or size is absent.
    pub note: String,
}

impl Row {
    /// A `speed` value as a number.
    pub fn speed_value(&self, key: &str) -> Option<f64> {
        self.speed
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.parse().ok())
    }

    /// A `speed` value as printed.
    pub fn speed_text(&self, key: &str) -> String {
        self.speed
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .unwrap_or_else(|| "-".into())
    }
}

/// Parses `profiles.toml`.
pub fn profiles() -> Result<Vec<Profile>, String> {
    let doc: toml::Table = toml::from_str(PROFILES).map_err(|e| format!("profiles.toml: {e}"))?;
    let list = doc
        .get("profile")
        .and_then(toml::Value::as_array)
        .ok_or("profiles.toml: no [[profile]] tables")?;
    list.iter()
        .map(|p| {
            let s = |k: &str| p.get(k).and_then(toml::Value::as_str).map(str::to_string);
            let name = s("name").ok_or("profiles.toml: a profile without a name")?;
            let features = p
                .get("features")
                .and_then(toml::Value::as_array)
                .ok_or(format!("profiles.toml: `{name}` has no features"))?
                .iter()
                .map(|f| f.as_str().map(str::to_string))
                .collect::<Option<Vec<_>>>()
                .ok_or(format!("profiles.toml: `{name}`: features must be strings"))?;
            Ok(Profile {
                about: s("about").unwrap_or_default(),
                suite: s("suite").unwrap_or_else(|| "0".into()),
                quick: p
                    .get("quick")
                    .and_then(toml::Value::as_bool)
                    .unwrap_or(false),
                needs: s("needs"),
                firmware: p.get("firmware").and_then(toml::Value::as_array).map(|a| {
                    a.iter()
                        .filter_map(|f| f.as_str().map(str::to_string))
                        .collect()
                }),
                features,
                name,
            })
        })
        .collect()
}

/// A progress line on standard error when it is a terminal, plain lines otherwise.
struct Progress {
    tty: bool,
    total: usize,
}

impl Progress {
    fn show(&self, done: usize, what: &str) {
        if self.tty {
            let width = 24;
            let filled = done * width / self.total.max(1);
            eprint!(
                "\r\x1b[2K[{}{}] {done}/{} {what}",
                "#".repeat(filled),
                ".".repeat(width - filled),
                self.total
            );
            let _ = std::io::stderr().flush();
        } else {
            eprintln!("matrix: {what}");
        }
    }

    fn finish(&self) {
        if self.tty {
            eprintln!();
        }
    }
}

/// Builds `matrix-size-ref` with `features` in `profile`; returns the binary's path. The
/// build's output is shown only when it fails.
pub(crate) fn build(root: &Path, profile: &str, features: &[String]) -> Result<PathBuf, String> {
    let joined = features.join(",");
    let mut args = vec![
        "build",
        "--quiet",
        "-p",
        "matrix-apps",
        "--bin",
        "matrix-size-ref",
        "--profile",
        profile,
        "--no-default-features",
    ];
    let size_build = profile == "min-size";
    if !joined.is_empty() {
        args.extend(["--features", &joined]);
    }
    let mut cmd = Command::new("cargo");
    cmd.args(&args).current_dir(root);
    if size_build {
        let mut flags = size_rustflags(root, features);
        flags.extend(host_size_rustflags());
        cmd.env_remove("RUSTFLAGS")
            .env("CARGO_ENCODED_RUSTFLAGS", flags.join("\x1f"));
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cannot start cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`cargo {}` failed:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    // `release` builds land in target/release, other profiles in target/<profile>.
    let bin = root.join("target").join(profile).join("matrix-size-ref");
    // Keep a copy per build: the next profile's build overwrites the uplifted binary.
    let keep = root
        .join("target/matrix/bin")
        .join(format!("{profile}-{}", short_hash(&joined)));
    std::fs::create_dir_all(root.join("target/matrix/bin"))
        .and_then(|()| std::fs::copy(&bin, &keep))
        .map_err(|e| format!("copying {}: {e}", bin.display()))?;
    Ok(keep)
}

/// The compiler flags of the x86_64 size build (`min-size`), all stable: what a user who
/// builds a profile for size on a host gets with the firmware build's choices where stable
/// Rust has them ([`crate::firmware::rustflags`] adds its unstable flags to these).
///
/// - The speed-versus-size features of matrix-crypto decide the RustCrypto crates' `--cfg`
///   backend choices, as in the firmware build: without
///   `sha256-improve-perf-increase-codesize` the compact SHA-256/512 rounds of `sha2` and
///   only them (`sha2_backend="soft"`: no SHA-NI path chosen at run time, whose 0.7 KB of
///   code and CPUID check the firmware build never has), without `aes-improve-perf-increase-codesize`
///   the `aes` crate's compact software AES (linked only by a fast AES-GCM). The unrolled
///   SHA-256 rounds were 9.7 KB of the minimal client's library share.
/// - Paths remapped, so that the panic locations read the same on every machine.
///
/// Not here, because they change nothing in this build (measured on the minimal client):
/// `-Cforce-unwind-tables=no` (the image comes out byte for byte the same), and `log`'s
/// `max_level_off` (no logger is ever installed, so LTO folds `log`'s level to "off" and
/// removes every `ps_error!` message already). Why the unwind flag does nothing here,
/// although it drops the `uwtable` attribute of every library function (which are all
/// `nounwind` under panic=abort): fat LTO merges the library with the standard library's
/// bitcode, which carries line-table debug information, so LLVM gives every function of
/// the merged module call-frame information "for the debugger", and since std's own
/// functions need `.eh_frame` (it is built with panic=unwind), that information goes to
/// `.eh_frame` for all of them (checked with `llc` on the LTO module of a small program:
/// with the debug information stripped, its `nounwind` functions lose their entries).
/// No stable flag drops the incoming debug information (without LTO the flag does drop
/// the library's entries, but the code grows by more: [`host_size_rustflags`] has the
/// figures), so the library's own entries
/// (about 9.8 KB of `.eh_frame` in the minimal client, plus 8 B each in
/// `.eh_frame_hdr`) stay. Not on stable Rust at all: the firmware build's
/// `-Zlocation-detail=none` and `-Cpanic=immediate-abort` (the panic locations and
/// messages stay: about 106 locations of the library in the minimal client, each 24 B
/// of `.data.rel.ro` and a 24 B PIE relocation in `.rela.dyn`, which counts as text).
pub fn size_rustflags(root: &Path, features: &[String]) -> Vec<String> {
    let on = |f: &str| features.iter().any(|x| x.ends_with(f));
    let mut flags = vec![format!("--remap-path-prefix={}=/matrix", root.display())];
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    if let Some(home) = cargo_home {
        flags.push(format!("--remap-path-prefix={}=/cargo", home.display()));
    }
    if !on("aes-improve-perf-increase-codesize") {
        flags.extend(["--cfg".into(), "aes_backend_soft=\"compact\"".into()]);
    }
    if !on("sha256-improve-perf-increase-codesize") {
        // The compact rounds, and only them: `sha2_backend="soft"` drops the SHA-NI path
        // and its CPUID check (x86_64 only: a Cortex-M4 has no such path). A build that
        // chose size runs the rolled software rounds on every CPU.
        flags.extend(["--cfg".into(), "sha2_backend_soft=\"compact\"".into()]);
        flags.extend(["--cfg".into(), "sha2_backend=\"soft\"".into()]);
    }
    flags
}

/// The x86_64 size build's flags that only a hosted (Linux) program has, on top of
/// [`size_rustflags`] (which the firmware build shares): what a user building a Linux
/// program for size would be told to set.
///
/// - `--cfg getrandom_backend="linux_getrandom"`: `getrandom`'s documented opt-in backend,
///   the getrandom(2) system call without the `/dev/urandom` fallback for kernels older
///   than 3.17 (2014; Rust's own minimum is 3.2, hence the crate's default fallback):
///   608 B of `.text` and 952 B of Berkeley text less in every client profile (the
///   fallback's file opening, polling of `/dev/random` and its error paths).
/// - `-Clink-arg=-Wl,-z,pack-relative-relocs`: the PIE's relative relocations as RELR
///   (a bitmap of the words to relocate, 8 B for up to 63 of them) instead of 24-byte
///   RELA entries: still a position-independent executable loaded at a random address,
///   the same words relocated at start-up; needs glibc 2.36 or later at run time (the
///   linker records a `GLIBC_ABI_DT_RELR` version need, so an older glibc refuses to start
///   the program rather than run it unrelocated). It only shrinks `.rela.dyn` (the panic
///   locations' and vtables' pointers): Berkeley text 3,376 B less in minimal-client
///   (3,528 B of `.rela.dyn` share), 2,320 B in psk-client, 2,200 B in ecdhe-ecdsa-client,
///   and 6,654 B in the baseline itself; `.text` is unchanged. lld (Rust's default linker on
///   x86_64 Linux) and GNU ld 2.38 or later take the flag.
/// - `-Clink-arg=-Wl,--icf=all`: the linker folds functions whose machine code and
///   relocations are identical (drop glue and small generic instances of different types
///   that compile to the same instructions, which LLVM's own function merging, working on
///   IR of different types, leaves apart): 720 B of `.text` less in minimal-client, 336 B
///   in psk-client, 512 B in ecdhe-ecdsa-client (800 B in the baseline). Sound for Rust:
///   the language promises no distinct addresses for distinct functions (rustc merges
///   identical functions itself), and lld folds no read-only data under `--icf=all` (that
///   takes `--ignore-data-address-equality`), so distinct statics keep distinct
///   addresses. `--icf=safe` folds nothing here (rustc emits no address-significance
///   table). lld only (Rust's default linker on x86_64 Linux since 1.90; GNU ld has no ICF).
///
/// Measured and not taken (2026-12-07, before the three flags above, each alone against
/// `min-size` and [`size_rustflags`] as they are: library share of minimal-client /
/// psk-client / ecdhe-ecdsa-client, `.text` then Berkeley text, against 63,907 / 45,388 /
/// 64,172 and 91,542 / 65,542 / 90,206 B):
/// - `lto = "thin"`: 70,292 / 50,612 / 70,420 and 114,863 / 84,810 / 110,870 B; with
///   `-Cforce-unwind-tables=no` the same `.text`, 32-36 B less Berkeley text: the
///   library's functions keep their `.eh_frame` entries under ThinLTO too;
/// - `lto = false` (one codegen unit, `--gc-sections`): 72,240 / 52,496 / 72,816 and
///   120,455 / 89,662 / 117,470 B; with `-Cforce-unwind-tables=no` the unwind tables do go
///   (`.eh_frame` + `.eh_frame_hdr` share 29,132 -> 8,956 B in minimal-client: without
///   LTO, the library's objects carry no debug information from std), but the code is
///   8.3 KB larger, so Berkeley text is still 100,279 / 75,290 / 98,094 B;
/// - `opt-level = "s"`: `.text` 68,656 / 46,885 / 68,496 B (+4.7 KB), Berkeley text
///   87,731 / 60,739 / 86,402 B (-3.8 KB: more inlining, so fewer functions with unwind
///   entries and fewer panic locations): "z" stays, the figure being `.text`;
/// - `-Cdebuginfo=0`: byte-identical images (it is already the `release` default);
/// - lld's `-Wl,-O2` (tail-merged strings): 8 B more in minimal-client's share.
///
/// The unwind tables (`.eh_frame`, `.eh_frame_hdr`: 15.5 KB of minimal-client's share)
/// stay: see [`size_rustflags`].
pub fn host_size_rustflags() -> Vec<String> {
    let mut flags = Vec::new();
    if cfg!(target_os = "linux") {
        flags.extend([
            "--cfg".into(),
            "getrandom_backend=\"linux_getrandom\"".into(),
            "-Clink-arg=-Wl,-z,pack-relative-relocs".into(),
            "-Clink-arg=-Wl,--icf=all".into(),
        ]);
    }
    flags
}

/// A short stable name for a feature list (FNV-1a), for the kept binaries' file names.
fn short_hash(s: &str) -> String {
    let h = s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{:08x}", h & 0xffff_ffff)
}

/// text/data/bss of `bin` by binutils' `size` (Berkeley format).
fn size_of(bin: &Path) -> Result<Size, String> {
    size_by("size", bin)
}

/// The size of `bin`'s `.text` section (code only), by binutils' `size -A`.
fn code_of(bin: &Path) -> Result<u64, String> {
    sections_of(bin)?
        .into_iter()
        .find(|(name, _)| name == ".text")
        .map(|(_, bytes)| bytes.unsigned_abs())
        .ok_or_else(|| format!("no .text section in {}", bin.display()))
}

/// The ELF sections of `bin` and their sizes, by binutils' `size -A`.
fn sections_of(bin: &Path) -> Result<Vec<(String, i64)>, String> {
    let out = Command::new("size")
        .arg("-A")
        .arg(bin)
        .output()
        .map_err(|e| format!("cannot run `size -A` (binutils): {e}"))?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            let (name, bytes) = (w.next()?, w.next()?.parse().ok()?);
            name.starts_with('.').then(|| (name.to_string(), bytes))
        })
        .collect())
}

/// text/data/bss of `bin` by `program`, a binutils `size` (Berkeley format).
pub fn size_by(program: &str, bin: &Path) -> Result<Size, String> {
    let out = Command::new(program)
        .arg(bin)
        .output()
        .map_err(|e| format!("cannot run `{program}` (binutils): {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let nums: Vec<u64> = text
        .lines()
        .nth(1)
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .filter_map(|n| n.parse().ok())
        .collect();
    match nums.as_slice() {
        [text, data, bss] => Ok(Size {
            text: *text,
            data: *data,
            bss: *bss,
        }),
        _ => Err(format!("cannot read `size {}`: {text}", bin.display())),
    }
}

/// Runs `bin speed MS SUITE`; `Err` carries the binary's complaint.
pub(crate) fn speed_of(
    bin: &Path,
    millis: u64,
    suite: &str,
) -> Result<Vec<(String, String)>, String> {
    key_values(bin, &["speed", &millis.to_string(), suite])
}

/// Runs `bin ARGS` and reads the `key=value` line it prints.
fn key_values(bin: &Path, args: &[&str]) -> Result<Vec<(String, String)>, String> {
    let out = Command::new(bin)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect())
}

/// Whether a crate has content yet (more than declared features): a public item in its
/// `src/lib.rs`.
fn has_content(root: &Path, krate: &str) -> bool {
    std::fs::read_to_string(root.join(krate).join("src/lib.rs"))
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("pub ") || l.starts_with("pub("))
        })
        .unwrap_or(false)
}

/// The speed build's features: the profile's plus both roles and the heap counter.
fn speed_features(p: &Profile) -> Vec<String> {
    let mut f = p.features.clone();
    for role in ["client", "server", "heap-count"] {
        if !f.iter().any(|x| x == role) {
            f.push(role.to_string());
        }
    }
    f
}

/// What a DTLS speed line (it names the PMTU and the bulk record size) measured, for the
/// row's note; `None` for a TLS line.
fn datagram_note(kv: &[(String, String)]) -> Option<String> {
    let get = |key: &str| kv.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let (pmtu, record) = (get("pmtu")?, get("record_bytes")?);
    Some(format!(
        "DTLS 1.0 pair in memory: cookie round in every handshake, bulk in {record}-byte \
         records (PMTU {pmtu})"
    ))
}

/// Measures one profile; `Err` only when a build fails.
fn measure(
    root: &Path,
    p: &Profile,
    baseline: Size,
    baseline_code: u64,
    millis: u64,
) -> Result<Row, String> {
    let mut row = Row {
        name: p.name.clone(),
        about: p.about.clone(),
        status: "ok".into(),
        ..Row::default()
    };
    if let Some(krate) = p.needs.as_deref().filter(|k| !has_content(root, k)) {
        row.status = "missing".into();
        row.note = format!("{krate} has no content yet (its issue is open)");
        return Ok(row);
    }
    let small = build(root, "min-size", &p.features)
        .map_err(|e| format!("profile `{}` does not build: {e}", p.name))?;
    let size = size_of(&small)?;
    row.library_text = Some(size.text.saturating_sub(baseline.text));
    row.library_code = Some(code_of(&small)?.saturating_sub(baseline_code));
    row.size = Some(size);
    let fast = build(root, "release", &speed_features(p))
        .map_err(|e| format!("profile `{}` (speed build) does not build: {e}", p.name))?;
    match speed_of(&fast, millis, &p.suite) {
        Ok(kv) => {
            let mut notes: Vec<String> = datagram_note(&kv).into_iter().collect();
            row.speed = kv;
            match key_values(&fast, &["heap", &p.suite]) {
                Ok(heap) => row.speed.extend(heap),
                Err(why) => notes.push(format!("no heap figures: {why}")),
            }
            row.note = notes.join("; ");
        }
        Err(why) => {
            row.status = "not supported yet".into();
            row.note = format!("no in-memory handshake with suite {}: {why}", p.suite);
        }
    }
    Ok(row)
}

/// The C library's size for the minimal-client features (issue 15 item 5), beside the Rust
/// profile's: what a C user of that configuration links.
fn c_library_section(root: &Path, rows: &[Row]) -> Result<String, String> {
    let (text, data, bss) = crate::ffi::c_client_size(root)?;
    let rust = rows
        .iter()
        .find(|r| r.name == "minimal-client")
        .and_then(|r| r.size.as_ref())
        .map_or("not measured in this run".to_string(), |s| {
            format!("text {} B, data {} B, bss {} B", s.text, s.data, s.bss)
        });
    Ok(format!(
        "\n## The C library (libmatrixssl), minimal-client features\n\n\
         | program | text | data | bss |\n|---|---|---|---|\n\
         | C client (`matrix-ffi/c/client.c`, static libmatrixssl, min-size, `--gc-sections`, stripped) | {text} B | {data} B | {bss} B |\n\n\
         The Rust minimal-client reference binary (matrix-size-ref, same features): {rust}.\n\
         The C client carries the C API layer (matrix-ffi: handles, callbacks, the\n\
         `psX509Cert_t` conversion, unwinding guards) and its own sockets code.\n"
    ))
}

/// `cargo xtask matrix size PROFILE...`: only the size builds of the named profiles (all
/// when none is named) and the baseline, printed as a table; no speed build, no report
/// files. For iterating on one profile's size: `--sections` adds the library's share per
/// ELF section (the profile's minus the baseline's, from binutils' `size -A`).
pub fn size_only(root: &Path, args: &[String]) -> Result<(), String> {
    let sections = args.iter().any(|a| a == "--sections");
    let names: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "--sections")
        .collect();
    let all = profiles()?;
    if let Some(unknown) = names.iter().find(|n| !all.iter().any(|p| p.name == **n)) {
        return Err(format!(
            "matrix size: no profile `{unknown}` in profiles.toml"
        ));
    }
    let base_bin = build(root, "min-size", &[])?;
    let baseline = size_of(&base_bin)?;
    let baseline_code = code_of(&base_bin)?;
    println!(
        "| profile | text | data | bss | library text | library .text |\n|---|---:|---:|---:|---:|---:|"
    );
    println!(
        "| baseline (no role) | {} | {} | {} | - | - |",
        baseline.text, baseline.data, baseline.bss
    );
    for p in all
        .iter()
        .filter(|p| names.is_empty() || names.contains(&p.name.as_str()))
    {
        let bin = build(root, "min-size", &p.features)
            .map_err(|e| format!("profile `{}` does not build: {e}", p.name))?;
        let size = size_of(&bin)?;
        println!(
            "| {} | {} | {} | {} | {} | {} |",
            p.name,
            size.text,
            size.data,
            size.bss,
            size.text.saturating_sub(baseline.text),
            code_of(&bin)?.saturating_sub(baseline_code)
        );
        if sections {
            for (name, bytes) in section_share(&bin, &base_bin)? {
                println!("|   {name} | {bytes:+} | | | | |");
            }
        }
    }
    Ok(())
}

/// The sections whose size differs between `bin` and `base`: (name, bin's minus base's).
fn section_share(bin: &Path, base: &Path) -> Result<Vec<(String, i64)>, String> {
    let (a, b) = (sections_of(bin)?, sections_of(base)?);
    let mut out: Vec<(String, i64)> = a
        .iter()
        .map(|(n, x)| {
            let y = b.iter().find(|(m, _)| m == n).map_or(0, |(_, y)| *y);
            (n.clone(), x - y)
        })
        .chain(
            b.iter()
                .filter(|(n, _)| !a.iter().any(|(m, _)| m == n))
                .map(|(n, y)| (n.clone(), -y)),
        )
        .filter(|(_, d)| *d != 0)
        .collect();
    out.sort_by_key(|(_, d)| -d.abs());
    Ok(out)
}

/// Runs the profiles (all, or the `quick` subset) and writes the reports.
pub fn run(root: &Path, quick: bool) -> Result<(), String> {
    let start = Instant::now();
    let chosen: Vec<Profile> = profiles()?
        .into_iter()
        .filter(|p| !quick || p.quick)
        .collect();
    let millis = if quick { 200 } else { 1000 };
    let progress = Progress {
        tty: std::io::stderr().is_terminal(),
        total: chosen.len() + 1,
    };
    progress.show(0, "baseline (no role)");
    let base_bin = build(root, "min-size", &[])?;
    let (baseline, baseline_code) = (size_of(&base_bin)?, code_of(&base_bin)?);
    let mut rows = Vec::new();
    let mut failures = Vec::new();
    for (i, p) in chosen.iter().enumerate() {
        progress.show(i + 1, &p.name);
        match measure(root, p, baseline, baseline_code, millis) {
            Ok(r) => rows.push(r),
            Err(e) => {
                failures.push(e);
                rows.push(Row {
                    name: p.name.clone(),
                    about: p.about.clone(),
                    status: "BUILD FAILED".into(),
                    ..Row::default()
                });
            }
        }
    }
    progress.show(chosen.len() + 1, "done");
    progress.finish();

    let dir = root.join("target/matrix");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut md = report::markdown(&rows, baseline, quick);
    eprintln!("matrix: the C library (minimal-client features)");
    match c_library_section(root, &rows) {
        Ok(section) => md.push_str(&section),
        Err(e) => failures.push(format!("the C library's size: {e}")),
    }
    for (file, text) in [
        ("report.md", md.clone()),
        ("report.csv", report::csv(&rows)),
        ("report.svg", report::svg(&rows)),
    ] {
        let path = dir.join(file);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    print!("{md}");
    let mut tail = String::new();
    let _ = write!(
        tail,
        "cargo xtask matrix: {} profiles in {:.1} s; reports in {}",
        rows.len(),
        start.elapsed().as_secs_f64(),
        dir.display()
    );
    println!("{tail}");
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profiles_parse_and_name_the_required_ones() {
        let ps = profiles().expect("profiles.toml parses");
        for name in [
            "minimal-client",
            "minimal-server",
            "psk-only",
            "dtls-client",
            "default",
            "full",
        ] {
            assert!(ps.iter().any(|p| p.name == name), "{name} missing");
        }
        assert!(ps.iter().any(|p| p.quick));
    }

    #[test]
    fn the_dtls_profile_measures_speed_with_dtls_and_both_roles() {
        let ps = profiles().expect("profiles.toml parses");
        let dtls = ps
            .iter()
            .find(|p| p.name == "dtls-client")
            .expect("dtls-client");
        let f = speed_features(dtls);
        for want in ["dtls", "client", "server", "heap-count"] {
            assert!(f.iter().any(|x| x == want), "{want} missing from {f:?}");
        }
        // The size build keeps exactly the profile's one role.
        assert!(!dtls.features.iter().any(|x| x == "server"));
        let default = ps.iter().find(|p| p.name == "default").expect("default");
        assert!(!speed_features(default).iter().any(|x| x == "dtls"));
    }

    #[test]
    fn only_a_datagram_speed_line_gets_the_dtls_note() {
        let kv = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let tls = kv(&[("suite", "0x002F"), ("session_idle_bytes", "100")]);
        assert_eq!(datagram_note(&tls), None);
        let dtls = kv(&[
            ("suite", "0x002F"),
            ("pmtu", "1500"),
            ("record_bytes", "1435"),
        ]);
        let note = datagram_note(&dtls).expect("a DTLS note");
        assert!(note.contains("1435-byte records (PMTU 1500)"), "{note}");
    }
}
