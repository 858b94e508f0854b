//! `cargo xtask sslyze`: sslyze (from the peers' virtual environment, `cargo xtask peers`)
//! scans `matrix-server`, built with its default features, on 127.0.0.1.
//!
//! The expectations come from the build, not from a list kept here: the protocol versions
//! and cipher suites are the `ssl3`/`tls`/`tls-1-1`/`tls-1-2` and suite features of
//! matrix-ssl's `default` (the server's build), so the scan must find exactly those versions
//! accepted, exactly those suites accepted in each (the GCM and SHA-256 suites in TLS 1.2
//! only), and SSL 2.0 and TLS 1.3 refused. Then
//! RFC 5746 secure renegotiation supported, RFC 7507 TLS_FALLBACK_SCSV honoured, session-id
//! resumption working, RFC 7627 extended master secret when its feature is on, and none of
//! ROBOT, OpenSSL CCS injection, Heartbleed, insecure renegotiation or TLS compression.
//! sslyze's JSON output (`--json_out`) is what is read. A missing sslyze is a failure.
//!
//! sslyze also tries ten client-initiated renegotiations in a row ("client renegotiation
//! DoS"): matrix-ssl's rate limit (`Config::rehandshakes_per_minute`, 5 by default) must
//! refuse some of them.
//!
//! [`run_ecc`] scans a second build, matrix-server with matrix-apps' `ecc` feature (every
//! ECDHE suite, `ecc` not being a default yet), holding the built-in rsa2048 identity and
//! the ec-p256 one (`--ec-cert`/`--ec-key`): the same checks, with the ECDHE_RSA and
//! ECDHE_ECDSA suites of that feature expected too, and sslyze's `--elliptic_curves` scan
//! must find ECDH supported with exactly X25519, P-256 and P-384 (`Config::ec_groups`'s
//! default) and every other curve it tries refused.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::load::{Server, build};

/// How long a scan may take (it takes about a second here).
const SCAN_TIMEOUT: Duration = Duration::from_secs(300);

/// sslyze's name of each protocol version scan, with the matrix-ssl feature that enables
/// it (`None`: never compiled in).
const VERSIONS: &[(&str, Option<&str>)] = &[
    ("ssl_2_0_cipher_suites", None),
    ("ssl_3_0_cipher_suites", Some("ssl3")),
    ("tls_1_0_cipher_suites", Some("tls")),
    ("tls_1_1_cipher_suites", Some("tls-1-1")),
    ("tls_1_2_cipher_suites", Some("tls-1-2")),
    ("tls_1_3_cipher_suites", None),
];

/// What the server build enables: matrix-ssl's default features plus the suites the
/// `apps` feature of matrix-apps adds, less what matrix-server leaves off without
/// `--cipher` or a key (the PSK suites need `--psk`, DH_anon must be named).
struct Expected {
    versions: Vec<&'static str>,
    /// IANA names as sslyze prints them (`TLS_` even for the suites MatrixSSL calls `SSL_`).
    suites: Vec<String>,
    ems: bool,
    /// The ECDHE groups as sslyze names them, sorted (`None`: no `--elliptic_curves` scan).
    curves: Option<Vec<&'static str>>,
}

/// The groups an ECC build's server accepts (`Config::ec_groups`'s default), with sslyze's
/// names (the SECG ones, as sslyze 6 prints them), sorted.
const ECC_CURVES: [&str; 3] = ["X25519", "secp256r1", "secp384r1"];

/// The suite features (without `matrix-ssl/`) of `feature` in matrix-apps' manifest,
/// leaving out the PSK and DH_anon suites, which matrix-server enables only on request.
fn apps_suites<'a>(apps_manifest: &'a toml::Table, feature: &str) -> Result<Vec<&'a str>, String> {
    Ok(apps_manifest
        .get("features")
        .and_then(|f| f.get(feature))
        .and_then(|d| d.as_array())
        .ok_or_else(|| format!("matrix-apps/Cargo.toml has no [features] {feature}"))?
        .iter()
        .filter_map(toml::Value::as_str)
        .filter_map(|f| f.strip_prefix("matrix-ssl/"))
        .filter(|f| !f.contains("psk") && !f.contains("-anon-"))
        .collect())
}

