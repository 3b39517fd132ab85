//! The real sidecar's view of the current task next to the controller's view
//! (`status.plan`), for live targets, and a statement when they disagree. Pure:
//! the request itself is sent by `live::explain`.

use serde_json::{json, Value};

use super::status::TaskView;
use crate::planner::executor::TASK_POLL_INTERVAL;
use crate::task::task_type as t;

/// Task types the SeiNode plan submits to the node's sidecar (`POST /v0/tasks`).
pub const SIDECAR_TASK_TYPES: &[&str] = &[
    t::SNAPSHOT_RESTORE,
    t::DISCOVER_PEERS,
    t::CONFIG_APPLY,
    t::CONFIG_VALIDATE,
    t::MARK_READY,
    t::CONFIGURE_GENESIS,
    t::CONFIGURE_STATE_SYNC,
    t::AWAIT_CONDITION,
    t::GENERATE_IDENTITY,
    t::GENERATE_GENTX,
    t::UPLOAD_GENESIS_ARTIFACTS,
    t::ASSEMBLE_GENESIS,
    t::SET_GENESIS_PEERS,
    t::ASSEMBLE_GENESIS_FORK,
];

/// What the sidecar answered to `GET /v0/tasks/{id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SidecarTaskAnswer {
    Running,
    Completed,
    Failed(String),
    /// HTTP 404: the sidecar does not know the task.
    NotFound,
    /// Nothing reached the sidecar (pod missing, connection refused, timeout).
    Unreachable(String),
    /// Any other error answer.
    Error(String),
}

impl SidecarTaskAnswer {
    /// The answer as one word (JSON `sidecar.status`).
    pub fn label(&self) -> &'static str {
        match self {
            SidecarTaskAnswer::Running => "running",
            SidecarTaskAnswer::Completed => "completed",
            SidecarTaskAnswer::Failed(_) => "failed",
            SidecarTaskAnswer::NotFound => "notfound",
            SidecarTaskAnswer::Unreachable(_) => "unreachable",
            SidecarTaskAnswer::Error(_) => "error",
        }
    }

    fn detail(&self) -> Option<&str> {
        match self {
            SidecarTaskAnswer::Failed(d)
            | SidecarTaskAnswer::Unreachable(d)
            | SidecarTaskAnswer::Error(d) => Some(d),
            _ => None,
        }
    }

    /// The sidecar-script status the next in-memory reconcile should see for this task.
    pub fn script_status(&self) -> Option<(&'static str, String)> {
        match self {
            SidecarTaskAnswer::Completed => Some(("completed", String::new())),
            SidecarTaskAnswer::Failed(e) => Some(("failed", e.clone())),
            SidecarTaskAnswer::Running => Some(("running", String::new())),
            SidecarTaskAnswer::NotFound => Some(("notfound", String::new())),
            SidecarTaskAnswer::Unreachable(_) | SidecarTaskAnswer::Error(_) => None,
        }
    }
}

/// The controller's and the sidecar's view of one task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SidecarView {
    /// The pod the request went to (`NAME-0`), or the `--sidecar-url`.
    pub pod: String,
    pub task_type: String,
    pub task_id: String,
    /// The task's status in `status.plan` (`Pending`, `Failed`, …).
    pub controller: String,
    /// `None`: no request was sent (see `statement`).
    pub sidecar: Option<SidecarTaskAnswer>,
    pub agree: bool,
    pub statement: String,
}

/// Whether the current task runs on the node's sidecar (a request is worth sending).
pub fn is_sidecar_task(task: &TaskView) -> bool {
    SIDECAR_TASK_TYPES.contains(&task.task_type.as_str()) && !task.id.is_empty()
}

