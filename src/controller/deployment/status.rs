//! The group's status: phase rules, `NodesReady`, and the one locked status patch.

use serde_json::Value;

use crate::api::condition_type::{NODES_READY, PLAN_IN_PROGRESS, ROLLOUT_IN_PROGRESS};
use crate::api::group_phase;
use crate::api::node_phase;
use crate::api::{
    GroupNodeStatus, SeiNode, SeiNodeDeployment, API_VERSION, SEINODEDEPLOYMENT_KIND,
};
use crate::env::Env;
use crate::world::json::create_merge_patch;

use super::conditions::set_condition;
use super::networking::networking_status;
use super::nodes::list_child_seinodes;
use crate::planner::group::has_condition_true;
use crate::resources::labels::template_hash;

/// The group phase from conditions, rollout and the listed children (first rule
/// wins). `ready` and `desired` compare as Go's int32s: a negative `replicas` is
/// never equal to a ready count.
pub fn compute_group_phase(
    group: &SeiNodeDeployment,
    ready: i32,
    desired: i32,
    nodes: &[SeiNode],
) -> &'static str {
    if has_condition_true(group, ROLLOUT_IN_PROGRESS) {
        return group_phase::UPGRADING;
    }
    if has_condition_true(group, PLAN_IN_PROGRESS) {
        return if group.status.rollout.is_some() {
            group_phase::UPGRADING
        } else {
            group_phase::INITIALIZING
        };
    }
    if nodes.is_empty() {
        return group_phase::PENDING;
    }
    if ready == desired {
        return group_phase::READY;
    }
    let failed = count_phase(nodes, &[node_phase::FAILED]);
    if failed > 0 && failed == nodes.len() {
        group_phase::FAILED
    } else if failed > 0 && ready > 0 {
        group_phase::DEGRADED
    } else {
        group_phase::INITIALIZING
    }
}

fn count_phase(nodes: &[SeiNode], phases: &[&str]) -> usize {
    nodes
        .iter()
        .filter(|n| phases.contains(&n.status.phase.as_str()))
        .count()
}

/// Sets `NodesReady` from the ready count and the children's phases.
fn set_nodes_ready(
    env: &Env,
    group: &mut SeiNodeDeployment,
    ready: i32,
    desired: i32,
    nodes: &[SeiNode],
) {
    if ready >= desired {
        set_condition(
            env,
            group,
            NODES_READY,
            true,
            "AllNodesReady",
            &format!("{ready}/{desired} nodes ready"),
        );
        return;
    }
    let failed = count_phase(nodes, &[node_phase::FAILED]);
    let initializing = count_phase(nodes, &[node_phase::PENDING, node_phase::INITIALIZING]);
    let (reason, message) = if failed > 0 {
        (
            "NodesFailed",
            format!("{ready}/{desired} nodes ready ({failed} failed, {initializing} initializing)"),
        )
    } else {
        (
            "NodesInitializing",
            format!("{ready}/{desired} nodes ready ({initializing} initializing)"),
        )
    };
    set_condition(env, group, NODES_READY, false, reason, &message);
}

/// Recomputes the status fields and sends the merge patch against `base`, locked on
/// the base's resourceVersion. On success `group` becomes the stored object.
pub fn update_status(
    env: &mut Env,
    group: &mut SeiNodeDeployment,
    base: &Value,
) -> Result<(), String> {
    let nodes = list_child_seinodes(env, group)?;
    let ready = count_phase(&nodes, &[node_phase::RUNNING]);
    // Go's int32 counts (`readyReplicas++`, `group.Spec.Replicas`).
    let ready = i32::try_from(ready).unwrap_or(i32::MAX);
    let desired = group.spec.replicas;
    if !has_condition_true(group, PLAN_IN_PROGRESS)
        && !has_condition_true(group, ROLLOUT_IN_PROGRESS)
    {
        group.status.observed_generation = group.generation();
        group.status.template_hash = template_hash(&group.spec.template.spec);
    }
    group.status.replicas = group.spec.replicas;
    group.status.ready_replicas = ready;
    group.status.nodes = nodes
        .iter()
        .map(|n| GroupNodeStatus {
            name: n.metadata.name.clone(),
            phase: n.status.phase.clone(),
        })
        .collect();
    group.status.phase = compute_group_phase(group, ready, desired, &nodes).to_string();
    group.status.networking_status = networking_status(env, group);
    set_nodes_ready(env, group, ready, desired, &nodes);
    patch_status(env, group, base, true)
}

