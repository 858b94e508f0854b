//! A build without `pem-decode` (USE_PEM_DECODE off, as in the firmware profiles): every
//! loader of `Keys` takes DER (RSA chain and PKCS#1 key, RSA CA, EC chain with SEC 1 and
//! PKCS#8 keys, EC CA, DH parameters) and a handshake over that material completes, while
//! the same material as PEM is `PS_UNSUPPORTED_FAIL` before any parse.
//!
//! Runs only in such a build; `cargo xtask ci` runs it as
//! `cargo test -p matrix-ssl --no-default-features --features std,client-side-ssl,server-side-ssl,tls-1-1,private-key-parsing,tls-rsa-with-aes-128-cbc-sha,tls-dhe-rsa-with-aes-128-cbc-sha,secp256r1,tls-ecdhe-ecdsa-with-aes-128-cbc-sha --test der_only`.
#![cfg(all(
    feature = "std",
    feature = "client-side-ssl",
    feature = "server-side-ssl",
    feature = "private-key-parsing",
    feature = "tls-rsa-with-aes-128-cbc-sha",
    feature = "tls-dhe-rsa-with-aes-128-cbc-sha",
    feature = "tls-ecdhe-ecdsa-with-aes-128-cbc-sha",
    not(feature = "pem-decode")
))]

mod support;

use std::sync::Arc;

use matrix_ssl::{Error, Keys};
use support::*;

/// TLS_RSA_WITH_AES_128_CBC_SHA.
const RSA_SUITE: u16 = 0x002F;
/// TLS_DHE_RSA_WITH_AES_128_CBC_SHA.
const DHE_SUITE: u16 = 0x0033;
/// TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA.
const ECDSA_SUITE: u16 = 0xC009;

/// Certificates back to back, as `load_rsa_keys_mem` takes a DER chain.
fn concat(files: &[&str]) -> Vec<u8> {
    files.iter().flat_map(|f| read(f)).collect()
}

fn rsa_chain_der() -> Vec<u8> {
    concat(&["rsa2048/server.der", "rsa2048/intermediate.der"])
}

/// The RSA and EC identities and the DH group, all from DER.
fn server_keys_der() -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_rsa_keys_mem(
        Some(&rsa_chain_der()),
        Some(&read("rsa2048/server-pkcs1.der")),
        None,
    )
    .unwrap();
    k.load_ec_keys_mem(
        Some(&read("ec-p256/server-chain.der")),
        Some(&read("ec-p256/server.der")),
        None,
        None,
    )
    .unwrap();
    k.load_dh_params_mem(&read("dh/dh2048.der")).unwrap();
    Arc::new(k)
}

fn client_keys_der() -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_rsa_keys_mem(None, None, Some(&read("rsa2048/ca.der")))
        .unwrap();
    k.load_ec_keys_mem(None, None, None, Some(&read("ec-p256/ca.der")))
        .unwrap();
    Arc::new(k)
}

#[test]
fn der_material_loads_and_handshakes() {
    for suite in [RSA_SUITE, DHE_SUITE, ECDSA_SUITE] {
        let (cctx, sctx) = (ctx(), ctx());
        let mut c = cctx
            .new_client_session(client_keys_der(), None, suite, None, None)
            .unwrap();
        let mut s = sctx.new_server_session(server_keys_der(), None).unwrap();
        handshake(&mut c, &mut s, 1 << 14);
        assert_eq!(c.cipher_suite().map(|s| s.get()), Some(suite));
        send_all(&mut c, &mut s, &pattern(3000), 1 << 14);
        send_all(&mut s, &mut c, &pattern(2000), 700);
    }
}

#[test]
fn pkcs8_ec_key_in_der_loads() {
    let mut k = Keys::new();
    k.load_ec_keys_mem(
        Some(&read("ec-p256/server-chain.der")),
        Some(&read("ec-p256/server-pkcs8.der")),
        None,
        None,
    )
    .unwrap();
}

#[test]
fn pem_is_unsupported_everywhere() {
    let unsupported = Err(Error::UnsupportedFail);
    let mut k = Keys::new();
    // RSA: a PEM chain, a PEM key, a PEM CA, each with the other arguments in DER.
    assert_eq!(
        k.load_rsa_keys_mem(
            Some(&read("rsa2048/server-chain.pem")),
            Some(&read("rsa2048/server-pkcs1.der")),
            None
        ),
        unsupported
    );
    assert_eq!(
        k.load_rsa_keys_mem(
            Some(&rsa_chain_der()),
            Some(&read("rsa2048/server.key")),
            None
        ),
        unsupported
    );
    assert_eq!(
        k.load_rsa_keys_mem(None, None, Some(&read("rsa2048/ca.pem"))),
        unsupported
    );
    // EC: the same three.
    assert_eq!(
        k.load_ec_keys_mem(
            Some(&read("ec-p256/server-chain.pem")),
            Some(&read("ec-p256/server.der")),
            None,
            None
        ),
        unsupported
    );
    assert_eq!(
        k.load_ec_keys_mem(
            Some(&read("ec-p256/server-chain.der")),
            Some(&read("ec-p256/server.key")),
            None,
            None
        ),
        unsupported
    );
    assert_eq!(
        k.load_ec_keys_mem(None, None, None, Some(&read("ec-p256/ca.pem"))),
        unsupported
    );
    // DH parameters.
    assert_eq!(k.load_dh_params_mem(&read("dh/dh2048.pem")), unsupported);
    // PEM after leading junk is still PEM (never handed to the DER parser).
    let mut junk = b"text before\n".to_vec();
    junk.extend(read("rsa2048/ca.pem"));
    assert_eq!(k.load_rsa_keys_mem(None, None, Some(&junk)), unsupported);
    // Nothing was half-loaded by the refusals.
    assert!(!k.has_rsa_identity());
}
