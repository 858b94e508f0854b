//! Every compiled version x every compiled RSA suite x {full, resumed}, delivery patterns,
//! version negotiation, resumption rules and the certificate callback, through the public
//! buffer API.
// The shared in-memory pair (`support`) needs `std` and both roles.
#![cfg(all(
    feature = "std",
    feature = "client-side-ssl",
    feature = "server-side-ssl"
))]

mod support;

use matrix_ssl::suites::{KeyExchange, SUITES};
use matrix_ssl::{AlertDescription, AlertLevel, ProtocolVersion, SessionId, Verdict};
use support::*;

fn versions() -> Vec<ProtocolVersion> {
    ctx().versions().to_vec()
}

fn rsa_suites(v: ProtocolVersion) -> Vec<u16> {
    SUITES
        .iter()
        .filter(|s| s.kx == KeyExchange::Rsa && s.allowed_in(v))
        .map(|s| s.suite.get())
        .collect()
}

/// One version, one suite: a full handshake, data both ways, then a resumed one.
fn full_then_resumed(v: ProtocolVersion, suite: u16, chunk: usize) {
    eprintln!("{v:?} {suite:#06x} chunk {chunk}");
    let cctx = ctx_with(|c| {
        c.min_version = v;
        c.max_version = v;
    });
    let sctx = ctx();
    let (mut c, mut s) = new_pair(&cctx, &sctx, suite, None, None);
    let (ce, se) = handshake(&mut c, &mut s, chunk);
    assert!(ce.contains(&Ev::Complete), "{v:?} {suite:#x}: {ce:?}");
    assert!(se.contains(&Ev::SentComplete), "{v:?} {suite:#x}: {se:?}");
    assert_eq!(c.protocol_version(), v);
    assert_eq!(s.protocol_version(), v);
    assert_eq!(c.cipher_suite().map(|s| s.get()), Some(suite));
    assert_eq!(s.cipher_suite().map(|s| s.get()), Some(suite));
    assert!(!c.is_resumed() && !s.is_resumed());
    // RFC 5746 both ways, in SSL 3.0 too (section 4.5: the server answers the SCSV).
    assert!(s.secure_renegotiation());
    assert!(c.secure_renegotiation());
    let data = pattern(3000);
    send_all(&mut c, &mut s, &data, chunk);
    send_all(&mut s, &mut c, &data, chunk);

    let sid = c.session_id().expect("a resumable session");
    assert_eq!(sid.cipher_suite().get(), suite);
    assert_eq!(sid.protocol_version(), v);
    let (mut c2, mut s2) = new_pair(&cctx, &sctx, 0, Some(&sid), None);
    let (ce, se) = handshake(&mut c2, &mut s2, chunk);
    assert!(
        c2.is_resumed() && s2.is_resumed(),
        "{v:?} {suite:#x} not resumed"
    );
    // Resumed: the server completes on receiving, the client on sending.
    assert!(ce.contains(&Ev::SentComplete), "{ce:?}");
    assert!(se.contains(&Ev::Complete), "{se:?}");
    assert_eq!(c2.cipher_suite().map(|s| s.get()), Some(suite));
    send_all(&mut c2, &mut s2, &data, chunk);
    send_all(&mut s2, &mut c2, &data, chunk);
}

#[test]
fn every_version_and_suite_full_and_resumed() {
    let vs = versions();
    assert!(!vs.is_empty());
    let mut n = 0;
    for v in vs {
        for suite in rsa_suites(v) {
            full_then_resumed(v, suite, usize::MAX);
            n += 1;
        }
    }
    assert!(n >= 3, "only {n} combinations");
}

#[test]
fn byte_at_a_time_every_version() {
    for v in versions() {
        let suite = rsa_suites(v)[0];
        full_then_resumed(v, suite, 1);
    }
}

#[test]
fn odd_chunks() {
    for chunk in [2, 3, 5, 7, 100, 1000] {
        full_then_resumed(*versions().last().unwrap(), 0x002f, chunk);
    }
}

