//! The ECC targets' seeds (feature `ecc`): every recorded ECDHE handshake replays against a
//! fresh session of its harness to a completed handshake and the application data, with
//! the suite and group the seed's selector asks for; every committed seed runs through its
//! harness without a panic.

#![cfg(feature = "ecc")]

use std::path::PathBuf;

use matrix_fuzz::ecc::{
    CLIENT_GROUPS, CLIENT_SUITES, TARGETS, client_selector, record_ecdhe, server_selector,
};
use matrix_fuzz::peer_seed::replay_seed;

#[test]
fn every_ecdhe_recording_replays_both_ways() {
    for (suite, &offered) in CLIENT_SUITES.iter().enumerate() {
        for groups in 0..CLIENT_GROUPS.len() {
            for client_auth in [false, true] {
                let sel = client_selector(suite, groups);
                let what = format!("suite {suite} groups {groups} client auth {client_auth}");
                let t = record_ecdhe(sel, client_auth, b"hello").unwrap();
                // As the seeds hold them: selector, mode (all at once), the peer's bytes.
                let to_server = [
                    &[server_selector(client_auth), 0][..],
                    &t.client_flights.concat(),
                ]
                .concat();
                let to_client = [&[sel, 0][..], &t.server_flights.concat()].concat();
                for (target, seed, app) in [
                    ("server_ecdhe", to_server, &b"hello"[..]),
                    ("client_ecdhe", to_client, &b"hello"[..]),
                ] {
                    let r = replay_seed(target, &seed).unwrap();
                    assert!(r.is_complete(), "{what}: {target}: {r:?}");
                    assert_eq!(r.app_data, app, "{what}: {target}");
                    if offered != 0 {
                        assert_eq!(r.suite, Some(offered), "{what}: {target}");
                    }
                }
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

/// The seeds recorded from OpenSSL and GnuTLS (`gen-corpus-peers` in the `ecc` build):
/// each replays to a completed handshake and application data, at the version its name
/// (`peer-<peer>-<version>-...`) says.
#[test]
fn peer_ecdhe_seeds_replay_to_application_data() {
    let corpus = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus");
    for target in ["server_ecdhe", "client_ecdhe"] {
        let mut by_peer = std::collections::BTreeMap::new();
        for entry in std::fs::read_dir(corpus.join(target)).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.starts_with("peer-") {
                continue;
            }
            let mut parts = name.split('-').skip(1);
            let (peer, version) = (parts.next().unwrap(), parts.next());
            let seed = std::fs::read(&path).unwrap();
            let r = replay_seed(target, &seed).unwrap();
            assert!(r.is_complete(), "{target}/{name}: {r:?}");
            let negotiated = match r.version {
                0x0301 => "tls10",
                0x0302 => "tls11",
                0x0303 => "tls12",
                _ => "?",
            };
            assert_eq!(version, Some(negotiated), "{target}/{name}");
            *by_peer.entry(peer.to_string()).or_insert(0) += 1;
        }
        assert!(
            by_peer.get("openssl").is_some_and(|&n| n >= 5)
                && by_peer.get("gnutls").is_some_and(|&n| n >= 4),
            "{target}: {by_peer:?}"
        );
    }
}
