//! `matrix-dtls-server`: a DTLS 1.2 (RFC 6347) and DTLS 1.0 server on a UDP port, in the
//! spirit of MatrixSSL's DTLS server app and `openssl s_server -dtls`: it answers each
//! client with the newest version both speak, within `--min-version`/`--max-version`
//! (`dtls1.0`, `dtls1.2`). One socket serves every client: a
//! datagram from a new address starts a session for it (which answers with a stateless
//! HelloVerifyRequest until the client returns the cookie, RFC 4347 section 4.2.1), and
//! each session runs its own retransmission timer. After the handshake (full, or resumed
//! from the context's session cache) comes the mode: an HTTP-like page naming the
//! negotiated suite, an echo, or raw standard input/output. As `matrix-server` it issues
//! RFC 5077 session tickets (a key made for the run) unless `--no-ticket`, keeps
//! `--session-cache` sessions, and re-handshakes with `--rehandshake-after`.

use std::collections::HashMap;
use std::io::Write;
use std::net::{SocketAddr, UdpSocket};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Parser;
use matrix_dtls::DtlsContext;
use matrix_ssl::Keys;

use crate::dtls_link::{Link, MAX_DATAGRAM, no_datagram, validator};
use crate::dtls_opts::DtlsCommon;
use crate::dtls_stdin::Stdin;
use crate::errors::{AppError, EXIT_CODES_HELP, EXIT_OK, EXIT_PROTOCOL};
use crate::keyfiles;
use crate::opts::Mode;
use crate::server::ServerArgs;

const WHO: &str = "matrix-dtls-server";

/// The most clients served at once: a datagram from one more new address is dropped
/// (memory stays bounded whatever arrives).
pub const MAX_PEERS: usize = 64;

/// The command line of `matrix-dtls-server`: `matrix-server`'s, and the DTLS flags.
#[derive(Parser, Debug)]
#[command(
    name = "matrix-dtls-server",
    version,
    about = "A matrix DTLS 1.2 and 1.0 server over UDP (like openssl s_server -dtls).",
    after_help = EXIT_CODES_HELP
)]
pub struct DtlsServerArgs {
    /// The flags of `matrix-server`.
    #[command(flatten)]
    pub tcp: ServerArgs,
    /// The flags only a datagram transport has.
    #[command(flatten)]
    pub dtls: DtlsCommon,
}

/// One client.
struct Client {
    link: Link,
    /// The handshake's summary was printed.
    announced: bool,
    /// `--mode http`: the request so far.
    request: Vec<u8>,
}

/// The server's state between datagrams.
struct Server<'a> {
    args: &'a DtlsServerArgs,
    ctx: DtlsContext,
    keys: Arc<Keys>,
    sock: UdpSocket,
    clients: HashMap<SocketAddr, Client>,
    served: usize,
    failed: bool,
}

/// The common name of the client's certificate, when it sent one.
fn client_cn(link: &Link) -> Option<String> {
    let leaf = link.session().peer_certificates()?.certs().first()?;
    let cn = leaf.subject.common_name.as_ref();
    Some(cn.map_or_else(|| "(none)".into(), |n| n.to_text()))
}

