//! The blocking `Stream` adapter between our own client and server over 127.0.0.1.
// The shared in-memory pair (`support`) needs `std` and both roles.
#![cfg(all(
    feature = "std",
    feature = "client-side-ssl",
    feature = "server-side-ssl"
))]

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use matrix_ssl::Stream;
use support::*;

#[test]
fn stream_both_ways_with_close_notify() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let data = pattern(1 << 20);
    let expect = data.clone();
    let server = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let ctx = ctx();
        let mut st = Stream::new(ctx.new_server_session(server_keys(), None).unwrap(), tcp);
        let mut got = vec![0u8; expect.len()];
        st.read_exact(&mut got).unwrap();
        assert!(got == expect);
        st.write_all(&got).unwrap();
        // The client closes: read returns 0, then we answer with our close_notify.
        let mut rest = Vec::new();
        assert_eq!(st.read_to_end(&mut rest).unwrap(), 0);
        assert!(st.session().peer_closed());
        st.shutdown().unwrap();
    });
    let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let ctx = ctx();
    let sess = ctx
        .new_client_session(client_keys(), None, 0, None, None)
        .unwrap();
    let mut st = Stream::new(sess, tcp);
    st.handshake().unwrap();
    assert!(st.session().is_handshake_complete());
    let writer_data = data.clone();
    st.write_all(&writer_data).unwrap();
    let mut back = vec![0u8; data.len()];
    st.read_exact(&mut back).unwrap();
    assert!(back == data);
    st.shutdown().unwrap();
    let mut rest = Vec::new();
    assert_eq!(st.read_to_end(&mut rest).unwrap(), 0);
    server.join().unwrap();
}

#[test]
fn stream_handshake_failure_is_an_error() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let ctx = ctx();
        let mut st = Stream::new(ctx.new_server_session(server_keys(), None).unwrap(), tcp);
        st.handshake().unwrap_err().kind()
    });
    let tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let ctx = ctx();
    // No CA: the client refuses the server with unknown_ca.
    let sess = ctx
        .new_client_session(
            std::sync::Arc::new(matrix_ssl::Keys::new()),
            None,
            0,
            None,
            None,
        )
        .unwrap();
    let mut st = Stream::new(sess, tcp);
    let e = st.handshake().unwrap_err();
    assert_eq!(e.kind(), std::io::ErrorKind::ConnectionAborted);
    assert_eq!(
        server.join().unwrap(),
        std::io::ErrorKind::ConnectionAborted
    );
}

/// Issue 13 item 4: a `Stream` server that ends the handshake with a fatal alert while
/// the client still has bytes in flight (here an oversized ClientHello, 40 KiB sent at
/// once, most of it unread when the server refuses it at the header) lingers before the
/// socket closes: the client reads the alert and the end of the stream, not a reset. The
/// transport's read timeout is restored afterwards.
#[test]
fn stream_fatal_alert_reaches_a_client_with_bytes_in_flight() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = std::thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        let ctx = ctx();
        let mut st = Stream::new(ctx.new_server_session(server_keys(), None).unwrap(), tcp);
        let e = st.handshake().unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::ConnectionAborted);
        let (_, tcp) = st.into_inner();
        assert_eq!(tcp.read_timeout().unwrap(), Some(Duration::from_secs(30)));
    });
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    // A ClientHello header announcing 40 KiB, then the 40 KiB, in 16 KiB records.
    let mut msg = vec![1, 0, 0xa0, 0x00, 3, 2];
    msg.resize(4 + 0xa000, 0);
    let mut bytes = Vec::new();
    for chunk in msg.chunks(16 * 1024) {
        bytes.extend_from_slice(&[22, 3, 1]);
        bytes.extend_from_slice(&(chunk.len() as u16).to_be_bytes());
        bytes.extend_from_slice(chunk);
    }
    tcp.write_all(&bytes).unwrap();
    let mut got = Vec::new();
    tcp.read_to_end(&mut got)
        .expect("the alert was lost to a reset");
    // illegal_parameter: the hello is over the 16 KiB limit.
    assert_eq!(got, [21, 3, 1, 0, 2, 2, 47]);
    server.join().unwrap();
}
