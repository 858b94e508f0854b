//! `matrix-dtls-client`: a DTLS 1.2 (RFC 6347) and DTLS 1.0 client over UDP, in the
//! spirit of MatrixSSL's DTLS client app and `openssl s_client -dtls`: it offers DTLS 1.2
//! and accepts DTLS 1.0 unless `--min-version`/`--max-version` (`dtls1.0`, `dtls1.2`) say
//! otherwise. It sends its ClientHello, answers the
//! server's HelloVerifyRequest, runs the handshake with its own retransmission timer, then
//! the mode (an HTTP-like GET, an echo of `--message`, or raw standard input/output); with
//! `--reconnect N` it connects N more times from new ports, offering the session for
//! resumption, and says whether each was resumed. As `matrix-client` it asks for an
//! RFC 5077 session ticket unless `--no-ticket` (and resumes from it), and re-handshakes
//! with `--rehandshake-after`.

use std::io::Write;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Parser;
use matrix_dtls::DtlsContext;
use matrix_ssl::{HelloExtensions, Keys, SessionId};

use crate::client::{ClientArgs, sni};
use crate::dtls_link::Link;
use crate::dtls_opts::DtlsCommon;
use crate::dtls_stdin::Stdin;
use crate::errors::{AppError, EXIT_CODES_HELP, EXIT_OK, EXIT_PROTOCOL, words};
use crate::keyfiles;
use crate::opts::Mode;
use crate::verify;

const WHO: &str = "matrix-dtls-client";

/// The command line of `matrix-dtls-client`: `matrix-client`'s, and the DTLS flags.
#[derive(Parser, Debug)]
#[command(
    name = "matrix-dtls-client",
    version,
    about = "A matrix DTLS 1.2 and 1.0 client over UDP (like openssl s_client -dtls).",
    after_help = EXIT_CODES_HELP
)]
pub struct DtlsClientArgs {
    /// The flags of `matrix-client`.
    #[command(flatten)]
    pub tcp: ClientArgs,
    /// The flags only a datagram transport has.
    #[command(flatten)]
    pub dtls: DtlsCommon,
}

/// Everything one connection needs.
struct Setup {
    ctx: DtlsContext,
    keys: Arc<Keys>,
    ext: Option<HelloExtensions>,
    server: SocketAddr,
}

fn resolve(connect: &str) -> Result<SocketAddr, AppError> {
    connect
        .to_socket_addrs()
        .map_err(|e| AppError::usage(format!("--connect {connect} (HOST:PORT): {e}")))?
        .next()
        .ok_or_else(|| AppError::usage(format!("--connect {connect} (HOST:PORT): no address")))
}

