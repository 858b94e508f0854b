//! Re-handshakes (`encode_rehandshake`) with RFC 5746 secure renegotiation: started by
//! either side, resumed or full, changing the cipher suite, with application data
//! interleaved in both directions during a 1 MiB transfer, every byte checked.
#![cfg(feature = "secure-rehandshakes")]

mod support;

use matrix_ssl::suites::{KeyExchange, SUITES};
use matrix_ssl::{Error, ProtocolVersion, Session, SessionOption};
use support::*;

fn tls_versions() -> Vec<ProtocolVersion> {
    ctx()
        .versions()
        .iter()
        .copied()
        .filter(|v| !v.is_ssl3())
        .collect()
}

fn pair(v: ProtocolVersion, suite: u16) -> (Session, Session) {
    let cctx = ctx_with(|c| {
        c.min_version = v;
        c.max_version = v;
    });
    // These tests re-handshake faster than a peer may ask for in production; the rate
    // limit has its own tests (rehandshake_limit.rs).
    let sctx = ctx_with(|c| c.rehandshakes_per_minute = 0);
    let (mut c, mut s) = new_pair(&cctx, &sctx, suite, None, None);
    handshake(&mut c, &mut s, usize::MAX);
    (c, s)
}

/// Pumps both ways until neither side has anything to send; returns the app data each
/// side received and whether each saw HandshakeComplete.
fn settle(c: &mut Session, s: &mut Session) -> (Vec<u8>, Vec<u8>, bool, bool) {
    let (mut cd, mut sd, mut cc, mut sc) = (Vec::new(), Vec::new(), false, false);
    for _ in 0..20 {
        let (ce1, se1) = pump(c, s, usize::MAX);
        let (se2, ce2) = pump(s, c, usize::MAX);
        for e in ce1.into_iter().chain(ce2) {
            match e {
                Ev::AppData(d) => cd.extend(d),
                Ev::Complete | Ev::SentComplete => cc = true,
                Ev::Alert(..) => panic!("client saw {e:?}"),
                _ => {}
            }
        }
        for e in se1.into_iter().chain(se2) {
            match e {
                Ev::AppData(d) => sd.extend(d),
                Ev::Complete | Ev::SentComplete => sc = true,
                Ev::Alert(..) => panic!("server saw {e:?}"),
                _ => {}
            }
        }
        if c.get_outdata().is_empty() && s.get_outdata().is_empty() {
            break;
        }
    }
    (cd, sd, cc, sc)
}

#[test]
fn resumed_and_full_from_either_side() {
    for v in tls_versions() {
        let (mut c, mut s) = pair(v, 0);
        assert!(c.secure_renegotiation() && s.secure_renegotiation());
        for (client_side, full) in [(true, false), (false, false), (true, true), (false, true)] {
            let opt = full.then_some(SessionOption::FullHandshake);
            let who = if client_side { &mut c } else { &mut s };
            who.encode_rehandshake(None, None, opt, 0).unwrap();
            // A second request while one runs is refused.
            if client_side {
                assert_eq!(
                    c.encode_rehandshake(None, None, None, 0),
                    Err(Error::ProtocolFail)
                );
            }
            let (_, _, cc, sc) = settle(&mut c, &mut s);
            assert!(cc && sc, "{v:?} client_side={client_side} full={full}");
            assert!(c.is_handshake_complete() && s.is_handshake_complete());
            assert_eq!(c.is_resumed(), !full, "{v:?} client_side={client_side}");
            assert_eq!(s.is_resumed(), !full);
            assert!(c.secure_renegotiation() && s.secure_renegotiation());
            let data = pattern(3000);
            send_all(&mut c, &mut s, &data, usize::MAX);
            send_all(&mut s, &mut c, &data, usize::MAX);
        }
    }
}

