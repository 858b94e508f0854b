//! The cipher-suite table: entries, preference order, sizes and version rules.

use matrix_ssl::codec::{CipherSuite, ProtocolVersion};
use matrix_ssl::suites::{BulkCipher, KeyExchange, MacAlgorithm, SUITES, lookup};

/// Every MatrixSSL 3.2 suite in the documented preference order, with its feature.
const ORDER: [(u16, &str, &str); 42] = [
    (
        0xc02c,
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "tls-ecdhe-ecdsa-with-aes-256-gcm-sha384",
    ),
    (
        0xc030,
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "tls-ecdhe-rsa-with-aes-256-gcm-sha384",
    ),
    (
        0xc02b,
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "tls-ecdhe-ecdsa-with-aes-128-gcm-sha256",
    ),
    (
        0xc02f,
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "tls-ecdhe-rsa-with-aes-128-gcm-sha256",
    ),
    (
        0x009f,
        "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        "tls-dhe-rsa-with-aes-256-gcm-sha384",
    ),
    (
        0x009d,
        "TLS_RSA_WITH_AES_256_GCM_SHA384",
        "tls-rsa-with-aes-256-gcm-sha384",
    ),
    (
        0x009e,
        "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        "tls-dhe-rsa-with-aes-128-gcm-sha256",
    ),
    (
        0x009c,
        "TLS_RSA_WITH_AES_128_GCM_SHA256",
        "tls-rsa-with-aes-128-gcm-sha256",
    ),
    (
        0xc024,
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
        "tls-ecdhe-ecdsa-with-aes-256-cbc-sha384",
    ),
    (
        0xc028,
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        "tls-ecdhe-rsa-with-aes-256-cbc-sha384",
    ),
    (
        0xc023,
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
        "tls-ecdhe-ecdsa-with-aes-128-cbc-sha256",
    ),
    (
        0xc027,
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        "tls-ecdhe-rsa-with-aes-128-cbc-sha256",
    ),
    (
        0x006b,
        "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
        "tls-dhe-rsa-with-aes-256-cbc-sha256",
    ),
    (
        0x003d,
        "TLS_RSA_WITH_AES_256_CBC_SHA256",
        "tls-rsa-with-aes-256-cbc-sha256",
    ),
    (
        0x0067,
        "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
        "tls-dhe-rsa-with-aes-128-cbc-sha256",
    ),
    (
        0x003c,
        "TLS_RSA_WITH_AES_128_CBC_SHA256",
        "tls-rsa-with-aes-128-cbc-sha256",
    ),
    (
        0xc00a,
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        "tls-ecdhe-ecdsa-with-aes-256-cbc-sha",
    ),
    (
        0xc014,
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        "tls-ecdhe-rsa-with-aes-256-cbc-sha",
    ),
    (
        0xc009,
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        "tls-ecdhe-ecdsa-with-aes-128-cbc-sha",
    ),
    (
        0xc013,
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        "tls-ecdhe-rsa-with-aes-128-cbc-sha",
    ),
    (
        0x0039,
        "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
        "tls-dhe-rsa-with-aes-256-cbc-sha",
    ),
    (
        0x0035,
        "TLS_RSA_WITH_AES_256_CBC_SHA",
        "tls-rsa-with-aes-256-cbc-sha",
    ),
    (
        0x0033,
        "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
        "tls-dhe-rsa-with-aes-128-cbc-sha",
    ),
    (
        0x002f,
        "TLS_RSA_WITH_AES_128_CBC_SHA",
        "tls-rsa-with-aes-128-cbc-sha",
    ),
    (
        0x0016,
        "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
        "ssl-dhe-rsa-with-3des-ede-cbc-sha",
    ),
    (
        0x000a,
        "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
        "ssl-rsa-with-3des-ede-cbc-sha",
    ),
    (
        0x0096,
        "TLS_RSA_WITH_SEED_CBC_SHA",
        "tls-rsa-with-seed-cbc-sha",
    ),
    (
        0x0005,
        "TLS_RSA_WITH_RC4_128_SHA",
        "ssl-rsa-with-rc4-128-sha",
    ),
    (
        0x0004,
        "TLS_RSA_WITH_RC4_128_MD5",
        "ssl-rsa-with-rc4-128-md5",
    ),
    (
        0x00ab,
        "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384",
        "tls-dhe-psk-with-aes-256-gcm-sha384",
    ),
    (
        0x00aa,
        "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256",
        "tls-dhe-psk-with-aes-128-gcm-sha256",
    ),
    (
        0x00a9,
        "TLS_PSK_WITH_AES_256_GCM_SHA384",
        "tls-psk-with-aes-256-gcm-sha384",
    ),
    (
        0x00a8,
        "TLS_PSK_WITH_AES_128_GCM_SHA256",
        "tls-psk-with-aes-128-gcm-sha256",
    ),
    (
        0x00b3,
        "TLS_DHE_PSK_WITH_AES_256_CBC_SHA384",
        "tls-dhe-psk-with-aes-256-cbc-sha384",
    ),
    (
        0x00af,
        "TLS_PSK_WITH_AES_256_CBC_SHA384",
        "tls-psk-with-aes-256-cbc-sha384",
    ),
    (
        0x00b2,
        "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256",
        "tls-dhe-psk-with-aes-128-cbc-sha256",
    ),
    (
        0x00ae,
        "TLS_PSK_WITH_AES_128_CBC_SHA256",
        "tls-psk-with-aes-128-cbc-sha256",
    ),
    (
        0x0091,
        "TLS_DHE_PSK_WITH_AES_256_CBC_SHA",
        "tls-dhe-psk-with-aes-256-cbc-sha",
    ),
    (
        0x0090,
        "TLS_DHE_PSK_WITH_AES_128_CBC_SHA",
        "tls-dhe-psk-with-aes-128-cbc-sha",
    ),
    (
        0x008d,
        "TLS_PSK_WITH_AES_256_CBC_SHA",
        "tls-psk-with-aes-256-cbc-sha",
    ),
    (
        0x008c,
        "TLS_PSK_WITH_AES_128_CBC_SHA",
        "tls-psk-with-aes-128-cbc-sha",
    ),
    (
        0x0018,
        "TLS_DH_anon_WITH_RC4_128_MD5",
        "ssl-dh-anon-with-rc4-128-md5",
    ),
];

