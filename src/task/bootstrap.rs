//! Bootstrap tasks: a one-off Job (plus its headless Service) restores the node's
//! data up to a halt height before the StatefulSet takes over.

use serde_json::Value;

use super::{
    AwaitBootstrapCompleteParams, DeployBootstrapJobParams, DeployBootstrapServiceParams,
    ExecutionConfig, ExecutionStatus, TaskBase, TaskError, TaskExecution, TeardownBootstrapParams,
};
use crate::env::Env;
use crate::resources;
use crate::world::DeleteOptions;

/// Creates an object, treating "already exists" as success.
fn create_idempotent(
    env: &mut Env,
    api_version: &str,
    kind: &str,
    body: Value,
) -> Result<(), String> {
    match env.api.create(api_version, kind, body) {
        Ok(_) => Ok(()),
        Err(e) if e.is_already_exists() => Ok(()),
        Err(e) => Err(e.to_string()),
    }
}

/// deploy-bootstrap-service.
#[derive(Debug)]
pub struct DeployBootstrapService {
    params: DeployBootstrapServiceParams,
    base: TaskBase,
}

impl DeployBootstrapService {
    pub fn new(params: DeployBootstrapServiceParams) -> Self {
        DeployBootstrapService {
            params,
            base: TaskBase::default(),
        }
    }
}

impl TaskExecution for DeployBootstrapService {
    fn execute(&mut self, env: &mut Env, cfg: &ExecutionConfig) -> Result<(), TaskError> {
        let node = cfg.owner.node()?;
        let body = resources::bootstrap_service(node, &env.platform);
        create_idempotent(env, "v1", "Service", body)
            .map_err(|e| format!("creating bootstrap service: {e}"))?;
        self.base.complete();
        Ok(())
    }

    fn status(&mut self, env: &mut Env, _cfg: &ExecutionConfig) -> ExecutionStatus {
        let p = &self.params;
        complete_once_present(
            &mut self.base,
            env,
            "v1",
            "Service",
            &p.namespace,
            &p.service_name,
        )
    }

    fn error(&self) -> Option<String> {
        self.base.error.clone()
    }
}

/// The status of a task that creates one object: complete as soon as the object exists.
fn complete_once_present(
    base: &mut TaskBase,
    env: &Env,
    api_version: &str,
    kind: &str,
    namespace: &str,
    name: &str,
) -> ExecutionStatus {
    if let Some(done) = base.terminal() {
        return done;
    }
    if let Ok(Some(_)) = env.api.get_opt(api_version, kind, namespace, name) {
        base.complete();
    }
    base.status
}

/// deploy-bootstrap-job.
#[derive(Debug)]
pub struct DeployBootstrapJob {
    params: DeployBootstrapJobParams,
    base: TaskBase,
}

impl DeployBootstrapJob {
    pub fn new(params: DeployBootstrapJobParams) -> Self {
        DeployBootstrapJob {
            params,
            base: TaskBase::default(),
        }
    }
}

impl TaskExecution for DeployBootstrapJob {
    fn execute(&mut self, env: &mut Env, cfg: &ExecutionConfig) -> Result<(), TaskError> {
        let node = cfg.owner.node()?;
        let body = resources::bootstrap_job(node, &env.platform)
            .map_err(|e| format!("generating bootstrap job spec: {e}"))?;
        create_idempotent(env, "batch/v1", "Job", body)
            .map_err(|e| format!("creating bootstrap job: {e}"))?;
        self.base.complete();
        Ok(())
    }

    fn status(&mut self, env: &mut Env, _cfg: &ExecutionConfig) -> ExecutionStatus {
        let p = &self.params;
        complete_once_present(
            &mut self.base,
            env,
            "batch/v1",
            "Job",
            &p.namespace,
            &p.job_name,
        )
    }

    fn error(&self) -> Option<String> {
        self.base.error.clone()
    }
}

/// True when the Job has a condition of `condition_type` with status True.
fn job_condition<'a>(job: &'a Value, condition_type: &str) -> impl Iterator<Item = &'a Value> + 'a {
    let condition_type = condition_type.to_string();
    job.pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(move |c| {
            c.get("type").and_then(Value::as_str) == Some(condition_type.as_str())
                && c.get("status").and_then(Value::as_str) == Some("True")
        })
}

