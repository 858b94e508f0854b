//! A DTLS 1.2 and 1.0 echo server over UDP on MatrixDTLS's buffer API: one `DtlsSession` per
//! client address (the HelloVerifyRequest cookie is bound to it), every datagram handed to
//! its session, every reply sent, each record of application data echoed back, and the
//! retransmission timer driven by the socket's read timeout: when nothing arrives for a
//! while, `get_outdata` is called again on every session, which resends its last flight
//! if the peer has not answered it (MatrixDTLS Appendix A, case 7).
//!
//! ```sh
//! cargo run -p matrix-dtls --example dtls_server -- 4444
//! openssl s_client -dtls1_2 -connect 127.0.0.1:4444
//! openssl s_client -dtls1 -connect 127.0.0.1:4444 -cipher 'AES128-SHA:@SECLEVEL=0'
//! ```
//!
//! Arguments: the port (default 4444) and, optionally, how many sessions to serve to their
//! close before exiting (default: forever).

use std::collections::HashMap;
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::Duration;

use matrix_dtls::DtlsSession;
use matrix_ssl::{AlertDescription, AlertLevel, Config, Keys, Received, Sent};

/// The retransmission timer: how long the socket waits before flights are resent.
const TIMER: Duration = Duration::from_millis(500);

/// Sends every datagram `ssl` has queued; `true` once it asked to close.
fn send_all(sock: &UdpSocket, to: SocketAddr, ssl: &mut DtlsSession) -> std::io::Result<bool> {
    loop {
        let dg = ssl.get_outdata(); // matrixDtlsGetOutdata
        if dg.is_empty() {
            return Ok(false);
        }
        let n = sock.send_to(dg, to)?;
        match ssl.sent_data(n) {
            // matrixDtlsSentData
            Ok(Sent::RequestClose) => return Ok(true),
            // A full handshake ends with the server's Finished.
            Ok(Sent::HandshakeComplete) => {
                println!(
                    "dtls_server: {to}: handshake complete, {:?}",
                    ssl.cipher_suite()
                );
            }
            Ok(_) => {}
            Err(e) => {
                println!("dtls_server: {to}: sent_data: {e}");
                return Ok(true);
            }
        }
    }
}

/// Feeds one datagram to `ssl`; echoes application data; `true` when the session ends.
fn receive(ssl: &mut DtlsSession, dg: &[u8], from: SocketAddr) -> bool {
    let buf = ssl.get_readbuf(); // matrixSslGetReadbuf
    let n = dg.len().min(buf.len());
    buf[..n].copy_from_slice(&dg[..n]);
    let mut r = match ssl.received_data(n) {
        // matrixSslReceivedData
        Ok(r) => r,
        Err(e) => {
            println!("dtls_server: {from}: {e}");
            return true;
        }
    };
    let mut echo = Vec::new();
    let mut end = false;
    loop {
        match r {
            Received::HandshakeComplete => {
                println!(
                    "dtls_server: {from}: handshake complete, {:?}",
                    ssl.cipher_suite()
                );
                break;
            }
            Received::AppData(data) => echo.extend_from_slice(data),
            Received::Alert { level, description } => {
                println!("dtls_server: {from}: alert {level:?} {description:?}");
                if description == AlertDescription::CloseNotify {
                    let _ = ssl.encode_closure_alert(); // answer with ours
                } else if level == AlertLevel::Fatal {
                    end = true;
                }
            }
            _ => break,
        }
        r = match ssl.processed_data() {
            // matrixSslProcessedData
            Ok(r) => r,
            Err(_) => return true,
        };
    }
    if !echo.is_empty() && ssl.encode_to_outdata(&echo).is_err() {
        println!("dtls_server: {from}: cannot echo {} bytes", echo.len());
    }
    end
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().map_or(Ok(4444), |p| p.parse())?;
    let count: Option<usize> = args.next().map(|c| c.parse()).transpose()?;

    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../testkeys/rsa2048");
    let ctx = matrix_dtls::open(Config::dtls())?;
    ctx.set_pmtu(1400); // matrixDtlsSetPmtu
    let mut keys = Keys::new();
    keys.load_rsa_keys(
        Some(&format!("{dir}/server.pem;{dir}/intermediate.pem")),
        Some(&format!("{dir}/server.key")),
        None,
        None,
    )?;
    let keys = Arc::new(keys);

    let sock = UdpSocket::bind(("127.0.0.1", port))?;
    sock.set_read_timeout(Some(TIMER))?;
    println!("dtls_server: listening on 127.0.0.1:{port}");
    let mut sessions: HashMap<SocketAddr, DtlsSession> = HashMap::new();
    let mut served = 0;
    let mut dg = vec![0u8; 65_536];
    loop {
        match sock.recv_from(&mut dg) {
            Ok((n, from)) => {
                let ssl = match sessions.entry(from) {
                    std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
                    std::collections::hash_map::Entry::Vacant(v) => v.insert(
                        // matrixSslNewServerSession, with the client's address for the cookie
                        ctx.new_server_session(
                            Arc::clone(&keys),
                            None,
                            from.to_string().as_bytes(),
                        )?,
                    ),
                };
                let ended = receive(ssl, &dg[..n], from);
                let closed = send_all(&sock, from, ssl)?;
                if ended || closed {
                    println!("dtls_server: {from}: session closed");
                    sessions.remove(&from);
                    served += 1;
                    if count.is_some_and(|c| served >= c) {
                        return Ok(());
                    }
                }
            }
            // The timer fired: each session resends its last flight if it is still waiting.
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                for (to, ssl) in sessions.iter_mut() {
                    send_all(&sock, *to, ssl)?;
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
}
