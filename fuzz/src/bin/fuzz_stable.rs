//! The stable fuzz runner: runs the harnesses of `matrix_fuzz` for a fixed time each,
//! on inputs mutated from the committed seed corpora (bit flips, byte edits, inserts,
//! deletions, duplications, splices, interesting values, random bytes), with a cheap form
//! of feedback: an input whose behaviour digest is new joins the in-memory corpus.
//!
//! It is what `cargo xtask fuzz` runs where cargo-fuzz (libFuzzer, nightly) is missing, and
//! in CI. Deterministic for a given `--seed` (up to the time limit). A panic is saved to
//! `<artifacts>/<target>/crash-<digest>` and reported; an input running longer than
//! `--hang-seconds` is saved as `timeout-<digest>` and ends the run.
//!
//! usage: fuzz-stable [--seconds N] [--seed S] [--corpus DIR] [--artifacts DIR]
//!                    [--hang-seconds N] [TARGET...]

#![forbid(unsafe_code)]

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use matrix_fuzz::{Harness, RUN_TARGETS as TARGETS};

/// The largest input the mutator makes: more than a whole handshake transcript.
const MAX_LEN: usize = 48 * 1024;
/// The most inputs kept in memory per target.
const MAX_CORPUS: usize = 4096;

/// xorshift64*: fast and deterministic; the fuzzer needs no cryptographic randomness.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Values that sit on boundaries of lengths and code points.
const INTERESTING: &[u8] = &[
    0, 1, 2, 3, 4, 0x7f, 0x80, 0xfe, 0xff, 0x14, 0x15, 0x16, 0x17, 0x18,
];

/// Applies one to four random edits to `input`.
fn mutate(rng: &mut Rng, input: &mut Vec<u8>, corpus: &[Vec<u8>]) {
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        let len = input.len();
        match rng.below(11) {
            0 if len > 0 => {
                let i = rng.below(len);
                if let Some(b) = input.get_mut(i) {
                    *b ^= 1 << rng.below(8);
                }
            }
            1 if len > 0 => {
                let i = rng.below(len);
                if let Some(b) = input.get_mut(i) {
                    *b = rng.next() as u8;
                }
            }
            2 if len > 0 => {
                let i = rng.below(len);
                let v = INTERESTING
                    .get(rng.below(INTERESTING.len()))
                    .copied()
                    .unwrap_or(0);
                if let Some(b) = input.get_mut(i) {
                    *b = v;
                }
            }
            3 if len > 1 => {
                // A 16-bit length field set to a nearby or extreme value.
                let i = rng.below(len - 1);
                let v: u16 = match rng.below(4) {
                    0 => 0,
                    1 => 0xffff,
                    2 => (len - i) as u16,
                    _ => rng.next() as u16,
                };
                if let Some(s) = input.get_mut(i..i + 2) {
                    s.copy_from_slice(&v.to_be_bytes());
                }
            }
            4 if len < MAX_LEN => {
                let i = rng.below(len + 1);
                let n = 1 + rng.below(8);
                for _ in 0..n {
                    input.insert(i.min(input.len()), rng.next() as u8);
                }
            }
            5 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(64));
                input.drain(i..i + n);
            }
            6 if len > 0 && len < MAX_LEN => {
                // Duplicate a slice elsewhere: repeated records and messages.
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(256));
                let piece: Vec<u8> = input.get(i..i + n).unwrap_or_default().to_vec();
                let at = rng.below(len + 1);
                input.splice(at..at, piece);
            }
            7 if !corpus.is_empty() => {
                // Splice: our head with another input's tail.
                let other = corpus
                    .get(rng.below(corpus.len()))
                    .cloned()
                    .unwrap_or_default();
                let cut = rng.below(input.len() + 1);
                let from = rng.below(other.len() + 1);
                input.truncate(cut);
                input.extend_from_slice(other.get(from..).unwrap_or_default());
            }
            8 if len > 0 => input.truncate(rng.below(len)),
            9 if len > 0 => {
                let i = rng.below(len);
                if let Some(b) = input.get_mut(i) {
                    *b = if rng.below(2) == 0 {
                        b.wrapping_add(1)
                    } else {
                        b.wrapping_sub(1)
                    };
                }
            }
            _ => {
                let n = rng.below(64);
                input.extend((0..n).map(|_| rng.next() as u8));
            }
        }
        input.truncate(MAX_LEN);
    }
}

fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn load_corpus(dir: &Path) -> Vec<Vec<u8>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    // Sorted, so that a run with the same seed mutates the same inputs.
    files.sort();
    files
        .iter()
        .filter(|p| p.is_file())
        .filter_map(|p| std::fs::read(p).ok())
        .collect()
}

/// The message of the last panic, captured by the hook.
static PANIC_MESSAGE: Mutex<Option<String>> = Mutex::new(None);

/// What one target's run found.
struct Report {
    execs: u64,
    corpus: usize,
    digests: usize,
    crashes: Vec<(String, PathBuf)>,
}

fn save(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let _ = std::fs::create_dir_all(dir);
    let path = dir.join(name);
    let _ = std::fs::write(&path, data);
    path
}

