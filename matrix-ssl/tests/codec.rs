//! The codec against real messages: OpenSSL captures decode, re-encode to the same bytes,
//! carry the values we expect, and every malformation is a DecodeError with the right alert.

#[path = "codec_data/captures.rs"]
mod captures;
#[path = "codec_data/support.rs"]
mod support;

use captures::*;
use matrix_ssl::codec::framing::{Framed, HandshakeFramer};
use matrix_ssl::codec::handshake::{
    Certificate, CertificateRequest, CertificateVerify, ClientHello, ClientKeyExchange,
    DtlsHandshakeHeader, Extension, Finished, HandshakeHeader, HandshakePayload,
    HelloVerifyRequest, KeyExchangeKind, ServerHello, ServerKeyExchange, ServerName,
};
use matrix_ssl::codec::record::{
    Alert, ChangeCipherSpec, DtlsRecordHeader, MAX_CIPHERTEXT_LEN, RecordHeader,
};
use matrix_ssl::codec::{
    AlertDescription, AlertLevel, CipherSuite, ClientCertificateType, Codec, CompressionMethod,
    ContentType, DecodeError, ExtensionType, HandshakeType, ProtocolVersion, Reader,
};
use support::{hex, reencode};

const TLS10: ProtocolVersion = ProtocolVersion::TLSv1_0;
const TLS11: ProtocolVersion = ProtocolVersion::TLSv1_1;
const SSL3: ProtocolVersion = ProtocolVersion::SSLv3;
const DTLS10: ProtocolVersion = ProtocolVersion::DTLSv1_0;

/// (name, whole TLS message in hex, version, key exchange) for every TLS-framed capture.
fn tls_captures() -> Vec<(
    &'static str,
    Vec<u8>,
    ProtocolVersion,
    Option<KeyExchangeKind>,
)> {
    let dhe = Some(KeyExchangeKind::DheRsa);
    let rsa = Some(KeyExchangeKind::Rsa);
    vec![
        ("TLS10_CLIENT_HELLO", hex(TLS10_CLIENT_HELLO), TLS10, None),
        (
            "TLS10_DHE_SERVER_HELLO",
            hex(TLS10_DHE_SERVER_HELLO),
            TLS10,
            None,
        ),
        ("CERTIFICATE", hex(CERTIFICATE), TLS10, dhe),
        (
            "TLS10_DHE_SERVER_KEY_EXCHANGE",
            hex(TLS10_DHE_SERVER_KEY_EXCHANGE),
            TLS10,
            dhe,
        ),
        ("CERTIFICATE_REQUEST", hex(CERTIFICATE_REQUEST), TLS10, dhe),
        ("SERVER_HELLO_DONE", hex(SERVER_HELLO_DONE), TLS10, dhe),
        ("EMPTY_CERTIFICATE", hex(EMPTY_CERTIFICATE), TLS10, dhe),
        (
            "TLS10_DH_CLIENT_KEY_EXCHANGE",
            hex(TLS10_DH_CLIENT_KEY_EXCHANGE),
            TLS10,
            dhe,
        ),
        (
            "TLS10_CLIENT_FINISHED",
            hex(TLS10_CLIENT_FINISHED),
            TLS10,
            dhe,
        ),
        ("TLS11_CLIENT_HELLO", hex(TLS11_CLIENT_HELLO), TLS11, None),
        (
            "TLS11_RSA_SERVER_HELLO",
            hex(TLS11_RSA_SERVER_HELLO),
            TLS11,
            None,
        ),
        (
            "TLS11_RSA_CLIENT_KEY_EXCHANGE",
            hex(TLS11_RSA_CLIENT_KEY_EXCHANGE),
            TLS11,
            rsa,
        ),
        (
            "TLS11_CERTIFICATE_VERIFY",
            hex(TLS11_CERTIFICATE_VERIFY),
            TLS11,
            rsa,
        ),
        ("SSL3_CLIENT_HELLO", hex(SSL3_CLIENT_HELLO), SSL3, None),
        ("SSL3_RSA_CLIENT_KEY_EXCHANGE", ssl3_rsa_cke(), SSL3, rsa),
    ]
}

/// (name, whole DTLS message in hex, key exchange) for the DTLS captures.
fn dtls_captures() -> Vec<(&'static str, Vec<u8>, Option<KeyExchangeKind>)> {
    let rsa = Some(KeyExchangeKind::Rsa);
    vec![
        ("DTLS10_CLIENT_HELLO", hex(DTLS10_CLIENT_HELLO), None),
        (
            "DTLS10_HELLO_VERIFY_REQUEST",
            hex(DTLS10_HELLO_VERIFY_REQUEST),
            None,
        ),
        (
            "DTLS10_CLIENT_HELLO_COOKIE",
            hex(DTLS10_CLIENT_HELLO_COOKIE),
            None,
        ),
        ("DTLS10_SERVER_HELLO", hex(DTLS10_SERVER_HELLO), None),
        (
            "DTLS10_RSA_CLIENT_KEY_EXCHANGE",
            hex(DTLS10_RSA_CLIENT_KEY_EXCHANGE),
            rsa,
        ),
        ("DTLS10_FINISHED", hex(DTLS10_FINISHED), rsa),
    ]
}

