//! The operator's planner and executor unit tests of the SeiNode path, ported to
//! nodectl: plan shapes and params per mode (`plan_execution_test.go`), ResolvePlan
//! dispatch, the executor's completion, failure and retry handling
//! (`planner/executor_test.go`), the archive planner (`planner/archive_test.go`), the
//! common overrides (`planner/common_overrides_test.go`) and the bootstrap Job.

mod support {
    pub mod operator_node;
}

use serde_json::{json, Value};
use std::collections::HashSet;
use std::time::Duration;

use nodectl::api::{SeiNodeDeployment, TaskPlan};
use nodectl::planner::executor::{REQUEUE_IMMEDIATE, TASK_POLL_INTERVAL};
use nodectl::planner::node::NodePlanner;
use nodectl::planner::{self, PlanOwner};
use nodectl::resources;
use nodectl::sidecar::TaskState;
use nodectl::task::{deterministic_task_id, ConfigApplyParams, SnapshotRestoreParams};

use support::operator_node::*;

const INFRA: [&str; 3] = ["ensure-data-pvc", "apply-statefulset", "apply-service"];

/// The infrastructure tasks followed by `sidecar_tasks`.
fn after_infra<'a>(sidecar_tasks: &[&'a str]) -> Vec<&'a str> {
    INFRA.iter().chain(sidecar_tasks).copied().collect()
}

/// Resolves a plan for a fresh node.
fn build(node: &Value) -> TaskPlan {
    let mock = MockSidecar::default();
    let mut env = empty_env(&mock);
    must_build_plan(&mut env, &mut seinode(node))
}

fn config_apply_params(plan: &TaskPlan) -> ConfigApplyParams {
    let task = find_task(plan, "config-apply").expect("config-apply task in plan");
    serde_json::from_value(task.params.clone().expect("params")).expect("ConfigApplyParams")
}

// ------------------------------------------------------------------ plan building

#[test]
fn build_plan_snapshot() {
    let plan = build(&snapshot_node());
    let want = after_infra(&[
        "snapshot-restore",
        "configure-genesis",
        "config-apply",
        "configure-state-sync",
        "config-validate",
        "mark-ready",
    ]);
    assert_eq!(task_types(&plan), want);
}

#[test]
fn build_plan_snapshot_with_peers() {
    let mut node = snapshot_node();
    node["spec"]["peers"] =
        json!([{"ec2Tags": {"region": "eu-central-1", "tags": {"Chain": "atlantic-2"}}}]);
    let want = after_infra(&[
        "snapshot-restore",
        "configure-genesis",
        "config-apply",
        "discover-peers",
        "configure-state-sync",
        "config-validate",
        "mark-ready",
    ]);
    assert_eq!(task_types(&build(&node)), want);
}

#[test]
fn build_plan_state_sync() {
    let want = after_infra(&[
        "configure-genesis",
        "config-apply",
        "discover-peers",
        "configure-state-sync",
        "config-validate",
        "mark-ready",
    ]);
    assert_eq!(task_types(&build(&peer_sync_node())), want);
}

#[test]
fn build_plan_genesis() {
    let want = after_infra(&[
        "configure-genesis",
        "config-apply",
        "config-validate",
        "mark-ready",
    ]);
    assert_eq!(task_types(&build(&genesis_node())), want);
}

#[test]
fn build_plan_genesis_with_peers() {
    let mut node = genesis_node();
    node["spec"]["peers"] =
        json!([{"ec2Tags": {"region": "eu-central-1", "tags": {"Chain": "arctic-1"}}}]);
    let want = after_infra(&[
        "configure-genesis",
        "config-apply",
        "discover-peers",
        "config-validate",
        "mark-ready",
    ]);
    assert_eq!(task_types(&build(&node)), want);
}

#[test]
fn build_plan_replayer() {
    let want = after_infra(&[
        "snapshot-restore",
        "configure-genesis",
        "config-apply",
        "discover-peers",
        "configure-state-sync",
        "config-validate",
        "mark-ready",
    ]);
    assert_eq!(task_types(&build(&replayer_node())), want);
}

#[test]
fn build_plan_archive() {
    let want = after_infra(&[
        "configure-genesis",
        "config-apply",
        "discover-peers",
        "config-validate",
        "mark-ready",
    ]);
    assert_eq!(task_types(&build(&snapshotter_node())), want);
}

