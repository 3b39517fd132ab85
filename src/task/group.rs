//! Controller-side tasks of group plans that read or patch child SeiNodes and
//! talk to their sidecars over HTTP: await-nodes-running and collect-and-set-peers,
//! plus the helpers the rollout and fork tasks share.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{
    decode_params, ExecutionConfig, ExecutionStatus, GoKind, GoParams, TaskBase, TaskError,
    TaskExecution,
};
use crate::api::{node_phase, SeiNode, API_VERSION, SEINODE_KIND};
use crate::env::Env;
use crate::sidecar::sidecar_url;
use crate::world::json::create_merge_patch;

/// The sidecar port when a node does not set one.
const DEFAULT_SIDECAR_PORT: i64 = 7777;
/// P2P port used in collected peer addresses.
const P2P_PORT: i64 = 26656;

/// Implements [`GoParams`] for a group-task params struct.
macro_rules! group_params {
    ($ty:ident, [$(($field:literal, $kind:ident)),* $(,)?]) => {
        impl GoParams for $ty {
            const GO_NAME: &'static str = stringify!($ty);
            const FIELDS: &'static [(&'static str, GoKind)] = &[$(($field, GoKind::$kind)),*];
        }
    };
}
pub(crate) use group_params;

/// Decodes a controller-side task's params, wrapping errors as the operator does.
pub fn task_params<P: GoParams + DeserializeOwned + Default>(
    task_type: &str,
    params: Option<&serde_json::Value>,
) -> Result<P, String> {
    decode_params(params).map_err(|e| format!("deserializing {task_type} params: {e}"))
}

/// Gets a SeiNode by name as the typed client returns it.
pub fn get_node(env: &Env, namespace: &str, name: &str) -> Result<SeiNode, crate::world::ApiError> {
    let object = env.api.get(API_VERSION, SEINODE_KIND, namespace, name)?;
    let mut node = SeiNode::from_value(&object).unwrap_or_default();
    node.kind = None;
    node.api_version = None;
    Ok(node)
}

/// The pod-DNS sidecar URL of a node (its sidecar port, else 7777).
pub fn node_sidecar_url(node: &SeiNode) -> String {
    let port = node
        .spec
        .sidecar
        .as_ref()
        .map(|s| i64::from(s.port))
        .filter(|p| *p != 0)
        .unwrap_or(DEFAULT_SIDECAR_PORT);
    sidecar_url(node.name(), node.namespace(), port)
}

/// Gets a node and the URL of its sidecar; a failed read is reported as text.
///
/// Group tasks make their client from the node's pod DNS name
/// (`sidecarClientForNode`), which never fails, so the execution config's client
/// builder (and the scenario's `buildError`, PARITY.md §2.1) is not consulted here.
pub fn node_client(
    env: &mut Env,
    namespace: &str,
    name: &str,
) -> Result<(SeiNode, String), String> {
    let node = get_node(env, namespace, name).map_err(|e| format!("getting node {name}: {e}"))?;
    let url = node_sidecar_url(&node);
    Ok((node, url))
}

pub const AWAIT_NODES_RUNNING: &str = "await-nodes-running";
pub const COLLECT_AND_SET_PEERS: &str = "collect-and-set-peers";

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AwaitNodesRunningParams {
    pub group_name: String,
    pub namespace: String,
    pub expected: i64,
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "crate::api::gojson::null_default"
    )]
    pub node_names: Vec<String>,
}
group_params!(
    AwaitNodesRunningParams,
    [
        ("groupName", String),
        ("namespace", String),
        ("expected", Int),
        ("nodeNames", StringSlice),
    ]
);

/// Waits until `expected` target nodes are Running; any Failed target fails it.
pub struct AwaitNodesRunning {
    params: AwaitNodesRunningParams,
    base: TaskBase,
}

impl AwaitNodesRunning {
    pub fn new(params: AwaitNodesRunningParams) -> Self {
        AwaitNodesRunning {
            params,
            base: TaskBase::default(),
        }
    }

