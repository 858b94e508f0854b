//! Helpers shared by the record tests: deterministic randomness, hex, and connection states
//! for every suite and version this build has.

#![allow(dead_code)]

use matrix_crypto::random::SecureRandom;
use matrix_ssl::codec::ProtocolVersion;
use matrix_ssl::record::{
    CipherStates, KeyBlock, RecordDecrypter, RecordEncrypter, Side, cipher_states, key_block,
    master_secret,
};
use matrix_ssl::suites::{SUITES, SuiteInfo};

pub const SSL3: ProtocolVersion = ProtocolVersion::SSLv3;
pub const TLS10: ProtocolVersion = ProtocolVersion::TLSv1_0;
pub const TLS11: ProtocolVersion = ProtocolVersion::TLSv1_1;
pub const DTLS10: ProtocolVersion = ProtocolVersion::DTLSv1_0;

/// Every version the record layer has rules for.
pub const VERSIONS: [ProtocolVersion; 4] = [SSL3, TLS10, TLS11, DTLS10];

/// A deterministic byte stream (xorshift), standing in for the DRBG.
pub struct TestRng(pub u64);

impl SecureRandom for TestRng {
    fn fill_bytes(&mut self, dest: &mut [u8]) -> matrix_core::Result<()> {
        for b in dest {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            *b = self.0 as u8;
        }
        Ok(())
    }
}

/// Randomness that replays given bytes (to reproduce a peer's explicit IVs).
pub struct ReplayRng(pub Vec<u8>);

impl SecureRandom for ReplayRng {
    fn fill_bytes(&mut self, dest: &mut [u8]) -> matrix_core::Result<()> {
        assert!(self.0.len() >= dest.len(), "replay randomness exhausted");
        let rest = self.0.split_off(dest.len());
        dest.copy_from_slice(&self.0);
        self.0 = rest;
        Ok(())
    }
}

pub fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2));
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

pub fn arr32(s: &str) -> [u8; 32] {
    hex(s).try_into().unwrap()
}

/// Whether this build can protect records of `version` at all.
pub fn version_compiled(version: ProtocolVersion) -> bool {
    match version {
        ProtocolVersion::SSLv3 => cfg!(feature = "ssl3"),
        ProtocolVersion::TLSv1_0 => cfg!(feature = "tls"),
        ProtocolVersion::TLSv1_2 => cfg!(feature = "tls-1-2"),
        _ => cfg!(feature = "tls-1-1"),
    }
}

/// Every (suite, version) pair this build supports.
pub fn combinations() -> Vec<(&'static SuiteInfo, ProtocolVersion)> {
    SUITES
        .iter()
        .flat_map(|s| VERSIONS.iter().map(move |&v| (s, v)))
        .filter(|(s, v)| s.allowed_in(*v) && version_compiled(*v))
        .collect()
}

/// A key block for `suite` in `version` from a fixed premaster secret (varied by `salt`).
pub fn keys(suite: &SuiteInfo, version: ProtocolVersion, salt: u8) -> KeyBlock {
    let premaster = [0x03 ^ salt; 48];
    let cr = [0x11 ^ salt; 32];
    let sr = [0x22 ^ salt; 32];
    let ms = master_secret(version, &premaster, &cr, &sr);
    key_block(version, suite, &ms, &cr, &sr)
}

/// (client write state, server read state) of one connection.
pub fn pair(
    suite: &SuiteInfo,
    version: ProtocolVersion,
    keys: &KeyBlock,
) -> (Box<dyn RecordEncrypter>, Box<dyn RecordDecrypter>) {
    let (client_enc, _): CipherStates = cipher_states(version, suite, keys, Side::Client).unwrap();
    let (_, server_dec) = cipher_states(version, suite, keys, Side::Server).unwrap();
    (client_enc, server_dec)
}
