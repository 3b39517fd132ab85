//! What a `plan --base` changes, judged: only the writes that differ from the settled base
//! (no-ops and failures the base has too are left out), counted by what they do to the
//! fleet (rollouts, pod restarts, nodes and PVCs created or deleted, forbidden updates),
//! with one impact line per changed object for a reviewer.

use serde_json::Value;

use super::changes::{changed_paths, judge, Action, Change, IgnorePath};
use crate::base::{is_unchanged, BasePlan, Restart};
use crate::engine::plan::{PlanReport, ReconcileStep, TargetReport};
use crate::world::WriteRecord;

/// A rollout the change starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rollout {
    pub namespace: String,
    pub group: String,
    pub strategy: String,
    pub incumbent_revision: String,
    pub entrant_revision: String,
}

/// Counts of a base plan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BaseSummary {
    /// Manifest objects the head creates, updates, deletes (as `kubectl apply`).
    pub manifest: usize,
    pub rollouts: usize,
    pub restarts: usize,
    pub create: usize,
    pub update: usize,
    /// Status patches among the updates.
    pub status: usize,
    pub delete: usize,
    pub nodes_created: usize,
    pub nodes_deleted: usize,
    pub pvcs_created: usize,
    pub pvcs_deleted: usize,
    pub forbidden: usize,
    /// Writes that fail with the head and not at rest.
    pub failed: usize,
}

impl BaseSummary {
    /// Whether the head changes anything (the `--detailed-exitcode` verdict).
    pub fn has_changes(&self) -> bool {
        self.manifest + self.create + self.update + self.delete + self.forbidden + self.restarts > 0
    }

    /// `Plan: 1 manifest change, 1 rollout, 2 pods restart, 0 to create, …`
    pub fn line(&self) -> String {
        if !self.has_changes() {
            return "No changes. The head leaves the settled base as it is. Nothing was written."
                .into();
        }
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut create = format!("{} to create", self.create);
        let kinds: Vec<String> = [
            (self.nodes_created, "SeiNode", "SeiNodes"),
            (self.pvcs_created, "PVC", "PVCs"),
        ]
        .iter()
        .filter(|(n, ..)| *n > 0)
        .map(|(n, one, many)| plural(*n, one, many))
        .collect();
        if !kinds.is_empty() {
            create.push_str(&format!(" ({})", kinds.join(", ")));
        }
        let mut update = format!("{} to update", self.update);
        if self.status > 0 {
            update.push_str(&format!(" ({} status)", self.status));
        }
        let mut delete = format!("{} to delete", self.delete);
        let kinds: Vec<String> = [
            (self.nodes_deleted, "SeiNode", "SeiNodes"),
            (self.pvcs_deleted, "PVC", "PVCs"),
        ]
        .iter()
        .filter(|(n, ..)| *n > 0)
        .map(|(n, one, many)| plural(*n, one, many))
        .collect();
        if !kinds.is_empty() {
            delete.push_str(&format!(" ({})", kinds.join(", ")));
        }
        let mut line = format!(
            "Plan: {}, {}, {}; the operator: {create}, {update}, {delete}.",
            plural(self.manifest, "manifest change", "manifest changes"),
            plural(self.rollouts, "rollout", "rollouts"),
            plural(self.restarts, "pod restarts", "pods restart"),
        );
        if self.forbidden > 0 {
            line.push_str(&format!(" {} forbidden by the API server.", self.forbidden));
        }
        if self.failed > 0 {
            line.push_str(&format!(" {} write(s) would fail.", self.failed));
        }
        line.push_str(" Nothing was written.");
        line
    }
}

/// A base plan reduced to what differs from the settled base.
pub struct BaseChanges<'a> {
    pub plan: &'a BasePlan,
    /// The head's manifest writes that change something.
    pub manifest: Vec<Change<'a>>,
    /// The operator's plan with only the writes that change something (targets and
    /// reconciles without any are left out).
    pub report: PlanReport,
    pub rollouts: Vec<Rollout>,
    pub summary: BaseSummary,
    /// One line per changed object, most telling first.
    pub impact: Vec<String>,
}

fn changes_something(plan: &BasePlan, w: &WriteRecord, ignore: &[IgnorePath]) -> bool {
    !is_unchanged(w, &plan.failing) && judge(w, ignore).action != Action::NoOp
}

/// The target's reconciles with only their changing writes; `None` when nothing changes.
fn reduced(plan: &BasePlan, t: &TargetReport, ignore: &[IgnorePath]) -> Option<TargetReport> {
    let keep = |s: &ReconcileStep| {
        let mut s = s.clone();
        s.trace
            .writes
            .retain(|w| changes_something(plan, w, ignore));
        s
    };
    let steps: Vec<ReconcileStep> = t.steps.iter().map(keep).collect();
    let any = steps
        .iter()
        .any(|s| !s.trace.writes.is_empty() || !s.trace.events.is_empty());
    if !any {
        return None;
    }
    let steps = if t.verdict.is_some() {
        // A timeline keeps every reconcile: its rows are the run.
        steps
    } else {
        steps
            .into_iter()
            .filter(|s| !s.trace.writes.is_empty() || !s.trace.events.is_empty())
            .collect()
    };
    Some(TargetReport {
        target: t.target.clone(),
        steps,
        verdict: t.verdict.clone(),
    })
}

