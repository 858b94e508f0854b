//! Malformed and hostile input: every case ends in the RFC's fatal alert (then
//! `RequestClose` and `PS_PROTOCOL_FAIL`), never a panic, a hang or unbounded memory.
//!
//! The hand-made peer speaks RSA against an RSA identity loaded from PEM: the file needs
//! `private-key-parsing` (which brings RSA) and `pem-decode`, and a build without them
//! (ECDSA-only, PSK-only) compiles none of it.
#![cfg(all(feature = "private-key-parsing", feature = "pem-decode"))]

mod support;

use matrix_crypto::drbg::HmacDrbg;
use matrix_crypto::hash::{Hash, Md5Sha1};
use matrix_crypto::prf::{self, Sender};
use matrix_crypto::rsa::{RsaPublicKey, encrypt_pkcs1_v15};
use matrix_ssl::codec::framing::{Framed, HandshakeFramer};
use matrix_ssl::codec::handshake::{
    Certificate, ClientHello, ClientKeyExchange, ServerHello, encode_handshake,
};
use matrix_ssl::codec::{Codec, CompressionMethod, ContentType, HandshakeType};
use matrix_ssl::record::{self, Side};
use matrix_ssl::{AlertDescription, AlertLevel, CipherSuite, Error, ProtocolVersion, Session};
use support::*;

