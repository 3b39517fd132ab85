//! `nodectl plan -f FILE|DIR|-`: reconcile the SeiNodes and SeiNodeDeployments of
//! the input once (or N times) against a world made of every input object, and
//! show what the operator would write. Nothing is written anywhere.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::args::{no_resources_found, ConfirmArgs, ConnectArgs, DnsArgs, ViewArgs, WorldArgs};
pub use super::args::{DnsBehaviour, PlanFormat};
use super::error::{fail, CliError, Done};
use super::plan_input::{read_checked, ValidateMode};
use super::world_flags;
use rayon::prelude::*;

use crate::engine::plan::{
    build_env, listed_kinds, plan, plan_each, targets_of, PlanOptions, TargetRef,
};
use crate::engine::world::releasing;
use crate::env::Dns;
use crate::live::apply::Step;
use crate::live::authority::{check_plan, Role};
use crate::live::saved::{ReadObject, SavedPlan, SavedTarget};
use crate::render::plan_json;
use crate::render::plan_stream::{Format, Pipeline, PlanWriter, Render, Rendered, Tally};
use crate::render::plan_text::Style;
use crate::sidecar::model::PodSidecarScript;
use crate::world::compact::{InputObject, Manifest, StoredObject};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SidecarBehaviour {
    /// Tasks are accepted and still running (what one real reconcile sees).
    Running,
    /// Every task completes (and Jobs the plan creates run to completion).
    Completed,
    /// Every task fails.
    Failed,
    /// The scripted model with its defaults (tasks keep running); live mode only.
    Model,
    /// Ask the real sidecars, read-only (the default in live mode).
    Live,
}

impl SidecarBehaviour {
    /// What every task answers in the scripted model (`live` falls back to `running`
    /// where no real sidecar is asked).
    pub fn model_status(self) -> &'static str {
        match self {
            SidecarBehaviour::Running | SidecarBehaviour::Model | SidecarBehaviour::Live => {
                "running"
            }
            SidecarBehaviour::Completed => "completed",
            SidecarBehaviour::Failed => "failed",
        }
    }
}

#[derive(Debug, Args)]
#[command(after_help = super::args::FILE_OR_CLUSTER)]
pub struct PlanArgs {
    /// Objects to plan: `seinode/NAME`, `snd/NAME`, `KIND/NS/NAME` (default: all in scope), from the -f files or the cluster.
    #[arg(value_name = "KIND/NAME")]
    pub names: Vec<String>,
    /// Manifest file, directory or `-` for stdin (repeatable); with a cluster, put over the live objects.
    #[arg(short = 'f', long = "filename", value_name = "FILE|DIR|-")]
    pub files: Vec<PathBuf>,
    /// Recurse into directories.
    #[arg(short = 'R', long)]
    pub recursive: bool,
    /// How the input is checked before planning, as `nodectl validate` checks it (kubectl's
    /// names): `strict` stops on any error with exit 2, `warn` prints the diagnostics and plans
    /// anyway, `ignore` skips the checks.
    #[arg(long, value_enum, value_name = "MODE", default_value_t = ValidateMode::Strict)]
    pub validate: ValidateMode,
    /// Only reconcile these objects (the same as the positional KIND/NAME arguments).
    #[arg(long = "target", value_name = "KIND/NAME")]
    pub targets: Vec<String>,
    #[command(flatten)]
    pub view: ViewArgs,
    #[command(flatten)]
    pub world: WorldArgs,
    #[command(flatten)]
    pub dns: DnsArgs,
    /// How node sidecars answer task polls (default: `running`; on a cluster: `live`).
    #[arg(long, value_enum, conflicts_with = "sidecar_script")]
    pub sidecar: Option<SidecarBehaviour>,
    /// A sidecar script (the `sidecar` section format of the parity fixtures; YAML or JSON).
    #[arg(long, value_name = "FILE")]
    pub sidecar_script: Option<PathBuf>,
    /// Number of reconciles of each target, one after the other.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub reconciles: usize,
    /// Serve a kind, `group/version/Kind` (kinds present in the input are served; with files,
    /// the optional HTTPRoute and ServiceMonitor are served too unless --missing-kind).
    #[arg(long = "served-kind", value_name = "GVK")]
    pub served_kinds: Vec<String>,
    /// With files: model a cluster without this optional kind (its CRD not installed), e.g.
    /// `gateway.networking.k8s.io/v1/HTTPRoute` or `monitoring.coreos.com/v1/ServiceMonitor`
    /// (repeatable). On a cluster, discovery decides.
    #[arg(long = "missing-kind", value_name = "GVK")]
    pub missing_kinds: Vec<String>,
    /// Exit 0 when nothing would change and 3 when changes are pending.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Also plan every SeiNode a SeiNodeDeployment creates: the whole tree a manifest turns into.
    #[arg(long)]
    pub cascade: bool,
    /// Keep reconciling until each target settles (no writes, steady requeue), stalls or loops.
    #[arg(long)]
    pub until_settled: bool,
    /// The reconcile limit for --until-settled.
    #[arg(
        long,
        default_value_t = 50,
        value_name = "N",
        requires = "until_settled"
    )]
    pub max_reconciles: usize,
    /// Save the plan (writes, sidecar submissions, and the resourceVersion of every object read) to FILE.
    #[arg(long = "out", value_name = "FILE")]
    pub out_file: Option<PathBuf>,
    #[command(flatten)]
    pub live: LiveArgs,
    #[command(flatten)]
    pub base: super::args::BaseArgs,
}