/// Compares the plan's view of `task` with the sidecar's answer.
pub fn compare(pod: &str, task: &TaskView, answer: SidecarTaskAnswer) -> SidecarView {
    let poll = crate::env::go_duration(TASK_POLL_INTERVAL);
    let failed_in_plan = task.status == "Failed";
    let (agree, statement) = match (&answer, failed_in_plan) {
        (SidecarTaskAnswer::Running, false) => (
            true,
            format!("both say the task is still running: the plan waits and polls it every {poll}"),
        ),
        (SidecarTaskAnswer::Completed, false) => (
            false,
            "the sidecar says completed but the plan still waits: the next reconcile will mark it Complete".to_string(),
        ),
        (SidecarTaskAnswer::Failed(e), false) => (
            false,
            format!(
                "the sidecar says failed ({e}) but the plan still waits: the next reconcile records the failure; {}",
                task.on_failure()
            ),
        ),
        (SidecarTaskAnswer::Failed(_), true) => {
            (true, "both say the task failed".to_string())
        }
        (SidecarTaskAnswer::Running | SidecarTaskAnswer::Completed, true) => (
            false,
            format!(
                "the plan marked the task Failed but the sidecar says {}: the operator does not look at it again",
                answer.label()
            ),
        ),
        (SidecarTaskAnswer::NotFound, _) => (
            false,
            if task.submitted_at.is_none() {
                "the sidecar does not know the task (404): it has not been submitted yet; the next reconcile submits it".to_string()
            } else {
                "the sidecar does not know the task (404): it will be resubmitted with the same id (the operator reads a 404 as still running)".to_string()
            },
        ),
        (SidecarTaskAnswer::Unreachable(e), _) => (
            false,
            format!("the sidecar is unreachable ({e}): the controller cannot submit or poll the task either and tries again on every reconcile"),
        ),
        (SidecarTaskAnswer::Error(e), _) => (
            false,
            format!("the sidecar answered with an error ({e}): the controller keeps the task's status and polls again"),
        ),
    };
    SidecarView {
        pod: pod.to_string(),
        task_type: task.task_type.clone(),
        task_id: task.id.clone(),
        controller: task.status.clone(),
        sidecar: Some(answer),
        agree,
        statement,
    }
}

/// A view without a request, with the reason (`task` is the current task, if any).
pub fn not_asked(pod: &str, task: Option<&TaskView>, reason: &str) -> SidecarView {
    SidecarView {
        pod: pod.to_string(),
        task_type: task.map(|t| t.task_type.clone()).unwrap_or_default(),
        task_id: task.map(|t| t.id.clone()).unwrap_or_default(),
        controller: task.map(|t| t.status.clone()).unwrap_or_default(),
        sidecar: None,
        agree: true,
        statement: reason.to_string(),
    }
}

impl SidecarView {
    pub fn to_json(&self) -> Value {
        json!({
            "pod": self.pod,
            "taskType": self.task_type,
            "taskId": self.task_id,
            "controller": {"status": self.controller},
            "sidecar": self.sidecar.as_ref().map(|a| json!({
                "status": a.label(),
                "detail": a.detail(),
            })),
            "agree": self.agree,
            "statement": self.statement,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(status: &str, submitted: bool) -> TaskView {
        TaskView {
            index: 3,
            task_type: "snapshot-restore".into(),
            id: "t1".into(),
            status: status.into(),
            params: None,
            submitted_at: submitted.then(|| "2026-01-01T00:00:00Z".to_string()),
            waiting_seconds: None,
            retry_count: 0,
            max_retries: 0,
            error: String::new(),
            next_backoff: None,
        }
    }

    #[test]
    fn statements_name_each_disagreement() {
        let pending = task("Pending", true);
        assert!(compare("n-0", &pending, SidecarTaskAnswer::Running).agree);
        let done = compare("n-0", &pending, SidecarTaskAnswer::Completed);
        assert!(!done.agree);
        assert!(done.statement.contains("will mark it Complete"));
        let gone = compare("n-0", &pending, SidecarTaskAnswer::NotFound);
        assert!(gone.statement.contains("resubmitted with the same id"));
        let fresh = compare("n-0", &task("Pending", false), SidecarTaskAnswer::NotFound);
        assert!(fresh.statement.contains("not been submitted yet"));
        let down = compare("n-0", &pending, SidecarTaskAnswer::Unreachable("x".into()));
        assert!(down.statement.starts_with("the sidecar is unreachable"));
        let failed = compare("n-0", &task("Failed", true), SidecarTaskAnswer::Running);
        assert!(!failed.agree && failed.statement.contains("marked the task Failed"));
    }
}
