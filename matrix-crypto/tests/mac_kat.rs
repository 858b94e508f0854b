//! Known answers for HMAC (RFC 2202 for MD5 and SHA-1, RFC 4231 for SHA-2), and the SSL 3.0
//! and TLS record MACs checked against the RFC formulas computed here from the digests.

use matrix_crypto::hash::{Hash, Sha256};
use matrix_crypto::mac::Hmac;

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digit"))
        .collect()
}

/// The seven key/data pairs of RFC 2202 (MD5 and SHA-1 keys differ in cases 1, 3 and 5).
#[cfg(any(feature = "md5", feature = "sha1"))]
fn rfc2202_cases(key_len: usize) -> Vec<(Vec<u8>, Vec<u8>)> {
    vec![
        (vec![0x0b; key_len], b"Hi There".to_vec()),
        (b"Jefe".to_vec(), b"what do ya want for nothing?".to_vec()),
        (vec![0xaa; key_len], vec![0xdd; 50]),
        ((1..=25).collect(), vec![0xcd; 50]),
        (vec![0x0c; key_len], b"Test With Truncation".to_vec()),
        (
            vec![0xaa; 80],
            b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
        ),
        (
            vec![0xaa; 80],
            b"Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data".to_vec(),
        ),
    ]
}

fn check_hmac<H: Hash>(key: &[u8], data: &[u8], expected: &str) {
    let want = hex(expected);
    let tag = Hmac::<H>::mac(key, data);
    assert_eq!(&tag.as_ref()[..want.len()], &want[..], "{:?}", H::ALGORITHM);
    // Incremental, byte by byte, and verification of the full and truncated tags.
    let mut m = Hmac::<H>::new(key);
    data.iter().for_each(|b| m.update(&[*b]));
    assert!(m.verify(tag.as_ref()));
    if want.len() >= (H::OUTPUT_LEN / 2).max(10) {
        assert!(m.verify_truncated(&want));
    }
    let mut bad = tag;
    bad.as_mut()[H::OUTPUT_LEN - 1] ^= 1;
    assert!(!m.verify(bad.as_ref()));
    assert!(!m.verify(&tag.as_ref()[..H::OUTPUT_LEN - 1]));
    assert_eq!(m.finalize(), tag);
}

#[cfg(feature = "md5")]
#[test]
fn hmac_md5_rfc2202() {
    use matrix_crypto::hash::Md5;
    let expected = [
        "9294727a3638bb1c13f48ef8158bfc9d",
        "750c783e6ab0b503eaa86e310a5db738",
        "56be34521d144c88dbb8c733f0e8b3f6",
        "697eaf0aca3a3aea3a75164746ffaa79",
        "56461ef2342edc00f9bab995690efd4c",
        "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd",
        "6f630fad67cda0ee1fb1f562db3aa53e",
    ];
    for ((key, data), want) in rfc2202_cases(16).iter().zip(expected) {
        check_hmac::<Md5>(key, data, want);
    }
    // Case 5 also lists the tag truncated to 96 bits: too short for verify_truncated's
    // RFC 2104 floor of max(L/2, 80 bits)? 12 bytes >= 10: accepted.
    let m = {
        let mut m = Hmac::<Md5>::new(&[0x0c; 16]);
        m.update(b"Test With Truncation");
        m
    };
    assert!(m.verify_truncated(&hex("56461ef2342edc00f9bab995")));
    assert!(!m.verify_truncated(&hex("56461ef2342edc00f9")));
}

#[cfg(feature = "sha1")]
#[test]
fn hmac_sha1_rfc2202() {
    use matrix_crypto::hash::Sha1;
    let expected = [
        "b617318655057264e28bc0b6fb378c8ef146be00",
        "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79",
        "125d7342b9ac11cd91a39af48aa17b4f63f175d3",
        "4c9007f4026250c6bc8414f9bf50c86c2d7235da",
        "4c1a03424b55e07fe7f27be1d58bb9324a9a5a04",
        "aa4ae5e15272d00e95705637ce8a3b55ed402112",
        "e8e99d0f45237d786d6bbaa7965c7808bbff1a91",
    ];
    for ((key, data), want) in rfc2202_cases(20).iter().zip(expected) {
        check_hmac::<Sha1>(key, data, want);
    }
}

