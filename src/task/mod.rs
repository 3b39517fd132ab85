//! Plan tasks (`internal/task`): the execution contract the plan executor drives,
//! the registry that rebuilds a task from its stored `(type, id, params)`, and every
//! task type of the SeiNode path.
//!
//! Adding a task type = one module implementing [`TaskExecution`] plus one arm in
//! [`registry::deserialize`].

pub mod bootstrap;
pub mod fork;
pub mod group;
pub mod infra;
pub mod nodes;
pub mod params;
pub mod params_error;
pub mod registry;
pub mod rollout;
pub mod sidecar;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::api::{SeiNode, SeiNodeDeployment};
use crate::env::Env;

pub use params::*;

/// Controller-side task types of the SeiNode path.
pub mod task_type {
    pub const ENSURE_DATA_PVC: &str = "ensure-data-pvc";
    pub const APPLY_STATEFULSET: &str = "apply-statefulset";
    pub const APPLY_SERVICE: &str = "apply-service";
    pub const DEPLOY_BOOTSTRAP_SERVICE: &str = "deploy-bootstrap-service";
    pub const DEPLOY_BOOTSTRAP_JOB: &str = "deploy-bootstrap-job";
    pub const AWAIT_BOOTSTRAP_COMPLETE: &str = "await-bootstrap-complete";
    pub const TEARDOWN_BOOTSTRAP: &str = "teardown-bootstrap";

    // Sidecar (seictl) task types.
    pub const SNAPSHOT_RESTORE: &str = "snapshot-restore";
    pub const DISCOVER_PEERS: &str = "discover-peers";
    pub const CONFIG_APPLY: &str = "config-apply";
    pub const CONFIG_VALIDATE: &str = "config-validate";
    pub const MARK_READY: &str = "mark-ready";
    pub const CONFIGURE_GENESIS: &str = "configure-genesis";
    pub const CONFIGURE_STATE_SYNC: &str = "configure-state-sync";
    pub const AWAIT_CONDITION: &str = "await-condition";
    pub const GENERATE_IDENTITY: &str = "generate-identity";
    pub const GENERATE_GENTX: &str = "generate-gentx";
    pub const UPLOAD_GENESIS_ARTIFACTS: &str = "upload-genesis-artifacts";
    pub const ASSEMBLE_GENESIS: &str = "assemble-and-upload-genesis";
    pub const SET_GENESIS_PEERS: &str = "set-genesis-peers";
    pub const ASSEMBLE_GENESIS_FORK: &str = "assemble-genesis-fork";
}

/// UUIDv5 namespace of deterministic task ids.
const TASK_ID_NAMESPACE: uuid::Uuid = uuid::uuid!("b7e89c3a-4f12-4d8b-9a6e-1c2d3e4f5a6b");

/// The id of the task at `index` of plan `plan_id`: UUIDv5 over `planID/type/index`.
pub fn deterministic_task_id(plan_id: &str, task_type: &str, index: usize) -> String {
    let seed = format!("{plan_id}/{task_type}/{index}");
    uuid::Uuid::new_v5(&TASK_ID_NAMESPACE, seed.as_bytes()).to_string()
}

/// Where a task execution stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecutionStatus {
    Running,
    Complete,
    Failed,
}

/// Why `execute` failed: transient errors are retried after the poll interval,
/// terminal ones fail the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskError {
    Transient(String),
    Terminal(String),
}

impl TaskError {
    pub fn message(&self) -> &str {
        match self {
            TaskError::Transient(m) | TaskError::Terminal(m) => m,
        }
    }
}

impl From<String> for TaskError {
    fn from(message: String) -> Self {
        TaskError::Transient(message)
    }
}

/// The object whose status carries the plan, read-only for the tasks.
#[derive(Debug, Clone, Copy)]
pub enum OwnerRef<'a> {
    Node(&'a SeiNode),
    Deployment(&'a SeiNodeDeployment),
}

impl<'a> OwnerRef<'a> {
    pub fn namespace(&self) -> &'a str {
        match self {
            OwnerRef::Node(n) => n.namespace(),
            OwnerRef::Deployment(d) => d.namespace(),
        }
    }

    pub fn name(&self) -> &'a str {
        match self {
            OwnerRef::Node(n) => n.name(),
            OwnerRef::Deployment(d) => d.name(),
        }
    }

    /// The owner as a SeiNode, or the error text of Go's `ResourceAs`.
    pub fn node(&self) -> Result<&'a SeiNode, String> {
        match self {
            OwnerRef::Node(n) => Ok(n),
            OwnerRef::Deployment(_) => Err(
                "expected resource type *v1alpha1.SeiNode, got *v1alpha1.SeiNodeDeployment"
                    .to_string(),
            ),
        }
    }

    /// The owner as a SeiNodeDeployment, or the error text of Go's `ResourceAs`.
    pub fn deployment(&self) -> Result<&'a SeiNodeDeployment, String> {
        match self {
            OwnerRef::Deployment(d) => Ok(d),
            OwnerRef::Node(_) => Err(
                "expected resource type *v1alpha1.SeiNodeDeployment, got *v1alpha1.SeiNode"
                    .to_string(),
            ),
        }
    }
}

