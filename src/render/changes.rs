//! Turning recorded writes into resource changes a person can judge: the action
//! (create / update / delete / no-op / forbidden / failed), the object before and
//! after without server-owned noise and without user-ignored paths, and the
//! API server's refusal for updates of immutable fields.

use serde_json::{Map, Value};

use crate::world::{WriteOutcome, WriteRecord};

/// What a write does to an owned resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Delete,
    NoOp,
    /// The API server would reject the update (immutable field).
    Forbidden,
    /// The write fails (e.g. a conflict or a kind that is not served).
    Failed,
}

impl Action {
    pub fn label(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::NoOp => "no-op",
            Action::Forbidden => "forbidden",
            Action::Failed => "failed",
        }
    }
}

/// One write, judged.
#[derive(Debug, Clone)]
pub struct Change<'a> {
    pub write: &'a WriteRecord,
    pub action: Action,
    pub before: Option<Value>,
    pub after: Option<Value>,
    /// The API server's message for a forbidden update.
    pub reason: Option<String>,
}

/// A path to leave out of diffs and counts, e.g. `metadata.annotations["a/b"]` or
/// `spec.template.spec.containers[*].image`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnorePath {
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
    AnyIndex,
}

impl IgnorePath {
    /// Parses `a.b[0].c`, `a["x.y"]`, `a[*]`, with an optional leading `$` or `.`.
    pub fn parse(text: &str) -> Result<IgnorePath, String> {
        let bad = || {
            format!("invalid --ignore-path {text:?}: expected a path like metadata.annotations[\"key\"] or spec.items[*].field")
        };
        let mut rest = text.trim().trim_start_matches('$');
        let mut segments = Vec::new();
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix('.') {
                rest = r;
                continue;
            }
            if let Some(r) = rest.strip_prefix('[') {
                let end = match r.strip_prefix('"') {
                    Some(quoted) => quoted.find('"').map(|i| i + 2).ok_or_else(bad)?,
                    None => r.find(']').ok_or_else(bad)?,
                };
                let inner = &r[..end];
                rest = r[end..].strip_prefix(']').ok_or_else(bad)?;
                segments.push(if inner == "*" {
                    Segment::AnyIndex
                } else if let Some(key) = inner.strip_prefix('"').and_then(|k| k.strip_suffix('"'))
                {
                    Segment::Key(key.to_string())
                } else {
                    Segment::Index(inner.parse().map_err(|_| bad())?)
                });
                continue;
            }
            let end = rest.find(['.', '[']).unwrap_or(rest.len());
            segments.push(Segment::Key(rest[..end].to_string()));
            rest = &rest[end..];
        }
        if segments.is_empty() {
            return Err(bad());
        }
        Ok(IgnorePath { segments })
    }

    /// Removes every value the path matches.
    pub fn remove_from(&self, value: &mut Value) {
        remove(value, &self.segments);
    }

    /// Whether the path matches a value of the object before or after a write.
    pub fn matches_write(&self, write: &WriteRecord) -> bool {
        match &write.outcome {
            WriteOutcome::Failed => false,
            WriteOutcome::Created { after } => self.matches(after),
            WriteOutcome::Unchanged { object } => self.matches(object),
            WriteOutcome::Removed { before } => self.matches(before),
            WriteOutcome::Updated { before, after }
            | WriteOutcome::MarkedDeleted { before, after } => {
                self.matches(before) || self.matches(after)
            }
        }
    }

    /// Whether the path matches a value in `value`.
    pub fn matches(&self, value: &Value) -> bool {
        matches(value, &self.segments)
    }
}

fn matches(value: &Value, segments: &[Segment]) -> bool {
    let Some((first, rest)) = segments.split_first() else {
        return true;
    };
    match (first, value) {
        (Segment::Key(k), Value::Object(m)) => m.get(k).is_some_and(|v| matches(v, rest)),
        (Segment::Index(i), Value::Array(a)) => a.get(*i).is_some_and(|v| matches(v, rest)),
        (Segment::AnyIndex, Value::Array(a)) => a.iter().any(|v| matches(v, rest)),
        _ => false,
    }
}

