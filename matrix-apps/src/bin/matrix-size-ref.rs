//! matrix-size-ref: the reference binary of `cargo xtask matrix`.
//!
//! It is built once per feature profile (`--no-default-features --features client,...`):
//! with the `min-size` profile its text/data/bss are the profile's size, and in release
//! mode it measures the profile's speed. What it does depends on the roles compiled in:
//!
//! - both roles: `matrix-size-ref` runs one in-memory handshake and one message between a
//!   client and a server session (the buffer API, no sockets); `matrix-size-ref speed MS
//!   SUITE [MAX_VERSION]` measures full and resumed handshakes per second and bulk MB/s for
//!   `SUITE` (hex id, `0` for the client's choice), each for about `MS` milliseconds, and
//!   prints one `key=value` line; `MAX_VERSION` (hex, `0x0302` for TLS 1.1) caps the
//!   client's version (TLS sessions only). With the `dtls` feature the two sessions are a matrix-dtls DTLS 1.0
//!   client and server over an in-memory datagram loop (the `dtls_pair` module: cookie
//!   round, PMTU-sized records) instead of TLS sessions;
//! - one role: the session talks to standard input/output (what a device's firmware does
//!   with its only connection), reading and writing the descriptors directly (no stdio
//!   buffering: the size build measures the library, not std's buffered stdio), so the
//!   role's whole code stays in the binary; it cannot
//!   measure speed without a peer, so `cargo xtask matrix` measures with both roles;
//! - no role: prints that nothing is compiled in (the baseline the library's share is
//!   measured against).
//!
//! With the `heap-count` feature (the speed build of `cargo xtask matrix`, never the size
//! build), `matrix-size-ref heap SUITE` counts the heap with dhat's allocator and prints
//! the bytes an idle established client and server session hold and the peak of a full
//! in-memory handshake (both sessions; DTLS sessions with `dtls`). Why dhat beside the
//! library's own accounting (`Session::memory_usage`, `DtlsSession::memory_usage`, which
//! the `speed` line reports): the allocator also sees the scratch memory of single
//! operations (an RSA private-key operation, a chain being parsed) that the sessions'
//! own accounting leaves out, so its peak is what a device must provide.
//!
//! The keys are the rsa2048 test identity (`testkeys/`, public test material) in DER, so
//! that no PEM decoder is needed, and a test pre-shared key (PSK suites are offered only
//! with a key loaded); a build without private-key parsing (matrix-ssl's
//! `private-key-parsing` off, which loading the DER key reports as `PS_UNSUPPORTED_FAIL`)
//! loads the key from its components instead, as a device without a key parser would.
//! Exit codes: 0 ok, 1 a handshake failed, 2 bad arguments.

#![forbid(unsafe_code)]

use std::process::ExitCode;

/// Every allocation of the heap-measuring build goes through dhat, which counts it (and
/// passes it on to the system allocator); declaring it needs no unsafe code here.
#[cfg(feature = "heap-count")]
#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

#[cfg(any(feature = "client", feature = "server"))]
mod keys {
    //! The built-in test identity.
    #[cfg(all(feature = "server", not(feature = "ec-ca")))]
    pub const SERVER_CERT: &[u8] = include_bytes!("../../../testkeys/rsa2048/server.der");
    #[cfg(all(feature = "server", not(feature = "ec-ca")))]
    pub const INTERMEDIATE: &[u8] = include_bytes!("../../../testkeys/rsa2048/intermediate.der");
    #[cfg(all(feature = "server", not(feature = "ec-ca")))]
    pub const SERVER_KEY: &[u8] = include_bytes!("../../../testkeys/rsa2048/server-pkcs1.der");
    /// The same key as `name=HEX` lines (`testkeys/components.sh`).
    #[cfg(all(feature = "server", not(feature = "ec-ca")))]
    pub const SERVER_KEY_COMPONENTS: &str =
        include_str!("../../../testkeys/rsa2048/server-components.txt");
    #[cfg(all(feature = "client", not(feature = "ec-ca")))]
    pub const ROOT_CA: &[u8] = include_bytes!("../../../testkeys/rsa2048/ca.der");
    /// `ec-ca`: the ec-p256 root, and the server's EC identity for the speed pair.
    #[cfg(all(feature = "client", feature = "ec-ca"))]
    pub const EC_ROOT_CA: &[u8] = include_bytes!("../../../testkeys/ec-p256/ca.der");
    #[cfg(all(feature = "server", feature = "ec-ca"))]
    pub const EC_SERVER_CHAIN: &[u8] = include_bytes!("../../../testkeys/ec-p256/server-chain.der");
    #[cfg(all(feature = "server", feature = "ec-ca"))]
    pub const EC_SERVER_KEY: &[u8] = include_bytes!("../../../testkeys/ec-p256/server.der");
    /// A test pre-shared key, so that profiles with only PSK suites can handshake.
    pub const PSK_ID: &[u8] = b"matrix-size-ref";
    pub const PSK: &[u8] = b"matrix-size-ref test PSK 32 byte";
}

