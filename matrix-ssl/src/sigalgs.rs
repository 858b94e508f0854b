//! `signature_algorithms` (RFC 5246 section 7.4.1.4.1): which hash-and-signature pairs matrix
//! offers and accepts, and the choice of one from a peer's list. Both machines use it: the
//! client sends the extension and picks a pair from a CertificateRequest; the server picks
//! the pair of its ServerKeyExchange from the client's extension and lists its own in a
//! CertificateRequest. RSA PKCS#1 v1.5 always; ECDSA (RFC 8422 section 5.1.3) with the
//! `ecc` feature. A pair is chosen for the kind of key that signs ([`SigKind`]).
//!
//! Only pairs whose hash this build compiles are offered or accepted (RFC 5246 section
//! 7.4.1.4.1: a client lists what it is able to verify): SHA-1 and SHA-384/512 are
//! features of matrix-crypto (a TLS-1.2-only ECDSA P-256 build has neither), asked through
//! [`HashAlgorithm::is_compiled`], so this list follows whatever the build compiled in.
//!
//! Before TLS 1.2 the pair is implicit: RSA over MD5 || SHA-1 without a DigestInfo, ECDSA
//! over SHA-1 (RFC 4492 section 5.4) ([`legacy`]).

use alloc::vec::Vec;

use matrix_crypto::alg::HashAlgorithm;

use crate::codec::{DecodeError, Reader, SignatureScheme};

/// What matrix can sign with and accept in TLS 1.2, most preferred first: SHA-256,
/// SHA-384, SHA-512, then SHA-1 for old peers (RFC 5246 still allows it); RSA, then (`ecc`)
/// ECDSA. An ECDSA build without `rsa` leaves the RSA pairs out (it can neither make nor
/// verify them); a build with neither (PSK only) keeps them, as before, since the list it
/// sends may not be empty and it verifies no signature anyway. Of these, [`SUPPORTED`] are
/// the ones whose hash is compiled in.
const CANDIDATES: &[SignatureScheme] = &[
    #[cfg(any(feature = "rsa", not(feature = "ecc-core")))]
    SignatureScheme::RSA_PKCS1_SHA256,
    #[cfg(any(feature = "rsa", not(feature = "ecc-core")))]
    SignatureScheme::RSA_PKCS1_SHA384,
    #[cfg(any(feature = "rsa", not(feature = "ecc-core")))]
    SignatureScheme::RSA_PKCS1_SHA512,
    #[cfg(any(feature = "rsa", not(feature = "ecc-core")))]
    SignatureScheme::RSA_PKCS1_SHA1,
    #[cfg(feature = "ecc-core")]
    SignatureScheme::ECDSA_SHA256,
    #[cfg(feature = "ecc-core")]
    SignatureScheme::ECDSA_SHA384,
    #[cfg(feature = "ecc-core")]
    SignatureScheme::ECDSA_SHA512,
    #[cfg(feature = "ecc-core")]
    SignatureScheme::ECDSA_SHA1,
];

/// What matrix offers (signature_algorithms, CertificateRequest) and accepts in this build,
/// most preferred first: the [`CANDIDATES`] whose hash is compiled in, chosen at compile
/// time (a constant slice, as cheap as a hand-written list).
pub(crate) const SUPPORTED: &[SignatureScheme] = COMPILED.0.split_at(COMPILED.1).0;

/// [`CANDIDATES`] with those whose hash is not compiled in left out, and how many remain.
const COMPILED: ([SignatureScheme; CANDIDATES.len()], usize) = compiled_candidates();

const fn compiled_candidates() -> ([SignatureScheme; CANDIDATES.len()], usize) {
    let mut out = [SignatureScheme::Unknown(0); CANDIDATES.len()];
    let (mut i, mut n) = (0, 0);
    while i < CANDIDATES.len() {
        if let Some(hash) = hash_of(CANDIDATES[i])
            && hash.is_compiled()
        {
            out[n] = CANDIDATES[i];
            n += 1;
        }
        i += 1;
    }
    (out, n)
}

/// The kind of key a signature is made with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SigKind {
    /// RSA PKCS#1 v1.5.
    Rsa,
    /// ECDSA (feature `ecc`).
    #[cfg_attr(not(feature = "ecc-core"), allow(dead_code))]
    Ecdsa,
}

