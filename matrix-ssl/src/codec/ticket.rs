//! RFC 5077's wire structures: the NewSessionTicket handshake message (section 3.3) and the
//! SessionTicket hello extension (section 3.2), whose extension_data is the ticket itself
//! (empty in a ClientHello that asks for a ticket, always empty in a ServerHello). What is
//! inside a ticket is the issuing server's business (`handshake::ticket`); to the codec
//! and to the client it is opaque bytes of at most 65535.

use alloc::vec::Vec;

use super::{Codec, DecodeError, LengthPrefix, Reader, encode_opaque, read_opaque};

/// The largest ticket the wire allows (`opaque ticket<0..2^16-1>`).
pub const MAX_TICKET_LEN: usize = 0xffff;

/// NewSessionTicket (RFC 5077 section 3.3): sent by a server that announced it with an empty
/// SessionTicket extension, before its ChangeCipherSpec. An empty `ticket` says the server
/// changed its mind and issues none.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewSessionTicket {
    /// `ticket_lifetime_hint`: seconds the client may keep the ticket (0: unspecified).
    pub lifetime_hint: u32,
    /// The opaque ticket.
    pub ticket: Vec<u8>,
}

impl Codec<'_> for NewSessionTicket {
    fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.lifetime_hint.to_be_bytes());
        encode_opaque(out, LengthPrefix::U16, &self.ticket);
    }

    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let lifetime_hint = r.u32()?;
        let ticket = read_opaque(r, LengthPrefix::U16, 0, MAX_TICKET_LEN)?.to_vec();
        Ok(NewSessionTicket {
            lifetime_hint,
            ticket,
        })
    }
}
