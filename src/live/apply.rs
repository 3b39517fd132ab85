//! `apply`: sends the writes a reconcile produced in memory to the cluster, in the
//! same order and form as the operator, with the sidecar submissions at their place.
//!
//! The optimistic lock of a later write names the resourceVersion the operator would
//! hold: each predicted resourceVersion is replaced by the one the cluster returned
//! for the same write. A 409 stops everything (the snapshot is stale: re-run); so
//! does any other failure that was not predicted. Nothing is retried with a stale base.

use std::collections::HashMap;

use http::Method;
use serde_json::{json, Value};

use super::client::{Cluster, RawRequest, RequestError};
use super::request::{self, WriteMode};
use super::sidecar::{SidecarRoute, Submission};
use crate::sidecar::SidecarError;
use crate::world::{WriteOutcome, WriteRecord, APPLY_PATCH};

/// One step of an apply: an API write or a sidecar submission.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Write(Box<WriteRecord>),
    Submit(Submission),
}

impl Step {
    /// `Patch apps/v1 StatefulSet ns/name (apply, seinode-controller)`, `POST /v0/tasks ...`.
    pub fn describe(&self) -> String {
        match self {
            Step::Write(w) => {
                let form = match (w.patch_type, w.subresource) {
                    (Some(APPLY_PATCH), _) => format!(
                        " (server-side apply as {})",
                        w.field_manager.as_deref().unwrap_or("?")
                    ),
                    (Some(_), Some(sub)) => format!(" {sub} (merge patch)"),
                    (Some(_), None) => " (merge patch)".into(),
                    (None, Some(sub)) => format!(" {sub}"),
                    (None, None) => String::new(),
                };
                format!("{} {} {}/{}{form}", w.verb, w.kind, w.namespace, w.name)
            }
            Step::Submit(s) => format!(
                "POST {}/v0/tasks type={} id={}",
                s.url, s.request.task_type, s.id
            ),
        }
    }
}

/// Puts the submissions among the writes: a submission made after write `n` goes
/// right after it.
pub fn order_steps(writes: &[WriteRecord], submissions: &[Submission]) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut pending = submissions.iter().peekable();
    for w in writes {
        while let Some(s) = pending.next_if(|s| s.after_write < w.seq) {
            steps.push(Step::Submit(s.clone()));
        }
        steps.push(Step::Write(Box::new(w.clone())));
    }
    steps.extend(pending.cloned().map(Step::Submit));
    steps
}

/// How an apply ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    /// Every step was sent.
    Complete,
    /// A 409: the cluster changed since the snapshot.
    Conflict { step: Step, error: String },
    /// Any other failure (after retries for 5xx and timeouts).
    Failed { step: Step, error: String },
}

/// What an apply did.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplyReport {
    /// Steps that reached the cluster or sidecar, with a note (`ok`, `no change`,
    /// `failed as predicted: ...`).
    pub done: Vec<(Step, String)>,
    pub stop: Stop,
    /// Steps not sent because of the stop.
    pub not_sent: Vec<Step>,
}

