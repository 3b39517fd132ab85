//! The operator's SeiNode controller unit tests, ported to nodectl: the reconcile
//! progression and phase transitions (`plan_execution_test.go`), the reconciler's
//! resources, image observation and deletion (`reconciler_test.go`), full
//! progressions driven through Reconcile (`plan_execution_integration_test.go`) and
//! label-peer resolution (`peers_test.go`).

mod support {
    pub mod operator_node;
}

use serde_json::{json, Value};

use nodectl::api::{SeiNode, API_VERSION, SEINODE_KIND};
use nodectl::controller::node::{observe_current_image, reconcile_peers, FINALIZER};
use nodectl::env::{Env, Requeue};
use nodectl::planner::executor::TASK_POLL_INTERVAL;
use nodectl::resources;
use nodectl::sidecar::TaskState;
use nodectl::world::DeleteOptions;

use support::operator_node::*;

const IMAGE_V2: &str = "ghcr.io/sei-protocol/seid:v2.0.0";
const REVISION: &str = "rev-2";

/// A container of a pod template by name.
fn container<'a>(containers: &'a Value, name: &str) -> &'a Value {
    containers
        .as_array()
        .and_then(|list| list.iter().find(|c| c["name"] == name))
        .unwrap_or_else(|| panic!("no container {name}"))
}

// ------------------------------------------------------------- reconcile progression

#[test]
fn reconcile_creates_plan_on_first_run() {
    let mock = MockSidecar::default();
    let mut env = env_with(&mock, &[snapshot_node()]);
    let result = reconcile_ok(&mut env, "test-node");
    assert_eq!(
        result.after, TASK_POLL_INTERVAL,
        "snapshot-restore is running"
    );

    let node = fetch(&env, "test-node");
    let plan = node.status.plan.as_ref().expect("plan is created");
    assert_eq!(plan.phase, "Active");
    assert_eq!(node.status.phase, "Initializing");
}

#[test]
fn reconcile_pending_sets_initializing_with_plan() {
    let mock = MockSidecar::default();
    let mut env = env_with(&mock, &[snapshot_node()]);
    reconcile_ok(&mut env, "test-node");

    let node = fetch(&env, "test-node");
    assert_eq!(node.status.phase, "Initializing");
    assert!(node.status.plan.is_some(), "plan is created");
}

#[test]
fn reconcile_pending_with_bootstrap_sets_initializing() {
    let mock = MockSidecar::default();
    let mut env = env_with(&mock, &[bootstrap_replayer_node()]);
    reconcile_ok(&mut env, "test-replayer");

    let node = fetch(&env, "test-replayer");
    assert_eq!(node.status.phase, "Initializing");
    assert!(node.status.plan.is_some(), "plan is created");
}

#[test]
fn reconcile_initializing_sidecar_client_error_requeues() {
    let mut node = genesis_node();
    node["status"] = json!({
        "phase": "Initializing",
        "plan": {
            "phase": "Active",
            "tasks": [{"type": "config-apply", "id": "test-id", "status": "Pending"}],
        },
    });
    let mock = MockSidecar::default();
    mock.state().build_error = Some("sidecar unavailable".into());
    let mut env = env_with(&mock, &[node]);

    let result = reconcile_ok(&mut env, "test-node");
    assert_eq!(result.after, TASK_POLL_INTERVAL);
}

// ---------------------------------------------------------------------- reconciler

#[test]
fn node_reconcile_not_found() {
    let mock = MockSidecar::default();
    let mut env = empty_env(&mock);
    let outcome = reconcile(&mut env, "does-not-exist");
    assert_eq!(outcome.error, None);
    assert_eq!(outcome.result, Requeue::NONE);
}

