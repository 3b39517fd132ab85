//! Field paths and field sets as structured-merge-diff (`fieldpath`) defines them,
//! and their `FieldsV1` encoding as the API server writes it into
//! `metadata.managedFields` (`{"f:spec":{"f:replicas":{}}}`, `k:{...}`, `v:...`,
//! `i:N`, `"."` for a path that is itself a member and has children).
//!
//! A set is held as a tree, as SMD holds it. Paths order as SMD orders path
//! elements (field names, then keys, then values, then indices), so iterating a
//! set visits a parent before its children, as SMD's serialisation does.

use std::cmp::Ordering;
use std::fmt;

use serde_json::{Map, Value};

/// A scalar as it appears in a list key or a set item, ordered as SMD's
/// `value.Compare` orders values of one type.
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar(pub Value);

impl Eq for Scalar {}

impl Scalar {
    fn rank(&self) -> u8 {
        match &self.0 {
            Value::Null => 0,
            Value::Bool(_) => 1,
            Value::Number(_) => 2,
            Value::String(_) => 3,
            Value::Array(_) => 4,
            Value::Object(_) => 5,
        }
    }
}

impl Ord for Scalar {
    fn cmp(&self, other: &Self) -> Ordering {
        match (&self.0, &other.0) {
            (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
            (Value::Number(a), Value::Number(b)) => {
                let (a, b) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
                a.partial_cmp(&b).unwrap_or(Ordering::Equal)
            }
            (Value::String(a), Value::String(b)) => a.cmp(b),
            (a, b) if self.rank() == other.rank() => a.to_string().cmp(&b.to_string()),
            _ => self.rank().cmp(&other.rank()),
        }
    }
}

impl PartialOrd for Scalar {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// One step of a path: a struct field or map key, an associative-list key (its
/// key fields sorted by name), a set item, or a list index.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum PathElement {
    Field(String),
    Key(Vec<(String, Scalar)>),
    Value(Scalar),
    Index(usize),
}

impl fmt::Display for PathElement {
    /// SMD's `PathElement.String`: `.name`, `[k=v,...]`, `[=v]`, `[i]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathElement::Field(name) => write!(f, ".{name}"),
            PathElement::Key(fields) => {
                let parts: Vec<String> =
                    fields.iter().map(|(k, v)| format!("{k}={}", v.0)).collect();
                write!(f, "[{}]", parts.join(","))
            }
            PathElement::Value(v) => write!(f, "[={}]", v.0),
            PathElement::Index(i) => write!(f, "[{i}]"),
        }
    }
}

impl PathElement {
    /// The `FieldsV1` key of this element.
    fn fields_v1_key(&self) -> String {
        match self {
            PathElement::Field(name) => format!("f:{name}"),
            PathElement::Key(fields) => {
                let map: Map<String, Value> = fields
                    .iter()
                    .map(|(k, v)| (k.clone(), v.0.clone()))
                    .collect();
                format!("k:{}", Value::Object(map))
            }
            PathElement::Value(v) => format!("v:{}", v.0),
            PathElement::Index(i) => format!("i:{i}"),
        }
    }

    /// Parses one `FieldsV1` key.
    fn from_fields_v1_key(key: &str) -> Result<PathElement, String> {
        let bad = || format!("parsing managed fields: unexpected key {key:?}");
        let (kind, rest) = key.split_once(':').ok_or_else(bad)?;
        match kind {
            "f" => Ok(PathElement::Field(rest.to_string())),
            "k" => {
                let Ok(Value::Object(map)) = serde_json::from_str::<Value>(rest) else {
                    return Err(bad());
                };
                let mut fields: Vec<(String, Scalar)> =
                    map.into_iter().map(|(k, v)| (k, Scalar(v))).collect();
                fields.sort();
                Ok(PathElement::Key(fields))
            }
            "v" => serde_json::from_str(rest)
                .map(|v| PathElement::Value(Scalar(v)))
                .map_err(|_| bad()),
            "i" => rest.parse().map(PathElement::Index).map_err(|_| bad()),
            _ => Err(bad()),
        }
    }
}

