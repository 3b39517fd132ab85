//! Server-side apply: merging an applied object into the stored one, removing the
//! fields a manager stopped applying, and recognising a repeated apply.

use std::sync::Arc;

use serde_json::Value;

use super::json::{get_str, identical};

/// A field manager's last successful apply to an object.
#[derive(Debug, Clone)]
pub(super) struct LastApply {
    /// The applied body.
    pub(super) body: Arc<Value>,
    /// The object the apply left stored.
    pub(super) result: Arc<Value>,
}

impl LastApply {
    /// Whether applying `body` to `stored` is known to change nothing: the same
    /// body again, onto the very object the last apply left (nothing wrote it
    /// since). Applying is idempotent, so the full merge would find it unchanged.
    pub(super) fn repeats(
        &self,
        body: &Value,
        stored: &Arc<Value>,
        api_version: &str,
        kind: &str,
    ) -> bool {
        Arc::ptr_eq(&self.result, stored)
            && get_str(stored, &["apiVersion"]) == Some(api_version)
            && get_str(stored, &["kind"]) == Some(kind)
            && identical(&self.body, body)
    }
}

/// Server-side apply merge: maps merge recursively, everything else is replaced.
pub(super) fn merge_applied(target: &mut Value, applied: &Value) {
    match (target, applied) {
        (Value::Object(t), Value::Object(a)) => {
            for (k, v) in a {
                if k == "status" {
                    continue;
                }
                match t.get_mut(k) {
                    Some(existing) if existing.is_object() && v.is_object() => {
                        merge_applied(existing, v)
                    }
                    // Replacing a value with an identical one changes nothing.
                    Some(existing) if identical(existing, v) => {}
                    _ => {
                        t.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (t, a) => *t = a.clone(),
    }
}

/// Removes from `target` the fields `previous` applied that `current` no longer does.
pub(super) fn remove_dropped_fields(target: &mut Value, previous: &Value, current: &Value) {
    let (Some(t), Some(p)) = (target.as_object_mut(), previous.as_object()) else {
        return;
    };
    for (k, pv) in p {
        if k == "status" {
            continue;
        }
        match current.get(k) {
            None => {
                t.remove(k);
            }
            Some(cv) if pv.is_object() && cv.is_object() => {
                if let Some(tv) = t.get_mut(k) {
                    remove_dropped_fields(tv, pv, cv);
                }
            }
            Some(_) => {}
        }
    }
}