/// The hash a supported pair signs; `None` for a pair matrix does not implement.
pub(crate) const fn hash_of(s: SignatureScheme) -> Option<HashAlgorithm> {
    match s {
        SignatureScheme::RSA_PKCS1_SHA1 | SignatureScheme::ECDSA_SHA1 => Some(HashAlgorithm::Sha1),
        SignatureScheme::RSA_PKCS1_SHA256 | SignatureScheme::ECDSA_SHA256 => {
            Some(HashAlgorithm::Sha256)
        }
        SignatureScheme::RSA_PKCS1_SHA384 | SignatureScheme::ECDSA_SHA384 => {
            Some(HashAlgorithm::Sha384)
        }
        SignatureScheme::RSA_PKCS1_SHA512 | SignatureScheme::ECDSA_SHA512 => {
            Some(HashAlgorithm::Sha512)
        }
        _ => None,
    }
}

/// The kind of key a pair signs with (its low byte: rsa(1), ecdsa(3)).
pub(crate) fn kind_of(s: SignatureScheme) -> Option<SigKind> {
    match s.get() & 0xff {
        1 => Some(SigKind::Rsa),
        3 => Some(SigKind::Ecdsa),
        _ => None,
    }
}

/// The pair to sign with a `kind` key for a peer that listed `peer`: our most preferred
/// one of that kind it has. A peer that sent no list gets what RFC 5246 section 7.4.1.4.1
/// makes the default, SHA-1 (the caller passes [`default_peer`]).
pub(crate) fn choose(kind: SigKind, peer: &[SignatureScheme]) -> Option<SignatureScheme> {
    SUPPORTED
        .iter()
        .copied()
        .find(|s| kind_of(*s) == Some(kind) && peer.contains(s))
}

/// What a TLS 1.2 peer without a signature_algorithms extension supports, for RSA keys.
pub(crate) const DEFAULT_PEER: &[SignatureScheme] =
    &[SignatureScheme::RSA_PKCS1_SHA1, SignatureScheme::ECDSA_SHA1];

/// The hash of a signature before TLS 1.2 (RFC 2246 sections 7.4.3 and 7.4.8): MD5 || SHA-1
/// with no DigestInfo for RSA, SHA-1 for ECDSA (RFC 4492 section 5.4).
pub(crate) const fn legacy(kind: SigKind) -> HashAlgorithm {
    match kind {
        SigKind::Rsa => HashAlgorithm::Md5Sha1,
        SigKind::Ecdsa => HashAlgorithm::Sha1,
    }
}

/// The hash to verify a received signature of a `kind` key with: in TLS 1.2 the pair it
/// names must be one we offered, of that kind (`None` otherwise, and for a pair missing in
/// TLS 1.2); before TLS 1.2 no pair may be present and the hash is [`legacy`].
#[allow(clippy::manual_contains)] // see the comment in the body
pub(crate) fn accepted(
    kind: SigKind,
    tls12: bool,
    got: Option<SignatureScheme>,
) -> Option<HashAlgorithm> {
    match (tls12, got) {
        // `any`, not `contains`: no `SliceContains` instance for this one short list.
        (true, Some(s)) if SUPPORTED.iter().any(|&x| x == s) && kind_of(s) == Some(kind) => {
            hash_of(s)
        }
        (false, None) => Some(legacy(kind)),
        _ => None,
    }
}

/// The extension_data of signature_algorithms: our list.
#[cfg_attr(
    not(feature = "client-side-ssl"),
    allow(dead_code, reason = "only a client sends the extension")
)]
pub(crate) fn extension_data() -> [u8; EXTENSION_DATA_LEN] {
    EXTENSION_DATA
}

/// [`extension_data`]'s bytes, built at compile time (a client copies them, no loop).
/// Written by hand, not by `encode_vec_u16`: a client links no generic list encoder for
/// this one constant list; an array of its known length (no allocation, no growth path).
/// At most eight pairs: the length fits.
const EXTENSION_DATA: [u8; EXTENSION_DATA_LEN] = {
    let mut v = [0; EXTENSION_DATA_LEN];
    let [l0, l1] = ((2 * SUPPORTED.len()) as u16).to_be_bytes();
    v[0] = l0;
    v[1] = l1;
    let mut i = 0;
    while i < SUPPORTED.len() {
        let [h, l] = SUPPORTED[i].const_wire().to_be_bytes();
        v[2 + 2 * i] = h;
        v[3 + 2 * i] = l;
        i += 1;
    }
    v
};

