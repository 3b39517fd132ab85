//! Group plans: genesis (standard and fork) and the InPlace, BlueGreen and
//! HardFork rollouts. Each plan gets a fresh random id; task ids derive from it.

use serde_json::{json, Value};

use crate::api::condition_type::{FORK_GENESIS_CEREMONY_NEEDED, GENESIS_CEREMONY_NEEDED};
use crate::api::update_strategy_type::{BLUE_GREEN, HARD_FORK, IN_PLACE};
use crate::api::{
    is_condition_true, task_plan_phase, task_status, PlannedTask, SeiNodeDeployment, TaskPlan,
};
use crate::env::Env;

use crate::resources::labels::{entrant_node_names, entrant_revision, exporter_name};

/// Namespace of the UUIDv5 task ids (`<planID>/<taskType>/<index>`).
const TASK_ID_NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0xb7e89c3a_4f12_4d8b_9a6e_1c2d3e4f5a6b);
/// Retries of the sidecar genesis-assembly tasks.
const ASSEMBLY_MAX_RETRIES: i64 = 180;

/// The task id of the task at `index` of plan `plan_id`.
pub fn deterministic_task_id(plan_id: &str, task_type: &str, index: usize) -> String {
    uuid::Uuid::new_v5(
        &TASK_ID_NAMESPACE,
        format!("{plan_id}/{task_type}/{index}").as_bytes(),
    )
    .to_string()
}

/// The plan the group needs now, if any. An unknown update strategy yields no plan.
pub fn build_group_plan(
    env: &mut Env,
    group: &SeiNodeDeployment,
) -> Result<Option<TaskPlan>, String> {
    let steps = if needs_genesis_plan(group) {
        genesis_steps(group)
    } else if group.status.rollout.is_some() && group.status.plan.is_none() {
        match group.spec.update_strategy.type_.as_str() {
            IN_PLACE => in_place_steps(group),
            BLUE_GREEN => blue_green_steps(group),
            HARD_FORK => hard_fork_steps(group),
            _ => return Ok(None),
        }
    } else {
        return Ok(None);
    };
    Ok(Some(assemble_plan(env.ids.new_v4(), steps)))
}

/// One task of a plan before ids are assigned.
pub struct Step {
    pub task_type: &'static str,
    pub params: Value,
    pub max_retries: i64,
}

fn step(task_type: &'static str, params: Value) -> Step {
    Step {
        task_type,
        params,
        max_retries: 0,
    }
}

/// An Active plan of Pending tasks with deterministic ids.
pub fn assemble_plan(plan_id: String, steps: Vec<Step>) -> TaskPlan {
    let tasks = steps
        .into_iter()
        .enumerate()
        .map(|(index, s)| PlannedTask {
            type_: s.task_type.into(),
            id: deterministic_task_id(&plan_id, s.task_type, index),
            status: task_status::PENDING.into(),
            params: Some(s.params),
            max_retries: s.max_retries,
            ..Default::default()
        })
        .collect();
    TaskPlan {
        id: plan_id,
        phase: task_plan_phase::ACTIVE.into(),
        tasks: Some(tasks),
        ..Default::default()
    }
}

fn needs_genesis_plan(group: &SeiNodeDeployment) -> bool {
    group.spec.genesis.is_some()
        && group.status.plan.is_none()
        && (has_condition_true(group, GENESIS_CEREMONY_NEEDED)
            || has_condition_true(group, FORK_GENESIS_CEREMONY_NEEDED))
        && group.status.incumbent_nodes.len() >= usize::try_from(group.spec.replicas).unwrap_or(0)
}

/// `{nodeNames}` is left out when empty (omitempty on await-nodes-running only).
fn await_running_params(group: &SeiNodeDeployment, names: &[String]) -> Value {
    let mut params =
        json!({"groupName": group.name(), "namespace": group.namespace(), "expected": names.len()});
    if !names.is_empty() {
        params["nodeNames"] = json!(names);
    }
    params
}

