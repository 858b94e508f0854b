//! Which key-exchange kinds this build compiles (RFC 2246 section 7.4.3 and 7.4.7, RFC 4279
//! sections 2 and 3, RFC 8422 section 5.4), and the two key-exchange messages read for
//! exactly those kinds.
//!
//! The handshakes dispatch on the negotiated suite's [`KeyExchange`], a run-time value the
//! compiler cannot bound, so every arm of every dispatch used to be linked: the DH
//! parameter parser, the PSK identity code and the ECDHE plumbing in an RSA-only client.
//! Each arm is now guarded by one of the constants below, which are `false` when no suite
//! of that kind is compiled in (features `rsa`, `dh-key-exchange`, `psk-key-exchange`,
//! `ecc`, each turned on by its suites), so the optimiser removes the arm and the linker
//! the code only it called. The guards change no behaviour: no suite of a kind that is not
//! compiled can be offered or chosen, so its arm never ran.

// Each role reads one of the two messages.
#![cfg_attr(
    not(all(feature = "client-side-ssl", feature = "server-side-ssl")),
    allow(
        dead_code,
        unused_imports,
        reason = "a one-role build reads one message"
    )
)]

use crate::codec::handshake::{ClientKeyExchange, EcdheServerKeyExchangeView, ServerKeyExchange};
use crate::codec::{DecodeError, ProtocolVersion, Reader};
use crate::suites::KeyExchange;

/// The RSA key transport and RSA-signed exchanges (feature `rsa`).
pub(crate) const RSA: bool = cfg!(feature = "rsa");
/// The Diffie-Hellman exchanges: DHE_RSA, DHE_PSK, DH_anon (feature `dh-key-exchange`).
pub(crate) const DH: bool = cfg!(feature = "dh-key-exchange");
/// The pre-shared-key exchanges: PSK, DHE_PSK (feature `psk-key-exchange`).
pub(crate) const PSK: bool = cfg!(feature = "psk-key-exchange");
/// The elliptic-curve exchanges: ECDHE_RSA, ECDHE_ECDSA (feature `ecc-core`).
pub(crate) const ECDHE: bool = cfg!(feature = "ecc-core");

/// The exchanges where the server sends a Certificate (and may ask for the client's):
/// RSA, DHE_RSA and ECDHE; a PSK or DH_anon build reads no certificate message.
#[cfg(feature = "client-side-ssl")]
pub(crate) const CERTIFICATE: bool = RSA || ECDHE;

/// `T` where the exchange `ON` names is compiled (`Only<{ DH }, T>` and so on), an
/// uninhabited zero-sized stand-in where it is not. An enum variant holding it is then
/// absent from the enum's layout in a build without the exchange, so its drop glue and
/// its `match` arms vanish too (the `if` guards on the constants above remove only the
/// arms' code; a variant with an uninhabited field among others keeps its drop glue).
pub(crate) type Only<const ON: bool, T> = <Switch<ON> as Gate>::Of<T>;

/// A key-exchange constant as a type, for [`Only`].
pub(crate) struct Switch<const ON: bool>;

/// What a [`Switch`] makes of a type.
pub(crate) trait Gate {
    /// `T`, or [`Absent<T>`].
    type Of<T>;
    /// `Some(value)` where the exchange is compiled; `None` elsewhere.
    fn keep<T>(value: T) -> Option<Self::Of<T>>;
}

impl Gate for Switch<true> {
    type Of<T> = T;
    fn keep<T>(value: T) -> Option<T> {
        Some(value)
    }
}

impl Gate for Switch<false> {
    type Of<T> = Absent<T>;
    fn keep<T>(_: T) -> Option<Absent<T>> {
        None
    }
}

/// No value: the stand-in of [`Only`] for an exchange this build lacks. It dereferences
/// to `T` so that the (never run) arms that use one still compile.
pub(crate) struct Absent<T>(core::convert::Infallible, core::marker::PhantomData<T>);

impl<T> core::ops::Deref for Absent<T> {
    type Target = T;
    fn deref(&self) -> &T {
        match self.0 {}
    }
}

impl<T> core::ops::DerefMut for Absent<T> {
    fn deref_mut(&mut self) -> &mut T {
        match self.0 {}
    }
}

/// `value` kept for a variant of the exchange `ON` names, built under its guard (so
/// never the error: an internal error would say the guard was missing).
pub(crate) fn only<const ON: bool, T>(value: T) -> Result<Only<ON, T>, crate::alert::Fatal>
where
    Switch<ON>: Gate,
{
    <Switch<ON> as Gate>::keep(value)
        .ok_or(crate::alert::Fatal::internal(matrix_core::Error::Failure))
}

