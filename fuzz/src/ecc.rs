//! The ECC targets (the fuzz crate's feature `ecc`, RFC 8422): an ECDHE server and client
//! with ECDSA and RSA identities, EC certificates and chains, and EC private keys.
//!
//! They live in their own build because compiling `ecc` into matrix-ssl changes bytes our
//! other targets' sessions send (the ECDSA pairs of TLS 1.2's signature_algorithms, the
//! ecdsa_sign certificate type of a CertificateRequest): with it, the other targets'
//! recorded seeds would no longer replay. `RUN_TARGETS` is therefore these targets in an
//! `ecc` build and the others in the default one.
//!
//! - `server_ecdhe`: a server offering only the ECDHE suites, holding the ec-p256 (ECDSA)
//!   and rsa2048 identities. Byte 0 bit 0 makes it ask for a client certificate (the
//!   ec-p256 root is its CA): the client's EC chain and ECDSA CertificateVerify. Then the
//!   chunk-size byte and the client's bytes: ClientHello supported_groups and
//!   ec_point_formats, the ClientKeyExchange point (X25519, P-256, P-384).
//! - `client_ecdhe`: a client trusting the rsa2048, ec-p256 and ec-p384 roots, holding the
//!   ec-p256 chain as its client identity. Byte 0 picks the suites it offers (all ECDHE
//!   ones, or ECDHE_ECDSA AES-128-GCM, ECDHE_ECDSA AES-128-CBC-SHA, ECDHE_RSA
//!   AES-128-CBC-SHA) and the groups (the server then agrees on X25519, P-256 or P-384); then the chunk-size byte and the server's bytes: the ServerHello's
//!   ec_point_formats, the ECDSA or RSA chain, the signed ECDHE ServerKeyExchange, an
//!   ECDSA CertificateRequest.
//! - `ec_x509_cert`: certificates and chains (EC keys on P-256/P-384, ECDSA signatures,
//!   mixed with RSA) authenticated against the ec-p256, ec-p384 and rsa2048 roots.
//! - `ec_key`: EC private keys in every encoding (byte 0: no, the right or a wrong
//!   password, or the input as a PKCS#12 file).

use std::sync::{Arc, OnceLock};

use matrix_ssl::suites::KeyExchange;
use matrix_ssl::{Config, Context, Keys, Session};

use crate::{
    CLIENT_SEED, Digest, Harness, SERVER_SEED, Transcript, client_cert_callback,
    deterministic_context_with, drive, flush, only_suites, record_pair, split_mode, x509_against,
};

/// The ECC targets, by name (`fuzz_targets/<name>.rs`, `corpus/<name>/`).
pub const TARGETS: &[(&str, Harness)] = &[
    ("server_ecdhe", server_ecdhe),
    ("client_ecdhe", client_ecdhe),
    ("ec_x509_cert", ec_x509_cert),
    ("ec_key", ec_key),
];

/// The suites `client_ecdhe`'s selector byte picks (0: every ECDHE suite compiled in).
pub const CLIENT_SUITES: [u16; 4] = [0, 0xc02b, 0xc009, 0xc013];

/// The supported_groups lists `client_ecdhe`'s selector byte picks: with the server's
/// preference ([`SERVER_GROUPS`]) they agree on X25519, P-256 and P-384 in turn, and each
/// holds P-256, the curve of the server's ECDSA certificate (RFC 8422 section 5.1).
pub const CLIENT_GROUPS: [&[u16]; 3] = [
    &[Config::X25519, Config::SECP256R1, Config::SECP384R1],
    &[Config::SECP256R1],
    &[Config::SECP384R1, Config::SECP256R1],
];

/// The server's groups, most preferred first.
pub const SERVER_GROUPS: &[u16] = &[Config::X25519, Config::SECP384R1, Config::SECP256R1];

/// The selector byte of `client_ecdhe` for `CLIENT_SUITES[suite]` and
/// `CLIENT_GROUPS[groups]`.
pub fn client_selector(suite: usize, groups: usize) -> u8 {
    (suite % CLIENT_SUITES.len() + CLIENT_SUITES.len() * (groups % CLIENT_GROUPS.len())) as u8
}

