//! The machine-readable plan (`-o json|yaml`, `formatVersion` 2): the `simulate` trace of every
//! reconcile (PARITY.md §3, unchanged: the trace itself is built by the core) plus what a CI job
//! needs without reading the trace: the `summary` counts (the same [`Summary`] as the text
//! summary line), the `targets` as a list, the `problems`, and an `action` on every write.
//!
//! The document is a set of wire types borrowing the report ([`wire`]): a fleet-sized plan is
//! serialised straight from its trace, without first copying it into one JSON value.

use serde::ser::SerializeMap;
use serde::Serialize;
use serde_json::Value;

use super::changes::{verdict, Action, IgnorePath};
use super::summary::{problems, Summary};
use crate::engine::plan::{PlanReport, TargetRef, Verdict};
use crate::engine::trace::{TraceJson, WriteJson};
use crate::world::WriteRecord;

/// Version of the plan document; 2 added `summary`, `targets`, `problems` and `action`.
pub const FORMAT_VERSION: u64 = 2;

/// The plan document, borrowing the report.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanDocument<'a> {
    pub format_version: u64,
    pub summary: Value,
    pub targets: Vec<TargetJson<'a>>,
    pub problems: Vec<String>,
    /// The trace members (`target`, `now`, `reconciles`, `finalObjects`), without its own
    /// `formatVersion`.
    #[serde(flatten)]
    pub trace: TraceJson<'a, JudgedWrite<'a>>,
}

/// One entry of `targets`.
#[derive(Debug, Serialize)]
pub struct TargetJson<'a> {
    pub kind: &'a str,
    pub namespace: &'a str,
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<String>,
}

impl<'a> TargetJson<'a> {
    fn of(target: &'a TargetRef, verdict: Option<&Verdict>) -> Self {
        TargetJson {
            kind: &target.kind,
            namespace: &target.namespace,
            name: &target.name,
            verdict: verdict.map(Verdict::to_string),
        }
    }
}

/// A trace write with the plan's judgement of it: `action`, and for a forbidden update the
/// API server's `reason`.
#[derive(Debug)]
pub struct JudgedWrite<'a> {
    write: WriteJson<'a>,
    action: Action,
    reason: Option<String>,
}

impl<'a> JudgedWrite<'a> {
    fn of(write: &'a WriteRecord, ignore: &[IgnorePath]) -> Self {
        let (action, reason) = verdict(write, ignore);
        JudgedWrite {
            write: WriteJson(write),
            action,
            reason: reason.filter(|_| action == Action::Forbidden),
        }
    }
}

impl Serialize for JudgedWrite<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut m = serializer.serialize_map(None)?;
        self.write.entries(&mut m)?;
        m.serialize_entry("action", self.action.label())?;
        if self.action == Action::Forbidden {
            m.serialize_entry("reason", &self.reason)?;
        }
        m.end()
    }
}

/// The plan document as wire types; `ignore` (the `--ignore-path`s) decides no-ops exactly as
/// in the text.
pub fn wire<'a>(report: &'a PlanReport, ignore: &[IgnorePath]) -> PlanDocument<'a> {
    let mut trace = report.wire_with(|w| JudgedWrite::of(w, ignore));
    trace.format_version = None;
    PlanDocument {
        format_version: FORMAT_VERSION,
        summary: Summary::of(report, ignore).to_json(),
        targets: report
            .targets
            .iter()
            .map(|t| TargetJson::of(&t.target, t.verdict.as_ref()))
            .collect(),
        problems: problems(report, ignore),
        trace,
    }
}

/// The plan document as one JSON value (for callers that add members to it).
pub fn document(report: &PlanReport, ignore: &[IgnorePath]) -> Value {
    serde_json::to_value(wire(report, ignore)).unwrap_or(Value::Null)
}
