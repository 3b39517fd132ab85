//! Ports of the operator's group-planner and group-task unit tests (at 86fc035):
//! `internal/planner/deployment_test.go`, `internal/planner/group_test.go`,
//! `internal/task/deployment_update_test.go` and `internal/task/fork_export_test.go`.
//! Each test is named after the Go test it ports.
//!
//! Tasks are rebuilt through the task registry from `(type, id, params)` as the
//! executor does, then driven with `execute` / `status` on an in-memory cluster
//! holding the group and the nodes of the Go test.

mod support {
    pub mod operator_deployment;
}

use serde_json::{json, Value};

use nodectl::api::condition_type::{FORK_GENESIS_CEREMONY_NEEDED, GENESIS_CEREMONY_NEEDED};
use nodectl::api::{Condition, PlannedTask, RolloutStatus, SeiNode, SeiNodeDeployment, TaskPlan};
use nodectl::env::Env;
use nodectl::planner::group::build_group_plan;
use nodectl::resources::labels::{GROUP_LABEL, ROLE_LABEL};
use nodectl::task::fork::export_task_id;
use nodectl::task::registry::deserialize;
use nodectl::task::rollout::MarkNodesReadyParams;
use nodectl::task::{
    controller_params, ExecutionConfig, ExecutionStatus, OwnerRef, TaskError, TaskExecution,
};

use support::operator_deployment::{env, node, store_group, store_node, stored_node};

// ------------------------------------------------------------------- planners

fn group_with_status(metadata: Value, spec: Value, incumbents: &[&str]) -> SeiNodeDeployment {
    let mut group = SeiNodeDeployment::from_value(&json!({"metadata": metadata, "spec": spec}))
        .expect("valid group");
    group.status.incumbent_nodes = incumbents.iter().map(|n| n.to_string()).collect();
    group
}

fn with_true_condition(mut group: SeiNodeDeployment, type_: &str) -> SeiNodeDeployment {
    group
        .status
        .conditions
        .push(Condition::new(type_, "True", "", "", 0));
    group
}

fn plan_for(env: &mut Env, group: &SeiNodeDeployment) -> TaskPlan {
    build_group_plan(env, group)
        .expect("plan builds")
        .expect("a plan is needed")
}

fn task_types(plan: &TaskPlan) -> Vec<&str> {
    plan.tasks().iter().map(|t| t.type_.as_str()).collect()
}

fn params(task: &PlannedTask) -> &Value {
    task.params.as_ref().expect("task has params")
}

fn assert_pending_with_ids(plan: &TaskPlan) {
    for (i, task) in plan.tasks().iter().enumerate() {
        assert_eq!(task.status, "Pending", "task[{i}] should be Pending");
        assert!(!task.id.is_empty(), "task[{i}] should have an ID");
        assert!(task.params.is_some(), "task[{i}] should have params");
    }
}

#[test]
fn in_place_plan_three_tasks() {
    let mut group = group_with_status(
        json!({"name": "wave-group", "namespace": "pacific-1", "generation": 2}),
        json!({"replicas": 3, "updateStrategy": {"type": "InPlace"}}),
        &["wave-group-0", "wave-group-1", "wave-group-2"],
    );
    // The deployment planners are chosen once a rollout is recorded.
    group.status.rollout = Some(RolloutStatus {
        strategy: "InPlace".into(),
        ..Default::default()
    });

    let plan = plan_for(&mut env(), &group);

    assert_eq!(plan.phase, "Active");
    assert_eq!(
        task_types(&plan),
        ["update-node-specs", "await-spec-update", "mark-nodes-ready"]
    );
    assert_pending_with_ids(&plan);
    let names = json!(["wave-group-0", "wave-group-1", "wave-group-2"]);
    let tasks = plan.tasks();
    assert_eq!(
        params(&tasks[0]),
        &json!({"groupName": "wave-group", "namespace": "pacific-1", "nodeNames": names})
    );
    assert_eq!(
        params(&tasks[1]),
        &json!({"namespace": "pacific-1", "nodeNames": names})
    );
    assert_eq!(
        params(&tasks[2]),
        &json!({"namespace": "pacific-1", "nodeNames": names})
    );
}

