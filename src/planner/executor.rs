//! The plan executor (`planner/executor.go`): advances the owner's Active plan
//! task by task, entirely in memory; the caller persists the status afterwards.

use std::time::Duration;

use crate::api::{
    condition_status, set_status_condition, task_plan_phase, task_status, Condition,
    FailedTaskInfo, SeiNode, SeiNodeDeployment, TaskPlan,
};
use crate::env::{Env, Requeue};
use crate::task::{self, ExecutionConfig, ExecutionStatus, OwnerRef, TaskError};

/// Poll interval while a task runs, and the delay after a transient error.
pub const TASK_POLL_INTERVAL: Duration = Duration::from_secs(5);
/// Upper bound of the retry backoff.
pub const MAX_RETRY_BACKOFF: Duration = Duration::from_secs(30);
/// The result after a task completes ("requeue immediately").
pub const REQUEUE_IMMEDIATE: Requeue = Requeue {
    requeue: false,
    after: Duration::from_millis(1),
};
/// Condition set on a SeiNode whose plan failed.
pub const CONDITION_PLAN_FAILED: &str = "PlanFailed";

/// The object whose `status.plan` is executed.
pub enum PlanOwner<'a> {
    Node(&'a mut SeiNode),
    Deployment(&'a mut SeiNodeDeployment),
}

impl PlanOwner<'_> {
    /// A read-only view for the tasks.
    pub fn as_ref(&self) -> OwnerRef<'_> {
        match self {
            PlanOwner::Node(n) => OwnerRef::Node(n),
            PlanOwner::Deployment(d) => OwnerRef::Deployment(d),
        }
    }

    /// The owner's `status.plan` slot.
    pub fn plan_slot(&mut self) -> &mut Option<TaskPlan> {
        match self {
            PlanOwner::Node(n) => &mut n.status.plan,
            PlanOwner::Deployment(d) => &mut d.status.plan,
        }
    }

    /// The SeiNode phase; empty for deployments.
    fn phase(&self) -> &str {
        match self {
            PlanOwner::Node(n) => &n.status.phase,
            PlanOwner::Deployment(_) => "",
        }
    }

    /// Sets a SeiNode's phase when `phase` is non-empty; deployments are untouched.
    fn set_phase(&mut self, phase: &str) {
        if let (PlanOwner::Node(n), false) = (self, phase.is_empty()) {
            n.status.phase = phase.to_string();
        }
    }

    /// Records the PlanFailed condition on a SeiNode.
    fn set_plan_failed_condition(&mut self, message: String, now: &str) {
        if let PlanOwner::Node(n) = self {
            let condition = Condition::new(
                CONDITION_PLAN_FAILED,
                condition_status::TRUE,
                "TaskFailed",
                message,
                n.metadata.generation,
            );
            set_status_condition(&mut n.status.conditions, condition, now);
        }
    }
}

/// `retryBackoff`: `5s * 2^min(attempt, 5)`, capped at 30 s; `None` where Go's
/// `1<<min(attempt, 5)` is a negative shift (it panics).
pub fn retry_backoff(attempt: i64) -> Option<Duration> {
    let exponent = u32::try_from(attempt.min(5)).ok()?;
    Some((TASK_POLL_INTERVAL * 2u32.pow(exponent)).min(MAX_RETRY_BACKOFF))
}

/// Drives the owner's plan forward. `sidecar` is the URL sidecar-backed tasks
/// talk to, or the error building their client fails with.
pub fn execute_plan(
    env: &mut Env,
    owner: &mut PlanOwner,
    sidecar: &Result<String, String>,
) -> Result<Requeue, String> {
    let Some(mut plan) = owner.plan_slot().take() else {
        let view = owner.as_ref();
        return Err(format!(
            "ExecutePlan called with nil plan for {}/{}",
            view.namespace(),
            view.name()
        ));
    };
    let (result, keep_plan) = run_plan(env, owner, sidecar, &mut plan);
    if keep_plan {
        *owner.plan_slot() = Some(plan);
    }
    Ok(result)
}

