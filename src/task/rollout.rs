//! Tasks of the InPlace, BlueGreen and HardFork rollouts.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::nodes::{get_node, group_params, node_client, validate_owner};
use super::{
    ExecutionConfig, ExecutionStatus, GoKind, GoParams, TaskBase, TaskError, TaskExecution,
};
use crate::api::{ObjectMeta, SeiNode, API_VERSION, SEINODEDEPLOYMENT_KIND, SEINODE_KIND};
use crate::env::Env;
use crate::resources::labels::{controller_reference, GROUP_LABEL, ORDINAL_LABEL, REVISION_LABEL};
use crate::sidecar::{SidecarError, TaskRequest, TaskState, Via};
use crate::world::json::create_merge_patch;
use crate::world::DeleteOptions;

pub const CREATE_ENTRANT_NODES: &str = "create-entrant-nodes";
pub const UPDATE_NODE_SPECS: &str = "update-node-specs";
pub const AWAIT_SPEC_UPDATE: &str = "await-spec-update";
pub const MARK_NODES_READY: &str = "mark-nodes-ready";
pub const SUBMIT_HALT_SIGNAL: &str = "submit-halt-signal";
pub const AWAIT_NODES_AT_HEIGHT: &str = "await-nodes-at-height";
pub const AWAIT_NODES_CAUGHT_UP: &str = "await-nodes-caught-up";
pub const SWITCH_TRAFFIC: &str = "switch-traffic";
pub const TEARDOWN_NODES: &str = "teardown-nodes";

/// Namespace of the per-node sidecar ids of rollout tasks (`<node>/<kind>/<task id>`).
const DEPLOYMENT_TASK_NAMESPACE: uuid::Uuid =
    uuid::Uuid::from_u128(0xd4a7e1f3_8b29_4c6d_a5e0_2f1d3c4b5a6e);
const AWAIT_CONDITION: &str = "await-condition";
const MARK_READY: &str = "mark-ready";
const SIDECAR_READY: &str = "Ready";

/// The sidecar task id a rollout task uses on one node.
pub fn deployment_task_id(node: &str, kind: &str, parent_id: &str) -> String {
    uuid::Uuid::new_v5(
        &DEPLOYMENT_TASK_NAMESPACE,
        format!("{node}/{kind}/{parent_id}").as_bytes(),
    )
    .to_string()
}

/// `{namespace, nodeNames}` (plus a group name, revision or height where the task needs one).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct NodeListParams {
    pub group_name: String,
    pub namespace: String,
    pub entrant_revision: String,
    pub node_names: Option<Vec<String>>,
    pub halt_height: i64,
    pub target_height: i64,
}

impl NodeListParams {
    fn names(&self) -> Vec<String> {
        self.node_names.clone().unwrap_or_default()
    }
}

/// Go has one params struct per task type; only the name and fields differ in errors.
macro_rules! node_list_params {
    ($($ty:ident: [$(($field:literal, $kind:ident)),*]),* $(,)?) => {$(
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $ty(pub NodeListParams);
        group_params!($ty, [$(($field, $kind)),*]);
        impl From<$ty> for NodeListParams {
            fn from(p: $ty) -> Self {
                p.0
            }
        }
    )*};
}
node_list_params!(
    CreateEntrantNodesParams: [("groupName", String), ("namespace", String), ("entrantRevision", String), ("nodeNames", StringSlice)],
    UpdateNodeSpecsParams: [("groupName", String), ("namespace", String), ("nodeNames", StringSlice)],
    AwaitSpecUpdateParams: [("namespace", String), ("nodeNames", StringSlice)],
    MarkNodesReadyParams: [("namespace", String), ("nodeNames", StringSlice)],
    SubmitHaltSignalParams: [("namespace", String), ("nodeNames", StringSlice), ("haltHeight", Int64)],
    AwaitNodesAtHeightParams: [("namespace", String), ("nodeNames", StringSlice), ("targetHeight", Int64)],
    AwaitNodesCaughtUpParams: [("namespace", String), ("nodeNames", StringSlice)],
    SwitchTrafficParams: [("groupName", String), ("namespace", String), ("entrantRevision", String)],
    TeardownNodesParams: [("namespace", String), ("nodeNames", StringSlice)],
);

/// Which rollout task a [`RolloutTask`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RolloutStep {
    CreateEntrantNodes,
    UpdateNodeSpecs,
    AwaitSpecUpdate,
    MarkNodesReady,
    SubmitHaltSignal,
    AwaitNodesAtHeight,
    AwaitNodesCaughtUp,
    SwitchTraffic,
    TeardownNodes,
}

/// One rollout task: its step, params and the planned task id.
pub struct RolloutTask {
    step: RolloutStep,
    id: String,
    params: NodeListParams,
    base: TaskBase,
}

impl RolloutTask {
    pub fn new(step: RolloutStep, id: &str, params: NodeListParams) -> Self {
        RolloutTask {
            step,
            id: id.to_string(),
            params,
            base: TaskBase::default(),
        }
    }

