//! RFC 7366 encrypt-then-MAC (feature `encrypt-then-mac`): negotiated for CBC suites in
//! TLS 1.0/1.1, not with RC4 nor in SSL 3.0; data flows both ways in every suite and
//! version; a flipped ciphertext bit is bad_record_mac before any decryption.
#![cfg(feature = "encrypt-then-mac")]

mod support;

use matrix_ssl::suites::{KeyExchange, SUITES};
use matrix_ssl::{AlertDescription, AlertLevel};
use support::*;

#[test]
fn negotiated_for_cbc_in_tls_and_data_flows() {
    for v in ctx().versions().to_vec() {
        for s in SUITES
            .iter()
            .filter(|s| s.kx == KeyExchange::Rsa && s.allowed_in(v))
        {
            let cctx = ctx_with(|c| {
                c.min_version = v;
                c.max_version = v;
            });
            let (mut c, mut srv) = new_pair(&cctx, &ctx(), s.suite.get(), None, None);
            handshake(&mut c, &mut srv, usize::MAX);
            let etm = c.peer_hello_extensions().iter().any(|(t, _)| *t == 22);
            assert_eq!(etm, s.is_cbc() && !v.is_ssl3(), "{v:?} {}", s.name);
            for n in [1, 15, 16, 17, 1000, 16384] {
                let data = pattern(n);
                send_all(&mut c, &mut srv, &data, usize::MAX);
                send_all(&mut srv, &mut c, &data, 7);
            }
        }
    }
}

#[test]
fn tampered_record_is_bad_record_mac() {
    let v = *ctx().versions().last().unwrap();
    for pos in [5usize, 20, 40] {
        let (mut c, mut s) = new_pair(&ctx(), &ctx(), 0x002f, None, None);
        handshake(&mut c, &mut s, usize::MAX);
        assert!(c.peer_hello_extensions().iter().any(|(t, _)| *t == 22));
        c.encode_to_outdata(&pattern(40)).unwrap();
        let mut evs = Vec::new();
        let mut rec = take_out(&mut c, usize::MAX, &mut evs);
        // Flip a bit of the IV/ciphertext or of the tag.
        let i = pos.min(rec.len() - 1);
        rec[i] ^= 0x80;
        let mut se = Vec::new();
        feed(&mut s, &rec, usize::MAX, &mut se);
        let (_, ce) = pump(&mut s, &mut c, usize::MAX);
        assert_eq!(
            ce.first(),
            Some(&Ev::Alert(
                AlertLevel::Fatal,
                AlertDescription::BadRecordMac
            )),
            "{v:?} {pos}"
        );
    }
}
