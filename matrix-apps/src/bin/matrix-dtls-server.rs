//! matrix-dtls-server: a DTLS 1.2 and 1.0 server over UDP (see `matrix_apps::dtls_server`). Exit codes:
//! 0 ok, 1 a handshake or protocol failure, 2 a usage or file error.

fn main() -> std::process::ExitCode {
    use matrix_apps::dtls_server::{DtlsServerArgs, run};
    matrix_apps::dtls_opts::main::<DtlsServerArgs>("matrix-dtls-server", run)
}
