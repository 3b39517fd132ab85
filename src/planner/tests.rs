//! Unit tests of the executor (retries, backoff, failTask, convergence clearing)
//! and of the node planners (Validate errors, plan shapes, params).

use std::time::Duration;

use serde_json::{json, Value};

use super::executor::{execute_plan, retry_backoff, PlanOwner, REQUEUE_IMMEDIATE};
use super::node::{resolve_plan, NodePlanner};
use crate::api::{SeiNode, SeiNodeDeployment, TaskPlan};
use crate::env::{Clock, Dns, Env, Ids, Requeue};
use crate::platform::Platform;
use crate::sidecar::model::{PodSidecarScript, ScriptedSidecars, SidecarScript};
use crate::world::ApiServer;

const NOW: &str = "2026-01-01T00:00:00Z";
const SIDECAR: &str = "http://n-0.n.default.svc.cluster.local:7777";

fn env_with(script: SidecarScript) -> Env {
    Env {
        api: ApiServer::new(NOW),
        sidecars: Box::new(ScriptedSidecars::new(script, PodSidecarScript::default())),
        dns: Dns::default(),
        events: Vec::new(),
        ids: Ids::seeded("0"),
        clock: Clock::parse(NOW).expect("valid time"),
        platform: Platform::default(),
        jobs_complete: false,
    }
}

fn failing(error: &str) -> SidecarScript {
    SidecarScript {
        default: "failed".into(),
        error: error.into(),
        ..Default::default()
    }
}

fn node(spec: Value, status: Value) -> SeiNode {
    SeiNode::from_value(&json!({
        "metadata": {"name": "n", "namespace": "default", "generation": 3, "uid": "u"},
        "spec": spec,
        "status": status,
    }))
    .expect("valid SeiNode")
}

fn plan(tasks: Value, failed_phase: &str) -> Value {
    json!({"id": "p1", "phase": "Active", "tasks": tasks, "targetPhase": "Running", "failedPhase": failed_phase})
}

fn run(env: &mut Env, node: &mut SeiNode) -> Requeue {
    execute_plan(env, &mut PlanOwner::Node(node), &Ok(SIDECAR.to_string())).expect("plan present")
}

fn the_plan(node: &SeiNode) -> &TaskPlan {
    node.status.plan.as_ref().expect("plan kept")
}

const GENESIS_ID: &str = "52870ba7-7f29-5143-8fa9-c17316f83728";

#[test]
fn backoff_doubles_from_ten_seconds_and_caps_at_thirty() {
    let secs: Vec<u64> = (0..8)
        .map(|n| retry_backoff(n).unwrap().as_secs())
        .collect();
    assert_eq!(secs, [5, 10, 20, 30, 30, 30, 30, 30]);
}

#[test]
fn failed_task_with_retries_left_goes_back_to_pending() {
    let mut env = env_with(failing("boom"));
    let task = json!([{"type": "configure-genesis", "id": GENESIS_ID, "status": "Pending", "maxRetries": 5}]);
    let mut n = node(
        json!({"validator": {}}),
        json!({"phase": "Initializing", "plan": plan(task, "Failed")}),
    );
    assert_eq!(
        run(&mut env, &mut n),
        Requeue::after(Duration::from_secs(10))
    );
    let p = the_plan(&n);
    assert_eq!(p.phase, "Active");
    let t = &p.tasks()[0];
    assert_eq!(
        (t.status.as_str(), t.retry_count, t.id.as_str()),
        ("Pending", 1, GENESIS_ID)
    );
    assert!(t.submitted_at.is_none() && t.error.is_empty());
    assert_eq!(n.status.phase, "Initializing");
}

