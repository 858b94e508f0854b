//! Certificate extensions (`x509v3extensions_t`, RFC 5280 4.2): basicConstraints,
//! subjectAltName (with MatrixSSL's 0-8 id mapping), keyUsage, extendedKeyUsage, the key
//! identifiers and nameConstraints ([`NameConstraints`], 4.2.1.10). Unknown extensions are
//! kept by OID with their criticality: RFC 5280 4.2 says a certificate with a critical
//! extension the implementation does not process MUST be rejected, which chain
//! authentication does ([`Extensions::has_unprocessed_critical`]) unless the feature
//! `allow-unknown-critical-extensions` asks for MatrixSSL 3.2's leniency.

use alloc::vec::Vec;

use matrix_core::Error;

use crate::cert::set_option_vec;
use crate::der::{Der, tag, whole_sequence};
#[cfg(feature = "name-constraints")]
use crate::name_constraints::NameConstraints;
use crate::oid;

/// basicConstraints (`x509extBasicConstraints_t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BasicConstraints {
    /// Whether the subject is a CA.
    pub ca: bool,
    /// How many CA certificates may follow this one in a path, if limited.
    pub path_len_constraint: Option<u32>,
}

/// One subjectAltName entry (`x509SubjectAltName_t`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubjectAltName {
    /// The GeneralName choice: 0 other, 1 email, 2 DNS, 3 x400Address, 4 directoryName,
    /// 5 ediPartyName, 6 URI, 7 iPAddress, 8 registeredID.
    pub id: u8,
    /// The value's bytes (text for email/DNS/URI, 4 or 16 bytes for an IP address, DER for
    /// the structured choices).
    pub data: Vec<u8>,
}

impl SubjectAltName {
    /// MatrixSSL's name for the id: `"other"`, `"email"`, `"DNS"`, … or `"unknown"`.
    pub const fn name(&self) -> &'static str {
        match self.id {
            0 => "other",
            1 => "email",
            2 => "DNS",
            3 => "x400Address",
            4 => "directoryName",
            5 => "ediPartyName",
            6 => "URI",
            7 => "iPAddress",
            8 => "registeredID",
            _ => "unknown",
        }
    }
}

/// keyUsage bits (RFC 5280 4.2.1.3), as `KeyUsage::DIGITAL_SIGNATURE` etc.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyUsage(pub u16);

impl KeyUsage {
    /// digitalSignature (bit 0).
    pub const DIGITAL_SIGNATURE: u16 = 1 << 0;
    /// nonRepudiation / contentCommitment (bit 1).
    pub const NON_REPUDIATION: u16 = 1 << 1;
    /// keyEncipherment (bit 2).
    pub const KEY_ENCIPHERMENT: u16 = 1 << 2;
    /// dataEncipherment (bit 3).
    pub const DATA_ENCIPHERMENT: u16 = 1 << 3;
    /// keyAgreement (bit 4).
    pub const KEY_AGREEMENT: u16 = 1 << 4;
    /// keyCertSign (bit 5).
    pub const KEY_CERT_SIGN: u16 = 1 << 5;
    /// cRLSign (bit 6).
    pub const CRL_SIGN: u16 = 1 << 6;
    /// encipherOnly (bit 7).
    pub const ENCIPHER_ONLY: u16 = 1 << 7;
    /// decipherOnly (bit 8).
    pub const DECIPHER_ONLY: u16 = 1 << 8;

    /// Whether every bit of `bits` is set.
    pub const fn allows(self, bits: u16) -> bool {
        self.0 & bits == bits
    }
}

/// An extension matrix does not interpret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownExtension {
    /// Its OID's content bytes.
    pub oid: Vec<u8>,
    /// Whether it was marked critical.
    pub critical: bool,
}

/// The extensions of a certificate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Extensions {
    /// basicConstraints (`bc`).
    pub basic_constraints: Option<BasicConstraints>,
    /// subjectAltName entries (`san`), in order.
    pub subject_alt_names: Vec<SubjectAltName>,
    /// keyUsage.
    pub key_usage: Option<KeyUsage>,
    /// extendedKeyUsage purposes, as OID content bytes.
    pub ext_key_usage: Vec<Vec<u8>>,
    /// subjectKeyIdentifier.
    pub subject_key_id: Option<Vec<u8>>,
    /// authorityKeyIdentifier's keyIdentifier.
    pub authority_key_id: Option<Vec<u8>>,
    /// nameConstraints (a CA's; RFC 5280 4.2.1.10). Without the feature
    /// `name-constraints` the extension is kept in `unknown`.
    #[cfg(feature = "name-constraints")]
    #[cfg_attr(docsrs, doc(cfg(feature = "name-constraints")))]
    pub name_constraints: Option<NameConstraints>,
    /// Everything else.
    pub unknown: Vec<UnknownExtension>,
}

