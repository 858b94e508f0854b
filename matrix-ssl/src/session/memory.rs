//! What a session holds on the heap ([`Session::memory_usage`]), measured from the
//! session's own parts: its record buffers, the handshake machine and what it keeps
//! (negotiated values, pending cipher states, the peer's chain when kept), the active
//! cipher states and the generator's entropy source. The context and the keys are shared
//! by every session of a context and counted by none.
//!
//! The record buffers follow the records (`records`): allocated when a record needs them,
//! freed when drained, so an idle session holds only its keys and negotiated values.

use super::Session;

impl Session {
    /// Bytes this session holds on the heap now, and the most it held at any point the
    /// library measured (after every record, buffer change and call).
    ///
    /// Everything the session owns is counted: the record and handshake buffers (those are
    /// what `Config::session_memory_cap` limits, since a peer can make them grow), the
    /// handshake machine with its state, the cipher states and the peer's certificate chain
    /// when kept (`Config::keep_peer_certificates`). Not counted: the `Session` value itself
    /// (`size_of::<Session>()`, wherever the application put it), the context and keys
    /// shared with other sessions, and the scratch memory of a single operation that is
    /// freed before it returns (an RSA private-key operation's temporaries, a certificate
    /// chain being parsed and authenticated).
    pub fn memory_usage(&self) -> (usize, usize) {
        let now = self.heap_bytes();
        (now, self.heap_high_water.max(now))
    }

    /// The heap bytes held now (see [`Session::memory_usage`]).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.buffer_bytes() + self.state_bytes()
    }

    /// The record and handshake buffers: what `Config::session_memory_cap` limits.
    pub(crate) fn buffer_bytes(&self) -> usize {
        self.inbuf.capacity()
            + self.inbuf_lent
            + self.outbuf.capacity()
            + self.hsbuf.capacity()
            + self.wbuf.capacity()
    }

    /// Everything else: the cipher states and the handshake machine.
    fn state_bytes(&self) -> usize {
        let ciphers = core::mem::size_of_val(&*self.enc)
            + self.enc.heap_bytes()
            + core::mem::size_of_val(&*self.dec)
            + self.dec.heap_bytes();
        // The random generator is the context's (`SharedRng`): the session holds no heap of
        // its own for it.
        ciphers + self.hs.heap_bytes()
    }

    /// Records the current usage in the high-water mark, given the buffers' share of it
    /// (`buffers`, which the caller has in hand).
    pub(crate) fn note_heap(&mut self, buffers: usize) {
        self.heap_high_water = self.heap_high_water.max(buffers + self.state_bytes());
    }
}