/// The TLS 1.1 RSA ClientKeyExchange re-framed as SSL 3.0 sends it: the same 256 bytes
/// without their 2-byte length.
fn ssl3_rsa_cke() -> Vec<u8> {
    let tls = hex(TLS11_RSA_CLIENT_KEY_EXCHANGE);
    let mut v = vec![16, 0x00, 0x01, 0x00];
    v.extend_from_slice(&tls[6..]);
    v
}

fn split_tls(msg: &[u8]) -> (HandshakeType, &[u8]) {
    match HandshakeFramer::default().frame(msg).expect("frames") {
        Framed::Message(f) => {
            assert_eq!(f.raw, msg, "one whole message");
            (f.msg_type, f.body)
        }
        other => panic!("not a whole message: {other:?}"),
    }
}

fn split_dtls(msg: &[u8]) -> (DtlsHandshakeHeader, &[u8]) {
    let mut r = Reader::new(msg);
    let h = DtlsHandshakeHeader::read(&mut r).expect("DTLS header");
    assert_eq!(h.fragment_offset, 0);
    assert_eq!(h.fragment_length, h.length);
    assert!(h.fragment_in_bounds());
    let body = r.rest();
    assert_eq!(body.len(), h.length as usize);
    assert_eq!(h.get_encoding(), msg[..DtlsHandshakeHeader::LEN]);
    (h, body)
}

#[test]
fn captures_reencode_to_the_same_bytes() {
    for (name, msg, version, kex) in tls_captures() {
        let (t, body) = split_tls(&msg);
        let (payload, out) =
            reencode(t, body, version, kex).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(out, body, "{name}: body");
        assert!(
            !matches!(payload, HandshakePayload::Unknown { .. }),
            "{name}"
        );
        let mut whole = Vec::new();
        payload.encode_message(&mut whole, version);
        assert_eq!(whole, msg, "{name}: whole message");
    }
    for (name, msg, kex) in dtls_captures() {
        let (h, body) = split_dtls(&msg);
        let (_, out) =
            reencode(h.msg_type, body, DTLS10, kex).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        assert_eq!(out, body, "{name}");
    }
}

fn body_of(msg: &str) -> Vec<u8> {
    hex(msg)[HandshakeHeader::LEN..].to_vec()
}

fn client_hello(msg: &str) -> ClientHello {
    ClientHello::read_bytes(&body_of(msg)).expect("ClientHello")
}

#[test]
fn openssl_client_hello_values() {
    let ch = client_hello(TLS10_CLIENT_HELLO);
    assert_eq!(ch.client_version, TLS10);
    assert_eq!(ch.cookie, None);
    assert!(ch.session_id.is_empty());
    assert_eq!(
        ch.cipher_suites,
        [
            CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA,
            CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV
        ]
    );
    assert!(ch.has_scsv());
    assert!(!ch.has_fallback_scsv());
    assert_eq!(ch.compression_methods, [CompressionMethod::Null]);
    assert_eq!(ch.server_name(), Some(&b"localhost"[..]));
    assert_eq!(ch.renegotiation_info(), None);
    let exts = ch.extensions.as_ref().expect("extensions");
    let types: Vec<u16> = exts.iter().map(|e| e.ext_type().get()).collect();
    assert_eq!(types, [0, 0x23, 0x16, 0x17]);
    assert_eq!(
        exts[1],
        Extension::Unknown {
            ext_type: 0x23,
            data: vec![]
        }
    );

    let ch = client_hello(TLS11_CLIENT_HELLO);
    assert_eq!(ch.client_version, TLS11);
    assert_eq!(
        ch.cipher_suites[0],
        CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA
    );
    assert_eq!(ch.server_name(), None);
}

#[test]
fn ssl3_client_hello_has_no_extensions_block() {
    let ch = client_hello(SSL3_CLIENT_HELLO);
    assert_eq!(ch.client_version, SSL3);
    assert_eq!(ch.extensions, None);
    assert!(ch.has_scsv());
    assert_eq!(ch.cipher_suites.len(), 4);
    assert_eq!(ch.renegotiation_info(), None);
    // An empty but present block is a different message and stays one.
    let mut with_empty = ch.clone();
    with_empty.extensions = Some(vec![]);
    let enc = with_empty.get_encoding();
    assert_eq!(enc.len(), ch.get_encoding().len() + 2);
    assert_eq!(ClientHello::read_bytes(&enc).unwrap(), with_empty);
}

#[test]
fn openssl_server_messages_values() {
    let sh = ServerHello::read_bytes(&body_of(TLS10_DHE_SERVER_HELLO)).unwrap();
    assert_eq!(sh.server_version, TLS10);
    assert_eq!(
        sh.cipher_suite,
        CipherSuite::TLS_DHE_RSA_WITH_AES_128_CBC_SHA
    );
    assert_eq!(sh.compression_method, CompressionMethod::Null);
    assert_eq!(sh.renegotiation_info(), Some(&[][..]));

    let sh = ServerHello::read_bytes(&body_of(TLS11_RSA_SERVER_HELLO)).unwrap();
    assert_eq!(sh.session_id.len(), 32);
    assert_eq!(sh.cipher_suite, CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA);
    assert!(sh.extension(ExtensionType::RenegotiationInfo).is_some());

    let cert = Certificate::read_bytes(&body_of(CERTIFICATE)).unwrap();
    assert_eq!(cert.certificate_list.len(), 1);
    assert_eq!(cert.certificate_list[0][0], 0x30, "DER SEQUENCE");
    assert!(
        Certificate::read_bytes(&body_of(EMPTY_CERTIFICATE))
            .unwrap()
            .certificate_list
            .is_empty()
    );

    let ske = ServerKeyExchange::read(
        &mut Reader::new(&body_of(TLS10_DHE_SERVER_KEY_EXCHANGE)),
        KeyExchangeKind::DheRsa,
    )
    .unwrap();
    let ServerKeyExchange::DheRsa {
        params,
        sig_alg: None,
        signature,
    } = &ske
    else {
        panic!("{ske:?}")
    };
    assert_eq!(params.dh_p.len(), 128);
    assert_eq!(params.dh_g, [2]);
    assert_eq!(signature.len(), 256);
    assert_eq!(ske.kind(), KeyExchangeKind::DheRsa);
    assert_eq!(ske.dh_params(), Some(params));

    let cr = CertificateRequest::read_bytes(&body_of(CERTIFICATE_REQUEST)).unwrap();
    assert_eq!(
        cr.certificate_types,
        [
            ClientCertificateType::RsaSign,
            ClientCertificateType::DssSign,
            ClientCertificateType::EcdsaSign
        ]
    );
    assert!(cr.certificate_authorities.is_empty());
}