#[test]
fn exhausted_retries_fail_the_plan_and_the_node() {
    let mut env = env_with(failing("boom"));
    let task = json!([{"type": "configure-genesis", "id": GENESIS_ID, "status": "Pending",
                       "maxRetries": 2, "retryCount": 2}]);
    let mut n = node(
        json!({"validator": {}}),
        json!({"phase": "Initializing", "plan": plan(task, "Failed")}),
    );
    assert_eq!(run(&mut env, &mut n), Requeue::NONE);
    assert_eq!(n.status.phase, "Failed");
    let p = the_plan(&n);
    assert_eq!(p.phase, "Failed");
    assert_eq!(p.failed_task_index, Some(0));
    let detail = p.failed_task_detail.as_ref().expect("detail");
    assert_eq!(
        (
            detail.type_.as_str(),
            detail.retry_count,
            detail.max_retries
        ),
        ("configure-genesis", 2, 2)
    );
    assert_eq!(detail.error, "boom");
    let t = &p.tasks()[0];
    assert_eq!((t.status.as_str(), t.error.as_str()), ("Failed", "boom"));
    assert_eq!(t.submitted_at.as_deref(), Some(NOW));
    let c = &n.status.conditions[0];
    assert_eq!(
        (c.type_.as_str(), c.status.as_str(), c.reason.as_str()),
        ("PlanFailed", "True", "TaskFailed")
    );
    assert_eq!(c.message, "plan p1 failed at task configure-genesis: boom");
    assert_eq!(
        (c.observed_generation, c.last_transition_time.as_deref()),
        (3, Some(NOW))
    );
}

#[test]
fn unknown_task_type_is_terminal() {
    let mut env = env_with(SidecarScript::default());
    let task = json!([{"type": "frobnicate", "id": GENESIS_ID, "status": "Pending"}]);
    let mut n = node(
        json!({"fullNode": {}}),
        json!({"phase": "Initializing", "plan": plan(task, "Failed")}),
    );
    assert_eq!(run(&mut env, &mut n), Requeue::NONE);
    assert_eq!(
        the_plan(&n).tasks()[0].error,
        "unknown task type \"frobnicate\""
    );
    assert_eq!(n.status.phase, "Failed");
}

#[test]
fn submit_errors_are_transient() {
    let mut env = env_with(SidecarScript {
        submit_error: "refused".into(),
        ..Default::default()
    });
    let task = json!([{"type": "configure-genesis", "id": GENESIS_ID, "status": "Pending"}]);
    let mut n = node(
        json!({"fullNode": {}}),
        json!({"phase": "Initializing", "plan": plan(task, "Failed")}),
    );
    assert_eq!(
        run(&mut env, &mut n),
        Requeue::after(Duration::from_secs(5))
    );
    let t = &the_plan(&n).tasks()[0];
    assert_eq!(t.status, "Pending");
    assert!(t.submitted_at.is_none());
}

#[test]
fn fire_and_forget_tasks_complete_without_polling() {
    let mut env = env_with(SidecarScript::uniform("running"));
    let tasks = json!([
        {"type": "config-validate", "id": "94e92327-512d-55be-80ef-0550a82394d3", "status": "Pending"},
        {"type": "mark-ready", "id": GENESIS_ID, "status": "Pending"},
    ]);
    let mut n = node(
        json!({"fullNode": {}}),
        json!({"phase": "Initializing", "plan": plan(tasks, "Failed")}),
    );
    assert_eq!(run(&mut env, &mut n), REQUEUE_IMMEDIATE);
    let ops: Vec<String> = env
        .sidecars
        .take_calls()
        .into_iter()
        .map(|c| c.op)
        .collect();
    assert_eq!(ops, ["SubmitTask", "SubmitTask"]);
    // An init plan reaching its target phase stays visible as Complete.
    assert_eq!(
        (n.status.phase.as_str(), the_plan(&n).phase.as_str()),
        ("Running", "Complete")
    );
}

#[test]
fn completed_convergence_plan_is_cleared() {
    let mut env = env_with(SidecarScript::default());
    let tasks = json!([{"type": "mark-ready", "id": GENESIS_ID, "status": "Pending"}]);
    let mut n = node(
        json!({"fullNode": {}}),
        json!({"phase": "Running", "plan": plan(tasks, "")}),
    );
    assert_eq!(run(&mut env, &mut n), REQUEUE_IMMEDIATE);
    assert!(n.status.plan.is_none());
    assert_eq!(n.status.phase, "Running");
}

#[test]
fn finished_plans_are_left_alone() {
    let mut env = env_with(SidecarScript::default());
    let mut p = plan(
        json!([{"type": "mark-ready", "id": GENESIS_ID, "status": "Pending"}]),
        "Failed",
    );
    p["phase"] = json!("Failed");
    let mut n = node(
        json!({"fullNode": {}}),
        json!({"phase": "Initializing", "plan": p}),
    );
    assert_eq!(run(&mut env, &mut n), Requeue::NONE);
    assert!(env.sidecars.take_calls().is_empty());
    let mut empty = node(json!({"fullNode": {}}), json!({}));
    let err = execute_plan(
        &mut env,
        &mut PlanOwner::Node(&mut empty),
        &Ok(SIDECAR.into()),
    )
    .unwrap_err();
    assert_eq!(err, "ExecutePlan called with nil plan for default/n");
}

