//! DTLS version negotiation in memory (RFC 6347 section 4.2.1 and RFC 4347): a client
//! offering DTLS 1.2 gets DTLS 1.0 from a server that speaks only DTLS 1.0; a DTLS-1.0-only
//! client gets DTLS 1.0 from a server that speaks both; a server that speaks only DTLS 1.2
//! refuses a DTLS 1.0 client with protocol_version. The HelloVerifyRequest says {254,255}
//! whatever the server will negotiate, and its version is not used for negotiation: a client
//! answers a HelloVerifyRequest naming any DTLS version with the same hello.

mod support;

use matrix_dtls::fragment::parse_fragments;
use matrix_dtls::record::records;
use matrix_ssl::codec::handshake::HelloVerifyRequest;
use matrix_ssl::codec::{Codec, ContentType, HandshakeType};
use matrix_ssl::{AlertDescription, AlertLevel, ProtocolVersion};
use support::*;

const V10: ProtocolVersion = ProtocolVersion::DTLSv1_0;
const V12: ProtocolVersion = ProtocolVersion::DTLSv1_2;

/// A lossless handshake between a client of `client` and a server of `server`.
fn run(client: &matrix_dtls::DtlsContext, server: &matrix_dtls::DtlsContext) -> Pair {
    let c = client
        .new_client_session(client_keys(), None, 0, None, None)
        .unwrap();
    let s = server
        .new_server_session(server_keys(), None, CLIENT_ADDR)
        .unwrap();
    let mut p = Pair::new(c, s, NetParams::LOSSLESS, 5);
    p.send_client();
    for _ in 0..100 {
        if p.client.is_handshake_complete() && p.server.is_handshake_complete() {
            break;
        }
        if p.cev
            .iter()
            .chain(&p.sev)
            .any(|e| matches!(e, Ev::Alert(..) | Ev::Error(_)))
        {
            break;
        }
        p.tick();
    }
    p
}

/// The HelloVerifyRequests the server sent: their record and body versions.
fn hello_verify_requests(p: &Pair) -> Vec<(ProtocolVersion, ProtocolVersion)> {
    let mut out = Vec::new();
    for dg in &p.s2c.log {
        for (h, range) in records(dg) {
            if h.content_type != ContentType::Handshake || h.epoch != 0 {
                continue;
            }
            for f in parse_fragments(&dg[range]) {
                let (fh, body) = f.unwrap();
                if fh.msg_type == HandshakeType::HelloVerifyRequest {
                    let hvr = HelloVerifyRequest::read_bytes(body).unwrap();
                    out.push((h.version, hvr.server_version));
                }
            }
        }
    }
    out
}

#[test]
fn the_newest_common_version_is_negotiated() {
    for (client, server, want) in [
        (ctx(), ctx(), V12),
        (ctx(), ctx_for(V10), V10),
        (ctx_for(V10), ctx(), V10),
        (ctx_for(V12), ctx(), V12),
        (ctx(), ctx_for(V12), V12),
    ] {
        let p = run(&client, &server);
        let what = format!(
            "{:?} to {:?}",
            client.context().versions(),
            server.context().versions()
        );
        assert!(
            p.client.is_handshake_complete() && p.server.is_handshake_complete(),
            "{what}: {:?} {:?}",
            p.cev,
            p.sev
        );
        assert_eq!(p.client.protocol_version(), want, "{what}");
        assert_eq!(p.server.protocol_version(), want, "{what}");
        // One HelloVerifyRequest, in a DTLS 1.0 record and naming DTLS 1.0 whatever the
        // server negotiates (RFC 6347 section 4.2.1).
        assert_eq!(hello_verify_requests(&p), [(V10, V10)], "{what}");
    }
}

#[test]
fn a_dtls1_2_only_server_refuses_a_dtls1_0_client() {
    let p = run(&ctx_for(V10), &ctx_for(V12));
    assert!(!p.server.is_handshake_complete());
    assert!(
        p.cev.contains(&Ev::Alert(
            AlertLevel::Fatal,
            AlertDescription::ProtocolVersion
        )),
        "{:?}",
        p.cev
    );
}

/// A HelloVerifyRequest naming DTLS 1.2, or a DTLS version from the future, is answered
/// with the same hello and a DTLS 1.2 handshake follows: the client negotiates from the
/// ServerHello only. One naming a TLS version is protocol_version.
#[test]
fn the_hello_verify_request_version_is_not_negotiated() {
    use matrix_ssl::codec::handshake::DtlsHandshakeHeader;

    for (hvr_version, ok) in [
        (V12, true),
        (V10, true),
        (ProtocolVersion::from(0xfefc), true),
        (ProtocolVersion::TLSv1_2, false),
    ] {
        let cctx = ctx();
        let mut c = cctx
            .new_client_session(client_keys(), None, 0, None, None)
            .unwrap();
        let mut ev = Vec::new();
        let hello = drain(&mut c, &mut ev);
        assert_eq!(hello.len(), 1);
        // Our own HelloVerifyRequest, in a record of epoch 0 sequence 0.
        let body = HelloVerifyRequest {
            server_version: hvr_version,
            cookie: vec![7; 20],
        }
        .get_encoding();
        let mut msg = Vec::new();
        DtlsHandshakeHeader {
            msg_type: HandshakeType::HelloVerifyRequest,
            length: body.len() as u32,
            message_seq: 0,
            fragment_offset: 0,
            fragment_length: body.len() as u32,
        }
        .encode(&mut msg);
        msg.extend_from_slice(&body);
        let mut w = matrix_dtls::record::RecordWriter::new(V10);
        let mut dg = Vec::new();
        struct Fixed;
        impl matrix_ssl::engine::SecureRandom for Fixed {
            fn fill_bytes(&mut self, d: &mut [u8]) -> Result<(), matrix_ssl::Error> {
                d.fill(3);
                Ok(())
            }
        }
        w.protect(0, ContentType::Handshake, &msg, &mut Fixed, &mut dg)
            .unwrap();
        feed(&mut c, &dg, &mut ev);
        let again = drain(&mut c, &mut ev);
        if !ok {
            assert!(
                ev.contains(&Ev::Error(matrix_ssl::Error::ProtocolFail))
                    || again.iter().any(|d| d.first() == Some(&21)),
                "{hvr_version:?}: {ev:?}"
            );
            continue;
        }
        // The second ClientHello: still offering DTLS 1.2, now with the cookie.
        assert_eq!(again.len(), 1, "{hvr_version:?}");
        let (h, range) = records(&again[0]).next().unwrap();
        assert_eq!(
            h.version, V10,
            "the hello's record keeps DTLS 1.0's version"
        );
        let (fh, body) = parse_fragments(&again[0][range]).next().unwrap().unwrap();
        assert_eq!(
            (fh.msg_type, fh.message_seq),
            (HandshakeType::ClientHello, 1)
        );
        let ch = matrix_ssl::codec::handshake::ClientHello::read_bytes(body).unwrap();
        assert_eq!(ch.client_version, V12, "{hvr_version:?}");
        assert_eq!(ch.cookie.as_deref(), Some(&[7u8; 20][..]));
    }
}
