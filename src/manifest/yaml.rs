//! Builds JSON values and the position index from YAML parser events (granit-parser).

use std::collections::HashMap;
use std::sync::Arc;

use granit_parser::{Event, Marker, Options, Parser, ScalarStyle, Span as PSpan};
use serde_json::map::Entry;
use serde_json::{Map, Value};

use super::path::{child_index, child_key};
use super::scalar::{resolve_plain, resolve_tagged};
use super::{Document, LoadError, LoadErrorKind, NodePos, Positions, SourceFile, Span};

/// Upper bound on nodes materialised through aliases in one document ("billion laughs" guard).
const ALIAS_NODE_BUDGET: usize = 100_000;
/// Deepest nesting of mappings and sequences accepted (Sei manifests nest about 15 deep; a
/// deeper document is hostile and would make every later recursive walk deeper).
pub const MAX_DEPTH: usize = 100;
/// Longest scalar accepted, in bytes (the API server refuses objects over 1.5 MiB).
pub const MAX_SCALAR_BYTES: usize = 1 << 20;
/// Upper bound on errors collected from one stream before giving up.
const MAX_ERRORS_PER_FILE: usize = 100;

fn span_of(m: &Marker) -> Span {
    Span {
        line: m.line() as u32,
        column: m.col() as u32 + 1,
    }
}

/// A container under construction.
enum Frame {
    Map {
        obj: Map<String, Value>,
        /// Length of the builder's path string for this container.
        path_len: usize,
        anchor: usize,
        /// The key read but whose value is still pending: (key, key span, is a merge key `<<`).
        pending: Option<(String, Span, bool)>,
        /// Keys that came from `<<` merges and may be overridden by explicit keys.
        merged: Vec<String>,
    },
    Seq {
        arr: Vec<Value>,
        path_len: usize,
        anchor: usize,
    },
}

/// Per-document builder state.
struct Builder<'a> {
    source: &'a Arc<SourceFile>,
    index: usize,
    stack: Vec<Frame>,
    /// Start positions of the open containers (parallel to `stack`).
    starts: Vec<Span>,
    /// The position entries of the open containers (parallel to `stack`).
    nodes: Vec<usize>,
    path: String,
    positions: Positions,
    anchors: HashMap<usize, (Value, usize)>,
    alias_nodes: usize,
    root: Option<Value>,
    start: Span,
}

fn count_nodes(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(count_nodes).sum::<usize>(),
        Value::Object(o) => 1 + o.values().map(count_nodes).sum::<usize>(),
        _ => 1,
    }
}

impl<'a> Builder<'a> {
    fn new(source: &'a Arc<SourceFile>, index: usize, start: Span) -> Self {
        Builder {
            source,
            index,
            stack: Vec::new(),
            starts: Vec::new(),
            nodes: Vec::new(),
            path: String::new(),
            positions: Positions::default(),
            anchors: HashMap::new(),
            alias_nodes: 0,
            root: None,
            start,
        }
    }

    fn err(&self, kind: LoadErrorKind, span: Span, message: impl Into<String>) -> LoadError {
        LoadError {
            kind,
            file: self.source.name.clone(),
            span,
            document: Some(self.index),
            message: message.into(),
            source_file: Some(self.source.clone()),
        }
    }

