//! The programs with EC material (feature `ecc`): matrix-server holding the ec-p256 chain
//! (`--cert`/`--key` with an EC key) against `openssl s_client` and matrix-client, each
//! ECDHE group forced once with `--groups`, and the message for an unknown group;
//! matrix-server holding the built-in RSA identity and the EC one of `--ec-cert`/`--ec-key`
//! at once.

mod common;

use common::{CLIENT, SERVER, T, count, fails, our_client, our_server};
use matrix_interop::{Peer, testkeys};

fn ec_server(groups: &str) -> (Peer, u16) {
    let (cert, key) = (
        testkeys("ec-p256/server-chain.pem"),
        testkeys("ec-p256/server.key"),
    );
    our_server(&[
        "--cert", &cert, "--key", &key, "--groups", groups, "--mode", "echo",
    ])
}

#[test]
fn openssl_s_client_gets_ecdhe_ecdsa_from_matrix_server_on_each_group() {
    for (ours, theirs, temp) in [
        ("X25519", "X25519:P-256", "X25519"),
        ("P-256", "P-256", "prime256v1"),
        ("P-384", "P-384:P-256", "secp384r1"),
    ] {
        let (_server, port) = ec_server(ours);
        let connect = format!("127.0.0.1:{port}");
        let ca = testkeys("ec-p256/ca.pem");
        let mut c = Peer::spawn(
            "openssl",
            &[
                "s_client", "-connect", &connect, "-CAfile", &ca, "-groups", theirs, "-ign_eof",
            ],
        );
        c.send_stdin("ping\n");
        c.wait_for("ping", T).unwrap();
        let out = c.output().join("\n");
        assert!(
            out.contains("ECDHE-ECDSA-AES256-GCM-SHA384"),
            "{ours}: {out}"
        );
        assert!(out.contains(temp), "{ours}: {out}");
        assert!(out.contains("Verify return code: 0 (ok)"), "{out}");
    }
}

#[test]
fn matrix_client_against_matrix_server_with_ec_keys() {
    let (_server, port) = ec_server("P-384,P-256");
    let ca = testkeys("ec-p256/ca.pem");
    let out = our_client(
        port,
        &[
            "--ca",
            &ca,
            "--groups",
            "secp384r1,prime256v1",
            "--mode",
            "echo",
            "--message",
            "hello",
        ],
    );
    let all = out.join("\n");
    assert!(
        count(&out, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384") > 0,
        "{all}"
    );
    assert!(count(&out, "hello") > 0, "{all}");
}

#[test]
fn unknown_groups_are_refused_with_a_message() {
    for program in [SERVER, CLIENT] {
        let (code, err) = fails(program, &["--groups", "brainpool"]);
        assert_eq!(code, Some(2), "{err}");
        assert!(err.contains("unknown group `brainpool`"), "{err}");
    }
}

/// `--ec-cert`/`--ec-key` beside the built-in RSA identity: s_client gets ECDHE_ECDSA with
/// the EC chain when it asks for it and ECDHE_RSA with the RSA chain otherwise, each chain
/// verified against its own root (and the CBC-SHA384 suites of RFC 5289 work).
#[test]
fn matrix_server_holds_an_rsa_and_an_ec_identity() {
    let chain = format!(
        "{};{}",
        testkeys("ec-p256/server.pem"),
        testkeys("ec-p256/intermediate.pem")
    );
    let key = testkeys("ec-p256/server.key");
    let (_server, port) = our_server(&[
        "--ec-cert",
        &chain,
        "--ec-key",
        &key,
        "--mode",
        "echo",
        "--count",
        "4",
    ]);
    let connect = format!("127.0.0.1:{port}");
    for (cipher, ca) in [
        ("ECDHE-ECDSA-AES128-GCM-SHA256", "ec-p256/ca.pem"),
        ("ECDHE-RSA-AES256-GCM-SHA384", "rsa2048/ca.pem"),
        ("ECDHE-ECDSA-AES256-SHA384", "ec-p256/ca.pem"),
        ("ECDHE-RSA-AES256-SHA384", "rsa2048/ca.pem"),
    ] {
        let ca = testkeys(ca);
        let mut c = Peer::spawn(
            "openssl",
            &[
                "s_client", "-connect", &connect, "-CAfile", &ca, "-tls1_2", "-cipher", cipher,
                "-ign_eof",
            ],
        );
        c.send_stdin("ping\n");
        c.wait_for("ping", T).unwrap();
        let out = c.output().join("\n");
        assert!(
            out.contains(&format!("Cipher is {cipher}")),
            "{cipher}: {out}"
        );
        assert!(
            out.contains("Verify return code: 0 (ok)"),
            "{cipher}: {out}"
        );
    }
}

#[test]
fn ec_identity_flags_are_checked() {
    let key = testkeys("ec-p256/server.key");
    let (code, err) = fails(SERVER, &["--ec-key", &key]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--ec-cert"), "{err}");
    // An RSA key is no EC identity: the message names both files.
    let rsa_key = testkeys("rsa2048/server.key");
    let rsa_cert = testkeys("rsa2048/server.pem");
    let (code, err) = fails(SERVER, &["--ec-cert", &rsa_cert, "--ec-key", &rsa_key]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("loading the EC identity"), "{err}");
}
