//! Typed SeiNode / SeiNodeDeployment API objects whose JSON encoding matches Go's
//! `encoding/json` on the operator's `api/v1alpha1` structs.
//!
//! Conventions: Go enums are plain `String` fields with constants in a `*_phase` /
//! `*_type` module; `metav1.Time` is `Option<String>` (RFC3339, UTC, whole seconds);
//! non-omitempty slices and maps that Go can encode as `null` are `Option<Vec<_>>` /
//! `Option<StringMap>`.

pub mod common;
pub mod deployment;
pub mod gojson;
pub mod meta;
pub mod seinode;

pub use common::*;
pub use deployment::*;
pub use meta::*;
pub use seinode::*;
