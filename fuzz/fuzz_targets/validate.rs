//! Fuzz target: arbitrary bytes through the manifest loader and the validator.
//! Run: `cargo +nightly fuzz run validate` (from the repository root).
#![no_main]

use libfuzzer_sys::fuzz_target;
use nodectl::validate::{fuzz_entry, Options};

fuzz_target!(|data: &[u8]| {
    fuzz_entry(data, &Options::default());
});
