//! Fuzz target: bytes as a parity fixture (`nodectl simulate DIR`): `scenario.yaml`, then a
//! line `#### cluster.yaml`, then `cluster.yaml` (no such line: no cluster objects); the
//! fixture is parsed and run for at most three reconciles, once as is and once with the
//! world put to rest after every reconcile: both runs must give the same trace.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use nodectl::sim::{run_fixture, Fixture, RunOptions};

const SEPARATOR: &str = "\n#### cluster.yaml\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (scenario, cluster) = text.split_once(SEPARATOR).unwrap_or((text, ""));
    let Ok(fixture) = Fixture::parse(Path::new("fuzz"), scenario, cluster) else {
        return;
    };
    let options = RunOptions {
        reconciles: Some(fixture.scenario.reconcile_count().min(3)),
        ..RunOptions::default()
    };
    let plain = run_fixture(&fixture, &options).map(|t| t.to_json().to_string());
    let resting = RunOptions {
        rest_between_reconciles: true,
        ..options
    };
    let rested = run_fixture(&fixture, &resting).map(|t| t.to_json().to_string());
    match (plain, rested) {
        (Ok(a), Ok(b)) => assert!(a == b, "resting changed the trace"),
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (a, b) => panic!(
            "resting changed the outcome: {:?} vs {:?}",
            a.is_ok(),
            b.is_ok()
        ),
    }
});
