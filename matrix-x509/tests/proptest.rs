//! Properties of the parsers: base64 and PEM give back what was encoded, whatever the line
//! ends and line lengths; the DER reader's elements are consistent slices of its input; no
//! parser panics on damaged certificates, keys or DH parameters.

use matrix_x509::der::Der;
#[cfg(feature = "pem-decode")]
use matrix_x509::pem;
use proptest::collection::vec;
use proptest::prelude::*;

#[cfg(feature = "pem-decode")]
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// RFC 4648 base64 with padding: the oracle the decoder is checked against.
#[cfg(feature = "pem-decode")]
fn b64(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let mut n = 0u32;
        for (i, b) in chunk.iter().enumerate() {
            n |= u32::from(*b) << (16 - 8 * i);
        }
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn testkey(rel: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../testkeys/{rel}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// A real file with one byte replaced and, if `cut` is given, up to an eighth of its tail
/// cut off.
fn damaged(file: Vec<u8>, at: usize, value: u8, cut: Option<usize>) -> Vec<u8> {
    let mut d = file;
    let at = at % d.len();
    d[at] = value;
    if let Some(cut) = cut {
        let keep = d.len() - cut % (d.len() / 8 + 1);
        d.truncate(keep);
    }
    d
}

#[cfg(feature = "pem-decode")]
proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn base64_decodes_what_was_encoded(data in vec(any::<u8>(), 0..300), ws in 0usize..4) {
        let mut text = b64(&data);
        // Whitespace anywhere in the body is ignored.
        if !text.is_empty() {
            let at = ws % text.len();
            text.insert_str(at, [" ", "\r\n", "\t", "\n"][ws]);
        }
        prop_assert_eq!(pem::base64_decode(&text).unwrap(), data);
    }

    #[test]
    fn pem_blocks_round_trip(
        blocks in vec((vec(any::<u8>(), 1..200), 0usize..3), 1..4),
        width in 4usize..80,
        crlf in any::<bool>(),
    ) {
        let labels = ["CERTIFICATE", "RSA PRIVATE KEY", "DH PARAMETERS"];
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut text = String::from("junk before");
        text.push_str(eol);
        for (data, label) in &blocks {
            let body = b64(data);
            text.push_str(&format!("-----BEGIN {}-----{eol}", labels[*label]));
            for line in body.as_bytes().chunks(width) {
                text.push_str(std::str::from_utf8(line).unwrap());
                text.push_str(eol);
            }
            text.push_str(&format!("-----END {}-----{eol}", labels[*label]));
            text.push_str("text between blocks");
            text.push_str(eol);
        }
        let parsed = pem::parse_all(&text).unwrap();
        prop_assert_eq!(parsed.len(), blocks.len());
        for (p, (data, label)) in parsed.iter().zip(&blocks) {
            prop_assert_eq!(&p.label, labels[*label]);
            prop_assert_eq!(&p.der, data);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn der_elements_are_slices_of_the_input(data in vec(any::<u8>(), 0..64)) {
        let mut d = Der::new(&data);
        let mut consumed = 0;
        while let Ok(tlv) = d.read_any() {
            prop_assert_eq!(tlv.raw.first(), Some(&tlv.tag));
            prop_assert!(tlv.raw.ends_with(tlv.value));
            prop_assert_eq!(&data[consumed..consumed + tlv.raw.len()], tlv.raw);
            consumed += tlv.raw.len();
            prop_assert_eq!(d.rest(), &data[consumed..]);
        }
    }

    #[test]
    fn dh_parameters_never_panic(at in any::<usize>(), value in any::<u8>(), cut in proptest::option::of(any::<usize>())) {
        for f in ["dh/dh1024.pem", "dh/dh2048.pem"] {
            let _ = matrix_x509::DhParams::from_bytes(&damaged(testkey(f), at, value, cut));
        }
    }
}

#[cfg(feature = "cert-parse")]
proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn damaged_certificates_never_panic(
        at in any::<usize>(),
        value in any::<u8>(),
        cut in proptest::option::of(any::<usize>()),
    ) {
        for f in ["rsa2048/server.der", "rsa2048/ca.der"] {
            let d = damaged(testkey(f), at, value, cut);
            if let Ok(c) = matrix_x509::X509Cert::from_der(&d) {
                // Whatever parses keeps exactly its input as the unparsed DER.
                prop_assert_eq!(c.der, d);
            }
        }
    }

    #[test]
    fn chains_of_arbitrary_bytes_never_panic(data in vec(any::<u8>(), 0..512)) {
        let _ = matrix_x509::CertChain::from_bytes(&data);
    }
}

#[cfg(feature = "private-key-parsing")]
proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn damaged_keys_never_panic(at in any::<usize>(), value in any::<u8>(), cut in proptest::option::of(any::<usize>())) {
        for f in ["rsa2048/server-pkcs1.der", "rsa2048/server.key"] {
            let d = damaged(testkey(f), at, value, cut);
            let _ = matrix_x509::key::load_rsa_private_key(&d, None);
        }
    }
}

#[cfg(all(feature = "ecc", feature = "cert-parse"))]
proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Damaged EC certificates and keys never panic; a damaged ECDSA chain that still
    /// parses authenticates only if the damage did not touch what is signed.
    #[test]
    fn damaged_ec_certificates_and_keys_never_panic(
        at in any::<usize>(),
        value in any::<u8>(),
        cut in proptest::option::of(any::<usize>()),
    ) {
        let pem = testkey("ec-p384/server.pem");
        let der = matrix_x509::CertChain::from_bytes(&pem).unwrap().certs()[0].der.clone();
        let issuer = matrix_x509::CertChain::from_bytes(&testkey("ec-p384/intermediate.pem")).unwrap();
        let d = damaged(der.clone(), at, value, cut);
        if let Ok(c) = matrix_x509::X509Cert::from_der(&d)
            && matrix_x509::verify_signature(&c, &issuer.certs()[0])
        {
            let original = matrix_x509::X509Cert::from_der(&der).unwrap();
            prop_assert_eq!(c.tbs_der(), original.tbs_der());
        }
        for f in ["ec-p256/server.der", "ec-p384/server-pkcs8.der", "ec-p256/server.key"] {
            let d = damaged(testkey(f), at, value, cut);
            let _ = matrix_x509::ec_key::load_ec_private_key(&d, None);
        }
    }
}
