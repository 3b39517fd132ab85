//! Write requests: create, update, merge patch, server-side apply and delete,
//! each recorded in order with its outcome.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use serde_json::Value;

use super::commit::{apply_error, typed, typed_metadata};
use super::{metadata_mut, namespace_and_name, set_type_meta, ApiServer};
use crate::world::error::ApiError;
use crate::world::json::{apply_merge_patch, canonicalize_metadata, get_str};
use crate::world::kinds::kind_info;
use crate::world::managed::{Managed, DEFAULT_MANAGER};
use crate::world::record::{DeleteOptions, WriteOutcome, WriteRecord, APPLY_PATCH, MERGE_PATCH};
use crate::world::schema;
use crate::world::ssa::LastApply;

impl ApiServer {
    /// The write requests recorded so far.
    pub fn writes(&self) -> &[WriteRecord] {
        &self.writes
    }

    /// Takes the recorded writes, leaving the log empty (the seq counter continues).
    pub fn take_writes(&mut self) -> Vec<WriteRecord> {
        std::mem::take(&mut self.writes)
    }

    /// Rejects every later write (used to prove a dry run never writes).
    pub fn set_read_only(&mut self, read_only: bool) {
        self.read_only = read_only;
    }

    fn record(&mut self, mut record: WriteRecord, result: &Result<Arc<Value>, ApiError>) {
        self.seq += 1;
        record.seq = self.seq;
        if let Some(probe) = &self.write_probe {
            probe.store(self.seq, Ordering::SeqCst);
        }
        if let Err(e) = result {
            record.error = Some(e.to_string());
            record.outcome = WriteOutcome::Failed;
        }
        self.writes.push(record);
    }

    fn base_record(
        verb: &'static str,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> WriteRecord {
        WriteRecord {
            seq: 0,
            verb,
            subresource: None,
            api_version: api_version.to_string(),
            kind: kind.to_string(),
            namespace: namespace.to_string(),
            name: name.to_string(),
            patch_type: None,
            patch: None,
            object: None,
            field_manager: None,
            force: None,
            propagation_policy: None,
            error: None,
            outcome: WriteOutcome::Failed,
        }
    }

    fn guard_writable(&self) -> Result<(), ApiError> {
        if self.read_only {
            Err(ApiError::Invalid(
                "nodectl: write refused: the API server is read-only (dry run)".into(),
            ))
        } else {
            Ok(())
        }
    }

    /// CREATE. `body` is the request as sent; `api_version`/`kind` name the resource.
    pub fn create(
        &mut self,
        api_version: &str,
        kind: &str,
        body: Value,
    ) -> Result<Arc<Value>, ApiError> {
        let (namespace, name) = namespace_and_name(&body);
        let mut record = Self::base_record("Create", api_version, kind, &namespace, &name);
        let body = Arc::new(body);
        record.object = Some(Arc::clone(&body));
        let result = self
            .guard_writable()
            .and_then(|_| self.do_create(api_version, kind, &body, None));
        if let Ok(after) = &result {
            record.outcome = WriteOutcome::Created {
                after: Arc::clone(after),
            };
        }
        self.record(record, &result);
        result
    }

