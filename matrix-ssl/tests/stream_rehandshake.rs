//! The blocking `Stream` during re-handshakes the peer starts, between our own client and
//! server threads over 127.0.0.1: reads return the data that arrives while the
//! re-handshake runs (sending the handshake messages the session produces before blocking
//! again), and writes go out without waiting for the re-handshake to finish. Each side
//! stops talking to its transport at the point where a Stream that waited for the
//! re-handshake would block forever; channels and read timeouts turn such a hang into a
//! failure.
#![cfg(feature = "secure-rehandshakes")]

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::channel;
use std::time::Duration;

use matrix_ssl::Stream;
use support::*;

const WAIT: Duration = Duration::from_secs(10);

/// Reads until `want` has arrived (one byte at a time, so nothing beyond it is consumed
/// from the Stream's buffer).
fn read_exactly<S: Read + Write>(st: &mut Stream<S>, want: &[u8]) {
    let mut got = vec![0u8; want.len()];
    for b in got.iter_mut() {
        let mut one = [0u8; 1];
        let n = st
            .read(&mut one)
            .unwrap_or_else(|e| panic!("reading {want:?}: {e}"));
        assert_eq!(n, 1, "closed while reading {want:?}");
        *b = one[0];
    }
    assert_eq!(got, want);
}

#[test]
fn data_flows_both_ways_during_peer_initiated_rehandshakes() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // client -> server and server -> client "I have done my part" signals.
    let (to_server, from_client) = channel::<&'static str>();
    let (to_client, from_server) = channel::<&'static str>();

    let server = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        tcp.set_read_timeout(Some(WAIT)).unwrap();
        let ctx = ctx();
        let mut st = Stream::new(ctx.new_server_session(server_keys(), None).unwrap(), tcp);
        st.handshake().unwrap();

        // Phase 1, started by the server: A, HelloRequest, B; then nothing until the
        // client has read both and written C in the middle of its re-handshake.
        st.write_all(b"A").unwrap();
        st.session_mut()
            .encode_rehandshake(None, None, None, 0)
            .unwrap();
        st.write_all(b"B").unwrap();
        assert_eq!(from_client.recv_timeout(WAIT), Ok("got AB, wrote C"));
        read_exactly(&mut st, b"C");
        st.write_all(b"D").unwrap();
        read_exactly(&mut st, b"E");
        assert!(st.session().is_handshake_complete());

        // Phase 2, started by the client: its hello and X arrive; the server reads X and
        // writes Y while the re-handshake is under way, the client not reading yet.
        read_exactly(&mut st, b"X");
        assert!(!st.session().is_handshake_complete());
        st.write_all(b"Y").unwrap();
        to_client.send("got X, wrote Y").unwrap();
        read_exactly(&mut st, b"Z");
        assert!(st.session().is_handshake_complete());
        st.write_all(b"done").unwrap();
        let mut rest = Vec::new();
        assert_eq!(st.read_to_end(&mut rest).unwrap(), 0);
        st.shutdown().unwrap();
    });

    let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(WAIT)).unwrap();
    let ctx = ctx();
    let sess = ctx
        .new_client_session(client_keys(), None, 0, None, None)
        .unwrap();
    let mut st = Stream::new(sess, tcp);
    st.handshake().unwrap();

    // Phase 1: A, then B, which came after the HelloRequest: the re-handshake is running.
    read_exactly(&mut st, b"A");
    read_exactly(&mut st, b"B");
    assert!(!st.session().is_handshake_complete());
    st.write_all(b"C").unwrap();
    to_server.send("got AB, wrote C").unwrap();
    read_exactly(&mut st, b"D");
    assert!(st.session().is_handshake_complete());
    st.write_all(b"E").unwrap();

    // Phase 2: our re-handshake, with X right behind the hello (through the buffer API:
    // the Stream's own writes wait for a re-handshake this side started).
    st.session_mut()
        .encode_rehandshake(None, None, None, 0)
        .unwrap();
    st.session_mut().encode_to_outdata(b"X").unwrap();
    st.flush().unwrap();
    assert_eq!(from_server.recv_timeout(WAIT), Ok("got X, wrote Y"));
    read_exactly(&mut st, b"Y");
    // The write waits for the re-handshake to complete.
    st.write_all(b"Z").unwrap();
    assert!(st.session().is_handshake_complete());
    assert!(st.session().is_resumed());
    read_exactly(&mut st, b"done");
    st.shutdown().unwrap();
    server.join().unwrap();
}