    fn create_entrants(&mut self, env: &mut Env, cfg: &ExecutionConfig) -> Result<(), TaskError> {
        let group = cfg.owner.deployment().map_err(TaskError::Terminal)?;
        let ns = self.params.namespace.clone();
        for (ordinal, name) in self.params.names().iter().enumerate() {
            match get_node(env, &ns, name) {
                Ok(_) => continue,
                Err(e) if !e.is_not_found() => {
                    return Err(format!("checking if entrant node {name} exists: {e}").into());
                }
                Err(_) => {}
            }
            let mut spec = group.spec.template.spec.clone();
            spec.pod_labels
                .insert(GROUP_LABEL.into(), self.params.group_name.clone());
            spec.pod_labels
                .insert(REVISION_LABEL.into(), self.params.entrant_revision.clone());
            let node = SeiNode {
                metadata: ObjectMeta {
                    name: name.clone(),
                    namespace: ns.clone(),
                    labels: [
                        (GROUP_LABEL.to_string(), self.params.group_name.clone()),
                        (ORDINAL_LABEL.to_string(), ordinal.to_string()),
                        (
                            REVISION_LABEL.to_string(),
                            self.params.entrant_revision.clone(),
                        ),
                    ]
                    .into(),
                    owner_references: vec![controller_reference(group)],
                    ..Default::default()
                },
                spec,
                ..Default::default()
            };
            // SetControllerReference refuses a cross-namespace owner (a transient error here).
            validate_owner(group.namespace(), &ns)
                .map_err(|e| format!("setting owner reference on {name}: {e}"))?;
            match env.api.create(API_VERSION, SEINODE_KIND, node.to_value()) {
                Err(e) if !e.is_already_exists() => {
                    return Err(format!("creating entrant node {name}: {e}").into())
                }
                _ => {}
            }
        }
        self.base.complete();
        Ok(())
    }

    fn update_specs(&mut self, env: &mut Env, cfg: &ExecutionConfig) -> Result<(), TaskError> {
        let group = cfg.owner.deployment().map_err(TaskError::Terminal)?;
        let template = &group.spec.template.spec;
        for name in self.params.names() {
            let mut node = get_node(env, &self.params.namespace, &name)
                .map_err(|e| format!("getting node {name}: {e}"))?;
            if node.spec.image == template.image {
                continue;
            }
            node.spec.image = template.image.clone();
            if let (Some(wanted), Some(current)) = (&template.sidecar, node.spec.sidecar.as_mut()) {
                current.image = wanted.image.clone();
            }
            env.api
                .update(API_VERSION, SEINODE_KIND, node.to_value(), false)
                .map_err(|e| format!("updating node {name} spec: {e}"))?;
        }
        self.base.complete();
        Ok(())
    }

    fn submit_halt_signals(&mut self, env: &mut Env) {
        for name in self.params.names() {
            let Ok((_, url)) = node_client(env, &self.params.namespace, &name) else {
                continue;
            };
            let request = TaskRequest {
                id: Some(deployment_task_id(&name, "halt-signal", &self.id)),
                task_type: AWAIT_CONDITION.into(),
                params: Some(
                    json!({"condition": "height", "targetHeight": self.params.halt_height, "action": "SIGTERM_SEID"}),
                ),
            };
            // Best effort: failures are only logged by the operator.
            let _ = env.sidecars.submit_task(Via::Http, &url, &request);
        }
        self.base.complete();
    }

