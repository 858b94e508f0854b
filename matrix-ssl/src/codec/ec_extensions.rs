//! The wire forms of elliptic-curve key exchange (RFC 8422; RFC 4492 for TLS 1.0/1.1, whose
//! encodings RFC 8422 keeps): the `supported_groups` extension (section 5.1.1, once named
//! `elliptic_curves`), the `ec_point_formats` extension (section 5.1.2), and the
//! `ServerECDHParams` of an ECDHE ServerKeyExchange (section 5.4: `ECParameters` with
//! `curve_type` named_curve, then the server's `ECPoint`). The ClientKeyExchange's
//! `ClientECDiffieHellmanPublic` (section 5.7) is the same `ECPoint` vector.
//!
//! What the groups mean (which curves, the point checks) is the handshake's business
//! (`crate::handshake::ecdhe`); this module only reads and writes bytes.

use alloc::vec::Vec;

use super::{
    Codec, DecodeError, LengthPrefix, Reader, encode_opaque, encode_with_prefix, read_opaque,
    read_prefixed,
};

/// The ec_point_formats value `uncompressed` (RFC 8422 section 5.1.2), the only one RFC 8422
/// still allows and the only one matrix sends or accepts.
pub const POINT_FORMAT_UNCOMPRESSED: u8 = 0;

/// `ECCurveType` named_curve (RFC 8422 section 5.4): the only curve type matrix accepts
/// (explicit_prime(1) and explicit_char2(2) are deprecated).
pub const CURVE_TYPE_NAMED: u8 = 3;

/// Decodes a supported_groups extension_data: `NamedGroup named_group_list<2..2^16-1>`,
/// an even length, nothing after it.
pub fn read_supported_groups(data: &[u8]) -> Result<Vec<u16>, DecodeError> {
    let mut r = Reader::new(data);
    let mut list = read_prefixed(&mut r, LengthPrefix::U16, 2, 0xffff)?;
    r.expect_empty()?;
    if list.remaining() % 2 != 0 {
        return Err(DecodeError::Truncated);
    }
    let mut groups = Vec::with_capacity(list.remaining() / 2);
    while list.remaining() > 0 {
        groups.push(u16::read(&mut list)?);
    }
    Ok(groups)
}

/// The supported_groups extension_data listing `groups` in order.
pub fn supported_groups_data(groups: &[u16]) -> Vec<u8> {
    let mut v = Vec::with_capacity(2 + 2 * groups.len());
    encode_with_prefix(&mut v, LengthPrefix::U16, |o| {
        for g in groups {
            g.encode(o);
        }
    });
    v
}

/// Decodes an ec_point_formats extension_data: `ECPointFormat ec_point_format_list<1..2^8-1>`,
/// nothing after it.
pub fn read_point_formats(data: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let mut r = Reader::new(data);
    let list = read_opaque(&mut r, LengthPrefix::U8, 1, 0xff)?.to_vec();
    r.expect_empty()?;
    Ok(list)
}

/// Whether an ec_point_formats extension_data (read as [`read_point_formats`] reads it,
/// with the same errors) lists `uncompressed`: the check a peer's extension needs, read in
/// place (no copy of the list).
#[cfg(any(feature = "client-side-ssl", feature = "server-side-ssl"))]
pub(crate) fn point_formats_include_uncompressed(data: &[u8]) -> Result<bool, DecodeError> {
    // `ECPointFormat ec_point_format_list<1..2^8-1>` filling the data, checked by hand in
    // `read_opaque`'s order (no length byte, a zero length, a short list, then bytes after
    // it): one slice split instead of a reader and its calls.
    let Some((&len, list)) = data.split_first() else {
        return Err(DecodeError::Truncated);
    };
    if len == 0 {
        return Err(DecodeError::LengthOverLimit);
    }
    match list.len().cmp(&usize::from(len)) {
        core::cmp::Ordering::Less => return Err(DecodeError::Truncated),
        core::cmp::Ordering::Greater => return Err(DecodeError::TrailingBytes),
        core::cmp::Ordering::Equal => {}
    }
    // A loop, not `contains`: on bytes that is `memchr` (about 170 B on a Cortex-M) for a
    // list of a few entries.
    let mut found = false;
    for &f in list {
        found |= f == POINT_FORMAT_UNCOMPRESSED;
    }
    Ok(found)
}

/// The ec_point_formats extension_data matrix sends: uncompressed only.
pub fn point_formats_data() -> Vec<u8> {
    alloc::vec![1, POINT_FORMAT_UNCOMPRESSED]
}

/// `ServerECDHParams` (RFC 8422 section 5.4) with a named curve: what an ECDHE
/// ServerKeyExchange carries before its signature, and what the signature covers after the
/// two randoms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerEcdhParams {
    /// The `NamedGroup` of the curve.
    pub named_group: u16,
    /// The server's ephemeral public key, `ECPoint.point<1..2^8-1>`: an uncompressed SEC 1
    /// point, or the X25519 u-coordinate (RFC 8422 section 5.11).
    pub point: Vec<u8>,
}

