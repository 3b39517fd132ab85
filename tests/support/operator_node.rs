//! Shared fixtures of the `operator_node*` tests, which port the behaviour checked by
//! the operator's Go unit tests of the SeiNode path: the platform settings of
//! `platformtest.Config()`, a sidecar double that answers like the Go tests' mock
//! client, the test nodes, and thin wrappers around the reconciler, planner and
//! executor.

// Shared by several test binaries, each using a part of it.
#![allow(dead_code)]

use std::cell::{RefCell, RefMut};
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use serde_json::{json, Value};

use nodectl::api::{PlannedTask, SeiNode, TaskPlan, API_VERSION, SEINODE_KIND};
use nodectl::env::{Clock, Dns, Env, Ids, ReconcileOutcome, Requeue};
use nodectl::planner::{self, PlanOwner};
use nodectl::platform::Platform;
use nodectl::resources;
use nodectl::sidecar::{SidecarCall, SidecarError, Sidecars, TaskRequest, TaskState, Via};
use nodectl::world::ApiServer;

pub const NS: &str = "default";
pub const NOW: &str = "2026-01-01T00:00:00Z";

/// `platformtest.Config()`: the operator's test platform settings are the ones nodectl
/// uses by default (GatewayPublicDomain empty in both).
pub fn platform_test_config() -> Platform {
    Platform::default()
}

// ------------------------------------------------------------------ sidecar double

/// What the sidecar double has seen and how it answers.
#[derive(Debug, Default)]
pub struct MockState {
    /// Every submission, failed ones included.
    pub submitted: Vec<TaskRequest>,
    /// Every submission fails with this text.
    pub submit_error: Option<String>,
    /// GetTask answers by task id; an unknown id is a 404.
    pub results: HashMap<String, TaskState>,
    /// Copied into `results` by every accepted submission.
    pub post_submit_results: HashMap<String, TaskState>,
    /// Every poll fails with this text.
    pub get_task_error: Option<String>,
    /// Building a client fails with this text.
    pub build_error: Option<String>,
}

/// A sidecar fleet answering from a shared [`MockState`]; the test keeps a clone to
/// script answers and inspect submissions between calls.
#[derive(Debug, Clone, Default)]
pub struct MockSidecar(Rc<RefCell<MockState>>);

impl MockSidecar {
    pub fn state(&self) -> RefMut<'_, MockState> {
        self.0.borrow_mut()
    }

    pub fn submitted_count(&self) -> usize {
        self.0.borrow().submitted.len()
    }

    /// The result of a finished task: failed when `error` is given, else completed.
    pub fn finish(&self, task_id: &str, error: Option<&str>) {
        let state = match error {
            Some(e) if !e.is_empty() => TaskState::Failed(e.to_string()),
            _ => TaskState::Completed,
        };
        self.state().results.insert(task_id.to_string(), state);
    }
}

