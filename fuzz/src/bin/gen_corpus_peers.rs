//! Writes seed corpora recorded from independent peers: `openssl s_client`/`s_server`,
//! `gnutls-cli`/`gnutls-serv` and tlslite-ng (`matrix-interop/peers/tl_peer.py`) talk over
//! 127.0.0.1 to the deterministic server (or client) of a fuzz target, and every byte the
//! peer sends becomes `corpus/<target>/peer-<peer>-<version>-<suite>`. Because our side is
//! deterministic, a fresh session of the target sees exactly the same conversation: each
//! seed is replayed before it is written, and a seed that does not reach a completed
//! handshake and application data is an error. The peers' plaintext records and handshake
//! messages also go to the codec targets.
//!
//! Needs the peers (`cargo xtask peers`); the Python with tlslite-ng is
//! `$MATRIX_PEERS_PYTHON`, else `target/peers-venv/bin/python`, else `python3`:
//! `cargo run --manifest-path fuzz/Cargo.toml --no-default-features --bin gen-corpus-peers`
//! (arguments: words of the recordings to redo, by target, peer, tag or command-line word
//! other than a file name; without any, every `peer-*` seed is removed first and all are
//! recorded again).

#![forbid(unsafe_code)]
// The `ecc` build records the ECC targets only: the other recordings are not used there.
#![cfg_attr(feature = "ecc", allow(dead_code))]

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path as FsPath, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use matrix_fuzz::peer_seed::{handshake_messages, plaintext_handshake, records, replay_seed};
use matrix_fuzz::{Path, new_client, new_client_for, new_server, new_server_for};
use matrix_ssl::suites::{KeyExchange, SUITES};
use matrix_ssl::{Received, Session};

#[path = "gen_corpus_peers/dtls.rs"]
mod dtls;

/// The PSK both sides of the PSK targets share (`matrix_fuzz::PSK_IDENTITY`'s key).
const PSK_HEX: &str = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";
/// What our client sends once its handshake completes (line-terminated: the peers echo
/// lines).
const CLIENT_LINE: &[u8] = b"hello from matrix\n";
/// What a peer client is given to send.
const PEER_LINE: &[u8] = b"hello from the peer\n";
/// The longest a single conversation may take.
const CONVERSATION: Duration = Duration::from_secs(15);
/// How long a finished conversation waits for the peer's last bytes.
const LINGER: Duration = Duration::from_millis(700);

/// Which side of the target we play.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    /// Our server, a peer client: the seed is what the client sends.
    Server,
    /// Our client, a peer server: the seed is what the server sends.
    Client,
}

/// One recording.
struct Case {
    /// The handshake of our side: the RSA targets' (`None`) or an advanced target's.
    path: Option<Path>,
    /// openssl, gnutls or tlslite.
    peer: &'static str,
    /// Our side.
    side: Side,
    /// The program and its arguments; `{port}` is replaced by the port.
    argv: Vec<String>,
    /// A line written to the peer's stdin (closed once our side has seen application
    /// data, which makes s_client and gnutls-cli shut down).
    stdin: Option<&'static [u8]>,
    /// Appended to the seed's name (`-resumed`: a peer resuming the session a previous
    /// recording's handshake gave it a ticket for).
    tag: &'static str,
}

impl Case {
    /// The fuzz target the recording seeds (its corpus directory).
    fn target(&self) -> &'static str {
        match (self.side, self.path) {
            (Side::Server, None) => "server_session",
            (Side::Server, Some(Path::Dhe)) => "server_dhe",
            (Side::Server, Some(Path::ClientAuth)) => "server_client_auth",
            (Side::Server, Some(Path::Tickets)) => "server_tickets",
            (Side::Server, Some(_)) => "server_psk",
            (Side::Client, None) => "client_session",
            (Side::Client, Some(Path::Dhe)) => "client_dhe",
            (Side::Client, Some(Path::ClientAuth)) => "client_client_auth",
            (Side::Client, Some(Path::Tickets)) => "client_tickets",
            (Side::Client, Some(_)) => "client_psk",
        }
    }

    /// Our fresh session, from the constructors the target's harness uses, and the
    /// selector byte `client_psk` seeds start with (odd: DHE_PSK).
    fn our_session(&self) -> Option<(Session, Option<u8>)> {
        let s = match (self.side, self.path) {
            (Side::Server, None) => new_server()?,
            (Side::Client, None) => new_client()?,
            // The PSK server takes both PSK suites, as the harness's does.
            (Side::Server, Some(Path::DhePsk)) => new_server_for(Path::Psk)?,
            (Side::Server, Some(path)) => new_server_for(path)?,
            (Side::Client, Some(path)) => new_client_for(path)?,
        };
        let selector = match (self.side, self.path) {
            (Side::Client, Some(Path::Psk)) => Some(0),
            (Side::Client, Some(Path::DhePsk)) => Some(1),
            _ => None,
        };
        Some((s, selector))
    }
}

/// Where things are.
struct Env {
    keys: PathBuf,
    python: String,
    tl_peer: PathBuf,
    psk_file: PathBuf,
    /// Where `s_client -sess_out` keeps the session (and ticket) a later recording
    /// resumes with `-sess_in`.
    sess_file: PathBuf,
}

impl Env {
    fn key(&self, rel: &str) -> String {
        self.keys.join(rel).display().to_string()
    }
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| (*s).to_string()).collect()
}

fn s_client(version: &str, cipher: &str, extra: &[&str]) -> Vec<String> {
    let mut v = strings(&[
        "openssl",
        "s_client",
        "-connect",
        "127.0.0.1:{port}",
        version,
        "-cipher",
        cipher,
        "-no_ign_eof",
    ]);
    v.extend(strings(extra));
    v
}

fn s_server(env: &Env, version: &str, extra: &[&str]) -> Vec<String> {
    let mut v = strings(&[
        "openssl",
        "s_server",
        "-accept",
        "127.0.0.1:{port}",
        "-naccept",
        "1",
        "-rev",
        version,
        "-cipher",
        "ALL:@SECLEVEL=0",
    ]);
    v.extend([
        "-cert".into(),
        env.key("rsa2048/server.pem"),
        "-cert_chain".into(),
        env.key("rsa2048/intermediate.pem"),
        "-key".into(),
        env.key("rsa2048/server.key"),
        "-dhparam".into(),
        env.key("dh/dh2048.pem"),
    ]);
    v.extend(strings(extra));
    v
}

