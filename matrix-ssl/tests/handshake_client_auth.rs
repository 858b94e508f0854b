//! Client authentication (feature `client-auth`): CertificateRequest, the client's
//! Certificate and CertificateVerify in SSL 3.0, TLS 1.0, 1.1 and 1.2 with RSA and DHE_RSA,
//! the server's chain authentication and certificate callback, the session options, a
//! client without a certificate, a bad CertificateVerify and an unknown client CA.
#![cfg(all(
    feature = "client-auth",
    feature = "std",
    feature = "client-side-ssl",
    feature = "server-side-ssl"
))]

mod support;

use std::sync::{Arc, Mutex};

use matrix_ssl::suites::{KeyExchange, SUITES};
use matrix_ssl::{
    AlertDescription, AlertLevel, CertValidator, Error, Keys, ProtocolVersion, Session,
    SessionOption, Verdict,
};
use support::*;

/// The server identity, trusting `ca` for client certificates (none: no CA loaded).
fn server_keys_ca(ca: Option<&str>) -> Arc<Keys> {
    let mut k = Keys::new();
    let ca = ca.map(read);
    k.load_rsa_keys_mem(
        Some(&read("rsa2048/server-chain.pem")),
        Some(&read("rsa2048/server.key")),
        ca.as_deref(),
    )
    .unwrap();
    Arc::new(k)
}

/// A client with its certificate chain and key, trusting the rsa2048 root.
fn client_keys_cert() -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_rsa_keys_mem(
        Some(&read("rsa2048/client-chain.pem")),
        Some(&read("rsa2048/client.key")),
        Some(&read("rsa2048/ca.der")),
    )
    .unwrap();
    Arc::new(k)
}

type Seen = Arc<Mutex<Vec<(usize, Option<AlertDescription>)>>>;

/// A server callback that records (chain length, alert) and answers `verdict`.
fn recorder(verdict: Option<Verdict>) -> (CertValidator, Seen) {
    let seen: Seen = Arc::default();
    let s2 = seen.clone();
    let cb: CertValidator = Box::new(move |_, chain, alert| {
        s2.lock().unwrap().push((chain.len(), alert));
        verdict.unwrap_or_else(|| Verdict::from_code(alert.map_or(0, |a| i32::from(a.get()))))
    });
    (cb, seen)
}

fn suites_for(v: ProtocolVersion) -> Vec<u16> {
    let mut out = Vec::new();
    for kx in [KeyExchange::Rsa, KeyExchange::DheRsa] {
        if let Some(s) = SUITES.iter().find(|s| s.kx == kx && s.allowed_in(v)) {
            out.push(s.suite.get());
        }
    }
    out
}

fn pair_with(
    v: ProtocolVersion,
    suite: u16,
    ckeys: Arc<Keys>,
    skeys: Arc<Keys>,
    cb: Option<CertValidator>,
) -> (Session, Session) {
    let cctx = ctx_with(|c| {
        c.min_version = v;
        c.max_version = v;
    });
    let c = cctx
        .new_client_session(ckeys, None, suite, None, None)
        .unwrap();
    let s = ctx().new_server_session(skeys, cb).unwrap();
    (c, s)
}

#[test]
fn mutual_authentication_every_version() {
    for v in ctx().versions().to_vec() {
        for suite in suites_for(v) {
            let (cb, seen) = recorder(None);
            let (mut c, mut s) = pair_with(
                v,
                suite,
                client_keys_cert(),
                server_keys_ca(Some("rsa2048/ca.pem")),
                Some(cb),
            );
            let (ce, se) = handshake(&mut c, &mut s, usize::MAX);
            assert!(ce.contains(&Ev::Complete), "{v:?} {suite:#x} {ce:?}");
            assert!(se.contains(&Ev::SentComplete), "{se:?}");
            // The callback saw the client's two certificates, authenticated.
            assert_eq!(*seen.lock().unwrap(), vec![(2, None)], "{v:?} {suite:#x}");
            let chain = s.peer_certificates().expect("the client's chain");
            assert_eq!(chain.len(), 2);
            assert!(!s.anon_status());
            let data = pattern(4000);
            send_all(&mut c, &mut s, &data, usize::MAX);
            send_all(&mut s, &mut c, &data, usize::MAX);
        }
    }
}