#[test]
fn key_exchange_framings() {
    let tls = body_of(TLS11_RSA_CLIENT_KEY_EXCHANGE);
    let cke = ClientKeyExchange::read(&mut Reader::new(&tls), KeyExchangeKind::Rsa, TLS11).unwrap();
    let ClientKeyExchange::Rsa {
        encrypted_pre_master_secret: secret,
    } = &cke
    else {
        panic!()
    };
    assert_eq!(secret.len(), 256);

    // SSL 3.0: the same secret without a length prefix.
    let ssl3 = &ssl3_rsa_cke()[4..];
    let cke3 = ClientKeyExchange::read(&mut Reader::new(ssl3), KeyExchangeKind::Rsa, SSL3).unwrap();
    assert_eq!(cke3, cke);
    let mut out = Vec::new();
    cke.encode(&mut out, SSL3);
    assert_eq!(out, ssl3);
    // The SSL 3.0 bytes read as TLS announce 0x6ba8 bytes: truncated.
    assert_eq!(
        ClientKeyExchange::read(&mut Reader::new(ssl3), KeyExchangeKind::Rsa, TLS10),
        Err(DecodeError::Truncated)
    );
    // An empty SSL 3.0 secret is no secret.
    assert!(ClientKeyExchange::read(&mut Reader::new(&[]), KeyExchangeKind::Rsa, SSL3).is_err());

    let dh = body_of(TLS10_DH_CLIENT_KEY_EXCHANGE);
    let cke =
        ClientKeyExchange::read(&mut Reader::new(&dh), KeyExchangeKind::DheRsa, TLS10).unwrap();
    assert!(matches!(&cke, ClientKeyExchange::Dh { dh_yc } if dh_yc.len() == 128));
    // Yc may not be empty.
    assert_eq!(
        ClientKeyExchange::read(&mut Reader::new(&[0, 0]), KeyExchangeKind::DhAnon, TLS10),
        Err(DecodeError::LengthOverLimit)
    );
    // RSA has no ServerKeyExchange in matrix.
    assert!(matches!(
        ServerKeyExchange::read(&mut Reader::new(&dh), KeyExchangeKind::Rsa),
        Err(DecodeError::InvalidValue(_))
    ));

    let cv = CertificateVerify::read_bytes(&body_of(TLS11_CERTIFICATE_VERIFY)).unwrap();
    assert_eq!(cv.signature.len(), 256);
}

#[test]
fn psk_messages() {
    // RFC 4279: a hint in ServerKeyExchange, an identity in ClientKeyExchange.
    let ske = ServerKeyExchange::Psk {
        identity_hint: b"hint".to_vec(),
    };
    let mut out = Vec::new();
    ske.encode(&mut out);
    assert_eq!(out, b"\x00\x04hint");
    assert_eq!(
        ServerKeyExchange::read(&mut Reader::new(&out), KeyExchangeKind::Psk).unwrap(),
        ske
    );
    // An empty hint is allowed.
    assert!(ServerKeyExchange::read(&mut Reader::new(&[0, 0]), KeyExchangeKind::Psk).is_ok());

    let cke = ClientKeyExchange::DhePsk {
        identity: b"id".to_vec(),
        dh_yc: vec![7; 3],
    };
    let mut out = Vec::new();
    cke.encode(&mut out, TLS10);
    assert_eq!(out, b"\x00\x02id\x00\x03\x07\x07\x07");
    let back = ClientKeyExchange::read(&mut Reader::new(&out), KeyExchangeKind::DhePsk, TLS10);
    assert_eq!(back.unwrap(), cke);
    // The key exchange decides: the same bytes as plain PSK have trailing bytes.
    let as_psk = ClientKeyExchange::read(&mut Reader::new(&out), KeyExchangeKind::Psk, TLS10);
    assert_eq!(as_psk, Err(DecodeError::TrailingBytes));
}

#[test]
fn finished_lengths_follow_the_version() {
    let body = body_of(TLS10_CLIENT_FINISHED);
    assert_eq!(
        Finished::read(&mut Reader::new(&body), TLS10)
            .unwrap()
            .verify_data
            .len(),
        12
    );
    assert_eq!(
        Finished::read(&mut Reader::new(&body), SSL3),
        Err(DecodeError::Truncated)
    );
    let ssl3 = [0x5a; 36];
    assert_eq!(
        Finished::read(&mut Reader::new(&ssl3), SSL3)
            .unwrap()
            .verify_data,
        ssl3
    );
    assert_eq!(
        Finished::read(&mut Reader::new(&ssl3), TLS11),
        Err(DecodeError::TrailingBytes)
    );
    assert_eq!(Finished::len_for(DTLS10), 12);
}