/// The server identities: ec-p256 (ECDSA) and rsa2048 (ECDHE_RSA), the ec-p256 root as
/// the CA of client certificates.
fn server_keys() -> Option<Arc<Keys>> {
    static KEYS: OnceLock<Option<Arc<Keys>>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut k = Keys::new();
        k.load_rsa_keys_mem(
            Some(include_bytes!("../../testkeys/rsa2048/server-chain.pem")),
            Some(include_bytes!("../../testkeys/rsa2048/server.key")),
            None,
        )
        .ok()?;
        k.load_ec_keys_mem(
            Some(include_bytes!("../../testkeys/ec-p256/server-chain.pem")),
            Some(include_bytes!("../../testkeys/ec-p256/server.key")),
            None,
            Some(include_bytes!("../../testkeys/ec-p256/ca.pem")),
        )
        .ok()?;
        Some(Arc::new(k))
    })
    .clone()
}

/// The client's roots (rsa2048, ec-p256, ec-p384) and its EC client identity.
fn client_keys() -> Option<Arc<Keys>> {
    static KEYS: OnceLock<Option<Arc<Keys>>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let mut k = Keys::new();
        k.load_rsa_keys_mem(
            None,
            None,
            Some(include_bytes!("../../testkeys/rsa2048/ca.der")),
        )
        .ok()?;
        k.load_ec_keys_mem(
            Some(include_bytes!("../../testkeys/ec-p256/server-chain.pem")),
            Some(include_bytes!("../../testkeys/ec-p256/server.key")),
            None,
            Some(
                [
                    &include_bytes!("../../testkeys/ec-p256/ca.pem")[..],
                    &include_bytes!("../../testkeys/ec-p384/ca.pem")[..],
                ]
                .concat()
                .as_slice(),
            ),
        )
        .ok()?;
        Some(Arc::new(k))
    })
    .clone()
}

/// A deterministic context with only the ECDHE suites enabled and `groups` as its
/// supported_groups.
fn ecdhe_context(seed: u64, groups: &[u16]) -> Option<Context> {
    let ctx = deterministic_context_with(seed, |c| c.ec_groups = groups.to_vec())?;
    only_suites(ctx, |kx, _| {
        matches!(kx, KeyExchange::EcdheEcdsa | KeyExchange::EcdheRsa)
    })
}

/// A fresh ECDHE server; `client_auth`: it asks for a client certificate.
pub fn new_ecdhe_server(client_auth: bool) -> Option<Session> {
    let callback = client_auth.then(client_cert_callback);
    ecdhe_context(SERVER_SEED, SERVER_GROUPS)?
        .new_server_session(server_keys()?, callback)
        .ok()
}

/// A fresh ECDHE client of `selector` (see [`client_selector`]): the suite it offers and
/// its groups; its ClientHello is waiting in `get_outdata`.
pub fn new_ecdhe_client(selector: u8) -> Option<Session> {
    let n = usize::from(selector);
    let suite = CLIENT_SUITES[n % CLIENT_SUITES.len()];
    let groups = CLIENT_GROUPS[(n / CLIENT_SUITES.len()) % CLIENT_GROUPS.len()];
    ecdhe_context(CLIENT_SEED, groups)?
        .new_client_session(client_keys()?, None, suite, None, None)
        .ok()
}

/// The selector byte of `server_ecdhe` (bit 0: client authentication).
pub fn server_selector(client_auth: bool) -> u8 {
    u8::from(client_auth)
}

/// An ECDHE server fed arbitrary client bytes (byte 0: the selector, byte 1: the chunk
/// size).
pub fn server_ecdhe(data: &[u8]) -> u64 {
    let mut d = Digest::new();
    let Some((&sel, rest)) = data.split_first() else {
        return 0;
    };
    let Some(mut s) = new_ecdhe_server(sel & 1 == 1) else {
        return 0;
    };
    let (chunk, bytes) = split_mode(rest);
    drive(&mut s, bytes, chunk, &mut d);
    d.0
}

/// An ECDHE client, its ClientHello sent, fed arbitrary server bytes (byte 0: the
/// selector of [`client_selector`]; byte 1: the chunk size).
pub fn client_ecdhe(data: &[u8]) -> u64 {
    let mut d = Digest::new();
    let Some((&sel, rest)) = data.split_first() else {
        return 0;
    };
    let Some(mut c) = new_ecdhe_client(sel) else {
        return 0;
    };
    flush(&mut c, &mut d);
    let (chunk, bytes) = split_mode(rest);
    drive(&mut c, bytes, chunk, &mut d);
    d.0
}