    /// Creates the object; `applier` names the field manager of a server-side
    /// apply that creates (else the request is an Update by [`DEFAULT_MANAGER`]).
    fn do_create(
        &mut self,
        api_version: &str,
        kind: &str,
        body: &Value,
        applier: Option<&str>,
    ) -> Result<Arc<Value>, ApiError> {
        self.check_served(api_version, kind)?;
        let info = kind_info(api_version, kind);
        let namespace = get_str(body, &["metadata", "namespace"]).unwrap_or("");
        let name = get_str(body, &["metadata", "name"]).unwrap_or("");
        let key = Self::key(&info, namespace, name);
        if self.objects.contains_key(&key) {
            return Err(ApiError::AlreadyExists {
                resource: info.resource(),
                name: name.to_string(),
            });
        }
        let ty = schema::root(api_version, kind);
        let mut managed = Managed::default();
        let applied = match applier {
            Some(manager) => managed
                .apply(
                    &Value::Null,
                    body,
                    manager,
                    api_version,
                    &self.now,
                    ty,
                    true,
                )
                .map(Some),
            None => managed
                .update(
                    &Value::Null,
                    body,
                    DEFAULT_MANAGER,
                    api_version,
                    &self.now,
                    ty,
                )
                .map(|()| None),
        }
        .map_err(apply_error)?;
        // An apply onto nothing hands back the body without what no manager owns (status,
        // managedFields): that is the object to store unless the body's status is kept.
        let keeps_status = !info.drop_status_on_create && body.get("status").is_some();
        let mut object = match applied {
            Some(object) if !keeps_status => object,
            _ => body.clone(),
        };
        set_type_meta(&mut object, api_version, kind);
        let uid = self.new_uid(&key);
        let rv = self.next_rv();
        let now = self.now.clone();
        let meta = metadata_mut(&mut object);
        meta.insert("uid".into(), Value::String(uid));
        meta.insert("creationTimestamp".into(), Value::String(now));
        meta.remove("deletionTimestamp");
        meta.remove("deletionGracePeriodSeconds");
        meta.remove("managedFields");
        meta.remove("generation");
        if info.tracks_generation() {
            meta.insert("generation".into(), Value::from(1));
        }
        meta.insert("resourceVersion".into(), Value::String(rv));
        if info.drop_status_on_create {
            // A typed kind stores its zero status instead (Go writes the struct).
            if let Some(map) = object.as_object_mut() {
                map.remove("status");
            }
        }
        let mut object = typed(api_version, kind, object)?;
        if info.custom {
            canonicalize_metadata(&mut object);
        }
        self.managed.insert(key.clone(), managed);
        let object = Arc::new(object);
        self.objects.insert(key, Arc::clone(&object));
        Ok(object)
    }

    /// UPDATE (PUT) of the main resource or, with `status`, of the status subresource.
    pub fn update(
        &mut self,
        api_version: &str,
        kind: &str,
        body: Value,
        status: bool,
    ) -> Result<Arc<Value>, ApiError> {
        let (namespace, name) = namespace_and_name(&body);
        let mut record = Self::base_record("Update", api_version, kind, &namespace, &name);
        let body = Arc::new(body);
        record.object = Some(Arc::clone(&body));
        record.subresource = status.then_some("status");
        let result = self.guard_writable().and_then(|_| {
            let stored = self.get(api_version, kind, &namespace, &name)?;
            self.check_lock(api_version, kind, &stored, &body)?;
            let candidate = Value::clone(&body);
            self.commit(api_version, kind, stored, candidate, status, &mut record)
        });
        self.record(record, &result);
        result
    }

    /// PATCH with a JSON merge patch; a `metadata.resourceVersion` in the patch is the
    /// optimistic lock.
    pub fn merge_patch(
        &mut self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
        patch: Value,
        status: bool,
    ) -> Result<Arc<Value>, ApiError> {
        let mut record = Self::base_record("Patch", api_version, kind, namespace, name);
        record.patch_type = Some(MERGE_PATCH);
        let patch = Arc::new(patch);
        record.patch = Some(Arc::clone(&patch));
        record.subresource = status.then_some("status");
        let result = self.guard_writable().and_then(|_| {
            let stored = self.get(api_version, kind, namespace, name)?;
            self.check_lock(api_version, kind, &stored, &patch)?;
            let mut candidate = Value::clone(&stored);
            apply_merge_patch(&mut candidate, &patch);
            self.commit(api_version, kind, stored, candidate, status, &mut record)
        });
        self.record(record, &result);
        result
    }

    /// PATCH with server-side apply by `field_manager` with force, as the operator
    /// applies (`client.ForceOwnership`).
    pub fn apply(
        &mut self,
        api_version: &str,
        kind: &str,
        body: Value,
        field_manager: &str,
    ) -> Result<Arc<Value>, ApiError> {
        self.apply_with(api_version, kind, body, field_manager, true)
    }