impl Sidecars for MockSidecar {
    fn build_client(&mut self, _url: &str) -> Result<(), String> {
        match &self.0.borrow().build_error {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    fn submit_task(
        &mut self,
        _via: Via,
        _url: &str,
        request: &TaskRequest,
    ) -> Result<String, SidecarError> {
        let mut state = self.state();
        state.submitted.push(request.clone());
        if let Some(e) = &state.submit_error {
            return Err(SidecarError::Other(e.clone()));
        }
        let post = state.post_submit_results.clone();
        state.results.extend(post);
        Ok(request.id.clone().unwrap_or_default())
    }

    fn get_task(&mut self, _via: Via, _url: &str, id: &str) -> Result<TaskState, SidecarError> {
        let state = self.0.borrow();
        if let Some(e) = &state.get_task_error {
            return Err(SidecarError::Other(e.clone()));
        }
        state.results.get(id).cloned().ok_or(SidecarError::NotFound)
    }

    fn status(&mut self, _url: &str) -> Result<String, SidecarError> {
        Ok("Ready".into())
    }

    fn node_id(&mut self, _url: &str) -> Result<String, SidecarError> {
        Err(SidecarError::NotFound)
    }

    fn take_calls(&mut self) -> Vec<SidecarCall> {
        Vec::new()
    }
}

// ---------------------------------------------------------------------- the world

/// An environment with the test platform, the sidecar double and `objects` stored.
pub fn env_with(mock: &MockSidecar, objects: &[Value]) -> Env {
    let mut api = ApiServer::new(NOW);
    for object in objects {
        api.load(object.clone()).expect("test object loads");
    }
    Env {
        api,
        sidecars: Box::new(mock.clone()),
        dns: Dns::default(),
        events: Vec::new(),
        ids: Ids::seeded("operator-node"),
        clock: Clock::parse(NOW).expect("valid time"),
        platform: platform_test_config(),
        jobs_complete: false,
    }
}

/// An environment with an empty store.
pub fn empty_env(mock: &MockSidecar) -> Env {
    env_with(mock, &[])
}

/// One reconcile of SeiNode `default/<name>`.
pub fn reconcile(env: &mut Env, name: &str) -> ReconcileOutcome {
    nodectl::controller::node::reconcile(env, NS, name)
}

/// One reconcile that must succeed.
pub fn reconcile_ok(env: &mut Env, name: &str) -> Requeue {
    let outcome = reconcile(env, name);
    assert_eq!(outcome.error, None, "reconcile of {name} failed");
    outcome.result
}

/// The stored SeiNode `default/<name>`.
pub fn fetch(env: &Env, name: &str) -> SeiNode {
    let stored = env
        .api
        .get(API_VERSION, SEINODE_KIND, NS, name)
        .expect("SeiNode is stored");
    SeiNode::from_value(&stored).expect("stored SeiNode decodes")
}

/// A stored object of the default namespace, if present.
pub fn stored(env: &Env, api_version: &str, kind: &str, name: &str) -> Option<Arc<Value>> {
    env.api
        .get_opt(api_version, kind, NS, name)
        .expect("kind is served")
}

// ------------------------------------------------------------- planner / executor

/// Resolves the node's plan (Go's `mustBuildPlan`) and returns it.
pub fn must_build_plan(env: &mut Env, node: &mut SeiNode) -> TaskPlan {
    planner::resolve_plan(env, node).expect("ResolvePlan succeeds");
    node.status.plan.clone().expect("a plan is set")
}

/// Runs the executor on the node's own plan, with the node's sidecar URL.
pub fn execute(env: &mut Env, node: &mut SeiNode) -> Result<Requeue, String> {
    let sidecar = Ok(resources::node_sidecar_url(node));
    planner::execute_plan(env, &mut PlanOwner::Node(node), &sidecar)
}

pub fn plan_of(node: &SeiNode) -> &TaskPlan {
    node.status.plan.as_ref().expect("node has a plan")
}

pub fn task_types(plan: &TaskPlan) -> Vec<&str> {
    plan.tasks().iter().map(|t| t.type_.as_str()).collect()
}

pub fn find_task<'p>(plan: &'p TaskPlan, task_type: &str) -> Option<&'p PlannedTask> {
    plan.tasks().iter().find(|t| t.type_ == task_type)
}

/// The first task that is not Complete (Go's `planner.CurrentTask`).
pub fn current_task(plan: &TaskPlan) -> Option<&PlannedTask> {
    plan.tasks().iter().find(|t| t.status != "Complete")
}

/// Marks every task of the node's plan Complete.
pub fn complete_all_tasks(node: &mut SeiNode) {
    let plan = node.status.plan.as_mut().expect("node has a plan");
    for task in plan.tasks_mut() {
        task.status = "Complete".into();
    }
}

/// Marks the three infrastructure tasks Complete.
pub fn complete_infra_tasks(node: &mut SeiNode) {
    let plan = node.status.plan.as_mut().expect("node has a plan");
    for task in plan.tasks_mut() {
        if matches!(
            task.type_.as_str(),
            "ensure-data-pvc" | "apply-statefulset" | "apply-service"
        ) {
            task.status = "Complete".into();
        }
    }
}

// ---------------------------------------------------------------------- the nodes

