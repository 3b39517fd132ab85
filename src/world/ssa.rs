//! Server-side apply as structured-merge-diff does it (`typed/merge.go`,
//! `typed/compare.go`, `typed/remove.go`, `typed/tofieldset.go`, `merge/update.go`):
//! the applied configuration merges into the live object by the schema (list
//! types and keys, atomic maps and structs, [`super::schema`]); each field
//! manager owns a set of fields; a manager's apply owns exactly what it sent,
//! takes (with force) or conflicts on (without) the changed fields other managers
//! own, and removes the fields it stopped sending that no manager owns any more.
//!
//! Ownership is held beside the objects (PARITY.md §4.7: managedFields are never
//! returned), per object, in [`super::managed`].

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::fieldpath::{FieldSet, PathElement, Scalar};
use super::json::{get_str, identical};
use super::schema::{shape, struct_field, ListType, Shape, TypeId};

/// A field manager's last successful apply to an object.
#[derive(Debug, Clone)]
pub(super) struct LastApply {
    /// The applied body.
    body: AppliedBody,
    /// The resourceVersion of the object the apply left stored: every stored change
    /// takes a new one, so an equal version is the very object.
    result_version: String,
}

/// An applied body, parsed, or as its compact text once the store put it to rest.
#[derive(Debug, Clone)]
enum AppliedBody {
    Parsed(Arc<Value>),
    Text(Box<str>),
}

impl LastApply {
    pub(super) fn new(body: Arc<Value>, result: &Value) -> LastApply {
        LastApply {
            body: AppliedBody::Parsed(body),
            result_version: resource_version(result).to_string(),
        }
    }

    /// Whether applying `body` to `stored` is known to change nothing: the same
    /// body again, onto the very object the last apply left (nothing wrote it
    /// since). Applying is idempotent, so the full merge would find it unchanged.
    pub(super) fn repeats(
        &self,
        body: &Value,
        stored: &Value,
        api_version: &str,
        kind: &str,
    ) -> bool {
        resource_version(stored) == self.result_version
            && get_str(stored, &["apiVersion"]) == Some(api_version)
            && get_str(stored, &["kind"]) == Some(kind)
            && match &self.body {
                AppliedBody::Parsed(last) => identical(last, body),
                AppliedBody::Text(text) => identical(&super::compact::decode(text), body),
            }
    }

    /// The body to its compact text (kept parsed when it has none, see
    /// [`super::compact::encode_text`]).
    pub(super) fn rest(&mut self) {
        if let AppliedBody::Parsed(body) = &self.body {
            if let Some(text) = super::compact::encode_text(body) {
                self.body = AppliedBody::Text(text.into());
            }
        }
    }
}

fn resource_version(object: &Value) -> &str {
    get_str(object, &["metadata", "resourceVersion"]).unwrap_or("")
}

/// A list item's path element: its key fields (defaulted from the schema as
/// SMD does, e.g. a port's `protocol` is `"TCP"` for keying), or its value in a set.
pub(super) fn list_item_element(
    list: ListType,
    elem: TypeId,
    item: &Value,
    index: usize,
) -> Result<PathElement, String> {
    match list {
        ListType::Atomic => Ok(PathElement::Index(index)),
        ListType::Set => Ok(PathElement::Value(Scalar(item.clone()))),
        ListType::Map(keys) => {
            let Value::Object(map) = item else {
                return Err("associative list with keys may not have non-map elements".into());
            };
            let mut fields = Vec::with_capacity(keys.len());
            for key in keys {
                let value = match map.get(*key) {
                    Some(v) => v.clone(),
                    None => struct_field(elem, key)
                        .and_then(|f| f.default)
                        .and_then(|d| serde_json::from_str(d).ok())
                        .ok_or_else(|| {
                            format!(
                                "associative list with keys has an element that omits key field \
                                 {key:?} (and doesn't have default value)"
                            )
                        })?,
                };
                fields.push(((*key).to_string(), Scalar(value)));
            }
            fields.sort();
            Ok(PathElement::Key(fields))
        }
    }
}

