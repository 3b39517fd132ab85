//! What a saved plan may make nodectl send: no more than the operator itself may
//! write. A plan file can be edited, so before anything is sent every write is
//! checked against the operator's RBAC role (crds/controller-role.yaml, parsed, not
//! hand-listed: kinds, verbs, subresources), its field managers, the plan's target
//! namespaces, and ownership (the targets themselves, or objects they own), and every
//! sidecar submission against the pods of those objects. Then the cluster is read
//! again: each object the plan read or a write touches must be as the plan saw it,
//! including "did not exist then, exists now".

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::Value;

use super::client::Cluster;
use super::request::{self, SidecarPod, WriteMode};
use super::saved::{ReadObject, SavedPlan};
use super::step::Step;
use crate::world::kinds::{kind_info, split_api_version};
use crate::world::{WriteRecord, APPLY_PATCH};

/// The operator's ClusterRole, as deployed with it.
const ROLE_YAML: &str = include_str!("../../crds/controller-role.yaml");

/// The field managers the operator's server-side applies use.
pub const FIELD_MANAGERS: [&str; 2] = [
    crate::resources::FIELD_MANAGER,
    crate::controller::deployment::FIELD_MANAGER,
];

/// The kinds a plan reconciles (its targets).
const TARGET_KINDS: [&str; 2] = ["SeiNode", "SeiNodeDeployment"];

#[derive(Debug, Deserialize)]
struct ClusterRole {
    rules: Vec<Rule>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    #[serde(default)]
    api_groups: Vec<String>,
    #[serde(default)]
    resources: Vec<String>,
    #[serde(default)]
    verbs: Vec<String>,
}

/// The rules of an RBAC role.
#[derive(Debug)]
pub struct Role {
    rules: Vec<Rule>,
}

impl Role {
    /// The operator's own role.
    pub fn operator() -> Role {
        Self::parse(ROLE_YAML).unwrap_or(Role { rules: Vec::new() })
    }

    pub fn parse(yaml: &str) -> Result<Role, String> {
        serde_saphyr::from_str::<ClusterRole>(yaml)
            .map(|r| Role { rules: r.rules })
            .map_err(|e| e.to_string())
    }

    /// Whether `verb` on `resource` (`plural` or `plural/subresource`) of `group` is granted.
    pub fn allows(&self, group: &str, resource: &str, verb: &str) -> bool {
        let hit = |list: &[String], v: &str| list.iter().any(|x| x == v || x == "*");
        self.rules.iter().any(|r| {
            hit(&r.api_groups, group) && hit(&r.resources, resource) && hit(&r.verbs, verb)
        })
    }
}

/// Why a saved plan is refused. Nothing is sent when one is returned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the plan was made from files, not against a cluster: it cannot be applied (plan against the cluster with `nodectl plan --out`)")]
    FromFiles,
    #[error("the plan has steps but names no target")]
    NoTargets,
    #[error("target {0} is not a SeiNode or SeiNodeDeployment")]
    TargetKind(String),
    #[error("target {0} is not among the objects the plan read")]
    TargetNotRead(String),
    #[error("step {step}: {reason}")]
    Invalid { step: usize, reason: String },
    #[error("step {step}: {what} is outside the plan's target namespaces ({namespaces})")]
    Namespace {
        step: usize,
        what: String,
        namespaces: String,
    },
    #[error("step {step}: {what}: the operator's role does not grant {verb:?} on {resource:?} (group {group:?})")]
    Role {
        step: usize,
        what: String,
        verb: String,
        resource: String,
        group: String,
    },
    #[error("step {step}: {what}: field manager {manager:?} is not one of the operator's ({})", FIELD_MANAGERS.join(", "))]
    FieldManager {
        step: usize,
        what: String,
        manager: String,
    },
    #[error("step {step}: {what} is neither a target of the plan nor owned by one")]
    NotOwned { step: usize, what: String },
    #[error("step {step}: submission to {url} does not go to the sidecar of a target or of a SeiNode a target owns")]
    Submission { step: usize, url: String },
    #[error("the plan was made against {saved}, but this is {now}")]
    Cluster { saved: String, now: String },
}

fn describe(w: &WriteRecord) -> String {
    format!("{} {} {}/{}", w.verb, w.kind, w.namespace, w.name)
}

