//! The seed corpora only help if a recorded handshake replays against a fresh
//! deterministic session: check that it does, through the public API, for our own
//! recorded handshakes and for the seeds recorded from independent peers
//! (`corpus/*/peer-*`, written by `src/bin/gen_corpus_peers.rs`).

#![cfg(not(feature = "ecc"))]

use matrix_fuzz::peer_seed::replay_seed;
use matrix_fuzz::{
    Path, decode_context, new_client, new_client_for, new_server, new_server_for, record_handshake,
    record_handshake_for,
};
use matrix_ssl::Received;
use matrix_ssl::codec::framing::{FrameLimits, HandshakeFramer};
use matrix_ssl::codec::handshake::{HandshakeHeader, HandshakePayload};
use matrix_ssl::codec::record::RecordHeader;
use matrix_ssl::codec::{Codec, Reader};

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
fn recorded_client_flights_replay_against_a_fresh_server() {
    let t = record_handshake(b"hello").unwrap();
    let mut s = new_server().unwrap();
    let app = feed_all(&mut s, &t.client_flights.concat());
    assert!(s.is_handshake_complete());
    assert_eq!(app, b"hello");
    assert!(s.peer_closed());
}

#[test]
fn recorded_server_flights_replay_against_a_fresh_client() {
    let t = record_handshake(b"hello").unwrap();
    let mut c = new_client().unwrap();
    let hello = c.get_outdata().len();
    c.sent_data(hello).unwrap();
    let app = feed_all(&mut c, &t.server_flights.concat());
    assert!(c.is_handshake_complete());
    assert_eq!(app, b"hello", "the server's echo");
}

#[test]
fn every_advanced_path_replays_both_ways() {
    for path in Path::ALL {
        let t = record_handshake_for(path, b"hello").unwrap();
        let mut s = new_server_for(path).unwrap();
        let app = feed_all(&mut s, &t.client_flights.concat());
        assert!(s.is_handshake_complete(), "{path:?} server");
        assert_eq!(app, b"hello", "{path:?}");
        assert_eq!(
            s.cipher_suite().map(|c| c.get()),
            Some(path.suite()),
            "{path:?}"
        );
        if path == Path::ClientAuth {
            assert_eq!(
                s.peer_certificates().map(|c| c.len()),
                Some(2),
                "the client's chain"
            );
        }

        let mut c = new_client_for(path).unwrap();
        let hello = c.get_outdata().len();
        c.sent_data(hello).unwrap();
        let app = feed_all(&mut c, &t.server_flights.concat());
        assert!(c.is_handshake_complete(), "{path:?} client");
        assert_eq!(app, b"hello", "{path:?}: the server's echo");
    }
}

/// The session targets that take seeds recorded from independent peers.
const PEER_SESSION_TARGETS: [&str; 10] = [
    "server_session",
    "server_dhe",
    "server_psk",
    "server_client_auth",
    "client_session",
    "client_dhe",
    "client_psk",
    "client_client_auth",
    "server_tickets",
    "client_tickets",
];

const RERUN: &str = "rerun `cargo run --manifest-path fuzz/Cargo.toml --no-default-features \
                     --bin gen-corpus-peers` with the peers installed (see fuzz/README.md)";

