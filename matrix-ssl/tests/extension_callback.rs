//! The hello extension callback (`extensionCback`): it sees every ServerHello extension
//! and a negative return ends the handshake with handshake_failure.
// The shared in-memory pair (`support`) needs `std` and both roles.
#![cfg(all(
    feature = "std",
    feature = "client-side-ssl",
    feature = "server-side-ssl"
))]

mod support;

use std::sync::{Arc, Mutex};

use matrix_ssl::{AlertDescription, Error};
use support::*;

#[test]
fn sees_every_server_hello_extension() {
    let ctx = ctx();
    type Seen = Arc<Mutex<Vec<(u16, Vec<u8>)>>>;
    let seen: Seen = Arc::default();
    let s2 = seen.clone();
    let mut c = ctx
        .new_client_session(client_keys(), None, 0, None, None)
        .unwrap();
    c.set_extension_callback(Box::new(move |t, d| {
        s2.lock().unwrap().push((t, d.to_vec()));
        0
    }))
    .unwrap();
    let mut s = ctx.new_server_session(server_keys(), None).unwrap();
    assert_eq!(
        s.set_extension_callback(Box::new(|_, _| 0)),
        Err(Error::ArgFail)
    );
    handshake(&mut c, &mut s, usize::MAX);
    assert_eq!(*seen.lock().unwrap(), c.peer_hello_extensions().to_vec());
    assert!(seen.lock().unwrap().contains(&(0xff01, vec![0])));
}

#[test]
fn negative_return_aborts() {
    let ctx = ctx();
    let mut c = ctx
        .new_client_session(client_keys(), None, 0, None, None)
        .unwrap();
    c.set_extension_callback(Box::new(|t, _| if t == 0xff01 { -1 } else { 0 }))
        .unwrap();
    let mut s = ctx.new_server_session(server_keys(), None).unwrap();
    pump(&mut c, &mut s, usize::MAX);
    let (_, ce) = pump(&mut s, &mut c, usize::MAX);
    assert!(!c.is_handshake_complete());
    assert_eq!(ce.last(), Some(&Ev::RequestSend), "{ce:?}");
    let out = take_out(&mut c, usize::MAX, &mut Vec::new());
    assert_eq!(out[0], 21);
    assert_eq!(&out[5..7], &[2, AlertDescription::HandshakeFailure.get()]);
}
