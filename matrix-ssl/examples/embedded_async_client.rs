//! A TLS client through the `embedded-io-async` adapter
//! (`matrix_ssl::embedded_async::TlsStream`, feature `embedded-io-async`). On a board the
//! transport is the async network stack's socket (embassy-net's `TcpSocket`, say) and the
//! executor is the firmware's; here a `std::net::TcpStream` wears the async traits and a
//! ten-line `block_on` runs the future. It sends an HTTP request and prints the response.
//!
//! ```sh
//! cargo run -p matrix-ssl --features embedded-io-async --example embedded_async_client -- 127.0.0.1:4433
//! ```

use std::net::TcpStream;
use std::sync::Arc;

use embedded_io_async::{Read, Write};
use matrix_ssl::embedded_async::TlsStream;
use matrix_ssl::{Config, Keys};

/// The transport: a socket with the `embedded_io_async` traits (blocking underneath).
struct Socket(TcpStream);

impl embedded_io_async::ErrorType for Socket {
    type Error = std::io::Error;
}

impl Read for Socket {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, std::io::Error> {
        std::io::Read::read(&mut self.0, buf)
    }
}

impl Write for Socket {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, std::io::Error> {
        std::io::Write::write(&mut self.0, buf)
    }
    async fn flush(&mut self) -> Result<(), std::io::Error> {
        std::io::Write::flush(&mut self.0)
    }
}

/// The smallest executor: polls until ready (the socket blocks, so it never waits).
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::yield_now();
    }
}

async fn run(addr: &str) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let ca = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testkeys/rsa2048/ca.der"
    ))?;
    let ctx = matrix_ssl::open(Config::default())?;
    let mut keys = Keys::new();
    keys.load_rsa_keys_mem(None, None, Some(&ca))?;
    let session = ctx.new_client_session(Arc::new(keys), None, 0, None, None)?;
    let tcp = TcpStream::connect(addr)
        .map_err(|e| format!("cannot connect to {addr} (HOST:PORT): {e}"))?;

    let mut tls = TlsStream::new(session, Socket(tcp));
    tls.handshake().await?;
    println!("handshake complete: {:?}", tls.session().cipher_suite());
    tls.write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .await?;
    let mut response = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match tls.read(&mut buf).await {
            Ok(0) => break,
            Ok(n) => response.extend_from_slice(&buf[..n]),
            Err(e) => {
                println!("(connection ended: {e})");
                break;
            }
        }
    }
    let _ = tls.close().await;
    Ok(response)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:4433".into());
    let response = block_on(run(&addr))?;
    print!("{}", String::from_utf8_lossy(&response));
    if response.is_empty() {
        return Err("no response".into());
    }
    Ok(())
}