fn gnutls_cli(priority: &str, extra: &[String]) -> Vec<String> {
    let mut v = strings(&[
        "gnutls-cli",
        "127.0.0.1",
        "-p",
        "{port}",
        "--insecure",
        "--priority",
        priority,
    ]);
    v.extend_from_slice(extra);
    v
}

fn gnutls_serv(env: &Env, priority: &str, extra: &[String]) -> Vec<String> {
    let mut v = strings(&[
        "gnutls-serv",
        "-p",
        "{port}",
        "--echo",
        "--priority",
        priority,
    ]);
    v.extend([
        "--x509certfile".into(),
        env.key("rsa2048/server-chain.pem"),
        "--x509keyfile".into(),
        env.key("rsa2048/server.key"),
        "--dhparams".into(),
        env.key("dh/dh2048.pem"),
    ]);
    v.extend_from_slice(extra);
    v
}

fn tlslite(env: &Env, mode: &str, version: &str, extra: &[&str]) -> Vec<String> {
    let mut v = vec![
        env.python.clone(),
        env.tl_peer.display().to_string(),
        mode.into(),
        "--port".into(),
        "{port}".into(),
        "--min".into(),
        version.into(),
        "--max".into(),
        version.into(),
    ];
    v.extend(strings(extra));
    v
}