    /// True when the next node is a mapping key rather than a value.
    fn expecting_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { pending: None, .. }))
    }

    /// Extends the path for a node that starts now and records its position.
    /// Returns the path length of the parent, to restore afterwards.
    fn enter_node(&mut self, at: Span) -> usize {
        let parent_len = self.path.len();
        let key_span = match self.stack.last() {
            Some(Frame::Map {
                pending: Some((k, ks, _)),
                ..
            }) => {
                child_key(&mut self.path, k);
                Some(*ks)
            }
            Some(Frame::Seq { arr, .. }) => {
                child_index(&mut self.path, arr.len());
                None
            }
            _ => None,
        };
        self.positions.insert_child(
            self.nodes.last().copied(),
            &self.path[parent_len..],
            NodePos {
                key: key_span,
                value: at,
            },
        );
        parent_len
    }

    /// Attaches a finished value to its parent (or makes it the root).
    fn attach(&mut self, value: Value, at: Span) -> Result<(), LoadError> {
        let err_dup = |b: &Self, key: &str, ks: Span| {
            b.err(
                LoadErrorKind::DuplicateKey,
                ks,
                format!("duplicate key {key:?} in mapping"),
            )
        };
        match self.stack.last_mut() {
            None => {
                self.root = Some(value);
                Ok(())
            }
            Some(Frame::Seq { arr, .. }) => {
                arr.push(value);
                Ok(())
            }
            Some(Frame::Map {
                obj,
                pending,
                merged,
                ..
            }) => {
                let (key, ks, is_merge) = pending.take().expect("value without key");
                if is_merge {
                    let sources: Vec<Value> = match value {
                        Value::Object(_) => vec![value],
                        Value::Array(items) if items.iter().all(Value::is_object) => items,
                        _ => {
                            return Err(self.err(
                                LoadErrorKind::Alias,
                                at,
                                "merge key `<<` needs a mapping or a list of mappings",
                            ))
                        }
                    };
                    for src in sources {
                        if let Value::Object(m) = src {
                            for (k, v) in m {
                                if !obj.contains_key(&k) {
                                    merged.push(k.clone());
                                    obj.insert(k, v);
                                }
                            }
                        }
                    }
                    return Ok(());
                }
                match obj.entry(key) {
                    Entry::Vacant(slot) => {
                        slot.insert(value);
                    }
                    Entry::Occupied(mut slot) => {
                        // A key that came from a merge may be overridden once, in place.
                        match merged.iter().position(|m| m == slot.key()) {
                            Some(i) => {
                                merged.swap_remove(i);
                                slot.insert(value);
                            }
                            None => {
                                let key = slot.key().clone();
                                return Err(err_dup(self, &key, ks));
                            }
                        }
                    }
                }
                Ok(())
            }
        }
    }

    fn remember_anchor(&mut self, anchor: usize, value: &Value) {
        if anchor != 0 {
            self.anchors
                .insert(anchor, (value.clone(), count_nodes(value)));
        }
    }

    fn on_key(&mut self, key: String, at: Span, plain: bool) -> Result<(), LoadError> {
        if let Some(Frame::Map { obj, pending, .. }) = self.stack.last_mut() {
            let _ = obj;
            let is_merge = plain && key == "<<";
            *pending = Some((key, at, is_merge));
        }
        Ok(())
    }

    fn on_event(&mut self, ev: Event<'_>, span: PSpan) -> Result<(), LoadError> {
        let at = span_of(&span.start);
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                if text.len() > MAX_SCALAR_BYTES {
                    return Err(self.err(
                        LoadErrorKind::Limit,
                        at,
                        format!(
                            "a scalar of {} bytes is longer than the limit of {MAX_SCALAR_BYTES} bytes",
                            text.len()
                        ),
                    ));
                }
                let plain = style == ScalarStyle::Plain;
                let value = match (&tag, plain) {
                    (Some(t), _) if t.handle() == "tag:yaml.org,2002:" => {
                        resolve_tagged(t.suffix(), &text)
                    }
                    (_, true) => resolve_plain(&text),
                    _ => Ok(Value::String(text.to_string())),
                }
                .map_err(|m| self.err(LoadErrorKind::Unsupported, at, m))?;
                if self.expecting_key() {
                    let key = match value {
                        Value::String(s) => s,
                        Value::Null => "null".to_string(),
                        _ => text.to_string(),
                    };
                    if anchor != 0 {
                        self.remember_anchor(anchor, &Value::String(key.clone()));
                    }
                    return self.on_key(key, at, plain);
                }
                let parent_len = self.enter_node(at);
                self.path.truncate(parent_len);
                self.remember_anchor(anchor, &value);
                self.attach(value, at)
            }
            Event::MappingStart(_, anchor, _) | Event::SequenceStart(_, anchor, _) => {
                if self.expecting_key() {
                    return Err(self.err(
                        LoadErrorKind::Unsupported,
                        at,
                        "complex mapping keys (a mapping or sequence used as a key) are not supported",
                    ));
                }
                if self.stack.len() >= MAX_DEPTH {
                    return Err(self.err(
                        LoadErrorKind::Limit,
                        at,
                        format!("nested deeper than the limit of {MAX_DEPTH} levels"),
                    ));
                }
                let parent_len = self.enter_node(at);
                let path_len = self.path.len();
                let frame = if matches!(ev, Event::MappingStart(..)) {
                    Frame::Map {
                        obj: Map::new(),
                        path_len,
                        anchor,
                        pending: None,
                        merged: Vec::new(),
                    }
                } else {
                    Frame::Seq {
                        arr: Vec::new(),
                        path_len,
                        anchor,
                    }
                };
                let _ = parent_len;
                self.nodes.push(self.positions.len() - 1);
                self.starts.push(at);
                self.stack.push(frame);
                Ok(())
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let frame = self.stack.pop().expect("unbalanced collection end");
                let (value, path_len, anchor) = match frame {
                    Frame::Map {
                        obj,
                        path_len,
                        anchor,
                        ..
                    } => (Value::Object(obj), path_len, anchor),
                    Frame::Seq {
                        arr,
                        path_len,
                        anchor,
                    } => (Value::Array(arr), path_len, anchor),
                };
                // Restore the path to the parent container's.
                let parent_len = match self.stack.last() {
                    Some(Frame::Map { path_len, .. }) | Some(Frame::Seq { path_len, .. }) => {
                        *path_len
                    }
                    None => 0,
                };
                let _ = path_len;
                self.path.truncate(parent_len);
                self.remember_anchor(anchor, &value);
                let start = self.starts.pop().unwrap_or(at);
                self.nodes.pop();
                self.attach(value, start)
            }
            Event::Alias(id) => {
                let (value, nodes) = match self.anchors.get(&id) {
                    Some((v, n)) => (v.clone(), *n),
                    None => {
                        return Err(self.err(
                            LoadErrorKind::Alias,
                            at,
                            "alias to an unknown anchor",
                        ))
                    }
                };
                self.alias_nodes += nodes;
                if self.alias_nodes > ALIAS_NODE_BUDGET {
                    return Err(self.err(
                        LoadErrorKind::Alias,
                        at,
                        format!(
                            "aliases expand to more than {ALIAS_NODE_BUDGET} nodes (possible alias bomb)"
                        ),
                    ));
                }
                if self.expecting_key() {
                    return match value {
                        Value::String(s) => self.on_key(s, at, false),
                        _ => Err(self.err(
                            LoadErrorKind::Unsupported,
                            at,
                            "an alias used as a key must refer to a string",
                        )),
                    };
                }
                let parent_len = self.enter_node(at);
                self.path.truncate(parent_len);
                self.attach(value, at)
            }
            Event::UnresolvedAlias(name) => {
                Err(self.err(LoadErrorKind::Alias, at, format!("unknown anchor *{name}")))
            }
            _ => Ok(()),
        }
    }

    fn finish(self) -> Option<Document> {
        let value = self.root?;
        if value.is_null() {
            return None;
        }
        Some(Document {
            source: self.source.clone(),
            index_in_file: self.index,
            value,
            positions: self.positions,
            start: self.start,
        })
    }
}