fn compiled(feature: &str) -> bool {
    // Mirrors matrix-ssl's Cargo features (cfg! needs literals).
    match feature {
        "tls-ecdhe-ecdsa-with-aes-256-gcm-sha384" => {
            cfg!(feature = "tls-ecdhe-ecdsa-with-aes-256-gcm-sha384")
        }
        "tls-ecdhe-rsa-with-aes-256-gcm-sha384" => {
            cfg!(feature = "tls-ecdhe-rsa-with-aes-256-gcm-sha384")
        }
        "tls-ecdhe-ecdsa-with-aes-128-gcm-sha256" => {
            cfg!(feature = "tls-ecdhe-ecdsa-with-aes-128-gcm-sha256")
        }
        "tls-ecdhe-rsa-with-aes-128-gcm-sha256" => {
            cfg!(feature = "tls-ecdhe-rsa-with-aes-128-gcm-sha256")
        }
        "tls-ecdhe-ecdsa-with-aes-256-cbc-sha384" => {
            cfg!(feature = "tls-ecdhe-ecdsa-with-aes-256-cbc-sha384")
        }
        "tls-ecdhe-rsa-with-aes-256-cbc-sha384" => {
            cfg!(feature = "tls-ecdhe-rsa-with-aes-256-cbc-sha384")
        }
        "tls-ecdhe-ecdsa-with-aes-128-cbc-sha256" => {
            cfg!(feature = "tls-ecdhe-ecdsa-with-aes-128-cbc-sha256")
        }
        "tls-ecdhe-rsa-with-aes-128-cbc-sha256" => {
            cfg!(feature = "tls-ecdhe-rsa-with-aes-128-cbc-sha256")
        }
        "tls-ecdhe-ecdsa-with-aes-256-cbc-sha" => {
            cfg!(feature = "tls-ecdhe-ecdsa-with-aes-256-cbc-sha")
        }
        "tls-ecdhe-rsa-with-aes-256-cbc-sha" => {
            cfg!(feature = "tls-ecdhe-rsa-with-aes-256-cbc-sha")
        }
        "tls-ecdhe-ecdsa-with-aes-128-cbc-sha" => {
            cfg!(feature = "tls-ecdhe-ecdsa-with-aes-128-cbc-sha")
        }
        "tls-ecdhe-rsa-with-aes-128-cbc-sha" => {
            cfg!(feature = "tls-ecdhe-rsa-with-aes-128-cbc-sha")
        }
        "tls-dhe-rsa-with-aes-256-cbc-sha" => cfg!(feature = "tls-dhe-rsa-with-aes-256-cbc-sha"),
        "tls-rsa-with-aes-256-cbc-sha" => cfg!(feature = "tls-rsa-with-aes-256-cbc-sha"),
        "tls-dhe-rsa-with-aes-128-cbc-sha" => cfg!(feature = "tls-dhe-rsa-with-aes-128-cbc-sha"),
        "tls-rsa-with-aes-128-cbc-sha" => cfg!(feature = "tls-rsa-with-aes-128-cbc-sha"),
        "ssl-dhe-rsa-with-3des-ede-cbc-sha" => cfg!(feature = "ssl-dhe-rsa-with-3des-ede-cbc-sha"),
        "ssl-rsa-with-3des-ede-cbc-sha" => cfg!(feature = "ssl-rsa-with-3des-ede-cbc-sha"),
        "tls-rsa-with-seed-cbc-sha" => cfg!(feature = "tls-rsa-with-seed-cbc-sha"),
        "ssl-rsa-with-rc4-128-sha" => cfg!(feature = "ssl-rsa-with-rc4-128-sha"),
        "ssl-rsa-with-rc4-128-md5" => cfg!(feature = "ssl-rsa-with-rc4-128-md5"),
        "tls-dhe-psk-with-aes-256-cbc-sha" => cfg!(feature = "tls-dhe-psk-with-aes-256-cbc-sha"),
        "tls-dhe-psk-with-aes-128-cbc-sha" => cfg!(feature = "tls-dhe-psk-with-aes-128-cbc-sha"),
        "tls-psk-with-aes-256-cbc-sha" => cfg!(feature = "tls-psk-with-aes-256-cbc-sha"),
        "tls-psk-with-aes-128-cbc-sha" => cfg!(feature = "tls-psk-with-aes-128-cbc-sha"),
        "ssl-dh-anon-with-rc4-128-md5" => cfg!(feature = "ssl-dh-anon-with-rc4-128-md5"),
        "tls-dhe-rsa-with-aes-256-gcm-sha384" => {
            cfg!(feature = "tls-dhe-rsa-with-aes-256-gcm-sha384")
        }
        "tls-rsa-with-aes-256-gcm-sha384" => cfg!(feature = "tls-rsa-with-aes-256-gcm-sha384"),
        "tls-dhe-rsa-with-aes-128-gcm-sha256" => {
            cfg!(feature = "tls-dhe-rsa-with-aes-128-gcm-sha256")
        }
        "tls-rsa-with-aes-128-gcm-sha256" => cfg!(feature = "tls-rsa-with-aes-128-gcm-sha256"),
        "tls-dhe-psk-with-aes-256-gcm-sha384" => {
            cfg!(feature = "tls-dhe-psk-with-aes-256-gcm-sha384")
        }
        "tls-dhe-psk-with-aes-128-gcm-sha256" => {
            cfg!(feature = "tls-dhe-psk-with-aes-128-gcm-sha256")
        }
        "tls-psk-with-aes-256-gcm-sha384" => cfg!(feature = "tls-psk-with-aes-256-gcm-sha384"),
        "tls-psk-with-aes-128-gcm-sha256" => cfg!(feature = "tls-psk-with-aes-128-gcm-sha256"),
        "tls-dhe-rsa-with-aes-256-cbc-sha256" => {
            cfg!(feature = "tls-dhe-rsa-with-aes-256-cbc-sha256")
        }
        "tls-rsa-with-aes-256-cbc-sha256" => cfg!(feature = "tls-rsa-with-aes-256-cbc-sha256"),
        "tls-dhe-rsa-with-aes-128-cbc-sha256" => {
            cfg!(feature = "tls-dhe-rsa-with-aes-128-cbc-sha256")
        }
        "tls-rsa-with-aes-128-cbc-sha256" => cfg!(feature = "tls-rsa-with-aes-128-cbc-sha256"),
        "tls-dhe-psk-with-aes-128-cbc-sha256" => {
            cfg!(feature = "tls-dhe-psk-with-aes-128-cbc-sha256")
        }
        "tls-psk-with-aes-128-cbc-sha256" => cfg!(feature = "tls-psk-with-aes-128-cbc-sha256"),
        "tls-dhe-psk-with-aes-256-cbc-sha384" => {
            cfg!(feature = "tls-dhe-psk-with-aes-256-cbc-sha384")
        }
        "tls-psk-with-aes-256-cbc-sha384" => cfg!(feature = "tls-psk-with-aes-256-cbc-sha384"),
        _ => unreachable!(),
    }
}

