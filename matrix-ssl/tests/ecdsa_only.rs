//! A build whose only suites are ECDHE_ECDSA ones (`ecc` without `rsa`): no RSA, bignum or
//! RSA certificate code is compiled, yet ECDSA chains parse and authenticate and ECDHE_ECDSA
//! handshakes complete with data both ways; the RSA loaders answer `PS_UNSUPPORTED_FAIL`
//! and a chain with an RSA signature never verifies (bad_certificate).
//!
//! With one curve (`secp256r1` without `secp384r1` and `x25519`, as CI builds it and the
//! `ecdhe-ecdsa-client` profile ships) the build also offers and accepts P-256 only: a
//! ClientHello whose only group is X25519 or P-384 gets handshake_failure, and P-384 keys
//! and certificates are PS_UNSUPPORTED_FAIL at load.
//!
//! Runs only in such a build; `cargo xtask ci` runs it as
//! `cargo test -p matrix-ssl --no-default-features --features std,pem-decode,client-side-ssl,server-side-ssl,secp256r1,tls-ecdhe-ecdsa-with-aes-128-gcm-sha256,tls-ecdhe-ecdsa-with-aes-128-cbc-sha --test ecdsa_only`.
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

/// The ECDSA curves of this build, as testkeys directories.
fn our_curves() -> Vec<&'static str> {
    let mut dirs = Vec::new();
    if cfg!(feature = "secp256r1") {
        dirs.push("ec-p256");
    }
    if cfg!(feature = "secp384r1") {
        dirs.push("ec-p384");
    }
    dirs
}

#[test]
fn ecdhe_ecdsa_handshakes_and_data_on_every_curve_built() {
    for dir in our_curves() {
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
/// client refuses the chain. (Needs P-384 for the intermediate: a P-256-only server
/// refuses to load the chain, see `p256_only`.)
#[cfg(feature = "secp384r1")]
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
    feed_expecting_alert(&mut c, &flight, AlertDescription::BadCertificate);
}

/// P-256 only: P-384 keys and certificates are refused at load (PS_UNSUPPORTED_FAIL), a
/// P-384 CA is kept but can vouch for nothing, and a ClientHello whose only group is one
/// this build lacks (X25519, P-384) leaves no ECDHE suite: handshake_failure.
#[cfg(all(
    feature = "secp256r1",
    not(feature = "secp384r1"),
    not(feature = "x25519")
))]
mod p256_only {
    use super::*;

    #[test]
    fn p384_keys_are_unsupported() {
        let mut k = Keys::new();
        assert_eq!(
            k.load_ec_keys_mem(
                Some(&read("ec-p384/server-chain.pem")),
                Some(&read("ec-p384/server.key")),
                None,
                None,
            ),
            Err(Error::UnsupportedFail)
        );
        assert!(!k.has_ec_identity());
        // A P-256 certificate with a P-384 key (the wrong pair either way) fails on the key.
        assert_eq!(
            k.load_ec_keys_mem(
                Some(&read("ec-p256/server-chain.pem")),
                Some(&read("ec-p384/server.key")),
                None,
                None,
            ),
            Err(Error::UnsupportedFail)
        );
    }

    #[test]
    fn p384_certificates_vouch_for_nothing() {
        // A P-384 CA is kept (its key stays opaque, as for any unsupported algorithm) ...
        let mut k = Keys::new();
        k.load_ec_keys_mem(None, None, None, Some(&read("ec-p384/ca.pem")))
            .unwrap();
        assert_eq!(k.trusted_cas().len(), 1);
        // ... but no link it signs verifies: a P-256 chain whose issuer is P-384 cannot be
        // ours (PS_CERT_AUTH_FAIL, as for any link that does not verify).
        assert_eq!(
            k.load_ec_keys_mem(
                Some(&read("ec-mixed/rsa-root-chain.pem")),
                Some(&read("ec-p256/server.key")),
                None,
                None,
            ),
            Err(Error::CertAuthFail)
        );
    }

    #[test]
    fn the_client_offers_p256_only() {
        let mut c = ctx()
            .new_client_session(trusting(&["ec-p256/ca.pem"]), None, GCM, None, None)
            .unwrap();
        let hello = take_out(&mut c, 1 << 14, &mut Vec::new());
        // supported_groups (10): a list of one group, secp256r1 (23).
        assert!(group_offset(&hello).is_some(), "{hello:?}");
    }

    #[test]
    fn a_client_offering_only_x25519_or_p384_gets_handshake_failure() {
        for other in [29u8, 24] {
            let mut c = ctx()
                .new_client_session(trusting(&["ec-p256/ca.pem"]), None, GCM, None, None)
                .unwrap();
            let mut hello = take_out(&mut c, 1 << 14, &mut Vec::new());
            let at = group_offset(&hello).unwrap();
            hello[at] = other;
            let mut s = ctx()
                .new_server_session(ec_server("ec-p256/server-chain.pem", "ec-p256"), None)
                .unwrap();
            feed_expecting_alert(&mut s, &hello, AlertDescription::HandshakeFailure);
            assert!(!s.is_handshake_complete());
        }
    }

    /// The offset of the group's low byte in a supported_groups extension listing only
    /// secp256r1: type 10, length 4, list length 2, group 23.
    fn group_offset(hello: &[u8]) -> Option<usize> {
        const EXT: [u8; 8] = [0, 10, 0, 4, 0, 2, 0, 23];
        hello
            .windows(EXT.len())
            .position(|w| w == EXT)
            .map(|p| p + EXT.len() - 1)
    }
}

/// Feeds `flight` to `to` until it answers; the answer must be the fatal `alert`.
fn feed_expecting_alert(to: &mut matrix_ssl::Session, flight: &[u8], alert: AlertDescription) {
    let mut rest = flight;
    while !rest.is_empty() && to.get_outdata().is_empty() {
        let buf = to.get_readbuf();
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        rest = &rest[n..];
        if to.received_data(n).is_err() {
            break;
        }
    }
    assert!(!to.is_handshake_complete());
    let out = to.get_outdata().to_vec();
    assert!(out.len() >= 7 && out[0] == 21, "no alert sent: {out:?}");
    assert_eq!(
        (out[5], out[6]),
        (AlertLevel::Fatal.get(), alert.get()),
        "{:?}",
        AlertDescription::from(out[6])
    );
}
