//! The trace document (PARITY.md §3): per reconcile, its result, error, writes,
//! sidecar calls, events and DNS lookups; then every object left in the store.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use crate::env::{go_duration, Event, ReconcileOutcome};
use crate::sidecar::SidecarCall;
use crate::world::{kinds::TRACE_KINDS, ApiServer, WriteRecord};

/// What one reconcile did.
#[derive(Debug, Clone)]
pub struct ReconcileTrace {
    pub index: usize,
    pub outcome: ReconcileOutcome,
    pub writes: Vec<WriteRecord>,
    pub sidecar_calls: Vec<SidecarCall>,
    pub events: Vec<Event>,
    pub dns_lookups: Vec<String>,
}

/// A whole run.
#[derive(Debug, Clone)]
pub struct Trace {
    /// `<kind> <namespace>/<name>`.
    pub target: String,
    pub now: String,
    pub reconciles: Vec<ReconcileTrace>,
    pub final_objects: Vec<Arc<Value>>,
}

impl Trace {
    /// The trace as the JSON document compared with `expected.json`.
    pub fn to_json(&self) -> Value {
        json!({
            "target": self.target,
            "now": self.now,
            "reconciles": self.reconciles.iter().map(ReconcileTrace::to_json).collect::<Vec<_>>(),
            "finalObjects": self.final_objects.iter().map(|o| Value::clone(o)).collect::<Vec<_>>(),
        })
    }
}

impl ReconcileTrace {
    pub fn to_json(&self) -> Value {
        let after = self.outcome.result.after;
        json!({
            "index": self.index,
            "result": {
                "requeue": self.outcome.result.requeue,
                "requeueAfter": go_duration(after),
                "requeueAfterNs": u64::try_from(after.as_nanos()).unwrap_or(u64::MAX),
            },
            "error": self.outcome.error,
            "writes": self.writes.iter().map(write_json).collect::<Vec<_>>(),
            "sidecarCalls": self.sidecar_calls,
            "events": self.events,
            "dnsLookups": self.dns_lookups,
        })
    }
}

/// A write record as trace JSON (PARITY.md §3.2).
pub fn write_json(w: &WriteRecord) -> Value {
    let mut m = Map::new();
    m.insert("seq".into(), json!(w.seq));
    m.insert("verb".into(), json!(w.verb));
    if let Some(sub) = w.subresource {
        m.insert("subresource".into(), json!(sub));
    }
    m.insert("apiVersion".into(), json!(w.api_version));
    m.insert("kind".into(), json!(w.kind));
    m.insert("namespace".into(), json!(w.namespace));
    m.insert("name".into(), json!(w.name));
    if let Some(pt) = w.patch_type {
        m.insert("patchType".into(), json!(pt));
    }
    if let Some(p) = &w.patch {
        m.insert("patch".into(), json!(p.to_string()));
        m.insert("patchParsed".into(), Value::clone(p));
    }
    if let Some(o) = &w.object {
        m.insert("object".into(), Value::clone(o));
    }
    if let Some(fm) = &w.field_manager {
        m.insert("fieldManager".into(), json!(fm));
    }
    if let Some(f) = w.force {
        m.insert("force".into(), json!(f));
    }
    if let Some(pp) = &w.propagation_policy {
        m.insert("propagationPolicy".into(), json!(pp));
    }
    m.insert("error".into(), json!(w.error));
    Value::Object(m)
}

/// The objects listed in `finalObjects`: the trace kinds, installed optional kinds
/// and every kind present in the initial cluster, sorted by kind/namespace/name.
pub fn final_objects(api: &ApiServer, extra_kinds: &[String]) -> Vec<Arc<Value>> {
    api.all_objects()
        .into_iter()
        .filter(|o| {
            let kind = o.get("kind").and_then(Value::as_str).unwrap_or("");
            TRACE_KINDS.contains(&kind) || extra_kinds.iter().any(|k| k == kind)
        })
        .map(|o| {
            let has_managed_fields = o
                .get("metadata")
                .is_some_and(|m| m.get("managedFields").is_some());
            if !has_managed_fields {
                return Arc::clone(o);
            }
            let mut o = Value::clone(o);
            if let Some(meta) = o.get_mut("metadata").and_then(Value::as_object_mut) {
                meta.remove("managedFields");
            }
            Arc::new(o)
        })
        .collect()
}