/// Records a handshake of [`new_ecdhe_client`] `selector` with [`new_ecdhe_server`]
/// `client_auth`, as `record_handshake` does for the RSA targets.
pub fn record_ecdhe(
    selector: u8,
    client_auth: bool,
    app_data: &[u8],
) -> Result<Transcript, matrix_core::Error> {
    record_pair(
        new_ecdhe_client(selector).ok_or(matrix_core::Error::Failure)?,
        new_ecdhe_server(client_auth).ok_or(matrix_core::Error::Failure)?,
        app_data,
    )
}

/// The trusted roots of `ec_x509_cert`.
fn roots() -> &'static [matrix_x509::X509Cert] {
    static ROOTS: OnceLock<Vec<matrix_x509::X509Cert>> = OnceLock::new();
    ROOTS.get_or_init(|| {
        [
            &include_bytes!("../../testkeys/ec-p256/ca.pem")[..],
            &include_bytes!("../../testkeys/ec-p384/ca.pem")[..],
            &include_bytes!("../../testkeys/rsa2048/ca.pem")[..],
        ]
        .iter()
        .filter_map(|pem| matrix_x509::CertChain::from_bytes(pem).ok())
        .flat_map(matrix_x509::CertChain::into_certs)
        .collect()
    })
}

/// EC certificates: one DER certificate (every accessor, its EC key made usable, its
/// signature checked against itself), then the input as a chain authenticated against the
/// three roots.
pub fn ec_x509_cert(data: &[u8]) -> u64 {
    x509_against(data, roots(), |c, d| {
        d.add(u64::from(c.sig_algorithm.is_ecdsa()));
        d.add(u64::from(c.public_key.ec_key().is_some()));
    })
}

/// EC private keys: byte 0 picks no password, the right one (`matrix`), a wrong one, or
/// the input as a PKCS#12 file opened with `matrix`; the rest is PEM or DER in any
/// encoding (SEC 1, PKCS#8, encrypted PKCS#8, encrypted PEM), also tried with the SEC 1
/// and PKCS#8 parsers. A key that loads is used: it signs, and its public key verifies.
pub fn ec_key(data: &[u8]) -> u64 {
    let mut d = Digest::new();
    let Some((&mode, key)) = data.split_first() else {
        return 0;
    };
    let password: Option<&[u8]> = match mode % 4 {
        0 => None,
        1 => Some(b"matrix"),
        2 => Some(b"wrong password"),
        _ => return pkcs12(key, d),
    };
    match matrix_x509::ec_key::load_ec_private_key(key, password) {
        Ok(k) => {
            d.add(1);
            d.add(u64::from(k.curve().tls_id()));
            use_key(&k, &mut d);
        }
        Err(e) => d.add_err(e),
    }
    if password.is_none() {
        match matrix_x509::ec_key::ec_private_key_from_sec1(key, None) {
            Ok(_) => d.add(2),
            Err(e) => d.add_err(e),
        }
        match matrix_x509::ec_key::ec_private_key_from_pkcs8(key) {
            Ok(_) => d.add(3),
            Err(e) => d.add_err(e),
        }
    }
    d.0
}

/// A PKCS#12 file with an EC (or RSA) key.
fn pkcs12(data: &[u8], mut d: Digest) -> u64 {
    match matrix_x509::pkcs12::Pkcs12::from_der(data, "matrix") {
        Ok(p) => {
            d.add(4 + p.certs.len() as u64);
            d.add(u64::from(p.key.is_some()));
            if let Some(k) = &p.ec_key {
                use_key(k, &mut d);
            }
        }
        Err(e) => d.add_err(e),
    }
    d.0
}

/// A loaded key signs a digest its public key must verify.
fn use_key(k: &matrix_crypto::ec::EcPrivateKey, d: &mut Digest) {
    let digest = [0x5a; 32];
    match k.sign_digest(&digest) {
        Ok(sig) => {
            assert!(
                k.public_key().verify_digest(&digest, &sig).is_ok(),
                "a loaded EC key's signature does not verify"
            );
            d.add(5);
        }
        Err(e) => d.add_err(e),
    }
}
