//! ECDHE_RSA and ECDHE_ECDSA (RFC 8422) through the public buffer API, in memory: every
//! ECDHE suite in every version that allows it, on each group, full and resumed; a server
//! holding an RSA and an EC identity at once choosing by the client's suites and
//! signature algorithms; client authentication with an EC certificate; EC key loading; and
//! the negative cases, each with the RFC's alert: a client's point off the curve, of the
//! wrong length, or an X25519 point of small order; point formats without uncompressed in
//! either hello; no common group; a ServerKeyExchange naming a group the client never
//! offered; a corrupted signature.

mod support;

use std::sync::Arc;

use matrix_ssl::codec::{AlertDescription, HandshakeType};
use matrix_ssl::suites::{KeyExchange, SUITES};
use matrix_ssl::{AlertLevel, Config, Context, Keys, ProtocolVersion, Session, Verdict};
use support::*;

const X25519: u16 = 29;
const P256: u16 = 23;
const P384: u16 = 24;

/// The server's identities: the rsa2048 chain, and (optionally) the ec-p256 chain.
fn dual_keys(ec: &str) -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_rsa_keys_mem(
        Some(&read("rsa2048/server-chain.pem")),
        Some(&read("rsa2048/server.key")),
        None,
    )
    .unwrap();
    k.load_ec_keys_mem(
        Some(&read(&format!("{ec}/server-chain.pem"))),
        Some(&read(&format!("{ec}/server.key"))),
        None,
        None,
    )
    .unwrap();
    Arc::new(k)
}

/// A client trusting the rsa2048, ec-p256 and ec-p384 roots.
fn trusting_client() -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_rsa_keys_mem(None, None, Some(&read("rsa2048/ca.pem")))
        .unwrap();
    k.load_ec_keys_mem(None, None, None, Some(&read("ec-p256/ca.pem")))
        .unwrap();
    k.load_ec_keys_mem(None, None, None, Some(&read("ec-p384/ca.pem")))
        .unwrap();
    Arc::new(k)
}

fn ctx_groups(v: Option<ProtocolVersion>, groups: &[u16]) -> Context {
    ctx_with(|c| {
        if let Some(v) = v {
            c.min_version = v;
            c.max_version = v;
        }
        c.ec_groups = groups.to_vec();
    })
}

fn ecdhe_suites(v: ProtocolVersion) -> Vec<(u16, KeyExchange)> {
    SUITES
        .iter()
        .filter(|s| s.kx.is_ecdhe() && s.allowed_in(v))
        .map(|s| (s.suite.get(), s.kx))
        .collect()
}

#[test]
fn every_ecdhe_suite_every_version_every_group_full_and_resumed() {
    let skeys = dual_keys("ec-p256");
    let ckeys = trusting_client();
    let mut n = 0;
    for v in ctx().versions().to_vec() {
        for (suite, kx) in ecdhe_suites(v) {
            for group in [X25519, P256, P384] {
                // The server agrees on `group`; the client lists secp256r1 too, the curve
                // of the ECDSA certificate (RFC 8422 section 5.6).
                let sctx = ctx_groups(None, &[group]);
                let cctx = ctx_groups(Some(v), &[group, P256]);
                let mut c = cctx
                    .new_client_session(ckeys.clone(), None, suite, None, None)
                    .unwrap();
                let mut s = sctx.new_server_session(skeys.clone(), None).unwrap();
                let (ce, _) = handshake(&mut c, &mut s, usize::MAX);
                assert!(ce.contains(&Ev::Complete), "{v:?} {suite:#06x} {ce:?}");
                assert_eq!(c.protocol_version(), v);
                assert_eq!(s.cipher_suite().map(|s| s.get()), Some(suite));
                let data = pattern(3000);
                send_all(&mut c, &mut s, &data, usize::MAX);
                send_all(&mut s, &mut c, &data, usize::MAX);
                let sid = c.session_id().expect("resumable");
                let mut c2 = cctx
                    .new_client_session(ckeys.clone(), Some(&sid), 0, None, None)
                    .unwrap();
                let mut s2 = sctx.new_server_session(skeys.clone(), None).unwrap();
                handshake(&mut c2, &mut s2, 9);
                assert_eq!(c2.cipher_suite().map(|s| s.get()), Some(suite));
                assert!(
                    c2.is_resumed() && s2.is_resumed(),
                    "{v:?} {suite:#06x} {kx:?}"
                );
                send_all(&mut c2, &mut s2, &data, usize::MAX);
                n += 1;
            }
        }
    }
    // 10 suites in TLS 1.2, 4 in each of TLS 1.0 and 1.1, 3 groups each.
    assert!(n >= 3 * (10 + 4 + 4), "{n} combinations");
}