/// Sends the status merge patch of `group` against `base` (with the base's
/// resourceVersion when `lock`); the response replaces `group`.
pub fn patch_status(
    env: &mut Env,
    group: &mut SeiNodeDeployment,
    base: &Value,
    lock: bool,
) -> Result<(), String> {
    let mut patch = create_merge_patch(base, &group.to_value());
    if lock {
        let version = base
            .pointer("/metadata/resourceVersion")
            .cloned()
            .unwrap_or(Value::String(String::new()));
        if let Some(map) = patch.as_object_mut() {
            let metadata = map
                .entry("metadata")
                .or_insert_with(|| Value::Object(Default::default()));
            if let Some(metadata) = metadata.as_object_mut() {
                metadata.insert("resourceVersion".into(), version);
            }
        }
    }
    let stored = env
        .api
        .merge_patch(
            API_VERSION,
            SEINODEDEPLOYMENT_KIND,
            group.namespace(),
            group.name(),
            patch,
            true,
        )
        .map_err(|e| e.to_string())?;
    *group = super::decode_group(&stored)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Condition, RolloutStatus};

    fn node(phase: &str) -> SeiNode {
        let mut n = SeiNode::default();
        n.status.phase = phase.into();
        n
    }

    fn phase_of(phases: &[&str], desired: i32) -> &'static str {
        let nodes: Vec<SeiNode> = phases.iter().map(|p| node(p)).collect();
        let ready = count_phase(&nodes, &[node_phase::RUNNING]) as i32;
        compute_group_phase(&SeiNodeDeployment::default(), ready, desired, &nodes)
    }

    /// `computeGroupPhase` compares int32s: no ready count equals a negative desired.
    #[test]
    fn compute_group_phase_negative_replicas() {
        assert_eq!(phase_of(&["Pending"], -1), group_phase::INITIALIZING);
        assert_eq!(phase_of(&["Running"], -1), group_phase::INITIALIZING);
    }

    #[test]
    fn phases_from_children() {
        assert_eq!(phase_of(&[], 3), group_phase::PENDING);
        assert_eq!(phase_of(&["Running", "Running"], 2), group_phase::READY);
        assert_eq!(
            phase_of(&["Running", "Initializing", "Pending"], 3),
            group_phase::INITIALIZING
        );
        assert_eq!(
            phase_of(&["Running", "Running", "Failed"], 3),
            group_phase::DEGRADED
        );
        assert_eq!(
            phase_of(&["Failed", "Initializing", "Pending"], 3),
            group_phase::INITIALIZING
        );
        assert_eq!(phase_of(&["Failed", "Failed"], 2), group_phase::FAILED);
        assert_eq!(
            phase_of(&["Running", "Running", "Running"], 2),
            group_phase::INITIALIZING
        );
    }

    #[test]
    fn phases_from_plans_and_rollouts() {
        let mut g = SeiNodeDeployment::default();
        g.status.conditions.push(Condition::new(
            PLAN_IN_PROGRESS,
            "True",
            "PlanStarted",
            "",
            1,
        ));
        assert_eq!(
            compute_group_phase(&g, 0, 1, &[]),
            group_phase::INITIALIZING
        );
        g.status.rollout = Some(RolloutStatus::default());
        assert_eq!(compute_group_phase(&g, 0, 1, &[]), group_phase::UPGRADING);
        let mut g = SeiNodeDeployment::default();
        g.status.conditions.push(Condition::new(
            ROLLOUT_IN_PROGRESS,
            "True",
            "TemplateChanged",
            "",
            1,
        ));
        assert_eq!(
            compute_group_phase(&g, 1, 1, &[node("Running")]),
            group_phase::UPGRADING
        );
    }
}
