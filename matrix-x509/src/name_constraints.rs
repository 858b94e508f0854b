//! Name constraints (RFC 5280 section 4.2.1.10, applied as section 6.1.3 (b) and (c) do): a
//! CA's permitted and excluded subtrees of dNSName, iPAddress, rfc822Name and directoryName
//! names, checked against every name of every certificate below it.
//!
//! The names of a certificate: its subjectAltName entries of those four forms; its subject
//! DN as a directoryName (when not empty); the subject's emailAddress attributes as
//! rfc822Names when the certificate has no subjectAltName email; and, when it has no
//! subjectAltName dNSName, its commonName as a dNSName when the commonName looks like a host
//! name. The last is beyond RFC 5280, which knows nothing of names in the CN; but
//! `X509Cert::matches_host` (as RFC 6125 and browsers do) accepts such a CN as the host
//! name, so a CA constrained to `example.com` must not be able to issue `CN=evil.org`.
//!
//! A name of a form that has permitted subtrees must lie within one of them; a name that
//! lies within an excluded subtree is refused. Other forms (otherName, x400Address,
//! ediPartyName, URI, registeredID) are not processed: in a critical extension they make the
//! CA unusable (`Extensions::has_unprocessed_critical`), in a non-critical one they are
//! ignored.
//!
//! directoryName comparison is per RDN, attribute by attribute, with string values compared
//! after ASCII case folding and space squeezing (the ASCII part of RFC 5280 7.1's
//! LDAP StringPrep matching), whatever their string type; other values byte for byte.

use alloc::vec::Vec;

use matrix_core::Error;

use crate::der::{Der, tag};
use crate::extensions::{SubjectAltName, general_name};
use crate::oid;

/// GeneralName choices matrix applies constraints to.
const RFC822: u8 = 1;
const DNS: u8 = 2;
const DIRECTORY: u8 = 4;
const IP: u8 = 7;

/// The most name-against-subtree comparisons one certificate may need under one CA (e.g.
/// 256 names and 256 subtrees); past it the certificate fails the constraints.
pub const MAX_NAME_CHECKS: usize = 1 << 16;

/// The nameConstraints extension of a CA certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameConstraints {
    /// Whether the extension was marked critical (RFC 5280 says it MUST be).
    pub critical: bool,
    /// The bases of permittedSubtrees, as (GeneralName choice, value) entries: text for
    /// rfc822Name and dNSName, the Name's DER for directoryName, address and mask (8 or 32
    /// bytes) for iPAddress.
    pub permitted: Vec<SubjectAltName>,
    /// The bases of excludedSubtrees, in the same form.
    pub excluded: Vec<SubjectAltName>,
}

impl NameConstraints {
    /// Parses the extension's value. Each subtree list, when present, holds at least one
    /// subtree and the extension at least one list; `minimum` other than 0 and `maximum`
    /// (which RFC 5280 forbids) and a malformed iPAddress base are `PS_PARSE_FAIL`.
    pub fn parse(value: &[u8], critical: bool) -> Result<Self, Error> {
        let mut outer = Der::new(value);
        let mut seq = outer.sequence()?;
        outer.finish()?;
        let permitted = match seq.read_optional(tag::context(0))? {
            Some(list) => subtrees(list)?,
            None => Vec::new(),
        };
        let excluded = match seq.read_optional(tag::context(1))? {
            Some(list) => subtrees(list)?,
            None => Vec::new(),
        };
        seq.finish()?;
        if permitted.is_empty() && excluded.is_empty() {
            return Err(Error::ParseFail);
        }
        Ok(NameConstraints {
            critical,
            permitted,
            excluded,
        })
    }

    /// Whether a subtree uses a name form matrix does not check.
    pub fn has_unsupported_form(&self) -> bool {
        self.permitted
            .iter()
            .chain(&self.excluded)
            .any(|b| !matches!(b.id, RFC822 | DNS | DIRECTORY | IP))
    }

