//! Issue 13 items 4 and 5: when matrix-server ends a connection with a fatal alert while
//! the client still has bytes in flight, the client reads the alert record and then end
//! of stream, never "connection reset" (the server shuts down its write side and drains
//! the socket before closing it, `matrix_ssl::linger`).
//!
//! The client is a raw socket speaking TLS 1.1 by hand: it sends its whole second flight
//! in one write without waiting for an answer, as the conformance suite's client did,
//! with application data pipelined behind it, so that bytes are still unread in the
//! server's socket when it refuses the flight (on a real network the rest of a flight
//! arriving a moment late does the same). Also: an oversized ClientHello sent at once
//! (item 5), and OpenSSL's s_client with an untrusted certificate (which passed before
//! the fix too: its flight is small and arrives in one segment).

mod common;

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use common::{T, our_server};
use matrix_interop::{Peer, testkeys};

const TLS11: u16 = 0x0302;
/// Application data pipelined behind the flight: more than the server reads at once.
const PIPELINED: usize = 40 * 1024;
const BAD_RECORD_MAC: u8 = 20;
const HANDSHAKE_FAILURE: u8 = 40;
const BAD_CERTIFICATE: u8 = 42;
const ILLEGAL_PARAMETER: u8 = 47;
const UNKNOWN_CA: u8 = 48;
const DECRYPT_ERROR: u8 = 51;

