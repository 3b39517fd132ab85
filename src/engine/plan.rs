//! `plan`: reconcile every SeiNode / SeiNodeDeployment found in the input once (or
//! N times) against a world made of all the input objects, and report what the
//! operator would do — without writing anywhere but the in-memory world.

use std::sync::Arc;

use serde_json::Value;

use crate::controller;
use crate::engine::error::EngineError;
use crate::engine::trace::{
    final_objects, write_json, FinalObjects, ReconcileTrace, TraceJson, WriteJson,
};
use crate::engine::world;

pub use crate::engine::options::PlanOptions;
use crate::env::Env;
use crate::world::compact::{Field, InputObject, StoredObject};
use crate::world::{WriteOutcome, WriteRecord};

/// The kinds `plan` reconciles, in this order.
pub const TARGET_KINDS: &[&str] = &["SeiNodeDeployment", "SeiNode"];

/// How a run with `--until-settled` ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing changes any more and the requeue is the steady interval (or none).
    Settled { after: usize },
    /// Nothing changes while a task is polled that the sidecar never finishes.
    Stalled { after: usize, task: String },
    /// The world returns to an earlier state: reconciles `start..start+period` repeat.
    Loop { start: usize, period: usize },
    /// The reconcile limit was reached first.
    Limit { max: usize },
}

impl Verdict {
    /// Whether the target reached a steady state.
    pub fn is_settled(&self) -> bool {
        matches!(self, Verdict::Settled { .. })
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Verdict::Settled { after } => write!(f, "settled after {after} reconcile(s)"),
            Verdict::Stalled { after, task } => write!(
                f,
                "stalled after {after} reconcile(s): waiting on task {task}, which never completes under these assumptions"
            ),
            Verdict::Loop { start, period } => write!(
                f,
                "loop detected: reconciles #{start}..#{} repeat forever (period {period})",
                start + period - 1
            ),
            Verdict::Limit { max } => write!(f, "not settled after {max} reconciles (raise --max-reconciles)"),
        }
    }
}

/// The requeue interval of a target at rest (Running nodes, ready groups).
pub const STEADY_REQUEUE: std::time::Duration = std::time::Duration::from_secs(30);
/// The executor's poll interval while a task runs.
pub const POLL_REQUEUE: std::time::Duration = std::time::Duration::from_secs(5);

/// One object to reconcile.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TargetRef {
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl std::fmt::Display for TargetRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}/{}", self.kind, self.namespace, self.name)
    }
}

/// One reconcile of one target: the target before and after, and what happened.
#[derive(Debug, Clone)]
pub struct ReconcileStep {
    pub before: Option<Arc<Value>>,
    pub after: Option<Arc<Value>>,
    pub trace: ReconcileTrace,
}

/// Everything `plan` found out about one target.
#[derive(Debug, Clone)]
pub struct TargetReport {
    pub target: TargetRef,
    pub steps: Vec<ReconcileStep>,
    /// Set with `until_settled`.
    pub verdict: Option<Verdict>,
}

/// The result of a plan run.
#[derive(Debug, Clone)]
pub struct PlanReport {
    pub now: String,
    pub targets: Vec<TargetReport>,
    pub final_objects: Vec<StoredObject>,
}

/// The objects of the input that `plan` reconciles, SeiNodeDeployments first.
pub fn targets_of(objects: &[impl InputObject]) -> Vec<TargetRef> {
    let mut targets = Vec::new();
    for kind in TARGET_KINDS {
        for o in objects {
            if o.field(Field::Kind) == Some(kind) {
                targets.push(TargetRef {
                    kind: (*kind).to_string(),
                    namespace: o.text(Field::Namespace).to_string(),
                    name: o.text(Field::Name).to_string(),
                });
            }
        }
    }
    targets
}

/// Builds the in-memory world from the input objects (files or fixtures), with the
/// scripted sidecars of the options.
pub fn build_env<O: InputObject>(
    objects: impl IntoIterator<Item = O>,
    options: &PlanOptions,
) -> Result<Env, EngineError> {
    world::env_with(
        objects,
        options,
        world::Origin::Files,
        world::scripted_sidecars(options),
    )
}

