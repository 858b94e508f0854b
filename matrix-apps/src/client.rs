//! `matrix-client`: a TLS client over TCP, in the spirit of MatrixSSL's client app and
//! `openssl s_client`. It connects, runs the handshake, then the mode (an HTTP-like GET,
//! an echo of `--message`, or raw standard input/output); with `--reconnect N` it
//! connects N more times offering the session for resumption and says whether each was
//! resumed.

use std::io::Write;
use std::net::TcpStream;
use std::sync::{Arc, Mutex};

use clap::Parser;
use matrix_ssl::{Context, HelloExtensions, Keys, SessionId};

use crate::conn::{self, Conn};
use crate::errors::{AppError, EXIT_CODES_HELP, EXIT_OK, EXIT_PROTOCOL, words};
use crate::keyfiles;
use crate::opts::{Common, Mode};
use crate::verify;

/// The command line of `matrix-client`.
#[derive(Parser, Debug)]
#[command(
    name = "matrix-client",
    version,
    about = "A matrix SSL 3.0 / TLS 1.0 / TLS 1.1 / TLS 1.2 client (like openssl s_client).",
    after_help = EXIT_CODES_HELP
)]
pub struct ClientArgs {
    /// The server's address.
    #[arg(long, default_value = "127.0.0.1:4433", value_name = "HOST:PORT", value_parser = crate::names::parse_host_port)]
    pub connect: String,
    /// The server name to send (SNI, RFC 6066) and to find in the server's certificate
    /// (else the host of --connect is).
    #[arg(long = "server-name", value_name = "NAME")]
    pub server_name: Option<String>,
    /// Connect this many more times, resuming the first session.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub reconnect: usize,
    /// With `--reconnect`: full handshakes each time instead of resumptions (like
    /// `openssl s_time -new`).
    #[arg(long, requires = "reconnect")]
    pub new: bool,
    /// The path `--mode http` asks for (`matrix-server` answers `/bytes/N` with N bytes).
    #[arg(long, default_value = "/", value_name = "PATH")]
    pub path: String,
    /// The line `--mode echo` sends.
    #[arg(long, default_value = "hello from matrix-client")]
    pub message: String,
    /// `--mode echo`: send the line this many times, each after the previous echo.
    #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub repeat: u32,
    /// Check nothing of the server's certificate (chain, dates, name): test setups only.
    #[arg(long)]
    pub insecure: bool,
    /// The flags both programs share.
    #[command(flatten)]
    pub common: Common,
}

/// The server_name extension's data for `name`.
pub fn sni(name: &str) -> Result<HelloExtensions, AppError> {
    let n = name.as_bytes();
    let len = u16::try_from(n.len())
        .ok()
        .filter(|l| *l < 0xff00)
        .ok_or_else(|| AppError::usage("--server-name is too long"))?;
    let mut data = Vec::with_capacity(n.len() + 5);
    data.extend_from_slice(&(len + 3).to_be_bytes());
    data.push(0); // host_name
    data.extend_from_slice(&len.to_be_bytes());
    data.extend_from_slice(n);
    let mut ext = HelloExtensions::new();
    ext.load(0, &data)
        .map_err(|e| AppError::usage(format!("--server-name: {}", words(e))))?;
    Ok(ext)
}

