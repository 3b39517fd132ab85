//! The machine-readable plan (`-o json|yaml`, `formatVersion` 2): the `simulate` trace of every
//! reconcile (PARITY.md §3, unchanged: the trace itself is built by the core) plus what a CI job
//! needs without reading the trace: the `summary` counts (the same [`Summary`] as the text
//! summary line), the `targets` as a list, the `problems`, and an `action` on every write.
//!
//! The document is a set of wire types borrowing the report ([`wire`]): a fleet-sized plan is
//! serialised straight from its trace, without first copying it into one JSON value.

use std::io::{self, Write};

use rayon::prelude::*;
use serde::ser::SerializeMap;
use serde::Serialize;
use serde_json::Value;

use super::changes::{verdict, Action, IgnorePath};
use super::summary::{problems, Summary};
use crate::engine::plan::{PlanReport, ReconcileStep, TargetRef, Verdict};
use crate::engine::trace::{FinalObject, TraceJson, WriteJson};
use crate::world::compact::StoredObject;
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
    pub fn of(target: &'a TargetRef, verdict: Option<&Verdict>) -> Self {
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

/// One reconcile of the plan document as it stands in `reconciles` (pretty, indented
/// for its place), so a plan can be written target by target.
pub fn reconcile_bytes(target: &TargetRef, step: &ReconcileStep, ignore: &[IgnorePath]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(4096);
    buf.extend_from_slice(b"    ");
    let wire = step
        .trace
        .wire_with(Some(target.to_string()), |w| JudgedWrite::of(w, ignore));
    // Writing wire types to memory cannot fail.
    let _ = write_nested(&mut buf, 2, &wire);
    buf
}

/// The parts of a plan document known only once every target is done.
pub struct DocumentEnd<'a> {
    pub summary: &'a Summary,
    pub targets: Vec<TargetJson<'a>>,
    pub problems: &'a [String],
    /// Every target, `, `-separated (the trace's `target`).
    pub target: String,
    pub now: &'a str,
    pub final_objects: &'a [StoredObject],
    /// A live plan's `live` member, written last.
    pub live: Option<&'a Value>,
}

/// Writes the plan document (and a newline) with the reconciles rendered by
/// [`reconcile_bytes`], in run order: the same bytes as serialising [`wire`].
pub fn write_document<'r>(
    out: &mut dyn Write,
    end: &DocumentEnd<'_>,
    reconciles: impl IntoIterator<Item = &'r [u8]>,
) -> io::Result<()> {
    out.write_all(b"{\n")?;
    member(out, "formatVersion", &FORMAT_VERSION)?;
    out.write_all(b",\n")?;
    member(out, "summary", &end.summary.to_json())?;
    out.write_all(b",\n")?;
    member(out, "targets", &end.targets)?;
    out.write_all(b",\n")?;
    member(out, "problems", &end.problems)?;
    out.write_all(b",\n")?;
    member(out, "target", &end.target)?;
    out.write_all(b",\n")?;
    member(out, "now", &end.now)?;
    out.write_all(b",\n  \"reconciles\": [")?;
    let mut first = true;
    for r in reconciles {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        out.write_all(r)?;
        first = false;
    }
    out.write_all(if first { b"],\n" } else { b"\n  ],\n" })?;
    write_final_objects(out, end.final_objects)?;
    if let Some(live) = end.live {
        out.write_all(b",\n")?;
        member(out, "live", live)?;
    }
    out.write_all(b"\n}\n")
}

/// Objects of `finalObjects` decoded and written per chunk on the rayon pool, at most.
const FINAL_CHUNK: usize = 512;
/// Chunks of fewer objects are written serially.
const PARALLEL_CHUNK: usize = 64;
/// Stored bytes per chunk, at most (so large objects are not held rendered: one that
/// fills a chunk alone is written straight out).
const FINAL_CHUNK_BYTES: usize = 1 << 20;

/// The objects of `finalObjects` in chunks of at most [`FINAL_CHUNK`] objects and about
/// [`FINAL_CHUNK_BYTES`] of stored text (an object still parsed counts as 1 KiB).
fn final_chunks(objects: &[StoredObject]) -> impl Iterator<Item = &[StoredObject]> {
    let mut rest = objects;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut bytes = 0;
        let end = rest
            .iter()
            .take(FINAL_CHUNK)
            .position(|o| {
                bytes += match o {
                    StoredObject::Text(text) => text.len(),
                    StoredObject::Parsed(_) => 1024,
                };
                bytes > FINAL_CHUNK_BYTES
            })
            .map_or(rest.len().min(FINAL_CHUNK), |i| i.max(1));
        let (chunk, tail) = rest.split_at(end);
        rest = tail;
        Some(chunk)
    })
}