/// A resumed handshake does not ask again.
#[test]
fn resumption_skips_the_request() {
    let v = *ctx().versions().last().unwrap();
    let cctx = ctx();
    let sctx = ctx();
    let (cb, seen) = recorder(None);
    let skeys = server_keys_ca(Some("rsa2048/ca.pem"));
    let mut c = cctx
        .new_client_session(client_keys_cert(), None, 0, None, None)
        .unwrap();
    let mut s = sctx.new_server_session(skeys.clone(), Some(cb)).unwrap();
    handshake(&mut c, &mut s, usize::MAX);
    let sid = c.session_id().unwrap();
    let (cb2, seen2) = recorder(None);
    let mut c2 = cctx
        .new_client_session(client_keys_cert(), Some(&sid), 0, None, None)
        .unwrap();
    let mut s2 = sctx.new_server_session(skeys, Some(cb2)).unwrap();
    handshake(&mut c2, &mut s2, usize::MAX);
    assert!(s2.is_resumed());
    assert_eq!(c2.protocol_version(), v);
    assert_eq!(seen.lock().unwrap().len(), 1);
    assert!(seen2.lock().unwrap().is_empty());
}

#[test]
fn session_options() {
    let ctx = ctx();
    // Disabled right after creation: no request, although a callback is set.
    let (cb, seen) = recorder(None);
    let mut c = ctx
        .new_client_session(client_keys_cert(), None, 0, None, None)
        .unwrap();
    let mut s = ctx
        .new_server_session(server_keys_ca(Some("rsa2048/ca.pem")), Some(cb))
        .unwrap();
    s.set_session_option(SessionOption::DisableClientAuth)
        .unwrap();
    handshake(&mut c, &mut s, usize::MAX);
    assert!(seen.lock().unwrap().is_empty());
    assert!(s.peer_certificates().is_none());
    // Disabled then enabled again: requested.
    let (cb, seen) = recorder(None);
    let mut c = ctx
        .new_client_session(client_keys_cert(), None, 0, None, None)
        .unwrap();
    let mut s = ctx
        .new_server_session(server_keys_ca(Some("rsa2048/ca.pem")), Some(cb))
        .unwrap();
    s.set_session_option(SessionOption::DisableClientAuth)
        .unwrap();
    s.set_session_option(SessionOption::EnableClientAuth)
        .unwrap();
    handshake(&mut c, &mut s, usize::MAX);
    assert_eq!(seen.lock().unwrap().len(), 1);
    // Enabling needs a callback; client sessions have no such option.
    let mut s = ctx.new_server_session(server_keys(), None).unwrap();
    assert_eq!(
        s.set_session_option(SessionOption::EnableClientAuth),
        Err(Error::ArgFail)
    );
    assert_eq!(
        c.set_session_option(SessionOption::DisableClientAuth),
        Err(Error::ArgFail)
    );
}

/// A client without a certificate: downgraded with
/// `server-will-accept-empty-client-cert-msg`, handshake_failure without.
#[test]
fn client_without_certificate() {
    for v in ctx().versions().to_vec() {
        let (cb, seen) = recorder(None);
        let (mut c, mut s) = pair_with(
            v,
            0,
            client_keys(),
            server_keys_ca(Some("rsa2048/ca.pem")),
            Some(cb),
        );
        pump(&mut c, &mut s, usize::MAX);
        pump(&mut s, &mut c, usize::MAX);
        let (_, se) = pump(&mut c, &mut s, usize::MAX);
        if cfg!(feature = "server-will-accept-empty-client-cert-msg") {
            let (se2, ce) = pump(&mut s, &mut c, usize::MAX);
            assert!(ce.contains(&Ev::Complete), "{v:?} {se:?} {se2:?} {ce:?}");
            assert!(s.peer_certificates().is_none());
        } else {
            assert!(!s.is_handshake_complete());
            let (_, ce) = pump(&mut s, &mut c, usize::MAX);
            assert!(
                ce.contains(&Ev::Alert(
                    AlertLevel::Fatal,
                    AlertDescription::HandshakeFailure
                )),
                "{v:?} {ce:?}"
            );
        }
        assert!(seen.lock().unwrap().is_empty());
    }
}