#[test]
fn deployment_plans_keep_their_plan_and_have_no_phase() {
    let mut env = env_with(SidecarScript::default());
    let mut group = SeiNodeDeployment::from_value(&json!({
        "metadata": {"name": "g", "namespace": "default"},
        "spec": {"replicas": 1},
        "status": {"plan": plan(json!([{"type": "set-genesis-peers", "id": GENESIS_ID, "status": "Pending"}]), "")},
    }))
    .expect("valid deployment");
    let result = execute_plan(
        &mut env,
        &mut PlanOwner::Deployment(&mut group),
        &Ok(SIDECAR.into()),
    );
    assert_eq!(result, Ok(REQUEUE_IMMEDIATE));
    assert_eq!(
        group.status.plan.as_ref().map(|p| p.phase.as_str()),
        Some("Complete")
    );
}

#[test]
fn validate_errors_match_go() {
    let cases = [
        (
            json!({"fullNode": {"snapshot": {"bootstrapImage": "b"}}}),
            "fullNode: bootstrapImage requires s3 with targetHeight > 0",
        ),
        (
            json!({"replayer": {"snapshot": {}}}),
            "replayer requires an S3 snapshot source",
        ),
        (
            json!({"replayer": {"snapshot": {"s3": {"targetHeight": 0}}}}),
            "replayer: s3.targetHeight must be > 0",
        ),
        (
            json!({"replayer": {"snapshot": {"s3": {"targetHeight": 5}}}}),
            "replayer requires at least one peer source for block sync",
        ),
        (
            json!({"validator": {"genesisCeremony": {"stakingAmount": "1"}}}),
            "validator: genesisCeremony.chainId is required",
        ),
        (
            json!({"validator": {"genesisCeremony": {"chainId": "c"}}}),
            "validator: genesisCeremony.stakingAmount is required",
        ),
        (
            json!({"validator": {"snapshot": {"s3": {"targetHeight": 0}, "bootstrapImage": "b"}}}),
            "validator: bootstrapImage requires s3 with targetHeight > 0",
        ),
    ];
    for (spec, expected) in cases {
        let n = node(spec, json!({}));
        let planner = NodePlanner::for_node(&n).expect("mode set");
        assert_eq!(planner.validate(&n), Err(expected.to_string()));
    }
    let err = NodePlanner::for_node(&node(json!({}), json!({}))).unwrap_err();
    assert_eq!(err, "no mode sub-spec set on SeiNode default/n");
}

/// Resolves a plan for `spec` and returns its task types.
fn plan_types(spec: Value, status: Value) -> (SeiNode, Vec<String>) {
    let mut env = env_with(SidecarScript::default());
    let mut n = node(spec, status);
    resolve_plan(&mut env, &mut n).expect("valid spec");
    let types = the_plan(&n)
        .tasks()
        .iter()
        .map(|t| t.type_.clone())
        .collect();
    (n, types)
}

const INFRA: [&str; 3] = ["ensure-data-pvc", "apply-statefulset", "apply-service"];

fn with_infra(rest: &[&str]) -> Vec<String> {
    INFRA.iter().chain(rest).map(|s| s.to_string()).collect()
}

