//! The alert-conformance table (issue 13, items 1 to 3 and 5), in memory through the
//! public buffer API:
//!
//! - every class of malformed ClientHello x record version x client_version -> the alert
//!   the server sends: the table follows the hello's client_version, not the record's
//!   version (decode_error for a TLS hello, illegal_parameter for an SSL 3.0 one,
//!   protocol_version for a version below ours);
//! - the well-formed hello x the same versions -> the version the server answers with
//!   (RFC 2246/4346 appendix E.1: a higher client_version gets our highest);
//! - each extension's malformed forms -> the alert, for the server reading a ClientHello
//!   and for the client reading a ServerHello.
// The shared in-memory pair (`support`) needs `std` and both roles.
#![cfg(all(
    feature = "std",
    feature = "client-side-ssl",
    feature = "server-side-ssl"
))]

mod support;

use matrix_ssl::{AlertDescription, HelloExtensions, Session};
use support::*;

use AlertDescription as A;

const SSL3: u16 = 0x0300;
const TLS10: u16 = 0x0301;
const TLS11: u16 = 0x0302;
const TLS12: u16 = 0x0303;

/// The record versions a first flight may carry.
const RECORD_VERSIONS: [u16; 4] = [SSL3, TLS10, TLS11, TLS12];
/// The client_versions the table covers: ours, above ours (TLS 1.2 and majors above 3),
/// and below ours.
const CLIENT_VERSIONS: [u16; 9] = [
    SSL3, TLS10, TLS11, TLS12, 0x0401, 0x0603, 0xfefe, 0x0000, 0x0200,
];

fn record(ct: u8, version: u16, body: &[u8]) -> Vec<u8> {
    let mut r = vec![ct];
    r.extend_from_slice(&version.to_be_bytes());
    r.extend_from_slice(&(body.len() as u16).to_be_bytes());
    r.extend_from_slice(body);
    r
}

fn handshake_msg(msg_type: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![msg_type];
    m.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    m.extend_from_slice(body);
    m
}

/// One extension: type, 2-byte length, data.
fn ext(t: u16, data: &[u8]) -> Vec<u8> {
    let mut e = t.to_be_bytes().to_vec();
    e.extend_from_slice(&(data.len() as u16).to_be_bytes());
    e.extend_from_slice(data);
    e
}

/// An extensions block holding `exts`.
fn ext_block(exts: &[Vec<u8>]) -> Vec<u8> {
    let all: Vec<u8> = exts.concat();
    let mut b = (all.len() as u16).to_be_bytes().to_vec();
    b.extend_from_slice(&all);
    b
}

/// server_name's ClientHello data for one host_name.
fn sni_list(host: &[u8]) -> Vec<u8> {
    let mut entry = vec![0];
    entry.extend_from_slice(&(host.len() as u16).to_be_bytes());
    entry.extend_from_slice(host);
    let mut list = (entry.len() as u16).to_be_bytes().to_vec();
    list.extend_from_slice(&entry);
    list
}

/// The fields of a ClientHello body, each as raw bytes so that a test can break any.
#[derive(Clone)]
struct Hello {
    version: u16,
    session_id: Vec<u8>,
    /// The length-prefixed suites, prefix included.
    suites: Vec<u8>,
    /// The length-prefixed compression methods, prefix included.
    compression: Vec<u8>,
    /// The extensions block, prefix included (empty: no block).
    extensions: Vec<u8>,
    /// Bytes after everything.
    trailing: Vec<u8>,
}

impl Hello {
    fn new(version: u16) -> Self {
        Hello {
            version,
            session_id: vec![],
            // TLS_RSA_WITH_AES_128_CBC_SHA and the renegotiation SCSV.
            suites: vec![0, 4, 0x00, 0x2f, 0x00, 0xff],
            compression: vec![1, 0],
            extensions: ext_block(&[ext(0x1234, b"unknown, ignored")]),
            trailing: vec![],
        }
    }

    fn with_extensions(mut self, exts: &[Vec<u8>]) -> Self {
        self.extensions = ext_block(exts);
        self
    }

    fn body(&self) -> Vec<u8> {
        let mut b = self.version.to_be_bytes().to_vec();
        b.extend_from_slice(&[0x42; 32]);
        b.push(self.session_id.len() as u8);
        b.extend_from_slice(&self.session_id);
        b.extend_from_slice(&self.suites);
        b.extend_from_slice(&self.compression);
        b.extend_from_slice(&self.extensions);
        b.extend_from_slice(&self.trailing);
        b
    }

    /// The hello as one handshake record of version `record_version`.
    fn record(&self, record_version: u16) -> Vec<u8> {
        record(22, record_version, &handshake_msg(1, &self.body()))
    }
}

