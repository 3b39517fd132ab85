//! Ports of the operator's child-SeiNode and plan-lifecycle unit tests
//! (`internal/controller/nodedeployment/nodes_test.go` and `plan_test.go` at
//! 86fc035). Each test is named after the Go test it ports.
//!
//! The operator's tests call `detectDeploymentNeeded`, `completePlan` and
//! `failPlan` directly; here they run through the nearest public step of the
//! reconciler (`reconcile_seinodes`, `reconcile_plan`) on an in-memory cluster.

mod support {
    pub mod operator_deployment;
}

use serde_json::json;

use nodectl::api::condition_type::{PLAN_IN_PROGRESS, ROLLOUT_IN_PROGRESS};
use nodectl::api::{
    group_phase, RolloutStatus, SeiNode, SeiNodeDeployment, SeiNodeTemplateMeta, StringMap,
    TaskPlan,
};
use nodectl::controller::deployment::nodes::{generate_seinode, reconcile_seinodes};
use nodectl::controller::deployment::plan::reconcile_plan;
use nodectl::env::Env;
use nodectl::resources::labels::{controller_reference, template_hash, GROUP_LABEL, ORDINAL_LABEL};

use support::operator_deployment::{
    condition, env, node, set_condition, store_node, test_group, NOW,
};

const TEST_OLD_HASH: &str = "oldhash1234";