#[test]
fn table_is_the_compiled_suites_in_preference_order() {
    let expect: Vec<(u16, &str)> = ORDER
        .iter()
        .filter(|(_, _, f)| compiled(f))
        .map(|&(id, name, _)| (id, name))
        .collect();
    let got: Vec<(u16, &str)> = SUITES.iter().map(|s| (s.suite.get(), s.name)).collect();
    assert_eq!(got, expect);
    for &(id, _, f) in &ORDER {
        assert_eq!(
            lookup(CipherSuite::from(id)).is_some(),
            compiled(f),
            "{id:#06x}"
        );
    }
    assert!(lookup(CipherSuite::TLS_NULL_WITH_NULL_NULL).is_none());
    assert!(lookup(CipherSuite::TLS_EMPTY_RENEGOTIATION_INFO_SCSV).is_none());
}

#[test]
fn entries_agree_with_their_names() {
    for s in SUITES {
        let n = s.name;
        let kx = if n.starts_with("TLS_ECDHE_RSA") {
            KeyExchange::EcdheRsa
        } else if n.starts_with("TLS_ECDHE_ECDSA") {
            KeyExchange::EcdheEcdsa
        } else if n.starts_with("TLS_DHE_RSA") {
            KeyExchange::DheRsa
        } else if n.starts_with("TLS_DHE_PSK") {
            KeyExchange::DhePsk
        } else if n.starts_with("TLS_PSK") {
            KeyExchange::Psk
        } else if n.starts_with("TLS_DH_anon") {
            KeyExchange::DhAnon
        } else {
            KeyExchange::Rsa
        };
        assert_eq!(s.kx, kx, "{n}");
        if n.contains("_GCM_") {
            // RFC 5288 / RFC 5487: an AEAD, no MAC, a 4-byte implicit nonce in the key block,
            // TLS 1.2 only; the SHA-384 PRF with AES-256.
            let (bulk, key, sha384) = if n.contains("AES_128") {
                (BulkCipher::Aes128Gcm, 16, false)
            } else {
                assert!(n.contains("AES_256"), "{n}");
                (BulkCipher::Aes256Gcm, 32, true)
            };
            assert_eq!(n.ends_with("_SHA384"), sha384, "{n}");
            assert!(sha384 || n.ends_with("_SHA256"), "{n}");
            assert_eq!((s.bulk, s.key_len(), s.block_len()), (bulk, key, 0), "{n}");
            assert!(s.is_aead() && !s.is_cbc());
            assert_eq!((s.mac, s.mac_len()), (MacAlgorithm::Aead, 0), "{n}");
            assert_eq!(s.fixed_iv_len(ProtocolVersion::TLSv1_2), 4);
            assert_eq!(s.key_block_len(ProtocolVersion::TLSv1_2), 2 * (key + 4));
            assert!(s.allowed_in(ProtocolVersion::TLSv1_2));
            for v in [
                ProtocolVersion::SSLv3,
                ProtocolVersion::TLSv1_0,
                ProtocolVersion::TLSv1_1,
                ProtocolVersion::DTLSv1_0,
                ProtocolVersion::Unknown(0x0200),
            ] {
                assert!(!s.allowed_in(v), "{n} {v:?}");
            }
            continue;
        }
        let (bulk, key, block) = if n.contains("AES_128") {
            (BulkCipher::Aes128Cbc, 16, 16)
        } else if n.contains("AES_256") {
            (BulkCipher::Aes256Cbc, 32, 16)
        } else if n.contains("3DES") {
            (BulkCipher::TripleDesCbc, 24, 8)
        } else if n.contains("SEED") {
            (BulkCipher::SeedCbc, 16, 16)
        } else {
            assert!(n.contains("RC4_128"));
            (BulkCipher::Rc4_128, 16, 0)
        };
        assert_eq!(
            (s.bulk, s.key_len(), s.block_len()),
            (bulk, key, block),
            "{n}"
        );
        assert_eq!(s.is_cbc(), block != 0);
        if n.ends_with("_SHA256") || n.ends_with("_SHA384") {
            // RFC 5246 / RFC 5487: HMAC-SHA256 (or HMAC-SHA384 with the SHA-384 PRF),
            // explicit IVs, TLS 1.2 only.
            let (mac, mac_len) = if n.ends_with("_SHA384") {
                (MacAlgorithm::Sha384, 48)
            } else {
                (MacAlgorithm::Sha256, 32)
            };
            assert_eq!((s.mac, s.mac_len()), (mac, mac_len), "{n}");
            assert_eq!(s.fixed_iv_len(ProtocolVersion::TLSv1_2), 0);
            assert_eq!(
                s.key_block_len(ProtocolVersion::TLSv1_2),
                2 * (mac_len + key)
            );
            // The PRF hash is chosen only in TLS 1.2 builds.
            #[cfg(feature = "tls-1-2")]
            assert_eq!(
                s.prf_hash() == matrix_crypto::prf12::PrfHash::Sha384,
                mac_len == 48,
                "{n}"
            );
            assert!(s.allowed_in(ProtocolVersion::TLSv1_2) && s.tls12_only());
            for v in [
                ProtocolVersion::SSLv3,
                ProtocolVersion::TLSv1_0,
                ProtocolVersion::TLSv1_1,
                ProtocolVersion::DTLSv1_0,
            ] {
                assert!(!s.allowed_in(v), "{n} {v:?}");
            }
            continue;
        }
        let (mac, mac_len) = if n.ends_with("_MD5") {
            (MacAlgorithm::Md5, 16)
        } else {
            assert!(n.ends_with("_SHA"));
            (MacAlgorithm::Sha1, 20)
        };
        assert_eq!((s.mac, s.mac_len()), (mac, mac_len), "{n}");
        // Key block: IVs in SSL 3.0 and TLS 1.0 only (RFC 4346 section 6.3).
        for v in [ProtocolVersion::SSLv3, ProtocolVersion::TLSv1_0] {
            assert_eq!(s.fixed_iv_len(v), block);
            assert_eq!(s.key_block_len(v), 2 * (mac_len + key + block));
        }
        for v in [ProtocolVersion::TLSv1_1, ProtocolVersion::DTLSv1_0] {
            assert_eq!(s.fixed_iv_len(v), 0);
            assert_eq!(s.key_block_len(v), 2 * (mac_len + key));
        }
        // Versions.
        let psk = matches!(s.kx, KeyExchange::Psk | KeyExchange::DhePsk);
        let seed = s.bulk == BulkCipher::SeedCbc;
        // RFC 8422's suites are TLS only.
        let ecdhe = s.kx.is_ecdhe();
        assert_eq!(
            s.allowed_in(ProtocolVersion::SSLv3),
            !psk && !seed && !ecdhe,
            "{n}"
        );
        assert!(s.allowed_in(ProtocolVersion::TLSv1_0));
        assert!(s.allowed_in(ProtocolVersion::TLSv1_1));
        assert_eq!(s.allowed_in(ProtocolVersion::DTLSv1_0), s.is_cbc(), "{n}");
        // RFC 5246: the older suites stay usable in TLS 1.2.
        assert!(s.allowed_in(ProtocolVersion::TLSv1_2));
        assert!(!s.allowed_in(ProtocolVersion::Unknown(0x0200)));
    }
}
