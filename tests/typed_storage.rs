//! Typed storage through `nodectl plan -o json`: objects written in a form Go
//! would not write back are held (and end) in Go's form, with no phantom write,
//! diff or generation bump from the re-encoding alone.

use assert_cmd::Command;
use serde_json::Value;

/// `plan -o json` of one manifest text; (exit code, trace document, stderr).
fn plan_json(manifest: &str) -> (i32, Value, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("objects.yaml");
    std::fs::write(&path, manifest).expect("write manifest");
    let out = Command::cargo_bin("nodectl")
        .expect("binary builds")
        .env("NO_COLOR", "1")
        .args([
            "plan",
            // These manifests are deliberately not in Go's form (unknown fields, missing
            // defaults): storage is under test here, not validation.
            "--validate=ignore",
            "--now",
            "2026-01-01T00:00:00Z",
            "--seed",
            "1",
            "-o",
            "json",
            "-f",
        ])
        .arg(&path)
        .output()
        .expect("runs");
    let doc = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    (out.status.code().unwrap_or(-1), doc, err)
}

fn final_object<'a>(doc: &'a Value, kind: &str, name: &str) -> Option<&'a Value> {
    doc["finalObjects"]
        .as_array()
        .expect("finalObjects")
        .iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
}

fn writes(doc: &Value) -> Vec<&Value> {
    doc["reconciles"]
        .as_array()
        .expect("reconciles")
        .iter()
        .flat_map(|r| r["writes"].as_array().expect("writes"))
        .collect()
}

const DELETING_NODE: &str = r#"
apiVersion: sei.io/v1alpha1
kind: SeiNode
metadata:
  name: gone
  namespace: default
  finalizers: ["sei.io/seinode-finalizer"]
  deletionTimestamp: "DELETION"
spec:
  chainId: pacific-1
  image: "ghcr.io/sei-protocol/sei:v6.3.0"
  fullNode: {}
"#;

/// A deletionTimestamp written with an offset (or a fraction) is the same instant
/// after typed storage, so the operator's finalizer-removing Update, which writes
/// it back in UTC, is not refused as a change of an immutable field.
#[test]
fn a_node_deleted_at_an_offset_time_is_finalised() {
    for deletion in [
        "2026-01-01T00:00:00+01:00",
        "2025-12-31T23:00:00.5Z",
        "2025-12-31T23:00:00Z",
    ] {
        let (code, doc, err) = plan_json(&DELETING_NODE.replace("DELETION", deletion));
        assert_eq!(code, 0, "{deletion}: {err}");
        assert!(
            final_object(&doc, "SeiNode", "gone").is_none(),
            "{deletion}: the node is finalised and removed"
        );
        let update = writes(&doc)
            .into_iter()
            .find(|w| w["verb"] == "Update")
            .expect("the finalizer update");
        assert_eq!(update["error"], Value::Null, "{deletion}");
        assert_eq!(
            update["object"]["metadata"]["deletionTimestamp"], "2025-12-31T23:00:00Z",
            "{deletion}: the operator read the instant in Go's form"
        );
    }
}

/// A node written with unknown fields, empty-but-present fields, a fractional
/// creation time and non-canonical quantities ends in Go's form, and its
/// generation is not bumped by the operator's finalizer Update: the cluster would
/// have held it in that form all along.
#[test]
fn a_node_in_non_go_form_is_stored_as_go_encodes_it() {
    let (code, doc, err) = plan_json(
        r#"
apiVersion: sei.io/v1alpha1
kind: SeiNode
metadata:
  name: node-a
  namespace: default
  creationTimestamp: "2025-12-31T12:00:00.25-02:00"
  labels: {}
  annotations: {}
  surprise: 1
spec:
  chainId: pacific-1
  image: "ghcr.io/sei-protocol/sei:v6.3.0"
  fullNode: {}
  podLabels: {}
  sidecar:
    image: seictl
    resources:
      requests: {cpu: "0.5", memory: "32768Mi"}
"#,
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("metadata.surprise"),
        "the dropped field is reported: {err}"
    );
    let node = final_object(&doc, "SeiNode", "node-a").expect("the node");
    let meta = &node["metadata"];
    assert_eq!(meta["creationTimestamp"], "2025-12-31T14:00:00Z");
    assert!(meta.get("labels").is_none() && meta.get("annotations").is_none());
    assert!(meta.get("surprise").is_none());
    assert_eq!(meta["generation"], 1, "no phantom generation bump");
    assert!(
        node["spec"].get("podLabels").is_none(),
        "empty omitempty map dropped"
    );
    assert_eq!(
        node["spec"]["sidecar"]["resources"],
        serde_json::json!({"requests": {"cpu": "500m", "memory": "32Gi"}})
    );
}

