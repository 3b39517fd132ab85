//! Go's typed storage: objects held exactly as Go's `encoding/json` re-encodes
//! them after decoding into the operator's types (the form the API server and
//! the fake client that traced the parity fixtures store): unknown fields
//! dropped, `omitempty`/`omitzero` per field, non-pointer structs always written,
//! times in UTC at their precision, durations and quantities in Go's canonical
//! text, integers in their Go range.
//!
//! The per-type rules are not hand-written: `generated.rs` is produced by
//! `tools/gen_typed/gen_typed.py` from the Go struct definitions and their tags,
//! and `encode.rs` interprets that table.

mod duration;
mod encode;
#[rustfmt::skip]
pub mod generated;
pub mod schema;
mod time;

use serde_json::Value;

pub use encode::DecodeError;
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

/// An object re-encoded in Go's typed form.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalized {
    pub value: Value,
    /// Paths of the fields the Go type does not know (dropped), in document order.
    pub dropped: Vec<String>,
}

/// The object as Go would store it after decoding it into its kind's type; kinds
/// without a Go type (see [`struct_for`]) come back as written.
pub fn normalize(api_version: &str, kind: &str, object: Value) -> Result<Normalized, DecodeError> {
    let mut dropped = Vec::new();
    let value = match struct_for(api_version, kind) {
        Some(def) => encode::Walk::new(&mut dropped).struct_value(def, object)?,
        None => object,
    };
    Ok(Normalized { value, dropped })
}

/// Re-encodes one top-level field of an object of a typed kind in place (the
/// store uses it for `metadata` after setting server-owned fields, so the stored
/// field order stays Go's); a no-op for untyped kinds or absent fields. On an error
/// the field is left null (the caller refuses the write).
pub fn normalize_field(
    api_version: &str,
    kind: &str,
    object: &mut Value,
    name: &str,
) -> Result<(), DecodeError> {
    let Some(field) = struct_for(api_version, kind).and_then(|def| def.field(name)) else {
        return Ok(());
    };
    if let Some(value) = object.get_mut(name) {
        let mut dropped = Vec::new();
        let input = std::mem::take(value);
        *value = encode::Walk::new(&mut dropped).field_value(field, input)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests;
