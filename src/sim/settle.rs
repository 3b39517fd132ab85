//! `simulate FIXTURE --until-settled`: reconcile a fixture's target with the
//! `--until-settled` engine of `plan` instead of the scenario's reconcile count.

use serde_json::Value;

use super::runner::{options, target};
use super::scenario::Fixture;
use crate::engine::error::EngineError;
use crate::engine::plan::{plan, PlanOptions, PlanReport};

/// Runs the fixture's target until it settles, stalls, loops or reaches `max` reconciles.
pub fn settle_fixture(fixture: &Fixture, max: usize) -> Result<PlanReport, EngineError> {
    let engine = PlanOptions {
        until_settled: Some(max.max(1)),
        ..options(&fixture.scenario)?
    };
    let target = target(&fixture.scenario);
    plan(&fixture.objects, std::slice::from_ref(&target), &engine)
}

/// The settled run as JSON: the plan document plus the verdict.
pub fn settled_json(report: &PlanReport) -> Value {
    let mut doc = report.wire();
    doc.verdict = report
        .targets
        .first()
        .and_then(|t| t.verdict.as_ref())
        .map(crate::explain::verdict_json);
    serde_json::to_value(doc).unwrap_or(Value::Null)
}
