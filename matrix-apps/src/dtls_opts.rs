//! The flags of `matrix-dtls-server` and `matrix-dtls-client` on top of those of
//! `matrix-server` and `matrix-client` (which they flatten, so that both pairs of
//! programs take the same key, PSK, cipher, mode, `--quiet` and `--trace` flags): what
//! only a datagram transport has, the PMTU (`matrixDtlsSetPmtu`) and the retransmission
//! timer the application owns (RFC 4347 section 4.2.4.1, Appendix A of the API
//! reference). Also the programs' shared `main`.

use std::time::Duration;

use clap::Args;
use matrix_dtls::{DtlsContext, MAX_PMTU, MIN_PMTU};
use matrix_ssl::suites::{SUITES, lookup};
use matrix_ssl::{CipherSuite, Config, ProtocolVersion};

use crate::errors::{AppError, EXIT_USAGE, words};
use crate::names::{suite_name, version_name};
use crate::opts::Common;

/// The flags both DTLS programs share.
#[derive(Args, Debug, Clone)]
pub struct DtlsCommon {
    /// The largest datagram to send, in bytes (handshake messages are fragmented to fit;
    /// application data is one record per datagram).
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u16).range(i64::from(MIN_PMTU as u16)..=i64::from(MAX_PMTU as u16)))]
    pub pmtu: Option<u16>,
    /// The retransmission timer's first value in milliseconds: when nothing arrives for
    /// that long during a handshake, the last flight is sent again and the timer doubles
    /// (at most 60 s).
    #[arg(long, value_name = "MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(10..=60_000))]
    pub timeout: u64,
    /// Give up on a peer after this many timer expiries in a row without a datagram.
    #[arg(long, value_name = "N", default_value_t = 6)]
    pub retries: u32,
}

/// The flags of the TCP programs that do not apply to DTLS (the TLS version pins):
/// hidden from `--help`, refused when given.
const TCP_ONLY: [&str; 4] = ["ssl3", "tls1", "tls1_1", "tls1_2"];

/// The help of `--min-version` and `--max-version` in the DTLS programs, which take DTLS
/// versions there (see [`DtlsCommon::versions`]).
const VERSION_HELP: [(&str, &str); 2] = [
    (
        "min_version",
        "The oldest DTLS version accepted: dtls1.0 (the default) or dtls1.2",
    ),
    (
        "max_version",
        "The newest DTLS version offered or accepted: dtls1.2 (the default; DTLS 1.0 where \
         the build lacks TLS 1.2) or dtls1.0",
    ),
];

/// The longest the retransmission timer grows to (RFC 4347 section 4.2.4.1).
pub const MAX_TIMER: Duration = Duration::from_secs(60);

impl DtlsCommon {
    /// The timer's first value.
    pub fn initial_timer(&self) -> Duration {
        Duration::from_millis(self.timeout)
    }

    /// The DTLS version range of `--min-version`/`--max-version`: `dtls1.0` and
    /// `dtls1.2` set a bound; a bound left at the TCP programs' default (`ssl3`,
    /// `tls1.2`) takes `Config::dtls()`'s (DTLS 1.0 to DTLS 1.2); a TLS version is refused.
    pub fn versions(c: &Common) -> Result<(ProtocolVersion, ProtocolVersion), AppError> {
        let defaults = Config::dtls();
        let pick = |v: ProtocolVersion, tcp: ProtocolVersion, dtls: ProtocolVersion, flag| {
            if v.is_dtls() {
                Ok(v)
            } else if v == tcp {
                Ok(dtls)
            } else {
                Err(AppError::usage(format!(
                    "{flag} {}: the DTLS programs speak dtls1.0 (RFC 4347) and dtls1.2 (RFC 6347)",
                    version_name(v)
                )))
            }
        };
        let min = pick(
            c.min_version,
            ProtocolVersion::SSLv3,
            defaults.min_version,
            "--min-version",
        )?;
        let max = pick(
            c.max_version,
            ProtocolVersion::TLSv1_2,
            defaults.max_version,
            "--max-version",
        )?;
        if min.cmp_tls(max).is_some_and(|o| o.is_gt()) {
            return Err(AppError::usage("--min-version is newer than --max-version"));
        }
        Ok((min, max))
    }