#[test]
fn dtls_hellos() {
    let msg = hex(DTLS10_CLIENT_HELLO);
    let (h, body) = split_dtls(&msg);
    assert_eq!((h.msg_type, h.message_seq), (HandshakeType::ClientHello, 0));
    let ch = ClientHello::read_bytes(body).unwrap();
    assert_eq!(ch.client_version, DTLS10);
    assert_eq!(ch.cookie, Some(vec![]));

    let msg = hex(DTLS10_HELLO_VERIFY_REQUEST);
    let (h, body) = split_dtls(&msg);
    assert_eq!(h.msg_type, HandshakeType::HelloVerifyRequest);
    let hvr = HelloVerifyRequest::read_bytes(body).unwrap();
    assert_eq!(hvr.server_version, DTLS10);
    assert_eq!(hvr.cookie.len(), 20);

    let msg = hex(DTLS10_CLIENT_HELLO_COOKIE);
    let (h, body) = split_dtls(&msg);
    assert_eq!(h.message_seq, 1);
    let ch2 = ClientHello::read_bytes(body).unwrap();
    assert_eq!(ch2.cookie.as_deref(), Some(&hvr.cookie[..]));
    assert_eq!(ch2.random, ch.random, "the retried hello keeps its random");

    // A cookie over 32 bytes.
    let mut bad = ch2.clone();
    bad.cookie = Some(vec![1; 33]);
    let e = ClientHello::read_bytes(&bad.get_encoding()).unwrap_err();
    assert_eq!(e, DecodeError::LengthOverLimit);
    assert_eq!(e.alert(DTLS10), AlertDescription::DecodeError);
}

#[test]
fn dtls_fragment_bounds() {
    let h = DtlsHandshakeHeader {
        msg_type: HandshakeType::Certificate,
        length: 100,
        message_seq: 2,
        fragment_offset: 90,
        fragment_length: 11,
    };
    assert!(!h.fragment_in_bounds());
    let h2 = DtlsHandshakeHeader {
        fragment_length: 10,
        ..h
    };
    assert!(h2.fragment_in_bounds());
    let h3 = DtlsHandshakeHeader {
        fragment_offset: u32::MAX,
        ..h
    };
    assert!(!h3.fragment_in_bounds());
    assert_eq!(
        DtlsHandshakeHeader::read_bytes(&h2.get_encoding()).unwrap(),
        h2
    );
}

/// Every strict prefix of every capture's body fails to decode, except a hello cut right
/// after its compression methods, which is a valid extension-less hello, and SSL 3.0's
/// unprefixed RSA ClientKeyExchange.
#[test]
fn every_truncation_is_an_error() {
    let mut checked = 0;
    let mut all: Vec<(
        Vec<u8>,
        HandshakeType,
        ProtocolVersion,
        Option<KeyExchangeKind>,
    )> = Vec::new();
    for (_, msg, v, kex) in tls_captures() {
        let (t, body) = split_tls(&msg);
        all.push((body.to_vec(), t, v, kex));
    }
    for (_, msg, kex) in dtls_captures() {
        let (h, body) = split_dtls(&msg);
        all.push((body.to_vec(), h.msg_type, DTLS10, kex));
    }
    for (body, t, v, kex) in all {
        for cut in 0..body.len() {
            match reencode(t, &body[..cut], v, kex) {
                Err(e) => {
                    let a = e.alert(v);
                    if v == SSL3 {
                        assert_eq!(a, AlertDescription::IllegalParameter);
                    } else {
                        assert!(
                            matches!(
                                a,
                                AlertDescription::DecodeError | AlertDescription::IllegalParameter
                            ),
                            "{t:?} cut at {cut}: {e:?}"
                        );
                    }
                }
                Ok((HandshakePayload::ClientHello(ch), _)) => assert_eq!(ch.extensions, None),
                Ok((HandshakePayload::ServerHello(sh), _)) => assert_eq!(sh.extensions, None),
                // SSL 3.0's bare RSA secret has no length to disagree with: a short one is
                // caught by the RSA decryption (and answered with a random premaster).
                Ok((HandshakePayload::ClientKeyExchange(ClientKeyExchange::Rsa { .. }), _))
                    if v == SSL3 && cut > 0 => {}
                Ok((p, _)) => panic!("{t:?} cut at {cut} decoded: {p:?}"),
            }
            checked += 1;
        }
    }
    assert!(checked > 3000, "{checked}");
}

/// Trailing garbage after any capture's body is an error.
#[test]
fn trailing_garbage_is_an_error() {
    for (name, msg, v, kex) in tls_captures() {
        let (t, body) = split_tls(&msg);
        let mut long = body.to_vec();
        long.push(0);
        match reencode(t, &long, v, kex) {
            Err(e) => assert!(
                matches!(
                    e,
                    DecodeError::TrailingBytes
                        | DecodeError::Truncated
                        | DecodeError::LengthOverLimit
                ),
                "{name}: {e:?}"
            ),
            // SSL 3.0's bare RSA secret fills the body, whatever its length.
            Ok((HandshakePayload::ClientKeyExchange(_), _)) if v == SSL3 => {}
            Ok(p) => panic!("{name}: {p:?}"),
        }
    }
}

