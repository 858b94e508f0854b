//! Record protection for every compiled-in suite and version: round trips across several
//! records (IV chaining, RC4 key streams), sequence numbers, every single-bit flip and every
//! truncation, the MAC's coverage of type and version, and the limits.

#[path = "record_data/support.rs"]
mod support;

use matrix_ssl::codec::record::{MAX_CIPHERTEXT_LEN, MAX_PLAINTEXT_LEN};
use matrix_ssl::codec::{AlertDescription, ContentType, ProtocolVersion};
use matrix_ssl::record::{RecordError, Side, cipher_states, null_decrypter, null_encrypter};
use matrix_ssl::suites::BulkCipher;
use support::*;

const APP: ContentType = ContentType::ApplicationData;

fn plaintext(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31) ^ seed)
        .collect()
}

#[test]
fn some_combinations_are_compiled() {
    // The default features have five suites in three versions.
    assert!(!combinations().is_empty());
}

#[test]
fn round_trip_several_records_both_directions() {
    let lens = [
        0usize,
        1,
        15,
        16,
        17,
        31,
        100,
        1000,
        4097,
        MAX_PLAINTEXT_LEN,
    ];
    for (suite, version) in combinations() {
        let kb = keys(suite, version, 0);
        let (mut c_enc, mut c_dec) = cipher_states(version, suite, &kb, Side::Client).unwrap();
        let (mut s_enc, mut s_dec) = cipher_states(version, suite, &kb, Side::Server).unwrap();
        let mut rng = TestRng(0x1234_5678);
        for (seq, &len) in lens.iter().enumerate() {
            let seq = seq as u64;
            let p = plaintext(len, seq as u8);
            // Client to server.
            let mut out = vec![0xee; 3]; // encrypt appends
            c_enc
                .encrypt(seq, APP, version, &p, &mut rng, &mut out)
                .unwrap();
            assert_eq!(&out[..3], &[0xee; 3]);
            let mut frag = out.split_off(3);
            assert_eq!(
                frag.len(),
                c_enc.encrypted_len(len),
                "{} {version:?}",
                suite.name
            );
            if len > 0 {
                assert_ne!(&frag[..len], &p[..], "{} not encrypted", suite.name);
            }
            let r = s_dec.decrypt(seq, APP, version, &mut frag).unwrap();
            assert_eq!(&frag[r], &p[..], "{} {version:?} len {len}", suite.name);
            // Server to client, interleaved.
            let mut frag = Vec::new();
            s_enc
                .encrypt(
                    seq,
                    ContentType::Handshake,
                    version,
                    &p,
                    &mut rng,
                    &mut frag,
                )
                .unwrap();
            let r = c_dec
                .decrypt(seq, ContentType::Handshake, version, &mut frag)
                .unwrap();
            assert_eq!(&frag[r], &p[..]);
        }
    }
}

#[test]
fn implicit_iv_chains_and_explicit_iv_is_fresh() {
    for (suite, version) in combinations() {
        let kb = keys(suite, version, 1);
        let (mut enc, _) = pair(suite, version, &kb);
        let cbc = suite.is_cbc();
        let implicit = cbc && matches!(version, ProtocolVersion::SSLv3 | ProtocolVersion::TLSv1_0);
        assert_eq!(enc.wants_record_splitting(), implicit, "{}", suite.name);
        let mut rng = TestRng(99);
        let p = plaintext(40, 0);
        let (mut a, mut b) = (Vec::new(), Vec::new());
        enc.encrypt(0, APP, version, &p, &mut rng, &mut a).unwrap();
        enc.encrypt(0, APP, version, &p, &mut rng, &mut b).unwrap();
        // Same plaintext and sequence number: chaining, the key stream or a fresh IV must
        // still make the fragments differ.
        assert_ne!(a, b, "{} {version:?}", suite.name);
        if cbc && !implicit {
            // The explicit IV is the next bytes of the caller's randomness.
            let mut expect = TestRng(99);
            let mut iv = vec![0u8; suite.block_len()];
            use matrix_crypto::random::SecureRandom;
            expect.fill_bytes(&mut iv).unwrap();
            assert_eq!(&a[..iv.len()], &iv[..]);
        }
        if implicit {
            // The second record's IV is the first record's last ciphertext block: decrypting
            // the second alone with a fresh state (key-block IV) garbles its first block.
            let (_, mut fresh) = pair(suite, version, &kb);
            assert!(fresh.decrypt(1, APP, version, &mut b.clone()).is_err());
        }
    }
}