fn genesis_group(
    name: &str,
    replicas: i32,
    genesis: Value,
    incumbents: &[&str],
) -> SeiNodeDeployment {
    let group = group_with_status(
        json!({"name": name, "namespace": "default"}),
        json!({"replicas": replicas, "genesis": genesis}),
        incumbents,
    );
    with_true_condition(group, GENESIS_CEREMONY_NEEDED)
}

#[test]
fn build_group_assembly_plan() {
    let group = genesis_group(
        "test-group",
        3,
        json!({"chainId": "arctic-1"}),
        &["node-0", "node-1", "node-2"],
    );

    let plan = plan_for(&mut env(), &group);

    assert_eq!(plan.phase, "Active");
    assert_eq!(
        task_types(&plan),
        [
            "assemble-and-upload-genesis",
            "collect-and-set-peers",
            "await-nodes-running"
        ]
    );
    let tasks = plan.tasks();
    let assemble = &tasks[0];
    assert_eq!(assemble.status, "Pending");
    assert!(!assemble.id.is_empty());
    assert_eq!(assemble.max_retries, 180);
    let assemble_params = params(assemble);
    assert_eq!(assemble_params["nodes"].as_array().unwrap().len(), 3);
    assert_eq!(assemble_params["nodes"][0]["name"], "node-0");
    assert_eq!(assemble_params["namespace"], "default");
    let await_params = params(&tasks[2]);
    assert_eq!(await_params["groupName"], "test-group");
    assert_eq!(await_params["expected"], 3);
}

#[test]
fn build_group_assembly_plan_default_s3() {
    let group = genesis_group("my-group", 1, json!({"chainId": "pacific-1"}), &["node-0"]);

    let plan = plan_for(&mut env(), &group);

    let assemble_params = params(&plan.tasks()[0]);
    assert_eq!(assemble_params["namespace"], "default");
    assert_eq!(assemble_params["nodes"].as_array().unwrap().len(), 1);
}

#[test]
fn build_group_fork_plan() {
    let source_chain = "pacific-1";
    let group = group_with_status(
        json!({"name": "fork-group", "namespace": "default"}),
        json!({"replicas": 2, "genesis": {
            "chainId": "fork-1",
            "accountBalance": "1000usei",
            "fork": {"sourceChainId": source_chain, "sourceImage": "sei:v5.0.0", "exportHeight": 100000},
        }}),
        &["fork-group-0", "fork-group-1"],
    );
    let group = with_true_condition(group, FORK_GENESIS_CEREMONY_NEEDED);

    let plan = plan_for(&mut env(), &group);

    assert_eq!(plan.phase, "Active");
    assert_eq!(
        task_types(&plan),
        [
            "create-exporter",
            "await-exporter-running",
            "submit-export-state",
            "teardown-exporter",
            "assemble-genesis-fork",
            "collect-and-set-peers",
            "await-nodes-running",
        ]
    );
    assert_pending_with_ids(&plan);
    let tasks = plan.tasks();
    let create = params(&tasks[0]);
    assert_eq!(create["groupName"], "fork-group");
    assert_eq!(create["exporterName"], "fork-group-exporter");
    assert_eq!(create["sourceChainId"], source_chain);
    assert_eq!(create["sourceImage"], "sei:v5.0.0");
    assert_eq!(create["exportHeight"], 100000);
    assert_eq!(params(&tasks[2])["sourceChainId"], source_chain);
    let assemble = params(&tasks[4]);
    assert_eq!(assemble["sourceChainId"], source_chain);
    assert_eq!(assemble["nodes"].as_array().unwrap().len(), 2);
    assert_eq!(tasks[4].max_retries, 180);
}

#[test]
fn build_group_fork_plan_nil_fork_spec_no_exporter_tasks() {
    let group = group_with_status(
        json!({"name": "edge-group", "namespace": "default"}),
        json!({"replicas": 1, "genesis": {"chainId": "test-1"}}),
        &["edge-group-0"],
    );
    let group = with_true_condition(group, FORK_GENESIS_CEREMONY_NEEDED);

    let plan = plan_for(&mut env(), &group);

    assert_eq!(
        plan.tasks().len(),
        3,
        "expected 3 tasks (standard genesis fallback)"
    );
    assert_eq!(plan.tasks()[0].type_, "assemble-and-upload-genesis");
}

