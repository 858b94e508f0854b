//! The DTLS handshake engine (`matrix_ssl::engine`, feature `dtls`) between a client and a
//! server engine connected by a lossless in-test driver that passes whole messages and
//! ChangeCipherSpec: full and resumed handshakes with and without a HelloVerifyRequest
//! round, for the RSA (and, when compiled in, DHE_RSA and PSK) AES suites. Every message
//! after a ChangeCipherSpec travels protected by the sender's new write state and is opened
//! by the receiver's new read state, with version 0xFEFF and `epoch << 48 | seq`. For PSK
//! the test recomputes the master secret, both Finished and the first record from the
//! messages alone (RFC 4347 section 4.2.6: the transcript covers each 12-byte header as if
//! unfragmented). Then the refusals: RC4 over DTLS, too many HelloVerifyRequests, a
//! HelloVerifyRequest after the ServerHello, TLS/DTLS context mixes.

use std::collections::VecDeque;
use std::sync::Arc;

use matrix_ssl::codec::handshake::{ClientHello, HelloVerifyRequest};
use matrix_ssl::codec::{Codec, CompressionMethod, ContentType, HandshakeType};
use matrix_ssl::engine::{self, EngineFatal, EngineOutput, HandshakeEngine, SecureRandom};
use matrix_ssl::record::{RecordDecrypter, RecordEncrypter};
use matrix_ssl::{
    AlertDescription, CipherSuite, Config, Context, Error, Keys, ProtocolVersion, SessionId,
};

const DTLS: ProtocolVersion = ProtocolVersion::DTLSv1_0;
const PSK_ID: &[u8] = b"dtls-client";
const PSK: &[u8] = &[0x5a; 20];
const AES128_SHA: u16 = 0x002f;

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../testkeys/{rel}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// A DTLS 1.0 context: these tests check DTLS 1.0's records and suites (matrix-dtls's
/// tests run both versions).
fn dtls_ctx() -> Context {
    let mut c = Config::dtls();
    c.max_version = DTLS;
    // Some tests inspect the peer's chain after the handshake.
    c.keep_peer_certificates = true;
    matrix_ssl::open(c).unwrap()
}

fn server_keys() -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_rsa_keys_mem(
        Some(&read("rsa2048/server-chain.pem")),
        Some(&read("rsa2048/server.key")),
        None,
    )
    .unwrap();
    k.load_psk(PSK_ID, PSK).unwrap();
    Arc::new(k)
}

fn client_keys() -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_rsa_keys_mem(None, None, Some(&read("rsa2048/ca.der")))
        .unwrap();
    k.load_psk(PSK_ID, PSK).unwrap();
    Arc::new(k)
}

/// One end: its engine, generator and record states, and the epochs it writes and reads.
struct End {
    eng: HandshakeEngine,
    rng: Box<dyn SecureRandom + Send>,
    enc: Option<Box<dyn RecordEncrypter>>,
    dec: Option<Box<dyn RecordDecrypter>>,
    write_epoch: u16,
    write_seq: u64,
    read_epoch: u16,
}

impl End {
    fn new(eng: HandshakeEngine, ctx: &Context) -> End {
        End {
            eng,
            rng: engine::session_rng(ctx).unwrap(),
            enc: None,
            dec: None,
            write_epoch: 0,
            write_seq: 0,
            read_epoch: 0,
        }
    }

    /// Protects `data` as one record of the current write epoch (clear in epoch 0).
    fn protect(&mut self, ct: ContentType, data: &[u8]) -> Record {
        let seq = (u64::from(self.write_epoch) << 48) | self.write_seq;
        self.write_seq += 1;
        let fragment = match self.enc.as_mut() {
            Some(enc) => {
                let mut out = Vec::new();
                enc.encrypt(seq, ct, DTLS, data, &mut *self.rng, &mut out)
                    .unwrap();
                // Short data (ChangeCipherSpec's one byte) can match its ciphertext by
                // chance; eight bytes or more match with probability 2^-64.
                if data.len() >= 8 {
                    assert_ne!(out.get(16..16 + data.len()), Some(data), "not encrypted");
                }
                out
            }
            None => data.to_vec(),
        };
        Record {
            epoch: self.write_epoch,
            seq,
            ct,
            fragment,
        }
    }

    /// Opens a record, which must be of the current read epoch.
    fn open(&mut self, mut r: Record) -> Vec<u8> {
        assert_eq!(r.epoch, self.read_epoch, "record of another epoch");
        match self.dec.as_mut() {
            Some(dec) => {
                let range = dec.decrypt(r.seq, r.ct, DTLS, &mut r.fragment).unwrap();
                r.fragment[range].to_vec()
            }
            None => r.fragment,
        }
    }
}

/// A record on the simulated wire.
#[derive(Clone)]
struct Record {
    epoch: u16,
    seq: u64,
    ct: ContentType,
    fragment: Vec<u8>,
}

/// A handshake message as the driver saw it, in order.
#[derive(Clone, Debug)]
struct Msg {
    from_client: bool,
    msg_type: HandshakeType,
    seq: u16,
    body: Vec<u8>,
}

impl Msg {
    /// The message as the transcript hashes it: the unfragmented 12-byte header and body.
    fn hashed(&self) -> Vec<u8> {
        let len = u32::try_from(self.body.len()).unwrap().to_be_bytes();
        let mut v = vec![self.msg_type.get()];
        v.extend_from_slice(&len[1..]);
        v.extend_from_slice(&self.seq.to_be_bytes());
        v.extend_from_slice(&[0, 0, 0]);
        v.extend_from_slice(&len[1..]);
        v.extend_from_slice(&self.body);
        v
    }
}

