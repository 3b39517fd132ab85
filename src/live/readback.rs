//! Deciding, after an ambiguous failure (a timeout, a lost connection, a 5xx), whether a
//! write landed: the object is read back and compared with what was sent. Retrying a
//! write that had landed would be refused (409 AlreadyExists, a stale resourceVersion) or
//! would apply it twice; giving up on it would report a change that is in fact there.

use serde_json::Value;

use crate::world::json::apply_merge_patch;
use crate::world::APPLY_PATCH;

/// What the read-back showed.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadBack {
    /// The write is in the stored object (`None`: a delete that removed it).
    Landed(Option<Value>),
    /// The stored object shows the write did not happen: safe to send it again.
    NotLanded,
    /// Neither: the object was changed in another way (or could not be read).
    Undecidable(String),
}

/// The form of the write that was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent<'a> {
    pub verb: &'a str,
    pub subresource: Option<&'a str>,
    pub patch_type: Option<&'a str>,
    /// The request body as sent (with the real resourceVersion).
    pub body: &'a Value,
}

/// Decides from the object read back (`None`: 404) whether `sent` landed.
pub fn decide(sent: Sent<'_>, stored: Option<&Value>) -> ReadBack {
    let status_only = sent.subresource == Some("status");
    let lock = sent
        .body
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str);
    let stored_rv = stored
        .and_then(|s| s.pointer("/metadata/resourceVersion"))
        .and_then(Value::as_str);
    let present =
        |stored: &Value| contains(&scope(stored, status_only), &scope(sent.body, status_only));
    match (sent.verb, stored) {
        ("Delete", None) => ReadBack::Landed(None),
        ("Delete", Some(s)) if s.pointer("/metadata/deletionTimestamp").is_some() => {
            ReadBack::Landed(Some(s.clone()))
        }
        ("Delete", Some(_)) => ReadBack::NotLanded,
        ("Create", None) => ReadBack::NotLanded,
        ("Create", Some(s)) if present(s) => ReadBack::Landed(Some(s.clone())),
        ("Create", Some(_)) => ReadBack::Undecidable(
            "an object of that name exists but differs from the one sent".into(),
        ),
        (_, None) if sent.patch_type == Some(APPLY_PATCH) => ReadBack::NotLanded,
        (_, None) => ReadBack::Undecidable("the object no longer exists".into()),
        // A forced server-side apply is idempotent: absent fields mean "send it again".
        (_, Some(s)) if sent.patch_type == Some(APPLY_PATCH) => {
            if present(s) {
                ReadBack::Landed(Some(s.clone()))
            } else {
                ReadBack::NotLanded
            }
        }
        (_, Some(_)) if lock.is_some() && lock == stored_rv => ReadBack::NotLanded,
        (verb, Some(s)) => {
            let landed = if verb == "Update" {
                present(s)
            } else {
                let mut patched = s.clone();
                let mut patch = sent.body.clone();
                if let Some(meta) = patch.get_mut("metadata").and_then(Value::as_object_mut) {
                    meta.remove("resourceVersion");
                }
                apply_merge_patch(&mut patched, &patch);
                scope(&patched, status_only) == scope(s, status_only)
            };
            match (landed, lock) {
                (true, _) => ReadBack::Landed(Some(s.clone())),
                (false, None) => ReadBack::NotLanded,
                (false, Some(_)) => ReadBack::Undecidable(
                    "the object was changed since by someone else and does not hold the change"
                        .into(),
                ),
            }
        }
    }
}

/// The part of an object a write can change: its status for the status subresource,
/// everything but the status and the server-kept metadata otherwise.
fn scope(object: &Value, status_only: bool) -> Value {
    if status_only {
        return object.get("status").cloned().unwrap_or(Value::Null);
    }
    let mut v = object.clone();
    if let Some(map) = v.as_object_mut() {
        map.remove("status");
        if let Some(meta) = map.get_mut("metadata").and_then(Value::as_object_mut) {
            for key in [
                "resourceVersion",
                "generation",
                "managedFields",
                "creationTimestamp",
                "uid",
            ] {
                meta.remove(key);
            }
        }
    }
    v
}

