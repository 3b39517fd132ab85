//! Reading, checking and collecting: every input's documents are checked in parallel as they
//! are parsed, then the cross-document checks run and the results are put in a stable order.

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use super::{
    cross, document, Diagnostic, DocResult, OldObjects, Options, Report, Severity, Status,
};
use crate::manifest::{Document, FileLoad, Input, LoadError, Pieces, SourceFile};

/// Which documents a report lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    /// Every document (what `validate` prints, document by document).
    Every,
    /// Only the documents with a diagnostic; the others are counted in [`Report::unlisted`].
    /// A plan shows no more than that, and 100k small documents then need no record each.
    Diagnosed,
}

/// A document as checked: its result (with its cross-check facts when it can take part in a
/// cross-document check), or, for a document with neither a diagnostic nor such facts under
/// [`Listing::Diagnosed`], only its status. Boxed, so the per-document vectors stay small.
enum Checked {
    Listed(Box<DocResult>, Option<Box<cross::ObjectFacts>>),
    Counted(Status),
}

/// The results of one input: its load failures, its documents (each with what `keep` took from
/// it), and whether it could not be read or fully parsed.
struct FileResults<T> {
    failures: Vec<DocResult>,
    docs: Pieces<(Checked, T)>,
    /// The input's text when it could be read but not fully parsed (for the snippets of load
    /// errors).
    source: Option<Arc<SourceFile>>,
    /// The text the documents were parsed from, when there are any (for snippets).
    parsed: Option<Arc<SourceFile>>,
    unreadable: bool,
}

/// A report, with what the caller's `keep` took from every parsed document (in input and
/// document order) before validation applied schema defaults to it.
#[derive(Debug)]
pub struct Kept<T> {
    pub report: Report,
    /// Per input, in the pieces it was parsed in (each taken from its document's place).
    pub kept: Vec<Pieces<T>>,
    /// Some input could not be read or had a document that did not parse.
    pub unreadable: bool,
}

/// Validates loaded inputs: each document on its own (in parallel), then across documents.
pub fn validate_loads(loads: Vec<FileLoad>, old: &OldObjects, opts: &Options) -> Report {
    validate_loads_with(loads, old, opts, &|| {})
}

/// [`validate_loads`], calling `on_file` after each file is validated.
pub fn validate_loads_with(
    loads: Vec<FileLoad>,
    old: &OldObjects,
    opts: &Options,
    on_file: &(dyn Fn() + Sync),
) -> Report {
    validate_loads_keeping(loads, old, opts, Listing::Every, on_file, &|_| ()).report
}

/// [`validate_loads_with`], listing per `listing` and handing each document to `keep` first
/// (as it was read, before defaults are applied); each document is dropped once it is checked,
/// so nothing needs a copy.
pub fn validate_loads_keeping<T: Send>(
    loads: Vec<FileLoad>,
    old: &OldObjects,
    opts: &Options,
    listing: Listing,
    on_file: &(dyn Fn() + Sync),
    keep: &(dyn Fn(&Document) -> T + Sync),
) -> Kept<T> {
    let per_file: Vec<FileResults<T>> = loads
        .into_par_iter()
        .map(|load| {
            let parsed = load.documents.first().map(|d| d.source.clone());
            let docs: Vec<(Checked, T)> = load
                .documents
                .into_par_iter()
                .with_min_len(64)
                .map(|mut d| check_keeping(&mut d, old, opts, listing, keep))
                .collect();
            on_file();
            file_results(&load.name, &load.errors, docs.into(), parsed)
        })
        .collect();
    finish(per_file, listing)
}

/// Reads, parses and validates inputs in one pass: files in parallel, and each document is
/// checked as soon as it is parsed and then dropped, so memory stays flat however large the
/// input. Calls `on_file` after each input. Same report as loading first and then
/// [`validate_loads`].
pub fn validate_inputs(
    inputs: &[Result<Input, LoadError>],
    old: &OldObjects,
    opts: &Options,
    on_file: &(dyn Fn() + Sync),
) -> Report {
    validate_inputs_keeping(inputs, old, opts, Listing::Every, on_file, &|_| ()).report
}

/// [`validate_inputs`], listing per `listing` and handing each document to `keep` as soon as it
/// is parsed (before defaults are applied); the same as loading first and then
/// [`validate_loads_keeping`].
pub fn validate_inputs_keeping<T: Send>(
    inputs: &[Result<Input, LoadError>],
    old: &OldObjects,
    opts: &Options,
    listing: Listing,
    on_file: &(dyn Fn() + Sync),
    keep: &(dyn Fn(&Document) -> T + Sync),
) -> Kept<T> {
    let per_file: Vec<FileResults<T>> = inputs
        .par_iter()
        .map(|input| {
            let source = match input {
                Ok(input) => input.read().map(Arc::new),
                Err(err) => Err(err.clone()),
            };
            let out = match source {
                Ok(source) => {
                    let (docs, errors) = crate::manifest::parse_source_each(
                        &source,
                        &|mut d| check_keeping(&mut d, old, opts, listing, keep),
                        |(checked, _), base| {
                            if let Checked::Listed(r, _) = checked {
                                r.index = r.index.map(|i| i + base);
                            }
                        },
                    );
                    let parsed = (!docs.is_empty()).then(|| source.clone());
                    file_results(&source.name, &errors, docs, parsed)
                }
                Err(err) => file_results(
                    &err.file,
                    std::slice::from_ref(&err),
                    Pieces::default(),
                    None,
                ),
            };
            on_file();
            out
        })
        .collect();
    finish(per_file, listing)
}