fn verb_of(w: &WriteRecord) -> &'static str {
    match w.verb {
        "Create" => "create",
        "Update" => "update",
        "Delete" => "delete",
        _ => "patch",
    }
}

/// The checks that need no cluster: shape, names, role, field managers, namespaces.
pub fn check_plan(plan: &SavedPlan, role: &Role) -> Result<(), Refusal> {
    if plan.cluster.is_none() {
        return Err(Refusal::FromFiles);
    }
    if plan.targets.is_empty() && !plan.steps.is_empty() {
        return Err(Refusal::NoTargets);
    }
    for t in &plan.targets {
        let what = format!("{} {}/{}", t.kind, t.namespace, t.name);
        if !TARGET_KINDS.contains(&t.kind.as_str()) {
            return Err(Refusal::TargetKind(what));
        }
        request::check_namespace(&what, &t.namespace)
            .and_then(|_| request::check_name(&what, &t.name))
            .map_err(|e| Refusal::Invalid {
                step: 0,
                reason: e.to_string(),
            })?;
        let read = plan.read.iter().any(|r| {
            r.kind == t.kind
                && r.namespace == t.namespace
                && r.name == t.name
                && r.api_version.starts_with("sei.io/")
        });
        if !read {
            return Err(Refusal::TargetNotRead(what));
        }
    }
    let namespaces: BTreeSet<&str> = plan.targets.iter().map(|t| t.namespace.as_str()).collect();
    let listed = namespaces.iter().copied().collect::<Vec<_>>().join(", ");
    for (i, step) in plan.steps.iter().enumerate() {
        let step_no = i + 1;
        match step {
            Step::Write(w) => check_write(step_no, w, role, &namespaces, &listed)?,
            Step::Submit(s) => {
                let pod = SidecarPod::of_url(&s.url).ok_or_else(|| Refusal::Submission {
                    step: step_no,
                    url: s.url.clone(),
                })?;
                if !namespaces.contains(pod.namespace.as_str()) {
                    return Err(Refusal::Namespace {
                        step: step_no,
                        what: format!("submission to {}", s.url),
                        namespaces: listed,
                    });
                }
            }
        }
    }
    Ok(())
}

fn check_write(
    step: usize,
    w: &WriteRecord,
    role: &Role,
    namespaces: &BTreeSet<&str>,
    listed: &str,
) -> Result<(), Refusal> {
    let what = describe(w);
    let invalid = |reason: String| Refusal::Invalid { step, reason };
    if w.kind.is_empty() || w.name.is_empty() || w.api_version.is_empty() {
        return Err(invalid(format!(
            "{what}: a write needs apiVersion, kind and name"
        )));
    }
    // The request must be one nodectl can build: names and namespaces as Kubernetes checks them.
    request::write(w, &Default::default(), WriteMode::Send).map_err(|e| invalid(e.to_string()))?;
    if !namespaces.contains(w.namespace.as_str()) {
        return Err(Refusal::Namespace {
            step,
            what,
            namespaces: listed.to_string(),
        });
    }
    let (group, _) = split_api_version(&w.api_version);
    let plural = kind_info(&w.api_version, &w.kind).plural;
    let resource = match w.subresource {
        Some(sub) => format!("{plural}/{sub}"),
        None => plural.into_owned(),
    };
    let verb = verb_of(w);
    if !role.allows(group, &resource, verb) {
        return Err(Refusal::Role {
            step,
            what,
            verb: verb.into(),
            resource,
            group: group.into(),
        });
    }
    if w.patch_type == Some(APPLY_PATCH) {
        let manager = w.field_manager.clone().unwrap_or_default();
        if !FIELD_MANAGERS.contains(&manager.as_str()) {
            return Err(Refusal::FieldManager {
                step,
                what,
                manager,
            });
        }
    } else if let Some(manager) = &w.field_manager {
        return Err(invalid(format!(
            "{what}: field manager {manager:?} on a write that is not a server-side apply"
        )));
    }
    // The body must describe the object the path names.
    for body in [w.object.as_deref(), w.patch.as_deref()]
        .into_iter()
        .flatten()
    {
        let text = |p: &str| body.pointer(p).and_then(Value::as_str);
        let mismatch = [
            ("apiVersion", text("/apiVersion"), w.api_version.as_str()),
            ("kind", text("/kind"), w.kind.as_str()),
            ("metadata.name", text("/metadata/name"), w.name.as_str()),
            (
                "metadata.namespace",
                text("/metadata/namespace"),
                w.namespace.as_str(),
            ),
        ]
        .into_iter()
        .find(|(_, got, want)| got.is_some_and(|g| g != *want));
        if let Some((field, got, _)) = mismatch {
            return Err(invalid(format!(
                "{what}: the body's {field} is {:?}",
                got.unwrap_or("")
            )));
        }
    }
    if w.verb == "Create"
        && w.object
            .as_deref()
            .and_then(|o| o.pointer("/metadata/name"))
            .is_none()
    {
        return Err(invalid(format!(
            "{what}: the created object names no metadata.name"
        )));
    }
    Ok(())
}