/// A client certificate from a CA the server does not trust: the callback sees
/// unknown_ca; passing it through fails the handshake with it, 0 accepts.
#[test]
fn client_certificate_from_unknown_ca() {
    let v = ProtocolVersion::TLSv1_0;
    let (cb, seen) = recorder(None);
    let (mut c, mut s) = pair_with(
        v,
        0,
        client_keys_cert(),
        server_keys_ca(Some("rsa1024/ca.pem")),
        Some(cb),
    );
    pump(&mut c, &mut s, usize::MAX);
    pump(&mut s, &mut c, usize::MAX);
    pump(&mut c, &mut s, usize::MAX);
    let (_, ce) = pump(&mut s, &mut c, usize::MAX);
    assert_eq!(
        ce.first(),
        Some(&Ev::Alert(AlertLevel::Fatal, AlertDescription::UnknownCa))
    );
    assert_eq!(
        *seen.lock().unwrap(),
        vec![(2, Some(AlertDescription::UnknownCa))]
    );
    let (cb, _) = recorder(Some(Verdict::Continue));
    let (mut c, mut s) = pair_with(
        v,
        0,
        client_keys_cert(),
        server_keys_ca(Some("rsa1024/ca.pem")),
        Some(cb),
    );
    handshake(&mut c, &mut s, usize::MAX);
    assert!(s.peer_certificates().is_some());
}

/// No CA loaded: an empty CertificateRequest with `server-can-send-empty-cert-request`
/// (the callback authenticates), internal_error without.
#[test]
fn no_ca_loaded() {
    let (cb, seen) = recorder(Some(Verdict::Continue));
    let (mut c, mut s) = pair_with(
        ProtocolVersion::TLSv1_1,
        0,
        client_keys_cert(),
        server_keys_ca(None),
        Some(cb),
    );
    if cfg!(feature = "server-can-send-empty-cert-request") {
        handshake(&mut c, &mut s, usize::MAX);
        assert_eq!(
            *seen.lock().unwrap(),
            vec![(2, Some(AlertDescription::UnknownCa))]
        );
    } else {
        pump(&mut c, &mut s, usize::MAX);
        let (_, ce) = pump(&mut s, &mut c, usize::MAX);
        assert_eq!(
            ce.first(),
            Some(&Ev::Alert(
                AlertLevel::Fatal,
                AlertDescription::InternalError
            ))
        );
    }
}

/// Runs a client-authenticated handshake in `v` up to the client's second flight, lets
/// `edit` change the CertificateVerify body (the bytes of the plaintext record it sits in)
/// and returns the server's answer to the edited flight.
fn server_answer_to_edited_certificate_verify(
    v: ProtocolVersion,
    edit: impl FnOnce(&mut [u8]),
) -> Vec<u8> {
    let (cb, _) = recorder(None);
    let (mut c, mut s) = pair_with(
        v,
        0,
        client_keys_cert(),
        server_keys_ca(Some("rsa2048/ca.pem")),
        Some(cb),
    );
    pump(&mut c, &mut s, usize::MAX);
    pump(&mut s, &mut c, usize::MAX);
    let mut evs = Vec::new();
    let mut bad = take_out(&mut c, usize::MAX, &mut evs);
    // The plaintext handshake record(s) before ChangeCipherSpec: find the CertificateVerify
    // (type 15).
    let mut pos = 0;
    let mut cv = None;
    while pos + 5 <= bad.len() && bad[pos] == 22 {
        let len = u16::from_be_bytes([bad[pos + 3], bad[pos + 4]]) as usize;
        let mut m = pos + 5;
        while m < pos + 5 + len {
            let mlen = u32::from_be_bytes([0, bad[m + 1], bad[m + 2], bad[m + 3]]) as usize;
            if bad[m] == 15 {
                cv = Some(m + 4..m + 4 + mlen);
            }
            m += 4 + mlen;
        }
        pos += 5 + len;
    }
    edit(&mut bad[cv.expect("a CertificateVerify")]);
    let mut se = Vec::new();
    feed(&mut s, &bad, usize::MAX, &mut se);
    let out = take_out(&mut s, usize::MAX, &mut se);
    assert_eq!(out[0], 21, "{v:?} {se:?}");
    out
}

