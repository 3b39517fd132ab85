//! Where the operator's Go code panics, a reconcile ends as controller-runtime's
//! panic recovery ends it: the error `panic: <runtime error> [recovered]`, a zero
//! result, the writes before the panic kept, no made-up plan.

use std::path::Path;

use nodectl::sim::{run_fixture, Fixture, RunOptions};
use serde_json::Value;

fn run(name: &str, edit: impl Fn(&mut Value)) -> Value {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/parity")
        .join(name);
    let mut fixture = Fixture::load(&dir).expect("fixture loads");
    for object in &mut fixture.objects {
        edit(object);
    }
    run_fixture(&fixture, &RunOptions::default())
        .expect("fixture runs")
        .to_json()
}

fn is_group(o: &Value) -> bool {
    o["kind"] == "SeiNodeDeployment"
}

fn plan_writes(reconcile: &Value) -> bool {
    reconcile["writes"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|w| w.to_string().contains("\"plan\"") && w["subresource"] == "status")
}

/// hardForkDeploymentPlanner.BuildPlan reads `updateStrategy.hardFork.haltHeight`
/// without a nil check: a HardFork rollout without `hardFork` panics.
#[test]
fn hard_fork_build_plan_nil_hard_fork_panics() {
    let trace = run("snd-hardfork-rollout", |o| {
        if is_group(o) {
            o["spec"]["updateStrategy"]
                .as_object_mut()
                .unwrap()
                .remove("hardFork");
        }
    });
    let first = &trace["reconciles"][0];
    assert_eq!(
        first["error"],
        "panic: runtime error: invalid memory address or nil pointer dereference [recovered]"
    );
    assert_eq!(first["result"]["requeueAfterNs"], 0);
    assert!(!plan_writes(first), "no plan is written");
}

/// EntrantNodeNames: `make([]string, int(replicas))` with negative replicas panics.
#[test]
fn entrant_node_names_negative_replicas_panics() {
    let trace = run("snd-hardfork-rollout", |o| {
        if is_group(o) {
            o["spec"]["replicas"] = Value::from(-1);
        }
    });
    let errors: Vec<&Value> = trace["reconciles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["error"])
        .collect();
    assert!(
        errors
            .iter()
            .any(|e| *e == "panic: runtime error: makeslice: len out of range [recovered]"),
        "{errors:?}"
    );
}

/// retryBackoff: a failed task whose stored retryCount is negative is retried with
/// `1<<min(attempt, 5)`, a negative shift.
#[test]
fn retry_backoff_negative_retry_count_panics() {
    fn negate_retries(v: &mut Value) {
        match v {
            Value::Object(map) => {
                if map.contains_key("maxRetries") {
                    map.insert("retryCount".into(), Value::from(-3));
                }
                map.values_mut().for_each(negate_retries);
            }
            Value::Array(items) => items.iter_mut().for_each(negate_retries),
            _ => {}
        }
    }
    let trace = run("genesis-task-retries-exhausted", negate_retries);
    let first = &trace["reconciles"][0];
    assert_eq!(
        first["error"],
        "panic: runtime error: negative shift amount [recovered]"
    );
    assert_eq!(first["result"]["requeueAfterNs"], 0);
}