/// One connection; returns the session to resume next.
fn once(
    args: &ClientArgs,
    ctx: &Context,
    keys: &Arc<Keys>,
    resume: Option<&SessionId>,
    ext: Option<&HelloExtensions>,
) -> Result<Option<SessionId>, AppError> {
    let tcp = TcpStream::connect(&args.connect).map_err(|e| {
        AppError::protocol(format!(
            "cannot connect to {} (HOST:PORT): {e}",
            args.connect
        ))
    })?;
    let handle = tcp
        .try_clone()
        .map_err(|e| AppError::protocol(format!("socket: {e}")))?;
    let io = conn::transport(tcp, args.common.trace)
        .map_err(|e| AppError::protocol(format!("socket: {e}")))?;
    // One --cipher: nominate it; several: the others are disabled in the context.
    let suite = match args.common.ciphers.as_slice() {
        [one] => *one,
        _ => 0,
    };
    // The validator remembers why it refused the chain, so that the error can say it (the
    // handshake itself only reports that we sent a fatal alert).
    let rejected: Arc<Mutex<Option<String>>> = Arc::default();
    let host =
        (!args.insecure).then(|| verify::expected_host(&args.connect, args.server_name.as_deref()));
    let validator = verify::server_validator(&rejected, host);
    let session = ctx
        .new_client_session(Arc::clone(keys), resume, suite, Some(validator), ext)
        .map_err(|e| AppError::usage(format!("new session: {}", words(e))))?;
    let mut st = Conn::new(session, io, args.common.trace);
    if let Ok(tcp) = handle.try_clone() {
        st.set_linger_socket(tcp);
    }
    st.set_rehandshake(args.common.rehandshake());
    conn::handshake(&mut st).map_err(|e| match rejected.lock().ok().and_then(|r| r.clone()) {
        Some(why) => AppError::protocol(format!(
            "handshake failed: the server's certificate was refused: {why} (--ca names the \
             trusted CA, --server-name the expected name; --insecure turns the checks off in \
             a test setup)"
        )),
        None => e,
    })?;
    if !args.common.quiet {
        eprintln!(
            "matrix-client: {}: {}",
            args.connect,
            conn::summary(st.session())
        );
    }
    let id = st.session().session_id();
    if let Some(t) = id.as_ref().filter(|t| !t.ticket().is_empty())
        && !args.common.quiet
    {
        eprintln!(
            "matrix-client: session ticket of {} bytes (lifetime hint {} s)",
            t.ticket().len(),
            t.ticket_lifetime_hint()
        );
    }
    let mut out = std::io::stdout();
    match args.common.mode {
        Mode::Http => {
            let req = format!("GET {} HTTP/1.0\r\n\r\n", args.path);
            std::io::Write::write_all(&mut st, req.as_bytes())
                .map_err(|e| AppError::protocol(format!("sending the request: {e}")))?;
            if conn::copy_to(&mut st, &mut out)? == 0 {
                return Err(AppError::protocol(
                    "the server closed the connection without an answer",
                ));
            }
        }
        Mode::Echo => {
            let line = format!("{}\n", args.message);
            for _ in 0..args.repeat {
                std::io::Write::write_all(&mut st, line.as_bytes())
                    .map_err(|e| AppError::protocol(format!("sending: {e}")))?;
                let back = conn::read_until(&mut st, 1 << 16, |d| d.contains(&b'\n'))?;
                let _ = out.write_all(&back);
                if !back
                    .windows(args.message.len().max(1))
                    .any(|w| w == args.message.as_bytes())
                {
                    return Err(AppError::protocol("the message did not come back"));
                }
            }
        }
        Mode::Raw => conn::raw(&mut st, &handle)?,
    }
    let _ = out.flush();
    conn::report_rehandshakes("matrix-client", &st, args.common.quiet);
    // close_notify, so that the server keeps the session for resumption.
    let _ = st.shutdown();
    Ok(id)
}

/// Runs the client; returns the exit code.
pub fn run(args: &ClientArgs) -> Result<u8, AppError> {
    if args.common.mode == Mode::Raw && args.reconnect > 0 {
        return Err(AppError::usage("--reconnect does not go with --mode raw"));
    }
    let keys = keyfiles::client_keys(&args.common.key_args(), args.common.quiet)?;
    let ctx = args.common.context()?;
    let ext = args.server_name.as_deref().map(sni).transpose()?;
    let first = once(args, &ctx, &keys, None, ext.as_ref())?;
    let mut code = EXIT_OK;
    for i in 1..=args.reconnect {
        let Some(id) = first.as_ref() else {
            eprintln!(
                "matrix-client: the server gave no session id and no ticket: nothing to resume"
            );
            return Ok(EXIT_PROTOCOL);
        };
        let offer = (!args.new).then_some(id);
        match once(args, &ctx, &keys, offer, ext.as_ref()) {
            Ok(_) => {}
            Err(e) => {
                eprintln!("matrix-client: reconnection {i}: {e}");
                code = EXIT_PROTOCOL;
            }
        }
    }
    Ok(code)
}