/// A genesis ceremony whose duration is written `20m` holds Go's `20m0s`.
#[test]
fn a_deployment_duration_is_stored_in_go_text() {
    let (code, doc, err) = plan_json(
        r#"
apiVersion: sei.io/v1alpha1
kind: SeiNodeDeployment
metadata:
  name: g
  namespace: default
spec:
  replicas: 1
  genesis:
    chainId: devnet-1
    maxCeremonyDuration: 20m
  template:
    spec:
      chainId: devnet-1
      image: "ghcr.io/sei-protocol/sei:v6.3.0"
      validator: {}
"#,
    );
    assert_eq!(code, 0, "{err}");
    let group = final_object(&doc, "SeiNodeDeployment", "g").expect("the group");
    assert_eq!(group["spec"]["genesis"]["maxCeremonyDuration"], "20m0s");
    assert_eq!(
        group["spec"]["updateStrategy"],
        serde_json::json!({"type": ""})
    );
}

/// Objects of built-in kinds in a snapshot are held typed too: a Service with an
/// unknown field, an empty selector and no status, and a StatefulSet with a
/// non-canonical quantity (beside a node that owns neither).
#[test]
fn built_in_objects_in_a_snapshot_are_stored_typed() {
    let (code, doc, err) = plan_json(
        r#"
apiVersion: sei.io/v1alpha1
kind: SeiNode
metadata:
  name: other
  namespace: default
spec:
  chainId: pacific-1
  image: "ghcr.io/sei-protocol/sei:v6.3.0"
  fullNode: {}
---
apiVersion: v1
kind: Service
metadata:
  name: s
  namespace: default
spec:
  selector: {}
  ports:
    - port: 80
      bogus: true
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: st
  namespace: default
spec:
  template:
    spec:
      containers:
        - name: c
          resources:
            limits: {memory: "1024Mi"}
"#,
    );
    assert_eq!(code, 0, "{err}");
    let service = final_object(&doc, "Service", "s").expect("the service");
    assert_eq!(
        service["spec"],
        serde_json::json!({"ports": [{"port": 80, "targetPort": 0}]})
    );
    assert_eq!(service["status"], serde_json::json!({"loadBalancer": {}}));
    let sts = final_object(&doc, "StatefulSet", "st").expect("the statefulset");
    let container = &sts["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(
        container["resources"],
        serde_json::json!({"limits": {"memory": "1Gi"}})
    );
    assert_eq!(
        sts["status"],
        serde_json::json!({"replicas": 0, "availableReplicas": 0})
    );
    assert!(
        writes(&doc)
            .iter()
            .all(|w| w["name"] != "s" && w["name"] != "st"),
        "the re-encoding alone writes nothing"
    );
}