#[test]
fn server_cache_miss_falls_back_to_full() {
    let ctx1 = ctx();
    let (mut c, mut s) = new_pair(&ctx1, &ctx1, 0, None, None);
    handshake(&mut c, &mut s, usize::MAX);
    let sid = c.session_id().unwrap();
    // Another server context has never seen the session.
    let ctx2 = ctx();
    let (mut c2, mut s2) = new_pair(&ctx1, &ctx2, 0, Some(&sid), None);
    let (ce, _) = handshake(&mut c2, &mut s2, usize::MAX);
    assert!(!c2.is_resumed() && !s2.is_resumed());
    assert!(ce.contains(&Ev::Complete));
    assert_ne!(c2.session_id().unwrap().id(), sid.id());
    send_all(&mut c2, &mut s2, b"after a miss", usize::MAX);
}

#[test]
fn cache_expiry_and_lru() {
    use matrix_core::osdep::ManualClock;
    use std::sync::Arc;
    let clock = Arc::new(ManualClock::new(1_000_000));
    let mut cfg = matrix_ssl::Config::default();
    cfg.session_table_size = 2;
    cfg.session_entry_life = std::time::Duration::from_secs(60);
    let sctx = matrix_ssl::open_with(
        cfg,
        Box::new(matrix_core::osdep::OsEntropy),
        Box::new(clock.clone()),
    )
    .unwrap();
    let cctx = ctx();
    let mut ids = Vec::new();
    for _ in 0..3 {
        let (mut c, mut s) = new_pair(&cctx, &sctx, 0, None, None);
        handshake(&mut c, &mut s, usize::MAX);
        ids.push(c.session_id().unwrap());
        clock.advance(1);
    }
    assert_eq!(sctx.cached_sessions(), 2);
    let resumes = |sid: &SessionId| {
        let (mut c, mut s) = new_pair(&cctx, &sctx, 0, Some(sid), None);
        handshake(&mut c, &mut s, usize::MAX);
        c.is_resumed()
    };
    // The oldest was replaced (LRU), the two newest resume.
    assert!(!resumes(&ids[0]));
    clock.advance(1);
    assert!(resumes(&ids[2]));
    // After the entry life nothing resumes.
    clock.advance(61_000);
    assert!(!resumes(&ids[2]));
}

#[test]
fn nominated_suite_rules() {
    let ctx = ctx();
    // Not compiled in (or not a suite): PS_UNSUPPORTED_FAIL.
    let e = ctx
        .new_client_session(client_keys(), None, 0x1234, None, None)
        .unwrap_err();
    assert_eq!(e, matrix_ssl::Error::UnsupportedFail);
    // Disabled globally: the same.
    ctx.set_cipher_suite_enabled_status(0x002f, false).unwrap();
    let e = ctx
        .new_client_session(client_keys(), None, 0x002f, None, None)
        .unwrap_err();
    assert_eq!(e, matrix_ssl::Error::UnsupportedFail);
    ctx.set_cipher_suite_enabled_status(0x002f, true).unwrap();
    assert_eq!(
        ctx.set_cipher_suite_enabled_status(0x1234, false),
        Err(matrix_ssl::Error::Failure)
    );

    // A session id of another suite is dropped when a different suite is nominated.
    let (mut c, mut s) = new_pair(&ctx, &ctx, 0x002f, None, None);
    handshake(&mut c, &mut s, usize::MAX);
    let sid = c.session_id().unwrap();
    let other = rsa_suites(c.protocol_version())
        .into_iter()
        .find(|&x| x != 0x002f)
        .unwrap();
    let (mut c2, mut s2) = new_pair(&ctx, &ctx, other, Some(&sid), None);
    handshake(&mut c2, &mut s2, usize::MAX);
    assert!(!c2.is_resumed());
    assert_eq!(c2.cipher_suite().unwrap().get(), other);
    // The same suite nominated: resumed.
    let (mut c3, mut s3) = new_pair(&ctx, &ctx, 0x002f, Some(&sid), None);
    handshake(&mut c3, &mut s3, usize::MAX);
    assert!(c3.is_resumed());
    // An empty SessionId means a full handshake.
    let (mut c4, mut s4) = new_pair(&ctx, &ctx, 0, Some(&SessionId::new()), None);
    handshake(&mut c4, &mut s4, usize::MAX);
    assert!(!c4.is_resumed());
}

