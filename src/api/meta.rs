//! The subset of `k8s.io/apimachinery/pkg/apis/meta/v1` the operator uses.

use super::gojson::{self, is_zero, null_default};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// String map as Go encodes `map[string]string` (keys sorted).
pub type StringMap = BTreeMap<String, String>;

/// `metav1.ObjectMeta`. A zero `creationTimestamp` is omitted (not `null`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ObjectMeta {
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub name: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub generate_name: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub namespace: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub self_link: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub uid: String,
    #[serde(
        skip_serializing_if = "String::is_empty",
        deserialize_with = "null_default"
    )]
    pub resource_version: String,
    #[serde(skip_serializing_if = "is_zero", deserialize_with = "gojson::int")]
    pub generation: i64,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "gojson::time"
    )]
    pub creation_timestamp: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "gojson::time"
    )]
    pub deletion_timestamp: Option<String>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        deserialize_with = "gojson::opt_int"
    )]
    pub deletion_grace_period_seconds: Option<i64>,
    #[serde(
        skip_serializing_if = "StringMap::is_empty",
        deserialize_with = "null_default"
    )]
    pub labels: StringMap,
    #[serde(
        skip_serializing_if = "StringMap::is_empty",
        deserialize_with = "null_default"
    )]
    pub annotations: StringMap,
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub owner_references: Vec<OwnerReference>,
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub finalizers: Vec<String>,
    /// Kept opaque; the simulator never interprets managed fields.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_default"
    )]
    pub managed_fields: Vec<Value>,
}

impl ObjectMeta {
    /// True when `finalizer` is in the list.
    pub fn has_finalizer(&self, finalizer: &str) -> bool {
        self.finalizers.iter().any(|f| f == finalizer)
    }

    /// Appends `finalizer` unless present (controllerutil.AddFinalizer); returns whether it changed.
    pub fn add_finalizer(&mut self, finalizer: &str) -> bool {
        if self.has_finalizer(finalizer) {
            return false;
        }
        self.finalizers.push(finalizer.to_string());
        true
    }

    /// Removes every entry equal to `finalizer` (controllerutil.RemoveFinalizer); returns whether it changed.
    pub fn remove_finalizer(&mut self, finalizer: &str) -> bool {
        let before = self.finalizers.len();
        self.finalizers.retain(|f| f != finalizer);
        self.finalizers.len() != before
    }

    /// The controller owner reference, if any (metav1.GetControllerOf).
    pub fn controller_ref(&self) -> Option<&OwnerReference> {
        self.owner_references
            .iter()
            .find(|r| r.controller == Some(true))
    }
}

/// `metav1.OwnerReference`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct OwnerReference {
    #[serde(deserialize_with = "null_default")]
    pub api_version: String,
    #[serde(deserialize_with = "null_default")]
    pub kind: String,
    #[serde(deserialize_with = "null_default")]
    pub name: String,
    #[serde(deserialize_with = "null_default")]
    pub uid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controller: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block_owner_deletion: Option<bool>,
}

/// Values of `Condition::status`.
pub mod condition_status {
    pub const TRUE: &str = "True";
    pub const FALSE: &str = "False";
    pub const UNKNOWN: &str = "Unknown";
}

/// `metav1.Condition`. `lastTransitionTime` is not omitempty: `None` encodes as `null`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Condition {
    #[serde(rename = "type", deserialize_with = "null_default")]
    pub type_: String,
    #[serde(deserialize_with = "null_default")]
    pub status: String,
    #[serde(skip_serializing_if = "is_zero", deserialize_with = "gojson::int")]
    pub observed_generation: i64,
    #[serde(deserialize_with = "gojson::time")]
    pub last_transition_time: Option<String>,
    #[serde(deserialize_with = "null_default")]
    pub reason: String,
    #[serde(deserialize_with = "null_default")]
    pub message: String,
}

