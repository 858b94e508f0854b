//! Algorithm identifiers shared by the hash, signature and certificate code.

/// A hash algorithm, as named by signatures (PKCS#1 DigestInfo) and certificates.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HashAlgorithm {
    /// MD5 (RFC 1321), 16 bytes.
    Md5,
    /// SHA-1 (FIPS 180-4), 20 bytes.
    Sha1,
    /// SHA-256 (FIPS 180-4), 32 bytes.
    Sha256,
    /// SHA-384 (FIPS 180-4), 48 bytes.
    Sha384,
    /// SHA-512 (FIPS 180-4), 64 bytes.
    Sha512,
    /// The concatenation MD5 || SHA-1 that SSL 3.0 and TLS 1.0/1.1 sign without a
    /// DigestInfo (36 bytes).
    Md5Sha1,
}

impl HashAlgorithm {
    /// The length of this algorithm's output in bytes.
    pub const fn output_len(self) -> usize {
        match self {
            HashAlgorithm::Md5 => 16,
            HashAlgorithm::Sha1 => 20,
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
            HashAlgorithm::Md5Sha1 => 36,
        }
    }

    /// Whether this build compiles the algorithm in: SHA-256 always, MD5 with `md5`,
    /// SHA-1 with `sha1`, SHA-384 and SHA-512 with `sha512`, MD5 || SHA-1 with both of
    /// its halves. The protocol crates ask this to offer and accept only what they can
    /// compute (a hash that is not compiled in is `UnsupportedFail` wherever it is made).
    pub const fn is_compiled(self) -> bool {
        match self {
            HashAlgorithm::Md5 => cfg!(feature = "md5"),
            HashAlgorithm::Sha1 => cfg!(feature = "sha1"),
            HashAlgorithm::Sha256 => true,
            HashAlgorithm::Sha384 | HashAlgorithm::Sha512 => cfg!(feature = "sha512"),
            HashAlgorithm::Md5Sha1 => cfg!(all(feature = "md5", feature = "sha1")),
        }
    }
}
