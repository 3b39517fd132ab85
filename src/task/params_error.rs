//! Go `encoding/json` unmarshal of task params: its error texts
//! (`json: cannot unmarshal <json type> into Go ...`) and the view of a params
//! object its decoder takes.

use serde_json::{Map, Value};

use super::params::{GoKind, GoParams};

/// The JSON type name Go reports for a value.
fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Go's `UnmarshalTypeError` parts for a value a field of `kind` refuses: the
/// value's description (`number 1.5` for a number an integer cannot hold, as Go
/// writes the literal) and the Go type that refused it — the element type when a
/// slice item or map value is the culprit. Null is always accepted.
fn mismatch(kind: GoKind, value: &Value) -> Option<(String, String)> {
    let refused = |v: &Value, ty: &str| Some((json_type(v).to_string(), ty.to_string()));
    match (kind, value) {
        (_, Value::Null) | (GoKind::String, Value::String(_)) | (GoKind::Bool, Value::Bool(_)) => {
            None
        }
        (GoKind::Int64 | GoKind::Int, Value::Number(n)) if n.is_i64() => None,
        (GoKind::Int64, Value::Number(n)) => Some((format!("number {n}"), "int64".into())),
        (GoKind::Int, Value::Number(n)) => Some((format!("number {n}"), "int".into())),
        (GoKind::StringMap, Value::Object(m)) => m
            .values()
            .find(|v| !(v.is_string() || v.is_null()))
            .and_then(|v| refused(v, "string")),
        (GoKind::StringSlice, Value::Array(a)) => a
            .iter()
            .find(|v| !(v.is_string() || v.is_null()))
            .and_then(|v| refused(v, "string")),
        (GoKind::StructSlice(elem), Value::Array(a)) => a
            .iter()
            .find(|v| !(v.is_object() || v.is_null()))
            .and_then(|v| refused(v, &format!("task.{elem}"))),
        (GoKind::String, v) => refused(v, "string"),
        (GoKind::Bool, v) => refused(v, "bool"),
        (GoKind::Int64, v) => refused(v, "int64"),
        (GoKind::Int, v) => refused(v, "int"),
        (GoKind::StringMap, v) => refused(v, "map[string]string"),
        (GoKind::StringSlice, v) => refused(v, "[]string"),
        (GoKind::StructSlice(elem), v) => refused(v, &format!("[]task.{elem}")),
    }
}

/// The field of `P` a params key decodes into, as Go's decoder picks it: the field of
/// that name, else one whose name matches case-insensitively.
fn field_for<P: GoParams>(key: &str) -> Option<&'static (&'static str, GoKind)> {
    P::FIELDS.iter().find(|(name, _)| *name == key).or_else(|| {
        P::FIELDS
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
    })
}

/// Checks `value` against the params struct `P`, returning Go's error text for the
/// first mismatch (top-level type, then fields in declaration order).
pub fn check<P: GoParams>(value: &Value) -> Result<(), String> {
    let Value::Object(fields) = value else {
        return Err(format!(
            "json: cannot unmarshal {} into Go value of type task.{}",
            json_type(value),
            P::GO_NAME
        ));
    };
    // Go's decoder reads the keys in document order and keeps the first error.
    for (key, v) in fields {
        let Some((name, kind)) = field_for::<P>(key) else {
            continue;
        };
        if let Some((value, ty)) = mismatch(*kind, v) {
            return Err(format!(
                "json: cannot unmarshal {value} into Go struct field {}.{name} of type {ty}",
                P::GO_NAME
            ));
        }
    }
    Ok(())
}

/// The params object as Go's decoder reads it into `P`: each key goes to the field
/// of the same name, else to one matching case-insensitively; keys of no field
/// are dropped; a null leaves a scalar field alone and a slice or map field nil;
/// null items decode as "" (strings) or an empty struct.
pub fn go_view<P: GoParams>(value: &Value) -> Value {
    let Value::Object(input) = value else {
        return value.clone();
    };
    let mut view = Map::new();
    for (key, v) in input {
        let Some((name, kind)) = field_for::<P>(key) else {
            continue;
        };
        let null_as_empty = |v: &Value| match v {
            Value::Null => Value::String(String::new()),
            other => other.clone(),
        };
        let decoded = match (kind, v) {
            (GoKind::StringSlice | GoKind::StringMap | GoKind::StructSlice(_), Value::Null) => {
                view.remove(*name);
                continue;
            }
            (_, Value::Null) => continue,
            (GoKind::StringSlice, Value::Array(items)) => {
                Value::Array(items.iter().map(null_as_empty).collect())
            }
            (GoKind::StructSlice(_), Value::Array(items)) => Value::Array(
                items
                    .iter()
                    .map(|v| match v {
                        Value::Null => Value::Object(Map::new()),
                        other => other.clone(),
                    })
                    .collect(),
            ),
            (GoKind::StringMap, Value::Object(entries)) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), null_as_empty(v)))
                    .collect(),
            ),
            (_, other) => other.clone(),
        };
        view.insert((*name).to_string(), decoded);
    }
    Value::Object(view)
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::task::params::{
        DeployBootstrapJobParams, DiscoverPeersParams, SnapshotRestoreParams,
    };
    use serde_json::json;

    /// encoding/json `Unmarshal`: `UnmarshalTypeError` texts with Go type names,
    /// `number <literal>` for a number an integer cannot hold, and the first
    /// error in document order.
    #[test]
    fn unmarshal_type_error_follows_encoding_json() {
        assert_eq!(
            check::<SnapshotRestoreParams>(&json!({"targetHeight": 1.5})).unwrap_err(),
            "json: cannot unmarshal number 1.5 into Go struct field SnapshotRestoreParams.targetHeight of type int64"
        );
        assert_eq!(
            check::<SnapshotRestoreParams>(&json!({"targetHeight": 18446744073709551615u64}))
                .unwrap_err(),
            "json: cannot unmarshal number 18446744073709551615 into Go struct field \
             SnapshotRestoreParams.targetHeight of type int64"
        );
        assert_eq!(
            check::<DiscoverPeersParams>(&json!({"sources": "x"})).unwrap_err(),
            "json: cannot unmarshal string into Go struct field DiscoverPeersParams.sources of type []task.PeerSourceParam"
        );
        assert_eq!(
            check::<DiscoverPeersParams>(&json!({"sources": [{}, 3]})).unwrap_err(),
            "json: cannot unmarshal number into Go struct field DiscoverPeersParams.sources of type task.PeerSourceParam"
        );
        // Declared jobName first, but namespace comes first in the document.
        assert_eq!(
            check::<DeployBootstrapJobParams>(&json!({"namespace": 1, "jobName": true})).unwrap_err(),
            "json: cannot unmarshal number into Go struct field DeployBootstrapJobParams.namespace of type string"
        );
        assert!(check::<SnapshotRestoreParams>(&json!({"targetHeight": null, "other": 1})).is_ok());
    }
}
