//! Manifest loading: YAML/JSON documents with source positions.
//!
//! Reads files, directories (optionally recursive) and stdin (`-`), splits multi-document
//! streams, and turns each document into a [`serde_json::Value`] plus a [`Positions`] index
//! mapping JSON paths (`spec.peers[0].label`) to 1-based line/column spans. Duplicate keys are
//! rejected; anchors/aliases and `<<` merge keys are resolved with an expansion budget.
//! Plain scalars are resolved the way `sigs.k8s.io/yaml` (go-yaml v2) does, so `yes`/`on`
//! are booleans, as they are for `kubectl`.

mod discover;
mod list;
pub mod path;
mod pieces;
pub mod sanity;
mod scalar;
mod yaml;
mod yaml_block;

use foldhash::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use serde_json::Value;

pub use discover::{decode, discover_inputs, Input};
pub use list::is_list;
pub use path::{child_index, child_key};
pub use pieces::Pieces;

/// The text of one input (a file or stdin) and the name used in diagnostics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Path as given on the command line (or `<stdin>`).
    pub name: String,
    /// Full UTF-8 text.
    pub text: String,
    /// Byte offset of every line start, built on the first [`SourceFile::line_text`] call.
    line_starts: OnceLock<Vec<usize>>,
}

impl SourceFile {
    /// Builds a source from a name and its text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        SourceFile {
            name: name.into(),
            text: text.into(),
            line_starts: OnceLock::new(),
        }
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: u32) -> Option<&str> {
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let start = *starts.get((line as usize).checked_sub(1)?)?;
        let rest = &self.text[start..];
        let l = rest.split('\n').next().unwrap_or(rest);
        Some(l.strip_suffix('\r').unwrap_or(l))
    }
}

/// A source position: 1-based line and 1-based column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub line: u32,
    pub column: u32,
}

/// Where a node sits: the key that introduces it (for mapping entries) and the value itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodePos {
    pub key: Option<Span>,
    pub value: Span,
}

/// Map from JSON path (`""` is the document root) to the node's position.
///
/// Stored compactly because it is built for every document but only read when a diagnostic
/// needs a location: each node keeps only its own path segment (`spec`, `.peers`, `[0]`) and
/// its parent, so a deeply nested document costs space in proportion to its nodes, not to the
/// sum of their path lengths.
#[derive(Debug, Default)]
pub struct Positions {
    /// Every node's own segment, in document order.
    segments: String,
    entries: Vec<PosEntry>,
    /// Hash index of a large document, built once it has been looked up more than a few times
    /// (a valid document is looked up two or three times, where a scan is cheaper than an index).
    index: OnceLock<HashMap<Box<str>, usize>>,
    /// Lookups so far, to decide when the index pays for itself.
    lookups: AtomicU32,
}

/// One node of [`Positions`]: its parent's entry, its segment in `segments`, the length of its
/// whole path and its position.
#[derive(Debug, Clone, Copy)]
struct PosEntry {
    parent: u32,
    segment_start: u32,
    segment_len: u32,
    path_len: u32,
    pos: NodePos,
}

/// The parent of a root entry.
const NO_PARENT: u32 = u32::MAX;

impl Clone for Positions {
    fn clone(&self) -> Self {
        Positions {
            segments: self.segments.clone(),
            entries: self.entries.clone(),
            index: self.index.clone(),
            lookups: AtomicU32::new(self.lookups.load(Ordering::Relaxed)),
        }
    }
}

impl Positions {
    /// Adds a node whose path is its parent's (entry `parent`, or none for the root) followed
    /// by `segment`; returns its entry.
    pub(crate) fn insert_child(
        &mut self,
        parent: Option<usize>,
        segment: &str,
        pos: NodePos,
    ) -> usize {
        let parent_len = parent.map_or(0, |p| self.entries[p].path_len);
        self.entries.push(PosEntry {
            parent: parent.map_or(NO_PARENT, |p| p as u32),
            segment_start: self.segments.len() as u32,
            segment_len: segment.len() as u32,
            path_len: parent_len + segment.len() as u32,
            pos,
        });
        self.segments.push_str(segment);
        self.entries.len() - 1
    }

    fn segment(&self, i: usize) -> &str {
        let e = &self.entries[i];
        &self.segments[e.segment_start as usize..(e.segment_start + e.segment_len) as usize]
    }

