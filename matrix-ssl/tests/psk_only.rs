//! A build without RSA (only PSK suites: no `rsa` feature): the certificate loaders of
//! `Keys` answer `PS_UNSUPPORTED_FAIL` before reading anything, as `load_dh_params` does
//! without DH, and a PSK handshake with data both ways still completes.
//!
//! Runs only in such a build; `cargo xtask ci` runs it as
//! `cargo test -p matrix-ssl --no-default-features --features file-system,client-side-ssl,server-side-ssl,tls-1-1,tls-psk-with-aes-128-cbc-sha --test psk_only`.
#![cfg(all(
    feature = "file-system",
    feature = "client-side-ssl",
    feature = "server-side-ssl",
    feature = "tls-psk-with-aes-128-cbc-sha",
    not(feature = "rsa")
))]

mod support;

use std::sync::Arc;

use matrix_ssl::{Error, Keys, RsaKeyComponents};
use support::*;

/// TLS_PSK_WITH_AES_128_CBC_SHA.
const SUITE: u16 = 0x008C;

#[test]
fn certificate_loaders_are_unsupported() {
    let mut k = Keys::new();
    let chain = read("rsa2048/server-chain.pem");
    let key = read("rsa2048/server.key");
    let ca = read("rsa2048/ca.der");
    assert_eq!(
        k.load_rsa_keys_mem(Some(&chain), Some(&key), None),
        Err(Error::UnsupportedFail)
    );
    assert_eq!(
        k.load_rsa_keys_mem(None, None, Some(&ca)),
        Err(Error::UnsupportedFail)
    );
    // Even with nothing to load: the build cannot hold RSA keys at all.
    assert_eq!(
        k.load_rsa_keys_mem(None, None, None),
        Err(Error::UnsupportedFail)
    );
    let b = [1u8];
    let parts = RsaKeyComponents {
        n: &b,
        e: &b,
        d: &b,
        p: &b,
        q: &b,
        dp: &b,
        dq: &b,
        qinv: &b,
    };
    assert_eq!(
        k.load_rsa_keys_components(&chain, &parts, None),
        Err(Error::UnsupportedFail)
    );
    assert_eq!(
        k.load_pkcs12_mem(&[0x30, 0], b"pass", None),
        Err(Error::UnsupportedFail)
    );
    assert_eq!(
        k.load_rsa_keys(
            Some(&testkeys("rsa2048/server-chain.pem")),
            Some(&testkeys("rsa2048/server.key")),
            None,
            None
        ),
        Err(Error::UnsupportedFail)
    );
    assert!(!k.has_rsa_identity());
    // The PSK loader is unaffected.
    k.load_psk(b"id", &[7; 16]).unwrap();
    assert!(k.has_psk());
}

#[test]
fn psk_handshake_and_data() {
    let keys = || {
        let mut k = Keys::new();
        k.load_psk(b"device-1", &[0x5a; 32]).unwrap();
        Arc::new(k)
    };
    let (cctx, sctx) = (ctx(), ctx());
    let mut c = cctx
        .new_client_session(keys(), None, SUITE, None, None)
        .unwrap();
    let mut s = sctx.new_server_session(keys(), None).unwrap();
    handshake(&mut c, &mut s, 1 << 14);
    assert_eq!(c.cipher_suite().map(|s| s.get()), Some(SUITE));
    send_all(&mut c, &mut s, &pattern(3000), 1 << 14);
    send_all(&mut s, &mut c, &pattern(5000), 700);
}
