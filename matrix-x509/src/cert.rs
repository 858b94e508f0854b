//! X.509 certificates (`psX509Cert_t`; RFC 5280 section 4.1), parsed into the fields
//! MatrixSSL's certificate callback sees, with the unparsed DER kept for the signature
//! check and for sending.

use alloc::vec::Vec;
use core::ops::Range;

use matrix_core::Error;
use matrix_crypto::alg::HashAlgorithm;
#[cfg(feature = "ecc-core")]
use matrix_crypto::ec::{EcPublicKey, NamedCurve};

use crate::der::{Der, tag, whole_sequence};
use crate::extensions::Extensions;
use crate::name::DistinguishedName;
use crate::oid;
use crate::time::CertTime;

/// The PKCS #1 signature OIDs without their last octet (1.2.840.113549.1.1).
const PKCS1_PREFIX: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01];
/// The ecdsa-with-SHA2 OIDs without their last octet (1.2.840.10045.4.3).
const ECDSA_SHA2_PREFIX: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03];

/// The largest certificate matrix parses: a bound on what a peer can make us hold.
pub const MAX_CERT_SIZE: usize = 64 * 1024;

/// A certificate's signature algorithm (`certAlgorithm` / `sigAlgorithm`).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignatureAlgorithm {
    /// md2WithRSAEncryption: recognised, never accepted (MD2 is broken and not built).
    Md2WithRsa,
    /// md5WithRSAEncryption.
    Md5WithRsa,
    /// sha1WithRSAEncryption.
    Sha1WithRsa,
    /// sha256WithRSAEncryption.
    Sha256WithRsa,
    /// sha384WithRSAEncryption.
    Sha384WithRsa,
    /// sha512WithRSAEncryption.
    Sha512WithRsa,
    /// ecdsa-with-SHA1 (RFC 3279 section 2.2.3); verified with the `ecc` feature.
    EcdsaWithSha1,
    /// ecdsa-with-SHA256 (RFC 5758 section 3.2); verified with the `ecc` feature.
    EcdsaWithSha256,
    /// ecdsa-with-SHA384; verified with the `ecc` feature.
    EcdsaWithSha384,
    /// ecdsa-with-SHA512; verified with the `ecc` and matrix-crypto `sha512` features.
    EcdsaWithSha512,
    /// Any other algorithm, by OID content bytes.
    Unknown(Vec<u8>),
}

impl SignatureAlgorithm {
    /// The algorithm an OID names. The RSA and the ECDSA-with-SHA2 OIDs differ only in
    /// their last octet after a common prefix: the prefix is compared as a slice (one
    /// `bcmp` call each; ten comparisons of whole OIDs were 40 B more on a Cortex-M4, the
    /// byte-by-byte prefix matches 100 B more) and the last octet picks the algorithm.
    fn from_oid(o: &[u8]) -> Self {
        let known = match o.split_last() {
            // 1.2.840.113549.1.1.x (PKCS #1).
            Some((last, head)) if head == PKCS1_PREFIX => match last {
                0x02 => Some(SignatureAlgorithm::Md2WithRsa),
                0x04 => Some(SignatureAlgorithm::Md5WithRsa),
                0x05 => Some(SignatureAlgorithm::Sha1WithRsa),
                0x0B => Some(SignatureAlgorithm::Sha256WithRsa),
                0x0C => Some(SignatureAlgorithm::Sha384WithRsa),
                0x0D => Some(SignatureAlgorithm::Sha512WithRsa),
                _ => None,
            },
            // 1.2.840.10045.4.3.x (ecdsa-with-SHA2).
            Some((last, head)) if head == ECDSA_SHA2_PREFIX => match last {
                0x02 => Some(SignatureAlgorithm::EcdsaWithSha256),
                0x03 => Some(SignatureAlgorithm::EcdsaWithSha384),
                0x04 => Some(SignatureAlgorithm::EcdsaWithSha512),
                _ => None,
            },
            // 1.2.840.10045.4.1 (ecdsa-with-SHA1).
            _ if o == oid::ECDSA_WITH_SHA1 => Some(SignatureAlgorithm::EcdsaWithSha1),
            _ => None,
        };
        known.unwrap_or_else(|| SignatureAlgorithm::Unknown(o.to_vec()))
    }

