//! `cargo xtask ffi --prefix DIR [--features LIST] [--no-default-features] [--debug]`:
//! builds matrix-ffi (release unless `--debug`) and installs the C library the way a C
//! project expects it:
//!
//! ```text
//! DIR/include/matrixsslApi.h      the API (matrix-ffi/include)
//! DIR/include/matrixsslConfig.h   this build's USE_* defines (written by matrix-ffi's build.rs)
//! DIR/lib/libmatrixssl.a          static library
//! DIR/lib/libmatrixssl.so         shared library
//! DIR/lib/pkgconfig/matrixssl.pc  `pkg-config --cflags --libs [--static] matrixssl`
//! ```
//!
//! Then it checks the installation: `matrix-ffi/c/layout.c` is compiled with
//! `cc -Wall -Wextra -Werror` and the flags pkg-config gives, linked once against each
//! library, and run.
//!
//! Also here: [`c_client_size`], the size of the C client linked statically against the
//! library built with the minimal-client features, for `cargo xtask matrix`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The options of `cargo xtask ffi`.
#[derive(Debug, Default)]
pub struct Options {
    prefix: Option<PathBuf>,
    features: Option<String>,
    no_default_features: bool,
    debug: bool,
}

impl Options {
    /// Parses the arguments after `ffi`.
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut o = Options::default();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "--prefix" => o.prefix = it.next().map(PathBuf::from),
                "--features" => o.features = it.next().cloned(),
                "--no-default-features" => o.no_default_features = true,
                "--debug" => o.debug = true,
                other => return Err(format!("cargo xtask ffi: unknown argument `{other}`")),
            }
        }
        if o.prefix.is_none() {
            return Err(
                "usage: cargo xtask ffi --prefix DIR [--features LIST] [--no-default-features] [--debug]"
                    .into(),
            );
        }
        Ok(o)
    }
}

/// What one build of matrix-ffi produced.
struct Built {
    staticlib: PathBuf,
    cdylib: PathBuf,
    config_header: PathBuf,
}

/// Builds matrix-ffi with `args` (profile and features) and finds its artifacts in cargo's
/// JSON messages: the libraries, and the OUT_DIR where build.rs wrote matrixsslConfig.h.
fn build(root: &Path, extra: &[&str]) -> Result<Built, String> {
    let mut args = vec!["build", "-p", "matrix-ffi", "--message-format=json"];
    args.extend_from_slice(extra);
    println!("==> cargo {}", args.join(" "));
    let out = Command::new("cargo")
        .args(&args)
        .current_dir(root)
        .output()
        .map_err(|e| format!("cannot start cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`cargo {}` failed:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let (mut staticlib, mut cdylib, mut out_dir) = (None, None, None);
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let is_ffi = v["package_id"]
            .as_str()
            .is_some_and(|p| p.contains("matrix-ffi"));
        if !is_ffi {
            continue;
        }
        match v["reason"].as_str() {
            Some("build-script-executed") => {
                out_dir = v["out_dir"].as_str().map(PathBuf::from);
            }
            Some("compiler-artifact") => {
                for f in v["filenames"].as_array().into_iter().flatten() {
                    let f = f.as_str().unwrap_or_default();
                    if f.ends_with("libmatrixssl.a") {
                        staticlib = Some(PathBuf::from(f));
                    } else if f.ends_with("libmatrixssl.so") {
                        cdylib = Some(PathBuf::from(f));
                    }
                }
            }
            _ => {}
        }
    }
    match (staticlib, cdylib, out_dir) {
        (Some(staticlib), Some(cdylib), Some(dir)) => Ok(Built {
            staticlib,
            cdylib,
            config_header: dir.join("matrixsslConfig.h"),
        }),
        _ => Err(
            "cargo did not report libmatrixssl.a, libmatrixssl.so and build.rs's OUT_DIR".into(),
        ),
    }
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("copying {} to {}: {e}", from.display(), to.display()))
}