/// The `finalObjects` member, the largest of a fleet's document: its objects are decoded
/// and written on the rayon pool a chunk at a time and copied out in order, the same
/// bytes as `member(out, "finalObjects", &FinalObjects(objects))`.
fn write_final_objects(out: &mut dyn Write, objects: &[StoredObject]) -> io::Result<()> {
    out.write_all(b"  \"finalObjects\": [")?;
    if objects.is_empty() {
        return out.write_all(b"]");
    }
    let mut first = true;
    for chunk in final_chunks(objects) {
        if chunk.len() < PARALLEL_CHUNK {
            // Large objects (alone in their chunk) and the last few are written straight
            // out: rendering them apart buys nothing and would hold them twice.
            for object in chunk {
                element_start(out, &mut first)?;
                match at_rest(object) {
                    Some(text) => {
                        let mut buf = Vec::new();
                        super::pretty_compact::write_pretty(&text, 2, &mut buf);
                        out.write_all(&buf)?;
                    }
                    None => write_nested(&mut *out, 2, &FinalObject(object))?,
                }
            }
            continue;
        }
        let rendered: Vec<Vec<u8>> = chunk
            .par_iter()
            .map(|o| {
                let mut buf = Vec::with_capacity(1024);
                match at_rest(o) {
                    Some(text) => super::pretty_compact::write_pretty(&text, 2, &mut buf),
                    // Writing to memory cannot fail.
                    None => drop(write_nested(&mut buf, 2, &FinalObject(o))),
                }
                buf
            })
            .collect();
        for bytes in &rendered {
            element_start(out, &mut first)?;
            out.write_all(bytes)?;
        }
    }
    out.write_all(b"\n  ]")
}

/// The compact text of an object at rest that `finalObjects` lists as it is (nothing to
/// leave out), to be re-indented rather than decoded and serialised again.
fn at_rest(object: &StoredObject) -> Option<std::borrow::Cow<'_, str>> {
    match object {
        StoredObject::Text(text) if !text.contains_key("\"managedFields\"") => Some(text.text()),
        _ => None,
    }
}

/// What precedes an element of `finalObjects`: its separator and indentation.
fn element_start(out: &mut dyn Write, first: &mut bool) -> io::Result<()> {
    let start: &[u8] = if std::mem::replace(first, false) {
        b"\n    "
    } else {
        b",\n    "
    };
    out.write_all(start)
}

/// `  "key": value` as a pretty member of the document's top level.
fn member(out: &mut dyn Write, key: &str, value: &impl Serialize) -> io::Result<()> {
    out.write_all(b"  ")?;
    serde_json::to_writer(&mut *out, key)?;
    out.write_all(b": ")?;
    write_nested(&mut *out, 1, value)?;
    Ok(())
}

/// serde_json's pretty format (two spaces per level) for a value that starts `depth` levels
/// into a pretty document: what pretty-printing it alone and indenting each of its lines
/// after the first would give, written straight, with no pass over the bytes.
struct NestedPretty {
    depth: usize,
    has_value: bool,
}

impl NestedPretty {
    fn at(depth: usize) -> Self {
        NestedPretty {
            depth,
            has_value: false,
        }
    }

    fn open<W: Write + ?Sized>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    fn close<W: Write + ?Sized>(&mut self, out: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.depth -= 1;
        if self.has_value {
            self.newline(out)?;
        }
        out.write_all(bracket)
    }

    fn newline<W: Write + ?Sized>(&self, out: &mut W) -> io::Result<()> {
        out.write_all(b"\n")?;
        for _ in 0..self.depth {
            out.write_all(b"  ")?;
        }
        Ok(())
    }

    fn item<W: Write + ?Sized>(&self, out: &mut W, first: bool) -> io::Result<()> {
        if !first {
            out.write_all(b",")?;
        }
        self.newline(out)
    }
}

impl serde_json::ser::Formatter for NestedPretty {
    fn begin_array<W: Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"[")
    }

    fn end_array<W: Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"]")
    }

    fn begin_array_value<W: Write + ?Sized>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.item(out, first)
    }

    fn end_array_value<W: Write + ?Sized>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        self.open(out, b"{")
    }

    fn end_object<W: Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        self.close(out, b"}")
    }

    fn begin_object_key<W: Write + ?Sized>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        self.item(out, first)
    }

    fn begin_object_value<W: Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: Write + ?Sized>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Writes `value` pretty, `depth` levels into the document.
