//! The impact lines of a `plan --base`: per changed manifest object one sentence of what it
//! does to the fleet (`InPlace rollout of snd/pacific-1-rpc (revision 1 -> 2): 3 nodes
//! restart (image v6.2.0 -> v6.3.0)`), then forbidden updates and new failures.

use std::collections::BTreeMap;

use serde_json::Value;

use super::base_diff::{image_change, judged, restart_reason, BaseChanges};
use super::changes::{changed_paths, judge, Action, IgnorePath};
use crate::api::{SEINODEDEPLOYMENT_KIND, SEINODE_KIND};
use crate::base::{BasePlan, Restart};
use crate::engine::plan::TargetRef;
use crate::world::compact::StoredObject;
use crate::world::WriteRecord;

/// The label a group puts on the SeiNodes it controls.
const GROUP_LABEL: &str = "sei.io/nodedeployment";

fn short(kind: &str) -> &str {
    match kind {
        SEINODEDEPLOYMENT_KIND => "snd",
        SEINODE_KIND => "seinode",
        other => other,
    }
}

/// The SeiNodes `group` controls after the plan (by the group label) or creates in it.
fn members(c: &BaseChanges, group: &TargetRef) -> Vec<String> {
    let mut names: Vec<String> = c
        .plan
        .report
        .final_objects
        .iter()
        .map(StoredObject::value)
        .filter(|o| o.get("kind").and_then(Value::as_str) == Some(SEINODE_KIND))
        .filter(|o| {
            o.pointer("/metadata/namespace").and_then(Value::as_str) == Some(&group.namespace)
                && o.pointer(&format!(
                    "/metadata/labels/{}",
                    GROUP_LABEL.replace('/', "~1")
                ))
                .and_then(Value::as_str)
                    == Some(&group.name)
        })
        .filter_map(|o| {
            o.pointer("/metadata/name")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect();
    for w in writes_of(c, group) {
        if w.kind == SEINODE_KIND && !names.contains(&w.name) {
            names.push(w.name.clone());
        }
    }
    names.sort();
    names
}

/// The changing writes of a target's own reconciles.
fn writes_of<'c>(c: &'c BaseChanges, t: &TargetRef) -> Vec<&'c WriteRecord> {
    c.report
        .targets
        .iter()
        .filter(|r| r.target == *t)
        .flat_map(|r| r.steps.iter().flat_map(|s| s.trace.writes.iter()))
        .collect()
}

/// What the operator does for one manifest object: restarts, creations, deletions.
fn effects(c: &BaseChanges, t: &TargetRef, ignore: &[IgnorePath]) -> String {
    let nodes: Vec<String> = if t.kind == SEINODEDEPLOYMENT_KIND {
        members(c, t)
    } else {
        vec![t.name.clone()]
    };
    let mut writes = writes_of(c, t);
    if t.kind == SEINODEDEPLOYMENT_KIND {
        for n in &nodes {
            let node = TargetRef {
                kind: SEINODE_KIND.into(),
                namespace: t.namespace.clone(),
                name: n.clone(),
            };
            writes.extend(writes_of(c, &node));
        }
    }
    let restarts: Vec<&Restart> = c
        .plan
        .restarts
        .iter()
        .filter(|r| r.namespace == t.namespace && nodes.contains(&r.name))
        .collect();
    let mut parts = Vec::new();
    if !restarts.is_empty() {
        let mut reasons: Vec<String> = restarts.iter().map(|r| restart_reason(r)).collect();
        reasons.dedup();
        let verb = if restarts.len() == 1 {
            "node restarts"
        } else {
            "nodes restart"
        };
        parts.push(format!(
            "{} {verb} ({})",
            restarts.len(),
            reasons.join("; ")
        ));
    }
    let mut by_action: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    let mut status_only = true;
    for w in &writes {
        let action = judge(w, ignore).action;
        if w.subresource.is_none() && action != Action::NoOp {
            status_only = false;
        }
        let verb = match action {
            Action::Create => "creates",
            Action::Delete => "deletes",
            Action::Update
                if w.kind == SEINODE_KIND
                    && w.subresource.is_none()
                    && !(w.kind == t.kind && w.name == t.name) =>
            {
                "updates"
            }
            _ => continue,
        };
        by_action
            .entry((verb, w.kind.as_str()))
            .or_default()
            .push(w.name.as_str());
    }
    for verb in ["creates", "updates", "deletes"] {
        let items: Vec<String> = by_action
            .iter()
            .filter(|((v, _), _)| *v == verb)
            .map(|((_, kind), names)| {
                let mut names = names.clone();
                names.sort();
                names.dedup();
                let s = if names.len() == 1 { "" } else { "s" };
                format!("{} {kind}{s} ({})", names.len(), names.join(", "))
            })
            .collect();
        if !items.is_empty() {
            parts.push(format!("{verb} {}", items.join(", ")));
        }
    }
    if parts.is_empty() {
        return if writes.is_empty() || !status_only {
            "the operator writes nothing else".into()
        } else {
            "status only".into()
        };
    }
    parts.join("; ")
}

