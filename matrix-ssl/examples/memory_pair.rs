//! A client and a server in one process, joined by memory instead of a socket: each side's
//! `get_outdata` is fed to the other's `get_readbuf`. It runs a full handshake, exchanges
//! data both ways, closes, then resumes the session on a second pair and prints what each
//! handshake negotiated. No network: `cargo run -p matrix-ssl --example memory_pair`.

use std::sync::Arc;

use matrix_ssl::{Config, Keys, Received, Session, SessionId};

/// Moves everything `from` has queued into `to`; returns the application data `to` got.
fn pump(from: &mut Session, to: &mut Session) -> Result<Vec<u8>, matrix_ssl::Error> {
    let mut got = Vec::new();
    while !from.get_outdata().is_empty() {
        let bytes = from.get_outdata().to_vec();
        from.sent_data(bytes.len())?;
        let mut rest = &bytes[..];
        while !rest.is_empty() {
            let buf = to.get_readbuf();
            let n = buf.len().min(rest.len());
            buf[..n].copy_from_slice(&rest[..n]);
            rest = &rest[n..];
            let mut r = to.received_data(n)?;
            loop {
                match r {
                    Received::AppData(d) => got.extend_from_slice(d),
                    Received::Alert { .. } => {}
                    _ => break,
                }
                r = to.processed_data()?;
            }
        }
    }
    Ok(got)
}

/// Runs one connection; returns the session id the client may resume.
fn connection(
    ctx: &matrix_ssl::Context,
    server_keys: &Arc<Keys>,
    client_keys: &Arc<Keys>,
    resume: Option<&SessionId>,
) -> Result<SessionId, Box<dyn std::error::Error>> {
    let mut client = ctx.new_client_session(Arc::clone(client_keys), resume, 0, None, None)?;
    let mut server = ctx.new_server_session(Arc::clone(server_keys), None)?;
    while !(client.is_handshake_complete() && server.is_handshake_complete()) {
        pump(&mut client, &mut server)?;
        pump(&mut server, &mut client)?;
    }
    println!(
        "{:?} {:?} resumed: {}",
        client.protocol_version(),
        client.cipher_suite(),
        client.is_resumed()
    );
    let request = b"ping".repeat(4_000); // 16000 bytes: at most one record (16 KiB) per call
    client.encode_to_outdata(&request)?;
    assert_eq!(pump(&mut client, &mut server)?, request);
    server.encode_to_outdata(b"pong")?;
    assert_eq!(pump(&mut server, &mut client)?, b"pong");
    client.encode_closure_alert()?;
    pump(&mut client, &mut server)?;
    assert!(server.peer_closed());
    Ok(client.session_id().ok_or("the server gave no session id")?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../testkeys/rsa2048");
    let ctx = matrix_ssl::open(Config::default())?;
    let mut server_keys = Keys::new();
    server_keys.load_rsa_keys(
        Some(&format!("{dir}/server.pem;{dir}/intermediate.pem")),
        Some(&format!("{dir}/server.key")),
        None,
        None,
    )?;
    let mut client_keys = Keys::new();
    client_keys.load_rsa_keys(None, None, None, Some(&format!("{dir}/ca.pem")))?;
    let (server_keys, client_keys) = (Arc::new(server_keys), Arc::new(client_keys));

    let id = connection(&ctx, &server_keys, &client_keys, None)?;
    connection(&ctx, &server_keys, &client_keys, Some(&id))?;
    println!("ok: a full and a resumed handshake, 16000 and 4 bytes, close_notify");
    Ok(())
}