    /// Whether every name of a certificate (see the module) satisfies the constraints. A
    /// certificate whose names times subtrees exceed [`MAX_NAME_CHECKS`] does not: the
    /// work a chain can ask for stays bounded.
    pub fn allows(&self, subject_der: &[u8], sans: &[SubjectAltName]) -> bool {
        let mut names = 0usize;
        for_each_name(subject_der, sans, &mut |_, _| names += 1);
        let subtrees = self.permitted.len() + self.excluded.len();
        if names.saturating_mul(subtrees) > MAX_NAME_CHECKS {
            return false;
        }
        let mut ok = true;
        for_each_name(subject_der, sans, &mut |id, name| {
            ok = ok && self.allows_name(id, name);
        });
        ok
    }

    fn allows_name(&self, id: u8, name: &[u8]) -> bool {
        if self
            .excluded
            .iter()
            .any(|b| b.id == id && excluded_by(id, name, &b.data))
        {
            return false;
        }
        let mut permitted = self.permitted.iter().filter(|b| b.id == id).peekable();
        permitted.peek().is_none() || permitted.any(|b| within(id, name, &b.data))
    }
}

fn subtrees(list: &[u8]) -> Result<Vec<SubjectAltName>, Error> {
    let mut d = Der::new(list);
    let mut out = Vec::new();
    while !d.is_empty() {
        let mut subtree = d.sequence()?;
        let base = general_name(subtree.read_any()?)?;
        if let Some(min) = subtree.read_optional(tag::context_primitive(0))? {
            // DER leaves out a DEFAULT value, but accept an explicit 0.
            if min.iter().any(|&b| b != 0) {
                return Err(Error::ParseFail);
            }
        }
        subtree.finish()?;
        if base.id == IP && base.data.len() != 8 && base.data.len() != 32 {
            return Err(Error::ParseFail);
        }
        out.push(base);
    }
    if out.is_empty() {
        return Err(Error::ParseFail);
    }
    Ok(out)
}

/// Calls `f(form, name)` for every name of a certificate that constraints apply to.
fn for_each_name(subject_der: &[u8], sans: &[SubjectAltName], f: &mut dyn FnMut(u8, &[u8])) {
    for s in sans
        .iter()
        .filter(|s| matches!(s.id, RFC822 | DNS | DIRECTORY | IP))
    {
        f(s.id, &s.data);
    }
    // A subject DN that does not parse is still checked (as a whole) against directoryName
    // constraints, where it fails any permitted subtree and matches no excluded one; the
    // certificate parser has already refused such a DN, so this is belt and braces.
    if rdns(subject_der).is_none_or(|r| !r.is_empty()) {
        f(DIRECTORY, subject_der);
    }
    let has = |id| sans.iter().any(|s| s.id == id);
    let no_san_email = !has(RFC822);
    let no_san_dns = !has(DNS);
    for_each_attribute(subject_der, &mut |attr, value| {
        if no_san_email && attr == oid::AT_EMAIL_ADDRESS {
            f(RFC822, value);
        }
        if no_san_dns && attr == oid::AT_COMMON_NAME && looks_like_host(value) {
            f(DNS, value);
        }
    });
}

/// Whether a commonName is written like a DNS name (letters, digits, `-`, `.`, `*`, with
/// at least one letter or digit): what a host-name check could take it for.
fn looks_like_host(cn: &[u8]) -> bool {
    !cn.is_empty()
        && cn.iter().any(u8::is_ascii_alphanumeric)
        && cn
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'*'))
}

/// Calls `f(oid, value)` for every attribute of a Name whose value is a string.
fn for_each_attribute(name_der: &[u8], f: &mut dyn FnMut(&[u8], &[u8])) {
    for rdn in rdns(name_der).unwrap_or_default() {
        for (attr, _, value) in rdn {
            f(attr, value);
        }
    }
}

/// One attribute: (type OID, value tag, value bytes).
type Atv<'a> = (&'a [u8], u8, &'a [u8]);

/// The RDNs of a Name given its DER (SEQUENCE tag included), each a list of attributes.
fn rdns(name_der: &[u8]) -> Option<Vec<Vec<Atv<'_>>>> {
    let mut outer = Der::new(name_der);
    let mut seq = outer.sequence().ok()?;
    outer.finish().ok()?;
    let mut out = Vec::new();
    while !seq.is_empty() {
        let mut set = seq.constructed(tag::SET).ok()?;
        let mut rdn = Vec::new();
        while !set.is_empty() {
            let mut atv = set.sequence().ok()?;
            let attr = atv.oid().ok()?;
            let value = atv.read_any().ok()?;
            atv.finish().ok()?;
            rdn.push((attr, value.tag, value.value));
        }
        out.push(rdn);
    }
    Some(out)
}