#[test]
fn build_group_assembly_plan_unique_ids_across_rebuilds() {
    let group = genesis_group(
        "det-group",
        2,
        json!({"chainId": "test-chain"}),
        &["node-0", "node-1"],
    );
    let mut env = env();

    let first = plan_for(&mut env, &group);
    let second = plan_for(&mut env, &group);

    assert_ne!(
        first.id, second.id,
        "plan IDs should differ across rebuilds"
    );
    assert_ne!(
        first.tasks()[0].id,
        second.tasks()[0].id,
        "assemble task IDs should differ across rebuilds"
    );
    assert_ne!(
        first.tasks()[2].id,
        second.tasks()[2].id,
        "await task IDs should differ across rebuilds"
    );
}

// ---------------------------------------------------------------- task helpers

/// A task rebuilt from its stored form, driven against `group`.
struct Driven {
    task: Box<dyn TaskExecution>,
    group: SeiNodeDeployment,
    sidecar: Result<String, String>,
}

impl Driven {
    fn new(group: &SeiNodeDeployment, task_type: &str, id: &str, params: Value) -> Self {
        let task = deserialize(task_type, id, Some(&params))
            .unwrap_or_else(|e| panic!("deserialize {task_type}: {e}"));
        Driven {
            task,
            group: group.clone(),
            sidecar: Ok(String::new()),
        }
    }

    fn execute(&mut self, env: &mut Env) -> Result<(), TaskError> {
        let cfg = ExecutionConfig {
            owner: OwnerRef::Deployment(&self.group),
            sidecar: &self.sidecar,
        };
        self.task.execute(env, &cfg)
    }

    fn status(&mut self, env: &mut Env) -> ExecutionStatus {
        let cfg = ExecutionConfig {
            owner: OwnerRef::Deployment(&self.group),
            sidecar: &self.sidecar,
        };
        self.task.status(env, &cfg)
    }
}

/// An environment holding `group` and `nodes`, as the operator's fake client does.
fn cluster(group: &SeiNodeDeployment, nodes: &[SeiNode]) -> Env {
    let mut env = env();
    store_group(&mut env, group);
    for n in nodes {
        store_node(&mut env, n);
    }
    env
}

// --------------------------------------------------------- rollout (InPlace) tasks

/// The operator's `testDeploymentGroup`: two full nodes at sei:v2.0.0 with
/// sidecar seictl:v2.
fn deployment_group() -> SeiNodeDeployment {
    SeiNodeDeployment::from_value(&json!({
        "metadata": {"name": "wave", "namespace": "sei", "uid": "uid-wave"},
        "spec": {"replicas": 2, "template": {"spec": {
            "chainId": "pacific-1",
            "image": "sei:v2.0.0",
            "fullNode": {"snapshot": {"s3": {"targetHeight": 100}}},
            "sidecar": {"image": "seictl:v2", "port": 7777},
        }}},
    }))
    .expect("valid group")
}

fn wave_node(image: &str, sidecar_image: &str) -> SeiNode {
    node(
        json!({"name": "wave-0", "namespace": "sei"}),
        json!({
            "chainId": "pacific-1",
            "image": image,
            "fullNode": {"snapshot": {"s3": {"targetHeight": 100}}},
            "sidecar": {"image": sidecar_image, "port": 7777},
        }),
        json!({}),
    )
}

fn converging_node(current_image: &str) -> SeiNode {
    node(
        json!({"name": "wave-0", "namespace": "sei"}),
        json!({"chainId": "pacific-1", "image": "sei:v2.0.0", "fullNode": {}}),
        json!({"currentImage": current_image}),
    )
}

fn update_specs_params() -> Value {
    json!({"groupName": "wave", "namespace": "sei", "nodeNames": ["wave-0"]})
}

#[test]
fn update_node_specs_patches_image() {
    let group = deployment_group();
    let mut env = cluster(&group, &[wave_node("sei:v1.0.0", "seictl:v1")]);
    let mut task = Driven::new(&group, "update-node-specs", "id-1", update_specs_params());

    task.execute(&mut env).expect("execute");
    assert_eq!(task.status(&mut env), ExecutionStatus::Complete);

    let fetched = stored_node(&env, "sei", "wave-0").expect("node stored");
    assert_eq!(fetched.spec.image, "sei:v2.0.0");
    assert_eq!(fetched.spec.sidecar.expect("sidecar").image, "seictl:v2");
}

