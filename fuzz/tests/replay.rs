//! The seed corpora only help if a recorded handshake replays against a fresh
//! deterministic session: check that it does, through the public API.

use matrix_fuzz::{new_client, new_server, record_handshake};
use matrix_ssl::Received;

fn feed_all(s: &mut matrix_ssl::Session, bytes: &[u8]) -> Vec<u8> {
    let mut app = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let buf = s.get_readbuf();
        let n = buf.len().min(rest.len());
        buf[..n].copy_from_slice(&rest[..n]);
        rest = &rest[n..];
        let mut r = s.received_data(n).unwrap();
        loop {
            match r {
                Received::AppData(d) => app.extend_from_slice(d),
                Received::Alert { .. } => {}
                _ => break,
            }
            r = s.processed_data().unwrap();
        }
        let out = s.get_outdata().len();
        if out > 0 {
            s.sent_data(out).unwrap();
        }
    }
    app
}

#[test]
fn recorded_client_flights_replay_against_a_fresh_server() {
    let t = record_handshake(b"hello").unwrap();
    let mut s = new_server().unwrap();
    let app = feed_all(&mut s, &t.client_flights.concat());
    assert!(s.is_handshake_complete());
    assert_eq!(app, b"hello");
    assert!(s.peer_closed());
}

#[test]
fn recorded_server_flights_replay_against_a_fresh_client() {
    let t = record_handshake(b"hello").unwrap();
    let mut c = new_client().unwrap();
    let hello = c.get_outdata().len();
    c.sent_data(hello).unwrap();
    let app = feed_all(&mut c, &t.server_flights.concat());
    assert!(c.is_handshake_complete());
    assert_eq!(app, b"hello", "the server's echo");
}
