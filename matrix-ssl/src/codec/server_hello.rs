//! A ServerHello read in place (RFC 2246 section 7.4.1.3, RFC 5246 section 7.4.1.4): its
//! fields borrowed from the message body, and its extensions kept as the received block,
//! checked once and then walked where they are needed. The client reads every ServerHello
//! this way: it allocates nothing for the extensions (no `Vec<Extension>`, no copy of each
//! extension_data, no drop glue), and a client-only build links no `Extension` reader.
//! The public [`super::handshake::ServerHello`] is built from this view, so both accept and
//! refuse exactly the same bodies, with the same errors.
//!
//! What is checked, in this order (the first failure is the error): the fixed fields and
//! the session id; each extension's framing and what [`super::handshake::Extension`]'s
//! reader requires of its data (a ServerHello's server_name must be empty, a
//! renegotiation_info is exactly `renegotiated_connection<0..255>`); that the block ends
//! the body; that no type occurs twice (the smallest repeated type is named); the rules of
//! [`super::extension_rules`] for a ServerHello.

use super::extension_rules::{self, Hello};
use super::handshake::{EXT_RENEGOTIATION_INFO, EXT_SERVER_NAME, MAX_SESSION_ID_LEN};
use super::{
    CipherSuite, CompressionMethod, DecodeError, LengthPrefix, ProtocolVersion, Reader, read_opaque,
};

/// A ServerHello's fields, borrowed from its body.
pub(crate) struct ServerHelloView<'a> {
    /// The version chosen.
    pub(crate) server_version: ProtocolVersion,
    /// gmt_unix_time and 28 random bytes (32 bytes).
    pub(crate) random: &'a [u8],
    /// The session's id, `<0..32>` (empty: not resumable).
    pub(crate) session_id: &'a [u8],
    /// The suite chosen.
    pub(crate) cipher_suite: CipherSuite,
    /// The compression method chosen.
    pub(crate) compression_method: CompressionMethod,
    /// The extensions as received, one after another (type, length, data), without the
    /// block's length; `None` when the hello ends after the compression method.
    pub(crate) extensions: Option<&'a [u8]>,
}

impl<'a> ServerHelloView<'a> {
    /// Reads a whole ServerHello body from `r`: the optional extensions block must end
    /// it, so nothing is left unread.
    #[inline(never)]
    pub(crate) fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        // Version and random, then suite and compression method, as two fixed layouts: a
        // short body is `Truncated` either way, the only error those fields have.
        let head = r.take(2 + 32)?;
        let session_id = read_opaque(r, LengthPrefix::U8, 0, MAX_SESSION_ID_LEN)?;
        let tail = r.take(3)?;
        let extensions = if r.is_empty() {
            None
        } else {
            Some(read_extensions(r)?)
        };
        Ok(ServerHelloView {
            server_version: ProtocolVersion::from(u16::from_be_bytes([head[0], head[1]])),
            random: &head[2..],
            session_id,
            cipher_suite: CipherSuite::from(u16::from_be_bytes([tail[0], tail[1]])),
            compression_method: CompressionMethod::from(tail[2]),
            extensions,
        })
    }

    /// The extensions, in the order received (none when there is no block).
    #[cfg(feature = "client-side-ssl")]
    pub(crate) fn extensions(&self) -> Extensions<'a> {
        Extensions {
            rest: self.extensions.unwrap_or_default(),
        }
    }

    /// The extension_data of the extension of type `ext_type`, if the server sent one.
    #[cfg(feature = "client-side-ssl")]
    pub(crate) fn extension_data(&self, ext_type: u16) -> Option<&'a [u8]> {
        for (t, data) in self.extensions() {
            if t == ext_type {
                return Some(data);
            }
        }
        None
    }

    /// The renegotiated_connection of a renegotiation_info extension, if one was sent (its
    /// length byte, which `read` checked, left off).
    #[cfg(feature = "client-side-ssl")]
    pub(crate) fn renegotiation_info(&self) -> Option<&'a [u8]> {
        self.extension_data(EXT_RENEGOTIATION_INFO)
            .map(|data| data.get(1..).unwrap_or_default())
    }
}

