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
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::Value;

use super::compact::{encode_text, StoredObject};
use super::rest_text::RestText;

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
    text: Option<RestText>,
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
                .as_ref()
                .expect("a slot holds a value or its text");
            woken();
            Arc::new(super::compact::decode(&text.text()))
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
            (None, Some(text)) => StoredObject::Text(text.clone()),
            (None, None) => unreachable!("a slot holds a value or its text"),
        }
    }
}

/// A stored object's namespace and name as one string: the two joined by `\0\0`, each with
/// its NUL bytes written `\0\x01`, so the joined strings sort exactly as the pairs do. One
/// small allocation per object where a pair of `String`s took two, and 16 bytes in the map's
/// nodes where an [`ObjectKey`] took 72: at 100k stored objects the map is a third its size.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct NameKey(Box<str>);

const JOIN: &str = "\0\0";

impl NameKey {
    fn of(namespace: &str, name: &str) -> NameKey {
        // Sized exactly: a boxed string keeps the block it was built in.
        let mut text = String::with_capacity(namespace.len() + JOIN.len() + name.len());
        push_prefix(&mut text, namespace);
        escape_into(&mut text, name);
        NameKey(text.into())
    }

    /// `f` on the joined text of a pair, built on the stack when it is short and has no NUL
    /// (every Kubernetes name), so a lookup allocates nothing.
    fn joined<R>(namespace: &str, name: &str, f: impl FnOnce(&str) -> R) -> R {
        const ROOM: usize = 384;
        let size = namespace.len() + JOIN.len() + name.len();
        if size > ROOM || namespace.contains('\0') || name.contains('\0') {
            return f(&NameKey::of(namespace, name).0);
        }
        let mut buf = [0u8; ROOM];
        let (ns_end, join_end) = (namespace.len(), namespace.len() + JOIN.len());
        buf[..ns_end].copy_from_slice(namespace.as_bytes());
        buf[ns_end..join_end].copy_from_slice(JOIN.as_bytes());
        buf[join_end..size].copy_from_slice(name.as_bytes());
        // Two strings and an ASCII join: valid UTF-8.
        f(std::str::from_utf8(&buf[..size]).expect("joined UTF-8 stays UTF-8"))
    }

    /// Namespace, then name.
    pub(super) fn parts(&self) -> (String, String) {
        let (namespace, name) = self.0.split_once(JOIN).unwrap_or(("", &self.0));
        (unescape(namespace), unescape(name))
    }
}

impl std::borrow::Borrow<str> for NameKey {
    fn borrow(&self) -> &str {
        &self.0
    }
}

fn escape_into(out: &mut String, part: &str) {
    if part.contains('\0') {
        out.push_str(&part.replace('\0', "\0\x01"));
    } else {
        out.push_str(part);
    }
}

fn unescape(part: &str) -> String {
    part.replace("\0\x01", "\0")
}

/// The escaped namespace followed by the join: every key of the namespace starts with it.
fn namespace_prefix(namespace: &str) -> String {
    let mut prefix = String::with_capacity(namespace.len() + JOIN.len());
    push_prefix(&mut prefix, namespace);
    prefix
}

fn push_prefix(out: &mut String, namespace: &str) {
    escape_into(out, namespace);
    out.push_str(JOIN);
}

/// The objects of one `group/Kind`, by namespace and name.
type OfKind = BTreeMap<NameKey, Slot>;

/// The objects by `group/Kind`, then namespace and name, and the names of each kind and
/// namespace by label.
#[derive(Debug, Default)]
pub struct Objects {
    by_kind: BTreeMap<String, OfKind>,
    by_label: HashMap<LabelTerm, BTreeSet<String>>,
    /// The objects held decoded since the last [`Objects::rest`] (written, or read from
    /// their text); a key may be listed twice.
    awake: Mutex<Vec<ObjectKey>>,
}

impl Clone for Objects {
    fn clone(&self) -> Self {
        Objects {
            by_kind: self.by_kind.clone(),
            by_label: self.by_label.clone(),
            awake: Mutex::new(self.awake_keys().clone()),
        }
    }
}

impl Objects {
    pub fn get(&self, key: &ObjectKey) -> Option<&Arc<Value>> {
        self.slot(key).map(|slot| self.read(key, slot))
    }

    fn slot(&self, key: &ObjectKey) -> Option<&Slot> {
        let of_kind = self.by_kind.get(&key.group_kind)?;
        NameKey::joined(&key.namespace, &key.name, |joined| of_kind.get(joined))
    }