/// The test's server front end: answers the first `hvr_rounds` ClientHellos itself with a
/// HelloVerifyRequest, statelessly, as matrix-dtls will.
struct Front {
    hvr_rounds: usize,
    cookie: Vec<u8>,
    first_hello: Option<ClientHello>,
}

impl Front {
    fn new(hvr_rounds: usize) -> Front {
        Front {
            hvr_rounds,
            cookie: (1..=20).collect(),
            first_hello: None,
        }
    }
}

/// What the driver observed.
#[derive(Default)]
struct Trace {
    msgs: Vec<Msg>,
    /// The first record each side protected under its new keys (for the PSK recomputation).
    first_client_record: Option<Record>,
}

struct Pair {
    client: End,
    server: End,
    front: Front,
    trace: Trace,
}

/// Who failed, and how.
#[derive(Debug, PartialEq, Eq)]
enum Failure {
    Client(EngineFatal),
    Server(EngineFatal),
}

impl Pair {
    fn new(
        cctx: &Context,
        sctx: &Context,
        suite: u16,
        resume: Option<&SessionId>,
        hvr_rounds: usize,
    ) -> (Pair, Vec<EngineOutput>) {
        let mut crng = engine::session_rng(cctx).unwrap();
        let mut out = Vec::new();
        let ceng = HandshakeEngine::new_client(
            cctx,
            client_keys(),
            resume,
            suite,
            None,
            None,
            &mut *crng,
            &mut out,
        )
        .unwrap();
        let seng = HandshakeEngine::new_server(sctx, server_keys(), None).unwrap();
        let mut client = End::new(ceng, cctx);
        client.rng = crng;
        let pair = Pair {
            client,
            server: End::new(seng, sctx),
            front: Front::new(hvr_rounds),
            trace: Trace::default(),
        };
        (pair, out)
    }

    /// Runs the handshake to its end: every output is delivered in order.
    fn run(&mut self, first: Vec<EngineOutput>) -> Result<(), Failure> {
        let mut wire: VecDeque<(bool, Record)> = VecDeque::new();
        self.send(true, first, &mut wire);
        while let Some((from_client, rec)) = wire.pop_front() {
            let to = if from_client {
                &mut self.server
            } else {
                &mut self.client
            };
            let data = to.open(rec);
            let out = match self.deliver(from_client, data)? {
                Some(out) => out,
                None => continue,
            };
            self.send(!from_client, out, &mut wire);
        }
        Ok(())
    }

    /// One delivered record: a ChangeCipherSpec or one whole handshake message. Returns the
    /// receiver's outputs.
    fn deliver(
        &mut self,
        from_client: bool,
        data: Vec<u8>,
    ) -> Result<Option<Vec<EngineOutput>>, Failure> {
        let fail = |f| {
            if from_client {
                Failure::Server(f)
            } else {
                Failure::Client(f)
            }
        };
        let to = if from_client {
            &mut self.server
        } else {
            &mut self.client
        };
        if data == [1] {
            to.dec = Some(to.eng.handle_ccs().map_err(fail)?);
            to.read_epoch += 1;
            return Ok(None);
        }
        let msg = parse(from_client, &data);
        // The stateless front answers the first ClientHellos with a HelloVerifyRequest.
        if from_client && msg.msg_type == HandshakeType::ClientHello {
            let ch = ClientHello::read_bytes(&msg.body).unwrap();
            match &self.front.first_hello {
                None => {
                    assert_eq!(msg.seq, 0);
                    assert_eq!(ch.cookie.as_deref(), Some(&[][..]));
                    self.front.first_hello = Some(ch.clone());
                }
                Some(first) => {
                    // The same hello, with the cookie and the next message_seq.
                    assert_eq!(ch.random, first.random);
                    assert_eq!(ch.session_id, first.session_id);
                    assert_eq!(ch.cipher_suites, first.cipher_suites);
                    assert_eq!(ch.extensions, first.extensions);
                    assert_eq!(ch.cookie.as_deref(), Some(&self.front.cookie[..]));
                }
            }
            if self.front.hvr_rounds > 0 {
                self.front.hvr_rounds -= 1;
                let hvr = HelloVerifyRequest {
                    server_version: DTLS,
                    cookie: self.front.cookie.clone(),
                };
                return Ok(Some(vec![hvr_output(msg.seq, &hvr)]));
            }
            // The server starts answering at the message_seq of the hello it accepts, or
            // after its HelloRequest (RFC 6347 section 4.2.2).
            if !self.server.eng.hello_request_pending() {
                self.server.eng.set_next_message_seq(msg.seq);
            }
        }
        // Neither a HelloVerifyRequest nor the hellos it answered are in the transcript.
        if msg.msg_type != HandshakeType::HelloVerifyRequest {
            self.trace.msgs.push(msg.clone());
        }
        let mut out = Vec::new();
        let to = if from_client {
            &mut self.server
        } else {
            &mut self.client
        };
        to.eng
            .handle_message(msg.msg_type, msg.seq, &msg.body, &mut *to.rng, &mut out)
            .map_err(fail)?;
        Ok(Some(out))
    }