/// The loop; returns the result and whether the plan stays in status.
fn run_plan(
    env: &mut Env,
    owner: &mut PlanOwner,
    sidecar: &Result<String, String>,
    plan: &mut TaskPlan,
) -> (Requeue, bool) {
    if plan.phase == task_plan_phase::COMPLETE || plan.phase == task_plan_phase::FAILED {
        return (Requeue::NONE, true);
    }
    loop {
        let Some(index) = plan
            .tasks()
            .iter()
            .position(|t| t.status != task_status::COMPLETE)
        else {
            let previous_phase = owner.phase().to_string();
            plan.phase = task_plan_phase::COMPLETE.to_string();
            owner.set_phase(&plan.target_phase);
            let converged = !plan.target_phase.is_empty()
                && previous_phase == plan.target_phase
                && matches!(owner, PlanOwner::Node(_));
            return (REQUEUE_IMMEDIATE, !converged);
        };
        let result = advance_task(env, owner, sidecar, plan, index);
        if plan.tasks()[index].status != task_status::COMPLETE {
            return (result, true);
        }
    }
}

/// Moves the task at `index` one step: execute when Pending, then poll.
fn advance_task(
    env: &mut Env,
    owner: &mut PlanOwner,
    sidecar: &Result<String, String>,
    plan: &mut TaskPlan,
    index: usize,
) -> Requeue {
    let planned = &plan.tasks()[index];
    let pending = planned.status == task_status::PENDING;
    let mut execution =
        match task::registry::deserialize(&planned.type_, &planned.id, planned.params.as_ref()) {
            Ok(execution) => execution,
            Err(message) => {
                fail_task(env, owner, plan, index, message);
                return Requeue::NONE;
            }
        };
    let status = {
        let cfg = ExecutionConfig {
            owner: owner.as_ref(),
            sidecar,
        };
        if pending {
            match execution.execute(env, &cfg) {
                Err(TaskError::Terminal(message)) => {
                    fail_task(env, owner, plan, index, message);
                    return Requeue::NONE;
                }
                Err(TaskError::Transient(_)) => return Requeue::after(TASK_POLL_INTERVAL),
                Ok(()) => {
                    let now = env.now_string();
                    let task = &mut plan.tasks_mut()[index];
                    task.submitted_at.get_or_insert(now);
                }
            }
        }
        execution.status(env, &cfg)
    };
    match status {
        ExecutionStatus::Running => Requeue::after(TASK_POLL_INTERVAL),
        ExecutionStatus::Complete => {
            plan.tasks_mut()[index].status = task_status::COMPLETE.to_string();
            REQUEUE_IMMEDIATE
        }
        ExecutionStatus::Failed => {
            let message = execution
                .error()
                .unwrap_or_else(|| "unknown error".to_string());
            let task = &mut plan.tasks_mut()[index];
            if task.max_retries > 0 && task.retry_count < task.max_retries {
                task.retry_count += 1;
                task.status = task_status::PENDING.to_string();
                task.error.clear();
                task.submitted_at = None;
                let backoff = retry_backoff(task.retry_count).unwrap_or_else(|| {
                    crate::api::gopanic::go_panic(crate::api::gopanic::NEGATIVE_SHIFT)
                });
                return Requeue::after(backoff);
            }
            fail_task(env, owner, plan, index, message);
            Requeue::NONE
        }
    }
}

/// Marks the task and the plan Failed, moves a SeiNode to the plan's failed
/// phase and records the PlanFailed condition.
fn fail_task(env: &Env, owner: &mut PlanOwner, plan: &mut TaskPlan, index: usize, message: String) {
    let plan_id = plan.id.clone();
    let task = &mut plan.tasks_mut()[index];
    task.status = task_status::FAILED.to_string();
    task.error = message.clone();
    let detail = FailedTaskInfo {
        type_: task.type_.clone(),
        id: task.id.clone(),
        error: message.clone(),
        retry_count: task.retry_count,
        max_retries: task.max_retries,
    };
    plan.phase = task_plan_phase::FAILED.to_string();
    owner.set_phase(&plan.failed_phase);
    owner.set_plan_failed_condition(
        format!("plan {plan_id} failed at task {}: {message}", detail.type_),
        &env.now_string(),
    );
    plan.failed_task_index = plan
        .tasks()
        .iter()
        .position(|t| t.id == detail.id)
        .map(|i| i as i64);
    plan.failed_task_detail = Some(detail);
}
