//! `matrix-server`: a TLS server on a TCP port, in the spirit of MatrixSSL's server app
//! and `openssl s_server`. It serves connections one after another: the handshake (full
//! or resumed from its session cache), then the mode (an HTTP-like page naming the
//! negotiated version and suite, an echo, or raw standard input/output). With
//! `--concurrent N` it serves up to N connections at once, one thread each, sharing the
//! context (and so the session cache): the load test (`cargo xtask load`) runs it that way.

use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};

use clap::Parser;
use matrix_ssl::{CertValidator, Verdict};

use crate::conn::{self, Conn};
use crate::errors::{AppError, EXIT_CODES_HELP, EXIT_OK, EXIT_PROTOCOL, words};
use crate::keyfiles;
use crate::opts::{Common, Mode};

/// The command line of `matrix-server`.
#[derive(Parser, Debug)]
#[command(
    name = "matrix-server",
    version,
    about = "A matrix SSL 3.0 / TLS 1.0 / TLS 1.1 / TLS 1.2 server on 127.0.0.1 (like openssl s_server).",
    after_help = EXIT_CODES_HELP
)]
pub struct ServerArgs {
    /// The TCP port to listen on (0: any free port; the port is printed).
    #[arg(long, default_value_t = 4433)]
    pub port: u16,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Serve this many connections, then exit (0: serve forever; raw mode serves one).
    #[arg(long, default_value_t = 0)]
    pub count: usize,
    /// Client authentication: ask for a client certificate and verify it against the CAs
    /// of `--ca` (default: the built-in test CA). A client without a certificate fails the
    /// handshake (handshake_failure).
    #[arg(long)]
    pub verify: bool,
    /// Like `--verify`, and also end a connection whose client presented no certificate
    /// (in builds that let such a handshake continue).
    #[arg(long = "require-client-cert")]
    pub require_client_cert: bool,
    /// Serve up to this many connections at once, each on its own thread (1: one after
    /// another; raw mode always serves one). Further connections wait in the listen queue.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    pub concurrent: u16,
    /// How many sessions the cache keeps for resumption (`SSL_SESSION_TABLE_SIZE`;
    /// default 32; 0: no cache, so that only session tickets resume).
    #[arg(long = "session-cache", value_name = "N", value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
    pub session_cache: Option<u32>,
    /// The flags both programs share.
    #[command(flatten)]
    pub common: Common,
}

/// Serves one accepted connection.
fn serve(
    st: &mut Conn,
    tcp: &std::net::TcpStream,
    args: &ServerArgs,
    peer: &str,
    rejected: &Mutex<Option<String>>,
) -> Result<(), AppError> {
    conn::handshake(st).map_err(|e| match rejected.lock().ok().and_then(|r| r.clone()) {
        Some(why) => AppError::protocol(format!(
            "handshake failed: the client's certificate does not verify against the trusted \
             CAs ({why})"
        )),
        None => e,
    })?;
    let sni = st
        .session()
        .server_name()
        .map(|n| format!(", server name {}", String::from_utf8_lossy(n)))
        .unwrap_or_default();
    let client = match conn::peer_name(st.session()) {
        Some(cn) => format!(", client certificate CN={cn}"),
        None if args.require_client_cert => {
            let _ = st.shutdown();
            return Err(AppError::protocol(
                "the client presented no certificate (--require-client-cert)",
            ));
        }
        None => String::new(),
    };
    if !args.common.quiet {
        eprintln!(
            "matrix-server: {peer}: {}{sni}{client}",
            conn::summary(st.session())
        );
    }
    let result = match args.common.mode {
        Mode::Http => {
            // The request ends with an empty line (or the client stops sending).
            conn::read_until(st, 16 * 1024, |d| {
                d.windows(4).any(|w| w == b"\r\n\r\n") || d.windows(2).any(|w| w == b"\n\n")
            })
            .and_then(|req| conn::answer(st, &req))
        }
        Mode::Echo => conn::echo_back(st),
        Mode::Raw => conn::raw(st, tcp),
    };
    // Also when the peer went away without closing: the re-handshakes did run.
    conn::report_rehandshakes("matrix-server", st, args.common.quiet);
    result?;
    let _ = st.shutdown();
    Ok(())
}

/// The certificate callback of `--verify`: the library's verdict on the client's chain,
/// remembered in `rejected` so that the error can say why.
fn client_validator(rejected: &Arc<Mutex<Option<String>>>) -> CertValidator {
    let seen = Arc::clone(rejected);
    Box::new(move |_, _, alert| match alert {
        None => Verdict::Continue,
        Some(a) => {
            if let Ok(mut s) = seen.lock() {
                *s = Some(format!("{a:?}"));
            }
            Verdict::Alert(a)
        }
    })
}

