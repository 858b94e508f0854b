//! matrix-demo: the README's main job. Runs a matrix server and client against each other
//! on 127.0.0.1 through every compiled-in protocol version and suite, full and resumed,
//! then client authentication and re-handshakes, and prints a table.
//! Exits 0 when no row failed, 1 when one did, 2 when the demo could not start.

fn main() {
    println!(
        "matrix-demo: a matrix server and client on 127.0.0.1, built-in test keys (testkeys/rsa2048, a test PSK)\n"
    );
    match matrix_apps::demo::run(matrix_apps::demo::progress_bar()) {
        Ok(rows) => {
            print!("{}", matrix_apps::demo::table(&rows));
            let failed = rows
                .iter()
                .any(|r| r.outcome != matrix_apps::demo::Outcome::Pass);
            std::process::exit(i32::from(failed));
        }
        Err(e) => {
            eprintln!("matrix-demo: {e}");
            std::process::exit(2);
        }
    }
}
