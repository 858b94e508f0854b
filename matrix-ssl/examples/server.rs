//! A TLS server over TCP on MatrixSSL's buffer API: the port of MatrixSSL 3.2's sample
//! server. It accepts connections one at a time on 127.0.0.1, answers an HTTP request with
//! a small page, then sends close_notify and closes.
//!
//! ```sh
//! cargo run -p matrix-ssl --example server -- 4433
//! openssl s_client -connect 127.0.0.1:4433 -tls1_1 -cipher 'ALL:@SECLEVEL=0'
//! ```
//!
//! Arguments: the port (default 4433) and, optionally, how many connections to serve
//! before exiting (default: forever). Keys: the repository's test server chain and key.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

use matrix_ssl::{AlertLevel, Config, Context, Keys, Received, Sent};

const PAGE: &[u8] =
    b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nhello from the matrix sample server\n";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().map_or(Ok(4433), |p| p.parse())?;
    let count: Option<usize> = args.next().map(|c| c.parse()).transpose()?;

    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../testkeys/rsa2048");
    let ctx = matrix_ssl::open(Config::default())?; // matrixSslOpen
    let mut keys = Keys::new(); // matrixSslNewKeys
    keys.load_rsa_keys(
        // matrixSslLoadRsaKeys: our chain (child first) and key
        Some(&format!("{dir}/server.pem;{dir}/intermediate.pem")),
        Some(&format!("{dir}/server.key")),
        None,
        None,
    )?;
    let keys = Arc::new(keys);

    let listener = TcpListener::bind(("127.0.0.1", port))?;
    println!("listening on 127.0.0.1:{port}");
    for (served, conn) in listener.incoming().enumerate() {
        match serve(&ctx, &keys, conn?) {
            Ok(()) => println!("connection closed cleanly"),
            Err(e) => println!("connection failed: {e}"),
        }
        if count.is_some_and(|c| served + 1 >= c) {
            break;
        }
    }
    Ok(())
}

/// One connection, as the C sample's loop runs it.
fn serve(
    ctx: &Context,
    keys: &Arc<Keys>,
    mut sock: TcpStream,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut ssl = ctx.new_server_session(Arc::clone(keys), None)?; // matrixSslNewServerSession
    let mut request = Vec::new();
    let mut answered = false;
    loop {
        // matrixSslGetReadbuf / recv / matrixSslReceivedData.
        let buf = ssl.get_readbuf();
        let n = sock.read(buf)?;
        if n == 0 {
            return Err("the client closed the connection".into());
        }
        let mut r = ssl.received_data(n)?;
        loop {
            match r {
                Received::AppData(data) => {
                    request.extend_from_slice(data);
                    if request.windows(4).any(|w| w == b"\r\n\r\n") {
                        // The request is complete: answer and close.
                        ssl.encode_to_outdata(PAGE)?; // matrixSslEncodeToOutdata
                        ssl.encode_closure_alert()?; // matrixSslEncodeClosureAlert
                        answered = true;
                        break;
                    }
                }
                Received::Alert { level, description } => {
                    if level == AlertLevel::Fatal
                        || description == matrix_ssl::AlertDescription::CloseNotify
                    {
                        return Err(format!("the client sent {description:?}").into());
                    }
                }
                Received::HandshakeComplete => {
                    println!(
                        "handshake complete: {:?}, {:?}",
                        ssl.protocol_version(),
                        ssl.cipher_suite()
                    );
                    break;
                }
                // RequestSend: sent below. RequestRecv, Success: read more.
                _ => break,
            }
            r = ssl.processed_data()?; // matrixSslProcessedData
        }
        // matrixSslGetOutdata / send / matrixSslSentData, until nothing is queued.
        loop {
            let out = ssl.get_outdata();
            if out.is_empty() {
                break;
            }
            let n = sock.write(out)?;
            if ssl.sent_data(n)? == Sent::RequestClose {
                // Our close_notify, or a fatal alert the session sent; the socket closes
                // when dropped.
                return if answered {
                    Ok(())
                } else {
                    Err("the session ended with a fatal alert".into())
                };
            }
        }
    }
}
