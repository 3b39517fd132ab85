//! The human views of a plan (terminal text and pull-request markdown): per target
//! a header, the task plan as a table, the status patch exactly as it would be
//! sent, each owned-resource change as a unified YAML diff (or a path list), and
//! a one-line summary.

use std::io::{self, Write};

use comfy_table::{presets, Cell, ContentArrangement, Table};
use serde_json::Value;
use similar::TextDiff;

use super::changes::{self, changed_paths, judge, Action, Change, IgnorePath};
use super::summary::problems;
pub use super::summary::Summary;
use crate::ansi::{BOLD, CYAN, GREEN, RED, RESET};
use crate::engine::plan::{PlanReport, ReconcileStep, TargetReport};
use crate::env::go_duration;
use crate::world::{WriteRecord, APPLY_PATCH};

/// Terminal text or markdown for a pull-request comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Style {
    #[default]
    Text,
    Markdown,
}

/// Options of the human views.
#[derive(Debug, Clone, Default)]
pub struct ViewOptions {
    pub style: Style,
    /// Context lines around diff hunks.
    pub context: usize,
    /// ANSI colours (text style only).
    pub color: bool,
    /// A path-level change list instead of unified diffs.
    pub compact: bool,
    pub ignore: Vec<IgnorePath>,
    /// The plan is about to be applied: its summary says the changes will be written.
    pub applying: bool,
}

struct View<'a> {
    out: &'a mut dyn Write,
    o: &'a ViewOptions,
}

/// Writes the whole plan: every target, then what the operator would fail at (so a reconcile
/// error is never buried mid-output), then the summary line. A whole markdown plan has its
/// own layout (`render::plan_markdown::write`).
pub fn write(out: &mut dyn Write, report: &PlanReport, options: &ViewOptions) -> io::Result<()> {
    for target in &report.targets {
        write_target(out, target, options)?;
    }
    write_end(
        out,
        &problems(report, &options.ignore),
        &Summary::of(report, &options.ignore),
        options,
    )
}

/// One target of [`write`].
pub fn write_target(
    out: &mut dyn Write,
    target: &TargetReport,
    options: &ViewOptions,
) -> io::Result<()> {
    View { out, o: options }.report_target(target)
}

/// The end of [`write`], after the targets: the problems, then the summary line.
pub fn write_end(
    out: &mut dyn Write,
    problems: &[String],
    summary: &Summary,
    options: &ViewOptions,
) -> io::Result<()> {
    let v = View { out, o: options };
    if !problems.is_empty() {
        let title = v.paint(RED, "Problems (the operator would fail at these):");
        writeln!(v.out, "{title}")?;
        for p in problems {
            writeln!(v.out, "  {p}")?;
        }
        writeln!(v.out)?;
    }
    let line = if options.applying {
        summary.line_to_apply()
    } else {
        summary.line()
    };
    let text = v.paint(BOLD, &line);
    writeln!(v.out, "{text}")
}

/// One target in the style of `options` (its timeline with `--until-settled`).
pub fn target_text(target: &TargetReport, options: &ViewOptions) -> String {
    let mut buf = Vec::new();
    let mut v = View {
        out: &mut buf,
        o: options,
    };
    // Writing to memory cannot fail.
    let _ = v.report_target(target);
    String::from_utf8_lossy(&buf).into_owned()
}

/// The targets of a report without the summary line, for views that count differently
/// (`plan --base`).
pub fn write_targets(
    out: &mut dyn Write,
    report: &PlanReport,
    options: &ViewOptions,
) -> io::Result<()> {
    let mut v = View { out, o: options };
    for target in &report.targets {
        match &target.verdict {
            Some(verdict) => v.timeline(target, verdict)?,
            None => v.target(target)?,
        }
    }
    Ok(())
}

