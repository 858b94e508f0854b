//! matrix-dtls-client: a DTLS 1.2 and 1.0 client over UDP (see `matrix_apps::dtls_client`). Exit codes:
//! 0 ok, 1 a handshake or protocol failure, 2 a usage or file error.

fn main() -> std::process::ExitCode {
    use matrix_apps::dtls_client::{DtlsClientArgs, run};
    matrix_apps::dtls_opts::main::<DtlsClientArgs>("matrix-dtls-client", run)
}
