//! `GenericAEADCipher` with AES-GCM (RFC 5246 section 6.2.3.3, RFC 5288 section 3): TLS 1.2's
//! AEAD records.
//!
//! The nonce is the 4-byte implicit salt from the key block (`client_write_IV` /
//! `server_write_IV`) followed by the 8-byte explicit part, which matrix sets to the record's
//! sequence number (for DTLS `epoch || seq48`): unique per key without a counter of our own,
//! as RFC 5288 section 3 allows. The explicit part travels in front of the ciphertext; the
//! 16-byte tag follows it. The additional data is `seq_num || type || version || length`, the
//! length being the plaintext's. Every failure (short fragment, bad tag) is the same
//! `bad_record_mac`; a plaintext over 2^14 bytes is `record_overflow`.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ops::Range;

use matrix_crypto::cipher::{AesGcm, GCM_NONCE_LEN, GCM_TAG_LEN};
use matrix_crypto::random::SecureRandom;
use zeroize::Zeroize;

use super::{CipherStates, RecordDecrypter, RecordEncrypter, RecordError};
use crate::codec::record::MAX_PLAINTEXT_LEN;
use crate::codec::{ContentType, ProtocolVersion};
use crate::suites::{GCM_SALT_LEN, SuiteInfo};
use matrix_core::Error;

/// The explicit nonce bytes each record carries (RFC 5288 section 3).
const EXPLICIT_NONCE_LEN: usize = GCM_NONCE_LEN - GCM_SALT_LEN;

/// One direction's GCM key and implicit salt.
struct Gcm {
    cipher: AesGcm,
    salt: [u8; GCM_SALT_LEN],
}

impl Drop for Gcm {
    fn drop(&mut self) {
        // The cipher wipes itself; the salt is ours.
        self.salt.zeroize();
    }
}

impl Gcm {
    fn new(suite: &SuiteInfo, key: &[u8], salt: &[u8]) -> Result<Self, Error> {
        if key.len() != suite.key_len() {
            return Err(Error::ArgFail);
        }
        Ok(Gcm {
            cipher: AesGcm::new(key)?,
            salt: salt.try_into().map_err(|_| Error::ArgFail)?,
        })
    }

    /// [`Gcm::new`] on the heap, where the state stays: one boxing for both directions
    /// instead of each direction's state moved through its `Result` and into its own box.
    #[inline(never)]
    fn boxed(suite: &SuiteInfo, key: &[u8], salt: &[u8]) -> Result<Box<Self>, Error> {
        Ok(Box::new(Self::new(suite, key, salt)?))
    }

    fn nonce(&self, explicit: &[u8; EXPLICIT_NONCE_LEN]) -> [u8; GCM_NONCE_LEN] {
        // By fixed-size copies: word moves on a 32-bit core (the array built from single
        // bytes was a byte store each).
        let mut n = [0u8; GCM_NONCE_LEN];
        n[..GCM_SALT_LEN].copy_from_slice(&self.salt);
        n[GCM_SALT_LEN..].copy_from_slice(explicit);
        n
    }
}

/// `seq_num || type || version || length` (RFC 5246 section 6.2.3.3).
fn additional_data(
    seq: u64,
    content_type: ContentType,
    version: ProtocolVersion,
    len: usize,
) -> [u8; 13] {
    // By fixed-size copies: word stores on a 32-bit core (the array built from single
    // bytes was a byte store each).
    let mut ad = [0u8; 13];
    ad[..8].copy_from_slice(&seq.to_be_bytes());
    ad[8] = content_type.get();
    ad[9..11].copy_from_slice(&version.get().to_be_bytes());
    // The plaintext is at most 2^14 bytes (checked by the callers).
    ad[11..].copy_from_slice(&u16::try_from(len).unwrap_or(u16::MAX).to_be_bytes());
    ad
}

/// Builds the GCM write state (key, salt) and read state.
pub(crate) fn states(
    suite: &SuiteInfo,
    write: (&[u8], &[u8]),
    read: (&[u8], &[u8]),
) -> Result<CipherStates, Error> {
    let enc = Gcm::boxed(suite, write.0, write.1)?;
    let dec = Gcm::boxed(suite, read.0, read.1)?;
    Ok((enc, dec))
}

impl RecordEncrypter for Gcm {
    fn encrypt(
        &mut self,
        seq: u64,
        content_type: ContentType,
        version: ProtocolVersion,
        plaintext: &[u8],
        _rng: &mut dyn SecureRandom,
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        if plaintext.len() > MAX_PLAINTEXT_LEN {
            return Err(Error::LimitFail);
        }
        let explicit = seq.to_be_bytes();
        let nonce = self.nonce(&explicit);
        let ad = additional_data(seq, content_type, version, plaintext.len());
        let start = out.len();
        out.reserve(self.encrypted_len(plaintext.len()));
        out.extend_from_slice(&explicit);
        out.extend_from_slice(plaintext);
        let sealed = match out.get_mut(start + EXPLICIT_NONCE_LEN..) {
            Some(body) => self.cipher.seal_in_place(&nonce, &ad, body),
            None => Err(Error::Failure),
        };
        match sealed {
            Ok(tag) => {
                out.extend_from_slice(&tag);
                Ok(())
            }
            Err(e) => {
                out.truncate(start);
                Err(e)
            }
        }
    }

    fn encrypted_len(&self, len: usize) -> usize {
        EXPLICIT_NONCE_LEN + len + GCM_TAG_LEN
    }

    fn wants_record_splitting(&self) -> bool {
        false
    }

    fn heap_bytes(&self) -> usize {
        self.cipher.heap_bytes()
    }
}

impl RecordDecrypter for Gcm {
    fn heap_bytes(&self) -> usize {
        self.cipher.heap_bytes()
    }

    fn decrypt(
        &mut self,
        seq: u64,
        content_type: ContentType,
        version: ProtocolVersion,
        fragment: &mut [u8],
    ) -> Result<Range<usize>, RecordError> {
        let Some(len) = fragment.len().checked_sub(EXPLICIT_NONCE_LEN + GCM_TAG_LEN) else {
            return Err(RecordError::BadRecordMac);
        };
        if len > MAX_PLAINTEXT_LEN {
            return Err(RecordError::RecordOverflow);
        }
        let (explicit, rest) = fragment.split_at_mut(EXPLICIT_NONCE_LEN);
        let explicit: &[u8; EXPLICIT_NONCE_LEN] = (&*explicit)
            .try_into()
            .map_err(|_| RecordError::BadRecordMac)?;
        let nonce = self.nonce(explicit);
        let (body, tag) = rest.split_at_mut(len);
        let ad = additional_data(seq, content_type, version, len);
        self.cipher
            .open_in_place(&nonce, &ad, body, tag)
            .map_err(|_| RecordError::BadRecordMac)?;
        Ok(EXPLICIT_NONCE_LEN..EXPLICIT_NONCE_LEN + len)
    }
}
