//! CBC padding and MAC checks against records built here, independently of the record
//! layer's encrypter, from matrix-crypto's ciphers and MACs: every legal TLS padding length
//! up to 255 is accepted, every bad padding byte and every bad MAC give the same error, SSL
//! 3.0's arbitrary padding content is accepted but not its overlong padding, and plaintexts
//! over 2^14 bytes are record_overflow whatever the cipher.

#[path = "record_data/support.rs"]
mod support;

use matrix_crypto::hash::{Md5, Sha1};
use matrix_crypto::mac::{Ssl3Mac, TlsRecordMac};
use matrix_ssl::codec::ContentType;
use matrix_ssl::codec::ProtocolVersion;
use matrix_ssl::codec::record::MAX_PLAINTEXT_LEN;
use matrix_ssl::record::{KeyBlock, RecordError};
use matrix_ssl::suites::{MacAlgorithm, SuiteInfo};
use support::*;

const APP: ContentType = ContentType::ApplicationData;
const SEQ: u64 = 0x0102_0304_0506_0708;

/// The record MAC of `data`, from matrix-crypto's own record MAC types.
fn mac_of(version: ProtocolVersion, suite: &SuiteInfo, secret: &[u8], data: &[u8]) -> Vec<u8> {
    let ct = APP.get();
    let v = version.get().to_be_bytes();
    match (version.is_ssl3(), suite.mac) {
        (true, MacAlgorithm::Md5) => Ssl3Mac::<Md5>::new(secret)
            .compute(SEQ, ct, data)
            .unwrap()
            .to_vec(),
        (true, MacAlgorithm::Sha1) => Ssl3Mac::<Sha1>::new(secret)
            .compute(SEQ, ct, data)
            .unwrap()
            .to_vec(),
        (false, MacAlgorithm::Md5) => TlsRecordMac::<Md5>::new(secret, v)
            .compute(SEQ, ct, data)
            .unwrap()
            .to_vec(),
        (false, MacAlgorithm::Sha1) => TlsRecordMac::<Sha1>::new(secret, v)
            .compute(SEQ, ct, data)
            .unwrap()
            .to_vec(),
        _ => unreachable!(),
    }
}

/// A client-to-server CBC record: `data || mac || padding`, encrypted with the client write
/// key (IV from the key block, or an explicit IV in front).
#[cfg(any(
    feature = "tls-rsa-with-aes-128-cbc-sha",
    feature = "tls-rsa-with-aes-256-cbc-sha",
    feature = "ssl-rsa-with-3des-ede-cbc-sha",
    feature = "tls-rsa-with-seed-cbc-sha",
    feature = "tls-dhe-rsa-with-aes-128-cbc-sha",
    feature = "tls-dhe-rsa-with-aes-256-cbc-sha",
    feature = "ssl-dhe-rsa-with-3des-ede-cbc-sha",
    feature = "tls-psk-with-aes-128-cbc-sha",
    feature = "tls-psk-with-aes-256-cbc-sha",
    feature = "tls-dhe-psk-with-aes-128-cbc-sha",
    feature = "tls-dhe-psk-with-aes-256-cbc-sha",
))]
fn cbc_record(
    version: ProtocolVersion,
    suite: &SuiteInfo,
    kb: &KeyBlock,
    data: &[u8],
    mac: &[u8],
    padding: &[u8],
) -> Vec<u8> {
    use matrix_crypto::cipher::{BlockAlgorithm, CbcCipher};
    let alg = BlockAlgorithm::by_cbc_name(suite.bulk.cbc_name().unwrap()).unwrap();
    let cipher = CbcCipher::new(alg, kb.client_write_key()).unwrap();
    let mut body = [data, mac, padding].concat();
    assert_eq!(body.len() % suite.block_len(), 0);
    if matches!(version, ProtocolVersion::SSLv3 | ProtocolVersion::TLSv1_0) {
        let mut iv = kb.client_write_iv().to_vec();
        cipher.encrypt(&mut iv, &mut body).unwrap();
        body
    } else {
        let iv = vec![0xa7; suite.block_len()];
        cipher.encrypt(&mut iv.clone(), &mut body).unwrap();
        [iv, body].concat()
    }
}

#[cfg(not(any(
    feature = "tls-rsa-with-aes-128-cbc-sha",
    feature = "tls-rsa-with-aes-256-cbc-sha",
    feature = "ssl-rsa-with-3des-ede-cbc-sha",
    feature = "tls-rsa-with-seed-cbc-sha",
    feature = "tls-dhe-rsa-with-aes-128-cbc-sha",
    feature = "tls-dhe-rsa-with-aes-256-cbc-sha",
    feature = "ssl-dhe-rsa-with-3des-ede-cbc-sha",
    feature = "tls-psk-with-aes-128-cbc-sha",
    feature = "tls-psk-with-aes-256-cbc-sha",
    feature = "tls-dhe-psk-with-aes-128-cbc-sha",
    feature = "tls-dhe-psk-with-aes-256-cbc-sha",
)))]
fn cbc_record(
    _version: ProtocolVersion,
    _suite: &SuiteInfo,
    _kb: &KeyBlock,
    _data: &[u8],
    _mac: &[u8],
    _padding: &[u8],
) -> Vec<u8> {
    unreachable!("no CBC suite in this build")
}

