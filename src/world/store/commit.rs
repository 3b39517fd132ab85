//! Turning a write's candidate object into the stored one, and the typed
//! encoding every stored object goes through.

use std::sync::Arc;

use serde_json::Value;

use super::{metadata_mut, set_type_meta, ApiServer, NULL};
use crate::world::error::ApiError;
use crate::world::json::{canonicalize_metadata, get_str};
use crate::world::kinds::{kind_info, split_api_version, KindInfo};
use crate::world::managed::{ApplyError, DEFAULT_MANAGER};
use crate::world::record::{WriteOutcome, WriteRecord, APPLY_PATCH};
use crate::world::schema;

impl ApiServer {
    /// Turns a candidate object into the stored one (server-owned fields, status
    /// subresource rules, generation, canonical metadata), then stores it unless it
    /// is identical to what is stored.
    pub(super) fn commit(
        &mut self,
        api_version: &str,
        kind: &str,
        stored: Arc<Value>,
        candidate: Value,
        status: bool,
        record: &mut WriteRecord,
    ) -> Result<Arc<Value>, ApiError> {
        let info = kind_info(api_version, kind);
        // The request decoded into the kind's Go type: every comparison below
        // (generation, no-op writes, immutable fields) sees Go's encoding.
        let mut next = if status && same_outside_status(&stored, &candidate) {
            // A status write that leaves the rest as stored (the usual status patch): the
            // rest is in Go's form already, so only the new status is decoded, and the
            // candidate is the next object as it stands.
            let mut candidate = candidate;
            typed_field(api_version, kind, &mut candidate, "status")?;
            candidate
        } else if status {
            let mut candidate = typed(api_version, kind, candidate)?;
            let mut next = Value::clone(&stored);
            let new_status = candidate
                .get_mut("status")
                .map(|s| std::mem::replace(s, Value::Null));
            let map = next.as_object_mut().expect("stored objects are maps");
            match new_status {
                Some(s) => {
                    map.insert("status".into(), s);
                }
                None => {
                    map.remove("status");
                }
            }
            next
        } else {
            let mut next = typed(api_version, kind, candidate)?;
            if !next.is_object() {
                return Err(ApiError::Invalid(
                    "the request body is not an object".into(),
                ));
            }
            set_type_meta(&mut next, api_version, kind);
            let stored_meta = stored.get("metadata").unwrap_or(&NULL);
            if stored_meta.get("deletionTimestamp")
                != next
                    .get("metadata")
                    .and_then(|m| m.get("deletionTimestamp"))
                && next
                    .get("metadata")
                    .and_then(|m| m.get("deletionTimestamp"))
                    .is_some()
            {
                return Err(ApiError::Invalid(format!(
                    "{} \"{}\" is invalid: metadata.deletionTimestamp: Invalid value: field is immutable",
                    info.resource(),
                    record.name
                )));
            }
            let meta = metadata_mut(&mut next);
            for field in [
                "uid",
                "creationTimestamp",
                "deletionTimestamp",
                "deletionGracePeriodSeconds",
                "generation",
            ] {
                match stored_meta.get(field) {
                    Some(v) => {
                        meta.insert(field.into(), v.clone());
                    }
                    None => {
                        meta.remove(field);
                    }
                }
            }
            meta.remove("managedFields");
            let obj = next.as_object_mut().expect("checked above");
            if info.status_subresource {
                match stored.get("status") {
                    Some(s) => {
                        obj.insert("status".into(), s.clone());
                    }
                    None => {
                        obj.remove("status");
                    }
                }
            }
            if info.tracks_generation() && content_changed(&info, &stored, &next) {
                let generation = stored_meta
                    .get("generation")
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                metadata_mut(&mut next).insert("generation".into(), Value::from(generation + 1));
            }
            next
        };
        if info.custom {
            canonicalize_metadata(&mut next);
        }
        typed_metadata(api_version, kind, &mut next)?;
        let stored_rv = get_str(&stored, &["metadata", "resourceVersion"])
            .unwrap_or("")
            .to_string();
        metadata_mut(&mut next).insert("resourceVersion".into(), Value::String(stored_rv));
        if next == *stored {
            record.outcome = WriteOutcome::Unchanged {
                object: Arc::clone(&stored),
            };
            return Ok(stored);
        }
        let key = Self::key(&info, &record.namespace, &record.name);
        let rv = self.next_rv();
        let finalizers_gone = next
            .get("metadata")
            .and_then(|m| m.get("finalizers"))
            .and_then(Value::as_array)
            .is_none_or(|f| f.is_empty());
        let deleting = next
            .get("metadata")
            .and_then(|m| m.get("deletionTimestamp"))
            .is_some();
        metadata_mut(&mut next).insert("resourceVersion".into(), Value::String(rv));
        let next = Arc::new(next);
        if deleting && finalizers_gone {
            self.remove_object(&key);
            record.outcome = WriteOutcome::Removed { before: stored };
            return Ok(next);
        }
        if !status && record.patch_type != Some(APPLY_PATCH) {
            // An update or merge patch: the request's manager takes what it changed.
            if let Some(managed) = self.managed.get_mut(&key) {
                let ty = schema::root(api_version, kind);
                if managed
                    .update(&stored, &next, DEFAULT_MANAGER, api_version, &self.now, ty)
                    .is_err()
                {
                    // The schema's keys do not fit the object: ownership is dropped,
                    // as the API server resets managedFields it cannot maintain.
                    self.managed.remove(&key);
                }
            }
        }
        self.objects.insert(key, Arc::clone(&next));
        record.outcome = WriteOutcome::Updated {
            before: stored,
            after: Arc::clone(&next),
        };
        Ok(next)
    }
}