/// The length of [`extension_data`]: the list's two-byte length and two bytes a pair.
const EXTENSION_DATA_LEN: usize = 2 + 2 * SUPPORTED.len();

/// Decodes a signature_algorithms extension_data: `<2..2^16-2>`, an even length, nothing
/// after it.
#[cfg_attr(
    not(feature = "server-side-ssl"),
    allow(dead_code, reason = "only a server reads the extension")
)]
pub(crate) fn parse_extension(data: &[u8]) -> Result<Vec<SignatureScheme>, DecodeError> {
    let mut r = Reader::new(data);
    let list = crate::codec::handshake::read_signature_schemes(&mut r)?;
    r.expect_empty()?;
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The default build's list: RSA with every hash.
    #[cfg(all(
        not(feature = "ecc-core"),
        feature = "rsa",
        feature = "sha512",
        any(feature = "ssl3", feature = "tls")
    ))]
    #[test]
    fn extension_round_trips_and_chooses() {
        let d = extension_data();
        assert_eq!(d, [0, 8, 4, 1, 5, 1, 6, 1, 2, 1]);
        assert_eq!(parse_extension(&d).unwrap(), SUPPORTED);
        assert!(parse_extension(&[0, 3, 4, 1, 5]).is_err());
        assert!(parse_extension(&[0, 0]).is_err());
        assert!(parse_extension(&[0, 2, 4, 1, 0]).is_err());
        assert_eq!(
            choose(
                SigKind::Rsa,
                &[
                    SignatureScheme::ECDSA_SHA256,
                    SignatureScheme::RSA_PKCS1_SHA512
                ]
            ),
            Some(SignatureScheme::RSA_PKCS1_SHA512)
        );
        assert_eq!(
            choose(SigKind::Rsa, &[SignatureScheme::Unknown(0x0804)]),
            None
        );
        assert_eq!(
            choose(SigKind::Rsa, DEFAULT_PEER),
            Some(SignatureScheme::RSA_PKCS1_SHA1)
        );
        let rsa = SigKind::Rsa;
        assert_eq!(accepted(rsa, true, None), None);
        assert_eq!(
            accepted(rsa, false, Some(SignatureScheme::RSA_PKCS1_SHA1)),
            None
        );
        assert_eq!(accepted(rsa, false, None), Some(HashAlgorithm::Md5Sha1));
        assert_eq!(
            accepted(rsa, true, Some(SignatureScheme::RSA_PKCS1_SHA384)),
            Some(HashAlgorithm::Sha384)
        );
        assert_eq!(accepted(rsa, true, Some(SignatureScheme::ECDSA_SHA1)), None);
    }

    #[cfg(all(
        feature = "ecc-core",
        feature = "sha512",
        any(feature = "ssl3", feature = "tls")
    ))]
    #[test]
    fn ecdsa_pairs_are_chosen_for_ec_keys_only() {
        let ec = SigKind::Ecdsa;
        let peer = [
            SignatureScheme::RSA_PKCS1_SHA256,
            SignatureScheme::ECDSA_SHA384,
            SignatureScheme::ECDSA_SHA1,
        ];
        assert_eq!(choose(ec, &peer), Some(SignatureScheme::ECDSA_SHA384));
        assert_eq!(choose(ec, DEFAULT_PEER), Some(SignatureScheme::ECDSA_SHA1));
        assert_eq!(choose(ec, &[SignatureScheme::RSA_PKCS1_SHA256]), None);
        assert_eq!(legacy(ec), HashAlgorithm::Sha1);
        assert_eq!(
            accepted(ec, true, Some(SignatureScheme::ECDSA_SHA256)),
            Some(HashAlgorithm::Sha256)
        );
        assert_eq!(
            accepted(ec, true, Some(SignatureScheme::RSA_PKCS1_SHA256)),
            None
        );
        assert_eq!(parse_extension(&extension_data()).unwrap(), SUPPORTED);
    }
}