/// `ec-ca` (an ECDHE_ECDSA-only profile, no RSA): the ec-p256 identity and the PSK.
#[cfg(all(feature = "server", feature = "ec-ca"))]
fn server_keys() -> Result<std::sync::Arc<matrix_ssl::Keys>, matrix_ssl::Error> {
    let mut k = matrix_ssl::Keys::new();
    k.load_ec_keys_mem(
        Some(keys::EC_SERVER_CHAIN),
        Some(keys::EC_SERVER_KEY),
        None,
        None,
    )?;
    k.load_psk(keys::PSK_ID, keys::PSK)?;
    Ok(std::sync::Arc::new(k))
}

#[cfg(all(feature = "server", not(feature = "ec-ca")))]
fn server_keys() -> Result<std::sync::Arc<matrix_ssl::Keys>, matrix_ssl::Error> {
    let mut chain = keys::SERVER_CERT.to_vec();
    chain.extend_from_slice(keys::INTERMEDIATE);
    let mut k = matrix_ssl::Keys::new();
    match k.load_rsa_keys_mem(Some(&chain), Some(keys::SERVER_KEY), None) {
        Err(matrix_ssl::Error::UnsupportedFail) => {
            let c = |name| component(keys::SERVER_KEY_COMPONENTS, name);
            let (n, e, d, p, q) = (c("n")?, c("e")?, c("d")?, c("p")?, c("q")?);
            let (dp, dq, qinv) = (c("dp")?, c("dq")?, c("qinv")?);
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
            match k.load_rsa_keys_components(&chain, &parts, None) {
                // No RSA in the build (PSK suites only): the server holds the PSK alone.
                Err(matrix_ssl::Error::UnsupportedFail) => {}
                other => other?,
            }
        }
        other => other?,
    }
    k.load_psk(keys::PSK_ID, keys::PSK)?;
    Ok(std::sync::Arc::new(k))
}

/// The component `name` of a `name=HEX` listing.
#[cfg(all(feature = "server", not(feature = "ec-ca")))]
fn component(listing: &str, name: &str) -> Result<Vec<u8>, matrix_ssl::Error> {
    let hex = listing
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix('='))
        .ok_or(matrix_ssl::Error::ParseFail)?;
    (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
                .ok_or(matrix_ssl::Error::ParseFail)
        })
        .collect()
}

#[cfg(feature = "client")]
fn client_keys() -> Result<std::sync::Arc<matrix_ssl::Keys>, matrix_ssl::Error> {
    let mut k = matrix_ssl::Keys::new();
    // A build without certificates (PSK suites only) answers PS_UNSUPPORTED_FAIL: it
    // trusts no CA and authenticates the server by the PSK alone.
    match load_root_ca(&mut k) {
        Err(matrix_ssl::Error::UnsupportedFail) => {}
        other => other?,
    }
    k.load_psk(keys::PSK_ID, keys::PSK)?;
    Ok(std::sync::Arc::new(k))
}

/// The trusted root: rsa2048's.
#[cfg(all(feature = "client", not(feature = "ec-ca")))]
fn load_root_ca(k: &mut matrix_ssl::Keys) -> Result<(), matrix_ssl::Error> {
    k.load_rsa_keys_mem(None, None, Some(keys::ROOT_CA))
}