fn with_template_meta(labels: &[(&str, &str)], annotations: &[(&str, &str)]) -> SeiNodeDeployment {
    let to_map = |pairs: &[(&str, &str)]| -> StringMap {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let mut group = test_group("archive-rpc", "sei");
    group.spec.template.metadata = Some(SeiNodeTemplateMeta {
        labels: to_map(labels),
        annotations: to_map(annotations),
    });
    group
}

// ------------------------------------------------------------- generateSeiNode

#[test]
fn generate_seinode_name_and_namespace() {
    let group = test_group("archive-rpc", "sei");

    let first = generate_seinode(&group, 0);
    assert_eq!(first.metadata.name, "archive-rpc-0");
    assert_eq!(first.metadata.namespace, "sei");

    assert_eq!(generate_seinode(&group, 2).metadata.name, "archive-rpc-2");
}

#[test]
fn generate_seinode_system_labels() {
    let group = test_group("archive-rpc", "sei");

    let node = generate_seinode(&group, 1);

    assert_eq!(node.metadata.labels[GROUP_LABEL], "archive-rpc");
    assert_eq!(node.metadata.labels[ORDINAL_LABEL], "1");
}

#[test]
fn generate_seinode_user_labels_are_merged() {
    let group = with_template_meta(&[("team", "platform"), ("env", "production")], &[]);

    let node = generate_seinode(&group, 0);

    assert_eq!(node.metadata.labels["team"], "platform");
    assert_eq!(node.metadata.labels["env"], "production");
    assert_eq!(node.metadata.labels[GROUP_LABEL], "archive-rpc");
}

#[test]
fn generate_seinode_system_labels_override_user() {
    let group = with_template_meta(&[(GROUP_LABEL, "should-be-overridden")], &[]);

    let node = generate_seinode(&group, 0);

    assert_eq!(node.metadata.labels[GROUP_LABEL], "archive-rpc");
}

#[test]
fn generate_seinode_injects_pod_labels() {
    let group = test_group("archive-rpc", "sei");

    let node = generate_seinode(&group, 0);

    assert_eq!(node.spec.pod_labels[GROUP_LABEL], "archive-rpc");
}

#[test]
fn generate_seinode_preserves_existing_pod_labels() {
    let mut group = test_group("archive-rpc", "sei");
    group
        .spec
        .template
        .spec
        .pod_labels
        .insert("existing".into(), "value".into());

    let node = generate_seinode(&group, 0);

    assert_eq!(node.spec.pod_labels["existing"], "value");
    assert_eq!(node.spec.pod_labels[GROUP_LABEL], "archive-rpc");
}

#[test]
fn generate_seinode_copies_spec() {
    let group = test_group("full-node", "pacific-1");

    let node = generate_seinode(&group, 0);

    assert_eq!(node.metadata.name, "full-node-0");
    assert_eq!(node.metadata.namespace, "pacific-1");
    assert_eq!(node.spec.chain_id, "pacific-1");
    assert_eq!(node.spec.image, "ghcr.io/sei-protocol/seid:v1.0.0");
    assert!(node.spec.full_node.is_some());
}

#[test]
fn generate_seinode_annotations() {
    let group = with_template_meta(&[], &[("example.com/team", "platform")]);

    let node = generate_seinode(&group, 0);

    assert_eq!(node.metadata.annotations["example.com/team"], "platform");
}

#[test]
fn generate_seinode_no_annotations_when_nil() {
    let group = test_group("archive-rpc", "sei");

    let node = generate_seinode(&group, 0);

    assert!(node.metadata.annotations.is_empty());
    assert!(node.to_value()["metadata"].get("annotations").is_none());
}

#[test]
fn generate_seinode_deep_copies_template() {
    let mut group = test_group("archive-rpc", "sei");
    group
        .spec
        .template
        .spec
        .overrides
        .insert("evm.http_port".into(), "8545".into());

    let mut node = generate_seinode(&group, 0);
    node.spec.overrides.insert("modified".into(), "true".into());

    assert!(
        !group.spec.template.spec.overrides.contains_key("modified"),
        "modification to generated SeiNode should not mutate the group template"
    );
}

// ------------------------------------------------------- detectDeploymentNeeded

/// The operator's rollout-detection group: InPlace (or `strategy`), with a stored
/// template hash that no longer matches the template.
fn changed_template_group(strategy: &str) -> SeiNodeDeployment {
    let mut group = test_group("archive-rpc", "sei");
    group.spec.update_strategy.type_ = strategy.into();
    group.status.template_hash = TEST_OLD_HASH.into();
    group
}

fn detect(env: &mut Env, group: &mut SeiNodeDeployment) {
    reconcile_seinodes(env, group).expect("reconcile SeiNodes");
}

fn event_messages(env: &Env, reason: &str) -> Vec<String> {
    env.events
        .iter()
        .filter(|e| e.reason == reason)
        .map(|e| e.message.clone())
        .collect()
}

#[test]
fn detect_deployment_needed_in_place_sets_rollout_in_progress() {
    let mut env = env();
    let mut group = changed_template_group("InPlace");

    detect(&mut env, &mut group);

    let rolling = condition(&group, ROLLOUT_IN_PROGRESS);
    assert_eq!(rolling.status, "True");
    assert_eq!(rolling.reason, "TemplateChanged");
    let rollout = group.status.rollout.as_ref().expect("rollout recorded");
    assert_eq!(rollout.strategy, "InPlace");
    assert!(!rollout.target_hash.is_empty());
    let mut incumbents = rollout.incumbent_nodes.clone();
    incumbents.sort();
    assert_eq!(
        incumbents,
        ["archive-rpc-0", "archive-rpc-1", "archive-rpc-2"]
    );
}

#[test]
fn detect_deployment_needed_in_place_already_active_same_target() {
    let mut env = env();
    let mut group = changed_template_group("InPlace");
    let current = template_hash(&group.spec.template.spec);
    set_condition(
        &mut group,
        ROLLOUT_IN_PROGRESS,
        true,
        "TemplateChanged",
        "already rolling",
    );
    let existing = RolloutStatus {
        strategy: "InPlace".into(),
        target_hash: current,
        ..Default::default()
    };
    group.status.rollout = Some(existing.clone());

    detect(&mut env, &mut group);

    assert_eq!(group.status.rollout, Some(existing));
}

#[test]
fn detect_deployment_needed_in_place_supersedes_stale_rollout() {
    let mut env = env();
    let mut group = changed_template_group("InPlace");
    set_condition(
        &mut group,
        ROLLOUT_IN_PROGRESS,
        true,
        "TemplateChanged",
        "already rolling",
    );
    group.status.rollout = Some(RolloutStatus {
        strategy: "InPlace".into(),
        target_hash: "stale-hash".into(),
        ..Default::default()
    });
    group.status.plan = Some(TaskPlan {
        phase: "Active".into(),
        ..Default::default()
    });

    detect(&mut env, &mut group);

    let rollout = group.status.rollout.as_ref().expect("rollout recorded");
    assert_ne!(rollout.target_hash, "stale-hash");
    assert_eq!(group.status.plan, None);
    assert_eq!(
        event_messages(&env, "RolloutSuperseded"),
        ["Spec changed during active rollout, replacing plan (old target: stale-hash)"]
    );
}

#[test]
fn detect_deployment_needed_empty_type_treated_as_in_place() {
    let mut env = env();
    let mut group = changed_template_group("");

    detect(&mut env, &mut group);

    let rollout = group.status.rollout.as_ref().expect("rollout recorded");
    assert_eq!(rollout.strategy, "InPlace");
    assert_eq!(condition(&group, ROLLOUT_IN_PROGRESS).status, "True");
    let target = &rollout.target_hash[..8];
    assert_eq!(
        event_messages(&env, "RolloutStarted"),
        [format!(
            "InPlace rollout started (strategy: InPlace, target: {target})"
        )]
    );
}

// ------------------------------------------------------- completePlan / failPlan

/// The operator's plan-lifecycle group: generation 3, an InPlace rollout in
/// flight and both PlanInProgress and RolloutInProgress set.
fn rolling_group(plan: serde_json::Value) -> SeiNodeDeployment {
    let mut group = test_group("archive-rpc", "sei");
    group.metadata.uid = "uid-archive-rpc".into();
    group.metadata.generation = 3;
    group.status.rollout = Some(RolloutStatus {
        strategy: "InPlace".into(),
        target_hash: "newhash1234".into(),
        started_at: Some(NOW.into()),
        ..Default::default()
    });
    group.status.plan = Some(serde_json::from_value(plan).expect("valid plan"));
    set_condition(
        &mut group,
        PLAN_IN_PROGRESS,
        true,
        "Deployment",
        "deploying",
    );
    set_condition(
        &mut group,
        ROLLOUT_IN_PROGRESS,
        true,
        "TemplateChanged",
        "hash changed",
    );
    group
}

fn child(group: &SeiNodeDeployment, ordinal: usize, phase: &str) -> SeiNode {
    node(
        json!({
            "name": format!("archive-rpc-{ordinal}"),
            "namespace": "sei",
            "labels": {GROUP_LABEL: "archive-rpc"},
            "ownerReferences": [controller_reference(group)],
        }),
        json!({}),
        json!({"phase": phase}),
    )
}

#[test]
fn complete_plan_clears_rollout_in_progress() {
    // Every task is done: driving the plan completes it.
    let mut group = rolling_group(json!({
        "id": "plan-1",
        "phase": "Active",
        "tasks": [{"type": "mark-nodes-ready", "id": "task-1", "status": "Complete",
                   "params": {"namespace": "sei", "nodeNames": ["archive-rpc-0"]}}],
    }));
    let mut env = env();
    store_node(&mut env, &child(&group, 0, "Running"));

    reconcile_plan(&mut env, &mut group).expect("plan driven");

    assert_eq!(group.status.rollout, None);
    assert_eq!(group.status.plan, None);
    let rolling = condition(&group, ROLLOUT_IN_PROGRESS);
    assert_eq!(rolling.status, "False");
    assert_eq!(rolling.reason, "RolloutComplete");
    assert_eq!(condition(&group, PLAN_IN_PROGRESS).status, "False");
}

#[test]
fn fail_plan_clears_rollout_in_progress() {
    // The await task finds a Failed child: the plan fails.
    let mut group = rolling_group(json!({
        "id": "plan-1",
        "phase": "Active",
        "tasks": [{"type": "await-nodes-running", "id": "task-1", "status": "Pending",
                   "params": {"groupName": "archive-rpc", "namespace": "sei", "expected": 3,
                              "nodeNames": ["archive-rpc-0", "archive-rpc-1", "archive-rpc-2"]}}],
    }));
    let mut env = env();
    for (ordinal, phase) in ["Running", "Failed", "Failed"].into_iter().enumerate() {
        store_node(&mut env, &child(&group, ordinal, phase));
    }

    reconcile_plan(&mut env, &mut group).expect("plan driven");

    assert_eq!(group.status.rollout, None);
    assert_eq!(group.status.plan, None);
    assert_eq!(group.status.phase, group_phase::DEGRADED);
    let rolling = condition(&group, ROLLOUT_IN_PROGRESS);
    assert_eq!(rolling.status, "False");
    assert_eq!(rolling.reason, "RolloutFailed");
    assert_eq!(condition(&group, PLAN_IN_PROGRESS).status, "False");
}