#[test]
fn build_plan_phase_and_tasks() {
    let plan = build(&snapshot_node());
    assert_eq!(plan.phase, "Active");
    assert_eq!(plan.tasks().len(), 9, "tasks: {:?}", task_types(&plan));
    for task in plan.tasks() {
        assert_eq!(task.status, "Pending", "status of {}", task.type_);
        assert!(!task.id.is_empty(), "{} has an empty id", task.type_);
        assert!(
            task.params.as_ref().is_some_and(|p| !p.is_null()),
            "{} has no params",
            task.type_
        );
    }
    assert_eq!(plan.tasks()[0].type_, "ensure-data-pvc");
}

#[test]
fn build_plan_unique_ids_across_rebuilds() {
    let mock = MockSidecar::default();
    let mut env = empty_env(&mock);
    let mut node = seinode(&snapshot_node());
    let first = must_build_plan(&mut env, &mut node);
    node.status.plan = None;
    let second = must_build_plan(&mut env, &mut node);
    assert_ne!(first.id, second.id, "plan ids repeat across rebuilds");
    for (a, b) in first.tasks().iter().zip(second.tasks()) {
        assert_ne!(a.id, b.id, "task {} keeps its id across rebuilds", a.type_);
    }
    let mut seen = HashSet::new();
    for task in first.tasks() {
        assert!(seen.insert(&task.id), "duplicate task id {}", task.id);
    }
}

#[test]
fn build_plan_params_round_trip() {
    let plan = build(&snapshot_node());
    let task = find_task(&plan, "snapshot-restore").expect("snapshot-restore task in plan");
    let params: SnapshotRestoreParams =
        serde_json::from_value(task.params.clone().expect("params")).expect("decodes");
    assert_eq!(params.target_height, 100000000);
}

#[test]
fn config_apply_params_from_plan() {
    let mut node = snapshot_node();
    node["spec"]["overrides"] = json!({"giga_executor.enabled": "true"});
    let params = config_apply_params(&build(&node));
    assert_eq!(params.mode, "full");
    let overrides = params.overrides.expect("overrides");
    assert_eq!(overrides["giga_executor.enabled"], "true");
}

// -------------------------------------------------------------------- ResolvePlan

#[test]
fn resolve_plan_full_node() {
    let mock = MockSidecar::default();
    let mut env = empty_env(&mock);
    let mut node = seinode(&snapshot_node());
    planner::resolve_plan(&mut env, &mut node).expect("resolves");
    assert!(node.status.plan.is_some());
}

#[test]
fn resolve_plan_archive() {
    let mock = MockSidecar::default();
    let mut env = empty_env(&mock);
    let mut node = seinode(&snapshotter_node());
    planner::resolve_plan(&mut env, &mut node).expect("resolves");
    assert!(node.status.plan.is_some());
}

#[test]
fn resolve_plan_validator() {
    let mock = MockSidecar::default();
    let mut env = empty_env(&mock);
    let mut node = seinode(&genesis_node());
    planner::resolve_plan(&mut env, &mut node).expect("resolves");
    assert!(node.status.plan.is_some());
}

#[test]
fn resolve_plan_replayer() {
    let mock = MockSidecar::default();
    let mut env = empty_env(&mock);
    let mut node = seinode(&replayer_node());
    planner::resolve_plan(&mut env, &mut node).expect("resolves");
    assert!(node.status.plan.is_some());
}

#[test]
fn resolve_plan_no_sub_spec() {
    let mock = MockSidecar::default();
    let mut env = empty_env(&mock);
    let mut node = seinode(&json!({"spec": {"chainId": "test", "image": "sei:latest"}}));
    let err = planner::resolve_plan(&mut env, &mut node).unwrap_err();
    assert_eq!(err, "no mode sub-spec set on SeiNode /");
    assert!(node.status.plan.is_none());
}

#[test]
fn resolve_plan_resumes_active_plan() {
    let mock = MockSidecar::default();
    let mut env = empty_env(&mock);
    let mut node = seinode(&snapshot_node());
    node.status.plan = Some(TaskPlan {
        id: "existing-plan".into(),
        phase: "Active".into(),
        ..Default::default()
    });
    planner::resolve_plan(&mut env, &mut node).expect("resolves");
    assert_eq!(plan_of(&node).id, "existing-plan");
}

// ----------------------------------------------------------------------- executor

