//! The ECC targets' seeds (feature `ecc`): every recorded ECDHE handshake replays against a
//! fresh session of its harness to a completed handshake and the application data, with
//! the suite and group the seed's selector asks for; every committed seed runs through its
//! harness without a panic.

#![cfg(feature = "ecc")]

use std::path::PathBuf;

use matrix_fuzz::ecc::{
    CLIENT_GROUPS, CLIENT_SUITES, TARGETS, client_selector, new_ecdhe_client, new_ecdhe_server,
    record_ecdhe,
};
use matrix_ssl::Received;

fn feed_all(s: &mut matrix_ssl::Session, bytes: &[u8]) -> Vec<u8> {
    let mut app = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        let buf = s.get_readbuf();
        let n = buf.len().min(rest.len());
        buf[..n].copy_from_slice(&rest[..n]);
        rest = &rest[n..];
        let mut r = s.received_data(n).unwrap();
        loop {
            match r {
                Received::AppData(d) => app.extend_from_slice(d),
                Received::Alert { .. } => {}
                _ => break,
            }
            r = s.processed_data().unwrap();
        }
        let out = s.get_outdata().len();
        if out > 0 {
            s.sent_data(out).unwrap();
        }
    }
    app
}

#[test]
fn every_ecdhe_recording_replays_both_ways() {
    for (suite, &offered) in CLIENT_SUITES.iter().enumerate() {
        for groups in 0..CLIENT_GROUPS.len() {
            for client_auth in [false, true] {
                let sel = client_selector(suite, groups);
                let what = format!("suite {suite} groups {groups} client auth {client_auth}");
                let t = record_ecdhe(sel, client_auth, b"hello").unwrap();

                let mut s = new_ecdhe_server(client_auth).unwrap();
                let app = feed_all(&mut s, &t.client_flights.concat());
                assert!(s.is_handshake_complete(), "{what}: server");
                assert_eq!(app, b"hello", "{what}");
                let negotiated = s.cipher_suite().map(|c| c.get()).unwrap();
                if offered != 0 {
                    assert_eq!(negotiated, offered, "{what}");
                }
                if client_auth {
                    assert_eq!(
                        s.peer_certificates().map(|c| c.len()),
                        Some(2),
                        "{what}: the client's EC chain"
                    );
                }

                let mut c = new_ecdhe_client(sel).unwrap();
                let hello = c.get_outdata().len();
                c.sent_data(hello).unwrap();
                let app = feed_all(&mut c, &t.server_flights.concat());
                assert!(c.is_handshake_complete(), "{what}: client");
                assert_eq!(app, b"hello", "{what}: the server's echo");
            }
        }
    }
}

#[test]
fn committed_ecc_seeds_run_through_their_harnesses() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
    for (target, harness) in TARGETS {
        let dir = corpus.join(target);
        let mut n = 0;
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{target}: {e}")) {
            let data = std::fs::read(entry.unwrap().path()).unwrap();
            harness(&data);
            n += 1;
        }
        assert!(n > 0, "{target} has no seeds");
    }
}

/// The seeds recorded from OpenSSL (`gen-corpus-peers` in the `ecc` build): each replays to
/// a completed handshake and application data.
#[test]
fn openssl_ecdhe_seeds_replay_to_application_data() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
    for target in ["server_ecdhe", "client_ecdhe"] {
        let mut n = 0;
        for entry in std::fs::read_dir(corpus.join(target)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.starts_with("peer-openssl-") {
                continue;
            }
            let seed = std::fs::read(&path).unwrap();
            let r = matrix_fuzz::peer_seed::replay_seed(target, &seed).unwrap();
            assert!(r.is_complete(), "{target}/{name}: {r:?}");
            n += 1;
        }
        assert!(n >= 5, "{target}: {n} OpenSSL seeds");
    }
}
