//! A TLS client through the `embedded-io` adapter (`matrix_ssl::embedded::TlsStream`,
//! feature `embedded-io`). On a board the transport is the network stack's socket; here a
//! `std::net::TcpStream` wears the `embedded_io` traits, as a board support crate would
//! implement them. It sends an HTTP request and prints the response.
//!
//! ```sh
//! cargo run -p matrix-ssl --features embedded-io --example embedded_io_client -- 127.0.0.1:4433
//! ```

use std::net::TcpStream;
use std::sync::Arc;

use embedded_io::{Read, Write};
use matrix_ssl::embedded::TlsStream;
use matrix_ssl::{Config, Keys};

/// The transport: a socket with the `embedded_io` traits.
struct Socket(TcpStream);

impl embedded_io::ErrorType for Socket {
    type Error = std::io::Error;
}

impl Read for Socket {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, std::io::Error> {
        std::io::Read::read(&mut self.0, buf)
    }
}

impl Write for Socket {
    fn write(&mut self, buf: &[u8]) -> Result<usize, std::io::Error> {
        std::io::Write::write(&mut self.0, buf)
    }
    fn flush(&mut self) -> Result<(), std::io::Error> {
        std::io::Write::flush(&mut self.0)
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:4433".into());
    let ca = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../testkeys/rsa2048/ca.der"
    ))?;

    let ctx = matrix_ssl::open(Config::default())?;
    let mut keys = Keys::new();
    keys.load_rsa_keys_mem(None, None, Some(&ca))?;
    let session = ctx.new_client_session(Arc::new(keys), None, 0, None, None)?;
    let tcp = TcpStream::connect(&addr)
        .map_err(|e| format!("cannot connect to {addr} (HOST:PORT): {e}"))?;

    let mut tls = TlsStream::new(session, Socket(tcp));
    tls.handshake()?;
    println!("handshake complete: {:?}", tls.session().cipher_suite());
    tls.write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
    let mut response = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        match tls.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => response.extend_from_slice(&buf[..n]),
            Err(e) => {
                println!("(connection ended: {e})");
                break;
            }
        }
    }
    print!("{}", String::from_utf8_lossy(&response));
    let _ = tls.close();
    if response.is_empty() {
        return Err("no response".into());
    }
    Ok(())
}