/// The `peer-*` seeds of `corpus/<target>/`, by name.
fn peer_seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with("peer-")
                .then(|| (name, std::fs::read(e.path()).unwrap()))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn peer_seeds_replay_to_application_data() {
    let mut failures = Vec::new();
    let mut peers = std::collections::BTreeSet::new();
    let mut count = 0;
    for target in PEER_SESSION_TARGETS {
        let seeds = peer_seeds(target);
        assert!(!seeds.is_empty(), "{target} has no peer seeds: {RERUN}");
        for (name, seed) in seeds {
            count += 1;
            let r = replay_seed(target, &seed).expect("a session target");
            // peer-<peer>-<version>-<suite>: the replay negotiates what the name says.
            let mut parts = name.split('-').skip(1);
            let (peer, version) = (parts.next(), parts.next());
            peers.insert(peer.unwrap_or_default().to_string());
            let negotiated = match r.version {
                0x0300 => "ssl3",
                0x0301 => "tls10",
                0x0302 => "tls11",
                0x0303 => "tls12",
                _ => "?",
            };
            if !r.is_complete() || version != Some(negotiated) {
                failures.push(format!("{target}/{name}: {r:?}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "peer seeds that no longer replay to application data ({RERUN}):\n{}",
        failures.join("\n")
    );
    assert!(count >= 20, "only {count} peer seeds");
    assert_eq!(
        peers.into_iter().collect::<Vec<_>>(),
        ["gnutls", "openssl", "tlslite"]
    );
}

#[test]
fn peer_handshake_messages_decode_and_frame() {
    let messages = peer_seeds("handshake_message");
    assert!(messages.len() >= 10, "{RERUN}");
    for (name, seed) in &messages {
        let (&sel, msg) = seed.split_first().unwrap();
        let ctx = decode_context(sel);
        let mut r = Reader::new(msg);
        let header = HandshakeHeader::read(&mut r).unwrap();
        let body = r.rest();
        assert_eq!(
            usize::try_from(header.length).ok(),
            Some(body.len()),
            "{name}"
        );
        if let Err(e) = HandshakePayload::read(header.msg_type, body, &ctx) {
            panic!("{name} does not decode in {ctx:?}: {e:?} ({RERUN})");
        }
        matrix_fuzz::handshake_message(seed);
    }
    let flights = peer_seeds("handshake_framer");
    assert!(!flights.is_empty(), "{RERUN}");
    for (name, seed) in &flights {
        let framer = HandshakeFramer::new(FrameLimits::default());
        let mut it = framer.messages(&seed[2..]);
        let frames = it
            .by_ref()
            .map(|f| f.map(|f| f.msg_type))
            .collect::<Vec<_>>();
        assert!(
            frames.len() >= 2 && frames.iter().all(Result::is_ok),
            "{name}: {frames:?}"
        );
        assert!(it.remainder().is_empty(), "{name}");
        matrix_fuzz::handshake_framer(seed);
    }
    let records = peer_seeds("record_header");
    assert!(!records.is_empty(), "{RERUN}");
    for (name, seed) in &records {
        let mut r = Reader::new(seed);
        let h = RecordHeader::read(&mut r).unwrap();
        assert_eq!(usize::from(h.length), r.rest().len(), "{name}");
        matrix_fuzz::record_header(seed);
    }
}

/// The recorded DTLS seeds take a fresh harness session through a whole handshake of
/// their version: DTLS 1.2 (AES-GCM records) and DTLS 1.0.
#[test]
fn recorded_dtls_handshakes_replay_in_both_harnesses() {
    use matrix_fuzz::{DtlsReplay, record_dtls, replay_dtls_client, replay_dtls_server};
    use matrix_ssl::ProtocolVersion;
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    for (dtls10, name, version) in [
        (false, "dtls12-handshake", ProtocolVersion::DTLSv1_2),
        (true, "dtls10-handshake", ProtocolVersion::DTLSv1_0),
    ] {
        let want = Some(DtlsReplay {
            complete: true,
            version,
        });
        let (to_server, to_client) = record_dtls(dtls10, b"hello").unwrap();
        assert_eq!(replay_dtls_server(&to_server), want, "{name} recorded now");
        assert_eq!(replay_dtls_client(&to_client), want, "{name} recorded now");
        for (target, replay) in [
            (
                "dtls_server_session",
                replay_dtls_server as fn(&[u8]) -> Option<DtlsReplay>,
            ),
            ("dtls_client_session", replay_dtls_client),
        ] {
            let seed = std::fs::read(dir.join(target).join(name)).unwrap();
            assert_eq!(replay(&seed), want, "corpus/{target}/{name}");
        }
    }
}

/// The DTLS seeds recorded from peers (`openssl s_client`/`s_server -dtls1_2` and
/// `-dtls1`, `gnutls-cli`/`gnutls-serv --udp`, their cookie exchange included) take a
/// fresh harness session through a whole handshake of the version their name says.
#[test]
fn dtls_peer_seeds_replay_to_a_complete_handshake() {
    use matrix_fuzz::{replay_dtls_client, replay_dtls_server};
    use matrix_ssl::ProtocolVersion;
    let mut failures = Vec::new();
    let mut peers = std::collections::BTreeSet::new();
    for (target, replay) in [
        (
            "dtls_server_session",
            replay_dtls_server as fn(&[u8]) -> Option<matrix_fuzz::DtlsReplay>,
        ),
        ("dtls_client_session", replay_dtls_client),
    ] {
        let seeds = peer_seeds(target);
        assert!(seeds.len() >= 2, "{target} has no peer seeds: {RERUN}");
        for (name, seed) in seeds {
            let mut parts = name.split('-').skip(1);
            peers.insert(parts.next().unwrap_or_default().to_string());
            let version = match parts.next() {
                Some("dtls12") => ProtocolVersion::DTLSv1_2,
                Some("dtls10") => ProtocolVersion::DTLSv1_0,
                other => panic!("{target}/{name}: version {other:?}"),
            };
            let got = replay(&seed);
            if got
                != Some(matrix_fuzz::DtlsReplay {
                    complete: true,
                    version,
                })
            {
                failures.push(format!("{target}/{name}: {got:?}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "DTLS peer seeds that no longer replay ({RERUN}):\n{}",
        failures.join("\n")
    );
    assert_eq!(peers.into_iter().collect::<Vec<_>>(), ["gnutls", "openssl"]);
}
