//! Seeds recorded from independent peers (OpenSSL, GnuTLS, tlslite-ng): replaying one
//! against the fresh deterministic session its target fuzzes, and cutting a recorded
//! byte stream into records (RFC 4346 section 6.2.1) and plaintext handshake messages
//! (section 7.4) for the codec targets.
//!
//! A peer's bytes replay because our side of the recorded conversation is deterministic:
//! the fresh session sends the same hello, randoms and key shares as the live one did, so
//! every MAC, Finished and signature the peer computed over them still verifies.
//! `src/bin/gen_corpus_peers.rs` records the seeds; `tests/replay.rs` replays them; both
//! corpus generators cut their recordings with the stream helpers.

use matrix_ssl::{Received, Sent, Session};

use crate::{Path, new_client, new_client_for, new_server, new_server_for};

/// What a replayed seed made the session do.
#[derive(Clone, Debug, Default)]
pub struct Replay {
    /// Whether the handshake completed.
    pub handshake_complete: bool,
    /// The application data the session received, concatenated.
    pub app_data: Vec<u8>,
    /// The alerts the session received, as (level, description).
    pub alerts: Vec<(u8, u8)>,
    /// Whether the peer sent close_notify.
    pub peer_closed: bool,
    /// The error that stopped the replay, if one did.
    pub error: Option<String>,
    /// The negotiated protocol version's wire value (major << 8 | minor).
    pub version: u16,
    /// The negotiated cipher suite, if any.
    pub suite: Option<u16>,
}

impl Replay {
    /// A seed is good when the handshake completed, application data arrived and nothing
    /// failed: the whole recorded conversation replayed.
    pub fn is_complete(&self) -> bool {
        self.handshake_complete && !self.app_data.is_empty() && self.error.is_none()
    }
}

/// The fresh session a session target starts from and the peer bytes of `seed` (its
/// selector bytes removed), with the delivery chunk size of the seed's mode byte; `None`
/// for a target that is not a session target taking peer seeds.
fn session_for(target: &str, seed: &[u8]) -> Option<(Session, usize, Vec<u8>)> {
    let (mode_and_bytes, session) = match target {
        "server_session" => (seed, new_server()?),
        "client_session" => (seed, new_client()?),
        "server_dhe" => (seed, new_server_for(Path::Dhe)?),
        "client_dhe" => (seed, new_client_for(Path::Dhe)?),
        "server_psk" => (seed, new_server_for(Path::Psk)?),
        "client_psk" => {
            let (&sel, rest) = seed.split_first()?;
            let path = if sel % 2 == 1 {
                Path::DhePsk
            } else {
                Path::Psk
            };
            (rest, new_client_for(path)?)
        }
        "server_client_auth" => (seed, new_server_for(Path::ClientAuth)?),
        "server_tickets" => (seed, new_server_for(Path::Tickets)?),
        "client_tickets" => (seed, new_client_for(Path::Tickets)?),
        "client_client_auth" => (seed, new_client_for(Path::ClientAuth)?),
        other => ecc_session_for(other, seed)?,
    };
    let (&mode, bytes) = mode_and_bytes.split_first()?;
    let chunk = if mode == 0 {
        usize::MAX
    } else {
        usize::from(mode)
    };
    Some((session, chunk, bytes.to_vec()))
}

/// The ECC session targets (feature `ecc`): the session of the seed's selector byte, and
/// the rest of the seed (mode byte, peer bytes).
#[cfg(feature = "ecc")]
fn ecc_session_for<'a>(target: &str, seed: &'a [u8]) -> Option<(&'a [u8], Session)> {
    let (&sel, rest) = seed.split_first()?;
    let session = match target {
        "server_ecdhe" => crate::ecc::new_ecdhe_server(sel & 1 == 1)?,
        "client_ecdhe" => crate::ecc::new_ecdhe_client(sel)?,
        _ => return None,
    };
    Some((rest, session))
}

/// Without `ecc` there is no ECC session target.
#[cfg(not(feature = "ecc"))]
fn ecc_session_for<'a>(_target: &str, _seed: &'a [u8]) -> Option<(&'a [u8], Session)> {
    None
}

