#![allow(clippy::expect_used, clippy::unwrap_used)]
//! Runs every scenario: this repository's, the shared examples, and any directories in
//! `PAYSTATE_SCENARIOS` (colon-separated).

use std::path::PathBuf;

#[test]
fn all_scenarios_pass() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut paths = vec![root.join("tests/scenarios")];
    let shared = root.join("../shared/conformance/examples");
    if shared.is_dir() {
        paths.push(shared);
    }
    if let Ok(extra) = std::env::var("PAYSTATE_SCENARIOS") {
        paths.extend(
            extra
                .split(':')
                .filter(|s| !s.is_empty())
                .map(PathBuf::from),
        );
    }
    let report = paystate_cli::conformance::run_paths(&paths).expect("scenario paths readable");
    for (file, failure) in &report.failed {
        eprintln!("FAIL {}: {failure}", file.display());
    }
    eprintln!("{}", report.summary());
    assert!(report.passed > 0, "no scenario ran");
    assert!(report.failed.is_empty(), "{}", report.summary());
}
