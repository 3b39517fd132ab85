//! The node sidecar (seictl) as the reconcilers see it: a task API plus status and
//! node-id endpoints. The core talks to the [`Sidecars`] trait; the scripted
//! [`model::ScriptedSidecars`] answers fixtures and `plan`, an HTTP client answers
//! live clusters.

pub mod model;

use serde::Serialize;
use serde_json::Value;

/// How a request reached the sidecar: through the seictl client (SeiNode tasks) or
/// as a direct HTTP request (group tasks). Only the trace label differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Client,
    Http,
}

impl Via {
    /// The trace label of a request: the seictl client's operation name, or
    /// `HTTP <METHOD> <path>` for a direct request.
    pub fn op_label(self, client_op: &str, method: &str, path: &str) -> String {
        match self {
            Via::Client => client_op.to_string(),
            Via::Http => format!("HTTP {method} {path}"),
        }
    }
}

/// A task submission.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskRequest {
    /// The task id chosen by the controller; `None` lets the sidecar choose.
    pub id: Option<String>,
    pub task_type: String,
    pub params: Option<Value>,
}

/// The sidecar's view of a task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskState {
    Running,
    Completed,
    Failed(String),
}

/// Why a sidecar request failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SidecarError {
    /// HTTP 404 for the task.
    NotFound,
    /// The connection failed (nothing reached the sidecar).
    Unreachable(String),
    /// Any other failure, with its text.
    Other(String),
}

impl std::fmt::Display for SidecarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SidecarError::NotFound => f.write_str("task not found"),
            SidecarError::Unreachable(t) | SidecarError::Other(t) => f.write_str(t),
        }
    }
}

/// One request to a node sidecar, as recorded in the trace (PARITY.md §3.3).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SidecarCall {
    pub op: String,
    #[serde(rename = "sidecarURL")]
    pub sidecar_url: String,
    #[serde(rename = "taskId")]
    pub task_id: String,
    #[serde(rename = "taskType", skip_serializing_if = "String::is_empty")]
    pub task_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub params: Option<Value>,
    pub returned: String,
}

impl SidecarCall {
    /// A recorded request (`task_id` empty for status and node-id requests).
    pub fn new(
        op: String,
        url: &str,
        task_id: &str,
        task_type: &str,
        params: Option<Value>,
        returned: String,
    ) -> Self {
        SidecarCall {
            op,
            sidecar_url: url.to_string(),
            task_id: task_id.to_string(),
            task_type: task_type.to_string(),
            params,
            returned,
        }
    }
}

/// Everything the reconcilers ask of node sidecars.
pub trait Sidecars {
    /// Builds a client for `url` (the seictl client constructor can fail).
    fn build_client(&mut self, url: &str) -> Result<(), String>;
    /// Submits a task; returns the task id.
    fn submit_task(
        &mut self,
        via: Via,
        url: &str,
        request: &TaskRequest,
    ) -> Result<String, SidecarError>;
    /// Polls a task.
    fn get_task(&mut self, via: Via, url: &str, id: &str) -> Result<TaskState, SidecarError>;
    /// `GET /v0/status`: the sidecar's readiness (`Ready`, `Initializing`, ...).
    fn status(&mut self, url: &str) -> Result<String, SidecarError>;
    /// `GET /v0/node-id`: the node's Tendermint id.
    fn node_id(&mut self, url: &str) -> Result<String, SidecarError>;
    /// The calls made so far; taking them empties the log.
    fn take_calls(&mut self) -> Vec<SidecarCall>;
    /// Starts reconcile number `index` (0-based); scripted sidecars switch settings.
    fn begin_reconcile(&mut self, _index: usize) {}
    /// The part of the sidecars' own state that can change their future answers
    /// (used to tell a loop from progress); empty for stateless sidecars.
    fn state_key(&self) -> String {
        String::new()
    }
    /// The concrete sidecars, for a caller that built them and reads their own log
    /// after a run (the live path's sidecar misses); `None` unless overridden.
    fn as_any_mut(&mut self) -> Option<&mut dyn std::any::Any> {
        None
    }
}

/// The sidecar URL of a node: `http://<node>-0.<node>.<ns>.svc.cluster.local:<port>`.
pub fn sidecar_url(name: &str, namespace: &str, port: i64) -> String {
    format!("http://{name}-0.{name}.{namespace}.svc.cluster.local:{port}")
}

/// The node name in a sidecar URL (`<node>-0.<node>.<ns>...`).
pub fn node_of_url(url: &str) -> &str {
    let host = url
        .trim_start_matches("http://")
        .trim_start_matches("https://");
    let first = host.split(['.', ':']).next().unwrap_or("");
    first.strip_suffix("-0").unwrap_or(first)
}