    /// The object of a slot, decoding it if it is at rest.
    fn read<'a>(&self, key: &ObjectKey, slot: &'a Slot) -> &'a Arc<Value> {
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
            if let Some(of_kind) = self.by_kind.get_mut(&key.group_kind) {
                NameKey::joined(&key.namespace, &key.name, |joined| {
                    if let Some(slot) = of_kind.get_mut(joined) {
                        slot.rest();
                    }
                });
            }
        }
    }

    pub fn contains_key(&self, key: &ObjectKey) -> bool {
        self.slot(key).is_some()
    }

    /// The objects of `group_kind` in `namespace` (`None`: every namespace), by namespace
    /// then name, each decoded as it is read.
    pub(super) fn of_namespace<'a>(
        &'a self,
        group_kind: &'a str,
        namespace: Option<&str>,
    ) -> impl Iterator<Item = &'a Arc<Value>> + 'a {
        let prefix = namespace.map(namespace_prefix).unwrap_or_default();
        self.by_kind
            .get(group_kind)
            .into_iter()
            .flat_map(move |of_kind| {
                let prefix = prefix.clone();
                of_kind
                    .range::<str, _>((
                        std::ops::Bound::Included(prefix.as_str()),
                        std::ops::Bound::Unbounded,
                    ))
                    .take_while(move |(k, _)| k.0.starts_with(prefix.as_str()))
            })
            .map(move |(joined, slot)| {
                slot.get(|| {
                    let (namespace, name) = joined.parts();
                    self.awake_keys().push(ObjectKey {
                        group_kind: group_kind.to_string(),
                        namespace,
                        name,
                    });
                })
            })
    }

    /// Each `group/Kind` that holds an object, in order.
    pub fn group_kinds(&self) -> Vec<&str> {
        self.by_kind
            .iter()
            .filter(|(_, of_kind)| !of_kind.is_empty())
            .map(|(group_kind, _)| group_kind.as_str())
            .collect()
    }

    /// How many objects of one `group/Kind` are stored.
    pub(super) fn count_of(&self, group_kind: &str) -> usize {
        self.by_kind.get(group_kind).map_or(0, OfKind::len)
    }

    /// The objects of one `group/Kind`, by namespace then name, without decoding the
    /// compact ones.
    pub(super) fn of_group_kind<'a>(
        &'a self,
        group_kind: &str,
    ) -> impl Iterator<Item = (&'a NameKey, StoredObject)> + 'a {
        self.by_kind
            .get(group_kind)
            .into_iter()
            .flatten()
            .map(|(k, s)| (k, s.peek()))
    }

    /// Stores `object` under `key`, re-indexing its labels.
    pub fn insert(&mut self, key: ObjectKey, object: Arc<Value>) {
        let labels_of = Arc::clone(&object);
        self.awake_keys().push(key.clone());
        self.put(key, &labels_of, Slot::parsed(object));
    }

    /// Stores `object` under `key` as its compact JSON text `text`, decoded when first read.
    pub fn insert_compact(&mut self, key: ObjectKey, object: &Value, text: RestText) {
        let slot = Slot {
            text: Some(text),
            value: OnceLock::new(),
        };
        self.put(key, object, slot);
    }

    fn of_kind_mut(&mut self, group_kind: &str) -> &mut OfKind {
        if !self.by_kind.contains_key(group_kind) {
            self.by_kind.insert(group_kind.to_string(), OfKind::new());
        }
        self.by_kind.get_mut(group_kind).expect("inserted above")
    }

    fn put(&mut self, key: ObjectKey, object: &Value, slot: Slot) {
        let joined = NameKey::of(&key.namespace, &key.name);
        let of_kind = self.of_kind_mut(&key.group_kind);
        if let Some(previous) = of_kind.insert(joined, slot) {
            let previous = previous.peek();
            let previous = previous.value();
            // Most writes (status, spec) keep the labels: nothing to re-index.
            if labels(&previous).eq(labels(object)) {
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
    }

    pub fn remove(&mut self, key: &ObjectKey) -> Option<StoredObject> {
        let of_kind = self.by_kind.get_mut(&key.group_kind)?;
        let old =
            NameKey::joined(&key.namespace, &key.name, |joined| of_kind.remove(joined))?.peek();
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

    /// Joined keys sort as their (namespace, name) pairs and split back into them, NUL
    /// bytes and prefixes included.
    #[test]
    fn joined_keys_sort_and_split_as_their_pairs() {
        let parts = [
            "", "a", "a\0", "a\0b", "a\u{1}", "ab", "b", "\0", "\u{1}", "é",
        ];
        let mut pairs: Vec<(&str, &str)> = parts
            .iter()
            .flat_map(|ns| parts.iter().map(move |name| (*ns, *name)))
            .collect();
        let mut joined: Vec<NameKey> = pairs.iter().map(|(ns, n)| NameKey::of(ns, n)).collect();
        pairs.sort();
        joined.sort();
        let split: Vec<(String, String)> = joined.iter().map(NameKey::parts).collect();
        let expected: Vec<(String, String)> = pairs
            .iter()
            .map(|(ns, n)| ((*ns).to_string(), (*n).to_string()))
            .collect();
        assert_eq!(split, expected);
        // A lookup key built on the stack is the stored key's text.
        for (ns, n) in &pairs {
            NameKey::joined(ns, n, |joined| assert_eq!(joined, &*NameKey::of(ns, n).0));
        }
        let long = "n".repeat(400);
        NameKey::joined("ns", &long, |joined| {
            assert_eq!(joined, &*NameKey::of("ns", &long).0)
        });
        // A namespace's keys are exactly those starting with its prefix.
        for ns in parts {
            let prefix = namespace_prefix(ns);
            let mine = joined.iter().filter(|k| k.0.starts_with(&prefix)).count();
            assert_eq!(mine, parts.len(), "namespace {ns:?}");
        }
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
