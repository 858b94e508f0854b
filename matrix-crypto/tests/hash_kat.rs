//! Known answers for the digests: the RFC 1321 test suite and the FIPS 180 examples ("abc",
//! the 448-bit and 896-bit messages, a million 'a'), and the run-time HashContext.

use matrix_crypto::alg::HashAlgorithm;
use matrix_crypto::hash::{Hash, HashContext, Sha256};

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digit"))
        .collect()
}

const MSG_448: &[u8] = b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const MSG_896: &[u8] = b"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

/// Hashes a million 'a' in uneven pieces, so the block buffering is exercised too.
fn million_a<H: Hash>() -> H::Output {
    let chunk = [b'a'; 1000];
    let mut h = H::new();
    let mut left = 1_000_000usize;
    let mut step = 1;
    while left > 0 {
        let n = step.min(left).min(chunk.len());
        h.update(&chunk[..n]);
        left -= n;
        step = step * 7 % 997 + 1;
    }
    h.finalize()
}

fn check<H: Hash>(msg: &[u8], expected: &str) {
    assert_eq!(
        H::digest(msg).as_ref(),
        &hex(expected)[..],
        "{:?} of {msg:?}",
        H::ALGORITHM
    );
    assert_eq!(H::OUTPUT_LEN, expected.len() / 2);
    assert_eq!(H::ALGORITHM.output_len(), H::OUTPUT_LEN);
    let mut ctx = HashContext::new(H::ALGORITHM).unwrap();
    ctx.update(msg);
    assert_eq!(ctx.finalize(), hex(expected));
}

#[cfg(feature = "md5")]
#[test]
fn md5_rfc1321_suite() {
    use matrix_crypto::hash::Md5;
    let suite: [(&[u8], &str); 7] = [
        (b"", "d41d8cd98f00b204e9800998ecf8427e"),
        (b"a", "0cc175b9c0f1b6a831c399e269772661"),
        (b"abc", "900150983cd24fb0d6963f7d28e17f72"),
        (b"message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        (
            b"abcdefghijklmnopqrstuvwxyz",
            "c3fcd3d76192e4007dfb496cca67e13b",
        ),
        (
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
            "d174ab98d277d9f5a5611c2c9f419d9f",
        ),
        (
            b"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
            "57edf4a22be3c955ac49da2e2107b67a",
        ),
    ];
    for (msg, md) in suite {
        check::<Md5>(msg, md);
    }
    assert_eq!(
        million_a::<Md5>().as_ref(),
        &hex("7707d6ae4e027c70eea2a935c2296f21")[..]
    );
    assert_eq!(Md5::BLOCK_LEN, 64);
}

#[cfg(feature = "sha1")]
#[test]
fn sha1_fips180_examples() {
    use matrix_crypto::hash::Sha1;
    check::<Sha1>(b"abc", "a9993e364706816aba3e25717850c26c9cd0d89d");
    check::<Sha1>(MSG_448, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    check::<Sha1>(MSG_896, "a49b2446a02c645bf419f995b67091253a04a259");
    check::<Sha1>(b"", "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    assert_eq!(
        million_a::<Sha1>().as_ref(),
        &hex("34aa973cd4c4daa4f61eeb2bdbad27316534016f")[..]
    );
}

#[test]
fn sha256_fips180_examples() {
    check::<Sha256>(
        b"abc",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    check::<Sha256>(
        MSG_448,
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
    check::<Sha256>(
        MSG_896,
        "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1",
    );
    check::<Sha256>(
        b"",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    assert_eq!(
        million_a::<Sha256>().as_ref(),
        &hex("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")[..]
    );
}

#[cfg(feature = "sha512")]
#[test]
fn sha384_fips180_examples() {
    use matrix_crypto::hash::Sha384;
    check::<Sha384>(
        b"abc",
        "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
    );
    check::<Sha384>(
        MSG_448,
        "3391fdddfc8dc7393707a65b1b4709397cf8b1d162af05abfe8f450de5f36bc6b0455a8520bc4e6f5fe95b1fe3c8452b",
    );
    check::<Sha384>(
        MSG_896,
        "09330c33f71147e83d192fc782cd1b4753111b173b3b05d22fa08086e3b0f712fcc7c71a557e2db966c3e9fa91746039",
    );
    assert_eq!(
        million_a::<Sha384>().as_ref(),
        &hex(
            "9d0e1809716474cb086e834e310a4a1ced149e9c00f248527972cec5704c2a5b07b8b3dc38ecc4ebae97ddd87f3d8985"
        )[..]
    );
    assert_eq!(Sha384::BLOCK_LEN, 128);
}

#[cfg(feature = "sha512")]
#[test]
fn sha512_fips180_examples() {
    use matrix_crypto::hash::Sha512;
    check::<Sha512>(
        b"abc",
        "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
    );
    check::<Sha512>(
        MSG_448,
        "204a8fc6dda82f0a0ced7beb8e08a41657c16ef468b228a8279be331a703c33596fd15c13b1b07f9aa1d3bea57789ca031ad85c7a71dd70354ec631238ca3445",
    );
    check::<Sha512>(
        MSG_896,
        "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909",
    );
    assert_eq!(
        million_a::<Sha512>().as_ref(),
        &hex(
            "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b"
        )[..]
    );
}

#[cfg(all(feature = "md5", feature = "sha1"))]
#[test]
fn md5_sha1_is_the_concatenation() {
    use matrix_crypto::hash::{Md5, Md5Sha1, Sha1};
    let mut both = Md5Sha1::new();
    both.update(b"ab");
    both.update(b"c");
    assert_eq!(both.md5().clone().finalize(), Md5::digest(b"abc"));
    assert_eq!(both.sha1().clone().finalize(), Sha1::digest(b"abc"));
    let d = both.finalize();
    assert_eq!(&d[..16], &Md5::digest(b"abc")[..]);
    assert_eq!(&d[16..], &Sha1::digest(b"abc")[..]);
    assert_eq!(
        HashContext::digest(HashAlgorithm::Md5Sha1, b"abc").unwrap(),
        d.to_vec()
    );
}

#[test]
fn context_reports_algorithm_and_length() {
    for alg in [
        HashAlgorithm::Md5,
        HashAlgorithm::Sha1,
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
        HashAlgorithm::Md5Sha1,
    ] {
        let Ok(ctx) = HashContext::new(alg) else {
            assert_eq!(
                HashContext::new(alg).err(),
                Some(matrix_crypto::Error::UnsupportedFail)
            );
            assert!(!HashContext::is_supported(alg));
            continue;
        };
        assert!(HashContext::is_supported(alg));
        assert_eq!(ctx.algorithm(), alg);
        assert_eq!(ctx.output_len(), alg.output_len());
        let mut buf = [0xffu8; 80];
        assert_eq!(ctx.clone().finalize_into(&mut buf), Ok(alg.output_len()));
        assert_eq!(&buf[..alg.output_len()], &ctx.finalize()[..]);
        assert!(buf[alg.output_len()..].iter().all(|&b| b == 0xff));
    }
}

#[test]
fn all_features_compile_every_algorithm() {
    // With the default features every algorithm of HashAlgorithm is available.
    if cfg!(all(feature = "md5", feature = "sha1", feature = "sha512")) {
        assert!(HashContext::is_supported(HashAlgorithm::Md5Sha1));
        assert!(HashContext::is_supported(HashAlgorithm::Sha512));
    }
    assert!(HashContext::is_supported(HashAlgorithm::Sha256));
}
