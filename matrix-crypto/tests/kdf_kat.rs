//! Password KDFs: EVP_BytesToKey(MD5) against `openssl enc -P` (the test fails if the
//! `openssl` binary is missing), PBKDF2 against RFC 6070 and published PBKDF2-SHA256 vectors,
//! and the PKCS#12 KDF against OpenSSL's known vectors and `openssl kdf ... PKCS12KDF`.

use matrix_crypto::alg::HashAlgorithm;
use matrix_crypto::kdf::{self, Pkcs12KeyId};
use std::process::Command;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    assert!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digit"))
        .collect()
}

fn to_hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn openssl(args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("the openssl binary is required for this test (it is never skipped)");
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("ASCII output")
}

/// `openssl enc -P` prints `salt=`, `key=` and `iv =` lines; returns key || iv.
#[cfg(feature = "md5")]
fn openssl_bytes_to_key(cipher: &str, password: &str, salt: &[u8]) -> Vec<u8> {
    let text = openssl(&[
        "enc",
        cipher,
        "-P",
        "-md",
        "md5",
        "-S",
        &to_hex(salt),
        "-pass",
        &format!("pass:{password}"),
    ]);
    let field = |name: &str| {
        text.lines()
            .find_map(|l| {
                let (k, v) = l.split_once('=')?;
                (k.trim() == name).then(|| hex(v.trim()))
            })
            .unwrap_or_else(|| panic!("no {name} in {text}"))
    };
    [field("key"), field("iv")].concat()
}

#[cfg(feature = "md5")]
#[test]
fn pbkdf1_md5_matches_openssl_enc() {
    let cases = [
        ("-aes-128-cbc", 32usize, "secret", hex("0102030405060708")),
        (
            "-aes-256-cbc",
            48,
            "a much longer pass phrase, longer than one MD5 block of 64 bytes",
            hex("a0b1c2d3e4f50617"),
        ),
        ("-des-ede3-cbc", 32, "x", hex("ffffffffffffffff")),
        ("-aes-192-cbc", 40, "password", hex("0000000000000000")),
    ];
    for (cipher, len, password, salt) in cases {
        let mut ours = vec![0u8; len];
        kdf::pbkdf1_md5(password.as_bytes(), &salt, &mut ours);
        assert_eq!(
            ours,
            openssl_bytes_to_key(cipher, password, &salt),
            "{cipher} {password}"
        );
    }
}

#[cfg(feature = "md5")]
#[test]
fn pbkdf1_md5_first_block_is_md5_of_password_and_salt() {
    use matrix_crypto::hash::{Hash, Md5};
    let mut out = [0u8; 40];
    kdf::pbkdf1_md5(b"pw", b"saltsalt", &mut out);
    let d1 = Md5::digest(b"pwsaltsalt");
    let d2 = Md5::digest(&[&d1[..], b"pwsaltsalt"].concat());
    let d3 = Md5::digest(&[&d2[..], b"pwsaltsalt"].concat());
    assert_eq!(out.to_vec(), [&d1[..], &d2[..], &d3[..8]].concat());
}

#[cfg(all(feature = "hmac", feature = "sha1"))]
#[test]
fn pbkdf2_sha1_rfc6070() {
    let cases: [(&[u8], &[u8], u32, &str); 5] = [
        (
            b"password",
            b"salt",
            1,
            "0c60c80f961f0e71f3a9b524af6012062fe037a6",
        ),
        (
            b"password",
            b"salt",
            2,
            "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957",
        ),
        (
            b"password",
            b"salt",
            4096,
            "4b007901b765489abead49d926f721d065a429c1",
        ),
        (
            b"passwordPASSWORDpassword",
            b"saltSALTsaltSALTsaltSALTsaltSALTsalt",
            4096,
            "3d2eec4fe41c849b80c8d83662c0e44a8b291a964cf2f07038",
        ),
        (
            b"pass\0word",
            b"sa\0lt",
            4096,
            "56fa6aa75548099dcc37d7f03425e0c3",
        ),
    ];
    // (RFC 6070's 16777216-iteration case is in Wycheproof's file, run by kdf_wycheproof.)
    for (p, s, c, dk) in cases {
        let want = hex(dk);
        let mut out = vec![0u8; want.len()];
        kdf::pbkdf2(HashAlgorithm::Sha1, p, s, c, &mut out).unwrap();
        assert_eq!(out, want);
    }
}

