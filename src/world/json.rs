//! JSON helpers shared by the store and the reconcilers: RFC 7386 merge patches
//! (apply and create), path access, and canonical-metadata cleanup.

use serde_json::{Map, Value};

/// Applies an RFC 7386 merge patch to `target` in place, as evanphx/json-patch v5
/// (`MergePatch`) does: a value that replaces a missing or non-object one has its
/// nulls pruned — object keys set to null inside it, also inside arrays, are
/// dropped (array elements that are null stay) — while a non-object patch value
/// replacing an object is taken as sent.
pub fn apply_merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch_map) = patch else {
        *target = if target.is_object() {
            patch.clone()
        } else {
            prune_nulls(patch)
        };
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let target_map = target.as_object_mut().expect("object ensured above");
    for (key, value) in patch_map {
        if value.is_null() {
            target_map.remove(key);
        } else {
            let entry = target_map.entry(key.clone()).or_insert(Value::Null);
            apply_merge_patch(entry, value);
        }
    }
}

/// `pruneNulls`: drops null-valued object keys at every depth, through arrays.
fn prune_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), prune_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(prune_nulls).collect()),
        other => other.clone(),
    }
}

/// Computes the RFC 7386 merge patch that turns `original` into `modified`, the way
/// the Go client's `CreateMergePatch` does: removed keys become `null`, changed
/// arrays and scalars are sent whole, unchanged keys are left out.
pub fn create_merge_patch(original: &Value, modified: &Value) -> Value {
    match (original, modified) {
        (Value::Object(orig), Value::Object(modi)) => {
            let mut patch = Map::new();
            for (key, old) in orig {
                match modi.get(key) {
                    None => {
                        patch.insert(key.clone(), Value::Null);
                    }
                    Some(new) if new != old => {
                        let sub = match (old, new) {
                            (Value::Object(_), Value::Object(_)) => create_merge_patch(old, new),
                            _ => new.clone(),
                        };
                        patch.insert(key.clone(), sub);
                    }
                    Some(_) => {}
                }
            }
            for (key, new) in modi {
                if !orig.contains_key(key) {
                    patch.insert(key.clone(), new.clone());
                }
            }
            Value::Object(patch)
        }
        _ => modified.clone(),
    }
}

/// Whether two values are equal including the order of object keys (`==` on
/// values ignores key order, which the stored form keeps).
pub fn identical(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|((ka, va), (kb, vb))| ka == kb && identical(va, vb))
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| identical(x, y))
        }
        _ => a == b,
    }
}

/// Reads a nested value by object keys.
pub fn get_path<'a>(value: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, key| v.get(*key))
}

/// Reads a nested string by object keys.
pub fn get_str<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    get_path(value, path).and_then(Value::as_str)
}

/// Returns the object map at `path`, creating empty objects on the way.
pub fn ensure_object<'a>(value: &'a mut Value, path: &[&str]) -> &'a mut Map<String, Value> {
    let mut current = value;
    for key in path {
        if !current.is_object() {
            *current = Value::Object(Map::new());
        }
        current = current
            .as_object_mut()
            .expect("object ensured above")
            .entry((*key).to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }
    if !current.is_object() {
        *current = Value::Object(Map::new());
    }
    current.as_object_mut().expect("object ensured above")
}

/// Removes empty lists and maps from the top level of `metadata` (custom resources
/// store metadata in canonical form).
pub fn canonicalize_metadata(object: &mut Value) {
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.retain(|_, v| match v {
            Value::Array(a) => !a.is_empty(),
            Value::Object(o) => !o.is_empty(),
            Value::Null => false,
            _ => true,
        });
    }
}

/// Whether `value` is a JSON "empty" (null, "", 0, false, [] or {}).
pub fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// evanphx/json-patch v5 `MergePatch` (`mergeDocs` / `pruneNulls`).
    #[test]
    fn merge_patch_prunes_nulls_inside_replaced_arrays() {
        let mut doc = json!({"spec": {"peers": "old"}, "keep": {"a": 1}});
        let patch = json!({
            "spec": {"peers": [{"name": "a", "x": null}, null, [{"y": null}]]},
            "new": [{"z": null, "w": 1}],
            "keep": [{"v": null}]
        });
        apply_merge_patch(&mut doc, &patch);
        assert_eq!(
            doc,
            json!({
                "spec": {"peers": [{"name": "a"}, null, [{}]]},
                "new": [{"w": 1}],
                // An array replacing an object is taken as sent.
                "keep": [{"v": null}]
            })
        );
    }

    #[test]
    fn merge_patch_round_trips() {
        let a = json!({"a": 1, "b": {"c": [1, 2], "d": "x"}, "e": true});
        let b = json!({"a": 1, "b": {"c": [1], "f": 2}, "g": null});
        let patch = create_merge_patch(&a, &b);
        assert_eq!(
            patch,
            json!({"b": {"c": [1], "d": null, "f": 2}, "e": null, "g": null})
        );
        let mut applied = a.clone();
        apply_merge_patch(&mut applied, &patch);
        assert_eq!(applied, json!({"a": 1, "b": {"c": [1], "f": 2}}));
    }

    #[test]
    fn identical_values_give_an_empty_patch() {
        let a = json!({"status": {"phase": "Running"}});
        assert_eq!(create_merge_patch(&a, &a), json!({}));
    }

    #[test]
    fn canonical_metadata_drops_empty_collections() {
        let mut obj = json!({"metadata": {"name": "x", "labels": {}, "finalizers": [], "ownerReferences": []}});
        canonicalize_metadata(&mut obj);
        assert_eq!(obj, json!({"metadata": {"name": "x"}}));
    }
}