impl Extensions {
    /// Parses the contents of the `[3] EXPLICIT Extensions` SEQUENCE. An extension that
    /// appears twice, and a subjectAltName without a name (GeneralNames is SIZE (1..MAX)),
    /// are `PS_PARSE_FAIL` (RFC 5280 4.2, 4.2.1.6).
    pub fn parse(der: &[u8]) -> Result<Self, Error> {
        let mut ext = Extensions::default();
        ext.read(der)?;
        Ok(ext)
    }

    /// [`Extensions::parse`] into the empty `self` (a certificate's, parsed where it
    /// stays).
    pub(crate) fn read(&mut self, der: &[u8]) -> Result<(), Error> {
        let ext = self;
        let mut list = whole_sequence(der)?;
        while !list.is_empty() {
            let mut e = list.sequence()?;
            let id = e.oid()?;
            let critical = optional_boolean(&mut e)?;
            let value = e.read(tag::OCTET_STRING)?;
            e.finish()?;
            if appears_in(list, id)? {
                return Err(Error::ParseFail);
            }
            match id {
                oid::CE_BASIC_CONSTRAINTS => {
                    ext.basic_constraints = Some(parse_basic_constraints(value)?)
                }
                oid::CE_SUBJECT_ALT_NAME => read_general_names(&mut ext.subject_alt_names, value)?,
                #[cfg(feature = "name-constraints")]
                oid::CE_NAME_CONSTRAINTS => {
                    ext.name_constraints = Some(NameConstraints::parse(value, critical)?)
                }
                oid::CE_KEY_USAGE => ext.key_usage = Some(parse_key_usage(value)?),
                oid::CE_EXT_KEY_USAGE => {
                    let mut seq = whole_sequence(value)?;
                    while !seq.is_empty() {
                        ext.ext_key_usage.push(seq.oid()?.to_vec());
                    }
                }
                oid::CE_SUBJECT_KEY_ID => {
                    let mut d = Der::new(value);
                    set_option_vec(&mut ext.subject_key_id, Some(d.read(tag::OCTET_STRING)?));
                    d.finish()?;
                }
                oid::CE_AUTHORITY_KEY_ID => {
                    let mut seq = whole_sequence(value)?;
                    let id = seq.read_optional(tag::context_primitive(0))?;
                    set_option_vec(&mut ext.authority_key_id, id);
                }
                _ => ext.unknown.push(UnknownExtension {
                    oid: id.to_vec(),
                    critical,
                }),
            }
        }
        Ok(())
    }

    /// Whether a critical extension is one matrix does not process: an unknown OID (unless
    /// the feature `allow-unknown-critical-extensions` is on), or a critical
    /// nameConstraints with a name form matrix cannot check (always: a constraint that is
    /// not applied would let through what the CA meant to forbid).
    pub fn has_unprocessed_critical(&self) -> bool {
        unknown_critical(&self.unknown) || self.unprocessed_name_constraints()
    }

    /// A critical nameConstraints with a name form matrix cannot check.
    #[cfg(feature = "name-constraints")]
    fn unprocessed_name_constraints(&self) -> bool {
        self.name_constraints
            .as_ref()
            .is_some_and(|nc| nc.critical && nc.has_unsupported_form())
    }

    /// Without `name-constraints` the extension is among the unknown ones.
    #[cfg(not(feature = "name-constraints"))]
    fn unprocessed_name_constraints(&self) -> bool {
        false
    }

    /// Whether extendedKeyUsage, when present, allows `purpose` (or anyExtendedKeyUsage).
    pub fn allows_purpose(&self, purpose: &[u8]) -> bool {
        self.ext_key_usage.is_empty()
            || self
                .ext_key_usage
                .iter()
                .any(|p| p == purpose || p == oid::KP_ANY)
    }
}

/// Whether an extension with OID `id` is among those still to read in `rest` (a copy of
/// the list's cursor): each extension is compared with the ones after it, so a repeated
/// one is found without keeping the OIDs seen so far (no allocation per certificate; the
/// same quadratic bound as a list of them). A malformed later extension is `PS_PARSE_FAIL`
/// here, as it would be when its turn came.
fn appears_in(mut rest: Der<'_>, id: &[u8]) -> Result<bool, Error> {
    while !rest.is_empty() {
        if rest.sequence()?.oid()? == id {
            return Ok(true);
        }
    }
    Ok(false)
}

/// RFC 5280 4.2: an unknown critical extension makes the certificate unusable.
#[cfg(not(feature = "allow-unknown-critical-extensions"))]
fn unknown_critical(unknown: &[UnknownExtension]) -> bool {
    unknown.iter().any(|u| u.critical)
}

/// MatrixSSL 3.2's behaviour (`ALLOW_UNKNOWN_CRITICAL_EXTENSIONS` in later releases): unknown
/// critical extensions are ignored.
#[cfg(feature = "allow-unknown-critical-extensions")]
fn unknown_critical(_unknown: &[UnknownExtension]) -> bool {
    false
}

