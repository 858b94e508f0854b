//! How many heap bytes a parsed certificate holds: what a session that keeps the peer's
//! chain (matrix-ssl's `Config::keep_peer_certificates`) reports in its memory usage.
//! Capacities, not lengths: what the allocator handed out.

use alloc::vec::Vec;

use crate::{DistinguishedName, PublicKey, SignatureAlgorithm, X509Cert};

pub(crate) fn bytes<T>(v: &Vec<T>) -> usize {
    v.capacity() * core::mem::size_of::<T>()
}

/// Plain loops here rather than `map(..).sum()`: each summed iterator is a function of its
/// own on a Cortex-M4.
fn name(n: &DistinguishedName) -> usize {
    let mut total = bytes(&n.der);
    for part in &[
        &n.country,
        &n.state,
        &n.locality,
        &n.organization,
        &n.org_unit,
        &n.common_name,
    ] {
        total += part.as_ref().map_or(0, |s| bytes(&s.value));
    }
    total
}

fn algorithm(a: &SignatureAlgorithm) -> usize {
    match a {
        SignatureAlgorithm::Unknown(oid) => bytes(oid),
        _ => 0,
    }
}

impl X509Cert {
    /// The heap bytes this certificate holds (its DER, names, key, signature and
    /// extensions), not counting the `X509Cert` itself.
    pub fn heap_bytes(&self) -> usize {
        let key = match &self.public_key {
            PublicKey::Rsa { n, e } => bytes(n) + bytes(e),
            PublicKey::Unsupported { algorithm } => bytes(algorithm),
            #[cfg(feature = "ecc-core")]
            PublicKey::Ec { point, .. } => bytes(point),
        };
        let x = &self.extensions;
        let mut extensions = bytes(&x.subject_alt_names)
            + bytes(&x.ext_key_usage)
            + x.subject_key_id.as_ref().map_or(0, bytes)
            + x.authority_key_id.as_ref().map_or(0, bytes)
            + bytes(&x.unknown)
            + name_constraints_bytes(x);
        for s in &x.subject_alt_names {
            extensions += bytes(&s.data);
        }
        for p in &x.ext_key_usage {
            extensions += bytes(p);
        }
        for u in &x.unknown {
            extensions += bytes(&u.oid);
        }
        bytes(&self.serial_number)
            + name(&self.issuer)
            + name(&self.subject)
            + self.not_before.text.capacity()
            + self.not_after.text.capacity()
            + key
            + algorithm(&self.cert_algorithm)
            + algorithm(&self.sig_algorithm)
            + bytes(&self.signature)
            + self.unique_issuer_id.as_ref().map_or(0, bytes)
            + self.unique_subject_id.as_ref().map_or(0, bytes)
            + extensions
            + bytes(&self.der)
    }
}

/// The heap bytes of a CA's parsed nameConstraints.
#[cfg(feature = "name-constraints")]
fn name_constraints_bytes(x: &crate::Extensions) -> usize {
    x.name_constraints.as_ref().map_or(0, |nc| {
        [&nc.permitted, &nc.excluded]
            .iter()
            .map(|list| bytes(list) + list.iter().map(|s| bytes(&s.data)).sum::<usize>())
            .sum::<usize>()
    })
}

/// Without `name-constraints` the extension is not parsed (its bytes are in `unknown`).
#[cfg(not(feature = "name-constraints"))]
fn name_constraints_bytes(_: &crate::Extensions) -> usize {
    0
}
