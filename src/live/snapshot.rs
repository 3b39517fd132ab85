//! The snapshot read: discovery of the optional kinds, then ONE LIST per kind and
//! namespace, concurrently, never a GET per object. `-f` objects overlay the result.

use futures::future::join_all;
use serde_json::Value;

use super::client::{Cluster, RawRequest, RequestError};
use crate::engine::plan::TargetRef;
use crate::world::kinds::{gvk_name, split_api_version};

/// A kind the reconcilers read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotKind {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub plural: &'static str,
    /// Served only when its CRD is installed (decided by discovery).
    pub optional: bool,
}

const fn kind(api_version: &'static str, kind: &'static str, plural: &'static str) -> SnapshotKind {
    SnapshotKind {
        api_version,
        kind,
        plural,
        optional: false,
    }
}

/// Everything the reconcilers can read, in load order.
pub const SNAPSHOT_KINDS: &[SnapshotKind] = &[
    kind("sei.io/v1alpha1", "SeiNodeDeployment", "seinodedeployments"),
    kind("sei.io/v1alpha1", "SeiNode", "seinodes"),
    kind("apps/v1", "StatefulSet", "statefulsets"),
    kind("v1", "Service", "services"),
    kind("v1", "PersistentVolumeClaim", "persistentvolumeclaims"),
    kind("batch/v1", "Job", "jobs"),
    kind("v1", "Pod", "pods"),
    SnapshotKind {
        optional: true,
        ..kind("gateway.networking.k8s.io/v1", "HTTPRoute", "httproutes")
    },
    SnapshotKind {
        optional: true,
        ..kind(
            "monitoring.coreos.com/v1",
            "ServiceMonitor",
            "servicemonitors",
        )
    },
];

/// Which namespaces to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Namespace(String),
    AllNamespaces,
}

/// The REST path of a kind's collection (`namespace` `None`: all namespaces).
pub fn collection_path(api_version: &str, plural: &str, namespace: Option<&str>) -> String {
    let (group, version) = split_api_version(api_version);
    let root = if group.is_empty() {
        format!("/api/{version}")
    } else {
        format!("/apis/{group}/{version}")
    };
    match namespace {
        Some(ns) => format!("{root}/namespaces/{ns}/{plural}"),
        None => format!("{root}/{plural}"),
    }
}

/// The REST path of one object.
pub fn object_path(api_version: &str, plural: &str, namespace: &str, name: &str) -> String {
    let ns = (!namespace.is_empty()).then_some(namespace);
    format!("{}/{name}", collection_path(api_version, plural, ns))
}

/// The plural of a kind nodectl writes.
pub fn plural_of(api_version: &str, kind: &str) -> String {
    crate::world::kinds::kind_info(api_version, kind)
        .plural
        .into_owned()
}

/// What the snapshot read found.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// Every object read, in [`SNAPSHOT_KINDS`] order, then by namespace and name.
    pub objects: Vec<Value>,
    /// Optional kinds the cluster serves (`group/version/Kind`).
    pub served_optional: Vec<String>,
    /// Requests sent to the API server.
    pub requests: usize,
}

/// Asks discovery which optional kinds are served: one GET per optional group version.
pub async fn discover(cluster: &Cluster) -> Result<(Vec<String>, usize), String> {
    let optional: Vec<&SnapshotKind> = SNAPSHOT_KINDS.iter().filter(|k| k.optional).collect();
    let answers = join_all(optional.iter().map(|k| async move {
        let request = RawRequest::get(format!("/apis/{}", k.api_version));
        cluster.send(&request).await
    }))
    .await;
    let mut served = Vec::new();
    for (k, answer) in optional.iter().zip(answers) {
        match answer {
            Ok(list) => {
                let listed = list
                    .get("resources")
                    .and_then(Value::as_array)
                    .is_some_and(|rs| {
                        rs.iter()
                            .any(|r| r.get("name").and_then(Value::as_str) == Some(k.plural))
                    });
                if listed {
                    served.push(gvk_name(k.api_version, k.kind));
                }
            }
            Err(RequestError::Status { code: 404, .. }) => {}
            Err(e) => return Err(format!("discovery of {}: {e}", k.api_version)),
        }
    }
    Ok((served, optional.len()))
}

