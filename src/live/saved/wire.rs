//! The saved-plan file form: serde types that require every field and refuse unknown
//! ones, and the conversions between them and the steps an apply sends.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{ClusterIdentity, ReadObject, SavedTarget};
use crate::live::step::{Step, Submission};
use crate::sidecar::{TaskRequest, Via};
use crate::world::{WriteOutcome, WriteRecord, APPLY_PATCH, MERGE_PATCH};

/// The file form: every field required, none unknown.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct PlanFile {
    pub(super) format_version: u64,
    pub(super) kind: String,
    #[serde(deserialize_with = "Option::deserialize")]
    pub(super) cluster: Option<ClusterIdentity>,
    pub(super) targets: Vec<SavedTarget>,
    pub(super) read: Vec<ReadObject>,
    pub(super) snapshot_digest: String,
    pub(super) steps: Vec<FileStep>,
    pub(super) digest: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) enum FileStep {
    Write(FileWrite),
    Submit(FileSubmission),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum Verb {
    Create,
    Update,
    Patch,
    Delete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum Subresource {
    Status,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(super) enum PatchType {
    #[serde(rename = "application/merge-patch+json")]
    Merge,
    #[serde(rename = "application/apply-patch+yaml")]
    Apply,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(super) enum Predicted {
    Created,
    Updated,
    MarkedDeleted,
    Removed,
    Unchanged,
    Failed,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct FileWrite {
    seq: u64,
    verb: Verb,
    #[serde(deserialize_with = "Option::deserialize")]
    subresource: Option<Subresource>,
    api_version: String,
    kind: String,
    namespace: String,
    name: String,
    #[serde(deserialize_with = "Option::deserialize")]
    patch_type: Option<PatchType>,
    #[serde(deserialize_with = "Option::deserialize")]
    patch: Option<Value>,
    #[serde(deserialize_with = "Option::deserialize")]
    object: Option<Value>,
    #[serde(deserialize_with = "Option::deserialize")]
    field_manager: Option<String>,
    #[serde(deserialize_with = "Option::deserialize")]
    force: Option<bool>,
    #[serde(deserialize_with = "Option::deserialize")]
    propagation_policy: Option<String>,
    #[serde(deserialize_with = "Option::deserialize")]
    error: Option<String>,
    predicted: Predicted,
    #[serde(deserialize_with = "Option::deserialize")]
    predicted_resource_version: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub(super) enum FileVia {
    Client,
    Http,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct FileSubmission {
    after_write: u64,
    via: FileVia,
    url: String,
    id: String,
    #[serde(deserialize_with = "Option::deserialize")]
    request_id: Option<String>,
    #[serde(rename = "type")]
    task_type: String,
    #[serde(deserialize_with = "Option::deserialize")]
    params: Option<Value>,
}

fn file_write(w: &WriteRecord) -> FileWrite {
    let rv = |v: &Value| {
        v.pointer("/metadata/resourceVersion")
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let (predicted, predicted_resource_version) = match &w.outcome {
        WriteOutcome::Created { after } => (Predicted::Created, rv(after)),
        WriteOutcome::Updated { after, .. } => (Predicted::Updated, rv(after)),
        WriteOutcome::MarkedDeleted { after, .. } => (Predicted::MarkedDeleted, rv(after)),
        WriteOutcome::Removed { .. } => (Predicted::Removed, None),
        WriteOutcome::Unchanged { .. } => (Predicted::Unchanged, None),
        WriteOutcome::Failed => (Predicted::Failed, None),
    };
    FileWrite {
        seq: w.seq,
        verb: match w.verb {
            "Create" => Verb::Create,
            "Update" => Verb::Update,
            "Delete" => Verb::Delete,
            _ => Verb::Patch,
        },
        subresource: w.subresource.map(|_| Subresource::Status),
        api_version: w.api_version.clone(),
        kind: w.kind.clone(),
        namespace: w.namespace.clone(),
        name: w.name.clone(),
        patch_type: w.patch_type.map(|t| {
            if t == APPLY_PATCH {
                PatchType::Apply
            } else {
                PatchType::Merge
            }
        }),
        patch: w.patch.as_deref().cloned(),
        object: w.object.as_deref().cloned(),
        field_manager: w.field_manager.clone(),
        force: w.force,
        propagation_policy: w.propagation_policy.clone(),
        error: w.error.clone(),
        predicted,
        predicted_resource_version,
    }
}

fn write_record(w: FileWrite) -> WriteRecord {
    let after = Arc::new(json!({"metadata": {"resourceVersion": w.predicted_resource_version}}));
    let null = || Arc::new(Value::Null);
    let outcome = match w.predicted {
        Predicted::Created => WriteOutcome::Created { after },
        Predicted::Updated => WriteOutcome::Updated {
            before: null(),
            after,
        },
        Predicted::MarkedDeleted => WriteOutcome::MarkedDeleted {
            before: null(),
            after,
        },
        Predicted::Removed => WriteOutcome::Removed { before: null() },
        Predicted::Unchanged => WriteOutcome::Unchanged { object: null() },
        Predicted::Failed => WriteOutcome::Failed,
    };
    WriteRecord {
        seq: w.seq,
        verb: match w.verb {
            Verb::Create => "Create",
            Verb::Update => "Update",
            Verb::Patch => "Patch",
            Verb::Delete => "Delete",
        },
        subresource: w.subresource.map(|_| "status"),
        api_version: w.api_version,
        kind: w.kind,
        namespace: w.namespace,
        name: w.name,
        patch_type: w.patch_type.map(|t| match t {
            PatchType::Apply => APPLY_PATCH,
            PatchType::Merge => MERGE_PATCH,
        }),
        patch: w.patch.map(Arc::new),
        object: w.object.map(Arc::new),
        field_manager: w.field_manager,
        force: w.force,
        propagation_policy: w.propagation_policy,
        error: w.error,
        outcome,
    }
}

pub(super) fn file_step(step: &Step) -> FileStep {
    match step {
        Step::Write(w) => FileStep::Write(file_write(w)),
        Step::Submit(s) => FileStep::Submit(FileSubmission {
            after_write: s.after_write,
            via: match s.via {
                Via::Client => FileVia::Client,
                Via::Http => FileVia::Http,
            },
            url: s.url.clone(),
            id: s.id.clone(),
            request_id: s.request.id.clone(),
            task_type: s.request.task_type.clone(),
            params: s.request.params.clone(),
        }),
    }
}

pub(super) fn step(file: FileStep) -> Step {
    match file {
        FileStep::Write(w) => Step::Write(Box::new(write_record(w))),
        FileStep::Submit(s) => Step::Submit(Submission {
            after_write: s.after_write,
            via: match s.via {
                FileVia::Client => Via::Client,
                FileVia::Http => Via::Http,
            },
            url: s.url,
            id: s.id,
            request: TaskRequest {
                id: s.request_id,
                task_type: s.task_type,
                params: s.params,
            },
        }),
    }
}
