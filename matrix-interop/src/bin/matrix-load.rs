//! matrix-load: one round of the load test `cargo xtask load` drives against a running
//! `matrix-server --mode echo` on 127.0.0.1.
//!
//! `--sessions N` client sessions start together (one thread each, released by a barrier).
//! Each makes a full handshake and keeps that connection open until every session has
//! made its own, so the server holds N live sessions at once; then each closes, resumes its
//! session on a second connection, sends `--bytes` of data derived from its own index in
//! 8 KiB pieces and checks every byte of the echo, and closes with close_notify.
//!
//! At most [`CONNECTING`] sessions connect and handshake at the same moment: the server's
//! listen queue holds 128 connections (the standard library's backlog), and a burst of
//! more SYNs would be dropped and retried by TCP a second later, which would measure TCP's
//! retry timer rather than TLS.
//!
//! The round prints one summary line (`load: ...`, key=value pairs the xtask reads): full
//! handshakes per second (until all N were established), the time of the resumption and
//! echo phase, and handshakes per second over the whole round. It exits 1 when a handshake
//! failed, a resumption was refused, a byte was lost or wrong, or the round did not end
//! within `--timeout` seconds; each socket operation has its own timeout too, so every
//! thread ends.

#![forbid(unsafe_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::sync::{Arc, Barrier, Condvar, Mutex};
use std::time::{Duration, Instant};

use matrix_ssl::{Config, Context, Keys, SessionId, Stream};

/// How long one socket read or write may wait.
const IO_TIMEOUT: Duration = Duration::from_secs(30);
/// The echo is sent and checked piece by piece, so neither side's socket buffers fill.
const PIECE: usize = 8 * 1024;
/// The most sessions connecting and handshaking at once (below the server's listen queue
/// of 128).
const CONNECTING: usize = 100;

/// A counting semaphore bounding the sessions that connect and handshake at once.
struct Gate {
    busy: Mutex<usize>,
    freed: Condvar,
}

impl Gate {
    fn new() -> Gate {
        Gate {
            busy: Mutex::new(0),
            freed: Condvar::new(),
        }
    }

    /// Runs `f` once fewer than [`CONNECTING`] others are inside.
    fn pass<T>(&self, f: impl FnOnce() -> T) -> T {
        let mut n = self.busy.lock().unwrap_or_else(|p| p.into_inner());
        while *n >= CONNECTING {
            n = self.freed.wait(n).unwrap_or_else(|p| p.into_inner());
        }
        *n += 1;
        drop(n);
        let r = f();
        *self.busy.lock().unwrap_or_else(|p| p.into_inner()) -= 1;
        self.freed.notify_one();
        r
    }
}

/// What the session threads share.
struct Shared {
    ctx: Context,
    keys: Arc<Keys>,
    o: Options,
    gate: Gate,
    /// Released when every session (and the main thread) holds its first connection.
    established: Barrier,
}

struct Options {
    port: u16,
    sessions: usize,
    bytes: usize,
    timeout: Duration,
    ca: String,
}

fn usage() -> String {
    "usage: matrix-load --port P [--sessions N] [--bytes B] [--timeout SECONDS] [--ca FILE]"
        .to_string()
}

fn parse() -> Result<Options, String> {
    let mut o = Options {
        port: 0,
        sessions: 500,
        bytes: 64 * 1024,
        timeout: Duration::from_secs(300),
        ca: matrix_interop::testkeys("rsa2048/ca.pem"),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| format!("{a} needs a value\n{}", usage()))
        };
        let num = |v: String| {
            v.parse::<u64>()
                .map_err(|e| format!("{a} {v}: {e}\n{}", usage()))
        };
        match a.as_str() {
            "--port" => o.port = u16::try_from(num(value()?)?).map_err(|e| e.to_string())?,
            "--sessions" => {
                o.sessions = usize::try_from(num(value()?)?).map_err(|e| e.to_string())?
            }
            "--bytes" => o.bytes = usize::try_from(num(value()?)?).map_err(|e| e.to_string())?,
            "--timeout" => o.timeout = Duration::from_secs(num(value()?)?),
            "--ca" => o.ca = value()?,
            other => return Err(format!("unknown argument `{other}`\n{}", usage())),
        }
    }
    if o.port == 0 || o.sessions == 0 || o.sessions > 10_000 {
        return Err(format!(
            "--port is required and --sessions must be 1..=10000\n{}",
            usage()
        ));
    }
    Ok(o)
}