/// Decrypts `record` as the server's first record from the client.
fn open(
    version: ProtocolVersion,
    suite: &SuiteInfo,
    kb: &KeyBlock,
    record: &mut [u8],
) -> Result<Vec<u8>, RecordError> {
    let (_, mut dec) = pair(suite, version, kb);
    dec.decrypt(SEQ, APP, version, record)
        .map(|r| record[r].to_vec())
}

fn cbc_combinations() -> Vec<(&'static SuiteInfo, ProtocolVersion)> {
    combinations()
        .into_iter()
        .filter(|(s, _)| s.is_cbc())
        .collect()
}

/// Data length such that data || MAC is a whole number of blocks plus `extra` bytes.
fn data_len(suite: &SuiteInfo, blocks: usize, extra: usize) -> usize {
    let bs = suite.block_len();
    (bs - suite.mac_len() % bs) % bs + blocks * bs + extra
}

#[test]
fn every_tls_padding_length_is_accepted() {
    for (suite, version) in cbc_combinations() {
        if version.is_ssl3() {
            continue;
        }
        let kb = keys(suite, version, 10);
        let bs = suite.block_len();
        let data = plaintext(data_len(suite, 2, 0));
        let mac = mac_of(version, suite, kb.client_write_mac(), &data);
        // pad_len + 1 bytes must fill whole blocks: pad_len = bs - 1, 2 bs - 1, ..., 255.
        for pad_len in (bs - 1..=255).step_by(bs) {
            let padding = vec![pad_len as u8; pad_len + 1];
            let mut rec = cbc_record(version, suite, &kb, &data, &mac, &padding);
            assert_eq!(
                open(version, suite, &kb, &mut rec),
                Ok(data.clone()),
                "{} {version:?} pad {pad_len}",
                suite.name
            );
        }
        assert_eq!(
            255 % bs,
            bs - 1,
            "255 bytes of padding fit every block size"
        );
    }
}

fn plaintext(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + 3) as u8).collect()
}

#[test]
fn bad_tls_padding_and_bad_mac_are_the_same_error() {
    for (suite, version) in cbc_combinations() {
        if version.is_ssl3() {
            continue;
        }
        let kb = keys(suite, version, 11);
        let data = plaintext(data_len(suite, 1, 0));
        let mac = mac_of(version, suite, kb.client_write_mac(), &data);
        for pad_len in [suite.block_len() - 1, 255] {
            let good = vec![pad_len as u8; pad_len + 1];
            // Valid MAC, one wrong padding byte (each position but the length byte).
            for i in 0..pad_len {
                let mut padding = good.clone();
                padding[i] ^= 0x01;
                let mut rec = cbc_record(version, suite, &kb, &data, &mac, &padding);
                assert_eq!(
                    open(version, suite, &kb, &mut rec),
                    Err(RecordError::BadRecordMac),
                    "{} {version:?} pad {pad_len} byte {i}",
                    suite.name
                );
            }
            // Good padding, bad MAC (each byte).
            for i in 0..mac.len() {
                let mut bad_mac = mac.clone();
                bad_mac[i] ^= 0x80;
                let mut rec = cbc_record(version, suite, &kb, &data, &bad_mac, &good);
                assert_eq!(
                    open(version, suite, &kb, &mut rec),
                    Err(RecordError::BadRecordMac)
                );
            }
        }
        // A padding length that runs into the MAC or past the record.
        for pad_len in [suite.block_len() * 3 - 1, 255] {
            let short = plaintext(0);
            let short_mac = mac_of(version, suite, kb.client_write_mac(), &short);
            let fill = data_len(suite, 0, 0);
            let body = [short.clone(), short_mac, vec![pad_len as u8; fill]].concat();
            let padding = vec![pad_len as u8; suite.block_len()];
            let mut rec = cbc_record(version, suite, &kb, &body, &[], &padding);
            assert_eq!(
                open(version, suite, &kb, &mut rec),
                Err(RecordError::BadRecordMac)
            );
        }
    }
}

