//! `nodectl validate`: check SeiNode / SeiNodeDeployment manifests offline.

use std::io::Write;
use std::path::PathBuf;

use crate::manifest;
use crate::validate::render::{render, Format};
use crate::validate::{validate_inputs, OldObjects, Options};

/// Arguments of `nodectl validate`.
#[derive(Debug, Clone, clap::Args)]
pub struct ValidateArgs {
    /// File, directory or `-` (stdin) to validate; repeatable.
    #[arg(
        short = 'f',
        long = "filename",
        value_name = "FILE|DIR|-",
        required = true
    )]
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
}

/// Fewer files than this validate too fast to need a progress bar.
const PROGRESS_MIN_FILES: usize = 50;

/// Runs the command. Exit code: 0 all valid, 2 any invalid or unreadable input, 1 tool error.
pub fn run(args: &ValidateArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
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
    let inputs = manifest::discover_inputs(&args.filename, args.recursive);
    let bar = if inputs.len() >= PROGRESS_MIN_FILES {
        crate::progress::bar(inputs.len() as u64, "validating")
    } else {
        indicatif::ProgressBar::hidden()
    };
    let report = validate_inputs(&inputs, &old, &opts, &|| bar.inc(1));
    bar.finish_and_clear();
    if let Err(e) = render(&report, args.output, out, err) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            let _ = writeln!(err, "error: writing output: {e}");
            return 1;
        }
    }
    report.exit_code()
}
