//! Names on the command line and in reports: protocol versions (`ssl3`, `tls1.0`,
//! `tls1.1`, `tls1.2`, and for the DTLS programs `dtls1.0`, `dtls1.2`) and cipher suites
//! (IANA names or hex ids), both ways.

use matrix_ssl::suites::{SUITES, lookup};
use matrix_ssl::{CipherSuite, ProtocolVersion};

/// Parses `ssl3`, `tls1.0` (or `tls1`), `tls1.1`, `tls1.2`, `dtls1.0` (or `dtls1`),
/// `dtls1.2` (case-insensitive).
pub fn parse_version(s: &str) -> Result<ProtocolVersion, String> {
    match s.to_ascii_lowercase().as_str() {
        "ssl3" | "ssl3.0" | "sslv3" => Ok(ProtocolVersion::SSLv3),
        "tls1" | "tls1.0" | "tlsv1" => Ok(ProtocolVersion::TLSv1_0),
        "tls1.1" | "tlsv1.1" => Ok(ProtocolVersion::TLSv1_1),
        "tls1.2" | "tlsv1.2" => Ok(ProtocolVersion::TLSv1_2),
        "dtls1" | "dtls1.0" | "dtlsv1" => Ok(ProtocolVersion::DTLSv1_0),
        "dtls1.2" | "dtlsv1.2" => Ok(ProtocolVersion::DTLSv1_2),
        _ => Err(format!(
            "unknown protocol version `{s}` (known: ssl3, tls1.0, tls1.1, tls1.2, dtls1.0, \
             dtls1.2)"
        )),
    }
}

/// `--connect HOST:PORT`: a host (name, IPv4 address or `[IPv6]`) and a port number, so
/// that a missing port or a stray word fails before any connection is tried.
pub fn parse_host_port(s: &str) -> Result<String, String> {
    let expected = "expected HOST:PORT, e.g. 127.0.0.1:4433 or [::1]:4433";
    let (host, port) = s
        .rsplit_once(':')
        .ok_or_else(|| format!("`{s}`: no port ({expected})"))?;
    if host.is_empty() || host == "[]" {
        return Err(format!("`{s}`: no host ({expected})"));
    }
    if host.contains(':') && !(host.starts_with('[') && host.ends_with(']')) {
        return Err(format!("`{s}`: an IPv6 host goes in brackets ({expected})"));
    }
    match port.parse::<u16>() {
        Ok(p) if p != 0 => Ok(s.to_string()),
        _ => Err(format!(
            "`{s}`: `{port}` is not a port number 1-65535 ({expected})"
        )),
    }
}

/// "SSL 3.0", "TLS 1.0", "TLS 1.1", "TLS 1.2", "DTLS 1.0", "DTLS 1.2", or the two bytes
/// for anything else.
pub fn version_name(v: ProtocolVersion) -> String {
    match v.get() {
        0x0300 => "SSL 3.0".into(),
        0x0301 => "TLS 1.0".into(),
        0x0302 => "TLS 1.1".into(),
        0x0303 => "TLS 1.2".into(),
        0xfeff => "DTLS 1.0".into(),
        0xfefd => "DTLS 1.2".into(),
        other => format!("version 0x{other:04X}"),
    }
}

/// The IANA name of a suite this build knows, or its hex id.
pub fn suite_name(id: u16) -> String {
    lookup(CipherSuite::from(id))
        .map(|s| s.name.to_string())
        .unwrap_or_else(|| format!("0x{id:04X}"))
}

