//! `cargo xtask bench tls [--short]` (also the second half of `cargo xtask bench`): TLS over
//! loopback, matrix against OpenSSL, as ratios.
//!
//! Two servers run side by side on 127.0.0.1 with the same rsa2048 identity and suite (TLS
//! 1.1, TLS_RSA_WITH_AES_128_CBC_SHA = OpenSSL's AES128-SHA): `matrix-server` (http mode)
//! and `openssl s_server -WWW` serving a directory with the same two pages (`/index.html`,
//! a small page, and `/bytes/1048576`, 1 MiB; matrix-server answers `/bytes/N` itself).
//! Two drivers measure each server with the same work per connection (connect, handshake,
//! `GET`, read the page, close):
//!
//! - `openssl s_time` (`-new`: full handshakes/s, `-reuse`: resumed handshakes/s, `-reuse
//!   -www /bytes/1048576`: bulk MB/s);
//! - `matrix-client` (`--reconnect N --new`, `--reconnect N`, `--reconnect N --path
//!   /bytes/1048576`); its figures include one process start per run.
//!
//! The server side ratio is matrix-server / s_server under the same driver; the client side
//! ratio is matrix-client / s_time against the same server. The runs alternate between the
//! servers and the best of `rounds` is kept, so that the load of a shared machine hits both
//! sides alike. The tables go to `target/bench/tls.md`. Timings are reported, never
//! asserted: this is not part of CI.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::cmd;

/// The page the bulk figures fetch.
const BULK_PATH: &str = "/bytes/1048576";
const BULK_LEN: usize = 1 << 20;

/// How long and how often each figure is measured.
struct Plan {
    /// `s_time -time`.
    seconds: u32,
    /// matrix-client reconnections for full, resumed and bulk runs.
    full: usize,
    resumed: usize,
    bulk: usize,
    /// Repetitions (best kept).
    rounds: usize,
}

const SHORT: Plan = Plan {
    seconds: 1,
    full: 60,
    resumed: 400,
    bulk: 15,
    rounds: 1,
};
const FULL: Plan = Plan {
    seconds: 3,
    full: 300,
    resumed: 2000,
    bulk: 60,
    rounds: 3,
};

/// A server process, killed when dropped.
pub(super) struct Server {
    child: Child,
    pub(super) port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `cmd`, which is to listen on `port`.
    pub(super) fn start(cmd: Command, what: &str, port: u16) -> Result<Server, String> {
        Ok(Server {
            child: spawn(cmd, what)?,
            port,
        })
    }
}

/// A port that was free a moment ago.
pub(super) fn free_port() -> Result<u16, String> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))
}

/// Waits until something accepts on `port`.
pub(super) fn wait_listening(port: u16, what: &str) -> Result<(), String> {
    let end = Instant::now() + Duration::from_secs(10);
    while Instant::now() < end {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!("{what} does not listen on port {port}"))
}

pub(super) fn spawn(mut cmd: Command, what: &str) -> Result<Child, String> {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot start {what}: {e}"))
}

/// The directory s_server -WWW serves: the two pages.
pub(super) fn www(root: &Path) -> Result<PathBuf, String> {
    let dir = root.join("target/bench/www");
    let bytes = dir.join("bytes");
    std::fs::create_dir_all(&bytes).map_err(|e| format!("{}: {e}", bytes.display()))?;
    let page = "<html><body><h1>openssl s_server</h1>\n<p>protocol: TLS 1.1</p>\n\
                <p>cipher suite: TLS_RSA_WITH_AES_128_CBC_SHA</p>\n</body></html>\n";
    std::fs::write(dir.join("index.html"), page).map_err(|e| format!("index.html: {e}"))?;
    std::fs::write(bytes.join(BULK_LEN.to_string()), vec![b'o'; BULK_LEN])
        .map_err(|e| format!("bytes/{BULK_LEN}: {e}"))?;
    Ok(dir)
}

fn start_servers(root: &Path, server_bin: &Path) -> Result<(Server, Server), String> {
    let keys = root.join("testkeys/rsa2048");
    let p1 = free_port()?;
    let mut m = Command::new(server_bin);
    m.args(["--port", &p1.to_string(), "--quiet", "--mode", "http"])
        .args(["--min-version", "tls1.1", "--cipher", "0x002F"]);
    let ours = Server::start(m, "matrix-server", p1)?;
    let p2 = free_port()?;
    let mut o = Command::new("openssl");
    o.current_dir(www(root)?)
        .args(["s_server", "-accept", &format!("127.0.0.1:{p2}"), "-tls1_1"])
        .args(["-cipher", "AES128-SHA:@SECLEVEL=0", "-WWW", "-quiet"])
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

/// `openssl s_time -new` against `port` speaking `proto`: full handshakes per second
/// (each with a `GET /index.html`).
pub(super) fn s_time_full(port: u16, seconds: u32, proto: &[&str]) -> Result<f64, String> {
    s_time_with(port, Metric::Full, seconds, proto)
}

/// What is measured.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Metric {
    Full,
    Resumed,
    Bulk,
}