/// A path segment as `--ignore-path` reads it back: `.key` for plain keys, `["a.b/c"]` for keys
/// with dots, brackets or other punctuation.
fn key_segment(path: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '$'));
    if plain && path.is_empty() {
        key.to_string()
    } else if plain {
        format!("{path}.{key}")
    } else {
        format!("{path}[{}]", Value::String(key.to_string()))
    }
}

fn remove(value: &mut Value, segments: &[Segment]) {
    let Some((first, rest)) = segments.split_first() else {
        return;
    };
    if rest.is_empty() {
        match (first, value) {
            (Segment::Key(k), Value::Object(m)) => {
                m.remove(k);
            }
            (Segment::Index(i), Value::Array(a)) if *i < a.len() => {
                a.remove(*i);
            }
            (Segment::AnyIndex, Value::Array(a)) => a.clear(),
            _ => {}
        }
        return;
    }
    match (first, value) {
        (Segment::Key(k), Value::Object(m)) => {
            if let Some(v) = m.get_mut(k) {
                remove(v, rest);
            }
        }
        (Segment::Index(i), Value::Array(a)) => {
            if let Some(v) = a.get_mut(*i) {
                remove(v, rest);
            }
        }
        (Segment::AnyIndex, Value::Array(a)) => a.iter_mut().for_each(|v| remove(v, rest)),
        _ => {}
    }
}

/// The server-owned metadata fields that only add noise to a diff.
const NOISE: &[&str] = &[
    "managedFields",
    "resourceVersion",
    "uid",
    "creationTimestamp",
    "generation",
];

/// Removes fields that only add noise to a diff (server-owned metadata).
pub fn without_noise(object: &Value) -> Value {
    let mut o = object.clone();
    if let Some(meta) = o.get_mut("metadata").and_then(Value::as_object_mut) {
        for field in NOISE {
            meta.remove(*field);
        }
    }
    o
}

fn cleaned(object: &Value, ignore: &[IgnorePath]) -> Value {
    let mut o = without_noise(object);
    for path in ignore {
        path.remove_from(&mut o);
    }
    o
}

/// StatefulSet spec fields an update may change.
const STATEFULSET_MUTABLE: &[&str] = &[
    "replicas",
    "ordinals",
    "template",
    "updateStrategy",
    "persistentVolumeClaimRetentionPolicy",
    "minReadySeconds",
];

