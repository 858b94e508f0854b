//! Stateless HelloVerifyRequest cookies (RFC 4347 section 4.2.1).
//!
//! A server answers a ClientHello without a valid cookie with a HelloVerifyRequest and keeps
//! nothing: the cookie is `HMAC-SHA1(secret, client address || hello data)`, so the echoed
//! cookie can be checked from the second ClientHello alone. The hello data are the fields a
//! client must repeat unchanged in its second ClientHello (version, random, session_id,
//! cipher_suites, compression_methods); the transport address is given by the application,
//! as opaque bytes, since the library never sees sockets. Each field is length-prefixed
//! in the MAC input, so no two different inputs collide by shifting bytes between fields.
//!
//! The secret rotates (by [`CookieJar::rotate`] or, with an interval, by
//! [`CookieJar::tick`] on a [`Clock`]); the previous secret stays valid, so a client that
//! got its cookie just before a rotation still gets in. Cookies are compared in constant
//! time. Secrets are wiped on drop.

use alloc::vec::Vec;

use matrix_core::Error;
use matrix_core::osdep::Clock;
use matrix_crypto::hash::Sha1;
use matrix_crypto::mac::Hmac;
use matrix_crypto::random::SecureRandom;
use matrix_ssl::codec::handshake::ClientHello;
use matrix_ssl::codec::{Codec, LengthPrefix, encode_opaque};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// The length of our cookies: a whole HMAC-SHA1 tag (RFC 4347 allows up to 32 bytes).
pub const COOKIE_LEN: usize = 20;

const SECRET_LEN: usize = 32;

/// The server's cookie secrets: the current one and the one before it.
pub struct CookieJar {
    current: Zeroizing<[u8; SECRET_LEN]>,
    previous: Option<Zeroizing<[u8; SECRET_LEN]>>,
    interval_ms: Option<u64>,
    rotated_at_ms: u64,
}

impl core::fmt::Debug for CookieJar {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CookieJar")
            .field("interval_ms", &self.interval_ms)
            .field("rotated_at_ms", &self.rotated_at_ms)
            .finish_non_exhaustive()
    }
}

fn fresh_secret(rng: &mut dyn SecureRandom) -> Result<Zeroizing<[u8; SECRET_LEN]>, Error> {
    let mut s = Zeroizing::new([0u8; SECRET_LEN]);
    rng.fill_bytes(&mut s[..])?;
    Ok(s)
}

impl CookieJar {
    /// A jar with a fresh secret that rotates only when told to.
    pub fn new(rng: &mut dyn SecureRandom) -> Result<Self, Error> {
        Ok(CookieJar {
            current: fresh_secret(rng)?,
            previous: None,
            interval_ms: None,
            rotated_at_ms: 0,
        })
    }

    /// A jar whose secret [`CookieJar::tick`] rotates every `interval_ms` of `clock`.
    pub fn with_interval(
        rng: &mut dyn SecureRandom,
        interval_ms: u64,
        clock: &dyn Clock,
    ) -> Result<Self, Error> {
        let mut jar = Self::new(rng)?;
        jar.interval_ms = Some(interval_ms);
        jar.rotated_at_ms = clock.now_ms();
        Ok(jar)
    }

    /// Replaces the secret; the old one remains valid until the next rotation.
    pub fn rotate(&mut self, rng: &mut dyn SecureRandom) -> Result<(), Error> {
        let next = fresh_secret(rng)?;
        self.previous = Some(core::mem::replace(&mut self.current, next));
        Ok(())
    }

    /// Rotates when the interval has passed on `clock`; says whether it did.
    pub fn tick(&mut self, clock: &dyn Clock, rng: &mut dyn SecureRandom) -> Result<bool, Error> {
        let Some(interval) = self.interval_ms else {
            return Ok(false);
        };
        let now = clock.now_ms();
        if now.saturating_sub(self.rotated_at_ms) < interval {
            return Ok(false);
        }
        self.rotate(rng)?;
        self.rotated_at_ms = now;
        Ok(true)
    }

    fn compute(secret: &[u8], client_addr: &[u8], hello: &ClientHello) -> [u8; COOKIE_LEN] {
        let mut input = Zeroizing::new(Vec::with_capacity(128 + client_addr.len()));
        encode_opaque(&mut input, LengthPrefix::U16, client_addr);
        hello.client_version.encode(&mut input);
        input.extend_from_slice(&hello.random);
        encode_opaque(&mut input, LengthPrefix::U8, &hello.session_id);
        matrix_ssl::codec::encode_vec_u16(&mut input, &hello.cipher_suites);
        matrix_ssl::codec::encode_vec_u8(&mut input, &hello.compression_methods);
        Hmac::<Sha1>::mac(secret, &input)
    }

