//! JSON path strings shared by the loader and the validators.
//!
//! Identifier-like keys are joined with a dot (`spec.fullNode`); any other key is written in
//! brackets like Kubernetes field paths do (`metadata.labels[sei.io/role]`); list items use
//! `[i]`. The root path is the empty string.

/// True when `key` can follow a dot without ambiguity.
fn is_plain_key(key: &str) -> bool {
    let mut chars = key.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$' => {}
        _ => return false,
    }
    chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$')
}

/// Appends a mapping key to `path`.
pub fn child_key(path: &mut String, key: &str) {
    if is_plain_key(key) {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
    } else {
        path.push('[');
        path.push_str(key);
        path.push(']');
    }
}

/// Appends a list index to `path`.
pub fn child_index(path: &mut String, index: usize) {
    use std::fmt::Write;
    let _ = write!(path, "[{index}]");
}

/// Joins a parent path and a key into a new string.
pub fn join_key(parent: &str, key: &str) -> String {
    let mut p = String::with_capacity(parent.len() + key.len() + 1);
    p.push_str(parent);
    child_key(&mut p, key);
    p
}

/// Joins a parent path and an index into a new string.
pub fn join_index(parent: &str, index: usize) -> String {
    let mut p = String::with_capacity(parent.len() + 4);
    p.push_str(parent);
    child_index(&mut p, index);
    p
}

/// The parent of a path (`""` for top-level keys and for the root).
pub fn parent(path: &str) -> &str {
    if path.ends_with(']') {
        // Find the matching '[' scanning back (keys in brackets contain no ']').
        if let Some(i) = path.rfind('[') {
            return &path[..i];
        }
    }
    match path.rfind('.') {
        Some(i) if !path[i..].contains(']') => &path[..i],
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_and_splits_paths() {
        let mut p = String::new();
        child_key(&mut p, "spec");
        child_key(&mut p, "peers");
        child_index(&mut p, 0);
        child_key(&mut p, "label");
        assert_eq!(p, "spec.peers[0].label");
        assert_eq!(parent(&p), "spec.peers[0]");
        assert_eq!(parent("spec.peers[0]"), "spec.peers");
        assert_eq!(parent("spec"), "");
        let q = join_key("metadata.labels", "sei.io/role");
        assert_eq!(q, "metadata.labels[sei.io/role]");
        assert_eq!(parent(&q), "metadata.labels");
        assert_eq!(join_key("", "a.b"), "[a.b]");
    }
}
