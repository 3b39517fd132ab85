//! The markdown view of `explain`, for an incident ticket or a pull-request comment: the
//! same facts as the text view, as tables and lists.

use std::io::{self, Write};

use super::explain::{
    next_effects, or_none, params_text, plan_after, retries_text, sidecar_verdict, step_rows,
    submitted_text,
};
use crate::explain::{age_text, Explanation, SidecarView};

/// Text safe inside a table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', "<br>")
}

/// Inline code, with backticks in the text doubled around.
fn code(text: &str) -> String {
    if text.contains('`') {
        format!("`` {text} ``")
    } else {
        format!("`{text}`")
    }
}

/// Writes the explanation as markdown.
pub fn write(out: &mut dyn Write, e: &Explanation) -> io::Result<()> {
    writeln!(out, "### {} at {}", code(&e.target.to_string()), e.now)?;
    writeln!(out)?;
    state_table(out, e)?;
    if !e.conditions.is_empty() {
        writeln!(out, "| condition | status | reason | since | message |")?;
        writeln!(out, "|---|---|---|---|---|")?;
        for c in &e.conditions {
            let age = c
                .age_seconds
                .map(|s| format!("{} ago", age_text(s)))
                .unwrap_or_default();
            writeln!(
                out,
                "| {} | {} | {} | {age} | {} |",
                cell(&c.condition_type),
                cell(&c.status),
                cell(&c.reason),
                cell(&c.message)
            )?;
        }
        writeln!(out)?;
    }
    if let Some(view) = &e.sidecar_view {
        sidecar_view(out, view)?;
    }
    next_reconcile(out, e)?;
    eventually(out, e)?;
    patterns(out, e)
}

fn state_table(out: &mut dyn Write, e: &Explanation) -> io::Result<()> {
    let mut rows: Vec<(&str, String)> = vec![("phase", or_none(e.phase.as_deref()).into())];
    rows.push((
        "plan",
        match &e.plan {
            Some(p) => format!(
                "{} ({}), {}/{} tasks complete; targetPhase {}, failedPhase {}",
                code(or_none(Some(&p.id))),
                or_none(Some(&p.phase)),
                p.tasks_complete,
                p.tasks_total,
                or_none(Some(&p.target_phase)),
                or_none(Some(&p.failed_phase))
            ),
            None => "none".into(),
        },
    ));
    if let Some(t) = &e.current_task {
        rows.push((
            "current task",
            format!(
                "#{} {} ({}) {}",
                t.index,
                code(&t.task_type),
                code(&t.id),
                t.status
            ),
        ));
        rows.push(("params", code(&params_text(t.params.as_ref()))));
        rows.push(("submitted", submitted_text(t)));
        rows.push(("retries", retries_text(t)));
        if !t.error.is_empty() {
            rows.push(("error", t.error.clone()));
        }
    }
    if let Some(f) = &e.failed_task {
        let index = f.index.map(|i| format!("#{i} ")).unwrap_or_default();
        rows.push((
            "failed task",
            format!(
                "{index}{} ({}) after {}/{} retries: {}",
                code(&f.task_type),
                code(&f.id),
                f.retry_count,
                f.max_retries,
                f.error
            ),
        ));
    }
    writeln!(out, "| | |")?;
    writeln!(out, "|---|---|")?;
    for (name, value) in rows {
        writeln!(out, "| {name} | {} |", cell(&value))?;
    }
    writeln!(out)
}

fn sidecar_view(out: &mut dyn Write, v: &SidecarView) -> io::Result<()> {
    let place = if v.pod.is_empty() {
        String::new()
    } else {
        format!(", {}", code(&v.pod))
    };
    writeln!(out, "#### Sidecar view (live{place})")?;
    writeln!(out)?;
    if !v.task_type.is_empty() {
        writeln!(
            out,
            "- controller: {} ({}) {}",
            code(&v.task_type),
            code(&v.task_id),
            v.controller
        )?;
    }
    if let Some(answer) = &v.sidecar {
        writeln!(
            out,
            "- sidecar: {} → {}",
            code(&format!("GET /v0/tasks/{}", v.task_id)),
            answer.label()
        )?;
    }
    let verdict = match sidecar_verdict(v) {
        "DISAGREE" => "**DISAGREE**",
        other => other,
    };
    writeln!(out, "- {verdict}: {}", v.statement)?;
    writeln!(out)
}

fn next_reconcile(out: &mut dyn Write, e: &Explanation) -> io::Result<()> {
    let n = &e.next;
    writeln!(out, "#### Next reconcile")?;
    writeln!(out)?;
    writeln!(out, "_Assuming {}._", e.assumptions.join("; "))?;
    writeln!(out)?;
    writeln!(
        out,
        "- then: phase {}, {}, current task {}",
        or_none(n.phase_after.as_deref()),
        plan_after(e),
        or_none(n.current_task_after.as_deref())
    )?;
    writeln!(out, "- requeue: {}", n.requeue)?;
    if let Some(err) = &n.error {
        writeln!(out, "- error: {err}")?;
    }
    for (title, lines) in next_effects(e) {
        match lines.as_slice() {
            [] if title == "dns" => {}
            [] => writeln!(out, "- {title}: none")?,
            lines => {
                writeln!(out, "- {title}:")?;
                for line in lines {
                    writeln!(out, "  - {}", code(line))?;
                }
            }
        }
    }
    writeln!(out)
}

fn eventually(out: &mut dyn Write, e: &Explanation) -> io::Result<()> {
    writeln!(out, "#### Eventually")?;
    writeln!(out)?;
    writeln!(out, "_Assuming {}._", e.eventually.assumption)?;
    writeln!(out)?;
    writeln!(
        out,
        "| # | phase | current task | writes | requeue | error |"
    )?;
    writeln!(out, "|---:|---|---|---:|---|---|")?;
    for r in step_rows(e) {
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            r.index,
            cell(&r.phase),
            cell(&r.task),
            r.writes,
            cell(&r.requeue),
            cell(&r.error)
        )?;
    }
    writeln!(out)?;
    if let Some(v) = &e.eventually.report.verdict {
        writeln!(out, "{v}; `*` = changed stored state.")?;
    } else {
        writeln!(out, "`*` = changed stored state.")?;
    }
    writeln!(out)
}

fn patterns(out: &mut dyn Write, e: &Explanation) -> io::Result<()> {
    writeln!(out, "#### Stuck patterns")?;
    writeln!(out)?;
    if e.patterns.is_empty() {
        return writeln!(out, "None of the known patterns apply.");
    }
    for p in &e.patterns {
        writeln!(out, "- **[{}] {}**", p.id, p.title)?;
        writeln!(out, "  - why: {}", p.detail)?;
        for line in &p.evidence {
            writeln!(out, "  - evidence: {line}")?;
        }
        writeln!(out, "  - fix: {}", p.remedy)?;
    }
    Ok(())
}
