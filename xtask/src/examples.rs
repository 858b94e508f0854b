//! `cargo xtask examples`: every example of the workspace is built (with the features the
//! adapter examples need), and those that need no network beyond 127.0.0.1 are run: the
//! in-memory pair, the no_std client in memory, the buffer-API server with each TLS client
//! example against it (buffer API, `Stream`, embedded-io, embedded-io-async, tokio), and
//! the DTLS server with the DTLS client. A client that fails, or a server that does not
//! see its connections close cleanly, fails the step.

use std::net::{TcpListener, UdpSocket};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::cmd;

/// The features the adapter examples of matrix-ssl need.
const EXAMPLE_FEATURES: &str = "matrix-ssl/embedded-io-async,matrix-ssl/tokio";

/// The TLS client examples, each run against the `server` example.
const TLS_CLIENTS: &[&str] = &[
    "client",
    "stream_client",
    "embedded_io_client",
    "embedded_async_client",
    "tokio_client",
];

/// How long one example may run.
const LIMIT: Duration = Duration::from_secs(60);

/// Kills a background example when dropped (a failing step leaves nothing behind).
struct Background(Child);

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Background {
    /// Waits (bounded) for the example to exit on its own; fails unless it succeeds.
    fn finish(mut self, name: &str) -> Result<(), String> {
        let deadline = Instant::now() + LIMIT;
        loop {
            match self.0.try_wait() {
                Ok(Some(st)) if st.success() => return Ok(()),
                Ok(Some(st)) => return Err(format!("example `{name}` failed ({st})")),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                Ok(None) => return Err(format!("example `{name}` did not exit")),
                Err(e) => return Err(format!("example `{name}`: {e}")),
            }
        }
    }
}

fn free_tcp_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

fn free_udp_port() -> Result<u16, String> {
    let s = UdpSocket::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(s.local_addr().map_err(|e| e.to_string())?.port())
}

/// Runs a built example to its end, bounded by [`LIMIT`].
fn run_example(root: &Path, name: &str, args: &[&str]) -> Result<(), String> {
    println!("\n==> example {name} {}", args.join(" "));
    let child = spawn(root, name, args, false)?;
    Background(child).finish(name)
}

fn spawn(root: &Path, name: &str, args: &[&str], quiet: bool) -> Result<Child, String> {
    let exe = root.join("target/debug/examples").join(name);
    let mut c = Command::new(&exe);
    c.args(args).current_dir(root).stdin(Stdio::null());
    if quiet {
        c.stdout(Stdio::null());
    }
    c.spawn()
        .map_err(|e| format!("cannot start {}: {e}", exe.display()))
}

/// Waits until something listens on 127.0.0.1:`port` (TCP).
fn wait_listening(port: u16) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err(format!("nothing listens on 127.0.0.1:{port}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

/// Builds every example (the crates that have examples only, so that the programs and
/// test crates are not rebuilt with the adapters' features), then runs the local ones.
pub fn run(root: &Path) -> Result<(), String> {
    cmd::run(
        root,
        "cargo",
        &[
            "build",
            "-p",
            "matrix-crypto",
            "-p",
            "matrix-ssl",
            "-p",
            "matrix-dtls",
            "-p",
            "matrix-nostd-client",
            "--examples",
            "--features",
            EXAMPLE_FEATURES,
        ],
    )?;
    // The no_std client's library alone: its dev-dependencies (the host example's std
    // server) are out of this build, so matrix-ssl is built without `std` here.
    cmd::run(
        root,
        "cargo",
        &["build", "-p", "matrix-nostd-client", "--lib"],
    )?;
    run_example(root, "memory_pair", &[])?;
    cmd::run(
        root,
        "cargo",
        &["run", "-p", "matrix-nostd-client", "--example", "in_memory"],
    )?;

    // The sample server, serving one connection per client example (plus the probe that
    // waits for it to listen, which it answers as a failed connection).
    let port = free_tcp_port()?;
    let served = (TLS_CLIENTS.len() + 1).to_string();
    let server = Background(spawn(root, "server", &[&port.to_string(), &served], false)?);
    wait_listening(port)?;
    let addr = format!("127.0.0.1:{port}");
    for client in TLS_CLIENTS {
        run_example(root, client, &[&addr])?;
    }
    server.finish("server")?;

    let port = free_udp_port()?;
    let server = Background(spawn(
        root,
        "dtls_server",
        &[&port.to_string(), "1"],
        false,
    )?);
    std::thread::sleep(Duration::from_millis(300));
    run_example(root, "dtls_client", &[&format!("127.0.0.1:{port}")])?;
    server.finish("dtls_server")
}
