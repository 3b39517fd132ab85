//! A plan rendered target by target: each target's report is rendered as soon as the
//! engine hands it on and then dropped, so a fleet's traces are never held together. What
//! the output needs from every target (the summary counts, the problems, which
//! `--ignore-path`s matched, the verdicts) is folded into a [`Tally`] on the way.
//!
//! Text goes straight out. The JSON document and the markdown comment start with the
//! summary, so they keep each target's *rendered bytes* until the end, never its trace.
//! Rendering runs on the rayon pool in chunks while the engine reconciles the next
//! targets ([`Pipeline`]); the chunks are written in the order the targets came, so the
//! output is the same bytes whatever the number of threads.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::mpsc;

use rayon::prelude::*;
use serde_json::Value;

use super::changes::IgnorePath;
use super::plan_json::{self, DocumentEnd, TargetJson};
use super::plan_markdown;
use super::plan_text::{self, ViewOptions};
use super::summary::{target_problems, Summary};
use crate::engine::plan::{TargetRef, TargetReport, Verdict};
use crate::world::compact::StoredObject;

/// The outputs that can be written target by target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

/// What a plan's output and exit code need from every target, without its trace.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    pub summary: Summary,
    pub problems: Vec<String>,
    /// Per `--ignore-path`, in order: whether it matches a write of the plan.
    pub ignore_used: Vec<bool>,
    /// Each target and its verdict (with `--until-settled`), in order.
    pub targets: Vec<(TargetRef, Option<Verdict>)>,
}

impl Tally {
    /// The tally of some targets.
    pub fn of(targets: &[TargetReport], ignore: &[IgnorePath]) -> Tally {
        let mut tally = Tally::default();
        for t in targets {
            tally.merge(Tally::of_target(t, ignore));
        }
        tally
    }

    fn of_target(target: &TargetReport, ignore: &[IgnorePath]) -> Tally {
        let mut summary = Summary::default();
        summary.add(target, ignore);
        let mut problems = Vec::new();
        target_problems(target, ignore, &mut problems);
        let ignore_used = ignore
            .iter()
            .map(|path| {
                target
                    .steps
                    .iter()
                    .flat_map(|s| &s.trace.writes)
                    .any(|w| path.matches_write(w))
            })
            .collect();
        Tally {
            summary,
            problems,
            ignore_used,
            targets: vec![(target.target.clone(), target.verdict.clone())],
        }
    }

    /// Adds the tally of the targets after these.
    fn merge(&mut self, other: Tally) {
        self.summary.merge(&other.summary);
        self.problems.extend(other.problems);
        if self.ignore_used.is_empty() {
            self.ignore_used = other.ignore_used;
        } else {
            for (used, other) in self.ignore_used.iter_mut().zip(other.ignore_used) {
                *used |= other;
            }
        }
        self.targets.extend(other.targets);
    }

    /// `KIND NS/NAME: verdict` for every target that did not settle.
    pub fn unsettled(&self) -> Vec<String> {
        self.targets
            .iter()
            .filter_map(|(t, v)| {
                v.as_ref()
                    .filter(|v| !v.is_settled())
                    .map(|v| format!("{t}: {v}"))
            })
            .collect()
    }
}

/// How each target is rendered (shared by the rendering threads).
pub struct Render {
    pub format: Format,
    pub view: ViewOptions,
}

/// One target, rendered.
pub struct Rendered {
    tally: Tally,
    body: Body,
}

enum Body {
    Text(Vec<u8>),
    /// Each reconcile with its run index.
    Json(Vec<(usize, Vec<u8>)>),
    Markdown {
        full: String,
        compact: String,
    },
}

impl Render {
    /// Renders one target.
    pub fn target(&self, target: &TargetReport) -> Rendered {
        let ignore = &self.view.ignore;
        let body = match self.format {
            Format::Text => {
                let mut buf = Vec::with_capacity(8192);
                // Writing to memory cannot fail.
                let _ = plan_text::write_target(&mut buf, target, &self.view);
                Body::Text(buf)
            }
            Format::Json => Body::Json(
                target
                    .steps
                    .iter()
                    .map(|s| {
                        let bytes = plan_json::reconcile_bytes(&target.target, s, ignore);
                        (s.trace.index, bytes)
                    })
                    .collect(),
            ),
            Format::Markdown => Body::Markdown {
                full: plan_markdown::section(target, &self.view),
                compact: plan_markdown::section(
                    target,
                    &plan_markdown::compact_options(&self.view),
                ),
            },
        };
        Rendered {
            tally: Tally::of_target(target, ignore),
            body,
        }
    }
}

/// Writes rendered targets in order and, at the end, what follows (or, for JSON and
/// markdown, what comes before) them.
pub struct PlanWriter<'o> {
    out: &'o mut dyn Write,
    tally: Tally,
    json: Vec<(usize, Vec<u8>)>,
    full: Vec<String>,
    compact: Vec<String>,
    /// The first error writing `out`; nothing more is written after it.
    error: Option<io::Error>,
    /// A live plan's `live` member, ending its JSON document.
    live: Option<Value>,
}

impl<'o> PlanWriter<'o> {
    pub fn new(out: &'o mut dyn Write) -> Self {
        PlanWriter {
            out,
            tally: Tally::default(),
            json: Vec::new(),
            full: Vec::new(),
            compact: Vec::new(),
            error: None,
            live: None,
        }
    }

    /// Ends a JSON document with a live plan's `live` member (other formats ignore it).
    pub fn with_live(mut self, live: Option<Value>) -> Self {
        self.live = live;
        self
    }