fn genesis_steps(group: &SeiNodeDeployment) -> Vec<Step> {
    let Some(genesis) = &group.spec.genesis else {
        return Vec::new();
    };
    let ns = group.namespace();
    let incumbents = &group.status.incumbent_nodes;
    let nodes: Vec<Value> = incumbents.iter().map(|n| json!({"name": n})).collect();
    let mut steps = Vec::new();
    let fork = genesis
        .fork
        .as_ref()
        .filter(|_| has_condition_true(group, FORK_GENESIS_CEREMONY_NEEDED));
    let assemble = if let Some(fork) = fork {
        let exporter = exporter_name(group.name());
        steps.push(step("create-exporter", json!({
            "groupName": group.name(), "exporterName": exporter, "namespace": ns,
            "sourceChainId": fork.source_chain_id, "sourceImage": fork.source_image, "exportHeight": fork.export_height,
        })));
        steps.push(step(
            "await-exporter-running",
            json!({"exporterName": exporter, "namespace": ns}),
        ));
        steps.push(step("submit-export-state", json!({
            "exporterName": exporter, "namespace": ns, "exportHeight": fork.export_height, "sourceChainId": fork.source_chain_id,
        })));
        steps.push(step(
            "teardown-exporter",
            json!({"exporterName": exporter, "namespace": ns}),
        ));
        step(
            "assemble-genesis-fork",
            json!({
                "sourceChainId": fork.source_chain_id, "chainId": genesis.chain_id,
                "accountBalance": genesis.account_balance, "namespace": ns, "nodes": nodes,
            }),
        )
    } else {
        step(
            "assemble-and-upload-genesis",
            json!({"accountBalance": genesis.account_balance, "namespace": ns, "nodes": nodes}),
        )
    };
    steps.push(Step {
        max_retries: ASSEMBLY_MAX_RETRIES,
        ..assemble
    });
    steps.push(step(
        "collect-and-set-peers",
        json!({"groupName": group.name(), "namespace": ns, "nodeNames": incumbents}),
    ));
    steps.push(step(
        "await-nodes-running",
        await_running_params(group, incumbents),
    ));
    steps
}

fn in_place_steps(group: &SeiNodeDeployment) -> Vec<Step> {
    let ns = group.namespace();
    let names = &group.status.incumbent_nodes;
    vec![
        step(
            "update-node-specs",
            json!({"groupName": group.name(), "namespace": ns, "nodeNames": names}),
        ),
        step(
            "await-spec-update",
            json!({"namespace": ns, "nodeNames": names}),
        ),
        step(
            "mark-nodes-ready",
            json!({"namespace": ns, "nodeNames": names}),
        ),
    ]
}

fn entrant_steps(group: &SeiNodeDeployment, entrants: &[String]) -> Vec<Step> {
    vec![
        step(
            "create-entrant-nodes",
            json!({
                "groupName": group.name(), "namespace": group.namespace(),
                "entrantRevision": entrant_revision(group), "nodeNames": entrants,
            }),
        ),
        step("await-nodes-running", await_running_params(group, entrants)),
    ]
}

fn switch_and_teardown_steps(group: &SeiNodeDeployment) -> Vec<Step> {
    let ns = group.namespace();
    vec![
        step(
            "switch-traffic",
            json!({"groupName": group.name(), "namespace": ns, "entrantRevision": entrant_revision(group)}),
        ),
        step(
            "teardown-nodes",
            json!({"namespace": ns, "nodeNames": group.status.incumbent_nodes}),
        ),
    ]
}

fn blue_green_steps(group: &SeiNodeDeployment) -> Vec<Step> {
    let entrants = entrant_node_names(group);
    let mut steps = entrant_steps(group, &entrants);
    steps.push(step(
        "await-nodes-caught-up",
        json!({"namespace": group.namespace(), "nodeNames": entrants}),
    ));
    steps.extend(switch_and_teardown_steps(group));
    steps
}

fn hard_fork_steps(group: &SeiNodeDeployment) -> Vec<Step> {
    let entrants = entrant_node_names(group);
    // Go reads `UpdateStrategy.HardFork.HaltHeight` without a nil check.
    let halt_height = group.spec.update_strategy.hard_fork.as_ref().map_or_else(
        || crate::api::gopanic::go_panic(crate::api::gopanic::NIL_DEREFERENCE),
        |h| h.halt_height,
    );
    let ns = group.namespace();
    let mut steps = entrant_steps(group, &entrants);
    steps.push(step(
        "submit-halt-signal",
        json!({
            "namespace": ns, "nodeNames": group.status.incumbent_nodes, "haltHeight": halt_height,
        }),
    ));
    steps.push(step(
        "await-nodes-at-height",
        json!({"namespace": ns, "nodeNames": entrants, "targetHeight": halt_height}),
    ));
    steps.extend(switch_and_teardown_steps(group));
    steps
}