#[test]
fn node_reconcile_validator_node_create_stateful_set_and_service() {
    let mock = MockSidecar::default();
    let mut env = env_with(&mock, &[new_genesis_node("mynet-0")]);
    for _ in 0..8 {
        reconcile_ok(&mut env, "mynet-0");
    }

    let sts = stored(&env, "apps/v1", "StatefulSet", "mynet-0").expect("StatefulSet created");
    assert_eq!(sts["spec"]["replicas"], 1);
    let svc = stored(&env, "v1", "Service", "mynet-0").expect("Service created");
    assert_eq!(svc["spec"]["clusterIP"], "None");
}

#[test]
fn node_reconcile_adds_finalizer() {
    let mock = MockSidecar::default();
    let mut env = env_with(&mock, &[new_snapshot_node("snap-0")]);
    let _ = reconcile(&mut env, "snap-0");

    let node = fetch(&env, "snap-0");
    assert!(
        node.has_finalizer(FINALIZER),
        "{:?}",
        node.metadata.finalizers
    );
}

#[test]
fn node_reconcile_stateful_set_idempotent() {
    let mock = MockSidecar::default();
    let mut env = env_with(&mock, &[new_snapshot_node("snap-0")]);
    for _ in 0..8 {
        reconcile_ok(&mut env, "snap-0");
    }

    let all = env
        .api
        .list("apps/v1", "StatefulSet", Some(NS), &[])
        .expect("lists");
    assert_eq!(all.len(), 1);
}

#[test]
fn node_reconcile_snapshot_node_creates_pvc() {
    let mock = MockSidecar::default();
    let mut env = env_with(&mock, &[new_snapshot_node("snap-0")]);
    for _ in 0..3 {
        reconcile_ok(&mut env, "snap-0");
    }

    let pvc = stored(&env, "v1", "PersistentVolumeClaim", "data-snap-0").expect("data PVC created");
    assert_eq!(pvc["spec"]["accessModes"], json!(["ReadWriteOnce"]));
}

#[test]
fn node_reconcile_snapshot_node_stateful_set_has_init_containers() {
    let mock = MockSidecar::default();
    let mut env = env_with(&mock, &[new_snapshot_node("snap-0")]);
    for _ in 0..8 {
        reconcile_ok(&mut env, "snap-0");
    }

    let sts = stored(&env, "apps/v1", "StatefulSet", "snap-0").expect("StatefulSet created");
    let init = sts["spec"]["template"]["spec"]["initContainers"]
        .as_array()
        .expect("init containers");
    let names: Vec<&Value> = init.iter().map(|c| &c["name"]).collect();
    assert_eq!(names, [&json!("seid-init"), &json!("sei-sidecar")]);
}

#[test]
fn node_reconcile_running_phase_updates_stateful_set_image() {
    let mut node = new_genesis_node("mynet-0");
    node["metadata"]["finalizers"] = json!([FINALIZER]);
    node["status"] = json!({"phase": "Running"});
    let old_sts = resources::statefulset(&seinode(&node), &platform_test_config());
    let mock = MockSidecar::default();
    let mut env = env_with(&mock, &[node, old_sts]);

    let seid_image = |env: &Env| {
        let sts = stored(env, "apps/v1", "StatefulSet", "mynet-0").expect("StatefulSet");
        let containers = &sts["spec"]["template"]["spec"]["containers"];
        container(containers, "seid")["image"].clone()
    };
    assert_eq!(seid_image(&env), "ghcr.io/sei-protocol/seid:latest");

    let mut node = fetch(&env, "mynet-0");
    node.spec.image = IMAGE_V2.into();
    env.api
        .update(API_VERSION, SEINODE_KIND, node.to_value(), false)
        .expect("spec update");
    for _ in 0..4 {
        reconcile_ok(&mut env, "mynet-0");
    }

    assert_eq!(seid_image(&env), IMAGE_V2);
}

// ------------------------------------------------------------------ current image

/// A Running validator whose spec asks for the v2 image.
fn running_v2_node(current_image: &str) -> Value {
    let mut node = new_genesis_node("mynet-0");
    node["metadata"]["finalizers"] = json!([FINALIZER]);
    node["spec"]["image"] = json!(IMAGE_V2);
    node["status"] = json!({"phase": "Running", "currentImage": current_image});
    node
}

