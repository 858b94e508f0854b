//! Key material for the programs: files named on the command line (`;`-separated lists,
//! PEM or DER, an optional key password), or the built-in rsa2048 test identity and CA
//! when no file is given, and the pre-shared key of `--psk`. Every failure names the file
//! and what is wrong with it.

use std::sync::Arc;

use matrix_ssl::{Error, Keys};

use crate::errors::{AppError, words};
use crate::opts::PskKey;

const SERVER_CERT: &[u8] = include_bytes!("../../testkeys/rsa2048/server.pem");
const INTERMEDIATE: &[u8] = include_bytes!("../../testkeys/rsa2048/intermediate.pem");
const SERVER_KEY: &[u8] = include_bytes!("../../testkeys/rsa2048/server.key");
const ROOT_CA: &[u8] = include_bytes!("../../testkeys/rsa2048/ca.pem");
const EC_ROOT_CA: &[u8] = include_bytes!("../../testkeys/ec-p256/ca.pem");

/// The key-related flags.
#[derive(Debug, Clone, Default)]
pub struct KeyArgs {
    /// Our certificate chain files, child first.
    pub cert: Option<String>,
    /// Our private key file.
    pub key: Option<String>,
    /// A second identity, EC: its chain files and its key file (`--ec-cert`, `--ec-key`).
    pub ec_identity: Option<(String, String)>,
    /// The key's password.
    pub password: Option<String>,
    /// Trusted CA files.
    pub ca: Option<String>,
    /// The pre-shared key and its identity.
    pub psk: Option<(String, PskKey)>,
    /// The program, for the messages (empty: `matrix-server` or `matrix-client`).
    pub program: &'static str,
}

impl KeyArgs {
    /// The name the messages start with.
    fn who(&self, role: &'static str) -> &'static str {
        if self.program.is_empty() {
            role
        } else {
            self.program
        }
    }
}

fn files(list: &str) -> impl Iterator<Item = &str> {
    list.split(';').map(str::trim).filter(|f| !f.is_empty())
}

/// Fails, naming the file, when a file of `list` cannot be read.
fn check_readable(what: &str, list: &str) -> Result<(), AppError> {
    if files(list).next().is_none() {
        return Err(AppError::usage(format!(
            "the {what} list `{list}` names no file"
        )));
    }
    for f in files(list) {
        std::fs::read(f)
            .map_err(|e| AppError::usage(format!("cannot read {what} file `{f}`: {e}")))?;
    }
    Ok(())
}

/// Whether `file` parses as certificates on its own.
fn parses_as_certificates(file: &str) -> bool {
    Keys::new()
        .load_rsa_keys(None, None, None, Some(file))
        .is_ok()
}

/// Explains a load failure: which file, what is wrong.
fn explain(e: Error, a: &KeyArgs) -> AppError {
    let key = a.key.as_deref().unwrap_or("-");
    let cert = a.cert.as_deref().unwrap_or("-");
    let bad_cert = a
        .cert
        .iter()
        .chain(a.ca.iter())
        .flat_map(|l| files(l))
        .find(|f| !parses_as_certificates(f));
    // An encrypted PEM key read without a password fails early (as a bad argument or a
    // parse error, depending on its format): say what is missing instead.
    let encrypted = a
        .key
        .as_deref()
        .and_then(|k| std::fs::read(k).ok())
        .is_some_and(|b| b.windows(9).any(|w| w == b"ENCRYPTED"));
    let msg = match e {
        _ if encrypted && a.password.is_none() => {
            format!("the key file `{key}` is encrypted: give its password with --key-password")
        }
        Error::ParseFail => match bad_cert {
            Some(f) => format!("`{f}` holds no certificate matrix can parse (PEM or DER X.509)"),
            None => format!(
                "`{key}` holds no private key matrix can parse (RSA PKCS#1 or PKCS#8; EC SEC 1 \
                 or PKCS#8 in builds with ecc; PEM or DER)"
            ),
        },
        Error::AuthFail if a.password.is_none() => {
            format!("the key file `{key}` is encrypted: give its password with --key-password")
        }
        Error::AuthFail => format!("wrong password for the key file `{key}`"),
        Error::CertAuthFail
        | Error::CertAuthFailBc
        | Error::CertAuthFailDn
        | Error::CertAuthFailSig
        | Error::SignatureMismatch => format!(
            "the key `{key}` does not belong to the certificate `{cert}`, or that chain does \
             not verify: {}",
            words(e)
        ),
        other => format!(
            "loading keys (cert `{cert}`, key `{key}`): {}",
            words(other)
        ),
    };
    AppError::usage(msg)
}

/// The contents of every file of a `;`-separated list, back to back (PEM text or DER
/// certificates concatenate into one chain).
fn read_list(what: &str, list: &str) -> Result<Vec<u8>, AppError> {
    let mut all = Vec::new();
    for f in files(list) {
        let data = std::fs::read(f)
            .map_err(|e| AppError::usage(format!("cannot read {what} file `{f}`: {e}")))?;
        let pem = data.windows(10).any(|w| w == b"-----BEGIN");
        all.extend_from_slice(&data);
        // PEM blocks of two files must not run into each other; DER takes no separator.
        if pem {
            all.push(b'\n');
        }
    }
    Ok(all)
}

/// Where each part of the key material comes from.
struct Plan<'a> {
    /// Our chain and key: files, or built in (servers without `--cert`).
    builtin_identity: bool,
    /// The trusted CAs: `--ca` files, the built-in test CA, or none.
    builtin_ca: bool,
    args: &'a KeyArgs,
}

