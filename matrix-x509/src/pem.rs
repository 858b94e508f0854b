//! PEM (RFC 7468, and the older RFC 1421 form with headers that OpenSSL writes for
//! encrypted traditional keys: `Proc-Type: 4,ENCRYPTED` and `DEK-Info: ALG,IV`).
//!
//! A file may hold many blocks in any order, with text between them, CRLF or LF line ends and
//! any whitespace inside the base64. Our own decoder: `pem-rfc7468` refuses the headers that
//! encrypted traditional keys carry.
//!
//! The decoder is compiled only with the feature `pem-decode` (MatrixSSL's `USE_PEM_DECODE`):
//! a build that loads DER only (firmware) links no base64, text or line-splitting code.
//! [`is_pem`] stays in every build, so that the loaders can refuse PEM input there with
//! `PS_UNSUPPORTED_FAIL` (`refused`, compiled without the decoder) instead of trying to parse it as DER.

#[cfg(feature = "pem-decode")]
use alloc::string::{String, ToString};
#[cfg(feature = "pem-decode")]
use alloc::vec::Vec;

use matrix_core::Error;

/// One `-----BEGIN label-----` … `-----END label-----` block.
#[cfg(feature = "pem-decode")]
#[cfg_attr(docsrs, doc(cfg(feature = "pem-decode")))]
#[derive(Clone, PartialEq, Eq)]
pub struct PemBlock {
    /// The label, e.g. `CERTIFICATE` or `RSA PRIVATE KEY`.
    pub label: String,
    /// RFC 1421 headers (`Proc-Type`, `DEK-Info`) in order.
    pub headers: Vec<(String, String)>,
    /// The decoded bytes.
    pub der: Vec<u8>,
}

#[cfg(feature = "pem-decode")]
impl core::fmt::Debug for PemBlock {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // The bytes may be a private key: never print them.
        f.debug_struct("PemBlock")
            .field("label", &self.label)
            .field("headers", &self.headers)
            .field("der_len", &self.der.len())
            .finish()
    }
}

#[cfg(feature = "pem-decode")]
impl Drop for PemBlock {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.der);
    }
}

#[cfg(feature = "pem-decode")]
impl PemBlock {
    /// The value of header `name` (case-insensitive), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Whether `data` looks like PEM (holds a BEGIN line) rather than DER.
pub fn is_pem(data: &[u8]) -> bool {
    data.windows(11).any(|w| w == b"-----BEGIN ")
}

/// The error for PEM input in a build without `pem-decode`: `PS_UNSUPPORTED_FAIL`, as
/// `matrixSslLoadRsaKeys` answers material the build cannot load.
#[cfg(not(feature = "pem-decode"))]
pub fn refused() -> Error {
    matrix_core::ps_error!(
        Error::UnsupportedFail,
        "PEM input needs matrix-x509's pem-decode feature (USE_PEM_DECODE): load DER"
    )
}

/// Every PEM block of `data`, which must be UTF-8 text (`PS_PARSE_FAIL` otherwise); see
/// [`parse_all`].
#[cfg(feature = "pem-decode")]
#[cfg_attr(docsrs, doc(cfg(feature = "pem-decode")))]
pub fn parse_all_bytes(data: &[u8]) -> Result<Vec<PemBlock>, Error> {
    parse_all(core::str::from_utf8(data).map_err(|_| Error::ParseFail)?)
}

/// The blocks of `data` with label `label` (`PS_PARSE_FAIL` if not UTF-8).
#[cfg(feature = "pem-decode")]
#[cfg_attr(docsrs, doc(cfg(feature = "pem-decode")))]
pub fn parse_label_bytes(data: &[u8], label: &str) -> Result<Vec<PemBlock>, Error> {
    parse_label(
        core::str::from_utf8(data).map_err(|_| Error::ParseFail)?,
        label,
    )
}

#[cfg(feature = "pem-decode")]
#[cfg_attr(docsrs, doc(cfg(feature = "pem-decode")))]
/// Every PEM block in `text`, in order. Text outside blocks is ignored; a block without its
/// END line, with a mismatched END label or with bad base64 is `PS_PARSE_FAIL`.
pub fn parse_all(text: &str) -> Result<Vec<PemBlock>, Error> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        let Some(label) = boundary(line, "-----BEGIN ") else {
            continue;
        };
        let mut headers = Vec::new();
        let mut body = String::new();
        let mut ended = false;
        let mut in_headers = true;
        for line in lines.by_ref() {
            if let Some(end) = boundary(line, "-----END ") {
                if end != label {
                    return Err(Error::ParseFail);
                }
                ended = true;
                break;
            }
            if in_headers {
                if let Some((k, v)) = line.split_once(':') {
                    headers.push((k.trim().to_string(), v.trim().to_string()));
                    continue;
                }
                in_headers = false;
                if line.is_empty() {
                    continue;
                }
            }
            body.push_str(line);
        }
        if !ended {
            return Err(Error::ParseFail);
        }
        blocks.push(PemBlock {
            label: label.to_string(),
            headers,
            der: base64_decode(&body)?,
        });
        zeroize::Zeroize::zeroize(&mut body);
    }
    Ok(blocks)
}

