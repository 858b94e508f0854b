//! What a DTLS session holds on the heap ([`DtlsSession::memory_usage`]) and the
//! `Config::session_memory_cap` budget its buffers are charged to, as matrix-ssl's TLS
//! sessions are.
//!
//! The buffers follow the datagrams: the read buffer exists from `get_readbuf` until the
//! datagram's records are processed, an outgoing datagram until it is sent (a flight's
//! datagrams are protected one at a time, each when the previous one was sent), the last
//! flight's messages until the peer's answer proves it arrived (a Certificate listing the
//! session's own chain as a reference to the shared `Keys`, not a copy), a partial
//! handshake message until it is complete. An idle session holds its cipher states and
//! negotiated values only.

use matrix_core::Error;

use super::DtlsSession;

impl DtlsSession {
    /// Bytes this session holds on the heap now, and the most it held at any point the
    /// library measured (every call and every datagram).
    ///
    /// Counted: the read and write buffers, the datagrams waiting to be sent, the flight
    /// kept for retransmission, partial handshake messages, the cipher states of the
    /// current and previous epochs, the handshake engine with what it keeps (see
    /// `matrix_ssl::Session::memory_usage`; the peer's chain only with
    /// `Config::keep_peer_certificates`) and the generator. Not counted: the
    /// `DtlsSession` value itself, the context and keys shared with other sessions, and
    /// the scratch memory of a single operation freed before it returns.
    pub fn memory_usage(&self) -> (usize, usize) {
        let now = self.heap_bytes();
        (now, self.heap_high_water.max(now))
    }

    /// The buffers charged to the budget: what a peer can make grow.
    fn buffer_bytes(&self) -> usize {
        let out = self.out.capacity() * core::mem::size_of::<super::Outgoing>()
            + self.out.iter().map(|o| o.bytes.capacity()).sum::<usize>();
        let early = self.early_record.as_ref().map_or(0, |(_, r)| r.capacity());
        self.inbuf.capacity()
            + self.inbuf_lent
            + self.wbuf.capacity()
            + out
            + self.flight.heap_bytes()
            + self.reasm.heap_bytes()
            + early
    }

    fn heap_bytes(&self) -> usize {
        let pending = self.pending_server.as_ref().map_or(0, |p| {
            p.validator
                .as_ref()
                .map_or(0, |v| core::mem::size_of_val(&**v))
        });
        self.buffer_bytes()
            + self.engine.as_ref().map_or(0, |e| e.heap_bytes())
            + pending
            + self.client_addr.capacity()
            + core::mem::size_of_val(&*self.rng)
            + self.writer.heap_bytes()
            + self.reader.heap_bytes()
    }

    /// `PS_MEM_FAIL` unless `extra` more buffer bytes fit the budget.
    pub(super) fn reserve(&self, extra: usize) -> Result<(), Error> {
        if extra > self.budget.available() {
            return Err(Error::MemFail);
        }
        Ok(())
    }

    /// Charges the buffers' current sizes to the budget (`PS_MEM_FAIL` past the cap,
    /// charging what the cap allows) and notes the heap's high-water mark.
    pub(super) fn recharge(&mut self) -> Result<(), Error> {
        self.heap_high_water = self.heap_high_water.max(self.heap_bytes());
        let now = self.buffer_bytes();
        let r = self.budget.resize(self.charged, now);
        if r.is_err() {
            let _ = self.budget.resize(self.charged, self.budget.cap());
        }
        self.charged = self.budget.used();
        r
    }

    /// Frees the read buffer once the datagram in it is used up.
    pub(super) fn release_drained_input(&mut self) {
        if self.in_pos >= self.in_end && self.inbuf.capacity() > 0 {
            self.inbuf = alloc::vec::Vec::new();
            self.in_pos = 0;
            self.in_end = 0;
        }
        let _ = self.recharge();
    }
}