#[test]
fn server_session_disables_suites() {
    let ctx = ctx();
    let c = ctx
        .new_client_session(client_keys(), None, 0, None, None)
        .unwrap();
    let mut s = ctx.new_server_session(server_keys(), None).unwrap();
    let mut c = c;
    assert_eq!(
        c.set_cipher_suite_enabled_status(0x002f, false),
        Err(matrix_ssl::Error::UnsupportedFail)
    );
    let first = SUITES[0].suite.get();
    s.set_cipher_suite_enabled_status(first, false).unwrap();
    handshake(&mut c, &mut s, usize::MAX);
    assert_ne!(s.cipher_suite().unwrap().get(), first);
}

#[test]
fn version_negotiation() {
    let Some(&top) = versions().last() else {
        return;
    };
    if top != ProtocolVersion::TLSv1_1 {
        return;
    }
    // Client up to TLS 1.1, server limited to TLS 1.0: TLS 1.0.
    let cctx = ctx();
    let sctx = ctx_with(|c| c.max_version = ProtocolVersion::TLSv1_0);
    let (mut c, mut s) = new_pair(&cctx, &sctx, 0, None, None);
    handshake(&mut c, &mut s, usize::MAX);
    assert_eq!(c.protocol_version(), ProtocolVersion::TLSv1_0);
    assert_eq!(s.protocol_version(), ProtocolVersion::TLSv1_0);
    send_all(&mut c, &mut s, b"tls 1.0", usize::MAX);

    // Client only TLS 1.0, server only TLS 1.1: protocol_version from the server.
    let cctx = ctx_with(|c| c.max_version = ProtocolVersion::TLSv1_0);
    let sctx = ctx_with(|c| c.min_version = ProtocolVersion::TLSv1_1);
    let (mut c, mut s) = new_pair(&cctx, &sctx, 0, None, None);
    let (_, se) = pump(&mut c, &mut s, usize::MAX);
    assert_eq!(se, vec![Ev::RequestSend]);
    let (sent, ce) = pump(&mut s, &mut c, usize::MAX);
    assert_eq!(sent, vec![Ev::SentClose]);
    assert_eq!(
        ce,
        vec![
            Ev::Alert(AlertLevel::Fatal, AlertDescription::ProtocolVersion),
            Ev::Success
        ]
    );
    assert_eq!(c.processed_data(), Ok(matrix_ssl::Received::Success));
    assert!(!c.get_readbuf().is_empty());
    assert_eq!(
        c.received_data(1).unwrap_err(),
        matrix_ssl::Error::ProtocolFail
    );
}

#[test]
fn app_data_appended_to_finished() {
    let ctx = ctx();
    let (mut c, mut s) = new_pair(&ctx, &ctx, 0, None, None);
    pump(&mut c, &mut s, usize::MAX); // ClientHello
    pump(&mut s, &mut c, usize::MAX); // ServerHello .. ServerHelloDone
    pump(&mut c, &mut s, usize::MAX); // ClientKeyExchange, CCS, Finished
    assert!(s.is_handshake_complete());
    // The server queues data behind its Finished before sending anything.
    s.encode_to_outdata(b"first").unwrap();
    s.encode_to_outdata(b"second").unwrap();
    let (se, ce) = pump(&mut s, &mut c, usize::MAX);
    assert_eq!(se, vec![Ev::SentComplete]);
    assert_eq!(
        ce,
        vec![
            Ev::AppData(b"first".to_vec()),
            Ev::AppData(b"second".to_vec()),
            Ev::Success
        ]
    );
    assert!(c.is_handshake_complete());
}

#[test]
fn many_records_in_one_buffer_and_writebuf() {
    let ctx = ctx();
    let (mut c, mut s) = new_pair(&ctx, &ctx, 0, None, None);
    handshake(&mut c, &mut s, usize::MAX);
    let mut expected = Vec::new();
    for i in 0..20u8 {
        let buf = c.get_writebuf(100 + usize::from(i)).unwrap();
        assert_eq!(buf.len(), 100 + usize::from(i));
        buf.fill(i);
        let n = c.encode_writebuf(100 + usize::from(i)).unwrap();
        assert!(n > 100 + usize::from(i));
        expected.push(vec![i; 100 + usize::from(i)]);
    }
    let (_, evs) = pump(&mut c, &mut s, usize::MAX);
    let got: Vec<Vec<u8>> = evs
        .into_iter()
        .filter_map(|e| match e {
            Ev::AppData(d) => Some(d),
            _ => None,
        })
        .collect();
    assert_eq!(got.concat(), expected.concat());
    // get_writebuf caps at one record.
    assert_eq!(c.get_writebuf(100_000).unwrap().len(), 16384);
    assert_eq!(
        c.encode_to_outdata(&vec![0; 16385]),
        Err(matrix_ssl::Error::LimitFail)
    );
}

