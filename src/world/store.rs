//! The in-memory API server (PARITY.md §4): one global resourceVersion counter,
//! no-op writes not stored, optimistic locking, uid/creationTimestamp/generation
//! rules, the status subresource, finalizers and deletion, kinds not served.
//! Every write request is recorded, in order, for the trace.
//!
//! Stored objects, request bodies and write outcomes are shared [`Arc<Value>`]s:
//! a read or a recorded before/after snapshot costs a reference count, not a copy.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde_json::{Map, Value};

use super::error::ApiError;
use super::json::{apply_merge_patch, canonicalize_metadata, get_str};
use super::kinds::{gvk_name, is_optional_kind, kind_info, split_api_version, KindInfo};
use super::managed::{ApplyError, Managed, DEFAULT_MANAGER};
pub use super::objects::ObjectKey;
use super::objects::Objects;
use super::record::{DeleteOptions, WriteOutcome, WriteRecord, APPLY_PATCH, MERGE_PATCH};
use super::schema;
use super::ssa::LastApply;

/// UUID namespace (RFC 4122 NameSpaceURL) used for server-assigned uids.
const NAMESPACE_URL: uuid::Uuid = uuid::Uuid::from_u128(0x6ba7b811_9dad_11d1_80b4_00c04fd430c8);

/// The in-memory API server.
#[derive(Debug, Clone)]
pub struct ApiServer {
    objects: Objects,
    served_optional: HashSet<String>,
    resource_version: u64,
    creations: HashMap<String, u64>,
    /// Last object each field manager applied, per object (server-side apply).
    applied: HashMap<(ObjectKey, String), LastApply>,
    /// Field ownership per object (`metadata.managedFields`, held aside: never returned).
    managed: HashMap<ObjectKey, Managed>,
    now: String,
    seq: u64,
    writes: Vec<WriteRecord>,
    /// When false, write requests are rejected without touching the store.
    read_only: bool,
    /// Mirrors `seq` for observers outside the store (ordering sidecar calls among writes).
    write_probe: Option<Arc<AtomicU64>>,
}

/// `null`, for absent fields read by reference.
static NULL: Value = Value::Null;

impl ApiServer {
    /// An empty API server whose clock reads `now` (RFC 3339, whole seconds).
    pub fn new(now: impl Into<String>) -> Self {
        ApiServer {
            objects: Objects::default(),
            served_optional: HashSet::new(),
            resource_version: 99,
            creations: HashMap::new(),
            applied: HashMap::new(),
            managed: HashMap::new(),
            now: now.into(),
            seq: 0,
            writes: Vec::new(),
            read_only: false,
            write_probe: None,
        }
    }

    /// A counter that always holds the seq of the last recorded write. Shared by
    /// clones of this server: take it after the last clone.
    pub fn write_probe(&mut self) -> Arc<AtomicU64> {
        let seq = self.seq;
        self.write_probe
            .get_or_insert_with(|| Arc::new(AtomicU64::new(seq)))
            .clone()
    }

    /// The wall clock every server-side timestamp uses.
    pub fn now(&self) -> &str {
        &self.now
    }

    /// Serves an optional kind (`group/version/Kind`, PARITY.md §2.4).
    pub fn install_kind(&mut self, gvk: &str) {
        self.served_optional.insert(gvk.to_string());
    }

    /// Whether requests for this kind are served.
    pub fn is_served(&self, api_version: &str, kind: &str) -> bool {
        !is_optional_kind(api_version, kind)
            || self.served_optional.contains(&gvk_name(api_version, kind))
    }

    /// The optional kinds currently served.
    pub fn served_optional_kinds(&self) -> impl Iterator<Item = &String> {
        self.served_optional.iter()
    }

    fn check_served(&self, api_version: &str, kind: &str) -> Result<(), ApiError> {
        if self.is_served(api_version, kind) {
            Ok(())
        } else {
            Err(ApiError::NotServed {
                kind: kind.to_string(),
                api_version: api_version.to_string(),
            })
        }
    }

    fn next_rv(&mut self) -> String {
        self.resource_version += 1;
        self.resource_version.to_string()
    }

    fn key(info: &KindInfo, namespace: &str, name: &str) -> ObjectKey {
        ObjectKey {
            group_kind: info.group_kind(),
            namespace: namespace.to_string(),
            name: name.to_string(),
        }
    }

    fn new_uid(&mut self, info: &KindInfo, namespace: &str, name: &str) -> String {
        let id = format!("{}/{}/{}", info.group_kind(), namespace, name);
        let n = self.creations.entry(id.clone()).or_insert(0);
        let seed = format!("uid:{id}/{n}");
        *n += 1;
        uuid::Uuid::new_v5(&NAMESPACE_URL, seed.as_bytes()).to_string()
    }

    // ---------------------------------------------------------------- loading

