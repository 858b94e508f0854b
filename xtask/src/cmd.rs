//! Running commands: each is printed before it runs, and a failure names the command.

use std::path::Path;
use std::process::Command;

/// Runs `program args` in `dir`, inheriting stdout and stderr.
pub fn run(dir: &Path, program: &str, args: &[&str]) -> Result<(), String> {
    run_env(dir, program, args, &[])
}

/// Runs `program args` in `dir` with extra environment variables.
pub fn run_env(
    dir: &Path,
    program: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> Result<(), String> {
    let shown = show(program, args);
    println!("\n==> {shown}");
    let status = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(dir)
        .status()
        .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// The command as printed: a long argument (the all-features list) is abbreviated.
fn show(program: &str, args: &[&str]) -> String {
    let args: Vec<String> = args
        .iter()
        .map(|a| {
            if a.len() > 100 {
                format!("<{} comma-separated items>", a.split(',').count())
            } else {
                (*a).to_string()
            }
        })
        .collect();
    format!("{program} {}", args.join(" "))
}

/// Runs a command quietly and returns its stdout, or `None` if it cannot start or fails.
pub fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}
