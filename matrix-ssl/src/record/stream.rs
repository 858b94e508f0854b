//! `GenericStreamCipher` with RC4 (RFC 6101 section 5.2.3.1, RFC 2246 and RFC 4346 section
//! 6.2.3.1): the MAC after the data, both under one key stream per direction that runs on
//! from record to record.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::ops::Range;

use matrix_crypto::cipher::Rc4;
use matrix_crypto::random::SecureRandom;
use zeroize::Zeroize;

use super::mac::{MAX_MAC_LEN, RecordMac};
use super::{CipherStates, RecordDecrypter, RecordEncrypter, RecordError};
use crate::codec::record::{MAX_CIPHERTEXT_LEN, MAX_PLAINTEXT_LEN};
use crate::codec::{ContentType, ProtocolVersion};
use matrix_core::Error;

/// One direction's RC4 state and MAC (both wipe themselves on drop).
struct Stream<M: RecordMac> {
    rc4: Rc4,
    mac: M,
}

/// Builds the RC4 write state and read state (`M` is the record MAC type); the IVs are empty.
pub(crate) fn states<M: RecordMac>(
    write: (&[u8], &[u8]),
    read: (&[u8], &[u8]),
) -> Result<CipherStates, Error> {
    let enc = Stream {
        rc4: Rc4::new(write.1)?,
        mac: M::new(write.0),
    };
    let dec = Stream {
        rc4: Rc4::new(read.1)?,
        mac: M::new(read.0),
    };
    Ok((Box::new(enc), Box::new(dec)))
}

impl<M: RecordMac> RecordEncrypter for Stream<M> {
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
        let mac_len = self.mac.mac_len();
        let start = out.len();
        out.reserve(self.encrypted_len(plaintext.len()));
        out.extend_from_slice(plaintext);
        let mut tag = [0u8; MAX_MAC_LEN];
        let tag = tag.get_mut(..mac_len).ok_or(Error::ArgFail)?;
        self.mac.compute(seq, content_type, version, plaintext, tag);
        out.extend_from_slice(tag);
        tag.zeroize();
        if let Some(fragment) = out.get_mut(start..) {
            self.rc4.apply(fragment);
        }
        Ok(())
    }

    fn encrypted_len(&self, len: usize) -> usize {
        len + self.mac.mac_len()
    }

    fn wants_record_splitting(&self) -> bool {
        false
    }

    fn heap_bytes(&self) -> usize {
        self.rc4.heap_bytes()
    }
}

impl<M: RecordMac> RecordDecrypter for Stream<M> {
    fn heap_bytes(&self) -> usize {
        self.rc4.heap_bytes()
    }

    fn decrypt(
        &mut self,
        seq: u64,
        content_type: ContentType,
        version: ProtocolVersion,
        fragment: &mut [u8],
    ) -> Result<Range<usize>, RecordError> {
        if fragment.len() > MAX_CIPHERTEXT_LEN {
            return Err(RecordError::RecordOverflow);
        }
        let mac_len = self.mac.mac_len();
        // Public: the data length is the fragment's less the MAC.
        let len = fragment
            .len()
            .checked_sub(mac_len)
            .ok_or(RecordError::BadRecordMac)?;
        self.rc4.apply(fragment);
        let (data, received) = fragment.split_at(len);
        let mut expected = [0u8; MAX_MAC_LEN];
        let expected = expected
            .get_mut(..mac_len)
            .ok_or(RecordError::DecryptError)?;
        self.mac.compute(seq, content_type, version, data, expected);
        let ok = super::ct_eq_bytes(expected, received) != 0;
        expected.zeroize();
        if !ok {
            return Err(RecordError::BadRecordMac);
        }
        if len > MAX_PLAINTEXT_LEN {
            return Err(RecordError::RecordOverflow);
        }
        Ok(0..len)
    }
}