impl Metric {
    fn name(self) -> &'static str {
        match self {
            Metric::Full => "full handshakes/s",
            Metric::Resumed => "resumed handshakes/s",
            Metric::Bulk => "bulk MB/s (1 MiB pages, resumed)",
        }
    }
}

/// `openssl s_time` against `port`: connections per second, or MB/s for bulk.
fn s_time(port: u16, m: Metric, seconds: u32) -> Result<f64, String> {
    s_time_with(
        port,
        m,
        seconds,
        &["-tls1_1", "-cipher", "AES128-SHA:@SECLEVEL=0"],
    )
}

/// `openssl s_time` against `port` speaking `proto` (version and cipher flags).
fn s_time_with(port: u16, m: Metric, seconds: u32, proto: &[&str]) -> Result<f64, String> {
    let mut c = Command::new("openssl");
    c.args(["s_time", "-connect", &format!("127.0.0.1:{port}")])
        .args(proto)
        .args(["-time", &seconds.to_string()]);
    match m {
        Metric::Full => c.args(["-new", "-www", "/index.html"]),
        Metric::Resumed => c.args(["-reuse", "-www", "/index.html"]),
        Metric::Bulk => c.args(["-reuse", "-www", BULK_PATH]),
    };
    let start = Instant::now();
    let out = c
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run openssl s_time: {e}"))?;
    let took = start.elapsed().as_secs_f64();
    let text = String::from_utf8_lossy(&out.stdout);
    // "N connections in T real seconds, B bytes read per connection": the count and bytes
    // from s_time, the time from our clock (s_time's is whole seconds).
    let line = text
        .lines()
        .find(|l| l.contains("real seconds"))
        .ok_or_else(|| format!("s_time printed no result: {}", text.trim()))?;
    let words: Vec<&str> = line.split_whitespace().collect();
    let n: f64 = words.first().and_then(|w| w.parse().ok()).unwrap_or(0.0);
    let per: f64 = words
        .iter()
        .position(|w| *w == "bytes")
        .and_then(|i| words.get(i.wrapping_sub(1)))
        .and_then(|w| w.trim_end_matches(',').parse().ok())
        .unwrap_or(0.0);
    if n <= 0.0 {
        return Err(format!("s_time made no connection: {line}"));
    }
    Ok(match m {
        Metric::Bulk => n * per / 1e6 / took,
        _ => n / took,
    })
}

/// matrix-client against `port`.
fn matrix_client(bin: &Path, port: u16, m: Metric, plan: &Plan) -> Result<f64, String> {
    let mut c = Command::new(bin);
    c.args(["--connect", &format!("127.0.0.1:{port}"), "--quiet"])
        .args(["--min-version", "tls1.1", "--cipher", "0x002F"]);
    let n = match m {
        Metric::Full => plan.full,
        Metric::Resumed => plan.resumed,
        Metric::Bulk => plan.bulk,
    };
    c.args(["--reconnect", &n.to_string()]);
    match m {
        Metric::Full => c.args(["--new", "--path", "/index.html"]),
        Metric::Resumed => c.args(["--path", "/index.html"]),
        Metric::Bulk => c.args(["--path", BULK_PATH]),
    };
    let start = Instant::now();
    let out = c
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run matrix-client: {e}"))?;
    let took = start.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!(
            "matrix-client failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let conns = (n + 1) as f64;
    Ok(match m {
        Metric::Bulk => {
            if out.stdout.len() < (n + 1) * BULK_LEN {
                return Err(format!(
                    "matrix-client read {} bytes, expected {} pages of {BULK_LEN}",
                    out.stdout.len(),
                    n + 1
                ));
            }
            out.stdout.len() as f64 / 1e6 / took
        }
        _ => conns / took,
    })
}

/// One figure per (driver, server, metric): the best of the rounds.
struct Figures {
    /// `[driver][server][metric]`: driver 0 s_time, 1 matrix-client; server 0 matrix-server,
    /// 1 s_server.
    best: [[[Option<f64>; 3]; 2]; 2],
    errors: Vec<String>,
}

const METRICS: [Metric; 3] = [Metric::Full, Metric::Resumed, Metric::Bulk];

fn measure(client_bin: &Path, ports: [u16; 2], plan: &Plan) -> Figures {
    let mut f = Figures {
        best: [[[None; 3]; 2]; 2],
        errors: Vec::new(),
    };
    for round in 0..plan.rounds {
        for (mi, m) in METRICS.iter().enumerate() {
            for driver in 0..2 {
                // Alternate which server goes first, round by round.
                for k in 0..2 {
                    let server = (k + round) % 2;
                    let r = if driver == 0 {
                        s_time(ports[server], *m, plan.seconds)
                    } else {
                        matrix_client(client_bin, ports[server], *m, plan)
                    };
                    match r {
                        Ok(v) => {
                            let slot = &mut f.best[driver][server][mi];
                            *slot = Some(slot.map_or(v, |b: f64| b.max(v)));
                        }
                        Err(e) => f.errors.push(e),
                    }
                }
            }
        }
        eprintln!("bench tls: round {} of {} done", round + 1, plan.rounds);
    }
    f
}

fn show(v: Option<f64>) -> String {
    v.map_or_else(|| "not measured".into(), |v| format!("{v:.1}"))
}

fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}x", a / b),
        _ => "-".into(),
    }
}