    /// True when entry `i`'s whole path is `path` (compared segment by segment from the end).
    fn path_is(&self, mut i: usize, path: &str) -> bool {
        let path = path.as_bytes();
        let mut end = path.len();
        loop {
            let e = &self.entries[i];
            let segment = self.segment(i).as_bytes();
            if e.path_len as usize != end || !path[..end].ends_with(segment) {
                return false;
            }
            end -= segment.len();
            if e.parent == NO_PARENT {
                return end == 0;
            }
            i = e.parent as usize;
        }
    }

    /// The whole path of entry `i`.
    fn path_at(&self, i: usize) -> String {
        let mut chain = vec![i];
        let mut j = i;
        while self.entries[j].parent != NO_PARENT {
            j = self.entries[j].parent as usize;
            chain.push(j);
        }
        let mut path = String::with_capacity(self.entries[i].path_len as usize);
        for j in chain.into_iter().rev() {
            path.push_str(self.segment(j));
        }
        path
    }

    /// The first entry whose path is `path`.
    fn find(&self, path: &str) -> Option<usize> {
        (0..self.entries.len()).find(|i| self.path_is(*i, path))
    }

    /// Exact lookup.
    pub fn get(&self, path: &str) -> Option<NodePos> {
        const SCANS_BEFORE_INDEX: u32 = 8;
        if self.entries.len() <= 64
            || (self.index.get().is_none()
                && self.lookups.fetch_add(1, Ordering::Relaxed) < SCANS_BEFORE_INDEX)
        {
            return self.find(path).map(|i| self.entries[i].pos);
        }
        let index = self.index.get_or_init(|| {
            let mut index = HashMap::default();
            for i in 0..self.entries.len() {
                index.entry(self.path_at(i).into_boxed_str()).or_insert(i);
            }
            index
        });
        index.get(path).map(|i| self.entries[*i].pos)
    }

    /// Number of indexed nodes.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Moves every position down by `lines` (for streams parsed in pieces).
    pub(crate) fn shift_lines(&mut self, lines: u32) {
        for PosEntry { pos: p, .. } in &mut self.entries {
            p.value.line += lines;
            if let Some(k) = &mut p.key {
                k.line += lines;
            }
        }
    }

    /// All (path, position) pairs in document order.
    pub fn iter(&self) -> impl Iterator<Item = (String, NodePos)> + '_ {
        (0..self.entries.len()).map(|i| (self.path_at(i), self.entries[i].pos))
    }

    /// Lookup that falls back to the nearest indexed ancestor (e.g. for nodes copied by an alias).
    pub fn nearest(&self, path: &str) -> Option<NodePos> {
        let mut p = path;
        loop {
            if let Some(pos) = self.get(p) {
                return Some(pos);
            }
            if p.is_empty() {
                return None;
            }
            p = path::parent(p);
        }
    }
}

/// One YAML/JSON document of an input.
#[derive(Debug, Clone)]
pub struct Document {
    pub source: Arc<SourceFile>,
    /// 0-based index of the document in its stream (empty documents count too).
    pub index_in_file: usize,
    pub value: Value,
    pub positions: Positions,
    /// Where the document's content starts.
    pub start: Span,
}

impl Document {
    /// Position of a path: the key if the node is a mapping entry, else the value; falls back to
    /// the nearest ancestor that has a position.
    pub fn position_of(&self, path: &str) -> Option<Span> {
        self.positions
            .nearest(path)
            .map(|p| p.key.unwrap_or(p.value))
    }

    /// Position of the value at a path (not its key), with the same fallback.
    pub fn value_position_of(&self, path: &str) -> Option<Span> {
        self.positions.nearest(path).map(|p| p.value)
    }
}

/// What went wrong while reading or parsing an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadErrorKind {
    /// The path does not exist or cannot be read.
    Io,
    /// Not UTF-8 text.
    Encoding,
    /// YAML syntax error reported by the parser.
    Syntax,
    /// A key repeated in one mapping.
    DuplicateKey,
    /// Unknown anchor, alias expansion too large, or an unsupported key.
    Alias,
    /// A value that has no JSON form (complex keys, non-finite floats, bad tagged scalars).
    Unsupported,
    /// An input over a size limit (file size, documents, scalar length, nesting depth), or
    /// not a regular file.
    Limit,
}

impl LoadErrorKind {
    /// Short rule name used in diagnostics.
    pub fn rule(&self) -> &'static str {
        match self {
            LoadErrorKind::Io => "input.read",
            LoadErrorKind::Encoding => "yaml.encoding",
            LoadErrorKind::Syntax => "yaml.syntax",
            LoadErrorKind::DuplicateKey => "yaml.duplicate-key",
            LoadErrorKind::Alias => "yaml.alias",
            LoadErrorKind::Unsupported => "yaml.unsupported",
            LoadErrorKind::Limit => "input.limit",
        }
    }
}

