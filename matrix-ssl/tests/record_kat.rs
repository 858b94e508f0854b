//! Known answers for the key derivation: the master secret and the key block (and where
//! each key sits in it) against computations written here from the RFCs' formulas over
//! matrix-crypto's hashes and HMAC, for every suite and version; and the RFC 4346 rule that
//! TLS 1.1 derives no IVs.

#[path = "record_data/support.rs"]
mod support;

use matrix_crypto::hash::{Hash, Md5, Sha1};
use matrix_crypto::mac::Hmac;
use matrix_ssl::codec::ProtocolVersion;
use matrix_ssl::record::{key_block, master_secret};
use matrix_ssl::suites::SUITES;
use support::*;

/// P_hash (RFC 2246 section 5), written out.
fn p_hash<H: Hash>(secret: &[u8], seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut a = Hmac::<H>::mac(secret, seed).as_ref().to_vec();
    while out.len() < len {
        out.extend_from_slice(Hmac::<H>::mac(secret, &[&a[..], seed].concat()).as_ref());
        a = Hmac::<H>::mac(secret, &a).as_ref().to_vec();
    }
    out.truncate(len);
    out
}

/// The TLS 1.0/1.1 PRF: P_MD5(S1) xor P_SHA-1(S2), S1 and S2 the halves of the secret.
fn prf(secret: &[u8], label: &[u8], seed: &[u8], len: usize) -> Vec<u8> {
    let half = secret.len().div_ceil(2);
    let s = [label, seed].concat();
    let md5 = p_hash::<Md5>(&secret[..half], &s, len);
    let sha = p_hash::<Sha1>(&secret[secret.len() - half..], &s, len);
    md5.iter().zip(&sha).map(|(a, b)| a ^ b).collect()
}

/// The SSL 3.0 expansion (RFC 6101 sections 6.1 and 6.2.2).
fn ssl3_expand(secret: &[u8], r1: &[u8], r2: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for i in 0..26u8 {
        let salt = vec![b'A' + i; usize::from(i) + 1];
        let inner = Sha1::digest(&[&salt[..], secret, r1, r2].concat());
        out.extend_from_slice(&Md5::digest(&[secret, &inner[..]].concat()));
        if out.len() >= len {
            break;
        }
    }
    out.truncate(len);
    out
}

#[test]
fn master_secret_and_key_block_match_the_rfc_formulas() {
    let premaster: Vec<u8> = (0..48u8).map(|i| i.wrapping_mul(13) ^ 0x03).collect();
    let cr: [u8; 32] = core::array::from_fn(|i| i as u8);
    let sr: [u8; 32] = core::array::from_fn(|i| 0xff - i as u8);
    for version in VERSIONS {
        let ms = master_secret(version, &premaster, &cr, &sr);
        let expect = if version.is_ssl3() {
            ssl3_expand(&premaster, &cr, &sr, 48)
        } else {
            prf(&premaster, b"master secret", &[cr, sr].concat(), 48)
        };
        assert_eq!(&ms[..], &expect[..], "{version:?}");

        for suite in SUITES.iter().filter(|s| !s.tls12_only()) {
            let kb = key_block(version, suite, &ms, &cr, &sr);
            let iv = if matches!(version, ProtocolVersion::SSLv3 | ProtocolVersion::TLSv1_0) {
                suite.block_len()
            } else {
                0
            };
            assert_eq!(suite.fixed_iv_len(version), iv);
            let (m, k) = (suite.mac_len(), suite.key_len());
            let len = 2 * (m + k + iv);
            assert_eq!(suite.key_block_len(version), len);
            let expect = if version.is_ssl3() {
                ssl3_expand(&ms[..], &sr, &cr, len)
            } else {
                prf(&ms[..], b"key expansion", &[sr, cr].concat(), len)
            };
            assert_eq!(kb.as_bytes(), &expect[..], "{} {version:?}", suite.name);
            // RFC 2246 section 6.3's order.
            assert_eq!(kb.client_write_mac(), &expect[..m]);
            assert_eq!(kb.server_write_mac(), &expect[m..2 * m]);
            assert_eq!(kb.client_write_key(), &expect[2 * m..2 * m + k]);
            assert_eq!(kb.server_write_key(), &expect[2 * m + k..2 * (m + k)]);
            assert_eq!(kb.client_write_iv(), &expect[2 * (m + k)..2 * (m + k) + iv]);
            assert_eq!(kb.server_write_iv(), &expect[2 * (m + k) + iv..]);
            // Debug shows lengths, never key bytes.
            let dbg = format!("{kb:?}");
            assert!(
                dbg.starts_with("KeyBlock") && !dbg.contains("bytes"),
                "{dbg}"
            );
        }
    }
}