/// The message of the first true Failed condition that has one.
fn job_failure_reason(job: &Value) -> String {
    job_condition(job, "Failed")
        .filter_map(|c| c.get("message").and_then(Value::as_str))
        .find(|m| !m.is_empty())
        .unwrap_or("bootstrap job failed")
        .to_string()
}

/// await-bootstrap-complete: waits for the bootstrap Job to succeed.
#[derive(Debug)]
pub struct AwaitBootstrapComplete {
    params: AwaitBootstrapCompleteParams,
    base: TaskBase,
}

impl AwaitBootstrapComplete {
    pub fn new(params: AwaitBootstrapCompleteParams) -> Self {
        AwaitBootstrapComplete {
            params,
            base: TaskBase::default(),
        }
    }
}

impl TaskExecution for AwaitBootstrapComplete {
    fn execute(&mut self, _env: &mut Env, _cfg: &ExecutionConfig) -> Result<(), TaskError> {
        Ok(())
    }

    fn status(&mut self, env: &mut Env, _cfg: &ExecutionConfig) -> ExecutionStatus {
        if let Some(done) = self.base.terminal() {
            return done;
        }
        let job = match env.api.get(
            "batch/v1",
            "Job",
            &self.params.namespace,
            &self.params.job_name,
        ) {
            Ok(job) => job,
            Err(e) if e.is_not_found() => {
                self.base
                    .fail(format!("bootstrap job {} not found", self.params.job_name));
                return self.base.status;
            }
            Err(_) => return ExecutionStatus::Running,
        };
        if job_condition(&job, "Complete").next().is_some() {
            self.base.complete();
        } else if job_condition(&job, "Failed").next().is_some() {
            self.base.fail(format!(
                "bootstrap job failed: {}",
                job_failure_reason(&job)
            ));
        }
        self.base.status
    }

    fn error(&self) -> Option<String> {
        self.base.error.clone()
    }
}

/// teardown-bootstrap: deletes the Job (foreground) and the Service, without waiting.
#[derive(Debug)]
pub struct TeardownBootstrap {
    params: TeardownBootstrapParams,
    base: TaskBase,
}

impl TeardownBootstrap {
    pub fn new(params: TeardownBootstrapParams) -> Self {
        TeardownBootstrap {
            params,
            base: TaskBase::default(),
        }
    }

    /// Deletes one object if it exists; NotFound at either step is fine.
    fn delete_if_present(
        env: &mut Env,
        (api_version, kind, namespace, name): (&str, &str, &str, &str),
        options: DeleteOptions,
        what: &str,
    ) -> Result<(), String> {
        match env.api.get_opt(api_version, kind, namespace, name) {
            Ok(Some(_)) => match env.api.delete(api_version, kind, namespace, name, options) {
                Ok(_) => Ok(()),
                Err(e) if e.is_not_found() => Ok(()),
                Err(e) => Err(format!("deleting {what}: {e}")),
            },
            Ok(None) => Ok(()),
            Err(e) => Err(format!("fetching {what} for deletion: {e}")),
        }
    }
}

impl TaskExecution for TeardownBootstrap {
    fn execute(&mut self, env: &mut Env, _cfg: &ExecutionConfig) -> Result<(), TaskError> {
        let ns = self.params.namespace.as_str();
        let foreground = DeleteOptions {
            propagation_policy: Some("Foreground".to_string()),
        };
        Self::delete_if_present(
            env,
            ("batch/v1", "Job", ns, &self.params.job_name),
            foreground,
            "bootstrap job",
        )?;
        Self::delete_if_present(
            env,
            ("v1", "Service", ns, &self.params.service_name),
            DeleteOptions::default(),
            "bootstrap service",
        )?;
        self.base.complete();
        Ok(())
    }

    fn status(&mut self, env: &mut Env, _cfg: &ExecutionConfig) -> ExecutionStatus {
        if let Some(done) = self.base.terminal() {
            return done;
        }
        let ns = self.params.namespace.as_str();
        let job_gone = matches!(
            env.api
                .get_opt("batch/v1", "Job", ns, &self.params.job_name),
            Ok(None)
        );
        let svc_gone = matches!(
            env.api
                .get_opt("v1", "Service", ns, &self.params.service_name),
            Ok(None)
        );
        if job_gone && svc_gone {
            self.base.complete();
        }
        self.base.status
    }

    fn error(&self) -> Option<String> {
        self.base.error.clone()
    }
}
