//! ObjectMeta checks the API server applies to every custom resource (the CRD schema only
//! says `metadata: {type: object}`).

use serde_json::Value;

use super::structural::suggest;
use super::{Finding, Severity};

const KNOWN: [&str; 15] = [
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
];

fn finding(path: &str, rule: &'static str, message: String, help: Option<String>) -> Finding {
    Finding {
        path: path.to_string(),
        rule,
        severity: Severity::Error,
        message,
        help,
        blocking: false,
    }
}

/// RFC 1123 label: lowercase alphanumerics and '-', alphanumeric at both ends, at most 63.
pub fn is_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// RFC 1123 subdomain: dot-separated labels, at most 253 characters.
pub fn is_dns1123_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns1123_label)
}

/// A label value: empty, or at most 63 of `[A-Za-z0-9_.-]` starting and ending alphanumeric.
pub fn is_label_value(s: &str) -> bool {
    let b = s.as_bytes();
    b.is_empty()
        || (b.len() <= 63
            && b.iter()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric())
}

/// A qualified name (`prefix/name`): optional DNS subdomain prefix, name like a label value.
pub fn is_qualified_name(s: &str) -> bool {
    let (prefix, name) = match s.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, s),
    };
    prefix.is_none_or(|p| !p.is_empty() && is_dns1123_subdomain(p))
        && !name.is_empty()
        && is_label_value(name)
}

const SUBDOMAIN_HELP: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com')";

fn check_string_map(meta: &Value, field: &str, out: &mut Vec<Finding>, labels: bool) {
    let Some(v) = meta.get(field) else { return };
    let path = format!("metadata.{field}");
    let Some(map) = v.as_object() else {
        if !v.is_null() {
            out.push(finding(
                &path,
                "schema.type",
                format!("Invalid value: {v}: {path} must be a map of strings"),
                None,
            ));
        }
        return;
    };
    for (k, val) in map {
        let p = crate::manifest::path::join_key(&path, k);
        let Some(s) = val.as_str() else {
            out.push(finding(
                &p,
                "schema.type",
                format!("Invalid value: {val}: {p} must be of type string"),
                Some("quote the value, e.g. \"true\"".into()),
            ));
            continue;
        };
        if labels {
            if !is_qualified_name(k) {
                out.push(finding(&p, "metadata.labels", format!("Invalid value: {k:?}: name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"), None));
            }
            if !is_label_value(s) {
                out.push(finding(&p, "metadata.labels", format!("Invalid value: {s:?}: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters)"), None));
            }
        }
    }
}

/// Checks `metadata` of a custom resource.
pub fn check(root: &Value, allow_unknown_fields: bool, out: &mut Vec<Finding>) {
    let Some(meta) = root.get("metadata") else {
        out.push(finding(
            "metadata.name",
            "metadata.name",
            "Required value: name or generateName is required".into(),
            None,
        ));
        return;
    };
    let Some(obj) = meta.as_object() else {
        out.push(finding(
            "metadata",
            "schema.type",
            format!("Invalid value: {meta}: metadata in body must be of type object"),
            None,
        ));
        return;
    };
    if !allow_unknown_fields {
        for k in obj.keys() {
            if !KNOWN.contains(&k.as_str()) {
                let known: Vec<String> = KNOWN.iter().map(|s| s.to_string()).collect();
                let help = suggest(k, known.iter()).map(|s| format!("did you mean `{s}`?"));
                let path = crate::manifest::path::join_key("metadata", k);
                out.push(finding(
                    &path,
                    "schema.unknown-field",
                    format!("unknown field \"{path}\""),
                    help,
                ));
            }
        }
    }
    match (obj.get("name"), obj.get("generateName")) {
        (Some(Value::String(n)), _) if !n.is_empty() => {
            if !is_dns1123_subdomain(n) {
                out.push(finding(
                    "metadata.name",
                    "metadata.name",
                    format!("Invalid value: {n:?}: {SUBDOMAIN_HELP}"),
                    None,
                ));
            }
        }
        (Some(v @ (Value::Number(_) | Value::Bool(_) | Value::Object(_) | Value::Array(_))), _) => {
            out.push(finding(
                "metadata.name",
                "schema.type",
                format!("Invalid value: {v}: metadata.name must be of type string"),
                None,
            ));
        }
        (_, Some(Value::String(g))) if !g.is_empty() => {}
        _ => out.push(finding(
            "metadata.name",
            "metadata.name",
            "Required value: name or generateName is required".into(),
            None,
        )),
    }
    if let Some(ns) = obj.get("namespace") {
        match ns.as_str() {
            Some(s) if s.is_empty() || is_dns1123_label(s) => {}
            _ => out.push(finding("metadata.namespace", "metadata.namespace", format!("Invalid value: {ns}: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"), None)),
        }
    }
    check_string_map(meta, "labels", out, true);
    check_string_map(meta, "annotations", out, false);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_rules() {
        assert!(is_dns1123_subdomain("pacific-1.rpc"));
        assert!(!is_dns1123_subdomain("Pacific"));
        assert!(is_qualified_name("sei.io/role"));
        assert!(!is_qualified_name("sei.io/"));
        assert!(is_label_value(""));
        assert!(!is_label_value("-x"));
    }
}
