//! `simulate FIXTURE --until-settled`: reconcile a fixture's target with the
//! `--until-settled` engine of `plan` instead of the scenario's reconcile count.

use serde_json::Value;

use super::runner::build_env;
use super::scenario::Fixture;
use crate::engine::plan::{settle, PlanReport, TargetRef};
use crate::engine::trace::final_objects;

/// Runs the fixture's target until it settles, stalls, loops or reaches `max` reconciles.
pub fn settle_fixture(fixture: &Fixture, max: usize) -> Result<PlanReport, String> {
    let scenario = &fixture.scenario;
    let mut env = build_env(scenario, &fixture.objects)?;
    let target = TargetRef {
        kind: scenario.target.kind.clone(),
        namespace: scenario.target.namespace.clone(),
        name: scenario.target.name.clone(),
    };
    let mut index = 0;
    let report = settle(&mut env, &target, max.max(1), &mut index)?;
    let mut kinds: Vec<String> = fixture
        .objects
        .iter()
        .filter_map(|o| o.get("kind").and_then(Value::as_str).map(str::to_string))
        .chain(
            scenario
                .installed_crds
                .iter()
                .filter_map(|g| g.rsplit('/').next().map(str::to_string)),
        )
        .collect();
    kinds.sort();
    kinds.dedup();
    Ok(PlanReport {
        now: env.clock.now_string(),
        targets: vec![report],
        final_objects: final_objects(&env.api, &kinds),
    })
}

/// The settled run as JSON: the plan document plus the verdict.
pub fn settled_json(report: &PlanReport) -> Value {
    let mut doc = report.to_json();
    if let Some(verdict) = report.targets.first().and_then(|t| t.verdict.as_ref()) {
        doc["verdict"] = crate::explain::verdict_json(verdict);
    }
    doc
}
