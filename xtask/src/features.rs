//! `cargo xtask features`: FEATURES.md is the contract between MatrixSSL's defines and our
//! Cargo features; this module checks that the table and the Cargo.toml files agree, then
//! builds every library crate with no default features, its defaults and all features.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::cmd;

/// The library crates whose features the table describes.
pub const LIBRARY_CRATES: [&str; 5] = [
    "matrix-core",
    "matrix-crypto",
    "matrix-x509",
    "matrix-ssl",
    "matrix-dtls",
];

/// Every boolean define the seeds (developer's guide and API reference) name: the table
/// must have a row for each.
pub const REQUIRED_DEFINES: &[&str] = &[
    // Functionality defines.
    "PS_USE_FILE_SYSTEM",
    "USE_CLIENT_SIDE_SSL",
    "USE_SERVER_SIDE_SSL",
    "USE_TLS",
    "USE_TLS_1_1",
    "DISABLE_SSLV3",
    "ENABLE_SECURE_REHANDSHAKES",
    "REQUIRE_SECURE_REHANDSHAKES",
    "ENABLE_INSECURE_REHANDSHAKES",
    "HAVE_NATIVE_INT64",
    "USE_MULTITHREADING",
    "USE_PEERSEC_MEMORY_MANAGEMENT",
    "USE_CLIENT_AUTH",
    "SERVER_CAN_SEND_EMPTY_CERT_REQUEST",
    "SERVER_WILL_ACCEPT_EMPTY_CLIENT_CERT_MSG",
    "USE_PRIVATE_KEY_PARSING",
    "USE_PKCS5",
    "USE_PKCS8",
    "USE_PKCS12",
    "USE_CERT_PARSE",
    "USE_1024_KEY_SPEED_OPTIMIZATIONS",
    "PS_PUBKEY_OPTIMIZE_FOR_SMALLER_RAM",
    "PS_PUBKEY_OPTIMIZE_FOR_FASTER_SPEED",
    "PS_AES_IMPROVE_PERF_INCREASE_CODESIZE",
    "PS_3DES_IMPROVE_PERF_INCREASE_CODESIZE",
    "PS_MD5_IMPROVE_PERF_INCREASE_CODESIZE",
    "PS_SHA1_IMPROVE_PERF_INCREASE_CODESIZE",
    // Debug configuration.
    "HALT_ON_PS_ERROR",
    "USE_CORE_TRACE",
    "USE_CRYPTO_TRACE",
    "USE_SSL_HANDSHAKE_MSG_TRACE",
    "USE_SSL_INFORMATIONAL_TRACE",
    // Cipher suites.
    "USE_TLS_RSA_WITH_AES_128_CBC_SHA",
    "USE_SSL_RSA_WITH_3DES_EDE_CBC_SHA",
    "USE_SSL_RSA_WITH_RC4_128_SHA",
    "USE_SSL_RSA_WITH_RC4_128_MD5",
    "USE_TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
    "USE_TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
    "USE_SSL_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
    "USE_TLS_RSA_WITH_AES_256_CBC_SHA",
    "USE_TLS_RSA_WITH_SEED_CBC_SHA",
    "USE_TLS_DHE_PSK_WITH_AES_256_CBC_SHA",
    "USE_TLS_DHE_PSK_WITH_AES_128_CBC_SHA",
    "USE_TLS_PSK_WITH_AES_256_CBC_SHA",
    "USE_TLS_PSK_WITH_AES_128_CBC_SHA",
    "USE_SSL_DH_anon_WITH_RC4_128_MD5",
    // Algorithms.
    "USE_RSA",
    "USE_AES",
    "USE_3DES",
    "USE_ARC4",
    "USE_SEED",
    "USE_DH",
    "USE_SHA1",
    "USE_MD5",
    "USE_HMAC",
    "USE_X509",
    // DTLS.
    "DTLS_SEND_RECORDS_INDIVIDUALLY",
    "USE_DTLS_DEBUG_TRACE",
];