/// [`expected`] for the ECC build: matrix-apps' `ecc` suites too, and the curves.
fn expected_ecc(root: &Path) -> Result<Expected, String> {
    let mut exp = expected(root)?;
    let apps_path = root.join("matrix-apps").join("Cargo.toml");
    let apps_text =
        std::fs::read_to_string(&apps_path).map_err(|e| format!("{}: {e}", apps_path.display()))?;
    let apps_manifest: toml::Table = apps_text
        .parse()
        .map_err(|e| format!("{}: {e}", apps_path.display()))?;
    exp.suites.extend(
        apps_suites(&apps_manifest, "ecc")?
            .into_iter()
            .filter(|f| f.contains("-with-"))
            .map(|f| f.to_ascii_uppercase().replace('-', "_")),
    );
    exp.suites.sort();
    exp.suites.dedup();
    exp.curves = Some(ECC_CURVES.to_vec());
    Ok(exp)
}

fn expected(root: &Path) -> Result<Expected, String> {
    let path = root.join("matrix-ssl").join("Cargo.toml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let manifest: toml::Table = text
        .parse()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let default: Vec<&str> = manifest
        .get("features")
        .and_then(|f| f.get("default"))
        .and_then(|d| d.as_array())
        .ok_or("matrix-ssl/Cargo.toml has no [features] default")?
        .iter()
        .filter_map(toml::Value::as_str)
        .collect();
    let apps_path = root.join("matrix-apps").join("Cargo.toml");
    let apps_text =
        std::fs::read_to_string(&apps_path).map_err(|e| format!("{}: {e}", apps_path.display()))?;
    let apps_manifest: toml::Table = apps_text
        .parse()
        .map_err(|e| format!("{}: {e}", apps_path.display()))?;
    let apps_suites = apps_suites(&apps_manifest, "apps")?;
    let versions = VERSIONS
        .iter()
        .filter(|(_, f)| f.is_some_and(|f| default.contains(&f)))
        .map(|(v, _)| *v)
        .collect();
    let mut suites: Vec<String> = default
        .iter()
        .chain(apps_suites.iter())
        .filter(|f| f.contains("-with-"))
        .map(|f| {
            let name = f.to_ascii_uppercase().replace('-', "_");
            match name.strip_prefix("SSL_") {
                Some(rest) => format!("TLS_{rest}"),
                None => name,
            }
        })
        .collect();
    suites.sort();
    suites.dedup();
    Ok(Expected {
        versions,
        suites,
        ems: default.contains(&"extended-master-secret"),
        curves: None,
    })
}

/// Builds the server (default features), scans it, checks the JSON.
pub fn run(root: &Path, python: &Path) -> Result<(), String> {
    let exp = expected(root)?;
    let server_exe = build(root, "matrix-apps", "matrix-server")?;
    scan(
        python,
        &server_exe,
        &[],
        &exp,
        &root.join("target").join("sslyze.json"),
    )
}

/// Builds matrix-server with matrix-apps' `ecc` (as `target/release/matrix-server-ecc`,
/// so that the default binary the other steps use stays as it is), scans it holding the
/// RSA and the EC identity, checks the JSON.
pub fn run_ecc(root: &Path, python: &Path) -> Result<(), String> {
    let exp = expected_ecc(root)?;
    crate::cmd::run(
        root,
        "cargo",
        &[
            "build",
            "--quiet",
            "--release",
            "-p",
            "matrix-apps",
            "--features",
            "ecc",
            "--bin",
            "matrix-server",
        ],
    )?;
    // The ECC binary replaces target/release/matrix-server until the next default build,
    // which the other steps (`load::build`) run first: cargo links the default one back.
    let release = root.join("target").join("release");
    let server_exe = release.join("matrix-server-ecc");
    std::fs::copy(release.join("matrix-server"), &server_exe)
        .map_err(|e| format!("{}: {e}", server_exe.display()))?;
    let ec_chain = format!(
        "{};{}",
        root.join("testkeys/ec-p256/server.pem").display(),
        root.join("testkeys/ec-p256/intermediate.pem").display()
    );
    let ec_key = root.join("testkeys/ec-p256/server.key");
    let ec_key = ec_key.to_string_lossy();
    let identity = ["--ec-cert", &ec_chain, "--ec-key", &ec_key];
    scan(
        python,
        &server_exe,
        &identity,
        &exp,
        &root.join("target").join("sslyze-ecc.json"),
    )
}

/// Starts `server_exe` with `server_args`, runs sslyze against it, checks the JSON (kept
/// in `json_path`) against `exp`.
fn scan(
    python: &Path,
    server_exe: &Path,
    server_args: &[&str],
    exp: &Expected,
    json_path: &Path,
) -> Result<(), String> {
    // sslyze opens several connections at once.
    let mut args = vec!["--quiet", "--concurrent", "16"];
    args.extend_from_slice(server_args);
    let server = Server::start(server_exe, &args)?;
    let _ = std::fs::remove_file(json_path);
    let target = format!("127.0.0.1:{}", server.port);
    let json_arg = json_path.to_string_lossy().into_owned();
    let mut args = vec![
        "-m",
        "sslyze",
        &target,
        "--sni",
        "localhost",
        "--sslv2",
        "--sslv3",
        "--tlsv1",
        "--tlsv1_1",
        "--tlsv1_2",
        "--tlsv1_3",
        "--reneg",
        "--robot",
        "--resum",
        "--fallback",
        "--openssl_ccs",
        "--heartbleed",
        "--compression",
        "--ems",
        "--mozilla_config",
        "disable",
        "--quiet",
        "--json_out",
        &json_arg,
    ];
    if exp.curves.is_some() {
        args.push("--elliptic_curves");
    }
    println!("\n==> {} {}", python.display(), args.join(" "));
    let mut child = Command::new(python)
        .args(args)
        .stdin(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start sslyze ({}): {e}", python.display()))?;
    let until = Instant::now() + SCAN_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s,
            Ok(None) if Instant::now() > until => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "sslyze did not finish within {} s",
                    SCAN_TIMEOUT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => return Err(format!("waiting for sslyze: {e}")),
        }
    };
    if !status.success() {
        return Err(format!(
            "sslyze failed ({status}); is it installed (`cargo xtask peers`)?"
        ));
    }
    drop(server);
    let text = std::fs::read_to_string(json_path)
        .map_err(|e| format!("sslyze wrote no {}: {e}", json_path.display()))?;
    let json: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", json_path.display()))?;
    let report = check(&json, exp)?;
    for line in &report.lines {
        println!("  {line}");
    }
    if report.problems.is_empty() {
        println!(
            "sslyze: passed ({} checks; JSON in {})",
            report.lines.iter().filter(|l| l.starts_with("ok")).count(),
            json_path.display()
        );
        Ok(())
    } else {
        Err(format!(
            "sslyze found problems:\n  {}",
            report.problems.join("\n  ")
        ))
    }
}

