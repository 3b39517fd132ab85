//! `plan` against a live cluster and `apply`: rendering of the snapshot, fidelity
//! and apply reports (the connection flags are in `args`). Only GETs are sent
//! unless `--apply` (or `--server-dry-run`) is given.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::mpsc;

use serde_json::{json, Value};

use super::args::runtime;
use super::error::{fail, CliError, Done};
use super::plan::Verdict;
use super::plan::{options, plan_renderer, PlanArgs, PlanFormat, SidecarBehaviour};
use super::plan_input::read_checked;
use crate::engine::plan::{PlanReport, TargetReport};
use crate::live::apply::{order_steps, ApplyReport, Stop};
use crate::live::authority::{self, Refusal, Role};
use crate::live::fidelity::{predicted_only, server_dry_run, Fidelity, OwnedObject};
use crate::live::saved::{ClusterIdentity, ReadObject, SavedPlan, SavedTarget};
use crate::live::{
    in_run_order, planned_writes, writes_of, Cluster, LabelSelector, LivePlan, LiveRequest, Scope,
    SidecarSource,
};
use crate::render::plan_stream::{Pipeline, Render, Rendered};
use crate::world::WriteRecord;

/// Runs `plan` on a cluster, and sends the writes with `--apply` (what `nodectl apply`
/// becomes, [`super::apply::ApplyArgs::plan`]).
pub fn run(args: &PlanArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let apply = args.live.apply;
    if let [name] = args.names.as_slice() {
        if apply && name.ends_with(".json") {
            return run_saved(args, &PathBuf::from(name), err);
        }
    }
    if !args.missing_kinds.is_empty() {
        return fail(
            err,
            CliError::Invalid,
            super::world_flags::MISSING_KIND_ON_A_CLUSTER,
        );
    }
    if apply && !args.files.is_empty() {
        return fail(
            err,
            CliError::Invalid,
            "apply takes no -f: apply the manifests with kubectl first, then run nodectl apply",
        );
    }
    let overlay = match read_checked(&args.files, args.recursive, args.validate, err) {
        Ok(input) => input.into_values(),
        Err(code) => return code,
    };
    let names = args.target_names();
    let prepared = options(args, &overlay).and_then(|o| {
        args.live.connect.check_names(&names, &overlay)?;
        let selector = LabelSelector::parse(args.live.connect.selector.as_deref().unwrap_or(""))?;
        Ok((o, selector, args.live.connect.retry()?))
    });
    let (plan_options, selector, retry) = match prepared {
        Ok(p) => p,
        Err(e) => return fail(err, CliError::Invalid, e),
    };
    let render = match plan_renderer(args, apply, err) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let runtime = match runtime() {
        Ok(rt) => rt,
        Err(e) => return fail(err, CliError::Runtime, e),
    };
    runtime.block_on(async {
        let cluster = match args.live.connect.connect(retry).await {
            Ok(c) => c,
            Err(e) => return fail(err, CliError::Runtime, e),
        };
        let route = match args.live.connect.sidecar_route(&cluster, retry) {
            Ok(r) => r,
            Err(e) => return fail(err, CliError::Invalid, e),
        };
        let sidecars = match args.sidecar {
            None | Some(SidecarBehaviour::Live) if args.sidecar_script.is_none() => {
                SidecarSource::Live(route.clone())
            }
            _ => SidecarSource::Model,
        };
        let scope = match args.live.connect.checked_scope(&cluster) {
            Ok(s) => s,
            Err(e) => return fail(err, CliError::Invalid, e),
        };
        // YAML is written from the whole report; every other output is rendered target by
        // target while the next ones are reconciled.
        let (reports, streaming) = match args.view.output {
            PlanFormat::Yaml => (None, None),
            _ => {
                let (to, from) = std::sync::mpsc::channel();
                (Some(to), Some(render_as_planned(render, from)))
            }
        };
        let request = LiveRequest {
            scope: scope.clone(),
            selector,
            names,
            overlay,
            options: plan_options,
            sidecars,
            reports,
        };
        let planned = crate::live::plan(&cluster, request).await;
        // Every sender is gone with the run: the renderer has all it will get.
        let streamed = streaming.map(|s| s.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        let live = match planned {
            Ok(Some(p)) => p,
            Ok(None) => return super::args::no_resources_found(&scope, err),
            Err(e) => return fail(err, CliError::Runtime, e),
        };
        let planned = match streamed {
            Some(streamed) => streamed,
            None => Streamed::of_report(&live.report),
        };
        // The process ends with this command: the world, the traces and the writes are not
        // freed object by object (for a fleet that costs more than the exit does).
        let live = std::mem::ManuallyDrop::new(live);
        let mut planned = std::mem::ManuallyDrop::new(planned);
        let rendered = planned.rendered.take();
        let writes = &planned.writes;
        let owned = if args.live.server_dry_run {
            server_dry_run(&cluster, writes).await
        } else {
            predicted_only(
                writes,
                "not dry-run on the server (--server-dry-run verifies)",
            )
        };
        let verdict = match render_plan(
            args, apply, &cluster, &scope, &live, &planned, rendered, &owned, out, err,
        ) {
            Ok(Ok(verdict)) => verdict,
            Ok(Err(code)) => return code,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Done::Ok.exit_code(),
            Err(e) => return fail(err, CliError::Runtime, format!("writing output: {e}")),
        };
        // A write the model predicts to fail is still one the operator sends (and a re-run
        // after a partial apply must converge), so apply goes on past predicted problems;
        // it stops only when the plan itself could not be made or did not settle.
        let sendable = match verdict.done {
            Done::Ok | Done::Changes => true,
            Done::Problems => apply && verdict.settled,
        };
        if !apply || !sendable {
            return verdict.done.exit_code();
        }
        let steps = order_steps(writes, &live.submissions);
        if steps.is_empty() {
            let _ = writeln!(err, "nothing to apply");
            return Done::Ok.exit_code();
        }
        if !args.live.confirm.yes {
            match confirm(&cluster, steps.len(), err) {
                Ok(true) => {}
                Ok(false) => {
                    return fail(
                        err,
                        CliError::Runtime,
                        "apply cancelled; nothing was written",
                    )
                }
                Err(e) => return fail(err, CliError::Invalid, e),
            }
        }
        let report = crate::live::apply::apply(&cluster, &route, steps).await;
        report_apply(&report, err)
    })
}

/// `nodectl apply PLAN.json`: sends exactly its steps, after checking that the file is
/// the one `plan --out` wrote, that every step is a write the operator itself may make
/// for the plan's targets, that this is the cluster it was planned against, and that
/// nothing it read or writes changed since. Every refusal names the reason; nothing is
/// sent but the LISTs of the check.
fn run_saved(args: &PlanArgs, path: &std::path::Path, err: &mut dyn Write) -> u8 {
    if !args.files.is_empty() {
        return fail(
            err,
            CliError::Invalid,
            format!(
                "apply {} takes no -f: a saved plan sends exactly its own steps; nothing was written",
                path.display()
            ),
        );
    }
    let refuse = |err: &mut dyn Write, kind: fn(String) -> CliError, e: &dyn std::fmt::Display| {
        fail(
            err,
            kind,
            format!("{}: {e}; nothing was written", path.display()),
        )
    };
    let saved = match std::fs::read_to_string(path) {
        Ok(text) => SavedPlan::parse(&text).map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    let saved = match saved {
        Ok(s) => s,
        Err(e) => return refuse(err, CliError::Refused, &e),
    };
    if let Err(e) = authority::check_plan(&saved, &Role::operator()) {
        return refuse(err, CliError::Refused, &e);
    }
    let retry = match args.live.connect.retry() {
        Ok(r) => r,
        Err(e) => return fail(err, CliError::Invalid, e),
    };
    let runtime = match runtime() {
        Ok(rt) => rt,
        Err(e) => return fail(err, CliError::Runtime, e),
    };
    runtime.block_on(async {
        let cluster = match args.live.connect.connect(retry).await {
            Ok(c) => c,
            Err(e) => return fail(err, CliError::Runtime, e),
        };
        if let Some(planned) = saved.cluster.as_ref().filter(|c| **c != *cluster.identity) {
            let e = Refusal::Cluster {
                saved: planned.describe(),
                now: cluster.identity.describe(),
            };
            return refuse(err, CliError::Refused, &e);
        }
        let live = match authority::read_live(&cluster, &saved).await {
            Ok(l) => l,
            Err(e) => return fail(err, CliError::Runtime, e),
        };
        let changed = authority::changed_since(&saved, &live);
        if !changed.is_empty() {
            for c in &changed {
                let _ = writeln!(err, "changed: {c}");
            }
            // A refusal like every other check of a saved plan: exit 2, nothing sent.
            return fail(
                err,
                CliError::Refused,
                format!(
                    "stale plan: {} object(s) changed since {} was saved; nothing was written. Run `nodectl plan --out` again",
                    changed.len(),
                    path.display()
                ),
            );
        }
        if let Err(e) = authority::check_owners(&saved, &live) {
            return refuse(err, CliError::Refused, &e);
        }
        if saved.steps.is_empty() {
            let _ = writeln!(err, "nothing to apply");
            return Done::Ok.exit_code();
        }
        if !args.live.confirm.yes {
            match confirm(&cluster, saved.steps.len(), err) {
                Ok(true) => {}
                Ok(false) => return fail(err, CliError::Runtime, "apply cancelled; nothing was written"),
                Err(e) => return fail(err, CliError::Invalid, e),
            }
        }
        let route = match args.live.connect.sidecar_route(&cluster, retry) {
            Ok(r) => r,
            Err(e) => return fail(err, CliError::Invalid, e),
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

/// The apply report: every step sent with its outcome, the one it stopped at, every step
/// not sent, and the requests counted as the cluster saw them.
fn report_apply(report: &ApplyReport, err: &mut dyn Write) -> u8 {
    for (step, note) in &report.done {
        let _ = writeln!(err, "applied: {} -> {note}", step.describe());
    }
    let sent = format!(
        "{} requests sent, {} retried, {} read back",
        report.requests,
        report.retries(),
        report.read_backs
    );
    let (code, step, error) = match &report.stop {
        Stop::Complete => {
            let _ = writeln!(
                err,
                "apply complete: {} steps applied ({sent})",
                report.done.len()
            );
            return Done::Ok.exit_code();
        }
        Stop::Conflict { step, error } | Stop::Failed { step, error } => {
            (CliError::Runtime(String::new()), Some(step), error)
        }
        Stop::Interrupted { step, error } => (CliError::Interrupted, step.as_ref(), error),
    };
    match step {
        Some(step) if matches!(code, CliError::Runtime(_)) => {
            let _ = writeln!(err, "FAILED: {} -> {error}", step.describe());
        }
        Some(step) => {
            let _ = writeln!(err, "INTERRUPTED: {} -> {error}", step.describe());
        }
        None => {}
    }
    for s in &report.not_sent {
        let _ = writeln!(err, "not sent: {}", s.describe());
    }
    let hint = match &report.stop {
        Stop::Conflict { .. } if report.stop_attempts > 1 => format!(
            "the cluster changed since the snapshot; the 409 answered attempt {} of this request (the earlier ones had not landed) and was not retried. Re-run `nodectl apply` to plan from the current state",
            report.stop_attempts
        ),
        Stop::Conflict { .. } => "the cluster changed since the snapshot; nothing was retried. Re-run `nodectl apply` to plan from the current state".into(),
        Stop::Interrupted { .. } => "interrupted; re-run `nodectl apply` to finish from the current state".into(),
        _ => "re-run `nodectl plan` to see the current state, then `nodectl apply`".into(),
    };
    let total = report.done.len() + usize::from(step.is_some()) + report.not_sent.len();
    let _ = writeln!(
        err,
        "error: apply stopped after {} of {total} steps ({sent}): {hint}",
        report.done.len(),
    );
    code.exit_code()
}

/// What the CLI keeps of a live plan's targets: their writes in run order and the saved
/// plan's targets, and, unless YAML renders the whole report, each target rendered.
struct Streamed {
    writes: Vec<WriteRecord>,
    targets: Vec<SavedTarget>,
    rendered: Option<RenderedTargets>,
}

/// Targets rendered as they were planned, with their renderer.
type RenderedTargets = (Render, Vec<Rendered>);

impl Streamed {
    /// From a report that kept its targets (YAML).
    fn of_report(report: &PlanReport) -> Self {
        Streamed {
            writes: planned_writes(report),
            targets: SavedTarget::all_of(report),
            rendered: None,
        }
    }
}

/// Renders the reports the engine sends, on the rayon pool while it reconciles the next
/// targets, keeping of each report only its rendering, its writes and its target.
fn render_as_planned(
    render: Render,
    reports: mpsc::Receiver<TargetReport>,
) -> std::thread::JoinHandle<Streamed> {
    std::thread::spawn(move || {
        let (mut writes, mut targets, mut rendered) = (Vec::new(), Vec::new(), Vec::new());
        rayon::in_place_scope(|scope| {
            let mut pipeline = Pipeline::new(scope, &render);
            for report in reports {
                targets.push(SavedTarget::of(&report.target));
                writes.extend(writes_of(&report));
                pipeline.push(report, &mut |r| rendered.push(r));
            }
            pipeline.finish(&mut |r| rendered.push(r));
        });
        Streamed {
            writes: in_run_order(writes),
            targets: SavedTarget::sorted(targets),
            rendered: Some((render, rendered)),
        }
    })
}

/// Renders a live plan: the saved plan (`--out`), then the plan with the snapshot it was
/// made from and the fidelity of its owned objects.
#[allow(clippy::too_many_arguments)]
fn render_plan(
    args: &PlanArgs,
    apply: bool,
    cluster: &Cluster,
    scope: &Scope,
    live: &LivePlan,
    planned: &Streamed,
    rendered: Option<RenderedTargets>,
    owned: &[OwnedObject],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> std::io::Result<Result<Verdict, u8>> {
    // Built only to be saved (`--out`): every write of the plan is copied into it.
    let saved = args.out_file.as_ref().map(|_| SavedPlan {
        cluster: Some(ClusterIdentity::clone(&cluster.identity)),
        targets: planned.targets.clone(),
        read: live.objects.iter().map(ReadObject::of).collect(),
        steps: order_steps(&planned.writes, &live.submissions),
    });
    let scope_text = match scope {
        Scope::Namespace(ns) => format!("namespace {ns}"),
        Scope::AllNamespaces => "all namespaces".into(),
    };
    let end = (
        live.report.now.as_str(),
        live.report.final_objects.as_slice(),
    );
    let finish =
        |live_member: Option<Value>, out: &mut dyn Write, err: &mut dyn Write| match rendered {
            Some((render, rendered)) => super::plan::finish_rendered(
                args,
                &render,
                saved.as_ref(),
                rendered,
                end,
                live_member,
                out,
                err,
            ),
            None => super::plan::finish(
                args,
                &live.report,
                saved.as_ref(),
                apply,
                live_member,
                out,
                err,
            ),
        };
    if args.view.output == PlanFormat::Json {
        // The plan document, then the snapshot and the fidelity of owned objects as its
        // last member.
        let live_member = json!({
            "context": cluster.context,
            "scope": scope_text,
            "objectsRead": live.objects.len(),
            "apiRequests": live.api_requests,
            "sidecarRequests": live.sidecar_requests,
            "sidecarProblems": live.sidecar_problems,
            "simulatedSubmissions": live.submissions.len(),
            "ownedObjects": owned.iter().map(owned_json).collect::<Vec<Value>>(),
        });
        return Ok(finish(Some(live_member), out, err));
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
    let verdict = finish(None, out, err);
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
                    ("verified ", server_diff(o.predicted.as_deref(), stored))
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
    Ok(verdict)
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
