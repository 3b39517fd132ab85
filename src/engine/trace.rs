//! The trace document (PARITY.md §3): per reconcile, its result, error, writes,
//! sidecar calls, events and DNS lookups; then every object left in the store.

use serde::Serialize;
use serde_json::Value;

use crate::env::{go_duration, Event, ReconcileOutcome};
use crate::sidecar::SidecarCall;
use crate::world::compact::StoredObject;
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
    pub final_objects: Vec<StoredObject>,
}

impl Trace {
    /// The trace as the JSON document compared with `expected.json`.
    pub fn to_json(&self) -> Value {
        to_value(&self.wire())
    }

    /// The trace document, borrowing everything it shows (serialise it directly).
    pub fn wire(&self) -> TraceJson<'_> {
        TraceJson {
            format_version: None,
            target: self.target.clone(),
            now: &self.now,
            reconciles: self.reconciles.iter().map(|r| r.wire(None)).collect(),
            final_objects: FinalObjects(&self.final_objects),
            verdict: None,
        }
    }
}

impl ReconcileTrace {
    pub fn to_json(&self) -> Value {
        to_value(&self.wire(None))
    }

    /// This reconcile as trace JSON; `target` names it in a multi-target plan.
    pub fn wire(&self, target: Option<String>) -> ReconcileJson<'_> {
        self.wire_with(target, WriteJson)
    }

    /// [`ReconcileTrace::wire`] with each write shown by `write` (e.g. a write with the
    /// plan's judgement of it).
    pub fn wire_with<'a, W>(
        &'a self,
        target: Option<String>,
        write: impl FnMut(&'a WriteRecord) -> W,
    ) -> ReconcileJson<'a, W> {
        let after = self.outcome.result.after;
        ReconcileJson {
            index: self.index,
            result: ResultJson {
                requeue: self.outcome.result.requeue,
                requeue_after: go_duration(after),
                requeue_after_ns: u64::try_from(after.as_nanos()).unwrap_or(u64::MAX),
            },
            error: self.outcome.error.as_deref(),
            writes: self.writes.iter().map(write).collect(),
            sidecar_calls: &self.sidecar_calls,
            events: &self.events,
            dns_lookups: &self.dns_lookups,
            target,
        }
    }
}

/// A serialised value that cannot fail to convert (every wire type is plain data).
fn to_value(wire: &impl Serialize) -> Value {
    serde_json::to_value(wire).unwrap_or(Value::Null)
}

/// The trace document (PARITY.md §3), and the plan document (with `formatVersion`
/// and, for a settled run, `verdict`). Serialised from borrowed data: writing a
/// fleet-sized plan costs no copy of its objects.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TraceJson<'a, W = WriteJson<'a>> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format_version: Option<u32>,
    pub target: String,
    pub now: &'a str,
    pub reconciles: Vec<ReconcileJson<'a, W>>,
    pub final_objects: FinalObjects<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Value>,
}

/// `finalObjects`: the stored objects, serialised through their shared handles
/// without `metadata.managedFields` (PARITY.md §3.5) — stripped while writing, not
/// by copying each object.
#[derive(Debug)]
pub struct FinalObjects<'a>(pub &'a [StoredObject]);

impl Serialize for FinalObjects<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for o in self.0 {
            seq.serialize_element(&FinalObject(o))?;
        }
        seq.end()
    }
}

/// One element of [`FinalObjects`] (a renderer may write the elements on its own).
#[derive(Debug)]
pub struct FinalObject<'a>(pub &'a StoredObject);

impl Serialize for FinalObject<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // A compact object is decoded for this element only.
        Omitting {
            value: &self.0.value(),
            path: &["metadata", "managedFields"],
        }
        .serialize(serializer)
    }
}

/// A value serialised without the member at `path` (a chain of object keys).
struct Omitting<'a> {
    value: &'a Value,
    path: &'a [&'a str],
}

impl Serialize for Omitting<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let (Value::Object(map), Some((first, rest))) = (self.value, self.path.split_first())
        else {
            return self.value.serialize(serializer);
        };
        if !map.contains_key(*first) {
            return self.value.serialize(serializer);
        }
        let mut m = serializer.serialize_map(None)?;
        for (key, value) in map {
            match (key == first, rest.is_empty()) {
                (true, true) => {}
                (true, false) => m.serialize_entry(key, &Omitting { value, path: rest })?,
                (false, _) => m.serialize_entry(key, value)?,
            }
        }
        m.end()
    }
}

/// One reconcile (PARITY.md §3.1); `W` shows a write ([`WriteJson`] in a trace).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReconcileJson<'a, W = WriteJson<'a>> {
    pub index: usize,
    pub result: ResultJson,
    pub error: Option<&'a str>,
    pub writes: Vec<W>,
    pub sidecar_calls: &'a [SidecarCall],
    pub events: &'a [Event],
    pub dns_lookups: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

/// A reconcile's result.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResultJson {
    pub requeue: bool,
    pub requeue_after: String,
    pub requeue_after_ns: u64,
}

/// A write record as trace JSON (PARITY.md §3.2).
#[derive(Debug)]
pub struct WriteJson<'a>(pub &'a WriteRecord);

impl Serialize for WriteJson<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = serializer.serialize_map(None)?;
        self.entries(&mut m)?;
        m.end()
    }
}

impl WriteJson<'_> {
    /// The members of the write, in order, into a map being serialised (so a wrapper can
    /// add its own after them).
    pub fn entries<M: serde::ser::SerializeMap>(&self, m: &mut M) -> Result<(), M::Error> {
        let w = self.0;
        m.serialize_entry("seq", &w.seq)?;
        m.serialize_entry("verb", w.verb)?;
        if let Some(sub) = w.subresource {
            m.serialize_entry("subresource", sub)?;
        }
        m.serialize_entry("apiVersion", &w.api_version)?;
        m.serialize_entry("kind", &w.kind)?;
        m.serialize_entry("namespace", &w.namespace)?;
        m.serialize_entry("name", &w.name)?;
        if let Some(pt) = w.patch_type {
            m.serialize_entry("patchType", pt)?;
        }
        if let Some(p) = &w.patch {
            // serde_json's own writer: `Display` goes through the formatting machinery.
            let text = serde_json::to_string(&**p).unwrap_or_default();
            m.serialize_entry("patch", &text)?;
            m.serialize_entry("patchParsed", &**p)?;
        }
        if let Some(o) = &w.object {
            m.serialize_entry("object", &**o)?;
        }
        if let Some(fm) = &w.field_manager {
            m.serialize_entry("fieldManager", fm)?;
        }
        if let Some(f) = w.force {
            m.serialize_entry("force", &f)?;
        }
        if let Some(pp) = &w.propagation_policy {
            m.serialize_entry("propagationPolicy", pp)?;
        }
        m.serialize_entry("error", &w.error)
    }
}

/// A write record as trace JSON (PARITY.md §3.2).
pub fn write_json(w: &WriteRecord) -> Value {
    to_value(&WriteJson(w))
}

/// The objects listed in `finalObjects`: the trace kinds, installed optional kinds
/// and every kind present in the initial cluster, sorted by kind/namespace/name
/// (shared with the store; [`FinalObjects`] leaves out their managedFields).
pub fn final_objects(api: &ApiServer, extra_kinds: &[String]) -> Vec<StoredObject> {
    api.objects_of_kinds(
        |kind| TRACE_KINDS.contains(&kind) || extra_kinds.iter().any(|k| k == kind),
        |_, o| o,
    )
}