impl Condition {
    /// A condition without a transition time (set by [`set_status_condition`]).
    pub fn new(
        type_: impl Into<String>,
        status: impl Into<String>,
        reason: impl Into<String>,
        message: impl Into<String>,
        observed_generation: i64,
    ) -> Self {
        Condition {
            type_: type_.into(),
            status: status.into(),
            observed_generation,
            last_transition_time: None,
            reason: reason.into(),
            message: message.into(),
        }
    }
}

/// The condition of the given type, if present (meta.FindStatusCondition).
pub fn find_condition<'a>(conditions: &'a [Condition], type_: &str) -> Option<&'a Condition> {
    conditions.iter().find(|c| c.type_ == type_)
}

/// Mutable variant of [`find_condition`].
pub fn find_condition_mut<'a>(
    conditions: &'a mut [Condition],
    type_: &str,
) -> Option<&'a mut Condition> {
    conditions.iter_mut().find(|c| c.type_ == type_)
}

/// True when the condition exists with status `True` (meta.IsStatusConditionTrue).
pub fn is_condition_true(conditions: &[Condition], type_: &str) -> bool {
    find_condition(conditions, type_).is_some_and(|c| c.status == condition_status::TRUE)
}

/// Semantics of `meta.SetStatusCondition`: a new type is appended (transition time
/// defaulting to `now`); an existing one keeps its position, and its transition time
/// changes only when `status` changes. Reason, message and observedGeneration are
/// overwritten. Returns whether anything changed.
pub fn set_status_condition(conditions: &mut Vec<Condition>, new: Condition, now: &str) -> bool {
    let Some(existing) = find_condition_mut(conditions, &new.type_) else {
        let mut new = new;
        if new.last_transition_time.is_none() {
            new.last_transition_time = Some(now.to_string());
        }
        conditions.push(new);
        return true;
    };
    let mut changed = false;
    if existing.status != new.status {
        existing.status = new.status;
        existing.last_transition_time =
            Some(new.last_transition_time.unwrap_or_else(|| now.to_string()));
        changed = true;
    }
    if existing.reason != new.reason {
        existing.reason = new.reason;
        changed = true;
    }
    if existing.message != new.message {
        existing.message = new.message;
        changed = true;
    }
    if existing.observed_generation != new.observed_generation {
        existing.observed_generation = new.observed_generation;
        changed = true;
    }
    changed
}