    /// Puts one side's outputs on the wire, switching its write epoch at ChangeCipherSpec.
    fn send(
        &mut self,
        from_client: bool,
        out: Vec<EngineOutput>,
        wire: &mut VecDeque<(bool, Record)>,
    ) {
        let end = if from_client {
            &mut self.client
        } else {
            &mut self.server
        };
        for o in out {
            match o {
                EngineOutput::Message {
                    msg_type,
                    message_seq,
                    body,
                } => {
                    let m = Msg {
                        from_client,
                        msg_type,
                        seq: message_seq,
                        body,
                    };
                    let rec = end.protect(ContentType::Handshake, &m.hashed());
                    if from_client
                        && end.write_epoch == 1
                        && self.trace.first_client_record.is_none()
                    {
                        self.trace.first_client_record = Some(rec.clone());
                    }
                    wire.push_back((from_client, rec));
                }
                EngineOutput::ChangeCipherSpec(enc) => {
                    let rec = end.protect(ContentType::ChangeCipherSpec, &[1]);
                    wire.push_back((from_client, rec));
                    end.enc = Some(enc);
                    end.write_epoch += 1;
                    end.write_seq = 0;
                }
                EngineOutput::WarningAlert(a) => panic!("unexpected warning {a:?}"),
                _ => panic!("unknown output"),
            }
        }
    }

    /// After the handshake: application data both ways under the new epoch.
    fn exchange_data(&mut self) {
        self.exchange_data_in(1);
    }

    /// Application data both ways under write epoch `epoch`.
    fn exchange_data_in(&mut self, epoch: u16) {
        for (from, to) in [(0, 1), (1, 0)] {
            let payload = format!("data from {from} to {to}").into_bytes();
            let (a, b) = if from == 0 {
                (&mut self.client, &mut self.server)
            } else {
                (&mut self.server, &mut self.client)
            };
            let rec = a.protect(ContentType::ApplicationData, &payload);
            assert_eq!(rec.epoch, epoch);
            assert_eq!(b.open(rec), payload);
        }
    }
}

/// The front end's HelloVerifyRequest, answering the ClientHello of `message_seq` `seq`.
fn hvr_output(seq: u16, hvr: &HelloVerifyRequest) -> EngineOutput {
    EngineOutput::Message {
        msg_type: HandshakeType::HelloVerifyRequest,
        message_seq: seq,
        body: hvr.get_encoding(),
    }
}

/// Splits a whole unfragmented message at its 12-byte header, checking the header.
fn parse(from_client: bool, data: &[u8]) -> Msg {
    assert!(data.len() >= 12);
    let len = u32::from_be_bytes([0, data[1], data[2], data[3]]) as usize;
    assert_eq!(&data[6..9], &[0, 0, 0], "fragment_offset");
    assert_eq!(&data[9..12], &data[1..4], "fragment_length");
    assert_eq!(data.len(), 12 + len);
    Msg {
        from_client,
        msg_type: HandshakeType::from(data[0]),
        seq: u16::from_be_bytes([data[4], data[5]]),
        body: data[12..].to_vec(),
    }
}

/// A full handshake, then a resumed one on the same contexts; both exchange data.
fn full_and_resumed(suite: u16, hvr_rounds: usize) {
    let (cctx, sctx) = (dtls_ctx(), dtls_ctx());
    let (mut p, first) = Pair::new(&cctx, &sctx, suite, None, hvr_rounds);
    p.run(first).unwrap();
    assert!(p.client.eng.is_complete() && p.server.eng.is_complete());
    assert_eq!(p.client.eng.cipher_suite(), Some(CipherSuite::from(suite)));
    assert_eq!(p.server.eng.cipher_suite(), Some(CipherSuite::from(suite)));
    assert_eq!(p.client.eng.protocol_version(), DTLS);
    assert_eq!(p.server.eng.protocol_version(), DTLS);
    assert!(!p.client.eng.is_resumed());
    check_message_seqs(&p.trace.msgs, hvr_rounds);
    p.exchange_data();
    let sid = p.client.eng.session_id().expect("resumable");
    assert_eq!(sid.protocol_version(), DTLS);

    let (mut r, first) = Pair::new(&cctx, &sctx, suite, Some(&sid), hvr_rounds);
    r.run(first).unwrap();
    assert!(r.client.eng.is_resumed() && r.server.eng.is_resumed());
    assert!(r.client.eng.is_complete() && r.server.eng.is_complete());
    let types: Vec<_> = r.trace.msgs.iter().map(|m| m.msg_type).collect();
    assert_eq!(
        types,
        [
            HandshakeType::ClientHello,
            HandshakeType::ServerHello,
            HandshakeType::Finished,
            HandshakeType::Finished
        ]
    );
    check_message_seqs(&r.trace.msgs, hvr_rounds);
    r.exchange_data();
}

/// Each side numbers its messages from where it starts: the client from the number of
/// HelloVerifyRequests it answered, the server from the hello it accepted.
fn check_message_seqs(msgs: &[Msg], hvr_rounds: usize) {
    for from_client in [true, false] {
        let seqs: Vec<u16> = msgs
            .iter()
            .filter(|m| m.from_client == from_client)
            .map(|m| m.seq)
            .collect();
        let start = hvr_rounds as u16;
        let want: Vec<u16> = (start..start + seqs.len() as u16).collect();
        assert_eq!(seqs, want, "client: {from_client}");
    }
}

#[test]
fn rsa_aes128_full_and_resumed() {
    full_and_resumed(AES128_SHA, 0);
}

#[test]
fn rsa_aes256_full_and_resumed_after_hello_verify() {
    full_and_resumed(0x0035, 1);
}

#[test]
fn rsa_two_hello_verify_rounds() {
    full_and_resumed(AES128_SHA, 2);
}

