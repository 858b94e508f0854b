//! matrix-server: a TLS server over TCP (see `matrix_apps::server`). Exit codes: 0 ok,
//! 1 a handshake or protocol failure, 2 a usage or file error.

use std::process::ExitCode;

use clap::Parser;
use matrix_apps::errors::EXIT_USAGE;
use matrix_apps::server::{ServerArgs, run};

fn main() -> ExitCode {
    let args = match ServerArgs::try_parse() {
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
            eprintln!("matrix-server: {e}");
            ExitCode::from(e.code)
        }
    }
}
