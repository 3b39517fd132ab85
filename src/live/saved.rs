//! Saved plans (terraform-style): `plan --out FILE` writes the steps an apply would
//! send and the resourceVersion of every object the plan read; `nodectl apply FILE`
//! refuses when any of those objects changed since, and otherwise sends exactly
//! the saved steps.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{json, Value};

use super::apply::Step;
use super::client::{Cluster, RawRequest};
use super::sidecar::Submission;
use super::snapshot::{collection_path, plural_of};
use crate::engine::trace::write_json;
use crate::sidecar::{TaskRequest, Via};
use crate::world::{WriteOutcome, WriteRecord, APPLY_PATCH, MERGE_PATCH};

/// The `kind` of a saved-plan document.
pub const SAVED_PLAN_KIND: &str = "NodectlPlan";

/// One object the plan read, with the version it saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadObject {
    pub api_version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub resource_version: Option<String>,
}

impl ReadObject {
    /// The identity and version of a stored object.
    pub fn of(object: &Value) -> ReadObject {
        let text = |p: &str| {
            object
                .pointer(p)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        ReadObject {
            api_version: text("/apiVersion"),
            kind: text("/kind"),
            namespace: text("/metadata/namespace"),
            name: text("/metadata/name"),
            resource_version: object
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
                .map(str::to_string),
        }
    }

    fn describe(&self) -> String {
        format!("{} {}/{}", self.kind, self.namespace, self.name)
    }
}

/// A plan saved for a later apply.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedPlan {
    /// The kubeconfig context the plan was made against (none for file input).
    pub context: Option<String>,
    pub read: Vec<ReadObject>,
    pub steps: Vec<Step>,
}