/// Loads what `plan` says: through the file API when every part is a file (so that an
/// encrypted key can be read with its password), else from memory.
fn load(plan: &Plan<'_>) -> Result<Keys, AppError> {
    let a = plan.args;
    match (&a.cert, &a.key) {
        (Some(_), None) => return Err(AppError::usage("--cert needs --key")),
        (None, Some(_)) => return Err(AppError::usage("--key needs --cert")),
        _ => {}
    }
    for (what, list) in [("certificate", &a.cert), ("key", &a.key), ("CA", &a.ca)] {
        if let Some(l) = list {
            check_readable(what, l)?;
        }
    }
    let mut keys = Keys::new();
    if !plan.builtin_identity && !plan.builtin_ca {
        if a.cert.is_some() || a.ca.is_some() {
            let rsa = keys.load_rsa_keys(
                a.cert.as_deref(),
                a.key.as_deref(),
                a.password.as_deref(),
                a.ca.as_deref(),
            );
            if let Err(e) = rsa {
                // Not an RSA identity: an EC one (`matrixSslLoadEcKeys`, builds with ecc)?
                keys = Keys::new();
                let ec = a.key.is_some()
                    && keys
                        .load_ec_keys(
                            a.cert.as_deref(),
                            a.key.as_deref(),
                            a.password.as_deref(),
                            a.ca.as_deref(),
                        )
                        .is_ok();
                if !ec {
                    return Err(explain(e, a));
                }
            }
        }
    } else {
        if a.password.is_some() && a.key.is_some() {
            return Err(AppError::usage(
                "with --key-password, name the trusted CAs with --ca too (the built-in test \
                 CA cannot be combined with an encrypted key file)",
            ));
        }
        let (chain, key) = if plan.builtin_identity {
            let mut chain = SERVER_CERT.to_vec();
            chain.extend_from_slice(INTERMEDIATE);
            (Some(chain), Some(SERVER_KEY.to_vec()))
        } else {
            (
                a.cert
                    .as_deref()
                    .map(|l| read_list("certificate", l))
                    .transpose()?,
                a.key.as_deref().map(|l| read_list("key", l)).transpose()?,
            )
        };
        let ca = if plan.builtin_ca {
            Some(ROOT_CA.to_vec())
        } else {
            a.ca.as_deref().map(|l| read_list("CA", l)).transpose()?
        };
        if let Err(e) = keys.load_rsa_keys_mem(chain.as_deref(), key.as_deref(), ca.as_deref()) {
            // An EC identity (builds with ecc) with the built-in CA.
            keys = Keys::new();
            let ec = key.is_some()
                && keys
                    .load_ec_keys_mem(chain.as_deref(), key.as_deref(), None, ca.as_deref())
                    .is_ok();
            if !ec {
                return Err(explain(e, a));
            }
        }
        add_builtin_ec_root(&mut keys, plan.builtin_ca)?;
    }
    if let Some((cert, key)) = &a.ec_identity {
        load_ec_identity(&mut keys, cert, key, a.password.as_deref())?;
    }
    if let Some((id, key)) = &a.psk {
        keys.load_psk(id.as_bytes(), &key.0).map_err(|_| {
            AppError::usage(format!(
                "--psk-identity `{id}` must be 1 to {} bytes",
                matrix_ssl::SSL_PSK_MAX_ID_SIZE
            ))
        })?;
    }
    Ok(keys)
}

