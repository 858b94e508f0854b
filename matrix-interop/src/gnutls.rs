//! GnuTLS's `gnutls-serv` as the TCP interop tests start it: `--echo` on a free port of
//! 127.0.0.1 with the rsa2048 server chain and key, never asking for a client certificate,
//! with the test's priority string and flags, and (for the PSK suites) a password file that
//! lives as long as the server, which reads it at every PSK handshake.

use std::path::PathBuf;
use std::time::Duration;

use crate::{Peer, free_port, testkeys};

/// A running `gnutls-serv --echo`; killed (and its PSK file removed) when dropped.
pub struct GnutlsServ {
    /// The process: its output is the server's log.
    pub peer: Peer,
    /// The port it listens on.
    pub port: u16,
    _psk_file: Option<PskFile>,
}

/// A GnuTLS PSK password file (`identity:hex`), removed when dropped.
struct PskFile(PathBuf);

impl Drop for PskFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl GnutlsServ {
    /// Starts `gnutls-serv` with `priority`, `psk` (identity and hex key) when given, and
    /// `extra` flags (`--dhparams FILE`, `-d 5`); waits until it listens.
    pub fn start(priority: &str, psk: Option<(&str, &str)>, extra: &[&str]) -> GnutlsServ {
        let port = free_port();
        let port_s = port.to_string();
        let (chain, key) = (
            testkeys("rsa2048/server-chain.pem"),
            testkeys("rsa2048/server.key"),
        );
        let mut args = vec![
            "-p",
            &port_s,
            "--echo",
            "--disable-client-cert",
            "--x509certfile",
            &chain,
            "--x509keyfile",
            &key,
            "--priority",
            priority,
        ];
        let psk_file = psk.map(|(id, hex)| {
            let f = std::env::temp_dir().join(format!("matrix-gnutls-psk-{port}"));
            std::fs::write(&f, format!("{id}:{hex}\n"))
                .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            PskFile(f)
        });
        let psk_arg = psk_file
            .as_ref()
            .map(|f| f.0.to_string_lossy().into_owned());
        if let Some(f) = &psk_arg {
            args.extend_from_slice(&["--pskpasswd", f]);
        }
        args.extend_from_slice(extra);
        let mut peer = Peer::spawn("gnutls-serv", &args);
        peer.wait_for("listening", Duration::from_secs(20))
            .unwrap_or_else(|e| panic!("gnutls-serv did not start: {e}"));
        GnutlsServ {
            peer,
            port,
            _psk_file: psk_file,
        }
    }
}
