//! Hostile peers (issue 6): a scripted raw peer writes bytes our session would never see
//! from an honest one, through the public buffer API. Every case ends in the RFC's fatal
//! alert or a clean close, or goes on as the RFC allows, never in a panic, a hang (every
//! loop here is bounded by its input) or unbounded memory (`Session::memory_usage`).
//!
//! `session_negative.rs` covers the simple cases (unknown content type, oversized plaintext
//! records, an empty handshake record, a second ClientHello instead of the key exchange,
//! Finished where the server expects ChangeCipherSpec, the SSLv2 hello, renegotiation
//! refused once, ROBOT's classes); these are the others.
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
    Certificate, ClientHello, ClientKeyExchange, Extension, ServerHello, encode_handshake,
};
use matrix_ssl::codec::{Codec, CompressionMethod, ContentType, HandshakeType};
use matrix_ssl::record::{self, RecordDecrypter, RecordEncrypter, Side};
use matrix_ssl::{
    AlertDescription, AlertLevel, CipherSuite, Config, Error, ProtocolVersion, Session,
};
use support::*;

const TLS11: ProtocolVersion = ProtocolVersion::TLSv1_1;

fn record(ct: u8, version: u16, body: &[u8]) -> Vec<u8> {
    let mut r = vec![ct];
    r.extend_from_slice(&version.to_be_bytes());
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

fn server() -> Session {
    ctx().new_server_session(server_keys(), None).unwrap()
}

/// Feeds `bytes` in chunks of `chunk`, stopping at the first refused call (a session
/// that failed refuses more input with `PS_PROTOCOL_FAIL`).
fn feed_lenient(s: &mut Session, bytes: &[u8], chunk: usize) -> (Vec<Ev>, Option<Error>) {
    let mut evs = Vec::new();
    let mut left = bytes;
    while !left.is_empty() {
        let buf = s.get_readbuf();
        assert!(!buf.is_empty(), "empty read buffer");
        let n = buf.len().min(chunk).min(left.len());
        buf[..n].copy_from_slice(&left[..n]);
        left = &left[n..];
        match s.received_data(n) {
            Ok(r) => {
                let e = to_ev(r);
                drain(s, e, &mut evs);
            }
            Err(e) => return (evs, Some(e)),
        }
    }
    (evs, None)
}

/// The alert in a plaintext alert record.
fn plain_alert(out: &[u8]) -> (u8, u8) {
    assert_eq!(out.len(), 7, "expected one alert record, got {out:02x?}");
    assert_eq!(out[0], 21);
    (out[5], out[6])
}

/// Feeds `bytes`, then expects one plaintext fatal alert `want`, `RequestClose`, and a
/// session that refuses further input.
fn expect_fatal(s: &mut Session, bytes: &[u8], chunk: usize, want: AlertDescription) {
    let (evs, err) = feed_lenient(s, bytes, chunk);
    assert_eq!(err, None, "{evs:?}");
    assert_eq!(evs.last(), Some(&Ev::RequestSend), "{evs:?}");
    let mut sent = Vec::new();
    let out = take_out(s, usize::MAX, &mut sent);
    assert_eq!(sent.last(), Some(&Ev::SentClose));
    assert_eq!(plain_alert(&out), (2, want.get()), "want {want:?}");
    let buf = s.get_readbuf();
    buf[0] = 22;
    assert_eq!(s.received_data(1).unwrap_err(), Error::ProtocolFail);
}

/// The ClientHello our client sends, as a handshake message (without its record header).
fn client_hello_message() -> Vec<u8> {
    let ctx = ctx();
    let mut c = ctx
        .new_client_session(client_keys(), None, 0x002f, None, None)
        .unwrap();
    let rec = take_out(&mut c, usize::MAX, &mut Vec::new());
    rec[5..].to_vec()
}

/// Splits a plaintext handshake flight into its messages.
fn messages(flight: &[u8]) -> Vec<Vec<u8>> {
    let mut hs = Vec::new();
    let mut rest = flight;
    while rest.len() >= 5 {
        let len = u16::from_be_bytes([rest[3], rest[4]]) as usize;
        if rest[0] == 22 {
            hs.extend_from_slice(&rest[5..5 + len]);
        }
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

/// A hand-made TLS client, to send what our client never would; RSA key exchange with
/// AES-128-CBC-SHA.
struct RawClient {
    version: ProtocolVersion,
    client_random: [u8; 32],
    server_random: [u8; 32],
    transcript: Md5Sha1,
    server_key: Option<RsaPublicKey>,
    rng: HmacDrbg,
    enc: Option<Box<dyn RecordEncrypter>>,
    dec: Option<Box<dyn RecordDecrypter>>,
    write_seq: u64,
    read_seq: u64,
    /// client_write MAC secret and key, for records the encrypter refuses to make.
    mac_key: Vec<u8>,
    key: Vec<u8>,
}

impl RawClient {
    /// A ClientHello message (no record header) with `extensions`.
    fn hello(version: ProtocolVersion, extensions: Option<Vec<Extension>>) -> (Self, Vec<u8>) {
        let mut rng = HmacDrbg::from_seed(b"hostile raw client", b"nonce", b"");
        let mut random = [0u8; 32];
        matrix_crypto::random::SecureRandom::fill_bytes(&mut rng, &mut random).unwrap();
        let ch = ClientHello {
            client_version: version,
            random,
            session_id: vec![],
            cookie: None,
            cipher_suites: vec![
                CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA,
                CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV,
            ],
            compression_methods: vec![CompressionMethod::Null],
            extensions,
        };
        let mut msg = Vec::new();
        encode_handshake(&mut msg, HandshakeType::ClientHello, |o| ch.encode(o));
        let mut transcript = Md5Sha1::new();
        transcript.update(&msg);
        let raw = RawClient {
            version,
            client_random: random,
            server_random: [0; 32],
            transcript,
            server_key: None,
            rng,
            enc: None,
            dec: None,
            write_seq: 0,
            read_seq: 0,
            mac_key: vec![],
            key: vec![],
        };
        (raw, msg)
    }

    fn read_server_flight(&mut self, flight: &[u8]) {
        for m in messages(flight) {
            self.transcript.update(&m);
            match m[0] {
                2 => {
                    let sh = ServerHello::read_bytes(&m[4..]).unwrap();
                    self.server_random = sh.random;
                }
                11 => {
                    let cert = Certificate::read_bytes(&m[4..]).unwrap();
                    let leaf = matrix_x509::X509Cert::from_der(&cert.certificate_list[0]).unwrap();
                    let matrix_x509::PublicKey::Rsa { n, e } = &leaf.public_key else {
                        panic!("not RSA")
                    };
                    self.server_key = Some(RsaPublicKey::new(n, e).unwrap());
                }
                _ => {}
            }
        }
    }

    /// The ClientKeyExchange message (in the transcript) and the cipher states.
    fn key_exchange(&mut self) -> (Vec<u8>, prf::MasterSecret) {
        let v = self.version;
        let mut pms = [7u8; 48];
        pms[..2].copy_from_slice(&v.get().to_be_bytes());
        let ciphertext =
            encrypt_pkcs1_v15(self.server_key.as_ref().unwrap(), &mut self.rng, &pms).unwrap();
        let cke = ClientKeyExchange::Rsa {
            encrypted_pre_master_secret: ciphertext,
        };
        let mut msg = Vec::new();
        encode_handshake(&mut msg, HandshakeType::ClientKeyExchange, |o| {
            cke.encode(o, v)
        });
        self.transcript.update(&msg);
        let master = record::master_secret(v, &pms, &self.client_random, &self.server_random);
        let suite = matrix_ssl::suites::lookup(CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA).unwrap();
        let kb = record::key_block(v, suite, &master, &self.client_random, &self.server_random);
        let (enc, dec) = record::cipher_states(v, suite, &kb, Side::Client).unwrap();
        self.mac_key = kb.client_write_mac().to_vec();
        self.key = kb.client_write_key().to_vec();
        self.enc = Some(enc);
        self.dec = Some(dec);
        (msg, master)
    }

    fn finished(&mut self, master: &prf::MasterSecret) -> Vec<u8> {
        let vd = if self.version.is_ssl3() {
            prf::ssl3_finished(master, Sender::Client, &self.transcript).to_vec()
        } else {
            prf::tls_finished(master, Sender::Client, &self.transcript).to_vec()
        };
        let mut fin = Vec::new();
        encode_handshake(&mut fin, HandshakeType::Finished, |o| {
            o.extend_from_slice(&vd)
        });
        fin
    }

    /// One protected record under the client's write state.
    fn protect(&mut self, ct: ContentType, data: &[u8]) -> Vec<u8> {
        let mut frag = Vec::new();
        self.enc
            .as_mut()
            .unwrap()
            .encrypt(
                self.write_seq,
                ct,
                self.version,
                data,
                &mut self.rng,
                &mut frag,
            )
            .unwrap();
        self.write_seq += 1;
        record(u8::from(ct), self.version.get(), &frag)
    }

    /// A TLS 1.1 AES-128-CBC-SHA record made by hand, for plaintexts the library's
    /// encrypter refuses (over 2^14 bytes): explicit IV, HMAC-SHA1, TLS padding.
    fn protect_by_hand(&mut self, ct: u8, data: &[u8]) -> Vec<u8> {
        use matrix_crypto::cipher::{BlockAlgorithm, CbcCipher};
        let v = self.version.get().to_be_bytes();
        let mut mac = matrix_crypto::mac::Hmac::<matrix_crypto::hash::Sha1>::new(&self.mac_key);
        mac.update(&self.write_seq.to_be_bytes());
        mac.update(&[ct, v[0], v[1]]);
        mac.update(&(data.len() as u16).to_be_bytes());
        mac.update(data);
        let tag = mac.finalize();
        let mut body = data.to_vec();
        body.extend_from_slice(tag.as_ref());
        let pad = 15 - body.len() % 16;
        body.extend(std::iter::repeat_n(pad as u8, pad + 1));
        let iv = [0x24u8; 16];
        let aes = CbcCipher::new(BlockAlgorithm::Aes128, &self.key).unwrap();
        let mut chain = iv;
        aes.encrypt(&mut chain, &mut body).unwrap();
        self.write_seq += 1;
        record(ct, self.version.get(), &[&iv[..], &body].concat())
    }

    /// Decrypts one protected record from the server; returns (content type, plaintext).
    fn unprotect(&mut self, rec: &mut [u8]) -> (u8, Vec<u8>) {
        let ct = ContentType::from(rec[0]);
        let r = self
            .dec
            .as_mut()
            .unwrap()
            .decrypt(self.read_seq, ct, self.version, &mut rec[5..])
            .unwrap();
        self.read_seq += 1;
        (rec[0], rec[5..][r].to_vec())
    }
}

/// A raw client and our server with a completed TLS 1.1 handshake; the server's CCS and
/// Finished have been read.
fn established() -> (RawClient, Session) {
    let mut s = server();
    let (mut raw, hello) = RawClient::hello(TLS11, None);
    let (evs, _) = feed_lenient(&mut s, &record(22, 0x0301, &hello), usize::MAX);
    assert_eq!(evs, vec![Ev::RequestSend]);
    let flight = take_out(&mut s, usize::MAX, &mut Vec::new());
    raw.read_server_flight(&flight);
    let (cke, master) = raw.key_exchange();
    let mut bytes = record(22, TLS11.get(), &cke);
    bytes.extend(record(20, TLS11.get(), &[1]));
    let fin = raw.finished(&master);
    bytes.extend(raw.protect(ContentType::Handshake, &fin));
    let (evs, err) = feed_lenient(&mut s, &bytes, usize::MAX);
    assert_eq!(err, None);
    assert_eq!(evs, vec![Ev::RequestSend]);
    let mut sent = Vec::new();
    let mut out = take_out(&mut s, usize::MAX, &mut sent);
    assert_eq!(sent, vec![Ev::SentComplete]);
    assert!(s.is_handshake_complete());
    // CCS (6 bytes), then the protected Finished.
    assert_eq!(out[0], 20);
    let (ct, _) = raw.unprotect(&mut out[6..]);
    assert_eq!(ct, 22);
    (raw, s)
}

/// After a fatal alert under protection: one protected alert record from the server.
fn expect_protected_fatal(
    raw: &mut RawClient,
    s: &mut Session,
    bytes: &[u8],
    want: AlertDescription,
) {
    let (evs, err) = feed_lenient(s, bytes, usize::MAX);
    assert_eq!(err, None, "{evs:?}");
    assert_eq!(evs.last(), Some(&Ev::RequestSend), "{evs:?}");
    let mut sent = Vec::new();
    let mut out = take_out(s, usize::MAX, &mut sent);
    assert_eq!(sent.last(), Some(&Ev::SentClose));
    let (ct, body) = raw.unprotect(&mut out);
    assert_eq!((ct, body), (21, vec![2, want.get()]), "want {want:?}");
}

// ---------------------------------------------------------------------------------------

/// The ClientHello in one-byte handshake records, then in records of 1..7 bytes delivered
/// byte by byte: the server reassembles it and answers, with bounded memory.
#[test]
fn client_hello_fragmented_across_tiny_records() {
    let hello = client_hello_message();
    for size in [1usize, 2, 3, 7] {
        let mut bytes = Vec::new();
        for piece in hello.chunks(size) {
            bytes.extend(record(22, 0x0301, piece));
        }
        let mut s = server();
        let (evs, err) = feed_lenient(&mut s, &bytes, if size == 1 { usize::MAX } else { 1 });
        assert_eq!(err, None);
        assert_eq!(evs.last(), Some(&Ev::RequestSend), "size {size}: {evs:?}");
        let flight = take_out(&mut s, usize::MAX, &mut Vec::new());
        assert_eq!(flight[5], 2, "a ServerHello");
        let (_, high) = s.memory_usage();
        assert!(high < 64 * 1024, "{high} bytes for a fragmented hello");
    }
    // And the whole handshake completes with the hello fragmented.
    let ctx = ctx();
    let (mut c, mut s) = new_pair(&ctx, &ctx, 0x002f, None, None);
    let hello_rec = take_out(&mut c, usize::MAX, &mut Vec::new());
    let mut bytes = Vec::new();
    for piece in hello_rec[5..].chunks(1) {
        bytes.extend(record(22, 0x0301, piece));
    }
    let mut evs = Vec::new();
    feed(&mut s, &bytes, usize::MAX, &mut evs);
    pump(&mut s, &mut c, usize::MAX);
    handshake(&mut c, &mut s, usize::MAX);
    send_all(&mut c, &mut s, b"after a fragmented hello", usize::MAX);
}

/// Zero-length records: an empty handshake record is covered in session_negative; an
/// empty alert is a decode_error, an empty ChangeCipherSpec an illegal_parameter (what the
/// decoder maps a malformed CCS to), empty application data before the handshake an
/// unexpected_message; after the handshake, empty application data records are legal
/// (RFC 5246 section 6.2.1) and skipped, even thousands of them.
#[test]
fn zero_length_records() {
    expect_fatal(
        &mut server(),
        &record(21, 0x0301, &[]),
        usize::MAX,
        AlertDescription::DecodeError,
    );
    expect_fatal(
        &mut server(),
        &record(20, 0x0301, &[]),
        usize::MAX,
        AlertDescription::IllegalParameter,
    );
    expect_fatal(
        &mut server(),
        &record(23, 0x0301, &[]),
        usize::MAX,
        AlertDescription::UnexpectedMessage,
    );
    // Empty handshake record in the middle of a fragmented ClientHello.
    let hello = client_hello_message();
    let mut bytes = record(22, 0x0301, &hello[..10]);
    bytes.extend(record(22, 0x0301, &[]));
    expect_fatal(
        &mut server(),
        &bytes,
        usize::MAX,
        AlertDescription::UnexpectedMessage,
    );

    // After the handshake: empty application-data records between real ones are
    // harmless, however many.
    let (mut raw, mut s) = established();
    let mut bytes = Vec::new();
    for _ in 0..500 {
        for _ in 0..MAX_IDLE {
            bytes.extend(raw.protect(ContentType::ApplicationData, &[]));
        }
        bytes.extend(raw.protect(ContentType::ApplicationData, b"x"));
    }
    let (evs, err) = feed_lenient(&mut s, &bytes, 4096);
    assert_eq!(err, None);
    assert_eq!(
        evs.iter()
            .filter(|e| **e == Ev::AppData(b"x".to_vec()))
            .count(),
        500
    );
    assert!(s.get_outdata().is_empty());
    // A flood of them with nothing else: one more than the cap is unexpected_message.
    let mut flood = Vec::new();
    for _ in 0..=MAX_IDLE {
        flood.extend(raw.protect(ContentType::ApplicationData, &[]));
    }
    expect_protected_fatal(
        &mut raw,
        &mut s,
        &flood,
        AlertDescription::UnexpectedMessage,
    );
    let (_, high) = s.memory_usage();
    assert!(high < 64 * 1024, "{high}");
}

/// Warning alerts interleaved with the handshake, even between the fragments of one
/// handshake message (RFC 5246 section 6.2.1 allows interleaving content types): each is
/// reported to the application and the handshake goes on. A fatal alert ends it: no
/// answer, and the session refuses more input.
#[test]
fn interleaved_alerts_during_the_handshake() {
    let warn = record(21, 0x0301, &[1, AlertDescription::UserCanceled.get()]);
    let hello = client_hello_message();
    let mut bytes = warn.clone();
    bytes.extend(record(22, 0x0301, &hello[..20]));
    bytes.extend(warn.clone());
    bytes.extend(record(22, 0x0301, &hello[20..]));
    // Once the hello is read the version is agreed: records must carry it.
    let top = ctx().versions().last().unwrap().get();
    bytes.extend(record(21, top, &[1, AlertDescription::UserCanceled.get()]));
    let mut s = server();
    let (evs, err) = feed_lenient(&mut s, &bytes, usize::MAX);
    assert_eq!(err, None);
    let alerts = evs
        .iter()
        .filter(|e| **e == Ev::Alert(AlertLevel::Warning, AlertDescription::UserCanceled))
        .count();
    assert_eq!(alerts, 3, "{evs:?}");
    assert!(!s.get_outdata().is_empty(), "the server answered the hello");

    // Between the client's key exchange and its ChangeCipherSpec, then the handshake
    // completes.
    let ctx = ctx();
    let (mut c, mut s) = new_pair(&ctx, &ctx, 0x002f, None, None);
    pump(&mut c, &mut s, usize::MAX);
    pump(&mut s, &mut c, usize::MAX);
    let flight = take_out(&mut c, usize::MAX, &mut Vec::new());
    let cke_len = 5 + u16::from_be_bytes([flight[3], flight[4]]) as usize;
    let v = c.protocol_version().get();
    let mut bytes = flight[..cke_len].to_vec();
    bytes.extend(record(21, v, &[1, AlertDescription::UserCanceled.get()]));
    bytes.extend_from_slice(&flight[cke_len..]);
    let mut evs = Vec::new();
    feed(&mut s, &bytes, usize::MAX, &mut evs);
    assert!(evs.contains(&Ev::Alert(
        AlertLevel::Warning,
        AlertDescription::UserCanceled
    )));
    handshake(&mut c, &mut s, usize::MAX);
    send_all(&mut c, &mut s, b"still fine", usize::MAX);

    // A fatal alert in the middle: the session is over, it sends nothing.
    let mut s = server();
    let mut bytes = record(22, 0x0301, &hello[..20]);
    bytes.extend(record(
        21,
        0x0301,
        &[2, AlertDescription::HandshakeFailure.get()],
    ));
    bytes.extend(record(22, 0x0301, &hello[20..]));
    let (evs, _) = feed_lenient(&mut s, &bytes, usize::MAX);
    assert_eq!(
        evs.first(),
        Some(&Ev::Alert(
            AlertLevel::Fatal,
            AlertDescription::HandshakeFailure
        )),
        "{evs:?}"
    );
    assert!(s.get_outdata().is_empty());
    let buf = s.get_readbuf();
    buf[0] = 22;
    assert_eq!(s.received_data(1).unwrap_err(), Error::ProtocolFail);
}

/// CCS injection (CVE-2014-0224): a ChangeCipherSpec before the key exchange would make
/// the record keys derive from a master secret the attacker knows. Our server refuses a CCS
/// right after the ClientHello (in the same buffer, or after its answer), our client one
/// right after the ServerHello and one between Certificate and ServerHelloDone: all with
/// unexpected_message. A second CCS after a proper key exchange is read under the new keys,
/// so a plaintext one fails the MAC check (bad_record_mac).
#[test]
fn ccs_injection() {
    let hello = client_hello_message();
    // Server: CCS right after the ClientHello, in the same buffer and after the answer.
    let top = ctx().versions().last().unwrap().get();
    let mut bytes = record(22, 0x0301, &hello);
    bytes.extend(record(20, top, &[1]));
    let mut s = server();
    let (evs, err) = feed_lenient(&mut s, &bytes, usize::MAX);
    assert_eq!(err, None);
    assert_eq!(evs.last(), Some(&Ev::RequestSend));
    let out = take_out(&mut s, usize::MAX, &mut Vec::new());
    // The ServerHello flight, then the fatal alert.
    let tail = &out[out.len() - 7..];
    assert_eq!(
        plain_alert(tail),
        (2, AlertDescription::UnexpectedMessage.get())
    );

    let mut s = server();
    feed_lenient(&mut s, &record(22, 0x0301, &hello), usize::MAX);
    take_out(&mut s, usize::MAX, &mut Vec::new());
    let v = s.protocol_version().get();
    expect_fatal(
        &mut s,
        &record(20, v, &[1]),
        usize::MAX,
        AlertDescription::UnexpectedMessage,
    );

    // Client: CCS right after the ServerHello (before Certificate).
    let ctx = ctx();
    let (mut c, mut s) = new_pair(&ctx, &ctx, 0x002f, None, None);
    pump(&mut c, &mut s, usize::MAX);
    let flight = take_out(&mut s, usize::MAX, &mut Vec::new());
    let msgs = messages(&flight);
    let v = u16::from_be_bytes([flight[1], flight[2]]);
    let mut bytes = record(22, v, &msgs[0]);
    bytes.extend(record(20, v, &[1]));
    expect_fatal(
        &mut c,
        &bytes,
        usize::MAX,
        AlertDescription::UnexpectedMessage,
    );

    // Client: a CCS between Certificate and ServerHelloDone.
    let (mut c, mut s) = new_pair(&ctx, &ctx, 0x002f, None, None);
    pump(&mut c, &mut s, usize::MAX);
    let flight = take_out(&mut s, usize::MAX, &mut Vec::new());
    let msgs = messages(&flight);
    let mut bytes = record(22, v, &[msgs[0].clone(), msgs[1].clone()].concat());
    bytes.extend(record(20, v, &[1]));
    bytes.extend(record(22, v, &msgs[2]));
    expect_fatal(
        &mut c,
        &bytes,
        usize::MAX,
        AlertDescription::UnexpectedMessage,
    );

    // Server: two ChangeCipherSpecs in a row after a proper key exchange. The second is
    // read under the new keys: a plaintext CCS fails the MAC check.
    let (mut c, mut s) = new_pair(&ctx, &ctx, 0x002f, None, None);
    pump(&mut c, &mut s, usize::MAX);
    pump(&mut s, &mut c, usize::MAX);
    let flight = take_out(&mut c, usize::MAX, &mut Vec::new());
    let cke_len = 5 + u16::from_be_bytes([flight[3], flight[4]]) as usize;
    let mut bytes = flight[..cke_len + 6].to_vec();
    bytes.extend(record(20, v, &[1]));
    let (evs, err) = feed_lenient(&mut s, &bytes, usize::MAX);
    assert_eq!(err, None);
    assert_eq!(evs.last(), Some(&Ev::RequestSend), "{evs:?}");
    let mut sent = Vec::new();
    let out = take_out(&mut s, usize::MAX, &mut sent);
    assert_eq!(sent.last(), Some(&Ev::SentClose));
    // The server has not sent its own CCS yet: its alert is plaintext.
    assert_eq!(plain_alert(&out), (2, AlertDescription::BadRecordMac.get()));
}

/// The client side of "Finished before ChangeCipherSpec": after its key exchange our
/// client gets a (plaintext) Finished where the server's CCS must come.
#[test]
fn finished_before_ccs_at_the_client() {
    let ctx = ctx();
    let (mut c, mut s) = new_pair(&ctx, &ctx, 0x002f, None, None);
    pump(&mut c, &mut s, usize::MAX);
    pump(&mut s, &mut c, usize::MAX);
    let client_flight = take_out(&mut c, usize::MAX, &mut Vec::new());
    let mut evs = Vec::new();
    feed(&mut s, &client_flight, usize::MAX, &mut evs);
    let v = c.protocol_version().get();
    let fake = record(
        22,
        v,
        &[20, 0, 0, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    );
    // The client already switched its write keys: its alert is protected; it closes.
    let (evs, err) = feed_lenient(&mut c, &fake, usize::MAX);
    assert_eq!(err, None);
    assert_eq!(evs.last(), Some(&Ev::RequestSend), "{evs:?}");
    let (ce, se) = pump(&mut c, &mut s, usize::MAX);
    assert_eq!(ce, vec![Ev::SentClose]);
    assert_eq!(
        se.first(),
        Some(&Ev::Alert(
            AlertLevel::Fatal,
            AlertDescription::UnexpectedMessage
        )),
        "{se:?}"
    );
}

/// A second ClientHello in other places than session_negative's: in the same record as
/// the first, and after the key exchange (before the CCS).
#[test]
fn second_client_hello_mid_handshake() {
    let hello = client_hello_message();
    let both = [hello.clone(), hello.clone()].concat();
    let mut s = server();
    let (evs, _) = feed_lenient(&mut s, &record(22, 0x0301, &both), usize::MAX);
    assert_eq!(evs.last(), Some(&Ev::RequestSend));
    let out = take_out(&mut s, usize::MAX, &mut Vec::new());
    assert_eq!(
        plain_alert(&out[out.len() - 7..]),
        (2, AlertDescription::UnexpectedMessage.get())
    );

    let ctx = ctx();
    let (mut c, mut s) = new_pair(&ctx, &ctx, 0x002f, None, None);
    pump(&mut c, &mut s, usize::MAX);
    pump(&mut s, &mut c, usize::MAX);
    let flight = take_out(&mut c, usize::MAX, &mut Vec::new());
    let cke_len = 5 + u16::from_be_bytes([flight[3], flight[4]]) as usize;
    let v = c.protocol_version().get();
    let mut bytes = flight[..cke_len].to_vec();
    bytes.extend(record(22, v, &hello));
    expect_fatal(
        &mut s,
        &bytes,
        usize::MAX,
        AlertDescription::UnexpectedMessage,
    );
}

/// A ClientHello with thousands of unknown (empty) extensions: ignored, the handshake goes
/// on; one with a duplicated extension: refused; one whose extension block makes the
/// message larger than the framer's 16 KiB: refused as soon as the header is in.
#[test]
fn huge_extension_lists() {
    let many: Vec<Extension> = (0..3000u16)
        .map(|i| Extension::Unknown {
            ext_type: 0x1000 + i,
            data: vec![],
        })
        .collect();
    let (mut raw, hello) = RawClient::hello(TLS11, Some(many));
    assert!(hello.len() > 12_000);
    let mut s = server();
    let (evs, err) = feed_lenient(&mut s, &record(22, 0x0301, &hello), usize::MAX);
    assert_eq!(err, None);
    assert_eq!(evs.last(), Some(&Ev::RequestSend), "{evs:?}");
    let flight = take_out(&mut s, usize::MAX, &mut Vec::new());
    raw.read_server_flight(&flight);
    assert!(raw.server_key.is_some());
    assert_eq!(s.peer_hello_extensions().len(), 3000);

    let dup = vec![
        Extension::Unknown {
            ext_type: 0x1234,
            data: vec![],
        },
        Extension::Unknown {
            ext_type: 0x1234,
            data: vec![1],
        },
    ];
    let (_, hello) = RawClient::hello(TLS11, Some(dup));
    let mut s = server();
    let (_, err) = feed_lenient(&mut s, &record(22, 0x0301, &hello), usize::MAX);
    assert_eq!(err, None);
    let out = take_out(&mut s, usize::MAX, &mut Vec::new());
    // RFC 5246 section 7.4.1.4: no two extensions of a type; matrix says illegal_parameter.
    assert_eq!(
        plain_alert(&out),
        (2, AlertDescription::IllegalParameter.get())
    );

    // 20 KiB of extensions: the header alone is refused (illegal_parameter, the framer's
    // limit), whatever follows.
    let big: Vec<Extension> = (0..5000u16)
        .map(|i| Extension::Unknown {
            ext_type: 0x1000 + i,
            data: vec![],
        })
        .collect();
    let (_, hello) = RawClient::hello(TLS11, Some(big));
    assert!(hello.len() > 16 * 1024);
    let mut s = server();
    expect_fatal(
        &mut s,
        &record(22, 0x0301, &hello[..16000]),
        usize::MAX,
        AlertDescription::IllegalParameter,
    );
}

/// A protected record whose plaintext is 2^14 + 1 bytes (valid MAC and padding):
/// record_overflow (RFC 2246 section 6.2.1), under protection.
#[test]
fn protected_record_of_2_pow_14_plus_1() {
    let (mut raw, mut s) = established();
    let big = raw.protect_by_hand(23, &vec![0x61; (1 << 14) + 1]);
    expect_protected_fatal(&mut raw, &mut s, &big, AlertDescription::RecordOverflow);
    // Exactly 2^14 is fine.
    let (mut raw, mut s) = established();
    let ok = raw.protect_by_hand(23, &vec![0x61; 1 << 14]);
    let (evs, err) = feed_lenient(&mut s, &ok, usize::MAX);
    assert_eq!(err, None);
    let data: Vec<&Ev> = evs.iter().filter(|e| matches!(e, Ev::AppData(_))).collect();
    assert!(
        data == [&Ev::AppData(vec![0x61; 1 << 14])],
        "{} events",
        evs.len()
    );
}

/// SSLv2-format hellos beyond session_negative's: one announcing 32 KiB (refused before
/// it is buffered), one offering SSL 2.0 only, and an SSLv2-framed record after the first
/// record (then it is an unknown content type).
#[test]
fn sslv2_format_hellos() {
    // Header announcing 0x7fff bytes with the CLIENT-HELLO type byte.
    let mut s = server();
    expect_fatal(
        &mut s,
        &[0xff, 0xff, 1, 3, 1, 0, 3],
        usize::MAX,
        AlertDescription::IllegalParameter,
    );
    let (_, high) = s.memory_usage();
    assert!(high < 32 * 1024, "{high}");

    // SSL 2.0 only (version 0x0002).
    let mut msg = vec![1, 0, 2, 0, 3, 0, 0, 0, 16, 0x01, 0x00, 0x80];
    msg.extend_from_slice(&[0x42; 16]);
    let mut rec = vec![0x80 | (msg.len() >> 8) as u8, msg.len() as u8];
    rec.extend_from_slice(&msg);
    let mut s = server();
    let (_, err) = feed_lenient(&mut s, &rec, usize::MAX);
    assert_eq!(err, None);
    let out = take_out(&mut s, usize::MAX, &mut Vec::new());
    // A version below ours: protocol_version (RFC 2246 appendix E.1), as for a hello in
    // a TLS record (tests/alert_conformance.rs).
    assert_eq!(
        plain_alert(&out),
        (2, AlertDescription::ProtocolVersion.get())
    );

    // After a warning alert (the first record), an SSLv2 record is not a hello.
    let mut bytes = record(21, 0x0301, &[1, AlertDescription::UserCanceled.get()]);
    let mut v2 = vec![1, 3, 1, 0, 3, 0, 0, 0, 32, 0, 0, 0x2f];
    v2.extend_from_slice(&[0x42; 32]);
    bytes.extend_from_slice(&[0x80, v2.len() as u8]);
    bytes.extend_from_slice(&v2);
    let mut s = server();
    let (evs, err) = feed_lenient(&mut s, &bytes, usize::MAX);
    assert_eq!(err, None);
    assert_eq!(evs.last(), Some(&Ev::RequestSend), "{evs:?}");
    let out = take_out(&mut s, usize::MAX, &mut Vec::new());
    assert_eq!(plain_alert(&out).0, 2);
}

/// Heartbeat records (content type 24, RFC 6520; Heartbleed's request asks for 16 KiB of
/// echo): matrix has no heartbeat, so it is an unexpected_message before and after the
/// handshake, and nothing is echoed.
#[test]
fn heartbeat_records() {
    let heartbleed = [1u8, 0x40, 0x00, 0x01];
    expect_fatal(
        &mut server(),
        &record(24, 0x0301, &heartbleed),
        usize::MAX,
        AlertDescription::UnexpectedMessage,
    );
    // After the ClientHello.
    let hello = client_hello_message();
    let mut s = server();
    feed_lenient(&mut s, &record(22, 0x0301, &hello), usize::MAX);
    take_out(&mut s, usize::MAX, &mut Vec::new());
    let v = s.protocol_version().get();
    expect_fatal(
        &mut s,
        &record(24, v, &heartbleed),
        usize::MAX,
        AlertDescription::UnexpectedMessage,
    );
    // After the handshake, protected: the alert is protected and carries no payload.
    let (mut raw, mut s) = established();
    let hb = raw.protect(ContentType::from(24), &heartbleed);
    expect_protected_fatal(&mut raw, &mut s, &hb, AlertDescription::UnexpectedMessage);
}

/// The cap on records in a row that carry nothing (matrix-ssl's `MAX_IDLE_RECORDS`).
const MAX_IDLE: usize = 16;

/// A flood of warning alerts (CVE-2016-8610): each is reported to the application, up to
/// 16 in a row; one more without a handshake message or application data in between ends
/// the session with unexpected_message. Warnings between real records are harmless.
#[test]
fn warning_alert_flood() {
    let warning = |v: u16| record(21, v, &[1, AlertDescription::UserCanceled.get()]);
    let hello = client_hello_message();
    // The cap, then the hello: the handshake goes on.
    let mut s = server();
    let mut bytes = Vec::new();
    for _ in 0..MAX_IDLE {
        bytes.extend(warning(0x0301));
    }
    bytes.extend(record(22, 0x0301, &hello));
    let (evs, err) = feed_lenient(&mut s, &bytes, 1500);
    assert_eq!(err, None);
    let alerts = evs.iter().filter(|e| matches!(e, Ev::Alert(..))).count();
    assert_eq!(alerts, MAX_IDLE);
    assert_eq!(evs.last(), Some(&Ev::RequestSend));
    // One more than the cap before the hello.
    let mut bytes = Vec::new();
    for _ in 0..5000 {
        bytes.extend(warning(0x0301));
    }
    bytes.extend(record(22, 0x0301, &hello));
    let mut s = server();
    let (evs, _) = feed_lenient(&mut s, &bytes, 1500);
    let alerts = evs.iter().filter(|e| matches!(e, Ev::Alert(..))).count();
    assert_eq!(alerts, MAX_IDLE, "{evs:?}");
    let out = take_out(&mut s, usize::MAX, &mut Vec::new());
    assert_eq!(
        plain_alert(&out),
        (2, AlertDescription::UnexpectedMessage.get())
    );
    let (_, high) = s.memory_usage();
    assert!(high < 32 * 1024, "{high}");

    // After the handshake: protected warnings between data records go on and on.
    let (mut raw, mut s) = established();
    let mut bytes = Vec::new();
    for _ in 0..200 {
        for _ in 0..MAX_IDLE {
            bytes.extend(raw.protect(
                ContentType::Alert,
                &[1, AlertDescription::UserCanceled.get()],
            ));
        }
        bytes.extend(raw.protect(ContentType::ApplicationData, b"data"));
    }
    let (evs, err) = feed_lenient(&mut s, &bytes, 4096);
    assert_eq!(err, None);
    assert_eq!(
        evs.iter().filter(|e| matches!(e, Ev::Alert(..))).count(),
        200 * MAX_IDLE
    );
    assert_eq!(
        evs.iter()
            .filter(|e| **e == Ev::AppData(b"data".to_vec()))
            .count(),
        200
    );
    // A flood with nothing else: fatal after the cap.
    let mut bytes = Vec::new();
    for _ in 0..=MAX_IDLE {
        bytes.extend(raw.protect(
            ContentType::Alert,
            &[1, AlertDescription::UserCanceled.get()],
        ));
    }
    expect_protected_fatal(
        &mut raw,
        &mut s,
        &bytes,
        AlertDescription::UnexpectedMessage,
    );
    let (_, high) = s.memory_usage();
    assert!(high < 64 * 1024, "{high}");
}

/// Renegotiation floods with a secure-renegotiation build: a renegotiating ClientHello
/// without the RFC 5746 verify_data (what a flooding peer sends) is a fatal
/// handshake_failure, so the flood ends at its first hello.
#[cfg(feature = "secure-rehandshakes")]
#[test]
fn renegotiation_flood_ends_at_the_first_unverified_hello() {
    let (mut raw, mut s) = established();
    let (_, hello) = RawClient::hello(TLS11, None);
    let rec = raw.protect(ContentType::Handshake, &hello);
    let (evs, _) = feed_lenient(&mut s, &rec, usize::MAX);
    assert_eq!(evs.first(), Some(&Ev::RequestSend), "{evs:?}");
    let mut out = take_out(&mut s, usize::MAX, &mut Vec::new());
    let (ct, body) = raw.unprotect(&mut out);
    assert_eq!(
        (ct, body),
        (21, vec![2, AlertDescription::HandshakeFailure.get()])
    );
    // The session is over: more hellos are refused without growing anything.
    let rec = raw.protect(ContentType::Handshake, &hello);
    let (_, err) = feed_lenient(&mut s, &rec, usize::MAX);
    assert!(err.is_some());
}

/// Renegotiation floods in a build without re-handshakes: every ClientHello after the
/// handshake gets a no_renegotiation warning; when the application never sends what the
/// session queues, the queue is bounded by the memory cap (internal_error), never unbounded.
#[cfg(not(any(feature = "secure-rehandshakes", feature = "insecure-rehandshakes")))]
#[test]
fn renegotiation_flood() {
    let (mut raw, mut s) = established();
    let (_, hello) = RawClient::hello(TLS11, None);
    let mut warnings = 0;
    for _ in 0..200 {
        let rec = raw.protect(ContentType::Handshake, &hello);
        let (evs, err) = feed_lenient(&mut s, &rec, usize::MAX);
        assert_eq!(err, None);
        assert_eq!(evs, vec![Ev::RequestSend]);
        let mut out = take_out(&mut s, usize::MAX, &mut Vec::new());
        let (ct, body) = raw.unprotect(&mut out);
        assert_eq!(
            (ct, body),
            (21, vec![1, AlertDescription::NoRenegotiation.get()])
        );
        warnings += 1;
    }
    assert_eq!(warnings, 200);
    s.encode_to_outdata(b"still up").unwrap();

    // Never draining the output: memory stays under a small cap.
    let cap = 48 * 1024;
    let ctx = ctx_with(|c| c.session_memory_cap = cap);
    let mut s = ctx.new_server_session(server_keys(), None).unwrap();
    let (mut raw, hello0) = RawClient::hello(TLS11, None);
    feed_lenient(&mut s, &record(22, 0x0301, &hello0), usize::MAX);
    let flight = take_out(&mut s, usize::MAX, &mut Vec::new());
    raw.read_server_flight(&flight);
    let (cke, master) = raw.key_exchange();
    let mut bytes = record(22, TLS11.get(), &cke);
    bytes.extend(record(20, TLS11.get(), &[1]));
    let fin = raw.finished(&master);
    bytes.extend(raw.protect(ContentType::Handshake, &fin));
    feed_lenient(&mut s, &bytes, usize::MAX);
    assert!(s.is_handshake_complete());
    let mut ended = false;
    for _ in 0..5000 {
        let rec = raw.protect(ContentType::Handshake, &hello);
        let (_, err) = feed_lenient(&mut s, &rec, usize::MAX);
        let (_, high) = s.memory_usage();
        assert!(high <= cap, "{high} > {cap}");
        if err.is_some() {
            ended = true;
            break;
        }
    }
    // The queue of unsent warnings reaches the cap: internal_error, the session ends.
    assert!(ended, "the undrained queue never hit the cap");
    let (_, high) = s.memory_usage();
    assert!(high <= cap);
}

/// A peer that never finishes: a handshake message announced at the framer's limit and
/// dripped one byte per record, and a record announced at the largest length and dripped
/// one byte per call. Memory stays bounded; nothing completes, nothing is sent.
#[test]
fn peer_that_never_finishes() {
    let hello = client_hello_message();
    let mut s = server();
    feed_lenient(&mut s, &record(22, 0x0301, &hello), usize::MAX);
    take_out(&mut s, usize::MAX, &mut Vec::new());
    let v = s.protocol_version().get();
    // ClientKeyExchange announcing 16 KiB, then 8000 one-byte records of it.
    let mut bytes = record(22, v, &[16, 0, 0x40, 0x00]);
    for _ in 0..8000 {
        bytes.extend(record(22, v, &[0x55]));
    }
    let (evs, err) = feed_lenient(&mut s, &bytes, 977);
    assert_eq!(err, None);
    assert!(
        evs.iter().all(|e| *e == Ev::RequestRecv),
        "{:?}",
        evs.last()
    );
    assert!(s.get_outdata().is_empty());
    let (used, high) = s.memory_usage();
    assert!(high < 96 * 1024, "{used} / {high}");

    // A client's view: a Certificate announced at 64 KiB, dripped.
    let ctx = ctx();
    let mut c = ctx
        .new_client_session(client_keys(), None, 0, None, None)
        .unwrap();
    take_out(&mut c, usize::MAX, &mut Vec::new());
    let mut s2 = server();
    let mut tmp = Vec::new();
    let h = ctx
        .new_client_session(client_keys(), None, 0, None, None)
        .map(|mut x| take_out(&mut x, usize::MAX, &mut tmp))
        .unwrap();
    feed_lenient(&mut s2, &h, usize::MAX);
    let flight = take_out(&mut s2, usize::MAX, &mut Vec::new());
    let msgs = messages(&flight);
    let v = u16::from_be_bytes([flight[1], flight[2]]);
    // A ServerHello for a different client random still parses; the client checks it
    // against its own state only at Finished.
    let mut bytes = record(22, v, &msgs[0]);
    bytes.extend(record(22, v, &[11, 0x00, 0xff, 0xf0]));
    for _ in 0..3000 {
        bytes.extend(record(22, v, &[0x30; 16]));
    }
    let (evs, err) = feed_lenient(&mut c, &bytes, 4096);
    assert_eq!(err, None, "{evs:?}");
    let (used, high) = c.memory_usage();
    assert!(high < 160 * 1024, "{used} / {high}");
    assert!(!c.is_handshake_complete());

    // A record header announcing 18 KiB, dripped one byte per call.
    let mut s = server();
    let mut bytes = vec![22, 3, 1, 0x48, 0x00];
    bytes.extend(std::iter::repeat_n(0u8, 10_000));
    let (evs, err) = feed_lenient(&mut s, &bytes, 1);
    assert_eq!(err, None);
    assert!(evs.iter().all(|e| *e == Ev::RequestRecv));
    let (_, high) = s.memory_usage();
    assert!(high < 64 * 1024, "{high}");
}

/// A tight memory cap: a peer sending the largest records gets internal_error
/// (`PS_MEM_FAIL` in the API) instead of an allocation past the cap.
#[test]
fn memory_cap_is_enforced_against_large_records() {
    let cap = 12 * 1024;
    let ctx = ctx_with(|c: &mut Config| c.session_memory_cap = cap);
    let mut s = ctx.new_server_session(server_keys(), None).unwrap();
    let mut bytes = vec![22, 3, 1, 0x40, 0x00];
    bytes.extend(std::iter::repeat_n(0u8, 1 << 14));
    let (evs, err) = feed_lenient(&mut s, &bytes, 512);
    let (_, high) = s.memory_usage();
    assert!(high <= cap, "{high} > {cap}");
    // The record cannot be buffered: internal_error as soon as its header is in, then
    // the session refuses the rest.
    assert_eq!(evs.last(), Some(&Ev::RequestSend));
    assert_eq!(err, Some(Error::ProtocolFail));
    let out = take_out(&mut s, usize::MAX, &mut Vec::new());
    assert_eq!(
        plain_alert(&out),
        (2, AlertDescription::InternalError.get())
    );
}