/// `(apiVersion, kind, namespace)` -> the objects listed now, by name.
pub type LiveObjects = BTreeMap<(String, String, String), BTreeMap<String, Value>>;

/// Lists (one LIST per kind and namespace) every object the plan read or a write touches.
pub async fn read_live(cluster: &Cluster, plan: &SavedPlan) -> Result<LiveObjects, String> {
    let mut groups: BTreeSet<(String, String, String)> = plan
        .read
        .iter()
        .map(|r| (r.api_version.clone(), r.kind.clone(), r.namespace.clone()))
        .collect();
    for s in &plan.steps {
        match s {
            Step::Write(w) => {
                groups.insert((w.api_version.clone(), w.kind.clone(), w.namespace.clone()));
            }
            Step::Submit(_) => {}
        }
    }
    for t in &plan.targets {
        groups.insert((
            "sei.io/v1alpha1".into(),
            "SeiNode".into(),
            t.namespace.clone(),
        ));
    }
    let mut live = LiveObjects::new();
    for (api_version, kind, namespace) in groups {
        let ns = (!namespace.is_empty()).then_some(namespace.as_str());
        let plural = kind_info(&api_version, &kind).plural;
        let request = request::list(&api_version, &plural, ns).map_err(|e| e.to_string())?;
        let list = cluster
            .send(&request)
            .await
            .map_err(|e| format!("listing {kind}: {e}"))?;
        let items = list.get("items").and_then(Value::as_array);
        let by_name = items
            .into_iter()
            .flatten()
            .filter_map(|o| {
                let name = o.pointer("/metadata/name").and_then(Value::as_str)?;
                Some((name.to_string(), o.clone()))
            })
            .collect();
        live.insert((api_version, kind, namespace), by_name);
    }
    Ok(live)
}

fn live_object<'a>(live: &'a LiveObjects, r: &ReadObject) -> Option<&'a Value> {
    live.get(&(r.api_version.clone(), r.kind.clone(), r.namespace.clone()))
        .and_then(|m| m.get(&r.name))
}

fn touched(w: &WriteRecord) -> ReadObject {
    ReadObject {
        api_version: w.api_version.clone(),
        kind: w.kind.clone(),
        namespace: w.namespace.clone(),
        name: w.name.clone(),
        resource_version: None,
    }
}