#[cfg(feature = "pem-decode")]
#[cfg_attr(docsrs, doc(cfg(feature = "pem-decode")))]
/// The blocks of `text` with label `label`.
pub fn parse_label(text: &str, label: &str) -> Result<Vec<PemBlock>, Error> {
    Ok(parse_all(text)?
        .into_iter()
        .filter(|b| b.label == label)
        .collect())
}

#[cfg(feature = "pem-decode")]
fn boundary<'a>(line: &'a str, prefix: &str) -> Option<&'a str> {
    line.strip_prefix(prefix)?.strip_suffix("-----")
}

#[cfg(feature = "pem-decode")]
#[cfg_attr(docsrs, doc(cfg(feature = "pem-decode")))]
/// Decodes standard base64 (RFC 4648 section 4), ignoring whitespace; padding optional.
pub fn base64_decode(text: &str) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    let mut padding = 0usize;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                padding += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' | b'\n' => continue,
            _ => return Err(Error::ParseFail),
        };
        if padding > 0 {
            // Data after padding.
            return Err(Error::ParseFail);
        }
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // Leftover bits must be zero and fewer than a byte; two '=' at most.
    if padding > 2 || bits >= 6 || acc != 0 {
        return Err(Error::ParseFail);
    }
    Ok(out)
}

#[cfg(all(test, feature = "pem-decode"))]
mod tests {
    use super::*;

    #[test]
    fn base64_vectors_rfc4648() {
        for (enc, dec) in [
            ("", ""),
            ("Zg==", "f"),
            ("Zm8=", "fo"),
            ("Zm9v", "foo"),
            ("Zm9vYg==", "foob"),
            ("Zm9vYmE=", "fooba"),
            ("Zm9vYmFy", "foobar"),
            ("Zm9v\r\nYmFy", "foobar"),
        ] {
            assert_eq!(base64_decode(enc).unwrap(), dec.as_bytes(), "{enc}");
        }
        for bad in ["Zm9v!", "Zg==Zg==", "Zh==", "Z", "Zg==="] {
            assert_eq!(base64_decode(bad), Err(Error::ParseFail), "{bad}");
        }
    }

    #[test]
    fn blocks_headers_and_junk() {
        let text = "junk\r\n-----BEGIN RSA PRIVATE KEY-----\r\nProc-Type: 4,ENCRYPTED\r\nDEK-Info: DES-EDE3-CBC,0001020304050607\r\n\r\nZm9v\r\nYmFy\r\n-----END RSA PRIVATE KEY-----\r\nmore junk\n-----BEGIN CERTIFICATE-----\nZg==\n-----END CERTIFICATE-----\n";
        let b = parse_all(text).unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].label, "RSA PRIVATE KEY");
        assert_eq!(
            b[0].header("dek-info"),
            Some("DES-EDE3-CBC,0001020304050607")
        );
        assert_eq!(b[0].der, b"foobar");
        assert_eq!(b[1].label, "CERTIFICATE");
        assert_eq!(b[1].der, b"f");
        assert!(is_pem(text.as_bytes()));
    }

    #[test]
    fn unterminated_or_mismatched_blocks_fail() {
        assert!(parse_all("-----BEGIN CERTIFICATE-----\nZg==\n").is_err());
        assert!(parse_all("-----BEGIN CERTIFICATE-----\nZg==\n-----END X-----\n").is_err());
    }
}
