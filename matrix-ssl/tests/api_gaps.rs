//! The last gaps between the C API and the Rust one (issue 16 item 4): the `MATRIXSSL_*`
//! constants, the extension callback given at client-session creation,
//! `SessionOption::FullHandshake` through `set_session_option`, `try_get_readbuf`'s
//! out-of-memory answer, and PKCS#12 loading.
// The shared in-memory pair (`support`) needs `std` and both roles.
#![cfg(all(
    feature = "std",
    feature = "client-side-ssl",
    feature = "server-side-ssl"
))]

mod support;

use std::sync::{Arc, Mutex};

use matrix_ssl::codes::*;
use matrix_ssl::{Error, Keys, Received, Sent, SessionOption};
use support::*;

#[test]
fn codes_are_what_received_and_sent_return() {
    assert_eq!(Received::Success.code(), MATRIXSSL_SUCCESS);
    assert_eq!(Received::RequestSend.code(), MATRIXSSL_REQUEST_SEND);
    assert_eq!(Received::RequestRecv.code(), MATRIXSSL_REQUEST_RECV);
    assert_eq!(Received::AppData(b"x").code(), MATRIXSSL_APP_DATA);
    assert_eq!(
        Received::HandshakeComplete.code(),
        MATRIXSSL_HANDSHAKE_COMPLETE
    );
    assert_eq!(Sent::RequestClose.code(), MATRIXSSL_REQUEST_CLOSE);
    assert_eq!(Sent::HandshakeComplete.code(), MATRIXSSL_HANDSHAKE_COMPLETE);
    assert_eq!(MATRIXSSL_ERROR, Error::ProtocolFail.code());
    assert_eq!(MATRIXSSL_RECEIVED_ALERT, 6);
}

#[test]
fn extension_callback_given_at_creation_sees_the_server_hello() {
    let ctx = ctx();
    let seen: Arc<Mutex<Vec<u16>>> = Arc::default();
    let s2 = seen.clone();
    let mut c = ctx
        .new_client_session_with_extension_cb(
            client_keys(),
            None,
            0,
            None,
            None,
            Some(Box::new(move |t, _| {
                s2.lock().unwrap().push(t);
                0
            })),
        )
        .unwrap();
    let mut s = ctx.new_server_session(server_keys(), None).unwrap();
    handshake(&mut c, &mut s, usize::MAX);
    assert!(seen.lock().unwrap().contains(&0xff01));
}

#[test]
fn extension_callback_given_at_creation_can_refuse() {
    let ctx = ctx();
    let mut c = ctx
        .new_client_session_with_extension_cb(
            client_keys(),
            None,
            0,
            None,
            None,
            Some(Box::new(|_, _| -1)),
        )
        .unwrap();
    let mut s = ctx.new_server_session(server_keys(), None).unwrap();
    pump(&mut c, &mut s, usize::MAX);
    pump(&mut s, &mut c, usize::MAX);
    assert!(!c.is_handshake_complete());
}

/// Resumed re-handshake unless the option deleted the resumption state on `side`.
fn rehandshake_after_option(client_side: bool) -> bool {
    let ctx = ctx();
    let (mut c, mut s) = new_pair(&ctx, &ctx, 0, None, None);
    handshake(&mut c, &mut s, usize::MAX);
    assert!(c.session_id().is_some());
    if client_side {
        c.set_session_option(SessionOption::FullHandshake).unwrap();
        assert!(c.session_id().is_none(), "the resumption state is deleted");
    } else {
        s.set_session_option(SessionOption::FullHandshake).unwrap();
    }
    c.encode_rehandshake(None, None, None, 0).unwrap();
    handshake(&mut c, &mut s, usize::MAX);
    c.is_resumed()
}

#[test]
fn full_handshake_option_forces_a_full_rehandshake() {
    // Without the option a re-handshake resumes (the control).
    let ctx = ctx();
    let (mut c, mut s) = new_pair(&ctx, &ctx, 0, None, None);
    handshake(&mut c, &mut s, usize::MAX);
    c.encode_rehandshake(None, None, None, 0).unwrap();
    handshake(&mut c, &mut s, usize::MAX);
    assert!(c.is_resumed() && s.is_resumed());

    assert!(!rehandshake_after_option(true), "client option");
    assert!(!rehandshake_after_option(false), "server option");
}

#[test]
fn full_handshake_option_on_a_server_removes_the_cached_session() {
    let ctx = ctx();
    let (mut c, mut s) = new_pair(&ctx, &ctx, 0, None, None);
    handshake(&mut c, &mut s, usize::MAX);
    let sid = c.session_id().unwrap();
    s.set_session_option(SessionOption::FullHandshake).unwrap();
    let (mut c2, mut s2) = new_pair(&ctx, &ctx, 0, Some(&sid), None);
    handshake(&mut c2, &mut s2, usize::MAX);
    assert!(!c2.is_resumed());
}