    /// `*self = Self::from_oid(o)`, out of line: a certificate sets two.
    #[inline(never)]
    fn set_from_oid(&mut self, o: &[u8]) {
        *self = Self::from_oid(o);
    }

    /// The hash of a signature algorithm matrix can verify (RSA PKCS#1 v1.5 or ECDSA).
    pub fn hash(&self) -> Option<HashAlgorithm> {
        match self {
            SignatureAlgorithm::Md5WithRsa => Some(HashAlgorithm::Md5),
            SignatureAlgorithm::Sha1WithRsa | SignatureAlgorithm::EcdsaWithSha1 => {
                Some(HashAlgorithm::Sha1)
            }
            SignatureAlgorithm::Sha256WithRsa | SignatureAlgorithm::EcdsaWithSha256 => {
                Some(HashAlgorithm::Sha256)
            }
            SignatureAlgorithm::Sha384WithRsa | SignatureAlgorithm::EcdsaWithSha384 => {
                Some(HashAlgorithm::Sha384)
            }
            SignatureAlgorithm::Sha512WithRsa | SignatureAlgorithm::EcdsaWithSha512 => {
                Some(HashAlgorithm::Sha512)
            }
            _ => None,
        }
    }

    /// Whether this is one of the ECDSA algorithms (the signature is a DER
    /// `ECDSA-Sig-Value`, the key an EC key).
    pub fn is_ecdsa(&self) -> bool {
        matches!(
            self,
            SignatureAlgorithm::EcdsaWithSha1
                | SignatureAlgorithm::EcdsaWithSha256
                | SignatureAlgorithm::EcdsaWithSha384
                | SignatureAlgorithm::EcdsaWithSha512
        )
    }
}

/// A certificate's public key (`publicKey`, `pubKeyAlgorithm`).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublicKey {
    /// An RSA key: modulus and public exponent, big-endian without leading zeros.
    Rsa {
        /// The modulus n.
        n: Vec<u8>,
        /// The public exponent e.
        e: Vec<u8>,
    },
    /// An EC key on a named curve matrix has (feature `ecc`; RFC 5480): the point, checked
    /// to lie on the curve at parse time, as an uncompressed SEC 1 point.
    #[cfg(feature = "ecc-core")]
    Ec {
        /// The named curve (P-256 or P-384).
        curve: NamedCurve,
        /// `04 || X || Y`.
        point: Vec<u8>,
    },
    /// A key of another algorithm (or, without the `ecc` feature or on another curve, an
    /// EC key): parsed, and `PS_UNSUPPORTED_FAIL` when used.
    Unsupported {
        /// The algorithm's OID content bytes.
        algorithm: Vec<u8>,
    },
}

impl PublicKey {
    /// The RSA modulus size in bits, if RSA.
    pub fn rsa_bits(&self) -> Option<usize> {
        match self {
            PublicKey::Rsa { n, .. } => {
                n.first().map(|&b| n.len() * 8 - b.leading_zeros() as usize)
            }
            _ => None,
        }
    }

    /// The EC public key, ready to verify signatures, if this is an EC key.
    #[cfg(feature = "ecc-core")]
    pub fn ec_key(&self) -> Option<EcPublicKey> {
        match self {
            PublicKey::Ec { curve, point } => EcPublicKey::from_sec1(*curve, point).ok(),
            _ => None,
        }
    }
}

