//! `Keys::load_pkcs12` with EC keys (`openssl pkcs12 -export` of the ec-p256 / ec-p384
//! server keys and chains, default and legacy 3DES settings): the file becomes the EC
//! identity, beside an RSA identity from another PKCS#12 file; a server holding both runs
//! ECDHE_ECDSA with the one and RSA with the other. Wrong passwords are `PS_AUTH_FAIL`.
#![cfg(all(
    feature = "std",
    feature = "file-system",
    feature = "pkcs12",
    feature = "client-side-ssl",
    feature = "server-side-ssl",
    feature = "tls-ecdhe-ecdsa-with-aes-128-gcm-sha256",
    feature = "tls-rsa-with-aes-128-gcm-sha256"
))]

mod support;

use std::sync::Arc;

use matrix_ssl::{Error, Keys};
use support::*;

/// TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 and TLS_RSA_WITH_AES_128_GCM_SHA256.
const ECDSA: u16 = 0xC02B;
const RSA: u16 = 0x009C;

/// The rsa2048, ec-p256 and ec-p384 roots.
fn client() -> Arc<Keys> {
    let mut k = Keys::new();
    k.load_rsa_keys_mem(None, None, Some(&read("rsa2048/ca.der")))
        .unwrap();
    for dir in ["ec-p256", "ec-p384"] {
        k.load_ec_keys_mem(None, None, None, Some(&read(&format!("{dir}/ca.pem"))))
            .unwrap();
    }
    Arc::new(k)
}

fn run(server: &Arc<Keys>, suite: u16) {
    let (cctx, sctx) = (ctx(), ctx());
    let mut c = cctx
        .new_client_session(client(), None, suite, None, None)
        .unwrap();
    let mut s = sctx.new_server_session(server.clone(), None).unwrap();
    handshake(&mut c, &mut s, 1 << 14);
    assert_eq!(s.cipher_suite().map(|s| s.get()), Some(suite));
    send_all(&mut c, &mut s, &pattern(2000), 1 << 14);
}

#[test]
fn an_ec_pkcs12_file_is_the_ec_identity_beside_an_rsa_one() {
    for dir in ["ec-p256", "ec-p384"] {
        for kind in ["modern", "legacy"] {
            let mut k = Keys::new();
            k.load_pkcs12(
                &testkeys(&format!("pkcs12/{dir}-{kind}.p12")),
                b"matrix",
                None,
            )
            .unwrap_or_else(|e| panic!("{dir}-{kind}: {e:?}"));
            assert!(k.has_ec_identity() && !k.has_rsa_identity());
            // A second EC identity is refused; the RSA one is still free.
            assert_eq!(
                k.load_pkcs12(
                    &testkeys(&format!("pkcs12/{dir}-{kind}.p12")),
                    b"matrix",
                    None
                ),
                Err(Error::ArgFail)
            );
            k.load_pkcs12(&testkeys("pkcs12/server-modern.p12"), b"matrix", None)
                .unwrap();
            assert!(k.has_rsa_identity());
            let k = Arc::new(k);
            run(&k, ECDSA);
            run(&k, RSA);
        }
    }
    // The other order: RSA keys first, then the EC PKCS#12 file.
    let mut k = Keys::new();
    k.load_rsa_keys(
        Some(&testkeys("rsa2048/server-chain.pem")),
        Some(&testkeys("rsa2048/server.key")),
        None,
        None,
    )
    .unwrap();
    k.load_pkcs12(&testkeys("pkcs12/ec-p256-legacy.p12"), b"matrix", None)
        .unwrap();
    let k = Arc::new(k);
    run(&k, ECDSA);
    run(&k, RSA);
}

#[test]
fn wrong_passwords_are_auth_fail() {
    for rel in ["pkcs12/ec-p256-modern.p12", "pkcs12/ec-p384-legacy.p12"] {
        let data = read(rel);
        let mut k = Keys::new();
        assert_eq!(
            k.load_pkcs12_mem(&data, b"wrong", None),
            Err(Error::AuthFail),
            "{rel}"
        );
        // The right MAC password, a wrong import password: the key bag does not decrypt.
        assert_eq!(
            k.load_pkcs12_mem(&data, b"wrong", Some(b"matrix")),
            Err(Error::AuthFail),
            "{rel}"
        );
        assert!(!k.has_ec_identity());
        k.load_pkcs12_mem(&data, b"matrix", Some(b"matrix"))
            .unwrap();
        assert!(k.has_ec_identity());
    }
}
