//! The SSL 3.0 and TLS 1.0/1.1 derivations.
//!
//! TLS: the PRF against the `openssl kdf ... TLS1-PRF` command (the test fails if the
//! `openssl` binary is missing), the "PRF Testvector" known answer, and the master secret and
//! key block against the GnuTLS-generated vectors published in Go's crypto/tls tests.
//! SSL 3.0: against the RFC 6101 formulas computed here in the plainest way from the digests
//! (no public SSL 3.0 derivation vector was found).
#![cfg(all(feature = "md5", feature = "sha1"))]

use matrix_crypto::hash::{Hash, Md5, Md5Sha1, Sha1};
use matrix_crypto::prf::{self, Sender};
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

/// `openssl kdf` TLS1-PRF (MD5-SHA1) with the seed given in parts (label first).
fn openssl_tls1_prf(secret: &[u8], seed: &[&[u8]], len: usize) -> Vec<u8> {
    let mut cmd = Command::new("openssl");
    cmd.args([
        "kdf",
        "-keylen",
        &len.to_string(),
        "-kdfopt",
        "digest:MD5-SHA1",
    ]);
    cmd.args(["-kdfopt", &format!("hexsecret:{}", to_hex(secret))]);
    for part in seed {
        cmd.args(["-kdfopt", &format!("hexseed:{}", to_hex(part))]);
    }
    cmd.arg("TLS1-PRF");
    let out = cmd
        .output()
        .expect("the openssl binary is required for this test (it is never skipped)");
    assert!(
        out.status.success(),
        "openssl kdf failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v = hex(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(v.len(), len);
    v
}

fn pattern(len: usize, mul: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(mul).wrapping_add(1))
        .collect()
}

#[cfg(feature = "hmac")]
#[test]
fn tls_prf_matches_openssl() {
    for secret_len in [1usize, 2, 15, 47, 48, 49, 64, 129] {
        for out_len in [1usize, 12, 16, 20, 36, 48, 104, 200] {
            let secret = pattern(secret_len, 13);
            let seed = pattern(40 + out_len % 7, 29);
            let mut ours = vec![0u8; out_len];
            prf::tls_prf(&secret, b"test label", &seed, &mut ours);
            assert_eq!(
                ours,
                openssl_tls1_prf(&secret, &[b"test label", &seed], out_len),
                "secret {secret_len} bytes, output {out_len} bytes"
            );
        }
    }
}

#[cfg(feature = "hmac")]
#[test]
fn tls_prf_known_vector() {
    // Secret 48 x 0xab, label "PRF Testvector", seed 64 x 0xcd: the TLS 1.0/1.1 PRF test
    // vector circulated on the IETF TLS list; also checked against OpenSSL.
    let want = hex(
        "d3d4d1e349b5d515044666d51de32bab258cb521b6b053463e354832fd976754\
         443bcf9a296519bc289abcbc1187e4ebd31e602353776c408aafb74cbc85eff6\
         9255f9788faa184cbb957a9819d84a5d7eb006eb459d3ae8de9810454b8b2d8f\
         1afbc655a8c9a013",
    );
    let mut out = [0u8; 104];
    prf::tls_prf(&[0xab; 48], b"PRF Testvector", &[0xcd; 64], &mut out);
    assert_eq!(out.to_vec(), want);
    assert_eq!(
        openssl_tls1_prf(&[0xab; 48], &[b"PRF Testvector", &[0xcd; 64]], 104),
        want
    );
}

#[cfg(feature = "hmac")]
#[test]
fn tls_prf_tolerates_empty_inputs() {
    let mut out = [0u8; 20];
    prf::tls_prf(&[], b"", &[], &mut out);
    prf::tls_prf(b"s", b"label", b"seed", &mut []);
}

