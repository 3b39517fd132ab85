//! Every parity fixture re-run under outside-world variations the public traces do
//! not cover (failing, unknown or unreachable sidecars, build and poll errors, DNS
//! either way, nodes still initializing): the pipeline must never panic, and
//! reruns must be deterministic.

use std::path::Path;

use nodectl::sim::{run_fixture, Fixture, RunOptions};
use serde_json::json;

fn variants() -> Vec<serde_json::Value> {
    vec![
        json!({"sidecar": {"default": "failed", "error": "disk full"}}),
        json!({"sidecar": {"default": "notfound"}, "dns": {"default": "resolvable"}}),
        json!({"sidecar": {"getTaskError": "connection reset", "buildError": "bad url"}}),
        json!({"sidecar": {"submitError": "sidecar busy"}, "podSidecar": {"status": "Initializing"}}),
        json!({"podSidecar": {"unreachable": {"*": true}}, "dns": {"default": "unresolvable"}}),
    ]
}

#[test]
fn fixtures_survive_outside_world_variations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/parity");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    dirs.retain(|d| d.join("scenario.yaml").exists());
    dirs.sort();
    let mut runs = 0;
    for dir in &dirs {
        let base = Fixture::load(dir).expect("fixture loads");
        for variant in variants() {
            let mut fixture = base.clone();
            let mut scenario = serde_json::to_value(ScenarioPatch::from(&fixture)).unwrap();
            for (k, v) in variant.as_object().unwrap() {
                scenario[k] = v.clone();
            }
            // Unreachable "*" means every node in the fixture.
            if scenario.pointer("/podSidecar/unreachable/*").is_some() {
                let names: serde_json::Map<String, serde_json::Value> = fixture
                    .objects
                    .iter()
                    .filter(|o| o["kind"] == "SeiNode")
                    .filter_map(|o| o.pointer("/metadata/name").and_then(|n| n.as_str()))
                    .map(|n| (n.to_string(), json!(true)))
                    .collect();
                scenario["podSidecar"]["unreachable"] = serde_json::Value::Object(names);
            }
            fixture.scenario =
                serde_json::from_value(scenario).expect("variant is a valid scenario");
            let options = RunOptions {
                reconciles: Some(fixture.scenario.reconcile_count().max(2)),
                ..RunOptions::default()
            };
            let first = run_fixture(&fixture, &options).map(|t| t.to_json());
            let second = run_fixture(&fixture, &options).map(|t| t.to_json());
            let (first, second) = match (first, second) {
                (Ok(a), Ok(b)) => (a, b),
                (a, _) => panic!("{}: {variant}: {a:?}", dir.display()),
            };
            assert_eq!(first, second, "{}: {variant}: reruns differ", dir.display());
            runs += 1;
        }
    }
    assert_eq!(runs, dirs.len() * variants().len());
}

/// The parts of a scenario this test keeps from the fixture.
#[derive(serde::Serialize)]
struct ScenarioPatch {
    target: serde_json::Value,
    now: Option<String>,
    #[serde(rename = "installedCRDs")]
    installed_crds: Vec<String>,
}

impl From<&Fixture> for ScenarioPatch {
    fn from(f: &Fixture) -> Self {
        let t = &f.scenario.target;
        ScenarioPatch {
            target: json!({"kind": t.kind, "namespace": t.namespace, "name": t.name}),
            now: f.scenario.now.clone(),
            installed_crds: f.scenario.installed_crds.clone(),
        }
    }
}