/// The suite a default client gets from a server with these keys, and the alert if none.
fn negotiate(cctx: &Context, skeys: Arc<Keys>, suite: u16) -> (Session, Session) {
    let mut c = cctx
        .new_client_session(trusting_client(), None, suite, None, None)
        .unwrap();
    let mut s = ctx().new_server_session(skeys, None).unwrap();
    handshake(&mut c, &mut s, usize::MAX);
    (c, s)
}

#[test]
fn a_server_with_two_identities_chooses_by_suite_and_signature_algorithms() {
    let keys = dual_keys("ec-p256");
    // Everything offered: ECDHE_ECDSA AES-256-GCM is our first choice.
    let (c, _) = negotiate(&ctx(), keys.clone(), 0);
    assert_eq!(c.cipher_suite().map(|s| s.get()), Some(0xc02c));
    let leaf = c
        .peer_certificates()
        .map(|ch| ch.certs()[0].public_key.clone());
    assert!(
        matches!(leaf, Some(matrix_x509::PublicKey::Ec { .. })),
        "{leaf:?}"
    );
    // Only ECDHE_RSA offered: the RSA chain.
    let (c, _) = negotiate(&ctx(), keys.clone(), 0xc02f);
    let leaf = c
        .peer_certificates()
        .map(|ch| ch.certs()[0].public_key.clone());
    assert!(matches!(leaf, Some(matrix_x509::PublicKey::Rsa { .. })));
    // A server with the RSA identity only never picks ECDHE_ECDSA.
    let mut rsa_only = Keys::new();
    rsa_only
        .load_rsa_keys_mem(
            Some(&read("rsa2048/server-chain.pem")),
            Some(&read("rsa2048/server.key")),
            None,
        )
        .unwrap();
    let (c, _) = negotiate(&ctx(), Arc::new(rsa_only), 0);
    assert_eq!(c.cipher_suite().map(|s| s.get()), Some(0xc030));
    // A P-384 EC key with a client that lists only X25519 and P-256: the certificate's
    // curve is not the client's, so ECDHE_RSA.
    let (c, _) = negotiate(&ctx_groups(None, &[X25519, P256]), dual_keys("ec-p384"), 0);
    assert_eq!(c.cipher_suite().map(|s| s.get()), Some(0xc030));
}

#[test]
fn ec_client_authentication() {
    // The ec-p384 leaf and key serve as a client identity; the server trusts its root.
    let mut ck = Keys::new();
    ck.load_ec_keys_mem(
        Some(&read("ec-p384/server-chain.pem")),
        Some(&read("ec-p384/server-pkcs8.pem")),
        None,
        Some(&read("ec-p256/ca.pem")),
    )
    .unwrap();
    let mut sk = Keys::new();
    sk.load_ec_keys_mem(
        Some(&read("ec-p256/server-chain.pem")),
        Some(&read("ec-p256/server.key")),
        None,
        Some(&read("ec-p384/ca.pem")),
    )
    .unwrap();
    let (ck, sk) = (Arc::new(ck), Arc::new(sk));
    for v in [ProtocolVersion::TLSv1_0, ProtocolVersion::TLSv1_2] {
        let cctx = ctx_groups(Some(v), &[P256]);
        let mut c = cctx
            .new_client_session(ck.clone(), None, 0, None, None)
            .unwrap();
        let seen = Arc::new(std::sync::Mutex::new(None));
        let seen2 = seen.clone();
        let validator: matrix_ssl::CertValidator = Box::new(move |_, chain, alert| {
            *seen2.lock().unwrap() = Some(chain.certs()[0].public_key.clone());
            alert.map_or(Verdict::Continue, Verdict::Alert)
        });
        let mut s = ctx()
            .new_server_session(sk.clone(), Some(validator))
            .unwrap();
        let (ce, se) = handshake(&mut c, &mut s, usize::MAX);
        assert!(ce.contains(&Ev::Complete), "{ce:?} {se:?}");
        let key = seen.lock().unwrap().clone();
        assert!(
            matches!(key, Some(matrix_x509::PublicKey::Ec { .. })),
            "{v:?}"
        );
        send_all(&mut c, &mut s, &pattern(100), usize::MAX);
    }
}

