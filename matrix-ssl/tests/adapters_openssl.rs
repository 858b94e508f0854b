//! Every I/O adapter against `openssl s_server` over 127.0.0.1: a handshake (TLS 1.1,
//! AES128-SHA), 1 MiB from the server to us, 1 MiB from us to the server (checked byte for
//! byte on both sides: s_server prints what it receives), and a close (our close_notify,
//! then the end of the transport). The std `Stream`, the embedded-io blocking adapter over
//! `std::net::TcpStream` (the traits implemented here, as a board support crate would), the
//! embedded-io-async adapter over the same socket (blocking underneath, run by a minimal
//! executor) and the tokio adapter over `tokio::net::TcpStream`. A missing `openssl` fails.

mod support;

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use matrix_ssl::{CipherSuite, ProtocolVersion, Session};
use support::*;

const MIB: usize = 1 << 20;
const TIMEOUT: Duration = Duration::from_secs(60);

/// `openssl s_server` for one connection, fed `to_client` on its standard input, its
/// standard output (what the client sent) collected.
///
/// The input starts only once the client's handshake is complete ([`SServer::feed`]):
/// given input earlier, s_server runs the handshake inside `SSL_write` and then, seen with
/// strace, sits in a blocking read of the socket although the client sent nothing more.
struct SServer {
    child: Child,
    port: u16,
    /// Starts feeding s_server's standard input.
    go: Option<std::sync::mpsc::Sender<()>>,
    /// Kept open: s_server spins on an exhausted standard input.
    stdin: Option<JoinHandle<ChildStdin>>,
    stdout: Option<JoinHandle<Vec<u8>>>,
}

impl SServer {
    fn start(to_client: Vec<u8>) -> SServer {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut child = Command::new("openssl")
            .args([
                "s_server",
                "-accept",
                &format!("127.0.0.1:{port}"),
                "-tls1_1",
            ])
            .args(["-cipher", "ALL:@SECLEVEL=0", "-quiet", "-naccept", "1"])
            .args(["-key", &testkeys("rsa2048/server.key")])
            .args(["-cert", &testkeys("rsa2048/server.pem")])
            .args(["-cert_chain", &testkeys("rsa2048/intermediate.pem")])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("openssl must be installed for this test");
        let mut stdin = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let (go, wait) = std::sync::mpsc::channel::<()>();
        let stdin = std::thread::spawn(move || {
            let _ = wait.recv();
            stdin.write_all(&to_client).unwrap();
            stdin.flush().unwrap();
            stdin
        });
        let stdout = std::thread::spawn(move || {
            let mut all = Vec::new();
            stdout.read_to_end(&mut all).unwrap();
            all
        });
        SServer {
            child,
            port,
            go: Some(go),
            stdin: Some(stdin),
            stdout: Some(stdout),
        }
    }

    /// s_server starts sending its standard input to the client.
    fn feed(&mut self) {
        if let Some(go) = self.go.take() {
            let _ = go.send(());
        }
    }

    fn connect(&self) -> TcpStream {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match TcpStream::connect(("127.0.0.1", self.port)) {
                Ok(s) => {
                    s.set_read_timeout(Some(TIMEOUT)).unwrap();
                    s.set_write_timeout(Some(TIMEOUT)).unwrap();
                    return s;
                }
                Err(_) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50))
                }
                Err(e) => panic!("cannot connect to openssl s_server: {e}"),
            }
        }
    }

    /// Waits for s_server to exit after its one connection; returns what it received.
    fn finish(mut self) -> Vec<u8> {
        let deadline = Instant::now() + TIMEOUT;
        let status = loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                break st;
            }
            assert!(Instant::now() < deadline, "s_server did not exit");
            std::thread::sleep(Duration::from_millis(50));
        };
        assert!(status.success(), "s_server: {status}");
        drop(self.stdin.take().unwrap().join().unwrap());
        self.stdout.take().unwrap().join().unwrap()
    }
}

impl Drop for SServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client_session() -> Session {
    ctx()
        .new_client_session(client_keys(), None, 0x002f, None, None)
        .unwrap()
}

fn check_session(s: &Session) {
    assert_eq!(s.protocol_version(), ProtocolVersion::TLSv1_1);
    assert_eq!(
        s.cipher_suite(),
        Some(CipherSuite::TLS_RSA_WITH_AES_128_CBC_SHA)
    );
}

