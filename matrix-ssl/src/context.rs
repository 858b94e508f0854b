//! [`Context`]: what MatrixSSL kept in globals (`matrixSslOpen` / `matrixSslClose`), held
//! in a value shared by its sessions: the server's session cache for resumption
//! (`SSL_SESSION_TABLE_SIZE` entries living `SSL_SESSION_ENTRY_LIFE`, least recently used
//! replaced first; RFC 2246 section 7.3 and F.1.4), the globally disabled cipher suites
//! (`matrixSslSetCipherSuiteEnabledStatus(NULL, ...)`), the random generator sessions are
//! seeded from, and the clock the cache expires by.
//!
//! A `Context` is an `Arc` inside: clone it freely. With matrix-core's `multithreading`
//! its shared state sits behind a mutex and the context is `Send + Sync`.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;

use matrix_core::Error;
use matrix_core::osdep::{Clock, Entropy};
use matrix_core::sync::Lock;
use matrix_crypto::drbg::HmacDrbg;
#[cfg(feature = "server-side-ssl")]
use matrix_crypto::prf::MasterSecret;
use matrix_crypto::random::SecureRandom;

use crate::codec::{CipherSuite, ProtocolVersion};
use crate::config::Config;

/// The versions this build compiles in, oldest first.
pub(crate) const COMPILED_VERSIONS: &[ProtocolVersion] = &[
    #[cfg(feature = "ssl3")]
    ProtocolVersion::SSLv3,
    #[cfg(feature = "tls")]
    ProtocolVersion::TLSv1_0,
    #[cfg(feature = "tls-1-1")]
    ProtocolVersion::TLSv1_1,
    #[cfg(feature = "tls-1-2")]
    ProtocolVersion::TLSv1_2,
    #[cfg(feature = "dtls")]
    ProtocolVersion::DTLSv1_0,
    // USE_DTLS with USE_TLS_1_2, as MatrixSSL 3.x enables DTLS 1.2: RFC 6347 is TLS 1.2's
    // cryptography over DTLS's records.
    #[cfg(all(feature = "dtls", feature = "tls-1-2"))]
    ProtocolVersion::DTLSv1_2,
];

/// Whether `v` lies within `min..=max` of the same family: TLS versions by value, DTLS
/// versions by their one's complement (they count down: DTLS 1.2 is 0xFEFD, newer than
/// DTLS 1.0's 0xFEFF). A range whose ends are of different families holds nothing.
fn within(v: ProtocolVersion, min: ProtocolVersion, max: ProtocolVersion) -> bool {
    let (at, lo, hi) = (version_order(v), version_order(min), version_order(max));
    // The family is bit 16 of the order: one comparison of the three keys.
    (at ^ lo) | (at ^ hi) < 1 << 16 && lo <= at && at <= hi
}

/// `within`'s sort key: the family in bit 16, the position in the family below it (one
/// plain function, not a closure called through a pointer three times).
fn version_order(x: ProtocolVersion) -> u32 {
    if x.is_dtls() {
        1 << 16 | u32::from(!x.get())
    } else {
        u32::from(x.get())
    }
}

/// A library context: `matrixSslOpen`'s result; dropping the last clone is
/// `matrixSslClose`.
#[derive(Clone)]
pub struct Context {
    pub(crate) inner: Arc<ContextInner>,
}

