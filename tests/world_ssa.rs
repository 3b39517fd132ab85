//! Server-side apply against objects other managers also wrote: ownership per
//! field manager, list and map semantics from the OpenAPI extensions, force and
//! conflicts (structured-merge-diff, as the API server runs it).

use nodectl::world::{ApiError, ApiServer};
use serde_json::{json, Value};

const OPERATOR: &str = "seinode-controller";

fn statefulset(containers: Value, replicas: Option<i64>) -> Value {
    let mut sts = json!({
        "apiVersion": "apps/v1", "kind": "StatefulSet",
        "metadata": {"name": "n", "namespace": "default", "labels": {"app": "n"}},
        "spec": {
            "selector": {"matchLabels": {"app": "n"}},
            "template": {"metadata": {"labels": {"app": "n"}}, "spec": {"containers": containers}}
        }
    });
    if let Some(r) = replicas {
        sts["spec"]["replicas"] = json!(r);
    }
    sts
}

fn seid(image: &str) -> Value {
    json!({"name": "seid", "image": image, "ports": [{"containerPort": 26656, "name": "p2p"}],
           "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]})
}

fn get(api: &ApiServer, kind: &str) -> Value {
    let av = if kind == "Service" { "v1" } else { "apps/v1" };
    Value::clone(&api.get(av, kind, "default", "n").unwrap())
}

/// A sidecar container another manager injected survives the operator's apply,
/// which merges `containers` by name.
#[test]
fn injected_sidecar_container_survives_apply() {
    let mut api = ApiServer::new("2026-01-01T00:00:00Z");
    api.apply(
        "apps/v1",
        "StatefulSet",
        statefulset(json!([seid("v1")]), Some(1)),
        OPERATOR,
    )
    .unwrap();
    let injector = statefulset(json!([{"name": "istio-proxy", "image": "proxy"}]), None);
    api.apply_with("apps/v1", "StatefulSet", injector, "istio", false)
        .unwrap();
    api.apply(
        "apps/v1",
        "StatefulSet",
        statefulset(json!([seid("v2")]), Some(1)),
        OPERATOR,
    )
    .unwrap();
    let containers = get(&api, "StatefulSet")["spec"]["template"]["spec"]["containers"].clone();
    let names: Vec<&str> = containers
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["seid", "istio-proxy"]);
    assert_eq!(containers[0]["image"], "v2");
}

/// `replicas` taken over by an autoscaler (an Update manager) stays when the
/// operator stops sending it; a conflicting apply without force is refused with
/// the API server's text, with force it takes the field back.
#[test]
fn hpa_owned_replicas_survive_and_conflict() {
    let mut api = ApiServer::new("2026-01-01T00:00:00Z");
    api.apply(
        "apps/v1",
        "StatefulSet",
        statefulset(json!([seid("v1")]), Some(1)),
        OPERATOR,
    )
    .unwrap();
    let mut scaled = get(&api, "StatefulSet");
    scaled["spec"]["replicas"] = json!(5);
    api.update("apps/v1", "StatefulSet", scaled, false).unwrap();
    // The operator stops sending replicas: the autoscaler owns it, it stays.
    api.apply(
        "apps/v1",
        "StatefulSet",
        statefulset(json!([seid("v1")]), None),
        OPERATOR,
    )
    .unwrap();
    assert_eq!(get(&api, "StatefulSet")["spec"]["replicas"], 5);
    let err = api
        .apply_with(
            "apps/v1",
            "StatefulSet",
            statefulset(json!([seid("v1")]), Some(2)),
            OPERATOR,
            false,
        )
        .unwrap_err();
    assert!(matches!(err, ApiError::ApplyConflict(_)));
    assert!(err.is_conflict());
    assert_eq!(
        err.to_string(),
        "Apply failed with 1 conflict: conflict with \"manager\" using apps/v1: .spec.replicas"
    );
    assert_eq!(
        get(&api, "StatefulSet")["spec"]["replicas"],
        5,
        "a refused apply writes nothing"
    );
    api.apply(
        "apps/v1",
        "StatefulSet",
        statefulset(json!([seid("v1")]), Some(2)),
        OPERATOR,
    )
    .unwrap();
    assert_eq!(get(&api, "StatefulSet")["spec"]["replicas"], 2);
    let managed = api.managed_fields("apps/v1", "StatefulSet", "default", "n");
    let update = managed
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["operation"] == "Update");
    assert!(
        update.is_none_or(|e| e["fieldsV1"]["f:spec"].get("f:replicas").is_none()),
        "force moved replicas to the operator: {managed}"
    );
}

