//! `plan --base`: what a change of manifests does to a fleet that runs today, without a
//! cluster. The base manifests are loaded and settled (every target reconciled until it
//! rests: Running nodes, Ready groups), the head manifests are applied over the settled
//! world as `kubectl apply` would (through the in-memory API server's own write path), and
//! then the operator plans the change on that world. Pure: no I/O; the CLI reads the files
//! (or git) and renders the result.

pub mod restart;

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use serde_json::Value;

use crate::engine::plan::{
    build_env, plan_in, settle_tree, targets_of, PlanOptions, PlanReport, TargetRef, TargetReport,
    Verdict,
};
use crate::env::Env;
use crate::sidecar::model::{PodSidecarScript, ScriptedSidecars, SidecarScript};
use crate::world::{ApiError, DeleteOptions, WriteOutcome, WriteRecord};

pub use restart::{predicted_restarts, Restart};

/// Reconciles per target the base may take to come to rest.
pub const BASE_MAX_RECONCILES: usize = 100;

/// Why a base plan could not be made.
#[derive(Debug, thiserror::Error)]
pub enum BaseError {
    /// The base objects could not be loaded into the world.
    #[error("loading the base: {0}")]
    Load(String),
    /// A reconcile of the base failed outright.
    #[error("settling the base: {0}")]
    Reconcile(String),
    /// A base target did not come to rest: its verdict, or the phase it rests in.
    #[error("the base does not settle: {target}: {}", unsettled_text(verdict, phase.as_deref()))]
    Unsettled {
        target: Box<TargetRef>,
        verdict: Box<Verdict>,
        /// Set when the target settled in another phase than Running / Ready.
        phase: Option<String>,
    },
    /// Applying a head object was refused by the API server.
    #[error("applying the head: {object}: {source}")]
    Apply {
        /// `Kind namespace/name`.
        object: String,
        #[source]
        source: Box<ApiError>,
    },
    /// Planning the change failed.
    #[error("planning the head: {0}")]
    Plan(String),
}

/// `stalled (…)`, `loop (…)`, `limit (…)`, or the phase a settled target rests in.
fn unsettled_text(verdict: &Verdict, phase: Option<&str>) -> String {
    let kind = match verdict {
        Verdict::Settled { .. } => "settled",
        Verdict::Stalled { .. } => "stalled",
        Verdict::Loop { .. } => "loop",
        Verdict::Limit { .. } => "limit",
    };
    match (verdict, phase) {
        (Verdict::Limit { max }, _) => format!("limit (not at rest after {max} reconciles)"),
        (_, Some(phase)) => format!("{kind}, but in phase {phase}, not at rest (Running / Ready)"),
        _ => format!("{kind} ({verdict})"),
    }
}

/// A fleet at rest, built from the base manifests.
pub struct SettledBase {
    pub env: Env,
    /// How each base target came to rest (its reconciles and verdict).
    pub reports: Vec<TargetReport>,
    /// Writes that failed in every target's last base reconcile (kind, namespace, name,
    /// error): they fail today too, so failing again is no change.
    pub failing: HashSet<FailingWrite>,
}

/// A write that fails at rest, e.g. an HTTPRoute of a kind the cluster does not serve.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FailingWrite {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub error: String,
}

impl FailingWrite {
    /// The failure a write records, if it failed.
    pub fn of(w: &WriteRecord) -> Option<FailingWrite> {
        w.error.as_ref().map(|error| FailingWrite {
            kind: w.kind.clone(),
            namespace: w.namespace.clone(),
            name: w.name.clone(),
            error: error.clone(),
        })
    }
}

/// The outside world of a base at rest: every sidecar task completes and bootstrap Jobs
/// finish, whatever the head plan is told to assume.
fn base_options(options: &PlanOptions) -> PlanOptions {
    PlanOptions {
        sidecar: SidecarScript::uniform("completed"),
        pod_sidecar: PodSidecarScript::default(),
        complete_jobs: true,
        until_settled: Some(BASE_MAX_RECONCILES),
        cascade: true,
        reconciles: 1,
        ..options.clone()
    }
}

/// The phase a target has at rest.
fn rest_phase(kind: &str) -> &'static str {
    if kind == crate::api::SEINODEDEPLOYMENT_KIND {
        "Ready"
    } else {
        "Running"
    }
}

