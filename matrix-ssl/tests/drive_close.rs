//! The peer's close_notify through the shared driving loop (`Stream`): reads end with 0,
//! and a write after it is refused as the peer's clean close (`BrokenPipe`), not as a
//! protocol failure (the session itself answers `PS_PROTOCOL_FAIL`).
// The shared in-memory pair (`support`) needs `std` and both roles.
#![cfg(all(
    feature = "std",
    feature = "client-side-ssl",
    feature = "server-side-ssl"
))]

mod support;

use std::io::{ErrorKind, Read, Write};
use std::os::unix::net::UnixStream;

use matrix_ssl::Stream;
use support::*;

#[test]
fn close_notify_is_a_clean_close() {
    let (a, b) = UnixStream::pair().unwrap();
    let server = std::thread::spawn(move || {
        let sess = ctx().new_server_session(server_keys(), None).unwrap();
        let mut s = Stream::new(sess, b);
        s.write_all(b"bye").unwrap();
        s.shutdown().unwrap();
        // Our close_notify answered by the client's: the read ends cleanly.
        let mut rest = Vec::new();
        assert_eq!(s.read_to_end(&mut rest).unwrap(), 0);
        assert!(s.session().peer_closed());
    });
    let sess = ctx()
        .new_client_session(client_keys(), None, 0, None, None)
        .unwrap();
    let mut c = Stream::new(sess, a);
    let mut got = Vec::new();
    c.read_to_end(&mut got).unwrap();
    assert_eq!(got, b"bye");
    assert!(c.session().peer_closed());
    let e = c.write(b"more").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BrokenPipe, "{e}");
    assert!(e.to_string().contains("close_notify"), "{e}");
    // Our own close_notify still goes out.
    c.shutdown().unwrap();
    server.join().unwrap();
}