/// Judges a base plan's writes and rollouts; the impact lines are left empty (they are added
/// by `base_impact::changes`, which reads this judgement).
pub fn judged<'a>(plan: &'a BasePlan, ignore: &[IgnorePath]) -> BaseChanges<'a> {
    let manifest: Vec<Change> = plan
        .manifest
        .iter()
        .map(|w| judge(w, ignore))
        .filter(|c| c.action != Action::NoOp)
        .collect();
    let report = PlanReport {
        now: plan.report.now.clone(),
        targets: plan
            .report
            .targets
            .iter()
            .filter_map(|t| reduced(plan, t, ignore))
            .collect(),
        final_objects: plan.report.final_objects.clone(),
    };
    let rollouts = rollouts(&plan.report);
    let mut summary = BaseSummary {
        manifest: manifest.len(),
        rollouts: rollouts.len(),
        restarts: plan.restarts.len(),
        ..BaseSummary::default()
    };
    for w in report
        .targets
        .iter()
        .flat_map(|t| t.steps.iter().flat_map(|s| s.trace.writes.iter()))
    {
        let pvc = w.kind == "PersistentVolumeClaim";
        let node = w.kind == crate::api::SEINODE_KIND;
        match judge(w, ignore).action {
            Action::Create => {
                summary.create += 1;
                summary.nodes_created += usize::from(node);
                summary.pvcs_created += usize::from(pvc);
            }
            Action::Update => {
                summary.update += 1;
                summary.status += usize::from(w.subresource.is_some());
            }
            Action::Delete => {
                summary.delete += 1;
                summary.nodes_deleted += usize::from(node);
                summary.pvcs_deleted += usize::from(pvc);
            }
            Action::Forbidden => summary.forbidden += 1,
            Action::Failed => summary.failed += 1,
            Action::NoOp => {}
        }
    }
    BaseChanges {
        plan,
        manifest,
        report,
        rollouts,
        summary,
        impact: Vec::new(),
    }
}

/// The rollouts that start: a group with a rollout in status after the plan and none at rest.
fn rollouts(report: &PlanReport) -> Vec<Rollout> {
    let mut out = Vec::new();
    for t in report
        .targets
        .iter()
        .filter(|t| t.target.kind == crate::api::SEINODEDEPLOYMENT_KIND)
    {
        let rest = t.steps.first().and_then(|s| s.before.as_deref());
        let last = t.steps.last().and_then(|s| s.after.as_deref());
        let rollout = |o: Option<&Value>| o.and_then(|o| o.pointer("/status/rollout")).cloned();
        let (Some(now), None) = (
            rollout(last).filter(|r| !r.is_null()),
            rollout(rest).filter(|r| !r.is_null()),
        ) else {
            continue;
        };
        let text = |key: &str| {
            now.get(key)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        out.push(Rollout {
            namespace: t.target.namespace.clone(),
            group: t.target.name.clone(),
            strategy: text("strategy"),
            incumbent_revision: text("incumbentRevision"),
            entrant_revision: text("entrantRevision"),
        });
    }
    out
}

/// What changes in a restart's pod template, shortest first: `image v6.2.0 -> v6.3.0`, or
/// the changed paths.
pub fn restart_reason(r: &Restart) -> String {
    let images = |t: &Value| -> Vec<String> {
        t.pointer("/spec/containers")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| c.get("image").and_then(Value::as_str).map(str::to_string))
            .collect()
    };
    let (before, after) = (images(&r.before), images(&r.after));
    if before != after {
        if let (Some(b), Some(a)) = (before.first(), after.first()) {
            return format!("image {}", image_change(b, a));
        }
    }
    let paths: Vec<String> = changed_paths(&r.before, &r.after)
        .into_iter()
        .map(|(p, ..)| p)
        .collect();
    let shown: Vec<&str> = paths.iter().take(3).map(String::as_str).collect();
    let more = if paths.len() > 3 {
        format!(" and {} more", paths.len() - 3)
    } else {
        String::new()
    };
    format!("pod template: {}{more}", shown.join(", "))
}

/// `v6.2.0 -> v6.3.0` when only the tag differs, else the whole references.
pub fn image_change(before: &str, after: &str) -> String {
    let split = |i: &str| -> (String, String) {
        match i
            .rsplit_once(':')
            .filter(|(repo, _)| !repo.ends_with("@sha256"))
        {
            Some((repo, tag)) if !tag.contains('/') => (repo.to_string(), tag.to_string()),
            _ => (i.to_string(), String::new()),
        }
    };
    let ((rb, tb), (ra, ta)) = (split(before), split(after));
    if rb == ra && !tb.is_empty() && !ta.is_empty() {
        format!("{tb} -> {ta}")
    } else {
        format!("{before} -> {after}")
    }
}