/// The trusted root of an `ec-ca` build: ec-p256's, through the EC loader (a build
/// without RSA has no other).
#[cfg(all(feature = "client", feature = "ec-ca"))]
fn load_root_ca(k: &mut matrix_ssl::Keys) -> Result<(), matrix_ssl::Error> {
    k.load_ec_keys_mem(None, None, None, Some(keys::EC_ROOT_CA))
}

// Beside this file, not in `src/bin/` where cargo would take it for a program of its own.
/// What both in-memory pairs (TLS sessions, or DTLS sessions with `dtls`) share: the
/// interface the measurements drive, and the measurements that do not depend on the
/// transport.
#[cfg(all(feature = "client", feature = "server"))]
mod measure {
    use std::time::{Duration, Instant};

    use matrix_ssl::{Error, SessionId};

    /// A client and a server context with their keys, joined in memory.
    pub trait MemoryPair: Sized {
        /// One side's session.
        type Session;

        /// Opens both contexts and loads the keys.
        fn new() -> Result<Self, Error>;

        /// One handshake (resuming `resume` if given) with `suite` (0: any); returns the
        /// client's and the server's session.
        fn handshake(
            &self,
            suite: u16,
            resume: Option<&SessionId>,
        ) -> Result<(Self::Session, Self::Session), Error>;

        /// Sends `data` from `c` to `s` and returns what `s` received.
        fn send(
            c: &mut Self::Session,
            s: &mut Self::Session,
            data: &[u8],
        ) -> Result<Vec<u8>, Error>;
    }

    /// The clock the figures are timed with: this thread's CPU time where Linux reports it
    /// (`/proc/thread-self/schedstat`), else wall time. On a shared, loaded machine wall
    /// time would charge the figures with other processes' turns (`openssl speed`, which
    /// `cargo xtask bench` compares with, counts CPU time too).
    pub struct Clock {
        start: Instant,
        cpu0: Option<f64>,
    }

    impl Clock {
        /// Starts the clock.
        pub fn start() -> Clock {
            Clock {
                start: Instant::now(),
                cpu0: cpu_seconds(),
            }
        }

        /// Seconds since the start.
        pub fn seconds(&self) -> f64 {
            match (self.cpu0, cpu_seconds()) {
                (Some(a), Some(b)) => b - a,
                _ => self.start.elapsed().as_secs_f64(),
            }
        }
    }

    /// This thread's CPU time in seconds, or `None` where it is not reported (kernels
    /// without scheduler statistics report 0).
    fn cpu_seconds() -> Option<f64> {
        let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
        // An integer parse: a float parser would grow the size build by about 20 KB.
        let ns: u64 = text.split_whitespace().next()?.parse().ok()?;
        (ns > 0).then_some(ns as f64 / 1e9)
    }

    /// Runs `f` repeatedly for about `budget` (of [`Clock`] time); returns runs per second.
    pub fn rate(budget: Duration, mut f: impl FnMut() -> Result<(), Error>) -> Result<f64, Error> {
        let clock = Clock::start();
        let mut n = 0u32;
        while n == 0 || clock.seconds() < budget.as_secs_f64() {
            f()?;
            n += 1;
        }
        Ok(f64::from(n) / clock.seconds())
    }

    /// The heap figures (`heap` with `heap-count`) as one `key=value` line.
    #[cfg(feature = "heap-count")]
    pub fn heap<P: MemoryPair>(suite: u16) -> Result<String, Error> {
        // Contexts (and a DTLS server's cookie secrets) and keys are shared by every
        // session: set up, and one handshake run so that lazily built tables exist, before
        // counting starts.
        let p = P::new()?;
        drop(p.handshake(suite, None)?);
        // Counting starts here: blocks allocated before are not counted, also when freed.
        let _profiler = dhat::Profiler::builder()
            .testing()
            .trim_backtraces(Some(1))
            .build();
        let (mut c, mut s) = p.handshake(suite, None)?;
        let peak = dhat::HeapStats::get().max_bytes;
        // The message also proves to a DTLS server that its last flight arrived, so what
        // it holds afterwards is an idle session's state.
        let got = P::send(&mut c, &mut s, &[0x5a; 100])?;
        if got.len() != 100 {
            return Err(Error::ProtocolFail);
        }
        let both = dhat::HeapStats::get().curr_bytes;
        drop(c);
        let server_only = dhat::HeapStats::get().curr_bytes;
        drop(s);
        // What stays is the server's cache entry for the session.
        let cached = dhat::HeapStats::get().curr_bytes;
        Ok(format!(
            "heap_client_idle_bytes={} heap_server_idle_bytes={} heap_handshake_peak_bytes={peak} \
             heap_cache_entry_bytes={cached}",
            both.saturating_sub(server_only),
            server_only.saturating_sub(cached),
        ))
    }