/// A BOOLEAN with DEFAULT FALSE (an extension's `critical`, basicConstraints' `cA`).
fn optional_boolean(d: &mut Der<'_>) -> Result<bool, Error> {
    // The values `Der::boolean` accepts, read without checking the tag twice.
    match d.read_optional(tag::BOOLEAN)? {
        None | Some([0]) => Ok(false),
        Some([_]) => Ok(true),
        Some(_) => Err(Error::ParseFail),
    }
}

fn parse_basic_constraints(value: &[u8]) -> Result<BasicConstraints, Error> {
    let mut seq = whole_sequence(value)?;
    let ca = optional_boolean(&mut seq)?;
    let path_len_constraint = if seq.peek_tag() == Some(tag::INTEGER) {
        // A non-negative INTEGER that fits a `u32` (its magnitude at most four octets),
        // read without the 64-bit reader.
        let m = seq.unsigned_integer()?;
        if m.len() > 4 {
            return Err(Error::ParseFail);
        }
        Some(m.iter().fold(0u32, |n, &b| (n << 8) | u32::from(b)))
    } else {
        None
    };
    seq.finish()?;
    Ok(BasicConstraints {
        ca,
        path_len_constraint,
    })
}

fn parse_key_usage(value: &[u8]) -> Result<KeyUsage, Error> {
    let mut d = Der::new(value);
    let (_, bits) = d.bit_string()?;
    d.finish()?;
    let b0 = bits.first().copied().unwrap_or(0);
    let b1 = bits.get(1).copied().unwrap_or(0);
    // Bit 0 of the ASN.1 BIT STRING is the most significant bit of the first byte: the
    // byte's bits reversed are bits 0-7 of the mask (one `rbit` on a Cortex-M4).
    let mut out = u16::from(b0.reverse_bits());
    if b1 & 0x80 != 0 {
        out |= KeyUsage::DECIPHER_ONLY;
    }
    Ok(KeyUsage(out))
}

/// Parses a GeneralNames SEQUENCE into MatrixSSL's (id, data) entries, appended to
/// `names` (the certificate's list, empty until then: a repeated extension was refused
/// before); an empty one is `PS_PARSE_FAIL` (SIZE (1..MAX)).
fn read_general_names(names: &mut Vec<SubjectAltName>, value: &[u8]) -> Result<(), Error> {
    let mut seq = whole_sequence(value)?;
    if seq.is_empty() {
        return Err(Error::ParseFail);
    }
    while !seq.is_empty() {
        // Pushed as built: a `Result<SubjectAltName, _>` would be copied out and in.
        let t = seq.read_any()?;
        let id = general_name_id(t.tag)?;
        names.push(SubjectAltName {
            id,
            data: t.value.to_vec(),
        });
    }
    Ok(())
}

/// One GeneralName (RFC 5280 4.2.1.6): its context tag is the choice.
#[cfg(feature = "name-constraints")]
pub(crate) fn general_name(t: crate::der::Tlv<'_>) -> Result<SubjectAltName, Error> {
    Ok(SubjectAltName {
        id: general_name_id(t.tag)?,
        data: t.value.to_vec(),
    })
}

/// The GeneralName choice (0-8) a context tag names.
fn general_name_id(tag: u8) -> Result<u8, Error> {
    let id = tag & 0x1F;
    if tag & 0x80 == 0 || id > 8 {
        return Err(Error::ParseFail);
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `Extensions` (the SEQUENCE) around the given extensions.
    fn list(exts: &[&[u8]]) -> Vec<u8> {
        let body: Vec<u8> = exts.concat();
        let mut out = alloc::vec![tag::SEQUENCE, u8::try_from(body.len()).unwrap()];
        out.extend_from_slice(&body);
        out
    }

    /// basicConstraints, not a CA.
    const BC: &[u8] = &[
        0x30, 0x09, 0x06, 0x03, 0x55, 0x1D, 0x13, 0x04, 0x02, 0x30, 0x00,
    ];
    /// keyUsage: digitalSignature and keyEncipherment.
    const KU: &[u8] = &[
        0x30, 0x0B, 0x06, 0x03, 0x55, 0x1D, 0x0F, 0x04, 0x04, 0x03, 0x02, 0x05, 0xA0,
    ];
    /// An extension matrix does not know (OID 1.2.3), not critical.
    const OTHER: &[u8] = &[0x30, 0x06, 0x06, 0x02, 0x2A, 0x03, 0x04, 0x00];

    #[test]
    fn an_extension_that_appears_twice_is_refused() {
        let ext = Extensions::parse(&list(&[BC, KU, OTHER])).unwrap();
        assert_eq!(ext.basic_constraints.map(|b| b.ca), Some(false));
        assert!(ext.key_usage.is_some());
        assert_eq!(ext.unknown.len(), 1);
        for twice in [
            list(&[BC, KU, BC]),
            list(&[KU, KU]),
            list(&[OTHER, BC, OTHER]),
        ] {
            assert_eq!(Extensions::parse(&twice), Err(Error::ParseFail));
        }
    }
}