/// The TLS 1.1 ClientHello's body, with offsets: version 0, random 2, session id 34,
/// suites length 35, suites 37..41, compression length 41, compression 42, extensions 43.
fn tls11_hello() -> Vec<u8> {
    let b = body_of(TLS11_CLIENT_HELLO);
    assert_eq!(&b[35..37], [0, 4]);
    assert_eq!(&b[41..43], [1, 0]);
    b
}

fn hello_err(body: &[u8]) -> DecodeError {
    ClientHello::read_bytes(body).expect_err("must not decode")
}

#[test]
fn malformed_hellos() {
    // A cipher-suite length beyond the body.
    let mut b = tls11_hello();
    b[35..37].copy_from_slice(&[0x40, 0x00]);
    let e = hello_err(&b);
    assert_eq!(e, DecodeError::Truncated);
    assert_eq!(e.alert(TLS11), AlertDescription::DecodeError);
    assert_eq!(e.alert(SSL3), AlertDescription::IllegalParameter);

    // An odd cipher-suite length.
    let mut b = tls11_hello();
    b[36] = 3;
    assert_eq!(hello_err(&b), DecodeError::LengthOverLimit);
    assert_eq!(hello_err(&b).alert(TLS10), AlertDescription::DecodeError);

    // No cipher suites.
    let mut b = tls11_hello();
    b.splice(35..41, [0, 0]);
    assert_eq!(hello_err(&b), DecodeError::LengthOverLimit);

    // An empty compression list.
    let mut b = tls11_hello();
    b.splice(41..43, [0]);
    assert_eq!(hello_err(&b), DecodeError::LengthOverLimit);
    assert_eq!(hello_err(&b).alert(TLS11), AlertDescription::DecodeError);

    // A session id of 33 bytes.
    let mut b = tls11_hello();
    b[34] = 33;
    b.splice(35..35, [9; 33]);
    assert_eq!(hello_err(&b), DecodeError::LengthOverLimit);
    assert_eq!(
        hello_err(&b).alert(SSL3),
        AlertDescription::IllegalParameter
    );
    // ... while 32 is fine.
    let mut b = tls11_hello();
    b[34] = 32;
    b.splice(35..35, [9; 32]);
    assert_eq!(ClientHello::read_bytes(&b).unwrap().session_id, [9; 32]);

    // Garbage after the extensions block.
    let mut b = tls11_hello();
    b.extend_from_slice(&[0, 0]);
    assert_eq!(hello_err(&b), DecodeError::TrailingBytes);
    assert_eq!(hello_err(&b).alert(TLS11), AlertDescription::DecodeError);

    // A single stray byte where an extensions block would start.
    let mut b = body_of(SSL3_CLIENT_HELLO);
    b.push(0);
    assert_eq!(hello_err(&b), DecodeError::Truncated);

    // An extensions length beyond the body.
    let mut b = tls11_hello();
    b[44] += 1;
    assert_eq!(hello_err(&b), DecodeError::Truncated);
}

#[test]
fn duplicate_extensions_are_rejected() {
    let mut ch = client_hello(TLS11_CLIENT_HELLO);
    let exts = ch.extensions.as_mut().unwrap();
    exts.push(Extension::RenegotiationInfo(vec![]));
    assert!(ClientHello::read_bytes(&ch.get_encoding()).is_ok());
    ch.extensions
        .as_mut()
        .unwrap()
        .push(Extension::RenegotiationInfo(vec![1]));
    let e = hello_err(&ch.get_encoding());
    assert_eq!(e, DecodeError::DuplicateExtension(0xff01));
    assert_eq!(e.alert(TLS10), AlertDescription::IllegalParameter);

    // The same for unknown types, and in a ServerHello.
    let mut sh = ServerHello::read_bytes(&body_of(TLS11_RSA_SERVER_HELLO)).unwrap();
    sh.extensions = Some(vec![
        Extension::Unknown {
            ext_type: 0x23,
            data: vec![],
        },
        Extension::ServerName(vec![]),
        Extension::Unknown {
            ext_type: 0x23,
            data: vec![1],
        },
    ]);
    let e = ServerHello::read_bytes(&sh.get_encoding()).unwrap_err();
    assert_eq!(e, DecodeError::DuplicateExtension(0x23));
}

#[test]
fn extension_bodies() {
    // renegotiation_info whose inner length disagrees with extension_data.
    let bad = [0xff, 0x01, 0x00, 0x02, 0x05, 0x00];
    assert_eq!(Extension::read_bytes(&bad), Err(DecodeError::Truncated));
    let bad = [0xff, 0x01, 0x00, 0x02, 0x00, 0x00];
    assert_eq!(Extension::read_bytes(&bad), Err(DecodeError::TrailingBytes));
    let ok = [0xff, 0x01, 0x00, 0x01, 0x00];
    assert_eq!(
        Extension::read_bytes(&ok),
        Ok(Extension::RenegotiationInfo(vec![]))
    );

    // server_name: the server's empty acknowledgement, an empty host name, two host names.
    assert_eq!(
        Extension::read_bytes(&[0, 0, 0, 0]),
        Ok(Extension::ServerName(vec![]))
    );
    let empty_name = [0, 0, 0, 5, 0, 3, 0, 0, 0];
    assert_eq!(
        Extension::read_bytes(&empty_name),
        Err(DecodeError::LengthOverLimit)
    );
    let two = Extension::ServerName(vec![
        ServerName::HostName(b"a".to_vec()),
        ServerName::HostName(b"b".to_vec()),
    ]);
    assert!(matches!(
        Extension::read_bytes(&two.get_encoding()),
        Err(DecodeError::InvalidValue(_))
    ));
    let other = Extension::ServerName(vec![
        ServerName::HostName(b"a".to_vec()),
        ServerName::Unknown {
            name_type: 7,
            name: b"x".to_vec(),
        },
    ]);
    assert_eq!(Extension::read_bytes(&other.get_encoding()), Ok(other));
    // An empty list inside a non-empty extension_data.
    assert_eq!(
        Extension::read_bytes(&[0, 0, 0, 2, 0, 0]),
        Err(DecodeError::LengthOverLimit)
    );
}

