// Helpers shared by the codec test files through `#[path]`.

#![allow(dead_code)]

use matrix_ssl::codec::handshake::{DecodeContext, HandshakePayload, KeyExchangeKind};
use matrix_ssl::codec::{CipherSuite, DecodeError, HandshakeType, ProtocolVersion};

/// Bytes from a hex string (test data only).
pub fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex length");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digit"))
        .collect()
}

/// The key exchange of the suites the captures and peers use.
pub fn kex_of(suite: CipherSuite) -> Option<KeyExchangeKind> {
    use CipherSuite as C;
    match suite {
        C::TLS_RSA_WITH_AES_128_CBC_SHA
        | C::TLS_RSA_WITH_AES_256_CBC_SHA
        | C::SSL_RSA_WITH_3DES_EDE_CBC_SHA
        | C::SSL_RSA_WITH_RC4_128_SHA
        | C::SSL_RSA_WITH_RC4_128_MD5
        | C::TLS_RSA_WITH_SEED_CBC_SHA => Some(KeyExchangeKind::Rsa),
        C::TLS_DHE_RSA_WITH_AES_128_CBC_SHA
        | C::TLS_DHE_RSA_WITH_AES_256_CBC_SHA
        | C::SSL_DHE_RSA_WITH_3DES_EDE_CBC_SHA => Some(KeyExchangeKind::DheRsa),
        C::SSL_DH_anon_WITH_RC4_128_MD5 => Some(KeyExchangeKind::DhAnon),
        C::TLS_PSK_WITH_AES_128_CBC_SHA | C::TLS_PSK_WITH_AES_256_CBC_SHA => {
            Some(KeyExchangeKind::Psk)
        }
        C::TLS_DHE_PSK_WITH_AES_128_CBC_SHA | C::TLS_DHE_PSK_WITH_AES_256_CBC_SHA => {
            Some(KeyExchangeKind::DhePsk)
        }
        _ => None,
    }
}

/// Decodes one body and encodes it again.
pub fn reencode(
    t: HandshakeType,
    body: &[u8],
    version: ProtocolVersion,
    kex: Option<KeyExchangeKind>,
) -> Result<(HandshakePayload, Vec<u8>), DecodeError> {
    let ctx = DecodeContext {
        version,
        key_exchange: kex,
    };
    let p = HandshakePayload::read(t, body, &ctx)?;
    let mut out = Vec::new();
    p.encode_body(&mut out, version);
    Ok((p, out))
}
