//! The DHE_RSA, DH_anon, PSK and DHE_PSK key exchanges: every compiled suite in every version
//! that allows it, full and resumed, through the public buffer API; then the negative cases
//! (bad ServerKeyExchange signature, DH public values 0, 1, p-1 and p, unknown PSK
//! identity, a group below 1024 bits), each with the RFC's alert.
// The shared in-memory pair (`support`) needs `std` and both roles.
#![cfg(all(
    feature = "std",
    feature = "client-side-ssl",
    feature = "server-side-ssl"
))]

mod support;

use std::sync::Arc;

use matrix_ssl::suites::{KeyExchange, SUITES};
use matrix_ssl::{AlertDescription, AlertLevel, Keys, ProtocolVersion, Session};
use support::*;

const PSK_ID: &[u8] = b"client-one";
const PSK: &[u8] = &[
    0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f, 0x70, 0x81, 0x92, 0xa3, 0xb4, 0xc5,
];

fn kx_suites(v: ProtocolVersion) -> Vec<(u16, KeyExchange)> {
    SUITES
        .iter()
        // The ECDHE suites have their own tests (handshake_ecdhe.rs).
        .filter(|s| s.kx != KeyExchange::Rsa && !s.kx.is_ecdhe() && s.allowed_in(v))
        .map(|s| (s.suite.get(), s.kx))
        .collect()
}

/// Server keys: the rsa2048 chain, optionally DH parameters, and two PSKs.
fn server_keys_kx(dh: Option<&str>) -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_rsa_keys_mem(
        Some(&read("rsa2048/server-chain.pem")),
        Some(&read("rsa2048/server.key")),
        None,
    )
    .unwrap();
    if let Some(f) = dh {
        k.load_dh_params_mem(&read(f)).unwrap();
    }
    k.load_psk(b"someone-else", &[9; 16]).unwrap();
    k.load_psk(PSK_ID, PSK).unwrap();
    Arc::new(k)
}

/// Client keys: the CA and one PSK (`id`, `key`).
fn client_keys_kx(id: &[u8], key: &[u8]) -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_rsa_keys_mem(None, None, Some(&read("rsa2048/ca.der")))
        .unwrap();
    k.load_psk(id, key).unwrap();
    Arc::new(k)
}

fn one_version(v: ProtocolVersion) -> matrix_ssl::Context {
    ctx_with(|c| {
        c.min_version = v;
        c.max_version = v;
    })
}

fn pair(v: ProtocolVersion, suite: u16, dh: Option<&str>) -> (Session, Session) {
    let c = one_version(v)
        .new_client_session(client_keys_kx(PSK_ID, PSK), None, suite, None, None)
        .unwrap();
    let s = ctx().new_server_session(server_keys_kx(dh), None).unwrap();
    (c, s)
}

fn full_then_resumed(v: ProtocolVersion, suite: u16, kx: KeyExchange, dh: Option<&str>) {
    eprintln!("{v:?} {suite:#06x} {kx:?} {dh:?}");
    let cctx = one_version(v);
    let sctx = ctx();
    let skeys = server_keys_kx(dh);
    let ckeys = client_keys_kx(PSK_ID, PSK);
    let mut c = cctx
        .new_client_session(ckeys.clone(), None, suite, None, None)
        .unwrap();
    let mut s = sctx.new_server_session(skeys.clone(), None).unwrap();
    let (ce, se) = handshake(&mut c, &mut s, usize::MAX);
    assert!(ce.contains(&Ev::Complete), "{ce:?}");
    assert!(se.contains(&Ev::SentComplete), "{se:?}");
    assert_eq!(c.protocol_version(), v);
    assert_eq!(c.cipher_suite().map(|s| s.get()), Some(suite));
    assert_eq!(s.cipher_suite().map(|s| s.get()), Some(suite));
    assert_eq!(c.anon_status(), kx == KeyExchange::DhAnon);
    assert_eq!(
        c.peer_certificates().is_some(),
        kx == KeyExchange::DheRsa,
        "certificates only with DHE_RSA"
    );
    let data = pattern(5000);
    send_all(&mut c, &mut s, &data, usize::MAX);
    send_all(&mut s, &mut c, &data, usize::MAX);

    let sid = c.session_id().expect("a resumable session");
    // Suite 0 offers everything but DH_anon, which must be nominated (also to resume).
    let offer = if kx == KeyExchange::DhAnon { suite } else { 0 };
    let mut c2 = cctx
        .new_client_session(ckeys, Some(&sid), offer, None, None)
        .unwrap();
    let mut s2 = sctx.new_server_session(skeys, None).unwrap();
    handshake(&mut c2, &mut s2, 7);
    assert!(c2.is_resumed() && s2.is_resumed(), "not resumed");
    assert_eq!(c2.cipher_suite().map(|s| s.get()), Some(suite));
    send_all(&mut c2, &mut s2, &data, usize::MAX);
    send_all(&mut s2, &mut c2, &data, usize::MAX);
}