    fn targets(&self, env: &Env) -> Option<Vec<SeiNode>> {
        let ns = &self.params.namespace;
        if self.params.node_names.is_empty() {
            let selector = [(
                crate::controller::deployment::labels::GROUP_LABEL,
                self.params.group_name.as_str(),
            )];
            let objects = env
                .api
                .list(API_VERSION, SEINODE_KIND, Some(ns), &selector)
                .ok()?;
            return Some(
                objects
                    .iter()
                    .map(|o| SeiNode::from_value(o).unwrap_or_default())
                    .collect(),
            );
        }
        self.params
            .node_names
            .iter()
            .map(|name| get_node(env, ns, name).ok())
            .collect()
    }
}

impl TaskExecution for AwaitNodesRunning {
    fn execute(&mut self, _env: &mut Env, _cfg: &ExecutionConfig) -> Result<(), TaskError> {
        Ok(())
    }

    fn status(&mut self, env: &mut Env, _cfg: &ExecutionConfig) -> ExecutionStatus {
        if let Some(done) = self.base.terminal() {
            return done;
        }
        let Some(nodes) = self.targets(env) else {
            return ExecutionStatus::Running;
        };
        let mut running = 0;
        for node in &nodes {
            match node.status.phase.as_str() {
                node_phase::RUNNING => running += 1,
                node_phase::FAILED => {
                    self.base
                        .fail(format!("node {} is in Failed phase", node.name()));
                    return self.base.status;
                }
                _ => {}
            }
        }
        if running >= self.params.expected {
            self.base.complete();
        }
        self.base.status
    }

