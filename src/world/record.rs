//! What the API server records of each write request (PARITY.md §3.2) and what
//! the write did to the store.

use std::sync::Arc;

use serde_json::Value;

/// Patch type of a JSON merge patch.
pub const MERGE_PATCH: &str = "application/merge-patch+json";
/// Patch type of a server-side apply.
pub const APPLY_PATCH: &str = "application/apply-patch+yaml";

/// One write request as sent to the API server (PARITY.md §3.2).
#[derive(Debug, Clone, PartialEq)]
pub struct WriteRecord {
    pub seq: u64,
    pub verb: &'static str,
    pub subresource: Option<&'static str>,
    pub api_version: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
    pub patch_type: Option<&'static str>,
    /// The request body of a patch.
    pub patch: Option<Arc<Value>>,
    /// The request body of a create or update.
    pub object: Option<Arc<Value>>,
    pub field_manager: Option<String>,
    pub force: Option<bool>,
    pub propagation_policy: Option<String>,
    pub error: Option<String>,
    /// What the write did to the store (not part of the trace; used by `plan`).
    pub outcome: WriteOutcome,
}

/// The effect a write had on the store: the stored objects before and after,
/// shared with the store.
#[derive(Debug, Clone, PartialEq)]
pub enum WriteOutcome {
    Failed,
    Created {
        after: Arc<Value>,
    },
    Updated {
        before: Arc<Value>,
        after: Arc<Value>,
    },
    Unchanged {
        object: Arc<Value>,
    },
    MarkedDeleted {
        before: Arc<Value>,
        after: Arc<Value>,
    },
    Removed {
        before: Arc<Value>,
    },
}

/// Options of a delete request.
#[derive(Debug, Clone, Default)]
pub struct DeleteOptions {
    pub propagation_policy: Option<String>,
}