#[cfg(feature = "hmac")]
#[test]
fn pbkdf2_sha256_vectors() {
    let cases: [(&[u8], &[u8], u32, &str); 5] = [
        (
            b"password",
            b"salt",
            1,
            "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b",
        ),
        (
            b"password",
            b"salt",
            2,
            "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43",
        ),
        (
            b"password",
            b"salt",
            4096,
            "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a",
        ),
        // RFC 7914 section 11.
        (
            b"passwd",
            b"salt",
            1,
            "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783",
        ),
        (
            b"Password",
            b"NaCl",
            80000,
            "4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56a1d425a1225833549adb841b51c9b3176a272bdebba1d078478f62b397f33c8d",
        ),
    ];
    for (p, s, c, dk) in cases {
        let want = hex(dk);
        let mut out = vec![0u8; want.len()];
        kdf::pbkdf2(HashAlgorithm::Sha256, p, s, c, &mut out).unwrap();
        assert_eq!(out, want);
    }
}

#[cfg(feature = "hmac")]
#[test]
fn pbkdf2_matches_openssl_for_every_compiled_hash() {
    for (alg, name) in [
        (HashAlgorithm::Sha1, "SHA1"),
        (HashAlgorithm::Sha256, "SHA256"),
        (HashAlgorithm::Sha384, "SHA384"),
        (HashAlgorithm::Sha512, "SHA512"),
    ] {
        if !matrix_crypto::hash::HashContext::is_supported(alg) {
            continue;
        }
        let mut ours = [0u8; 77];
        kdf::pbkdf2(alg, b"pass phrase", b"NaCl-salt", 3, &mut ours).unwrap();
        let theirs = openssl(&[
            "kdf",
            "-keylen",
            "77",
            "-kdfopt",
            &format!("digest:{name}"),
            "-kdfopt",
            "pass:pass phrase",
            "-kdfopt",
            "salt:NaCl-salt",
            "-kdfopt",
            "iter:3",
            "PBKDF2",
        ]);
        assert_eq!(ours.to_vec(), hex(&theirs), "{name}");
    }
}

#[cfg(feature = "hmac")]
#[test]
fn pbkdf2_rejects_bad_arguments() {
    use matrix_crypto::Error;
    let mut out = [0u8; 16];
    assert_eq!(
        kdf::pbkdf2(HashAlgorithm::Sha256, b"p", b"s", 0, &mut out),
        Err(Error::ArgFail)
    );
    assert_eq!(
        kdf::pbkdf2(HashAlgorithm::Sha256, b"p", b"s", 1, &mut []),
        Err(Error::ArgFail)
    );
    assert_eq!(
        kdf::pbkdf2(HashAlgorithm::Md5, b"p", b"s", 1, &mut out),
        Err(Error::UnsupportedFail)
    );
    assert_eq!(
        kdf::pbkdf2(HashAlgorithm::Md5Sha1, b"p", b"s", 1, &mut out),
        Err(Error::UnsupportedFail)
    );
}

#[test]
fn pkcs12_password_is_bmp_with_terminator() {
    assert_eq!(
        kdf::pkcs12_password("smeg").to_vec(),
        hex("0073006d006500670000")
    );
    assert_eq!(kdf::pkcs12_password("").to_vec(), vec![0, 0]);
    assert_eq!(kdf::pkcs12_password("é€").to_vec(), hex("00e920ac0000"));
}

