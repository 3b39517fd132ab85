//! Sidecar-backed tasks: submitted to seictl with the plan's task id, then polled
//! (fire-and-forget tasks complete as soon as the submission is accepted).

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{
    decode_params, ExecutionConfig, ExecutionStatus, SidecarParams, TaskBase, TaskError,
    TaskExecution,
};
use crate::env::Env;
use crate::sidecar::{SidecarError, TaskRequest, TaskState, Via};

/// One sidecar task with typed params `P`.
#[derive(Debug)]
pub struct SidecarTask<P> {
    id: String,
    params: P,
    base: TaskBase,
    /// The client URL once built (Go caches the client per execution).
    client: Option<String>,
}

/// Rebuilds a sidecar task from its stored params.
pub fn task<P>(id: &str, params: Option<&Value>) -> Result<Box<dyn TaskExecution>, String>
where
    P: SidecarParams + DeserializeOwned + Default + 'static,
{
    let params: P =
        decode_params(params).map_err(|e| format!("deserializing params for task {id}: {e}"))?;
    Ok(Box::new(SidecarTask {
        id: id.to_string(),
        params,
        base: TaskBase::default(),
        client: None,
    }))
}

impl<P: SidecarParams> SidecarTask<P> {
    /// Builds (once) the sidecar client for the configured URL.
    fn ensure_client(&mut self, env: &mut Env, cfg: &ExecutionConfig) -> Result<String, String> {
        if let Some(url) = &self.client {
            return Ok(url.clone());
        }
        let url = cfg.sidecar.clone()?;
        env.sidecars.build_client(&url)?;
        self.client = Some(url.clone());
        Ok(url)
    }

    fn parsed_id(&self) -> Result<(), String> {
        uuid::Uuid::parse_str(&self.id).map(|_| ()).map_err(|e| {
            format!(
                "invalid task UUID {:?}: {}",
                self.id,
                go_uuid_error(&self.id, &e)
            )
        })
    }
}

/// The text of google/uuid's parse error for common cases.
fn go_uuid_error(id: &str, _err: &uuid::Error) -> String {
    match id.len() {
        36 | 38 | 41 | 45 => "invalid UUID format".to_string(),
        n => format!("invalid UUID length: {n}"),
    }
}

impl<P: SidecarParams> TaskExecution for SidecarTask<P> {
    fn execute(&mut self, env: &mut Env, cfg: &ExecutionConfig) -> Result<(), TaskError> {
        let url = self
            .ensure_client(env, cfg)
            .map_err(|e| format!("building sidecar client: {e}"))?;
        self.parsed_id()?;
        let request = TaskRequest {
            id: Some(self.id.clone()),
            task_type: P::TASK_TYPE.to_string(),
            params: self.params.request_params(),
        };
        if let Err(err) = env.sidecars.submit_task(Via::Client, &url, &request) {
            let message = format!("submitting {}: {}", P::TASK_TYPE, err);
            self.base.fail(message.clone());
            return Err(TaskError::Transient(message));
        }
        self.base.status = if P::FIRE_AND_FORGET {
            ExecutionStatus::Complete
        } else {
            ExecutionStatus::Running
        };
        Ok(())
    }

    fn status(&mut self, env: &mut Env, cfg: &ExecutionConfig) -> ExecutionStatus {
        if let Some(done) = self.base.terminal() {
            return done;
        }
        let Ok(url) = self.ensure_client(env, cfg) else {
            return ExecutionStatus::Running;
        };
        if let Err(e) = self.parsed_id() {
            self.base.fail(e);
            return self.base.status;
        }
        match env.sidecars.get_task(Via::Client, &url, &self.id) {
            Err(SidecarError::NotFound) => ExecutionStatus::Running,
            Err(_) => self.base.status,
            Ok(TaskState::Completed) => {
                self.base.complete();
                self.base.status
            }
            Ok(TaskState::Failed(message)) => {
                let message = if message.is_empty() {
                    format!("task {} failed with unknown error", self.id)
                } else {
                    message
                };
                self.base.fail(message);
                self.base.status
            }
            Ok(TaskState::Running) => self.base.status,
        }
    }

    fn error(&self) -> Option<String> {
        self.base.error.clone()
    }
}
