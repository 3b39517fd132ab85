//! `explain`: why is this SeiNode / SeiNodeDeployment stuck, and what happens next.
//!
//! The core is pure: it reads the target's stored status (phase, plan, current and
//! failed task, conditions), runs one reconcile in memory with the plan core to
//! show what the operator does next, keeps reconciling (the `--until-settled`
//! engine) to see where the object ends up, and names the known stuck patterns
//! of the operator that the status and those runs show.

mod patterns;
pub mod sidecar_view;
mod status;

use std::time::Duration;

use serde_json::{json, Value};

use crate::engine::plan::{
    current_task, reconcile_once, settle_with, PlanOptions, TargetRef, TargetReport,
};
use crate::engine::world::{self, Origin};
use crate::env::{go_duration, Dns};
use crate::sidecar::model::SidecarScript;
use crate::world::WriteOutcome;

pub use patterns::{StuckPattern, PATTERN_IDS};
pub use sidecar_view::{SidecarTaskAnswer, SidecarView};
pub use status::{ConditionView, FailedTaskView, PlanView, TaskView};

/// How `explain` models the world around the target.
#[derive(Debug, Clone)]
pub struct ExplainOptions {
    /// The world of the next reconcile: clock, seed, sidecar answers, DNS, served kinds.
    pub world: PlanOptions,
    /// Take DNS resolvability from the target's status (a `DNSPending` route means
    /// the host does not resolve) instead of `world.dns`.
    pub dns_from_status: bool,
    /// The reconcile limit of the eventual-state run.
    pub max_reconciles: usize,
    /// Where the objects come from (files, or a cluster snapshot whose objects keep their
    /// server fields).
    pub origin: Origin,
    /// Describes `world.sidecar` in the assumptions instead of the default text
    /// (e.g. answers taken from the live sidecar).
    pub sidecar_label: Option<String>,
}

/// What the next reconcile does, run in memory.
#[derive(Debug, Clone)]
pub struct NextReconcile {
    pub requeue: String,
    pub error: Option<String>,
    pub phase_after: Option<String>,
    pub plan_id_after: Option<String>,
    pub plan_phase_after: Option<String>,
    pub current_task_after: Option<String>,
    /// `VERB Kind ns/name[/subresource]: outcome`.
    pub writes: Vec<String>,
    /// `Op taskType (id): returned`.
    pub sidecar_calls: Vec<String>,
    /// `Type Reason: message`.
    pub events: Vec<String>,
    pub dns_lookups: Vec<String>,
}

/// Where the target ends up when the in-memory world keeps reconciling it.
#[derive(Debug, Clone)]
pub struct Eventually {
    /// What the run assumes about the outside world.
    pub assumption: String,
    pub report: TargetReport,
}

/// Everything `explain` found out about one target.
#[derive(Debug, Clone)]
pub struct Explanation {
    pub target: TargetRef,
    pub now: String,
    pub phase: Option<String>,
    pub plan: Option<PlanView>,
    pub current_task: Option<TaskView>,
    pub failed_task: Option<FailedTaskView>,
    pub conditions: Vec<ConditionView>,
    /// The sidecar and DNS answers the next reconcile was run with.
    pub assumptions: Vec<String>,
    pub next: NextReconcile,
    pub eventually: Eventually,
    pub patterns: Vec<StuckPattern>,
    /// The live sidecar's view of the current task (live targets only).
    pub sidecar_view: Option<SidecarView>,
}