/// The suites matrix knows by name, whether or not this build compiles them: the id, the
/// IANA name and OpenSSL's name (`openssl ciphers -V`), so that `--cipher` takes either and
/// can tell a suite left out of this build from a name that means nothing.
const KNOWN_SUITES: &[(u16, &str, &str)] = &[
    (0x0004, "TLS_RSA_WITH_RC4_128_MD5", "RC4-MD5"),
    (0x0005, "TLS_RSA_WITH_RC4_128_SHA", "RC4-SHA"),
    (0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "DES-CBC3-SHA"),
    (
        0x0016,
        "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
        "EDH-RSA-DES-CBC3-SHA",
    ),
    (0x0018, "TLS_DH_anon_WITH_RC4_128_MD5", "ADH-RC4-MD5"),
    (0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA"),
    (
        0x0033,
        "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
        "DHE-RSA-AES128-SHA",
    ),
    (0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA", "AES256-SHA"),
    (
        0x0039,
        "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
        "DHE-RSA-AES256-SHA",
    ),
    (0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256", "AES128-SHA256"),
    (0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256", "AES256-SHA256"),
    (
        0x0067,
        "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
        "DHE-RSA-AES128-SHA256",
    ),
    (
        0x006B,
        "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
        "DHE-RSA-AES256-SHA256",
    ),
    (0x008C, "TLS_PSK_WITH_AES_128_CBC_SHA", "PSK-AES128-CBC-SHA"),
    (0x008D, "TLS_PSK_WITH_AES_256_CBC_SHA", "PSK-AES256-CBC-SHA"),
    (
        0x0090,
        "TLS_DHE_PSK_WITH_AES_128_CBC_SHA",
        "DHE-PSK-AES128-CBC-SHA",
    ),
    (
        0x0091,
        "TLS_DHE_PSK_WITH_AES_256_CBC_SHA",
        "DHE-PSK-AES256-CBC-SHA",
    ),
    (0x0096, "TLS_RSA_WITH_SEED_CBC_SHA", "SEED-SHA"),
    (
        0x009C,
        "TLS_RSA_WITH_AES_128_GCM_SHA256",
        "AES128-GCM-SHA256",
    ),
    (
        0x009D,
        "TLS_RSA_WITH_AES_256_GCM_SHA384",
        "AES256-GCM-SHA384",
    ),
    (
        0x009E,
        "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
        "DHE-RSA-AES128-GCM-SHA256",
    ),
    (
        0x009F,
        "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
        "DHE-RSA-AES256-GCM-SHA384",
    ),
    (
        0x00A8,
        "TLS_PSK_WITH_AES_128_GCM_SHA256",
        "PSK-AES128-GCM-SHA256",
    ),
    (
        0x00A9,
        "TLS_PSK_WITH_AES_256_GCM_SHA384",
        "PSK-AES256-GCM-SHA384",
    ),
    (
        0x00AA,
        "TLS_DHE_PSK_WITH_AES_128_GCM_SHA256",
        "DHE-PSK-AES128-GCM-SHA256",
    ),
    (
        0x00AB,
        "TLS_DHE_PSK_WITH_AES_256_GCM_SHA384",
        "DHE-PSK-AES256-GCM-SHA384",
    ),
    (
        0x00AE,
        "TLS_PSK_WITH_AES_128_CBC_SHA256",
        "PSK-AES128-CBC-SHA256",
    ),
    (
        0x00AF,
        "TLS_PSK_WITH_AES_256_CBC_SHA384",
        "PSK-AES256-CBC-SHA384",
    ),
    (
        0x00B2,
        "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256",
        "DHE-PSK-AES128-CBC-SHA256",
    ),
    (
        0x00B3,
        "TLS_DHE_PSK_WITH_AES_256_CBC_SHA384",
        "DHE-PSK-AES256-CBC-SHA384",
    ), // RFC 8422 / RFC 5289 (ECDHE).
    (
        0xC009,
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
        "ECDHE-ECDSA-AES128-SHA",
    ),
    (
        0xC00A,
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
        "ECDHE-ECDSA-AES256-SHA",
    ),
    (
        0xC013,
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
        "ECDHE-RSA-AES128-SHA",
    ),
    (
        0xC014,
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
        "ECDHE-RSA-AES256-SHA",
    ),
    (
        0xC023,
        "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
        "ECDHE-ECDSA-AES128-SHA256",
    ),
    (
        0xC024,
        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
        "ECDHE-ECDSA-AES256-SHA384",
    ),
    (
        0xC027,
        "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
        "ECDHE-RSA-AES128-SHA256",
    ),
    (
        0xC028,
        "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
        "ECDHE-RSA-AES256-SHA384",
    ),
    (
        0xC02B,
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "ECDHE-ECDSA-AES128-GCM-SHA256",
    ),
    (
        0xC02C,
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
    ),
    (
        0xC02F,
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256",
    ),
    (
        0xC030,
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
    ),
];

/// OpenSSL's name for a suite id, when there is one.
pub fn openssl_name(id: u16) -> Option<&'static str> {
    KNOWN_SUITES
        .iter()
        .find(|(k, _, _)| *k == id)
        .map(|(_, _, o)| *o)
}

/// Every compiled-in suite, for error messages and `--help`: IANA name, OpenSSL name, id.
pub fn compiled_suites() -> String {
    SUITES
        .iter()
        .map(|s| match openssl_name(s.suite.get()) {
            Some(o) => format!("{} or {o} (0x{:04X})", s.name, s.suite.get()),
            None => format!("{} (0x{:04X})", s.name, s.suite.get()),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether `id` names a pre-shared-key suite (PSK or DHE_PSK): those need `--psk`.
pub fn is_psk_suite(id: u16) -> bool {
    lookup(CipherSuite::from(id)).is_some_and(|s| {
        matches!(
            s.kx,
            matrix_ssl::suites::KeyExchange::Psk | matrix_ssl::suites::KeyExchange::DhePsk
        )
    })
}

/// Parses a suite given as an IANA name (case-insensitive, `TLS_`/`SSL_` prefix
/// interchangeable), an OpenSSL name (`AES128-SHA`, `DHE-RSA-AES256-SHA`,
/// `PSK-AES128-CBC-SHA`, ...) or a hex id (`0x002F`, `002f`); it must be compiled into this
/// build. An unknown name says so and lists the compiled suites; a known suite this build
/// leaves out says that instead.
pub fn parse_suite(s: &str) -> Result<u16, String> {
    let t = s.trim();
    let hex = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X"));
    let by_hex = hex
        .or((t.len() == 4).then_some(t))
        .and_then(|h| u16::from_str_radix(h, 16).ok());
    let bare = |n: &str| {
        let u = n.to_ascii_uppercase();
        u.strip_prefix("TLS_")
            .or_else(|| u.strip_prefix("SSL_"))
            .map(str::to_string)
            .unwrap_or(u)
    };
    let id = by_hex
        .or_else(|| {
            SUITES
                .iter()
                .find(|info| bare(info.name) == bare(t))
                .map(|info| info.suite.get())
        })
        .or_else(|| {
            KNOWN_SUITES
                .iter()
                .find(|(_, iana, openssl)| bare(iana) == bare(t) || openssl.eq_ignore_ascii_case(t))
                .map(|(id, _, _)| *id)
        });
    match id {
        Some(id) if lookup(CipherSuite::from(id)).is_some() => Ok(id),
        Some(id) => Err(format!(
            "cipher suite `{s}` (0x{id:04X}) is not compiled into this build (compiled: {})",
            compiled_suites()
        )),
        None => Err(format!(
            "unknown cipher suite `{s}` (compiled: {})",
            compiled_suites()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_suites_parse() {
        assert_eq!(parse_version("TLS1.1"), Ok(ProtocolVersion::TLSv1_1));
        assert_eq!(parse_version("tls1.2"), Ok(ProtocolVersion::TLSv1_2));
        assert!(parse_version("tls1.3").is_err());
        assert_eq!(parse_version("dtls1"), Ok(ProtocolVersion::DTLSv1_0));
        assert_eq!(parse_version("DTLS1.2"), Ok(ProtocolVersion::DTLSv1_2));
        assert_eq!(version_name(ProtocolVersion::DTLSv1_2), "DTLS 1.2");
        assert_eq!(parse_suite("0x002F"), Ok(0x002F));
        assert_eq!(parse_suite("002f"), Ok(0x002F));
        assert_eq!(parse_suite("TLS_RSA_WITH_AES_128_CBC_SHA"), Ok(0x002F));
        assert_eq!(parse_suite("ssl_rsa_with_aes_128_cbc_sha"), Ok(0x002F));
        assert!(
            parse_suite("TLS_NOPE")
                .unwrap_err()
                .starts_with("unknown cipher suite")
        );
        // OpenSSL's names.
        assert_eq!(parse_suite("AES128-SHA"), Ok(0x002F));
        assert_eq!(parse_suite("aes256-sha"), Ok(0x0035));
        assert!(parse_suite("AES128-SHA").is_ok_and(|id| !is_psk_suite(id)));
        assert_eq!(parse_suite("PSK-AES128-CBC-SHA"), Ok(0x008C));
        assert!(is_psk_suite(0x008C) && is_psk_suite(0x0091));
        // A known suite this build leaves out is not "unknown".
        if let Some((_, _, name)) = KNOWN_SUITES
            .iter()
            .find(|(id, _, _)| lookup(CipherSuite::from(*id)).is_none())
        {
            let e = parse_suite(name).unwrap_err();
            assert!(e.contains("not compiled into this build"), "{e}");
        }
        assert!(compiled_suites().contains("TLS_RSA_WITH_AES_128_CBC_SHA or AES128-SHA (0x002F)"));
        assert_eq!(suite_name(0x002F), "TLS_RSA_WITH_AES_128_CBC_SHA");
    }

    /// Every suite this build compiles has OpenSSL's name too, so that `--cipher` takes
    /// both (the TLS 1.2 GCM, SHA-256 and SHA-384 suites included).
    #[test]
    fn every_compiled_suite_has_both_names() {
        for info in SUITES {
            let id = info.suite.get();
            let openssl =
                openssl_name(id).unwrap_or_else(|| panic!("{}: no OpenSSL name", info.name));
            assert_eq!(parse_suite(openssl), Ok(id), "{openssl}");
            assert_eq!(parse_suite(info.name), Ok(id), "{}", info.name);
            assert_eq!(parse_suite(&info.name.to_ascii_lowercase()), Ok(id));
        }
    }

    #[test]
    fn connect_takes_host_port() {
        assert!(parse_host_port("127.0.0.1:4433").is_ok());
        assert!(parse_host_port("localhost:443").is_ok());
        assert!(parse_host_port("[::1]:4433").is_ok());
        for bad in [
            "nonsense",
            "127.0.0.1",
            ":4433",
            "host:0",
            "host:http",
            "::1:4433",
        ] {
            let e = parse_host_port(bad).unwrap_err();
            assert!(e.contains("HOST:PORT"), "{bad}: {e}");
        }
    }
}

/// The ECDHE groups of `--groups`, as `NamedGroup` code points in preference order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupList(pub Vec<u16>);

/// `--groups`: comma-separated ECDHE group names (OpenSSL's and the RFC's) or code points,
/// in preference order.
pub fn parse_groups(s: &str) -> Result<GroupList, String> {
    let mut out = Vec::new();
    for name in s.split([',', ':']).map(str::trim).filter(|n| !n.is_empty()) {
        let id = match name.to_ascii_lowercase().as_str() {
            "x25519" => 29,
            "p-256" | "p256" | "secp256r1" | "prime256v1" => 23,
            "p-384" | "p384" | "secp384r1" => 24,
            other => other.parse::<u16>().map_err(|_| {
                format!("unknown group `{name}`: use X25519, P-256 or P-384 (or a code point)")
            })?,
        };
        if !out.contains(&id) {
            out.push(id);
        }
    }
    if out.is_empty() {
        return Err("--groups names no group".to_string());
    }
    Ok(GroupList(out))
}
