//! Go `encoding/json` unmarshal of task params: its error texts
//! (`json: cannot unmarshal <json type> into Go ...`) and the view of a params
//! object its decoder takes.

use serde_json::{Map, Value};

use super::params::{GoKind, GoParams};
use crate::api::gojson::number_text;

/// The integer Go's decoder reads from a stored number (`strconv.ParseInt` of the literal
/// the API server stored, [`number_text`]): `1000.0` is stored as `1000` and reads as 1000.
fn go_int(n: &serde_json::Number) -> Option<i64> {
    n.as_i64().or_else(|| number_text(n).parse().ok())
}

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

/// The fields of a Go struct: JSON name and Go type, in declaration order.
type Fields = [(&'static str, GoKind)];

/// Go's `UnmarshalTypeError` parts for a value a field of `kind` refuses: the
/// value's description (`number 1.5` for a number an integer cannot hold, as Go
/// writes the literal) and the Go type that refused it — the element type when a
/// slice item or map value is the culprit. Null is always accepted; the fields of
/// struct slice elements are checked by [`check_fields`].
fn mismatch(kind: GoKind, value: &Value) -> Option<(String, String)> {
    let refused = |v: &Value, ty: &str| Some((json_type(v).to_string(), ty.to_string()));
    match (kind, value) {
        (_, Value::Null) | (GoKind::String, Value::String(_)) | (GoKind::Bool, Value::Bool(_)) => {
            None
        }
        (GoKind::Int64 | GoKind::Int, Value::Number(n)) if go_int(n).is_some() => None,
        (GoKind::Int64, Value::Number(n)) => {
            Some((format!("number {}", number_text(n)), "int64".into()))
        }
        (GoKind::Int, Value::Number(n)) => {
            Some((format!("number {}", number_text(n)), "int".into()))
        }
        (GoKind::StringMap, Value::Object(m)) => m
            .values()
            .find(|v| !(v.is_string() || v.is_null()))
            .and_then(|v| refused(v, "string")),
        (GoKind::StringSlice, Value::Array(a)) => a
            .iter()
            .find(|v| !(v.is_string() || v.is_null()))
            .and_then(|v| refused(v, "string")),
        (GoKind::String, v) => refused(v, "string"),
        (GoKind::Bool, v) => refused(v, "bool"),
        (GoKind::Int64, v) => refused(v, "int64"),
        (GoKind::Int, v) => refused(v, "int"),
        (GoKind::StringMap, v) => refused(v, "map[string]string"),
        (GoKind::StringSlice, v) => refused(v, "[]string"),
        (GoKind::StructSlice(_, _), Value::Array(_)) => None,
        (GoKind::StructSlice(elem, _), v) => refused(v, &format!("[]task.{elem}")),
    }
}

/// The field a params key decodes into, as Go's decoder picks it: the field of
/// that name, else one whose name matches case-insensitively.
fn field_for<'f>(fields: &'f Fields, key: &str) -> Option<&'f (&'static str, GoKind)> {
    fields.iter().find(|(name, _)| *name == key).or_else(|| {
        fields
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
    })
}

/// Checks `value` against the params struct `P`, returning Go's error text for the
/// first mismatch in document order, fields of struct slice elements included.
pub fn check<P: GoParams>(value: &Value) -> Result<(), String> {
    let Value::Object(object) = value else {
        return Err(format!(
            "json: cannot unmarshal {} into Go value of type task.{}",
            json_type(value),
            P::GO_NAME
        ));
    };
    check_fields(P::GO_NAME, P::FIELDS, object, &mut Vec::new())
}

/// Checks the keys of one struct object in document order (Go's decoder reads them so
/// and keeps the first error). The error names the innermost struct and the path of
/// field names from the params root (`PeerSourceParam.sources.region`), as Go's
/// decoder fills `UnmarshalTypeError.Struct` and `.Field`; slice indices and map keys
/// are not part of the path.
fn check_fields(
    go_name: &str,
    fields: &Fields,
    object: &Map<String, Value>,
    path: &mut Vec<&'static str>,
) -> Result<(), String> {
    for (key, v) in object {
        let Some((name, kind)) = field_for(fields, key) else {
            continue;
        };
        path.push(name);
        let checked = check_field(go_name, *kind, v, path);
        path.pop();
        checked?;
    }
    Ok(())
}

fn check_field(
    go_name: &str,
    kind: GoKind,
    value: &Value,
    path: &mut Vec<&'static str>,
) -> Result<(), String> {
    if let (GoKind::StructSlice(elem, elem_fields), Value::Array(items)) = (kind, value) {
        for item in items {
            if let Value::Object(object) = item {
                check_fields(elem, elem_fields, object, path)?;
            } else if !item.is_null() {
                let refused = (json_type(item).to_string(), format!("task.{elem}"));
                return Err(type_error(go_name, path, refused));
            }
        }
        return Ok(());
    }
    match mismatch(kind, value) {
        Some(refused) => Err(type_error(go_name, path, refused)),
        None => Ok(()),
    }
}

/// Go's `UnmarshalTypeError` text for a struct field.
fn type_error(go_name: &str, path: &[&str], (value, ty): (String, String)) -> String {
    format!(
        "json: cannot unmarshal {value} into Go struct field {go_name}.{} of type {ty}",
        path.join(".")
    )
}

/// The params object as Go's decoder reads it into `P`: each key goes to the field
/// of the same name, else to one matching case-insensitively; keys of no field
/// are dropped; a null leaves a scalar field alone and a slice or map field nil;
/// null items decode as "" (strings) or an empty struct, and struct items are read
/// by the same rules.
pub fn go_view<P: GoParams>(value: &Value) -> Value {
    struct_view(P::FIELDS, value)
}