/// Explains `target`, one of `objects` (the rest is cluster state).
pub fn explain(
    objects: &[Value],
    target: &TargetRef,
    options: &ExplainOptions,
) -> Result<Explanation, String> {
    let stored = objects
        .iter()
        .find(|o| is_target(o, target))
        .ok_or_else(|| format!("{target} is not in the input"))?;
    let now = options.world.clock.now();
    let mut world = options.world.clone();
    if options.dns_from_status && status::dns_pending(stored) {
        world.dns = Dns::new(false, world.dns.hosts.clone());
    }
    let dns_text = if world.dns.default_resolvable {
        "route hosts resolve"
    } else {
        "route hosts do not resolve"
    };
    let assumptions = vec![
        format!(
            "sidecar: {}",
            options
                .sidecar_label
                .clone()
                .unwrap_or_else(|| sidecar_text(&world.sidecar))
        ),
        format!("dns: {dns_text}"),
    ];

    let build = |world: &PlanOptions| {
        world::env_with(
            objects,
            world,
            options.origin,
            world::scripted_sidecars(world),
        )
    };
    let mut env = build(&world)?;
    let before = env
        .api
        .get(
            "sei.io/v1alpha1",
            &target.kind,
            &target.namespace,
            &target.name,
        )
        .map_err(|e| e.to_string())?;
    let mut index = 0;
    let step = reconcile_once(&mut env, target, &mut index)?;
    let next = summarise_step(&step);

    let mut best_case = world.clone();
    best_case.sidecar = SidecarScript::uniform("completed");
    best_case.complete_jobs = true;
    let mut env = build(&best_case)?;
    let mut index = 0;
    let report = settle_with(
        &mut env,
        target,
        options.max_reconciles.max(1),
        &mut index,
        true,
    )?;
    let others = if target.kind == "SeiNodeDeployment" {
        "its SeiNodes are reconciled after each of its reconciles, other objects keep their state"
    } else {
        "other objects keep their state"
    };
    let eventually = Eventually {
        assumption: format!(
            "every sidecar task and Job completes, {dns_text}, {others}; at most {} reconciles",
            options.max_reconciles.max(1)
        ),
        report,
    };

    let view = status::read(&before, now);
    let facts = patterns::Facts {
        target,
        stored: &before,
        objects,
        view: &view,
        next_step: &step,
        eventually: &eventually.report,
        dns_resolvable: world.dns.default_resolvable,
    };
    let patterns = patterns::detect(&facts);
    Ok(Explanation {
        target: target.clone(),
        now: options.world.clock.now_string(),
        phase: view.phase.clone(),
        plan: view.plan.clone(),
        current_task: view.current_task.clone(),
        failed_task: view.failed_task.clone(),
        conditions: view.conditions.clone(),
        assumptions,
        next,
        eventually,
        patterns,
        sidecar_view: None,
    })
}

/// The first task of the stored plan that is not Complete.
pub fn stored_current_task(object: &Value, now: chrono::DateTime<chrono::Utc>) -> Option<TaskView> {
    status::read(object, now).current_task
}

fn is_target(o: &Value, t: &TargetRef) -> bool {
    let text = |p: &str| o.pointer(p).and_then(Value::as_str).unwrap_or("");
    text("/kind") == t.kind
        && text("/metadata/name") == t.name
        && text("/metadata/namespace") == t.namespace
}

fn sidecar_text(script: &SidecarScript) -> String {
    if *script == SidecarScript::uniform(&script.default) {
        format!("every task reports {}", script.default)
    } else {
        "scripted (--sidecar-script)".to_string()
    }
}

/// A requeue as the controller-runtime result reads.
pub fn requeue_text(r: crate::env::Requeue) -> String {
    if r.is_zero() {
        "none".to_string()
    } else if r.requeue && r.after.is_zero() {
        "immediately".to_string()
    } else {
        format!("after {}", go_duration(r.after))
    }
}

