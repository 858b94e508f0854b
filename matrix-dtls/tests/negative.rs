//! What a DTLS session does with what it should not accept: replayed, forged and
//! corrupted records are dropped without an alert (RFC 4347 sections 4.1.2.1 and
//! 4.1.2.5), a forged cookie gets another HelloVerifyRequest and no handshake state,
//! malformed handshake fragments are dropped in the clear epoch, and a peer cannot make the
//! reassembler buffer more than its bound.

mod support;

use matrix_dtls::fragment::{ReassemblyLimits, encode_fragment, parse_fragments};
use matrix_dtls::record::records;
use matrix_ssl::codec::handshake::{ClientHello, DtlsHandshakeHeader};
use matrix_ssl::codec::record::DtlsRecordHeader;
use matrix_ssl::codec::{Codec, ContentType, HandshakeType, ProtocolVersion};
use matrix_ssl::{Error, Received};
use support::*;

fn established(seed: u64) -> Pair {
    let ctx = ctx();
    let client = ctx
        .new_client_session(client_keys(), None, 0, None, None)
        .unwrap();
    let server = ctx
        .new_server_session(server_keys(), None, CLIENT_ADDR)
        .unwrap();
    let mut p = Pair::new(client, server, NetParams::LOSSLESS, seed);
    p.handshake(100);
    p.cev.clear();
    p.sev.clear();
    p
}

/// A plaintext (epoch 0) record carrying `fragments`.
fn clear_record(seq: u64, payload: &[u8], ct: ContentType) -> Vec<u8> {
    let mut out = Vec::new();
    DtlsRecordHeader {
        content_type: ct,
        version: ProtocolVersion::DTLSv1_0,
        epoch: 0,
        sequence_number: seq,
        length: payload.len() as u16,
    }
    .encode(&mut out);
    out.extend_from_slice(payload);
    out
}

fn app_datagram(p: &mut Pair, msg: &[u8]) -> Vec<u8> {
    p.client.encode_to_outdata(msg).unwrap();
    let mut ev = Vec::new();
    let dgs = drain(&mut p.client, &mut ev);
    assert_eq!(dgs.len(), 1);
    dgs.into_iter().next().unwrap()
}

#[test]
fn replayed_record_is_dropped() {
    let mut p = established(1);
    let dg = app_datagram(&mut p, b"once");
    feed(&mut p.server, &dg, &mut p.sev);
    assert_eq!(p.sev, [Ev::AppData(b"once".to_vec())]);
    for _ in 0..3 {
        feed(&mut p.server, &dg, &mut p.sev);
    }
    assert_eq!(p.sev.len(), 1, "the replays were delivered: {:?}", p.sev);
    // A later record still gets through, and an older one than the window is refused
    // even if never seen.
    let dg2 = app_datagram(&mut p, b"twice");
    feed(&mut p.server, &dg2, &mut p.sev);
    assert_eq!(p.sev.last(), Some(&Ev::AppData(b"twice".to_vec())));
}

#[test]
fn old_records_below_the_window_are_dropped() {
    let mut p = established(2);
    let first = app_datagram(&mut p, b"late");
    let mut last = Vec::new();
    for i in 0..70 {
        last = app_datagram(&mut p, format!("m{i}").as_bytes());
    }
    feed(&mut p.server, &last, &mut p.sev);
    feed(&mut p.server, &first, &mut p.sev);
    assert_eq!(p.sev, [Ev::AppData(b"m69".to_vec())]);
}

#[test]
fn corrupted_and_wrong_epoch_records_are_dropped_silently() {
    let mut p = established(3);
    let dg = app_datagram(&mut p, b"data");
    for pos in [13usize, 20, dg.len() - 1] {
        let mut bad = dg.clone();
        bad[pos] ^= 0x40;
        let buf = p.server.get_readbuf();
        buf[..bad.len()].copy_from_slice(&bad);
        let r = p.server.received_data(bad.len()).unwrap();
        assert_eq!(r, Received::RequestRecv, "a bad record is no alert");
        assert!(!p.server.has_outdata());
    }
    // The same record claiming epoch 2.
    let mut bad = dg.clone();
    bad[4] = 2;
    feed(&mut p.server, &bad, &mut p.sev);
    assert!(p.sev.is_empty());
    // The genuine record still authenticates: the failures did not move the window.
    feed(&mut p.server, &dg, &mut p.sev);
    assert_eq!(p.sev, [Ev::AppData(b"data".to_vec())]);
}

