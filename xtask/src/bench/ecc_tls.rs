//! The loopback half of `cargo xtask bench ecc`: full ECDHE handshakes per second driven by
//! `openssl s_time -new -tls1_2` (OpenSSL's client, a `GET /index.html` per connection)
//! against `matrix-server` (built with `ecc`, http mode) and against `openssl s_server
//! -WWW` with the same identity, suite and group; the ratio is matrix-server / s_server
//! under the same driver, as in `cargo xtask bench tls`. The servers alternate round by
//! round and the best round is kept. The driver shares the machine's cores with the server,
//! so a ratio near 1 can also mean that s_time is the bottleneck.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::pubkey::ratio;
use super::tls::{Server, free_port, s_time_full, wait_listening, www};
use crate::cmd;

/// One configuration: what, testkeys directory, group (both servers' only one), suite id
/// for matrix-server and OpenSSL's name of it.
struct Row {
    what: &'static str,
    keys: &'static str,
    group: &'static str,
    suite: &'static str,
    openssl_cipher: &'static str,
}

const ROWS: [Row; 3] = [
    Row {
        what: "ECDHE-ECDSA P-256 (ECDHE-ECDSA-AES128-GCM-SHA256)",
        keys: "ec-p256",
        group: "P-256",
        suite: "0xC02B",
        openssl_cipher: "ECDHE-ECDSA-AES128-GCM-SHA256",
    },
    Row {
        what: "ECDHE-RSA X25519 (ECDHE-RSA-AES128-GCM-SHA256, rsa2048)",
        keys: "rsa2048",
        group: "X25519",
        suite: "0xC02F",
        openssl_cipher: "ECDHE-RSA-AES128-GCM-SHA256",
    },
    Row {
        what: "ECDHE-ECDSA P-384 (ECDHE-ECDSA-AES128-GCM-SHA256)",
        keys: "ec-p384",
        group: "P-384",
        suite: "0xC02B",
        openssl_cipher: "ECDHE-ECDSA-AES128-GCM-SHA256",
    },
];

/// Builds `matrix-server` with `ecc` and keeps a copy (`bench tls` builds it without).
fn build_server(root: &Path) -> Result<PathBuf, String> {
    let args = [
        "build",
        "--release",
        "-p",
        "matrix-apps",
        "--bin",
        "matrix-server",
        "--features",
        "ecc",
    ];
    cmd::run(root, "cargo", &args)?;
    let dir = root.join("target/bench/bin");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let keep = dir.join("matrix-server-ecc");
    std::fs::copy(root.join("target/release/matrix-server"), &keep)
        .map_err(|e| format!("copying matrix-server: {e}"))?;
    Ok(keep)
}

/// Both servers of `row`: (matrix-server, s_server).
fn start(root: &Path, bin: &Path, row: &Row) -> Result<(Server, Server), String> {
    let keys = root.join("testkeys").join(row.keys);
    let p1 = free_port()?;
    let mut m = Command::new(bin);
    m.args([
        "--port",
        &p1.to_string(),
        "--quiet",
        "--mode",
        "http",
        "--tls1_2",
    ])
    .args(["--cipher", row.suite, "--groups", row.group])
    .arg("--cert")
    .arg(keys.join("server-chain.pem"))
    .arg("--key")
    .arg(keys.join("server.key"));
    let ours = Server::start(m, "matrix-server", p1)?;
    let p2 = free_port()?;
    let mut o = Command::new("openssl");
    o.current_dir(www(root)?)
        .args(["s_server", "-accept", &format!("127.0.0.1:{p2}"), "-tls1_2"])
        .args(["-cipher", row.openssl_cipher, "-groups", row.group])
        .args(["-WWW", "-quiet"])
        .arg("-key")
        .arg(keys.join("server.key"))
        .arg("-cert")
        .arg(keys.join("server.pem"))
        .arg("-cert_chain")
        .arg(keys.join("intermediate.pem"));
    let theirs = Server::start(o, "openssl s_server", p2)?;
    wait_listening(ours.port, "matrix-server")?;
    wait_listening(theirs.port, "openssl s_server")?;
    Ok((ours, theirs))
}

/// Best figures per row: [matrix-server, s_server].
type Best = [[Option<f64>; 2]; ROWS.len()];

fn measure(root: &Path, bin: &Path, rounds: usize, seconds: u32, errors: &mut Vec<String>) -> Best {
    let mut best: Best = [[None; 2]; ROWS.len()];
    for (r, row) in ROWS.iter().enumerate() {
        let (ours, theirs) = match start(root, bin, row) {
            Ok(s) => s,
            Err(e) => {
                errors.push(format!("{}: {e}", row.what));
                continue;
            }
        };
        let ports = [ours.port, theirs.port];
        let proto = ["-tls1_2", "-cipher", row.openssl_cipher];
        for round in 0..rounds {
            for k in 0..2 {
                let server = (k + round) % 2;
                match s_time_full(ports[server], seconds, &proto) {
                    Ok(v) => {
                        let slot = &mut best[r][server];
                        *slot = Some(slot.map_or(v, |b: f64| b.max(v)));
                    }
                    Err(e) => errors.push(format!("{}: {e}", row.what)),
                }
            }
        }
        eprintln!("bench ecc: s_time {} done", row.what);
    }
    best
}

fn report(best: &Best, rounds: usize, seconds: u32) -> String {
    let show = |v: Option<f64>| v.map_or_else(|| "-".into(), |v| format!("{v:.1}"));
    let mut md = format!(
        "\n## Full ECDHE handshakes/s over loopback: `openssl s_time -new -tls1_2`\n\n\
         Our server vs `openssl s_server`, same identity (testkeys), suite and single group; \
         best of {rounds} round(s) of {seconds} s.\n\n\
         | configuration | matrix-server | openssl s_server | ratio |\n|---|---|---|---|\n"
    );
    for (r, row) in ROWS.iter().enumerate() {
        let [ours, theirs] = best[r];
        md.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            row.what,
            show(ours),
            show(theirs),
            ratio(ours, theirs)
        ));
    }
    md
}

/// Builds matrix-server with `ecc`, measures every row; the report's section.
pub(super) fn run(root: &Path, quick: bool, errors: &mut Vec<String>) -> String {
    let (rounds, seconds) = if quick { (1, 1) } else { (3, 3) };
    let bin = match build_server(root) {
        Ok(b) => b,
        Err(e) => {
            errors.push(e);
            return report(&[[None; 2]; ROWS.len()], rounds, seconds);
        }
    };
    let best = measure(root, &bin, rounds, seconds, errors);
    report(&best, rounds, seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_shows_a_row_per_configuration() {
        let mut best: Best = [[None; 2]; ROWS.len()];
        best[0] = [Some(400.0), Some(800.0)];
        let md = report(&best, 1, 1);
        assert!(
            md.contains(
                "| ECDHE-ECDSA P-256 (ECDHE-ECDSA-AES128-GCM-SHA256) | 400.0 | 800.0 | 0.50x |"
            ),
            "{md}"
        );
        assert!(
            md.contains("| ECDHE-ECDSA P-384 (ECDHE-ECDSA-AES128-GCM-SHA256) | - | - | - |"),
            "{md}"
        );
    }
}
