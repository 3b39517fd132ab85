//! Every progress bar, drawn on a real pseudo-terminal. Pipes (CI, the other tests) never
//! draw a bar, so only a terminal can show a bar that blocks the work it reports on; each
//! run has a deadline, so a hang fails the test instead of hanging it.
#![cfg(unix)]

mod support {
    pub mod fake_api;
    pub mod tty;
}

use std::path::Path;
use std::time::Duration;

use support::fake_api::{manifest_objects, Fake};
use support::tty::{run_on_tty, TtyRun};

const DEADLINE: Duration = Duration::from_secs(60);

/// `count` SeiNode manifests, one per file, in `dir`.
fn node_files(dir: &Path, count: usize) {
    let text = std::fs::read_to_string("examples/seinode/pacific-1-full-node.yaml").unwrap();
    for i in 0..count {
        let one = text.replace("name: pacific-1-full-node", &format!("name: node-{i}"));
        assert_ne!(one, text, "the example's name changed; update the test");
        std::fs::write(dir.join(format!("node-{i}.yaml")), one).unwrap();
    }
}

#[test]
fn validate_draws_its_bar_over_sixty_files_and_finishes() {
    let dir = tempfile::tempdir().unwrap();
    node_files(dir.path(), 60);
    let run = run_on_tty(&["validate", "-f", dir.path().to_str().unwrap()], DEADLINE);
    assert_eq!(run.code, Some(0), "{}", run.screen);
    assert!(
        run.screen.contains("validating"),
        "no bar was drawn: {}",
        run.screen
    );
    assert!(
        run.screen
            .contains("60 documents checked: 60 valid, 0 invalid, 0 skipped"),
        "{}",
        run.screen
    );
}

#[test]
fn validate_against_a_cluster_draws_its_bar_and_finishes() {
    let fake = Fake::start(&[], &[]);
    let dir = tempfile::tempdir().unwrap();
    let inputs = dir.path().join("in");
    std::fs::create_dir(&inputs).unwrap();
    node_files(&inputs, 60);
    let kubeconfig = fake.kubeconfig(dir.path());
    let run = run_on_tty(
        &[
            "validate",
            "-f",
            inputs.to_str().unwrap(),
            "--against-cluster",
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
        ],
        DEADLINE,
    );
    assert_eq!(run.code, Some(0), "{}", run.screen);
    assert!(
        run.screen.contains("validating"),
        "no bar was drawn: {}",
        run.screen
    );
    assert!(
        run.screen.contains("60 documents checked"),
        "{}",
        run.screen
    );
}

/// `plan` on the fake cluster holding `objects`, on a terminal.
fn live_plan_on_tty(objects: &str, extra: &[&str]) -> TtyRun {
    let fake = Fake::start(&manifest_objects(objects), &[]);
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = fake.kubeconfig(dir.path());
    let mut args = vec![
        "plan",
        "--kubeconfig",
        kubeconfig.to_str().unwrap(),
        "--now",
        "2026-01-01T03:00:00Z",
        "--no-color",
    ];
    args.extend(extra);
    run_on_tty(&args, DEADLINE)
}

#[test]
fn live_plan_draws_the_listing_bar_and_finishes() {
    let run = live_plan_on_tty(
        "examples/stuck-node/snapshot-restore-waiting.yaml",
        &["seinode/pacific-1-full-node", "-n", "ops"],
    );
    assert_eq!(run.code, Some(0), "{}", run.screen);
    assert!(
        run.screen.contains("listing"),
        "no listing bar: {}",
        run.screen
    );
    assert!(run.screen.contains("Plan: "), "{}", run.screen);
}

#[test]
fn live_plan_draws_the_sidecar_bar_and_finishes() {
    // mark-nodes-ready reads every node's /v0/status: two sidecar reads.
    let run = live_plan_on_tty(
        "testdata/parity/snd-inplace-mark-ready-initializing/cluster.yaml",
        &["-n", "default"],
    );
    assert_eq!(run.code, Some(0), "{}", run.screen);
    assert!(
        run.screen.contains("sidecars"),
        "no sidecar bar: {}",
        run.screen
    );
    assert!(run.screen.contains("2 sidecar reads"), "{}", run.screen);
}