/// A path from the object's root.
pub type Path = Vec<PathElement>;

/// SMD's `Path.String`: the elements written one after another (`.spec.replicas`).
pub fn path_string(path: &[PathElement]) -> String {
    path.iter().map(ToString::to_string).collect()
}

/// A set of member paths, held as structured-merge-diff's `fieldpath.Set` holds
/// it: the sorted elements that are members at this level, and the sorted
/// elements with members below them, each with the set of what lies below. A
/// prefix is stored once, and set operations walk both trees side by side.
///
/// Invariants (they make the derived equality set equality): both lists are
/// sorted and free of duplicates, and no child set is empty. `root` marks the
/// empty path itself as a member (only ever set on a top-level set).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSet {
    root: bool,
    members: Vec<PathElement>,
    children: Vec<(PathElement, FieldSet)>,
}

/// Walks two sorted lists side by side, calling `f` with the left item, the
/// right item, or both when their keys are equal.
fn merge_walk<'a, A, B>(
    left: &'a [A],
    right: &'a [B],
    key_a: impl Fn(&A) -> &PathElement,
    key_b: impl Fn(&B) -> &PathElement,
    mut f: impl FnMut(Option<&'a A>, Option<&'a B>),
) {
    let (mut i, mut j) = (0, 0);
    while i < left.len() || j < right.len() {
        let order = match (left.get(i), right.get(j)) {
            (Some(a), Some(b)) => key_a(a).cmp(key_b(b)),
            (Some(_), None) => Ordering::Less,
            _ => Ordering::Greater,
        };
        match order {
            Ordering::Less => {
                f(Some(&left[i]), None);
                i += 1;
            }
            Ordering::Greater => {
                f(None, Some(&right[j]));
                j += 1;
            }
            Ordering::Equal => {
                f(Some(&left[i]), Some(&right[j]));
                i += 1;
                j += 1;
            }
        }
    }
}

fn same(pe: &PathElement) -> &PathElement {
    pe
}

fn child_key(entry: &(PathElement, FieldSet)) -> &PathElement {
    &entry.0
}

impl FieldSet {
    /// A set built from unordered parts (duplicates allowed, empty children
    /// dropped): the way the walks over values build a level.
    pub fn from_parts(
        root: bool,
        mut members: Vec<PathElement>,
        mut children: Vec<(PathElement, FieldSet)>,
    ) -> FieldSet {
        members.sort_unstable();
        members.dedup();
        children.retain(|(_, set)| !set.is_empty());
        children.sort_by(|a, b| a.0.cmp(&b.0));
        let mut merged: Vec<(PathElement, FieldSet)> = Vec::with_capacity(children.len());
        for (pe, set) in children {
            match merged.last_mut() {
                Some((last, into)) if *last == pe => into.extend(set),
                _ => merged.push((pe, set)),
            }
        }
        FieldSet {
            root,
            members,
            children: merged,
        }
    }

    /// A set from parts already in order and free of duplicates and empty children (as
    /// [`FieldSet::parts`] gives them).
    pub(super) fn from_sorted_parts(
        root: bool,
        members: Vec<PathElement>,
        children: Vec<(PathElement, FieldSet)>,
    ) -> FieldSet {
        debug_assert!(members.windows(2).all(|w| w[0] < w[1]));
        debug_assert!(children.windows(2).all(|w| w[0].0 < w[1].0));
        FieldSet {
            root,
            members,
            children,
        }
    }

    /// The set's own parts: whether the empty path is a member, the members at this
    /// level, and the sets below it.
    pub(super) fn parts(&self) -> (bool, &[PathElement], &[(PathElement, FieldSet)]) {
        (self.root, &self.members, &self.children)
    }