/// The extensions block of a ServerHello: checked, and returned without its length.
fn read_extensions<'a>(r: &mut Reader<'a>) -> Result<&'a [u8], DecodeError> {
    let all = read_opaque(r, LengthPrefix::U16, 0, 0xffff)?;
    // Whether a rule of `extension_rules` is broken: reported after the duplicate check,
    // whose error comes first.
    let mut broken = false;
    let mut rest = all;
    while !rest.is_empty() {
        // A 16-bit length with bounds 0 and 2^16-1 can only be cut short: `Truncated` is
        // the one error of an extension's framing (what `read_prefixed` returns there).
        let (ext_type, data, tail) = split_extension(rest).ok_or(DecodeError::Truncated)?;
        match ext_type {
            // "SHALL be empty" (RFC 6066 section 3).
            EXT_SERVER_NAME if !data.is_empty() => return Err(DecodeError::TrailingBytes),
            // renegotiated_connection<0..255>, nothing after it (RFC 5746 section 3.2):
            // `read_opaque` and `expect_empty`'s errors.
            EXT_RENEGOTIATION_INFO => match data.split_first() {
                Some((&len, rc)) if rc.len() == usize::from(len) => {}
                Some((&len, rc)) if rc.len() > usize::from(len) => {
                    return Err(DecodeError::TrailingBytes);
                }
                _ => return Err(DecodeError::Truncated),
            },
            _ => {}
        }
        broken |= extension_rules::data_breaks_rule(ext_type, data, Hello::Server);
        rest = tail;
    }
    r.expect_empty()?;
    if let Some(t) = smallest_duplicate(all) {
        return Err(DecodeError::DuplicateExtension(t));
    }
    if broken {
        return Err(DecodeError::TrailingBytes);
    }
    Ok(all)
}

/// The smallest extension type that occurs twice in the checked block `block`, by
/// comparing each type with those after it, without a sort or a list of the types (a
/// client-only build links no sort and allocates nothing here). Quadratic in the worst
/// case, and only against the server the client connected to: a ServerHello is framed
/// within 16 KiB (`FrameLimits`), so at most about 4,000 extensions and 8 million
/// comparisons of two integers; a type not below the smallest duplicate found so far is
/// not compared (an honest hello has a handful of extensions).
fn smallest_duplicate(block: &[u8]) -> Option<u16> {
    let mut found: Option<u16> = None;
    let mut rest = Extensions { rest: block };
    while let Some((t, _)) = rest.next() {
        if found.is_none_or(|d| t < d) {
            for (u, _) in rest.clone() {
                if u == t {
                    found = Some(t);
                    break;
                }
            }
        }
    }
    found
}

/// The extensions of a checked block, each as (type, extension_data).
#[derive(Clone)]
pub(crate) struct Extensions<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Extensions<'a> {
    type Item = (u16, &'a [u8]);

    fn next(&mut self) -> Option<(u16, &'a [u8])> {
        // `read_extensions` checked the framing; a block that ends early (never) ends the
        // walk, without a panic.
        let (t, data, rest) = split_extension(self.rest)?;
        self.rest = rest;
        Some((t, data))
    }
}

/// The first extension of `block` (type and extension_data) and the bytes after it;
/// `None` when `block` ends before the extension does.
fn split_extension(block: &[u8]) -> Option<(u16, &[u8], &[u8])> {
    let [t0, t1, l0, l1, ref after @ ..] = *block else {
        return None;
    };
    let (data, rest) = after.split_at_checked(usize::from(u16::from_be_bytes([l0, l1])))?;
    Some((u16::from_be_bytes([t0, t1]), data, rest))
}
