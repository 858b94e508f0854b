//! `cargo xtask valgrind`: matrix-server and matrix-client under valgrind (memcheck), each
//! through real sessions with independent peers on 127.0.0.1, must show 0 errors (invalid
//! reads or writes, uses of uninitialised values, bad frees) and 0 leaked bytes.
//!
//! - matrix-server (release build, `--count`, so it exits by itself and valgrind's leak
//!   check runs) serves `openssl s_client -reconnect` (a full and five resumed handshakes
//!   each, AES-128 and AES-256 at TLS 1.0 and 1.1, "hello" echoed) and `gnutls-cli
//!   --resume` (3DES and RC4-MD5 at TLS 1.0), both handshakes only, and matrix-client
//!   echoing a line in every default suite, on two threads at once (`--concurrent 2`).
//! - matrix-client connects to `openssl s_server -www` (AES-128, TLS 1.1) and `gnutls-serv
//!   --echo` (RC4-SHA, TLS 1.0), with two resumed reconnections each.
//!
//! - the interop test binaries (`matrix-interop`'s `interop_tls`, `interop_advanced`,
//!   `dtls` and `dtls_reneg`, release build: every suite, DHE, PSK, client authentication
//!   and renegotiation against OpenSSL, GnuTLS, tlslite-ng and nassl, and DTLS 1.0 over UDP
//!   against OpenSSL and GnuTLS), the test process under valgrind, the peers not.
//!
//! Leaks counted: definitely, indirectly and possibly lost (`--errors-for-leak-kinds`);
//! "still reachable" at exit (the standard library's buffers) is shown, not counted.
//! `xtask/valgrind.supp` suppresses the standard library's own reports (each one explained
//! there); the suppressed count is printed with the figures.
//! valgrind's own logs are kept in target/valgrind/.

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::cmd;
use crate::load::{Server, build};

/// valgrind's exit code when it found errors (distinct from the programs' own codes).
const VALGRIND_ERROR: i32 = 99;
/// Bound on one program's run under valgrind.
const RUN_LIMIT: Duration = Duration::from_secs(300);

/// The openssl s_client runs against our server: (version flag, cipher).
const OPENSSL_CLIENTS: &[(&str, &str)] = &[
    ("-tls1_1", "AES128-SHA"),
    ("-tls1", "AES256-SHA"),
    ("-tls1_1", "AES256-SHA"),
];
/// The gnutls-cli runs against our server (TLS 1.0): the cipher and MAC of the priority.
const GNUTLS_CLIENTS: &[&str] = &["+3DES-CBC:+SHA1", "+ARCFOUR-128:+MD5"];
/// matrix-client runs (not under valgrind) against our server, echoing a line, so that
/// application data flows in every suite: (max version, suite).
const MATRIX_CLIENTS: &[(&str, &str)] = &[
    ("ssl3", "SSL_RSA_WITH_RC4_128_MD5"),
    ("ssl3", "SSL_RSA_WITH_3DES_EDE_CBC_SHA"),
    ("tls1.0", "SSL_RSA_WITH_RC4_128_SHA"),
    ("tls1.0", "TLS_RSA_WITH_AES_256_CBC_SHA"),
    ("tls1.1", "TLS_RSA_WITH_AES_128_CBC_SHA"),
];

fn valgrind_args(root: &Path, log: &Path) -> Vec<String> {
    vec![
        format!(
            "--suppressions={}",
            root.join("xtask").join("valgrind.supp").display()
        ),
        "--leak-check=full".into(),
        "--show-leak-kinds=definite,indirect,possible".into(),
        "--errors-for-leak-kinds=definite,indirect,possible".into(),
        format!("--error-exitcode={VALGRIND_ERROR}"),
        format!("--log-file={}", log.display()),
    ]
}

