//! Distinguished names (`x509DNattributes_t`): the six attributes MatrixSSL exposes with
//! their ASN.1 string types, and the raw DER for exact comparison (RFC 5280 4.1.2.4).

use alloc::vec::Vec;

use matrix_core::Error;
use matrix_crypto::hash::{Hash, Sha256};

use crate::cert::set_vec;
use crate::der::{tag, whole_sequence};
use crate::oid;

/// The ASN.1 string type of a DN attribute (`countryType` etc. in MatrixSSL).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AsnStringType {
    /// UTF8String (tag 12).
    Utf8,
    /// PrintableString (tag 19).
    Printable,
    /// TeletexString (tag 20).
    Teletex,
    /// IA5String (tag 22).
    Ia5,
    /// UniversalString (tag 28).
    Universal,
    /// BMPString (tag 30): UCS-2, big-endian.
    Bmp,
}

impl AsnStringType {
    /// The ASN.1 tag, which is the C value (`ASN_UTF8STRING` 12, …).
    pub const fn tag(self) -> u8 {
        match self {
            AsnStringType::Utf8 => tag::UTF8_STRING,
            AsnStringType::Printable => tag::PRINTABLE_STRING,
            AsnStringType::Teletex => tag::T61_STRING,
            AsnStringType::Ia5 => tag::IA5_STRING,
            AsnStringType::Universal => tag::UNIVERSAL_STRING,
            AsnStringType::Bmp => tag::BMP_STRING,
        }
    }

    fn from_tag(t: u8) -> Option<Self> {
        Some(match t {
            tag::UTF8_STRING => AsnStringType::Utf8,
            tag::PRINTABLE_STRING => AsnStringType::Printable,
            tag::T61_STRING => AsnStringType::Teletex,
            tag::IA5_STRING => AsnStringType::Ia5,
            tag::UNIVERSAL_STRING => AsnStringType::Universal,
            tag::BMP_STRING => AsnStringType::Bmp,
            _ => return None,
        })
    }
}

/// One string attribute of a DN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnString {
    /// The string's bytes as encoded (UTF-8/ASCII, or UCS-2 for BMPString).
    pub value: Vec<u8>,
    /// Its ASN.1 string type.
    pub string_type: AsnStringType,
}

impl DnString {
    /// The value as text: UTF-8 and the 8-bit types as they are (lossy), BMPString decoded.
    pub fn to_text(&self) -> alloc::string::String {
        match self.string_type {
            AsnStringType::Bmp => {
                let units = self
                    .value
                    .chunks(2)
                    .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]));
                char::decode_utf16(units)
                    .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
                    .collect()
            }
            _ => alloc::string::String::from_utf8_lossy(&self.value).into_owned(),
        }
    }
}

/// A distinguished name: MatrixSSL's six attributes, and the raw DER.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DistinguishedName {
    /// countryName (C).
    pub country: Option<DnString>,
    /// stateOrProvinceName (ST).
    pub state: Option<DnString>,
    /// localityName (L).
    pub locality: Option<DnString>,
    /// organizationName (O).
    pub organization: Option<DnString>,
    /// organizationalUnitName (OU).
    pub org_unit: Option<DnString>,
    /// commonName (CN).
    pub common_name: Option<DnString>,
    /// The whole Name as DER (`dnenc`), the SEQUENCE tag included.
    pub der: Vec<u8>,
}

impl DistinguishedName {
    /// Parses a Name (a SEQUENCE of RelativeDistinguishedName SETs) given its whole DER.
    /// Attributes other than the six are skipped; when one appears twice, the last wins
    /// (as MatrixSSL's parser does).
    pub fn parse(der: &[u8]) -> Result<Self, Error> {
        let mut dn = DistinguishedName::default();
        dn.read(der)?;
        Ok(dn)
    }

    /// The empty name, out of line: a certificate starts with two.
    #[inline(never)]
    pub(crate) fn empty() -> Self {
        DistinguishedName {
            country: None,
            state: None,
            locality: None,
            organization: None,
            org_unit: None,
            common_name: None,
            der: Vec::new(),
        }
    }

    /// [`DistinguishedName::parse`] into the empty name `self` (a certificate's, parsed
    /// where it stays).
    pub(crate) fn read(&mut self, der: &[u8]) -> Result<(), Error> {
        let mut rdns = whole_sequence(der)?;
        set_vec(&mut self.der, der);
        while !rdns.is_empty() {
            let mut set = rdns.constructed(tag::SET)?;
            while !set.is_empty() {
                let mut atv = set.sequence()?;
                let oid = atv.oid()?;
                let value = atv.read_any()?;
                atv.finish()?;
                let slot = match oid {
                    oid::AT_COUNTRY => &mut self.country,
                    oid::AT_STATE => &mut self.state,
                    oid::AT_LOCALITY => &mut self.locality,
                    oid::AT_ORGANIZATION => &mut self.organization,
                    oid::AT_ORG_UNIT => &mut self.org_unit,
                    oid::AT_COMMON_NAME => &mut self.common_name,
                    _ => continue,
                };
                let string_type = AsnStringType::from_tag(value.tag).ok_or(Error::ParseFail)?;
                if string_type == AsnStringType::Bmp && value.value.len() % 2 != 0 {
                    return Err(Error::ParseFail);
                }
                *slot = Some(DnString {
                    value: value.value.to_vec(),
                    string_type,
                });
            }
        }
        Ok(())
    }

    /// Whether two names are the same name: MatrixSSL compares the encoded names, and so
    /// does matrix (byte-exact DER).
    pub fn matches(&self, other: &DistinguishedName) -> bool {
        self.der == other.der
    }

    /// A digest of the name for comparisons and lookups (`x509DNattributes_t.hash`): equal
    /// for names that [`matches`](Self::matches) says are equal. SHA-256 of the DER
    /// rather than the reference's SHA-1, because SHA-256 is in every build.
    pub fn digest(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(&self.der);
        h.finalize()
    }
}
