//! A server whose key comes from its components and whose chain may be opaque DER
//! (`Keys::load_rsa_keys_components`): the smallest server, built without `cert-parse` and
//! `private-key-parsing`, and the same API with them.
//!
//! Runs in any build with `std` and `server-side-ssl`; the in-memory handshake needs the
//! client role too, the `openssl s_client` one AES128-SHA and TLS 1.0. The minimal server
//! runs it as
//! `cargo test -p matrix-ssl --no-default-features --features std,pem-decode,server-side-ssl,tls,tls-rsa-with-aes-128-cbc-sha --test keys_components`.
#![cfg(all(feature = "std", feature = "pem-decode", feature = "server-side-ssl"))]

use std::sync::Arc;

use matrix_ssl::{Error, Keys, RsaKeyComponents};

fn testkeys(rel: &str) -> String {
    format!("{}/../testkeys/{rel}", env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(testkeys(rel)).unwrap()
}

/// The component `name` of `testkeys/rsa2048/server-components.txt` (`name=HEX` lines).
fn component(name: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(testkeys("rsa2048/server-components.txt")).unwrap();
    let hex = text
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("no component {name}"));
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

/// The rsa2048 server key's components, owned.
struct Parts([Vec<u8>; 8]);

impl Parts {
    fn load() -> Parts {
        Parts(["n", "e", "d", "p", "q", "dp", "dq", "qinv"].map(component))
    }

    fn get(&self) -> RsaKeyComponents<'_> {
        let [n, e, d, p, q, dp, dq, qinv] = &self.0;
        RsaKeyComponents {
            n,
            e,
            d,
            p,
            q,
            dp,
            dq,
            qinv,
        }
    }
}

/// server.der then intermediate.der, back to back.
fn der_chain() -> Vec<u8> {
    let mut chain = read("rsa2048/server.der");
    chain.extend(read("rsa2048/intermediate.der"));
    chain
}

fn server_keys(chain: &[u8]) -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_rsa_keys_components(chain, &Parts::load().get(), None)
        .unwrap();
    assert!(k.has_rsa_identity());
    Arc::new(k)
}

#[test]
fn components_load_with_der_or_pem_chains() {
    server_keys(&der_chain());
    server_keys(&read("rsa2048/server-chain.pem"));
    server_keys(&read("rsa2048/server.der"));
}

#[test]
fn a_key_that_is_not_the_leafs_is_refused() {
    // The server's key with the client's certificate, and with the CA's.
    for cert in ["rsa2048/client.der", "rsa2048/ca.pem"] {
        let mut k = Keys::new();
        assert_eq!(
            k.load_rsa_keys_components(&read(cert), &Parts::load().get(), None),
            Err(Error::CertAuthFail),
            "{cert}"
        );
        assert!(!k.has_rsa_identity());
    }
}

#[test]
fn components_that_do_not_form_a_key_are_refused() {
    let mut parts = Parts::load();
    // q one bigger: p * q is no longer n.
    if let Some(last) = parts.0[4].last_mut() {
        *last ^= 2;
    }
    let mut k = Keys::new();
    assert_eq!(
        k.load_rsa_keys_components(&der_chain(), &parts.get(), None),
        Err(Error::ArgFail)
    );
}

#[test]
fn keys_load_once() {
    let mut k = Keys::new();
    let parts = Parts::load();
    k.load_rsa_keys_components(&der_chain(), &parts.get(), None)
        .unwrap();
    assert_eq!(
        k.load_rsa_keys_components(&der_chain(), &parts.get(), None),
        Err(Error::ArgFail)
    );
}

/// Every truncation of the DER chain fails cleanly, except the two that end on a
/// certificate boundary (the leaf alone, the whole chain).
#[test]
fn truncated_chains_fail_without_panic() {
    let chain = der_chain();
    let leaf_len = read("rsa2048/server.der").len();
    let parts = Parts::load();
    for cut in 0..chain.len() {
        let mut k = Keys::new();
        let r = k.load_rsa_keys_components(&chain[..cut], &parts.get(), None);
        if cut == leaf_len {
            assert_eq!(r, Ok(()), "cut at {cut}");
        } else {
            assert!(r.is_err(), "cut at {cut} was accepted");
        }
    }
    let mut not_der = chain.clone();
    not_der[0] = 0x31;
    assert_eq!(
        Keys::new().load_rsa_keys_components(&not_der, &parts.get(), None),
        Err(Error::ParseFail)
    );
}