/// Whether the group's condition `type_` is True (the planner's own `hasCondition`).
pub fn has_condition_true(group: &SeiNodeDeployment, type_: &str) -> bool {
    is_condition_true(&group.status.conditions, type_)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Condition;

    fn group(strategy: &str, genesis: Value) -> SeiNodeDeployment {
        let mut g = SeiNodeDeployment::from_value(&json!({
            "metadata": {"name": "grp", "namespace": "ns", "uid": "u", "generation": 3},
            "spec": {"replicas": 2, "template": {"spec": {"chainId": "c", "image": "i"}},
                     "updateStrategy": {"type": strategy, "hardFork": {"haltHeight": 100}}, "genesis": genesis}
        }))
        .unwrap();
        g.status.incumbent_nodes = vec!["grp-0".into(), "grp-1".into()];
        g
    }

    fn types(steps: &[Step]) -> Vec<&str> {
        steps.iter().map(|s| s.task_type).collect()
    }

    #[test]
    fn task_ids_match_vectors() {
        let plan = "00000000-0000-4000-8000-000000000000";
        assert_eq!(
            deterministic_task_id(plan, "assemble-and-upload-genesis", 0),
            "56b7db29-16a9-5729-a641-7eafc71cf1fe"
        );
        assert_eq!(
            deterministic_task_id(plan, "collect-and-set-peers", 1),
            "12538dd2-b596-5aac-919a-14ff790033a4"
        );
    }

    #[test]
    fn genesis_plans() {
        let mut g = group(
            "InPlace",
            json!({"chainId": "gen", "accountBalance": "1usei"}),
        );
        let steps = genesis_steps(&g);
        assert_eq!(
            types(&steps),
            [
                "assemble-and-upload-genesis",
                "collect-and-set-peers",
                "await-nodes-running"
            ]
        );
        assert_eq!(steps[0].max_retries, 180);
        assert_eq!(
            steps[0].params["nodes"],
            json!([{"name": "grp-0"}, {"name": "grp-1"}])
        );
        assert_eq!(steps[2].params["expected"], 2);

        g.spec.genesis.as_mut().unwrap().fork = Some(crate::api::ForkConfig {
            source_chain_id: "src".into(),
            source_image: "img".into(),
            export_height: 7,
        });
        // The fork plan needs the fork condition as well as the fork spec.
        assert_eq!(genesis_steps(&g).len(), 3);
        g.status.conditions.push(Condition::new(
            FORK_GENESIS_CEREMONY_NEEDED,
            "True",
            "ForkConfigured",
            "",
            1,
        ));
        let steps = genesis_steps(&g);
        assert_eq!(
            types(&steps),
            [
                "create-exporter",
                "await-exporter-running",
                "submit-export-state",
                "teardown-exporter",
                "assemble-genesis-fork",
                "collect-and-set-peers",
                "await-nodes-running"
            ]
        );
        assert_eq!(steps[0].params["exporterName"], "grp-exporter");
        assert_eq!(steps[4].max_retries, 180);
    }

    #[test]
    fn rollout_plans() {
        let g = group("InPlace", Value::Null);
        assert_eq!(
            types(&in_place_steps(&g)),
            ["update-node-specs", "await-spec-update", "mark-nodes-ready"]
        );
        let bg = blue_green_steps(&g);
        assert_eq!(
            types(&bg),
            [
                "create-entrant-nodes",
                "await-nodes-running",
                "await-nodes-caught-up",
                "switch-traffic",
                "teardown-nodes"
            ]
        );
        assert_eq!(bg[0].params["nodeNames"], json!(["grp-g3-0", "grp-g3-1"]));
        assert_eq!(bg[4].params["nodeNames"], json!(["grp-0", "grp-1"]));
        let hf = hard_fork_steps(&g);
        assert_eq!(hf[2].task_type, "submit-halt-signal");
        assert_eq!(hf[3].params["targetHeight"], 100);
        let plan = assemble_plan("p".into(), hf);
        assert!(plan
            .tasks()
            .iter()
            .all(|t| t.status == "Pending" && !t.id.is_empty()));
    }
}
