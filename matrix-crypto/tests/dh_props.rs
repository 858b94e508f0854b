//! Diffie-Hellman: both sides agree (proptest), group and peer-value validation, private
//! exponent lengths.

#![cfg(feature = "dh")]

mod rsa_support;

use matrix_crypto::Error;
use matrix_crypto::dh::{DhGroup, NamedGroup};
use num_bigint::BigUint;
use proptest::prelude::*;
use rsa_support::*;

/// A 1024-bit safe-prime group made by `openssl genpkey -genparam -algorithm DH -pkeyopt
/// dh_paramgen_prime_len:1024` (generator 2); not a named group.
const P1024: &str = "E9E1C7D5574644F1867D943F83A22343C2048308E4306E1622ED38D8D5B60F7C\
                     186A5EE2656C51A93F96680983D4696DE2E0F0AC3659A8FB7C399A3CCE01F8F8\
                     0C1CE97DA03D218D042FE23E2CB3179B0CF3C308E32C242686D773372FAEF60E\
                     0293E9EF06B703A52DCAA43F8D5183C9B546C4979A98286F0F32E0E5486DA897";

fn p1024() -> Vec<u8> {
    hex(&P1024.to_lowercase())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(debug_assertions) { 4 } else { 32 }))]

    #[test]
    fn both_sides_agree(seed_a: u64, seed_b: u64, named in any::<bool>()) {
        let group = if named {
            DhGroup::named(NamedGroup::Ffdhe2048).unwrap()
        } else {
            DhGroup::new(&p1024(), &[2]).unwrap()
        };
        let a = group.generate_key(&mut TestRng(seed_a)).unwrap();
        let b = group.generate_key(&mut TestRng(seed_b)).unwrap();
        prop_assert_eq!(a.public_bytes().len(), group.size());
        let ab = a.agree(b.public_bytes()).unwrap();
        let ba = b.agree(a.public_bytes()).unwrap();
        prop_assert_eq!(&ab[..], &ba[..]);
        prop_assert_eq!(ab.len(), group.size());
        // The TLS form is the same number without leading zeros.
        let tls = a.agree_tls(b.public_bytes()).unwrap();
        prop_assert_eq!(BigUint::from_bytes_be(&tls), BigUint::from_bytes_be(&ab));
        prop_assert!(tls.first().is_none_or(|&x| x != 0));
        // Peer values are accepted with or without leading zeros.
        let stripped: Vec<u8> = b.public_bytes().iter().copied().skip_while(|&x| x == 0).collect();
        prop_assert_eq!(&a.agree(&stripped).unwrap()[..], &ab[..]);
    }
}

#[test]
fn public_value_is_g_to_the_x_shape() {
    // y = g^x with g = 2: check against num-bigint through the shared secret with a peer
    // whose "public value" is g itself: agree(g) = g^x = our public value.
    let group = DhGroup::new(&p1024(), &[2]).unwrap();
    let kp = group.generate_key(&mut TestRng(9)).unwrap();
    assert_eq!(&kp.agree(&[2]).unwrap()[..], kp.public_bytes());
}

#[test]
fn private_exponent_lengths() {
    for (g, bits) in [
        (NamedGroup::Ffdhe2048, 225),
        (NamedGroup::Ffdhe3072, 275),
        (NamedGroup::Ffdhe4096, 325),
        (NamedGroup::Modp2048, 225),
        (NamedGroup::Modp3072, 275),
        (NamedGroup::Modp4096, 325),
    ] {
        let group = DhGroup::named(g).unwrap();
        assert_eq!(group.private_bits(), bits, "{g:?}");
        assert_eq!(group.p(), &g.prime()[..]);
        // The same prime with another generator is not the named group.
        let other = DhGroup::new(&g.prime(), &[5]).unwrap();
        assert_eq!(other.private_bits(), other.size() * 8 - 1);
    }
    let group = DhGroup::new(&p1024(), &[2]).unwrap();
    assert_eq!(group.private_bits(), 1023);
}

#[test]
fn group_validation() {
    let p = p1024();
    let p_big = BigUint::from_bytes_be(&p);
    let pm1 = (&p_big - 1u32).to_bytes_be();
    assert!(DhGroup::new(&p, &[2]).is_ok());
    for g in [&[][..], &[0][..], &[1][..], &pm1[..], &p[..]] {
        assert_eq!(DhGroup::new(&p, g).unwrap_err(), Error::ArgFail);
    }
    let mut even = p.clone();
    *even.last_mut().unwrap() ^= 1;
    assert_eq!(DhGroup::new(&even, &[2]).unwrap_err(), Error::ArgFail);
    // 1023 bits is too small, 4097 too large.
    let small = (&p_big >> 1u32).to_bytes_be();
    assert_eq!(DhGroup::new(&small, &[2]).unwrap_err(), Error::ArgFail);
    let mut large = vec![1u8];
    large.extend_from_slice(&[0xff; 512]);
    assert_eq!(DhGroup::new(&large, &[2]).unwrap_err(), Error::ArgFail);
    assert!(DhGroup::new(&[], &[2]).is_err());
}

#[test]
fn peer_value_validation() {
    let p = p1024();
    let p_big = BigUint::from_bytes_be(&p);
    let group = DhGroup::new(&p, &[2]).unwrap();
    let kp = group.generate_key(&mut TestRng(3)).unwrap();
    let pm1 = (&p_big - 1u32).to_bytes_be();
    let pp1 = (&p_big + 1u32).to_bytes_be();
    let mut long = vec![1u8];
    long.extend_from_slice(&p);
    for bad in [
        &[][..],
        &[0][..],
        &[1][..],
        &[0, 0, 1][..],
        &pm1[..],
        &p[..],
        &pp1[..],
        &long[..],
    ] {
        assert_eq!(kp.agree(bad).unwrap_err(), Error::ProtocolFail);
        assert_eq!(kp.agree_tls(bad).unwrap_err(), Error::ProtocolFail);
    }
    let pm2 = (&p_big - 2u32).to_bytes_be();
    assert!(kp.agree(&pm2).is_ok());
    assert!(kp.agree(&[2]).is_ok());
    // Debug shows no secret.
    assert!(format!("{kp:?}").starts_with("DhKeyPair"));
}
