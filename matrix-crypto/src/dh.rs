//! Diffie-Hellman key agreement over a prime field (PKCS #3, as TLS uses it).
//!
//! This module owns finite-field Diffie-Hellman for matrix: groups `(p, g)` of 1024 to 4096
//! bits as a server loads them or a ServerKeyExchange carries them (RFC 2246 / RFC 5246
//! section 7.4.3, `ServerDHParams`), key-pair generation, and the agreement that yields the
//! premaster secret of the DHE and DH_anon suites (RFC 2246 section 8.1.2). The
//! exponentiations in the private exponent are constant-time ([`crate::bignum`]).
//!
//! # Private exponent length
//!
//! OpenSSL 3 sizes a DH private key as follows. For the named safe-prime groups it
//! recognizes (RFC 7919 `ffdheNNNN` and RFC 3526 `modp_NNNN`), it draws the key uniformly
//! below `2^N` where `N` is the group's short-exponent length, 225 / 275 / 325 bits for
//! 2048 / 3072 / 4096-bit groups (RFC 7919 section 5.2 gives these lengths); the OpenSSL
//! 3.0.19 on our build machine produced keys of 222 to 225 bits for `ffdhe2048` and
//! `modp_2048`. For any other group without a subgroup order `q` - every group that a
//! `DH PARAMETERS` file or a TLS ServerKeyExchange gives us - its `dh_key.c` draws a
//! full-length exponent, `l = bits(p) - 1` bits with the top bit set
//! (`BN_priv_rand_ex(l, BN_RAND_TOP_ONE)`). (The OpenSSL 3.0.19 on our build machine gave
//! exponents of exactly 1022 bits for a 1024-bit group from `openssl genpkey -genparam`, in
//! 12 of 12 tries: one bit shorter than that reading of the code, the same order.)
//!
//! We do the same: [`DhGroup::new`] recognizes the six named groups above by their exact
//! prime (and `g = 2`) and then uses uniform private keys in `[1, 2^N)`; for every other
//! group the private key has exactly `bits(p) - 1` bits. The short exponents are sound for
//! these groups because they are safe primes whose generator 2 has order `q = (p-1)/2`,
//! so there is no small subgroup for a short exponent to leak into; for an unknown group
//! we cannot know that, hence the full length. The length is public (it is a property of
//! the group), the exponent's value is not: the exponentiation always processes exactly
//! that many bits.
//!
//! # Peer values
//!
//! [`DhKeyPair::agree`] accepts a peer public value `y` only if `1 < y < p - 1` (values 0,
//! 1 and `p - 1` force the shared secret into a subgroup of order at most 2). Any other
//! value, and a value longer than `p`, fails with `Error::ProtocolFail`: the value comes
//! from the peer, and the TLS layer maps this error to an `illegal_parameter` alert.

use crate::bignum::{
    LIMB_BITS, LIMB_BYTES, Limb, MontCtx, bit_len_vartime, limbs_from_be, limbs_to_be, strip_be,
};
use crate::random::SecureRandom;
use alloc::vec;
use alloc::vec::Vec;
use matrix_core::{Error, Result};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Smallest supported prime, in bits.
pub const MIN_PRIME_BITS: usize = 1024;
/// Largest supported prime, in bits.
pub const MAX_PRIME_BITS: usize = 4096;

/// The named safe-prime groups this module knows (all with generator 2).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NamedGroup {
    /// RFC 7919 `ffdhe2048`.
    Ffdhe2048,
    /// RFC 7919 `ffdhe3072`.
    Ffdhe3072,
    /// RFC 7919 `ffdhe4096`.
    Ffdhe4096,
    /// RFC 3526 2048-bit MODP group (group 14).
    Modp2048,
    /// RFC 3526 3072-bit MODP group (group 15).
    Modp3072,
    /// RFC 3526 4096-bit MODP group (group 16).
    Modp4096,
}