#[test]
fn every_suite_offered_is_allowed_in_dtls() {
    let ctx = dtls_ctx();
    let mut rng = engine::session_rng(&ctx).unwrap();
    let mut out = Vec::new();
    HandshakeEngine::new_client(
        &ctx,
        client_keys(),
        None,
        0,
        None,
        None,
        &mut *rng,
        &mut out,
    )
    .unwrap();
    let [
        EngineOutput::Message {
            msg_type: HandshakeType::ClientHello,
            message_seq: 0,
            body,
        },
    ] = out.as_slice()
    else {
        panic!("{out:?}")
    };
    let ch = ClientHello::read_bytes(body).unwrap();
    assert_eq!(ch.client_version, DTLS);
    assert_eq!(ch.cookie, Some(Vec::new()));
    assert!(ch.cipher_suites.contains(&CipherSuite::from(AES128_SHA)));
    for s in &ch.cipher_suites {
        let info = matrix_ssl::suites::lookup(*s);
        assert!(info.is_none_or(|i| i.is_cbc()), "{s:?} offered over DTLS");
    }
}

#[cfg(feature = "tls-dhe-rsa-with-aes-128-cbc-sha")]
#[test]
fn dhe_rsa_aes128_full_and_resumed() {
    full_and_resumed(0x0033, 0);
    full_and_resumed(0x0033, 1);
}

#[cfg(feature = "tls-dhe-rsa-with-aes-256-cbc-sha")]
#[test]
fn dhe_rsa_aes256_full_and_resumed() {
    full_and_resumed(0x0039, 1);
}

#[cfg(feature = "tls-psk-with-aes-256-cbc-sha")]
#[test]
fn psk_aes256_full_and_resumed() {
    full_and_resumed(0x008d, 1);
}

#[cfg(feature = "tls-dhe-psk-with-aes-128-cbc-sha")]
#[test]
fn dhe_psk_aes128_full_and_resumed() {
    full_and_resumed(0x0090, 0);
}

/// The PSK recomputation: needs TLS_PSK_WITH_AES_128_CBC_SHA compiled in.
#[cfg(feature = "tls-psk-with-aes-128-cbc-sha")]
mod recomputed {
    use super::*;
    use matrix_ssl::codec::ExtensionType;
    use matrix_ssl::codec::handshake::ServerHello;

    /// The TLS PRF, written out from RFC 2246 section 5 over matrix-crypto's HMAC.
    mod oracle {
        use matrix_crypto::hash::{Hash, Md5, Sha1};
        use matrix_crypto::mac::Hmac;

        fn p_hash<H: Hash>(secret: &[u8], seed: &[u8], len: usize) -> Vec<u8> {
            let mut out = Vec::new();
            let mut a = Hmac::<H>::mac(secret, seed).as_ref().to_vec();
            while out.len() < len {
                out.extend_from_slice(Hmac::<H>::mac(secret, &[&a[..], seed].concat()).as_ref());
                a = Hmac::<H>::mac(secret, &a).as_ref().to_vec();
            }
            out.truncate(len);
            out
        }

        pub fn prf(secret: &[u8], label: &[u8], seed: &[u8], len: usize) -> Vec<u8> {
            let half = secret.len().div_ceil(2);
            let s = [label, seed].concat();
            let md5 = p_hash::<Md5>(&secret[..half], &s, len);
            let sha = p_hash::<Sha1>(&secret[secret.len() - half..], &s, len);
            md5.iter().zip(&sha).map(|(a, b)| a ^ b).collect()
        }

        pub fn md5_sha1(data: &[u8]) -> Vec<u8> {
            [Md5::digest(data).as_ref(), Sha1::digest(data).as_ref()].concat()
        }

        pub fn hmac_sha1(key: &[u8], data: &[u8]) -> Vec<u8> {
            Hmac::<Sha1>::mac(key, data).as_ref().to_vec()
        }
    }