/// `authStatus`: what chain authentication found for this certificate.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AuthStatus {
    /// `PS_FALSE`: untested (authentication stopped at an earlier certificate, or was never
    /// run).
    #[default]
    Untested,
    /// `PS_CERT_AUTH_PASS`: its issuer is a CA, the DNs match and the signature verifies.
    Pass,
    /// `PS_CERT_AUTH_FAIL_BC`: the issuing certificate has no CA permission (basicConstraints
    /// missing or false, or its pathLenConstraint is exceeded).
    FailBc,
    /// `PS_CERT_AUTH_FAIL_DN`: the issuer DN does not match the issuing certificate's subject.
    FailDn,
    /// `PS_CERT_AUTH_FAIL_SIG`: the signature does not verify (or uses an algorithm matrix
    /// cannot verify).
    FailSig,
    /// `PS_CERT_AUTH_FAIL_EXTENSION`: the certificate (or, for the top of the chain, the
    /// trusted CA that issued it) has a critical extension matrix does not process (RFC 5280
    /// 4.2); the handshake alert is unsupported_certificate.
    FailExtension,
    /// `PS_CERT_AUTH_FAIL_EXTENSION` too (later MatrixSSL releases report name-constraint
    /// failures under it): a name of this certificate is outside the permitted subtrees or
    /// inside the excluded subtrees of a CA above it (RFC 5280 4.2.1.10).
    FailNameConstraints,
}

impl AuthStatus {
    /// The C value: `PS_FALSE` 0, `PS_CERT_AUTH_PASS` 1 (`PS_TRUE`), and the failure codes.
    pub const fn code(self) -> i32 {
        match self {
            AuthStatus::Untested => 0,
            AuthStatus::Pass => 1,
            AuthStatus::FailBc => Error::CertAuthFailBc.code(),
            AuthStatus::FailDn => Error::CertAuthFailDn.code(),
            AuthStatus::FailSig => Error::CertAuthFailSig.code(),
            AuthStatus::FailExtension | AuthStatus::FailNameConstraints => {
                Error::CertAuthFailExtension.code()
            }
        }
    }
}

/// A parsed X.509 certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct X509Cert {
    /// 0 = v1, 1 = v2, 2 = v3.
    pub version: u8,
    /// The serial number's INTEGER content bytes as encoded (some CAs put non-integers here).
    pub serial_number: Vec<u8>,
    /// The issuer's DN.
    pub issuer: DistinguishedName,
    /// The subject's DN.
    pub subject: DistinguishedName,
    /// notBefore (its `time_type` is MatrixSSL's `timeType`).
    pub not_before: CertTime,
    /// notAfter.
    pub not_after: CertTime,
    /// The subject's public key.
    pub public_key: PublicKey,
    /// The signature algorithm named inside the signed part (`certAlgorithm`).
    pub cert_algorithm: SignatureAlgorithm,
    /// The signature algorithm named outside it (`sigAlgorithm`); parsing fails unless the
    /// two match.
    pub sig_algorithm: SignatureAlgorithm,
    /// The signature bytes.
    pub signature: Vec<u8>,
    /// issuerUniqueID bits (`uniqueIssuerId`).
    pub unique_issuer_id: Option<Vec<u8>>,
    /// subjectUniqueID bits (`uniqueSubjectId`).
    pub unique_subject_id: Option<Vec<u8>>,
    /// The v3 extensions.
    pub extensions: Extensions,
    /// Set by chain authentication.
    pub auth_status: AuthStatus,
    /// The whole certificate as DER (`unparsedBin`).
    pub der: Vec<u8>,
    tbs: Range<usize>,
}