/// The resourceVersion the in-memory write produced, if it stored something.
fn predicted_version(w: &WriteRecord) -> Option<String> {
    let after = match &w.outcome {
        WriteOutcome::Created { after }
        | WriteOutcome::Updated { after, .. }
        | WriteOutcome::MarkedDeleted { after, .. } => after,
        _ => return None,
    };
    after
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// The body of `POST /v0/tasks` (the seictl client's form).
pub fn submission_body(s: &Submission) -> Value {
    let mut body = serde_json::Map::new();
    if let Some(id) = &s.request.id {
        body.insert("id".into(), json!(id));
    }
    if let Some(params) = &s.request.params {
        body.insert("params".into(), params.clone());
    }
    body.insert("type".into(), json!(s.request.task_type));
    Value::Object(body)
}

/// Sends the steps in order and stops at the first unexpected failure.
pub async fn apply(cluster: &Cluster, sidecars: &SidecarRoute, steps: Vec<Step>) -> ApplyReport {
    let mut versions: HashMap<String, String> = HashMap::new();
    let mut done = Vec::new();
    let mut remaining = steps.into_iter();
    while let Some(step) = remaining.next() {
        let outcome = match &step {
            Step::Write(w) => send_write(cluster, w, &mut versions).await,
            Step::Submit(s) => send_submission(sidecars, s).await,
        };
        match outcome {
            Ok(note) => done.push((step, note)),
            Err((conflict, error)) => {
                let stop = if conflict {
                    Stop::Conflict { step, error }
                } else {
                    Stop::Failed { step, error }
                };
                return ApplyReport {
                    done,
                    stop,
                    not_sent: remaining.collect(),
                };
            }
        }
    }
    ApplyReport {
        done,
        stop: Stop::Complete,
        not_sent: Vec::new(),
    }
}

type StepResult = Result<String, (bool, String)>;

async fn send_write(
    cluster: &Cluster,
    w: &WriteRecord,
    versions: &mut HashMap<String, String>,
) -> StepResult {
    let request =
        request::write(w, versions, WriteMode::Send).map_err(|e| (false, e.to_string()))?;
    match cluster.send(&request).await {
        Ok(response) => {
            let real = response
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str);
            if let (Some(predicted), Some(real)) = (predicted_version(w), real) {
                versions.insert(predicted, real.to_string());
            }
            Ok(match &w.outcome {
                WriteOutcome::Unchanged { .. } => "ok (no change predicted)".into(),
                WriteOutcome::Failed => "ok (a failure was predicted)".into(),
                _ => "ok".into(),
            })
        }
        Err(e) if w.error.is_some() && matches!(e, RequestError::Status { .. }) => {
            Ok(format!("failed as predicted: {e}"))
        }
        Err(e) => Err((e.is_conflict(), e.to_string())),
    }
}

async fn send_submission(sidecars: &SidecarRoute, s: &Submission) -> StepResult {
    let request = RawRequest::with_body(
        Method::POST,
        "/v0/tasks",
        "application/json",
        submission_body(s),
    );
    match sidecars.send(&s.url, request).await {
        Ok(_) => Ok("accepted".into()),
        Err(SidecarError::Unreachable(text)) => {
            Err((false, format!("sidecar unreachable: {text}")))
        }
        Err(e) => Err((false, format!("sidecar rejected the task: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sidecar::{TaskRequest, Via};
    use crate::world::MERGE_PATCH;

    fn write(seq: u64) -> WriteRecord {
        WriteRecord {
            seq,
            verb: "Patch",
            subresource: Some("status"),
            api_version: "sei.io/v1alpha1".into(),
            kind: "SeiNode".into(),
            namespace: "ns".into(),
            name: "a".into(),
            patch_type: Some(MERGE_PATCH),
            patch: Some(json!({"metadata": {"resourceVersion": "105"}, "status": {}}).into()),
            object: None,
            field_manager: None,
            force: None,
            propagation_policy: None,
            error: None,
            outcome: WriteOutcome::Failed,
        }
    }

    #[test]
    fn submissions_go_right_after_the_write_before_them() {
        let sub = Submission {
            after_write: 1,
            via: Via::Client,
            url: "u".into(),
            request: TaskRequest {
                id: None,
                task_type: "t".into(),
                params: None,
            },
            id: "x".into(),
        };
        let steps = order_steps(&[write(1), write(2)], std::slice::from_ref(&sub));
        assert!(matches!(&steps[1], Step::Submit(s) if s == &sub));
        assert_eq!(steps.len(), 3);
        assert_eq!(submission_body(&sub), json!({"type": "t"}));
    }

    #[test]
    fn the_status_patch_carries_the_real_resource_version() {
        let versions = HashMap::from([("105".to_string(), "9001".to_string())]);
        let r = request::write(&write(1), &versions, WriteMode::Send).unwrap();
        assert_eq!(
            r.path,
            "/apis/sei.io/v1alpha1/namespaces/ns/seinodes/a/status"
        );
        assert_eq!(r.body.unwrap()["metadata"]["resourceVersion"], "9001");
    }
}
