//! Controller-side tasks of group plans that read or patch child SeiNodes and
//! talk to their sidecars over HTTP: await-nodes-running and collect-and-set-peers.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::nodes::{get_node, group_params, node_client};
use super::{
    ExecutionConfig, ExecutionStatus, GoKind, GoParams, TaskBase, TaskError, TaskExecution,
};
use crate::api::{node_phase, SeiNode, API_VERSION, SEINODE_KIND};
use crate::env::Env;
use crate::world::json::create_merge_patch;

/// P2P port used in collected peer addresses.
const P2P_PORT: i64 = 26656;

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
                crate::resources::labels::GROUP_LABEL,
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