    /// One handshake and one message: what the size build does.
    pub fn once<P: MemoryPair>() -> Result<(), Error> {
        let p = P::new()?;
        let (mut c, mut s) = p.handshake(0, None)?;
        let got = P::send(&mut c, &mut s, b"ping")?;
        if got == b"ping" {
            Ok(())
        } else {
            Err(Error::ProtocolFail)
        }
    }
}

#[cfg(all(feature = "client", feature = "server", feature = "dtls"))]
#[path = "matrix-size-ref/dtls_pair.rs"]
mod dtls_pair;
/// Both roles over DTLS: two `DtlsSession`s joined by an in-memory datagram loop, in
/// place of the TLS pair.
#[cfg(all(feature = "client", feature = "server", feature = "dtls"))]
use dtls_pair as pair;

/// Both roles: two sessions joined by the buffer API.
#[cfg(all(feature = "client", feature = "server", not(feature = "dtls")))]
mod pair {
    use std::sync::Arc;
    use std::time::Duration;

    use matrix_ssl::{
        AlertLevel, Config, Context, Error, Keys, ProtocolVersion, Received, Session, SessionId,
    };

    use super::measure::{Clock, MemoryPair, rate};

    /// A client context, a server context (its cache makes resumption possible) and keys.
    pub struct Pair {
        client: Context,
        server: Context,
        ckeys: Arc<Keys>,
        skeys: Arc<Keys>,
    }