#[test]
fn tls_prf_published_vector() {
    // The TLS 1.0/1.1 PRF test vector posted to the IETF TLS list (secret 48 x 0xab, label
    // "PRF Testvector", seed 64 x 0xcd, 104 bytes), checking the formula above, and so
    // the record layer's key derivation through it.
    let out = prf(&[0xab; 48], b"PRF Testvector", &[0xcd; 64], 104);
    assert_eq!(
        hex_str(&out),
        "d3d4d1e349b5d515044666d51de32bab258cb521b6b053463e354832fd976754\
         443bcf9a296519bc289abcbc1187e4ebd31e602353776c408aafb74cbc85eff6\
         9255f9788faa184cbb957a9819d84a5d7eb006eb459d3ae8de9810454b8b2d8f\
         1afbc655a8c9a013"
    );
}

fn hex_str(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn key_block_from_bytes_checks_its_length() {
    use matrix_ssl::record::KeyBlock;
    use zeroize::Zeroizing;
    let kb = KeyBlock::from_bytes(Zeroizing::new((0..24u8).collect()), 4, 6, 2).unwrap();
    assert_eq!(kb.client_write_mac(), &[0, 1, 2, 3]);
    assert_eq!(kb.server_write_mac(), &[4, 5, 6, 7]);
    assert_eq!(kb.client_write_key(), &[8, 9, 10, 11, 12, 13]);
    assert_eq!(kb.server_write_key(), &[14, 15, 16, 17, 18, 19]);
    assert_eq!(kb.client_write_iv(), &[20, 21]);
    assert_eq!(kb.server_write_iv(), &[22, 23]);
    assert!(KeyBlock::from_bytes(Zeroizing::new(vec![0; 23]), 4, 6, 2).is_none());
    assert!(KeyBlock::from_bytes(Zeroizing::new(vec![0; 0]), usize::MAX, 1, 0).is_none());
}

/// TLS 1.2: the master secret and key block come from the suite's PRF (RFC 5246 sections 5,
/// 6.3 and 8.1), P_SHA384 for the `_SHA384` suites; matrix-crypto's PRF itself is checked
/// against OpenSSL in its own tests. GCM key blocks carry a 4-byte salt per direction.
#[cfg(feature = "tls-1-2")]
#[test]
fn tls12_master_secret_and_key_block_use_the_suite_prf() {
    use matrix_ssl::record::master_secret_for;
    let v = ProtocolVersion::TLSv1_2;
    let premaster: Vec<u8> = (0..48u8).map(|i| i.wrapping_mul(7) ^ 0x55).collect();
    let cr: [u8; 32] = core::array::from_fn(|i| i as u8 ^ 0x5a);
    let sr: [u8; 32] = core::array::from_fn(|i| 0x80 + i as u8);
    for suite in SUITES.iter().filter(|s| s.allowed_in(v)) {
        let prf = suite.prf_hash();
        let ms = master_secret_for(v, suite, &premaster, &cr, &sr);
        assert_eq!(
            ms[..],
            prf.master_secret(&premaster, &cr, &sr)[..],
            "{}",
            suite.name
        );
        let iv = if suite.is_aead() { 4 } else { 0 };
        assert_eq!(suite.fixed_iv_len(v), iv);
        let len = 2 * (suite.mac_len() + suite.key_len() + iv);
        let kb = key_block(v, suite, &ms, &cr, &sr);
        assert_eq!(
            kb.as_bytes(),
            &prf.key_block(&ms, &cr, &sr, len)[..],
            "{}",
            suite.name
        );
        assert_eq!(kb.client_write_iv().len(), iv);
    }
    // Without a suite, TLS 1.2's master secret is the default P_SHA256.
    assert_eq!(
        master_secret(v, &premaster, &cr, &sr)[..],
        matrix_crypto::prf12::PrfHash::Sha256.master_secret(&premaster, &cr, &sr)[..]
    );
}
