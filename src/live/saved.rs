//! Saved plans (terraform-style): `plan --out FILE` writes the steps an apply would
//! send, the cluster they were planned against (context, server URL, CA fingerprint),
//! the plan's targets and the resourceVersion of every object the plan read, with a
//! digest over all of it. `nodectl apply FILE` reads it strictly (every field present,
//! no unknown field), recomputes the digests, checks every step against what the
//! operator itself may write (src/live/authority.rs) and against the cluster as it is
//! now, and only then sends exactly the saved steps.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::apply::Step;
use super::sidecar::Submission;
use crate::sidecar::{TaskRequest, Via};
use crate::world::hex::lower_hex;
use crate::world::{WriteOutcome, WriteRecord, APPLY_PATCH, MERGE_PATCH};

/// The `kind` of a saved-plan document.
pub const SAVED_PLAN_KIND: &str = "NodectlPlan";
/// The saved-plan format this nodectl writes and reads.
pub const FORMAT_VERSION: u32 = 2;

/// Which API server a plan was made against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClusterIdentity {
    /// The kubeconfig context name (informative: a name can point anywhere).
    pub context: String,
    /// The server URL, without any user information.
    pub server: String,
    /// sha256 over the DER certificates of the context's CA bundle, in order; `null` when the
    /// context names no CA.
    #[serde(deserialize_with = "Option::deserialize")]
    pub ca_sha256: Option<String>,
}

impl ClusterIdentity {
    /// The identity of a kube client configuration.
    pub fn of(config: &kube::Config, context: &str) -> ClusterIdentity {
        let uri = &config.cluster_url;
        let host = uri.host().unwrap_or("");
        let port = uri.port().map(|p| format!(":{p}")).unwrap_or_default();
        let scheme = uri.scheme_str().unwrap_or("https");
        let path = uri.path().trim_end_matches('/');
        ClusterIdentity {
            context: context.to_string(),
            server: format!("{scheme}://{host}{port}{path}"),
            ca_sha256: config.root_cert.as_ref().map(|certs| {
                let mut hash = Sha256::new();
                for der in certs {
                    hash.update(der);
                }
                lower_hex(&hash.finalize())
            }),
        }
    }

    /// `HOST[:PORT]` of the server, as kubectl names it in connection errors.
    pub fn address(&self) -> &str {
        let rest = self
            .server
            .split_once("://")
            .map_or(self.server.as_str(), |(_, r)| r);
        rest.split('/').next().unwrap_or(rest)
    }

    /// `context "c" (server https://…, CA sha256 …)`.
    pub fn describe(&self) -> String {
        format!(
            "context {:?} (server {}, CA sha256 {})",
            self.context,
            self.server,
            self.ca_sha256.as_deref().unwrap_or("none")
        )
    }
}

/// A SeiNode or SeiNodeDeployment the plan reconciled.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedTarget {
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl SavedTarget {
    /// The targets a plan reconciled, sorted, each once.
    pub fn all_of(report: &crate::engine::plan::PlanReport) -> Vec<SavedTarget> {
        let mut targets: Vec<SavedTarget> = report
            .targets
            .iter()
            .map(|t| SavedTarget {
                kind: t.target.kind.clone(),
                namespace: t.target.namespace.clone(),
                name: t.target.name.clone(),
            })
            .collect();
        targets.sort();
        targets.dedup();
        targets
    }
}

/// One object the plan read, with the version it saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReadObject {
    pub api_version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    #[serde(deserialize_with = "Option::deserialize")]
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

    pub fn describe(&self) -> String {
        format!("{} {}/{}", self.kind, self.namespace, self.name)
    }
}

/// A plan saved for a later apply, as nodectl holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedPlan {
    /// The cluster the plan was made against (`None`: planned from files).
    pub cluster: Option<ClusterIdentity>,
    pub targets: Vec<SavedTarget>,
    pub read: Vec<ReadObject>,
    pub steps: Vec<Step>,
}

