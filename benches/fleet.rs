//! Fleet-scale end-to-end benchmarks (run: `cargo bench --bench fleet`), each figure
//! with its ratio against an earlier build in the same run.
//!
//! The fleet — 10,000 SeiNodes in 10 namespaces (a third with label peers, the rest
//! with EC2-tag peers) and 100 SeiNodeDeployments — is written to one file in a temp
//! dir. `plan -o json`, text and `--compact` are timed as whole processes (output to
//! /dev/null), alternating the binary built here with the one named by
//! `NODECTL_BASELINE`, and reported as wall-time medians, peak RSS (the child's own
//! `ru_maxrss`) and the ratio. Then `simulate --bench` on the parity fixtures: the
//! median of per-batch mean times, alternating both binaries the same way.
//!
//! Environment: `NODECTL_BASELINE` (binaries to compare with, `:`-separated, each timed
//! in the same run and given its own ratio; without it no ratio is printed), `NODECTL_BENCH_RUNS` (timed runs per binary and case, default 3),
//! `NODECTL_BENCH_NODES` (fleet size, default 10000).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "support/rss.rs"]
mod rss;
use rss::{run, Run};

/// The binary built from this tree (`cargo bench` builds it with the bench profile).
const NODECTL: &str = env!("CARGO_BIN_EXE_nodectl");