    /// The set below `pe` at this level, if any member lies there.
    pub fn child(&self, pe: &PathElement) -> Option<&FieldSet> {
        self.children
            .binary_search_by(|(k, _)| k.cmp(pe))
            .ok()
            .map(|i| &self.children[i].1)
    }

    /// Whether `pe` (one step below this level) is a member.
    pub fn has_member(&self, pe: &PathElement) -> bool {
        self.members.binary_search(pe).is_ok()
    }

    /// The elements with members below them, in order, each with its set.
    pub fn children(&self) -> impl Iterator<Item = (&PathElement, &FieldSet)> {
        self.children.iter().map(|(pe, set)| (pe, set))
    }

    /// Calls `f` on every child set in order (for walks that only add to them).
    pub fn children_mut(&mut self, mut f: impl FnMut(&PathElement, &mut FieldSet)) {
        for (pe, set) in &mut self.children {
            f(pe, set);
        }
    }

    /// Adds members one step below this level.
    pub fn add_members(&mut self, members: Vec<PathElement>) {
        if members.is_empty() {
            return;
        }
        self.members.extend(members);
        self.members.sort_unstable();
        self.members.dedup();
    }

    pub fn insert(&mut self, path: Path) {
        let Some((last, prefix)) = path.split_last() else {
            self.root = true;
            return;
        };
        let mut node = self;
        for pe in prefix {
            let i = match node.children.binary_search_by(|(k, _)| k.cmp(pe)) {
                Ok(i) => i,
                Err(i) => {
                    node.children.insert(i, (pe.clone(), FieldSet::default()));
                    i
                }
            };
            node = &mut node.children[i].1;
        }
        if let Err(i) = node.members.binary_search(last) {
            node.members.insert(i, last.clone());
        }
    }

    /// Removes one member path (its prefixes stay as they are).
    pub fn remove(&mut self, path: &[PathElement]) {
        let Some((first, rest)) = path.split_first() else {
            self.root = false;
            return;
        };
        if rest.is_empty() {
            if let Ok(i) = self.members.binary_search(first) {
                self.members.remove(i);
            }
            return;
        }
        if let Ok(i) = self.children.binary_search_by(|(k, _)| k.cmp(first)) {
            self.children[i].1.remove(rest);
            if self.children[i].1.is_empty() {
                self.children.remove(i);
            }
        }
    }

    /// The set at `prefix`, if any member lies strictly below it.
    fn descend(&self, prefix: &[PathElement]) -> Option<&FieldSet> {
        prefix.iter().try_fold(self, |node, pe| node.child(pe))
    }

    pub fn has(&self, path: &[PathElement]) -> bool {
        match path.split_last() {
            None => self.root,
            Some((last, prefix)) => self.descend(prefix).is_some_and(|n| n.has_member(last)),
        }
    }

    /// Whether any member lies strictly below `prefix`.
    pub fn has_below(&self, prefix: &[PathElement]) -> bool {
        match prefix.split_last() {
            None => !self.members.is_empty() || !self.children.is_empty(),
            Some((last, rest)) => self.descend(rest).is_some_and(|n| n.child(last).is_some()),
        }
    }

    pub fn is_empty(&self) -> bool {
        !self.root && self.members.is_empty() && self.children.is_empty()
    }

    /// How many member paths the set holds.
    pub fn len(&self) -> usize {
        usize::from(self.root)
            + self.members.len()
            + self.children.iter().map(|(_, s)| s.len()).sum::<usize>()
    }

    /// Every member path, a parent before its children and siblings in element
    /// order (the order of the paths as a sorted list, and of SMD's serialisation).
    pub fn paths(&self) -> Vec<Path> {
        let mut out = Vec::new();
        if self.root {
            out.push(Vec::new());
        }
        self.collect_paths(&mut Vec::new(), &mut out);
        out
    }

