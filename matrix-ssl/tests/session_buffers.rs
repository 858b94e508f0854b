//! Keys loading, buffer management, record splitting, memory caps and handshake messages
//! spread over records.
//!
//! Every test runs an RSA identity from PEM (`support::server_keys`) or loads RSA keys, so
//! the file needs RSA key parsing, PEM and the RSA suites it names; a reduced build without
//! them (ECDSA-only, PSK-only) compiles none of it.
#![cfg(all(
    feature = "private-key-parsing",
    feature = "pem-decode",
    feature = "tls-1-1",
    feature = "client-side-ssl",
    feature = "server-side-ssl",
    feature = "tls-rsa-with-aes-256-cbc-sha"
))]

mod support;

use matrix_ssl::suites::SUITES;
use matrix_ssl::{Config, Error, Keys, ProtocolVersion, Received, Sent};
use support::*;

/// Key files, `;`-lists and an encrypted key: `file-system` and `pkcs5`.
#[cfg(all(feature = "file-system", feature = "pkcs5"))]
#[test]
fn load_rsa_keys_codes() {
    let f = testkeys;
    // Files, `;`-lists, an encrypted key with its password.
    let mut k = Keys::new();
    k.load_rsa_keys(
        Some(&format!(
            "{};{}",
            f("rsa2048/server.pem"),
            f("rsa2048/intermediate.pem")
        )),
        Some(&f("rsa2048/server-enc-aes-256-cbc.pem")),
        Some("matrix"),
        Some(&f("rsa2048/ca.pem")),
    )
    .unwrap();
    assert!(k.has_rsa_identity());
    assert_eq!(k.certificate_chain().unwrap().len(), 2);
    assert_eq!(k.trusted_cas().len(), 1);
    // Only once per Keys.
    assert_eq!(
        k.load_rsa_keys(None, None, None, Some(&f("rsa2048/ca.pem"))),
        Err(Error::ArgFail)
    );
    // A missing file.
    let mut k = Keys::new();
    assert_eq!(
        k.load_rsa_keys(None, None, None, Some("/nonexistent/ca.pem")),
        Err(Error::PlatformFail)
    );
    // Not a certificate.
    let mut k = Keys::new();
    assert_eq!(
        k.load_rsa_keys(None, None, None, Some(&f("README.md"))),
        Err(Error::ParseFail)
    );
    // A key that does not belong to the certificate.
    let mut k = Keys::new();
    assert_eq!(
        k.load_rsa_keys(
            Some(&f("rsa2048/server.pem")),
            Some(&f("rsa1024/server.key")),
            None,
            None
        ),
        Err(Error::CertAuthFail)
    );
    // A chain in the wrong order does not authenticate itself.
    let mut k = Keys::new();
    assert_eq!(
        k.load_rsa_keys(
            Some(&format!(
                "{};{}",
                f("rsa2048/server.pem"),
                f("rsa2048/ca.pem")
            )),
            Some(&f("rsa2048/server.key")),
            None,
            None
        ),
        Err(Error::CertAuthFail)
    );
    // Certificate without key.
    let mut k = Keys::new();
    assert_eq!(
        k.load_rsa_keys(Some(&f("rsa2048/server.pem")), None, None, None),
        Err(Error::ArgFail)
    );
    // In memory: DER certificate and PKCS#1 DER key.
    let mut k = Keys::new();
    k.load_rsa_keys_mem(
        Some(&read("rsa2048/server.der")),
        Some(&read("rsa2048/server-pkcs1.der")),
        Some(&read("rsa2048/ca.der")),
    )
    .unwrap();
    let mut k = Keys::new();
    assert_eq!(
        k.load_rsa_keys_mem(None, None, Some(b"not der")),
        Err(Error::ParseFail)
    );
}

/// Counts the records in a buffer of whole records.
#[cfg(all(
    feature = "tls-rsa-with-aes-128-cbc-sha",
    feature = "ssl-rsa-with-rc4-128-sha"
))]
fn records(mut b: &[u8]) -> Vec<(u8, usize)> {
    let mut out = Vec::new();
    while b.len() >= 5 {
        let len = u16::from_be_bytes([b[3], b[4]]) as usize;
        out.push((b[0], len));
        b = &b[5 + len..];
    }
    assert!(b.is_empty());
    out
}

