//! Properties of the derivations: a shorter output is a prefix of a longer one (TLS PRF,
//! SSL 3.0 key block, PBKDF2, PKCS#12 KDF), so key blocks can be cut to any suite's needs.

use matrix_crypto::alg::HashAlgorithm;
use matrix_crypto::kdf::{self, Pkcs12KeyId};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[cfg(all(feature = "md5", feature = "sha1", feature = "hmac"))]
    #[test]
    fn tls_prf_outputs_are_prefixes(
        secret in proptest::collection::vec(any::<u8>(), 0..100),
        seed in proptest::collection::vec(any::<u8>(), 0..80),
        short in 0usize..150,
        extra in 0usize..100,
    ) {
        use matrix_crypto::prf;
        let mut a = vec![0u8; short];
        let mut b = vec![0xffu8; short + extra];
        prf::tls_prf(&secret, b"label", &seed, &mut a);
        prf::tls_prf(&secret, b"label", &seed, &mut b);
        prop_assert_eq!(&a[..], &b[..short]);
    }

    #[cfg(all(feature = "md5", feature = "sha1"))]
    #[test]
    fn ssl3_key_blocks_are_prefixes(
        master in proptest::array::uniform32(any::<u8>()),
        cr in proptest::array::uniform32(any::<u8>()),
        short in 0usize..200,
        extra in 0usize..216,
    ) {
        use matrix_crypto::prf;
        let mut ms = [0u8; 48];
        ms[..32].copy_from_slice(&master);
        let a = prf::ssl3_key_block(&ms, &cr, &master, short).unwrap();
        let b = prf::ssl3_key_block(&ms, &cr, &master, short + extra).unwrap();
        prop_assert_eq!(&a[..], &b[..short]);
    }

    #[cfg(feature = "hmac")]
    #[test]
    fn pbkdf2_outputs_are_prefixes(
        password in proptest::collection::vec(any::<u8>(), 0..80),
        salt in proptest::collection::vec(any::<u8>(), 0..40),
        short in 1usize..70,
        extra in 0usize..70,
        iterations in 1u32..4,
    ) {
        let mut a = vec![0u8; short];
        let mut b = vec![0u8; short + extra];
        kdf::pbkdf2(HashAlgorithm::Sha256, &password, &salt, iterations, &mut a).unwrap();
        kdf::pbkdf2(HashAlgorithm::Sha256, &password, &salt, iterations, &mut b).unwrap();
        prop_assert_eq!(&a[..], &b[..short]);
    }

    #[test]
    fn pkcs12_outputs_are_prefixes(
        password in proptest::collection::vec(any::<u8>(), 0..150),
        salt in proptest::collection::vec(any::<u8>(), 0..70),
        short in 0usize..70,
        extra in 0usize..100,
    ) {
        let mut a = vec![0u8; short];
        let mut b = vec![0u8; short + extra];
        kdf::pkcs12_kdf(HashAlgorithm::Sha256, &password, &salt, Pkcs12KeyId::Mac, 2, &mut a).unwrap();
        kdf::pkcs12_kdf(HashAlgorithm::Sha256, &password, &salt, Pkcs12KeyId::Mac, 2, &mut b).unwrap();
        prop_assert_eq!(&a[..], &b[..short]);
    }
}
