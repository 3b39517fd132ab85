//! The world the reconcilers see: an in-memory API server with real Kubernetes
//! write semantics (PARITY.md §4), and the JSON helpers it is built on.

pub mod error;
pub mod json;
pub mod kinds;
mod objects;
pub mod record;
mod ssa;
pub mod store;

pub use error::ApiError;
pub use record::{DeleteOptions, WriteOutcome, WriteRecord, APPLY_PATCH, MERGE_PATCH};
pub use store::{ApiServer, ObjectKey};
