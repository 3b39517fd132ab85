//! Input objects of kinds a plan does not reconcile are held compactly until read: a plan
//! lists them in `finalObjects` exactly as given (values, key order, unicode, big and
//! negative integers, floats), with the server's fields added as for any stored object.

use assert_cmd::Command;
use serde_json::{json, Value};

const INPUT: &str = r#"---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
  namespace: default
  labels: {z: "1", a: "2"}
spec:
  zeta: "é \"quoted\" \u0001 ✓"
  big: 18446744073709551615
  neg: -9007199254740993
  nested: [[[{b: null, a: true}]], []]
  alpha: {}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: f, namespace: default}
spec: {ratio: 0.1, third: 0.3333333333333333}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c, namespace: other}
data: {k2: "two\nlines", k1: ""}
"#;

fn plan(dir: &std::path::Path) -> Value {
    let node = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/seinode/pacific-1-full-node.yaml"
    ))
    .expect("example");
    let file = dir.join("input.yaml");
    std::fs::write(&file, format!("{node}\n{INPUT}")).expect("write");
    let out = Command::cargo_bin("nodectl")
        .expect("binary builds")
        .env("RUST_BACKTRACE", "0")
        .args(["plan", "--now", "2026-01-01T00:00:00Z", "-o", "json", "-f"])
        .arg(&file)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON output")
}

fn listed<'a>(plan: &'a Value, kind: &str, name: &str) -> &'a Value {
    plan["finalObjects"]
        .as_array()
        .expect("finalObjects")
        .iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("{kind} {name} in finalObjects"))
}

#[test]
fn objects_no_plan_reconciles_are_listed_exactly_as_given() {
    let dir = tempfile::tempdir().expect("temp dir");
    let plan = plan(dir.path());
    let widget = listed(&plan, "Widget", "w");
    let spec = json!({
        "zeta": "é \"quoted\" \u{1} ✓",
        "big": 18446744073709551615u64,
        "neg": -9007199254740993i64,
        "nested": [[[{"b": null, "a": true}]], []],
        "alpha": {},
    });
    assert_eq!(widget["spec"], spec);
    // Key order is the input's (maps are ordered), so the text is the same too.
    assert_eq!(
        serde_json::to_string(&widget["spec"]).unwrap(),
        serde_json::to_string(&spec).unwrap()
    );
    let meta = &widget["metadata"];
    assert_eq!(meta["labels"], json!({"z": "1", "a": "2"}));
    assert_eq!(
        serde_json::to_string(&meta["labels"]).unwrap(),
        r#"{"z":"1","a":"2"}"#
    );
    assert_eq!(meta["creationTimestamp"], "2026-01-01T00:00:00Z");
    assert!(
        meta["uid"].as_str().is_some_and(|u| u.len() == 36),
        "{meta}"
    );
    assert!(meta["resourceVersion"].as_str().is_some(), "{meta}");
    // Floats are kept parsed (a text round trip might change their last digit).
    let floats = listed(&plan, "Widget", "f");
    assert_eq!(
        floats["spec"],
        json!({"ratio": 0.1, "third": 0.3333333333333333})
    );
    let config = listed(&plan, "ConfigMap", "c");
    assert_eq!(config["data"], json!({"k2": "two\nlines", "k1": ""}));
    assert_eq!(config["metadata"]["namespace"], "other");
}