#[test]
fn every_kx_suite_every_version() {
    let mut n = 0;
    for v in ctx().versions().to_vec() {
        for (suite, kx) in kx_suites(v) {
            full_then_resumed(v, suite, kx, Some("dh/dh1024.pem"));
            n += 1;
        }
    }
    eprintln!("{n} combinations");
}

#[test]
fn default_group_and_2048_bit_params() {
    let v = *ctx().versions().last().unwrap();
    for (suite, kx) in kx_suites(v) {
        if matches!(
            kx,
            KeyExchange::DheRsa | KeyExchange::DhAnon | KeyExchange::DhePsk
        ) {
            full_then_resumed(v, suite, kx, None);
            full_then_resumed(v, suite, kx, Some("dh/dh2048.pem"));
            return;
        }
    }
}

/// Without a DH suite no DH code is compiled: loading parameters is
/// `PS_UNSUPPORTED_FAIL`, as MatrixSSL answers for what it was built without.
#[cfg(not(feature = "dh-key-exchange"))]
#[test]
fn dh_params_are_unsupported_without_a_dh_suite() {
    let mut k = Keys::new();
    assert_eq!(
        k.load_dh_params_mem(&read("dh/dh1024.pem")).unwrap_err(),
        matrix_ssl::Error::UnsupportedFail
    );
}

#[cfg(feature = "dh-key-exchange")]
#[test]
fn load_dh_params_and_psk_arguments() {
    let mut k = Keys::new();
    // PEM and DER (the PEM's base64 body), files and memory.
    k.load_dh_params_mem(&read("dh/dh1024.pem")).unwrap();
    k.load_dh_params(&testkeys("dh/dh2048.pem")).unwrap();
    assert_eq!(
        k.load_dh_params("/nonexistent/dh.pem").unwrap_err(),
        matrix_ssl::Error::PlatformFail
    );
    assert!(k.load_dh_params_mem(b"not parameters").is_err());
    // A 512-bit group is refused.
    let small = std::process::Command::new("openssl")
        .args(["dhparam", "-outform", "DER", "512"])
        .output();
    if let Ok(out) = small
        && out.status.success()
    {
        assert_eq!(
            k.load_dh_params_mem(&out.stdout).unwrap_err(),
            matrix_ssl::Error::ArgFail
        );
    }
    assert!(!k.has_psk());
    assert_eq!(
        k.load_psk(b"", b"k").unwrap_err(),
        matrix_ssl::Error::ArgFail
    );
    assert_eq!(
        k.load_psk(b"id", b"").unwrap_err(),
        matrix_ssl::Error::ArgFail
    );
    assert!(k.load_psk(b"id", &[1; 65]).is_err());
    assert!(k.load_psk(&[b'i'; 129], b"k").is_err());
    k.load_psk(b"id", &[1; 64]).unwrap();
    assert!(k.load_psk(b"id", b"other").is_err());
    assert!(k.has_psk());
}

