//! Condition helpers on a SeiNodeDeployment's status (observedGeneration = the
//! group's generation).

use crate::api::{condition_status, find_condition, remove_status_condition, set_status_condition};
use crate::api::{Condition, SeiNodeDeployment};
use crate::env::Env;

/// Sets a condition with `observedGeneration = generation`.
pub fn set_condition(
    env: &Env,
    group: &mut SeiNodeDeployment,
    type_: &str,
    status: bool,
    reason: &str,
    message: &str,
) {
    let status = if status {
        condition_status::TRUE
    } else {
        condition_status::FALSE
    };
    let condition = Condition::new(type_, status, reason, message, group.generation());
    set_status_condition(&mut group.status.conditions, condition, &env.now_string());
}

pub fn remove_condition(group: &mut SeiNodeDeployment, type_: &str) {
    remove_status_condition(&mut group.status.conditions, type_);
}

/// Whether the condition exists with exactly this reason.
pub fn has_condition_reason(group: &SeiNodeDeployment, type_: &str, reason: &str) -> bool {
    find_condition(&group.status.conditions, type_).is_some_and(|c| c.reason == reason)
}
