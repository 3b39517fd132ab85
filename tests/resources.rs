//! Fixture oracle for the generated node resources: every PVC / bootstrap Service /
//! bootstrap Job Create and every StatefulSet / Service server-side apply that the Go
//! operator sent in a SeiNode fixture must equal what `nodectl::resources` generates
//! for the owning SeiNode of `cluster.yaml`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use nodectl::api::SeiNode;
use nodectl::platform::Platform;
use nodectl::resources;
use nodectl::sim::runner::build_env;
use nodectl::sim::scenario::Fixture;
use serde_json::Value;

const APPLY_PATCH: &str = "application/apply-patch+yaml";

/// Which generator produced a recorded write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Generated {
    DataPvc,
    StatefulSet,
    HeadlessService,
    BootstrapService,
    BootstrapJob,
}

impl Generated {
    /// Classifies a write record; `None` for writes these generators do not make.
    fn of(write: &Value) -> Option<(Generated, &Value)> {
        let field = |k: &str| write.get(k).and_then(Value::as_str).unwrap_or_default();
        let generated = match (field("verb"), field("kind"), field("patchType")) {
            ("Patch", "StatefulSet", APPLY_PATCH) => Generated::StatefulSet,
            ("Patch", "Service", APPLY_PATCH) => Generated::HeadlessService,
            ("Create", "PersistentVolumeClaim", _) => Generated::DataPvc,
            ("Create", "Service", _) => Generated::BootstrapService,
            ("Create", "Job", _) => Generated::BootstrapJob,
            _ => return None,
        };
        let body = match generated {
            Generated::StatefulSet | Generated::HeadlessService => write.get("patchParsed"),
            _ => write.get("object"),
        }?;
        Some((generated, body))
    }

    fn generate(self, node: &SeiNode, platform: &Platform) -> Value {
        match self {
            Generated::DataPvc => resources::data_pvc(node, platform),
            Generated::StatefulSet => resources::statefulset(node, platform),
            Generated::HeadlessService => resources::headless_service(node, platform),
            Generated::BootstrapService => resources::bootstrap_service(node, platform),
            Generated::BootstrapJob => resources::bootstrap_job(node, platform)
                .unwrap_or_else(|e| panic!("bootstrap job not generated: {e}")),
        }
    }

    /// The name the write must carry.
    fn expected_name(self, node: &SeiNode) -> String {
        match self {
            Generated::DataPvc => resources::data_pvc_name(node),
            Generated::BootstrapJob => resources::bootstrap_job_name(node),
            Generated::BootstrapService => resources::bootstrap_service_name(node),
            Generated::StatefulSet | Generated::HeadlessService => node.name().to_string(),
        }
    }
}

fn fixture_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/parity");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("testdata/parity exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.json").is_file())
        .collect();
    dirs.sort();
    dirs
}

fn str_at<'v>(v: &'v Value, path: &[&str]) -> &'v str {
    path.iter()
        .try_fold(v, |v, k| v.get(k))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

/// The SeiNodes of cluster.yaml by `(namespace, name)`. A node without a uid gets the
/// one the Go harness assigned, read from the expected trace's final objects.
fn seinodes(fixture: &Fixture, expected: &Value) -> BTreeMap<(String, String), SeiNode> {
    let final_uid = |ns: &str, name: &str| {
        expected["finalObjects"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|o| {
                str_at(o, &["kind"]) == "SeiNode"
                    && str_at(o, &["metadata", "namespace"]) == ns
                    && str_at(o, &["metadata", "name"]) == name
            })
            .map(|o| str_at(o, &["metadata", "uid"]).to_string())
    };
    fixture
        .objects
        .iter()
        .filter(|o| str_at(o, &["kind"]) == "SeiNode")
        .map(|o| {
            let mut node = SeiNode::from_value(o).expect("cluster SeiNode decodes");
            if node.metadata.uid.is_empty() {
                node.metadata.uid = final_uid(node.namespace(), node.name()).unwrap_or_default();
            }
            (
                (node.namespace().to_string(), node.name().to_string()),
                node,
            )
        })
        .collect()
}

/// Every path where two JSON values differ, with both sides.
fn json_diff(expected: &Value, actual: &Value, path: &str, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                match a.get(k) {
                    Some(av) => json_diff(ev, av, &format!("{path}.{k}"), out),
                    None => out.push(format!("{path}.{k}: missing (expected {ev})")),
                }
            }
            for (k, av) in a {
                if !e.contains_key(k) {
                    out.push(format!("{path}.{k}: unexpected {av}"));
                }
            }
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                json_diff(ev, av, &format!("{path}[{i}]"), out);
            }
        }
        _ if expected != actual => {
            out.push(format!("{path}: expected {expected}, actual {actual}"))
        }
        _ => {}
    }
}

#[test]
fn generated_bodies_match_every_fixture_write() {
    let mut checked: BTreeMap<Generated, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut seinode_fixtures = 0;
    for dir in fixture_dirs() {
        let fixture = Fixture::load(&dir).expect("fixture loads");
        if fixture.scenario.target.kind != "SeiNode" {
            continue;
        }
        seinode_fixtures += 1;
        let fixture_name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let text = std::fs::read_to_string(dir.join("expected.json")).expect("expected.json");
        let expected: Value = serde_json::from_str(&text).expect("expected.json parses");
        let platform = build_env(&fixture.scenario, &fixture.objects)
            .expect("environment builds")
            .platform;
        let nodes = seinodes(&fixture, &expected);
        let writes = expected["reconciles"]
            .as_array()
            .into_iter()
            .flatten()
            .flat_map(|r| r["writes"].as_array().into_iter().flatten());
        for write in writes {
            let Some((generated, body)) = Generated::of(write) else {
                continue;
            };
            let seq = &write["seq"];
            let owner = body["metadata"]["ownerReferences"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|r| r["controller"] == Value::Bool(true) && r["kind"] == "SeiNode");
            let owner_name = owner.map(|r| str_at(r, &["name"])).unwrap_or_default();
            let key = (
                str_at(write, &["namespace"]).to_string(),
                owner_name.to_string(),
            );
            let Some(node) = nodes.get(&key) else {
                failures.push(format!(
                    "{fixture_name} #{seq}: no SeiNode {key:?} owns the write"
                ));
                continue;
            };
            assert_eq!(str_at(write, &["name"]), generated.expected_name(node));
            let actual = generated.generate(node, &platform);
            let mut diffs = Vec::new();
            json_diff(body, &actual, "$", &mut diffs);
            if !diffs.is_empty() {
                failures.push(format!(
                    "{fixture_name} #{seq} {generated:?}:\n  {}",
                    diffs.join("\n  ")
                ));
            }
            *checked.entry(generated).or_default() += 1;
        }
    }
    let total: usize = checked.values().sum();
    println!("checked {total} writes in {seinode_fixtures} SeiNode fixtures: {checked:?}");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(total > 0, "no fixture writes were checked");
}
