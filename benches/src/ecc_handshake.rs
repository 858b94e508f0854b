//! In-memory ECDHE handshakes for `matrix-speed` (issue 19, `cargo xtask bench ecc`): a
//! matrix client and server session joined by the buffer API in one process (MatrixSSL's
//! own benchmark shape, as `cargo xtask bench handshake`), a new session pair and a full
//! TLS 1.2 handshake per run, the client checking the server's chain against its root:
//! - `hs-ecdhe-ecdsa-p256`: TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, the ec-p256 test chain,
//!   the P-256 group;
//! - `hs-ecdhe-ecdsa-p384`: the same suite with the ec-p384 chain and the P-384 group;
//! - `hs-ecdhe-rsa-x25519`: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, the rsa2048 chain, X25519.

use std::sync::Arc;

use matrix_ssl::{AlertLevel, Config, Context, Error, Keys, Received, Session};

/// The operations, in the order `matrix-speed list` prints them.
pub const OPS: &[&str] = &[
    "hs-ecdhe-ecdsa-p256",
    "hs-ecdhe-ecdsa-p384",
    "hs-ecdhe-rsa-x25519",
];

const ECDHE_ECDSA_AES128_GCM: u16 = 0xC02B;
const ECDHE_RSA_AES128_GCM: u16 = 0xC02F;

fn testkeys(rel: &str) -> Option<Vec<u8>> {
    std::fs::read(format!("{}/../testkeys/{rel}", env!("CARGO_MANIFEST_DIR"))).ok()
}

/// A client and a server context agreeing on one group, with the server's identity and
/// the client's trusted root.
struct Pair {
    client: Context,
    server: Context,
    ckeys: Arc<Keys>,
    skeys: Arc<Keys>,
    suite: u16,
}

impl Pair {
    /// `dir`: the testkeys identity; `ec`: whether it is an EC one; `group`: the TLS group.
    fn new(dir: &str, ec: bool, group: u16, suite: u16) -> Result<Pair, Error> {
        let read = |f: &str| testkeys(&format!("{dir}/{f}")).ok_or(Error::PlatformFail);
        let (chain, key, ca) = (
            read("server-chain.pem")?,
            read("server.key")?,
            read("ca.pem")?,
        );
        let (mut sk, mut ck) = (Keys::new(), Keys::new());
        if ec {
            sk.load_ec_keys_mem(Some(&chain), Some(&key), None, None)?;
            ck.load_ec_keys_mem(None, None, None, Some(&ca))?;
        } else {
            sk.load_rsa_keys_mem(Some(&chain), Some(&key), None)?;
            ck.load_rsa_keys_mem(None, None, Some(&ca))?;
        }
        let config = || {
            let mut c = Config::default();
            c.ec_groups = vec![group];
            c
        };
        Ok(Pair {
            client: matrix_ssl::open(config())?,
            server: matrix_ssl::open(config())?,
            ckeys: Arc::new(ck),
            skeys: Arc::new(sk),
            suite,
        })
    }

    /// One full handshake between new sessions; fails unless both complete with the suite.
    fn handshake(&self) -> Result<(), Error> {
        let mut c = self.client.new_client_session(
            Arc::clone(&self.ckeys),
            None,
            self.suite,
            None,
            None,
        )?;
        let mut s = self
            .server
            .new_server_session(Arc::clone(&self.skeys), None)?;
        // A full handshake is a few flights each way; more means it is stuck.
        for _ in 0..16 {
            let a = pump(&mut c, &mut s)?;
            let b = pump(&mut s, &mut c)?;
            if c.is_handshake_complete() && s.is_handshake_complete() {
                return match c.cipher_suite() {
                    Some(cs) if cs.get() == self.suite => Ok(()),
                    _ => Err(Error::ProtocolFail),
                };
            }
            if !a && !b {
                break;
            }
        }
        Err(Error::ProtocolFail)
    }
}

/// Hands `data` to `s`; a fatal alert fails.
fn feed(s: &mut Session, mut data: &[u8]) -> Result<(), Error> {
    while !data.is_empty() {
        let buf = s.get_readbuf();
        let n = buf.len().min(data.len());
        let (now, later) = data.split_at(n);
        match buf.get_mut(..n) {
            Some(dst) if n > 0 => dst.copy_from_slice(now),
            _ => return Err(Error::MemFail),
        }
        data = later;
        let mut r = s.received_data(n)?;
        loop {
            match r {
                Received::Alert {
                    level: AlertLevel::Fatal,
                    ..
                } => return Err(Error::ProtocolFail),
                Received::Alert { .. } | Received::AppData(_) => {}
                _ => break,
            }
            r = s.processed_data()?;
        }
    }
    Ok(())
}

/// Moves everything `from` has to send into `to`; returns whether anything moved.
fn pump(from: &mut Session, to: &mut Session) -> Result<bool, Error> {
    let mut moved = false;
    loop {
        let out = from.get_outdata().to_vec();
        if out.is_empty() {
            return Ok(moved);
        }
        from.sent_data(out.len())?;
        feed(to, &out)?;
        moved = true;
    }
}

/// One run of handshake `op`, prepared (keys loaded, contexts open, one handshake done to
/// check that it works): `None` for an unknown operation or when that fails.
pub fn op(name: &str) -> Option<Box<dyn FnMut() -> bool>> {
    let pair = match name {
        "hs-ecdhe-ecdsa-p256" => Pair::new("ec-p256", true, 23, ECDHE_ECDSA_AES128_GCM),
        "hs-ecdhe-ecdsa-p384" => Pair::new("ec-p384", true, 24, ECDHE_ECDSA_AES128_GCM),
        "hs-ecdhe-rsa-x25519" => Pair::new("rsa2048", false, 29, ECDHE_RSA_AES128_GCM),
        _ => return None,
    };
    let pair = match pair.and_then(|p| p.handshake().map(|()| p)) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{name}: {e:?}");
            return None;
        }
    };
    Some(Box::new(move || pair.handshake().is_ok()))
}