/// Builds the world from `objects` and reconciles every SeiNodeDeployment and SeiNode (and
/// the SeiNodes the groups create, taking turns as the two controllers would) until each is
/// at rest. A target that stalls, loops, runs out of reconciles or rests in another phase
/// than Running / Ready is an error naming it.
pub fn settle_base(objects: &[Value], options: &PlanOptions) -> Result<SettledBase, BaseError> {
    let opts = base_options(options);
    let mut env = build_env(objects, &opts).map_err(|e| BaseError::Load(e.to_string()))?;
    let roots = targets_of(objects);
    let mut index = 0;
    let reports = settle_tree(&mut env, &roots, BASE_MAX_RECONCILES, &mut index)
        .map_err(|e| BaseError::Reconcile(e.to_string()))?;
    let mut failing = HashSet::new();
    for report in &reports {
        let verdict = report.verdict.clone().unwrap_or(Verdict::Limit {
            max: BASE_MAX_RECONCILES,
        });
        if !verdict.is_settled() {
            return Err(BaseError::Unsettled {
                target: Box::new(report.target.clone()),
                verdict: Box::new(verdict),
                phase: None,
            });
        }
        let last = report.steps.last();
        let phase = last
            .and_then(|s| s.after.as_deref())
            .and_then(|o| o.pointer("/status/phase"))
            .and_then(Value::as_str)
            .unwrap_or("<none>");
        let want = rest_phase(&report.target.kind);
        if phase != want {
            return Err(BaseError::Unsettled {
                target: Box::new(report.target.clone()),
                verdict: Box::new(verdict),
                phase: Some(phase.to_string()),
            });
        }
        if let Some(step) = last {
            failing.extend(step.trace.writes.iter().filter_map(FailingWrite::of));
        }
    }
    env.api.take_writes();
    env.events.clear();
    env.dns.take_lookups();
    env.sidecars.take_calls();
    Ok(SettledBase {
        env,
        reports,
        failing,
    })
}

/// The identity of a manifest object.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    api_version: String,
    kind: String,
    namespace: String,
    name: String,
}

