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
//! With `pkcs5`, `pkcs8` and `pkcs12` (which no longer imply RSA: only
//! `private-key-parsing` brings RSA, with its key type) the EC key in every encrypted
//! encoding and EC PKCS#12 files load, and an identity from them completes a handshake;
//! an RSA key in a PKCS#12 file is `PS_UNSUPPORTED_FAIL`.
//!
//! Runs only in such a build; `cargo xtask ci` runs it as
//! `cargo test -p matrix-ssl --no-default-features --features std,pem-decode,pkcs5,pkcs8,pkcs12,client-side-ssl,server-side-ssl,secp256r1,tls-ecdhe-ecdsa-with-aes-128-gcm-sha256,tls-ecdhe-ecdsa-with-aes-128-cbc-sha --test ecdsa_only`
//! (and checks that neither matrix-crypto's `rsa` nor matrix-x509's `x509` or
//! `private-key-parsing` is in its feature tree).
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
    // An RSA key in a PKCS#12 file (with or without `pkcs12`).
    assert_eq!(
        k.load_pkcs12_mem(&read("pkcs12/server-modern.p12"), b"matrix", None),
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

/// Without `pkcs12` an EC PKCS#12 file cannot be read either.
#[cfg(not(feature = "pkcs12"))]
#[test]
fn pkcs12_is_unsupported_without_the_feature() {
    assert_eq!(
        Keys::new().load_pkcs12_mem(&read("pkcs12/ec-p256-modern.p12"), b"matrix", None),
        Err(Error::UnsupportedFail)
    );
}

/// Encrypted EC keys and EC PKCS#12 files without RSA: each encoding of the P-256 server
/// key `ec-keys.sh`/`ecdsa.sh` writes loads with the password (and is `PS_AUTH_FAIL` with
/// a wrong one, `PS_ARG_FAIL` without one), and an identity from a PKCS#12 file completes
/// an ECDHE_ECDSA handshake.
#[cfg(all(feature = "pkcs5", feature = "pkcs8", feature = "pkcs12"))]
mod encrypted_ec_keys {
    use super::*;

    const ENCRYPTED: [&str; 8] = [
        "server-enc-aes-128-cbc.pem",
        "server-enc-aes-256-cbc.pem",
        "server-enc-des-ede3-cbc.pem",
        "server-pkcs8-aes256.pem",
        "server-pkcs8-aes256-default.pem",
        "server-pkcs8-sha1-3des.pem",
        "server-pkcs8-des3.der",
        "server-pkcs8.der",
    ];

    fn load(dir: &str, file: &str, password: Option<&[u8]>) -> Result<(), Error> {
        Keys::new().load_ec_keys_mem(
            Some(&read(&format!("{dir}/server-chain.pem"))),
            Some(&read(&format!("{dir}/{file}"))),
            password,
            None,
        )
    }

    #[test]
    fn every_encrypted_encoding_loads_with_its_password() {
        for dir in our_curves() {
            for file in ENCRYPTED {
                let what = format!("{dir}/{file}");
                assert_eq!(load(dir, file, Some(b"matrix")), Ok(()), "{what}");
                if file == "server-pkcs8.der" {
                    continue; // not encrypted
                }
                assert_eq!(
                    load(dir, file, Some(b"not matrix")),
                    Err(Error::AuthFail),
                    "{what}"
                );
                assert_eq!(load(dir, file, None), Err(Error::ArgFail), "{what}");
            }
        }
    }

    #[test]
    fn pkcs12_identities_complete_a_handshake() {
        for dir in our_curves() {
            let curve = dir.trim_start_matches("ec-");
            for form in ["modern", "legacy"] {
                let what = format!("{dir} {form}");
                let mut k = Keys::new();
                assert_eq!(
                    k.load_pkcs12_mem(
                        &read(&format!("pkcs12/ec-{curve}-{form}.p12")),
                        b"matrix",
                        None
                    ),
                    Ok(()),
                    "{what}"
                );
                assert!(k.has_ec_identity() && !k.has_rsa_identity(), "{what}");
                assert_eq!(
                    Keys::new().load_pkcs12_mem(
                        &read(&format!("pkcs12/ec-{curve}-{form}.p12")),
                        b"wrong",
                        None
                    ),
                    Err(Error::AuthFail),
                    "{what}"
                );
                let mut c = ctx()
                    .new_client_session(
                        trusting(&[&format!("{dir}/ca.pem")]),
                        None,
                        GCM,
                        None,
                        None,
                    )
                    .unwrap();
                let mut s = ctx().new_server_session(Arc::new(k), None).unwrap();
                handshake(&mut c, &mut s, 1 << 14);
                assert_eq!(c.cipher_suite().map(|s| s.get()), Some(GCM), "{what}");
                send_all(&mut c, &mut s, &pattern(1000), 1 << 14);
            }
        }
    }
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

    /// A server flight (ServerHello, Certificate, ServerKeyExchange, ServerHelloDone) of
    /// a P-256 server whose Certificate message carries the chain of `pem` instead. A build
    /// without P-384 cannot load a P-384 identity, so the flight is edited: the client
    /// reads nothing after the Certificate message when it refuses it.
    fn flight_with_chain(pem: &str) -> Vec<u8> {
        let mut c = ctx()
            .new_client_session(trusting(&["ec-p256/ca.pem"]), None, GCM, None, None)
            .unwrap();
        let mut s = ctx()
            .new_server_session(ec_server("ec-p256/server-chain.pem", "ec-p256"), None)
            .unwrap();
        pump(&mut c, &mut s, 1 << 14);
        let flight = take_out(&mut s, 1 << 14, &mut Vec::new());
        // The handshake messages of the flight's records (all of type 22).
        let mut messages = Vec::new();
        let mut rest = &flight[..];
        while !rest.is_empty() {
            assert_eq!(rest[0], 22, "{flight:?}");
            let len = usize::from(u16::from_be_bytes([rest[3], rest[4]]));
            messages.extend_from_slice(&rest[5..5 + len]);
            rest = &rest[5 + len..];
        }
        let chain =
            matrix_x509::CertChain::from_pem(std::str::from_utf8(&read(pem)).unwrap()).unwrap();
        let mut list = Vec::new();
        for cert in chain.certs() {
            list.extend_from_slice(&u24(cert.der.len()));
            list.extend_from_slice(&cert.der);
        }
        let mut body = u24(list.len()).to_vec();
        body.extend_from_slice(&list);
        // One record per message, the Certificate message replaced.
        let mut out = Vec::new();
        let mut rest = &messages[..];
        while !rest.is_empty() {
            let len = usize::from(rest[1]) << 16 | usize::from(rest[2]) << 8 | usize::from(rest[3]);
            let mut msg = rest[..4 + len].to_vec();
            if msg[0] == 11 {
                msg = vec![11];
                msg.extend_from_slice(&u24(body.len()));
                msg.extend_from_slice(&body);
            }
            rest = &rest[4 + len..];
            out.extend_from_slice(&[22, flight[1], flight[2]]);
            out.extend_from_slice(&u16::try_from(msg.len()).unwrap().to_be_bytes());
            out.extend_from_slice(&msg);
        }
        out
    }

    fn u24(n: usize) -> [u8; 3] {
        let b = u32::try_from(n).unwrap().to_be_bytes();
        [b[1], b[2], b[3]]
    }

    /// A P-256-only client given a chain with a P-384 key or a P-384 signature: the link
    /// signed by a P-384 key cannot verify (PS_CERT_AUTH_FAIL_SIG on that certificate, the
    /// chain PS_CERT_AUTH_FAIL), so the client sends the fatal alert the callback is given
    /// for a signature that does not verify: bad_certificate (RFC 5246 section 7.2.2;
    /// MatrixSSL passes SSL_ALERT_BAD_CERTIFICATE to the callback). Checked with the P-384
    /// root trusted (ec-p384: P-384 leaf, intermediate and root) and through a mixed chain
    /// (ec-mixed: a P-256 leaf signed by a P-384 intermediate under the rsa2048 root).
    #[test]
    fn a_p384_chain_is_refused_with_bad_certificate() {
        for (chain, ca) in [
            ("ec-p384/server-chain.pem", "ec-p384/ca.pem"),
            ("ec-mixed/rsa-root-chain.pem", "rsa2048/ca.pem"),
        ] {
            let flight = flight_with_chain(chain);
            let seen = Arc::new(std::sync::Mutex::new(None));
            let record = Arc::clone(&seen);
            let validator: matrix_ssl::CertValidator = Box::new(move |_, chain, alert| {
                let statuses: Vec<_> = chain.certs().iter().map(|c| c.auth_status).collect();
                *record.lock().unwrap() = Some((statuses, alert));
                match alert {
                    Some(a) => matrix_ssl::Verdict::Alert(a),
                    None => matrix_ssl::Verdict::Continue,
                }
            });
            let mut c = ctx()
                .new_client_session(trusting(&[ca]), None, GCM, Some(validator), None)
                .unwrap();
            let _hello = take_out(&mut c, 1 << 14, &mut Vec::new());
            feed_expecting_alert(&mut c, &flight, AlertDescription::BadCertificate);
            let (statuses, alert) = seen.lock().unwrap().take().expect("the callback ran");
            assert_eq!(alert, Some(AlertDescription::BadCertificate), "{chain}");
            // The leaf's link (signed with the intermediate's P-384 key) fails on its
            // signature; authentication stops there.
            assert_eq!(statuses[0], matrix_x509::AuthStatus::FailSig, "{chain}");
            assert!(
                statuses[1..]
                    .iter()
                    .all(|s| *s == matrix_x509::AuthStatus::Untested),
                "{chain}: {statuses:?}"
            );
        }
        // Without a callback the same alert goes out.
        let flight = flight_with_chain("ec-p384/server-chain.pem");
        let mut c = ctx()
            .new_client_session(trusting(&["ec-p384/ca.pem"]), None, GCM, None, None)
            .unwrap();
        let _hello = take_out(&mut c, 1 << 14, &mut Vec::new());
        feed_expecting_alert(&mut c, &flight, AlertDescription::BadCertificate);
    }

    /// A callback that accepts the P-384 chain anyway (SSL_ALLOW_ANON_CONNECTION or 0)
    /// cannot make its key usable: the leaf's P-384 key is of a type this build does not
    /// support, so the client answers unsupported_certificate (RFC 5246 section 7.2.2)
    /// before any ServerKeyExchange is read.
    #[test]
    fn a_p384_leaf_accepted_by_the_callback_is_unsupported_certificate() {
        for verdict in [
            matrix_ssl::Verdict::Continue,
            matrix_ssl::Verdict::AllowAnon,
        ] {
            let flight = flight_with_chain("ec-p384/server-chain.pem");
            let accept = verdict;
            let validator: matrix_ssl::CertValidator = Box::new(move |_, _, _| accept);
            let mut c = ctx()
                .new_client_session(
                    trusting(&["ec-p384/ca.pem"]),
                    None,
                    GCM,
                    Some(validator),
                    None,
                )
                .unwrap();
            let _hello = take_out(&mut c, 1 << 14, &mut Vec::new());
            feed_expecting_alert(&mut c, &flight, AlertDescription::UnsupportedCertificate);
        }
    }

    /// A P-256 chain whose leaf is signed with ecdsa-with-SHA384 (or -SHA1), in place of
    /// the server's: verified when the build compiles that hash (the client goes on to the
    /// ServerKeyExchange), refused with bad_certificate when not (the link's signature
    /// cannot be checked: PS_CERT_AUTH_FAIL_SIG, as for any unsupported algorithm). CI's
    /// build has SHA-1 (through `pkcs5`/`pkcs8`) but not SHA-384.
    #[test]
    fn a_chain_signed_with_a_missing_hash_is_bad_certificate() {
        use matrix_crypto::alg::HashAlgorithm;
        for (chain, hash) in [
            ("ec-p256/server-sha384-chain.pem", HashAlgorithm::Sha384),
            ("ec-p256/server-sha1-chain.pem", HashAlgorithm::Sha1),
        ] {
            let flight = flight_with_chain(chain);
            let mut c = ctx()
                .new_client_session(trusting(&["ec-p256/ca.pem"]), None, GCM, None, None)
                .unwrap();
            let _hello = take_out(&mut c, 1 << 14, &mut Vec::new());
            // The flight was made for another client's random, so a chain that passes gets
            // as far as the ServerKeyExchange, whose signature then fails: decrypt_error.
            let alert = if hash.is_compiled() {
                AlertDescription::DecryptError
            } else {
                AlertDescription::BadCertificate
            };
            feed_expecting_alert(&mut c, &flight, alert);
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

/// Without `ssl3`, `tls` or `tls-1-1` (CI's ECDSA-only build names no version: its suites
/// turn on `tls-1-2` alone) the build speaks TLS 1.2 only, in both roles: an older version
/// is refused with protocol_version (RFC 5246 appendix E.1), whichever side names it.
#[cfg(not(any(feature = "ssl3", feature = "tls", feature = "tls-1-1")))]
mod tls12_only {
    use super::*;

    /// Our P-256 server's first flight to a client offering `suite`, with its
    /// ServerHello's server_version rewritten to `version`.
    fn server_flight_answering(
        suite: u16,
        version: ProtocolVersion,
    ) -> (matrix_ssl::Session, Vec<u8>) {
        let mut c = ctx()
            .new_client_session(trusting(&["ec-p256/ca.pem"]), None, suite, None, None)
            .unwrap();
        let mut s = ctx()
            .new_server_session(ec_server("ec-p256/server-chain.pem", "ec-p256"), None)
            .unwrap();
        pump(&mut c, &mut s, 1 << 14);
        let mut flight = take_out(&mut s, 1 << 14, &mut Vec::new());
        // Record header (5 bytes), handshake header (4 bytes), then server_version.
        assert_eq!((flight[0], flight[5]), (22, 2), "{flight:?}");
        flight[9..11].copy_from_slice(&version.get().to_be_bytes());
        (c, flight)
    }

    /// The client offers {3,3} and refuses a server that answers TLS 1.1, TLS 1.0 or
    /// SSL 3.0 (a version it did offer as the minimum in a TLS 1.0-1.2 build) with
    /// protocol_version.
    #[test]
    fn the_client_refuses_an_older_server_version() {
        for version in [
            ProtocolVersion::TLSv1_1,
            ProtocolVersion::TLSv1_0,
            ProtocolVersion::SSLv3,
        ] {
            for suite in [GCM, CBC] {
                let (mut c, flight) = server_flight_answering(suite, version);
                feed_expecting_alert(&mut c, &flight, AlertDescription::ProtocolVersion);
            }
        }
    }

    /// The ClientHello's client_version is {3,3}, and its record version too.
    #[test]
    fn the_client_offers_tls_1_2() {
        let mut c = ctx()
            .new_client_session(trusting(&["ec-p256/ca.pem"]), None, GCM, None, None)
            .unwrap();
        let hello = take_out(&mut c, 1 << 14, &mut Vec::new());
        assert_eq!((hello[0], hello[5]), (22, 1), "{hello:?}");
        assert_eq!(&hello[9..11], &[3, 3], "client_version");
    }

    /// signature_algorithms lists exactly the ECDSA pairs whose hash this build compiles
    /// (RFC 5246 section 7.4.1.4.1): SHA-256 always; SHA-384 and SHA-512 only with
    /// matrix-crypto's `sha512` (not in a P-256-only build without a SHA-384 suite); SHA-1
    /// only if something compiled it (CI's build has it through `pkcs5`/`pkcs8`); no RSA
    /// pair in a build without RSA.
    #[test]
    fn signature_algorithms_offer_only_compiled_hashes() {
        use matrix_crypto::alg::HashAlgorithm;
        let mut c = ctx()
            .new_client_session(trusting(&["ec-p256/ca.pem"]), None, GCM, None, None)
            .unwrap();
        let hello = take_out(&mut c, 1 << 14, &mut Vec::new());
        let mut want: Vec<u8> = vec![4, 3];
        if HashAlgorithm::Sha384.is_compiled() {
            want.extend_from_slice(&[5, 3, 6, 3]);
        }
        if HashAlgorithm::Sha1.is_compiled() {
            want.extend_from_slice(&[2, 3]);
        }
        // Extension 13: type, length, list length, then the pairs.
        let n = u8::try_from(want.len()).unwrap();
        let mut ext = vec![0, 13, 0, n + 2, 0, n];
        ext.extend_from_slice(&want);
        assert!(
            hello.windows(ext.len()).any(|w| w == ext),
            "{want:?} not in {hello:?}"
        );
        if cfg!(not(feature = "secp384r1")) {
            assert!(
                !HashAlgorithm::Sha384.is_compiled(),
                "SHA-384 without a need"
            );
        }
    }

    /// The server refuses a ClientHello whose client_version is TLS 1.1 with
    /// protocol_version (the TLS 1.1 client is our own client's hello, rewritten).
    #[test]
    fn the_server_refuses_a_tls_1_1_client() {
        let mut c = ctx()
            .new_client_session(trusting(&["ec-p256/ca.pem"]), None, GCM, None, None)
            .unwrap();
        let mut hello = take_out(&mut c, 1 << 14, &mut Vec::new());
        hello[9..11].copy_from_slice(&ProtocolVersion::TLSv1_1.get().to_be_bytes());
        let mut s = ctx()
            .new_server_session(ec_server("ec-p256/server-chain.pem", "ec-p256"), None)
            .unwrap();
        feed_expecting_alert(&mut s, &hello, AlertDescription::ProtocolVersion);
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