/// What one session did.
#[derive(Default)]
struct Tally {
    full_ok: bool,
    resumed_ok: bool,
    /// Echo bytes that came back equal to what was sent.
    echoed: usize,
    /// Echo bytes that came back different.
    wrong: usize,
    error: Option<String>,
    /// When the session started, had its first connection, and ended: the session threads
    /// take the times themselves (the main thread is one of N+1 runnable threads and may
    /// wake late).
    began: Option<Instant>,
    established: Option<Instant>,
    ended: Option<Instant>,
}

/// The data session `index` sends: a byte stream no other session sends (xorshift from
/// the index), so a reply routed to the wrong connection is caught.
fn payload(index: usize, len: usize) -> Vec<u8> {
    let mut x = 0x9e37_79b9_7f4a_7c15u64 ^ (index as u64).wrapping_mul(0x2545_f491_4f6c_dd1d);
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x.to_le_bytes()[0]
        })
        .collect()
}

fn connect(port: u16) -> Result<TcpStream, String> {
    let tcp = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
    tcp.set_read_timeout(Some(IO_TIMEOUT))
        .and_then(|()| tcp.set_write_timeout(Some(IO_TIMEOUT)))
        .and_then(|()| tcp.set_nodelay(true))
        .map_err(|e| format!("socket options: {e}"))?;
    Ok(tcp)
}

/// A client session on a new connection, handshake done, through the gate.
fn open(sh: &Shared, id: &SessionId) -> Result<Stream<TcpStream>, String> {
    sh.gate.pass(|| {
        let s = sh
            .ctx
            .new_client_session(Arc::clone(&sh.keys), Some(id), 0, None, None)
            .map_err(|e| format!("new session: {e}"))?;
        let mut st = Stream::new(s, connect(sh.o.port)?);
        st.handshake().map_err(|e| format!("handshake: {e}"))?;
        Ok(st)
    })
}

/// One session: full handshake (held open until every session has one), resumed
/// handshake, checked echo. Reaches the barrier whatever happens, so no thread waits
/// forever on a failed one.
fn session(sh: &Shared, index: usize, t: &mut Tally) {
    t.began = Some(Instant::now());
    let first = open(sh, &SessionId::new()).map_err(|e| format!("full {e}"));
    t.established = Some(Instant::now());
    sh.established.wait();
    let run = |t: &mut Tally| -> Result<(), String> {
        let mut st = first?;
        if st.session().is_resumed() {
            return Err("the first handshake claims to be resumed".into());
        }
        t.full_ok = true;
        let id = st
            .session()
            .session_id()
            .ok_or("the full handshake left no session to resume")?;
        st.shutdown().map_err(|e| format!("close: {e}"))?;
        drop(st);

        // The resumed handshake, then the echo on the same connection.
        let mut st = open(sh, &id).map_err(|e| format!("resumed {e}"))?;
        if !st.session().is_resumed() {
            return Err("the server refused to resume (full handshake instead)".into());
        }
        t.resumed_ok = true;
        let data = payload(index, sh.o.bytes);
        let mut back = vec![0u8; PIECE];
        for piece in data.chunks(PIECE) {
            st.write_all(piece)
                .map_err(|e| format!("echo write: {e}"))?;
            st.flush().map_err(|e| format!("echo flush: {e}"))?;
            let mut got = 0;
            while got < piece.len() {
                let room = back.get_mut(got..piece.len()).unwrap_or_default();
                match st.read(room) {
                    Ok(0) => return Err("the server closed during the echo".into()),
                    Ok(n) => got += n,
                    Err(e) => return Err(format!("echo read: {e}")),
                }
            }
            let same = piece
                .iter()
                .zip(back.iter())
                .filter(|(a, b)| a == b)
                .count();
            t.echoed += same;
            t.wrong += piece.len() - same;
        }
        st.shutdown().map_err(|e| format!("close: {e}"))?;
        Ok(())
    };
    if let Err(e) = run(t) {
        t.error = Some(e);
    }
    t.ended = Some(Instant::now());
}

