//! The library's random generator: HMAC_DRBG (NIST SP 800-90A Rev. 1, section 10.1.2),
//! without prediction resistance, over HMAC-SHA-256, or over HMAC-SHA-1 with the feature
//! `drbg-sha1` (a build that needs no SHA-256 elsewhere then links none; SP 800-90A allows
//! SHA-1 for HMAC_DRBG, table 2, and its security strength is 128 bits). The generator is
//! written once over the hash ([`HmacDrbgOver`]); [`HmacDrbg`] is the build's choice.
//!
//! This module owns instantiation (10.1.2.3), reseeding (10.1.2.4), generation (10.1.2.5)
//! and the update function (10.1.2.2). A generator made by [`HmacDrbg::new`] (or, with
//! `std`, `HmacDrbg::from_os_entropy`) keeps its entropy source and reseeds itself from it
//! every [`DEFAULT_RESEED_INTERVAL`] requests; one made by [`HmacDrbg::from_entropy`] or
//! [`HmacDrbg::from_seed`] (known-answer tests, simulations) keeps no source and fails once a
//! reseed is due until it is reseeded by hand. The state `(K, V)` is wiped on drop.

use alloc::boxed::Box;
use core::fmt;

use matrix_core::osdep::Entropy;
use matrix_core::{Error, Result};
use zeroize::Zeroize;

use crate::hash::Hash;
use crate::mac::{Hmac, KeyedMac};
use crate::random::SecureRandom;

/// The most bytes one generate request may return (2^19 bits, SP 800-90A table 2).
/// [`SecureRandom::fill_bytes`] splits longer requests.
pub const MAX_REQUEST_LEN: usize = 1 << 16;

/// Requests between automatic reseeds of a generator that owns its entropy source.
pub const DEFAULT_RESEED_INTERVAL: u64 = 1 << 20;

/// The largest reseed interval SP 800-90A allows (2^48 requests, table 2).
pub const MAX_RESEED_INTERVAL: u64 = 1 << 48;

/// Entropy input read from the source at instantiation and reseed: 256 bits, the security
/// strength of HMAC-SHA-256 (more than SHA-1's 128, which SP 800-90A allows).
const ENTROPY_LEN: usize = 32;

/// The nonce read from the source at instantiation: half the security strength (SP 800-90A
/// section 8.6.7).
const NONCE_LEN: usize = 16;

/// The hash of the build's generator: SHA-256 (256-bit security strength).
#[cfg(not(feature = "drbg-sha1"))]
pub type DrbgHash = crate::hash::Sha256;

/// The hash of the build's generator: SHA-1 (feature `drbg-sha1`; 128-bit security
/// strength).
#[cfg(feature = "drbg-sha1")]
pub type DrbgHash = crate::hash::Sha1;

/// The library's generator: HMAC_DRBG over [`DrbgHash`].
pub type HmacDrbg = HmacDrbgOver<DrbgHash>;

/// HMAC_DRBG (SP 800-90A) with HMAC over `H` (SHA-1, SHA-256, ...).
pub struct HmacDrbgOver<H: Hash> {
    v: H::Output,
    /// HMAC keyed with `K`: its inner and outer pad blocks hashed once per key, not once
    /// per HMAC (a third of the compressions of a generate request). `K` itself is needed
    /// only to key it, so it is not kept: the update function holds it while it rekeys.
    keyed: Hmac<H>,
    reseed_counter: u64,
    reseed_interval: u64,
    source: Option<Box<dyn Entropy + Send>>,
}

impl<H: Hash> HmacDrbgOver<H> {
    /// The heap bytes this generator holds: its boxed entropy source, if it keeps one.
    pub fn heap_bytes(&self) -> usize {
        self.source.as_deref().map_or(0, core::mem::size_of_val)
    }

    /// A generator seeded from `source` (48 bytes: entropy input and nonce) and
    /// `personalization`, which keeps `source` to reseed itself every
    /// [`DEFAULT_RESEED_INTERVAL`] requests. Fails with the source's error.
    pub fn new(mut source: Box<dyn Entropy + Send>, personalization: &[u8]) -> Result<Self> {
        let mut seed = [0u8; ENTROPY_LEN + NONCE_LEN];
        read_seed(source.as_mut(), &mut seed)?;
        let drbg = Self::instantiate(
            &seed,
            personalization,
            Some(source),
            DEFAULT_RESEED_INTERVAL,
        );
        seed.zeroize();
        Ok(drbg)
    }

    /// A generator seeded once from a borrowed `entropy` source (48 bytes) and
    /// `personalization`, for sources that cannot be handed over (not `Send`, not
    /// `'static`). It keeps no source: like [`HmacDrbg::from_seed`], its reseed interval is
    /// [`MAX_RESEED_INTERVAL`] and it must be reseeded by hand ([`HmacDrbg::reseed_from`]).
    pub fn from_entropy(entropy: &mut dyn Entropy, personalization: &[u8]) -> Result<Self> {
        let mut seed = [0u8; ENTROPY_LEN + NONCE_LEN];
        read_seed(entropy, &mut seed)?;
        let drbg = Self::instantiate(&seed, personalization, None, MAX_RESEED_INTERVAL);
        seed.zeroize();
        Ok(drbg)
    }

