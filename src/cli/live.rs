//! `plan` against a live cluster and `apply`: rendering of the snapshot, fidelity
//! and apply reports (the connection flags are in `args`). Only GETs are sent
//! unless `--apply` (or `--server-dry-run`) is given.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use serde_json::{json, Value};

use super::args::runtime;
use super::exit;
use super::fail;
use super::input::read_objects;
use super::plan::{options, PlanArgs, PlanFormat, SidecarBehaviour};
use crate::live::apply::{order_steps, ApplyReport, Stop};
use crate::live::fidelity::{predicted_only, server_dry_run, Fidelity, OwnedObject};
use crate::live::saved::{ReadObject, SavedPlan};
use crate::live::{
    planned_writes, Cluster, LabelSelector, LivePlan, LiveRequest, Scope, SidecarSource,
};
use crate::render::plan_text::Summary;

/// Runs `plan` on a cluster (and `apply` when asked).
pub fn run(args: &PlanArgs, apply: bool, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let apply = apply || args.live.apply;
    if let [name] = args.names.as_slice() {
        if apply && name.ends_with(".json") {
            return run_saved(args, &PathBuf::from(name), err);
        }
    }
    if apply && !args.files.is_empty() {
        return fail(
            err,
            exit::INVALID,
            "apply takes no -f: apply the manifests with kubectl first, then run nodectl apply",
        );
    }
    let overlay = match read_objects(&args.files, args.recursive) {
        Ok(input) => {
            for w in &input.warnings {
                let _ = writeln!(err, "warning: {w}");
            }
            input.objects
        }
        Err(problem) => return fail(err, exit::INVALID, problem),
    };
    let prepared = options(args, &overlay).and_then(|o| {
        let selector = LabelSelector::parse(args.live.connect.selector.as_deref().unwrap_or(""))?;
        Ok((o, selector, args.live.connect.retry()?))
    });
    let (plan_options, selector, retry) = match prepared {
        Ok(p) => p,
        Err(e) => return fail(err, exit::INVALID, e),
    };
    let runtime = match runtime() {
        Ok(rt) => rt,
        Err(e) => return fail(err, exit::RUNTIME, e),
    };
    runtime.block_on(async {
        let cluster = match args.live.connect.connect(retry).await {
            Ok(c) => c,
            Err(e) => return fail(err, exit::RUNTIME, e),
        };
        let route = match args.live.connect.sidecar_route(&cluster, retry) {
            Ok(r) => r,
            Err(e) => return fail(err, exit::INVALID, e),
        };
        let sidecars = match args.sidecar {
            None | Some(SidecarBehaviour::Live) if args.sidecar_script.is_none() => {
                SidecarSource::Live(route.clone())
            }
            _ => SidecarSource::Model,
        };
        let scope = args.live.connect.scope(&cluster);
        let request = LiveRequest {
            scope: scope.clone(),
            selector,
            names: args.names.clone(),
            overlay,
            options: plan_options,
            sidecars,
        };
        let live = match crate::live::plan(&cluster, request).await {
            Ok(p) => p,
            Err(e) => return fail(err, exit::RUNTIME, e),
        };
        let writes = planned_writes(&live.report);
        let owned = if args.live.server_dry_run {
            server_dry_run(&cluster, &writes).await
        } else {
            predicted_only(
                &writes,
                "not dry-run on the server (--server-dry-run verifies)",
            )
        };
        let code = match render(args, &cluster, &scope, &live, &owned, out, err) {
            Ok(code) => code,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::OK,
            Err(e) => return fail(err, exit::RUNTIME, format!("writing output: {e}")),
        };
        if !apply || (code != exit::OK && code != exit::CHANGES) {
            return code;
        }
        let steps = order_steps(&writes, &live.submissions);
        if steps.is_empty() {
            let _ = writeln!(err, "nothing to apply");
            return exit::OK;
        }
        if !args.live.yes {
            match confirm(&cluster, steps.len(), err) {
                Ok(true) => {}
                Ok(false) => {
                    return fail(err, exit::RUNTIME, "apply cancelled; nothing was written")
                }
                Err(e) => return fail(err, exit::INVALID, e),
            }
        }
        let report = crate::live::apply::apply(&cluster, &route, steps).await;
        report_apply(&report, err)
    })
}