/// Every recording: each target meets each peer that can play the other side, over the
/// versions and suites that peer offers.
fn cases(env: &Env) -> Vec<Case> {
    use Side::{Client, Server};
    let psk_cli = ["-psk_identity", "fuzz-client", "-psk", PSK_HEX];
    let gnutls_psk_cli = vec![
        "--pskusername".to_string(),
        "fuzz-client".into(),
        "--pskkey".into(),
        PSK_HEX.into(),
    ];
    let gnutls_client_cert = vec![
        "--x509certfile".to_string(),
        env.key("rsa2048/client-chain.pem"),
        "--x509keyfile".into(),
        env.key("rsa2048/client.key"),
    ];
    let client_chain = env.key("rsa2048/client-chain.pem");
    let client_key = env.key("rsa2048/client.key");
    let server_chain = env.key("rsa2048/server-chain.pem");
    let server_key = env.key("rsa2048/server.key");
    let ca = env.key("rsa2048/ca.pem");
    let client_cert = env.key("rsa2048/client.pem");
    let intermediate = env.key("rsa2048/intermediate.pem");
    let tl_cert: [&str; 4] = ["--cert", &server_chain, "--key", &server_key];
    let tl_client_cert: [&str; 4] = ["--cert", &client_chain, "--key", &client_key];
    let psk_file = env.psk_file.display().to_string();
    let case = |path, peer, side, argv, stdin| Case {
        path,
        peer,
        side,
        argv,
        stdin,
        tag: "",
    };
    let line = Some(PEER_LINE);
    let mut v = vec![
        // Our RSA server.
        case(
            None,
            "openssl",
            Server,
            s_client(
                "-tls1",
                "AES128-SHA:@SECLEVEL=0",
                &["-servername", "localhost"],
            ),
            line,
        ),
        case(
            None,
            "openssl",
            Server,
            s_client("-tls1_1", "AES256-SHA:@SECLEVEL=0", &[]),
            line,
        ),
        case(
            None,
            "gnutls",
            Server,
            gnutls_cli(
                "NORMAL:-VERS-ALL:+VERS-TLS1.1:-KX-ALL:+RSA",
                &strings(&["--sni-hostname", "localhost"]),
            ),
            line,
        ),
        case(
            None,
            "gnutls",
            Server,
            gnutls_cli(
                "NORMAL:-VERS-ALL:+VERS-TLS1.0:-KX-ALL:+RSA:-CIPHER-ALL:+3DES-CBC",
                &[],
            ),
            line,
        ),
        case(
            None,
            "tlslite",
            Server,
            tlslite(
                env,
                "client",
                "ssl3",
                &["--cipher", "aes128", "--kex", "rsa"],
            ),
            None,
        ),
        case(
            None,
            "tlslite",
            Server,
            tlslite(
                env,
                "client",
                "tls1.0",
                &["--cipher", "rc4", "--kex", "rsa", "--sni", "localhost"],
            ),
            None,
        ),
        case(
            None,
            "tlslite",
            Server,
            tlslite(
                env,
                "client",
                "tls1.1",
                &["--cipher", "aes256", "--kex", "rsa"],
            ),
            None,
        ),
        // Our DHE_RSA server (1024-bit group).
        case(
            Some(Path::Dhe),
            "openssl",
            Server,
            s_client("-tls1_1", "DHE-RSA-AES128-SHA:@SECLEVEL=0", &[]),
            line,
        ),
        case(
            Some(Path::Dhe),
            "gnutls",
            Server,
            gnutls_cli(
                "NORMAL:-VERS-ALL:+VERS-TLS1.0:-KX-ALL:+DHE-RSA:%PROFILE_VERY_WEAK",
                &[],
            ),
            line,
        ),
        case(
            Some(Path::Dhe),
            "tlslite",
            Server,
            tlslite(
                env,
                "client",
                "ssl3",
                &["--cipher", "aes128", "--kex", "dhe_rsa"],
            ),
            None,
        ),
        // Our PSK / DHE_PSK server.
        case(
            Some(Path::Psk),
            "openssl",
            Server,
            s_client("-tls1", "PSK-AES128-CBC-SHA:@SECLEVEL=0", &psk_cli),
            line,
        ),
        case(
            Some(Path::DhePsk),
            "openssl",
            Server,
            s_client("-tls1_1", "DHE-PSK-AES128-CBC-SHA:@SECLEVEL=0", &psk_cli),
            line,
        ),
        case(
            Some(Path::Psk),
            "gnutls",
            Server,
            gnutls_cli(
                "NORMAL:-VERS-ALL:+VERS-TLS1.1:-KX-ALL:+PSK",
                &gnutls_psk_cli,
            ),
            line,
        ),
        // Our server asking for a client certificate.
        case(
            Some(Path::ClientAuth),
            "openssl",
            Server,
            s_client(
                "-tls1",
                "AES128-SHA:@SECLEVEL=0",
                &[
                    "-cert",
                    &client_cert,
                    "-cert_chain",
                    &intermediate,
                    "-key",
                    &client_key,
                ],
            ),
            line,
        ),
        case(
            Some(Path::ClientAuth),
            "gnutls",
            Server,
            gnutls_cli(
                "NORMAL:-VERS-ALL:+VERS-TLS1.1:-KX-ALL:+RSA",
                &gnutls_client_cert,
            ),
            line,
        ),
        case(
            Some(Path::ClientAuth),
            "tlslite",
            Server,
            tlslite(env, "client", "ssl3", &tl_client_cert),
            None,
        ),
        // Our RSA client.
        case(None, "openssl", Client, s_server(env, "-tls1", &[]), None),
        case(None, "openssl", Client, s_server(env, "-tls1_1", &[]), None),
        case(
            None,
            "gnutls",
            Client,
            gnutls_serv(env, "NORMAL:-VERS-ALL:+VERS-TLS1.0:-KX-ALL:+RSA", &[]),
            None,
        ),
        case(
            None,
            "gnutls",
            Client,
            gnutls_serv(
                env,
                "NORMAL:-VERS-ALL:+VERS-TLS1.1:-KX-ALL:+RSA:-CIPHER-ALL:+ARCFOUR-128:-MAC-ALL:+MD5",
                &[],
            ),
            None,
        ),
        case(
            None,
            "tlslite",
            Client,
            tlslite(
                env,
                "server",
                "ssl3",
                &[
                    &tl_cert[..],
                    &["--cipher", "3des", "--kex", "rsa", "--no-ems", "--no-etm"],
                ]
                .concat(),
            ),
            None,
        ),
        case(
            None,
            "tlslite",
            Client,
            tlslite(
                env,
                "server",
                "tls1.0",
                &[&tl_cert[..], &["--cipher", "aes128", "--kex", "rsa"]].concat(),
            ),
            None,
        ),
        case(
            None,
            "tlslite",
            Client,
            tlslite(
                env,
                "server",
                "tls1.1",
                &[&tl_cert[..], &["--cipher", "aes256", "--kex", "rsa"]].concat(),
            ),
            None,
        ),
        // Our DHE_RSA client.
        case(
            Some(Path::Dhe),
            "openssl",
            Client,
            s_server(env, "-tls1", &[]),
            None,
        ),
        case(
            Some(Path::Dhe),
            "gnutls",
            Client,
            gnutls_serv(env, "NORMAL:-VERS-ALL:+VERS-TLS1.1:-KX-ALL:+DHE-RSA", &[]),
            None,
        ),
        case(
            Some(Path::Dhe),
            "tlslite",
            Client,
            tlslite(
                env,
                "server",
                "ssl3",
                &[
                    &tl_cert[..],
                    &[
                        "--cipher", "aes128", "--kex", "dhe_rsa", "--no-ems", "--no-etm",
                    ],
                ]
                .concat(),
            ),
            None,
        ),
        // Our PSK client: byte 0 of the seed picks PSK or DHE_PSK.
        case(
            Some(Path::Psk),
            "openssl",
            Client,
            s_server(
                env,
                "-tls1_1",
                &["-psk", PSK_HEX, "-psk_identity", "fuzz-client", "-nocert"],
            ),
            None,
        ),
        case(
            Some(Path::Psk),
            "gnutls",
            Client,
            gnutls_serv(
                env,
                "NORMAL:-VERS-ALL:+VERS-TLS1.0:-KX-ALL:+PSK",
                &["--pskpasswd".into(), psk_file.clone()],
            ),
            None,
        ),
        // Our client with a certificate.
        case(
            Some(Path::ClientAuth),
            "openssl",
            Client,
            s_server(env, "-tls1_1", &["-Verify", "1", "-CAfile", &ca]),
            None,
        ),
        case(
            Some(Path::ClientAuth),
            "gnutls",
            Client,
            gnutls_serv(
                env,
                "NORMAL:-VERS-ALL:+VERS-TLS1.0:-KX-ALL:+RSA",
                &[
                    "--require-client-cert".into(),
                    "--verify-client-cert".into(),
                    "--x509cafile".into(),
                    ca.clone(),
                ],
            ),
            None,
        ),
        case(
            Some(Path::ClientAuth),
            "tlslite",
            Client,
            tlslite(
                env,
                "server",
                "tls1.0",
                &[&tl_cert[..], &["--reqcert", "--kex", "rsa"]].concat(),
            ),
            None,
        ),
    ];
    // TLS 1.2 with the peers' default settings (no @SECLEVEL): GCM records (RFC 5288's
    // explicit nonces), signature_algorithms in both hellos, the TLS 1.2
    // CertificateVerify, SHA-384's PRF.
    v.extend([
        case(
            None,
            "openssl",
            Server,
            s_client("-tls1_2", "AES128-GCM-SHA256", &[]),
            line,
        ),
        case(
            None,
            "gnutls",
            Server,
            gnutls_cli("NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+RSA", &[]),
            line,
        ),
        case(
            None,
            "tlslite",
            Server,
            tlslite(
                env,
                "client",
                "tls1.2",
                &["--cipher", "aes256gcm", "--kex", "rsa"],
            ),
            None,
        ),
        case(
            Some(Path::ClientAuth),
            "openssl",
            Server,
            s_client(
                "-tls1_2",
                "AES256-GCM-SHA384",
                &[
                    "-cert",
                    &client_cert,
                    "-cert_chain",
                    &intermediate,
                    "-key",
                    &client_key,
                ],
            ),
            line,
        ),
        case(
            Some(Path::Psk),
            "openssl",
            Server,
            // The fuzz build's PSK suite (its suite list stays that of the older seeds).
            s_client("-tls1_2", "PSK-AES128-CBC-SHA", &psk_cli),
            line,
        ),
        case(None, "openssl", Client, s_server(env, "-tls1_2", &[]), None),
        case(
            None,
            "gnutls",
            Client,
            gnutls_serv(env, "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+RSA", &[]),
            None,
        ),
        case(
            None,
            "tlslite",
            Client,
            tlslite(
                env,
                "server",
                "tls1.2",
                &[&tl_cert[..], &["--cipher", "aes128gcm", "--kex", "rsa"]].concat(),
            ),
            None,
        ),
    ]);
    // RFC 5077 session tickets: peer clients asking our ticket server for one (an empty
    // SessionTicket extension; our NewSessionTicket follows), s_client resuming with the
    // ticket it saved (`-sess_out`, then `-sess_in`: a ClientHello carrying the ticket
    // and the abbreviated handshake, which the fresh server of the harness accepts since
    // its ticket key is fixed), and peer servers issuing tickets to our client.
    let sess = env.sess_file.display().to_string();
    v.extend([
        case(
            Some(Path::Tickets),
            "openssl",
            Server,
            s_client("-tls1_2", "AES128-SHA", &["-sess_out", &sess]),
            line,
        ),
        Case {
            tag: "-resumed",
            ..case(
                Some(Path::Tickets),
                "openssl",
                Server,
                s_client("-tls1_2", "AES128-SHA", &["-sess_in", &sess]),
                line,
            )
        },
        case(
            Some(Path::Tickets),
            "openssl",
            Server,
            s_client("-tls1", "AES128-SHA:@SECLEVEL=0", &[]),
            line,
        ),
        case(
            Some(Path::Tickets),
            "gnutls",
            Server,
            gnutls_cli("NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+RSA", &[]),
            line,
        ),
        case(
            Some(Path::Tickets),
            "openssl",
            Client,
            s_server(env, "-tls1_2", &[]),
            None,
        ),
        case(
            Some(Path::Tickets),
            "openssl",
            Client,
            s_server(env, "-tls1_1", &[]),
            None,
        ),
        case(
            Some(Path::Tickets),
            "gnutls",
            Client,
            gnutls_serv(env, "NORMAL:-VERS-ALL:+VERS-TLS1.2:-KX-ALL:+RSA", &[]),
            None,
        ),
    ]);
    // The DHE_PSK client's recording: gnutls-serv is the one peer server for it.
    v.push(case(
        Some(Path::DhePsk),
        "gnutls",
        Client,
        gnutls_serv(
            env,
            "NORMAL:-VERS-ALL:+VERS-TLS1.1:-KX-ALL:+DHE-PSK",
            &["--pskpasswd".into(), psk_file],
        ),
        None,
    ));
    v
}

