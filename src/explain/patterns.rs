//! The operator's known stuck patterns. Each comes from behaviour of the operator
//! as coded (reference §13 / §15) and is confirmed by the in-memory reconciles:
//! the next one, and the run to the eventual state.

use serde_json::{json, Value};

use super::status::StatusView;
use super::{age_text, requeue_text};
use crate::engine::plan::{ReconcileStep, TargetRef, TargetReport, Verdict};

/// Every pattern id `explain` can report.
pub const PATTERN_IDS: &[&str] = &[
    "task-never-retried",
    "failed-node-needs-recreation",
    "plan-rebuilt-forever",
    "rollout-not-retried",
    "status-conflict-loop",
    "dns-gate-closed",
    "kind-not-installed",
    "failed-child-node",
    "task-without-timeout",
    "stale-plan-failed-condition",
];

/// A named stuck pattern with what shows it and what gets out of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StuckPattern {
    /// One of [`PATTERN_IDS`].
    pub id: &'static str,
    pub title: String,
    /// What the operator does, and why it never gets out on its own.
    pub detail: String,
    /// What in the status and the in-memory reconciles shows it.
    pub evidence: Vec<String>,
    pub remedy: String,
}

impl StuckPattern {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id,
            "title": self.title,
            "detail": self.detail,
            "evidence": self.evidence,
            "remedy": self.remedy,
        })
    }
}

/// What the detectors look at.
pub struct Facts<'a> {
    pub target: &'a TargetRef,
    pub stored: &'a Value,
    pub objects: &'a [Value],
    pub view: &'a StatusView,
    pub next_step: &'a ReconcileStep,
    pub eventually: &'a TargetReport,
    pub dns_resolvable: bool,
}

/// Long waits worth naming: an hour on one task.
const LONG_WAIT_SECONDS: i64 = 3600;

/// Runs every detector, in a fixed order.
pub fn detect(f: &Facts) -> Vec<StuckPattern> {
    let detectors: &[fn(&Facts) -> Option<StuckPattern>] = &[
        task_never_retried,
        failed_node_needs_recreation,
        plan_rebuilt_forever,
        rollout_not_retried,
        status_conflict_loop,
        dns_gate_closed,
        kind_not_installed,
        failed_child_node,
        task_without_timeout,
        stale_plan_failed_condition,
    ];
    let mut found: Vec<StuckPattern> = detectors.iter().filter_map(|d| d(f)).collect();
    // In the conflict loop the wait is not the sidecar's: drop the timeout note.
    if found.iter().any(|p| p.id == "status-conflict-loop") {
        found.retain(|p| p.id != "task-without-timeout");
    }
    found
}

fn is_node(f: &Facts) -> bool {
    f.target.kind == "SeiNode"
}

fn after_text<'v>(step: &'v ReconcileStep, pointer: &str) -> Option<&'v str> {
    step.after
        .as_deref()
        .and_then(|v| v.pointer(pointer))
        .and_then(Value::as_str)
}

fn next_summary(step: &ReconcileStep) -> String {
    let events: Vec<String> = step.trace.events.iter().map(|e| e.reason.clone()).collect();
    format!(
        "next reconcile (in memory): {} write(s), {} sidecar call(s), events [{}], requeue {}",
        step.trace.writes.len(),
        step.trace.sidecar_calls.len(),
        events.join(", "),
        requeue_text(step.trace.outcome.result)
    )
}

fn verdict_line(report: &TargetReport) -> String {
    match &report.verdict {
        Some(v) => format!("eventual run: {v}"),
        None => "eventual run: no verdict".into(),
    }
}

