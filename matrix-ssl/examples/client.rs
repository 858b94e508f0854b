//! A TLS client over TCP on MatrixSSL's buffer API: the port of MatrixSSL 3.2's sample
//! client. It connects, sends an HTTP request once the handshake is complete, prints the
//! response, and answers the server's close_notify with its own.
//!
//! ```sh
//! openssl s_server -accept 127.0.0.1:4433 -tls1_1 -cipher 'ALL:@SECLEVEL=0' -www \
//!     -key testkeys/rsa2048/server.key -cert testkeys/rsa2048/server.pem \
//!     -cert_chain testkeys/rsa2048/intermediate.pem
//! cargo run -p matrix-ssl --example client -- 127.0.0.1:4433 testkeys/rsa2048/ca.pem
//! ```
//!
//! Arguments: `HOST:PORT` (default 127.0.0.1:4433) and the trusted CA file (default the
//! repository's test CA). Every step is the C client's, call for call: the comments name
//! the MatrixSSL function each line replaces.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Arc;

use matrix_ssl::{AlertDescription, AlertLevel, Config, Keys, Received, Sent};

const REQUEST: &[u8] = b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:4433".into());
    let ca = args.next().unwrap_or_else(|| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../testkeys/rsa2048/ca.pem").into()
    });

    let ctx = matrix_ssl::open(Config::default())?; // matrixSslOpen
    let mut keys = Keys::new(); // matrixSslNewKeys
    keys.load_rsa_keys(None, None, None, Some(&ca))?; // matrixSslLoadRsaKeys
    // matrixSslNewClientSession: every enabled suite, no resumption, the library's own
    // certificate checks (no callback), no extensions. The ClientHello is now queued.
    let mut ssl = ctx.new_client_session(Arc::new(keys), None, 0, None, None)?;

    let mut sock = TcpStream::connect(&addr)
        .map_err(|e| format!("cannot connect to {addr} (HOST:PORT): {e}"))?;
    let mut response = Vec::new();
    'conn: loop {
        // matrixSslGetOutdata / send / matrixSslSentData, until nothing is queued.
        loop {
            let out = ssl.get_outdata();
            if out.is_empty() {
                break;
            }
            let n = sock.write(out)?;
            match ssl.sent_data(n)? {
                // Our close_notify (or a fatal alert) is out: close the socket.
                Sent::RequestClose => break 'conn,
                // A resumed handshake ends with our Finished: the client speaks first.
                Sent::HandshakeComplete => {
                    ssl.encode_to_outdata(REQUEST)?;
                }
                _ => {}
            }
        }
        // matrixSslGetReadbuf / recv / matrixSslReceivedData.
        let buf = ssl.get_readbuf();
        let n = sock.read(buf)?;
        if n == 0 {
            println!("the server closed the connection without close_notify");
            break;
        }
        let mut r = ssl.received_data(n)?;
        loop {
            match r {
                Received::HandshakeComplete => {
                    println!(
                        "handshake complete: {:?}, {:?}",
                        ssl.protocol_version(),
                        ssl.cipher_suite()
                    );
                    ssl.encode_to_outdata(REQUEST)?; // matrixSslEncodeToOutdata
                    break;
                }
                Received::AppData(data) => response.extend_from_slice(data),
                Received::Alert { level, description } => {
                    if description == AlertDescription::CloseNotify {
                        ssl.encode_closure_alert()?; // matrixSslEncodeClosureAlert
                    } else if level == AlertLevel::Fatal {
                        return Err(
                            format!("the server sent a fatal alert: {description:?}").into()
                        );
                    }
                }
                // RequestSend: the loop sends it. RequestRecv, Success: read more.
                _ => break,
            }
            r = ssl.processed_data()?; // matrixSslProcessedData
        }
    }
    print!("{}", String::from_utf8_lossy(&response));
    if response.is_empty() {
        return Err("no response".into());
    }
    Ok(())
}
