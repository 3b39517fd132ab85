//! The command-line interface: the clap tree and one module per subcommand.
//! Each subcommand translates flags into a call of the core and renders its result;
//! `main` is the one place that picks the file or the cluster path of a command.

mod alloc;
pub mod apply;
pub mod args;
mod base;
mod base_git;
pub mod error;
pub mod explain;
mod explain_live;
pub mod generate;
pub mod input;
pub mod live;
pub mod plan;
pub mod plan_input;
pub mod simulate;
pub mod validate;
pub mod world_flags;

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use error::fail;

/// Simulate and reconcile the Sei Kubernetes operator (SeiNode, SeiNodeDeployment) in memory.
#[derive(Debug, Parser)]
#[command(
    name = "nodectl",
    version,
    about,
    long_about = None
)]
pub struct Cli {
    /// More log output on stderr (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show what the operator would do with these manifests (a dry run; writes nothing).
    Plan(Box<plan::PlanArgs>),
    /// Reconcile once against a live cluster and send the writes (plan, then apply).
    Apply(Box<apply::ApplyArgs>),
    /// Explain why a SeiNode or SeiNodeDeployment is stuck and what happens next.
    Explain(Box<explain::ExplainArgs>),
    /// Run a parity fixture (cluster.yaml + scenario.yaml) and print its trace.
    Simulate(simulate::SimulateArgs),
    /// Validate SeiNode / SeiNodeDeployment manifests like the API server and operator would.
    Validate(validate::ValidateArgs),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completions(generate::CompletionsArgs),
    /// Print the man page (roff), or write every page with --dir.
    Man(generate::ManArgs),
}

/// The clap tree with the exit-code table after the help of the command and of every
/// subcommand (what `--help`, the man pages and the completions are made from).
pub fn command() -> clap::Command {
    let table = error::exit_codes_help();
    let with_table = |cmd: clap::Command| {
        let text = match cmd.get_after_help() {
            Some(before) => format!("{before}\n\n{table}"),
            None => table.clone(),
        };
        cmd.after_help(text)
    };
    with_table(Cli::command()).mut_subcommands(with_table)
}

/// Parses the arguments, runs the command and returns the process exit code.
pub fn main() -> ExitCode {
    alloc::small_pages();
    let cli = match Cli::from_arg_matches(&command().get_matches()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    init_logging(cli.verbose);
    let stdout = std::io::stdout();
    // One buffer, not a write(2) per line; unbuffered where a prompt follows the plan.
    let prompts = match &cli.command {
        Command::Apply(_) => true,
        Command::Plan(args) => args.live.apply,
        _ => false,
    };
    let capacity = if prompts { 0 } else { 1 << 16 };
    let mut out = std::io::BufWriter::with_capacity(capacity, stdout.lock());
    // stderr is not locked for the whole run: progress bars draw on it from worker threads
    // (the parallel validate pass, the live reads), and a lock held here would block them
    // forever. It is unbuffered, so each message is still written in one piece.
    let mut err = std::io::stderr();
    let code = match &cli.command {
        Command::Plan(args) if args.base.wanted() => base::run(args, &mut out, &mut err),
        Command::Plan(args) if args.live.wants_cluster(args) => live::run(args, &mut out, &mut err),
        Command::Plan(args) => plan::run(args, &mut out, &mut err),
        Command::Apply(args) => live::run(&args.plan(), &mut out, &mut err),
        Command::Explain(args) if args.files.is_empty() => {
            explain_live::run(args, &mut out, &mut err)
        }
        Command::Explain(args) => explain::run(args, &mut out, &mut err),
        Command::Simulate(args) => simulate::run(args, &mut out, &mut err),
        Command::Validate(args) => validate::run(args, &mut out, &mut err),
        Command::Completions(args) => generate::run_completions(args, &mut out, &mut err),
        Command::Man(args) => generate::run_man(args, &mut out, &mut err),
    };
    let _ = out.flush();
    ExitCode::from(code)
}

fn init_logging(verbose: u8) {
    // kube logs every non-2xx answer as an error; below -vv the apply report says it.
    let default = match verbose {
        0 => "warn,kube_client::client::builder=off",
        1 => "info,kube_client::client::builder=off",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(
            std::io::IsTerminal::is_terminal(&std::io::stderr())
                && std::env::var_os("NO_COLOR").is_none(),
        )
        .without_time()
        .try_init();
}
