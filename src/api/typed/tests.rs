use serde_json::json;

use super::*;

fn stored(api_version: &str, kind: &str, object: serde_json::Value) -> Value {
    normalize(api_version, kind, object).expect("decodes").value
}

#[test]
fn job_conditions_write_their_non_omitempty_zero_times() {
    let job = stored(
        "batch/v1",
        "Job",
        json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
               "status": {"conditions": [{"type": "Complete", "status": "True"}]}}),
    );
    assert_eq!(
        job["status"]["conditions"][0],
        json!({"type": "Complete", "status": "True", "lastProbeTime": null, "lastTransitionTime": null})
    );
    // spec and its pod template are non-pointer structs: always written.
    assert_eq!(job["spec"]["template"]["spec"]["containers"], Value::Null);
    assert_eq!(job["spec"]["template"]["metadata"], json!({}));
}

#[test]
fn service_ports_write_target_port_zero_and_drop_unknown_fields() {
    let out = normalize(
        "v1",
        "Service",
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "labels": {}},
                "spec": {"ports": [{"port": 80, "bogus": 1}], "selector": {"b": "2", "a": "1"}},
                "extra": true}),
    )
    .unwrap();
    assert_eq!(
        out.dropped,
        vec!["spec.ports[0].bogus".to_string(), "extra".to_string()]
    );
    assert_eq!(
        out.value,
        json!({"kind": "Service", "apiVersion": "v1", "metadata": {"name": "s"},
               "spec": {"ports": [{"port": 80, "targetPort": 0}], "selector": {"a": "1", "b": "2"}},
               "status": {"loadBalancer": {}}})
    );
    // Map keys sorted, struct fields in Go order.
    let keys: Vec<&String> = out.value["spec"]["selector"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(keys, ["a", "b"]);
    let top: Vec<&String> = out.value.as_object().unwrap().keys().collect();
    assert_eq!(top, ["kind", "apiVersion", "metadata", "spec", "status"]);
}

#[test]
fn containers_keep_empty_resources_and_canonical_quantities() {
    let sts = stored(
        "apps/v1",
        "StatefulSet",
        json!({"metadata": {"name": "x"}, "spec": {"template": {"spec": {"containers": [
            {"name": "a", "resources": {"requests": {"memory": "32768Mi", "cpu": 0.5}}},
            {"name": "b"}
        ]}}}}),
    );
    let containers = &sts["spec"]["template"]["spec"]["containers"];
    assert_eq!(
        containers[0]["resources"],
        json!({"requests": {"cpu": "500m", "memory": "32Gi"}})
    );
    assert_eq!(containers[1], json!({"name": "b", "resources": {}}));
    assert_eq!(
        sts["status"],
        json!({"replicas": 0, "availableReplicas": 0})
    );
}

#[test]
fn times_are_utc_whole_seconds_and_durations_go_text() {
    let node = stored(
        "sei.io/v1alpha1",
        "SeiNodeDeployment",
        json!({"metadata": {"name": "g", "deletionTimestamp": "2026-01-01T00:00:00.75+01:00",
                            "creationTimestamp": null},
               "spec": {"replicas": 1, "genesis": {"maxCeremonyDuration": "20m"}}}),
    );
    assert_eq!(
        node["metadata"]["deletionTimestamp"],
        "2025-12-31T23:00:00Z"
    );
    assert!(
        node["metadata"].get("creationTimestamp").is_none(),
        "omitzero"
    );
    assert_eq!(node["spec"]["genesis"]["maxCeremonyDuration"], "20m0s");
}

#[test]
fn empty_omitempty_collections_are_dropped_and_nil_ones_written_null() {
    let pvc = stored(
        "v1",
        "PersistentVolumeClaim",
        json!({"metadata": {"name": "p", "finalizers": [], "annotations": {}},
               "spec": {"accessModes": []}}),
    );
    assert_eq!(pvc["metadata"], json!({"name": "p"}));
    assert_eq!(pvc["spec"], json!({"resources": {}}));
}

#[test]
fn values_go_would_not_decode_are_refused_with_go_texts() {
    let err = normalize(
        "apps/v1",
        "StatefulSet",
        json!({"metadata": {"name": "x"}, "spec": {"replicas": 3000000000u64}}),
    )
    .unwrap_err();
    assert_eq!(
        err.message,
        "json: cannot unmarshal number 3000000000 into Go struct field StatefulSetSpec.spec.replicas of type int32"
    );
    assert_eq!(err.path, "spec.replicas");
    let err = normalize(
        "apps/v1",
        "StatefulSet",
        json!({"metadata": {"name": "x"}, "spec": {"replicas": "3"}}),
    )
    .unwrap_err();
    assert!(
        err.message
            .contains("cannot unmarshal string into Go struct field"),
        "{}",
        err.message
    );
    let err = normalize(
        "v1",
        "Pod",
        json!({"metadata": {"creationTimestamp": "yesterday"}}),
    )
    .unwrap_err();
    assert_eq!(err.path, "metadata.creationTimestamp");
}

#[test]
fn untyped_kinds_are_held_as_written() {
    let route = json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
                       "metadata": {"name": "r"}, "spec": {"anything": []}});
    let out = normalize("gateway.networking.k8s.io/v1", "HTTPRoute", route.clone()).unwrap();
    assert_eq!(out.value, route);
    assert!(out.dropped.is_empty());
}

#[test]
fn normalizing_twice_changes_nothing() {
    let object = json!({"metadata": {"name": "x", "labels": {"a": "b"}},
        "spec": {"template": {"spec": {"containers": [{"name": "c", "ports": [{"containerPort": 1}]}]}}}});
    let once = stored("apps/v1", "StatefulSet", object);
    assert_eq!(stored("apps/v1", "StatefulSet", once.clone()), once);
}

#[test]
fn a_struct_decodes_the_same_in_any_key_order() {
    // Fields out of the table's order (the search from the last field found wraps around),
    // an unknown field between them, and a repeated key: the same object as in Go's order.
    let in_order = stored(
        "v1",
        "Service",
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "n"},
               "spec": {"ports": [{"name": "p", "protocol": "TCP", "port": 80}], "selector": {"a": "b"},
                        "clusterIP": "None", "type": "ClusterIP"}}),
    );
    let shuffled = stored(
        "v1",
        "Service",
        json!({"spec": {"type": "ClusterIP", "clusterIP": "None", "bogus": 1, "selector": {"a": "b"},
                        "ports": [{"port": 80, "protocol": "TCP", "name": "p"}]},
               "metadata": {"namespace": "n", "name": "s"}, "kind": "Service", "apiVersion": "v1"}),
    );
    assert_eq!(
        serde_json::to_string(&shuffled).unwrap(),
        serde_json::to_string(&in_order).unwrap()
    );
    let def = struct_for("v1", "Service").unwrap();
    for from in 0..=def.fields.len() + 1 {
        for (i, field) in def.fields.iter().enumerate() {
            assert_eq!(encode::field_index(def, field.json, from), Some(i));
        }
        assert_eq!(encode::field_index(def, "bogus", from), None);
    }
}
