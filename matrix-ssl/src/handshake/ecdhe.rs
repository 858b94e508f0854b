//! ECDHE in the handshake (RFC 8422; RFC 4492 for TLS 1.0/1.1): the groups and point formats
//! both hellos negotiate (sections 5.1 and 5.2), the ServerKeyExchange a server signs
//! (section 5.4), the client's ephemeral point (section 5.7) and the premaster secret
//! (section 5.10: the shared X coordinate, or the X25519 output of RFC 7748, never all
//! zeros).
//!
//! Groups are `NamedGroup` code points; `Config::ec_groups` lists ours in preference order
//! and the curves this build did not compile in (features `secp256r1`, `secp384r1`,
//! `x25519`) are dropped from it. A client offers its
//! groups and `uncompressed` whenever it offers an ECDHE suite. A server takes the first of
//! its groups the client listed (secp256r1, RFC 8422 section 5.1's fallback, when the
//! client sent no list), uses uncompressed points only, refuses a client whose
//! ec_point_formats lacks uncompressed (illegal_parameter, section 5.1.2), and picks an
//! ECDHE suite only when a group is common, an ECDHE_ECDSA one only when its EC key's
//! curve is one the client listed and (TLS 1.2) the client's signature_algorithms allow
//! ECDSA.
//!
//! Alerts: a ServerKeyExchange naming a group we did not offer, an explicit curve or a
//! point that is not on the curve or has the wrong length is illegal_parameter; so is a
//! ClientKeyExchange point the curve refuses, and an X25519 result of all zeros; a
//! malformed vector is decode_error (the codec's); no common group leaves no suite
//! (handshake_failure).
//!
//! Without the `ecc-core` feature (turned on by every ECDHE suite and curve) no ECDHE suite is in the table, so none of this runs; the
//! items exist in a form that does nothing, so that the machines compile unchanged.

// A one-role build uses one side's half of this module.
#![cfg_attr(
    not(all(feature = "client-side-ssl", feature = "server-side-ssl")),
    allow(dead_code, reason = "a one-role build uses one side's items")
)]

use alloc::vec::Vec;

#[cfg(feature = "ecc-core")]
use matrix_crypto::alg::HashAlgorithm;
use matrix_crypto::random::SecureRandom;
use zeroize::Zeroizing;

use super::HsShared;
use super::signing::PeerKey;
use crate::alert::Fatal;
use crate::codec::handshake::{
    ClientHello, EcdheServerKeyExchangeView, Extension, ServerKeyExchange,
};
use crate::codec::{AlertDescription, ExtensionType, ProtocolVersion};
use crate::context::ContextInner;
use crate::suites::KeyExchange;

#[cfg(feature = "ecc-core")]
use matrix_crypto::ec::{EcdhKeyPair, NamedCurve};

/// The supported_groups extension type (RFC 8422 section 5.1.1).
pub(crate) const EXT_SUPPORTED_GROUPS: u16 = 10;
/// The ec_point_formats extension type (RFC 8422 section 5.1.2).
pub(crate) const EXT_EC_POINT_FORMATS: u16 = 11;

/// The secp256r1 group, a server's choice for a client that listed none.
#[cfg(feature = "ecc-core")]
const SECP256R1: u16 = 23;

/// A server's ephemeral ECDH key pair, between its ServerKeyExchange and the client's
/// ClientKeyExchange (the secret is wiped on drop).
#[cfg(feature = "ecc-core")]
pub(crate) type Ephemeral = alloc::boxed::Box<EcdhKeyPair>;

/// Without `ecc-core` no ECDHE exchange happens: the type has no value.
#[cfg(not(feature = "ecc-core"))]
pub(crate) enum Ephemeral {}

/// Our groups in preference order, those this build has.
#[cfg(feature = "ecc-core")]
pub(crate) fn our_groups(ctx: &ContextInner) -> Vec<u16> {
    // A plain loop, not a filter/collect chain: smaller, same capacity.
    let mut groups = Vec::new();
    for &g in &ctx.config.ec_groups {
        if group_enabled(g) {
            groups.push(g);
        }
    }
    groups
}

