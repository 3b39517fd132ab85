//! The human view of a plan: per target a header, the task plan as a table, the
//! status patch exactly as it would be sent, each owned-resource change as a
//! unified YAML diff, and a one-line summary.

use std::io::{self, Write};

use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, ContentArrangement, Table};
use serde_json::Value;
use similar::TextDiff;

use crate::env::go_duration;
use crate::plan::{PlanReport, ReconcileStep, TargetReport};
use crate::world::{WriteOutcome, WriteRecord};

/// What a write does to an owned resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Delete,
    NoOp,
    Failed,
}

impl Action {
    pub fn of(write: &WriteRecord) -> Action {
        match write.outcome {
            WriteOutcome::Created { .. } => Action::Create,
            WriteOutcome::Updated { .. } => Action::Update,
            WriteOutcome::MarkedDeleted { .. } | WriteOutcome::Removed { .. } => Action::Delete,
            WriteOutcome::Unchanged { .. } => Action::NoOp,
            WriteOutcome::Failed => Action::Failed,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::NoOp => "no-op",
            Action::Failed => "failed",
        }
    }
}

/// Counts of resource actions over a whole plan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub delete: usize,
    pub failed: usize,
}

impl Summary {
    pub fn of(report: &PlanReport) -> Summary {
        let mut s = Summary::default();
        for t in &report.targets {
            for step in &t.steps {
                for w in &step.trace.writes {
                    match Action::of(w) {
                        Action::Create => s.create += 1,
                        Action::Update => s.update += 1,
                        Action::Delete => s.delete += 1,
                        Action::Failed => s.failed += 1,
                        Action::NoOp => {}
                    }
                }
            }
        }
        s
    }

    pub fn has_changes(&self) -> bool {
        self.create + self.update + self.delete > 0
    }
}

/// Options of the text view.
#[derive(Debug, Clone, Copy)]
pub struct TextOptions {
    /// Context lines around diff hunks.
    pub context: usize,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions { context: 3 }
    }
}

/// Writes the whole plan for a person.
pub fn write(out: &mut dyn Write, report: &PlanReport, options: &TextOptions) -> io::Result<()> {
    for target in &report.targets {
        write_target(out, target, options)?;
    }
    let s = Summary::of(report);
    let failed = if s.failed > 0 {
        format!(" {} write(s) would fail.", s.failed)
    } else {
        String::new()
    };
    writeln!(
        out,
        "Plan: {} to create, {} to update, {} to delete.{failed} Nothing was written.",
        s.create, s.update, s.delete
    )
}

fn write_target(
    out: &mut dyn Write,
    target: &TargetReport,
    options: &TextOptions,
) -> io::Result<()> {
    for (n, step) in target.steps.iter().enumerate() {
        let reconcile = if target.steps.len() > 1 {
            format!(" (reconcile {}/{})", n + 1, target.steps.len())
        } else {
            String::new()
        };
        writeln!(out, "{}{reconcile}", target.target)?;
        write_header(out, step)?;
        write_plan_table(out, step)?;
        write_status_patch(out, target, step)?;
        write_resource_changes(out, target, step, options)?;
        write_sidecar_and_events(out, step)?;
        writeln!(out)?;
    }
    Ok(())
}

