//! A TLS client through the tokio adapter (`matrix_ssl::tokio::TlsStream`, feature
//! `tokio`): `AsyncRead + AsyncWrite` over a `tokio::net::TcpStream`, as tokio-rustls
//! offers. It sends an HTTP request and prints the response.
//!
//! ```sh
//! cargo run -p matrix-ssl --features tokio --example tokio_client -- 127.0.0.1:4433
//! ```

use std::sync::Arc;

use matrix_ssl::tokio::TlsStream;
use matrix_ssl::{Config, Keys};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:4433".into());
    let ca = concat!(env!("CARGO_MANIFEST_DIR"), "/../testkeys/rsa2048/ca.pem");

    let ctx = matrix_ssl::open(Config::default())?;
    let mut keys = Keys::new();
    keys.load_rsa_keys(None, None, None, Some(ca))?;
    let session = ctx.new_client_session(Arc::new(keys), None, 0, None, None)?;
    let tcp = TcpStream::connect(&addr)
        .await
        .map_err(|e| format!("cannot connect to {addr} (HOST:PORT): {e}"))?;

    let mut tls = TlsStream::connect(session, tcp).await?;
    println!("handshake complete: {:?}", tls.session().cipher_suite());
    tls.write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .await?;
    let mut response = Vec::new();
    if let Err(e) = tls.read_to_end(&mut response).await {
        println!("(connection ended: {e})");
    }
    print!("{}", String::from_utf8_lossy(&response));
    let _ = tls.shutdown().await;
    if response.is_empty() {
        return Err("no response".into());
    }
    Ok(())
}
