//! Saved plans (terraform-style): `plan --out FILE` writes the steps an apply would
//! send, the cluster they were planned against (context, server URL, CA fingerprint),
//! the plan's targets and the resourceVersion of every object the plan read, with a
//! digest over all of it. `nodectl apply FILE` reads it strictly (every field present,
//! no unknown field), recomputes the digests, checks every step against what the
//! operator itself may write (src/live/authority.rs) and against the cluster as it is
//! now, and only then sends exactly the saved steps.

mod wire;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

pub use super::identity::ClusterIdentity;
use super::step::Step;
use crate::world::compact::{Field, InputObject};
use crate::world::hex::lower_hex;
use wire::{file_step, step, FileStep, PlanFile};

/// The `kind` of a saved-plan document.
pub const SAVED_PLAN_KIND: &str = "NodectlPlan";
/// The saved-plan format this nodectl writes and reads.
pub const FORMAT_VERSION: u32 = 2;

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
        Self::sorted(
            report
                .targets
                .iter()
                .map(|t| SavedTarget::of(&t.target))
                .collect(),
        )
    }

    pub fn of(target: &crate::engine::plan::TargetRef) -> SavedTarget {
        SavedTarget {
            kind: target.kind.clone(),
            namespace: target.namespace.clone(),
            name: target.name.clone(),
        }
    }

    /// Targets in a saved plan's order, each once.
    pub fn sorted(mut targets: Vec<SavedTarget>) -> Vec<SavedTarget> {
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
    pub fn of(object: &impl InputObject) -> ReadObject {
        let text = |f: Field| object.text(f).to_string();
        ReadObject {
            api_version: text(Field::ApiVersion),
            kind: text(Field::Kind),
            namespace: text(Field::Namespace),
            name: text(Field::Name),
            resource_version: object.field(Field::ResourceVersion).map(str::to_string),
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
    use crate::live::step::Submission;
    use crate::sidecar::{TaskRequest, Via};
    use crate::world::{WriteOutcome, WriteRecord, MERGE_PATCH};

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

    /// Found by the saved-plan fuzz target: a number too big for an integer (here 10^100
    /// times a height) is a float; sealed and read back, its digest must still hold, so
    /// floats are parsed exactly (serde_json's `float_roundtrip`).
    #[test]
    fn a_plan_holding_a_huge_number_reads_back_sealed() {
        for number in [
            format!("19874{}", "0".repeat(96)),
            "0.30000000000000004".to_string(),
            "2.2250738585072014e-308".to_string(),
        ] {
            let mut doc = plan().to_json();
            doc["steps"][0]["write"]["patch"]["spec"] = json!({"targetHeight": "N"});
            let text = doc.to_string().replace("\"N\"", &number);
            let unsealed = SavedPlan::parse_unsealed(&text).expect("reads without the digests");
            let sealed = unsealed.to_json().to_string();
            assert_eq!(SavedPlan::parse(&sealed), Ok(unsealed), "{number}");
        }
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
