//! The handshake trace (`--trace`): a transport wrapper that prints every record going
//! out (`->`) and coming in (`<-`) on standard error, naming the handshake messages, the
//! versions and suites in the hellos, ChangeCipherSpec and alerts. It reads the wire
//! rather than the library's internals, so it shows exactly what a peer sees, in any
//! build (the library's own `ssl-handshake-msg-trace` goes to the `log` facade).

use std::io::{self, Read, Write};

use matrix_ssl::{AlertDescription, ProtocolVersion};

use crate::names::{suite_name, version_name};

/// One direction's record parser.
#[derive(Debug)]
struct Direction {
    arrow: &'static str,
    buf: Vec<u8>,
    /// After this direction's ChangeCipherSpec, record contents are encrypted.
    encrypted: bool,
    /// A ChangeCipherSpec went by and its Finished has not: the next encrypted handshake
    /// record is the Finished; later ones belong to a re-handshake.
    finished_next: bool,
}

fn u16_at(b: &[u8], i: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*b.get(i)?, *b.get(i + 1)?]))
}

fn handshake_name(t: u8) -> &'static str {
    match t {
        0 => "HelloRequest",
        1 => "ClientHello",
        2 => "ServerHello",
        11 => "Certificate",
        12 => "ServerKeyExchange",
        13 => "CertificateRequest",
        14 => "ServerHelloDone",
        15 => "CertificateVerify",
        16 => "ClientKeyExchange",
        20 => "Finished",
        _ => "unknown handshake message",
    }
}

/// Details of a hello: the version, and the suite (ServerHello) or suite count.
fn hello_detail(t: u8, body: &[u8]) -> String {
    let Some(v) = u16_at(body, 0) else {
        return String::new();
    };
    let version = version_name(ProtocolVersion::from(v));
    let sid_len = usize::from(body.get(34).copied().unwrap_or_default());
    match t {
        1 => {
            let n = u16_at(body, 35 + sid_len).map_or(0, |l| l / 2);
            format!(" (offers {version}, {n} suites, session id {sid_len} bytes)")
        }
        2 => {
            let suite = u16_at(body, 35 + sid_len)
                .map(suite_name)
                .unwrap_or_default();
            format!(" ({version}, {suite}, session id {sid_len} bytes)")
        }
        _ => String::new(),
    }
}

impl Direction {
    fn new(arrow: &'static str) -> Self {
        Direction {
            arrow,
            buf: Vec::new(),
            encrypted: false,
            finished_next: false,
        }
    }

    fn feed(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
        while let Some(len) = u16_at(&self.buf, 3) {
            let total = 5 + usize::from(len);
            if self.buf.len() < total {
                return;
            }
            let record: Vec<u8> = self.buf.drain(..total).collect();
            self.describe(&record);
        }
    }

    fn describe(&mut self, record: &[u8]) {
        let kind = record.first().copied().unwrap_or_default();
        let body = record.get(5..).unwrap_or_default();
        let a = self.arrow;
        match kind {
            20 => {
                eprintln!("trace: {a} ChangeCipherSpec");
                self.encrypted = true;
                self.finished_next = true;
            }
            21 if self.encrypted => eprintln!("trace: {a} Alert (encrypted, {} bytes)", body.len()),
            21 => {
                let level = if body.first() == Some(&2) {
                    "fatal"
                } else {
                    "warning"
                };
                let d = AlertDescription::from(body.get(1).copied().unwrap_or_default());
                eprintln!("trace: {a} Alert {level} {d:?}");
            }
            22 if self.encrypted => {
                let what = if std::mem::take(&mut self.finished_next) {
                    "Finished"
                } else {
                    "a re-handshake message"
                };
                eprintln!(
                    "trace: {a} Handshake (encrypted, {} bytes): {what}",
                    body.len()
                );
            }
            22 => {
                let mut rest = body;
                while rest.len() >= 4 {
                    let t = rest.first().copied().unwrap_or_default();
                    let n = rest.get(1..4).map_or(0, |l| {
                        l.iter().fold(0usize, |acc, b| acc << 8 | usize::from(*b))
                    });
                    let msg = rest.get(4..4 + n).unwrap_or_default();
                    eprintln!(
                        "trace: {a} Handshake {}{} [{n} bytes]",
                        handshake_name(t),
                        hello_detail(t, msg)
                    );
                    rest = rest.get(4 + n..).unwrap_or_default();
                }
            }
            23 => eprintln!(
                "trace: {a} ApplicationData ({} bytes on the wire)",
                body.len()
            ),
            other => eprintln!("trace: {a} record type {other} ({} bytes)", body.len()),
        }
    }
}

/// A transport that traces what crosses it.
#[derive(Debug)]
pub struct Traced<S> {
    inner: S,
    out: Direction,
    inn: Direction,
}

impl<S> Traced<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        Traced {
            inner,
            out: Direction::new("->"),
            inn: Direction::new("<-"),
        }
    }
}

impl<S: Read> Read for Traced<S> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.inn.feed(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
}

impl<S: Write> Write for Traced<S> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.out.feed(buf.get(..n).unwrap_or_default());
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_split_anywhere_are_parsed_whole() {
        // A ServerHello record (TLS 1.1, AES-128-CBC-SHA, empty session id), then a CCS,
        // fed one byte at a time.
        let mut hello = vec![22, 3, 2, 0, 42, 2, 0, 0, 38, 3, 2];
        hello.extend_from_slice(&[0u8; 32]);
        hello.extend_from_slice(&[0, 0x00, 0x2F, 0]);
        hello.extend_from_slice(&[20, 3, 2, 0, 1, 1]);
        let mut d = Direction::new("<-");
        for b in &hello {
            d.feed(&[*b]);
        }
        assert!(d.encrypted, "the ChangeCipherSpec was seen");
        assert!(d.buf.is_empty());
        assert_eq!(
            hello_detail(2, &hello[9..47]),
            " (TLS 1.1, TLS_RSA_WITH_AES_128_CBC_SHA, session id 0 bytes)"
        );
    }
}
