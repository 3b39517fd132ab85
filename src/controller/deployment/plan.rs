//! The group plan lifecycle: choose a planner, start, drive, complete or fail.

use std::time::Duration;

use crate::api::condition_type::{
    GENESIS_CEREMONY_COMPLETE, PLAN_IN_PROGRESS, ROLLOUT_IN_PROGRESS,
};
use crate::api::{
    task_plan_phase as plan_phase, SeiNodeDeployment, TaskPlan, SEINODEDEPLOYMENT_KIND,
};
use crate::env::{Env, Requeue};
use crate::planner::{execute_plan, PlanOwner};
use crate::resources::node_sidecar_url;
use crate::world::WriteOutcome;

use super::nodes::list_seinodes;
use crate::resources::labels::group_only_selector;

use super::conditions::set_condition;
use super::group_event;
use crate::planner::group::build_group_plan;

/// Requeue asked for right after a plan starts or completes.
pub const REQUEUE_IMMEDIATE: Duration = Duration::from_millis(1);

/// Drives the active plan, or builds and starts a new one when one is needed.
pub fn reconcile_plan(env: &mut Env, group: &mut SeiNodeDeployment) -> Result<Requeue, String> {
    if group
        .status
        .plan
        .as_ref()
        .is_some_and(|p| p.phase == plan_phase::ACTIVE)
    {
        return drive_plan(env, group);
    }
    let Some(plan) = build_group_plan(env, group)? else {
        return Ok(Requeue::NONE);
    };
    start_plan(env, group, plan);
    Ok(Requeue::after(REQUEUE_IMMEDIATE))
}

fn start_plan(env: &mut Env, group: &mut SeiNodeDeployment, plan: TaskPlan) {
    group.status.plan = Some(plan);
    set_condition(
        env,
        group,
        PLAN_IN_PROGRESS,
        true,
        "PlanStarted",
        "Plan execution started",
    );
    group_event(
        env,
        group,
        "Normal",
        "PlanStarted",
        "Plan execution started".into(),
    );
}

/// Runs the executor on the group's plan, then completes or fails it.
///
/// A status write to the group by a task (switch-traffic) replaces the in-memory
/// group with the server's response, as the operator's typed client does: the
/// executor's progress on the plan is then lost and the stored plan is what the
/// completion check sees.
fn drive_plan(env: &mut Env, group: &mut SeiNodeDeployment) -> Result<Requeue, String> {
    let sidecar = assembler_sidecar(env, group);
    let writes_before = env.api.writes().len();
    let result = execute_plan(env, &mut PlanOwner::Deployment(group), &sidecar)?;
    if let Some(stored) = group_status_response(env, group, writes_before) {
        *group = super::decode_group(&stored)?;
    }
    match group.status.plan.as_ref().map(|p| p.phase.as_str()) {
        Some(plan_phase::COMPLETE) => complete_plan(env, group),
        Some(plan_phase::FAILED) => fail_plan(env, group),
        _ => {}
    }
    Ok(result)
}

/// The response of the last successful status write to `group` since `from`.
fn group_status_response(
    env: &Env,
    group: &SeiNodeDeployment,
    from: usize,
) -> Option<std::sync::Arc<serde_json::Value>> {
    env.api.writes()[from..]
        .iter()
        .rev()
        .filter(|w| {
            w.subresource.is_some()
                && w.kind == SEINODEDEPLOYMENT_KIND
                && w.namespace == group.namespace()
                && w.name == group.name()
        })
        .find_map(|w| match &w.outcome {
            WriteOutcome::Updated { after, .. } => Some(after.clone()),
            WriteOutcome::Unchanged { object } => Some(object.clone()),
            _ => None,
        })
}

/// The sidecar of the group's assembler node (first child by name), or the
/// error sidecar-backed group tasks fail to build a client with.
fn assembler_sidecar(env: &Env, group: &SeiNodeDeployment) -> Result<String, String> {
    let missing = || format!("no assembler node found for group {}", group.name());
    let mut children = list_seinodes(env, group.namespace(), &group_only_selector(group))
        .map_err(|_| missing())?;
    children.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
    children.first().map(node_sidecar_url).ok_or_else(missing)
}

/// Clears a finished plan (and the rollout of a deployment plan).
fn complete_plan(env: &mut Env, group: &mut SeiNodeDeployment) {
    let deployment_plan = group.status.rollout.is_some();
    if deployment_plan {
        group.status.observed_generation = group.generation();
        // Errors are only logged by the operator.
        let _ = super::networking::reconcile_networking(env, group);
        group.status.rollout = None;
        set_condition(
            env,
            group,
            ROLLOUT_IN_PROGRESS,
            false,
            "RolloutComplete",
            "Deployment completed successfully",
        );
        group_event(
            env,
            group,
            "Normal",
            "RolloutComplete",
            "Deployment rollout completed successfully".into(),
        );
    }
    if group.spec.genesis.is_some() && !deployment_plan {
        set_condition(
            env,
            group,
            GENESIS_CEREMONY_COMPLETE,
            true,
            "CeremonyComplete",
            "Genesis ceremony completed",
        );
    }
    group.status.plan = None;
    set_condition(
        env,
        group,
        PLAN_IN_PROGRESS,
        false,
        "PlanComplete",
        "Plan completed successfully",
    );
    group_event(
        env,
        group,
        "Normal",
        "PlanComplete",
        "Plan completed successfully".into(),
    );
}

/// Drops a failed plan; the failure detail is not kept.
fn fail_plan(env: &mut Env, group: &mut SeiNodeDeployment) {
    group.status.phase = crate::api::group_phase::DEGRADED.into();
    group.status.plan = None;
    if group.status.rollout.take().is_some() {
        set_condition(
            env,
            group,
            ROLLOUT_IN_PROGRESS,
            false,
            "RolloutFailed",
            "Deployment plan failed",
        );
    }
    set_condition(
        env,
        group,
        PLAN_IN_PROGRESS,
        false,
        "PlanFailed",
        "Plan failed",
    );
    group_event(env, group, "Warning", "PlanFailed", "Plan failed".into());
}