    /// PSK with AES-128: the master secret, both Finished messages and the client's first
    /// protected record recomputed here from the messages the driver saw, with each message
    /// hashed with its 12-byte DTLS header (with and without a HelloVerifyRequest round, which
    /// must not be hashed).
    #[test]
    fn psk_transcript_finished_and_record_recomputed() {
        for hvr_rounds in [0, 1] {
            let (cctx, sctx) = (dtls_ctx(), dtls_ctx());
            let (mut p, first) = Pair::new(&cctx, &sctx, 0x008c, None, hvr_rounds);
            p.run(first).unwrap();
            p.exchange_data();
            let msgs = &p.trace.msgs;
            let types: Vec<_> = msgs.iter().map(|m| m.msg_type).collect();
            assert_eq!(
                types,
                [
                    HandshakeType::ClientHello,
                    HandshakeType::ServerHello,
                    HandshakeType::ServerHelloDone,
                    HandshakeType::ClientKeyExchange,
                    HandshakeType::Finished,
                    HandshakeType::Finished
                ]
            );
            let ch = ClientHello::read_bytes(&msgs[0].body).unwrap();
            let sh = ServerHello::read_bytes(&msgs[1].body).unwrap();
            let hashed = |n: usize| -> Vec<u8> { msgs[..n].iter().flat_map(Msg::hashed).collect() };
            let mut pms = vec![0, PSK.len() as u8];
            pms.extend_from_slice(&[0; 20]);
            pms.extend_from_slice(&[0, PSK.len() as u8]);
            pms.extend_from_slice(PSK);
            let ems = sh.extension(ExtensionType::from(23)).is_some();
            let master = if ems {
                oracle::prf(
                    &pms,
                    b"extended master secret",
                    &oracle::md5_sha1(&hashed(4)),
                    48,
                )
            } else {
                let seed = [&ch.random[..], &sh.random[..]].concat();
                oracle::prf(&pms, b"master secret", &seed, 48)
            };
            let client_fin = oracle::prf(
                &master,
                b"client finished",
                &oracle::md5_sha1(&hashed(4)),
                12,
            );
            assert_eq!(msgs[4].body, client_fin, "client Finished");
            let server_fin = oracle::prf(
                &master,
                b"server finished",
                &oracle::md5_sha1(&hashed(5)),
                12,
            );
            assert_eq!(msgs[5].body, server_fin, "server Finished");

            // The client's Finished record: epoch 1, seq 0, AES-128-CBC with HMAC-SHA1 keyed
            // from the key block, the MAC over epoch || seq || type || 0xFEFF || length.
            let kb = oracle::prf(
                &master,
                b"key expansion",
                &[&sh.random[..], &ch.random[..]].concat(),
                2 * (20 + 16),
            );
            let (mac_key, key) = (&kb[..20], &kb[40..56]);
            let rec = p.trace.first_client_record.clone().unwrap();
            assert_eq!((rec.epoch, rec.seq), (1, 1 << 48));
            let etm = sh.extension(ExtensionType::from(22)).is_some();
            let frag = rec.fragment;
            let mac_header = |len: usize| {
                let mut h = (1u64 << 48).to_be_bytes().to_vec();
                h.push(ContentType::Handshake.get());
                h.extend_from_slice(&[0xfe, 0xff]);
                h.extend_from_slice(&(len as u16).to_be_bytes());
                h
            };
            let cbc = matrix_crypto::cipher::CbcCipher::new(
                matrix_crypto::cipher::BlockAlgorithm::Aes128,
                key,
            )
            .unwrap();
            let plain = if etm {
                let (body, tag) = frag.split_at(frag.len() - 20);
                let authed = [&mac_header(body.len())[..], body].concat();
                assert_eq!(
                    oracle::hmac_sha1(mac_key, &authed),
                    tag,
                    "encrypt-then-MAC tag"
                );
                let (iv, ct) = body.split_at(16);
                let mut data = ct.to_vec();
                cbc.decrypt(&mut iv.to_vec(), &mut data).unwrap();
                let pad = usize::from(*data.last().unwrap());
                data.truncate(data.len() - pad - 1);
                data
            } else {
                let (iv, ct) = frag.split_at(16);
                let mut data = ct.to_vec();
                cbc.decrypt(&mut iv.to_vec(), &mut data).unwrap();
                let pad = usize::from(*data.last().unwrap());
                data.truncate(data.len() - pad - 1);
                let (plain, tag) = data.split_at(data.len() - 20);
                let authed = [&mac_header(plain.len())[..], plain].concat();
                assert_eq!(oracle::hmac_sha1(mac_key, &authed), tag, "record MAC");
                plain.to_vec()
            };
            assert_eq!(plain, msgs[4].hashed(), "the Finished record's plaintext");
        }
    }
}

/// A version-0xFEFF record under keys derived for DTLS: the MAC covers the full 64-bit
/// `epoch || seq`, so a record replayed under another epoch does not open.
#[test]
fn record_mac_covers_the_epoch() {
    let (cctx, sctx) = (dtls_ctx(), dtls_ctx());
    let (mut p, first) = Pair::new(&cctx, &sctx, AES128_SHA, None, 0);
    p.run(first).unwrap();
    let mut rec = p.client.protect(ContentType::ApplicationData, b"epoch");
    let dec = p.server.dec.as_mut().unwrap();
    let mut copy = rec.fragment.clone();
    assert!(
        dec.decrypt(rec.seq ^ (3 << 48), rec.ct, DTLS, &mut copy)
            .is_err()
    );
    let mut copy = rec.fragment.clone();
    assert!(
        dec.decrypt(rec.seq, rec.ct, ProtocolVersion::TLSv1_1, &mut copy)
            .is_err()
    );
    let range = dec
        .decrypt(rec.seq, rec.ct, DTLS, &mut rec.fragment)
        .unwrap();
    assert_eq!(&rec.fragment[range], b"epoch");
}

#[test]
fn rc4_is_refused_over_dtls() {
    let ctx = dtls_ctx();
    let mut rng = engine::session_rng(&ctx).unwrap();
    let mut out = Vec::new();
    for rc4 in [0x0004u16, 0x0005] {
        let r = HandshakeEngine::new_client(
            &ctx,
            client_keys(),
            None,
            rc4,
            None,
            None,
            &mut *rng,
            &mut out,
        );
        assert_eq!(r.unwrap_err(), Error::UnsupportedFail);
    }
    assert!(out.is_empty());
    // A server offered only RC4 has nothing to choose.
    let mut server = HandshakeEngine::new_server(&ctx, server_keys(), None).unwrap();
    let ch = ClientHello {
        client_version: DTLS,
        random: [7; 32],
        session_id: Vec::new(),
        cookie: Some(Vec::new()),
        cipher_suites: vec![CipherSuite::from(0x0005), CipherSuite::from(0x0004)],
        compression_methods: vec![CompressionMethod::Null],
        extensions: None,
    };
    let err = server
        .handle_message(
            HandshakeType::ClientHello,
            0,
            &ch.get_encoding(),
            &mut *rng,
            &mut out,
        )
        .unwrap_err();
    assert_eq!(err.alert, AlertDescription::HandshakeFailure);
    assert!(out.is_empty());
}

#[test]
fn too_many_hello_verify_requests_are_fatal() {
    let (cctx, sctx) = (dtls_ctx(), dtls_ctx());
    let (mut p, first) = Pair::new(&cctx, &sctx, AES128_SHA, None, 6);
    let err = p.run(first).unwrap_err();
    assert_eq!(
        err,
        Failure::Client(EngineFatal {
            alert: AlertDescription::HandshakeFailure,
            error: Error::ProtocolFail,
        })
    );
    // Five were answered: hellos 0 to 5.
    assert_eq!(p.front.hvr_rounds, 0);
    assert!(p.trace.msgs.is_empty());
    // Five rounds are still fine.
    full_and_resumed(AES128_SHA, 5);
}

