//! One connection after the handshake: the summary line and the three modes (HTTP-like,
//! echo, raw), over a [`Conn`] on a TCP socket, traced or not.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::sync::mpsc::{TryRecvError, channel};
use std::time::Duration;

use matrix_ssl::Session;

use crate::errors::{AppError, io_words};
use crate::names::{suite_name, version_name};
use crate::trace::Traced;

/// How long a peer may stay silent during a handshake or an exchange.
pub const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// The transport; tracing prints only when `trace` is set.
pub fn transport(tcp: TcpStream, trace: bool) -> io::Result<Box<dyn ReadWrite>> {
    tcp.set_read_timeout(Some(IO_TIMEOUT))?;
    tcp.set_write_timeout(Some(IO_TIMEOUT))?;
    // Each flight and each record goes out in one write already; without this, Nagle
    // holds a request written right after our Finished until the peer's delayed ACK
    // (40 ms per resumed connection).
    tcp.set_nodelay(true)?;
    Ok(if trace {
        Box::new(Traced::new(tcp))
    } else {
        Box::new(tcp)
    })
}

/// `Read + Write` as one object type.
pub trait ReadWrite: Read + Write + Send {}
impl<T: Read + Write + Send> ReadWrite for T {}

pub use crate::driver::Conn;

/// One line describing the negotiated session.
pub fn summary(s: &Session) -> String {
    let suite = s
        .cipher_suite()
        .map(|c| suite_name(c.get()))
        .unwrap_or_else(|| "-".into());
    let kind = if s.is_resumed() {
        "resumed"
    } else {
        "full handshake"
    };
    format!("{} {suite} ({kind})", version_name(s.protocol_version()))
}

/// The common name of the peer's certificate, when it sent one.
pub fn peer_name(s: &Session) -> Option<String> {
    let leaf = s.peer_certificates()?.certs().first()?;
    Some(
        leaf.subject
            .common_name
            .as_ref()
            .map(|n| n.to_text())
            .unwrap_or_else(|| "(none)".into()),
    )
}

/// Says how many re-handshakes ran (`--rehandshake-after`), each resumed or full.
pub fn report_rehandshakes(who: &str, st: &Conn, quiet: bool) {
    report_rehandshake_kinds(who, st.rehandshakes(), quiet);
}

/// Says how many re-handshakes ran, each resumed (`true`) or full, in the words of
/// [`report_rehandshakes`] (the DTLS programs count their own).
pub fn report_rehandshake_kinds(who: &str, r: &[bool], quiet: bool) {
    if !quiet && !r.is_empty() {
        let kinds: Vec<&str> = r
            .iter()
            .map(|resumed| if *resumed { "resumed" } else { "full" })
            .collect();
        eprintln!(
            "{who}: {} re-handshake(s) completed ({})",
            r.len(),
            kinds.join(", ")
        );
    }
}

/// Runs the handshake, with a failure in words.
pub fn handshake(st: &mut Conn) -> Result<(), AppError> {
    st.handshake()
        .map_err(|e| AppError::protocol(format!("handshake failed: {}", io_words(&e))))
}

/// The largest `GET /bytes/N` the server answers (bulk measurements).
pub const MAX_BYTES_PAGE: u64 = 1 << 30;

/// The `N` of a request for `/bytes/N`.
fn bytes_request(req: &[u8]) -> Option<u64> {
    let line = req.split(|b| *b == b'\n').next()?;
    let path = std::str::from_utf8(line).ok()?.split_whitespace().nth(1)?;
    path.strip_prefix("/bytes/")?.parse().ok()
}

/// The server's answer to an HTTP-like request: `GET /bytes/N` gets N bytes (at most
/// [`MAX_BYTES_PAGE`]; `cargo xtask bench` measures bulk transfer with it), anything
/// else the page naming the negotiated version and suite.
pub fn answer(st: &mut Conn, req: &[u8]) -> Result<(), AppError> {
    let werr = |e: io::Error| io_err("writing the page", &e);
    let Some(n) = bytes_request(req).filter(|n| *n <= MAX_BYTES_PAGE) else {
        let page = page(st.session());
        return st.write_all(page.as_bytes()).map_err(werr);
    };
    let head = format!(
        "HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {n}\r\n\
         Connection: close\r\n\r\n"
    );
    st.write_all(head.as_bytes()).map_err(werr)?;
    let chunk = [b'm'; 16 * 1024];
    let mut left = n;
    while left > 0 {
        let k = usize::try_from(left.min(chunk.len() as u64)).unwrap_or(chunk.len());
        st.write_all(chunk.get(..k).unwrap_or_default())
            .map_err(werr)?;
        left -= k as u64;
    }
    Ok(())
}

