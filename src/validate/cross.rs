//! Checks across documents: duplicate objects, label peer selectors that match nothing, and
//! explicit SeiNodes that collide with a deployment's children.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::document::ObjectKey;
use super::operator::REVISION_LABEL;
use super::{Diagnostic, DocResult, Severity};
use crate::manifest::{SourceFile, Span};

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
    /// Children a SeiNodeDeployment would create: (namespace, name, labels).
    pub children: Vec<(String, String, Map<String, Value>)>,
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
            children: Vec::new(),
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
    // Explicit SeiNodes that share a name with a deployment child.
    let mut child_owner: HashMap<(&str, &str), &ObjectFacts> = HashMap::new();
    for (_, f) in facts {
        for (ns, name, _) in &f.children {
            child_owner.insert((ns, name), f);
        }
    }
    for (idx, f) in facts {
        let Some(key) = &f.key else { continue };
        if key.kind != "SeiNode" {
            continue;
        }
        if let Some(owner) = child_owner.get(&(key.namespace.as_str(), key.name.as_str())) {
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
    // Label selectors that match nothing in the input.
    for (idx, f) in facts {
        for s in &f.selectors {
            let self_name = f.key.as_ref().map(|k| k.name.as_str());
            let explicit = facts.iter().any(|(_, o)| {
                o.kind == "SeiNode"
                    && o.key.as_ref().is_some_and(|k| {
                        k.namespace == s.namespace
                            && Some(k.name.as_str()) != self_name.filter(|_| f.kind == "SeiNode")
                    })
                    && matches(&s.selector, &o.labels, false)
            });
            let child = facts.iter().any(|(_, o)| {
                o.children
                    .iter()
                    .any(|(ns, _, labels)| *ns == s.namespace && matches(&s.selector, labels, true))
            });
            if !explicit && !child {
                results[*idx].diagnostics.push(diag(
                    f,
                    s.span,
                    &s.path,
                    "cross.peer-selector",
                    Severity::Warning,
                    format!("label selector {{{}}} matches no SeiNode in namespace {} among the given inputs", show_selector(&s.selector), s.namespace),
                    Some("peers are resolved from live SeiNodes; ignore this if the peers are created elsewhere, otherwise check the labels".into()),
                ));
            }
        }
    }
}
