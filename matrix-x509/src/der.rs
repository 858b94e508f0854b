//! A minimal DER reader (X.690) for certificates, keys, PKCS#8/#12 and DH parameters.
//!
//! It reads tag-length-value triples with single-byte tags and definite lengths of up to four
//! bytes, never allocates, and reports every malformation as `PS_PARSE_FAIL`. Our own rather
//! than a crate's: a certificate parser is on a small server's code-size budget, and the few
//! dozen lines here are all the ASN.1 matrix needs.

use matrix_core::Error;

/// Universal tags matrix reads.
pub mod tag {
    /// BOOLEAN.
    pub const BOOLEAN: u8 = 0x01;
    /// INTEGER.
    pub const INTEGER: u8 = 0x02;
    /// BIT STRING.
    pub const BIT_STRING: u8 = 0x03;
    /// OCTET STRING.
    pub const OCTET_STRING: u8 = 0x04;
    /// NULL.
    pub const NULL: u8 = 0x05;
    /// OBJECT IDENTIFIER.
    pub const OID: u8 = 0x06;
    /// UTF8String.
    pub const UTF8_STRING: u8 = 0x0C;
    /// PrintableString.
    pub const PRINTABLE_STRING: u8 = 0x13;
    /// TeletexString (T61String).
    pub const T61_STRING: u8 = 0x14;
    /// IA5String.
    pub const IA5_STRING: u8 = 0x16;
    /// UTCTime.
    pub const UTC_TIME: u8 = 0x17;
    /// GeneralizedTime.
    pub const GENERALIZED_TIME: u8 = 0x18;
    /// UniversalString.
    pub const UNIVERSAL_STRING: u8 = 0x1C;
    /// BMPString.
    pub const BMP_STRING: u8 = 0x1E;
    /// SEQUENCE (constructed).
    pub const SEQUENCE: u8 = 0x30;
    /// SET (constructed).
    pub const SET: u8 = 0x31;

    /// Context-specific constructed tag `[n]`.
    pub const fn context(n: u8) -> u8 {
        0xA0 | n
    }

    /// Context-specific primitive tag `[n]`.
    pub const fn context_primitive(n: u8) -> u8 {
        0x80 | n
    }
}

/// One tag-length-value read from the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tlv<'a> {
    /// The tag byte.
    pub tag: u8,
    /// The value bytes.
    pub value: &'a [u8],
    /// The whole encoding: tag, length and value.
    pub raw: &'a [u8],
}

/// A cursor over DER bytes.
#[derive(Clone, Copy, Debug)]
pub struct Der<'a> {
    data: &'a [u8],
}

impl<'a> Der<'a> {
    /// A reader over `data`.
    pub const fn new(data: &'a [u8]) -> Self {
        Der { data }
    }

    /// Whether everything has been read.
    pub const fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The tag of the next element, if any.
    pub fn peek_tag(&self) -> Option<u8> {
        self.data.first().copied()
    }