/// The first four bytes of a `ServerECDHParams` encoding (curve_type, named_curve and the
/// point's length), which the point follows: what a signature hash takes without encoding
/// the whole value into a vector. A point is at most 255 bytes (`<1..2^8-1>`; the longest
/// of matrix's groups, P-384's, is 97).
#[cfg(feature = "ecc-core")]
pub(crate) fn params_header(named_group: u16, point: &[u8]) -> [u8; 4] {
    let [hi, lo] = named_group.to_be_bytes();
    [CURVE_TYPE_NAMED, hi, lo, point.len() as u8]
}

impl Codec<'_> for ServerEcdhParams {
    fn encode(&self, out: &mut Vec<u8>) {
        out.push(CURVE_TYPE_NAMED);
        self.named_group.encode(out);
        encode_opaque(out, LengthPrefix::U8, &self.point);
    }

    /// A curve type other than named_curve is an invalid value (illegal_parameter).
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let (named_group, point) = read_params_parts(r)?;
        Ok(ServerEcdhParams {
            named_group,
            point: point.to_vec(),
        })
    }
}

/// The fields of [`ServerEcdhParams::read`], borrowed: the named group and the point. A
/// reader of a whole ServerKeyExchange takes them before it allocates anything, so that
/// its failures drop nothing.
#[inline(always)]
pub(crate) fn read_params_parts<'a>(r: &mut Reader<'a>) -> Result<(u16, &'a [u8]), DecodeError> {
    if r.u8()? != CURVE_TYPE_NAMED {
        return Err(DecodeError::InvalidValue("ECParameters.curve_type"));
    }
    let named_group = r.u16()?;
    Ok((named_group, read_opaque(r, LengthPrefix::U8, 1, 0xff)?))
}

/// Reads the client's `ECPoint` of an ECDHE ClientKeyExchange (RFC 8422 section 5.7, always
/// explicit: matrix never asks for a client certificate with a fixed EC key).
pub fn read_ec_point<'a>(r: &mut Reader<'a>) -> Result<&'a [u8], DecodeError> {
    read_opaque(r, LengthPrefix::U8, 1, 0xff)
}

/// Appends an `ECPoint` vector.
pub fn encode_ec_point(out: &mut Vec<u8>, point: &[u8]) {
    encode_opaque(out, LengthPrefix::U8, point);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_round_trip_and_refuse_malformed_lists() {
        let d = supported_groups_data(&[29, 23, 24]);
        assert_eq!(d, [0, 6, 0, 29, 0, 23, 0, 24]);
        assert_eq!(read_supported_groups(&d).unwrap(), [29, 23, 24]);
        // Odd length, empty list, a trailing byte, a truncated list.
        assert!(read_supported_groups(&[0, 3, 0, 23, 0]).is_err());
        assert!(read_supported_groups(&[0, 0]).is_err());
        assert!(read_supported_groups(&[0, 2, 0, 23, 0]).is_err());
        assert!(read_supported_groups(&[0, 4, 0, 23]).is_err());
    }

    #[test]
    fn point_formats_round_trip_and_refuse_empty() {
        assert_eq!(read_point_formats(&point_formats_data()).unwrap(), [0]);
        assert_eq!(read_point_formats(&[2, 1, 0]).unwrap(), [1, 0]);
        assert!(read_point_formats(&[0]).is_err());
        assert!(read_point_formats(&[1]).is_err());
        assert!(read_point_formats(&[1, 0, 0]).is_err());
        // The in-place check: the same errors, and whether uncompressed is listed.
        for data in [
            &[1u8, 0][..],
            &[2, 1, 0],
            &[2, 1, 2],
            &[0],
            &[1],
            &[1, 0, 0],
            &[],
        ] {
            assert_eq!(
                point_formats_include_uncompressed(data),
                read_point_formats(data).map(|l| l.contains(&POINT_FORMAT_UNCOMPRESSED)),
                "{data:?}"
            );
        }
    }

    #[test]
    fn params_refuse_explicit_curves() {
        let p = ServerEcdhParams {
            named_group: 23,
            point: alloc::vec![4; 65],
        };
        let enc = p.get_encoding();
        assert_eq!(&enc[..4], [3, 0, 23, 65]);
        assert_eq!(ServerEcdhParams::read(&mut Reader::new(&enc)).unwrap(), p);
        let mut explicit = enc.clone();
        explicit[0] = 1;
        assert!(matches!(
            ServerEcdhParams::read(&mut Reader::new(&explicit)),
            Err(DecodeError::InvalidValue(_))
        ));
        assert!(ServerEcdhParams::read(&mut Reader::new(&[3, 0, 23, 0])).is_err());
    }
}
