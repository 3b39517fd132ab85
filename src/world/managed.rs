//! Field ownership per object (`metadata.managedFields`), and the two ways a
//! write changes it, as structured-merge-diff's `merge.Updater` does: an Apply
//! (the manager owns exactly what it applied; changed fields other managers own
//! are taken with force or conflict without; fields it stopped applying are
//! removed unless another manager owns them) and an Update (the writer takes
//! what it changed, every manager loses what was removed).
//!
//! The API server's own layers are followed too: the server-owned metadata is
//! never owned (`StripMetaManager`); an object applied for the first time with no
//! ownership recorded gives its existing fields to `before-first-apply`
//! (`skipNonAppliedManager`); conflicts read as the API server words them.

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::fieldpath::{path_string, FieldSet, PathElement};
use super::resting;
use super::schema::TypeId;
use super::ssa::{compare, ensure_named_fields, merge, remove_items, to_field_set};

/// The manager name the API server gives a request without one: the client's
/// user-agent prefix, the operator binary's name (`/manager`).
pub const DEFAULT_MANAGER: &str = "manager";

/// The manager that owns an object's fields from before its first apply.
const BEFORE_FIRST_APPLY: &str = "before-first-apply";

/// `metadata.managedFields[].operation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Operation {
    Apply,
    Update,
}

impl Operation {
    /// The operation `metadata.managedFields[].operation` names, if it is one.
    fn parse(text: &str) -> Option<Operation> {
        match text {
            "Apply" => Some(Operation::Apply),
            "Update" => Some(Operation::Update),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Operation::Apply => "Apply",
            Operation::Update => "Update",
        }
    }
}

/// One `metadata.managedFields` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct ManagedEntry {
    pub manager: String,
    pub operation: Operation,
    pub api_version: String,
    pub time: String,
    pub subresource: String,
    /// Shared between the copies of one ownership, copied only when one of them changes.
    pub fields: Arc<FieldSet>,
}

impl ManagedEntry {
    fn is(&self, manager: &str, operation: Operation) -> bool {
        self.manager == manager && self.operation == operation && self.subresource.is_empty()
    }

    /// How the API server names this manager in a conflict (`printManager`).
    fn printed(&self) -> String {
        let mut text = format!("{:?}", self.manager);
        if !self.subresource.is_empty() {
            text = format!("{text} with subresource {:?}", self.subresource);
        }
        if self.operation == Operation::Update {
            text = format!("{text} using {}", self.api_version);
        }
        text
    }
}

/// The ownership of one object.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Managed(pub Vec<ManagedEntry>);

/// An object's ownership between targets, as compact bytes (a fraction of the field-set
/// trees, see [`super::resting`]): the store puts what a finished target wrote to rest
/// and reads it back the next time a write needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct Resting(Box<[u8]>);

/// Why an apply was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplyError {
    /// 409: other managers own fields the apply changes (without force).
    #[error("{0}")]
    Conflict(String),
    /// The object does not fit the schema (e.g. a list-map item without its key).
    #[error("{0}")]
    Invalid(String),
}

impl Managed {
    /// Reads `metadata.managedFields` as a cluster returns it; entries that are
    /// not FieldsV1 are left out (the API server resets what it cannot decode).
    pub fn from_object(object: &Value) -> Managed {
        let entries = object
            .pointer("/metadata/managedFields")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let text = |e: &Value, k: &str| e.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let read = |e: &Value| -> Option<ManagedEntry> {
            let operation = Operation::parse(e.get("operation")?.as_str()?)?;
            Some(ManagedEntry {
                manager: text(e, "manager"),
                operation,
                api_version: text(e, "apiVersion"),
                time: text(e, "time"),
                subresource: text(e, "subresource"),
                fields: Arc::new(FieldSet::from_fields_v1(e.get("fieldsV1")?).ok()?),
            })
        };
        Managed(entries.iter().filter_map(read).collect())
    }

    /// This ownership at rest, entries in their order (see [`Resting`]).
    pub fn to_rest(&self) -> Resting {
        let mut out = Vec::new();
        resting::write_len(&mut out, self.0.len());
        for e in &self.0 {
            resting::write_str(&mut out, &e.manager);
            out.push(match e.operation {
                Operation::Apply => 0,
                Operation::Update => 1,
            });
            resting::write_str(&mut out, &e.api_version);
            resting::write_str(&mut out, &e.time);
            resting::write_str(&mut out, &e.subresource);
            resting::write_set(&mut out, &e.fields);
        }
        Resting(out.into())
    }

    /// The ownership [`Managed::to_rest`] put to rest.
    pub fn from_rest(resting: &Resting) -> Managed {
        let mut input = resting::Reader::new(&resting.0);
        let entries = (0..input.len())
            .map(|_| ManagedEntry {
                manager: input.string(),
                operation: match input.byte() {
                    0 => Operation::Apply,
                    _ => Operation::Update,
                },
                api_version: input.string(),
                time: input.string(),
                subresource: input.string(),
                fields: Arc::new(resting::read_set(&mut input)),
            })
            .collect();
        Managed(entries)
    }