/// Numeric defines: each must be a field of `matrix_ssl::Config` with its C default.
pub const REQUIRED_NUMERIC: &[&str] = &[
    "SSL_SESSION_TABLE_SIZE",
    "SSL_SESSION_ENTRY_LIFE",
    "SSL_MAX_DISABLED_CIPHERS",
    "DTLS_PMTU",
];

/// Defines whose feature does not follow the naming rule, with the feature they map to.
const NAMING_EXCEPTIONS: &[(&str, &str)] = &[
    ("DISABLE_SSLV3", "ssl3"),
    ("USE_CRYPT0_TRACE", "crypto-trace"),
    ("MATRIX_USE_FILE_SYSTEM", "file-system"),
];

/// One row of the boolean table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// 1-based line in FEATURES.md.
    pub line: usize,
    /// The defines it replaces (none for matrix-only features).
    pub defines: Vec<String>,
    /// The crates that own the feature.
    pub crates: Vec<String>,
    /// The Cargo feature.
    pub feature: String,
    /// Whether it is on by default.
    pub default: bool,
}

impl Row {
    fn name(&self) -> String {
        if self.defines.is_empty() {
            format!(
                "FEATURES.md line {} (feature `{}`)",
                self.line, self.feature
            )
        } else {
            format!(
                "FEATURES.md line {} (`{}`)",
                self.line,
                self.defines.join("` / `")
            )
        }
    }
}

/// One row of the numeric table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumericRow {
    /// 1-based line in FEATURES.md.
    pub line: usize,
    /// The define.
    pub define: String,
    /// The `Config` field.
    pub field: String,
    /// The C default.
    pub c_default: u64,
}

/// The features of one crate: name -> what it enables.
pub type FeatureMap = BTreeMap<String, Vec<String>>;

/// `USE_TLS_1_1` -> `tls-1-1`: drop `PS_`, then `USE_` or `ENABLE_`, kebab-case the rest.
pub fn feature_name(define: &str) -> String {
    if let Some((_, f)) = NAMING_EXCEPTIONS.iter().find(|(d, _)| *d == define) {
        return (*f).to_string();
    }
    let mut s = define.strip_prefix("PS_").unwrap_or(define);
    s = s
        .strip_prefix("USE_")
        .or_else(|| s.strip_prefix("ENABLE_"))
        .unwrap_or(s);
    s.to_ascii_lowercase().replace('_', "-")
}

fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
    inner
        .split('|')
        .map(|c| c.trim().replace('`', ""))
        .collect()
}

/// Parses both tables of FEATURES.md.
pub fn parse_table(md: &str) -> Result<(Vec<Row>, Vec<NumericRow>), Vec<String>> {
    #[derive(PartialEq)]
    enum Mode {
        None,
        Boolean,
        Numeric,
    }
    let mut mode = Mode::None;
    let mut rows = Vec::new();
    let mut numeric = Vec::new();
    let mut errors = Vec::new();
    for (i, raw) in md.lines().enumerate() {
        let line = i + 1;
        let t = raw.trim();
        if !t.starts_with('|') {
            mode = Mode::None;
            continue;
        }
        let c = cells(t);
        if c.first().is_some_and(|h| h == "Define") {
            mode = match c.get(1).map(String::as_str) {
                Some("Crate") => Mode::Boolean,
                Some("Config field") => Mode::Numeric,
                _ => Mode::None,
            };
            continue;
        }
        if c.iter().all(|x| x.chars().all(|ch| ch == '-' || ch == ':')) {
            continue;
        }
        match mode {
            Mode::None => {}
            Mode::Boolean => {
                if c.len() < 5 {
                    errors.push(format!("FEATURES.md line {line}: expected 5 cells"));
                    continue;
                }
                let defines = if c[0].starts_with('—') || c[0].starts_with('-') {
                    Vec::new()
                } else {
                    c[0].split('/').map(|d| d.trim().to_string()).collect()
                };
                let default = match c[3].as_str() {
                    "yes" => true,
                    "no" => false,
                    other => {
                        errors.push(format!(
                            "FEATURES.md line {line}: Default is `{other}`, not yes or no"
                        ));
                        continue;
                    }
                };
                rows.push(Row {
                    line,
                    defines,
                    crates: c[1].split(',').map(|s| s.trim().to_string()).collect(),
                    feature: c[2].clone(),
                    default,
                });
            }
            Mode::Numeric => {
                if c.len() < 3 {
                    errors.push(format!("FEATURES.md line {line}: expected 4 cells"));
                    continue;
                }
                let Ok(c_default) = c[2].replace('_', "").parse::<u64>() else {
                    errors.push(format!(
                        "FEATURES.md line {line}: C default `{}` is not a number",
                        c[2]
                    ));
                    continue;
                };
                numeric.push(NumericRow {
                    line,
                    define: c[0].clone(),
                    field: c[1].clone(),
                    c_default,
                });
            }
        }
    }
    if errors.is_empty() {
        Ok((rows, numeric))
    } else {
        Err(errors)
    }
}

