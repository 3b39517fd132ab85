//! `buildError` (PARITY.md §2.1) reaches only the tasks that build their client
//! through the execution config's `BuildSidecarClient`; the group tasks that make
//! their own client from a node's pod DNS name (`sidecarClientForNode`) never fail.

use std::path::Path;

use nodectl::sim::{run_fixture, Fixture, RunOptions};

fn trace(name: &str, build_error: &str) -> serde_json::Value {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/parity")
        .join(name);
    let mut fixture = Fixture::load(&dir).expect("fixture loads");
    fixture.scenario.sidecar.build_error = build_error.to_string();
    run_fixture(&fixture, &RunOptions::default())
        .expect("fixture runs")
        .to_json()
}

fn sidecar_calls(trace: &serde_json::Value) -> usize {
    trace["reconciles"]
        .as_array()
        .expect("reconciles")
        .iter()
        .map(|r| r["sidecarCalls"].as_array().map_or(0, Vec::len))
        .sum()
}

/// Marking a group's nodes ready and polling the exporter talk to nodes' sidecars
/// from group tasks: a scripted client-building failure changes nothing.
#[test]
fn sidecar_client_for_node_never_fails_to_build() {
    for name in [
        "snd-inplace-mark-ready-initializing",
        "snd-fork-export-timeout",
    ] {
        let plain = trace(name, "");
        let failing = trace(name, "dial refused");
        assert!(
            sidecar_calls(&plain) > 0,
            "{name}: the group tasks call sidecars"
        );
        assert_eq!(plain, failing, "{name}");
    }
}

/// A SeiNode's sidecar tasks build their client through the execution config,
/// so the same failure reaches them.
#[test]
fn build_sidecar_client_failure_reaches_node_tasks() {
    for name in ["node-fullnode-bootstrap", "snd-genesis-ceremony"] {
        let plain = trace(name, "");
        let failing = trace(name, "dial refused");
        assert!(
            sidecar_calls(&failing) < sidecar_calls(&plain),
            "{name}: no client, fewer sidecar calls"
        );
    }
}
