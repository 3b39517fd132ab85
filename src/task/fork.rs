//! Fork-genesis exporter tasks: create the exporter node, wait for it, have its
//! sidecar export state (6 h timeout on the simulated clock), tear it down.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::nodes::{get_node, group_params, validate_owner};
use super::{
    ExecutionConfig, ExecutionStatus, GoKind, GoParams, TaskBase, TaskError, TaskExecution,
};
use crate::api::node_phase;
use crate::api::{
    FullNodeSpec, ObjectMeta, S3SnapshotSource, SeiNode, SeiNodeSpec, SnapshotSource, API_VERSION,
    SEINODE_KIND,
};
use crate::env::{go_duration, parse_time, Env};
use crate::resources::labels::{controller_reference, EXPORTER_ROLE, GROUP_LABEL, ROLE_LABEL};
use crate::resources::node_sidecar_url;
use crate::sidecar::{TaskRequest, TaskState, Via};
use crate::world::DeleteOptions;

pub const CREATE_EXPORTER: &str = "create-exporter";
pub const AWAIT_EXPORTER_RUNNING: &str = "await-exporter-running";
pub const SUBMIT_EXPORT_STATE: &str = "submit-export-state";
pub const TEARDOWN_EXPORTER: &str = "teardown-exporter";

/// How long an exporter may take to export state, from its creation.
const EXPORT_STATE_TIMEOUT: Duration = Duration::from_secs(6 * 3600);
const EXPORT_STATE: &str = "export-state";

/// Params of every exporter task (Go has one struct per task; see the wrappers).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ExporterParams {
    pub group_name: String,
    pub exporter_name: String,
    pub namespace: String,
    #[serde(rename = "sourceChainId")]
    pub source_chain_id: String,
    pub source_image: String,
    pub export_height: i64,
}

macro_rules! exporter_params {
    ($($ty:ident: [$(($field:literal, $kind:ident)),*]),* $(,)?) => {$(
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $ty(pub ExporterParams);
        group_params!($ty, [$(($field, $kind)),*]);
        impl From<$ty> for ExporterParams {
            fn from(p: $ty) -> Self {
                p.0
            }
        }
    )*};
}
exporter_params!(
    CreateExporterParams: [("groupName", String), ("exporterName", String), ("namespace", String),
        ("sourceChainId", String), ("sourceImage", String), ("exportHeight", Int64)],
    AwaitExporterRunningParams: [("exporterName", String), ("namespace", String)],
    SubmitExportStateParams: [("exporterName", String), ("namespace", String), ("exportHeight", Int64),
        ("sourceChainId", String)],
    TeardownExporterParams: [("exporterName", String), ("namespace", String)],
);

/// Which exporter task an [`ExporterTask`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExporterStep {
    Create,
    AwaitRunning,
    SubmitExportState,
    Teardown,
}

/// One exporter task.
pub struct ExporterTask {
    step: ExporterStep,
    params: ExporterParams,
    base: TaskBase,
}

/// The sidecar id of the export: UUIDv5 over `<exporter>/export-state/0` in the task namespace.
pub fn export_task_id(exporter: &str) -> String {
    super::deterministic_task_id(exporter, EXPORT_STATE, 0)
}

impl ExporterTask {
    pub fn new(step: ExporterStep, params: ExporterParams) -> Self {
        ExporterTask {
            step,
            params,
            base: TaskBase::default(),
        }
    }

    fn exporter(&self, env: &Env) -> Result<SeiNode, crate::world::ApiError> {
        get_node(env, &self.params.namespace, &self.params.exporter_name)
    }

    fn delete_exporter(&self, env: &mut Env) -> Result<(), crate::world::ApiError> {
        let p = &self.params;
        match env.api.delete(
            API_VERSION,
            SEINODE_KIND,
            &p.namespace,
            &p.exporter_name,
            DeleteOptions::default(),
        ) {
            Err(e) if !e.is_not_found() => Err(e),
            _ => Ok(()),
        }
    }