/// One judged resource change as in a target's resource changes: the action line, then
/// the diff or path list.
pub fn write_change(out: &mut dyn Write, change: &Change, options: &ViewOptions) -> io::Result<()> {
    View { out, o: options }.change(change)
}

fn str_at<'a>(v: Option<&'a Value>, pointer: &str) -> Option<&'a str> {
    v.and_then(|v| v.pointer(pointer))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn is_target_write(target: &TargetReport, w: &WriteRecord) -> bool {
    w.kind == target.target.kind
        && w.namespace == target.target.namespace
        && w.name == target.target.name
}

impl View<'_> {
    fn md(&self) -> bool {
        self.o.style == Style::Markdown
    }

    fn paint(&self, color: &str, text: &str) -> String {
        crate::ansi::paint(self.o.color && !self.md(), color, text)
    }

    fn report_target(&mut self, target: &TargetReport) -> io::Result<()> {
        match &target.verdict {
            Some(verdict) => self.timeline(target, verdict),
            None => self.target(target),
        }
    }

    fn target(&mut self, target: &TargetReport) -> io::Result<()> {
        for (n, step) in target.steps.iter().enumerate() {
            let reconcile = if target.steps.len() > 1 {
                format!(" (reconcile {}/{})", n + 1, target.steps.len())
            } else {
                String::new()
            };
            let title = format!("{}{reconcile}", target.target);
            if self.md() {
                writeln!(self.out, "### {title}\n")?;
            } else {
                let t = self.paint(BOLD, &title);
                writeln!(self.out, "{t}")?;
            }
            self.header(step)?;
            self.plan_table(step)?;
            self.status_patch(target, step)?;
            self.resource_changes(target, step)?;
            self.sidecar_and_events(step)?;
            writeln!(self.out)?;
        }
        Ok(())
    }

    /// The `--until-settled` view: one row per reconcile, the verdict, then the
    /// last reconcile in full.
    fn timeline(
        &mut self,
        target: &TargetReport,
        verdict: &crate::engine::plan::Verdict,
    ) -> io::Result<()> {
        let title = format!("{} (until settled)", target.target);
        if self.md() {
            writeln!(self.out, "### {title}\n")?;
        } else {
            let t = self.paint(BOLD, &title);
            writeln!(self.out, "{t}")?;
        }
        let mut table = Table::new();
        table.load_style(if self.md() {
            presets::ASCII_MARKDOWN
        } else {
            presets::UTF8_FULL_CONDENSED
        });
        table.set_content_arrangement(ContentArrangement::Disabled);
        table.set_header(vec![
            "#",
            "Phase",
            "Current task",
            "Writes",
            "Requeue",
            "Error",
        ]);
        for step in &target.steps {
            let phase = str_at(step.after.as_deref(), "/status/phase").unwrap_or("<none>");
            let task = crate::engine::plan::current_task(step.after.as_deref()).unwrap_or_default();
            let changes = step
                .trace
                .writes
                .iter()
                .filter(|w| !matches!(changes::verdict(w, &self.o.ignore).0, Action::NoOp))
                .count();
            let r = step.trace.outcome.result;
            let requeue = if r.is_zero() {
                "none".to_string()
            } else {
                go_duration(r.after)
            };
            table.add_row(vec![
                Cell::new(step.trace.index),
                Cell::new(phase),
                Cell::new(task),
                Cell::new(format!("{changes}/{}", step.trace.writes.len())),
                Cell::new(requeue),
                Cell::new(
                    step.trace
                        .outcome
                        .error
                        .as_deref()
                        .map(|e| abbreviate(e, 60))
                        .unwrap_or_default(),
                ),
            ]);
        }
        let indent = if self.md() { "" } else { "  " };
        for line in table.to_string().lines() {
            writeln!(self.out, "{indent}{line}")?;
        }
        let verdict_line = verdict.to_string();
        writeln!(self.out, "{indent}{verdict_line}\n")?;
        if let Some(last) = target.steps.last() {
            let single = TargetReport {
                target: target.target.clone(),
                steps: vec![last.clone()],
                verdict: None,
            };
            self.target(&single)?;
        }
        Ok(())
    }

    fn field(&mut self, name: &str, value: &str) -> io::Result<()> {
        if self.md() {
            writeln!(self.out, "- **{name}:** {value}")
        } else {
            writeln!(self.out, "  {:<8} {value}", format!("{name}:"))
        }
    }

    fn header(&mut self, step: &ReconcileStep) -> io::Result<()> {
        let before = str_at(step.before.as_deref(), "/status/phase").unwrap_or("<none>");
        let after = match &step.after {
            None => "<deleted>",
            after => str_at(after.as_deref(), "/status/phase").unwrap_or("<none>"),
        };
        self.field("phase", &format!("{before} -> {after}"))?;
        if let Some(id) = str_at(step.after.as_deref(), "/status/plan/id") {
            let phase = str_at(step.after.as_deref(), "/status/plan/phase").unwrap_or("");
            self.field("plan", &format!("{id} ({phase})"))?;
        } else if let Some(id) = str_at(step.before.as_deref(), "/status/plan/id") {
            self.field("plan", &format!("{id} (cleared)"))?;
        }
        let r = step.trace.outcome.result;
        let requeue = if r.is_zero() {
            "none".to_string()
        } else if r.requeue && r.after.is_zero() {
            "immediately".to_string()
        } else {
            format!("after {}", go_duration(r.after))
        };
        self.field("requeue", &requeue)?;
        if let Some(e) = &step.trace.outcome.error {
            let e = e.clone();
            self.field("error", &e)?;
        }
        if self.md() {
            writeln!(self.out)?;
        }
        Ok(())
    }

    fn plan_table(&mut self, step: &ReconcileStep) -> io::Result<()> {
        let tasks_of = |v: Option<&Value>| -> Vec<Value> {
            v.and_then(|v| v.pointer("/status/plan/tasks"))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        let after = tasks_of(step.after.as_deref());
        if after.is_empty() {
            return Ok(());
        }
        let before = tasks_of(step.before.as_deref());
        let same_plan = str_at(step.before.as_deref(), "/status/plan/id")
            == str_at(step.after.as_deref(), "/status/plan/id");
        let mut table = Table::new();
        table.load_style(if self.md() {
            presets::ASCII_MARKDOWN
        } else {
            presets::UTF8_FULL_CONDENSED
        });
        table.set_content_arrangement(ContentArrangement::Disabled);
        table.set_header(vec!["#", "Task", "Status", "Retries", "Params"]);
        for (i, task) in after.iter().enumerate() {
            let status_after = task.get("status").and_then(Value::as_str).unwrap_or("");
            let status_before = before
                .get(i)
                .filter(|_| same_plan)
                .and_then(|t| t.get("status"))
                .and_then(Value::as_str)
                .unwrap_or("");
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
        let indent = if self.md() { "" } else { "  " };
        for line in table.to_string().lines() {
            writeln!(self.out, "{indent}{line}")?;
        }
        if self.md() {
            writeln!(self.out)?;
        }
        Ok(())
    }

    fn status_patch(&mut self, target: &TargetReport, step: &ReconcileStep) -> io::Result<()> {
        for w in step
            .trace
            .writes
            .iter()
            .filter(|w| is_target_write(target, w) && w.subresource.is_some())
        {
            // The full view shows the patch body: only the action is needed of the judgement.
            let change = self
                .o
                .compact
                .then(|| changes::judge_paths(w, &self.o.ignore));
            let action = change
                .as_ref()
                .map_or_else(|| changes::verdict(w, &self.o.ignore).0, |c| c.action);
            let result = match (&w.error, action) {
                (Some(e), _) => format!(" -> would fail: {e}"),
                (None, Action::NoOp) => " (no-op)".to_string(),
                _ => String::new(),
            };
            let how = w.patch_type.unwrap_or("update");
            if self.o.compact {
                // The changed paths, as in the resource list (and as --ignore-path reads them).
                if self.md() {
                    writeln!(self.out, "Status patch (`{how}`){result}:\n")?;
                } else {
                    writeln!(self.out, "  status patch ({how}){result}:")?;
                }
                if let Some(change) = change.filter(|c| c.action != Action::NoOp) {
                    self.path_list(&change)?;
                }
                if self.md() {
                    writeln!(self.out)?;
                }
                continue;
            }
            let body = w
                .patch
                .as_deref()
                .or(w.object.as_deref())
                .unwrap_or(&Value::Null);
            let pretty = serde_json::to_string_pretty(&SortedKeys(body)).unwrap_or_default();
            if self.md() {
                writeln!(
                    self.out,
                    "Status patch (`{how}`){result}:\n\n```json\n{pretty}\n```\n"
                )?;
            } else {
                writeln!(self.out, "  status patch ({how}){result}:")?;
                for line in pretty.lines() {
                    writeln!(self.out, "    {line}")?;
                }
            }
        }
        Ok(())
    }

    fn resource_changes(&mut self, target: &TargetReport, step: &ReconcileStep) -> io::Result<()> {
        let writes: Vec<&WriteRecord> = step
            .trace
            .writes
            .iter()
            .filter(|w| !(is_target_write(target, w) && w.subresource.is_some()))
            .collect();
        if writes.is_empty() {
            return Ok(());
        }
        if self.md() {
            writeln!(self.out, "Resource changes:\n")?;
        } else {
            writeln!(self.out, "  resource changes:")?;
        }
        for w in writes {
            let change = self.judge(w);
            self.change(&change)?;
        }
        if self.md() {
            writeln!(self.out)?;
        }
        Ok(())
    }

    /// A write judged for what this view shows of it (a compact view only lists paths).
    fn judge<'w>(&self, write: &'w WriteRecord) -> Change<'w> {
        if self.o.compact {
            changes::judge_paths(write, &self.o.ignore)
        } else {
            judge(write, &self.o.ignore)
        }
    }

    fn change(&mut self, change: &Change) -> io::Result<()> {
        let w = change.write;
        let how = match (w.verb, w.patch_type) {
            ("Patch", Some(APPLY_PATCH)) => "server-side apply",
            ("Patch", _) => "merge patch",
            (verb, _) => verb,
        };
        let detail = w
            .error
            .as_deref()
            .or(change.reason.as_deref())
            .map(|e| format!(": {e}"))
            .unwrap_or_default();
        let label = change.action.label();
        if self.md() {
            writeln!(
                self.out,
                "- **{label}** `{} {}/{}` ({how}){detail}",
                w.kind, w.namespace, w.name
            )?;
        } else {
            let color = match change.action {
                Action::Create => GREEN,
                Action::Delete | Action::Forbidden | Action::Failed => RED,
                Action::Update => CYAN,
                Action::NoOp => RESET,
            };
            let label = self.paint(color, &format!("{label:>9}"));
            writeln!(
                self.out,
                "  {label} {} {}/{} ({how}){detail}",
                w.kind, w.namespace, w.name
            )?;
        }
        if matches!(change.action, Action::NoOp | Action::Failed) {
            return Ok(());
        }
        let name = format!("{}/{}", w.kind, w.name);
        if self.o.compact {
            self.path_list(change)
        } else {
            self.diff(&name, change.before.as_ref(), change.after.as_ref())
        }
    }

    fn path_list(&mut self, change: &Change) -> io::Result<()> {
        // A created or removed object is the whole object: the action line says it all.
        let (Some(before), Some(after)) = (change.before.as_ref(), change.after.as_ref()) else {
            return Ok(());
        };
        let indent = if self.md() { "  " } else { "      " };
        for (path, b, a) in changed_paths(before, after) {
            let show = |v: &Option<Value>| {
                v.as_ref()
                    .map_or("<absent>".to_string(), |v| abbreviate(&v.to_string(), 60))
            };
            let (sign, text) = match (&b, &a) {
                (None, Some(_)) => ("+", format!("{path} = {}", show(&a))),
                (Some(_), None) => ("-", format!("{path} (was {})", show(&b))),
                _ => ("~", format!("{path}: {} -> {}", show(&b), show(&a))),
            };
            writeln!(self.out, "{indent}{sign} {text}")?;
        }
        Ok(())
    }

    fn diff(
        &mut self,
        name: &str,
        before: Option<&Value>,
        after: Option<&Value>,
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
            .context_radius(self.o.context)
            .header(&from, &to)
            .to_string();
        if self.md() {
            writeln!(self.out, "\n```diff\n{}```\n", text)?;
            return Ok(());
        }
        for line in text.lines() {
            let painted = if line.starts_with('+') && !line.starts_with("+++") {
                self.paint(GREEN, line)
            } else if line.starts_with('-') && !line.starts_with("---") {
                self.paint(RED, line)
            } else if line.starts_with("@@") {
                self.paint(CYAN, line)
            } else {
                line.to_string()
            };
            writeln!(self.out, "      {painted}")?;
        }
        Ok(())
    }

    fn sidecar_and_events(&mut self, step: &ReconcileStep) -> io::Result<()> {
        let (indent, item) = if self.md() {
            ("", "- ")
        } else {
            ("  ", "    ")
        };
        if !step.trace.sidecar_calls.is_empty() {
            writeln!(self.out, "{indent}sidecar requests (simulated):")?;
            for c in &step.trace.sidecar_calls {
                let ty = if c.task_type.is_empty() {
                    String::new()
                } else {
                    format!(" {}", c.task_type)
                };
                writeln!(self.out, "{item}{}{ty} -> {}", c.op, c.returned)?;
            }
        }
        if !step.trace.events.is_empty() {
            writeln!(self.out, "{indent}events:")?;
            for e in &step.trace.events {
                writeln!(
                    self.out,
                    "{item}{} {}: {}",
                    e.event_type, e.reason, e.message
                )?;
            }
        }
        Ok(())
    }
}

