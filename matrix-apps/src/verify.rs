//! The certificate callback of `matrix-client` and `matrix-dtls-client`: matrix-ssl's
//! standard validator (`matrix_ssl::validator`: the chain against the trusted CAs, every
//! certificate's dates, the leaf's purpose and the host name, each refusal with the RFC's
//! alert) for the name given with `--server-name`, else the host of `--connect`. The reason
//! of a refusal is kept for the error message. `--insecure` turns every check off: any chain
//! is accepted (the session is then anonymous), for test setups.

use std::sync::{Arc, Mutex};

use matrix_ssl::{CertValidator, Verdict, validator};

/// The name the server's certificate must carry: `server_name`, else the host part of
/// `connect` (`HOST:PORT`, `[IPv6]:PORT`, or a bare host).
pub fn expected_host(connect: &str, server_name: Option<&str>) -> String {
    if let Some(name) = server_name {
        return name.to_string();
    }
    if let Some(rest) = connect.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest).to_string();
    }
    match connect.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') && port.bytes().all(|b| b.is_ascii_digit()) => {
            host.to_string()
        }
        _ => connect.to_string(),
    }
}

/// The callback: `host` `None` is `--insecure`. A refusal's reason goes to `rejected`.
pub fn server_validator(
    rejected: &Arc<Mutex<Option<String>>>,
    host: Option<String>,
) -> CertValidator {
    let seen = Arc::clone(rejected);
    Box::new(move |info, chain, alert| {
        let Some(host) = host.as_deref() else {
            return alert.map_or(Verdict::Continue, |_| Verdict::AllowAnon);
        };
        match validator::check(info.now_ms(), chain, alert, host) {
            Ok(()) => Verdict::Continue,
            Err(r) => {
                if let Ok(mut s) = seen.lock() {
                    *s = Some(format!("{r}; expected host {host}"));
                }
                Verdict::Alert(r.alert())
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::expected_host;

    #[test]
    fn hosts_from_the_flags() {
        assert_eq!(expected_host("127.0.0.1:4433", None), "127.0.0.1");
        assert_eq!(expected_host("localhost:4433", None), "localhost");
        assert_eq!(expected_host("[::1]:4433", None), "::1");
        assert_eq!(expected_host("example.com", None), "example.com");
        assert_eq!(expected_host("::1", None), "::1");
        assert_eq!(
            expected_host("127.0.0.1:4433", Some("a.matrix.test")),
            "a.matrix.test"
        );
    }
}