    /// `metadata.managedFields` as the API server writes it (sorted as it sorts them).
    pub fn to_json(&self) -> Value {
        let mut entries: Vec<&ManagedEntry> = self.0.iter().collect();
        entries.sort_by(|a, b| {
            (
                a.operation,
                &a.time,
                &a.manager,
                &a.api_version,
                &a.subresource,
            )
                .cmp(&(
                    b.operation,
                    &b.time,
                    &b.manager,
                    &b.api_version,
                    &b.subresource,
                ))
        });
        Value::Array(
            entries
                .into_iter()
                .map(|e| {
                    let mut entry = json!({
                        "manager": e.manager,
                        "operation": e.operation.as_str(),
                        "apiVersion": e.api_version,
                        "time": e.time,
                        "fieldsType": "FieldsV1",
                        "fieldsV1": e.fields.to_fields_v1(),
                    });
                    if !e.subresource.is_empty() {
                        entry["subresource"] = Value::String(e.subresource.clone());
                    }
                    entry
                })
                .collect(),
        )
    }

    /// The fields `manager` owns through `operation` (main resource).
    pub fn fields_of(&self, manager: &str, operation: Operation) -> Option<&FieldSet> {
        self.0
            .iter()
            .find(|e| e.is(manager, operation))
            .map(|e| &*e.fields)
    }

    fn set(
        &mut self,
        manager: &str,
        operation: Operation,
        api_version: &str,
        now: &str,
        fields: FieldSet,
    ) {
        self.0.retain(|e| !e.is(manager, operation));
        if !fields.is_empty() {
            self.0.push(ManagedEntry {
                manager: manager.to_string(),
                operation,
                api_version: api_version.to_string(),
                time: now.to_string(),
                subresource: String::new(),
                fields: Arc::new(fields),
            });
        }
    }

    /// `Updater.update`: every manager but `writer` loses the fields the write
    /// removed, and (with force) the fields it changed; without force those are
    /// a conflict.
    fn settle_others(
        &mut self,
        live: &Value,
        new: &Value,
        writer: (&str, Operation),
        ty: TypeId,
        force: bool,
    ) -> Result<super::ssa::Comparison, ApplyError> {
        let cmp = compare(live, new, ty).map_err(ApplyError::Invalid)?;
        let changed = cmp.modified.union(&cmp.added);
        let mut conflicts: Vec<(&ManagedEntry, Vec<Vec<PathElement>>)> = Vec::new();
        for entry in &self.0 {
            if entry.is(writer.0, writer.1) {
                continue;
            }
            let clash = entry.fields.intersection(&changed);
            if !clash.is_empty() {
                conflicts.push((entry, clash.paths()));
            }
        }
        if !force && !conflicts.is_empty() {
            return Err(ApplyError::Conflict(conflict_message(&conflicts)));
        }
        for entry in &mut self.0 {
            if entry.is(writer.0, writer.1) {
                continue;
            }
            // Most writes touch no other manager's fields: their sets stay shared.
            if entry.fields.intersects(&changed) || entry.fields.intersects(&cmp.removed) {
                let fields = Arc::make_mut(&mut entry.fields);
                fields.remove_all(&changed);
                fields.remove_all(&cmp.removed);
            }
        }
        self.0.retain(|e| !e.fields.is_empty());
        Ok(cmp)
    }

    /// An Update (create, update, merge patch) by `manager` that turned `live`
    /// (`Value::Null` for a create) into `new`.
    pub fn update(
        &mut self,
        live: &Value,
        new: &Value,
        manager: &str,
        api_version: &str,
        now: &str,
        ty: TypeId,
    ) -> Result<(), ApplyError> {
        let (live, new) = (owned_part(live), owned_part(new));
        let cmp = self.settle_others(&live, &new, (manager, Operation::Update), ty, true)?;
        let mut fields = self
            .fields_of(manager, Operation::Update)
            .cloned()
            .unwrap_or_default();
        fields.remove_all(&cmp.removed);
        fields.extend(cmp.modified);
        fields.extend(cmp.added);
        self.set(
            manager,
            Operation::Update,
            api_version,
            now,
            strip_server_fields(fields),
        );
        Ok(())
    }