/// The figures of a valgrind log: its error summary and leak summary lines.
fn summary(log: &Path) -> Result<(String, String), String> {
    let text = std::fs::read_to_string(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let strip = |l: &str| {
        l.split_once("== ")
            .map_or(l, |(_, rest)| rest)
            .trim()
            .to_string()
    };
    let errors = text
        .lines()
        .rfind(|l| l.contains("ERROR SUMMARY:"))
        .map(strip)
        .ok_or_else(|| format!("{}: no ERROR SUMMARY", log.display()))?;
    let leaks = [
        "definitely lost:",
        "suppressed:",
        "indirectly lost:",
        "possibly lost:",
        "still reachable:",
    ]
    .iter()
    .map(|k| {
        text.lines()
            .rfind(|l| l.contains(k) && !l.contains("ERROR SUMMARY"))
            .map(strip)
            .unwrap_or_else(|| format!("{k} 0 bytes in 0 blocks"))
    })
    .collect::<Vec<_>>()
    .join("; ");
    Ok((errors, leaks))
}

/// A port that was free a moment ago.
fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// Waits until something accepts on 127.0.0.1:`port`.
fn wait_listening(port: u16) -> Result<(), String> {
    let until = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > until {
            return Err(format!("nothing listens on 127.0.0.1:{port} after 30 s"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

/// Runs `program args` to completion within `limit`, `input` on its standard input.
fn run_bounded(program: &str, args: &[&str], input: &[u8], limit: Duration) -> Result<i32, String> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(input);
    }
    wait_bounded(&mut child, program, limit)
}

fn wait_bounded(child: &mut Child, program: &str, limit: Duration) -> Result<i32, String> {
    let until = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(s)) => return Ok(s.code().unwrap_or(-1)),
            Ok(None) if Instant::now() > until => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "{program} did not finish within {} s",
                    limit.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(format!("waiting for {program}: {e}")),
        }
    }
}

/// A peer server process, killed when dropped.
struct Peer(Child);

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn peer(program: &str, args: &[&str]) -> Result<Peer, String> {
    Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(Peer)
        .map_err(|e| format!("cannot start {program}: {e}"))
}

/// matrix-server under valgrind, serving the peers' clients and ours.
fn server(
    root: &Path,
    exe: &Path,
    client_exe: &Path,
    logs: &Path,
) -> Result<(String, String), String> {
    let log = logs.join("matrix-server.log");
    let connections =
        OPENSSL_CLIENTS.len() * 6 + GNUTLS_CLIENTS.len() * 2 + MATRIX_CLIENTS.len() * 3;
    let count = connections.to_string();
    let vg = valgrind_args(root, &log);
    let vg: Vec<&str> = vg.iter().map(String::as_str).collect();
    let mut srv = Server::start_under(
        "valgrind",
        &vg,
        exe,
        &[
            "--port",
            "0",
            "--mode",
            "echo",
            "--count",
            &count,
            "--concurrent",
            "2",
        ],
    )?;
    let connect = format!("127.0.0.1:{}", srv.port);
    let mut problems = Vec::new();
    for (version, cipher) in OPENSSL_CLIENTS {
        let cipher = format!("{cipher}:@SECLEVEL=0");
        let args = [
            "s_client",
            "-connect",
            &connect,
            version,
            "-cipher",
            &cipher,
            "-reconnect",
            "-no_ticket",
        ];
        println!("==> openssl {}", args.join(" "));
        // No data: s_client closes as soon as its input ends, and a server may not answer
        // after a close_notify; the matrix-client runs below carry the data.
        let code = run_bounded("openssl", &args, b"", RUN_LIMIT)?;
        if code != 0 {
            problems.push(format!("openssl s_client {version} {cipher} exited {code}"));
        }
    }
    let port = srv.port.to_string();
    for p in GNUTLS_CLIENTS {
        let priority = format!("NONE:+VERS-TLS1.0:+RSA:{p}:+COMP-NULL:+SIGN-ALL");
        let args = [
            "127.0.0.1",
            "-p",
            &port,
            "--insecure",
            "--resume",
            "--priority",
            &priority,
        ];
        println!("==> gnutls-cli {}", args.join(" "));
        // No data: gnutls-cli closes as soon as its input ends, before an echo could come.
        let code = run_bounded("gnutls-cli", &args, b"", RUN_LIMIT)?;
        if code != 0 {
            problems.push(format!("gnutls-cli {priority} exited {code}"));
        }
    }
    let client = client_exe.to_string_lossy();
    for (version, suite) in MATRIX_CLIENTS {
        let args = [
            "--connect",
            &connect,
            "--max-version",
            version,
            "--cipher",
            suite,
            "--mode",
            "echo",
            "--reconnect",
            "2",
        ];
        println!("==> matrix-client {}", args.join(" "));
        let code = run_bounded(&client, &args, b"", RUN_LIMIT)?;
        if code != 0 {
            problems.push(format!("matrix-client {version} {suite} exited {code}"));
        }
    }
    let status = srv.wait_exit(RUN_LIMIT)?;
    let complaints: Vec<String> = srv
        .complaints()
        .into_iter()
        .filter(|l| !l.contains("(full handshake)") && !l.contains("(resumed)"))
        .filter(|l| !l.contains("built-in rsa2048 TEST identity"))
        .collect();
    problems.extend(complaints);
    let (errors, leaks) = summary(&log)?;
    println!("matrix-server ({connections} connections): {errors}\n    {leaks}");
    match status.code() {
        Some(0) if problems.is_empty() => Ok((errors, leaks)),
        Some(VALGRIND_ERROR) => Err(format!(
            "valgrind found errors in matrix-server (log: {}): {errors}; {leaks}",
            log.display()
        )),
        other => Err(format!(
            "matrix-server under valgrind exited {other:?}: {}",
            problems.join("; ")
        )),
    }
}