fn record(ct: u8, version: u16, body: &[u8]) -> Vec<u8> {
    let mut r = vec![ct];
    r.extend_from_slice(&version.to_be_bytes());
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

/// Feeds `bytes`; the session must answer with one plaintext fatal alert and close.
fn expect_plain_alert(s: &mut Session, bytes: &[u8], want: AlertDescription) {
    let mut evs = Vec::new();
    feed(s, bytes, usize::MAX, &mut evs);
    assert_eq!(evs.last(), Some(&Ev::RequestSend), "{evs:?}");
    let out = take_out(s, usize::MAX, &mut evs);
    assert_eq!(evs.last(), Some(&Ev::SentClose));
    assert_eq!(out.len(), 7, "{out:?}");
    assert_eq!(out[0], 21);
    assert_eq!(&out[5..], &[2, want.get()], "got alert {}", out[6]);
    // The session is over.
    let buf = s.get_readbuf();
    buf[0] = 0;
    assert_eq!(s.received_data(1).unwrap_err(), Error::ProtocolFail);
    assert!(s.encode_to_outdata(b"x").is_err());
}

/// Feeds `bytes` to `victim`, then the victim's (encrypted) alert to `peer`, which must
/// report `want` as a fatal alert.
fn expect_encrypted_alert(
    victim: &mut Session,
    peer: &mut Session,
    bytes: &[u8],
    want: AlertDescription,
) {
    let mut evs = Vec::new();
    feed(victim, bytes, usize::MAX, &mut evs);
    assert_eq!(evs.last(), Some(&Ev::RequestSend), "{evs:?}");
    let (ve, pe) = pump(victim, peer, usize::MAX);
    assert_eq!(ve, vec![Ev::SentClose]);
    assert_eq!(pe[0], Ev::Alert(AlertLevel::Fatal, want), "{pe:?}");
}

fn client_hello_bytes() -> Vec<u8> {
    let ctx = ctx();
    let mut c = ctx
        .new_client_session(client_keys(), None, 0, None, None)
        .unwrap();
    take_out(&mut c, usize::MAX, &mut Vec::new())
}

fn server() -> Session {
    ctx().new_server_session(server_keys(), None).unwrap()
}

/// The versions whose derivations this file's raw peer implements (SSL 3.0 to TLS 1.1, and
/// DTLS 1.0): TLS 1.2 (feature `tls-1-2`) is covered by the in-memory pairs of
/// `handshake.rs` and the interop tests.
fn legacy_versions() -> Vec<ProtocolVersion> {
    ctx()
        .versions()
        .iter()
        .copied()
        .filter(|v| !v.is_tls12())
        .collect()
}

#[test]
fn unknown_content_type() {
    expect_plain_alert(
        &mut server(),
        &record(99, 0x0301, b"hello"),
        AlertDescription::UnexpectedMessage,
    );
}

#[test]
fn oversized_record() {
    let mut r = record(22, 0x0301, &[]);
    r[3..5].copy_from_slice(&(16384u16 + 2049).to_be_bytes());
    expect_plain_alert(&mut server(), &r, AlertDescription::RecordOverflow);
    // A plaintext record over 2^14 bytes under the null cipher.
    let big = vec![0u8; 16385];
    expect_plain_alert(
        &mut server(),
        &record(22, 0x0301, &big),
        AlertDescription::RecordOverflow,
    );
}

#[test]
fn wrong_record_version() {
    expect_plain_alert(
        &mut server(),
        &record(22, 0x0200, &[1, 0, 0, 0]),
        AlertDescription::ProtocolVersion,
    );
    // After negotiation the record version must be the negotiated one.
    let ctx = ctx();
    let (mut c, mut s) = new_pair(&ctx, &ctx, 0, None, None);
    handshake(&mut c, &mut s, usize::MAX);
    c.encode_to_outdata(b"data").unwrap();
    let mut bytes = take_out(&mut c, usize::MAX, &mut Vec::new());
    bytes[2] ^= 1;
    expect_encrypted_alert(&mut s, &mut c, &bytes, AlertDescription::ProtocolVersion);
}

#[test]
fn bad_record_lengths() {
    // An empty handshake record.
    expect_plain_alert(
        &mut server(),
        &record(22, 0x0301, &[]),
        AlertDescription::UnexpectedMessage,
    );
    // A three-byte alert.
    expect_plain_alert(
        &mut server(),
        &record(21, 0x0301, &[1, 0, 0]),
        AlertDescription::DecodeError,
    );
    // A two-byte ChangeCipherSpec.
    expect_plain_alert(
        &mut server(),
        &record(20, 0x0301, &[1, 1]),
        AlertDescription::IllegalParameter,
    );
}

#[test]
fn truncated_handshake_message() {
    let hello = client_hello_bytes();
    // Cut the last three body bytes, keeping the lengths consistent around them.
    let msg = &hello[5..hello.len() - 3];
    let mut msg = msg.to_vec();
    let body_len = (msg.len() - 4) as u32;
    msg[1..4].copy_from_slice(&body_len.to_be_bytes()[1..]);
    expect_plain_alert(
        &mut server(),
        &record(22, 0x0301, &msg),
        AlertDescription::DecodeError,
    );
    // A handshake header announcing more than the framer accepts.
    expect_plain_alert(
        &mut server(),
        &record(22, 0x0301, &[1, 0x7f, 0, 0]),
        AlertDescription::IllegalParameter,
    );
}

#[test]
fn bad_mac_and_bad_padding() {
    for flip_last in [false, true] {
        let ctx = ctx();
        let (mut c, mut s) = new_pair(&ctx, &ctx, 0x002f, None, None);
        handshake(&mut c, &mut s, usize::MAX);
        c.encode_to_outdata(&pattern(100)).unwrap();
        let mut bytes = take_out(&mut c, usize::MAX, &mut Vec::new());
        // The last byte is CBC padding; one in the middle is data or MAC.
        let i = if flip_last {
            bytes.len() - 1
        } else {
            bytes.len() / 2
        };
        bytes[i] ^= 0x40;
        expect_encrypted_alert(&mut s, &mut c, &bytes, AlertDescription::BadRecordMac);
    }
}

#[test]
fn unexpected_messages_server() {
    let hello = client_hello_bytes();
    // ServerHelloDone instead of ClientHello.
    expect_plain_alert(
        &mut server(),
        &record(22, 0x0301, &[14, 0, 0, 0]),
        AlertDescription::UnexpectedMessage,
    );
    // ChangeCipherSpec before anything.
    expect_plain_alert(
        &mut server(),
        &record(20, 0x0301, &[1]),
        AlertDescription::UnexpectedMessage,
    );
    // Application data before the handshake.
    expect_plain_alert(
        &mut server(),
        &record(23, 0x0301, b"GET /"),
        AlertDescription::UnexpectedMessage,
    );
    // A second ClientHello instead of the ClientKeyExchange.
    let mut s = server();
    let mut evs = Vec::new();
    feed(&mut s, &hello, usize::MAX, &mut evs);
    take_out(&mut s, usize::MAX, &mut evs);
    let v = s.protocol_version().get();
    let mut second = hello.clone();
    second[1..3].copy_from_slice(&v.to_be_bytes());
    expect_plain_alert(&mut s, &second, AlertDescription::UnexpectedMessage);
    // Finished (a handshake message) where the ChangeCipherSpec must come.
    let ctx = ctx();
    let (mut c, mut s) = new_pair(&ctx, &ctx, 0, None, None);
    pump(&mut c, &mut s, usize::MAX);
    pump(&mut s, &mut c, usize::MAX);
    let flight = take_out(&mut c, usize::MAX, &mut Vec::new());
    // Keep only the first record (ClientKeyExchange), then a fake Finished.
    let len = u16::from_be_bytes([flight[3], flight[4]]) as usize;
    let mut bytes = flight[..5 + len].to_vec();
    bytes.extend(record(
        22,
        v,
        &[20, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ));
    expect_plain_alert(&mut s, &bytes, AlertDescription::UnexpectedMessage);
}

/// Splits a plaintext handshake flight into its messages.
fn messages(flight: &[u8]) -> Vec<Vec<u8>> {
    let mut hs = Vec::new();
    let mut rest = flight;
    while rest.len() >= 5 {
        let len = u16::from_be_bytes([rest[3], rest[4]]) as usize;
        assert_eq!(rest[0], 22);
        hs.extend_from_slice(&rest[5..5 + len]);
        rest = &rest[5 + len..];
    }
    let framer = HandshakeFramer::default();
    let mut out = Vec::new();
    let mut buf = &hs[..];
    while let Ok(Framed::Message(f)) = framer.frame(buf) {
        out.push(f.raw.to_vec());
        buf = &buf[f.raw.len()..];
    }
    out
}

#[test]
fn unexpected_messages_client() {
    let ctx = ctx();
    // An RSA suite: its server flight is ServerHello, Certificate, ServerHelloDone.
    let new_client = || {
        ctx.new_client_session(client_keys(), None, 0x0035, None, None)
            .unwrap()
    };
    // ServerHelloDone instead of ServerHello.
    let mut c = new_client();
    take_out(&mut c, usize::MAX, &mut Vec::new());
    expect_plain_alert(
        &mut c,
        &record(22, 0x0301, &[14, 0, 0, 0]),
        AlertDescription::UnexpectedMessage,
    );
    // The server's flight without its Certificate; with it twice.
    for variant in 0..2 {
        let mut c = new_client();
        let mut s = server();
        pump(&mut c, &mut s, usize::MAX);
        let flight = take_out(&mut s, usize::MAX, &mut Vec::new());
        let v = u16::from_be_bytes([flight[1], flight[2]]);
        let msgs = messages(&flight);
        assert_eq!(msgs.len(), 3);
        let body = if variant == 0 {
            [msgs[0].clone(), msgs[2].clone()].concat()
        } else {
            [msgs[0].clone(), msgs[1].clone(), msgs[1].clone()].concat()
        };
        expect_plain_alert(
            &mut c,
            &record(22, v, &body),
            AlertDescription::UnexpectedMessage,
        );
    }
    // Application data where the server's ChangeCipherSpec must come.
    let mut c = new_client();
    let mut s = server();
    pump(&mut c, &mut s, usize::MAX);
    pump(&mut s, &mut c, usize::MAX);
    pump(&mut c, &mut s, usize::MAX);
    let v = c.protocol_version().get();
    let mut evs = Vec::new();
    feed(&mut c, &record(23, v, b"early"), usize::MAX, &mut evs);
    assert_eq!(evs, vec![Ev::RequestSend]);
    // The client already switched its write keys: the alert is encrypted.
    let (ce, se) = pump(&mut c, &mut s, usize::MAX);
    assert_eq!(ce, vec![Ev::SentClose]);
    assert_eq!(
        se[0],
        Ev::Alert(AlertLevel::Fatal, AlertDescription::UnexpectedMessage)
    );
    // A HelloRequest during the handshake is ignored.
    let mut c = new_client();
    take_out(&mut c, usize::MAX, &mut Vec::new());
    let mut evs = Vec::new();
    feed(
        &mut c,
        &record(22, 0x0301, &[0, 0, 0, 0]),
        usize::MAX,
        &mut evs,
    );
    assert_eq!(evs, vec![Ev::RequestRecv]);
}

/// A hand-made TLS client, to send what our client never would.
struct RawClient {
    version: ProtocolVersion,
    client_random: [u8; 32],
    server_random: [u8; 32],
    transcript: Md5Sha1,
    server_key: Option<RsaPublicKey>,
    rng: HmacDrbg,
    enc: Option<Box<dyn record::RecordEncrypter>>,
    dec: Option<Box<dyn record::RecordDecrypter>>,
}

impl RawClient {
    fn hello(version: ProtocolVersion, suites: Vec<CipherSuite>) -> (Self, Vec<u8>) {
        let mut rng = HmacDrbg::from_seed(b"raw client entropy", b"nonce", b"");
        let mut random = [0u8; 32];
        matrix_crypto::random::SecureRandom::fill_bytes(&mut rng, &mut random).unwrap();
        let ch = ClientHello {
            client_version: version,
            random,
            session_id: vec![],
            cookie: None,
            cipher_suites: suites,
            compression_methods: vec![CompressionMethod::Null],
            extensions: None,
        };
        let mut msg = Vec::new();
        encode_handshake(&mut msg, HandshakeType::ClientHello, |o| ch.encode(o));
        let mut transcript = Md5Sha1::new();
        transcript.update(&msg);
        (
            RawClient {
                version,
                client_random: random,
                server_random: [0; 32],
                transcript,
                server_key: None,
                rng,
                enc: None,
                dec: None,
            },
            record(22, 0x0301, &msg),
        )
    }

    /// An SSL 2.0-format ClientHello offering `version` (RFC 2246 appendix E.1).
    fn sslv2_hello(version: ProtocolVersion, suites: &[u16]) -> (Self, Vec<u8>) {
        let (mut raw, _) = RawClient::hello(version, vec![]);
        let challenge = [0x42u8; 32];
        let mut msg = vec![1];
        msg.extend_from_slice(&version.get().to_be_bytes());
        msg.extend_from_slice(&((suites.len() * 3) as u16).to_be_bytes());
        msg.extend_from_slice(&0u16.to_be_bytes());
        msg.extend_from_slice(&32u16.to_be_bytes());
        // An SSL 2.0 kind first (RC4_128_WITH_MD5), skipped by the server.
        msg.extend_from_slice(&[0x01, 0x00, 0x80]);
        for s in &suites[1..] {
            msg.push(0);
            msg.extend_from_slice(&s.to_be_bytes());
        }
        msg.extend_from_slice(&challenge);
        let mut transcript = Md5Sha1::new();
        transcript.update(&msg);
        raw.transcript = transcript;
        raw.client_random = challenge;
        let mut rec = vec![0x80 | (msg.len() >> 8) as u8, msg.len() as u8];
        rec.extend_from_slice(&msg);
        (raw, rec)
    }

    fn read_server_flight(&mut self, flight: &[u8]) {
        for m in messages(flight) {
            self.transcript.update(&m);
            match m[0] {
                2 => {
                    let sh = ServerHello::read_bytes(&m[4..]).unwrap();
                    self.server_random = sh.random;
                    assert_eq!(sh.server_version, self.version);
                }
                11 => {
                    let cert = Certificate::read_bytes(&m[4..]).unwrap();
                    let leaf = matrix_x509::X509Cert::from_der(&cert.certificate_list[0]).unwrap();
                    let matrix_x509::PublicKey::Rsa { n, e } = &leaf.public_key else {
                        panic!()
                    };
                    self.server_key = Some(RsaPublicKey::new(n, e).unwrap());
                }
                _ => {}
            }
        }
    }

    /// ClientKeyExchange (with `pms_version` in the premaster, or garbage), CCS and a
    /// Finished (correct, or with a flipped bit).
    fn second_flight(&mut self, pms_version: Option<u16>, good_finished: bool) -> Vec<u8> {
        let v = self.version;
        let mut pms = [7u8; 48];
        let ciphertext = match pms_version {
            Some(pv) => {
                pms[..2].copy_from_slice(&pv.to_be_bytes());
                encrypt_pkcs1_v15(self.server_key.as_ref().unwrap(), &mut self.rng, &pms).unwrap()
            }
            None => vec![0x55; self.server_key.as_ref().unwrap().size()],
        };
        let cke = ClientKeyExchange::Rsa {
            encrypted_pre_master_secret: ciphertext,
        };
        let mut msg = Vec::new();
        encode_handshake(&mut msg, HandshakeType::ClientKeyExchange, |o| {
            cke.encode(o, v)
        });
        self.transcript.update(&msg);
        let mut out = record(22, v.get(), &msg);
        out.extend(record(20, v.get(), &[1]));
        let master = record::master_secret(v, &pms, &self.client_random, &self.server_random);
        let suite = matrix_ssl::suites::lookup(CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA).unwrap();
        let kb = record::key_block(v, suite, &master, &self.client_random, &self.server_random);
        let (mut enc, dec) = record::cipher_states(v, suite, &kb, Side::Client).unwrap();
        let mut vd = if v.is_ssl3() {
            prf::ssl3_finished(&master, Sender::Client, &self.transcript).to_vec()
        } else {
            prf::tls_finished(&master, Sender::Client, &self.transcript).to_vec()
        };
        if !good_finished {
            vd[0] ^= 1;
        }
        let mut fin = Vec::new();
        encode_handshake(&mut fin, HandshakeType::Finished, |o| {
            o.extend_from_slice(&vd)
        });
        let mut frag = Vec::new();
        enc.encrypt(0, ContentType::Handshake, v, &fin, &mut self.rng, &mut frag)
            .unwrap();
        out.extend(record(22, v.get(), &frag));
        self.enc = Some(enc);
        self.dec = Some(dec);
        out
    }
}

/// Runs a raw client against our server up to the server's verdict on its Finished.
fn raw_run(version: ProtocolVersion, pms_version: Option<u16>, good_finished: bool) -> Vec<u8> {
    raw_session(version, pms_version, good_finished).2
}

fn raw_session(
    version: ProtocolVersion,
    pms_version: Option<u16>,
    good_finished: bool,
) -> (RawClient, Session, Vec<u8>) {
    let mut s = server();
    let (mut raw, hello) = RawClient::hello(
        version,
        vec![
            CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
            CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV,
        ],
    );
    let mut evs = Vec::new();
    feed(&mut s, &hello, usize::MAX, &mut evs);
    let flight = take_out(&mut s, usize::MAX, &mut evs);
    raw.read_server_flight(&flight);
    let second = raw.second_flight(pms_version, good_finished);
    let mut evs = Vec::new();
    feed(&mut s, &second, usize::MAX, &mut evs);
    let out = take_out(&mut s, usize::MAX, &mut evs);
    (raw, s, out)
}

#[test]
fn renegotiation_is_refused_with_a_warning() {
    for v in legacy_versions() {
        let (mut raw, mut s, mut fin) = raw_session(v, Some(v.get()), true);
        assert!(s.is_handshake_complete());
        // The server's CCS, then its Finished (read seq 0), which moves the read state on.
        assert_eq!(
            &fin[..6],
            &[20, (v.get() >> 8) as u8, v.get() as u8, 0, 1, 1]
        );
        raw.dec
            .as_mut()
            .unwrap()
            .decrypt(0, ContentType::Handshake, v, &mut fin[11..])
            .unwrap();
        // A new ClientHello over the protected connection (client write seq 1).
        let (_, hello) = RawClient::hello(v, vec![CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA]);
        let mut frag = Vec::new();
        raw.enc
            .as_mut()
            .unwrap()
            .encrypt(
                1,
                ContentType::Handshake,
                v,
                &hello[5..],
                &mut raw.rng,
                &mut frag,
            )
            .unwrap();
        let mut evs = Vec::new();
        feed(&mut s, &record(22, v.get(), &frag), usize::MAX, &mut evs);
        assert_eq!(evs, vec![Ev::RequestSend], "{v:?}");
        let mut out = take_out(&mut s, usize::MAX, &mut evs);
        if cfg!(feature = "secure-rehandshakes") {
            // The first handshake was secure (SCSV): a renegotiating ClientHello without
            // renegotiation_info (and with the SCSV) is a fatal handshake_failure
            // (RFC 5746 section 3.7), the renegotiation attack's signature.
            assert_eq!(evs.last(), Some(&Ev::SentClose), "{v:?}");
            let r = raw
                .dec
                .as_mut()
                .unwrap()
                .decrypt(1, ContentType::Alert, v, &mut out[5..])
                .unwrap();
            assert_eq!(&out[5..][r], &[2, AlertDescription::HandshakeFailure.get()]);
            continue;
        }
        if v.is_ssl3() {
            // SSL 3.0 has no no_renegotiation: a fatal handshake_failure.
            assert_eq!(evs.last(), Some(&Ev::SentClose));
            continue;
        }
        assert!(!evs.contains(&Ev::SentClose), "{evs:?}");
        assert_eq!(out[0], 21);
        // Server's Finished was read seq 0; the alert is seq 1.
        let r = raw
            .dec
            .as_mut()
            .unwrap()
            .decrypt(1, ContentType::Alert, v, &mut out[5..])
            .unwrap();
        assert_eq!(&out[5..][r], &[1, AlertDescription::NoRenegotiation.get()]);
        // The connection goes on.
        s.encode_to_outdata(b"still here").unwrap();
    }
}

fn plain_alert(out: &[u8]) -> u8 {
    assert_eq!(out.len(), 7, "{out:?}");
    assert_eq!(&out[..1], &[21]);
    out[6]
}

#[test]
fn raw_client_sanity() {
    // A correct raw client completes: the server answers CCS and Finished.
    for v in legacy_versions() {
        let out = raw_run(v, Some(v.get()), true);
        assert_eq!(out[0], 20, "{v:?}: expected ChangeCipherSpec, got {out:?}");
    }
}

#[test]
fn wrong_premaster_version_fails_at_finished_like_bad_padding() {
    for v in legacy_versions() {
        let wrong = raw_run(v, Some(v.get() ^ 0x0001), true);
        let garbage = raw_run(v, None, true);
        // Both: the Finished does not even decrypt under the keys the server derived.
        assert_eq!(
            plain_alert(&wrong),
            AlertDescription::BadRecordMac.get(),
            "{v:?}"
        );
        assert_eq!(
            plain_alert(&garbage),
            AlertDescription::BadRecordMac.get(),
            "{v:?}"
        );
    }
}

#[test]
fn bad_finished() {
    for v in legacy_versions() {
        let out = raw_run(v, Some(v.get()), false);
        let want = if v.is_ssl3() {
            AlertDescription::HandshakeFailure
        } else {
            AlertDescription::DecryptError
        };
        assert_eq!(plain_alert(&out), want.get(), "{v:?}");
    }
}

#[test]
fn fallback_scsv() {
    let vs = ctx().versions().to_vec();
    if vs.len() < 2 {
        return;
    }
    let lower = vs[vs.len() - 2];
    let (_, hello) = RawClient::hello(
        lower,
        vec![
            CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
            CipherSuite::TLS_FALLBACK_SCSV,
        ],
    );
    let want = if lower.is_ssl3() {
        AlertDescription::HandshakeFailure
    } else {
        AlertDescription::InappropriateFallback
    };
    expect_plain_alert(&mut server(), &hello, want);
    // At our best version the SCSV is harmless.
    let top = *vs.last().unwrap();
    let (_, hello) = RawClient::hello(
        top,
        vec![
            CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
            CipherSuite::TLS_FALLBACK_SCSV,
        ],
    );
    let mut s = server();
    let mut evs = Vec::new();
    feed(&mut s, &hello, usize::MAX, &mut evs);
    assert_eq!(evs, vec![Ev::RequestSend]);
}

#[test]
fn no_common_suite_and_no_null_compression() {
    let (_, hello) = RawClient::hello(ProtocolVersion::TLSv1_0, vec![CipherSuite::from(0x1301)]);
    expect_plain_alert(&mut server(), &hello, AlertDescription::HandshakeFailure);
}

#[test]
fn garbage_never_panics() {
    // Random records and bytes at every state: no panic, bounded output.
    let mut seed = 1u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let hello = client_hello_bytes();
    for round in 0..300 {
        let mut s = server();
        let mut bytes = if round % 2 == 0 {
            hello.clone()
        } else {
            vec![]
        };
        let n = (next() % 64) as usize;
        for _ in 0..n {
            bytes.push(next() as u8);
        }
        if round % 3 == 0 && bytes.len() > 5 {
            let i = (next() as usize) % bytes.len();
            bytes[i] ^= next() as u8 | 1;
        }
        let mut left = &bytes[..];
        while !left.is_empty() {
            let buf = s.get_readbuf();
            let k = buf.len().min(left.len()).min(1 + (next() % 16) as usize);
            buf[..k].copy_from_slice(&left[..k]);
            left = &left[k..];
            match s.received_data(k) {
                Ok(r) => {
                    let e = to_ev(r);
                    drain(&mut s, e, &mut Vec::new());
                }
                Err(_) => break,
            }
        }
        assert!(s.get_outdata().len() < 20_000);
    }
}

#[test]
fn sslv2_client_hello() {
    for v in legacy_versions() {
        let mut s = server();
        let (mut raw, hello) = RawClient::sslv2_hello(v, &[0x0080, 0x002f, 0x00ff]);
        let mut evs = Vec::new();
        // Byte at a time, to exercise the detection on partial input.
        feed(&mut s, &hello, 1, &mut evs);
        assert_eq!(evs.last(), Some(&Ev::RequestSend), "{v:?}");
        let flight = take_out(&mut s, usize::MAX, &mut evs);
        raw.read_server_flight(&flight);
        let second = raw.second_flight(Some(v.get()), true);
        let mut evs = Vec::new();
        feed(&mut s, &second, usize::MAX, &mut evs);
        let out = take_out(&mut s, usize::MAX, &mut evs);
        assert_eq!(
            out[0], 20,
            "{v:?}: the Finished over the SSLv2 hello verified"
        );
        assert!(s.is_handshake_complete());
    }
    // Garbage in SSLv2 framing, naming SSL 2.0 ({0,2}): below our versions, so
    // protocol_version (RFC 2246 appendix E.1) before the rest is looked at.
    expect_plain_alert(
        &mut server(),
        &[0x80, 0x05, 1, 0, 2, 0, 0],
        AlertDescription::ProtocolVersion,
    );
    // The same garbage naming TLS 1.0: a malformed TLS hello, decode_error.
    expect_plain_alert(
        &mut server(),
        &[0x80, 0x05, 1, 3, 1, 0, 0],
        AlertDescription::DecodeError,
    );
}

/// Flips one bit at a time through a flight and delivers it: every outcome is a clean
/// alert (or a completed handshake when the bit did not matter), never a panic.
fn bitflip_flight(to_client: bool, stride: usize) {
    let ctx = ctx();
    let base = || {
        let (mut c, mut s) = new_pair(&ctx, &ctx, 0x002f, None, None);
        pump(&mut c, &mut s, usize::MAX);
        if !to_client {
            pump(&mut s, &mut c, usize::MAX);
        }
        (c, s)
    };
    let (mut c0, mut s0) = base();
    let flight = if to_client {
        take_out(&mut s0, usize::MAX, &mut Vec::new())
    } else {
        take_out(&mut c0, usize::MAX, &mut Vec::new())
    };
    let mut alerts = 0;
    for i in (0..flight.len()).step_by(stride) {
        let (mut c, mut s) = base();
        // Same session state as when the flight was made? Not for the randoms: only the
        // framing and the parse paths matter here, and a mismatch is an alert too.
        let _ = if to_client {
            take_out(&mut s, usize::MAX, &mut Vec::new())
        } else {
            take_out(&mut c, usize::MAX, &mut Vec::new())
        };
        let mut bytes = flight.clone();
        bytes[i] ^= 1 << (i % 8);
        let victim = if to_client { &mut c } else { &mut s };
        let mut evs = Vec::new();
        let mut left = &bytes[..];
        while !left.is_empty() {
            let buf = victim.get_readbuf();
            let k = buf.len().min(left.len());
            buf[..k].copy_from_slice(&left[..k]);
            left = &left[k..];
            match victim.received_data(k) {
                Ok(r) => {
                    let e = to_ev(r);
                    drain(victim, e, &mut evs);
                }
                Err(_) => break,
            }
        }
        let mut out_evs = Vec::new();
        take_out(victim, usize::MAX, &mut out_evs);
        if out_evs.contains(&Ev::SentClose) {
            alerts += 1;
        }
    }
    assert!(alerts > 0);
}

#[test]
fn bitflips_in_the_servers_flight() {
    bitflip_flight(true, if cfg!(debug_assertions) { 13 } else { 1 });
}

#[test]
fn bitflips_in_the_clients_key_exchange_flight() {
    bitflip_flight(false, if cfg!(debug_assertions) { 11 } else { 1 });
}
