//! Planners (`internal/planner`): turn a SeiNode's spec into a task plan, and the
//! executor that drives plans of SeiNodes and SeiNodeDeployments.

pub mod executor;
pub mod node;

pub use executor::{execute_plan, retry_backoff, PlanOwner};
pub use node::resolve_plan;

use serde::Serialize;

use crate::api::{task_plan_phase, task_status, PlannedTask, TaskPlan};
use crate::task::deterministic_task_id;

/// A new Pending task at `index` of plan `plan_id`, with the JSON of `params`.
pub fn planned_task<P: Serialize>(
    plan_id: &str,
    task_type: &str,
    index: usize,
    params: &P,
) -> PlannedTask {
    PlannedTask {
        type_: task_type.to_string(),
        id: deterministic_task_id(plan_id, task_type, index),
        status: task_status::PENDING.to_string(),
        params: Some(serde_json::to_value(params).unwrap_or(serde_json::Value::Null)),
        ..Default::default()
    }
}

/// An Active plan with the given tasks and phases.
pub fn active_plan(
    plan_id: String,
    tasks: Vec<PlannedTask>,
    target_phase: &str,
    failed_phase: &str,
) -> TaskPlan {
    TaskPlan {
        id: plan_id,
        phase: task_plan_phase::ACTIVE.to_string(),
        tasks: Some(tasks),
        target_phase: target_phase.to_string(),
        failed_phase: failed_phase.to_string(),
        ..Default::default()
    }
}