#[test]
fn ec_key_loading_checks_the_pair() {
    // Every key encoding of the P-256 leaf.
    for (key, pw) in [
        ("ec-p256/server.key", None),
        ("ec-p256/server.der", None),
        ("ec-p256/server-pkcs8.pem", None),
        ("ec-p256/server-pkcs8.der", None),
        ("ec-p256/server-params.key", None),
        ("ec-p256/server-enc-aes-128-cbc.pem", Some(&b"matrix"[..])),
    ] {
        let mut k = Keys::new();
        k.load_ec_keys_mem(
            Some(&read("ec-p256/server-chain.pem")),
            Some(&read(key)),
            pw,
            None,
        )
        .unwrap_or_else(|e| panic!("{key}: {e:?}"));
        assert!(k.has_ec_identity());
    }
    // The P-384 key with the P-256 chain: not the leaf's key.
    let mut k = Keys::new();
    assert_eq!(
        k.load_ec_keys_mem(
            Some(&read("ec-p256/server-chain.pem")),
            Some(&read("ec-p384/server.key")),
            None,
            None
        ),
        Err(matrix_ssl::Error::CertAuthFail)
    );
    // A certificate without a key, a second identity, a wrong password.
    assert_eq!(
        k.load_ec_keys_mem(Some(&read("ec-p256/server-chain.pem")), None, None, None),
        Err(matrix_ssl::Error::ArgFail)
    );
    let mut k = Keys::new();
    k.load_ec_keys_mem(
        Some(&read("ec-p256/server-chain.pem")),
        Some(&read("ec-p256/server.key")),
        None,
        None,
    )
    .unwrap();
    assert_eq!(
        k.load_ec_keys_mem(
            Some(&read("ec-p256/server-chain.pem")),
            Some(&read("ec-p256/server.key")),
            None,
            None
        ),
        Err(matrix_ssl::Error::ArgFail)
    );
    assert!(
        Keys::new()
            .load_ec_keys_mem(
                Some(&read("ec-p256/server-chain.pem")),
                Some(&read("ec-p256/server-enc-aes-128-cbc.pem")),
                Some(b"wrong"),
                None
            )
            .is_err()
    );
    #[cfg(feature = "file-system")]
    {
        let mut k = Keys::new();
        k.load_ec_keys(
            Some(&testkeys("ec-p384/server-chain.pem")),
            Some(&testkeys("ec-p384/server-enc-aes-128-cbc.pem")),
            Some("matrix"),
            Some(&testkeys("ec-p384/ca.pem")),
        )
        .unwrap();
        assert_eq!(k.trusted_cas().len(), 1);
    }
}

/// The handshake messages of a flight (plaintext records), as (type, offset of the body in
/// `bytes`, body length).
fn messages(bytes: &[u8]) -> Vec<(u8, usize, usize)> {
    let mut out = Vec::new();
    let mut rec = 0;
    while rec + 5 <= bytes.len() {
        let len = usize::from(u16::from_be_bytes([bytes[rec + 3], bytes[rec + 4]]));
        if bytes[rec] == 22 {
            let mut m = rec + 5;
            while m + 4 <= rec + 5 + len {
                let blen = (usize::from(bytes[m + 1]) << 16)
                    | (usize::from(bytes[m + 2]) << 8)
                    | usize::from(bytes[m + 3]);
                out.push((bytes[m], m + 4, blen));
                m += 4 + blen;
            }
        }
        rec += 5 + len;
    }
    out
}

