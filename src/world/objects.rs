//! The stored objects of the in-memory API server, with a label index.
//!
//! A LIST with a label selector (label peers, a group's child SeiNodes) used to scan
//! every object of the kind in the namespace; at fleet scale that is quadratic (every
//! SeiNode lists its peers). The index maps `(kind, namespace, label, value)` to the
//! names carrying that label, so a selector costs the size of its smallest term.
//!
//! An object loaded compactly (an input object nothing has read yet) is held as its JSON
//! text and decoded on its first read. Between targets the engine calls
//! [`Objects::rest`]: every object written or decoded since goes back to its text, so a
//! fleet's finished targets are held at about the size of their JSON, not a dozen times it.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::RangeBounds;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;

use super::compact::{encode_text, StoredObject};

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

/// One stored object: decoded, or compact text decoded (once) when first read.
#[derive(Debug, Clone)]
pub(super) struct Slot {
    text: Option<Arc<str>>,
    value: OnceLock<Arc<Value>>,
}

impl Slot {
    fn parsed(object: Arc<Value>) -> Slot {
        Slot {
            text: None,
            value: OnceLock::from(object),
        }
    }

    /// The object, decoded and kept on the first read of a compact one (then `woken` is
    /// called, so the store can put it back to rest).
    fn get(&self, woken: impl FnOnce()) -> &Arc<Value> {
        self.value.get_or_init(|| {
            let text = self
                .text
                .as_deref()
                .expect("a slot holds a value or its text");
            woken();
            Arc::new(super::compact::decode(text))
        })
    }

    /// Back to its compact text (encoded now if it has none), when the object has a
    /// compact form ([`encode_text`]); otherwise it stays decoded.
    fn rest(&mut self) {
        if self.text.is_none() {
            match self.value.get().and_then(|v| encode_text(v)) {
                Some(text) => self.text = Some(text.into()),
                None => return,
            }
        }
        self.value = OnceLock::new();
    }

    /// The object without decoding it (a compact one not read yet stays text).
    fn peek(&self) -> StoredObject {
        match (self.value.get(), &self.text) {
            (Some(value), _) => StoredObject::Parsed(Arc::clone(value)),
            (None, Some(text)) => StoredObject::Text(Arc::clone(text)),
            (None, None) => unreachable!("a slot holds a value or its text"),
        }
    }
}

/// The objects by key, and the names of each kind and namespace by label.
#[derive(Debug, Default)]
pub struct Objects {
    by_key: BTreeMap<ObjectKey, Slot>,
    by_label: HashMap<LabelTerm, BTreeSet<String>>,
    /// The objects held decoded since the last [`Objects::rest`] (written, or read from
    /// their text); a key may be listed twice.
    awake: Mutex<Vec<ObjectKey>>,
}

impl Clone for Objects {
    fn clone(&self) -> Self {
        Objects {
            by_key: self.by_key.clone(),
            by_label: self.by_label.clone(),
            awake: Mutex::new(self.awake_keys().clone()),
        }
    }
}

impl Objects {
    pub fn get(&self, key: &ObjectKey) -> Option<&Arc<Value>> {
        self.by_key.get(key).map(|slot| self.read(key, slot))
    }