impl NamedGroup {
    /// The group's prime as lowercase hex, and its short-exponent length in bits.
    fn prime_hex_and_exponent_bits(self) -> (&'static str, usize) {
        match self {
            NamedGroup::Ffdhe2048 => (FFDHE2048_HEX, 225),
            NamedGroup::Ffdhe3072 => (FFDHE3072_HEX, 275),
            NamedGroup::Ffdhe4096 => (FFDHE4096_HEX, 325),
            NamedGroup::Modp2048 => (MODP2048_HEX, 225),
            NamedGroup::Modp3072 => (MODP3072_HEX, 275),
            NamedGroup::Modp4096 => (MODP4096_HEX, 325),
        }
    }

    const ALL: [NamedGroup; 6] = [
        NamedGroup::Ffdhe2048,
        NamedGroup::Ffdhe3072,
        NamedGroup::Ffdhe4096,
        NamedGroup::Modp2048,
        NamedGroup::Modp3072,
        NamedGroup::Modp4096,
    ];

    /// The group's prime, big-endian.
    pub fn prime(self) -> Vec<u8> {
        let hex = self.prime_hex_and_exponent_bits().0.as_bytes();
        hex.chunks_exact(2)
            .map(|pair| (hex_digit(pair[0]) << 4) | hex_digit(pair[1]))
            .collect()
    }
}

/// The value of a lowercase hex digit (constants only).
fn hex_digit(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        _ => c.wrapping_sub(b'a').wrapping_add(10) & 15,
    }
}

/// A Diffie-Hellman group: a prime `p` and a generator `g`.
#[derive(Clone)]
pub struct DhGroup {
    p: MontCtx,
    p_be: Vec<u8>,
    g_be: Vec<u8>,
    /// `g` in Montgomery form.
    g_m: Vec<Limb>,
    /// Length of private exponents in bits.
    priv_bits: usize,
    /// Whether private exponents have their top bit set (unnamed groups) or are uniform
    /// below `2^priv_bits` (named groups).
    top_one: bool,
}

impl DhGroup {
    /// The heap bytes this group holds besides itself (memory accounting).
    pub fn heap_bytes(&self) -> usize {
        self.p.heap_bytes()
            + self.p_be.capacity()
            + self.g_be.capacity()
            + self.g_m.capacity() * LIMB_BYTES
    }

    /// A group from the big-endian prime and generator (leading zeros allowed). Fails with
    /// `ArgFail` unless `p` is odd with 1024 to 4096 bits and `1 < g < p - 1`. The prime is
    /// not tested for primality (that is the parameter file's or the peer's business, as in
    /// MatrixSSL).
    pub fn new(p_be: &[u8], g_be: &[u8]) -> Result<Self> {
        let p_be = strip_be(p_be);
        let g_be = strip_be(g_be);
        if p_be.is_empty() || p_be.len() > MAX_PRIME_BITS / 8 || g_be.len() > p_be.len() {
            return Err(Error::ArgFail);
        }
        let s = p_be.len().div_ceil(LIMB_BYTES);
        let p = limbs_from_be(p_be, s)?;
        let bits = bit_len_vartime(&p);
        if !(MIN_PRIME_BITS..=MAX_PRIME_BITS).contains(&bits) || p[0] & 1 == 0 {
            return Err(Error::ArgFail);
        }
        let g = limbs_from_be(g_be, s)?;
        if !in_open_range(&g, &p) {
            return Err(Error::ArgFail);
        }
        let ctx = MontCtx::new(p)?;
        let g_m = ctx.to_mont(&g).to_vec();
        let (priv_bits, top_one) = match named_group_exponent_bits(p_be, g_be) {
            Some(n) => (n, false),
            None => (bits - 1, true),
        };
        Ok(DhGroup {
            p: ctx,
            p_be: p_be.to_vec(),
            g_be: g_be.to_vec(),
            g_m,
            priv_bits,
            top_one,
        })
    }

    /// One of the named groups (generator 2).
    pub fn named(group: NamedGroup) -> Result<Self> {
        DhGroup::new(&group.prime(), &[2])
    }

    /// The prime, big-endian, without leading zeros.
    pub fn p(&self) -> &[u8] {
        &self.p_be
    }

    /// The generator, big-endian, without leading zeros.
    pub fn g(&self) -> &[u8] {
        &self.g_be
    }

    /// The prime's length in octets: the length of public values and shared secrets.
    pub fn size(&self) -> usize {
        self.p_be.len()
    }

    /// The bit length of private exponents for this group (see the module documentation).
    pub fn private_bits(&self) -> usize {
        self.priv_bits
    }

