//! PKCS#7 padding tests of `matrix_crypto::cipher`.

#![allow(clippy::unwrap_used)]

use matrix_crypto::Error;
use matrix_crypto::cipher::{pkcs7_pad, pkcs7_unpad};
use proptest::prelude::*;

#[test]
fn pkcs7_known_paddings() {
    let mut v = b"YELLOW SUBMARINE".to_vec();
    pkcs7_pad(&mut v, 20).unwrap();
    assert_eq!(&v[16..], &[4, 4, 4, 4]);
    assert_eq!(pkcs7_unpad(&v, 20), Ok(16));

    let mut v = vec![0u8; 16];
    pkcs7_pad(&mut v, 16).unwrap();
    assert_eq!(v.len(), 32);
    assert!(v[16..].iter().all(|&b| b == 16));
    assert_eq!(pkcs7_unpad(&v, 16), Ok(16));

    let mut v = Vec::new();
    pkcs7_pad(&mut v, 8).unwrap();
    assert_eq!(v, [8u8; 8]);
    assert_eq!(pkcs7_unpad(&v, 8), Ok(0));
}

#[test]
fn pkcs7_rejects() {
    assert_eq!(pkcs7_pad(&mut Vec::new(), 0), Err(Error::ArgFail));
    assert_eq!(pkcs7_pad(&mut Vec::new(), 256), Err(Error::ArgFail));
    assert_eq!(pkcs7_unpad(&[], 16), Err(Error::ArgFail));
    assert_eq!(pkcs7_unpad(&[1u8; 15], 16), Err(Error::ArgFail));
    assert_eq!(pkcs7_unpad(&[1u8; 16], 0), Err(Error::ArgFail));
    let mut block = [0u8; 16];
    assert_eq!(pkcs7_unpad(&block, 16), Err(Error::AuthFail), "pad byte 0");
    block[15] = 17;
    assert_eq!(
        pkcs7_unpad(&block, 16),
        Err(Error::AuthFail),
        "pad byte above the block length"
    );
    block = [3u8; 16];
    block[13] = 2;
    assert_eq!(
        pkcs7_unpad(&block, 16),
        Err(Error::AuthFail),
        "inconsistent pad bytes"
    );
    block[13] = 3;
    assert_eq!(pkcs7_unpad(&block, 16), Ok(13));
    block[12] = 9;
    assert_eq!(
        pkcs7_unpad(&block, 16),
        Ok(13),
        "bytes before the padding are data"
    );
}

proptest! {
    #[test]
    fn pkcs7_round_trip(data in prop::collection::vec(any::<u8>(), 0..100), block_len in 1usize..=255) {
        let mut v = data.clone();
        pkcs7_pad(&mut v, block_len).unwrap();
        prop_assert_eq!(v.len() % block_len, 0);
        prop_assert!(v.len() > data.len() && v.len() <= data.len() + block_len);
        let n = pkcs7_unpad(&v, block_len).unwrap();
        prop_assert_eq!(&v[..n], &data[..]);
    }

    #[test]
    fn pkcs7_unpad_never_panics(data in prop::collection::vec(any::<u8>(), 0..70), block_len in 0usize..300) {
        if let Ok(n) = pkcs7_unpad(&data, block_len) {
            prop_assert!(n < data.len());
        }
    }
}
