//! Controller-side infrastructure tasks: the data PVC (created once) and the
//! StatefulSet and headless Service (server-side applied from the live spec).

use serde_json::Value;

use super::{
    EnsureDataPVCParams, ExecutionConfig, ExecutionStatus, TaskBase, TaskError, TaskExecution,
};
use crate::api::SeiNode;
use crate::env::Env;
use crate::platform::Platform;
use crate::resources;

/// ensure-data-pvc: creates `data-{name}`; an existing PVC counts as done.
#[derive(Debug)]
pub struct EnsureDataPvc {
    base: TaskBase,
}

impl EnsureDataPvc {
    pub fn new(_params: EnsureDataPVCParams) -> Self {
        EnsureDataPvc {
            base: TaskBase::default(),
        }
    }
}

impl TaskExecution for EnsureDataPvc {
    fn execute(&mut self, env: &mut Env, cfg: &ExecutionConfig) -> Result<(), TaskError> {
        let node = cfg.owner.node()?;
        let body = resources::data_pvc(node, &env.platform);
        match env.api.create("v1", "PersistentVolumeClaim", body) {
            Ok(_) => {}
            Err(e) if e.is_already_exists() => {}
            Err(e) => return Err(TaskError::Transient(format!("creating data PVC: {e}"))),
        }
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

/// A server-side applied node resource (StatefulSet or headless Service).
#[derive(Debug)]
pub struct ApplyNodeResource {
    base: TaskBase,
    api_version: &'static str,
    kind: &'static str,
    /// Lower-case name used in error texts.
    label: &'static str,
    generate: fn(&SeiNode, &Platform) -> Value,
}

impl TaskExecution for ApplyNodeResource {
    fn execute(&mut self, env: &mut Env, cfg: &ExecutionConfig) -> Result<(), TaskError> {
        let node = cfg.owner.node()?;
        let body = (self.generate)(node, &env.platform);
        env.api
            .apply(self.api_version, self.kind, body, resources::FIELD_MANAGER)
            .map_err(|e| TaskError::Transient(format!("applying {}: {e}", self.label)))?;
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

/// apply-statefulset: the StatefulSet generated from the live spec.
pub fn apply_statefulset() -> ApplyNodeResource {
    ApplyNodeResource {
        base: TaskBase::default(),
        api_version: "apps/v1",
        kind: "StatefulSet",
        label: "statefulset",
        generate: resources::statefulset,
    }
}

/// apply-service: the headless Service generated from the live spec.
pub fn apply_service() -> ApplyNodeResource {
    ApplyNodeResource {
        base: TaskBase::default(),
        api_version: "v1",
        kind: "Service",
        label: "service",
        generate: resources::headless_service,
    }
}
