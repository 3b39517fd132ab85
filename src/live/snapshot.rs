//! The snapshot read: discovery of the optional kinds, then ONE LIST per kind and
//! namespace, concurrently, never a GET per object. `-f` objects overlay the result.

use std::collections::HashMap;

use futures::future::join_all;
use serde_json::Value;

use super::attempt::RequestError;
use super::client::Cluster;
use super::request;
use crate::world::compact::{Field, InputObject};
use crate::world::kinds::gvk_name;

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
        match request::discovery(k.api_version) {
            Ok(request) => cluster.send(&request).await.map_err(Ok),
            Err(e) => Err(Err(e.to_string())),
        }
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
            Err(Ok(RequestError::Status { code: 404, .. })) => {}
            // The first request: a server that is not there is told as kubectl tells it.
            Err(Ok(e @ RequestError::Refused { .. })) => return Err(e.to_string()),
            Err(Ok(e)) => return Err(format!("discovery of {}: {e}", k.api_version)),
            Err(Err(e)) => return Err(e),
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
            let answer = match request::list(k.api_version, k.plural, namespace) {
                Ok(request) => cluster.send(&request).await.map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            bar.inc(1);
            answer
        }
    }))
    .await;
    bar.finish_and_clear();
    let mut objects = Vec::new();
    for (k, list) in kinds.iter().zip(lists) {
        let list = list.map_err(|e| format!("listing {}: {e}", k.plural))?;
        // Taken out of the answer, not copied: a fleet's LIST is most of the snapshot.
        let mut items: Vec<Value> = match list {
            Value::Object(mut answer) => match answer.swap_remove("items") {
                Some(Value::Array(items)) => items,
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        for item in &mut items {
            // LIST items carry no apiVersion/kind; the world needs them.
            if let Some(map) = item.as_object_mut() {
                map.insert("apiVersion".into(), Value::String(k.api_version.into()));
                map.insert("kind".into(), Value::String(k.kind.into()));
            }
        }
        // By namespace, then name (borrowed: no key is built per comparison).
        items.sort_by(|a, b| {
            (a.text(Field::Namespace), a.text(Field::Name))
                .cmp(&(b.text(Field::Namespace), b.text(Field::Name)))
        });
        objects.extend(items);
    }
    Ok(Snapshot {
        objects,
        served_optional,
        requests: discovery_requests + kinds.len(),
    })
}

/// `(kind, (namespace, name))` of an object.
pub fn identity(object: &impl InputObject) -> (String, (String, String)) {
    let text = |f: Field| object.text(f).to_string();
    (
        text(Field::Kind),
        (text(Field::Namespace), text(Field::Name)),
    )
}

/// Puts the `-f` objects over the live ones. An object that exists keeps its
/// server-owned metadata and status, as if the manifest had been applied to it.
/// Objects are found by identity through an index, so a large overlay costs the
/// objects once, not live × files.
pub fn overlay(live: &mut Vec<Value>, files: Vec<Value>) {
    let mut at: HashMap<_, usize> = live
        .iter()
        .enumerate()
        .map(|(i, o)| (identity(o), i))
        .collect();
    for mut object in files {
        let id = identity(&object);
        let Some(&i) = at.get(&id) else {
            at.insert(id, live.len());
            live.push(object);
            continue;
        };
        let existing = &mut live[i];
        if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
            for field in ["resourceVersion", "uid", "creationTimestamp", "generation"] {
                if let Some(v) = existing.pointer(&format!("/metadata/{field}")) {
                    meta.insert(field.into(), v.clone());
                }
            }
        }
        if let (Some(status), Some(map)) = (existing.get("status"), object.as_object_mut()) {
            map.insert("status".into(), status.clone());
        }
        if !same_spec(existing, &object) {
            bump_generation(&mut object);
        }
        *existing = object;
    }
}

/// Whether two objects agree on everything but apiVersion, kind, metadata and status.
fn same_spec(a: &Value, b: &Value) -> bool {
    const SERVER: [&str; 4] = ["apiVersion", "kind", "metadata", "status"];
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return a == b;
    };
    let rest = |m: &'_ serde_json::Map<String, Value>| {
        m.iter()
            .filter(|(k, _)| !SERVER.contains(&k.as_str()))
            .count()
    };
    rest(a) == rest(b)
        && a.iter()
            .filter(|(k, _)| !SERVER.contains(&k.as_str()))
            .all(|(k, v)| b.get(k) == Some(v))
}

fn bump_generation(object: &mut Value) {
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        if let Some(g) = meta.get("generation").and_then(Value::as_i64) {
            meta.insert("generation".into(), Value::from(g + 1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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

    #[test]
    fn overlay_keeps_the_generation_when_only_metadata_changes_and_adds_new_objects_once() {
        let node = |labels: Value, x: u32| {
            json!({"kind": "SeiNode", "metadata": {"namespace": "n", "name": "a", "labels": labels,
            "generation": 4}, "spec": {"x": x}})
        };
        let mut live = vec![node(json!({}), 1)];
        let new =
            json!({"kind": "SeiNode", "metadata": {"namespace": "n", "name": "b"}, "spec": {}});
        overlay(
            &mut live,
            vec![node(json!({"a": "b"}), 1), new.clone(), new],
        );
        assert_eq!(live.len(), 2, "{live:?}");
        assert_eq!(live[0]["metadata"]["generation"], 4);
        assert_eq!(live[0]["metadata"]["labels"]["a"], "b");
        assert_eq!(live[1]["metadata"]["name"], "b");
    }
}
