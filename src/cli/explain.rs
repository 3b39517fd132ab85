//! `nodectl explain -f FILE [KIND/NAME]`: why a SeiNode or SeiNodeDeployment is
//! stuck and what happens next. The input holds the target with its status (e.g.
//! `kubectl get -o yaml`); every other object is cluster state. Without `-f` the
//! target is read from a cluster (`explain_live`).

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::args::no_resources_found;
use super::error::{fail, CliError, Done};
use super::input::read_objects;
use super::plan::SidecarBehaviour;
use super::world_flags;
use crate::engine::plan::{targets_of, PlanOptions};
use crate::engine::world::Origin;
use crate::env::Dns;
use crate::explain::{explain, ExplainOptions, Explanation};
use crate::sidecar::model::PodSidecarScript;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExplainFormat {
    /// A readable report.
    Text,
    /// The report as JSON (`formatVersion: 1`).
    Json,
    /// Tables and lists for an incident ticket or a pull-request comment.
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DnsAssumption {
    /// Route hosts resolve unless the target's RouteReady condition says DNSPending.
    Observed,
    Resolvable,
    Unresolvable,
}

#[derive(Debug, Args)]
#[command(after_help = super::args::FILE_OR_CLUSTER)]
pub struct ExplainArgs {
    /// The object to explain (`seinode/NAME`, `snd/NAME`, optionally `KIND/NS/NAME`), from the -f files or the cluster.
    #[arg(value_name = "KIND/NAME")]
    pub object: Option<String>,
    /// Manifest file, directory or `-` for stdin (repeatable): the target with its status and cluster state.
    #[arg(short = 'f', long = "filename", value_name = "FILE|DIR|-")]
    pub files: Vec<PathBuf>,
    /// Recurse into directories.
    #[arg(short = 'R', long)]
    pub recursive: bool,
    /// The object to explain when the input holds several (same as the positional argument).
    #[arg(long = "target", value_name = "KIND/NAME", conflicts_with = "object")]
    pub target: Option<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = ExplainFormat::Text)]
    pub output: ExplainFormat,
    #[command(flatten)]
    pub world: super::args::WorldArgs,
    /// How node sidecars answer in the next reconcile (default: `running`; on a cluster: `live`, the current task's real answer). The eventual run assumes completed.
    #[arg(long, value_enum, conflicts_with = "sidecar_script")]
    pub sidecar: Option<SidecarBehaviour>,
    /// A sidecar script for the next reconcile (the `sidecar` section format of the parity fixtures).
    #[arg(long, value_name = "FILE")]
    pub sidecar_script: Option<PathBuf>,
    /// How route host names resolve in memory.
    #[arg(long, value_enum, default_value_t = DnsAssumption::Observed)]
    pub dns: DnsAssumption,
    /// Serve a kind, `group/version/Kind` (kinds present in the input are served; with files,
    /// the optional HTTPRoute and ServiceMonitor are served too unless --missing-kind).
    #[arg(long = "served-kind", value_name = "GVK")]
    pub served_kinds: Vec<String>,
    /// With files: model a cluster without this optional kind (its CRD not installed), e.g.
    /// `gateway.networking.k8s.io/v1/HTTPRoute` or `monitoring.coreos.com/v1/ServiceMonitor`
    /// (repeatable). On a cluster, discovery decides.
    #[arg(long = "missing-kind", value_name = "GVK")]
    pub missing_kinds: Vec<String>,
    /// The reconcile limit of the run to the eventual state.
    #[arg(long, default_value_t = 50, value_name = "N")]
    pub max_reconciles: usize,
    #[command(flatten)]
    pub connect: super::args::ConnectArgs,
}

