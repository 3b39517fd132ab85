//! nodectl command line (minimal tree for the `validate` branch; reconciled at merge).

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use nodectl::cli::validate::ValidateArgs;

/// Simulator and offline checker for the Sei Kubernetes operator.
#[derive(Debug, Parser)]
#[command(name = "nodectl", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Validate SeiNode / SeiNodeDeployment manifests like the API server and operator would.
    Validate(ValidateArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let code = match &cli.command {
        Command::Validate(args) => {
            nodectl::cli::validate::run(args, &mut stdout.lock(), &mut stderr.lock())
        }
    };
    ExitCode::from(code)
}