fn str_at<'a>(v: Option<&'a Value>, pointer: &str) -> Option<&'a str> {
    v.and_then(|v| v.pointer(pointer))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn write_header(out: &mut dyn Write, step: &ReconcileStep) -> io::Result<()> {
    let phase_before = str_at(step.before.as_ref(), "/status/phase").unwrap_or("<none>");
    let phase_after = match &step.after {
        None => "<deleted>",
        after => str_at(after.as_ref(), "/status/phase").unwrap_or("<none>"),
    };
    writeln!(out, "  phase:   {phase_before} -> {phase_after}")?;
    if let Some(id) = str_at(step.after.as_ref(), "/status/plan/id") {
        let phase = str_at(step.after.as_ref(), "/status/plan/phase").unwrap_or("");
        writeln!(out, "  plan:    {id} ({phase})")?;
    } else if let Some(id) = str_at(step.before.as_ref(), "/status/plan/id") {
        writeln!(out, "  plan:    {id} (cleared)")?;
    }
    let r = step.trace.outcome.result;
    let requeue = if r.is_zero() {
        "none".to_string()
    } else if r.requeue && r.after.is_zero() {
        "immediately".to_string()
    } else {
        format!("after {}", go_duration(r.after))
    };
    writeln!(out, "  requeue: {requeue}")?;
    if let Some(e) = &step.trace.outcome.error {
        writeln!(out, "  error:   {e}")?;
    }
    Ok(())
}