fn outcome_label(outcome: &WriteOutcome) -> (&'static str, Option<String>) {
    let rv = |v: &Value| {
        v.pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    match outcome {
        WriteOutcome::Created { after } => ("created", rv(after)),
        WriteOutcome::Updated { after, .. } => ("updated", rv(after)),
        WriteOutcome::MarkedDeleted { after, .. } => ("marked-deleted", rv(after)),
        WriteOutcome::Removed { .. } => ("removed", None),
        WriteOutcome::Unchanged { .. } => ("unchanged", None),
        WriteOutcome::Failed => ("failed", None),
    }
}

fn outcome_from(label: &str, rv: Option<&str>) -> Result<WriteOutcome, String> {
    let after = Arc::new(json!({"metadata": {"resourceVersion": rv}}));
    let null = || Arc::new(Value::Null);
    Ok(match label {
        "created" => WriteOutcome::Created { after },
        "updated" => WriteOutcome::Updated {
            before: null(),
            after,
        },
        "marked-deleted" => WriteOutcome::MarkedDeleted {
            before: null(),
            after,
        },
        "removed" => WriteOutcome::Removed { before: null() },
        "unchanged" => WriteOutcome::Unchanged { object: null() },
        "failed" => WriteOutcome::Failed,
        other => return Err(format!("unknown predicted outcome {other:?}")),
    })
}

impl SavedPlan {
    /// The saved-plan document.
    pub fn to_json(&self) -> Value {
        let read: Vec<Value> = self
            .read
            .iter()
            .map(|r| {
                json!({"apiVersion": r.api_version, "kind": r.kind, "namespace": r.namespace, "name": r.name,
                       "resourceVersion": r.resource_version})
            })
            .collect();
        let steps: Vec<Value> = self
            .steps
            .iter()
            .map(|s| match s {
                Step::Write(w) => {
                    let (outcome, rv) = outcome_label(&w.outcome);
                    json!({"write": write_json(w), "predicted": outcome, "predictedResourceVersion": rv})
                }
                Step::Submit(s) => json!({"submit": {
                    "afterWrite": s.after_write,
                    "via": match s.via { Via::Client => "client", Via::Http => "http" },
                    "url": s.url,
                    "id": s.id,
                    "requestId": s.request.id,
                    "type": s.request.task_type,
                    "params": s.request.params,
                }}),
            })
            .collect();
        json!({"formatVersion": 1, "kind": SAVED_PLAN_KIND, "context": self.context, "read": read, "steps": steps})
    }

    /// Reads a saved-plan document.
    pub fn from_json(doc: &Value) -> Result<SavedPlan, String> {
        if doc.get("kind").and_then(Value::as_str) != Some(SAVED_PLAN_KIND) {
            return Err(format!(
                "not a saved plan (expected \"kind\": \"{SAVED_PLAN_KIND}\")"
            ));
        }
        if doc.get("formatVersion").and_then(Value::as_u64) != Some(1) {
            return Err(
                "unsupported saved-plan formatVersion (this nodectl reads version 1)".into(),
            );
        }
        let text =
            |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or("").to_string();
        let read = doc
            .get("read")
            .and_then(Value::as_array)
            .ok_or("saved plan has no \"read\" list")?
            .iter()
            .map(|r| ReadObject {
                api_version: text(r, "apiVersion"),
                kind: text(r, "kind"),
                namespace: text(r, "namespace"),
                name: text(r, "name"),
                resource_version: r
                    .get("resourceVersion")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            })
            .collect();
        let mut steps = Vec::new();
        for (i, step) in doc
            .get("steps")
            .and_then(Value::as_array)
            .ok_or("saved plan has no \"steps\" list")?
            .iter()
            .enumerate()
        {
            let parsed = if let Some(w) = step.get("write") {
                Step::Write(Box::new(write_from(w, step)?))
            } else if let Some(s) = step.get("submit") {
                Step::Submit(Submission {
                    after_write: s.get("afterWrite").and_then(Value::as_u64).unwrap_or(0),
                    via: if text(s, "via") == "http" {
                        Via::Http
                    } else {
                        Via::Client
                    },
                    url: text(s, "url"),
                    id: text(s, "id"),
                    request: TaskRequest {
                        id: s
                            .get("requestId")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                        task_type: text(s, "type"),
                        params: s.get("params").filter(|p| !p.is_null()).cloned(),
                    },
                })
            } else {
                return Err(format!(
                    "saved plan step {i} is neither a write nor a submission"
                ));
            };
            steps.push(parsed);
        }
        Ok(SavedPlan {
            context: doc
                .get("context")
                .and_then(Value::as_str)
                .map(str::to_string),
            read,
            steps,
        })
    }
}

fn write_from(w: &Value, step: &Value) -> Result<WriteRecord, String> {
    let text = |key: &str| w.get(key).and_then(Value::as_str).unwrap_or("").to_string();
    let verb = match w.get("verb").and_then(Value::as_str) {
        Some("Create") => "Create",
        Some("Update") => "Update",
        Some("Patch") => "Patch",
        Some("Delete") => "Delete",
        other => return Err(format!("saved write has an unknown verb {other:?}")),
    };
    let patch_type = match w.get("patchType").and_then(Value::as_str) {
        None => None,
        Some(MERGE_PATCH) => Some(MERGE_PATCH),
        Some(APPLY_PATCH) => Some(APPLY_PATCH),
        Some(other) => return Err(format!("saved write has an unknown patchType {other:?}")),
    };
    let outcome = outcome_from(
        step.get("predicted")
            .and_then(Value::as_str)
            .unwrap_or("failed"),
        step.get("predictedResourceVersion").and_then(Value::as_str),
    )?;
    Ok(WriteRecord {
        seq: w.get("seq").and_then(Value::as_u64).unwrap_or(0),
        verb,
        subresource: (w.get("subresource").and_then(Value::as_str) == Some("status"))
            .then_some("status"),
        api_version: text("apiVersion"),
        kind: text("kind"),
        namespace: text("namespace"),
        name: text("name"),
        patch_type,
        patch: w.get("patchParsed").cloned().map(Arc::new),
        object: w.get("object").cloned().map(Arc::new),
        field_manager: w
            .get("fieldManager")
            .and_then(Value::as_str)
            .map(str::to_string),
        force: w.get("force").and_then(Value::as_bool),
        propagation_policy: w
            .get("propagationPolicy")
            .and_then(Value::as_str)
            .map(str::to_string),
        error: w.get("error").and_then(Value::as_str).map(str::to_string),
        outcome,
    })
}

/// The objects whose resourceVersion changed (or that appeared or vanished) since
/// the plan read them: one LIST per kind and namespace.
pub async fn changed_since(cluster: &Cluster, read: &[ReadObject]) -> Result<Vec<String>, String> {
    let mut groups: BTreeMap<(String, String, String), Vec<&ReadObject>> = BTreeMap::new();
    for r in read {
        groups
            .entry((r.api_version.clone(), r.kind.clone(), r.namespace.clone()))
            .or_default()
            .push(r);
    }
    let mut changed = Vec::new();
    for ((api_version, kind, namespace), objects) in groups {
        let ns = (!namespace.is_empty()).then_some(namespace.as_str());
        let path = collection_path(&api_version, &plural_of(&api_version, &kind), ns);
        let list = cluster
            .send(&RawRequest::get(path))
            .await
            .map_err(|e| format!("listing {kind}: {e}"))?;
        let items = list
            .get("items")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for r in objects {
            let now = items
                .iter()
                .find(|o| o.pointer("/metadata/name").and_then(Value::as_str) == Some(&r.name));
            let now_rv = now
                .and_then(|o| o.pointer("/metadata/resourceVersion"))
                .and_then(Value::as_str);
            match (&r.resource_version, now_rv) {
                (None, _) => changed.push(format!(
                    "{}: the plan has no resourceVersion for it (planned from files?)",
                    r.describe()
                )),
                (Some(_), None) => {
                    changed.push(format!("{}: deleted since the plan", r.describe()))
                }
                (Some(old), Some(new)) if old != new => {
                    changed.push(format!("{}: resourceVersion {old} -> {new}", r.describe()))
                }
                _ => {}
            }
        }
    }
    Ok(changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_plans_round_trip() {
        let write = WriteRecord {
            seq: 3,
            verb: "Patch",
            subresource: Some("status"),
            api_version: "sei.io/v1alpha1".into(),
            kind: "SeiNode".into(),
            namespace: "default".into(),
            name: "n".into(),
            patch_type: Some(MERGE_PATCH),
            patch: Some(
                json!({"metadata": {"resourceVersion": "7"}, "status": {"phase": "Running"}})
                    .into(),
            ),
            object: None,
            field_manager: None,
            force: None,
            propagation_policy: None,
            error: None,
            outcome: WriteOutcome::Updated {
                before: Value::Null.into(),
                after: json!({"metadata": {"resourceVersion": "8"}}).into(),
            },
        };
        let submit = Submission {
            after_write: 3,
            via: Via::Client,
            url: "http://n-0.n.default.svc.cluster.local:7777".into(),
            id: "id-1".into(),
            request: TaskRequest {
                id: Some("id-1".into()),
                task_type: "mark-ready".into(),
                params: None,
            },
        };
        let plan = SavedPlan {
            context: Some("kind-test".into()),
            read: vec![ReadObject {
                api_version: "sei.io/v1alpha1".into(),
                kind: "SeiNode".into(),
                namespace: "default".into(),
                name: "n".into(),
                resource_version: Some("7".into()),
            }],
            steps: vec![Step::Write(Box::new(write)), Step::Submit(submit)],
        };
        let back = SavedPlan::from_json(&plan.to_json()).expect("parses");
        assert_eq!(back, plan);
    }

    #[test]
    fn other_documents_are_refused() {
        assert!(SavedPlan::from_json(&json!({"kind": "Trace"})).is_err());
        assert!(
            SavedPlan::from_json(&json!({"kind": SAVED_PLAN_KIND, "formatVersion": 2})).is_err()
        );
    }
}
