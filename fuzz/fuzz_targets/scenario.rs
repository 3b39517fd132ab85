//! Fuzz target: bytes as a parity fixture (`nodectl simulate DIR`): `scenario.yaml`, then a
//! line `#### cluster.yaml`, then `cluster.yaml` (no such line: no cluster objects); the
//! fixture is parsed and run for at most three reconciles.
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
    };
    let _ = run_fixture(&fixture, &options);
});
