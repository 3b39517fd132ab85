//! `nodectl validate` on 20,000 realistic documents (run: `cargo bench --bench validate_realistic`).
//!
//! Each document is ~3.7 KB like the manifests in `examples/`: a comment header, labels and
//! annotations, sidecar resources, ~35 config overrides, EC2-tag, label and static peers; one in ten
//! is a SeiNodeDeployment carrying the same node template. One file per document. The release
//! binary is run end to end (`validate -f DIR`, text and `-o github`), alternating with the binary
//! named by `NODECTL_BASELINE` (the previous code) when it is set, and each figure is printed with
//! the ratio of medians from this same run. `NODECTL_BENCH_DIR=DIR` writes the corpus to DIR and
//! leaves it there.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

const DOCS: usize = 20_000;
const ROUNDS: usize = 5;

const OVERRIDES: &[(&str, &str)] = &[
    ("giga_executor.enabled", "true"),
    ("p2p.max_num_inbound_peers", "120"),
    ("p2p.max_num_outbound_peers", "40"),
    ("p2p.send_rate", "20480000"),
    ("p2p.recv_rate", "20480000"),
    ("mempool.size", "5000"),
    ("mempool.cache_size", "10000"),
    ("consensus.timeout_commit", "400ms"),
    ("consensus.timeout_propose", "1s"),
    ("state_sync.fetchers", "4"),
    ("db_sync.snapshot_interval", "1000"),
    ("statesync.chunk_request_timeout", "15s"),
    ("tx_index.indexer", "kv"),
    ("instrumentation.prometheus", "true"),
    ("evm.http_port", "8545"),
    ("evm.ws_port", "8546"),
    ("evm.max_log_no_block", "10000"),
    ("evm.max_blocks_for_log", "2000"),
    ("app.minimum-gas-prices", "0.02usei"),
    ("app.pruning", "custom"),
    ("app.pruning-keep-recent", "86400"),
    ("app.pruning-interval", "10"),
    ("app.iavl-cache-size", "781250"),
    ("storage.ss_enable", "true"),
    ("storage.ss_keep_recent", "100000"),
    ("storage.sc_async_commit_buffer", "100"),
    ("evm.http_enabled", "true"),
    ("evm.ws_enabled", "true"),
    ("evm.max_subscriptions_new_head", "10000"),
    ("p2p.persistent_peers_max_dial_period", "10s"),
    ("p2p.allow_duplicate_ip", "true"),
    ("rpc.max_open_connections", "900"),
    ("rpc.timeout_broadcast_tx_commit", "10s"),
    ("storage.state_store.enable", "true"),
    ("storage.state_commit.async_commit_buffer", "100"),
];

const HEADER: &str = "# Bootstraps from an S3 snapshot, then block-syncs to tip. Peers come from
# EC2 tags, the rpc label and a static list kept by the platform team.
# Overrides follow the pacific-1 tuning guide (p2p rates, mempool, EVM limits)
# and are reviewed with every release of seid.
";