#[test]
fn hello_verify_request_after_server_hello_is_unexpected() {
    let (cctx, sctx) = (dtls_ctx(), dtls_ctx());
    let (mut p, first) = Pair::new(&cctx, &sctx, AES128_SHA, None, 0);
    let EngineOutput::Message { body, .. } = &first[0] else {
        panic!()
    };
    let mut out = Vec::new();
    p.server
        .eng
        .handle_message(
            HandshakeType::ClientHello,
            0,
            body,
            &mut *p.server.rng,
            &mut out,
        )
        .unwrap();
    let EngineOutput::Message {
        msg_type: HandshakeType::ServerHello,
        message_seq: 0,
        body: sh,
    } = &out[0]
    else {
        panic!("{out:?}")
    };
    let mut cout = Vec::new();
    p.client
        .eng
        .handle_message(
            HandshakeType::ServerHello,
            0,
            sh,
            &mut *p.client.rng,
            &mut cout,
        )
        .unwrap();
    let hvr = HelloVerifyRequest {
        server_version: DTLS,
        cookie: vec![1, 2, 3],
    };
    let err = p
        .client
        .eng
        .handle_message(
            HandshakeType::HelloVerifyRequest,
            1,
            &hvr.get_encoding(),
            &mut *p.client.rng,
            &mut cout,
        )
        .unwrap_err();
    assert_eq!(err.alert, AlertDescription::UnexpectedMessage);
    assert!(cout.is_empty());
    // Nothing is accepted after a failure.
    let err = p
        .client
        .eng
        .handle_message(
            HandshakeType::ServerHelloDone,
            2,
            &[],
            &mut *p.client.rng,
            &mut cout,
        )
        .unwrap_err();
    assert_eq!(err.alert, AlertDescription::UnexpectedMessage);
}

#[test]
fn hello_verify_request_with_a_tls_version_is_refused() {
    let ctx = dtls_ctx();
    let mut rng = engine::session_rng(&ctx).unwrap();
    let mut out = Vec::new();
    let mut c = HandshakeEngine::new_client(
        &ctx,
        client_keys(),
        None,
        0,
        None,
        None,
        &mut *rng,
        &mut out,
    )
    .unwrap();
    let hvr = HelloVerifyRequest {
        server_version: ProtocolVersion::TLSv1_1,
        cookie: vec![9; 32],
    };
    let err = c
        .handle_message(
            HandshakeType::HelloVerifyRequest,
            0,
            &hvr.get_encoding(),
            &mut *rng,
            &mut out,
        )
        .unwrap_err();
    assert_eq!(err.alert, AlertDescription::ProtocolVersion);
    // A cookie over 32 bytes does not decode.
    let mut c = HandshakeEngine::new_client(
        &ctx,
        client_keys(),
        None,
        0,
        None,
        None,
        &mut *rng,
        &mut out,
    )
    .unwrap();
    let mut body = vec![0xfe, 0xff, 33];
    body.extend_from_slice(&[0; 33]);
    let err = c
        .handle_message(
            HandshakeType::HelloVerifyRequest,
            0,
            &body,
            &mut *rng,
            &mut out,
        )
        .unwrap_err();
    assert!(matches!(
        err.alert,
        AlertDescription::DecodeError | AlertDescription::IllegalParameter
    ));
}

#[test]
fn server_refuses_a_tls_client_hello() {
    let ctx = dtls_ctx();
    let mut rng = engine::session_rng(&ctx).unwrap();
    let mut out = Vec::new();
    let mut server = HandshakeEngine::new_server(&ctx, server_keys(), None).unwrap();
    let ch = ClientHello {
        client_version: ProtocolVersion::TLSv1_1,
        random: [7; 32],
        session_id: Vec::new(),
        cookie: None,
        cipher_suites: vec![CipherSuite::from(AES128_SHA)],
        compression_methods: vec![CompressionMethod::Null],
        extensions: None,
    };
    let err = server
        .handle_message(
            HandshakeType::ClientHello,
            0,
            &ch.get_encoding(),
            &mut *rng,
            &mut out,
        )
        .unwrap_err();
    assert_eq!(err.alert, AlertDescription::ProtocolVersion);
}

#[test]
fn contexts_are_tls_or_dtls() {
    let tls = matrix_ssl::open(Config::default()).unwrap();
    assert!(!tls.is_dtls());
    let dtls = dtls_ctx();
    assert!(dtls.is_dtls());
    assert_eq!(dtls.versions(), [DTLS]);
    // `Config::dtls()` itself has DTLS 1.2 too where TLS 1.2 is compiled in (oldest first).
    let both = matrix_ssl::open(Config::dtls()).unwrap();
    if cfg!(feature = "tls-1-2") {
        assert_eq!(both.versions(), [DTLS, ProtocolVersion::DTLSv1_2]);
    } else {
        assert_eq!(both.versions(), [DTLS]);
    }
    // DTLS 1.2 alone: the versions count down, and the range still holds it.
    let mut only12 = Config::dtls();
    only12.min_version = ProtocolVersion::DTLSv1_2;
    let only12 = matrix_ssl::open(only12);
    if cfg!(feature = "tls-1-2") {
        assert_eq!(only12.unwrap().versions(), [ProtocolVersion::DTLSv1_2]);
    } else {
        assert_eq!(only12.unwrap_err(), Error::ArgFail);
    }
    let mut rng = engine::session_rng(&tls).unwrap();
    let mut out = Vec::new();
    let r = HandshakeEngine::new_client(
        &tls,
        client_keys(),
        None,
        0,
        None,
        None,
        &mut *rng,
        &mut out,
    );
    assert_eq!(r.unwrap_err(), Error::ArgFail);
    assert_eq!(
        HandshakeEngine::new_server(&tls, server_keys(), None).unwrap_err(),
        Error::ArgFail
    );
    assert_eq!(
        dtls.new_client_session(client_keys(), None, 0, None, None)
            .unwrap_err(),
        Error::ArgFail
    );
    assert_eq!(
        dtls.new_server_session(server_keys(), None).unwrap_err(),
        Error::ArgFail
    );
    // A range spanning TLS and DTLS numbers is refused.
    let mut mixed = Config::default();
    mixed.max_version = DTLS;
    assert_eq!(matrix_ssl::open(mixed).unwrap_err(), Error::ArgFail);
    // The TLS default is unchanged.
    assert!(tls.versions().iter().all(|v| !v.is_dtls()));
}