/// A plan whose task failed for good: the executor never runs a Failed plan again.
fn task_never_retried(f: &Facts) -> Option<StuckPattern> {
    let plan = f.view.plan.as_ref().filter(|p| p.phase == "Failed")?;
    let failed = f.view.failed_task.as_ref()?;
    // A Running node replaces a failed convergence plan on the next reconcile.
    if after_text(f.next_step, "/status/plan/id") != Some(plan.id.as_str()) {
        return None;
    }
    let retries = if failed.max_retries == 0 {
        "the task allows no retries (maxRetries 0)".to_string()
    } else {
        format!(
            "its retries are exhausted ({}/{})",
            failed.retry_count, failed.max_retries
        )
    };
    let mut evidence = vec![
        format!(
            "plan {} is Failed at task #{} {} ({}): {:?}",
            plan.id,
            failed.index.unwrap_or(-1),
            failed.task_type,
            failed.id,
            failed.error
        ),
        next_summary(f.next_step),
    ];
    if f.next_step.trace.sidecar_calls.is_empty() {
        evidence.push("no sidecar call is made for the failed task".into());
    }
    Some(StuckPattern {
        id: "task-never-retried",
        title: format!("task {} will never be retried", failed.task_type),
        detail: format!(
            "{retries}; the executor returns at once for a plan in phase Failed, so the task is never submitted again and the plan is never replaced"
        ),
        evidence,
        remedy: format!(
            "fix the cause ({:?}) and recreate the object so a new plan is built",
            failed.error
        ),
    })
}

/// A Failed SeiNode is terminal: it only emits NodeFailed.
fn failed_node_needs_recreation(f: &Facts) -> Option<StuckPattern> {
    if !is_node(f) || f.view.phase.as_deref() != Some("Failed") {
        return None;
    }
    let owner = f
        .stored
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .and_then(|rs| {
            rs.iter()
                .find(|r| r.get("kind").and_then(Value::as_str) == Some("SeiNodeDeployment"))
        })
        .and_then(|r| r.get("name").and_then(Value::as_str));
    let mut evidence = vec![format!("status.phase is Failed"), next_summary(f.next_step)];
    evidence.push(verdict_line(f.eventually));
    let remedy = match owner {
        Some(group) => format!(
            "fix the cause, then `kubectl delete seinode -n {} {}`; its SeiNodeDeployment {group} creates it again",
            f.target.namespace, f.target.name
        ),
        None => format!(
            "fix the cause, then `kubectl delete seinode -n {ns} {n}` and apply the manifest again (deletion still works on a Failed node)",
            ns = f.target.namespace,
            n = f.target.name
        ),
    };
    Some(StuckPattern {
        id: "failed-node-needs-recreation",
        title: "the node is Failed and needs to be recreated".into(),
        detail: "Failed is terminal: every reconcile emits a NodeFailed warning and returns without a write, a plan or a requeue".into(),
        evidence,
        remedy,
    })
}

fn count_events(report: &TargetReport, reason: &str) -> usize {
    report
        .steps
        .iter()
        .flat_map(|s| s.trace.events.iter())
        .filter(|e| e.reason == reason)
        .count()
}

/// A failed genesis plan is rebuilt (new plan id) while a ceremony is still needed.
fn plan_rebuilt_forever(f: &Facts) -> Option<StuckPattern> {
    if is_node(f) {
        return None;
    }
    let failures = count_events(f.eventually, "PlanFailed");
    let starts = count_events(f.eventually, "PlanStarted");
    let looping = matches!(f.eventually.verdict, Some(Verdict::Loop { .. }));
    if failures == 0 || starts == 0 || !(looping || failures >= 2) {
        return None;
    }
    let mut ids: Vec<&str> = f
        .eventually
        .steps
        .iter()
        .filter_map(|s| after_text(s, "/status/plan/id"))
        .collect();
    ids.dedup();
    Some(StuckPattern {
        id: "plan-rebuilt-forever",
        title: "the plan fails and is rebuilt forever".into(),
        detail: "failPlan clears the plan, but the *CeremonyNeeded condition stays True, so the next reconcile builds a fresh genesis plan (new plan and task ids), which fails the same way".into(),
        evidence: vec![
            format!(
                "{} reconciles in memory: {failures} PlanFailed and {starts} PlanStarted events, {} distinct plan ids",
                f.eventually.steps.len(),
                ids.len()
            ),
            verdict_line(f.eventually),
        ],
        remedy: "fix what fails the plan (a Failed child must be deleted so it is recreated); the loop stops once a plan completes".into(),
    })
}