/// Replays `seed` (a file of `corpus/<target>/`) against a fresh session of `target`, as
/// its harness does: a client's hello is sent first, the bytes are delivered in the
/// chunks byte 0 selects (`client_psk`: after its suite selector). `None` when `target`
/// is not a session target.
pub fn replay_seed(target: &str, seed: &[u8]) -> Option<Replay> {
    let (mut s, chunk, bytes) = session_for(target, seed)?;
    let mut r = Replay::default();
    let mut rest = &bytes[..];
    'feed: while !rest.is_empty() {
        if let Err(e) = send(&mut s) {
            r.error = Some(format!(
                "{e} with {} of {} bytes delivered",
                bytes.len() - rest.len(),
                bytes.len()
            ));
            break;
        }
        let buf = s.get_readbuf();
        let n = buf.len().min(chunk).min(rest.len());
        if n == 0 {
            r.error = Some("no room in the read buffer".into());
            break;
        }
        let (now, later) = rest.split_at(n);
        buf[..n].copy_from_slice(now);
        rest = later;
        let mut got = s.received_data(n);
        loop {
            match got {
                Ok(Received::AppData(d)) => r.app_data.extend_from_slice(d),
                Ok(Received::Alert { level, description }) => {
                    r.alerts.push((level.get(), description.get()));
                }
                Ok(Received::HandshakeComplete) => r.handshake_complete = true,
                Ok(_) => break,
                Err(e) => {
                    r.error = Some(format!(
                        "{e:?} with {} of {} bytes delivered",
                        bytes.len() - rest.len(),
                        bytes.len()
                    ));
                    break 'feed;
                }
            }
            got = s.processed_data();
        }
    }
    if r.error.is_none() {
        r.error = send(&mut s).err();
    }
    r.handshake_complete |= s.is_handshake_complete();
    r.peer_closed = s.peer_closed();
    r.version = s.protocol_version().get();
    r.suite = s.cipher_suite().map(|c| c.get());
    Some(r)
}

/// Takes what the session has to send; an error when that ends the connection without
/// the peer having closed it: the session sent a fatal alert, the replay diverged. (A
/// failure queues its alert and answers `RequestSend`, not an error.)
fn send(s: &mut Session) -> Result<(), String> {
    let pending = s.get_outdata().len();
    if pending == 0 {
        return Ok(());
    }
    match s.sent_data(pending) {
        Ok(Sent::RequestClose) if !s.peer_closed() => Err("the session sent a fatal alert".into()),
        Ok(_) => Ok(()),
        Err(e) => Err(format!("sent_data: {e:?}")),
    }
}

/// Splits a stream into whole records (header and fragment); a cut-off tail is dropped.
pub fn records(stream: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = stream;
    while let Some(len) = rest
        .get(3..5)
        .map(|l| usize::from(u16::from_be_bytes([l[0], l[1]])))
    {
        let Some((rec, tail)) = rest.split_at_checked(5 + len) else {
            break;
        };
        out.push(rec);
        rest = tail;
    }
    out
}

/// The plaintext handshake stream of a record stream: the handshake records' fragments
/// before the first ChangeCipherSpec, concatenated (peers split and coalesce messages
/// across records differently).
pub fn plaintext_handshake(stream: &[u8]) -> Vec<u8> {
    let mut hs = Vec::new();
    for r in records(stream) {
        match r.first() {
            Some(22) => hs.extend_from_slice(r.get(5..).unwrap_or_default()),
            Some(20) => break,
            _ => {}
        }
    }
    hs
}

/// The whole handshake messages (4-byte header and body) of a plaintext handshake stream.
pub fn handshake_messages(hs: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = hs;
    while let Some(h) = rest.get(..4) {
        let len = (usize::from(h[1]) << 16) | (usize::from(h[2]) << 8) | usize::from(h[3]);
        let Some((m, tail)) = rest.split_at_checked(4 + len) else {
            break;
        };
        out.push(m);
        rest = tail;
    }
    out
}
