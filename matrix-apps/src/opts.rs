//! The flags both programs share (clap), and the context they make.

use clap::{Args, ValueEnum};
use matrix_ssl::suites::SUITES;
use matrix_ssl::{Config, Context, ProtocolVersion};

use crate::errors::{AppError, words};
use crate::keyfiles::KeyArgs;
use crate::names::{parse_suite, parse_version};

/// What the programs do with the connection once the handshake is done.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Mode {
    /// Client: send `GET / HTTP/1.0` and print the answer. Server: answer any request
    /// with a page naming the negotiated version and suite.
    Http,
    /// Client: send `--message` and a newline, print the first line that comes back.
    /// Server: send back whatever arrives until the client closes.
    Echo,
    /// Standard input to the peer, the peer to standard output (one connection).
    Raw,
}

/// Flags of both `matrix-server` and `matrix-client`.
#[derive(Args, Debug, Clone)]
pub struct Common {
    /// Our certificate chain: PEM or DER files, `;`-separated, child first.
    #[arg(long, value_name = "FILES")]
    pub cert: Option<String>,
    /// Our RSA private key file (PKCS#1 or PKCS#8, PEM or DER).
    #[arg(long, value_name = "FILE")]
    pub key: Option<String>,
    /// The password of an encrypted key file.
    #[arg(long = "key-password", value_name = "PASSWORD")]
    pub key_password: Option<String>,
    /// Trusted CA certificates: PEM or DER files, `;`-separated.
    #[arg(long, value_name = "FILES")]
    pub ca: Option<String>,
    /// The oldest protocol version accepted: ssl3, tls1.0, tls1.1.
    #[arg(long = "min-version", value_name = "VERSION", value_parser = parse_version, default_value = "ssl3")]
    pub min_version: ProtocolVersion,
    /// The newest protocol version offered or accepted: ssl3, tls1.0, tls1.1.
    #[arg(long = "max-version", value_name = "VERSION", value_parser = parse_version, default_value = "tls1.1")]
    pub max_version: ProtocolVersion,
    /// A cipher suite to allow (IANA name or hex id, e.g. TLS_RSA_WITH_AES_128_CBC_SHA or
    /// 0x002F); repeat for several. Default: every compiled-in suite.
    #[arg(long = "cipher", value_name = "SUITE", value_parser = parse_suite)]
    pub ciphers: Vec<u16>,
    /// What to do after the handshake.
    #[arg(long, value_enum, default_value = "http")]
    pub mode: Mode,
    /// Print only the data (no connection summaries, no announcements).
    #[arg(long, short)]
    pub quiet: bool,
    /// Print every record (messages, versions, suites, alerts) and every state the session
    /// reports (`received_data`, `processed_data`, `sent_data` results) on stderr.
    #[arg(long)]
    pub trace: bool,
}

impl Common {
    /// The key flags.
    pub fn key_args(&self) -> KeyArgs {
        KeyArgs {
            cert: self.cert.clone(),
            key: self.key.clone(),
            password: self.key_password.clone(),
            ca: self.ca.clone(),
        }
    }

    /// A context with the version range and, when `--cipher` is given, every other
    /// compiled-in suite disabled (`matrixSslSetCipherSuiteEnabledStatus(NULL, ...)`).
    pub fn context(&self) -> Result<Context, AppError> {
        self.context_with(Config::default())
    }

    /// [`Common::context`] from `config` (the server's cache size, say) instead of the
    /// defaults; the version flags override its range.
    pub fn context_with(&self, mut config: Config) -> Result<Context, AppError> {
        if self.min_version.get() > self.max_version.get() {
            return Err(AppError::usage("--min-version is newer than --max-version"));
        }
        config.min_version = self.min_version;
        config.max_version = self.max_version;
        let ctx = matrix_ssl::open(config).map_err(|e| match e {
            matrix_ssl::Error::ArgFail => AppError::usage(
                "no protocol version between --min-version and --max-version is compiled into \
                 this build",
            ),
            other => AppError::usage(format!("opening the library: {}", words(other))),
        })?;
        if !self.ciphers.is_empty() {
            for s in SUITES {
                let id = s.suite.get();
                if !self.ciphers.contains(&id) {
                    ctx.set_cipher_suite_enabled_status(id, false)
                        .map_err(|e| AppError::usage(format!("--cipher: {}", words(e))))?;
                }
            }
        }
        Ok(ctx)
    }
}
