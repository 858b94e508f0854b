//! Both roles over DTLS 1.0 (feature `dtls`): a matrix-dtls client and server session
//! joined by an in-memory datagram loop with no loss, the speed and heap figures of a
//! DTLS profile (RFC 4347).
//!
//! Every handshake, full or resumed, starts with a fresh server session for the client's
//! address, so the server answers the first ClientHello statelessly with a
//! HelloVerifyRequest and builds its handshake state only for the second one, whose
//! cookie verifies (section 4.2.1), as a server demultiplexing a real socket does. Bulk
//! data goes in records as large as the PMTU allows (one record per datagram, section
//! 4.1.1), not in TLS's 16 KiB records.
//!
//! The sessions are driven the way the application loop of matrix-dtls' documentation
//! drives them: one datagram per `received_data`, and `get_outdata` until it is empty
//! after every event. A side is asked for datagrams only after it received one (or when
//! it starts): an empty `get_outdata` followed by another with nothing received in
//! between is how a session learns that its retransmission timer expired, and this
//! lossless network never needs that.

use std::sync::Arc;
use std::time::Duration;

use matrix_dtls::{DtlsContext, DtlsSession};
use matrix_ssl::{AlertLevel, Config, Error, Keys, ProtocolVersion, Received, SessionId};

use super::measure::{Clock, MemoryPair, rate};

/// The client's transport address as the server's cookie binds it.
const CLIENT_ADDR: &[u8] = b"192.0.2.1:50000";

/// A client context, a server context (its cache makes resumption possible) and keys.
pub struct Pair {
    client: DtlsContext,
    server: DtlsContext,
    ckeys: Arc<Keys>,
    skeys: Arc<Keys>,
}

/// Moves every datagram `from` has queued into `to`, one `received_data` each, collecting
/// application data into `app`; returns whether anything moved.
fn pump(from: &mut DtlsSession, to: &mut DtlsSession, app: &mut Vec<u8>) -> Result<bool, Error> {
    let mut moved = false;
    loop {
        let dg = from.get_outdata();
        let n = dg.len();
        if n == 0 {
            return Ok(moved);
        }
        // Straight from one session's queue into the other's read buffer: the copy a
        // socket pair would make, and no other.
        to.get_readbuf()
            .get_mut(..n)
            .ok_or(Error::LimitFail)?
            .copy_from_slice(dg);
        from.sent_data(n)?;
        let mut r = to.received_data(n)?;
        loop {
            match r {
                Received::AppData(d) => app.extend_from_slice(d),
                Received::Alert {
                    level: AlertLevel::Fatal,
                    ..
                } => return Err(Error::ProtocolFail),
                Received::Alert { .. } => {}
                _ => break,
            }
            r = to.processed_data()?;
        }
        moved = true;
    }
}

/// A DTLS 1.0 context: the figures the footprint issue names are DTLS 1.0's (a build with
/// TLS 1.2 would otherwise negotiate DTLS 1.2).
fn dtls10() -> Config {
    let mut c = Config::dtls();
    c.max_version = ProtocolVersion::DTLSv1_0;
    c
}

/// Both contexts are DTLS 1.0 with the default PMTU; a handshake includes the cookie
/// round; `send` cuts the data into records of at most what the PMTU allows.
impl MemoryPair for Pair {
    type Session = DtlsSession;

    fn new() -> Result<Pair, Error> {
        Ok(Pair {
            client: matrix_dtls::open(dtls10())?,
            server: matrix_dtls::open(dtls10())?,
            ckeys: super::client_keys()?,
            skeys: super::server_keys()?,
        })
    }

    fn handshake(
        &self,
        suite: u16,
        resume: Option<&SessionId>,
    ) -> Result<(DtlsSession, DtlsSession), Error> {
        let mut c =
            self.client
                .new_client_session(Arc::clone(&self.ckeys), resume, suite, None, None)?;
        let mut s = self
            .server
            .new_server_session(Arc::clone(&self.skeys), None, CLIENT_ADDR)?;
        let mut app = Vec::new();
        // Flights alternate, so each side speaks right after it heard the other. A full
        // handshake is four flights each way with the cookie round; more means it is
        // stuck.
        for _ in 0..8 {
            let a = pump(&mut c, &mut s, &mut app)?;
            let b = pump(&mut s, &mut c, &mut app)?;
            if c.is_handshake_complete() && s.is_handshake_complete() {
                return Ok((c, s));
            }
            if !a && !b {
                break;
            }
        }
        Err(Error::ProtocolFail)
    }

