//! Properties of the digests: feeding a message in arbitrary pieces gives the one-shot
//! digest, and a cloned (forked) state evolves independently of the original.

use matrix_crypto::hash::{Hash, Sha256};
use proptest::prelude::*;

fn chunked<H: Hash>(data: &[u8], cuts: &[usize]) -> H::Output {
    let mut h = H::new();
    let mut rest = data;
    for &c in cuts {
        let n = c % (rest.len() + 1);
        let (a, b) = rest.split_at(n);
        h.update(a);
        rest = b;
    }
    h.update(rest);
    h.finalize()
}

fn forked<H: Hash>(prefix: &[u8], a: &[u8], b: &[u8]) {
    let mut base = H::new();
    base.update(prefix);
    let mut fork = base.clone();
    fork.update(b);
    base.update(a);
    let whole_a = [prefix, a].concat();
    let whole_b = [prefix, b].concat();
    assert_eq!(base.finalize(), H::digest(&whole_a));
    assert_eq!(fork.finalize(), H::digest(&whole_b));
}

fn all_chunked(data: &[u8], cuts: &[usize]) {
    assert_eq!(chunked::<Sha256>(data, cuts), Sha256::digest(data));
    #[cfg(feature = "md5")]
    assert_eq!(
        chunked::<matrix_crypto::hash::Md5>(data, cuts),
        matrix_crypto::hash::Md5::digest(data)
    );
    #[cfg(feature = "sha1")]
    assert_eq!(
        chunked::<matrix_crypto::hash::Sha1>(data, cuts),
        matrix_crypto::hash::Sha1::digest(data)
    );
    #[cfg(feature = "sha512")]
    assert_eq!(
        chunked::<matrix_crypto::hash::Sha384>(data, cuts),
        matrix_crypto::hash::Sha384::digest(data)
    );
    #[cfg(feature = "sha512")]
    assert_eq!(
        chunked::<matrix_crypto::hash::Sha512>(data, cuts),
        matrix_crypto::hash::Sha512::digest(data)
    );
    #[cfg(all(feature = "md5", feature = "sha1"))]
    assert_eq!(
        chunked::<matrix_crypto::hash::Md5Sha1>(data, cuts),
        matrix_crypto::hash::Md5Sha1::digest(data)
    );
}

fn all_forked(prefix: &[u8], a: &[u8], b: &[u8]) {
    forked::<Sha256>(prefix, a, b);
    #[cfg(feature = "md5")]
    forked::<matrix_crypto::hash::Md5>(prefix, a, b);
    #[cfg(feature = "sha1")]
    forked::<matrix_crypto::hash::Sha1>(prefix, a, b);
    #[cfg(feature = "sha512")]
    forked::<matrix_crypto::hash::Sha512>(prefix, a, b);
    #[cfg(all(feature = "md5", feature = "sha1"))]
    forked::<matrix_crypto::hash::Md5Sha1>(prefix, a, b);
}

proptest! {
    #[test]
    fn incremental_equals_one_shot(
        data in proptest::collection::vec(any::<u8>(), 0..600),
        cuts in proptest::collection::vec(any::<usize>(), 0..12),
    ) {
        all_chunked(&data, &cuts);
    }

    #[test]
    fn forks_are_independent(
        prefix in proptest::collection::vec(any::<u8>(), 0..300),
        a in proptest::collection::vec(any::<u8>(), 0..300),
        b in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        all_forked(&prefix, &a, &b);
    }
}