/// SSL 3.0 between two matrix peers (RFC 5746 section 4.5): our server answers the SCSV
/// of an SSL 3.0 hello with an empty renegotiation_info, our SSL 3.0 client accepts it,
/// and both sides renegotiate securely, resumed and full, started by either.
#[cfg(feature = "ssl3")]
#[test]
fn ssl3_secure_renegotiation() {
    let v = ProtocolVersion::SSLv3;
    let (mut c, mut s) = pair(v, 0);
    assert!(c.secure_renegotiation() && s.secure_renegotiation());
    // The server's renegotiation_info (0xff01) is the one extension of its hello.
    let exts: Vec<u16> = c.peer_hello_extensions().iter().map(|e| e.0).collect();
    assert_eq!(exts, [0xff01]);
    for (client_side, full) in [(true, false), (false, false), (true, true), (false, true)] {
        let opt = full.then_some(SessionOption::FullHandshake);
        let who = if client_side { &mut c } else { &mut s };
        who.encode_rehandshake(None, None, opt, 0).unwrap();
        let (_, _, cc, sc) = settle(&mut c, &mut s);
        assert!(cc && sc, "client_side={client_side} full={full}");
        assert_eq!(c.protocol_version(), v);
        assert_eq!(c.is_resumed(), !full);
        assert!(c.secure_renegotiation() && s.secure_renegotiation());
        let data = pattern(3000);
        send_all(&mut c, &mut s, &data, usize::MAX);
        send_all(&mut s, &mut c, &data, usize::MAX);
    }
}

/// The application's hello extensions (given to `new_client_session`) are sent again in
/// every re-handshake's ClientHello, next to renegotiation_info: the server sees them
/// (and the host name) after re-handshakes started by either side, resumed and full.
#[test]
fn client_hello_extensions_survive_rehandshakes() {
    use matrix_ssl::HelloExtensions;
    let host = b"reneg.example";
    // server_name (RFC 6066 section 3): a list of one host_name.
    let mut sni = Vec::new();
    sni.extend_from_slice(&(u16::try_from(host.len()).unwrap() + 3).to_be_bytes());
    sni.push(0);
    sni.extend_from_slice(&u16::try_from(host.len()).unwrap().to_be_bytes());
    sni.extend_from_slice(host);
    let private = (0xfe00u16, vec![1u8, 2, 3]);
    let mut exts = HelloExtensions::new();
    exts.load(0, &sni).unwrap();
    exts.load(private.0, &private.1).unwrap();
    for v in tls_versions() {
        let cctx = ctx_with(|c| {
            c.min_version = v;
            c.max_version = v;
        });
        let sctx = ctx();
        let mut c = cctx
            .new_client_session(client_keys(), None, 0, None, Some(&exts))
            .unwrap();
        let mut s = sctx.new_server_session(server_keys(), None).unwrap();
        handshake(&mut c, &mut s, usize::MAX);
        let mut rounds = 0;
        for (client_side, full) in [(true, false), (false, true), (true, true), (false, false)] {
            let opt = full.then_some(SessionOption::FullHandshake);
            let who = if client_side { &mut c } else { &mut s };
            who.encode_rehandshake(None, None, opt, 0).unwrap();
            let (_, _, cc, sc) = settle(&mut c, &mut s);
            assert!(cc && sc, "{v:?} client_side={client_side} full={full}");
            let seen = s.peer_hello_extensions();
            assert!(seen.contains(&(0, sni.clone())), "{v:?}: {seen:?}");
            assert!(seen.contains(&private), "{v:?}: {seen:?}");
            // renegotiation_info with the client's previous verify_data (12 bytes).
            assert!(
                seen.iter().any(|(t, d)| *t == 0xff01 && d.len() == 13),
                "{v:?}: {seen:?}"
            );
            assert_eq!(s.server_name(), Some(&host[..]));
            rounds += 1;
        }
        assert_eq!(rounds, 4);
    }
}

#[test]
fn rehandshake_changes_the_cipher_suite() {
    let v = *tls_versions().last().unwrap();
    let suites: Vec<u16> = SUITES
        .iter()
        .filter(|s| matches!(s.kx, KeyExchange::Rsa | KeyExchange::DheRsa) && s.allowed_in(v))
        .map(|s| s.suite.get())
        .collect();
    assert!(suites.len() >= 2);
    let (mut c, mut s) = pair(v, suites[0]);
    for &next in &suites[1..] {
        c.encode_rehandshake(None, None, None, next).unwrap();
        let (_, _, cc, sc) = settle(&mut c, &mut s);
        assert!(cc && sc);
        assert_eq!(c.cipher_suite().map(|s| s.get()), Some(next));
        assert_eq!(s.cipher_suite().map(|s| s.get()), Some(next));
        assert!(!c.is_resumed());
        let data = pattern(2000);
        send_all(&mut c, &mut s, &data, usize::MAX);
        send_all(&mut s, &mut c, &data, usize::MAX);
    }
}

