//! What the program tests share: matrix-server and matrix-client started as
//! `matrix_interop::Peer`s (output collected, every wait bounded, killed at the end).

#![allow(dead_code)]

use std::process::Command;
use std::time::Duration;

use matrix_interop::Peer;

/// Every wait's bound.
pub const T: Duration = Duration::from_secs(30);
/// The programs under test.
pub const SERVER: &str = env!("CARGO_BIN_EXE_matrix-server");
pub const CLIENT: &str = env!("CARGO_BIN_EXE_matrix-client");

/// Starts matrix-server on a free port with `args`; returns it and the port.
pub fn our_server(args: &[&str]) -> (Peer, u16) {
    let mut all = vec!["--port", "0"];
    all.extend_from_slice(args);
    let mut p = Peer::spawn(SERVER, &all);
    let line = p.wait_for("listening on", T).unwrap();
    let port = line
        .rsplit(':')
        .next()
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    (p, port)
}

/// Runs matrix-client to completion; returns its output lines.
pub fn our_client(port: u16, args: &[&str]) -> Vec<String> {
    let connect = format!("127.0.0.1:{port}");
    let mut all = vec!["--connect", connect.as_str()];
    all.extend_from_slice(args);
    let mut c = Peer::spawn(CLIENT, &all);
    let ok = c.wait_exit(T).unwrap();
    let out = c.output();
    assert!(ok, "matrix-client {args:?} failed:\n{}", out.join("\n"));
    out
}

/// How many lines contain `needle`.
pub fn count(lines: &[String], needle: &str) -> usize {
    lines.iter().filter(|l| l.contains(needle)).count()
}

/// Runs a program that must fail at once; returns (exit code, stderr).
pub fn fails(program: &str, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(program).args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