#[test]
fn server_failure_forgets_the_cached_session() {
    let (cctx, sctx) = (dtls_ctx(), dtls_ctx());
    let (mut p, first) = Pair::new(&cctx, &sctx, AES128_SHA, None, 0);
    p.run(first).unwrap();
    assert_eq!(sctx.cached_sessions(), 1);
    // A completed server fails on a message it cannot take.
    let mut out = Vec::new();
    let err = p
        .server
        .eng
        .handle_message(
            HandshakeType::Finished,
            9,
            &[0; 12],
            &mut *p.server.rng,
            &mut out,
        )
        .unwrap_err();
    assert_eq!(err.alert, AlertDescription::UnexpectedMessage);
    assert_eq!(sctx.cached_sessions(), 0);
}

/// A client re-handshake (RFC 5746) over the established epoch: full, then resuming the
/// session; each side numbers the new handshake's messages from 0, and the new keys are
/// epoch 2.
#[cfg(feature = "secure-rehandshakes")]
#[test]
fn client_renegotiates_under_the_current_epoch() {
    for full in [true, false] {
        let (cctx, sctx) = (dtls_ctx(), dtls_ctx());
        let (mut p, first) = Pair::new(&cctx, &sctx, AES128_SHA, None, 0);
        p.run(first).unwrap();
        p.exchange_data();
        let mut out = Vec::new();
        assert!(
            p.client
                .eng
                .renegotiate(None, None, full, 0, &mut *p.client.rng, &mut out)
                .unwrap()
        );
        assert!(!p.client.eng.is_complete());
        p.front = Front::new(0);
        p.trace = Trace::default();
        p.run(out).unwrap();
        assert!(p.client.eng.is_complete() && p.server.eng.is_complete());
        assert_eq!(p.client.eng.is_resumed(), !full);
        assert_eq!(p.server.eng.is_resumed(), !full);
        assert!(p.client.eng.secure_renegotiation() && p.server.eng.secure_renegotiation());
        check_message_seqs(&p.trace.msgs, 0);
        p.exchange_data_in(2);
    }
}

/// A client's re-handshake ClientHello carries the cookie of the connection's
/// HelloVerifyRequest again (OpenSSL's servers need it; ours ignore it), also in the
/// re-handshake after that.
#[cfg(feature = "secure-rehandshakes")]
#[test]
fn a_renegotiating_client_hello_carries_the_cookie() {
    let (cctx, sctx) = (dtls_ctx(), dtls_ctx());
    let (mut p, first) = Pair::new(&cctx, &sctx, AES128_SHA, None, 1);
    p.run(first).unwrap();
    let cookie = p.front.cookie.clone();
    for _ in 0..2 {
        let mut out = Vec::new();
        assert!(
            p.client
                .eng
                .renegotiate(None, None, false, 0, &mut *p.client.rng, &mut out)
                .unwrap()
        );
        let [EngineOutput::Message { body, .. }] = out.as_slice() else {
            panic!("{out:?}");
        };
        let ch = ClientHello::read_bytes(body).unwrap();
        assert_eq!(ch.cookie.as_deref(), Some(&cookie[..]));
        // The test's front expects the first hello of a handshake without one.
        p.front = Front::new(0);
        p.front.first_hello = Some(ch);
        p.run(out).unwrap();
        assert!(p.client.eng.is_complete() && p.server.eng.is_resumed());
    }
}

/// A server re-handshake: a HelloRequest with message_seq 0 (hashed by nobody), the
/// client's ClientHello with 0, and the server's answer numbered from 1 (RFC 6347 section
/// 4.2.2); full when the server asks for it, else resuming the session the client offers.
#[cfg(feature = "secure-rehandshakes")]
#[test]
fn server_renegotiates_with_a_hello_request() {
    for full in [true, false] {
        let (cctx, sctx) = (dtls_ctx(), dtls_ctx());
        let (mut p, first) = Pair::new(&cctx, &sctx, AES128_SHA, None, 0);
        p.run(first).unwrap();
        p.exchange_data();
        let mut out = Vec::new();
        assert!(
            p.server
                .eng
                .renegotiate(None, None, full, 0, &mut *p.server.rng, &mut out)
                .unwrap()
        );
        assert!(p.server.eng.hello_request_pending());
        assert!(
            p.server.eng.is_complete(),
            "established until the ClientHello"
        );
        let [
            EngineOutput::Message {
                msg_type: HandshakeType::HelloRequest,
                message_seq: 0,
                body,
            },
        ] = out.as_slice()
        else {
            panic!("{out:?}");
        };
        assert!(body.is_empty());
        let mut answer = Vec::new();
        p.client
            .eng
            .handle_message(
                HandshakeType::HelloRequest,
                0,
                &[],
                &mut *p.client.rng,
                &mut answer,
            )
            .unwrap();
        assert!(matches!(
            answer.as_slice(),
            [EngineOutput::Message {
                msg_type: HandshakeType::ClientHello,
                message_seq: 0,
                ..
            }]
        ));
        p.front = Front::new(0);
        p.trace = Trace::default();
        p.run(answer).unwrap();
        assert!(!p.server.eng.hello_request_pending());
        assert!(p.client.eng.is_complete() && p.server.eng.is_complete());
        assert_eq!(p.client.eng.is_resumed(), !full);
        assert_eq!(p.server.eng.is_resumed(), !full);
        for (from_client, start) in [(true, 0u16), (false, 1)] {
            let seqs: Vec<u16> = p
                .trace
                .msgs
                .iter()
                .filter(|m| m.from_client == from_client)
                .map(|m| m.seq)
                .collect();
            let want: Vec<u16> = (start..start + seqs.len() as u16).collect();
            assert_eq!(seqs, want, "client: {from_client}");
        }
        p.exchange_data_in(2);
    }
}

