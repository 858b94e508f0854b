//! A client and a server session over real UDP sockets on 127.0.0.1 (one socket per
//! peer), driven the way an application does: send what `get_outdata` returns until it
//! returns nothing, receive one datagram per `recv` into `get_readbuf`, and call
//! `get_outdata` again when the receive times out (the retransmission timer). Both ends
//! run on this thread, each polling its socket with a short timeout.

mod support;

use std::net::UdpSocket;
use std::time::{Duration, Instant};

use matrix_dtls::DtlsSession;
use matrix_ssl::{Received, Sent};
use support::*;

struct End {
    sock: UdpSocket,
    s: DtlsSession,
    got: Vec<u8>,
    complete: bool,
}

impl End {
    fn flush(&mut self) {
        loop {
            let d = self.s.get_outdata();
            if d.is_empty() {
                break;
            }
            let n = self.sock.send(d).unwrap();
            if self.s.sent_data(n).unwrap() == Sent::HandshakeComplete {
                self.complete = true;
            }
        }
    }

    /// One receive; a timeout is a retransmission timer expiry.
    fn poll(&mut self) {
        let buf = self.s.get_readbuf();
        match self.sock.recv(buf) {
            Ok(n) => {
                let mut r = self.s.received_data(n).unwrap();
                loop {
                    match r {
                        Received::AppData(d) => {
                            self.got.extend_from_slice(d);
                            r = self.s.processed_data().unwrap();
                        }
                        Received::HandshakeComplete => {
                            self.complete = true;
                            break;
                        }
                        Received::Alert { .. } => panic!("alert"),
                        _ => break,
                    }
                }
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => panic!("{e}"),
        }
        self.flush();
    }
}

#[test]
fn handshake_and_data_over_udp_loopback() {
    let ctx = ctx();
    ctx.set_pmtu(512);
    let cs = UdpSocket::bind("127.0.0.1:0").unwrap();
    let ss = UdpSocket::bind("127.0.0.1:0").unwrap();
    cs.connect(ss.local_addr().unwrap()).unwrap();
    ss.connect(cs.local_addr().unwrap()).unwrap();
    for s in [&cs, &ss] {
        s.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
    }
    let addr = cs.local_addr().unwrap().to_string();
    let mut client = End {
        sock: cs,
        s: ctx
            .new_client_session(client_keys(), None, 0, None, None)
            .unwrap(),
        got: Vec::new(),
        complete: false,
    };
    let mut server = End {
        sock: ss,
        s: ctx
            .new_server_session(server_keys(), None, addr.as_bytes())
            .unwrap(),
        got: Vec::new(),
        complete: false,
    };
    client.flush();
    let start = Instant::now();
    while !(client.complete && server.complete) {
        assert!(start.elapsed() < Duration::from_secs(20), "no handshake");
        server.poll();
        client.poll();
    }
    let msg: Vec<u8> = (0..20_000u32).map(|i| i as u8).collect();
    for chunk in msg.chunks(client.s.max_app_data()) {
        client.s.encode_to_outdata(chunk).unwrap();
    }
    client.flush();
    let start = Instant::now();
    while server.got.len() < msg.len() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "data lost on loopback"
        );
        server.poll();
    }
    assert_eq!(server.got, msg);
    server.s.encode_to_outdata(b"thanks").unwrap();
    server.flush();
    while client.got.is_empty() {
        assert!(start.elapsed() < Duration::from_secs(20));
        client.poll();
    }
    assert_eq!(client.got, b"thanks");
}
