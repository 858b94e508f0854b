//! Record protection: layer 2 of matrix-ssl (`DESIGN.md`, "Inside matrix-ssl").
//!
//! This module owns what turns a record's plaintext into its protected fragment and back:
//! the key derivation from the premaster secret to the key block, and the per-direction
//! cipher states behind [`RecordEncrypter`] and [`RecordDecrypter`]. It knows nothing of
//! buffers, sockets or handshakes: the session frames records and owns the sequence numbers
//! (so DTLS can pass `epoch || seq48`), and the handshake decides when states change.
//!
//! What it implements:
//!
//! - key derivation: the SSL 3.0 master secret and key block (RFC 6101 sections 6.1 and
//!   6.2.2), the TLS ones (RFC 2246 sections 8.1 and 6.3; RFC 4346 section 6.3, which drops
//!   the IVs from the key block), through matrix-crypto's PRFs ([`master_secret`],
//!   [`key_block`], [`KeyBlock`]);
//! - the SSL 3.0 record MAC (RFC 6101 section 5.2.3.1) and the TLS HMAC over
//!   `seq || type || version || length || fragment` (RFC 2246 and RFC 4346 section
//!   6.2.3.1), with MD5 or SHA-1 as the suite says;
//! - `GenericStreamCipher` with RC4 (section 6.2.3.1), one key stream per direction carried
//!   across records;
//! - `GenericBlockCipher` in CBC mode (section 6.2.3.2): in SSL 3.0 and TLS 1.0 the IV is
//!   the last ciphertext block of the previous record of the same direction (the first
//!   comes from the key block); in TLS 1.1 and DTLS 1.0 every record starts with its own
//!   random IV, drawn from the caller's [`SecureRandom`]. TLS padding is `pad_len + 1`
//!   bytes of value `pad_len` (we send the fewest, we accept up to 255); SSL 3.0 padding is
//!   arbitrary bytes whose length must be less than the block length (RFC 6101 section
//!   5.2.3.2), the only thing an SSL 3.0 receiver can check (hence POODLE: SSL 3.0's CBC
//!   padding cannot be authenticated, only its length);
//! - TLS 1.2's `GenericAEADCipher` with AES-GCM (RFC 5246 section 6.2.3.3, RFC 5288
//!   section 3): the 8-byte explicit nonce is the record's sequence number, the additional
//!   data `seq || type || version || length` (module `aead`, feature `aead-records`);
//! - the null protection of the initial epoch ([`null_encrypter`], [`null_decrypter`]);
//! - the errors and the alerts they call for ([`RecordError`]).
//!
//! # Constant-time CBC decryption (Lucky13, POODLE-TLS)
//!
//! A receiver that treats bad padding differently from a bad MAC, or whose MAC check takes
//! time that depends on the padding length, is a padding oracle (Vaudenay 2002; Canvel et
//! al. 2003; AlFardan and Paterson's Lucky Thirteen, 2013). After CBC decryption, whose cost
//! depends only on the fragment's public length, the decrypter:
//!
//! 1. reads the last byte as the padding length and checks, with masks and no branches,
//!    that the padding fits in front of the MAC and (TLS) that every padding byte equals
//!    it: it looks at the last `min(256, length)` bytes whatever the padding length is;
//!    for SSL 3.0 it checks only that the padding is shorter than a block;
//! 2. derives the data length from the padding length, or from a padding length of zero
//!    when the padding is bad (still masks);
//! 3. computes the MAC over that many bytes at a cost and with memory accesses that depend
//!    on the fragment's length only (the technique of BearSSL's `br_hmac_outCT`): the inner
//!    hash runs through the raw MD5 or SHA-1 compression function over every block that
//!    the longest possible data (padding length 0) needs; the blocks that lie wholly before
//!    the shortest possible end of the data (255 bytes less) are compressed as they are,
//!    and in each later block every byte at or past the real end is replaced, with masks,
//!    by the Merkle-Damgard padding (`0x80`, zeros, and the real message's bit length in
//!    the last 8 bytes of the block that ends it, which may be the block after the data's
//!    last byte); the state after every block is computed and the one after that final
//!    block is kept with a mask; the outer hash then has an input of fixed length;
//! 4. copies the received MAC out of its secret position with a scan of every position it
//!    could start at followed by a masked rotation (the technique of OpenSSL's
//!    `ssl3_cbc_copy_mac`; BearSSL's `ssl_rec_cbc.c` rotates likewise), never indexing
//!    memory by a secret;
//! 5. compares the MACs with a mask (an OR of the bytes' differences, no early exit), folds
//!    the padding verdict in, and branches once, at the end, on the combined verdict:
//!    every failure is the same
//!    [`RecordError::BadRecordMac`], so padding and MAC failures are indistinguishable in
//!    both content and timing (TLS 1.1 section 6.2.3.2, and never `decryption_failed`).
//!
//! What this guarantees: for a given fragment length, suite and version, the decryption of
//! a record that fails runs the same instructions over the same addresses whatever the
//! padding length, the padding bytes and the MAC, as far as the source can say (only the
//! final verdict branches); every loop bound, slice range and
//! branch depends only on the public fragment length, and the secrets (the padding length,
//! the data length derived from it, the MAC's position) enter only through masks. What it
//! does not guarantee: that the compiler keeps the masks branch-free on every target and
//! version. `core::hint::black_box` hides the padding length and the final-block mask of
//! step 3 from the optimiser (LLVM had turned that mask into a branch, found in the x86-64
//! release disassembly; nothing checks the machine code automatically). The cost still
//! depends on the fragment length, which is public. The benchmark `record` in `benches/`
//! compares bad padding of length 0 and 255 and a bad MAC, and `tests/oracle_lucky13.rs`
//! measures the same at session level.
//!
//! After any decryption failure the connection must be closed (TLS) or the record dropped
//! (DTLS, with explicit IVs the next record does not depend on this one): the implicit-IV
//! and RC4 states have moved on and are of no further use.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ops::Range;