/// The API server's refusal of an update, if it would refuse it.
pub fn forbidden_update(kind: &str, name: &str, before: &Value, after: &Value) -> Option<String> {
    match kind {
        "StatefulSet" => {
            let strip = |v: &Value| {
                let mut spec = v.get("spec").cloned().unwrap_or(Value::Null);
                if let Some(m) = spec.as_object_mut() {
                    for f in STATEFULSET_MUTABLE {
                        m.remove(*f);
                    }
                }
                spec
            };
            (strip(before) != strip(after)).then(|| {
                format!(
                    "StatefulSet.apps \"{name}\" is invalid: spec: Forbidden: updates to statefulset spec for fields other \
                     than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' \
                     and 'minReadySeconds' are forbidden"
                )
            })
        }
        "PersistentVolumeClaim" => {
            let storage = |v: &Value| {
                v.pointer("/spec/resources/requests/storage")
                    .and_then(Value::as_str)
                    .and_then(quantity_bytes)
            };
            match (storage(before), storage(after)) {
                (Some(old), Some(new)) if new < old => Some(format!(
                    "PersistentVolumeClaim \"{name}\" is invalid: spec.resources.requests.storage: Forbidden: field can not \
                     be less than previous value"
                )),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A storage quantity in bytes (binary and decimal suffixes).
pub fn quantity_bytes(text: &str) -> Option<f64> {
    let text = text.trim();
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let number: f64 = text[..split].parse().ok()?;
    let factor = match &text[split..] {
        "" => 1.0,
        "Ki" => 1024f64,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "m" => 1e-3,
        _ => return None,
    };
    Some(number * factor)
}

/// A Delete answered "not found" or "no matches for kind": the object is already absent, and
/// the operator treats the answer as success (`apierrors.IsNotFound` / `meta.IsNoMatchError`),
/// so it is no failure of the plan. A delete the operator does not tolerate this way ends its
/// reconcile with the error, which the plan reports as a reconcile error.
fn already_absent(write: &WriteRecord) -> bool {
    write.verb == "Delete"
        && write
            .error
            .as_deref()
            .is_some_and(|e| e.ends_with(" not found") || e.starts_with("no matches for kind "))
}

/// Judges one write.
pub fn judge<'a>(write: &'a WriteRecord, ignore: &[IgnorePath]) -> Change<'a> {
    let (before, after) = match &write.outcome {
        WriteOutcome::Failed | WriteOutcome::Unchanged { .. } => (None, None),
        WriteOutcome::Created { after } => (None, Some(cleaned(after, ignore))),
        WriteOutcome::Updated { before, after } | WriteOutcome::MarkedDeleted { before, after } => {
            (Some(cleaned(before, ignore)), Some(cleaned(after, ignore)))
        }
        WriteOutcome::Removed { before } => (Some(cleaned(before, ignore)), None),
    };
    let (action, reason) = match (&write.outcome, &before, &after) {
        (WriteOutcome::Updated { .. }, Some(b), Some(a)) => update_verdict(write, b, a),
        _ => verdict(write, ignore),
    };
    Change {
        write,
        action,
        before,
        after,
        reason,
    }
}

/// [`judge`] for a list of changed paths (`--compact`): the cleaned objects are built only
/// where the write has both sides, as a created or removed object lists no paths.
pub fn judge_paths<'a>(write: &'a WriteRecord, ignore: &[IgnorePath]) -> Change<'a> {
    match &write.outcome {
        WriteOutcome::Updated { .. } | WriteOutcome::MarkedDeleted { .. } => judge(write, ignore),
        _ => {
            let (action, reason) = verdict(write, ignore);
            Change {
                write,
                action,
                before: None,
                after: None,
                reason,
            }
        }
    }
}

/// The action of one write and the reason shown with it (a forbidden update's refusal, an
/// already-absent delete), as [`judge`] decides them but without building the cleaned
/// objects where the answer does not need them: what counts, problems and the JSON plan use.
pub fn verdict(write: &WriteRecord, ignore: &[IgnorePath]) -> (Action, Option<String>) {
    match &write.outcome {
        WriteOutcome::Failed if already_absent(write) => (
            Action::NoOp,
            Some("already absent: the operator ignores this answer to a delete".to_string()),
        ),
        WriteOutcome::Failed => (Action::Failed, None),
        WriteOutcome::Created { .. } => (Action::Create, None),
        WriteOutcome::MarkedDeleted { .. } | WriteOutcome::Removed { .. } => (Action::Delete, None),
        WriteOutcome::Unchanged { .. } => (Action::NoOp, None),
        WriteOutcome::Updated { before, after } if ignore.is_empty() => {
            if same_without_noise(before, after) {
                (Action::NoOp, None)
            } else if may_forbid(&write.kind) {
                update_verdict(write, &without_noise(before), &without_noise(after))
            } else {
                (Action::Update, None)
            }
        }
        WriteOutcome::Updated { before, after } => {
            update_verdict(write, &cleaned(before, ignore), &cleaned(after, ignore))
        }
    }
}

/// An update of cleaned objects: a no-op, an update, or one the API server refuses.
fn update_verdict(write: &WriteRecord, before: &Value, after: &Value) -> (Action, Option<String>) {
    if before == after {
        return (Action::NoOp, None);
    }
    match forbidden_update(&write.kind, &write.name, before, after) {
        Some(reason) => (Action::Forbidden, Some(reason)),
        None => (Action::Update, None),
    }
}

/// Whether [`forbidden_update`] can refuse an update of this kind.
fn may_forbid(kind: &str) -> bool {
    matches!(kind, "StatefulSet" | "PersistentVolumeClaim")
}

/// `without_noise(before) == without_noise(after)`, compared in place.
fn same_without_noise(before: &Value, after: &Value) -> bool {
    let (Value::Object(b), Value::Object(a)) = (before, after) else {
        return before == after;
    };
    let metadata_same = match (b.get("metadata"), a.get("metadata")) {
        (Some(Value::Object(bm)), Some(Value::Object(am))) => same_except(bm, am, NOISE),
        (bm, am) => bm == am,
    };
    metadata_same && same_except(b, a, &["metadata"])
}

