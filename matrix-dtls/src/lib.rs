//! matrix-dtls: DTLS 1.0 (RFC 4347) and DTLS 1.2 (RFC 6347) on matrix-ssl's handshake
//! state machines, with the MatrixDTLS API (Appendix A of the MatrixSSL 3.2 API reference).
//!
//! DTLS 1.2 is there when matrix-ssl has TLS 1.2 (`tls-1-2`, a default), as MatrixSSL 3.x
//! enables it with `USE_DTLS` and `USE_TLS_1_2`: `Config::dtls()` then spans DTLS 1.0 to
//! DTLS 1.2, a client offers DTLS 1.2 and accepts DTLS 1.0, a server answers with the newest
//! version both speak (set `min_version`/`max_version` to pin one). DTLS 1.2 is TLS 1.2's
//! handshake (its PRF, 12-byte Finished, `signature_algorithms`, the GCM and SHA-256 suites)
//! over the same datagram machinery; an AES-GCM record carries the record's epoch and
//! sequence number as its 8-byte explicit nonce, and both are in its additional data (RFC
//! 6347 section 4.1.2.1, RFC 5288). The HelloVerifyRequest always says DTLS 1.0 and a client
//! never negotiates from it (section 4.2.1); records carry the negotiated version from the
//! ServerHello on, DTLS 1.0's before.
//!
//! matrix-ssl's `engine::HandshakeEngine` runs the handshake over whole messages; this
//! crate carries them over datagrams. Its modules, each with one job:
//!
//! - [`record`]: records in datagrams (several per datagram, never one across two),
//!   epochs and 48-bit sequence numbers, protection through matrix-ssl's cipher states,
//!   and silent drops of bad, replayed and wrong-epoch records (RFC 4347 section 4.1);
//! - [`replay`]: the 64-record anti-replay window (section 4.1.2.5);
//! - [`fragment`]: handshake message fragmentation to fit the PMTU and bounded reassembly
//!   from fragments in any order (section 4.2.3);
//! - [`flight`]: the last flight, rebuilt with new record numbers for retransmission
//!   (section 4.2.4);
//! - [`cookie`]: stateless HelloVerifyRequest cookies with rotating secrets (section
//!   4.2.1);
//! - [`DtlsContext`] and [`DtlsSession`]: the context (with the PMTU and the cookie
//!   secrets) and the buffer API.
//!
//! # The application's loop
//!
//! The session does no I/O and keeps no timer. One socket per peer (a server demultiplexes
//! by source address and gives each new address its own session); one datagram per
//! `recv`. After every event, send what [`DtlsSession::get_outdata`] returns until it
//! returns nothing; when a receive times out, call it again: that call is the
//! retransmission (Appendix A, case 7).
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use std::net::UdpSocket;
//! use std::sync::Arc;
//! use std::time::Duration;
//! use matrix_ssl::{Config, Keys, Received, Sent};
//!
//! let ctx = matrix_dtls::open(Config::dtls())?;   // matrixSslOpen
//! ctx.set_pmtu(1400);                               // matrixDtlsSetPmtu
//! let mut keys = Keys::new();
//! keys.load_rsa_keys(None, None, None, Some("ca.pem"))?;
//! let mut ssl = ctx.new_client_session(Arc::new(keys), None, 0, None, None)?;
//!
//! let sock = UdpSocket::bind("0.0.0.0:0")?;
//! sock.connect("192.0.2.1:4433")?;
//! sock.set_read_timeout(Some(Duration::from_secs(1)))?;  // the retransmission timer
//! loop {
//!     // matrixDtlsGetOutdata / matrixDtlsSentData until nothing is left.
//!     loop {
//!         let dg = ssl.get_outdata();
//!         if dg.is_empty() {
//!             break;
//!         }
//!         let n = sock.send(dg)?;
//!         match ssl.sent_data(n)? {
//!             Sent::RequestClose => return Ok(()),
//!             Sent::HandshakeComplete => { /* resumed: we may send data now */ }
//!             _ => {}
//!         }
//!     }
//!     let buf = ssl.get_readbuf();
//!     let n = match sock.recv(buf) {
//!         Ok(n) => n,
//!         // Timeout: the next get_outdata rebuilds and returns our last flight.
//!         Err(e) if e.kind() == std::io::ErrorKind::WouldBlock
//!             || e.kind() == std::io::ErrorKind::TimedOut => continue,
//!         Err(e) => return Err(e.into()),
//!     };
//!     let mut r = ssl.received_data(n)?;
//!     loop {
//!         match r {
//!             Received::HandshakeComplete => {
//!                 ssl.encode_to_outdata(b"hello")?;
//!                 break;
//!             }
//!             Received::AppData(data) => {
//!                 println!("{}", String::from_utf8_lossy(data));
//!                 r = ssl.processed_data()?;
//!             }
//!             Received::Alert { .. } => r = ssl.processed_data()?,
//!             _ => break, // RequestSend, RequestRecv, Success
//!         }
//!     }
//! }
//! # }
//! ```
//!
//! Application data is one record per datagram and, as DTLS promises, may be lost or
//! reordered but is never delivered twice or corrupted: [`DtlsSession::max_app_data`] says
//! how much fits the PMTU (`get_writebuf` offers no more, `encode_to_outdata` refuses more
//! with `PS_LIMIT_FAIL`).
//!
//! Re-handshakes: either side starts one with [`DtlsSession::encode_rehandshake`], a
//! client with a new ClientHello, a server with a HelloRequest that is retransmitted like
//! a flight until the client's ClientHello (or its no_renegotiation warning) arrives; each
//! side answers the other's. Each handshake numbers its messages from 0 (RFC 4347 section
//! 4.2.2; RFC 6347 spells out that the HelloRequest is 0 and the ServerHello after it 1),
//! so a message of the previous handshake that arrives late can carry a number the new one
//! expects: those still in the old epoch are recognised by it, and a stale Finished in the
//! current epoch by coming before the peer's ChangeCipherSpec. The peer's requests are
//! rate limited as on TLS sessions (`Config::rehandshakes_per_minute`); a retransmission
//! of a refused request is refused again, not counted.

#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

mod context;
pub mod cookie;
pub mod flight;
pub mod fragment;
pub mod record;
pub mod replay;
mod session;

#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub use context::open;
pub use context::{DtlsContext, MAX_PMTU, MIN_PMTU};
pub use matrix_ssl::{Received, Sent};
pub use session::DtlsSession;