pub fn seinode(object: &Value) -> SeiNode {
    SeiNode::from_value(object).expect("test SeiNode decodes")
}

fn object(name: &str, extra_meta: Value, spec: Value) -> Value {
    let mut metadata = json!({"name": name, "namespace": NS});
    if let (Some(meta), Value::Object(extra)) = (metadata.as_object_mut(), extra_meta) {
        meta.extend(extra);
    }
    json!({"apiVersion": API_VERSION, "kind": SEINODE_KIND, "metadata": metadata, "spec": spec})
}

fn ec2_peers(chain: &str) -> Value {
    json!([{"ec2Tags": {"region": "eu-central-1", "tags": {"ChainIdentifier": chain}}}])
}

fn sidecar_config() -> Value {
    json!({"image": "sidecar:latest", "port": 7777})
}

/// A full node restoring an S3 snapshot (`snapshotNode`).
pub fn snapshot_node() -> Value {
    object(
        "test-node",
        json!({"generation": 1}),
        json!({
            "chainId": "atlantic-2",
            "image": "sei:latest",
            "fullNode": {"snapshot": {
                "s3": {"targetHeight": 100000000},
                "trustPeriod": "9999h0m0s",
            }},
            "sidecar": sidecar_config(),
        }),
    )
}

/// A state-syncing full node with EC2 peers (`peerSyncNode`).
pub fn peer_sync_node() -> Value {
    object(
        "test-node",
        json!({"generation": 1}),
        json!({
            "chainId": "atlantic-2",
            "image": "sei:latest",
            "peers": ec2_peers("atlantic-2"),
            "fullNode": {"snapshot": {"stateSync": {}}},
            "sidecar": sidecar_config(),
        }),
    )
}

/// A validator syncing from genesis (`genesisNode`).
pub fn genesis_node() -> Value {
    object(
        "test-node",
        json!({"generation": 1}),
        json!({
            "chainId": "arctic-1",
            "image": "sei:latest",
            "validator": {},
            "sidecar": sidecar_config(),
        }),
    )
}

/// An archive node generating snapshots (`snapshotterNode`).
pub fn snapshotter_node() -> Value {
    object(
        "test-node",
        json!({"generation": 1}),
        json!({
            "chainId": "atlantic-2",
            "image": "sei:latest",
            "peers": ec2_peers("atlantic-2"),
            "archive": {"snapshotGeneration": {"keepRecent": 5}},
            "sidecar": sidecar_config(),
        }),
    )
}

/// A replayer restoring an S3 snapshot (`replayerNode`).
pub fn replayer_node() -> Value {
    object(
        "test-replayer",
        json!({"generation": 1}),
        json!({
            "chainId": "pacific-1",
            "image": "sei:latest",
            "peers": ec2_peers("pacific-1"),
            "replayer": {"snapshot": {"s3": {"targetHeight": 100000000}}},
            "sidecar": sidecar_config(),
        }),
    )
}

/// `replayerNode` with a bootstrap image (`bootstrapReplayerNode`).
pub fn bootstrap_replayer_node() -> Value {
    let mut node = replayer_node();
    node["spec"]["replayer"]["snapshot"]["bootstrapImage"] = json!("sei:bootstrap");
    node
}

/// The reconciler tests' validator (`newGenesisNode`).
pub fn new_genesis_node(name: &str) -> Value {
    object(
        name,
        json!({}),
        json!({
            "chainId": "sei-test",
            "image": "ghcr.io/sei-protocol/seid:latest",
            "entrypoint": {"command": ["seid"], "args": ["start"]},
            "validator": {},
            "sidecar": {"port": 7777},
        }),
    )
}

/// The reconciler tests' snapshot full node (`newSnapshotNode`).
pub fn new_snapshot_node(name: &str) -> Value {
    object(
        name,
        json!({}),
        json!({
            "chainId": "sei-test",
            "image": "ghcr.io/sei-protocol/seid:latest",
            "fullNode": {"snapshot": {
                "s3": {"targetHeight": 100000000},
                "trustPeriod": "9999h0m0s",
            }},
            "sidecar": {"port": 7777},
        }),
    )
}
