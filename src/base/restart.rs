//! Which pods a change restarts. A pod restarts when its StatefulSet's pod template
//! changes. The plan shows that directly when it reconciles the SeiNode (an observed
//! restart); a SeiNode whose spec the change touched but which the plan does not reconcile
//! (a group's child without `--cascade`) gets the StatefulSet its next reconcile would apply,
//! built by the same resource builder, compared with the stored one (a predicted restart).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::api::{SeiNode, SEINODE_KIND};
use crate::engine::plan::PlanReport;
use crate::env::Env;
use crate::platform::Platform;
use crate::world::{WriteOutcome, WriteRecord};

/// A pod that restarts: its StatefulSet's pod template before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct Restart {
    pub namespace: String,
    /// The SeiNode (and StatefulSet) name.
    pub name: String,
    /// True when a StatefulSet write of the plan changes the template; false when predicted
    /// from the SeiNode's new spec.
    pub observed: bool,
    pub before: Value,
    pub after: Value,
}

fn template(object: &Value) -> Value {
    object
        .pointer("/spec/template")
        .cloned()
        .unwrap_or(Value::Null)
}

/// Every restart the plan (and the head's manifest writes) cause, by namespace and name.
pub fn predicted_restarts(
    env: &Env,
    report: &PlanReport,
    manifest: &[WriteRecord],
    platform: &Platform,
) -> Vec<Restart> {
    let plan_writes = || {
        report
            .targets
            .iter()
            .flat_map(|t| t.steps.iter().flat_map(|s| s.trace.writes.iter()))
    };
    let mut restarts: BTreeMap<(String, String), Restart> = BTreeMap::new();
    let mut applied: Vec<(String, String)> = Vec::new();
    for w in plan_writes().filter(|w| w.kind == "StatefulSet") {
        applied.push((w.namespace.clone(), w.name.clone()));
        if let WriteOutcome::Updated { before, after } = &w.outcome {
            let (b, a) = (template(before), template(after));
            if b != a {
                let key = (w.namespace.clone(), w.name.clone());
                let first_before = restarts.get(&key).map(|r| r.before.clone());
                restarts.insert(
                    key,
                    Restart {
                        namespace: w.namespace.clone(),
                        name: w.name.clone(),
                        observed: true,
                        before: first_before.unwrap_or(b),
                        after: a,
                    },
                );
            }
        }
    }
    let spec_changed = manifest.iter().chain(plan_writes()).filter(|w| {
        w.kind == SEINODE_KIND
            && matches!(&w.outcome, WriteOutcome::Updated { before, after }
                if before.get("spec") != after.get("spec"))
    });
    let mut nodes: Vec<(String, String)> = spec_changed
        .map(|w| (w.namespace.clone(), w.name.clone()))
        .filter(|k| !applied.contains(k))
        .collect();
    nodes.sort();
    nodes.dedup();
    for (namespace, name) in nodes {
        let node = env
            .api
            .get_opt("sei.io/v1alpha1", SEINODE_KIND, &namespace, &name)
            .ok()
            .flatten()
            .filter(|n| n.pointer("/metadata/deletionTimestamp").is_none())
            .and_then(|n| SeiNode::from_value(&n).ok());
        let stored = env
            .api
            .get_opt("apps/v1", "StatefulSet", &namespace, &name)
            .ok()
            .flatten();
        let (Some(node), Some(stored)) = (node, stored) else {
            continue;
        };
        let desired = crate::resources::statefulset(&node, platform);
        let (b, a) = (template(&stored), template(&desired));
        if b != a {
            restarts.insert(
                (namespace.clone(), name.clone()),
                Restart {
                    namespace,
                    name,
                    observed: false,
                    before: b,
                    after: a,
                },
            );
        }
    }
    restarts.into_values().collect()
}
