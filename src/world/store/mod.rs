//! The in-memory API server (PARITY.md §4): one global resourceVersion counter,
//! no-op writes not stored, optimistic locking, uid/creationTimestamp/generation
//! rules, the status subresource, finalizers and deletion, kinds not served.
//! Every write request is recorded, in order, for the trace.
//!
//! Stored objects, request bodies and write outcomes are shared [`Arc<Value>`]s:
//! a read or a recorded before/after snapshot costs a reference count, not a copy.

mod commit;
mod ownership;
mod write;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::compact::{encode_text, StoredObject};
use super::error::ApiError;
use super::json::get_str;
use super::kinds::{gvk_name, is_optional_kind, kind_info, split_api_version, KindInfo};
use super::managed::Managed;
pub use super::objects::ObjectKey;
use super::objects::Objects;
use super::record::WriteRecord;
use super::rest_text::RestText;
use commit::typed;
use ownership::{LastApplies, Ownerships};

/// UUID namespace (RFC 4122 NameSpaceURL) used for server-assigned uids.
const NAMESPACE_URL: uuid::Uuid = uuid::Uuid::from_u128(0x6ba7b811_9dad_11d1_80b4_00c04fd430c8);

/// The in-memory API server.
#[derive(Debug, Clone)]
pub struct ApiServer {
    objects: Objects,
    served_optional: HashSet<String>,
    resource_version: u64,
    creations: HashMap<String, u64>,
    /// Each field manager's last apply, per object (server-side apply).
    applied: LastApplies,
    /// Field ownership per object (`metadata.managedFields`, held aside: never returned).
    managed: Ownerships,
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
            applied: LastApplies::default(),
            managed: Ownerships::default(),
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

    /// Removes a stored object with its last applies and field ownership. A loaded object's
    /// creation is written down now, so a later create of the name takes the next uid.
    fn remove_object(&mut self, key: &ObjectKey) {
        self.objects.remove(key);
        self.applied.remove(key);
        self.managed.remove(key);
        self.creations.entry(creation_id(key)).or_insert(1);
    }

    fn new_uid(&mut self, key: &ObjectKey) -> String {
        let id = creation_id(key);
        let n = self.creations.entry(id.clone()).or_insert(0);
        let seed = format!("uid:{id}/{n}");
        *n += 1;
        uuid::Uuid::new_v5(&NAMESPACE_URL, seed.as_bytes()).to_string()
    }

    // ---------------------------------------------------------------- loading

    /// Stores an object as found in a cluster snapshot (PARITY.md §1, §4.3): the next
    /// resourceVersion, and uid / creationTimestamp / generation only where absent.
    pub fn load(&mut self, object: Value) -> Result<(), ApiError> {
        self.load_object(object, false, false)
    }

    /// [`ApiServer::load`], keeping the stored object as its compact JSON text until
    /// something reads it (for input objects nothing is expected to read: a read then
    /// decodes it once).
    pub fn load_compact(&mut self, object: Value) -> Result<(), ApiError> {
        self.load_object(object, false, true)
    }

    /// Stores an object read from a live cluster: its resourceVersion, uid,
    /// creationTimestamp and generation are kept, and later writes take
    /// resourceVersions above every loaded one.
    pub fn load_live(&mut self, object: Value) -> Result<(), ApiError> {
        self.load_object(object, true, false)
    }

    fn load_object(&mut self, object: Value, live: bool, compact: bool) -> Result<(), ApiError> {
        let (api_version, kind, namespace, name) = identity(&object)?;
        let mut object = object;
        let info = kind_info(&api_version, &kind);
        let key = Self::key(&info, &namespace, &name);
        let uid_seed = creation_id(&key);
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
        // A loaded object counts as its name's first creation without an entry (100k input
        // objects need no 100k seeds); a second load of the same name, or its removal, writes
        // the count down (see [`ApiServer::remove_object`]).
        if self.objects.contains_key(&key) {
            *self.creations.entry(uid_seed).or_insert(1) += 1;
        }
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
        let object = typed(&api_version, &kind, object)?;
        if managed.0.is_empty() {
            self.managed.remove(&key);
        } else {
            self.managed.insert(key.clone(), managed);
        }
        match compact.then(|| encode_text(&object)).flatten() {
            // Never read, such an object is held at rest from the start: its server
            // fields as numbers beside the text.
            Some(text) => {
                let rest = match object.get("metadata").and_then(Value::as_object) {
                    Some(meta) => RestText::cut(&text, meta),
                    None => RestText::from(text),
                };
                self.objects.insert_compact(key, &object, rest)
            }
            None => self.objects.insert(key, Arc::new(object)),
        }
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
            .peek(&key)
            .map_or(Value::Array(Vec::new()), |m| m.to_json())
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
        Ok(self
            .objects
            .of_namespace(&group_kind, namespace)
            .filter(|obj| {
                selector.iter().all(|(lk, lv)| {
                    obj.get("metadata")
                        .and_then(|m| m.get("labels"))
                        .and_then(|l| l.get(*lk))
                        .and_then(Value::as_str)
                        == Some(*lv)
                })
            })
            .map(Arc::clone)
            .collect())
    }