/// Runs the server; returns the exit code.
pub fn run(args: &ServerArgs) -> Result<u8, AppError> {
    let verify = args.verify || args.require_client_cert;
    let keys = keyfiles::server_keys(&args.common.key_args(), verify, args.common.quiet)?;
    let mut config = matrix_ssl::Config::default();
    if let Some(n) = args.session_cache {
        config.session_table_size = n as usize;
    }
    let ctx = args.common.context_with(config)?;
    if !args.common.no_ticket {
        load_ticket_key(&ctx)?;
    }
    let listener = TcpListener::bind((args.bind.as_str(), args.port)).map_err(|e| {
        AppError::usage(format!("cannot listen on {}:{}: {e}", args.bind, args.port))
    })?;
    let addr = listener
        .local_addr()
        .map_err(|e| AppError::usage(format!("listening socket: {e}")))?;
    eprintln!("matrix-server: listening on {addr}");
    let count = if args.common.mode == Mode::Raw {
        1
    } else {
        args.count
    };
    let failed = AtomicBool::new(false);
    let one = |tcp: std::net::TcpStream, peer: String| {
        let result = (|| {
            let handle = tcp
                .try_clone()
                .map_err(|e| AppError::protocol(format!("socket: {e}")))?;
            let io = conn::transport(tcp, args.common.trace)
                .map_err(|e| AppError::protocol(format!("socket: {e}")))?;
            let rejected: Arc<Mutex<Option<String>>> = Arc::default();
            let validator = verify.then(|| client_validator(&rejected));
            let session = ctx
                .new_server_session(Arc::clone(&keys), validator)
                .map_err(|e| AppError::protocol(format!("new session: {e}")))?;
            let mut st = Conn::new(session, io, args.common.trace);
            if let Ok(tcp) = handle.try_clone() {
                st.set_linger_socket(tcp);
            }
            st.set_rehandshake(args.common.rehandshake());
            serve(&mut st, &handle, args, &peer, &rejected)
        })();
        if let Err(e) = result {
            failed.store(true, Ordering::Relaxed);
            eprintln!("matrix-server: {peer}: {e}");
        }
    };
    // Connections being served now: the accept loop waits while `--concurrent` are.
    let slots = (Mutex::new(0usize), Condvar::new());
    let release = || {
        let (busy, freed) = &slots;
        *busy.lock().unwrap_or_else(|p| p.into_inner()) -= 1;
        freed.notify_one();
    };
    let mut served = 0usize;
    std::thread::scope(|scope| {
        for tcp in listener.incoming() {
            let tcp = match tcp {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("matrix-server: accept: {e}");
                    continue;
                }
            };
            let peer = tcp
                .peer_addr()
                .map(|a| a.to_string())
                .unwrap_or_else(|_| "?".into());
            if args.concurrent == 1 || args.common.mode == Mode::Raw {
                one(tcp, peer);
            } else {
                let (busy, freed) = &slots;
                let mut n = busy.lock().unwrap_or_else(|p| p.into_inner());
                while *n >= usize::from(args.concurrent) {
                    n = freed.wait(n).unwrap_or_else(|p| p.into_inner());
                }
                *n += 1;
                drop(n);
                let (one, release) = (&one, &release);
                let spawned = std::thread::Builder::new().spawn_scoped(scope, move || {
                    one(tcp, peer);
                    release();
                });
                // Out of threads: this connection is dropped (closed), the server goes on.
                if let Err(e) = spawned {
                    failed.store(true, Ordering::Relaxed);
                    eprintln!("matrix-server: cannot start a connection thread: {e}");
                    release();
                }
            }
            served += 1;
            if count != 0 && served >= count {
                break;
            }
        }
    });
    Ok(if failed.load(Ordering::Relaxed) {
        EXIT_PROTOCOL
    } else {
        EXIT_OK
    })
}

/// Loads one random RFC 5077 ticket key (name, AES-256 key, HMAC key) for this run: the
/// server issues tickets that only this process can open.
pub(crate) fn load_ticket_key(ctx: &matrix_ssl::Context) -> Result<(), AppError> {
    use matrix_core::osdep::Entropy;
    let mut material = zeroize::Zeroizing::new([0u8; 16 + 32 + 32]);
    matrix_core::osdep::OsEntropy
        .get_entropy(&mut material[..])
        .map_err(|e| AppError::usage(format!("ticket key: {}", words(e))))?;
    let (name, keys) = material.split_at(16);
    let name: [u8; 16] = name.try_into().unwrap_or_default();
    ctx.load_session_ticket_keys(&name, &keys[..32], &keys[32..])
        .map_err(|e| AppError::usage(format!("ticket key: {}", words(e))))
}
