//! matrix's side of a DTLS interop test: one [`DtlsSession`] over a UDP socket on
//! 127.0.0.1, driven the way an application drives the buffer API (send every datagram
//! `get_outdata` holds, hand each received datagram to `received_data`, and on a quiet
//! read timeout call `get_outdata` again: the retransmission timer, RFC 4347 section
//! 4.2.4), recording what the session reported so a test can wait for it; and the two
//! conversations the DTLS 1.0 and DTLS 1.2 tests hold with a peer process:
//! [`run_client`] (our client, data both ways, close) and [`serve`] (our server for the
//! peer's connections, one after the other).

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant};

use matrix_dtls::{DtlsContext, DtlsSession};
use matrix_ssl::{
    AlertDescription, AlertLevel, CertValidator, CipherSuite, Keys, ProtocolVersion, Received,
    Sent, SessionId,
};

use crate::Peer;

/// The PSK identity the DTLS interop tests give every peer (OpenSSL's default identity).
pub const PSK_ID: &str = "Client_identity";
/// That PSK in hex, as `openssl -psk` and GnuTLS's `--pskkey` take it.
pub const PSK_HEX: &str = "1a2b3c4d5e6f708192a3b4c5d6e7f801";
/// That PSK as bytes, for `Keys::load_psk`.
pub const PSK: [u8; 16] = [
    0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70, 0x81, 0x92, 0xa3, 0xb4, 0xc5, 0xd6, 0xe7, 0xf8, 0x01,
];

/// How long each step of [`run_client`] and [`serve`] may take.
const STEP: Duration = Duration::from_secs(20);

/// How long a quiet socket waits before the retransmission timer fires.
const TICK: Duration = Duration::from_millis(200);

/// One DTLS connection over a UDP socket, and what it reported so far.
pub struct DtlsConn {
    sock: UdpSocket,
    peer: SocketAddr,
    /// The session.
    pub sess: DtlsSession,
    /// The application data received, in order.
    pub received: Vec<u8>,
    /// How many `HandshakeComplete` events came (from `received_data` or `sent_data`):
    /// the first handshake and each re-handshake.
    pub completions: usize,
    /// The alerts received, in order.
    pub alerts: Vec<(AlertLevel, AlertDescription)>,
    /// A close_notify or fatal alert went either way.
    pub closed: bool,
}

impl DtlsConn {
    /// Wraps a session talking to `peer` over `sock`.
    pub fn new(sock: UdpSocket, peer: SocketAddr, sess: DtlsSession) -> DtlsConn {
        sock.set_read_timeout(Some(TICK))
            .unwrap_or_else(|e| panic!("set_read_timeout: {e}"));
        DtlsConn {
            sock,
            peer,
            sess,
            received: Vec::new(),
            completions: 0,
            alerts: Vec::new(),
            closed: false,
        }
    }

    /// Our client for the server on 127.0.0.1:`port` (its ClientHello is not sent yet).
    pub fn client(ctx: &DtlsContext, keys: std::sync::Arc<Keys>, port: u16) -> DtlsConn {
        let sock = UdpSocket::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind: {e}"));
        let sess = ctx
            .new_client_session(keys, None, 0, None, None)
            .unwrap_or_else(|e| panic!("new_client_session: {e:?}"));
        DtlsConn::new(sock, ([127, 0, 0, 1], port).into(), sess)
    }

    /// Our server on `sock` for the first peer that sends it a datagram within
    /// `timeout`: the session is created for that address and the datagram fed to it.
    pub fn accept(
        sock: &UdpSocket,
        ctx: &DtlsContext,
        keys: std::sync::Arc<Keys>,
        validator: Option<CertValidator>,
        timeout: Duration,
    ) -> Result<DtlsConn, String> {
        sock.set_read_timeout(Some(timeout))
            .map_err(|e| e.to_string())?;
        let mut buf = vec![0u8; 65536];
        let (n, from) = sock
            .recv_from(&mut buf)
            .map_err(|e| format!("no hello from the peer: {e}"))?;
        let sess = ctx
            .new_server_session(keys, validator, from.to_string().as_bytes())
            .map_err(|e| format!("new_server_session: {e:?}"))?;
        let sock = sock.try_clone().map_err(|e| e.to_string())?;
        let mut c = DtlsConn::new(sock, from, sess);
        c.feed(&buf[..n])?;
        Ok(c)
    }

