//! Checks across documents: duplicate objects, label peer selectors that match nothing, and
//! explicit SeiNodes that collide with a deployment's children.

use std::sync::Arc;

use foldhash::{HashMap, HashMapExt};

use rayon::prelude::*;
use serde_json::{Map, Value};

use super::operator::{ORDINAL_LABEL, REVISION_LABEL};
use super::{Diagnostic, DocResult, Severity};
use crate::manifest::{SourceFile, Span};

/// Identity of an object across documents: kind, namespace (default `default`), name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectKey {
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

/// The key of a named object, if it has a kind and a name.
pub fn object_key(v: &Value) -> Option<ObjectKey> {
    let kind = v.get("kind")?.as_str()?;
    let name = v
        .get("metadata")?
        .get("name")?
        .as_str()
        .filter(|n| !n.is_empty())?;
    let namespace = v["metadata"]["namespace"]
        .as_str()
        .filter(|n| !n.is_empty())
        .unwrap_or("default");
    Some(ObjectKey {
        kind: kind.to_string(),
        namespace: namespace.to_string(),
        name: name.to_string(),
    })
}

/// A `label.selector` peer source found in a spec.
#[derive(Debug, Clone)]
pub struct SelectorRef {
    pub path: String,
    pub span: Span,
    pub namespace: String,
    pub selector: Map<String, Value>,
}

/// What cross-checks need to know about one validated object.
#[derive(Debug, Clone)]
pub struct ObjectFacts {
    pub source: Arc<SourceFile>,
    pub object: String,
    pub kind: String,
    pub key: Option<ObjectKey>,
    pub name_span: Span,
    pub labels: Map<String, Value>,
    pub selectors: Vec<SelectorRef>,
    /// The children a SeiNodeDeployment would create.
    pub children: Option<ChildTemplate>,
}

/// Children `group-0 … group-(replicas-1)` of a deployment, with the labels of child 0.
#[derive(Debug, Clone)]
pub struct ChildTemplate {
    pub namespace: String,
    pub group: String,
    pub labels: Map<String, Value>,
    pub replicas: u32,
}

impl ChildTemplate {
    /// True when `name` is one of the children.
    fn has_child(&self, name: &str) -> bool {
        name.strip_prefix(self.group.as_str())
            .and_then(|r| r.strip_prefix('-'))
            .and_then(|n| n.parse::<u32>().ok().filter(|i| n == i.to_string()))
            .is_some_and(|i| i < self.replicas)
    }

    /// True when some child carries every label of the selector.
    fn any_matches(&self, selector: &Map<String, Value>) -> bool {
        selector.iter().all(|(k, v)| match k.as_str() {
            REVISION_LABEL => true,
            ORDINAL_LABEL => v
                .as_str()
                .and_then(|s| s.parse::<u32>().ok().filter(|i| s == i.to_string()))
                .is_some_and(|i| i < self.replicas),
            _ => self.labels.get(k) == Some(v),
        })
    }
}

impl ObjectFacts {
    pub fn new(source: Arc<SourceFile>) -> Self {
        ObjectFacts {
            source,
            object: String::new(),
            kind: String::new(),
            key: None,
            name_span: Span::default(),
            labels: Map::new(),
            selectors: Vec::new(),
            children: None,
        }
    }
}

fn diag(
    f: &ObjectFacts,
    span: Span,
    path: &str,
    rule: &str,
    severity: Severity,
    message: String,
    help: Option<String>,
) -> Diagnostic {
    Diagnostic {
        file: f.source.name.clone(),
        line: span.line,
        column: span.column,
        json_path: path.to_string(),
        rule: rule.to_string(),
        severity,
        message,
        help,
        object: Some(f.object.clone()),
    }
}

/// True when every selector pair is present in `labels` (the revision label is unknown offline
/// and matches anything on deployment children).
fn matches(selector: &Map<String, Value>, labels: &Map<String, Value>, is_child: bool) -> bool {
    selector
        .iter()
        .all(|(k, v)| (is_child && k == REVISION_LABEL) || labels.get(k) == Some(v))
}

fn show_selector(sel: &Map<String, Value>) -> String {
    let parts: Vec<String> = sel
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("?")))
        .collect();
    parts.join(",")
}

/// A selector's exact identity (its JSON text), for resolving each distinct one once.
fn selector_key(sel: &Map<String, Value>) -> String {
    serde_json::to_string(sel).unwrap_or_default()
}

/// The explicit SeiNodes one label selector matches (distinct names).
enum Matches<'a> {
    None,
    One(&'a str),
    Many,
}