/// The path elements of a set or map list's items, with the items.
fn index_items(
    list: ListType,
    elem: TypeId,
    items: &[Value],
) -> Result<Vec<(PathElement, &Value)>, String> {
    items
        .iter()
        .enumerate()
        .map(|(i, item)| list_item_element(list, elem, item, i).map(|pe| (pe, item)))
        .collect()
}

// ---------------------------------------------------------------- field sets

/// The fields a value sets (`ToFieldSet`): its leaves, atomic parts, list items,
/// map entries, and struct fields that are null or empty maps.
pub(super) fn to_field_set(value: &Value, ty: TypeId) -> Result<FieldSet, String> {
    let (member, mut set) = field_set_walk(value, ty)?;
    if member {
        set.insert(Vec::new());
    }
    Ok(set)
}

/// The fields below `value`, and whether `value`'s own path is a member.
fn field_set_walk(value: &Value, ty: TypeId) -> Result<(bool, FieldSet), String> {
    let mut members = Vec::new();
    let mut children = Vec::new();
    match shape(ty, Some(value)) {
        Shape::Scalar
        | Shape::List {
            list: ListType::Atomic,
            ..
        }
        | Shape::Map { atomic: true, .. } => return Ok((true, FieldSet::default())),
        Shape::List { elem, list } => {
            let Value::Array(items) = value else {
                return Ok((true, FieldSet::default()));
            };
            let indexed = index_items(list, elem, items)?;
            let mut seen = BTreeMap::new();
            for (pe, _) in &indexed {
                *seen.entry(pe).or_insert(0) += 1;
            }
            let unique: Vec<bool> = indexed.iter().map(|(pe, _)| seen[pe] == 1).collect();
            drop(seen);
            for ((pe, item), unique) in indexed.into_iter().zip(unique) {
                // Duplicated items are owned as a whole, not descended into.
                if unique {
                    let (_, below) = field_set_walk(item, elem)?;
                    if !below.is_empty() {
                        children.push((pe.clone(), below));
                    }
                }
                members.push(pe);
            }
        }
        sh @ Shape::Map { .. } => {
            let Value::Object(map) = value else {
                return Ok((true, FieldSet::default()));
            };
            for (key, child) in map {
                let (child_ty, named) = sh.child(key);
                let (member, below) = field_set_walk(child, child_ty)?;
                let empty_map = child.as_object().is_some_and(Map::is_empty);
                let is_member = member || child.is_null() || empty_map || !named;
                match (is_member, below.is_empty()) {
                    (true, true) => members.push(PathElement::Field(key.clone())),
                    (true, false) => {
                        members.push(PathElement::Field(key.clone()));
                        children.push((PathElement::Field(key.clone()), below));
                    }
                    (false, false) => children.push((PathElement::Field(key.clone()), below)),
                    (false, true) => {}
                }
            }
        }
    }
    Ok((false, FieldSet::from_parts(false, members, children)))
}

/// `EnsureNamedFieldsAreMembers`: every struct field that has members below it
/// becomes a member itself.
pub(super) fn ensure_named_fields(set: &FieldSet, root: TypeId) -> FieldSet {
    let mut out = set.clone();
    ensure_named_walk(&mut out, root);
    out
}

fn ensure_named_walk(set: &mut FieldSet, ty: TypeId) {
    let sh = shape(ty, None);
    let mut named_members = Vec::new();
    set.children_mut(|pe, below| {
        let child_ty = match (pe, sh) {
            (PathElement::Field(name), sh) => {
                let (child, named) = sh.child(name);
                if named {
                    named_members.push(pe.clone());
                }
                child
            }
            (_, Shape::List { elem, .. }) => elem,
            _ => super::schema::DEDUCED,
        };
        ensure_named_walk(below, child_ty);
    });
    set.add_members(named_members);
}

// --------------------------------------------------------------------- merge