    /// Sends every datagram the session holds.
    pub fn flush(&mut self) -> Result<(), String> {
        for _ in 0..10_000 {
            let d = self.sess.get_outdata();
            if d.is_empty() {
                return Ok(());
            }
            let n = d.len();
            self.sock
                .send_to(d, self.peer)
                .map_err(|e| format!("send: {e}"))?;
            match self
                .sess
                .sent_data(n)
                .map_err(|e| format!("sent_data: {e:?}"))?
            {
                Sent::HandshakeComplete => self.completions += 1,
                Sent::RequestClose => self.closed = true,
                _ => {}
            }
        }
        Err("get_outdata never ends".into())
    }

    /// Hands one datagram to the session, records its events and sends the answers. A
    /// fatal alert from the peer is an error.
    pub fn feed(&mut self, dg: &[u8]) -> Result<(), String> {
        let buf = self.sess.get_readbuf();
        let n = dg.len().min(buf.len());
        buf[..n].copy_from_slice(&dg[..n]);
        let mut r = self.sess.received_data(n);
        loop {
            match r.map_err(|e| format!("received_data: {e:?}"))? {
                Received::AppData(d) => {
                    self.received.extend_from_slice(d);
                    r = self.sess.processed_data();
                }
                Received::Alert { level, description } => {
                    self.alerts.push((level, description));
                    if description == AlertDescription::CloseNotify {
                        self.closed = true;
                    } else if level == AlertLevel::Fatal {
                        self.closed = true;
                        return Err(format!("fatal alert from the peer: {description:?}"));
                    }
                    r = self.sess.processed_data();
                }
                Received::HandshakeComplete => {
                    self.completions += 1;
                    break;
                }
                _ => break,
            }
        }
        self.flush()
    }

    /// Runs until `done` holds or `timeout` passes: datagrams in, ours out, and on each
    /// quiet read timeout one more `get_outdata` (the retransmission timer).
    pub fn pump(
        &mut self,
        what: &str,
        timeout: Duration,
        done: impl Fn(&DtlsConn) -> bool,
    ) -> Result<(), String> {
        let end = Instant::now() + timeout;
        let mut buf = vec![0u8; 65536];
        self.flush()?;
        while !done(self) {
            if Instant::now() > end {
                return Err(format!("timed out waiting for {what}"));
            }
            match self.sock.recv_from(&mut buf) {
                Ok((n, from)) if from == self.peer => {
                    let dg = buf[..n].to_vec();
                    self.feed(&dg)?;
                }
                Ok(_) => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock
                            | std::io::ErrorKind::TimedOut
                            | std::io::ErrorKind::ConnectionRefused
                    ) =>
                {
                    self.flush()?;
                }
                Err(e) => return Err(format!("recv: {e}")),
            }
        }
        Ok(())
    }

    /// Protects `data` into one datagram and sends it.
    pub fn send_app(&mut self, data: &[u8]) -> Result<(), String> {
        self.sess
            .encode_to_outdata(data)
            .map_err(|e| format!("encode_to_outdata: {e:?}"))?;
        self.flush()
    }

    /// Whether the received data ends with `tail`.
    pub fn got(&self, tail: &[u8]) -> bool {
        self.received.ends_with(tail)
    }

    /// Sends close_notify.
    pub fn close(&mut self) {
        let _ = self.sess.encode_closure_alert();
        let _ = self.flush();
    }
}

/// What one connection negotiated.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// The protocol version.
    pub version: ProtocolVersion,
    /// The cipher suite.
    pub suite: Option<CipherSuite>,
    /// Whether the handshake resumed a session.
    pub resumed: bool,
    /// The session to resume next time (a client's).
    pub sid: Option<SessionId>,
}

impl Outcome {
    fn of(sess: &DtlsSession) -> Outcome {
        Outcome {
            version: sess.protocol_version(),
            suite: sess.cipher_suite(),
            resumed: sess.is_resumed(),
            sid: sess.session_id(),
        }
    }
}

