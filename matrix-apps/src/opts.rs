//! The flags both programs share (clap), and the context they make.

use clap::{Args, ValueEnum};
use matrix_ssl::suites::SUITES;
use matrix_ssl::{Config, Context, ProtocolVersion};

use crate::errors::{AppError, words};
use crate::keyfiles::KeyArgs;
use crate::names::{parse_suite, parse_version};

/// What the programs do with the connection once the handshake is done.
#[non_exhaustive]
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
    /// Our private key file: RSA (PKCS#1 or PKCS#8) or, in builds with `ecc`, EC on P-256
    /// or P-384 (SEC 1 or PKCS#8), PEM or DER.
    #[arg(long, value_name = "FILE")]
    pub key: Option<String>,
    /// A second identity beside `--cert`/`--key` (or the built-in RSA one): an EC (P-256
    /// or P-384) certificate chain, PEM or DER files, `;`-separated, child first. A server
    /// holding both chooses per suite and the client's signature algorithms
    /// (`matrixSslLoadEcKeys`). Builds with `ecc`.
    #[arg(long = "ec-cert", value_name = "FILES", requires = "ec_key")]
    pub ec_cert: Option<String>,
    /// The private key of `--ec-cert` (SEC 1 or PKCS#8, PEM or DER; `--key-password` if
    /// encrypted).
    #[arg(long = "ec-key", value_name = "FILE", requires = "ec_cert")]
    pub ec_key: Option<String>,
    /// The password of an encrypted key file.
    #[arg(long = "key-password", value_name = "PASSWORD")]
    pub key_password: Option<String>,
    /// Trusted CA certificates: PEM or DER files, `;`-separated (client: the issuers of the
    /// server's chain, default the built-in test CA; server: the issuers of client
    /// certificates, with `--verify`).
    #[arg(long, value_name = "FILES")]
    pub ca: Option<String>,
    /// The oldest protocol version accepted: ssl3, tls1.0, tls1.1, tls1.2.
    #[arg(long = "min-version", value_name = "VERSION", value_parser = parse_version, default_value = "ssl3")]
    pub min_version: ProtocolVersion,
    /// The newest protocol version offered or accepted: ssl3, tls1.0, tls1.1, tls1.2
    /// (versions the build lacks are skipped).
    #[arg(long = "max-version", value_name = "VERSION", value_parser = parse_version, default_value = "tls1.2")]
    pub max_version: ProtocolVersion,
    /// Speak only SSL 3.0 (OpenSSL's `-ssl3`; instead of --min-version/--max-version).
    #[arg(long = "ssl3", conflicts_with_all = ["min_version", "max_version", "tls1", "tls1_1", "tls1_2"])]
    pub ssl3: bool,
    /// Speak only TLS 1.0 (OpenSSL's `-tls1`).
    #[arg(long = "tls1", conflicts_with_all = ["min_version", "max_version", "tls1_1", "tls1_2"])]
    pub tls1: bool,
    /// Speak only TLS 1.1 (OpenSSL's `-tls1_1`).
    #[arg(long = "tls1_1", conflicts_with_all = ["min_version", "max_version", "tls1_2"])]
    pub tls1_1: bool,
    /// Speak only TLS 1.2 (OpenSSL's `-tls1_2`).
    #[arg(long = "tls1_2", conflicts_with_all = ["min_version", "max_version"])]
    pub tls1_2: bool,
    /// A cipher suite to allow (IANA name, OpenSSL name or hex id, e.g.
    /// TLS_RSA_WITH_AES_128_CBC_SHA, AES128-SHA or
    /// 0x002F); repeat for several. Default: every compiled-in suite.
    #[arg(long = "cipher", value_name = "SUITE", value_parser = parse_suite)]
    pub ciphers: Vec<u16>,
    /// The identity of the pre-shared key (`--psk`), as text; default `Client_identity`
    /// (OpenSSL's s_server and s_client default). A server accepts only this identity.
    #[arg(long = "psk-identity", value_name = "ID", requires = "psk")]
    pub psk_identity: Option<String>,
    /// A pre-shared key in hex (1 to 64 bytes) for the PSK and DHE_PSK suites (RFC 4279).
    /// A client offers the PSK suites only when a key is given.
    #[arg(long, value_name = "HEX", value_parser = parse_psk_hex)]
    pub psk: Option<PskKey>,
    /// Re-handshake (RFC 5746) each time this many bytes of application data have been
    /// sent: the next write waits until the re-handshake has completed.
    #[arg(long = "rehandshake-after", value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub rehandshake_after: Option<u64>,
    /// Make those re-handshakes full handshakes instead of resumptions.
    #[arg(long = "rehandshake-full", requires = "rehandshake_after")]
    pub rehandshake_full: bool,
    /// The ECDHE groups, most preferred first, comma-separated: X25519, P-256 (secp256r1,
    /// prime256v1), P-384 (secp384r1). A client offers them; a server takes its first one
    /// the client lists. Default: X25519,P-256,P-384. Used in builds with `ecc`.
    #[arg(long, value_name = "GROUPS", value_parser = crate::names::parse_groups)]
    pub groups: Option<crate::names::GroupList>,
    /// What to do after the handshake.
    #[arg(long, value_enum, default_value = "http")]
    pub mode: Mode,
    /// No RFC 5077 session tickets: the client does not ask for one, the server issues
    /// none (resumption by session id only; like OpenSSL's `-no_ticket`).
    #[arg(long = "no-ticket")]
    pub no_ticket: bool,
    /// Print only the data (no connection summaries, no announcements).
    #[arg(long, short)]
    pub quiet: bool,
    /// Print every record (messages, versions, suites, alerts) and every state the session
    /// reports (`received_data`, `processed_data`, `sent_data` results) on stderr.
    #[arg(long)]
    pub trace: bool,
}