/// One connection; returns the session to resume next.
fn once(
    args: &DtlsClientArgs,
    s: &Setup,
    resume: Option<&SessionId>,
) -> Result<Option<SessionId>, AppError> {
    let local: SocketAddr = if s.server.is_ipv4() {
        ([0, 0, 0, 0], 0).into()
    } else {
        ([0u16; 8], 0).into()
    };
    let sock = UdpSocket::bind(local).map_err(|e| AppError::protocol(format!("socket: {e}")))?;
    // One --cipher: nominate it; several: the others are disabled in the context.
    let suite = match args.tcp.common.ciphers.as_slice() {
        [one] => *one,
        _ => 0,
    };
    let rejected: Arc<Mutex<Option<String>>> = Arc::default();
    let host = (!args.tcp.insecure)
        .then(|| verify::expected_host(&args.tcp.connect, args.tcp.server_name.as_deref()));
    let sess = s
        .ctx
        .new_client_session(
            Arc::clone(&s.keys),
            resume,
            suite,
            Some(verify::server_validator(&rejected, host)),
            s.ext.as_ref(),
        )
        .map_err(|e| AppError::usage(format!("new session: {}", words(e))))?;
    let mut link = Link::new(
        sock,
        s.server,
        sess,
        &args.dtls,
        args.tcp.common.trace,
        WHO,
        rejected,
    );
    link.set_rehandshake(args.tcp.common.rehandshake());
    link.pump(|l| l.is_complete() || l.is_closed())?;
    if !link.is_complete() {
        return Err(AppError::protocol(
            "the server closed the connection during the handshake",
        ));
    }
    let quiet = args.tcp.common.quiet;
    if !quiet {
        eprintln!("{WHO}: {}: {}", s.server, link.summary());
    }
    let id = link.session().session_id();
    if let Some(t) = id.as_ref().filter(|t| !t.ticket().is_empty())
        && !quiet
    {
        eprintln!(
            "{WHO}: session ticket of {} bytes (lifetime hint {} s)",
            t.ticket().len(),
            t.ticket_lifetime_hint()
        );
    }
    let mut out = std::io::stdout();
    match args.tcp.common.mode {
        Mode::Http => {
            let request = format!("GET {} HTTP/1.0\r\n\r\n", args.tcp.path);
            link.send(request.as_bytes())?;
            // The server closes after its answer.
            link.pump(Link::peer_closed)?;
            if link.received().is_empty() {
                return Err(AppError::protocol(
                    "the server closed the connection without an answer",
                ));
            }
            let _ = out.write_all(link.received());
        }
        Mode::Echo => {
            let want = args.tcp.message.as_bytes();
            let echoed = |l: &Link| l.received().windows(want.len().max(1)).any(|w| w == want);
            for _ in 0..args.tcp.repeat {
                link.send(format!("{}\n", args.tcp.message).as_bytes())?;
                link.pump(|l| l.peer_closed() || echoed(l))?;
                if !echoed(&link) {
                    return Err(AppError::protocol("the message did not come back"));
                }
                let _ = out.write_all(&link.take_received());
            }
        }
        Mode::Raw => raw(&mut link, &mut out)?,
    }
    let _ = out.flush();
    crate::conn::report_rehandshake_kinds(WHO, link.rehandshakes(), quiet);
    // close_notify, so that the server keeps the session for resumption.
    link.close();
    Ok(id)
}

/// Standard input to the server, the server to standard output, until either ends.
fn raw(link: &mut Link, out: &mut impl Write) -> Result<(), AppError> {
    link.wait_forever();
    let stdin = Stdin::spawn();
    loop {
        match stdin.next() {
            Some(chunk) if chunk.is_empty() => return Ok(()),
            Some(chunk) => link.send(&chunk)?,
            None => {}
        }
        let data = link.take_received();
        out.write_all(&data)
            .and_then(|()| out.flush())
            .map_err(|e| AppError::protocol(format!("standard output: {e}")))?;
        if link.peer_closed() {
            return Ok(());
        }
        link.poll(Duration::from_millis(50))?;
    }
}

/// Runs the client; returns the exit code.
pub fn run(args: &DtlsClientArgs) -> Result<u8, AppError> {
    let common = &args.tcp.common;
    if common.mode == Mode::Raw && args.tcp.reconnect > 0 {
        return Err(AppError::usage("--reconnect does not go with --mode raw"));
    }
    // The flags are checked before the key files are read.
    let ctx = args.dtls.context(&args.tcp.common)?;
    let setup = Setup {
        keys: keyfiles::client_keys(
            &keyfiles::KeyArgs {
                program: WHO,
                ..common.key_args()
            },
            common.quiet,
        )?,
        ctx,
        ext: args.tcp.server_name.as_deref().map(sni).transpose()?,
        server: resolve(&args.tcp.connect)?,
    };
    let first = once(args, &setup, None)?;
    let mut code = EXIT_OK;
    for i in 1..=args.tcp.reconnect {
        let Some(id) = first.as_ref() else {
            eprintln!("{WHO}: the server gave no session id and no ticket: nothing to resume");
            return Ok(EXIT_PROTOCOL);
        };
        let resume = (!args.tcp.new).then_some(id);
        if let Err(e) = once(args, &setup, resume) {
            eprintln!("{WHO}: reconnection {i}: {e}");
            code = EXIT_PROTOCOL;
        }
    }
    Ok(code)
}
