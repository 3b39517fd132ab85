//! Go's typed storage: objects held exactly as Go's `encoding/json` re-encodes
//! them after decoding into the operator's types (the form the API server and
//! the fake client that traced the parity fixtures store).
//!
//! The per-type encoding rules are not hand-written: `generated.rs` is produced by
//! `tools/gen_typed/gen_typed.py` from the Go struct definitions and their tags,
//! and `encode.rs` interprets that table.

#[rustfmt::skip]
pub mod generated;
pub mod schema;

pub use schema::{Field, GoStruct, Omit, Ty};

/// The Go struct a kind is stored as, `None` for kinds held as written
/// (kinds the operator only handles as `unstructured.Unstructured`, such as
/// HTTPRoute and ServiceMonitor, and kinds it never decodes).
pub fn struct_for(api_version: &str, kind: &str) -> Option<&'static GoStruct> {
    generated::KINDS
        .iter()
        .find(|(v, k, _)| *v == api_version && *k == kind)
        .map(|(_, _, s)| *s)
}