/// The short name of a suite for a seed's file name.
fn suite_name(suite: u16) -> String {
    match suite {
        0x0004 => "rc4-md5".into(),
        0x0005 => "rc4-sha".into(),
        0x000a => "3des-sha".into(),
        0x002f => "aes128-sha".into(),
        0x0035 => "aes256-sha".into(),
        0x0016 => "dhe-3des-sha".into(),
        0x0033 => "dhe-aes128-sha".into(),
        0x0039 => "dhe-aes256-sha".into(),
        0x008c => "psk-aes128-sha".into(),
        0x008d => "psk-aes256-sha".into(),
        0x0090 => "dhe-psk-aes128-sha".into(),
        0x0091 => "dhe-psk-aes256-sha".into(),
        0x009c => "aes128-gcm-sha256".into(),
        0x009d => "aes256-gcm-sha384".into(),
        0x00a8 => "psk-aes128-gcm-sha256".into(),
        other => format!("{other:04x}"),
    }
}

fn version_name(v: u16) -> String {
    match v {
        0x0300 => "ssl3".into(),
        0x0301 => "tls10".into(),
        0x0302 => "tls11".into(),
        0x0303 => "tls12".into(),
        other => format!("{other:04x}"),
    }
}

/// The selector of `matrix_fuzz::handshake_message` for a version and a suite's key
/// exchange: version index + 4 * key exchange index, with the top bit for TLS 1.2.
fn message_selector(version: u16, suite: u16) -> u8 {
    let tls12 = if version == 0x0303 { 0x80 } else { 0 };
    let v = match version {
        0x0300 => 0,
        0x0301 => 1,
        _ => 2,
    };
    let k = match SUITES.iter().find(|s| s.suite.get() == suite).map(|s| s.kx) {
        Some(KeyExchange::Rsa) => 1,
        Some(KeyExchange::DheRsa) => 2,
        Some(KeyExchange::DhAnon) => 3,
        Some(KeyExchange::Psk) => 4,
        Some(KeyExchange::DhePsk) => 5,
        Some(KeyExchange::EcdheRsa | KeyExchange::EcdheEcdsa) => 6,
        _ => 0,
    };
    tls12 | (v + 4 * k)
}

/// A port nothing listens on now (the peer server binds it right after).
fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
    l.local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("local_addr: {e}"))
}

fn spawn(case: &Case, port: u16) -> Result<Child, String> {
    spawn_argv(&case.argv, port)
}

/// Starts a peer: `argv` with `{port}` replaced, stdin piped, stderr kept.
fn spawn_argv(argv: &[String], port: u16) -> Result<Child, String> {
    let argv: Vec<String> = argv
        .iter()
        .map(|a| a.replace("{port}", &port.to_string()))
        .collect();
    let (program, args) = argv.split_first().ok_or("empty command")?;
    Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        // Kept for the failure message (peers write little there).
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{program}: {e}"))
}