    /// Generates a key pair: a private exponent sized as described in the module
    /// documentation, and `g^x mod p`.
    pub fn generate_key(&self, rng: &mut dyn SecureRandom) -> Result<DhKeyPair> {
        let bits = self.priv_bits;
        let nlimbs = bits.div_ceil(LIMB_BITS);
        let mut bytes = Zeroizing::new(vec![0u8; nlimbs * LIMB_BYTES]);
        let x = loop {
            rng.fill_bytes(&mut bytes)?;
            let mut x = Zeroizing::new(limbs_from_be(&bytes, nlimbs)?);
            let top = (bits - 1) % LIMB_BITS;
            let last = nlimbs - 1;
            if top < LIMB_BITS - 1 {
                x[last] &= (1 << (top + 1)) - 1;
            }
            if self.top_one {
                x[last] |= 1 << top;
            }
            // x = 0 only for a named group, with probability 2^-225: draw again.
            if x.iter().fold(0, |a, l| a | l) != 0 {
                break x;
            }
        };
        let y_m = self.p.pow_ct(&self.g_m, &x, bits);
        let y = self.p.mont_to_plain(&y_m);
        let mut public = vec![0u8; self.size()];
        limbs_to_be(&y, &mut public);
        Ok(DhKeyPair {
            group: self.clone(),
            x: x.to_vec(),
            public,
        })
    }
}

impl core::fmt::Debug for DhGroup {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DhGroup")
            .field("bits", &self.p.bits())
            .field("g", &self.g_be)
            .field("private_bits", &self.priv_bits)
            .finish_non_exhaustive()
    }
}

/// A Diffie-Hellman key pair; the private exponent is zeroized on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct DhKeyPair {
    #[zeroize(skip)]
    group: DhGroup,
    x: Vec<Limb>,
    #[zeroize(skip)]
    public: Vec<u8>,
}

impl DhKeyPair {
    /// The heap bytes this key pair holds besides itself: its private exponent, public
    /// value and group (memory accounting of the sessions that keep one).
    pub fn heap_bytes(&self) -> usize {
        self.x.capacity() * LIMB_BYTES + self.public.capacity() + self.group.heap_bytes()
    }

    /// The public value `g^x mod p`, big-endian, with the prime's length (leading zeros
    /// kept; TLS' `dh_Ys` may carry it as is or stripped, receivers accept both).
    pub fn public_bytes(&self) -> &[u8] {
        &self.public
    }

    /// The group of this key pair.
    pub fn group(&self) -> &DhGroup {
        &self.group
    }

    /// The shared secret `peer^x mod p` as a big-endian number of the prime's length,
    /// leading zeros kept (the form of PKCS #3 and of OpenSSL's padded derivation).
    ///
    /// `ProtocolFail` unless `1 < peer < p - 1` (see the module documentation).
    pub fn agree(&self, peer_public: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let p = &self.group.p;
        let peer = strip_be(peer_public);
        if peer.len() > self.group.size() {
            return Err(Error::ProtocolFail);
        }
        let y = limbs_from_be(peer, p.nlimbs()).map_err(|_| Error::ProtocolFail)?;
        if !in_open_range(&y, p.modulus()) {
            return Err(Error::ProtocolFail);
        }
        let y_m = p.to_mont(&y);
        let z_m = p.pow_ct(&y_m, &self.x, self.group.priv_bits);
        let z = p.mont_to_plain(&z_m);
        let mut out = Zeroizing::new(vec![0u8; self.group.size()]);
        limbs_to_be(&z, &mut out);
        Ok(out)
    }

    /// The shared secret as the TLS premaster secret of RFC 2246 / RFC 4346 section 8.1.2:
    /// [`DhKeyPair::agree`] with the leading zero octets stripped.
    ///
    /// The stripping is what those RFCs require, and its result's length depends on the
    /// secret (the Raccoon attack measures the timing this causes further down, in the
    /// PRF); TLS 1.0 to 1.2 have no other choice.
    pub fn agree_tls(&self, peer_public: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let full = self.agree(peer_public)?;
        Ok(Zeroizing::new(strip_be(&full).to_vec()))
    }
}