    /// PATCH with server-side apply by `field_manager`; without `force`, fields
    /// other managers own and the apply changes are a 409 conflict.
    pub fn apply_with(
        &mut self,
        api_version: &str,
        kind: &str,
        body: Value,
        field_manager: &str,
        force: bool,
    ) -> Result<Arc<Value>, ApiError> {
        let (namespace, name) = namespace_and_name(&body);
        let mut record = Self::base_record("Patch", api_version, kind, &namespace, &name);
        let body = Arc::new(body);
        record.patch_type = Some(APPLY_PATCH);
        record.patch = Some(Arc::clone(&body));
        record.field_manager = Some(field_manager.to_string());
        record.force = Some(force);
        let result = self.guard_writable().and_then(|_| {
            self.check_served(api_version, kind)?;
            let info = kind_info(api_version, kind);
            let key = Self::key(&info, &namespace, &name);
            let manager_key = (key, field_manager.to_string());
            let result = match self.objects.get(&manager_key.0).cloned() {
                None => {
                    let created = self.do_create(api_version, kind, &body, Some(field_manager))?;
                    record.outcome = WriteOutcome::Created {
                        after: Arc::clone(&created),
                    };
                    Ok(created)
                }
                Some(stored) => {
                    let last = self.applied.get(&manager_key.0, field_manager);
                    if last.is_some_and(|last| last.repeats(&body, &stored, api_version, kind)) {
                        record.outcome = WriteOutcome::Unchanged {
                            object: Arc::clone(&stored),
                        };
                        return Ok(stored);
                    }
                    let mut managed = self
                        .managed
                        .get_mut(&manager_key.0)
                        .cloned()
                        .unwrap_or_default();
                    let candidate = managed
                        .apply(
                            &stored,
                            &body,
                            field_manager,
                            api_version,
                            &self.now,
                            schema::root(api_version, kind),
                            force,
                        )
                        .map_err(apply_error)?;
                    let result =
                        self.commit(api_version, kind, stored, candidate, false, &mut record);
                    if result.is_ok() && self.objects.contains_key(&manager_key.0) {
                        // Ownership moves even when the content does not change
                        // (PARITY.md §4.1: such a write is not stored).
                        self.managed.insert(manager_key.0.clone(), managed);
                    }
                    result
                }
            };
            if let Ok(stored) = &result {
                let last = LastApply::new(Arc::clone(&body), stored);
                self.applied.insert(manager_key.0, field_manager, last);
            }
            result
        });
        self.record(record, &result);
        result
    }

    /// DELETE. Objects with finalizers are only marked as deleted.
    pub fn delete(
        &mut self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
        options: DeleteOptions,
    ) -> Result<Arc<Value>, ApiError> {
        let mut record = Self::base_record("Delete", api_version, kind, namespace, name);
        record.propagation_policy = options.propagation_policy.clone();
        let result = self.guard_writable().and_then(|_| {
            let stored = self.get(api_version, kind, namespace, name)?;
            let info = kind_info(api_version, kind);
            let key = Self::key(&info, namespace, name);
            let has_finalizers = stored
                .get("metadata")
                .and_then(|m| m.get("finalizers"))
                .and_then(Value::as_array)
                .is_some_and(|f| !f.is_empty());
            if !has_finalizers {
                self.next_rv();
                self.remove_object(&key);
                record.outcome = WriteOutcome::Removed {
                    before: Arc::clone(&stored),
                };
                return Ok(stored);
            }
            if stored
                .get("metadata")
                .and_then(|m| m.get("deletionTimestamp"))
                .is_some()
            {
                record.outcome = WriteOutcome::Unchanged {
                    object: Arc::clone(&stored),
                };
                return Ok(stored);
            }
            let mut marked = Value::clone(&stored);
            let rv = self.next_rv();
            let now = self.now.clone();
            let meta = metadata_mut(&mut marked);
            meta.insert("deletionTimestamp".into(), Value::String(now));
            meta.insert("deletionGracePeriodSeconds".into(), Value::from(0));
            if let Some(generation) = meta.get("generation").and_then(Value::as_i64) {
                if generation > 0 {
                    meta.insert("generation".into(), Value::from(generation + 1));
                }
            }
            meta.insert("resourceVersion".into(), Value::String(rv));
            typed_metadata(api_version, kind, &mut marked)?;
            let marked = Arc::new(marked);
            self.objects.insert(key, Arc::clone(&marked));
            record.outcome = WriteOutcome::MarkedDeleted {
                before: stored,
                after: Arc::clone(&marked),
            };
            Ok(marked)
        });
        self.record(record, &result);
        result
    }

    fn check_lock(
        &self,
        api_version: &str,
        kind: &str,
        stored: &Value,
        body: &Value,
    ) -> Result<(), ApiError> {
        let Some(sent) = get_str(body, &["metadata", "resourceVersion"]) else {
            return Ok(());
        };
        if sent.is_empty() || Some(sent) == get_str(stored, &["metadata", "resourceVersion"]) {
            return Ok(());
        }
        let name = get_str(stored, &["metadata", "name"])
            .unwrap_or("")
            .to_string();
        Err(ApiError::Conflict {
            resource: kind_info(api_version, kind).resource(),
            name,
        })
    }
}
