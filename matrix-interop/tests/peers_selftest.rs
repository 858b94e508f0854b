//! The peers themselves work on this machine: OpenSSL against OpenSSL, tlslite-ng against
//! nassl's legacy client (SSL 3.0), GnuTLS against GnuTLS. If these fail, the interop tests'
//! failures are about the machine, not about matrix.

use std::time::Duration;

use matrix_interop::{Peer, free_port, peer_script, peers_python, testkeys};

const T: Duration = Duration::from_secs(20);

#[test]
fn openssl_talks_to_openssl_tls1_1() {
    let port = free_port();
    let accept = format!("127.0.0.1:{port}");
    let mut server = Peer::spawn(
        "openssl",
        &[
            "s_server",
            "-accept",
            &accept,
            "-tls1_1",
            "-cipher",
            "AES128-SHA:@SECLEVEL=0",
            "-key",
            &testkeys("rsa2048/server.key"),
            "-cert",
            &testkeys("rsa2048/server.pem"),
            "-www",
            "-naccept",
            "1",
        ],
    );
    server.wait_for("ACCEPT", T).unwrap();
    let connect = format!("127.0.0.1:{port}");
    let mut client = Peer::spawn(
        "openssl",
        &[
            "s_client",
            "-connect",
            &connect,
            "-tls1_1",
            "-cipher",
            "AES128-SHA:@SECLEVEL=0",
        ],
    );
    client.send_stdin("GET / HTTP/1.0\r\n\r\n");
    // "New, SSLv3, Cipher is AES128-SHA" names the suite's origin; "Protocol" the version.
    let line = client.wait_for("Cipher is", T).unwrap();
    assert!(line.contains("AES128-SHA"), "{line}");
    let proto = client.wait_for("Protocol  :", T).unwrap();
    assert!(proto.contains("TLSv1.1"), "{proto}");
}

#[test]
fn tlslite_server_and_nassl_legacy_client_speak_ssl3() {
    let python = peers_python();
    let mut server = Peer::spawn(
        &python,
        &[
            &peer_script("tl_peer.py"),
            "server",
            "--port",
            "0",
            "--min",
            "ssl3",
            "--max",
            "ssl3",
            "--cipher",
            "rc4",
            "--mac",
            "md5",
            "--cert",
            &testkeys("rsa2048/server.pem"),
            "--key",
            &testkeys("rsa2048/server.key"),
        ],
    );
    let port = server.listening_port(T).unwrap().to_string();
    let mut client = Peer::spawn(
        &python,
        &[
            &peer_script("nassl_client.py"),
            "--port",
            &port,
            "--ver",
            "ssl3",
            "--cipher",
            "RC4-MD5",
        ],
    );
    let r = client.wait_for("RESULT", T).unwrap();
    assert!(r.contains("RC4-MD5"), "{r}");
    let s = server.wait_for("RESULT", T).unwrap();
    assert!(s.contains("version=ssl3") && s.contains("0x0004"), "{s}");
}

#[test]
fn gnutls_is_installed() {
    let mut p = Peer::spawn("gnutls-serv", &["--version"]);
    let v = p.wait_for("gnutls", T).unwrap();
    assert!(v.contains("3."), "{v}");
}