fn abbreviate(text: &str, max: usize) -> String {
    if text.chars().count() > max {
        format!("{}…", text.chars().take(max - 1).collect::<String>())
    } else {
        text.to_string()
    }
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
            format!("{k}={}", abbreviate(&text, 40))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// YAML text of an object with keys sorted (as kubectl prints them, so key order
/// never shows up as a change); empty for no object.
pub fn to_yaml(object: Option<&Value>) -> String {
    object
        .map(|o| yaml_text(&SortedKeys(o)))
        .unwrap_or_default()
}

/// YAML with one line per scalar (no folded block scalars), so diffs stay line-exact.
pub fn yaml_text(value: &impl serde::Serialize) -> String {
    let mut options = serde_saphyr::SerializerOptions::default();
    options.prefer_block_scalars = false;
    serde_saphyr::to_string_with_options(value, options).unwrap_or_default()
}

/// `value` serialised with every object's keys in byte order (Go marshals maps so),
/// borrowed: no sorted copy is built.
pub struct SortedKeys<'a>(pub &'a Value);

impl serde::Serialize for SortedKeys<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self.0 {
            Value::Object(m) => {
                let mut entries: Vec<(&String, &Value)> = m.iter().collect();
                entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k, &SortedKeys(v))?;
                }
                map.end()
            }
            Value::Array(a) => {
                let mut seq = serializer.serialize_seq(Some(a.len()))?;
                for v in a {
                    seq.serialize_element(&SortedKeys(v))?;
                }
                seq.end()
            }
            scalar => scalar.serialize(serializer),
        }
    }
}