/// Whether this build has the code of `kx` (every compiled suite's key exchange has it).
pub(crate) const fn compiled(kx: KeyExchange) -> bool {
    match kx {
        KeyExchange::Rsa => RSA,
        KeyExchange::DheRsa => RSA && DH,
        KeyExchange::DhAnon => DH,
        KeyExchange::Psk => PSK,
        KeyExchange::DhePsk => PSK && DH,
        KeyExchange::EcdheRsa => ECDHE && RSA,
        KeyExchange::EcdheEcdsa => ECDHE,
    }
}

/// The error for a key-exchange message of a kind this build lacks (never seen in a
/// handshake: no such suite is negotiated).
const NOT_COMPILED: DecodeError = DecodeError::InvalidValue("key exchange not compiled in");

/// Client: reads a whole ServerKeyExchange body for the negotiated `kx` in `version`'s
/// framing; RSA has none (no export suites); PSK's is [`read_psk_identity_hint`]'s.
#[cfg(feature = "client-side-ssl")]
pub(crate) fn read_server_key_exchange(
    kx: KeyExchange,
    body: &[u8],
    version: ProtocolVersion,
) -> Result<ServerKeyExchange, DecodeError> {
    let r = &mut Reader::new(body);
    let ske = match kx {
        KeyExchange::DheRsa if RSA && DH => ServerKeyExchange::read_dhe_rsa(r, version)?,
        KeyExchange::DhAnon if DH => ServerKeyExchange::read_dh_anon(r)?,
        KeyExchange::DhePsk if PSK && DH => ServerKeyExchange::read_dhe_psk(r)?,
        KeyExchange::EcdheRsa | KeyExchange::EcdheEcdsa if ECDHE => {
            ServerKeyExchange::read_ecdhe(r, version)?
        }
        KeyExchange::Rsa => return Err(ServerKeyExchange::RSA_HAS_NONE),
        // PSK's is `read_psk_identity_hint`'s.
        _ => return Err(NOT_COMPILED),
    };
    r.expect_empty()?;
    Ok(ske)
}

/// Client: reads a whole ECDHE ServerKeyExchange body (RFC 8422 section 5.4) in place,
/// without building a `ServerKeyExchange` (the same checks and errors as
/// [`read_server_key_exchange`]'s ECDHE arm).
#[cfg(feature = "client-side-ssl")]
pub(crate) fn read_ecdhe_server_key_exchange(
    body: &[u8],
    version: ProtocolVersion,
) -> Result<EcdheServerKeyExchangeView<'_>, DecodeError> {
    let r = &mut Reader::new(body);
    let ske = EcdheServerKeyExchangeView::read(r, version)?;
    r.expect_empty()?;
    Ok(ske)
}

/// Client: reads a whole PSK ServerKeyExchange body, `opaque psk_identity_hint<0..2^16-1>`
/// (RFC 4279 section 2), without building a `ServerKeyExchange`.
#[cfg(feature = "client-side-ssl")]
pub(crate) fn read_psk_identity_hint(body: &[u8]) -> Result<&[u8], DecodeError> {
    let r = &mut Reader::new(body);
    let hint = ServerKeyExchange::read_psk_hint(r)?;
    r.expect_empty()?;
    Ok(hint)
}

/// Server: reads a whole ClientKeyExchange body for the negotiated `kx` in `version`'s
/// framing.
#[cfg(feature = "server-side-ssl")]
pub(crate) fn read_client_key_exchange(
    kx: KeyExchange,
    body: &[u8],
    version: ProtocolVersion,
) -> Result<ClientKeyExchange, DecodeError> {
    let r = &mut Reader::new(body);
    let cke = match kx {
        KeyExchange::Rsa if RSA => ClientKeyExchange::read_rsa(r, version)?,
        KeyExchange::DheRsa | KeyExchange::DhAnon if DH => ClientKeyExchange::read_dh(r)?,
        KeyExchange::Psk if PSK => ClientKeyExchange::read_psk(r)?,
        KeyExchange::DhePsk if PSK && DH => ClientKeyExchange::read_dhe_psk(r)?,
        KeyExchange::EcdheRsa | KeyExchange::EcdheEcdsa if ECDHE => {
            ClientKeyExchange::read_ecdh(r)?
        }
        _ => return Err(NOT_COMPILED),
    };
    r.expect_empty()?;
    Ok(cke)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_compiled_suite_has_its_key_exchange_compiled() {
        for s in crate::suites::SUITES {
            assert!(compiled(s.kx), "{} has no {:?} code", s.name, s.kx);
        }
    }

    #[cfg(feature = "client-side-ssl")]
    #[test]
    fn a_server_key_exchange_for_rsa_is_refused() {
        assert_eq!(
            read_server_key_exchange(KeyExchange::Rsa, &[0, 0], ProtocolVersion::TLSv1_1),
            Err(ServerKeyExchange::RSA_HAS_NONE)
        );
    }
}
