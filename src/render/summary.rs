//! The one account of a plan that every output shares: the counts of the summary line, the
//! `summary` of the JSON/YAML document and the exit code all come from [`Summary::of`], and the
//! problems the operator would run into (refused writes, reconcile errors, failed plans) are
//! listed by [`problems`] in the same terms.

use serde_json::{json, Value};

use super::changes::{verdict, Action, IgnorePath};
use crate::engine::plan::{PlanReport, ReconcileStep, TargetReport};

/// Counts over a whole plan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub delete: usize,
    pub no_op: usize,
    /// Updates the API server would refuse (immutable fields).
    pub forbidden: usize,
    /// Writes the API server answers with an error (invalid, not found, no such kind, conflict).
    pub failed: usize,
    /// Status patches among the updates.
    pub status: usize,
    /// Reconciles that end with an error.
    pub errors: usize,
    /// Task plans that fail during the run.
    pub failed_plans: usize,
}

impl Summary {
    pub fn of(report: &PlanReport, ignore: &[IgnorePath]) -> Summary {
        Summary::of_targets(&report.targets, ignore)
    }

    /// The counts of some targets of a plan (one, for a per-object heading).
    pub fn of_targets(targets: &[TargetReport], ignore: &[IgnorePath]) -> Summary {
        let mut s = Summary::default();
        for target in targets {
            s.add(target, ignore);
        }
        s
    }

    /// Counts one more target.
    pub fn add(&mut self, target: &TargetReport, ignore: &[IgnorePath]) {
        let s = self;
        for step in &target.steps {
            for w in &step.trace.writes {
                match verdict(w, ignore).0 {
                    Action::Create => s.create += 1,
                    Action::Update => {
                        s.update += 1;
                        if w.subresource.is_some() {
                            s.status += 1;
                        }
                    }
                    Action::Delete => s.delete += 1,
                    Action::NoOp => s.no_op += 1,
                    Action::Forbidden => s.forbidden += 1,
                    Action::Failed => s.failed += 1,
                }
            }
            s.errors += usize::from(step.trace.outcome.error.is_some());
            s.failed_plans += usize::from(plan_failed(step));
        }
    }

    /// The counts of two parts of a plan together.
    pub fn merge(&mut self, other: &Summary) {
        self.create += other.create;
        self.update += other.update;
        self.delete += other.delete;
        self.no_op += other.no_op;
        self.forbidden += other.forbidden;
        self.failed += other.failed;
        self.status += other.status;
        self.errors += other.errors;
        self.failed_plans += other.failed_plans;
    }

    /// Whether anything would change (the `--detailed-exitcode` verdict).
    pub fn has_changes(&self) -> bool {
        self.create + self.update + self.delete + self.forbidden + self.failed > 0
    }

    /// Whether the operator would run into a refusal or an error: the plan fails (exit 1).
    pub fn has_problems(&self) -> bool {
        self.forbidden + self.failed + self.errors + self.failed_plans > 0
    }

    /// `Plan: 3 to create, 2 to update (1 status), 0 to delete. 1 forbidden, 1 reconcile
    /// error. Nothing was written.`
    pub fn line(&self) -> String {
        self.line_ending(" Nothing was written.")
    }

    /// The summary line of a plan `apply` is about to send: `Plan: 3 to create, 1 to update,
    /// 0 to delete. These changes will be written.`
    pub fn line_to_apply(&self) -> String {
        self.line_ending(" These changes will be written.")
    }

    fn line_ending(&self, ending: &str) -> String {
        let updates = if self.status > 0 {
            format!("{} to update ({} status)", self.update, self.status)
        } else {
            format!("{} to update", self.update)
        };
        let mut line = format!(
            "Plan: {} to create, {updates}, {} to delete.",
            self.create, self.delete
        );
        let problems = self.problem_counts();
        if !problems.is_empty() {
            line.push(' ');
            line.push_str(&problems.join(", "));
            line.push('.');
        }
        line.push_str(ending);
        line
    }