#[test]
fn several_records_in_one_datagram_and_truncation() {
    let mut p = established(4);
    let a = app_datagram(&mut p, b"first");
    let b = app_datagram(&mut p, b"second");
    let c = app_datagram(&mut p, b"third");
    let mut joined = [a, b].concat();
    feed(&mut p.server, &joined, &mut p.sev);
    assert_eq!(
        p.sev,
        [
            Ev::AppData(b"first".to_vec()),
            Ev::AppData(b"second".to_vec())
        ]
    );
    p.sev.clear();
    // A record cut short by the end of its datagram is dropped. (A truncated record
    // followed by more bytes cannot be told apart from a whole record whose last bytes
    // are wrong: the header's length reads into the next record. That case is the
    // forged record below; the test once spliced the two and passed by chance whenever
    // the record's last byte equalled the next record's content type.)
    feed(&mut p.server, &c[..c.len() - 1], &mut p.sev);
    assert!(p.sev.is_empty());
    // A record whose last byte is wrong fails authentication and is dropped silently
    // (RFC 6347 4.1.2.7), without taking its sequence number.
    let mut forged = c.clone();
    let last = forged.len() - 1;
    forged[last] ^= 0x01;
    joined = forged;
    feed(&mut p.server, &joined, &mut p.sev);
    assert!(p.sev.is_empty());
    feed(&mut p.server, &c, &mut p.sev);
    assert_eq!(p.sev, [Ev::AppData(b"third".to_vec())]);
}

/// The client's first ClientHello, decoded, and its message_seq.
fn first_hello(dg: &[u8]) -> (ClientHello, u16) {
    let (h, range) = records(dg).next().unwrap();
    assert_eq!(h.content_type, ContentType::Handshake);
    let (fh, body) = parse_fragments(&dg[range]).next().unwrap().unwrap();
    assert_eq!(fh.msg_type, HandshakeType::ClientHello);
    (ClientHello::read_bytes(body).unwrap(), fh.message_seq)
}

fn hello_datagram(hello: &ClientHello, message_seq: u16, record_seq: u64) -> Vec<u8> {
    let body = hello.get_encoding();
    let h = DtlsHandshakeHeader {
        msg_type: HandshakeType::ClientHello,
        length: body.len() as u32,
        message_seq,
        fragment_offset: 0,
        fragment_length: body.len() as u32,
    };
    let mut frag = Vec::new();
    encode_fragment(&h, &body, &mut frag);
    clear_record(record_seq, &frag, ContentType::Handshake)
}

/// Whether `dgs` is one HelloVerifyRequest; returns its cookie.
fn hvr_cookie(dgs: &[Vec<u8>]) -> Vec<u8> {
    assert_eq!(dgs.len(), 1, "one HelloVerifyRequest");
    let (_, range) = records(&dgs[0]).next().unwrap();
    let (fh, body) = parse_fragments(&dgs[0][range]).next().unwrap().unwrap();
    assert_eq!(fh.msg_type, HandshakeType::HelloVerifyRequest);
    matrix_ssl::codec::handshake::HelloVerifyRequest::read_bytes(body)
        .unwrap()
        .cookie
}