/// Whether `name` of form `id` lies within the subtree `base`.
fn within(id: u8, name: &[u8], base: &[u8]) -> bool {
    match id {
        DNS => dns_within(name, base),
        RFC822 => email_within(name, base),
        IP => ip_within(name, base),
        DIRECTORY => dn_within(name, base),
        _ => false,
    }
}

/// Whether `name` meets the excluded subtree `base`: lies within it, or, for a wildcard
/// dNSName, could stand for a name within it (`*.example.com` stands for the excluded
/// `a.example.com`, one label below its parent).
fn excluded_by(id: u8, name: &[u8], base: &[u8]) -> bool {
    if within(id, name, base) {
        return true;
    }
    match (id, name.strip_prefix(b"*.")) {
        (DNS, Some(parent)) if !base.starts_with(b".") => {
            let (b, p) = (trim_dot(base), trim_dot(parent));
            b.len() > p.len() + 1 && {
                let (label, rest) = b.split_at(b.len() - p.len() - 1);
                rest[1..].eq_ignore_ascii_case(p) && rest[0] == b'.' && !label.contains(&b'.')
            }
        }
        _ => false,
    }
}

fn trim_dot(s: &[u8]) -> &[u8] {
    s.strip_suffix(b".").unwrap_or(s)
}

/// dNSName: `base` itself and every name made by adding labels on its left; a base with a
/// leading `.` only the names below it; an empty base every name. ASCII case-insensitive.
fn dns_within(name: &[u8], base: &[u8]) -> bool {
    let (name, base) = (trim_dot(name), trim_dot(base));
    if base.is_empty() {
        return true;
    }
    if name.len() < base.len() {
        return false;
    }
    let (head, tail) = name.split_at(name.len() - base.len());
    if !tail.eq_ignore_ascii_case(base) {
        return false;
    }
    head.is_empty() && !base.starts_with(b".")
        || base.starts_with(b".") && !head.is_empty()
        || head.ends_with(b".") && head.len() > 1
}

/// rfc822Name: a base with `@` is one mailbox (local part exact, host case-insensitive); a
/// base starting with `.` every mailbox on a host below that domain; another base every
/// mailbox on that host. A name without `@` lies within nothing.
fn email_within(name: &[u8], base: &[u8]) -> bool {
    let Some(at) = name.iter().rposition(|&c| c == b'@') else {
        return false;
    };
    let (local, host) = (&name[..at], &name[at + 1..]);
    if let Some(bat) = base.iter().rposition(|&c| c == b'@') {
        return local == &base[..bat] && host.eq_ignore_ascii_case(&base[bat + 1..]);
    }
    if base.starts_with(b".") {
        return host.len() > base.len()
            && host[host.len() - base.len()..].eq_ignore_ascii_case(base);
    }
    host.eq_ignore_ascii_case(base)
}

/// iPAddress: the address under the base's mask equals the base's address; IPv4 names go
/// with 8-byte bases, IPv6 names with 32-byte ones.
fn ip_within(name: &[u8], base: &[u8]) -> bool {
    if base.len() != name.len() * 2 {
        return false;
    }
    let (addr, mask) = base.split_at(name.len());
    name.iter()
        .zip(addr)
        .zip(mask)
        .all(|((n, a), m)| n & m == a & m)
}

/// directoryName: the base's RDNs are the name's first RDNs. An empty base holds every name.
fn dn_within(name: &[u8], base: &[u8]) -> bool {
    let (Some(name), Some(base)) = (rdns(name), rdns(base)) else {
        return false;
    };
    base.len() <= name.len() && base.iter().zip(&name).all(|(b, n)| rdn_eq(b, n))
}

fn rdn_eq(a: &[Atv<'_>], b: &[Atv<'_>]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| atv_eq(x, y)))
}

