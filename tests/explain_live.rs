//! `nodectl explain seinode/NAME` against the in-process fake API server: only GET
//! requests, and the sidecar's view of the current task next to the plan's, with a
//! statement for each way they can agree or disagree.

mod support {
    pub mod fake_api;
}

use std::path::Path;
use std::process::Output;

use serde_json::{json, Value};
use support::fake_api::{isolated_nodectl, manifest_objects, Fake, Recorded};

const NOW: &str = "2026-01-01T03:00:00Z";
const STUCK: &str = "examples/stuck-node/snapshot-restore-waiting.yaml";
const GROUP: &str = "examples/seinodedeployment/pacific-1-rpc-group.yaml";
const TASK: &str = "cbcbe561-8804-5f3f-ad0d-cd82cfc24d73";
const NODE: &str = "seinode/pacific-1-full-node";

fn nodectl(fake: &Fake, dir: &Path, args: &[&str]) -> Output {
    let mut cmd = isolated_nodectl();
    cmd.env("NO_COLOR", "1")
        .arg("explain")
        .arg("--kubeconfig")
        .arg(fake.kubeconfig(dir))
        .args(["--now", NOW, "--retries", "1", "--retry-backoff", "10ms"])
        .args(args);
    cmd.output().unwrap()
}

/// Runs `explain` in JSON; asserts exit 0 and that only GETs were sent.
fn explain_json(fake: &Fake, args: &[&str]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let before = fake.requests().len();
    let mut all = args.to_vec();
    all.extend(["-o", "json"]);
    let out = nodectl(fake, dir.path(), &all);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    only_gets(&fake.requests()[before..]);
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

fn only_gets(sent: &[Recorded]) {
    assert!(!sent.is_empty(), "no request reached the fake cluster");
    let writes: Vec<&Recorded> = sent.iter().filter(|r| r.method != "GET").collect();
    assert!(writes.is_empty(), "explain sent {writes:?}");
}

fn stuck_cluster() -> Fake {
    Fake::start(&manifest_objects(STUCK), &[])
}

#[test]
fn explain_sends_only_gets_and_asks_the_pods_sidecar_once() {
    let fake = stuck_cluster();
    let doc = explain_json(&fake, &[NODE, "-n", "ops"]);
    assert_eq!(doc["formatVersion"], 1);
    assert_eq!(doc["currentTask"]["type"], "snapshot-restore");
    let proxied: Vec<String> = fake
        .requests()
        .iter()
        .filter(|r| r.is_proxy())
        .map(|r| r.path.clone())
        .collect();
    assert_eq!(
        proxied,
        [format!(
            "/api/v1/namespaces/ops/pods/pacific-1-full-node-0:7777/proxy/v0/tasks/{TASK}"
        )]
    );
    assert_eq!(doc["live"]["apiRequests"], 9);
    assert_eq!(doc["live"]["sidecarRequests"], 1);
    // Every flag combination stays read-only.
    let url = fake.url();
    for args in [
        vec![NODE, "-n", "ops"],
        vec!["seinode/ops/pacific-1-full-node", "-A"],
        vec![NODE, "-n", "ops", "--sidecar", "completed"],
        vec![NODE, "-n", "ops", "--sidecar-url", &url],
        vec!["--target", NODE, "-n", "ops", "--context", "fake"],
    ] {
        explain_json(&fake, &args);
    }
    assert_eq!(fake.store_writes(), 0);
}

#[test]
fn a_running_task_on_both_sides_agrees() {
    let fake = stuck_cluster();
    let view = &explain_json(&fake, &[NODE, "-n", "ops"])["sidecarView"];
    assert_eq!(view["pod"], "pacific-1-full-node-0");
    assert_eq!(view["taskId"], TASK);
    assert_eq!(view["controller"]["status"], "Pending");
    assert_eq!(view["sidecar"]["status"], "running");
    assert_eq!(view["agree"], true);
    assert_eq!(
        view["statement"],
        "both say the task is still running: the plan waits and polls it every 5s"
    );
}

#[test]
fn a_completed_task_the_plan_still_waits_on_is_a_disagreement() {
    let fake = stuck_cluster();
    fake.task_answer(
        TASK,
        Some(json!({"id": TASK, "type": "snapshot-restore", "status": "completed"})),
    );
    let doc = explain_json(&fake, &[NODE, "-n", "ops"]);
    let view = &doc["sidecarView"];
    assert_eq!(view["sidecar"]["status"], "completed");
    assert_eq!(view["agree"], false);
    assert_eq!(
        view["statement"],
        "the sidecar says completed but the plan still waits: the next reconcile will mark it Complete"
    );
    // The next reconcile in memory hears the same answer and moves on.
    assert_ne!(doc["nextReconcile"]["currentTaskAfter"], "snapshot-restore");
    let dir = tempfile::tempdir().unwrap();
    let text = nodectl(&fake, dir.path(), &[NODE, "-n", "ops"]);
    assert_eq!(text.status.code(), Some(0));
    insta::assert_snapshot!(
        "explain_live_sidecar_completed",
        String::from_utf8_lossy(&text.stdout)
    );
}

#[test]
fn a_failed_task_names_what_the_plan_does_with_it() {
    let fake = stuck_cluster();
    fake.task_answer(
        TASK,
        Some(json!({"id": TASK, "status": "failed", "error": "s3: access denied"})),
    );
    let view = &explain_json(&fake, &[NODE, "-n", "ops"])["sidecarView"];
    assert_eq!(view["sidecar"]["detail"], "s3: access denied");
    assert_eq!(view["agree"], false);
    let statement = view["statement"].as_str().unwrap();
    assert!(
        statement
            .starts_with("the sidecar says failed (s3: access denied) but the plan still waits"),
        "{statement}"
    );
}

#[test]
fn a_task_the_sidecar_does_not_know_will_be_resubmitted() {
    let fake = stuck_cluster();
    fake.task_answer(TASK, None);
    let view = &explain_json(&fake, &[NODE, "-n", "ops"])["sidecarView"];
    assert_eq!(view["sidecar"]["status"], "notfound");
    assert_eq!(view["agree"], false);
    assert_eq!(
        view["statement"],
        "the sidecar does not know the task (404): it will be resubmitted with the same id (the operator reads a 404 as still running)"
    );
}

#[test]
fn an_unreachable_sidecar_is_said_so() {
    let fake = stuck_cluster();
    fake.unreachable("pacific-1-full-node-0");
    let dir = tempfile::tempdir().unwrap();
    let out = nodectl(&fake, dir.path(), &[NODE, "-n", "ops"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("DISAGREE: the sidecar is unreachable ("),
        "{text}"
    );
    let view = &explain_json(&fake, &[NODE, "-n", "ops"])["sidecarView"];
    assert_eq!(view["sidecar"]["status"], "unreachable");
}

#[test]
fn a_deployment_gets_a_node_only_note() {
    let fake = Fake::start(&manifest_objects(GROUP), &[]);
    let doc = explain_json(&fake, &["snd/pacific-1-rpc"]);
    let view = &doc["sidecarView"];
    assert!(view["sidecar"].is_null());
    assert!(
        view["statement"]
            .as_str()
            .unwrap()
            .starts_with("the sidecar view is node-only"),
        "{view}"
    );
    assert!(fake.requests().iter().all(|r| !r.is_proxy()));
}

#[test]
fn explain_without_file_or_target_is_an_input_error() {
    let fake = stuck_cluster();
    let dir = tempfile::tempdir().unwrap();
    let out = nodectl(&fake, dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    let missing = nodectl(&fake, dir.path(), &["seinode/nope", "-n", "ops"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no SeiNode named \"nope\""));
    let both = nodectl(&fake, dir.path(), &["-f", STUCK, "-n", "ops"]);
    assert_eq!(both.status.code(), Some(2));
    only_gets(&fake.requests());
}

#[test]
fn markdown_names_the_snapshot_and_the_sidecar_view() {
    let fake = stuck_cluster();
    let dir = tempfile::tempdir().unwrap();
    let out = nodectl(&fake, dir.path(), &[NODE, "-n", "ops", "-o", "markdown"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.starts_with("_Live snapshot: context "), "{text}");
    assert!(
        text.contains("#### Sidecar view (live, `pacific-1-full-node-0`)"),
        "{text}"
    );
    assert!(text.contains(&format!("`GET /v0/tasks/{TASK}`")), "{text}");
    only_gets(&fake.requests());
}