/// Whether two maps are equal once the `skip` keys are left out (in any key order, as
/// `Map`'s own equality).
fn same_except(b: &Map<String, Value>, a: &Map<String, Value>, skip: &[&str]) -> bool {
    let kept = |m: &Map<String, Value>| m.keys().filter(|k| !skip.contains(&k.as_str())).count();
    kept(b) == kept(a)
        && b.iter()
            .filter(|(k, _)| !skip.contains(&k.as_str()))
            .all(|(k, v)| a.get(k) == Some(v))
}

/// Leaf-level differences between two JSON values: (path, before, after).
pub fn changed_paths(before: &Value, after: &Value) -> Vec<(String, Option<Value>, Option<Value>)> {
    let mut out = Vec::new();
    walk("", Some(before), Some(after), &mut out);
    out
}

fn walk(
    path: &str,
    b: Option<&Value>,
    a: Option<&Value>,
    out: &mut Vec<(String, Option<Value>, Option<Value>)>,
) {
    match (b, a) {
        (Some(Value::Object(bm)), Some(Value::Object(am))) => {
            let mut keys: Vec<&String> = bm.keys().chain(am.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                walk(&key_segment(path, k), bm.get(k), am.get(k), out);
            }
        }
        // Lists of the same length are compared item by item; otherwise as a whole.
        (Some(Value::Array(ba)), Some(Value::Array(aa))) if ba.len() == aa.len() && ba != aa => {
            for (i, (bv, av)) in ba.iter().zip(aa).enumerate() {
                walk(&format!("{path}[{i}]"), Some(bv), Some(av), out);
            }
        }
        (Some(bv), Some(av)) if bv == av => {}
        (b, a) => out.push((path.to_string(), b.cloned(), a.cloned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ignore_paths_parse_and_remove() {
        let mut v = json!({"metadata": {"annotations": {"a/b": "1", "c": "2"}}, "spec": {"l": [{"x": 1, "y": 2}, {"x": 3}]}});
        IgnorePath::parse("metadata.annotations[\"a/b\"]")
            .unwrap()
            .remove_from(&mut v);
        IgnorePath::parse("$.spec.l[*].x")
            .unwrap()
            .remove_from(&mut v);
        assert_eq!(
            v,
            json!({"metadata": {"annotations": {"c": "2"}}, "spec": {"l": [{"y": 2}, {}]}})
        );
        assert!(IgnorePath::parse("a[").is_err());
        assert!(IgnorePath::parse("").is_err());
    }

    #[test]
    fn statefulset_selector_changes_are_forbidden() {
        let before = json!({"spec": {"selector": {"matchLabels": {"a": "1"}}, "replicas": 1}});
        let replicas = json!({"spec": {"selector": {"matchLabels": {"a": "1"}}, "replicas": 2}});
        let selector = json!({"spec": {"selector": {"matchLabels": {"a": "2"}}, "replicas": 1}});
        assert!(forbidden_update("StatefulSet", "s", &before, &replicas).is_none());
        let msg = forbidden_update("StatefulSet", "s", &before, &selector).unwrap();
        assert!(msg.starts_with("StatefulSet.apps \"s\" is invalid: spec: Forbidden"));
    }

    #[test]
    fn pvc_shrink_is_forbidden_but_growth_is_not() {
        let pvc = |s: &str| json!({"spec": {"resources": {"requests": {"storage": s}}}});
        assert!(
            forbidden_update("PersistentVolumeClaim", "p", &pvc("2000Gi"), &pvc("3Ti")).is_none()
        );
        assert!(
            forbidden_update("PersistentVolumeClaim", "p", &pvc("2000Gi"), &pvc("1000Gi"))
                .is_some()
        );
    }

    #[test]
    fn changed_paths_lists_leaves() {
        let d = changed_paths(
            &json!({"a": {"b": 1, "c": 2}}),
            &json!({"a": {"b": 1, "c": 3, "d": 4}}),
        );
        let paths: Vec<&str> = d.iter().map(|(p, _, _)| p.as_str()).collect();
        assert_eq!(paths, ["a.c", "a.d"]);
    }

    #[test]
    fn changed_paths_read_back_as_ignore_paths() {
        let before =
            json!({"metadata": {"labels": {"sei.io/revision": "1"}}, "l": [{"x": 1}, {"x": 2}]});
        let after =
            json!({"metadata": {"labels": {"sei.io/revision": "2"}}, "l": [{"x": 1}, {"x": 3}]});
        let d = changed_paths(&before, &after);
        let paths: Vec<&str> = d.iter().map(|(p, _, _)| p.as_str()).collect();
        assert_eq!(paths, ["l[1].x", "metadata.labels[\"sei.io/revision\"]"]);
        for p in paths {
            let ignore = IgnorePath::parse(p).unwrap();
            assert!(ignore.matches(&after), "{p}");
            let (mut b, mut a) = (before.clone(), after.clone());
            ignore.remove_from(&mut b);
            ignore.remove_from(&mut a);
            assert!(changed_paths(&b, &a).iter().all(|(q, _, _)| q != p), "{p}");
        }
        assert!(!IgnorePath::parse("metadata.nope").unwrap().matches(&after));
    }
}

#[cfg(test)]
mod verdict_tests {
    use super::*;
    use crate::engine::plan::{plan, targets_of, PlanOptions};
    use crate::env::Clock;
    use crate::sidecar::model::SidecarScript;

    /// `verdict` is `judge` without the cleaned objects: the same action and reason for
    /// every write of settled example plans (creates, status and spec updates, no-ops,
    /// StatefulSet updates), with and without ignored paths.
    #[test]
    fn verdict_agrees_with_judge_on_example_plans() {
        let ignores = [
            Vec::new(),
            vec![IgnorePath::parse("spec.template.spec.containers[*].image").unwrap()],
            vec![IgnorePath::parse("status").unwrap()],
        ];
        let mut writes = 0;
        for file in [
            "examples/genesis-devnet/devnet.yaml",
            "examples/image-rollout/cluster.yaml",
            "examples/seinodedeployment/pacific-1-rpc-group.yaml",
            "examples/stuck-node/snapshot-restore-waiting.yaml",
        ] {
            let objects = crate::cli::input::read_objects(&[file.into()], false)
                .expect("example loads")
                .objects;
            let mut options = PlanOptions::new(Clock::parse("2026-01-01T00:00:00Z").unwrap());
            options.sidecar = SidecarScript::uniform("completed");
            options.until_settled = Some(20);
            options.cascade = true;
            let report = plan(&objects, &targets_of(&objects), &options).expect("plans");
            for w in report
                .targets
                .iter()
                .flat_map(|t| &t.steps)
                .flat_map(|s| &s.trace.writes)
            {
                for ignore in &ignores {
                    let change = judge(w, ignore);
                    assert_eq!(
                        verdict(w, ignore),
                        (change.action, change.reason),
                        "{file}: {} {} {}",
                        w.verb,
                        w.kind,
                        w.name
                    );
                }
                writes += 1;
            }
        }
        assert!(writes > 50, "only {writes} writes compared");
    }

    #[test]
    fn noise_only_differences_are_no_ops_in_any_key_order() {
        let before = serde_json::json!({"metadata": {"name": "a", "resourceVersion": "1"}, "spec": {"x": 1, "y": 2}});
        let after = serde_json::json!({"spec": {"y": 2, "x": 1}, "metadata": {"resourceVersion": "2", "name": "a", "generation": 3}});
        assert!(same_without_noise(&before, &after));
        let changed = serde_json::json!({"metadata": {"name": "a"}, "spec": {"x": 1, "y": 3}});
        assert!(!same_without_noise(&before, &changed));
        let relabelled =
            serde_json::json!({"metadata": {"name": "a", "labels": {}}, "spec": {"x": 1, "y": 2}});
        assert!(!same_without_noise(&before, &relabelled));
        let no_metadata = serde_json::json!({"spec": {"x": 1, "y": 2}});
        assert!(!same_without_noise(&before, &no_metadata));
    }
}
