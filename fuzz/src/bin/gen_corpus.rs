//! Writes the seed corpora under `fuzz/corpus/<target>/`: real flights recorded from a
//! handshake between our deterministic client and server (which replay against the
//! harnesses' sessions, see `matrix_fuzz::record_handshake`), each record and handshake
//! message of them for the codec targets, hand-made messages for what that handshake does
//! not send, and the test PKI's files for the X.509 and key targets.
//!
//! Rerun after a change that alters the handshake's bytes:
//! `cargo run --manifest-path fuzz/Cargo.toml --no-default-features --bin gen-corpus`.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use matrix_fuzz::peer_seed::{handshake_messages, plaintext_handshake, records};
use matrix_ssl::codec::handshake::{
    CertificateRequest, CertificateVerify, ClientHello, ClientKeyExchange, Extension, Finished,
    HandshakePayload, HelloRequest, HelloVerifyRequest, ServerDhParams, ServerKeyExchange,
    ServerName,
};
use matrix_ssl::codec::{ClientCertificateType, CompressionMethod};
use matrix_ssl::{CipherSuite, ProtocolVersion};

fn write(root: &Path, target: &str, name: &str, data: &[u8]) -> Result<(), String> {
    let dir = root.join(target);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    std::fs::write(dir.join(name), data).map_err(|e| format!("{name}: {e}"))
}

/// The plaintext handshake messages of a stream (records before any ChangeCipherSpec).
fn plaintext_messages(stream: &[u8]) -> Vec<Vec<u8>> {
    handshake_messages(&plaintext_handshake(stream))
        .into_iter()
        .map(<[u8]>::to_vec)
        .collect()
}

/// Hand-made messages of every type the RSA handshake does not send, with the context
/// selector byte of `matrix_fuzz::handshake_message` that decodes them.
fn synthetic_messages() -> Vec<(u8, HandshakePayload)> {
    let params = ServerDhParams {
        dh_p: vec![0xff; 128],
        dh_g: vec![2],
        dh_ys: vec![0x42; 128],
    };
    // Selector = version index + 4 * key-exchange index (see `decode_context`).
    let tls10 = 1;
    vec![
        (tls10, HandshakePayload::HelloRequest(HelloRequest)),
        (
            tls10 + 4 * 2,
            HandshakePayload::ServerKeyExchange(ServerKeyExchange::DheRsa {
                params: params.clone(),
                sig_alg: None,
                signature: vec![0x17; 256],
            }),
        ),
        (
            tls10 + 4 * 3,
            HandshakePayload::ServerKeyExchange(ServerKeyExchange::DhAnon {
                params: params.clone(),
            }),
        ),
        (
            tls10 + 4 * 4,
            HandshakePayload::ServerKeyExchange(ServerKeyExchange::Psk {
                identity_hint: b"hint".to_vec(),
            }),
        ),
        (
            tls10 + 4 * 5,
            HandshakePayload::ServerKeyExchange(ServerKeyExchange::DhePsk {
                identity_hint: b"hint".to_vec(),
                params,
            }),
        ),
        (
            tls10,
            HandshakePayload::CertificateRequest(CertificateRequest {
                certificate_types: vec![ClientCertificateType::RsaSign],
                signature_algorithms: None,
                certificate_authorities: vec![vec![0x30, 0x00]],
            }),
        ),
        (
            tls10,
            HandshakePayload::CertificateVerify(CertificateVerify {
                sig_alg: None,
                signature: vec![0x33; 256],
            }),
        ),
        (
            tls10,
            HandshakePayload::Finished(Finished {
                verify_data: vec![0x44; 12],
            }),
        ),
        (
            0,
            HandshakePayload::Finished(Finished {
                verify_data: vec![0x44; 36],
            }),
        ),
        (
            3,
            HandshakePayload::HelloVerifyRequest(HelloVerifyRequest {
                server_version: ProtocolVersion::DTLSv1_0,
                cookie: vec![9; 20],
            }),
        ),
        (
            3,
            HandshakePayload::ClientHello(ClientHello {
                client_version: ProtocolVersion::DTLSv1_0,
                random: [1; 32],
                session_id: vec![],
                cookie: Some(vec![9; 20]),
                cipher_suites: vec![CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA],
                compression_methods: vec![CompressionMethod::Null],
                extensions: Some(vec![
                    Extension::ServerName(vec![ServerName::HostName(b"localhost".to_vec())]),
                    Extension::RenegotiationInfo(vec![]),
                    Extension::Unknown {
                        ext_type: 0x0023,
                        data: vec![],
                    },
                ]),
            }),
        ),
        (
            tls10 + 4 * 4,
            HandshakePayload::ClientKeyExchange(ClientKeyExchange::Psk {
                identity: b"client".to_vec(),
            }),
        ),
        (
            tls10 + 4 * 5,
            HandshakePayload::ClientKeyExchange(ClientKeyExchange::DhePsk {
                identity: b"client".to_vec(),
                dh_yc: vec![5; 128],
            }),
        ),
        (
            tls10 + 4 * 2,
            HandshakePayload::ClientKeyExchange(ClientKeyExchange::Dh {
                dh_yc: vec![5; 128],
            }),
        ),
    ]
}