/// Reads `[features]` of a Cargo.toml.
pub fn parse_features(manifest: &str) -> Result<FeatureMap, String> {
    let doc: toml::Table = toml::from_str(manifest).map_err(|e| e.to_string())?;
    let mut map = FeatureMap::new();
    if let Some(toml::Value::Table(f)) = doc.get("features") {
        for (name, v) in f {
            let list = v
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            map.insert(name.clone(), list);
        }
    }
    Ok(map)
}

/// The crate's own features that `default` turns on, following its local implications.
fn default_closure(features: &FeatureMap) -> BTreeSet<String> {
    let mut on = BTreeSet::new();
    let mut todo: Vec<String> = features.get("default").cloned().unwrap_or_default();
    while let Some(f) = todo.pop() {
        if f.contains('/') || f.starts_with("dep:") || !on.insert(f.clone()) {
            continue;
        }
        if let Some(more) = features.get(&f) {
            todo.extend(more.iter().cloned());
        }
    }
    on
}

/// Everything the check reads, so tests can feed it altered copies.
pub struct Inputs {
    /// FEATURES.md.
    pub table: String,
    /// Each library crate's `[features]`.
    pub manifests: BTreeMap<String, FeatureMap>,
    /// `matrix-ssl/src/config.rs`, where the numeric defines live.
    pub config_rs: String,
}

impl Inputs {
    /// Reads the inputs from the repository at `root`.
    pub fn read(root: &Path) -> Result<Inputs, String> {
        let read = |p: &Path| {
            std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
        };
        let mut manifests = BTreeMap::new();
        for c in LIBRARY_CRATES {
            let text = read(&root.join(c).join("Cargo.toml"))?;
            let f = parse_features(&text).map_err(|e| format!("{c}/Cargo.toml: {e}"))?;
            manifests.insert(c.to_string(), f);
        }
        Ok(Inputs {
            table: read(&root.join("FEATURES.md"))?,
            manifests,
            config_rs: read(&root.join("matrix-ssl/src/config.rs"))?,
        })
    }
}