fn report(f: &Figures, plan: &Plan, short: bool) -> String {
    const DRIVERS: [&str; 2] = ["openssl s_time", "matrix-client"];
    let mut md = format!(
        "# TLS over loopback: matrix vs OpenSSL\n\nTLS 1.1, TLS_RSA_WITH_AES_128_CBC_SHA \
         (AES128-SHA), rsa2048 identity, 127.0.0.1; best of {} round(s){}. Ratios above 1 \
         mean matrix is faster.\n\n## Server side: matrix-server / openssl s_server\n\n\
         | driver | measurement | matrix-server | openssl s_server | ratio |\n|---|---|---|---|---|\n",
        plan.rounds,
        if short { " (--short)" } else { "" }
    );
    for (d, driver) in DRIVERS.iter().enumerate() {
        for (mi, m) in METRICS.iter().enumerate() {
            let (ours, theirs) = (f.best[d][0][mi], f.best[d][1][mi]);
            md.push_str(&format!(
                "| {driver} | {} | {} | {} | {} |\n",
                m.name(),
                show(ours),
                show(theirs),
                ratio(ours, theirs)
            ));
        }
    }
    md.push_str(
        "\n## Client side: matrix-client / openssl s_time\n\n\
         | server | measurement | matrix-client | openssl s_time | ratio |\n|---|---|---|---|---|\n",
    );
    for (s, server) in ["matrix-server", "openssl s_server"].iter().enumerate() {
        for (mi, m) in METRICS.iter().enumerate() {
            let (ours, theirs) = (f.best[1][s][mi], f.best[0][s][mi]);
            md.push_str(&format!(
                "| {server} | {} | {} | {} | {} |\n",
                m.name(),
                show(ours),
                show(theirs),
                ratio(ours, theirs)
            ));
        }
    }
    md.push_str(&format!(
        "\nmatrix-client runs: {} full, {} resumed, {} bulk reconnections each (one process \
         start included); s_time runs: {} s each. Driver and server share the machine's \
         cores: when both servers reach about the same figure under one driver, the driver \
         is the bottleneck (s_time's full handshakes on a 2-core machine); read the other \
         driver's row.\n",
        plan.full, plan.resumed, plan.bulk, plan.seconds
    ));
    if !f.errors.is_empty() {
        md.push_str("\nErrors:\n\n");
        for e in &f.errors {
            md.push_str(&format!("- {e}\n"));
        }
    }
    md
}

/// `cargo xtask bench tls [--short]`.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let short = match args {
        [] => false,
        [a] if a == "--short" => true,
        [other, ..] => {
            return Err(format!(
                "bench tls: unknown argument `{other}` (known: --short)"
            ));
        }
    };
    let plan = if short { &SHORT } else { &FULL };
    cmd::run(
        root,
        "cargo",
        &[
            "build",
            "--release",
            "-p",
            "matrix-apps",
            "--bin",
            "matrix-server",
            "--bin",
            "matrix-client",
        ],
    )?;
    let bin = root.join("target/release");
    let (ours, theirs) = start_servers(root, &bin.join("matrix-server"))?;
    let figures = measure(&bin.join("matrix-client"), [ours.port, theirs.port], plan);
    drop((ours, theirs));
    let md = report(&figures, plan, short);
    println!("\n{md}");
    let dir = root.join("target/bench");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let file = dir.join("tls.md");
    std::fs::write(&file, &md).map_err(|e| format!("{}: {e}", file.display()))?;
    println!("written to {}", file.display());
    if figures.errors.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} measurement(s) failed (listed in {})",
            figures.errors.len(),
            file.display()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_and_missing_figures_are_shown() {
        assert_eq!(ratio(Some(1.0), Some(4.0)), "0.25x");
        assert_eq!(ratio(None, Some(4.0)), "-");
        assert_eq!(ratio(Some(1.0), Some(0.0)), "-");
        let mut f = Figures {
            best: [[[Some(2.0); 3]; 2]; 2],
            errors: vec!["s_time made no connection".into()],
        };
        f.best[0][1][0] = Some(4.0);
        let md = report(&f, &SHORT, true);
        assert!(
            md.contains("| openssl s_time | full handshakes/s | 2.0 | 4.0 | 0.50x |"),
            "{md}"
        );
        assert!(md.contains("s_time made no connection"), "{md}");
    }
}
