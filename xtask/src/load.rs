//! `cargo xtask load [--quick] [--sessions N]`: the load and soak test of issue 6.
//!
//! Builds `matrix-server` (matrix-apps, default features) and `matrix-load` (matrix-interop)
//! in release mode, starts the server on 127.0.0.1 in echo mode serving every connection on
//! its own thread (`--concurrent`), with a session cache of twice the sessions, and runs
//! rounds of `matrix-load`: each round is N concurrent client sessions, each a full
//! handshake (all N held open at once, so the server's peak holds N live sessions), then
//! a resumed handshake and a 64 KiB echo with every byte checked.
//!
//! The server's heap is measured coarsely as its resident set (`VmRSS` of
//! `/proc/PID/status`): two warm-up rounds fill the session cache and the allocator's
//! arenas and thread-stack cache, the resident set then is the baseline, and after
//! [`MEASURED_ROUNDS`] more rounds (every session closed, the server back to its one
//! accepting thread) it must not have grown by more than [`RSS_SLACK_KIB`]: a leak of even
//! a fraction of a session's ~20 KiB per connection would grow it by megabytes.
//!
//! Fails on any failed handshake or refused resumption, any lost or wrong byte, any error
//! the server printed, a server thread that does not end, heap growth past the slack, or
//! a round that overruns its time bound. Everything runs on 127.0.0.1 and stops by itself.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use crate::cmd;

/// Sessions per round of the full run.
const FULL_SESSIONS: usize = 500;
/// Sessions per round of `--quick` (the CI variant).
const QUICK_SESSIONS: usize = 50;
/// Rounds before the baseline is taken.
const WARMUP_ROUNDS: usize = 2;
/// Rounds between the baseline and the final measurement.
pub const MEASURED_ROUNDS: usize = 3;
/// How much the server's resident set may grow over the measured rounds. The allocator's
/// noise seen here with 500 connection threads: up to 2 MiB between rounds. A leak of
/// 1.4 KiB per connection over the 3000 connections of the full run passes it; a leaked
/// session (~20 KiB of buffers) would grow it by tens of MiB.
pub const RSS_SLACK_KIB: u64 = 4096;
/// The time bound of one round.
const ROUND_TIMEOUT: Duration = Duration::from_secs(240);

/// Options of `cargo xtask load`.
#[derive(Debug)]
pub struct Options {
    /// Concurrent sessions per round.
    pub sessions: usize,
}

impl Options {
    /// Parses the arguments after `load`.
    pub fn parse(args: &[String]) -> Result<Options, String> {
        let mut o = Options {
            sessions: FULL_SESSIONS,
        };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "--quick" => o.sessions = QUICK_SESSIONS,
                "--sessions" => {
                    let v = it.next().ok_or("--sessions needs a value")?;
                    o.sessions = v.parse().map_err(|e| format!("--sessions {v}: {e}"))?;
                }
                other => {
                    return Err(format!(
                        "load: unknown argument `{other}` (known: --quick, --sessions N)"
                    ));
                }
            }
        }
        if o.sessions == 0 || o.sessions > 2000 {
            return Err("load: --sessions must be 1..=2000".into());
        }
        Ok(o)
    }
}

/// A `matrix-server` process on a free port of 127.0.0.1, killed when dropped, with its
/// stderr lines arriving on a channel.
pub struct Server {
    child: Child,
    lines: Receiver<String>,
    /// The port it listens on.
    pub port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `exe --port 0 args...` and reads the port it announces.
    pub fn start(exe: &Path, args: &[&str]) -> Result<Server, String> {
        let mut all = vec!["--port", "0"];
        all.extend_from_slice(args);
        Server::start_under(&exe.to_string_lossy(), &[], exe, &all)
    }