#[test]
fn big_transfers_both_ways() {
    let ctx = ctx();
    let (mut c, mut s) = new_pair(&ctx, &ctx, 0, None, None);
    handshake(&mut c, &mut s, usize::MAX);
    send_all(&mut c, &mut s, &pattern(16384), usize::MAX);
    send_all(&mut s, &mut c, &pattern(16384), usize::MAX);
    let mib = pattern(1 << 20);
    send_all(&mut c, &mut s, &mib, usize::MAX);
    send_all(&mut s, &mut c, &mib, 4096);
    let (now, high) = c.memory_usage();
    assert!(high <= ctx.config().session_memory_cap);
    assert!(now < 64 * 1024, "buffers shrink back: {now}");
}

#[test]
fn close_notify_both_ways() {
    let ctx = ctx();
    for client_first in [true, false] {
        let (mut c, mut s) = new_pair(&ctx, &ctx, 0, None, None);
        handshake(&mut c, &mut s, usize::MAX);
        let (a, b) = if client_first {
            (&mut c, &mut s)
        } else {
            (&mut s, &mut c)
        };
        a.encode_closure_alert().unwrap();
        assert!(a.encode_to_outdata(b"x").is_err());
        let (ae, be) = pump(a, b, usize::MAX);
        assert_eq!(ae, vec![Ev::SentClose]);
        assert_eq!(
            be,
            vec![
                Ev::Alert(AlertLevel::Warning, AlertDescription::CloseNotify),
                Ev::Success
            ]
        );
        assert!(b.peer_closed());
        // The other side answers with its own close_notify.
        b.encode_closure_alert().unwrap();
        let mut evs = Vec::new();
        take_out(b, usize::MAX, &mut evs);
        assert_eq!(evs, vec![Ev::SentClose]);
    }
}

#[test]
fn cert_callback_verdicts() {
    use matrix_ssl::Keys;
    use std::sync::{Arc, Mutex};
    let ctx = ctx();
    // A client without the CA: unknown_ca.
    let no_ca = Arc::new(Keys::new());
    let run = |keys: Arc<Keys>, v: Option<matrix_ssl::CertValidator>| {
        let mut c = ctx.new_client_session(keys, None, 0, v, None).unwrap();
        let mut s = ctx.new_server_session(server_keys(), None).unwrap();
        pump(&mut c, &mut s, usize::MAX);
        pump(&mut s, &mut c, usize::MAX);
        let (_, se) = pump(&mut c, &mut s, usize::MAX);
        (c, se)
    };
    // No callback, unknown CA: the alert goes out.
    let (c, se) = run(no_ca.clone(), None);
    assert!(!c.is_handshake_complete());
    assert_eq!(
        se,
        vec![
            Ev::Alert(AlertLevel::Fatal, AlertDescription::UnknownCa),
            Ev::Success
        ]
    );
    // The callback sees the alert and passes it through.
    let seen = Arc::new(Mutex::new(None));
    let seen2 = seen.clone();
    let (_, se) = run(
        no_ca.clone(),
        Some(Box::new(move |info, chain, alert| {
            // The server holds an RSA identity only: ECDHE_ECDSA suites are skipped.
            let first = SUITES
                .iter()
                .find(|s| s.kx != matrix_ssl::suites::KeyExchange::EcdheEcdsa);
            assert_eq!(info.cipher_suite(), first.map(|s| s.suite));
            assert!(
                info.peer_hello_extensions()
                    .iter()
                    .any(|(t, _)| *t == 0xff01)
            );
            *seen2.lock().unwrap() = Some((chain.len(), alert));
            Verdict::from_code(alert.map_or(0, |a| i32::from(a.get())))
        })),
    );
    assert_eq!(
        *seen.lock().unwrap(),
        Some((2, Some(AlertDescription::UnknownCa)))
    );
    assert_eq!(
        se,
        vec![
            Ev::Alert(AlertLevel::Fatal, AlertDescription::UnknownCa),
            Ev::Success
        ]
    );
    // 0: continue despite the alert; not anonymous.
    let (c, _) = run(no_ca.clone(), Some(Box::new(|_, _, _| Verdict::Continue)));
    assert!(!c.anon_status());
    assert!(c.peer_certificates().is_some());
    // SSL_ALLOW_ANON_CONNECTION: continue, anonymous.
    let (mut c, mut s) = (
        ctx.new_client_session(
            no_ca.clone(),
            None,
            0,
            Some(Box::new(|_, _, _| Verdict::from_code(254))),
            None,
        )
        .unwrap(),
        ctx.new_server_session(server_keys(), None).unwrap(),
    );
    handshake(&mut c, &mut s, usize::MAX);
    assert!(c.anon_status());
    // < 0: internal_error.
    let (_, se) = run(
        no_ca.clone(),
        Some(Box::new(|_, _, _| Verdict::from_code(-1))),
    );
    assert_eq!(
        se,
        vec![
            Ev::Alert(AlertLevel::Fatal, AlertDescription::InternalError),
            Ev::Success
        ]
    );
    // > 0: that alert, even when authentication passed.
    let (_, se) = run(
        client_keys(),
        Some(Box::new(|_, _, alert| {
            assert_eq!(alert, None);
            Verdict::Alert(AlertDescription::CertificateExpired)
        })),
    );
    assert_eq!(
        se,
        vec![
            Ev::Alert(AlertLevel::Fatal, AlertDescription::CertificateExpired),
            Ev::Success
        ]
    );
}

