//! HMAC_DRBG (SHA-256): NIST CAVP known answers (HMAC_DRBG.rsp, no reseed, no prediction
//! resistance: instantiate, generate 1024 bits, generate 1024 bits, compare the second), and
//! reseeding, additional input and automatic reseed against a plain reimplementation of
//! SP 800-90A 10.1.2 written here with one buffer per HMAC. HMAC_DRBG (SHA-1, the generator
//! of `drbg-sha1` builds): CAVP known answers with and without reseed and additional input.
//! The SHA-256 tests name their hash, so that they hold whichever hash the build's
//! `HmacDrbg` uses.

use matrix_core::osdep::Entropy;
use matrix_crypto::Error;
use matrix_crypto::drbg::{self, HmacDrbgOver};
#[cfg(feature = "sha1")]
use matrix_crypto::hash::Sha1;
use matrix_crypto::hash::Sha256;
use matrix_crypto::mac::Hmac;
use matrix_crypto::random::SecureRandom;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The SHA-256 generator (the default build's `HmacDrbg`).
type HmacDrbg = HmacDrbgOver<Sha256>;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    assert!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digit"))
        .collect()
}

/// (EntropyInput, Nonce, PersonalizationString, ReturnedBits) from CAVP HMAC_DRBG.rsp
/// [SHA-256], PredictionResistance = False, no reseed, no additional input.
const CAVP: [(&str, &str, &str, &str); 3] = [
    (
        "ca851911349384bffe89de1cbdc46e6831e44d34a4fb935ee285dd14b71a7488",
        "659ba96c601dc69fc902940805ec0ca8",
        "",
        "e528e9abf2dece54d47c7e75e5fe302149f817ea9fb4bee6f4199697d04d5b89d54fbb978a15b5c443c9ec21036d2460b6f73ebad0dc2aba6e624abf07745bc107694bb7547bb0995f70de25d6b29e2d3011bb19d27676c07162c8b5ccde0668961df86803482cb37ed6d5c0bb8d50cf1f50d476aa0458bdaba806f48be9dcb8",
    ),
    (
        "79737479ba4e7642a221fcfd1b820b134e9e3540a35bb48ffae29c20f5418ea3",
        "3593259c092bef4129bc2c6c9e19f343",
        "",
        "cf5ad5984f9e43917aa9087380dac46e410ddc8a7731859c84e9d0f31bd43655b924159413e2293b17610f211e09f770f172b8fb693a35b85d3b9e5e63b1dc252ac0e115002e9bedfb4b5b6fd43f33b8e0eafb2d072e1a6fee1f159df9b51e6c8da737e60d5032dd30544ec51558c6f080bdbdab1de8a939e961e06b5f1aca37",
    ),
    (
        "5cacc68165a2e2ee20812f35ec73a79dbf30fd475476ac0c44fc6174cdac2b55",
        "6f885496c1e63af620becd9e71ecb824",
        "e72dd8590d4ed5295515c35ed6199e9d211b8f069b3058caa6670b96ef1208d0",
        "f1012cf543f94533df27fedfbf58e5b79a3dc517a9c402bdbfc9a0c0f721f9d53faf4aafdc4b8f7a1b580fcaa52338d4bd95f58966a243cdcd3f446ed4bc546d9f607b190dd69954450d16cd0e2d6437067d8b44d19a6af7a7cfa8794e5fbd728e8fb2f2e8db5dd4ff1aa275f35886098e80ff844886060da8b1e7137846b23b",
    ),
];

/// One CAVP case: hex strings, in the file's order (see `CAVP_SHA1`).
#[cfg(feature = "sha1")]
type Sha1Case = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