/// An annotation added by `kubectl annotate` (loaded with its managedFields, as
/// a live cluster returns it) survives; the operator's own label it stops
/// sending is removed.
#[test]
fn kubectl_annotate_survives_and_dropped_fields_go() {
    let mut api = ApiServer::new("2026-01-01T00:00:00Z");
    let mut svc = json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "n", "namespace": "default",
            "labels": {"app": "n", "tier": "p2p"},
            "annotations": {"note": "hand-made"},
            "managedFields": [
                {"manager": OPERATOR, "operation": "Apply", "apiVersion": "v1", "time": "2026-01-01T00:00:00Z",
                 "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:labels": {"f:app": {}, "f:tier": {}}},
                   "f:spec": {"f:selector": {}, "f:ports": {"k:{\"port\":26656,\"protocol\":\"TCP\"}": {".": {}, "f:port": {}, "f:name": {}}}}}},
                {"manager": "kubectl-annotate", "operation": "Update", "apiVersion": "v1", "time": "2026-01-01T00:00:00Z",
                 "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:annotations": {".": {}, "f:note": {}}}}}
            ]},
        "spec": {"selector": {"app": "n", "old": "x"}, "ports": [{"name": "p2p", "port": 26656}]}
    });
    api.load_live(svc.take()).unwrap();
    let applied = json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "n", "namespace": "default", "labels": {"app": "n"}},
        "spec": {"selector": {"app": "n"}, "ports": [{"name": "rpc", "port": 26657}]}
    });
    api.apply("v1", "Service", applied, OPERATOR).unwrap();
    let svc = get(&api, "Service");
    assert_eq!(svc["metadata"]["annotations"], json!({"note": "hand-made"}));
    assert_eq!(
        svc["metadata"]["labels"],
        json!({"app": "n"}),
        "tier was only the operator's"
    );
    // selector is an atomic map: replaced whole.
    assert_eq!(svc["spec"]["selector"], json!({"app": "n"}));
    // The port the operator stopped sending is gone (keyed by port+protocol).
    assert_eq!(
        svc["spec"]["ports"],
        json!([{"name": "rpc", "port": 26657}])
    );
    assert!(
        svc["metadata"].get("managedFields").is_none(),
        "never returned"
    );
}

/// A list item the operator stops sending is removed only if no other manager
/// owns it; env merges by name, container ports by containerPort+protocol
/// (protocol defaulted to TCP for keying).
#[test]
fn list_items_the_operator_stops_sending() {
    let mut api = ApiServer::new("2026-01-01T00:00:00Z");
    api.apply(
        "apps/v1",
        "StatefulSet",
        statefulset(json!([seid("v1")]), Some(1)),
        OPERATOR,
    )
    .unwrap();
    // Another applier co-owns env B and sets the port's protocol explicitly.
    let other = statefulset(
        json!([{"name": "seid", "env": [{"name": "B", "value": "2"}],
                "ports": [{"containerPort": 26656, "protocol": "TCP"}]}]),
        None,
    );
    api.apply_with("apps/v1", "StatefulSet", other, "tuner", false)
        .unwrap();
    let mut next = seid("v1");
    next["env"] = json!([]);
    next["ports"] = json!([]);
    api.apply(
        "apps/v1",
        "StatefulSet",
        statefulset(json!([next]), Some(1)),
        OPERATOR,
    )
    .unwrap();
    let c = get(&api, "StatefulSet")["spec"]["template"]["spec"]["containers"][0].clone();
    assert_eq!(
        c["env"],
        json!([{"name": "B", "value": "2"}]),
        "A dropped, B co-owned"
    );
    assert_eq!(
        c["ports"],
        json!([{"containerPort": 26656, "protocol": "TCP"}])
    );
}