    /// Rejects the flags of the TCP programs that have no meaning over DTLS.
    fn check(c: &Common) -> Result<(), AppError> {
        if c.exact_version().is_some() {
            return Err(AppError::usage(
                "--ssl3/--tls1/--tls1_1/--tls1_2 do not apply: the DTLS programs take \
                 --min-version/--max-version dtls1.0 or dtls1.2",
            ));
        }
        let dtls = [ProtocolVersion::DTLSv1_0, ProtocolVersion::DTLSv1_2];
        let (min, max) = Self::versions(c)?;
        let in_range = |v: &ProtocolVersion| {
            min.cmp_tls(*v).is_some_and(|o| o.is_le()) && v.cmp_tls(max).is_some_and(|o| o.is_le())
        };
        for id in &c.ciphers {
            let Some(s) = lookup(CipherSuite::from(*id)) else {
                continue;
            };
            if !dtls.iter().any(|v| s.allowed_in(*v)) {
                return Err(AppError::usage(format!(
                    "--cipher {}: RC4 suites do not exist in DTLS (RFC 4347 and RFC 6347 \
                     section 4.1.2.2)",
                    suite_name(*id)
                )));
            }
            if !dtls
                .iter()
                .filter(|v| in_range(v))
                .any(|v| s.allowed_in(*v))
            {
                return Err(AppError::usage(format!(
                    "--cipher {}: a DTLS 1.2 suite, outside --min-version/--max-version",
                    suite_name(*id)
                )));
            }
        }
        Ok(())
    }

    /// A DTLS context (`Config::dtls()`) with `--pmtu` and, when `--cipher` is given,
    /// every other compiled-in suite disabled.
    pub fn context(&self, common: &Common) -> Result<DtlsContext, AppError> {
        self.context_with(common, Config::dtls())
    }

    /// [`DtlsCommon::context`] from `config` (`Config::dtls()` with the server's cache
    /// size, say); the version flags override its range.
    pub fn context_with(
        &self,
        common: &Common,
        mut config: Config,
    ) -> Result<DtlsContext, AppError> {
        Self::check(common)?;
        (config.min_version, config.max_version) = Self::versions(common)?;
        // The programs print the peer's certificate after the handshake.
        config.keep_peer_certificates = true;
        // As in the TCP programs: clients ask for RFC 5077 tickets (servers issue them once
        // `dtls_server::serve` loads a key) unless `--no-ticket`.
        config.session_tickets = !common.no_ticket;
        let ctx = matrix_dtls::open(config).map_err(|e| match e {
            matrix_ssl::Error::ArgFail => AppError::usage(
                "no DTLS version between --min-version and --max-version is compiled into this \
                 build",
            ),
            other => AppError::usage(format!("opening the library for DTLS: {}", words(other))),
        })?;
        let chosen = &common.ciphers;
        let others = SUITES
            .iter()
            .map(|s| s.suite.get())
            .filter(|id| !chosen.is_empty() && !chosen.contains(id));
        for id in others {
            ctx.context()
                .set_cipher_suite_enabled_status(id, false)
                .map_err(|e| AppError::usage(format!("--cipher: {}", words(e))))?;
        }
        if let Some(p) = self.pmtu {
            ctx.set_pmtu(i32::from(p));
        }
        Ok(ctx)
    }
}

/// The `main` of both DTLS programs: parses the command line (`--help` and `--version`
/// exit 0, a bad flag 2), runs `run`, and turns its result into the exit code (an error
/// is printed after `who`).
pub fn main<A: clap::Parser>(
    who: &str,
    run: fn(&A) -> Result<u8, AppError>,
) -> std::process::ExitCode {
    let cmd = TCP_ONLY
        .iter()
        .fold(A::command(), |cmd, id| cmd.mut_arg(*id, |a| a.hide(true)));
    let cmd = VERSION_HELP.iter().fold(cmd, |cmd, (id, help)| {
        cmd.mut_arg(*id, |a| a.help(*help).hide_default_value(true))
    });
    let args = match cmd.try_get_matches().and_then(|m| A::from_arg_matches(&m)) {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            let code = if e.use_stderr() { EXIT_USAGE } else { 0 };
            return std::process::ExitCode::from(code);
        }
    };
    std::process::ExitCode::from(run(&args).unwrap_or_else(|e| {
        eprintln!("{who}: {e}");
        e.code
    }))
}
