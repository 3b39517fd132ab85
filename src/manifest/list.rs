//! List documents (`kind: List`, what `kubectl get -o yaml` prints for several objects) are
//! read as one document per item, the way `kubectl apply -f` reads them.

use serde_json::Value;

use super::{Document, NodePos, Positions, NO_PARENT};

/// True for a list kind (`List`, `SeiNodeList`, …) that carries an `items` array.
pub fn is_list(v: &Value) -> bool {
    v.get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k.ends_with("List"))
        && v.get("items").is_some_and(Value::is_array)
}

/// Hands `doc` to `each`, or, for a non-empty list, each of its items (recursively) as a
/// document of its own whose paths and positions start at the item. An empty list is kept
/// as it is, so an input holding only an empty list still has a document.
pub(crate) fn expand(mut doc: Document, each: &mut dyn FnMut(Document)) {
    let list = is_list(&doc.value);
    let items = match doc.value.get_mut("items") {
        Some(Value::Array(items)) if list && !items.is_empty() => std::mem::take(items),
        _ => return each(doc),
    };
    for (i, value) in items.into_iter().enumerate() {
        let prefix = format!("items[{i}]");
        let positions = doc.positions.subtree(&prefix);
        let start = positions.get("").map_or(doc.start, |p| p.value);
        let item = Document {
            source: doc.source.clone(),
            index_in_file: doc.index_in_file,
            value,
            positions,
            start,
        };
        expand(item, each);
    }
}

impl Positions {
    /// The positions under `prefix`, with paths relative to it (`prefix` itself becomes the
    /// root): the entries after it whose parent is it or one of them.
    fn subtree(&self, prefix: &str) -> Positions {
        let mut out = Positions::default();
        let Some(top) = self.find(prefix) else {
            return out;
        };
        out.insert_child(
            None,
            "",
            NodePos {
                key: None,
                ..self.entries[top].pos
            },
        );
        for (j, e) in self.entries.iter().enumerate().skip(top + 1) {
            if e.parent == NO_PARENT || (e.parent as usize) < top {
                break;
            }
            let parent = e.parent as usize - top;
            let segment = self.segment(j);
            // A top-level key is written without its dot.
            let segment = match parent {
                0 => segment.strip_prefix('.').unwrap_or(segment),
                _ => segment,
            };
            out.insert_child(Some(parent), segment, e.pos);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::{parse_str, Span};
    use serde_json::json;

    #[test]
    fn list_items_become_documents_with_their_own_positions() {
        let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: sei.io/v1alpha1\n  kind: SeiNode\n  metadata:\n    name: a\n- kind: SeiNodeList\n  items:\n  - kind: SeiNode\n    metadata: {name: b, labels: {sei.io/role: rpc}}\n---\nkind: List\nitems: []\n";
        let load = parse_str("l.yaml", text);
        assert!(load.errors.is_empty(), "{:?}", load.errors);
        let docs = &load.documents;
        assert_eq!(docs.len(), 3);
        assert_eq!(docs[0].value["metadata"]["name"], json!("a"));
        assert_eq!(docs[0].start, Span { line: 4, column: 3 });
        assert_eq!(
            docs[0].position_of("metadata.name"),
            Some(Span { line: 7, column: 5 })
        );
        assert_eq!(docs[1].value["metadata"]["name"], json!("b"));
        assert_eq!(
            docs[1].position_of("metadata.labels[sei.io/role]"),
            Some(Span {
                line: 11,
                column: 34
            })
        );
        assert_eq!((docs[0].index_in_file, docs[1].index_in_file), (0, 0));
        // An empty list stays one document.
        assert_eq!(docs[2].value["kind"], json!("List"));
        assert_eq!(docs[2].index_in_file, 1);
    }
}