/// `nodectl apply PLAN.json`: refuses a stale plan, otherwise sends exactly its steps.
fn run_saved(args: &PlanArgs, path: &std::path::Path, err: &mut dyn Write) -> u8 {
    let saved = std::fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str::<Value>(&text).map_err(|e| e.to_string()))
        .and_then(|doc| SavedPlan::from_json(&doc));
    let saved = match saved {
        Ok(s) => s,
        Err(e) => return fail(err, exit::INVALID, format!("{}: {e}", path.display())),
    };
    let retry = match args.live.connect.retry() {
        Ok(r) => r,
        Err(e) => return fail(err, exit::INVALID, e),
    };
    let runtime = match runtime() {
        Ok(rt) => rt,
        Err(e) => return fail(err, exit::RUNTIME, e),
    };
    runtime.block_on(async {
        let cluster = match args.live.connect.connect(retry).await {
            Ok(c) => c,
            Err(e) => return fail(err, exit::RUNTIME, e),
        };
        if let Some(context) = saved.context.as_deref().filter(|c| *c != cluster.context) {
            return fail(
                err,
                exit::INVALID,
                format!("{}: the plan was made against context {context:?}, not {:?}", path.display(), cluster.context),
            );
        }
        let changed = match crate::live::saved::changed_since(&cluster, &saved.read).await {
            Ok(c) => c,
            Err(e) => return fail(err, exit::RUNTIME, e),
        };
        if !changed.is_empty() {
            for c in &changed {
                let _ = writeln!(err, "changed: {c}");
            }
            return fail(
                err,
                exit::RUNTIME,
                format!(
                    "stale plan: {} object(s) changed since {} was saved; nothing was written. Run `nodectl plan --out` again",
                    changed.len(),
                    path.display()
                ),
            );
        }
        if saved.steps.is_empty() {
            let _ = writeln!(err, "nothing to apply");
            return exit::OK;
        }
        if !args.live.yes {
            match confirm(&cluster, saved.steps.len(), err) {
                Ok(true) => {}
                Ok(false) => return fail(err, exit::RUNTIME, "apply cancelled; nothing was written"),
                Err(e) => return fail(err, exit::INVALID, e),
            }
        }
        let route = match args.live.connect.sidecar_route(&cluster, retry) {
            Ok(r) => r,
            Err(e) => return fail(err, exit::INVALID, e),
        };
        let report = crate::live::apply::apply(&cluster, &route, saved.steps.clone()).await;
        report_apply(&report, err)
    })
}

fn confirm(cluster: &Cluster, steps: usize, err: &mut dyn Write) -> Result<bool, String> {
    if !std::io::stdin().is_terminal() {
        return Err("apply needs confirmation: pass --yes when stdin is not a terminal (nothing was written)".into());
    }
    let _ = write!(
        err,
        "Send {steps} requests to context {:?}? [y/N] ",
        cluster.context
    );
    let _ = err.flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes"))
}

fn report_apply(report: &ApplyReport, err: &mut dyn Write) -> u8 {
    for (step, note) in &report.done {
        let _ = writeln!(err, "applied: {} -> {note}", step.describe());
    }
    let (conflict, step, error) = match &report.stop {
        Stop::Complete => {
            let _ = writeln!(err, "apply complete: {} requests sent", report.done.len());
            return exit::OK;
        }
        Stop::Conflict { step, error } => (true, step, error),
        Stop::Failed { step, error } => (false, step, error),
    };
    let _ = writeln!(err, "FAILED: {} -> {error}", step.describe());
    for s in &report.not_sent {
        let _ = writeln!(err, "not sent: {}", s.describe());
    }
    let hint = if conflict {
        "the cluster changed since the snapshot; nothing was retried. Re-run `nodectl apply` to plan from the current state"
    } else {
        "re-run `nodectl plan` to see the current state, then `nodectl apply`"
    };
    let _ = writeln!(
        err,
        "error: apply stopped after {} of {} requests: {hint}",
        report.done.len(),
        report.done.len() + 1 + report.not_sent.len()
    );
    exit::RUNTIME
}

