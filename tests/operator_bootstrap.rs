//! The behaviour checked by the operator's `internal/task/bootstrap_task_test.go`:
//! the bootstrap tasks (deploy Service, deploy Job, await completion, teardown) run
//! against nodectl's in-memory API server. Each test is named after the Go test it
//! mirrors; tasks are rebuilt from their stored type and params as the executor does.

use nodectl::api::{FullNodeSpec, S3SnapshotSource, SeiNode, SnapshotSource};
use nodectl::env::{Clock, Dns, Env, Ids};
use nodectl::platform::Platform;
use nodectl::resources;
use nodectl::sidecar::model::{PodSidecarScript, ScriptedSidecars, SidecarScript};
use nodectl::task::{self, task_type, ExecutionConfig, ExecutionStatus, OwnerRef, TaskExecution};
use nodectl::world::ApiServer;
use serde_json::{json, Value};

const NOW: &str = "2026-01-01T00:00:00Z";

fn test_node() -> SeiNode {
    let mut node = SeiNode::default();
    node.metadata.name = "node-1".into();
    node.metadata.namespace = "default".into();
    node.metadata.uid = "uid-1".into();
    node.spec.chain_id = "atlantic-2".into();
    node.spec.image = "sei:latest".into();
    node.spec.full_node = Some(FullNodeSpec {
        snapshot: Some(SnapshotSource {
            s3: Some(S3SnapshotSource { target_height: 100 }),
            trust_period: "168h".into(),
            ..Default::default()
        }),
        ..Default::default()
    });
    node
}

/// An environment with the default platform whose API server holds `objects`.
fn test_env(objects: impl IntoIterator<Item = Value>) -> Env {
    let mut api = ApiServer::new(NOW);
    for object in objects {
        api.load(object).expect("object loads");
    }
    Env {
        api,
        sidecars: Box::new(ScriptedSidecars::new(
            SidecarScript::default(),
            PodSidecarScript::default(),
        )),
        dns: Dns::default(),
        events: Vec::new(),
        ids: Ids::seeded("0"),
        clock: Clock::parse(NOW).expect("valid time"),
        platform: Platform::default(),
        jobs_complete: false,
    }
}

/// A bootstrap task rebuilt from its type and JSON params.
fn task(kind: &str, id: &str, params: Value) -> Box<dyn TaskExecution> {
    task::registry::deserialize(kind, id, Some(&params))
        .unwrap_or_else(|e| panic!("deserialize {kind}: {e}"))
}

/// Runs `f` with the execution config of `node`.
fn with_cfg<R>(node: &SeiNode, f: impl FnOnce(&ExecutionConfig) -> R) -> R {
    let sidecar = Ok(resources::node_sidecar_url(node));
    f(&ExecutionConfig {
        owner: OwnerRef::Node(node),
        sidecar: &sidecar,
    })
}

fn typed(mut object: Value, api_version: &str, kind: &str) -> Value {
    object["apiVersion"] = json!(api_version);
    object["kind"] = json!(kind);
    object
}

fn job(name: &str, namespace: &str, status: Value) -> Value {
    json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": namespace},
        "status": status,
    })
}

fn service(name: &str, namespace: &str) -> Value {
    json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": namespace},
    })
}

fn exists(env: &Env, api_version: &str, kind: &str, namespace: &str, name: &str) -> bool {
    env.api
        .get_opt(api_version, kind, namespace, name)
        .expect("get succeeds")
        .is_some()
}

fn service_params(node: &SeiNode) -> Value {
    json!({"serviceName": node.name(), "namespace": node.namespace()})
}

fn job_params(node: &SeiNode) -> Value {
    json!({"jobName": resources::bootstrap_job_name(node), "namespace": node.namespace()})
}

// --- deploy-bootstrap-service ---