/// A ServerHello's server_name must be empty (RFC 6066 section 3): any extension_data is
/// a decode_error as soon as it is read, whether or not it would parse as a ClientHello's
/// list (two host names included: not parsed, so not illegal_parameter).
#[test]
fn server_hello_server_name_is_empty() {
    let mut sh = ServerHello::read_bytes(&body_of(TLS11_RSA_SERVER_HELLO)).unwrap();
    sh.extensions = Some(vec![Extension::ServerName(vec![])]);
    assert_eq!(
        ServerHello::read_bytes(&sh.get_encoding())
            .unwrap()
            .extensions,
        Some(vec![Extension::ServerName(vec![])])
    );
    let one = Extension::ServerName(vec![ServerName::HostName(b"a".to_vec())]);
    let two = Extension::ServerName(vec![
        ServerName::HostName(b"a".to_vec()),
        ServerName::HostName(b"b".to_vec()),
    ]);
    let not_a_list = Extension::Unknown {
        ext_type: 0,
        data: vec![9],
    };
    for ext in [one, two, not_a_list] {
        sh.extensions = Some(vec![ext]);
        let e = ServerHello::read_bytes(&sh.get_encoding()).unwrap_err();
        assert_eq!(e, DecodeError::TrailingBytes);
        assert_eq!(e.alert(TLS10), AlertDescription::DecodeError);
    }
}

#[test]
fn certificate_malformations() {
    let body = body_of(CERTIFICATE);
    // The outer list longer than the body.
    let mut b = body.clone();
    b[2] += 1;
    assert_eq!(Certificate::read_bytes(&b), Err(DecodeError::Truncated));
    // An empty certificate inside the list.
    assert_eq!(
        Certificate::read_bytes(&[0, 0, 3, 0, 0, 0]),
        Err(DecodeError::LengthOverLimit)
    );
    // The inner length longer than the outer list.
    let mut b = body.clone();
    b[5] += 1;
    assert_eq!(Certificate::read_bytes(&b), Err(DecodeError::Truncated));
    // CertificateRequest with no types, or an empty DN.
    assert_eq!(
        CertificateRequest::read_bytes(&[0, 0, 0]),
        Err(DecodeError::LengthOverLimit)
    );
    assert_eq!(
        CertificateRequest::read_bytes(&[1, 1, 0, 2, 0, 0]),
        Err(DecodeError::LengthOverLimit)
    );
    let cr = CertificateRequest {
        certificate_types: vec![ClientCertificateType::RsaSign],
        signature_algorithms: None,
        certificate_authorities: vec![vec![0x30, 0]],
    };
    assert_eq!(CertificateRequest::read_bytes(&cr.get_encoding()), Ok(cr));
}

#[test]
fn unknown_message_types_are_kept() {
    let msg = hex(TLS10_NEW_SESSION_TICKET);
    let (t, body) = split_tls(&msg);
    assert_eq!(t, HandshakeType::NewSessionTicket);
    let (p, out) = reencode(t, body, TLS10, None).unwrap();
    assert!(matches!(p, HandshakePayload::Unknown { msg_type: 4, .. }));
    assert_eq!(out, body);
    // A key-exchange message before the key exchange is known.
    let dh = body_of(TLS10_DH_CLIENT_KEY_EXCHANGE);
    assert!(matches!(
        reencode(HandshakeType::ClientKeyExchange, &dh, TLS10, None),
        Err(DecodeError::InvalidValue(_))
    ));
}

#[test]
fn record_headers() {
    let h = RecordHeader::read_bytes(&[22, 3, 1, 0x40, 0]).unwrap();
    assert_eq!(
        (h.content_type, h.version, h.length),
        (ContentType::Handshake, TLS10, 0x4000)
    );
    assert_eq!(h.get_encoding(), [22, 3, 1, 0x40, 0]);
    let max = u16::try_from(MAX_CIPHERTEXT_LEN).unwrap();
    let mut at = vec![23, 3, 2];
    at.extend_from_slice(&max.to_be_bytes());
    assert!(RecordHeader::read_bytes(&at).is_ok());
    let mut over = vec![23, 3, 2];
    over.extend_from_slice(&(max + 1).to_be_bytes());
    let e = RecordHeader::read_bytes(&over).unwrap_err();
    assert_eq!(e, DecodeError::RecordOverflow);
    assert_eq!(e.alert(TLS11), AlertDescription::RecordOverflow);
    assert_eq!(e.alert(SSL3), AlertDescription::BadRecordMac);
    assert_eq!(
        RecordHeader::read_bytes(&[22, 3, 1, 0]),
        Err(DecodeError::Truncated)
    );

    let d = DtlsRecordHeader {
        content_type: ContentType::ApplicationData,
        version: DTLS10,
        epoch: 1,
        sequence_number: DtlsRecordHeader::MAX_SEQUENCE,
        length: 100,
    };
    let enc = d.get_encoding();
    assert_eq!(
        enc,
        [
            23, 0xfe, 0xff, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 100
        ]
    );
    assert_eq!(DtlsRecordHeader::read_bytes(&enc), Ok(d));
}

