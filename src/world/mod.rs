//! The world the reconcilers see: an in-memory API server with real Kubernetes
//! write semantics (PARITY.md §4), and the JSON helpers it is built on.

pub mod compact;
pub mod error;
pub mod fieldpath;
pub mod hex;
pub mod json;
pub mod kinds;
pub mod managed;
mod objects;
pub mod record;
pub mod rest_text;
mod resting;
pub mod schema;
mod schema_types;
mod ssa;
#[rustfmt::skip]
mod ssa_schema;
pub mod store;

pub use error::ApiError;
pub use record::{DeleteOptions, WriteOutcome, WriteRecord, APPLY_PATCH, MERGE_PATCH};
pub use store::{ApiServer, ObjectKey};