    /// Stores an object as found in a cluster snapshot (PARITY.md §1, §4.3): the next
    /// resourceVersion, and uid / creationTimestamp / generation only where absent.
    pub fn load(&mut self, object: Value) -> Result<(), ApiError> {
        self.load_object(object, false)
    }

    /// Stores an object read from a live cluster: its resourceVersion, uid,
    /// creationTimestamp and generation are kept, and later writes take
    /// resourceVersions above every loaded one.
    pub fn load_live(&mut self, object: Value) -> Result<(), ApiError> {
        self.load_object(object, true)
    }

    fn load_object(&mut self, object: Value, live: bool) -> Result<(), ApiError> {
        let (api_version, kind, namespace, name) = identity(&object)?;
        let mut object = object;
        let info = kind_info(&api_version, &kind);
        let key = Self::key(&info, &namespace, &name);
        let uid_seed = format!("{}/{}/{}", info.group_kind(), namespace, name);
        let managed = Managed::from_object(&object);
        let meta = metadata_mut(&mut object);
        if meta
            .get("uid")
            .and_then(Value::as_str)
            .unwrap_or("")
            .is_empty()
        {
            let seed = format!("uid:{uid_seed}/0");
            meta.insert(
                "uid".into(),
                Value::String(uuid::Uuid::new_v5(&NAMESPACE_URL, seed.as_bytes()).to_string()),
            );
        }
        if meta.get("creationTimestamp").is_none_or(Value::is_null) {
            meta.insert("creationTimestamp".into(), Value::String(self.now.clone()));
        }
        if info.tracks_generation() && meta.get("generation").is_none_or(Value::is_null) {
            meta.insert("generation".into(), Value::from(1));
        }
        meta.remove("managedFields");
        *self.creations.entry(uid_seed).or_insert(0) += 1;
        let live_rv = get_str(&object, &["metadata", "resourceVersion"])
            .and_then(|rv| rv.parse::<u64>().ok())
            .filter(|_| live);
        match live_rv {
            Some(rv) => self.resource_version = self.resource_version.max(rv),
            None => {
                let rv = self.next_rv();
                metadata_mut(&mut object).insert("resourceVersion".into(), Value::String(rv));
            }
        }
        let object = typed(&api_version, &kind, &object)?;
        if managed.0.is_empty() {
            self.managed.remove(&key);
        } else {
            self.managed.insert(key.clone(), managed);
        }
        self.objects.insert(key, Arc::new(object));
        Ok(())
    }

