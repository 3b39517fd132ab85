//! Round-trip the SeiNode / SeiNodeDeployment JSON in the parity fixtures through the
//! typed API and check nothing is added, dropped or changed.

use nodectl::api::{SeiNode, SeiNodeDeployment};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixtures() -> Vec<(String, Value)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/parity");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("testdata/parity")
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("expected.json").is_file())
        .collect();
    dirs.sort();
    assert!(!dirs.is_empty(), "no fixtures under {}", root.display());
    dirs.into_iter()
        .map(|d| {
            let text = std::fs::read_to_string(d.join("expected.json")).unwrap();
            let name = d.file_name().unwrap().to_string_lossy().into_owned();
            (
                name,
                serde_json::from_str(&text).expect("expected.json parses"),
            )
        })
        .collect()
}

/// Typed round trip of an object of the given kind.
fn roundtrip(kind: &str, obj: &Value) -> Result<Value, String> {
    match kind {
        "SeiNode" => SeiNode::from_value(obj).map(|n| n.to_value()),
        "SeiNodeDeployment" => SeiNodeDeployment::from_value(obj).map(|d| d.to_value()),
        _ => unreachable!(),
    }
    .map_err(|e| format!("decode error: {e}"))
}

/// First differences between two JSON values, as `path: expected vs actual`.
fn diff(path: &str, want: &Value, got: &Value, out: &mut Vec<String>) {
    match (want, got) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a {
                match b.get(k) {
                    Some(vb) => diff(&format!("{path}.{k}"), va, vb, out),
                    None => out.push(format!("{path}.{k}: missing (expected {va})")),
                }
            }
            for (k, vb) in b {
                if !a.contains_key(k) {
                    out.push(format!("{path}.{k}: unexpected {vb}"));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (va, vb)) in a.iter().zip(b).enumerate() {
                diff(&format!("{path}[{i}]"), va, vb, out);
            }
        }
        _ if want != got => out.push(format!("{path}: expected {want}, got {got}")),
        _ => {}
    }
}

fn is_api_kind(kind: &str) -> bool {
    kind == "SeiNode" || kind == "SeiNodeDeployment"
}

#[test]
fn write_objects_roundtrip() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for (name, trace) in fixtures() {
        for rec in trace["reconciles"].as_array().unwrap() {
            for w in rec["writes"].as_array().unwrap() {
                let kind = w["kind"].as_str().unwrap();
                let Some(obj) = w.get("object") else { continue };
                if !is_api_kind(kind) {
                    continue;
                }
                checked += 1;
                let mut d = Vec::new();
                match roundtrip(kind, obj) {
                    Ok(got) => diff("", obj, &got, &mut d),
                    Err(e) => d.push(e),
                }
                if !d.is_empty() {
                    failures.push(format!("{name} seq {} {kind}: {}", w["seq"], d.join("; ")));
                }
            }
        }
    }
    println!("round-tripped {checked} SeiNode/SeiNodeDeployment write objects");
    assert!(checked >= 80, "too few write objects found: {checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn final_objects_roundtrip() {
    let mut checked = 0;
    let mut status_patched = 0;
    let mut failures = Vec::new();
    for (name, trace) in fixtures() {
        // Objects whose status was merge-patched in this trace.
        let patched: Vec<(String, String)> = trace["reconciles"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|r| r["writes"].as_array().unwrap())
            .filter(|w| w["subresource"] == "status" && w.get("patchParsed").is_some())
            .map(|w| {
                (
                    w["kind"].as_str().unwrap().into(),
                    w["name"].as_str().unwrap().into(),
                )
            })
            .collect();
        for (i, obj) in trace["finalObjects"].as_array().unwrap().iter().enumerate() {
            let kind = obj["kind"].as_str().unwrap_or_default();
            if !is_api_kind(kind) {
                continue;
            }
            checked += 1;
            let oname = obj["metadata"]["name"].as_str().unwrap_or_default();
            if patched.iter().any(|(k, n)| k == kind && n == oname) {
                status_patched += 1;
            }
            let mut d = Vec::new();
            match roundtrip(kind, obj) {
                Ok(got) => {
                    // The whole object must round-trip; check the parts separately for clearer output.
                    for part in ["kind", "apiVersion", "metadata", "spec", "status"] {
                        diff(part, &obj[part], &got[part], &mut d);
                    }
                    if d.is_empty() && got != *obj {
                        diff("", obj, &got, &mut d);
                    }
                }
                Err(e) => d.push(e),
            }
            if !d.is_empty() {
                failures.push(format!(
                    "{name} finalObjects[{i}] {kind} {oname}: {}",
                    d.join("; ")
                ));
            }
        }
    }
    println!("round-tripped {checked} final objects ({status_patched} with status patches)");
    assert!(checked >= 60, "too few final objects found: {checked}");
    assert!(
        status_patched >= 40,
        "too few status-patched objects: {status_patched}"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Go drops these under omitempty; the subset check ignores them in the input.
fn is_zero(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
    }
}

/// Every non-zero value of `input` is present, unchanged, in `output`.
fn subset(path: &str, input: &Value, output: &Value, out: &mut Vec<String>) {
    match (input, output) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, va) in a.iter().filter(|(_, v)| !is_zero(v)) {
                match b.get(k) {
                    Some(vb) => subset(&format!("{path}.{k}"), va, vb, out),
                    None => out.push(format!("{path}.{k}: dropped {va}")),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (va, vb)) in a.iter().zip(b).enumerate() {
                subset(&format!("{path}[{i}]"), va, vb, out);
            }
        }
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => {}
        _ if input != output => out.push(format!("{path}: input {input}, encoded {output}")),
        _ => {}
    }
}

#[test]
fn cluster_inputs_decode_without_loss() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/parity");
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path().join("cluster.yaml"))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let docs: Vec<Value> = serde_saphyr::from_multiple(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for (i, doc) in docs.iter().enumerate() {
            let kind = doc["kind"].as_str().unwrap_or_default();
            if !is_api_kind(kind) {
                continue;
            }
            checked += 1;
            let mut d = Vec::new();
            match roundtrip(kind, doc) {
                Ok(once) => {
                    subset("", doc, &once, &mut d);
                    // Encoding is a fixed point after one pass.
                    match roundtrip(kind, &once) {
                        Ok(twice) if twice == once => {}
                        Ok(twice) => diff("(2nd pass)", &once, &twice, &mut d),
                        Err(e) => d.push(e),
                    }
                }
                Err(e) => d.push(e),
            }
            if !d.is_empty() {
                failures.push(format!(
                    "{} doc {i} {kind}: {}",
                    file.display(),
                    d.join("; ")
                ));
            }
        }
    }
    println!("decoded {checked} SeiNode/SeiNodeDeployment cluster.yaml documents");
    assert!(checked >= 60, "too few cluster documents: {checked}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
