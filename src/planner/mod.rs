//! Planners (`internal/planner`): turn a SeiNode's spec into a task plan, and the
//! executor that drives plans of SeiNodes and SeiNodeDeployments.

pub mod executor;
pub mod group;
pub mod node;

pub use executor::{execute_plan, retry_backoff, PlanOwner};
pub use node::resolve_plan;

use serde::Serialize;
use serde_json::Value;

use crate::api::{task_plan_phase, task_status, PlannedTask, TaskPlan};
use crate::task::deterministic_task_id;

/// Go's JSON of a params struct (`null` for a value that cannot be encoded).
pub fn params_json<P: Serialize>(params: P) -> Value {
    serde_json::to_value(params).unwrap_or(Value::Null)
}

/// A new Pending task at `index` of plan `plan_id` with the given stored params.
pub fn planned_task(plan_id: &str, task_type: &str, index: usize, params: Value) -> PlannedTask {
    PlannedTask {
        type_: task_type.to_string(),
        id: deterministic_task_id(plan_id, task_type, index),
        status: task_status::PENDING.to_string(),
        params: Some(params),
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

#[cfg(test)]
mod tests;
