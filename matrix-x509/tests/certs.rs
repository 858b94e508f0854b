//! Every certificate of the test PKI (testkeys/) parsed and checked against what the OpenSSL
//! command line says of it; malformed certificates never panic.

#![cfg(all(feature = "cert-parse", feature = "pem-decode"))]

use std::path::{Path, PathBuf};
use std::process::Command;

use matrix_x509::{
    AsnStringType, AuthStatus, CertChain, KeyUsage, PublicKey, SignatureAlgorithm, TimeType,
    X509Cert,
};

fn testkeys() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../testkeys")
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(testkeys().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Runs `openssl args...`; the tests need the command line and fail without it.
fn openssl(args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("the openssl command line is required by these tests");
    assert!(out.status.success(), "openssl {args:?} failed: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn field<'a>(text: &'a str, key: &str) -> &'a str {
    text.lines()
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
        .unwrap_or_else(|| panic!("no {key} in {text}"))
        .trim()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// `2024-01-01 00:00:00Z` -> milliseconds since the epoch, computed independently of the
/// crate (days counted year by year).
fn iso_ms(s: &str) -> i64 {
    let y: i64 = s[0..4].parse().unwrap();
    let m: i64 = s[5..7].parse().unwrap();
    let d: i64 = s[8..10].parse().unwrap();
    let (hh, mm, ss): (i64, i64, i64) = (
        s[11..13].parse().unwrap(),
        s[14..16].parse().unwrap(),
        s[17..19].parse().unwrap(),
    );
    let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let mut days = 0i64;
    for yy in 1970..y {
        days += if leap(yy) { 366 } else { 365 };
    }
    let month_days = [
        31,
        if leap(y) { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    days += month_days[..(m - 1) as usize].iter().sum::<i64>() + d - 1;
    ((days * 24 + hh) * 60 + mm) * 60 * 1000 + ss * 1000
}

/// `C = US, ST = Washington, O = matrix test, CN = localhost` -> pairs.
fn dn_pairs(s: &str) -> Vec<(String, String)> {
    s.split(", ")
        .map(|kv| {
            let (k, v) = kv.split_once(" = ").unwrap();
            (k.to_string(), v.to_string())
        })
        .collect()
}

const ALL_CERTS: &[&str] = &[
    "rsa2048/ca.pem",
    "rsa2048/intermediate.pem",
    "rsa2048/server.pem",
    "rsa2048/client.pem",
    "rsa1024/ca.pem",
    "rsa1024/server.pem",
    "rsa1024/server-md5.pem",
    "rsa4096/ca.pem",
    "rsa4096/server.pem",
    "rsa4096/server-sha512.pem",
    "bad/expired.pem",
    "bad/notyet.pem",
    "bad/by-leaf.pem",
    "bad/bad-signature.pem",
    "bad/sub-ca.pem",
    "bad/pathlen-leaf.pem",
];

#[test]
fn every_certificate_matches_openssl() {
    for rel in ALL_CERTS {
        let path = testkeys().join(rel);
        let path = path.to_str().unwrap();
        let chain = CertChain::from_bytes(&read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!(chain.len(), 1, "{rel}");
        let c = &chain.certs()[0];
        let info = openssl(&[
            "x509",
            "-in",
            path,
            "-noout",
            "-serial",
            "-subject",
            "-issuer",
            "-dateopt",
            "iso_8601",
            "-startdate",
            "-enddate",
            "-modulus",
        ]);
        assert_eq!(
            hex(&c.serial_number).trim_start_matches("00"),
            field(&info, "serial"),
            "{rel}"
        );
        assert_eq!(c.version, 2, "{rel}: v3");
        for (dn, key) in [(&c.subject, "subject"), (&c.issuer, "issuer")] {
            for (k, v) in dn_pairs(field(&info, key)) {
                let attr = match k.as_str() {
                    "C" => &dn.country,
                    "ST" => &dn.state,
                    "L" => &dn.locality,
                    "O" => &dn.organization,
                    "OU" => &dn.org_unit,
                    "CN" => &dn.common_name,
                    other => panic!("{rel}: unexpected attribute {other}"),
                };
                let attr = attr
                    .as_ref()
                    .unwrap_or_else(|| panic!("{rel}: {key} {k} missing"));
                assert_eq!(attr.to_text(), v, "{rel} {key} {k}");
                let want = if k == "C" {
                    AsnStringType::Printable
                } else {
                    AsnStringType::Utf8
                };
                assert_eq!(attr.string_type, want, "{rel} {key} {k}");
            }
        }
        assert_eq!(
            c.not_before.unix_ms,
            iso_ms(field(&info, "notBefore")),
            "{rel}"
        );
        assert_eq!(
            c.not_after.unix_ms,
            iso_ms(field(&info, "notAfter")),
            "{rel}"
        );
        let PublicKey::Rsa { n, e } = &c.public_key else {
            panic!("{rel}: RSA key expected")
        };
        assert_eq!(hex(n), field(&info, "Modulus"), "{rel}");
        assert_eq!(e, &[1, 0, 1], "{rel}");
        let text = openssl(&["x509", "-in", path, "-noout", "-text"]);
        let alg = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("Signature Algorithm: "))
            .unwrap();
        let want = match alg {
            "md5WithRSAEncryption" => SignatureAlgorithm::Md5WithRsa,
            "sha1WithRSAEncryption" => SignatureAlgorithm::Sha1WithRsa,
            "sha256WithRSAEncryption" => SignatureAlgorithm::Sha256WithRsa,
            "sha384WithRSAEncryption" => SignatureAlgorithm::Sha384WithRsa,
            "sha512WithRSAEncryption" => SignatureAlgorithm::Sha512WithRsa,
            other => panic!("{rel}: {other}"),
        };
        assert_eq!(c.sig_algorithm, want, "{rel}");
        assert_eq!(c.cert_algorithm, want, "{rel}");
        let is_ca = text.contains("CA:TRUE");
        assert_eq!(c.is_ca(), is_ca, "{rel}");
        assert_eq!(c.auth_status, AuthStatus::Untested);
        // The signed part follows the outer header; the signature ends the certificate.
        let der = openssl_der(path);
        assert_eq!(c.der, der, "{rel}");
        assert_eq!(&der[4..4 + c.tbs_der().len()], c.tbs_der(), "{rel}");
        assert!(der.ends_with(&c.signature), "{rel}");
    }
}

fn openssl_der(path: &str) -> Vec<u8> {
    let out = Command::new("openssl")
        .args(["x509", "-in", path, "-outform", "DER"])
        .output()
        .expect("the openssl command line is required by these tests");
    assert!(out.status.success());
    out.stdout
}

#[test]
fn server_certificate_extensions() {
    let chain = CertChain::from_bytes(&read("rsa2048/server.pem")).unwrap();
    let c = chain.leaf().unwrap();
    let sans: Vec<(u8, &str, Vec<u8>)> = c
        .extensions
        .subject_alt_names
        .iter()
        .map(|s| (s.id, s.name(), s.data.clone()))
        .collect();
    assert_eq!(
        sans,
        vec![
            (2, "DNS", b"localhost".to_vec()),
            (2, "DNS", b"*.matrix.test".to_vec()),
            (7, "iPAddress", vec![127, 0, 0, 1]),
            (1, "email", b"server@matrix.test".to_vec()),
            (6, "URI", b"https://matrix.test/".to_vec()),
        ]
    );
    let bc = c.extensions.basic_constraints.unwrap();
    assert!(!bc.ca);
    let ku = c.extensions.key_usage.unwrap();
    assert!(ku.allows(KeyUsage::DIGITAL_SIGNATURE | KeyUsage::KEY_ENCIPHERMENT));
    assert!(!ku.allows(KeyUsage::KEY_CERT_SIGN));
    assert!(
        c.extensions
            .allows_purpose(matrix_x509::oid::KP_SERVER_AUTH)
    );
    assert!(
        !c.extensions
            .allows_purpose(matrix_x509::oid::KP_CLIENT_AUTH)
    );
    assert_eq!(c.extensions.subject_key_id.as_ref().map(Vec::len), Some(20));
    let issuer = CertChain::from_bytes(&read("rsa2048/intermediate.pem")).unwrap();
    let i = issuer.leaf().unwrap();
    assert_eq!(c.extensions.authority_key_id, i.extensions.subject_key_id);
    assert_eq!(
        i.extensions.basic_constraints.unwrap().path_len_constraint,
        Some(0)
    );
    assert!(c.issuer.matches(&i.subject));
    assert!(!c.issuer.matches(&c.subject));
    assert_eq!(c.not_before.time_type, TimeType::UtcTime);
    let root = CertChain::from_bytes(&read("rsa2048/ca.pem")).unwrap();
    assert_eq!(
        root.leaf().unwrap().not_after.time_type,
        TimeType::GeneralizedTime
    );
}

#[test]
fn host_names_and_dates() {
    let chain = CertChain::from_bytes(&read("rsa2048/server.pem")).unwrap();
    let c = chain.leaf().unwrap();
    assert!(c.matches_host("localhost"));
    assert!(c.matches_host("www.matrix.test"));
    assert!(!c.matches_host("matrix.test"));
    assert!(c.matches_host("127.0.0.1"));
    assert!(!c.matches_host("127.0.0.2"));
    assert!(!c.matches_host("example.com"));
    // No SAN at all: the CN is used.
    let chain = CertChain::from_bytes(&read("rsa4096/server-sha512.pem")).unwrap();
    assert!(chain.leaf().unwrap().matches_host("sha512 signed"));
    // Dates: 2030 is inside the server's validity, 2021-06 inside nothing but the expired one.
    let y2030 = 1_893_456_000_000;
    assert!(c.is_valid_at(y2030));
    let expired = CertChain::from_bytes(&read("bad/expired.pem")).unwrap();
    assert!(!expired.leaf().unwrap().is_valid_at(y2030));
    assert!(expired.leaf().unwrap().is_valid_at(1_609_459_200_000 - 1));
    let notyet = CertChain::from_bytes(&read("bad/notyet.pem")).unwrap();
    assert!(!notyet.leaf().unwrap().is_valid_at(y2030));
}

#[test]
fn chains_from_pem_der_and_files() {
    let chain = CertChain::from_bytes(&read("rsa2048/server-chain.pem")).unwrap();
    assert_eq!(chain.len(), 2);
    assert!(chain.certs()[0].issuer.matches(&chain.certs()[1].subject));
    let mut der = read("rsa2048/server.der");
    der.extend(read("rsa2048/intermediate.der"));
    let from_der = CertChain::from_der(&der).unwrap();
    assert_eq!(from_der, chain);
    let crlf = String::from_utf8(read("rsa2048/server-chain.pem"))
        .unwrap()
        .replace('\n', "\r\n");
    assert_eq!(CertChain::from_pem(&crlf).unwrap(), chain);
    #[cfg(feature = "file-system")]
    {
        let list = format!(
            "{};{}",
            testkeys().join("rsa2048/server.pem").display(),
            testkeys().join("rsa2048/intermediate.der").display()
        );
        assert_eq!(CertChain::from_files(&list).unwrap(), chain);
        assert_eq!(
            CertChain::from_files("/nonexistent/file.pem"),
            Err(matrix_core::Error::PlatformFail)
        );
    }
    assert_eq!(
        CertChain::from_pem("no pem here"),
        Err(matrix_core::Error::ParseFail)
    );
}

#[test]
fn truncated_and_garbled_certificates_never_panic() {
    let der = read("rsa2048/server.der");
    for cut in 0..der.len() {
        assert!(
            X509Cert::from_der(&der[..cut]).is_err(),
            "truncated at {cut}"
        );
    }
    let mut accepted = 0;
    for i in 0..der.len() {
        for flip in [0x01u8, 0x80, 0xFF] {
            let mut g = der.clone();
            g[i] ^= flip;
            if X509Cert::from_der(&g).is_ok() {
                accepted += 1;
            }
        }
    }
    // Flips inside the key, signature and string values still parse; structure flips fail.
    assert!(accepted > 0 && accepted < der.len() * 3);
    let mut long = der.clone();
    long.push(0);
    assert!(X509Cert::from_der(&long).is_err(), "trailing byte");
}

#[test]
fn mismatched_signature_algorithms_are_refused() {
    let der = read("rsa2048/server.der");
    // The outer AlgorithmIdentifier is the last one: change sha256 (0x0B) to sha1 (0x05).
    let pos = der
        .windows(9)
        .rposition(|w| w == matrix_x509::oid::SHA256_WITH_RSA)
        .unwrap();
    let mut g = der.clone();
    g[pos + 8] = 0x05;
    assert_eq!(
        X509Cert::from_der(&g),
        Err(matrix_core::Error::SignatureMismatch)
    );
}

/// Without the EC code (`ecc-core`, which any curve feature turns on) an EC key parses
/// (`PublicKey::Unsupported`) and is refused when used: as an issuer its signature never
/// verifies (`FailSig`), and an ECDSA signature, recognised by name, is not verified.
#[cfg(not(feature = "ecc-core"))]
#[test]
fn non_rsa_keys_parse_and_are_unsupported_when_used() {
    // id-ecPublicKey, 1.2.840.10045.2.1.
    const EC_PUBLIC_KEY: &[u8] = &[0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01];
    let leaf = CertChain::from_bytes(&read("ec/server-p256.pem")).unwrap();
    let c = &leaf.certs()[0];
    assert_eq!(
        c.public_key,
        PublicKey::Unsupported {
            algorithm: EC_PUBLIC_KEY.to_vec()
        }
    );
    assert_eq!(c.public_key.rsa_bits(), None);
    assert_eq!(c.sig_algorithm, SignatureAlgorithm::Sha256WithRsa);
    // Certified by the RSA root: the chain itself authenticates.
    let ca = CertChain::from_bytes(&read("rsa2048/ca.pem")).unwrap();
    let mut chain = leaf.clone();
    assert_eq!(matrix_x509::authenticate(&mut chain, ca.certs()), None);
    assert_eq!(chain.certs()[0].auth_status, AuthStatus::Pass);

    let own = CertChain::from_bytes(&read("ec/self-p256.pem")).unwrap();
    let s = &own.certs()[0];
    assert_eq!(s.sig_algorithm, SignatureAlgorithm::EcdsaWithSha256);
    assert!(s.sig_algorithm.is_ecdsa());
    // Trusted as its own CA, it still cannot be verified.
    let mut chain = own.clone();
    assert_eq!(
        matrix_x509::authenticate(&mut chain, own.certs()),
        Some(matrix_x509::ChainAlert::BadCertificate)
    );
    assert_eq!(chain.certs()[0].auth_status, AuthStatus::FailSig);
    // An EC key as the issuer of an RSA-signed certificate verifies nothing.
    let rsa_leaf = CertChain::from_bytes(&read("rsa2048/server.pem")).unwrap();
    assert!(!matrix_x509::verify_signature(&rsa_leaf.certs()[0], s));
}

/// The DN digest (`x509DNattributes_t.hash`) is SHA-256 of the DN's DER, equal exactly when
/// the names match.
#[test]
fn dn_digests_compare_names() {
    let leaf = CertChain::from_bytes(&read("rsa2048/server.pem")).unwrap();
    let inter = CertChain::from_bytes(&read("rsa2048/intermediate.pem")).unwrap();
    let (leaf, inter) = (&leaf.certs()[0], &inter.certs()[0]);
    assert_eq!(leaf.issuer.digest(), inter.subject.digest());
    assert_ne!(leaf.subject.digest(), leaf.issuer.digest());
    // The oracle: OpenSSL's digest of the same DER.
    let path = testkeys().join("rsa2048/server.pem");
    let subject_text = openssl(&[
        "x509",
        "-in",
        path.to_str().unwrap(),
        "-noout",
        "-subject",
        "-nameopt",
        "RFC2253",
    ]);
    assert!(subject_text.contains("CN=localhost"), "{subject_text}");
    let mut dgst = Command::new("openssl")
        .args(["dgst", "-sha256", "-binary"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("openssl");
    use std::io::Write;
    dgst.stdin
        .take()
        .unwrap()
        .write_all(&leaf.subject.der)
        .unwrap();
    let out = dgst.wait_with_output().unwrap();
    assert_eq!(out.stdout, leaf.subject.digest());
}

/// A DER element with a definite length (test construction only).
fn der_tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = value.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(value);
    out
}

/// The server certificate with `ids` inserted after its subjectPublicKeyInfo (the
/// signature no longer covers the TBS, which parsing does not check).
fn with_unique_ids(ids: &[u8]) -> Vec<u8> {
    use matrix_x509::der::{Der, tag};
    let der = read("rsa2048/server.der");
    let mut top = Der::new(&der);
    let mut cert = top.sequence().unwrap();
    let tbs = cert.read(tag::SEQUENCE).unwrap();
    let mut t = Der::new(tbs);
    let mut new_tbs = Vec::new();
    // version, serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo
    for _ in 0..7 {
        new_tbs.extend_from_slice(t.read_any().unwrap().raw);
    }
    new_tbs.extend_from_slice(ids);
    new_tbs.extend_from_slice(t.rest());
    let mut body = der_tlv(tag::SEQUENCE, &new_tbs);
    body.extend_from_slice(cert.rest());
    der_tlv(tag::SEQUENCE, &body)
}

/// issuerUniqueID [1] and subjectUniqueID [2] (RFC 5280 4.1.2.8), which no openssl command
/// writes: kept as their BIT STRING contents, as OpenSSL reads them; out of order they are
/// a parse error.
#[test]
fn unique_ids_are_kept() {
    let ids = [0x81, 3, 0, 0xAB, 0xCD, 0x82, 2, 0, 0x42];
    let der = with_unique_ids(&ids);
    let c = X509Cert::from_der(&der).unwrap();
    assert_eq!(c.unique_issuer_id.as_deref(), Some(&[0, 0xAB, 0xCD][..]));
    assert_eq!(c.unique_subject_id.as_deref(), Some(&[0, 0x42][..]));
    let plain = X509Cert::from_der(&read("rsa2048/server.der")).unwrap();
    assert_eq!(
        (plain.unique_issuer_id, plain.unique_subject_id),
        (None, None)
    );
    // The oracle: OpenSSL reads the same two fields from the same bytes.
    let path = std::env::temp_dir().join(format!("matrix-unique-ids-{}.der", std::process::id()));
    std::fs::write(&path, &der).unwrap();
    let text = openssl(&[
        "x509",
        "-inform",
        "DER",
        "-in",
        path.to_str().unwrap(),
        "-noout",
        "-text",
    ]);
    let _ = std::fs::remove_file(&path);
    let after = |label: &str| {
        let i = text
            .find(label)
            .unwrap_or_else(|| panic!("no {label} in {text}"));
        text[i + label.len()..]
            .split_whitespace()
            .next()
            .unwrap()
            .to_string()
    };
    assert_eq!(after("Issuer Unique ID:"), "ab:cd");
    assert_eq!(after("Subject Unique ID:"), "42");
    let swapped = [0x82, 2, 0, 0x42, 0x81, 3, 0, 0xAB, 0xCD];
    assert!(X509Cert::from_der(&with_unique_ids(&swapped)).is_err());
}