/// A one-replica StatefulSet running the v2 image, with `generation` and `status`.
fn v2_statefulset(generation: i64, status: Value) -> Value {
    let labels = json!({"sei.io/node": "mynet-0"});
    json!({
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": "mynet-0", "namespace": NS, "generation": generation},
        "spec": {
            "replicas": 1,
            "serviceName": "mynet-0",
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "seid", "image": IMAGE_V2}]},
            },
        },
        "status": status,
    })
}

/// Runs the image observation on the stored node against `objects`.
fn observe(objects: &[Value]) -> SeiNode {
    let mock = MockSidecar::default();
    let env = env_with(&mock, objects);
    let mut node = fetch(&env, "mynet-0");
    observe_current_image(&env, &mut node).expect("observes");
    node
}

#[test]
fn observe_current_image_updates_when_converged() {
    let sts = v2_statefulset(1, json!({"updatedReplicas": 1, "observedGeneration": 1}));
    let node = observe(&[running_v2_node(""), sts]);
    assert_eq!(node.status.current_image, IMAGE_V2);
}

#[test]
fn observe_current_image_skips_when_stale_generation() {
    let sts = v2_statefulset(2, json!({"updatedReplicas": 1, "observedGeneration": 1}));
    let node = observe(&[running_v2_node(""), sts]);
    assert_eq!(node.status.current_image, "");
}

#[test]
fn observe_current_image_skips_when_rolling() {
    let status =
        json!({"observedGeneration": 1, "currentRevision": "rev-1", "updateRevision": REVISION});
    let node = observe(&[running_v2_node(""), v2_statefulset(1, status)]);
    assert_eq!(node.status.current_image, "");
}

#[test]
fn observe_current_image_skips_when_ready_replicas_zero() {
    let status = json!({"observedGeneration": 1, "currentRevision": REVISION,
                        "updateRevision": REVISION, "readyReplicas": 0});
    let node = observe(&[running_v2_node(""), v2_statefulset(1, status)]);
    assert_eq!(node.status.current_image, "");
}

#[test]
fn observe_current_image_skips_when_empty_revision() {
    let status = json!({"observedGeneration": 1, "currentRevision": "",
                        "updateRevision": REVISION, "readyReplicas": 1});
    let node = observe(&[running_v2_node(""), v2_statefulset(1, status)]);
    assert_eq!(node.status.current_image, "");
}

#[test]
fn observe_current_image_noop_when_already_current() {
    let status = json!({"observedGeneration": 1, "currentRevision": REVISION,
                        "updateRevision": REVISION, "readyReplicas": 1});
    let node = observe(&[running_v2_node(IMAGE_V2), v2_statefulset(1, status)]);
    assert_eq!(node.status.current_image, IMAGE_V2);
}

#[test]
fn observe_current_image_stateful_set_not_found() {
    let node = observe(&[running_v2_node("")]);
    assert_eq!(node.status.current_image, "");
}

// ------------------------------------------------------------------------ deletion

#[test]
fn node_deletion_snapshot_node_without_retain_deletes_pvc() {
    let mut node = new_snapshot_node("snap-0");
    node["metadata"]["finalizers"] = json!([FINALIZER]);
    let labels = resources::resource_labels(&seinode(&node));
    let pvc = json!({
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "data-snap-0", "namespace": NS, "labels": labels},
    });
    let mock = MockSidecar::default();
    let mut env = env_with(&mock, &[node, pvc]);
    env.api
        .delete(
            API_VERSION,
            SEINODE_KIND,
            NS,
            "snap-0",
            DeleteOptions::default(),
        )
        .expect("marks the node deleted");

    reconcile_ok(&mut env, "snap-0");

    assert!(stored(&env, "v1", "PersistentVolumeClaim", "data-snap-0").is_none());
}