/// TLS 1.0 master secrets and TLS_RSA_WITH_RC4_128_SHA key blocks generated with GnuTLS
/// (`gnutls-cli -d 9`), as published in Go's crypto/tls prf_test.go: (pre-master secret,
/// client random, server random, master secret, client MAC key, server MAC key, client key,
/// server key).
#[cfg(feature = "hmac")]
const GNUTLS_TLS10: [[&str; 8]; 3] = [
    [
        "0302cac83ad4b1db3b9ab49ad05957de2a504a634a386fc600889321e1a971f57479466830ac3e6f468e87f5385fa0c5",
        "4ae66303755184a3917fcb44880605fcc53baa01912b22ed94473fc69cebd558",
        "4ae663020ec16e6bb5130be918cfcafd4d765979a3136a5d50c593446e4e44db",
        "3d851bab6e5556e959a16bc36d66cfae32f672bfa9ecdef6096cbb1b23472df1da63dbbd9827606413221d149ed08ceb",
        "805aaa19b3d2c0a0759a4b6c9959890e08480119",
        "2d22f9fe519c075c16448305ceee209fc24ad109",
        "d50b5771244f850cd8117a9ccafe2cf1",
        "e076e33206b30507a85c32855acd0919",
    ],
    [
        "03023f7527316bc12cbcd69e4b9e8275d62c028f27e65c745cfcddc7ce01bd3570a111378b63848127f1c36e5f9e4890",
        "4ae66364b5ea56b20ce4e25555aed2d7e67f42788dd03f3fee4adae0459ab106",
        "4ae66363ab815cbf6a248b87d6b556184e945e9b97fbdf247858b0bdafacfa1c",
        "7d64be7c80c59b740200b4b9c26d0baaa1c5ae56705acbcf2307fe62beb4728c19392c83f20483801cce022c77645460",
        "97742ed60a0554ca13f04f97ee193177b971e3b0",
        "37068751700400e03a8477a5c7eec0813ab9e0dc",
        "207cddbc600d2a200abac6502053ee5c",
        "df3f94f6e1eacc753b815fe16055cd43",
    ],
    [
        "832d515f1d61eebb2be56ba0ef79879efb9b527504abb386fb4310ed5d0e3b1f220d3bb6b455033a2773e6d8bdf951d278a187482b400d45deb88a5d5a6bb7d6a7a1decc04eb9ef0642876cd4a82d374d3b6ff35f0351dc5d411104de431375355addc39bfb1f6329fb163b0bc298d658338930d07d313cd980a7e3d9196cac1",
        "4ae663b2ee389c0de147c509d8f18f5052afc4aaf9699efe8cb05ece883d3a5e",
        "4ae664d503fd4cff50cfc1fb8fc606580f87b0fcdac9554ba0e01d785bdf278e",
        "1aff2e7a2c4279d0126f57a65a77a8d9d0087cf2733366699bec27eb53d5740705a8574bb1acc2abbe90e44f0dd28d6c",
        "3c7647c93c1379a31a609542aa44e7f117a70085",
        "0d73102994be74a575a3ead8532590ca32a526d4",
        "ac7581b0b6c10d85bbd905ffbf36c65e",
        "ff07edde49682b45466bd2e39464b306",
    ],
];

#[cfg(feature = "hmac")]
fn random(s: &str) -> [u8; 32] {
    hex(s).try_into().expect("32-byte random")
}

#[cfg(feature = "hmac")]
#[test]
fn tls_master_secret_and_key_block_match_gnutls() {
    for v in GNUTLS_TLS10 {
        let (cr, sr) = (random(v[1]), random(v[2]));
        let ms = prf::tls_master_secret(&hex(v[0]), &cr, &sr);
        assert_eq!(ms.to_vec(), hex(v[3]));
        let kb = prf::tls_key_block(&ms, &cr, &sr, 72);
        let want = [hex(v[4]), hex(v[5]), hex(v[6]), hex(v[7])].concat();
        assert_eq!(kb.to_vec(), want);
    }
}

#[cfg(feature = "hmac")]
#[test]
fn tls_derivations_match_openssl() {
    let pre = pattern(48, 7);
    let cr: [u8; 32] = pattern(32, 3).try_into().unwrap();
    let sr: [u8; 32] = pattern(32, 5).try_into().unwrap();
    let ms = prf::tls_master_secret(&pre, &cr, &sr);
    assert_eq!(
        ms.to_vec(),
        openssl_tls1_prf(&pre, &[b"master secret", &cr, &sr], 48)
    );
    let kb = prf::tls_key_block(&ms, &cr, &sr, 104);
    assert_eq!(
        kb.to_vec(),
        openssl_tls1_prf(&ms[..], &[b"key expansion", &sr, &cr], 104)
    );

    let mut hs = Md5Sha1::new();
    hs.update(b"ClientHello...ServerHello...Certificate...ServerHelloDone...ClientKeyExchange");
    let digest = [
        Md5::digest(
            b"ClientHello...ServerHello...Certificate...ServerHelloDone...ClientKeyExchange",
        )
        .to_vec(),
        Sha1::digest(
            b"ClientHello...ServerHello...Certificate...ServerHelloDone...ClientKeyExchange",
        )
        .to_vec(),
    ]
    .concat();
    for (sender, label) in [
        (Sender::Client, &b"client finished"[..]),
        (Sender::Server, b"server finished"),
    ] {
        let fin = prf::tls_finished(&ms, sender, &hs);
        assert_eq!(
            fin.to_vec(),
            openssl_tls1_prf(&ms[..], &[label, &digest], 12)
        );
    }
    // The running hash is not consumed: hashing can go on after a Finished computation.
    assert_eq!(prf::tls_certificate_verify_hash(&hs).to_vec(), digest);
    hs.update(b"Finished");
    assert_ne!(prf::tls_certificate_verify_hash(&hs).to_vec(), digest);
}