#[test]
fn try_get_readbuf_says_mem_fail_when_the_budget_is_spent() {
    let small = ctx_with(|c| c.session_memory_cap = 4);
    let mut s = small.new_server_session(server_keys(), None).unwrap();
    // The start of a record header, a byte at a time: the read buffer grows by what the
    // record needs, so a 4-byte budget is spent before the 5-byte header is complete
    // (a complete header asking for more than the budget is a fatal alert instead).
    let header = [22u8, 3, 1, 0x03, 0xe8];
    let mut fed = 0;
    let err = loop {
        let buf = match s.try_get_readbuf() {
            Ok(buf) => buf,
            Err(e) => break e,
        };
        buf[0] = header.get(fed).copied().unwrap_or(0);
        assert_eq!(s.received_data(1), Ok(Received::RequestRecv));
        fed += 1;
        assert!(fed < 5, "the budget never ran out");
    };
    assert_eq!(err, Error::MemFail);
    assert!(
        (1..=4).contains(&fed),
        "{fed} bytes buffered under a 4-byte cap"
    );
    assert!(
        s.get_readbuf().is_empty(),
        "get_readbuf's empty slice is the same state"
    );
    // A normal session gets room.
    let ctx = ctx();
    let mut s = ctx.new_server_session(server_keys(), None).unwrap();
    assert!(!s.try_get_readbuf().unwrap().is_empty());
}

/// RSA PKCS#12 files: `pkcs12` reads an RSA key only with `private-key-parsing`.
#[cfg(all(feature = "pkcs12", feature = "private-key-parsing"))]
mod pkcs12 {
    use super::*;

    fn p12_server_keys(rel: &str) -> Arc<Keys> {
        let mut k = Keys::new();
        k.load_pkcs12_mem(&read(rel), b"matrix", None).unwrap();
        Arc::new(k)
    }

    #[test]
    fn loads_key_and_chain_and_serves_a_handshake() {
        for rel in ["pkcs12/server-modern.p12", "pkcs12/server-legacy.p12"] {
            let keys = p12_server_keys(rel);
            assert_eq!(keys.certificate_chain().unwrap().certs().len(), 2, "{rel}");
            let ctx = ctx();
            let mut c = ctx
                .new_client_session(client_keys(), None, 0, None, None)
                .unwrap();
            let mut s = ctx.new_server_session(keys, None).unwrap();
            handshake(&mut c, &mut s, usize::MAX);
        }
    }

    #[test]
    fn passwords() {
        let data = read("pkcs12/server-modern.p12");
        let mut k = Keys::new();
        // The MAC password given explicitly, the same as the import password.
        k.load_pkcs12_mem(&data, b"matrix", Some(b"matrix"))
            .unwrap();
        let mut k = Keys::new();
        assert_eq!(
            k.load_pkcs12_mem(&data, b"wrong", None),
            Err(Error::AuthFail)
        );
        // A wrong MAC password fails the MAC whatever the import password.
        assert_eq!(
            k.load_pkcs12_mem(&data, b"matrix", Some(b"wrong")),
            Err(Error::AuthFail)
        );
        // A right MAC password with a wrong import password fails decrypting the bags.
        assert!(k.load_pkcs12_mem(&data, b"wrong", Some(b"matrix")).is_err());
        assert!(!k.has_rsa_identity());
        assert_eq!(
            k.load_pkcs12_mem(&data, &[0xff, 0xfe], None),
            Err(Error::ArgFail)
        );
    }

    #[cfg(feature = "file-system")]
    #[test]
    fn from_a_file() {
        let mut k = Keys::new();
        k.load_pkcs12(&testkeys("pkcs12/server-legacy.p12"), b"matrix", None)
            .unwrap();
        assert!(k.has_rsa_identity());
        let mut k = Keys::new();
        assert_eq!(
            k.load_pkcs12(&testkeys("pkcs12/missing.p12"), b"matrix", None),
            Err(Error::PlatformFail)
        );
    }
}

/// Without `pkcs12`, or (an RSA file) without `private-key-parsing`.
#[cfg(not(all(feature = "pkcs12", feature = "private-key-parsing")))]
#[test]
fn pkcs12_without_the_feature_is_unsupported() {
    let mut k = Keys::new();
    assert_eq!(
        k.load_pkcs12_mem(&read("pkcs12/server-modern.p12"), b"matrix", None),
        Err(Error::UnsupportedFail)
    );
}
