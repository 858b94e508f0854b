//! `dtls-debug-trace`: the DTLS trace lines reach `log` under the target `matrix::dtls`.
#![cfg(feature = "dtls-debug-trace")]

mod support;

use std::sync::Mutex;

use support::*;

static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Collect;

impl log::Log for Collect {
    fn enabled(&self, m: &log::Metadata<'_>) -> bool {
        m.target() == "matrix::dtls"
    }
    fn log(&self, r: &log::Record<'_>) {
        if self.enabled(r.metadata()) {
            LINES.lock().unwrap().push(r.args().to_string());
        }
    }
    fn flush(&self) {}
}

#[test]
fn handshake_is_traced() {
    log::set_logger(&Collect).unwrap();
    log::set_max_level(log::LevelFilter::Debug);
    let ctx = ctx();
    let client = ctx
        .new_client_session(client_keys(), None, 0, None, None)
        .unwrap();
    let server = ctx
        .new_server_session(server_keys(), None, CLIENT_ADDR)
        .unwrap();
    let mut p = Pair::new(client, server, NetParams::lossy(0.3), 4);
    p.handshake(5_000);
    let lines = LINES.lock().unwrap();
    for want in [
        "HelloVerifyRequest",
        "cookie verified",
        "flight of",
        "received",
    ] {
        assert!(
            lines.iter().any(|l| l.contains(want)),
            "no trace line with {want:?} in {lines:?}"
        );
    }
}
