//! Reading the stored status of a target: phase, plan, current and failed task,
//! conditions, each with its age against the fixed clock.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::age_text;
use crate::env::{go_duration, parse_time};
use crate::planner::executor::{retry_backoff, TASK_POLL_INTERVAL};

/// The plan stored in `status.plan`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanView {
    pub id: String,
    pub phase: String,
    pub target_phase: String,
    pub failed_phase: String,
    pub tasks_complete: usize,
    pub tasks_total: usize,
    /// Task types in order, for naming later tasks (e.g. switch-traffic).
    pub task_types: Vec<String>,
}

/// The first task of the plan that is not Complete.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskView {
    pub index: usize,
    pub task_type: String,
    pub id: String,
    pub status: String,
    pub params: Option<Value>,
    pub submitted_at: Option<String>,
    /// Seconds since `submittedAt`.
    pub waiting_seconds: Option<i64>,
    pub retry_count: i64,
    pub max_retries: i64,
    pub error: String,
    /// The backoff before the next retry if the task fails now, or `None` when a
    /// failure fails the plan.
    pub next_backoff: Option<std::time::Duration>,
}

/// The task that failed the plan (`failedTaskDetail`, or a task with status Failed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedTaskView {
    pub index: Option<i64>,
    pub task_type: String,
    pub id: String,
    pub error: String,
    pub retry_count: i64,
    pub max_retries: i64,
}

/// One status condition and its age.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConditionView {
    pub condition_type: String,
    pub status: String,
    pub reason: String,
    pub message: String,
    pub last_transition_time: String,
    pub age_seconds: Option<i64>,
}

/// Everything read from the stored status.
#[derive(Debug, Clone, Default)]
pub struct StatusView {
    pub phase: Option<String>,
    pub plan: Option<PlanView>,
    pub current_task: Option<TaskView>,
    pub failed_task: Option<FailedTaskView>,
    pub conditions: Vec<ConditionView>,
}

impl StatusView {
    /// The condition of `condition_type`, if present.
    pub fn condition(&self, condition_type: &str) -> Option<&ConditionView> {
        self.conditions
            .iter()
            .find(|c| c.condition_type == condition_type)
    }
}

fn text(v: &Value, pointer: &str) -> String {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string()
}

fn int(v: &Value, pointer: &str) -> i64 {
    v.pointer(pointer).and_then(Value::as_i64).unwrap_or(0)
}

fn age(at: &str, now: DateTime<Utc>) -> Option<i64> {
    parse_time(at).map(|t| (now - t).num_seconds())
}

/// Reads the status of a SeiNode or SeiNodeDeployment.
pub fn read(object: &Value, now: DateTime<Utc>) -> StatusView {
    let phase = Some(text(object, "/status/phase")).filter(|p| !p.is_empty());
    let plan_value = object.pointer("/status/plan").filter(|p| p.is_object());
    let tasks: Vec<&Value> = plan_value
        .and_then(|p| p.get("tasks"))
        .and_then(Value::as_array)
        .map(|ts| ts.iter().collect())
        .unwrap_or_default();
    let plan = plan_value.map(|p| PlanView {
        id: text(p, "/id"),
        phase: text(p, "/phase"),
        target_phase: text(p, "/targetPhase"),
        failed_phase: text(p, "/failedPhase"),
        tasks_complete: tasks
            .iter()
            .filter(|t| text(t, "/status") == "Complete")
            .count(),
        tasks_total: tasks.len(),
        task_types: tasks.iter().map(|t| text(t, "/type")).collect(),
    });
    let current_task = tasks
        .iter()
        .position(|t| text(t, "/status") != "Complete")
        .map(|index| task_view(index, tasks[index], now));
    let failed_task = plan_value.and_then(|p| failed_task(p, &tasks));
    let conditions = object
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    let at = text(c, "/lastTransitionTime");
                    ConditionView {
                        condition_type: text(c, "/type"),
                        status: text(c, "/status"),
                        reason: text(c, "/reason"),
                        message: text(c, "/message"),
                        age_seconds: age(&at, now),
                        last_transition_time: at,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    StatusView {
        phase,
        plan,
        current_task,
        failed_task,
        conditions,
    }
}

fn task_view(index: usize, t: &Value, now: DateTime<Utc>) -> TaskView {
    let submitted_at = Some(text(t, "/submittedAt")).filter(|s| !s.is_empty());
    let retry_count = int(t, "/retryCount");
    let max_retries = int(t, "/maxRetries");
    TaskView {
        index,
        task_type: text(t, "/type"),
        id: text(t, "/id"),
        status: text(t, "/status"),
        params: t.get("params").filter(|p| !p.is_null()).cloned(),
        waiting_seconds: submitted_at.as_deref().and_then(|s| age(s, now)),
        submitted_at,
        retry_count,
        max_retries,
        error: text(t, "/error"),
        next_backoff: (max_retries > 0 && retry_count < max_retries)
            .then(|| retry_backoff(retry_count + 1))
            .flatten(),
    }
}

fn failed_task(plan: &Value, tasks: &[&Value]) -> Option<FailedTaskView> {
    let index = plan.get("failedTaskIndex").and_then(Value::as_i64);
    if let Some(d) = plan.get("failedTaskDetail").filter(|d| d.is_object()) {
        return Some(FailedTaskView {
            index,
            task_type: text(d, "/type"),
            id: text(d, "/id"),
            error: text(d, "/error"),
            retry_count: int(d, "/retryCount"),
            max_retries: int(d, "/maxRetries"),
        });
    }
    let (i, t) = tasks
        .iter()
        .enumerate()
        .find(|(_, t)| text(t, "/status") == "Failed")?;
    Some(FailedTaskView {
        index: Some(i as i64),
        task_type: text(t, "/type"),
        id: text(t, "/id"),
        error: text(t, "/error"),
        retry_count: int(t, "/retryCount"),
        max_retries: int(t, "/maxRetries"),
    })
}

/// Whether the target's status says its route host does not resolve yet.
pub fn dns_pending(object: &Value) -> bool {
    object
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| text(c, "/type") == "RouteReady" && text(c, "/reason") == "DNSPending")
        })
}