/// matrix-client under valgrind against s_server and gnutls-serv.
fn client(root: &Path, exe: &Path, logs: &Path) -> Result<Vec<(String, String)>, String> {
    let keys = root.join("testkeys").join("rsa2048");
    let k = |f: &str| keys.join(f).to_string_lossy().into_owned();
    let mut figures = Vec::new();
    let runs: [(&str, &str); 2] = [("openssl", "AES128-SHA"), ("gnutls", "RC4-SHA")];
    for (peer_name, suite) in runs {
        let port = free_port()?;
        let port_s = port.to_string();
        let accept = format!("127.0.0.1:{port}");
        let _peer = if peer_name == "openssl" {
            peer(
                "openssl",
                &[
                    "s_server",
                    "-accept",
                    &accept,
                    "-tls1_1",
                    "-cipher",
                    "ALL:@SECLEVEL=0",
                    "-cert",
                    &k("server.pem"),
                    "-cert_chain",
                    &k("intermediate.pem"),
                    "-key",
                    &k("server.key"),
                    "-www",
                    "-no_ticket",
                ],
            )?
        } else {
            peer(
                "gnutls-serv",
                &[
                    "-p",
                    &port_s,
                    "--echo",
                    "--x509certfile",
                    &k("server-chain.pem"),
                    "--x509keyfile",
                    &k("server.key"),
                    "--priority",
                    "NONE:+VERS-TLS1.0:+RSA:+ARCFOUR-128:+SHA1:+COMP-NULL:+SIGN-ALL",
                ],
            )?
        };
        wait_listening(port)?;
        let log = logs.join(format!("matrix-client-{peer_name}.log"));
        let mut args = valgrind_args(root, &log);
        let exe_s = exe.to_string_lossy().into_owned();
        // s_server -www answers a GET with a page; gnutls-serv echoes.
        let mode = if peer_name == "openssl" {
            "http"
        } else {
            "echo"
        };
        let cipher = if suite == "AES128-SHA" {
            "TLS_RSA_WITH_AES_128_CBC_SHA"
        } else {
            "TLS_RSA_WITH_RC4_128_SHA"
        };
        args.extend(
            [
                exe_s.as_str(),
                "--connect",
                &accept,
                "--ca",
                &k("ca.pem"),
                "--cipher",
                cipher,
                "--mode",
                mode,
                "--reconnect",
                "2",
            ]
            .map(String::from),
        );
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        println!("==> valgrind ... matrix-client {}", args[5..].join(" "));
        let code = run_bounded("valgrind", &args, b"", RUN_LIMIT)?;
        let (errors, leaks) = summary(&log)?;
        println!("matrix-client vs {peer_name} ({suite}, 3 connections): {errors}\n    {leaks}");
        match code {
            0 => figures.push((errors, leaks)),
            VALGRIND_ERROR => {
                return Err(format!(
                    "valgrind found errors in matrix-client (log: {}): {errors}; {leaks}",
                    log.display()
                ));
            }
            other => return Err(format!("matrix-client against {peer_name} exited {other}")),
        }
    }
    Ok(figures)
}

