//! The record layer against independent implementations: TLS 1.0, TLS 1.1 and DTLS 1.0
//! sessions between OpenSSL 3.0's `s_client` and `s_server` (AES-128-CBC-SHA and
//! AES-256-CBC-SHA, encrypt-then-MAC and extended master secret off), captured through a
//! recording proxy together with OpenSSL's key log; and SSL 3.0, TLS 1.0 and TLS 1.1 sessions
//! of tlslite-ng with itself (3DES-EDE-CBC-SHA, RC4-128-MD5, RC4-128-SHA, AES-128-CBC-SHA),
//! with its master secret. All are committed as constants (`record_data/openssl.rs`;
//! `record_data/capture.sh` regenerates them). From OpenSSL's premaster secrets we derive
//! its master secrets; with every master secret we derive the key block, decrypt every
//! protected record of both directions (Finished, 1/n-1 split application data,
//! close_notify), and re-encrypt each one byte for byte.

#[path = "record_data/openssl.rs"]
mod captures;
#[path = "record_data/support.rs"]
mod support;

use captures::CAPTURES;
use matrix_ssl::codec::{CipherSuite, ContentType, ProtocolVersion};
use matrix_ssl::record::{Side, cipher_states, key_block, master_secret};
use matrix_ssl::suites::lookup;
use support::*;

#[test]
fn openssl_sessions_decrypt_and_reencrypt_byte_for_byte() {
    let mut checked = 0;
    for cap in CAPTURES {
        let version = ProtocolVersion::from(cap.version);
        // Builds without the capture's suite (single-suite feature sets) have nothing to
        // check it with; the default build has all of them (asserted below).
        let Some(suite) = lookup(CipherSuite::from(cap.suite)) else {
            continue;
        };
        if !version_compiled(version) {
            continue;
        }
        let cr = arr32(cap.client_random);
        let sr = arr32(cap.server_random);
        let master: [u8; 48] = hex(cap.master).try_into().unwrap();
        if !cap.premaster.is_empty() {
            let ms = master_secret(version, &hex(cap.premaster), &cr, &sr);
            assert_eq!(&ms[..], &master[..], "{}: master secret", cap.name);
        }
        let kb = key_block(version, suite, &zeroize::Zeroizing::new(master), &cr, &sr);

        for (side, records, expect_data) in [
            (Side::Server, cap.c2s, cap.c2s_data),
            (Side::Client, cap.s2c, cap.s2c_data),
        ] {
            // The receiver's read state, and the sender's write state to re-encrypt.
            let (_, mut dec) = cipher_states(version, suite, &kb, side).unwrap();
            let sender = if side == Side::Server {
                Side::Client
            } else {
                Side::Server
            };
            let (mut enc, _) = cipher_states(version, suite, &kb, sender).unwrap();
            let mut data = Vec::new();
            for &(ct, seq, frag_hex) in records {
                let ct = ContentType::from(ct);
                let wire = hex(frag_hex);
                let mut frag = wire.clone();
                let range = dec
                    .decrypt(seq, ct, version, &mut frag)
                    .unwrap_or_else(|e| panic!("{} {side:?} record {seq}: {e}", cap.name));
                let plain = frag[range].to_vec();
                match ct {
                    ContentType::Handshake if version.is_dtls() => {
                        // Finished: type 20, length 12, message_seq, offset 0, length 12.
                        assert_eq!(&plain[..4], &[20, 0, 0, 12], "{}", cap.name);
                        assert_eq!(&plain[6..12], &[0, 0, 0, 0, 0, 12]);
                        assert_eq!(plain.len(), 24);
                    }
                    ContentType::Handshake if version.is_ssl3() => {
                        // SSL 3.0 Finished: type 20, md5_hash || sha_hash (36 bytes).
                        assert_eq!(&plain[..4], &[20, 0, 0, 36], "{}", cap.name);
                        assert_eq!(plain.len(), 40);
                    }
                    ContentType::Handshake => {
                        // Finished: type 20, 12 bytes of verify_data.
                        assert_eq!(&plain[..4], &[20, 0, 0, 12], "{}", cap.name);
                        assert_eq!(plain.len(), 16);
                    }
                    ContentType::ApplicationData => data.extend_from_slice(&plain),
                    ContentType::Alert => assert_eq!(plain, [1, 0], "close_notify"),
                    other => panic!("unexpected {other:?}"),
                }
                // Re-encrypt: the implicit IV chains the same way, and an explicit IV is
                // replayed from the wire, so the bytes must be OpenSSL's.
                let iv = if version != ProtocolVersion::TLSv1_0 {
                    wire[..suite.block_len()].to_vec()
                } else {
                    Vec::new()
                };
                let mut again = Vec::new();
                enc.encrypt(seq, ct, version, &plain, &mut ReplayRng(iv), &mut again)
                    .unwrap();
                assert_eq!(
                    again, wire,
                    "{} {side:?} record {seq} re-encrypted",
                    cap.name
                );
                checked += 1;
            }
            assert_eq!(
                String::from_utf8(data).unwrap(),
                expect_data,
                "{}",
                cap.name
            );
        }
    }
    // The default build has every version and suite of the captures: every record is checked.
    if cfg!(all(
        feature = "ssl3",
        feature = "tls-1-1",
        feature = "tls-rsa-with-aes-128-cbc-sha",
        feature = "tls-rsa-with-aes-256-cbc-sha",
        feature = "ssl-rsa-with-3des-ede-cbc-sha",
        feature = "ssl-rsa-with-rc4-128-sha",
        feature = "ssl-rsa-with-rc4-128-md5",
    )) {
        let total: usize = CAPTURES.iter().map(|c| c.c2s.len() + c.s2c.len()).sum();
        assert_eq!(checked, total);
        assert!(total >= 20);
    }
}