/// CAVP HMAC_DRBG.rsp [SHA-1] (NIST CAVP, drbgtestvectors.zip, SP 800-90A; EntropyInputLen
/// 128, NonceLen 64, ReturnedBitsLen 640), PredictionResistance = False: (EntropyInput,
/// Nonce, PersonalizationString, EntropyInputReseed, AdditionalInputReseed,
/// AdditionalInput 1, AdditionalInput 2, ReturnedBits). An empty EntropyInputReseed marks
/// the no-reseed file: instantiate, generate, generate; the others reseed first.
#[cfg(feature = "sha1")]
const CAVP_SHA1: [Sha1Case; 5] = [
    (
        "e91b63309e93d1d08e30e8d556906875",
        "f59747c468b0d0da",
        "",
        "",
        "",
        "",
        "",
        "b7928f9503a417110788f9d0c2585f8aee6fb73b220a626b3ab9825b7a9facc79723d7e1ba9255e40e65c249b6082a7bc5e3f129d3d8f69b04ed1183419d6c4f2a13b304d2c5743f41c8b0ee73225347",
    ),
    (
        "d0c57f7dc0308115b1ea30e2ea2f7702",
        "89cebdda617d132c",
        "",
        "",
        "",
        "",
        "",
        "b797615a78d1afe74ebedb9d8948d82cf2bb586ed80146b96d41a709f689178b772dd342d29af5449694bf8eaf33a664a24c0ad29a12529eeaba478a799917ab4666de1b6eb2c7332017d67eea6fabd8",
    ),
    (
        "49058e6773ed2b7ab309c0949fdf9c9e",
        "a457cb8ec0e7fd01",
        "dc477641d89c7fc4a30f1430197dd159",
        "",
        "",
        "",
        "",
        "4e891f4e281100453b70788929ec743a3c5edd9b81dc798bc93771368c39b612037b6f42f60c5d8924b646848151b0c295be491d4a28d1927deed523fd04d3d2dda95ed42166312e5c3392d22893b0dc",
    ),
    (
        "79349bbf7cdda5799557866621c91383",
        "1146733abf8c35c8",
        "",
        "c7215b5b96c48e9b338c74e3e99dfedf",
        "",
        "",
        "",
        "c6a16ab8d420706f0f34ab7fec5adca9d8ca3a133e159ca6ac43c6f8a2be22834a4c0a0affb10d7194f1c1a5cf7322ec1ae0964ed4bf122746e087fdb5b3e91b3493d5bb98faed49e85f130fc8a459b7",
    ),
    (
        "7d7052a776fd2fb3d7191f733304ee8b",
        "be4a0ceedca80207",
        "",
        "49047e879d610955eed916e4060e00c9",
        "fd8bb33aab2f6cdfbc541811861d518d",
        "99afe347540461ddf6abeb491e0715b4",
        "02f773482dd7ae66f76e381598a64ef0",
        "a736343844fc92511391db0addd9064dbee24c8976aa259a9e3b6368aa6de4c9bf3a0effcda9cb0e9dc33652ab58ecb7650ed80467f76a849fb1cfc1ed0a09f7155086064db324b1e124f3fc9e614fcb",
    ),
];

#[cfg(feature = "sha1")]
#[test]
fn cavp_hmac_drbg_sha1() {
    for (entropy, nonce, pers, reseed, add_reseed, add1, add2, want) in CAVP_SHA1 {
        let mut d = HmacDrbgOver::<Sha1>::from_seed(&hex(entropy), &hex(nonce), &hex(pers));
        if !reseed.is_empty() {
            d.reseed_with(&hex(reseed), &hex(add_reseed));
        }
        let mut out = [0u8; 80];
        d.generate(&mut out, &hex(add1)).unwrap();
        d.generate(&mut out, &hex(add2)).unwrap();
        assert_eq!(out.to_vec(), hex(want), "EntropyInput {entropy}");
    }
}

/// The build's generator is the one its features name: SHA-1 with `drbg-sha1`, else SHA-256.
#[test]
fn build_generator_hash() {
    let want = if cfg!(feature = "drbg-sha1") {
        matrix_crypto::alg::HashAlgorithm::Sha1
    } else {
        matrix_crypto::alg::HashAlgorithm::Sha256
    };
    assert_eq!(
        <drbg::DrbgHash as matrix_crypto::hash::Hash>::ALGORITHM,
        want
    );
}

