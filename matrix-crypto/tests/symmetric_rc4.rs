//! RC4 tests of `matrix_crypto::cipher`: RFC 6229 key streams, state carried across calls,
//! key lengths, round trips.

#![cfg(feature = "arc4")]
#![allow(clippy::unwrap_used)]

use matrix_crypto::Error;
use matrix_crypto::cipher::Rc4;
use proptest::prelude::*;

/// Decodes a hex string (whitespace ignored); panics on malformed input (test data only).
fn hex(s: &str) -> Vec<u8> {
    let digits: Vec<u8> = s
        .bytes()
        .filter(|b| !b.is_ascii_whitespace())
        .map(|b| match b {
            b'0'..=b'9' => b - b'0',
            b'a'..=b'f' => b - b'a' + 10,
            b'A'..=b'F' => b - b'A' + 10,
            _ => panic!("not a hex digit: {:?}", b as char),
        })
        .collect();
    assert!(
        digits.len().is_multiple_of(2),
        "odd number of hex digits in {s:?}"
    );
    digits.chunks(2).map(|p| (p[0] << 4) | p[1]).collect()
}

#[cfg(feature = "arc4")]
#[test]
fn rc4_rfc6229() {
    // Key stream at offsets 0 and 16 for the 40-bit and 128-bit keys of RFC 6229 section 2.
    for (key, stream) in [
        (
            "0102030405",
            "b2396305f03dc027ccc3524a0a1118a8 6982944f18fc82d589c403a47a0d0919",
        ),
        (
            "0102030405060708090a0b0c0d0e0f10",
            "9ac7cc9a609d1ef7b2932899cde41b97 5248c4959014126a6e8a84f11d1a9e1c",
        ),
    ] {
        let mut rc4 = Rc4::new(&hex(key)).unwrap();
        let mut buf = [0u8; 32];
        rc4.apply(&mut buf);
        assert_eq!(buf.to_vec(), hex(stream), "key {key}");
    }
}

#[cfg(feature = "arc4")]
#[test]
fn rc4_state_carries_across_calls() {
    let key = hex("0102030405060708090a0b0c0d0e0f10");
    let mut whole = vec![0u8; 1000];
    Rc4::new(&key).unwrap().apply(&mut whole);
    let mut parts = vec![0u8; 1000];
    let mut rc4 = Rc4::new(&key).unwrap();
    for chunk in parts.chunks_mut(37) {
        rc4.apply(chunk);
    }
    assert_eq!(whole, parts);
    // Applying the same key stream again decrypts.
    Rc4::new(&key).unwrap().apply(&mut parts);
    assert!(parts.iter().all(|&b| b == 0));
}

#[cfg(feature = "arc4")]
#[test]
fn rc4_key_lengths() {
    assert_eq!(Rc4::new(&[]).unwrap_err(), Error::ArgFail);
    assert_eq!(Rc4::new(&[0u8; 257]).unwrap_err(), Error::ArgFail);
    assert!(Rc4::new(&[7u8]).is_ok());
    assert!(Rc4::new(&[7u8; 256]).is_ok());
}

proptest! {
    #[test]
    fn rc4_round_trip_in_pieces(
        key in prop::collection::vec(any::<u8>(), 1..=256),
        data in prop::collection::vec(any::<u8>(), 0..600),
        cut in 0usize..600,
    ) {
        let cut = cut.min(data.len());
        let mut buf = data.clone();
        let mut enc = Rc4::new(&key).unwrap();
        let (a, b) = buf.split_at_mut(cut);
        enc.apply(a);
        enc.apply(b);
        let mut dec = Rc4::new(&key).unwrap();
        dec.apply(&mut buf);
        prop_assert_eq!(buf, data);
    }
}
