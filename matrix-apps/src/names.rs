//! Names on the command line and in reports: protocol versions (`ssl3`, `tls1.0`,
//! `tls1.1`, `tls1.2`) and cipher suites (IANA names or hex ids), both ways.

use matrix_ssl::suites::{SUITES, lookup};
use matrix_ssl::{CipherSuite, ProtocolVersion};

/// Parses `ssl3`, `tls1.0` (or `tls1`), `tls1.1`, `tls1.2` (case-insensitive).
pub fn parse_version(s: &str) -> Result<ProtocolVersion, String> {
    match s.to_ascii_lowercase().as_str() {
        "ssl3" | "ssl3.0" | "sslv3" => Ok(ProtocolVersion::SSLv3),
        "tls1" | "tls1.0" | "tlsv1" => Ok(ProtocolVersion::TLSv1_0),
        "tls1.1" | "tlsv1.1" => Ok(ProtocolVersion::TLSv1_1),
        "tls1.2" | "tlsv1.2" => Ok(ProtocolVersion::TLSv1_2),
        _ => Err(format!(
            "unknown protocol version `{s}` (known: ssl3, tls1.0, tls1.1, tls1.2)"
        )),
    }
}

/// "SSL 3.0", "TLS 1.0", "TLS 1.1", or the two bytes for anything else.
pub fn version_name(v: ProtocolVersion) -> String {
    match v.get() {
        0x0300 => "SSL 3.0".into(),
        0x0301 => "TLS 1.0".into(),
        0x0302 => "TLS 1.1".into(),
        0x0303 => "TLS 1.2".into(),
        other => format!("version 0x{other:04X}"),
    }
}

/// The IANA name of a suite this build knows, or its hex id.
pub fn suite_name(id: u16) -> String {
    lookup(CipherSuite::from(id))
        .map(|s| s.name.to_string())
        .unwrap_or_else(|| format!("0x{id:04X}"))
}

/// Every compiled-in suite, for error messages and `--help`.
pub fn compiled_suites() -> String {
    SUITES
        .iter()
        .map(|s| format!("{} (0x{:04X})", s.name, s.suite.get()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses a suite given as an IANA name (case-insensitive, `TLS_`/`SSL_` prefix
/// interchangeable) or a hex id (`0x002F`, `002f`); it must be compiled into this build.
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
    let found = SUITES.iter().find(|info| match by_hex {
        Some(id) => info.suite.get() == id,
        None => bare(info.name) == bare(t),
    });
    match found {
        Some(info) => Ok(info.suite.get()),
        None => Err(format!(
            "cipher suite `{s}` is not compiled into this build (compiled: {})",
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
        assert_eq!(parse_suite("0x002F"), Ok(0x002F));
        assert_eq!(parse_suite("002f"), Ok(0x002F));
        assert_eq!(parse_suite("TLS_RSA_WITH_AES_128_CBC_SHA"), Ok(0x002F));
        assert_eq!(parse_suite("ssl_rsa_with_aes_128_cbc_sha"), Ok(0x002F));
        assert!(parse_suite("TLS_NOPE").is_err());
        assert_eq!(suite_name(0x002F), "TLS_RSA_WITH_AES_128_CBC_SHA");
    }
}
