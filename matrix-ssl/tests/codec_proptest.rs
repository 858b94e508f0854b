//! decode(encode(x)) == x for every wire structure, and no decoder panics on any input.

use matrix_ssl::codec::framing::HandshakeFramer;
use matrix_ssl::codec::handshake::{
    Certificate, CertificateRequest, CertificateVerify, ClientHello, ClientKeyExchange,
    DecodeContext, DtlsHandshakeHeader, Extension, Finished, HandshakeHeader, HandshakePayload,
    HelloRequest, HelloVerifyRequest, KeyExchangeKind, ServerDhParams, ServerHello,
    ServerHelloDone, ServerKeyExchange, ServerName,
};
use matrix_ssl::codec::record::{Alert, DtlsRecordHeader, MAX_CIPHERTEXT_LEN, RecordHeader};
use matrix_ssl::codec::{
    AlertDescription, AlertLevel, CipherSuite, ClientCertificateType, Codec, CompressionMethod,
    ContentType, HandshakeType, ProtocolVersion, Reader, SignatureScheme,
};
use proptest::collection::vec;
use proptest::prelude::*;

fn bytes(min: usize, max: usize) -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), min..=max)
}

fn version() -> impl Strategy<Value = ProtocolVersion> {
    prop_oneof![
        Just(ProtocolVersion::SSLv3),
        Just(ProtocolVersion::TLSv1_0),
        Just(ProtocolVersion::TLSv1_1),
        Just(ProtocolVersion::TLSv1_2),
        Just(ProtocolVersion::DTLSv1_0),
        any::<u16>().prop_map(ProtocolVersion::from),
    ]
}

fn kex() -> impl Strategy<Value = KeyExchangeKind> {
    prop_oneof![
        Just(KeyExchangeKind::Rsa),
        Just(KeyExchangeKind::DheRsa),
        Just(KeyExchangeKind::DhAnon),
        Just(KeyExchangeKind::Psk),
        Just(KeyExchangeKind::DhePsk),
    ]
}

fn server_name() -> impl Strategy<Value = ServerName> {
    prop_oneof![
        bytes(1, 40).prop_map(ServerName::HostName),
        (1..=255u8, bytes(0, 20))
            .prop_map(|(name_type, name)| ServerName::Unknown { name_type, name }),
    ]
}

fn extension() -> impl Strategy<Value = Extension> {
    prop_oneof![
        (proptest::option::of(bytes(1, 40)), vec(server_name(), 0..3)).prop_map(|(host, more)| {
            // At most one host_name, as RFC 6066 requires.
            let mut names: Vec<ServerName> = host.into_iter().map(ServerName::HostName).collect();
            names.extend(
                more.into_iter()
                    .filter(|n| matches!(n, ServerName::Unknown { .. })),
            );
            Extension::ServerName(names)
        }),
        bytes(0, 64).prop_map(Extension::RenegotiationInfo),
        (any::<u16>(), bytes(0, 40))
            .prop_filter("named types have their own arm", |(t, _)| *t != 0
                && *t != 0xff01)
            .prop_map(|(ext_type, data)| Extension::Unknown { ext_type, data }),
    ]
}

/// Whether `e` is a well-formed extension of a ClientHello (`client`) or a ServerHello:
/// encrypt_then_mac and extended_master_secret are empty in both, server_name is a
/// non-empty list from a client and empty from a server (the decoders refuse the rest).
fn fits_hello(e: &Extension, client: bool) -> bool {
    match e {
        Extension::ServerName(names) => names.is_empty() != client,
        Extension::Unknown {
            ext_type: 22 | 23,
            data,
        } => data.is_empty(),
        _ => true,
    }
}

fn keep_fitting(exts: Option<Vec<Extension>>, client: bool) -> Option<Vec<Extension>> {
    exts.map(|v| v.into_iter().filter(|e| fits_hello(e, client)).collect())
}

fn extensions() -> impl Strategy<Value = Option<Vec<Extension>>> {
    proptest::option::of(vec(extension(), 0..6).prop_map(|exts| {
        let mut seen = Vec::new();
        exts.into_iter()
            .filter(|e| {
                let t = e.ext_type().get();
                let new = !seen.contains(&t);
                seen.push(t);
                new
            })
            .collect()
    }))
}

fn client_hello() -> impl Strategy<Value = ClientHello> {
    (
        version(),
        any::<[u8; 32]>(),
        bytes(0, 32),
        bytes(0, 32),
        vec(any::<u16>().prop_map(CipherSuite::from), 1..60),
        vec(any::<u8>().prop_map(CompressionMethod::from), 1..4),
        extensions(),
    )
        .prop_map(
            |(client_version, random, session_id, cookie, cipher_suites, comp, extensions)| {
                ClientHello {
                    client_version,
                    random,
                    session_id,
                    cookie: client_version.is_dtls().then_some(cookie),
                    cipher_suites,
                    compression_methods: comp,
                    extensions: keep_fitting(extensions, true),
                }
            },
        )
}

