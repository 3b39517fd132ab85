//! `apply`: sends the writes a reconcile produced in memory to the cluster, in the
//! same order and form as the operator, with the sidecar submissions at their place.
//!
//! The optimistic lock of a later write names the resourceVersion the operator would
//! hold: each predicted resourceVersion is replaced by the one the cluster returned
//! for the same write. A 409 stops everything (the snapshot is stale: re-run); so
//! does any other failure that was not predicted. After an ambiguous failure (a
//! timeout, a lost connection, a 5xx) the object is read back first
//! ([`super::readback`]): a write that landed is not sent again, one that did not is
//! retried, and when the object cannot tell, apply stops and says so. A sidecar task is
//! only submitted again when the sidecar says it does not have it. A Ctrl-C lets the
//! request in flight finish and stops before the next one.

use std::collections::HashMap;

use http::Method;
use serde_json::{json, Value};

use super::attempt::{Backoff, Failure, RawRequest, RequestError};
use super::client::Cluster;
use super::readback::{self, ReadBack, Sent};
use super::request::{self, WriteMode};
use super::sidecar::SidecarRoute;
pub use super::step::{order_steps, Step, Submission};
use crate::sidecar::SidecarError;
use crate::world::{WriteOutcome, WriteRecord};

/// How an apply ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    /// Every step was sent.
    Complete,
    /// A 409: the cluster changed since the snapshot.
    Conflict { step: Step, error: String },
    /// Any other failure (after retries for 429, 5xx and timeouts), or a write whose
    /// outcome could not be decided.
    Failed { step: Step, error: String },
    /// Ctrl-C: `step` is the one that was being retried when it came, if any (it did not
    /// land); nothing after it was sent.
    Interrupted { step: Option<Step>, error: String },
}

/// What an apply did.
#[derive(Debug, Clone, PartialEq)]
pub struct ApplyReport {
    /// Steps that reached the cluster or sidecar, with a note (`ok`, `no change`,
    /// `failed as predicted: ...`, `applied (confirmed by read-back after ...)`).
    pub done: Vec<(Step, String)>,
    pub stop: Stop,
    /// Steps not sent because of the stop.
    pub not_sent: Vec<Step>,
    /// Write and submission requests sent, retries included (reads are not counted).
    pub requests: usize,
    /// Objects (or sidecar tasks) read back after an ambiguous failure.
    pub read_backs: usize,
    /// Attempts of the step the apply stopped at (0 when none was under way).
    pub stop_attempts: u32,
}