impl PlanView {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "phase": self.phase,
            "targetPhase": self.target_phase,
            "failedPhase": self.failed_phase,
            "tasksComplete": self.tasks_complete,
            "tasksTotal": self.tasks_total,
        })
    }
}

impl TaskView {
    /// What the executor does if this task fails now.
    pub fn on_failure(&self) -> String {
        if self.status == "Failed" {
            return "already failed: the plan failed with it".to_string();
        }
        match self.next_backoff {
            Some(backoff) => format!(
                "retry {}/{} after {} (same task id)",
                self.retry_count + 1,
                self.max_retries,
                go_duration(backoff)
            ),
            None if self.max_retries > 0 => format!(
                "retries exhausted ({}/{}): the plan fails",
                self.retry_count, self.max_retries
            ),
            None => "no retries (maxRetries 0): the plan fails".to_string(),
        }
    }

    pub fn to_json(&self) -> Value {
        json!({
            "index": self.index,
            "type": self.task_type,
            "id": self.id,
            "status": self.status,
            "params": self.params,
            "submittedAt": self.submitted_at,
            "waitingSeconds": self.waiting_seconds,
            "waiting": self.waiting_seconds.map(age_text),
            "retryCount": self.retry_count,
            "maxRetries": self.max_retries,
            "error": self.error,
            "pollInterval": go_duration(TASK_POLL_INTERVAL),
            "nextBackoff": self.next_backoff.map(go_duration),
            "onFailure": self.on_failure(),
        })
    }
}

impl FailedTaskView {
    pub fn to_json(&self) -> Value {
        json!({
            "index": self.index,
            "type": self.task_type,
            "id": self.id,
            "error": self.error,
            "retryCount": self.retry_count,
            "maxRetries": self.max_retries,
        })
    }
}

impl ConditionView {
    pub fn to_json(&self) -> Value {
        json!({
            "type": self.condition_type,
            "status": self.status,
            "reason": self.reason,
            "message": self.message,
            "lastTransitionTime": self.last_transition_time,
            "ageSeconds": self.age_seconds,
            "age": self.age_seconds.map(age_text),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(retry_count: i64, max_retries: i64) -> TaskView {
        let now = parse_time("2026-01-01T01:00:00Z").expect("valid time");
        let stored = json!({
            "type": "configure-genesis", "id": "t", "status": "Pending",
            "submittedAt": "2026-01-01T00:00:00Z",
            "retryCount": retry_count, "maxRetries": max_retries,
        });
        task_view(0, &stored, now)
    }

    #[test]
    fn next_backoff_follows_the_executor() {
        assert_eq!(
            task(0, 180).next_backoff,
            Some(std::time::Duration::from_secs(10))
        );
        assert_eq!(
            task(1, 180).next_backoff,
            Some(std::time::Duration::from_secs(20))
        );
        assert_eq!(
            task(179, 180).next_backoff,
            Some(std::time::Duration::from_secs(30))
        );
        assert_eq!(task(180, 180).next_backoff, None);
        assert_eq!(task(0, 0).next_backoff, None);
        assert_eq!(task(0, 0).waiting_seconds, Some(3600));
        assert!(task(180, 180).on_failure().contains("exhausted"));
    }
}
