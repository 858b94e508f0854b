//! Building the connection states of a negotiated suite from its key block (RFC 2246
//! section 6.1: the write state of one side is the read state of the other).
// An AEAD-only build (a TLS-1.2-only GCM build) has no record MAC: the MAC'd states below
// are then never built.
#![cfg_attr(
    not(feature = "record-mac"),
    allow(dead_code, reason = "an AEAD-only build has no record MAC")
)]

use crate::codec::ProtocolVersion;
use crate::suites::SuiteInfo;
use matrix_core::Error;

use super::mac::{MacJob, RecordMac, with_mac};
use super::{CipherStates, KeyBlock, Side};

/// Whether this build has the record protection rules of `version`: SSL 3.0 with `ssl3`,
/// TLS 1.0 with `tls`, TLS 1.1 and DTLS 1.0 (which follows it) with `tls-1-1`, TLS 1.2
/// with `tls-1-2`, DTLS 1.2 (which follows TLS 1.2) with `tls-1-2` and `dtls`.
fn version_compiled(version: ProtocolVersion) -> bool {
    (version == ProtocolVersion::SSLv3 && cfg!(feature = "ssl3"))
        || (version == ProtocolVersion::TLSv1_0 && cfg!(feature = "tls"))
        || (matches!(
            version,
            ProtocolVersion::TLSv1_1 | ProtocolVersion::DTLSv1_0
        ) && cfg!(feature = "tls-1-1"))
        || (version == ProtocolVersion::TLSv1_2 && cfg!(feature = "tls-1-2"))
        || (version == ProtocolVersion::DTLSv1_2
            && cfg!(all(feature = "tls-1-2", feature = "dtls")))
}

/// The write state for `side` and the read state for the peer's direction, for `suite` in
/// `version`, keyed from `keys` (made by [`super::key_block`] for the same version and
/// suite).
///
/// `UnsupportedFail` when this build lacks the version or the suite's cipher, or the suite
/// is not allowed in the version ([`SuiteInfo::allowed_in`]); `ArgFail` when the key block
/// does not have the suite's lengths.
pub fn cipher_states(
    version: ProtocolVersion,
    suite: &SuiteInfo,
    keys: &KeyBlock,
    side: Side,
) -> Result<CipherStates, Error> {
    cipher_states_etm(version, suite, keys, side, false)
}

/// [`cipher_states`], with RFC 7366 encrypt-then-MAC for a CBC suite in TLS when `etm`
/// (ignored for RC4 and in SSL 3.0, which RFC 7366 does not cover). `UnsupportedFail` for
/// `etm` in a build without the feature `encrypt-then-mac`.
pub fn cipher_states_etm(
    version: ProtocolVersion,
    suite: &SuiteInfo,
    keys: &KeyBlock,
    side: Side,
    etm: bool,
) -> Result<CipherStates, Error> {
    if !version_compiled(version) || !suite.allowed_in(version) || (etm && !super::ETM) {
        return Err(Error::UnsupportedFail);
    }
    // The key block holds the two directions' parts in pairs of one length each
    // (`KeyBlock::from_bytes`): its lengths must be the suite's.
    if keys.lens()
        != (
            suite.mac_len(),
            suite.key_len(),
            suite.fixed_iv_len(version),
        )
    {
        return Err(Error::ArgFail);
    }
    let client = side == Side::Client;
    let (write, read) = (keys.direction(client), keys.direction(!client));
    if suite.is_aead() {
        // RFC 7366 does not apply to AEAD suites (section 2): `etm` is ignored.
        return aead_states(suite, (write.1, write.2), (read.1, read.2));
    }
    with_mac(
        version,
        suite.mac,
        Build {
            version,
            suite,
            write,
            read,
            etm,
        },
    )
}

/// The MAC secret, key and IV of one direction.
type Direction<'a> = (&'a [u8], &'a [u8], &'a [u8]);

/// Builds the states once the MAC type is known.
struct Build<'a> {
    version: ProtocolVersion,
    suite: &'a SuiteInfo,
    write: Direction<'a>,
    read: Direction<'a>,
    etm: bool,
}

impl MacJob for Build<'_> {
    type Out = Result<CipherStates, Error>;

    fn unsupported(self) -> Self::Out {
        Err(Error::UnsupportedFail)
    }

    fn run<M: RecordMac>(self) -> Self::Out {
        if self.suite.is_cbc() {
            cbc_states::<M>(self.version, self.suite, self.write, self.read, self.etm)
        } else {
            let (w, r) = (self.write, self.read);
            stream_states::<M>((w.0, w.1), (r.0, r.1))
        }
    }
}

#[cfg(feature = "cbc-records")]
use super::cbc::states as cbc_states;

/// No CBC suite is compiled in, so no block cipher is either.
#[cfg(not(feature = "cbc-records"))]
fn cbc_states<M: RecordMac>(
    _version: ProtocolVersion,
    _suite: &SuiteInfo,
    _write: Direction<'_>,
    _read: Direction<'_>,
    _etm: bool,
) -> Result<CipherStates, Error> {
    Err(Error::UnsupportedFail)
}

#[cfg(any(
    feature = "ssl-rsa-with-rc4-128-sha",
    feature = "ssl-rsa-with-rc4-128-md5",
    feature = "ssl-dh-anon-with-rc4-128-md5",
))]
use super::stream::states as stream_states;

/// No RC4 suite is compiled in, so RC4 is not either.
#[cfg(not(any(
    feature = "ssl-rsa-with-rc4-128-sha",
    feature = "ssl-rsa-with-rc4-128-md5",
    feature = "ssl-dh-anon-with-rc4-128-md5",
)))]
fn stream_states<M: RecordMac>(
    _write: (&[u8], &[u8]),
    _read: (&[u8], &[u8]),
) -> Result<CipherStates, Error> {
    Err(Error::UnsupportedFail)
}

#[cfg(feature = "aead-records")]
use super::aead::states as aead_states;

/// No GCM suite is compiled in.
#[cfg(not(feature = "aead-records"))]
fn aead_states(
    _suite: &SuiteInfo,
    _write: (&[u8], &[u8]),
    _read: (&[u8], &[u8]),
) -> Result<CipherStates, Error> {
    Err(Error::UnsupportedFail)
}