fn summarise_step(step: &crate::engine::plan::ReconcileStep) -> NextReconcile {
    let text = |p: &str| {
        step.after
            .as_deref()
            .and_then(|v| v.pointer(p))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    let writes = step
        .trace
        .writes
        .iter()
        .map(|w| {
            let sub = w.subresource.map(|s| format!("/{s}")).unwrap_or_default();
            let outcome = match (&w.error, &w.outcome) {
                (Some(e), _) => format!("failed: {e}"),
                (None, WriteOutcome::Created { .. }) => "created".into(),
                (None, WriteOutcome::Updated { .. }) => "changed".into(),
                (None, WriteOutcome::Unchanged { .. }) => "no-op".into(),
                (None, WriteOutcome::MarkedDeleted { .. }) => "marked for deletion".into(),
                (None, WriteOutcome::Removed { .. }) => "deleted".into(),
                (None, other) => format!("{other:?}").to_lowercase(),
            };
            format!(
                "{} {} {}/{}{sub}: {outcome}",
                w.verb, w.kind, w.namespace, w.name
            )
        })
        .collect();
    let sidecar_calls = step
        .trace
        .sidecar_calls
        .iter()
        .map(|c| {
            let task = if c.task_type.is_empty() {
                String::new()
            } else {
                format!(" {}", c.task_type)
            };
            let id = if c.task_id.is_empty() {
                String::new()
            } else {
                format!(" ({})", c.task_id)
            };
            format!("{}{task}{id}: {}", c.op, c.returned)
        })
        .collect();
    let events = step
        .trace
        .events
        .iter()
        .map(|e| format!("{} {}: {}", e.event_type, e.reason, e.message))
        .collect();
    NextReconcile {
        requeue: requeue_text(step.trace.outcome.result),
        error: step.trace.outcome.error.clone(),
        phase_after: text("/status/phase"),
        plan_id_after: text("/status/plan/id"),
        plan_phase_after: text("/status/plan/phase"),
        current_task_after: current_task(step.after.as_deref()),
        writes,
        sidecar_calls,
        events,
        dns_lookups: step.trace.dns_lookups.clone(),
    }
}

/// `3h0m0s` for a whole number of seconds (negative ages read `in the future`).
pub fn age_text(seconds: i64) -> String {
    if seconds < 0 {
        return format!(
            "{} in the future",
            go_duration(Duration::from_secs(seconds.unsigned_abs()))
        );
    }
    go_duration(Duration::from_secs(seconds.unsigned_abs()))
}

impl Explanation {
    /// The machine-readable explanation (`formatVersion: 1`).
    pub fn to_json(&self) -> Value {
        let report = &self.eventually.report;
        let timeline: Vec<Value> = report
            .steps
            .iter()
            .map(|s| {
                json!({
                    "index": s.trace.index,
                    "phase": s.after.as_deref().and_then(|v| v.pointer("/status/phase")).cloned(),
                    "currentTask": current_task(s.after.as_deref()),
                    "writes": s.trace.writes.len(),
                    "changed": crate::engine::plan::changed_state(s),
                    "requeue": requeue_text(s.trace.outcome.result),
                    "error": s.trace.outcome.error,
                })
            })
            .collect();
        let mut doc = json!({
            "formatVersion": 1,
            "target": self.target.to_string(),
            "kind": self.target.kind,
            "namespace": self.target.namespace,
            "name": self.target.name,
            "now": self.now,
            "phase": self.phase,
            "plan": self.plan.as_ref().map(PlanView::to_json),
            "currentTask": self.current_task.as_ref().map(TaskView::to_json),
            "failedTask": self.failed_task.as_ref().map(FailedTaskView::to_json),
            "conditions": self.conditions.iter().map(ConditionView::to_json).collect::<Vec<_>>(),
            "assumptions": self.assumptions,
            "nextReconcile": {
                "requeue": self.next.requeue,
                "error": self.next.error,
                "phaseAfter": self.next.phase_after,
                "planIdAfter": self.next.plan_id_after,
                "planPhaseAfter": self.next.plan_phase_after,
                "currentTaskAfter": self.next.current_task_after,
                "writes": self.next.writes,
                "sidecarCalls": self.next.sidecar_calls,
                "events": self.next.events,
                "dnsLookups": self.next.dns_lookups,
            },
            "eventually": {
                "assumption": self.eventually.assumption,
                "verdict": report.verdict.as_ref().map(verdict_json),
                "timeline": timeline,
            },
            "patterns": self.patterns.iter().map(StuckPattern::to_json).collect::<Vec<_>>(),
        });
        if let Some(view) = &self.sidecar_view {
            doc["sidecarView"] = view.to_json();
        }
        doc
    }
}

/// A `--until-settled` verdict as JSON: its kind, numbers and sentence.
pub fn verdict_json(v: &crate::engine::plan::Verdict) -> Value {
    use crate::engine::plan::Verdict;
    let mut out = match v {
        Verdict::Settled { after } => json!({"kind": "settled", "after": after}),
        Verdict::Stalled { after, task } => {
            json!({"kind": "stalled", "after": after, "task": task})
        }
        Verdict::Loop { start, period } => {
            json!({"kind": "loop", "start": start, "period": period})
        }
        Verdict::Limit { max } => json!({"kind": "limit", "max": max}),
    };
    out["text"] = Value::String(v.to_string());
    out
}