impl X509Cert {
    /// Parses one DER certificate; the input must hold exactly one. The certificate keeps a
    /// copy of `der` ([`X509Cert::der`]).
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        // Refused before the copy: an oversized input is never duplicated.
        if der.len() > MAX_CERT_SIZE {
            return Err(Error::LimitFail);
        }
        Self::parse(der.to_vec())
    }

    /// [`X509Cert::from_der`] of a certificate the caller owns already (a received
    /// Certificate message's entry): the bytes are moved into [`X509Cert::der`], not copied,
    /// so a chain being authenticated is held once, not twice.
    pub fn from_der_vec(der: Vec<u8>) -> Result<Self, Error> {
        Self::parse(der)
    }

    /// [`X509Cert::from_der_vec`] of each certificate of a received chain, in order; the
    /// first failure is the result. One plain loop: `collect` into a `Result<Vec<_>, _>`
    /// instantiates the iterator adapters' shunt, `try_fold` and `extend` machinery for the
    /// certificate type (about 0.5 KB on a Cortex-M4).
    pub fn from_der_vecs(ders: Vec<Vec<u8>>) -> Result<Vec<Self>, Error> {
        let mut certs = Vec::with_capacity(ders.len());
        for der in ders {
            Self::parse_into(&mut certs, der)?;
        }
        Ok(certs)
    }

    /// The certificate parsed from `der`, which it keeps.
    fn parse(der: Vec<u8>) -> Result<Self, Error> {
        if der.len() > MAX_CERT_SIZE {
            return Err(Error::LimitFail);
        }
        let mut cert = Self::empty(der);
        cert.read_fields()?;
        Ok(cert)
    }

    /// Appends the certificate parsed from `der` to `certs`. The certificate is parsed
    /// in its slot of the vector, not parsed elsewhere and moved in (a move of the whole
    /// certificate per entry). On failure the half-parsed entry stays last in `certs`:
    /// every caller then drops `certs` with the error.
    pub(crate) fn parse_into(certs: &mut Vec<Self>, der: Vec<u8>) -> Result<(), Error> {
        if der.len() > MAX_CERT_SIZE {
            return Err(Error::LimitFail);
        }
        certs.push(Self::empty(der));
        match certs.last_mut() {
            Some(cert) => cert.read_fields(),
            None => Err(Error::ParseFail),
        }
    }

    /// The empty certificate owning `der`, to be filled by [`X509Cert::read_fields`].
    ///
    /// The certificate is built in place: it starts empty (owning `der`) and each field is
    /// written as it is read, so a failure anywhere drops one value, and the names and
    /// extensions are parsed where they stay instead of being moved into the result (the
    /// drops and moves of separately held fields were most of this function's code on a
    /// Cortex-M4). The checks run in the same order as the fields appear, so a malformed
    /// certificate fails with the same error as ever.
    #[inline(never)]
    fn empty(der: Vec<u8>) -> Self {
        X509Cert {
            version: 0,
            serial_number: Vec::new(),
            issuer: DistinguishedName::empty(),
            subject: DistinguishedName::empty(),
            not_before: CertTime::EMPTY,
            not_after: CertTime::EMPTY,
            public_key: PublicKey::Unsupported {
                algorithm: Vec::new(),
            },
            cert_algorithm: SignatureAlgorithm::Md2WithRsa,
            sig_algorithm: SignatureAlgorithm::Md2WithRsa,
            signature: Vec::new(),
            unique_issuer_id: None,
            unique_subject_id: None,
            extensions: Extensions::default(),
            auth_status: AuthStatus::Untested,
            der,
            tbs: 0..0,
        }
    }

    /// Reads every field of the empty certificate `self` from `self.der`.
    fn read_fields(&mut self) -> Result<(), Error> {
        let der = &self.der[..];
        let body = whole_sequence(der)?.rest();
        // The signed part starts right after the outer SEQUENCE's header.
        let tbs_start = der.len() - body.len();
        let mut cert = Der::new(body);
        let tbs_tlv = cert.read_tlv(tag::SEQUENCE)?;
        let sig_oid = algorithm_identifier(&mut cert)?;
        let (unused, signature) = cert.bit_string()?;
        cert.finish()?;
        if unused != 0 {
            return Err(Error::ParseFail);
        }
        self.tbs = tbs_start..tbs_start + tbs_tlv.raw.len();

        let mut tbs = Der::new(tbs_tlv.value);
        if let Some(v) = tbs.read_optional(tag::context(0))? {
            let mut d = Der::new(v);
            // The magnitude without leading zeros: 0, 1 or 2 is at most one octet (no
            // 64-bit reader for a number that must be below 3).
            let n = d.unsigned_integer()?;
            d.finish()?;
            self.version = match n {
                [] => 0,
                [n @ 0..=2] => *n,
                _ => return Err(Error::ParseFail),
            };
        }
        let serial_number = tbs.read(tag::INTEGER)?;
        if serial_number.is_empty() {
            return Err(Error::ParseFail);
        }
        // The two algorithms are the same exactly when their OIDs are (the parameters are
        // NULL or absent either way): compared before either is decoded.
        if algorithm_identifier(&mut tbs)? != sig_oid {
            return Err(Error::SignatureMismatch);
        }
        self.issuer.read(tbs.read_tlv(tag::SEQUENCE)?.raw)?;
        let mut validity = tbs.sequence()?;
        let nb = validity.read_any()?;
        let na = validity.read_any()?;
        validity.finish()?;
        self.not_before.read(nb.tag, nb.value)?;
        self.not_after.read(na.tag, na.value)?;
        self.subject.read(tbs.read_tlv(tag::SEQUENCE)?.raw)?;
        subject_public_key(&mut self.public_key, &mut tbs)?;
        let unique_issuer_id = tbs.read_optional(tag::context_primitive(1))?;
        let unique_subject_id = tbs.read_optional(tag::context_primitive(2))?;
        match tbs.read_optional(tag::context(3))? {
            Some(e) if self.version == 2 => self.extensions.read(e)?,
            Some(_) => return Err(Error::ParseFail),
            None => {}
        }
        tbs.finish()?;

        // Everything checked: the owned copies of what was only borrowed so far.
        set_vec(&mut self.serial_number, serial_number);
        self.sig_algorithm.set_from_oid(sig_oid);
        self.cert_algorithm.set_from_oid(sig_oid);
        set_vec(&mut self.signature, signature);
        set_option_vec(&mut self.unique_issuer_id, unique_issuer_id);
        set_option_vec(&mut self.unique_subject_id, unique_subject_id);
        Ok(())
    }

    /// The signed part (tbsCertificate) as it was encoded: what the signature covers.
    pub fn tbs_der(&self) -> &[u8] {
        &self.der[self.tbs.clone()]
    }

    /// Whether basicConstraints makes this certificate a CA.
    pub fn is_ca(&self) -> bool {
        self.extensions.basic_constraints.is_some_and(|bc| bc.ca)
    }

    /// Whether `now_ms` (milliseconds since the Unix epoch, e.g. from a
    /// `matrix_core::osdep::Clock`) lies within notBefore..=notAfter.
    pub fn is_valid_at(&self, now_ms: u64) -> bool {
        let now = i64::try_from(now_ms).unwrap_or(i64::MAX);
        self.not_before.unix_ms <= now && now <= self.not_after.unix_ms
    }

    /// Whether the certificate names `host`: a subjectAltName DNS entry, with a leftmost
    /// `*` label matching exactly one label (RFC 6125 6.4.3), or an iPAddress entry when
    /// `host` is a literal IPv4 or IPv6 address; the subject's commonName is consulted only
    /// when the certificate has no subjectAltName (RFC 6125 6.4.4 forbids it next to a
    /// DNS-ID or URI-ID; matrix, as browsers, next to any). ASCII case-insensitive.
    pub fn matches_host(&self, host: &str) -> bool {
        let sans = &self.extensions.subject_alt_names;
        if let Some(ip) = parse_ipv4(host) {
            return sans.iter().any(|s| s.id == 7 && s.data == ip);
        }
        if let Ok(ip) = host.parse::<core::net::Ipv6Addr>() {
            return sans.iter().any(|s| s.id == 7 && s.data == ip.octets());
        }
        if !sans.is_empty() {
            return sans.iter().filter(|s| s.id == 2).any(|s| {
                core::str::from_utf8(&s.data).is_ok_and(|pattern| dns_matches(pattern, host))
            });
        }
        self.subject
            .common_name
            .as_ref()
            .is_some_and(|cn| dns_matches(&cn.to_text(), host))
    }
}