#[test]
fn cavp_hmac_drbg_sha256_no_reseed() {
    for (entropy, nonce, pers, want) in CAVP {
        let mut d = HmacDrbg::from_seed(&hex(entropy), &hex(nonce), &hex(pers));
        let mut out = [0u8; 128];
        d.generate(&mut out, &[]).unwrap();
        d.generate(&mut out, &[]).unwrap();
        assert_eq!(out.to_vec(), hex(want));
        // The plain reimplementation agrees, so it can judge the paths CAVP does not cover.
        let mut r = Reference::new(&[hex(entropy), hex(nonce), hex(pers)].concat());
        r.generate(128, b"");
        assert_eq!(r.generate(128, b""), hex(want));
    }
}

/// SP 800-90A 10.1.2 HMAC_DRBG, written as plainly as possible.
struct Reference {
    k: Vec<u8>,
    v: Vec<u8>,
}

impl Reference {
    fn new(seed_material: &[u8]) -> Self {
        let mut r = Reference {
            k: vec![0; 32],
            v: vec![1; 32],
        };
        r.update(seed_material);
        r
    }

    fn hmac(k: &[u8], data: &[u8]) -> Vec<u8> {
        Hmac::<Sha256>::mac(k, data).to_vec()
    }

    fn update(&mut self, provided: &[u8]) {
        self.k = Self::hmac(&self.k, &[&self.v[..], &[0x00], provided].concat());
        self.v = Self::hmac(&self.k, &self.v);
        if !provided.is_empty() {
            self.k = Self::hmac(&self.k, &[&self.v[..], &[0x01], provided].concat());
            self.v = Self::hmac(&self.k, &self.v);
        }
    }

    fn reseed(&mut self, entropy: &[u8], additional: &[u8]) {
        self.update(&[entropy, additional].concat());
    }

    fn generate(&mut self, len: usize, additional: &[u8]) -> Vec<u8> {
        if !additional.is_empty() {
            self.update(additional);
        }
        let mut out = Vec::new();
        while out.len() < len {
            self.v = Self::hmac(&self.k, &self.v);
            out.extend_from_slice(&self.v);
        }
        out.truncate(len);
        self.update(additional);
        out
    }
}

#[test]
fn reseed_and_additional_input_follow_sp800_90a() {
    let (e, n, p) = ([7u8; 32], [9u8; 16], b"personal".to_vec());
    let mut d = HmacDrbg::from_seed(&e, &n, &p);
    let mut r = Reference::new(&[&e[..], &n[..], &p[..]].concat());
    for (i, len) in [0usize, 1, 31, 32, 33, 100, 1000].into_iter().enumerate() {
        let add = vec![i as u8; i * 5];
        let mut out = vec![0u8; len];
        d.generate(&mut out, &add).unwrap();
        assert_eq!(out, r.generate(len, &add), "request {i}");
        if i % 3 == 2 {
            let fresh = vec![0x40 + i as u8; 32];
            d.reseed_with(&fresh, &add);
            r.reseed(&fresh, &add);
        }
    }
}

#[test]
fn request_limit_and_reseed_interval() {
    let mut d = HmacDrbg::from_seed(&[1; 32], &[2; 16], &[]);
    let mut big = vec![0u8; drbg::MAX_REQUEST_LEN + 1];
    assert_eq!(d.generate(&mut big, &[]), Err(Error::ArgFail));
    assert_eq!(d.set_reseed_interval(0), Err(Error::ArgFail));
    assert_eq!(
        d.set_reseed_interval(drbg::MAX_RESEED_INTERVAL + 1),
        Err(Error::ArgFail)
    );
    d.set_reseed_interval(2).unwrap();
    let mut out = [0u8; 16];
    d.generate(&mut out, &[]).unwrap();
    d.generate(&mut out, &[]).unwrap();
    // A seeded-by-hand generator has no source: once a reseed is due it refuses to run.
    assert_eq!(d.generate(&mut out, &[]), Err(Error::PlatformFail));
    assert_eq!(d.reseed(&[]), Err(Error::PlatformFail));
    d.reseed_with(&[3; 32], &[]);
    d.generate(&mut out, &[]).unwrap();
    // fill_bytes splits requests larger than the per-request limit.
    let mut d = HmacDrbg::from_seed(&[1; 32], &[2; 16], &[]);
    let mut huge = vec![0u8; 3 * drbg::MAX_REQUEST_LEN + 5];
    d.fill_bytes(&mut huge).unwrap();
    assert!(huge[3 * drbg::MAX_REQUEST_LEN..].iter().any(|&b| b != 0));
}