fn server_hello() -> impl Strategy<Value = ServerHello> {
    (
        version(),
        any::<[u8; 32]>(),
        bytes(0, 32),
        any::<u16>(),
        any::<u8>(),
        extensions(),
    )
        .prop_map(
            |(server_version, random, session_id, suite, comp, extensions)| ServerHello {
                server_version,
                random,
                session_id,
                cipher_suite: suite.into(),
                compression_method: comp.into(),
                extensions: keep_fitting(extensions, false),
            },
        )
}

fn dh_params() -> impl Strategy<Value = ServerDhParams> {
    (bytes(1, 300), bytes(1, 4), bytes(1, 300)).prop_map(|(dh_p, dh_g, dh_ys)| ServerDhParams {
        dh_p,
        dh_g,
        dh_ys,
    })
}

fn server_key_exchange() -> impl Strategy<Value = ServerKeyExchange> {
    prop_oneof![
        (dh_params(), bytes(0, 300)).prop_map(|(params, signature)| ServerKeyExchange::DheRsa {
            params,
            sig_alg: None,
            signature
        }),
        dh_params().prop_map(|params| ServerKeyExchange::DhAnon { params }),
        bytes(0, 64).prop_map(|identity_hint| ServerKeyExchange::Psk { identity_hint }),
        (bytes(0, 64), dh_params()).prop_map(|(identity_hint, params)| ServerKeyExchange::DhePsk {
            identity_hint,
            params
        }),
    ]
}

fn client_key_exchange() -> impl Strategy<Value = (ClientKeyExchange, KeyExchangeKind)> {
    prop_oneof![
        // Non-empty, so that the SSL 3.0 framing (no length) can carry it too.
        bytes(1, 300).prop_map(|s| (
            ClientKeyExchange::Rsa {
                encrypted_pre_master_secret: s
            },
            KeyExchangeKind::Rsa
        )),
        (
            bytes(1, 300),
            prop_oneof![Just(KeyExchangeKind::DheRsa), Just(KeyExchangeKind::DhAnon)]
        )
            .prop_map(|(dh_yc, k)| (ClientKeyExchange::Dh { dh_yc }, k)),
        bytes(0, 64)
            .prop_map(|identity| (ClientKeyExchange::Psk { identity }, KeyExchangeKind::Psk)),
        (bytes(0, 64), bytes(1, 300)).prop_map(|(identity, dh_yc)| (
            ClientKeyExchange::DhePsk { identity, dh_yc },
            KeyExchangeKind::DhePsk
        )),
    ]
}

fn roundtrip<T: for<'a> Codec<'a> + PartialEq + core::fmt::Debug>(
    x: &T,
) -> Result<(), TestCaseError> {
    let enc = x.get_encoding();
    let back = T::read_bytes(&enc);
    prop_assert_eq!(back.as_ref(), Ok(x));
    Ok(())
}