impl core::fmt::Debug for Context {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Context")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

pub(crate) struct ContextInner {
    pub(crate) config: Config,
    /// The versions both compiled in and within the configured range, oldest first.
    pub(crate) versions: Vec<ProtocolVersion>,
    #[cfg(feature = "server-side-ssl")]
    pub(crate) cache: Lock<SessionCache>,
    /// The RFC 5077 ticket keys and callback (servers).
    #[cfg(all(feature = "stateless-session-tickets", feature = "server-side-ssl"))]
    pub(crate) tickets: Lock<crate::handshake::ticket::TicketKeys>,
    pub(crate) disabled: Lock<Vec<CipherSuite>>,
    rng: Lock<HmacDrbg>,
    /// Boxed, as the entropy source is: the context is its only owner (an `Arc` here
    /// linked the reference counts' drop paths for one pointer; a caller that shares its
    /// clock boxes an `Arc` of it).
    clock: Box<dyn Clock + Send + Sync>,
    /// Whether sessions signal RFC 5746 (the SCSV / renegotiation_info) and honour the
    /// peer's signal. Always true outside this crate's unit tests, which clear it to make
    /// a peer from before RFC 5746 (legacy renegotiation cannot be tested otherwise: no
    /// API turns the signalling off, on purpose).
    pub(crate) rfc5746: bool,
}

/// `matrixSslOpen` with the operating system's entropy and clock.
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub fn open(config: Config) -> Result<Context, Error> {
    open_with(
        config,
        Box::new(matrix_core::osdep::OsEntropy),
        Box::new(matrix_core::osdep::SystemClock),
    )
}

/// `matrixSslOpen` with an explicit entropy source (seeding the context's HMAC-DRBG, from
/// which every session's generator is seeded) and clock (for session-cache expiry). This is
/// how a `no_std` firmware opens a context, and how tests move time (a
/// `Box::new(Arc::clone(&clock))` of a `matrix_core::osdep::ManualClock` they keep).
///
/// Fails with `PS_ARG_FAIL` when the configuration leaves no protocol version this build
/// has, or mixes TLS and DTLS versions (a context speaks over streams or over datagrams,
/// never both: see `Config::dtls`), and with the entropy source's error.
pub fn open_with(
    config: Config,
    entropy: Box<dyn Entropy + Send>,
    clock: Box<dyn Clock + Send + Sync>,
) -> Result<Context, Error> {
    // A plain loop (an iterator chain is a copy of `collect`'s generic code in a small build).
    let mut versions = Vec::new();
    let mut dtls = 0;
    for &v in COMPILED_VERSIONS {
        if within(v, config.min_version, config.max_version) {
            // No DTLS version is compiled without `dtls`: the count folds to 0 there.
            dtls += usize::from(cfg!(feature = "dtls") && v.is_dtls());
            versions.push(v);
        }
    }
    if versions.is_empty() || (dtls != 0 && dtls != versions.len()) {
        return Err(Error::ArgFail);
    }
    // Without matrix-core's `multithreading` the lock is a `RefCell` and this `Arc` is only
    // a reference count within one thread (the context is then neither `Send` nor `Sync`,
    // as intended); with it, the lock is a mutex and the context is shared across threads.
    // The generator is seeded inside the value handed to `Arc::new` (not into a local
    // first): one copy of its state fewer on the way to the heap.
    #[allow(clippy::arc_with_non_send_sync)]
    let inner = Arc::new(ContextInner {
        rng: Lock::new(HmacDrbg::new(entropy, b"matrix-ssl context")?),
        #[cfg(feature = "server-side-ssl")]
        cache: Lock::new(SessionCache::new(config.session_table_size)),
        #[cfg(all(feature = "stateless-session-tickets", feature = "server-side-ssl"))]
        tickets: Lock::new(crate::handshake::ticket::TicketKeys::default()),
        config,
        versions,
        disabled: Lock::new(Vec::new()),
        clock,
        rfc5746: true,
    });
    Ok(Context { inner })
}

impl Context {
    /// The configuration this context was opened with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The protocol versions this context speaks (compiled in and within
    /// `Config::min_version..=Config::max_version`), oldest first.
    pub fn versions(&self) -> &[ProtocolVersion] {
        &self.inner.versions
    }

    /// `matrixSslSetCipherSuiteEnabledStatus(NULL, id, status)`: disables (`enabled ==
    /// false`) or re-enables a compiled-in suite for every session of this context. Fails
    /// with `PS_FAILURE` (`MATRIXSSL_ERROR`) for a suite this build does not have. There is
    /// no limit on globally disabled suites.
    pub fn set_cipher_suite_enabled_status(&self, id: u16, enabled: bool) -> Result<(), Error> {
        let suite = CipherSuite::from(id);
        if crate::suites::lookup(suite).is_none() {
            return Err(Error::Failure);
        }
        let mut d = self.inner.disabled.lock();
        d.retain(|s| *s != suite);
        if !enabled {
            d.push(suite);
        }
        Ok(())
    }

    /// Whether this context speaks DTLS (it was opened with DTLS versions, see
    /// `Config::dtls`): its sessions are driven by matrix-dtls through
    /// [`crate::engine::HandshakeEngine`], not by [`crate::Session`].
    #[cfg(feature = "dtls")]
    #[cfg_attr(docsrs, doc(cfg(feature = "dtls")))]
    pub fn is_dtls(&self) -> bool {
        self.inner.is_dtls()
    }

    #[cfg(feature = "server-side-ssl")]
    #[cfg_attr(docsrs, doc(cfg(feature = "server-side-ssl")))]
    /// How many sessions the server cache holds now (expired ones included until they are
    /// looked up or replaced).
    pub fn cached_sessions(&self) -> usize {
        self.inner.cache.lock().entries.len()
    }
}

impl ContextInner {
    pub(crate) fn now_ms(&self) -> u64 {
        self.clock.now_ms()
    }

    /// Whether the versions are DTLS ones (`open_with` refuses a mix). Never in a build
    /// without `dtls` (it compiles no DTLS version): the callers' DTLS paths fold away.
    pub(crate) fn is_dtls(&self) -> bool {
        cfg!(feature = "dtls") && self.versions.iter().any(|v| v.is_dtls())
    }