    fn collect_paths(&self, prefix: &mut Path, out: &mut Vec<Path>) {
        merge_walk(
            &self.members,
            &self.children,
            same,
            child_key,
            |member, child| {
                let pe = member.unwrap_or_else(|| &child.expect("one side").0);
                prefix.push(pe.clone());
                if member.is_some() {
                    out.push(prefix.clone());
                }
                if let Some((_, set)) = child {
                    set.collect_paths(prefix, out);
                }
                prefix.pop();
            },
        );
    }

    pub fn union(&self, other: &FieldSet) -> FieldSet {
        let mut members = Vec::with_capacity(self.members.len().max(other.members.len()));
        merge_walk(&self.members, &other.members, same, same, |a, b| {
            members.push(a.or(b).expect("one side").clone());
        });
        let mut children = Vec::with_capacity(self.children.len().max(other.children.len()));
        merge_walk(
            &self.children,
            &other.children,
            child_key,
            child_key,
            |a, b| {
                children.push(match (a, b) {
                    (Some((pe, a)), Some((_, b))) => (pe.clone(), a.union(b)),
                    (a, b) => a.or(b).expect("one side").clone(),
                })
            },
        );
        FieldSet {
            root: self.root || other.root,
            members,
            children,
        }
    }

    pub fn intersection(&self, other: &FieldSet) -> FieldSet {
        let mut members = Vec::new();
        merge_walk(&self.members, &other.members, same, same, |a, b| {
            if let (Some(a), Some(_)) = (a, b) {
                members.push(a.clone());
            }
        });
        let mut children = Vec::new();
        merge_walk(
            &self.children,
            &other.children,
            child_key,
            child_key,
            |a, b| {
                if let (Some((pe, a)), Some((_, b))) = (a, b) {
                    let both = a.intersection(b);
                    if !both.is_empty() {
                        children.push((pe.clone(), both));
                    }
                }
            },
        );
        FieldSet {
            root: self.root && other.root,
            members,
            children,
        }
    }

    /// Whether the two sets share a member (`intersection` without building it).
    pub fn intersects(&self, other: &FieldSet) -> bool {
        if self.root && other.root {
            return true;
        }
        let mut found = false;
        merge_walk(&self.members, &other.members, same, same, |a, b| {
            found |= a.is_some() && b.is_some();
        });
        if found {
            return true;
        }
        merge_walk(
            &self.children,
            &other.children,
            child_key,
            child_key,
            |a, b| {
                if let (Some((_, a)), Some((_, b))) = (a, b) {
                    found = found || a.intersects(b);
                }
            },
        );
        found
    }

    pub fn difference(&self, other: &FieldSet) -> FieldSet {
        let mut out = self.clone();
        out.remove_all(other);
        out
    }

    /// Removes every member of `other` (`difference` in place, without copying the rest).
    pub fn remove_all(&mut self, other: &FieldSet) {
        self.root &= !other.root;
        if !other.members.is_empty() {
            let mut theirs = other.members.iter().peekable();
            self.members.retain(|pe| {
                while theirs.next_if(|t| *t < pe).is_some() {}
                theirs.peek() != Some(&pe)
            });
        }
        if other.children.is_empty() {
            return;
        }
        let mut theirs = other.children.iter().peekable();
        self.children.retain_mut(|(pe, set)| {
            while theirs.next_if(|(t, _)| t < pe).is_some() {}
            if let Some((_, below)) = theirs.next_if(|(t, _)| t == pe) {
                set.remove_all(below);
            }
            !set.is_empty()
        });
    }

