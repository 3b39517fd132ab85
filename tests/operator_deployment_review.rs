//! Whole-reconcile regression tests of SeiNodeDeployment behaviour that the
//! operator's unit tests do not cover, each run as a parity fixture would be.

use serde_json::{json, Value};

use nodectl::sim::{run_fixture, Fixture, RunOptions};

const UID: &str = "11111111-1111-5111-8111-111111111111";

/// Runs `cluster` (objects in order) against `scenario` and returns the trace.
fn simulate(cluster: &[Value], scenario: &Value) -> Value {
    let dir = tempfile::tempdir().expect("temp dir");
    let documents: Vec<String> = cluster.iter().map(Value::to_string).collect();
    std::fs::write(dir.path().join("cluster.yaml"), documents.join("\n---\n")).unwrap();
    std::fs::write(dir.path().join("scenario.yaml"), scenario.to_string()).unwrap();
    std::fs::write(dir.path().join("description.txt"), "test\n").unwrap();
    let fixture = Fixture::load(dir.path()).expect("fixture loads");
    run_fixture(&fixture, &RunOptions::default())
        .expect("fixture runs")
        .to_json()
}

fn child(name: &str, ordinal: u32, revision: &str, image: &str) -> Value {
    json!({
        "apiVersion": "sei.io/v1alpha1", "kind": "SeiNode",
        "metadata": {
            "name": name, "namespace": "default", "generation": 1,
            "labels": {"sei.io/nodedeployment": "grp",
                       "sei.io/nodedeployment-ordinal": ordinal.to_string(),
                       "sei.io/revision": revision},
            "ownerReferences": [{"apiVersion": "sei.io/v1alpha1", "kind": "SeiNodeDeployment",
                                 "name": "grp", "uid": UID, "controller": true,
                                 "blockOwnerDeletion": true}],
        },
        "spec": {"chainId": "c", "image": image, "fullNode": {},
                 "podLabels": {"sei.io/nodedeployment": "grp", "sei.io/revision": revision}},
        "status": {"phase": "Running", "currentImage": image},
    })
}

fn task(type_: &str, index: u32, status: &str, params: Value) -> Value {
    json!({
        "type": type_, "id": format!("00000000-0000-5000-8000-00000000000{index}"),
        "status": status, "params": params, "submittedAt": "2026-01-01T00:00:00Z",
    })
}

/// A BlueGreen rollout whose entrants are Running, stopped at await-nodes-caught-up.
fn blue_green_at_caught_up() -> Vec<Value> {
    let entrants = json!(["grp-g2-0", "grp-g2-1"]);
    let incumbents = json!(["grp-0", "grp-1"]);
    let condition = |type_: &str, reason: &str| {
        json!({"type": type_, "status": "True", "reason": reason, "message": "m",
               "observedGeneration": 2, "lastTransitionTime": "2026-01-01T00:00:00Z"})
    };
    let group = json!({
        "apiVersion": "sei.io/v1alpha1", "kind": "SeiNodeDeployment",
        "metadata": {"name": "grp", "namespace": "default", "uid": UID, "generation": 2,
                     "finalizers": ["sei.io/seinodedeployment-finalizer"]},
        "spec": {"replicas": 2, "updateStrategy": {"type": "BlueGreen"},
                 "template": {"spec": {"chainId": "c", "image": "sei:v2", "fullNode": {}}}},
        "status": {
            "observedGeneration": 1, "templateHash": "0123456789abcdef", "phase": "Upgrading",
            "incumbentNodes": incumbents,
            "rollout": {"strategy": "BlueGreen", "targetHash": "3cc5799fe32eb75c",
                        "startedAt": "2026-01-01T00:00:00Z", "incumbentNodes": incumbents,
                        "incumbentRevision": "1", "entrantRevision": "2"},
            "plan": {"id": "00000000-0000-4000-8000-000000000000", "phase": "Active", "tasks": [
                task("create-entrant-nodes", 0, "Complete", json!({"groupName": "grp",
                    "namespace": "default", "entrantRevision": "2", "nodeNames": entrants})),
                task("await-nodes-running", 1, "Complete", json!({"groupName": "grp",
                    "namespace": "default", "expected": 2, "nodeNames": entrants})),
                task("await-nodes-caught-up", 2, "Pending",
                    json!({"namespace": "default", "nodeNames": entrants})),
                task("switch-traffic", 3, "Pending",
                    json!({"groupName": "grp", "namespace": "default", "entrantRevision": "2"})),
                task("teardown-nodes", 4, "Pending",
                    json!({"namespace": "default", "nodeNames": incumbents})),
            ]},
            "conditions": [condition("RolloutInProgress", "TemplateChanged"),
                           condition("PlanInProgress", "PlanStarted")],
        },
    });
    vec![
        group,
        child("grp-0", 0, "1", "sei:v1"),
        child("grp-1", 1, "1", "sei:v1"),
        child("grp-g2-0", 0, "2", "sei:v2"),
        child("grp-g2-1", 1, "2", "sei:v2"),
    ]
}

fn event_reasons(reconcile: &Value) -> Vec<&str> {
    reconcile["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["reason"].as_str().unwrap())
        .collect()
}

/// The typed client zeroes the group before decoding switch-traffic's status
/// response into it, so the in-memory group (and its plan) becomes the stored
/// one: the executor finishes its own, detached copy of the plan (the incumbents
/// are deleted) but the controller sees the stored Active plan and neither
/// completes nor fails it. The first pass then hits the stale-version conflict;
/// later passes send the switch as `{}` and loop at 1 ms. Pins the traced
/// behaviour against a "merge the response" reading of the Go code.
#[test]
fn switch_traffic_response_replaces_the_group_and_the_rollout_never_completes() {
    let trace = simulate(
        &blue_green_at_caught_up(),
        &json!({"target": {"kind": "SeiNodeDeployment", "namespace": "default", "name": "grp"},
                "reconciles": 2}),
    );
    let reconciles = trace["reconciles"].as_array().unwrap();

    let first = &reconciles[0];
    assert!(first["error"]
        .as_str()
        .is_some_and(|e| e.starts_with("updating status: Operation cannot be fulfilled")));
    assert!(event_reasons(first).is_empty());
    let verbs: Vec<(&str, &str)> = first["writes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| (w["verb"].as_str().unwrap(), w["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        verbs,
        [
            ("Patch", "grp"),
            ("Delete", "grp-0"),
            ("Delete", "grp-1"),
            ("Patch", "grp")
        ]
    );
    // The caught-up check runs once, before the switch.
    assert_eq!(first["sidecarCalls"].as_array().unwrap().len(), 2);

    let second = &reconciles[1];
    assert!(second["error"].is_null());
    assert!(event_reasons(second).is_empty());
    assert_eq!(second["result"]["requeueAfter"], "1ms");
    let writes = second["writes"].as_array().unwrap();
    assert_eq!(patch_of(&writes[0]), json!({}));
    let last = writes.last().unwrap();
    assert!(last["error"].is_null());
    let status = &patch_of(last)["status"];
    assert!(status.get("plan").is_none() && status.get("rollout").is_none());
}

fn patch_of(write: &Value) -> Value {
    match &write["patch"] {
        Value::String(text) => serde_json::from_str(text).unwrap(),
        other => other.clone(),
    }
}