    /// The field ownership of a stored object, as `metadata.managedFields` would
    /// read (empty when nothing is recorded).
    pub fn managed_fields(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Value {
        let key = Self::key(&kind_info(api_version, kind), namespace, name);
        self.managed
            .get(&key)
            .map_or(Value::Array(Vec::new()), Managed::to_json)
    }

    // ------------------------------------------------------------------ reads

    /// GET one object.
    pub fn get(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Arc<Value>, ApiError> {
        self.check_served(api_version, kind)?;
        let info = kind_info(api_version, kind);
        self.objects
            .get(&Self::key(&info, namespace, name))
            .cloned()
            .ok_or_else(|| ApiError::NotFound {
                resource: info.resource(),
                name: name.to_string(),
            })
    }

    /// GET one object, `None` when it does not exist.
    pub fn get_opt(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Option<Arc<Value>>, ApiError> {
        match self.get(api_version, kind, namespace, name) {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// LIST objects of a kind in a namespace (`None`: all namespaces) whose labels
    /// equal every pair of `selector`, sorted by namespace then name.
    pub fn list(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        selector: &[(&str, &str)],
    ) -> Result<Vec<Arc<Value>>, ApiError> {
        self.check_served(api_version, kind)?;
        let group_kind = kind_info(api_version, kind).group_kind();
        if let (Some(namespace), false) = (namespace, selector.is_empty()) {
            return Ok(self.objects.select(&group_kind, namespace, selector));
        }
        // Keys sort by kind, then namespace, then name: the matches are one range.
        let start = ObjectKey {
            group_kind,
            namespace: namespace.unwrap_or("").to_string(),
            name: String::new(),
        };
        Ok(self
            .objects
            .range(&start..)
            .take_while(|(k, _)| {
                k.group_kind == start.group_kind && namespace.is_none_or(|ns| k.namespace == ns)
            })
            .filter(|(_, obj)| {
                selector.iter().all(|(lk, lv)| {
                    obj.get("metadata")
                        .and_then(|m| m.get("labels"))
                        .and_then(|l| l.get(*lk))
                        .and_then(Value::as_str)
                        == Some(*lv)
                })
            })
            .map(|(_, obj)| Arc::clone(obj))
            .collect())
    }

    /// Every stored object, sorted by kind, then namespace, then name.
    pub fn all_objects(&self) -> Vec<&Arc<Value>> {
        let mut all: Vec<(&str, &ObjectKey, &Arc<Value>)> = self
            .objects
            .iter()
            .map(|(k, v)| (k.group_kind.rsplit('/').next().unwrap_or(""), k, v))
            .collect();
        all.sort_by(|a, b| (a.0, &a.1.namespace, &a.1.name).cmp(&(b.0, &b.1.namespace, &b.1.name)));
        all.into_iter().map(|(_, _, v)| v).collect()
    }

    // ----------------------------------------------------------------- writes

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
        match applier {
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
                .map(drop),
            None => managed.update(
                &Value::Null,
                body,
                DEFAULT_MANAGER,
                api_version,
                &self.now,
                ty,
            ),
        }
        .map_err(apply_error)?;
        let mut object = body.clone();
        set_type_meta(&mut object, api_version, kind);
        let uid = self.new_uid(&info, &key.namespace, &key.name);
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
        let mut object = typed(api_version, kind, &object)?;
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
            let stored = self.stored_for_write(api_version, kind, &namespace, &name)?;
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
            let stored = self.stored_for_write(api_version, kind, namespace, name)?;
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
                    let last = self.applied.get(&manager_key);
                    if last.is_some_and(|last| last.repeats(&body, &stored, api_version, kind)) {
                        record.outcome = WriteOutcome::Unchanged {
                            object: Arc::clone(&stored),
                        };
                        return Ok(stored);
                    }
                    let mut managed = self
                        .managed
                        .get(&manager_key.0)
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
                let last = LastApply {
                    body: Arc::clone(&body),
                    result: Arc::clone(stored),
                };
                self.applied.insert(manager_key, last);
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
            let stored = self.stored_for_write(api_version, kind, namespace, name)?;
            let info = kind_info(api_version, kind);
            let key = Self::key(&info, namespace, name);
            let has_finalizers = stored
                .get("metadata")
                .and_then(|m| m.get("finalizers"))
                .and_then(Value::as_array)
                .is_some_and(|f| !f.is_empty());
            if !has_finalizers {
                self.next_rv();
                self.objects.remove(&key);
                self.applied.retain(|(k, _), _| *k != key);
                self.managed.remove(&key);
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

    fn stored_for_write(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Arc<Value>, ApiError> {
        self.get(api_version, kind, namespace, name)
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

    /// Turns a candidate object into the stored one (server-owned fields, status
    /// subresource rules, generation, canonical metadata), then stores it unless it
    /// is identical to what is stored.
    fn commit(
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
        let mut candidate = typed(api_version, kind, &candidate)?;
        let mut next = if status {
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
            let mut next = candidate;
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
            self.objects.remove(&key);
            self.applied.retain(|(k, _), _| *k != key);
            self.managed.remove(&key);
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
fn typed(api_version: &str, kind: &str, object: &Value) -> Result<Value, ApiError> {
    crate::api::typed::normalize(api_version, kind, object)
        .map(|n| n.value)
        .map_err(|e| decode_error(api_version, kind, e))
}

/// Re-encodes `metadata` after server-owned fields were set, keeping Go's field order.
fn typed_metadata(api_version: &str, kind: &str, object: &mut Value) -> Result<(), ApiError> {
    crate::api::typed::normalize_field(api_version, kind, object, "metadata")
        .map_err(|e| decode_error(api_version, kind, e))
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
fn apply_error(error: ApplyError) -> ApiError {
    match error {
        ApplyError::Conflict(message) => ApiError::ApplyConflict(message),
        ApplyError::Invalid(message) => ApiError::Invalid(message),
    }
}

fn identity(object: &Value) -> Result<(String, String, String, String), ApiError> {
    let api_version = get_str(object, &["apiVersion"]).unwrap_or("").to_string();
    let kind = get_str(object, &["kind"]).unwrap_or("").to_string();
    let (namespace, name) = namespace_and_name(object);
    if kind.is_empty() || api_version.is_empty() || name.is_empty() {
        return Err(ApiError::Invalid(
            "object is missing apiVersion, kind or metadata.name".into(),
        ));
    }
    Ok((api_version, kind, namespace, name))
}

/// `metadata.namespace` and `metadata.name` of a request body (empty when absent).
fn namespace_and_name(body: &Value) -> (String, String) {
    let text = |field: &str| {
        get_str(body, &["metadata", field])
            .unwrap_or("")
            .to_string()
    };
    (text("namespace"), text("name"))
}

fn set_type_meta(object: &mut Value, api_version: &str, kind: &str) {
    if let Some(map) = object.as_object_mut() {
        map.insert("apiVersion".into(), Value::String(api_version.to_string()));
        map.insert("kind".into(), Value::String(kind.to_string()));
    }
}

fn metadata_mut(object: &mut Value) -> &mut Map<String, Value> {
    super::json::ensure_object(object, &["metadata"])
}

/// The `group` part of an apiVersion (re-exported for callers building requests).
pub fn group_of(api_version: &str) -> &str {
    split_api_version(api_version).0
}