/// A CertificateVerify with one bit flipped: decrypt_error (handshake_failure in SSL 3.0).
#[test]
fn bad_certificate_verify() {
    for v in ctx().versions().to_vec() {
        let out = server_answer_to_edited_certificate_verify(v, |cv| {
            let last = cv.len() - 1;
            cv[last] ^= 1;
        });
        let want = if v.is_ssl3() {
            AlertDescription::HandshakeFailure
        } else {
            AlertDescription::DecryptError
        };
        assert_eq!(&out[5..7], &[2, want.get()], "{v:?}");
    }
}

/// TLS 1.2 (RFC 5246 section 7.4.8): the CertificateVerify names its pair, which must be one
/// of the CertificateRequest's (illegal_parameter otherwise) and match the signature
/// (decrypt_error otherwise).
#[cfg(feature = "tls-1-2")]
#[test]
fn tls12_certificate_verify_pairs() {
    let v = ProtocolVersion::TLSv1_2;
    for (pair, want) in [
        ([4u8, 3], AlertDescription::IllegalParameter),
        ([8, 4], AlertDescription::IllegalParameter),
        ([6, 1], AlertDescription::DecryptError),
        ([2, 1], AlertDescription::DecryptError),
    ] {
        let out = server_answer_to_edited_certificate_verify(v, |cv| {
            // Our client signs with RSA+SHA-256, our first choice, which the server lists.
            assert_eq!(&cv[..2], &[4, 1]);
            cv[..2].copy_from_slice(&pair);
        });
        assert_eq!(&out[5..7], &[2, want.get()], "{pair:?}");
    }
}

/// A server upgrades a connection to client authentication by a re-handshake with a
/// certificate callback (`encode_rehandshake(None, Some(cb), None, 0)`).
#[cfg(feature = "secure-rehandshakes")]
#[test]
fn upgrade_to_client_auth_by_rehandshake() {
    for v in ctx().versions().iter().copied().filter(|v| !v.is_ssl3()) {
        let (mut c, mut s) = pair_with(
            v,
            0,
            client_keys_cert(),
            server_keys_ca(Some("rsa2048/ca.pem")),
            None,
        );
        handshake(&mut c, &mut s, usize::MAX);
        assert!(s.peer_certificates().is_none());
        let (cb, seen) = recorder(None);
        s.encode_rehandshake(None, Some(cb), None, 0).unwrap();
        for _ in 0..6 {
            pump(&mut s, &mut c, usize::MAX);
            pump(&mut c, &mut s, usize::MAX);
        }
        assert!(c.is_handshake_complete() && s.is_handshake_complete());
        assert!(!s.is_resumed(), "a new callback means a full handshake");
        assert_eq!(*seen.lock().unwrap(), vec![(2, None)], "{v:?}");
        assert_eq!(s.peer_certificates().map(|c| c.len()), Some(2));
        let data = pattern(1000);
        send_all(&mut c, &mut s, &data, usize::MAX);
        send_all(&mut s, &mut c, &data, usize::MAX);
    }
}
