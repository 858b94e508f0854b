//! The server's version negotiation and the alert table of a ClientHello: RFC 2246 and
//! RFC 4346 appendix E.1 (RFC 5246 appendix E.1 alike), RFC 7507 section 3 and RFC 4347
//! section 4.1 for DTLS's numbering.
//!
//! Version tolerance: a client_version above every version we speak, whatever it is
//! ({3,4}, {4,1}, {6,3}, {254,254}), is answered with our highest one; only a
//! client_version below our lowest is refused, with protocol_version. "Our" versions are
//! the context's list (compiled in and configured), so a build that adds a version needs
//! no change here.
//!
//! The alert table: the record version of a first flight says nothing reliable about the
//! client (TLS clients send their hello in {3,0} records for compatibility, appendix E.1),
//! so failures of a ClientHello are reported in the alerts of the version the hello
//! names: SSL 3.0's for an SSL 3.0 hello, TLS's for anything above, and TLS's
//! protocol_version for a version we refuse.

use crate::alert::Fatal;
use crate::codec::{AlertDescription, ProtocolVersion};

/// Whether this build speaks TLS 1.2 (feature `tls-1-2`): guards what only a TLS 1.2
/// handshake does (signature_algorithms, the TLS 1.2 PRF and signatures), so that a
/// build without it links none of it.
pub(crate) const TLS12: bool = cfg!(feature = "tls-1-2");

/// Where a version stands in the order of its family, higher meaning newer: TLS and SSL
/// versions by their value (any major of 3 or more is an SSL/TLS version to us, so that a
/// future {4,1} ranks above TLS 1.2); DTLS versions, which count down from {254,255}
/// (RFC 4347 section 4.1), by their distance from it. `None` for a version of no rank in
/// that family ({0,0}, SSL 2.0's {0,2} or {2,0}; in DTLS anything not {254,x}).
fn rank(v: ProtocolVersion, dtls: bool) -> Option<u16> {
    let [major, minor] = v.get().to_be_bytes();
    if dtls {
        (major == 0xfe).then(|| u16::from(0xff - minor))
    } else {
        (major >= 3).then_some(v.get())
    }
}

/// The version a server answers `client` with: the highest of `ours` (oldest first, one
/// family) that is not above it. protocol_version when `client` is below all of them or
/// not a version of their family.
pub(crate) fn negotiate(
    client: ProtocolVersion,
    ours: &[ProtocolVersion],
) -> Result<ProtocolVersion, Fatal> {
    let dtls = ours.iter().any(|v| v.is_dtls());
    let refused = Fatal::new(AlertDescription::ProtocolVersion);
    let offered = rank(client, dtls).ok_or(refused)?;
    // The newest first; a plain loop (an adapter chain is generic code of its own in a
    // small build).
    let mut i = ours.len();
    while i > 0 {
        i -= 1;
        let v = ours[i];
        if rank(v, dtls).is_some_and(|r| r <= offered) {
            return Ok(v);
        }
    }
    Err(refused)
}

/// Whether `client` (a hello's client_version) is at least `v`, in `v`'s family, with the
/// tolerance above: {4,1} is at least TLS 1.2. TLS_FALLBACK_SCSV is refused exactly when
/// this is false for our highest version (RFC 7507 section 3).
#[cfg(feature = "server-side-ssl")]
pub(crate) fn offers_at_least(client: ProtocolVersion, v: ProtocolVersion) -> bool {
    let dtls = v.is_dtls();
    match (rank(client, dtls), rank(v, dtls)) {
        (Some(c), Some(ours)) => c >= ours,
        _ => false,
    }
}

/// The version a hello body opens with (client_version, server_version), if it is long
/// enough to have one.
pub(crate) fn peek_hello_version(body: &[u8]) -> Option<ProtocolVersion> {
    match body {
        [major, minor, ..] => Some(ProtocolVersion::from(u16::from_be_bytes([*major, *minor]))),
        _ => None,
    }
}