/// Parses every document in `source`. Errors are collected per document; parsing resumes at
/// the next document boundary when the parser allows it.
#[cfg(test)]
pub fn parse_documents(source: &Arc<SourceFile>) -> (Vec<Document>, Vec<LoadError>) {
    let mut docs = Vec::new();
    let (errors, _) = parse_text(source, &source.text, &mut |d| docs.push(d));
    (docs, errors)
}

/// Parses `text` (all or part of `source`), handing each document to `each` as soon as it is
/// complete; returns the errors and the number of documents in the stream (empty ones
/// included). Positions are relative to `text`. Documents in the common block subset are read
/// by the line scanner; from the first one outside it, granit-parser reads the rest.
pub fn parse_text(
    source: &Arc<SourceFile>,
    text: &str,
    each: &mut dyn FnMut(Document),
) -> (Vec<LoadError>, usize) {
    parse_stream(source, text, each, true)
}

fn parse_stream(
    source: &Arc<SourceFile>,
    text: &str,
    each: &mut dyn FnMut(Document),
    scan_first: bool,
) -> (Vec<LoadError>, usize) {
    let mut stream = Stream {
        source,
        each,
        errors: Vec::new(),
        index: 0,
        builder: None,
        line_offset: 0,
    };
    if scan_first {
        let mut scanner = super::yaml_block::Scanner::new(text);
        let mut events = Vec::new();
        loop {
            match scanner.next_document(&mut events) {
                super::yaml_block::Step::End => return (stream.errors, stream.index),
                super::yaml_block::Step::Document => {
                    for (ev, span) in events.drain(..) {
                        if let Some(err) = stream.feed(ev, span) {
                            if stream.fail(err) {
                                return (stream.errors, stream.index);
                            }
                            break;
                        }
                    }
                }
                super::yaml_block::Step::Outside { from, line } => {
                    stream.line_offset = line as u32 - 1;
                    stream.parse_all(&text[from..]);
                    return (stream.errors, stream.index);
                }
            }
        }
    }
    stream.parse_all(text);
    (stream.errors, stream.index)
}