/// What `keep` takes from a document, then the document's checks.
fn check_keeping<T>(
    doc: &mut Document,
    old: &OldObjects,
    opts: &Options,
    listing: Listing,
    keep: &(dyn Fn(&Document) -> T + Sync),
) -> (Checked, T) {
    let kept = keep(doc);
    let (result, facts) = document::validate_document(doc, old, opts);
    (checked(result, facts, listing), kept)
}

/// A document's result, with its cross-check facts only when they can take part in a
/// cross-document check (a keyed object, a deployment's children or a label selector); only
/// its status when `listing` leaves it out and nothing can add a diagnostic to it later.
fn checked(result: DocResult, facts: cross::ObjectFacts, listing: Listing) -> Checked {
    let relevant = facts.key.is_some() || facts.children.is_some() || !facts.selectors.is_empty();
    if listing == Listing::Diagnosed && !relevant && result.diagnostics.is_empty() {
        return Checked::Counted(result.status);
    }
    Checked::Listed(Box::new(result), relevant.then(|| Box::new(facts)))
}

/// The results of one input: its load errors, its documents, or "no documents" when it has
/// neither.
fn file_results<T>(
    name: &str,
    errors: &[LoadError],
    docs: Pieces<(Checked, T)>,
    parsed: Option<Arc<SourceFile>>,
) -> FileResults<T> {
    let mut failures: Vec<DocResult> = errors.iter().map(load_failure).collect();
    if docs.is_empty() && errors.is_empty() {
        failures.push(no_documents(name));
    }
    FileResults {
        failures,
        docs,
        source: errors.iter().find_map(|e| e.source_file.clone()),
        parsed,
        unreadable: !errors.is_empty(),
    }
}

/// An input that could not be read, or a document that did not parse.
fn load_failure(e: &LoadError) -> DocResult {
    DocResult {
        file: e.file.clone(),
        index: e.document,
        line: e.span.line,
        kind: None,
        namespace: None,
        name: None,
        status: Status::Invalid,
        diagnostics: vec![Diagnostic::from_load_error(e)],
    }
}

/// An input holding no document.
fn no_documents(name: &str) -> DocResult {
    DocResult {
        file: name.to_string(),
        index: None,
        line: 1,
        kind: None,
        namespace: None,
        name: None,
        status: Status::Invalid,
        diagnostics: vec![Diagnostic {
            file: name.to_string(),
            line: 1,
            column: 1,
            json_path: String::new(),
            rule: "manifest.empty".into(),
            severity: Severity::Error,
            message: "input contains no documents".into(),
            help: Some("an empty file usually means a templating or path mistake".into()),
            object: None,
        }],
    }
}

/// Cross-object checks, statuses, and a stable order over every file's results. Each file's
/// documents are moved once: results into a vector sized up front, what was kept into the
/// place its document's result held (no second vector of the input beside the first).
fn finish<T>(per_file: Vec<FileResults<T>>, listing: Listing) -> Kept<T> {
    let mut listed = 0;
    for file in &per_file {
        listed += file.failures.len();
        listed += file
            .docs
            .iter()
            .filter(|(c, _)| matches!(c, Checked::Listed(..)))
            .count();
    }
    let mut results = Vec::with_capacity(listed);
    let mut kept = Vec::with_capacity(per_file.len());
    let mut facts = Vec::new();
    let mut sources = HashMap::new();
    let mut unreadable = false;
    let mut parsed = Vec::new();
    let mut unlisted = super::Summary::default();
    for file in per_file {
        if let Some(source) = file.source {
            sources.insert(source.name.clone(), source);
        }
        parsed.extend(file.parsed);
        unreadable |= file.unreadable;
        results.extend(file.failures);
        kept.push(file.docs.map(|(checked, k)| {
            match checked {
                Checked::Listed(r, f) => {
                    if let Some(f) = f {
                        facts.push((results.len(), *f));
                    }
                    results.push(*r);
                }
                Checked::Counted(status) => unlisted.count(status),
            }
            k
        }));
    }
    cross::check_all(&facts, &mut results);
    drop(facts);
    for r in &mut results {
        r.refresh_status();
        r.diagnostics.sort_by(|a, b| {
            (a.line, a.column, &a.rule, &a.message).cmp(&(b.line, b.column, &b.rule, &b.message))
        });
    }
    if listing == Listing::Diagnosed {
        results.retain(|r| {
            let keep = !r.diagnostics.is_empty();
            if !keep {
                unlisted.count(r.status);
            }
            keep
        });
    }
    results.sort_by(|a, b| (&a.file, a.index, a.line).cmp(&(&b.file, b.index, b.line)));
    for source in parsed {
        sources.entry(source.name.clone()).or_insert(source);
    }
    Kept {
        report: Report {
            documents: results,
            sources,
            unlisted,
        },
        kept,
        unreadable,
    }
}