#[cfg(feature = "sha1")]
#[test]
fn pkcs12_kdf_sha1_known_vectors() {
    // The PKCS#12 KDF vectors of OpenSSL's test suite (password, salt, id, iterations, out).
    let cases = [
        (
            "smeg",
            "0a58cf64530d823f",
            Pkcs12KeyId::Key,
            1,
            "8aaae6297b6cb04642ab5b077851284eb7128f1a2a7fbca3",
        ),
        (
            "smeg",
            "0a58cf64530d823f",
            Pkcs12KeyId::Iv,
            1,
            "79993dfe048d3b76",
        ),
        (
            "queeg",
            "05dec959acff72f7",
            Pkcs12KeyId::Key,
            1000,
            "ed2034e36328830ff09df1e1a07dd357185dac0d4f9eb3d4",
        ),
        (
            "queeg",
            "05dec959acff72f7",
            Pkcs12KeyId::Iv,
            1000,
            "11dedad7758d4860",
        ),
    ];
    for (pw, salt, id, iter, want) in cases {
        let want = hex(want);
        let mut out = vec![0u8; want.len()];
        let pass = kdf::pkcs12_password(pw);
        kdf::pkcs12_kdf(HashAlgorithm::Sha1, &pass, &hex(salt), id, iter, &mut out).unwrap();
        assert_eq!(out, want, "{pw} {id:?}");
    }
}

#[test]
fn pkcs12_kdf_matches_openssl() {
    let passwords = [
        "smeg",
        "",
        "a password long enough to fill more than one sixty-four byte block",
    ];
    let salts = [
        hex("0a58cf64530d823f"),
        (0u8..20).collect::<Vec<u8>>(),
        (0u8..129).collect(),
    ];
    for (alg, name) in [
        (HashAlgorithm::Sha1, "SHA1"),
        (HashAlgorithm::Sha256, "SHA256"),
        (HashAlgorithm::Sha512, "SHA512"),
        (HashAlgorithm::Md5, "MD5"),
    ] {
        if !matrix_crypto::hash::HashContext::is_supported(alg) {
            continue;
        }
        for (i, pw) in passwords.iter().enumerate() {
            let salt = &salts[i];
            for (id, out_len, iter) in [
                (Pkcs12KeyId::Key, 100usize, 3u32),
                (Pkcs12KeyId::Iv, 16, 1),
                (Pkcs12KeyId::Mac, 20, 2048),
            ] {
                let pass = kdf::pkcs12_password(pw);
                let mut ours = vec![0u8; out_len];
                kdf::pkcs12_kdf(alg, &pass, salt, id, iter, &mut ours).unwrap();
                let theirs = openssl(&[
                    "kdf",
                    "-keylen",
                    &out_len.to_string(),
                    "-kdfopt",
                    &format!("digest:{name}"),
                    "-kdfopt",
                    &format!("hexpass:{}", to_hex(&pass)),
                    "-kdfopt",
                    &format!("hexsalt:{}", to_hex(salt)),
                    "-kdfopt",
                    &format!("iter:{iter}"),
                    "-kdfopt",
                    &format!("id:{}", id as u8),
                    "PKCS12KDF",
                ]);
                assert_eq!(ours, hex(&theirs), "{name} {pw:?} {id:?}");
            }
        }
    }
}

#[test]
fn pkcs12_kdf_rejects_bad_arguments() {
    use matrix_crypto::Error;
    let mut out = [0u8; 8];
    assert_eq!(
        kdf::pkcs12_kdf(
            HashAlgorithm::Sha256,
            b"\0\0",
            b"s",
            Pkcs12KeyId::Key,
            0,
            &mut out
        ),
        Err(Error::ArgFail)
    );
    assert_eq!(
        kdf::pkcs12_kdf(
            HashAlgorithm::Md5Sha1,
            b"\0\0",
            b"s",
            Pkcs12KeyId::Key,
            1,
            &mut out
        ),
        Err(Error::UnsupportedFail)
    );
    // An empty salt and password are allowed (I is then empty).
    kdf::pkcs12_kdf(
        HashAlgorithm::Sha256,
        b"",
        b"",
        Pkcs12KeyId::Key,
        1,
        &mut [0u8; 70],
    )
    .unwrap();
}