#[cfg(all(
    feature = "tls-rsa-with-aes-128-cbc-sha",
    feature = "ssl-rsa-with-rc4-128-sha"
))]
#[test]
fn record_splitting_one_n_minus_one() {
    for (v, split_expected) in [
        (ProtocolVersion::TLSv1_0, true),
        (ProtocolVersion::TLSv1_1, false),
    ] {
        if !ctx().versions().contains(&v) {
            continue;
        }
        for enabled in [true, false] {
            let cctx = ctx_with(|c| {
                c.max_version = v;
                c.record_splitting = enabled;
            });
            let (mut c, mut s) = new_pair(&cctx, &cctx, 0x002f, None, None);
            handshake(&mut c, &mut s, usize::MAX);
            c.encode_to_outdata(&pattern(1000)).unwrap();
            let n = records(c.get_outdata()).len();
            assert_eq!(n, if split_expected && enabled { 2 } else { 1 }, "{v:?}");
            let (_, evs) = pump(&mut c, &mut s, usize::MAX);
            let got: Vec<u8> = evs
                .into_iter()
                .flat_map(|e| match e {
                    Ev::AppData(d) => d,
                    _ => vec![],
                })
                .collect();
            assert_eq!(got, pattern(1000));
        }
        // RC4 is never split.
        let cctx = ctx_with(|c| c.max_version = v);
        let (mut c, mut s) = new_pair(&cctx, &cctx, 0x0005, None, None);
        handshake(&mut c, &mut s, usize::MAX);
        c.encode_to_outdata(&pattern(1000)).unwrap();
        assert_eq!(records(c.get_outdata()).len(), 1);
    }
}

#[test]
fn handshake_messages_split_across_records() {
    let ctx = ctx();
    // An RSA suite: a DHE flight re-framed this way outgrows one read buffer.
    let (mut c, mut s) = new_pair(&ctx, &ctx, 0x0035, None, None);
    pump(&mut c, &mut s, usize::MAX);
    // The server's flight is one record; re-frame its body into 7-byte records.
    let flight = take_out(&mut s, usize::MAX, &mut Vec::new());
    let body = &flight[5..];
    let mut reframed = Vec::new();
    for piece in body.chunks(7) {
        reframed.extend_from_slice(&flight[..3]);
        reframed.extend_from_slice(&(piece.len() as u16).to_be_bytes());
        reframed.extend_from_slice(piece);
    }
    let mut evs = Vec::new();
    feed(&mut c, &reframed, usize::MAX, &mut evs);
    // It takes several reads (buffers follow the records); all but the last ask for more.
    assert_eq!(evs.last(), Some(&Ev::RequestSend));
    assert!(
        evs[..evs.len() - 1].iter().all(|e| *e == Ev::RequestRecv),
        "{evs:?}"
    );
    let (_, se) = pump(&mut c, &mut s, usize::MAX);
    assert_eq!(se, vec![Ev::RequestSend]);
    let (_, ce) = pump(&mut s, &mut c, usize::MAX);
    assert_eq!(ce, vec![Ev::Complete]);
}

#[test]
fn api_misuse() {
    let ctx = ctx();
    let (mut c, mut s) = new_pair(&ctx, &ctx, 0, None, None);
    // Before the handshake no application data can be encoded.
    assert_eq!(c.encode_to_outdata(b"x"), Err(Error::ProtocolFail));
    assert_eq!(c.get_writebuf(10).unwrap_err(), Error::ProtocolFail);
    // Sent more than was waiting; received more than the buffer held, or nothing.
    let n = c.get_outdata().len();
    assert_eq!(c.sent_data(n + 1), Err(Error::ArgFail));
    let room = s.get_readbuf().len();
    assert_eq!(s.received_data(room + 1).unwrap_err(), Error::ArgFail);
    assert_eq!(s.received_data(0).unwrap_err(), Error::ArgFail);
    // Partial sends.
    assert_eq!(c.sent_data(1), Ok(Sent::RequestSend));
    assert_eq!(c.sent_data(n - 1), Ok(Sent::Success));
    assert!(c.get_outdata().is_empty());
    assert_eq!(s.processed_data(), Ok(Received::Success));
}

#[test]
fn memory_cap() {
    // A tiny cap: a big record cannot be buffered, and the session says so with
    // internal_error rather than growing.
    let small = ctx_with(|c| c.session_memory_cap = 40 * 1024);
    let big = ctx();
    let (mut c, mut s) = {
        let c = big
            .new_client_session(client_keys(), None, 0, None, None)
            .unwrap();
        let s = small.new_server_session(server_keys(), None).unwrap();
        (c, s)
    };
    handshake(&mut c, &mut s, usize::MAX);
    // 16 KiB records fit the cap.
    send_all(&mut c, &mut s, &pattern(100_000), usize::MAX);
    // Queuing output without sending it eventually hits the cap.
    let mut queued = 0;
    let err = loop {
        match s.encode_to_outdata(&pattern(16384)) {
            Ok(_) => queued += 1,
            Err(e) => break e,
        }
        assert!(queued < 10);
    };
    assert_eq!(err, Error::MemFail);
    assert!(s.memory_usage().1 <= 40 * 1024);
    // A session with a cap too small for one record: internal_error, no growth.
    let tiny = ctx_with(|c| c.session_memory_cap = 12 * 1024);
    let mut c2 = big
        .new_client_session(client_keys(), None, 0, None, None)
        .unwrap();
    let mut s2 = tiny.new_server_session(server_keys(), None).unwrap();
    let hello = take_out(&mut c2, usize::MAX, &mut Vec::new());
    let mut evs = Vec::new();
    feed(&mut s2, &hello, usize::MAX, &mut evs);
    let _ = take_out(&mut s2, usize::MAX, &mut evs);
    // A 16 KiB record announced to the tiny server.
    let mut rec = vec![23, 3, 2, 0x40, 0];
    rec.extend(vec![0u8; 100]);
    let mut evs = Vec::new();
    feed(&mut s2, &rec, usize::MAX, &mut evs);
    assert_eq!(evs.last(), Some(&Ev::RequestSend));
    assert!(s2.memory_usage().1 <= 12 * 1024);
    let _ = Config::default();
}

