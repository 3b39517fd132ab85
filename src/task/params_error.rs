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

/// Go's name for the field type.
fn go_type(kind: GoKind) -> &'static str {
    match kind {
        GoKind::String => "string",
        GoKind::Int64 => "int64",
        GoKind::Int => "int",
        GoKind::Bool => "bool",
        GoKind::StringMap => "map[string]string",
        GoKind::StringSlice => "[]string",
        GoKind::StructSlice => "[]struct",
    }
}

/// Whether Go would accept `value` for a field of `kind` (null is always accepted).
fn accepts(kind: GoKind, value: &Value) -> bool {
    match (kind, value) {
        (_, Value::Null) => true,
        (GoKind::String, Value::String(_)) | (GoKind::Bool, Value::Bool(_)) => true,
        (GoKind::Int64 | GoKind::Int, Value::Number(n)) => n.is_i64(),
        (GoKind::StringMap, Value::Object(m)) => m.values().all(|v| v.is_string() || v.is_null()),
        (GoKind::StringSlice, Value::Array(a)) => a.iter().all(|v| v.is_string() || v.is_null()),
        (GoKind::StructSlice, Value::Array(a)) => a.iter().all(|v| v.is_object() || v.is_null()),
        _ => false,
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
    for (name, kind) in P::FIELDS {
        let found = fields
            .iter()
            .find(|(k, _)| field_for::<P>(k).is_some_and(|(f, _)| f == name));
        if let Some((_, v)) = found {
            if !accepts(*kind, v) {
                return Err(format!(
                    "json: cannot unmarshal {} into Go struct field {}.{} of type {}",
                    json_type(v),
                    P::GO_NAME,
                    name,
                    go_type(*kind)
                ));
            }
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
            (GoKind::StringSlice | GoKind::StringMap | GoKind::StructSlice, Value::Null) => {
                view.remove(*name);
                continue;
            }
            (_, Value::Null) => continue,
            (GoKind::StringSlice, Value::Array(items)) => {
                Value::Array(items.iter().map(null_as_empty).collect())
            }
            (GoKind::StructSlice, Value::Array(items)) => Value::Array(
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