/// Our side's connection: the peer client connects to us, or we connect to the peer
/// server (retrying while it starts).
fn connect(
    side: Side,
    child: &mut Child,
    listener: Option<&TcpListener>,
    port: u16,
) -> Result<TcpStream, String> {
    let start = Instant::now();
    loop {
        let attempt = match (side, listener) {
            (Side::Server, Some(l)) => l.accept().map(|(s, _)| s),
            _ => TcpStream::connect(("127.0.0.1", port)),
        };
        match attempt {
            Ok(s) => return Ok(s),
            Err(e) if start.elapsed() > Duration::from_secs(10) => {
                return Err(format!("no connection after 10 s: {e}"));
            }
            Err(_) => {
                if let Ok(Some(status)) = child.try_wait() {
                    return Err(format!("the peer exited before connecting: {status}"));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

/// Runs our session against the peer over `sock` and returns every byte the peer sent.
/// Our server echoes application data (then closes the peer's stdin); our client sends
/// [`CLIENT_LINE`] once the handshake completes and close_notify once an answer came.
fn converse(
    s: &mut Session,
    sock: &mut TcpStream,
    side: Side,
    mut stdin: Option<ChildStdin>,
) -> Result<Vec<u8>, String> {
    sock.set_read_timeout(Some(Duration::from_millis(50)))
        .map_err(|e| e.to_string())?;
    let start = Instant::now();
    let mut peer = Vec::new();
    let mut sent_line = false;
    let mut got_app = false;
    let mut closed = false;
    let mut done_at: Option<Instant> = None;
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let out = s.get_outdata().to_vec();
        if !out.is_empty() {
            sock.write_all(&out).map_err(|e| format!("write: {e}"))?;
            s.sent_data(out.len())
                .map_err(|e| format!("sent_data: {e:?}"))?;
            continue;
        }
        if side == Side::Client && s.is_handshake_complete() && !sent_line {
            s.encode_to_outdata(CLIENT_LINE)
                .map_err(|e| format!("encode: {e:?}"))?;
            sent_line = true;
            continue;
        }
        if side == Side::Client && got_app && !closed {
            s.encode_closure_alert()
                .map_err(|e| format!("close: {e:?}"))?;
            closed = true;
            continue;
        }
        if (got_app || s.peer_closed()) && done_at.is_none() {
            done_at = Some(Instant::now());
        }
        if done_at.is_some_and(|t| t.elapsed() > LINGER) || s.peer_closed() {
            break;
        }
        if start.elapsed() > CONVERSATION {
            return Err(format!(
                "no end after {CONVERSATION:?} ({} bytes from the peer, handshake complete: {})",
                peer.len(),
                s.is_handshake_complete()
            ));
        }
        let n = match sock.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => continue,
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break,
            Err(e) => return Err(format!("read: {e}")),
        };
        let now = &buf[..n];
        peer.extend_from_slice(now);
        let mut echo = Vec::new();
        let mut rest = now;
        while !rest.is_empty() {
            let rb = s.get_readbuf();
            let k = rb.len().min(rest.len());
            if k == 0 {
                return Err("no room in the read buffer".into());
            }
            rb[..k].copy_from_slice(&rest[..k]);
            rest = &rest[k..];
            let mut r = s.received_data(k);
            loop {
                match r {
                    Ok(Received::AppData(d)) => {
                        got_app = true;
                        echo.extend_from_slice(d);
                    }
                    Ok(Received::Alert { .. }) => {}
                    Ok(_) => break,
                    Err(e) => {
                        return Err(format!(
                            "our session failed with {e:?} after {} peer bytes",
                            peer.len()
                        ));
                    }
                }
                r = s.processed_data();
            }
        }
        if side == Side::Server && !echo.is_empty() && !s.peer_closed() {
            s.encode_to_outdata(&echo)
                .map_err(|e| format!("echo: {e:?}"))?;
            // The peer client has its answer: closing its input makes it shut down.
            stdin = None;
        }
    }
    drop(stdin);
    Ok(peer)
}

/// A recorded seed and what it tells about the peer's messages.
struct Recorded {
    /// The file name (without the target directory).
    name: String,
    /// The seed (selector bytes, mode byte, peer bytes).
    seed: Vec<u8>,
    /// The peer's bytes alone.
    peer: Vec<u8>,
    version: u16,
    suite: u16,
}

fn record(case: &Case) -> Result<Recorded, String> {
    let (s, selector) = case.our_session().ok_or("no session for this target")?;
    record_session(case, s, selector)
}

/// [`record`] with our side's session `s` and its seed's selector byte given.
fn record_session(case: &Case, mut s: Session, selector: Option<u8>) -> Result<Recorded, String> {
    let listener = match case.side {
        Side::Server => {
            let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
            l.set_nonblocking(true).map_err(|e| e.to_string())?;
            Some(l)
        }
        Side::Client => None,
    };
    let port = match &listener {
        Some(l) => l.local_addr().map_err(|e| e.to_string())?.port(),
        None => free_port()?,
    };
    let mut child = spawn(case, port)?;
    let result = (|| {
        let mut stdin = child.stdin.take();
        if let (Some(line), Some(w)) = (case.stdin, stdin.as_mut()) {
            w.write_all(line).map_err(|e| format!("stdin: {e}"))?;
        }
        if case.stdin.is_none() {
            stdin = None;
        }
        let mut sock = connect(case.side, &mut child, listener.as_ref(), port)?;
        sock.set_nonblocking(false).map_err(|e| e.to_string())?;
        converse(&mut s, &mut sock, case.side, stdin)
    })();
    // The peer is ours: end it whether or not it finished by itself.
    let _ = child.kill();
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    let _ = child.wait();
    let peer = result.map_err(|e| with_stderr(&e, &stderr))?;
    let version = s.protocol_version().get();
    let suite = s.cipher_suite().map(|c| c.get()).ok_or_else(|| {
        format!(
            "no suite negotiated; the peer sent {:02x?}",
            &peer[..peer.len().min(64)]
        )
    })?;
    if !s.is_handshake_complete() {
        return Err(format!(
            "handshake incomplete after {} peer bytes",
            peer.len()
        ));
    }
    let name = format!(
        "peer-{}-{}-{}{}",
        case.peer,
        version_name(version),
        suite_name(suite),
        case.tag
    );
    let seed = [selector.as_slice(), &[0], &peer].concat();
    Ok(Recorded {
        name,
        seed,
        peer,
        version,
        suite,
    })
}

/// A failure with the end of the peer's stderr.
fn with_stderr(e: &str, stderr: &str) -> String {
    let tail = stderr.trim();
    let tail = tail.get(tail.len().saturating_sub(400)..).unwrap_or(tail);
    format!("{e}\n  the peer's stderr ends: {tail}")
}

fn write(root: &FsPath, target: &str, name: &str, data: &[u8]) -> Result<(), String> {
    let dir = root.join(target);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    std::fs::write(dir.join(name), data).map_err(|e| format!("{name}: {e}"))
}

/// The codec targets' seeds from one recording: the peer's first record, each plaintext
/// handshake message type it sent (a Certificate only from client authentication, the
/// server chains are ours), and its plaintext handshake stream for the framer.
fn codec_seeds(root: &FsPath, case: &Case, r: &Recorded) -> Result<usize, String> {
    let base = format!("peer-{}-{}", case.peer, version_name(r.version));
    let target = case.target();
    let psk = target.ends_with("_psk");
    let plain = matches!(target, "server_session" | "client_session");
    let flight = target.ends_with("client_auth");
    codec_seeds_of(root, &base, case.side, r, [plain, psk, flight])
}

/// [`codec_seeds`] under the name prefix `base` for our `side` of the recording `r`;
/// `[hellos, cke, flight]`: whether to keep the hellos, the ClientKeyExchange and the
/// whole plaintext flight.
fn codec_seeds_of(
    root: &FsPath,
    base: &str,
    side: Side,
    r: &Recorded,
    [plain, cke, flight]: [bool; 3],
) -> Result<usize, String> {
    let mut written = 0;
    let role = match side {
        Side::Server => "client",
        Side::Client => "server",
    };
    if let Some(first) = records(&r.peer).first() {
        write(
            root,
            "record_header",
            &format!("{base}-{role}-first"),
            first,
        )?;
        written += 1;
    }
    let hs = plaintext_handshake(&r.peer);
    let sel = message_selector(r.version, r.suite);
    for m in handshake_messages(&hs) {
        // What differs between stacks: the hellos (extensions and their order; taken
        // from the RSA targets, the other targets' hellos differ only in the suites),
        // the key exchange parameters, the certificate request, a PSK identity or an
        // ECDHE point.
        // Certificates, RSA-encrypted premasters and signatures are opaque blobs the
        // other seeds have.
        let name = match m.first() {
            Some(1) if plain => "client-hello".to_string(),
            Some(2) if plain => "server-hello".to_string(),
            Some(12) => format!("{}-server-key-exchange", suite_name(r.suite)),
            Some(13) => format!("{}-certificate-request", suite_name(r.suite)),
            Some(16) if cke => format!("{}-client-key-exchange", suite_name(r.suite)),
            _ => continue,
        };
        write(
            root,
            "handshake_message",
            &format!("{base}-{name}"),
            &[&[sel][..], m].concat(),
        )?;
        written += 1;
    }
    if flight && !hs.is_empty() {
        write(
            root,
            "handshake_framer",
            &format!("{base}-{role}-flight"),
            &[&[0xff, 0xff][..], &hs].concat(),
        )?;
        written += 1;
    }
    Ok(written)
}

/// Every `peer-*` file under `root/<target>/`.
fn peer_seed_files(root: &FsPath) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let dirs = std::fs::read_dir(root).map_err(|e| format!("{}: {e}", root.display()))?;
    for dir in dirs.flatten() {
        let Ok(files) = std::fs::read_dir(dir.path()) else {
            continue;
        };
        out.extend(
            files
                .flatten()
                .filter(|f| f.file_name().to_string_lossy().starts_with("peer-"))
                .map(|f| f.path()),
        );
    }
    Ok(out)
}

/// Removes the default build's `peer-*` seeds; the `ecc` build's (its targets' and its
/// `-ecdhe-` codec seeds) are that build's to rewrite.
fn remove_peer_seeds(root: &FsPath) -> Result<(), String> {
    let ecc = |f: &PathBuf| {
        let dir = f.parent().and_then(|d| d.file_name());
        dir.is_some_and(|d| d == "server_ecdhe" || d == "client_ecdhe")
            || f.file_name()
                .is_some_and(|n| n.to_string_lossy().contains("-ecdhe-"))
    };
    for f in peer_seed_files(root)?.into_iter().filter(|f| !ecc(f)) {
        std::fs::remove_file(&f).map_err(|e| format!("{}: {e}", f.display()))?;
    }
    Ok(())
}

fn python() -> String {
    if let Ok(p) = std::env::var("MATRIX_PEERS_PYTHON") {
        return p;
    }
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/peers-venv/bin/python");
    if venv.exists() {
        return venv.display().to_string();
    }
    "python3".into()
}

/// A recording's name for the command-line filter: its target, peer and tag, and the words
/// of its command line that are not file names (the programs, options, suites and
/// versions). File names are left out because they hold the checkout's path: a word of it
/// (the worktree's name, `testkeys`, `rsa2048`) would select every recording.
fn case_label(names: &[&str], argv: &[String]) -> String {
    let words = argv
        .iter()
        .map(String::as_str)
        .filter(|w| !w.contains(std::path::MAIN_SEPARATOR));
    names
        .iter()
        .copied()
        .filter(|n| !n.is_empty())
        .chain(words)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a recording labelled `label` is to be made: all are without filters, else those
/// whose label contains one of them.
fn selected(filters: &[String], label: &str) -> bool {
    filters.is_empty() || filters.iter().any(|f| label.contains(f.as_str()))
}

fn run(root: &FsPath, filters: &[String]) -> Result<(), String> {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let psk_file = std::env::temp_dir().join(format!("matrix-fuzz-psk-{}", std::process::id()));
    let sess_file = std::env::temp_dir().join(format!("matrix-fuzz-sess-{}", std::process::id()));
    std::fs::write(&psk_file, format!("fuzz-client:{PSK_HEX}\n"))
        .map_err(|e| format!("{}: {e}", psk_file.display()))?;
    let env = Env {
        keys: here.join("../testkeys"),
        python: python(),
        tl_peer: here.join("../matrix-interop/peers/tl_peer.py"),
        psk_file: psk_file.clone(),
        sess_file: sess_file.clone(),
    };
    if filters.is_empty() {
        // A full run replaces the set: a seed whose peer now negotiates something else
        // (another name) must not stay behind.
        remove_peer_seeds(root)?;
    }
    let mut failures = Vec::new();
    let mut seeds = 0;
    for case in cases(&env) {
        let label = case_label(&[case.target(), case.peer, case.tag], &case.argv);
        if !selected(filters, &label) {
            continue;
        }
        let r = match record(&case) {
            Ok(r) => r,
            Err(e) => {
                eprintln!(
                    "FAIL {}/{} ({}): {e}",
                    case.target(),
                    case.peer,
                    case.argv.join(" ")
                );
                failures.push(label);
                continue;
            }
        };
        // The seed is only worth keeping if a fresh session replays it whole.
        let replay = replay_seed(case.target(), &r.seed).ok_or("not a session target")?;
        if !replay.is_complete() {
            eprintln!(
                "FAIL {}/{}: recorded, but the replay stops: {replay:?}",
                case.target(),
                r.name
            );
            failures.push(label);
            continue;
        }
        write(root, case.target(), &r.name, &r.seed)?;
        let codec = codec_seeds(root, &case, &r)?;
        seeds += 1 + codec;
        println!(
            "ok   {}/{} ({} bytes; replay: handshake complete, {} bytes of application data, {} alerts{}) + {codec} codec seeds",
            case.target(),
            r.name,
            r.seed.len(),
            replay.app_data.len(),
            replay.alerts.len(),
            if replay.peer_closed {
                ", close_notify"
            } else {
                ""
            },
        );
    }
    let _ = std::fs::remove_file(&psk_file);
    let _ = std::fs::remove_file(&sess_file);
    for case in dtls::cases(&env.keys) {
        let label = case_label(&[case.target(), case.peer], &case.argv);
        if !selected(filters, &label) {
            continue;
        }
        match dtls::record(&case) {
            Ok(r) => {
                write(root, case.target(), &r.name, &r.seed)?;
                seeds += 1;
                println!(
                    "ok   {}/{} ({} bytes, {} datagrams; replay: handshake complete)",
                    case.target(),
                    r.name,
                    r.seed.len(),
                    r.datagrams
                );
            }
            Err(e) => {
                eprintln!("FAIL {label}: {e}");
                failures.push(label);
            }
        }
    }
    // Codec seeds of several recordings may share a name (the last one stays).
    let files = peer_seed_files(root)?.len();
    println!(
        "{seeds} seeds written, {files} peer-* files now under {}",
        root.display()
    );
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("{} recordings failed", failures.len()))
    }
}

fn main() -> ExitCode {
    let filters: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
    match run_build(&root, &filters) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen-corpus-peers: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The default build records the seeds of the default targets.
#[cfg(not(feature = "ecc"))]
fn run_build(root: &FsPath, filters: &[String]) -> Result<(), String> {
    run(root, filters)
}

/// The fuzz crate's `ecc` build records the ECC targets' seeds only (their sessions exist
/// only there, and the other targets' bytes differ in it).
#[cfg(feature = "ecc")]
fn run_build(root: &FsPath, filters: &[String]) -> Result<(), String> {
    ecc_peers::run(root, filters)
}

/// OpenSSL and GnuTLS ECDHE handshakes for `server_ecdhe` and `client_ecdhe` (feature
/// `ecc`): each recording is a [`Case`] with our session from `matrix_fuzz::ecc` and the
/// seed's selector byte, written as `peer-<peer>-<version>-<suite>-<tag>` and replayed
/// first, as the other recordings are; its ECDHE messages become seeds of the codec
/// targets (`peer-<peer>-<version>-ecdhe-<tag>-*`).
#[cfg(feature = "ecc")]
mod ecc_peers {
    use super::*;
    use matrix_fuzz::ecc::{client_selector, new_ecdhe_client, new_ecdhe_server};

    /// One ECC recording: the target, our session's selector byte, a tag for the name.
    struct EccCase {
        target: &'static str,
        selector: u8,
        tag: &'static str,
        case: Case,
    }

    fn cases(env: &Env) -> Vec<EccCase> {
        let key = |rel: &str| env.key(rel);
        let (ec_leaf, ec_int, ec_key) = (
            key("ec-p256/server.pem"),
            key("ec-p256/intermediate.pem"),
            key("ec-p256/server.key"),
        );
        let client_cert = [
            "-cert",
            ec_leaf.as_str(),
            "-cert_chain",
            ec_int.as_str(),
            "-key",
            ec_key.as_str(),
        ];
        let ec_server = [
            "-dcert",
            ec_leaf.as_str(),
            "-dcert_chain",
            ec_int.as_str(),
            "-dkey",
            ec_key.as_str(),
        ];
        let ca = key("ec-p256/ca.pem");
        let verify = ["-Verify", "1", "-CAfile", ca.as_str()];
        let server = |selector, tag, version, cipher, extra: &[&str]| EccCase {
            target: "server_ecdhe",
            selector,
            tag,
            case: Case {
                path: None,
                peer: "openssl",
                side: Side::Server,
                argv: s_client(version, cipher, extra),
                stdin: Some(PEER_LINE),
                // The ECC seeds are named by `EccCase::tag`.
                tag: "",
            },
        };
        let client = |selector, tag, version, extra: &[&str]| EccCase {
            target: "client_ecdhe",
            selector,
            tag,
            case: Case {
                path: None,
                peer: "openssl",
                side: Side::Client,
                argv: s_server(env, version, extra),
                stdin: None,
                tag: "",
            },
        };
        vec![
            // Our server (no client authentication: selector 0; with it: 1).
            server(
                0,
                "x25519",
                "-tls1_2",
                "ECDHE-ECDSA-AES128-GCM-SHA256",
                &["-groups", "X25519:P-256"],
            ),
            server(
                0,
                "p256",
                "-tls1_2",
                "ECDHE-ECDSA-AES128-SHA",
                &["-groups", "P-256"],
            ),
            server(
                0,
                "p384",
                "-tls1_2",
                "ECDHE-RSA-AES128-GCM-SHA256",
                &["-groups", "P-384"],
            ),
            server(
                0,
                "default",
                "-tls1",
                "ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0",
                &[],
            ),
            server(
                1,
                "client-auth",
                "-tls1_2",
                "ECDHE-ECDSA-AES128-GCM-SHA256",
                &client_cert,
            ),
            // Our client against s_server holding the rsa2048 and ec-p256 identities.
            client(client_selector(1, 0), "x25519", "-tls1_2", &ec_server),
            client(client_selector(2, 1), "p256", "-tls1_2", &ec_server),
            client(client_selector(3, 2), "p384", "-tls1_2", &ec_server),
            client(client_selector(2, 0), "x25519", "-tls1", &ec_server),
            client(
                client_selector(1, 0),
                "client-auth",
                "-tls1_2",
                &[&ec_server[..], &verify[..]].concat(),
            ),
        ]
    }

    /// GnuTLS's priority: one version, key exchange and cipher (with HMAC-SHA1 for the
    /// CBC ones), and the groups in the order the client lists them.
    fn gnutls_priority(version: &str, kx: &str, cipher: &str, groups: &[&str]) -> String {
        let mac = if cipher.ends_with("-CBC") {
            ":-MAC-ALL:+SHA1"
        } else {
            ""
        };
        let groups: String = groups.iter().map(|g| format!(":+GROUP-{g}")).collect();
        format!(
            "NORMAL:-VERS-ALL:+VERS-{version}:-KX-ALL:+{kx}:-CIPHER-ALL:+{cipher}{mac}:-GROUP-ALL{groups}"
        )
    }

    /// The GnuTLS recordings: gnutls-cli against our server (which prefers X25519, then
    /// P-384, then P-256, and takes the client's EC chain when it asks for one), and
    /// gnutls-serv, holding the rsa2048 and ec-p256 identities, against our client (the
    /// server's priority forces the group).
    fn gnutls_cases(env: &Env) -> Vec<EccCase> {
        let ec_pair = strings(&[
            "--x509certfile",
            &env.key("ec-p256/server-chain.pem"),
            "--x509keyfile",
            &env.key("ec-p256/server.key"),
        ]);
        let server = |selector, tag, priority: String, extra: &[String]| EccCase {
            target: "server_ecdhe",
            selector,
            tag,
            case: Case {
                path: None,
                peer: "gnutls",
                side: Side::Server,
                argv: gnutls_cli(&priority, extra),
                stdin: Some(PEER_LINE),
                tag: "",
            },
        };
        let client = |selector, tag, priority: String, extra: &[String]| EccCase {
            target: "client_ecdhe",
            selector,
            tag,
            case: Case {
                path: None,
                peer: "gnutls",
                side: Side::Client,
                argv: gnutls_serv(env, &priority, &[&ec_pair[..], extra].concat()),
                stdin: None,
                tag: "",
            },
        };
        let p = gnutls_priority;
        let ask_cert = [
            &strings(&["--require-client-cert", "--x509cafile"])[..],
            &[env.key("ec-p256/ca.pem")],
        ]
        .concat();
        vec![
            server(
                0,
                "x25519",
                p(
                    "TLS1.2",
                    "ECDHE-ECDSA",
                    "AES-128-GCM",
                    &["X25519", "SECP256R1"],
                ),
                &[],
            ),
            server(
                0,
                "p384",
                p(
                    "TLS1.2",
                    "ECDHE-ECDSA",
                    "AES-128-CBC",
                    &["SECP384R1", "SECP256R1"],
                ),
                &[],
            ),
            server(
                0,
                "p256",
                p("TLS1.0", "ECDHE-RSA", "AES-128-CBC", &["SECP256R1"]),
                &[],
            ),
            // GnuTLS's default priority (TLS 1.3 offered: key_share, supported_versions).
            server(0, "default", "NORMAL".into(), &[]),
            server(
                1,
                "client-auth",
                p("TLS1.2", "ECDHE-ECDSA", "AES-128-GCM", &["SECP256R1"]),
                &ec_pair,
            ),
            client(
                client_selector(1, 0),
                "x25519",
                p("TLS1.2", "ECDHE-ECDSA", "AES-128-GCM", &["X25519"]),
                &[],
            ),
            client(
                client_selector(2, 1),
                "p256",
                p("TLS1.0", "ECDHE-ECDSA", "AES-128-CBC", &["SECP256R1"]),
                &[],
            ),
            client(
                client_selector(3, 2),
                "p384",
                p("TLS1.2", "ECDHE-RSA", "AES-128-CBC", &["SECP384R1"]),
                &[],
            ),
            client(
                client_selector(1, 0),
                "client-auth",
                p("TLS1.2", "ECDHE-ECDSA", "AES-128-GCM", &["X25519"]),
                &ask_cert,
            ),
        ]
    }

    /// Records every ECC case (those whose label contains one of `filters`, if any).
    pub(super) fn run(root: &FsPath, filters: &[String]) -> Result<(), String> {
        let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let env = Env {
            keys: here.join("../testkeys"),
            python: python(),
            tl_peer: here.join("../matrix-interop/peers/tl_peer.py"),
            psk_file: PathBuf::new(),
            // No ECC case resumes a session.
            sess_file: PathBuf::new(),
        };
        let mut failures = Vec::new();
        let mut seeds = 0;
        for c in cases(&env).into_iter().chain(gnutls_cases(&env)) {
            let label = super::case_label(&[c.target, c.case.peer, c.tag], &c.case.argv);
            if !super::selected(filters, &label) {
                continue;
            }
            let ours = match c.target {
                "server_ecdhe" => new_ecdhe_server(c.selector & 1 == 1),
                _ => new_ecdhe_client(c.selector),
            }
            .ok_or("no ECC session")?;
            // Both ECC targets start their seeds with the selector byte.
            let r = match record_session(&c.case, ours, Some(c.selector)) {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("FAIL {label}: {e}");
                    failures.push(label);
                    continue;
                }
            };
            let replay = replay_seed(c.target, &r.seed).ok_or("not a session target")?;
            if !replay.is_complete() {
                eprintln!("FAIL {label}: recorded, but the replay stops: {replay:?}");
                failures.push(label);
                continue;
            }
            let name = format!("{}-{}", r.name, c.tag);
            write(root, c.target, &name, &r.seed)?;
            // The ECDHE messages for the codec targets: hellos with supported_groups and
            // ec_point_formats, the named-curve ServerKeyExchange, the ClientKeyExchange
            // point, the ecdsa_sign CertificateRequest, the client-authentication flight.
            let base = format!(
                "peer-{}-{}-ecdhe-{}",
                c.case.peer,
                version_name(r.version),
                c.tag
            );
            let client_auth = c.tag == "client-auth";
            let codec = codec_seeds_of(root, &base, c.case.side, &r, [true, true, client_auth])?;
            seeds += 1 + codec;
            println!(
                "ok   {}/{name} ({} bytes; replay: {} bytes of application data) + {codec} codec seeds",
                c.target,
                r.seed.len(),
                replay.app_data.len()
            );
        }
        println!("{seeds} ECC seeds written under {}", root.display());
        if failures.is_empty() {
            Ok(())
        } else {
            Err(format!("{} ECC recordings failed", failures.len()))
        }
    }
}

#[cfg(test)]
mod filter_tests {
    use super::{case_label, selected};

    #[test]
    fn file_names_are_not_part_of_the_label() {
        let argv: Vec<String> = [
            "openssl",
            "s_client",
            "-tls1_2",
            "-CAfile",
            "/work/wt/hygiene/testkeys/rsa2048/ca.pem",
        ]
        .map(String::from)
        .to_vec();
        let label = case_label(&["client_session", "openssl", "-resumed"], &argv);
        assert_eq!(
            label,
            "client_session openssl -resumed openssl s_client -tls1_2 -CAfile"
        );
        let filters = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(selected(&filters(&["tls1_2"]), &label));
        assert!(selected(&filters(&["resumed"]), &label));
        assert!(!selected(&filters(&["hygiene"]), &label));
        assert!(!selected(&filters(&["rsa2048"]), &label));
        assert!(selected(&[], &label));
    }
}