/// What the parser adds: a chain whose links do not sign each other is refused with it and
/// sent as given without it (the peer finds out).
#[cfg(feature = "cert-parse")]
#[test]
fn broken_chain_links_are_refused_with_the_parser() {
    let mut chain = read("rsa2048/server.pem");
    chain.extend(read("rsa1024/ca.pem"));
    assert_eq!(
        Keys::new().load_rsa_keys_components(&chain, &Parts::load().get(), None),
        Err(Error::CertAuthFail)
    );
}

/// Without the parser the links are not checked (documented in FEATURES.md).
#[cfg(not(feature = "cert-parse"))]
#[test]
fn broken_chain_links_are_not_checked_without_the_parser() {
    let mut chain = read("rsa2048/server.pem");
    chain.extend(read("rsa1024/ca.pem"));
    assert_eq!(
        Keys::new().load_rsa_keys_components(&chain, &Parts::load().get(), None),
        Ok(())
    );
}

/// A P-256 certificate cannot carry our RSA key: the parser sees an algorithm it cannot
/// use (`PS_UNSUPPORTED_FAIL`, as MatrixSSL answers for such certificate material)...
#[cfg(feature = "cert-parse")]
#[test]
fn a_non_rsa_certificate_is_unsupported_with_the_parser() {
    assert_eq!(
        Keys::new().load_rsa_keys_components(
            &read("ec/server-p256.pem"),
            &Parts::load().get(),
            None
        ),
        Err(Error::UnsupportedFail)
    );
}

/// ... and without the parser the key is simply not in it.
#[cfg(not(feature = "cert-parse"))]
#[test]
fn a_non_rsa_certificate_lacks_the_key_without_the_parser() {
    assert_eq!(
        Keys::new().load_rsa_keys_components(
            &read("ec/server-p256.pem"),
            &Parts::load().get(),
            None
        ),
        Err(Error::CertAuthFail)
    );
}

#[cfg(not(feature = "cert-parse"))]
#[test]
fn cas_are_unsupported_without_the_parser() {
    let mut k = Keys::new();
    assert_eq!(
        k.load_rsa_keys_mem(None, None, Some(&read("rsa2048/ca.der"))),
        Err(Error::UnsupportedFail)
    );
    assert_eq!(
        k.load_rsa_keys_components(
            &der_chain(),
            &Parts::load().get(),
            Some(&read("rsa2048/ca.der"))
        ),
        Err(Error::UnsupportedFail)
    );
}

#[cfg(not(feature = "private-key-parsing"))]
#[test]
fn key_files_are_unsupported_without_the_key_parser() {
    let mut k = Keys::new();
    assert_eq!(
        k.load_rsa_keys_mem(
            Some(&der_chain()),
            Some(&read("rsa2048/server-pkcs1.der")),
            None
        ),
        Err(Error::UnsupportedFail)
    );
    // The failed load did not use up the one load a `Keys` allows.
    k.load_rsa_keys_components(&der_chain(), &Parts::load().get(), None)
        .unwrap();
}

#[cfg(feature = "client-side-ssl")]
mod with_client {
    //! Our client against the component-loaded server, in memory.

    use std::sync::Arc;

    use matrix_ssl::{Keys, Received, Sent, Session};

    fn feed(to: &mut Session, mut bytes: &[u8], got: &mut Vec<u8>) {
        while !bytes.is_empty() {
            let buf = to.get_readbuf();
            let n = buf.len().min(bytes.len());
            buf[..n].copy_from_slice(&bytes[..n]);
            bytes = &bytes[n..];
            let mut r = to.received_data(n).unwrap();
            loop {
                match r {
                    Received::AppData(d) => got.extend_from_slice(d),
                    Received::Alert { level, description } => {
                        panic!("alert {level:?} {description:?}")
                    }
                    _ => break,
                }
                r = to.processed_data().unwrap();
            }
        }
    }

    fn pump(from: &mut Session, to: &mut Session, got: &mut Vec<u8>) {
        loop {
            let out = from.get_outdata().to_vec();
            if out.is_empty() {
                return;
            }
            let sent = from.sent_data(out.len()).unwrap();
            assert_ne!(sent, Sent::RequestClose);
            feed(to, &out, got);
        }
    }