// ------------------------------------------------------------ driven progressions

/// Drives the current task, which must be `task_type`, to completion through
/// Reconcile: one reconcile, and if the task is still open after a submission, a
/// completed result and a second reconcile.
fn drive_task(env: &mut Env, mock: &MockSidecar, name: &str, task_type: &str) {
    mock.state().submitted.clear();
    let node = fetch(env, name);
    let current = current_task(plan_of(&node)).expect("a current task");
    assert_eq!(current.type_, task_type, "current task");
    let id = current.id.clone();
    uuid::Uuid::parse_str(&id).expect("task id is a UUID");

    reconcile_ok(env, name);
    let node = fetch(env, name);
    let done = plan_of(&node)
        .tasks()
        .iter()
        .any(|t| t.id == id && t.status == "Complete");
    if done {
        return;
    }
    if mock.submitted_count() > 0 {
        mock.state().results = [(id, TaskState::Completed)].into();
    }
    reconcile_ok(env, name);
}

#[test]
fn integration_full_progression_snapshot_mode() {
    let mock = MockSidecar::default();
    let mut env = env_with(&mock, &[snapshot_node()]);

    reconcile_ok(&mut env, "test-node");
    let node = fetch(&env, "test-node");
    assert!(node.status.plan.is_some());
    assert_eq!(node.status.phase, "Initializing");

    for task_type in [
        "snapshot-restore",
        "configure-genesis",
        "config-apply",
        "configure-state-sync",
    ] {
        drive_task(&mut env, &mock, "test-node", task_type);
    }

    assert_eq!(fetch(&env, "test-node").status.phase, "Running");
}

#[test]
fn integration_full_progression_genesis_mode() {
    let mock = MockSidecar::default();
    let mut env = env_with(&mock, &[genesis_node()]);

    reconcile_ok(&mut env, "test-node");
    assert!(fetch(&env, "test-node").status.plan.is_some());

    drive_task(&mut env, &mock, "test-node", "configure-genesis");
    drive_task(&mut env, &mock, "test-node", "config-apply");

    assert_eq!(fetch(&env, "test-node").status.phase, "Running");
}

#[test]
fn integration_task_failure_fails_plan() {
    let mock = MockSidecar::default();
    let mut env = env_with(&mock, &[snapshot_node()]);

    reconcile_ok(&mut env, "test-node");
    let node = fetch(&env, "test-node");
    let current = current_task(plan_of(&node)).expect("a current task");
    assert_eq!(current.type_, "snapshot-restore");
    let id = current.id.clone();
    uuid::Uuid::parse_str(&id).expect("task id is a UUID");

    reconcile_ok(&mut env, "test-node");
    mock.state().results = [(id, TaskState::Failed("S3 access denied".into()))].into();
    reconcile_ok(&mut env, "test-node");

    let node = fetch(&env, "test-node");
    assert_eq!(plan_of(&node).phase, "Failed");
    assert_eq!(node.status.phase, "Failed");
    let failed = find_task(plan_of(&node), "snapshot-restore").expect("snapshot-restore");
    assert_eq!(failed.status, "Failed");
    assert_eq!(failed.error, "S3 access denied");

    mock.state().submitted.clear();
    reconcile_ok(&mut env, "test-node");
    assert_eq!(mock.submitted_count(), 0, "a failed plan submits nothing");
}

// --------------------------------------------------------------------------- peers

/// A full node in `namespace` with `labels` and `peers`.
fn peer_node(name: &str, namespace: &str, labels: Value, peers: Value) -> Value {
    json!({
        "apiVersion": API_VERSION,
        "kind": SEINODE_KIND,
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {"chainId": "test-1", "image": "sei:latest", "peers": peers, "fullNode": {}},
    })
}

fn label_source(selector: Value) -> Value {
    json!({"label": {"selector": selector}})
}

