//! Key material for the programs: files named on the command line (`;`-separated lists,
//! PEM or DER, an optional key password), or the built-in rsa2048 test identity when no
//! file is given. Every failure names the file and what is wrong with it.

use std::sync::Arc;

use matrix_ssl::{Error, Keys};

use crate::errors::{AppError, words};

const SERVER_CERT: &[u8] = include_bytes!("../../testkeys/rsa2048/server.pem");
const INTERMEDIATE: &[u8] = include_bytes!("../../testkeys/rsa2048/intermediate.pem");
const SERVER_KEY: &[u8] = include_bytes!("../../testkeys/rsa2048/server.key");
const ROOT_CA: &[u8] = include_bytes!("../../testkeys/rsa2048/ca.pem");

/// The key-related flags.
#[derive(Debug, Clone, Default)]
pub struct KeyArgs {
    /// Our certificate chain files, child first.
    pub cert: Option<String>,
    /// Our private key file.
    pub key: Option<String>,
    /// The key's password.
    pub password: Option<String>,
    /// Trusted CA files.
    pub ca: Option<String>,
}

/// The built-in server identity (test material, never for production).
pub fn builtin_server() -> Result<Keys, AppError> {
    let mut chain = SERVER_CERT.to_vec();
    chain.extend_from_slice(INTERMEDIATE);
    let mut k = Keys::new();
    k.load_rsa_keys_mem(Some(&chain), Some(SERVER_KEY), None)
        .map_err(|e| AppError::usage(format!("built-in test keys: {}", words(e))))?;
    Ok(k)
}

/// The built-in trust anchor (the test CA).
pub fn builtin_client() -> Result<Keys, AppError> {
    let mut k = Keys::new();
    k.load_rsa_keys_mem(None, None, Some(ROOT_CA))
        .map_err(|e| AppError::usage(format!("built-in test CA: {}", words(e))))?;
    Ok(k)
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
                "`{key}` holds no RSA private key matrix can parse (PKCS#1 or PKCS#8, PEM or DER)"
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

/// Loads the files named in `a`; `None` when no file is named.
pub fn load_files(a: &KeyArgs) -> Result<Option<Keys>, AppError> {
    if a.cert.is_none() && a.key.is_none() && a.ca.is_none() {
        return Ok(None);
    }
    match (&a.cert, &a.key) {
        (Some(_), None) => return Err(AppError::usage("--cert needs --key")),
        (None, Some(_)) => return Err(AppError::usage("--key needs --cert")),
        _ => {}
    }
    if let Some(c) = &a.cert {
        check_readable("certificate", c)?;
    }
    if let Some(k) = &a.key {
        check_readable("key", k)?;
    }
    if let Some(c) = &a.ca {
        check_readable("CA", c)?;
    }
    let mut keys = Keys::new();
    keys.load_rsa_keys(
        a.cert.as_deref(),
        a.key.as_deref(),
        a.password.as_deref(),
        a.ca.as_deref(),
    )
    .map_err(|e| explain(e, a))?;
    Ok(Some(keys))
}

/// A server's keys: the files, or the built-in identity (announced on stderr).
pub fn server_keys(a: &KeyArgs, quiet: bool) -> Result<Arc<Keys>, AppError> {
    if a.cert.is_none() && a.key.is_some() {
        return Err(AppError::usage("--key needs --cert"));
    }
    match load_files(a)? {
        Some(k) if k.has_rsa_identity() => Ok(Arc::new(k)),
        Some(_) | None => {
            if a.cert.is_none() && a.ca.is_some() {
                return Err(AppError::usage(
                    "a server needs --cert and --key (or no key files at all for the built-in \
                     test identity)",
                ));
            }
            if !quiet {
                eprintln!(
                    "matrix-server: no --cert/--key given: using the built-in rsa2048 TEST \
                     identity (testkeys/, public, never for production)"
                );
            }
            Ok(Arc::new(builtin_server()?))
        }
    }
}

/// A client's keys: the files, or the built-in test CA (announced on stderr).
pub fn client_keys(a: &KeyArgs, quiet: bool) -> Result<Arc<Keys>, AppError> {
    match load_files(a)? {
        Some(k) => Ok(Arc::new(k)),
        None => {
            if !quiet {
                eprintln!(
                    "matrix-client: no --ca given: trusting the built-in rsa2048 TEST CA \
                     (testkeys/)"
                );
            }
            Ok(Arc::new(builtin_client()?))
        }
    }
}
