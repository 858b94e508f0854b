//! EC private keys in the files OpenSSL writes (`testkeys/ec-keys.sh`): encrypted PKCS#8
//! (`-v2 aes256`, PBES2 3DES, the PKCS#12 3DES scheme), encrypted traditional PEM (`openssl
//! ec -aes256` / `-des3`) and PKCS#12 (`openssl pkcs12 -export` defaults and the legacy 3DES
//! settings), on P-256 and P-384: each gives the key its certificate holds, a wrong password
//! is `PS_AUTH_FAIL`, a missing one `PS_ARG_FAIL`, and damaged files fail without a panic.

#![cfg(all(
    feature = "ecc",
    feature = "pkcs8",
    feature = "pkcs5",
    feature = "pem-decode"
))]

use std::path::{Path, PathBuf};

use matrix_core::Error;
use matrix_crypto::ec::NamedCurve;
use matrix_x509::ec_key::load_ec_private_key;
use proptest::prelude::*;

const CURVES: [(&str, NamedCurve); 2] = [
    ("ec-p256", NamedCurve::Secp256r1),
    ("ec-p384", NamedCurve::Secp384r1),
];

/// The encrypted encodings `ec-keys.sh` adds (password `matrix`).
const ENCRYPTED: [&str; 5] = [
    "server-pkcs8-aes256-default.pem",
    "server-pkcs8-des3.der",
    "server-pkcs8-sha1-3des.pem",
    "server-enc-aes-256-cbc.pem",
    "server-enc-des-ede3-cbc.pem",
];

fn testkeys() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testkeys")
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(testkeys().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The uncompressed point of the unencrypted SEC 1 key of `dir`: what every other encoding
/// must give.
fn reference_point(dir: &str) -> Vec<u8> {
    load_ec_private_key(&read(&format!("{dir}/server.key")), None)
        .unwrap()
        .public_key()
        .to_sec1()
}

#[test]
fn encrypted_ec_keys_from_openssl() {
    for (dir, curve) in CURVES {
        let point = reference_point(dir);
        for file in ENCRYPTED {
            let rel = format!("{dir}/{file}");
            let data = read(&rel);
            let key = load_ec_private_key(&data, Some(b"matrix"))
                .unwrap_or_else(|e| panic!("{rel}: {e:?}"));
            assert_eq!(key.curve(), curve, "{rel}");
            assert_eq!(key.public_key().to_sec1(), point, "{rel}");
            assert_eq!(
                load_ec_private_key(&data, Some(b"matrix!")).err(),
                Some(Error::AuthFail),
                "{rel}: wrong password"
            );
            assert_eq!(
                load_ec_private_key(&data, None).err(),
                Some(Error::ArgFail),
                "{rel}: no password"
            );
        }
    }
}

#[cfg(feature = "pkcs12")]
#[test]
fn ec_pkcs12_modern_and_legacy() {
    use matrix_x509::pkcs12::Pkcs12;
    for (dir, curve) in CURVES {
        let point = reference_point(dir);
        let leaf = matrix_x509::CertChain::from_bytes(&read(&format!("{dir}/server.pem")))
            .unwrap()
            .certs()[0]
            .der
            .clone();
        for kind in ["modern", "legacy"] {
            let rel = format!("pkcs12/{dir}-{kind}.p12");
            let data = read(&rel);
            let p = Pkcs12::from_der(&data, "matrix").unwrap_or_else(|e| panic!("{rel}: {e}"));
            assert!(p.key.is_none(), "{rel}: no RSA key");
            let key = p.ec_key.as_ref().expect("an EC key");
            assert_eq!(key.curve(), curve, "{rel}");
            assert_eq!(key.public_key().to_sec1(), point, "{rel}");
            assert_eq!(p.certs.len(), 2, "{rel}");
            assert_eq!(p.certs[0].der, leaf, "{rel}: the leaf comes first");
            assert_eq!(
                Pkcs12::from_der(&data, "wrong").err(),
                Some(Error::AuthFail),
                "{rel}"
            );
            // The right MAC password with a wrong import password: the bags do not decrypt.
            assert_eq!(
                Pkcs12::from_der_with_mac_password(&data, "wrong", "matrix").err(),
                Some(Error::AuthFail),
                "{rel}: wrong import password"
            );
            for cut in (0..data.len()).step_by(41) {
                assert!(
                    Pkcs12::from_der(&data[..cut], "matrix").is_err(),
                    "{rel} cut {cut}"
                );
            }
        }
    }
}

/// A damaged file: one byte changed (the MAC catches it) or cut short, never a panic.
fn damaged(data: &[u8], at: usize, xor: u8, cut: usize) -> Vec<u8> {
    let mut d = data.to_vec();
    let at = at % d.len();
    d[at] ^= xor;
    d.truncate(d.len() - cut % d.len());
    d
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn damaged_encrypted_ec_keys_never_panic(
        which in 0usize..10,
        at in any::<usize>(),
        xor in 1u8..=255,
        cut in 0usize..4,
    ) {
        let (dir, _) = CURVES[which % 2];
        let data = read(&format!("{dir}/{}", ENCRYPTED[which / 2]));
        let d = damaged(&data, at, xor, cut);
        // Anything but a panic; a changed ciphertext byte may still decrypt to a
        // well-formed key only if it hit the padding-free prefix, and then the key check
        // against its embedded public point refuses it.
        let _ = load_ec_private_key(&d, Some(b"matrix"));
    }

    #[cfg(feature = "pkcs12")]
    #[test]
    fn damaged_ec_pkcs12_never_panics(
        which in 0usize..4,
        at in any::<usize>(),
        xor in 1u8..=255,
        cut in 0usize..4,
    ) {
        let (dir, _) = CURVES[which % 2];
        let kind = if which < 2 { "modern" } else { "legacy" };
        let data = read(&format!("pkcs12/{dir}-{kind}.p12"));
        let d = damaged(&data, at, xor, cut);
        let r = matrix_x509::pkcs12::Pkcs12::from_der(&d, "matrix");
        // Every byte of the file is under the MAC or the MAC itself, so no damaged
        // file loads.
        prop_assert!(r.is_err());
    }
}