/// DH_anon is offered only when nominated.
#[test]
fn dh_anon_only_when_nominated() {
    let Some(anon) = SUITES.iter().find(|s| s.kx == KeyExchange::DhAnon) else {
        return;
    };
    let v = ProtocolVersion::TLSv1_0;
    let ctx = one_version(v);
    // Suite 0 against a server that could do DH_anon: never anonymous.
    let mut c = ctx
        .new_client_session(client_keys_kx(PSK_ID, PSK), None, 0, None, None)
        .unwrap();
    let mut s = ctx.new_server_session(server_keys_kx(None), None).unwrap();
    handshake(&mut c, &mut s, usize::MAX);
    assert_ne!(c.cipher_suite(), Some(anon.suite));
    assert!(!c.anon_status());
    // Nominated: anonymous, and said so.
    let (mut c, mut s) = pair(v, anon.suite.get(), None);
    handshake(&mut c, &mut s, usize::MAX);
    assert_eq!(c.cipher_suite(), Some(anon.suite));
    assert!(c.anon_status());
}

/// A PSK suite is not offered without a PSK, nor negotiated by a server without one.
#[test]
fn psk_needs_keys() {
    let Some(psk) = SUITES.iter().find(|s| s.kx == KeyExchange::Psk) else {
        return;
    };
    let ctx = ctx();
    assert!(
        ctx.new_client_session(client_keys(), None, psk.suite.get(), None, None)
            .is_err()
    );
    // A client with a PSK against a server without: the server picks a suite of its own.
    let mut c = ctx
        .new_client_session(client_keys_kx(PSK_ID, PSK), None, 0, None, None)
        .unwrap();
    let mut s = ctx.new_server_session(server_keys(), None).unwrap();
    handshake(&mut c, &mut s, usize::MAX);
    let kx = SUITES
        .iter()
        .find(|i| Some(i.suite) == c.cipher_suite())
        .unwrap()
        .kx;
    assert!(!matches!(kx, KeyExchange::Psk | KeyExchange::DhePsk));
}

/// The server's answer to the client's first flight when it does not like it.
fn server_alert_on_first_flight(c: &mut Session, s: &mut Session) -> Vec<Ev> {
    pump(c, s, usize::MAX);
    pump(s, c, usize::MAX);
    let (_, se) = pump(c, s, usize::MAX);
    se
}

#[test]
fn unknown_psk_identity() {
    for (suite, kx) in kx_suites(ProtocolVersion::TLSv1_0) {
        if !matches!(kx, KeyExchange::Psk | KeyExchange::DhePsk) {
            continue;
        }
        let mut c = one_version(ProtocolVersion::TLSv1_0)
            .new_client_session(client_keys_kx(b"stranger", PSK), None, suite, None, None)
            .unwrap();
        let mut s = ctx()
            .new_server_session(server_keys_kx(None), None)
            .unwrap();
        let se = server_alert_on_first_flight(&mut c, &mut s);
        assert_eq!(se.first(), Some(&Ev::RequestSend), "{se:?}");
        let (_, ce) = pump(&mut s, &mut c, usize::MAX);
        assert_eq!(
            ce.first(),
            Some(&Ev::Alert(
                AlertLevel::Fatal,
                AlertDescription::UnknownPskIdentity
            )),
            "{suite:#x}"
        );
        // A known identity with the wrong key: the Finished does not verify.
        let mut c = one_version(ProtocolVersion::TLSv1_0)
            .new_client_session(
                client_keys_kx(PSK_ID, b"wrong key"),
                None,
                suite,
                None,
                None,
            )
            .unwrap();
        let mut s = ctx()
            .new_server_session(server_keys_kx(None), None)
            .unwrap();
        let se = server_alert_on_first_flight(&mut c, &mut s);
        let (_, ce) = pump(&mut s, &mut c, usize::MAX);
        assert!(!s.is_handshake_complete(), "{se:?}");
        assert!(
            matches!(ce.first(), Some(Ev::Alert(AlertLevel::Fatal, _))),
            "{ce:?}"
        );
    }
}