/// Fuzzes one target for `seconds`; a hang ends the process after saving the input.
fn run_target(
    name: &str,
    harness: Harness,
    opts: &Options,
    current: &Arc<Mutex<Vec<u8>>>,
    progress: &Arc<AtomicU64>,
) -> Report {
    let seeds = load_corpus(&opts.corpus.join(name));
    let mut corpus: Vec<Vec<u8>> = if seeds.is_empty() {
        vec![vec![]]
    } else {
        seeds
    };
    let mut seen: HashSet<u64> = HashSet::new();
    let mut crashes: Vec<(String, PathBuf)> = Vec::new();
    let mut crash_messages: HashSet<String> = HashSet::new();
    let mut rng = Rng(opts.seed ^ fnv(name.as_bytes()) | 1);
    let artifacts = opts.artifacts.join(name);
    let deadline = Instant::now() + Duration::from_secs(opts.seconds);
    let mut execs = 0u64;
    // The seeds first, unmutated, then mutations until the deadline.
    let mut queue: Vec<Vec<u8>> = corpus.clone();
    loop {
        let input = match queue.pop() {
            Some(i) => i,
            None => {
                if Instant::now() >= deadline {
                    break;
                }
                let mut i = if rng.below(16) == 0 {
                    Vec::new()
                } else {
                    corpus
                        .get(rng.below(corpus.len()))
                        .cloned()
                        .unwrap_or_default()
                };
                mutate(&mut rng, &mut i, &corpus);
                i
            }
        };
        if let Ok(mut c) = current.lock() {
            c.clear();
            c.extend_from_slice(&input);
        }
        let result = std::panic::catch_unwind(|| harness(&input));
        execs += 1;
        progress.fetch_add(1, Ordering::Relaxed);
        match result {
            Ok(digest) => {
                if seen.insert(digest) && corpus.len() < MAX_CORPUS {
                    corpus.push(input);
                }
            }
            Err(_) => {
                let msg = PANIC_MESSAGE
                    .lock()
                    .ok()
                    .and_then(|mut m| m.take())
                    .unwrap_or_else(|| "panic".to_string());
                // One artifact per distinct panic message (the location is in it).
                if crash_messages.insert(msg.clone()) {
                    let path = save(&artifacts, &format!("crash-{:016x}", fnv(&input)), &input);
                    eprintln!("{name}: CRASH: {msg}\n  input saved to {}", path.display());
                    crashes.push((msg, path));
                }
            }
        }
    }
    Report {
        execs,
        corpus: corpus.len(),
        digests: seen.len(),
        crashes,
    }
}

struct Options {
    seconds: u64,
    seed: u64,
    corpus: PathBuf,
    artifacts: PathBuf,
    hang_seconds: u64,
    targets: Vec<String>,
}

fn parse_args() -> Result<Options, String> {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut o = Options {
        seconds: 5,
        seed: 0x6d61_7472_6978,
        corpus: here.join("corpus"),
        artifacts: here.join("artifacts"),
        hang_seconds: 60,
        targets: Vec::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--seconds" => o.seconds = value()?.parse().map_err(|e| format!("--seconds: {e}"))?,
            "--seed" => o.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--hang-seconds" => {
                o.hang_seconds = value()?
                    .parse()
                    .map_err(|e| format!("--hang-seconds: {e}"))?;
            }
            "--corpus" => o.corpus = PathBuf::from(value()?),
            "--artifacts" => o.artifacts = PathBuf::from(value()?),
            t if !t.starts_with('-') => o.targets.push(t.to_string()),
            other => return Err(format!("unknown option {other}")),
        }
    }
    for t in &o.targets {
        if !TARGETS.iter().any(|(n, _)| n == t) {
            return Err(format!("unknown target {t}"));
        }
    }
    Ok(o)
}

fn main() -> ExitCode {
    let opts = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("fuzz-stable: {e}");
            return ExitCode::from(2);
        }
    };
    // Keep the panic message for the report instead of printing every one.
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut m) = PANIC_MESSAGE.lock() {
            *m = Some(info.to_string());
        }
    }));
    let current = Arc::new(Mutex::new(Vec::new()));
    let progress = Arc::new(AtomicU64::new(0));
    // The watchdog: a harness that stops making progress is a hang.
    {
        let current = Arc::clone(&current);
        let progress = Arc::clone(&progress);
        let artifacts = opts.artifacts.clone();
        let limit = opts.hang_seconds;
        std::thread::spawn(move || {
            let mut last = progress.load(Ordering::Relaxed);
            let mut still = 0u64;
            loop {
                std::thread::sleep(Duration::from_secs(1));
                let now = progress.load(Ordering::Relaxed);
                if now == last {
                    still += 1;
                } else {
                    still = 0;
                    last = now;
                }
                if still >= limit {
                    let input = current.lock().map(|c| c.clone()).unwrap_or_default();
                    let path = save(&artifacts, &format!("timeout-{:016x}", fnv(&input)), &input);
                    eprintln!(
                        "fuzz-stable: HANG: one input ran over {limit} s; saved to {}",
                        path.display()
                    );
                    std::process::exit(1);
                }
            }
        });
    }
    let mut total_crashes = 0;
    println!(
        "{:<28} {:>10} {:>9} {:>8} {:>8} {:>7}",
        "target", "execs", "execs/s", "corpus", "digests", "crashes"
    );
    for (name, harness) in TARGETS {
        if !opts.targets.is_empty() && !opts.targets.iter().any(|t| t == name) {
            continue;
        }
        let t = Instant::now();
        let r = run_target(name, *harness, &opts, &current, &progress);
        let secs = t.elapsed().as_secs_f64().max(1e-9);
        println!(
            "{:<28} {:>10} {:>9.0} {:>8} {:>8} {:>7}",
            name,
            r.execs,
            r.execs as f64 / secs,
            r.corpus,
            r.digests,
            r.crashes.len()
        );
        total_crashes += r.crashes.len();
    }
    if total_crashes > 0 {
        eprintln!("fuzz-stable: {total_crashes} distinct crash(es); see the artifacts");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