/// `*to = from.to_vec()`, out of line: the certificate parser sets several byte strings
/// (one call instead of a copy, a drop and a move at each).
#[inline(never)]
pub(crate) fn set_vec(to: &mut Vec<u8>, from: &[u8]) {
    *to = from.to_vec();
}

/// [`set_vec`] of an optional byte string.
#[inline(never)]
pub(crate) fn set_option_vec(to: &mut Option<Vec<u8>>, from: Option<&[u8]>) {
    *to = from.map(<[u8]>::to_vec);
}

/// An AlgorithmIdentifier's OID (its parameters NULL or absent).
fn algorithm_identifier<'a>(d: &mut Der<'a>) -> Result<&'a [u8], Error> {
    let mut alg = d.sequence()?;
    let o = alg.oid()?;
    // Parameters: NULL for the RSA algorithms, or absent.
    let _ = alg.read_optional(tag::NULL)?;
    alg.finish()?;
    Ok(o)
}

/// Reads a SubjectPublicKeyInfo into `out` (a certificate's key, written where it stays:
/// a `Result<PublicKey, _>` would come back through memory and be copied twice).
fn subject_public_key(out: &mut PublicKey, d: &mut Der<'_>) -> Result<(), Error> {
    let mut spki = d.sequence()?;
    let mut alg = spki.sequence()?;
    let algorithm = alg.oid()?;
    let (unused, key) = spki.bit_string()?;
    spki.finish()?;
    if algorithm == oid::EC_PUBLIC_KEY {
        return ec_public_key(out, alg, unused, key);
    }
    if algorithm != oid::RSA_ENCRYPTION {
        *out = PublicKey::Unsupported {
            algorithm: algorithm.to_vec(),
        };
        return Ok(());
    }
    let _ = alg.read_optional(tag::NULL)?;
    alg.finish()?;
    if unused != 0 {
        return Err(Error::ParseFail);
    }
    let mut rsa = whole_sequence(key)?;
    let n = rsa.unsigned_integer()?;
    let e = rsa.unsigned_integer()?;
    rsa.finish()?;
    if n.is_empty() || !usable_exponent(e) {
        return Err(Error::ParseFail);
    }
    *out = PublicKey::Rsa {
        n: n.to_vec(),
        e: e.to_vec(),
    };
    Ok(())
}