    /// Reads the next element, whatever its tag.
    #[inline(always)]
    pub fn read_any(&mut self) -> Result<Tlv<'a>, Error> {
        self.any().ok_or(Error::ParseFail)
    }

    /// Reads an element that must have tag `tag`, returning its value.
    #[inline(always)]
    pub fn read(&mut self, tag: u8) -> Result<&'a [u8], Error> {
        self.value(tag).ok_or(Error::ParseFail)
    }

    /// Reads an element that must have tag `tag`.
    #[inline(always)]
    pub fn read_tlv(&mut self, tag: u8) -> Result<Tlv<'a>, Error> {
        self.tlv(tag).ok_or(Error::ParseFail)
    }

    /// Reads an element with tag `tag` if the next element has it.
    #[inline(always)]
    pub fn read_optional(&mut self, tag: u8) -> Result<Option<&'a [u8]>, Error> {
        if self.peek_tag() != Some(tag) {
            return Ok(None);
        }
        // The tag is known: read the element without checking it again.
        match self.any() {
            Some(t) => Ok(Some(t.value)),
            None => Err(Error::ParseFail),
        }
    }

    /// Reads a SEQUENCE and returns a reader over its contents.
    #[inline(always)]
    pub fn sequence(&mut self) -> Result<Der<'a>, Error> {
        self.read(tag::SEQUENCE).map(Der::new)
    }

    /// Reads a constructed element with tag `tag` and returns a reader over its contents.
    #[inline(always)]
    pub fn constructed(&mut self, tag: u8) -> Result<Der<'a>, Error> {
        self.read(tag).map(Der::new)
    }

    /// Reads a non-negative INTEGER and returns its big-endian magnitude without leading
    /// zeros (an empty slice for zero).
    #[inline(always)]
    pub fn unsigned_integer(&mut self) -> Result<&'a [u8], Error> {
        self.magnitude().ok_or(Error::ParseFail)
    }

    /// Reads an INTEGER that must fit a `u64` and be non-negative.
    #[inline(always)]
    pub fn small_uint(&mut self) -> Result<u64, Error> {
        self.small().ok_or(Error::ParseFail)
    }

    /// Reads an OBJECT IDENTIFIER's content bytes.
    #[inline(always)]
    pub fn oid(&mut self) -> Result<&'a [u8], Error> {
        self.oid_value().ok_or(Error::ParseFail)
    }

    /// Reads a BOOLEAN.
    #[inline(always)]
    pub fn boolean(&mut self) -> Result<bool, Error> {
        self.bool_value().ok_or(Error::ParseFail)
    }

    /// Reads a BIT STRING and returns (unused bits, bytes).
    #[inline(always)]
    pub fn bit_string(&mut self) -> Result<(u8, &'a [u8]), Error> {
        self.bits().ok_or(Error::ParseFail)
    }

    /// Fails unless everything has been read.
    #[inline(always)]
    pub fn finish(self) -> Result<(), Error> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(Error::ParseFail)
        }
    }

    // The readers proper. Every malformation is `PS_PARSE_FAIL`, so they say only whether
    // they succeeded: an `Option` of a slice comes back in two registers, where a `Result`
    // comes back through memory, and the public methods above (inlined) turn `None` into
    // the error at the caller. On a Cortex-M4 that is a few instructions less at each of
    // the parsers' hundred-odd call sites.

    fn any(&mut self) -> Option<Tlv<'a>> {
        let (&tag, rest) = self.data.split_first()?;
        if tag & 0x1F == 0x1F {
            // High tag numbers appear in nothing matrix parses.
            return None;
        }
        let (&first, mut rest) = rest.split_first()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            let n = usize::from(first & 0x7F);
            if n == 0 || n > 4 || rest.len() < n {
                // 0x80 is BER's indefinite length, never valid DER.
                return None;
            }
            let (len_bytes, after) = rest.split_at(n);
            rest = after;
            len_bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
        };
        if rest.len() < len {
            return None;
        }
        let header = self.data.len() - rest.len();
        let (raw, after) = self.data.split_at(header + len);
        let value = &raw[header..];
        self.data = after;
        Some(Tlv { tag, value, raw })
    }

    fn tlv(&mut self, tag: u8) -> Option<Tlv<'a>> {
        if self.peek_tag() != Some(tag) {
            return None;
        }
        self.any()
    }

    fn value(&mut self, tag: u8) -> Option<&'a [u8]> {
        self.tlv(tag).map(|t| t.value)
    }

    fn magnitude(&mut self) -> Option<&'a [u8]> {
        let v = self.value(tag::INTEGER)?;
        match v {
            [] => None,
            [b, ..] if b & 0x80 != 0 => None,
            _ => {
                let start = v.iter().position(|&b| b != 0).unwrap_or(v.len());
                Some(&v[start..])
            }
        }
    }

    fn small(&mut self) -> Option<u64> {
        let v = self.magnitude()?;
        if v.len() > 8 {
            return None;
        }
        Some(v.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
    }

    fn oid_value(&mut self) -> Option<&'a [u8]> {
        self.value(tag::OID).filter(|v| !v.is_empty())
    }

    fn bool_value(&mut self) -> Option<bool> {
        match self.value(tag::BOOLEAN)? {
            [0] => Some(false),
            // DER says 0xFF; other non-zero values are BER that real certificates carry.
            [_] => Some(true),
            _ => None,
        }
    }

    fn bits(&mut self) -> Option<(u8, &'a [u8])> {
        let (&unused, bits) = self.value(tag::BIT_STRING)?.split_first()?;
        if unused > 7 || (bits.is_empty() && unused != 0) {
            return None;
        }
        Some((unused, bits))
    }

    /// The bytes not yet read.
    pub const fn rest(&self) -> &'a [u8] {
        self.data
    }
}

/// A reader over the contents of the SEQUENCE that is the whole of `der` (a wrapper such as
/// an extension's value or an RSA key's BIT STRING contents): anything before, after or
/// instead of it is `PS_PARSE_FAIL`. One out-of-line reader for a pattern the certificate
/// parser repeats at a dozen places.
#[cfg(all(feature = "certificates", feature = "cert-parse-with-x509"))]
#[inline(always)]
pub(crate) fn whole_sequence(der: &[u8]) -> Result<Der<'_>, Error> {
    only_sequence(der).ok_or(Error::ParseFail)
}

#[cfg(all(feature = "certificates", feature = "cert-parse-with-x509"))]
#[inline(never)]
fn only_sequence(der: &[u8]) -> Option<Der<'_>> {
    let mut outer = Der::new(der);
    let body = outer.value(tag::SEQUENCE)?;
    outer.is_empty().then_some(Der::new(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_short_and_long_lengths() {
        let mut d = Der::new(&[0x04, 0x02, 1, 2, 0x04, 0x81, 0x01, 9]);
        assert_eq!(d.read(tag::OCTET_STRING).unwrap(), &[1, 2]);
        let t = d.read_any().unwrap();
        assert_eq!((t.tag, t.value, t.raw.len()), (0x04, &[9u8][..], 4));
        d.finish().unwrap();
    }

    #[test]
    fn rejects_malformations() {
        for bad in [
            &[0x04, 0x03, 1, 2][..],          // truncated value
            &[0x04][..],                      // no length
            &[0x04, 0x80, 0, 0][..],          // indefinite length
            &[0x04, 0x85, 0, 0, 0, 0, 1][..], // 5 length bytes
            &[0x1F, 0x01, 0x00][..],          // high tag number
        ] {
            assert_eq!(Der::new(bad).read_any(), Err(Error::ParseFail), "{bad:?}");
        }
    }

    #[test]
    fn integers() {
        let mut d = Der::new(&[
            0x02, 0x03, 0x00, 0x80, 0x01, 0x02, 0x01, 0x80, 0x02, 0x01, 0x00,
        ]);
        assert_eq!(d.unsigned_integer().unwrap(), &[0x80, 0x01]);
        assert_eq!(d.unsigned_integer(), Err(Error::ParseFail), "negative");
        assert_eq!(d.small_uint().unwrap(), 0);
    }
}