    /// Hands `data` to `s`, collecting application data into `app`.
    fn feed(s: &mut Session, mut data: &[u8], app: &mut Vec<u8>) -> Result<(), Error> {
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
                    Received::AppData(d) => app.extend_from_slice(d),
                    Received::Alert {
                        level: AlertLevel::Fatal,
                        ..
                    } => {
                        return Err(Error::ProtocolFail);
                    }
                    Received::Alert { .. } => {}
                    _ => break,
                }
                r = s.processed_data()?;
            }
        }
        Ok(())
    }

    /// Moves everything `from` has to send into `to`; returns whether anything moved.
    fn pump(from: &mut Session, to: &mut Session, app: &mut Vec<u8>) -> Result<bool, Error> {
        let mut moved = false;
        loop {
            let out = from.get_outdata().to_vec();
            if out.is_empty() {
                return Ok(moved);
            }
            from.sent_data(out.len())?;
            feed(to, &out, app)?;
            moved = true;
        }
    }

    impl Pair {
        /// Both contexts; the client's highest version is `max` (hex, as on the wire) when
        /// given, else the newest compiled in.
        fn with_client_max_version(max: Option<u16>) -> Result<Pair, Error> {
            let mut client = Config::default();
            if let Some(v) = max {
                client.max_version = ProtocolVersion::from(v);
            }
            Ok(Pair {
                client: matrix_ssl::open(client)?,
                server: matrix_ssl::open(Config::default())?,
                ckeys: super::client_keys()?,
                skeys: super::server_keys()?,
            })
        }
    }

    impl MemoryPair for Pair {
        type Session = Session;

        fn new() -> Result<Pair, Error> {
            Pair::with_client_max_version(None)
        }

        fn handshake(
            &self,
            suite: u16,
            resume: Option<&SessionId>,
        ) -> Result<(Session, Session), Error> {
            let mut c = self.client.new_client_session(
                Arc::clone(&self.ckeys),
                resume,
                suite,
                None,
                None,
            )?;
            let mut s = self
                .server
                .new_server_session(Arc::clone(&self.skeys), None)?;
            let mut app = Vec::new();
            // A handshake is at most a few flights each way; more means it is stuck.
            for _ in 0..16 {
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

        fn send(c: &mut Session, s: &mut Session, data: &[u8]) -> Result<Vec<u8>, Error> {
            let mut app = Vec::new();
            // One record at a time: the session's buffers are capped
            // (`Config::session_memory_cap`), as a device's would be.
            for chunk in data.chunks(16 * 1024) {
                c.encode_to_outdata(chunk)?;
                pump(c, s, &mut app)?;
            }
            Ok(app)
        }
    }

    /// The `speed` measurements as one `key=value` line; `max` caps the client's version
    /// (TLS 1.1 beside TLS 1.2 in `cargo xtask bench tls12`).
    pub fn speed(budget: Duration, suite: u16, max: Option<u16>) -> Result<String, Error> {
        let p = Pair::with_client_max_version(max)?;
        let (c, s) = p.handshake(suite, None)?;
        let negotiated = c.cipher_suite().map(|cs| cs.get()).unwrap_or_default();
        let version = c.protocol_version().get();
        // What a session holds once established and idle, and the most it held.
        let (idle, peak) = s.memory_usage().max(c.memory_usage());
        let full = rate(budget, || p.handshake(suite, None).map(drop))?;
        // A fresh session to resume: the full handshakes above pushed older ones out of
        // the server's cache (SSL_SESSION_TABLE_SIZE entries).
        let (c, _) = p.handshake(suite, None)?;
        let id = c.session_id().ok_or(Error::ProtocolFail)?;
        let resumed = rate(budget, || {
            let (c, _) = p.handshake(suite, Some(&id))?;
            if c.is_resumed() {
                Ok(())
            } else {
                Err(Error::ProtocolFail)
            }
        })?;
        let (mut c, mut s) = p.handshake(suite, None)?;
        let block = vec![0x5au8; 1024 * 1024];
        let clock = Clock::start();
        let mut bytes = 0usize;
        while bytes == 0 || clock.seconds() < budget.as_secs_f64() {
            let got = Pair::send(&mut c, &mut s, &block)?;
            if got.len() != block.len() {
                return Err(Error::ProtocolFail);
            }
            bytes += got.len();
        }
        let mbs = bytes as f64 / 1e6 / clock.seconds();
        Ok(format!(
            "suite=0x{negotiated:04X} version=0x{version:04X} full_hs_per_s={full:.1} \
             resumed_hs_per_s={resumed:.1} bulk_mb_per_s={mbs:.1} \
             session_idle_bytes={idle} session_peak_bytes={peak}"
        ))
    }
}

#[cfg(all(feature = "client", feature = "server"))]
fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        None => measure::once::<pair::Pair>().map(|()| println!("ok")),
        Some("speed") => {
            let ms = args.get(1).and_then(|a| a.parse::<u64>().ok());
            let suite = args.get(2).and_then(|a| {
                u16::from_str_radix(a.trim_start_matches("0x").trim_start_matches("0X"), 16).ok()
            });
            // An optional client version cap, hex as on the wire (0x0302: TLS 1.1).
            let max = match args.get(3) {
                None => None,
                Some(a) => {
                    let v = u16::from_str_radix(
                        a.trim_start_matches("0x").trim_start_matches("0X"),
                        16,
                    );
                    let Ok(v) = v else {
                        eprintln!("matrix-size-ref: bad version `{a}` (hex, e.g. 0x0302)");
                        return ExitCode::from(2);
                    };
                    Some(v)
                }
            };
            let (Some(ms), Some(suite)) = (ms, suite) else {
                eprintln!(
                    "usage: matrix-size-ref [speed MILLISECONDS SUITE_HEX [MAX_VERSION_HEX]]"
                );
                return ExitCode::from(2);
            };
            pair::speed(std::time::Duration::from_millis(ms), suite, max).map(|l| println!("{l}"))
        }
        #[cfg(feature = "heap-count")]
        Some("heap") => {
            let Some(suite) = args.get(1).and_then(|a| {
                u16::from_str_radix(a.trim_start_matches("0x").trim_start_matches("0X"), 16).ok()
            }) else {
                eprintln!("usage: matrix-size-ref heap SUITE_HEX");
                return ExitCode::from(2);
            };
            measure::heap::<pair::Pair>(suite).map(|l| println!("{l}"))
        }
        Some(_) => {
            eprintln!("usage: matrix-size-ref [speed MILLISECONDS SUITE_HEX]");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("matrix-size-ref: {e}");
            ExitCode::from(1)
        }
    }
}