/// The alert table for the failures of a hello naming `client`, with our versions
/// `ours`: SSL 3.0's when the hello is an SSL 3.0 one that we would answer, the family's
/// own otherwise (a refused SSL 3.0 hello gets TLS's protocol_version, which SSL 3.0 has
/// no equivalent for).
pub(crate) fn hello_alert_table(
    client: ProtocolVersion,
    ours: &[ProtocolVersion],
) -> ProtocolVersion {
    // Only a build with SSL 3.0 negotiates it, and only one with DTLS has DTLS versions
    // among ours: elsewhere the answer is TLS's table without a look at either.
    if client.is_ssl3()
        && let Ok(v) = negotiate(client, ours)
    {
        return v;
    }
    if cfg!(feature = "dtls") && ours.iter().any(|v| v.is_dtls()) {
        ProtocolVersion::DTLSv1_0
    } else {
        ProtocolVersion::TLSv1_0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ProtocolVersion as V;

    const TLS: [V; 3] = [V::SSLv3, V::TLSv1_0, V::TLSv1_1];

    fn v(x: u16) -> V {
        V::from(x)
    }

    #[test]
    fn higher_versions_get_our_highest() {
        for client in [
            0x0302, 0x0303, 0x0304, 0x03ff, 0x0401, 0x0603, 0xfefe, 0xffff,
        ] {
            assert_eq!(negotiate(v(client), &TLS), Ok(V::TLSv1_1), "{client:#06x}");
        }
        assert_eq!(negotiate(V::TLSv1_0, &TLS), Ok(V::TLSv1_0));
        assert_eq!(negotiate(V::SSLv3, &TLS), Ok(V::SSLv3));
        // "Our highest" is the list's: a list ending in TLS 1.2 answers {4,1} with it.
        let with_12 = [V::TLSv1_0, V::TLSv1_1, V::TLSv1_2];
        assert_eq!(negotiate(v(0x0401), &with_12), Ok(V::TLSv1_2));
        assert_eq!(negotiate(V::TLSv1_1, &with_12), Ok(V::TLSv1_1));
    }

    #[test]
    fn only_versions_below_ours_are_refused() {
        let refused = Err(Fatal::new(AlertDescription::ProtocolVersion));
        for client in [0x0000, 0x0002, 0x0200, 0x02ff] {
            assert_eq!(negotiate(v(client), &TLS), refused, "{client:#06x}");
        }
        assert_eq!(negotiate(V::SSLv3, &[V::TLSv1_0, V::TLSv1_1]), refused);
    }

    #[test]
    fn dtls_counts_down() {
        let dtls = [V::DTLSv1_0];
        assert_eq!(negotiate(V::DTLSv1_0, &dtls), Ok(V::DTLSv1_0));
        // DTLS 1.2 (0xFEFD) and beyond get DTLS 1.0; DTLS 0.x and TLS versions do not.
        assert_eq!(negotiate(v(0xfefd), &dtls), Ok(V::DTLSv1_0));
        assert_eq!(negotiate(v(0xfe00), &dtls), Ok(V::DTLSv1_0));
        assert!(negotiate(v(0xff00), &dtls).is_err());
        assert!(negotiate(V::TLSv1_1, &dtls).is_err());
        // With DTLS 1.2 (RFC 6347): 1.2 and beyond ({254,252}) get 1.2, 1.0 gets 1.0.
        let both = [V::DTLSv1_0, V::DTLSv1_2];
        assert_eq!(negotiate(V::DTLSv1_2, &both), Ok(V::DTLSv1_2));
        assert_eq!(negotiate(v(0xfefc), &both), Ok(V::DTLSv1_2));
        assert_eq!(negotiate(V::DTLSv1_0, &both), Ok(V::DTLSv1_0));
        // DTLS 1.2 alone refuses a DTLS 1.0 hello.
        assert!(negotiate(V::DTLSv1_0, &[V::DTLSv1_2]).is_err());
    }

    #[cfg(feature = "server-side-ssl")]
    #[test]
    fn fallback_comparison_tolerates_higher_versions() {
        assert!(offers_at_least(v(0x0401), V::TLSv1_1));
        assert!(offers_at_least(V::TLSv1_1, V::TLSv1_1));
        assert!(!offers_at_least(V::TLSv1_0, V::TLSv1_1));
        assert!(!offers_at_least(v(0x0200), V::SSLv3));
        // RFC 7507 over DTLS: a DTLS 1.0 hello falls back from a DTLS 1.2 server.
        assert!(!offers_at_least(V::DTLSv1_0, V::DTLSv1_2));
        assert!(offers_at_least(V::DTLSv1_2, V::DTLSv1_2));
        assert!(offers_at_least(v(0xfefc), V::DTLSv1_2));
    }

    #[test]
    fn alert_tables() {
        // Only a build with `ssl3` answers an SSL 3.0 hello in SSL 3.0's table (without
        // it `is_ssl3` is false for every version: no such session exists).
        let ssl3_table = if cfg!(feature = "ssl3") {
            V::SSLv3
        } else {
            V::TLSv1_0
        };
        assert_eq!(hello_alert_table(V::SSLv3, &TLS), ssl3_table);
        assert_eq!(hello_alert_table(V::TLSv1_0, &TLS), V::TLSv1_0);
        assert_eq!(hello_alert_table(v(0x0401), &TLS), V::TLSv1_0);
        assert_eq!(hello_alert_table(v(0x0200), &TLS), V::TLSv1_0);
        // An SSL 3.0 hello we refuse: TLS's protocol_version.
        assert_eq!(
            hello_alert_table(V::SSLv3, &[V::TLSv1_0, V::TLSv1_1]),
            V::TLSv1_0
        );
        assert_eq!(peek_hello_version(&[3, 1, 9]), Some(V::TLSv1_0));
        assert_eq!(peek_hello_version(&[3]), None);
    }
}