    pub(crate) fn is_disabled(&self, suite: CipherSuite) -> bool {
        self.disabled.lock().contains(&suite)
    }

    /// A new generator for one session, seeded from the context's: sessions then draw
    /// randoms without taking the lock (DTLS sessions, whose engine needs a `Send`
    /// generator in every build).
    #[cfg(all(
        feature = "dtls",
        any(feature = "client-side-ssl", feature = "server-side-ssl")
    ))]
    pub(crate) fn session_rng(&self) -> Result<HmacDrbg, Error> {
        let mut seed = zeroize::Zeroizing::new([0u8; 48]);
        self.rng.lock().fill_bytes(&mut seed[..])?;
        let (entropy, nonce) = seed.split_at(32);
        Ok(HmacDrbg::from_seed(entropy, nonce, b"matrix-ssl session"))
    }

    /// The generator of a TLS session: the context's own, one lock per request. A child
    /// generator per session ([`ContextInner::session_rng`]) costs its instantiation
    /// (about 90,000 instructions, a third of a resumed handshake); a request to the shared
    /// one holds the lock for one generate (a few microseconds).
    pub(crate) fn shared_rng(self: &Arc<Self>) -> SharedRng {
        SharedRng(Arc::clone(self))
    }

    pub(crate) fn highest_version(&self) -> ProtocolVersion {
        // `open_with` refuses an empty list.
        self.versions
            .last()
            .copied()
            .unwrap_or(ProtocolVersion::TLSv1_0)
    }

    #[cfg(feature = "client-side-ssl")]
    pub(crate) fn speaks(&self, v: ProtocolVersion) -> bool {
        self.versions.contains(&v)
    }
}

/// A session's handle on its context's generator ([`ContextInner::shared_rng`]).
pub(crate) struct SharedRng(Arc<ContextInner>);

impl SecureRandom for SharedRng {
    fn fill_bytes(&mut self, dest: &mut [u8]) -> matrix_core::Result<()> {
        self.0.rng.lock().fill_bytes(dest)
    }
}

#[cfg(feature = "server-side-ssl")]
/// One resumable session on the server side.
pub(crate) struct CacheEntry {
    pub id: Vec<u8>,
    pub master: MasterSecret,
    pub suite: CipherSuite,
    pub version: ProtocolVersion,
    /// The session's master secret is an RFC 7627 extended one.
    pub ems: bool,
    created_ms: u64,
    last_used_ms: u64,
}

#[cfg(feature = "server-side-ssl")]
/// The server session cache: a small table, scanned linearly as MatrixSSL's is (32
/// entries by default); constant-size entries, no allocation per lookup.
pub(crate) struct SessionCache {
    capacity: usize,
    entries: Vec<CacheEntry>,
}

#[cfg(feature = "server-side-ssl")]
/// What a cache lookup hands the handshake: a copy of the entry.
pub(crate) struct CachedSession {
    pub master: MasterSecret,
    pub suite: CipherSuite,
    pub version: ProtocolVersion,
    pub ems: bool,
}

#[cfg(feature = "server-side-ssl")]
impl SessionCache {
    fn new(capacity: usize) -> Self {
        SessionCache {
            capacity,
            entries: Vec::new(),
        }
    }

    /// The live entry for `id`, refreshing its LRU time; an expired entry is removed.
    pub(crate) fn lookup(&mut self, id: &[u8], now: u64, life_ms: u64) -> Option<CachedSession> {
        let i = self.entries.iter().position(|e| e.id == id)?;
        let expired = self
            .entries
            .get(i)
            .is_none_or(|e| now.saturating_sub(e.created_ms) >= life_ms || now < e.created_ms);
        if expired {
            self.entries.swap_remove(i);
            return None;
        }
        let e = self.entries.get_mut(i)?;
        e.last_used_ms = now;
        Some(CachedSession {
            master: e.master.clone(),
            suite: e.suite,
            version: e.version,
            ems: e.ems,
        })
    }

    /// Stores a session, replacing first an entry with the same id, then an expired one,
    /// then the least recently used.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn insert(
        &mut self,
        id: &[u8],
        master: &MasterSecret,
        suite: CipherSuite,
        version: ProtocolVersion,
        ems: bool,
        now: u64,
        life_ms: u64,
    ) {
        if self.capacity == 0 || id.is_empty() {
            return;
        }
        let entry = CacheEntry {
            id: id.to_vec(),
            master: master.clone(),
            suite,
            version,
            ems,
            created_ms: now,
            last_used_ms: now,
        };
        let slot = self
            .entries
            .iter()
            .position(|e| e.id == id)
            .or_else(|| {
                self.entries
                    .iter()
                    .position(|e| now.saturating_sub(e.created_ms) >= life_ms)
            })
            .or_else(|| {
                (self.entries.len() >= self.capacity).then(|| {
                    self.entries
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, e)| e.last_used_ms)
                        .map_or(0, |(i, _)| i)
                })
            });
        match slot.and_then(|i| self.entries.get_mut(i)) {
            Some(e) => *e = entry,
            None => self.entries.push(entry),
        }
    }

    /// Forgets `id` (a session that ended with a fatal alert may not be resumed, RFC 2246
    /// section 7.2.2).
    pub(crate) fn remove(&mut self, id: &[u8]) {
        self.entries.retain(|e| e.id != id);
    }
}

