//! Our client against a hand-made server, to send what our server never would: a
//! HelloRequest after the handshake (answered with a renegotiating ClientHello with
//! `secure-rehandshakes`, refused with a no_renegotiation warning without), a
//! ServerHello with a version or suite the client did not offer, a non-empty
//! renegotiation_info, and a Finished that does not verify.
//!
//! The hand-made peer speaks RSA against an RSA identity loaded from PEM: the file needs
//! `private-key-parsing` (which brings RSA) and `pem-decode`, and a build without them
//! (ECDSA-only, PSK-only) compiles none of it.
#![cfg(all(feature = "private-key-parsing", feature = "pem-decode"))]

mod support;

use matrix_crypto::drbg::HmacDrbg;
use matrix_crypto::hash::{Hash, Md5Sha1};
use matrix_crypto::prf::{self, Sender};
use matrix_crypto::rsa::decrypt_pkcs1_v15;
use matrix_ssl::codec::framing::{Framed, HandshakeFramer};
use matrix_ssl::codec::handshake::{
    Certificate, ClientHello, ClientKeyExchange, Extension, KeyExchangeKind, ServerHello,
    encode_handshake,
};
use matrix_ssl::codec::{Codec, CompressionMethod, ContentType, HandshakeType, Reader};
use matrix_ssl::record::{self, RecordDecrypter, RecordEncrypter, Side};
use matrix_ssl::{AlertDescription, CipherSuite, ProtocolVersion, Session};
use support::*;