/// Why a saved-plan file is refused before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SavedPlanError {
    #[error("not a saved plan: {0}")]
    Malformed(String),
    #[error("not a saved plan (expected \"kind\": \"{SAVED_PLAN_KIND}\")")]
    Kind,
    #[error("unsupported saved-plan formatVersion {0} (this nodectl reads version {FORMAT_VERSION}; run `nodectl plan --out` again)")]
    Version(u64),
    #[error("the snapshot digest does not match the objects the plan lists as read: the file was changed after it was saved")]
    SnapshotDigest,
    #[error("the plan digest does not match its cluster, targets, snapshot and steps: the file was changed after it was saved")]
    Digest,
}

/// The file form: every field required, none unknown.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct PlanFile {
    format_version: u64,
    kind: String,
    #[serde(deserialize_with = "Option::deserialize")]
    cluster: Option<ClusterIdentity>,
    targets: Vec<SavedTarget>,
    read: Vec<ReadObject>,
    snapshot_digest: String,
    steps: Vec<FileStep>,
    digest: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
enum FileStep {
    Write(FileWrite),
    Submit(FileSubmission),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum Verb {
    Create,
    Update,
    Patch,
    Delete,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Subresource {
    Status,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
enum PatchType {
    #[serde(rename = "application/merge-patch+json")]
    Merge,
    #[serde(rename = "application/apply-patch+yaml")]
    Apply,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Predicted {
    Created,
    Updated,
    MarkedDeleted,
    Removed,
    Unchanged,
    Failed,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct FileWrite {
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
enum FileVia {
    Client,
    Http,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct FileSubmission {
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

/// sha256 of the JSON encoding of `value`, hex.
fn digest_of(value: &impl Serialize) -> String {
    let bytes = serde_json::to_vec(value).unwrap_or_default();
    lower_hex(&Sha256::digest(bytes))
}

/// The digest over everything an apply acts on.
fn plan_digest(
    cluster: &Option<ClusterIdentity>,
    targets: &[SavedTarget],
    snapshot_digest: &str,
    steps: &[FileStep],
) -> String {
    digest_of(&json!({
        "cluster": cluster,
        "targets": targets,
        "snapshotDigest": snapshot_digest,
        "steps": steps,
    }))
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

fn file_step(step: &Step) -> FileStep {
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

fn step(file: FileStep) -> Step {
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

impl SavedPlan {
    /// The saved-plan document, digests included.
    pub fn to_json(&self) -> Value {
        let steps: Vec<FileStep> = self.steps.iter().map(file_step).collect();
        let snapshot_digest = digest_of(&self.read);
        let digest = plan_digest(&self.cluster, &self.targets, &snapshot_digest, &steps);
        serde_json::to_value(PlanFile {
            format_version: u64::from(FORMAT_VERSION),
            kind: SAVED_PLAN_KIND.into(),
            cluster: self.cluster.clone(),
            targets: self.targets.clone(),
            read: self.read.clone(),
            snapshot_digest,
            steps,
            digest,
        })
        .unwrap_or(Value::Null)
    }

    /// Reads a saved-plan document strictly and checks its digests.
    pub fn parse(text: &str) -> Result<SavedPlan, SavedPlanError> {
        let file = read_file(text)?;
        if digest_of(&file.read) != file.snapshot_digest {
            return Err(SavedPlanError::SnapshotDigest);
        }
        if plan_digest(
            &file.cluster,
            &file.targets,
            &file.snapshot_digest,
            &file.steps,
        ) != file.digest
        {
            return Err(SavedPlanError::Digest);
        }
        Ok(file.into())
    }

    /// Reads a saved-plan document as strictly as [`SavedPlan::parse`] but without checking
    /// its digests: the plan a changed file describes. Nothing read this way may be applied;
    /// [`SavedPlan::to_json`] seals it again (the saved-plan fuzz target uses this to reach
    /// the checks behind the digests).
    pub fn parse_unsealed(text: &str) -> Result<SavedPlan, SavedPlanError> {
        read_file(text).map(SavedPlan::from)
    }

    /// Writes the document to `path`, readable by its owner only (0600): a plan holds
    /// the objects it would write.
    pub fn save(&self, path: &std::path::Path) -> std::io::Result<()> {
        use std::io::Write;
        let text = serde_json::to_string_pretty(&self.to_json()).unwrap_or_default() + "\n";
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path)?;
        // An existing file keeps its mode on open: narrow it too.
        #[cfg(unix)]
        file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
        file.write_all(text.as_bytes())
    }
}

/// The file form of a saved-plan document: the right kind and version, every field present,
/// none unknown. The digests are not checked here.
fn read_file(text: &str) -> Result<PlanFile, SavedPlanError> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| SavedPlanError::Malformed(e.to_string()))?;
    if doc.get("kind").and_then(Value::as_str) != Some(SAVED_PLAN_KIND) {
        return Err(SavedPlanError::Kind);
    }
    match doc.get("formatVersion").and_then(Value::as_u64) {
        Some(v) if v == u64::from(FORMAT_VERSION) => {}
        other => return Err(SavedPlanError::Version(other.unwrap_or(0))),
    }
    serde_path_to_error::deserialize(doc)
        .map_err(|e| SavedPlanError::Malformed(format!("{}: {}", e.path(), e.inner())))
}

impl From<PlanFile> for SavedPlan {
    fn from(file: PlanFile) -> Self {
        SavedPlan {
            cluster: file.cluster,
            targets: file.targets,
            read: file.read,
            steps: file.steps.into_iter().map(step).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> SavedPlan {
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
        SavedPlan {
            cluster: Some(ClusterIdentity {
                context: "kind-test".into(),
                server: "https://127.0.0.1:6443".into(),
                ca_sha256: Some("ab".into()),
            }),
            targets: vec![SavedTarget {
                kind: "SeiNode".into(),
                namespace: "default".into(),
                name: "n".into(),
            }],
            read: vec![ReadObject {
                api_version: "sei.io/v1alpha1".into(),
                kind: "SeiNode".into(),
                namespace: "default".into(),
                name: "n".into(),
                resource_version: Some("7".into()),
            }],
            steps: vec![Step::Write(Box::new(write)), Step::Submit(submit)],
        }
    }

    #[test]
    fn saved_plans_round_trip() {
        let plan = plan();
        let text = plan.to_json().to_string();
        assert_eq!(SavedPlan::parse(&text).expect("parses"), plan);
    }

    #[test]
    fn an_unsealed_read_skips_only_the_digests() {
        let mut doc = plan().to_json();
        doc["steps"][0]["write"]["name"] = json!("other");
        let text = doc.to_string();
        assert_eq!(SavedPlan::parse(&text), Err(SavedPlanError::Digest));
        let changed = SavedPlan::parse_unsealed(&text).expect("reads without the digests");
        assert_ne!(changed, plan());
        // Sealed again, the changed plan reads back as itself.
        let resealed = changed.to_json().to_string();
        assert_eq!(SavedPlan::parse(&resealed), Ok(changed));
        // The shape checks still apply.
        doc["extra"] = json!(1);
        assert!(matches!(
            SavedPlan::parse_unsealed(&doc.to_string()),
            Err(SavedPlanError::Malformed(_))
        ));
    }

    #[test]
    fn edited_missing_and_unknown_fields_are_refused() {
        let doc = plan().to_json();
        let edit = |f: &dyn Fn(&mut Value)| {
            let mut d = doc.clone();
            f(&mut d);
            SavedPlan::parse(&d.to_string())
        };
        assert_eq!(
            edit(&|d| d["steps"][0]["write"]["name"] = json!("other")),
            Err(SavedPlanError::Digest)
        );
        assert_eq!(
            edit(&|d| d["read"] = json!([])),
            Err(SavedPlanError::SnapshotDigest)
        );
        assert!(matches!(
            edit(&|d| d["cluster"]["extra"] = json!(1)),
            Err(SavedPlanError::Malformed(m)) if m.contains("unknown field `extra`")
        ));
        assert!(matches!(
            edit(&|d| { d["cluster"].as_object_mut().unwrap().remove("caSha256"); }),
            Err(SavedPlanError::Malformed(m)) if m.contains("missing field `caSha256`")
        ));
        assert!(matches!(
            edit(&|d| d["steps"] = json!([{"write": {"verb": "Delete"}}])),
            Err(SavedPlanError::Malformed(m)) if m.contains("missing field")
        ));
        assert_eq!(
            edit(&|d| d["kind"] = json!("Trace")),
            Err(SavedPlanError::Kind)
        );
        assert_eq!(
            edit(&|d| d["formatVersion"] = json!(1)),
            Err(SavedPlanError::Version(1))
        );
    }
}