    /// Starts `program wrapper_args... exe args...` (a server under valgrind, say) and reads
    /// the port the server announces.
    pub fn start_under(
        program: &str,
        wrapper_args: &[&str],
        exe: &Path,
        args: &[&str],
    ) -> Result<Server, String> {
        let mut command = Command::new(program);
        if !wrapper_args.is_empty() {
            command.args(wrapper_args).arg(exe);
        }
        let mut child = command
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start {program}: {e}"))?;
        let stderr = child.stderr.take().ok_or("no stderr pipe")?;
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for l in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(l).is_err() {
                    return;
                }
            }
        });
        let mut server = Server {
            child,
            lines,
            port: 0,
        };
        // Announcements (the built-in keys, say) may come first.
        let until = Instant::now() + Duration::from_secs(60);
        let mut seen = Vec::new();
        loop {
            let left = until.saturating_duration_since(Instant::now());
            let line = server.lines.recv_timeout(left).map_err(|_| {
                format!(
                    "matrix-server did not say where it listens within 60 s: {}",
                    seen.join(" / ")
                )
            })?;
            if let Some(addr) = line.strip_prefix("matrix-server: listening on ") {
                server.port = addr
                    .rsplit(':')
                    .next()
                    .and_then(|p| p.trim().parse().ok())
                    .ok_or_else(|| format!("no port in {line:?}"))?;
                return Ok(server);
            }
            seen.push(line);
        }
    }

    /// Waits (at most `limit`) for the server to exit by itself (`--count`); its status.
    pub fn wait_exit(&mut self, limit: Duration) -> Result<std::process::ExitStatus, String> {
        let until = Instant::now() + limit;
        loop {
            match self.child.try_wait() {
                Ok(Some(s)) => return Ok(s),
                Ok(None) if Instant::now() > until => {
                    return Err(format!(
                        "matrix-server did not exit within {} s",
                        limit.as_secs()
                    ));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                Err(e) => return Err(format!("waiting for matrix-server: {e}")),
            }
        }
    }

    fn status_field(&self, field: &str) -> Result<u64, String> {
        let path = format!("/proc/{}/status", self.child.id());
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
        text.lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim_start_matches(':').split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| format!("no {field} in {path}"))
    }

    /// Waits until the server is back to its accepting thread (every connection served),
    /// then returns its resident set in KiB.
    fn settled_rss_kib(&self) -> Result<u64, String> {
        let until = Instant::now() + Duration::from_secs(60);
        loop {
            let threads = self.status_field("Threads")?;
            if threads == 1 {
                return self.status_field("VmRSS");
            }
            if Instant::now() > until {
                return Err(format!(
                    "matrix-server still runs {} connection threads 60 s after the round",
                    threads - 1
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Lines the server printed since the last call: with `--quiet`, each one is a failed
    /// connection.
    pub fn complaints(&self) -> Vec<String> {
        self.lines.try_iter().collect()
    }
}

/// One round of `matrix-load`: its summary line, or why it failed.
fn round(load: &Path, port: u16, sessions: usize) -> Result<String, String> {
    let mut child = Command::new(load)
        .args([
            "--port",
            &port.to_string(),
            "--sessions",
            &sessions.to_string(),
            "--timeout",
            &ROUND_TIMEOUT.as_secs().to_string(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", load.display()))?;
    // matrix-load bounds itself; this bound only guards against a stuck process.
    let until = Instant::now() + ROUND_TIMEOUT + Duration::from_secs(30);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() > until => {
                let _ = child.kill();
                let _ = child.wait();
                return Err("matrix-load overran its time bound and was killed".into());
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => return Err(format!("waiting for matrix-load: {e}")),
        }
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("matrix-load: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let summary = stdout
        .lines()
        .find(|l| l.starts_with("load: "))
        .unwrap_or_default()
        .to_string();
    if out.status.success() {
        Ok(summary)
    } else {
        Err(format!(
            "{summary}\n{}",
            String::from_utf8_lossy(&out.stderr).trim_end()
        ))
    }
}

/// A `key=value` of a summary line.
fn field(summary: &str, key: &str) -> f64 {
    summary
        .split_whitespace()
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NAN)
}

/// Builds `package`'s `bin` in release mode with the package's own default features (one
/// package per build, so that the interop crate's extra suites do not reach the server).
pub fn build(root: &Path, package: &str, bin: &str) -> Result<PathBuf, String> {
    cmd::run(
        root,
        "cargo",
        &["build", "--quiet", "--release", "-p", package, "--bin", bin],
    )?;
    Ok(root.join("target").join("release").join(bin))
}

/// Runs the load test.
pub fn run(root: &Path, opts: &Options) -> Result<(), String> {
    let server_exe = build(root, "matrix-apps", "matrix-server")?;
    let load_exe = build(root, "matrix-interop", "matrix-load")?;
    let concurrent = opts.sessions.to_string();
    let cache = (2 * opts.sessions).to_string();
    let server = Server::start(
        &server_exe,
        &[
            "--mode",
            "echo",
            "--quiet",
            "--concurrent",
            &concurrent,
            "--session-cache",
            &cache,
        ],
    )?;
    let start_rss = server.settled_rss_kib()?;
    println!(
        "matrix-server on 127.0.0.1:{} (echo, {} connections at once, cache {}); resident {} KiB at start",
        server.port,
        opts.sessions,
        2 * opts.sessions,
        start_rss
    );
    let rounds = WARMUP_ROUNDS + MEASURED_ROUNDS;
    let mut baseline = 0;
    let mut after = 0;
    let mut measured = Vec::new();
    let mut problems = Vec::new();
    for r in 1..=rounds {
        let kind = if r <= WARMUP_ROUNDS {
            "warm-up"
        } else {
            "measured"
        };
        let result = round(&load_exe, server.port, opts.sessions);
        let rss = server.settled_rss_kib()?;
        let complaints = server.complaints();
        match &result {
            Ok(summary) => println!("round {r} ({kind}): {summary} server_rss_kib={rss}"),
            Err(e) => {
                println!("round {r} ({kind}) FAILED: {e}");
                problems.push(format!("round {r}: {e}"));
            }
        }
        if !complaints.is_empty() {
            for c in complaints.iter().take(10) {
                println!("  server: {c}");
            }
            problems.push(format!(
                "round {r}: matrix-server reported {} failed connections",
                complaints.len()
            ));
        }
        if r == WARMUP_ROUNDS {
            baseline = rss;
        }
        if r > WARMUP_ROUNDS {
            after = rss;
            if let Ok(s) = result {
                measured.push(s);
            }
        }
    }
    let mean = |key: &str| {
        let v: Vec<f64> = measured.iter().map(|s| field(s, key)).collect();
        v.iter().sum::<f64>() / v.len().max(1) as f64
    };
    let growth = after as i64 - baseline as i64;
    let connections = MEASURED_ROUNDS * opts.sessions * 2;
    println!(
        "\nload: {} rounds of {} concurrent sessions (full handshake held until all are \
         established, then a resumed handshake and a 64 KiB echo checked)",
        rounds, opts.sessions
    );
    println!(
        "  means of the measured rounds: full handshakes/s {:.0} (until all {} were established); \
         resumption + echo phase {:.3} s; handshakes/s over the round (full and resumed) {:.0}",
        mean("full_per_s"),
        opts.sessions,
        mean("resume_and_echo_s"),
        mean("handshakes_per_s")
    );
    println!(
        "  server resident set (VmRSS, coarse): start {start_rss} KiB, baseline after warm-up {baseline} KiB, \
         after {MEASURED_ROUNDS} more rounds {after} KiB: growth {growth} KiB over {connections} connections \
         ({:.1} B per connection; slack {RSS_SLACK_KIB} KiB)",
        growth as f64 * 1024.0 / connections as f64
    );
    // The peak, with every session of a round open at once (and a thread each).
    let peak = server.status_field("VmHWM")?;
    println!(
        "  server peak resident set (VmHWM) with {} sessions open: {peak} KiB",
        opts.sessions
    );
    if growth > RSS_SLACK_KIB as i64 {
        problems.push(format!(
            "the server's resident set grew by {growth} KiB (slack {RSS_SLACK_KIB} KiB): a leak?"
        ));
    }
    if problems.is_empty() {
        println!("load: passed (0 failed handshakes, 0 lost bytes)");
        Ok(())
    } else {
        Err(format!("load test failed:\n  {}", problems.join("\n  ")))
    }
}