/// One role over TLS: the session, with the role's keys.
#[cfg(all(feature = "client", not(feature = "server"), not(feature = "dtls")))]
fn tls_session(ctx: &matrix_ssl::Context) -> Result<matrix_ssl::Session, matrix_ssl::Error> {
    ctx.new_client_session(client_keys()?, None, 0, None, None)
}

/// One role over TLS: the session, with the role's keys.
#[cfg(all(feature = "server", not(feature = "client"), not(feature = "dtls")))]
fn tls_session(ctx: &matrix_ssl::Context) -> Result<matrix_ssl::Session, matrix_ssl::Error> {
    ctx.new_server_session(server_keys()?, None)
}

/// Standard input or output as a plain file (a duplicate of its descriptor): reads and
/// writes go straight to the descriptor, as a device's `send`/`recv` on its link do,
/// without the standard library's stdin buffer and stdout line buffering (which would
/// only copy the records once more, and whose code is not the library's).
#[cfg(not(all(feature = "client", feature = "server")))]
#[cfg(any(feature = "client", feature = "server"))]
#[cfg(not(feature = "dtls"))]
fn stdio_file(fd: std::os::fd::BorrowedFd<'_>) -> Result<std::fs::File, matrix_ssl::Error> {
    fd.try_clone_to_owned()
        .map(std::fs::File::from)
        .map_err(|_| matrix_ssl::Error::PlatformFail)
}

/// Sends everything the session has to send to `out` (standard output).
#[cfg(not(all(feature = "client", feature = "server")))]
#[cfg(any(feature = "client", feature = "server"))]
#[cfg(not(feature = "dtls"))]
fn flush(s: &mut matrix_ssl::Session, mut out: &std::fs::File) -> Result<(), matrix_ssl::Error> {
    use std::io::Write;
    loop {
        let data = s.get_outdata();
        if data.is_empty() {
            return Ok(());
        }
        let n = out
            .write(data)
            .map_err(|_| matrix_ssl::Error::PlatformFail)?;
        if n == 0 {
            return Err(matrix_ssl::Error::PlatformFail);
        }
        s.sent_data(n)?;
    }
}

/// One role over TLS: the handshake, one message each way and close_notify over standard
/// input/output, through the buffer API (MatrixSSL's event loop, what the firmware image
/// runs over its link): the same work as the firmware image and MatrixSSL's client, and
/// no more (no `Stream` adapter, no stdio buffers, no `std::io::Error` or message
/// formatting: an error is reported by its `PS_*` code). Checked by hand against
/// OpenSSL (Python's `ssl` server relayed to the program's standard input/output): the
/// minimal and ECDHE-ECDSA clients complete the handshake, send `ping`, read the answer
/// and close with close_notify.
#[cfg(not(all(feature = "client", feature = "server")))]
#[cfg(any(feature = "client", feature = "server"))]
#[cfg(not(feature = "dtls"))]
fn main() -> ExitCode {
    use matrix_ssl::{AlertDescription, AlertLevel, Error, Received};
    use std::io::Read;
    use std::os::fd::AsFd;
    let run = || -> Result<(), Error> {
        let ctx = matrix_ssl::open(matrix_ssl::Config::default())?;
        let mut s = tls_session(&ctx)?;
        let (mut sent, mut answered) = (false, false);
        let mut input = stdio_file(std::io::stdin().as_fd())?;
        let output = stdio_file(std::io::stdout().as_fd())?;
        loop {
            flush(&mut s, &output)?;
            if s.is_handshake_complete() && !sent {
                s.encode_to_outdata(b"ping")?;
                sent = true;
                continue;
            }
            if sent && answered {
                s.encode_closure_alert()?;
                return flush(&mut s, &output);
            }
            let n = input
                .read(s.get_readbuf())
                .map_err(|_| Error::PlatformFail)?;
            if n == 0 {
                return Err(Error::PlatformFail);
            }
            let mut r = s.received_data(n)?;
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
                        return if sent && answered {
                            Ok(())
                        } else {
                            Err(Error::ProtocolFail)
                        };
                    }
                    Received::Alert { .. } => {}
                    _ => break,
                }
                r = s.processed_data()?;
            }
        }
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report_error(e.code());
            ExitCode::from(1)
        }
    }
}