#[test]
fn update_node_specs_skips_current_image() {
    let group = deployment_group();
    let mut env = cluster(&group, &[wave_node("sei:v2.0.0", "seictl:v2")]);
    let mut task = Driven::new(&group, "update-node-specs", "id-1", update_specs_params());

    task.execute(&mut env).expect("execute");
    assert_eq!(task.status(&mut env), ExecutionStatus::Complete);

    let fetched = stored_node(&env, "sei", "wave-0").expect("node stored");
    assert_eq!(fetched.spec.image, "sei:v2.0.0");
    assert!(
        env.api.writes().is_empty(),
        "an up-to-date node is not updated"
    );
}

fn await_spec_params(node: &str) -> Value {
    json!({"namespace": "sei", "nodeNames": [node]})
}

#[test]
fn await_spec_update_completes_when_converged() {
    let group = deployment_group();
    let mut env = cluster(&group, &[converging_node("sei:v2.0.0")]);
    let mut task = Driven::new(
        &group,
        "await-spec-update",
        "id-2",
        await_spec_params("wave-0"),
    );

    assert_eq!(
        task.status(&mut env),
        ExecutionStatus::Complete,
        "expected Complete when currentImage == spec.image"
    );
}

#[test]
fn await_spec_update_running_when_not_converged() {
    let group = deployment_group();
    let mut env = cluster(&group, &[converging_node("sei:v1.0.0")]);
    let mut task = Driven::new(
        &group,
        "await-spec-update",
        "id-2",
        await_spec_params("wave-0"),
    );

    assert_eq!(task.status(&mut env), ExecutionStatus::Running);
}

#[test]
fn await_spec_update_running_when_node_not_found() {
    let group = deployment_group();
    let mut env = cluster(&group, &[]);
    let mut task = Driven::new(
        &group,
        "await-spec-update",
        "id-2",
        await_spec_params("wave-nonexistent"),
    );

    assert_eq!(task.status(&mut env), ExecutionStatus::Running);
}

#[test]
fn mark_nodes_ready_deserializes() {
    let raw = json!({"namespace": "sei", "nodeNames": ["wave-0", "wave-1"]});

    assert!(deserialize("mark-nodes-ready", "id-3", Some(&raw)).is_ok());
    let MarkNodesReadyParams(params) =
        controller_params("mark-nodes-ready", Some(&raw)).expect("params decode");
    assert_eq!(params.node_names.unwrap_or_default().len(), 2);
    assert_eq!(params.namespace, "sei");
}

#[test]
fn mark_nodes_ready_starts_running() {
    let group = deployment_group();
    let mut env = cluster(&group, &[]);
    let mut task = Driven::new(
        &group,
        "mark-nodes-ready",
        "id-3",
        json!({"namespace": "sei", "nodeNames": ["wave-0"]}),
    );

    assert_eq!(task.status(&mut env), ExecutionStatus::Running);
}

// --------------------------------------------------------------- exporter tasks

const EXPORTER: &str = "fork-group-exporter";

/// The operator's fork `testGroup`.
fn fork_group() -> SeiNodeDeployment {
    SeiNodeDeployment::from_value(&json!({
        "metadata": {"name": "fork-group", "namespace": "default", "uid": "uid-group"},
        "spec": {
            "replicas": 2,
            "template": {"spec": {
                "image": "sei:v6.0.0",
                "sidecar": {"image": "seictl:latest", "port": 7777},
            }},
            "genesis": {"chainId": "fork-1", "fork": {
                "sourceChainId": "pacific-1", "sourceImage": "sei:v5.0.0", "exportHeight": 100000,
            }},
        },
    }))
    .expect("valid group")
}

fn exporter(metadata: Value, spec: Value, phase: &str) -> SeiNode {
    let mut metadata = metadata;
    metadata["name"] = json!(EXPORTER);
    metadata["namespace"] = json!("default");
    node(metadata, spec, json!({"phase": phase}))
}

fn exporter_in(phase: &str) -> SeiNode {
    exporter(json!({}), json!({}), phase)
}

fn create_exporter_params() -> Value {
    json!({
        "exporterName": EXPORTER, "namespace": "default",
        "sourceChainId": "pacific-1", "sourceImage": "sei:v5.0.0", "exportHeight": 100000,
    })
}

fn exporter_params() -> Value {
    json!({"exporterName": EXPORTER, "namespace": "default"})
}