/// RFC 4231 test cases 1 to 7: (key, data) pairs.
fn rfc4231_cases() -> Vec<(Vec<u8>, Vec<u8>)> {
    vec![
        (vec![0x0b; 20], b"Hi There".to_vec()),
        (b"Jefe".to_vec(), b"what do ya want for nothing?".to_vec()),
        (vec![0xaa; 20], vec![0xdd; 50]),
        ((1..=25).collect(), vec![0xcd; 50]),
        (vec![0x0c; 20], b"Test With Truncation".to_vec()),
        (
            vec![0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First".to_vec(),
        ),
        (
            vec![0xaa; 131],
            b"This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".to_vec(),
        ),
    ]
}

#[test]
fn hmac_sha256_rfc4231() {
    let expected = [
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
        "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
        "a3b6167473100ee06e0c796c2955552b",
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
    ];
    for ((key, data), want) in rfc4231_cases().iter().zip(expected) {
        check_hmac::<Sha256>(key, data, want);
    }
}

#[cfg(feature = "sha512")]
#[test]
fn hmac_sha384_rfc4231() {
    use matrix_crypto::hash::Sha384;
    let expected = [
        "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
        "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
        "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27",
        "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb",
        "3abf34c3503b2a23a46efc619baef897",
        "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952",
        "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e",
    ];
    for ((key, data), want) in rfc4231_cases().iter().zip(expected) {
        check_hmac::<Sha384>(key, data, want);
    }
}

#[cfg(feature = "sha512")]
#[test]
fn hmac_sha512_rfc4231() {
    use matrix_crypto::hash::Sha512;
    let expected = [
        "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
        "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
        "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb",
        "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd",
        "415fad6271580a531d4179bc891d87a6",
        "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
        "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58",
    ];
    for ((key, data), want) in rfc4231_cases().iter().zip(expected) {
        check_hmac::<Sha512>(key, data, want);
    }
}

#[test]
fn truncated_tags_below_the_rfc2104_floor_are_refused() {
    let mut m = Hmac::<Sha256>::new(b"key");
    m.update(b"data");
    let tag = m.clone().finalize();
    assert!(m.verify_truncated(&tag[..16]));
    assert!(!m.verify_truncated(&tag[..15]));
    assert!(m.verify_truncated(&tag));
    let mut longer = tag.to_vec();
    longer.push(0);
    assert!(!m.verify_truncated(&longer));
    assert!(!m.verify(&longer));
}

/// The SSL 3.0 MAC straight from RFC 6101 5.2.3.1, one buffer per hash.
#[cfg(any(feature = "md5", feature = "sha1"))]
fn ssl3_mac_reference<H: Hash>(
    pad_len: usize,
    secret: &[u8],
    seq: u64,
    ty: u8,
    frag: &[u8],
) -> Vec<u8> {
    let mut inner = secret.to_vec();
    inner.extend(std::iter::repeat_n(0x36, pad_len));
    inner.extend_from_slice(&seq.to_be_bytes());
    inner.push(ty);
    inner.extend_from_slice(&(frag.len() as u16).to_be_bytes());
    inner.extend_from_slice(frag);
    let mut outer = secret.to_vec();
    outer.extend(std::iter::repeat_n(0x5c, pad_len));
    outer.extend_from_slice(H::digest(&inner).as_ref());
    H::digest(&outer).as_ref().to_vec()
}

#[cfg(any(feature = "md5", feature = "sha1"))]
fn check_ssl3_mac<H: matrix_crypto::mac::Ssl3Hash>(pad_len: usize) {
    use matrix_crypto::mac::{RecordMac, Ssl3Mac};
    assert_eq!(H::PAD_LEN, pad_len);
    let secret: Vec<u8> = (0..H::OUTPUT_LEN as u8)
        .map(|b| b.wrapping_mul(37))
        .collect();
    let mac = Ssl3Mac::<H>::new(&secret);
    for (seq, ty, len) in [
        (0u64, 23u8, 0usize),
        (1, 22, 1),
        (0x0102_0304_0506_0708, 23, 1000),
        (u64::MAX, 21, 16384),
    ] {
        let frag: Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
        let want = ssl3_mac_reference::<H>(pad_len, &secret, seq, ty, &frag);
        assert_eq!(mac.compute(seq, ty, &frag).unwrap().as_ref(), &want[..]);
        let mut out = [0u8; 64];
        mac.compute_into(seq, ty, &frag, &mut out).unwrap();
        assert_eq!(&out[..H::OUTPUT_LEN], &want[..]);
        assert_eq!(mac.mac_len(), H::OUTPUT_LEN);
        assert!(mac.verify(seq, ty, &frag, &want));
        assert!(!mac.verify(seq.wrapping_add(1), ty, &frag, &want));
        assert!(!mac.verify(seq, ty ^ 1, &frag, &want));
        assert!(!mac.verify(seq, ty, &frag, &want[1..]));
    }
    assert_eq!(
        mac.compute(0, 23, &vec![0; 65536]).err(),
        Some(matrix_crypto::Error::ArgFail)
    );
    assert!(!mac.verify(0, 23, &vec![0; 65536], &[0; 20]));
    let mut short = [0u8; 8];
    assert!(mac.compute_into(0, 23, b"x", &mut short).is_err());
}

#[cfg(feature = "md5")]
#[test]
fn ssl3_mac_md5_matches_rfc6101_formula() {
    check_ssl3_mac::<matrix_crypto::hash::Md5>(48);
}

#[cfg(feature = "sha1")]
#[test]
fn ssl3_mac_sha1_matches_rfc6101_formula() {
    check_ssl3_mac::<matrix_crypto::hash::Sha1>(40);
}

#[cfg(feature = "hmac")]
fn check_tls_mac<H: Hash>() {
    use matrix_crypto::mac::{RecordMac, TlsRecordMac};
    let secret = vec![0x42u8; H::OUTPUT_LEN];
    for version in [[3u8, 1u8], [3, 2], [254, 255]] {
        let mac = TlsRecordMac::<H>::new(&secret, version);
        for (seq, ty, frag) in [
            (0u64, 23u8, &b""[..]),
            (7, 22, &b"hello"[..]),
            (u64::MAX - 1, 23, &[0xab; 300][..]),
        ] {
            let mut input = seq.to_be_bytes().to_vec();
            input.push(ty);
            input.extend_from_slice(&version);
            input.extend_from_slice(&(frag.len() as u16).to_be_bytes());
            input.extend_from_slice(frag);
            let want = Hmac::<H>::mac(&secret, &input);
            assert_eq!(mac.compute(seq, ty, frag).unwrap(), want);
            assert!(mac.verify(seq, ty, frag, want.as_ref()));
            assert!(!mac.verify(seq ^ 1, ty, frag, want.as_ref()));
            assert_eq!(mac.mac_len(), H::OUTPUT_LEN);
        }
    }
}

#[cfg(all(feature = "hmac", feature = "sha1"))]
#[test]
fn tls_record_mac_sha1_is_hmac_over_the_header() {
    check_tls_mac::<matrix_crypto::hash::Sha1>();
}

#[cfg(all(feature = "hmac", feature = "md5"))]
#[test]
fn tls_record_mac_md5_is_hmac_over_the_header() {
    check_tls_mac::<matrix_crypto::hash::Md5>();
}

#[cfg(feature = "hmac")]
#[test]
fn tls_record_mac_sha256_is_hmac_over_the_header() {
    check_tls_mac::<Sha256>();
}