#[test]
fn alert_and_change_cipher_spec() {
    let a = Alert::read_bytes(&[2, 40]).unwrap();
    assert_eq!(
        a,
        Alert {
            level: AlertLevel::Fatal,
            description: AlertDescription::HandshakeFailure
        }
    );
    assert_eq!(a.get_encoding(), [2, 40]);
    assert_eq!(
        Alert::read_bytes(&[1, 0, 0]),
        Err(DecodeError::TrailingBytes)
    );
    assert_eq!(Alert::read_bytes(&[1]), Err(DecodeError::Truncated));
    assert_eq!(ChangeCipherSpec::read_bytes(&[1]), Ok(ChangeCipherSpec));
    assert_eq!(ChangeCipherSpec.get_encoding(), [1]);
    let e = ChangeCipherSpec::read_bytes(&[2]).unwrap_err();
    assert_eq!(e.alert(TLS10), AlertDescription::IllegalParameter);
    assert_eq!(
        ChangeCipherSpec::read_bytes(&[1, 1]),
        Err(DecodeError::TrailingBytes)
    );
}

#[cfg(feature = "server-side-ssl")]
#[test]
fn sslv2_client_hello() {
    use matrix_ssl::codec::sslv2::{
        Sslv2Detect, detect_sslv2_client_hello, read_sslv2_client_hello,
    };
    let rec = hex(SSLV2_CLIENT_HELLO);
    assert_eq!(
        detect_sslv2_client_hello(&rec),
        Sslv2Detect::ClientHello {
            record_len: rec.len()
        }
    );
    assert_eq!(detect_sslv2_client_hello(&rec[..2]), Sslv2Detect::NeedMore);
    assert_eq!(detect_sslv2_client_hello(&[22]), Sslv2Detect::NotSslv2);
    assert_eq!(
        detect_sslv2_client_hello(&hex(TLS10_CLIENT_HELLO)),
        Sslv2Detect::NotSslv2
    );

    let v2 = read_sslv2_client_hello(&rec).unwrap();
    assert_eq!(v2.hash_bytes, &rec[2..]);
    let ch = &v2.hello;
    assert_eq!(ch.client_version, TLS10);
    assert_eq!(
        ch.cipher_suites,
        [
            CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA,
            CipherSuite::SSL_RSA_WITH_3DES_EDE_CBC_SHA
        ]
    );
    assert!(ch.session_id.is_empty());
    assert_eq!(&ch.random[..16], [0; 16]);
    assert_eq!(ch.random[16..], (0..16).collect::<Vec<u8>>()[..]);
    assert_eq!(ch.compression_methods, [CompressionMethod::Null]);
    assert_eq!(ch.extensions, None);

    // Every truncation, a spec list not a multiple of 3, a short challenge.
    for cut in 0..rec.len() {
        assert!(read_sslv2_client_hello(&rec[..cut]).is_err(), "cut {cut}");
    }
    let mut bad = rec.clone();
    bad[6] = 8;
    assert_eq!(
        read_sslv2_client_hello(&bad),
        Err(DecodeError::LengthOverLimit)
    );
    let mut bad = rec.clone();
    bad[10] = 15;
    assert_eq!(
        read_sslv2_client_hello(&bad),
        Err(DecodeError::LengthOverLimit)
    );
    let mut long = rec.clone();
    long.push(0);
    assert_eq!(
        read_sslv2_client_hello(&long),
        Err(DecodeError::TrailingBytes)
    );
}

#[test]
fn code_points() {
    for v in 0..=255u8 {
        assert_eq!(u8::from(ContentType::from(v)), v);
        assert_eq!(u8::from(HandshakeType::from(v)), v);
        assert_eq!(u8::from(AlertDescription::from(v)), v);
        assert_eq!(u8::from(AlertLevel::from(v)), v);
        assert_eq!(u8::from(ClientCertificateType::from(v)), v);
        assert_eq!(u8::from(CompressionMethod::from(v)), v);
    }
    for v in 0..=u16::MAX {
        assert_eq!(u16::from(CipherSuite::from(v)), v);
        assert_eq!(u16::from(ProtocolVersion::from(v)), v);
        assert_eq!(u16::from(ExtensionType::from(v)), v);
    }
    assert_eq!(HandshakeType::from(3), HandshakeType::HelloVerifyRequest);
    assert_eq!(
        AlertDescription::from(86),
        AlertDescription::InappropriateFallback
    );
    assert_eq!(AlertDescription::from(41), AlertDescription::NoCertificate);
    assert_eq!(
        AlertDescription::from(115),
        AlertDescription::UnknownPskIdentity
    );
    assert_eq!(
        ExtensionType::from(0xff01),
        ExtensionType::RenegotiationInfo
    );
    assert_eq!(CipherSuite::from(0x5600), CipherSuite::TLS_FALLBACK_SCSV);
    assert!(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV.is_scsv());
    assert!(!CipherSuite::TLS_RSA_WITH_SEED_CBC_SHA.is_scsv());
    let suites = [
        0x002f, 0x0035, 0x000a, 0x0005, 0x0004, 0x0096, 0x0033, 0x0039, 0x0016, 0x008c, 0x008d,
        0x0090, 0x0091, 0x0018, 0x00ff, 0x5600,
    ];
    for s in suites {
        assert!(
            !matches!(CipherSuite::from(s), CipherSuite::Unknown(_)),
            "{s:#06x}"
        );
    }
}

