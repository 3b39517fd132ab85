//! `nodectl explain seinode/NAME` / `snd/NAME` against a live cluster: the snapshot
//! (GETs only), the explain core on it, and the real sidecar's view of the current
//! task next to the controller's.

use std::collections::BTreeMap;
use std::io::Write;

use serde_json::json;

use super::args::runtime;
use super::error::{fail, CliError, Done};
use super::explain::{options, render, ExplainArgs, ExplainFormat};
use super::plan::SidecarBehaviour;
use crate::engine::world::Origin;
use crate::explain::{explain, ExplainOptions, SidecarTaskAnswer, SidecarView};
use crate::live::explain::LiveExplainInput;
use crate::live::{LabelSelector, Scope};
use crate::sidecar::model::{SidecarScript, TaskScript};

/// Runs `explain` on a cluster target.
pub fn run(args: &ExplainArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let Some(name) = args.object.as_ref().or(args.target.as_ref()) else {
        return fail(
            err,
            CliError::Invalid,
            "explain needs a target: `nodectl explain seinode/NAME` (or snd/NAME) on a cluster, or -f FILE",
        );
    };
    if !args.missing_kinds.is_empty() {
        return fail(
            err,
            CliError::Invalid,
            super::world_flags::MISSING_KIND_ON_A_CLUSTER,
        );
    }
    // Flag problems are reported before connecting.
    let prepared = options(args, &[]).and_then(|o| {
        args.connect.check_names(std::slice::from_ref(name), &[])?;
        let selector = LabelSelector::parse(args.connect.selector.as_deref().unwrap_or(""))?;
        Ok((o, selector, args.connect.retry()?))
    });
    let (base, selector, retry) = match prepared {
        Ok(p) => p,
        Err(e) => return fail(err, CliError::Invalid, e),
    };
    let runtime = match runtime() {
        Ok(rt) => rt,
        Err(e) => return fail(err, CliError::Runtime, e),
    };
    let read = runtime.block_on(async {
        let cluster = args.connect.connect(retry).await?;
        let route = args.connect.sidecar_route(&cluster, retry)?;
        let scope = args.connect.checked_scope(&cluster)?;
        let now = base.world.clock.now();
        let input =
            crate::live::explain::read(&cluster, &route, &scope, &selector, name, now).await?;
        Ok::<_, String>((cluster.context.clone(), scope, input))
    });
    let (context, scope, input) = match read {
        Ok(r) => r,
        Err(e) => return fail(err, CliError::Runtime, e),
    };
    let options = match live_options(args, &input) {
        Ok(o) => o,
        Err(e) => return fail(err, CliError::Invalid, e),
    };
    let mut explanation = match explain(&input.objects, &input.target, &options) {
        Ok(e) => e,
        Err(e) => return fail(err, CliError::Runtime, e),
    };
    explanation.sidecar_view = Some(input.sidecar_view.clone());
    let scope_text = match &scope {
        Scope::Namespace(ns) => format!("namespace {ns}"),
        Scope::AllNamespaces => "all namespaces".into(),
    };
    let written = match args.output {
        ExplainFormat::Json => {
            let mut doc = explanation.to_json();
            doc["live"] = json!({
                "context": context,
                "scope": scope_text,
                "objectsRead": input.objects.len(),
                "apiRequests": input.api_requests,
                "sidecarRequests": input.sidecar_requests,
            });
            serde_json::to_writer_pretty(&mut *out, &doc)
                .map_err(std::io::Error::from)
                .and_then(|_| writeln!(out))
        }
        ExplainFormat::Text | ExplainFormat::Markdown => {
            let emphasis = if args.output == ExplainFormat::Markdown {
                "_"
            } else {
                ""
            };
            writeln!(
                out,
                "{emphasis}Live snapshot: context {context:?}, {scope_text}: {} objects in {} API requests; {} sidecar reads.{emphasis}\n",
                input.objects.len(),
                input.api_requests,
                input.sidecar_requests
            )
            .and_then(|_| render(&explanation, args.output, out))
        }
    };
    match written {
        Ok(()) => Done::Ok.exit_code(),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Done::Ok.exit_code(),
        Err(e) => fail(err, CliError::Runtime, format!("writing output: {e}")),
    }
}

/// The explain options for the snapshot: served kinds from discovery and, unless
/// `--sidecar`/`--sidecar-script` says otherwise, the live answer for the current task.
fn live_options(args: &ExplainArgs, input: &LiveExplainInput) -> Result<ExplainOptions, String> {
    let mut options = options(args, &input.objects)?;
    options.origin = Origin::Cluster;
    let world = &mut options.world;
    world
        .served_kinds
        .extend(input.served_optional.iter().cloned());
    world.served_kinds.sort();
    world.served_kinds.dedup();
    let live = matches!(args.sidecar, None | Some(SidecarBehaviour::Live))
        && args.sidecar_script.is_none();
    if live {
        if let Some((script, label)) = live_script(&input.sidecar_view) {
            world.sidecar = script;
            options.sidecar_label = Some(label);
        }
    }
    Ok(options)
}

/// A sidecar script answering the current task as the real sidecar did (others: running).
fn live_script(view: &SidecarView) -> Option<(SidecarScript, String)> {
    let answer = view.sidecar.as_ref()?;
    let mut script = SidecarScript::uniform("running");
    let label = match answer.script_status() {
        Some((status, error)) => {
            script.tasks.insert(
                view.task_type.clone(),
                TaskScript::Detailed {
                    status: status.to_string(),
                    error,
                    sequence: Vec::new(),
                },
            );
            format!(
                "{} answers {} as the live sidecar did; other tasks report running",
                view.task_type,
                answer.label()
            )
        }
        None => {
            let text = match answer {
                SidecarTaskAnswer::Unreachable(e) | SidecarTaskAnswer::Error(e) => e.clone(),
                _ => String::new(),
            };
            script.submit_errors = Some(BTreeMap::from([(view.task_type.clone(), text)]));
            format!(
                "{} cannot be submitted (the live sidecar is {}); other tasks report running",
                view.task_type,
                answer.label()
            )
        }
    };
    Some((script, label))
}
