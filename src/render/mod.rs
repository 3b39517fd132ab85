//! Rendering for people and machines: trace text, plan tables, diffs, patches.

pub mod trace_text;
