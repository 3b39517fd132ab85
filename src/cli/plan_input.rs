//! The input of `plan` (and the `-f` overlay of a live plan), checked before anything is
//! planned: the manifests are judged by exactly the checks `nodectl validate` runs (schema with
//! strict field validation, required fields, CEL, duplicates across every `-f` input, the
//! planners' validation), so a plan never reports "OK" for what the API server or the operator
//! would refuse. `--validate` takes kubectl's names for how strict to be.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use clap::ValueEnum;
use rayon::prelude::*;

use super::error::{fail, CliError};
use super::input::{
    load_problem, object_of, objects_in, objects_of_loads, DocumentObject, Input, InputProblem,
};
use crate::manifest::{self, FileLoad, LoadError};
use crate::validate::render::text;
use crate::validate::{
    validate_inputs_keeping, validate_loads_keeping, Kept, Listing, OldObjects, Options,
};

/// What `plan` does with input `validate` would reject (kubectl's `--validate` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ValidateMode {
    /// Invalid input stops the plan: the diagnostics, then exit 2 (kubectl's default).
    #[default]
    #[value(alias = "true")]
    Strict,
    /// Print the diagnostics and plan anyway (unknown fields are dropped, as the API server's
    /// default field validation does).
    Warn,
    /// Plan without validating; only unreadable input stops it.
    #[value(alias = "false")]
    Ignore,
}

/// Reads `paths` for a plan: validated per `mode`, warnings and diagnostics on `err`. `Err` is
/// the exit code to end with (the reason is already on `err`). Each document is checked as
/// soon as it is parsed and then dropped, so only the objects to plan stay in memory.
pub fn read_checked(
    paths: &[PathBuf],
    recursive: bool,
    mode: ValidateMode,
    err: &mut dyn Write,
) -> Result<Input, u8> {
    let _prompt = super::alloc::PromptRelease::start();
    if mode == ValidateMode::Ignore {
        return reported(objects_read(paths, recursive), err);
    }
    let inputs = manifest::discover_inputs(paths, recursive);
    let kept = validate_inputs_keeping(
        &inputs,
        &OldObjects::default(),
        &Options::default(),
        Listing::Diagnosed,
        &|| {},
        &object_of,
    );
    judged(kept, mode, err)
}

/// The objects of `paths` unvalidated, each document turned into its object as soon as it is
/// parsed (so only the objects stay in memory); the first unreadable file, else the first
/// hard error of a document, is returned as `Err` (as [`objects_of_loads`] answers).
fn objects_read(paths: &[PathBuf], recursive: bool) -> Result<Input, InputProblem> {
    let per_file: Vec<(manifest::Pieces<DocumentObject>, Vec<LoadError>)> =
        manifest::discover_inputs(paths, recursive)
            .par_iter()
            .map(
                |input| match input.as_ref().map_err(Clone::clone).and_then(|i| i.read()) {
                    Ok(source) => manifest::parse_source_each(
                        &Arc::new(source),
                        &|d| object_of(&d),
                        |_, _| {},
                    ),
                    Err(e) => (manifest::Pieces::default(), vec![e]),
                },
            )
            .collect();
    if let Some(e) = per_file.iter().find_map(|(_, errors)| errors.first()) {
        return Err(load_problem(e.clone()));
    }
    objects_in(manifest::Pieces::concat(
        per_file.into_iter().map(|(objects, _)| objects),
    ))
}

/// [`read_checked`] over inputs already loaded (e.g. read from git by `plan --base-git`):
/// the same checks and the same diagnostics, named by each load's file name.
pub fn check_loads(
    loads: Vec<FileLoad>,
    mode: ValidateMode,
    err: &mut dyn Write,
) -> Result<Input, u8> {
    if mode == ValidateMode::Ignore {
        return reported(objects_of_loads(loads), err);
    }
    let kept = validate_loads_keeping(
        loads,
        &OldObjects::default(),
        &Options::default(),
        Listing::Diagnosed,
        &|| {},
        &object_of,
    );
    judged(kept, mode, err)
}

/// The input of a validated read, or the exit code when `mode` refuses what validation found
/// (the diagnostics are then on `err`).
fn judged(
    kept: Kept<DocumentObject>,
    mode: ValidateMode,
    err: &mut dyn Write,
) -> Result<Input, u8> {
    let Kept {
        report,
        kept,
        unreadable,
    } = kept;
    let invalid = report.is_invalid();
    // Warnings alone (e.g. a snapshot that holds a group's children) do not interrupt
    // a strict plan; `validate` shows them.
    if invalid || (mode == ValidateMode::Warn && !report.diagnostics().is_empty()) {
        let _ = write!(err, "{}", text(&report));
        let _ = writeln!(err, "{}", report.summary_line());
    }
    if invalid {
        if mode == ValidateMode::Strict || unreadable {
            let hint = if unreadable {
                ""
            } else {
                " (--validate=warn plans anyway)"
            };
            return Err(fail(
                err,
                CliError::Invalid,
                format!("the input is invalid, nothing was planned{hint}"),
            ));
        }
        let _ = writeln!(
            err,
            "warning: planning input that the API server or the operator would refuse (--validate=warn)"
        );
    }
    drop(report);
    reported(objects_in(manifest::Pieces::concat(kept)), err)
}

/// The input with its warnings written to `err`, or the exit code of its hard error.
fn reported(input: Result<Input, InputProblem>, err: &mut dyn Write) -> Result<Input, u8> {
    match input {
        Ok(input) => {
            for w in &input.warnings {
                let _ = writeln!(err, "warning: {w}");
            }
            Ok(input)
        }
        Err(problem) => Err(super::fail(err, CliError::Invalid, problem)),
    }
}
