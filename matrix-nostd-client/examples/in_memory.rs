//! The `no_std` client of this crate on the host, in memory: its transport is one end of a
//! Unix socket pair (no network), a matrix server (`matrix_ssl::Stream`, with `std`) runs
//! on the other end in a thread. The board's TRNG driver is stood in for by the host's
//! random device, its timer interrupt by a thread ticking the clock.
//!
//! `cargo run -p matrix-nostd-client --example in_memory`

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::sync::Arc;
use std::time::Duration;

use matrix_nostd_client::{TickClock, Trng, fetch};
use matrix_ssl::{Config, Keys, Stream};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../testkeys/rsa2048");

/// The stand-in for the board's TRNG driver.
fn host_trng(buf: &mut [u8]) -> bool {
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(buf))
        .is_ok()
}

/// The client's transport: a socket with the `embedded_io` traits.
struct Wire(UnixStream);

impl embedded_io::ErrorType for Wire {
    type Error = std::io::Error;
}

impl embedded_io::Read for Wire {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, std::io::Error> {
        self.0.read(buf)
    }
}

impl embedded_io::Write for Wire {
    fn write(&mut self, buf: &[u8]) -> Result<usize, std::io::Error> {
        self.0.write(buf)
    }
    fn flush(&mut self) -> Result<(), std::io::Error> {
        self.0.flush()
    }
}

/// The server: reads one request, answers, closes with close_notify.
fn server(sock: UnixStream) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let ctx = matrix_ssl::open(Config::default())?;
    let mut keys = Keys::new();
    keys.load_rsa_keys(
        Some(&format!("{DIR}/server.pem;{DIR}/intermediate.pem")),
        Some(&format!("{DIR}/server.key")),
        None,
        None,
    )?;
    let session = ctx.new_server_session(Arc::new(keys), None)?;
    let mut tls = Stream::new(session, sock);
    let mut request = Vec::new();
    let mut buf = [0u8; 512];
    while !request.ends_with(b"\r\n\r\n") {
        let n = tls.read(&mut buf)?;
        if n == 0 {
            return Err("the client closed before its request".into());
        }
        request.extend_from_slice(&buf[..n]);
    }
    println!(
        "server: {:?} {:?}, request {:?}",
        tls.session().protocol_version(),
        tls.session().cipher_suite(),
        String::from_utf8_lossy(&request)
    );
    tls.write_all(b"HTTP/1.0 200 OK\r\n\r\nhello, board\n")?;
    tls.shutdown()?;
    // Wait for the client's close_notify.
    let mut rest = Vec::new();
    tls.read_to_end(&mut rest)?;
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (ours, theirs) = UnixStream::pair()?;
    let server = std::thread::spawn(move || server(theirs));

    let clock = Arc::new(TickClock::new());
    let timer = Arc::clone(&clock);
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_millis(10));
            timer.tick(10);
        }
    });

    let ca = std::fs::read(format!("{DIR}/ca.der"))?;
    let mut response = Vec::new();
    fetch(
        Wire(ours),
        Trng::new(host_trng),
        clock,
        &ca,
        b"GET / HTTP/1.0\r\n\r\n",
        &mut response,
    )
    .map_err(|e| format!("client: {e:?}"))?;
    print!("client got: {}", String::from_utf8_lossy(&response));
    server
        .join()
        .map_err(|_| "the server thread panicked")?
        .map_err(|e| format!("server: {e}"))?;
    if !response.ends_with(b"hello, board\n") {
        return Err("wrong response".into());
    }
    Ok(())
}