#[test]
fn forged_cookie_is_refused_and_creates_no_state() {
    let ctx = ctx();
    let mut client = ctx
        .new_client_session(client_keys(), None, 0, None, None)
        .unwrap();
    let mut ev = Vec::new();
    let ch = drain(&mut client, &mut ev).remove(0);
    let (mut hello, _) = first_hello(&ch);
    assert_eq!(hello.cookie.as_deref(), Some(&[][..]));

    let mut server = ctx
        .new_server_session(server_keys(), None, CLIENT_ADDR)
        .unwrap();
    feed(&mut server, &ch, &mut ev);
    let real = hvr_cookie(&drain(&mut server, &mut ev));
    assert_eq!(real.len(), 20);
    assert!(!server.handshake_started());

    // Forged cookies: random bytes, one bit off, too short.
    let mut record_seq = 10;
    for forged in [
        vec![0x41; 20],
        {
            let mut c = real.clone();
            c[0] ^= 1;
            c
        },
        real[..19].to_vec(),
    ] {
        hello.cookie = Some(forged);
        feed(&mut server, &hello_datagram(&hello, 1, record_seq), &mut ev);
        record_seq += 1;
        hvr_cookie(&drain(&mut server, &mut ev));
        assert!(!server.handshake_started(), "a forged cookie created state");
    }
    // The real cookie from another address.
    let mut other = ctx
        .new_server_session(server_keys(), None, b"192.0.2.7:9999")
        .unwrap();
    hello.cookie = Some(real.clone());
    feed(&mut other, &hello_datagram(&hello, 1, 1), &mut ev);
    hvr_cookie(&drain(&mut other, &mut ev));
    assert!(!other.handshake_started());
    // The real cookie with another random.
    let mut changed = hello.clone();
    changed.random[5] ^= 1;
    feed(
        &mut server,
        &hello_datagram(&changed, 1, record_seq),
        &mut ev,
    );
    record_seq += 1;
    hvr_cookie(&drain(&mut server, &mut ev));
    assert!(!server.handshake_started());
    // The genuine second hello gets in.
    feed(&mut server, &hello_datagram(&hello, 1, record_seq), &mut ev);
    assert!(server.handshake_started());
    assert!(
        ev.iter()
            .all(|e| !matches!(e, Ev::Alert(..) | Ev::Error(_))),
        "{ev:?}"
    );
}

#[test]
fn cookies_survive_one_rotation() {
    let ctx = ctx();
    let mut client = ctx
        .new_client_session(client_keys(), None, 0, None, None)
        .unwrap();
    let mut ev = Vec::new();
    let ch = drain(&mut client, &mut ev).remove(0);
    let (mut hello, _) = first_hello(&ch);
    let mut server = ctx
        .new_server_session(server_keys(), None, CLIENT_ADDR)
        .unwrap();
    feed(&mut server, &ch, &mut ev);
    hello.cookie = Some(hvr_cookie(&drain(&mut server, &mut ev)));
    ctx.rotate_cookie_secret().unwrap();
    ctx.rotate_cookie_secret().unwrap();
    // Two rotations later the cookie is stale.
    feed(&mut server, &hello_datagram(&hello, 1, 5), &mut ev);
    let fresh = hvr_cookie(&drain(&mut server, &mut ev));
    assert!(!server.handshake_started());
    ctx.rotate_cookie_secret().unwrap();
    // One rotation later the fresh cookie still works.
    hello.cookie = Some(fresh);
    feed(&mut server, &hello_datagram(&hello, 1, 6), &mut ev);
    assert!(server.handshake_started());
}

/// A clear handshake fragment record.
fn fragment_record(h: DtlsHandshakeHeader, data: &[u8], record_seq: u64) -> Vec<u8> {
    let mut frag = Vec::new();
    encode_fragment(&h, data, &mut frag);
    clear_record(record_seq, &frag, ContentType::Handshake)
}