    /// Takes the next target.
    pub fn push(&mut self, rendered: Rendered) {
        self.tally.merge(rendered.tally);
        match rendered.body {
            Body::Text(bytes) => {
                if self.error.is_none() {
                    if let Err(e) = self.out.write_all(&bytes) {
                        self.error = Some(e);
                    }
                }
            }
            Body::Json(reconciles) => self.json.extend(reconciles),
            Body::Markdown { full, compact } => {
                self.full.push(full);
                self.compact.push(compact);
            }
        }
    }

    /// Writes the rest of the output; returns the plan's tally and how the writing went
    /// (the first write error).
    pub fn end(
        mut self,
        render: &Render,
        now: &str,
        final_objects: &[StoredObject],
    ) -> (Tally, io::Result<()>) {
        let written = match self.error.take() {
            Some(e) => Err(e),
            None => self.write_end(render, now, final_objects),
        };
        (self.tally, written)
    }

    fn write_end(
        &mut self,
        render: &Render,
        now: &str,
        final_objects: &[StoredObject],
    ) -> io::Result<()> {
        let t = &self.tally;
        match render.format {
            Format::Text => plan_text::write_end(self.out, &t.problems, &t.summary, &render.view),
            Format::Json => {
                // In run order (targets settled together take turns); stable, so a
                // plan's own order stays as it is.
                self.json.sort_by_key(|(index, _)| *index);
                let end = DocumentEnd {
                    summary: &t.summary,
                    targets: t
                        .targets
                        .iter()
                        .map(|(target, v)| TargetJson::of(target, v.as_ref()))
                        .collect(),
                    problems: &t.problems,
                    target: t
                        .targets
                        .iter()
                        .map(|(target, _)| target.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                    now,
                    final_objects,
                    live: self.live.as_ref(),
                };
                let reconciles = self.json.iter().map(|(_, bytes)| bytes.as_slice());
                plan_json::write_document(self.out, &end, reconciles)
            }
            Format::Markdown => {
                let names: Vec<String> = t.targets.iter().map(|(t, _)| t.to_string()).collect();
                let compact = std::mem::take(&mut self.compact);
                let comment = plan_markdown::assemble(
                    &t.summary,
                    &t.problems,
                    &names,
                    std::mem::take(&mut self.full),
                    || compact,
                    &render.view,
                    plan_markdown::COMMENT_LIMIT,
                );
                self.out.write_all(comment.as_bytes())
            }
        }
    }
}

/// Targets rendered per chunk on the rayon pool while the caller goes on reconciling.
const CHUNK: usize = 32;
/// Chunks rendered or being rendered before the caller waits for the oldest one.
const IN_FLIGHT: usize = 4;

/// Renders the targets handed to [`Pipeline::push`] on the rayon pool, a chunk at a time,
/// and hands them to the writer in order. With one thread it renders in place.
pub struct Pipeline<'s, 'r> {
    scope: &'r rayon::Scope<'s>,
    render: &'s Render,
    pending: Vec<TargetReport>,
    sent: usize,
    written: usize,
    ready: BTreeMap<usize, std::thread::Result<Vec<Rendered>>>,
    tx: mpsc::Sender<(usize, std::thread::Result<Vec<Rendered>>)>,
    rx: mpsc::Receiver<(usize, std::thread::Result<Vec<Rendered>>)>,
    parallel: bool,
}

impl<'s, 'r> Pipeline<'s, 'r> {
    pub fn new(scope: &'r rayon::Scope<'s>, render: &'s Render) -> Self {
        let (tx, rx) = mpsc::channel();
        Pipeline {
            scope,
            render,
            pending: Vec::new(),
            sent: 0,
            written: 0,
            ready: BTreeMap::new(),
            tx,
            rx,
            parallel: rayon::current_num_threads() > 1,
        }
    }

    /// Takes the next target's report (rendered and dropped in its turn); each rendered
    /// target is handed to `sink` in order (e.g. [`PlanWriter::push`]).
    pub fn push(&mut self, report: TargetReport, sink: &mut dyn FnMut(Rendered)) {
        if !self.parallel {
            sink(self.render.target(&report));
            return;
        }
        self.pending.push(report);
        if self.pending.len() >= CHUNK {
            self.send();
        }
        self.collect(sink, false);
    }

    /// Renders what is left and writes every chunk.
    pub fn finish(mut self, sink: &mut dyn FnMut(Rendered)) {
        if !self.pending.is_empty() {
            self.send();
        }
        self.collect(sink, true);
    }

    fn send(&mut self) {
        let chunk = std::mem::take(&mut self.pending);
        let (tx, render, n) = (self.tx.clone(), self.render, self.sent);
        self.scope.spawn(move |_| {
            // A panic is handed to the caller, which waits for this chunk.
            let rendered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                chunk.par_iter().map(|t| render.target(t)).collect()
            }));
            drop(chunk);
            // The receiver lives until every chunk is in.
            let _ = tx.send((n, rendered));
        });
        self.sent += 1;
    }

    /// Writes the chunks that are next in order; waits while too many are out (or, with
    /// `all`, until every one is in).
    fn collect(&mut self, sink: &mut dyn FnMut(Rendered), all: bool) {
        loop {
            while let Some(chunk) = self.ready.remove(&self.written) {
                let chunk = chunk.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                chunk.into_iter().for_each(&mut *sink);
                self.written += 1;
            }
            let out = self.sent - self.written;
            let wait = if all { out > 0 } else { out > IN_FLIGHT };
            let next = if wait {
                self.rx.recv().ok()
            } else {
                self.rx.try_recv().ok()
            };
            match next {
                Some((n, chunk)) => {
                    self.ready.insert(n, chunk);
                }
                None => return,
            }
        }
    }
}
