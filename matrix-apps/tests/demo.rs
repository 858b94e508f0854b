//! The demo runs every row it plans, and none fails.

use matrix_apps::demo::{Outcome, run, table};

#[test]
fn every_row_passes_or_says_why_it_is_skipped() {
    let mut seen = 0;
    let rows = run(|done, _| seen = done).expect("the demo starts");
    assert_eq!(seen, rows.len(), "progress reached the end");
    let text = table(&rows);
    for r in &rows {
        match &r.outcome {
            Outcome::Pass => assert!(r.handshake.is_some() && r.wire_bytes > 16 * 1024),
            Outcome::Skipped(why) => assert!(!why.is_empty()),
            Outcome::Fail(why) => panic!("{} {} {}: {why}\n{text}", r.version, r.suite, r.kind),
        }
    }
    let passed = rows.iter().filter(|r| r.outcome == Outcome::Pass).count();
    // Every compiled-in RSA suite in every compiled-in version, full and resumed.
    assert!(passed >= 2, "{text}");
    assert!(
        rows.iter()
            .any(|r| r.kind == "resumed" && r.outcome == Outcome::Pass)
    );
}