/// Reconciles each target `options.reconciles` times (or until it settles), in
/// order, on one shared world.
pub fn plan(
    objects: &[impl InputObject],
    targets: &[TargetRef],
    options: &PlanOptions,
) -> Result<PlanReport, EngineError> {
    plan_in(&mut build_env(objects, options)?, objects, targets, options)
}

/// [`plan`] on a world built by the caller (e.g. from a live cluster snapshot); the
/// caller keeps the world and its sidecars to read after the run.
pub fn plan_in(
    env: &mut Env,
    objects: &[impl InputObject],
    targets: &[TargetRef],
    options: &PlanOptions,
) -> Result<PlanReport, EngineError> {
    let mut reports = Vec::new();
    let listed = listed_kinds(objects, &options.served_kinds);
    let end = plan_each(env, &listed, targets, options, &mut |r| reports.push(r))?;
    Ok(end.with_targets(reports))
}

/// What is left of a run once every target has been handed on: the clock and the
/// objects `finalObjects` lists.
#[derive(Debug, Clone)]
pub struct PlanEnd {
    pub now: String,
    pub final_objects: Vec<StoredObject>,
}

impl PlanEnd {
    /// The report of the run, with the targets' reports its caller kept.
    pub fn with_targets(self, targets: Vec<TargetReport>) -> PlanReport {
        PlanReport {
            now: self.now,
            targets,
            final_objects: self.final_objects,
        }
    }
}

/// [`plan_in`] handing each target's report to `sink` as soon as it is final, in the
/// order of the report (so a caller can render and drop it before the next target is
/// reconciled). Targets settled together (`--until-settled --cascade`) take turns, so
/// their reports are handed on when the last one settles. `listed` names the kinds
/// `finalObjects` lists besides the trace kinds ([`listed_kinds`]).
pub fn plan_each(
    env: &mut Env,
    listed: &[String],
    targets: &[TargetRef],
    options: &PlanOptions,
    sink: &mut dyn FnMut(TargetReport),
) -> Result<PlanEnd, EngineError> {
    let mut index = 0;
    let mut queue: std::collections::VecDeque<TargetRef> = targets.iter().cloned().collect();
    if let (Some(max), true) = (options.until_settled, options.cascade) {
        let reports = settle_tree(env, targets, max, &mut index)?;
        if !reports.is_empty() {
            queue.clear();
        }
        reports.into_iter().for_each(&mut *sink);
        env.api.rest();
    }
    // Every target reconciled or queued: a SeiNode a cascade creates joins once.
    let mut known: std::collections::HashSet<TargetRef> = queue.iter().cloned().collect();
    while let Some(target) = queue.pop_front() {
        let target = &target;
        let report = match options.until_settled {
            Some(max) => settle(env, target, max.max(1), &mut index)?,
            None => {
                let mut steps = Vec::new();
                for _ in 0..options.reconciles.max(1) {
                    steps.push(reconcile_once(env, target, &mut index)?);
                }
                TargetReport {
                    target: target.clone(),
                    steps,
                    verdict: None,
                }
            }
        };
        if options.cascade {
            for child in created_nodes(&report) {
                if known.insert(child.clone()) {
                    queue.push_back(child);
                }
            }
        }
        sink(report);
        // What the target's reconciles woke goes back to its compact form: memory follows
        // the target at work, not the fleet behind it.
        env.api.rest();
    }
    Ok(PlanEnd {
        now: env.clock.now_string(),
        final_objects: final_objects(&env.api, listed),
    })
}

/// The kinds `finalObjects` lists besides the trace kinds: every kind of the input
/// and every served optional kind (`group/version/Kind`), sorted.
pub fn listed_kinds(objects: &[impl InputObject], served_kinds: &[String]) -> Vec<String> {
    // Borrowed while collecting: a file of 100k ConfigMaps lists one kind, not 100k copies.
    let kinds: std::collections::BTreeSet<&str> = objects
        .iter()
        .filter_map(|o| o.field(Field::Kind))
        .chain(served_kinds.iter().filter_map(|g| g.rsplit('/').next()))
        .collect();
    kinds.into_iter().map(str::to_string).collect()
}