/// Whether [`our_groups`] is non-empty, without building it (the client's suite check).
#[cfg(all(feature = "ecc-core", feature = "client-side-ssl"))]
pub(crate) fn have_group(ctx: &ContextInner) -> bool {
    for &g in &ctx.config.ec_groups {
        if group_enabled(g) {
            return true;
        }
    }
    false
}

/// Without `ecc-core`: no group.
#[cfg(all(not(feature = "ecc-core"), feature = "client-side-ssl"))]
pub(crate) fn have_group(_ctx: &ContextInner) -> bool {
    false
}

/// Whether `group` is a curve this build has and enables.
#[cfg(feature = "ecc-core")]
fn group_enabled(group: u16) -> bool {
    NamedCurve::from_tls_id(group).is_some_and(NamedCurve::is_enabled)
}

/// Without `ecc-core`: no group.
#[cfg(not(feature = "ecc-core"))]
pub(crate) fn our_groups(_ctx: &ContextInner) -> Vec<u16> {
    Vec::new()
}

/// Without `ecc-core`: no curve.
#[cfg(not(feature = "ecc-core"))]
fn group_enabled(_group: u16) -> bool {
    false
}

/// Client: appends supported_groups and ec_point_formats (and records their types as
/// sent) when `suites` holds an ECDHE suite.
#[cfg(feature = "client-side-ssl")]
pub(crate) fn client_hello_extensions(
    ctx: &ContextInner,
    suites: &[crate::codec::CipherSuite],
    exts: &mut super::client_hello::HelloExtWriter,
) {
    let ecdhe = suites
        .iter()
        .any(|s| crate::suites::lookup(*s).is_some_and(|i| i.kx.is_ecdhe()));
    if !ecdhe {
        return;
    }
    // A server answers with its point formats only (RFC 8422 section 5.2).
    // `supported_groups_data`'s bytes over `our_groups` (the list with its 2-byte length,
    // saturated as that prefix encoder does), written here in one vector: a client links
    // no generic prefix encoder for them, and builds no list of the groups first.
    let ours = &ctx.config.ec_groups;
    let mut groups_data = Vec::with_capacity(2 + 2 * ours.len());
    groups_data.extend_from_slice(&[0, 0]);
    for &g in ours {
        if group_enabled(g) {
            groups_data.extend_from_slice(&g.to_be_bytes());
        }
    }
    let body_len = groups_data.len() - 2;
    if body_len == 0 {
        return;
    }
    let body_len = u16::try_from(body_len).unwrap_or(u16::MAX);
    groups_data[..2].copy_from_slice(&body_len.to_be_bytes());
    exts.push(EXT_SUPPORTED_GROUPS, &groups_data, false);
    // `point_formats_data`'s bytes, without allocating them.
    let formats = [1, crate::codec::ec_extensions::POINT_FORMAT_UNCOMPRESSED];
    exts.push(EXT_EC_POINT_FORMATS, &formats, true);
}

/// Client: a ServerHello's ec_point_formats must list uncompressed (illegal_parameter),
/// RFC 8422 section 5.2; a malformed one is decode_error.
pub(crate) fn check_server_point_formats(
    data: Option<&[u8]>,
    version: ProtocolVersion,
) -> Result<(), Fatal> {
    let Some(data) = data else { return Ok(()) };
    // Read in place: the list is not copied.
    if crate::codec::ec_extensions::point_formats_include_uncompressed(data)
        .map_err(|e| Fatal::decode(e, version))?
    {
        Ok(())
    } else {
        Err(Fatal::new(AlertDescription::IllegalParameter))
    }
}

/// What a ClientHello says about elliptic curves.
pub(crate) struct ClientEc {
    /// The client's supported_groups, if it sent the extension.
    groups: Option<Vec<u16>>,
}

impl ClientEc {
    /// Reads the two extensions of `ch` (decode_error when malformed; illegal_parameter for
    /// point formats without uncompressed). Without `ecc-core` they are ignored.
    pub(crate) fn read(ch: &ClientHello, version: ProtocolVersion) -> Result<Self, Fatal> {
        let data = |t: u16| match ch.extension(ExtensionType::from(t)) {
            Some(Extension::Unknown { data, .. }) => Some(data.as_slice()),
            _ => None,
        };
        if !cfg!(feature = "ecc-core") {
            return Ok(ClientEc { groups: None });
        }
        let formats = data(EXT_EC_POINT_FORMATS);
        check_server_point_formats(formats, version)?;
        let groups = data(EXT_SUPPORTED_GROUPS)
            .map(crate::codec::ec_extensions::read_supported_groups)
            .transpose()
            .map_err(|e| Fatal::decode(e, version))?;
        Ok(ClientEc { groups })
    }

