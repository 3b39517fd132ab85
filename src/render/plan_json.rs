//! The machine-readable plan (`-o json|yaml`, `formatVersion` 2): the `simulate` trace of every
//! reconcile (PARITY.md §3, unchanged: the trace itself is built by the core) plus what a CI job
//! needs without reading the trace: the `summary` counts (the same [`Summary`] as the text
//! summary line), the `targets` as a list, the `problems`, and an `action` on every write.

use serde_json::{json, Map, Value};

use super::changes::{judge, Action, IgnorePath};
use super::summary::{problems, Summary};
use crate::engine::plan::{PlanReport, ReconcileStep, TargetRef};

/// Version of the plan document; 2 added `summary`, `targets`, `problems` and `action`.
pub const FORMAT_VERSION: u64 = 2;

/// The plan document; `ignore` (the `--ignore-path`s) decides no-ops exactly as in the text.
pub fn document(report: &PlanReport, ignore: &[IgnorePath]) -> Value {
    let Value::Object(trace) = report.to_json() else {
        return Value::Null;
    };
    let mut doc = Map::new();
    doc.insert("formatVersion".into(), json!(FORMAT_VERSION));
    doc.insert("summary".into(), Summary::of(report, ignore).to_json());
    doc.insert(
        "targets".into(),
        Value::Array(
            report
                .targets
                .iter()
                .map(|t| target_json(&t.target, t.verdict.as_ref()))
                .collect(),
        ),
    );
    doc.insert("problems".into(), json!(problems(report, ignore)));
    for (key, value) in trace {
        if key != "formatVersion" {
            doc.insert(key, value);
        }
    }
    // The trace lists reconciles in run order; so does this.
    let mut steps: Vec<&ReconcileStep> = report.targets.iter().flat_map(|t| &t.steps).collect();
    steps.sort_by_key(|s| s.trace.index);
    if let Some(Value::Array(reconciles)) = doc.get_mut("reconciles") {
        for (json, step) in reconciles.iter_mut().zip(steps) {
            let Some(Value::Array(writes)) = json.get_mut("writes") else {
                continue;
            };
            for (w, record) in writes.iter_mut().zip(&step.trace.writes) {
                let change = judge(record, ignore);
                if let Some(m) = w.as_object_mut() {
                    m.insert("action".into(), json!(change.action.label()));
                    if change.action == Action::Forbidden {
                        m.insert("reason".into(), json!(change.reason));
                    }
                }
            }
        }
    }
    Value::Object(doc)
}

fn target_json(target: &TargetRef, verdict: Option<&crate::engine::plan::Verdict>) -> Value {
    let mut t = json!({"kind": target.kind, "namespace": target.namespace, "name": target.name});
    if let Some(v) = verdict {
        t["verdict"] = json!(v.to_string());
    }
    t
}