#[test]
fn reconcile_submits_first_pending_task() {
    let mock = MockSidecar::default();
    let mut env = empty_env(&mock);
    let mut node = seinode(&snapshot_node());
    must_build_plan(&mut env, &mut node);
    execute(&mut env, &mut node).expect("executes");
    let first = &plan_of(&node).tasks()[0];
    assert_eq!(first.type_, "ensure-data-pvc");
    assert_eq!(first.status, "Complete");
}

#[test]
fn reconcile_all_tasks_complete_marks_plan_complete() {
    let mock = MockSidecar::default();
    let mut env = empty_env(&mock);
    let mut node = seinode(&genesis_node());
    must_build_plan(&mut env, &mut node);
    complete_all_tasks(&mut node);
    let result = execute(&mut env, &mut node).expect("executes");
    assert!(!result.after.is_zero(), "completing a plan requeues");
    assert_eq!(result, REQUEUE_IMMEDIATE);
    assert_eq!(plan_of(&node).phase, "Complete");
}

#[test]
fn reconcile_submit_error_requeues_gracefully() {
    let mock = MockSidecar::default();
    mock.state().submit_error = Some("connection refused".into());
    let mut env = empty_env(&mock);
    let mut node = seinode(&snapshot_node());
    must_build_plan(&mut env, &mut node);
    complete_infra_tasks(&mut node);
    let result = execute(&mut env, &mut node).expect("executes");
    assert_eq!(result.after, TASK_POLL_INTERVAL);
    let task = find_task(plan_of(&node), "snapshot-restore").expect("snapshot-restore in plan");
    assert_eq!(task.status, "Pending");
}

#[test]
fn execute_plan_all_complete_transitions_to_target_phase() {
    let mock = MockSidecar::default();
    let mut env = empty_env(&mock);
    let mut node = seinode(&genesis_node());
    node.status.phase = "Initializing".into();
    must_build_plan(&mut env, &mut node);
    complete_all_tasks(&mut node);
    execute(&mut env, &mut node).expect("executes");
    assert_eq!(node.status.phase, "Running");
    assert_eq!(plan_of(&node).phase, "Complete");
}

#[test]
fn execute_plan_convergence_plan_nils_on_completion() {
    let mock = MockSidecar::default();
    let mut env = empty_env(&mock);
    let mut node = seinode(&snapshot_node());
    node.status.phase = "Running".into();
    must_build_plan(&mut env, &mut node);
    complete_all_tasks(&mut node);
    execute(&mut env, &mut node).expect("executes");
    assert!(node.status.plan.is_none(), "convergence plan is cleared");
    assert_eq!(node.status.phase, "Running");
}

#[test]
fn execute_plan_task_failure_sets_plan_failed_condition() {
    let mock = MockSidecar::default();
    let mut env = empty_env(&mock);
    let mut node = seinode(&snapshot_node());
    must_build_plan(&mut env, &mut node);
    complete_infra_tasks(&mut node);
    execute(&mut env, &mut node).expect("submits snapshot-restore");

    let current = current_task(plan_of(&node)).expect("a current task");
    assert_eq!(current.type_, "snapshot-restore");
    uuid::Uuid::parse_str(&current.id).expect("task id is a UUID");
    mock.finish(&current.id.clone(), Some("boom"));
    execute(&mut env, &mut node).expect("polls snapshot-restore");

    assert_eq!(plan_of(&node).phase, "Failed");
    let condition = node
        .status
        .conditions
        .iter()
        .find(|c| c.type_ == "PlanFailed")
        .expect("PlanFailed condition");
    assert_eq!(condition.status, "True");
    assert_eq!(condition.reason, "TaskFailed");
    assert!(condition.message.contains("boom"), "{}", condition.message);
    let plan = plan_of(&node);
    assert_eq!(
        condition.message,
        format!("plan {} failed at task snapshot-restore: boom", plan.id)
    );
    assert_eq!(condition.observed_generation, 1);
    assert_eq!(node.status.phase, "Failed");
}

/// A node without a mode carrying a one-task configure-genesis plan (`testNode`).
fn retry_node(plan_id: &str, max_retries: i64, retry_count: i64) -> nodectl::api::SeiNode {
    let task_id = deterministic_task_id(plan_id, "configure-genesis", 0);
    seinode(&json!({
        "metadata": {"name": "retry-node", "namespace": NS, "generation": 1},
        "spec": {
            "chainId": "test-chain",
            "image": "sei:latest",
            "sidecar": {"image": "sidecar:latest", "port": 7777},
        },
        "status": {"plan": {
            "id": plan_id,
            "phase": "Active",
            "tasks": [{
                "type": "configure-genesis",
                "id": task_id,
                "status": "Pending",
                "params": {},
                "maxRetries": max_retries,
                "retryCount": retry_count,
            }],
        }},
    }))
}

