//! The independent TLS peers the interop tests run against (`../shared/PEERS.md`): OpenSSL's
//! command line, GnuTLS's `gnutls-serv`/`gnutls-cli`, and tlslite-ng, nassl and sslyze from
//! PyPI in a virtual environment under `target/peers-venv`.
//!
//! `ensure` installs what is missing (apt for GnuTLS when run as root, pip for the Python
//! peers) and fails, naming the peer, when something cannot be had: CI never skips a peer.

use std::path::{Path, PathBuf};

use crate::cmd;

/// Python packages and the versions PEERS.md was checked with.
const PYTHON_PEERS: &[&str] = &["tlslite-ng==0.8.2", "nassl==5.4.0", "sslyze==6.3.1"];

/// Where the peers are.
pub struct Peers {
    /// `openssl version` output.
    pub openssl: String,
    /// `gnutls-serv --version` first line.
    pub gnutls: String,
    /// The virtual environment's python.
    pub python: PathBuf,
}

impl Peers {
    /// One line naming every peer.
    pub fn summary(&self) -> String {
        format!(
            "{}; {}; tlslite-ng, nassl, sslyze in {}",
            self.openssl.trim(),
            self.gnutls.trim(),
            self.python.display()
        )
    }
}

/// Installs or checks every peer.
pub fn ensure(root: &Path) -> Result<Peers, String> {
    let openssl = cmd::output("openssl", &["version"])
        .ok_or("peer missing: the `openssl` command line (OpenSSL 3) is not on PATH")?;

    let gnutls_version = || {
        cmd::output("gnutls-serv", &["--version"])
            .map(|v| v.lines().next().unwrap_or_default().to_string())
    };
    let gnutls = match gnutls_version() {
        Some(v) => v,
        None => {
            install_gnutls(root)?;
            gnutls_version()
                .ok_or("peer missing: gnutls-serv still absent after installing gnutls-bin")?
        }
    };

    let venv = root.join("target").join("peers-venv");
    let python = venv.join("bin").join("python");
    let check = [
        "-c",
        "import tlslite, nassl, sslyze; from nassl.legacy_ssl_client import LegacySslClient",
    ];
    if cmd::output(path_str(&python)?, &check).is_none() {
        if !python.exists() {
            cmd::run(root, "python3", &["-m", "venv", path_str(&venv)?])
                .map_err(|e| format!("cannot create the peers' virtual environment: {e}"))?;
        }
        let mut args = vec![
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
        ];
        args.extend_from_slice(PYTHON_PEERS);
        cmd::run(root, path_str(&python)?, &args)
            .map_err(|e| format!("cannot install tlslite-ng, nassl and sslyze from PyPI: {e}"))?;
        if cmd::output(path_str(&python)?, &check).is_none() {
            return Err(format!(
                "peer missing: tlslite-ng, nassl or sslyze does not import in {}",
                venv.display()
            ));
        }
    }
    Ok(Peers {
        openssl,
        gnutls,
        python,
    })
}

fn install_gnutls(root: &Path) -> Result<(), String> {
    let root_user = cmd::output("id", &["-u"]).is_some_and(|u| u.trim() == "0");
    if !root_user {
        return Err(
            "peer missing: gnutls-serv; install Debian's gnutls-bin (`apt-get install gnutls-bin`) or run as root so xtask can"
                .into(),
        );
    }
    let env = [("DEBIAN_FRONTEND", "noninteractive")];
    cmd::run_env(root, "apt-get", &["update", "-qq"], &env)?;
    cmd::run_env(
        root,
        "apt-get",
        &["install", "-y", "-qq", "gnutls-bin"],
        &env,
    )
}

fn path_str(p: &Path) -> Result<&str, String> {
    p.to_str()
        .ok_or_else(|| format!("path is not UTF-8: {}", p.display()))
}