/// Merges the applied configuration `rhs` into `lhs` (`Merge` with the
/// keep-right-hand-side rule). `None` is an absent value.
pub(super) fn merge(
    lhs: Option<&Value>,
    rhs: Option<&Value>,
    ty: TypeId,
) -> Result<Option<Value>, String> {
    let (Some(l), Some(r)) = (lhs, rhs) else {
        return Ok(rhs.or(lhs).cloned());
    };
    match shape(ty, Some(r)) {
        Shape::Scalar
        | Shape::List {
            list: ListType::Atomic,
            ..
        }
        | Shape::Map { atomic: true, .. } => Ok(Some(r.clone())),
        Shape::List { elem, list } => match (l, r) {
            (Value::Array(la), Value::Array(ra)) if !(la.is_empty() && ra.is_empty()) => {
                merge_lists(la, ra, elem, list)
            }
            _ => Ok(Some(r.clone())),
        },
        sh @ Shape::Map { .. } => match (l, r) {
            (Value::Object(lm), Value::Object(rm)) if !(lm.is_empty() && rm.is_empty()) => {
                let mut out = Map::new();
                for (key, lv) in lm {
                    let merged = merge(Some(lv), rm.get(key), sh.child(key).0)?;
                    if let Some(v) = merged {
                        out.insert(key.clone(), v);
                    }
                }
                for (key, rv) in rm {
                    if !lm.contains_key(key) {
                        if let Some(v) = merge(None, Some(rv), sh.child(key).0)? {
                            out.insert(key.clone(), v);
                        }
                    }
                }
                Ok((!out.is_empty()).then_some(Value::Object(out)))
            }
            _ => Ok(Some(r.clone())),
        },
    }
}

/// Merges two set or map lists in SMD's order: the applied items in their order,
/// the live-only items kept where they stood relative to the shared ones.
fn merge_lists(
    lhs: &[Value],
    rhs: &[Value],
    elem: TypeId,
    list: ListType,
) -> Result<Option<Value>, String> {
    let rhs_pes = index_items(list, elem, rhs)?;
    let lhs_pes = index_items(list, elem, lhs)?;
    let mut observed_rhs: BTreeMap<&PathElement, &Value> = BTreeMap::new();
    for (pe, item) in &rhs_pes {
        if observed_rhs.insert(pe, item).is_some() {
            return Err(format!("duplicate entries for key {pe}"));
        }
    }
    let mut observed_lhs: BTreeMap<&PathElement, Option<&Value>> = BTreeMap::new();
    for (pe, item) in &lhs_pes {
        observed_lhs
            .entry(pe)
            .and_modify(|v| *v = None)
            .or_insert(Some(item));
    }
    let mut shared = rhs_pes
        .iter()
        .map(|(pe, _)| pe)
        .filter(|pe| observed_lhs.contains_key(pe));
    let mut next_shared = shared.next();
    let mut merged_rhs: std::collections::BTreeSet<&PathElement> = Default::default();
    let mut out = Vec::with_capacity(lhs.len().max(rhs.len()));
    let (mut li, mut ri) = (0, 0);
    let item = |pe: &PathElement, l: Option<&Value>, r: Option<&Value>| {
        merge(l, r, elem).map(|v| (pe.clone(), v))
    };
    while li < lhs_pes.len() || ri < rhs_pes.len() {
        if li < lhs_pes.len() && ri < rhs_pes.len() {
            let pe = &lhs_pes[li].0;
            if *pe == rhs_pes[ri].0 {
                merged_rhs.insert(pe);
                let l = observed_lhs.get(pe).copied().flatten();
                out.extend(item(pe, l, observed_rhs.get(pe).copied())?.1);
                li += 1;
                ri += 1;
                next_shared = shared.next();
                continue;
            }
            if observed_rhs.contains_key(pe) && next_shared.is_some_and(|n| n != pe) {
                li += 1;
                continue;
            }
        }
        if li < lhs_pes.len() {
            let pe = &lhs_pes[li].0;
            if !observed_rhs.contains_key(pe) {
                out.extend(item(pe, Some(lhs_pes[li].1), None)?.1);
                li += 1;
                continue;
            } else if merged_rhs.contains(pe) {
                li += 1;
            }
        }
        if ri < rhs_pes.len() {
            let pe = &rhs_pes[ri].0;
            merged_rhs.insert(pe);
            let l = observed_lhs.get(pe).copied().flatten();
            out.extend(item(pe, l, observed_rhs.get(pe).copied())?.1);
            ri += 1;
            if next_shared.is_some_and(|n| n == pe) {
                next_shared = shared.next();
            }
        }
    }
    Ok((!out.is_empty()).then_some(Value::Array(out)))
}