#[test]
fn execute_plan_retry_on_failure() {
    let plan_id = "test-plan-retry";
    let task_id = deterministic_task_id(plan_id, "configure-genesis", 0);
    let mock = MockSidecar::default();
    mock.state().post_submit_results.insert(
        task_id.clone(),
        TaskState::Failed("genesis.json not found in S3".into()),
    );
    let mut env = empty_env(&mock);
    let mut node = retry_node(plan_id, 5, 0);

    let result = execute(&mut env, &mut node).expect("executes");

    assert_eq!(mock.submitted_count(), 1);
    let plan = plan_of(&node);
    let task = &plan.tasks()[0];
    assert_eq!(task.status, "Pending", "reset for retry");
    assert_eq!(task.retry_count, 1);
    assert_eq!(task.id, task_id, "the retry keeps the task id");
    assert_ne!(plan.phase, "Failed", "retries remain");
    assert!(!result.after.is_zero(), "retry backoff requeues");
    assert_eq!(result.after, Duration::from_secs(10));
}

#[test]
fn execute_group_plan_completes_successfully() {
    let plan_id = "test-group-plan";
    let task_id = deterministic_task_id(plan_id, "assemble-and-upload-genesis", 0);
    let mock = MockSidecar::default();
    mock.state()
        .post_submit_results
        .insert(task_id.clone(), TaskState::Completed);
    let mut env = empty_env(&mock);
    let mut group = SeiNodeDeployment::from_value(&json!({
        "metadata": {"name": "test-group", "namespace": NS, "generation": 1},
        "spec": {"replicas": 3},
        "status": {"plan": {
            "id": plan_id,
            "phase": "Active",
            "tasks": [{
                "type": "assemble-and-upload-genesis",
                "id": task_id,
                "status": "Pending",
                "params": {
                    "accountBalance": "",
                    "namespace": "",
                    "nodes": [{"name": "node-0"}, {"name": "node-1"}, {"name": "node-2"}],
                },
            }],
        }},
    }))
    .expect("valid SeiNodeDeployment");

    let sidecar = Ok("http://node-0-0.node-0.default.svc.cluster.local:7777".to_string());
    let result = planner::execute_plan(&mut env, &mut PlanOwner::Deployment(&mut group), &sidecar)
        .expect("executes");

    assert_eq!(mock.submitted_count(), 1);
    let plan = group.status.plan.as_ref().expect("group keeps its plan");
    assert_eq!(plan.tasks()[0].status, "Complete");
    assert!(!result.after.is_zero(), "task completion requeues");
    assert_eq!(result, REQUEUE_IMMEDIATE);
}

// ----------------------------------------------------------------- archive planner

fn archive_node(archive: Value, peers: Value) -> nodectl::api::SeiNode {
    seinode(&json!({
        "metadata": {"name": "archive-0", "namespace": "pacific-1"},
        "spec": {"chainId": "pacific-1", "image": "seid:v6.4.1", "archive": archive, "peers": peers},
    }))
}

fn archive_plan(node: &nodectl::api::SeiNode) -> TaskPlan {
    let mock = MockSidecar::default();
    let mut env = empty_env(&mock);
    NodePlanner::Archive.build_plan(&mut env, node)
}

#[test]
fn archive_planner_block_sync_progression() {
    let plan = archive_plan(&archive_node(json!({}), json!([])));
    let types = task_types(&plan);
    assert!(!types.contains(&"snapshot-restore"), "{types:?}");
    assert!(!types.contains(&"configure-state-sync"), "{types:?}");
    for expected in [
        "configure-genesis",
        "config-apply",
        "config-validate",
        "mark-ready",
    ] {
        assert!(types.contains(&expected), "missing {expected}: {types:?}");
    }
}

#[test]
fn archive_planner_with_peers() {
    let peers = json!([{"static": {"addresses": ["peer1@host:26656"]}}]);
    let plan = archive_plan(&archive_node(json!({}), peers));
    let types = task_types(&plan);
    assert!(types.contains(&"discover-peers"), "{types:?}");
}

#[test]
fn archive_planner_snapshot_generation_overrides() {
    let node = archive_node(json!({"snapshotGeneration": {"keepRecent": 5}}), json!([]));
    let overrides = config_apply_params(&archive_plan(&node))
        .overrides
        .expect("snapshotGeneration sets overrides");
    assert_eq!(overrides["storage.snapshot_keep_recent"], "5");
    assert!(overrides.contains_key("storage.snapshot_interval"));
}