/// What the scan showed: one line per check, and the failed ones.
#[derive(Debug, Default)]
struct Report {
    lines: Vec<String>,
    problems: Vec<String>,
}

impl Report {
    fn check(&mut self, ok: bool, what: String) {
        self.lines
            .push(format!("{} {what}", if ok { "ok  " } else { "FAIL" }));
        if !ok {
            self.problems.push(what);
        }
    }
}

/// A completed scan command's `result`.
fn result<'a>(scan: &'a Value, command: &str) -> Result<&'a Value, String> {
    let c = scan
        .get(command)
        .ok_or_else(|| format!("sslyze's JSON has no `{command}`"))?;
    if c.get("status").and_then(Value::as_str) != Some("COMPLETED") {
        return Err(format!(
            "sslyze's `{command}` did not complete: {}",
            c.get("error_reason").unwrap_or(&Value::Null)
        ));
    }
    c.get("result")
        .ok_or_else(|| format!("sslyze's `{command}` has no result"))
}

fn flag(r: &Value, key: &str) -> Result<bool, String> {
    r.get(key)
        .and_then(Value::as_bool)
        .ok_or_else(|| format!("sslyze's JSON has no boolean `{key}`"))
}

/// Whether a suite (IANA name) exists in TLS 1.2 only.
fn tls12_only(name: &str) -> bool {
    name.contains("_GCM_") || name.ends_with("_SHA256") || name.ends_with("_SHA384")
}