/// Runs all cross-document checks; `facts` pairs each object with its index in `results`.
pub fn check_all(facts: &[(usize, ObjectFacts)], results: &mut [DocResult]) {
    // Duplicates.
    let mut first: HashMap<&ObjectKey, &ObjectFacts> = HashMap::new();
    for (idx, f) in facts {
        let Some(key) = &f.key else { continue };
        if let Some(prev) = first.get(key) {
            let d = diag(
                f,
                f.name_span,
                "metadata.name",
                "cross.duplicate",
                Severity::Error,
                format!("duplicate {} {}/{}: also defined at {}:{}", key.kind, key.namespace, key.name, prev.source.name, prev.name_span.line),
                Some("each object may appear once in the input; the later one would overwrite the earlier".into()),
            );
            results[*idx].diagnostics.push(d);
        } else {
            first.insert(key, f);
        }
    }
    // Explicit SeiNodes that share a name with a deployment child (indexed by namespace/group).
    let mut groups: HashMap<(&str, &str), (&ChildTemplate, &ObjectFacts)> = HashMap::new();
    let mut groups_by_ns: HashMap<&str, Vec<&ChildTemplate>> = HashMap::new();
    for (_, f) in facts {
        if let Some(c) = &f.children {
            groups.insert((c.namespace.as_str(), c.group.as_str()), (c, f));
            groups_by_ns
                .entry(c.namespace.as_str())
                .or_default()
                .push(c);
        }
    }
    for (idx, f) in facts {
        let Some(key) = &f.key else { continue };
        if key.kind != "SeiNode" || groups.is_empty() {
            continue;
        }
        let owner = key.name.rsplit_once('-').and_then(|(group, _)| {
            groups
                .get(&(key.namespace.as_str(), group))
                .filter(|(c, _)| c.has_child(&key.name))
                .map(|(_, o)| o)
        });
        if let Some(owner) = owner {
            results[*idx].diagnostics.push(diag(
                f,
                f.name_span,
                "metadata.name",
                "cross.duplicate",
                Severity::Warning,
                format!("SeiNode {}/{} has the name of a child of {}", key.namespace, key.name, owner.object),
                Some("the deployment controller updates a same-named SeiNode in place, overwriting this spec".into()),
            ));
        }
    }
    // Label selectors that match nothing in the input. Explicit SeiNodes are indexed by
    // (namespace, label key, label value) so each selector only scans plausible candidates.
    let mut by_label: HashMap<(&str, &str, &str), Vec<&ObjectFacts>> = HashMap::new();
    let any_selectors = facts.iter().any(|(_, f)| !f.selectors.is_empty());
    if any_selectors {
        for (_, o) in facts {
            let Some(k) = o.key.as_ref().filter(|_| o.kind == "SeiNode") else {
                continue;
            };
            for (lk, lv) in &o.labels {
                if let Some(lv) = lv.as_str() {
                    by_label
                        .entry((k.namespace.as_str(), lk.as_str(), lv))
                        .or_default()
                        .push(o);
                }
            }
        }
    }
    // Each distinct (namespace, selector) is resolved once, in parallel: which explicit SeiNodes
    // it matches (none, exactly one — which a node's own selector must not count — or more).
    // Every selector's key is built once here and reused by the lookup below.
    let keys: Vec<Vec<String>> = facts
        .par_iter()
        .map(|(_, f)| {
            f.selectors
                .iter()
                .map(|s| selector_key(&s.selector))
                .collect()
        })
        .collect();
    let mut distinct: HashMap<(&str, &str), &SelectorRef> = HashMap::new();
    for ((_, f), fkeys) in facts.iter().zip(&keys) {
        for (s, key) in f.selectors.iter().zip(fkeys) {
            distinct
                .entry((s.namespace.as_str(), key.as_str()))
                .or_insert(s);
        }
    }
    let resolved: HashMap<(&str, &str), Matches> = distinct
        .into_par_iter()
        .map(|(key, s)| {
            let candidates = s.selector.iter().next().and_then(|(k0, v0)| {
                v0.as_str()
                    .and_then(|v0| by_label.get(&(s.namespace.as_str(), k0.as_str(), v0)))
            });
            let mut found = candidates
                .into_iter()
                .flatten()
                .filter(|o| matches(&s.selector, &o.labels, false))
                .filter_map(|o| o.key.as_ref().map(|k| k.name.as_str()));
            let matched = match found.next() {
                None => Matches::None,
                Some(one) if found.all(|other| other == one) => Matches::One(one),
                Some(_) => Matches::Many,
            };
            (key, matched)
        })
        .collect();
    // Each object's unmatched selectors are found in parallel, then attached in input order.
    let unmatched: Vec<(usize, Vec<Diagnostic>)> = facts
        .par_iter()
        .zip(&keys)
        .filter(|((_, f), _)| !f.selectors.is_empty())
        .map(|((idx, f), fkeys)| {
            let self_name = f
                .key
                .as_ref()
                .map(|k| k.name.as_str())
                .filter(|_| f.kind == "SeiNode");
            let found = f
                .selectors
                .iter()
                .zip(fkeys)
                .filter(|(s, key)| {
                    let explicit = match resolved.get(&(s.namespace.as_str(), key.as_str())) {
                        Some(Matches::Many) => true,
                        Some(Matches::One(name)) => Some(*name) != self_name,
                        Some(Matches::None) | None => false,
                    };
                    let child = groups_by_ns
                        .get(s.namespace.as_str())
                        .is_some_and(|cs| cs.iter().any(|c| c.any_matches(&s.selector)));
                    !explicit && !child
                })
                .map(|(s, _)| diag(
                    f,
                    s.span,
                    &s.path,
                    "cross.peer-selector",
                    Severity::Warning,
                    format!("label selector {{{}}} matches no SeiNode in namespace {} among the given inputs", show_selector(&s.selector), s.namespace),
                    Some("peers are resolved from live SeiNodes; ignore this if the peers are created elsewhere, otherwise check the labels".into()),
                ))
                .collect();
            (*idx, found)
        })
        .collect();
    for (idx, found) in unmatched {
        results[idx].diagnostics.extend(found);
    }
}