#[test]
fn sequence_number_type_and_version_are_authenticated() {
    for (suite, version) in combinations() {
        let kb = keys(suite, version, 2);
        let p = plaintext(50, 3);
        let mut frag = Vec::new();
        let (mut enc, _) = pair(suite, version, &kb);
        enc.encrypt(7, APP, version, &p, &mut TestRng(5), &mut frag)
            .unwrap();
        let try_dec = |seq, ct, v| {
            let (_, mut dec) = pair(suite, version, &kb);
            dec.decrypt(seq, ct, v, &mut frag.clone())
        };
        assert!(try_dec(7, APP, version).is_ok());
        for seq in [0, 6, 8, 7 | 1 << 48, u64::MAX] {
            assert_eq!(try_dec(seq, APP, version), Err(RecordError::BadRecordMac));
        }
        for ct in [
            ContentType::Handshake,
            ContentType::Alert,
            ContentType::Unknown(24),
        ] {
            assert_eq!(try_dec(7, ct, version), Err(RecordError::BadRecordMac));
        }
        let other = if version == TLS10 { TLS11 } else { TLS10 };
        if version.is_ssl3() {
            // The SSL 3.0 MAC does not cover the version (RFC 6101 section 5.2.3.1).
            assert!(try_dec(7, APP, other).is_ok());
        } else {
            assert_eq!(try_dec(7, APP, other), Err(RecordError::BadRecordMac));
        }
    }
}

#[test]
fn every_single_bit_flip_fails() {
    for (suite, version) in combinations() {
        let kb = keys(suite, version, 3);
        for len in [0usize, 37] {
            let p = plaintext(len, 9);
            let mut frag = Vec::new();
            let (mut enc, _) = pair(suite, version, &kb);
            enc.encrypt(0, APP, version, &p, &mut TestRng(77), &mut frag)
                .unwrap();
            for bit in 0..frag.len() * 8 {
                let mut bad = frag.clone();
                bad[bit / 8] ^= 1 << (bit % 8);
                let (_, mut dec) = pair(suite, version, &kb);
                let r = dec.decrypt(0, APP, version, &mut bad);
                assert_eq!(
                    r,
                    Err(RecordError::BadRecordMac),
                    "{} {version:?} len {len} bit {bit}",
                    suite.name
                );
                assert_eq!(
                    r.unwrap_err().alert(version),
                    AlertDescription::BadRecordMac
                );
            }
        }
    }
}

#[test]
fn every_truncation_and_extension_fails() {
    for (suite, version) in combinations() {
        let kb = keys(suite, version, 4);
        let p = plaintext(45, 1);
        let mut frag = Vec::new();
        let (mut enc, _) = pair(suite, version, &kb);
        enc.encrypt(0, APP, version, &p, &mut TestRng(1), &mut frag)
            .unwrap();
        for cut in 0..frag.len() {
            let (_, mut dec) = pair(suite, version, &kb);
            assert_eq!(
                dec.decrypt(0, APP, version, &mut frag[..cut].to_vec()),
                Err(RecordError::BadRecordMac),
                "{} {version:?} cut {cut}",
                suite.name
            );
            // Cutting from the front instead.
            let (_, mut dec) = pair(suite, version, &kb);
            assert!(
                dec.decrypt(0, APP, version, &mut frag[frag.len() - cut..].to_vec())
                    .is_err()
            );
        }
        // A block (or a byte) too many.
        let mut longer = frag.clone();
        longer.extend_from_slice(&vec![0u8; suite.block_len().max(1)]);
        let (_, mut dec) = pair(suite, version, &kb);
        assert_eq!(
            dec.decrypt(0, APP, version, &mut longer),
            Err(RecordError::BadRecordMac)
        );
    }
}

#[test]
fn limits() {
    for (suite, version) in combinations() {
        let kb = keys(suite, version, 5);
        let (mut enc, mut dec) = pair(suite, version, &kb);
        let mut out = vec![1, 2];
        assert_eq!(
            enc.encrypt(
                0,
                APP,
                version,
                &vec![0; MAX_PLAINTEXT_LEN + 1],
                &mut TestRng(1),
                &mut out
            ),
            Err(matrix_core::Error::LimitFail)
        );
        assert_eq!(out, [1, 2]);
        let mut huge = vec![0u8; MAX_CIPHERTEXT_LEN + 1];
        let err = dec.decrypt(0, APP, version, &mut huge).unwrap_err();
        assert_eq!(err, RecordError::RecordOverflow);
        let alert = if version.is_ssl3() {
            AlertDescription::BadRecordMac
        } else {
            AlertDescription::RecordOverflow
        };
        assert_eq!(err.alert(version), alert);
    }
}

