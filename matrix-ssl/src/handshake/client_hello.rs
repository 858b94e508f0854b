//! The extensions of the ClientHello a client writes (RFC 5246 section 7.4.1.4, RFC 4366
//! section 2.1), built as their wire bytes: type, length and extension_data, one after the
//! other, in the order the hello carries them; beside them the types a ServerHello may
//! answer (a server sends only extensions the client offered: the ServerHello check).
//!
//! No `Extension` value is made for our own hello (each would own a copy of its data, and
//! its encoder and drop glue would be linked for that one use); only a DTLS client, which
//! keeps its hello to resend it with a cookie, turns the block into values
//! ([`HelloExtWriter::to_extensions`]).

use alloc::vec::Vec;

use super::HelloExtensions;
use crate::codec::handshake::Extension;
use crate::codec::{LengthPrefix, Reader, encode_opaque, read_opaque};

/// A ClientHello's extensions being written.
pub(crate) struct HelloExtWriter {
    /// The extensions, each as type, two-byte length and data: the block without its own
    /// length.
    pub(crate) block: Vec<u8>,
    /// The types a ServerHello may answer, in the order offered, each as its two wire
    /// bytes (a byte vector's code is in every image already; a `Vec<u16>` brought its
    /// own push and growth code for this one list).
    pub(crate) sent: Vec<u8>,
}

impl HelloExtWriter {
    /// A block that starts with the application's extensions (all of them answerable).
    pub(crate) fn new(app: Option<&HelloExtensions>) -> Self {
        let mut w = HelloExtWriter {
            block: Vec::new(),
            sent: Vec::new(),
        };
        if let Some(app) = app {
            for (ext_type, data) in &app.list {
                w.push(*ext_type, data, true);
            }
        }
        w
    }

    /// Appends one extension (`data` at most 65535 bytes, as `HelloExtensions::load` and
    /// our own extensions keep it); `answerable`: a ServerHello may carry it.
    pub(crate) fn push(&mut self, ext_type: u16, data: &[u8], answerable: bool) {
        self.block.extend_from_slice(&ext_type.to_be_bytes());
        encode_opaque(&mut self.block, LengthPrefix::U16, data);
        if answerable {
            self.sent.extend_from_slice(&ext_type.to_be_bytes());
        }
    }

    /// The block as values that encode to the same bytes: each extension as
    /// `Extension::Unknown` with its extension_data as written (a DTLS client's kept hello;
    /// unlinked elsewhere, where `is_dtls` is constant false).
    pub(crate) fn to_extensions(&self) -> Vec<Extension> {
        let mut r = Reader::new(&self.block);
        let mut exts = Vec::new();
        // The block is ours and well formed: the loop ends at its end.
        while let (Ok(ext_type), Ok(data)) =
            (r.u16(), read_opaque(&mut r, LengthPrefix::U16, 0, 0xffff))
        {
            exts.push(Extension::Unknown {
                ext_type,
                data: data.to_vec(),
            });
        }
        exts
    }
}

/// Whether the types `sent` (as [`HelloExtWriter::sent`] writes them) include `ext_type`.
pub(crate) fn sent_includes(sent: &[u8], ext_type: u16) -> bool {
    // Pairs taken by a slice pattern (no index checks, no iterator adapter), the whole
    // list compared whatever is found.
    let mut found = false;
    let mut rest = sent;
    while let [hi, lo, tail @ ..] = rest {
        found |= u16::from_be_bytes([*hi, *lo]) == ext_type;
        rest = tail;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::Codec;

    /// The block is what encoding the same extensions as values writes, and it reads back
    /// to values that encode to it again.
    #[test]
    fn block_matches_the_extensions_encoding() {
        let mut app = HelloExtensions::new();
        app.load(0x0000, b"\x00\x08\x00\x00\x05hello").unwrap();
        app.load(0x1234, &[]).unwrap();
        let mut w = HelloExtWriter::new(Some(&app));
        w.push(0x0017, &[], true);
        w.push(0x000a, &[0, 2, 0, 23], false);
        w.push(0xff01, &[1, 9], false);
        let values = [
            Extension::Unknown {
                ext_type: 0x0000,
                data: b"\x00\x08\x00\x00\x05hello".to_vec(),
            },
            Extension::Unknown {
                ext_type: 0x1234,
                data: Vec::new(),
            },
            Extension::Unknown {
                ext_type: 0x0017,
                data: Vec::new(),
            },
            Extension::Unknown {
                ext_type: 0x000a,
                data: alloc::vec![0, 2, 0, 23],
            },
            Extension::RenegotiationInfo(alloc::vec![9]),
        ];
        let mut expected = Vec::new();
        for e in &values {
            e.encode(&mut expected);
        }
        assert_eq!(w.block, expected);
        assert_eq!(w.sent, [0x00, 0x00, 0x12, 0x34, 0x00, 0x17]);
        assert!(super::sent_includes(&w.sent, 0x1234) && !super::sent_includes(&w.sent, 0x000a));
        let mut again = Vec::new();
        for e in &w.to_extensions() {
            e.encode(&mut again);
        }
        assert_eq!(again, expected);
        assert_eq!(w.to_extensions().len(), 5);
    }
}