/// The changed spec, label and annotation paths of a manifest update, with values.
fn spec_changes(before: &Value, after: &Value) -> String {
    let changes = changed_paths(before, after);
    let interesting: Vec<String> = changes
        .iter()
        .filter(|(p, ..)| {
            p.starts_with("spec")
                || p.starts_with("metadata.labels")
                || p.starts_with("metadata.annotations")
        })
        .map(|(p, b, a)| {
            let text = |v: &Option<Value>| match v {
                None => "<absent>".to_string(),
                Some(Value::String(s)) => s.clone(),
                Some(v) => v.to_string(),
            };
            match (b, a) {
                (Some(Value::String(b)), Some(Value::String(a))) if p.ends_with("image") => {
                    format!("{p} {}", image_change(b, a))
                }
                _ => format!("{p} {} -> {}", text(b), text(a)),
            }
        })
        .collect();
    let shown = interesting
        .iter()
        .take(2)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if interesting.len() > 2 {
        format!("{shown} and {} more", interesting.len() - 2)
    } else {
        shown
    }
}

/// Judges a base plan and adds its impact lines.
pub fn changes<'a>(plan: &'a BasePlan, ignore: &[IgnorePath]) -> BaseChanges<'a> {
    let mut out = judged(plan, ignore);
    out.impact = lines(&out, ignore);
    out
}

/// Every impact line of a base plan.
fn lines(c: &BaseChanges, ignore: &[IgnorePath]) -> Vec<String> {
    let mut out = Vec::new();
    for change in &c.manifest {
        let w = change.write;
        let t = TargetRef {
            kind: w.kind.clone(),
            namespace: w.namespace.clone(),
            name: w.name.clone(),
        };
        let sei = matches!(w.kind.as_str(), SEINODE_KIND | SEINODEDEPLOYMENT_KIND);
        let who = format!("{}/{}", short(&w.kind), w.name);
        let effects = if sei {
            effects(c, &t, ignore)
        } else {
            "not a SeiNode or SeiNodeDeployment: stored as is".into()
        };
        let rollout = c
            .rollouts
            .iter()
            .find(|r| r.namespace == t.namespace && r.group == t.name);
        let line = match (change.action, rollout) {
            (_, Some(r)) => format!(
                "{} rollout of {who} (revision {} -> {}): {effects}",
                r.strategy, r.incumbent_revision, r.entrant_revision
            ),
            (Action::Create, _) => format!("new {who}: {effects}"),
            (Action::Delete, _) => format!("{who} is deleted: {effects}"),
            _ => {
                let what = match (&change.before, &change.after) {
                    (Some(b), Some(a)) => spec_changes(b, a),
                    _ => String::new(),
                };
                format!("{who} changes {what}: {effects}")
            }
        };
        out.push(line);
    }
    // Objects the head did not change but the plan does (e.g. a peer of a new node).
    for t in &c.report.targets {
        let in_manifest = c.manifest.iter().any(|m| {
            m.write.kind == t.target.kind
                && m.write.namespace == t.target.namespace
                && m.write.name == t.target.name
        });
        let in_group = c.plan.report.final_objects.iter().any(|o| {
            let o = o.value();
            o.get("kind").and_then(Value::as_str) == Some(SEINODE_KIND)
                && o.pointer("/metadata/name").and_then(Value::as_str) == Some(&t.target.name)
                && o.pointer(&format!(
                    "/metadata/labels/{}",
                    GROUP_LABEL.replace('/', "~1")
                ))
                .is_some()
        });
        if !in_manifest && !in_group {
            let who = format!("{}/{}", short(&t.target.kind), t.target.name);
            out.push(format!(
                "{who} (manifest unchanged): {}",
                effects(c, &t.target, ignore)
            ));
        }
    }
    for w in c
        .report
        .targets
        .iter()
        .flat_map(|t| t.steps.iter().flat_map(|s| s.trace.writes.iter()))
    {
        let change = judge(w, ignore);
        match change.action {
            Action::Forbidden => out.push(format!(
                "forbidden: update of {} {}/{}: {}",
                w.kind,
                w.namespace,
                w.name,
                change.reason.unwrap_or_default()
            )),
            Action::Failed => out.push(format!(
                "would fail: {} {} {}/{}: {}",
                w.verb,
                w.kind,
                w.namespace,
                w.name,
                w.error.as_deref().unwrap_or("")
            )),
            _ => {}
        }
    }
    out
}
