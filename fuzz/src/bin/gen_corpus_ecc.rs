//! Writes the seed corpora of the ECC targets (`matrix_fuzz::ecc`) under
//! `fuzz/corpus/<target>/`: handshakes recorded between the deterministic ECDHE client and
//! server (every client selector: each suite and group list; the server with and without
//! client authentication), which replay against the harnesses' sessions, and the test
//! PKI's EC certificates, chains, keys and PKCS#12 files.
//!
//! Rerun after a change that alters the ECDHE handshake's bytes:
//! `cargo run --manifest-path fuzz/Cargo.toml --no-default-features --features ecc --bin gen-corpus-ecc`.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use matrix_fuzz::ecc::{
    CLIENT_GROUPS, CLIENT_SUITES, client_selector, record_ecdhe, server_selector,
};

/// What the recorded client sends once the handshake completes.
const APP_DATA: &[u8] = b"GET / HTTP/1.0\r\n\r\n";

fn write(root: &Path, target: &str, name: &str, data: &[u8]) -> Result<(), String> {
    let dir = root.join(target);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    std::fs::write(dir.join(name), data).map_err(|e| format!("{name}: {e}"))
}

/// The recorded ECDHE handshakes: `server_ecdhe` gets the client's flights, `client_ecdhe`
/// the server's, each after its selector byte and a chunk-size byte.
fn sessions(root: &Path) -> Result<(), String> {
    let suite_names: [&str; CLIENT_SUITES.len()] = ["all", "ecdsa-gcm", "ecdsa-cbc", "rsa-cbc"];
    let group_names: [&str; CLIENT_GROUPS.len()] = ["x25519", "p256", "p384"];
    for (suite, suite_name) in suite_names.iter().enumerate() {
        for (groups, group_name) in group_names.iter().enumerate() {
            for client_auth in [false, true] {
                let csel = client_selector(suite, groups);
                let t = record_ecdhe(csel, client_auth, APP_DATA)
                    .map_err(|e| format!("recording ECDHE selector {csel} failed: {e:?}"))?;
                let name = format!(
                    "{suite_name}-{group_name}{}",
                    if client_auth { "-client-auth" } else { "" }
                );
                let client_all = t.client_flights.concat();
                let server_all = t.server_flights.concat();
                let ssel = server_selector(client_auth);
                write(
                    root,
                    "server_ecdhe",
                    &name,
                    &[&[ssel, 0][..], &client_all].concat(),
                )?;
                write(
                    root,
                    "client_ecdhe",
                    &name,
                    &[&[csel, 0][..], &server_all].concat(),
                )?;
                // The first recording of each kind in small chunks as well.
                if groups == 0 {
                    write(
                        root,
                        "server_ecdhe",
                        &format!("{name}-chunk7"),
                        &[&[ssel, 7][..], &client_all].concat(),
                    )?;
                    write(
                        root,
                        "client_ecdhe",
                        &format!("{name}-chunk7"),
                        &[&[csel, 7][..], &server_all].concat(),
                    )?;
                }
            }
        }
    }
    Ok(())
}

/// The EC files of the test PKI: certificates and chains for `ec_x509_cert`, keys in every
/// encoding for `ec_key` (selector byte: 0 no password, 1 `matrix`, 3 PKCS#12).
fn files(root: &Path, keys: &Path) -> Result<(), String> {
    let read = |rel: &str| std::fs::read(keys.join(rel)).map_err(|e| format!("{rel}: {e}"));
    let pem_der = |data: &[u8]| -> Vec<u8> {
        matrix_x509::CertChain::from_bytes(data)
            .map(|c| c.certs().iter().flat_map(|c| c.der.clone()).collect())
            .unwrap_or_default()
    };
    for dir in ["ec-p256", "ec-p384"] {
        for f in [
            "server.pem",
            "intermediate.pem",
            "ca.pem",
            "server-chain.pem",
        ] {
            let data = read(&format!("{dir}/{f}"))?;
            let name = format!("{dir}-{}", f.trim_end_matches(".pem"));
            write(
                root,
                "ec_x509_cert",
                &format!("{name}-der"),
                &pem_der(&data),
            )?;
            if f == "server-chain.pem" {
                write(root, "ec_x509_cert", &format!("{name}-pem"), &data)?;
            }
        }
        for (f, mode) in [
            ("server.key", 0u8),
            ("server.der", 0),
            ("server-pkcs8.der", 0),
            ("server-params.key", 0),
            ("server-pkcs8-aes256.pem", 1),
            ("server-pkcs8-des3.der", 1),
            ("server-pkcs8-sha1-3des.pem", 1),
            ("server-enc-aes-128-cbc.pem", 1),
            ("server-enc-des-ede3-cbc.pem", 1),
        ] {
            let data = read(&format!("{dir}/{f}"))?;
            write(
                root,
                "ec_key",
                &format!("{dir}-{f}"),
                &[&[mode][..], &data].concat(),
            )?;
        }
        for kind in ["modern", "legacy"] {
            let data = read(&format!("pkcs12/{dir}-{kind}.p12"))?;
            write(
                root,
                "ec_key",
                &format!("{dir}-{kind}.p12"),
                &[&[3][..], &data].concat(),
            )?;
        }
    }
    for f in ["rsa-root-chain.pem", "ecdsa-root-rsa-leaf-chain.pem"] {
        let data = read(&format!("ec-mixed/{f}"))?;
        let name = format!("mixed-{}", f.trim_end_matches(".pem"));
        write(
            root,
            "ec_x509_cert",
            &format!("{name}-der"),
            &pem_der(&data),
        )?;
        write(root, "ec_x509_cert", &format!("{name}-pem"), &data)?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let keys = here.join("../testkeys");
    let root = here.join("corpus");
    match sessions(&root).and_then(|()| files(&root, &keys)) {
        Ok(()) => {
            println!("ECC seed corpora written to {}", root.display());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen-corpus-ecc: {e}");
            ExitCode::FAILURE
        }
    }
}