/// RFC 6101 6.1 / 6.2.2 done with one buffer per hash call.
fn ssl3_expand_reference(secret: &[u8], r1: &[u8], r2: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0u8;
    while out.len() < len {
        let salt = vec![b'A' + i; usize::from(i) + 1];
        let sha = Sha1::digest(&[&salt[..], secret, r1, r2].concat());
        out.extend_from_slice(&Md5::digest(&[secret, &sha[..]].concat()));
        i += 1;
    }
    out.truncate(len);
    out
}

/// RFC 6101 5.6.9 (and 5.6.8 with an empty sender) done with one buffer per hash call.
fn ssl3_handshake_reference(messages: &[u8], sender: &[u8], master: &[u8]) -> Vec<u8> {
    let md5_inner = Md5::digest(&[messages, sender, master, &[0x36; 48]].concat());
    let md5 = Md5::digest(&[master, &[0x5c; 48], &md5_inner[..]].concat());
    let sha_inner = Sha1::digest(&[messages, sender, master, &[0x36; 40]].concat());
    let sha = Sha1::digest(&[master, &[0x5c; 40], &sha_inner[..]].concat());
    [&md5[..], &sha[..]].concat()
}

#[test]
fn ssl3_derivations_match_rfc6101_formulas() {
    for pre_len in [48usize, 1, 20, 128] {
        let pre = pattern(pre_len, 11);
        let cr: [u8; 32] = pattern(32, 17).try_into().unwrap();
        let sr: [u8; 32] = pattern(32, 19).try_into().unwrap();
        let ms = prf::ssl3_master_secret(&pre, &cr, &sr);
        assert_eq!(ms.to_vec(), ssl3_expand_reference(&pre, &cr, &sr, 48));
        for len in [0usize, 1, 16, 72, 104, 136, 416] {
            let kb = prf::ssl3_key_block(&ms, &cr, &sr, len).unwrap();
            assert_eq!(kb.to_vec(), ssl3_expand_reference(&ms[..], &sr, &cr, len));
        }
        assert_eq!(
            prf::ssl3_key_block(&ms, &cr, &sr, prf::SSL3_MAX_KEY_BLOCK_LEN + 1).err(),
            Some(matrix_crypto::Error::LimitFail)
        );

        let messages = pattern(300 + pre_len, 23);
        let mut hs = Md5Sha1::new();
        hs.update(&messages);
        assert_eq!(
            prf::ssl3_finished(&ms, Sender::Client, &hs).to_vec(),
            ssl3_handshake_reference(&messages, &[0x43, 0x4C, 0x4E, 0x54], &ms[..])
        );
        assert_eq!(
            prf::ssl3_finished(&ms, Sender::Server, &hs).to_vec(),
            ssl3_handshake_reference(&messages, &[0x53, 0x52, 0x56, 0x52], &ms[..])
        );
        assert_eq!(
            prf::ssl3_certificate_verify_hash(&ms, &hs).to_vec(),
            ssl3_handshake_reference(&messages, &[], &ms[..])
        );
    }
}

#[test]
fn sender_constants() {
    assert_eq!(
        u32::from_be_bytes(*Sender::Client.ssl3_sender()),
        0x434C_4E54
    );
    assert_eq!(
        u32::from_be_bytes(*Sender::Server.ssl3_sender()),
        0x5352_5652
    );
    assert_eq!(Sender::Client.tls_label(), b"client finished");
    assert_eq!(Sender::Server.tls_label(), b"server finished");
}
