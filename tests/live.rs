//! `plan` and `apply` against an in-process fake API server that records every
//! request (tests/support/fake_api.rs).

mod support {
    pub mod fake_api;
}

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;
use support::fake_api::{isolated_nodectl, manifest_objects, Fake, Fault, FaultKind, Recorded};

const NOW: &str = "2026-01-01T00:00:00Z";
const NODE: &str = "examples/seinode/pacific-1-full-node.yaml";
const GROUP: &str = "examples/seinodedeployment/pacific-1-rpc-group.yaml";

fn nodectl(fake: &Fake, dir: &Path, args: &[&str]) -> Output {
    let mut cmd = isolated_nodectl();
    cmd.arg(args[0])
        .arg("--kubeconfig")
        .arg(fake.kubeconfig(dir))
        .args(["--now", NOW, "--retry-backoff", "10ms"])
        .args(&args[1..]);
    cmd.output().unwrap()
}

fn writes(requests: &[Recorded]) -> Vec<&Recorded> {
    requests.iter().filter(|r| r.method != "GET").collect()
}

#[test]
fn plan_sends_only_gets_for_every_flag_combination() {
    let mut world = manifest_objects(NODE);
    world.extend(manifest_objects(GROUP));
    // Both optional kinds served: a cluster without ServiceMonitor fails the group's apply (exit 1).
    let fake = Fake::start(
        &world,
        &[
            "gateway.networking.k8s.io/v1/HTTPRoute",
            "monitoring.coreos.com/v1/ServiceMonitor",
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let url = fake.url();
    let table: Vec<Vec<&str>> = vec![
        vec!["plan"],
        vec!["plan", "-n", "default"],
        vec!["plan", "-A"],
        vec!["plan", "seinode/pacific-1-full-node"],
        vec!["plan", "snd/pacific-1-rpc"],
        vec!["plan", "-l", "app!=none"],
        vec!["plan", "-o", "json"],
        vec!["plan", "--sidecar", "model"],
        vec!["plan", "--reconciles", "3"],
        vec!["plan", "--detailed-exitcode"],
        vec!["plan", "--sidecar-url", &url],
        vec!["plan", "-f", NODE],
        vec!["plan", "--context", "fake", "-o", "yaml"],
    ];
    for args in &table {
        let before = fake.requests().len();
        let out = nodectl(&fake, dir.path(), args);
        let code = out.status.code();
        assert!(
            matches!(code, Some(0) | Some(3)),
            "{args:?}: exit {code:?}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let sent = fake.requests()[before..].to_vec();
        assert!(
            !sent.is_empty(),
            "{args:?}: no request reached the fake cluster"
        );
        assert!(
            writes(&sent).is_empty(),
            "{args:?}: sent {:?}",
            writes(&sent)
        );
    }
    // The dry-run fidelity check sends only dryRun=All requests and stores nothing.
    let before = fake.requests().len();
    let out = nodectl(&fake, dir.path(), &["plan", "--server-dry-run"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sent = fake.requests()[before..].to_vec();
    let dry = writes(&sent);
    assert!(!dry.is_empty(), "owned objects were dry-run");
    assert!(
        dry.iter()
            .all(|r| r.query.contains("dryRun=All") && !r.is_proxy()),
        "{dry:?}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("verified"));
    assert_eq!(fake.store_writes(), 0, "the fake store was never written");
}

#[test]
fn plan_reads_500_seinodes_with_one_list_per_kind_and_namespace() {
    let template = manifest_objects(NODE).remove(0);
    let fleet: Vec<Value> = (0..500)
        .map(|i| {
            let mut o = template.clone();
            o["metadata"]["name"] = Value::String(format!("node-{i:03}"));
            o
        })
        .collect();
    let fake = Fake::start(&fleet, &[]);
    let dir = tempfile::tempdir().unwrap();
    let out = nodectl(&fake, dir.path(), &["plan", "-n", "default", "-o", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let requests = fake.requests();
    let api: Vec<&Recorded> = requests.iter().filter(|r| !r.is_proxy()).collect();
    // 2 discovery GETs (optional groups) + 7 LISTs (one per kind, one namespace).
    assert_eq!(
        api.len(),
        9,
        "{:?}",
        api.iter().map(|r| &r.path).collect::<Vec<_>>()
    );
    assert!(writes(&requests).is_empty());
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["live"]["apiRequests"], 9);
    assert_eq!(doc["live"]["objectsRead"], 500);
    let targets = doc["reconciles"].as_array().unwrap().len();
    assert_eq!(targets, 500);
    // Sidecar reads are at most one per node (new nodes need none: their tasks were just simulated).
    assert!(requests.iter().filter(|r| r.is_proxy()).count() <= 500);
}

/// Every write request of an offline `plan -f` of the same world, as (method, path, body).
fn predicted(world: &str) -> (Vec<(String, String, Value)>, usize) {
    let out = Command::cargo_bin("nodectl")
        .unwrap()
        .env("RUST_BACKTRACE", "0")
        .args(["plan", "-f", world, "--now", NOW, "-o", "json"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).expect("offline plan JSON");
    let mut writes = Vec::new();
    let mut submissions = 0;
    for r in doc["reconciles"].as_array().unwrap() {
        for w in r["writes"].as_array().unwrap() {
            let method = match w["verb"].as_str().unwrap() {
                "Create" => "POST",
                "Update" => "PUT",
                "Delete" => "DELETE",
                _ => "PATCH",
            };
            let body = w
                .get("patchParsed")
                .or(w.get("object"))
                .cloned()
                .unwrap_or(Value::Null);
            writes.push((
                method.to_string(),
                w["name"].as_str().unwrap().to_string(),
                body,
            ));
        }
        submissions += r["sidecarCalls"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| {
                c["op"].as_str().unwrap().contains("Submit") || c["op"] == "HTTP POST /v0/tasks"
            })
            .count();
    }
    (writes, submissions)
}

fn without_type_meta(mut v: Value) -> Value {
    if let Some(m) = v.as_object_mut() {
        m.remove("apiVersion");
        m.remove("kind");
    }
    v
}

#[test]
fn apply_sends_exactly_the_writes_the_offline_plan_predicts() {
    let fake = Fake::start(&manifest_objects(NODE), &[]);
    let dir = tempfile::tempdir().unwrap();
    let out = nodectl(
        &fake,
        dir.path(),
        &["apply", "seinode/pacific-1-full-node", "--yes"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (expected, submissions) = predicted(NODE);
    assert!(!expected.is_empty());
    let requests = fake.requests();
    let sent: Vec<(String, String, Value)> = requests
        .iter()
        .filter(|r| r.method != "GET" && !r.is_proxy())
        .map(|r| {
            let name = r
                .body
                .as_ref()
                .and_then(|b| b.pointer("/metadata/name"))
                .and_then(Value::as_str);
            let name = name.map(str::to_string).unwrap_or_else(|| {
                r.path
                    .trim_end_matches("/status")
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_string()
            });
            (
                r.method.clone(),
                name,
                without_type_meta(r.body.clone().unwrap_or_default()),
            )
        })
        .collect();
    let expected: Vec<(String, String, Value)> = expected
        .into_iter()
        .map(|(m, n, b)| (m, n, without_type_meta(b)))
        .collect();
    assert_eq!(sent, expected);
    let posts = requests
        .iter()
        .filter(|r| r.is_proxy() && r.method == "POST")
        .count();
    assert_eq!(posts, submissions);
    // The server-side apply went out as the operator's field manager, forced.
    assert!(requests
        .iter()
        .any(|r| r.content_type == "application/apply-patch+yaml"
            && r.query == "fieldManager=seinode-controller&force=true"));
}

fn last_write_index(requests: &[Recorded]) -> usize {
    requests.iter().rposition(|r| r.method != "GET").unwrap()
}

#[test]
fn a_conflict_on_the_status_patch_stops_and_asks_for_a_rerun() {
    let fake = Fake::start(&manifest_objects(NODE), &[]);
    fake.fault(Fault {
        method: "PATCH",
        path_contains: "/status".into(),
        kind: FaultKind::Status(409, "Conflict"),
        times: 1,
    });
    let dir = tempfile::tempdir().unwrap();
    let out = nodectl(&fake, dir.path(), &["apply", "--yes"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("FAILED: Patch SeiNode default/pacific-1-full-node status"),
        "{stderr}"
    );
    assert!(stderr.contains("Re-run `nodectl apply`"), "{stderr}");
    let requests = fake.requests();
    let failed = last_write_index(&requests);
    assert!(requests[failed].path.ends_with("/status"));
    assert_eq!(
        requests
            .iter()
            .filter(|r| r.path.ends_with("/status"))
            .count(),
        1,
        "never retried"
    );
}

#[test]
fn a_500_is_retried_and_then_succeeds() {
    let fake = Fake::start(&manifest_objects(NODE), &[]);
    fake.fault(Fault {
        method: "POST",
        path_contains: "persistentvolumeclaims".into(),
        kind: FaultKind::Status(500, "InternalError"),
        times: 1,
    });
    let dir = tempfile::tempdir().unwrap();
    let out = nodectl(&fake, dir.path(), &["apply", "--yes"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let posts = fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.contains("persistentvolumeclaims"))
        .count();
    assert_eq!(posts, 2);
    let state = fake.state.lock().unwrap();
    assert!(state
        .api
        .get_opt(
            "v1",
            "PersistentVolumeClaim",
            "default",
            "data-pacific-1-full-node"
        )
        .unwrap()
        .is_some());
}

#[test]
fn a_timeout_gives_up_after_bounded_retries_and_writes_nothing_after() {
    let fake = Fake::start(&manifest_objects(NODE), &[]);
    fake.fault(Fault {
        method: "PATCH",
        path_contains: "statefulsets".into(),
        kind: FaultKind::Delay(Duration::from_millis(600)),
        times: 10,
    });
    let dir = tempfile::tempdir().unwrap();
    let out = nodectl(
        &fake,
        dir.path(),
        &[
            "apply",
            "--yes",
            "--request-timeout",
            "200ms",
            "--retries",
            "1",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("no answer within the timeout (2 attempts)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("not sent: Patch SeiNode default/pacific-1-full-node status"),
        "{stderr}"
    );
    let requests = fake.requests();
    let last = &requests[last_write_index(&requests)];
    assert!(
        last.path.contains("statefulsets"),
        "nothing after the failing write: {last:?}"
    );
}

#[test]
fn an_unreachable_sidecar_stops_apply_before_later_writes() {
    let fake = Fake::start(&manifest_objects(NODE), &[]);
    fake.state
        .lock()
        .unwrap()
        .unreachable
        .insert("pacific-1-full-node-0".into());
    let dir = tempfile::tempdir().unwrap();
    let out = nodectl(&fake, dir.path(), &["apply", "--yes", "--retries", "0"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("sidecar unreachable"), "{stderr}");
    let requests = fake.requests();
    let last = &requests[last_write_index(&requests)];
    assert!(
        last.is_proxy() && last.method == "POST",
        "the submission was the last request: {last:?}"
    );
}

#[test]
fn apply_refuses_without_confirmation_when_not_on_a_terminal() {
    let fake = Fake::start(&manifest_objects(NODE), &[]);
    let dir = tempfile::tempdir().unwrap();
    let out = nodectl(&fake, dir.path(), &["apply"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--yes"));
    assert!(writes(&fake.requests()).is_empty());
}

/// The non-GET API requests (method, path, body) sent to the fake cluster.
fn sent_writes(requests: &[Recorded]) -> Vec<(String, String, Option<Value>)> {
    requests
        .iter()
        .filter(|r| r.method != "GET")
        .map(|r| (r.method.clone(), r.path.clone(), r.body.clone()))
        .collect()
}

#[test]
fn a_saved_plan_applies_exactly_its_writes() {
    let dir = tempfile::tempdir().unwrap();
    let plan_file = dir.path().join("plan.json");
    let plan_path = plan_file.to_str().unwrap();
    // The reference: a direct apply on one fake cluster.
    let direct = Fake::start(&manifest_objects(NODE), &[]);
    let out = nodectl(
        &direct,
        dir.path(),
        &["apply", "seinode/pacific-1-full-node", "--yes"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The same world: plan --out, then apply the saved plan.
    let fake = Fake::start(&manifest_objects(NODE), &[]);
    let out = nodectl(
        &fake,
        dir.path(),
        &["plan", "seinode/pacific-1-full-node", "--out", plan_path],
    );
    assert!(
        matches!(out.status.code(), Some(0)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(&format!("Saved the plan to {plan_path}\n"))
    );
    assert!(
        writes(&fake.requests()).is_empty(),
        "plan --out writes nothing to the cluster"
    );
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&plan_file).unwrap()).unwrap();
    assert_eq!(saved["kind"], "NodectlPlan");
    assert!(saved["read"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["resourceVersion"].is_string()));
    let out = nodectl(&fake, dir.path(), &["apply", plan_path, "--yes"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        sent_writes(&fake.requests()),
        sent_writes(&direct.requests())
    );
}

#[test]
fn a_stale_saved_plan_is_refused_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let plan_file = dir.path().join("plan.json");
    let plan_path = plan_file.to_str().unwrap();
    let fake = Fake::start(&manifest_objects(NODE), &[]);
    let out = nodectl(
        &fake,
        dir.path(),
        &["plan", "seinode/pacific-1-full-node", "--out", plan_path],
    );
    assert!(
        matches!(out.status.code(), Some(0)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Someone changes the node after the plan was saved.
    {
        let mut state = fake.state.lock().unwrap();
        state
            .api
            .merge_patch(
                "sei.io/v1alpha1",
                "SeiNode",
                "default",
                "pacific-1-full-node",
                serde_json::json!({"metadata": {"labels": {"touched": "yes"}}}),
                false,
            )
            .unwrap();
    }
    let before = fake.requests().len();
    let out = nodectl(&fake, dir.path(), &["apply", plan_path, "--yes"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("stale plan"), "{stderr}");
    assert!(
        stderr.contains("SeiNode default/pacific-1-full-node: resourceVersion"),
        "{stderr}"
    );
    assert!(
        writes(&fake.requests()[before..]).is_empty(),
        "a stale plan sends no write"
    );
}

#[test]
fn a_plan_from_files_is_not_saved() {
    let dir = tempfile::tempdir().unwrap();
    let plan_file = dir.path().join("plan.json");
    let plan_path = plan_file.to_str().unwrap();
    let out = Command::cargo_bin("nodectl")
        .unwrap()
        .env("RUST_BACKTRACE", "0")
        .args(["plan", "-f", NODE, "--now", NOW, "--out", plan_path])
        .output()
        .unwrap();
    // plan --out refuses to save what apply would refuse.
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.ends_with(&format!(
            "error: {plan_path}: the plan was made from files, not against a cluster: it cannot be applied (plan against the cluster with `nodectl plan --out`); the plan was not saved\n"
        )),
        "{stderr}"
    );
    assert!(!plan_file.exists());
}

/// A Create that landed although the answer was a 500 is read back, found as sent, and
/// not sent again: the apply goes on and reports it confirmed by the read-back.
#[test]
fn a_create_that_landed_behind_a_500_is_confirmed_by_read_back_and_not_resent() {
    let fake = Fake::start(&manifest_objects(NODE), &[]);
    fake.fault(Fault {
        method: "POST",
        path_contains: "persistentvolumeclaims".into(),
        kind: FaultKind::AppliedThen(500, "InternalError"),
        times: 1,
    });
    let dir = tempfile::tempdir().unwrap();
    let out = nodectl(&fake, dir.path(), &["apply", "--yes"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(
            "-> applied (confirmed by read-back after HTTP 500 InternalError: injected fault after processing)"
        ),
        "{stderr}"
    );
    let posts = fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.contains("persistentvolumeclaims"))
        .count();
    assert_eq!(posts, 1, "never sent twice");
    let state = fake.state.lock().unwrap();
    assert!(state
        .api
        .get_opt(
            "v1",
            "PersistentVolumeClaim",
            "default",
            "data-pacific-1-full-node"
        )
        .unwrap()
        .is_some());
}

#[test]
fn apply_says_its_changes_will_be_written() {
    let fake = Fake::start(&manifest_objects(NODE), &[]);
    let dir = tempfile::tempdir().unwrap();
    let out = nodectl(
        &fake,
        dir.path(),
        &["apply", "seinode/pacific-1-full-node", "--yes"],
    );
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let line = stdout
        .lines()
        .find(|l| l.starts_with("Plan: "))
        .unwrap_or_else(|| panic!("no summary line in:\n{stdout}"));
    assert!(
        line.ends_with(" to delete. These changes will be written."),
        "{line}"
    );
    assert!(!stdout.contains("Nothing was written"), "{stdout}");
}

/// The mark-ready fixture's group, grown to `n` nodes (all incumbents of the rollout),
/// its plan at `task` (the tasks before it complete).
fn rollout_group(n: usize, task: &str) -> Vec<Value> {
    let objects =
        manifest_objects("testdata/parity/snd-inplace-mark-ready-initializing/cluster.yaml");
    let node = objects[0].clone();
    let mut group = objects[2].clone();
    let names: Vec<Value> = (0..n).map(|i| Value::String(format!("grp-{i}"))).collect();
    group["spec"]["replicas"] = n.into();
    group["status"]["replicas"] = n.into();
    group["status"]["rollout"]["incumbentNodes"] = Value::Array(names.clone());
    let tasks = group["status"]["plan"]["tasks"].as_array_mut().unwrap();
    for t in tasks.iter_mut() {
        t["params"]["nodeNames"] = Value::Array(names.clone());
        t["status"] = "Complete".into();
    }
    let last = tasks.last_mut().unwrap();
    last["type"] = task.into();
    last["status"] = "Pending".into();
    let mut world: Vec<Value> = (0..n)
        .map(|i| {
            let mut o = node.clone();
            o["metadata"]["name"] = Value::String(format!("grp-{i}"));
            o["metadata"]["labels"]["sei.io/nodedeployment-ordinal"] = Value::String(i.to_string());
            o["metadata"].as_object_mut().unwrap().remove("uid");
            o
        })
        .collect();
    world.push(group);
    world
}

#[test]
fn one_engine_run_reads_every_nodes_sidecar_once() {
    // await-nodes-caught-up asks each node's sidecar for its status in turn and stops at
    // the first that is not Ready: each read depends on the one before, and all six are
    // answered in the one run.
    let fake = Fake::start(&rollout_group(6, "await-nodes-caught-up"), &[]);
    let dir = tempfile::tempdir().unwrap();
    let out = nodectl(
        &fake,
        dir.path(),
        &["plan", "snd/grp", "-n", "default", "-o", "json"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("not fetched"), "{stderr}");
    let requests = fake.requests();
    assert!(writes(&requests).is_empty());
    let mut status_reads: Vec<&str> = requests
        .iter()
        .filter(|r| r.is_proxy())
        .map(|r| r.path.as_str())
        .collect();
    status_reads.sort();
    let expected: Vec<String> = (0..6)
        .map(|i| format!("/api/v1/namespaces/default/pods/grp-{i}-0:7777/proxy/v0/status"))
        .collect();
    assert_eq!(status_reads, expected, "each node's status, read once");
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["live"]["sidecarRequests"], 6);
    let calls = doc["reconciles"][0]["sidecarCalls"].as_array().unwrap();
    let ready = calls
        .iter()
        .filter(|c| c["op"] == "HTTP GET /v0/status" && c["returned"] == "Ready")
        .count();
    assert_eq!(ready, 6, "{calls:#?}");
}