/// A failed rollout records the template hash, so it is never retried.
fn rollout_not_retried(f: &Facts) -> Option<StuckPattern> {
    let c = f.view.condition("RolloutInProgress")?;
    if is_node(f) || c.reason != "RolloutFailed" || f.stored.pointer("/status/rollout").is_some() {
        return None;
    }
    let hash = f
        .stored
        .pointer("/status/templateHash")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut evidence = vec![format!(
        "RolloutInProgress=False/RolloutFailed {} ago; status.templateHash {hash} is the current template's",
        c.age_seconds.map(age_text).unwrap_or_else(|| "?".into())
    )];
    let built = f
        .next_step
        .trace
        .events
        .iter()
        .any(|e| e.reason == "PlanStarted");
    evidence.push(format!(
        "{}{}",
        next_summary(f.next_step),
        if built { "" } else { "; no plan is built" }
    ));
    Some(StuckPattern {
        id: "rollout-not-retried",
        title: "the failed rollout is final".into(),
        detail: "failPlan clears the rollout and updateStatus stores the new templateHash and observedGeneration, so no rollout starts again for this template; entrants created by the plan are left as they are".into(),
        evidence,
        remedy: "fix the failed entrants, then change the template (e.g. a template annotation) to start a new rollout".into(),
    })
}

/// switch-traffic's own status patch makes the reconcile's locked patch conflict.
fn status_conflict_loop(f: &Facts) -> Option<StuckPattern> {
    let plan = f.view.plan.as_ref()?;
    let switch = plan.task_types.iter().position(|t| t == "switch-traffic")?;
    if plan.tasks_complete > switch {
        return None;
    }
    let Some(Verdict::Loop { start, period }) = f.eventually.verdict else {
        return None;
    };
    let conflict = [f.next_step]
        .into_iter()
        .chain(f.eventually.steps.iter())
        .filter_map(|s| s.trace.outcome.error.as_deref())
        .find(|e| e.contains("the object has been modified"));
    let mut evidence = Vec::new();
    if let Some(e) = conflict {
        evidence.push(format!("in memory a reconcile fails with: {e}"));
    }
    let cycle: Vec<String> = f
        .eventually
        .steps
        .iter()
        .skip(start)
        .take(period)
        .map(|s| {
            format!(
                "#{} task {} requeue {}",
                s.trace.index,
                crate::engine::plan::current_task(s.after.as_deref()).unwrap_or_default(),
                requeue_text(s.trace.outcome.result)
            )
        })
        .collect();
    let entrant = plan
        .task_types
        .iter()
        .zip(
            f.stored
                .pointer("/status/plan/tasks")
                .and_then(Value::as_array)
                .into_iter()
                .flatten(),
        )
        .find(|(t, _)| *t == "switch-traffic")
        .and_then(|(_, task)| {
            task.pointer("/params/entrantRevision")
                .and_then(Value::as_str)
        });
    let incumbent = f
        .stored
        .pointer("/status/rollout/incumbentRevision")
        .and_then(Value::as_str);
    if entrant.is_some() && entrant == incumbent {
        evidence.push(format!(
            "status.rollout.incumbentRevision is already the entrant revision {}: switch-traffic ran, but the plan did not record it",
            entrant.unwrap_or_default()
        ));
    }
    evidence.push(format!(
        "eventual run: loop from reconcile #{start}, period {period}: {}",
        cycle.join("; ")
    ));
    evidence.push(format!(
        "the stored plan stays at {}/{} tasks complete, before switch-traffic (#{switch})",
        plan.tasks_complete, plan.tasks_total
    ));
    Some(StuckPattern {
        id: "status-conflict-loop",
        title: "the rollout loops on a status conflict at switch-traffic".into(),
        detail: "switch-traffic patches the group status without a lock, so the reconcile's final locked status patch gets 409 Conflict and its progress is lost; later reconciles redo the tasks before switch-traffic from the stored plan and requeue at 1ms, and the plan never completes (phase stays Upgrading)".into(),
        evidence,
        remedy: "this is operator behaviour at this version; finish by hand: check the entrants serve traffic, delete the incumbents, then clear status.plan and status.rollout (kubectl patch --subresource=status)".into(),
    })
}

