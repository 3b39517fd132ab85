//! Which SeiNodes and SeiNodeDeployments a command works on, the same with `-f` files as
//! on a cluster: the ONE target parser (`KIND/NAME`, `KIND/NAMESPACE/NAME`, with the one
//! alias table), the `-l` label selector (kubectl's equality- and set-based syntax) and
//! the namespace scope.

use std::collections::{BTreeMap, BTreeSet};

use kube::core::{Expression, Selector, SelectorExt};
use serde_json::Value;

use super::request;
use super::snapshot::Scope;
use crate::engine::plan::{TargetRef, TARGET_KINDS};
use crate::world::compact::{Field, InputObject};

/// The kind names a target may be written with (lower case), and the kind they mean.
const KIND_ALIASES: &[(&str, &str)] = &[
    ("seinode", "SeiNode"),
    ("seinodes", "SeiNode"),
    ("sn", "SeiNode"),
    ("seinodedeployment", "SeiNodeDeployment"),
    ("seinodedeployments", "SeiNodeDeployment"),
    ("snd", "SeiNodeDeployment"),
];

/// A parsed target argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub kind: &'static str,
    pub namespace: Option<String>,
    pub name: String,
}

/// `KIND/NAME` or `KIND/NAMESPACE/NAME` of a target, with its name and namespace checked
/// as the API server would check them, before anything is read.
pub fn parse_target(text: &str) -> Result<Target, String> {
    let parts: Vec<&str> = text.split('/').collect();
    let (kind, namespace, name) = match parts.as_slice() {
        [k, n] => (*k, None, *n),
        [k, ns, n] => (*k, Some(ns.to_string()), *n),
        _ => {
            return Err(format!(
                "{text:?}: expected KIND/NAME or KIND/NAMESPACE/NAME"
            ))
        }
    };
    let lower = kind.to_ascii_lowercase();
    let Some((_, kind)) = KIND_ALIASES.iter().find(|(alias, _)| *alias == lower) else {
        return Err(format!(
            "{text:?}: unknown kind {lower:?} (seinode/NAME or snd/NAME)"
        ));
    };
    if name.is_empty() {
        return Err(format!("{text:?}: empty name"));
    }
    if let Some(ns) = &namespace {
        request::check_namespace(text, ns).map_err(|e| e.to_string())?;
    }
    request::check_name(text, name).map_err(|e| e.to_string())?;
    Ok(Target {
        kind,
        namespace,
        name: name.to_string(),
    })
}

/// Chooses the targets among `objects`: the named ones, or every SeiNodeDeployment and
/// SeiNode in scope; then filtered by the selector. An object without a namespace (a file
/// that names none) is in every namespace scope, as `kubectl apply -n NS` would put it there.
pub fn select_targets(
    objects: &[impl InputObject],
    names: &[String],
    scope: &Scope,
    selector: &LabelSelector,
) -> Result<Vec<TargetRef>, String> {
    let in_namespace = |t: &TargetRef, ns: &str| t.namespace == ns || t.namespace.is_empty();
    let in_scope = |t: &TargetRef| match scope {
        Scope::Namespace(ns) => in_namespace(t, ns),
        Scope::AllNamespaces => true,
    };
    // The first object of each target's identity, looked up once per target. Only the
    // kinds a target can have are indexed, by borrowed names: a file of 100k ConfigMaps
    // adds nothing.
    let mut by_identity: BTreeMap<(&str, &str, &str), _> = BTreeMap::new();
    for o in objects {
        let kind = o.text(Field::Kind);
        if TARGET_KINDS.contains(&kind) {
            let key = (kind, o.text(Field::Namespace), o.text(Field::Name));
            by_identity.entry(key).or_insert(o);
        }
    }
    let matching = |t: &TargetRef| {
        by_identity
            .get(&(t.kind.as_str(), t.namespace.as_str(), t.name.as_str()))
            .is_some_and(|o| selector.matches(&o.value()))
    };
    let all: Vec<TargetRef> = crate::engine::plan::targets_of(objects);
    if names.is_empty() {
        return Ok(all
            .into_iter()
            .filter(|t| in_scope(t) && matching(t))
            .collect());
    }
    let mut chosen = Vec::new();
    for text in names {
        let target = parse_target(text)?;
        let found: Vec<&TargetRef> = all
            .iter()
            .filter(|t| {
                t.kind == target.kind
                    && t.name == target.name
                    && match &target.namespace {
                        Some(ns) => in_namespace(t, ns),
                        None => in_scope(t),
                    }
            })
            .collect();
        if found.is_empty() {
            let place = match (&target.namespace, scope) {
                (Some(ns), _) | (None, Scope::Namespace(ns)) => format!("namespace {ns:?}"),
                (None, Scope::AllNamespaces) => "any namespace".into(),
            };
            return Err(format!(
                "{text}: no {} named {:?} in {place}",
                target.kind, target.name
            ));
        }
        chosen.extend(found.into_iter().filter(|t| matching(t)).cloned());
    }
    Ok(chosen)
}

/// A parsed `-l` selector, kubectl's syntax: `k=v`, `k==v`, `k!=v`, `k in (a,b)`,
/// `k notin (a,b)`, `k`, `!k`, comma-separated (all must hold).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector(Selector);