    fn submit_height_waits(&self, env: &mut Env) -> Result<(), TaskError> {
        for name in self.params.names() {
            let (_, url) = node_client(env, &self.params.namespace, &name)?;
            let request = TaskRequest {
                id: Some(deployment_task_id(&name, "await-height", &self.id)),
                task_type: AWAIT_CONDITION.into(),
                params: Some(
                    json!({"condition": "height", "targetHeight": self.params.target_height}),
                ),
            };
            env.sidecars
                .submit_task(Via::Http, &url, &request)
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    fn switch_traffic(&mut self, env: &mut Env, cfg: &ExecutionConfig) -> Result<(), TaskError> {
        let group = cfg.owner.deployment().map_err(TaskError::Terminal)?;
        let mut switched = group.clone();
        let Some(rollout) = switched.status.rollout.as_mut() else {
            return Err(TaskError::Terminal(format!(
                "no rollout status on group {}",
                self.params.group_name
            )));
        };
        rollout.incumbent_revision = self.params.entrant_revision.clone();
        let patch = create_merge_patch(&group.to_value(), &switched.to_value());
        env.api
            .merge_patch(
                API_VERSION,
                SEINODEDEPLOYMENT_KIND,
                group.namespace(),
                group.name(),
                patch,
                true,
            )
            .map_err(|e| format!("patching rollout revision: {e}"))?;
        self.base.complete();
        Ok(())
    }

    fn teardown(&mut self, env: &mut Env) -> Result<(), TaskError> {
        let ns = self.params.namespace.clone();
        for name in self.params.names() {
            match get_node(env, &ns, &name) {
                Err(e) if e.is_not_found() => continue,
                Err(e) => return Err(format!("getting incumbent node {name}: {e}").into()),
                Ok(_) => {}
            }
            match env.api.delete(
                API_VERSION,
                SEINODE_KIND,
                &ns,
                &name,
                DeleteOptions::default(),
            ) {
                Err(e) if !e.is_not_found() => {
                    return Err(format!("deleting incumbent node {name}: {e}").into())
                }
                _ => {}
            }
        }
        self.base.complete();
        Ok(())
    }

    /// Complete once every node's `currentImage` equals its `spec.image`.
    fn specs_converged(&self, env: &Env) -> bool {
        self.params.names().iter().all(|name| {
            get_node(env, &self.params.namespace, name)
                .is_ok_and(|n| n.status.current_image == n.spec.image)
        })
    }

    /// Polls `/v0/status` per node; a node that is not Ready gets a `mark-ready` task.
    fn mark_ready(&self, env: &mut Env) -> bool {
        let mut all_ready = true;
        for name in self.params.names() {
            let Ok((_, url)) = node_client(env, &self.params.namespace, &name) else {
                all_ready = false;
                continue;
            };
            match env.sidecars.status(&url) {
                Ok(status) if status == SIDECAR_READY => {}
                Ok(_) => {
                    let request = TaskRequest {
                        id: None,
                        task_type: MARK_READY.into(),
                        params: None,
                    };
                    // Submission errors are only logged by the operator.
                    let _ = env.sidecars.submit_task(Via::Http, &url, &request);
                    all_ready = false;
                }
                Err(_) => all_ready = false,
            }
        }
        all_ready
    }

    /// True when every node's sidecar reports Ready (stops at the first that is not).
    fn caught_up(&self, env: &mut Env) -> bool {
        self.params.names().iter().all(|name| {
            node_client(env, &self.params.namespace, name)
                .ok()
                .and_then(|(_, url)| env.sidecars.status(&url).ok())
                .is_some_and(|s| s == SIDECAR_READY)
        })
    }

    /// Polls the await-height task of every entrant in order.
    fn heights_reached(&mut self, env: &mut Env) -> ExecutionStatus {
        for name in self.params.names() {
            let Ok((_, url)) = node_client(env, &self.params.namespace, &name) else {
                return ExecutionStatus::Running;
            };
            let id = deployment_task_id(&name, "await-height", &self.id);
            match env.sidecars.get_task(Via::Http, &url, &id) {
                Ok(TaskState::Completed) => {}
                Ok(TaskState::Failed(message)) => {
                    let message = if message.is_empty() {
                        "unknown error".to_string()
                    } else {
                        message
                    };
                    self.base
                        .fail(format!("await-height failed on {name}: {message}"));
                    return self.base.status;
                }
                Ok(TaskState::Running)
                | Err(
                    SidecarError::NotFound | SidecarError::Unreachable(_) | SidecarError::Other(_),
                ) => {
                    return ExecutionStatus::Running;
                }
            }
        }
        self.base.complete();
        self.base.status
    }
}

impl TaskExecution for RolloutTask {
    fn execute(&mut self, env: &mut Env, cfg: &ExecutionConfig) -> Result<(), TaskError> {
        match self.step {
            RolloutStep::CreateEntrantNodes => self.create_entrants(env, cfg),
            RolloutStep::UpdateNodeSpecs => self.update_specs(env, cfg),
            RolloutStep::SubmitHaltSignal => {
                self.submit_halt_signals(env);
                Ok(())
            }
            RolloutStep::AwaitNodesAtHeight => self.submit_height_waits(env),
            RolloutStep::SwitchTraffic => self.switch_traffic(env, cfg),
            RolloutStep::TeardownNodes => self.teardown(env),
            RolloutStep::AwaitSpecUpdate
            | RolloutStep::MarkNodesReady
            | RolloutStep::AwaitNodesCaughtUp => Ok(()),
        }
    }

    fn status(&mut self, env: &mut Env, _cfg: &ExecutionConfig) -> ExecutionStatus {
        if let Some(done) = self.base.terminal() {
            return done;
        }
        let done = match self.step {
            RolloutStep::AwaitSpecUpdate => self.specs_converged(env),
            RolloutStep::MarkNodesReady => self.mark_ready(env),
            RolloutStep::AwaitNodesCaughtUp => self.caught_up(env),
            RolloutStep::AwaitNodesAtHeight => return self.heights_reached(env),
            _ => false,
        };
        if done {
            self.base.complete();
        }
        self.base.status
    }

    fn error(&self) -> Option<String> {
        self.base.error.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halt_and_height_ids_match_vectors() {
        assert_eq!(
            deployment_task_id(
                "grp-g2-0",
                "await-height",
                "d527d531-6f79-5807-953c-6b6f524f05a8"
            ),
            "d7e2f5e6-1d63-558b-b397-221c006658aa"
        );
        assert_eq!(
            deployment_task_id(
                "grp-0",
                "halt-signal",
                "053c8978-95ed-58cf-b077-21f3cd3e6402"
            ),
            "68afe421-dc8d-5002-90e8-7e6ae695555c"
        );
    }
}