fn key_of(o: &Value) -> Key {
    let text = |p: &str| {
        o.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    Key {
        api_version: text("/apiVersion"),
        kind: text("/kind"),
        namespace: text("/metadata/namespace"),
        name: text("/metadata/name"),
    }
}

/// The fields `kubectl apply` of `head` sets on the stored object: everything outside
/// type meta, metadata and status, plus the labels and annotations. Server-owned metadata,
/// finalizers, owner references and the status stay as stored.
fn applied_over(stored: &Value, head: &Value) -> Value {
    let mut body = stored.clone();
    let (Some(map), Some(head_map)) = (body.as_object_mut(), head.as_object()) else {
        return body;
    };
    map.retain(|k, _| matches!(k.as_str(), "apiVersion" | "kind" | "metadata" | "status"));
    for (k, v) in head_map {
        if !matches!(k.as_str(), "apiVersion" | "kind" | "metadata" | "status") {
            map.insert(k.clone(), v.clone());
        }
    }
    if let Some(meta) = map.get_mut("metadata").and_then(Value::as_object_mut) {
        for field in ["labels", "annotations"] {
            match head.pointer(&format!("/metadata/{field}")) {
                Some(v) if !v.is_null() => {
                    meta.insert(field.into(), v.clone());
                }
                _ => {
                    meta.remove(field);
                }
            }
        }
    }
    typed(body)
}

/// A SeiNodeDeployment's spec in the typed encoding the world stores (as loading does), so
/// an unchanged manifest is an unchanged object and does not bump the generation.
fn typed(mut object: Value) -> Value {
    if object.get("kind").and_then(Value::as_str) != Some(crate::api::SEINODEDEPLOYMENT_KIND) {
        return object;
    }
    if let Some(spec) = object.get("spec") {
        if let Ok(group) =
            crate::api::SeiNodeDeployment::from_value(&serde_json::json!({ "spec": spec }))
        {
            object["spec"] = group.to_value()["spec"].clone();
        }
    }
    object
}

/// Applies the head manifests to the settled world as `kubectl apply` (and `--prune`) would:
/// an object in both is updated (spec, labels, annotations), one only in `head` is created,
/// one only in `base` is deleted unless `prune` is false. Returns the writes, in order.
pub fn apply_head(
    env: &mut Env,
    base: &[Value],
    head: &[Value],
    prune: bool,
) -> Result<Vec<WriteRecord>, BaseError> {
    let apply_error = |k: &Key, source: ApiError| BaseError::Apply {
        object: format!("{} {}/{}", k.kind, k.namespace, k.name),
        source: Box::new(source),
    };
    let head_keys: BTreeSet<Key> = head.iter().map(key_of).collect();
    for object in head {
        let k = key_of(object);
        let stored = env
            .api
            .get_opt(&k.api_version, &k.kind, &k.namespace, &k.name)
            .map_err(|e| apply_error(&k, e))?;
        let result = match stored {
            Some(stored) => {
                let body = applied_over(&stored, object);
                env.api.update(&k.api_version, &k.kind, body, false)
            }
            None => env
                .api
                .create(&k.api_version, &k.kind, typed(object.clone())),
        };
        result.map_err(|e| apply_error(&k, e))?;
    }
    if prune {
        for object in base {
            let k = key_of(object);
            if head_keys.contains(&k) {
                continue;
            }
            let options = DeleteOptions {
                propagation_policy: Some("Background".into()),
            };
            match env
                .api
                .delete(&k.api_version, &k.kind, &k.namespace, &k.name, options)
            {
                Ok(_) => {}
                // Already gone (e.g. deleted with its owner): nothing to prune.
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(apply_error(&k, e)),
            }
        }
    }
    Ok(env.api.take_writes())
}

/// What HEAD does to the settled BASE.
pub struct BasePlan {
    /// How the base came to rest.
    pub base: Vec<TargetReport>,
    /// The writes of `kubectl apply` of the head (and the prune deletions).
    pub manifest: Vec<WriteRecord>,
    /// The operator's plan on the world with the head applied.
    pub report: PlanReport,
    /// Writes that already fail at rest.
    pub failing: HashSet<FailingWrite>,
    /// Pods that restart: observed (a StatefulSet template the plan changes) or predicted
    /// (a SeiNode whose spec changed and which the plan does not reconcile).
    pub restarts: Vec<Restart>,
}

/// The SeiNodes a SeiNodeDeployment controls in the world, in name order.
fn children(env: &Env, group: &TargetRef) -> Vec<TargetRef> {
    let object = env.api.get(
        "sei.io/v1alpha1",
        crate::api::SEINODEDEPLOYMENT_KIND,
        &group.namespace,
        &group.name,
    );
    let nodes = object
        .ok()
        .and_then(|o| crate::controller::deployment::decode_group(&o).ok())
        .and_then(|g| crate::controller::deployment::nodes::list_child_seinodes(env, &g).ok())
        .unwrap_or_default();
    nodes
        .iter()
        .map(|n| TargetRef {
            kind: crate::api::SEINODE_KIND.into(),
            namespace: group.namespace.clone(),
            name: n.name().to_string(),
        })
        .collect()
}

/// The targets of the head plan: the chosen head targets and the pruned base targets,
/// groups first; with `cascade` also the SeiNodes each group controls, after the groups.
fn plan_targets(
    env: &Env,
    chosen: &[TargetRef],
    pruned: &[TargetRef],
    cascade: bool,
) -> Vec<TargetRef> {
    let is_group = |t: &TargetRef| t.kind == crate::api::SEINODEDEPLOYMENT_KIND;
    let all = || chosen.iter().chain(pruned);
    let mut targets: Vec<TargetRef> = Vec::new();
    let groups = all().filter(|t| is_group(t)).cloned();
    let owned: Vec<TargetRef> = if cascade {
        all()
            .filter(|t| is_group(t))
            .flat_map(|g| children(env, g))
            .collect()
    } else {
        Vec::new()
    };
    let nodes = all().filter(|t| !is_group(t)).cloned();
    for t in groups.chain(owned).chain(nodes) {
        if !targets.contains(&t) {
            targets.push(t);
        }
    }
    targets
}

/// Applies `head` over the settled base and plans the change: the chosen `targets` (head
/// SeiNodes and SeiNodeDeployments) and every pruned one are reconciled as `plan` would,
/// under the head's outside world (`options`).
pub fn plan_change(
    settled: SettledBase,
    base: &[Value],
    head: &[Value],
    targets: &[TargetRef],
    options: &PlanOptions,
    prune: bool,
) -> Result<BasePlan, BaseError> {
    let SettledBase {
        mut env,
        reports,
        failing,
    } = settled;
    env.sidecars = Box::new(ScriptedSidecars::new(
        options.sidecar.clone(),
        options.pod_sidecar.clone(),
    ));
    env.jobs_complete = options.complete_jobs;
    let manifest = apply_head(&mut env, base, head, prune)?;
    let pruned: Vec<TargetRef> = manifest
        .iter()
        .filter(|w| w.verb == "Delete" && w.api_version.starts_with("sei.io/"))
        .map(|w| TargetRef {
            kind: w.kind.clone(),
            namespace: w.namespace.clone(),
            name: w.name.clone(),
        })
        .collect();
    let targets = plan_targets(&env, targets, &pruned, options.cascade);
    let objects: Vec<Value> = base.iter().chain(head).cloned().collect();
    let report = plan_in(&mut env, &objects, &targets, options)
        .map_err(|e| BaseError::Plan(e.to_string()))?;
    let restarts = predicted_restarts(&env, &report, &manifest, &options.platform);
    Ok(BasePlan {
        base: reports,
        manifest,
        report,
        failing,
        restarts,
    })
}

/// Whether a write only repeats what is true at rest (no-op, or a failure the base has too).
pub fn is_unchanged(write: &WriteRecord, failing: &HashSet<FailingWrite>) -> bool {
    match &write.outcome {
        WriteOutcome::Unchanged { .. } => true,
        WriteOutcome::Failed => FailingWrite::of(write).is_some_and(|f| failing.contains(&f)),
        _ => false,
    }
}

/// The object a write left stored (`None`: removed or failed).
pub fn stored_after(write: &WriteRecord) -> Option<&Arc<Value>> {
    match &write.outcome {
        WriteOutcome::Created { after }
        | WriteOutcome::Updated { after, .. }
        | WriteOutcome::MarkedDeleted { after, .. } => Some(after),
        WriteOutcome::Unchanged { object } => Some(object),
        WriteOutcome::Removed { .. } | WriteOutcome::Failed => None,
    }
}

#[cfg(test)]
mod tests;