/// The SeiNodes a target's reconciles created, in creation order.
fn created_nodes(report: &TargetReport) -> Vec<TargetRef> {
    report
        .steps
        .iter()
        .flat_map(|s| s.trace.writes.iter())
        .filter(|w| w.kind == "SeiNode" && matches!(w.outcome, WriteOutcome::Created { .. }))
        .map(|w| TargetRef {
            kind: w.kind.clone(),
            namespace: w.namespace.clone(),
            name: w.name.clone(),
        })
        .collect()
}

/// One reconcile of one target, with its trace.
pub fn reconcile_once(
    env: &mut Env,
    target: &TargetRef,
    index: &mut usize,
) -> Result<ReconcileStep, EngineError> {
    if env.jobs_complete {
        complete_jobs(env)?;
    }
    let before = read_target(env, target);
    env.sidecars.begin_reconcile(*index);
    tracing::debug!(%target, index = *index, "reconcile starts");
    let outcome = controller::reconcile(env, &target.kind, &target.namespace, &target.name)
        .map_err(EngineError::Reconcile)?;
    let after = read_target(env, target);
    tracing::info!(
        %target,
        index = *index,
        requeue_after = %crate::env::go_duration(outcome.result.after),
        error = outcome.error.as_deref().unwrap_or(""),
        writes = env.api.writes().len(),
        "reconciled"
    );
    let step = ReconcileStep {
        before,
        after,
        trace: ReconcileTrace {
            index: *index,
            outcome,
            writes: env.api.take_writes(),
            sidecar_calls: env.sidecars.take_calls(),
            events: std::mem::take(&mut env.events),
            dns_lookups: env.dns.take_lookups(),
        },
    };
    *index += 1;
    Ok(step)
}

/// Stands in for the Job controller: every Job that has not finished yet gets
/// `succeeded: 1` and a true `Complete` condition (not recorded as a write).
fn complete_jobs(env: &mut Env) -> Result<(), EngineError> {
    let jobs = env.api.list("batch/v1", "Job", None, &[])?;
    for job in jobs {
        let finished = job
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .is_some_and(|cs| {
                cs.iter().any(|c| {
                    matches!(
                        c.get("type").and_then(Value::as_str),
                        Some("Complete" | "Failed")
                    )
                })
            });
        if finished || job.pointer("/metadata/deletionTimestamp").is_some() {
            continue;
        }
        let mut job = Arc::unwrap_or_clone(job);
        job["status"] = serde_json::json!({
            "succeeded": 1,
            "conditions": [{"type": "Complete", "status": "True", "lastTransitionTime": env.clock.now_string()}],
        });
        env.api.load(job)?;
    }
    Ok(())
}

/// Whether a reconcile changed anything stored.
pub fn changed_state(step: &ReconcileStep) -> bool {
    step.trace.writes.iter().any(|w| {
        matches!(
            w.outcome,
            WriteOutcome::Created { .. }
                | WriteOutcome::Updated { .. }
                | WriteOutcome::MarkedDeleted { .. }
                | WriteOutcome::Removed { .. }
        )
    })
}

/// A fingerprint of everything that decides what the next reconcile does: the
/// stored objects (without resourceVersions) and the sidecars' own state.
fn fingerprint(env: &Env) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    for (_, object) in env.api.all_objects() {
        let mut o = object.value().into_owned();
        if let Some(meta) = o.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("resourceVersion");
        }
        o.to_string().hash(&mut hasher);
    }
    env.sidecars.state_key().hash(&mut hasher);
    hasher.finish()
}

/// The first task of the target's plan that is not Complete.
pub fn current_task(target: Option<&Value>) -> Option<String> {
    target?
        .pointer("/status/plan/tasks")?
        .as_array()?
        .iter()
        .find(|t| t.get("status").and_then(Value::as_str) != Some("Complete"))
        .and_then(|t| t.get("type").and_then(Value::as_str))
        .map(str::to_string)
}