/// A load failure with its location (`file:line:column`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{}:{}: {message}", span.line, span.column)]
pub struct LoadError {
    pub kind: LoadErrorKind,
    pub file: String,
    pub span: Span,
    /// Index of the failing document in its stream, if known.
    pub document: Option<usize>,
    pub message: String,
    /// The source text, when it could be read (for snippets).
    pub source_file: Option<Arc<SourceFile>>,
}

/// Everything loaded from one input: its documents and any errors.
#[derive(Debug, Clone)]
pub struct FileLoad {
    pub name: String,
    pub source: Option<Arc<SourceFile>>,
    pub documents: Vec<Document>,
    pub errors: Vec<LoadError>,
}

/// Streams larger than this are cut at document markers and parsed in parallel.
const PARALLEL_PARSE_BYTES: usize = 256 << 10;

/// Parses every document of a source. Errors in one document do not stop the others.
/// Large multi-document streams are parsed in parallel pieces with identical results.
pub fn parse_source(source: Arc<SourceFile>) -> FileLoad {
    let (documents, errors) = parse_source_each(&source, &|d| d, |d, base| {
        d.index_in_file += base;
    });
    FileLoad {
        name: source.name.clone(),
        source: Some(source),
        documents: documents.into_iter().collect(),
        errors,
    }
}

/// Parses every document of a source and maps each one through `each` as soon as it is built,
/// so a large stream never sits in memory whole; returns the outputs in document order and
/// the errors. Large streams are parsed in parallel pieces: `each` then sees documents numbered
/// within their piece, and `renumber(output, first)` adds the number of the piece's first
/// document once it is known. The outputs stay in their pieces (see [`Pieces`]).
pub fn parse_source_each<T: Send>(
    source: &Arc<SourceFile>,
    each: &(dyn Fn(Document) -> T + Sync),
    renumber: fn(&mut T, usize),
) -> (Pieces<T>, Vec<LoadError>) {
    if let Some(error) = too_many_documents(source) {
        return (Pieces::default(), vec![error]);
    }
    let cuts = if source.text.len() > PARALLEL_PARSE_BYTES {
        let chunk = (source.text.len() / (rayon::current_num_threads() * 4)).max(64 << 10);
        yaml::split_points(&source.text, chunk)
    } else {
        Vec::new()
    };
    if cuts.is_empty() {
        let mut outputs = Vec::new();
        let (errors, _) = yaml::parse_text(source, &source.text, &mut |d| outputs.push(each(d)));
        return (Pieces::from(outputs), errors);
    }
    let mut bounds = vec![0];
    bounds.extend(cuts);
    bounds.push(source.text.len());
    let pieces: Vec<(usize, usize)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
    let parsed: Vec<_> = pieces
        .par_iter()
        .map(|(a, b)| {
            let text = &source.text[*a..*b];
            let line_offset = source.text[..*a].matches('\n').count() as u32;
            // Sized to the piece's documents (a list adds items), not grown by doubling.
            let mut outputs = Vec::with_capacity(document_markers(text) + 1);
            let (mut errors, count) = yaml::parse_text(source, text, &mut |mut d| {
                d.start.line += line_offset;
                d.positions.shift_lines(line_offset);
                outputs.push(each(d));
            });
            for e in &mut errors {
                e.span.line += line_offset;
            }
            (outputs, errors, count)
        })
        .collect();
    let (mut all, mut all_errors, mut base) = (Vec::with_capacity(parsed.len()), Vec::new(), 0);
    for (mut outputs, errors, count) in parsed {
        for out in &mut outputs {
            renumber(out, base);
        }
        all.push(outputs);
        for mut e in errors {
            e.document = e.document.map(|i| i + base);
            all_errors.push(e);
        }
        base += count;
    }
    (Pieces::of(all), all_errors)
}

/// Whether a line starts a document (`---`, alone or before content).
fn is_document_marker(line: &str) -> bool {
    line == "---" || line.starts_with("--- ") || line.starts_with("---\t")
}

/// The document markers of a text.
fn document_markers(text: &str) -> usize {
    text.lines().filter(|l| is_document_marker(l)).count()
}

/// Most documents accepted in one input (counted from its `---` lines before building; 64 MiB
/// of small documents stays under it).
pub const MAX_DOCUMENTS: usize = 100_000;

