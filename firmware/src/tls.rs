//! The TLS work of the image, in safe code over matrix-ssl's buffer API (the developer's
//! guide's event loop): open a context with the board's entropy and clock, load the keys,
//! run the handshake, send one message, receive the answer, send close_notify.

use alloc::boxed::Box;
use alloc::sync::Arc;

use matrix_core::Error;
use matrix_core::osdep::{Clock, Entropy};
use matrix_ssl::{AlertDescription, AlertLevel, Config, Keys, Received, Session};

/// A byte connection to the peer.
pub trait Link {
    /// Sends some of `data`; the bytes taken.
    fn send(&mut self, data: &[u8]) -> Result<usize, Error>;
    /// Receives into `buf`; the bytes read, 0 when the peer closed.
    fn recv(&mut self, buf: &mut [u8]) -> Result<usize, Error>;
}

/// The message each side sends once the handshake is done.
const MESSAGE: &[u8] = b"ping";

/// The one trusted CA (RSA-2048, DER).
#[cfg(feature = "ca")]
const CA: &[u8] = include_bytes!("../../testkeys/rsa2048/ca.der");

/// The one trusted EC CA (the ec-p256 root, DER: the image has no PEM decoder).
#[cfg(feature = "ec-ca")]
const EC_CA: &[u8] = include_bytes!("../../testkeys/ec-p256/ca.der");

/// The test pre-shared key.
#[cfg(feature = "psk")]
const PSK_ID: &[u8] = b"matrix-firmware";
#[cfg(feature = "psk")]
const PSK: &[u8] = b"matrix-firmware test PSK 32 byte";

/// The server's chain (leaf, intermediate) as DER, and its key as `name=HEX` lines.
#[cfg(feature = "server")]
const SERVER_CHAIN: [&[u8]; 2] = [
    include_bytes!("../../testkeys/rsa2048/server.der"),
    include_bytes!("../../testkeys/rsa2048/intermediate.der"),
];
#[cfg(feature = "server")]
const SERVER_KEY: &str = include_str!("../../testkeys/rsa2048/server-components.txt");

/// Loads what the build's features name into `keys`: the CA (client, `ca`; `ec-ca` for
/// the EC one) and the PSK (`psk`).
#[cfg(feature = "client")]
#[allow(unused_variables)]
fn load_client_keys(keys: &mut Keys) -> Result<(), Error> {
    #[cfg(feature = "ca")]
    keys.load_rsa_keys_mem(None, None, Some(CA))?;
    #[cfg(feature = "ec-ca")]
    keys.load_ec_keys_mem(None, None, None, Some(EC_CA))?;
    #[cfg(feature = "psk")]
    keys.load_psk(PSK_ID, PSK)?;
    Ok(())
}

/// Empty keys in their `Arc`, filled in place by `load` (the `Keys` value, a few hundred
/// bytes, is not returned and moved into the `Arc`: two copies of it less in the image).
#[cfg(any(feature = "client", feature = "server"))]
fn shared_keys(load: fn(&mut Keys) -> Result<(), Error>) -> Result<Arc<Keys>, Error> {
    let mut keys = Arc::new(Keys::new());
    // A new `Arc` is its keys' only owner, so `get_mut` always gives them.
    if let Some(k) = Arc::get_mut(&mut keys) {
        load(k)?;
    }
    Ok(keys)
}

/// The TLS client.
#[cfg(feature = "client")]
pub fn client(
    entropy: impl Entropy + Send + 'static,
    clock: impl Clock + Send + Sync + 'static,
    link: &mut impl Link,
) -> Result<(), Error> {
    let ctx = matrix_ssl::open_with(Config::default(), Box::new(entropy), Box::new(clock))?;
    let keys = shared_keys(load_client_keys)?;
    let mut session = ctx.new_client_session(keys, None, 0, None, None)?;
    let result = converse(&mut session, link);
    // Ended by the library's own drop code (a drop here would be a second copy of it).
    session.delete();
    result
}