#[test]
fn protocol_versions_order() {
    use core::cmp::Ordering;
    assert!(DTLS10.is_dtls());
    assert!(ProtocolVersion::from(0xfefd).is_dtls());
    assert!(!TLS11.is_dtls());
    assert_eq!(DTLS10.tls_equivalent(), Some(TLS11));
    assert_eq!(
        ProtocolVersion::from(0xfefd).tls_equivalent(),
        Some(ProtocolVersion::TLSv1_2)
    );
    assert_eq!(SSL3.tls_equivalent(), Some(SSL3));
    assert_eq!(ProtocolVersion::from(0x0200).tls_equivalent(), None);
    assert_eq!(SSL3.cmp_tls(TLS10), Some(Ordering::Less));
    assert_eq!(DTLS10.cmp_tls(TLS11), Some(Ordering::Equal));
    assert!(ProtocolVersion::from(0xfefd).is_at_least(DTLS10));
    assert!(TLS11.is_at_least(TLS10));
    assert!(!TLS10.is_at_least(TLS11));
    assert!(
        ProtocolVersion::from(0x0304).is_at_least(TLS11),
        "unknown 3.x orders by value"
    );
    assert!(SSL3.is_ssl3() && !TLS10.is_ssl3());
}

#[test]
fn alert_mapping() {
    use DecodeError as D;
    let all = [
        D::Truncated,
        D::TrailingBytes,
        D::LengthOverLimit,
        D::InvalidValue("x"),
        D::DuplicateExtension(0),
        D::MessageTooLarge,
        D::RecordOverflow,
    ];
    for e in all {
        let tls = e.alert(TLS10);
        assert_eq!(e.alert(TLS11), tls);
        assert_eq!(e.alert(DTLS10), tls);
        // SSL 3.0 defines neither decode_error nor record_overflow.
        let ssl3 = e.alert(SSL3);
        assert!(matches!(
            ssl3,
            AlertDescription::IllegalParameter | AlertDescription::BadRecordMac
        ));
        assert!(!e.to_string().is_empty());
        let core: matrix_core::Error = e.into();
        assert!(matches!(
            core,
            matrix_core::Error::ParseFail | matrix_core::Error::LimitFail
        ));
    }
    assert_eq!(D::Truncated.alert(TLS10), AlertDescription::DecodeError);
    assert_eq!(
        D::InvalidValue("x").alert(TLS10),
        AlertDescription::IllegalParameter
    );
}

#[test]
fn reader_bounds() {
    let data = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    let mut r = Reader::new(&data);
    assert_eq!(r.u8(), Ok(1));
    assert_eq!(r.u16(), Ok(0x0203));
    assert_eq!(r.u24(), Ok(0x040506));
    assert_eq!(r.consumed(), 6);
    assert_eq!(r.u48(), Err(DecodeError::Truncated));
    assert_eq!(r.remaining(), 3, "a failed read consumes nothing");
    let mut sub = r.sub(2).unwrap();
    assert_eq!(sub.expect_empty(), Err(DecodeError::TrailingBytes));
    assert_eq!(sub.rest(), [7, 8]);
    assert!(sub.is_empty());
    assert_eq!(r.sub(2).err(), Some(DecodeError::Truncated));
    assert_eq!(r.u8(), Ok(9));
    assert_eq!(r.u8(), Err(DecodeError::Truncated));
    r.expect_empty().unwrap();
    let mut r = Reader::new(&[0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0, 0]);
    assert_eq!(r.u32(), Ok(1));
    assert_eq!(r.u48(), Ok(0xffff_ffff_0000));
}

/// `ServerHello::read` consumes the whole body or fails (the client reads with it, without
/// `read_bytes`' trailing check): for every prefix of real hellos, with and without
/// extensions, and for each with bytes appended, both give the same answer and a
/// successful `read` leaves nothing unread.
#[test]
fn server_hello_read_consumes_the_whole_body() {
    let mut with_ext = ServerHello::read_bytes(&body_of(TLS11_RSA_SERVER_HELLO)).unwrap();
    with_ext.extensions = Some(vec![Extension::RenegotiationInfo(Vec::new())]);
    let bodies = [
        body_of(TLS10_DHE_SERVER_HELLO),
        body_of(TLS11_RSA_SERVER_HELLO),
        with_ext.get_encoding(),
    ];
    for body in bodies {
        let mut inputs: Vec<Vec<u8>> = (0..=body.len()).map(|n| body[..n].to_vec()).collect();
        for extra in [&[0u8][..], &[0, 0], &[0, 0, 0]] {
            inputs.push([body.as_slice(), extra].concat());
        }
        for input in inputs {
            let mut r = Reader::new(&input);
            let read = ServerHello::read(&mut r);
            if read.is_ok() {
                assert!(r.is_empty(), "{input:02x?} left bytes unread");
            }
            assert_eq!(read, ServerHello::read_bytes(&input), "{input:02x?}");
        }
    }
}