fn write_nested<W: Write>(out: W, depth: usize, value: &impl Serialize) -> serde_json::Result<()> {
    value.serialize(&mut serde_json::Serializer::with_formatter(
        out,
        NestedPretty::at(depth),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::plan::{plan, targets_of, PlanOptions};
    use crate::env::Clock;

    /// A live plan's document, written target by target with its `live` member last, is
    /// the whole plan document with that member added, serialised pretty.
    #[test]
    fn the_live_document_is_the_plan_document_with_its_live_member_last() {
        use crate::render::plan_stream::{Format, PlanWriter, Render};
        let objects =
            crate::cli::input::read_objects(&["examples/genesis-devnet/devnet.yaml".into()], false)
                .expect("example loads")
                .objects;
        let options = PlanOptions::new(Clock::parse("2026-01-01T00:00:00Z").unwrap());
        let report = plan(&objects, &targets_of(&objects), &options).expect("plans");
        let live = serde_json::json!({"context": "c", "objectsRead": 3, "ownedObjects": [{"kind": "Service"}]});
        let mut whole = document(&report, &[]);
        whole["live"] = live.clone();
        let render = Render {
            format: Format::Json,
            view: Default::default(),
        };
        let mut streamed = Vec::new();
        let mut writer = PlanWriter::new(&mut streamed).with_live(Some(live));
        report
            .targets
            .iter()
            .for_each(|t| writer.push(render.target(t)));
        writer
            .end(&render, &report.now, &report.final_objects)
            .1
            .unwrap();
        let mut expected = serde_json::to_vec_pretty(&whole).unwrap();
        expected.push(b'\n');
        assert_eq!(
            String::from_utf8(streamed).unwrap(),
            String::from_utf8(expected).unwrap()
        );
    }

    #[test]
    fn final_objects_written_in_chunks_are_the_serialised_member() {
        use crate::engine::trace::FinalObjects;
        use crate::world::compact::{encode_text, StoredObject};
        // Both stored forms, some with managedFields to leave out (the others' text is
        // re-indented as it is), over several chunks.
        let object = |i: usize| {
            let mut o = serde_json::json!({"kind": "ConfigMap", "metadata": {"name": format!("c{i}")},
                "data": {"k": i.to_string(), "e": "\"{[,:]}\" é", "empty": {}, "list": [[], [1]]}});
            if i.is_multiple_of(3) {
                o["metadata"]["managedFields"] = serde_json::json!([{"manager": "m"}]);
            }
            o
        };
        for count in [0, 1, PARALLEL_CHUNK + 1, FINAL_CHUNK, 2 * FINAL_CHUNK + 3] {
            let objects: Vec<StoredObject> = (0..count)
                .map(|i| match i % 2 {
                    0 => StoredObject::Parsed(std::sync::Arc::new(object(i))),
                    _ => StoredObject::Text(encode_text(&object(i)).expect("encodes").into()),
                })
                .collect();
            let mut chunked = Vec::new();
            write_final_objects(&mut chunked, &objects).unwrap();
            let mut whole = Vec::new();
            member(&mut whole, "finalObjects", &FinalObjects(&objects)).unwrap();
            assert_eq!(
                String::from_utf8(chunked).unwrap(),
                String::from_utf8(whole).unwrap(),
                "{count} objects"
            );
        }
    }

    #[test]
    fn final_object_chunks_cover_every_object_in_order_within_their_bounds() {
        use crate::world::compact::StoredObject;
        let text = |len: usize| StoredObject::Text("x".repeat(len).into());
        // Small objects: chunks of FINAL_CHUNK; 3 MiB ones: one a chunk past the byte bound.
        let small: Vec<StoredObject> = (0..FINAL_CHUNK + 10).map(|_| text(10)).collect();
        let sizes: Vec<usize> = final_chunks(&small).map(<[_]>::len).collect();
        assert_eq!(sizes, [FINAL_CHUNK, 10]);
        let large: Vec<StoredObject> = (0..5).map(|_| text(3 << 20)).collect();
        let sizes: Vec<usize> = final_chunks(&large).map(<[_]>::len).collect();
        assert_eq!(sizes, [1, 1, 1, 1, 1]);
        let huge = [text(FINAL_CHUNK_BYTES * 2)];
        assert_eq!(final_chunks(&huge).map(<[_]>::len).collect::<Vec<_>>(), [1]);
        assert_eq!(final_chunks(&[]).count(), 0);
    }

    /// The old way: pretty-print alone, then indent every line after the first.
    fn indented(value: &Value, depth: usize) -> String {
        let pretty = serde_json::to_string_pretty(value).unwrap();
        pretty.replace('\n', &format!("\n{}", "  ".repeat(depth)))
    }

    #[test]
    fn nested_pretty_is_pretty_output_indented_for_its_place() {
        let value = serde_json::json!({
            "a": [], "b": {}, "c": [1, [2, []], {"d": {"e": [true, null, "x\ny"]}}],
            "f": {"g": [{}], "h": 1.5}, "i": "",
        });
        for depth in [0, 1, 2, 5] {
            let mut buf = Vec::new();
            write_nested(&mut buf, depth, &value).unwrap();
            assert_eq!(
                String::from_utf8(buf).unwrap(),
                indented(&value, depth),
                "depth {depth}"
            );
        }
        for scalar in [
            serde_json::json!(1),
            serde_json::json!("s"),
            serde_json::json!([]),
        ] {
            let mut buf = Vec::new();
            write_nested(&mut buf, 2, &scalar).unwrap();
            assert_eq!(String::from_utf8(buf).unwrap(), indented(&scalar, 2));
        }
    }
}
