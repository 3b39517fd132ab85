//! The steps an apply sends, as a plan produces them and a saved plan holds them: API
//! writes and sidecar submissions, in the order the reconcile made them. A leaf of
//! `live/`: the planner side, the saved-plan file and the sender all build on it.

use crate::sidecar::{TaskRequest, Via};
use crate::world::{WriteRecord, APPLY_PATCH};

/// A submission the core made, in order, with the seq of the last API write before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Submission {
    pub after_write: u64,
    pub via: Via,
    pub url: String,
    pub request: TaskRequest,
    /// The id the simulation assumed (the request's id, or a generated one).
    pub id: String,
}

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
