//! `nodectl simulate FIXTURE_DIR`: run a parity fixture and print its trace.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, ValueEnum};

use super::exit;
use crate::sim::{run_fixture, Fixture, RunOptions};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimulateFormat {
    /// A readable account of each reconcile.
    Text,
    /// The trace document of PARITY.md §3.
    Json,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Fixture directory holding cluster.yaml and scenario.yaml.
    pub fixture: PathBuf,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = SimulateFormat::Text)]
    pub output: SimulateFormat,
    /// Run the fixture N times in-process on fresh copies of the world and print timing as JSON.
    #[arg(long, value_name = "N")]
    pub bench: Option<usize>,
    /// Override the scenario's number of reconciles.
    #[arg(long, value_name = "N")]
    pub reconciles: Option<usize>,
}

pub fn run(args: &SimulateArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let fixture = match Fixture::load(&args.fixture) {
        Ok(f) => f,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return exit::INVALID;
        }
    };
    let options = RunOptions {
        reconciles: args.reconciles,
    };
    if let Some(n) = args.bench {
        return bench(&fixture, &options, n.max(1), out, err);
    }
    let trace = match run_fixture(&fixture, &options) {
        Ok(t) => t,
        Err(e) => {
            let _ = writeln!(err, "error: {}: {e}", args.fixture.display());
            return exit::INVALID;
        }
    };
    let written = match args.output {
        SimulateFormat::Json => serde_json::to_writer_pretty(&mut *out, &trace.to_json())
            .map_err(std::io::Error::from)
            .and_then(|_| writeln!(out)),
        SimulateFormat::Text => crate::render::trace_text::write(out, &trace),
    };
    match written {
        Ok(()) => exit::OK,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::OK,
        Err(e) => {
            let _ = writeln!(err, "error: writing output: {e}");
            exit::RUNTIME
        }
    }
}

fn bench(fixture: &Fixture, options: &RunOptions, n: usize, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let mut traces = Vec::with_capacity(n);
    let start = Instant::now();
    for _ in 0..n {
        match run_fixture(fixture, options) {
            Ok(t) => traces.push(t),
            Err(e) => {
                let _ = writeln!(err, "error: {e}");
                return exit::RUNTIME;
            }
        }
    }
    let mean_ns = start.elapsed().as_nanos() / n as u128;
    // Traces are compared after timing, so the figure is the pipeline alone.
    let now = fixture.scenario.now();
    let normalised: Vec<serde_json::Value> =
        traces.iter().map(|t| crate::sim::compare::normalise(&t.to_json(), now)).collect();
    let identical = normalised.windows(2).all(|w| w[0] == w[1]);
    let _ = writeln!(
        out,
        "{}",
        serde_json::json!({"runs": n, "meanNs": mean_ns as u64, "identicalTraces": identical})
    );
    exit::OK
}