    /// Applies `config` by `manager` to `live`; returns the merged object (its
    /// `status` and server-owned metadata are `live`'s, the caller's commit keeps them).
    #[allow(clippy::too_many_arguments)]
    pub fn apply(
        &mut self,
        live: &Value,
        config: &Value,
        manager: &str,
        api_version: &str,
        now: &str,
        ty: TypeId,
        force: bool,
    ) -> Result<Value, ApplyError> {
        let config = owned_part(config);
        let owned_live = owned_part(live);
        if self.0.is_empty() {
            // The fields the object had before its first apply keep an owner.
            self.update(
                &Value::Null,
                &owned_live,
                BEFORE_FIRST_APPLY,
                api_version,
                now,
                ty,
            )?;
        }
        // Onto nothing (a create), the merge is the applied configuration itself.
        let merged = match owned_live.is_null() {
            true => None,
            false => Some(
                merge(Some(&owned_live), Some(&config), ty)
                    .map_err(ApplyError::Invalid)?
                    .unwrap_or(Value::Null),
            ),
        };
        let applied = strip_server_fields(to_field_set(&config, ty).map_err(ApplyError::Invalid)?);
        let merged = merged.unwrap_or_else(|| config.into_owned());
        let applied_nothing = applied.is_empty();
        // `self` stays as it was until the apply succeeds; its previous apply is read there.
        let mut next = self.clone();
        next.set(manager, Operation::Apply, api_version, now, applied);
        let pruned = match self.fields_of(manager, Operation::Apply) {
            Some(last) if !last.is_empty() => {
                next.prune(&merged, last, ty).map_err(ApplyError::Invalid)?
            }
            _ => merged,
        };
        next.settle_others(&owned_live, &pruned, (manager, Operation::Apply), ty, force)?;
        if applied_nothing {
            next.0.retain(|e| !e.is(manager, Operation::Apply));
        }
        *self = next;
        let mut result = pruned;
        restore_unowned_parts(&mut result, live);
        Ok(result)
    }

    /// `Updater.prune`: removes from `merged` the fields of `last` (the applier's
    /// previous apply) that no manager owns now, as SMD computes it.
    fn prune(&self, merged: &Value, last: &FieldSet, ty: TypeId) -> Result<Value, String> {
        let last = ensure_named_fields(last, ty);
        let pruned = remove_items(merged, &last, ty);
        let managed = self
            .0
            .iter()
            .filter(|e| e.subresource.is_empty())
            .fold(FieldSet::default(), |acc, e| acc.union(&e.fields));
        let merged_set = ensure_named_fields(&to_field_set(merged, ty)?, ty);
        let pruned_set = ensure_named_fields(&to_field_set(&pruned, ty)?, ty);
        let keep = pruned_set.union(&ensure_named_fields(&managed, ty));
        let owned_back = remove_items(merged, &merged_set.difference(&keep), ty);
        let owned_set = ensure_named_fields(&to_field_set(&owned_back, ty)?, ty);
        Ok(remove_items(
            merged,
            &merged_set.difference(&owned_set).intersection(&last),
            ty,
        ))
    }
}

/// The API server's conflict text (`NewConflictError` / `getConflictMessage`).
fn conflict_message(conflicts: &[(&ManagedEntry, Vec<Vec<PathElement>>)]) -> String {
    let total: usize = conflicts.iter().map(|(_, paths)| paths.len()).sum();
    if total == 1 {
        let (entry, paths) = &conflicts[0];
        return format!(
            "Apply failed with 1 conflict: conflict with {}: {}",
            entry.printed(),
            path_string(&paths[0])
        );
    }
    let mut by_manager: Vec<(String, &Vec<Vec<PathElement>>)> = conflicts
        .iter()
        .map(|(e, paths)| (e.printed(), paths))
        .collect();
    by_manager.sort_by(|a, b| a.0.cmp(&b.0));
    let mut lines = Vec::new();
    for (manager, paths) in by_manager {
        lines.push(format!("conflicts with {manager}:"));
        lines.extend(paths.iter().map(|p| format!("- {}", path_string(p))));
    }
    format!("Apply failed with {total} conflicts: {}", lines.join("\n"))
}

/// Server-owned metadata nobody owns (`StripMetaManager`), exactly these paths.
fn strip_server_fields(mut fields: FieldSet) -> FieldSet {
    let field = |name: &str| PathElement::Field(name.to_string());
    for top in ["apiVersion", "kind", "metadata"] {
        fields.remove(&[field(top)]);
    }
    for meta in [
        "name",
        "namespace",
        "creationTimestamp",
        "selfLink",
        "uid",
        "clusterName",
        "generation",
        "managedFields",
        "resourceVersion",
    ] {
        fields.remove(&[field("metadata"), field(meta)]);
    }
    fields
}

/// The part of an object field managers own: without `status` (reset on the
/// main resource) and without `metadata.managedFields`; borrowed when the
/// object has neither.
fn owned_part(object: &Value) -> Cow<'_, Value> {
    let has_unowned = object.get("status").is_some()
        || object
            .get("metadata")
            .and_then(|m| m.get("managedFields"))
            .is_some();
    if !has_unowned {
        return Cow::Borrowed(object);
    }
    let mut object = object.clone();
    if let Some(map) = object.as_object_mut() {
        map.remove("status");
        if let Some(Value::Object(meta)) = map.get_mut("metadata") {
            meta.remove("managedFields");
        }
    }
    Cow::Owned(object)
}

/// Puts back the live `status`, which an apply of the main resource never changes.
fn restore_unowned_parts(result: &mut Value, live: &Value) {
    if let (Some(map), Some(status)) = (result.as_object_mut(), live.get("status")) {
        map.insert("status".into(), status.clone());
    }
    if !result.is_object() {
        *result = Value::Object(Map::new());
    }
}
