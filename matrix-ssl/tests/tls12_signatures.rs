//! TLS 1.2 signature_algorithms (RFC 5246 sections 7.4.1.4.1, 7.4.3, 7.4.8) on the wire
//! between our client and server, with the server's plaintext flight edited in flight:
//! the DHE_RSA ServerKeyExchange carries a SHA-256 pair (our first choice, which the client
//! offered); a pair the client never offered is illegal_parameter, an offered pair whose
//! hash does not match the signature is decrypt_error, and a signature that is not there at
//! all is decode_error. The client's hello lists exactly our pairs.
#![cfg(all(feature = "tls-1-2", feature = "tls-dhe-rsa-with-aes-128-gcm-sha256"))]

mod support;

use matrix_ssl::codec::handshake::{ClientHello, KeyExchangeKind, ServerKeyExchange};
use matrix_ssl::codec::{AlertDescription, Codec, ProtocolVersion, Reader, SignatureScheme};
use support::*;

const SUITE: u16 = 0x009E;

/// Handshake messages as (type, body).
type Messages = Vec<(u8, Vec<u8>)>;

/// The handshake messages of a flight of plaintext handshake records.
fn messages(flight: &[u8]) -> Messages {
    let mut hs = Vec::new();
    let mut rest = flight;
    while rest.len() >= 5 {
        assert_eq!(rest[0], 22, "a handshake record");
        let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
        hs.extend_from_slice(&rest[5..5 + len]);
        rest = &rest[5 + len..];
    }
    let mut out = Vec::new();
    let mut m = &hs[..];
    while m.len() >= 4 {
        let len = usize::from(m[1]) << 16 | usize::from(m[2]) << 8 | usize::from(m[3]);
        out.push((m[0], m[4..4 + len].to_vec()));
        m = &m[4 + len..];
    }
    out
}

/// One TLS 1.2 handshake record holding `msgs`.
fn record(msgs: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let mut hs = Vec::new();
    for (t, body) in msgs {
        hs.push(*t);
        hs.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        hs.extend_from_slice(body);
    }
    let mut r = vec![22, 3, 3];
    r.extend_from_slice(&(hs.len() as u16).to_be_bytes());
    r.extend_from_slice(&hs);
    r
}

/// Our client's hello and our server's first flight, TLS 1.2 DHE_RSA AES-128-GCM.
fn flights() -> (matrix_ssl::Session, Vec<u8>, Messages) {
    let ctx = ctx();
    let (mut c, mut s) = new_pair(&ctx, &ctx, SUITE, None, None);
    let hello = take_out(&mut c, usize::MAX, &mut Vec::new());
    feed(&mut s, &hello, usize::MAX, &mut Vec::new());
    let flight = take_out(&mut s, usize::MAX, &mut Vec::new());
    (c, hello, messages(&flight))
}

/// Feeds the server flight with its ServerKeyExchange replaced by `edit(ske)` to the client
/// and returns the alert the client sends.
fn client_alert(edit: impl FnOnce(&mut Vec<u8>)) -> u8 {
    let (mut c, _, mut msgs) = flights();
    let ske = msgs
        .iter_mut()
        .find(|(t, _)| *t == 12)
        .expect("a ServerKeyExchange");
    edit(&mut ske.1);
    let mut evs = Vec::new();
    feed(&mut c, &record(&msgs), usize::MAX, &mut evs);
    let out = take_out(&mut c, usize::MAX, &mut evs);
    assert!(evs.contains(&Ev::SentClose), "{evs:?}");
    assert_eq!(
        &out[..5],
        &[21, 3, 3, 0, 2],
        "a TLS 1.2 alert record: {out:?}"
    );
    assert_eq!(out[5], 2, "fatal");
    out[6]
}

fn ske(body: &[u8]) -> ServerKeyExchange {
    ServerKeyExchange::read_in(
        &mut Reader::new(body),
        KeyExchangeKind::DheRsa,
        ProtocolVersion::TLSv1_2,
    )
    .unwrap()
}

fn with_sig_alg(body: &mut Vec<u8>, alg: SignatureScheme) {
    let ServerKeyExchange::DheRsa {
        params, signature, ..
    } = ske(body)
    else {
        panic!()
    };
    let edited = ServerKeyExchange::DheRsa {
        params,
        sig_alg: Some(alg),
        signature,
    };
    body.clear();
    edited.encode(body);
}

#[test]
fn the_hello_offers_our_pairs_and_the_server_signs_with_sha256() {
    let (_, hello, msgs) = flights();
    let ch = ClientHello::read_bytes(&messages(&hello)[0].1).unwrap();
    assert_eq!(ch.client_version, ProtocolVersion::TLSv1_2);
    let ext = ch
        .extensions
        .as_ref()
        .unwrap()
        .iter()
        .find(|e| e.ext_type().get() == 13)
        .expect("signature_algorithms")
        .get_encoding();
    // RSA with SHA-256/384/512/1, then (with `ecc`) ECDSA with the same hashes.
    let ours: &[u8] = if cfg!(feature = "ecc-core") {
        &[0, 16, 4, 1, 5, 1, 6, 1, 2, 1, 4, 3, 5, 3, 6, 3, 2, 3]
    } else {
        &[0, 8, 4, 1, 5, 1, 6, 1, 2, 1]
    };
    assert_eq!(&ext[4..], ours);
    let body = &msgs.iter().find(|(t, _)| *t == 12).unwrap().1;
    let ServerKeyExchange::DheRsa {
        sig_alg, signature, ..
    } = ske(body)
    else {
        panic!()
    };
    assert_eq!(sig_alg, Some(SignatureScheme::RSA_PKCS1_SHA256));
    assert_eq!(signature.len(), 256);
    // Untouched, the flight completes the handshake.
    let (mut c, _, msgs) = flights();
    let mut evs = Vec::new();
    feed(&mut c, &record(&msgs), usize::MAX, &mut evs);
    // The read buffer follows the records (a first chunk, then the rest of a record), so
    // the flight may arrive in more than one read: it must end in the client's answer.
    evs.retain(|e| *e != Ev::RequestRecv);
    assert_eq!(evs, vec![Ev::RequestSend]);
}

#[test]
fn a_pair_not_offered_is_illegal_parameter() {
    for alg in [0x0403u16, 0x0804, 0x0101, 0x0202] {
        let a = client_alert(|b| with_sig_alg(b, SignatureScheme::from(alg)));
        assert_eq!(a, AlertDescription::IllegalParameter.get(), "{alg:#06x}");
    }
}

#[test]
fn an_offered_pair_that_does_not_match_the_signature_is_decrypt_error() {
    for alg in [
        SignatureScheme::RSA_PKCS1_SHA1,
        SignatureScheme::RSA_PKCS1_SHA384,
        SignatureScheme::RSA_PKCS1_SHA512,
    ] {
        let a = client_alert(|b| with_sig_alg(b, alg));
        assert_eq!(a, AlertDescription::DecryptError.get(), "{alg:?}");
    }
    // A flipped signature bit under the right pair, too.
    let a = client_alert(|b| {
        let last = b.len() - 1;
        b[last] ^= 1;
    });
    assert_eq!(a, AlertDescription::DecryptError.get());
}

#[test]
fn a_truncated_signature_is_decode_error() {
    for cut in [1, 2, 3, 200, 258] {
        let a = client_alert(|b| {
            let n = b.len() - cut;
            b.truncate(n);
        });
        assert_eq!(a, AlertDescription::DecodeError.get(), "cut {cut}");
    }
}
