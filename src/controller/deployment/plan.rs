//! The group plan lifecycle: choose a planner, start, drive, complete or fail.

use std::time::Duration;

use crate::api::condition_type::{
    GENESIS_CEREMONY_COMPLETE, PLAN_IN_PROGRESS, ROLLOUT_IN_PROGRESS,
};
use crate::api::{task_plan_phase as plan_phase, SeiNodeDeployment, TaskPlan};
use crate::env::{Env, Requeue};

use super::conditions::set_condition;
use super::{group_event, planners};

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
    let Some(plan) = planners::build_group_plan(env, group)? else {
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

fn drive_plan(_env: &mut Env, _group: &mut SeiNodeDeployment) -> Result<Requeue, String> {
    // The executor lands with the task framework; until then an active plan waits.
    Ok(Requeue::after(Duration::from_secs(5)))
}

/// Clears a finished plan (and the rollout of a deployment plan).
#[allow(dead_code)]
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
#[allow(dead_code)]
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