impl core::fmt::Debug for DhKeyPair {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("DhKeyPair")
            .field("group", &self.group)
            .finish_non_exhaustive()
    }
}

/// Whether `1 < x < p - 1` (public values; variable time). `x` has `p`'s limb count.
fn in_open_range(x: &[Limb], p: &[Limb]) -> bool {
    if bit_len_vartime(x) < 2 {
        return false;
    }
    // x < p - 1  <=>  x + 1 < p (p is odd, so p - 1 does not borrow past limb 0).
    let mut pm1 = p.to_vec();
    pm1[0] &= !1;
    for i in (0..x.len()).rev() {
        if x[i] != pm1[i] {
            return x[i] < pm1[i];
        }
    }
    false
}

/// The short-exponent length of a recognized named group, or `None`.
fn named_group_exponent_bits(p_be: &[u8], g_be: &[u8]) -> Option<usize> {
    if g_be != [2] {
        return None;
    }
    NamedGroup::ALL
        .iter()
        .map(|g| g.prime_hex_and_exponent_bits())
        .find(|(hex, _)| hex_eq(hex, p_be))
        .map(|(_, n)| n)
}

/// Whether the lowercase hex string `hex` spells `bytes` (public values).
fn hex_eq(hex: &str, bytes: &[u8]) -> bool {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let h = hex.as_bytes();
    h.len() == 2 * bytes.len()
        && bytes.iter().enumerate().all(|(i, b)| {
            h[2 * i] == DIGITS[usize::from(b >> 4)] && h[2 * i + 1] == DIGITS[usize::from(b & 15)]
        })
}

/// The prime of the `ffdhe2048` group (RFC 7919 appendix A.1), hex.
const FFDHE2048_HEX: &str = "\
     ffffffffffffffffadf85458a2bb4a9aafdc5620273d3cf1d8b9c583ce2d3695\
     a9e13641146433fbcc939dce249b3ef97d2fe363630c75d8f681b202aec4617a\
     d3df1ed5d5fd65612433f51f5f066ed0856365553ded1af3b557135e7f57c935\
     984f0c70e0e68b77e2a689daf3efe8721df158a136ade73530acca4f483a797a\
     bc0ab182b324fb61d108a94bb2c8e3fbb96adab760d7f4681d4f42a3de394df4\
     ae56ede76372bb190b07a7c8ee0a6d709e02fce1cdf7e2ecc03404cd28342f61\
     9172fe9ce98583ff8e4f1232eef28183c3fe3b1b4c6fad733bb5fcbc2ec22005\
     c58ef1837d1683b2c6f34a26c1b2effa886b423861285c97ffffffffffffffff";

/// The prime of the `ffdhe3072` group (RFC 7919 appendix A.2), hex.
const FFDHE3072_HEX: &str = "\
     ffffffffffffffffadf85458a2bb4a9aafdc5620273d3cf1d8b9c583ce2d3695\
     a9e13641146433fbcc939dce249b3ef97d2fe363630c75d8f681b202aec4617a\
     d3df1ed5d5fd65612433f51f5f066ed0856365553ded1af3b557135e7f57c935\
     984f0c70e0e68b77e2a689daf3efe8721df158a136ade73530acca4f483a797a\
     bc0ab182b324fb61d108a94bb2c8e3fbb96adab760d7f4681d4f42a3de394df4\
     ae56ede76372bb190b07a7c8ee0a6d709e02fce1cdf7e2ecc03404cd28342f61\
     9172fe9ce98583ff8e4f1232eef28183c3fe3b1b4c6fad733bb5fcbc2ec22005\
     c58ef1837d1683b2c6f34a26c1b2effa886b4238611fcfdcde355b3b6519035b\
     bc34f4def99c023861b46fc9d6e6c9077ad91d2691f7f7ee598cb0fac186d91c\
     aefe130985139270b4130c93bc437944f4fd4452e2d74dd364f2e21e71f54bff\
     5cae82ab9c9df69ee86d2bc522363a0dabc521979b0deada1dbf9a42d5c4484e\
     0abcd06bfa53ddef3c1b20ee3fd59d7c25e41d2b66c62e37ffffffffffffffff";

