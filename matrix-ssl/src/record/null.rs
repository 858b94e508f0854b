//! The initial connection state, `TLS_NULL_WITH_NULL_NULL` (RFC 2246 section 6.1): no
//! encryption and no MAC, but still the 2^14-byte plaintext limit (section 6.2.1).

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ops::Range;

use super::{RecordDecrypter, RecordEncrypter, RecordError};
use crate::codec::record::MAX_PLAINTEXT_LEN;
use crate::codec::{ContentType, ProtocolVersion};
use matrix_crypto::random::SecureRandom;

/// The null protection in both directions (no fields: nothing to keep).
#[derive(Debug)]
struct Null;

impl RecordEncrypter for Null {
    fn encrypt(
        &mut self,
        _seq: u64,
        _content_type: ContentType,
        _version: ProtocolVersion,
        plaintext: &[u8],
        _rng: &mut dyn SecureRandom,
        out: &mut Vec<u8>,
    ) -> Result<(), matrix_core::Error> {
        if plaintext.len() > MAX_PLAINTEXT_LEN {
            return Err(matrix_core::Error::LimitFail);
        }
        out.extend_from_slice(plaintext);
        Ok(())
    }

    fn encrypted_len(&self, len: usize) -> usize {
        len
    }

    fn wants_record_splitting(&self) -> bool {
        false
    }
}

impl RecordDecrypter for Null {
    fn decrypt(
        &mut self,
        _seq: u64,
        _content_type: ContentType,
        _version: ProtocolVersion,
        fragment: &mut [u8],
    ) -> Result<Range<usize>, RecordError> {
        if fragment.len() > MAX_PLAINTEXT_LEN {
            return Err(RecordError::RecordOverflow);
        }
        Ok(0..fragment.len())
    }
}

/// The write state of the initial epoch: the fragment is the plaintext.
pub fn null_encrypter() -> Box<dyn RecordEncrypter> {
    Box::new(Null)
}

/// The read state of the initial epoch: the plaintext is the fragment, if it is at most
/// 2^14 bytes ([`RecordError::RecordOverflow`] otherwise).
pub fn null_decrypter() -> Box<dyn RecordDecrypter> {
    Box::new(Null)
}