fn struct_view(fields: &Fields, value: &Value) -> Value {
    let Value::Object(input) = value else {
        return value.clone();
    };
    let mut view = Map::new();
    for (key, v) in input {
        let Some((name, kind)) = field_for(fields, key) else {
            continue;
        };
        let null_as_empty = |v: &Value| match v {
            Value::Null => Value::String(String::new()),
            other => other.clone(),
        };
        let decoded = match (kind, v) {
            (GoKind::StringSlice | GoKind::StringMap | GoKind::StructSlice(..), Value::Null) => {
                view.remove(*name);
                continue;
            }
            (_, Value::Null) => continue,
            (GoKind::Int64 | GoKind::Int, Value::Number(n)) => match go_int(n) {
                Some(i) => Value::from(i),
                None => v.clone(),
            },
            (GoKind::StringSlice, Value::Array(items)) => {
                Value::Array(items.iter().map(null_as_empty).collect())
            }
            (GoKind::StructSlice(_, elem_fields), Value::Array(items)) => Value::Array(
                items
                    .iter()
                    .map(|v| match v {
                        Value::Null => Value::Object(Map::new()),
                        other => struct_view(elem_fields, other),
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
    use super::go_view;
    use crate::task::params::{
        AssembleAndUploadGenesisParams, DeployBootstrapJobParams, DiscoverPeersParams,
        PeerSourceParam, SnapshotRestoreParams,
    };
    use serde_json::json;

    /// encoding/json `decodeState.addErrorContext`: an error inside a struct slice element
    /// names the element's struct and the path of field names from the root (no index, no
    /// map key); elements are checked in depth and in document order.
    #[test]
    fn add_error_context_names_the_innermost_struct_and_the_field_path() {
        let err = |v| check::<DiscoverPeersParams>(&v).unwrap_err();
        assert_eq!(
            err(json!({"sources": [{"type": "static"}, {"region": 5}]})),
            "json: cannot unmarshal number into Go struct field PeerSourceParam.sources.region of type string"
        );
        assert_eq!(
            err(json!({"sources": [{"tags": {"a": "x", "b": true}}]})),
            "json: cannot unmarshal bool into Go struct field PeerSourceParam.sources.tags of type string"
        );
        assert_eq!(
            err(json!({"sources": [{"addresses": "a:26656"}]})),
            "json: cannot unmarshal string into Go struct field PeerSourceParam.sources.addresses of type []string"
        );
        assert_eq!(
            err(json!({"sources": [{"endpoints": [1]}]})),
            "json: cannot unmarshal number into Go struct field PeerSourceParam.sources.endpoints of type string"
        );
        // A key matching case-insensitively is the field, named as declared.
        assert_eq!(
            err(json!({"sources": [{"TYPE": []}]})),
            "json: cannot unmarshal array into Go struct field PeerSourceParam.sources.type of type string"
        );
        // The first error in document order: the element's field comes before a later
        // element that is not an object.
        assert_eq!(
            err(json!({"sources": [{"region": false}, 3]})),
            "json: cannot unmarshal bool into Go struct field PeerSourceParam.sources.region of type string"
        );
        assert_eq!(
            check::<AssembleAndUploadGenesisParams>(&json!({"nodes": [{"name": 7}], "namespace": 1}))
                .unwrap_err(),
            "json: cannot unmarshal number into Go struct field GenesisNodeParam.nodes.name of type string"
        );
        // Unknown keys and nulls inside an element are accepted, as Go accepts them.
        let ok = json!({"sources": [{"type": "static", "region": null, "x": 1, "Addresses": ["a", null]}, null]});
        assert!(check::<DiscoverPeersParams>(&ok).is_ok());
        let decoded: DiscoverPeersParams =
            serde_json::from_value(go_view::<DiscoverPeersParams>(&ok)).expect("decodes");
        let sources = decoded.sources.expect("sources");
        assert_eq!(sources[0].source_type, "static");
        assert_eq!(sources[0].addresses, vec!["a".to_string(), String::new()]);
        assert_eq!(sources[1], PeerSourceParam::default());
    }

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

    /// encoding/json `literalStore` for an int field: the literal is the number as the API
    /// server stored it (Go's float64 text), read with `strconv.ParseInt`; an integral float
    /// reads as its integer, anything else is `number <literal>`.
    #[test]
    fn literal_store_reads_the_stored_number_text() {
        let err = |v| check::<SnapshotRestoreParams>(&v).unwrap_err();
        assert_eq!(
            err(json!({"targetHeight": 1e21})),
            "json: cannot unmarshal number 1e+21 into Go struct field SnapshotRestoreParams.targetHeight of type int64"
        );
        assert_eq!(
            err(json!({"targetHeight": 2.5e-7})),
            "json: cannot unmarshal number 2.5e-7 into Go struct field SnapshotRestoreParams.targetHeight of type int64"
        );
        assert_eq!(
            err(json!({"targetHeight": 1e20})),
            "json: cannot unmarshal number 100000000000000000000 into Go struct field \
             SnapshotRestoreParams.targetHeight of type int64"
        );
        for integral in [
            json!({"targetHeight": 1e3}),
            json!({"targetHeight": 1000.0}),
        ] {
            assert!(
                check::<SnapshotRestoreParams>(&integral).is_ok(),
                "{integral}"
            );
            let p: SnapshotRestoreParams =
                serde_json::from_value(go_view::<SnapshotRestoreParams>(&integral))
                    .expect("decodes");
            assert_eq!(p.target_height, 1000);
        }
    }
}