/// An entropy source that returns a counter pattern and counts its calls.
struct Counting {
    calls: Arc<AtomicUsize>,
}

impl Entropy for Counting {
    fn get_entropy(&mut self, buf: &mut [u8]) -> Result<(), Error> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst);
        buf.iter_mut()
            .enumerate()
            .for_each(|(i, b)| *b = (i + n * 100) as u8);
        Ok(())
    }
}

struct Failing;

impl Entropy for Failing {
    fn get_entropy(&mut self, _buf: &mut [u8]) -> Result<(), Error> {
        Err(Error::PlatformFail)
    }
}

#[test]
fn owned_source_seeds_and_reseeds_automatically() {
    let calls = Arc::new(AtomicUsize::new(0));
    let mut d = HmacDrbg::new(
        Box::new(Counting {
            calls: calls.clone(),
        }),
        b"pers",
    )
    .unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    d.set_reseed_interval(3).unwrap();

    // The reference sees the same bytes: 48 seed bytes (entropy || nonce) first.
    let seed: Vec<u8> = (0..48).map(|i| i as u8).collect();
    let mut r = Reference::new(&[&seed[..], b"pers"].concat());
    let mut out = [0u8; 40];
    for _ in 0..3 {
        d.fill_bytes(&mut out).unwrap();
        assert_eq!(out.to_vec(), r.generate(40, b""));
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    // The fourth request is due for a reseed: 32 fresh bytes from the source, then output.
    d.generate(&mut out, b"extra").unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    let fresh: Vec<u8> = (0..32).map(|i| (i + 100) as u8).collect();
    r.reseed(&fresh, b"extra");
    assert_eq!(out.to_vec(), r.generate(40, b""));

    // An explicit reseed from the owned source, and one from a borrowed source.
    d.reseed(b"").unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    let mut other = Counting {
        calls: Arc::new(AtomicUsize::new(5)),
    };
    d.reseed_from(&mut other, b"x").unwrap();
    assert_eq!(
        d.reseed_from(&mut Failing, b"").err(),
        Some(Error::PlatformFail)
    );
    assert!(format!("{d:?}").starts_with("HmacDrbg"));
}

#[test]
fn failing_source_fails_instantiation() {
    assert_eq!(
        HmacDrbg::new(Box::new(Failing), &[]).err(),
        Some(Error::PlatformFail)
    );
}

#[cfg(feature = "std")]
#[test]
fn os_seeded_generators_differ() {
    let mut a = HmacDrbg::from_os_entropy(b"matrix").unwrap();
    let mut b = HmacDrbg::from_os_entropy(b"matrix").unwrap();
    let (mut x, mut y) = ([0u8; 32], [0u8; 32]);
    a.fill_bytes(&mut x).unwrap();
    b.fill_bytes(&mut y).unwrap();
    assert_ne!(x, y);
    // Through the SecureRandom trait object and a &mut reference.
    let r: &mut dyn SecureRandom = &mut a;
    r.fill_bytes(&mut x).unwrap();
}

#[test]
fn borrowed_source_seeds_once() {
    assert_eq!(
        HmacDrbg::from_entropy(&mut Failing, &[]).err(),
        Some(Error::PlatformFail)
    );
    let calls = Arc::new(AtomicUsize::new(0));
    let mut source = Counting {
        calls: calls.clone(),
    };
    let mut d = HmacDrbg::from_entropy(&mut source, b"p").unwrap();
    let seed: Vec<u8> = (0..48).map(|i| i as u8).collect();
    let mut r = Reference::new(&[&seed[..], b"p"].concat());
    let mut out = [0u8; 64];
    d.fill_bytes(&mut out).unwrap();
    assert_eq!(out.to_vec(), r.generate(64, b""));
    d.set_reseed_interval(1).unwrap();
    // No owned source: a due reseed is an error until the caller reseeds.
    assert_eq!(d.fill_bytes(&mut out), Err(Error::PlatformFail));
    d.reseed_from(&mut source, b"").unwrap();
    d.fill_bytes(&mut out).unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
}
