//! A build whose only suites are ECDHE_ECDSA ones (`ecc` without `rsa`): no RSA, bignum or
//! RSA certificate code is compiled, yet ECDSA chains parse and authenticate and ECDHE_ECDSA
//! handshakes complete with data both ways; the RSA loaders answer `PS_UNSUPPORTED_FAIL`
//! and a chain with an RSA signature never verifies (bad_certificate).
//!
//! Runs only in such a build; `cargo xtask ci` runs it as
//! `cargo test -p matrix-ssl --no-default-features --features std,pem-decode,client-side-ssl,server-side-ssl,tls-ecdhe-ecdsa-with-aes-128-gcm-sha256,tls-ecdhe-ecdsa-with-aes-128-cbc-sha --test ecdsa_only`.
#![cfg(all(
    feature = "std",
    feature = "pem-decode",
    feature = "client-side-ssl",
    feature = "server-side-ssl",
    feature = "tls-ecdhe-ecdsa-with-aes-128-gcm-sha256",
    feature = "tls-ecdhe-ecdsa-with-aes-128-cbc-sha",
    not(feature = "rsa")
))]

mod support;

use std::sync::Arc;

use matrix_ssl::{AlertDescription, AlertLevel, Error, Keys, ProtocolVersion};
use support::*;

/// TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 and TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA.
const GCM: u16 = 0xC02B;
const CBC: u16 = 0xC009;

/// A server's EC identity: `chain` and the ec-p256 or ec-p384 server key of `dir`.
fn ec_server(chain: &str, dir: &str) -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_ec_keys_mem(
        Some(&read(chain)),
        Some(&read(&format!("{dir}/server.key"))),
        None,
        None,
    )
    .unwrap();
    Arc::new(k)
}

/// A client trusting `cas` (PEM files).
fn trusting(cas: &[&str]) -> Arc<Keys> {
    let mut k = Keys::new();
    for ca in cas {
        k.load_ec_keys_mem(None, None, None, Some(&read(ca)))
            .unwrap();
    }
    Arc::new(k)
}

#[test]
fn rsa_loaders_are_unsupported() {
    let mut k = Keys::new();
    assert_eq!(
        k.load_rsa_keys_mem(
            Some(&read("rsa2048/server-chain.pem")),
            Some(&read("rsa2048/server.key")),
            None
        ),
        Err(Error::UnsupportedFail)
    );
    assert_eq!(
        k.load_pkcs12_mem(&read("pkcs12/ec-p256-modern.p12"), b"matrix", None),
        Err(Error::UnsupportedFail)
    );
    assert!(!k.has_rsa_identity());
    // An EC identity loads, and the parsed chain is there.
    k.load_ec_keys_mem(
        Some(&read("ec-p256/server-chain.pem")),
        Some(&read("ec-p256/server.key")),
        None,
        Some(&read("ec-p256/ca.pem")),
    )
    .unwrap();
    assert!(k.has_ec_identity());
    assert_eq!(k.trusted_cas().len(), 1);
}

#[test]
fn ecdhe_ecdsa_handshakes_and_data_on_both_curves() {
    for dir in ["ec-p256", "ec-p384"] {
        for suite in [GCM, CBC] {
            let (cctx, sctx) = (ctx(), ctx());
            let mut c = cctx
                .new_client_session(
                    trusting(&[&format!("{dir}/ca.pem")]),
                    None,
                    suite,
                    None,
                    None,
                )
                .unwrap();
            let mut s = sctx
                .new_server_session(ec_server(&format!("{dir}/server-chain.pem"), dir), None)
                .unwrap();
            handshake(&mut c, &mut s, 1 << 14);
            assert_eq!(c.cipher_suite().map(|s| s.get()), Some(suite), "{dir}");
            assert_eq!(c.protocol_version(), ProtocolVersion::TLSv1_2);
            assert_eq!(c.peer_certificates().map(|p| p.len()), Some(2), "{dir}");
            send_all(&mut c, &mut s, &pattern(3000), 1 << 14);
            send_all(&mut s, &mut c, &pattern(5000), 700);
        }
    }
}

/// `ec-mixed/rsa-root-chain.pem`: a P-256 leaf and a P-384 intermediate whose signature is
/// the rsa2048 root's (sha256WithRSAEncryption). Without RSA that link cannot verify: the
/// client refuses the chain.
#[test]
fn an_rsa_signature_in_the_chain_never_verifies() {
    let (cctx, sctx) = (ctx(), ctx());
    let mut c = cctx
        .new_client_session(trusting(&["rsa2048/ca.pem"]), None, GCM, None, None)
        .unwrap();
    let mut s = sctx
        .new_server_session(ec_server("ec-mixed/rsa-root-chain.pem", "ec-p256"), None)
        .unwrap();
    pump(&mut c, &mut s, 1 << 14);
    let flight = take_out(&mut s, 1 << 14, &mut Vec::new());
    // The failure is reported as the alert to send (`RequestSend`) or as an error.
    let mut rest = &flight[..];
    while !rest.is_empty() && c.get_outdata().is_empty() {
        let buf = c.get_readbuf();
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        rest = &rest[n..];
        if c.received_data(n).is_err() {
            break;
        }
    }
    assert!(!c.is_handshake_complete());
    let out = c.get_outdata().to_vec();
    assert!(out.len() >= 7 && out[0] == 21, "no alert sent: {out:?}");
    assert_eq!(
        (out[5], out[6]),
        (
            AlertLevel::Fatal.get(),
            AlertDescription::BadCertificate.get()
        )
    );
}