fn main() -> ExitCode {
    let o = match parse() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("matrix-load: {e}");
            return ExitCode::from(2);
        }
    };
    let ctx = match matrix_ssl::open(Config::default()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("matrix-load: open: {e}");
            return ExitCode::from(2);
        }
    };
    let mut k = Keys::new();
    if let Err(e) = k.load_rsa_keys(None, None, None, Some(&o.ca)) {
        eprintln!("matrix-load: {}: {e}", o.ca);
        return ExitCode::from(2);
    }
    let sessions = o.sessions;
    let shared = Arc::new(Shared {
        ctx,
        keys: Arc::new(k),
        gate: Gate::new(),
        established: Barrier::new(sessions + 1),
        o,
    });
    let o = &shared.o;

    let (tx, rx) = channel::<(usize, Tally)>();
    let start_line = Arc::new(Barrier::new(sessions + 1));
    for index in 0..sessions {
        let (sh, tx, start_line) = (Arc::clone(&shared), tx.clone(), Arc::clone(&start_line));
        let spawned = std::thread::Builder::new()
            .stack_size(512 * 1024)
            .spawn(move || {
                start_line.wait();
                let mut t = Tally::default();
                session(&sh, index, &mut t);
                let _ = tx.send((index, t));
            });
        if let Err(e) = spawned {
            eprintln!("matrix-load: cannot start thread {index}: {e}");
            return ExitCode::FAILURE;
        }
    }
    drop(tx);
    start_line.wait();
    let start = Instant::now();
    let deadline = start + o.timeout;
    // Every session holds its first connection here (the sessions' socket timeouts bound
    // this wait).
    shared.established.wait();

    let (mut done, mut full, mut resumed, mut echoed, mut wrong) = (0usize, 0, 0, 0, 0);
    let (mut began, mut established, mut ended) = (None::<Instant>, start, start);
    let mut errors = Vec::new();
    while done < o.sessions {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((index, t)) => {
                done += 1;
                full += usize::from(t.full_ok);
                resumed += usize::from(t.resumed_ok);
                echoed += t.echoed;
                wrong += t.wrong;
                began = match (began, t.began) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                established = established.max(t.established.unwrap_or(established));
                ended = ended.max(t.ended.unwrap_or(ended));
                if let Some(e) = t.error {
                    errors.push(format!("session {index}: {e}"));
                }
            }
            Err(RecvTimeoutError::Timeout) => {
                errors.push(format!(
                    "{} sessions still running after {} s",
                    o.sessions - done,
                    o.timeout.as_secs()
                ));
                break;
            }
            Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    let began = began.unwrap_or(start).min(start);
    let secs = ended.duration_since(began).as_secs_f64();
    let established_secs = established.duration_since(began).as_secs_f64();
    let sent = o.sessions * o.bytes;
    let lost = sent - echoed - wrong;
    let failed_handshakes = (o.sessions - full) + (o.sessions - resumed);
    let handshakes = full + resumed;
    for e in errors.iter().take(10) {
        eprintln!("matrix-load: {e}");
    }
    if errors.len() > 10 {
        eprintln!("matrix-load: ... {} more failures", errors.len() - 10);
    }
    println!(
        "load: sessions={} full={full} resumed={resumed} failed_handshakes={failed_handshakes} \
         echo_bytes={sent} lost_bytes={lost} wrong_bytes={wrong} seconds={secs:.3} \
         all_established_s={established_secs:.3} full_per_s={:.1} \
         resume_and_echo_s={:.3} handshakes_per_s={:.1}",
        o.sessions,
        o.sessions as f64 / established_secs.max(1e-9),
        secs - established_secs,
        handshakes as f64 / secs.max(1e-9)
    );
    if errors.is_empty() && lost == 0 && wrong == 0 && failed_handshakes == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