/// Reads the snapshot: discovery, then one LIST per served kind and namespace.
pub async fn read(cluster: &Cluster, scope: &Scope) -> Result<Snapshot, String> {
    let (served_optional, discovery_requests) = discover(cluster).await?;
    let kinds: Vec<&SnapshotKind> = SNAPSHOT_KINDS
        .iter()
        .filter(|k| !k.optional || served_optional.contains(&gvk_name(k.api_version, k.kind)))
        .collect();
    let namespace = match scope {
        Scope::Namespace(ns) => Some(ns.as_str()),
        Scope::AllNamespaces => None,
    };
    let bar = crate::progress::bar(kinds.len() as u64, "listing");
    let lists = join_all(kinds.iter().map(|k| {
        let bar = bar.clone();
        async move {
            let request = RawRequest::get(collection_path(k.api_version, k.plural, namespace));
            let answer = cluster.send(&request).await;
            bar.inc(1);
            answer
        }
    }))
    .await;
    bar.finish_and_clear();
    let mut objects = Vec::new();
    for (k, list) in kinds.iter().zip(lists) {
        let list = list.map_err(|e| format!("listing {}: {e}", k.plural))?;
        let mut items: Vec<Value> = list
            .get("items")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for item in &mut items {
            // LIST items carry no apiVersion/kind; the world needs them.
            if let Some(map) = item.as_object_mut() {
                map.insert("apiVersion".into(), Value::String(k.api_version.into()));
                map.insert("kind".into(), Value::String(k.kind.into()));
            }
        }
        items.sort_by_key(|o| identity(o).1);
        objects.extend(items);
    }
    Ok(Snapshot {
        objects,
        served_optional,
        requests: discovery_requests + kinds.len(),
    })
}

/// `(kind, (namespace, name))` of an object.
pub fn identity(object: &Value) -> (String, (String, String)) {
    let text = |p: &str| {
        object
            .pointer(p)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    (
        text("/kind"),
        (text("/metadata/namespace"), text("/metadata/name")),
    )
}

/// Puts the `-f` objects over the live ones. An object that exists keeps its
/// server-owned metadata and status, as if the manifest had been applied to it.
pub fn overlay(live: &mut Vec<Value>, files: Vec<Value>) {
    for mut object in files {
        let id = identity(&object);
        match live.iter_mut().find(|o| identity(o) == id) {
            Some(existing) => {
                for field in ["resourceVersion", "uid", "creationTimestamp", "generation"] {
                    if let Some(v) = existing.pointer(&format!("/metadata/{field}")).cloned() {
                        if let Some(meta) =
                            object.get_mut("metadata").and_then(Value::as_object_mut)
                        {
                            meta.insert(field.into(), v);
                        }
                    }
                }
                if let (Some(status), Some(map)) =
                    (existing.get("status").cloned(), object.as_object_mut())
                {
                    map.insert("status".into(), status);
                }
                let changed = spec_of(existing) != spec_of(&object);
                if changed {
                    bump_generation(&mut object);
                }
                *existing = object;
            }
            None => live.push(object),
        }
    }
}

fn spec_of(object: &Value) -> Value {
    let mut copy = object.clone();
    if let Some(map) = copy.as_object_mut() {
        for k in ["apiVersion", "kind", "metadata", "status"] {
            map.remove(k);
        }
    }
    copy
}

fn bump_generation(object: &mut Value) {
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        if let Some(g) = meta.get("generation").and_then(Value::as_i64) {
            meta.insert("generation".into(), Value::from(g + 1));
        }
    }
}

/// A parsed `-l` selector: `k=v`, `k==v`, `k!=v`, `k`, `!k`, comma-separated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector(Vec<(String, Requirement)>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Requirement {
    Equals(String),
    NotEquals(String),
    Exists,
    Absent,
}

impl LabelSelector {
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut requirements = Vec::new();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let requirement = if let Some((k, v)) = part.split_once("!=") {
                (
                    k.trim().to_string(),
                    Requirement::NotEquals(v.trim().into()),
                )
            } else if let Some((k, v)) = part.split_once("==").or_else(|| part.split_once('=')) {
                (k.trim().to_string(), Requirement::Equals(v.trim().into()))
            } else if let Some(k) = part.strip_prefix('!') {
                (k.trim().to_string(), Requirement::Absent)
            } else {
                (part.to_string(), Requirement::Exists)
            };
            if requirement.0.is_empty() || requirement.0.contains(char::is_whitespace) {
                return Err(format!("invalid label selector {text:?}"));
            }
            requirements.push(requirement);
        }
        Ok(LabelSelector(requirements))
    }

    pub fn matches(&self, object: &Value) -> bool {
        let labels = object.pointer("/metadata/labels");
        self.0.iter().all(|(key, req)| {
            let value = labels.and_then(|l| l.get(key)).and_then(Value::as_str);
            match req {
                Requirement::Equals(v) => value == Some(v.as_str()),
                Requirement::NotEquals(v) => value != Some(v.as_str()),
                Requirement::Exists => value.is_some(),
                Requirement::Absent => value.is_none(),
            }
        })
    }
}