/// The HTTP-like page: what was negotiated.
fn page(link: &Link) -> String {
    let body = format!(
        "<html><body><h1>{WHO}</h1>\n<p>{}</p>\n</body></html>\n",
        link.summary()
    );
    format!(
        "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

impl Server<'_> {
    fn quiet(&self) -> bool {
        self.args.tcp.common.quiet
    }

    /// A session for a new address, or `None` when [`MAX_PEERS`] are being served.
    fn admit(&mut self, from: SocketAddr) -> Result<Option<&mut Client>, AppError> {
        if !self.clients.contains_key(&from) {
            if self.clients.len() >= MAX_PEERS {
                return Ok(None);
            }
            let verify = self.args.tcp.verify || self.args.tcp.require_client_cert;
            let rejected: Arc<Mutex<Option<String>>> = Arc::default();
            let cb = verify.then(|| validator(&rejected, false));
            let sess = self
                .ctx
                .new_server_session(Arc::clone(&self.keys), cb, from.to_string().as_bytes())
                .map_err(|e| AppError::protocol(format!("new session: {e}")))?;
            let sock = self
                .sock
                .try_clone()
                .map_err(|e| AppError::protocol(format!("socket: {e}")))?;
            let mut link = Link::new(
                sock,
                from,
                sess,
                &self.args.dtls,
                self.args.tcp.common.trace,
                WHO,
                rejected,
            );
            if self.args.tcp.common.mode == Mode::Raw {
                link.wait_forever();
            }
            link.set_rehandshake(self.args.tcp.common.rehandshake());
            let client = Client {
                link,
                announced: false,
                request: Vec::new(),
            };
            self.clients.insert(from, client);
        }
        Ok(self.clients.get_mut(&from))
    }

    /// What the mode does with a client after an event; `Ok(true)` when it is done.
    fn serve(&mut self, from: SocketAddr) -> Result<bool, AppError> {
        let args = self.args;
        let quiet = self.quiet();
        let Some(c) = self.clients.get_mut(&from) else {
            return Ok(false);
        };
        if !c.link.is_complete() {
            return Ok(c.link.is_closed());
        }
        if !c.announced {
            c.announced = true;
            let cn = client_cn(&c.link);
            if cn.is_none() && args.tcp.require_client_cert {
                c.link.close();
                return Err(AppError::protocol(
                    "the client presented no certificate (--require-client-cert)",
                ));
            }
            if !quiet {
                let cn = cn
                    .map(|n| format!(", client certificate CN={n}"))
                    .unwrap_or_default();
                eprintln!("{WHO}: {from}: {}{cn}", c.link.summary());
            }
        }
        let data = c.link.take_received();
        match args.tcp.common.mode {
            Mode::Echo if !data.is_empty() => c.link.send(&data)?,
            Mode::Http => {
                c.request.extend_from_slice(&data);
                let r = &c.request;
                if r.windows(4).any(|w| w == b"\r\n\r\n") || r.windows(2).any(|w| w == b"\n\n") {
                    let page = page(&c.link);
                    c.link.send(page.as_bytes())?;
                    c.link.close();
                }
            }
            Mode::Raw => {
                let mut out = std::io::stdout();
                out.write_all(&data)
                    .and_then(|()| out.flush())
                    .map_err(|e| AppError::protocol(format!("standard output: {e}")))?;
            }
            Mode::Echo => {}
        }
        Ok(c.link.is_closed())
    }

    /// Ends a client's session: counted, and reported when it failed.
    fn finish(&mut self, from: SocketAddr, result: Result<(), AppError>) {
        let Some(mut c) = self.clients.remove(&from) else {
            return;
        };
        let started = c.link.session().handshake_started();
        match result {
            Ok(()) => {}
            // A client that never returned a cookie, or went quiet after its handshake,
            // is forgotten without a fuss: UDP has no other way to say goodbye.
            Err(_) if !started => return,
            Err(e) if c.link.is_complete() && !c.link.is_closed() => {
                if !self.quiet() {
                    eprintln!("{WHO}: {from}: {e}; session dropped");
                }
            }
            Err(e) => {
                self.failed = true;
                eprintln!("{WHO}: {from}: {e}");
            }
        }
        // Also when the peer went away without closing: the re-handshakes did run.
        crate::conn::report_rehandshake_kinds(WHO, c.link.rehandshakes(), self.quiet());
        c.link.close();
        self.served += 1;
    }

    /// One datagram from `from`.
    fn datagram(&mut self, from: SocketAddr, dg: &[u8]) {
        let result = match self.admit(from) {
            Ok(Some(c)) => c.link.feed(dg),
            Ok(None) => return,
            Err(e) => Err(e),
        };
        self.after(from, result);
    }

    fn after(&mut self, from: SocketAddr, result: Result<(), AppError>) {
        match result.and_then(|()| self.serve(from)) {
            Ok(false) => {}
            Ok(true) => self.finish(from, Ok(())),
            Err(e) => self.finish(from, Err(e)),
        }
    }

    /// Runs the timers that expired.
    fn timers(&mut self) {
        let now = Instant::now();
        let due: Vec<SocketAddr> = self
            .clients
            .iter()
            .filter(|(_, c)| c.link.deadline() <= now)
            .map(|(a, _)| *a)
            .collect();
        for from in due {
            let result = match self.clients.get_mut(&from) {
                Some(c) => c.link.expire(),
                None => continue,
            };
            self.after(from, result);
        }
    }

    /// Raw mode: standard input to the first client whose handshake is complete; its end
    /// closes every session and ends the server.
    fn input(&mut self, stdin: &Stdin) -> bool {
        let Some(chunk) = stdin.next() else {
            return false;
        };
        let target = self
            .clients
            .iter()
            .find(|(_, c)| c.link.is_complete())
            .map(|(a, _)| *a);
        if chunk.is_empty() {
            for c in self.clients.values_mut() {
                c.link.close();
            }
            return true;
        }
        if let Some(from) = target {
            let result = match self.clients.get_mut(&from) {
                Some(c) => c.link.send(&chunk),
                None => Ok(()),
            };
            self.after(from, result);
        }
        false
    }
}

/// Runs the server; returns the exit code.
pub fn run(args: &DtlsServerArgs) -> Result<u8, AppError> {
    let tcp = &args.tcp;
    // The flags are checked before the key files are read and the port is taken.
    args.dtls.context(&tcp.common)?;
    let sock = UdpSocket::bind((tcp.bind.as_str(), tcp.port))
        .map_err(|e| AppError::usage(format!("cannot listen on {}:{}: {e}", tcp.bind, tcp.port)))?;
    let addr = sock
        .local_addr()
        .map_err(|e| AppError::usage(format!("listening socket: {e}")))?;
    eprintln!("{WHO}: listening on {addr} (UDP)");
    serve(args, sock)
}

/// Serves on `sock` (bound already, so that a caller may learn its port first) until
/// `--count` sessions ended; returns the exit code.
pub fn serve(args: &DtlsServerArgs, sock: UdpSocket) -> Result<u8, AppError> {
    let common = &args.tcp.common;
    let verify = args.tcp.verify || args.tcp.require_client_cert;
    let mut config = matrix_ssl::Config::dtls();
    if let Some(n) = args.tcp.session_cache {
        config.session_table_size = n as usize;
    }
    let ctx = args.dtls.context_with(common, config)?;
    if !common.no_ticket {
        crate::server::load_ticket_key(ctx.context())?;
    }
    let key_args = keyfiles::KeyArgs {
        program: WHO,
        ..common.key_args()
    };
    let keys = keyfiles::server_keys(&key_args, verify, common.quiet)?;
    let raw = common.mode == Mode::Raw;
    let count = if raw { 1 } else { args.tcp.count };
    let stdin = raw.then(Stdin::spawn);
    let mut s = Server {
        args,
        ctx,
        keys,
        sock,
        clients: HashMap::new(),
        served: 0,
        failed: false,
    };
    let mut buf = vec![0u8; MAX_DATAGRAM];
    while count == 0 || s.served < count {
        if let Some(input) = &stdin
            && s.input(input)
        {
            break;
        }
        let next_timer = s.clients.values().map(|c| c.link.deadline()).min();
        let mut wait = next_timer
            .map(|d| d.saturating_duration_since(Instant::now()))
            .unwrap_or(Duration::from_secs(1));
        if raw {
            wait = wait.min(Duration::from_millis(50));
        }
        s.sock
            .set_read_timeout(Some(wait.max(Duration::from_millis(1))))
            .map_err(|e| AppError::protocol(format!("socket: {e}")))?;
        match s.sock.recv_from(&mut buf) {
            Ok((n, from)) => s.datagram(from, buf.get(..n).unwrap_or_default()),
            Err(e) if no_datagram(&e) => {}
            Err(e) => return Err(AppError::protocol(format!("receiving: {e}"))),
        }
        s.timers();
    }
    Ok(if s.failed { EXIT_PROTOCOL } else { EXIT_OK })
}