    /// The cookie for this client and hello, under the current secret.
    pub fn cookie(&self, client_addr: &[u8], hello: &ClientHello) -> [u8; COOKIE_LEN] {
        Self::compute(&self.current[..], client_addr, hello)
    }

    /// Whether the hello's cookie is the one the current or the previous secret gives for
    /// this client and hello, compared in constant time.
    pub fn verify(&self, client_addr: &[u8], hello: &ClientHello) -> bool {
        let Some(got) = hello.cookie.as_deref() else {
            return false;
        };
        let cur = Self::compute(&self.current[..], client_addr, hello);
        let mut ok = cur.as_slice().ct_eq(got);
        if let Some(prev) = &self.previous {
            let old = Self::compute(&prev[..], client_addr, hello);
            ok |= old.as_slice().ct_eq(got);
        }
        bool::from(ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use matrix_core::osdep::ManualClock;
    use matrix_ssl::codec::{CipherSuite, CompressionMethod, ProtocolVersion};

    struct CountRng(u8);
    impl SecureRandom for CountRng {
        fn fill_bytes(&mut self, out: &mut [u8]) -> Result<(), Error> {
            self.0 = self.0.wrapping_add(1);
            out.fill(self.0);
            Ok(())
        }
    }

    fn hello() -> ClientHello {
        ClientHello {
            client_version: ProtocolVersion::DTLSv1_0,
            random: [9; 32],
            session_id: Vec::new(),
            cookie: Some(Vec::new()),
            cipher_suites: alloc::vec![CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA],
            compression_methods: alloc::vec![CompressionMethod::Null],
            extensions: None,
        }
    }

    fn with_cookie(mut h: ClientHello, c: &[u8]) -> ClientHello {
        h.cookie = Some(c.to_vec());
        h
    }

    #[test]
    fn cookie_verifies_for_same_client_and_hello_only() {
        let jar = CookieJar::new(&mut CountRng(0)).unwrap();
        let c = jar.cookie(b"10.0.0.1:4433", &hello());
        assert!(jar.verify(b"10.0.0.1:4433", &with_cookie(hello(), &c)));
        assert!(!jar.verify(b"10.0.0.2:4433", &with_cookie(hello(), &c)));
        let mut other = with_cookie(hello(), &c);
        other.random[0] ^= 1;
        assert!(!jar.verify(b"10.0.0.1:4433", &other));
        let mut forged = c;
        forged[19] ^= 0x80;
        assert!(!jar.verify(b"10.0.0.1:4433", &with_cookie(hello(), &forged)));
        assert!(!jar.verify(b"10.0.0.1:4433", &with_cookie(hello(), &c[..19])));
        assert!(!jar.verify(b"10.0.0.1:4433", &with_cookie(hello(), &[])));
        let mut none = hello();
        none.cookie = None;
        assert!(!jar.verify(b"10.0.0.1:4433", &none));
    }

    #[test]
    fn extensions_do_not_change_the_cookie_but_suites_do() {
        let jar = CookieJar::new(&mut CountRng(0)).unwrap();
        let c = jar.cookie(b"a", &hello());
        let mut h = with_cookie(hello(), &c);
        h.extensions = Some(Vec::new());
        assert!(jar.verify(b"a", &h));
        h.cipher_suites
            .push(CipherSuite::TLS_RSA_WITH_AES_256_CBC_SHA);
        assert!(!jar.verify(b"a", &h));
    }

    #[test]
    fn previous_secret_accepted_for_one_rotation() {
        let mut rng = CountRng(0);
        let mut jar = CookieJar::new(&mut rng).unwrap();
        let c = jar.cookie(b"a", &hello());
        jar.rotate(&mut rng).unwrap();
        assert_ne!(jar.cookie(b"a", &hello()), c);
        assert!(jar.verify(b"a", &with_cookie(hello(), &c)));
        jar.rotate(&mut rng).unwrap();
        assert!(!jar.verify(b"a", &with_cookie(hello(), &c)));
    }

    #[test]
    fn clock_interval_rotates() {
        let mut rng = CountRng(0);
        let clock = ManualClock::new(1_000);
        let mut jar = CookieJar::with_interval(&mut rng, 60_000, &clock).unwrap();
        let c = jar.cookie(b"a", &hello());
        clock.advance(59_999);
        assert!(!jar.tick(&clock, &mut rng).unwrap());
        assert_eq!(jar.cookie(b"a", &hello()), c);
        clock.advance(1);
        assert!(jar.tick(&clock, &mut rng).unwrap());
        assert_ne!(jar.cookie(b"a", &hello()), c);
        assert!(!jar.tick(&clock, &mut rng).unwrap());
        let mut manual = CookieJar::new(&mut rng).unwrap();
        clock.advance(1 << 40);
        assert!(!manual.tick(&clock, &mut rng).unwrap());
    }
}