    /// Instantiation (SP 800-90A section 10.1.2.3) from a seed read by [`read_seed`]:
    /// entropy input, then nonce. The generator is built where it is returned (the callers
    /// wrap it in `Ok` last), not built and then moved and patched. Inlined: a small build
    /// calls it from [`HmacDrbg::new`] alone.
    #[inline(always)]
    fn instantiate(
        seed: &[u8; ENTROPY_LEN + NONCE_LEN],
        personalization: &[u8],
        source: Option<Box<dyn Entropy + Send>>,
        reseed_interval: u64,
    ) -> Self {
        let (entropy_input, nonce) = seed.split_at(ENTROPY_LEN);
        Self::seeded(
            [entropy_input, nonce, personalization],
            source,
            reseed_interval,
        )
    }

    /// A generator seeded from the operating system ([`matrix_core::osdep::OsEntropy`]).
    #[cfg(feature = "std")]
    #[cfg_attr(docsrs, doc(cfg(feature = "std")))]
    pub fn from_os_entropy(personalization: &[u8]) -> Result<Self> {
        Self::new(Box::new(matrix_core::osdep::OsEntropy), personalization)
    }

    /// A generator instantiated from the given inputs (SP 800-90A section 10.1.2.3), with no
    /// entropy source: deterministic, for known-answer tests. Its reseed interval is
    /// [`MAX_RESEED_INTERVAL`]; when a reseed is due, generation fails with `PlatformFail`
    /// until [`HmacDrbg::reseed_with`] is called.
    pub fn from_seed(entropy_input: &[u8], nonce: &[u8], personalization: &[u8]) -> Self {
        Self::seeded(
            [entropy_input, nonce, personalization],
            None,
            MAX_RESEED_INTERVAL,
        )
    }

    /// The generator with `K = 0x00...` and `V = 0x01...` (10.1.2.3 steps 2-3), updated with
    /// the seed material (step 4).
    fn seeded(
        seed_material: [&[u8]; 3],
        source: Option<Box<dyn Entropy + Send>>,
        reseed_interval: u64,
    ) -> Self {
        // V in the hash's output type.
        let mut v = H::digest(&[]);
        v.as_mut().fill(0x01);
        let mut drbg = HmacDrbgOver {
            // K = 0x00...: HMAC pads its key with zeros, so the empty key is the same key.
            keyed: Hmac::new(&[]),
            v,
            reseed_counter: 1,
            reseed_interval,
            source,
        };
        drbg.update(seed_material);
        drbg
    }

    /// Sets the number of generate requests allowed between reseeds: `ArgFail` unless it is
    /// between 1 and [`MAX_RESEED_INTERVAL`].
    pub fn set_reseed_interval(&mut self, requests: u64) -> Result<()> {
        if requests == 0 || requests > MAX_RESEED_INTERVAL {
            return Err(Error::ArgFail);
        }
        self.reseed_interval = requests;
        Ok(())
    }

    /// Reseeds from the generator's own entropy source, mixing in `additional_input`;
    /// `PlatformFail` if it has none (or the source's error).
    pub fn reseed(&mut self, additional_input: &[u8]) -> Result<()> {
        // The source is borrowed beside the state it reseeds (not taken out and put back).
        let source = self.source.as_deref_mut().ok_or(Error::PlatformFail)?;
        reseed_state(
            &mut self.v,
            &mut self.keyed,
            &mut self.reseed_counter,
            source,
            additional_input,
        )
    }

    /// Reseeds from `entropy` (32 bytes), mixing in `additional_input`.
    pub fn reseed_from(
        &mut self,
        entropy: &mut dyn Entropy,
        additional_input: &[u8],
    ) -> Result<()> {
        reseed_state(
            &mut self.v,
            &mut self.keyed,
            &mut self.reseed_counter,
            entropy,
            additional_input,
        )
    }

    /// Reseeds with the given entropy input and additional input (SP 800-90A section
    /// 10.1.2.4), for known-answer tests and callers that gather entropy themselves.
    pub fn reseed_with(&mut self, entropy_input: &[u8], additional_input: &[u8]) {
        self.update([entropy_input, additional_input, &[]]);
        self.reseed_counter = 1;
    }

    /// Fills `out` (at most [`MAX_REQUEST_LEN`] bytes, else `ArgFail`) with one generate
    /// request (SP 800-90A section 10.1.2.5), mixing in `additional_input`. Reseeds first
    /// when due, or fails with `PlatformFail` if the generator has no source.
    pub fn generate(&mut self, out: &mut [u8], additional_input: &[u8]) -> Result<()> {
        if out.len() > MAX_REQUEST_LEN {
            return Err(Error::ArgFail);
        }
        let mut additional_input = additional_input;
        if self.reseed_counter > self.reseed_interval {
            if self.source.is_none() {
                return Err(matrix_core::ps_error!(
                    Error::PlatformFail,
                    "HMAC_DRBG: reseed required and no entropy source"
                ));
            }
            self.reseed(additional_input)?;
            // SP 800-90A 9.3.1: the additional input went into the reseed.
            additional_input = &[];
        }
        if !additional_input.is_empty() {
            self.update([additional_input, &[], &[]]);
        }
        hmac_drbg_fill(self.v.as_mut(), &self.keyed, out);
        self.update([additional_input, &[], &[]]);
        self.reseed_counter += 1;
        Ok(())
    }

