//! Throughput benchmark for `nodectl validate` (run: `cargo bench --bench validate`).
//!
//! Generates 20,000 documents (mixed valid/invalid SeiNodes and SeiNodeDeployments) twice in a
//! temp dir: one file per document, and one multi-document file. Validates each layout a few
//! times through the library the way the CLI does (one pass, parallel over files, text
//! rendering included) and, for comparison, in two passes; prints docs/second.

use std::path::PathBuf;

// The same allocator as the `nodectl` binary, so the figures are the tool's.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::time::Instant;

use nodectl::manifest::{discover_inputs, load_paths_lenient};
use nodectl::validate::render::{render, Format};
use nodectl::validate::{validate_inputs, validate_loads, OldObjects, Options, Report};

const DOCS: usize = 20_000;

/// The i-th generated document: 3 in 4 valid, the rest broken in assorted ways.
fn document(i: usize) -> String {
    let ns = format!("ns-{}", i % 7);
    if i.is_multiple_of(2) {
        let mode = match i % 8 {
            0 => "  fullNode:\n    snapshot:\n      s3:\n        targetHeight: 198740000\n      trustPeriod: 9999h0m0s\n".to_string(),
            2 => "  archive:\n    snapshotGeneration:\n      keepRecent: 5\n".to_string(),
            4 => "  replayer:\n    snapshot:\n      s3:\n        targetHeight: 200940000\n      bootstrapImage: ghcr.io/sei-protocol/sei:v6.3.0\n    resultExport:\n      canonicalRpc: http://rpc.example:26657\n".to_string(),
            _ if i % 12 == 6 => "  fullNode:\n    snapshot:\n      s3:\n        targetHeight: 0\n      stateSync: {}\n  imagePullPolicy: Always\n".to_string(),
            _ => "  validator:\n    snapshot:\n      stateSync: {}\n".to_string(),
        };
        format!(
            "apiVersion: sei.io/v1alpha1\nkind: SeiNode\nmetadata:\n  name: node-{i}\n  namespace: {ns}\n  labels:\n    sei.io/role: rpc\nspec:\n  chainId: pacific-1\n  image: \"ghcr.io/sei-protocol/sei:v6.3.0\"\n  entrypoint:\n    command: [\"seid\"]\n    args: [\"start\", \"--home\", \"/sei\"]\n  sidecar:\n    image: ghcr.io/sei-protocol/seictl@sha256:2cb320dd583000765520293d4e28ecc79fed4432c76760923d3aaa47803a4dbf\n  overrides:\n    giga_executor.enabled: \"true\"\n  peers:\n    - ec2Tags:\n        region: eu-central-1\n        tags:\n          ChainIdentifier: pacific-1\n{mode}"
        )
    } else {
        let strategy = if i % 9 == 1 { "HardFork" } else { "InPlace" };
        format!(
            "apiVersion: sei.io/v1alpha1\nkind: SeiNodeDeployment\nmetadata:\n  name: group-{i}\n  namespace: {ns}\nspec:\n  replicas: 3\n  updateStrategy:\n    type: {strategy}\n  template:\n    metadata:\n      labels:\n        sei.io/role: rpc\n    spec:\n      chainId: pacific-1\n      image: \"ghcr.io/sei-protocol/sei:v6.3.0\"\n      entrypoint:\n        command: [\"seid\"]\n      peers:\n        - static:\n            addresses: [\"abc@10.0.0.1:26656\"]\n      fullNode:\n        snapshot:\n          s3:\n            targetHeight: 198740000\n  networking: {{}}\n  monitoring:\n    serviceMonitor:\n      interval: 30s\n"
        )
    }
}

/// CPU time (user + system) of this process, in seconds, from /proc/self/stat.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // After the command name: state is field 0, utime 11, stime 12 (clock ticks, 100 Hz).
    (ticks(11) + ticks(12)) / 100.0
}

/// One timed run: wall seconds, CPU seconds and the report.
fn timed(run: impl Fn() -> Report) -> (f64, f64, Report) {
    let (t, c) = (Instant::now(), cpu_seconds());
    let report = run();
    (t.elapsed().as_secs_f64(), cpu_seconds() - c, report)
}

fn measure(label: &str, paths: &[PathBuf]) {
    let opts = Options::default();
    let old = OldObjects::default();
    let inputs = discover_inputs(paths, false);
    // What `nodectl validate` runs: read, parse and check each document in one pass, then
    // render the text report.
    let fused = || {
        let report = validate_inputs(&inputs, &old, &opts, &|| {});
        let mut out = Vec::new();
        render(&report, Format::Text, &mut out, &mut Vec::new()).unwrap();
        report
    };
    // The same in two passes (load everything, then validate), for comparison.
    let two_pass = || validate_loads(load_paths_lenient(paths, false), &old, &opts);
    let mut best = [(f64::MAX, f64::MAX); 2];
    for round in 0..3 {
        for (which, name) in ["one pass + text render", "load, then validate"]
            .iter()
            .enumerate()
        {
            let (secs, cpu, report) = if which == 0 {
                timed(fused)
            } else {
                timed(two_pass)
            };
            let s = report.summary();
            assert_eq!(s.documents, DOCS);
            if round == 0 && which == 0 {
                println!(
                    "{label}: {} valid, {} invalid, {} diagnostics",
                    s.valid,
                    s.invalid,
                    s.errors + s.warnings
                );
            }
            best[which] = (best[which].0.min(secs), best[which].1.min(cpu));
            println!(
                "{label}: round {round}, {name}: {secs:.3} s wall ({:.0} docs/s), {cpu:.2} s CPU ({:.0} docs per CPU-second)",
                DOCS as f64 / secs,
                DOCS as f64 / cpu.max(1e-9),
            );
        }
    }
    let [(wall, cpu), (wall2, cpu2)] = best;
    println!(
        "{label}: best {:.0} docs/s wall on {} threads; {:.0} docs per CPU-second (x2 idle cores = {:.0} docs/s); one pass is {:.2}x the two-pass wall rate",
        DOCS as f64 / wall,
        rayon::current_num_threads(),
        DOCS as f64 / cpu,
        2.0 * DOCS as f64 / cpu,
        wall2 / wall,
    );
    let _ = cpu2;
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    // VALIDATE_BENCH_KEEP=DIR writes the corpus there and keeps it (for profiling the binary).
    let root = std::env::var_os("VALIDATE_BENCH_KEEP")
        .map_or_else(|| dir.path().to_path_buf(), PathBuf::from);
    let per_doc = root.join("per-doc");
    std::fs::create_dir_all(&per_doc).unwrap();
    let mut multi = String::new();
    for i in 0..DOCS {
        let d = document(i);
        std::fs::write(per_doc.join(format!("doc-{i:05}.yaml")), &d).unwrap();
        multi.push_str("---\n");
        multi.push_str(&d);
    }
    let multi_path = root.join("all.yaml");
    std::fs::write(&multi_path, &multi).unwrap();
    println!("corpus: {DOCS} documents, {} bytes", multi.len());
    measure("one file per document", &[per_doc]);
    measure("one multi-document file", &[multi_path]);
}
