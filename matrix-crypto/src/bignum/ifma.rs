
#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift64*), enough for test operands.
    struct Gen(u64);

    impl Gen {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }
    }

    /// The IFMA exponentiation runs for 8, 16 and 32-limb moduli (top bit set or not) and
    /// agrees with the portable square-and-multiply, including for the bases 0, 1 and
    /// m - 1 and an empty exponent.
    #[test]
    fn matches_the_portable_exponentiation() {
        let mut g = Gen(0x9e37_79b9_7f4a_7c15);
        for s in [8usize, 16, 32] {
            for case in 0..6 {
                let mut m: Vec<u64> = (0..s).map(|_| g.next()).collect();
                m[0] |= 1;
                m[s - 1] |= 1 << 63;
                if case == 1 {
                    m[s - 1] >>= 7;
                }
                let ctx = MontCtx::new(m.clone()).unwrap();
                let mut base: Vec<u64> = (0..s).map(|_| g.next()).collect();
                base[s - 1] = 0;
                match case {
                    2 => base.fill(0),
                    3 => {
                        base.fill(0);
                        base[0] = 1;
                    }
                    4 => {
                        base.copy_from_slice(&m);
                        base[0] -= 1;
                    }
                    _ => {}
                }
                let base_m = ctx.to_mont(&base);
                let exp: Vec<u64> = (0..s / 2).map(|_| g.next()).collect();
                let bits = if case == 5 { 0 } else { 64 * exp.len() };
                for w in [1, 4, 5] {
                    let got = pow_ct(&ctx, &base_m, &exp, bits, w).expect("an IFMA instance");
                    let want = if bits == 0 {
                        ctx.to_mont(&{
                            let mut one = vec![0u64; s];
                            one[0] = 1;
                            one
                        })
                    } else {
                        ctx.pow_vartime_exp(&base_m, &exp)
                    };
                    assert_eq!(&got[..], &want[..], "s = {s}, case {case}, w = {w}");
                }
            }
        }
    }

    #[test]
    fn digits_round_trip() {
        let mut g = Gen(7);
        let x: Vec<u64> = (0..16).map(|_| g.next()).collect();
        let d: Digits<3> = to_digits(&x);
        let mut back = vec![0u64; 17];
        from_digits(&d, &mut back);
        assert_eq!(&back[..16], &x[..]);
        assert_eq!(back[16], 0);
    }
}