impl PlanArgs {
    /// `plan` with no arguments: every flag at the default its definition gives.
    pub fn defaults() -> Self {
        let command = <Self as Args>::augment_args(clap::Command::new("plan"));
        let matches = command.get_matches_from(["plan"]);
        <Self as clap::FromArgMatches>::from_arg_matches(&matches)
            .expect("plan takes no required argument")
    }

    /// The targets named on the command line: the positional KIND/NAMEs, then `--target`s.
    pub fn target_names(&self) -> Vec<String> {
        self.names.iter().chain(&self.targets).cloned().collect()
    }
}

/// Connection and apply flags.
#[derive(Debug, Args, Default)]
pub struct LiveArgs {
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// Verify owned objects with a server-side dry run (needs the write verbs; nothing is stored).
    #[arg(long)]
    pub server_dry_run: bool,
    /// Send the writes after planning (same as `nodectl apply`).
    #[arg(long)]
    pub apply: bool,
    #[command(flatten)]
    pub confirm: ConfirmArgs,
}

impl LiveArgs {
    /// Cluster mode: no `-f`, `--apply`, or a cluster named with `--kubeconfig` or
    /// `--context` (the files are then put over its objects). `-n`, `-l` and targets never
    /// switch: with `-f` they choose among the files' objects.
    pub fn wants_cluster(&self, args: &PlanArgs) -> bool {
        args.files.is_empty() || self.apply || self.connect.kube.any()
    }
}

/// Builds the plan options from the flags.
pub(super) fn options(
    args: &PlanArgs,
    objects: &[impl InputObject],
) -> Result<PlanOptions, String> {
    if args.sidecar == Some(SidecarBehaviour::Live) && args.sidecar_script.is_none() {
        return Err("--sidecar live needs a cluster (give no -f, or name targets)".into());
    }
    let uniform = args
        .sidecar
        .map_or("running", SidecarBehaviour::model_status);
    let world = args.world.parse()?;
    let sidecar = world_flags::sidecar_script(args.sidecar_script.as_deref(), uniform)?;
    let served = world_flags::served_kinds(&args.served_kinds, objects);
    Ok(PlanOptions {
        clock: world.clock,
        seed: args.world.seed.clone(),
        sidecar,
        pod_sidecar: PodSidecarScript::default(),
        reconciles: args.reconciles.max(1),
        dns: Dns::new(args.dns.dns == DnsBehaviour::Resolvable, world.dns_hosts),
        served_kinds: served,
        platform: world.platform,
        until_settled: args.until_settled.then_some(args.max_reconciles),
        complete_jobs: args.sidecar == Some(SidecarBehaviour::Completed)
            && args.sidecar_script.is_none(),
        cascade: args.cascade,
    })
}

/// The targets of a plan of `-f` files: the positional KIND/NAMEs and `--target`s, `-n`
/// and `-l`, chosen exactly as on a cluster.
pub(super) fn file_targets(
    args: &PlanArgs,
    objects: &[impl InputObject],
) -> Result<Vec<TargetRef>, String> {
    args.live
        .connect
        .file_targets(&args.target_names(), objects)
}

/// Flags that only make sense on a cluster, refused in file mode.
fn cluster_only_flag(args: &PlanArgs) -> Option<&'static str> {
    if args.live.server_dry_run {
        Some("--server-dry-run")
    } else if args.live.connect.sidecar_url.is_some() {
        Some("--sidecar-url")
    } else {
        None
    }
}