    /// Adds every member of `other` (`union` in place).
    pub fn extend(&mut self, other: FieldSet) {
        if other.is_empty() {
            return;
        }
        if self.is_empty() {
            *self = other;
            return;
        }
        self.root |= other.root;
        if !other.members.is_empty() {
            let mine = std::mem::take(&mut self.members);
            let mut members = Vec::with_capacity(mine.len() + other.members.len());
            let mut theirs = other.members.into_iter().peekable();
            for pe in mine {
                while let Some(t) = theirs.next_if(|t| *t < pe) {
                    members.push(t);
                }
                theirs.next_if(|t| *t == pe);
                members.push(pe);
            }
            members.extend(theirs);
            self.members = members;
        }
        if !other.children.is_empty() {
            let mine = std::mem::take(&mut self.children);
            let mut children = Vec::with_capacity(mine.len() + other.children.len());
            let mut theirs = other.children.into_iter().peekable();
            for (pe, mut set) in mine {
                while let Some(t) = theirs.next_if(|(t, _)| *t < pe) {
                    children.push(t);
                }
                if let Some((_, below)) = theirs.next_if(|(t, _)| *t == pe) {
                    set.extend(below);
                }
                children.push((pe, set));
            }
            children.extend(theirs);
            self.children = children;
        }
    }

    /// The `FieldsV1` JSON of this set (the empty path itself is not written,
    /// as SMD does not track it).
    pub fn to_fields_v1(&self) -> Value {
        let text = FieldsV1 {
            set: self,
            member: false,
        };
        serde_json::to_value(text).expect("FieldsV1 has string keys")
    }

    /// The `FieldsV1` JSON of this set, serialised straight from the tree, with the
    /// empty path written as `"."` when it is a member, so that
    /// [`FieldSet::from_fields_v1`] gives back this very set.
    pub fn fields_v1_exact(&self) -> FieldsV1<'_> {
        FieldsV1 {
            set: self,
            member: self.root,
        }
    }

    /// Parses `FieldsV1` JSON.
    pub fn from_fields_v1(value: &Value) -> Result<FieldSet, String> {
        let Value::Object(map) = value else {
            return Err("parsing managed fields: FieldsV1 is not an object".into());
        };
        read_node(map)
    }
}

/// A set as `FieldsV1` JSON, written by serde straight from the tree (members and
/// children in the tree's order, `"."` first where the level's own path is a member):
/// the one writer behind [`FieldSet::to_fields_v1`] and [`FieldSet::fields_v1_exact`].
pub struct FieldsV1<'a> {
    set: &'a FieldSet,
    member: bool,
}

impl serde::Serialize for FieldsV1<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        if self.member {
            map.serialize_entry(".", &Empty)?;
        }
        let mut result = Ok(());
        merge_walk(
            &self.set.members,
            &self.set.children,
            same,
            child_key,
            |m, child| {
                if result.is_err() {
                    return;
                }
                result = match child {
                    Some((pe, set)) => map.serialize_entry(
                        &pe.fields_v1_key(),
                        &FieldsV1 {
                            set,
                            member: m.is_some(),
                        },
                    ),
                    None => map.serialize_entry(&m.expect("one side").fields_v1_key(), &Empty),
                };
            },
        );
        result?;
        map.end()
    }
}

/// `{}`: a leaf of `FieldsV1`.
struct Empty;

impl serde::Serialize for Empty {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serde::ser::SerializeMap::end(serializer.serialize_map(Some(0))?)
    }
}

/// One `FieldsV1` level: `"."` marks the level's own path a member (kept as
/// `root` until the parent moves it into its members).
fn read_node(map: &Map<String, Value>) -> Result<FieldSet, String> {
    let (mut root, mut members, mut children) = (false, Vec::new(), Vec::new());
    for (key, child) in map {
        if key == "." {
            root = true;
            continue;
        }
        let pe = PathElement::from_fields_v1_key(key)?;
        match child {
            Value::Object(child) if child.is_empty() => members.push(pe),
            Value::Object(child) => {
                let mut below = read_node(child)?;
                if std::mem::take(&mut below.root) {
                    members.push(pe.clone());
                }
                children.push((pe, below));
            }
            _ => return Err(format!("parsing managed fields: {key:?} is not an object")),
        }
    }
    Ok(FieldSet::from_parts(root, members, children))
}

#[cfg(test)]
#[path = "fieldpath_tests.rs"]
mod tests;