/// A malformed-hello class: its name and how it breaks the well-formed hello's record.
struct Class {
    name: &'static str,
    make: fn(u16, u16) -> Vec<u8>,
}

/// The classes of the conformance suite's failures, each a decoding failure.
fn classes() -> Vec<Class> {
    vec![
        Class {
            name: "truncated in the cipher suites",
            make: |rv, cv| {
                let body = Hello::new(cv).body();
                record(22, rv, &handshake_msg(1, &body[..2 + 32 + 1 + 3]))
            },
        },
        Class {
            name: "truncated after the random",
            make: |rv, cv| {
                let body = Hello::new(cv).body();
                record(22, rv, &handshake_msg(1, &body[..2 + 32]))
            },
        },
        Class {
            name: "padded with a trailing byte after the extensions",
            make: |rv, cv| {
                let mut h = Hello::new(cv);
                h.trailing = vec![0];
                h.record(rv)
            },
        },
        Class {
            name: "one byte after the compression methods (no extensions)",
            make: |rv, cv| {
                let mut h = Hello::new(cv);
                h.extensions = vec![];
                h.trailing = vec![0];
                h.record(rv)
            },
        },
        Class {
            name: "suites length disagrees (overruns into the rest)",
            make: |rv, cv| {
                let mut h = Hello::new(cv);
                h.suites[1] = 200;
                h.record(rv)
            },
        },
        Class {
            name: "odd suites length",
            make: |rv, cv| {
                let mut h = Hello::new(cv);
                h.suites = vec![0, 3, 0x00, 0x2f, 0x00];
                h.record(rv)
            },
        },
        Class {
            name: "empty compression methods",
            make: |rv, cv| {
                let mut h = Hello::new(cv);
                h.compression = vec![0];
                h.record(rv)
            },
        },
        Class {
            name: "33-byte session id",
            make: |rv, cv| {
                let mut h = Hello::new(cv);
                h.session_id = vec![7; 33];
                h.record(rv)
            },
        },
        Class {
            name: "extensions block overruns the message",
            make: |rv, cv| {
                let mut h = Hello::new(cv);
                h.extensions[1] += 5;
                h.record(rv)
            },
        },
        Class {
            name: "extension data overruns the block",
            make: |rv, cv| {
                let mut h = Hello::new(cv);
                // The extension's own length, 4 more than there is.
                h.extensions[5] += 4;
                h.record(rv)
            },
        },
        Class {
            name: "handshake header shorter than the body it heads",
            make: |rv, cv| {
                let body = Hello::new(cv).body();
                let mut msg = handshake_msg(1, &body);
                // Announce 3 bytes less: the hello ends early (mid-extensions) and the
                // rest is a message of its own that never completes.
                let len = (body.len() - 3) as u32;
                msg[1..4].copy_from_slice(&len.to_be_bytes()[1..]);
                record(22, rv, &msg)
            },
        },
    ]
}

fn server() -> Session {
    ctx().new_server_session(server_keys(), None).unwrap()
}

/// What the server answered to `bytes`.
#[derive(Debug, PartialEq, Eq)]
enum Answer {
    /// A ServerHello of this version.
    ServerHello(u16),
    /// A fatal alert, in a record of this version.
    Alert(A, u16),
    /// Nothing (it waits for more).
    Nothing,
}

fn answer(s: &mut Session, mut bytes: &[u8]) -> Answer {
    let mut evs = Vec::new();
    // Feed as a socket would, a read buffer at a time, and stop at the first answer: after
    // a fatal alert the session reads nothing more (its read buffer may be smaller than
    // the whole flight, so the rest of an oversized hello can still be unread then).
    while !bytes.is_empty() {
        let buf = s.get_readbuf();
        assert!(!buf.is_empty(), "empty read buffer");
        let n = buf.len().min(bytes.len());
        buf[..n].copy_from_slice(&bytes[..n]);
        bytes = &bytes[n..];
        let ev = to_ev(s.received_data(n).expect("received_data failed"));
        if ev == Ev::RequestSend {
            break;
        }
        drain(s, ev, &mut evs);
    }
    let out = take_out(s, usize::MAX, &mut evs);
    answer_of(&out)
}

fn answer_of(out: &[u8]) -> Answer {
    match out {
        [] => Answer::Nothing,
        [21, v1, v2, 0, 2, 2, d] => Answer::Alert(A::from(*d), u16::from_be_bytes([*v1, *v2])),
        [22, _, _, _, _, 2, _, _, _, v1, v2, ..] => {
            Answer::ServerHello(u16::from_be_bytes([*v1, *v2]))
        }
        other => panic!("unexpected output {:02x?}", &other[..other.len().min(16)]),
    }
}