/// Checks the scan against the build's expectations.
fn check(json: &Value, exp: &Expected) -> Result<Report, String> {
    let server = json
        .get("server_scan_results")
        .and_then(|s| s.get(0))
        .ok_or("sslyze's JSON has no server_scan_results")?;
    if server.get("connectivity_status").and_then(Value::as_str) != Some("COMPLETED") {
        return Err(format!(
            "sslyze could not connect: {}",
            server
                .get("connectivity_error_trace")
                .unwrap_or(&Value::Null)
        ));
    }
    let scan = server
        .get("scan_result")
        .ok_or("sslyze's JSON has no scan_result")?;
    let mut rep = Report::default();

    for (command, _) in VERSIONS {
        let r = result(scan, command)?;
        let want = exp.versions.contains(command);
        let supported = flag(r, "is_tls_version_supported")?;
        let mut accepted: Vec<String> = r
            .get("accepted_cipher_suites")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.pointer("/cipher_suite/name").and_then(Value::as_str))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        accepted.sort();
        let version = command.trim_end_matches("_cipher_suites");
        if want {
            // SEED and ECDHE are TLS suites (RFC 4162, RFC 8422): matrix-ssl never
            // negotiates them in SSL 3.0; the GCM and SHA-256/384 suites exist in TLS 1.2
            // only (RFC 5246, 5288, 5487, 5289).
            let tls12 = *command == "tls_1_2_cipher_suites";
            let expected: Vec<&String> = exp
                .suites
                .iter()
                .filter(|s| {
                    *command != "ssl_3_0_cipher_suites"
                        || !(s.contains("_SEED_") || s.starts_with("TLS_ECDHE_"))
                })
                .filter(|s| tls12 || !tls12_only(s))
                .collect();
            rep.check(supported, format!("{version} accepted"));
            rep.check(
                accepted.iter().eq(expected.iter().copied()),
                format!("{version} suites: accepted {accepted:?}, the build enables {expected:?}"),
            );
        } else {
            rep.check(
                !supported && accepted.is_empty(),
                format!("{version} refused (not compiled in); accepted {accepted:?}"),
            );
        }
    }

    let reneg = result(scan, "session_renegotiation")?;
    rep.check(
        flag(reneg, "supports_secure_renegotiation")?,
        "secure renegotiation (RFC 5746) supported".into(),
    );
    let robot = result(scan, "robot")?.get("robot_result");
    rep.check(
        robot
            .and_then(Value::as_str)
            .is_some_and(|v| v.starts_with("NOT_VULNERABLE")),
        format!("ROBOT: {}", robot.unwrap_or(&Value::Null)),
    );
    rep.check(
        !flag(
            result(scan, "openssl_ccs_injection")?,
            "is_vulnerable_to_ccs_injection",
        )?,
        "not vulnerable to CCS injection".into(),
    );
    rep.check(
        !flag(result(scan, "heartbleed")?, "is_vulnerable_to_heartbleed")?,
        "not vulnerable to Heartbleed".into(),
    );
    rep.check(
        !flag(result(scan, "tls_compression")?, "supports_compression")?,
        "no TLS compression (CRIME)".into(),
    );
    rep.check(
        flag(result(scan, "tls_fallback_scsv")?, "supports_fallback_scsv")?,
        "TLS_FALLBACK_SCSV honoured (RFC 7507)".into(),
    );
    let resum = result(scan, "session_resumption")?;
    rep.check(
        resum
            .get("session_id_resumption_result")
            .and_then(Value::as_str)
            == Some("FULLY_SUPPORTED"),
        format!(
            "session-id resumption: {}",
            resum
                .get("session_id_resumption_result")
                .unwrap_or(&Value::Null)
        ),
    );
    let ems = flag(
        result(scan, "tls_extended_master_secret")?,
        "supports_ems_extension",
    )?;
    rep.check(
        ems == exp.ems,
        format!(
            "extended master secret (RFC 7627): {ems}, the build {}",
            if exp.ems { "enables it" } else { "has it off" }
        ),
    );
    if let Some(want) = &exp.curves {
        check_curves(&mut rep, result(scan, "elliptic_curves")?, want)?;
    }
    let dos = flag(reneg, "is_vulnerable_to_client_renegotiation_dos")?;
    rep.check(
        !dos,
        format!(
            "client-initiated renegotiations rate limited (Config::rehandshakes_per_minute): \
             sslyze's \"client renegotiation DoS\" {}, {} accepted in a row",
            if dos { "flagged" } else { "not flagged" },
            reneg
                .get("client_renegotiations_success_count")
                .unwrap_or(&Value::Null)
        ),
    );
    Ok(rep)
}

