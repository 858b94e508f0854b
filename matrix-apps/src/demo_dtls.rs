//! The DTLS rows of `matrix-demo`: a `matrix-dtls-server` (echo mode, the built-in
//! rsa2048 identity, in a build with ECDHE suites the ec-p256 one beside it (`--ec-cert`,
//! `--ec-key`), and a demo PSK, DTLS 1.0 and 1.2) on an ephemeral UDP port of
//! 127.0.0.1 in a thread, and per compiled-in DTLS version (DTLS 1.0; DTLS 1.2 with
//! `tls-1-2`) and per suite that version allows (RFC 4347 and RFC 6347 section 4.1.2.2:
//! every suite but RC4's; the GCM and SHA-256/384 suites in DTLS 1.2 only) a full handshake
//! and a resumption of its session from a client speaking only that version, each followed
//! by an echoed message checked byte for byte. Without the `dtls` feature there are no
//! rows.

use crate::demo::Row;

/// The rows, numbered on from `done` of `total` for `progress`.
#[cfg(all(feature = "apps", feature = "dtls"))]
pub fn run(
    done: usize,
    total: usize,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<Vec<Row>, String> {
    imp::run(done, total, progress)
}

/// How many rows [`run`] makes.
#[cfg(all(feature = "apps", feature = "dtls"))]
pub fn count() -> usize {
    imp::plan().len() * 2
}

/// No rows without DTLS.
#[cfg(not(all(feature = "apps", feature = "dtls")))]
pub fn run(_: usize, _: usize, _: &mut dyn FnMut(usize, usize)) -> Result<Vec<Row>, String> {
    Ok(Vec::new())
}

/// No rows without DTLS.
#[cfg(not(all(feature = "apps", feature = "dtls")))]
pub fn count() -> usize {
    0
}

#[cfg(all(feature = "apps", feature = "dtls"))]
mod imp {
    use std::net::{SocketAddr, UdpSocket};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use clap::Parser;
    use matrix_dtls::DtlsContext;
    use matrix_ssl::suites::{SUITES, SuiteInfo};
    use matrix_ssl::{Config, Keys, ProtocolVersion, SessionId};

    use crate::demo::{Outcome, Row};
    use crate::demo_tls12::KeyFiles;
    use crate::dtls_link::Link;
    use crate::dtls_opts::DtlsCommon;
    use crate::dtls_server::{DtlsServerArgs, serve};
    use crate::keyfiles::{KeyArgs, client_keys};
    use crate::names::version_name;
    use crate::opts::parse_psk_hex;

    /// The demo's PSK (public test material, like the keys).
    const PSK_ID: &str = "matrix-demo-dtls";
    const PSK_HEX: &str = "6d61747269782d64656d6f2d64746c732d707368";
    /// The echoed message, as long as the TCP rows' answer (12 datagrams each way at the
    /// default PMTU).
    const MESSAGE_LEN: usize = crate::demo::ANSWER_LEN;

    /// The compiled-in DTLS versions (oldest first), each with the compiled-in suites it
    /// allows.
    pub fn plan() -> Vec<(ProtocolVersion, &'static SuiteInfo)> {
        let versions = matrix_ssl::open(Config::dtls())
            .map(|c| c.versions().to_vec())
            .unwrap_or_default();
        versions
            .into_iter()
            .flat_map(|v| {
                SUITES
                    .iter()
                    .filter(move |s| s.allowed_in(v))
                    .map(move |s| (v, s))
            })
            .collect()
    }

    /// A client context speaking only `v`.
    fn client_context(v: ProtocolVersion) -> Result<DtlsContext, String> {
        let mut config = Config::dtls();
        config.min_version = v;
        config.max_version = v;
        config.keep_peer_certificates = true;
        matrix_dtls::open(config).map_err(|e| format!("open: {e}"))
    }

    /// The server's flags: with an ECDHE suite compiled in, the ec-p256 identity of
    /// `files` beside the built-in RSA one (its ECDHE_ECDSA suites sign with it).
    fn server_args(files: &KeyFiles) -> Result<DtlsServerArgs, String> {
        let mut argv = vec![
            "matrix-dtls-server".to_string(),
            "--quiet".into(),
            "--mode".into(),
            "echo".into(),
            "--psk".into(),
            PSK_HEX.into(),
            "--psk-identity".into(),
            PSK_ID.into(),
        ];
        if SUITES.iter().any(|s| s.kx.is_ecdhe()) {
            argv.extend([
                "--ec-cert".into(),
                format!(
                    "{};{}",
                    files.arg("ec-server.pem"),
                    files.arg("ec-intermediate.pem")
                ),
                "--ec-key".into(),
                files.arg("ec-server.key"),
            ]);
        }
        DtlsServerArgs::try_parse_from(argv).map_err(|e| e.to_string())
    }

    /// Starts the server thread; returns its address. `files` must live until the server
    /// has read them (the caller keeps them for the whole run).
    fn start_server(files: &KeyFiles) -> Result<SocketAddr, String> {
        let args = server_args(files)?;
        let sock = UdpSocket::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
        let addr = sock
            .local_addr()
            .map_err(|e| format!("local address: {e}"))?;
        std::thread::spawn(move || serve(&args, sock));
        Ok(addr)
    }

    /// The deterministic message: byte i is `i * 13 + 5` (mod 256).
    fn message() -> Vec<u8> {
        (0..MESSAGE_LEN).map(|i| (i * 13 + 5) as u8).collect()
    }

    /// What one connection gave: its handshake time, wire bytes and session.
    struct Done {
        took: Duration,
        bytes: usize,
        id: Option<SessionId>,
        resumed: bool,
    }

    /// One connection: handshake (resuming `resume` if given), the echo, close_notify.
    fn connect_once(
        server: SocketAddr,
        ctx: &DtlsContext,
        keys: &Arc<Keys>,
        suite: &SuiteInfo,
        resume: Option<&SessionId>,
    ) -> Result<Done, String> {
        let opts = DtlsCommon {
            pmtu: None,
            timeout: 500,
            retries: 5,
        };
        let sock = UdpSocket::bind("127.0.0.1:0").map_err(|e| format!("bind: {e}"))?;
        let sess = ctx
            .new_client_session(Arc::clone(keys), resume, suite.suite.get(), None, None)
            .map_err(|e| format!("new_client_session: {e}"))?;
        let start = Instant::now();
        let mut link = Link::new(
            sock,
            server,
            sess,
            &opts,
            false,
            "matrix-demo",
            Arc::default(),
        );
        link.pump(|l| l.is_complete() || l.is_closed())
            .map_err(|e| e.message)?;
        let took = start.elapsed();
        let s = link.session();
        let version = ctx.context().versions();
        if !link.is_complete()
            || s.cipher_suite() != Some(suite.suite)
            || version != [s.protocol_version()]
        {
            return Err(format!(
                "negotiated {} {:?}",
                version_name(s.protocol_version()),
                s.cipher_suite()
            ));
        }
        let (id, resumed) = (s.session_id(), s.is_resumed());
        let msg = message();
        link.send(&msg).map_err(|e| e.message)?;
        link.pump(|l| l.received().len() >= msg.len() || l.is_closed())
            .map_err(|e| e.message)?;
        if link.received() != msg.as_slice() {
            return Err("the echo arrived corrupted or incomplete".into());
        }
        link.close();
        Ok(Done {
            took,
            bytes: link.wire_bytes(),
            id,
            resumed,
        })
    }

    fn row(
        version: ProtocolVersion,
        suite: &SuiteInfo,
        kind: &'static str,
        r: &Result<Done, String>,
    ) -> Row {
        let (outcome, handshake, wire_bytes) = match r {
            Ok(d) if kind == "resumed" && !d.resumed => (
                Outcome::Fail("the server did not resume the session".into()),
                Some(d.took),
                d.bytes,
            ),
            Ok(d) => (Outcome::Pass, Some(d.took), d.bytes),
            Err(e) => (Outcome::Fail(e.clone()), None, 0),
        };
        Row {
            version: version_name(version),
            suite: suite.name.to_string(),
            kind,
            outcome,
            handshake,
            wire_bytes,
        }
    }

    /// The rows, numbered on from `done` of `total` for `progress`.
    pub fn run(
        done: usize,
        total: usize,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<Vec<Row>, String> {
        let files = KeyFiles::write()?;
        let server = start_server(&files)?;
        let psk = parse_psk_hex(PSK_HEX)?;
        let key_args = KeyArgs {
            psk: Some((PSK_ID.to_string(), psk)),
            ..KeyArgs::default()
        };
        let keys = client_keys(&key_args, true).map_err(|e| e.message)?;
        let mut rows = Vec::new();
        let mut ctx: Option<DtlsContext> = None;
        for (version, suite) in plan() {
            let ctx = match ctx.take() {
                Some(c) if c.context().versions() == [version] => ctx.insert(c),
                _ => ctx.insert(client_context(version)?),
            };
            let full = connect_once(server, ctx, &keys, suite, None);
            rows.push(row(version, suite, "full", &full));
            progress(done + rows.len(), total);
            let resumed = match full.as_ref().map(|d| d.id.as_ref()) {
                Ok(Some(id)) => connect_once(server, ctx, &keys, suite, Some(id)),
                _ => Err("the full handshake left no session to resume".into()),
            };
            rows.push(row(version, suite, "resumed", &resumed));
            progress(done + rows.len(), total);
        }
        Ok(rows)
    }
}