impl ApplyReport {
    /// Retries sent: requests beyond one per step that was sent.
    pub fn retries(&self) -> usize {
        let stepped = self.done.len() + usize::from(self.stop_attempts > 0);
        self.requests.saturating_sub(stepped)
    }
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

/// How one step ended.
enum StepEnd {
    Done(String),
    Conflict(String),
    Failed(String),
    Interrupted(String),
}

/// Counts of what an apply sent.
#[derive(Default)]
struct Counts {
    requests: usize,
    read_backs: usize,
    attempts: u32,
}

/// Sends the steps in order and stops at the first unexpected failure or at Ctrl-C.
pub async fn apply(cluster: &Cluster, sidecars: &SidecarRoute, steps: Vec<Step>) -> ApplyReport {
    let _deferred = crate::interrupt::defer();
    let mut versions: HashMap<String, String> = HashMap::new();
    let mut done = Vec::new();
    let mut counts = Counts::default();
    let mut remaining = steps.into_iter().peekable();
    let report = |done, stop, not_sent, counts: &Counts| ApplyReport {
        done,
        stop,
        not_sent,
        requests: counts.requests,
        read_backs: counts.read_backs,
        stop_attempts: counts.attempts,
    };
    while remaining.peek().is_some() {
        if crate::interrupt::requested() {
            let stop = Stop::Interrupted {
                step: None,
                error: "interrupted".into(),
            };
            counts.attempts = 0;
            return report(done, stop, remaining.collect(), &counts);
        }
        let Some(step) = remaining.next() else { break };
        counts.attempts = 0;
        let end = match &step {
            Step::Write(w) => send_write(cluster, w, &mut versions, &mut counts).await,
            Step::Submit(s) => send_submission(sidecars, s, &mut counts).await,
        };
        let stop = match end {
            StepEnd::Done(note) => {
                done.push((step, note));
                continue;
            }
            StepEnd::Conflict(error) => Stop::Conflict { step, error },
            StepEnd::Failed(error) => Stop::Failed { step, error },
            StepEnd::Interrupted(error) => Stop::Interrupted {
                step: Some(step),
                error,
            },
        };
        return report(done, stop, remaining.collect(), &counts);
    }
    counts.attempts = 0;
    report(done, Stop::Complete, Vec::new(), &counts)
}

/// `(after 2 attempts: HTTP 500 ...)` for a step that needed more than one.
fn history_note(history: &[String]) -> String {
    if history.is_empty() {
        return String::new();
    }
    format!(
        " (after {} attempts; earlier: {})",
        history.len() + 1,
        history.join("; ")
    )
}

/// The code of the API error the in-memory server predicted (its texts are the real
/// server's: world/error.rs).
fn predicted_code(error: &str) -> u16 {
    if error.ends_with("not found") || error.starts_with("no matches for kind") {
        404
    } else if error.ends_with("already exists")
        || error.starts_with("Operation cannot be fulfilled")
    {
        409
    } else {
        422
    }
}

/// The error of a final answer; a 403 names what was refused (the RBAC rule to add).
fn final_error(w: &WriteRecord, e: &RequestError) -> String {
    if e.code() != Some(403) {
        return e.to_string();
    }
    let verb = match w.verb {
        "Create" => "create",
        "Update" => "update",
        "Delete" => "delete",
        _ => "patch",
    };
    let mut resource = super::snapshot::plural_of(&w.api_version, &w.kind);
    if let Some(sub) = w.subresource {
        resource = format!("{resource}/{sub}");
    }
    let group = w.api_version.rsplit_once('/').map_or("", |(g, _)| g);
    let group = if group.is_empty() {
        "core".to_string()
    } else {
        group.to_string()
    };
    let namespace = if w.namespace.is_empty() {
        "cluster scope".to_string()
    } else {
        format!("namespace {}", w.namespace)
    };
    format!("{e} (the cluster refused to {verb} {resource} (API group {group}) in {namespace}; the credentials need that permission)")
}

async fn send_write(
    cluster: &Cluster,
    w: &WriteRecord,
    versions: &mut HashMap<String, String>,
    counts: &mut Counts,
) -> StepEnd {
    let request = match request::write(w, versions, WriteMode::Send) {
        Ok(request) => request,
        Err(e) => return StepEnd::Failed(e.to_string()),
    };
    let mut backoff = Backoff::new(cluster.retry);
    let mut history: Vec<String> = Vec::new();
    loop {
        let attempt = backoff.begin();
        counts.attempts = attempt;
        counts.requests += 1;
        tracing::debug!(method = %request.method, path = %request.path, attempt, "apply request");
        let failure = match cluster.attempt(&request).await {
            Ok(response) => {
                remember_version(w, &response, versions);
                let note = match &w.outcome {
                    WriteOutcome::Unchanged { .. } => "ok (no change predicted)",
                    WriteOutcome::Failed => "ok (a failure was predicted)",
                    _ => "ok",
                };
                return StepEnd::Done(format!("{note}{}", history_note(&history)));
            }
            Err(f) => f,
        };
        let e = &failure.error;
        if !e.is_retryable() {
            if let (Some(predicted), Some(code)) = (&w.error, e.code()) {
                if predicted_code(predicted) == code {
                    return StepEnd::Done(format!(
                        "failed as predicted: {e}{}",
                        history_note(&history)
                    ));
                }
            }
            let text = format!("{}{}", final_error(w, e), history_note(&history));
            return if e.is_conflict() {
                StepEnd::Conflict(text)
            } else {
                StepEnd::Failed(text)
            };
        }
        if e.may_have_landed(failure.retry_after) {
            counts.read_backs += 1;
            match read_back(cluster, w, &request).await {
                ReadBack::Landed(stored) => {
                    if let Some(stored) = stored {
                        remember_version(w, &stored, versions);
                    }
                    return StepEnd::Done(format!(
                        "applied (confirmed by read-back after {e}){}",
                        history_note(&history)
                    ));
                }
                ReadBack::NotLanded => {}
                ReadBack::Undecidable(why) => {
                    return StepEnd::Failed(format!(
                        "{e}{}; it may or may not have been applied: {why}",
                        history_note(&history)
                    ))
                }
            }
        }
        if let Some(end) = retry_or_stop(&mut backoff, &request, &failure, &mut history).await {
            return end;
        }
    }
}

/// After a failed attempt known not to have landed: waits for the next attempt (`None`)
/// or ends the step (retries, deadline or Ctrl-C).
async fn retry_or_stop(
    backoff: &mut Backoff,
    request: &RawRequest,
    failure: &Failure,
    history: &mut Vec<String>,
) -> Option<StepEnd> {
    let e = failure.error.clone().with_attempts(backoff.attempts());
    let wait = if crate::interrupt::requested() {
        None
    } else {
        backoff.next_wait(request, failure)
    };
    let interrupted = match wait {
        Some(wait) => crate::interrupt::sleep(wait).await,
        None => crate::interrupt::requested(),
    };
    if interrupted {
        return Some(StepEnd::Interrupted(format!(
            "interrupted before retrying; not applied: {e}{}",
            history_note(history)
        )));
    }
    if wait.is_none() {
        return Some(StepEnd::Failed(format!("{e}{}", history_note(history))));
    }
    history.push(failure.error.to_string());
    None
}

fn remember_version(w: &WriteRecord, object: &Value, versions: &mut HashMap<String, String>) {
    let real = object
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str);
    if let (Some(predicted), Some(real)) = (predicted_version(w), real) {
        versions.insert(predicted, real.to_string());
    }
}

