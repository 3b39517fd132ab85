//! Runs every parity fixture in testdata/parity/ and compares its trace with the
//! fixture's expected.json (the normalisation of PARITY.md §6, in full).
//! testdata/parity/PASSING is a ratchet: every fixture listed there must match;
//! the others are counted and reported.

use std::path::{Path, PathBuf};

use nodectl::sim::compare::compare_traces;
use nodectl::sim::{run_fixture, Fixture, RunOptions};

fn fixture_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("testdata/parity exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("scenario.yaml").exists())
        .collect();
    dirs.sort();
    dirs
}

/// Runs one fixture; returns the differences (empty = parity) as printable lines.
fn check(dir: &Path) -> Vec<String> {
    let fixture = match Fixture::load(dir) {
        Ok(f) => f,
        Err(e) => return vec![format!("load error: {e}")],
    };
    let trace = match run_fixture(&fixture, &RunOptions::default()) {
        Ok(t) => t.to_json(),
        Err(e) => return vec![format!("run error: {e}")],
    };
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("expected.json")).expect("expected.json"),
    )
    .expect("expected.json is JSON");
    compare_traces(&expected, &trace)
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn parity_fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/parity");
    let passing_list = std::fs::read_to_string(root.join("PASSING")).unwrap_or_default();
    let must_pass: Vec<&str> = passing_list
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let dirs = fixture_dirs(&root);
    for name in &must_pass {
        assert!(
            root.join(name).join("scenario.yaml").exists(),
            "PASSING lists unknown fixture {name}"
        );
    }
    let mut regressions = Vec::new();
    let mut passing = Vec::new();
    let mut failing = Vec::new();
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let diffs = check(dir);
        if diffs.is_empty() {
            passing.push(name);
        } else if must_pass.contains(&name.as_str()) {
            regressions.push((name, diffs));
        } else {
            failing.push((name, diffs.len()));
        }
    }
    println!(
        "parity: {} of {} fixtures pass ({} listed in PASSING)",
        passing.len(),
        dirs.len(),
        must_pass.len()
    );
    for (name, n) in &failing {
        println!("  not yet passing: {name} ({n} differences)");
    }
    let newly: Vec<&String> = passing
        .iter()
        .filter(|n| !must_pass.contains(&n.as_str()))
        .collect();
    if !newly.is_empty() {
        println!("  passing but not listed in PASSING (add them): {newly:?}");
    }
    if !regressions.is_empty() {
        for (name, diffs) in &regressions {
            eprintln!("REGRESSION {name}: {} differences", diffs.len());
            for d in diffs.iter().take(40) {
                eprintln!("    {d}");
            }
        }
        panic!("{} fixture(s) listed in PASSING differ", regressions.len());
    }
}

/// Resting the world between reconciles (stored objects, ownership and last applies back
/// to compact text, as `plan` does between targets) changes no byte of any fixture's trace.
#[test]
fn resting_between_reconciles_changes_no_trace() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/parity");
    let resting = RunOptions {
        rest_between_reconciles: true,
        ..RunOptions::default()
    };
    let mut compared = 0;
    for dir in fixture_dirs(&root) {
        let fixture = Fixture::load(&dir).expect("fixture loads");
        let plain = run_fixture(&fixture, &RunOptions::default()).map(|t| t.to_json().to_string());
        let rested = run_fixture(&fixture, &resting).map(|t| t.to_json().to_string());
        match (plain, rested) {
            (Ok(plain), Ok(rested)) => {
                assert!(
                    plain == rested,
                    "{}: resting changed the trace",
                    dir.display()
                );
                compared += 1;
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
            (a, b) => panic!("{}: {:?} vs {:?}", dir.display(), a.is_ok(), b.is_ok()),
        }
    }
    assert!(compared >= 66, "only {compared} fixtures compared");
}