/// An id-ecPublicKey key (RFC 5480 section 2.1.1): `ECParameters` must name P-256 or
/// P-384 (implicit and explicit curves are not allowed in PKIX), and the point must lie on
/// the curve (`PS_PARSE_FAIL` if not).
/// Written into `out` as the RSA key is.
#[cfg(feature = "ecc-core")]
fn ec_public_key(
    out: &mut PublicKey,
    mut alg: Der<'_>,
    unused: u8,
    point: &[u8],
) -> Result<(), Error> {
    let Some(curve) = crate::ec_key::named_curve(&mut alg)? else {
        *out = PublicKey::Unsupported {
            algorithm: oid::EC_PUBLIC_KEY.to_vec(),
        };
        return Ok(());
    };
    alg.finish()?;
    if unused != 0 {
        return Err(Error::ParseFail);
    }
    EcPublicKey::from_sec1(curve, point)?;
    *out = PublicKey::Ec {
        curve,
        point: point.to_vec(),
    };
    Ok(())
}

/// Without `ecc`, an EC key stays an opaque key of an unsupported algorithm.
#[cfg(not(feature = "ecc-core"))]
fn ec_public_key(out: &mut PublicKey, _: Der<'_>, _: u8, _: &[u8]) -> Result<(), Error> {
    *out = PublicKey::Unsupported {
        algorithm: oid::EC_PUBLIC_KEY.to_vec(),
    };
    Ok(())
}