/// How the peer answers our client's data.
pub enum Reply<'a> {
    /// An echo server.
    Echo,
    /// A peer printing what it receives and sending what its stdin gets.
    Stdio(&'a mut Peer),
}

/// Our client with `keys` against a server on 127.0.0.1:`port`, offering `suite` (0: every
/// usable one) and `resume`: the handshake, data both ways, close_notify.
pub fn run_client(
    ctx: &DtlsContext,
    keys: Arc<Keys>,
    port: u16,
    suite: u16,
    resume: Option<&SessionId>,
    reply: Reply<'_>,
) -> Result<Outcome, String> {
    let sock = UdpSocket::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let peer: SocketAddr = ([127, 0, 0, 1], port).into();
    let sess = ctx
        .new_client_session(keys, resume, suite, None, None)
        .map_err(|e| format!("new_client_session: {e:?}"))?;
    let mut c = DtlsConn::new(sock, peer, sess);
    c.pump("the handshake", STEP, |c| c.completions > 0)?;
    let ping = b"ping from matrix-dtls\n";
    c.send_app(ping)?;
    match reply {
        Reply::Echo => c.pump("the echo", STEP, |c| c.received.ends_with(ping))?,
        Reply::Stdio(peer) => {
            peer.wait_for("ping from matrix-dtls", STEP)?;
            peer.send_stdin("pong from the peer\n");
            c.pump("the peer's data", STEP, |c| {
                c.received.ends_with(b"pong from the peer\n")
            })?;
        }
    }
    c.close();
    Ok(Outcome::of(&c.sess))
}

/// Our server on `sock` for the connections of one peer process, one after the other (a
/// datagram from a new address starts the next session), each with `keys()` and
/// `validator()` (client authentication): each must complete its handshake; the last one
/// also exchanges `ping` (sent to the peer's stdin, expected back from it) and a pong
/// (expected on the peer's stdout). Returns what each negotiated.
pub fn serve(
    sock: &UdpSocket,
    ctx: &DtlsContext,
    sessions: usize,
    peer: &mut Peer,
    ping: &str,
    keys: impl Fn() -> Arc<Keys>,
    validator: impl Fn() -> Option<CertValidator>,
) -> Result<Vec<Outcome>, String> {
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .map_err(|e| e.to_string())?;
    let mut done = Vec::new();
    let mut buf = vec![0u8; 65536];
    let mut first: Option<(SocketAddr, Vec<u8>)> = None;
    for i in 0..sessions {
        let (from, dg) = match first.take() {
            Some(f) => f,
            None => {
                let (n, from) = sock
                    .recv_from(&mut buf)
                    .map_err(|e| format!("no hello from the peer: {e}"))?;
                (from, buf[..n].to_vec())
            }
        };
        let sess = ctx
            .new_server_session(keys(), validator(), from.to_string().as_bytes())
            .map_err(|e| format!("new_server_session: {e:?}"))?;
        let sock = sock.try_clone().map_err(|e| e.to_string())?;
        let mut c = DtlsConn::new(sock, from, sess);
        c.feed(&dg)?;
        c.pump("the handshake", STEP, |c| c.completions > 0)?;
        done.push(Outcome::of(&c.sess));
        if i + 1 < sessions {
            // Wait for the peer's next connection (its close_notify may come first).
            let end = Instant::now() + STEP;
            while first.is_none() && Instant::now() < end {
                match c.sock.recv_from(&mut buf) {
                    Ok((n, f)) if f != from => first = Some((f, buf[..n].to_vec())),
                    Ok((n, _)) => {
                        let dg = buf[..n].to_vec();
                        c.feed(&dg)?;
                    }
                    Err(_) => c.flush()?,
                }
            }
            continue;
        }
        let line = format!("{ping}\n");
        peer.send_stdin(&line);
        c.pump("the peer's data", STEP, |c| {
            c.received.ends_with(line.as_bytes())
        })?;
        c.send_app(b"pong from matrix-dtls\n")?;
        peer.wait_for("pong from matrix-dtls", STEP)?;
    }
    Ok(done)
}
