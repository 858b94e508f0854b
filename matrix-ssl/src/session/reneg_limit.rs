//! The re-handshake rate limit of one session (matrix; MatrixSSL 3.2 has none): a token
//! bucket of `Config::rehandshakes_per_minute` tokens, full at the start and refilled
//! continuously at that many per minute by the context's clock. Each re-handshake the
//! peer asks for (a ClientHello on an established server session that did not send a
//! HelloRequest, a HelloRequest on an established client session) takes a token; without
//! one the request is refused (RFC 5746 section 4.2 / RFC 2246 section 7.2.2: a
//! no_renegotiation warning, which SSL 3.0 lacks), and a second refused request in a row
//! ends the session, since a peer that ignores the refusal is flooding. TLS sessions
//! (`session::records`) and the DTLS handshake engine (`engine`) both apply it.

/// Milliseconds per minute: one token is worth this many units.
const MINUTE_MS: u64 = 60_000;

/// One session's bucket.
#[derive(Debug)]
pub(crate) struct RenegLimit {
    /// Tokens per minute; 0 turns the limit off.
    per_minute: u64,
    /// Tokens in the bucket, in units of 1/60000 token.
    units: u64,
    /// When the bucket was last refilled.
    last_ms: u64,
    /// The last request was refused.
    refused: bool,
}

/// What to do with a re-handshake request.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Renegotiate.
    Allow,
    /// Refuse it (the first refusal in a row).
    Refuse,
    /// The peer asked again right after a refusal: end the session.
    Flood,
}

impl RenegLimit {
    pub(crate) fn new(per_minute: u32, now_ms: u64) -> Self {
        let per_minute = u64::from(per_minute);
        RenegLimit {
            per_minute,
            units: per_minute.saturating_mul(MINUTE_MS),
            last_ms: now_ms,
            refused: false,
        }
    }

    /// Refills the bucket up to `now_ms` and takes a token for one request.
    pub(crate) fn request(&mut self, now_ms: u64) -> Verdict {
        if self.per_minute == 0 {
            return Verdict::Allow;
        }
        let elapsed = now_ms.saturating_sub(self.last_ms);
        self.last_ms = self.last_ms.max(now_ms);
        let cap = self.per_minute.saturating_mul(MINUTE_MS);
        self.units = self
            .units
            .saturating_add(elapsed.saturating_mul(self.per_minute))
            .min(cap);
        if self.units >= MINUTE_MS {
            self.units -= MINUTE_MS;
            self.refused = false;
            Verdict::Allow
        } else if self.refused {
            Verdict::Flood
        } else {
            self.refused = true;
            Verdict::Refuse
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_refills_at_the_configured_rate() {
        let mut l = RenegLimit::new(3, 1000);
        for _ in 0..3 {
            assert_eq!(l.request(1000), Verdict::Allow);
        }
        assert_eq!(l.request(1000), Verdict::Refuse);
        assert_eq!(l.request(1500), Verdict::Flood);
        // One token per 20 s at 3 a minute.
        assert_eq!(l.request(20_999), Verdict::Flood);
        assert_eq!(l.request(21_000), Verdict::Allow);
        assert_eq!(l.request(21_000), Verdict::Refuse);
        // A long pause refills to the bucket's size, no more.
        let later = 10 * MINUTE_MS;
        for _ in 0..3 {
            assert_eq!(l.request(later), Verdict::Allow);
        }
        assert_eq!(l.request(later), Verdict::Refuse);
        // A clock that goes back refills nothing and breaks nothing.
        assert_eq!(l.request(0), Verdict::Flood);
    }

    #[test]
    fn zero_means_no_limit() {
        let mut l = RenegLimit::new(0, 0);
        for _ in 0..1000 {
            assert_eq!(l.request(0), Verdict::Allow);
        }
    }
}