/// Builds the explain options from the flags.
pub fn options(
    args: &ExplainArgs,
    objects: &[serde_json::Value],
) -> Result<ExplainOptions, String> {
    let live = args.sidecar == Some(SidecarBehaviour::Live);
    if live && !args.files.is_empty() && args.sidecar_script.is_none() {
        return Err("--sidecar live needs a cluster (give no -f)".into());
    }
    let uniform = args
        .sidecar
        .map_or("running", SidecarBehaviour::model_status);
    let world = args.world.parse()?;
    let sidecar = world_flags::sidecar_script(args.sidecar_script.as_deref(), uniform)?;
    let served = world_flags::served_kinds(&args.served_kinds, objects);
    Ok(ExplainOptions {
        world: PlanOptions {
            clock: world.clock,
            seed: args.world.seed.clone(),
            sidecar,
            pod_sidecar: PodSidecarScript::default(),
            reconciles: 1,
            dns: Dns::new(args.dns != DnsAssumption::Unresolvable, world.dns_hosts),
            served_kinds: served,
            platform: world.platform,
            until_settled: None,
            complete_jobs: args.sidecar == Some(SidecarBehaviour::Completed),
            cascade: false,
        },
        dns_from_status: args.dns == DnsAssumption::Observed,
        max_reconciles: args.max_reconciles.max(1),
        sidecar_label: None,
        origin: Origin::Files,
    })
}

/// Writes an explanation in `format` (also used for live targets).
pub fn render(
    explanation: &Explanation,
    format: ExplainFormat,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    match format {
        ExplainFormat::Json => serde_json::to_writer_pretty(&mut *out, &explanation.to_json())
            .map_err(std::io::Error::from)
            .and_then(|_| writeln!(out)),
        ExplainFormat::Text => crate::render::explain::write(out, explanation),
        ExplainFormat::Markdown => crate::render::explain_markdown::write(out, explanation),
    }
}

pub fn run(args: &ExplainArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    if args.connect.kube.any() || args.connect.sidecar_url.is_some() {
        return fail(
            err,
            CliError::Invalid,
            "explain reads either -f files or a cluster: drop -f to read the cluster, or --kubeconfig, --context and --sidecar-url",
        );
    }
    let input = match read_objects(&args.files, args.recursive) {
        Ok(i) => i,
        Err(problem) => return fail(err, CliError::Invalid, problem),
    };
    for w in &input.warnings {
        let _ = writeln!(err, "warning: {w}");
    }
    if targets_of(&input.objects).is_empty() {
        return fail(
            err,
            CliError::Invalid,
            "the input holds no SeiNode or SeiNodeDeployment to explain",
        );
    }
    let names: Vec<String> = args.object.iter().chain(&args.target).cloned().collect();
    let targets = match args.connect.file_targets(&names, &input.objects) {
        Ok(t) => t,
        Err(e) => return fail(err, CliError::Invalid, e),
    };
    let target = match targets.as_slice() {
        [one] => one,
        [] => return no_resources_found(&args.connect.file_scope(), err),
        many => {
            let names: Vec<String> = many.iter().map(|t| t.to_string()).collect();
            return fail(
                err,
                CliError::Invalid,
                format!(
                    "the input holds several objects ({}); choose one with --target KIND/NAME",
                    names.join(", ")
                ),
            );
        }
    };
    let objects = input.into_values();
    // Files model a production cluster: the optional kinds are served unless missing.
    let options = options(args, &objects).and_then(|mut o| {
        o.world.served_kinds =
            world_flags::file_mode_kinds(&args.served_kinds, &args.missing_kinds, &objects)?;
        Ok(o)
    });
    let options = match options {
        Ok(o) => o,
        Err(e) => return fail(err, CliError::Invalid, e),
    };
    let explanation = match explain(&objects, target, &options) {
        Ok(e) => e,
        Err(e) => return fail(err, CliError::Runtime, e),
    };
    match render(&explanation, args.output, out) {
        Ok(()) => Done::Ok.exit_code(),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Done::Ok.exit_code(),
        Err(e) => fail(err, CliError::Runtime, format!("writing output: {e}")),
    }
}
