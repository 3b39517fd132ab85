//! `nodectl plan -f HEAD --base BASE` (or `--base-git REV`): what the head manifests do to
//! the fleet the base manifests describe, once it runs at rest. Reads both sides (files or
//! git), settles the base, applies the head and plans the change (`crate::base`), then
//! renders only what differs (`crate::render::base_text`).

use std::io::Write;

use super::error::{fail, CliError, Done};
use super::input::Input;
use super::plan::{file_targets, options, PlanArgs, PlanFormat};
use super::plan_input::{check_loads, read_checked};
use crate::base::{plan_change, settle_base, BaseError};
use crate::engine::plan::targets_of;
use crate::render::base_impact::changes;
use crate::render::base_text;
use crate::render::plan_text::Style;

/// The base, checked as `plan` checks its input (`--validate`): from the `--base` paths, or
/// the `-f` paths at the `--base-git` revision. `Err` is the exit code (the reason is on `err`).
fn read_base(args: &PlanArgs, err: &mut dyn Write) -> Result<Input, u8> {
    match &args.base.base_git {
        Some(rev) => match super::base_git::read_loads(rev, &args.files, args.recursive) {
            Ok(loads) => check_loads(loads, args.validate, err),
            Err(e) => Err(fail(err, CliError::Invalid, e)),
        },
        None => read_checked(&args.base.base, args.recursive, args.validate, err),
    }
}

/// Runs `plan --base`; returns the exit code.
pub fn run(args: &PlanArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    if args.files.is_empty() {
        return fail(
            err,
            CliError::Invalid,
            "--base and --base-git need the head manifests: -f FILE|DIR",
        );
    }
    if args.live.wants_cluster(args) {
        return fail(
            err,
            CliError::Invalid,
            "--base plans files without a cluster: give no --kubeconfig, --context or --apply",
        );
    }
    if args.out_file.is_some() {
        return fail(
            err,
            CliError::Invalid,
            "--out saves a plan to apply on a cluster; it cannot be combined with --base",
        );
    }
    let base = match read_base(args, err) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let head = match read_checked(&args.files, args.recursive, args.validate, err) {
        Ok(i) => i,
        Err(code) => return code,
    };
    let targets = match file_targets(args, &head.objects) {
        Ok(t) => t,
        Err(e) => return fail(err, CliError::Invalid, e),
    };
    if targets_of(&head.objects).is_empty() && targets_of(&base.objects).is_empty() {
        return fail(
            err,
            CliError::Invalid,
            "neither the head nor the base holds a SeiNode or SeiNodeDeployment to plan",
        );
    }
    let (base, head) = (base.into_values(), head.into_values());
    let both: Vec<serde_json::Value> = base.iter().chain(&head).cloned().collect();
    let options = match options(args, &both) {
        Ok(o) => o,
        Err(e) => return fail(err, CliError::Invalid, e),
    };
    let ignore = match args.view.ignore() {
        Ok(i) => i,
        Err(e) => return fail(err, CliError::Invalid, e),
    };
    let planned = settle_base(&base, &options).and_then(|settled| {
        plan_change(
            settled,
            &base,
            &head,
            &targets,
            &options,
            !args.base.no_prune,
        )
    });
    let plan = match planned {
        Ok(p) => p,
        Err(e @ BaseError::Load(_)) => return fail(err, CliError::Invalid, e),
        Err(e) => return fail(err, CliError::Runtime, e),
    };
    let c = changes(&plan, &ignore);
    let view = |style| args.view.view(style, &ignore, false);
    let written = match args.view.output {
        PlanFormat::Json => serde_json::to_writer_pretty(&mut *out, &base_text::to_json(&c))
            .map_err(std::io::Error::from)
            .and_then(|_| writeln!(out)),
        PlanFormat::Yaml => serde_saphyr::to_string(&base_text::to_json(&c))
            .map_err(|e| std::io::Error::other(e.to_string()))
            .and_then(|text| out.write_all(text.as_bytes())),
        PlanFormat::Text => base_text::write(out, &c, &view(Style::Text)),
        PlanFormat::Markdown => base_text::write(out, &c, &view(Style::Markdown)),
    };
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return fail(err, CliError::Runtime, format!("writing output: {e}"));
        }
    }
    let unsettled: Vec<String> = plan
        .report
        .targets
        .iter()
        .filter_map(|t| {
            t.verdict
                .as_ref()
                .filter(|v| !v.is_settled())
                .map(|v| format!("{}: {v}", t.target))
        })
        .collect();
    if !unsettled.is_empty() {
        for line in &unsettled {
            let _ = writeln!(err, "error: {line}");
        }
        return Done::Problems.exit_code();
    }
    if args.detailed_exitcode && c.summary.has_changes() {
        Done::Changes.exit_code()
    } else {
        Done::Ok.exit_code()
    }
}