use crate::codec::{AlertDescription, ContentType, ProtocolVersion};
use matrix_crypto::random::SecureRandom;

#[cfg(feature = "aead-records")]
mod aead;
#[cfg(all(
    any(feature = "ssl3", feature = "tls", feature = "tls-1-2"),
    feature = "cbc-records"
))]
mod cbc;
#[cfg(any(feature = "ssl3", feature = "tls", feature = "tls-1-2"))]
mod keys;
#[cfg(any(feature = "ssl3", feature = "tls", feature = "tls-1-2"))]
mod mac;
mod null;
#[cfg(any(feature = "ssl3", feature = "tls", feature = "tls-1-2"))]
mod states;
#[cfg(all(
    any(feature = "ssl3", feature = "tls", feature = "tls-1-2"),
    any(
        feature = "ssl-rsa-with-rc4-128-sha",
        feature = "ssl-rsa-with-rc4-128-md5",
        feature = "ssl-dh-anon-with-rc4-128-md5",
    )
))]
mod stream;

#[cfg(any(feature = "ssl3", feature = "tls", feature = "tls-1-2"))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(feature = "ssl3", feature = "tls", feature = "tls-1-2")))
)]
pub use keys::{KeyBlock, key_block, master_secret, master_secret_for};
#[cfg(any(feature = "ssl3", feature = "tls", feature = "tls-1-2"))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(feature = "ssl3", feature = "tls", feature = "tls-1-2")))
)]
pub use matrix_crypto::prf::MasterSecret;
pub use null::{null_decrypter, null_encrypter};
#[cfg(any(feature = "ssl3", feature = "tls", feature = "tls-1-2"))]
#[cfg_attr(
    docsrs,
    doc(cfg(any(feature = "ssl3", feature = "tls", feature = "tls-1-2")))
)]
pub use states::{cipher_states, cipher_states_etm};

/// Whether this build has RFC 7366 encrypt-then-MAC (feature `encrypt-then-mac`). Without
/// it no handshake negotiates it (the extension is neither sent nor accepted), and the CBC
/// states are built without their encrypt-then-MAC paths, which the linker then drops.
#[cfg(any(feature = "ssl3", feature = "tls", feature = "tls-1-2"))]
pub(crate) const ETM: bool = cfg!(feature = "encrypt-then-mac");

/// Which end of the connection a cipher state belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// The client: it writes with the client_write keys and reads with the server_write ones.
    Client,
    /// The server: it writes with the server_write keys and reads with the client_write ones.
    Server,
}

/// Why a record could not be unprotected.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RecordError {
    /// The record does not authenticate: a bad MAC, bad CBC padding, or a fragment too short
    /// or of the wrong length to hold IV, MAC and padding. One variant for all of them, so
    /// that they cannot be told apart (RFC 4346 section 6.2.3.2).
    BadRecordMac,
    /// The fragment is longer than 2^14 + 2048 bytes, or its plaintext longer than 2^14
    /// bytes (RFC 2246 section 6.2).
    RecordOverflow,
    /// The cipher state failed for a reason of ours, not the peer's (a cipher refusing a
    /// buffer the record layer had checked): the connection cannot go on.
    DecryptError,
}

