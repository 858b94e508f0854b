//! The DER form of an ECDSA signature, `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }`
//! (RFC 5480 section 2.2 for certificates; RFC 8422 section 5.4 for TLS).
//!
//! Decoding is strict DER: definite minimal lengths, minimal positive INTEGERs, nothing
//! after the SEQUENCE. A BER form or a negative or oversized integer is rejected rather than
//! repaired, so that one signature has one encoding (signature malleability).

use alloc::vec::Vec;
use matrix_core::{Error, Result};

/// Reads one DER length at `buf[*pos]`, minimal form only; advances `pos`.
fn read_len(buf: &[u8], pos: &mut usize) -> Result<usize> {
    let first = *buf.get(*pos).ok_or(Error::SignatureMismatch)?;
    *pos += 1;
    if first < 0x80 {
        return Ok(first as usize);
    }
    // A signature is at most a few hundred bytes: one length octet suffices, and it must
    // be needed (>= 0x80) to be minimal.
    if first != 0x81 {
        return Err(Error::SignatureMismatch);
    }
    let len = *buf.get(*pos).ok_or(Error::SignatureMismatch)?;
    *pos += 1;
    if len < 0x80 {
        return Err(Error::SignatureMismatch);
    }
    Ok(len as usize)
}

/// Reads one minimal positive INTEGER into `out`, its magnitude left-padded with zeros to
/// `out.len()` octets.
fn read_uint(buf: &[u8], pos: &mut usize, out: &mut [u8]) -> Result<()> {
    // `matches!`, not `!= Some(&0x02)`: the `Option<&u8>` comparison is a function of its
    // own in a small image.
    if !matches!(buf.get(*pos), Some(0x02)) {
        return Err(Error::SignatureMismatch);
    }
    *pos += 1;
    let len = read_len(buf, pos)?;
    let end = pos.checked_add(len).ok_or(Error::SignatureMismatch)?;
    let body = buf.get(*pos..end).ok_or(Error::SignatureMismatch)?;
    *pos = end;
    let (&first, _) = body.split_first().ok_or(Error::SignatureMismatch)?;
    if first & 0x80 != 0 {
        return Err(Error::SignatureMismatch); // negative
    }
    let magnitude = if first == 0 {
        // A leading zero is only allowed to keep the next octet's top bit from meaning "negative".
        match body.get(1) {
            Some(&b) if b & 0x80 != 0 => &body[1..],
            None => &body[1..],
            Some(_) => return Err(Error::SignatureMismatch),
        }
    } else {
        body
    };
    let pad = out
        .len()
        .checked_sub(magnitude.len())
        .ok_or(Error::SignatureMismatch)?;
    let (zeros, value) = out.split_at_mut(pad);
    zeros.fill(0);
    value.copy_from_slice(magnitude);
    Ok(())
}

/// Decodes a DER ECDSA signature into `rs` as `r || s`, each left-padded to half of
/// `rs.len()` octets (the curve's width): into the caller's fixed-size buffer, so that a
/// verification allocates nothing. `SignatureMismatch` for anything that is not strict DER
/// or whose integers are wider than the width; the caller's curve still checks
/// `0 < r, s < n`.
pub(crate) fn decode(sig: &[u8], rs: &mut [u8]) -> Result<()> {
    let mut pos = 0;
    if !matches!(sig.first(), Some(0x30)) {
        return Err(Error::SignatureMismatch);
    }
    pos += 1;
    let len = read_len(sig, &mut pos)?;
    if pos.checked_add(len) != Some(sig.len()) {
        return Err(Error::SignatureMismatch);
    }
    let (r, s) = rs.split_at_mut(rs.len() / 2);
    read_uint(sig, &mut pos, r)?;
    read_uint(sig, &mut pos, s)?;
    if pos != sig.len() {
        return Err(Error::SignatureMismatch);
    }
    Ok(())
}

/// Appends `v` (big-endian magnitude) as a minimal DER INTEGER.
fn write_uint(out: &mut Vec<u8>, v: &[u8]) {
    let start = v
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(v.len().saturating_sub(1));
    let v = &v[start.min(v.len())..];
    let pad = v.first().is_none_or(|&b| b & 0x80 != 0);
    let len = v.len() + usize::from(pad);
    out.push(0x02);
    push_len(out, len);
    if pad {
        out.push(0);
    }
    out.extend_from_slice(v);
}

fn push_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else {
        // Callers stay below 256 (two integers of at most 49 octets each).
        out.push(0x81);
        out.push(len as u8);
    }
}

/// Encodes `r` and `s` (big-endian, any leading zeros) as a DER `ECDSA-Sig-Value`.
pub(crate) fn encode(r: &[u8], s: &[u8]) -> Vec<u8> {
    let mut body = Vec::with_capacity(r.len() + s.len() + 6);
    write_uint(&mut body, r);
    write_uint(&mut body, s);
    let mut out = Vec::with_capacity(body.len() + 3);
    out.push(0x30);
    push_len(&mut out, body.len());
    out.extend_from_slice(&body);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_strictness() {
        let r = [0x80u8, 1, 2];
        let s = [0u8, 0, 5];
        let der = encode(&r, &s);
        assert_eq!(der, [0x30, 9, 2, 4, 0, 0x80, 1, 2, 2, 1, 5]);
        let mut rs = [0xaa; 6];
        decode(&der, &mut rs).unwrap();
        assert_eq!(rs, [0x80, 1, 2, 0, 0, 5]);
        // Too wide for the curve, non-minimal integer, negative, trailing data, long form.
        assert!(decode(&der, &mut [0; 4]).is_err());
        assert!(decode(&[0x30, 7, 2, 2, 0, 1, 2, 1, 5], &mut [0; 6]).is_err());
        assert!(decode(&[0x30, 6, 2, 1, 0x81, 2, 1, 5], &mut [0; 6]).is_err());
        assert!(decode(&[0x30, 6, 2, 1, 1, 2, 1, 5, 0], &mut [0; 6]).is_err());
        assert!(decode(&[0x30, 0x81, 6, 2, 1, 1, 2, 1, 5], &mut [0; 6]).is_err());
        assert!(decode(&[0x30, 5, 2, 0, 2, 1, 5], &mut [0; 6]).is_err());
        assert!(decode(&[], &mut [0; 6]).is_err());
    }
}