/// The prime of the `ffdhe4096` group (RFC 7919 appendix A.3), hex.
const FFDHE4096_HEX: &str = "\
     ffffffffffffffffadf85458a2bb4a9aafdc5620273d3cf1d8b9c583ce2d3695\
     a9e13641146433fbcc939dce249b3ef97d2fe363630c75d8f681b202aec4617a\
     d3df1ed5d5fd65612433f51f5f066ed0856365553ded1af3b557135e7f57c935\
     984f0c70e0e68b77e2a689daf3efe8721df158a136ade73530acca4f483a797a\
     bc0ab182b324fb61d108a94bb2c8e3fbb96adab760d7f4681d4f42a3de394df4\
     ae56ede76372bb190b07a7c8ee0a6d709e02fce1cdf7e2ecc03404cd28342f61\
     9172fe9ce98583ff8e4f1232eef28183c3fe3b1b4c6fad733bb5fcbc2ec22005\
     c58ef1837d1683b2c6f34a26c1b2effa886b4238611fcfdcde355b3b6519035b\
     bc34f4def99c023861b46fc9d6e6c9077ad91d2691f7f7ee598cb0fac186d91c\
     aefe130985139270b4130c93bc437944f4fd4452e2d74dd364f2e21e71f54bff\
     5cae82ab9c9df69ee86d2bc522363a0dabc521979b0deada1dbf9a42d5c4484e\
     0abcd06bfa53ddef3c1b20ee3fd59d7c25e41d2b669e1ef16e6f52c3164df4fb\
     7930e9e4e58857b6ac7d5f42d69f6d187763cf1d5503400487f55ba57e31cc7a\
     7135c886efb4318aed6a1e012d9e6832a907600a918130c46dc778f971ad0038\
     092999a333cb8b7a1a1db93d7140003c2a4ecea9f98d0acc0a8291cdcec97dcf\
     8ec9b55a7f88a46b4db5a851f44182e1c68a007e5e655f6affffffffffffffff";

/// The prime of the `modp_2048` group (RFC 3526 section 3), hex.
const MODP2048_HEX: &str = "\
     ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74\
     020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437\
     4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed\
     ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05\
     98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb\
     9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b\
     e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf695581718\
     3995497cea956ae515d2261898fa051015728e5a8aacaa68ffffffffffffffff";

/// The prime of the `modp_3072` group (RFC 3526 section 4), hex.
const MODP3072_HEX: &str = "\
     ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74\
     020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437\
     4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed\
     ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05\
     98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb\
     9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b\
     e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf695581718\
     3995497cea956ae515d2261898fa051015728e5a8aaac42dad33170d04507a33\
     a85521abdf1cba64ecfb850458dbef0a8aea71575d060c7db3970f85a6e1e4c7\
     abf5ae8cdb0933d71e8c94e04a25619dcee3d2261ad2ee6bf12ffa06d98a0864\
     d87602733ec86a64521f2b18177b200cbbe117577a615d6c770988c0bad946e2\
     08e24fa074e5ab3143db5bfce0fd108e4b82d120a93ad2caffffffffffffffff";

/// The prime of the `modp_4096` group (RFC 3526 section 5), hex.
const MODP4096_HEX: &str = "\
     ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74\
     020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437\
     4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed\
     ee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05\
     98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb\
     9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b\
     e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf695581718\
     3995497cea956ae515d2261898fa051015728e5a8aaac42dad33170d04507a33\
     a85521abdf1cba64ecfb850458dbef0a8aea71575d060c7db3970f85a6e1e4c7\
     abf5ae8cdb0933d71e8c94e04a25619dcee3d2261ad2ee6bf12ffa06d98a0864\
     d87602733ec86a64521f2b18177b200cbbe117577a615d6c770988c0bad946e2\
     08e24fa074e5ab3143db5bfce0fd108e4b82d120a92108011a723c12a787e6d7\
     88719a10bdba5b2699c327186af4e23c1a946834b6150bda2583e9ca2ad44ce8\
     dbbbc2db04de8ef92e8efc141fbecaa6287c59474e6bc05d99b2964fa090c3a2\
     233ba186515be7ed1f612970cee2d7afb81bdd762170481cd0069127d5b05aa9\
     93b4ea988d8fddc186ffb7dc90a6c08f4df435c934063199ffffffffffffffff";