/// The input has more than [`MAX_DOCUMENTS`] document markers: refused before anything is
/// built, at the line of the first one over the limit.
fn too_many_documents(source: &SourceFile) -> Option<LoadError> {
    let mut count = 0usize;
    for (i, line) in source.text.lines().enumerate() {
        if is_document_marker(line) {
            count += 1;
            if count > MAX_DOCUMENTS {
                return Some(LoadError {
                    kind: LoadErrorKind::Limit,
                    file: source.name.clone(),
                    span: Span {
                        line: u32::try_from(i + 1).unwrap_or(u32::MAX),
                        column: 1,
                    },
                    document: None,
                    message: format!("more than {MAX_DOCUMENTS} documents in one input"),
                    source_file: None,
                });
            }
        }
    }
    None
}

/// Parses a string (handy for tests and embedded files).
pub fn parse_str(name: &str, text: &str) -> FileLoad {
    parse_source(Arc::new(SourceFile::new(name, text)))
}

/// Reads and parses one input.
pub fn load_input(input: &Input) -> FileLoad {
    match input.read() {
        Ok(source) => parse_source(Arc::new(source)),
        Err(err) => FileLoad {
            name: input.display_name(),
            source: None,
            documents: Vec::new(),
            errors: vec![err],
        },
    }
}

/// Loads all paths (files, directories, `-`), in parallel, one [`FileLoad`] per input, in input
/// order. Discovery failures (missing paths) appear as a `FileLoad` with an `Io` error.
pub fn load_paths_lenient(paths: &[PathBuf], recursive: bool) -> Vec<FileLoad> {
    load_inputs_lenient(&discover_inputs(paths, recursive), &|| {})
}

/// Loads discovered inputs in parallel, calling `on_file` after each one.
pub fn load_inputs_lenient(
    inputs: &[Result<Input, LoadError>],
    on_file: &(dyn Fn() + Sync),
) -> Vec<FileLoad> {
    inputs
        .par_iter()
        .map(|i| {
            let load = match i {
                Ok(input) => load_input(input),
                Err(err) => FileLoad {
                    name: err.file.clone(),
                    source: None,
                    documents: Vec::new(),
                    errors: vec![err.clone()],
                },
            };
            on_file();
            load
        })
        .collect()
}

/// Loads all paths and returns every non-empty document, or the first error.
pub fn load_paths(paths: &[PathBuf], recursive: bool) -> Result<Vec<Document>, LoadError> {
    let mut out = Vec::new();
    for load in load_paths_lenient(paths, recursive) {
        if let Some(err) = load.errors.into_iter().next() {
            return Err(err);
        }
        out.extend(load.documents);
    }
    Ok(out)
}

/// Loads a single file path (convenience wrapper over [`load_paths`]).
pub fn load_file(path: &Path) -> Result<Vec<Document>, LoadError> {
    load_paths(&[path.to_path_buf()], false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_text_by_number() {
        let src = SourceFile::new("f.yaml", "a: 1\r\nb: 2\n\nc: 3");
        assert_eq!(src.line_text(0), None);
        assert_eq!(src.line_text(1), Some("a: 1"));
        assert_eq!(src.line_text(2), Some("b: 2"));
        assert_eq!(src.line_text(3), Some(""));
        assert_eq!(src.line_text(4), Some("c: 3"));
        assert_eq!(src.line_text(5), None);
    }

    #[test]
    fn parallel_parse_matches_sequential() {
        let mut text = String::from("# preamble\n");
        for i in 0..12000 {
            text.push_str("---\n");
            match i % 500 {
                7 => text.push_str("a: 1\na: 2\n"),
                9 => text.push_str("key: [unclosed\n"),
                11 => {}
                _ => text.push_str(&format!(
                    "kind: SeiNode\nmetadata:\n  name: n-{i}\nspec:\n  list: &l [1, 2]\n  again: *l\n  text: |\n    line --- not a marker\n"
                )),
            }
        }
        assert!(text.len() > PARALLEL_PARSE_BYTES);
        let source = Arc::new(SourceFile::new("big.yaml", text));
        let par = parse_source(source.clone());
        let (docs, errs) = yaml::parse_documents(&source);
        assert_eq!(par.documents.len(), docs.len());
        assert_eq!(par.errors, errs);
        for (a, b) in par.documents.iter().zip(&docs) {
            assert_eq!(
                (a.index_in_file, a.start, &a.value),
                (b.index_in_file, b.start, &b.value)
            );
            assert_eq!(
                a.positions.iter().collect::<Vec<_>>(),
                b.positions.iter().collect::<Vec<_>>()
            );
        }
    }
}