/// Everything a task execution may use besides the [`Env`] (Go's `ExecutionConfig`).
#[derive(Debug, Clone, Copy)]
pub struct ExecutionConfig<'a> {
    /// The plan's owner (the live object, with the executor's mutations so far).
    pub owner: OwnerRef<'a>,
    /// The sidecar that sidecar-backed tasks talk to: its URL, or the error text
    /// the client factory fails with (e.g. a group without an assembler node).
    pub sidecar: &'a Result<String, String>,
}

/// How the executor drives one task (Go's `TaskExecution`). `execute` submits
/// (idempotently); `status` polls; `error` explains a `Failed` status.
pub trait TaskExecution {
    fn execute(&mut self, env: &mut Env, cfg: &ExecutionConfig) -> Result<(), TaskError>;
    fn status(&mut self, env: &mut Env, cfg: &ExecutionConfig) -> ExecutionStatus;
    fn error(&self) -> Option<String>;
}

/// The error text of an unrecognised task type.
pub fn unknown_task_type_error(task_type: &str) -> String {
    format!("unknown task type {task_type:?}")
}

/// Decodes stored params like Go's `json.Unmarshal` into the params struct: absent
/// or `null` params give the zero value; a type mismatch gives Go's error text.
pub fn decode_params<P: GoParams + DeserializeOwned + Default>(
    params: Option<&Value>,
) -> Result<P, String> {
    match params {
        None | Some(Value::Null) => Ok(P::default()),
        Some(value) => {
            params_error::check::<P>(value)?;
            serde_json::from_value(params_error::go_view::<P>(value))
                .map_err(|e| format!("json: {e}"))
        }
    }
}

/// Decodes a controller-side task's params, wrapping errors as Go does
/// (`deserializing <type> params: <json error>`).
pub fn controller_params<P: GoParams + DeserializeOwned + Default>(
    task_type: &str,
    params: Option<&Value>,
) -> Result<P, String> {
    decode_params(params).map_err(|e| format!("deserializing {task_type} params: {e}"))
}

/// State shared by every execution: the cached status and error (Go's `taskBase`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskBase {
    pub status: ExecutionStatus,
    pub error: Option<String>,
}

impl Default for TaskBase {
    fn default() -> Self {
        TaskBase {
            status: ExecutionStatus::Running,
            error: None,
        }
    }
}

impl TaskBase {
    /// The cached status when it is terminal.
    pub fn terminal(&self) -> Option<ExecutionStatus> {
        matches!(
            self.status,
            ExecutionStatus::Complete | ExecutionStatus::Failed
        )
        .then_some(self.status)
    }

    pub fn complete(&mut self) {
        self.status = ExecutionStatus::Complete;
    }

    pub fn fail(&mut self, message: String) {
        self.status = ExecutionStatus::Failed;
        self.error = Some(message);
    }
}

#[cfg(test)]
mod tests {
    use super::registry::deserialize;
    use super::*;
    use serde_json::json;

    #[test]
    fn task_ids_match_go_vectors() {
        assert_eq!(
            deterministic_task_id("test-plan-retry", "configure-genesis", 0),
            "52870ba7-7f29-5143-8fa9-c17316f83728"
        );
        assert_eq!(
            deterministic_task_id("00000000-0000-0000-0000-000000000000", "ensure-data-pvc", 0),
            "a6787ec4-4403-56ac-afd0-f275a2954e39"
        );
        assert_eq!(
            deterministic_task_id("00000000-0000-0000-0000-000000000000", "mark-ready", 8),
            "94e92327-512d-55be-80ef-0550a82394d3"
        );
    }

    #[test]
    fn unknown_types_and_bad_params_are_reported_like_go() {
        let err = deserialize("bogus", "id", None).err().unwrap();
        assert_eq!(err, "unknown task type \"bogus\"");
        let err = deserialize("apply-statefulset", "id", Some(&json!("not-an-object")))
            .err()
            .unwrap();
        assert_eq!(
            err,
            "deserializing apply-statefulset params: json: cannot unmarshal string into Go value of type task.ApplyStatefulSetParams"
        );
        let err = deserialize(
            "snapshot-restore",
            "tid",
            Some(&json!({"targetHeight": "x"})),
        )
        .err()
        .unwrap();
        assert_eq!(
            err,
            "deserializing params for task tid: json: cannot unmarshal string into Go struct field SnapshotRestoreParams.targetHeight of type int64"
        );
        assert!(deserialize("mark-ready", "id", Some(&Value::Null)).is_ok());
    }

    #[test]
    fn params_decode_like_go_unmarshal() {
        // Go skips a null for a string field and ignores fields its struct lacks.
        let peers = json!({"groupName": null, "namespace": "ns", "nodeNames": ["a"]});
        assert!(deserialize("collect-and-set-peers", "id", Some(&peers)).is_ok());
        let exporter = json!({"exporterName": "e", "namespace": "ns", "exportHeight": "x"});
        assert!(deserialize("await-exporter-running", "id", Some(&exporter)).is_ok());
        // Keys match field names case-insensitively; null list items decode as "".
        let p: group::AwaitNodesRunningParams = decode_params(Some(&json!({
            "GroupName": "g", "nodenames": ["a", null], "expected": null
        })))
        .unwrap();
        assert_eq!(p.group_name, "g");
        assert_eq!(p.node_names, ["a", ""]);
        assert_eq!(p.expected, 0);
        let nodes = json!({"nodes": [null, {"name": "a"}], "namespace": null});
        assert!(deserialize("assemble-and-upload-genesis", "id", Some(&nodes)).is_ok());
    }
}