/// Runs `client` against s_server: it gets the socket, a function to call once its
/// handshake is complete (s_server then starts sending), the 1 MiB to receive and the
/// 1 MiB to send; it receives, sends and closes.
fn against_s_server(client: impl FnOnce(TcpStream, &mut dyn FnMut(), &[u8], &[u8])) {
    let down = pattern(MIB);
    let up: Vec<u8> = pattern(MIB + 7).into_iter().skip(7).collect();
    let mut server = SServer::start(down.clone());
    let tcp = server.connect();
    client(tcp, &mut || server.feed(), &down, &up);
    let got = server.finish();
    assert_eq!(got.len(), up.len(), "s_server received");
    assert!(got == up, "s_server received other bytes");
}

#[test]
fn std_stream() {
    against_s_server(|tcp, feed, down, up| {
        let mut s = matrix_ssl::Stream::new(client_session(), tcp);
        s.handshake().unwrap();
        check_session(s.session());
        feed();
        let mut got = vec![0; down.len()];
        s.read_exact(&mut got).unwrap();
        assert!(got == down, "received other bytes");
        s.write_all(up).unwrap();
        s.shutdown().unwrap();
        let mut rest = Vec::new();
        assert_eq!(s.read_to_end(&mut rest).unwrap(), 0);
    });
}

/// `embedded_io` over a std socket, as a board support crate implements it.
struct EmbeddedTcp(TcpStream);

impl embedded_io::ErrorType for EmbeddedTcp {
    type Error = std::io::Error;
}

impl embedded_io::Read for EmbeddedTcp {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, std::io::Error> {
        std::io::Read::read(&mut self.0, buf)
    }
}

impl embedded_io::Write for EmbeddedTcp {
    fn write(&mut self, buf: &[u8]) -> Result<usize, std::io::Error> {
        std::io::Write::write(&mut self.0, buf)
    }
    fn flush(&mut self) -> Result<(), std::io::Error> {
        std::io::Write::flush(&mut self.0)
    }
}

#[test]
fn embedded_io_blocking() {
    use embedded_io::{Read, Write};
    against_s_server(|tcp, feed, down, up| {
        let mut s = matrix_ssl::embedded::TlsStream::new(client_session(), EmbeddedTcp(tcp));
        s.handshake().unwrap();
        check_session(s.session());
        feed();
        let mut got = vec![0; down.len()];
        s.read_exact(&mut got).unwrap();
        assert!(got == down, "received other bytes");
        s.write_all(up).unwrap();
        s.close().unwrap();
        let mut one = [0u8; 1];
        assert_eq!(s.read(&mut one).unwrap(), 0);
    });
}

impl embedded_io_async::Read for EmbeddedTcp {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, std::io::Error> {
        std::io::Read::read(&mut self.0, buf)
    }
}

impl embedded_io_async::Write for EmbeddedTcp {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, std::io::Error> {
        std::io::Write::write(&mut self.0, buf)
    }
    async fn flush(&mut self) -> Result<(), std::io::Error> {
        std::io::Write::flush(&mut self.0)
    }
}

/// The smallest executor: polls until ready (the transport blocks, so it never waits).
fn block_on<F: std::future::Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    loop {
        if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::yield_now();
    }
}

#[test]
fn embedded_io_async() {
    use embedded_io_async::{Read, Write};
    against_s_server(|tcp, feed, down, up| {
        block_on(async {
            let mut s =
                matrix_ssl::embedded_async::TlsStream::new(client_session(), EmbeddedTcp(tcp));
            s.handshake().await.unwrap();
            check_session(s.session());
            feed();
            let mut got = vec![0; down.len()];
            s.read_exact(&mut got).await.unwrap();
            assert!(got == down, "received other bytes");
            s.write_all(up).await.unwrap();
            s.close().await.unwrap();
            let mut one = [0u8; 1];
            assert_eq!(s.read(&mut one).await.unwrap(), 0);
        })
    });
}

#[test]
fn tokio() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    against_s_server(|tcp, feed, down, up| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            tcp.set_nonblocking(true).unwrap();
            let tcp = tokio::net::TcpStream::from_std(tcp).unwrap();
            let work = async {
                let mut s = matrix_ssl::tokio::TlsStream::connect(client_session(), tcp)
                    .await
                    .unwrap();
                check_session(s.session());
                feed();
                let mut got = vec![0; down.len()];
                s.read_exact(&mut got).await.unwrap();
                assert!(got == down, "received other bytes");
                s.write_all(up).await.unwrap();
                s.shutdown().await.unwrap();
                let mut rest = Vec::new();
                assert_eq!(s.read_to_end(&mut rest).await.unwrap(), 0);
            };
            tokio::time::timeout(TIMEOUT, work)
                .await
                .expect("the tokio client timed out");
        })
    });
}