/// The EC identity of `--ec-cert`/`--ec-key` beside the RSA one (`matrixSslLoadEcKeys`).
fn load_ec_identity(
    keys: &mut Keys,
    cert: &str,
    key: &str,
    password: Option<&str>,
) -> Result<(), AppError> {
    check_readable("EC certificate", cert)?;
    check_readable("EC key", key)?;
    keys.load_ec_keys(Some(cert), Some(key), password, None)
        .map_err(|e| {
            AppError::usage(format!(
                "loading the EC identity (--ec-cert `{cert}`, --ec-key `{key}`): {}",
                words(e)
            ))
        })
}

/// In a build with an ECDHE suite, the built-in ec-p256 test root beside the RSA one
/// (`ca`): a client with the built-in CA trusts a server with either test chain. The
/// built-in server identity stays the RSA one (a server holding both would pick
/// ECDHE_ECDSA for every client that offers it, whatever CAs that client trusts).
fn add_builtin_ec_root(keys: &mut Keys, ca: bool) -> Result<(), AppError> {
    let ecdhe = matrix_ssl::suites::SUITES.iter().any(|s| s.kx.is_ecdhe());
    if !ecdhe || !ca {
        return Ok(());
    }
    keys.load_ec_keys_mem(None, None, None, Some(EC_ROOT_CA))
        .map_err(|e| AppError::usage(format!("loading the built-in EC test CA: {}", words(e))))
}

/// A server's keys: `--cert`/`--key` or the built-in identity (announced on stderr); with
/// `verify` (client authentication) the CAs of `--ca`, or the built-in test CA when the
/// identity is built in too; the PSK of `--psk`.
pub fn server_keys(a: &KeyArgs, verify: bool, quiet: bool) -> Result<Arc<Keys>, AppError> {
    if a.ca.is_some() && !verify {
        return Err(AppError::usage(
            "--ca on a server names the CAs of client certificates: add --verify (or \
             --require-client-cert) to ask for them",
        ));
    }
    let builtin_identity = a.cert.is_none() && a.key.is_none();
    if verify && a.ca.is_none() && !builtin_identity {
        return Err(AppError::usage(
            "--verify with your own --cert: name the CA of the client certificates with --ca",
        ));
    }
    let builtin_ca = verify && a.ca.is_none();
    if !quiet && builtin_identity {
        eprintln!(
            "{}: no --cert/--key given: using the built-in rsa2048 TEST identity \
             (testkeys/, public, never for production)",
            a.who("matrix-server")
        );
    }
    if !quiet && builtin_ca {
        eprintln!(
            "{}: no --ca given: client certificates must come from the built-in \
             rsa2048 TEST CA (testkeys/)",
            a.who("matrix-server")
        );
    }
    load(&Plan {
        builtin_identity,
        builtin_ca,
        args: a,
    })
    .map(Arc::new)
}

/// A client's keys: the CAs of `--ca` or the built-in test CA (announced on stderr), our
/// own `--cert`/`--key` for client authentication, the PSK of `--psk`.
pub fn client_keys(a: &KeyArgs, quiet: bool) -> Result<Arc<Keys>, AppError> {
    let builtin_ca = a.ca.is_none();
    if !quiet && builtin_ca {
        eprintln!(
            "{}: no --ca given: trusting the built-in rsa2048 TEST CA (testkeys/)",
            a.who("matrix-client")
        );
    }
    load(&Plan {
        builtin_identity: false,
        builtin_ca,
        args: a,
    })
    .map(Arc::new)
}