// ------------------------------------------------------------------- compare

/// What changed from `lhs` to `rhs` (`Compare`).
#[derive(Debug, Default)]
pub(super) struct Comparison {
    pub(super) added: FieldSet,
    pub(super) removed: FieldSet,
    pub(super) modified: FieldSet,
}

/// How one path changed.
#[derive(Debug, Clone, Copy)]
enum Change {
    Added,
    Removed,
    Modified,
}

/// The parts of one level of a [`Comparison`] while its walk builds it.
#[derive(Default)]
struct Level {
    members: [Vec<PathElement>; 3],
    children: [Vec<(PathElement, FieldSet)>; 3],
}

impl Level {
    fn push(&mut self, pe: PathElement, change: Option<Change>, below: Comparison) {
        let sets = [below.added, below.removed, below.modified];
        for (i, set) in sets.into_iter().enumerate() {
            if !set.is_empty() {
                self.children[i].push((pe.clone(), set));
            }
        }
        if let Some(change) = change {
            self.members[change as usize].push(pe);
        }
    }

    fn finish(self) -> Comparison {
        let [am, rm, mm] = self.members;
        let [ac, rc, mc] = self.children;
        Comparison {
            added: FieldSet::from_parts(false, am, ac),
            removed: FieldSet::from_parts(false, rm, rc),
            modified: FieldSet::from_parts(false, mm, mc),
        }
    }
}

pub(super) fn compare(lhs: &Value, rhs: &Value, ty: TypeId) -> Result<Comparison, String> {
    let (change, mut cmp) = compare_walk(Some(lhs), Some(rhs), ty)?;
    match change {
        Some(Change::Added) => cmp.added.insert(Vec::new()),
        Some(Change::Removed) => cmp.removed.insert(Vec::new()),
        Some(Change::Modified) => cmp.modified.insert(Vec::new()),
        None => {}
    }
    Ok(cmp)
}