#[test]
fn per_session_disable_limit() {
    let ctx = ctx_with(|c| c.max_disabled_ciphers = 2);
    let mut s = ctx.new_server_session(server_keys(), None).unwrap();
    let ids: Vec<u16> = SUITES.iter().map(|s| s.suite.get()).collect();
    if ids.len() < 3 {
        return;
    }
    s.set_cipher_suite_enabled_status(ids[0], false).unwrap();
    s.set_cipher_suite_enabled_status(ids[1], false).unwrap();
    assert_eq!(
        s.set_cipher_suite_enabled_status(ids[2], false),
        Err(matrix_ssl::Error::LimitFail)
    );
    // Re-enabling frees a slot.
    s.set_cipher_suite_enabled_status(ids[0], true).unwrap();
    s.set_cipher_suite_enabled_status(ids[2], false).unwrap();
    assert_eq!(
        s.set_cipher_suite_enabled_status(0x1234, false),
        Err(matrix_ssl::Error::Failure)
    );
}

/// A client whose highest version is SSL 3.0 offers no TLS-only extension (RFC 7627
/// extended_master_secret, RFC 7366 encrypt_then_mac): old SSL 3.0 servers (tlslite-ng's
/// among them) refuse them. A client offering TLS with SSL 3.0 as a fallback keeps them.
/// Both signal RFC 5746 with the SCSV.
#[cfg(feature = "ssl3")]
#[test]
fn ssl3_only_hello_offers_no_tls_extensions() {
    use matrix_ssl::codec::Codec;
    use matrix_ssl::codec::handshake::ClientHello;
    let ems = cfg!(feature = "extended-master-secret");
    let etm = cfg!(feature = "encrypt-then-mac");
    let mut cases = vec![(ProtocolVersion::SSLv3, false)];
    if let Some(top) = ctx().versions().iter().copied().find(|v| !v.is_ssl3()) {
        cases.push((top, true));
    }
    for (max, tls) in cases {
        let cctx = ctx_with(|c| {
            c.min_version = ProtocolVersion::SSLv3;
            c.max_version = max;
        });
        let c = cctx
            .new_client_session(client_keys(), None, 0, None, None)
            .unwrap();
        // One plaintext record: 5-byte header, 4-byte handshake header, the hello.
        let ch = ClientHello::read_bytes(&c.get_outdata()[9..]).unwrap();
        assert_eq!(ch.client_version, max);
        assert_eq!(ch.extension(23.into()).is_some(), tls && ems, "{max:?}");
        assert_eq!(ch.extension(22.into()).is_some(), tls && etm, "{max:?}");
        assert!(ch.has_scsv());
    }
}