#[test]
fn plan_shapes_per_mode() {
    let ec2 = json!([{"ec2Tags": {"region": "r", "tags": {"k": "v"}}}]);
    let (n, types) = plan_types(
        json!({"fullNode": {"snapshot": {"s3": {"targetHeight": 9}}}, "peers": ec2}),
        json!({}),
    );
    let expected = [
        "snapshot-restore",
        "configure-genesis",
        "config-apply",
        "discover-peers",
        "configure-state-sync",
        "config-validate",
        "mark-ready",
    ];
    assert_eq!(types, with_infra(&expected));
    assert_eq!(n.status.phase, "Initializing");
    let p = the_plan(&n);
    assert_eq!(
        (p.target_phase.as_str(), p.failed_phase.as_str()),
        ("Running", "Failed")
    );
    assert_eq!(p.tasks()[3].params, Some(json!({"targetHeight": 9})));
    assert_eq!(p.tasks()[7].params, Some(json!({"useLocalSnapshot": true})));
    assert_eq!(
        p.tasks()[6].params,
        Some(json!({"sources": [{"type": "ec2Tags", "region": "r", "tags": {"k": "v"}}]}))
    );

    let (_, types) = plan_types(json!({"archive": {}}), json!({"phase": "Pending"}));
    assert_eq!(
        types,
        with_infra(&[
            "configure-genesis",
            "config-apply",
            "config-validate",
            "mark-ready"
        ])
    );

    let (n, types) = plan_types(
        json!({"validator": {"genesisCeremony": {"chainId": "c", "stakingAmount": "1", "accountBalance": "2"}}}),
        json!({}),
    );
    let expected = [
        "generate-identity",
        "generate-gentx",
        "upload-genesis-artifacts",
        "configure-genesis",
        "config-apply",
        "set-genesis-peers",
        "config-validate",
        "mark-ready",
    ];
    assert_eq!(types, with_infra(&expected));
    let retries: Vec<i64> = the_plan(&n).tasks().iter().map(|t| t.max_retries).collect();
    assert_eq!(retries, [0, 0, 0, 0, 0, 0, 180, 0, 0, 0, 0]);
    assert_eq!(
        the_plan(&n).tasks()[3].params,
        Some(json!({"chainId": "c", "moniker": "n"}))
    );
}

#[test]
fn bootstrap_plan_runs_the_sidecar_part_on_the_job_pod() {
    let snapshot = json!({"s3": {"targetHeight": 100}, "bootstrapImage": "img"});
    let (n, types) = plan_types(json!({"fullNode": {"snapshot": snapshot}}), json!({}));
    let expected = [
        "ensure-data-pvc",
        "deploy-bootstrap-service",
        "deploy-bootstrap-job",
        "snapshot-restore",
        "configure-genesis",
        "config-apply",
        "configure-state-sync",
        "config-validate",
        "mark-ready",
        "await-bootstrap-complete",
        "teardown-bootstrap",
        "apply-statefulset",
        "apply-service",
        "configure-genesis",
        "config-apply",
        "config-validate",
        "mark-ready",
    ];
    assert_eq!(types, expected);
    let p = the_plan(&n);
    assert_eq!(
        p.tasks()[2].params,
        Some(json!({"jobName": "n-bootstrap", "namespace": "default"}))
    );
    assert_eq!(
        p.tasks()[10].params,
        Some(json!({"jobName": "n-bootstrap", "serviceName": "n", "namespace": "default"}))
    );
}

#[test]
fn running_nodes_get_a_convergence_plan_and_active_plans_are_resumed() {
    let (n, types) = plan_types(json!({"archive": {}}), json!({"phase": "Running"}));
    assert_eq!(types, ["apply-statefulset", "apply-service"]);
    assert_eq!(the_plan(&n).failed_phase, "");
    assert_eq!(n.status.phase, "Running");

    let active = plan(json!([]), "Failed");
    let (n, _) = plan_types(
        json!({"archive": {}}),
        json!({"phase": "Initializing", "plan": active}),
    );
    assert_eq!(the_plan(&n).id, "p1");
}

#[test]
fn config_apply_overrides_layer_common_controller_then_user() {
    let spec = json!({
        "fullNode": {"snapshotGeneration": {"keepRecent": 5}},
        "overrides": {"storage.snapshot_keep_recent": "9", "x": "y"},
    });
    let (n, _) = plan_types(spec, json!({"externalAddress": "1.2.3.4:26656"}));
    let params = the_plan(&n).tasks()[4].params.clone().expect("params");
    assert_eq!(params["mode"], "full");
    let overrides = &params["overrides"];
    assert_eq!(overrides["storage.snapshot_keep_recent"], "9");
    assert_eq!(overrides["storage.snapshot_interval"], "2000");
    assert_eq!(overrides["network.p2p.external_address"], "1.2.3.4:26656");
    assert_eq!(overrides["x"], "y");

    let (n, _) = plan_types(json!({"validator": {}}), json!({}));
    assert_eq!(
        the_plan(&n).tasks()[4].params,
        Some(json!({"mode": "validator"}))
    );
}

/// retryBackoff: `1<<min(attempt, 5)` is a negative shift (a Go panic) below zero.
#[test]
fn retry_backoff_negative_attempt_is_a_negative_shift() {
    assert_eq!(retry_backoff(-1), None);
    assert_eq!(retry_backoff(0).map(|d| d.as_secs()), Some(5));
}