/// The component `name` of the `name=HEX` key listing, decoded.
#[cfg(feature = "server")]
fn component(name: &str) -> Result<alloc::vec::Vec<u8>, Error> {
    let hex = SERVER_KEY
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
        .ok_or(Error::ParseFail)?
        .as_bytes();
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        b'A'..=b'F' => Ok(c - b'A' + 10),
        _ => Err(Error::ParseFail),
    };
    hex.chunks(2)
        .map(|p| match p {
            [h, l] => Ok(nibble(*h)? << 4 | nibble(*l)?),
            _ => Err(Error::ParseFail),
        })
        .collect()
}

/// The server's keys: its chain and its key from components (no key parser needed).
#[cfg(feature = "server")]
fn load_server_keys(keys: &mut Keys) -> Result<(), Error> {
    let mut chain = alloc::vec::Vec::new();
    for c in SERVER_CHAIN {
        chain.extend_from_slice(c);
    }
    let (n, e, d) = (component("n")?, component("e")?, component("d")?);
    let (p, q) = (component("p")?, component("q")?);
    let (dp, dq, qinv) = (component("dp")?, component("dq")?, component("qinv")?);
    let parts = matrix_ssl::RsaKeyComponents {
        n: &n,
        e: &e,
        d: &d,
        p: &p,
        q: &q,
        dp: &dp,
        dq: &dq,
        qinv: &qinv,
    };
    keys.load_rsa_keys_components(&chain, &parts, None)?;
    #[cfg(feature = "psk")]
    keys.load_psk(PSK_ID, PSK)?;
    Ok(())
}

/// The TLS server: one connection.
#[cfg(feature = "server")]
pub fn server(
    entropy: impl Entropy + Send + 'static,
    clock: impl Clock + Send + Sync + 'static,
    link: &mut impl Link,
) -> Result<(), Error> {
    let ctx = matrix_ssl::open_with(Config::default(), Box::new(entropy), Box::new(clock))?;
    let mut session = ctx.new_server_session(shared_keys(load_server_keys)?, None)?;
    let result = converse(&mut session, link);
    session.delete();
    result
}

/// Sends everything `get_outdata` holds.
pub fn flush(session: &mut Session, link: &mut impl Link) -> Result<(), Error> {
    loop {
        let out = session.get_outdata();
        if out.is_empty() {
            return Ok(());
        }
        let n = link.send(out)?;
        if n == 0 {
            return Err(Error::PlatformFail);
        }
        session.sent_data(n)?;
    }
}

/// The event loop: handshake, [`MESSAGE`] once the handshake is complete, the peer's
/// message (which may come before ours is sent: with the server's Finished), then
/// close_notify. The peer's close_notify after both messages ends it too.
pub fn converse(session: &mut Session, link: &mut impl Link) -> Result<(), Error> {
    let (mut sent, mut answered) = (false, false);
    loop {
        flush(session, link)?;
        if session.is_handshake_complete() && !sent {
            session.encode_to_outdata(MESSAGE)?;
            sent = true;
            continue;
        }
        if sent && answered {
            session.encode_closure_alert()?;
            return flush(session, link);
        }
        let buf = session.get_readbuf();
        let n = link.recv(buf)?;
        if n == 0 {
            return Err(Error::PlatformFail);
        }
        let mut r = session.received_data(n)?;
        loop {
            match r {
                Received::AppData(_) => answered = true,
                Received::Alert {
                    level: AlertLevel::Fatal,
                    ..
                } => return Err(Error::ProtocolFail),
                Received::Alert {
                    description: AlertDescription::CloseNotify,
                    ..
                } => {
                    // The peer is done: a success only after both messages.
                    return if sent && answered {
                        Ok(())
                    } else {
                        Err(Error::ProtocolFail)
                    };
                }
                Received::Alert { .. } => {}
                _ => break,
            }
            r = session.processed_data()?;
        }
    }
}
