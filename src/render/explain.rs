//! The text view of `explain`: state, current and failed task, conditions, the next
//! reconcile, the eventual state, and the stuck patterns found.

use std::io::{self, Write};

use serde_json::Value;

use crate::env::go_duration;
use crate::explain::{age_text, requeue_text, Explanation, TaskView};
use crate::planner::executor::TASK_POLL_INTERVAL;

pub(super) fn or_none(v: Option<&str>) -> &str {
    v.filter(|s| !s.is_empty()).unwrap_or("<none>")
}

pub(super) fn params_text(params: Option<&Value>) -> String {
    match params {
        Some(Value::Object(m)) if !m.is_empty() => m
            .iter()
            .map(|(k, v)| match v {
                Value::String(s) => format!("{k}={s}"),
                other => format!("{k}={other}"),
            })
            .collect::<Vec<_>>()
            .join(" "),
        Some(Value::Object(_)) | None => "<none>".into(),
        Some(other) => other.to_string(),
    }
}

/// When the current task was submitted and how long ago.
pub(super) fn submitted_text(t: &TaskView) -> String {
    match (&t.submitted_at, t.waiting_seconds) {
        (Some(at), Some(s)) => format!("{at} ({} ago)", age_text(s)),
        _ => "not yet (no submittedAt)".into(),
    }
}

/// Retries so far, the poll interval and what a failure does.
pub(super) fn retries_text(t: &TaskView) -> String {
    format!(
        "{}/{}; polled every {}; on failure: {}",
        t.retry_count,
        t.max_retries,
        go_duration(TASK_POLL_INTERVAL),
        t.on_failure()
    )
}

/// Writes the explanation for a person.
pub fn write(out: &mut dyn Write, e: &Explanation) -> io::Result<()> {
    writeln!(out, "{} (at {})", e.target, e.now)?;
    writeln!(out, "  phase:        {}", or_none(e.phase.as_deref()))?;
    match &e.plan {
        Some(p) => {
            writeln!(
                out,
                "  plan:         {} ({}), {}/{} tasks complete",
                or_none(Some(&p.id)),
                or_none(Some(&p.phase)),
                p.tasks_complete,
                p.tasks_total
            )?;
            writeln!(
                out,
                "                targetPhase {}, failedPhase {}",
                or_none(Some(&p.target_phase)),
                or_none(Some(&p.failed_phase))
            )?;
        }
        None => writeln!(out, "  plan:         <none>")?,
    }
    if let Some(t) = &e.current_task {
        writeln!(
            out,
            "  current task: #{} {} ({}) {}",
            t.index, t.task_type, t.id, t.status
        )?;
        writeln!(out, "    params:     {}", params_text(t.params.as_ref()))?;
        writeln!(out, "    submitted:  {}", submitted_text(t))?;
        writeln!(out, "    retries:    {}", retries_text(t))?;
        if !t.error.is_empty() {
            writeln!(out, "    error:      {}", t.error)?;
        }
    }
    if let Some(f) = &e.failed_task {
        let index = f.index.map(|i| format!("#{i} ")).unwrap_or_default();
        writeln!(
            out,
            "  failed task:  {index}{} ({}) after {}/{} retries",
            f.task_type, f.id, f.retry_count, f.max_retries
        )?;
        writeln!(out, "    error:      {}", f.error)?;
    }
    if !e.conditions.is_empty() {
        writeln!(out, "  conditions:")?;
        for c in &e.conditions {
            let age = c
                .age_seconds
                .map(|s| format!(" ({} ago)", age_text(s)))
                .unwrap_or_default();
            writeln!(
                out,
                "    {}={} {}{age}: {}",
                c.condition_type, c.status, c.reason, c.message
            )?;
        }
    }
    writeln!(out)?;
    if let Some(view) = &e.sidecar_view {
        sidecar_view(out, view)?;
    }
    next_reconcile(out, e)?;
    eventually(out, e)?;
    patterns(out, e)
}

fn sidecar_view(out: &mut dyn Write, v: &crate::explain::SidecarView) -> io::Result<()> {
    let place = if v.pod.is_empty() {
        String::new()
    } else {
        format!(", {}", v.pod)
    };
    writeln!(out, "Sidecar view (live{place}):")?;
    if !v.task_type.is_empty() {
        writeln!(
            out,
            "  controller: {} ({}) {}",
            v.task_type, v.task_id, v.controller
        )?;
    }
    if let Some(answer) = &v.sidecar {
        writeln!(
            out,
            "  sidecar:    GET /v0/tasks/{} -> {}",
            v.task_id,
            answer.label()
        )?;
    }
    writeln!(out, "  {}: {}", sidecar_verdict(v), v.statement)?;
    writeln!(out)
}