    /// `1 forbidden`, `2 failed`, `1 reconcile error`, `1 failed plan`: the non-zero problems.
    pub fn problem_counts(&self) -> Vec<String> {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut out = Vec::new();
        if self.forbidden > 0 {
            out.push(format!("{} forbidden", self.forbidden));
        }
        if self.failed > 0 {
            out.push(format!("{} failed", self.failed));
        }
        if self.errors > 0 {
            out.push(plural(self.errors, "reconcile error", "reconcile errors"));
        }
        if self.failed_plans > 0 {
            out.push(plural(self.failed_plans, "failed plan", "failed plans"));
        }
        out
    }

    /// The `summary` object of the JSON/YAML plan.
    pub fn to_json(&self) -> Value {
        json!({
            "create": self.create,
            "update": self.update,
            "statusUpdates": self.status,
            "delete": self.delete,
            "noOp": self.no_op,
            "forbidden": self.forbidden,
            "failed": self.failed,
            "errors": self.errors,
            "failedPlans": self.failed_plans,
            "line": self.line(),
        })
    }
}

/// Whether a reconcile turned the target's task plan Failed.
pub fn plan_failed(step: &ReconcileStep) -> bool {
    let phase = |v: Option<&Value>| {
        v.and_then(|v| v.pointer("/status/plan/phase"))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let id = |v: Option<&Value>| {
        v.and_then(|v| v.pointer("/status/plan/id"))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let (before, after) = (step.before.as_deref(), step.after.as_deref());
    phase(after).as_deref() == Some("Failed")
        && (phase(before).as_deref() != Some("Failed") || id(before) != id(after))
}

/// One problem of a plan, named for a person: `SeiNode default/a (reconcile 1): error: …`.
pub fn problems(report: &PlanReport, ignore: &[IgnorePath]) -> Vec<String> {
    let mut out = Vec::new();
    for target in &report.targets {
        target_problems(target, ignore, &mut out);
    }
    out
}

/// The [`problems`] of one target, added to `out`.
pub fn target_problems(target: &TargetReport, ignore: &[IgnorePath], out: &mut Vec<String>) {
    for (n, step) in target.steps.iter().enumerate() {
        let at = at(target, n);
        for w in &step.trace.writes {
            let (action, reason) = verdict(w, ignore);
            let what = || format!("{} {} {}/{}", w.verb, w.kind, w.namespace, w.name);
            match action {
                Action::Forbidden => out.push(format!(
                    "{at}: forbidden: {}: {}",
                    what(),
                    reason.as_deref().unwrap_or("")
                )),
                Action::Failed => out.push(format!(
                    "{at}: failed: {}: {}",
                    what(),
                    w.error.as_deref().unwrap_or("")
                )),
                _ => {}
            }
        }
        if let Some(e) = &step.trace.outcome.error {
            out.push(format!("{at}: reconcile error: {e}"));
        }
        if plan_failed(step) {
            let task = failed_task(step.after.as_deref()).unwrap_or_default();
            out.push(format!("{at}: the plan failed{task}"));
        }
    }
}

/// `SeiNode default/a`, with the reconcile number when the target was reconciled more than once.
fn at(target: &TargetReport, n: usize) -> String {
    if target.steps.len() > 1 {
        format!(
            "{} (reconcile {}/{})",
            target.target,
            n + 1,
            target.steps.len()
        )
    } else {
        target.target.to_string()
    }
}

/// `: task T failed: E` for the first failed task of a plan.
fn failed_task(object: Option<&Value>) -> Option<String> {
    let task = object?
        .pointer("/status/plan/tasks")?
        .as_array()?
        .iter()
        .find(|t| t.get("status").and_then(Value::as_str) == Some("Failed"))?;
    let ty = task.get("type").and_then(Value::as_str).unwrap_or("");
    let error = task.get("error").and_then(Value::as_str).unwrap_or("");
    Some(if error.is_empty() {
        format!(": task {ty} failed")
    } else {
        format!(": task {ty} failed: {error}")
    })
}