#[test]
fn deploy_bootstrap_service_execute_creates_service() {
    let node = test_node();
    let mut env = test_env([]);
    let mut exec = task(
        task_type::DEPLOY_BOOTSTRAP_SERVICE,
        "id-1",
        service_params(&node),
    );
    with_cfg(&node, |cfg| {
        exec.execute(&mut env, cfg).expect("execute");
        assert_eq!(exec.status(&mut env, cfg), ExecutionStatus::Complete);
    });
    assert!(exists(&env, "v1", "Service", "default", "node-1"));
}

#[test]
fn deploy_bootstrap_service_execute_idempotent() {
    let node = test_node();
    let existing = typed(
        resources::bootstrap_service(&node, &Platform::default()),
        "v1",
        "Service",
    );
    let mut env = test_env([existing]);
    let mut exec = task(
        task_type::DEPLOY_BOOTSTRAP_SERVICE,
        "id-1",
        service_params(&node),
    );
    with_cfg(&node, |cfg| {
        exec.execute(&mut env, cfg)
            .expect("execute on an existing service");
        assert_eq!(exec.status(&mut env, cfg), ExecutionStatus::Complete);
    });
}

#[test]
fn deploy_bootstrap_service_status_detects_existing() {
    let node = test_node();
    let existing = typed(
        resources::bootstrap_service(&node, &Platform::default()),
        "v1",
        "Service",
    );
    let mut env = test_env([existing]);
    let mut exec = task(
        task_type::DEPLOY_BOOTSTRAP_SERVICE,
        "id-1",
        service_params(&node),
    );
    let status = with_cfg(&node, |cfg| exec.status(&mut env, cfg));
    assert_eq!(status, ExecutionStatus::Complete);
}

// --- deploy-bootstrap-job ---

#[test]
fn deploy_bootstrap_job_execute_creates_job() {
    let node = test_node();
    let mut env = test_env([]);
    let mut exec = task(task_type::DEPLOY_BOOTSTRAP_JOB, "id-2", job_params(&node));
    with_cfg(&node, |cfg| {
        exec.execute(&mut env, cfg).expect("execute");
        assert_eq!(exec.status(&mut env, cfg), ExecutionStatus::Complete);
    });
    assert!(exists(
        &env,
        "batch/v1",
        "Job",
        "default",
        &resources::bootstrap_job_name(&node)
    ));
}

#[test]
fn deploy_bootstrap_job_execute_nil_snapshot() {
    let mut node = test_node();
    if let Some(full) = node.spec.full_node.as_mut() {
        full.snapshot = None;
    }
    let mut env = test_env([]);
    let mut exec = task(task_type::DEPLOY_BOOTSTRAP_JOB, "id-2", job_params(&node));
    let err = with_cfg(&node, |cfg| exec.execute(&mut env, cfg))
        .expect_err("a node without a snapshot has no bootstrap job");
    assert_eq!(
        err.message(),
        "generating bootstrap job spec: bootstrap job requires an S3 snapshot source (node default/node-1)"
    );
    assert!(!exists(
        &env,
        "batch/v1",
        "Job",
        "default",
        "node-1-bootstrap"
    ));
}

// --- await-bootstrap-complete ---

#[test]
fn await_bootstrap_complete_job_running() {
    let node = test_node();
    let name = resources::bootstrap_job_name(&node);
    let mut env = test_env([job(&name, "default", json!({"active": 1}))]);
    let mut exec = task(
        task_type::AWAIT_BOOTSTRAP_COMPLETE,
        "id-3",
        job_params(&node),
    );
    with_cfg(&node, |cfg| {
        exec.execute(&mut env, cfg).expect("execute is a no-op");
        assert_eq!(exec.status(&mut env, cfg), ExecutionStatus::Running);
    });
}

