//! `set_session_option(SessionOption::FullHandshake)` on DTLS sessions, as on TLS ones
//! (`matrixSslSetSessionOption(ssl, SSL_OPTION_FULL_HANDSHAKE, NULL)`): the resumption
//! state is deleted and the next re-handshake is a full one.

mod support;

use matrix_ssl::SessionOption;
use support::*;

fn established(seed: u64) -> Pair {
    let ctx = ctx();
    let client = ctx
        .new_client_session(client_keys(), None, 0, None, None)
        .unwrap();
    let mut server = ctx
        .new_server_session(server_keys(), None, CLIENT_ADDR)
        .unwrap();
    // Before the ClientHello: nothing to forget, accepted.
    assert_eq!(
        server.set_session_option(SessionOption::FullHandshake),
        Ok(())
    );
    let mut p = Pair::new(client, server, NetParams::LOSSLESS, seed);
    p.handshake(5_000);
    assert!(p.client.session_id().is_some());
    p
}

/// Re-handshakes with `encode_rehandshake(.., None, ..)`: resumed unless the option was set
/// on `side` first.
fn rehandshake_resumes(option_on: Option<bool>) -> bool {
    let mut p = established(7);
    match option_on {
        Some(true) => {
            p.client
                .set_session_option(SessionOption::FullHandshake)
                .unwrap();
            assert!(
                p.client.session_id().is_none(),
                "the resumption state is deleted"
            );
        }
        Some(false) => p
            .server
            .set_session_option(SessionOption::FullHandshake)
            .unwrap(),
        None => {}
    }
    p.cev.clear();
    p.sev.clear();
    p.client.encode_rehandshake(None, None, None, 0).unwrap();
    p.send_client();
    let start = p.now;
    while !(p.cev.contains(&Ev::Complete) && p.sev.contains(&Ev::Complete)) {
        assert!(p.now - start < 5_000, "{:?} {:?}", p.cev, p.sev);
        p.tick();
    }
    p.client.is_resumed()
}

#[test]
fn full_handshake_option_forces_a_full_rehandshake() {
    assert!(
        rehandshake_resumes(None),
        "the control: a re-handshake resumes"
    );
    assert!(!rehandshake_resumes(Some(true)), "option on the client");
    assert!(!rehandshake_resumes(Some(false)), "option on the server");
}