/// An SSL 2.0-format ClientHello offering TLS 1.0 (RFC 2246 appendix E.1).
fn sslv2_hello() -> Vec<u8> {
    let mut msg = vec![1, 3, 1];
    msg.extend_from_slice(&9u16.to_be_bytes());
    msg.extend_from_slice(&0u16.to_be_bytes());
    msg.extend_from_slice(&32u16.to_be_bytes());
    msg.extend_from_slice(&[0x01, 0x00, 0x80, 0, 0x00, 0x2f, 0, 0x00, 0xff]);
    msg.extend_from_slice(&[0x42; 32]);
    let mut rec = vec![0x80 | (msg.len() >> 8) as u8, msg.len() as u8];
    rec.extend_from_slice(&msg);
    rec
}

fn run(root: &Path, keys: &Path) -> Result<(), String> {
    let t = matrix_fuzz::record_handshake(b"GET / HTTP/1.0\r\n\r\n")
        .map_err(|e| format!("recording the handshake failed: {e:?}"))?;
    let client_all: Vec<u8> = t.client_flights.concat();
    let server_all: Vec<u8> = t.server_flights.concat();

    // Sessions: whole transcripts (delivered at once and in small chunks) and prefixes.
    for (mode, tag) in [(0u8, "all"), (7, "chunk7"), (1, "bytewise")] {
        let with = |b: &[u8]| [&[mode][..], b].concat();
        write(
            root,
            "server_session",
            &format!("transcript-{tag}"),
            &with(&client_all),
        )?;
        write(
            root,
            "client_session",
            &format!("transcript-{tag}"),
            &with(&server_all),
        )?;
    }
    if let Some(hello) = t.client_flights.first() {
        write(
            root,
            "server_session",
            "client-hello",
            &[&[0][..], hello].concat(),
        )?;
    }
    let sslv2 = sslv2_hello();
    write(
        root,
        "server_session",
        "sslv2-hello",
        &[&[0][..], &sslv2].concat(),
    )?;
    write(root, "sslv2_hello", "tls10", &sslv2)?;
    let client_rest: Vec<u8> = t.client_flights.iter().skip(1).flatten().copied().collect();
    let server_rest: Vec<u8> = t.server_flights.iter().skip(1).flatten().copied().collect();
    write(
        root,
        "server_after_client_hello",
        "rest",
        &[&[0][..], &client_rest].concat(),
    )?;
    write(
        root,
        "server_after_client_hello",
        "rest-chunk5",
        &[&[5][..], &client_rest].concat(),
    )?;
    write(
        root,
        "client_after_server_hello",
        "rest",
        &[&[0][..], &server_rest].concat(),
    )?;
    write(
        root,
        "client_after_server_hello",
        "rest-chunk5",
        &[&[5][..], &server_rest].concat(),
    )?;

    // The advanced paths: each path's recorded transcripts, whole and in small chunks.
    use matrix_fuzz::Path;
    for path in Path::ALL {
        let t = matrix_fuzz::record_handshake_for(path, b"GET / HTTP/1.0\r\n\r\n")
            .map_err(|e| format!("recording the {path:?} handshake failed: {e:?}"))?;
        let (server_target, client_target, client_prefix, tag): (_, _, &[u8], _) = match path {
            Path::Dhe => ("server_dhe", "client_dhe", &[], "dhe"),
            Path::Psk => ("server_psk", "client_psk", &[0], "psk"),
            Path::DhePsk => ("server_psk", "client_psk", &[1], "dhe-psk"),
            Path::Tickets => ("server_tickets", "client_tickets", &[], "tickets"),
            _ => (
                "server_client_auth",
                "client_client_auth",
                &[],
                "client-auth",
            ),
        };
        let client_all = t.client_flights.concat();
        let server_all = t.server_flights.concat();
        for (mode, chunking) in [(0u8, "all"), (7, "chunk7")] {
            write(
                root,
                server_target,
                &format!("{tag}-{chunking}"),
                &[&[mode][..], &client_all].concat(),
            )?;
            write(
                root,
                client_target,
                &format!("{tag}-{chunking}"),
                &[client_prefix, &[mode][..], &server_all].concat(),
            )?;
        }
        // Each plaintext message of these handshakes for the codec target too, in the
        // TLS 1.1 context of its key exchange (selector: version 2 + 4 * kex index).
        let kex = match path {
            Path::Dhe => 2,
            Path::Psk => 4,
            Path::DhePsk => 5,
            _ => 1,
        };
        for (i, m) in plaintext_messages(&client_all)
            .iter()
            .chain(plaintext_messages(&server_all).iter())
            .enumerate()
        {
            write(
                root,
                "handshake_message",
                &format!("{tag}-{i}"),
                &[&[2 + 4 * kex][..], m].concat(),
            )?;
        }
    }

    // Codecs: each record's header, each plaintext handshake message in every context.
    for (i, r) in records(&client_all)
        .iter()
        .chain(records(&server_all).iter())
        .enumerate()
    {
        write(
            root,
            "record_header",
            &format!("record-{i}"),
            r.get(..r.len().min(64)).unwrap_or_default(),
        )?;
    }
    let mut hs_stream = Vec::new();
    for (i, m) in plaintext_messages(&client_all)
        .iter()
        .chain(plaintext_messages(&server_all).iter())
        .enumerate()
    {
        hs_stream.extend_from_slice(m);
        // TLS 1.1 (selector 2) with RSA (4 * 1): what the recorded handshake used.
        write(
            root,
            "handshake_message",
            &format!("recorded-{i}"),
            &[&[2 + 4][..], m].concat(),
        )?;
    }
    for (i, (sel, p)) in synthetic_messages().iter().enumerate() {
        let version = match sel % 4 {
            0 => ProtocolVersion::SSLv3,
            1 => ProtocolVersion::TLSv1_0,
            2 => ProtocolVersion::TLSv1_1,
            _ => ProtocolVersion::DTLSv1_0,
        };
        let mut m = vec![*sel];
        p.encode_message(&mut m, version);
        write(root, "handshake_message", &format!("synthetic-{i}"), &m)?;
    }
    write(
        root,
        "handshake_framer",
        "server-flight",
        &[&[0xff, 0xff][..], &hs_stream].concat(),
    )?;
    write(
        root,
        "handshake_framer",
        "small-limits",
        &[&[4, 4][..], &hs_stream].concat(),
    )?;

    // X.509 and keys: the test PKI's files.
    let file = |rel: &str| std::fs::read(keys.join(rel)).map_err(|e| format!("{rel}: {e}"));
    for rel in [
        "rsa2048/ca.der",
        "rsa2048/server.der",
        "rsa2048/intermediate.der",
        "rsa2048/client.der",
        "rsa2048/server-chain.pem",
        "rsa1024/server-md5.pem",
        "rsa4096/server-sha512.pem",
        "bad/bad-signature.der",
        "bad/pathlen-chain.pem",
    ] {
        write(root, "x509_cert", &rel.replace('/', "_"), &file(rel)?)?;
    }
    for (mode, rel) in [
        (0u8, "rsa2048/server.key"),
        (0, "rsa2048/server-pkcs1.der"),
        (0, "rsa2048/server-pkcs8.der"),
        (0, "rsa2048/server-pkcs8.pem"),
        (1, "rsa2048/server-enc-aes-128-cbc.pem"),
        (1, "rsa2048/server-enc-des-ede3-cbc.pem"),
        (1, "rsa2048/server-pkcs8-aes128.pem"),
        (1, "rsa2048/server-pkcs8-des3.der"),
        (2, "rsa2048/server-enc-des-cbc.pem"),
        (0, "rsa1024/server.key"),
    ] {
        write(
            root,
            "private_key",
            &rel.replace('/', "_"),
            &[&[mode][..], &file(rel)?].concat(),
        )?;
    }
    for rel in ["pkcs12/server-modern.p12", "pkcs12/server-legacy.p12"] {
        write(root, "pkcs12", &rel.replace('/', "_"), &file(rel)?)?;
    }
    for rel in ["dh/dh1024.pem", "dh/dh2048.pem"] {
        write(root, "dh_params", &rel.replace('/', "_"), &file(rel)?)?;
    }
    for rel in [
        "rsa2048/ca.pem",
        "rsa2048/server-enc-aes-256-cbc.pem",
        "dh/dh1024.pem",
    ] {
        write(root, "pem", &rel.replace('/', "_"), &file(rel)?)?;
    }
    dtls_seeds(root)
}