/// Removes the condition of the given type, keeping the order of the rest
/// (meta.RemoveStatusCondition). Returns whether one was removed.
pub fn remove_status_condition(conditions: &mut Vec<Condition>, type_: &str) -> bool {
    let before = conditions.len();
    conditions.retain(|c| c.type_ != type_);
    conditions.len() != before
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const T0: &str = "2025-01-01T00:00:00Z";
    const T1: &str = "2026-01-01T00:00:00Z";

    fn cond(t: &str, status: &str, reason: &str, gen: i64) -> Condition {
        Condition::new(t, status, reason, format!("{reason} msg"), gen)
    }

    #[test]
    fn new_condition_is_appended_with_now() {
        let mut cs = vec![cond("A", "True", "R", 1)];
        cs[0].last_transition_time = Some(T0.into());
        assert!(set_status_condition(
            &mut cs,
            cond("B", "False", "X", 2),
            T1
        ));
        assert_eq!(cs.len(), 2);
        assert_eq!(cs[1].type_, "B");
        assert_eq!(cs[1].last_transition_time.as_deref(), Some(T1));
        assert_eq!(cs[0].last_transition_time.as_deref(), Some(T0));
    }

    #[test]
    fn explicit_transition_time_is_kept_on_insert() {
        let mut cs = Vec::new();
        let mut c = cond("A", "True", "R", 1);
        c.last_transition_time = Some(T0.into());
        set_status_condition(&mut cs, c, T1);
        assert_eq!(cs[0].last_transition_time.as_deref(), Some(T0));
    }

    #[test]
    fn same_status_keeps_transition_time_but_updates_the_rest() {
        let mut cs = Vec::new();
        set_status_condition(&mut cs, cond("A", "True", "R", 1), T0);
        set_status_condition(&mut cs, cond("B", "True", "R", 1), T0);
        assert!(set_status_condition(
            &mut cs,
            cond("A", "True", "R2", 3),
            T1
        ));
        assert_eq!(cs[0].type_, "A", "position kept");
        assert_eq!(cs[0].last_transition_time.as_deref(), Some(T0));
        assert_eq!(cs[0].reason, "R2");
        assert_eq!(cs[0].message, "R2 msg");
        assert_eq!(cs[0].observed_generation, 3);
    }

    #[test]
    fn status_change_moves_transition_time() {
        let mut cs = Vec::new();
        set_status_condition(&mut cs, cond("A", "True", "R", 1), T0);
        assert!(set_status_condition(
            &mut cs,
            cond("A", "False", "R", 1),
            T1
        ));
        assert_eq!(cs[0].status, "False");
        assert_eq!(cs[0].last_transition_time.as_deref(), Some(T1));
    }

    #[test]
    fn identical_condition_is_not_a_change() {
        let mut cs = Vec::new();
        set_status_condition(&mut cs, cond("A", "True", "R", 1), T0);
        let before = cs.clone();
        assert!(!set_status_condition(
            &mut cs,
            cond("A", "True", "R", 1),
            T1
        ));
        assert_eq!(cs, before);
    }

    #[test]
    fn find_and_remove() {
        let mut cs = Vec::new();
        for t in ["A", "B", "C"] {
            set_status_condition(&mut cs, cond(t, "True", "R", 1), T0);
        }
        assert!(is_condition_true(&cs, "B"));
        assert!(!is_condition_true(&cs, "Z"));
        assert!(remove_status_condition(&mut cs, "B"));
        assert!(!remove_status_condition(&mut cs, "B"));
        let types: Vec<_> = cs.iter().map(|c| c.type_.as_str()).collect();
        assert_eq!(types, ["A", "C"]);
        assert!(find_condition(&cs, "B").is_none());
        assert_eq!(find_condition(&cs, "C").unwrap().type_, "C");
    }

    #[test]
    fn condition_zero_value_encoding() {
        // type/status/reason/message and lastTransitionTime are not omitempty.
        let v = serde_json::to_value(Condition::default()).unwrap();
        assert_eq!(
            v,
            json!({"type": "", "status": "", "lastTransitionTime": null, "reason": "", "message": ""})
        );
    }

    #[test]
    fn object_meta_encoding() {
        assert_eq!(
            serde_json::to_value(ObjectMeta::default()).unwrap(),
            json!({})
        );
        assert_eq!(
            serde_json::to_value(OwnerReference::default()).unwrap(),
            json!({"apiVersion": "", "kind": "", "name": "", "uid": ""})
        );
        let m: ObjectMeta = serde_json::from_value(json!({
            "name": "n", "creationTimestamp": null, "labels": {}, "finalizers": null,
            "deletionTimestamp": "2026-01-01T02:00:00+02:00", "generation": 2.0
        }))
        .unwrap();
        assert_eq!(m.deletion_timestamp.as_deref(), Some(T1));
        assert_eq!(
            serde_json::to_value(&m).unwrap(),
            json!({"name": "n", "generation": 2, "deletionTimestamp": T1})
        );
    }

    #[test]
    fn finalizer_helpers() {
        let mut m = ObjectMeta::default();
        assert!(m.add_finalizer("a"));
        assert!(m.add_finalizer("b"));
        assert!(!m.add_finalizer("a"));
        assert_eq!(m.finalizers, ["a", "b"]);
        m.finalizers.push("a".into());
        assert!(m.remove_finalizer("a"));
        assert_eq!(m.finalizers, ["b"]);
        assert!(!m.remove_finalizer("a"));
        assert!(m.has_finalizer("b") && !m.has_finalizer("a"));
    }
}