/// `note` (no sidecar answer), `agree` or `DISAGREE`: the sidecar against the controller.
pub(super) fn sidecar_verdict(v: &crate::explain::SidecarView) -> &'static str {
    match (&v.sidecar, v.agree) {
        (None, _) => "note",
        (Some(_), true) => "agree",
        (Some(_), false) => "DISAGREE",
    }
}

fn next_reconcile(out: &mut dyn Write, e: &Explanation) -> io::Result<()> {
    let n = &e.next;
    writeln!(out, "Next reconcile ({}):", e.assumptions.join("; "))?;
    let plan = plan_after(e);
    writeln!(
        out,
        "  then:     phase {}, {plan}, current task {}",
        or_none(n.phase_after.as_deref()),
        or_none(n.current_task_after.as_deref())
    )?;
    writeln!(out, "  requeue:  {}", n.requeue)?;
    if let Some(err) = &n.error {
        writeln!(out, "  error:    {err}")?;
    }
    for (title, lines) in next_effects(e) {
        if lines.is_empty() {
            if title != "dns" {
                writeln!(out, "  {:<9} none", format!("{title}:"))?;
            }
            continue;
        }
        for (i, line) in lines.iter().enumerate() {
            let label = if i == 0 {
                format!("{title}:")
            } else {
                String::new()
            };
            writeln!(out, "  {label:<9} {line}")?;
        }
    }
    writeln!(out)
}

/// One reconcile of the eventual run, as shown in the table.
pub(super) struct StepRow {
    pub index: usize,
    pub phase: String,
    pub task: String,
    /// Write count, `*` when the stored state changed.
    pub writes: String,
    pub requeue: String,
    pub error: String,
}

/// The rows of the eventual-run table.
pub(super) fn step_rows(e: &Explanation) -> Vec<StepRow> {
    e.eventually
        .report
        .steps
        .iter()
        .map(|s| {
            let phase = s
                .after
                .as_deref()
                .and_then(|v| v.pointer("/status/phase"))
                .and_then(Value::as_str);
            let changed = if crate::engine::plan::changed_state(s) {
                "*"
            } else {
                ""
            };
            StepRow {
                index: s.trace.index,
                phase: or_none(phase).to_string(),
                task: crate::engine::plan::current_task(s.after.as_deref())
                    .unwrap_or_else(|| "-".into()),
                writes: format!("{}{changed}", s.trace.writes.len()),
                requeue: requeue_text(s.trace.outcome.result),
                error: s
                    .trace
                    .outcome
                    .error
                    .as_deref()
                    .map(|e| abbreviate(e, 60))
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// `plan ID (phase)` or `no plan`, after the next reconcile.
pub(super) fn plan_after(e: &Explanation) -> String {
    match (&e.next.plan_id_after, &e.next.plan_phase_after) {
        (Some(id), phase) => format!("plan {id} ({})", or_none(phase.as_deref())),
        (None, _) => "no plan".into(),
    }
}

/// The next reconcile's effects by kind; `dns` is left out when empty.
pub(super) fn next_effects(e: &Explanation) -> [(&'static str, &Vec<String>); 4] {
    let n = &e.next;
    [
        ("writes", &n.writes),
        ("sidecar", &n.sidecar_calls),
        ("events", &n.events),
        ("dns", &n.dns_lookups),
    ]
}

fn eventually(out: &mut dyn Write, e: &Explanation) -> io::Result<()> {
    writeln!(out, "Eventually ({}):", e.eventually.assumption)?;
    writeln!(
        out,
        "  {:>3}  {:<14} {:<30} {:<7} {:<12} error",
        "#", "phase", "current task", "writes", "requeue"
    )?;
    for r in step_rows(e) {
        let row = format!(
            "  {:>3}  {:<14} {:<30} {:<7} {:<12} {}",
            r.index, r.phase, r.task, r.writes, r.requeue, r.error
        );
        writeln!(out, "{}", row.trim_end())?;
    }
    if let Some(v) = &e.eventually.report.verdict {
        writeln!(out, "  {v}")?;
    }
    writeln!(out, "  (* = changed stored state)")?;
    writeln!(out)
}

fn patterns(out: &mut dyn Write, e: &Explanation) -> io::Result<()> {
    if e.patterns.is_empty() {
        return writeln!(out, "Stuck patterns: none of the known patterns apply.");
    }
    writeln!(out, "Stuck patterns ({}):", e.patterns.len())?;
    for p in &e.patterns {
        writeln!(out, "  [{}] {}", p.id, p.title)?;
        writeln!(out, "    why:      {}", p.detail)?;
        for (i, line) in p.evidence.iter().enumerate() {
            let label = if i == 0 { "evidence:" } else { "" };
            writeln!(out, "    {label:<9} {line}")?;
        }
        writeln!(out, "    fix:      {}", p.remedy)?;
    }
    Ok(())
}

pub(super) fn abbreviate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let cut: String = text.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}
