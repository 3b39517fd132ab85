//! The plan as a pull-request comment: the summary line and the problems first, then one
//! collapsed `<details>` per object, within GitHub's comment limit of 65,536 characters. When
//! the full diffs do not fit, every object is shown as its changed paths (`--compact`); when
//! even that does not fit, the objects that do not fit are named and left out. Either way a note
//! says so and where the full plan is. Text outside code is HTML-escaped, so `<none>` and other
//! HTML-looking text is shown as written.

use std::io::{self, Write};

use serde_json::Value;

use super::plan_text::{target_text, Style, ViewOptions};
use super::summary::{problems, Summary};
use crate::engine::plan::{PlanReport, TargetReport};

/// GitHub's limit for a comment body, in characters.
pub const COMMENT_LIMIT: usize = 65_536;

/// Room kept for the truncation note and the list of objects left out.
const NOTE_ROOM: usize = 2_048;

/// Writes the comment.
pub fn write(out: &mut dyn Write, report: &PlanReport, options: &ViewOptions) -> io::Result<()> {
    out.write_all(comment(report, options, COMMENT_LIMIT).as_bytes())
}

/// The comment, at most `limit` characters.
pub fn comment(report: &PlanReport, options: &ViewOptions, limit: usize) -> String {
    let full: Vec<String> = report.targets.iter().map(|t| section(t, options)).collect();
    let compact = || {
        let compact_options = compact_options(options);
        report
            .targets
            .iter()
            .map(|t| section(t, &compact_options))
            .collect()
    };
    let names: Vec<String> = report
        .targets
        .iter()
        .map(|t| t.target.to_string())
        .collect();
    let summary = Summary::of(report, &options.ignore);
    let problems = problems(report, &options.ignore);
    assemble(&summary, &problems, &names, full, compact, options, limit)
}

/// The options of the compact sections a comment falls back to.
pub fn compact_options(options: &ViewOptions) -> ViewOptions {
    ViewOptions {
        compact: true,
        ..options.clone()
    }
}

/// The comment from its parts: the plan's summary and problems, each object's name and its
/// [`section`] in full and (made only when the full ones do not fit) compact.
pub fn assemble(
    summary: &Summary,
    problems: &[String],
    names: &[String],
    full: Vec<String>,
    compact: impl FnOnce() -> Vec<String>,
    options: &ViewOptions,
    limit: usize,
) -> String {
    let mut head = String::from("### nodectl plan\n\n");
    head.push_str(&format!("**{}**\n\n", escape(&summary.line())));
    if !problems.is_empty() {
        head.push_str("**Problems** (the operator would fail at these):\n\n");
        for p in problems {
            head.push_str(&format!("- {}\n", escape(p)));
        }
        head.push('\n');
    }
    let size = |parts: &[String]| parts.iter().map(|p| p.chars().count()).sum::<usize>();
    let budget = limit.saturating_sub(head.chars().count());
    if size(&full) <= budget {
        return head + &full.concat();
    }
    let compact: Vec<String> = compact();
    if !options.compact && size(&compact) <= budget.saturating_sub(NOTE_ROOM) {
        let note = note("the diffs are shown as changed paths (as with `--compact`)");
        return head + &note + &compact.concat();
    }
    // Even the changed paths do not fit: show the objects that do, name the others.
    let mut shown = String::new();
    let mut left_out = Vec::new();
    let mut shown_chars = 0;
    let room = budget.saturating_sub(NOTE_ROOM);
    for (name, part) in names.iter().zip(&compact) {
        let part_chars = part.chars().count();
        if left_out.is_empty() && shown_chars + part_chars <= room {
            shown.push_str(part);
            shown_chars += part_chars;
        } else {
            left_out.push(format!("`{name}`"));
        }
    }
    let mut listed = String::new();
    for (i, name) in left_out.iter().enumerate() {
        if listed.len() + name.len() > NOTE_ROOM / 2 {
            listed.push_str(&format!(" and {} more", left_out.len() - i));
            break;
        }
        if i > 0 {
            listed.push_str(", ");
        }
        listed.push_str(name);
    }
    let what = format!(
        "the diffs are shown as changed paths and {} of {} objects are left out: {listed}",
        left_out.len(),
        names.len()
    );
    head + &note(&what) + &shown
}

/// The truncation note.
fn note(what: &str) -> String {
    format!(
        "> **Truncated** to fit a pull-request comment ({COMMENT_LIMIT} characters): {what}. \
         See the full plan in the CI job's log or artifact: run the same `nodectl plan` with \
         `-o text` (or `-o json`).\n\n"
    )
}

/// One object: a one-line account in the `<summary>`, the full view inside.
pub fn section(target: &TargetReport, options: &ViewOptions) -> String {
    let options = ViewOptions {
        style: Style::Markdown,
        color: false,
        ..options.clone()
    };
    let counts = Summary::of_targets(std::slice::from_ref(target), &options.ignore);
    let phase = |v: Option<&Value>, pointer: &str| {
        v.and_then(|v| v.pointer(pointer))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or("<none>")
            .to_string()
    };
    let before = phase(
        target.steps.first().and_then(|s| s.before.as_deref()),
        "/status/phase",
    );
    let after = match target.steps.last().map(|s| s.after.as_deref()) {
        Some(None) => "<deleted>".to_string(),
        Some(after) => phase(after, "/status/phase"),
        None => before.clone(),
    };
    let line = counts.line();
    let counts_text = line
        .trim_start_matches("Plan: ")
        .trim_end_matches(" Nothing was written.");
    let title = format!("{}: {before} → {after}; {counts_text}", target.target);
    format!(
        "<details><summary>{}</summary>\n\n{}\n</details>\n\n",
        escape(&title),
        escape_outside_code(&target_text(target, &options))
    )
}

/// `&`, `<` and `>` as HTML entities.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// [`escape`] for markdown text outside fenced blocks and inline code spans (code is shown
/// verbatim by markdown, so it must not be escaped).
fn escape_outside_code(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len() + 64);
    let mut fenced = false;
    for line in markdown.split_inclusive('\n') {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            out.push_str(line);
            continue;
        }
        if fenced {
            out.push_str(line);
            continue;
        }
        for (i, piece) in line.split('`').enumerate() {
            if i > 0 {
                out.push('`');
            }
            // Odd pieces are inside a code span.
            if i % 2 == 1 {
                out.push_str(piece);
            } else {
                out.push_str(&escape(piece));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped_outside_code_only() {
        let md = "- **phase:** <none> -> Ready\n- `a<b>` & c\n```diff\n+<x>\n```\n";
        assert_eq!(
            escape_outside_code(md),
            "- **phase:** &lt;none&gt; -&gt; Ready\n- `a<b>` &amp; c\n```diff\n+<x>\n```\n"
        );
    }
}