/// Networking whose route host does not resolve: nothing else happens.
fn dns_gate_closed(f: &Facts) -> Option<StuckPattern> {
    if is_node(f) || f.dns_resolvable {
        return None;
    }
    let c = f
        .view
        .condition("RouteReady")
        .filter(|c| c.reason == "DNSPending")?;
    let host = f
        .next_step
        .trace
        .dns_lookups
        .first()
        .map(|l| l.split('=').next().unwrap_or(l).to_string())
        .or_else(|| {
            f.stored
                .pointer("/status/networkingStatus/routes/0/hostname")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_else(|| "the first route host".into());
    Some(StuckPattern {
        id: "dns-gate-closed",
        title: format!("the DNS gate never opens while {host} does not resolve"),
        detail: "while the first route host name does not resolve, the group controller skips child SeiNodes, plans and monitoring and requeues every 10s; nothing else progresses".into(),
        evidence: vec![
            format!(
                "RouteReady=False/DNSPending for {}",
                c.age_seconds.map(age_text).unwrap_or_else(|| "?".into())
            ),
            format!(
                "{}; DNS lookups [{}]",
                next_summary(f.next_step),
                f.next_step.trace.dns_lookups.join(", ")
            ),
            verdict_line(f.eventually),
        ],
        remedy: format!(
            "make {host} resolve from the operator's pod (DNS record / external-dns for the gateway); `--dns resolvable` shows what happens then"
        ),
    })
}

/// HTTPRoute or ServiceMonitor not served: the condition stays CRDNotInstalled.
fn kind_not_installed(f: &Facts) -> Option<StuckPattern> {
    if is_node(f) {
        return None;
    }
    let mut kinds: Vec<String> = Vec::new();
    for e in &f.next_step.trace.events {
        if e.reason == "CRDNotInstalled" && !kinds.contains(&e.message) {
            kinds.push(e.message.clone());
        }
    }
    let conditions: Vec<String> = f
        .view
        .conditions
        .iter()
        .filter(|c| c.reason == "CRDNotInstalled")
        .map(|c| format!("{}=False/CRDNotInstalled: {}", c.condition_type, c.message))
        .collect();
    if kinds.is_empty() && conditions.is_empty() {
        return None;
    }
    let mut evidence = conditions;
    evidence.extend(kinds.iter().map(|k| format!("next reconcile warns: {k}")));
    Some(StuckPattern {
        id: "kind-not-installed",
        title: "a kind the group needs is not installed".into(),
        detail: "the API server does not serve HTTPRoute (Gateway API) or ServiceMonitor (Prometheus operator); the controller logs a warning and re-fires it every reconcile, and that route or monitor never exists".into(),
        evidence,
        remedy: "install the Gateway API / Prometheus operator CRDs, or drop spec.networking / spec.monitoring (in memory from files, HTTPRoute and ServiceMonitor are served unless --missing-kind names them; on a cluster, discovery decides)".into(),
    })
}

/// Children of the group in phase Failed never recover on their own.
fn failed_child_node(f: &Facts) -> Option<StuckPattern> {
    if is_node(f) {
        return None;
    }
    let failed: Vec<String> = f
        .objects
        .iter()
        .filter(|o| o.get("kind").and_then(Value::as_str) == Some("SeiNode"))
        .filter(|o| {
            o.pointer("/metadata/namespace").and_then(Value::as_str) == Some(&f.target.namespace)
        })
        .filter(|o| {
            o.pointer("/metadata/ownerReferences")
                .and_then(Value::as_array)
                .is_some_and(|rs| {
                    rs.iter()
                        .any(|r| r.get("name").and_then(Value::as_str) == Some(&f.target.name))
                })
                || o.pointer("/metadata/labels/sei.io~1nodedeployment")
                    .and_then(Value::as_str)
                    == Some(&f.target.name)
        })
        .filter(|o| o.pointer("/status/phase").and_then(Value::as_str) == Some("Failed"))
        .filter_map(|o| {
            o.pointer("/metadata/name")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect();
    if failed.is_empty() {
        return None;
    }
    Some(StuckPattern {
        id: "failed-child-node",
        title: format!("child SeiNode(s) Failed: {}", failed.join(", ")),
        detail: "a Failed SeiNode is terminal; await-nodes-running fails while a child it waits for is Failed".into(),
        evidence: vec![format!("status.phase Failed on {}", failed.join(", "))],
        remedy: "`nodectl explain` each failed child, fix the cause, then delete it so it is recreated".into(),
    })
}

/// The operator has no task or plan timeout.
fn task_without_timeout(f: &Facts) -> Option<StuckPattern> {
    let task = f
        .view
        .current_task
        .as_ref()
        .filter(|t| t.status == "Pending")?;
    if f.view.plan.as_ref()?.phase != "Active" {
        return None;
    }
    let waited = task.waiting_seconds.filter(|s| *s >= LONG_WAIT_SECONDS)?;
    let calls: Vec<String> = f
        .next_step
        .trace
        .sidecar_calls
        .iter()
        .map(|c| format!("{} → {}", c.op, c.returned))
        .collect();
    Some(StuckPattern {
        id: "task-without-timeout",
        title: format!("{} has been waited on for {}", task.task_type, age_text(waited)),
        detail: format!(
            "there is no task or plan timeout: each reconcile executes task {} again (a sidecar task is resubmitted with the same id) and polls it every 5s until it reports completed or failed; if it fails: {}",
            task.id,
            task.on_failure()
        ),
        evidence: vec![
            format!("submittedAt {} ({} ago)", task.submitted_at.as_deref().unwrap_or("?"), age_text(waited)),
            format!("next reconcile calls the sidecar: [{}]", calls.join(", ")),
            verdict_line(f.eventually),
        ],
        remedy: format!(
            "look at the sidecar's view (GET /v0/tasks/{}) and the seid / sidecar logs of the node's pod",
            task.id
        ),
    })
}

/// PlanFailed is never cleared, even after later plans succeed.
fn stale_plan_failed_condition(f: &Facts) -> Option<StuckPattern> {
    if !is_node(f) || f.view.phase.as_deref() != Some("Running") {
        return None;
    }
    let c = f
        .view
        .condition("PlanFailed")
        .filter(|c| c.status == "True")?;
    let replaced = after_text(f.next_step, "/status/plan/phase") != Some("Failed");
    Some(StuckPattern {
        id: "stale-plan-failed-condition",
        title: "PlanFailed stays True on a Running node".into(),
        detail: "a convergence plan has no failedPhase, so its failure leaves the node Running; the next reconcile builds a fresh convergence plan, and nothing ever clears the PlanFailed condition".into(),
        evidence: vec![
            format!(
                "PlanFailed=True/{} {} ago: {}",
                c.reason,
                c.age_seconds.map(age_text).unwrap_or_else(|| "?".into()),
                c.message
            ),
            format!(
                "{}; {}",
                next_summary(f.next_step),
                if replaced {
                    "the failed plan is replaced"
                } else {
                    "the failed plan stays"
                }
            ),
        ],
        remedy: "nothing to do if the new convergence plans complete; the condition is a stale marker (remove it with a status patch if it confuses alerts)".into(),
    })
}
