//! Montgomery multiplication and exponentiation against num-bigint, for random odd moduli
//! of 64 to 4096 bits.

#![cfg(any(feature = "rsa", feature = "dh"))]

use matrix_crypto::bignum::Modulus;
use num_bigint::BigUint;
use proptest::prelude::*;

/// Cases per property: fewer in debug builds, where big exponentiations are slow.
const CASES: u32 = if cfg!(debug_assertions) { 24 } else { 128 };

/// An odd modulus of `bits` bits (top bit set) from arbitrary bytes.
fn modulus(bits: usize, raw: &[u8]) -> Vec<u8> {
    let len = bits.div_ceil(8);
    let mut m: Vec<u8> = raw.iter().cycle().take(len).copied().collect();
    let top = (bits - 1) % 8;
    m[0] &= ((1u16 << (top + 1)) - 1) as u8;
    m[0] |= 1 << top;
    m[len - 1] |= 1;
    m
}

/// A value below `m` with `m`'s byte length.
fn below(m: &BigUint, len: usize, raw: &[u8]) -> Vec<u8> {
    let v = BigUint::from_bytes_be(raw) % m;
    pad(&v, len)
}

fn pad(v: &BigUint, len: usize) -> Vec<u8> {
    let b = v.to_bytes_be();
    let mut out = vec![0u8; len - b.len()];
    out.extend_from_slice(&b);
    out
}

type Case = (usize, Vec<u8>, Vec<u8>, Vec<u8>, Vec<u8>);

fn arb_case() -> impl Strategy<Value = Case> {
    case_of_bits(64usize..=4096)
}

/// Moduli of exactly 8, 16 or 32 limbs: the sizes with fixed-size kernels.
fn arb_fixed_case() -> impl Strategy<Value = Case> {
    case_of_bits(prop_oneof![
        449usize..=512,
        961usize..=1024,
        1985usize..=2048
    ])
}

fn case_of_bits(bits: impl Strategy<Value = usize>) -> impl Strategy<Value = Case> {
    bits.prop_flat_map(|bits| {
        let len = bits.div_ceil(8);
        (
            Just(bits),
            prop::collection::vec(any::<u8>(), len),
            prop::collection::vec(any::<u8>(), len + 8),
            prop::collection::vec(any::<u8>(), len + 8),
            prop::collection::vec(any::<u8>(), 0..=64),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(CASES))]

    #[test]
    fn mul_and_pow_match_num_bigint((bits, mraw, araw, braw, exp) in arb_case()) {
        check_mul_and_pow(bits, &mraw, &araw, &braw, &exp)?;
    }

    #[test]
    fn fixed_size_kernels_match_num_bigint((bits, mraw, araw, braw, exp) in arb_fixed_case()) {
        check_mul_and_pow(bits, &mraw, &araw, &braw, &exp)?;
    }
}

fn check_mul_and_pow(
    bits: usize,
    mraw: &[u8],
    araw: &[u8],
    braw: &[u8],
    exp: &[u8],
) -> Result<(), TestCaseError> {
    {
        let m_be = modulus(bits, mraw);
        let m = BigUint::from_bytes_be(&m_be);
        let len = m_be.len();
        let a = below(&m, len, araw);
        let b = below(&m, len, braw);
        let modulus = Modulus::from_be_bytes(&m_be).unwrap();
        prop_assert_eq!(modulus.bits(), bits);
        prop_assert_eq!(modulus.len(), len);

        let ab = modulus.mul_mod(&a, &b).unwrap();
        let expect = BigUint::from_bytes_be(&a) * BigUint::from_bytes_be(&b) % &m;
        prop_assert_eq!(ab.to_vec(), pad(&expect, len));

        let expect = BigUint::from_bytes_be(&a).modpow(&BigUint::from_bytes_be(exp), &m);
        let ct = modulus.pow_mod(&a, exp).unwrap();
        prop_assert_eq!(ct.to_vec(), pad(&expect, len));
        let vt = modulus.pow_mod_public(&a, exp).unwrap();
        prop_assert_eq!(vt, pad(&expect, len));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(if cfg!(debug_assertions) { 4 } else { 24 }))]

    /// Full-length exponents (as in RSA without CRT and DH with unnamed groups).
    #[test]
    fn full_length_exponent((bits, mraw, araw, eraw, _e) in arb_case()) {
        let m_be = modulus(bits, &mraw);
        let m = BigUint::from_bytes_be(&m_be);
        let len = m_be.len();
        let a = below(&m, len, &araw);
        let e = &eraw[..len];
        let modulus = Modulus::from_be_bytes(&m_be).unwrap();
        let expect = BigUint::from_bytes_be(&a).modpow(&BigUint::from_bytes_be(e), &m);
        prop_assert_eq!(modulus.pow_mod(&a, e).unwrap().to_vec(), pad(&expect, len));
    }
}

#[test]
fn edge_values() {
    // Smallest moduli, all-ones moduli, zero and one operands, zero exponent.
    for m_be in [
        vec![3u8],
        vec![0xff; 8],
        vec![0xff; 256],
        vec![0x80, 0, 0, 0, 0, 0, 0, 0, 1],
    ] {
        let m = BigUint::from_bytes_be(&m_be);
        let modulus = Modulus::from_be_bytes(&m_be).unwrap();
        let len = modulus.len();
        let mm1 = pad(&(&m - 1u32), len);
        for a in [vec![0u8], vec![1u8], mm1.clone()] {
            for e in [vec![], vec![0u8], vec![1u8], vec![2u8], mm1.clone()] {
                let expect = BigUint::from_bytes_be(&a).modpow(&BigUint::from_bytes_be(&e), &m);
                assert_eq!(modulus.pow_mod(&a, &e).unwrap().to_vec(), pad(&expect, len));
                assert_eq!(modulus.pow_mod_public(&a, &e).unwrap(), pad(&expect, len));
            }
            let expect = BigUint::from_bytes_be(&a) * BigUint::from_bytes_be(&mm1) % &m;
            assert_eq!(
                modulus.mul_mod(&a, &mm1).unwrap().to_vec(),
                pad(&expect, len)
            );
        }
    }
}

#[test]
fn rejects_bad_moduli_and_operands() {
    assert!(Modulus::from_be_bytes(&[]).is_err());
    assert!(Modulus::from_be_bytes(&[0, 0]).is_err());
    assert!(Modulus::from_be_bytes(&[1]).is_err());
    assert!(Modulus::from_be_bytes(&[0x10, 0x00]).is_err());
    let m = Modulus::from_be_bytes(&[0x01, 0x01]).unwrap();
    // Operands must be reduced.
    assert!(m.mul_mod(&[0x01, 0x01], &[1]).is_err());
    assert!(m.mul_mod(&[0x01, 0x00, 0x00], &[1]).is_err());
    assert!(m.pow_mod(&[0x02, 0x00], &[1]).is_err());
    assert!(m.mul_mod(&[0, 0, 0x01, 0x00], &[1]).is_ok());
}