fn export_state_params() -> Value {
    json!({
        "exporterName": EXPORTER, "namespace": "default",
        "exportHeight": 100000, "sourceChainId": "pacific-1",
    })
}

fn source_node_spec() -> Value {
    json!({"chainId": "pacific-1", "image": "sei:v5.0.0"})
}

#[test]
fn create_exporter_execute_creates_sei_node() {
    let group = fork_group();
    let mut env = cluster(&group, &[]);
    let mut task = Driven::new(&group, "create-exporter", "id-1", create_exporter_params());

    task.execute(&mut env).expect("execute");
    assert_eq!(task.status(&mut env), ExecutionStatus::Complete);

    let created = stored_node(&env, "default", EXPORTER).expect("exporter node created");
    assert_eq!(created.spec.chain_id, "pacific-1");
    assert_eq!(created.spec.image, "sei:v5.0.0");
    assert_eq!(created.metadata.labels[ROLE_LABEL], "exporter");
    // The group label comes from the params, which name no group here.
    assert_eq!(created.metadata.labels[GROUP_LABEL], "");
    let snapshot = created
        .spec
        .full_node
        .and_then(|f| f.snapshot)
        .expect("expected FullNode with Snapshot config");
    assert_eq!(snapshot.s3.expect("S3 source").target_height, 100000);
}

#[test]
fn create_exporter_execute_idempotent() {
    let group = fork_group();
    let existing = exporter(json!({}), source_node_spec(), "Initializing");
    let mut env = cluster(&group, &[existing]);
    let mut task = Driven::new(&group, "create-exporter", "id-1", create_exporter_params());

    task.execute(&mut env).expect("execute on existing");
    assert_eq!(
        task.status(&mut env),
        ExecutionStatus::Complete,
        "expected Complete for existing exporter"
    );
}

#[test]
fn create_exporter_execute_deletes_failed_exporter() {
    let group = fork_group();
    let failed = exporter(json!({}), source_node_spec(), "Failed");
    let mut env = cluster(&group, &[failed]);
    let mut task = Driven::new(&group, "create-exporter", "id-1", create_exporter_params());

    task.execute(&mut env).expect("execute");
    // Not complete: the next reconcile re-enters and creates a fresh exporter.
    assert_eq!(task.status(&mut env), ExecutionStatus::Running);
    assert!(
        stored_node(&env, "default", EXPORTER).is_none(),
        "failed exporter should be deleted"
    );
}

#[test]
fn await_exporter_running_running() {
    let group = fork_group();
    let mut env = cluster(&group, &[exporter_in("Initializing")]);
    let mut task = Driven::new(&group, "await-exporter-running", "id-2", exporter_params());

    assert_eq!(task.status(&mut env), ExecutionStatus::Running);
}

#[test]
fn await_exporter_running_complete() {
    let group = fork_group();
    let mut env = cluster(&group, &[exporter_in("Running")]);
    let mut task = Driven::new(&group, "await-exporter-running", "id-2", exporter_params());

    assert_eq!(task.status(&mut env), ExecutionStatus::Complete);
}

#[test]
fn await_exporter_running_failed() {
    let group = fork_group();
    let mut env = cluster(&group, &[exporter_in("Failed")]);
    let mut task = Driven::new(&group, "await-exporter-running", "id-2", exporter_params());

    assert_eq!(task.status(&mut env), ExecutionStatus::Failed);
    assert_eq!(
        task.task.error().as_deref(),
        Some("exporter fork-group-exporter failed")
    );
}

#[test]
fn await_exporter_running_not_found_fails() {
    let group = fork_group();
    let mut env = cluster(&group, &[]);
    let mut task = Driven::new(&group, "await-exporter-running", "id-2", exporter_params());

    assert_eq!(task.status(&mut env), ExecutionStatus::Failed);
    assert_eq!(
        task.task.error().as_deref(),
        Some("exporter fork-group-exporter not found \u{2014} create-exporter may have failed")
    );
}

#[test]
fn teardown_exporter_execute_deletes_node() {
    let group = fork_group();
    let mut env = cluster(&group, &[exporter(json!({}), json!({}), "")]);
    let mut task = Driven::new(&group, "teardown-exporter", "id-4", exporter_params());

    task.execute(&mut env).expect("execute");

    assert!(
        stored_node(&env, "default", EXPORTER).is_none(),
        "expected exporter to be deleted"
    );
}