/// The plaintext records of a flight, with the handshake message of type `msg_type`
/// (each message within one record, as matrix sends them) replaced by `f(body)`.
fn rewrite(flight: &[u8], msg_type: u8, mut f: impl FnMut(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = flight;
    let mut found = false;
    while rest.len() >= 5 {
        let len = u16::from_be_bytes([rest[3], rest[4]]) as usize;
        let (rec, tail) = rest.split_at(5 + len);
        rest = tail;
        if rec[0] != 22 {
            out.extend_from_slice(rec);
            continue;
        }
        let mut body = Vec::new();
        let mut msgs = &rec[5..];
        while msgs.len() >= 4 {
            let mlen = u32::from_be_bytes([0, msgs[1], msgs[2], msgs[3]]) as usize;
            let (m, t) = msgs.split_at(4 + mlen);
            msgs = t;
            if m[0] == msg_type {
                found = true;
                let nb = f(&m[4..]);
                body.push(m[0]);
                body.extend_from_slice(&(nb.len() as u32).to_be_bytes()[1..]);
                body.extend_from_slice(&nb);
            } else {
                body.extend_from_slice(m);
            }
        }
        out.extend_from_slice(&rec[..3]);
        out.extend_from_slice(&(body.len() as u16).to_be_bytes());
        out.extend_from_slice(&body);
    }
    assert!(found, "no message of type {msg_type}");
    out
}

/// Splits ServerDHParams (after `skip` bytes of hint) into (p, g, Ys, rest).
fn split_params(body: &[u8], skip: usize) -> (Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>) {
    let mut b = &body[skip..];
    let mut take = || {
        let n = u16::from_be_bytes([b[0], b[1]]) as usize;
        let v = b[2..2 + n].to_vec();
        b = &b[2 + n..];
        v
    };
    let p = take();
    let g = take();
    let ys = take();
    (p, g, ys, b.to_vec())
}

fn join_params(prefix: &[u8], p: &[u8], g: &[u8], ys: &[u8], rest: &[u8]) -> Vec<u8> {
    let mut out = prefix.to_vec();
    for v in [p, g, ys] {
        out.extend_from_slice(&(v.len() as u16).to_be_bytes());
        out.extend_from_slice(v);
    }
    out.extend_from_slice(rest);
    out
}

/// The client's reaction to the server's first flight rewritten by `f` (on the
/// ServerKeyExchange body).
fn client_alert(v: ProtocolVersion, suite: u16, f: impl Fn(&[u8]) -> Vec<u8>) -> Vec<u8> {
    let (mut c, mut s) = pair(v, suite, Some("dh/dh1024.pem"));
    pump(&mut c, &mut s, usize::MAX);
    let mut evs = Vec::new();
    let flight = take_out(&mut s, usize::MAX, &mut evs);
    let bad = rewrite(&flight, 12, f);
    let mut ce = Vec::new();
    feed(&mut c, &bad, usize::MAX, &mut ce);
    assert!(!c.is_handshake_complete());
    assert_eq!(ce.last(), Some(&Ev::RequestSend), "{ce:?}");
    take_out(&mut c, usize::MAX, &mut ce)
}

fn alert_of(out: &[u8]) -> (u8, u8) {
    assert_eq!(out[0], 21, "not an alert: {out:?}");
    (out[5], out[6])
}

#[test]
fn bad_dh_public_values_and_signature() {
    for v in ctx().versions().to_vec() {
        let ssl3 = v.is_ssl3();
        for (suite, kx) in kx_suites(v) {
            let hint = match kx {
                KeyExchange::DheRsa | KeyExchange::DhAnon => 0,
                KeyExchange::DhePsk => 2, // the empty hint
                _ => continue,
            };
            eprintln!("{v:?} {suite:#x}");
            let illegal = AlertDescription::IllegalParameter.get();
            // Ys = 0, 1, p - 1, p: illegal_parameter (before any signature check matters,
            // DH_anon and DHE_PSK; DHE_RSA's signature fails first: decrypt_error).
            for which in 0..4 {
                let out = client_alert(v, suite, |body| {
                    let (p, g, _, rest) = split_params(body, hint);
                    let mut pm1 = p.clone();
                    *pm1.last_mut().unwrap() -= 1;
                    let ys = match which {
                        0 => vec![0],
                        1 => vec![1],
                        2 => pm1,
                        _ => p.clone(),
                    };
                    join_params(&body[..hint], &p, &g, &ys, &rest)
                });
                let want = if kx == KeyExchange::DheRsa {
                    if ssl3 {
                        AlertDescription::HandshakeFailure.get()
                    } else {
                        AlertDescription::DecryptError.get()
                    }
                } else {
                    illegal
                };
                assert_eq!(alert_of(&out), (2, want), "{v:?} {suite:#x} case {which}");
            }
            // A flipped bit in the signature of DHE_RSA: decrypt_error.
            if kx == KeyExchange::DheRsa {
                let out = client_alert(v, suite, |body| {
                    let mut b = body.to_vec();
                    *b.last_mut().unwrap() ^= 1;
                    b
                });
                let want = if ssl3 {
                    AlertDescription::HandshakeFailure
                } else {
                    AlertDescription::DecryptError
                };
                assert_eq!(alert_of(&out), (2, want.get()));
            }
            // A 512-bit group: insufficient_security (handshake_failure in SSL 3.0).
            if kx != KeyExchange::DheRsa {
                let out = client_alert(v, suite, |body| {
                    let (p, g, ys, rest) = split_params(body, hint);
                    join_params(&body[..hint], &p[..64], &g, &ys[..64], &rest)
                });
                let want = if ssl3 {
                    AlertDescription::HandshakeFailure
                } else {
                    AlertDescription::InsufficientSecurity
                };
                assert_eq!(alert_of(&out), (2, want.get()));
            }
        }
    }
}

/// The server checks the client's Yc the same way: 0, 1, p - 1 and p are illegal_parameter.
#[test]
fn bad_client_dh_values() {
    let v = ProtocolVersion::TLSv1_0;
    for (suite, kx) in kx_suites(v) {
        if !matches!(kx, KeyExchange::DheRsa | KeyExchange::DhAnon) {
            continue;
        }
        for which in 0..4 {
            let (mut c, mut s) = pair(v, suite, Some("dh/dh1024.pem"));
            pump(&mut c, &mut s, usize::MAX);
            let mut evs = Vec::new();
            let flight = take_out(&mut s, usize::MAX, &mut evs);
            // Learn p from the ServerKeyExchange.
            let mut p = Vec::new();
            rewrite(&flight, 12, |body| {
                p = split_params(body, 0).0;
                body.to_vec()
            });
            let mut ce = Vec::new();
            feed(&mut c, &flight, usize::MAX, &mut ce);
            let second = take_out(&mut c, usize::MAX, &mut ce);
            // Only the ClientKeyExchange record (the rest is encrypted): cut after it.
            let mut pm1 = p.clone();
            *pm1.last_mut().unwrap() -= 1;
            let yc = match which {
                0 => vec![0],
                1 => vec![1],
                2 => pm1,
                _ => p.clone(),
            };
            let len = u16::from_be_bytes([second[3], second[4]]) as usize;
            let first_record = &second[..5 + len];
            let bad = rewrite(first_record, 16, |_| {
                let mut b = (yc.len() as u16).to_be_bytes().to_vec();
                b.extend_from_slice(&yc);
                b
            });
            let mut se = Vec::new();
            feed(&mut s, &bad, usize::MAX, &mut se);
            let out = take_out(&mut s, usize::MAX, &mut se);
            assert_eq!(
                alert_of(&out),
                (2, AlertDescription::IllegalParameter.get()),
                "{suite:#x} case {which}"
            );
        }
    }
}
