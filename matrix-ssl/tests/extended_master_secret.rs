//! RFC 7627 extended master secret (feature `extended-master-secret`): negotiated in TLS
//! 1.0/1.1, not in SSL 3.0; a resumption must keep the original session's EMS state.
#![cfg(feature = "extended-master-secret")]

mod support;

use matrix_ssl::{ProtocolVersion, Session};
use support::*;

fn run(v: ProtocolVersion) -> (Session, Session) {
    let cctx = ctx_with(|c| {
        c.min_version = v;
        c.max_version = v;
    });
    let (mut c, mut s) = new_pair(&cctx, &ctx(), 0, None, None);
    handshake(&mut c, &mut s, usize::MAX);
    (c, s)
}

#[test]
fn negotiated_in_tls_only() {
    for v in ctx().versions().to_vec() {
        let (c, s) = run(v);
        let has = |x: &Session| x.peer_hello_extensions().iter().any(|(t, _)| *t == 23);
        assert_eq!(has(&c), !v.is_ssl3(), "{v:?}: the ServerHello");
        // SSL 3.0's ClientHello of a client that also speaks TLS still offers it.
        assert!(has(&s) || v.is_ssl3(), "{v:?}: the ClientHello");
    }
}

/// The resumption of an EMS session by a server whose cache says non-EMS (or the other way
/// round) can only be forged; the client side: a ServerHello resuming our EMS session
/// without the extension is a handshake_failure. Checked through a raw rewrite of the
/// server's resumed ServerHello.
#[test]
fn resumption_keeps_the_ems_state() {
    let cctx = ctx();
    let sctx = ctx();
    let (mut c, mut s) = new_pair(&cctx, &sctx, 0, None, None);
    handshake(&mut c, &mut s, usize::MAX);
    let sid = c.session_id().unwrap();
    // A normal resumption keeps EMS.
    let (mut c2, mut s2) = new_pair(&cctx, &sctx, 0, Some(&sid), None);
    handshake(&mut c2, &mut s2, usize::MAX);
    assert!(c2.is_resumed());
    assert!(c2.peer_hello_extensions().iter().any(|(t, _)| *t == 23));
    // The server's resuming ServerHello with the extension removed.
    let (mut c3, mut s3) = new_pair(&cctx, &sctx, 0, Some(&sid), None);
    pump(&mut c3, &mut s3, usize::MAX);
    let mut evs = Vec::new();
    let flight = take_out(&mut s3, usize::MAX, &mut evs);
    assert_eq!(flight[0], 22);
    // First record: the ServerHello alone is at its start; strip extension 23 (4 bytes
    // 00 17 00 00) and fix the three lengths (record, message, extensions block).
    let rec_len = u16::from_be_bytes([flight[3], flight[4]]) as usize;
    let mut rec = flight[5..5 + rec_len].to_vec();
    let msg_len = u32::from_be_bytes([0, rec[1], rec[2], rec[3]]) as usize;
    let body = &rec[4..4 + msg_len];
    let pos = body
        .windows(4)
        .rposition(|w| w == [0, 23, 0, 0])
        .expect("extension 23 in the ServerHello");
    let ext_block_at = 2 + 32 + 1 + body[34] as usize + 2 + 1;
    let mut nb = body.to_vec();
    nb.drain(pos..pos + 4);
    let ext_len = u16::from_be_bytes([nb[ext_block_at], nb[ext_block_at + 1]]) - 4;
    nb[ext_block_at..ext_block_at + 2].copy_from_slice(&ext_len.to_be_bytes());
    let mut msg = vec![2];
    msg.extend_from_slice(&(nb.len() as u32).to_be_bytes()[1..]);
    msg.extend_from_slice(&nb);
    rec.splice(0..4 + msg_len, msg);
    let mut bad = flight[..3].to_vec();
    bad.extend_from_slice(&(rec.len() as u16).to_be_bytes());
    bad.extend_from_slice(&rec);
    bad.extend_from_slice(&flight[5 + rec_len..]);
    let mut ce = Vec::new();
    feed(&mut c3, &bad, usize::MAX, &mut ce);
    let out = take_out(&mut c3, usize::MAX, &mut ce);
    assert_eq!(out[0], 21, "{ce:?}");
    assert_eq!(
        &out[5..7],
        &[2, matrix_ssl::AlertDescription::HandshakeFailure.get()]
    );
}
