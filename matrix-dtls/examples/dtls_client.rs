//! A DTLS 1.2 (or 1.0) client over UDP on MatrixDTLS's buffer API: it runs the handshake, sends a
//! few messages, waits for each to come back (the `dtls_server` example echoes them),
//! then closes with close_notify. The retransmission timer is the socket's read timeout:
//! when no datagram arrives in time, `get_outdata` is called again and returns the last
//! flight to resend (MatrixDTLS Appendix A, case 7); after `RETRIES` silent timeouts in a
//! row the client gives up.
//!
//! ```sh
//! cargo run -p matrix-dtls --example dtls_server -- 4444 &
//! cargo run -p matrix-dtls --example dtls_client -- 127.0.0.1:4444
//! ```

use std::net::UdpSocket;
use std::sync::Arc;
use std::time::Duration;

use matrix_dtls::DtlsSession;
use matrix_ssl::{AlertLevel, Config, Keys, Received, Sent};

/// The retransmission timer.
const TIMER: Duration = Duration::from_millis(500);
/// Silent timeouts in a row before giving up.
const RETRIES: u32 = 10;

const MESSAGES: [&[u8]; 3] = [b"hello over DTLS", b"a second datagram", b"and a third"];

/// Sends every datagram queued; `true` once the session asked to close.
fn send_all(sock: &UdpSocket, ssl: &mut DtlsSession) -> Result<bool, Box<dyn std::error::Error>> {
    loop {
        let dg = ssl.get_outdata(); // matrixDtlsGetOutdata
        if dg.is_empty() {
            return Ok(false);
        }
        let n = sock.send(dg)?;
        if ssl.sent_data(n)? == Sent::RequestClose {
            // matrixDtlsSentData
            return Ok(true);
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:4444".into());
    let ca = concat!(env!("CARGO_MANIFEST_DIR"), "/../testkeys/rsa2048/ca.pem");

    let ctx = matrix_dtls::open(Config::dtls())?; // matrixSslOpen for DTLS
    ctx.set_pmtu(1400); // matrixDtlsSetPmtu
    let mut keys = Keys::new();
    keys.load_rsa_keys(None, None, None, Some(ca))?;
    let mut ssl = ctx.new_client_session(Arc::new(keys), None, 0, None, None)?;

    let sock = UdpSocket::bind("127.0.0.1:0")?;
    sock.connect(&addr)
        .map_err(|e| format!("dtls_client: cannot reach {addr} (HOST:PORT): {e}"))?;
    sock.set_read_timeout(Some(TIMER))?;

    let mut next = 0; // the next message to send
    let mut echoed = Vec::new();
    let mut expected = Vec::new();
    let mut silent = 0;
    let mut dg = vec![0u8; 65_536];
    loop {
        if send_all(&sock, &mut ssl)? {
            break; // our close_notify is out
        }
        let n = match sock.recv(&mut dg) {
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                silent += 1;
                if silent > RETRIES {
                    return Err(format!(
                        "dtls_client: no answer from {addr} after {RETRIES} retransmissions"
                    )
                    .into());
                }
                continue; // the next get_outdata is the retransmission
            }
            Err(e) => return Err(format!("dtls_client: {addr}: {e}").into()),
        };
        silent = 0;
        let buf = ssl.get_readbuf();
        let m = n.min(buf.len());
        buf[..m].copy_from_slice(&dg[..m]);
        let mut r = ssl.received_data(m)?;
        let mut send_next = false;
        loop {
            match r {
                Received::HandshakeComplete => {
                    println!("dtls_client: handshake complete, {:?}", ssl.cipher_suite());
                    send_next = true;
                    break;
                }
                Received::AppData(data) => {
                    echoed.extend_from_slice(data);
                    if echoed.len() >= expected.len() {
                        send_next = true;
                    }
                }
                Received::Alert { level, description } => {
                    if level == AlertLevel::Fatal {
                        return Err(format!("dtls_client: fatal alert {description:?}").into());
                    }
                }
                _ => break,
            }
            r = ssl.processed_data()?;
        }
        if send_next && echoed.len() >= expected.len() {
            if echoed != expected {
                return Err("dtls_client: the echo differs".into());
            }
            if let Some(msg) = MESSAGES.get(next) {
                ssl.encode_to_outdata(msg)?; // one record, one datagram
                expected.extend_from_slice(msg);
                next += 1;
            } else {
                println!("dtls_client: {} messages echoed", MESSAGES.len());
                ssl.encode_closure_alert()?;
            }
        }
    }
    println!("dtls_client: closed");
    Ok(())
}
