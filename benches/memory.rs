//! Peak memory on inputs near the loader's limits (run: `cargo bench --bench memory`):
//! `validate` and `plan` on files of many documents, big scalars and deep nesting, each
//! reported as peak RSS (the child's own `ru_maxrss`), input size and their ratio. Issue:
//! memory stays within a few times the input size.
//!
//! Each case is also run on the binary named by `NODECTL_BASELINE` (as benches/fleet.rs
//! does), so the ratios against an earlier build come from the same run. The first line gives
//! each binary's floor: its peak RSS on a one-document input (schemas and CEL programs
//! loaded), which no input size can go under.
//!
//! Environment: `NODECTL_BENCH_SCALE` (percent of the full sizes, default 100; the full
//! inputs are ~60 MiB each), `NODECTL_BENCH_NODES` (SeiNodes in the planned fleet case,
//! default 1000), `NODECTL_BASELINE` (binary to compare with; without it no ratio is
//! printed).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[path = "support/rss.rs"]
mod rss;
use rss::{run, Run};

const NODECTL: &str = env!("CARGO_BIN_EXE_nodectl");

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A ConfigMap document (not planned; validated) with `data.k` = `value` and `extra` fields.
fn config_map(i: usize, value: &str, extra: &str) -> String {
    format!(
        r#"{{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"c-{i}","namespace":"default"}},"data":{{"k":"{value}"}}{extra}}}"#
    )
}

/// Document `i` of an input of ConfigMaps: the first is a SeiNode, so `plan` has a target to
/// reconcile and lists every ConfigMap in `finalObjects` (without one it stops after reading).
fn led_by_a_node(i: usize, doc: impl FnOnce() -> String) -> String {
    if i == 0 {
        seinode(0)
    } else {
        doc()
    }
}

fn seinode(i: usize) -> String {
    format!(
        r#"{{"apiVersion":"sei.io/v1alpha1","kind":"SeiNode","metadata":{{"name":"node-{i}","namespace":"ns-{ns}"}},"spec":{{"chainId":"pacific-1","image":"ghcr.io/sei-protocol/sei:v6.3.0","entrypoint":{{"command":["seid"],"args":["start","--home","/sei"]}},"peers":[{{"ec2Tags":{{"region":"eu-central-1","tags":{{"ChainIdentifier":"pacific-1","Component":"state-syncer"}}}}}}],"fullNode":{{}}}}}}"#,
        ns = i % 10
    )
}

/// Writes `count` documents made by `doc` to `dir/name`; returns the path and its size.
/// Written document by document: a child's `ru_maxrss` starts from this process's own peak
/// (the child is spawned sharing this address space until it execs), so holding a whole
/// input here would put a floor under every figure.
fn write(dir: &Path, name: &str, count: usize, doc: impl Fn(usize) -> String) -> (PathBuf, u64) {
    use std::io::Write as _;
    let path = dir.join(name);
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create the input"));
    let mut size = 0u64;
    for i in 0..count {
        let text = format!("---\n{}\n", doc(i));
        file.write_all(text.as_bytes()).expect("write the input");
        size += text.len() as u64;
    }
    file.flush().expect("write the input");
    (path, size)
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / f64::from(1u32 << 20)
}

fn main() {
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wanted = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));
    let scale = env_usize("NODECTL_BENCH_SCALE", 100).max(1);
    let scaled = |n: usize| (n * scale / 100).max(1);
    let nodes = env_usize("NODECTL_BENCH_NODES", 1000);
    let dir = tempfile::tempdir().expect("temp dir");
    let big = "x".repeat((1 << 20) - 200);
    let deep = format!(r#","x":{}{}"#, "[".repeat(95), "]".repeat(95));
    let padding = "p".repeat(560);
    let inputs: Vec<(&str, (PathBuf, u64))> = vec![
        (
            "100k documents, 60 MiB",
            write(dir.path(), "many.yaml", scaled(99_999), |i| {
                led_by_a_node(i, || config_map(i, &padding, ""))
            }),
        ),
        (
            "100k small documents",
            write(dir.path(), "small.yaml", scaled(99_999), |i| {
                led_by_a_node(i, || config_map(i, "v", ""))
            }),
        ),
        (
            "60 scalars of 1 MiB",
            write(dir.path(), "scalars.yaml", scaled(60), |i| {
                led_by_a_node(i, || config_map(i, &big, ""))
            }),
        ),
        (
            "100k docs nested 97 deep",
            write(dir.path(), "deep.yaml", scaled(99_999), |i| {
                led_by_a_node(i, || config_map(i, "v", &deep))
            }),
        ),
        (
            "SeiNode fleet",
            write(dir.path(), "fleet.yaml", nodes, seinode),
        ),
    ];
    let now = "--now=2026-01-01T00:00:00Z";
    let baseline = std::env::var_os("NODECTL_BASELINE").map(PathBuf::from);
    match &baseline {
        Some(b) => println!("baseline: {}", b.display()),
        None => println!("NODECTL_BASELINE is not set: no ratios against an earlier build"),
    }
    println!(
        "peak RSS against input size ({scale}% of the full sizes, {nodes} SeiNodes in the fleet)"
    );
    let (one, _) = write(dir.path(), "one.yaml", 1, seinode);
    let one = one.to_str().expect("utf-8 temp path");
    let floor = |binary: &Path| run(binary, &["validate", "-f", one, "-o", "json"]).peak_rss;
    let mut line = format!(
        "floor (validate of one SeiNode)      peak RSS {:>8.1} MiB",
        mib(floor(Path::new(NODECTL)))
    );
    if let Some(old) = &baseline {
        let _ = write!(line, "  | baseline {:>8.1} MiB", mib(floor(old)));
    }
    println!("{line}");
    for (label, (path, size)) in &inputs {
        let file = path.to_str().expect("utf-8 temp path");
        for (command, args) in [
            ("validate", vec!["validate", "-f", file, "-o", "json"]),
            ("plan", vec!["plan", "-f", file, now, "-o", "json"]),
        ] {
            let name = format!("{command} {label}");
            if !wanted(&name) {
                continue;
            }
            let r = run(Path::new(NODECTL), &args);
            let mut line = format!(
                "{name:<36} input {:>7.1} MiB  {}",
                mib(*size),
                figures(&r, *size)
            );
            if let Some(old) = &baseline {
                let b = run(old, &args);
                let _ = write!(
                    line,
                    "  | baseline {}  | {:>5.1}x less memory",
                    figures(&b, *size),
                    b.peak_rss as f64 / r.peak_rss.max(1) as f64
                );
            }
            println!("{line}");
        }
    }
}

/// Peak RSS, its ratio to the input size, wall time and a failed exit.
fn figures(r: &Run, size: u64) -> String {
    format!(
        "peak RSS {:>8.1} MiB {:>6.1}x input {:>6.2} s{}",
        mib(r.peak_rss),
        r.peak_rss as f64 / size.max(1) as f64,
        r.wall.as_secs_f64(),
        if r.ok { "" } else { " (exit non-zero)" },
    )
}