    /// Our first group the client listed; secp256r1 (if we have it) for a client that sent
    /// no list.
    pub(crate) fn choose_group(&self, ctx: &ContextInner) -> Option<u16> {
        let ours = our_groups(ctx);
        match &self.groups {
            Some(theirs) => ours.into_iter().find(|g| theirs.contains(g)),
            None => ours.into_iter().find(|g| *g == secp256r1()),
        }
    }

    /// Whether the client accepts `group` (an ECDSA certificate's curve, RFC 8422 section
    /// 5.1): any, when it sent no list.
    pub(crate) fn accepts(&self, group: u16) -> bool {
        self.groups.as_ref().is_none_or(|g| g.contains(&group))
    }
}

/// The secp256r1 code point (0, an unused value, without `ecc`).
const fn secp256r1() -> u16 {
    #[cfg(feature = "ecc-core")]
    {
        SECP256R1
    }
    #[cfg(not(feature = "ecc-core"))]
    {
        0
    }
}

/// Server: whether the ECDHE suite of `kx` can run for this client: a common group, and
/// for ECDHE_ECDSA an EC identity on a curve the client has and (TLS 1.2) a signature pair
/// the client allows. Other key exchanges pass.
pub(crate) fn server_can_run(kx: KeyExchange, client: &ClientEc, shared: &HsShared) -> bool {
    if !kx.is_ecdhe() {
        return true;
    }
    if client.choose_group(&shared.ctx).is_none() {
        return false;
    }
    match kx {
        KeyExchange::EcdheEcdsa => {
            shared.keys.ec_group().is_some_and(|g| client.accepts(g))
                && shared.sign_spec(crate::sigalgs::SigKind::Ecdsa).is_ok()
        }
        _ => shared.sign_spec(crate::sigalgs::SigKind::Rsa).is_ok(),
    }
}

/// The hash of client_random + server_random + the parameters: what a ServerKeyExchange
/// signature covers (RFC 8422 section 5.4).
#[cfg(feature = "ecc-core")]
fn params_digest(
    hash: HashAlgorithm,
    shared: &HsShared,
    named_group: u16,
    point: &[u8],
) -> Result<Vec<u8>, Fatal> {
    use matrix_crypto::hash::HashContext;
    // Matched in place: `map_err` and `?` each moved the context (a SHA-256 state).
    let mut h = match HashContext::new(hash) {
        Ok(h) => h,
        Err(e) => return Err(Fatal::internal(e)),
    };
    h.update(&shared.client_random);
    h.update(&shared.server_random);
    h.update(&crate::codec::ec_extensions::params_header(
        named_group,
        point,
    ));
    h.update(point);
    Ok(h.finalize())
}

/// Server: a fresh key pair on `group` and the ServerKeyExchange carrying it, signed with
/// the identity the suite's key exchange names.
#[cfg(feature = "ecc-core")]
pub(crate) fn server_key_exchange(
    shared: &HsShared,
    kx: KeyExchange,
    group: u16,
    rng: &mut dyn SecureRandom,
) -> Result<(ServerKeyExchange, Ephemeral), Fatal> {
    let curve =
        NamedCurve::from_tls_id(group).ok_or(Fatal::new(AlertDescription::InternalError))?;
    let pair = EcdhKeyPair::generate(curve, rng)?;
    let params = crate::codec::handshake::ServerEcdhParams {
        named_group: group,
        point: pair.public_key().to_vec(),
    };
    let signer = shared
        .keys
        .signer_for(kx)
        .ok_or(Fatal::new(AlertDescription::HandshakeFailure))?;
    let (hash, sig_alg) = shared.sign_spec(signer.kind())?;
    let digest = params_digest(hash, shared, params.named_group, &params.point)?;
    let signature = signer.sign(rng, hash, &digest)?;
    let ske = ServerKeyExchange::Ecdhe {
        params,
        sig_alg,
        signature,
    };
    Ok((ske, alloc::boxed::Box::new(pair)))
}