    fn send(c: &mut DtlsSession, s: &mut DtlsSession, data: &[u8]) -> Result<Vec<u8>, Error> {
        let mut app = Vec::with_capacity(data.len());
        let record = c.max_app_data();
        if record == 0 {
            return Err(Error::LimitFail);
        }
        for chunk in data.chunks(record) {
            c.encode_to_outdata(chunk)?;
            pump(c, s, &mut app)?;
        }
        Ok(app)
    }
}

/// The `speed` measurements as one `key=value` line, with the TLS pair's keys (the
/// session bytes from `DtlsSession::memory_usage`); `pmtu` and `record_bytes` say how
/// large the bulk records were.
/// The DTLS version is the contexts' (DTLS 1.0): a version cap `max` is refused.
pub fn speed(budget: Duration, suite: u16, max: Option<u16>) -> Result<String, Error> {
    if max.is_some() {
        return Err(Error::ArgFail);
    }
    let p = Pair::new()?;
    let (c, s) = p.handshake(suite, None)?;
    let negotiated = c.cipher_suite().map(|cs| cs.get()).unwrap_or_default();
    let version = c.protocol_version().get();
    // What a session holds once established and idle, and the most it held.
    let (idle, peak) = s.memory_usage().max(c.memory_usage());
    let full = rate(budget, || p.handshake(suite, None).map(drop))?;
    // A fresh session to resume: the full handshakes above pushed older ones out of the
    // server's cache (SSL_SESSION_TABLE_SIZE entries).
    let (c, _) = p.handshake(suite, None)?;
    let id = c.session_id().ok_or(Error::ProtocolFail)?;
    let resumed = rate(budget, || {
        let (c, s) = p.handshake(suite, Some(&id))?;
        if c.is_resumed() && s.is_resumed() {
            Ok(())
        } else {
            Err(Error::ProtocolFail)
        }
    })?;
    let (mut c, mut s) = p.handshake(suite, None)?;
    let record = c.max_app_data();
    let block = vec![0x5au8; 1024 * 1024];
    let clock = Clock::start();
    let mut bytes = 0usize;
    while bytes == 0 || clock.seconds() < budget.as_secs_f64() {
        let got = Pair::send(&mut c, &mut s, &block)?;
        if got != block {
            return Err(Error::ProtocolFail);
        }
        bytes += got.len();
    }
    let mbs = bytes as f64 / 1e6 / clock.seconds();
    let pmtu = p.client.pmtu();
    Ok(format!(
        "suite=0x{negotiated:04X} version=0x{version:04X} full_hs_per_s={full:.1} \
         resumed_hs_per_s={resumed:.1} bulk_mb_per_s={mbs:.1} \
         session_idle_bytes={idle} session_peak_bytes={peak} pmtu={pmtu} record_bytes={record}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The record type of handshake messages and the HelloVerifyRequest's message type.
    const HANDSHAKE: u8 = 22;
    const HELLO_VERIFY_REQUEST: u8 = 3;
    /// A DTLS record header: type, version, epoch, 48-bit sequence number, length.
    const RECORD_HEADER: usize = 13;

    #[test]
    fn the_server_answers_the_first_hello_with_a_cookie_request() {
        let p = Pair::new().expect("contexts and keys");
        let mut c = p
            .client
            .new_client_session(Arc::clone(&p.ckeys), None, 0, None, None)
            .expect("client");
        let mut s = p
            .server
            .new_server_session(Arc::clone(&p.skeys), None, CLIENT_ADDR)
            .expect("server");
        let mut app = Vec::new();
        assert!(pump(&mut c, &mut s, &mut app).expect("hello delivered"));
        let dg = s.get_outdata();
        assert_eq!(dg.first(), Some(&HANDSHAKE), "{dg:?}");
        assert_eq!(dg.get(RECORD_HEADER), Some(&HELLO_VERIFY_REQUEST), "{dg:?}");
        assert!(!s.handshake_started(), "no server state before the cookie");
    }

    #[test]
    fn full_and_resumed_handshakes_complete_and_bulk_arrives_whole() {
        let p = Pair::new().expect("contexts and keys");
        let (c, s) = p.handshake(0x002F, None).expect("full handshake");
        assert!(!c.is_resumed() && !s.is_resumed());
        assert_eq!(c.protocol_version().get(), 0xFEFF);
        let id = c.session_id().expect("a session id");
        let (mut c, mut s) = p.handshake(0x002F, Some(&id)).expect("resumed");
        assert!(c.is_resumed() && s.is_resumed());
        // Several records, the last one short.
        let data: Vec<u8> = (0..5000u32).map(|i| i as u8).collect();
        assert!(c.max_app_data() < data.len() && c.max_app_data() < p.client.pmtu());
        assert_eq!(Pair::send(&mut c, &mut s, &data).expect("bulk"), data);
    }
}