    fn create(&mut self, env: &mut Env, cfg: &ExecutionConfig) -> Result<(), TaskError> {
        let group = cfg.owner.deployment().map_err(TaskError::Terminal)?;
        match self.exporter(env) {
            Ok(existing) if existing.status.phase == node_phase::FAILED => {
                self.delete_exporter(env)
                    .map_err(|e| format!("deleting failed exporter: {e}"))?;
                return Ok(());
            }
            Ok(_) => {
                self.base.complete();
                return Ok(());
            }
            Err(e) if !e.is_not_found() => {
                return Err(format!("checking exporter existence: {e}").into())
            }
            Err(_) => {}
        }
        let p = &self.params;
        let template = &group.spec.template.spec;
        let node = SeiNode {
            metadata: ObjectMeta {
                name: p.exporter_name.clone(),
                namespace: p.namespace.clone(),
                labels: [
                    (GROUP_LABEL.to_string(), p.group_name.clone()),
                    (ROLE_LABEL.to_string(), EXPORTER_ROLE.to_string()),
                ]
                .into(),
                owner_references: vec![controller_reference(group)],
                ..Default::default()
            },
            spec: SeiNodeSpec {
                chain_id: p.source_chain_id.clone(),
                image: p.source_image.clone(),
                sidecar: template.sidecar.clone(),
                peers: template.peers.clone(),
                full_node: Some(FullNodeSpec {
                    snapshot: Some(SnapshotSource {
                        s3: Some(S3SnapshotSource {
                            target_height: p.export_height,
                        }),
                        bootstrap_image: p.source_image.clone(),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            },
            ..Default::default()
        };
        // SetControllerReference refuses a cross-namespace owner: terminal here.
        validate_owner(group.namespace(), &p.namespace)
            .map_err(|e| TaskError::Terminal(format!("setting owner reference: {e}")))?;
        match env.api.create(API_VERSION, SEINODE_KIND, node.to_value()) {
            Err(e) if !e.is_already_exists() => Err(format!("creating exporter: {e}").into()),
            _ => {
                self.base.complete();
                Ok(())
            }
        }
    }

    fn submit_export(&self, env: &mut Env) -> Result<(), TaskError> {
        let node = self
            .exporter(env)
            .map_err(|e| format!("getting exporter node: {e}"))?;
        // The exporter's client comes from its pod DNS name and never fails to build.
        let url = node_sidecar_url(&node);
        let p = &self.params;
        let request = TaskRequest {
            id: Some(export_task_id(&p.exporter_name)),
            task_type: EXPORT_STATE.into(),
            params: Some(json!({
                "height": p.export_height,
                "chainId": p.source_chain_id,
                "s3Bucket": env.platform.genesis_bucket,
                "s3Key": format!("{}/exported-state.json", p.source_chain_id),
                "s3Region": env.platform.genesis_region,
            })),
        };
        env.sidecars
            .submit_task(Via::Http, &url, &request)
            .map_err(|e| format!("submitting export-state to exporter: {e}"))?;
        Ok(())
    }

    fn export_status(&mut self, env: &mut Env) -> ExecutionStatus {
        let Ok(node) = self.exporter(env) else {
            return ExecutionStatus::Running;
        };
        let created = node
            .metadata
            .creation_timestamp
            .as_deref()
            .and_then(parse_time);
        if created.is_some_and(|t| {
            (env.clock.now() - t)
                .to_std()
                .is_ok_and(|age| age > EXPORT_STATE_TIMEOUT)
        }) {
            self.base.fail(format!(
                "export-state timed out after {}",
                go_duration(EXPORT_STATE_TIMEOUT)
            ));
            return self.base.status;
        }
        let url = node_sidecar_url(&node);
        match env
            .sidecars
            .get_task(Via::Http, &url, &export_task_id(&self.params.exporter_name))
        {
            Ok(TaskState::Completed) => self.base.complete(),
            Ok(TaskState::Failed(message)) => {
                let message = if message.is_empty() {
                    "unknown error".to_string()
                } else {
                    message
                };
                self.base.fail(format!("export-state failed: {message}"));
            }
            _ => {}
        }
        self.base.status
    }
}

impl TaskExecution for ExporterTask {
    fn execute(&mut self, env: &mut Env, cfg: &ExecutionConfig) -> Result<(), TaskError> {
        match self.step {
            ExporterStep::Create => self.create(env, cfg),
            ExporterStep::AwaitRunning => Ok(()),
            ExporterStep::SubmitExportState => self.submit_export(env),
            ExporterStep::Teardown => match self.exporter(env) {
                Err(e) if e.is_not_found() => {
                    self.base.complete();
                    Ok(())
                }
                Err(e) => Err(format!("getting exporter for deletion: {e}").into()),
                Ok(_) => self
                    .delete_exporter(env)
                    .map_err(|e| format!("deleting exporter: {e}").into()),
            },
        }
    }

    fn status(&mut self, env: &mut Env, _cfg: &ExecutionConfig) -> ExecutionStatus {
        if let Some(done) = self.base.terminal() {
            return done;
        }
        let name = self.params.exporter_name.clone();
        match self.step {
            ExporterStep::Create => {}
            ExporterStep::AwaitRunning => match self.exporter(env) {
                Err(e) if e.is_not_found() => {
                    self.base.fail(format!(
                        "exporter {name} not found \u{2014} create-exporter may have failed"
                    ));
                }
                Ok(node) if node.status.phase == node_phase::RUNNING => self.base.complete(),
                Ok(node) if node.status.phase == node_phase::FAILED => {
                    self.base.fail(format!("exporter {name} failed"))
                }
                _ => {}
            },
            ExporterStep::SubmitExportState => return self.export_status(env),
            ExporterStep::Teardown => {
                if self.exporter(env).is_err_and(|e| e.is_not_found()) {
                    self.base.complete();
                }
            }
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
    fn export_id_matches_vector() {
        assert_eq!(
            export_task_id("fork-group-exporter"),
            "bf39cb3a-e5e2-502f-bdb0-72f509ecf9dc"
        );
    }
}