/// Documents being built from a stream of events, and what came of them.
struct Stream<'s, 'f> {
    source: &'s Arc<SourceFile>,
    each: &'f mut dyn FnMut(Document),
    errors: Vec<LoadError>,
    /// Documents seen so far (empty and failed ones included).
    index: usize,
    builder: Option<Builder<'s>>,
    /// Lines before the text the events' positions count from.
    line_offset: u32,
}

impl Stream<'_, '_> {
    /// Feeds one event; the error when it ends the current document.
    fn feed(&mut self, ev: Event<'_>, span: PSpan) -> Option<LoadError> {
        match ev {
            Event::StreamStart | Event::StreamEnd => None,
            Event::DocumentStart(..) => {
                self.builder = Some(Builder::new(self.source, self.index, span_of(&span.start)));
                None
            }
            Event::DocumentEnd => {
                if let Some(mut doc) = self.builder.take().and_then(Builder::finish) {
                    if self.line_offset > 0 {
                        doc.start.line += self.line_offset;
                        doc.positions.shift_lines(self.line_offset);
                    }
                    super::list::expand(doc, self.each);
                }
                self.index += 1;
                None
            }
            ev => match self.builder.as_mut() {
                Some(b) => b.on_event(ev, span).err(),
                None => None,
            },
        }
    }

    /// Records a failed document; true when no more errors are collected from this stream.
    fn fail(&mut self, mut err: LoadError) -> bool {
        err.span.line += self.line_offset;
        self.errors.push(err);
        self.builder = None;
        self.index += 1;
        self.errors.len() >= MAX_ERRORS_PER_FILE
    }

    /// Reads `text` with granit-parser to its end.
    fn parse_all(&mut self, text: &str) {
        // Comments are never kept (kube's serde-saphyr turns the parser's `comments` feature on,
        // so it is switched off here): building and dropping their events was a quarter of the
        // parse of a commented manifest.
        let mut options = Options::default();
        options.emit_comments = false;
        let mut parser = Parser::new_from_str_with_options(text, options);
        loop {
            let failure = match parser.next_event() {
                None => break,
                Some(Err(e)) => Some(LoadError {
                    kind: LoadErrorKind::Syntax,
                    file: self.source.name.clone(),
                    span: span_of(e.marker()),
                    document: Some(self.index),
                    message: e.info(),
                    source_file: Some(self.source.clone()),
                }),
                Some(Ok((ev, span))) => self.feed(ev, span),
            };
            if let Some(err) = failure {
                if self.fail(err) {
                    break;
                }
                match parser.proceed_next_document() {
                    Ok(true) => continue,
                    _ => break,
                }
            }
        }
    }
}

