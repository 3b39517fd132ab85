//! `nodectl validate`: check SeiNode / SeiNodeDeployment manifests offline.

use std::io::Write;
use std::path::PathBuf;

use super::args::{runtime, KubeArgs};
use super::error::{fail, CliError, Done};
use crate::live::request;
use crate::live::RetryPolicy;
use crate::manifest;
use crate::manifest::FileLoad;
use crate::validate::render::{render_styled, Format};
use crate::validate::{
    object_key, validate_inputs, validate_loads_with, OldObjects, Options, Report,
};

/// Arguments of `nodectl validate`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = VALIDATE_HELP)]
pub struct ValidateArgs {
    /// Files, directories or `-` (stdin) to validate, as with -f (`nodectl validate a.yaml b.yaml`).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// File, directory or `-` (stdin) to validate; repeatable.
    #[arg(short = 'f', long = "filename", value_name = "FILE|DIR|-")]
    pub filename: Vec<PathBuf>,
    /// Recurse into subdirectories of directory arguments.
    #[arg(short = 'R', long)]
    pub recursive: bool,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
    /// Accept fields the CRD schema does not define (the API server would drop them).
    #[arg(long)]
    pub allow_unknown_fields: bool,
    /// Fail on documents that are not SeiNode / SeiNodeDeployment instead of skipping them.
    #[arg(long)]
    pub strict_kinds: bool,
    /// Old objects (FILE|DIR) for transition rules (`oldSelf`), matched by kind/namespace/name.
    #[arg(long, value_name = "PATH")]
    pub against: Option<PathBuf>,
    /// Read the old objects from the cluster instead: one GET per SeiNode / SeiNodeDeployment
    /// of the input (documents without a namespace are looked up in the context's namespace).
    #[arg(long, conflicts_with = "against")]
    pub against_cluster: bool,
    /// No ANSI colours in the text report (also off with NO_COLOR or when stdout is not a terminal).
    #[arg(long)]
    pub no_color: bool,
    #[command(flatten)]
    pub kube: KubeArgs,
}

/// The `--help` epilogue: where the report and the summary go, and the file/cluster rule.
const VALIDATE_HELP: &str = "\
Output: the report (-o) on stdout, the summary line (N documents checked: …) on stderr for
every format. Colours in the text report on a terminal, unless --no-color or NO_COLOR.

Files or cluster:
  The inputs are always files (positional or -f) and no kubeconfig is read; only
  --against-cluster reads the cluster of --kubeconfig, $KUBECONFIG or ~/.kube/config.";

/// Fewer files than this validate too fast to need a progress bar.
const PROGRESS_MIN_FILES: usize = 50;