/// The default PSK identity (what OpenSSL's s_server accepts unless told otherwise).
pub const DEFAULT_PSK_IDENTITY: &str = "Client_identity";

/// A pre-shared key from `--psk`; wiped when dropped, never printed.
#[derive(Clone)]
pub struct PskKey(pub zeroize::Zeroizing<Vec<u8>>);

impl std::fmt::Debug for PskKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PskKey({} bytes)", self.0.len())
    }
}

/// `--psk HEX`: an even number of hex digits, 1 to `SSL_PSK_MAX_KEY_SIZE` bytes.
pub fn parse_psk_hex(s: &str) -> Result<PskKey, String> {
    let hex = s.trim();
    let hex = hex
        .strip_prefix("0x")
        .or_else(|| hex.strip_prefix("0X"))
        .unwrap_or(hex);
    if hex.is_empty() || !hex.len().is_multiple_of(2) {
        return Err(format!(
            "`{s}` is not a key in hex: give an even number of hex digits (e.g. 0123456789abcdef)"
        ));
    }
    let bytes = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|d| u8::from_str_radix(d, 16).ok())
        })
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(|| format!("`{s}` is not a key in hex: only 0-9 and a-f are allowed"))?;
    if bytes.len() > matrix_ssl::SSL_PSK_MAX_KEY_SIZE {
        return Err(format!(
            "the key is {} bytes: at most {} are allowed",
            bytes.len(),
            matrix_ssl::SSL_PSK_MAX_KEY_SIZE
        ));
    }
    Ok(PskKey(zeroize::Zeroizing::new(bytes)))
}

impl Common {
    /// The key flags.
    pub fn key_args(&self) -> KeyArgs {
        KeyArgs {
            cert: self.cert.clone(),
            key: self.key.clone(),
            ec_identity: self.ec_cert.clone().zip(self.ec_key.clone()),
            password: self.key_password.clone(),
            ca: self.ca.clone(),
            psk: self.psk.as_ref().map(|k| {
                (
                    self.psk_identity
                        .clone()
                        .unwrap_or_else(|| DEFAULT_PSK_IDENTITY.to_string()),
                    k.clone(),
                )
            }),
            program: "",
        }
    }

    /// The re-handshake policy of `--rehandshake-after` / `--rehandshake-full`.
    pub fn rehandshake(&self) -> Option<crate::driver::Rehandshake> {
        self.rehandshake_after
            .map(|after| crate::driver::Rehandshake {
                after,
                full: self.rehandshake_full,
            })
    }

