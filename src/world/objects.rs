//! The stored objects of the in-memory API server, with a label index.
//!
//! A LIST with a label selector (label peers, a group's child SeiNodes) used to scan
//! every object of the kind in the namespace; at fleet scale that is quadratic (every
//! SeiNode lists its peers). The index maps `(kind, namespace, label, value)` to the
//! names carrying that label, so a selector costs the size of its smallest term.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::RangeBounds;
use std::sync::Arc;

use serde_json::Value;

/// The identity of a stored object.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectKey {
    /// `<group>/<Kind>`.
    pub group_kind: String,
    pub namespace: String,
    pub name: String,
}

/// `(group/Kind, namespace, label key, label value)`.
type LabelTerm = (String, String, String, String);

/// The objects by key, and the names of each kind and namespace by label.
#[derive(Debug, Clone, Default)]
pub struct Objects {
    by_key: BTreeMap<ObjectKey, Arc<Value>>,
    by_label: HashMap<LabelTerm, BTreeSet<String>>,
}

impl Objects {
    pub fn get(&self, key: &ObjectKey) -> Option<&Arc<Value>> {
        self.by_key.get(key)
    }

    pub fn contains_key(&self, key: &ObjectKey) -> bool {
        self.by_key.contains_key(key)
    }

    pub fn range<R: RangeBounds<ObjectKey>>(
        &self,
        range: R,
    ) -> std::collections::btree_map::Range<'_, ObjectKey, Arc<Value>> {
        self.by_key.range(range)
    }

    pub fn iter(&self) -> std::collections::btree_map::Iter<'_, ObjectKey, Arc<Value>> {
        self.by_key.iter()
    }

    /// Stores `object` under `key`, re-indexing its labels.
    pub fn insert(&mut self, key: ObjectKey, object: Arc<Value>) -> Option<Arc<Value>> {
        let old = self.by_key.remove(&key);
        if let Some(previous) = &old {
            // Most writes (status, spec) keep the labels: nothing to re-index.
            if labels(previous).eq(labels(&object)) {
                self.by_key.insert(key, object);
                return old;
            }
            self.unindex(&key, previous);
        }
        for (label, value) in labels(&object) {
            self.by_label
                .entry(term(&key, label, value))
                .or_default()
                .insert(key.name.clone());
        }
        self.by_key.insert(key, object);
        old
    }

    pub fn remove(&mut self, key: &ObjectKey) -> Option<Arc<Value>> {
        let old = self.by_key.remove(key)?;
        self.unindex(key, &old);
        Some(old)
    }

    fn unindex(&mut self, key: &ObjectKey, object: &Value) {
        for (label, value) in labels(object) {
            let t = term(key, label, value);
            if let Some(names) = self.by_label.get_mut(&t) {
                names.remove(&key.name);
                if names.is_empty() {
                    self.by_label.remove(&t);
                }
            }
        }
    }

    /// The objects of `group_kind` in `namespace` whose labels equal every pair of a
    /// non-empty `selector`, by name.
    pub fn select(
        &self,
        group_kind: &str,
        namespace: &str,
        selector: &[(&str, &str)],
    ) -> Vec<Arc<Value>> {
        let postings: Option<Vec<&BTreeSet<String>>> = selector
            .iter()
            .map(|(k, v)| {
                self.by_label.get(&(
                    group_kind.to_string(),
                    namespace.to_string(),
                    (*k).to_string(),
                    (*v).to_string(),
                ))
            })
            .collect();
        let Some(mut postings) = postings else {
            return Vec::new();
        };
        postings.sort_by_key(|p| p.len());
        let Some((smallest, rest)) = postings.split_first() else {
            return Vec::new();
        };
        smallest
            .iter()
            .filter(|name| rest.iter().all(|p| p.contains(*name)))
            .filter_map(|name| {
                self.by_key.get(&ObjectKey {
                    group_kind: group_kind.to_string(),
                    namespace: namespace.to_string(),
                    name: name.clone(),
                })
            })
            .map(Arc::clone)
            .collect()
    }
}

fn term(key: &ObjectKey, label: &str, value: &str) -> LabelTerm {
    (
        key.group_kind.clone(),
        key.namespace.clone(),
        label.to_string(),
        value.to_string(),
    )
}

/// The string-valued labels of an object.
fn labels(object: &Value) -> impl Iterator<Item = (&str, &str)> {
    object
        .get("metadata")
        .and_then(|m| m.get("labels"))
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn put(objects: &mut Objects, name: &str, ns: &str, labels: Value) {
        let key = ObjectKey {
            group_kind: "sei.io/SeiNode".into(),
            namespace: ns.into(),
            name: name.into(),
        };
        let object = json!({"metadata": {"name": name, "namespace": ns, "labels": labels}});
        objects.insert(key, Arc::new(object));
    }

    fn names(objects: &Objects, selector: &[(&str, &str)]) -> Vec<String> {
        objects
            .select("sei.io/SeiNode", "x", selector)
            .iter()
            .map(|o| o["metadata"]["name"].as_str().unwrap_or("").to_string())
            .collect()
    }

    #[test]
    fn select_follows_inserts_relabels_and_removes() {
        let mut objects = Objects::default();
        put(&mut objects, "b", "x", json!({"role": "rpc", "chain": "c"}));
        put(&mut objects, "a", "x", json!({"role": "rpc", "chain": "c"}));
        put(&mut objects, "c", "x", json!({"chain": "c"}));
        put(&mut objects, "d", "y", json!({"role": "rpc", "chain": "c"}));
        assert_eq!(names(&objects, &[("chain", "c")]), ["a", "b", "c"]);
        assert_eq!(
            names(&objects, &[("chain", "c"), ("role", "rpc")]),
            ["a", "b"]
        );
        assert!(names(&objects, &[("role", "other")]).is_empty());
        // A relabel moves the object between postings; a removal drops it.
        put(&mut objects, "a", "x", json!({"role": "db"}));
        assert_eq!(names(&objects, &[("role", "rpc")]), ["b"]);
        assert_eq!(names(&objects, &[("role", "db")]), ["a"]);
        let b = ObjectKey {
            group_kind: "sei.io/SeiNode".into(),
            namespace: "x".into(),
            name: "b".into(),
        };
        assert!(objects.remove(&b).is_some());
        assert!(names(&objects, &[("role", "rpc")]).is_empty());
        assert_eq!(names(&objects, &[("chain", "c")]), ["c"]);
    }
}