/// Writes whose bodies differ from the stored object only in form (offset time,
/// non-canonical quantity, empty-but-present map, `20m`) are no-ops: no new
/// resourceVersion, no generation bump, recorded as unchanged.
#[test]
fn a_write_that_only_re_encodes_changes_nothing() {
    use nodectl::world::{ApiServer, WriteOutcome};
    use serde_json::json;

    let mut api = ApiServer::new("2026-01-01T00:00:00Z");
    api.load(json!({
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": "st", "namespace": "default"},
        "spec": {"template": {"spec": {"containers": [
            {"name": "c", "resources": {"requests": {"cpu": "500m"}}}]}}}
    }))
    .expect("loads");
    let stored = api
        .get("apps/v1", "StatefulSet", "default", "st")
        .expect("stored");
    let mut body = (*stored).clone();
    body["spec"]["template"]["spec"]["containers"][0]["resources"]["requests"]["cpu"] = json!(0.5);
    body["metadata"]["labels"] = json!({});
    body["metadata"]["creationTimestamp"] = json!("2026-01-01T01:00:00.9+01:00");
    let after = api
        .update("apps/v1", "StatefulSet", body, false)
        .expect("update");
    assert_eq!(after, stored, "the stored object is unchanged");
    assert!(matches!(
        api.writes().last().expect("recorded").outcome,
        WriteOutcome::Unchanged { .. }
    ));

    api.load(json!({
        "apiVersion": "sei.io/v1alpha1", "kind": "SeiNodeDeployment",
        "metadata": {"name": "g", "namespace": "default"},
        "spec": {"replicas": 1, "genesis": {"maxCeremonyDuration": "20m0s"}}
    }))
    .expect("loads");
    let patch = json!({"spec": {"genesis": {"maxCeremonyDuration": "1200s"}}});
    let after = api
        .merge_patch(
            "sei.io/v1alpha1",
            "SeiNodeDeployment",
            "default",
            "g",
            patch,
            false,
        )
        .expect("patch");
    assert_eq!(after["metadata"]["generation"], 1, "no generation bump");
    assert_eq!(after["spec"]["genesis"]["maxCeremonyDuration"], "20m0s");
}

/// A body Go could not decode is refused with the API server's codec text.
#[test]
fn a_body_go_cannot_decode_is_refused() {
    use nodectl::world::ApiServer;
    use serde_json::json;

    let mut api = ApiServer::new("2026-01-01T00:00:00Z");
    let err = api
        .create(
            "apps/v1",
            "StatefulSet",
            json!({"metadata": {"name": "st", "namespace": "default"},
                   "spec": {"replicas": 1.5}}),
        )
        .expect_err("refused");
    assert_eq!(
        err.to_string(),
        "StatefulSet in version \"v1\" cannot be handled as a StatefulSet: json: cannot \
         unmarshal number 1.5 into Go struct field StatefulSetSpec.spec.replicas of type int32"
    );
}

/// `value` with the keys of every map in reverse order, items in place.
fn reversed_keys(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .rev()
                .map(|(k, v)| (k.clone(), reversed_keys(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(reversed_keys).collect()),
        other => other.clone(),
    }
}

/// The objects the examples end with, re-encoded: in Go's order (every struct in the
/// table's order, every map sorted: re-encoded where it stands) nothing changes; with
/// every map's keys reversed (no struct in order, no map sorted: rebuilt) the same object
/// comes back (raw JSON such as task params keeps the order it was given, so the text is
/// compared re-encoded once more, which again changes nothing).
#[test]
fn objects_in_go_form_decode_alike_in_place_and_rebuilt() {
    let normalize = |api_version: &str, kind: &str, object: Value| {
        let out = nodectl::api::typed::normalize(api_version, kind, object).unwrap();
        assert!(out.dropped.is_empty(), "{kind}: {:?}", out.dropped);
        out.value
    };
    let mut checked = 0;
    for dir in ["examples/seinode", "examples/seinodedeployment"] {
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        for path in paths {
            let (code, doc, err) = plan_json(&std::fs::read_to_string(&path).unwrap());
            assert_eq!(code, 0, "{}: {err}", path.display());
            for object in doc["finalObjects"].as_array().expect("finalObjects") {
                let api_version = object["apiVersion"].as_str().unwrap();
                let kind = object["kind"].as_str().unwrap();
                // Re-encoding `value` once more changes nothing, byte for byte.
                let settled = |value: Value, how: &str| {
                    let text = serde_json::to_string(&value).unwrap();
                    let again = normalize(api_version, kind, value);
                    assert_eq!(serde_json::to_string(&again).unwrap(), text, "{kind} {how}");
                };
                settled(normalize(api_version, kind, object.clone()), "in place");
                let rebuilt = normalize(api_version, kind, reversed_keys(object));
                assert_eq!(rebuilt, *object, "{kind} rebuilt");
                settled(rebuilt, "rebuilt, again");
                checked += 1;
            }
        }
    }
    assert!(checked > 30, "{checked} objects checked");
}