#[test]
fn null_states() {
    let mut enc = null_encrypter();
    let mut dec = null_decrypter();
    assert!(!enc.wants_record_splitting());
    assert_eq!(enc.encrypted_len(123), 123);
    let mut out = Vec::new();
    enc.encrypt(0, APP, TLS10, b"hello", &mut TestRng(1), &mut out)
        .unwrap();
    assert_eq!(out, b"hello");
    assert_eq!(dec.decrypt(0, APP, TLS10, &mut out), Ok(0..5));
    let mut max = vec![0u8; MAX_PLAINTEXT_LEN];
    assert_eq!(
        dec.decrypt(0, APP, TLS10, &mut max),
        Ok(0..MAX_PLAINTEXT_LEN)
    );
    let mut over = vec![0u8; MAX_PLAINTEXT_LEN + 1];
    assert_eq!(
        dec.decrypt(0, APP, TLS11, &mut over),
        Err(RecordError::RecordOverflow)
    );
    assert_eq!(
        enc.encrypt(0, APP, TLS10, &over, &mut TestRng(1), &mut Vec::new()),
        Err(matrix_core::Error::LimitFail)
    );
}

#[test]
fn alerts() {
    for v in [TLS10, TLS11, DTLS10] {
        assert_eq!(
            RecordError::BadRecordMac.alert(v),
            AlertDescription::BadRecordMac
        );
        assert_eq!(
            RecordError::RecordOverflow.alert(v),
            AlertDescription::RecordOverflow
        );
        assert_eq!(
            RecordError::DecryptError.alert(v),
            AlertDescription::InternalError
        );
    }
    assert_eq!(
        RecordError::BadRecordMac.alert(SSL3),
        AlertDescription::BadRecordMac
    );
    assert_eq!(
        RecordError::RecordOverflow.alert(SSL3),
        AlertDescription::BadRecordMac
    );
    assert_eq!(
        RecordError::DecryptError.alert(SSL3),
        AlertDescription::HandshakeFailure
    );
}

#[test]
fn cipher_states_refuses_what_the_rfcs_and_the_build_forbid() {
    for suite in matrix_ssl::suites::SUITES {
        for version in [
            SSL3,
            TLS10,
            TLS11,
            DTLS10,
            ProtocolVersion::TLSv1_2,
            ProtocolVersion::Unknown(0x0200),
        ] {
            let kb = keys(suite, version, 6);
            let r = cipher_states(version, suite, &kb, Side::Client);
            let expect_ok = suite.allowed_in(version) && version_compiled(version);
            assert_eq!(r.is_ok(), expect_ok, "{} {version:?}", suite.name);
            if !expect_ok {
                assert_eq!(r.err(), Some(matrix_core::Error::UnsupportedFail));
            }
        }
        // A key block made for another version (TLS 1.0 has IVs, TLS 1.1 none), or for
        // another suite, has the wrong lengths.
        if suite.is_cbc() && suite.allowed_in(TLS11) && version_compiled(TLS11) {
            let kb = keys(suite, TLS10, 6);
            assert_eq!(
                cipher_states(TLS11, suite, &kb, Side::Server).err(),
                Some(matrix_core::Error::ArgFail)
            );
        }
    }
    for suite in matrix_ssl::suites::SUITES {
        if suite.bulk == BulkCipher::Rc4_128 {
            assert!(!suite.allowed_in(DTLS10));
        }
    }
}

#[test]
fn explicit_iv_states_survive_a_bad_record() {
    // DTLS drops a record that fails (RFC 4347 section 4.1.2.1) and goes on: with explicit
    // IVs nothing carries from one record to the next, so the next good record still opens.
    for (suite, version) in combinations() {
        if !suite.is_cbc() || matches!(version, ProtocolVersion::SSLv3 | ProtocolVersion::TLSv1_0) {
            continue;
        }
        let kb = keys(suite, version, 7);
        let (mut enc, mut dec) = pair(suite, version, &kb);
        let mut rng = TestRng(11);
        let epoch_seq = |epoch: u64, seq: u64| (epoch << 48) | seq;
        let mut bad = Vec::new();
        enc.encrypt(epoch_seq(1, 0), APP, version, b"first", &mut rng, &mut bad)
            .unwrap();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert_eq!(
            dec.decrypt(epoch_seq(1, 0), APP, version, &mut bad),
            Err(RecordError::BadRecordMac)
        );
        let mut good = Vec::new();
        enc.encrypt(
            epoch_seq(1, 1),
            APP,
            version,
            b"second",
            &mut rng,
            &mut good,
        )
        .unwrap();
        let r = dec
            .decrypt(epoch_seq(1, 1), APP, version, &mut good)
            .unwrap();
        assert_eq!(&good[r], b"second");
    }
}