    fn update(&mut self, provided: [&[u8]; 3]) {
        hmac_drbg_update(self.v.as_mut(), &mut self.keyed, provided);
    }
}

/// Reseeding (SP 800-90A section 10.1.2.4) from `entropy` (32 bytes) and
/// `additional_input`, on the generator's fields: V, the keyed HMAC and the reseed counter
/// (set to 1). The source's error is returned and the state left as it was.
fn reseed_state<H: Hash>(
    v: &mut H::Output,
    keyed: &mut Hmac<H>,
    reseed_counter: &mut u64,
    entropy: &mut dyn Entropy,
    additional_input: &[u8],
) -> Result<()> {
    let mut e = [0u8; ENTROPY_LEN];
    let got = entropy.get_entropy(&mut e);
    if got.is_ok() {
        hmac_drbg_update(v.as_mut(), keyed, [&e, additional_input, &[]]);
        *reseed_counter = 1;
    }
    // As a slice: the `[u8]` zeroize every build links, not a `[u8; 32]` instance.
    e.as_mut_slice().zeroize();
    got
}

/// Reads the entropy input and nonce of an instantiation into `seed`, which is wiped if
/// the source fails.
fn read_seed(entropy: &mut dyn Entropy, seed: &mut [u8; ENTROPY_LEN + NONCE_LEN]) -> Result<()> {
    let got = entropy.get_entropy(seed);
    if got.is_err() {
        seed.zeroize();
    }
    got
}

/// HMAC_DRBG_Update (SP 800-90A section 10.1.2.2); `provided` is the provided data in up to
/// three parts (empty parts add nothing), so callers need not concatenate secrets into a
/// buffer. `keyed` is HMAC keyed with `K`, before and after; `K` is held here only while
/// it rekeys `keyed`, then wiped. The HMACs go through the keyed HMAC's [`KeyedMac`]
/// method, the one the TLS PRFs call.
fn hmac_drbg_update<H: Hash>(v: &mut [u8], keyed: &mut Hmac<H>, provided: [&[u8]; 3]) {
    let has_data = !(provided[0].is_empty() && provided[1].is_empty() && provided[2].is_empty());
    let mut key = [0u8; crate::hash::MAX_OUTPUT_LEN];
    let key = &mut key[..H::OUTPUT_LEN.min(crate::hash::MAX_OUTPUT_LEN)];
    // A range, not the array `[0x00, 0x01]`: the array's iterator links its own `next`.
    for round in 0..2u8 {
        if round == 0x01 && !has_data {
            break;
        }
        // K = HMAC(K, V || round || provided_data)
        let [p0, p1, p2] = provided;
        keyed.mac_into(false, v, &[&[round], p0, p1, p2], key);
        *keyed = Hmac::new(key);
        // V = HMAC(K, V)
        next_v(keyed, v);
    }
    key.zeroize();
}

/// `V = HMAC(K, V)`, in place. Inlined into its two callers (an out-of-line copy only
/// forwards its arguments).
#[inline(always)]
fn next_v(keyed: &dyn KeyedMac, v: &mut [u8]) {
    keyed.mac_into(true, &[], &[], v);
}

/// The output loop of HMAC_DRBG_Generate (SP 800-90A section 10.1.2.5, step 4): `out` filled
/// with successive `V = HMAC(K, V)`, by offset (no chunk iterator).
fn hmac_drbg_fill(v: &mut [u8], keyed: &dyn KeyedMac, out: &mut [u8]) {
    if v.is_empty() {
        return; // No hash has an empty digest; the loop below needs progress.
    }
    let mut done = 0;
    while done < out.len() {
        next_v(keyed, v);
        let take = (out.len() - done).min(v.len());
        out[done..done + take].copy_from_slice(&v[..take]);
        done += take;
    }
}

impl<H: Hash> SecureRandom for HmacDrbgOver<H> {
    fn fill_bytes(&mut self, dest: &mut [u8]) -> Result<()> {
        // By offset, not `chunks_mut`: the same requests without the iterator's code.
        let mut done = 0;
        while done < dest.len() {
            let end = dest.len().min(done + MAX_REQUEST_LEN);
            self.generate(&mut dest[done..end], &[])?;
            done = end;
        }
        Ok(())
    }
}

impl<H: Hash> Drop for HmacDrbgOver<H> {
    fn drop(&mut self) {
        self.v.zeroize();
    }
}

impl<H: Hash> zeroize::ZeroizeOnDrop for HmacDrbgOver<H> {}

impl<H: Hash> fmt::Debug for HmacDrbgOver<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HmacDrbg")
            .field("reseed_counter", &self.reseed_counter)
            .field("reseed_interval", &self.reseed_interval)
            .field("has_source", &self.source.is_some())
            .finish_non_exhaustive()
    }
}