fn record(ct: u8, version: u16, body: &[u8]) -> Vec<u8> {
    let mut r = vec![ct];
    r.extend_from_slice(&version.to_be_bytes());
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

/// Splits whole records into (type, fragment).
fn split_records(mut b: &[u8]) -> Vec<(u8, Vec<u8>)> {
    let mut out = Vec::new();
    while b.len() >= 5 {
        let len = u16::from_be_bytes([b[3], b[4]]) as usize;
        out.push((b[0], b[5..5 + len].to_vec()));
        b = &b[5 + len..];
    }
    out
}

fn frames(hs: &[u8]) -> Vec<Vec<u8>> {
    let framer = HandshakeFramer::default();
    let mut out = Vec::new();
    let mut buf = hs;
    while let Ok(Framed::Message(f)) = framer.frame(buf) {
        out.push(f.raw.to_vec());
        buf = &buf[f.raw.len()..];
    }
    out
}

struct RawServer {
    v: ProtocolVersion,
    cr: [u8; 32],
    sr: [u8; 32],
    transcript: Md5Sha1,
    rng: HmacDrbg,
    enc: Option<Box<dyn RecordEncrypter>>,
    dec: Option<Box<dyn RecordDecrypter>>,
    master: Option<matrix_ssl::record::MasterSecret>,
}

/// What to change in the ServerHello.
#[derive(Clone, Copy, PartialEq)]
enum Twist {
    None,
    Version(u16),
    Suite(u16),
    RenegInfo,
    BadFinished,
}

impl RawServer {
    /// Answers our client's ClientHello with ServerHello, Certificate, ServerHelloDone.
    fn first_flight(client_hello: &[u8], twist: Twist) -> (Self, Vec<u8>) {
        let recs = split_records(client_hello);
        let msg = &recs[0].1;
        let ch = ClientHello::read_bytes(&msg[4..]).unwrap();
        let mut transcript = Md5Sha1::new();
        transcript.update(msg);
        let v = match twist {
            Twist::Version(x) => ProtocolVersion::from(x),
            _ => ch.client_version,
        };
        let suite = match twist {
            Twist::Suite(x) => CipherSuite::from(x),
            _ => CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
        };
        let sh = ServerHello {
            server_version: v,
            random: [9; 32],
            session_id: vec![1; 32],
            cipher_suite: suite,
            compression_method: CompressionMethod::Null,
            extensions: Some(vec![Extension::RenegotiationInfo(
                if twist == Twist::RenegInfo {
                    vec![1, 2, 3]
                } else {
                    vec![]
                },
            )]),
        };
        let chain = matrix_x509::CertChain::from_bytes(&read("rsa2048/server-chain.pem")).unwrap();
        let cert = Certificate {
            certificate_list: chain.certs().iter().map(|c| c.der.clone()).collect(),
        };
        let mut hs = Vec::new();
        encode_handshake(&mut hs, HandshakeType::ServerHello, |o| sh.encode(o));
        encode_handshake(&mut hs, HandshakeType::Certificate, |o| cert.encode(o));
        encode_handshake(&mut hs, HandshakeType::ServerHelloDone, |_| {});
        transcript.update(&hs);
        (
            RawServer {
                v,
                cr: ch.random,
                sr: [9; 32],
                transcript,
                rng: HmacDrbg::from_seed(b"raw server entropy", b"nonce", b""),
                enc: None,
                dec: None,
                master: None,
            },
            record(22, v.get(), &hs),
        )
    }

    /// Reads the client's ClientKeyExchange, CCS and Finished; answers CCS and Finished.
    fn second_flight(&mut self, flight: &[u8], twist: Twist) -> Vec<u8> {
        let v = self.v;
        let recs = split_records(flight);
        assert_eq!(recs[0].0, 22);
        let cke_msg = &recs[0].1;
        let cke = ClientKeyExchange::read(&mut Reader::new(&cke_msg[4..]), KeyExchangeKind::Rsa, v)
            .unwrap();
        self.transcript.update(cke_msg);
        let ClientKeyExchange::Rsa {
            encrypted_pre_master_secret,
        } = cke
        else {
            panic!()
        };
        let key =
            matrix_x509::key::load_rsa_private_key(&read("rsa2048/server.key"), None).unwrap();
        let pms = decrypt_pkcs1_v15(&key, &mut self.rng, &encrypted_pre_master_secret).unwrap();
        let master = record::master_secret(v, &pms, &self.cr, &self.sr);
        let suite = matrix_ssl::suites::lookup(CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA).unwrap();
        let kb = record::key_block(v, suite, &master, &self.cr, &self.sr);
        let (mut enc, mut dec) = record::cipher_states(v, suite, &kb, Side::Server).unwrap();
        assert_eq!(recs[1], (20, vec![1]));
        let mut fin = recs[2].1.clone();
        let r = dec.decrypt(0, ContentType::Handshake, v, &mut fin).unwrap();
        let fin_msg = frames(&fin[r])[0].clone();
        self.transcript.update(&fin_msg);
        let mut vd = if v.is_ssl3() {
            prf::ssl3_finished(&master, Sender::Server, &self.transcript).to_vec()
        } else {
            prf::tls_finished(&master, Sender::Server, &self.transcript).to_vec()
        };
        if twist == Twist::BadFinished {
            vd[3] ^= 0x80;
        }
        let mut msg = Vec::new();
        encode_handshake(&mut msg, HandshakeType::Finished, |o| {
            o.extend_from_slice(&vd)
        });
        let mut out = record(20, v.get(), &[1]);
        let mut frag = Vec::new();
        enc.encrypt(0, ContentType::Handshake, v, &msg, &mut self.rng, &mut frag)
            .unwrap();
        out.extend(record(22, v.get(), &frag));
        self.enc = Some(enc);
        self.dec = Some(dec);
        self.master = Some(master);
        out
    }

    fn protect(&mut self, seq: u64, ct: ContentType, body: &[u8]) -> Vec<u8> {
        let mut frag = Vec::new();
        self.enc
            .as_mut()
            .unwrap()
            .encrypt(seq, ct, self.v, body, &mut self.rng, &mut frag)
            .unwrap();
        record(ct.get(), self.v.get(), &frag)
    }

    fn unprotect(&mut self, seq: u64, rec: &[u8]) -> (u8, Vec<u8>) {
        let (ct, mut frag) = split_records(rec).remove(0);
        let r = self
            .dec
            .as_mut()
            .unwrap()
            .decrypt(seq, ContentType::from(ct), self.v, &mut frag)
            .unwrap();
        (ct, frag[r].to_vec())
    }
}

fn client(v: ProtocolVersion) -> Session {
    let c = ctx_with(|c| c.max_version = v);
    c.new_client_session(client_keys(), None, 0, None, None)
        .unwrap()
}

/// Runs our client against the raw server through the server's first flight.
fn first(v: ProtocolVersion, twist: Twist) -> (Session, RawServer, Vec<Ev>) {
    let mut c = client(v);
    let hello = take_out(&mut c, usize::MAX, &mut Vec::new());
    let (raw, flight) = RawServer::first_flight(&hello, twist);
    let mut evs = Vec::new();
    // The flight is larger than the first read buffer (buffers follow the records): the
    // reads before the last one only ask for more, and once the client refused the
    // flight the rest of it is not read.
    let mut left = &flight[..];
    while !left.is_empty() {
        let buf = c.get_readbuf();
        let n = buf.len().min(left.len());
        buf[..n].copy_from_slice(&left[..n]);
        left = &left[n..];
        let Ok(ev) = c.received_data(n).map(to_ev) else {
            break;
        };
        drain(&mut c, ev, &mut evs);
    }
    evs.retain(|e| *e != Ev::RequestRecv);
    (c, raw, evs)
}

fn alert_out(c: &mut Session) -> Vec<u8> {
    let mut evs = Vec::new();
    let out = take_out(c, usize::MAX, &mut evs);
    assert_eq!(evs, vec![Ev::SentClose]);
    out
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
fn hello_request_after_the_handshake() {
    for v in legacy_versions() {
        let (mut c, mut raw, evs) = first(v, Twist::None);
        assert_eq!(evs, vec![Ev::RequestSend]);
        let flight = take_out(&mut c, usize::MAX, &mut Vec::new());
        let answer = raw.second_flight(&flight, Twist::None);
        let mut evs = Vec::new();
        feed(&mut c, &answer, usize::MAX, &mut evs);
        assert_eq!(evs, vec![Ev::Complete], "{v:?}");
        // HelloRequest, protected, write seq 1.
        let hr = raw.protect(1, ContentType::Handshake, &[0, 0, 0, 0]);
        let mut evs = Vec::new();
        feed(&mut c, &hr, usize::MAX, &mut evs);
        if cfg!(feature = "secure-rehandshakes") {
            // The raw server signalled RFC 5746: the client renegotiates, its ClientHello
            // protected under the current keys (write seq 1), with renegotiation_info
            // (type 0xff01) holding its 12- or 36-byte Finished verify_data.
            assert_eq!(evs, vec![Ev::RequestSend], "{v:?}");
            let out = take_out(&mut c, usize::MAX, &mut evs);
            let (ct, body) = raw.unprotect(1, &out);
            assert_eq!((ct, body[0]), (22, 1), "{v:?}");
            let vd_len = if v.is_ssl3() { 36 } else { 12 };
            let mut ext = vec![0xff, 0x01, 0, vd_len as u8 + 1, vd_len as u8];
            ext.truncate(5);
            assert!(
                body.windows(5).any(|w| w == ext.as_slice()),
                "{v:?}: no renegotiation_info with the verify_data"
            );
        } else if v.is_ssl3() {
            // SSL 3.0 has no no_renegotiation: the request is ignored.
            assert_eq!(evs, vec![Ev::RequestRecv]);
            assert!(c.get_outdata().is_empty());
        } else {
            assert_eq!(evs, vec![Ev::RequestSend], "{v:?}");
            let out = take_out(&mut c, usize::MAX, &mut evs);
            // Client write seq: 0 was its Finished.
            let (ct, body) = raw.unprotect(1, &out);
            assert_eq!(ct, 21);
            assert_eq!(body, vec![1, AlertDescription::NoRenegotiation.get()]);
        }
        // The connection carries on.
        let data = raw.protect(2, ContentType::ApplicationData, b"after");
        let mut evs = Vec::new();
        feed(&mut c, &data, usize::MAX, &mut evs);
        assert_eq!(evs[0], Ev::AppData(b"after".to_vec()));
    }
}

#[test]
fn server_hello_the_client_must_refuse() {
    let vs = legacy_versions();
    let top = *vs.last().unwrap();
    let cases = [
        // TLS 1.2: not offered.
        (Twist::Version(0x0303), AlertDescription::ProtocolVersion),
        // SSL 2.0.
        (Twist::Version(0x0002), AlertDescription::ProtocolVersion),
        // A suite we did not offer (DHE_DSS: never compiled).
        (Twist::Suite(0x0013), AlertDescription::IllegalParameter),
        // The SCSV is no suite.
        (Twist::Suite(0x00ff), AlertDescription::IllegalParameter),
        // A non-empty renegotiation_info on an initial handshake.
        (Twist::RenegInfo, AlertDescription::HandshakeFailure),
    ];
    for (twist, want) in cases {
        let (mut c, _, evs) = first(top, twist);
        assert_eq!(evs, vec![Ev::RequestSend]);
        let out = alert_out(&mut c);
        assert_eq!(&out[5..], &[2, want.get()]);
    }
}

#[test]
fn bad_server_finished() {
    for v in legacy_versions() {
        let (mut c, mut raw, _) = first(v, Twist::None);
        let flight = take_out(&mut c, usize::MAX, &mut Vec::new());
        let answer = raw.second_flight(&flight, Twist::BadFinished);
        let mut evs = Vec::new();
        feed(&mut c, &answer, usize::MAX, &mut evs);
        assert_eq!(evs, vec![Ev::RequestSend]);
        assert!(!c.is_handshake_complete());
        let out = alert_out(&mut c);
        let (ct, body) = raw.unprotect(1, &out);
        assert_eq!(ct, 21);
        let want = if v.is_ssl3() {
            AlertDescription::HandshakeFailure
        } else {
            AlertDescription::DecryptError
        };
        assert_eq!(body, vec![2, want.get()], "{v:?}");
    }
}

/// A renegotiating ServerHello whose renegotiation_info is not client_verify_data ||
/// server_verify_data (RFC 5746 section 3.5), or is missing: handshake_failure.
#[cfg(feature = "secure-rehandshakes")]
#[test]
fn bad_renegotiation_info_in_a_renegotiation() {
    for v in legacy_versions() {
        for info in [Some(vec![0u8; 24]), Some(vec![]), None] {
            let (mut c, mut raw, _) = first(v, Twist::None);
            let flight = take_out(&mut c, usize::MAX, &mut Vec::new());
            let answer = raw.second_flight(&flight, Twist::None);
            let mut evs = Vec::new();
            feed(&mut c, &answer, usize::MAX, &mut evs);
            let hr = raw.protect(1, ContentType::Handshake, &[0, 0, 0, 0]);
            feed(&mut c, &hr, usize::MAX, &mut evs);
            let hello = take_out(&mut c, usize::MAX, &mut evs);
            let (ct, _) = raw.unprotect(1, &hello);
            assert_eq!(ct, 22);
            let sh = ServerHello {
                server_version: v,
                random: [3; 32],
                session_id: vec![2; 32],
                cipher_suite: CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
                compression_method: CompressionMethod::Null,
                extensions: info.clone().map(|i| vec![Extension::RenegotiationInfo(i)]),
            };
            let mut msg = Vec::new();
            encode_handshake(&mut msg, HandshakeType::ServerHello, |o| sh.encode(o));
            let rec = raw.protect(2, ContentType::Handshake, &msg);
            let mut evs = Vec::new();
            feed(&mut c, &rec, usize::MAX, &mut evs);
            assert_eq!(evs.last(), Some(&Ev::RequestSend), "{v:?} {info:?}");
            let out = alert_out(&mut c);
            let (ct, body) = raw.unprotect(2, &out);
            assert_eq!(ct, 21);
            assert_eq!(
                body,
                vec![2, AlertDescription::HandshakeFailure.get()],
                "{v:?} {info:?}"
            );
        }
    }
}
