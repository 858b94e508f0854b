//! The heap a handshake machine holds, for `Session::memory_usage`: the boxed machine,
//! the negotiated values that outlive the handshake (session id, Finished values, the
//! peer's hello extensions, the cipher states waiting for ChangeCipherSpec) and, while a
//! handshake runs, its state (offered suites, key-exchange values, the peer's chain if the
//! application keeps it). Capacities, not lengths: what the allocator handed out.

use alloc::vec::Vec;

use super::{CertValidator, HsShared, PeerChain};
#[cfg(feature = "client-side-ssl")]
use super::{ExtensionCallback, HelloExtensions};

/// The heap bytes of a vector's buffer.
pub(crate) fn vec_bytes<T>(v: &Vec<T>) -> usize {
    v.capacity() * core::mem::size_of::<T>()
}

#[cfg(all(feature = "cert-parse", feature = "certificates"))]
fn chain_bytes(c: &PeerChain) -> usize {
    c.heap_bytes()
}

#[cfg(not(all(feature = "cert-parse", feature = "certificates")))]
fn chain_bytes(c: &PeerChain) -> usize {
    match *c {}
}

/// A boxed callback: its captured state.
pub(crate) fn validator_bytes(v: Option<&CertValidator>) -> usize {
    v.map_or(0, |b| core::mem::size_of_val(&**b))
}

/// A boxed extension callback: its captured state (only clients hold one).
#[cfg(feature = "client-side-ssl")]
pub(crate) fn extension_cb_bytes(v: Option<&ExtensionCallback>) -> usize {
    v.map_or(0, |b| core::mem::size_of_val(&**b))
}

#[cfg(feature = "client-side-ssl")]
impl HelloExtensions {
    /// The heap bytes of the loaded extensions (only clients keep theirs).
    pub(crate) fn heap_bytes(&self) -> usize {
        pairs_bytes(&self.list)
    }
}

/// The heap bytes of a list of extensions (type, data): the list and each data buffer. A
/// plain loop: the iterator sum is an instance of its own per call site in the small
/// builds.
fn pairs_bytes(list: &Vec<(u16, Vec<u8>)>) -> usize {
    let mut n = vec_bytes(list);
    for (_, d) in list {
        n += d.capacity();
    }
    n
}

/// The heap bytes of a vector that only a build with some feature ever fills (`filled`:
/// that feature's constant); always 0 elsewhere, so that the walk over fields a build never
/// fills is left out of it.
fn filled_bytes<T>(filled: bool, v: &Vec<T>) -> usize {
    if filled { vec_bytes(v) } else { 0 }
}

/// The heap bytes of a vector a build may not keep at all (a kx gate type, seen through
/// its `Vec`): 0 when none is kept.
fn kept_bytes<T>(v: Option<&Vec<T>>) -> usize {
    v.map_or(0, vec_bytes)
}

/// Only a server reads server_name and disables suites per session.
const SERVER: bool = cfg!(feature = "server-side-ssl");

impl HsShared {
    /// The heap bytes this state holds besides itself.
    pub(crate) fn heap_bytes(&self) -> usize {
        // Only a build that renegotiates ever sets `reneg`.
        let reneg = self.renegotiating().map_or(0, |r| {
            r.client_verify_data.capacity()
                + r.server_verify_data.capacity()
                + r.dtls_cookie.capacity()
        });
        let read = self
            .pending_read
            .as_deref()
            .map_or(0, |d| core::mem::size_of_val(d) + d.heap_bytes());
        let write = self
            .pending_write
            .as_deref()
            .map_or(0, |e| core::mem::size_of_val(e) + e.heap_bytes());
        vec_bytes(&self.session_id)
            + self.transcript.heap_bytes()
            + self.peer_certs.as_ref().map_or(0, chain_bytes)
            + filled_bytes(SERVER, &self.session_disabled)
            + read
            + write
            + pairs_bytes(&self.peer_extensions)
            + kept_bytes(self.client_verify_data.as_ref().map(|v| -> &Vec<u8> { v }))
            + kept_bytes(self.server_verify_data.as_ref().map(|v| -> &Vec<u8> { v }))
            + reneg
            // Each only in a build that can fill it (the types say so).
            + kept_bytes(self.server_name.as_ref().map(|n| -> &Vec<u8> { n }))
            + kept_bytes(self.dtls_cookie.as_ref().map(|c| -> &Vec<u8> { c }))
            // Read from a TLS 1.2 peer only.
            + kept_bytes(
                self.peer_sig_algs
                    .as_ref()
                    .map(|l| -> &Vec<crate::codec::SignatureScheme> { l }),
            )
    }
}

impl super::Handshake {
    /// The heap bytes of the boxed machine and everything it holds.
    pub(crate) fn heap_bytes(&self) -> usize {
        match self {
            #[cfg(feature = "client-side-ssl")]
            super::Handshake::Client(c) => core::mem::size_of_val(&**c) + c.heap_bytes(),
            #[cfg(feature = "server-side-ssl")]
            super::Handshake::Server(s) => core::mem::size_of_val(&**s) + s.heap_bytes(),
        }
    }
}