fn render(
    args: &PlanArgs,
    cluster: &Cluster,
    scope: &Scope,
    live: &LivePlan,
    owned: &[OwnedObject],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<u8> {
    let saved = SavedPlan {
        context: Some(cluster.context.clone()),
        read: live.objects.iter().map(ReadObject::of).collect(),
        steps: order_steps(&planned_writes(&live.report), &live.submissions),
    };
    let scope_text = match scope {
        Scope::Namespace(ns) => format!("namespace {ns}"),
        Scope::AllNamespaces => "all namespaces".into(),
    };
    if args.output == PlanFormat::Json {
        if let Err(code) = super::plan::write_saved(args, &saved, err) {
            return Ok(code);
        }
        let mut doc = live.report.to_json();
        doc["live"] = json!({
            "context": cluster.context,
            "scope": scope_text,
            "objectsRead": live.objects.len(),
            "apiRequests": live.api_requests,
            "sidecarRequests": live.sidecar_requests,
            "sidecarProblems": live.sidecar_problems,
            "simulatedSubmissions": live.submissions.len(),
            "ownedObjects": owned.iter().map(owned_json).collect::<Vec<Value>>(),
        });
        serde_json::to_writer_pretty(&mut *out, &doc)?;
        writeln!(out)?;
        let changes = Summary::of(&live.report, &[]).has_changes();
        return Ok(if args.detailed_exitcode && changes {
            exit::CHANGES
        } else {
            exit::OK
        });
    }
    writeln!(
        out,
        "Live snapshot: context {:?}, {scope_text}: {} objects in {} API requests; {} sidecar reads.",
        cluster.context,
        live.objects.len(),
        live.api_requests,
        live.sidecar_requests
    )?;
    for p in &live.sidecar_problems {
        writeln!(out, "warning: sidecar read failed: {p}")?;
    }
    let code = super::plan::finish(args, &live.report, &saved, out, err);
    if !live.submissions.is_empty() {
        writeln!(
            out,
            "\n{} sidecar task submissions were simulated as accepted (not sent; `apply` sends them).",
            live.submissions.len()
        )?;
    }
    if !owned.is_empty() {
        writeln!(out, "\nFidelity of owned objects:")?;
        for o in owned {
            let (mark, detail) = match &o.fidelity {
                Fidelity::Verified { stored } => {
                    ("verified ", server_diff(o.predicted.as_ref(), stored))
                }
                Fidelity::Predicted { reason } => ("predicted", reason.clone()),
            };
            writeln!(
                out,
                "  {mark} {} {}/{}: {detail}",
                o.kind, o.namespace, o.name
            )?;
        }
    }
    Ok(code)
}

/// A short account of where the server's dry-run result differs from the prediction.
fn server_diff(predicted: Option<&Value>, stored: &Value) -> String {
    let Some(predicted) = predicted else {
        return "server dry run".into();
    };
    let strip = |v: &Value| {
        let mut v = v.clone();
        if let Some(m) = v.get_mut("metadata").and_then(Value::as_object_mut) {
            for k in [
                "resourceVersion",
                "uid",
                "creationTimestamp",
                "generation",
                "managedFields",
            ] {
                m.remove(k);
            }
        }
        serde_json::to_string_pretty(&v).unwrap_or_default()
    };
    let (a, b) = (strip(predicted), strip(stored));
    if a == b {
        return "server dry run matches the prediction".into();
    }
    let diff = similar::TextDiff::from_lines(&a, &b);
    let text = diff
        .unified_diff()
        .context_radius(1)
        .header("predicted", "server")
        .to_string();
    format!("server dry run differs from the prediction:\n{text}")
}

fn owned_json(o: &OwnedObject) -> Value {
    let (fidelity, detail) = match &o.fidelity {
        Fidelity::Verified { stored } => ("verified", json!({"serverObject": stored})),
        Fidelity::Predicted { reason } => ("predicted", json!({"reason": reason})),
    };
    let mut v =
        json!({"kind": o.kind, "namespace": o.namespace, "name": o.name, "fidelity": fidelity});
    if let (Some(m), Some(d)) = (v.as_object_mut(), detail.as_object()) {
        m.extend(d.clone());
    }
    v
}
