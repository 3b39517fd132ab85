//! The live fidelity marker: each owned object the plan creates or applies is sent
//! again as a server-side dry run (`dryRun=All`, as the operator's field manager),
//! so the result shows what the API server would really store (defaults, removed
//! fields). Objects that could not be dry-run stay "predicted", with the reason.
//! Dry-run requests are authorized like writes, so this is opt-in (`--server-dry-run`).

use std::sync::Arc;

use serde_json::Value;

use super::client::Cluster;
use super::request::{self, WriteMode};
use crate::world::{WriteOutcome, WriteRecord, APPLY_PATCH};

/// How an owned object's result is known.
#[derive(Debug, Clone, PartialEq)]
pub enum Fidelity {
    /// The API server's dry-run answer.
    Verified { stored: Value },
    /// Only the in-memory prediction, and why.
    Predicted { reason: String },
}

/// One owned object of the plan.
#[derive(Debug, Clone, PartialEq)]
pub struct OwnedObject {
    pub kind: String,
    pub namespace: String,
    pub name: String,
    /// The object as predicted in memory (shared with the plan's write record).
    pub predicted: Option<Arc<Value>>,
    pub fidelity: Fidelity,
}

/// Whether a write creates or applies an owned (non-Sei) object.
fn is_owned_object_write(w: &WriteRecord) -> bool {
    w.error.is_none()
        && !w.api_version.starts_with("sei.io/")
        && (w.verb == "Create" || w.patch_type == Some(APPLY_PATCH))
}

fn predicted_after(w: &WriteRecord) -> Option<Arc<Value>> {
    match &w.outcome {
        WriteOutcome::Created { after } | WriteOutcome::Updated { after, .. } => {
            Some(Arc::clone(after))
        }
        WriteOutcome::Unchanged { object } => Some(Arc::clone(object)),
        _ => None,
    }
}

/// The owned objects of a plan, all marked predicted (no requests sent).
pub fn predicted_only(writes: &[WriteRecord], reason: &str) -> Vec<OwnedObject> {
    writes
        .iter()
        .filter(|w| is_owned_object_write(w))
        .map(|w| {
            owned(
                w,
                Fidelity::Predicted {
                    reason: reason.into(),
                },
            )
        })
        .collect()
}

fn owned(w: &WriteRecord, fidelity: Fidelity) -> OwnedObject {
    OwnedObject {
        kind: w.kind.clone(),
        namespace: w.namespace.clone(),
        name: w.name.clone(),
        predicted: predicted_after(w),
        fidelity,
    }
}

/// Dry-runs every owned-object write of the plan; never stores anything.
pub async fn server_dry_run(cluster: &Cluster, writes: &[WriteRecord]) -> Vec<OwnedObject> {
    let versions = Default::default();
    let owned_writes: Vec<&WriteRecord> =
        writes.iter().filter(|w| is_owned_object_write(w)).collect();
    let answers = futures::future::join_all(owned_writes.iter().map(|w| {
        // The dry run is part of the request's one query: it cannot be cut off.
        let request = request::write(w, &versions, WriteMode::DryRun);
        async move {
            match request {
                Ok(request) => cluster.send(&request).await.map_err(|e| e.to_string()),
                Err(e) => Err(format!("not sent: {e}")),
            }
        }
    }))
    .await;
    owned_writes
        .into_iter()
        .zip(answers)
        .map(|(w, answer)| {
            let fidelity = match answer {
                Ok(stored) if stored.is_object() => Fidelity::Verified {
                    stored: strip_server_noise(stored),
                },
                Ok(_) => Fidelity::Predicted {
                    reason: "the dry run returned no object".into(),
                },
                Err(e) => Fidelity::Predicted {
                    reason: format!("server dry run failed: {e}"),
                },
            };
            owned(w, fidelity)
        })
        .collect()
}

/// Drops `managedFields` (never part of a diff).
pub fn strip_server_noise(mut object: Value) -> Value {
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        meta.remove("managedFields");
    }
    object
}