/// The offset of extension `ext`'s data in the hello body at `body` (`len` bytes).
fn extension_data(bytes: &[u8], body: usize, len: usize, client: bool) -> usize {
    let mut p = body + 2 + 32;
    p += 1 + usize::from(bytes[p]); // session id
    if client {
        p += 2 + usize::from(u16::from_be_bytes([bytes[p], bytes[p + 1]]));
        p += 1 + usize::from(bytes[p]);
    } else {
        p += 3;
    }
    p += 2;
    while p < body + len {
        let t = u16::from_be_bytes([bytes[p], bytes[p + 1]]);
        let l = usize::from(u16::from_be_bytes([bytes[p + 2], bytes[p + 3]]));
        if t == 11 || t == 10 {
            return p + 4;
        }
        p += 4 + l;
    }
    panic!("no EC extension");
}

/// Feeds `bytes` to `to`, expecting it to fail with `alert`, which it must also send.
fn expect_alert(to: &mut Session, bytes: &[u8], alert: AlertDescription) {
    let buf = to.get_readbuf();
    let n = bytes.len().min(buf.len());
    buf[..n].copy_from_slice(&bytes[..n]);
    // The failure is reported as the alert to send (`RequestSend`) or as an error.
    let _ = to.received_data(n);
    let out = to.get_outdata().to_vec();
    assert!(out.len() >= 7 && out[0] == 21, "no alert sent: {out:?}");
    assert_eq!(
        (out[5], out[6]),
        (AlertLevel::Fatal.get(), alert.get()),
        "{:?}",
        AlertDescription::from(out[6])
    );
}

fn p256_client() -> Session {
    ctx_groups(None, &[P256])
        .new_client_session(trusting_client(), None, 0xc02b, None, None)
        .unwrap()
}

fn server() -> Session {
    ctx()
        .new_server_session(dual_keys("ec-p256"), None)
        .unwrap()
}

/// Runs the client's hello and the server's first flight; returns the client's second
/// flight (ClientKeyExchange, ChangeCipherSpec, Finished) untouched.
fn second_flight(c: &mut Session, s: &mut Session) -> Vec<u8> {
    pump(c, s, usize::MAX);
    pump(s, c, usize::MAX);
    let mut evs = Vec::new();
    take_out(c, usize::MAX, &mut evs)
}

#[test]
fn client_points_the_curve_refuses_are_illegal_parameter() {
    // Off the curve, wrong length (a compressed point), all zeros.
    for tamper in [
        |p: &mut Vec<u8>| p[64] ^= 1,
        |p: &mut Vec<u8>| {
            p.truncate(33);
            p[0] = 2;
        },
        |p: &mut Vec<u8>| p.iter_mut().for_each(|b| *b = 0),
    ] {
        let (mut c, mut s) = (p256_client(), server());
        let flight = second_flight(&mut c, &mut s);
        let (t, body, len) = messages(&flight)[0];
        assert_eq!(t, HandshakeType::ClientKeyExchange.get());
        let mut point = flight[body + 1..body + len].to_vec();
        tamper(&mut point);
        let mut msg = vec![t, 0, 0, point.len() as u8 + 1, point.len() as u8];
        msg.extend_from_slice(&point);
        let mut rec = vec![22, 3, 3, 0, msg.len() as u8];
        rec.extend_from_slice(&msg);
        expect_alert(&mut s, &rec, AlertDescription::IllegalParameter);
    }
}

#[test]
fn x25519_small_order_points_are_illegal_parameter() {
    let cctx = ctx_groups(None, &[X25519, P256]);
    for small in [[0u8; 32], {
        let mut one = [0u8; 32];
        one[0] = 1;
        one
    }] {
        let mut c = cctx
            .new_client_session(trusting_client(), None, 0xc02b, None, None)
            .unwrap();
        let mut s = ctx_groups(None, &[X25519])
            .new_server_session(dual_keys("ec-p256"), None)
            .unwrap();
        let flight = second_flight(&mut c, &mut s);
        let (_, body, len) = messages(&flight)[0];
        assert_eq!(len, 33);
        let mut rec = flight[..body + len].to_vec();
        rec[body + 1..body + len].copy_from_slice(&small);
        // Only the ClientKeyExchange: the record's length becomes its own.
        let l = (rec.len() - 5) as u16;
        rec[3..5].copy_from_slice(&l.to_be_bytes());
        expect_alert(&mut s, &rec, AlertDescription::IllegalParameter);
    }
}

