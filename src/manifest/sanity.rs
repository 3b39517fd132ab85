//! Checks every loader entry makes before anything is planned, whatever validation mode is
//! chosen: metadata fields of the wrong type (they would silently read as absent, e.g. a
//! list as namespace becoming `default`) and numbers whose size the planner trusts (a
//! SeiNodeDeployment's `spec.replicas` sizes every per-replica allocation).

use serde_json::Value;

/// `spec.replicas` of a SeiNodeDeployment: the CRD's `minimum: 1`, `maximum: 100`.
pub const REPLICAS: std::ops::RangeInclusive<i64> = 1..=100;

/// The first problem of `object`: the dotted path of the offending field and the message.
pub fn check(object: &Value) -> Option<(String, String)> {
    check_metadata(object).or_else(|| check_bounds(object))
}

fn check_metadata(object: &Value) -> Option<(String, String)> {
    let meta = object.get("metadata")?;
    let Some(meta) = meta.as_object() else {
        return Some((
            "metadata".into(),
            format!("metadata must be a mapping, not {}", type_name(meta)),
        ));
    };
    for key in [
        "name",
        "namespace",
        "generateName",
        "uid",
        "resourceVersion",
    ] {
        match meta.get(key) {
            None | Some(Value::String(_)) | Some(Value::Null) => {}
            Some(other) => {
                return Some((
                    format!("metadata.{key}"),
                    format!("metadata.{key} must be a string, not {}", type_name(other)),
                ))
            }
        }
    }
    for key in ["labels", "annotations"] {
        match meta.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::Object(map)) => {
                if let Some((k, v)) = map.iter().find(|(_, v)| !v.is_string()) {
                    return Some((
                        format!("metadata.{key}"),
                        format!(
                            "metadata.{key} values must be strings: {k:?} is {} (quote it)",
                            type_name(v)
                        ),
                    ));
                }
            }
            Some(other) => {
                return Some((
                    format!("metadata.{key}"),
                    format!(
                        "metadata.{key} must be a mapping of strings, not {}",
                        type_name(other)
                    ),
                ))
            }
        }
    }
    match meta.get("finalizers") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => None,
        Some(_) => Some((
            "metadata.finalizers".into(),
            "metadata.finalizers must be a list of strings".into(),
        )),
    }
}

fn check_bounds(object: &Value) -> Option<(String, String)> {
    if object.get("kind").and_then(Value::as_str) != Some("SeiNodeDeployment") {
        return None;
    }
    let replicas = object.pointer("/spec/replicas")?;
    let in_range = replicas.as_i64().is_some_and(|n| REPLICAS.contains(&n));
    (!in_range).then(|| {
        (
            "spec.replicas".into(),
            format!(
                "spec.replicas {replicas} is out of range: must be an integer from {} to {} (the CRD's bounds)",
                REPLICAS.start(),
                REPLICAS.end()
            ),
        )
    })
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wrong_metadata_types_and_replicas_out_of_bounds_are_found() {
        let ok = json!({"kind": "SeiNodeDeployment", "metadata": {"name": "a", "labels": {"x": "1"}}, "spec": {"replicas": 3}});
        assert_eq!(check(&ok), None);
        let ns = json!({"kind": "SeiNode", "metadata": {"name": "a", "namespace": ["a"]}});
        assert_eq!(check(&ns).unwrap().0, "metadata.namespace");
        let label = json!({"kind": "SeiNode", "metadata": {"name": "a", "labels": {"x": 1}}});
        assert_eq!(check(&label).unwrap().0, "metadata.labels");
        for bad in [
            json!(1_000_000_000),
            json!(0),
            json!(101),
            json!(1.5),
            json!("3"),
        ] {
            let snd = json!({"kind": "SeiNodeDeployment", "metadata": {"name": "a"}, "spec": {"replicas": bad}});
            assert_eq!(check(&snd).unwrap().0, "spec.replicas", "{bad}");
        }
    }
}
