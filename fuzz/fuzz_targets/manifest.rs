//! Fuzz target: bytes as one manifest file through everything `validate` and `plan` do
//! with it: decoding, the input limits, YAML parsing, validation and every report format,
//! then plan's input checks and, for valid input, one reconcile of each target.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use nodectl::cli::input::objects_of;
use nodectl::engine::plan::{plan, targets_of, PlanOptions};
use nodectl::env::Clock;
use nodectl::manifest;
use nodectl::validate::{fuzz_entry, Options};

fuzz_target!(|data: &[u8]| {
    let report = fuzz_entry(data, &Options::default());
    if report.is_invalid() {
        return;
    }
    // `plan` plans what `validate` accepts (its default --validate=strict).
    let Ok(source) = manifest::decode("fuzz.yaml", data.to_vec()) else {
        return;
    };
    let load = manifest::parse_source(Arc::new(source));
    let Ok(input) = objects_of(&load.documents) else {
        return;
    };
    let clock = Clock::parse("2026-01-01T00:00:00Z").expect("a valid clock");
    let _ = plan(
        &input.objects,
        &targets_of(&input.objects),
        &PlanOptions::new(clock),
    );
});