#[test]
fn point_formats_without_uncompressed_are_refused_in_both_hellos() {
    // The client's: the server refuses with illegal_parameter.
    let (mut c, mut s) = (p256_client(), server());
    let mut evs = Vec::new();
    let mut hello = take_out(&mut c, usize::MAX, &mut evs);
    let (_, body, len) = messages(&hello)[0];
    let mut p = extension_data(&hello, body, len, true);
    if u16::from_be_bytes([hello[p - 4], hello[p - 3]]) == 10 {
        // supported_groups first: skip it to ec_point_formats.
        let l = usize::from(u16::from_be_bytes([hello[p - 2], hello[p - 1]]));
        p += l + 4;
    }
    assert_eq!(&hello[p..p + 2], [1, 0]);
    hello[p + 1] = 1; // ansiX962_compressed_prime only
    expect_alert(&mut s, &hello, AlertDescription::IllegalParameter);

    // The server's: the client refuses with illegal_parameter.
    let (mut c, mut s) = (p256_client(), server());
    pump(&mut c, &mut s, usize::MAX);
    let mut flight = take_out(&mut s, usize::MAX, &mut evs);
    let (t, body, len) = messages(&flight)[0];
    assert_eq!(t, HandshakeType::ServerHello.get());
    let p = extension_data(&flight, body, len, false);
    assert_eq!(&flight[p..p + 2], [1, 0]);
    flight[p + 1] = 2;
    expect_alert(&mut c, &flight, AlertDescription::IllegalParameter);
}

#[test]
fn no_common_group_leaves_no_ecdhe_suite() {
    // The server accepts only P-384; the client offers only P-256 and only ECDHE suites.
    let sctx = ctx_groups(None, &[P384]);
    let mut c = ctx_groups(None, &[P256])
        .new_client_session(trusting_client(), None, 0xc02b, None, None)
        .unwrap();
    let mut s = sctx.new_server_session(dual_keys("ec-p256"), None).unwrap();
    let mut evs = Vec::new();
    let hello = take_out(&mut c, usize::MAX, &mut evs);
    expect_alert(&mut s, &hello, AlertDescription::HandshakeFailure);
}

#[test]
fn server_key_exchange_with_a_group_not_offered_or_a_bad_signature() {
    for (what, alert) in [
        ("group", AlertDescription::IllegalParameter),
        ("signature", AlertDescription::DecryptError),
        ("curve type", AlertDescription::IllegalParameter),
        ("point length", AlertDescription::DecodeError),
    ] {
        let (mut c, mut s) = (p256_client(), server());
        pump(&mut c, &mut s, usize::MAX);
        let mut evs = Vec::new();
        let mut flight = take_out(&mut s, usize::MAX, &mut evs);
        let (t, body, len) = messages(&flight)[2];
        assert_eq!(t, HandshakeType::ServerKeyExchange.get());
        match what {
            // secp384r1 instead of secp256r1.
            "group" => flight[body + 2] = 24,
            "signature" => flight[body + len - 3] ^= 0x40,
            "curve type" => flight[body] = 1,
            // The point's length byte overruns the message.
            _ => flight[body + 3] = 0xff,
        }
        expect_alert(&mut c, &flight, alert);
    }
}

#[test]
fn unchanged_flights_still_complete() {
    // The tampering helpers above change only what they mean to.
    let (mut c, mut s) = (p256_client(), server());
    let (ce, _) = handshake(&mut c, &mut s, usize::MAX);
    assert!(ce.contains(&Ev::Complete));
    assert_eq!(Config::default().ec_groups, [X25519, P256, P384]);
}