#[test]
fn archive_planner_no_snapshot_generation_overrides() {
    let params = config_apply_params(&archive_plan(&archive_node(json!({}), json!([]))));
    assert_eq!(params.overrides, None);
}

#[test]
fn archive_planner_mode() {
    assert_eq!(NodePlanner::Archive.mode(), "archive");
}

// ---------------------------------------------------------------- common overrides

/// The config-apply overrides planned for a full node with `overrides` and `status`.
fn full_node_overrides(
    overrides: Value,
    status: Value,
) -> Option<std::collections::BTreeMap<String, String>> {
    let node = json!({
        "metadata": {"name": "test-node"},
        "spec": {"chainId": "test-1", "image": "seid:v1", "fullNode": {}, "overrides": overrides},
        "status": status,
    });
    config_apply_params(&build(&node)).overrides
}

#[test]
fn common_overrides_with_external_address() {
    let overrides = full_node_overrides(
        json!({}),
        json!({"externalAddress": "p2p.atlantic-2.seinetwork.io:26656"}),
    )
    .expect("overrides");
    assert_eq!(
        overrides["network.p2p.external_address"],
        "p2p.atlantic-2.seinetwork.io:26656"
    );
}

#[test]
fn common_overrides_empty_external_address() {
    assert_eq!(full_node_overrides(json!({}), json!({})), None);
}

#[test]
fn common_overrides_user_override_takes_precedence() {
    let overrides = full_node_overrides(
        json!({"network.p2p.external_address": "custom.address:26656"}),
        json!({"externalAddress": "lb.address:26656"}),
    )
    .expect("overrides");
    assert_eq!(
        overrides["network.p2p.external_address"],
        "custom.address:26656"
    );
}

// --------------------------------------------------------------- bootstrap helpers

#[test]
fn needs_bootstrap() {
    let cases = [
        (
            "replayer with bootstrap image",
            bootstrap_replayer_node(),
            true,
        ),
        ("replayer without bootstrap image", replayer_node(), false),
        ("full node without bootstrap image", snapshot_node(), false),
        ("genesis node", genesis_node(), false),
    ];
    for (name, node, want) in cases {
        let got = planner::node::needs_bootstrap(&seinode(&node));
        assert_eq!(got, want, "{name}");
    }
}

fn replayer_with_bootstrap_image(image: &str) -> Value {
    let mut node = replayer_node();
    node["spec"]["replayer"]["snapshot"]["bootstrapImage"] = json!(image);
    node
}

#[test]
fn task_generate_bootstrap_job() {
    let node = seinode(&replayer_with_bootstrap_image("sei:bootstrap-v1"));
    let job = resources::bootstrap_job(&node, &platform_test_config()).expect("job");
    assert_eq!(job["metadata"]["name"], "test-replayer-bootstrap");
    let spec = &job["spec"]["template"]["spec"];
    assert_eq!(spec["restartPolicy"], "Never");
    assert_eq!(spec["containers"][0]["image"], "sei:bootstrap-v1");
}

#[test]
fn task_generate_bootstrap_job_nil_snapshot() {
    // The Go test passes no snapshot source; nodectl reads it from the spec, so the
    // closest case is a replayer whose snapshot names no S3 source.
    let mut node = replayer_node();
    node["spec"]["replayer"]["snapshot"] = json!({});
    let err = resources::bootstrap_job(&seinode(&node), &platform_test_config()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "bootstrap job requires an S3 snapshot source (node default/test-replayer)"
    );
}

#[test]
fn task_generate_bootstrap_job_sidecar_resources() {
    let mut node = replayer_with_bootstrap_image("sei:bootstrap-v1");
    node["spec"]["sidecar"] =
        json!({"resources": {"requests": {"cpu": "500m", "memory": "512Mi"}}});
    let job = resources::bootstrap_job(&seinode(&node), &platform_test_config()).expect("job");
    let sidecar = &job["spec"]["template"]["spec"]["initContainers"][1];
    assert_eq!(sidecar["resources"]["requests"]["cpu"], "500m");
}

#[test]
fn sidecar_url_for_node() {
    assert_eq!(
        resources::node_sidecar_url(&seinode(&replayer_node())),
        "http://test-replayer-0.test-replayer.default.svc.cluster.local:7777"
    );
}