#[test]
fn teardown_exporter_execute_idempotent() {
    let group = fork_group();
    let mut env = cluster(&group, &[]);
    let mut task = Driven::new(&group, "teardown-exporter", "id-4", exporter_params());

    task.execute(&mut env)
        .expect("no error for nonexistent exporter");
}

#[test]
fn teardown_exporter_status_complete_when_gone() {
    let group = fork_group();
    let mut env = cluster(&group, &[]);
    let mut task = Driven::new(&group, "teardown-exporter", "id-4", exporter_params());

    assert_eq!(task.status(&mut env), ExecutionStatus::Complete);
}

#[test]
fn teardown_exporter_status_running_while_present() {
    let group = fork_group();
    let mut env = cluster(&group, &[exporter(json!({}), json!({}), "")]);
    let mut task = Driven::new(&group, "teardown-exporter", "id-4", exporter_params());

    assert_eq!(task.status(&mut env), ExecutionStatus::Running);
}

#[test]
fn submit_export_state_sidecar_task_id_deterministic() {
    // Two executions rebuilt from the same stored task submit under one sidecar
    // task id.
    let group = fork_group();
    let mut env = cluster(&group, &[exporter_in("Running")]);
    for _ in 0..2 {
        let mut task = Driven::new(&group, "submit-export-state", "id-3", export_state_params());
        task.execute(&mut env).expect("execute");
    }

    let ids: Vec<String> = env
        .sidecars
        .take_calls()
        .into_iter()
        .filter(|c| c.task_type == "export-state")
        .map(|c| c.task_id)
        .collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(ids[0], ids[1], "sidecar task IDs not deterministic");
    assert_eq!(ids[0], export_task_id(EXPORTER));
}

#[test]
fn submit_export_state_timeout() {
    // The exporter was created seven hours before the fixed clock.
    let group = fork_group();
    let old = exporter(
        json!({"creationTimestamp": "2025-12-31T17:00:00Z"}),
        json!({}),
        "Running",
    );
    let mut env = cluster(&group, &[old]);
    let mut task = Driven::new(&group, "submit-export-state", "id-3", export_state_params());

    assert_eq!(task.status(&mut env), ExecutionStatus::Failed);
    assert_eq!(
        task.task.error().as_deref(),
        Some("export-state timed out after 6h0m0s")
    );
}

// ------------------------------------------ SetControllerReference (cross-namespace)

/// `SetControllerReference` (controller-runtime v0.23.1 `validateOwner`) refuses
/// an owner in another namespace: create-entrant-nodes returns it as a transient
/// error and creates nothing.
#[test]
fn set_controller_reference_cross_namespace_entrants_transient() {
    let group = deployment_group();
    let mut env = cluster(&group, &[]);
    let params = json!({"groupName": "wave", "namespace": "other", "entrantRevision": "2",
                        "nodeNames": ["wave-g2-0"]});
    let mut task = Driven::new(&group, "create-entrant-nodes", "id-1", params);
    match task.execute(&mut env) {
        Err(TaskError::Transient(text)) => assert_eq!(
            text,
            "setting owner reference on wave-g2-0: cross-namespace owner references are \
             disallowed, owner's namespace sei, obj's namespace other"
        ),
        other => panic!("expected a transient error, got {other:?}"),
    }
    assert!(env
        .api
        .get_opt("sei.io/v1alpha1", "SeiNode", "other", "wave-g2-0")
        .unwrap()
        .is_none());
}

/// The same refusal is terminal for create-exporter.
#[test]
fn set_controller_reference_cross_namespace_exporter_terminal() {
    let group = deployment_group();
    let mut env = cluster(&group, &[]);
    let params = json!({"groupName": "wave", "exporterName": "wave-exporter", "namespace": "other",
                        "sourceChainId": "pacific-1", "sourceImage": "sei:v1", "exportHeight": 100});
    let mut task = Driven::new(&group, "create-exporter", "id-2", params);
    match task.execute(&mut env) {
        Err(TaskError::Terminal(text)) => assert_eq!(
            text,
            "setting owner reference: cross-namespace owner references are disallowed, \
             owner's namespace sei, obj's namespace other"
        ),
        other => panic!("expected a terminal error, got {other:?}"),
    }
}