/// valgrind there, or installed from Debian's packages when running as root (CI on a fresh
/// machine); otherwise a failure naming the fix.
pub(crate) fn ensure_valgrind(root: &Path) -> Result<(), String> {
    if cmd::output("valgrind", &["--version"]).is_some() {
        return Ok(());
    }
    let root_user = cmd::output("id", &["-u"]).is_some_and(|u| u.trim() == "0");
    if !root_user {
        return Err("valgrind is not installed (Debian: apt-get install valgrind)".into());
    }
    let env = [("DEBIAN_FRONTEND", "noninteractive")];
    cmd::run_env(root, "apt-get", &["update", "-qq"], &env)?;
    cmd::run_env(root, "apt-get", &["install", "-y", "-qq", "valgrind"], &env)?;
    cmd::output("valgrind", &["--version"])
        .map(|_| ())
        .ok_or_else(|| "valgrind still missing after apt-get install".into())
}

/// The interop test binaries run under valgrind: TLS and DTLS against every peer.
const INTEROP_TESTS: &[&str] = &["interop_tls", "interop_advanced", "dtls", "dtls_reneg"];

/// The interop test binaries under valgrind, `python` being the peers' virtual
/// environment.
fn interop(root: &Path, python: &Path, logs: &Path) -> Result<(), String> {
    let out = cmd::output(
        "cargo",
        &[
            "test",
            "--release",
            "-p",
            "matrix-interop",
            "--no-run",
            "--message-format=json",
        ],
    )
    .ok_or("cannot build the interop tests")?;
    let mut tests = Vec::new();
    for line in out.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let name = v.pointer("/target/name").and_then(|n| n.as_str());
        let exe = v.get("executable").and_then(|e| e.as_str());
        if let (Some(name), Some(exe)) = (name, exe)
            && INTEROP_TESTS.contains(&name)
        {
            tests.push((name.to_string(), exe.to_string()));
        }
    }
    if tests.len() != INTEROP_TESTS.len() {
        return Err(format!(
            "expected the interop test binaries {INTEROP_TESTS:?}, found {tests:?}"
        ));
    }
    for (name, exe) in tests {
        let log = logs.join(format!("{name}.log"));
        let mut args = valgrind_args(root, &log);
        args.extend([exe, "--test-threads=2".to_string()]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        println!("==> valgrind ... {name} --test-threads=2");
        let mut child = Command::new("valgrind")
            .args(&args)
            .current_dir(root.join("matrix-interop"))
            .env("MATRIX_PEERS_PYTHON", python)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start valgrind: {e}"))?;
        // The test harness prints little; read it after the bounded wait.
        let stdout = child.stdout.take();
        let reader = std::thread::spawn(move || {
            let mut text = String::new();
            if let Some(mut o) = stdout {
                let _ = std::io::Read::read_to_string(&mut o, &mut text);
            }
            text
        });
        let code = wait_bounded(&mut child, "valgrind", RUN_LIMIT * 2)?;
        let text = reader.join().unwrap_or_default();
        let result = text
            .lines()
            .rfind(|l| l.starts_with("test result:"))
            .unwrap_or("no test result line")
            .to_string();
        let (errors, leaks) = summary(&log)?;
        println!("{name}: {result}\n    {errors}\n    {leaks}");
        match code {
            0 => {}
            VALGRIND_ERROR => {
                return Err(format!(
                    "valgrind found errors in {name} (log: {}): {errors}; {leaks}",
                    log.display()
                ));
            }
            other => return Err(format!("{name} under valgrind failed ({other}): {result}")),
        }
    }
    Ok(())
}

/// Builds the programs and runs the three checks.
pub fn run(root: &Path, python: &Path) -> Result<(), String> {
    ensure_valgrind(root)?;
    let server_exe = build(root, "matrix-apps", "matrix-server")?;
    let client_exe = build(root, "matrix-apps", "matrix-client")?;
    let logs = root.join("target").join("valgrind");
    std::fs::create_dir_all(&logs).map_err(|e| format!("{}: {e}", logs.display()))?;
    let start = Instant::now();
    server(root, &server_exe, &client_exe, &logs)?;
    client(root, &client_exe, &logs)?;
    interop(root, python, &logs)?;
    println!(
        "valgrind: matrix-server, matrix-client and the interop tests clean (0 errors, 0 bytes lost) in {:.0} s; logs in {}",
        start.elapsed().as_secs_f64(),
        logs.display()
    );
    Ok(())
}
