//! TLS 1.2's AEAD records (RFC 5246 section 6.2.3.3, RFC 5288 section 3) through the public
//! record API: the wire layout (explicit nonce = sequence number, then ciphertext, then the
//! 16-byte tag) checked against matrix-crypto's AES-GCM with the nonce and additional data
//! built here from the RFC's text; every tampered, truncated or misattributed record is the
//! same `bad_record_mac`; length limits.
#![cfg(all(feature = "tls-1-2", feature = "aead-records"))]

use matrix_crypto::cipher::AesGcm;
use matrix_crypto::drbg::HmacDrbg;
use matrix_ssl::codec::{ContentType, ProtocolVersion};
use matrix_ssl::record::{KeyBlock, RecordError, Side, cipher_states};
use matrix_ssl::suites::SUITES;
use zeroize::Zeroizing;

const V: ProtocolVersion = ProtocolVersion::TLSv1_2;
const APP: ContentType = ContentType::ApplicationData;

fn key_block(key_len: usize) -> KeyBlock {
    let bytes: Vec<u8> = (0..2 * (key_len + 4)).map(|i| (i * 29 + 3) as u8).collect();
    KeyBlock::from_bytes(Zeroizing::new(bytes), 0, key_len, 4).unwrap()
}

#[test]
fn gcm_records_match_the_rfc_layout_and_reject_every_tamper() {
    let mut rng = HmacDrbg::from_seed(b"aead records", b"nonce", b"");
    let mut n = 0;
    for suite in SUITES.iter().filter(|s| s.is_aead()) {
        n += 1;
        let kb = key_block(suite.key_len());
        let (mut enc, _) = cipher_states(V, suite, &kb, Side::Client).unwrap();
        let (_, mut dec) = cipher_states(V, suite, &kb, Side::Server).unwrap();
        let plain: Vec<u8> = (0..100u8).collect();
        for seq in [0u64, 1, 0x0102_0304_0506_0708] {
            let mut frag = Vec::new();
            enc.encrypt(seq, APP, V, &plain, &mut rng, &mut frag)
                .unwrap();
            assert_eq!(frag.len(), enc.encrypted_len(plain.len()));
            assert_eq!(frag.len(), 8 + plain.len() + 16);
            assert_eq!(&frag[..8], &seq.to_be_bytes(), "explicit nonce = seq_num");
            // The same record from the RFC's definitions over matrix-crypto's GCM.
            let gcm = AesGcm::new(kb.client_write_key()).unwrap();
            let mut nonce = kb.client_write_iv().to_vec();
            nonce.extend_from_slice(&seq.to_be_bytes());
            let mut ad = seq.to_be_bytes().to_vec();
            ad.extend_from_slice(&[23, 3, 3, 0, plain.len() as u8]);
            let mut body = plain.clone();
            let tag = gcm.seal_in_place(&nonce, &ad, &mut body).unwrap();
            assert_eq!(&frag[8..8 + plain.len()], &body[..], "{}", suite.name);
            assert_eq!(&frag[8 + plain.len()..], &tag[..], "{}", suite.name);

            let mut ok = frag.clone();
            let r = dec.decrypt(seq, APP, V, &mut ok).unwrap();
            assert_eq!(&ok[r], &plain[..]);
            // Every flipped byte, another sequence number, type or version.
            for i in 0..frag.len() {
                let mut bad = frag.clone();
                bad[i] ^= 0x01;
                assert_eq!(
                    dec.decrypt(seq, APP, V, &mut bad),
                    Err(RecordError::BadRecordMac)
                );
            }
            for (s, ct, v) in [
                (seq ^ 1, APP, V),
                (seq, ContentType::Handshake, V),
                (seq, APP, ProtocolVersion::TLSv1_1),
            ] {
                let mut bad = frag.clone();
                assert_eq!(
                    dec.decrypt(s, ct, v, &mut bad),
                    Err(RecordError::BadRecordMac)
                );
            }
            // Fragments too short for nonce and tag.
            for len in 0..24 {
                let mut short = frag[..len].to_vec();
                assert_eq!(
                    dec.decrypt(seq, APP, V, &mut short),
                    Err(RecordError::BadRecordMac)
                );
            }
        }
        // An empty plaintext is a 24-byte record that authenticates.
        let mut frag = Vec::new();
        enc.encrypt(9, APP, V, &[], &mut rng, &mut frag).unwrap();
        assert_eq!(frag.len(), 24);
        assert_eq!(dec.decrypt(9, APP, V, &mut frag).unwrap(), 8..8);
        // Over 2^14 bytes of plaintext: refused on the way out, record_overflow on the way in.
        let mut out = Vec::new();
        assert!(
            enc.encrypt(10, APP, V, &vec![0; (1 << 14) + 1], &mut rng, &mut out)
                .is_err()
        );
        assert!(out.is_empty());
        let mut big = vec![0u8; 8 + (1 << 14) + 1 + 16];
        assert_eq!(
            dec.decrypt(10, APP, V, &mut big),
            Err(RecordError::RecordOverflow)
        );
        assert!(!enc.wants_record_splitting());
    }
    assert!(n > 0, "no GCM suite compiled in");
}

#[test]
fn gcm_states_need_tls12_and_the_right_lengths() {
    for suite in SUITES.iter().filter(|s| s.is_aead()) {
        let kb = key_block(suite.key_len());
        for v in [ProtocolVersion::TLSv1_1, ProtocolVersion::TLSv1_0] {
            assert_eq!(
                cipher_states(v, suite, &kb, Side::Client).err(),
                Some(matrix_core::Error::UnsupportedFail)
            );
        }
        let wrong = key_block(suite.key_len() + 8);
        assert_eq!(
            cipher_states(V, suite, &wrong, Side::Client).err(),
            Some(matrix_core::Error::ArgFail)
        );
    }
}