    fn error(&self) -> Option<String> {
        self.base.error.clone()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CollectAndSetPeersParams {
    pub group_name: String,
    pub namespace: String,
    pub node_names: Option<Vec<String>>,
}
group_params!(
    CollectAndSetPeersParams,
    [
        ("groupName", String),
        ("namespace", String),
        ("nodeNames", StringSlice)
    ]
);

/// Reads every node's id and sets the full static peer list on each node.
pub struct CollectAndSetPeers {
    params: CollectAndSetPeersParams,
    base: TaskBase,
}

impl CollectAndSetPeers {
    pub fn new(params: CollectAndSetPeersParams) -> Self {
        CollectAndSetPeers {
            params,
            base: TaskBase::default(),
        }
    }

    fn names(&self) -> &[String] {
        self.params.node_names.as_deref().unwrap_or_default()
    }

    fn collect_peers(&self, env: &mut Env) -> Result<Vec<String>, String> {
        let ns = self.params.namespace.clone();
        let mut peers = Vec::new();
        for name in self.names() {
            let (_, url) = node_client(env, &ns, name)?;
            let node_id = env
                .sidecars
                .node_id(&url)
                .map_err(|e| format!("getting node ID for {name}: {e}"))?;
            peers.push(format!(
                "{node_id}@{name}-0.{name}.{ns}.svc.cluster.local:{P2P_PORT}"
            ));
        }
        Ok(peers)
    }

    fn set_peers(&self, env: &mut Env, peers: &[String]) -> Result<(), String> {
        let ns = &self.params.namespace;
        for name in self.names() {
            let node = get_node(env, ns, name).map_err(|e| format!("getting node {name}: {e}"))?;
            let mut desired = node.clone();
            desired.spec.peers = serde_json::from_value(json!([{"static": {"addresses": peers}}]))
                .unwrap_or_default();
            let patch = create_merge_patch(&node.to_value(), &desired.to_value());
            env.api
                .merge_patch(API_VERSION, SEINODE_KIND, ns, name, patch, false)
                .map_err(|e| format!("setting peers on {name}: {e}"))?;
        }
        Ok(())
    }
}

impl TaskExecution for CollectAndSetPeers {
    fn execute(&mut self, env: &mut Env, _cfg: &ExecutionConfig) -> Result<(), TaskError> {
        let peers = self
            .collect_peers(env)
            .map_err(|e| format!("collecting peers: {e}"))?;
        self.set_peers(env, &peers)
            .map_err(|e| format!("setting peers: {e}"))?;
        self.base.complete();
        Ok(())
    }

    fn status(&mut self, _env: &mut Env, _cfg: &ExecutionConfig) -> ExecutionStatus {
        self.base.status
    }

    fn error(&self) -> Option<String> {
        self.base.error.clone()
    }
}

/// Rebuilds a group-plan task from its stored type and params; `None` for types
/// that are not group tasks.
pub fn deserialize_group_task(
    task_type: &str,
    id: &str,
    params: Option<&serde_json::Value>,
) -> Option<Result<Box<dyn TaskExecution>, String>> {
    use super::fork::{self as f, ExporterStep as E, ExporterTask};
    use super::rollout::{self as r, RolloutStep as R, RolloutTask};

    fn rollout<P>(
        task_type: &str,
        step: R,
        id: &str,
        params: Option<&serde_json::Value>,
    ) -> Result<Box<dyn TaskExecution>, String>
    where
        P: GoParams + DeserializeOwned + Default + Into<r::NodeListParams>,
    {
        let p: P = task_params(task_type, params)?;
        Ok(Box::new(RolloutTask::new(step, id, p.into())))
    }
    fn exporter<P>(
        task_type: &str,
        step: E,
        params: Option<&serde_json::Value>,
    ) -> Result<Box<dyn TaskExecution>, String>
    where
        P: GoParams + DeserializeOwned + Default + Into<f::ExporterParams>,
    {
        let p: P = task_params(task_type, params)?;
        Ok(Box::new(ExporterTask::new(step, p.into())))
    }

    Some(match task_type {
        AWAIT_NODES_RUNNING => task_params::<AwaitNodesRunningParams>(task_type, params)
            .map(|p| Box::new(AwaitNodesRunning::new(p)) as Box<dyn TaskExecution>),
        COLLECT_AND_SET_PEERS => task_params::<CollectAndSetPeersParams>(task_type, params)
            .map(|p| Box::new(CollectAndSetPeers::new(p)) as Box<dyn TaskExecution>),
        r::CREATE_ENTRANT_NODES => {
            rollout::<r::CreateEntrantNodesParams>(task_type, R::CreateEntrantNodes, id, params)
        }
        r::UPDATE_NODE_SPECS => {
            rollout::<r::UpdateNodeSpecsParams>(task_type, R::UpdateNodeSpecs, id, params)
        }
        r::AWAIT_SPEC_UPDATE => {
            rollout::<r::AwaitSpecUpdateParams>(task_type, R::AwaitSpecUpdate, id, params)
        }
        r::MARK_NODES_READY => {
            rollout::<r::MarkNodesReadyParams>(task_type, R::MarkNodesReady, id, params)
        }
        r::SUBMIT_HALT_SIGNAL => {
            rollout::<r::SubmitHaltSignalParams>(task_type, R::SubmitHaltSignal, id, params)
        }
        r::AWAIT_NODES_AT_HEIGHT => {
            rollout::<r::AwaitNodesAtHeightParams>(task_type, R::AwaitNodesAtHeight, id, params)
        }
        r::AWAIT_NODES_CAUGHT_UP => {
            rollout::<r::AwaitNodesCaughtUpParams>(task_type, R::AwaitNodesCaughtUp, id, params)
        }
        r::SWITCH_TRAFFIC => {
            rollout::<r::SwitchTrafficParams>(task_type, R::SwitchTraffic, id, params)
        }
        r::TEARDOWN_NODES => {
            rollout::<r::TeardownNodesParams>(task_type, R::TeardownNodes, id, params)
        }
        f::CREATE_EXPORTER => exporter::<f::CreateExporterParams>(task_type, E::Create, params),
        f::AWAIT_EXPORTER_RUNNING => {
            exporter::<f::AwaitExporterRunningParams>(task_type, E::AwaitRunning, params)
        }
        f::SUBMIT_EXPORT_STATE => {
            exporter::<f::SubmitExportStateParams>(task_type, E::SubmitExportState, params)
        }
        f::TEARDOWN_EXPORTER => {
            exporter::<f::TeardownExporterParams>(task_type, E::Teardown, params)
        }
        _ => return None,
    })
}