/// The HTTP-like page of the server.
pub fn page(s: &Session) -> String {
    let body = format!(
        "<html><body><h1>matrix-server</h1>\n<p>protocol: {}</p>\n<p>cipher suite: {}</p>\n\
         <p>session: {}</p>\n</body></html>\n",
        version_name(s.protocol_version()),
        s.cipher_suite()
            .map(|c| suite_name(c.get()))
            .unwrap_or_default(),
        if s.is_resumed() { "resumed" } else { "new" }
    );
    format!(
        "HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn io_err(what: &str, e: &io::Error) -> AppError {
    AppError::protocol(format!("{what}: {}", io_words(e)))
}

/// Reads until `done(data)` says so, the peer closes, or `limit` bytes arrived.
pub fn read_until(
    st: &mut Conn,
    limit: usize,
    done: impl Fn(&[u8]) -> bool,
) -> Result<Vec<u8>, AppError> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    while !done(&data) && data.len() < limit {
        match st.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => data.extend_from_slice(buf.get(..n).unwrap_or_default()),
            Err(e) => return Err(io_err("reading", &e)),
        }
    }
    Ok(data)
}

/// Copies what arrives to `out` until the peer closes (the page may be large); returns
/// how many bytes arrived.
pub fn copy_to(st: &mut Conn, out: &mut impl Write) -> Result<u64, AppError> {
    let mut buf = [0u8; 16 * 1024];
    let mut total = 0u64;
    loop {
        match st.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => {
                total += n as u64;
                out.write_all(buf.get(..n).unwrap_or_default())
                    .map_err(|e| io_err("standard output", &e))?
            }
            Err(e) => return Err(io_err("reading", &e)),
        }
    }
}

/// Sends everything that arrives back, until the peer closes.
pub fn echo_back(st: &mut Conn) -> Result<(), AppError> {
    let mut buf = [0u8; 16 * 1024];
    loop {
        match st.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => st
                .write_all(buf.get(..n).unwrap_or_default())
                .map_err(|e| io_err("writing", &e))?,
            Err(e) => return Err(io_err("reading", &e)),
        }
    }
}

/// Standard input to the peer and the peer to standard output, until either ends. `tcp`
/// is a handle on the socket under `st`, for the short read timeout that lets one thread
/// serve both directions.
pub fn raw(st: &mut Conn, tcp: &TcpStream) -> Result<(), AppError> {
    tcp.set_read_timeout(Some(Duration::from_millis(50)))
        .map_err(|e| io_err("socket", &e))?;
    let (tx, rx) = channel::<Vec<u8>>();
    // Standard input blocks: a thread reads it; an empty chunk means its end.
    std::thread::spawn(move || {
        let mut stdin = io::stdin();
        let mut buf = [0u8; 4096];
        loop {
            let n = stdin.read(&mut buf).unwrap_or(0);
            if tx.send(buf.get(..n).unwrap_or_default().to_vec()).is_err() || n == 0 {
                return;
            }
        }
    });
    let mut out = io::stdout();
    let mut buf = [0u8; 16 * 1024];
    loop {
        loop {
            match rx.try_recv() {
                Ok(d) if !d.is_empty() => st.write_all(&d).map_err(|e| io_err("writing", &e))?,
                Ok(_) | Err(TryRecvError::Disconnected) => {
                    let _ = st.shutdown();
                    return Ok(());
                }
                Err(TryRecvError::Empty) => break,
            }
        }
        match st.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => {
                out.write_all(buf.get(..n).unwrap_or_default())
                    .and_then(|()| out.flush())
                    .map_err(|e| io_err("standard output", &e))?;
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(e) => return Err(io_err("reading", &e)),
        }
    }
}
