//! Pipeline benchmarks (run: `cargo bench --bench pipeline`): `simulate` on the
//! largest SeiNode and SeiNodeDeployment fixtures, and `plan` on generated fleets
//! of 1,000 and 4,000 SeiNodes. Prints mean time per run; compare figures from one
//! run only. Uses the allocator the `nodectl` binary ships with.

use std::path::Path;
use std::time::{Duration, Instant};

use nodectl::engine::plan::{plan, targets_of, PlanOptions};
use nodectl::env::Clock;
use nodectl::sim::{run_fixture, Fixture, RunOptions};
use serde_json::{json, Value};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Runs `f` repeatedly for about `budget` (at least 3 times) and returns the mean.
fn measure(budget: Duration, mut f: impl FnMut()) -> (usize, Duration) {
    f(); // warm-up
    let start = Instant::now();
    let mut runs = 0;
    while runs < 3 || start.elapsed() < budget {
        f();
        runs += 1;
    }
    (runs, start.elapsed() / runs as u32)
}

fn fixture_bench(name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/parity")
        .join(name);
    let fixture = Fixture::load(&dir).expect("fixture loads");
    let (runs, mean) = measure(Duration::from_secs(2), || {
        run_fixture(&fixture, &RunOptions::default()).expect("fixture runs");
    });
    println!(
        "simulate {name:<40} {runs:>6} runs  mean {:>10.1} µs",
        mean.as_secs_f64() * 1e6
    );
}

/// A fleet of `n` SeiNodes of mixed modes across 10 namespaces.
fn fleet(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let mode = match i % 4 {
                0 => json!({"fullNode": {"snapshot": {"s3": {"targetHeight": 198740000}, "trustPeriod": "9999h0m0s"}}}),
                1 => json!({"archive": {}}),
                2 => json!({"validator": {}}),
                _ => json!({"fullNode": {}}),
            };
            let mut spec = json!({
                "chainId": "pacific-1",
                "image": "ghcr.io/sei-protocol/sei:v6.3.0",
                "entrypoint": {"command": ["seid"], "args": ["start", "--home", "/sei"]},
                "peers": [{"label": {"selector": {"sei.io/chain": "pacific-1"}}}],
            });
            if let (Some(s), Some(m)) = (spec.as_object_mut(), mode.as_object()) {
                s.extend(m.clone());
            }
            json!({
                "apiVersion": "sei.io/v1alpha1",
                "kind": "SeiNode",
                "metadata": {"name": format!("node-{i}"), "namespace": format!("ns-{}", i % 10),
                             "labels": {"sei.io/chain": "pacific-1"}},
                "spec": spec,
            })
        })
        .collect()
}

fn fleet_bench(n: usize) {
    let objects = fleet(n);
    let targets = targets_of(&objects);
    let options = PlanOptions::new(Clock::parse("2026-01-01T00:00:00Z").expect("valid time"));
    let (runs, mean) = measure(Duration::from_secs(3), || {
        let report = plan(&objects, &targets, &options).expect("plan runs");
        assert_eq!(report.targets.len(), n);
    });
    println!(
        "plan fleet of {n} SeiNodes {:>24} runs  mean {:>10.1} ms ({:.1} µs per SeiNode)",
        runs,
        mean.as_secs_f64() * 1e3,
        mean.as_secs_f64() * 1e6 / n as f64
    );
}

fn main() {
    fixture_bench("full-node-s3-fresh-x6");
    fixture_bench("replayer-bootstrap-job-complete");
    fixture_bench("snd-rpc-networking-crds-installed");
    fixture_bench("snd-hardfork-rollout");
    fleet_bench(1_000);
    fleet_bench(4_000);
}