/// Runs the command. Exit code: 0 all valid, 2 any invalid or unreadable input, 1 tool error.
pub fn run(args: &ValidateArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    if args.kube.any() && !args.against_cluster {
        return fail(
            err,
            CliError::Invalid,
            "--kubeconfig and --context are used with --against-cluster",
        );
    }
    let paths: Vec<PathBuf> = args.files.iter().chain(&args.filename).cloned().collect();
    if paths.is_empty() {
        return fail(
            err,
            CliError::Invalid,
            "nothing to validate: name files (`nodectl validate FILE...`) or -f FILE|DIR|-",
        );
    }
    // A path that is not there is told as a shell tells it, with no position.
    if let Some(missing) = paths.iter().find(|p| {
        p.as_os_str() != "-"
            && matches!(std::fs::metadata(p), Err(e) if e.kind() == std::io::ErrorKind::NotFound)
    }) {
        return fail(
            err,
            CliError::Invalid,
            format!("{}: No such file or directory", missing.display()),
        );
    }
    // Flag problems are reported before anything is read.
    let retry = match args.kube.retry() {
        Ok(r) => r,
        Err(e) => return fail(err, CliError::Invalid, e),
    };
    let old = match &args.against {
        None => OldObjects::default(),
        Some(p) => {
            let loads = manifest::load_paths_lenient(std::slice::from_ref(p), args.recursive);
            let mut docs = Vec::new();
            for l in loads {
                if let Some(e) = l.errors.first() {
                    let _ = writeln!(err, "error: --against: {e}");
                    return 1;
                }
                docs.extend(l.documents);
            }
            OldObjects::from_documents(&docs)
        }
    };
    let opts = Options {
        allow_unknown_fields: args.allow_unknown_fields,
        strict_kinds: args.strict_kinds,
    };
    let inputs = manifest::discover_inputs(&paths, args.recursive);
    let _prompt = super::alloc::PromptRelease::for_inputs(&inputs);
    let bar = if inputs.len() >= PROGRESS_MIN_FILES {
        crate::progress::bar(inputs.len() as u64, "validating")
    } else {
        indicatif::ProgressBar::hidden()
    };
    let report = if args.against_cluster {
        // The old objects are known only once the input is read: load, fetch, then validate.
        let loads = manifest::load_inputs_lenient(&inputs, &|| {});
        let old = match old_objects_from_cluster(&args.kube, retry, &loads, err) {
            Ok(old) => old,
            Err(e) => return fail(err, CliError::Runtime, format!("--against-cluster: {e}")),
        };
        validate_loads_with(loads, &old, &opts, &|| bar.inc(1))
    } else {
        validate_inputs(&inputs, &old, &opts, &|| bar.inc(1))
    };
    bar.finish_and_clear();
    let color = super::args::use_color(args.no_color);
    if let Err(e) = render_styled(&report, args.output, color, out, err) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            let _ = writeln!(err, "error: writing output: {e}");
            return 1;
        }
    }
    exit_code(&report)
}

/// The exit code of a validation: 0, or the invalid-input code when a document is invalid.
pub fn exit_code(report: &Report) -> u8 {
    if report.is_invalid() {
        CliError::Invalid(String::new()).exit_code()
    } else {
        Done::Ok.exit_code()
    }
}

/// GETs the stored version of every SeiNode / SeiNodeDeployment in the input (only GETs; a 404
/// means the object is new) and says on `err` how many exist.
fn old_objects_from_cluster(
    kube: &KubeArgs,
    retry: RetryPolicy,
    loads: &[FileLoad],
    err: &mut dyn Write,
) -> Result<OldObjects, String> {
    let wanted: Vec<_> = loads
        .iter()
        .flat_map(|l| &l.documents)
        .filter(|d| {
            matches!(
                d.value["kind"].as_str(),
                Some("SeiNode" | "SeiNodeDeployment")
            )
        })
        // An invalid name or namespace is never put into a request: the metadata check
        // reports it (file:line, exit 2) and the object is validated as new.
        .filter(|d| request::check_object(&d.value).is_ok())
        .filter_map(|d| Some((object_key(&d.value)?, d.value.clone())))
        .collect();
    let mut old = OldObjects::default();
    if wanted.is_empty() {
        return Ok(old);
    }
    let asked = wanted.len();
    let fetched = runtime()?.block_on(async {
        let cluster = kube.connect(retry).await?;
        let mut found = Vec::new();
        for (key, doc) in wanted {
            let namespace = match doc["metadata"]["namespace"].as_str() {
                Some(ns) if !ns.is_empty() => ns.to_string(),
                _ => cluster.default_namespace.clone(),
            };
            let api_version = doc["apiVersion"].as_str().unwrap_or_default();
            let request = request::get(api_version, &key.kind, Some(&namespace), &key.name)
                .map_err(|e| e.to_string())?;
            match cluster.send(&request).await {
                Ok(object) => found.push((key, object)),
                Err(e) if e.code() == Some(404) => {}
                Err(e @ crate::live::attempt::RequestError::Refused { .. }) => {
                    return Err(e.to_string())
                }
                Err(e) => {
                    return Err(format!(
                        "reading {} {namespace}/{}: {e}",
                        key.kind, key.name
                    ))
                }
            }
        }
        Ok::<_, String>((cluster.context.clone(), found))
    })?;
    let (context, found) = fetched;
    let _ = writeln!(
        err,
        "--against-cluster: {} of {asked} object(s) exist in context {context:?}; the others are new",
        found.len()
    );
    for (key, object) in found {
        old.insert(key, object);
    }
    Ok(old)
}
