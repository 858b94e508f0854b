//! The seed corpora only help if a recorded handshake replays against a fresh
//! deterministic session: check that it does, through the public API.

use matrix_fuzz::{
    Path, new_client, new_client_for, new_server, new_server_for, record_handshake,
    record_handshake_for,
};
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

#[test]
fn every_advanced_path_replays_both_ways() {
    for path in Path::ALL {
        let t = record_handshake_for(path, b"hello").unwrap();
        let mut s = new_server_for(path).unwrap();
        let app = feed_all(&mut s, &t.client_flights.concat());
        assert!(s.is_handshake_complete(), "{path:?} server");
        assert_eq!(app, b"hello", "{path:?}");
        assert_eq!(
            s.cipher_suite().map(|c| c.get()),
            Some(path.suite()),
            "{path:?}"
        );
        if path == Path::ClientAuth {
            assert_eq!(
                s.peer_certificates().map(|c| c.len()),
                Some(2),
                "the client's chain"
            );
        }

        let mut c = new_client_for(path).unwrap();
        let hello = c.get_outdata().len();
        c.sent_data(hello).unwrap();
        let app = feed_all(&mut c, &t.server_flights.concat());
        assert!(c.is_handshake_complete(), "{path:?} client");
        assert_eq!(app, b"hello", "{path:?}: the server's echo");
    }
}