    /// The object of a slot, decoding it if it is at rest.
    pub(super) fn read<'a>(&self, key: &ObjectKey, slot: &'a Slot) -> &'a Arc<Value> {
        slot.get(|| self.awake_keys().push(key.clone()))
    }

    fn awake_keys(&self) -> std::sync::MutexGuard<'_, Vec<ObjectKey>> {
        // The list is only pushed to: a panic elsewhere cannot leave it inconsistent.
        self.awake.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Puts every object written or decoded since the last call back to its compact
    /// text (see [`Slot::rest`]); the next read decodes it again. Costs the number of
    /// objects woken, not the number stored.
    pub fn rest(&mut self) {
        let mut keys = std::mem::take(&mut *self.awake_keys());
        keys.sort_unstable();
        keys.dedup();
        for key in keys {
            if let Some(slot) = self.by_key.get_mut(&key) {
                slot.rest();
            }
        }
    }

    pub fn contains_key(&self, key: &ObjectKey) -> bool {
        self.by_key.contains_key(key)
    }

    /// The objects of a key range (each decoded when its [`Slot::get`] is called).
    pub(super) fn range<R: RangeBounds<ObjectKey>>(
        &self,
        range: R,
    ) -> std::collections::btree_map::Range<'_, ObjectKey, Slot> {
        self.by_key.range(range)
    }

    /// Each `group/Kind` stored, in order: one range skipped per kind, not one step per
    /// object.
    pub fn group_kinds(&self) -> Vec<&str> {
        let mut kinds = Vec::new();
        let mut next = self.by_key.keys().next();
        while let Some(key) = next {
            kinds.push(key.group_kind.as_str());
            // Past every key of this group/Kind: the smallest key of a longer group/Kind.
            let past = ObjectKey {
                group_kind: format!("{}\0", key.group_kind),
                namespace: String::new(),
                name: String::new(),
            };
            next = self.by_key.range(past..).next().map(|(k, _)| k);
        }
        kinds
    }

    /// The objects of one `group/Kind`, by namespace then name, without decoding the
    /// compact ones.
    pub fn of_group_kind<'a>(
        &'a self,
        group_kind: &'a str,
    ) -> impl Iterator<Item = (&'a ObjectKey, StoredObject)> + 'a {
        let start = ObjectKey {
            group_kind: group_kind.to_string(),
            namespace: String::new(),
            name: String::new(),
        };
        self.by_key
            .range(start..)
            .take_while(move |(k, _)| k.group_kind == group_kind)
            .map(|(k, s)| (k, s.peek()))
    }

    /// Stores `object` under `key`, re-indexing its labels.
    pub fn insert(&mut self, key: ObjectKey, object: Arc<Value>) {
        let labels_of = Arc::clone(&object);
        self.awake_keys().push(key.clone());
        self.put(key, &labels_of, Slot::parsed(object));
    }

    /// Stores `object` under `key` as its compact JSON text `text`, decoded when first read.
    pub fn insert_compact(&mut self, key: ObjectKey, object: &Value, text: Arc<str>) {
        let slot = Slot {
            text: Some(text),
            value: OnceLock::new(),
        };
        self.put(key, object, slot);
    }

    fn put(&mut self, key: ObjectKey, object: &Value, slot: Slot) {
        if let Some(previous) = self.by_key.remove(&key) {
            let previous = previous.peek();
            let previous = previous.value();
            // Most writes (status, spec) keep the labels: nothing to re-index.
            if labels(&previous).eq(labels(object)) {
                self.by_key.insert(key, slot);
                return;
            }
            self.unindex(&key, &previous);
        }
        for (label, value) in labels(object) {
            self.by_label
                .entry(term(&key, label, value))
                .or_default()
                .insert(key.name.clone());
        }
        self.by_key.insert(key, slot);
    }

    pub fn remove(&mut self, key: &ObjectKey) -> Option<StoredObject> {
        let old = self.by_key.remove(key)?.peek();
        self.unindex(key, &old.value());
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

    /// The names of the objects [`Objects::select`] would return, in its order, without
    /// reading (or decoding) any of them.
    pub fn select_names(
        &self,
        group_kind: &str,
        namespace: &str,
        selector: &[(&str, &str)],
    ) -> Vec<String> {
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
            .cloned()
            .collect()
    }

    /// The objects of `group_kind` in `namespace` whose labels equal every pair of a
    /// non-empty `selector`, by name.
    pub fn select(
        &self,
        group_kind: &str,
        namespace: &str,
        selector: &[(&str, &str)],
    ) -> Vec<Arc<Value>> {
        self.select_names(group_kind, namespace, selector)
            .into_iter()
            .filter_map(|name| {
                self.get(&ObjectKey {
                    group_kind: group_kind.to_string(),
                    namespace: namespace.to_string(),
                    name,
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
