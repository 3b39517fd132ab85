//! The views of a `plan --base`: how the base came to rest, the impact lines, the head's
//! manifest changes, the operator's changes (as `plan` shows them, only what differs from
//! the base) and the summary line; as text, markdown (a pull-request comment) or one JSON
//! document (also printed as YAML).

use std::io::{self, Write};

use serde_json::{json, Value};

use super::base_diff::{restart_reason, BaseChanges};
use super::plan_text::{write_change, write_targets, Style, ViewOptions};
use crate::engine::trace::write_json;

/// `1 SeiNodeDeployment and 3 SeiNodes at rest (Ready, Running) after 12 reconciles`.
pub fn base_line(c: &BaseChanges) -> String {
    let count = |kind: &str| c.plan.base.iter().filter(|t| t.target.kind == kind).count();
    let reconciles: usize = c.plan.base.iter().map(|t| t.steps.len()).sum();
    let (groups, nodes) = (
        count(crate::api::SEINODEDEPLOYMENT_KIND),
        count(crate::api::SEINODE_KIND),
    );
    let noun = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    format!(
        "Base: {} and {} at rest (groups Ready, nodes Running) after {reconciles} reconciles.",
        noun(groups, "SeiNodeDeployment"),
        noun(nodes, "SeiNode"),
    )
}

/// Writes the text or markdown view.
pub fn write(out: &mut dyn Write, c: &BaseChanges, options: &ViewOptions) -> io::Result<()> {
    let md = options.style == Style::Markdown;
    let line = c.summary.line();
    if md {
        writeln!(out, "## nodectl plan against the base\n")?;
        writeln!(out, "{}\n", base_line(c))?;
    } else {
        writeln!(out, "{}\n", base_line(c))?;
    }
    if !c.summary.has_changes() {
        return if md {
            writeln!(out, "**{line}**")
        } else {
            writeln!(out, "{line}")
        };
    }
    if md {
        writeln!(out, "**Impact**\n")?;
        for l in &c.impact {
            writeln!(out, "- {l}")?;
        }
        writeln!(out)?;
    } else {
        writeln!(out, "Impact:")?;
        for l in &c.impact {
            writeln!(out, "  {l}")?;
        }
        writeln!(out)?;
    }
    if !c.manifest.is_empty() {
        if md {
            writeln!(out, "### Manifest changes (kubectl apply)\n")?;
        } else {
            writeln!(out, "Manifest changes (kubectl apply):")?;
        }
        for change in &c.manifest {
            write_change(out, change, options)?;
        }
        writeln!(out)?;
    }
    if !c.plan.restarts.iter().all(|r| r.observed) {
        let predicted: Vec<String> = c
            .plan
            .restarts
            .iter()
            .filter(|r| !r.observed)
            .map(|r| format!("{}/{} ({})", r.namespace, r.name, restart_reason(r)))
            .collect();
        let text = format!(
            "Pods that restart when their SeiNode is reconciled (not reconciled in this plan; --cascade shows the StatefulSet diffs): {}",
            predicted.join(", ")
        );
        writeln!(out, "{text}\n")?;
    }
    write_targets(out, &c.report, options)?;
    if md {
        writeln!(out, "**{line}**")
    } else {
        writeln!(out, "{line}")
    }
}

/// The machine-readable document: `formatVersion`, the base, the impact lines, the counts,
/// the manifest writes, restarts, rollouts and the reduced plan (the `plan` JSON schema
/// without `finalObjects`).
pub fn to_json(c: &BaseChanges) -> Value {
    let s = &c.summary;
    let base: Vec<Value> = c
        .plan
        .base
        .iter()
        .map(|t| {
            let phase = t
                .steps
                .last()
                .and_then(|s| s.after.as_deref())
                .and_then(|o| o.pointer("/status/phase"))
                .cloned()
                .unwrap_or(Value::Null);
            json!({
                "target": t.target.to_string(),
                "reconciles": t.steps.len(),
                "phase": phase,
                "verdict": t.verdict.as_ref().map(crate::explain::verdict_json),
            })
        })
        .collect();
    let mut plan = c.report.to_json();
    if let Some(m) = plan.as_object_mut() {
        m.remove("finalObjects");
        m.remove("formatVersion");
    }
    json!({
        "formatVersion": 1,
        "base": base,
        "impact": c.impact,
        "summary": {
            "changes": s.has_changes(),
            "text": s.line(),
            "manifestChanges": s.manifest,
            "rollouts": s.rollouts,
            "podRestarts": s.restarts,
            "create": s.create,
            "update": s.update,
            "status": s.status,
            "delete": s.delete,
            "seiNodesCreated": s.nodes_created,
            "seiNodesDeleted": s.nodes_deleted,
            "pvcsCreated": s.pvcs_created,
            "pvcsDeleted": s.pvcs_deleted,
            "forbidden": s.forbidden,
            "failed": s.failed,
        },
        "manifestChanges": c.manifest.iter().map(|m| write_json(m.write)).collect::<Vec<_>>(),
        "rollouts": c.rollouts.iter().map(|r| json!({
            "group": format!("{}/{}", r.namespace, r.group),
            "strategy": r.strategy,
            "incumbentRevision": r.incumbent_revision,
            "entrantRevision": r.entrant_revision,
        })).collect::<Vec<_>>(),
        "restarts": c.plan.restarts.iter().map(|r| json!({
            "node": format!("{}/{}", r.namespace, r.name),
            "observed": r.observed,
            "reason": restart_reason(r),
        })).collect::<Vec<_>>(),
        "plan": plan,
    })
}