#[test]
fn malformed_fragments_in_the_clear_are_dropped_and_the_handshake_goes_on() {
    let ctx = ctx();
    let client = ctx
        .new_client_session(client_keys(), None, 0, None, None)
        .unwrap();
    let server = ctx
        .new_server_session(server_keys(), None, CLIENT_ADDR)
        .unwrap();
    let mut p = Pair::new(client, server, NetParams::LOSSLESS, 5);
    p.send_client();
    let bogus = [
        // Offset past the length.
        fragment_record(
            DtlsHandshakeHeader {
                msg_type: HandshakeType::ServerHello,
                length: 10,
                message_seq: 1,
                fragment_offset: 8,
                fragment_length: 4,
            },
            &[1; 4],
            900,
        ),
        // fragment_length longer than the record.
        {
            let mut r = fragment_record(
                DtlsHandshakeHeader {
                    msg_type: HandshakeType::ServerHello,
                    length: 100,
                    message_seq: 1,
                    fragment_offset: 0,
                    fragment_length: 50,
                },
                &[1; 50],
                901,
            );
            r.truncate(r.len() - 10);
            let n = (r.len() - 13) as u16;
            r[11..13].copy_from_slice(&n.to_be_bytes());
            r
        },
        // A message far too long for its type.
        fragment_record(
            DtlsHandshakeHeader {
                msg_type: HandshakeType::ServerHelloDone,
                length: 0xff_ffff,
                message_seq: 1,
                fragment_offset: 0,
                fragment_length: 1,
            },
            &[0],
            902,
        ),
        // A first fragment of a ServerHello of another length than the real one: the
        // real fragments then disagree with it, and the retransmission completes it.
        fragment_record(
            DtlsHandshakeHeader {
                msg_type: HandshakeType::ServerHello,
                length: 3000,
                message_seq: 1,
                fragment_offset: 0,
                fragment_length: 1,
            },
            &[0],
            903,
        ),
        // Garbage and an empty record.
        vec![0x16, 0xfe, 0xff, 0, 0, 0, 0, 0, 0, 0, 0x3b, 0, 1, 0],
        clear_record(904, &[], ContentType::Handshake),
    ];
    // Let the HelloVerifyRequest round happen, then inject before the server's flight.
    for _ in 0..2 {
        p.tick();
    }
    for b in &bogus {
        feed(&mut p.client, b, &mut p.cev);
    }
    assert!(p.cev.is_empty(), "{:?}", p.cev);
    assert!(p.client.handshake_bytes_buffered() <= ReassemblyLimits::MAX_BUFFERED);
    p.handshake(1_000);
}

#[test]
fn reassembly_memory_is_bounded() {
    let ctx = ctx();
    let mut client = ctx
        .new_client_session(client_keys(), None, 0, None, None)
        .unwrap();
    let mut ev = Vec::new();
    drain(&mut client, &mut ev);
    // Fragments announcing 64 KiB Certificates for every message_seq, and a flood of
    // distinct sequence numbers: at most the bound is ever buffered.
    let mut rseq = 0;
    for seq in 0..200u16 {
        for off in [0u32, 30_000, 60_000] {
            let dg = fragment_record(
                DtlsHandshakeHeader {
                    msg_type: HandshakeType::Certificate,
                    length: 64 * 1024,
                    message_seq: seq,
                    fragment_offset: off,
                    fragment_length: 100,
                },
                &[7; 100],
                rseq,
            );
            rseq += 1;
            feed(&mut client, &dg, &mut ev);
            assert!(
                client.handshake_bytes_buffered() <= ReassemblyLimits::MAX_BUFFERED,
                "{} bytes buffered",
                client.handshake_bytes_buffered()
            );
        }
    }
    assert!(client.handshake_bytes_buffered() > 0);
    assert!(ev.iter().all(|e| !matches!(e, Ev::Error(_))), "{ev:?}");
}

#[test]
fn api_misuse_is_an_error() {
    let mut p = established(6);
    let max = p.client.max_app_data();
    assert!(max < 1500);
    assert_eq!(
        p.client.encode_to_outdata(&vec![0; max + 1]),
        Err(Error::LimitFail)
    );
    assert_eq!(p.client.get_writebuf(100_000).unwrap().len(), max);
    let n = p.client.encode_writebuf(max).unwrap();
    assert!(n <= 1500);
    assert_eq!(p.client.encode_writebuf(max + 1), Err(Error::ArgFail));
    let len = p.client.get_outdata().len();
    assert_eq!(len, n);
    assert_eq!(p.client.sent_data(len + 1), Err(Error::ArgFail));
    assert_eq!(p.client.sent_data(len).unwrap(), matrix_ssl::Sent::Success);
    assert_eq!(p.client.received_data(0), Err(Error::ArgFail));
    // Before the handshake, no application data.
    let ctx = ctx();
    let mut c = ctx
        .new_client_session(client_keys(), None, 0, None, None)
        .unwrap();
    assert_eq!(c.encode_to_outdata(b"x"), Err(Error::ProtocolFail));
    // A TLS context is refused.
    let tls = matrix_ssl::open(matrix_ssl::Config::default()).unwrap();
    assert!(matrix_dtls::DtlsContext::from_context(tls).is_err());
}

