//! Rendering for people and machines: trace text, plan tables, diffs, patches.

pub mod base_diff;
pub mod base_impact;
pub mod base_text;
pub mod changes;
pub mod explain;
pub mod explain_markdown;
pub mod plan_json;
pub mod plan_markdown;
pub mod plan_stream;
pub mod plan_text;
pub mod pretty_compact;
pub mod summary;
pub mod trace_text;