/// The alert the RFCs ask for, for a decoding failure of a hello naming `cv`.
fn decode_alert_for(cv: u16) -> A {
    match cv {
        SSL3 => A::IllegalParameter,
        v if v < SSL3 => A::ProtocolVersion,
        _ => A::DecodeError,
    }
}

#[test]
fn malformed_hello_class_x_record_version_x_client_version() {
    let mut rows = 0;
    let mut wrong = Vec::new();
    for class in classes() {
        for rv in RECORD_VERSIONS {
            for cv in CLIENT_VERSIONS {
                let want = decode_alert_for(cv);
                let got = answer(&mut server(), &(class.make)(rv, cv));
                rows += 1;
                match got {
                    Answer::Alert(a, _) if a == want => {}
                    other => wrong.push(format!(
                        "{}: record {rv:#06x}, client_version {cv:#06x}: want {want:?}, got {other:?}",
                        class.name
                    )),
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {rows} rows wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert_eq!(rows, 11 * 4 * 9);
}

#[test]
fn well_formed_hello_x_record_version_x_client_version() {
    let ours = *ctx().versions().last().unwrap();
    for rv in RECORD_VERSIONS {
        for cv in CLIENT_VERSIONS {
            let got = answer(&mut server(), &Hello::new(cv).record(rv));
            let want = if cv < SSL3 {
                Answer::Alert(A::ProtocolVersion, rv.min(ours.get()))
            } else {
                // Version tolerance: the highest version not above the client's.
                Answer::ServerHello(cv.min(ours.get()))
            };
            assert_eq!(got, want, "record {rv:#06x}, client_version {cv:#06x}");
        }
    }
}

#[test]
fn fallback_scsv_with_higher_client_versions() {
    // RFC 7507: the SCSV only matters below our best; {4,1} is above it.
    let ours = ctx().versions().last().unwrap().get();
    for cv in [TLS11, TLS12, 0x0401, 0xfefe] {
        let mut h = Hello::new(cv);
        h.suites = vec![0, 6, 0x00, 0x2f, 0x00, 0xff, 0x56, 0x00];
        let got = answer(&mut server(), &h.record(TLS10));
        if cv < ours {
            // Below our best with the SCSV: a downgrade (TLS 1.1 when we have TLS 1.2).
            assert!(
                matches!(got, Answer::Alert(A::InappropriateFallback, _)),
                "{cv:#06x}: {got:?}"
            );
        } else {
            assert_eq!(got, Answer::ServerHello(ours), "{cv:#06x}");
        }
    }
    let mut h = Hello::new(TLS10);
    h.suites = vec![0, 6, 0x00, 0x2f, 0x00, 0xff, 0x56, 0x00];
    assert!(matches!(
        answer(&mut server(), &h.record(SSL3)),
        Answer::Alert(A::InappropriateFallback, _)
    ));
}

/// An extension's malformed forms, each with the alert a TLS peer must send.
fn client_hello_extension_cases() -> Vec<(&'static str, Vec<Vec<u8>>, A)> {
    let dup_unknown = vec![ext(0x1234, b""), ext(0x1234, b"x")];
    vec![
        // RFC 6066 section 3: server_name_list<1..2^16-1>.
        (
            "server_name with an empty body",
            vec![ext(0, b"")],
            A::DecodeError,
        ),
        (
            "server_name with an empty list",
            vec![ext(0, &[0, 0])],
            A::DecodeError,
        ),
        (
            "server_name list overruns",
            vec![ext(0, &[0, 9, 0, 0, 1, b'a'])],
            A::DecodeError,
        ),
        (
            "server_name list short of the data",
            vec![ext(0, &[0, 1, 0, 0, 1, b'a'])],
            A::DecodeError,
        ),
        (
            "server_name with an empty host_name",
            vec![ext(0, &[0, 3, 0, 0, 0])],
            A::DecodeError,
        ),
        (
            "server_name host_name overruns",
            vec![ext(0, &[0, 4, 0, 0, 9, b'a'])],
            A::DecodeError,
        ),
        (
            "server_name with trailing data",
            vec![ext(0, &[sni_list(b"a.example"), vec![0]].concat())],
            A::DecodeError,
        ),
        (
            "server_name with two host_names",
            vec![ext(0, &[0, 8, 0, 0, 1, b'a', 0, 0, 1, b'b'])],
            A::IllegalParameter,
        ),
        // RFC 7627 section 5.1, RFC 7366 section 2: empty extension_data.
        (
            "extended_master_secret not empty",
            vec![ext(23, &[0])],
            A::DecodeError,
        ),
        (
            "encrypt_then_mac not empty",
            vec![ext(22, &[0, 0])],
            A::DecodeError,
        ),
        // RFC 5746 section 3.2: renegotiated_connection<0..255>.
        (
            "renegotiation_info with an empty body",
            vec![ext(0xff01, b"")],
            A::DecodeError,
        ),
        (
            "renegotiation_info overruns",
            vec![ext(0xff01, &[2, 0])],
            A::DecodeError,
        ),
        (
            "renegotiation_info with trailing data",
            vec![ext(0xff01, &[0, 0])],
            A::DecodeError,
        ),
        // RFC 5746 section 3.6: an initial hello's must be empty.
        (
            "renegotiation_info not empty on an initial hello",
            vec![ext(0xff01, &[1, 0])],
            A::HandshakeFailure,
        ),
        // RFC 5246 section 7.4.1.4: no two extensions of one type.
        (
            "two extended_master_secret",
            vec![ext(23, b""), ext(23, b"")],
            A::IllegalParameter,
        ),
        (
            "two server_name",
            vec![ext(0, &sni_list(b"a")), ext(0, &sni_list(b"b"))],
            A::IllegalParameter,
        ),
        (
            "two renegotiation_info",
            vec![ext(0xff01, &[0]), ext(0xff01, &[0])],
            A::IllegalParameter,
        ),
        (
            "two unknown extensions of one type",
            dup_unknown,
            A::IllegalParameter,
        ),
    ]
}

/// In SSL 3.0's table: no decode_error (illegal_parameter instead).
fn ssl3_alert(a: A) -> A {
    match a {
        A::DecodeError => A::IllegalParameter,
        other => other,
    }
}

#[test]
fn client_hello_extensions_malformed_forms() {
    for (name, exts, want) in client_hello_extension_cases() {
        for (cv, rv, want) in [
            (TLS11, TLS10, want),
            (TLS10, SSL3, want),
            (SSL3, SSL3, ssl3_alert(want)),
        ] {
            let h = Hello::new(cv).with_extensions(&exts);
            let got = answer(&mut server(), &h.record(rv));
            assert!(
                matches!(got, Answer::Alert(a, _) if a == want),
                "{name}: client_version {cv:#06x} record {rv:#06x}: want {want:?}, got {got:?}"
            );
        }
    }
    // The well-formed forms go through.
    for exts in [
        vec![ext(0, &sni_list(b"device.example"))],
        vec![ext(23, b""), ext(22, b"")],
        vec![ext(0xff01, &[0])],
        vec![],
    ] {
        let h = Hello::new(TLS11).with_extensions(&exts);
        assert_eq!(
            answer(&mut server(), &h.record(TLS10)),
            Answer::ServerHello(TLS11)
        );
    }
}

/// A client that offered TLS 1.1 (and SSL 3.0) with a server_name, waiting for the
/// ServerHello.
fn client() -> Session {
    let mut exts = HelloExtensions::new();
    exts.load(0, &sni_list(b"device.example")).unwrap();
    let mut c = ctx()
        .new_client_session(client_keys(), None, 0, None, Some(&exts))
        .unwrap();
    take_out(&mut c, usize::MAX, &mut Vec::new());
    c
}

fn server_hello(version: u16, exts: Option<&[Vec<u8>]>) -> Vec<u8> {
    let mut b = version.to_be_bytes().to_vec();
    b.extend_from_slice(&[0x24; 32]);
    b.push(32);
    b.extend_from_slice(&[0x11; 32]);
    b.extend_from_slice(&[0x00, 0x2f, 0]);
    if let Some(exts) = exts {
        b.extend_from_slice(&ext_block(exts));
    }
    record(22, version, &handshake_msg(2, &b))
}

fn server_hello_extension_cases() -> Vec<(&'static str, Vec<Vec<u8>>, A)> {
    vec![
        // RFC 6066 section 3: the server's server_name is empty.
        (
            "server_name not empty",
            vec![ext(0, &sni_list(b"a"))],
            A::DecodeError,
        ),
        (
            "extended_master_secret not empty",
            vec![ext(23, &[0])],
            A::DecodeError,
        ),
        (
            "encrypt_then_mac not empty",
            vec![ext(22, &[0])],
            A::DecodeError,
        ),
        (
            "renegotiation_info with an empty body",
            vec![ext(0xff01, b"")],
            A::DecodeError,
        ),
        (
            "renegotiation_info overruns",
            vec![ext(0xff01, &[5, 0])],
            A::DecodeError,
        ),
        (
            "renegotiation_info with trailing data",
            vec![ext(0xff01, &[0, 7])],
            A::DecodeError,
        ),
        (
            "renegotiation_info not empty on an initial handshake",
            vec![ext(0xff01, &[1, 0])],
            A::HandshakeFailure,
        ),
        (
            "two renegotiation_info",
            vec![ext(0xff01, &[0]), ext(0xff01, &[0])],
            A::IllegalParameter,
        ),
        (
            "two server_name",
            vec![ext(0, b""), ext(0, b""), ext(0xff01, &[0])],
            A::IllegalParameter,
        ),
        // RFC 5246 section 7.4.1.4: an extension the client did not offer.
        (
            "an extension not offered",
            vec![ext(0xff01, &[0]), ext(0x1234, b"")],
            A::UnsupportedExtension,
        ),
    ]
}

#[test]
fn server_hello_extensions_malformed_forms() {
    for (name, exts, want) in server_hello_extension_cases() {
        for (sv, want) in [(TLS11, want), (TLS10, want), (SSL3, ssl3_alert(want))] {
            // SSL 3.0 has no unsupported_extension: handshake_failure.
            let want = if sv == SSL3 && want == A::UnsupportedExtension {
                A::HandshakeFailure
            } else {
                want
            };
            let got = answer(&mut client(), &server_hello(sv, Some(&exts)));
            assert!(
                matches!(got, Answer::Alert(a, _) if a == want),
                "{name}: server_version {sv:#06x}: want {want:?}, got {got:?}"
            );
        }
    }
    // Malformed ServerHellos outside the extensions, in the table of the version named.
    for sv in [TLS11, SSL3] {
        let mut sh = server_hello(sv, Some(&[ext(0xff01, &[0])]));
        sh.push(0);
        let len = sh.len() - 5;
        sh[3..5].copy_from_slice(&(len as u16).to_be_bytes());
        let hs_len = (len - 4) as u32;
        sh[6..9].copy_from_slice(&hs_len.to_be_bytes()[1..]);
        let want = if sv == SSL3 {
            A::IllegalParameter
        } else {
            A::DecodeError
        };
        assert!(
            matches!(answer(&mut client(), &sh), Answer::Alert(a, _) if a == want),
            "{sv:#06x}"
        );
    }
    // The well-formed forms go through (the client then waits for the Certificate).
    for exts in [
        vec![ext(0xff01, &[0])],
        vec![ext(0xff01, &[0]), ext(0, b""), ext(23, b"")],
    ] {
        assert_eq!(
            answer(&mut client(), &server_hello(TLS11, Some(&exts))),
            Answer::Nothing
        );
    }
}

/// Item 5: a ClientHello over the 16 KiB limit gets a fatal alert (illegal_parameter: the
/// limit is checked on the handshake header, before anything of the hello is read), as
/// soon as the header is in, without buffering the rest.
#[test]
fn oversized_client_hello_gets_an_alert() {
    let padding = vec![ext(0x1234, &vec![0; 17 * 1024])];
    for (rv, cv) in [(TLS10, TLS11), (SSL3, TLS11), (SSL3, SSL3), (TLS10, 0x0401)] {
        let body = Hello::new(cv).with_extensions(&padding).body();
        let msg = handshake_msg(1, &body);
        // Over two records, as a client must send it.
        let mut bytes = record(22, rv, &msg[..16 * 1024]);
        bytes.extend_from_slice(&record(22, rv, &msg[16 * 1024..]));
        let mut s = server();
        let got = answer(&mut s, &bytes);
        assert!(
            matches!(got, Answer::Alert(A::IllegalParameter, _)),
            "record {rv:#06x} client_version {cv:#06x}: {got:?}"
        );
        let (_, high) = s.memory_usage();
        assert!(high < 64 * 1024, "{high}");
    }
    // Just under the limit is a hello like any other.
    // The default hello has one extension of 16 bytes of data; replace it by one of
    // `fill` bytes so that the body is exactly 16 KiB.
    let fill = 16 * 1024 - (Hello::new(TLS11).body().len() - 16);
    let h = Hello::new(TLS11).with_extensions(&[ext(0x1234, &vec![0; fill])]);
    assert_eq!(h.body().len(), 16 * 1024);
    let msg = handshake_msg(1, &h.body());
    let mut bytes = record(22, TLS10, &msg[..16 * 1024]);
    bytes.extend_from_slice(&record(22, TLS10, &msg[16 * 1024..]));
    assert_eq!(answer(&mut server(), &bytes), Answer::ServerHello(TLS11));
}
