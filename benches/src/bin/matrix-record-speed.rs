//! matrix-record-speed: bulk throughput of matrix-ssl's record layer, timed like `openssl
//! speed`, for `cargo xtask bench tls12` (which runs it in turn with `openssl speed -evp
//! aes-128-gcm`, so that the load of a shared machine hits both alike).
//!
//! `matrix-record-speed SUITE_HEX OP MILLISECONDS` protects (`OP` = `encrypt`) or opens
//! (`decrypt`) full TLS 1.2 records of 2^14 plaintext bytes with `SUITE`'s record state
//! (`matrix_ssl::record::cipher_states`: for AES-GCM the RFC 5288 explicit nonce from the
//! sequence number, the additional data, the tag) for about that long, and prints
//! `suite=0x.... op=OP bytes_per_s=N`. `openssl speed -bytes 16384 -evp aes-128-gcm` does
//! the same work without the record framing. Exit codes: 0 ok, 1 a record failed, 2 bad
//! arguments.
//!
//! Time is the thread's CPU time where Linux reports it (`/proc/thread-self/schedstat`),
//! as `openssl speed` counts user CPU time by default; elsewhere it is wall time.

#![forbid(unsafe_code)]

use std::process::ExitCode;
use std::time::Instant;

use matrix_benches::{BenchRng, cpu_seconds, elapsed};
use matrix_ssl::codec::{CipherSuite, ContentType, ProtocolVersion};
use matrix_ssl::record::{Side, cipher_states, key_block, master_secret_for};
use matrix_ssl::suites::lookup;

const V: ProtocolVersion = ProtocolVersion::TLSv1_2;
const APP: ContentType = ContentType::ApplicationData;
/// A full record's plaintext (RFC 5246 6.2.1), `openssl speed -bytes 16384`'s block.
const RECORD: usize = 16 * 1024;

/// Records of `suite` protected (or opened) per second, as plaintext bytes per second.
fn run(suite: u16, encrypt: bool, millis: u64) -> Result<f64, String> {
    let info = lookup(CipherSuite::from(suite))
        .ok_or_else(|| format!("suite 0x{suite:04X} is not compiled in"))?;
    let (cr, sr) = ([1u8; 32], [2u8; 32]);
    let ms = master_secret_for(V, info, &[3u8; 48], &cr, &sr);
    let kb = key_block(V, info, &ms, &cr, &sr);
    let (mut enc, _) = cipher_states(V, info, &kb, Side::Client).map_err(|e| e.to_string())?;
    let (_, mut dec) = cipher_states(V, info, &kb, Side::Server).map_err(|e| e.to_string())?;
    let data = vec![0xa5u8; RECORD];
    let mut rng = BenchRng(7);
    let mut out = Vec::with_capacity(RECORD + 64);
    let budget = millis as f64 / 1e3;
    let (start, cpu0) = (Instant::now(), cpu_seconds());
    let mut n = 0u64;
    if encrypt {
        while n == 0 || elapsed(start, cpu0) < budget {
            out.clear();
            enc.encrypt(n, APP, V, &data, &mut rng, &mut out)
                .map_err(|e| e.to_string())?;
            n += 1;
        }
    } else {
        // One sealed record per sequence number would time the sealing too: open the same
        // record again and again (its nonce and additional data are the sequence
        // number's, which stays the one it was sealed with).
        let mut sealed = Vec::with_capacity(RECORD + 64);
        enc.encrypt(0, APP, V, &data, &mut rng, &mut sealed)
            .map_err(|e| e.to_string())?;
        let mut buf = sealed.clone();
        while n == 0 || elapsed(start, cpu0) < budget {
            buf.copy_from_slice(&sealed);
            let range = dec
                .decrypt(0, APP, V, &mut buf)
                .map_err(|e| format!("record {n}: {e:?}"))?;
            if range.len() != RECORD {
                return Err(format!("record {n}: {} bytes opened", range.len()));
            }
            n += 1;
        }
    }
    Ok((n * RECORD as u64) as f64 / elapsed(start, cpu0))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let suite = args.first().and_then(|a| {
        u16::from_str_radix(a.trim_start_matches("0x").trim_start_matches("0X"), 16).ok()
    });
    let encrypt = match args.get(1).map(String::as_str) {
        Some("encrypt") => Some(true),
        Some("decrypt") => Some(false),
        _ => None,
    };
    let millis = args.get(2).and_then(|a| a.parse::<u64>().ok());
    let (Some(suite), Some(encrypt), Some(millis)) = (suite, encrypt, millis) else {
        eprintln!("usage: matrix-record-speed SUITE_HEX encrypt|decrypt MILLISECONDS");
        return ExitCode::from(2);
    };
    match run(suite, encrypt, millis) {
        Ok(rate) => {
            let op = if encrypt { "encrypt" } else { "decrypt" };
            println!("suite=0x{suite:04X} op={op} bytes_per_s={rate:.0}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("matrix-record-speed: {e}");
            ExitCode::from(1)
        }
    }
}
