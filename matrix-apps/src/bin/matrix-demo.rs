//! matrix-demo: the README's main job.
//!
//! A placeholder until the TLS core issue lands: it says plainly what does not exist yet and
//! exits with status 2 so that no script mistakes it for a passing run.

fn main() {
    println!("matrix-demo: nothing to run yet.");
    for line in matrix_apps::demo_status() {
        println!("  - {line}");
    }
    std::process::exit(2);
}
