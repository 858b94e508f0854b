//! Proof with C (issue 15 item 3): the C programs of `matrix-ffi/c/`, written against the
//! MatrixSSL 3.2 API reference and `include/matrixsslApi.h` only, are compiled with
//! `cc -Wall -Wextra -Werror`, linked once against `libmatrixssl.a` and once against
//! `libmatrixssl.so`, and run against OpenSSL's `s_server`/`s_client` and against each
//! other over 127.0.0.1 (full and resumed handshakes, data both ways, DTLS), and under
//! valgrind with 0 errors and 0 bytes lost. A missing `cc`, `openssl` or `valgrind` fails
//! the test: nothing is skipped.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How a program links the library.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Link {
    Static,
    Shared,
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn testkeys(rel: &str) -> String {
    manifest_dir()
        .join("../testkeys")
        .join(rel)
        .to_string_lossy()
        .into_owned()
}

/// The directory cargo put this build's libmatrixssl.a / .so in: `deps`, beside this test
/// binary (`cargo test` builds every crate type of the library there, without copying
/// them up to `target/debug` as `cargo build` does).
///
/// Those two files carry no hash in their names, so a build of matrix-ffi with other
/// features overwrites them while cargo still counts this build's as fresh. The header's
/// layout depends on `stateless-session-tickets` (the ticket in `sslSessionId_t`), so the
/// library is checked to be this build's by that feature's symbol before any C program
/// runs (`touch matrix-ffi/src/lib.rs` rebuilds it).
fn lib_dir() -> PathBuf {
    static CHECKED: OnceLock<PathBuf> = OnceLock::new();
    CHECKED
        .get_or_init(|| {
            let exe = std::env::current_exe().unwrap();
            let dir = exe.parent().unwrap().to_path_buf();
            for f in ["libmatrixssl.a", "libmatrixssl.so"] {
                assert!(dir.join(f).exists(), "{} not built", dir.join(f).display());
            }
            let out = Command::new("nm")
                .args(["-D", "--defined-only"])
                .arg(dir.join("libmatrixssl.so"))
                .output()
                .expect("nm (binutils) must be installed");
            let has =
                String::from_utf8_lossy(&out.stdout).contains("matrixSslLoadSessionTicketKeys");
            let want = cfg!(all(
                feature = "stateless-session-tickets",
                feature = "server-side-ssl"
            ));
            assert_eq!(
                has,
                want,
                "{} was built with other features than this test (a later build of \
                 matrix-ffi overwrote it): `touch matrix-ffi/src/lib.rs` and run again",
                dir.join("libmatrixssl.so").display()
            );
            dir
        })
        .clone()
}

/// A scratch directory with the generated matrixsslConfig.h.
fn work_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = lib_dir().parent().unwrap().join("ffi-c-tests");
        std::fs::create_dir_all(d.join("include")).unwrap();
        std::fs::write(
            d.join("include/matrixsslConfig.h"),
            matrixssl::CONFIG_HEADER,
        )
        .unwrap();
        d
    })
}