/// Resolves the label peers of `node` with `others` stored beside it.
fn resolve_peers(node: &Value, others: &[Value]) -> (Result<bool, String>, SeiNode) {
    let mock = MockSidecar::default();
    let mut objects = vec![node.clone()];
    objects.extend_from_slice(others);
    let env = env_with(&mock, &objects);
    let mut node = seinode(node);
    let changed = reconcile_peers(&env, &mut node);
    (changed, node)
}

#[test]
fn reconcile_peers_resolves_label_source() {
    let validators = json!({"sei.io/nodedeployment": "validators"});
    let node = peer_node(
        "my-node",
        NS,
        json!({}),
        json!([label_source(validators.clone())]),
    );
    let peers = [
        peer_node("peer-1", NS, validators.clone(), json!([])),
        peer_node("peer-2", NS, validators, json!([])),
    ];
    let (changed, node) = resolve_peers(&node, &peers);
    changed.expect("resolves");
    assert_eq!(
        node.status.resolved_peers,
        [
            "peer-1-0.peer-1.default.svc.cluster.local",
            "peer-2-0.peer-2.default.svc.cluster.local",
        ]
    );
}

#[test]
fn reconcile_peers_excludes_self() {
    let validators = json!({"sei.io/nodedeployment": "validators"});
    let node = peer_node(
        "my-node",
        NS,
        validators.clone(),
        json!([label_source(validators.clone())]),
    );
    let other = peer_node("other-node", NS, validators, json!([]));
    let (changed, node) = resolve_peers(&node, &[other]);
    changed.expect("resolves");
    assert_eq!(
        node.status.resolved_peers,
        ["other-node-0.other-node.default.svc.cluster.local"]
    );
}

#[test]
fn reconcile_peers_cross_namespace_does_not_exclude_matching_name() {
    let source = json!([{"label": {"selector": {"role": "peer"}, "namespace": "ns-b"}}]);
    let node = peer_node("shared-name", "ns-a", json!({}), source);
    let same_name = peer_node("shared-name", "ns-b", json!({"role": "peer"}), json!([]));
    let (changed, node) = resolve_peers(&node, &[same_name]);
    changed.expect("resolves");
    assert_eq!(node.status.resolved_peers.len(), 1, "{:?}", node.status);
}

#[test]
fn reconcile_peers_no_patch_when_unchanged() {
    let validators = json!({"sei.io/nodedeployment": "validators"});
    let mut node = peer_node(
        "my-node",
        NS,
        json!({}),
        json!([label_source(validators.clone())]),
    );
    node["status"] = json!({"resolvedPeers": ["peer-1-0.peer-1.default.svc.cluster.local"]});
    let peer = peer_node("peer-1", NS, validators, json!([]));
    let (changed, _) = resolve_peers(&node, &[peer]);
    assert_eq!(changed, Ok(false));
}

#[test]
fn reconcile_peers_no_label_sources_no_patch() {
    let ec2 = json!([{"ec2Tags": {"region": "us-east-1", "tags": {"Chain": "test-1"}}}]);
    let node = peer_node("my-node", NS, json!({}), ec2);
    let (changed, node) = resolve_peers(&node, &[]);
    assert_eq!(changed, Ok(false));
    assert!(node.status.resolved_peers.is_empty());
}

#[test]
fn reconcile_peers_deduplicates_overlapping_sources() {
    let node = peer_node(
        "my-node",
        NS,
        json!({}),
        json!([
            label_source(json!({"sei.io/nodedeployment": "validators"})),
            label_source(json!({"sei.io/chain": "test-1"})),
        ]),
    );
    let both = json!({"sei.io/nodedeployment": "validators", "sei.io/chain": "test-1"});
    let peer = peer_node("peer-1", NS, both, json!([]));
    let (changed, node) = resolve_peers(&node, &[peer]);
    changed.expect("resolves");
    assert_eq!(node.status.resolved_peers.len(), 1, "{:?}", node.status);
}