/// Reconciles `target` until it settles, stalls, loops or reaches `max` reconciles.
pub fn settle(
    env: &mut Env,
    target: &TargetRef,
    max: usize,
    index: &mut usize,
) -> Result<TargetReport, EngineError> {
    settle_with(env, target, max, index, false)
}

/// One target on its way to a verdict.
struct Settling {
    target: TargetRef,
    steps: Vec<ReconcileStep>,
    /// World fingerprints after each reconcile (the first: before any).
    seen: Vec<u64>,
    verdict: Option<Verdict>,
}

impl Settling {
    fn new(env: &Env, target: TargetRef) -> Self {
        Settling {
            target,
            steps: Vec::new(),
            seen: vec![fingerprint(env)],
            verdict: None,
        }
    }

    /// Records a reconcile (`changed`: it, or what ran with it, changed stored state) and
    /// decides whether the target is done: at rest and unchanged, or back in a world it has
    /// seen (a stall on a polled task, or a loop), or out of reconciles.
    fn record(&mut self, env: &Env, step: ReconcileStep, changed: bool, max: usize) {
        let n = self.steps.len();
        let result = step.trace.outcome.result;
        let errored = step.trace.outcome.error.is_some();
        let at_rest = result.is_zero() || (!result.requeue && result.after >= STEADY_REQUEUE);
        let task = current_task(step.after.as_deref());
        self.steps.push(step);
        if !changed && !errored && at_rest {
            self.verdict = Some(Verdict::Settled { after: n + 1 });
            return;
        }
        let fp = fingerprint(env);
        if let Some(j) = self.seen.iter().position(|f| *f == fp) {
            self.verdict = Some(
                if !changed && !errored && result.after == POLL_REQUEUE && task.is_some() {
                    Verdict::Stalled {
                        after: n + 1,
                        task: task.unwrap_or_default(),
                    }
                } else {
                    Verdict::Loop {
                        start: j,
                        period: n + 1 - j,
                    }
                },
            );
            return;
        }
        self.seen.push(fp);
        if n + 1 >= max {
            self.verdict = Some(Verdict::Limit { max });
        }
    }

    /// Back to work: another target wrote this one after it had settled.
    fn reopen(&mut self, env: &Env) {
        self.verdict = None;
        self.seen = vec![fingerprint(env)];
    }

    fn report(self) -> TargetReport {
        TargetReport {
            target: self.target,
            steps: self.steps,
            verdict: self.verdict,
        }
    }
}

/// [`settle`]; with `children`, after each reconcile of a SeiNodeDeployment every SeiNode it
/// owns is reconciled once too (as the operator's SeiNode controller would, concurrently), so a
/// group waiting on its nodes sees them progress. The report holds the target's steps only; a
/// change of a child counts as a change of state.
pub fn settle_with(
    env: &mut Env,
    target: &TargetRef,
    max: usize,
    index: &mut usize,
    children: bool,
) -> Result<TargetReport, EngineError> {
    let mut settling = Settling::new(env, target.clone());
    let mut child_index = 0;
    while settling.verdict.is_none() {
        let step = reconcile_once(env, target, index)?;
        let mut changed = changed_state(&step);
        if children && target.kind == "SeiNodeDeployment" {
            for child in owned_nodes(env, target) {
                changed |= changed_state(&reconcile_once(env, &child, &mut child_index)?);
            }
        }
        settling.record(env, step, changed, max.max(1));
    }
    Ok(settling.report())
}

/// Settles `roots` and every SeiNode they create, round-robin in discovery order, so a group
/// waiting on its nodes sees them progress and every reconcile is reported under its target.
/// A target that settled is reconciled again when another one writes it (while it has
/// reconciles left).
pub fn settle_tree(
    env: &mut Env,
    roots: &[TargetRef],
    max: usize,
    index: &mut usize,
) -> Result<Vec<TargetReport>, EngineError> {
    let mut all: Vec<Settling> = Vec::new();
    for root in roots {
        if !all.iter().any(|s| s.target == *root) {
            all.push(Settling::new(env, root.clone()));
        }
    }
    while all.iter().any(|s| s.verdict.is_none()) {
        // Targets created during a round take their turn in the same round.
        let mut i = 0;
        while i < all.len() {
            if all[i].verdict.is_none() {
                take_turn(env, &mut all, i, max, index)?;
            }
            i += 1;
        }
    }
    Ok(all.into_iter().map(Settling::report).collect())
}

