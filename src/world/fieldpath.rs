//! Field paths and field sets as structured-merge-diff (`fieldpath`) defines them,
//! and their `FieldsV1` encoding as the API server writes it into
//! `metadata.managedFields` (`{"f:spec":{"f:replicas":{}}}`, `k:{...}`, `v:...`,
//! `i:N`, `"."` for a path that is itself a member and has children).
//!
//! A set is held flat: every member path. Paths order as SMD orders path
//! elements (field names, then keys, then values, then indices), so iterating a
//! set visits a parent before its children, as SMD's serialisation does.

use std::cmp::Ordering;
use std::collections::BTreeSet;
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

/// A set of member paths.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldSet(pub BTreeSet<Path>);

impl FieldSet {
    pub fn insert(&mut self, path: Path) {
        self.0.insert(path);
    }

    pub fn has(&self, path: &[PathElement]) -> bool {
        self.0.contains(path)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn union(&self, other: &FieldSet) -> FieldSet {
        FieldSet(self.0.union(&other.0).cloned().collect())
    }

    pub fn difference(&self, other: &FieldSet) -> FieldSet {
        FieldSet(self.0.difference(&other.0).cloned().collect())
    }

    /// Removes every member of `other` (`difference` in place, without copying the rest).
    pub fn remove_all(&mut self, other: &FieldSet) {
        if other.0.len() < self.0.len() {
            for path in &other.0 {
                self.0.remove(path);
            }
        } else {
            self.0.retain(|path| !other.0.contains(path));
        }
    }

    /// Adds every member of `other` (`union` in place).
    pub fn extend(&mut self, other: FieldSet) {
        if self.0.len() < other.0.len() {
            let mut other = other;
            std::mem::swap(self, &mut other);
            self.0.extend(other.0);
        } else {
            self.0.extend(other.0);
        }
    }

    pub fn intersection(&self, other: &FieldSet) -> FieldSet {
        FieldSet(self.0.intersection(&other.0).cloned().collect())
    }

    /// Whether any member lies strictly below `prefix`.
    pub fn has_below(&self, prefix: &[PathElement]) -> bool {
        self.0
            .range::<[PathElement], _>((
                std::ops::Bound::Excluded(prefix),
                std::ops::Bound::Unbounded,
            ))
            .next()
            .is_some_and(|p| p.len() > prefix.len() && p.starts_with(prefix))
    }

    /// The `FieldsV1` JSON of this set.
    pub fn to_fields_v1(&self) -> Value {
        let mut root = Map::new();
        for path in &self.0 {
            let mut node = &mut root;
            for element in path {
                let entry = node
                    .entry(element.fields_v1_key())
                    .or_insert_with(|| Value::Object(Map::new()));
                node = entry.as_object_mut().expect("FieldsV1 nodes are maps");
            }
        }
        mark_members(&mut root, self, &mut Vec::new());
        Value::Object(root)
    }

    /// Parses `FieldsV1` JSON.
    pub fn from_fields_v1(value: &Value) -> Result<FieldSet, String> {
        let mut set = FieldSet::default();
        let Value::Object(map) = value else {
            return Err("parsing managed fields: FieldsV1 is not an object".into());
        };
        read_node(map, &mut Vec::new(), &mut set)?;
        Ok(set)
    }
}

/// Adds `"."` to the nodes that are members and have children (SMD writes the
/// member marker first, then the children in order).
fn mark_members(node: &mut Map<String, Value>, set: &FieldSet, path: &mut Path) {
    let keys: Vec<String> = node.keys().cloned().collect();
    for key in keys {
        if key == "." {
            continue;
        }
        let Ok(element) = PathElement::from_fields_v1_key(&key) else {
            continue;
        };
        path.push(element);
        if let Some(Value::Object(child)) = node.get_mut(&key) {
            let has_children = child.keys().any(|k| k != ".");
            if has_children && set.has(path) && !child.contains_key(".") {
                let rest = std::mem::take(child);
                child.insert(".".into(), Value::Object(Map::new()));
                child.extend(rest);
            }
            mark_members(child, set, path);
        }
        path.pop();
    }
}

fn read_node(map: &Map<String, Value>, path: &mut Path, set: &mut FieldSet) -> Result<(), String> {
    for (key, child) in map {
        if key == "." {
            set.insert(path.clone());
            continue;
        }
        path.push(PathElement::from_fields_v1_key(key)?);
        match child {
            Value::Object(child) if child.is_empty() => set.insert(path.clone()),
            Value::Object(child) => read_node(child, path, set)?,
            _ => return Err(format!("parsing managed fields: {key:?} is not an object")),
        }
        path.pop();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_v1_round_trip_as_the_api_server_writes_it() {
        let fields = json!({
            "f:metadata": {"f:labels": {"f:app": {}}},
            "f:spec": {
                "f:ports": {
                    "k:{\"port\":26656,\"protocol\":\"TCP\"}": {".": {}, "f:name": {}, "f:port": {}}
                },
                "f:selector": {}
            }
        });
        let set = FieldSet::from_fields_v1(&fields).unwrap();
        assert_eq!(set.0.len(), 5);
        assert_eq!(set.to_fields_v1(), fields);
        assert_eq!(
            serde_json::to_string(&set.to_fields_v1()).unwrap(),
            fields.to_string()
        );
    }

    #[test]
    fn path_string_follows_smd() {
        let path = vec![
            PathElement::Field("spec".into()),
            PathElement::Field("ports".into()),
            PathElement::Key(vec![
                ("port".into(), Scalar(json!(80))),
                ("protocol".into(), Scalar(json!("TCP"))),
            ]),
            PathElement::Field("name".into()),
        ];
        assert_eq!(
            path_string(&path),
            ".spec.ports[port=80,protocol=\"TCP\"].name"
        );
        assert_eq!(
            path_string(&[
                PathElement::Value(Scalar(json!("a"))),
                PathElement::Index(2)
            ]),
            "[=\"a\"][2]"
        );
    }

    #[test]
    fn malformed_fields_v1_is_an_error() {
        assert!(FieldSet::from_fields_v1(&json!({"x:y": {}})).is_err());
        assert!(FieldSet::from_fields_v1(&json!({"f:a": 1})).is_err());
    }
}