#[test]
fn closure_alert_ends_both_sides() {
    let mut p = established(7);
    p.client.encode_closure_alert().unwrap();
    let mut ev = Vec::new();
    let dgs = drain(&mut p.client, &mut ev);
    assert_eq!(ev, [Ev::SentClose]);
    feed(&mut p.server, &dgs[0], &mut p.sev);
    assert_eq!(
        p.sev,
        [Ev::Alert(
            matrix_ssl::AlertLevel::Warning,
            matrix_ssl::AlertDescription::CloseNotify
        )]
    );
    assert_eq!(p.server.received_data(1), Err(Error::ProtocolFail));
    assert_eq!(p.client.encode_closure_alert(), Err(Error::ProtocolFail));
}

#[test]
fn a_failed_handshake_sends_a_fatal_alert_and_ends() {
    use matrix_ssl::{AlertDescription, AlertLevel, CertValidator, Verdict};
    let ctx = ctx();
    let refuse: CertValidator =
        Box::new(|_, _, _| Verdict::Alert(AlertDescription::BadCertificate));
    let client = ctx
        .new_client_session(client_keys(), None, 0, Some(refuse), None)
        .unwrap();
    let server = ctx
        .new_server_session(server_keys(), None, CLIENT_ADDR)
        .unwrap();
    let mut p = Pair::new(client, server, NetParams::LOSSLESS, 8);
    p.send_client();
    for _ in 0..10 {
        p.tick();
    }
    assert!(p.cev.contains(&Ev::SentClose), "{:?}", p.cev);
    assert!(
        p.sev.contains(&Ev::Alert(
            AlertLevel::Fatal,
            AlertDescription::BadCertificate
        )),
        "{:?}",
        p.sev
    );
    assert!(!p.client.is_handshake_complete());
    assert!(!p.server.is_handshake_complete());
    // Both ends are done: nothing more is processed or retransmitted.
    assert_eq!(p.client.received_data(1), Err(Error::ProtocolFail));
    assert_eq!(p.server.received_data(1), Err(Error::ProtocolFail));
    let mut ev = Vec::new();
    assert!(drain(&mut p.client, &mut ev).is_empty());
    assert!(drain(&mut p.client, &mut ev).is_empty());
    assert!(drain(&mut p.server, &mut ev).is_empty());
    assert!(drain(&mut p.server, &mut ev).is_empty());
}

#[test]
fn a_finished_that_overtakes_its_change_cipher_spec_is_kept() {
    let ctx = ctx();
    let client = ctx
        .new_client_session(client_keys(), None, 0, None, None)
        .unwrap();
    let server = ctx
        .new_server_session(server_keys(), None, CLIENT_ADDR)
        .unwrap();
    let mut p = Pair::new(client, server, NetParams::LOSSLESS, 9);
    p.send_client();
    while !p.server.is_handshake_complete() {
        assert!(p.now < 100);
        p.tick();
    }
    // The server's final flight: ChangeCipherSpec and Finished in one datagram (or two
    // with dtls-send-records-individually). Deliver the Finished first, alone.
    p.s2c.clear();
    let recs: Vec<Vec<u8>> = p
        .s2c
        .log
        .iter()
        .flat_map(|d| {
            records(d)
                .filter(|(h, _)| h.epoch == 1 || h.content_type == ContentType::ChangeCipherSpec)
                .map(|(_, r)| d[r.start - 13..r.end].to_vec())
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(recs.len(), 2, "CCS and Finished");
    feed(&mut p.client, &recs[1], &mut p.cev);
    assert!(!p.client.is_handshake_complete());
    feed(&mut p.client, &recs[0], &mut p.cev);
    assert!(p.client.is_handshake_complete(), "{:?}", p.cev);
    assert!(p.cev.contains(&Ev::Complete));
}