fn record(ct: u8, body: &[u8]) -> Vec<u8> {
    let mut r = vec![ct];
    r.extend_from_slice(&TLS11.to_be_bytes());
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

fn handshake(msg_type: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![msg_type];
    m.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    m.extend_from_slice(body);
    record(22, &m)
}

/// A TLS 1.1 ClientHello offering TLS_RSA_WITH_AES_128_CBC_SHA and the SCSV, with an
/// extension of `padding` bytes.
fn client_hello(padding: usize) -> Vec<u8> {
    let mut b = TLS11.to_be_bytes().to_vec();
    b.extend_from_slice(&[0x42; 32]);
    b.push(0);
    b.extend_from_slice(&[0, 4, 0x00, 0x2f, 0x00, 0xff, 1, 0]);
    b.extend_from_slice(&((padding + 4) as u16).to_be_bytes());
    b.extend_from_slice(&[0x12, 0x34]);
    b.extend_from_slice(&(padding as u16).to_be_bytes());
    b.extend(std::iter::repeat_n(0u8, padding));
    let mut m = vec![1];
    m.extend_from_slice(&(b.len() as u32).to_be_bytes()[1..]);
    m.extend_from_slice(&b);
    // A message over 16 KiB needs several records.
    m.chunks(16 * 1024).flat_map(|c| record(22, c)).collect()
}

/// A Certificate message with these DER certificates.
fn certificate(ders: &[Vec<u8>]) -> Vec<u8> {
    let mut list = Vec::new();
    for d in ders {
        list.extend_from_slice(&(d.len() as u32).to_be_bytes()[1..]);
        list.extend_from_slice(d);
    }
    let mut body = (list.len() as u32).to_be_bytes()[1..].to_vec();
    body.extend_from_slice(&list);
    handshake(11, &body)
}

/// A 256-byte opaque vector with a 2-byte length (an RSA ClientKeyExchange or
/// CertificateVerify for the 2048-bit keys): its content does not matter here, the
/// server's decryption never fails visibly and a signature of 0x01 bytes never verifies.
fn opaque_256(msg_type: u8, fill: u8) -> Vec<u8> {
    let mut body = vec![1, 0];
    body.extend_from_slice(&[fill; 256]);
    handshake(msg_type, &body)
}

fn client_chain() -> Vec<Vec<u8>> {
    let pem = std::fs::read(testkeys("rsa2048/client-chain.pem")).unwrap();
    matrix_x509::CertChain::from_bytes(&pem)
        .unwrap()
        .certs()
        .iter()
        .map(|c| c.der.clone())
        .collect()
}

/// Connects, sends the ClientHello and reads the server's flight up to ServerHelloDone.
fn start(port: u16) -> TcpStream {
    let mut tcp = matrix_interop::connect(port, T);
    tcp.set_nodelay(true).unwrap();
    tcp.set_read_timeout(Some(T)).unwrap();
    tcp.write_all(&client_hello(16)).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !got.ends_with(&[14, 0, 0, 0]) {
        let n = tcp.read(&mut buf).unwrap();
        assert!(n > 0, "the server closed before ServerHelloDone");
        got.extend_from_slice(&buf[..n]);
    }
    tcp
}

/// Sends `first` and `rest` in one write, followed by `PIPELINED` bytes of application
/// data records (a client sending its request right behind its Finished), and reads
/// everything the server sends until it closes. The server refuses `first`; what follows
/// is still unread in its socket when it closes, which used to make its kernel send a
/// reset that cost us the alert.
fn send_and_read(mut tcp: TcpStream, first: &[u8], rest: &[u8]) -> io::Result<Vec<u8>> {
    let mut all = [first, rest].concat();
    for _ in 0..PIPELINED / 4096 {
        all.extend_from_slice(&record(23, &[0x61; 4096]));
    }
    tcp.write_all(&all)?;
    let mut got = Vec::new();
    tcp.read_to_end(&mut got)?;
    Ok(got)
}

/// The reply must be exactly one plaintext fatal alert with one of `want`, then the end of
/// the stream; what went wrong otherwise.
fn check_alert(case: &str, reply: io::Result<Vec<u8>>, want: &[u8]) -> Option<String> {
    match reply {
        Err(e) => Some(format!("{case}: the alert was lost: {e}")),
        Ok(got) if got.len() == 7 && got[..6] == [21, 3, 2, 0, 2, 2] && want.contains(&got[6]) => {
            None
        }
        Ok(got) => Some(format!(
            "{case}: want a fatal alert of {want:?}, got {got:?}"
        )),
    }
}

#[test]
fn fatal_alerts_reach_a_client_that_sent_its_whole_flight() {
    let (mut server, port) = our_server(&["--verify", "--count", "4"]);
    let ccs_finished = [record(20, &[1]), record(22, &[0x5a; 48])].concat();
    let mut wrong = Vec::new();

    // An empty client Certificate, then the ClientKeyExchange, ChangeCipherSpec and
    // Finished: handshake_failure at the Certificate (bad_record_mac at the Finished in
    // builds with `server-will-accept-empty-client-cert-msg`, which go on without one).
    let tcp = start(port);
    let rest = [opaque_256(16, 0x33), ccs_finished.clone()].concat();
    let reply = send_and_read(tcp, &certificate(&[]), &rest);
    wrong.extend(check_alert(
        "empty certificate",
        reply,
        &[HANDSHAKE_FAILURE, BAD_RECORD_MAC],
    ));

    // An untrusted client certificate (the leaf without its intermediate).
    let tcp = start(port);
    let leaf = client_chain().remove(0);
    let rest = [
        opaque_256(16, 0x33),
        opaque_256(15, 0x01),
        ccs_finished.clone(),
    ]
    .concat();
    let reply = send_and_read(tcp, &certificate(&[leaf]), &rest);
    wrong.extend(check_alert(
        "untrusted certificate",
        reply,
        &[UNKNOWN_CA, BAD_CERTIFICATE],
    ));

    // A trusted chain and a CertificateVerify that does not verify, then
    // ChangeCipherSpec and Finished: decrypt_error.
    let tcp = start(port);
    let first = [
        certificate(&client_chain()),
        opaque_256(16, 0x33),
        opaque_256(15, 0x01),
    ]
    .concat();
    let reply = send_and_read(tcp, &first, &ccs_finished);
    wrong.extend(check_alert(
        "bad CertificateVerify",
        reply,
        &[DECRYPT_ERROR],
    ));

    // Item 5: a ClientHello over the 16 KiB limit, all sent at once: illegal_parameter.
    let mut tcp = matrix_interop::connect(port, T);
    tcp.set_read_timeout(Some(T)).unwrap();
    tcp.write_all(&client_hello(40 * 1024)).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let mut got = Vec::new();
    let reply = tcp.read_to_end(&mut got).map(|_| got);
    wrong.extend(check_alert(
        "40 KiB ClientHello",
        reply,
        &[ILLEGAL_PARAMETER],
    ));

    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Every connection failed, so the server reports a failure.
    assert!(!server.wait_exit(T).unwrap());
    let log = server.output().join("\n");
    assert_eq!(log.matches("handshake failed").count(), 4, "{log}");
}

/// OpenSSL's s_client with a certificate the server does not trust (the leaf without its
/// intermediate), against a server that verifies client certificates: it prints the alert
/// it received.
#[test]
fn openssl_s_client_reads_the_alert() {
    let (mut server, port) = our_server(&["--verify", "--count", "1"]);
    let connect = format!("127.0.0.1:{port}");
    let cert = testkeys("rsa2048/client.pem");
    let key = testkeys("rsa2048/client.key");
    let mut c = Peer::spawn(
        "openssl",
        &[
            "s_client",
            "-connect",
            &connect,
            "-tls1_1",
            "-cipher",
            "AES128-SHA:@SECLEVEL=0",
            "-cert",
            &cert,
            "-key",
            &key,
        ],
    );
    let _ = c.wait_exit(T);
    let out = c.output().join("\n");
    assert!(
        out.contains("alert unknown ca") || out.contains("alert bad certificate"),
        "{out}"
    );
    assert!(!out.contains("reset"), "{out}");
    assert!(!server.wait_exit(T).unwrap());
}