/// The pkg-config file of an installation at `prefix`.
fn pc_file(prefix: &Path) -> String {
    format!(
        "prefix={}\n\
         libdir=${{prefix}}/lib\n\
         includedir=${{prefix}}/include\n\
         \n\
         Name: matrixssl\n\
         Description: matrix, the MatrixSSL 3.2 C API (matrixsslApi.h) in memory-safe Rust\n\
         Version: {}\n\
         Libs: -L${{libdir}} -lmatrixssl\n\
         Libs.private: -lpthread -ldl -lm\n\
         Cflags: -I${{includedir}}\n",
        prefix.display(),
        env!("CARGO_PKG_VERSION")
    )
}

/// `cc` and `pkg-config` there, or installed from Debian's packages when running as root
/// (CI on a fresh machine); otherwise a failure naming the fix.
fn ensure_c_tools(root: &Path) -> Result<(), String> {
    let missing: Vec<&str> = [("cc", "gcc"), ("pkg-config", "pkg-config")]
        .iter()
        .filter(|(tool, _)| crate::cmd::output(tool, &["--version"]).is_none())
        .map(|(_, package)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let root_user = crate::cmd::output("id", &["-u"]).is_some_and(|u| u.trim() == "0");
    if !root_user {
        return Err(format!(
            "missing C tools (Debian: apt-get install {})",
            missing.join(" ")
        ));
    }
    let env = [("DEBIAN_FRONTEND", "noninteractive")];
    crate::cmd::run_env(root, "apt-get", &["update", "-qq"], &env)?;
    let mut args = vec!["install", "-y", "-qq"];
    args.extend(&missing);
    crate::cmd::run_env(root, "apt-get", &args, &env)
}

/// What `cargo test -p matrix-ffi` needs besides Rust: a C compiler, pkg-config, valgrind
/// and OpenSSL's command line (checked, as the peers step does).
pub fn ensure_test_tools(root: &Path) -> Result<(), String> {
    ensure_c_tools(root)?;
    crate::valgrind::ensure_valgrind(root)?;
    crate::cmd::output("openssl", &["version"])
        .map(|_| ())
        .ok_or_else(|| "openssl (the command line) is not installed".into())
}

/// Runs `cargo xtask ffi`.
pub fn run(root: &Path, o: &Options) -> Result<(), String> {
    ensure_c_tools(root)?;
    let prefix = o.prefix.clone().ok_or("no --prefix")?;
    let prefix = if prefix.is_absolute() {
        prefix
    } else {
        std::env::current_dir()
            .map_err(|e| e.to_string())?
            .join(prefix)
    };
    let mut extra: Vec<&str> = Vec::new();
    if !o.debug {
        extra.push("--release");
    }
    if o.no_default_features {
        extra.push("--no-default-features");
    }
    if let Some(f) = &o.features {
        extra.extend(["--features", f]);
    }
    let built = build(root, &extra)?;
    let (inc, lib) = (prefix.join("include"), prefix.join("lib"));
    let pc_dir = lib.join("pkgconfig");
    for d in [&inc, &pc_dir] {
        std::fs::create_dir_all(d).map_err(|e| format!("{}: {e}", d.display()))?;
    }
    copy(
        &root.join("matrix-ffi/include/matrixsslApi.h"),
        &inc.join("matrixsslApi.h"),
    )?;
    copy(&built.config_header, &inc.join("matrixsslConfig.h"))?;
    copy(&built.staticlib, &lib.join("libmatrixssl.a"))?;
    copy(&built.cdylib, &lib.join("libmatrixssl.so"))?;
    let pc = pc_dir.join("matrixssl.pc");
    std::fs::write(&pc, pc_file(&prefix)).map_err(|e| format!("{}: {e}", pc.display()))?;
    println!("installed matrixssl in {}", prefix.display());
    check_install(root, &prefix)
}

/// Compiles, links (shared, then static) and runs layout.c with pkg-config's flags.
fn check_install(root: &Path, prefix: &Path) -> Result<(), String> {
    let pc_path = prefix.join("lib/pkgconfig");
    let flags = |args: &[&str]| -> Result<Vec<String>, String> {
        let out = Command::new("pkg-config")
            .args(args)
            .arg("matrixssl")
            .env("PKG_CONFIG_PATH", &pc_path)
            .output()
            .map_err(|e| format!("cannot run pkg-config: {e}"))?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        Ok(String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .map(str::to_owned)
            .collect())
    };
    let cflags = flags(&["--cflags"])?;
    let src = root.join("matrix-ffi/c/layout.c");
    for (name, libs, rpath) in [
        ("shared", flags(&["--libs"])?, true),
        (
            "static",
            {
                // `-l` would pick the shared library: name the archive itself.
                let mut l = vec![prefix.join("lib/libmatrixssl.a").display().to_string()];
                l.extend(
                    flags(&["--static", "--libs-only-l"])?
                        .into_iter()
                        .filter(|f| f != "-lmatrixssl"),
                );
                l
            },
            false,
        ),
    ] {
        let exe = prefix.join(format!("layout-check-{name}"));
        let mut cc = Command::new("cc");
        cc.args(["-Wall", "-Wextra", "-Werror"])
            .args(&cflags)
            .arg(&src)
            .arg("-o")
            .arg(&exe)
            .args(&libs);
        if rpath {
            cc.arg(format!("-Wl,-rpath,{}", prefix.join("lib").display()));
        }
        let st = cc.status().map_err(|e| format!("cannot run cc: {e}"))?;
        if !st.success() {
            return Err(format!(
                "a C program does not build against the {name} installation"
            ));
        }
        let run = Command::new(&exe)
            .output()
            .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
        let _ = std::fs::remove_file(&exe);
        if !run.status.success() {
            return Err(format!("{} failed", exe.display()));
        }
        println!("checked: layout.c builds with pkg-config's flags and runs ({name})");
    }
    Ok(())
}

/// The features of the `minimal-client` profile, as matrix-ffi names them.
const MINIMAL_CLIENT: &str = "client-side-ssl,tls-1-1,tls-rsa-with-aes-128-cbc-sha";

/// text/data/bss of `c/client.c` linked statically against libmatrixssl built with the
/// minimal-client features in the `min-size` profile (with `--gc-sections`, stripped),
/// for `cargo xtask matrix`: what a C user of that configuration links.
pub fn c_client_size(root: &Path) -> Result<(u64, u64, u64), String> {
    let built = build(
        root,
        &[
            "--quiet",
            "--profile",
            "min-size",
            "--no-default-features",
            "--features",
            MINIMAL_CLIENT,
        ],
    )?;
    let dir = root.join("target/matrix/ffi");
    std::fs::create_dir_all(dir.join("include")).map_err(|e| e.to_string())?;
    copy(&built.config_header, &dir.join("include/matrixsslConfig.h"))?;
    let exe = dir.join("client-minimal");
    let st = Command::new("cc")
        .args([
            "-Os",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-ffunction-sections",
            "-fdata-sections",
        ])
        .arg("-I")
        .arg(root.join("matrix-ffi/include"))
        .arg("-I")
        .arg(dir.join("include"))
        .arg(root.join("matrix-ffi/c/client.c"))
        .arg("-o")
        .arg(&exe)
        .arg(&built.staticlib)
        .args(["-lpthread", "-ldl", "-lm", "-Wl,--gc-sections", "-s"])
        .status()
        .map_err(|e| format!("cannot run cc: {e}"))?;
    if !st.success() {
        return Err("the minimal C client does not build".into());
    }
    let out = Command::new("size")
        .arg(&exe)
        .output()
        .map_err(|e| format!("cannot run size: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let n: Vec<u64> = text
        .lines()
        .nth(1)
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .filter_map(|x| x.parse().ok())
        .collect();
    match n.as_slice() {
        [t, d, b] => Ok((*t, *d, *b)),
        _ => Err(format!("cannot read `size {}`", exe.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options() {
        let a = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(Options::parse(&a(&[])).is_err());
        let o = Options::parse(&a(&["--prefix", "/tmp/x", "--debug"])).unwrap();
        assert_eq!(o.prefix, Some(PathBuf::from("/tmp/x")));
        assert!(o.debug && !o.no_default_features);
        assert!(Options::parse(&a(&["--prefix", "p", "--bogus"])).is_err());
    }

    #[test]
    fn pkg_config_file_names_the_library_and_its_system_libraries() {
        let pc = pc_file(Path::new("/opt/m"));
        assert!(pc.contains("prefix=/opt/m\n"));
        assert!(pc.contains("Libs: -L${libdir} -lmatrixssl\n"));
        assert!(pc.contains("Libs.private: -lpthread -ldl -lm\n"));
        assert!(pc.contains("Cflags: -I${includedir}\n"));
    }
}