/// An RSA public exponent must be odd and at least 3 (RFC 8017 3.1): an even one (e = 2 is
/// Rabin's scheme, not RSA) or 1 is refused at parse.
fn usable_exponent(e: &[u8]) -> bool {
    match e {
        [] | [0..=2] => false,
        [.., last] => last & 1 == 1,
    }
}

fn parse_ipv4(host: &str) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut parts = host.split('.');
    for b in &mut out {
        let p = parts.next()?;
        if p.is_empty() || p.len() > 3 || !p.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        *b = p.parse().ok()?;
    }
    parts.next().is_none().then_some(out)
}

fn dns_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim_end_matches('.');
    let host = host.trim_end_matches('.');
    // A host name never holds a `*`: such a host would match patterns literally.
    if host.is_empty() || pattern.is_empty() || host.contains('*') {
        return false;
    }
    match pattern.strip_prefix("*.") {
        // The wildcard stands for exactly one whole label, never a partial one, and a
        // pattern must keep at least two labels after it (no `*.com`).
        Some(suffix) if suffix.contains('.') => host
            .split_once('.')
            .is_some_and(|(first, rest)| !first.is_empty() && rest.eq_ignore_ascii_case(suffix)),
        Some(_) => false,
        None => pattern.eq_ignore_ascii_case(host),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_wildcards() {
        assert!(dns_matches("localhost", "LOCALHOST"));
        assert!(dns_matches("*.matrix.test", "a.matrix.test"));
        assert!(!dns_matches("*.matrix.test", "matrix.test"));
        assert!(!dns_matches("*.matrix.test", "a.b.matrix.test"));
        assert!(!dns_matches("*.test", "matrix.test"));
        assert!(!dns_matches("a*.matrix.test", "ab.matrix.test"));
        assert!(!dns_matches("", ""));
        assert!(!dns_matches("*.matrix.test", "*.matrix.test"));
        assert!(!dns_matches("www.*.test", "www.matrix.test"));
    }

    #[test]
    fn signature_algorithm_oids() {
        use SignatureAlgorithm as S;
        for (o, want) in [
            (oid::MD2_WITH_RSA, S::Md2WithRsa),
            (oid::MD5_WITH_RSA, S::Md5WithRsa),
            (oid::SHA1_WITH_RSA, S::Sha1WithRsa),
            (oid::SHA256_WITH_RSA, S::Sha256WithRsa),
            (oid::SHA384_WITH_RSA, S::Sha384WithRsa),
            (oid::SHA512_WITH_RSA, S::Sha512WithRsa),
            (oid::ECDSA_WITH_SHA1, S::EcdsaWithSha1),
            (oid::ECDSA_WITH_SHA256, S::EcdsaWithSha256),
            (oid::ECDSA_WITH_SHA384, S::EcdsaWithSha384),
            (oid::ECDSA_WITH_SHA512, S::EcdsaWithSha512),
        ] {
            assert_eq!(S::from_oid(o), want);
        }
        // Same prefixes, other last octets or lengths: unknown, kept by OID.
        for o in [
            oid::RSA_ENCRYPTION,
            &oid::SHA256_WITH_RSA[..8],
            &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x03],
            &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x0E],
            &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x02],
            &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x01],
            &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x03, 0x05],
            &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x04, 0x01, 0x00],
            oid::EC_PUBLIC_KEY,
            &[],
        ] {
            assert_eq!(S::from_oid(o), S::Unknown(o.to_vec()));
        }
    }

    #[test]
    fn ipv4_literals() {
        assert_eq!(parse_ipv4("127.0.0.1"), Some([127, 0, 0, 1]));
        assert_eq!(parse_ipv4("256.0.0.1"), None);
        assert_eq!(parse_ipv4("1.2.3"), None);
        assert_eq!(parse_ipv4("1.2.3.4.5"), None);
        assert_eq!(parse_ipv4("localhost"), None);
    }
}