/// RFC 5077 session tickets on a server (MatrixSSL 3.4's `matrixSslLoadSessionTicketKeys`,
/// `matrixSslDeleteSessionTicketKey` and `matrixSslSetSessionTicketCallback`).
///
/// MatrixSSL keeps these keys in `sslKeys_t`; here they live in the context, beside the
/// session cache that tickets stand in for, because [`crate::Keys`] is shared read-only by
/// its sessions (`Arc<Keys>`) while a server rotates ticket keys as it runs: every session
/// of the context, current and future, sees a key loaded or deleted here at once.
///
/// A server issues tickets once a key is loaded, to clients that send the SessionTicket
/// extension: a NewSessionTicket before its ChangeCipherSpec in each full handshake, and
/// in a resumption by a ticket of an older key (a renewed ticket under the newest key).
/// The ticket's lifetime is [`crate::Config::session_entry_life`], which also bounds
/// every ticket presented (so shortening it expires issued tickets too).
#[cfg(all(feature = "stateless-session-tickets", feature = "server-side-ssl"))]
#[cfg_attr(
    docsrs,
    doc(cfg(all(feature = "stateless-session-tickets", feature = "server-side-ssl")))
)]
impl Context {
    /// `matrixSslLoadSessionTicketKeys`: loads a ticket key (name, AES-128 or AES-256 key,
    /// 32-byte HMAC-SHA-256 key), which from now on issues every ticket; the keys loaded
    /// before it still accept their tickets until deleted. `PS_ARG_FAIL` for a bad key
    /// length or a name already loaded, `PS_LIMIT_FAIL` past
    /// [`crate::MAX_TICKET_KEYS`]. Generate the keys from a strong random source, and
    /// share them between the servers that should accept each other's tickets.
    pub fn load_session_ticket_keys(
        &self,
        name: &[u8; crate::TICKET_KEY_NAME_LEN],
        symkey: &[u8],
        hashkey: &[u8],
    ) -> Result<(), Error> {
        let key = crate::SessionTicketKey::new(name, symkey, hashkey)?;
        self.inner.tickets.lock().load(key)
    }

    /// `matrixSslDeleteSessionTicketKey`: forgets the key named `name` (wiping it); its
    /// tickets then fall back to full handshakes. `PS_FAILURE` when no key has that name.
    pub fn delete_session_ticket_key(
        &self,
        name: &[u8; crate::TICKET_KEY_NAME_LEN],
    ) -> Result<(), Error> {
        self.inner.tickets.lock().delete(name)
    }

    /// `matrixSslSetSessionTicketCallback`: called for a ticket whose key name is not
    /// loaded; see [`crate::SessionTicketCallback`]. Replaces a previous callback.
    pub fn set_session_ticket_callback(&self, cb: crate::SessionTicketCallback) {
        self.inner.tickets.lock().set_callback(cb);
    }
}

#[cfg(test)]
mod tests {
    use super::within;
    use crate::codec::ProtocolVersion as V;

    /// TLS versions by value, DTLS ones counting down, never across the families.
    #[test]
    fn within_orders_each_family_and_refuses_mixed_ranges() {
        assert!(within(V::TLSv1_1, V::TLSv1_0, V::TLSv1_2));
        assert!(within(V::SSLv3, V::SSLv3, V::SSLv3));
        assert!(!within(V::TLSv1_2, V::SSLv3, V::TLSv1_1));
        assert!(!within(V::SSLv3, V::TLSv1_0, V::TLSv1_2));
        assert!(within(V::DTLSv1_2, V::DTLSv1_0, V::DTLSv1_2));
        assert!(within(V::DTLSv1_0, V::DTLSv1_0, V::DTLSv1_2));
        assert!(!within(V::DTLSv1_2, V::DTLSv1_0, V::DTLSv1_0));
        // A DTLS range holds no TLS version, and a mixed range holds nothing.
        assert!(!within(V::TLSv1_2, V::DTLSv1_0, V::DTLSv1_2));
        assert!(!within(V::DTLSv1_0, V::TLSv1_0, V::TLSv1_2));
        assert!(!within(V::TLSv1_1, V::TLSv1_0, V::DTLSv1_2));
        assert!(!within(V::DTLSv1_0, V::TLSv1_0, V::DTLSv1_0));
    }
}