    /// A context with the version range and, when `--cipher` is given, every other
    /// compiled-in suite disabled (`matrixSslSetCipherSuiteEnabledStatus(NULL, ...)`);
    /// without `--cipher`, the DH_anon suites are disabled.
    pub fn context(&self) -> Result<Context, AppError> {
        self.context_with(Config::default())
    }

    /// The one version of `--ssl3`, `--tls1`, `--tls1_1` or `--tls1_2`, if given.
    pub fn exact_version(&self) -> Option<ProtocolVersion> {
        [
            (self.ssl3, ProtocolVersion::SSLv3),
            (self.tls1, ProtocolVersion::TLSv1_0),
            (self.tls1_1, ProtocolVersion::TLSv1_1),
            (self.tls1_2, ProtocolVersion::TLSv1_2),
        ]
        .into_iter()
        .find_map(|(on, v)| on.then_some(v))
    }

    /// The version range: `--min-version`..=`--max-version`, or one exact version.
    pub fn version_range(&self) -> (ProtocolVersion, ProtocolVersion) {
        self.exact_version()
            .map_or((self.min_version, self.max_version), |v| (v, v))
    }

    /// [`Common::context`] from `config` (the server's cache size, say) instead of the
    /// defaults; the version flags override its range.
    pub fn context_with(&self, mut config: Config) -> Result<Context, AppError> {
        let (min_version, max_version) = self.version_range();
        if min_version.get() > max_version.get() {
            return Err(AppError::usage("--min-version is newer than --max-version"));
        }
        // A PSK suite without its key could only fail in the handshake, with a less clear
        // message: say so now.
        if self.psk.is_none()
            && let Some(&id) = self
                .ciphers
                .iter()
                .find(|&&id| crate::names::is_psk_suite(id))
        {
            return Err(AppError::usage(format!(
                "--cipher {} is a pre-shared-key suite: the key is missing (give --psk HEX, \
                 and --psk-identity ID unless the peer uses `{DEFAULT_PSK_IDENTITY}`)",
                crate::names::suite_name(id)
            )));
        }
        config.min_version = min_version;
        config.max_version = max_version;
        if let Some(g) = &self.groups {
            config.ec_groups.clone_from(&g.0);
        }
        // The programs print the peer's certificate after the handshake.
        config.keep_peer_certificates = true;
        // Clients ask for tickets (servers issue them once `server::run` loads a key).
        config.session_tickets = !self.no_ticket;
        let ctx = matrix_ssl::open(config).map_err(|e| match e {
            matrix_ssl::Error::ArgFail => AppError::usage(
                "no protocol version between --min-version and --max-version is compiled into \
                 this build",
            ),
            other => AppError::usage(format!("opening the library: {}", words(other))),
        })?;
        // Without --cipher, DH_anon stays off in both roles: an unauthenticated suite is
        // something to ask for by name, not something a server should accept from any
        // client that offers it (a scanner would rightly flag it).
        for s in SUITES {
            let id = s.suite.get();
            let off = if self.ciphers.is_empty() {
                s.kx == matrix_ssl::suites::KeyExchange::DhAnon
            } else {
                !self.ciphers.contains(&id)
            };
            if off {
                ctx.set_cipher_suite_enabled_status(id, false)
                    .map_err(|e| AppError::usage(format!("--cipher: {}", words(e))))?;
            }
        }
        Ok(ctx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psk_hex_is_parsed_checked_and_never_printed() {
        let k = parse_psk_hex("0x0123ABcd").unwrap();
        assert_eq!(k.0.as_slice(), &[0x01, 0x23, 0xab, 0xcd]);
        assert_eq!(format!("{k:?}"), "PskKey(4 bytes)");
        assert!(parse_psk_hex("").is_err());
        assert!(parse_psk_hex("012").unwrap_err().contains("even number"));
        assert!(parse_psk_hex("zz").unwrap_err().contains("only 0-9"));
        assert!(parse_psk_hex(&"ab".repeat(64)).is_ok());
        assert!(
            parse_psk_hex(&"ab".repeat(65))
                .unwrap_err()
                .contains("65 bytes")
        );
    }
}
