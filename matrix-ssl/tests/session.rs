//! The buffer API between an in-memory client and server.
// The shared in-memory pair (`support`) needs `std` and both roles.
#![cfg(all(
    feature = "std",
    feature = "client-side-ssl",
    feature = "server-side-ssl"
))]

mod support;

use support::*;

#[test]
fn full_handshake_and_data() {
    let ctx = ctx();
    let (mut c, mut s) = new_pair(&ctx, &ctx, 0, None, None);
    assert!(
        !c.get_outdata().is_empty(),
        "ClientHello is encoded at once"
    );
    let (ce, se) = handshake(&mut c, &mut s, usize::MAX);
    assert!(ce.contains(&Ev::Complete), "{ce:?}");
    assert!(se.contains(&Ev::SentComplete), "{se:?}");
    assert_eq!(c.protocol_version(), s.protocol_version());
    assert_eq!(c.cipher_suite(), s.cipher_suite());
    send_all(&mut c, &mut s, b"hello server", usize::MAX);
    send_all(&mut s, &mut c, b"hello client", usize::MAX);
}