#[test]
fn ssl3_padding_content_is_arbitrary_but_shorter_than_a_block() {
    for (suite, version) in cbc_combinations() {
        if !version.is_ssl3() {
            continue;
        }
        let kb = keys(suite, version, 12);
        let bs = suite.block_len();
        for extra in 0..bs {
            // data || MAC leaves `extra` bytes in the last block: pad_len = bs - 1 - extra.
            let data = plaintext(data_len(suite, 1, extra));
            let mac = mac_of(version, suite, kb.client_write_mac(), &data);
            let pad_len = bs - 1 - extra;
            let mut padding: Vec<u8> = (0..pad_len).map(|i| (i * 37 + 200) as u8).collect();
            padding.push(pad_len as u8);
            let mut rec = cbc_record(version, suite, &kb, &data, &mac, &padding);
            assert_eq!(open(version, suite, &kb, &mut rec), Ok(data.clone()));
            // The same with a whole extra block of padding: pad_len >= block length.
            let mut long: Vec<u8> = vec![0x42; pad_len + bs];
            long.push((pad_len + bs) as u8);
            let mut rec = cbc_record(version, suite, &kb, &data, &mac, &long);
            assert_eq!(
                open(version, suite, &kb, &mut rec),
                Err(RecordError::BadRecordMac),
                "{} pad {}",
                suite.name,
                pad_len + bs
            );
            // Bad MAC, good padding.
            let mut bad = mac.clone();
            bad[0] ^= 1;
            let mut rec = cbc_record(version, suite, &kb, &data, &bad, &padding);
            assert_eq!(
                open(version, suite, &kb, &mut rec),
                Err(RecordError::BadRecordMac)
            );
        }
    }
}

#[test]
fn plaintext_over_2_14_is_record_overflow() {
    for (suite, version) in combinations() {
        let kb = keys(suite, version, 13);
        let data = plaintext(MAX_PLAINTEXT_LEN + 1);
        let mac = mac_of(version, suite, kb.client_write_mac(), &data);
        let mut rec = if suite.is_cbc() {
            let bs = suite.block_len();
            let pad_len = bs - 1 - (data.len() + mac.len()) % bs;
            cbc_record(
                version,
                suite,
                &kb,
                &data,
                &mac,
                &vec![pad_len as u8; pad_len + 1],
            )
        } else {
            rc4_record(&kb, &data, &mac)
        };
        let err = open(version, suite, &kb, &mut rec).unwrap_err();
        assert_eq!(
            err,
            RecordError::RecordOverflow,
            "{} {version:?}",
            suite.name
        );
        // Exactly 2^14 is fine.
        let data = plaintext(MAX_PLAINTEXT_LEN);
        let mac = mac_of(version, suite, kb.client_write_mac(), &data);
        let mut rec = if suite.is_cbc() {
            let bs = suite.block_len();
            let pad_len = bs - 1 - (data.len() + mac.len()) % bs;
            cbc_record(
                version,
                suite,
                &kb,
                &data,
                &mac,
                &vec![pad_len as u8; pad_len + 1],
            )
        } else {
            rc4_record(&kb, &data, &mac)
        };
        assert_eq!(open(version, suite, &kb, &mut rec), Ok(data));
    }
}

#[cfg(any(
    feature = "ssl-rsa-with-rc4-128-sha",
    feature = "ssl-rsa-with-rc4-128-md5",
    feature = "ssl-dh-anon-with-rc4-128-md5",
))]
fn rc4_record(kb: &KeyBlock, data: &[u8], mac: &[u8]) -> Vec<u8> {
    let mut rc4 = matrix_crypto::cipher::Rc4::new(kb.client_write_key()).unwrap();
    let mut rec = [data, mac].concat();
    rc4.apply(&mut rec);
    rec
}

#[cfg(not(any(
    feature = "ssl-rsa-with-rc4-128-sha",
    feature = "ssl-rsa-with-rc4-128-md5",
    feature = "ssl-dh-anon-with-rc4-128-md5",
)))]
fn rc4_record(_kb: &KeyBlock, _data: &[u8], _mac: &[u8]) -> Vec<u8> {
    unreachable!("no RC4 suite in this build")
}

#[test]
fn records_built_independently_decrypt() {
    // A plain record of each kind, built here, opens to its data: the layout (MAC after the
    // data, padding after the MAC, IV placement, key-block slicing) matches the RFCs'.
    for (suite, version) in combinations() {
        let kb = keys(suite, version, 14);
        let data = plaintext(100);
        let mac = mac_of(version, suite, kb.client_write_mac(), &data);
        let mut rec = if suite.is_cbc() {
            let bs = suite.block_len();
            let pad_len = bs - 1 - (data.len() + mac.len()) % bs;
            cbc_record(
                version,
                suite,
                &kb,
                &data,
                &mac,
                &vec![pad_len as u8; pad_len + 1],
            )
        } else {
            rc4_record(&kb, &data, &mac)
        };
        assert_eq!(
            open(version, suite, &kb, &mut rec),
            Ok(data),
            "{} {version:?}",
            suite.name
        );
    }
}