/// The object as the API server stores it: decoded into its kind's Go type and
/// encoded again (typed storage, `crate::api::typed`); untyped kinds as written.
pub(super) fn typed(api_version: &str, kind: &str, object: Value) -> Result<Value, ApiError> {
    crate::api::typed::normalize(api_version, kind, object)
        .map(|n| n.value)
        .map_err(|e| decode_error(api_version, kind, e))
}

/// Re-encodes `metadata` after server-owned fields were set, keeping Go's field order.
pub(super) fn typed_metadata(
    api_version: &str,
    kind: &str,
    object: &mut Value,
) -> Result<(), ApiError> {
    typed_field(api_version, kind, object, "metadata")
}

/// Re-encodes one top-level field of an object in place (Go's form of that field alone).
fn typed_field(
    api_version: &str,
    kind: &str,
    object: &mut Value,
    field: &str,
) -> Result<(), ApiError> {
    crate::api::typed::normalize_field(api_version, kind, object, field)
        .map_err(|e| decode_error(api_version, kind, e))
}

/// Whether a status write's candidate holds a status and, besides it, exactly the stored
/// object (same members, same order): then decoding the whole candidate would give back
/// the stored rest unchanged, as stored objects are in Go's form.
fn same_outside_status(stored: &Value, candidate: &Value) -> bool {
    let (Value::Object(stored), Value::Object(candidate)) = (stored, candidate) else {
        return false;
    };
    let outside = |(k, _): &(&String, &Value)| k.as_str() != "status";
    candidate.contains_key("status")
        && stored
            .iter()
            .filter(outside)
            .eq(candidate.iter().filter(outside))
}

/// The API server's text for a body its codec cannot decode.
fn decode_error(api_version: &str, kind: &str, e: crate::api::typed::DecodeError) -> ApiError {
    let version = split_api_version(api_version).1;
    ApiError::Invalid(format!(
        "{kind} in version \"{version}\" cannot be handled as a {kind}: {}",
        e.message
    ))
}

/// Whether the part of the object that drives `generation` changed.
fn content_changed(info: &KindInfo, before: &Value, after: &Value) -> bool {
    if info.custom {
        // Map equality ignores key order, as comparing the stripped maps would.
        let after_map = after.as_object();
        content_entries(before).count() != content_entries(after).count()
            || content_entries(before).any(|(k, v)| after_map.and_then(|m| m.get(k)) != Some(v))
    } else {
        before.get("spec") != after.get("spec")
    }
}

/// The top-level fields of a custom resource outside type meta, metadata and status.
fn content_entries(object: &Value) -> impl Iterator<Item = (&String, &Value)> {
    object
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| !matches!(k.as_str(), "apiVersion" | "kind" | "metadata" | "status"))
}

/// A refused apply as the API server answers it.
pub(super) fn apply_error(error: ApplyError) -> ApiError {
    match error {
        ApplyError::Conflict(message) => ApiError::ApplyConflict(message),
        ApplyError::Invalid(message) => ApiError::Invalid(message),
    }
}