/// Chooses the targets: the named ones (`seinode/NAME`, `snd/NAME`, `KIND/NS/NAME`),
/// or every SeiNodeDeployment and SeiNode in scope, then filtered by the selector.
pub fn select_targets(
    objects: &[Value],
    names: &[String],
    scope: &Scope,
    selector: &LabelSelector,
) -> Result<Vec<TargetRef>, String> {
    let in_scope = |t: &TargetRef| match scope {
        Scope::Namespace(ns) => &t.namespace == ns,
        Scope::AllNamespaces => true,
    };
    let matching = |t: &TargetRef| {
        objects
            .iter()
            .find(|o| identity(o) == (t.kind.clone(), (t.namespace.clone(), t.name.clone())))
            .is_some_and(|o| selector.matches(o))
    };
    let all: Vec<TargetRef> = crate::engine::plan::targets_of(objects);
    if names.is_empty() {
        return Ok(all
            .into_iter()
            .filter(|t| in_scope(t) && matching(t))
            .collect());
    }
    let mut chosen = Vec::new();
    for name in names {
        let (kind, namespace, object) = parse_target(name)?;
        let found: Vec<&TargetRef> = all
            .iter()
            .filter(|t| {
                t.kind == kind
                    && t.name == object
                    && match &namespace {
                        Some(ns) => &t.namespace == ns,
                        None => in_scope(t),
                    }
            })
            .collect();
        if found.is_empty() {
            let place = match (&namespace, scope) {
                (Some(ns), _) | (None, Scope::Namespace(ns)) => format!("namespace {ns:?}"),
                (None, Scope::AllNamespaces) => "any namespace".into(),
            };
            return Err(format!("{name}: no {kind} named {object:?} in {place}"));
        }
        chosen.extend(found.into_iter().filter(|t| matching(t)).cloned());
    }
    Ok(chosen)
}

fn parse_target(text: &str) -> Result<(&'static str, Option<String>, String), String> {
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
    let kind = match kind.to_ascii_lowercase().as_str() {
        "seinode" | "seinodes" | "sn" => "SeiNode",
        "seinodedeployment" | "seinodedeployments" | "snd" => "SeiNodeDeployment",
        other => {
            return Err(format!(
                "{text:?}: unknown kind {other:?} (seinode/NAME or snd/NAME)"
            ))
        }
    };
    if name.is_empty() {
        return Err(format!("{text:?}: empty name"));
    }
    Ok((kind, namespace, name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn paths_follow_the_rest_layout() {
        assert_eq!(
            collection_path("v1", "pods", Some("ns")),
            "/api/v1/namespaces/ns/pods"
        );
        assert_eq!(
            collection_path("sei.io/v1alpha1", "seinodes", None),
            "/apis/sei.io/v1alpha1/seinodes"
        );
        assert_eq!(
            object_path("apps/v1", "statefulsets", "ns", "a"),
            "/apis/apps/v1/namespaces/ns/statefulsets/a"
        );
    }

    #[test]
    fn selectors_match_like_kubectl() {
        let o = json!({"metadata": {"labels": {"app": "sei", "tier": "rpc"}}});
        assert!(LabelSelector::parse("app=sei").unwrap().matches(&o));
        assert!(LabelSelector::parse("app==sei,tier").unwrap().matches(&o));
        assert!(!LabelSelector::parse("tier!=rpc").unwrap().matches(&o));
        assert!(LabelSelector::parse("!missing").unwrap().matches(&o));
        assert!(LabelSelector::parse("a b").is_err());
    }

    #[test]
    fn overlay_keeps_server_fields_and_bumps_generation_on_spec_change() {
        let mut live = vec![
            json!({"kind": "SeiNode", "metadata": {"namespace": "n", "name": "a",
            "resourceVersion": "7", "uid": "u", "generation": 2}, "spec": {"x": 1}, "status": {"phase": "Running"}}),
        ];
        overlay(
            &mut live,
            vec![
                json!({"kind": "SeiNode", "metadata": {"namespace": "n", "name": "a"}, "spec": {"x": 2}}),
            ],
        );
        assert_eq!(live[0]["metadata"]["resourceVersion"], "7");
        assert_eq!(live[0]["metadata"]["generation"], 3);
        assert_eq!(live[0]["status"]["phase"], "Running");
        assert_eq!(live[0]["spec"]["x"], 2);
    }
}
