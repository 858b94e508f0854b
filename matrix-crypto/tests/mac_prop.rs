//! Properties of the MACs: HMAC fed in pieces equals one-shot HMAC, keys of any length work,
//! and the record MACs accept their own tags and refuse any single flipped bit.

use matrix_crypto::hash::Sha256;
use matrix_crypto::mac::Hmac;
use proptest::prelude::*;

#[cfg(any(feature = "md5", feature = "sha1", feature = "hmac"))]
fn flips_rejected(
    mac: &dyn matrix_crypto::mac::RecordMac,
    seq: u64,
    ty: u8,
    frag: &[u8],
    bit: usize,
) {
    let mut tag = vec![0u8; mac.mac_len()];
    mac.compute_into(seq, ty, frag, &mut tag).unwrap();
    assert!(mac.verify(seq, ty, frag, &tag));
    let mut bad = tag.clone();
    bad[(bit / 8) % tag.len()] ^= 1 << (bit % 8);
    assert!(!mac.verify(seq, ty, frag, &bad));
    if !frag.is_empty() {
        let mut f = frag.to_vec();
        f[bit % frag.len()] ^= 1 << (bit % 8);
        assert!(!mac.verify(seq, ty, &f, &tag));
    }
}

proptest! {
    #[test]
    fn hmac_incremental_equals_one_shot(
        key in proptest::collection::vec(any::<u8>(), 0..200),
        data in proptest::collection::vec(any::<u8>(), 0..500),
        cut in any::<usize>(),
    ) {
        let (a, b) = data.split_at(cut % (data.len() + 1));
        let mut m = Hmac::<Sha256>::new(&key);
        m.update(a);
        let fork = m.clone();
        m.update(b);
        prop_assert_eq!(m.finalize(), Hmac::<Sha256>::mac(&key, &data));
        prop_assert_eq!(fork.finalize(), Hmac::<Sha256>::mac(&key, a));
    }

    #[test]
    fn record_macs_reject_flipped_bits(
        key in proptest::collection::vec(any::<u8>(), 0..64),
        frag in proptest::collection::vec(any::<u8>(), 0..300),
        seq in any::<u64>(),
        ty in any::<u8>(),
        bit in any::<usize>(),
    ) {
        #[cfg(feature = "md5")]
        flips_rejected(&matrix_crypto::mac::Ssl3Mac::<matrix_crypto::hash::Md5>::new(&key), seq, ty, &frag, bit);
        #[cfg(feature = "sha1")]
        flips_rejected(&matrix_crypto::mac::Ssl3Mac::<matrix_crypto::hash::Sha1>::new(&key), seq, ty, &frag, bit);
        #[cfg(all(feature = "hmac", feature = "sha1"))]
        flips_rejected(&matrix_crypto::mac::TlsRecordMac::<matrix_crypto::hash::Sha1>::new(&key, [3, 1]), seq, ty, &frag, bit);
        #[cfg(feature = "hmac")]
        flips_rejected(&matrix_crypto::mac::TlsRecordMac::<Sha256>::new(&key, [3, 2]), seq, ty, &frag, bit);
        let _ = (&key, &frag, seq, ty, bit);
    }
}