    /// The `(namespace, name)` of each object [`ApiServer::list`] returns, in its order.
    /// A caller that needs only the identities (label peers become DNS names) reads no
    /// object: the label index answers, so objects at rest stay at rest.
    pub fn list_names(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        selector: &[(&str, &str)],
    ) -> Result<Vec<(String, String)>, ApiError> {
        self.check_served(api_version, kind)?;
        if let (Some(namespace), false) = (namespace, selector.is_empty()) {
            let group_kind = kind_info(api_version, kind).group_kind();
            return Ok(self
                .objects
                .select_names(&group_kind, namespace, selector)
                .into_iter()
                .map(|name| (namespace.to_string(), name))
                .collect());
        }
        Ok(self
            .list(api_version, kind, namespace, selector)?
            .iter()
            .map(|o| namespace_and_name(o))
            .collect())
    }

    /// Every stored object with its kind, sorted by kind, then namespace, then name;
    /// objects stored compactly and not read yet are handed out as their text.
    pub fn all_objects(&self) -> Vec<(&str, StoredObject)> {
        self.objects_of_kinds(|_| true, |kind, o| (kind, o))
    }

    /// [`ApiServer::all_objects`] of the kinds `wanted` accepts (filtered before the
    /// listing is built, so a store of many objects of other kinds costs nothing here),
    /// each handed to `item`. The store already holds each `group/Kind` sorted by namespace
    /// and name, so the listing is those runs in kind order, sized before it is filled and
    /// never sorted: a store of 100k objects lists them with no scratch copy beside it.
    pub fn objects_of_kinds<'a, T>(
        &'a self,
        wanted: impl Fn(&str) -> bool,
        item: impl Fn(&'a str, StoredObject) -> T,
    ) -> Vec<T> {
        let mut runs = self.objects.group_kinds();
        runs.retain(|gk| wanted(kind_of(gk)));
        // By kind; a kind served by two groups keeps the groups in the store's order.
        runs.sort_by_key(|gk| kind_of(gk));
        let count = runs.iter().map(|gk| self.objects.count_of(gk)).sum();
        let mut all = Vec::with_capacity(count);
        let mut i = 0;
        while i < runs.len() {
            let kind = kind_of(runs[i]);
            let same = runs[i..]
                .iter()
                .take_while(|gk| kind_of(gk) == kind)
                .count();
            if same == 1 {
                all.extend(
                    self.objects
                        .of_group_kind(runs[i])
                        .map(|(_, o)| item(kind, o)),
                );
            } else {
                // Rare (e.g. `Event` in two groups): one kind, merged by namespace and name.
                // The joined namespace and name sort as the pair; the sort is stable, so
                // equal pairs keep the groups' order.
                let mut merged: Vec<_> = runs[i..i + same]
                    .iter()
                    .flat_map(|gk| self.objects.of_group_kind(gk))
                    .collect();
                merged.sort_by(|a, b| a.0.cmp(b.0));
                all.extend(merged.into_iter().map(|(_, o)| item(kind, o)));
            }
            i += same;
        }
        all
    }
}

/// The `Kind` of a `group/Kind`.
fn kind_of(group_kind: &str) -> &str {
    group_kind.rsplit('/').next().unwrap_or("")
}

/// `group/Kind/namespace/name`: the name whose creations are counted, seeding each uid.
fn creation_id(key: &ObjectKey) -> String {
    format!("{}/{}/{}", key.group_kind, key.namespace, key.name)
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

#[cfg(test)]
mod tests;
