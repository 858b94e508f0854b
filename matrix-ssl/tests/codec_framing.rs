//! The handshake framing: messages split anywhere across two deliveries, several messages
//! in one buffer, and messages over the size limits.

#[path = "codec_data/captures.rs"]
mod captures;
#[path = "codec_data/support.rs"]
mod support;

use captures::*;
use matrix_ssl::codec::framing::{FrameLimits, Framed, HandshakeFramer};
use matrix_ssl::codec::{DecodeError, HandshakeType};
use support::hex;

/// The server's first flight of the TLS 1.0 DHE capture, plus a message type matrix does
/// not know, in one buffer.
fn flight() -> Vec<Vec<u8>> {
    [
        TLS10_DHE_SERVER_HELLO,
        CERTIFICATE,
        TLS10_DHE_SERVER_KEY_EXCHANGE,
        CERTIFICATE_REQUEST,
        SERVER_HELLO_DONE,
        TLS10_NEW_SESSION_TICKET,
    ]
    .iter()
    .map(|h| hex(h))
    .collect()
}

/// Feeds `chunks` one after the other into a buffer, as a session's input buffer would be
/// filled, and returns the raw messages framed, in order.
fn deliver(framer: &HandshakeFramer, chunks: &[&[u8]]) -> Vec<Vec<u8>> {
    let mut buf: Vec<u8> = Vec::new();
    let mut got = Vec::new();
    for chunk in chunks {
        buf.extend_from_slice(chunk);
        let mut it = framer.messages(&buf);
        for m in it.by_ref() {
            got.push(m.expect("frames").raw.to_vec());
        }
        let keep = it.remainder().len();
        if keep > 0 {
            assert!(it.needed() > 0);
        }
        buf.drain(..buf.len() - keep);
    }
    assert!(buf.is_empty(), "a partial message left over");
    got
}

#[test]
fn several_messages_in_one_buffer() {
    let msgs = flight();
    let all: Vec<u8> = msgs.concat();
    let framer = HandshakeFramer::default();
    let mut it = framer.messages(&all);
    let types: Vec<HandshakeType> = it.by_ref().map(|m| m.unwrap().msg_type).collect();
    assert_eq!(
        types,
        [
            HandshakeType::ServerHello,
            HandshakeType::Certificate,
            HandshakeType::ServerKeyExchange,
            HandshakeType::CertificateRequest,
            HandshakeType::ServerHelloDone,
            HandshakeType::NewSessionTicket,
        ]
    );
    assert!(it.remainder().is_empty());
    assert_eq!(it.needed(), 0);
    // The raw slices cover the buffer exactly, header included, body after it.
    let frames: Vec<_> = framer.messages(&all).map(Result::unwrap).collect();
    for (f, m) in frames.iter().zip(&msgs) {
        assert_eq!(f.raw, &m[..]);
        assert_eq!(f.body, &m[4..]);
        assert_eq!(f.reader().remaining(), m.len() - 4);
    }
}

#[test]
fn split_at_every_byte_boundary() {
    let msgs = flight();
    let all: Vec<u8> = msgs.concat();
    let framer = HandshakeFramer::default();
    for cut in 0..=all.len() {
        let got = deliver(&framer, &[&all[..cut], &all[cut..]]);
        assert_eq!(got, msgs, "cut at {cut}");
    }
    // And byte at a time.
    let bytes: Vec<&[u8]> = all.chunks(1).collect();
    assert_eq!(deliver(&framer, &bytes), msgs);
}

#[test]
fn need_more_counts() {
    let msg = hex(TLS10_DHE_SERVER_HELLO);
    let framer = HandshakeFramer::default();
    assert_eq!(framer.frame(&[]), Ok(Framed::NeedMore { needed: 4 }));
    assert_eq!(framer.frame(&msg[..1]), Ok(Framed::NeedMore { needed: 3 }));
    assert_eq!(
        framer.frame(&msg[..4]),
        Ok(Framed::NeedMore {
            needed: msg.len() - 4
        })
    );
    assert_eq!(
        framer.frame(&msg[..msg.len() - 1]),
        Ok(Framed::NeedMore { needed: 1 })
    );
    let mut extra = msg.clone();
    extra.extend_from_slice(&[14, 0]);
    match framer.frame(&extra) {
        Ok(Framed::Message(f)) => assert_eq!(f.raw, &msg[..]),
        other => panic!("{other:?}"),
    }
    let mut it = framer.messages(&extra);
    assert!(it.next().unwrap().is_ok());
    assert!(it.next().is_none());
    assert_eq!(it.remainder(), [14, 0]);
    assert_eq!(it.needed(), 2);
}

#[test]
fn messages_over_the_limit() {
    let framer = HandshakeFramer::default();
    let limits = FrameLimits::default();
    assert_eq!(limits.max_message_len, 16 * 1024);
    assert_eq!(limits.max_certificate_len, 64 * 1024);

    // Rejected from the header alone: nothing of the body needs to be buffered.
    let max = u32::try_from(limits.max_message_len).unwrap();
    let header = |t: u8, len: u32| {
        let b = len.to_be_bytes();
        [t, b[1], b[2], b[3]]
    };
    assert_eq!(
        framer.frame(&header(1, max + 1)),
        Err(DecodeError::MessageTooLarge)
    );
    assert_eq!(
        framer.frame(&header(1, max)),
        Ok(Framed::NeedMore {
            needed: limits.max_message_len
        })
    );
    assert_eq!(
        framer.frame(&header(1, 0xff_ffff)),
        Err(DecodeError::MessageTooLarge)
    );
    // Certificates get the larger limit.
    let cmax = u32::try_from(limits.max_certificate_len).unwrap();
    assert!(matches!(
        framer.frame(&header(11, cmax)),
        Ok(Framed::NeedMore { .. })
    ));
    assert!(matches!(
        framer.frame(&header(13, max + 1)),
        Ok(Framed::NeedMore { .. })
    ));
    assert_eq!(
        framer.frame(&header(11, cmax + 1)),
        Err(DecodeError::MessageTooLarge)
    );
    // Unknown types get the smaller one.
    assert_eq!(
        framer.frame(&header(99, max + 1)),
        Err(DecodeError::MessageTooLarge)
    );

    // A configured limit: the 791-byte certificate message no longer fits.
    let small = HandshakeFramer::new(FrameLimits {
        max_message_len: 100,
        max_certificate_len: 500,
    });
    let msgs = flight();
    let all = msgs.concat();
    let mut it = small.messages(&all);
    assert!(it.next().unwrap().is_ok());
    assert_eq!(it.next(), Some(Err(DecodeError::MessageTooLarge)));
    assert_eq!(it.next(), None, "no framing after an error");
    assert_eq!(
        DecodeError::MessageTooLarge.alert(matrix_ssl::codec::ProtocolVersion::TLSv1_0),
        matrix_ssl::codec::AlertDescription::IllegalParameter
    );
}