proptest! {
    #[test]
    fn client_hello_roundtrip(ch in client_hello()) {
        roundtrip(&ch)?;
        let payload = HandshakePayload::ClientHello(ch.clone());
        let mut msg = Vec::new();
        payload.encode_message(&mut msg, ch.client_version);
        let ctx = DecodeContext { version: ch.client_version, key_exchange: None };
        prop_assert_eq!(HandshakePayload::read(HandshakeType::ClientHello, &msg[4..], &ctx), Ok(payload));
    }

    #[test]
    fn server_hello_roundtrip(sh in server_hello()) {
        roundtrip(&sh)?;
    }

    #[test]
    fn hello_verify_request_roundtrip(v in version(), cookie in bytes(0, 32)) {
        roundtrip(&HelloVerifyRequest { server_version: v, cookie })?;
    }

    #[test]
    fn certificate_roundtrip(list in vec(bytes(1, 200), 0..5)) {
        roundtrip(&Certificate { certificate_list: list })?;
    }

    #[test]
    fn certificate_request_roundtrip(
        types in vec(any::<u8>().prop_map(ClientCertificateType::from), 1..10),
        cas in vec(bytes(1, 100), 0..5),
    ) {
        roundtrip(&CertificateRequest {
            certificate_types: types,
            signature_algorithms: None,
            certificate_authorities: cas,
        })?;
    }

    /// TLS 1.2 framing: supported_signature_algorithms between the types and the names.
    #[test]
    fn certificate_request_tls12_roundtrip(
        types in vec(any::<u8>().prop_map(ClientCertificateType::from), 1..10),
        algs in vec(any::<u16>().prop_map(SignatureScheme::from), 1..20),
        cas in vec(bytes(1, 100), 0..5),
    ) {
        let cr = CertificateRequest {
            certificate_types: types,
            signature_algorithms: Some(algs),
            certificate_authorities: cas,
        };
        let enc = cr.get_encoding();
        prop_assert_eq!(
            CertificateRequest::read_in(&mut Reader::new(&enc), ProtocolVersion::TLSv1_2),
            Ok(cr)
        );
    }

    /// TLS 1.2 `digitally-signed`: the pair, then the signature.
    #[test]
    fn signatures_tls12_roundtrip(params in dh_params(), alg in any::<u16>(), sig in bytes(0, 600)) {
        let alg = Some(SignatureScheme::from(alg));
        let ske = ServerKeyExchange::DheRsa { params, sig_alg: alg, signature: sig.clone() };
        let mut enc = Vec::new();
        ske.encode(&mut enc);
        let back = ServerKeyExchange::read_in(
            &mut Reader::new(&enc),
            ske.kind(),
            ProtocolVersion::TLSv1_2,
        );
        prop_assert_eq!(back, Ok(ske));
        let cv = CertificateVerify { sig_alg: alg, signature: sig };
        let enc = cv.get_encoding();
        prop_assert_eq!(
            CertificateVerify::read_in(&mut Reader::new(&enc), ProtocolVersion::TLSv1_2),
            Ok(cv)
        );
    }

    #[test]
    fn server_key_exchange_roundtrip(ske in server_key_exchange()) {
        let mut enc = Vec::new();
        ske.encode(&mut enc);
        let back = ServerKeyExchange::read(&mut Reader::new(&enc), ske.kind());
        prop_assert_eq!(back, Ok(ske));
    }

    #[test]
    fn client_key_exchange_roundtrip((cke, k) in client_key_exchange(), v in version()) {
        let mut enc = Vec::new();
        cke.encode(&mut enc, v);
        prop_assert_eq!(ClientKeyExchange::read(&mut Reader::new(&enc), k, v), Ok(cke));
    }

    #[test]
    fn certificate_verify_roundtrip(sig in bytes(0, 600)) {
        roundtrip(&CertificateVerify { sig_alg: None, signature: sig })?;
    }

    #[test]
    fn finished_roundtrip(v in version(), fill in any::<u8>()) {
        let f = Finished { verify_data: vec![fill; Finished::len_for(v)] };
        let mut enc = Vec::new();
        f.encode(&mut enc);
        prop_assert_eq!(Finished::read(&mut Reader::new(&enc), v), Ok(f));
    }

    #[test]
    fn extension_roundtrip(e in extension()) {
        roundtrip(&e)?;
    }

    #[test]
    fn headers_roundtrip(
        t in any::<u8>(), len in 0..=0xff_ffffu32, seq in any::<u16>(),
        off in 0..=0xff_ffffu32, flen in 0..=0xff_ffffu32,
        ct in any::<u8>(), v in version(), rlen in 0..=MAX_CIPHERTEXT_LEN as u16,
        epoch in any::<u16>(), rseq in 0..=DtlsRecordHeader::MAX_SEQUENCE,
    ) {
        roundtrip(&HandshakeHeader { msg_type: HandshakeType::from(t), length: len })?;
        roundtrip(&DtlsHandshakeHeader {
            msg_type: HandshakeType::from(t),
            length: len,
            message_seq: seq,
            fragment_offset: off,
            fragment_length: flen,
        })?;
        roundtrip(&RecordHeader { content_type: ContentType::from(ct), version: v, length: rlen })?;
        roundtrip(&DtlsRecordHeader {
            content_type: ContentType::from(ct),
            version: v,
            epoch,
            sequence_number: rseq,
            length: rlen,
        })?;
        roundtrip(&Alert { level: AlertLevel::from(t), description: AlertDescription::from(ct) })?;
        roundtrip(&HelloRequest)?;
        roundtrip(&ServerHelloDone)?;
    }

    /// Arbitrary bytes never panic any decoder, and whatever decodes re-encodes to the
    /// same bytes (every encoding is canonical).
    #[test]
    fn arbitrary_bytes_never_panic(
        data in bytes(0, 300), t in any::<u8>(), v in version(), k in proptest::option::of(kex()),
    ) {
        let ctx = DecodeContext { version: v, key_exchange: k };
        if let Ok(p) = HandshakePayload::read(HandshakeType::from(t), &data, &ctx) {
            let mut out = Vec::new();
            p.encode_body(&mut out, v);
            prop_assert_eq!(out, data.clone());
        }
        let _ = RecordHeader::read_bytes(&data);
        let _ = DtlsRecordHeader::read_bytes(&data);
        let _ = DtlsHandshakeHeader::read_bytes(&data);
        let _ = Extension::read_bytes(&data);
        for m in HandshakeFramer::default().messages(&data) {
            let _ = m;
        }
    }

    /// Arbitrary bytes after an SSLv2 record header never panic the SSLv2 hello parser.
    #[cfg(feature = "server-side-ssl")]
    #[test]
    fn sslv2_hello_never_panics(data in bytes(0, 120), hi in 0x80..=0xffu8) {
        let mut rec = vec![hi, data.len() as u8, 1];
        rec.extend_from_slice(&data);
        let _ = matrix_ssl::codec::sslv2::read_sslv2_client_hello(&rec);
        let _ = matrix_ssl::codec::sslv2::read_sslv2_client_hello(&data);
    }

    /// Mutating one byte of a valid hello never panics.
    #[test]
    fn mutated_hellos_never_panic(ch in client_hello(), pos in any::<usize>(), b in any::<u8>()) {
        let mut enc = ch.get_encoding();
        let i = pos % enc.len();
        enc[i] = b;
        if let Ok(back) = ClientHello::read_bytes(&enc) {
            prop_assert_eq!(back.get_encoding(), enc);
        }
    }
}