pub fn run(args: &PlanArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    if let Some(flag) = cluster_only_flag(args) {
        return fail(
            err,
            CliError::Invalid,
            format!("{flag} needs a cluster: with -f the inputs are files (add --kubeconfig or --context to plan the files over a cluster)"),
        );
    }
    let input = match read_checked(&args.files, args.recursive, args.validate, err) {
        Ok(i) => i,
        Err(code) => return code,
    };
    if targets_of(&input.objects).is_empty() {
        return fail(
            err,
            CliError::Invalid,
            "the input holds no SeiNode or SeiNodeDeployment to plan",
        );
    }
    let targets = match file_targets(args, &input.objects) {
        Ok(t) => t,
        Err(e) => return fail(err, CliError::Invalid, e),
    };
    if targets.is_empty() {
        return no_resources_found(&args.live.connect.file_scope(), err);
    }
    let options = options(args, &input.objects).and_then(|mut o| {
        o.served_kinds =
            world_flags::file_mode_kinds(&args.served_kinds, &args.missing_kinds, &input.objects)?;
        Ok(o)
    });
    let options = match options {
        Ok(o) => o,
        Err(e) => return fail(err, CliError::Invalid, e),
    };
    if args.out_file.is_some() || args.view.output == PlanFormat::Yaml {
        // `--out` checks the whole plan, and YAML is written as one document.
        let report = match plan(&input.objects, &targets, &options) {
            Ok(r) => r,
            Err(e) => return fail(err, CliError::Runtime, e),
        };
        // Built only to be saved: every write of the plan is copied into it.
        let saved = args.out_file.as_ref().map(|_| SavedPlan {
            cluster: None,
            targets: SavedTarget::all_of(&report),
            read: input.objects.iter().map(ReadObject::of).collect(),
            steps: crate::live::planned_writes(&report)
                .into_iter()
                .map(|w| Step::Write(Box::new(w)))
                .collect(),
        });
        let code = finish(args, &report, saved.as_ref(), false, None, out, err)
            .map_or_else(|c| c, |v| v.done.exit_code());
        // The process ends here: freeing a fleet's traces object by object costs more
        // than the exit does.
        std::mem::forget((report, saved, input));
        return code;
    }
    stream(args, input.objects, &targets, &options, out, err)
        .map_or_else(|c| c, |v| v.done.exit_code())
}

/// Plans and renders target by target: each target's trace is rendered (on the rayon
/// pool, while the next ones are reconciled) and dropped. The input objects are handed to
/// the world, each dropped once it is stored.
fn stream(
    args: &PlanArgs,
    objects: Vec<Manifest>,
    targets: &[TargetRef],
    options: &PlanOptions,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Verdict, u8> {
    let render = plan_renderer(args, false, err)?;
    let listed = listed_kinds(&objects, &options.served_kinds);
    // The input objects are freed one by one as the world takes them: returned at once, as
    // while the input was read, they do not sit beside the world they became.
    let prompt = super::alloc::PromptRelease::start();
    let mut env =
        build_env(releasing(objects), options).map_err(|e| fail(err, CliError::Runtime, e))?;
    drop(prompt);
    let mut writer = PlanWriter::new(out);
    let planned = rayon::in_place_scope(|scope| {
        let mut pipeline = Pipeline::new(scope, &render);
        let planned = plan_each(&mut env, &listed, targets, options, &mut |report| {
            pipeline.push(report, &mut |r| writer.push(r))
        });
        pipeline.finish(&mut |r| writer.push(r));
        planned
    });
    // The world is not freed object by object: the process ends here.
    std::mem::forget(env);
    let end = planned.map_err(|e| fail(err, CliError::Runtime, e))?;
    let tally = written(writer.end(&render, &end.now, &end.final_objects), err)?;
    Ok(outcome_of(args, &tally, err))
}

/// The tally of a written plan; a write error other than a closed pipe is the exit code.
fn written(
    (tally, result): (Tally, std::io::Result<()>),
    err: &mut dyn Write,
) -> Result<Tally, u8> {
    match result {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(fail(err, CliError::Runtime, format!("writing output: {e}")))
        }
        _ => Ok(tally),
    }
}

/// Writes the saved plan to `--out FILE`, if asked (the caller builds `saved` only then);
/// the error is the exit code.
pub(super) fn write_saved(
    args: &PlanArgs,
    saved: Option<&SavedPlan>,
    err: &mut dyn Write,
) -> Result<(), u8> {
    let (Some(path), Some(saved)) = (&args.out_file, saved) else {
        return Ok(());
    };
    // Only a plan `apply` would take is saved (a plan from files never is).
    if let Err(refusal) = check_plan(saved, &Role::operator()) {
        return Err(fail(
            err,
            CliError::Refused,
            format!("{}: {refusal}; the plan was not saved", path.display()),
        ));
    }
    saved
        .save(path)
        .map_err(|e| fail(err, CliError::Runtime, format!("{}: {e}", path.display())))?;
    let _ = writeln!(err, "Saved the plan to {}", path.display());
    Ok(())
}