/// Every field of `sent` holds the same value in `stored` (which may have more: server
/// defaults); lists must have the same length, element by element.
pub fn contains(stored: &Value, sent: &Value) -> bool {
    match (stored, sent) {
        (Value::Object(s), Value::Object(w)) => w
            .iter()
            .all(|(k, v)| v.is_null() || s.get(k).is_some_and(|sv| contains(sv, v))),
        (Value::Array(s), Value::Array(w)) => {
            s.len() == w.len() && s.iter().zip(w).all(|(a, b)| contains(a, b))
        }
        (s, w) => s == w,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::world::MERGE_PATCH;
    use serde_json::json;

    fn sent<'a>(verb: &'a str, patch_type: Option<&'a str>, body: &'a Value) -> Sent<'a> {
        Sent {
            verb,
            subresource: None,
            patch_type,
            body,
        }
    }

    #[test]
    fn a_create_landed_when_the_object_exists_as_sent() {
        let body = json!({"metadata": {"name": "a"}, "spec": {"x": 1}});
        let stored = json!({"metadata": {"name": "a", "resourceVersion": "7", "uid": "u"},
            "spec": {"x": 1, "defaulted": true}});
        let other = json!({"metadata": {"name": "a"}, "spec": {"x": 2}});
        let create = sent("Create", None, &body);
        assert_eq!(
            decide(create, Some(&stored)),
            ReadBack::Landed(Some(stored.clone()))
        );
        assert_eq!(decide(create, None), ReadBack::NotLanded);
        assert!(matches!(
            decide(create, Some(&other)),
            ReadBack::Undecidable(_)
        ));
    }

    #[test]
    fn a_locked_status_patch_landed_when_its_effect_is_there_under_a_new_version() {
        let body = json!({"metadata": {"resourceVersion": "5"}, "status": {"phase": "Running"}});
        let w = Sent {
            subresource: Some("status"),
            ..sent("Patch", Some(MERGE_PATCH), &body)
        };
        let before = json!({"metadata": {"resourceVersion": "5"}, "status": {"phase": "Pending"}});
        let after = json!({"metadata": {"resourceVersion": "6"}, "status": {"phase": "Running"}});
        let other = json!({"metadata": {"resourceVersion": "6"}, "status": {"phase": "Failed"}});
        assert_eq!(decide(w, Some(&before)), ReadBack::NotLanded);
        assert_eq!(
            decide(w, Some(&after)),
            ReadBack::Landed(Some(after.clone()))
        );
        assert!(matches!(decide(w, Some(&other)), ReadBack::Undecidable(_)));
    }

    #[test]
    fn a_server_side_apply_landed_when_its_fields_hold_the_applied_values() {
        let body =
            json!({"metadata": {"name": "a", "labels": {"l": "1"}}, "spec": {"replicas": 1}});
        let w = sent("Patch", Some(APPLY_PATCH), &body);
        let held = json!({"metadata": {"name": "a", "labels": {"l": "1", "m": "2"}},
            "spec": {"replicas": 1, "x": []}});
        let old = json!({"metadata": {"name": "a"}, "spec": {"replicas": 0}});
        assert_eq!(decide(w, Some(&held)), ReadBack::Landed(Some(held.clone())));
        assert_eq!(decide(w, Some(&old)), ReadBack::NotLanded);
        assert_eq!(decide(w, None), ReadBack::NotLanded);
    }

    #[test]
    fn a_delete_landed_when_the_object_is_gone_or_being_deleted() {
        let body = json!({});
        let w = sent("Delete", None, &body);
        let marked = json!({"metadata": {"deletionTimestamp": "t"}});
        assert_eq!(decide(w, None), ReadBack::Landed(None));
        assert_eq!(
            decide(w, Some(&marked)),
            ReadBack::Landed(Some(marked.clone()))
        );
        assert_eq!(
            decide(w, Some(&json!({"metadata": {}}))),
            ReadBack::NotLanded
        );
    }

    #[test]
    fn an_update_is_decided_by_version_and_content() {
        let body = json!({"metadata": {"name": "a", "resourceVersion": "3", "finalizers": ["f"]}});
        let w = sent("Update", None, &body);
        let same = json!({"metadata": {"name": "a", "resourceVersion": "3"}});
        let landed =
            json!({"metadata": {"name": "a", "resourceVersion": "4", "finalizers": ["f"]}});
        let other = json!({"metadata": {"name": "a", "resourceVersion": "4"}});
        assert_eq!(decide(w, Some(&same)), ReadBack::NotLanded);
        assert_eq!(
            decide(w, Some(&landed)),
            ReadBack::Landed(Some(landed.clone()))
        );
        assert!(matches!(decide(w, Some(&other)), ReadBack::Undecidable(_)));
        assert!(matches!(decide(w, None), ReadBack::Undecidable(_)));
    }
}
