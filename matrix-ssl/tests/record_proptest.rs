//! Property tests: for random suites, versions, plaintext lengths 0..=16384 and contents,
//! decrypt(encrypt(p)) == p over a run of records, and decrypting arbitrary bytes or a
//! randomly corrupted record never panics and never succeeds by accident.

#[path = "record_data/support.rs"]
mod support;

use matrix_ssl::codec::ContentType;
use matrix_ssl::codec::record::MAX_PLAINTEXT_LEN;
use matrix_ssl::record::RecordError;
use proptest::collection::vec;
use proptest::prelude::*;
use support::*;

const APP: ContentType = ContentType::ApplicationData;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn round_trip(
        pick in any::<prop::sample::Index>(),
        lens in vec(0usize..=MAX_PLAINTEXT_LEN, 1..4),
        fill in any::<u8>(),
        seed in 1u64..,
        first_seq in any::<u64>(),
    ) {
        let combos = combinations();
        let (suite, version) = combos[pick.index(combos.len())];
        let kb = keys(suite, version, fill);
        let (mut enc, mut dec) = pair(suite, version, &kb);
        let mut rng = TestRng(seed);
        for (i, len) in lens.into_iter().enumerate() {
            let seq = first_seq.wrapping_add(i as u64);
            let p: Vec<u8> = (0..len).map(|j| (j as u8) ^ fill).collect();
            let mut frag = Vec::new();
            enc.encrypt(seq, APP, version, &p, &mut rng, &mut frag).unwrap();
            prop_assert_eq!(frag.len(), enc.encrypted_len(len));
            let r = dec.decrypt(seq, APP, version, &mut frag).unwrap();
            prop_assert_eq!(&frag[r], &p[..]);
        }
    }

    #[test]
    fn corruption_is_bad_record_mac(
        pick in any::<prop::sample::Index>(),
        len in 0usize..2000,
        at in any::<prop::sample::Index>(),
        xor in 1u8..,
    ) {
        let combos = combinations();
        let (suite, version) = combos[pick.index(combos.len())];
        let kb = keys(suite, version, 0);
        let (mut enc, mut dec) = pair(suite, version, &kb);
        let p = vec![0x5au8; len];
        let mut frag = Vec::new();
        enc.encrypt(1, APP, version, &p, &mut TestRng(3), &mut frag).unwrap();
        let i = at.index(frag.len());
        frag[i] ^= xor;
        prop_assert_eq!(dec.decrypt(1, APP, version, &mut frag), Err(RecordError::BadRecordMac));
    }

    #[test]
    fn arbitrary_fragments_never_panic(
        pick in any::<prop::sample::Index>(),
        mut frag in vec(any::<u8>(), 0..600),
    ) {
        let combos = combinations();
        let (suite, version) = combos[pick.index(combos.len())];
        let kb = keys(suite, version, 0);
        let (_, mut dec) = pair(suite, version, &kb);
        prop_assert!(dec.decrypt(0, APP, version, &mut frag).is_err());
    }
}
