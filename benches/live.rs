//! `plan -A` against a live cluster at fleet scale (run: `cargo bench --bench live`):
//! the in-process fake API server of the tests (tests/support/fake_api.rs) holding
//! 5,000 SeiNodes in 10 namespaces, each `nodectl` run timed as a whole process
//! (output to /dev/null), with the requests it sent counted on the server. Alternates
//! the binary built here with the one named by `NODECTL_BASELINE` and prints the
//! same-run ratio, and whether both printed the same bytes.
//!
//! Cases: new SeiNodes, `-o json` and text (the snapshot's LISTs only: a new node's
//! tasks were just simulated, so no sidecar is read).
//!
//! Environment: `NODECTL_BASELINE`, `NODECTL_BENCH_RUNS` (timed runs per binary and
//! case, default 3), `NODECTL_BENCH_NODES` (fleet size, default 5000).

#[path = "../tests/support/fake_api.rs"]
mod fake_api;
#[path = "support/rss.rs"]
mod rss;

use std::path::{Path, PathBuf};
use std::process::Command;

use fake_api::{manifest_objects, Fake, Recorded};
use rss::{run_command, Run};
use serde_json::Value;

/// The binary built from this tree (`cargo bench` builds it with the bench profile).
const NODECTL: &str = env!("CARGO_BIN_EXE_nodectl");
const NAMESPACES: usize = 10;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn example(path: &str) -> Vec<Value> {
    manifest_objects(&format!("{}/{path}", env!("CARGO_MANIFEST_DIR")))
}

/// `n` copies of `objects` spread over the namespaces, every name `old` renamed to
/// `node-I` (and the namespace `old_ns` to `ns-I%10`).
fn fleet(objects: &[Value], old: &str, old_ns: &str, n: usize) -> Vec<Value> {
    let text = serde_json::to_string(objects).expect("objects serialise");
    (0..n)
        .flat_map(|i| {
            let mut copy: Vec<Value> =
                serde_json::from_str(&text.replace(old, &format!("node-{i}")).replace(
                    &format!("\"{old_ns}\""),
                    &format!("\"ns-{}\"", i % NAMESPACES),
                ))
                .expect("renamed objects parse");
            for o in &mut copy {
                o["metadata"]["namespace"] = Value::String(format!("ns-{}", i % NAMESPACES));
                if let Some(meta) = o["metadata"].as_object_mut() {
                    meta.remove("uid");
                }
            }
            copy
        })
        .collect()
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    match xs.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => xs[n / 2],
        n => (xs[n / 2 - 1] + xs[n / 2]) / 2.0,
    }
}

/// One run of `binary plan ARGS` against the fake, with the requests it sent.
fn plan_run(binary: &Path, fake: &Fake, kubeconfig: &Path, args: &[&str]) -> (Run, Vec<Recorded>) {
    let before = fake.requests().len();
    let run = run_command(plan_command(binary, kubeconfig, args));
    (run, fake.requests()[before..].to_vec())
}

/// The standard output of `binary plan ARGS` against the fake (an untimed run).
fn plan_output(binary: &Path, kubeconfig: &Path, args: &[&str]) -> Vec<u8> {
    plan_command(binary, kubeconfig, args)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", binary.display()))
        .stdout
}

/// `binary plan ARGS` against the fake's kubeconfig at the bench's fixed clock, with no
/// cluster settings inherited from the environment.
fn plan_command(binary: &Path, kubeconfig: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(binary);
    for var in fake_api::CLUSTER_ENV {
        command.env_remove(var);
    }
    command
        .arg("plan")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(["--now", "2026-01-01T03:00:00Z"])
        .args(args);
    command
}

/// Times one case on both binaries, alternating; prints wall time, requests and ratio, and
/// whether the two printed the same bytes.
fn case(label: &str, objects: &[Value], args: &[&str], baseline: Option<&Path>, runs: usize) {
    let fake = Fake::start(objects, &[]);
    let dir = tempfile::tempdir().expect("temp dir");
    let kubeconfig = fake.kubeconfig(dir.path());
    let mut new = Vec::new();
    let mut old = Vec::new();
    let mut cpu = Vec::new();
    let mut sent = Vec::new();
    for _ in 0..runs {
        let (run, requests) = plan_run(Path::new(NODECTL), &fake, &kubeconfig, args);
        assert!(run.ok, "{label}: nodectl plan {args:?} failed");
        assert!(
            requests.iter().all(|r| r.method == "GET"),
            "{label}: a plan sent a write"
        );
        new.push(run.wall.as_secs_f64());
        cpu.push(run.cpu.as_secs_f64());
        sent = requests;
        if let Some(b) = baseline {
            old.push(plan_run(b, &fake, &kubeconfig, args).0.wall.as_secs_f64());
        }
    }
    let api = sent.iter().filter(|r| !r.is_proxy()).count();
    let sidecar = sent.len() - api;
    let new = median(new);
    let cpu = median(cpu);
    let mut line = format!(
        "{label:<38} wall median {new:>7.3} s (CPU {cpu:>7.3} s)  {api:>3} API requests  {sidecar:>5} sidecar reads"
    );
    if baseline.is_some() {
        let old = median(old);
        line += &format!("  | baseline {old:>7.3} s  | {:>5.2}x faster", old / new);
    }
    if let Some(b) = baseline {
        let same =
            plan_output(Path::new(NODECTL), &kubeconfig, args) == plan_output(b, &kubeconfig, args);
        line += if same {
            "  | same output bytes"
        } else {
            "  | OUTPUT DIFFERS from the baseline"
        };
    }
    println!("{line}");
}

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wanted = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));
    let baseline = std::env::var_os("NODECTL_BASELINE").map(PathBuf::from);
    let runs = env_usize("NODECTL_BENCH_RUNS", 3).max(1);
    let nodes = env_usize("NODECTL_BENCH_NODES", 5000);
    match &baseline {
        Some(b) => println!("baseline: {}", b.display()),
        None => println!("NODECTL_BASELINE is not set: no ratios against an earlier build"),
    }
    println!("{runs} run(s) per binary and case, {NAMESPACES} namespaces");
    let new_nodes = fleet(
        &example("examples/seinode/pacific-1-full-node.yaml"),
        "pacific-1-full-node",
        "default",
        nodes,
    );
    for (label, args) in [
        ("plan -A -o json", vec!["-A", "-o", "json"]),
        ("plan -A (text)", vec!["-A", "--no-color"]),
    ] {
        let label = format!("{label}, {nodes} new SeiNodes");
        if wanted(&label) {
            case(&label, &new_nodes, &args, baseline.as_deref(), runs);
        }
    }
}