fn atv_eq(a: &Atv<'_>, b: &Atv<'_>) -> bool {
    if a.0 != b.0 {
        return false;
    }
    let text = |t: u8| {
        matches!(
            t,
            tag::UTF8_STRING | tag::PRINTABLE_STRING | tag::IA5_STRING | tag::T61_STRING
        )
    };
    if text(a.1) && text(b.1) {
        folded(a.2).eq(folded(b.2))
    } else {
        a.1 == b.1 && a.2 == b.2
    }
}

/// A string value with leading and trailing spaces dropped, inner runs of spaces made one,
/// and ASCII letters lower-cased.
fn folded(s: &[u8]) -> impl Iterator<Item = u8> + '_ {
    let start = s.iter().position(|&c| c != b' ').unwrap_or(s.len());
    let end = s.iter().rposition(|&c| c != b' ').map_or(start, |e| e + 1);
    let s = &s[start..end.max(start)];
    s.iter()
        .enumerate()
        .filter(move |&(i, &c)| c != b' ' || s.get(i + 1) != Some(&b' '))
        .map(|(_, c)| c.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_subtrees() {
        assert!(dns_within(b"example.com", b"example.com"));
        assert!(dns_within(b"www.Example.com", b"example.COM"));
        assert!(!dns_within(b"badexample.com", b"example.com"));
        assert!(!dns_within(b"example.com", b".example.com"));
        assert!(dns_within(b"a.example.com", b".example.com"));
        assert!(dns_within(b"anything", b""));
        assert!(!dns_within(b"com", b"example.com"));
        assert!(dns_within(b"*.example.com", b"example.com"));
        assert!(excluded_by(DNS, b"*.example.com", b"a.example.com"));
        assert!(excluded_by(DNS, b"*.com", b"example.com"));
        assert!(!excluded_by(DNS, b"*.example.com", b"example.org"));
        assert!(!excluded_by(DNS, b"*.example.com", b"x.a.example.com"));
        assert!(!excluded_by(DNS, b"*.example.com", b".a.example.com"));
    }

    #[test]
    fn email_subtrees() {
        assert!(email_within(b"a@matrix.test", b"matrix.test"));
        assert!(!email_within(b"a@x.matrix.test", b"matrix.test"));
        assert!(email_within(b"a@x.matrix.test", b".matrix.test"));
        assert!(!email_within(b"a@matrix.test", b".matrix.test"));
        assert!(email_within(b"a@MATRIX.test", b"a@matrix.test"));
        assert!(!email_within(b"A@matrix.test", b"a@matrix.test"));
        assert!(!email_within(b"matrix.test", b"matrix.test"));
    }

    #[test]
    fn ip_subtrees() {
        let net = [127, 0, 0, 0, 255, 0, 0, 0];
        assert!(ip_within(&[127, 1, 2, 3], &net));
        assert!(!ip_within(&[10, 0, 0, 1], &net));
        assert!(!ip_within(&[0; 16], &net));
        let mut v6 = [0u8; 32];
        v6[16] = 0xff;
        assert!(ip_within(&[0; 16], &v6));
        assert!(!ip_within(&[127, 0, 0, 1], &v6));
    }

    #[test]
    fn folding() {
        assert!(folded(b"  Matrix   Test ").eq(folded(b"matrix test")));
        assert!(!folded(b"matrixtest").eq(folded(b"matrix test")));
        assert_eq!(folded(b"   ").count(), 0);
    }

    #[test]
    fn the_work_is_bounded() {
        let base = |i: usize| SubjectAltName {
            id: DNS,
            data: alloc::format!("n{i}.test").into_bytes(),
        };
        let nc = NameConstraints {
            critical: true,
            permitted: (0..256).map(base).collect(),
            excluded: Vec::new(),
        };
        let subject = [0x30, 0x00];
        let sans: Vec<_> = (0..256).map(base).collect();
        assert!(nc.allows(&subject, &sans));
        let more: Vec<_> = (0..257).map(base).collect();
        assert!(!nc.allows(&subject, &more));
    }

    #[test]
    fn host_like_common_names() {
        assert!(looks_like_host(b"evil.org"));
        assert!(looks_like_host(b"localhost"));
        assert!(!looks_like_host(b"sha512 signed"));
        assert!(!looks_like_host(b"..."));
    }
}
