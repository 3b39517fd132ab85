//! `nodectl simulate FIXTURE_DIR`: run a parity fixture and print its trace.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, ValueEnum};

use super::error::{fail, CliError, Done};
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
    #[arg(long, value_name = "N", conflicts_with = "until_settled")]
    pub reconciles: Option<usize>,
    /// Keep reconciling until the target settles, stalls or loops (exit 1 unless it settles).
    #[arg(long, conflicts_with = "bench")]
    pub until_settled: bool,
    /// The reconcile limit for --until-settled.
    #[arg(
        long,
        default_value_t = 50,
        value_name = "N",
        requires = "until_settled"
    )]
    pub max_reconciles: usize,
}

pub fn run(args: &SimulateArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let fixture = match Fixture::load(&args.fixture) {
        Ok(f) => f,
        Err(e) => {
            return fail(err, CliError::Invalid, format!("{e}"));
        }
    };
    let options = RunOptions {
        reconciles: args.reconciles,
        ..RunOptions::default()
    };
    if args.until_settled {
        return until_settled(args, &fixture, out, err);
    }
    if let Some(n) = args.bench {
        return bench(&fixture, &options, n.max(1), out, err);
    }
    let trace = match run_fixture(&fixture, &options) {
        Ok(t) => t,
        Err(e) => {
            return fail(
                err,
                CliError::Invalid,
                format!("{}: {e}", args.fixture.display()),
            );
        }
    };
    let written = match args.output {
        SimulateFormat::Json => serde_json::to_writer_pretty(&mut *out, &trace.wire())
            .map_err(std::io::Error::from)
            .and_then(|_| writeln!(out)),
        SimulateFormat::Text => crate::render::trace_text::write(out, &trace),
    };
    match written {
        Ok(()) => Done::Ok.exit_code(),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Done::Ok.exit_code(),
        Err(e) => fail(err, CliError::Runtime, format!("writing output: {e}")),
    }
}

fn bench(
    fixture: &Fixture,
    options: &RunOptions,
    n: usize,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    // Only the runs are timed: each trace is compared with the first one and
    // dropped outside the timed span, so the figure is the pipeline alone.
    let now = fixture.scenario.now();
    let mut first: Option<serde_json::Value> = None;
    let mut identical = true;
    let mut elapsed = std::time::Duration::ZERO;
    for _ in 0..n {
        let start = Instant::now();
        let result = run_fixture(fixture, options);
        elapsed += start.elapsed();
        let trace = match result {
            Ok(t) => crate::sim::compare::normalise(&t.to_json(), now),
            Err(e) => {
                return fail(err, CliError::Runtime, format!("{e}"));
            }
        };
        match &first {
            None => first = Some(trace),
            Some(first) => identical &= *first == trace,
        }
    }
    let mean_ns = elapsed.as_nanos() / n as u128;
    let _ = writeln!(
        out,
        "{}",
        serde_json::json!({"runs": n, "meanNs": mean_ns as u64, "identicalTraces": identical})
    );
    Done::Ok.exit_code()
}

/// `--until-settled`: the timeline and verdict; exit 1 when the target does not settle.
fn until_settled(
    args: &SimulateArgs,
    fixture: &Fixture,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let report = match crate::sim::settle::settle_fixture(fixture, args.max_reconciles) {
        Ok(r) => r,
        Err(e) => {
            return fail(
                err,
                CliError::Invalid,
                format!("{}: {e}", args.fixture.display()),
            );
        }
    };
    let written = match args.output {
        SimulateFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &crate::sim::settle::settled_json(&report))
                .map_err(std::io::Error::from)
                .and_then(|_| writeln!(out))
        }
        SimulateFormat::Text => {
            let view = crate::render::plan_text::ViewOptions {
                style: crate::render::plan_text::Style::Text,
                context: 3,
                color: false,
                compact: true,
                ignore: Vec::new(),
                applying: false,
            };
            crate::render::plan_text::write(out, &report, &view)
        }
    };
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return fail(err, CliError::Runtime, format!("writing output: {e}"));
        }
    }
    match report.targets.first().and_then(|t| t.verdict.as_ref()) {
        Some(v) if !v.is_settled() => fail(
            err,
            CliError::Runtime,
            format!("{}: {v}", report.targets[0].target),
        ),
        _ => Done::Ok.exit_code(),
    }
}