#[test]
fn hello_extensions_both_ways() {
    use matrix_ssl::HelloExtensions;
    let ctx = ctx();
    let mut exts = HelloExtensions::new();
    // server_name for "localhost".
    let sni = [
        0, 12, 0, 0, 9, b'l', b'o', b'c', b'a', b'l', b'h', b'o', b's', b't',
    ];
    exts.load(0, &sni).unwrap();
    assert_eq!(exts.load(0, &sni), Err(Error::ArgFail));
    assert_eq!(exts.load(0xff01, &[0]), Err(Error::ArgFail));
    let mut c = ctx
        .new_client_session(client_keys(), None, 0, None, Some(&exts))
        .unwrap();
    let mut s = ctx.new_server_session(server_keys(), None).unwrap();
    assert_eq!(exts.load(23, &[]), Err(Error::ArgFail));
    assert_eq!(exts.load(22, &[]), Err(Error::ArgFail));
    if cfg!(feature = "tls-1-2") {
        assert_eq!(exts.load(13, &[0, 2, 4, 1]), Err(Error::ArgFail));
    }
    handshake(&mut c, &mut s, usize::MAX);
    // The library adds extended_master_secret (23) and encrypt_then_mac (22) itself
    // (features `extended-master-secret`, `encrypt-then-mac`; the suite is CBC).
    let mut ems: Vec<(u16, Vec<u8>)> = Vec::new();
    if cfg!(feature = "extended-master-secret") {
        ems.push((23, vec![]));
    }
    // With an ECDHE suite, supported_groups (10: X25519, secp256r1, secp384r1) and
    // ec_point_formats (11: uncompressed).
    if SUITES.iter().any(|s| s.kx.is_ecdhe()) {
        ems.push((10, vec![0, 6, 0, 29, 0, 23, 0, 24]));
        ems.push((11, vec![1, 0]));
    }
    // With TLS 1.2 offered, signature_algorithms (13): RSA with SHA-256, -384, -512, SHA-1
    // (and with `ecc`, ECDSA with the same hashes).
    if cfg!(feature = "tls-1-2") && !cfg!(feature = "ecc-core") {
        ems.push((13, vec![0, 8, 4, 1, 5, 1, 6, 1, 2, 1]));
    }
    if cfg!(feature = "tls-1-2") && cfg!(feature = "ecc-core") {
        ems.push((
            13,
            vec![0, 16, 4, 1, 5, 1, 6, 1, 2, 1, 4, 3, 5, 3, 6, 3, 2, 3],
        ));
    }
    if cfg!(feature = "encrypt-then-mac") {
        ems.push((22, vec![]));
    }
    let mut want = vec![(0u16, sni.to_vec())];
    want.extend(ems.clone());
    assert_eq!(s.peer_hello_extensions(), want.as_slice());
    assert_eq!(s.server_name(), Some(&b"localhost"[..]));
    assert_eq!(c.server_name(), None);
    // The server answered the SCSV with an empty renegotiation_info.
    // It echoes extended_master_secret, and encrypt_then_mac only for a CBC suite (RFC 7366
    // does not apply to the AEAD suites of TLS 1.2); never signature_algorithms or
    // supported_groups; ec_point_formats for an ECDHE suite (RFC 8422 section 5.2).
    let ecdhe = c
        .cipher_suite()
        .and_then(matrix_ssl::suites::lookup)
        .is_some_and(|s| s.kx.is_ecdhe());
    let cbc = c
        .cipher_suite()
        .and_then(matrix_ssl::suites::lookup)
        .is_some_and(|s| s.is_cbc());
    let mut want = vec![(0xff01u16, vec![0])];
    want.extend(
        ems.into_iter()
            .filter(|(t, _)| *t != 13 && *t != 10 && (*t != 11 || ecdhe) && (*t != 22 || cbc)),
    );
    assert_eq!(c.peer_hello_extensions(), want.as_slice());
}