/// One reconcile of `all[i]` in [`settle_tree`]: SeiNodes it creates join the round, settled
/// ones it changes are reopened.
fn take_turn(
    env: &mut Env,
    all: &mut Vec<Settling>,
    i: usize,
    max: usize,
    index: &mut usize,
) -> Result<(), EngineError> {
    let target = all[i].target.clone();
    let step = reconcile_once(env, &target, index)?;
    for w in step.trace.writes.iter().filter(|w| w.kind == "SeiNode") {
        let written = TargetRef {
            kind: w.kind.clone(),
            namespace: w.namespace.clone(),
            name: w.name.clone(),
        };
        match all.iter_mut().find(|s| s.target == written) {
            Some(other)
                if other.verdict.is_some()
                    && other.steps.len() < max
                    && written != target
                    && !matches!(w.outcome, WriteOutcome::Unchanged { .. }) =>
            {
                other.reopen(env);
            }
            Some(_) => {}
            None if matches!(w.outcome, WriteOutcome::Created { .. }) => {
                all.push(Settling::new(env, written));
            }
            None => {}
        }
    }
    let changed = changed_state(&step);
    all[i].record(env, step, changed, max.max(1));
    Ok(())
}

/// The SeiNodes a SeiNodeDeployment controls, as its own controller lists them.
fn owned_nodes(env: &Env, group: &TargetRef) -> Vec<TargetRef> {
    let children = read_target(env, group)
        .and_then(|object| controller::deployment::decode_group(&object).ok())
        .and_then(|g| controller::deployment::nodes::list_child_seinodes(env, &g).ok())
        .unwrap_or_default();
    children
        .iter()
        .map(|n| TargetRef {
            kind: "SeiNode".into(),
            namespace: group.namespace.clone(),
            name: n.name().to_string(),
        })
        .collect()
}

fn read_target(env: &Env, t: &TargetRef) -> Option<Arc<Value>> {
    env.api
        .get("sei.io/v1alpha1", &t.kind, &t.namespace, &t.name)
        .ok()
}

impl PlanReport {
    /// The machine-readable plan: the trace schema of `simulate` (each reconcile
    /// also names its target) plus `formatVersion`.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self.wire()).unwrap_or(Value::Null)
    }

    /// [`PlanReport::to_json`] borrowing the report, to serialise without a copy.
    pub fn wire(&self) -> TraceJson<'_> {
        self.wire_with(WriteJson)
    }

    /// [`PlanReport::wire`] with each write shown by `write`.
    pub fn wire_with<'a, W>(
        &'a self,
        mut write: impl FnMut(&'a WriteRecord) -> W,
    ) -> TraceJson<'a, W> {
        let target = self
            .targets
            .iter()
            .map(|t| t.target.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let mut steps: Vec<(&TargetRef, &ReconcileStep)> = self
            .targets
            .iter()
            .flat_map(|t| t.steps.iter().map(move |s| (&t.target, s)))
            .collect();
        // In run order (targets settled together take turns).
        steps.sort_by_key(|(_, s)| s.trace.index);
        TraceJson {
            format_version: Some(1),
            target,
            now: &self.now,
            reconciles: steps
                .into_iter()
                .map(|(target, s)| s.trace.wire_with(Some(target.to_string()), &mut write))
                .collect(),
            final_objects: FinalObjects(&self.final_objects),
            verdict: None,
        }
    }

    /// Every write of the run as trace JSON, in order.
    pub fn writes_json(&self) -> Vec<Value> {
        self.targets
            .iter()
            .flat_map(|t| {
                t.steps
                    .iter()
                    .flat_map(|s| s.trace.writes.iter().map(write_json))
            })
            .collect()
    }
}