/// Writes `matrix-size-ref: error CODE` (the `PS_*` value) to standard error, as
/// `eprintln!` would, but through the descriptor and with the digits made here: no
/// formatting machinery or stderr lock in the one-role binary, whose size is the library's.
#[cfg(not(all(feature = "client", feature = "server")))]
#[cfg(any(feature = "client", feature = "server"))]
#[cfg(not(feature = "dtls"))]
fn report_error(code: i32) {
    use std::io::Write;
    use std::os::fd::AsFd;
    let mut line = b"matrix-size-ref: error -".to_vec();
    if code >= 0 {
        line.pop();
    }
    // At most 10 decimal digits in a u32, written from the last.
    let mut digits = [0u8; 10];
    let mut n = code.unsigned_abs();
    let mut used = 0;
    for slot in digits.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
        used += 1;
        if n == 0 {
            break;
        }
    }
    line.extend_from_slice(digits.get(digits.len() - used..).unwrap_or_default());
    line.push(b'\n');
    if let Ok(mut err) = stdio_file(std::io::stderr().as_fd()) {
        let _ = err.write_all(&line);
    }
}

/// No role: the baseline binary (the standard library and an empty matrix).
#[cfg(not(any(feature = "client", feature = "server")))]
fn main() -> ExitCode {
    println!("matrix-size-ref: no role compiled in (baseline)");
    ExitCode::SUCCESS
}

/// One role over DTLS (`dtls`): the session.
#[cfg(all(feature = "dtls", feature = "client", not(feature = "server")))]
fn dtls_session(
    ctx: &matrix_dtls::DtlsContext,
) -> Result<matrix_dtls::DtlsSession, matrix_ssl::Error> {
    ctx.new_client_session(client_keys()?, None, 0, None, None)
}

/// One role over DTLS (`dtls`): the session, its peer named by the only transport.
#[cfg(all(feature = "dtls", feature = "server", not(feature = "client")))]
fn dtls_session(
    ctx: &matrix_dtls::DtlsContext,
) -> Result<matrix_dtls::DtlsSession, matrix_ssl::Error> {
    ctx.new_server_session(server_keys()?, None, b"stdio")
}

/// One role over DTLS: the handshake and one message exchange, each datagram on standard
/// input/output behind a two-byte length (the only peer of a device's firmware). As in
/// the TLS one-role program, an error is reported by its `PS_*` code only (no message
/// formatting in the size build).
#[cfg(all(feature = "dtls", not(all(feature = "client", feature = "server"))))]
#[cfg(any(feature = "client", feature = "server"))]
fn main() -> ExitCode {
    use matrix_ssl::{Error, Received};
    use std::io::{Read, Write};
    let io = |_: std::io::Error| Error::PlatformFail;
    let run = || -> Result<(), Error> {
        let ctx = matrix_dtls::open(matrix_ssl::Config::dtls())?;
        let mut s = dtls_session(&ctx)?;
        let (mut input, mut output) = (std::io::stdin().lock(), std::io::stdout().lock());
        let mut pinged = false;
        loop {
            loop {
                let dg = s.get_outdata();
                let n = dg.len();
                if n == 0 {
                    break;
                }
                let len = u16::try_from(n)
                    .map_err(|_| Error::LimitFail)?
                    .to_be_bytes();
                output
                    .write_all(&len)
                    .and_then(|()| output.write_all(dg))
                    .and_then(|()| output.flush())
                    .map_err(io)?;
                s.sent_data(n)?;
            }
            if s.is_handshake_complete() && !pinged {
                pinged = true;
                s.encode_to_outdata(b"ping")?;
                continue;
            }
            let mut len = [0u8; 2];
            input.read_exact(&mut len).map_err(io)?;
            let n = usize::from(u16::from_be_bytes(len));
            let dst = s.get_readbuf().get_mut(..n).ok_or(Error::LimitFail)?;
            input.read_exact(dst).map_err(io)?;
            let mut r = s.received_data(n)?;
            loop {
                match r {
                    Received::AppData(_) if pinged => return Ok(()),
                    Received::AppData(_) | Received::Alert { .. } => {}
                    _ => break,
                }
                r = s.processed_data()?;
            }
        }
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("matrix-size-ref: error {}", e.code());
            ExitCode::from(1)
        }
    }
}