impl LabelSelector {
    pub fn parse(text: &str) -> Result<Self, String> {
        let invalid = |why: String| format!("invalid label selector {text:?}: {why}");
        let mut expressions = Vec::new();
        for part in split_requirements(text).map_err(invalid)? {
            expressions.push(requirement(part).map_err(invalid)?);
        }
        Ok(LabelSelector(expressions.into_iter().collect()))
    }

    pub fn matches(&self, object: &Value) -> bool {
        let labels: BTreeMap<String, String> = object
            .pointer("/metadata/labels")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        self.0.matches(&labels)
    }
}

/// The requirements of a selector: split at the commas outside a `( … )` value set.
fn split_requirements(text: &str) -> Result<Vec<&str>, String> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for (i, c) in text.char_indices() {
        match c {
            '(' if depth == 0 => depth = 1,
            '(' => return Err("nested parentheses".into()),
            ')' if depth == 1 => depth = 0,
            ')' => return Err("unbalanced ')'".into()),
            ',' if depth == 0 => {
                parts.push(text[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    if depth != 0 {
        return Err("missing ')'".into());
    }
    parts.push(text[start..].trim());
    if parts.len() == 1 && parts[0].is_empty() {
        return Ok(Vec::new());
    }
    if parts.iter().any(|p| p.is_empty()) {
        return Err("empty requirement".into());
    }
    Ok(parts)
}

fn requirement(part: &str) -> Result<Expression, String> {
    if let Some((key, values)) = set_requirement(part, "notin") {
        return Ok(Expression::NotIn(label_key(key)?, value_set(values)?));
    }
    if let Some((key, values)) = set_requirement(part, "in") {
        return Ok(Expression::In(label_key(key)?, value_set(values)?));
    }
    if let Some((k, v)) = part.split_once("!=") {
        return Ok(Expression::NotEqual(label_key(k)?, label_value(v)?));
    }
    if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
        return Ok(Expression::Equal(label_key(k)?, label_value(v)?));
    }
    if let Some(k) = part.strip_prefix('!') {
        return Ok(Expression::DoesNotExist(label_key(k)?));
    }
    Ok(Expression::Exists(label_key(part)?))
}

/// `KEY OP (VALUES)` → (KEY, VALUES), when `part` has that form.
fn set_requirement<'a>(part: &'a str, op: &str) -> Option<(&'a str, &'a str)> {
    let open = part.find('(')?;
    let head = part[..open].trim_end();
    let key = head.strip_suffix(op)?;
    if !key.ends_with(char::is_whitespace) {
        return None;
    }
    let values = part[open + 1..].strip_suffix(')')?;
    Some((key, values))
}

fn value_set(values: &str) -> Result<BTreeSet<String>, String> {
    values.split(',').map(label_value).collect()
}

/// A label key: an optional DNS-subdomain prefix and `/`, then a name of at most 63
/// characters.
fn label_key(key: &str) -> Result<String, String> {
    let key = key.trim();
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    let prefix_ok = prefix.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 253
            && p.split('.').all(|l| {
                !l.is_empty()
                    && l.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && !l.starts_with('-')
                    && !l.ends_with('-')
            })
    });
    if name.is_empty() || !prefix_ok || !is_label_name(name) {
        return Err(format!("{key:?} is not a valid label key"));
    }
    Ok(key.to_string())
}

fn label_value(value: &str) -> Result<String, String> {
    let value = value.trim();
    if !value.is_empty() && !is_label_name(value) {
        return Err(format!("{value:?} is not a valid label value"));
    }
    Ok(value.to_string())
}

/// At most 63 characters, alphanumeric at both ends, `-`, `_` and `.` between.
fn is_label_name(text: &str) -> bool {
    let alnum = |c: char| c.is_ascii_alphanumeric();
    text.len() <= 63
        && text.starts_with(alnum)
        && text.ends_with(alnum)
        && text
            .chars()
            .all(|c| alnum(c) || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn selectors_match_like_kubectl() {
        let o = json!({"metadata": {"labels": {"app": "sei", "tier": "rpc"}}});
        let yes = |s: &str| LabelSelector::parse(s).unwrap().matches(&o);
        assert!(yes("app=sei"));
        assert!(yes("app==sei,tier"));
        assert!(!yes("tier!=rpc"));
        assert!(yes("!missing"));
        assert!(yes("tier in (rpc,validator)"));
        assert!(!yes("tier notin (rpc)"));
        assert!(yes("missing notin (rpc),app=sei"));
        assert!(!yes("missing in (rpc)"));
        assert!(yes(""));
        for bad in ["a b", "tier in (rpc", "x,,y", "env in (a b)", "=v", "k=v v"] {
            assert!(LabelSelector::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn one_alias_table_for_every_command() {
        assert_eq!(parse_target("SN/a").unwrap().kind, "SeiNode");
        assert_eq!(
            parse_target("snd/ns/b").unwrap(),
            Target {
                kind: "SeiNodeDeployment",
                namespace: Some("ns".into()),
                name: "b".into()
            }
        );
        assert!(parse_target("pod/a").is_err());
        assert!(parse_target("a").is_err());
    }
}