/// Client authentication over DTLS: CertificateRequest, the client's Certificate and
/// CertificateVerify (signed over the transcript with DTLS headers), checked by the server.
#[cfg(feature = "client-auth")]
#[test]
fn client_authentication() {
    use std::sync::Mutex;
    let (cctx, sctx) = (dtls_ctx(), dtls_ctx());
    let mut ck = Keys::new();
    ck.load_rsa_keys_mem(
        Some(&read("rsa2048/client-chain.pem")),
        Some(&read("rsa2048/client.key")),
        Some(&read("rsa2048/ca.der")),
    )
    .unwrap();
    let mut sk = Keys::new();
    sk.load_rsa_keys_mem(
        Some(&read("rsa2048/server-chain.pem")),
        Some(&read("rsa2048/server.key")),
        Some(&read("rsa2048/ca.der")),
    )
    .unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = Arc::clone(&seen);
    let validator: matrix_ssl::CertValidator = Box::new(move |_, chain, alert| {
        seen2.lock().unwrap().push((chain.certs().len(), alert));
        matrix_ssl::Verdict::Continue
    });
    let mut crng = engine::session_rng(&cctx).unwrap();
    let mut first = Vec::new();
    let ceng = HandshakeEngine::new_client(
        &cctx,
        Arc::new(ck),
        None,
        AES128_SHA,
        None,
        None,
        &mut *crng,
        &mut first,
    )
    .unwrap();
    let seng = HandshakeEngine::new_server(&sctx, Arc::new(sk), Some(validator)).unwrap();
    let mut client = End::new(ceng, &cctx);
    client.rng = crng;
    let mut p = Pair {
        client,
        server: End::new(seng, &sctx),
        front: Front::new(1),
        trace: Trace::default(),
    };
    p.run(first).unwrap();
    let types: Vec<_> = p.trace.msgs.iter().map(|m| m.msg_type).collect();
    assert_eq!(
        types,
        [
            HandshakeType::ClientHello,
            HandshakeType::ServerHello,
            HandshakeType::Certificate,
            HandshakeType::CertificateRequest,
            HandshakeType::ServerHelloDone,
            HandshakeType::Certificate,
            HandshakeType::ClientKeyExchange,
            HandshakeType::CertificateVerify,
            HandshakeType::Finished,
            HandshakeType::Finished
        ]
    );
    check_message_seqs(&p.trace.msgs, 1);
    assert_eq!(seen.lock().unwrap().as_slice(), [(2, None)]);
    assert!(p.server.eng.peer_certificates().is_some());
    p.exchange_data();
}

/// Hostile input: random bodies under every message type, at every point of a real
/// handshake, never panic: each is refused with a fatal alert or, for the few bodies that
/// decode, accepted or refused as the state allows.
#[test]
fn random_messages_never_panic() {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let (cctx, sctx) = (dtls_ctx(), dtls_ctx());
    // A real handshake's messages, to replay up to a point.
    let (mut p, first) = Pair::new(&cctx, &sctx, AES128_SHA, None, 0);
    p.run(first).unwrap();
    let script = p.trace.msgs.clone();
    for round in 0..400 {
        let (mut q, _) = Pair::new(&cctx, &sctx, AES128_SHA, None, 0);
        let depth = (next() as usize) % 3;
        let mut out = Vec::new();
        // Feed the server its first `depth` client messages, or the client its first
        // server messages (in the clear: this is about parsing, not keys).
        let to_server = round % 2 == 0;
        let target = if to_server {
            &mut q.server
        } else {
            &mut q.client
        };
        for m in script
            .iter()
            .filter(|m| m.from_client == to_server)
            .take(depth)
        {
            if target
                .eng
                .handle_message(m.msg_type, m.seq, &m.body, &mut *target.rng, &mut out)
                .is_err()
            {
                break;
            }
        }
        let len = (next() as usize) % 300;
        let mut body: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        // Sometimes a plausible prefix: a DTLS version, small lengths.
        if round % 3 == 0 && body.len() > 3 {
            body[0] = 0xfe;
            body[1] = 0xff;
            body[2] %= 40;
        }
        let msg_type = HandshakeType::from((next() % 24) as u8);
        let seq = (next() % 8) as u16;
        let r = target
            .eng
            .handle_message(msg_type, seq, &body, &mut *target.rng, &mut out);
        if let Err(e) = r {
            assert_ne!(e.alert, AlertDescription::CloseNotify);
        }
    }
}