/// The objects that changed since the plan read them: a new resourceVersion, deleted,
/// or created since (a write touches an object the plan did not see).
pub fn changed_since(plan: &SavedPlan, live: &LiveObjects) -> Vec<String> {
    let rv = |o: &Value| {
        o.pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let mut changed = Vec::new();
    for r in &plan.read {
        let now = live_object(live, r).and_then(rv);
        match (&r.resource_version, now) {
            (None, _) => changed.push(format!(
                "{}: the plan has no resourceVersion for it (planned from files?)",
                r.describe()
            )),
            (Some(_), None) => changed.push(format!("{}: deleted since the plan", r.describe())),
            (Some(old), Some(new)) if *old != new => {
                changed.push(format!("{}: resourceVersion {old} -> {new}", r.describe()))
            }
            _ => {}
        }
    }
    let mut seen = BTreeSet::new();
    for s in &plan.steps {
        let Step::Write(w) = s else { continue };
        let t = touched(w);
        let key = t.describe();
        let was_read = plan.read.iter().any(|r| {
            (&r.api_version, &r.kind, &r.namespace, &r.name)
                == (&t.api_version, &t.kind, &t.namespace, &t.name)
        });
        if !was_read && live_object(live, &t).is_some() && seen.insert(key.clone()) {
            changed.push(format!(
                "{key}: did not exist when the plan was made and exists now"
            ));
        }
    }
    changed
}

/// `(namespace, kind, name)` of the plan's targets and, transitively, of the SeiNodes
/// they own (live, or created by an earlier write of the plan).
fn owners(plan: &SavedPlan, live: &LiveObjects) -> BTreeSet<(String, String, String)> {
    let mut owners: BTreeSet<(String, String, String)> = plan
        .targets
        .iter()
        .map(|t| (t.namespace.clone(), t.kind.clone(), t.name.clone()))
        .collect();
    let mut nodes: Vec<(String, &Value)> = live
        .iter()
        .filter(|((_, kind, _), _)| kind == "SeiNode")
        .flat_map(|((_, _, ns), m)| m.values().map(move |o| (ns.clone(), o)))
        .collect();
    for s in &plan.steps {
        if let Step::Write(w) = s {
            if w.kind == "SeiNode" {
                if let Some(body) = w.object.as_deref().or(w.patch.as_deref()) {
                    nodes.push((w.namespace.clone(), body));
                }
            }
        }
    }
    loop {
        let before = owners.len();
        for (ns, node) in &nodes {
            if owned_by(node, ns, &owners) {
                if let Some(name) = node.pointer("/metadata/name").and_then(Value::as_str) {
                    owners.insert((ns.clone(), "SeiNode".into(), name.to_string()));
                }
            }
        }
        if owners.len() == before {
            return owners;
        }
    }
}

/// Whether an object in `namespace` has an owner reference to one of `owners`.
fn owned_by(object: &Value, namespace: &str, owners: &BTreeSet<(String, String, String)>) -> bool {
    object
        .pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|r| {
            let text = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            text("apiVersion").starts_with("sei.io/")
                && owners.contains(&(namespace.to_string(), text("kind"), text("name")))
        })
}

/// Every write must touch a target, or an object a target owns: as it exists now, or, for
/// an object that does not exist, as the write's body describes it. A submission must go
/// to the sidecar (`NAME-0`) of a target or owned SeiNode.
pub fn check_owners(plan: &SavedPlan, live: &LiveObjects) -> Result<(), Refusal> {
    let owners = owners(plan, live);
    for (i, s) in plan.steps.iter().enumerate() {
        let step = i + 1;
        match s {
            Step::Write(w) => {
                let key = (w.namespace.clone(), w.kind.clone(), w.name.clone());
                if owners.contains(&key) {
                    continue;
                }
                let ok = match live_object(live, &touched(w)) {
                    Some(now) => owned_by(now, &w.namespace, &owners),
                    // Deleting, updating or patching nothing changes nothing (the server
                    // answers 404); a create or apply must say who owns it.
                    None => match w.object.as_deref().or(w.patch.as_deref()) {
                        Some(body) if w.verb == "Create" || w.patch_type == Some(APPLY_PATCH) => {
                            owned_by(body, &w.namespace, &owners)
                        }
                        _ => w.verb != "Create" && w.patch_type != Some(APPLY_PATCH),
                    },
                };
                if !ok {
                    return Err(Refusal::NotOwned {
                        step,
                        what: describe(w),
                    });
                }
            }
            Step::Submit(sub) => {
                let ok = SidecarPod::of_url(&sub.url).is_some_and(|pod| {
                    pod.pod.strip_suffix("-0").is_some_and(|node| {
                        owners.contains(&(pod.namespace.clone(), "SeiNode".into(), node.into()))
                    })
                });
                if !ok {
                    return Err(Refusal::Submission {
                        step,
                        url: sub.url.clone(),
                    });
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_operator_role_is_read_from_its_manifest() {
        let role = Role::operator();
        assert!(role.allows("apps", "statefulsets", "patch"));
        assert!(role.allows("sei.io", "seinodes/status", "patch"));
        assert!(role.allows("sei.io", "seinodes/finalizers", "update"));
        assert!(!role.allows("sei.io", "seinodes/finalizers", "delete"));
        assert!(!role.allows("", "secrets", "delete"));
        assert!(!role.allows("", "configmaps", "patch"));
        assert!(!role.allows("", "pods", "create"));
        assert!(!role.allows("", "pods/proxy", "create"));
        assert!(!role.allows("rbac.authorization.k8s.io", "clusterrolebindings", "create"));
    }
}