/// Saves (`--out`) and renders a plan report; returns its verdict, or the exit code of
/// the error that stopped it. `live` is a live plan's `live` member, which ends its JSON
/// document.
pub(super) fn finish(
    args: &PlanArgs,
    report: &crate::engine::plan::PlanReport,
    saved: Option<&SavedPlan>,
    applying: bool,
    live: Option<serde_json::Value>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Verdict, u8> {
    let render = plan_renderer(args, applying, err)?;
    if args.view.output == PlanFormat::Yaml {
        write_saved(args, saved, err)?;
        let ignore = &render.view.ignore;
        let tally = Tally::of(&report.targets, ignore);
        let tally = written(
            (tally, write_yaml(out, &plan_json::document(report, ignore))),
            err,
        )?;
        return Ok(outcome_of(args, &tally, err));
    }
    // The targets are rendered in parallel, then written in order.
    let rendered: Vec<_> = report
        .targets
        .par_iter()
        .map(|t| render.target(t))
        .collect();
    let end = (report.now.as_str(), report.final_objects.as_slice());
    finish_rendered(args, &render, saved, rendered, end, live, out, err)
}

/// How each target is rendered for the output asked for (YAML renders as JSON and is
/// written whole), or the exit code of a bad `--ignore-path`.
pub(super) fn plan_renderer(
    args: &PlanArgs,
    applying: bool,
    err: &mut dyn Write,
) -> Result<Render, u8> {
    let ignore = args
        .view
        .ignore()
        .map_err(|e| fail(err, CliError::Invalid, e))?;
    let (format, style) = match args.view.output {
        PlanFormat::Json | PlanFormat::Yaml => (Format::Json, Style::Text),
        PlanFormat::Text => (Format::Text, Style::Text),
        PlanFormat::Markdown => (Format::Markdown, Style::Markdown),
    };
    Ok(Render {
        format,
        view: args.view.view(style, &ignore, applying),
    })
}

/// [`finish`] for targets already rendered (not YAML, which renders the whole report).
#[allow(clippy::too_many_arguments)]
pub(super) fn finish_rendered(
    args: &PlanArgs,
    render: &Render,
    saved: Option<&SavedPlan>,
    rendered: Vec<Rendered>,
    (now, final_objects): (&str, &[StoredObject]),
    live: Option<serde_json::Value>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Verdict, u8> {
    write_saved(args, saved, err)?;
    let mut writer = PlanWriter::new(out).with_live(live);
    rendered.into_iter().for_each(|r| writer.push(r));
    let tally = written(writer.end(render, now, final_objects), err)?;
    Ok(outcome_of(args, &tally, err))
}

fn write_yaml(out: &mut dyn Write, doc: &serde_json::Value) -> std::io::Result<()> {
    let text = serde_saphyr::to_string(doc).map_err(|e| std::io::Error::other(e.to_string()))?;
    out.write_all(text.as_bytes())
}

/// The exit code of a rendered plan from its tally, the same for file and cluster plans and
/// every output format: 1 when a target does not settle (`--until-settled`) or the operator
/// would fail (a forbidden or failed write, a reconcile error, a failed plan; each named on
/// `err`); otherwise 3 with `--detailed-exitcode` and changes pending, else 0.
fn outcome_of(args: &PlanArgs, tally: &Tally, err: &mut dyn Write) -> Verdict {
    for (text, used) in args.view.ignore_paths.iter().zip(&tally.ignore_used) {
        if !used {
            let _ = writeln!(
                err,
                "warning: --ignore-path {text} matches nothing in this plan (paths are printed by --compact)"
            );
        }
    }
    let unsettled = tally.unsettled();
    for line in &unsettled {
        let _ = writeln!(err, "error: {line}");
    }
    let summary = tally.summary;
    if summary.has_problems() {
        let _ = writeln!(
            err,
            "error: the operator would fail: {} (exit 1)",
            summary.problem_counts().join(", ")
        );
    }
    let done = if !unsettled.is_empty() || summary.has_problems() {
        Done::Problems
    } else if args.detailed_exitcode && summary.has_changes() {
        Done::Changes
    } else {
        Done::Ok
    };
    Verdict {
        done,
        settled: unsettled.is_empty(),
    }
}

/// How a rendered plan ended: its exit code, and whether every target settled (a plan
/// whose only problems are predicted write failures can still be applied).
#[derive(Debug, Clone, Copy)]
pub(super) struct Verdict {
    pub done: Done,
    pub settled: bool,
}