/// Without `ecc-core` no ECDHE suite is chosen.
#[cfg(not(feature = "ecc-core"))]
pub(crate) fn server_key_exchange(
    _shared: &HsShared,
    _kx: KeyExchange,
    _group: u16,
    _rng: &mut dyn SecureRandom,
) -> Result<(ServerKeyExchange, Ephemeral), Fatal> {
    Err(Fatal::internal(matrix_core::Error::UnsupportedFail))
}

/// Server: the premaster secret from the client's point (illegal_parameter when the curve
/// refuses it, or for an all-zero X25519 result).
#[cfg(feature = "ecc-core")]
pub(crate) fn server_agree(pair: &Ephemeral, point: &[u8]) -> Result<Zeroizing<Vec<u8>>, Fatal> {
    pair.agree(point)
        .map_err(|_| Fatal::new(AlertDescription::IllegalParameter))
}

/// Without `ecc-core` there is never a pair.
#[cfg(not(feature = "ecc-core"))]
pub(crate) fn server_agree(pair: &Ephemeral, _point: &[u8]) -> Result<Zeroizing<Vec<u8>>, Fatal> {
    match *pair {}
}

/// Client: checks the ServerKeyExchange's group (one we offered) and point length
/// (illegal_parameter otherwise), its signature with the server's key (the pair of the
/// key's kind; decrypt_error when it does not verify), and agrees on the premaster secret with a fresh key pair
/// of ours: returns our point and the secret.
#[cfg(feature = "ecc-core")]
#[allow(clippy::manual_contains)] // see the group check in the body
pub(crate) fn client_agree(
    shared: &HsShared,
    server_key: &PeerKey,
    ske: &EcdheServerKeyExchangeView<'_>,
    rng: &mut dyn SecureRandom,
) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), Fatal> {
    // The group and the point's length first: they are checked before anything is
    // computed with them, and a server that got them wrong fails the same way whether or
    // not it signed them.
    let illegal = || Fatal::new(AlertDescription::IllegalParameter);
    // One of our groups (in `our_groups`), checked without building the list; by `any`,
    // not `contains`, whose `u16` form is an unrolled search (about 80 B on a Cortex-M).
    let group = ske.named_group;
    if !(shared.ctx.config.ec_groups.iter().any(|&g| g == group) && group_enabled(group)) {
        return Err(illegal());
    }
    let curve = NamedCurve::from_tls_id(group).ok_or_else(illegal)?;
    if ske.point.len() != curve.public_len() {
        return Err(illegal());
    }
    let hash = shared.verify_spec(server_key.kind(), ske.sig_alg)?;
    let digest = params_digest(hash, shared, group, ske.point)?;
    server_key.verify(hash, &digest, ske.signature)?;
    // Matched in place: `?` moved the pair (its secret) once more.
    let pair = match EcdhKeyPair::generate(curve, rng) {
        Ok(pair) => pair,
        Err(e) => return Err(Fatal::internal(e)),
    };
    let z = pair.agree(ske.point).map_err(|_| illegal())?;
    // The pair's point moved out, not copied (the secret is wiped as the pair drops).
    Ok((pair.into_public_key(), z))
}

/// Without `ecc-core` no ECDHE suite is offered.
#[cfg(not(feature = "ecc-core"))]
pub(crate) fn client_agree(
    _shared: &HsShared,
    _server_key: &PeerKey,
    _ske: &EcdheServerKeyExchangeView<'_>,
    _rng: &mut dyn SecureRandom,
) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), Fatal> {
    Err(Fatal::new(AlertDescription::HandshakeFailure))
}

/// The heap bytes of a server's ephemeral pair (see `super::heap`).
#[cfg(feature = "ecc-core")]
pub(crate) fn ephemeral_bytes(pair: &Ephemeral) -> usize {
    core::mem::size_of_val(&**pair)
}

/// Without `ecc-core` there is never a pair.
#[cfg(not(feature = "ecc-core"))]
pub(crate) fn ephemeral_bytes(pair: &Ephemeral) -> usize {
    match *pair {}
}