/// Compiles `c/NAME.c` (once per link kind) and returns the program.
fn program(name: &str, link: Link) -> PathBuf {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let out = work_dir().join(format!("{name}-{link:?}").to_lowercase());
    let src = manifest_dir().join(format!("c/{name}.c"));
    let fresh = out.exists()
        && [
            src.clone(),
            lib_dir().join("libmatrixssl.a"),
            manifest_dir().join("include/matrixsslApi.h"),
        ]
        .iter()
        .all(|p| {
            p.metadata().unwrap().modified().unwrap() <= out.metadata().unwrap().modified().unwrap()
        });
    if fresh {
        return out;
    }
    let mut cmd = Command::new("cc");
    cmd.args([
        "-std=c99",
        "-D_POSIX_C_SOURCE=200809L",
        "-D_DEFAULT_SOURCE",
        "-g",
        "-Wall",
        "-Wextra",
        "-Werror",
    ])
    .arg("-I")
    .arg(manifest_dir().join("include"))
    .arg("-I")
    .arg(work_dir().join("include"))
    .arg(&src)
    .arg("-o")
    .arg(&out);
    match link {
        Link::Static => {
            cmd.arg(lib_dir().join("libmatrixssl.a"));
        }
        Link::Shared => {
            cmd.arg("-L")
                .arg(lib_dir())
                .arg("-lmatrixssl")
                .arg(format!("-Wl,-rpath,{}", lib_dir().display()));
        }
    }
    cmd.args(["-lpthread", "-ldl", "-lm"]);
    let o = cmd.output().expect("cc must be installed");
    assert!(
        o.status.success(),
        "cc {name}.c ({link:?}) failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

fn free_tcp_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process killed (by its pid) when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Running {
    /// Waits for the exit (at most `secs`), returning the output.
    fn finish(mut self, secs: u64) -> Output {
        let start = Instant::now();
        loop {
            if let Some(_status) = self.0.try_wait().unwrap() {
                break;
            }
            if start.elapsed() > Duration::from_secs(secs) {
                let _ = self.0.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let child = std::mem::replace(&mut self.0, Command::new("true").spawn().unwrap());
        child.wait_with_output().unwrap()
    }
}

fn spawn(cmd: &mut Command) -> Running {
    Running(
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}")),
    )
}

/// Waits until a TCP port accepts connections.
fn wait_tcp(port: u16) {
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "nothing listens on {port}"
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// Waits for a line containing `what` on a child's stdout (the listening line of our
/// servers: connecting to probe would use up one of their connections).
fn wait_line(r: &mut Running, what: &str) {
    let out = r.0.stdout.take().unwrap();
    let mut reader = BufReader::new(out);
    let mut line = String::new();
    let start = Instant::now();
    loop {
        line.clear();
        if reader.read_line(&mut line).unwrap() == 0 {
            panic!("the program ended before printing {what:?}");
        }
        if line.contains(what) {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(20));
    }
    // Keep reading the rest in a thread so the pipe never fills, and give it back.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut rest = String::new();
        let _ = reader.read_to_string(&mut rest);
        let _ = tx.send(rest);
    });
    RESTS.with(|m| m.borrow_mut().push((r.0.id(), rx)));
}

thread_local! {
    static RESTS: std::cell::RefCell<Vec<(u32, std::sync::mpsc::Receiver<String>)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// A finished child's stdout, including what `wait_line` consumed in a thread.
fn stdout_of(pid: u32, out: &Output) -> String {
    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
    RESTS.with(|m| {
        let mut m = m.borrow_mut();
        if let Some(i) = m.iter().position(|(p, _)| *p == pid) {
            let (_, rx) = m.remove(i);
            s.push_str(&rx.recv_timeout(Duration::from_secs(10)).unwrap_or_default());
        }
    });
    s
}

fn results(s: &str) -> Vec<&str> {
    s.lines().filter(|l| l.starts_with("RESULT")).collect()
}

fn valgrind_args(log: &Path) -> Vec<String> {
    vec![
        format!(
            "--suppressions={}",
            manifest_dir().join("../xtask/valgrind.supp").display()
        ),
        "--leak-check=full".into(),
        "--show-leak-kinds=definite,indirect,possible".into(),
        "--errors-for-leak-kinds=definite,indirect,possible".into(),
        "--error-exitcode=99".into(),
        format!("--log-file={}", log.display()),
    ]
}

/// Checks a valgrind log: no errors, and every heap block freed (nothing lost, nothing
/// even still reachable at exit).
fn check_valgrind(log: &Path) {
    let text = std::fs::read_to_string(log).expect("valgrind log");
    assert!(
        text.contains("ERROR SUMMARY: 0 errors"),
        "valgrind found errors:\n{text}"
    );
    assert!(
        text.contains("All heap blocks were freed -- no leaks are possible"),
        "valgrind found blocks not freed:\n{text}"
    );
}

/// The command running `prog` (under valgrind when a log is given). The shared library is
/// this build's: `cargo test` puts `target/debug` (where an older `cargo build` may have
/// left another libmatrixssl.so) on LD_LIBRARY_PATH, which outranks the programs'
/// RUNPATH, so the path is set here.
fn command(prog: &Path, valgrind_log: Option<&Path>) -> Command {
    let mut c = match valgrind_log {
        Some(log) => {
            let mut c = Command::new("valgrind");
            c.args(valgrind_args(log)).arg(prog);
            c
        }
        None => Command::new(prog),
    };
    c.env("LD_LIBRARY_PATH", lib_dir());
    c
}

const CA: &str = "rsa2048/ca.pem";

/// A C server program (`server` or `dtls_server`) on a fresh port of `port`'s kind,
/// serving `conns` connections with the rsa2048 chain, once it says it listens.
fn start_server(
    name: &str,
    link: Link,
    port: u16,
    conns: u32,
    extra: &[&str],
    valgrind: Option<&Path>,
) -> (Running, u16) {
    let mut cmd = command(&program(name, link), valgrind);
    cmd.arg(port.to_string())
        .arg(testkeys("rsa2048/server-chain.pem"))
        .arg(testkeys("rsa2048/server.key"))
        .arg(conns.to_string())
        .args(extra);
    let mut s = spawn(&mut cmd);
    wait_line(&mut s, "listening");
    (s, port)
}

/// A C client program (`client` or `dtls_client`) run to its end against `port`.
fn run_client(
    name: &str,
    link: Link,
    port: u16,
    extra: &[&str],
    valgrind: Option<&Path>,
) -> (Output, String) {
    let mut cmd = command(&program(name, link), valgrind);
    cmd.args(["127.0.0.1", &port.to_string(), &testkeys(CA)])
        .args(extra);
    let c = spawn(&mut cmd);
    let pid = c.0.id();
    let out = c.finish(120);
    let s = stdout_of(pid, &out);
    (out, s)
}

/// The C TLS server on a fresh port, serving `conns` connections.
fn c_server(link: Link, conns: u32) -> (Running, u16) {
    start_server("server", link, free_tcp_port(), conns, &[], None)
}

fn c_client(link: Link, port: u16, extra: &[&str]) -> (Output, String) {
    run_client("client", link, port, extra, None)
}

fn assert_ok(what: &str, out: &Output, stdout: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({:?}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs a C server (`server`/`dtls_server`, link `sl`) and a C client against it (link
/// `cl`, `n` connections with the same saved session id, `extra` arguments), optionally
/// both under valgrind; checks both exit cleanly, the first handshake is full and the
/// second resumed on both sides; returns both outputs.
fn full_then_resumed(
    server: &str,
    client: &str,
    (sl, cl): (Link, Link),
    n: u32,
    extra: &[&str],
    valgrind: bool,
) -> (String, String) {
    let slog = work_dir().join(format!("valgrind-{server}.log"));
    let clog = work_dir().join(format!("valgrind-{client}.log"));
    let port = if server == "dtls_server" {
        free_udp_port()
    } else {
        free_tcp_port()
    };
    let (srv, port) = start_server(server, sl, port, n, &[], valgrind.then_some(slog.as_path()));
    let pid = srv.0.id();
    let mut args = vec!["-n".to_string(), n.to_string()];
    args.extend(extra.iter().map(|a| (*a).to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (out, s) = run_client(client, cl, port, &args, valgrind.then_some(clog.as_path()));
    assert_ok(client, &out, &s);
    let sout = srv.finish(120);
    let ss = stdout_of(pid, &sout);
    assert_ok(server, &sout, &ss);
    let r = results(&s);
    assert!(
        r[0].contains("resumed=0") && r[1].contains("resumed=1"),
        "{s}"
    );
    let r = results(&ss);
    assert!(
        r[0].contains("handshake=full") && r[1].contains("handshake=resumed"),
        "{ss}"
    );
    if valgrind {
        check_valgrind(&slog);
        check_valgrind(&clog);
    }
    (s, ss)
}

/// The C client against OpenSSL's s_server (`-www`): a full handshake, then a resumed one
/// with the saved sslSessionId_t, at TLS 1.0 and 1.1, RSA and DHE_RSA, both links.
#[test]
fn c_client_against_openssl_s_server() {
    for (link, version, suite) in [
        (Link::Static, "-tls1_1", "0x002F"),
        (Link::Shared, "-tls1", "0x0035"),
        (Link::Shared, "-tls1_1", "0x0039"),
    ] {
        let port = free_tcp_port();
        let server = spawn(Command::new("openssl").args([
            "s_server",
            "-accept",
            &format!("127.0.0.1:{port}"),
            version,
            "-cipher",
            "ALL:@SECLEVEL=0",
            "-key",
            &testkeys("rsa2048/server.key"),
            "-cert",
            &testkeys("rsa2048/server.pem"),
            "-cert_chain",
            &testkeys("rsa2048/intermediate.pem"),
            "-www",
            "-no_ticket",
            "-quiet",
        ]));
        wait_tcp(port);
        let (out, s) = c_client(link, port, &["-n", "3", "-w", "-c", suite]);
        drop(server);
        assert_ok("client vs s_server", &out, &s);
        let r = results(&s);
        assert_eq!(r.len(), 3, "{s}");
        assert!(
            r[0].contains("resumed=0") && r[0].contains("cn=localhost"),
            "{s}"
        );
        assert!(
            r[1].contains("resumed=1") && r[2].contains("resumed=1"),
            "{s}"
        );
        assert!(
            s.contains("authStatus=1") && s.contains("san DNS: localhost"),
            "{s}"
        );
    }
}

/// OpenSSL's s_client against the C server: one full handshake and five resumed ones
/// (`-reconnect`), data to the server and its echo back.
#[test]
fn openssl_s_client_against_c_server() {
    for link in [Link::Static, Link::Shared] {
        let (server, port) = c_server(link, 6);
        let pid = server.0.id();
        let mut client = spawn(Command::new("openssl").args([
            "s_client",
            "-connect",
            &format!("127.0.0.1:{port}"),
            "-tls1_1",
            "-cipher",
            "AES128-SHA:@SECLEVEL=0",
            "-reconnect",
            "-no_ticket",
        ]));
        client
            .0
            .stdin
            .take()
            .unwrap()
            .write_all(b"ping from s_client\n")
            .unwrap();
        let cout = client.finish(60);
        let out = server.finish(30);
        let s = stdout_of(pid, &out);
        assert_ok("server vs s_client", &out, &s);
        let text = String::from_utf8_lossy(&cout.stdout);
        assert_eq!(text.matches("Reused, ").count(), 5, "{text}");
        assert_eq!(text.matches("New, ").count(), 1, "{text}");
        assert!(text.contains("Protocol  : TLSv1.1"), "{text}");
        let r = results(&s);
        assert_eq!(r.len(), 6, "{s}");
        assert!(r[0].contains("handshake=full"), "{s}");
        assert_eq!(
            r.iter().filter(|l| l.contains("handshake=resumed")).count(),
            5,
            "{s}"
        );
        assert!(r[5].contains("received=19"), "{s}");
    }
}

/// The library's default features speak TLS 1.2 (issue 18's acceptance): a default
/// `openssl s_client`, given only the CA file, negotiates TLS 1.2 with an AES-GCM suite, secure
/// renegotiation and the extended master secret against the C server; no `@SECLEVEL`.
#[cfg(feature = "tls-1-2")]
#[test]
fn default_openssl_s_client_gets_tls12_gcm_from_c_server() {
    let (server, port) = c_server(Link::Static, 1);
    let text = s_client(port, &["-CAfile", &testkeys(CA), "-verify_return_error"]);
    server_results(server);
    assert!(text.contains("Protocol  : TLSv1.2"), "{text}");
    assert!(text.contains("GCM"), "{text}");
    assert!(text.contains("Secure Renegotiation IS supported"), "{text}");
    assert!(text.contains("Extended master secret: yes"), "{text}");
    assert!(text.contains("Verify return code: 0 (ok)"), "{text}");
}

/// Client authentication: the C server (with a certificate callback checking authStatus)
/// asks OpenSSL's s_client for its certificate and accepts its chain.
#[test]
fn c_server_authenticates_an_openssl_client() {
    let (server, port) = start_server(
        "server",
        Link::Static,
        free_tcp_port(),
        1,
        &["-v", &testkeys(CA)],
        None,
    );
    let pid = server.0.id();
    let mut client = spawn(Command::new("openssl").args([
        "s_client",
        "-connect",
        &format!("127.0.0.1:{port}"),
        "-tls1_1",
        "-cipher",
        "AES256-SHA:@SECLEVEL=0",
        "-cert",
        &testkeys("rsa2048/client.pem"),
        "-key",
        &testkeys("rsa2048/client.key"),
        "-cert_chain",
        &testkeys("rsa2048/intermediate.pem"),
    ]));
    client
        .0
        .stdin
        .take()
        .unwrap()
        .write_all(b"authenticated\n")
        .unwrap();
    client.finish(30);
    let out = server.finish(30);
    let s = stdout_of(pid, &out);
    assert_ok("server with client authentication", &out, &s);
    assert!(s.contains("client certificates accepted=1"), "{s}");
    assert!(
        s.contains("client cert: CN=matrix test client authStatus=1"),
        "{s}"
    );
}

/// The C client against the C server: full, then resumed, data both ways, both links
/// crossed.
#[test]
fn c_client_against_c_server() {
    for links in [(Link::Static, Link::Shared), (Link::Shared, Link::Static)] {
        let (s, ss) = full_then_resumed("server", "client", links, 3, &["-m", "C to C"], false);
        let ok = |l: &&str| l.contains("ok=1") && l.contains("received=12");
        assert!(results(&s).iter().all(ok), "{s}");
        let closed = |l: &&str| l.contains("received=6") && l.contains("closed=alert");
        assert!(results(&ss).iter().all(closed), "{ss}");
    }
}

/// The C client and server, each under valgrind: 0 errors, 0 bytes lost.
#[test]
fn c_client_and_server_under_valgrind() {
    full_then_resumed(
        "server",
        "client",
        (Link::Static, Link::Shared),
        2,
        &[],
        true,
    );
}

/// Runs a self-contained program (no network) under valgrind and plainly, both links.
fn run_alone(name: &str, args: &[&str]) -> String {
    let mut last = String::new();
    for link in [Link::Static, Link::Shared] {
        let out = command(&program(name, link), None)
            .args(args)
            .output()
            .unwrap();
        let s = String::from_utf8_lossy(&out.stdout).into_owned();
        assert_ok(name, &out, &s);
        last = s;
    }
    let log = work_dir().join(format!("valgrind-{name}.log"));
    let out = command(&program(name, Link::Static), Some(&log))
        .args(args)
        .output()
        .unwrap();
    let s = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_ok(&format!("{name} under valgrind"), &out, &s);
    check_valgrind(&log);
    last
}

/// The misuse test: NULLs, wrong sizes, calls in the wrong state, handles of the wrong
/// kind: every call answers its documented code and nothing crashes.
#[test]
fn misuse() {
    let s = run_alone(
        "misuse",
        &[
            &testkeys("rsa2048/server-chain.pem"),
            &testkeys("rsa2048/server.key"),
            &testkeys(CA),
        ],
    );
    assert!(s.contains("misuse: all checks passed"), "{s}");
}

/// The developer's guide's sequences, in memory: initialisation, keys, a client and a
/// server session, the handshake, GetWritebuf/EncodeWritebuf, EncodeToOutdata, multi-record
/// buffers, re-handshakes (resumed, full, cipher change), closure, clean-up.
#[test]
fn developers_guide_sequences() {
    let s = run_alone(
        "guide",
        &[
            &testkeys("rsa2048/server-chain.pem"),
            &testkeys("rsa2048/server.key"),
            &testkeys(CA),
            &testkeys("pkcs12/server-modern.p12"),
            &testkeys("rsa2048/client-chain.pem"),
            &testkeys("rsa2048/client.key"),
            &testkeys("rsa2048/server-enc-aes-128-cbc.pem"),
        ],
    );
    assert!(s.contains("guide: all sequences passed"), "{s}");
    assert!(s.contains("client authentication checked"), "{s}");
    assert!(s.contains("encrypted key checked"), "{s}");
}

/// MatrixSSL 3.x's later calls in memory (`c/later.c`): session tickets with key rotation,
/// deletion and the callback, EC keys beside RSA ones, session options, and the
/// documented codes for wrong arguments; what the build lacks answers
/// PS_UNSUPPORTED_FAIL. Both links, then under valgrind.
#[test]
fn later_calls_in_memory() {
    let s = run_alone(
        "later",
        &[
            &testkeys("rsa2048/server-chain.pem"),
            &testkeys("rsa2048/server.key"),
            &testkeys(CA),
            &testkeys("ec-p256/server-chain.pem"),
            &testkeys("ec-p256/server.key"),
            &testkeys("ec-p256/ca.pem"),
        ],
    );
    assert!(s.contains("later: all checks passed"), "{s}");
    let tickets = cfg!(all(
        feature = "stateless-session-tickets",
        feature = "server-side-ssl",
        feature = "client-side-ssl"
    ));
    assert_eq!(s.contains("tickets checked"), tickets, "{s}");
    assert_eq!(s.contains("ecc checked"), cfg!(feature = "ecc"), "{s}");
}

/// The header's layouts are the ones the library uses: sizes and field offsets measured
/// by the C compiler equal Rust's.
#[test]
fn header_layouts_match_the_library() {
    use matrixssl::types::*;
    use std::mem::{offset_of, size_of};
    let s = run_alone("layout", &[]);
    let expect = [
        ("sizeof(sslSessionId_t)", size_of::<SslSessionId>()),
        ("sizeof(psX509Cert_t)", size_of::<PsX509Cert>()),
        ("sizeof(x509DNattributes_t)", size_of::<X509DnAttributes>()),
        (
            "sizeof(x509SubjectAltName_t)",
            size_of::<X509SubjectAltName>(),
        ),
        (
            "offsetof(psX509Cert_t,subject)",
            offset_of!(PsX509Cert, subject),
        ),
        (
            "offsetof(psX509Cert_t,notAfter)",
            offset_of!(PsX509Cert, not_after),
        ),
        (
            "offsetof(psX509Cert_t,sigHash)",
            offset_of!(PsX509Cert, sig_hash),
        ),
        (
            "offsetof(psX509Cert_t,extensions)",
            offset_of!(PsX509Cert, extensions),
        ),
        (
            "offsetof(psX509Cert_t,authStatus)",
            offset_of!(PsX509Cert, auth_status),
        ),
        ("offsetof(psX509Cert_t,next)", offset_of!(PsX509Cert, next)),
        (
            "offsetof(x509DNattributes_t,commonNameLen)",
            offset_of!(X509DnAttributes, common_name_len),
        ),
        (
            "offsetof(sslSessionId_t,cipherId)",
            offset_of!(SslSessionId, cipher_id),
        ),
        (
            "offsetof(sslSessionId_t,flags)",
            offset_of!(SslSessionId, flags),
        ),
        ("sizeof(sslSessOpts_t)", size_of::<SslSessOpts>()),
        (
            "offsetof(sslSessOpts_t,ecFlags)",
            offset_of!(SslSessOpts, ec_flags),
        ),
        (
            "offsetof(sslSessOpts_t,userPtr)",
            offset_of!(SslSessOpts, user_ptr),
        ),
    ];
    #[cfg(feature = "stateless-session-tickets")]
    let expect = {
        let mut e = expect.to_vec();
        e.push((
            "offsetof(sslSessionId_t,sessionTicket)",
            offset_of!(SslSessionId, session_ticket),
        ));
        e.push((
            "offsetof(sslSessionId_t,sessionTicketLifetimeHint)",
            offset_of!(SslSessionId, session_ticket_lifetime_hint),
        ));
        e
    };
    for (name, v) in expect {
        let line = format!("{name}={v}\n");
        assert!(s.contains(&line), "{name}: Rust says {v}, C says:\n{s}");
    }
}

/// Every PS_* code the header defines has the value matrix returns for it.
#[test]
fn header_codes_match_the_library() {
    use matrix_core::Error;
    let h = matrixssl::API_HEADER;
    let value = |name: &str| -> i32 {
        let line = h
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(name) && l.starts_with("#define"))
            .unwrap_or_else(|| panic!("{name} not in the header"));
        line.split_whitespace().nth(2).unwrap().parse().unwrap()
    };
    for e in Error::ALL {
        assert_eq!(value(e.name()), e.code(), "{}", e.name());
    }
    use matrix_ssl::codes::*;
    assert!(h.contains("#define MATRIXSSL_ERROR              PS_PROTOCOL_FAIL"));
    assert_eq!(MATRIXSSL_ERROR, value("PS_PROTOCOL_FAIL"));
    for (n, v) in [
        ("MATRIXSSL_REQUEST_SEND", MATRIXSSL_REQUEST_SEND),
        ("MATRIXSSL_REQUEST_RECV", MATRIXSSL_REQUEST_RECV),
        ("MATRIXSSL_REQUEST_CLOSE", MATRIXSSL_REQUEST_CLOSE),
        ("MATRIXSSL_APP_DATA", MATRIXSSL_APP_DATA),
        ("MATRIXSSL_HANDSHAKE_COMPLETE", MATRIXSSL_HANDSHAKE_COMPLETE),
        ("MATRIXSSL_RECEIVED_ALERT", MATRIXSSL_RECEIVED_ALERT),
        (
            "SSL_ALLOW_ANON_CONNECTION",
            matrix_ssl::Verdict::SSL_ALLOW_ANON_CONNECTION,
        ),
    ] {
        assert_eq!(value(n), v, "{n}");
    }
}

/// The C DTLS server on a fresh UDP port, serving `sessions` sessions.
fn c_dtls_server(link: Link, sessions: u32) -> (Running, u16) {
    start_server("dtls_server", link, free_udp_port(), sessions, &[], None)
}

/// The C DTLS client and server: a full handshake, a resumed one, data echoed; both links,
/// then both programs under valgrind.
#[test]
fn dtls_c_client_against_c_server() {
    for (links, vg) in [
        ((Link::Static, Link::Shared), false),
        ((Link::Shared, Link::Static), false),
        ((Link::Static, Link::Static), true),
    ] {
        let msg = ["-e", "-m", "datagram both ways"];
        let (s, _) = full_then_resumed("dtls_server", "dtls_client", links, 2, &msg, vg);
        let ok = |l: &&str| l.contains("ok=1") && l.contains("received=18");
        assert!(results(&s).iter().all(ok), "{s}");
    }
}

fn openssl_dtls_server(port: u16) -> Running {
    let mut s = spawn(Command::new("openssl").args([
        "s_server",
        "-dtls1",
        "-accept",
        &format!("127.0.0.1:{port}"),
        "-cipher",
        "ALL:@SECLEVEL=0",
        "-key",
        &testkeys("rsa2048/server.key"),
        "-cert",
        &testkeys("rsa2048/server.pem"),
        "-cert_chain",
        &testkeys("rsa2048/intermediate.pem"),
    ]));
    wait_line(&mut s, "ACCEPT");
    s
}

/// The C DTLS client against OpenSSL's s_server (`-dtls1`): the message arrives.
#[test]
fn dtls_c_client_against_openssl_s_server() {
    let port = free_udp_port();
    let server = openssl_dtls_server(port);
    let pid = server.0.id();
    let (out, s) = run_client(
        "dtls_client",
        Link::Shared,
        port,
        &["-m", "datagram to openssl"],
        None,
    );
    std::thread::sleep(Duration::from_millis(300));
    assert_ok("dtls client vs s_server", &out, &s);
    let sout = server.finish(1);
    let text = stdout_of(pid, &sout);
    assert!(text.contains("datagram to openssl"), "{text}");
}

/// OpenSSL's s_client (`-dtls1`) against the C DTLS server: its line is echoed.
#[test]
fn openssl_s_client_dtls_against_c_server() {
    let (server, port) = c_dtls_server(Link::Static, 1);
    let pid = server.0.id();
    let mut client = spawn(Command::new("openssl").args([
        "s_client",
        "-dtls1",
        "-connect",
        &format!("127.0.0.1:{port}"),
        "-cipher",
        "AES128-SHA:@SECLEVEL=0",
    ]));
    client
        .0
        .stdin
        .take()
        .unwrap()
        .write_all(b"ping over dtls\n")
        .unwrap();
    let cout = client.finish(30);
    let out = server.finish(30);
    let s = stdout_of(pid, &out);
    assert_ok("dtls server vs s_client", &out, &s);
    assert!(
        results(&s)[0].contains("handshake=full") && s.contains("received=15"),
        "{s}"
    );
    let text = String::from_utf8_lossy(&cout.stdout);
    assert!(text.contains("Protocol  : DTLSv1"), "{text}");
}

/// Every function the header declares is exported by the shared library, and the library
/// exports nothing else (this build has every feature the header's `#ifdef`s name).
#[test]
fn header_functions_are_exactly_the_exported_symbols() {
    let mut declared: Vec<String> = matrixssl::API_HEADER
        .lines()
        .filter(|l| l.starts_with("int32 matrix") || l.starts_with("void matrix"))
        .filter_map(|l| l.split_whitespace().nth(1))
        .filter_map(|f| f.split('(').next())
        .map(str::to_owned)
        .collect();
    declared.sort();
    let out = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(lib_dir().join("libmatrixssl.so"))
        .output()
        .expect("nm (binutils) must be installed");
    let mut exported: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .filter(|s| s.starts_with("matrix"))
        .map(str::to_owned)
        .collect();
    exported.sort();
    // The ticket-key calls are declared under USE_STATELESS_SESSION_TICKETS.
    let tickets = cfg!(all(
        feature = "stateless-session-tickets",
        feature = "server-side-ssl"
    ));
    if !tickets {
        declared.retain(|d| !d.contains("SessionTicket"));
    }
    assert_eq!(
        declared.len(),
        if tickets { 45 } else { 42 },
        "{declared:?}"
    );
    assert_eq!(declared, exported);
}

/// Runs `openssl s_client` against 127.0.0.1:`port` with `args`, sends one line and
/// returns its stdout.
#[cfg(feature = "tls-1-2")]
fn s_client(port: u16, args: &[&str]) -> String {
    let mut cmd = Command::new("openssl");
    cmd.args(["s_client", "-connect", &format!("127.0.0.1:{port}")])
        .args(args);
    let mut client = spawn(&mut cmd);
    client
        .0
        .stdin
        .take()
        .unwrap()
        .write_all(b"ping from s_client\n")
        .unwrap();
    let out = client.finish(60);
    // Its stderr too: the verification result and errors go there.
    let mut t = String::from_utf8_lossy(&out.stdout).into_owned();
    t.push_str(&String::from_utf8_lossy(&out.stderr));
    t
}

/// The C server's RESULT lines after it served its connections.
#[cfg(feature = "tls-1-2")]
fn server_results(server: Running) -> String {
    let pid = server.0.id();
    let out = server.finish(30);
    let s = stdout_of(pid, &out);
    assert_ok("server", &out, &s);
    s
}

/// The key name that opens the ticket `s_client` printed (RFC 5077 section 4's
/// recommended layout, which matrix follows: key_name first), as the byte repeated in it.
#[cfg(all(feature = "tls-1-2", feature = "stateless-session-tickets"))]
fn ticket_key_byte(t: &str) -> Option<String> {
    let at = t.find("TLS session ticket:")?;
    let first = t[at..].lines().nth(1)?;
    // "    0000 - 41 41 41 41 41 41 41 41-41 41 ...   AAAA..."
    let bytes = first.split_once(" - ")?.1.get(..47)?.replace('-', " ");
    let hex: Vec<&str> = bytes.split_whitespace().collect();
    (hex.len() == 16 && hex.iter().all(|h| *h == hex[0])).then(|| hex[0].to_string())
}

/// RFC 5077 from C, issue 18: OpenSSL's s_client (no options but the session files)
/// resumes by ticket against the C server with no server state: a second server process,
/// with an empty session cache but the same ticket key, resumes the first one's session.
/// Then key rotation: key B loaded after the first connection (A's ticket still resumes
/// and is renewed under B; a new session gets a B ticket), key A deleted after the third
/// (A's ticket gets a full handshake, B's resumes); and the ticket callback, which gives
/// key A to a server that has not loaded it.
#[cfg(all(feature = "tls-1-2", feature = "stateless-session-tickets"))]
#[test]
fn openssl_s_client_resumes_by_ticket_against_c_server() {
    let dir = work_dir().join("ticket-sessions");
    std::fs::create_dir_all(&dir).unwrap();
    let sess = |n: u32| dir.join(format!("s{n}.pem")).display().to_string();
    let new_or_reused = |t: &str| {
        assert!(t.contains("TLSv1.2"), "{t}");
        if t.contains("Reused, ") {
            "resumed"
        } else {
            assert!(t.contains("New, "), "{t}");
            "full"
        }
    };
    // Key A's name is 'A' (0x41) 16 times, B's 'B' (0x42).
    let (a, b) = (Some("41".to_string()), Some("42".to_string()));

    // A full handshake: the ticket (key A) goes to s1.
    let (srv, port) = start_server("server", Link::Static, free_tcp_port(), 1, &["-t"], None);
    let t = s_client(port, &["-sess_out", &sess(1)]);
    assert_eq!(new_or_reused(&t), "full", "{t}");
    assert_eq!(ticket_key_byte(&t), a, "{t}");
    let s = server_results(srv);
    assert!(results(&s)[0].contains("handshake=full"), "{s}");

    // A new process: no session cache, the same key A; B after the first connection, A
    // deleted after the third.
    let args = ["-t", "-r", "1", "-x", "3"];
    let (srv, port) = start_server("server", Link::Shared, free_tcp_port(), 5, &args, None);
    let (s1, s3) = (sess(1), sess(3));
    let runs = [
        (vec!["-sess_in", &s1], "resumed", &a),
        (vec!["-sess_in", &s1], "resumed", &b),
        (vec!["-sess_out", &s3], "full", &b),
        (vec!["-sess_in", &s1], "full", &b),
        (vec!["-sess_in", &s3], "resumed", &b),
    ];
    for (args, want, key) in &runs {
        let t = s_client(port, args);
        assert_eq!(new_or_reused(&t), *want, "{args:?}\n{t}");
        assert_eq!(ticket_key_byte(&t), **key, "{args:?}\n{t}");
    }
    let s = server_results(srv);
    let r = results(&s);
    for (i, (_, want, _)) in runs.iter().enumerate() {
        assert!(r[i].contains(&format!("handshake={want}")), "{s}");
    }

    // No key loaded, the callback gives key A.
    let (srv, port) = start_server("server", Link::Static, free_tcp_port(), 1, &["-T"], None);
    let t = s_client(port, &["-sess_in", &sess(1)]);
    assert_eq!(new_or_reused(&t), "resumed", "{t}");
    let s = server_results(srv);
    assert!(s.contains("ticket callbacks=1"), "{s}");
}

/// The C client asks for tickets (`sslSessOpts_t.ticketResumption`) and resumes by ticket
/// against `openssl s_server -no_cache` (which cannot resume by session id); without the
/// option the same server gives only full handshakes.
#[cfg(all(feature = "tls-1-2", feature = "stateless-session-tickets"))]
#[test]
fn c_client_resumes_by_ticket_against_openssl_s_server() {
    let port = free_tcp_port();
    let server = spawn(Command::new("openssl").args([
        "s_server",
        "-accept",
        &format!("127.0.0.1:{port}"),
        "-key",
        &testkeys("rsa2048/server.key"),
        "-cert",
        &testkeys("rsa2048/server.pem"),
        "-cert_chain",
        &testkeys("rsa2048/intermediate.pem"),
        "-www",
        "-no_cache",
        "-quiet",
    ]));
    wait_tcp(port);
    let (out, s) = c_client(Link::Static, port, &["-n", "3", "-w", "-T"]);
    assert_ok("ticket client vs s_server", &out, &s);
    let r = results(&s);
    assert!(
        r[0].contains("resumed=0") && r[0].contains("cn=localhost"),
        "{s}"
    );
    assert!(
        r[1].contains("resumed=1") && r[2].contains("resumed=1"),
        "{s}"
    );
    assert!(r.iter().all(|l| !l.contains("ticket=0")), "{s}");
    let (out, s) = c_client(Link::Shared, port, &["-n", "2", "-w"]);
    drop(server);
    assert_ok("client without tickets vs s_server", &out, &s);
    let r = results(&s);
    assert!(
        r[1].contains("resumed=0") && r[1].contains("ticket=0"),
        "{s}"
    );
}

/// ECC from C, issue 19: the C server holds the RSA chain and the EC P-256 chain on one
/// keys object (matrixSslLoadRsaKeys, then matrixSslLoadEcKeys); OpenSSL's s_client
/// completes ECDHE-ECDSA (verifying the EC chain) with X25519 and with P-256 alone, and
/// ECDHE-RSA (verifying the RSA chain) with P-384 alone.
#[cfg(all(
    feature = "tls-1-2",
    feature = "ecc",
    feature = "tls-ecdhe-ecdsa-with-aes-128-gcm-sha256",
    feature = "tls-ecdhe-rsa-with-aes-256-gcm-sha384"
))]
#[test]
fn openssl_s_client_ecdhe_against_c_server_with_both_identities() {
    let ec = [
        "-e",
        &testkeys("ec-p256/server-chain.pem"),
        &testkeys("ec-p256/server.key"),
    ];
    let (srv, port) = start_server("server", Link::Static, free_tcp_port(), 3, &ec, None);
    let ec_ca = testkeys("ec-p256/ca.pem");
    let rsa_ca = testkeys(CA);
    let runs = [
        (
            "X25519:P-256",
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            &ec_ca,
            "X25519",
        ),
        (
            "P-256",
            "ECDHE-ECDSA-AES128-GCM-SHA256",
            &ec_ca,
            "prime256v1",
        ),
        ("P-384", "ECDHE-RSA-AES256-GCM-SHA384", &rsa_ca, "secp384r1"),
    ];
    for (groups, cipher, ca, group) in runs {
        let t = s_client(
            port,
            &[
                "-groups",
                groups,
                "-cipher",
                cipher,
                "-CAfile",
                ca,
                "-verify_return_error",
            ],
        );
        assert!(t.contains(&format!("Cipher is {cipher}")), "{t}");
        assert!(t.contains("Verify return code: 0 (ok)"), "{t}");
        assert!(t.contains(group), "{group}: {t}");
    }
    let s = server_results(srv);
    assert!(
        results(&s).iter().all(|l| l.contains("handshake=full")),
        "{s}"
    );
}

/// The C client (EC CA loaded with matrixSslLoadEcKeys) completes ECDHE-ECDSA against
/// `openssl s_server` holding the EC P-256 chain, full then resumed; and
/// `sslSessOpts_t.ecFlags` decides the groups it offers: against a P-384-only server,
/// P-256 alone fails and P-384 alone succeeds.
#[cfg(all(
    feature = "tls-1-2",
    feature = "ecc",
    feature = "tls-ecdhe-ecdsa-with-aes-128-gcm-sha256",
    feature = "tls-ecdhe-rsa-with-aes-128-gcm-sha256"
))]
#[test]
fn c_client_ecdhe_against_openssl_s_server() {
    let s_server = |port: u16, chain: &str, extra: &[&str]| {
        let server = spawn(
            Command::new("openssl")
                .args([
                    "s_server",
                    "-accept",
                    &format!("127.0.0.1:{port}"),
                    "-key",
                    &testkeys(&format!("{chain}/server.key")),
                    "-cert",
                    &testkeys(&format!("{chain}/server.pem")),
                    "-cert_chain",
                    &testkeys(&format!("{chain}/intermediate.pem")),
                    "-www",
                    "-quiet",
                ])
                .args(extra),
        );
        wait_tcp(port);
        server
    };
    let port = free_tcp_port();
    let server = s_server(port, "ec-p256", &[]);
    let ca = testkeys("ec-p256/ca.pem");
    let mut cmd = command(&program("client", Link::Shared), None);
    cmd.args(["127.0.0.1", &port.to_string(), &ca])
        .args(["-E", "-n", "2", "-w", "-c", "0xC02B"]);
    let out = cmd.output().unwrap();
    drop(server);
    let s = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_ok("EC client vs s_server", &out, &s);
    let r = results(&s);
    assert!(
        r[0].contains("resumed=0") && r[0].contains("cn=localhost"),
        "{s}"
    );
    assert!(r[1].contains("resumed=1"), "{s}");
    assert!(s.contains("authStatus=1"), "{s}");

    let port = free_tcp_port();
    let server = s_server(port, "rsa2048", &["-groups", "P-384"]);
    let (out, s) = c_client(Link::Static, port, &["-w", "-c", "0xC02F", "-g", "4"]);
    assert!(
        !out.status.success(),
        "P-256 only against a P-384 server:\n{s}"
    );
    let (out, s) = c_client(Link::Static, port, &["-w", "-c", "0xC02F", "-g", "8"]);
    drop(server);
    assert_ok("P-384 client vs P-384 s_server", &out, &s);
}

/// The C client asking for tickets and the C server issuing them, each under valgrind: the
/// ticket the library allocates in the client's sslSessionId_t is replaced and freed
/// without error or leak (0 errors, 0 bytes lost), and the second connection resumes.
#[cfg(feature = "stateless-session-tickets")]
#[test]
fn c_client_and_server_with_tickets_under_valgrind() {
    let slog = work_dir().join("valgrind-ticket-server.log");
    let clog = work_dir().join("valgrind-ticket-client.log");
    let (srv, port) = start_server(
        "server",
        Link::Static,
        free_tcp_port(),
        2,
        &["-t"],
        Some(&slog),
    );
    let pid = srv.0.id();
    let (out, s) = run_client(
        "client",
        Link::Shared,
        port,
        &["-n", "2", "-T"],
        Some(&clog),
    );
    assert_ok("ticket client under valgrind", &out, &s);
    let sout = srv.finish(120);
    let ss = stdout_of(pid, &sout);
    assert_ok("ticket server under valgrind", &sout, &ss);
    let r = results(&s);
    assert!(
        r[0].contains("resumed=0") && r[1].contains("resumed=1"),
        "{s}"
    );
    assert!(r.iter().all(|l| !l.contains("ticket=0")), "{s}");
    check_valgrind(&slog);
    check_valgrind(&clog);
}
