//! The world the reconcilers see: an in-memory API server with real Kubernetes
//! write semantics (PARITY.md §4), and the JSON helpers it is built on.

pub mod error;
pub mod json;
pub mod kinds;
pub mod store;

pub use error::ApiError;
pub use store::{
    ApiServer, DeleteOptions, ObjectKey, WriteOutcome, WriteRecord, APPLY_PATCH, MERGE_PATCH,
};