fn tasks_of(v: Option<&Value>) -> Vec<Value> {
    v.and_then(|v| v.pointer("/status/plan/tasks"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn write_plan_table(out: &mut dyn Write, step: &ReconcileStep) -> io::Result<()> {
    let after = tasks_of(step.after.as_ref());
    if after.is_empty() {
        return Ok(());
    }
    let before = tasks_of(step.before.as_ref());
    let same_plan = str_at(step.before.as_ref(), "/status/plan/id")
        == str_at(step.after.as_ref(), "/status/plan/id");
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled);
    table.set_header(vec!["#", "Task", "Status", "Retries", "Params"]);
    for (i, task) in after.iter().enumerate() {
        let status_after = task.get("status").and_then(Value::as_str).unwrap_or("");
        let status_before = if same_plan {
            before
                .get(i)
                .and_then(|t| t.get("status"))
                .and_then(Value::as_str)
                .unwrap_or("")
        } else {
            ""
        };
        let status = if status_before.is_empty() || status_before == status_after {
            status_after.to_string()
        } else {
            format!("{status_before} -> {status_after}")
        };
        let retries = match (
            task.get("retryCount").and_then(Value::as_i64),
            task.get("maxRetries").and_then(Value::as_i64),
        ) {
            (r, Some(m)) => format!("{}/{m}", r.unwrap_or(0)),
            (Some(r), None) => r.to_string(),
            _ => String::new(),
        };
        table.add_row(vec![
            Cell::new(i),
            Cell::new(task.get("type").and_then(Value::as_str).unwrap_or("")),
            Cell::new(status),
            Cell::new(retries),
            Cell::new(key_params(task.get("params"))),
        ]);
    }
    for line in table.to_string().lines() {
        writeln!(out, "  {line}")?;
    }
    Ok(())
}

/// A short `key=value` rendering of task params (long values abbreviated).
fn key_params(params: Option<&Value>) -> String {
    let Some(Value::Object(map)) = params else {
        return String::new();
    };
    map.iter()
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let text = if text.chars().count() > 40 {
                format!("{}…", text.chars().take(39).collect::<String>())
            } else {
                text
            };
            format!("{k}={text}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn is_target_write(target: &TargetReport, w: &WriteRecord) -> bool {
    w.kind == target.target.kind
        && w.namespace == target.target.namespace
        && w.name == target.target.name
}

fn write_status_patch(
    out: &mut dyn Write,
    target: &TargetReport,
    step: &ReconcileStep,
) -> io::Result<()> {
    for w in step
        .trace
        .writes
        .iter()
        .filter(|w| is_target_write(target, w) && w.subresource == Some("status"))
    {
        let result = match &w.error {
            Some(e) => format!(" -> would fail: {e}"),
            None if Action::of(w) == Action::NoOp => " (no-op)".to_string(),
            None => String::new(),
        };
        writeln!(
            out,
            "  status patch ({}){result}:",
            w.patch_type.unwrap_or("update")
        )?;
        let body = w
            .patch
            .as_ref()
            .or(w.object.as_ref())
            .cloned()
            .unwrap_or(Value::Null);
        let pretty = serde_json::to_string_pretty(&body).unwrap_or_default();
        for line in pretty.lines() {
            writeln!(out, "    {line}")?;
        }
    }
    Ok(())
}

fn write_resource_changes(
    out: &mut dyn Write,
    target: &TargetReport,
    step: &ReconcileStep,
    options: &TextOptions,
) -> io::Result<()> {
    let writes: Vec<&WriteRecord> = step
        .trace
        .writes
        .iter()
        .filter(|w| !(is_target_write(target, w) && w.subresource == Some("status")))
        .collect();
    if writes.is_empty() {
        return Ok(());
    }
    writeln!(out, "  resource changes:")?;
    for w in writes {
        let action = Action::of(w);
        let how = match (w.verb, w.patch_type) {
            ("Patch", Some(crate::world::APPLY_PATCH)) => "server-side apply",
            ("Patch", _) => "merge patch",
            (verb, _) => verb,
        };
        let err = w
            .error
            .as_deref()
            .map(|e| format!(": {e}"))
            .unwrap_or_default();
        writeln!(
            out,
            "  {:>7} {} {}/{} ({how}){err}",
            action.label(),
            w.kind,
            w.namespace,
            w.name
        )?;
        let (before, after) = match &w.outcome {
            WriteOutcome::Created { after } => (None, Some(after)),
            WriteOutcome::Updated { before, after }
            | WriteOutcome::MarkedDeleted { before, after } => (Some(before), Some(after)),
            WriteOutcome::Removed { before } => (Some(before), None),
            WriteOutcome::Unchanged { .. } | WriteOutcome::Failed => continue,
        };
        write_diff(
            out,
            &format!("{}/{}", w.kind, w.name),
            before,
            after,
            options.context,
        )?;
    }
    Ok(())
}

/// Removes fields that only add noise to a diff (server-owned metadata).
pub fn without_noise(object: &Value) -> Value {
    let mut o = object.clone();
    if let Some(meta) = o.get_mut("metadata").and_then(Value::as_object_mut) {
        for field in [
            "managedFields",
            "resourceVersion",
            "uid",
            "creationTimestamp",
            "generation",
        ] {
            meta.remove(field);
        }
    }
    o
}

/// YAML text of an object without noise; empty for no object.
pub fn to_yaml(object: Option<&Value>) -> String {
    object
        .map(|o| serde_saphyr::to_string(&without_noise(o)).unwrap_or_default())
        .unwrap_or_default()
}

fn write_diff(
    out: &mut dyn Write,
    name: &str,
    before: Option<&Value>,
    after: Option<&Value>,
    context: usize,
) -> io::Result<()> {
    let old = to_yaml(before);
    let new = to_yaml(after);
    let diff = TextDiff::from_lines(&old, &new);
    let from = if before.is_some() {
        format!("a/{name}")
    } else {
        "/dev/null".to_string()
    };
    let to = if after.is_some() {
        format!("b/{name}")
    } else {
        "/dev/null".to_string()
    };
    let text = diff
        .unified_diff()
        .context_radius(context)
        .header(&from, &to)
        .to_string();
    for line in text.lines() {
        writeln!(out, "      {line}")?;
    }
    Ok(())
}

fn write_sidecar_and_events(out: &mut dyn Write, step: &ReconcileStep) -> io::Result<()> {
    if !step.trace.sidecar_calls.is_empty() {
        writeln!(out, "  sidecar requests (simulated):")?;
        for c in &step.trace.sidecar_calls {
            let ty = if c.task_type.is_empty() {
                String::new()
            } else {
                format!(" {}", c.task_type)
            };
            writeln!(out, "    {}{} -> {}", c.op, ty, c.returned)?;
        }
    }
    if !step.trace.events.is_empty() {
        writeln!(out, "  events:")?;
        for e in &step.trace.events {
            writeln!(out, "    {} {}: {}", e.event_type, e.reason, e.message)?;
        }
    }
    Ok(())
}
