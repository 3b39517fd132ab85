//! `nodectl validate`: offline validation of SeiNode / SeiNodeDeployment manifests the way the
//! API server (structural schema + CEL) and the operator (planner checks) would judge them.
//!
//! Entry point: [`validate_loads`] over [`crate::manifest::FileLoad`]s; render the
//! [`Report`] with [`render`].

pub mod cel;
mod collect;
pub mod cross;
mod document;
pub mod metadata;
pub mod operator;
pub mod render;
pub mod schema;
pub mod structural;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::manifest::{Document, FileLoad, LoadError, SourceFile};

pub use collect::{
    validate_inputs, validate_inputs_keeping, validate_loads, validate_loads_keeping,
    validate_loads_with, Kept, Listing,
};
pub use cross::{object_key, ObjectKey};

/// How bad a diagnostic is. Only errors make a document invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// A finding before it is placed in a file (path relative to its object).
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub path: String,
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub help: Option<String>,
    /// Type and enum errors stop CEL evaluation, as in the API server.
    pub blocking: bool,
}

/// A located diagnostic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Diagnostic {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub json_path: String,
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// `Kind namespace/name` of the object, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
}

impl Diagnostic {
    /// A diagnostic for a load error.
    pub fn from_load_error(e: &LoadError) -> Diagnostic {
        Diagnostic {
            file: e.file.clone(),
            line: e.span.line,
            column: e.span.column,
            json_path: String::new(),
            rule: e.kind.rule().to_string(),
            severity: Severity::Error,
            message: e.message.clone(),
            help: None,
            object: None,
        }
    }
}

/// Validator switches.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Accept fields the schema does not define (the API server would prune them).
    pub allow_unknown_fields: bool,
    /// Treat documents of other kinds as invalid instead of skipping them.
    pub strict_kinds: bool,
}

/// Outcome of one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Valid,
    Invalid,
    Skipped,
}

/// One document (or one unreadable input / unparsable document) and its diagnostics.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocResult {
    pub file: String,
    /// Index in the file's document stream (None for whole-file failures).
    pub index: Option<usize>,
    pub line: u32,
    pub kind: Option<String>,
    pub namespace: Option<String>,
    pub name: Option<String>,
    pub status: Status,
    pub diagnostics: Vec<Diagnostic>,
}

impl DocResult {
    /// `Kind namespace/name`, or the file position when unknown.
    pub fn label(&self) -> String {
        match (&self.kind, &self.name) {
            (Some(k), Some(n)) => {
                format!("{k} {}/{n}", self.namespace.as_deref().unwrap_or("default"))
            }
            (Some(k), None) => format!("{k} (unnamed) at {}:{}", self.file, self.line),
            _ => format!("document at {}:{}", self.file, self.line),
        }
    }

    fn refresh_status(&mut self) {
        if self.status != Status::Skipped
            || self
                .diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error)
        {
            self.status = if self
                .diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error)
            {
                Status::Invalid
            } else {
                Status::Valid
            };
        }
    }
}

/// Counts for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub documents: usize,
    pub valid: usize,
    pub invalid: usize,
    pub skipped: usize,
    pub errors: usize,
    pub warnings: usize,
}

impl Summary {
    /// Counts one document of `status`.
    fn count(&mut self, status: Status) {
        self.documents += 1;
        match status {
            Status::Valid => self.valid += 1,
            Status::Invalid => self.invalid += 1,
            Status::Skipped => self.skipped += 1,
        }
    }
}

/// The result of a validation run.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub documents: Vec<DocResult>,
    /// Source texts by file name, for snippets.
    pub sources: HashMap<String, Arc<SourceFile>>,
    /// The documents checked but not listed in `documents` ([`Listing::Diagnosed`]): none
    /// has a diagnostic.
    pub unlisted: Summary,
}

impl Report {
    pub fn summary(&self) -> Summary {
        let mut s = self.unlisted;
        for d in &self.documents {
            s.count(d.status);
            for diag in &d.diagnostics {
                match diag.severity {
                    Severity::Error => s.errors += 1,
                    Severity::Warning => s.warnings += 1,
                    Severity::Note => {}
                }
            }
        }
        s
    }

    /// All diagnostics, ordered by file, line, column, rule.
    pub fn diagnostics(&self) -> Vec<&Diagnostic> {
        let mut all: Vec<&Diagnostic> =
            self.documents.iter().flat_map(|d| &d.diagnostics).collect();
        all.sort_by(|a, b| {
            (&a.file, a.line, a.column, &a.rule, &a.message)
                .cmp(&(&b.file, b.line, b.column, &b.rule, &b.message))
        });
        all
    }

    /// Whether any document is invalid (the CLI maps this to its exit code, `cli::error`).
    pub fn is_invalid(&self) -> bool {
        self.documents.iter().any(|d| d.status == Status::Invalid)
    }

    /// `N documents checked: V valid, I invalid, S skipped`.
    pub fn summary_line(&self) -> String {
        let s = self.summary();
        format!(
            "{} document{} checked: {} valid, {} invalid, {} skipped",
            s.documents,
            if s.documents == 1 { "" } else { "s" },
            s.valid,
            s.invalid,
            s.skipped
        )
    }
}

/// Old objects for transition rules, keyed by kind/namespace/name (defaults applied).
#[derive(Debug, Default)]
pub struct OldObjects {
    map: HashMap<ObjectKey, Value>,
}

impl OldObjects {
    /// Indexes the SeiNode / SeiNodeDeployment documents among `docs`.
    pub fn from_documents(docs: &[Document]) -> OldObjects {
        let mut old = OldObjects::default();
        for d in docs {
            if let Some(key) = object_key(&d.value) {
                old.insert(key, d.value.clone());
            }
        }
        old
    }

    /// Adds the stored form of a SeiNode / SeiNodeDeployment (schema defaults applied) as the
    /// old object of `key`; other kinds are ignored.
    pub fn insert(&mut self, key: ObjectKey, mut object: Value) {
        let (Some(av), Some(kind)) = (object["apiVersion"].as_str(), object["kind"].as_str())
        else {
            return;
        };
        if let Some(crd) = schema::registry().find(av, kind) {
            structural::apply_defaults(&crd.root, &mut object);
            self.map.insert(key, object);
        }
    }

    pub fn get(&self, key: &ObjectKey) -> Option<&Value> {
        self.map.get(key)
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// Counts documents by status (handy for tests).
pub fn status_counts(report: &Report) -> BTreeMap<&'static str, usize> {
    let s = report.summary();
    BTreeMap::from([
        ("valid", s.valid),
        ("invalid", s.invalid),
        ("skipped", s.skipped),
    ])
}

/// Loads arbitrary bytes as one input, validates it and renders every output format.
/// Used by the fuzz target and the mutation tests; must never panic.
pub fn fuzz_entry(data: &[u8], opts: &Options) -> Report {
    let load = match crate::manifest::decode("fuzz.yaml", data.to_vec()) {
        Ok(src) => crate::manifest::parse_source(Arc::new(src)),
        Err(e) => FileLoad {
            name: e.file.clone(),
            source: None,
            documents: Vec::new(),
            errors: vec![e],
        },
    };
    let report = validate_loads(vec![load], &OldObjects::default(), opts);
    let mut sink = Vec::new();
    for f in [
        render::Format::Text,
        render::Format::Json,
        render::Format::Junit,
        render::Format::Sarif,
        render::Format::Github,
    ] {
        let mut err = Vec::new();
        let _ = render::render(&report, f, &mut sink, &mut err);
    }
    report
}