/// ECDH supported with exactly the `want` curves; every other curve sslyze tries refused.
fn check_curves(rep: &mut Report, r: &Value, want: &[&str]) -> Result<(), String> {
    let names = |key: &str| -> Vec<String> {
        let mut v: Vec<String> = r
            .get(key)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|c| c.get("name").and_then(Value::as_str))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    };
    rep.check(
        flag(r, "supports_ecdh_key_exchange")?,
        "ECDH key exchange supported".into(),
    );
    let supported = names("supported_curves");
    rep.check(
        supported.iter().eq(want.iter()),
        format!("curves: accepted {supported:?}, the build enables {want:?}"),
    );
    let rejected = names("rejected_curves");
    rep.check(
        !rejected.is_empty() && rejected.iter().all(|c| !want.contains(&c.as_str())),
        format!("every other curve refused ({} refused)", rejected.len()),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exp() -> Expected {
        Expected {
            versions: vec!["tls_1_0_cipher_suites"],
            suites: vec!["TLS_RSA_WITH_AES_128_CBC_SHA".into()],
            ems: true,
            curves: None,
        }
    }

    /// A scan result: TLS 1.0 with `suites`, every other version refused, and the
    /// vulnerability flags as given.
    fn scan(suites: &[&str], robot: &str, ccs: bool, reneg: bool) -> Value {
        let version = |supported: bool, names: &[&str]| {
            serde_json::json!({"status": "COMPLETED", "result": {
                "is_tls_version_supported": supported,
                "accepted_cipher_suites": names.iter()
                    .map(|n| serde_json::json!({"cipher_suite": {"name": n}}))
                    .collect::<Vec<_>>(),
            }})
        };
        let done = |r: Value| serde_json::json!({"status": "COMPLETED", "result": r});
        serde_json::json!({"server_scan_results": [{
            "connectivity_status": "COMPLETED",
            "scan_result": {
                "ssl_2_0_cipher_suites": version(false, &[]),
                "ssl_3_0_cipher_suites": version(false, &[]),
                "tls_1_0_cipher_suites": version(!suites.is_empty(), suites),
                "tls_1_1_cipher_suites": version(false, &[]),
                "tls_1_2_cipher_suites": version(false, &[]),
                "tls_1_3_cipher_suites": version(false, &[]),
                "session_renegotiation": done(serde_json::json!({
                    "supports_secure_renegotiation": reneg,
                    "is_vulnerable_to_client_renegotiation_dos": false})),
                "robot": done(serde_json::json!({"robot_result": robot})),
                "openssl_ccs_injection": done(serde_json::json!({"is_vulnerable_to_ccs_injection": ccs})),
                "heartbleed": done(serde_json::json!({"is_vulnerable_to_heartbleed": false})),
                "tls_compression": done(serde_json::json!({"supports_compression": false})),
                "tls_fallback_scsv": done(serde_json::json!({"supports_fallback_scsv": true})),
                "session_resumption": done(serde_json::json!({"session_id_resumption_result": "FULLY_SUPPORTED"})),
                "tls_extended_master_secret": done(serde_json::json!({"supports_ems_extension": true})),
            }
        }]})
    }

    #[test]
    fn a_clean_scan_passes() {
        let r = check(
            &scan(
                &["TLS_RSA_WITH_AES_128_CBC_SHA"],
                "NOT_VULNERABLE_NO_ORACLE",
                false,
                true,
            ),
            &exp(),
        )
        .unwrap();
        assert!(r.problems.is_empty(), "{:?}", r.problems);
    }

    #[test]
    fn each_finding_fails() {
        let aes = ["TLS_RSA_WITH_AES_128_CBC_SHA"];
        for (s, what) in [
            (scan(&aes, "VULNERABLE_STRONG_ORACLE", false, true), "ROBOT"),
            (scan(&aes, "NOT_VULNERABLE_NO_ORACLE", true, true), "CCS"),
            (
                scan(&aes, "NOT_VULNERABLE_NO_ORACLE", false, false),
                "secure renegotiation",
            ),
            (
                scan(
                    &["TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_RC4_128_MD5"],
                    "NOT_VULNERABLE_NO_ORACLE",
                    false,
                    true,
                ),
                "suites",
            ),
            (
                scan(&[], "NOT_VULNERABLE_NO_ORACLE", false, true),
                "TLS_1_0",
            ),
        ] {
            let r = check(&s, &exp()).unwrap();
            assert!(
                r.problems
                    .iter()
                    .any(|p| p.to_lowercase().contains(&what.to_lowercase())),
                "{what}: {:?}",
                r.problems
            );
        }
    }

    #[test]
    fn expectations_follow_matrix_ssl_defaults() {
        let e = expected(&crate::workspace_root()).unwrap();
        assert!(e.versions.contains(&"tls_1_1_cipher_suites"));
        assert!(e.versions.contains(&"tls_1_2_cipher_suites"));
        assert!(
            e.suites
                .contains(&"TLS_RSA_WITH_AES_128_GCM_SHA256".to_string())
        );
        assert!(e.suites.contains(&"TLS_RSA_WITH_RC4_128_MD5".to_string()));
        assert!(e.suites.iter().all(|s| s.starts_with("TLS_")));
    }

    #[test]
    fn ecc_expectations_add_the_ecdhe_suites_and_the_curves() {
        let e = expected_ecc(&crate::workspace_root()).unwrap();
        for suite in [
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
            "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
            "TLS_RSA_WITH_AES_128_GCM_SHA256",
        ] {
            assert!(e.suites.contains(&suite.to_string()), "{suite}");
        }
        assert_eq!(e.curves.as_deref(), Some(&ECC_CURVES[..]));
    }

    #[test]
    fn curves_must_be_exactly_the_builds() {
        let curves = |supported: &[&str], rejected: &[&str]| {
            let list = |n: &[&str]| {
                n.iter()
                    .map(|c| serde_json::json!({"name": c}))
                    .collect::<Vec<_>>()
            };
            serde_json::json!({
                "supports_ecdh_key_exchange": true,
                "supported_curves": list(supported),
                "rejected_curves": list(rejected),
            })
        };
        let run = |r: Value| {
            let mut rep = Report::default();
            check_curves(&mut rep, &r, &ECC_CURVES).unwrap();
            rep.problems
        };
        let good = ["secp384r1", "X25519", "secp256r1"];
        assert!(run(curves(&good, &["secp521r1", "X448"])).is_empty());
        let weak = ["secp384r1", "X25519", "secp256r1", "secp192r1"];
        assert!(!run(curves(&weak, &["secp521r1"])).is_empty());
        assert!(!run(curves(&good[..2], &["secp256r1"])).is_empty());
    }
}
