//! Ending a TCP connection so that the last record sent reaches the peer (feature `std`).
//!
//! A socket closed while bytes it received are still unread makes the kernel answer with
//! a reset instead of a FIN (RFC 1122 section 4.2.2.13, RFC 2525 section 2.17), and a
//! reset makes the peer's kernel drop whatever it has not yet handed to the application:
//! a peer that sent its whole flight at once (an empty client Certificate and its
//! ClientKeyExchange, a bad CertificateVerify and its ChangeCipherSpec) and that we
//! refused at the first message sees "connection reset" instead of our fatal alert.
//!
//! [`linger`] is what to do after the last record went out: shut down our write side (the
//! peer reads the alert, then end of stream), read and discard what the peer still sends
//! until it closes, at most [`LINGER_BYTES`] bytes for at most [`LINGER_TIME`], and
//! return; the caller then closes the socket with nothing unread (the usual case) and no
//! reset. The bounds keep a peer that neither closes nor stops sending from holding us:
//! one second is many round trips on any network a handshake completes on, and 64 KiB is
//! more than any honest flight in flight behind the message we refused.
//!
//! [`crate::Stream`] lingers this way after sending a fatal alert on a `TcpStream`;
//! matrix-apps' programs call [`linger`] on theirs.

use std::io::{self, Read};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};

/// The longest [`linger`] waits for the peer to close.
pub const LINGER_TIME: Duration = Duration::from_secs(1);

/// The most bytes [`linger`] reads and discards.
pub const LINGER_BYTES: usize = 64 * 1024;

/// Shuts down `tcp`'s write side, then reads and discards until the peer closes, for at
/// most [`LINGER_TIME`] and [`LINGER_BYTES`]; returns how many bytes were discarded. The
/// socket's read timeout is restored afterwards. A peer that already reset the
/// connection ends the wait early (with that error). A non-blocking socket is read
/// only as far as it has data.
pub fn linger(tcp: &TcpStream) -> io::Result<usize> {
    tcp.shutdown(Shutdown::Write)?;
    let before = tcp.read_timeout()?;
    let result = discard_until_closed(tcp);
    let restored = tcp.set_read_timeout(before);
    let n = result?;
    restored?;
    Ok(n)
}

fn discard_until_closed(mut tcp: &TcpStream) -> io::Result<usize> {
    let deadline = Instant::now() + LINGER_TIME;
    let mut buf = [0u8; 4096];
    let mut discarded = 0usize;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let room = LINGER_BYTES.saturating_sub(discarded).min(buf.len());
        // A zero timeout would mean "block forever" to set_read_timeout: stop instead.
        if left.is_zero() || room == 0 {
            return Ok(discarded);
        }
        tcp.set_read_timeout(Some(left))?;
        match tcp.read(buf.get_mut(..room).unwrap_or_default()) {
            Ok(0) => return Ok(discarded),
            Ok(n) => discarded += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Ok(discarded);
            }
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::net::TcpListener;

    fn pair() -> (TcpStream, TcpStream) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let a = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let (b, _) = l.accept().unwrap();
        (a, b)
    }

    #[test]
    fn discards_until_the_peer_closes_and_sends_fin() {
        let (mut ours, mut peer) = pair();
        ours.write_all(b"last record").unwrap();
        peer.write_all(&[7; 3000]).unwrap();
        let t = std::thread::spawn(move || {
            // The peer reads our record, then end of stream (our FIN), then closes.
            let mut got = Vec::new();
            peer.read_to_end(&mut got).unwrap();
            got
        });
        assert_eq!(linger(&ours).unwrap(), 3000);
        assert_eq!(t.join().unwrap(), b"last record");
        assert_eq!(ours.read_timeout().unwrap(), None);
    }

    #[test]
    fn bounded_in_time_and_bytes() {
        // A peer that never closes: one second.
        let (ours, _peer) = pair();
        let start = Instant::now();
        assert_eq!(linger(&ours).unwrap(), 0);
        let took = start.elapsed();
        assert!(took >= LINGER_TIME && took < LINGER_TIME * 3, "{took:?}");
        // A peer that floods: 64 KiB.
        let (ours, mut peer) = pair();
        let flood = std::thread::spawn(move || {
            let chunk = [1u8; 16 * 1024];
            while peer.write_all(&chunk).is_ok() {}
        });
        assert_eq!(linger(&ours).unwrap(), LINGER_BYTES);
        drop(ours);
        flood.join().unwrap();
    }
}