#[test]
fn await_bootstrap_complete_job_complete() {
    let node = test_node();
    let name = resources::bootstrap_job_name(&node);
    let conditions = json!({"conditions": [{"type": "Complete", "status": "True"}]});
    let mut env = test_env([job(&name, "default", conditions)]);
    let mut exec = task(
        task_type::AWAIT_BOOTSTRAP_COMPLETE,
        "id-3",
        job_params(&node),
    );
    let status = with_cfg(&node, |cfg| exec.status(&mut env, cfg));
    assert_eq!(status, ExecutionStatus::Complete);
}

#[test]
fn await_bootstrap_complete_job_failed() {
    let node = test_node();
    let name = resources::bootstrap_job_name(&node);
    let conditions = json!({"conditions": [
        {"type": "Failed", "status": "True", "message": "OOM killed"},
    ]});
    let mut env = test_env([job(&name, "default", conditions)]);
    let mut exec = task(
        task_type::AWAIT_BOOTSTRAP_COMPLETE,
        "id-3",
        job_params(&node),
    );
    let status = with_cfg(&node, |cfg| exec.status(&mut env, cfg));
    assert_eq!(status, ExecutionStatus::Failed);
    assert_eq!(
        exec.error().as_deref(),
        Some("bootstrap job failed: OOM killed")
    );
}

#[test]
fn await_bootstrap_complete_job_not_found() {
    let node = test_node();
    let mut env = test_env([]);
    let mut exec = task(
        task_type::AWAIT_BOOTSTRAP_COMPLETE,
        "id-3",
        json!({"jobName": "nonexistent-job", "namespace": "default"}),
    );
    let status = with_cfg(&node, |cfg| exec.status(&mut env, cfg));
    assert_eq!(status, ExecutionStatus::Failed);
    assert_eq!(
        exec.error().as_deref(),
        Some("bootstrap job nonexistent-job not found")
    );
}

// --- teardown-bootstrap ---

#[test]
fn teardown_bootstrap_execute_deletes_resources() {
    let node = test_node();
    let job_name = resources::bootstrap_job_name(&node);
    let mut env = test_env([
        job(&job_name, "default", json!({})),
        service("node-1", "default"),
    ]);
    let mut exec = task(
        task_type::TEARDOWN_BOOTSTRAP,
        "id-4",
        json!({"jobName": job_name, "serviceName": "node-1", "namespace": "default"}),
    );
    with_cfg(&node, |cfg| exec.execute(&mut env, cfg)).expect("execute");
    assert!(!exists(&env, "batch/v1", "Job", "default", &job_name));
    assert!(!exists(&env, "v1", "Service", "default", "node-1"));
}

#[test]
fn teardown_bootstrap_execute_idempotent() {
    let node = test_node();
    let mut env = test_env([]);
    let mut exec = task(
        task_type::TEARDOWN_BOOTSTRAP,
        "id-4",
        json!({"jobName": "nonexistent", "serviceName": "nonexistent", "namespace": "default"}),
    );
    with_cfg(&node, |cfg| exec.execute(&mut env, cfg)).expect("deleting absent resources succeeds");
}

#[test]
fn teardown_bootstrap_status_complete_when_gone() {
    let node = test_node();
    let mut env = test_env([]);
    let mut exec = task(
        task_type::TEARDOWN_BOOTSTRAP,
        "id-4",
        json!({"jobName": "gone-job", "serviceName": "gone-svc", "namespace": "default"}),
    );
    let status = with_cfg(&node, |cfg| exec.status(&mut env, cfg));
    assert_eq!(status, ExecutionStatus::Complete);
}

#[test]
fn teardown_bootstrap_status_running_while_present() {
    let node = test_node();
    let job_name = resources::bootstrap_job_name(&node);
    let mut env = test_env([job(&job_name, "default", json!({}))]);
    let mut exec = task(
        task_type::TEARDOWN_BOOTSTRAP,
        "id-4",
        json!({"jobName": job_name, "serviceName": "node-1", "namespace": "default"}),
    );
    let status = with_cfg(&node, |cfg| exec.status(&mut env, cfg));
    assert_eq!(status, ExecutionStatus::Running);
}