/// The fixtures `simulate --bench` is timed on: the largest SeiNode and
/// SeiNodeDeployment ones, as in benches/pipeline.rs.
const FIXTURES: &[&str] = &[
    "full-node-s3-fresh-x6",
    "replayer-bootstrap-job-complete",
    "snd-rpc-networking-crds-installed",
    "snd-hardfork-rollout",
];

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One SeiNode of the fleet, as one line of JSON (a YAML flow document).
/// Label peers select the node's shard: the ten nodes of one namespace in each
/// hundred, so a label selection has ~10 results, not the whole namespace.
fn seinode(i: usize) -> String {
    let mode = match i % 4 {
        0 => {
            r#""fullNode":{"snapshot":{"s3":{"targetHeight":198740000},"trustPeriod":"9999h0m0s"}}"#
        }
        1 => r#""archive":{}"#,
        2 => r#""validator":{}"#,
        _ => r#""fullNode":{}"#,
    }
    .to_string();
    let shard = i / 100;
    let peers = if i.is_multiple_of(3) {
        format!(r#"[{{"label":{{"selector":{{"sei.io/shard":"shard-{shard}"}}}}}}]"#)
    } else {
        r#"[{"ec2Tags":{"region":"eu-central-1","tags":{"ChainIdentifier":"pacific-1","Component":"state-syncer"}}}]"#.to_string()
    };
    format!(
        r#"{{"apiVersion":"sei.io/v1alpha1","kind":"SeiNode","metadata":{{"name":"node-{i}","namespace":"ns-{ns}","labels":{{"sei.io/chain":"pacific-1","sei.io/shard":"shard-{shard}"}}}},"spec":{{"chainId":"pacific-1","image":"ghcr.io/sei-protocol/sei:v6.3.0","entrypoint":{{"command":["seid"],"args":["start","--home","/sei"]}},"peers":{peers},{mode}}}}}"#,
        ns = i % 10
    )
}

fn seinodedeployment(i: usize) -> String {
    format!(
        r#"{{"apiVersion":"sei.io/v1alpha1","kind":"SeiNodeDeployment","metadata":{{"name":"group-{i}","namespace":"ns-{ns}"}},"spec":{{"replicas":3,"updateStrategy":{{"type":"InPlace"}},"template":{{"metadata":{{"labels":{{"sei.io/role":"rpc"}}}},"spec":{{"chainId":"pacific-1","image":"ghcr.io/sei-protocol/sei:v6.3.0","entrypoint":{{"command":["seid"],"args":["start","--home","/sei"]}},"peers":[{{"label":{{"selector":{{"sei.io/role":"rpc"}}}}}}],"fullNode":{{"snapshot":{{"s3":{{"targetHeight":198740000}},"trustPeriod":"9999h0m0s"}}}}}}}}}}}}"#,
        ns = i % 10
    )
}

/// Writes the fleet file; returns its path.
fn write_fleet(dir: &Path, nodes: usize, groups: usize) -> PathBuf {
    let mut text = String::new();
    for i in 0..nodes {
        let _ = writeln!(text, "---\n{}", seinode(i));
    }
    for i in 0..groups {
        let _ = writeln!(text, "---\n{}", seinodedeployment(i));
    }
    let path = dir.join("fleet.yaml");
    std::fs::write(&path, text).expect("write the fleet file");
    path
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// Median wall time (s) and the largest peak RSS (bytes) over the runs.
#[derive(Clone, Copy)]
struct Figure {
    wall: f64,
    rss: u64,
}

fn figure(runs: &[Run]) -> Figure {
    Figure {
        wall: median(runs.iter().map(|r| r.wall.as_secs_f64()).collect()),
        rss: runs.iter().map(|r| r.peak_rss).max().unwrap_or(0),
    }
}

fn gib(bytes: u64) -> f64 {
    bytes as f64 / (1u64 << 30) as f64
}

/// Times one case on this binary and every baseline, alternating, and prints the figures.
fn plan_case(label: &str, args: &[&str], baselines: &[PathBuf], runs: usize) {
    let new_binary = Path::new(NODECTL);
    let mut new_runs = Vec::new();
    let mut old_runs: Vec<Vec<Run>> = baselines.iter().map(|_| Vec::new()).collect();
    for _ in 0..runs {
        new_runs.push(run(new_binary, args));
        for (old, runs) in baselines.iter().zip(&mut old_runs) {
            runs.push(run(old, args));
        }
    }
    assert!(
        new_runs.iter().all(|r| r.ok),
        "{label}: nodectl {args:?} failed"
    );
    let new = figure(&new_runs);
    let mut line = format!(
        "{label:<28} wall median {:>8.3} s  peak RSS {:>6.3} GiB",
        new.wall,
        gib(new.rss)
    );
    for (i, runs) in old_runs.iter().enumerate() {
        let old = figure(runs);
        let failed = runs.iter().filter(|r| !r.ok).count();
        let _ = write!(
            line,
            "  | baseline {} {:>8.3} s {:>6.3} GiB{}  | {:>6.1}x faster, {:>5.1}x less memory",
            i + 1,
            old.wall,
            gib(old.rss),
            if failed > 0 { " (baseline failed)" } else { "" },
            old.wall / new.wall,
            old.rss as f64 / new.rss.max(1) as f64,
        );
    }
    println!("{line}");
}

/// The mean time of one run reported by `simulate FIXTURE --bench N`, in ns.
fn simulate_mean(binary: &Path, fixture: &Path, n: usize) -> f64 {
    let output = Command::new(binary)
        .arg("simulate")
        .arg(fixture)
        .args(["--bench", &n.to_string()])
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", binary.display()));
    assert!(output.status.success(), "simulate --bench failed");
    let doc: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("simulate --bench prints JSON");
    assert_eq!(doc["identicalTraces"], true, "traces differ between runs");
    doc["meanNs"].as_f64().expect("meanNs")
}

fn simulate_case(fixture: &str, baselines: &[PathBuf], batches: usize) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/parity")
        .join(fixture);
    let per_batch = 200;
    let mut new = Vec::new();
    let mut old: Vec<Vec<f64>> = baselines.iter().map(|_| Vec::new()).collect();
    for _ in 0..batches {
        new.push(simulate_mean(Path::new(NODECTL), &dir, per_batch));
        for (b, means) in baselines.iter().zip(&mut old) {
            means.push(simulate_mean(b, &dir, per_batch));
        }
    }
    let new = median(new);
    let mut line = format!("simulate {fixture:<36} median {:>8.1} µs", new / 1e3);
    for (i, means) in old.into_iter().enumerate() {
        let old = median(means);
        let _ = write!(
            line,
            "  | baseline {} {:>8.1} µs  | {:>5.2}x faster",
            i + 1,
            old / 1e3,
            old / new
        );
    }
    println!("{line}");
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument picks cases by substring.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wanted = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));
    let baselines: Vec<PathBuf> = std::env::var_os("NODECTL_BASELINE")
        .map(|v| std::env::split_paths(&v).collect())
        .unwrap_or_default();
    let runs = env_usize("NODECTL_BENCH_RUNS", 3).max(1);
    let nodes = env_usize("NODECTL_BENCH_NODES", 10_000);
    if baselines.is_empty() {
        println!("NODECTL_BASELINE is not set: no ratios against an earlier build");
    }
    for (i, b) in baselines.iter().enumerate() {
        println!("baseline {}: {}", i + 1, b.display());
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let fleet = write_fleet(dir.path(), nodes, nodes / 100);
    let fleet = fleet.to_str().expect("utf-8 temp path");
    let now = "--now=2026-01-01T00:00:00Z";
    let cases: [(&str, Vec<&str>); 3] = [
        ("plan -o json", vec!["plan", "-f", fleet, now, "-o", "json"]),
        ("plan (text)", vec!["plan", "-f", fleet, now, "--no-color"]),
        (
            "plan --compact",
            vec!["plan", "-f", fleet, now, "--no-color", "--compact"],
        ),
    ];
    println!(
        "fleet: {nodes} SeiNodes + {} SeiNodeDeployments, {runs} run(s) per binary",
        nodes / 100
    );
    for (label, args) in &cases {
        if wanted(label) {
            plan_case(label, args, &baselines, runs);
        }
    }
    for fixture in FIXTURES {
        if wanted("simulate") || wanted(fixture) {
            simulate_case(fixture, &baselines, runs.max(5));
        }
    }
}
