//! A TLS client through [`matrix_ssl::Stream`]: `std::io::Read + Write` over a
//! `TcpStream`, the buffer API driven for you. It sends an HTTP request and prints the
//! response until the server closes.
//!
//! ```sh
//! openssl s_server -accept 127.0.0.1:4433 -tls1_1 -cipher 'ALL:@SECLEVEL=0' -www \
//!     -key testkeys/rsa2048/server.key -cert testkeys/rsa2048/server.pem \
//!     -cert_chain testkeys/rsa2048/intermediate.pem
//! cargo run -p matrix-ssl --example stream_client -- 127.0.0.1:4433
//! ```

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

use matrix_ssl::{Config, Keys, Stream};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:4433".into());
    let ca = concat!(env!("CARGO_MANIFEST_DIR"), "/../testkeys/rsa2048/ca.pem");

    let ctx = matrix_ssl::open(Config::default())?;
    let mut keys = Keys::new();
    keys.load_rsa_keys(None, None, None, Some(ca))?;
    let session = ctx.new_client_session(Arc::new(keys), None, 0, None, None)?;
    let tcp = TcpStream::connect(&addr)
        .map_err(|e| format!("cannot connect to {addr} (HOST:PORT): {e}"))?;

    let mut tls = Stream::new(session, tcp);
    tls.handshake()?;
    println!(
        "handshake complete: {:?}, {:?}",
        tls.session().protocol_version(),
        tls.session().cipher_suite()
    );
    tls.write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
    let mut response = Vec::new();
    // The server closes after the page: with close_notify (a clean end, read returns 0) or
    // by closing the socket.
    if let Err(e) = tls.read_to_end(&mut response) {
        println!("(connection ended: {e})");
    }
    print!("{}", String::from_utf8_lossy(&response));
    let _ = tls.shutdown();
    if response.is_empty() {
        return Err("no response".into());
    }
    Ok(())
}