impl RecordError {
    /// The fatal alert to send for this error in `version`.
    ///
    /// TLS: `bad_record_mac` (20) for every authentication failure (never
    /// `decryption_failed`, which RFC 4346 section 7.2.2 forbids sending since it made
    /// padding oracles), `record_overflow` (22), and `internal_error` (80) for our own
    /// failures. SSL 3.0 has neither `record_overflow` nor `internal_error` (RFC 6101 section
    /// 5.4.2): an oversized record is `bad_record_mac` there and our own failure
    /// `handshake_failure`, as OpenSSL maps them.
    pub fn alert(self, version: ProtocolVersion) -> AlertDescription {
        let ssl3 = version.is_ssl3();
        match self {
            RecordError::BadRecordMac => AlertDescription::BadRecordMac,
            RecordError::RecordOverflow if ssl3 => AlertDescription::BadRecordMac,
            RecordError::RecordOverflow => AlertDescription::RecordOverflow,
            RecordError::DecryptError if ssl3 => AlertDescription::HandshakeFailure,
            RecordError::DecryptError => AlertDescription::InternalError,
        }
    }
}

impl core::fmt::Display for RecordError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            RecordError::BadRecordMac => "record failed authentication (bad_record_mac)",
            RecordError::RecordOverflow => "record too long (record_overflow)",
            RecordError::DecryptError => "record cipher state failed",
        })
    }
}

impl core::error::Error for RecordError {}

/// The write half of a connection state: protects records in one direction.
pub trait RecordEncrypter: Send {
    /// Appends the protected fragment (NOT the 5-byte header) for `plaintext` to `out`.
    ///
    /// `seq` is the record's sequence number (for DTLS `epoch || seq48`), `content_type` and
    /// `version` the header's, which the TLS MAC covers. `LimitFail` for a plaintext over
    /// 2^14 bytes; `out` is unchanged on failure.
    fn encrypt(
        &mut self,
        seq: u64,
        content_type: ContentType,
        version: ProtocolVersion,
        plaintext: &[u8],
        rng: &mut dyn SecureRandom,
        out: &mut Vec<u8>,
    ) -> Result<(), matrix_core::Error>;

    /// The fragment length `encrypt` will produce for a plaintext of `len` bytes.
    fn encrypted_len(&self, len: usize) -> usize;

    /// Whether this is a CBC cipher with an implicit IV (SSL 3.0 / TLS 1.0): the session then
    /// splits application data 1/n-1 against BEAST.
    fn wants_record_splitting(&self) -> bool;

    /// The heap bytes this state holds besides itself (a boxed key schedule), for the
    /// session's memory accounting.
    fn heap_bytes(&self) -> usize {
        0
    }
}

/// The read half of a connection state: unprotects records from one direction.
pub trait RecordDecrypter: Send {
    /// Decrypts `fragment` in place and returns the plaintext's range within it.
    ///
    /// `seq`, `content_type` and `version` are the record's, as for
    /// [`RecordEncrypter::encrypt`]. On failure the bytes of `fragment` are unspecified.
    fn decrypt(
        &mut self,
        seq: u64,
        content_type: ContentType,
        version: ProtocolVersion,
        fragment: &mut [u8],
    ) -> Result<Range<usize>, RecordError>;

    /// The heap bytes this state holds besides itself (a boxed key schedule), for the
    /// session's memory accounting.
    fn heap_bytes(&self) -> usize {
        0
    }
}

/// All ones when `a` and `b` are equal, zero when not, with a cost and memory accesses that
/// depend on their lengths only (which are public): how MACs and Finished messages are
/// compared. Index loops over the bytes, no iterator adapters or `subtle`'s slice
/// comparison, whose `Zip` code a small build would link for this alone.
#[allow(
    dead_code,
    reason = "used by the record MAC checks and the handshake, absent from builds with neither"
)]
pub(crate) fn ct_eq_bytes(a: &[u8], b: &[u8]) -> u32 {
    // The lengths are public: a mismatch may show.
    let mut diff = u32::from(a.len() != b.len());
    for (i, &x) in a.iter().enumerate() {
        diff |= u32::from(x ^ b.get(i).copied().unwrap_or(0));
    }
    // `diff` < 256: `diff - 1` has its top bit set exactly when `diff` is zero. Opaque to
    // the optimiser, so that the mask is not turned into a branch.
    0u32.wrapping_sub(core::hint::black_box(diff).wrapping_sub(1) >> 31)
}

/// The boxed pair [`cipher_states`] returns.
pub type CipherStates = (Box<dyn RecordEncrypter>, Box<dyn RecordDecrypter>);