/// The changes below one path, and how the path itself changed.
fn compare_walk(
    lhs: Option<&Value>,
    rhs: Option<&Value>,
    ty: TypeId,
) -> Result<(Option<Change>, Comparison), String> {
    let Some(present) = rhs.or(lhs) else {
        return Ok((None, Comparison::default()));
    };
    let sh = shape(ty, Some(present));
    let is_leaf = match sh {
        Shape::Scalar
        | Shape::List {
            list: ListType::Atomic,
            ..
        }
        | Shape::Map { atomic: true, .. } => true,
        // Empty on both sides, or not the container the schema says on one side.
        Shape::List { .. } => {
            let empty = |v: Option<&Value>| v.and_then(Value::as_array).is_none_or(Vec::is_empty);
            let fits = |v: Option<&Value>| v.is_none_or(Value::is_array);
            empty(lhs) && empty(rhs) || !fits(lhs) || !fits(rhs)
        }
        Shape::Map { .. } => {
            let empty = |v: Option<&Value>| v.and_then(Value::as_object).is_none_or(Map::is_empty);
            let fits = |v: Option<&Value>| v.is_none_or(Value::is_object);
            empty(lhs) && empty(rhs) || !fits(lhs) || !fits(rhs)
        }
    };
    if is_leaf {
        let change = match (lhs, rhs) {
            (None, _) => Some(Change::Added),
            (_, None) => Some(Change::Removed),
            (Some(l), Some(r)) if l != r => Some(Change::Modified),
            _ => None,
        };
        return Ok((change, Comparison::default()));
    }
    let mut level = Level::default();
    match sh {
        Shape::List { elem, list } => {
            fn items(v: Option<&Value>) -> &[Value] {
                v.and_then(Value::as_array).map_or(&[][..], Vec::as_slice)
            }
            let mut lhs_items: BTreeMap<PathElement, &Value> = BTreeMap::new();
            for (pe, v) in index_items(list, elem, items(lhs))? {
                lhs_items.entry(pe).or_insert(v);
            }
            let mut rhs_items: BTreeMap<PathElement, &Value> = BTreeMap::new();
            let mut order = Vec::new();
            for (pe, v) in index_items(list, elem, items(rhs))? {
                if let std::collections::btree_map::Entry::Vacant(slot) = rhs_items.entry(pe) {
                    order.push(slot.key().clone());
                    slot.insert(v);
                }
            }
            for pe in lhs_items.keys() {
                if !rhs_items.contains_key(pe) {
                    order.push(pe.clone());
                }
            }
            for pe in order {
                let (change, below) = compare_walk(
                    lhs_items.get(&pe).copied(),
                    rhs_items.get(&pe).copied(),
                    elem,
                )?;
                level.push(pe, change, below);
            }
        }
        Shape::Map { .. } => {
            let empty = Map::new();
            let lm = lhs.and_then(Value::as_object).unwrap_or(&empty);
            let rm = rhs.and_then(Value::as_object).unwrap_or(&empty);
            for key in lm.keys().chain(rm.keys().filter(|k| !lm.contains_key(*k))) {
                let (change, below) = compare_walk(lm.get(key), rm.get(key), sh.child(key).0)?;
                level.push(PathElement::Field(key.clone()), change, below);
            }
        }
        Shape::Scalar => {}
    }
    let change = if lhs.is_none() {
        Some(Change::Added)
    } else if rhs.is_none() {
        Some(Change::Removed)
    } else {
        None
    };
    Ok((change, level.finish()))
}

// -------------------------------------------------------------------- remove

/// `RemoveItems`: the value without the members of `set` (and their subtrees).
/// A map or list left empty by the removal is dropped from its parent.
pub(super) fn remove_items(value: &Value, set: &FieldSet, ty: TypeId) -> Value {
    remove_walk(value, set, ty).unwrap_or(Value::Null)
}

/// `value` without the members of `set`, the set of what lies below `value`.
fn remove_walk(value: &Value, set: &FieldSet, ty: TypeId) -> Option<Value> {
    // Keeps a child unless it is a member; descends where members lie below it.
    let keep = |pe: &PathElement, child: &Value, child_ty: TypeId| -> Option<Value> {
        if set.has_member(pe) {
            return None;
        }
        match set.child(pe) {
            Some(below) => remove_walk(child, below, child_ty),
            None => Some(child.clone()),
        }
    };
    match (shape(ty, Some(value)), value) {
        (Shape::List { elem, list }, Value::Array(items)) if list != ListType::Atomic => {
            if items.is_empty() {
                return Some(value.clone());
            }
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match list_item_element(list, elem, item, i) {
                    Ok(pe) => out.extend(keep(&pe, item, elem)),
                    Err(_) => out.push(item.clone()),
                }
            }
            (!out.is_empty()).then_some(Value::Array(out))
        }
        (sh @ Shape::Map { atomic: false, .. }, Value::Object(map)) => {
            if map.is_empty() {
                return Some(value.clone());
            }
            let mut out = Map::new();
            for (key, child) in map {
                let pe = PathElement::Field(key.clone());
                if let Some(v) = keep(&pe, child, sh.child(key).0) {
                    out.insert(key.clone(), v);
                }
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
        _ => Some(value.clone()),
    }
}
