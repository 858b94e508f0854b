//! matrix-client: a TLS client over TCP (see `matrix_apps::client`). Exit codes: 0 ok,
//! 1 a handshake or protocol failure, 2 a usage or file error.

use std::process::ExitCode;

use clap::Parser;
use matrix_apps::client::{ClientArgs, run};
use matrix_apps::errors::EXIT_USAGE;

fn main() -> ExitCode {
    let args = match ClientArgs::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            // --help and --version are not errors.
            return ExitCode::from(if e.use_stderr() { EXIT_USAGE } else { 0 });
        }
    };
    match run(&args) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("matrix-client: {e}");
            ExitCode::from(e.code)
        }
    }
}