/// GETs the object a write was for and decides whether the write landed.
async fn read_back(cluster: &Cluster, w: &WriteRecord, request: &RawRequest) -> ReadBack {
    let namespace = (!w.namespace.is_empty()).then_some(w.namespace.as_str());
    let get = match request::get(&w.api_version, &w.kind, namespace, &w.name) {
        Ok(get) => get,
        Err(e) => return ReadBack::Undecidable(e.to_string()),
    };
    let stored = match cluster.send(&get).await {
        Ok(object) => Some(object),
        Err(e) if e.code() == Some(404) => None,
        Err(e) => return ReadBack::Undecidable(format!("reading it back failed: {e}")),
    };
    let empty = Value::Null;
    let sent = Sent {
        verb: w.verb,
        subresource: w.subresource,
        patch_type: w.patch_type,
        body: request.body.as_ref().unwrap_or(&empty),
    };
    let decision = readback::decide(sent, stored.as_ref());
    tracing::info!(path = %request.path, "read back after an ambiguous failure: {decision:?}");
    decision
}

async fn send_submission(sidecars: &SidecarRoute, s: &Submission, counts: &mut Counts) -> StepEnd {
    let request = RawRequest::with_body(
        Method::POST,
        "/v0/tasks",
        "application/json",
        submission_body(s),
    );
    let mut backoff = Backoff::new(sidecars.retry());
    let mut history: Vec<String> = Vec::new();
    loop {
        let attempt = backoff.begin();
        counts.attempts = attempt;
        counts.requests += 1;
        let failure = match sidecars.attempt(&s.url, &request).await {
            Ok(_) => return StepEnd::Done(format!("accepted{}", history_note(&history))),
            Err(Err(e)) => return StepEnd::Failed(format!("sidecar rejected the task: {e}")),
            Err(Ok(f)) => f,
        };
        let e = &failure.error;
        let reach = if matches!(
            e,
            RequestError::Status {
                code: 502 | 503,
                ..
            }
        ) || !matches!(e, RequestError::Status { .. })
        {
            "sidecar unreachable"
        } else {
            "sidecar rejected the task"
        };
        if !e.is_retryable() {
            return StepEnd::Failed(format!("{reach}: {e}{}", history_note(&history)));
        }
        if e.may_have_landed(failure.retry_after) {
            // The sidecar may have the task: ask it before sending it a second time.
            counts.read_backs += 1;
            let known = match &s.request.id {
                None => Err("the task has no id to look it up by".to_string()),
                Some(id) => {
                    let get = RawRequest::get(format!("/v0/tasks/{id}"));
                    match sidecars.send(&s.url, get).await {
                        Ok(_) => Ok(true),
                        Err(SidecarError::NotFound) => Ok(false),
                        Err(other) => {
                            Err(format!("asking the sidecar for the task failed: {other}"))
                        }
                    }
                }
            };
            match known {
                Ok(true) => {
                    return StepEnd::Done(format!(
                        "accepted (confirmed by read-back after {e}){}",
                        history_note(&history)
                    ))
                }
                Ok(false) => {}
                Err(why) => {
                    return StepEnd::Failed(format!(
                        "{reach}: {e}{}; the task may or may not have been accepted ({why}); not sent again",
                        history_note(&history)
                    ))
                }
            }
        }
        if let Some(end) = retry_or_stop(&mut backoff, &request, &failure, &mut history).await {
            return match end {
                StepEnd::Failed(text) => StepEnd::Failed(format!("{reach}: {text}")),
                other => other,
            };
        }
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