/// Byte offsets where large multi-document streams can be cut: lines that are exactly a
/// document marker (`---`, optionally followed by a space/tab and content). YAML forbids such
/// lines inside scalars, and anchors never cross documents, so the pieces parse independently.
/// Returns no cut points when the stream has directives (`%…` lines).
pub fn split_points(text: &str, target_chunk: usize) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut cuts = Vec::new();
    let mut last = 0usize;
    let mut line_start = 0usize;
    while line_start < bytes.len() {
        let line_end = memchr_newline(bytes, line_start);
        let line = &bytes[line_start..line_end];
        if line.first() == Some(&b'%') {
            return Vec::new();
        }
        if line_start > 0
            && line.starts_with(b"---")
            && matches!(line.get(3), None | Some(b' ' | b'\t' | b'\r'))
            && line_start - last >= target_chunk
        {
            cuts.push(line_start);
            last = line_start;
        }
        line_start = line_end + 1;
    }
    cuts
}

fn memchr_newline(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(text: &str) -> (Vec<Document>, Vec<LoadError>) {
        parse_documents(&Arc::new(SourceFile::new("t.yaml", text)))
    }

    #[test]
    fn positions_of_nested_nodes() {
        let (docs, errs) = parse("a: 1\nspec:\n  peers:\n    - label: {x: z}\n    - static: 2\n");
        assert!(errs.is_empty(), "{errs:?}");
        let d = &docs[0];
        assert_eq!(
            d.value,
            json!({"a":1,"spec":{"peers":[{"label":{"x":"z"}},{"static":2}]}})
        );
        assert_eq!(d.position_of("spec"), Some(Span { line: 2, column: 1 }));
        assert_eq!(
            d.position_of("spec.peers[0]"),
            Some(Span { line: 4, column: 7 })
        );
        assert_eq!(
            d.position_of("spec.peers[0].label"),
            Some(Span { line: 4, column: 7 })
        );
        assert_eq!(
            d.value_position_of("spec.peers[0].label"),
            Some(Span {
                line: 4,
                column: 14
            })
        );
        assert_eq!(
            d.position_of("spec.peers[1].static"),
            Some(Span { line: 5, column: 7 })
        );
        assert_eq!(
            d.position_of("spec.peers[1].static.nope"),
            Some(Span { line: 5, column: 7 })
        );
    }

    #[test]
    fn multi_doc_and_errors() {
        let (docs, errs) = parse("a: 1\n---\nb: 2\nb: 3\n---\nc: 3\n---\n");
        assert_eq!(docs.len(), 2);
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].kind, LoadErrorKind::DuplicateKey);
        assert_eq!(errs[0].span, Span { line: 4, column: 1 });
        assert_eq!(docs[1].index_in_file, 2);
    }

    #[test]
    fn aliases_and_merges() {
        let (docs, errs) = parse("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\nlist: [*b]\n");
        assert!(errs.is_empty(), "{errs:?}");
        assert_eq!(docs[0].value["use"], json!({"x":1,"y":3}));
        assert_eq!(docs[0].value["list"][0], json!({"x":1,"y":2}));
    }

    #[test]
    fn alias_bomb_is_reported() {
        let mut s = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let p = i - 1;
            s.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let (_, errs) = parse(&s);
        assert_eq!(errs[0].kind, LoadErrorKind::Alias);
    }

    /// Both readers of one text: the line scanner with granit after it, and granit alone.
    fn both(text: &str) -> (String, String) {
        let source = Arc::new(SourceFile::new("t.yaml", text));
        let run = |scan_first: bool| {
            let mut docs = Vec::new();
            let (errors, count) =
                parse_stream(&source, &source.text, &mut |d| docs.push(d), scan_first);
            let docs: Vec<_> = docs
                .iter()
                .map(|d| {
                    (
                        d.index_in_file,
                        &d.value,
                        d.start,
                        format!("{:?}", d.positions),
                    )
                })
                .collect();
            format!("{docs:?}\n{errors:?}\n{count}")
        };
        (run(true), run(false))
    }

    fn shipped_yaml() -> Vec<std::path::PathBuf> {
        let mut files = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                let name = entry.file_name().to_string_lossy().to_string();
                if path.is_dir() && !name.starts_with('.') && name != "target" {
                    dirs.push(path);
                } else if name.ends_with(".yaml") || name.ends_with(".yml") {
                    files.push(path);
                }
            }
        }
        files.sort();
        files
    }

    #[test]
    fn the_line_scanner_builds_what_granit_builds_on_every_shipped_file_and_its_mutations() {
        let files = shipped_yaml();
        assert!(files.len() > 50, "found {} files", files.len());
        let (mut scanned, mut seed) = (0usize, 0x9e37_79b9_7f4a_7c15u64);
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for file in &files {
            let Ok(text) = std::fs::read_to_string(file) else {
                continue; // the undecodable inputs of testdata/bad
            };
            let (fast, full) = both(&text);
            assert_eq!(fast, full, "{}", file.display());
            let mut events = Vec::new();
            if matches!(
                super::super::yaml_block::Scanner::new(&text).next_document(&mut events),
                super::super::yaml_block::Step::Document
            ) {
                scanned += 1;
            }
            // Mutations: one byte replaced by a YAML-significant one, a line re-indented.
            for _ in 0..40 {
                let mut bytes = text.clone().into_bytes();
                if bytes.is_empty() {
                    break;
                }
                let at = (next() as usize) % bytes.len();
                if next() % 2 == 0 {
                    let set = b" -:#'\"[]{},x\n\t&*!|>?";
                    if bytes[at].is_ascii() {
                        bytes[at] = set[(next() as usize) % set.len()];
                    }
                } else {
                    let line_start = bytes[..at]
                        .iter()
                        .rposition(|b| *b == b'\n')
                        .map_or(0, |p| p + 1);
                    let n = (next() % 4) as usize;
                    for _ in 0..n {
                        bytes.insert(line_start, b' ');
                    }
                }
                let Ok(mutated) = String::from_utf8(bytes) else {
                    continue;
                };
                let (fast, full) = both(&mutated);
                assert_eq!(fast, full, "{} mutated:\n{mutated}", file.display());
            }
        }
        assert!(
            scanned * 2 > files.len(),
            "the scanner read only {scanned} of {} files",
            files.len()
        );
    }

    #[test]
    fn the_line_scanner_builds_what_granit_builds_on_edge_cases() {
        for text in [
            "",
            "# only a comment\n",
            "---\n",
            "---\n---\na: 1\n",
            "# c\n---\na: 1\n---\n",
            "a:\n- x\n- k: v\n  k2: [a, \"b\", 'c''d']\nb: {}\nc:\nd:   # note\n  e: 1\n",
            "a: 1\n  b: 2\n",
            "a: b: c\n",
            "a: [x, ]\n",
            "a: [x,, y]\n",
            "- a\n- - b\n",
            "-\n  a: 1\n",
            "a: 'open\n",
            "a: \"x\" y\n",
            "a: x#y # z\n",
            "a: -1\nb: - c\n",
            "a: x\na: y\n---\nb: 1\n",
            "  a: 1\nb: 2\n",
            "a:\n    - x\n  - y\n",
            "a:\n  - x\n  b: 1\n",
            "key: value\n  continued\n",
            "a: 1 # caf\u{e9}\n# \u{2014} dash\nb: 2\n",
            "a: 1\n...\n",
            "--- a\n",
            "a: &x 1\nb: *x\n",
            "k: http://x:80/y\n",
            "true: 1\n1: 2\nnull: 3\n",
        ] {
            let (fast, full) = both(text);
            assert_eq!(fast, full, "{text:?}");
        }
    }
}
