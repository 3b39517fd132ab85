//! Go `encoding/json` unmarshal error texts for task params
//! (`json: cannot unmarshal <json type> into Go ...`).

use serde_json::Value;

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
        // Go matches field names case-insensitively.
        let found = fields.iter().find(|(k, _)| k.eq_ignore_ascii_case(name));
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