/// 1 MiB each way in 16 KiB records, a re-handshake every 8 records started by
/// alternating sides, records sent before, during and after each; every byte checked.
#[test]
fn interleaved_application_data_is_never_lost() {
    for v in tls_versions() {
        let (mut c, mut s) = pair(v, 0);
        let total = 1 << 20;
        let data = pattern(total);
        let (mut got_c, mut got_s) = (Vec::new(), Vec::new());
        let mut handshakes = 0;
        for (i, chunk) in data.chunks(16384).enumerate() {
            c.encode_to_outdata(chunk).unwrap();
            s.encode_to_outdata(chunk).unwrap();
            if i % 8 == 3 {
                let full = (i / 8) % 3 == 0;
                let opt = full.then_some(SessionOption::FullHandshake);
                let who = if (i / 8) % 2 == 0 { &mut c } else { &mut s };
                if who.is_handshake_complete() {
                    who.encode_rehandshake(None, None, opt, 0).unwrap();
                    handshakes += 1;
                }
            }
            // One step each way: handshake messages and data in flight together.
            let (ce, se) = pump(&mut c, &mut s, 5000);
            let (se2, ce2) = pump(&mut s, &mut c, 5000);
            for e in ce.into_iter().chain(ce2) {
                if let Ev::AppData(d) = e {
                    got_c.extend(d);
                }
            }
            for e in se.into_iter().chain(se2) {
                if let Ev::AppData(d) = e {
                    got_s.extend(d);
                }
            }
        }
        let (cd, sd, _, _) = settle(&mut c, &mut s);
        got_c.extend(cd);
        got_s.extend(sd);
        eprintln!("{v:?}: {handshakes} re-handshakes during the transfer");
        assert!(handshakes >= 8, "{handshakes}");
        assert_eq!(got_s.len(), total, "{v:?}");
        assert_eq!(got_c.len(), total, "{v:?}");
        assert!(got_s == data && got_c == data, "{v:?}: corrupted");
        assert!(c.is_handshake_complete() && s.is_handshake_complete());
    }
}

#[test]
fn rehandshake_api_misuse() {
    let ctx = ctx();
    let mut c = ctx
        .new_client_session(client_keys(), None, 0, None, None)
        .unwrap();
    // Before the first handshake.
    assert_eq!(
        c.encode_rehandshake(None, None, None, 0),
        Err(Error::ProtocolFail)
    );
    let (mut c, _s) = pair(*tls_versions().last().unwrap(), 0);
    assert_eq!(
        c.encode_rehandshake(None, None, Some(SessionOption::DisableClientAuth), 0),
        Err(Error::ArgFail)
    );
    // Accepted as in C: it deletes the resumption state (tests/api_gaps.rs).
    assert_eq!(c.set_session_option(SessionOption::FullHandshake), Ok(()));
}

/// The renegotiation attack (CVE-2009-3555) seen from the server: an attacker splices a
/// victim's renegotiating ClientHello, which carries the victim's previous verify_data,
/// in as the first hello of its own connection. A non-empty renegotiation_info on an
/// initial handshake is a handshake_failure (RFC 5746 section 3.6).
#[test]
fn renegotiation_prefix_attack_is_detected() {
    use matrix_ssl::codec::handshake::{ClientHello, Extension, encode_handshake};
    use matrix_ssl::codec::{CipherSuite, Codec, CompressionMethod, HandshakeType};
    for v in ctx().versions().to_vec() {
        let ch = ClientHello {
            client_version: v,
            random: [7; 32],
            session_id: vec![],
            cookie: None,
            cipher_suites: vec![CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA],
            compression_methods: vec![CompressionMethod::Null],
            extensions: Some(vec![Extension::RenegotiationInfo(vec![0x5a; 12])]),
        };
        let mut msg = Vec::new();
        encode_handshake(&mut msg, HandshakeType::ClientHello, |o| ch.encode(o));
        let mut rec = vec![22, 3, 1];
        rec.extend_from_slice(&(msg.len() as u16).to_be_bytes());
        rec.extend_from_slice(&msg);
        let mut s = ctx().new_server_session(server_keys(), None).unwrap();
        let mut evs = Vec::new();
        feed(&mut s, &rec, usize::MAX, &mut evs);
        let out = take_out(&mut s, usize::MAX, &mut evs);
        assert_eq!(out[0], 21, "{v:?}");
        assert_eq!(
            &out[5..7],
            &[2, matrix_ssl::AlertDescription::HandshakeFailure.get()]
        );
        assert_eq!(evs.last(), Some(&Ev::SentClose));
    }
}