/// The DTLS session seeds: each mode byte alone (fresh, after the cookie exchange; both
/// versions, DTLS 1.0 only), and a recorded handshake, application data and close_notify
/// of each version (`matrix_fuzz::record_dtls`).
fn dtls_seeds(root: &Path) -> Result<(), String> {
    for target in ["dtls_server_session", "dtls_client_session"] {
        for (mode, name) in [
            (0u8, "fresh_session"),
            (1, "after_cookie_exchange"),
            (2, "fresh_session_dtls10"),
            (3, "after_cookie_exchange_dtls10"),
        ] {
            write(root, target, name, &[mode])?;
        }
    }
    for (dtls10, name) in [(false, "dtls12-handshake"), (true, "dtls10-handshake")] {
        let (to_server, to_client) = matrix_fuzz::record_dtls(dtls10, b"GET / HTTP/1.0\r\n\r\n")
            .ok_or_else(|| format!("recording the {name} failed"))?;
        write(root, "dtls_server_session", name, &to_server)?;
        write(root, "dtls_client_session", name, &to_client)?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let keys = here.join("../testkeys");
    match run(&here.join("corpus"), &keys) {
        Ok(()) => {
            println!("seed corpora written to {}", here.join("corpus").display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen-corpus: {e}");
            ExitCode::FAILURE
        }
    }
}