    #[test]
    fn our_client_authenticates_the_component_server() {
        let mut config = matrix_ssl::Config::default();
        // The chain is checked after the handshake.
        config.keep_peer_certificates = true;
        let ctx = matrix_ssl::open(config).unwrap();
        for chain in [super::der_chain(), super::read("rsa2048/server-chain.pem")] {
            let mut c = ctx
                .new_client_session(client_keys(), None, 0, None, None)
                .unwrap();
            let mut s = ctx
                .new_server_session(super::server_keys(&chain), None)
                .unwrap();
            let mut got = Vec::new();
            for _ in 0..10 {
                pump(&mut c, &mut s, &mut got);
                pump(&mut s, &mut c, &mut got);
            }
            assert!(c.is_handshake_complete() && s.is_handshake_complete());
            // The client received exactly the DER the server was given.
            let peer = c.peer_certificates().expect("the server's chain");
            let ders: Vec<&[u8]> = peer.certs().iter().map(|x| x.der.as_slice()).collect();
            assert_eq!(
                ders,
                [
                    super::read("rsa2048/server.der").as_slice(),
                    super::read("rsa2048/intermediate.der").as_slice()
                ]
            );
            c.encode_to_outdata(b"over the component key").unwrap();
            pump(&mut c, &mut s, &mut got);
            assert_eq!(got, b"over the component key");
        }
    }

    /// The test CA (a `Keys` loads once, so one per session here).
    fn client_keys() -> Arc<Keys> {
        let mut k = Keys::new();
        k.load_rsa_keys_mem(None, None, Some(&super::read("rsa2048/ca.der")))
            .unwrap();
        Arc::new(k)
    }
}

#[cfg(all(feature = "tls", feature = "tls-rsa-with-aes-128-cbc-sha"))]
mod with_openssl {
    //! `openssl s_client` verifies the chain the component server sends against the test
    //! CA: the opaque DER went out intact.

    use std::io::{Read, Write};
    use std::net::TcpListener;
    use std::process::{Command, Stdio};
    use std::sync::mpsc;
    use std::time::Duration;

    use matrix_ssl::Stream;

    /// Kills the child when dropped, so a failing assertion leaves no process behind.
    struct Reaper(std::process::Child);

    impl Drop for Reaper {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    #[test]
    fn openssl_s_client_verifies_the_component_server() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, rx) = mpsc::channel();
        let server = std::thread::spawn(move || {
            let (tcp, _) = listener.accept().unwrap();
            tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
            let ctx = matrix_ssl::open(matrix_ssl::Config::default()).unwrap();
            let sess = ctx
                .new_server_session(super::server_keys(&super::der_chain()), None)
                .unwrap();
            let mut st = Stream::new(sess, tcp);
            let r = st.handshake();
            let mut line = Vec::new();
            let mut b = [0u8; 1];
            while r.is_ok() && st.read(&mut b).unwrap_or(0) == 1 {
                line.push(b[0]);
                if b[0] == b'\n' {
                    break;
                }
            }
            let _ = st.write_all(b"pong\n");
            let _ = st.shutdown();
            tx.send((r.map_err(|e| e.to_string()), line)).unwrap();
        });
        let mut child = Command::new("openssl")
            .args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
            .args(["-tls1", "-cipher", "AES128-SHA:@SECLEVEL=0"])
            .args(["-CAfile", &super::testkeys("rsa2048/ca.pem")])
            .args(["-verify_return_error", "-quiet", "-ign_eof"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl must be installed for this test");
        let mut stdin = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let _reaper = Reaper(child);
        stdin.write_all(b"ping\n").unwrap();
        stdin.flush().unwrap();
        let (r, line) = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("our server did not finish in time");
        assert_eq!(r, Ok(()));
        assert_eq!(line, b"ping\n");
        let mut answer = [0u8; 5];
        stdout.read_exact(&mut answer).unwrap();
        assert_eq!(&answer, b"pong\n");
        server.join().unwrap();
    }
}

/// Key files need the key parser; the chain files are read with or without the certificate
/// parser (opaque DER without it), from a `;`-separated list.
#[cfg(feature = "file-system")]
#[test]
fn key_and_chain_files() {
    let list = format!(
        "{};{}",
        testkeys("rsa2048/server.pem"),
        testkeys("rsa2048/intermediate.der")
    );
    let key = testkeys("rsa2048/server.key");
    let mut k = Keys::new();
    let r = k.load_rsa_keys(Some(&list), Some(&key), None, None);
    if cfg!(feature = "private-key-parsing") {
        assert_eq!(r, Ok(()));
        assert!(format!("{k:?}").contains("certificates: 2"), "{k:?}");
    } else {
        assert_eq!(r, Err(Error::UnsupportedFail));
    }
    let missing = format!("{};/nonexistent/matrix.pem", testkeys("rsa2048/server.pem"));
    assert_eq!(
        Keys::new().load_rsa_keys(Some(&missing), Some(&key), None, None),
        Err(Error::PlatformFail)
    );
}