/// The spec of node `i` (two-space indented, as under `spec:`).
fn node_spec(i: usize) -> String {
    let overrides: String = OVERRIDES
        .iter()
        .map(|(k, v)| format!("    {k}: \"{v}\"\n"))
        .collect();
    let addresses: String = (0..8)
        .map(|j| {
            format!(
                "          - \"{:040x}@10.{j}.{}.{}:26656\"\n",
                (i * 7 + j) % 997,
                i % 250,
                (i + j) % 250
            )
        })
        .collect();
    let mode = match i % 3 {
        0 => "  fullNode:\n    snapshot:\n      s3:\n        targetHeight: 198740000\n      trustPeriod: \"9999h0m0s\"\n",
        1 => "  archive:\n    snapshotGeneration:\n      keepRecent: 5\n",
        _ => "  validator:\n    snapshot:\n      stateSync: {}\n",
    };
    format!(
        "  chainId: pacific-1
  image: \"ghcr.io/sei-protocol/sei:v6.3.0\"
  entrypoint:
    command: [\"seid\"]
    args: [\"start\", \"--home\", \"/sei\", \"--log_level\", \"info\", \"--log_format\", \"json\", \"--trace\"]
  sidecar:
    image: ghcr.io/sei-protocol/seictl@sha256:2cb320dd583000765520293d4e28ecc79fed4432c76760923d3aaa47803a4dbf
    port: 7777
    resources:
      requests:
        cpu: 250m
        memory: 256Mi
      limits:
        cpu: \"1\"
        memory: 1Gi
  podLabels:
    sei.io/pool: rpc-{}
    cost-center: \"cc-4412\"
  overrides:
{overrides}  peers:
    # EC2 instances of the state-syncer fleet, by tag.
    - ec2Tags:
        region: eu-central-1
        tags:
          ChainIdentifier: pacific-1
          Component: state-syncer
    # RPC nodes of the same chain in this namespace.
    - label:
        selector:
          sei.io/chain: pacific-1
          sei.io/role: rpc
    # Long-lived peers run by partners; keep in sync with the partner sheet.
    - static:
        addresses:
{addresses}{mode}",
        i % 4
    )
}

/// The i-th document: nine in ten SeiNodes, one in ten SeiNodeDeployments.
fn document(i: usize) -> String {
    if i % 10 == 9 {
        let template: String = node_spec(i).lines().map(|l| format!("    {l}\n")).collect();
        format!(
            "# SeiNodeDeployment {i}: an RPC group of the pacific-1 fleet.\n#\n{HEADER}apiVersion: sei.io/v1alpha1
kind: SeiNodeDeployment
metadata:
  name: pacific-1-rpc-{i:05}
  namespace: sei-{}
  labels:
    app.kubernetes.io/part-of: pacific-1
    team: platform-rpc
spec:
  replicas: 3
  updateStrategy:
    type: InPlace
  template:
    metadata:
      labels:
        sei.io/role: rpc
    spec:
{template}",
            i % 10
        )
    } else {
        format!(
            "# SeiNode {i}: a chain-following node of the pacific-1 fleet.\n#\n{HEADER}apiVersion: sei.io/v1alpha1
kind: SeiNode
metadata:
  name: pacific-1-node-{i:05}
  namespace: sei-{}
  labels:
    app.kubernetes.io/name: seid
    app.kubernetes.io/part-of: pacific-1
    app.kubernetes.io/managed-by: platform
    sei.io/chain: pacific-1
    sei.io/role: rpc
    team: platform-rpc
  annotations:
    platform.sei.io/owner: \"rpc-oncall@example.com\"
    platform.sei.io/runbook: \"https://runbooks.example.com/sei/pacific-1/full-node#restore\"
    platform.sei.io/change: \"CHG-{}\"
spec:
{}",
            i % 10,
            100_000 + i,
            node_spec(i)
        )
    }
}

/// Runs `binary validate -f dir -o format` once; wall seconds and the summary line.
fn run(binary: &Path, dir: &Path, format: &str) -> (f64, String) {
    let start = Instant::now();
    let out = Command::new(binary)
        .args(["validate", "-f"])
        .arg(dir)
        .args(["-o", format])
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("the binary runs");
    let secs = start.elapsed().as_secs_f64();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let summary = text
        .lines()
        .find(|l| l.contains("documents checked"))
        .unwrap_or("")
        .to_string();
    (secs, summary)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    // NODECTL_BENCH_DIR keeps the corpus there, for profiling a run by hand.
    let docs = std::env::var_os("NODECTL_BENCH_DIR")
        .map_or_else(|| dir.path().join("docs"), std::path::PathBuf::from);
    std::fs::create_dir_all(&docs).unwrap();
    let mut bytes = 0;
    for i in 0..DOCS {
        let d = document(i);
        bytes += d.len();
        std::fs::write(docs.join(format!("doc-{i:05}.yaml")), d).unwrap();
    }
    println!(
        "corpus: {DOCS} documents, one file each, {:.0} bytes on average",
        bytes as f64 / DOCS as f64
    );
    let current = Path::new(env!("CARGO_BIN_EXE_nodectl"));
    let baseline = std::env::var_os("NODECTL_BASELINE").map(std::path::PathBuf::from);
    if baseline.is_none() {
        println!("NODECTL_BASELINE is not set: no ratio against the previous code");
    }
    for format in ["text", "github"] {
        let (mut now, mut before) = (Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            let (secs, summary) = run(current, &docs, format);
            assert!(
                summary.contains(&format!("{DOCS} documents checked")),
                "unexpected summary: {summary:?}"
            );
            now.push(secs);
            if let Some(b) = &baseline {
                before.push(run(b, &docs, format).0);
            }
        }
        let m = median(now);
        print!(
            "validate -o {format:<6}: median {m:.3} s wall, {:.0} docs/s",
            DOCS as f64 / m
        );
        if !before.is_empty() {
            let mb = median(before);
            print!(
                "; previous code {mb:.3} s ({:.0} docs/s): {:.2}x faster",
                DOCS as f64 / mb,
                mb / m
            );
        }
        println!(" [{ROUNDS} runs each, alternating]");
    }
}