/// Checks the table against the manifests; every disagreement is one line of the error.
pub fn check(inputs: &Inputs) -> Result<(), Vec<String>> {
    let (rows, numeric) = parse_table(&inputs.table)?;
    let mut errors = Vec::new();

    for d in REQUIRED_DEFINES {
        if !rows.iter().any(|r| r.defines.iter().any(|x| x == d)) {
            errors.push(format!(
                "FEATURES.md has no row for define `{d}` (the seeds name it): add it with its feature `{}`",
                feature_name(d)
            ));
        }
    }

    let mut seen: BTreeMap<(String, String), usize> = BTreeMap::new();
    for r in &rows {
        for d in &r.defines {
            let want = feature_name(d);
            if want != r.feature {
                errors.push(format!(
                    "{}: define `{d}` should be feature `{want}`, the table says `{}`",
                    r.name(),
                    r.feature
                ));
            }
        }
        for c in &r.crates {
            if let Some(first) = seen.insert((c.clone(), r.feature.clone()), r.line) {
                errors.push(format!(
                    "{}: `{c}/{}` already has a row at line {first}",
                    r.name(),
                    r.feature
                ));
            }
            let Some(features) = inputs.manifests.get(c) else {
                errors.push(format!("{}: `{c}` is not a library crate", r.name()));
                continue;
            };
            if !features.contains_key(&r.feature) {
                errors.push(format!(
                    "{}: {c}/Cargo.toml has no feature `{}`",
                    r.name(),
                    r.feature
                ));
                continue;
            }
            let on = default_closure(features).contains(&r.feature);
            if on != r.default {
                errors.push(format!(
                    "{}: Default says {} but {c}'s `default` {} `{}`",
                    r.name(),
                    if r.default { "yes" } else { "no" },
                    if on { "turns on" } else { "does not turn on" },
                    r.feature
                ));
            }
        }
    }

    for (c, features) in &inputs.manifests {
        for (f, enables) in features {
            if f == "default" || seen.contains_key(&(c.clone(), f.clone())) {
                continue;
            }
            let forwards = rows.iter().any(|r| {
                r.feature == *f
                    && r.crates.iter().any(|owner| {
                        enables
                            .iter()
                            .any(|e| *e == format!("{owner}/{f}") || *e == format!("{owner}?/{f}"))
                    })
            });
            if !forwards {
                errors.push(format!(
                    "{c}/Cargo.toml: feature `{f}` has no row in FEATURES.md (and does not forward a feature of the same name that has one)"
                ));
            }
        }
    }

    for d in REQUIRED_NUMERIC {
        if !numeric.iter().any(|n| n.define == *d) {
            errors.push(format!(
                "FEATURES.md has no row for numeric define `{d}` in the Config table"
            ));
        }
    }
    for n in &numeric {
        if !inputs.config_rs.contains(&format!("pub {}:", n.field)) {
            errors.push(format!(
                "FEATURES.md line {} (`{}`): matrix_ssl::Config has no field `{}`",
                n.line, n.define, n.field
            ));
        }
        match const_value(&inputs.config_rs, &n.define) {
            Some(v) if v == n.c_default => {}
            Some(v) => errors.push(format!(
                "FEATURES.md line {} (`{}`): C default {} but Config::{} is {v}",
                n.line, n.define, n.c_default, n.define
            )),
            None => errors.push(format!(
                "FEATURES.md line {} (`{}`): Config has no constant `{}`",
                n.line, n.define, n.define
            )),
        }
    }

    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// The number in `pub const NAME: T = <expr>;` (its digits, underscores dropped).
fn const_value(src: &str, name: &str) -> Option<u64> {
    let start = src.find(&format!("pub const {name}:"))?;
    let rest = &src[start..];
    let expr = &rest[rest.find('=')? + 1..rest.find(';')?];
    let digits: String = expr.chars().filter(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// `cargo xtask features`.
pub fn run(root: &Path, build: bool) -> Result<(), String> {
    let inputs = Inputs::read(root)?;
    if let Err(errors) = check(&inputs) {
        for e in &errors {
            eprintln!("  {e}");
        }
        return Err(format!(
            "FEATURES.md and the Cargo.toml files disagree ({} problem(s))",
            errors.len()
        ));
    }
    println!("FEATURES.md agrees with the Cargo.toml files of {LIBRARY_CRATES:?}");
    if build {
        for c in LIBRARY_CRATES {
            for flags in [&["--no-default-features"][..], &[], &["--all-features"]] {
                let mut args = vec!["clippy", "--quiet", "-p", c];
                args.extend_from_slice(flags);
                args.extend_from_slice(&["--", "-D", "warnings"]);
                cmd::run(root, "cargo", &args)?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> Inputs {
        Inputs::read(&crate::workspace_root()).expect("repository files")
    }

    fn errors_after(edit: impl FnOnce(&mut Inputs)) -> Vec<String> {
        let mut i = inputs();
        edit(&mut i);
        check(&i).expect_err("the altered inputs must fail the check")
    }

    #[test]
    fn the_repository_passes() {
        if let Err(e) = check(&inputs()) {
            panic!("{}", e.join("\n"));
        }
    }

    #[test]
    fn naming_rule() {
        assert_eq!(feature_name("USE_TLS_1_1"), "tls-1-1");
        assert_eq!(feature_name("PS_USE_FILE_SYSTEM"), "file-system");
        assert_eq!(
            feature_name("ENABLE_SECURE_REHANDSHAKES"),
            "secure-rehandshakes"
        );
        assert_eq!(
            feature_name("PS_AES_IMPROVE_PERF_INCREASE_CODESIZE"),
            "aes-improve-perf-increase-codesize"
        );
        assert_eq!(feature_name("DISABLE_SSLV3"), "ssl3");
        assert_eq!(
            feature_name("USE_SSL_DH_anon_WITH_RC4_128_MD5"),
            "ssl-dh-anon-with-rc4-128-md5"
        );
    }

    #[test]
    fn a_removed_row_fails_naming_the_define_and_the_feature() {
        let errors = errors_after(|i| {
            i.table = i
                .table
                .lines()
                .filter(|l| !l.starts_with("| `USE_TLS_1_1` |"))
                .collect::<Vec<_>>()
                .join("\n");
        });
        assert!(
            errors
                .iter()
                .any(|e| e.contains("no row for define `USE_TLS_1_1`")),
            "{errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|e| e.contains("matrix-ssl/Cargo.toml: feature `tls-1-1` has no row")),
            "{errors:?}"
        );
    }

    #[test]
    fn a_feature_missing_from_cargo_fails() {
        let errors = errors_after(|i| {
            i.manifests.get_mut("matrix-crypto").unwrap().remove("seed");
        });
        assert!(
            errors
                .iter()
                .any(|e| e.contains("`USE_SEED`") && e.contains("has no feature `seed`")),
            "{errors:?}"
        );
    }

    #[test]
    fn a_wrong_default_fails() {
        let errors = errors_after(|i| {
            i.table = i.table.replace(
                "| `USE_SEED` | matrix-crypto | `seed` | no |",
                "| `USE_SEED` | matrix-crypto | `seed` | yes |",
            );
        });
        assert!(
            errors
                .iter()
                .any(|e| e.contains("`USE_SEED`") && e.contains("Default says yes")),
            "{errors:?}"
        );
    }

    #[test]
    fn a_badly_named_feature_fails() {
        let errors = errors_after(|i| {
            i.table = i.table.replace("| `tls-1-1` |", "| `tls11` |");
        });
        assert!(
            errors
                .iter()
                .any(|e| e.contains("should be feature `tls-1-1`")),
            "{errors:?}"
        );
    }

    #[test]
    fn a_wrong_numeric_default_fails() {
        let errors = errors_after(|i| {
            i.config_rs = i.config_rs.replace(
                "SSL_SESSION_TABLE_SIZE: usize = 32",
                "SSL_SESSION_TABLE_SIZE: usize = 33",
            );
        });
        assert!(
            errors
                .iter()
                .any(|e| e.contains("`SSL_SESSION_TABLE_SIZE`") && e.contains("is 33")),
            "{errors:?}"
        );
    }

    #[test]
    fn forwarding_features_are_accepted_only_when_they_forward() {
        let mut i = inputs();
        let ssl = i.manifests.get_mut("matrix-ssl").unwrap();
        assert!(ssl["file-system"].contains(&"matrix-x509/file-system".to_string()));
        ssl.insert("file-system".into(), vec!["std".into()]);
        let errors = check(&i).expect_err("a non-forwarding duplicate must fail");
        assert!(
            errors
                .iter()
                .any(|e| e.contains("matrix-ssl/Cargo.toml: feature `file-system`")),
            "{errors:?}"
        );
    }
}
